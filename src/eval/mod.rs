//! Evaluation: a checked [`Program`] on loaded records.
//!
//! Consumes a program, a [`Dataset`] and an as-of date; produces one [`Outcome`] per
//! rule per record, in output order (entities in declaration order, records in input
//! order, rules in declaration order). An [`Evaluator`] is built once per (program,
//! data, as-of): it resolves the params in force, indexes the child records of every
//! aggregate and then evaluates records one at a time, so a caller can stream records
//! that are not in the dataset. The same evaluator, with a recording tracer, builds
//! the explanation trees of [`explain`]; [`testrun`] runs a policy's `test` blocks.
//!
//! Semantics (SPEC §3): exact decimals with checked operations, an error on one
//! record and rule never stops the others; `let`s are evaluated lazily, once per
//! record; `and`/`or` short-circuit.

mod aggregate;
mod arith;
pub mod coverage;
pub mod err;
pub mod explain;
mod expr;
mod feed;
mod forms;
pub mod outcome;
mod params;
mod rule;
pub mod testrun;
mod trace;

pub use coverage::{Coverage, coverage};
pub use err::EvalError;
pub use explain::{Explanation, explain};
pub(crate) use feed::FedAgg;
pub use outcome::{Outcome, Status};
pub use testrun::{TestResult, run_tests};
pub use trace::Reads;

use crate::data::{Dataset, Record};
use crate::parallel;
use crate::program::{EntityId, Expr, LetId, Program, RuleId, Ty};
use crate::progress::{Observer, Quiet};
use crate::units::Unit;
use crate::value::{self, Value};
use aggregate::AggIndex;
use arith::R;
use chrono::NaiveDate;
use params::ParamSlot;
use std::sync::OnceLock;
use trace::{NoTrace, Tracer};

/// Evaluate every rule on every record of `data`, at `as_of`. Large datasets are
/// evaluated on every core, in chunks of records; the outcomes come back in output
/// order all the same.
pub fn evaluate(program: &Program, data: &Dataset, as_of: NaiveDate) -> Vec<Outcome> {
    evaluate_observed(program, data, as_of, &Quiet)
}

/// [`evaluate`], telling `observer` how many records are done as it goes.
pub fn evaluate_observed(
    program: &Program,
    data: &Dataset,
    as_of: NaiveDate,
    observer: &dyn Observer,
) -> Vec<Outcome> {
    let ev = Evaluator::new(program, data, as_of);
    let chunks: Vec<Chunk<'_>> = (0..program.entities.len())
        .map(EntityId)
        .flat_map(|entity| {
            let records = data.table(entity).map_or(&[][..], |t| t.records.as_slice());
            records
                .chunks(CHUNK)
                .enumerate()
                .map(move |(n, records)| Chunk {
                    entity,
                    first: n.saturating_mul(CHUNK),
                    records,
                })
        })
        .collect();
    let records = chunks.iter().map(|c| c.records.len() as u64).sum();
    observer.phase("evaluating", Some(records));
    let results = parallel::map_in_order(&chunks, |c| {
        let out = ev.chunk_outcomes(c);
        observer.advance(c.records.len() as u64);
        out
    });
    let total = results.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total);
    for r in results {
        out.extend(r);
    }
    out
}

/// Records evaluated together, on one thread.
const CHUNK: usize = 4096;

/// A run of consecutive records of one entity.
struct Chunk<'d> {
    entity: EntityId,
    /// The index of the first record in its entity's input.
    first: usize,
    records: &'d [Record],
}

impl Evaluator<'_> {
    fn chunk_outcomes(&self, c: &Chunk<'_>) -> Vec<Outcome> {
        let rules = self.rules_of(c.entity).len();
        let mut out = Vec::with_capacity(c.records.len().saturating_mul(rules));
        let mut scratch = Scratch::default();
        for (i, record) in c.records.iter().enumerate() {
            let index = c.first.saturating_add(i);
            self.record_outcomes_in(&mut scratch, c.entity, index, record, &mut out);
        }
        out
    }
}

/// A program ready to evaluate records at one as-of date.
///
/// Records are read from the dataset when followed by reference or aggregated; the
/// records evaluated may come from it or be streamed by the caller (then `index` must
/// be the record's position in its entity's input, which aggregates over it rely on).
pub struct Evaluator<'a> {
    program: &'a Program,
    data: &'a Dataset,
    as_of: NaiveDate,
    /// Each param's value in force, resolved on first read.
    params: Vec<OnceLock<ParamSlot>>,
    /// Each param's value as a message shows it, made on first use: the same in every
    /// record's message (`不低于 {腾退企业亩均税收}`).
    params_shown: Vec<OnceLock<R<String>>>,
    aggs: AggIndex,
    /// Every aggregate expression of the program.
    agg_exprs: Vec<&'a Expr>,
    /// Aggregates over entities whose records were fed rather than kept.
    fed: Vec<feed::FedAgg<'a>>,
    /// For `let`s read through a reference (`园区.规上企业数` from an 企业), one cell
    /// per record of the let's entity, so a park's value is computed once.
    shared: Vec<Option<Vec<OnceLock<R<Value>>>>>,
    rules_by_entity: Vec<Vec<RuleId>>,
}

/// Reusable per-record working memory (the `let` values of the current record).
#[derive(Default)]
pub struct Scratch {
    memo: Memo,
}

impl<'a> Evaluator<'a> {
    pub fn new(program: &'a Program, data: &'a Dataset, as_of: NaiveDate) -> Self {
        let mut rules_by_entity = vec![Vec::new(); program.entities.len()];
        for (i, r) in program.rules.iter().enumerate() {
            if let Some(list) = rules_by_entity.get_mut(r.entity.0) {
                list.push(RuleId(i));
            }
        }
        Evaluator {
            program,
            data,
            as_of,
            params: program.params.iter().map(|_| OnceLock::new()).collect(),
            params_shown: program.params.iter().map(|_| OnceLock::new()).collect(),
            aggs: AggIndex::build(program, data),
            agg_exprs: program.aggregate_exprs(),
            fed: Vec::new(),
            shared: shared_lets(program, data),
            rules_by_entity,
        }
    }

    pub fn program(&self) -> &'a Program {
        self.program
    }

    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The rules evaluated on records of `entity`, in declaration order.
    pub fn rules_of(&self, entity: EntityId) -> &[RuleId] {
        self.rules_by_entity
            .get(entity.0)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Append the outcomes of every rule of `entity` on one record.
    pub fn record_outcomes(
        &self,
        entity: EntityId,
        index: usize,
        record: &Record,
        out: &mut Vec<Outcome>,
    ) {
        self.record_outcomes_in(&mut Scratch::default(), entity, index, record, out);
    }

    /// [`Evaluator::record_outcomes`] reusing the caller's scratch memory.
    pub fn record_outcomes_in(
        &self,
        scratch: &mut Scratch,
        entity: EntityId,
        index: usize,
        record: &Record,
        out: &mut Vec<Outcome>,
    ) {
        scratch.memo.clear();
        let mut frame = Frame {
            rec: Some(Rec {
                entity,
                index,
                record,
            }),
            memo: &mut scratch.memo,
        };
        for &rule in self.rules_of(entity) {
            if let Some(def) = self.program.rule(rule) {
                let (status, exception) = self.rule_status(def, &mut frame, &mut NoTrace);
                out.push(Outcome {
                    entity,
                    record: index,
                    rule,
                    status,
                    exception,
                });
            }
        }
    }

    /// One rule on one record (`None` when the rule does not exist).
    pub fn rule_outcome(
        &self,
        scratch: &mut Scratch,
        entity: EntityId,
        index: usize,
        record: &Record,
        rule: RuleId,
    ) -> Option<Outcome> {
        self.traced_outcome(scratch, entity, index, record, rule, &mut NoTrace)
    }

    /// One rule on one record, recording the evaluation with `tracer`.
    fn traced_outcome<T: Tracer>(
        &self,
        scratch: &mut Scratch,
        entity: EntityId,
        index: usize,
        record: &Record,
        rule: RuleId,
        tracer: &mut T,
    ) -> Option<Outcome> {
        let def = self.program.rule(rule)?;
        scratch.memo.clear();
        let mut frame = Frame {
            rec: Some(Rec {
                entity,
                index,
                record,
            }),
            memo: &mut scratch.memo,
        };
        let (status, exception) = self.rule_status(def, &mut frame, tracer);
        Some(Outcome {
            entity,
            record: index,
            rule,
            status,
            exception,
        })
    }

    /// A value shown for a person; references show the key of the record they name.
    pub fn show(&self, v: &Value, ty: &Ty) -> String {
        match (v, ty) {
            (Value::Ref(i), Ty::Entity(e)) => self
                .record_at(*e, *i)
                .map(|r| r.key.to_string())
                .unwrap_or_else(|| value::show(v, ty, self.program)),
            _ => value::show(v, ty, self.program),
        }
    }

    /// A value shown in a given unit when it is a number (a field's own unit), else as
    /// [`Evaluator::show`] shows it.
    pub fn show_in(&self, v: &Value, ty: &Ty, unit: Option<&Unit>) -> String {
        let shown = match (v, unit) {
            (Value::Num(d), Some(u)) => u
                .from_base(*d)
                .map(|x| format!("{}{}", value::plain_decimal(x), u.name)),
            _ => None,
        };
        shown.unwrap_or_else(|| self.show(v, ty))
    }

    fn record_at(&self, entity: EntityId, index: usize) -> Option<&'a Record> {
        self.data.table(entity)?.records.get(index)
    }
}

/// Which lets are read through a reference, and one cache cell per record for them.
fn shared_lets(program: &Program, data: &Dataset) -> Vec<Option<Vec<OnceLock<R<Value>>>>> {
    let mut read_remotely = vec![false; program.lets.len()];
    program.each_expr(&mut |e| {
        if let crate::program::ExprKind::Member {
            member: crate::program::Member::Let(id),
            ..
        } = &e.kind
            && let Some(flag) = read_remotely.get_mut(id.0)
        {
            *flag = true;
        }
    });
    program
        .lets
        .iter()
        .zip(read_remotely)
        .map(|(def, remote)| {
            let n = data.table(def.entity).map_or(0, |t| t.records.len());
            remote.then(|| (0..n).map(|_| OnceLock::new()).collect())
        })
        .collect()
}

/// The record being evaluated.
#[derive(Clone, Copy)]
pub(crate) struct Rec<'r> {
    pub entity: EntityId,
    pub index: usize,
    pub record: &'r Record,
}

/// The context of an evaluation: the current record (none for params) and the memo
/// of its `let`s.
pub(crate) struct Frame<'r, 'm> {
    pub rec: Option<Rec<'r>>,
    pub memo: &'m mut Memo,
}

/// The `let` values computed so far for one record, by [`LetId`].
#[derive(Default)]
pub(crate) struct Memo {
    slots: Vec<Option<R<Value>>>,
}

impl Memo {
    fn clear(&mut self) {
        self.slots.clear();
    }

    fn get(&self, id: LetId) -> Option<&R<Value>> {
        self.slots.get(id.0).and_then(Option::as_ref)
    }

    fn set(&mut self, id: LetId, value: R<Value>) {
        if self.slots.len() <= id.0 {
            self.slots.resize_with(id.0 + 1, || None);
        }
        if let Some(slot) = self.slots.get_mut(id.0) {
            *slot = Some(value);
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]
mod fixture;
#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::expect_used
)]
mod tests;
