// Diff cases driven by files: tests/cases/report/<case>/{base.rules,revised.rules,data/}
// (see the README there). Each case is loaded, checked, evaluated and diffed for real;
// the test asserts the change and causes computed by hand and snapshots the markdown.

use super::snap;
use parkrules::report::diff::{Cause, DefChange, Diff, DiffFormat, Side, compute_diff, write_diff};
use std::path::{Path, PathBuf};

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/report")
        .join(case)
}

fn compile(path: &Path) -> parkrules::program::Program {
    let c = parkrules::load::compile_path(path);
    assert!(!c.has_errors(), "{}: {:?}", path.display(), c.diagnostics);
    c.program.unwrap()
}

fn data(program: &parkrules::program::Program, dir: &Path) -> parkrules::data::Dataset {
    let opts = parkrules::data::load::LoadOptions::default();
    match parkrules::data::load::load_dir(program, dir, &opts) {
        Ok(loaded) => loaded.dataset,
        Err(_) => panic!("{}: data does not load", dir.display()),
    }
}

/// Load, evaluate and diff one case; also return its markdown with paths made
/// relative to the repository.
fn diff_case(case: &str) -> (Diff, String) {
    let dir = case_dir(case);
    let (bp, rp) = (compile(&dir.join("base.rules")), compile(&dir.join("revised.rules")));
    let (bd, rd) = (data(&bp, &dir.join("data")), data(&rp, &dir.join("data")));
    let as_of = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let bo = parkrules::eval::evaluate(&bp, &bd, as_of);
    let ro = parkrules::eval::evaluate(&rp, &rd, as_of);
    let side = |program, dataset, outcomes| Side {
        program,
        dataset,
        outcomes,
        as_of,
    };
    let diff = compute_diff(
        &side(&bp, &bd, &bo),
        &side(&rp, &rd, &ro),
        &["镇街道".to_string()],
    );
    let mut buf = Vec::new();
    write_diff(&mut buf, DiffFormat::Markdown, &diff).unwrap();
    let md = String::from_utf8(buf)
        .unwrap()
        .replace(env!("CARGO_MANIFEST_DIR"), "");
    snap(&format!("case_{case}"), &md);
    (diff, md)
}

/// The one change of a case: (key, rule, change in 元, causes).
fn only_change(diff: &Diff) -> (&str, &str, Option<rust_decimal::Decimal>, &[Cause]) {
    assert_eq!(diff.changes.len(), 1, "{:#?}", diff.changes);
    let c = &diff.changes[0];
    (&c.key, &c.rule, c.change, &c.causes)
}

fn d(s: &str) -> Option<rust_decimal::Decimal> {
    s.parse().ok()
}

fn s(x: &str) -> Option<String> {
    Some(x.to_string())
}

#[test]
fn case_param_change() {
    let (diff, _) = diff_case("param-change");
    let param = Cause::ParamChanged {
        name: "上限".into(),
        base: s("500万元"),
        revised: s("800万元"),
    };
    // PH-001: min(6000万 × 10%, 800万) = 600万 (was 500万).
    assert_eq!(
        only_change(&diff),
        ("PH-001", "建设补助", d("1000000"), &[param][..])
    );
}

#[test]
fn case_rule_override() {
    let (diff, _) = diff_case("rule-override");
    let (key, rule, change, causes) = only_change(&diff);
    // PH-001 85%: row >= 80% pays 50万 now (30万 before).
    assert_eq!((key, rule, change), ("PH-001", "运营奖励", d("200000")));
    assert_eq!(
        causes[0],
        Cause::TierRow {
            base: s(">= 80% => 30万元"),
            revised: s(">= 80% => 50万元"),
        }
    );
    let Cause::RuleChanged {
        overridden: true,
        cite,
        changes,
    } = &causes[1]
    else {
        panic!("{causes:?}")
    };
    assert_eq!(cite.as_deref(), Some("第十二条"));
    assert_eq!(
        changes[..3],
        [
            DefChange::Cite {
                base: s("第七条"),
                revised: s("第十二条"),
            },
            DefChange::WhenRemoved("入驻率 >= 70%".into()),
            DefChange::WhenAdded("入驻率 >= 60%".into()),
        ]
    );
    assert!(matches!(changes[3], DefChange::Outcome { .. }));
}

#[test]
fn case_removed_rule() {
    let (diff, _) = diff_case("removed-rule");
    // PH-002's violation (96% > 95%) is resolved; the passes of PH-001 and PH-003
    // are no change.
    let (key, rule, change, causes) = only_change(&diff);
    assert_eq!((key, rule, change, causes), ("PH-002", "配套用房比例", None, &[Cause::RuleRemoved][..]));
    assert_eq!(diff.resolved_violations, [0]);
    assert_eq!(
        diff.changes[0].before.as_ref().unwrap().message.as_deref(),
        Some("入驻率 96% 过高")
    );
}

#[test]
fn case_exception_added() {
    let (diff, _) = diff_case("exception-added");
    let (key, rule, change, causes) = only_change(&diff);
    assert_eq!((key, rule, change), ("PH-003", "建设补助", d("1000000")));
    assert_eq!(
        causes,
        [
            // The when still fails in revised, but the exception replaced the base:
            // no when cause.
            Cause::ExceptionChanged {
                base: None,
                revised: s("新埭镇园区"),
            },
            Cause::RuleChanged {
                overridden: true,
                cite: s("第三条"),
                changes: vec![DefChange::ExceptionAdded("新埭镇园区".into())],
            },
        ]
    );
}

#[test]
fn case_tier_row_moved() {
    let (diff, _) = diff_case("tier-row-moved");
    let (key, _, change, causes) = only_change(&diff);
    // PH-001 85%: the top row now starts at 85%: 50万 (was row >= 80%, 30万).
    assert_eq!((key, change), ("PH-001", d("200000")));
    assert_eq!(
        causes[0],
        Cause::TierRow {
            base: s(">= 80% => 30万元"),
            revised: s(">= 85% => 50万元"),
        }
    );
}
