//! Streaming evaluation: records read, evaluated and written one at a time where the
//! rules allow.
//!
//! Consumes a checked program, a data folder, an as-of date and a writer; produces the
//! `jsonl` outcome lines of SPEC §4, byte for byte what `eval --format jsonl` writes
//! from memory. Memory holds only what the rules need:
//!
//! - an entity that another refers to (`企业.园区` refers to 园区) is kept in memory:
//!   its records are read through references;
//! - an entity that aggregates read (`sum(企业.年税收)`) and nothing refers to is fed
//!   through the aggregates once (memory bounded by the parents), then streamed;
//! - every other entity is read, evaluated and written record by record.
//!
//! The folder is read in passes: first every file is checked (nothing is evaluated or
//! written while any cell is bad, as SPEC §5 asks; the errors are then those of
//! [`load_dir`]), then fed entities are fed, then outcomes are written in report order
//! (entities in declaration order, records in input order). Streamed files are
//! therefore read two or three times; their key maps stay in memory to check keys and
//! references.

use crate::data::{
    DataNote, Dataset, KeyIndex, LoadErrors, LoadOptions, Record, Table, find_data_files, load_dir,
    open_table,
};
use crate::eval::{Evaluator, Outcome, Scratch, Status};
use crate::program::{EntityId, Program, Ty};
use crate::progress::Observer;
use crate::report::jsonl::write_keyed_outcome;
use chrono::NaiveDate;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// What a streaming run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub outcomes: usize,
    /// Outcomes with status `error`.
    pub errors: usize,
    /// Entities held in memory (referred to by others).
    pub kept: usize,
    /// Entities read record by record.
    pub streamed: usize,
    /// What the loader noticed (ignored files, percent columns that look like fractions).
    pub notes: Vec<DataNote>,
}

#[derive(Debug, Error)]
pub enum StreamError {
    /// The data has errors; nothing was written.
    #[error("{0}")]
    Data(LoadErrors),
    /// The policy's entities refer to each other in a cycle: only the in-memory loader
    /// reads them. Nothing was written.
    #[error("entities refer to each other in a cycle; streaming is not possible")]
    Cyclic,
    /// A file changed between two passes over it.
    #[error("`{0}` changed while it was being read")]
    Changed(PathBuf),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Evaluate every rule on every record of `dir` and write the outcomes as jsonl.
pub fn eval_jsonl(
    program: &Program,
    dir: &Path,
    as_of: NaiveDate,
    w: &mut dyn Write,
    observer: &dyn Observer,
) -> Result<Summary, StreamError> {
    let files = find_data_files(program, dir).map_err(StreamError::Data)?;
    if !files.cyclic.is_empty() {
        return Err(StreamError::Cyclic);
    }
    let kept = referred_to(program);
    let n = program.entities.len();
    // Pass 1: check every file; keep the entities others refer to.
    let mut refs: Vec<KeyIndex> = (0..n).map(|_| KeyIndex::empty(false)).collect();
    let mut tables: Vec<Table> = (0..n).map(|_| Table::default()).collect();
    observer.phase("checking records", None);
    let mut clean = true;
    let mut notes = files.notes.clone();
    for &e in &files.order {
        let Some(path) = files.files.get(e.0).cloned().flatten() else {
            if let Some(slot) = refs.get_mut(e.0) {
                *slot = KeyIndex::empty(true);
            }
            continue;
        };
        let keep = kept.get(e.0).copied().unwrap_or(true);
        let mut records = Vec::new();
        let (index, file_errors, file_notes) = {
            let Ok(mut reader) = open_table(program, e, &path, &refs) else {
                return Err(data_errors(program, dir));
            };
            for row in reader.by_ref() {
                observer.advance(1);
                match row {
                    Ok(r) if keep => records.push(r),
                    Ok(_) => {}
                    Err(_) => clean = false,
                }
            }
            reader.finish()
        };
        clean &= file_errors.is_empty();
        notes.extend(file_notes);
        if let Some(slot) = refs.get_mut(e.0) {
            *slot = index;
        }
        if let Some(t) = tables.get_mut(e.0) {
            *t = Table {
                source: Some(path),
                records,
            };
        }
    }
    if !clean {
        return Err(data_errors(program, dir));
    }
    let dataset = Dataset { tables };
    let mut ev = Evaluator::new(program, &dataset, as_of);
    let streamed = |e: EntityId| -> Option<PathBuf> {
        let keep = kept.get(e.0).copied().unwrap_or(true);
        if keep {
            None
        } else {
            files.files.get(e.0).cloned().flatten()
        }
    };
    // Pass 2: feed the aggregates over streamed entities.
    observer.phase("aggregating", None);
    for e in (0..n).map(EntityId) {
        if let Some(path) = streamed(e).filter(|_| ev.aggregates_over(e)) {
            each_record(program, e, &path, &refs, |i, r| {
                ev.feed(e, i, r);
                observer.advance(1);
                Ok(())
            })?;
        }
    }
    // Pass 3: evaluate and write, in report order.
    observer.phase("evaluating", None);
    let mut summary = Summary::default();
    let mut scratch = Scratch::default();
    let mut out: Vec<Outcome> = Vec::new();
    let mut emit = |key: &str, out: &mut Vec<Outcome>, w: &mut dyn Write| -> io::Result<()> {
        for o in out.drain(..) {
            summary.outcomes += 1;
            if matches!(o.status, Status::Error(_)) {
                summary.errors += 1;
            }
            write_keyed_outcome(w, program, key, &o)?;
        }
        observer.advance(1);
        Ok(())
    };
    let mut kept_count = 0;
    let mut streamed_count = 0;
    for e in (0..n).map(EntityId) {
        match streamed(e) {
            Some(path) => {
                streamed_count += 1;
                each_record(program, e, &path, &refs, |i, r| {
                    ev.record_outcomes_in(&mut scratch, e, i, r, &mut out);
                    emit(&r.key, &mut out, w)?;
                    Ok(())
                })?;
            }
            None => {
                kept_count += 1;
                let records = dataset.table(e).map(|t| t.records.as_slice());
                for (i, r) in records.unwrap_or_default().iter().enumerate() {
                    ev.record_outcomes_in(&mut scratch, e, i, r, &mut out);
                    emit(&r.key, &mut out, w)?;
                }
            }
        }
    }
    summary.kept = kept_count;
    summary.streamed = streamed_count;
    summary.notes = notes;
    Ok(summary)
}

/// Which entities some field refers to (they are kept in memory).
pub fn referred_to(program: &Program) -> Vec<bool> {
    fn target(ty: &Ty) -> Option<EntityId> {
        match ty {
            Ty::Entity(e) => Some(*e),
            Ty::List(inner) => target(inner),
            _ => None,
        }
    }
    let mut kept = vec![false; program.entities.len()];
    for f in program.entities.iter().flat_map(|e| &e.fields) {
        if let Some(slot) = target(&f.ty).and_then(|t| kept.get_mut(t.0)) {
            *slot = true;
        }
    }
    kept
}

/// Read a file already checked in pass 1, calling `f` on each record with its index.
fn each_record(
    program: &Program,
    entity: EntityId,
    path: &Path,
    refs: &[KeyIndex],
    mut f: impl FnMut(usize, &Record) -> io::Result<()>,
) -> Result<(), StreamError> {
    let changed = || StreamError::Changed(path.to_path_buf());
    let reader = open_table(program, entity, path, refs).map_err(|_| changed())?;
    for (i, row) in reader.enumerate() {
        let record = row.map_err(|_| changed())?;
        f(i, &record)?;
    }
    Ok(())
}

/// The errors of the folder as the in-memory loader reports them (every one, sorted).
fn data_errors(program: &Program, dir: &Path) -> StreamError {
    match load_dir(program, dir, &LoadOptions::default()) {
        Err(e) => StreamError::Data(e),
        // Clean on this read: a file changed between the two.
        Ok(_) => StreamError::Changed(dir.to_path_buf()),
    }
}
