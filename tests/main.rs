//! The one integration-test binary: one module per area, driven by case files under
//! `tests/cases/`.

mod check;
mod cli;
mod data;
mod eval;
mod fmt;
mod policies;
mod report;
mod syntax;
