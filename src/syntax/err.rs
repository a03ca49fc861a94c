//! Syntax errors: typed, each with its code, label and help.
//!
//! Produced by the scanner (nesting too deep), by the parser (an unexpected token,
//! described with the names users read: "expected `=`", "expected an expression") and
//! by lowering (bad dates, numbers out of range, expressions nested too deeply,
//! clauses given twice). Wrapped in [`crate::diagnostic::Diag`] by `parse_file`.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// An error in the text of a `.rules` file.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum SyntaxError {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(parkrules::syntax::unexpected))]
    Unexpected {
        expected: String,
        found: String,
        #[label("expected {expected}")]
        span: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("nesting deeper than {limit} levels")]
    #[diagnostic(
        code(parkrules::syntax::too_deep),
        help("name a part of the expression with `let` to flatten it")
    )]
    TooDeep {
        limit: usize,
        #[label("this goes past {limit} levels")]
        span: SourceSpan,
    },

    #[error("expression too deeply nested")]
    #[diagnostic(
        code(parkrules::syntax::expr_too_deep),
        help("an expression may nest {limit} operations deep; split it with `let`")
    )]
    ExprTooDeep {
        limit: usize,
        #[label("this expression")]
        span: SourceSpan,
    },

    #[error("more than {limit} prefix operators in a row")]
    #[diagnostic(code(parkrules::syntax::prefix_chain))]
    PrefixChain {
        limit: usize,
        #[label("this chain")]
        span: SourceSpan,
    },

    #[error("the file is too complex to parse")]
    #[diagnostic(
        code(parkrules::syntax::too_complex),
        help("the parser gave up ({reason}); split the file or simplify its expressions")
    )]
    TooComplex {
        reason: String,
        #[label("here")]
        span: SourceSpan,
    },

    #[error("unknown rule family `{name}`")]
    #[diagnostic(
        code(parkrules::syntax::unknown_family),
        help("a rule's family is one of `subsidy`, `restriction`, `ratio`, `reward`")
    )]
    UnknownFamily {
        name: String,
        #[label("not a family")]
        span: SourceSpan,
    },

    #[error("`{text}` is not a date")]
    #[diagnostic(code(parkrules::syntax::invalid_date))]
    InvalidDate {
        text: String,
        #[label("no such day")]
        span: SourceSpan,
    },

    #[error("number `{text}` is out of range")]
    #[diagnostic(
        code(parkrules::syntax::number_range),
        help("numbers have at most 28 significant digits")
    )]
    NumberRange {
        text: String,
        #[label("too large or too precise")]
        span: SourceSpan,
    },

    #[error("`{clause}` is given twice")]
    #[diagnostic(code(parkrules::syntax::duplicate_clause))]
    DuplicateClause {
        clause: String,
        #[label("again here")]
        span: SourceSpan,
        #[label("first here")]
        first: SourceSpan,
    },
}

impl SyntaxError {
    /// The byte offset the error points at (to sort errors in source order).
    pub fn offset(&self) -> usize {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::ExprTooDeep { span, .. }
            | SyntaxError::PrefixChain { span, .. }
            | SyntaxError::TooComplex { span, .. }
            | SyntaxError::UnknownFamily { span, .. }
            | SyntaxError::InvalidDate { span, .. }
            | SyntaxError::NumberRange { span, .. }
            | SyntaxError::DuplicateClause { span, .. } => span.offset(),
        }
    }
}
