//! What the data fuzz targets share: the policy they load against, the shipped
//! example's lines, and the run of a data folder through the loader, the evaluator
//! and every report format.

use parkrules::data::{LoadOptions, load_dir, render_errors, render_notes, render_skipped};
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

pub fn run(dir: &Path, skip: bool) {
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
            let input = ReportInput {
                program: p,
                dataset: &loaded.dataset,
                outcomes: &outcomes,
                as_of,
                skipped: &[],
            };
            for f in Format::ALL {
                write_outcomes(&mut Vec::new(), f, &input).unwrap();
            }
        }
    }
}
