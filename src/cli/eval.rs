//! `parkrules eval POLICY --data DIR`: every rule on every record.

use super::progress::Bar;
use super::{
    DataArgs, Exit, OutputArgs, binary_needs_file, compile, error, load_data, print_notes,
    resolve_as_of, try_write_output, write_failed, write_output,
};
use chrono::NaiveDate;
use parkrules::eval;
use parkrules::program::{Program, StatusKind};
use parkrules::progress::Observer;
use parkrules::report::{self, Format, ReportInput};
use parkrules::stream::{self, StreamError};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A .rules file or a folder of them
    pub policy: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format (jsonl is written record by record as it is evaluated; xlsx, a
    /// workbook, needs -o)
    #[arg(long, default_value = "text", value_parser = ["text", "json", "jsonl", "csv", "snapshot", "xlsx"])]
    pub format: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &Args) -> Result<Exit, Exit> {
    binary_needs_file(&args.format, args.output.out.as_ref())?;
    let compiled = compile(&args.policy)?;
    let program = compiled.program.as_ref().ok_or(Exit::Failed)?;
    let as_of = resolve_as_of(args.data.as_of.as_deref(), program)?;
    // jsonl streams; the other formats align columns or total over all outcomes, and
    // skipping bad rows needs the whole folder: they evaluate in memory.
    if args.format == "jsonl" && !args.data.skip_bad_records {
        // `None`: entities refer to each other in a cycle; read them in memory.
        if let Some(exit) = streamed(args, program, as_of)? {
            return Ok(exit);
        }
    }
    let bar = Bar::start();
    bar.phase("loading records", None);
    let (dataset, skipped) = load_data(program, &args.data)?;
    let outcomes = eval::evaluate_observed(program, &dataset, as_of, &bar);
    bar.phase("writing", None);
    let format = Format::from_name(&args.format).unwrap_or(Format::Text);
    let input = ReportInput {
        program,
        dataset: &dataset,
        outcomes: &outcomes,
        as_of,
        skipped: &skipped,
    };
    write_output(args.output.out.as_ref(), |w| {
        report::write_outcomes_in(w, format, &input, super::lang::get())
    })?;
    let errors = outcomes
        .iter()
        .filter(|o| o.status.kind() == StatusKind::Error)
        .count();
    Ok(errors_exit(errors))
}

/// Exit 1 when an outcome is `error` (SPEC §4).
fn errors_exit(errors: usize) -> Exit {
    if errors > 0 {
        error(super::tr(
            format!("{errors} outcome(s) are errors"),
            format!("{errors} 个结果为 error"),
        ));
        Exit::Failed
    } else {
        Exit::Ok
    }
}

/// Evaluate record by record (see `parkrules::stream`); `None` when the policy's
/// entities cannot be streamed (nothing was written then).
fn streamed(args: &Args, program: &Program, as_of: NaiveDate) -> Result<Option<Exit>, Exit> {
    super::readable_data_dir(&args.data.data)?;
    let mut outcome = None;
    let bar = Bar::start();
    let written = try_write_output(args.output.out.as_ref(), |w| {
        let encoding = args.data.load_options().encoding;
        match stream::eval_jsonl_in(program, &args.data.data, as_of, encoding, w, &bar) {
            Err(StreamError::Io(e)) => Err(e),
            result => {
                let failed = result.is_err();
                outcome = Some(result);
                if failed {
                    // Nothing was written; keep an old -o file as it was.
                    Err(std::io::Error::other("aborted"))
                } else {
                    Ok(())
                }
            }
        }
    });
    bar.finish();
    match (outcome, written) {
        (Some(Ok(summary)), Ok(())) => {
            print_notes(&summary.notes);
            Ok(Some(errors_exit(summary.errors)))
        }
        (Some(Err(StreamError::Cyclic)), _) => Ok(None),
        (Some(Err(e)), _) => Err(super::stream_failed(e)),
        (_, Err(e)) => Err(write_failed(args.output.out.as_ref(), &e)),
        (None, Ok(())) => Err(Exit::Usage),
    }
}
