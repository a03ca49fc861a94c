//! Diff renderer: markdown, what a reviewer pastes into a pull request.
//!
//! Consumes a [`Diff`]; produces GitHub-flavoured markdown: headings, bullet lists and
//! pipe tables (numbers right-aligned). Table cells escape `|` and never contain a line
//! break, so any text from the policy or the records keeps the table intact.

use crate::lang::Lang;
use crate::report::diff::Diff;
use crate::report::diff::doc::{Block, Table, document_in};
use std::io::{self, Write};

/// Write the diff as markdown.
pub fn write(w: &mut dyn Write, d: &Diff) -> io::Result<()> {
    write_in(w, d, Lang::En)
}

/// [`write`] with headings and fixed words in a language.
pub fn write_in(w: &mut dyn Write, d: &Diff, lang: Lang) -> io::Result<()> {
    let mut first = true;
    for b in document_in(d, lang) {
        if !first {
            writeln!(w)?;
        }
        first = false;
        match b {
            Block::Heading(level, s) => {
                writeln!(w, "{} {}", "#".repeat(usize::from(level)), inline(&s))?
            }
            Block::Line(s) => writeln!(w, "{}", inline(&s))?,
            Block::Bullets(items) => {
                for i in items {
                    let depth = i.len() - i.trim_start().len();
                    writeln!(w, "{}- {}", " ".repeat(depth), inline(i.trim_start()))?;
                }
            }
            Block::Table(t) => table(w, &t)?,
        }
    }
    Ok(())
}

/// Text with `code` spans: outside them, escape what markdown would otherwise read as
/// HTML or emphasis; inside them, nothing (code spans show their text literally).
fn inline(s: &str) -> String {
    s.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                part.to_string()
            } else {
                part.replace('<', "&lt;").replace('*', "\\*")
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

fn cell(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    inline(&s)
}

fn table(w: &mut dyn Write, t: &Table) -> io::Result<()> {
    let head: Vec<String> = t.head.iter().map(|h| cell(h)).collect();
    writeln!(w, "| {} |", head.join(" | "))?;
    let rule: Vec<&str> = (0..t.head.len())
        .map(|i| {
            if t.right.get(i).copied().unwrap_or(false) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    writeln!(w, "|{}|", rule.join("|"))?;
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        writeln!(w, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}
