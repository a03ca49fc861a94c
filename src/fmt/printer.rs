//! The line printer behind `fmt`: lines, indentation, blank lines and comments.
//!
//! Consumes text pieces from the item and expression printers and the file's comments
//! (sorted by position); produces the formatted text. Before each line-level node
//! (item, field, clause, row, arm) the printer flushes the comments written before it:
//! a trailing comment goes to the end of the last printed line, an own-line comment on
//! a line of its own. With the source text at hand it also keeps one blank line where
//! the source had at least one before a node or an own-line comment.

use crate::ast::Comment;

/// One output line.
#[derive(Debug, Default)]
struct Line {
    text: String,
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
}

impl<'a> Printer<'a> {
    pub fn new(comments: &'a [Comment], source: Option<&'a str>) -> Self {
        Printer {
            lines: Vec::new(),
            comments,
            next: 0,
            source,
        }
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
                self.push(&format!("  #{}", c.text));
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
            self.push(&format!("  #{}", c.text));
            if let Some(l) = self.lines.last_mut() {
                l.commented = true;
            }
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
            return true;
        };
        let parts: Vec<&str> = gap.split('\n').collect();
        let inner = parts.get(1..parts.len().saturating_sub(1)).unwrap_or(&[]);
        inner.iter().any(|l| is_blank(l))
    }

    /// The output so far, as lines of text.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(|l| l.text.as_str())
    }

    /// Whether the source is known (blank lines can be kept).
    pub fn has_source(&self) -> bool {
        self.source.is_some()
    }

    /// Emit every remaining comment and return the text: lines without trailing
    /// spaces, no blank lines at either end, one final newline.
    pub fn finish(mut self) -> String {
        self.flush(usize::MAX, 0);
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

fn is_blank(s: &str) -> bool {
    s.chars().all(char::is_whitespace)
}
