//! Integration tests: `.xlsx` data files and `--format xlsx` output. Workbooks are
//! made here with rust_xlsxwriter (numbers, numbers stored as text, percent and date
//! formats, booleans, empty and error cells) and read back by the loader; outputs are
//! read back with calamine.

use crate::data::{codes, d, date, keys, program, rows, schema_program, text};
use parkrules::data::{
    DataError, LoadErrors, LoadOptions, Loaded, RowRef, load_dir, render_errors, render_skipped,
};
use parkrules::value::Value;
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet};
use std::path::{Path, PathBuf};

/// An insta snapshot under `tests/snapshots/xlsx/`.
fn snap(name: &str, value: String) {
    crate::snap_in("xlsx", name, &value);
}

const PARK_HEADER: [&str; 11] = [
    "编号",
    "名称",
    "建设模式",
    "规划面积",
    "总建筑面积",
    "固定资产投资",
    "入驻率",
    "负债率",
    "星级",
    "建成日期",
    "省级",
];

/// A cell to write.
enum C {
    S(&'static str),
    N(f64),
    /// A number shown as a percent (`0.0%`).
    Pct(f64),
    /// A date serial shown as a date (`yyyy-mm-dd`).
    Date(f64),
    B(bool),
    /// A formula whose cached result is an error value.
    Err(&'static str),
    Empty,
}

fn put(ws: &mut Worksheet, row: u32, col: u16, c: &C) {
    let pct = Format::new().set_num_format("0.0%");
    let day = Format::new().set_num_format("yyyy-mm-dd");
    match c {
        C::S(s) => ws.write_string(row, col, *s).map(|_| ()),
        C::N(n) => ws.write_number(row, col, *n).map(|_| ()),
        C::Pct(n) => ws.write_number_with_format(row, col, *n, &pct).map(|_| ()),
        C::Date(n) => ws.write_number_with_format(row, col, *n, &day).map(|_| ()),
        C::B(b) => ws.write_boolean(row, col, *b).map(|_| ()),
        C::Err(e) => ws
            .write_formula(row, col, Formula::new("=NA()").set_result(*e))
            .map(|_| ()),
        C::Empty => Ok(()),
    }
    .unwrap();
}

/// A sheet: the header at (row0, col0), then the rows (`None`: an empty row).
fn sheet(ws: &mut Worksheet, row0: u32, col0: u16, header: &[&str], rows: &[Option<Vec<C>>]) {
    for (i, h) in header.iter().enumerate() {
        ws.write_string(row0, col0 + i as u16, *h).unwrap();
    }
    for (r, cells) in rows.iter().enumerate() {
        for (i, c) in cells.iter().flatten().enumerate() {
            put(ws, row0 + 1 + r as u32, col0 + i as u16, c);
        }
    }
}

/// A folder holding `园区.xlsx` with one sheet (named `name`) of these rows.
fn park_folder(name: &str, rows: &[Option<Vec<C>>]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(name).unwrap();
    sheet(ws, 0, 0, &PARK_HEADER, rows);
    book.save(dir.path().join("园区.xlsx")).unwrap();
    dir
}

fn load(dir: &Path, skip: bool) -> Result<Loaded, LoadErrors> {
    let opts = LoadOptions {
        skip_bad_records: skip,
        ..LoadOptions::default()
    };
    load_dir(&program(), dir, &opts)
}

fn good_rows() -> Vec<Option<Vec<C>>> {
    use C::*;
    vec![
        Some(vec![
            S("PH-001"),
            S("新埭园"),
            S("国企投资"),
            N(120.0),
            S("1500"),
            N(6000.0),
            Pct(0.85),
            N(0.125),
            N(3.0),
            Date(45292.0),
            B(true),
        ]),
        Some(vec![
            S("PH-002"),
            S("广陈园"),
            S("民间投资"),
            N(0.1),
            N(1500.5),
            S("6000万元"),
            N(85.0),
            Pct(0.125),
            Empty,
            Empty,
            S("是"),
        ]),
        None,
        Some(vec![
            N(1003.0),
            S("林埭园"),
            S("政府全资"),
            N(0.3),
            S("1,500"),
            N(0.7),
            S("58.3%"),
            Pct(0.5),
            N(0.0),
            S("2021/7/1"),
            B(false),
        ]),
    ]
}

#[test]
fn a_sheet_reads_exact_values_from_numbers_text_percents_and_dates() {
    let dir = park_folder("Sheet1", &good_rows());
    let l = match load(dir.path(), false) {
        Ok(l) => l,
        Err(e) => panic!("{}", render_errors(&e)),
    };
    assert_eq!(keys(&l.dataset, 0), vec!["PH-001", "PH-002", "1003"]);
    assert_eq!(
        rows(&l.dataset, 0),
        vec![
            vec![
                text("PH-001"),
                text("新埭园"),
                Value::Enum(1),
                d("120"),
                d("2.25"),
                d("60000000"),
                d("0.85"),
                d("0.125"),
                d("3"),
                date(2024, 1, 1),
                Value::Bool(true),
            ],
            vec![
                text("PH-002"),
                text("广陈园"),
                Value::Enum(2),
                d("0.1"),
                d("2.25075"),
                d("60000000"),
                d("0.85"),
                d("0.125"),
                Value::Blank,
                Value::Blank,
                Value::Bool(true),
            ],
            vec![
                text("1003"),
                text("林埭园"),
                Value::Enum(0),
                d("0.3"),
                d("2.25"),
                d("7000"),
                d("0.583"),
                d("0.5"),
                d("0"),
                date(2021, 7, 1),
                Value::Bool(false),
            ],
        ]
    );
    // The empty row is not a record; rows count records from 1.
    let table = l.dataset.table(parkrules::program::EntityId(0)).unwrap();
    let data_rows: Vec<usize> = table.records.iter().map(|r| r.row).collect();
    assert_eq!(data_rows, vec![1, 2, 3]);
    assert!(l.notes.is_empty(), "{:?}", l.notes);
}

fn bad_rows() -> Vec<Option<Vec<C>>> {
    use C::*;
    vec![
        Some(vec![
            S("PH-001"),
            Empty,
            S("国企"),
            Err("#N/A"),
            Pct(0.5),
            Pct(0.3),
            S("五十八"),
            B(true),
            N(2.5),
            N(45292.5),
            N(2.0),
        ]),
        Some(vec![
            S("PH-002"),
            S("园"),
            S("国企投资"),
            Date(45292.0),
            N(1500.0),
            B(false),
            N(85.0),
            N(0.5),
            N(1.0),
            Date(45292.25),
            Err("#DIV/0!"),
        ]),
        Some(vec![
            S("PH-003"),
            S("好园"),
            S("国企投资"),
            N(100.0),
            N(1500.0),
            N(6000.0),
            N(85.0),
            N(0.5),
            N(1.0),
            Date(45292.0),
            B(true),
        ]),
    ]
}

#[test]
fn every_bad_cell_names_the_file_sheet_row_and_cell() {
    let dir = park_folder("园区", &bad_rows());
    let errs = match load(dir.path(), false) {
        Ok(_) => panic!("bad cells loaded"),
        Err(e) => e,
    };
    assert!(matches!(
        errs.errors.first(),
        Some(DataError::BlankCell { at, col: 1, .. })
            if at.row == RowRef::Line(2) && at.sheet.as_deref() == Some("园区")
    ));
    snap("bad_cells", render_errors(&errs));
}

#[test]
fn skip_bad_records_works_on_a_sheet() {
    let dir = park_folder("园区", &bad_rows());
    let l = match load(dir.path(), true) {
        Ok(l) => l,
        Err(e) => panic!("{}", render_errors(&e)),
    };
    assert_eq!(keys(&l.dataset, 0), vec!["PH-003"]);
    let skipped: Vec<RowRef> = l.skipped.iter().map(|s| s.at.row).collect();
    assert_eq!(skipped, vec![RowRef::Line(2), RowRef::Line(3)]);
    snap("skipped", render_skipped(&l.skipped));
}

#[test]
fn the_sheet_named_after_the_entity_is_read_wherever_its_table_starts() {
    use C::*;
    let dir = tempfile::tempdir().unwrap();
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "本表为园区数据").unwrap();
    let ws = book.add_worksheet();
    ws.set_name("园区").unwrap();
    // The table starts at C3, with a stray unknown column and a header cell left empty.
    let mut header = PARK_HEADER.to_vec();
    header.push("备注");
    let row = vec![
        S("PH-001"),
        S("园"),
        S("国企投资"),
        N(1.0),
        N(1.0),
        N(1.0),
        S("abc"),
        N(0.5),
        N(1.0),
        Date(45292.0),
        B(true),
        S("x"),
        S("stray"),
    ];
    sheet(ws, 2, 2, &header, &[Some(row)]);
    book.save(dir.path().join("园区.xlsx")).unwrap();
    let errs = load(dir.path(), false).unwrap_err();
    assert_eq!(
        codes(&errs),
        vec!["bad_header", "unknown_column", "bad_cell"]
    );
    snap("offset_table", render_errors(&errs));
}

#[test]
fn a_file_that_is_no_workbook_and_an_empty_sheet_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("园区.xlsx"), "编号,名称\n").unwrap();
    let errs = load(dir.path(), false).unwrap_err();
    assert_eq!(codes(&errs), vec!["unreadable"]);
    let mut book = Workbook::new();
    book.add_worksheet();
    book.save(dir.path().join("园区.xlsx")).unwrap();
    let empty = load(dir.path(), false).unwrap_err();
    snap(
        "not_a_workbook",
        render_errors(&errs) + &render_errors(&empty),
    );
}

/// The shipped example with every file saved as a workbook: numbers that read back
/// as written are numbers, the rest text.
pub(crate) fn pinghu_as_xlsx() -> tempfile::TempDir {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for entity in ["园区", "企业", "转让申请"] {
        let path = root.join("examples/pinghu").join(format!("{entity}.csv"));
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .unwrap();
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        for (r, rec) in rdr.records().enumerate() {
            for (c, cell) in rec.unwrap().iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell.parse::<f64>() {
                    Ok(n) if r > 0 && format!("{n}") == cell => ws.write_number(r, c, n),
                    _ => ws.write_string(r, c, cell),
                }
                .unwrap();
            }
        }
        book.save(dir.path().join(format!("{entity}.xlsx")))
            .unwrap();
    }
    dir
}

#[test]
fn the_shipped_example_as_workbooks_loads_the_records_of_its_csv_files() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let schema = std::fs::read_to_string(root.join("policies/pinghu-current/数据.rules")).unwrap();
    let program = schema_program(&schema);
    let csv = load_dir(
        &program,
        &root.join("examples/pinghu"),
        &LoadOptions::default(),
    )
    .unwrap();
    let dir = pinghu_as_xlsx();
    let xlsx = load_dir(&program, dir.path(), &LoadOptions::default()).unwrap();
    for (a, b) in xlsx.dataset.tables.iter().zip(&csv.dataset.tables) {
        assert_eq!(a.records, b.records);
    }
    assert!(xlsx.notes.is_empty());
}

#[test]
fn workbooks_stream_the_outcomes_of_their_csv_files() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let program = parkrules::load::compile_path(&root.join("policies/pinghu-revised"))
        .program
        .unwrap();
    let as_of = program.info.effective.unwrap();
    let run = |dir: &Path| {
        let mut out = Vec::new();
        parkrules::stream::eval_jsonl(&program, dir, as_of, &mut out, &parkrules::progress::Quiet)
            .unwrap();
        out
    };
    let xlsx = pinghu_as_xlsx();
    assert_eq!(run(xlsx.path()), run(&root.join("examples/pinghu")));
}

fn parkrules_bin(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_parkrules"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

type Book = calamine::Xlsx<std::io::BufReader<std::fs::File>>;

fn open_book(path: &Path) -> Book {
    calamine::open_workbook(path).unwrap()
}

/// A sheet's rows as text (numbers as Rust prints them).
fn sheet_rows(book: &mut Book, name: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader};
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{f}"),
                    Data::Int(i) => i.to_string(),
                    other => format!("{other:?}"),
                })
                .collect()
        })
        .collect()
}

fn number_format(book: &mut Book, sheet: &str, pos: (u32, u32)) -> String {
    let styles = book.worksheet_style(sheet).unwrap();
    styles
        .get(pos)
        .and_then(|s| s.number_format.as_ref())
        .map(|f| f.format_code.clone())
        .unwrap_or_default()
}

#[test]
fn eval_writes_a_workbook_of_outcomes_and_totals() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("结果.xlsx");
    let args = [
        "eval",
        "policies/pinghu-revised",
        "--data",
        "examples/pinghu",
        "--format",
        "xlsx",
        "-o",
        out.to_str().unwrap(),
    ];
    let o = parkrules_bin(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty());
    let mut book = open_book(&out);
    assert_eq!(calamine::Reader::sheet_names(&book), vec!["结果", "合计"]);
    let rows = sheet_rows(&mut book, "结果");
    assert_eq!(
        rows[0],
        [
            "实体",
            "主键",
            "规则",
            "类别",
            "状态",
            "金额(万元)",
            "金额(元)",
            "例外",
            "依据",
            "说明",
            "未满足条件",
            "错误",
            "位置"
        ]
    );
    let find = |key: &str, rule: &str| {
        let i = rows
            .iter()
            .position(|r| r[1] == key && r[2] == rule)
            .unwrap();
        (i, rows[i].clone())
    };
    // The outcomes README shows: PH-001's operating reward, PH-009's subsidy.
    let (i, r) = find("PH-001", "运营奖励");
    assert_eq!(
        (&r[3][..], &r[4][..], &r[5][..], &r[6][..]),
        ("运营奖励", "金额", "24", "240000")
    );
    assert_eq!(
        number_format(&mut book, "结果", (i as u32, 5)),
        "#,##0.00####\"万元\""
    );
    let (_, r) = find("PH-009", "建设补助");
    assert_eq!(
        (&r[5][..], &r[6][..], &r[7][..]),
        ("366.071013", "3660710.13", "薄弱镇园区")
    );
    let (_, r) = find("PH-001", "建设补助");
    assert_eq!(
        (&r[4][..], &r[10][..]),
        ("不适用", "入驻率 >= 建设补助入驻率门槛")
    );
    // Every outcome is a row.
    let jsonl = parkrules_bin(&[
        "eval",
        "policies/pinghu-revised",
        "--data",
        "examples/pinghu",
        "--format",
        "jsonl",
    ]);
    assert_eq!(
        rows.len() - 1,
        jsonl.stdout.iter().filter(|b| **b == b'\n').count()
    );
    // The budget total is the snapshot's.
    let totals = sheet_rows(&mut book, "合计");
    let budget = totals.last().unwrap();
    assert_eq!(budget[0], "预算");
    let snapshot = parkrules_bin(&[
        "eval",
        "policies/pinghu-revised",
        "--data",
        "examples/pinghu",
        "--format",
        "snapshot",
    ]);
    let snapshot = String::from_utf8(snapshot.stdout).unwrap();
    let line = snapshot
        .lines()
        .find(|l| l.starts_with("# budget total"))
        .unwrap();
    let yuan: rust_decimal::Decimal = line
        .rsplit_once('(')
        .unwrap()
        .1
        .trim_end_matches(')')
        .parse()
        .unwrap();
    let wan = (yuan / rust_decimal::Decimal::from(10_000)).to_string();
    assert_eq!(budget[9], format!("{}", wan.parse::<f64>().unwrap()));
    assert_eq!(
        totals[0],
        [
            "层级",
            "名称",
            "实体",
            "类别",
            "金额",
            "不适用",
            "通过",
            "违反",
            "错误",
            "金额合计(万元)"
        ]
    );
    // Written twice, the same bytes.
    let again = dir.path().join("again.xlsx");
    let mut args2 = args;
    args2[7] = again.to_str().unwrap();
    assert_eq!(parkrules_bin(&args2).status.code(), Some(0));
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&again).unwrap());
}

#[test]
fn diff_writes_a_workbook_of_totals_changes_and_breakdowns() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("影响.xlsx");
    let o = parkrules_bin(&[
        "diff",
        "policies/pinghu-current",
        "policies/pinghu-revised",
        "--data",
        "examples/pinghu",
        "--by",
        "镇街道",
        "--format",
        "xlsx",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut book = open_book(&out);
    assert_eq!(
        calamine::Reader::sheet_names(&book),
        vec!["合计", "变化", "按镇街道"]
    );
    let totals = sheet_rows(&mut book, "合计");
    assert_eq!(
        totals[0][5..9],
        ["修订前(万元)", "修订后(万元)", "变化(万元)", "变化率"]
    );
    let budget = totals.len() - 1;
    assert_eq!(totals[budget][0], "预算");
    assert_eq!(
        number_format(&mut book, "合计", (budget as u32, 5)),
        "#,##0.00####\"万元\""
    );
    assert_eq!(
        number_format(&mut book, "合计", (budget as u32, 8)),
        "0.00%"
    );
    let changes = sheet_rows(&mut book, "变化");
    assert_eq!(
        changes[0][..6],
        ["实体", "主键", "规则", "类别", "修订前", "修订后"]
    );
    // PH-001's operating reward: 20万元 → 24万元 (README).
    let r = changes
        .iter()
        .find(|r| r[1] == "PH-001" && r[2] == "运营奖励")
        .unwrap();
    assert_eq!((&r[6][..], &r[7][..], &r[8][..]), ("20", "24", "4"));
    let towns = sheet_rows(&mut book, "按镇街道");
    assert!(towns.iter().any(|r| r[0] == "新埭镇"));
}

#[test]
fn xlsx_to_a_terminal_or_pipe_is_bad_usage() {
    for args in [
        &[
            "eval",
            "policies/pinghu-current",
            "--data",
            "examples/pinghu",
            "--format",
            "xlsx",
        ][..],
        &[
            "diff",
            "policies/pinghu-current",
            "policies/pinghu-revised",
            "--data",
            "examples/pinghu",
            "--format",
            "xlsx",
        ][..],
    ] {
        let o = parkrules_bin(args);
        assert_eq!(o.status.code(), Some(2));
        assert!(o.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&o.stderr),
            "error: --format xlsx writes a workbook: give the file to write with -o FILE.xlsx\n"
        );
    }
}

/// The text of one part of a saved workbook.
fn part(xlsx: &Path, name: &str) -> String {
    let file = std::fs::File::open(xlsx).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut text).unwrap();
    text
}

/// A sheet whose used area runs to the last cell Excel has (`A1:XFD1048576`, and its
/// `<dimension>` says so) holding a small table: read by its cells, not by that box of
/// 17 billion cells (calamine's `worksheet_range` allocates the box, and the process
/// was killed for memory), so it loads as the table alone.
#[test]
fn a_far_cell_does_not_make_the_sheet_its_whole_box() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("园区.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    sheet(ws, 0, 0, &PARK_HEADER, &good_rows());
    ws.write_string(1_048_575, 16_383, " ").unwrap();
    book.save(&path).unwrap();
    let xml = part(&path, "xl/worksheets/sheet1.xml");
    assert!(xml.contains(r#"<dimension ref="A1:XFD1048576"/>"#), "{xml}");
    let l = match load(dir.path(), false) {
        Ok(l) => l,
        Err(e) => panic!("{}", render_errors(&e)),
    };
    assert_eq!(keys(&l.dataset, 0), vec!["PH-001", "PH-002", "1003"]);

    // A value there is in a column without a header name: reported with its column.
    let ws = book.worksheet_from_index(0).unwrap();
    ws.write_number(1_048_575, 16_383, 1.0).unwrap();
    book.save(&path).unwrap();
    let shown = render_errors(&load(dir.path(), false).unwrap_err());
    assert!(shown.contains("XFD"), "{}", &shown[..shown.len().min(2000)]);
}

/// A workbook whose zip directory says its sheet unpacks to 4 GiB (a zip bomb: a small
/// file of gigabytes of XML) is refused before anything is unpacked.
#[test]
fn a_workbook_that_unpacks_to_gigabytes_is_refused() {
    let dir = park_folder("园区", &good_rows());
    let path = dir.path().join("园区.xlsx");
    let mut bytes = std::fs::read(&path).unwrap();
    // The central directory entry of the sheet: its uncompressed size (offset 24).
    let name = b"xl/worksheets/sheet1.xml";
    let entry = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .map(|(i, _)| i)
        .find(|&i| bytes[i + 46..].starts_with(name))
        .unwrap();
    bytes[entry + 24..entry + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let shown = render_errors(&load(dir.path(), false).unwrap_err());
    assert!(shown.contains("园区.xlsx"), "{shown}");
    assert!(shown.contains("its parts unpack to 4294"), "{shown}");
}
