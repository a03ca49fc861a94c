//! `parkrules diff BASE REVISED --data DIR`: the impact of a revision.

use super::progress::Bar;
use super::{DataArgs, Exit, OutputArgs, compile, load_data, resolve_as_of, write_output};
use chrono::NaiveDate;
use parkrules::eval;
use parkrules::program::{Program, StatusKind};
use parkrules::report::diff::{self, DiffFormat, Side};
use parkrules::stream::diff::{DiffJob, StreamedDiff};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The policy in force
    pub base: PathBuf,
    /// The revised draft
    pub revised: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Break money and counts down by a field (`镇街道`, `园区.镇街道`); repeatable
    #[arg(long = "by", value_name = "FIELD")]
    pub by: Vec<String>,
    /// Output format (xlsx, a workbook, needs -o)
    #[arg(long, default_value = "text", value_parser = ["text", "markdown", "json", "html", "xlsx"])]
    pub format: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &Args) -> Result<Exit, Exit> {
    super::binary_needs_file(&args.format, args.output.out.as_ref())?;
    let base = compile(&args.base)?;
    let revised = compile(&args.revised)?;
    let (bp, rp) = match (base.program.as_ref(), revised.program.as_ref()) {
        (Some(b), Some(r)) => (b, r),
        _ => return Err(Exit::Failed),
    };
    // `--as-of` applies to both; by default each policy is read at the revision's
    // effective date, so both sides are compared on the same day.
    let as_of = resolve_as_of(args.data.as_of.as_deref(), rp)?;
    let format = DiffFormat::from_name(&args.format).unwrap_or(DiffFormat::Text);
    // Record by record when the data allows (a revision that changes no entity or
    // enum, the data clean); else in memory, which also reports the data's problems.
    if !args.data.skip_bad_records
        && let Some(exit) = streamed(args, [bp, rp], as_of, format)?
    {
        return Ok(exit);
    }
    // One load when both policies read the records the same way (a revision that
    // changes no entity or enum); else each side loads them for its own schema.
    let same_schema = bp.entities == rp.entities && bp.enums == rp.enums;
    let (bdata, bskipped) = load_data(bp, &args.data)?;
    let revised_data = if same_schema {
        None
    } else {
        Some(load_data(rp, &args.data)?)
    };
    let (rdata, rskipped) = match &revised_data {
        Some((d, s)) => (d, s.as_slice()),
        None => (&bdata, bskipped.as_slice()),
    };
    // A diff has no place for skipped rows: they are listed on stderr (per side when
    // the sides read the records differently).
    let sides = match revised_data {
        Some(_) => vec![
            (super::tr("base ", "基础政策 "), bskipped.as_slice()),
            (super::tr("revised ", "修订稿 "), rskipped),
        ],
        None => vec![("", bskipped.as_slice())],
    };
    for (side, skipped) in sides {
        for s in skipped {
            let skipped = super::tr("skipped", "已跳过");
            eprintln!("{skipped} {side}{}:{}: {}", s.file, s.row, s.reason);
        }
    }
    // Both sides at once (each also spreads over the cores).
    let records = |d: &parkrules::data::Dataset| -> u64 {
        d.tables.iter().map(|t| t.records.len() as u64).sum()
    };
    let bar = Bar::total("evaluating both policies", records(&bdata) + records(rdata));
    let (bout, rout) = std::thread::scope(|s| {
        let base = s.spawn(|| eval::evaluate_observed(bp, &bdata, as_of, &bar));
        let revised = eval::evaluate_observed(rp, rdata, as_of, &bar);
        (base.join(), revised)
    });
    bar.finish();
    let Ok(bout) = bout else {
        super::error(super::tr(
            "the evaluation of the base policy failed",
            "基础政策的评估失败",
        ));
        return Err(Exit::Failed);
    };
    let d = diff::compute_diff(
        &Side {
            program: bp,
            dataset: &bdata,
            outcomes: &bout,
            as_of,
        },
        &Side {
            program: rp,
            dataset: rdata,
            outcomes: &rout,
            as_of,
        },
        &args.by,
    );
    write_output(args.output.out.as_ref(), |w| {
        diff::write_diff_in(w, format, &d, super::lang::get())
    })?;
    let errors = bout
        .iter()
        .chain(&rout)
        .filter(|o| o.status.kind() == StatusKind::Error);
    let errors = errors.count();
    // The process ends after this command: its memory goes back to the system at
    // once, without freeing millions of records, outcomes and changes one by one
    // (a second and more at a million firms).
    std::mem::forget((d, bout, rout, bdata, revised_data));
    Ok(errors_exit(errors))
}

/// Exit 1 when an outcome is `error` (SPEC §4), on either side.
fn errors_exit(errors: usize) -> Exit {
    if errors > 0 {
        super::error(super::tr(
            format!("{errors} outcome(s) are errors (see the report)"),
            format!("{errors} 个结果为 error（见报告）"),
        ));
        return Exit::Failed;
    }
    Exit::Ok
}

/// The diff made record by record (see `parkrules::stream::diff`); `None` when it
/// cannot be (nothing was written then).
fn streamed(
    args: &Args,
    [base, revised]: [&Program; 2],
    as_of: NaiveDate,
    format: DiffFormat,
) -> Result<Option<Exit>, Exit> {
    super::readable_data_dir(&args.data.data)?;
    let job = DiffJob {
        base,
        revised,
        as_of,
        encoding: args.data.load_options().encoding,
        by: &args.by,
        print_json: format == DiffFormat::Json,
    };
    let bar = Bar::start();
    let made = parkrules::stream::diff::diff(&job, &args.data.data, &bar);
    bar.finish();
    let StreamedDiff {
        diff: d,
        printed,
        errors,
        notes,
    } = match made {
        Ok(Some(made)) => made,
        Ok(None) => return Ok(None),
        Err(e) => return Err(super::stream_failed(e)),
    };
    super::print_notes(&notes);
    write_output(args.output.out.as_ref(), |w| match printed {
        Some(mut parts) => diff::json::write_printed(w, &d, &mut parts),
        None => diff::write_diff_in(w, format, &d, super::lang::get()),
    })?;
    // The process ends after this command (see `run`).
    std::mem::forget(d);
    Ok(Some(errors_exit(errors)))
}
