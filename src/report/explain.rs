//! `parkrules explain`: the evaluation tree of one outcome, as text or JSON.
//!
//! Consumes an [`Explanation`] built by [`crate::eval::explain()`]; produces either the
//! JSON of the explanation itself (its serde shape: `entity, key, rule, family, as_of,
//! status, amount, amount_shown, message, failed_when, error, error_location,
//! exception, cite, steps[{kind, text, location, value?, error?, notes?,
//! children?}]`) or an indented text tree: a header with the outcome, then each step
//! as `text = value  [decisions]  (file:line:col)`, its sub-expressions indented below.
//! Decisions (notes) read as words: `held`, `failed`, `applies`, `chosen`,
//! `tier row >= 80%`, `param 上限 = 500万元 (from 2021-07-01)`, bracket slices and
//! aggregated records on lines of their own.

use crate::eval::err::EvalError;
use crate::eval::explain::{Explanation, Node, NodeKind, Note, tier_condition};
use crate::lang::{Lang, Localize};
use std::io::{self, Write};

/// An output format of `parkrules explain`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainFormat {
    Text,
    Json,
}

impl ExplainFormat {
    pub fn name(self) -> &'static str {
        match self {
            ExplainFormat::Text => "text",
            ExplainFormat::Json => "json",
        }
    }

    pub fn from_name(s: &str) -> Option<ExplainFormat> {
        [ExplainFormat::Text, ExplainFormat::Json]
            .into_iter()
            .find(|f| f.name() == s)
    }
}

/// Write one explanation.
pub fn write_explanation(w: &mut dyn Write, fmt: ExplainFormat, x: &Explanation) -> io::Result<()> {
    write_explanation_in(w, fmt, x, Lang::En)
}

/// [`write_explanation`] with the text format's fixed words in a language (JSON is
/// the same in every language).
pub fn write_explanation_in(
    w: &mut dyn Write,
    fmt: ExplainFormat,
    x: &Explanation,
    lang: Lang,
) -> io::Result<()> {
    match fmt {
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, x).map_err(io::Error::other)?;
            writeln!(w)
        }
        ExplainFormat::Text => write_text(w, x, lang),
    }
}

fn write_text(w: &mut dyn Write, x: &Explanation, lang: Lang) -> io::Result<()> {
    let (entity, key, rule, family, as_of) =
        (&x.entity, &x.key, &x.rule, x.family.name(), &x.as_of);
    match lang {
        Lang::En => writeln!(w, "{entity} {key} · {rule} ({family}), as of {as_of}")?,
        Lang::Zh => writeln!(w, "{entity} {key} · {rule}（{family}），基准日 {as_of}")?,
    }
    writeln!(
        w,
        "{}{}",
        lang.pick("outcome: ", "结果："),
        outcome(x, lang)
    )?;
    if let Some(e) = &x.exception {
        writeln!(w, "{}{e}", lang.pick("exception: ", "例外："))?;
    }
    if let Some(c) = &x.cite {
        writeln!(w, "{}{c}", lang.pick("cite: ", "依据："))?;
    }
    writeln!(w)?;
    for n in &x.steps {
        node(w, n, 0, lang)?;
    }
    Ok(())
}

fn outcome(x: &Explanation, lang: Lang) -> String {
    let none = String::new();
    let or = |o: &Option<String>| o.clone().unwrap_or_default();
    let shown = x.amount_shown.as_ref().unwrap_or(&none);
    match (x.status.name(), lang) {
        ("amount", Lang::En) => format!("amount {shown} ({} 元)", or(&x.amount)),
        ("amount", Lang::Zh) => format!("金额 {shown}（{} 元）", or(&x.amount)),
        ("not_applicable", Lang::En) => {
            format!("not applicable: when {} failed", or(&x.failed_when))
        }
        ("not_applicable", Lang::Zh) => {
            format!("不适用：条件 {} 不成立", or(&x.failed_when))
        }
        ("violation", Lang::En) => format!("violation: {}", or(&x.message)),
        ("violation", Lang::Zh) => format!("违反：{}", or(&x.message)),
        ("error", Lang::En) => format!(
            "error: {} at {}",
            error_text(&x.error, lang),
            or(&x.error_location)
        ),
        ("error", Lang::Zh) => format!(
            "错误：{}，位于 {}",
            error_text(&x.error, lang),
            or(&x.error_location)
        ),
        ("pass", Lang::Zh) => "通过".to_string(),
        (other, _) => other.to_string(),
    }
}

/// An evaluation error in a language (empty when there is none).
fn error_text(e: &Option<Box<EvalError>>, lang: Lang) -> String {
    e.as_ref()
        .map(|e| e.text(lang).into_owned())
        .unwrap_or_default()
}

fn node(w: &mut dyn Write, n: &Node, depth: usize, lang: Lang) -> io::Result<()> {
    let pad = "  ".repeat(depth);
    let one_line = n.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = if one_line.is_empty() {
        lang.pick("(expression)", "（表达式）")
    } else {
        one_line.as_str()
    };
    // A `when` whose only child is its condition, written the same: one line for both.
    let cond = match (n.kind, n.children.as_slice()) {
        (NodeKind::When, [c]) if c.text.split_whitespace().eq(n.text.split_whitespace()) => Some(c),
        _ => None,
    };
    let notes: Vec<&Note> = n
        .notes
        .iter()
        .chain(cond.iter().flat_map(|c| &c.notes))
        .collect();
    let children = cond.map_or(n.children.as_slice(), |c| c.children.as_slice());
    let head = match n.kind {
        NodeKind::Expr => text.to_string(),
        NodeKind::When => format!("{} {text}", lang.pick("when", "条件")),
        NodeKind::Exception => format!("{} {text}", lang.pick("exception", "例外")),
        NodeKind::Message => format!("{} {text}", lang.pick("message", "说明")),
    };
    let mut line = format!("{pad}{head}");
    if let Some(v) = &n.value {
        line.push_str(&format!(" = {v}"));
    }
    if let Some(e) = &n.error {
        line.push_str(&format!(
            "  {}{}",
            lang.pick("error: ", "错误："),
            e.text(lang)
        ));
    }
    let words: Vec<String> = notes.iter().filter_map(|n| note_word(n, lang)).collect();
    if !words.is_empty() {
        line.push_str(&format!("  [{}]", words.join("; ")));
    }
    if depth == 0 && !n.location.is_empty() {
        line.push_str(&format!("  ({})", n.location));
    }
    writeln!(w, "{line}")?;
    for note in notes {
        note_lines(w, note, &pad, lang)?;
    }
    for c in children {
        node(w, c, depth + 1, lang)?;
    }
    Ok(())
}

/// A note as a few words on its node's line (`None`: it takes lines of its own).
fn note_word(n: &Note, lang: Lang) -> Option<String> {
    if lang == Lang::Zh {
        return note_word_zh(n);
    }
    Some(match n {
        Note::When { held, .. } => if *held { "held" } else { "failed" }.to_string(),
        Note::Exception { applies, .. } => if *applies {
            "applies"
        } else {
            "does not apply"
        }
        .to_string(),
        Note::ExceptionChosen { name, .. } => format!("exception {name} chosen"),
        // The row's condition; its value is the node's.
        Note::TierRow { text, .. } => {
            format!("tier row {}", tier_condition(text))
        }
        Note::TierElse => "tier else".to_string(),
        Note::MatchArm { index: None, .. } => "else arm".to_string(),
        Note::MatchArm { variant, .. } => format!("arm {variant}"),
        Note::Branch { then } => if *then { "then" } else { "else" }.to_string(),
        Note::ShortCircuit => "short-circuit".to_string(),
        Note::Param {
            name, value, from, ..
        } => match from {
            Some(d) => format!("param {name} = {value} (from {d})"),
            None => format!("param {name} = {value}"),
        },
        Note::Let { name, memoised } => {
            if *memoised {
                format!("let {name} (computed before)")
            } else {
                format!("let {name}")
            }
        }
        Note::Brackets { .. } | Note::Aggregate { .. } => return None,
    })
}

/// [`note_word`] in Chinese.
fn note_word_zh(n: &Note) -> Option<String> {
    Some(match n {
        Note::When { held, .. } => if *held { "成立" } else { "不成立" }.to_string(),
        Note::Exception { applies, .. } => if *applies { "适用" } else { "不适用" }.to_string(),
        Note::ExceptionChosen { name, .. } => format!("选用例外 {name}"),
        Note::TierRow { text, .. } => {
            format!("分档 {}", tier_condition(text))
        }
        Note::TierElse => "分档 else".to_string(),
        Note::MatchArm { index: None, .. } => "else 分支".to_string(),
        Note::MatchArm { variant, .. } => format!("分支 {variant}"),
        Note::Branch { then } => if *then { "then" } else { "else" }.to_string(),
        Note::ShortCircuit => "短路".to_string(),
        Note::Param {
            name, value, from, ..
        } => match from {
            Some(d) => format!("参数 {name} = {value}（自 {d} 起）"),
            None => format!("参数 {name} = {value}"),
        },
        Note::Let { name, memoised } => {
            if *memoised {
                format!("定义 {name}（已算过）")
            } else {
                format!("定义 {name}")
            }
        }
        Note::Brackets { .. } | Note::Aggregate { .. } => return None,
    })
}

/// Notes that list things: bracket slices and aggregated records, one per line.
fn note_lines(w: &mut dyn Write, n: &Note, pad: &str, lang: Lang) -> io::Result<()> {
    match n {
        Note::Brackets { slices } => {
            for s in slices {
                let to = s.to.as_deref().unwrap_or("∞");
                writeln!(
                    w,
                    "{pad}  | {}: {} – {}: {} × {} = {}",
                    s.text, s.from, to, s.amount, s.rate, s.product
                )?;
            }
        }
        Note::Aggregate {
            func,
            entity,
            via,
            records,
        } => {
            let n_in = records.iter().filter(|r| r.included).count();
            let total = records.len();
            match lang {
                Lang::En => writeln!(
                    w,
                    "{pad}  | {func} over {entity} via {via}: {n_in} of {total} records"
                )?,
                Lang::Zh => writeln!(
                    w,
                    "{pad}  | {func}：{entity} 经 {via}：{total} 条记录中的 {n_in} 条"
                )?,
            }
            for r in records {
                let what = match (&r.value, r.included, lang) {
                    (Some(v), true, Lang::En) => format!("included, {v}"),
                    (Some(v), true, Lang::Zh) => format!("计入，{v}"),
                    (None, true, _) => lang.pick("included", "计入").to_string(),
                    (_, false, _) => lang.pick("excluded", "不计入").to_string(),
                };
                writeln!(w, "{pad}  |   {} {what}", r.key)?;
            }
        }
        _ => {}
    }
    Ok(())
}
