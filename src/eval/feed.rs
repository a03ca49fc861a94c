//! Streaming aggregates: child records fed once, not kept.
//!
//! Consumes the records of an entity that aggregates read (say 1M 企业), one at a time,
//! before any record is evaluated; produces, per aggregate expression and parent
//! record, the running count/sum/min/max (or the first error, in input order: the same
//! outcome the in-memory path gives). Memory is bounded by the parents, not the
//! children. Aggregates over an entity that was fed read these results; the others
//! walk the child records of the dataset.

use crate::data::Record;
use crate::eval::aggregate::{Acc, Agg};
use crate::eval::arith::R;
use crate::eval::{Evaluator, Frame, Memo, Rec};
use crate::program::{EntityId, Expr, Ty};
use crate::value::Value;

/// The accumulated values of one aggregate expression, one per parent record.
pub(crate) struct FedAgg<'a> {
    agg: Agg<'a>,
    parents: Vec<R<Acc>>,
}

impl<'a> Evaluator<'a> {
    /// Whether some aggregate reads the records of `entity` (they must then be in the
    /// dataset, or be [fed](Evaluator::feed) before evaluating).
    pub fn aggregates_over(&self, entity: EntityId) -> bool {
        self.agg_exprs
            .iter()
            .filter_map(|e| Agg::of(e))
            .any(|a| a.entity == entity)
    }

    /// Account one record of `entity` (not kept in the dataset) into every aggregate
    /// over that entity. Feed all of them, in input order, before evaluating any
    /// record; from the first feed on, aggregates over `entity` read only fed records.
    pub fn feed(&mut self, entity: EntityId, index: usize, record: &Record) {
        let mut fed = std::mem::take(&mut self.fed);
        if !fed.iter().any(|f| f.agg.entity == entity) {
            fed.extend(self.new_fed(entity));
        }
        let mut memo = Memo::default();
        let mut frame = Frame {
            rec: Some(Rec {
                entity,
                index,
                record,
            }),
            memo: &mut memo,
        };
        for f in fed.iter_mut().filter(|f| f.agg.entity == entity) {
            let Some(Value::Ref(parent)) = record.get(f.agg.via) else {
                continue;
            };
            let Some(Ok(acc)) = f.parents.get_mut(*parent) else {
                continue;
            };
            if let Err(e) = self.take_child(&f.agg, acc, &mut frame)
                && let Some(slot) = f.parents.get_mut(*parent)
            {
                *slot = Err(e);
            }
        }
        self.fed = fed;
    }

    fn new_fed(&self, entity: EntityId) -> Vec<FedAgg<'a>> {
        self.agg_exprs
            .iter()
            .filter_map(|e| Agg::of(e))
            .filter(|a| a.entity == entity)
            .map(|agg| {
                let parents = self.parent_count(&agg);
                FedAgg {
                    agg,
                    parents: (0..parents).map(|_| Ok(Acc::default())).collect(),
                }
            })
            .collect()
    }

    /// The number of records of the entity an aggregate's `via` field refers to.
    fn parent_count(&self, agg: &Agg<'_>) -> usize {
        let parent = self
            .program
            .entity(agg.entity)
            .and_then(|e| e.field(agg.via))
            .and_then(|f| match f.ty {
                Ty::Entity(p) => Some(p),
                _ => None,
            });
        parent
            .and_then(|p| self.data.table(p))
            .map_or(0, |t| t.records.len())
    }

    /// The aggregates fed so far, for an evaluator of the same program over the final
    /// dataset (see [`Evaluator::adopt_fed`]): records can be fed while the files are
    /// still being read.
    pub(crate) fn into_fed(self) -> Vec<FedAgg<'a>> {
        self.fed
    }

    /// Take over what another evaluator of the same program was fed; its parent
    /// tables must have had the records this one's have, in the same order.
    pub(crate) fn adopt_fed(&mut self, fed: Vec<FedAgg<'a>>) {
        self.fed.extend(fed);
    }

    /// The fed result of an aggregate for one parent (`None`: not fed).
    pub(crate) fn fed_result(&self, e: &Expr, parent: usize) -> Option<R<Acc>> {
        let f = self.fed.iter().find(|f| std::ptr::eq(f.agg.expr, e))?;
        Some(
            f.parents
                .get(parent)
                .cloned()
                .unwrap_or_else(|| Ok(Acc::default())),
        )
    }
}
