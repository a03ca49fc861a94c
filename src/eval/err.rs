//! Evaluation errors: the `error` outcome of one rule on one record.
//!
//! Each carries the span of the expression that failed, so the report can say where in
//! the policy it happened. They never stop the other records. Each is also a miette
//! [`Diagnostic`](miette::Diagnostic) with a code and a label at its span, so the CLI
//! can render it with [`crate::diagnostic::render`].

use crate::lang::Localize;
use crate::span::Span;
use miette::{Diagnostic, LabeledSpan};
use std::borrow::Cow;
use std::fmt::Display;
use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq)]
pub enum EvalError {
    #[error("division by zero")]
    DivisionByZero { span: Span },
    #[error("arithmetic overflow")]
    Overflow { span: Span },
    #[error("field `{field}` is blank")]
    Blank { field: String, span: Span },
    /// `entity` and `key`: the record the field was read of (the expect's, or one it
    /// refers to).
    #[error("field `{field}` was not given by the test record")]
    Missing {
        field: String,
        entity: String,
        key: String,
        span: Span,
    },
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
    /// A duration added to a date, or a number of places, that is not whole.
    #[error("`{value}` is not a whole number of {unit}")]
    NotWhole {
        value: String,
        unit: String,
        span: Span,
    },
    /// The checked program broke an invariant the checker promises (a checker bug).
    #[error("internal error: {what}")]
    Internal { what: String, span: Span },
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
            | EvalError::EmptyAggregate { span, .. }
            | EvalError::NotWhole { span, .. }
            | EvalError::Internal { span, .. } => *span,
        }
    }

    /// The last part of the diagnostic code (`division_by_zero`).
    pub fn code_name(&self) -> &'static str {
        match self {
            EvalError::DivisionByZero { .. } => "division_by_zero",
            EvalError::Overflow { .. } => "overflow",
            EvalError::Blank { .. } => "blank",
            EvalError::Missing { .. } => "missing",
            EvalError::ExceptionConflict { .. } => "exception_conflict",
            EvalError::NoParamValue { .. } => "no_param_value",
            EvalError::DateOutOfRange { .. } => "date_out_of_range",
            EvalError::EmptyAggregate { .. } => "empty_aggregate",
            EvalError::NotWhole { .. } => "not_whole",
            EvalError::Internal { .. } => "internal",
        }
    }

    fn label(&self) -> &'static str {
        match self {
            EvalError::DivisionByZero { .. } => "the divisor is zero",
            EvalError::Overflow { .. } => "the result does not fit",
            EvalError::Blank { .. } => "read here",
            EvalError::Missing { .. } => "read here",
            EvalError::ExceptionConflict { .. } => "this exception also applies",
            EvalError::NoParamValue { .. } => "read here",
            EvalError::DateOutOfRange { .. } => "this date is out of range",
            EvalError::EmptyAggregate { .. } => "no record to aggregate",
            EvalError::NotWhole { .. } => "not whole",
            EvalError::Internal { .. } => "here",
        }
    }

    fn help_text(&self) -> Option<&'static str> {
        match self {
            EvalError::Blank { .. } => Some("guard the read with `is_set(…)` or fill the cell"),
            EvalError::Missing { .. } => Some("give the field in the test record"),
            EvalError::ExceptionConflict { .. } => {
                Some("make the exceptions' `when` conditions exclusive")
            }
            EvalError::NoParamValue { .. } => {
                Some("add a dated value that starts on or before the evaluation date")
            }
            EvalError::EmptyAggregate { .. } => {
                Some("guard it with `count(…) > 0` or use `sum`/`count`, which give 0")
            }
            _ => None,
        }
    }
}

impl Localize for EvalError {
    fn zh(&self) -> Cow<'_, str> {
        use EvalError::*;
        Cow::Owned(match self {
            DivisionByZero { .. } => "除数为零".into(),
            Overflow { .. } => "算术溢出".into(),
            Blank { field, .. } => format!("字段 `{field}` 为空"),
            Missing { field, .. } => format!("测试记录没有给出字段 `{field}`"),
            ExceptionConflict { first, second, .. } => {
                format!("例外 `{first}` 和 `{second}` 同时适用")
            }
            NoParamValue { param, as_of, .. } => {
                format!("参数 `{param}` 在 {as_of} 没有有效取值")
            }
            DateOutOfRange { .. } => "日期超出范围".into(),
            EmptyAggregate { func, .. } => format!("`{func}` 没有可统计的记录"),
            NotWhole { value, unit, .. } => format!("`{value}` 不是整数{unit}"),
            Internal { what, .. } => format!("内部错误：{what}"),
        })
    }
}

impl Diagnostic for EvalError {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(format!("parkrules::eval::{}", self.code_name())))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        self.help_text()
            .map(|h| Box::new(h) as Box<dyn Display + 'a>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label =
            LabeledSpan::new_with_span(Some(self.label().to_string()), self.span().source_span());
        Some(Box::new(std::iter::once(label)))
    }
}
