//! `parkrules test`: the results of a policy's `test` blocks, for a person.
//!
//! Consumes the program, its tests and their results (from
//! [`crate::eval::testrun::run_test`]); produces one line per test (`ok` or `FAILED`),
//! and for each failure every unmet `expect` as a diagnostic pointing into the test
//! (expected vs actual), followed by the explain tree of the actual outcome, evaluated
//! on the test's own records. Ends with a count.
//!
//! A revision's inherited tests (`test --inherited`) are informative: a base test the
//! revision makes fail is a change the revision makes, not a failure, and is listed
//! with its expected and actual outcomes; a base test that no longer fits the revised
//! policy (it names a removed rule or field) says why.

use crate::diagnostic::{Diag, Style, render};
use crate::eval::Evaluator;
use crate::eval::testrun::{TestResult, test_dataset};
use crate::program::{InheritedTest, Program, TestDef};
use crate::report::explain::{ExplainFormat, write_explanation};
use std::io::{self, Write};

/// Counts of a test run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
}

/// Write each test's line, the failures with their explanations, and the count.
pub fn write_test_results(
    w: &mut dyn Write,
    program: &Program,
    runs: &[(&TestDef, TestResult)],
    style: Style,
) -> io::Result<Tally> {
    let mut tally = Tally::default();
    for (test, result) in runs {
        if result.passed {
            tally.passed += 1;
            writeln!(w, "ok      {}", result.name)?;
            continue;
        }
        tally.failed += 1;
        let at = program.sources.location(result.span);
        writeln!(w, "FAILED  {}  ({at})", result.name)?;
        write_failures(w, program, test, result, style)?;
    }
    writeln!(w, "{} passed, {} failed", tally.passed, tally.failed)?;
    Ok(tally)
}

/// Every unmet expectation of one test, then the explanation of each actual outcome.
pub fn write_failures(
    w: &mut dyn Write,
    program: &Program,
    test: &TestDef,
    result: &TestResult,
    style: Style,
) -> io::Result<()> {
    let diags: Vec<Diag> = result
        .failures
        .iter()
        .map(|f| Diag::error(Some(f.problem.span().file), f.problem.clone()))
        .collect();
    write_indented(w, &render(&program.sources, &diags, style), 4)?;
    let Some(as_of) = result.as_of else {
        return Ok(());
    };
    let (data, _) = test_dataset(program, test, as_of);
    let ev = Evaluator::new(program, &data, as_of);
    for actual in result.failures.iter().filter_map(|f| f.actual.as_ref()) {
        if let Some(x) = ev.explain(actual.entity, actual.record, actual.rule) {
            writeln!(w, "    the actual outcome, explained:")?;
            let mut tree = Vec::new();
            write_explanation(&mut tree, ExplainFormat::Text, &x)?;
            write_indented(w, &String::from_utf8_lossy(&tree), 6)?;
        }
    }
    Ok(())
}

fn write_indented(w: &mut dyn Write, text: &str, indent: usize) -> io::Result<()> {
    for line in text.lines() {
        if line.trim().is_empty() {
            writeln!(w)?;
        } else {
            writeln!(w, "{:indent$}{line}", "")?;
        }
    }
    Ok(())
}

/// Counts of the inherited tests of a revision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InheritedTally {
    /// The revision gives what the base test expects.
    pub unchanged: usize,
    /// The revision gives another outcome than the base test expects.
    pub changed: usize,
    /// The test names something the revision removed.
    pub not_applicable: usize,
}

/// Write the base's tests as run on the revision: unchanged, changed (with expected vs
/// actual and the explanation) or no longer applicable (with why).
pub fn write_inherited_results(
    w: &mut dyn Write,
    program: &Program,
    runs: &[(&InheritedTest, Option<TestResult>)],
    style: Style,
) -> io::Result<InheritedTally> {
    let mut tally = InheritedTally::default();
    writeln!(w, "tests inherited from the base, run on the revision:")?;
    for (inherited, result) in runs {
        let name = &inherited.name;
        let base = &inherited.base;
        match (&inherited.test, result) {
            (Ok(_), Some(r)) if r.passed => {
                tally.unchanged += 1;
                writeln!(w, "unchanged      {name}  [{base}]")?;
            }
            (Ok(test), Some(r)) => {
                tally.changed += 1;
                writeln!(w, "CHANGED        {name}  [{base}]")?;
                write_failures(w, program, test, r, style)?;
            }
            (Err(why), _) => {
                tally.not_applicable += 1;
                writeln!(w, "not applicable {name}  [{base}]: {}", why.join("; "))?;
            }
            (Ok(_), None) => {
                tally.not_applicable += 1;
                writeln!(w, "not applicable {name}  [{base}]: not run")?;
            }
        }
    }
    writeln!(
        w,
        "{} unchanged, {} changed by the revision, {} no longer applicable",
        tally.unchanged, tally.changed, tally.not_applicable
    )?;
    Ok(tally)
}
