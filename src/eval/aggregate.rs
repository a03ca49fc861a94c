//! Aggregates: `count/sum/min/max/avg(F.x where c via r)` over the child records that
//! refer to the current record.
//!
//! Consumes the program (to find every (child entity, via field) pair aggregated) and
//! the dataset; builds once, per pair, an index from each parent record to its
//! children (compressed: one offsets array and one children array). Evaluating an
//! aggregate then walks only the current record's children. `count`/`sum` of no record
//! are 0; `min`/`max`/`avg` of none are an `EmptyAggregate` error.

use crate::data::Dataset;
use crate::eval::arith::{self, R, internal};
use crate::eval::err::EvalError;
use crate::eval::explain::{AggRecord, Note};
use crate::eval::trace::{NoTrace, Tracer};
use crate::eval::{Evaluator, Frame, Memo, Rec};
use crate::program::{AggFunc, EntityId, Expr, ExprKind, FieldId, Program, Ty};
use crate::value::Value;
use rust_decimal::Decimal;
use std::cmp::Ordering;

/// Children of every parent record, for each (child entity, via field) aggregated.
#[derive(Default)]
pub(crate) struct AggIndex {
    entries: Vec<ChildIndex>,
}

struct ChildIndex {
    child: EntityId,
    via: FieldId,
    /// `children[offsets[p]..offsets[p + 1]]` are the children of parent record `p`.
    offsets: Vec<usize>,
    children: Vec<usize>,
}

impl AggIndex {
    pub fn build(program: &Program, data: &Dataset) -> AggIndex {
        let mut pairs: Vec<(EntityId, FieldId)> = Vec::new();
        program.each_expr(&mut |e| {
            if let ExprKind::Aggregate { entity, via, .. } = &e.kind
                && !pairs.contains(&(*entity, *via))
            {
                pairs.push((*entity, *via));
            }
        });
        let entries = pairs
            .into_iter()
            .map(|(child, via)| ChildIndex::build(program, data, child, via))
            .collect();
        AggIndex { entries }
    }

    /// The children of parent record `parent` through `(child, via)`.
    fn children(&self, child: EntityId, via: FieldId, parent: usize) -> Option<&[usize]> {
        let entry = self
            .entries
            .iter()
            .find(|x| x.child == child && x.via == via)?;
        let start = *entry.offsets.get(parent)?;
        let end = *entry.offsets.get(parent + 1)?;
        entry.children.get(start..end)
    }
}

impl ChildIndex {
    fn build(program: &Program, data: &Dataset, child: EntityId, via: FieldId) -> ChildIndex {
        let parent = program
            .entity(child)
            .and_then(|e| e.field(via))
            .and_then(|f| match f.ty {
                Ty::Entity(p) => Some(p),
                _ => None,
            });
        let parents = parent
            .and_then(|p| data.table(p))
            .map_or(0, |t| t.records.len());
        let records = data
            .table(child)
            .map_or(Default::default(), |t| t.records.as_slice());
        let parent_of = |r: &crate::data::Record| match r.get(via) {
            Some(Value::Ref(p)) if *p < parents => Some(*p),
            _ => None,
        };
        let mut offsets = vec![0usize; parents + 1];
        for p in records.iter().filter_map(parent_of) {
            if let Some(n) = offsets.get_mut(p + 1) {
                *n += 1;
            }
        }
        for i in 1..offsets.len() {
            let prev = offsets.get(i - 1).copied().unwrap_or(0);
            if let Some(n) = offsets.get_mut(i) {
                *n += prev;
            }
        }
        let mut next = offsets.clone();
        let mut children = vec![0usize; offsets.last().copied().unwrap_or(0)];
        for (i, p) in records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((i, parent_of(r)?)))
        {
            if let Some(slot) = next.get_mut(p)
                && let Some(c) = children.get_mut(*slot)
            {
                *c = i;
                *slot += 1;
            }
        }
        ChildIndex {
            child,
            via,
            offsets,
            children,
        }
    }
}

/// A running count/sum/min/max.
#[derive(Clone, Default)]
pub(crate) struct Acc {
    count: usize,
    sum: Decimal,
    best: Option<Value>,
}

/// The parts of an aggregate expression.
pub(crate) struct Agg<'e> {
    pub expr: &'e Expr,
    pub func: AggFunc,
    pub entity: EntityId,
    pub via: FieldId,
    pub filter: Option<&'e Expr>,
    pub value: Option<&'e Expr>,
}

impl<'e> Agg<'e> {
    pub fn of(expr: &'e Expr) -> Option<Agg<'e>> {
        match &expr.kind {
            ExprKind::Aggregate {
                func,
                entity,
                via,
                filter,
                value,
            } => Some(Agg {
                expr,
                func: *func,
                entity: *entity,
                via: *via,
                filter: filter.as_deref(),
                value: value.as_deref(),
            }),
            _ => None,
        }
    }
}

impl Evaluator<'_> {
    /// An aggregate expression on the frame's record.
    pub(crate) fn aggregate<T: Tracer>(
        &self,
        e: &Expr,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        let a = Agg::of(e).ok_or_else(|| internal("expected an aggregate", e.span))?;
        let parent = f
            .rec
            .ok_or_else(|| internal("an aggregate outside a record", e.span))?;
        if let Some(fed) = self.fed_result(e, parent.index) {
            if T::ON {
                t.note(self.agg_note(a.func, a.entity, a.via, Vec::new()));
            }
            return finish(a.func, fed?, e);
        }
        let children = self
            .aggs
            .children(a.entity, a.via, parent.index)
            .unwrap_or(&[]);
        let table = self
            .data
            .table(a.entity)
            .map_or(Default::default(), |t| t.records.as_slice());
        let mut acc = Acc::default();
        let mut shown = Vec::new();
        for &i in children {
            let record = table
                .get(i)
                .ok_or_else(|| internal("a child out of range", e.span))?;
            let mut memo = Memo::default();
            let mut frame = Frame {
                rec: Some(Rec {
                    entity: a.entity,
                    index: i,
                    record,
                }),
                memo: &mut memo,
            };
            let (included, item) = self.take_child(&a, &mut acc, &mut frame)?;
            if T::ON {
                let value = item.as_ref().zip(a.value).map(|(v, x)| self.show(v, &x.ty));
                shown.push(AggRecord {
                    key: record.key.to_string(),
                    included,
                    value,
                });
            }
        }
        if T::ON {
            t.note(self.agg_note(a.func, a.entity, a.via, shown));
        }
        finish(a.func, acc, e)
    }

    /// Account one child record (the frame's): whether it passed the filter, and the
    /// value it contributed.
    pub(crate) fn take_child(
        &self,
        a: &Agg<'_>,
        acc: &mut Acc,
        frame: &mut Frame<'_, '_>,
    ) -> R<(bool, Option<Value>)> {
        let included = match a.filter {
            Some(c) => self.truth(c, frame, &mut NoTrace)?,
            None => true,
        };
        if !included {
            return Ok((false, None));
        }
        let item = match a.value {
            Some(v) => Some(self.eval(v, frame, &mut NoTrace)?),
            None => None,
        };
        self.accumulate(acc, a.func, item.as_ref(), a.expr)?;
        Ok((true, item))
    }

    fn accumulate(&self, acc: &mut Acc, func: AggFunc, item: Option<&Value>, e: &Expr) -> R<()> {
        acc.count += 1;
        match (func, item) {
            (AggFunc::Count, _) => {}
            (AggFunc::Sum | AggFunc::Avg, Some(Value::Num(d))) => {
                acc.sum = arith::add(acc.sum, *d, e.span)?;
            }
            (AggFunc::Min | AggFunc::Max, Some(v)) => {
                let want = if func == AggFunc::Min {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                let better = match &acc.best {
                    None => true,
                    Some(b) => {
                        arith::compare(v, b)
                            .ok_or_else(|| internal("incomparable values", e.span))?
                            == want
                    }
                };
                if better {
                    acc.best = Some(v.clone());
                }
            }
            _ => return Err(internal("an aggregate of the wrong type", e.span)),
        }
        Ok(())
    }

    fn agg_note(
        &self,
        func: AggFunc,
        entity: EntityId,
        via: FieldId,
        records: Vec<AggRecord>,
    ) -> Note {
        Note::Aggregate {
            func: func_name(func).to_string(),
            entity: self
                .program
                .entity(entity)
                .map(|x| x.name.clone())
                .unwrap_or_default(),
            via: self.field_name(entity, via),
            records,
        }
    }
}

fn func_name(func: AggFunc) -> &'static str {
    match func {
        AggFunc::Count => "count",
        AggFunc::Sum => "sum",
        AggFunc::Min => "min",
        AggFunc::Max => "max",
        AggFunc::Avg => "avg",
    }
}

pub(crate) fn finish(func: AggFunc, acc: Acc, e: &Expr) -> R<Value> {
    let empty = || {
        Box::new(EvalError::EmptyAggregate {
            func: func_name(func).to_string(),
            span: e.span,
        })
    };
    match func {
        AggFunc::Count => Ok(Value::Num(Decimal::from(acc.count))),
        AggFunc::Sum => Ok(Value::Num(acc.sum)),
        AggFunc::Min | AggFunc::Max => acc.best.ok_or_else(empty),
        AggFunc::Avg => {
            if acc.count == 0 {
                return Err(empty());
            }
            Ok(Value::Num(arith::div(
                acc.sum,
                Decimal::from(acc.count),
                e.span,
            )?))
        }
    }
}
