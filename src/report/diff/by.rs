//! Breakdowns of a diff by the value of a field (`--by 镇街道`).
//!
//! Consumes a field path, then the aligned outcome pairs of a diff a record at a time
//! ([`Grouping::record`]); produces one [`Breakdown`]: per value of the field, the
//! money before and after and how many outcomes changed. A path is field names joined by `.` through references
//! (`园区.镇街道` on an 企业 record). When a name is not a field of the record's entity
//! but exactly one of its reference fields leads to an entity that has it, that
//! reference is followed (so `--by 镇街道` groups 企业 and 转让申请 outcomes by their
//! park's town); otherwise the record falls in the group `(none)`. The value is read on
//! the revised side when it has the record, else on the base side, so both amounts of
//! one outcome land in the same group.

use crate::data::{Dataset, Record};
use crate::eval::Outcome;
use crate::program::{EntityId, FieldId, Program, Ty};
use crate::report::diff::build::RecordAt;
use crate::report::diff::{Breakdown, BreakdownRow, Pair, Side};
use crate::report::is_amount_family;
use crate::value::{Value, show};
use std::collections::{BTreeMap, HashMap};

/// The group of outcomes a record has no value for.
pub const NONE: &str = "(none)";

/// A breakdown by one field path, built a record at a time.
pub struct Grouping {
    path: String,
    /// Per (side, entity): the fields to follow (`None`: the path does not lead
    /// anywhere from that entity).
    plans: HashMap<(usize, EntityId), Option<Vec<FieldId>>>,
    rows: BTreeMap<String, BreakdownRow>,
}

impl Grouping {
    pub fn new(path: &str) -> Grouping {
        Grouping {
            path: path.to_string(),
            plans: HashMap::new(),
            rows: BTreeMap::new(),
        }
    }

    /// Count the outcome pairs of one record (`at`: the record on each side), each
    /// with whether it changed and whether it newly violates.
    pub fn record<'p>(
        &mut self,
        sides: [&Side; 2],
        at: [Option<RecordAt>; 2],
        pairs: impl Iterator<Item = (&'p Pair<'p>, (bool, bool))>,
    ) {
        // The value on each side, computed at most once for the record.
        let mut values: [Option<String>; 2] = [None, None];
        for (pair, (changed, newly)) in pairs {
            // Read on the revised side when it has the outcome, so both amounts of
            // one outcome land in the same group.
            let Some((side_ix, o)) = pair[1].map(|o| (1, o)).or_else(|| pair[0].map(|o| (0, o)))
            else {
                continue;
            };
            let (Some(side), Some(value)) = (sides.get(side_ix), values.get_mut(side_ix)) else {
                continue;
            };
            let value = value.get_or_insert_with(|| {
                let plan = self
                    .plans
                    .entry((side_ix, o.entity))
                    .or_insert_with(|| resolve(side.program, o.entity, &self.path));
                let record = at.get(side_ix).copied().flatten().map(|at| at.record);
                plan.as_deref()
                    .zip(record)
                    .and_then(|(ids, r)| value_at(side.program, side.dataset, o.entity, r, ids))
                    .unwrap_or_else(|| NONE.to_string())
            });
            let Some(row) = row_of(&mut self.rows, value) else {
                continue;
            };
            let [base, revised] = sides;
            row.money
                .add(amount(base, pair[0]), amount(revised, pair[1]));
            row.changed += usize::from(changed);
            row.new_violations += usize::from(newly);
        }
    }

    /// Take in the rows of another grouping by the same path.
    pub fn absorb(&mut self, other: Grouping) {
        for (value, theirs) in other.rows {
            let Some(row) = row_of(&mut self.rows, &value) else {
                continue;
            };
            row.money.add_money(&theirs.money);
            row.changed += theirs.changed;
            row.new_violations += theirs.new_violations;
        }
    }

    pub fn finish(self) -> Breakdown {
        Breakdown {
            field: self.path,
            rows: self.rows.into_values().collect(),
        }
    }
}

/// The row of a value, made empty when new (the value copied only then). Always
/// `Some`.
fn row_of<'r>(
    rows: &'r mut BTreeMap<String, BreakdownRow>,
    value: &str,
) -> Option<&'r mut BreakdownRow> {
    if !rows.contains_key(value) {
        let row = BreakdownRow {
            value: value.to_string(),
            money: Default::default(),
            changed: 0,
            new_violations: 0,
        };
        rows.insert(value.to_string(), row);
    }
    rows.get_mut(value)
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

/// The shown value at the end of a field path from one record (the first hop read
/// on `record`, the others on the records of `data` it refers to).
fn value_at(
    program: &Program,
    data: &Dataset,
    entity: EntityId,
    record: &Record,
    ids: &[FieldId],
) -> Option<String> {
    let mut ent = entity;
    let mut r = record;
    let (last, hops) = ids.split_last()?;
    for id in hops {
        match (r.get(*id)?, &program.entity(ent)?.field(*id)?.ty) {
            (Value::Ref(i), Ty::Entity(t)) => {
                r = data.table(*t)?.records.get(*i)?;
                ent = *t;
            }
            (Value::Blank, _) => return Some(show(&Value::Blank, &Ty::Text, program)),
            _ => return None,
        }
    }
    let field = program.entity(ent)?.field(*last)?;
    match (r.get(*last)?, &field.ty) {
        (Value::Ref(i), Ty::Entity(t)) => Some(data.table(*t)?.records.get(*i)?.key.to_string()),
        (v, ty) => Some(show(v, ty, program)),
    }
}
