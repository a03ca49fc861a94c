//! Streaming evaluation: records read, evaluated and written one at a time where the
//! rules allow.
//!
//! Consumes a checked program, a data folder, an as-of date and a writer; produces the
//! `jsonl` outcome lines of SPEC §4, byte for byte what `eval --format jsonl` writes
//! from memory. Memory holds only what the rules need:
//!
//! - an entity that another refers to (`转让申请.买方企业` refers to 企业) is kept in
//!   memory, but only the fields read through references or by aggregates
//!   ([`Program::fields_read_afar`]): its records are read through references and
//!   aggregated from memory, and its own rules are evaluated on the whole records,
//!   read from the file again (a kept entity whose every field is read afar is
//!   evaluated from memory);
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
    DataNote, Dataset, EncodingChoice, KeyIndex, LoadErrors, LoadOptions, Projection, Record,
    Table, find_data_files, load_dir, open_table_in,
};
use crate::eval::{Evaluator, Outcome, Scratch, Status};
use crate::parallel;
use crate::program::{EntityId, Program};
use crate::progress::Observer;
use crate::report::jsonl::write_keyed_outcome;
use chrono::NaiveDate;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// What a streaming run wrote.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub outcomes: usize,
    /// Outcomes with status `error`.
    pub errors: usize,
    /// Entities held in memory (referred to by others), whole or in part.
    pub kept: usize,
    /// Entities evaluated record by record from their file.
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

/// Evaluate every rule on every record of `dir` and write the outcomes as jsonl (CSV
/// files in the encoding detected; see [`eval_jsonl_in`]).
pub fn eval_jsonl(
    program: &Program,
    dir: &Path,
    as_of: NaiveDate,
    w: &mut dyn Write,
    observer: &dyn Observer,
) -> Result<Summary, StreamError> {
    eval_jsonl_in(program, dir, as_of, EncodingChoice::Auto, w, observer)
}

/// [`eval_jsonl`], CSV files in the encoding given (`--encoding`).
pub fn eval_jsonl_in(
    program: &Program,
    dir: &Path,
    as_of: NaiveDate,
    encoding: EncodingChoice,
    w: &mut dyn Write,
    observer: &dyn Observer,
) -> Result<Summary, StreamError> {
    let opts = LoadOptions {
        skip_bad_records: false,
        encoding,
    };
    let files = find_data_files(program, dir).map_err(StreamError::Data)?;
    if !files.cyclic.is_empty() {
        return Err(StreamError::Cyclic);
    }
    let kept = referred_to(program);
    let projections = projections(program, &kept);
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
            let Ok(mut reader) = open_table_in(program, e, &path, &refs, encoding) else {
                return Err(data_errors(program, dir, &opts));
            };
            for row in reader.by_ref() {
                observer.advance(1);
                match row {
                    Ok(r) if keep => match projections.get(e.0).and_then(Option::as_ref) {
                        Some(p) => records.push(r.project(p)),
                        None => records.push(r),
                    },
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
        return Err(data_errors(program, dir, &opts));
    }
    let dataset = Dataset { tables };
    let mut ev = Evaluator::new(program, &dataset, as_of);
    let is_kept = |e: EntityId| kept.get(e.0).copied().unwrap_or(true);
    let projected = |e: EntityId| projections.get(e.0).is_some_and(Option::is_some);
    // The file an entity's rules are evaluated from (`None`: from memory).
    let streamed = |e: EntityId| -> Option<PathBuf> {
        if is_kept(e) && !projected(e) {
            None
        } else {
            files.files.get(e.0).cloned().flatten()
        }
    };
    // Pass 2: feed the aggregates over entities not kept.
    observer.phase("aggregating", None);
    for e in (0..n).map(EntityId) {
        if is_kept(e) {
            continue;
        }
        if let Some(path) = streamed(e).filter(|_| ev.aggregates_over(e)) {
            each_record(program, e, (&path, encoding), &refs, |i, r| {
                ev.feed(e, i, r);
                observer.advance(1);
                Ok(())
            })?;
        }
    }
    // Pass 3: evaluate and write, in report order; a reader thread parses the next
    // batch of a streamed file while the current one is evaluated on every core.
    observer.phase("evaluating", None);
    let mut summary = Summary {
        notes,
        ..Summary::default()
    };
    for e in (0..n).map(EntityId) {
        let out = Out {
            ev: &ev,
            program,
            entity: e,
            observer,
        };
        summary.kept += usize::from(is_kept(e));
        match streamed(e) {
            Some(path) => {
                summary.streamed += 1;
                let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Record>, StreamError>>(2);
                std::thread::scope(|s| -> Result<(), StreamError> {
                    let refs = &refs;
                    s.spawn(move || read_batches(program, e, (&path, encoding), refs, &tx));
                    let mut first = 0usize;
                    for batch in rx {
                        let batch = batch?;
                        out.write(first, &batch, w, &mut summary)?;
                        first = first.saturating_add(batch.len());
                    }
                    Ok(())
                })?;
            }
            None => {
                let records = dataset.table(e).map(|t| t.records.as_slice());
                for (k, batch) in records.unwrap_or_default().chunks(BATCH).enumerate() {
                    out.write(k.saturating_mul(BATCH), batch, w, &mut summary)?;
                }
            }
        }
    }
    Ok(summary)
}

/// Records read, evaluated and written together.
const BATCH: usize = 4 * 1024;
/// Records one thread evaluates and formats in one go.
const CHUNK: usize = 2048;

/// Where one entity's outcomes go.
struct Out<'e, 'a> {
    ev: &'e Evaluator<'a>,
    program: &'a Program,
    entity: EntityId,
    observer: &'e dyn Observer,
}

/// The jsonl lines of a run of records.
#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    outcomes: usize,
    errors: usize,
}

impl Out<'_, '_> {
    /// Evaluate a batch on every core (each chunk formatted to lines by its thread),
    /// then write the lines in order. `first` is the batch's index in the input.
    fn write(
        &self,
        first: usize,
        batch: &[Record],
        w: &mut dyn Write,
        summary: &mut Summary,
    ) -> Result<(), StreamError> {
        let chunks: Vec<(usize, &[Record])> = batch
            .chunks(CHUNK)
            .enumerate()
            .map(|(k, c)| (first.saturating_add(k.saturating_mul(CHUNK)), c))
            .collect();
        let rendered = parallel::map_in_order(&chunks, |(start, records)| {
            let lines = self.lines(*start, records);
            self.observer.advance(records.len() as u64);
            lines
        });
        for lines in rendered {
            let lines = lines?;
            w.write_all(&lines.bytes)?;
            summary.outcomes += lines.outcomes;
            summary.errors += lines.errors;
        }
        Ok(())
    }

    fn lines(&self, first: usize, records: &[Record]) -> io::Result<Lines> {
        let mut scratch = Scratch::default();
        let mut out: Vec<Outcome> = Vec::new();
        let mut lines = Lines::default();
        for (i, r) in records.iter().enumerate() {
            let index = first.saturating_add(i);
            self.ev
                .record_outcomes_in(&mut scratch, self.entity, index, r, &mut out);
            for o in out.drain(..) {
                lines.outcomes += 1;
                if matches!(o.status, Status::Error(_)) {
                    lines.errors += 1;
                }
                write_keyed_outcome(&mut lines.bytes, self.program, &r.key, &o)?;
            }
        }
        Ok(lines)
    }
}

/// Read a checked file in batches, sending each; stops when the receiver is gone.
fn read_batches(
    program: &Program,
    entity: EntityId,
    (path, encoding): (&Path, EncodingChoice),
    refs: &[KeyIndex],
    tx: &std::sync::mpsc::SyncSender<Result<Vec<Record>, StreamError>>,
) {
    let changed = || StreamError::Changed(path.to_path_buf());
    let reader = match open_table_in(program, entity, path, refs, encoding) {
        Ok(r) => r,
        Err(_) => {
            let _ = tx.send(Err(changed()));
            return;
        }
    };
    let mut batch = Vec::with_capacity(BATCH);
    for row in reader {
        match row {
            Ok(r) => batch.push(r),
            Err(_) => {
                let _ = tx.send(Err(changed()));
                return;
            }
        }
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if tx.send(Ok(full)).is_err() {
                return;
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
}

/// Which entities some field refers to (they are kept in memory).
pub fn referred_to(program: &Program) -> Vec<bool> {
    let mut kept = vec![false; program.entities.len()];
    for f in program.entities.iter().flat_map(|e| &e.fields) {
        if let Some(slot) = f.ty.referenced_entity().and_then(|t| kept.get_mut(t.0)) {
            *slot = true;
        }
    }
    kept
}

/// Per entity: the fields kept of a kept entity's records, when not all are read
/// afar (`None`: whole records, or the entity is not kept).
fn projections(program: &Program, kept: &[bool]) -> Vec<Option<Arc<Projection>>> {
    let afar = program.fields_read_afar();
    kept.iter()
        .zip(afar)
        .map(|(&keep, marks)| {
            let p = Projection::keeping(&marks);
            (keep && !p.keeps_all()).then(|| Arc::new(p))
        })
        .collect()
}

/// Read a file already checked in pass 1, calling `f` on each record with its index.
fn each_record(
    program: &Program,
    entity: EntityId,
    (path, encoding): (&Path, EncodingChoice),
    refs: &[KeyIndex],
    mut f: impl FnMut(usize, &Record) -> io::Result<()>,
) -> Result<(), StreamError> {
    let changed = || StreamError::Changed(path.to_path_buf());
    let reader = open_table_in(program, entity, path, refs, encoding).map_err(|_| changed())?;
    for (i, row) in reader.enumerate() {
        let record = row.map_err(|_| changed())?;
        f(i, &record)?;
    }
    Ok(())
}

/// The errors of the folder as the in-memory loader reports them (every one, sorted).
fn data_errors(program: &Program, dir: &Path, opts: &LoadOptions) -> StreamError {
    match load_dir(program, dir, opts) {
        Err(e) => StreamError::Data(e),
        // Clean on this read: a file changed between the two.
        Ok(_) => StreamError::Changed(dir.to_path_buf()),
    }
}
