//! `parkrules test POLICY`: run the policy's `test` blocks.

use super::{Exit, compile, error};
use parkrules::diagnostic::Style;
use parkrules::eval::testrun::run_test;
use parkrules::report::testrun::{write_inherited_results_in, write_test_results_in};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A .rules file or a folder of them
    pub policy: PathBuf,
    /// Also run the tests of the policies it extends, and show which the revision
    /// changes (informative: they never fail the run)
    #[arg(long)]
    pub inherited: bool,
}

pub fn run(args: &Args) -> Exit {
    let compiled = match compile(&args.policy) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let Some(program) = compiled.program.as_ref() else {
        return Exit::Failed;
    };
    if program.tests.is_empty() {
        let p = args.policy.display();
        error(super::tr(
            format!("`{p}` has no test blocks"),
            format!("`{p}` 中没有测试块"),
        ));
        return Exit::Failed;
    }
    let runs: Vec<_> = program
        .tests
        .iter()
        .map(|t| (t, run_test(program, t)))
        .collect();
    let style = if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Style::Color
    } else {
        Style::Plain
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let lang = super::lang::get();
    let written = write_test_results_in(&mut out, program, &runs, style, lang).and_then(|tally| {
        if args.inherited {
            let inherited: Vec<_> = program
                .inherited_tests
                .iter()
                .map(|t| (t, t.test.as_ref().ok().map(|def| run_test(program, def))))
                .collect();
            writeln!(out)?;
            write_inherited_results_in(&mut out, program, &inherited, style, lang)?;
        }
        Ok(tally)
    });
    match written {
        Ok(t) if t.failed > 0 => Exit::Failed,
        Ok(_) => Exit::Ok,
        Err(e) => {
            error(super::tr(
                format!("cannot write to stdout: {e}"),
                format!("无法写入标准输出：{e}"),
            ));
            Exit::Usage
        }
    }
}
