//! pest errors → [`SyntaxError`], in the words users read.
//!
//! Consumes a pest error (the rules it expected at the furthest position it reached);
//! produces "expected `=`, found `}`" or "expected an expression, found end of file".
//! Grammar rule names never reach the user: each is described here, keywords through
//! the keyword table.

use super::Rule;
use super::err::SyntaxError;
use super::keywords;
use pest::error::{Error, ErrorVariant, InputLocation};

/// Convert a pest error on a piece starting at `offset` of `whole`.
pub fn convert(e: &Error<Rule>, whole: &str, offset: usize) -> SyntaxError {
    let pos = offset
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((a, _)) => a,
        };
    let (found, len) = found_at(whole, pos);
    let span = (pos, len).into();
    match &e.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let expected = describe_all(positives);
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
fn found_at(whole: &str, pos: usize) -> (String, usize) {
    let rest = whole.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("end of file".to_string(), 0);
    };
    if c == '\n' || c == '\r' {
        return ("end of line".to_string(), 0);
    }
    if is_word(c) {
        let word: String = rest.chars().take_while(|c| is_word(*c)).take(40).collect();
        let len = word.len();
        return (format!("`{word}`"), len);
    }
    if "=<>!".contains(c) {
        let op: String = rest
            .chars()
            .take_while(|c| "=<>!".contains(*c))
            .take(3)
            .collect();
        let len = op.len();
        return (format!("`{op}`"), len);
    }
    (format!("`{c}`"), c.len_utf8())
}

fn is_word(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

fn keyword_help(whole: &str, pos: usize, len: usize, expected: &str) -> Option<String> {
    let word = whole.get(pos..pos + len)?;
    keywords::by_spelling(word)?;
    expected
        .contains("a name")
        .then(|| format!("`{word}` is a keyword and cannot be used as a name"))
}

/// `100 亩均税收`: a name that begins with a unit, right after a number.
fn unit_help(whole: &str, pos: usize, len: usize) -> Option<String> {
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
    Some(format!(
        "`{word}` is a name, not the unit `{unit}`: a unit after a number ends before any \
         name character"
    ))
}

/// Full-width punctuation (`：`, `，`, `（`) and curly quotes, common in Chinese text,
/// are not the language's: say which character to write instead.
fn width_help(whole: &str, pos: usize) -> Option<String> {
    let c = whole.get(pos..)?.chars().next()?;
    let ascii = match c {
        '“' | '”' => '"',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0)?,
        '、' => ',',
        '。' => '.',
        _ => return None,
    };
    Some(format!("`{c}` is a full-width character; write `{ascii}`"))
}

/// How one expected rule reads.
enum Desc {
    Text(String),
    Operator,
    /// Inside a string: dropped when the closing quote is expected.
    StringPart,
    Skip,
}

fn describe_all(positives: &[Rule]) -> String {
    let descs: Vec<Desc> = positives.iter().map(|r| describe(*r)).collect();
    let has_op = descs.iter().any(|d| matches!(d, Desc::Operator));
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    let continuation = ["`.`", "`(`", "`in`", "`and`", "`or`", "`not`"];
    // Top-level declarations are listed only when nothing else is expected.
    let only_items = positives.iter().all(|r| is_item(*r) || *r == Rule::EOI);
    let mut at_end = false;
    let mut items = false;
    for (d, r) in descs.into_iter().zip(positives) {
        match d {
            _ if is_item(*r) && !only_items => items = true,
            Desc::Text(s) if has_op && continuation.contains(&s.as_str()) => {}
            Desc::Text(s) if s == END => at_end = true,
            Desc::Text(s) => push(s),
            Desc::Operator => push("an operator".to_string()),
            Desc::StringPart => push("`\"`".to_string()),
            Desc::Skip => {}
        }
    }
    if items {
        out.push("a declaration".to_string());
    }
    if at_end {
        out.push(END.to_string());
    }
    join_or(&out)
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

const END: &str = "end of file";

fn join_or(items: &[String]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn describe(rule: Rule) -> Desc {
    let name = format!("{rule:?}");
    if let Some(kw) = keywords::by_rule(&name) {
        return text(&code(kw.kw.text()));
    }
    if name.starts_with("op_") || matches!(name.as_str(), "infix" | "arith_infix" | "cmp_op") {
        return Desc::Operator;
    }
    if let Some(t) = token(&name) {
        return text(&code(t));
    }
    match name.as_str() {
        "str_text" | "str_escape" | "interp" => Desc::StringPart,
        "WHITESPACE" | "COMMENT" => Desc::Skip,
        other => text(phrase(other).unwrap_or(other)),
    }
}

fn text(s: &str) -> Desc {
    Desc::Text(s.to_string())
}

fn code(s: &str) -> String {
    format!("`{s}`")
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
        _ => return declaration_keyword(name),
    })
}

/// Declarations and clauses read as the keyword that starts them.
fn declaration_keyword(name: &str) -> Option<&'static str> {
    Some(match name {
        "policy_header" => "policy",
        "enum_decl" => "enum",
        "entity_decl" => "entity",
        "param_decl" | "remove_param" => "param",
        "let_decl" | "remove_let" => "let",
        "rule_decl" | "remove_rule" => "rule",
        "test_decl" => "test",
        "remove_decl" => "remove",
        "version_clause" => "version",
        "effective_clause" => "effective",
        "extends_clause" => "extends",
        "cite_clause" => "cite",
        "when_clause" => "when",
        "amount_clause" => "amount",
        "require_clause" => "require",
        "exception_decl" => "exception",
        "as_of_clause" => "as_of",
        "expect_stmt" => "expect",
        "field_unit" => "in",
        "where_clause" => "where",
        "via_clause" => "via",
        "match_else" | "tier_else" => "else",
        "bracket_row" | "bracket_up" => "up to",
        "bracket_above" => "above",
        _ => return None,
    })
}

fn phrase(name: &str) -> Option<&'static str> {
    Some(match name {
        "EOI" => END,
        "file" | "item" => "a declaration",
        "ident_char" | "ident_raw" => "a name",
        "hspace" => "a space",
        "keyword" | "keyword_en" | "keyword_zh" => "a keyword",
        "rule_clause" => "a clause",
        "percent" => "a percentage",
        "quantity" => "a quantity",
        "prefix_op" | "primary" => "an expression",
        "as_of_lit" => "`as_of`",
        "bool_lit" => "`true` or `false`",
        "paren" => "`(`",
        "list" => "`[`",
        "call" => "a call",
        "if_expr" => "`if`",
        "match_expr" => "`match`",
        "tier_expr" => "`tier`",
        "brackets_expr" => "`brackets`",
        "ident" => "a name",
        "family" => "a rule family (`subsidy`, `restriction`, `ratio`, `reward`)",
        "string" => "a string",
        "date" | "dated_row" => "a date",
        "number" => "a number",
        "operand" | "expr" | "value_expr" => "an expression",
        "type_expr" | "per_type" | "list_type" => "a type",
        "unit_path" | "unit_name" | "unit_atom" | "unit_expr" => "a unit",
        "field_decl" => "a field (`name: type`)",
        "record_field" => "a field (`name: value`)",
        "test_record" => "a record (`园区 \"key\" { … }`)",
        "match_arm" => "a match arm (`变体 => value`)",
        "tier_row" | "tier_op" => "a tier row (`>= threshold => value`)",
        "expect_status" => {
            "`==` or an outcome (`pass`, `violation`, `not_applicable`, `error`, `amount`)"
        }
        _ => return None,
    })
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
            .filter_map(|r| match describe(*r) {
                Desc::Text(t) if t == format!("{r:?}") => Some(t),
                _ => None,
            })
            .collect();
        assert_eq!(raw, Vec::<String>::new());
    }

    #[test]
    fn operators_and_end_of_file_are_grouped() {
        let d = describe_all(&[
            Rule::op_add,
            Rule::EOI,
            Rule::rbrace,
            Rule::op_mul,
            Rule::dot,
        ]);
        assert_eq!(d, "an operator, `}` or end of file");
    }
}
