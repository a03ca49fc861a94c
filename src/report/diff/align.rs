//! Pairing the outcomes of two evaluations by (entity name, record key, rule name).
//!
//! Consumes the two [`Side`]s; produces the pairs in report order of the revised
//! policy: its entities, records and rules in their order, then what only the base has
//! (entities, records and rules after the revised ones, in the base's order). Names
//! are resolved once per entity, record and rule, not per outcome: each outcome gets
//! an integer key and both sides are sorted and merged, so a million records cost a
//! sort, not a million string hashes. When both sides read the same data (the usual
//! case) record indices map one to one and no key is hashed at all.

use crate::eval::Outcome;
use crate::program::Program;
use crate::report::diff::Side;
use std::collections::HashMap;

/// (entity rank, record rank, rule rank) in the revised policy's report order.
pub type OrderKey = (usize, usize, usize);

/// The outcome of one (entity, key, rule) on each side (`None`: none there).
pub type Pair<'a> = [Option<&'a Outcome>; 2];

/// Pair up the outcomes of the two sides, in report order.
pub fn align<'a>(base: &Side<'a>, revised: &Side<'a>) -> Vec<(OrderKey, Pair<'a>)> {
    let (bp, rp) = (base.program, revised.program);
    let ent_rank = ranks(
        bp.entities
            .iter()
            .map(|e| rp.entity_by_name(&e.name).map(|i| i.0)),
        rp.entities.len(),
    );
    let rule_rank = ranks(
        bp.rules
            .iter()
            .map(|r| rp.rule_by_name(&r.name).map(|i| i.0)),
        rp.rules.len(),
    );
    let rec_rank: Vec<Vec<usize>> = (0..bp.entities.len())
        .map(|e| record_ranks(base, revised, e))
        .collect();
    // Each side in report order of the revised policy (sorted by key; a sort of
    // outcomes already in order, or nearly, costs a pass), then merged.
    let key = |o: &Outcome| {
        let e = ent_rank.get(o.entity.0).copied().unwrap_or(usize::MAX);
        let rec = rec_rank
            .get(o.entity.0)
            .and_then(|v| v.get(o.record))
            .copied()
            .unwrap_or(usize::MAX);
        let r = rule_rank.get(o.rule.0).copied().unwrap_or(usize::MAX);
        (e, rec, r)
    };
    let mut b: Vec<(OrderKey, &'a Outcome)> = base.outcomes.iter().map(|o| (key(o), o)).collect();
    b.sort_by_key(|(k, _)| *k);
    let mut r: Vec<(OrderKey, &'a Outcome)> = revised
        .outcomes
        .iter()
        .map(|o| ((o.entity.0, o.record, o.rule.0), o))
        .collect();
    r.sort_by_key(|(k, _)| *k);
    merge(b, r)
}

/// Revised positions of the base's items (`None`: after all revised ones).
fn ranks(revised_pos: impl Iterator<Item = Option<usize>>, revised_len: usize) -> Vec<usize> {
    revised_pos
        .enumerate()
        .map(|(i, p)| p.unwrap_or(revised_len + i))
        .collect()
}

/// For each base record of one entity, its index in the revised table (matched by key).
fn record_ranks(base: &Side, revised: &Side, entity: usize) -> Vec<usize> {
    let (bp, rp): (&Program, &Program) = (base.program, revised.program);
    let bt = base.dataset.tables.get(entity);
    let rt = bp
        .entities
        .get(entity)
        .and_then(|e| rp.entity_by_name(&e.name))
        .and_then(|id| revised.dataset.table(id));
    let (Some(bt), Some(rt)) = (bt, rt) else {
        return (0..bt.map_or(0, |t| t.records.len())).collect();
    };
    let same = bt.records.len() == rt.records.len()
        && bt
            .records
            .iter()
            .zip(&rt.records)
            .all(|(a, b)| a.key == b.key);
    if same {
        return (0..bt.records.len()).collect();
    }
    let index: HashMap<&str, usize> = rt
        .records
        .iter()
        .enumerate()
        .map(|(i, r)| (&*r.key, i))
        .collect();
    let n = rt.records.len();
    bt.records
        .iter()
        .enumerate()
        .map(|(i, r)| index.get(&*r.key).copied().unwrap_or(n + i))
        .collect()
}

/// Merge the two sides, each sorted by key: outcomes with the same key pair up.
fn merge<'a>(
    base: Vec<(OrderKey, &'a Outcome)>,
    revised: Vec<(OrderKey, &'a Outcome)>,
) -> Vec<(OrderKey, Pair<'a>)> {
    let mut out: Vec<(OrderKey, Pair)> = Vec::with_capacity(base.len().max(revised.len()));
    merge_with(base, revised, |k, pair| out.push((k, pair)));
    out
}

/// [`merge`], each pair handed to `emit` in key order.
pub(crate) fn merge_with<'a>(
    base: impl IntoIterator<Item = (OrderKey, &'a Outcome)>,
    revised: impl IntoIterator<Item = (OrderKey, &'a Outcome)>,
    mut emit: impl FnMut(OrderKey, Pair<'a>),
) {
    let (mut b, mut r) = (base.into_iter().peekable(), revised.into_iter().peekable());
    loop {
        let (k, pair) = match (b.peek(), r.peek()) {
            (None, None) => break,
            (Some((kb, _)), Some((kr, _))) if kb == kr => {
                let (Some((k, ob)), Some((_, or))) = (b.next(), r.next()) else {
                    break;
                };
                (k, [Some(ob), Some(or)])
            }
            (Some((kb, _)), Some((kr, _))) if kb > kr => match r.next() {
                Some((k, or)) => (k, [None, Some(or)]),
                None => break,
            },
            (Some(_), _) => match b.next() {
                Some((k, ob)) => (k, [Some(ob), None]),
                None => break,
            },
            (None, Some(_)) => match r.next() {
                Some((k, or)) => (k, [None, Some(or)]),
                None => break,
            },
        };
        emit(k, pair);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::eval::Status;
    use crate::program::{EntityId, RuleId};

    /// Keys on one side only come alone, in key order among the pairs.
    #[test]
    fn sides_merge_in_key_order() {
        let o = |rule: usize| Outcome {
            entity: EntityId(0),
            record: 0,
            rule: RuleId(rule),
            status: Status::Pass,
            exception: None,
        };
        let outs: Vec<Outcome> = (0..6).map(o).collect();
        let k = |r: usize| (0, 0, r);
        let base = vec![(k(0), &outs[0]), (k(2), &outs[1]), (k(5), &outs[2])];
        let revised = vec![(k(1), &outs[3]), (k(2), &outs[4]), (k(7), &outs[5])];
        let merged = merge(base, revised);
        let shape: Vec<(usize, [Option<usize>; 2])> = merged
            .iter()
            .map(|(key, pair)| (key.2, pair.map(|o| o.map(|o| o.rule.0))))
            .collect();
        assert_eq!(
            shape,
            [
                (0, [Some(0), None]),
                (1, [None, Some(3)]),
                (2, [Some(1), Some(4)]),
                (5, [Some(2), None]),
                (7, [None, Some(5)]),
            ]
        );
    }
}
