//! Breakdowns of a diff by the value of a field (`--by 镇街道`).
//!
//! Consumes the aligned outcome pairs of a diff and a field path; produces one
//! [`Breakdown`]: per value of the field, the money before and after and how many
//! outcomes changed. A path is field names joined by `.` through references
//! (`园区.镇街道` on an 企业 record). When a name is not a field of the record's entity
//! but exactly one of its reference fields leads to an entity that has it, that
//! reference is followed (so `--by 镇街道` groups 企业 and 转让申请 outcomes by their
//! park's town); otherwise the record falls in the group `(none)`. The value is read on
//! the revised side when it has the record, else on the base side, so both amounts of
//! one outcome land in the same group.

use crate::eval::Outcome;
use crate::program::{EntityId, FieldId, Program, Ty};
use crate::report::diff::{Breakdown, BreakdownRow, OrderKey, Side};
use crate::report::is_amount_family;
use crate::value::{Value, show};
use std::collections::{BTreeMap, HashMap};

/// The group of outcomes a record has no value for.
pub const NONE: &str = "(none)";

/// Per aligned pair: whether it changed and whether it newly violates.
pub type Flags = (bool, bool);

/// Break the money and changes down by one field path.
pub fn breakdown(
    base: &Side,
    revised: &Side,
    path: &str,
    pairs: &[(OrderKey, [Option<&Outcome>; 2])],
    flags: &[Flags],
) -> Breakdown {
    let mut plans: HashMap<(usize, EntityId), Option<Vec<FieldId>>> = HashMap::new();
    let mut rows: BTreeMap<String, BreakdownRow> = BTreeMap::new();
    let mut last: Option<((usize, EntityId, usize), String)> = None;
    for ((_, pair), (changed, newly)) in pairs.iter().zip(flags) {
        let Some((side_ix, side, o)) = pair[1]
            .map(|o| (1, revised, o))
            .or_else(|| pair[0].map(|o| (0, base, o)))
        else {
            continue;
        };
        // Outcomes of one record come together: compute its group once.
        let here = (side_ix, o.entity, o.record);
        let value = match &last {
            Some((at, v)) if *at == here => v.clone(),
            _ => {
                let plan = plans
                    .entry((side_ix, o.entity))
                    .or_insert_with(|| resolve(side.program, o.entity, path));
                let v = plan
                    .as_deref()
                    .and_then(|ids| value_at(side, o.entity, o.record, ids))
                    .unwrap_or_else(|| NONE.to_string());
                last = Some((here, v.clone()));
                v
            }
        };
        let row = rows.entry(value).or_insert_with_key(|value| BreakdownRow {
            value: value.clone(),
            money: Default::default(),
            changed: 0,
            new_violations: 0,
        });
        row.money
            .add(amount(base, pair[0]), amount(revised, pair[1]));
        row.changed += usize::from(*changed);
        row.new_violations += usize::from(*newly);
    }
    Breakdown {
        field: path.to_string(),
        rows: rows.into_values().collect(),
    }
}

fn amount(side: &Side, o: Option<&Outcome>) -> Option<rust_decimal::Decimal> {
    let o = o?;
    let rule = side.program.rule(o.rule)?;
    if !is_amount_family(rule.family) {
        return None;
    }
    o.status.amount()
}

/// The fields to follow from a record of `entity` to reach the path's value.
pub fn resolve(program: &Program, entity: EntityId, path: &str) -> Option<Vec<FieldId>> {
    let mut ids = Vec::new();
    let mut cur = entity;
    let segs: Vec<&str> = path.split('.').collect();
    for (i, seg) in segs.iter().enumerate() {
        let def = program.entity(cur)?;
        let id = match def.field_by_name(seg) {
            Some(id) => id,
            None => {
                let (via, target) = unique_hop(program, cur, seg)?;
                ids.push(via);
                cur = target;
                program.entity(cur)?.field_by_name(seg)?
            }
        };
        ids.push(id);
        if i + 1 < segs.len() {
            match &program.entity(cur)?.field(id)?.ty {
                Ty::Entity(t) => cur = *t,
                _ => return None,
            }
        }
    }
    Some(ids)
}

/// The one reference field of `entity` whose target entity has a field `name`.
fn unique_hop(program: &Program, entity: EntityId, name: &str) -> Option<(FieldId, EntityId)> {
    let def = program.entity(entity)?;
    let mut hops = def
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match &f.ty {
            Ty::Entity(t) if program.entity(*t)?.field_by_name(name).is_some() => {
                Some((FieldId(i), *t))
            }
            _ => None,
        });
    let first = hops.next()?;
    hops.next().is_none().then_some(first)
}

/// The shown value at the end of a field path from one record.
fn value_at(side: &Side, entity: EntityId, record: usize, ids: &[FieldId]) -> Option<String> {
    let (mut ent, mut rec) = (entity, record);
    let (last, hops) = ids.split_last()?;
    for id in hops {
        let r = side.dataset.table(ent)?.records.get(rec)?;
        match (r.get(*id)?, &side.program.entity(ent)?.field(*id)?.ty) {
            (Value::Ref(i), Ty::Entity(t)) => (ent, rec) = (*t, *i),
            (Value::Blank, _) => return Some(show(&Value::Blank, &Ty::Text, side.program)),
            _ => return None,
        }
    }
    let r = side.dataset.table(ent)?.records.get(rec)?;
    let field = side.program.entity(ent)?.field(*last)?;
    match (r.get(*last)?, &field.ty) {
        (Value::Ref(i), Ty::Entity(t)) => {
            Some(side.dataset.table(*t)?.records.get(*i)?.key.to_string())
        }
        (v, ty) => Some(show(v, ty, side.program)),
    }
}
