//! Evaluation errors: the `error` outcome of one rule on one record.
//!
//! Each carries the span of the expression that failed, so the report can say where in
//! the policy it happened. They never stop the other records.

use crate::span::Span;
use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq)]
pub enum EvalError {
    #[error("division by zero")]
    DivisionByZero { span: Span },
    #[error("arithmetic overflow")]
    Overflow { span: Span },
    #[error("field `{field}` is blank")]
    Blank { field: String, span: Span },
    #[error("field `{field}` was not given by the test record")]
    Missing { field: String, span: Span },
    #[error("exceptions `{first}` and `{second}` both apply")]
    ExceptionConflict {
        first: String,
        second: String,
        span: Span,
    },
    #[error("param `{param}` has no value in force on {as_of}")]
    NoParamValue {
        param: String,
        as_of: String,
        span: Span,
    },
    #[error("date out of range")]
    DateOutOfRange { span: Span },
    #[error("`{func}` of no records")]
    EmptyAggregate { func: String, span: Span },
}

impl EvalError {
    pub fn span(&self) -> Span {
        match self {
            EvalError::DivisionByZero { span }
            | EvalError::Overflow { span }
            | EvalError::Blank { span, .. }
            | EvalError::Missing { span, .. }
            | EvalError::ExceptionConflict { span, .. }
            | EvalError::NoParamValue { span, .. }
            | EvalError::DateOutOfRange { span }
            | EvalError::EmptyAggregate { span, .. } => *span,
        }
    }
}
