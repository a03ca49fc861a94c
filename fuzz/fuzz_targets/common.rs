//! What the data fuzz targets share: the policy they load against, the shipped
//! example's lines, and the run of a data folder through the loader, the evaluator
//! and every report format.

use chrono::NaiveDate;
use parkrules::data::{
    Dataset, LoadOptions, load_dir, render_errors, render_notes, render_skipped,
};
use parkrules::eval::Outcome;
use parkrules::program::Program;
use parkrules::report::{Format, ReportInput, write_outcomes};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| {
        parkrules::load::compile_path(&root().join("policies/pinghu-current"))
            .program
            .unwrap()
    })
}

/// The first `n` lines of a shipped data file.
pub fn head(name: &str, n: usize) -> String {
    let text = std::fs::read_to_string(root().join("examples/pinghu").join(name)).unwrap();
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

fn run(dir: &Path, skip: bool) {
    let p = program();
    let as_of = p.info.effective.unwrap();
    let opts = LoadOptions {
        skip_bad_records: skip,
        ..LoadOptions::default()
    };
    match load_dir(p, dir, &opts) {
        Err(e) => {
            let _ = render_errors(&e);
        }
        Ok(loaded) => {
            let _ = render_notes(&loaded.notes);
            let _ = render_skipped(&loaded.skipped);
            let outcomes = parkrules::eval::evaluate(p, &loaded.dataset, as_of);
            write_reports(p, &loaded.dataset, &outcomes, as_of);
        }
    }
}

/// The folder loaded strictly and with skipped rows, then streamed.
pub fn run_all(dir: &Path) {
    run(dir, false);
    run(dir, true);
    let p = program();
    let _ = parkrules::stream::eval_jsonl(
        p,
        dir,
        p.info.effective.unwrap(),
        &mut Vec::new(),
        &parkrules::progress::Quiet,
    );
}

/// Every report format of an evaluation, written to memory.
pub fn write_reports(p: &Program, dataset: &Dataset, outcomes: &[Outcome], as_of: NaiveDate) {
    let input = ReportInput {
        program: p,
        dataset,
        outcomes,
        as_of,
        skipped: &[],
    };
    for f in Format::ALL {
        write_outcomes(&mut Vec::new(), f, &input).unwrap();
    }
}
