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
    let mut all: Vec<(OrderKey, usize, &'a Outcome)> =
        Vec::with_capacity(base.outcomes.len() + revised.outcomes.len());
    for o in base.outcomes {
        let e = ent_rank.get(o.entity.0).copied().unwrap_or(usize::MAX);
        let rec = rec_rank
            .get(o.entity.0)
            .and_then(|v| v.get(o.record))
            .copied()
            .unwrap_or(usize::MAX);
        let r = rule_rank.get(o.rule.0).copied().unwrap_or(usize::MAX);
        all.push(((e, rec, r), 0, o));
    }
    for o in revised.outcomes {
        all.push(((o.entity.0, o.record, o.rule.0), 1, o));
    }
    all.sort_by_key(|(k, side, _)| (*k, *side));
    merge(all)
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

/// Merge the sorted outcomes: a base and a revised outcome with the same key pair up.
fn merge(all: Vec<(OrderKey, usize, &Outcome)>) -> Vec<(OrderKey, Pair<'_>)> {
    let mut out: Vec<(OrderKey, Pair)> = Vec::with_capacity(all.len());
    for (key, side, o) in all {
        if let Some((k, pair)) = out.last_mut()
            && *k == key
            && side == 1
            && pair[1].is_none()
        {
            pair[1] = Some(o);
            continue;
        }
        let mut pair = [None, None];
        if let Some(slot) = pair.get_mut(side) {
            *slot = Some(o);
        }
        out.push((key, pair));
    }
    out
}
