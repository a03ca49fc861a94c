//! Syntax errors: typed, each with its code, label and help.
//!
//! Produced by the scanner (nesting too deep), by the parser (an unexpected token,
//! described with the names users read: "expected `=`", "expected an expression") and
//! by lowering (bad dates, numbers out of range, expressions nested too deeply,
//! clauses given twice). Wrapped in [`crate::diagnostic::Diag`] by `parse_file`.

use super::expected::{Expected, Found, SyntaxHint};
use crate::lang::{Localize, LocalizeDiag, ZhDiag, zh_opt};
use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// An error in the text of a `.rules` file.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq, Eq)]
pub enum SyntaxError {
    #[error("expected {expected}, found {found}")]
    #[diagnostic(code(parkrules::syntax::unexpected))]
    Unexpected {
        expected: Expected,
        found: Found,
        #[label("expected {expected}")]
        span: SourceSpan,
        #[help]
        help: Option<SyntaxHint>,
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

impl LocalizeDiag for SyntaxError {
    fn zh_diag(&self) -> ZhDiag {
        use crate::lang::zd as z;
        use SyntaxError::*;
        match self {
            Unexpected {
                expected,
                found,
                help,
                ..
            } => {
                let expected = expected.zh();
                z(
                    format!("期望 {expected}，得到 {}", found.zh()),
                    format!("期望 {expected}"),
                )
                .help_opt(zh_opt(help))
            }
            TooDeep { limit, .. } => z(
                format!("嵌套超过 {limit} 层"),
                format!("此处超过 {limit} 层"),
            )
            .help("用 `let` 给表达式的一部分命名，以减少嵌套"),
            ExprTooDeep { limit, .. } => z("表达式嵌套过深", "此表达式")
                .help(format!("表达式最多嵌套 {limit} 层运算；用 `let` 拆分")),
            PrefixChain { limit, .. } => {
                z(format!("连续的前缀运算符超过 {limit} 个"), "此串运算符")
            }
            TooComplex { reason, .. } => z("文件过于复杂，无法解析", "此处")
                .help(format!("解析器已放弃（{reason}）；请拆分文件或简化表达式")),
            UnknownFamily { name, .. } => z(format!("未知规则类别 `{name}`"), "不是规则类别")
                .help("规则类别是 `subsidy`、`restriction`、`ratio`、`reward` 之一"),
            InvalidDate { text, .. } => z(format!("`{text}` 不是日期"), "没有这一天"),
            NumberRange { text, .. } => {
                z(format!("数字 `{text}` 超出范围"), "太大或太精确").help("数字最多 28 位有效数字")
            }
            DuplicateClause { clause, .. } => {
                z(format!("`{clause}` 给了两次"), "又在这里").label("第一次在这里")
            }
        }
    }
}
