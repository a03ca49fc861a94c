//! The one table of keywords: each keyword with its spellings.
//!
//! Consumed by the grammar's `kw_*` rules (one rule per keyword, kept in step with this
//! table by a test), by error messages (a failed `kw_rule` reads "`rule`") and by the
//! formatter (which prints a keyword's first spelling in the file's [`Dialect`]).
//!
//! Each row lists the English spelling first, then the Chinese ones (the first of
//! them is what `fmt --dialect zh` prints). `up to` is one word in Chinese, `至`: it
//! is spelled on `up` and `to` has no Chinese spelling (see [`phrase`]). `in` before
//! a field's unit reads `单位`, in an expression `属于` (see [`field_unit_in`]).

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

/// A keyword dialect: which spellings a file uses and `fmt` prints.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// `rule 建设补助 : subsidy for 园区 { when … amount … }`
    #[default]
    En,
    /// `规则 建设补助 : subsidy 适用于 园区 { 当 … 金额 … }`
    Zh,
}

impl Dialect {
    /// The dialect of one spelling: ASCII spellings are English, the others Chinese.
    pub fn of(spelling: &str) -> Dialect {
        if spelling.is_ascii() {
            Dialect::En
        } else {
            Dialect::Zh
        }
    }

    /// The dialect of a file from how many of its keywords are in each: the majority,
    /// a tie going to the dialect of the first keyword (English when there is none).
    pub fn decide(en: usize, zh: usize, first: Option<Dialect>) -> Dialect {
        match en.cmp(&zh) {
            std::cmp::Ordering::Greater => Dialect::En,
            std::cmp::Ordering::Less => Dialect::Zh,
            std::cmp::Ordering::Equal => first.unwrap_or_default(),
        }
    }
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
    k(Kw::Policy, "kw_policy", &["policy", "政策"]),
    k(Kw::Version, "kw_version", &["version", "版本"]),
    k(Kw::Effective, "kw_effective", &["effective", "生效"]),
    k(Kw::Extends, "kw_extends", &["extends", "继承"]),
    k(Kw::Entity, "kw_entity", &["entity", "实体"]),
    k(Kw::Enum, "kw_enum", &["enum", "枚举"]),
    k(Kw::Key, "kw_key", &["key", "主键"]),
    k(Kw::In, "kw_in", &["in", "属于", "单位"]),
    k(Kw::Param, "kw_param", &["param", "参数"]),
    k(Kw::Let, "kw_let", &["let", "定义"]),
    k(Kw::Rule, "kw_rule", &["rule", "规则"]),
    k(Kw::For, "kw_for", &["for", "适用于"]),
    k(Kw::Cite, "kw_cite", &["cite", "依据"]),
    k(Kw::When, "kw_when", &["when", "当"]),
    k(Kw::Amount, "kw_amount", &["amount", "金额"]),
    k(Kw::Require, "kw_require", &["require", "要求"]),
    k(Kw::Else, "kw_else", &["else", "否则"]),
    k(Kw::Exception, "kw_exception", &["exception", "例外"]),
    k(Kw::Tier, "kw_tier", &["tier", "分档"]),
    k(Kw::Brackets, "kw_brackets", &["brackets", "累进"]),
    k(Kw::Up, "kw_up", &["up", "至"]),
    k(Kw::To, "kw_to", &["to"]),
    k(Kw::Above, "kw_above", &["above", "以上"]),
    k(Kw::Match, "kw_match", &["match", "匹配"]),
    k(Kw::If, "kw_if", &["if", "如果"]),
    k(Kw::Then, "kw_then", &["then", "那么"]),
    k(Kw::Where, "kw_where", &["where", "其中"]),
    k(Kw::Via, "kw_via", &["via", "经"]),
    k(Kw::Test, "kw_test", &["test", "测试"]),
    k(Kw::Expect, "kw_expect", &["expect", "期望"]),
    k(Kw::AsOf, "kw_as_of", &["as_of", "基准日"]),
    k(Kw::Override, "kw_override", &["override", "覆盖"]),
    k(Kw::Remove, "kw_remove", &["remove", "删除"]),
    k(Kw::And, "kw_and", &["and", "且"]),
    k(Kw::Or, "kw_or", &["or", "或"]),
    k(Kw::Not, "kw_not", &["not", "非"]),
    k(Kw::True, "kw_true", &["true", "是"]),
    k(Kw::False, "kw_false", &["false", "否"]),
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

    /// The spelling `fmt` prints in dialect `d`: the first of that dialect, or none
    /// (only `to`, silent in Chinese).
    pub fn spelling(self, d: Dialect) -> Option<&'static str> {
        self.spellings()
            .iter()
            .copied()
            .find(|s| Dialect::of(s) == d)
    }

    /// The spelling printed in dialect `d` (the English one when `d` has none).
    pub fn text_in(self, d: Dialect) -> &'static str {
        self.spelling(d).unwrap_or_else(|| self.text())
    }

    /// Every spelling of this keyword.
    pub fn spellings(self) -> &'static [&'static str] {
        self.entry().map(|e| e.spellings).unwrap_or(&[])
    }
}

/// Keywords read together (`up to`) in dialect `d`: those with a spelling in `d`,
/// joined by spaces (`up to` in English, `至` in Chinese).
pub fn phrase(kws: &[Kw], d: Dialect) -> String {
    let words: Vec<&str> = kws.iter().filter_map(|k| k.spelling(d)).collect();
    words.join(" ")
}

/// `in` before a field's unit (`规划面积: area in 亩`): `单位` in Chinese, where an
/// expression's `in` (`镇街道 in 经济薄弱镇`) reads `属于`.
pub fn field_unit_in(d: Dialect) -> &'static str {
    match d {
        Dialect::En => Kw::In.text_in(d),
        Dialect::Zh => FIELD_UNIT_IN_ZH,
    }
}

const FIELD_UNIT_IN_ZH: &str = "单位";

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
        for (rule, ascii) in [("keyword_en", true), ("keyword_zh", false)] {
            let listed = literals(rule);
            let mut all: Vec<String> = KEYWORDS
                .iter()
                .flat_map(|k| k.spellings.iter().map(|s| s.to_string()))
                .filter(|s| s.is_ascii() == ascii)
                .collect();
            all.sort_by_key(|s| (std::cmp::Reverse(s.len()), s.clone()));
            assert_eq!(listed, all, "{rule}");
        }
        // The English list is reached only by a lower-case ASCII letter.
        assert!(
            KEYWORDS
                .iter()
                .flat_map(|k| k.spellings)
                .all(|s| { !s.is_ascii() || s.starts_with(|c: char| c.is_ascii_lowercase()) })
        );
    }

    #[test]
    fn canonical_spelling_is_the_first() {
        assert_eq!(Kw::Rule.text(), "rule");
        assert_eq!(Kw::AsOf.text(), "as_of");
        assert_eq!(by_rule("kw_when").map(|k| k.kw), Some(Kw::When));
    }

    #[test]
    fn every_keyword_has_a_chinese_spelling_but_to() {
        for k in KEYWORDS {
            let en = k.kw.spelling(Dialect::En);
            let zh = k.kw.spelling(Dialect::Zh);
            assert_eq!(k.spellings.first().copied(), en, "{}", k.rule);
            assert_eq!(zh.is_none(), k.kw == Kw::To, "{}", k.rule);
        }
        assert_eq!(phrase(&[Kw::Up, Kw::To], Dialect::En), "up to");
        assert_eq!(phrase(&[Kw::Up, Kw::To], Dialect::Zh), "至");
        assert!(Kw::In.spellings().contains(&field_unit_in(Dialect::Zh)));
        assert_eq!(Kw::In.text_in(Dialect::Zh), "属于");
    }

    #[test]
    fn no_spelling_is_two_keywords() {
        let mut all: Vec<&str> = KEYWORDS
            .iter()
            .flat_map(|k| k.spellings.iter().copied())
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }

    #[test]
    fn dialect_is_the_majority_then_the_first() {
        assert_eq!(Dialect::decide(3, 1, Some(Dialect::Zh)), Dialect::En);
        assert_eq!(Dialect::decide(1, 3, Some(Dialect::En)), Dialect::Zh);
        assert_eq!(Dialect::decide(2, 2, Some(Dialect::Zh)), Dialect::Zh);
        assert_eq!(Dialect::decide(0, 0, None), Dialect::En);
    }
}
