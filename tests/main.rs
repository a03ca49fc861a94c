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
mod syntax;
mod xlsx;
