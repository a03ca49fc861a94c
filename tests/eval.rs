//! Integration tests: eval. Each `tests/cases/eval/*.rules` is a small policy whose
//! `test` blocks hold expected values computed by hand, one construct per file. Header
//! lines `# fails: "测试名" problem` name the tests meant to fail and the problem each
//! must report; every other test must pass. A snapshot per case records each
//! expectation with the outcome it met (messages, error locations, rendered failures),
//! so a reviewer sees the values, not only "ok".

use parkrules::diagnostic::{Diag, Style, render};
use parkrules::eval::explain;
use parkrules::eval::testrun::{TestResult, describe_status, run_tests, test_dataset};
use parkrules::load::compile_str;
use parkrules::program::{ExpectedDef, Program};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Run one case file and check it against its header; returns the report to snapshot.
fn run_case(name: &str) -> String {
    let path = format!("tests/cases/eval/{name}.rules");
    let text = std::fs::read_to_string(&path).unwrap();
    let compiled = compile_str(&path, &text);
    let rendered = render(&compiled.sources, &compiled.diagnostics, Style::Plain);
    assert!(!compiled.has_errors(), "{path} does not check:\n{rendered}");
    let program = compiled.program.expect("a checked program");
    let results = run_tests(&program);
    assert!(!results.is_empty(), "{path} has no test");
    let meant_to_fail = failing_tests(&text);
    for (test, problem) in &meant_to_fail {
        let r = results.iter().find(|r| &r.name == test);
        let r = r.unwrap_or_else(|| panic!("{path}: no test named {test:?}"));
        assert!(!r.passed, "{path}: test {test:?} should fail");
        let codes: Vec<String> = r
            .failures
            .iter()
            .map(|f| problem_code(&f.problem))
            .collect();
        assert!(
            codes.contains(problem),
            "{path}: test {test:?} failed with {codes:?}, not {problem}"
        );
    }
    for r in results
        .iter()
        .filter(|r| !meant_to_fail.contains_key(&r.name))
    {
        let why: Vec<String> = r.failures.iter().map(|f| f.problem.to_string()).collect();
        assert!(r.passed, "{path}: test {:?} failed: {why:#?}", r.name);
    }
    // Warnings, if any, head the snapshot so a reviewer sees them.
    rendered + &report(&program, &results)
}

/// `# fails: "name" problem` header lines.
fn failing_tests(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# fails: \""))
        .filter_map(|l| l.split_once("\" "))
        .map(|(name, code)| (name.to_string(), code.trim().to_string()))
        .collect()
}

fn problem_code(p: &parkrules::eval::testrun::TestProblem) -> String {
    use miette::Diagnostic;
    let code = p.code().map(|c| c.to_string()).unwrap_or_default();
    code.rsplit("::").next().unwrap_or("").to_string()
}

/// Every test, every expectation and the outcome it met, and rendered failures.
fn report(program: &Program, results: &[TestResult]) -> String {
    let mut out = String::new();
    for (test, r) in program.tests.iter().zip(results) {
        let as_of = r.as_of.map(|d| d.to_string()).unwrap_or_default();
        let verdict = if r.passed { "pass" } else { "FAIL" };
        writeln!(out, "test {:?} at {as_of}: {verdict}", r.name).unwrap();
        for (expect, actual) in test.expects.iter().zip(&r.actuals) {
            let rule = program
                .rule(expect.rule)
                .map(|x| x.name.as_str())
                .unwrap_or("?");
            let expected = match &expect.expected {
                ExpectedDef::Amount(d) => format!("== {} 元", d.normalize()),
                ExpectedDef::Status(k) => k.name().to_string(),
            };
            let got = actual
                .as_ref()
                .map(|o| describe_status(program, o))
                .unwrap_or_else(|| "(not evaluated)".into());
            writeln!(out, "  {:?} {rule} {expected}: {got}", expect.key).unwrap();
        }
        let diags: Vec<Diag> = r
            .failures
            .iter()
            .map(|f| Diag::error(Some(f.problem.span().file), f.problem.clone()))
            .collect();
        if !diags.is_empty() {
            out.push_str(&render(&program.sources, &diags, Style::Plain));
        }
    }
    out
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let report = run_case(stringify!($name));
            insta::assert_snapshot!(concat!("eval_", stringify!($name)), report);
        }
    )*};
}

cases!(
    caps,
    exceptions,
    tiers,
    brackets,
    units,
    aggregates,
    optional,
    interpolation,
    errors,
    match_if,
    rounding,
    fail_expectations,
    compare_lets,
);

/// The explanation tree of every rule on one record of a case's test, as JSON.
fn explain_case(name: &str, test: usize, entity: &str, key: &str) -> String {
    let path = format!("tests/cases/eval/{name}.rules");
    let text = std::fs::read_to_string(&path).unwrap();
    let program = compile_str(&path, &text)
        .program
        .expect("a checked program");
    let test = &program.tests[test];
    let as_of = test.as_of.or(program.info.effective).unwrap();
    let (data, problems) = test_dataset(&program, test, as_of);
    assert!(problems.is_empty());
    let entity = program.entity_by_name(entity).unwrap();
    let record = data.tables[entity.0]
        .records
        .iter()
        .position(|r| &*r.key == key)
        .unwrap();
    let explanations: Vec<_> = program
        .rules_for(entity)
        .map(|(rule, _)| explain(&program, &data, as_of, entity, record, rule).unwrap())
        .collect();
    serde_json::to_string_pretty(&explanations).unwrap()
}

#[test]
fn explain_aggregates_of_a_park() {
    insta::assert_snapshot!(explain_case("aggregates", 0, "园区", "A"));
}

#[test]
fn explain_exceptions_tiers_brackets() {
    insta::assert_snapshot!(
        "explain_exception",
        explain_case("exceptions", 1, "园区", "B")
    );
    insta::assert_snapshot!("explain_tier", explain_case("tiers", 0, "园区", "C"));
    insta::assert_snapshot!("explain_brackets", explain_case("brackets", 0, "企业", "E"));
    insta::assert_snapshot!(
        "explain_message",
        explain_case("interpolation", 0, "园区", "P1")
    );
}
