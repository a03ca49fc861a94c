//! Reports: outcomes → text, json, jsonl, csv, snapshot, xlsx; diffs of two policies;
//! explanations rendered as text or JSON.
//!
//! Consumes a checked [`Program`], the [`Dataset`] it was evaluated on, the
//! [`Outcome`]s of the evaluator, the as-of date and the rows the data loader skipped;
//! produces bytes on a [`Write`]. Every format is byte-deterministic: outcomes are
//! written in the order of SPEC §4 (entities in declaration order, records in input
//! order, rules in declaration order), whatever order they were given in, and no
//! format reads the clock, the environment or a hash map's order.
//!
//! Entry points: [`write_outcomes`] (`eval --format`), [`jsonl::write_outcome`] (one
//! jsonl line, for a streaming caller), [`diff::compute_diff`] then
//! [`diff::write_diff`] (`diff --format`), [`explain::write_explanation`] (`explain`).
//!
//! Amounts are exact everywhere: machine formats (json, jsonl, csv) write them in 元 as
//! plain decimals ([`crate::value::plain_decimal`]); human formats (text, snapshot) show 万元 via
//! [`show_num`], which converts without rounding.

pub mod coverage;
pub mod csv;
pub mod diff;
pub mod explain;
pub mod json;
pub mod jsonl;
pub mod snapshot;
pub mod testrun;
pub mod text;
mod width;
pub mod xlsx;

use crate::ast::Family;
use crate::data::Dataset;
use crate::eval::err::EvalError;
use crate::eval::{Outcome, Status};
use crate::lang::{Lang, Localize};
use crate::program::{NumHint, Program, StatusKind};
use crate::units::Dim;
use crate::value::{Text, show_num};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::Arc;

pub use width::{display_width, pad_left, pad_to};

/// An output format of `parkrules eval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Jsonl,
    Csv,
    Snapshot,
    /// An Excel workbook (binary: only to a file).
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Text,
        Format::Json,
        Format::Jsonl,
        Format::Csv,
        Format::Snapshot,
        Format::Xlsx,
    ];

    /// The name used on the command line (`--format jsonl`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Snapshot => "snapshot",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn from_name(s: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// A data row the loader skipped (`--skip-bad-records`), taken as plain data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The data file, as the loader names it.
    pub file: String,
    /// The row: its line in a CSV or JSONL file (a CSV header is line 1), its 0-based
    /// index in a JSON array.
    pub row: usize,
    /// Why it was skipped, as the loader says it.
    pub reason: String,
}

/// Everything an outcome report is made of.
#[derive(Clone, Copy, Debug)]
pub struct ReportInput<'a> {
    pub program: &'a Program,
    pub dataset: &'a Dataset,
    pub outcomes: &'a [Outcome],
    pub as_of: NaiveDate,
    pub skipped: &'a [Skipped],
}

/// Write the outcomes of one evaluation in one format.
/// Output is buffered here: callers may pass an unbuffered stdout or file.
pub fn write_outcomes(w: &mut dyn Write, fmt: Format, ctx: &ReportInput) -> io::Result<()> {
    write_outcomes_in(w, fmt, ctx, Lang::En)
}

/// [`write_outcomes`] with the text format in a language; the machine formats (json,
/// jsonl, csv, snapshot) are the same in every language.
pub fn write_outcomes_in(
    w: &mut dyn Write,
    fmt: Format,
    ctx: &ReportInput,
    lang: Lang,
) -> io::Result<()> {
    let mut buf = io::BufWriter::new(w);
    let w: &mut dyn Write = &mut buf;
    match fmt {
        Format::Text => text::write_in(w, ctx, lang),
        Format::Json => json::write(w, ctx),
        Format::Jsonl => jsonl::write(w, ctx),
        Format::Csv => csv::write(w, ctx),
        Format::Snapshot => snapshot::write(w, ctx),
        Format::Xlsx => xlsx::write(w, ctx),
    }?;
    buf.flush()
}

/// One outcome with every name resolved: what each format writes.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeView {
    /// The names and texts of the program are shared strings: a large diff holds
    /// millions of views ([`OutcomeView::named`] shares them between views).
    pub entity: Arc<str>,
    /// The key of the record it names.
    pub key: Text,
    pub rule: Arc<str>,
    pub family: Option<Family>,
    pub status: StatusKind,
    /// In 元, for `amount`.
    pub amount: Option<Decimal>,
    /// The cite of what decided: the exception's when one replaced the rule.
    pub cite: Option<Arc<str>>,
    pub exception: Option<Arc<str>>,
    /// For `violation`.
    pub message: Option<String>,
    /// For `not_applicable`: the first failing `when` as written.
    pub failed_when: Option<Arc<str>>,
    /// For `error`: the message in English (the machine formats' `error` field) and
    /// `file:line:col` in the policy.
    pub error: Option<String>,
    pub location: Option<String>,
    /// For `error`: the error itself, for the human formats to word in their language
    /// ([`OutcomeView::error_in`]).
    pub eval_error: Option<Box<EvalError>>,
}

impl OutcomeView {
    /// Resolve an outcome's names against the program and dataset it came from. A
    /// dangling index (never produced by the evaluator) shows as `#index`, so nothing
    /// is dropped silently.
    ///
    /// For one view; for many, make the [`Names`] once and use [`OutcomeView::named`].
    pub fn new(program: &Program, dataset: &Dataset, o: &Outcome) -> OutcomeView {
        Self::named(&Names::of(program), program, dataset, o)
    }

    /// [`OutcomeView::new`] with the program's names taken from `names` (made once
    /// for the program by [`Names::of`]), so views share them.
    pub fn named(names: &Names, program: &Program, dataset: &Dataset, o: &Outcome) -> OutcomeView {
        let key = dataset
            .table(o.entity)
            .and_then(|t| t.records.get(o.record))
            .map_or_else(|| Text::from(format!("#{}", o.record)), |r| r.key.clone());
        Self::keyed(names, program, key, o)
    }

    /// [`OutcomeView::named`] of the outcome of a record whose key is given (a record
    /// streamed from its file, not in a dataset).
    pub fn keyed(names: &Names, program: &Program, key: Text, o: &Outcome) -> OutcomeView {
        let entity = names
            .entities
            .get(o.entity.0)
            .cloned()
            .unwrap_or_else(|| Arc::from(format!("#{}", o.entity.0)));
        let rule = names.rules.get(o.rule.0);
        let exception = rule.and_then(|r| o.exception.and_then(|i| r.exceptions.get(i)));
        let mut view = OutcomeView {
            entity,
            key,
            rule: rule.map_or_else(|| Arc::from(format!("#{}", o.rule.0)), |r| r.name.clone()),
            family: program.rule(o.rule).map(|r| r.family),
            status: o.status.kind(),
            amount: None,
            cite: None,
            exception: exception.map(|(name, _)| name.clone()),
            message: None,
            failed_when: None,
            error: None,
            location: None,
            eval_error: None,
        };
        match &o.status {
            Status::Amount(d) => {
                view.amount = Some(*d);
                view.cite = exception
                    .and_then(|(_, cite)| cite.clone())
                    .or_else(|| rule.and_then(|r| r.cite.clone()));
            }
            Status::NotApplicable { when } => {
                view.failed_when = rule
                    .and_then(|r| r.whens.get(*when))
                    .cloned()
                    .or_else(|| Some(Arc::from(format!("#{when}"))));
            }
            Status::Pass => {}
            Status::Violation { message } => view.message = Some(message.clone()),
            Status::Error(err) => {
                view.error = Some(err.to_string());
                view.location = Some(program.sources.location(err.span()));
                view.eval_error = Some(err.clone());
            }
        }
        view
    }

    /// The error's message in a language (empty unless the outcome is an error).
    pub fn error_in(&self, lang: Lang) -> Cow<'_, str> {
        match (lang, &self.eval_error) {
            (Lang::Zh, Some(e)) => e.zh(),
            _ => Cow::Borrowed(self.error.as_deref().unwrap_or_default()),
        }
    }

    pub fn family_name(&self) -> &'static str {
        self.family.map_or("", Family::name)
    }
}

/// A program's names and texts (entities, rules, cites, exceptions, `when`s) as
/// shared strings, for [`OutcomeView::named`].
pub struct Names {
    entities: Vec<Arc<str>>,
    rules: Vec<RuleNames>,
}

struct RuleNames {
    name: Arc<str>,
    cite: Option<Arc<str>>,
    whens: Vec<Arc<str>>,
    /// Per exception: its name and cite.
    exceptions: Vec<(Arc<str>, Option<Arc<str>>)>,
}

impl Names {
    /// Every name of the program.
    pub fn of(program: &Program) -> Names {
        Names {
            entities: program
                .entities
                .iter()
                .map(|e| Arc::from(e.name.as_str()))
                .collect(),
            rules: program.rules.iter().map(RuleNames::of).collect(),
        }
    }
}

impl RuleNames {
    fn of(rule: &crate::program::RuleDef) -> RuleNames {
        let shared = |s: &str| Arc::from(s);
        RuleNames {
            name: shared(&rule.name),
            cite: rule.body.cite.as_deref().map(shared),
            whens: rule.body.whens.iter().map(|w| shared(&w.text)).collect(),
            exceptions: rule
                .exceptions
                .iter()
                .map(|x| (shared(&x.name), x.body.cite.as_deref().map(shared)))
                .collect(),
        }
    }
}

/// The outcomes in report order (entity, record, rule), without copying them.
pub fn ordered(outcomes: &[Outcome]) -> Vec<&Outcome> {
    let mut v: Vec<&Outcome> = outcomes.iter().collect();
    v.sort_by_key(|o| (o.entity, o.record, o.rule));
    v
}

/// Money in 万元, exact (`500万元`, `1.2345万元`).
pub fn wan(d: Decimal) -> String {
    show_num(d, Dim::MONEY, NumHint::Number)
}

/// Per rule, in declaration order: how many outcomes of each status and the money.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTotal {
    pub rule: String,
    pub entity: String,
    pub family: Family,
    /// Indexed like [`StatusKind::ALL`].
    pub counts: [usize; 5],
    /// Sum of `amount` outcomes, in 元 (`None` on overflow).
    pub money: Option<Decimal>,
}

impl RuleTotal {
    pub fn count(&self, kind: StatusKind) -> usize {
        status_index(kind)
            .and_then(|i| self.counts.get(i))
            .copied()
            .unwrap_or(0)
    }
}

/// Position of a status in [`StatusKind::ALL`].
pub fn status_index(kind: StatusKind) -> Option<usize> {
    StatusKind::ALL.iter().position(|k| *k == kind)
}

/// Totals per rule of the program, in declaration order (rules with no outcome too).
pub fn rule_totals(program: &Program, outcomes: &[Outcome]) -> Vec<RuleTotal> {
    let mut totals: Vec<RuleTotal> = program
        .rules
        .iter()
        .map(|r| RuleTotal {
            rule: r.name.clone(),
            entity: program
                .entity(r.entity)
                .map_or_else(String::new, |e| e.name.clone()),
            family: r.family,
            counts: [0; 5],
            money: Some(Decimal::ZERO),
        })
        .collect();
    for o in outcomes {
        count_outcome(&mut totals, o);
    }
    totals
}

/// Count one outcome into the [`rule_totals`] of its program.
pub fn count_outcome(totals: &mut [RuleTotal], o: &Outcome) {
    let Some(t) = totals.get_mut(o.rule.0) else {
        return;
    };
    if let Some(c) = status_index(o.status.kind()).and_then(|i| t.counts.get_mut(i)) {
        *c += 1;
    }
    if let Some(d) = o.status.amount() {
        t.money = t.money.and_then(|m| m.checked_add(d));
    }
}

/// Totals per family (in [`Family::ALL`] order, only families with rules).
/// The money of the amount families (subsidy + reward) of family totals; `None` on
/// overflow.
pub fn budget_total(families: &[RuleTotal]) -> Option<Decimal> {
    families
        .iter()
        .filter(|f| is_amount_family(f.family))
        .try_fold(Decimal::ZERO, |acc, f| {
            f.money.and_then(|m| acc.checked_add(m))
        })
}

pub fn family_totals(rules: &[RuleTotal]) -> Vec<RuleTotal> {
    Family::ALL
        .into_iter()
        .filter_map(|f| {
            let mut acc = RuleTotal {
                rule: f.name().to_string(),
                entity: String::new(),
                family: f,
                counts: [0; 5],
                money: Some(Decimal::ZERO),
            };
            let mut any = false;
            for r in rules.iter().filter(|r| r.family == f) {
                any = true;
                for (a, b) in acc.counts.iter_mut().zip(r.counts) {
                    *a += b;
                }
                acc.money = match (acc.money, r.money) {
                    (Some(a), Some(b)) => a.checked_add(b),
                    _ => None,
                };
            }
            any.then_some(acc)
        })
        .collect()
}

/// Whether a family produces money (`subsidy`, `reward`).
pub fn is_amount_family(f: Family) -> bool {
    matches!(f, Family::Subsidy | Family::Reward)
}

/// The policy line every human format starts with.
pub fn title(program: &Program, as_of: NaiveDate) -> String {
    title_in(program, as_of, Lang::En)
}

/// [`title`] in a language (`… 版本 2021，基准日 2022-01-01`).
pub fn title_in(program: &Program, as_of: NaiveDate, lang: Lang) -> String {
    if lang == Lang::Zh {
        let version = program
            .info
            .version
            .as_deref()
            .map_or_else(String::new, |v| format!(" 版本 {v}"));
        let date = as_of.format("%Y-%m-%d");
        return format!("{}{version}，基准日 {date}", program.info.name);
    }
    let version = program
        .info
        .version
        .as_deref()
        .map_or_else(String::new, |v| format!(" version {v}"));
    format!(
        "{}{version}, as of {}",
        program.info.name,
        as_of.format("%Y-%m-%d")
    )
}
