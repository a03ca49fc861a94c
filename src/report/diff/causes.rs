//! Why an outcome changed: the rule's definition, the params and lets it reads, and the
//! exception and failing `when` of the record.
//!
//! Consumes the two sides of a diff and a rule name (rule-level causes) or the two
//! views of one outcome (record-level causes); produces [`Cause`]s. Definitions are
//! compared as checked IR (equality ignores spans); a rule inherited unchanged by the
//! revised policy is the same text by construction and is not compared (its IR could
//! differ only by renumbered fields). Params are compared by the value in force at
//! each side's as-of; texts shown are the source as written, whitespace-collapsed.

use crate::ast::Family;
use crate::eval::Reads;
use crate::eval::explain::{Explanation, Node, Note, tier_condition};
use crate::program::{
    Body, DatedExpr, Expr, ExprKind, LetDef, LetId, Member, Origin, OutcomeDef, ParamDef, ParamId,
    Program, RuleDef,
};
use crate::report::OutcomeView;
use crate::report::diff::Side;
use crate::syntax::keywords::Kw;
use crate::value::show;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// One reason an outcome differs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Cause {
    /// The rule exists only in the revised policy.
    RuleAdded,
    /// The rule exists only in the base policy.
    RuleRemoved,
    /// The rule's definition differs (`overridden`: written with `override`).
    RuleChanged {
        overridden: bool,
        cite: Option<String>,
        changes: Vec<DefChange>,
    },
    /// A param the rule reads has a different value in force.
    ParamChanged {
        name: String,
        base: Option<String>,
        revised: Option<String>,
    },
    /// A `let` the rule reads is defined differently (`园区.配套比例`).
    LetChanged {
        name: String,
        base: Option<String>,
        revised: Option<String>,
    },
    /// A different exception replaced the base rule for this record.
    ExceptionChanged {
        base: Option<String>,
        revised: Option<String>,
    },
    /// The first failing `when` of this record differs (`None`: none failed).
    WhenChanged {
        base: Option<String>,
        revised: Option<String>,
    },
    /// A different `tier` row was chosen for this record (from the explanations).
    TierRow {
        base: Option<String>,
        revised: Option<String>,
    },
}

/// One difference between two definitions of a rule.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum DefChange {
    Family {
        base: Family,
        revised: Family,
    },
    Cite {
        base: Option<String>,
        revised: Option<String>,
    },
    WhenRemoved(String),
    WhenAdded(String),
    /// The `amount` or `require` changed (texts as written).
    Outcome {
        base: String,
        revised: String,
    },
    ExceptionAdded(String),
    ExceptionRemoved(String),
    ExceptionChanged(String),
}

/// Causes common to every record of a rule.
pub fn rule_causes(base: &Side, revised: &Side, name: &str) -> Vec<Cause> {
    let b = base
        .program
        .rule_by_name(name)
        .and_then(|i| base.program.rule(i));
    let r = revised
        .program
        .rule_by_name(name)
        .and_then(|i| revised.program.rule(i));
    let (b, r) = match (b, r) {
        (Some(b), Some(r)) => (b, r),
        (None, _) => return vec![Cause::RuleAdded],
        (_, None) => return vec![Cause::RuleRemoved],
    };
    let mut out = Vec::new();
    if !matches!(r.origin, Origin::Inherited(_)) {
        let changes = def_changes(base.program, b, revised.program, r);
        if !changes.is_empty() {
            out.push(Cause::RuleChanged {
                overridden: r.origin == Origin::Overridden,
                cite: r.body.cite.clone(),
                changes,
            });
        }
    }
    out.extend(param_causes(base, revised, b, r));
    out.extend(let_causes(base.program, b, revised.program, r));
    out
}

/// Causes seen on one record: the exception and the failing `when`, before and after.
pub fn record_causes(before: Option<&OutcomeView>, after: Option<&OutcomeView>) -> Vec<Cause> {
    fn exc(v: Option<&OutcomeView>) -> Option<&str> {
        v.and_then(|v| v.exception.as_deref())
    }
    fn fw(v: Option<&OutcomeView>) -> Option<&str> {
        v.and_then(|v| v.failed_when.as_deref())
    }
    let owned = |s: Option<&str>| s.map(str::to_string);
    let mut out = Vec::new();
    if before.is_some() && after.is_some() {
        if exc(before) != exc(after) {
            out.push(Cause::ExceptionChanged {
                base: owned(exc(before)),
                revised: owned(exc(after)),
            });
        }
        // An outcome made by an exception records no failed `when` (the exception
        // replaced the base), so whens are compared only when neither side has one.
        if exc(before).is_none() && exc(after).is_none() && fw(before) != fw(after) {
            out.push(Cause::WhenChanged {
                base: owned(fw(before)),
                revised: owned(fw(after)),
            });
        }
    }
    out
}

/// The rule-level causes that bear on one record: changes to an exception that applied
/// neither before nor after are left out (and a definition change left with nothing).
pub fn for_record(
    rule: &[Cause],
    before: Option<&OutcomeView>,
    after: Option<&OutcomeView>,
) -> Vec<Cause> {
    let applied = |name: &str| {
        [before, after]
            .iter()
            .any(|v| v.and_then(|v| v.exception.as_deref()) == Some(name))
    };
    rule.iter()
        .filter_map(|c| match c {
            Cause::RuleChanged {
                overridden,
                cite,
                changes,
            } => {
                let kept: Vec<DefChange> = changes
                    .iter()
                    .filter(|d| match d {
                        DefChange::ExceptionAdded(n)
                        | DefChange::ExceptionRemoved(n)
                        | DefChange::ExceptionChanged(n) => applied(n),
                        _ => true,
                    })
                    .cloned()
                    .collect();
                (!kept.is_empty()).then(|| Cause::RuleChanged {
                    overridden: *overridden,
                    cite: cite.clone(),
                    changes: kept,
                })
            }
            c => Some(c.clone()),
        })
        .collect()
}

/// What the explanation of one outcome tells its causes: the params and lets its
/// evaluation read, and its first `tier` decision (row and value, `>= 80% => 30万元`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Explained {
    pub reads: Reads,
    pub first_tier: Option<String>,
}

impl Explained {
    /// What `x` tells.
    pub fn of(x: &Explanation) -> Explained {
        let mut reads = Reads::default();
        visit_notes(&x.steps, &mut |_, n| reads.note(n));
        Explained {
            reads,
            first_tier: first_tier(x),
        }
    }
}

/// Sharpen a record's causes with the explanations of its two outcomes: keep only the
/// changed params and lets the evaluation actually read on either side, and name the `tier`
/// row chosen before and after when it differs (row and value, `>= 80% => 30万元`).
/// Without both explanations the causes are left as they are.
pub fn refine(causes: &mut Vec<Cause>, before: Option<&Explained>, after: Option<&Explained>) {
    let (Some(b), Some(a)) = (before, after) else {
        return;
    };
    let read = |name: &str, of: fn(&Reads) -> &BTreeSet<String>| {
        of(&b.reads).contains(name) || of(&a.reads).contains(name)
    };
    // A let's note names it without its entity (`星级奖励` for `园区.星级奖励`).
    let short = |full: &str| full.split_once('.').map_or(full, |(_, n)| n).to_string();
    causes.retain(|c| match c {
        Cause::ParamChanged { name, .. } => read(name, |r| &r.params),
        Cause::LetChanged { name, .. } => read(&short(name), |r| &r.lets),
        _ => true,
    });
    let (tb, ta) = (b.first_tier.clone(), a.first_tier.clone());
    if (tb.is_some() || ta.is_some()) && tb != ta {
        let at = causes
            .iter()
            .position(|c| matches!(c, Cause::RuleChanged { .. } | Cause::ParamChanged { .. }))
            .unwrap_or(causes.len());
        causes.insert(
            at,
            Cause::TierRow {
                base: tb,
                revised: ta,
            },
        );
    }
}

/// Every note of a tree, depth first in evaluation order, with its node.
fn visit_notes(nodes: &[Node], f: &mut dyn FnMut(&Node, &Note)) {
    for n in nodes {
        for note in &n.notes {
            f(n, note);
        }
        visit_notes(&n.children, f);
    }
}

/// The first tier decision of an evaluation: its row (or `else`) and its value.
fn first_tier(x: &Explanation) -> Option<String> {
    let mut found = None;
    visit_notes(&x.steps, &mut |node, note| {
        if found.is_some() {
            return;
        }
        let row = match note {
            // The row's condition (`>= 80%`), whether the text holds its result or not.
            Note::TierRow { text, .. } => tier_condition(text),
            Note::TierElse => "else",
            _ => return,
        };
        found = Some(match &node.value {
            Some(v) => format!("{row} => {v}"),
            None => row.to_string(),
        });
    });
    found
}

/// Whitespace-collapsed source text of a span.
fn src(program: &Program, e: &Expr) -> String {
    collapse(program.sources.snippet(e.span))
}

/// Source text on one line: comments dropped, whitespace runs made one space.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let (mut in_string, mut escaped, mut in_comment) = (false, false, false);
    for c in s.chars() {
        if in_comment {
            in_comment = c != '\n';
            if in_comment {
                continue;
            }
        } else if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            in_comment = true;
            continue;
        }
        out.push(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn def_changes(bp: &Program, b: &RuleDef, rp: &Program, r: &RuleDef) -> Vec<DefChange> {
    let mut out = Vec::new();
    if b.family != r.family {
        out.push(DefChange::Family {
            base: b.family,
            revised: r.family,
        });
    }
    out.extend(body_changes(bp, &b.body, rp, &r.body));
    for e in &b.exceptions {
        match r.exceptions.iter().find(|x| x.name == e.name) {
            None => out.push(DefChange::ExceptionRemoved(e.name.clone())),
            Some(x) if !same_body(bp, &e.body, rp, &x.body) => {
                out.push(DefChange::ExceptionChanged(e.name.clone()))
            }
            Some(_) => {}
        }
    }
    for x in &r.exceptions {
        if !b.exceptions.iter().any(|e| e.name == x.name) {
            out.push(DefChange::ExceptionAdded(x.name.clone()));
        }
    }
    out
}

/// Whether two `when` lists are the same, line by line, as written.
fn same_whens(b: &Body, r: &Body) -> bool {
    b.whens.len() == r.whens.len() && b.whens.iter().zip(&r.whens).all(|(x, y)| x.text == y.text)
}

/// Whether two outcomes are the same: equal IR, or the same text as written. The text
/// decides when the IR differs only by renumbering (a revision that removes a param
/// shifts the ids of the params after it); a name that now means something else shows
/// up as a param or let cause instead.
fn same_outcome(bp: &Program, b: &OutcomeDef, rp: &Program, r: &OutcomeDef) -> bool {
    b == r || outcome_text(bp, b) == outcome_text(rp, r)
}

fn same_body(bp: &Program, b: &Body, rp: &Program, r: &Body) -> bool {
    b.cite == r.cite && same_whens(b, r) && same_outcome(bp, &b.outcome, rp, &r.outcome)
}

fn body_changes(bp: &Program, b: &Body, rp: &Program, r: &Body) -> Vec<DefChange> {
    let mut out = Vec::new();
    if b.cite != r.cite {
        out.push(DefChange::Cite {
            base: b.cite.clone(),
            revised: r.cite.clone(),
        });
    }
    let has = |list: &[crate::program::When], text: &str| list.iter().any(|w| w.text == text);
    for w in b.whens.iter().filter(|w| !has(&r.whens, &w.text)) {
        out.push(DefChange::WhenRemoved(w.text.clone()));
    }
    for w in r.whens.iter().filter(|w| !has(&b.whens, &w.text)) {
        out.push(DefChange::WhenAdded(w.text.clone()));
    }
    if !same_outcome(bp, &b.outcome, rp, &r.outcome) {
        out.push(DefChange::Outcome {
            base: outcome_text(bp, &b.outcome),
            revised: outcome_text(rp, &r.outcome),
        });
    }
    out
}

/// A rule's outcome as written, its keywords in the dialect of the file it is in
/// (`amount 1 万元`, `金额 1 万元`).
fn outcome_text(p: &Program, o: &OutcomeDef) -> String {
    let kw = |k: Kw, at: &Expr| k.text_in(crate::syntax::dialect(p.sources.text(at.span.file)));
    match o {
        OutcomeDef::Amount(e) => format!("{} {}", kw(Kw::Amount, e), src(p, e)),
        OutcomeDef::Require { cond, message } => {
            let msg = message
                .as_ref()
                .map(|m| {
                    let text = collapse(p.sources.snippet(m.span));
                    format!(" {} {text}", kw(Kw::Else, cond))
                })
                .unwrap_or_default();
            format!("{} {}{msg}", kw(Kw::Require, cond), src(p, cond))
        }
    }
}

/// The params and lets a rule reads, directly or through lets and other params.
#[derive(Default)]
struct Uses {
    params: BTreeSet<ParamId>,
    lets: BTreeSet<LetId>,
}

fn uses(program: &Program, rule: &RuleDef) -> Uses {
    let mut u = Uses::default();
    let mut todo: Vec<&Expr> = Vec::new();
    for body in std::iter::once(&rule.body).chain(rule.exceptions.iter().map(|e| &e.body)) {
        todo.extend(body.exprs());
    }
    while let Some(e) = todo.pop() {
        match &e.kind {
            ExprKind::Param(id) if u.params.insert(*id) => {
                if let Some(p) = program.param(*id) {
                    todo.extend(p.values.iter().map(|v| &v.value));
                }
            }
            ExprKind::Let(id)
            | ExprKind::Member {
                member: Member::Let(id),
                ..
            } if u.lets.insert(*id) => {
                if let Some(l) = program.let_def(*id) {
                    todo.push(&l.value);
                }
            }
            _ => {}
        }
        todo.extend(e.children());
    }
    u
}

/// The dated value of a param in force at a date.
pub fn in_force(p: &ParamDef, as_of: NaiveDate) -> Option<&DatedExpr> {
    p.values.iter().rfind(|v| v.from.is_none_or(|d| d <= as_of))
}

fn param_text(program: &Program, p: &ParamDef, v: &DatedExpr) -> String {
    match &v.value.kind {
        ExprKind::Const(c) => show(c, &p.ty, program),
        _ => src(program, &v.value),
    }
}

fn param_causes(base: &Side, revised: &Side, b: &RuleDef, r: &RuleDef) -> Vec<Cause> {
    let mut names = BTreeSet::new();
    for (side, rule) in [(base, b), (revised, r)] {
        for id in uses(side.program, rule).params {
            if let Some(p) = side.program.param(id) {
                names.insert(p.name.clone());
            }
        }
    }
    let value = |side: &Side, name: &str| {
        let p = side
            .program
            .param_by_name(name)
            .and_then(|i| side.program.param(i))?;
        let v = in_force(p, side.as_of)?;
        Some((v.value.clone(), param_text(side.program, p, v)))
    };
    names
        .into_iter()
        .filter_map(|name| {
            let (bv, rv) = (value(base, &name), value(revised, &name));
            let same = match (&bv, &rv) {
                (Some(x), Some(y)) => x.0 == y.0 || x.1 == y.1,
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| Cause::ParamChanged {
                name,
                base: bv.map(|v| v.1),
                revised: rv.map(|v| v.1),
            })
        })
        .collect()
}

/// A let with its full name (`园区.配套比例`).
fn full(p: &Program, id: LetId) -> Option<(String, &LetDef)> {
    let l = p.let_def(id)?;
    let ent = p.entity(l.entity).map(|e| e.name.as_str()).unwrap_or("");
    Some((format!("{ent}.{}", l.name), l))
}

/// A let by its full name.
fn find_let<'p>(p: &'p Program, name: &str) -> Option<&'p LetDef> {
    (0..p.lets.len())
        .filter_map(|i| full(p, LetId(i)))
        .find(|(n, _)| n == name)
        .map(|(_, l)| l)
}

fn let_causes(bp: &Program, b: &RuleDef, rp: &Program, r: &RuleDef) -> Vec<Cause> {
    let mut names = BTreeSet::new();
    for (p, rule) in [(bp, b), (rp, r)] {
        names.extend(
            uses(p, rule)
                .lets
                .into_iter()
                .filter_map(|id| full(p, id).map(|x| x.0)),
        );
    }
    names
        .into_iter()
        .filter_map(|name| {
            let (bl, rl) = (find_let(bp, &name), find_let(rp, &name));
            let same = match (bl, rl) {
                (Some(x), Some(y)) => {
                    x.value == y.value
                        || matches!(y.origin, Origin::Inherited(_))
                        || src(bp, &x.value) == src(rp, &y.value)
                }
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| Cause::LetChanged {
                name,
                base: bl.map(|l| src(bp, &l.value)),
                revised: rl.map(|l| src(rp, &l.value)),
            })
        })
        .collect()
}
