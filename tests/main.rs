//! The one integration-test binary: one module per area, driven by case files under
//! `tests/cases/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod bad;
mod check;
mod cli;
mod data;
mod editors;
mod eval;
mod fmt;
mod fuzz;
mod lang;
mod policies;
mod prop;
mod report;
mod stream;
mod stream_diff;
mod syntax;
mod xlsx;

/// An insta snapshot `name` under `tests/snapshots/<folder>/`, as each module files its
/// own.
pub fn snap_in(folder: &str, name: &str, value: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("snapshots/{folder}"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, value));
}

/// A diff's JSON value in the documented layout of `diff --format json`: serde_json's
/// pretty printing, but each element of `changes` on a line of its own in compact
/// form. Made from the value, apart from the writer it checks.
pub fn diff_json_layout(value: &serde_json::Value) -> String {
    const MARK: &str = "\u{0}changes\u{0}";
    let mut v = value.clone();
    let changes = v["changes"].take();
    v["changes"] = serde_json::Value::from(MARK);
    let lines: Vec<String> = changes
        .as_array()
        .unwrap()
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    let array = if lines.is_empty() {
        "[]".to_string()
    } else {
        format!("[\n    {}\n  ]", lines.join(",\n    "))
    };
    let marked = serde_json::to_string(MARK).unwrap();
    let pretty = serde_json::to_string_pretty(&v).unwrap();
    assert_eq!(pretty.matches(&marked).count(), 1);
    pretty.replacen(&marked, &array, 1) + "\n"
}
