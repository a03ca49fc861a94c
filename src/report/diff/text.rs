//! Diff renderer: plain text for a terminal.
//!
//! Consumes a [`Diff`]; produces headings underlined, bullet lists and tables whose
//! columns are aligned by display width (a Chinese character takes two columns).
//! No trailing spaces are written.

use crate::lang::Lang;
use crate::report::diff::Diff;
use crate::report::diff::doc::{Block, Table, document_in};
use crate::report::{display_width, pad_left, pad_to};
use std::io::{self, Write};

/// Write the diff as text.
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
                writeln!(w, "{s}")?;
                let ch = if level <= 2 { "=" } else { "-" };
                writeln!(w, "{}", ch.repeat(display_width(&s)))?;
            }
            Block::Line(s) => writeln!(w, "{s}")?,
            Block::Bullets(items) => {
                for i in items {
                    let depth = i.len() - i.trim_start().len();
                    writeln!(w, "{}- {}", " ".repeat(depth), i.trim_start())?;
                }
            }
            Block::Table(t) => table(w, &t)?,
        }
    }
    Ok(())
}

fn table(w: &mut dyn Write, t: &Table) -> io::Result<()> {
    let mut widths: Vec<usize> = t.head.iter().map(|h| display_width(h)).collect();
    for row in &t.rows {
        for (wd, c) in widths.iter_mut().zip(row) {
            *wd = (*wd).max(display_width(c));
        }
    }
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, wd))| {
                if t.right.get(i).copied().unwrap_or(false) {
                    pad_left(c, *wd)
                } else {
                    pad_to(c, *wd)
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    writeln!(w, "{}", line(&t.head))?;
    let rule: Vec<String> = widths.iter().map(|n| "-".repeat(*n)).collect();
    writeln!(w, "{}", rule.join("  "))?;
    for row in &t.rows {
        writeln!(w, "{}", line(row))?;
    }
    Ok(())
}
