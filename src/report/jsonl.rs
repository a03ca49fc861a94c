//! `--format jsonl`: the outcome objects of SPEC §4, one compact JSON object per line.
//!
//! Consumes a [`ReportInput`] (or one outcome at a time, for a streaming caller);
//! produces lines. There is **no header line**: every line is an outcome object whose
//! first key is `"entity"`, exactly as in the `outcomes` array of `--format json`, so
//! `jq -c` and line-by-line scripts need no special case. Skipped rows, when the loader
//! skipped any, come after the last outcome as lines whose only key is `"skipped"`:
//! `{"skipped":{"file":…,"row":…,"reason":…}}`; a script tells them apart by that key.

use crate::data::Dataset;
use crate::eval::Outcome;
use crate::program::Program;
use crate::report::json::{keyed_outcome_fields, object, outcome_fields, write_skipped_compact};
use crate::report::{ReportInput, Skipped, ordered};
use std::io::{self, Write};

/// Write every outcome (in report order), then the skipped rows.
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    for o in ordered(ctx.outcomes) {
        write_outcome(w, ctx.program, ctx.dataset, o)?;
    }
    write_skipped(w, ctx.skipped)
}

/// Write one outcome line (for callers that stream outcomes as they are evaluated;
/// give it a buffered writer).
pub fn write_outcome(
    w: &mut dyn Write,
    program: &Program,
    dataset: &Dataset,
    o: &Outcome,
) -> io::Result<()> {
    object(w, &outcome_fields(program, dataset, o), None)?;
    w.write_all(b"\n")
}

/// Write one outcome line of the record with this key (for a caller that streams
/// records that are not in a dataset).
pub fn write_keyed_outcome<W: Write + ?Sized>(
    w: &mut W,
    program: &Program,
    key: &str,
    o: &Outcome,
) -> io::Result<()> {
    object(w, &keyed_outcome_fields(program, key, o), None)?;
    w.write_all(b"\n")
}

/// Write the skipped-row lines.
pub fn write_skipped(w: &mut dyn Write, skipped: &[Skipped]) -> io::Result<()> {
    for s in skipped {
        w.write_all(b"{\"skipped\":")?;
        write_skipped_compact(w, s)?;
        w.write_all(b"}\n")?;
    }
    Ok(())
}
