//! Replays every input the fuzzers (`fuzz/`, see docs/reliability.md) ever crashed on,
//! kept under `tests/cases/fuzz/<target>/`, through the same path as the target:
//!
//! - `parse_check/<file>`: any bytes as a policy file (load, parse, check, render, fmt);
//! - `data_load/<file>`: any bytes as `园区.csv` (up to `\0\0`, then `企业.csv`) of
//!   `policies/pinghu-current`;
//! - `eval/<case>/`: a generated policy `p.rules` with its `园区.csv` and `企业.csv`.
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

#[test]
fn data_load_inputs() {
    let examples = root().join("examples/pinghu");
    let head = |name: &str, n: usize| -> String {
        let text = std::fs::read_to_string(examples.join(name)).unwrap();
        text.lines().take(n).map(|l| format!("{l}\n")).collect()
    };
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
