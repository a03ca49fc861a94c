//! Loaded records: one table per entity, values already typed and in base units.
//!
//! Produced by the loader from a folder of `<实体>.csv|.xlsx|.jsonl|.json` files (or by a
//! `test` block); consumed by the evaluator and the reports.
//!
//! Entry points: [`load_dir`] reads a whole folder (every problem of every file, or
//! the [`Dataset`]; with [`LoadOptions::skip_bad_records`] bad rows are left out and
//! listed); for streaming, [`find_data_files`] finds the files and a reading order and
//! [`open_table`] reads one entity's file row by row, given the key maps
//! ([`KeyIndex`], from [`TableReader::finish`]) of the tables it refers to; [`render_errors`] prints the problems one
//! per line (`园区.csv:5: column 规划面积: `abc` is not a number (expected area in 亩)`).
//! Stages: [`cell`] (one cell → one value), [`csv`] / [`json`] / [`xlsx`] (files → cells),
//! [`read`] (cells → records, keys, references; `prints` checks the keys of a file
//! read record by record for duplicates), [`load`] (the folder), [`err`].

pub mod cell;
pub mod csv;
mod deferred;
pub mod encoding;
pub mod err;
pub mod json;
pub mod load;
mod prints;
pub mod read;
mod utf8;
pub mod xlsx;

pub use encoding::Choice as EncodingChoice;
pub use err::{
    At, DataError, DataNote, LoadErrors, RowRef, render_errors, render_errors_in, render_notes,
    render_notes_in,
};
pub use load::{
    DataFiles, LoadOptions, Loaded, SkippedRow, find_data_files, load_dir, open_table,
    open_table_in, render_skipped, render_skipped_in,
};
pub use read::{BadRow, FastHash, KeyIndex, KeyMode, KeySet, TableReader};

use crate::program::{EntityId, FieldId};
use crate::value::{Text, Value};
use std::path::PathBuf;
use std::sync::Arc;

/// All records, one table per entity of the program, indexed by `EntityId`.
#[derive(Clone, Debug, Default)]
pub struct Dataset {
    pub tables: Vec<Table>,
}

impl Dataset {
    pub fn table(&self, entity: EntityId) -> Option<&Table> {
        self.tables.get(entity.0)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Table {
    /// The file the records came from (none for test records).
    pub source: Option<PathBuf>,
    /// In input order.
    pub records: Vec<Record>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The record's key (the `key` field's text).
    pub key: Text,
    /// One value per field of the entity, in declaration order; or, when `projection`
    /// is given, only the fields it keeps, in its order.
    pub values: Vec<Value>,
    /// Where the record came from: the data row number (1 = first row after the header,
    /// blank lines not counted; for a JSON array, index + 1). Error messages give the
    /// file's line number instead (see [`RowRef`]).
    pub row: usize,
    /// `Some` for a record kept only for what other records read of it (see
    /// [`Projection`]); `None` for a whole record.
    pub projection: Option<Arc<Projection>>,
}

impl Record {
    /// A whole record (every field's value, in declaration order).
    pub fn new(key: Text, values: Vec<Value>, row: usize) -> Record {
        Record {
            key,
            values,
            row,
            projection: None,
        }
    }

    /// The value of a field; `None` if the record has no such field, or was kept
    /// without it.
    pub fn get(&self, field: FieldId) -> Option<&Value> {
        match &self.projection {
            None => self.values.get(field.0),
            Some(p) => p.slot(field).and_then(|s| self.values.get(s)),
        }
    }

    /// The record keeping only what `p` keeps (of the fields this record has; the
    /// others are blank).
    pub fn narrowed(&self, p: &Arc<Projection>) -> Record {
        Record {
            key: self.key.clone(),
            values: p
                .fields
                .iter()
                .map(|&f| self.get(f).cloned().unwrap_or(Value::Blank))
                .collect(),
            row: self.row,
            projection: Some(Arc::clone(p)),
        }
    }

    /// A record whose values are already those `p` keeps, in its order.
    pub(crate) fn projected_as(self, p: Arc<Projection>) -> Record {
        Record {
            projection: Some(p),
            ..self
        }
    }
}

/// The fields kept of an entity's records when only some are read: a streaming run
/// keeps, of a table other records refer to, only what is read through those
/// references and by aggregates (see [`crate::program::Program::fields_read_afar`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Projection {
    /// The kept fields, in declaration order.
    fields: Vec<FieldId>,
    /// Per field of the entity: its slot among the kept values.
    slots: Vec<Option<usize>>,
}

impl Projection {
    /// The projection keeping the fields marked `true`.
    pub fn keeping(marks: &[bool]) -> Projection {
        let mut fields = Vec::new();
        let slots = marks
            .iter()
            .enumerate()
            .map(|(i, &keep)| {
                keep.then(|| {
                    fields.push(FieldId(i));
                    fields.len() - 1
                })
            })
            .collect();
        Projection { fields, slots }
    }

    /// Whether every field is kept (then projecting changes nothing).
    pub fn keeps_all(&self) -> bool {
        self.fields.len() == self.slots.len()
    }

    /// Whether the field is kept.
    pub fn keeps(&self, field: FieldId) -> bool {
        self.slot(field).is_some()
    }

    /// The number of fields kept.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    fn slot(&self, field: FieldId) -> Option<usize> {
        self.slots.get(field.0).copied().flatten()
    }
}
