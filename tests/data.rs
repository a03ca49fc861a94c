//! Integration tests: data. Each case is a folder under `tests/cases/data/` loaded
//! against a hand-built schema (the Pinghu shape, cut down); good cases assert exact
//! values, bad cases assert the error codes and snapshot the rendered error list.

// Cargo also builds this file as its own test target (no `autotests = false`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use parkrules::ast::Family;
use parkrules::data::{
    DataError, Dataset, LoadErrors, LoadOptions, Loaded, RowRef, load_dir, render_errors,
    render_notes, render_skipped,
};
use parkrules::program::*;
use parkrules::span::{SourceMap, Span};
use parkrules::units;
use parkrules::value::Value;
use rust_decimal::Decimal;
use std::path::PathBuf;

/// The test schema, one field per line: `name: type [in unit] [key]`, `?` for optional.
const SCHEMA: &[(&str, &[&str])] = &[
    (
        "园区",
        &[
            "编号: text key",
            "名称: text",
            "建设模式: enum",
            "规划面积: area in 亩",
            "总建筑面积: area in m2",
            "固定资产投资: money in 万元",
            "入驻率: percent?",
            "负债率: percent in fraction",
            "星级: int?",
            "建成日期: date?",
            "省级: bool",
        ],
    ),
    (
        "企业",
        &[
            "代码: text key",
            "园区: ref 0",
            "年税收: money in 万元",
            "规上: bool",
            "亩均税收: money/area in 万元/亩?",
        ],
    ),
    (
        "转让申请",
        &[
            "编号: text key",
            "园区: ref 0",
            "买方企业: ref 1?",
            "租金: money/area/duration in 元/m2/月?",
        ],
    ),
];

const 建设模式: &[&str] = &["政府全资", "国企投资", "民间投资"];

fn field(spec: &str) -> FieldDef {
    let (name, rest) = spec.split_once(": ").unwrap();
    let optional = rest.ends_with('?');
    let rest = rest.trim_end_matches('?');
    let mut words = rest.split(' ');
    let ty_word = words.next().unwrap();
    let (ty, input) = match ty_word {
        "text" => (Ty::Text, InputUnit::Plain),
        "bool" => (Ty::Bool, InputUnit::Plain),
        "date" => (Ty::Date, InputUnit::Plain),
        "int" => (Ty::INT, InputUnit::Plain),
        "enum" => (Ty::Enum(EnumId(0)), InputUnit::Plain),
        "ref" => {
            let id = words.next().unwrap().parse().unwrap();
            (Ty::Entity(EntityId(id)), InputUnit::Plain)
        }
        "percent" if rest.ends_with("in fraction") => (Ty::PERCENT, InputUnit::Fraction),
        "percent" => (Ty::PERCENT, InputUnit::PercentPoints),
        _ => {
            assert_eq!(words.next(), Some("in"));
            let unit = units::resolve(words.next().unwrap().split('/')).unwrap();
            (Ty::Num(unit.dim, NumHint::Number), InputUnit::Unit(unit))
        }
    };
    FieldDef {
        name: name.to_string(),
        ty,
        input,
        optional,
        span: Span::default(),
    }
}

fn entity(name: &str, fields: &[&str]) -> EntityDef {
    let key = fields.iter().position(|f| f.ends_with(" key")).unwrap();
    let fields = fields
        .iter()
        .map(|f| field(f.trim_end_matches(" key")))
        .collect();
    EntityDef {
        name: name.to_string(),
        fields,
        key: FieldId(key),
        span: Span::default(),
    }
}

/// The schema above, with one rule for 园区 (so its file is required).
fn program() -> Program {
    let truth = Expr {
        kind: ExprKind::Const(Value::Bool(true)),
        ty: Ty::Bool,
        span: Span::default(),
    };
    Program {
        info: PolicyInfo {
            name: "测试".into(),
            version: None,
            effective: None,
            bases: Vec::new(),
            span: Span::default(),
        },
        sources: SourceMap::new(),
        enums: vec![EnumDef {
            name: "建设模式".into(),
            variants: 建设模式.iter().map(|v| v.to_string()).collect(),
            span: Span::default(),
        }],
        entities: SCHEMA.iter().map(|(n, f)| entity(n, f)).collect(),
        params: Vec::new(),
        lets: Vec::new(),
        rules: vec![RuleDef {
            name: "配套用房比例".into(),
            family: Family::Ratio,
            entity: EntityId(0),
            body: Body {
                cite: None,
                whens: Vec::new(),
                outcome: OutcomeDef::Require {
                    cond: truth,
                    message: None,
                },
            },
            exceptions: Vec::new(),
            origin: Origin::Own,
            span: Span::default(),
        }],
        tests: Vec::new(),
    }
}

fn case_dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/data")
        .join(case)
}

fn load(case: &str, skip: bool) -> Result<Loaded, LoadErrors> {
    let opts = LoadOptions {
        skip_bad_records: skip,
    };
    load_dir(&program(), &case_dir(case), &opts)
}

fn loaded(case: &str) -> Loaded {
    match load(case, false) {
        Ok(l) => l,
        Err(e) => panic!("case {case} failed:\n{}", render_errors(&e)),
    }
}

fn errors(case: &str) -> LoadErrors {
    match load(case, false) {
        Ok(_) => panic!("case {case} loaded, but it has errors"),
        Err(e) => e,
    }
}

fn codes(errs: &LoadErrors) -> Vec<String> {
    let mut sorted = errs.errors.clone();
    parkrules::data::err::sort_errors(&mut sorted);
    sorted
        .iter()
        .map(|e| {
            e.code_str()
                .trim_start_matches("parkrules::data::")
                .to_string()
        })
        .collect()
}

fn d(s: &str) -> Value {
    Value::Num(s.parse::<Decimal>().unwrap())
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn date(y: i32, m: u32, day: u32) -> Value {
    Value::Date(chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap())
}

/// The values of one table, row by row.
fn rows(ds: &Dataset, entity: usize) -> Vec<Vec<Value>> {
    let table = ds.table(EntityId(entity)).unwrap();
    table.records.iter().map(|r| r.values.clone()).collect()
}

fn keys(ds: &Dataset, entity: usize) -> Vec<String> {
    let table = ds.table(EntityId(entity)).unwrap();
    table.records.iter().map(|r| r.key.to_string()).collect()
}

#[test]
fn csv_with_bom_crlf_and_spaced_headers_reads_exact_values() {
    let l = loaded("good_csv");
    let ds = &l.dataset;
    assert_eq!(
        rows(ds, 0),
        vec![
            vec![
                text("PH-001"),
                text("新埭园"),
                Value::Enum(1),
                d("120"),
                d("2.25"),
                d("60000000"),
                d("0.85"),
                d("0.85"),
                d("3"),
                date(2024, 1, 1),
                Value::Bool(true),
            ],
            vec![
                text("PH-002"),
                text("广陈园, 二期"),
                Value::Enum(2),
                d("1000"),
                d("2.25"),
                d("60000000"),
                d("0.85"),
                d("0.125"),
                Value::Blank,
                date(2021, 7, 1),
                Value::Bool(false),
            ],
            vec![
                text("PH-003"),
                text("林埭园"),
                Value::Enum(0),
                d("50.5"),
                d("3.00075"),
                d("5000"),
                Value::Blank,
                d("0"),
                d("0"),
                Value::Blank,
                Value::Bool(true),
            ],
        ]
    );
    assert_eq!(
        rows(ds, 1),
        vec![
            vec![
                text("913304A"),
                Value::Ref(1),
                d("1205000"),
                Value::Bool(true),
                d("300000"),
            ],
            vec![
                text("913304B"),
                Value::Ref(0),
                d("0"),
                Value::Bool(false),
                Value::Blank,
            ],
            vec![
                text("913304C"),
                Value::Ref(1),
                d("12340000"),
                Value::Bool(false),
                d("125000"),
            ],
        ]
    );
    // Record.row counts data rows from 1; 转让申请 has no file and no rule: empty.
    let table = ds.table(EntityId(1)).unwrap();
    let data_rows: Vec<usize> = table.records.iter().map(|r| r.row).collect();
    assert_eq!(data_rows, vec![1, 2, 3]);
    assert_eq!(ds.table(EntityId(2)).map(|t| t.records.len()), Some(0));
    insta::assert_snapshot!("good_csv_notes", render_notes(&l.notes));
}

#[test]
fn json_and_jsonl_read_numbers_exactly() {
    let l = loaded("good_json");
    let ds = &l.dataset;
    assert_eq!(keys(ds, 0), vec!["J1", "J2"]);
    assert_eq!(
        rows(ds, 0),
        vec![
            vec![
                text("J1"),
                text("一号园"),
                Value::Enum(1),
                d("120"),
                d("2.25"),
                d("1000"),
                Value::Blank,
                d("0.85"),
                d("5"),
                date(2024, 2, 29),
                Value::Bool(true),
            ],
            vec![
                text("J2"),
                text("二号园"),
                Value::Enum(2),
                d("150"),
                d("0.00015"),
                d("60000000"),
                d("0.9"),
                d("0.5"),
                Value::Blank,
                Value::Blank,
                Value::Bool(false),
            ],
        ]
    );
    assert_eq!(
        rows(ds, 1),
        vec![
            vec![
                text("E1"),
                Value::Ref(1),
                d("123456789012345678901234.56789"),
                Value::Bool(true),
                Value::Blank,
            ],
            vec![
                text("E2"),
                Value::Ref(0),
                d("3000"),
                Value::Bool(true),
                d("70000"),
            ],
        ]
    );
    assert!(l.notes.is_empty());
}

#[test]
fn every_bad_cell_in_a_file_is_reported() {
    let errs = errors("bad_cells");
    assert_eq!(codes(&errs), vec!["bad_cell"; 15]);
    insta::assert_snapshot!("bad_cells", render_errors(&errs));
}

#[test]
fn blank_required_cells_are_errors_and_optional_ones_are_not() {
    let errs = errors("blank_cells");
    assert_eq!(codes(&errs), vec!["blank_cell"; 5]);
    insta::assert_snapshot!("blank_cells", render_errors(&errs));
}

#[test]
fn unknown_references_and_duplicate_keys_are_reported() {
    let errs = errors("references");
    assert_eq!(
        codes(&errs),
        vec![
            "unknown_reference",
            "unknown_reference",
            "duplicate_key",
            "duplicate_key"
        ]
    );
    insta::assert_snapshot!("references", render_errors(&errs));
}

#[test]
fn header_problems_are_reported_with_the_cells() {
    let errs = errors("header");
    insta::assert_snapshot!("header", render_errors(&errs));
    let mut sorted = errs.errors.clone();
    parkrules::data::err::sort_errors(&mut sorted);
    assert!(matches!(
        sorted.first(),
        Some(DataError::UnknownColumn { .. })
    ));
    assert_eq!(
        codes(&errs),
        vec![
            "unknown_column",
            "unknown_column",
            "bad_header",
            "bad_header",
            "missing_column",
            "unknown_column",
        ]
    );
}

#[test]
fn malformed_rows_and_files_are_reported() {
    let errs = errors("malformed");
    assert_eq!(
        codes(&errs),
        vec![
            "malformed_row",
            "malformed_row",
            "malformed_row",
            "malformed"
        ]
    );
    insta::assert_snapshot!("malformed", render_errors(&errs));
}

#[test]
fn file_problems_are_reported() {
    let errs = errors("files");
    assert_eq!(
        codes(&errs),
        vec!["two_files", "missing_file", "unsupported_format"]
    );
    insta::assert_snapshot!("files", render_errors(&errs));
}

#[test]
fn gbk_file_is_invalid_utf8_with_its_offset() {
    let errs = errors("gbk");
    // The header is UTF-8; in the row, GBK 平 (0xC6 0xBD) happens to be valid UTF-8,
    // 湖 (0xBA 0xFE) is not: its first byte is the error.
    let header =
        "编号,名称,建设模式,规划面积,总建筑面积,固定资产投资,入驻率,负债率,星级,建成日期,省级\n";
    let expected = (header.len() + "PH-001,".len() + 2) as u64;
    match errs.errors.as_slice() {
        [DataError::InvalidUtf8 { offset, .. }] => assert_eq!(*offset, expected),
        other => panic!("{other:?}"),
    }
    insta::assert_snapshot!("gbk", render_errors(&errs));
}

#[test]
fn skip_bad_records_lists_skipped_rows_and_what_refers_to_them() {
    let l = match load("skip", true) {
        Ok(l) => l,
        Err(e) => panic!("{}", render_errors(&e)),
    };
    let ds = &l.dataset;
    assert_eq!(keys(ds, 0), vec!["PH-001", "PH-003"]);
    assert_eq!(keys(ds, 1), vec!["E1", "E4"]);
    assert_eq!(keys(ds, 2), vec!["T2", "T3"]);
    let refs: Vec<Value> = rows(ds, 1).into_iter().map(|r| r[1].clone()).collect();
    assert_eq!(refs, vec![Value::Ref(0), Value::Ref(1)]);
    let rent = units::resolve(["元", "m2", "月"]).unwrap().factor * Decimal::from(25);
    assert_eq!(
        rows(ds, 2),
        vec![
            vec![text("T2"), Value::Ref(1), Value::Ref(1), Value::Num(rent)],
            vec![text("T3"), Value::Ref(0), Value::Blank, Value::Num(rent)],
        ]
    );
    let skipped: Vec<(String, RowRef)> = l
        .skipped
        .iter()
        .map(|s| (s.at.file.to_string(), s.at.row))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("企业.csv".to_string(), RowRef::Line(3)),
            ("企业.csv".to_string(), RowRef::Line(4)),
            ("园区.csv".to_string(), RowRef::Line(3)),
            ("转让申请.jsonl".to_string(), RowRef::Line(1)),
        ]
    );
    insta::assert_snapshot!("skip", render_skipped(&l.skipped));
    // Without the option the same folder fails with the rows' own errors only.
    let errs = errors("skip");
    assert_eq!(codes(&errs), vec!["bad_cell", "bad_cell"]);
}
