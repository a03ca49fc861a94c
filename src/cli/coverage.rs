//! `parkrules coverage POLICY --data DIR`: how many records reach each clause.

use super::{DataArgs, Exit, OutputArgs, compile, load_data, resolve_as_of, write_output};
use parkrules::eval::coverage;
use parkrules::report::coverage::write_coverage_in;
use parkrules::report::explain::ExplainFormat;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A .rules file or a folder of them
    pub policy: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Exit 1 when a clause is reached by no record (for CI)
    #[arg(long)]
    pub deny_unreached: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &Args) -> Result<Exit, Exit> {
    let compiled = compile(&args.policy)?;
    let program = compiled.program.as_ref().ok_or(Exit::Failed)?;
    let as_of = resolve_as_of(args.data.as_of.as_deref(), program)?;
    let (dataset, _) = load_data(program, &args.data)?;
    let cov = coverage(program, &dataset, as_of);
    let format = ExplainFormat::from_name(&args.format).unwrap_or(ExplainFormat::Text);
    write_output(args.output.out.as_ref(), |w| {
        write_coverage_in(w, format, &cov, super::lang::get())
    })?;
    let unreached = cov.unreached().len() + cov.rules_without_records().count();
    if args.deny_unreached && unreached > 0 {
        super::error(super::tr(
            format!("{unreached} clause(s) reached by no record"),
            format!("{unreached} 个子句没有任何记录到达"),
        ));
        return Ok(Exit::Failed);
    }
    Ok(Exit::Ok)
}
