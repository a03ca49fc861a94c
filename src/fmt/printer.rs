//! The line printer behind `fmt`: lines, indentation, blank lines and comments.
//!
//! Consumes text pieces from the item and expression printers and the file's comments
//! (sorted by position); produces the formatted text. Before each line-level node
//! (item, field, clause, row, arm) the printer flushes the comments written before it:
//! a trailing comment goes to the end of the last printed line, an own-line comment on
//! a line of its own. With the source text at hand it also keeps one blank line where
//! the source had at least one before a node or an own-line comment.

use crate::ast::Comment;
use crate::syntax::keywords::{Dialect, Kw};

/// One output line.
#[derive(Debug, Default)]
struct Line {
    text: String,
    /// The trailing comment (`# …`), printed after the code, aligned with its
    /// neighbours'.
    trailing: Option<String>,
    /// The line ends with a comment: nothing may be appended.
    commented: bool,
    /// The line opens a block (`{`): no blank line may follow it.
    opens: bool,
}

/// Accumulates formatted lines.
pub struct Printer<'a> {
    lines: Vec<Line>,
    comments: &'a [Comment],
    next: usize,
    source: Option<&'a str>,
    /// Print everything on one line (`match`, `tier`, `brackets` inline).
    pub flat: bool,
    /// The keyword dialect printed.
    pub dialect: Dialect,
}

/// The widest line an inline `match`, `tier`, `brackets` or test record may make.
pub const MAX_WIDTH: usize = 100;

impl<'a> Printer<'a> {
    pub fn new(comments: &'a [Comment], source: Option<&'a str>, dialect: Dialect) -> Self {
        Printer {
            lines: Vec::new(),
            comments,
            next: 0,
            source,
            flat: false,
            dialect,
        }
    }

    /// A printer that puts everything on one line.
    pub fn flat(dialect: Dialect) -> Printer<'static> {
        Printer {
            flat: true,
            ..Printer::new(&[], None, dialect)
        }
    }

    /// A keyword as spelled in the printed dialect.
    pub fn kw(&self, k: Kw) -> &'static str {
        k.text_in(self.dialect)
    }

    /// The display width of the current line.
    pub fn width(&self) -> usize {
        self.lines.last().map_or(0, |l| display_width(&l.text))
    }

    /// Whether a comment not yet printed lies in `start..end`.
    pub fn has_comment_in(&self, start: usize, end: usize) -> bool {
        self.comments
            .get(self.next..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.span.start < end)
            .any(|c| c.span.start >= start)
    }

    /// Whether `text` fits on the current line and nothing is commented in `start..end`.
    pub fn fits_inline(&self, text: &str, start: usize, end: usize) -> bool {
        self.width() + display_width(text) <= MAX_WIDTH && !self.has_comment_in(start, end)
    }

    /// Append text to the current line.
    pub fn push(&mut self, s: &str) {
        if self.lines.is_empty() {
            self.lines.push(Line::default());
        }
        if let Some(l) = self.lines.last_mut() {
            l.text.push_str(s);
        }
    }

    /// Start a new line at `indent` levels (two spaces each).
    pub fn newline(&mut self, indent: usize) {
        self.lines.push(Line {
            text: "  ".repeat(indent),
            ..Line::default()
        });
    }

    /// Append ` {` and mark the line as opening a block.
    pub fn open_block(&mut self) {
        self.push(" {");
        if let Some(l) = self.lines.last_mut() {
            l.opens = true;
        }
    }

    /// A blank line, unless at the start of the output or of a block, or after one.
    pub fn blank(&mut self) {
        match self.lines.last() {
            Some(l) if !l.opens && !l.text.trim().is_empty() => self.lines.push(Line::default()),
            _ => {}
        }
    }

    /// How many lines have been printed.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Insert a blank line before line `index` (not at the start of the output).
    pub fn blank_at(&mut self, index: usize) {
        if index > 0 && index <= self.lines.len() {
            self.lines.insert(index, Line::default());
        }
    }

    /// Whether a comment is waiting that was written before `pos`.
    pub fn pending_before(&self, pos: usize) -> Option<usize> {
        self.comments
            .get(self.next)
            .map(|c| c.span.start)
            .filter(|s| *s < pos)
    }

    /// Emit the comments written before `pos`; own-line ones at `indent`.
    pub fn flush(&mut self, pos: usize, indent: usize) {
        while let Some(c) = self.comments.get(self.next).filter(|c| c.span.start < pos) {
            self.next += 1;
            let appendable = self
                .lines
                .last()
                .is_some_and(|l| !l.commented && !l.text.trim().is_empty());
            if c.trailing && appendable {
                self.set_trailing(&c.text);
            } else {
                if self.blank_above(c.span.start) {
                    self.blank();
                }
                self.newline(indent);
                self.push(&format!("#{}", c.text));
            }
            if let Some(l) = self.lines.last_mut() {
                l.commented = true;
            }
        }
    }

    /// Emit only the trailing comments written before `pos` (those ending the last line).
    pub fn flush_trailing(&mut self, pos: usize) {
        while let Some(c) = self
            .comments
            .get(self.next)
            .filter(|c| c.span.start < pos && c.trailing)
        {
            let appendable = self
                .lines
                .last()
                .is_some_and(|l| !l.commented && !l.text.trim().is_empty());
            if !appendable {
                return;
            }
            self.next += 1;
            self.set_trailing(&c.text);
        }
    }

    fn set_trailing(&mut self, text: &str) {
        if let Some(l) = self.lines.last_mut() {
            l.trailing = Some(format!("#{text}"));
            l.commented = true;
        }
    }

    /// Start the line of a node written at `pos`: its comments, a kept blank line,
    /// then a new line at `indent`.
    pub fn node(&mut self, pos: usize, indent: usize) {
        self.flush(pos, indent);
        if self.blank_above(pos) {
            self.blank();
        }
        self.newline(indent);
    }

    /// Close a block that ends at `end` (the offset of its `}`): its last comments at
    /// `indent + 1`, then `}` at `indent`.
    pub fn close_block(&mut self, end: usize, indent: usize) {
        self.flush(end, indent + 1);
        self.newline(indent);
        self.push("}");
    }

    /// Whether the source has a blank line right above the line of `pos`, and `pos`
    /// is the first thing on its line. Always false without the source.
    pub fn blank_above(&self, pos: usize) -> bool {
        let Some(text) = self.source else {
            return false;
        };
        let Some(before) = text.get(..pos) else {
            return false;
        };
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        if line_start == 0 || !before.get(line_start..).is_some_and(is_blank) {
            return false;
        }
        let above = before.get(..line_start - 1).unwrap_or("");
        let above_start = above.rfind('\n').map_or(0, |i| i + 1);
        above.get(above_start..).is_some_and(is_blank)
    }

    /// Whether the source has a blank line between `from` and `to`.
    pub fn blank_between(&self, from: usize, to: usize) -> bool {
        let Some(gap) = self.source.and_then(|t| t.get(from..to)) else {
            return true; // without the source, items are always apart
        };
        let parts: Vec<&str> = gap.split('\n').collect();
        let inner = parts.get(1..parts.len().saturating_sub(1)).unwrap_or(&[]);
        inner.iter().any(|l| is_blank(l))
    }

    /// The output so far, as lines of text.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(|l| l.text.as_str())
    }

    /// Emit every remaining comment and return the text: lines without trailing
    /// spaces, no blank lines at either end, one final newline.
    pub fn finish(mut self) -> String {
        self.flush(usize::MAX, 0);
        self.align_trailing();
        let mut out = String::new();
        for l in &self.lines {
            let t = l.text.trim_end();
            if t.is_empty() && (out.is_empty() || out.ends_with("\n\n")) {
                continue;
            }
            out.push_str(t);
            out.push('\n');
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        out
    }
}

impl Printer<'_> {
    /// Trailing comments of consecutive lines start in one column: two spaces after
    /// the widest code of the run (CJK characters count two columns).
    fn align_trailing(&mut self) {
        let mut i = 0;
        while i < self.lines.len() {
            let rest = self.lines.get(i..).unwrap_or_default();
            let run = rest.iter().take_while(|l| l.trailing.is_some()).count();
            if run == 0 {
                i += 1;
                continue;
            }
            let lines = self.lines.get_mut(i..i + run).unwrap_or_default();
            let width = lines.iter().map(|l| display_width(l.text.trim_end())).max();
            let col = width.unwrap_or(0) + 2;
            for l in lines {
                let code = l.text.trim_end().to_string();
                let pad = col.saturating_sub(display_width(&code));
                let comment = l.trailing.take().unwrap_or_default();
                l.text = format!("{code}{}{comment}", " ".repeat(pad));
            }
            i += run;
        }
    }
}

/// Columns a text takes in a terminal: wide (CJK, fullwidth) characters take two.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum()
}

fn is_wide(c: char) -> bool {
    matches!(u32::from(c),
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}
