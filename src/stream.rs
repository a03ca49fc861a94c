//! Streaming evaluation: records read, evaluated and written one at a time where the
//! rules allow.
//!
//! Consumes a checked program, a data folder, an as-of date and a writer; produces the
//! `jsonl` outcome lines of SPEC §4, byte for byte what `eval --format jsonl` writes
//! from memory. Memory holds only what the rules need (SPEC §6: bounded by the parks,
//! not the firms):
//!
//! - an entity that aggregates group by (园区, for `sum(企业.年税收)`) is held whole in
//!   memory, or only the fields read through references and by aggregates
//!   ([`Program::fields_read_afar`]) when that is fewer;
//! - an entity that other records refer to but no aggregate groups by (企业, referred
//!   to by `转让申请.买方企业`) is held only for the records referred to: the referring
//!   files' reference cells are read first, and only those keys are kept, with only
//!   the fields read afar. The other keys are checked for duplicates by a 64-bit
//!   fingerprint (sorted runs of them wait in a temporary file: `src/data/prints.rs`);
//! - an entity that aggregates read is fed through them as its file is checked
//!   (memory bounded by the parents) when it is not held whole;
//! - rules are evaluated record by record from the file, except for an entity held
//!   whole, evaluated from memory.
//!
//! The folder is read in passes: the reference cells of referring files, then every
//! file is checked and fed entities fed (nothing is written while any cell is bad, as
//! SPEC §5 asks), then outcomes are written in report order (entities in declaration
//! order, records in input order). An entity whose rules compute no aggregate (企业
//! and 转让申请 of the shipped revision: they read their own record and the records it
//! refers to, in tables read before theirs) is evaluated as its file is checked, and
//! its outcomes wait, packed (`src/stream/packed.rs`), in an unnamed temporary file
//! (in `TMPDIR`: see [`crate::spill`]) for their turn, so its file is read once; that
//! file is dropped, unread, if the check fails. Any other streamed file is read twice
//! (as the hand-written baseline reads 企业.csv). When the check finds a problem, or
//! cannot rule one out (two keys with one fingerprint), the folder is read again in
//! memory by [`load_dir`]: its errors are reported exactly, or, clean after all, it is
//! evaluated from memory.

pub mod diff;
mod packed;

use crate::data::{
    DataError, DataFiles, DataNote, Dataset, EncodingChoice, KeyIndex, KeyMode, KeySet, LoadErrors,
    LoadOptions, Projection, Record, Table, find_data_files, load_dir, open_table_in,
};
use crate::eval::{Evaluator, FedAgg, Outcome, Scratch, Status};
use crate::parallel;
use crate::program::{EntityId, Program};
use crate::progress::Observer;
use crate::report::jsonl::LineWriter;
use crate::spill::SpillFile;
use crate::value::Value;
use chrono::NaiveDate;
use packed::Packed;
use std::borrow::Cow;
use std::cell::OnceCell;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
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
    /// Of those streamed, the entities evaluated as their file was checked (their
    /// rules compute no aggregate), their outcomes kept in a temporary file until
    /// their turn in report order.
    pub early: usize,
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
    /// The temporary file that holds an entity's outcomes until their turn could not
    /// be made, written or read back.
    #[error(
        "could not keep the outcomes of `{entity}` in a temporary file (in {dir}; set TMPDIR to use another folder): {error}"
    )]
    Spill {
        entity: String,
        dir: PathBuf,
        error: io::Error,
    },
    /// The temporary file that holds a diff's changes until they are written could
    /// not be made, written or read back.
    #[error(
        "could not keep the diff's changes in a temporary file (in {dir}; set TMPDIR to use another folder): {error}"
    )]
    ChangesSpill { dir: PathBuf, error: io::Error },
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
    let writer = LineWriter::new(program);
    let needs = Needs::of(&[program], &[]);
    let early = EvalEarly {
        program,
        writer: &writer,
        as_of,
    };
    let pass1 = Pass1 {
        programs: &[program],
        needs: &needs,
        as_of,
        encoding,
        observer,
        early: Some(&early),
    };
    let before = empty_cells(program);
    let Some(mut prepared) = pass1.run(dir, &before)? else {
        return in_memory(program, dir, &opts, as_of, w);
    };
    let n = program.entities.len();
    let mut ev = Evaluator::new(program, &prepared.dataset, as_of);
    let fed = std::mem::take(&mut prepared.fed);
    ev.adopt_fed(fed.into_iter().next().unwrap_or_default());
    // Pass 2: evaluate and write, in report order; a reader thread parses the next
    // batch of a streamed file while the current one is evaluated on every core.
    observer.phase("evaluating", None);
    let mut summary = Summary {
        notes: std::mem::take(&mut prepared.notes),
        ..Summary::default()
    };
    let spills = std::mem::take(&mut prepared.early);
    let mut spills = spills.into_iter();
    let holds = &prepared.holds;
    let kept = |e: EntityId| !matches!(holds.get(e.0), Some(Hold::Nothing) | None);
    let source = Source {
        program,
        prepared: &prepared,
        needs: &needs,
        encoding,
    };
    for e in (0..n).map(EntityId) {
        let out = Out {
            ev: &ev,
            writer: &writer,
            entity: e,
            observer,
        };
        summary.kept += usize::from(kept(e));
        if let Some(spill) = spills.next().flatten() {
            summary.streamed += 1;
            summary.early += 1;
            spill.copy_to(w, &mut summary, observer)?;
            continue;
        }
        summary.streamed += usize::from(source.file_of(e).is_some());
        source.each_batch(e, |first, batch| out.write(first, &batch, w, &mut summary))?;
    }
    Ok(summary)
}

/// What pass 1 needs of the records, for every program run on them (one for `eval`,
/// two for `diff`, with one schema: entity and field ids are the same in each).
pub(crate) struct Needs {
    /// Per entity and field: read through a reference or by an aggregate.
    afar: Vec<Vec<bool>>,
    /// Per entity and field: read by the entity's own rules (and what they call).
    local: Vec<Vec<bool>>,
    /// Per entity: some aggregate groups by it.
    parents: Vec<bool>,
    /// Per entity: some aggregate reads its records.
    aggregated: Vec<bool>,
}

impl Needs {
    /// The union of what `programs` read, and the `extra` fields: (entity, field, afar)
    /// read besides (a diff's `--by` paths).
    pub(crate) fn of(programs: &[&Program], extra: &[(EntityId, usize, bool)]) -> Needs {
        let Some(first) = programs.first() else {
            return Needs {
                afar: Vec::new(),
                local: Vec::new(),
                parents: Vec::new(),
                aggregated: Vec::new(),
            };
        };
        let n = first.entities.len();
        let mut needs = Needs {
            afar: first.fields_read_afar(),
            local: (0..n)
                .map(|e| first.fields_read_locally(EntityId(e)))
                .collect(),
            parents: first.aggregate_parents(),
            aggregated: first.aggregated(),
        };
        let or = |into: &mut [bool], from: &[bool]| {
            for (a, b) in into.iter_mut().zip(from) {
                *a |= b;
            }
        };
        for p in programs.iter().skip(1) {
            for (into, from) in needs.afar.iter_mut().zip(p.fields_read_afar()) {
                or(into, &from);
            }
            for (e, into) in needs.local.iter_mut().enumerate() {
                or(into, &p.fields_read_locally(EntityId(e)));
            }
            or(&mut needs.parents, &p.aggregate_parents());
            or(&mut needs.aggregated, &p.aggregated());
        }
        for &(e, field, afar) in extra {
            let marks = if afar {
                &mut needs.afar
            } else {
                &mut needs.local
            };
            if let Some(m) = marks.get_mut(e.0).and_then(|m| m.get_mut(field)) {
                *m = true;
            }
        }
        needs
    }

    fn local(&self, e: EntityId) -> &[bool] {
        self.local.get(e.0).map_or(&[], Vec::as_slice)
    }
}

/// Pass 1 of a streaming run: every file checked, what is held kept, aggregates fed
/// (for each program), and the entities evaluated early evaluated.
struct Pass1<'r, 'a, E> {
    /// With one schema; the first decides how cells are read.
    programs: &'r [&'a Program],
    needs: &'r Needs,
    as_of: NaiveDate,
    encoding: EncodingChoice,
    observer: &'r dyn Observer,
    /// What is made of the records of the entities evaluated early (`None`: nothing
    /// is evaluated early).
    early: Option<&'r E>,
}

/// What pass 1 makes of the records of an entity evaluated early (one whose rules
/// compute no aggregate, see [`evaluated_early`]): `eval` their packed outcomes, `diff`
/// their changes, kept until the entity's turn in pass 2. One thread evaluates each
/// batch (on every core) while another keeps what was made of the batch before.
pub(crate) trait Early<'a>: Sync {
    type Evaluator: EarlyEvaluator + Send;
    type Keeper: EarlyKeeper<Made = <Self::Evaluator as EarlyEvaluator>::Made> + Send;

    /// What evaluates and keeps the records of `e`, evaluated over `data` (the tables
    /// read before its file: all its records refer to).
    fn start(
        &self,
        e: EntityId,
        data: &'a Dataset,
    ) -> Result<(Self::Evaluator, Self::Keeper), StreamError>;
}

/// See [`Early`].
pub(crate) trait EarlyEvaluator {
    type Made: Send;
    /// Evaluate the next records of the entity, in input order.
    fn evaluate(&mut self, records: Vec<Record>) -> Self::Made;
}

/// See [`Early`].
pub(crate) trait EarlyKeeper {
    type Made;
    /// Keep what was made of the next records.
    fn keep(&mut self, made: Self::Made) -> Result<(), StreamError>;
}

/// What pass 1 leaves for pass 2, the data being clean.
struct Prepared<'a, S> {
    files: DataFiles,
    holds: Vec<Hold>,
    /// Per entity, its keys.
    refs: Vec<KeyIndex>,
    /// The records held.
    dataset: Dataset,
    /// Per program, the aggregates fed.
    fed: Vec<Vec<FedAgg<'a>>>,
    /// Per entity evaluated early, what was made of its records.
    early: Vec<Option<S>>,
    notes: Vec<DataNote>,
}

impl<'a, E: Early<'a>> Pass1<'_, 'a, E> {
    /// `None` when a file has a problem, or one cannot be ruled out: the in-memory
    /// path then reports it exactly, or, clean after all, evaluates from memory.
    /// `before`: one empty cell per entity, for the tables read before its file (what
    /// feeding and early evaluation read), made by the caller because what is fed
    /// borrows them.
    fn run(
        &self,
        dir: &Path,
        before: &'a [OnceCell<Dataset>],
    ) -> Result<Option<Prepared<'a, E::Keeper>>, StreamError> {
        let Some(&program) = self.programs.first() else {
            return Ok(None);
        };
        let files = find_data_files(program, dir).map_err(StreamError::Data)?;
        if !files.cyclic.is_empty() {
            return Err(StreamError::Cyclic);
        }
        let holds = holds(program, self.needs);
        let wanted = wanted_keys(program, &files, &holds, self.encoding);
        let n = program.entities.len();
        let early = match self.early {
            Some(_) => evaluated_early(self.programs, &files, &holds),
            None => vec![false; n],
        };
        // Check every file; keep what others read of the entities they refer to.
        let mut refs: Vec<KeyIndex> = (0..n).map(|_| KeyIndex::empty(false)).collect();
        let mut tables: Vec<Table> = (0..n).map(|_| Table::default()).collect();
        self.observer.phase("checking records", None);
        let mut clean = true;
        let mut notes = files.notes.clone();
        // Aggregates over an entity not held whole are fed as its file is checked, and
        // the rules of an entity evaluated early are evaluated then, by evaluators over
        // the tables read before it (those its records refer to, the parents included).
        let mut fed: Vec<Vec<FedAgg>> = self.programs.iter().map(|_| Vec::new()).collect();
        // The outcomes of the entities evaluated early, until their turn in pass 2.
        let mut spills: Vec<Option<E::Keeper>> = (0..n).map(|_| None).collect();
        for &e in &files.order {
            let Some(path) = files.files.get(e.0).cloned().flatten() else {
                if let Some(slot) = refs.get_mut(e.0) {
                    *slot = KeyIndex::empty(true);
                }
                continue;
            };
            let hold = holds.get(e.0).cloned().unwrap_or(Hold::Nothing);
            let plan = FilePlan {
                entity: e,
                want: wanted.get(e.0).cloned().unwrap_or_default(),
                feed: !matches!(hold, Hold::All(_))
                    && self.needs.aggregated.get(e.0).copied().unwrap_or(false),
                early: early.get(e.0).copied().unwrap_or(false),
                hold,
            };
            let data = before
                .get(e.0)
                .filter(|_| plan.feed || plan.early)
                .map(|cell| {
                    cell.get_or_init(|| Dataset {
                        tables: tables.clone(),
                    })
                });
            let Some(file) = self.file(&plan, &path, &refs, data, clean)? else {
                return Ok(None);
            };
            if let Some(slot) = spills.get_mut(e.0) {
                *slot = file.spill;
            }
            for (all, more) in fed.iter_mut().zip(file.fed) {
                all.extend(more);
            }
            clean &= file.clean && file.errors.is_empty() && !file.index.maybe_duplicate;
            notes.extend(file.notes);
            if let Some(slot) = refs.get_mut(e.0) {
                *slot = file.index;
            }
            if let Some(t) = tables.get_mut(e.0) {
                *t = Table {
                    source: Some(path),
                    records: file.records,
                };
            }
        }
        if !clean {
            return Ok(None);
        }
        Ok(Some(Prepared {
            files,
            holds,
            refs,
            dataset: Dataset { tables },
            fed,
            early: spills,
            notes,
        }))
    }
}

/// One empty cell per entity (see [`Pass1::run`]).
fn empty_cells(program: &Program) -> Vec<OnceCell<Dataset>> {
    program.entities.iter().map(|_| OnceCell::new()).collect()
}

/// Where pass 2 finds each entity's records.
struct Source<'p, 'a, S> {
    /// The first program: it decides how cells are read.
    program: &'p Program,
    prepared: &'p Prepared<'a, S>,
    needs: &'p Needs,
    encoding: EncodingChoice,
}

impl<'p, S> Source<'p, '_, S> {
    /// The file `e`'s records are read from again (`None`: from memory, held whole).
    fn file_of(&self, e: EntityId) -> Option<PathBuf> {
        match self.prepared.holds.get(e.0) {
            Some(Hold::All(None)) => None,
            _ => self.prepared.files.files.get(e.0).cloned().flatten(),
        }
    }

    /// `f` on each batch of `e`'s records in input order, with the index of its first
    /// record: read from the entity's file by a reader thread (the next batch while
    /// this one is used), or taken from memory.
    fn each_batch(
        &self,
        e: EntityId,
        mut f: impl FnMut(usize, Cow<'p, [Record]>) -> Result<(), StreamError>,
    ) -> Result<(), StreamError> {
        let Some(path) = self.file_of(e) else {
            let records = self.prepared.dataset.table(e).map(|t| t.records.as_slice());
            for (k, batch) in records.unwrap_or_default().chunks(BATCH).enumerate() {
                f(k.saturating_mul(BATCH), Cow::Borrowed(batch))?;
            }
            return Ok(());
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Record>, StreamError>>(2);
        std::thread::scope(|s| -> Result<(), StreamError> {
            let (program, encoding) = (self.program, self.encoding);
            let (refs, read) = (&self.prepared.refs, self.needs.local(e));
            s.spawn(move || read_batches(program, e, (&path, encoding), (refs, read), &tx));
            let mut first = 0usize;
            for batch in rx {
                let batch = batch?;
                let len = batch.len();
                f(first, Cow::Owned(batch))?;
                first = first.saturating_add(len);
            }
            Ok(())
        })
    }
}

/// A batch of records cut into chunks for the cores, each with the index of its first
/// record (`first`: the batch's).
fn chunks_at(first: usize, batch: &[Record]) -> Vec<(usize, &[Record])> {
    batch
        .chunks(CHUNK)
        .enumerate()
        .map(|(k, c)| (first.saturating_add(k.saturating_mul(CHUNK)), c))
        .collect()
}

/// Per entity: whether its rules are evaluated as its file is checked (pass 1), their
/// outcomes kept in a temporary file until their turn in report order, instead of
/// the file being read a second time. So are the entities that pass 2 would stream
/// from their file whose rules compute no aggregate: all they read is their own
/// record and those it refers to, in the tables read before theirs.
/// With several programs (a diff), every one's rules must compute no aggregate.
fn evaluated_early(programs: &[&Program], files: &DataFiles, holds: &[Hold]) -> Vec<bool> {
    (0..holds.len())
        .map(EntityId)
        .map(|e| {
            !matches!(holds.get(e.0), Some(Hold::All(None)) | None)
                && files.files.get(e.0).is_some_and(Option::is_some)
                && programs.iter().any(|p| p.rules_for(e).next().is_some())
                && !programs.iter().any(|p| p.rules_read_aggregates(e))
        })
        .collect()
}

/// `eval`'s [`Early`]: packed outcomes in a temporary file.
struct EvalEarly<'w, 'a> {
    program: &'a Program,
    writer: &'w LineWriter<'a>,
    as_of: NaiveDate,
}

/// Evaluates the records of one entity evaluated early into packed outcomes.
struct EvalEvaluator<'w, 'a> {
    ev: Evaluator<'a>,
    writer: &'w LineWriter<'a>,
    entity: EntityId,
    /// The records evaluated so far (the index of the next).
    records: usize,
}

impl<'w, 'a> Early<'a> for EvalEarly<'w, 'a> {
    type Evaluator = EvalEvaluator<'w, 'a>;
    type Keeper = Spill<'w, 'a>;

    fn start(
        &self,
        e: EntityId,
        data: &'a Dataset,
    ) -> Result<(Self::Evaluator, Self::Keeper), StreamError> {
        let evaluator = EvalEvaluator {
            ev: Evaluator::new(self.program, data, self.as_of),
            writer: self.writer,
            entity: e,
            records: 0,
        };
        Ok((evaluator, Spill::new(self.program, e, self.writer)?))
    }
}

impl EarlyEvaluator for EvalEvaluator<'_, '_> {
    type Made = (usize, Vec<Packed>);

    fn evaluate(&mut self, records: Vec<Record>) -> Self::Made {
        let first = self.records;
        self.records = first.saturating_add(records.len());
        let chunks = chunks_at(first, &records);
        let packed = parallel::map_in_order(&chunks, |(start, records)| {
            packed::pack(&self.ev, self.writer, self.entity, *start, records)
        });
        (records.len(), packed)
    }
}

impl EarlyKeeper for Spill<'_, '_> {
    type Made = (usize, Vec<Packed>);

    fn keep(&mut self, (records, packed): Self::Made) -> Result<(), StreamError> {
        self.records = self.records.saturating_add(records);
        for p in packed {
            self.counts.outcomes += p.outcomes;
            self.counts.errors += p.errors;
            packed::write_to(&mut self.file, &p.bytes)
                .map_err(|error| spill_error(&self.name, error))?;
        }
        Ok(())
    }
}

/// The outcomes of an entity evaluated early, packed (see [`packed`]) in an unnamed
/// temporary file (removed when closed), until their turn in report order.
struct Spill<'w, 'a> {
    file: SpillFile,
    entity: EntityId,
    /// The entity's name, for errors.
    name: String,
    /// Writes the lines the packs are unpacked to.
    writer: &'w LineWriter<'a>,
    /// The records kept so far.
    records: usize,
    /// The outcomes written, and those with status `error`.
    counts: Summary,
}

impl<'w, 'a> Spill<'w, 'a> {
    fn new(
        program: &Program,
        entity: EntityId,
        writer: &'w LineWriter<'a>,
    ) -> Result<Self, StreamError> {
        let name = program.entity(entity).map_or("", |d| d.name.as_str());
        let file = SpillFile::plain().map_err(|error| spill_error(name, error))?;
        Ok(Spill {
            file,
            entity,
            name: name.to_string(),
            writer,
            records: 0,
            counts: Summary::default(),
        })
    }

    /// Write the outcome lines kept to `w`, and count them in `summary`. A thread per
    /// core unpacks the next pack while this one writes the lines of those before.
    fn copy_to(
        self,
        w: &mut dyn Write,
        summary: &mut Summary,
        observer: &dyn Observer,
    ) -> Result<(), StreamError> {
        let Spill {
            file,
            entity,
            name,
            writer,
            records,
            counts,
        } = self;
        let back = |error| spill_error(&name, error);
        // Every core takes the next pack (read in file order, under the lock) and
        // makes its lines; this thread writes them in pack order as they come. No
        // core waits for another's pack to finish before starting its next.
        let packs = Mutex::new((file.reader().map_err(back)?, 0usize));
        std::thread::scope(|s| -> Result<(), StreamError> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, PackLines)>(PACKS_AHEAD);
            for _ in 0..parallel::threads() {
                let (tx, packs) = (tx.clone(), &packs);
                s.spawn(move || {
                    loop {
                        let Ok(mut next) = packs.lock() else { break };
                        let (reader, number) = &mut *next;
                        let at = *number;
                        *number += 1;
                        let pack = packed::read_from(reader);
                        drop(next);
                        let lines =
                            pack.and_then(|p| p.map(|p| unpack(&p, writer, entity)).transpose());
                        let last = !matches!(lines, Ok(Some(_)));
                        // The writer stopped at an error it returns below.
                        if tx.send((at, lines)).is_err() || last {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // Packs made out of turn wait here: at most one per core and the queue.
            let mut waiting = std::collections::BTreeMap::new();
            let mut turn = 0usize;
            for (at, lines) in rx {
                waiting.insert(at, lines);
                while let Some(lines) = waiting.remove(&turn) {
                    turn += 1;
                    match lines.map_err(back)? {
                        Some(lines) => w.write_all(&lines)?,
                        None => return Ok(()),
                    }
                }
            }
            // Every unpacking thread stopped before the file's end.
            Err(back(io::Error::other(
                "the outcomes kept could not all be read back",
            )))
        })?;
        summary.outcomes += counts.outcomes;
        summary.errors += counts.errors;
        observer.advance(records as u64);
        Ok(())
    }
}

/// The lines of one pack, or none after the last.
type PackLines = io::Result<Option<Vec<u8>>>;

fn unpack(pack: &[u8], writer: &LineWriter<'_>, entity: EntityId) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(pack.len().saturating_mul(LINES_PER_PACKED_BYTE));
    packed::unpack(pack, writer, entity, &mut out).map(|()| out)
}

/// Packs whose lines may wait for the writer (each of [`CHUNK`] records).
const PACKS_AHEAD: usize = 4;
/// Bytes of lines reserved per packed byte: a firm's two lines (300 to 400 bytes)
/// pack into 30 to 50, a line that passes into 3.
const LINES_PER_PACKED_BYTE: usize = 10;

fn spill_error(entity: &str, error: io::Error) -> StreamError {
    StreamError::Spill {
        entity: entity.to_string(),
        dir: std::env::temp_dir(),
        error,
    }
}

/// How pass 1 reads one entity's file.
struct FilePlan {
    entity: EntityId,
    /// What is held of its records.
    hold: Hold,
    /// The keys other records refer to it by (for [`Hold::Wanted`]).
    want: Arc<KeySet>,
    /// Aggregates over it are fed as it is checked.
    feed: bool,
    /// Its rules are evaluated as it is checked (see [`evaluated_early`]).
    early: bool,
}

/// What pass 1 found in one file.
struct FileChecked<'a, S> {
    /// No row was bad.
    clean: bool,
    /// The records held, with the fields held.
    records: Vec<Record>,
    /// Per program, the aggregates fed.
    fed: Vec<Vec<FedAgg<'a>>>,
    /// What was made of the records of an entity evaluated early.
    spill: Option<S>,
    index: KeyIndex,
    errors: Vec<DataError>,
    notes: Vec<DataNote>,
}

impl<'a, E: Early<'a>> Pass1<'_, 'a, E> {
    /// Check one file: a reader thread converts its rows (on every core) while this
    /// one feeds aggregates and keeps what is held, and an evaluator thread evaluates
    /// an entity evaluated early. `data`: the tables read before it, for feeding and
    /// evaluating; `clean`: no bad row so far (feeding and evaluating stop at one).
    /// `None` when a thread failed (the in-memory path then says why).
    fn file(
        &self,
        plan: &FilePlan,
        path: &Path,
        refs: &[KeyIndex],
        data: Option<&'a Dataset>,
        mut clean: bool,
    ) -> Result<Option<FileChecked<'a, E::Keeper>>, StreamError> {
        let e = plan.entity;
        let Some(&program) = self.programs.first() else {
            return Ok(None);
        };
        let mode = match plan.hold {
            Hold::All(_) => KeyMode::Full,
            Hold::Wanted(_) | Hold::Nothing => KeyMode::Wanted(Arc::clone(&plan.want)),
        };
        let (keeping, held_as) = self.projections(plan);
        // One feeder per program: each feeds its own aggregates.
        let mut feeders: Vec<Evaluator> = match data.filter(|_| plan.feed) {
            Some(d) => self
                .programs
                .iter()
                .map(|p| Evaluator::new(p, d, self.as_of))
                .collect(),
            None => Vec::new(),
        };
        let stages = match (data.filter(|_| plan.early), self.early) {
            (Some(d), Some(early)) => Some(early.start(e, d)?),
            _ => None,
        };
        let early = stages.is_some();
        let mut fed = 0usize;
        let mut records = Vec::new();
        let (checked, spill) = std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Checked>>(2);
            let encoding = self.encoding;
            let reader = s.spawn(move || {
                let reader = open_table_in(program, e, path, refs, encoding).ok()?;
                let mut reader = reader.with_keys(mode).projecting(keeping);
                let mut batch = Vec::with_capacity(BATCH);
                // What is held is what the key index keeps: every record held whole,
                // the wanted ones held in part, none of an entity not referred to.
                while let Some((row, held)) = reader.next_keyed() {
                    batch.push(row.ok().map(|r| (r, held)));
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if tx.send(full).is_err() {
                            return None;
                        }
                    }
                }
                if !batch.is_empty() && tx.send(batch).is_err() {
                    return None;
                }
                Some(reader.finish())
            });
            let (etx, erx) = std::sync::mpsc::sync_channel::<Vec<Record>>(2);
            let stages = stages.map(|(mut evaluator, mut keeper)| {
                // Handed over, not queued: a queue of two held more batches and
                // was no faster (at 1m-firms, in turn).
                let (mtx, mrx) = std::sync::mpsc::sync_channel(0);
                let evaluating = s.spawn(move || {
                    for batch in erx {
                        // The keeper stopped at an error it returns below.
                        if mtx.send(evaluator.evaluate(batch)).is_err() {
                            break;
                        }
                    }
                });
                let keeping = s.spawn(move || -> Result<E::Keeper, StreamError> {
                    for made in mrx {
                        keeper.keep(made)?;
                    }
                    Ok(keeper)
                });
                (evaluating, keeping)
            });
            for batch in rx.iter() {
                self.observer.advance(batch.len() as u64);
                let mut evaluate = Vec::with_capacity(if early { batch.len() } else { 0 });
                for row in batch {
                    let Some((r, held)) = row else {
                        clean = false;
                        continue;
                    };
                    if clean && !feeders.is_empty() {
                        for f in &mut feeders {
                            f.feed(e, fed, &r);
                        }
                        fed += 1;
                    }
                    if early {
                        if held {
                            records.push(
                                held_as
                                    .as_ref()
                                    .map_or_else(|| r.clone(), |p| r.narrowed(p)),
                            );
                        }
                        if clean {
                            evaluate.push(r);
                        }
                    } else if held {
                        // Already with only the fields held (`projecting` above).
                        records.push(r);
                    }
                }
                // The evaluator stops at an error it returns below; the reader stops
                // when nothing receives.
                if clean && !evaluate.is_empty() && etx.send(evaluate).is_err() {
                    break;
                }
            }
            drop((rx, etx));
            let spill = match stages.map(|(ev, keep)| (ev.join(), keep.join())) {
                None => Some(Ok(None)),
                Some((Ok(()), Ok(result))) => Some(result.map(Some)),
                Some(_) => None,
            };
            (reader.join().ok().flatten(), spill)
        });
        let (Some((index, errors, notes)), Some(spill)) = (checked, spill) else {
            return Ok(None);
        };
        Ok(Some(FileChecked {
            clean,
            records,
            fed: feeders.into_iter().map(Evaluator::into_fed).collect(),
            spill: spill?,
            index,
            errors,
            notes,
        }))
    }

    /// What a record keeps while it is checked (what is held of it, what feeding
    /// reads when fed, and what its own rules read when evaluated early), and, when
    /// that is more than what is held, what a held record keeps.
    fn projections(&self, plan: &FilePlan) -> (Option<Arc<Projection>>, Option<Arc<Projection>>) {
        let e = plan.entity;
        let width = self
            .programs
            .first()
            .and_then(|p| p.entity(e))
            .map_or(0, |d| d.fields.len());
        let mut marks = match self.needs.afar.get(e.0) {
            Some(marks) if plan.feed || !matches!(plan.hold, Hold::Nothing) => marks.clone(),
            _ => vec![false; width],
        };
        if plan.early {
            for (m, local) in marks.iter_mut().zip(self.needs.local(e)) {
                *m |= *local;
            }
        }
        let keeping = Projection::keeping(&marks);
        let keeping = (!keeping.keeps_all()).then(|| Arc::new(keeping));
        let held_as = match &plan.hold {
            Hold::All(p) | Hold::Wanted(p) if *p != keeping => p.clone(),
            _ => None,
        };
        (keeping, held_as)
    }
}

/// Records read, evaluated and written together.
const BATCH: usize = 4 * 1024;

/// A row as the check of pass 1 hands it on: `None` when it is bad; else the record
/// and whether it is held.
type Checked = Option<(Record, bool)>;
/// Records one thread evaluates and formats in one go: four chunks a batch keep both
/// cores busy to the batch's end (with two of 2,048, eval at 1M took 6% longer, five
/// runs each in turn; 8,192-record batches gain 2% more for 30 MiB).
const CHUNK: usize = 1024;
/// Bytes of output reserved per outcome (a jsonl line is 100 to 250 bytes).
const LINE_ROOM: usize = 192;

/// Where one entity's outcomes go.
struct Out<'e, 'a> {
    ev: &'e Evaluator<'a>,
    writer: &'e LineWriter<'a>,
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
    /// then write the lines in order, counting them in `summary`. `first` is the
    /// batch's index in the input.
    fn write(
        &self,
        first: usize,
        batch: &[Record],
        w: &mut dyn Write,
        summary: &mut Summary,
    ) -> Result<(), StreamError> {
        let chunks = chunks_at(first, batch);
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
        let mut lines = Lines {
            // Room for a line an outcome, so the buffer seldom moves as it grows.
            bytes: Vec::with_capacity(
                records
                    .len()
                    .saturating_mul(self.ev.rules_of(self.entity).len())
                    .saturating_mul(LINE_ROOM),
            ),
            ..Lines::default()
        };
        for (i, r) in records.iter().enumerate() {
            let index = first.saturating_add(i);
            self.ev
                .record_outcomes_in(&mut scratch, self.entity, index, r, &mut out);
            // Read as a `str` once a record (reading checks the bytes).
            let key = r.key.as_str();
            for o in out.drain(..) {
                lines.outcomes += 1;
                if matches!(o.status, Status::Error(_)) {
                    lines.errors += 1;
                }
                self.writer.write(&mut lines.bytes, key, &o)?;
            }
        }
        Ok(lines)
    }
}

/// Read a checked file in batches, sending each; stops when the receiver is gone.
/// Only the fields marked in `read` are converted.
fn read_batches(
    program: &Program,
    entity: EntityId,
    (path, encoding): (&Path, EncodingChoice),
    (refs, read): (&[KeyIndex], &[bool]),
    tx: &std::sync::mpsc::SyncSender<Result<Vec<Record>, StreamError>>,
) {
    let changed = || StreamError::Changed(path.to_path_buf());
    let reader = match open_table_in(program, entity, path, refs, encoding) {
        Ok(r) => r.with_keys(KeyMode::Unchecked).reading_only(read),
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

/// What a streaming run holds in memory of an entity's records.
#[derive(Clone, Debug)]
enum Hold {
    /// Every record (others refer to the entity, and aggregates group by it), with
    /// only the fields read afar (`Some`) or whole.
    All(Option<Arc<Projection>>),
    /// Only the records other records refer to (by the keys in their files), with
    /// only the fields read afar or whole.
    Wanted(Option<Arc<Projection>>),
    /// Nothing: no record refers to the entity.
    Nothing,
}

/// Per entity, what is held (see [`Hold`]): memory grows with the entities that
/// aggregates group by (the parks), and with the records referred to, not with the
/// rest (the firms).
fn holds(program: &Program, needs: &Needs) -> Vec<Hold> {
    let referred = referred_to(program);
    referred
        .iter()
        .zip(&needs.parents)
        .zip(&needs.afar)
        .map(|((&referred, &parent), marks)| {
            let p = Projection::keeping(marks);
            let p = (!p.keeps_all()).then(|| Arc::new(p));
            match (referred, parent) {
                (false, _) => Hold::Nothing,
                (true, true) => Hold::All(p),
                (true, false) => Hold::Wanted(p),
            }
        })
        .collect()
}

/// Per entity held as [`Hold::Wanted`], the keys other records refer to it by: the
/// reference cells of the files of the entities that refer to it, read first (a bad
/// cell is left to the check of pass 1).
fn wanted_keys(
    program: &Program,
    files: &DataFiles,
    holds: &[Hold],
    encoding: EncodingChoice,
) -> Vec<Arc<KeySet>> {
    let n = program.entities.len();
    let mut wanted: Vec<KeySet> = (0..n).map(|_| KeySet::default()).collect();
    let is_wanted = |e: EntityId| matches!(holds.get(e.0), Some(Hold::Wanted(_)));
    let deferred: Vec<KeyIndex> = (0..n).map(|_| KeyIndex::deferred()).collect();
    for (i, def) in program.entities.iter().enumerate() {
        let columns: Vec<(usize, EntityId)> = def
            .fields
            .iter()
            .enumerate()
            .filter_map(|(c, f)| f.ty.referenced_entity().map(|t| (c, t)))
            .filter(|&(_, t)| is_wanted(t))
            .collect();
        let Some(path) = files.files.get(i).cloned().flatten() else {
            continue;
        };
        if columns.is_empty() {
            continue;
        }
        let Ok(reader) = open_table_in(program, EntityId(i), &path, &deferred, encoding) else {
            continue;
        };
        // Only the reference cells are converted (the file is checked in pass 1).
        let read: Vec<bool> = (0..def.fields.len())
            .map(|c| columns.iter().any(|&(r, _)| r == c))
            .collect();
        let records = reader.with_keys(KeyMode::Unchecked).reading_only(&read);
        for record in records.flatten() {
            for &(c, target) in &columns {
                if let (Some(value), Some(set)) = (record.values.get(c), wanted.get_mut(target.0)) {
                    referred_keys(value, set);
                }
            }
        }
    }
    wanted.into_iter().map(Arc::new).collect()
}

/// The keys a reference cell read unresolved names (a list of references, each).
fn referred_keys(value: &Value, set: &mut KeySet) {
    match value {
        Value::Text(key) => set.insert(key.as_str()),
        Value::List(items) => items.iter().for_each(|v| referred_keys(v, set)),
        _ => {}
    }
}

/// The errors of the folder as the in-memory loader reports them (every one, sorted).
/// When the streaming check found a problem, or could not rule one out (two keys
/// with one fingerprint): the folder read in memory, which reports every error
/// exactly, or, clean after all, is evaluated and written from memory.
fn in_memory(
    program: &Program,
    dir: &Path,
    opts: &LoadOptions,
    as_of: NaiveDate,
    w: &mut dyn Write,
) -> Result<Summary, StreamError> {
    let loaded = load_dir(program, dir, opts).map_err(StreamError::Data)?;
    let outcomes = crate::eval::evaluate(program, &loaded.dataset, as_of);
    let input = crate::report::ReportInput {
        program,
        dataset: &loaded.dataset,
        outcomes: &outcomes,
        as_of,
        skipped: &[],
    };
    crate::report::jsonl::write(w, &input)?;
    Ok(Summary {
        outcomes: outcomes.len(),
        errors: outcomes
            .iter()
            .filter(|o| matches!(o.status, Status::Error(_)))
            .count(),
        kept: program.entities.len(),
        streamed: 0,
        early: 0,
        notes: loaded.notes,
    })
}
