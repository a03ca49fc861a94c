//! `parkrules eval POLICY --data DIR`: every rule on every record.

use super::{DataArgs, Exit, OutputArgs, compile, load_data, resolve_as_of, write_output};
use parkrules::eval;
use parkrules::eval::Status;
use parkrules::report::{self, Format, ReportInput};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A .rules file or a folder of them
    pub policy: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format
    #[arg(long, default_value = "text", value_parser = ["text", "json", "jsonl", "csv", "snapshot"])]
    pub format: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &Args) -> Exit {
    match run_inner(args) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(args: &Args) -> Result<Exit, Exit> {
    let compiled = compile(&args.policy)?;
    let program = compiled.program.as_ref().ok_or(Exit::Failed)?;
    let as_of = resolve_as_of(args.data.as_of.as_deref(), program)?;
    let (dataset, skipped) = load_data(program, &args.data)?;
    let outcomes = eval::evaluate(program, &dataset, as_of);
    let format = Format::from_name(&args.format).unwrap_or(Format::Text);
    let input = ReportInput {
        program,
        dataset: &dataset,
        outcomes: &outcomes,
        as_of,
        skipped: &skipped,
    };
    write_output(args.output.out.as_ref(), |w| {
        report::write_outcomes(w, format, &input)
    })?;
    let errors = outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Error(_)))
        .count();
    if errors > 0 {
        super::error(format_args!("{errors} outcome(s) are errors"));
        return Ok(Exit::Failed);
    }
    Ok(Exit::Ok)
}
