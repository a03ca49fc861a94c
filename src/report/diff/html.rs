//! Diff renderer: one self-contained HTML page.
//!
//! Consumes a [`Diff`]; produces an HTML5 document with an inline stylesheet and no
//! script, font, image or link to anything outside it, readable offline. Every piece
//! of text from policies and records is escaped (`& < > " '`); text between backticks
//! is shown as `<code>`.

use crate::lang::Lang;
use crate::report::diff::Diff;
use crate::report::diff::doc::{Block, Table, document_in};
use std::io::{self, Write};

const STYLE: &str = "body{font-family:sans-serif;margin:2em;max-width:80em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 1.5em}\
th,td{border:1px solid #ccc;padding:.25em .6em;vertical-align:top}\
th{background:#f3f3f3}td.n{text-align:right;white-space:nowrap}\
code{background:#f6f6f6;padding:0 .2em}li.sub{margin-left:2em;list-style:circle}";

/// Write the diff as an HTML page.
pub fn write(w: &mut dyn Write, d: &Diff) -> io::Result<()> {
    write_in(w, d, Lang::En)
}

/// [`write`] with headings and fixed words in a language.
pub fn write_in(w: &mut dyn Write, d: &Diff, lang: Lang) -> io::Result<()> {
    writeln!(w, "<!DOCTYPE html>")?;
    writeln!(w, "<html lang=\"zh\">")?;
    writeln!(w, "<head>")?;
    writeln!(w, "<meta charset=\"utf-8\">")?;
    writeln!(
        w,
        "<title>{}</title>",
        escape(&format!(
            "{} — {}",
            d.revised.name,
            lang.pick("policy impact", "政策影响")
        ))
    )?;
    writeln!(w, "<style>{STYLE}</style>")?;
    writeln!(w, "</head>")?;
    writeln!(w, "<body>")?;
    for b in document_in(d, lang) {
        match b {
            Block::Heading(level, s) => {
                let h = level.min(6);
                writeln!(w, "<h{h}>{}</h{h}>", rich(&s))?
            }
            Block::Line(s) => writeln!(w, "<p>{}</p>", rich(&s))?,
            Block::Bullets(items) => {
                writeln!(w, "<ul>")?;
                for i in items {
                    // An indented item details the one before it.
                    let class = if i.starts_with(' ') {
                        " class=\"sub\""
                    } else {
                        ""
                    };
                    writeln!(w, "<li{class}>{}</li>", rich(i.trim_start()))?;
                }
                writeln!(w, "</ul>")?;
            }
            Block::Table(t) => table(w, &t)?,
        }
    }
    writeln!(w, "</body>")?;
    writeln!(w, "</html>")
}

/// Escape text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped text with `code` spans between backticks.
fn rich(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            out.push_str(&format!("<code>{}</code>", escape(part)));
        } else {
            out.push_str(&escape(part));
        }
    }
    out
}

fn table(w: &mut dyn Write, t: &Table) -> io::Result<()> {
    writeln!(w, "<table>")?;
    let head: String = t
        .head
        .iter()
        .map(|h| format!("<th>{}</th>", escape(h)))
        .collect();
    writeln!(w, "<tr>{head}</tr>")?;
    for row in &t.rows {
        let cells: String = row
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let class = if t.right.get(i).copied().unwrap_or(false) {
                    " class=\"n\""
                } else {
                    ""
                };
                format!("<td{class}>{}</td>", rich(c))
            })
            .collect();
        writeln!(w, "<tr>{cells}</tr>")?;
    }
    writeln!(w, "</table>")
}
