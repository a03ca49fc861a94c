//! Pieces shared by the diff renderers: money changes, percentages, causes in words.
//!
//! Consumes parts of a [`Diff`](super::Diff); produces short strings. Money is shown
//! in 万元, exactly; percentages are the rounded figures of [`Money::percent`]. Causes
//! and definition changes come in English and Chinese (`*_in`), the Chinese in an
//! exhaustive `match` beside the English; the xlsx workbook keeps the English.

use crate::lang::Lang;
use crate::report::diff::{Cause, DefChange, Money};
use crate::report::{OutcomeView, wan};
use crate::value::plain_decimal;
use rust_decimal::Decimal;

/// A signed change in 万元 (`+300万元`, `-50万元`, `0`).
pub fn signed_wan(d: Option<Decimal>) -> String {
    match d {
        None => "overflow".to_string(),
        Some(d) if d.is_zero() => "0".to_string(),
        Some(d) if d.is_sign_positive() => format!("+{}", wan(d)),
        Some(d) => wan(d),
    }
}

/// The percentage change (`+12.5%`), `new` from a zero base, `0%` when nothing moved.
pub fn percent(m: &Money) -> String {
    percent_in(m, Lang::En)
}

/// [`percent`] in a language.
pub fn percent_in(m: &Money, lang: Lang) -> String {
    match m.percent() {
        None if m.revised.is_zero() => "0%".to_string(),
        None => lang.pick("new", "新增").to_string(),
        Some(p) if p.is_sign_positive() && !p.is_zero() => format!("+{}%", plain_decimal(p)),
        Some(p) => format!("{}%", plain_decimal(p)),
    }
}

/// A signed count change (`+3`, `-1`, `0`).
pub fn signed_count(base: usize, revised: usize) -> String {
    if revised >= base {
        if revised == base {
            "0".to_string()
        } else {
            format!("+{}", revised - base)
        }
    } else {
        format!("-{}", base - revised)
    }
}

/// An outcome in a few words (`500万元 [薄弱镇园区]`, `violation: …`, `—` when absent).
pub fn outcome(v: Option<&OutcomeView>) -> String {
    outcome_in(v, Lang::En)
}

/// [`outcome`] in a language.
pub fn outcome_in(v: Option<&OutcomeView>, lang: Lang) -> String {
    let Some(v) = v else {
        return lang.pick("(no rule)", "（无此规则）").to_string();
    };
    crate::report::text::brief_in(v, lang)
}

fn opt(s: &Option<String>) -> String {
    s.as_ref()
        .map_or_else(|| "none".to_string(), |s| format!("`{s}`"))
}

/// A change of something that may be absent on either side, in words.
fn moved(what: &str, base: &Option<String>, revised: &Option<String>, code: bool) -> String {
    let q = |s: &str| {
        if code {
            format!("`{s}`")
        } else {
            s.to_string()
        }
    };
    match (base, revised) {
        (Some(b), Some(r)) => format!("{what} {} → {}", q(b), q(r)),
        (None, Some(r)) => format!("{what} {} added", q(r)),
        (Some(b), None) => format!("{what} {} removed", q(b)),
        (None, None) => what.to_string(),
    }
}

/// One cause in words, code in backticks (markdown-friendly, readable as text). Lets
/// show their definitions; [`cause_short`] is the form for table cells.
pub fn cause(c: &Cause) -> String {
    cause_in(c, Lang::En)
}

/// [`cause`] in a language.
pub fn cause_in(c: &Cause, lang: Lang) -> String {
    match (c, lang) {
        (
            Cause::LetChanged {
                name,
                base,
                revised,
            },
            Lang::En,
        ) => format!("let `{name}`: {} → {}", opt(base), opt(revised)),
        (
            Cause::LetChanged {
                name,
                base,
                revised,
            },
            Lang::Zh,
        ) => match (base, revised) {
            (Some(b), Some(r)) => format!("定义 `{name}`：`{b}` → `{r}`"),
            (None, Some(r)) => format!("新增定义 `{name}` = `{r}`"),
            (Some(b), None) => format!("删除定义 `{name}`（原为 `{b}`）"),
            (None, None) => format!("定义 `{name}`"),
        },
        (c, lang) => cause_short_in(c, lang),
    }
}

/// One cause in a few words, for a cell of the changed-outcomes table.
pub fn cause_short(c: &Cause) -> String {
    cause_short_in(c, Lang::En)
}

/// [`cause_short`] in a language.
pub fn cause_short_in(c: &Cause, lang: Lang) -> String {
    match lang {
        Lang::En => cause_short_en(c),
        Lang::Zh => cause_short_zh(c),
    }
}

fn cause_short_en(c: &Cause) -> String {
    match c {
        Cause::RuleAdded => "rule added in revised".to_string(),
        Cause::RuleRemoved => "rule removed in revised".to_string(),
        Cause::RuleChanged {
            overridden, cite, ..
        } => {
            let how = if *overridden { "overridden" } else { "changed" };
            match cite {
                Some(c) => format!("rule {how} in revised ({c})"),
                None => format!("rule {how} in revised"),
            }
        }
        Cause::ParamChanged {
            name,
            base,
            revised,
        } => match (base, revised) {
            (Some(b), Some(r)) => format!("param `{name}` {b} → {r}"),
            (None, Some(r)) => format!("new param `{name}` = {r}"),
            (Some(b), None) => format!("param `{name}` (= {b}) removed"),
            (None, None) => format!("param `{name}`"),
        },
        Cause::LetChanged {
            name,
            base,
            revised,
        } => match (base, revised) {
            (Some(_), Some(_)) => format!("let `{name}` redefined"),
            (None, _) => format!("new let `{name}`"),
            (_, None) => format!("let `{name}` removed"),
        },
        Cause::ExceptionChanged { base, revised } => match (base, revised) {
            (None, Some(r)) => format!("exception {r} applies"),
            (Some(b), None) => format!("exception {b} no longer applies"),
            _ => moved("exception", base, revised, false),
        },
        Cause::WhenChanged { base, revised } => match (base, revised) {
            (None, Some(r)) => format!("now fails when `{r}`"),
            (Some(b), None) => format!("no longer fails when `{b}`"),
            _ => moved("failing when", base, revised, true),
        },
        Cause::TierRow { base, revised } => match (base, revised) {
            (None, Some(r)) => format!("tier row `{r}`"),
            _ => moved("tier row", base, revised, true),
        },
    }
}

/// [`cause_short`] in Chinese: every kind of cause, so that a new one does not compile
/// without its Chinese.
fn cause_short_zh(c: &Cause) -> String {
    match c {
        Cause::RuleAdded => "修订稿新增此规则".to_string(),
        Cause::RuleRemoved => "修订稿删除此规则".to_string(),
        Cause::RuleChanged {
            overridden, cite, ..
        } => {
            let how = if *overridden { "重写" } else { "改变" };
            match cite {
                Some(c) => format!("规则在修订稿中{how}（{c}）"),
                None => format!("规则在修订稿中{how}"),
            }
        }
        Cause::ParamChanged {
            name,
            base,
            revised,
        } => match (base, revised) {
            (Some(b), Some(r)) => format!("参数 `{name}`：{b} → {r}"),
            (None, Some(r)) => format!("新增参数 `{name}` = {r}"),
            (Some(b), None) => format!("删除参数 `{name}`（原为 {b}）"),
            (None, None) => format!("参数 `{name}`"),
        },
        Cause::LetChanged {
            name,
            base,
            revised,
        } => match (base, revised) {
            (Some(_), Some(_)) => format!("修改定义 `{name}`"),
            (None, _) => format!("新增定义 `{name}`"),
            (Some(_), None) => format!("删除定义 `{name}`"),
        },
        Cause::ExceptionChanged { base, revised } => match (base, revised) {
            (Some(b), Some(r)) => format!("例外 {b} → {r}"),
            (None, Some(r)) => format!("适用例外 {r}"),
            (Some(b), None) => format!("不再适用例外 {b}"),
            (None, None) => "例外".to_string(),
        },
        Cause::WhenChanged { base, revised } => match (base, revised) {
            (Some(b), Some(r)) => format!("不成立的条件 `{b}` → `{r}`"),
            (None, Some(r)) => format!("因条件 `{r}` 不成立而不适用"),
            (Some(b), None) => format!("不再因条件 `{b}` 不成立而不适用"),
            (None, None) => "不成立的条件".to_string(),
        },
        Cause::TierRow { base, revised } => match (base, revised) {
            (Some(b), Some(r)) => format!("分档 `{b}` → `{r}`"),
            (None, Some(r)) => format!("落入分档 `{r}`"),
            (Some(b), None) => format!("不再落入分档 `{b}`"),
            (None, None) => "分档".to_string(),
        },
    }
}

/// All causes of a change joined (`—` when none could be named).
pub fn causes(cs: &[Cause]) -> String {
    causes_in(cs, Lang::En)
}

/// [`causes`] in a language.
pub fn causes_in(cs: &[Cause], lang: Lang) -> String {
    if cs.is_empty() {
        return "—".to_string();
    }
    let parts: Vec<String> = cs.iter().map(|c| cause_short_in(c, lang)).collect();
    parts.join(lang.pick("; ", "；"))
}

/// One definition change in words.
pub fn def_change(d: &DefChange) -> String {
    def_change_in(d, Lang::En)
}

/// [`def_change`] in a language.
pub fn def_change_in(d: &DefChange, lang: Lang) -> String {
    match lang {
        Lang::En => def_change_en(d),
        Lang::Zh => def_change_zh(d),
    }
}

fn def_change_en(d: &DefChange) -> String {
    match d {
        DefChange::Family { base, revised } => {
            format!("family {} → {}", base.name(), revised.name())
        }
        DefChange::Cite { base, revised } => format!("cite {} → {}", opt(base), opt(revised)),
        DefChange::WhenRemoved(w) => format!("when `{w}` removed"),
        DefChange::WhenAdded(w) => format!("when `{w}` added"),
        DefChange::Outcome { base, revised } => format!("`{base}` → `{revised}`"),
        DefChange::ExceptionAdded(n) => format!("exception {n} added"),
        DefChange::ExceptionRemoved(n) => format!("exception {n} removed"),
        DefChange::ExceptionChanged(n) => format!("exception {n} changed"),
    }
}

/// [`def_change`] in Chinese: every kind of change (see [`cause_short_zh`]).
fn def_change_zh(d: &DefChange) -> String {
    match d {
        DefChange::Family { base, revised } => {
            format!("类别 {} → {}", base.name(), revised.name())
        }
        DefChange::Cite { base, revised } => match (base, revised) {
            (Some(b), Some(r)) => format!("依据 `{b}` → `{r}`"),
            (None, Some(r)) => format!("新增依据 `{r}`"),
            (Some(b), None) => format!("删除依据 `{b}`"),
            (None, None) => "依据".to_string(),
        },
        DefChange::WhenRemoved(w) => format!("删除条件 `{w}`"),
        DefChange::WhenAdded(w) => format!("新增条件 `{w}`"),
        DefChange::Outcome { base, revised } => format!("`{base}` → `{revised}`"),
        DefChange::ExceptionAdded(n) => format!("新增例外 {n}"),
        DefChange::ExceptionRemoved(n) => format!("删除例外 {n}"),
        DefChange::ExceptionChanged(n) => format!("修改例外 {n}"),
    }
}
