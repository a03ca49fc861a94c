//! `parkrules test POLICY`: run the policy's `test` blocks.

use super::{Exit, compile, stderr_style};
use parkrules::diagnostic::{self, Diag};
use parkrules::eval::testrun;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A .rules file or a folder of them
    pub policy: PathBuf,
}

pub fn run(args: &Args) -> Exit {
    let compiled = match compile(&args.policy) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let Some(program) = compiled.program.as_ref() else {
        return Exit::Failed;
    };
    let results = testrun::run_tests(program);
    let mut failed = 0usize;
    for r in &results {
        if r.passed {
            println!("ok     {}", r.name);
            continue;
        }
        failed += 1;
        println!("FAILED {}", r.name);
        let diags: Vec<Diag> = r
            .failures
            .iter()
            .map(|f| Diag::error(Some(f.problem.span().file), f.problem.clone()))
            .collect();
        eprint!(
            "{}",
            diagnostic::render(&program.sources, &diags, stderr_style())
        );
    }
    println!(
        "{} passed, {} failed",
        results.len().saturating_sub(failed),
        failed
    );
    if failed > 0 { Exit::Failed } else { Exit::Ok }
}
