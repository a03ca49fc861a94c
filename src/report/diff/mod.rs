//! Diffs of two policies on the same records: who gains, who loses, what it costs,
//! which records newly break a limit, and why.
//!
//! Consumes two [`Side`]s (program, dataset, outcomes, as-of) — the programs may differ
//! in rules and even in entity fields, so outcomes are aligned by (entity name, record
//! key, rule name) — and the `--by` field paths; produces a [`Diff`], plain data that
//! the renderers ([`text`], [`markdown`], [`json`], [`html`], [`xlsx`]) turn into bytes.
//!
//! What counts as a changed record: the status differs, or the amount, the exception
//! that applied, the violation message or the error differs. A rule absent on one side
//! counts as `not_applicable` there, and so does a `pass` of a rule that exists on one
//! side only (an added check is news where it is violated, not where it passes); a
//! different failing `when` between two `not_applicable` outcomes is not a change
//! (nothing is paid or violated either way).
//!
//! Causes ([`Cause`]) come from comparing the two rule definitions (the IR, whose
//! equality ignores spans), the params and lets the rule reads (values in force at each
//! side's as-of), and per record the exception and failing `when` before and after.

pub mod align;
pub mod build;
pub mod by;
pub mod causes;
pub mod doc;
pub mod html;
pub mod json;
pub mod markdown;
pub mod render;
pub mod text;
pub mod xlsx;

use crate::ast::Family;
use crate::data::Dataset;
use crate::eval::Outcome;
use crate::program::{Program, StatusKind};
use crate::report::{OutcomeView, RuleTotal, is_amount_family, status_index};
use crate::value::Text;
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use std::sync::Arc;

pub use align::{OrderKey, Pair};
pub use build::{Builder, Evaluators, RecordAt};
pub use causes::{Cause, DefChange};

/// One side of a diff: a policy evaluated on the records.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    pub program: &'a Program,
    pub dataset: &'a Dataset,
    pub outcomes: &'a [Outcome],
    pub as_of: NaiveDate,
}

/// The impact of the revised policy against the base on the same records.
#[derive(Clone, Debug, PartialEq)]
pub struct Diff {
    pub base: PolicyRef,
    pub revised: PolicyRef,
    /// Money of the amount families (`subsidy` + `reward`), in 元.
    pub budget: Money,
    pub families: Vec<FamilyDelta>,
    /// Rules of the revised policy in its order, then the removed ones in base order.
    pub rules: Vec<RuleDelta>,
    /// Outcome counts per status, every status.
    pub statuses: Vec<StatusDelta>,
    /// One per `--by` field path, in the order given.
    pub breakdowns: Vec<Breakdown>,
    /// Changed outcomes, in report order of the revised policy (removed rules last).
    pub changes: Vec<RecordChange>,
    /// Indices into `changes` of outcomes that are a violation now and were not before.
    pub new_violations: Vec<usize>,
    /// Indices into `changes` of outcomes that were a violation and are not now.
    pub resolved_violations: Vec<usize>,
}

/// A policy's name, version and the date it was evaluated at.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyRef {
    pub name: String,
    pub version: Option<String>,
    pub as_of: NaiveDate,
}

/// A sum of money before and after, in 元. `None` on a side means it overflowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Money {
    pub base: Decimal,
    pub revised: Decimal,
    /// A sum overflowed: `base`/`revised` are then incomplete and shown as `overflow`.
    pub overflow: bool,
}

impl Money {
    /// Revised minus base (`None` on overflow).
    pub fn change(&self) -> Option<Decimal> {
        self.revised.checked_sub(self.base)
    }

    /// The change as a percentage of the base, rounded half away from zero to 2
    /// decimals; `None` when the base is zero (a new cost: shown as "new").
    pub fn percent(&self) -> Option<Decimal> {
        if self.base.is_zero() {
            return None;
        }
        let pct = self
            .change()?
            .checked_mul(Decimal::ONE_HUNDRED)?
            .checked_div(self.base)?;
        Some(pct.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
    }

    /// Add amounts to each side (`None`: nothing to add).
    fn add(&mut self, base: Option<Decimal>, revised: Option<Decimal>) {
        if let Some(b) = base {
            match self.base.checked_add(b) {
                Some(x) => self.base = x,
                None => self.overflow = true,
            }
        }
        if let Some(r) = revised {
            match self.revised.checked_add(r) {
                Some(x) => self.revised = x,
                None => self.overflow = true,
            }
        }
    }

    /// Add another sum, carrying its overflow.
    fn add_money(&mut self, other: &Money) {
        self.add(Some(other.base), Some(other.revised));
        self.overflow |= other.overflow;
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FamilyDelta {
    pub family: Family,
    /// For amount families.
    pub money: Option<Money>,
    /// Violations before and after (check families; zero for amount families).
    pub violations: (usize, usize),
}

/// Whether a rule is on both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Both,
    Added,
    Removed,
}

impl Presence {
    pub fn name(self) -> &'static str {
        match self {
            Presence::Both => "both",
            Presence::Added => "added",
            Presence::Removed => "removed",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleDelta {
    pub name: String,
    pub entity: String,
    pub family: Family,
    pub presence: Presence,
    /// The cite of the revised rule (the base's when removed).
    pub cite: Option<String>,
    /// Rule-level causes: definition changed, params and lets that differ, added/removed.
    pub causes: Vec<Cause>,
    pub money: Money,
    /// Counts per status, indexed like [`StatusKind::ALL`].
    pub base_counts: [usize; 5],
    pub revised_counts: [usize; 5],
    /// How many of its outcomes changed.
    pub changed: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusDelta {
    pub status: StatusKind,
    pub base: usize,
    pub revised: usize,
}

/// Money and changes grouped by the value of one field path.
#[derive(Clone, Debug, PartialEq)]
pub struct Breakdown {
    /// The path as given (`镇街道`, `园区.镇街道`).
    pub field: String,
    /// Sorted by value.
    pub rows: Vec<BreakdownRow>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BreakdownRow {
    /// The field's value shown (`新埭镇`); `(none)` when a record has no such field.
    pub value: String,
    pub money: Money,
    /// Changed outcomes of records in this group.
    pub changed: usize,
    pub new_violations: usize,
}

/// One outcome that differs between the sides.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordChange {
    /// Shared with the views (and, by [`OutcomeView::named`], with every other change).
    pub entity: Arc<str>,
    pub key: Text,
    pub rule: Arc<str>,
    pub family: Family,
    /// `None`: the rule does not exist on that side.
    /// Boxed: a million changes move as the list of them grows, and each view is
    /// large.
    pub before: Option<Box<OutcomeView>>,
    pub after: Option<Box<OutcomeView>>,
    /// Money after minus before (amount families; a missing amount counts as 0).
    pub change: Option<Decimal>,
    /// Record-level causes first, then the rule's. Shared by the changes whose
    /// outcomes have the same shape (see `Explainer`): a million changes hold a few
    /// lists.
    pub causes: Arc<[Cause]>,
}

/// Compare two evaluations. `by` holds field paths to break the money down by.
pub fn compute_diff(base: &Side, revised: &Side, by: &[String]) -> Diff {
    let pairs = align::align(base, revised);
    let mut builder = Builder::new(*base, *revised, by, Evaluators::Lazy(None));
    // Room for every pair that may be a change, counted cheaply first: the list of a
    // million changes is not moved as it grows, nor left with unused room.
    let candidates = pairs
        .iter()
        .filter(|(_, pair)| !builder.unchanged(pair))
        .count();
    builder.reserve(candidates);
    // The outcomes of one record come together (same entity and record rank).
    let mut group: Vec<Pair> = Vec::new();
    let mut rest = pairs.iter().peekable();
    while let Some((key, pair)) = rest.next() {
        group.push(*pair);
        if rest
            .peek()
            .is_some_and(|(next, _)| next.0 == key.0 && next.1 == key.1)
        {
            continue;
        }
        let at = [(0, base), (1, revised)].map(|(s, side)| {
            let o = group.iter().find_map(|p| p.get(s).copied().flatten())?;
            let record = side.dataset.table(o.entity)?.records.get(o.record)?;
            Some(RecordAt {
                entity: o.entity,
                index: o.record,
                record,
            })
        });
        builder.record(at, &group);
        group.clear();
    }
    builder.finish()
}

fn policy_ref(side: &Side) -> PolicyRef {
    PolicyRef {
        name: side.program.info.name.clone(),
        version: side.program.info.version.clone(),
        as_of: side.as_of,
    }
}

/// Rule deltas: the revised rules in order, then the removed ones.
fn rule_deltas(base: &Side, revised: &Side, totals: &[Vec<RuleTotal>; 2]) -> Vec<RuleDelta> {
    let mut out = Vec::new();
    for (i, r) in revised.program.rules.iter().enumerate() {
        let b = base.program.rule_by_name(&r.name);
        let bt = b.and_then(|b| totals[0].get(b.0));
        let rt = totals[1].get(i);
        out.push(rule_delta(base, revised, &r.name, bt, rt));
    }
    for (i, r) in base.program.rules.iter().enumerate() {
        if revised.program.rule_by_name(&r.name).is_none() {
            out.push(rule_delta(base, revised, &r.name, totals[0].get(i), None));
        }
    }
    out
}

fn rule_delta(
    base: &Side,
    revised: &Side,
    name: &str,
    bt: Option<&RuleTotal>,
    rt: Option<&RuleTotal>,
) -> RuleDelta {
    let bdef = base
        .program
        .rule_by_name(name)
        .and_then(|i| base.program.rule(i));
    let rdef = revised
        .program
        .rule_by_name(name)
        .and_then(|i| revised.program.rule(i));
    let presence = match (bdef.is_some(), rdef.is_some()) {
        (true, false) => Presence::Removed,
        (false, true) => Presence::Added,
        _ => Presence::Both,
    };
    let any = rt.or(bt);
    let mut money = Money::default();
    money.add(bt.and_then(|t| t.money), rt.and_then(|t| t.money));
    // A rule present on a side whose total overflowed.
    money.overflow = [bt, rt].iter().flatten().any(|t| t.money.is_none());
    RuleDelta {
        name: name.to_string(),
        entity: any.map(|t| t.entity.clone()).unwrap_or_default(),
        family: any.map_or(Family::Subsidy, |t| t.family),
        presence,
        cite: rdef.or(bdef).and_then(|r| r.body.cite.clone()),
        causes: causes::rule_causes(base, revised, name),
        money,
        base_counts: bt.map(|t| t.counts).unwrap_or_default(),
        revised_counts: rt.map(|t| t.counts).unwrap_or_default(),
        changed: 0,
    }
}

fn budget(rules: &[RuleDelta]) -> Money {
    let mut m = Money::default();
    for r in rules.iter().filter(|r| is_amount_family(r.family)) {
        m.add_money(&r.money);
    }
    m
}

fn family_deltas(rules: &[RuleDelta]) -> Vec<FamilyDelta> {
    let vi = status_index(StatusKind::Violation).unwrap_or(3);
    Family::ALL
        .into_iter()
        .filter(|f| rules.iter().any(|r| r.family == *f))
        .map(|f| {
            let mut money = Money::default();
            let mut violations = (0, 0);
            for r in rules.iter().filter(|r| r.family == f) {
                money.add_money(&r.money);
                violations.0 += r.base_counts.get(vi).copied().unwrap_or(0);
                violations.1 += r.revised_counts.get(vi).copied().unwrap_or(0);
            }
            FamilyDelta {
                family: f,
                money: is_amount_family(f).then_some(money),
                violations,
            }
        })
        .collect()
}

fn status_deltas(totals: &[Vec<RuleTotal>; 2]) -> Vec<StatusDelta> {
    StatusKind::ALL
        .into_iter()
        .map(|k| StatusDelta {
            status: k,
            base: totals[0].iter().map(|t| t.count(k)).sum(),
            revised: totals[1].iter().map(|t| t.count(k)).sum(),
        })
        .collect()
}

/// An output format of `parkrules diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
    Html,
    /// An Excel workbook (binary: only to a file).
    Xlsx,
}

impl DiffFormat {
    pub const ALL: [DiffFormat; 5] = [
        DiffFormat::Text,
        DiffFormat::Markdown,
        DiffFormat::Json,
        DiffFormat::Html,
        DiffFormat::Xlsx,
    ];

    /// The name used on the command line (`--format markdown`).
    pub fn name(self) -> &'static str {
        match self {
            DiffFormat::Text => "text",
            DiffFormat::Markdown => "markdown",
            DiffFormat::Json => "json",
            DiffFormat::Html => "html",
            DiffFormat::Xlsx => "xlsx",
        }
    }

    pub fn from_name(s: &str) -> Option<DiffFormat> {
        DiffFormat::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// Write a diff in one format.
/// Output is buffered here: callers may pass an unbuffered stdout or file.
pub fn write_diff(w: &mut dyn std::io::Write, fmt: DiffFormat, d: &Diff) -> std::io::Result<()> {
    write_diff_in(w, fmt, d, crate::lang::Lang::En)
}

/// [`write_diff`] with the human formats (text, markdown, html) in a language; json is
/// the same in every language.
pub fn write_diff_in(
    w: &mut dyn std::io::Write,
    fmt: DiffFormat,
    d: &Diff,
    lang: crate::lang::Lang,
) -> std::io::Result<()> {
    use std::io::Write;
    if matches!(fmt, DiffFormat::Json) {
        // Buffered by the serialiser's own writer: a second buffer would only copy.
        return json::write(w, d);
    }
    let mut buf = std::io::BufWriter::new(w);
    let w: &mut dyn Write = &mut buf;
    match fmt {
        DiffFormat::Text => text::write_in(w, d, lang),
        DiffFormat::Markdown => markdown::write_in(w, d, lang),
        DiffFormat::Json => json::write(w, d),
        DiffFormat::Html => html::write_in(w, d, lang),
        DiffFormat::Xlsx => xlsx::write(w, d),
    }?;
    buf.flush()
}
