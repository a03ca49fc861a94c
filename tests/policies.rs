//! Integration tests: the shipped policies on the shipped records.
//!
//! These snapshots are the review loop of the project: a pull request that edits a
//! policy under `policies/` changes `tests/snapshots/policies/*.snap`, and the
//! reviewer reads the changed outcomes (`cargo insta review`). Besides the snapshots:
//! both policies check with no diagnostic, every `test` block passes, the revision's
//! tests name every one of its rules, and the records reach every clause.

use parkrules::data::{LoadOptions, load_dir};
use parkrules::eval::{self, Evaluator, Outcome, coverage};
use parkrules::load::compile_path;
use parkrules::program::{Program, StatusKind};
use parkrules::report::diff::{Cause, DiffFormat, Side, compute_diff, write_diff};
use parkrules::report::explain::{ExplainFormat, write_explanation};
use parkrules::report::{Format, ReportInput, write_outcomes};
use std::path::{Path, PathBuf};

const CURRENT: &str = "policies/pinghu-current";
const REVISED: &str = "policies/pinghu-revised";
const DATA: &str = "examples/pinghu";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An insta snapshot under `tests/snapshots/policies/`.
fn snap(name: &str, value: &str) {
    crate::snap_in("policies", name, value);
}

/// Compile a shipped policy, with paths relative to the repository (as the snapshots
/// show them).
fn program(dir: &str) -> Program {
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(cwd, root(), "tests run from the crate root");
    let c = compile_path(Path::new(dir));
    assert!(c.diagnostics.is_empty(), "{dir}: {:?}", c.diagnostics);
    c.program.unwrap()
}

struct Run {
    program: Program,
    data: parkrules::data::Dataset,
    outcomes: Vec<Outcome>,
    as_of: chrono::NaiveDate,
}

/// A policy evaluated on the shipped records at `as_of` (default: its effective date).
fn run(dir: &str, as_of: Option<chrono::NaiveDate>) -> Run {
    let program = program(dir);
    let loaded = match load_dir(&program, Path::new(DATA), &LoadOptions::default()) {
        Ok(l) => l,
        Err(e) => panic!("{}", parkrules::data::render_errors(&e)),
    };
    assert!(loaded.skipped.is_empty() && loaded.notes.is_empty());
    let as_of = as_of.or(program.info.effective).unwrap();
    let outcomes = eval::evaluate(&program, &loaded.dataset, as_of);
    Run {
        program,
        data: loaded.dataset,
        outcomes,
        as_of,
    }
}

fn report(r: &Run, format: Format) -> String {
    let input = ReportInput {
        program: &r.program,
        dataset: &r.data,
        outcomes: &r.outcomes,
        as_of: r.as_of,
        skipped: &[],
    };
    let mut out = Vec::new();
    write_outcomes(&mut out, format, &input).unwrap();
    String::from_utf8(out).unwrap()
}

fn count(r: &Run, rule: &str, status: StatusKind) -> usize {
    let id = r.program.rule_by_name(rule).unwrap();
    r.outcomes
        .iter()
        .filter(|o| o.rule == id && o.status.kind() == status)
        .count()
}

#[test]
fn every_shipped_policy_checks_with_no_diagnostic_and_passes_its_tests() {
    for dir in [CURRENT, REVISED] {
        let p = program(dir);
        assert!(!p.tests.is_empty(), "{dir} has no tests");
        for t in eval::run_tests(&p) {
            assert!(t.passed, "{dir}: test {:?} fails: {:?}", t.name, t.failures);
        }
    }
}

#[test]
fn every_rule_of_the_revision_is_named_by_a_test() {
    let p = program(REVISED);
    for (i, rule) in p.rules.iter().enumerate() {
        let tested = p
            .tests
            .iter()
            .flat_map(|t| &t.expects)
            .any(|x| x.rule.0 == i);
        assert!(tested, "rule {} has no expect in {REVISED}", rule.name);
    }
}

#[test]
fn the_records_reach_every_clause_of_both_policies() {
    for dir in [CURRENT, REVISED] {
        let r = run(dir, None);
        let c = coverage(&r.program, &r.data, r.as_of);
        let unreached: Vec<String> = c
            .unreached()
            .iter()
            .map(|(owner, i)| format!("{owner}: {} `{}` at {}", i.kind.label(), i.text, i.location))
            .collect();
        assert!(unreached.is_empty(), "{dir}: {unreached:#?}");
        assert_eq!(c.rules_without_records().count(), 0);
        // Coverage counts the same outcomes as eval.
        for rc in &c.rules {
            for s in &rc.statuses {
                assert_eq!(
                    s.count,
                    count(&r, &rc.rule, s.status),
                    "{} {:?}",
                    rc.rule,
                    s.status
                );
            }
        }
    }
}

#[test]
fn current_policy_on_the_example() {
    let r = run(CURRENT, None);
    // Hand-checked against examples/pinghu/园区.csv, row PH-001 (国企投资, built
    // 2019-10-07, 固定资产投资 6973.36万元): 建设补助 = min(6973.36万 × 10%, 500万) = 500万.
    let text = report(&r, Format::Snapshot);
    assert!(
        text.lines()
            .any(|l| l.contains("PH-001") && l.contains("建设补助") && l.contains("500万元")),
        "{text}"
    );
    snap("current_eval", &text);
}

#[test]
fn revised_policy_on_the_example() {
    let r = run(REVISED, None);
    snap("revised_eval", &report(&r, Format::Snapshot));
}

#[test]
fn diff_current_to_revised() {
    let base = run(CURRENT, None);
    // Both sides on the revision's effective date, as `parkrules diff` does.
    let revised = run(REVISED, None);
    let base = run(CURRENT, Some(revised.as_of)).with_check(&base);
    let by = ["镇街道".to_string(), "建设模式".to_string()];
    let d = compute_diff(&side(&base), &side(&revised), &by);
    let mut out = Vec::new();
    write_diff(&mut out, DiffFormat::Markdown, &d).unwrap();
    snap("diff_current_revised", &String::from_utf8(out).unwrap());
    // The JSON writer, which writes changes and their causes field by field, gives the
    // documented JSON value in the documented layout on the shipped diff (hundreds of changes,
    // rule definitions changed).
    let mut json = Vec::new();
    write_diff(&mut json, DiffFormat::Json, &d).unwrap();
    let value = parkrules::report::diff::json::to_json(&d).unwrap();
    assert!(d.changes.len() > 100);
    assert!(d.changes.iter().any(|c| {
        c.causes
            .iter()
            .any(|c| matches!(c, Cause::RuleChanged { .. }))
    }));
    assert_eq!(
        String::from_utf8(json).unwrap(),
        crate::diff_json_layout(&value)
    );
}

fn side(r: &Run) -> Side<'_> {
    Side {
        program: &r.program,
        dataset: &r.data,
        outcomes: &r.outcomes,
        as_of: r.as_of,
    }
}

impl Run {
    /// The same policy at another date gives the same outcomes count.
    fn with_check(self, other: &Run) -> Run {
        assert_eq!(self.outcomes.len(), other.outcomes.len());
        self
    }
}

/// The traced evaluation an explanation runs (every operand a step) gives every
/// outcome the fast one gave (operands only read are compared where they are).
#[test]
fn every_shipped_outcome_is_the_one_its_explanation_traces() {
    for dir in [CURRENT, REVISED] {
        let r = run(dir, None);
        let ev = Evaluator::new(&r.program, &r.data, r.as_of);
        for o in &r.outcomes {
            let x = ev.explain(o.entity, o.record, o.rule).unwrap();
            assert_eq!(x.outcome, *o, "{dir}");
        }
    }
}

#[test]
fn explain_an_operating_reward_of_the_revision() {
    let r = run(REVISED, None);
    let park = r.program.entity_by_name("园区").unwrap();
    let rule = r.program.rule_by_name("运营奖励").unwrap();
    let table = r.data.table(park).unwrap();
    let ev = Evaluator::new(&r.program, &r.data, r.as_of);
    // The first park the reward is paid to.
    let index = (0..table.records.len())
        .find(|&i| {
            ev.explain(park, i, rule)
                .is_some_and(|x| x.status == StatusKind::Amount && x.exception.is_none())
        })
        .unwrap();
    let x = ev.explain(park, index, rule).unwrap();
    let mut out = Vec::new();
    write_explanation(&mut out, ExplainFormat::Text, &x).unwrap();
    snap(
        "explain_revised_operating_reward",
        &String::from_utf8(out).unwrap(),
    );
}

/// Every shipped policy file, translated to the Chinese dialect and back, is itself
/// byte for byte; translated, both policies check clean, pass their tests and give
/// the same outcomes on the shipped records.
#[test]
fn shipped_policies_translate_to_chinese_and_back() {
    use parkrules::fmt::format_source_in;
    use parkrules::span::FileId;
    use parkrules::syntax::keywords::Dialect;

    let tmp = tempfile::tempdir().unwrap();
    for dir in [CURRENT, REVISED] {
        let to = tmp.path().join(dir);
        std::fs::create_dir_all(&to).unwrap();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for f in entries
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rules"))
        {
            let text = std::fs::read_to_string(f).unwrap();
            let zh = format_source_in(&text, FileId(0), Dialect::Zh).unwrap();
            assert_eq!(
                parkrules::syntax::dialect(&zh),
                Dialect::Zh,
                "{}",
                f.display()
            );
            let en = format_source_in(&zh, FileId(0), Dialect::En).unwrap();
            assert_eq!(en, text, "{}: not lossless", f.display());
            std::fs::write(to.join(f.file_name().unwrap()), zh).unwrap();
        }
    }
    for dir in [CURRENT, REVISED] {
        let c = compile_path(&tmp.path().join(dir));
        assert!(
            c.diagnostics.is_empty(),
            "{dir} in Chinese: {:?}",
            c.diagnostics
        );
        let zh = c.program.unwrap();
        for t in eval::run_tests(&zh) {
            assert!(t.passed, "{dir} in Chinese: test {:?} fails", t.name);
        }
        let en = run(dir, None);
        let data = load_dir(&zh, Path::new(DATA), &LoadOptions::default()).unwrap();
        let outcomes = eval::evaluate(&zh, &data.dataset, en.as_of);
        assert_eq!(outcomes.len(), en.outcomes.len());
        assert!(outcomes == en.outcomes, "{dir}: outcomes differ in Chinese");
    }
}
