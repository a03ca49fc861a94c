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

use crate::eval::explain::{Explanation, Node, NodeKind, Note};
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
    match fmt {
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, x).map_err(io::Error::other)?;
            writeln!(w)
        }
        ExplainFormat::Text => write_text(w, x),
    }
}

fn write_text(w: &mut dyn Write, x: &Explanation) -> io::Result<()> {
    writeln!(
        w,
        "{} {} · {} ({}), as of {}",
        x.entity,
        x.key,
        x.rule,
        x.family.name(),
        x.as_of
    )?;
    writeln!(w, "outcome: {}", outcome(x))?;
    if let Some(e) = &x.exception {
        writeln!(w, "exception: {e}")?;
    }
    if let Some(c) = &x.cite {
        writeln!(w, "cite: {c}")?;
    }
    writeln!(w)?;
    for n in &x.steps {
        node(w, n, 0)?;
    }
    Ok(())
}

fn outcome(x: &Explanation) -> String {
    let none = String::new();
    let or = |o: &Option<String>| o.clone().unwrap_or_default();
    match x.status.name() {
        "amount" => format!(
            "amount {} ({} 元)",
            x.amount_shown.as_ref().unwrap_or(&none),
            or(&x.amount)
        ),
        "not_applicable" => format!("not applicable: when {} failed", or(&x.failed_when)),
        "violation" => format!("violation: {}", or(&x.message)),
        "error" => format!("error: {} at {}", or(&x.error), or(&x.error_location)),
        other => other.to_string(),
    }
}

fn node(w: &mut dyn Write, n: &Node, depth: usize) -> io::Result<()> {
    let pad = "  ".repeat(depth);
    let one_line = n.text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = if one_line.is_empty() {
        "(expression)"
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
        NodeKind::When => format!("when {text}"),
        NodeKind::Exception => format!("exception {text}"),
        NodeKind::Message => format!("message {text}"),
    };
    let mut line = format!("{pad}{head}");
    if let Some(v) = &n.value {
        line.push_str(&format!(" = {v}"));
    }
    if let Some(e) = &n.error {
        line.push_str(&format!("  error: {e}"));
    }
    let words: Vec<String> = notes.iter().filter_map(|n| note_word(n)).collect();
    if !words.is_empty() {
        line.push_str(&format!("  [{}]", words.join("; ")));
    }
    if depth == 0 && !n.location.is_empty() {
        line.push_str(&format!("  ({})", n.location));
    }
    writeln!(w, "{line}")?;
    for note in notes {
        note_lines(w, note, &pad)?;
    }
    for c in children {
        node(w, c, depth + 1)?;
    }
    Ok(())
}

/// A note as a few words on its node's line (`None`: it takes lines of its own).
fn note_word(n: &Note) -> Option<String> {
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
            format!("tier row {}", text.split("=>").next().unwrap_or("").trim())
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

/// Notes that list things: bracket slices and aggregated records, one per line.
fn note_lines(w: &mut dyn Write, n: &Note, pad: &str) -> io::Result<()> {
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
            writeln!(
                w,
                "{pad}  | {func} over {entity} via {via}: {n_in} of {} records",
                records.len()
            )?;
            for r in records {
                let what = match (&r.value, r.included) {
                    (Some(v), true) => format!("included, {v}"),
                    (None, true) => "included".to_string(),
                    (_, false) => "excluded".to_string(),
                };
                writeln!(w, "{pad}  |   {} {what}", r.key)?;
            }
        }
        _ => {}
    }
    Ok(())
}
