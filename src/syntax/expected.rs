//! pest errors → [`SyntaxError`], in the words users read.
//!
//! Consumes a pest error (the rules it expected at the furthest position it reached);
//! produces "expected `=`, found `}`" or "expected an expression, found end of file".
//! Grammar rule names never reach the user: each is described here, keywords through
//! the keyword table.

use super::Rule;
use super::err::SyntaxError;
use super::keywords::{self, Dialect, Kw};
use crate::lang::{Lang, Localize};
use pest::error::{Error, ErrorVariant, InputLocation};
use std::borrow::Cow;
use std::fmt;
use thiserror::Error;

/// Convert a pest error on a piece starting at `offset` of `whole`, naming keywords
/// in the file's dialect `d`.
pub fn convert(e: &Error<Rule>, whole: &str, offset: usize, d: Dialect) -> SyntaxError {
    let pos = offset
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((a, _)) => a,
        };
    let (found, len) = found_at(whole, pos);
    let span = (pos, len).into();
    match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let expected = describe_all(positives, d);
            let help = keyword_help(whole, pos, len, &expected)
                .or_else(|| width_help(whole, pos))
                .or_else(|| unit_help(whole, pos, len));
            SyntaxError::Unexpected {
                expected,
                found,
                span,
                help,
            }
        }
        ErrorVariant::CustomError { message } => SyntaxError::TooComplex {
            reason: message.clone(),
            span,
        },
    }
}

/// What the text holds at `pos`, for "found …", and the length to underline.
fn found_at(whole: &str, pos: usize) -> (Found, usize) {
    let rest = whole.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return (Found::EndOfFile, 0);
    };
    if c == '\n' || c == '\r' {
        return (Found::EndOfLine, 0);
    }
    if is_word(c) {
        let word: String = rest.chars().take_while(|c| is_word(*c)).take(40).collect();
        let len = word.len();
        return (Found::Text(format!("`{word}`")), len);
    }
    if "=<>!".contains(c) {
        let op: String = rest
            .chars()
            .take_while(|c| "=<>!".contains(*c))
            .take(3)
            .collect();
        let len = op.len();
        return (Found::Text(format!("`{op}`")), len);
    }
    (Found::Text(format!("`{c}`")), c.len_utf8())
}

fn is_word(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn keyword_help(whole: &str, pos: usize, len: usize, expected: &Expected) -> Option<SyntaxHint> {
    let word = whole.get(pos..pos + len)?;
    keywords::by_spelling(word)?;
    expected
        .0
        .contains(&Want::Phrase(Phrase::Name))
        .then(|| SyntaxHint::KeywordAsName {
            word: word.to_string(),
        })
}

/// `100 亩均税收`: a name that begins with a unit, right after a number.
fn unit_help(whole: &str, pos: usize, len: usize) -> Option<SyntaxHint> {
    let before = whole.get(..pos)?.trim_end_matches([' ', '\t']);
    if !before.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let word = whole.get(pos..pos + len)?;
    let unit = crate::units::UNITS
        .iter()
        .map(|u| u.name)
        .filter(|u| word.starts_with(u) && word.len() > u.len())
        .max_by_key(|u| u.len())?;
    Some(SyntaxHint::UnitPrefix {
        word: word.to_string(),
        unit: unit.to_string(),
    })
}

/// Full-width punctuation (`：`, `，`, `（`) and curly quotes, common in Chinese text,
/// are not the language's: say which character to write instead.
fn width_help(whole: &str, pos: usize) -> Option<SyntaxHint> {
    let c = whole.get(pos..)?.chars().next()?;
    let ascii = match c {
        '“' | '”' => '"',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0)?,
        '、' => ',',
        '。' => '.',
        _ => return None,
    };
    Some(SyntaxHint::FullWidth { c, ascii })
}

/// How one expected rule reads.
enum Desc {
    Want(Want),
    Operator,
    /// Inside a string: dropped when the closing quote is expected.
    StringPart,
    Skip,
}

fn describe_all(positives: &[Rule], d: Dialect) -> Expected {
    let descs: Vec<Desc> = positives.iter().map(|r| describe(*r, d)).collect();
    let has_op = descs.iter().any(|d| matches!(d, Desc::Operator));
    let mut out: Vec<Want> = Vec::new();
    let mut push = |s: Want| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let continuation: Vec<Want> = [".", "("]
        .into_iter()
        .map(str::to_string)
        .chain([Kw::In, Kw::And, Kw::Or, Kw::Not].map(|k| k.text_in(d).to_string()))
        .map(Want::Code)
        .collect();
    // Top-level declarations are listed only when nothing else is expected.
    let only_items = positives.iter().all(|r| is_item(*r) || *r == Rule::EOI);
    let mut at_end = false;
    let mut items = false;
    for (desc, r) in descs.into_iter().zip(positives) {
        match desc {
            _ if is_item(*r) && !only_items => items = true,
            Desc::Want(w) if has_op && continuation.contains(&w) => {}
            Desc::Want(Want::Phrase(Phrase::End)) => at_end = true,
            Desc::Want(w) => push(w),
            Desc::Operator => push(Want::Phrase(Phrase::Operator)),
            Desc::StringPart => push(Want::Code("\"".to_string())),
            Desc::Skip => {}
        }
    }
    if items {
        out.push(Want::Phrase(Phrase::Declaration));
    }
    if at_end {
        out.push(Want::Phrase(Phrase::End));
    }
    Expected(out)
}

/// Rules that start a top-level item (pest reports a lone leading keyword itself).
fn is_item(r: Rule) -> bool {
    matches!(
        r,
        Rule::kw_policy
            | Rule::kw_test
            | Rule::kw_remove
            | Rule::policy_header
            | Rule::enum_decl
            | Rule::entity_decl
            | Rule::param_decl
            | Rule::let_decl
            | Rule::rule_decl
            | Rule::test_decl
            | Rule::remove_decl
    )
}

fn describe(rule: Rule, d: Dialect) -> Desc {
    let name = format!("{rule:?}");
    if let Some(kw) = keywords::by_rule(&name) {
        return code(kw.kw.text_in(d));
    }
    if name.starts_with("op_") || matches!(name.as_str(), "infix" | "arith_infix" | "cmp_op") {
        return Desc::Operator;
    }
    if let Some(t) = token(&name) {
        return code(t);
    }
    if let Some(k) = declaration_keyword(&name) {
        return code(&k.in_dialect(d));
    }
    match name.as_str() {
        "str_text" | "str_escape" | "interp" => Desc::StringPart,
        "WHITESPACE" | "COMMENT" => Desc::Skip,
        "as_of_lit" => code(Kw::AsOf.text_in(d)),
        "bool_lit" => Desc::Want(Want::Phrase(Phrase::Bool(d))),
        "paren" => code("("),
        "list" => code("["),
        "if_expr" => code(Kw::If.text_in(d)),
        "match_expr" => code(Kw::Match.text_in(d)),
        "tier_expr" => code(Kw::Tier.text_in(d)),
        "brackets_expr" => code(Kw::Brackets.text_in(d)),
        other => {
            Desc::Want(phrase(other).map_or_else(|| Want::Code(other.to_string()), Want::Phrase))
        }
    }
}

fn code(s: &str) -> Desc {
    Desc::Want(Want::Code(s.to_string()))
}

fn token(name: &str) -> Option<&'static str> {
    Some(match name {
        "lbrace" | "dated_table" => "{",
        "rbrace" | "interp_end" => "}",
        "lparen" => "(",
        "rparen" => ")",
        "member" => ".",
        "lbrack" => "[",
        "rbrack" => "]",
        "langle" => "<",
        "rangle" => ">",
        "comma" => ",",
        "colon" => ":",
        "dot" => ".",
        "pipe" => "|",
        "slash" => "/",
        "qmark" => "?",
        "assign" | "param_value" => "=",
        "arrow" => "=>",
        "str_end" => "\"",
        "expect_value" => "==",
        "list_word" => "list",
        _ => return None,
    })
}

/// A keyword, or `up to` (one word in Chinese, `至`).
enum DeclKw {
    One(Kw),
    UpTo,
    /// `in` before a field's unit (`单位` in Chinese).
    FieldUnitIn,
}

impl DeclKw {
    fn in_dialect(&self, d: Dialect) -> String {
        match self {
            DeclKw::One(k) => k.text_in(d).to_string(),
            DeclKw::UpTo => keywords::phrase(&[Kw::Up, Kw::To], d),
            DeclKw::FieldUnitIn => keywords::field_unit_in(d).to_string(),
        }
    }
}

/// Declarations and clauses read as the keyword that starts them.
fn declaration_keyword(name: &str) -> Option<DeclKw> {
    use DeclKw::One;
    Some(match name {
        "policy_header" => One(Kw::Policy),
        "enum_decl" => One(Kw::Enum),
        "entity_decl" => One(Kw::Entity),
        "param_decl" | "remove_param" => One(Kw::Param),
        "let_decl" | "remove_let" => One(Kw::Let),
        "rule_decl" | "remove_rule" => One(Kw::Rule),
        "test_decl" => One(Kw::Test),
        "remove_decl" => One(Kw::Remove),
        "version_clause" => One(Kw::Version),
        "effective_clause" => One(Kw::Effective),
        "extends_clause" => One(Kw::Extends),
        "cite_clause" => One(Kw::Cite),
        "when_clause" => One(Kw::When),
        "amount_clause" => One(Kw::Amount),
        "require_clause" => One(Kw::Require),
        "exception_decl" => One(Kw::Exception),
        "as_of_clause" => One(Kw::AsOf),
        "expect_stmt" => One(Kw::Expect),
        "field_unit" => DeclKw::FieldUnitIn,
        "where_clause" => One(Kw::Where),
        "via_clause" => One(Kw::Via),
        "match_else" | "tier_else" => One(Kw::Else),
        "bracket_row" | "bracket_up" => DeclKw::UpTo,
        "bracket_above" => One(Kw::Above),
        _ => return None,
    })
}

fn phrase(name: &str) -> Option<Phrase> {
    use Phrase::*;
    Some(match name {
        "EOI" => End,
        "file" | "item" => Declaration,
        "ident_char" | "ident_raw" | "ident" => Name,
        "hspace" => Space,
        "keyword" | "keyword_en" | "keyword_zh" => Keyword,
        "rule_clause" => Clause,
        "percent" => Percentage,
        "quantity" => Quantity,
        "prefix_op" | "primary" | "operand" | "expr" | "value_expr" => Expression,
        "call" => Call,
        "family" => Family,
        "string" => Str,
        "date" | "dated_row" => Date,
        "number" => Number,
        "type_expr" | "per_type" | "list_type" => Type,
        "unit_path" | "unit_name" | "unit_atom" | "unit_expr" => Unit,
        "field_decl" => FieldDecl,
        "record_field" => RecordField,
        "test_record" => TestRecord,
        "match_arm" => MatchArm,
        "tier_row" | "tier_op" => TierRow,
        "expect_status" => ExpectStatus,
        _ => return None,
    })
}

/// What the parser expected, in the file's keyword dialect: shown in English by
/// `Display`, in Chinese by [`Localize::zh`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected(pub Vec<Want>);

/// One thing the parser expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Want {
    /// A token or a keyword, as written (`=`, `规则`).
    Code(String),
    Phrase(Phrase),
}

/// A kind of thing the parser expected, in words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phrase {
    End,
    Declaration,
    Operator,
    Name,
    Space,
    Keyword,
    Clause,
    Percentage,
    Quantity,
    Expression,
    Call,
    Family,
    Str,
    Date,
    Number,
    Type,
    Unit,
    FieldDecl,
    RecordField,
    TestRecord,
    MatchArm,
    TierRow,
    ExpectStatus,
    /// `true` or `false`, in a dialect.
    Bool(Dialect),
}

impl Phrase {
    fn text(self, lang: Lang) -> String {
        use Phrase::*;
        let (en, zh) = match self {
            End => ("end of file", "文件末尾"),
            Declaration => ("a declaration", "声明"),
            Operator => ("an operator", "运算符"),
            Name => ("a name", "名称"),
            Space => ("a space", "空格"),
            Keyword => ("a keyword", "关键字"),
            Clause => ("a clause", "子句"),
            Percentage => ("a percentage", "百分数"),
            Quantity => ("a quantity", "数量"),
            Expression => ("an expression", "表达式"),
            Call => ("a call", "函数调用"),
            Family => (
                "a rule family (`subsidy`, `restriction`, `ratio`, `reward`)",
                "规则类别（`subsidy`、`restriction`、`ratio`、`reward`）",
            ),
            Str => ("a string", "字符串"),
            Date => ("a date", "日期"),
            Number => ("a number", "数字"),
            Type => ("a type", "类型"),
            Unit => ("a unit", "单位"),
            FieldDecl => ("a field (`name: type`)", "字段（`名称: 类型`）"),
            RecordField => ("a field (`name: value`)", "字段（`名称: 值`）"),
            TestRecord => (
                "a record (`园区 \"key\" { … }`)",
                "记录（`园区 \"主键\" { … }`）",
            ),
            MatchArm => ("a match arm (`变体 => value`)", "匹配分支（`变体 => 值`）"),
            TierRow => (
                "a tier row (`>= threshold => value`)",
                "分档行（`>= 门槛 => 值`）",
            ),
            ExpectStatus => (
                "`==` or an outcome (`pass`, `violation`, `not_applicable`, `error`, `amount`)",
                "`==` 或结果（`pass`、`violation`、`not_applicable`、`error`、`amount`）",
            ),
            Bool(d) => {
                let (t, f) = (Kw::True.text_in(d), Kw::False.text_in(d));
                return match lang {
                    Lang::En => format!("`{t}` or `{f}`"),
                    Lang::Zh => format!("`{t}` 或 `{f}`"),
                };
            }
        };
        lang.pick(en, zh).to_string()
    }
}

impl Want {
    fn text(&self, lang: Lang) -> String {
        match self {
            Want::Code(c) => format!("`{c}`"),
            Want::Phrase(p) => p.text(lang),
        }
    }
}

impl Expected {
    fn text(&self, lang: Lang) -> String {
        let items: Vec<String> = self.0.iter().map(|w| w.text(lang)).collect();
        match (lang, items.as_slice()) {
            (Lang::En, []) => "something else".to_string(),
            (Lang::Zh, []) => "其他内容".to_string(),
            (_, [one]) => one.clone(),
            (Lang::En, [init @ .., last]) => format!("{} or {last}", init.join(", ")),
            (Lang::Zh, [init @ .., last]) => format!("{} 或 {last}", init.join("、")),
        }
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl Localize for Expected {
    fn zh(&self) -> Cow<'_, str> {
        Cow::Owned(self.text(Lang::Zh))
    }
}

/// What the parser found instead.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Found {
    #[error("end of file")]
    EndOfFile,
    #[error("end of line")]
    EndOfLine,
    /// The text, in backticks.
    #[error("{0}")]
    Text(String),
}

impl Localize for Found {
    fn zh(&self) -> Cow<'_, str> {
        match self {
            Found::EndOfFile => "文件末尾".into(),
            Found::EndOfLine => "行尾".into(),
            Found::Text(t) => t.as_str().into(),
        }
    }
}

/// A help line for an unexpected token.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SyntaxHint {
    #[error("`{word}` is a keyword and cannot be used as a name")]
    KeywordAsName { word: String },
    #[error("`{c}` is a full-width character; write `{ascii}`")]
    FullWidth { c: char, ascii: char },
    #[error(
        "`{word}` is a name, not the unit `{unit}`: a unit after a number ends before any name character"
    )]
    UnitPrefix { word: String, unit: String },
}

impl Localize for SyntaxHint {
    fn zh(&self) -> Cow<'_, str> {
        Cow::Owned(match self {
            SyntaxHint::KeywordAsName { word } => format!("`{word}` 是关键字，不能用作名称"),
            SyntaxHint::FullWidth { c, ascii } => format!("`{c}` 是全角字符；应写 `{ascii}`"),
            SyntaxHint::UnitPrefix { word, unit } => {
                format!("`{word}` 是名称，不是单位 `{unit}`：数字后的单位在任何名称字符之前结束")
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// No grammar rule reaches the user under its internal name.
    #[test]
    fn every_rule_reads_as_words() {
        let raw: Vec<String> = Rule::all_rules()
            .iter()
            .filter_map(|r| match describe(*r, Dialect::En) {
                Desc::Want(Want::Code(t)) if t == format!("{r:?}") => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(raw, Vec::<String>::new());
    }

    #[test]
    fn operators_and_end_of_file_are_grouped() {
        let rules = [
            Rule::op_add,
            Rule::EOI,
            Rule::rbrace,
            Rule::op_mul,
            Rule::dot,
        ];
        let d = describe_all(&rules, Dialect::En);
        assert_eq!(d.to_string(), "an operator, `}` or end of file");
        assert_eq!(d.zh(), "运算符、`}` 或 文件末尾");
    }

    #[test]
    fn keywords_read_in_the_dialect_of_the_file() {
        let rules = [Rule::when_clause, Rule::bracket_row, Rule::kw_amount];
        let en = describe_all(&rules, Dialect::En);
        let zh = describe_all(&rules, Dialect::Zh);
        assert_eq!(en.to_string(), "`when`, `up to` or `amount`");
        assert_eq!(zh.to_string(), "`当`, `至` or `金额`");
        assert_eq!(zh.zh(), "`当`、`至` 或 `金额`");
    }
}
