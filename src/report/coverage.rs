//! `parkrules coverage`: which clauses the records reach, as text or JSON.
//!
//! Consumes a [`Coverage`] built by [`crate::eval::coverage()`]; produces either its
//! JSON (its serde shape: `policy, as_of, rules[{rule, entity, family, cite, location,
//! records, statuses[{status, count}], items[{kind, text, location, evaluated?,
//! reached}]}], lets[{name, location, items}]`) or a text report: per rule its outcome
//! counts and one line per clause with its count, then the list of clauses no record
//! reached.

use crate::eval::coverage::{Coverage, Item};
use crate::lang::Lang;
use crate::report::explain::ExplainFormat;
use crate::report::{display_width, pad_left, pad_to};
use std::io::{self, Write};

/// Write a coverage report (the formats of `explain`: text or JSON).
pub fn write_coverage(w: &mut dyn Write, fmt: ExplainFormat, c: &Coverage) -> io::Result<()> {
    write_coverage_in(w, fmt, c, Lang::En)
}

/// [`write_coverage`] with the text format's fixed words in a language.
pub fn write_coverage_in(
    w: &mut dyn Write,
    fmt: ExplainFormat,
    c: &Coverage,
    lang: Lang,
) -> io::Result<()> {
    match fmt {
        ExplainFormat::Json => {
            serde_json::to_writer_pretty(&mut *w, c).map_err(io::Error::other)?;
            writeln!(w)
        }
        ExplainFormat::Text => write_text(w, c, lang),
    }
}

/// Longer clause texts push their count to the right rather than widen every line.
const MAX_LABEL: usize = 48;

fn write_text(w: &mut dyn Write, c: &Coverage, lang: Lang) -> io::Result<()> {
    match lang {
        Lang::En => writeln!(w, "coverage of {} as of {}", c.policy, c.as_of)?,
        Lang::Zh => writeln!(w, "{} 的覆盖情况，基准日 {}", c.policy, c.as_of)?,
    }
    let label_width = c
        .rules
        .iter()
        .flat_map(|r| &r.items)
        .chain(c.lets.iter().flat_map(|l| &l.items))
        .map(|i| display_width(i.kind.label()) + 2 + display_width(&i.text))
        .max()
        .unwrap_or(0)
        .min(MAX_LABEL);
    for r in &c.rules {
        let cite = r
            .cite
            .as_deref()
            .map(|c| format!(" {c}"))
            .unwrap_or_default();
        writeln!(w)?;
        writeln!(
            w,
            "{} ({}, {}){cite}  {}",
            r.rule,
            r.entity,
            r.family.name(),
            r.location
        )?;
        let counts: Vec<String> = r
            .statuses
            .iter()
            .filter(|s| s.count > 0)
            .map(|s| format!("{} {}", s.count, s.status.name()))
            .collect();
        let counts = if counts.is_empty() {
            String::new()
        } else {
            format!(": {}", counts.join(", "))
        };
        match lang {
            Lang::En => writeln!(w, "  {} records{counts}", r.records)?,
            Lang::Zh => writeln!(w, "  {} 条记录{counts}", r.records)?,
        }
        write_items(w, &r.items, label_width, lang)?;
    }
    for l in &c.lets {
        writeln!(w)?;
        writeln!(w, "let {}  {}", l.name, l.location)?;
        write_items(w, &l.items, label_width, lang)?;
    }
    let unreached = c.unreached();
    let empty: Vec<_> = c.rules_without_records().collect();
    writeln!(w)?;
    if unreached.is_empty() && empty.is_empty() {
        let all = lang.pick(
            "every clause is reached by at least one record",
            "每个子句都至少有一条记录到达",
        );
        writeln!(w, "{all}")?;
        return Ok(());
    }
    let n = unreached.len() + empty.len();
    match lang {
        Lang::En => writeln!(w, "not reached by any record ({n}):")?,
        Lang::Zh => writeln!(w, "没有任何记录到达（{n}）：")?,
    }
    for r in empty {
        match lang {
            Lang::En => writeln!(
                w,
                "  {}  rule {}: no {} records",
                r.location, r.rule, r.entity
            )?,
            Lang::Zh => writeln!(
                w,
                "  {}  规则 {}：没有 {} 记录",
                r.location, r.rule, r.entity
            )?,
        }
    }
    for (owner, i) in unreached {
        writeln!(
            w,
            "  {}  {owner}: {} `{}`",
            i.location,
            i.kind.label(),
            i.text
        )?;
    }
    Ok(())
}

fn write_items(
    w: &mut dyn Write,
    items: &[Item],
    label_width: usize,
    lang: Lang,
) -> io::Result<()> {
    for i in items {
        let label = pad_to(&format!("{}  {}", i.kind.label(), i.text), label_width);
        let count = match (i.evaluated, lang) {
            (Some(n), Lang::En) => format!("{} of {n}", i.reached),
            (Some(n), Lang::Zh) => format!("{}/{n}", i.reached),
            (None, _) => i.reached.to_string(),
        };
        let mark = if i.reached == 0 {
            lang.pick("  ← not reached", "  ← 未到达")
        } else {
            ""
        };
        writeln!(w, "  {label}  {}{mark}", pad_left(&count, 11))?;
    }
    Ok(())
}
