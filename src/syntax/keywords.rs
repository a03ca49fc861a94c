//! The one table of keywords: each keyword with its spellings.
//!
//! Consumed by the grammar's `kw_*` rules (one rule per keyword, kept in step with this
//! table by a test), by error messages (a failed `kw_rule` reads "`rule`") and by the
//! formatter (which prints a keyword's first spelling). A Chinese dialect adds a
//! spelling per keyword here and an alternative in the matching `kw_*` rule.

/// A keyword of the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kw {
    Policy,
    Version,
    Effective,
    Extends,
    Entity,
    Enum,
    Key,
    In,
    Param,
    Let,
    Rule,
    For,
    Cite,
    When,
    Amount,
    Require,
    Else,
    Exception,
    Tier,
    Brackets,
    Up,
    To,
    Above,
    Match,
    If,
    Then,
    Where,
    Via,
    Test,
    Expect,
    AsOf,
    Override,
    Remove,
    And,
    Or,
    Not,
    True,
    False,
}

/// One row of the keyword table.
#[derive(Clone, Copy, Debug)]
pub struct Keyword {
    pub kw: Kw,
    /// The grammar rule that matches it (`kw_rule`).
    pub rule: &'static str,
    /// Every accepted spelling; the first is canonical (what `fmt` prints).
    pub spellings: &'static [&'static str],
}

const fn k(kw: Kw, rule: &'static str, spellings: &'static [&'static str]) -> Keyword {
    Keyword {
        kw,
        rule,
        spellings,
    }
}

/// Every keyword. Keep this the only list of keywords.
pub const KEYWORDS: &[Keyword] = &[
    k(Kw::Policy, "kw_policy", &["policy"]),
    k(Kw::Version, "kw_version", &["version"]),
    k(Kw::Effective, "kw_effective", &["effective"]),
    k(Kw::Extends, "kw_extends", &["extends"]),
    k(Kw::Entity, "kw_entity", &["entity"]),
    k(Kw::Enum, "kw_enum", &["enum"]),
    k(Kw::Key, "kw_key", &["key"]),
    k(Kw::In, "kw_in", &["in"]),
    k(Kw::Param, "kw_param", &["param"]),
    k(Kw::Let, "kw_let", &["let"]),
    k(Kw::Rule, "kw_rule", &["rule"]),
    k(Kw::For, "kw_for", &["for"]),
    k(Kw::Cite, "kw_cite", &["cite"]),
    k(Kw::When, "kw_when", &["when"]),
    k(Kw::Amount, "kw_amount", &["amount"]),
    k(Kw::Require, "kw_require", &["require"]),
    k(Kw::Else, "kw_else", &["else"]),
    k(Kw::Exception, "kw_exception", &["exception"]),
    k(Kw::Tier, "kw_tier", &["tier"]),
    k(Kw::Brackets, "kw_brackets", &["brackets"]),
    k(Kw::Up, "kw_up", &["up"]),
    k(Kw::To, "kw_to", &["to"]),
    k(Kw::Above, "kw_above", &["above"]),
    k(Kw::Match, "kw_match", &["match"]),
    k(Kw::If, "kw_if", &["if"]),
    k(Kw::Then, "kw_then", &["then"]),
    k(Kw::Where, "kw_where", &["where"]),
    k(Kw::Via, "kw_via", &["via"]),
    k(Kw::Test, "kw_test", &["test"]),
    k(Kw::Expect, "kw_expect", &["expect"]),
    k(Kw::AsOf, "kw_as_of", &["as_of"]),
    k(Kw::Override, "kw_override", &["override"]),
    k(Kw::Remove, "kw_remove", &["remove"]),
    k(Kw::And, "kw_and", &["and"]),
    k(Kw::Or, "kw_or", &["or"]),
    k(Kw::Not, "kw_not", &["not"]),
    k(Kw::True, "kw_true", &["true"]),
    k(Kw::False, "kw_false", &["false"]),
];

/// Keywords that start a top-level item at the beginning of a line (used to split a
/// file that fails to parse, so an error in one item does not hide the next).
pub const ITEM_STARTS: &[Kw] = &[
    Kw::Policy,
    Kw::Enum,
    Kw::Entity,
    Kw::Param,
    Kw::Let,
    Kw::Rule,
    Kw::Test,
    Kw::Remove,
    Kw::Override,
];

impl Kw {
    /// The table row of this keyword.
    pub fn entry(self) -> Option<&'static Keyword> {
        KEYWORDS.iter().find(|e| e.kw == self)
    }

    /// The canonical spelling, as `fmt` prints it.
    pub fn text(self) -> &'static str {
        self.entry()
            .and_then(|e| e.spellings.first().copied())
            .unwrap_or("")
    }

    /// Every spelling of this keyword.
    pub fn spellings(self) -> &'static [&'static str] {
        self.entry().map(|e| e.spellings).unwrap_or(&[])
    }
}

/// The keyword matched by a grammar rule name (`kw_rule`), if it is one.
pub fn by_rule(rule: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|e| e.rule == rule)
}

/// The keyword spelled `word`, if it is one.
pub fn by_spelling(word: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|e| e.spellings.contains(&word))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const GRAMMAR: &str = include_str!("../../grammar/parkrules.pest");

    /// The string literals of the grammar rule `name = @{ … }`.
    fn literals(rule: &str) -> Vec<String> {
        let start = GRAMMAR.find(&format!("\n{rule} ")).unwrap();
        let body = &GRAMMAR[start..];
        let body = &body[..body.find('}').unwrap()];
        body.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn each_kw_rule_matches_its_spellings() {
        for k in KEYWORDS {
            assert_eq!(literals(k.rule), k.spellings, "{}", k.rule);
        }
    }

    #[test]
    fn keyword_rule_lists_every_spelling_longest_first() {
        let listed = literals("keyword");
        let mut all: Vec<String> = KEYWORDS
            .iter()
            .flat_map(|k| k.spellings.iter().map(|s| s.to_string()))
            .collect();
        all.sort_by_key(|s| (std::cmp::Reverse(s.len()), s.clone()));
        assert_eq!(listed, all);
    }

    #[test]
    fn canonical_spelling_is_the_first() {
        assert_eq!(Kw::Rule.text(), "rule");
        assert_eq!(Kw::AsOf.text(), "as_of");
        assert_eq!(by_rule("kw_when").map(|k| k.kw), Some(Kw::When));
    }
}
