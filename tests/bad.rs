//! The bad-input corpus: `tests/cases/bad/<case>/`, each a data folder with its own
//! `policy.rules` or the shared `tests/cases/bad/policy.rules`. Every case either works
//! or fails with a clear message naming the place (file, row, column); the message (or
//! the outcomes) is snapshotted under `tests/snapshots/bad/`. Two cases are generated at
//! test time (a 100 MB CSV, a 1 MB line), and a few run the binary for the exit codes of
//! SPEC §4.

use chrono::NaiveDate;
use parkrules::data::{LoadOptions, load_dir, render_errors, render_notes};
use parkrules::diagnostic::{Style, render};
use parkrules::load::compile_path;
use parkrules::report::{Format, ReportInput, write_outcomes};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const BAD: &str = "tests/cases/bad";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// An insta snapshot under `tests/snapshots/bad/`.
fn snap(name: &str, value: &str) {
    crate::snap_in("bad", name, value);
}

/// The case's policy: its own `policy.rules`, else the shared one.
fn policy_of(dir: &Path) -> PathBuf {
    let own = dir.join("policy.rules");
    if own.exists() {
        own
    } else {
        Path::new(BAD).join("policy.rules")
    }
}

/// What a user sees: the policy's diagnostics, or the data errors, or the outcomes.
fn outcome_of(policy: &Path, data: &Path) -> String {
    let compiled = compile_path(policy);
    let mut out = String::new();
    let Some(program) = &compiled.program else {
        out.push_str("policy error:\n");
        out.push_str(&render(
            &compiled.sources,
            &compiled.diagnostics,
            Style::Plain,
        ));
        return out;
    };
    let loaded = match load_dir(program, data, &LoadOptions::default()) {
        Ok(l) => l,
        Err(e) => {
            out.push_str("data error:\n");
            out.push_str(&render_errors(&e));
            return out;
        }
    };
    out.push_str("loaded:\n");
    out.push_str(&render_notes(&loaded.notes));
    let as_of = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let outcomes = parkrules::eval::evaluate(program, &loaded.dataset, as_of);
    let input = ReportInput {
        program,
        dataset: &loaded.dataset,
        outcomes: &outcomes,
        as_of,
        skipped: &[],
    };
    let mut jsonl = Vec::new();
    write_outcomes(&mut jsonl, Format::Jsonl, &input).unwrap();
    out.push_str(&String::from_utf8(jsonl).unwrap());
    out
}

fn case(name: &str) -> String {
    assert_eq!(
        std::env::current_dir().unwrap(),
        root(),
        "tests run from the crate root"
    );
    let dir = Path::new(BAD).join(name);
    assert!(dir.is_dir(), "no case {name}");
    outcome_of(&policy_of(&dir), &dir)
}

macro_rules! bad_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                snap(stringify!($name), &case(stringify!($name)));
            }
        )*

        /// Every folder under tests/cases/bad has a test above.
        #[test]
        fn every_case_has_a_test() {
            let known = [$(stringify!($name)),*];
            for e in std::fs::read_dir(root().join(BAD)).unwrap() {
                let e = e.unwrap();
                if e.path().is_dir() {
                    let name = e.file_name().into_string().unwrap();
                    assert!(known.contains(&name.as_str()), "case {name} has no test");
                }
            }
        }
    };
}

bad_cases!(
    overflow,
    overflow_literal,
    division_by_zero,
    invalid_utf8_csv,
    invalid_utf8_policy,
    bom,
    crlf,
    header_spaces,
    trailing_empty_line,
    png,
    zip,
    unknown_column,
    missing_column,
    duplicate_key,
    unknown_reference,
);

// ── Generated at test time ───────────────────────────────────────────────────

/// A temp data folder with the firms of the shared policy and `parks` as 园区.csv.
fn temp_data(parks: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("园区.csv"), parks).unwrap();
    std::fs::write(dir.path().join("企业.csv"), "代码,园区,年税收\nF1,P0,120\n").unwrap();
    dir
}

const HEADER: &str = "编号,镇街道,建设模式,规划面积,固定资产投资,入驻率\n";

/// Its message, with the temp folder's path replaced by `<tmp>`.
fn in_temp(dir: &tempfile::TempDir) -> String {
    let shared = Path::new(BAD).join("policy.rules");
    outcome_of(&shared, dir.path()).replace(&dir.path().display().to_string(), "<tmp>")
}

/// A 100 MB file of valid rows but one bad cell in the last row: the loader reads it
/// all, names the last row and column, and evaluates nothing. Unoptimised, the loader
/// takes minutes over 100 MB, so a debug build (`cargo test`) reads 4 MB of the same
/// rows and `cargo test --release` the full 100 MB; the message is the same.
#[test]
fn csv_of_100_mb() {
    let size: usize = if cfg!(debug_assertions) {
        4 << 20
    } else {
        100 << 20
    };
    let row = |i: usize| format!("P{i},当湖街道经济开发区某某路某某号,国企投资,120.5,6000.25,85\n");
    let mut text = String::from(HEADER);
    let mut i = 0;
    while text.len() < size {
        text.push_str(&row(i));
        i += 1;
    }
    text.push_str(&format!("P{i},当湖街道,国企投资,120,六千,85\n"));
    let dir = temp_data(text.as_bytes());
    drop(text);
    // The header is line 1, row i is line i + 2.
    let last = format!("园区.csv:{}:", i + 2);
    let shown = in_temp(&dir).replace(&last, "园区.csv:<last row>:");
    assert!(shown.contains("<last row>"), "{shown}");
    snap("csv_of_100_mb", &shown);
}

/// One cell of a million characters: loads (text cells have no length limit) and its
/// outcome is right.
#[test]
fn line_of_1_mb() {
    let long = "长".repeat(350_000);
    let text = format!("{HEADER}P0,{long},国企投资,120,6000,85\nP1,广陈镇,民间投资,40,800,\n");
    let dir = temp_data(text.as_bytes());
    snap("line_of_1_mb", &in_temp(&dir));
}

/// The same long line with a bad cell after it: the error names row and column and
/// quotes the bad cell, not the long one.
#[test]
fn line_of_1_mb_with_a_bad_cell() {
    let long = "长".repeat(350_000);
    let text = format!("{HEADER}P0,{long},国企投资,一百,6000,85\n");
    let dir = temp_data(text.as_bytes());
    snap("line_of_1_mb_with_a_bad_cell", &in_temp(&dir));
}

// ── The binary: exit codes of SPEC §4 ────────────────────────────────────────

fn exit_code(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_parkrules"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), stderr)
}

fn eval_case(name: &str) -> (i32, String) {
    let dir = Path::new(BAD).join(name);
    let policy = policy_of(&dir);
    exit_code(&[
        "eval",
        policy.to_str().unwrap(),
        "--data",
        dir.to_str().unwrap(),
        "--format",
        "jsonl",
    ])
}

#[test]
fn exit_codes() {
    let mut table = String::new();
    for name in [
        "bom",
        "crlf",
        "overflow",
        "division_by_zero",
        "invalid_utf8_policy",
        "invalid_utf8_csv",
        "png",
        "unknown_reference",
    ] {
        let (code, _) = eval_case(name);
        writeln!(table, "eval {name}: exit {code}").unwrap();
    }
    let (code, _) = exit_code(&[
        "eval",
        "tests/cases/bad/policy.rules",
        "--data",
        "tests/cases/bad/no-such-dir",
    ]);
    writeln!(table, "eval with a missing data folder: exit {code}").unwrap();
    let (code, _) = exit_code(&["check", "tests/cases/bad/invalid_utf8_policy/policy.rules"]);
    writeln!(table, "check invalid_utf8_policy: exit {code}").unwrap();
    let (code, _) = exit_code(&[
        "eval",
        "tests/cases/bad/policy.rules",
        "--data",
        BAD,
        "--format",
        "yaml",
    ]);
    writeln!(table, "eval --format yaml: exit {code}").unwrap();
    snap("exit_codes", &table);
}
