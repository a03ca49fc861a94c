//! Any bytes as data files of `policies/pinghu-current`: the input up to the first
//! `\0\0` is `园区.csv`, the rest (if any) replaces `企业.csv`; the other files are the
//! first rows of `examples/pinghu`. Load, render every error, evaluate, write every
//! report, and stream. Nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use parkrules::data::{LoadOptions, load_dir, render_errors, render_notes, render_skipped};
use parkrules::program::Program;
use parkrules::report::{Format, ReportInput, write_outcomes};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| {
        parkrules::load::compile_path(&root().join("policies/pinghu-current"))
            .program
            .unwrap()
    })
}

/// The first `n` lines of a shipped data file.
fn head(name: &str, n: usize) -> String {
    let text = std::fs::read_to_string(root().join("examples/pinghu").join(name)).unwrap();
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

fn split(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.windows(2).position(|w| w == b"\0\0") {
        Some(i) => (&data[..i], Some(&data[i + 2..])),
        None => (data, None),
    }
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

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let (parks, firms) = split(data);
    std::fs::write(dir.path().join("园区.csv"), parks).unwrap();
    match firms {
        Some(f) => std::fs::write(dir.path().join("企业.csv"), f).unwrap(),
        None => std::fs::write(dir.path().join("企业.csv"), head("企业.csv", 30)).unwrap(),
    }
    std::fs::write(dir.path().join("转让申请.csv"), head("转让申请.csv", 10)).unwrap();
    run(dir.path(), false);
    run(dir.path(), true);
    let _ = parkrules::stream::eval_jsonl(
        program(),
        dir.path(),
        program().info.effective.unwrap(),
        &mut Vec::new(),
        &parkrules::progress::Quiet,
    );
});
