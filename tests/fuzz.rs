//! Replays every input the fuzzers (`fuzz/`, see docs/reliability.md) ever crashed on,
//! kept under `tests/cases/fuzz/<target>/`, through the same path as the target:
//!
//! - `parse_check/<file>`: any bytes as a policy file (load, parse, check, render, fmt);
//! - `data_load/<file>`: any bytes as `园区.csv` (up to `\0\0`, then `企业.csv`) of
//!   `policies/pinghu-current`;
//! - `eval/<case>/`: a generated policy `p.rules` with its `园区.csv` and `企业.csv`;
//! - `xlsx_load/<file>`: any bytes as `园区.xlsx`: a workbook file when they start with
//!   `PK`, else the XML parts split at `\0\0`, zipped as the target zips them.
//!
//! Nothing may panic; formatting must re-parse and be idempotent.

use parkrules::data::{LoadOptions, load_dir, render_errors};
use parkrules::diagnostic::{Style, render};
use parkrules::load::compile_path;
use parkrules::report::{Format, ReportInput, write_outcomes};
use parkrules::span::FileId;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn entries(target: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/cases/fuzz").join(target);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.file_name().is_some_and(|n| n != "README.md"));
    out.sort();
    out
}

fn eval_and_report(policy: &Path, data: &Path) {
    let compiled = compile_path(policy);
    render(&compiled.sources, &compiled.diagnostics, Style::Plain);
    let Some(program) = compiled.program else {
        return;
    };
    let loaded = match load_dir(&program, data, &LoadOptions::default()) {
        Ok(l) => l,
        Err(e) => {
            render_errors(&e);
            return;
        }
    };
    let as_of = program.info.effective.unwrap();
    let outcomes = parkrules::eval::evaluate(&program, &loaded.dataset, as_of);
    let input = ReportInput {
        program: &program,
        dataset: &loaded.dataset,
        outcomes: &outcomes,
        as_of,
        skipped: &[],
    };
    for f in Format::ALL {
        write_outcomes(&mut Vec::new(), f, &input).unwrap();
    }
}

#[test]
fn parse_check_inputs() {
    for path in entries("parse_check") {
        let bytes = std::fs::read(&path).unwrap();
        if let Ok(text) = std::str::from_utf8(&bytes)
            && let Ok(formatted) = parkrules::fmt::format_source(text, FileId(0))
        {
            let again = parkrules::fmt::format_source(&formatted, FileId(0));
            assert_eq!(
                again.as_deref().ok(),
                Some(formatted.as_str()),
                "{}",
                path.display()
            );
        }
        let compiled = compile_path(&path);
        render(&compiled.sources, &compiled.diagnostics, Style::Plain);
        if let Some(p) = &compiled.program {
            parkrules::eval::testrun::run_tests(p);
        }
    }
}

/// The first `n` lines of a shipped example file (as the fuzz targets fill in the
/// files an input does not give).
fn head(name: &str, n: usize) -> String {
    let text = std::fs::read_to_string(root().join("examples/pinghu").join(name)).unwrap();
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

#[test]
fn data_load_inputs() {
    for path in entries("data_load") {
        let bytes = std::fs::read(&path).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let split = bytes.windows(2).position(|w| w == b"\0\0");
        let (parks, firms) = match split {
            Some(i) => (&bytes[..i], bytes[i + 2..].to_vec()),
            None => (&bytes[..], head("企业.csv", 30).into_bytes()),
        };
        std::fs::write(dir.path().join("园区.csv"), parks).unwrap();
        std::fs::write(dir.path().join("企业.csv"), firms).unwrap();
        std::fs::write(dir.path().join("转让申请.csv"), head("转让申请.csv", 10)).unwrap();
        eval_and_report(&root().join("policies/pinghu-current"), dir.path());
    }
}

#[test]
fn eval_inputs() {
    for dir in entries("eval") {
        eval_and_report(&dir.join("p.rules"), &dir);
    }
}

/// The parts of a structured `xlsx_load` input, in order (see `fuzz/fuzz_targets/xlsx_load.rs`).
const XLSX_PARTS: [&str; 5] = [
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/worksheets/sheet2.xml",
];

/// The relationships the `xlsx_load` target gives a structured input.
const XLSX_FIXED: [(&str, &str); 3] = [
    (
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
    ),
    (
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    ),
    (
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
    ),
];

/// The workbook file of an `xlsx_load` input, as the target makes it.
fn xlsx_workbook(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    if data.starts_with(b"PK") {
        return data.to_vec();
    }
    let mut parts: Vec<&[u8]> = Vec::new();
    let mut rest = data;
    while parts.len() < XLSX_PARTS.len() - 1 {
        let Some(i) = rest.windows(2).position(|w| w == b"\0\0") else {
            break;
        };
        parts.push(&rest[..i]);
        rest = &rest[i + 2..];
    }
    parts.push(rest);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let fixed = XLSX_FIXED.iter().map(|(n, t)| (*n, t.as_bytes()));
    let given = XLSX_PARTS
        .iter()
        .copied()
        .zip(parts)
        .filter(|(_, p)| !p.is_empty());
    for (name, bytes) in fixed.chain(given) {
        zip.start_file(name, stored).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn xlsx_load_inputs() {
    for path in entries("xlsx_load") {
        let bytes = std::fs::read(&path).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("园区.xlsx"), xlsx_workbook(&bytes)).unwrap();
        std::fs::write(dir.path().join("企业.csv"), head("企业.csv", 30)).unwrap();
        std::fs::write(dir.path().join("转让申请.csv"), head("转让申请.csv", 10)).unwrap();
        eval_and_report(&root().join("policies/pinghu-current"), dir.path());
    }
}
