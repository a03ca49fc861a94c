//! Formatting: [`crate::ast::File`] → canonical text, comments kept.
