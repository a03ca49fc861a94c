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
