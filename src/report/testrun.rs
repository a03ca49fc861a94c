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

use crate::diagnostic::{Diag, Style, render_in};
use crate::eval::Evaluator;
use crate::eval::testrun::{TestResult, test_dataset};
use crate::lang::Lang;
use crate::program::{InheritedTest, Program, TestDef};
use crate::report::explain::{ExplainFormat, write_explanation_in};
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
    write_test_results_in(w, program, runs, style, Lang::En)
}

/// [`write_test_results`] in a language.
pub fn write_test_results_in(
    w: &mut dyn Write,
    program: &Program,
    runs: &[(&TestDef, TestResult)],
    style: Style,
    lang: Lang,
) -> io::Result<Tally> {
    let mut tally = Tally::default();
    for (test, result) in runs {
        if result.passed {
            tally.passed += 1;
            writeln!(w, "{}{}", lang.pick("ok      ", "通过    "), result.name)?;
            continue;
        }
        tally.failed += 1;
        let at = program.sources.location(result.span);
        writeln!(
            w,
            "{}{}  ({at})",
            lang.pick("FAILED  ", "失败    "),
            result.name
        )?;
        write_failures(w, program, test, result, style, lang)?;
    }
    let (p, f) = (tally.passed, tally.failed);
    match lang {
        Lang::En => writeln!(w, "{p} passed, {f} failed")?,
        Lang::Zh => writeln!(w, "通过 {p} 个，失败 {f} 个")?,
    }
    Ok(tally)
}

/// Every unmet expectation of one test, then the explanation of each actual outcome.
pub fn write_failures(
    w: &mut dyn Write,
    program: &Program,
    test: &TestDef,
    result: &TestResult,
    style: Style,
    lang: Lang,
) -> io::Result<()> {
    let diags: Vec<Diag> = result
        .failures
        .iter()
        .map(|f| Diag::error(Some(f.problem.span().file), f.problem.clone()))
        .collect();
    write_indented(w, &render_in(&program.sources, &diags, style, lang), 4)?;
    let Some(as_of) = result.as_of else {
        return Ok(());
    };
    let (data, _) = test_dataset(program, test, as_of);
    let ev = Evaluator::new(program, &data, as_of);
    for actual in result.failures.iter().filter_map(|f| f.actual.as_ref()) {
        if let Some(x) = ev.explain(actual.entity, actual.record, actual.rule) {
            let line = lang.pick("the actual outcome, explained:", "实际结果的解释：");
            writeln!(w, "    {line}")?;
            let mut tree = Vec::new();
            write_explanation_in(&mut tree, ExplainFormat::Text, &x, lang)?;
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
    write_inherited_results_in(w, program, runs, style, Lang::En)
}

/// [`write_inherited_results`] in a language.
pub fn write_inherited_results_in(
    w: &mut dyn Write,
    program: &Program,
    runs: &[(&InheritedTest, Option<TestResult>)],
    style: Style,
    lang: Lang,
) -> io::Result<InheritedTally> {
    let mut tally = InheritedTally::default();
    let heading = lang.pick(
        "tests inherited from the base, run on the revision:",
        "继承自基础政策的测试，在修订稿上运行：",
    );
    writeln!(w, "{heading}")?;
    for (inherited, result) in runs {
        let name = &inherited.name;
        let base = &inherited.base;
        match (&inherited.test, result) {
            (Ok(_), Some(r)) if r.passed => {
                tally.unchanged += 1;
                let word = lang.pick("unchanged      ", "未变          ");
                writeln!(w, "{word}{name}  [{base}]")?;
            }
            (Ok(test), Some(r)) => {
                tally.changed += 1;
                let word = lang.pick("CHANGED        ", "已改变        ");
                writeln!(w, "{word}{name}  [{base}]")?;
                write_failures(w, program, test, r, style, lang)?;
            }
            (Err(why), _) => {
                tally.not_applicable += 1;
                let word = lang.pick("not applicable ", "不再适用      ");
                let sep = lang.pick(": ", "：");
                writeln!(w, "{word}{name}  [{base}]{sep}{}", why.join("; "))?;
            }
            (Ok(_), None) => {
                tally.not_applicable += 1;
                let word = lang.pick("not applicable ", "不再适用      ");
                let why = lang.pick(": not run", "：未运行");
                writeln!(w, "{word}{name}  [{base}]{why}")?;
            }
        }
    }
    let (u, c, n) = (tally.unchanged, tally.changed, tally.not_applicable);
    match lang {
        Lang::En => writeln!(
            w,
            "{u} unchanged, {c} changed by the revision, {n} no longer applicable"
        )?,
        Lang::Zh => writeln!(w, "未变 {u} 个，被修订改变 {c} 个，不再适用 {n} 个")?,
    }
    Ok(tally)
}
