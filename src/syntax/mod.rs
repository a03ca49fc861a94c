//! Syntax: policy text → [`crate::ast::File`]. pest stays behind this module.
