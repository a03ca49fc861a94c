//! Any bytes as `园区.xlsx` of `policies/pinghu-current` (`企业.csv` and `转让申请.csv`
//! are the first rows of `examples/pinghu`). Load (strict and `--skip-bad-records`),
//! render every error, evaluate, write every report, and stream. Nothing may panic.
//!
//! Two forms of input, so that the fuzzer can reach the XML that calamine parses
//! rather than mutate deflate streams and CRCs:
//! - an input starting with `PK` is the workbook file as it is;
//! - any other is split at `\0\0` into the XML parts of a workbook, in this order:
//!   `xl/worksheets/sheet1.xml`, `xl/sharedStrings.xml`, `xl/styles.xml`,
//!   `xl/workbook.xml`, `xl/worksheets/sheet2.xml` (an empty or missing part is left
//!   out), zipped here uncompressed with fixed content types and relationships
//!   (`rId1`, `rId2`: the sheets; `rId3`: styles; `rId4`: shared strings).
//!
//! Seeds: `PARKRULES_FUZZ_SEEDS=fuzz/corpus/xlsx_load cargo +nightly fuzz run xlsx_load`
//! writes a few small workbooks made with rust_xlsxwriter there, in both forms, and
//! exits (see docs/reliability.md).

#![no_main]

mod common;

use common::{head, run_all};
use libfuzzer_sys::fuzz_target;
use rust_xlsxwriter::{Format as CellFormat, Formula, Workbook, Worksheet};
use std::io::{Cursor, Read, Write};
use std::path::Path;

/// The parts of the structured form, in input order.
const PARTS: [&str; 5] = [
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/worksheets/sheet2.xml",
];

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// The workbook file for an input (see the module doc).
fn workbook(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"PK") {
        return data.to_vec();
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut rest = data;
    while parts.len() < PARTS.len() - 1 {
        match rest.windows(2).position(|w| w == b"\0\0") {
            Some(i) => {
                parts.push(&rest[..i]);
                rest = &rest[i + 2..];
            }
            None => break,
        }
    }
    parts.push(rest);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let fixed = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
    ];
    let given = PARTS
        .iter()
        .copied()
        .zip(parts)
        .filter(|(_, p)| !p.is_empty());
    for (name, bytes) in fixed.into_iter().chain(given) {
        zip.start_file(name, stored).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// One cell of `examples/pinghu/园区.csv` written as Excel would hold it: numbers as
/// numbers (in a `percent` column, and `%` cells, as percent-formatted fractions), dates as date serials, `是`/`否`
/// as booleans in every other row, the rest as strings.
fn put(ws: &mut Worksheet, row: u32, col: u16, text: &str, percent: bool) {
    let pct = CellFormat::new().set_num_format("0.0%");
    let day = CellFormat::new().set_num_format("yyyy-mm-dd");
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    if let (true, Ok(n)) = (percent, text.parse::<f64>()) {
        ws.write_number_with_format(row, col, n / 100.0, &pct)
            .unwrap();
    } else if let Ok(n) = text.parse::<f64>() {
        ws.write_number(row, col, n).unwrap();
    } else if let Some(n) = text.strip_suffix('%').and_then(|t| t.parse::<f64>().ok()) {
        ws.write_number_with_format(row, col, n / 100.0, &pct)
            .unwrap();
    } else if let Some(d) = date {
        let serial = (d - epoch).num_days() as f64;
        ws.write_number_with_format(row, col, serial, &day).unwrap();
    } else if row % 2 == 0 && (text == "是" || text == "否") {
        ws.write_boolean(row, col, text == "是").unwrap();
    } else {
        ws.write_string(row, col, text).unwrap();
    }
}

/// A sheet of the first `rows` parks, the header at (row0, col0).
fn parks(ws: &mut Worksheet, rows: usize, row0: u32, col0: u16) {
    let text = head("园区.csv", rows + 1);
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    for (r, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            let percent = header.get(c) == Some(&"入驻率");
            put(ws, row0 + r as u32, col0 + c as u16, cell, percent);
        }
    }
}

/// The seed workbooks (see the module doc).
fn seed_books() -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    // A sheet named after the entity, three parks.
    let mut book = Workbook::new();
    parks(book.add_worksheet().set_name("园区").unwrap(), 3, 0, 0);
    out.push(("parks", book.save_to_buffer().unwrap()));
    // The table at C3 of the second sheet, the first sheet named otherwise; an empty
    // row, an error value and a formula.
    let mut book = Workbook::new();
    book.add_worksheet()
        .set_name("说明")
        .unwrap()
        .write_string(0, 0, "见园区")
        .unwrap();
    let ws = book.add_worksheet().set_name("园区").unwrap();
    parks(ws, 2, 2, 2);
    ws.write_formula(6, 3, Formula::new("=NA()").set_result("#N/A"))
        .unwrap();
    ws.write_formula(7, 2, Formula::new("=1+1").set_result("2"))
        .unwrap();
    out.push(("offset", book.save_to_buffer().unwrap()));
    // The first sheet is read when none is named 园区; a bad header.
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (c, h) in ["编号", "名称", "编号", ""].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 1.0).unwrap();
    ws.write_string(1, 1, "x").unwrap();
    out.push(("bad_header", book.save_to_buffer().unwrap()));
    out
}

/// A workbook's XML parts in the structured form.
fn structured(xlsx: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = Vec::new();
    for (i, name) in PARTS.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\0\0");
        }
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_end(&mut out).unwrap();
        }
    }
    out
}

fn write_seeds(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, xlsx) in seed_books() {
        let parts = structured(&xlsx);
        std::fs::write(dir.join(format!("seed_{name}.xlsx")), &xlsx).unwrap();
        std::fs::write(dir.join(format!("seed_{name}.xml")), parts).unwrap();
    }
}

fuzz_target!(
    init: {
        if let Some(dir) = std::env::var_os("PARKRULES_FUZZ_SEEDS") {
            write_seeds(Path::new(&dir));
            eprintln!("seeds written to {}", Path::new(&dir).display());
            std::process::exit(0);
        }
    },
    |data: &[u8]| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("园区.xlsx"), workbook(data)).unwrap();
        std::fs::write(dir.path().join("企业.csv"), head("企业.csv", 30)).unwrap();
        std::fs::write(dir.path().join("转让申请.csv"), head("转让申请.csv", 10)).unwrap();
        run_all(dir.path());
    }
);
