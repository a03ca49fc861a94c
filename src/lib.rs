//! parkrules: a typed rules engine for Pinghu industrial-park policy.
//!
//! The pipeline, one module per stage, data flowing one way:
//! [`syntax`] (text → [`ast`]) → [`check`] (AST → [`program`]) → [`eval`]
//! (program × [`data`] → outcomes) → [`report`] (outcomes → text, JSON, CSV, snapshot,
//! diff). [`fmt`] prints an AST back in canonical layout. The CLI (`src/cli/`) only
//! calls these; the library does no terminal work.

pub mod ast;
pub mod check;
pub mod data;
pub mod diagnostic;
pub mod eval;
pub mod fmt;
pub mod r#gen;
pub mod lang;
pub mod load;
pub mod parallel;
pub mod program;
pub mod progress;
pub mod report;
pub mod span;
pub mod spill;
pub mod stream;
pub mod syntax;
pub mod units;
pub mod value;
