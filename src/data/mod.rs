//! Loaded records: one table per entity, values already typed and in base units.
//!
//! Produced by the loader from a folder of `<实体>.csv|.jsonl|.json` files (or by a
//! `test` block); consumed by the evaluator and the reports.
//!
//! Entry points: [`load_dir`] reads a whole folder (every problem of every file, or
//! the [`Dataset`]; with [`LoadOptions::skip_bad_records`] bad rows are left out and
//! listed); for streaming, [`find_data_files`] finds the files and a reading order and
//! [`open_table`] reads one entity's file row by row, given the key maps
//! ([`KeyIndex`], from [`TableReader::finish`]) of the tables it refers to; [`render_errors`] prints the problems one
//! per line (`园区.csv:5: column 规划面积: `abc` is not a number (expected area in 亩)`).
//! Stages: [`cell`] (one cell → one value), [`csv`] / [`json`] (files → cells),
//! [`read`] (cells → records, keys, references), [`load`] (the folder), [`err`].

pub mod cell;
pub mod csv;
mod deferred;
pub mod encoding;
pub mod err;
pub mod json;
pub mod load;
pub mod read;
mod utf8;

pub use err::{
    At, DataError, DataNote, LoadErrors, RowRef, render_errors, render_errors_in, render_notes,
    render_notes_in,
};
pub use load::{
    DataFiles, LoadOptions, Loaded, SkippedRow, find_data_files, load_dir, open_table,
    render_skipped, render_skipped_in,
};
pub use read::{BadRow, KeyIndex, TableReader};

use crate::program::EntityId;
use crate::value::Value;
use std::path::PathBuf;

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
    pub key: std::sync::Arc<str>,
    /// One value per field of the entity, in declaration order.
    pub values: Vec<Value>,
    /// Where the record came from: the data row number (1 = first row after the header,
    /// blank lines not counted; for a JSON array, index + 1). Error messages give the
    /// file's line number instead (see [`RowRef`]).
    pub row: usize,
}
