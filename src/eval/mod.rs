//! Evaluation: a checked [`Program`](crate::program::Program) on loaded records.
//!
//! Consumes a program, a [`Dataset`](crate::data::Dataset) and an as-of date; produces
//! one [`Outcome`] per rule per record, in output order (entities in declaration order,
//! records in input order, rules in declaration order).

pub mod err;
pub mod outcome;

pub use err::EvalError;
pub use outcome::{Outcome, Status};
