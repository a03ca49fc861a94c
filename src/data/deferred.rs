//! References between entities that refer to each other (or to themselves).
//!
//! Such tables cannot be read one after the other, so they are read with their
//! references to each other kept as key text ([`KeyIndex::deferred`]); this module
//! then resolves those keys to indices. A record whose key is unknown, or refers to a
//! left-out record, is left out too (reported as a row error); since leaving a record
//! out renumbers its table, this repeats until nothing changes.

use super::Table;
use super::err::{At, RowRef};
use super::read::{BadRow, KeyEntry, KeyIndex};
use crate::program::{EntityId, Program, Ty};
use crate::value::{Text, Value};
use std::sync::Arc;

/// Resolve the deferred references of the tables of `group` (read already, their key
/// maps in `keys`). Records with a bad reference move to `bad_rows`.
pub(super) fn resolve(
    program: &Program,
    group: &[EntityId],
    tables: &mut [Table],
    keys: &mut [KeyIndex],
    bad_rows: &mut Vec<(EntityId, BadRow)>,
) {
    loop {
        let mut changed = false;
        for &entity in group {
            let fields = deferred_fields(program, entity, group);
            if fields.is_empty() {
                continue;
            }
            let removed = remove_bad(program, entity, &fields, tables, keys);
            if removed.is_empty() {
                continue;
            }
            changed = true;
            let removed_keys: Vec<Text> = removed.iter().filter_map(|b| b.key.clone()).collect();
            if let (Some(table), Some(index)) = (tables.get(entity.0), keys.get_mut(entity.0)) {
                index.renumber(table.records.iter().map(|r| &r.key), &removed_keys);
            }
            bad_rows.extend(removed.into_iter().map(|b| (entity, b)));
        }
        if !changed {
            break;
        }
    }
    for &entity in group {
        let fields = deferred_fields(program, entity, group);
        let Some(table) = tables.get_mut(entity.0) else {
            continue;
        };
        for record in &mut table.records {
            for &(field, target) in &fields {
                let Some(value) = record.values.get_mut(field) else {
                    continue;
                };
                if let (Value::Text(key), Some(index)) = (&*value, keys.get(target.0))
                    && let Some(KeyEntry::Kept(i, _)) = index.get(key)
                {
                    *value = Value::Ref(i);
                }
            }
        }
    }
}

/// The fields of `entity` referring to an entity of the group: (field index, target).
fn deferred_fields(
    program: &Program,
    entity: EntityId,
    group: &[EntityId],
) -> Vec<(usize, EntityId)> {
    let Some(def) = program.entity(entity) else {
        return Vec::new();
    };
    def.fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| match f.ty {
            Ty::Entity(t) if group.contains(&t) => Some((i, t)),
            _ => None,
        })
        .collect()
}

/// Take out of the table the records whose deferred references do not resolve.
fn remove_bad(
    program: &Program,
    entity: EntityId,
    fields: &[(usize, EntityId)],
    tables: &mut [Table],
    keys: &[KeyIndex],
) -> Vec<BadRow> {
    let Some(table) = tables.get_mut(entity.0) else {
        return Vec::new();
    };
    let own = keys.get(entity.0);
    let file = own
        .and_then(|k| k.file.clone())
        .unwrap_or_else(|| Arc::from(""));
    let mut removed = Vec::new();
    let mut kept = Vec::with_capacity(table.records.len());
    for record in table.records.drain(..) {
        let row = own.and_then(|k| k.get(&record.key)).map(|e| e.row());
        let at = || At {
            file: file.clone(),
            row: row.unwrap_or(RowRef::Line(0)),
            sheet: own.and_then(|k| k.sheet.clone()),
        };
        let mut errors = Vec::new();
        let mut failed = false;
        for &(field, target) in fields {
            let (Some(Value::Text(key)), Some(index)) =
                (record.values.get(field), keys.get(target.0))
            else {
                continue;
            };
            let column = program
                .entity(entity)
                .and_then(|e| e.fields.get(field))
                .map_or_else(|| Arc::from(""), |f| Arc::from(f.name.as_str()));
            let target_name = || -> Arc<str> {
                Arc::from(program.entity(target).map_or("", |e| e.name.as_str()))
            };
            if let Err(e) = index.resolve(key, at, (&column, field), target_name) {
                failed = true;
                errors.extend(e);
            }
        }
        if failed {
            removed.push(BadRow {
                at: at(),
                key: Some(record.key.clone()),
                errors,
            });
        } else {
            kept.push(record);
        }
    }
    table.records = kept;
    removed
}
