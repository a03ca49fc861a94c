//! Streaming diff: two policies evaluated on the records one batch at a time.
//!
//! Consumes two checked programs with one schema (the same entities, fields and enums:
//! a revision that changes rules, params and lets, not what a record is), a data
//! folder, an as-of date and the `--by` field paths; produces the [`Diff`] that
//! [`compute_diff`](crate::report::diff::compute_diff) makes from two in-memory
//! evaluations, byte for byte once rendered. The folder is read as `eval` streams it
//! (pass 1 of [`crate::stream`], for what both programs read, with an aggregate feeder
//! for each). An entity whose rules compute no aggregate in either program is diffed
//! as its file is checked, by a [`Builder`] of its own (`DiffEarly`); the others
//! are read again, each batch evaluated by both programs on every core while another
//! thread hands the outcome pairs of each record, in report order, to the main
//! builder, which takes in the early entities' builders in their turn
//! ([`Builder::absorb`]). Builders keep counts, sums and breakdowns.
//! Memory holds what `eval` holds (bounded by the parks, not the firms), plus the
//! changes: for `--format json` not even those, their objects being printed a batch
//! at a time into unnamed temporary files (in `TMPDIR`, compressed: see
//! [`crate::spill`]) that the JSON renderer copies in place
//! ([`json::write_printed`]).
//!
//! `None` when the diff cannot stream: the schemas differ, the entities refer to each
//! other in a cycle, or a file has a problem (the in-memory diff then reports it).

use super::{
    CHUNK, Early, EarlyEvaluator, EarlyKeeper, Needs, Pass1, Source, StreamError, chunks_at,
    empty_cells,
};
use crate::data::{DataNote, Dataset, EncodingChoice, Record};
use crate::eval::{Evaluator, Outcome, Scratch, Status};
use crate::parallel;
use crate::program::{EntityId, Program, Ty};
use crate::progress::{Observer, Quiet};
use crate::report::diff::align::merge_with;
use crate::report::diff::{Builder, Diff, Evaluators, Pair, RecordAt, Side, by, json};
use crate::spill::{SpillFile, Spilled};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::io;
use std::path::Path;
use std::sync::Arc;

/// What a diff is asked for.
#[derive(Clone, Copy, Debug)]
pub struct DiffJob<'r> {
    pub base: &'r Program,
    pub revised: &'r Program,
    pub as_of: NaiveDate,
    pub encoding: EncodingChoice,
    /// Field paths to break the money down by (`--by`).
    pub by: &'r [String],
    /// Print the change objects as JSON as they are made (for `--format json`),
    /// instead of keeping them in [`Diff::changes`].
    pub print_json: bool,
}

/// A diff made by streaming.
#[derive(Debug)]
pub struct StreamedDiff {
    /// With no changes when they were printed.
    pub diff: Diff,
    /// The change objects printed, in parts (see [`json::write_printed`]).
    pub printed: Option<Vec<Spilled>>,
    /// Outcomes with status `error`, on both sides.
    pub errors: usize,
    /// What the loader noticed (ignored files, percent columns that look like
    /// fractions).
    pub notes: Vec<DataNote>,
}

/// The diff of `job.revised` against `job.base` on the records of `dir`, streamed;
/// `None` when it cannot be (see the module doc: nothing is decided then).
pub fn diff(
    job: &DiffJob,
    dir: &Path,
    observer: &dyn Observer,
) -> Result<Option<StreamedDiff>, StreamError> {
    let (base, revised) = (job.base, job.revised);
    if base.entities != revised.entities || base.enums != revised.enums {
        return Ok(None);
    }
    let programs = [base, revised];
    let needs = Needs::of(&programs, &by_fields(revised, job.by));
    let base_rank = base_ranks(base, revised);
    let early = DiffEarly {
        programs,
        job,
        base_rank: &base_rank,
    };
    let pass1 = Pass1 {
        programs: &programs,
        needs: &needs,
        as_of: job.as_of,
        encoding: job.encoding,
        observer,
        early: Some(&early),
    };
    let before = empty_cells(revised);
    let mut prepared = match pass1.run(dir, &before) {
        Ok(Some(p)) => p,
        Ok(None) | Err(StreamError::Cyclic) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut fed = std::mem::take(&mut prepared.fed).into_iter();
    let evaluators = programs.map(|p| {
        let mut ev = Evaluator::new(p, &prepared.dataset, job.as_of);
        ev.adopt_fed(fed.next().unwrap_or_default());
        ev
    });
    let notes = std::mem::take(&mut prepared.notes);
    let side = |program| Side {
        program,
        dataset: &prepared.dataset,
        outcomes: &[],
        as_of: job.as_of,
    };
    let [eb, er] = &evaluators;
    let build = Build {
        builder: Builder::new(
            side(base),
            side(revised),
            job.by,
            Evaluators::Given([eb, er]),
        ),
        base_rank: base_rank.clone(),
        printed: Printed::new(job.print_json)?,
        errors: 0,
    };
    let mut early = std::mem::take(&mut prepared.early).into_iter();
    observer.phase("evaluating both policies", None);
    // This thread evaluates each batch (on every core) while a second one builds the
    // diff from the batch before, in order; a third reads the next batch.
    let (to_build, work) = std::sync::mpsc::sync_channel::<Job>(2);
    let evaluate = Evaluate {
        evaluators: [eb, er],
        observer,
        to_build,
    };
    let (evaluated, built) = std::thread::scope(|s| {
        let builder = s.spawn(move || build.all(work));
        let source = Source {
            program: revised,
            prepared: &prepared,
            needs: &needs,
            encoding: job.encoding,
        };
        let evaluated = (0..revised.entities.len()).map(EntityId).try_for_each(|e| {
            match early.next().flatten() {
                // Built as its file was checked: taken in its turn.
                Some(kept) => evaluate.built(kept),
                None => source.each_batch(e, |first, batch| evaluate.batch(e, first, batch)),
            }
        });
        // The builder ends when nothing more comes.
        drop(evaluate);
        (evaluated, builder.join())
    });
    let Ok(built) = built else {
        return Err(StreamError::Io(io::Error::other(
            "the diff's builder failed",
        )));
    };
    let Build {
        builder,
        printed,
        errors,
        ..
    } = built?;
    evaluated?;
    let printed = match printed {
        Some(p) => Some(p.parts()?),
        None => None,
    };
    Ok(Some(StreamedDiff {
        diff: builder.finish(),
        printed,
        errors,
        notes,
    }))
}

/// The fields the `--by` paths read, as [`Needs::of`] takes them: from each entity
/// the path starts on, the first field on the record itself, the others afar.
fn by_fields(program: &Program, by: &[String]) -> Vec<(EntityId, usize, bool)> {
    let mut out = Vec::new();
    for path in by {
        for e in (0..program.entities.len()).map(EntityId) {
            let Some(ids) = by::resolve(program, e, path) else {
                continue;
            };
            let mut at = e;
            for (k, id) in ids.iter().enumerate() {
                out.push((at, id.0, k > 0));
                let ty = program.entity(at).and_then(|d| d.field(*id));
                if let Some(Ty::Entity(t)) = ty.map(|f| &f.ty) {
                    at = *t;
                }
            }
        }
    }
    out
}

/// Per base rule, its rank in the revised policy's report order: its position there,
/// or, when the revision removed it, after every revised rule (as the in-memory
/// alignment orders them).
fn base_ranks(base: &Program, revised: &Program) -> Vec<usize> {
    base.rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            revised
                .rule_by_name(&r.name)
                .map_or(revised.rules.len().saturating_add(i), |id| id.0)
        })
        .collect()
}

/// Pass 2 of a streaming diff, the evaluating side: each batch evaluated by both
/// programs and sent to [`Build`].
struct Evaluate<'r, 's, 'a, 'd> {
    evaluators: [&'s Evaluator<'a>; 2],
    observer: &'r dyn Observer,
    to_build: std::sync::mpsc::SyncSender<Job<'d, 's, 'a>>,
}

/// What the building thread is sent.
enum Job<'d, 's, 'a> {
    /// A batch to build from.
    Batch(Work<'d>),
    /// The diff of an entity built as its file was checked, to take in.
    Built(Box<Build<'s, 'a>>),
}

/// A batch of records of one entity, evaluated.
struct Work<'d> {
    entity: EntityId,
    /// The index of the batch's first record in the input.
    first: usize,
    records: Cow<'d, [Record]>,
    /// Per chunk of [`CHUNK`] records.
    chunks: Vec<Evaluated>,
}

/// The outcomes of a run of records on both sides, one after the other; `ends[i]`:
/// where record `i`'s end on each side.
#[derive(Default)]
struct Evaluated {
    outcomes: [Vec<Outcome>; 2],
    ends: Vec<[usize; 2]>,
}

impl<'d, 's, 'a> Evaluate<'_, 's, 'a, 'd> {
    /// Evaluate a batch of records of `e` on every core and send it to be built.
    /// `first`: the batch's index in the input.
    fn batch(
        &self,
        e: EntityId,
        first: usize,
        records: Cow<'d, [Record]>,
    ) -> Result<(), StreamError> {
        let chunks = evaluate_both(self.evaluators, e, first, &records, self.observer);
        self.send(Job::Batch(Work {
            entity: e,
            first,
            records,
            chunks,
        }))
    }

    /// Send the diff of an entity evaluated early to be taken in.
    fn built(&self, keeper: DiffKeeper<'s, 'a>) -> Result<(), StreamError> {
        self.observer.advance(keeper.records as u64);
        self.send(Job::Built(Box::new(keeper.build)))
    }

    fn send(&self, job: Job<'d, 's, 'a>) -> Result<(), StreamError> {
        // The builder stopped at an error: it says which when joined.
        self.to_build
            .send(job)
            .map_err(|_| StreamError::Io(io::Error::other("the diff's builder stopped")))
    }
}

/// A run of records of `e` evaluated by both programs, a chunk on each core at a time.
/// `first`: the run's index in the input.
fn evaluate_both(
    evaluators: [&Evaluator; 2],
    e: EntityId,
    first: usize,
    records: &[Record],
    observer: &dyn Observer,
) -> Vec<Evaluated> {
    let chunks = chunks_at(first, records);
    parallel::map_in_order(&chunks, |(start, records)| {
        let mut scratch = Scratch::default();
        let mut out = Evaluated {
            ends: Vec::with_capacity(records.len()),
            // An outcome a rule a record: the lists never move as they grow.
            outcomes: evaluators
                .map(|ev| Vec::with_capacity(records.len().saturating_mul(ev.rules_of(e).len()))),
        };
        for (i, r) in records.iter().enumerate() {
            let index = start.saturating_add(i);
            for (ev, outcomes) in evaluators.iter().zip(&mut out.outcomes) {
                ev.record_outcomes_in(&mut scratch, e, index, r, outcomes);
            }
            let [b, r] = &out.outcomes;
            out.ends.push([b.len(), r.len()]);
        }
        observer.advance(records.len() as u64);
        out
    })
}

/// `diff`'s [`Early`]: an entity whose rules compute no aggregate in either policy is
/// evaluated and built as its file is checked, by its own [`Build`], taken into the
/// diff in its turn ([`Build::absorb`]).
struct DiffEarly<'r> {
    programs: [&'r Program; 2],
    job: &'r DiffJob<'r>,
    base_rank: &'r [usize],
}

/// Evaluates the records of one entity evaluated early, by both programs.
struct DiffEvaluator<'a> {
    /// Shared with the builder, which explains with them.
    evaluators: Arc<[Evaluator<'a>; 2]>,
    entity: EntityId,
    /// The records evaluated so far (the index of the next).
    records: usize,
}

/// The diff of one entity evaluated early, built as its records are evaluated.
struct DiffKeeper<'s, 'a> {
    build: Build<'s, 'a>,
    /// The records built so far.
    records: usize,
}

impl<'a> Early<'a> for DiffEarly<'a> {
    type Evaluator = DiffEvaluator<'a>;
    type Keeper = DiffKeeper<'a, 'a>;

    fn start(
        &self,
        e: EntityId,
        data: &'a Dataset,
    ) -> Result<(Self::Evaluator, Self::Keeper), StreamError> {
        let [base, revised] = self.programs;
        let side = |program| Side {
            program,
            dataset: data,
            outcomes: &[],
            as_of: self.job.as_of,
        };
        let evaluators = Arc::new(
            self.programs
                .map(|p| Evaluator::new(p, data, self.job.as_of)),
        );
        let explaining = Evaluators::Shared(Arc::clone(&evaluators));
        let evaluator = DiffEvaluator {
            evaluators,
            entity: e,
            records: 0,
        };
        let keeper = DiffKeeper {
            build: Build {
                builder: Builder::new(side(base), side(revised), self.job.by, explaining),
                base_rank: self.base_rank.to_vec(),
                printed: Printed::new(self.job.print_json)?,
                errors: 0,
            },
            records: 0,
        };
        Ok((evaluator, keeper))
    }
}

impl EarlyEvaluator for DiffEvaluator<'_> {
    type Made = Work<'static>;

    fn evaluate(&mut self, records: Vec<Record>) -> Self::Made {
        let [b, r] = &*self.evaluators;
        let first = self.records;
        self.records = first.saturating_add(records.len());
        // Progress counts the rows checked, not these again.
        let chunks = evaluate_both([b, r], self.entity, first, &records, &Quiet);
        Work {
            entity: self.entity,
            first,
            records: Cow::Owned(records),
            chunks,
        }
    }
}

impl EarlyKeeper for DiffKeeper<'_, '_> {
    type Made = Work<'static>;

    fn keep(&mut self, work: Self::Made) -> Result<(), StreamError> {
        self.records = self.records.saturating_add(work.records.len());
        self.build.batch(&work)
    }
}

/// Pass 2 of a streaming diff, the building side: the outcome pairs of each record
/// handed to the builder in report order, the changes printed after each batch.
struct Build<'s, 'a> {
    builder: Builder<'s, 'a>,
    base_rank: Vec<usize>,
    printed: Option<Printed>,
    errors: usize,
}

impl<'s, 'a> Build<'s, 'a> {
    /// Build from every batch sent, in order; stops at the first error.
    fn all(
        mut self,
        jobs: std::sync::mpsc::Receiver<Job<'_, 's, 'a>>,
    ) -> Result<Self, StreamError> {
        for job in jobs {
            match job {
                Job::Batch(w) => self.batch(&w)?,
                Job::Built(other) => self.absorb(*other)?,
            }
        }
        Ok(self)
    }

    /// Take in the diff of the records after those built so far.
    fn absorb(&mut self, other: Build<'s, 'a>) -> Result<(), StreamError> {
        self.errors += other.errors;
        self.builder.absorb(other.builder);
        match (&mut self.printed, other.printed) {
            (Some(mine), Some(theirs)) => mine.absorb(theirs),
            _ => Ok(()),
        }
    }

    fn batch(&mut self, w: &Work) -> Result<(), StreamError> {
        // Every record's pairs, one after the other, and where each record's are (at
        // most a pair an outcome: the buffers never grow).
        let outcomes = w
            .chunks
            .iter()
            .flat_map(|c| &c.outcomes)
            .map(Vec::len)
            .sum();
        let mut pairs: Vec<Pair> = Vec::with_capacity(outcomes);
        let mut spans: Vec<(RecordAt, std::ops::Range<usize>)> =
            Vec::with_capacity(w.records.len());
        let starts = (0..).map(|k: usize| w.first.saturating_add(k.saturating_mul(CHUNK)));
        for ((start, records), out) in starts.zip(w.records.chunks(CHUNK)).zip(&w.chunks) {
            let [bo, ro] = &out.outcomes;
            self.errors += bo
                .iter()
                .chain(ro)
                .filter(|o| matches!(o.status, Status::Error(_)))
                .count();
            let mut from = [0, 0];
            for (i, (record, ends)) in records.iter().zip(&out.ends).enumerate() {
                let [b, r] = [bo.get(from[0]..ends[0]), ro.get(from[1]..ends[1])];
                from = *ends;
                let first = pairs.len();
                pair_up(
                    &self.base_rank,
                    b.unwrap_or_default(),
                    r.unwrap_or_default(),
                    &mut pairs,
                );
                let at = RecordAt {
                    entity: w.entity,
                    index: start.saturating_add(i),
                    record,
                };
                spans.push((at, first..pairs.len()));
            }
        }
        let items: Vec<([Option<RecordAt>; 2], &[Pair])> = spans
            .into_iter()
            .map(|(at, span)| ([Some(at), Some(at)], pairs.get(span).unwrap_or_default()))
            .collect();
        self.builder.records(&items);
        if let Some(printed) = &mut self.printed {
            printed.print(&self.builder.take_changes())?;
        }
        Ok(())
    }
}

/// One record's outcomes on each side, paired by rule, in the revised policy's order
/// with the rules it removed last (`base_rank`: see [`base_ranks`]).
fn pair_up<'o>(
    base_rank: &[usize],
    base: &'o [Outcome],
    revised: &'o [Outcome],
    pairs: &mut Vec<Pair<'o>>,
) {
    let rank = |o: &Outcome| base_rank.get(o.rule.0).copied().unwrap_or(usize::MAX);
    let key = |o: &'o Outcome| ((0, 0, rank(o)), o);
    let r = revised.iter().map(|o| ((0, 0, o.rule.0), o));
    // In the revised order already unless the revision moved rules: sorted only then.
    if base.is_sorted_by_key(rank) {
        merge_with(base.iter().map(key), r, |_, pair| pairs.push(pair));
        return;
    }
    let mut b: Vec<((usize, usize, usize), &Outcome)> = base.iter().map(key).collect();
    b.sort_by_key(|(k, _)| *k);
    merge_with(b, r, |_, pair| pairs.push(pair));
}

/// The change objects printed so far, in temporary files: the parts done, and the
/// one being written. Each part starts as the first element of an array would.
struct Printed {
    done: Vec<Spilled>,
    file: SpillFile,
    /// Changes in `file`.
    in_file: usize,
}

impl Printed {
    /// `None` unless changes are printed (`print`).
    fn new(print: bool) -> Result<Option<Printed>, StreamError> {
        if !print {
            return Ok(None);
        }
        Ok(Some(Printed {
            done: Vec::new(),
            file: SpillFile::blocks().map_err(changes_error)?,
            in_file: 0,
        }))
    }

    fn print(&mut self, changes: &[crate::report::diff::RecordChange]) -> Result<(), StreamError> {
        if changes.is_empty() {
            return Ok(());
        }
        // Each run of changes is compressed by the thread that printed it.
        let blocks = json::print_changes_each(changes, self.in_file == 0, |bytes| {
            crate::spill::compress_block(&bytes)
        })
        .map_err(changes_error)?;
        for block in blocks {
            let block = block.map_err(changes_error)?;
            self.file.write_block(&block).map_err(changes_error)?;
        }
        self.in_file = self.in_file.saturating_add(changes.len());
        Ok(())
    }

    /// Take in the changes printed after these.
    fn absorb(&mut self, other: Printed) -> Result<(), StreamError> {
        let mine = std::mem::replace(&mut self.file, SpillFile::blocks().map_err(changes_error)?);
        if std::mem::take(&mut self.in_file) > 0 {
            self.done.push(mine.reader().map_err(changes_error)?);
        }
        self.done.extend(other.parts()?);
        Ok(())
    }

    /// The parts that hold changes, in order.
    fn parts(mut self) -> Result<Vec<Spilled>, StreamError> {
        if self.in_file > 0 {
            self.done.push(self.file.reader().map_err(changes_error)?);
        }
        Ok(self.done)
    }
}

fn changes_error(error: io::Error) -> StreamError {
    StreamError::ChangesSpill {
        dir: std::env::temp_dir(),
        error,
    }
}
