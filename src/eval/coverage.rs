//! Coverage: which clauses of a policy the records reach.
//!
//! Consumes a program, records and an as-of date; evaluates every rule on every record
//! with a counting tracer and produces a [`Coverage`]: for every rule its outcome
//! counts, and for every `when` line, exception, `tier` row, `brackets` slice and
//! `match` arm (in rules and in `let`s) how many records reached it. An item no record
//! reached is a drafter's sign that the clause is dead or the sample data thin.
//!
//! A record counts once per item, however many rules read the same `let`. What counts
//! as reaching: a `when` line that held, an exception that applied, the tier row (or
//! `else`) chosen, a bracket slice that got a positive part of the subject, the match
//! arm taken. Clauses inside an aggregate's `where` or value are evaluated on the
//! child records and are not listed.

use crate::ast::Family;
use crate::data::Dataset;
use crate::eval::arith::R;
use crate::eval::explain::Note;
use crate::eval::trace::{Step, Tracer, collapse};
use crate::eval::{Evaluator, Scratch};
use crate::program::{Body, EntityId, Expr, ExprKind, Program, StatusKind};
use crate::span::{FileId, Span};
use crate::value::Value;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How far the records reach into a policy.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    pub policy: String,
    pub as_of: String,
    pub rules: Vec<RuleCoverage>,
    /// `let`s that hold a `tier`, `brackets` or `match`.
    pub lets: Vec<LetCoverage>,
}

impl Coverage {
    /// Every item no record reached, with the rule or let it belongs to.
    pub fn unreached(&self) -> Vec<(&str, &Item)> {
        let rules = self
            .rules
            .iter()
            .flat_map(|r| r.items.iter().map(move |i| (r.rule.as_str(), i)));
        let lets = self
            .lets
            .iter()
            .flat_map(|l| l.items.iter().map(move |i| (l.name.as_str(), i)));
        rules.chain(lets).filter(|(_, i)| i.reached == 0).collect()
    }

    /// Rules evaluated on no record (their entity has no records).
    pub fn rules_without_records(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.rules.iter().filter(|r| r.records == 0)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RuleCoverage {
    pub rule: String,
    pub entity: String,
    pub family: Family,
    pub cite: Option<String>,
    pub location: String,
    /// Records the rule was evaluated on.
    pub records: usize,
    /// Outcomes by status, in [`StatusKind::ALL`] order.
    pub statuses: Vec<StatusCount>,
    pub items: Vec<Item>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct StatusCount {
    pub status: StatusKind,
    pub count: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct LetCoverage {
    /// `实体.名称`.
    pub name: String,
    pub location: String,
    pub items: Vec<Item>,
}

/// One clause and how many records reached it.
#[derive(Clone, Debug, Serialize)]
pub struct Item {
    pub kind: ItemKind,
    /// The clause as written (`入驻率 >= 80%`, `>= 90%`, the exception's name).
    pub text: String,
    pub location: String,
    /// Records on which the clause was evaluated (whens and exceptions only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluated: Option<usize>,
    /// Records that reached it: the `when` held, the exception applied, the row, slice
    /// or arm was taken.
    pub reached: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    When,
    Exception,
    /// A `when` of an exception.
    ExceptionWhen,
    TierRow,
    TierElse,
    BracketSlice,
    MatchArm,
    MatchElse,
}

impl ItemKind {
    /// How the item is named in reports.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::When => "when",
            ItemKind::Exception => "exception",
            ItemKind::ExceptionWhen => "exception when",
            ItemKind::TierRow => "tier row",
            ItemKind::TierElse => "tier else",
            ItemKind::BracketSlice => "bracket slice",
            ItemKind::MatchArm => "match arm",
            ItemKind::MatchElse => "match else",
        }
    }
}

/// A place in the source, as a hashable key (spans compare equal regardless of place).
type At = (FileId, usize, usize);

fn at(span: Span) -> At {
    (span.file, span.start, span.end)
}

/// What the tracer saw: a `when` or exception evaluated or held, or a branch taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Hit {
    Evaluated(At),
    Held(At),
    Row(At, usize),
    Else(At),
    Slice(At, usize),
    Arm(At, Option<usize>),
}

/// Collects the hits of one record, then folds them into counts once per record.
#[derive(Default)]
struct Counter {
    /// Notes of the nodes being evaluated, innermost last.
    open: Vec<Vec<Note>>,
    record: HashSet<Hit>,
    counts: HashMap<Hit, usize>,
}

impl Counter {
    fn end_record(&mut self) {
        for hit in self.record.drain() {
            *self.counts.entry(hit).or_insert(0) += 1;
        }
    }

    fn count(&self, hit: Hit) -> usize {
        self.counts.get(&hit).copied().unwrap_or(0)
    }
}

impl Tracer for Counter {
    const ON: bool = true;

    fn start(&mut self) {
        self.open.push(Vec::new());
    }

    fn note(&mut self, note: Note) {
        if let Some(top) = self.open.last_mut() {
            top.push(note);
        }
    }

    fn finish(&mut self, _ev: &Evaluator<'_>, step: Step<'_>, _result: &R<Value>) {
        let here = at(step.span);
        for note in self.open.pop().unwrap_or_default() {
            match note {
                Note::When { held, .. } | Note::Exception { applies: held, .. } => {
                    self.record.insert(Hit::Evaluated(here));
                    if held {
                        self.record.insert(Hit::Held(here));
                    }
                }
                Note::TierRow { index, .. } => {
                    self.record.insert(Hit::Row(here, index));
                }
                Note::TierElse => {
                    self.record.insert(Hit::Else(here));
                }
                Note::Brackets { slices } => {
                    for (i, s) in slices.iter().enumerate() {
                        if s.reached {
                            self.record.insert(Hit::Slice(here, i));
                        }
                    }
                }
                Note::MatchArm { index, .. } => {
                    self.record.insert(Hit::Arm(here, index));
                }
                Note::ExceptionChosen { .. }
                | Note::Branch { .. }
                | Note::ShortCircuit
                | Note::Param { .. }
                | Note::Let { .. }
                | Note::Aggregate { .. } => {}
            }
        }
    }
}

/// Evaluate every rule on every record and count what each clause was reached by.
pub fn coverage(program: &Program, data: &Dataset, as_of: NaiveDate) -> Coverage {
    let ev = Evaluator::new(program, data, as_of);
    let mut counter = Counter::default();
    let mut scratch = Scratch::default();
    let mut statuses: HashMap<(usize, StatusKind), usize> = HashMap::new();
    let mut records: HashMap<usize, usize> = HashMap::new();
    for (e, table) in data.tables.iter().enumerate() {
        let entity = EntityId(e);
        for (index, record) in table.records.iter().enumerate() {
            for &rule in ev.rules_of(entity) {
                let traced =
                    ev.traced_outcome(&mut scratch, entity, index, record, rule, &mut counter);
                if let Some(outcome) = traced {
                    *statuses.entry((rule.0, outcome.status.kind())).or_insert(0) += 1;
                    *records.entry(rule.0).or_insert(0) += 1;
                }
            }
            counter.end_record();
        }
    }
    let sources = &program.sources;
    let item = |kind, text: String, span: Span, evaluated: Option<usize>, reached| Item {
        kind,
        text,
        location: sources.location(span),
        evaluated,
        reached,
    };
    let rules = program
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut items = Vec::new();
            let whens = |kind, body: &Body, items: &mut Vec<Item>| {
                for w in &body.whens {
                    let a = at(w.cond.span);
                    let evaluated = Some(counter.count(Hit::Evaluated(a)));
                    let held = counter.count(Hit::Held(a));
                    items.push(item(kind, w.text.clone(), w.cond.span, evaluated, held));
                }
            };
            whens(ItemKind::When, &r.body, &mut items);
            for x in &r.exceptions {
                let a = at(x.span);
                let evaluated = Some(counter.count(Hit::Evaluated(a)));
                let applied = counter.count(Hit::Held(a));
                items.push(item(
                    ItemKind::Exception,
                    x.name.clone(),
                    x.span,
                    evaluated,
                    applied,
                ));
                whens(ItemKind::ExceptionWhen, &x.body, &mut items);
            }
            for body in std::iter::once(&r.body).chain(r.exceptions.iter().map(|x| &x.body)) {
                for e in body.exprs() {
                    branches(program, &counter, e, &mut items);
                }
            }
            RuleCoverage {
                rule: r.name.clone(),
                entity: entity_name(program, r.entity),
                family: r.family,
                cite: r.body.cite.clone(),
                location: sources.location(r.span),
                records: records.get(&i).copied().unwrap_or(0),
                statuses: StatusKind::ALL
                    .iter()
                    .map(|&status| StatusCount {
                        status,
                        count: statuses.get(&(i, status)).copied().unwrap_or(0),
                    })
                    .collect(),
                items,
            }
        })
        .collect();
    let lets = program
        .lets
        .iter()
        .filter_map(|l| {
            let mut items = Vec::new();
            branches(program, &counter, &l.value, &mut items);
            (!items.is_empty()).then(|| LetCoverage {
                name: format!("{}.{}", entity_name(program, l.entity), l.name),
                location: sources.location(l.span),
                items,
            })
        })
        .collect();
    Coverage {
        policy: program.info.name.clone(),
        as_of: as_of.format("%Y-%m-%d").to_string(),
        rules,
        lets,
    }
}

fn entity_name(program: &Program, id: EntityId) -> String {
    program
        .entity(id)
        .map(|e| e.name.clone())
        .unwrap_or_default()
}

/// The tier rows, bracket slices and match arms under `e` (not inside aggregates),
/// with their counts.
fn branches(program: &Program, counter: &Counter, e: &Expr, items: &mut Vec<Item>) {
    let sources = &program.sources;
    e.walk_while(&mut |x| {
        let a = at(x.span);
        let mut push = |kind, text: String, span: Span, hit| {
            items.push(Item {
                kind,
                text,
                location: sources.location(span),
                evaluated: None,
                reached: counter.count(hit),
            });
        };
        match &x.kind {
            ExprKind::Aggregate { .. } => return false,
            ExprKind::Tier {
                rows, otherwise, ..
            } => {
                for (i, row) in rows.iter().enumerate() {
                    push(
                        ItemKind::TierRow,
                        row.text.clone(),
                        row.span,
                        Hit::Row(a, i),
                    );
                }
                let text = format!("else => {}", sources.snippet(otherwise.span));
                push(ItemKind::TierElse, text, otherwise.span, Hit::Else(a));
            }
            ExprKind::Brackets { rows, above, .. } => {
                for (i, row) in rows.iter().enumerate() {
                    push(
                        ItemKind::BracketSlice,
                        row.text.clone(),
                        row.span,
                        Hit::Slice(a, i),
                    );
                }
                if let Some(rate) = above {
                    let text = format!("above => {}", sources.snippet(rate.span));
                    push(
                        ItemKind::BracketSlice,
                        text,
                        rate.span,
                        Hit::Slice(a, rows.len()),
                    );
                }
            }
            ExprKind::Match {
                arms, otherwise, ..
            } => {
                for (i, arm) in arms.iter().enumerate() {
                    let text = collapse(sources.snippet(arm.span));
                    push(ItemKind::MatchArm, text, arm.span, Hit::Arm(a, Some(i)));
                }
                if let Some(o) = otherwise {
                    let text = format!("else => {}", collapse(sources.snippet(o.span)));
                    push(ItemKind::MatchElse, text, o.span, Hit::Arm(a, None));
                }
            }
            _ => {}
        }
        true
    });
}
