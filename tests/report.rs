//! Integration tests: report. Every format of `eval` on a small hand-made case whose
//! values are checked by hand (see `report/fixture.rs`), and diffs of hand-made
//! revisions with their expected causes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

// Submodules are included rather than declared with `mod x;`: this file is compiled
// both as a module of `tests/main.rs` and as its own test target, and `mod` paths
// would resolve differently in the two.
mod fixture {
    #![allow(dead_code)]
    include!("report/fixture.rs");
}
mod diff {
    include!("report/diff.rs");
}

use fixture::*;
use parkrules::eval::Outcome;
use parkrules::program::Program;
use parkrules::report::{Format, ReportInput, Skipped, write_outcomes};
use parkrules::span::{FileId, Span};

/// An insta snapshot under `tests/snapshots/report/`.
fn snap(name: &str, value: &str) {
    crate::snap_in("report", name, value);
}

fn as_of() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
}

/// The base outcomes with PH-003 运营奖励 turned into an error.
fn outcomes_with_error() -> Vec<Outcome> {
    let mut v = base_outcomes();
    let start = BASE_SRC.find("tier(").unwrap();
    v[8] = error_outcome(Span::new(FileId(0), start, start + 5));
    v
}

fn skipped() -> Vec<Skipped> {
    vec![Skipped {
        file: "data/园区.csv".to_string(),
        row: 4,
        reason: "column `入驻率`: expected a percent, found `abc`".to_string(),
    }]
}

fn render(fmt: Format, program: &Program, outcomes: &[Outcome], skipped: &[Skipped]) -> String {
    let data = dataset();
    let ctx = ReportInput {
        program,
        dataset: &data,
        outcomes,
        as_of: as_of(),
        skipped,
    };
    let mut buf = Vec::new();
    write_outcomes(&mut buf, fmt, &ctx).unwrap();
    // xlsx is binary: compared as bytes all the same.
    String::from_utf8_lossy(&buf).into_owned()
}

fn base(fmt: Format) -> String {
    render(fmt, &base_program(), &outcomes_with_error(), &skipped())
}

#[test]
fn every_format_is_independent_of_input_order() {
    let p = base_program();
    let mut rev = outcomes_with_error();
    rev.reverse();
    for fmt in Format::ALL {
        assert_eq!(
            render(fmt, &p, &rev, &skipped()),
            base(fmt),
            "{}",
            fmt.name()
        );
    }
}

#[test]
fn text_format() {
    snap("text", &base(Format::Text));
}

#[test]
fn snapshot_format() {
    snap("snapshot", &base(Format::Snapshot));
}

#[test]
fn csv_format() {
    snap("csv", &base(Format::Csv));
}

#[test]
fn jsonl_format() {
    snap("jsonl", &base(Format::Jsonl));
}

#[test]
fn json_format() {
    snap("json", &base(Format::Json));
}

#[test]
fn json_has_the_normative_keys_in_order() {
    let doc: serde_json::Value = serde_json::from_str(&base(Format::Json)).unwrap();
    let top: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(top, ["policy", "version", "as_of", "outcomes", "skipped"]);
    assert_eq!(doc["policy"], "测试政策（现行）");
    assert_eq!(doc["version"], "1");
    assert_eq!(doc["as_of"], "2024-01-01");
    let outcomes = doc["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 9);
    let keys =
        |i: usize| -> Vec<String> { outcomes[i].as_object().unwrap().keys().cloned().collect() };
    let common = ["entity", "key", "rule", "family", "status"];
    let with = |extra: &[&str]| -> Vec<String> {
        common.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    assert_eq!(keys(0), with(&["amount", "cite", "exception"]));
    assert_eq!(keys(1), with(&[]));
    assert_eq!(keys(4), with(&["message"]));
    assert_eq!(keys(6), with(&["failed_when"]));
    assert_eq!(keys(8), with(&["error", "location"]));
    // PH-002 建设补助: the exception's amount and cite, exact in 元.
    assert_eq!(outcomes[3]["amount"], "3000000");
    assert_eq!(outcomes[3]["cite"], "第三条第二款");
    assert_eq!(outcomes[3]["exception"], "薄弱镇园区");
    assert_eq!(outcomes[0]["exception"], serde_json::Value::Null);
    assert_eq!(outcomes[6]["failed_when"], "入驻率 >= 50%");
    assert_eq!(outcomes[8]["location"], "policies/测试/base.rules:21:10");
}

#[test]
fn json_without_skipped_rows_has_exactly_the_spec_keys() {
    let p = base_program();
    let s = render(Format::Json, &p, &base_outcomes(), &[]);
    let doc: serde_json::Value = serde_json::from_str(&s).unwrap();
    let top: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(top, ["policy", "version", "as_of", "outcomes"]);
}

#[test]
fn jsonl_lines_are_the_json_outcomes() {
    let doc: serde_json::Value = serde_json::from_str(&base(Format::Json)).unwrap();
    let lines: Vec<serde_json::Value> = base(Format::Jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 10);
    assert_eq!(&lines[..9], doc["outcomes"].as_array().unwrap().as_slice());
    assert_eq!(lines[9]["skipped"]["row"], 4);
}

#[test]
fn csv_parses_with_fixed_columns() {
    let s = base(Format::Csv);
    let mut r = csv::Reader::from_reader(s.as_bytes());
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(head, parkrules::report::csv::COLUMNS);
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 10);
    assert_eq!(&rows[3][5], "3000000");
    assert_eq!(&rows[9][4], "skipped");
}

#[test]
fn the_hand_made_outcomes_are_what_the_evaluator_gives() {
    let (p, data) = (base_program(), dataset());
    assert_eq!(
        parkrules::eval::evaluate(&p, &data, as_of()),
        base_outcomes()
    );
}

fn explained(fmt: parkrules::report::explain::ExplainFormat, record: usize, rule: usize) -> String {
    let (p, data) = (base_program(), dataset());
    let x = parkrules::eval::explain(
        &p,
        &data,
        as_of(),
        parkrules::program::EntityId(0),
        record,
        parkrules::program::RuleId(rule),
    )
    .unwrap();
    let mut buf = Vec::new();
    parkrules::report::explain::write_explanation(&mut buf, fmt, &x).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn explain_text() {
    use parkrules::report::explain::ExplainFormat::Text;
    // PH-001 建设补助 (min(6000万 × 10%, 500万) = 500万), PH-002 (the 薄弱镇 exception),
    // PH-003 (入驻率 40% fails the when), PH-001 运营奖励 (tier row >= 80%).
    let all = [(0, 0), (1, 0), (2, 0), (0, 2)]
        .map(|(rec, rule)| explained(Text, rec, rule))
        .join("\n----\n");
    snap("explain_text", &all);
}

#[test]
fn explain_json() {
    use parkrules::report::explain::ExplainFormat::Json;
    let s = explained(Json, 1, 0);
    let doc: serde_json::Value = serde_json::from_str(&s).unwrap();
    assert_eq!(doc["amount"], "3000000");
    assert_eq!(doc["exception"], "薄弱镇园区");
    snap("explain_json", &s);
}

#[test]
fn the_fast_json_fields_are_the_views_fields() {
    use parkrules::report::OutcomeView;
    use parkrules::report::json::{fields, outcome_fields};
    let (p, data) = (base_program(), dataset());
    for o in &outcomes_with_error() {
        let v = OutcomeView::new(&p, &data, o);
        assert_eq!(outcome_fields(&p, &data, o), fields(&v));
    }
}

#[test]
fn json_escapes_what_it_must() {
    let p = base_program();
    let mut o = base_outcomes();
    o[4] = out(1, 1, violation("\"引号\" \\ 换行\n\t结束"), None);
    for fmt in [Format::Json, Format::Jsonl] {
        let s = render(fmt, &p, &o, &[]);
        let first_violation = if fmt == Format::Json {
            serde_json::from_str::<serde_json::Value>(&s).unwrap()["outcomes"][4].clone()
        } else {
            serde_json::from_str(s.lines().nth(4).unwrap()).unwrap()
        };
        assert_eq!(first_violation["message"], "\"引号\" \\ 换行\n\t结束");
    }
}

#[test]
fn a_wider_amount_changes_only_its_own_lines_in_the_snapshot() {
    let p = base_program();
    let before = render(Format::Snapshot, &p, &base_outcomes(), &[]);
    let mut o = base_outcomes();
    o[0] = out(0, 0, amount("123456789.5"), None);
    let after = render(Format::Snapshot, &p, &o, &[]);
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    assert_eq!(b.len(), a.len());
    let changed: Vec<usize> = (0..b.len()).filter(|i| b[*i] != a[*i]).collect();
    // The outcome, its rule's total, its family's total and the budget total.
    assert_eq!(changed.len(), 4, "{changed:?}");
    assert_eq!(
        a[changed[0]],
        "园区 PH-001    建设补助      amount          12345.67895万元 (123456789.5)"
    );
}

mod cases {
    include!("report/cases.rs");
}
