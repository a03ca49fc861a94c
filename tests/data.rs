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
    DataError, Dataset, KeyIndex, LoadErrors, LoadOptions, Loaded, RowRef, find_data_files,
    load_dir, open_table, render_errors, render_notes, render_skipped,
};
use parkrules::program::*;
use parkrules::span::{SourceMap, Span};
use parkrules::units;
use parkrules::value::Value;
use rust_decimal::Decimal;
use std::path::PathBuf;

/// The test schema: the Pinghu shape, cut down.
pub(crate) const SCHEMA: &str = "
enum 建设模式 { 政府全资, 国企投资, 民间投资 }
entity 园区 {
  编号: text key
  名称: text
  建设模式: 建设模式
  规划面积: area in 亩
  总建筑面积: area in m2
  固定资产投资: money in 万元
  入驻率: percent?
  负债率: percent in fraction
  星级: int?
  建成日期: date?
  省级: bool
}
entity 企业 {
  代码: text key
  园区: 园区
  年税收: money in 万元
  规上: bool
  亩均税收: money/area in 万元/亩?
}
entity 转让申请 {
  编号: text key
  园区: 园区
  买方企业: 企业?
  租金: money/area/duration in 元/m2/月?
}
";

/// A program of the enums and entities of a `.rules` text (declarations only, one
/// field per line), with one rule for the first entity so that its file is required.
/// Stands in for the parser and checker, which are built in parallel.
pub(crate) fn schema_program(text: &str) -> Program {
    let lines: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .collect();
    let mut enums = Vec::new();
    let mut entity_names = Vec::new();
    for l in &lines {
        if let Some(rest) = l.strip_prefix("enum ") {
            let (name, variants) = rest.split_once('{').unwrap();
            enums.push(EnumDef {
                name: name.trim().to_string(),
                variants: variants
                    .trim_end_matches('}')
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .collect(),
                span: Span::default(),
            });
        } else if let Some(rest) = l.strip_prefix("entity ") {
            entity_names.push(rest.trim_end_matches('{').trim().to_string());
        }
    }
    let mut entities: Vec<EntityDef> = Vec::new();
    for l in &lines {
        if let Some(rest) = l.strip_prefix("entity ") {
            entities.push(EntityDef {
                name: rest.trim_end_matches('{').trim().to_string(),
                fields: Vec::new(),
                key: FieldId(0),
                span: Span::default(),
            });
        } else if l.contains(':') {
            let e = entities.last_mut().unwrap();
            if l.ends_with(" key") {
                e.key = FieldId(e.fields.len());
            }
            e.fields
                .push(field(l.trim_end_matches(" key"), &enums, &entity_names));
        }
    }
    let first = EntityId(0);
    program_of(enums, entities, first)
}

/// One field line: `name: type [in unit]`, `?` after the type or the unit.
fn field(line: &str, enums: &[EnumDef], entities: &[String]) -> FieldDef {
    let (name, rest) = line.split_once(':').unwrap();
    let optional = rest.contains('?');
    let rest = rest.replace('?', "");
    let words: Vec<&str> = rest.split_whitespace().collect();
    let unit = match words.as_slice() {
        [_, "in", u] => Some(*u),
        _ => None,
    };
    let (ty, input) = match (words[0], unit) {
        ("text", _) => (Ty::Text, InputUnit::Plain),
        ("bool", _) => (Ty::Bool, InputUnit::Plain),
        ("date", _) => (Ty::Date, InputUnit::Plain),
        ("int", _) => (Ty::INT, InputUnit::Plain),
        ("number", _) => (Ty::NUMBER, InputUnit::Plain),
        ("percent", Some("fraction")) => (Ty::PERCENT, InputUnit::Fraction),
        ("percent", _) => (Ty::PERCENT, InputUnit::PercentPoints),
        (_, Some(u)) => {
            let unit = units::resolve(u.split('/')).unwrap();
            (Ty::Num(unit.dim, NumHint::Number), InputUnit::Unit(unit))
        }
        (t, None) => match enums.iter().position(|e| e.name == t) {
            Some(i) => (Ty::Enum(EnumId(i)), InputUnit::Plain),
            None => {
                let i = entities.iter().position(|e| e == t).unwrap();
                (Ty::Entity(EntityId(i)), InputUnit::Plain)
            }
        },
    };
    FieldDef {
        name: name.trim().to_string(),
        ty,
        input,
        optional,
        span: Span::default(),
    }
}

fn program_of(enums: Vec<EnumDef>, entities: Vec<EntityDef>, ruled: EntityId) -> Program {
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
        enums,
        entities,
        params: Vec::new(),
        lets: Vec::new(),
        rules: vec![RuleDef {
            name: "配套用房比例".into(),
            family: Family::Ratio,
            entity: ruled,
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
        inherited_tests: Vec::new(),
    }
}

pub(crate) fn program() -> Program {
    schema_program(SCHEMA)
}

/// An insta snapshot under `tests/snapshots/data/`.
fn snap(name: &str, value: String) {
    crate::snap_in("data", name, &value);
}

fn case_dir(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cases/data")
        .join(case)
}

fn load(case: &str, skip: bool) -> Result<Loaded, LoadErrors> {
    let opts = LoadOptions {
        skip_bad_records: skip,
        ..LoadOptions::default()
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

pub(crate) fn codes(errs: &LoadErrors) -> Vec<String> {
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

pub(crate) fn d(s: &str) -> Value {
    Value::Num(s.parse::<Decimal>().unwrap())
}

pub(crate) fn text(s: &str) -> Value {
    Value::Text(s.into())
}

pub(crate) fn date(y: i32, m: u32, day: u32) -> Value {
    Value::Date(chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap())
}

/// The values of one table, row by row.
pub(crate) fn rows(ds: &Dataset, entity: usize) -> Vec<Vec<Value>> {
    let table = ds.table(EntityId(entity)).unwrap();
    table.records.iter().map(|r| r.values.clone()).collect()
}

pub(crate) fn keys(ds: &Dataset, entity: usize) -> Vec<String> {
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
    snap("good_csv_notes", render_notes(&l.notes));
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
fn a_percent_column_of_fractions_is_read_as_points_with_a_note() {
    let l = loaded("fraction_like");
    let occupancy: Vec<Value> = rows(&l.dataset, 0)
        .into_iter()
        .map(|r| r[6].clone())
        .collect();
    assert_eq!(occupancy, vec![d("0.0085"), Value::Blank, d("0")]);
    snap("fraction_like_notes", render_notes(&l.notes));
}

#[test]
fn every_bad_cell_in_a_file_is_reported() {
    let errs = errors("bad_cells");
    assert_eq!(codes(&errs), vec!["bad_cell"; 15]);
    snap("bad_cells", render_errors(&errs));
}

#[test]
fn json_values_of_the_wrong_kind_are_bad_cells() {
    let errs = errors("json_bad");
    assert_eq!(
        codes(&errs),
        vec![
            "bad_cell",
            "bad_cell",
            "bad_cell",
            "blank_cell",
            "bad_cell",
            "bad_cell"
        ]
    );
    snap("json_bad", render_errors(&errs));
}

#[test]
fn rows_are_numbered_by_the_line_they_start_on() {
    let errs = errors("multiline");
    assert!(matches!(
        errs.errors.as_slice(),
        [DataError::BadCell { at, .. }] if at.row == RowRef::Line(4)
    ));
}

#[test]
fn blank_required_cells_are_errors_and_optional_ones_are_not() {
    let errs = errors("blank_cells");
    assert_eq!(codes(&errs), vec!["blank_cell"; 5]);
    snap("blank_cells", render_errors(&errs));
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
    snap("references", render_errors(&errs));
}

#[test]
fn header_problems_are_reported_with_the_cells() {
    let errs = errors("header");
    snap("header", render_errors(&errs));
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
    snap("malformed", render_errors(&errs));
}

#[test]
fn file_problems_are_reported() {
    let errs = errors("files");
    assert_eq!(
        codes(&errs),
        vec!["two_files", "missing_file", "unsupported_format"]
    );
    snap("files", render_errors(&errs));
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
        [DataError::InvalidUtf8 { offset, line, .. }] => {
            assert_eq!((*offset, *line), (expected, 2));
        }
        other => panic!("{other:?}"),
    }
    snap("gbk", render_errors(&errs));
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
    snap("skip", render_skipped(&l.skipped));
    // Without the option the same folder fails with the rows' own errors only.
    let errs = errors("skip");
    assert_eq!(codes(&errs), vec!["bad_cell", "bad_cell"]);
}

#[test]
fn the_shipped_pinghu_example_loads_with_the_shipped_schema() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read_to_string(root.join("policies/pinghu-current/数据.rules")).unwrap();
    let program = schema_program(&schema);
    let l = match load_dir(
        &program,
        &root.join("examples/pinghu"),
        &LoadOptions::default(),
    ) {
        Ok(l) => l,
        Err(e) => panic!("{}", render_errors(&e)),
    };
    let ds = &l.dataset;
    let counts: Vec<usize> = ds.tables.iter().map(|t| t.records.len()).collect();
    assert_eq!(counts, vec![34, 600, 40]);
    assert!(l.notes.is_empty() && l.skipped.is_empty());
    let park = &ds.table(EntityId(0)).unwrap().records[0];
    let field = |e: usize, name: &str| program.entities[e].field_by_name(name).unwrap().0;
    // PH-001: 规划面积 104.08 亩, 总建筑面积 130068 m2, 固定资产投资 6973.36 万元, 入驻率 58.3.
    assert_eq!(park.key.as_str(), "PH-001");
    assert_eq!(park.values[field(0, "规划面积")], d("104.08"));
    assert_eq!(park.values[field(0, "总建筑面积")], d("195.102"));
    assert_eq!(park.values[field(0, "固定资产投资")], d("69733600"));
    assert_eq!(park.values[field(0, "入驻率")], d("0.583"));
    let firm = &ds.table(EntityId(1)).unwrap().records[0];
    // 占用面积 658 m2, 亩均税收 15.9 万元/亩, 规上 否, 升规日期 blank.
    assert_eq!(firm.values[field(1, "园区")], Value::Ref(0));
    assert_eq!(firm.values[field(1, "占用面积")], d("0.987"));
    assert_eq!(firm.values[field(1, "亩均税收")], d("159000"));
    assert_eq!(firm.values[field(1, "规上")], Value::Bool(false));
    assert_eq!(firm.values[field(1, "升规日期")], Value::Blank);
}

#[test]
fn tables_can_be_read_row_by_row() {
    let program = program();
    let files = find_data_files(&program, &case_dir("good_csv")).unwrap();
    assert_eq!(files.order, vec![EntityId(0), EntityId(1), EntityId(2)]);
    assert!(files.cyclic.is_empty() && files.files[2].is_none());
    let path = |e: usize| files.files[e].clone().unwrap();
    // Key maps of tables not read yet: incomplete; 转让申请 has no file: complete, empty.
    let mut refs = vec![
        KeyIndex::empty(false),
        KeyIndex::empty(false),
        KeyIndex::empty(true),
    ];
    let mut parks = open_table(&program, EntityId(0), &path(0), &refs).unwrap();
    let keys: Vec<String> = parks.by_ref().map(|r| r.unwrap().key.to_string()).collect();
    assert_eq!(keys, vec!["PH-001", "PH-002", "PH-003"]);
    let (index, file_errors, notes) = parks.finish();
    assert!(file_errors.is_empty() && notes.is_empty());
    refs[0] = index;
    let firms = open_table(&program, EntityId(1), &path(1), &refs).unwrap();
    let parks_of: Vec<Value> = firms.map(|r| r.unwrap().values[1].clone()).collect();
    assert_eq!(parks_of, vec![Value::Ref(1), Value::Ref(0), Value::Ref(1)]);
}

const CYCLE: &str = "
entity 园区 {
  编号: text key
  上级: 园区?
  龙头企业: 企业?
}
entity 企业 {
  代码: text key
  园区: 园区
}
";

#[test]
fn entities_referring_to_each_other_resolve_after_reading() {
    let program = schema_program(CYCLE);
    let opts = LoadOptions {
        skip_bad_records: true,
        ..LoadOptions::default()
    };
    let l = match load_dir(&program, &case_dir("cycle"), &opts) {
        Ok(l) => l,
        Err(e) => panic!("{}", render_errors(&e)),
    };
    let ds = &l.dataset;
    assert_eq!(keys(ds, 0), vec!["P1", "P2"]);
    assert_eq!(keys(ds, 1), vec!["E1", "E2", "E4"]);
    assert_eq!(
        rows(ds, 0),
        vec![
            vec![text("P1"), Value::Blank, Value::Ref(1)],
            vec![text("P2"), Value::Ref(0), Value::Ref(0)],
        ]
    );
    let parks: Vec<Value> = rows(ds, 1).into_iter().map(|r| r[1].clone()).collect();
    assert_eq!(parks, vec![Value::Ref(1), Value::Ref(0), Value::Ref(1)]);
    snap("cycle_skipped", render_skipped(&l.skipped));
    // Without skipping, only the root cause is an error.
    let errs = load_dir(&program, &case_dir("cycle"), &LoadOptions::default()).unwrap_err();
    snap("cycle", render_errors(&errs));
}

#[test]
fn a_blank_key_is_an_error_even_when_the_field_is_optional() {
    let program = schema_program("entity 园区 {\n 编号: text? key\n 名称: text\n}");
    let errs = load_dir(&program, &case_dir("optional_key"), &LoadOptions::default()).unwrap_err();
    assert_eq!(codes(&errs), vec!["blank_cell"]);
    assert!(
        matches!(&errs.errors[0], DataError::BlankCell { at, .. } if at.row == RowRef::Line(3))
    );
}

/// The shipped example saved as GB18030 (as Excel on Chinese Windows saves CSV).
fn pinghu_in_gb18030() -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for f in ["园区.csv", "企业.csv", "转让申请.csv"] {
        let text = std::fs::read_to_string(root.join("examples/pinghu").join(f)).unwrap();
        let (bytes, _, lossy) = encoding_rs::GB18030.encode(&text);
        assert!(!lossy);
        std::fs::write(dir.path().join(f), bytes).unwrap();
    }
    dir
}

#[test]
fn a_gb18030_folder_loads_as_its_utf8_original_with_a_note_per_file() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read_to_string(root.join("policies/pinghu-current/数据.rules")).unwrap();
    let program = schema_program(&schema);
    let utf8 = load_dir(
        &program,
        &root.join("examples/pinghu"),
        &LoadOptions::default(),
    )
    .unwrap();
    let dir = pinghu_in_gb18030();
    let gb = load_dir(&program, dir.path(), &LoadOptions::default()).unwrap();
    assert_eq!(gb.dataset.tables.len(), utf8.dataset.tables.len());
    for (a, b) in gb.dataset.tables.iter().zip(&utf8.dataset.tables) {
        assert_eq!(a.records, b.records);
    }
    snap("gb18030_notes", render_notes(&gb.notes));
}

#[test]
fn a_byte_gb18030_cannot_decode_is_an_error_naming_it() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read_to_string(root.join("policies/pinghu-current/数据.rules")).unwrap();
    let program = schema_program(&schema);
    let dir = pinghu_in_gb18030();
    let path = dir.path().join("园区.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() - 10;
    bytes[at] = 0xFF;
    std::fs::write(&path, bytes).unwrap();
    let errs = match load_dir(&program, dir.path(), &LoadOptions::default()) {
        Err(e) => e,
        Ok(_) => panic!("an undecodable byte loaded"),
    };
    match errs.errors.as_slice() {
        [DataError::InvalidGb18030 { offset, .. }] => assert_eq!(*offset, at as u64),
        other => panic!("{other:?}"),
    }
    snap("gb18030_bad_byte", render_errors(&errs));
}

/// A file of many batches (the CSV reader converts rows a batch at a time on every
/// core): errors at batch edges, a key repeated from an earlier batch and a row cut
/// short are found on the rows they are on, and the kept rows keep the file's order.
#[test]
fn a_file_of_many_batches_reads_as_one_row_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from(
        "编号,名称,建设模式,规划面积,总建筑面积,固定资产投资,入驻率,负债率,星级,建成日期,省级\n",
    );
    let n = 10_000;
    for i in 1..=n {
        let line = match i {
            4096 => "PH-04096,园,民间投资,abc,1000,50,80%,0.5,,,否".to_string(),
            4097 => "PH-00005,园,民间投资,10,1000,50,80%,0.5,,,否".to_string(),
            8200 => "PH-08200,园,民间投资,10".to_string(),
            _ => format!(
                "PH-{i:05},园{i},国企投资,{},1000,50,80%,0.5,,,是",
                i % 97 + 1
            ),
        };
        csv.push_str(&line);
        csv.push('\n');
    }
    std::fs::write(dir.path().join("园区.csv"), csv).unwrap();
    let p = program();
    // Without the option: the three rows' errors, each on its line (header is line 1).
    let errs = load_dir(&p, dir.path(), &LoadOptions::default()).unwrap_err();
    assert_eq!(
        codes(&errs),
        vec!["bad_cell", "duplicate_key", "malformed_row"]
    );
    let rendered = render_errors(&errs);
    assert!(rendered.contains("园区.csv:4097"), "{rendered}");
    assert!(rendered.contains("园区.csv:4098"), "{rendered}");
    assert!(rendered.contains("园区.csv:8201"), "{rendered}");
    // With it: every other row kept, in file order, numbered without gaps.
    let opts = LoadOptions {
        skip_bad_records: true,
        ..LoadOptions::default()
    };
    let l = load_dir(&p, dir.path(), &opts).unwrap();
    let kept = keys(&l.dataset, 0);
    let expected: Vec<String> = (1..=n)
        .filter(|i| ![4096, 4097, 8200].contains(i))
        .map(|i| format!("PH-{i:05}"))
        .collect();
    assert_eq!(kept, expected);
    assert_eq!(
        rows(&l.dataset, 0)[9_000][3],
        Value::Num(units::resolve(["亩"]).unwrap().factor * Decimal::from((9_004 % 97) + 1),)
    );
    let skipped: Vec<RowRef> = l.skipped.iter().map(|s| s.at.row).collect();
    assert_eq!(
        skipped,
        vec![RowRef::Line(4097), RowRef::Line(4098), RowRef::Line(8201)]
    );
}

/// A CRLF file with quoted line ends, read in many blocks: every row's errors name the
/// line it starts on (the CSV parser's own count lags a line after each CRLF).
#[test]
fn a_crlf_file_of_many_blocks_names_each_rows_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from(
        "编号,名称,建设模式,规划面积,总建筑面积,固定资产投资,入驻率,负债率,星级,建成日期,省级\r\n",
    );
    let mut line = 2;
    let mut bad_lines = Vec::new();
    for i in 1..=30_000 {
        // Every 7th name spans two lines; every 4001st row has a bad area.
        let name = if i % 7 == 0 {
            format!("\"园{i}\r\n二期\"")
        } else {
            format!("园{i}")
        };
        let area = if i % 4001 == 0 { "abc" } else { "10" };
        if i % 4001 == 0 {
            bad_lines.push(RowRef::Line(line));
        }
        csv.push_str(&format!(
            "PH-{i:05},{name},国企投资,{area},1000,50,80%,0.5,,,是\r\n"
        ));
        line += if i % 7 == 0 { 2 } else { 1 };
        if i % 5000 == 0 {
            // A blank line, counted as a line and not as a row.
            csv.push_str("\r\n");
            line += 1;
        }
    }
    assert!(csv.len() > 3 * 128 * 1024);
    std::fs::write(dir.path().join("园区.csv"), csv).unwrap();
    let errs = load_dir(&program(), dir.path(), &LoadOptions::default()).unwrap_err();
    let lines: Vec<RowRef> = errs.errors.iter().filter_map(|e| e.sort_key().1).collect();
    assert_eq!(lines, bad_lines);
    assert_eq!(lines.len(), 7);
}

fn load_in(dir: &std::path::Path, encoding: &str) -> Result<Loaded, LoadErrors> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read_to_string(root.join("policies/pinghu-current/数据.rules")).unwrap();
    let opts = LoadOptions {
        encoding: parkrules::data::EncodingChoice::from_name(encoding).unwrap(),
        ..LoadOptions::default()
    };
    load_dir(&schema_program(&schema), dir, &opts)
}

#[test]
fn an_encoding_given_reads_a_gbk_folder_without_a_note() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let utf8 = load_in(&root.join("examples/pinghu"), "utf-8").unwrap();
    let dir = pinghu_in_gb18030();
    for name in ["gbk", "gb18030"] {
        let gb = load_in(dir.path(), name).unwrap();
        for (a, b) in gb.dataset.tables.iter().zip(&utf8.dataset.tables) {
            assert_eq!(a.records, b.records);
        }
        assert!(gb.notes.is_empty(), "{:?}", gb.notes);
    }
}

#[test]
fn a_file_not_in_the_encoding_given_is_an_error_naming_the_byte() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // UTF-8 read as GBK: the first Chinese character of the header gives it away.
    let errs = load_in(&root.join("examples/pinghu"), "gbk").unwrap_err();
    assert!(errs.errors.iter().all(|e| matches!(
        e,
        DataError::WrongEncoding {
            offset: 0,
            looks_utf8: true,
            ..
        }
    )));
    // GBK read as UTF-8: the first GBK byte.
    let gb = pinghu_in_gb18030();
    let utf8 = load_in(gb.path(), "utf-8").unwrap_err();
    assert!(
        utf8.errors
            .iter()
            .all(|e| matches!(e, DataError::InvalidUtf8 { .. }))
    );
    // GBK with a byte GB18030 has no character for.
    let path = gb.path().join("园区.csv");
    let mut bytes = std::fs::read(&path).unwrap();
    let at = bytes.len() - 10;
    bytes[at] = 0xFF;
    std::fs::write(&path, bytes).unwrap();
    let bad = load_in(gb.path(), "gbk").unwrap_err();
    match bad.errors.as_slice() {
        [
            DataError::WrongEncoding {
                offset,
                looks_utf8: false,
                ..
            },
        ] => {
            assert_eq!(*offset, at as u64)
        }
        other => panic!("{other:?}"),
    }
    snap(
        "wrong_encoding",
        [errs, utf8, bad].iter().map(render_errors).collect(),
    );
}
