//! A small scanner run before the parser: comments, nesting depth, item starts.
//!
//! Consumes the source text; produces the file's `#` comments (with `trailing` set when
//! code precedes them on their line), the first place where nesting goes past
//! [`MAX_NESTING`], the file's keyword [`Dialect`] (from the keywords it uses), and
//! the offsets of lines that start a top-level item. It knows
//! strings (escapes, `{…}` interpolation, strings inside interpolations) so a `#` or a
//! bracket inside a string is not mistaken for code. It is iterative: however deep the
//! input nests, it uses a heap stack, never the call stack.

use crate::ast::Comment;
use crate::span::{FileId, Span};
use crate::syntax::keywords::{self, Dialect, ITEM_STARTS, Kw};

/// How deep brackets `( [ {`, string interpolations and `if`s (including `else if`
/// chains) may nest.
///
/// Checked before the parser runs, so the parser never recurses deeply.
pub const MAX_NESTING: usize = 64;

/// What the scanner found.
#[derive(Debug, Default)]
pub struct Scan {
    pub comments: Vec<Comment>,
    /// The span of the first bracket (or `if`) that nests past [`MAX_NESTING`].
    pub too_deep: Option<Span>,
    /// How many keywords (outside strings and comments) are English, and Chinese.
    pub keywords: (usize, usize),
    /// The dialect of the first keyword.
    pub first_dialect: Option<Dialect>,
}

impl Scan {
    /// The file's dialect: that of most of its keywords (see [`Dialect::decide`]).
    pub fn dialect(&self) -> Dialect {
        Dialect::decide(self.keywords.0, self.keywords.1, self.first_dialect)
    }
}

/// What closes a level of nesting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Closer {
    File,
    Paren,
    Bracket,
    Brace,
    /// `}` of a `{expr}` inside a string: closing it returns into the string.
    Interp,
}

#[derive(Debug)]
struct Level {
    closer: Closer,
    /// `if`s opened at this level whose `else` has not been seen.
    ifs: usize,
}

struct Scanner<'a> {
    text: &'a str,
    file: FileId,
    levels: Vec<Level>,
    open_ifs: usize,
    in_string: bool,
    line_has_code: bool,
    out: Scan,
}

/// Scan `text`: comments and nesting (see the module docs).
pub fn scan(text: &str, file: FileId) -> Scan {
    let mut s = Scanner {
        text,
        file,
        levels: vec![Level {
            closer: Closer::File,
            ifs: 0,
        }],
        open_ifs: 0,
        in_string: false,
        line_has_code: false,
        out: Scan::default(),
    };
    s.run();
    s.out
}

impl Scanner<'_> {
    fn run(&mut self) {
        let mut pos = 0;
        while let Some(c) = self.text.get(pos..).and_then(|r| r.chars().next()) {
            pos = if self.in_string {
                self.string_char(c, pos)
            } else {
                self.code_char(c, pos)
            };
            if self.out.too_deep.is_some() {
                return;
            }
        }
    }

    /// Handle one character in a string; returns the next position.
    fn string_char(&mut self, c: char, pos: usize) -> usize {
        let next = pos + c.len_utf8();
        match c {
            '\\' => {
                let esc = self.text.get(next..).and_then(|r| r.chars().next());
                next + esc.filter(|e| *e != '\n').map_or(0, char::len_utf8)
            }
            '"' => {
                self.in_string = false;
                next
            }
            '{' => {
                self.in_string = false;
                self.open(Closer::Interp, pos, next);
                next
            }
            '\n' => {
                // An unterminated string: the parser reports it; resume as code.
                self.in_string = false;
                self.line_has_code = false;
                next
            }
            _ => next,
        }
    }

    /// Handle one character (or word, or comment) of code; returns the next position.
    fn code_char(&mut self, c: char, pos: usize) -> usize {
        let next = pos + c.len_utf8();
        match c {
            '#' => return self.comment(pos),
            '\n' => {
                self.line_has_code = false;
                return next;
            }
            ' ' | '\t' | '\r' => return next,
            _ => self.line_has_code = true,
        }
        match c {
            '"' => self.in_string = true,
            '(' => self.open(Closer::Paren, pos, next),
            '[' => self.open(Closer::Bracket, pos, next),
            '{' => self.open(Closer::Brace, pos, next),
            ')' => self.close(Closer::Paren),
            ']' => self.close(Closer::Bracket),
            '}' => self.close(Closer::Brace),
            c if is_word_char(c) => return self.word(pos),
            _ => {}
        }
        next
    }

    fn comment(&mut self, pos: usize) -> usize {
        let rest = self.text.get(pos..).unwrap_or("");
        let len = rest.find('\n').unwrap_or(rest.len());
        let line = rest.get(..len).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        let text = line.get(1..).unwrap_or("").to_string();
        self.out.comments.push(Comment {
            text,
            span: Span::new(self.file, pos, pos + line.len()),
            trailing: self.line_has_code,
        });
        pos + len
    }

    /// A word: `if` opens a level of nesting that its `else` closes.
    fn word(&mut self, pos: usize) -> usize {
        let rest = self.text.get(pos..).unwrap_or("");
        let len = rest
            .char_indices()
            .find(|(_, c)| !is_word_char(*c))
            .map_or(rest.len(), |(i, _)| i);
        let end = pos + len;
        let word = rest.get(..len).unwrap_or("");
        self.count_keyword(word);
        if Kw::If.spellings().contains(&word) {
            if let Some(level) = self.levels.last_mut() {
                level.ifs += 1;
            }
            self.open_ifs += 1;
            self.check_depth(pos, end);
        } else if Kw::Else.spellings().contains(&word) && !self.if_follows(end) {
            // `else if` continues a chain that nests as deep as its length.
            if let Some(level) = self.levels.last_mut().filter(|l| l.ifs > 0) {
                level.ifs -= 1;
                self.open_ifs -= 1;
            }
        }
        end
    }

    fn count_keyword(&mut self, word: &str) {
        if keywords::by_spelling(word).is_none() {
            return;
        }
        let d = Dialect::of(word);
        match d {
            Dialect::En => self.out.keywords.0 += 1,
            Dialect::Zh => self.out.keywords.1 += 1,
        }
        self.out.first_dialect.get_or_insert(d);
    }

    /// Whether the next word after `pos` is `if`.
    fn if_follows(&self, pos: usize) -> bool {
        let rest = self.text.get(pos..).unwrap_or("").trim_start();
        let len = rest.find(|c| !is_word_char(c)).unwrap_or(rest.len());
        Kw::If.spellings().contains(&rest.get(..len).unwrap_or(""))
    }

    fn open(&mut self, closer: Closer, pos: usize, end: usize) {
        self.levels.push(Level { closer, ifs: 0 });
        self.check_depth(pos, end);
    }

    fn close(&mut self, closer: Closer) {
        let Some(top) = self.levels.last() else {
            return;
        };
        let matches =
            top.closer == closer || (closer == Closer::Brace && top.closer == Closer::Interp);
        if top.closer == Closer::File || !matches {
            return; // a stray closer: the parser reports it
        }
        let back_to_string = top.closer == Closer::Interp;
        self.open_ifs -= top.ifs;
        self.levels.pop();
        if back_to_string {
            self.in_string = true;
        }
    }

    fn check_depth(&mut self, pos: usize, end: usize) {
        let depth = self.levels.len() - 1 + self.open_ifs;
        if depth > MAX_NESTING && self.out.too_deep.is_none() {
            self.out.too_deep = Some(Span::new(self.file, pos, end));
        }
    }
}

fn is_word_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Offsets of the lines that start, in their first column, with a keyword that begins
/// a top-level item (`rule`, `entity`, …). Used to parse a broken file item by item.
pub fn item_starts(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if starts_item(line) {
            out.push(offset);
        }
        offset += line.len();
    }
    out
}

fn starts_item(line: &str) -> bool {
    let word_len = line
        .char_indices()
        .find(|(_, c)| !is_word_char(*c))
        .map_or(line.len(), |(i, _)| i);
    let word = line.get(..word_len).unwrap_or("");
    ITEM_STARTS.iter().any(|kw| kw.spellings().contains(&word))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn comments(text: &str) -> Vec<(String, bool)> {
        scan(text, FileId(0))
            .comments
            .into_iter()
            .map(|c| (c.text, c.trailing))
            .collect()
    }

    #[test]
    fn comments_know_strings_and_trailing() {
        let text = "# head\nx = \"a # b\" # tail\n  # own\n";
        assert_eq!(
            comments(text),
            vec![
                (" head".to_string(), false),
                (" tail".to_string(), true),
                (" own".to_string(), false)
            ]
        );
    }

    #[test]
    fn interpolation_with_nested_string_returns_to_string() {
        let text = "x \"{f(\"}#\")} # still string\" # c";
        assert_eq!(comments(text), vec![(" c".to_string(), true)]);
    }

    #[test]
    fn escaped_quote_and_brace_stay_in_string() {
        assert_eq!(
            comments("\"\\\" \\{ # no\" # yes"),
            vec![(" yes".to_string(), true)]
        );
    }

    #[test]
    fn depth_limit_points_at_first_bracket_past_it() {
        let text = "(".repeat(MAX_NESTING + 5);
        let s = scan(&text, FileId(0));
        let span = s.too_deep.unwrap();
        assert_eq!((span.start, span.end), (MAX_NESTING, MAX_NESTING + 1));
    }

    #[test]
    fn depth_at_limit_is_fine() {
        let text = format!("{}{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
        assert!(scan(&text, FileId(0)).too_deep.is_none());
    }

    #[test]
    fn nested_ifs_and_else_if_chains_count() {
        let nested = "if a then ".repeat(MAX_NESTING + 1);
        assert!(scan(&nested, FileId(0)).too_deep.is_some());
        let chain = format!("{}c", "if a then b else ".repeat(MAX_NESTING + 1));
        assert!(scan(&chain, FileId(0)).too_deep.is_some());
        let sequence = "let x = if a then b else c\n".repeat(1000);
        assert!(scan(&sequence, FileId(0)).too_deep.is_none());
    }

    #[test]
    fn dialect_counts_keywords_outside_strings_and_comments() {
        let d = |t: &str| scan(t, FileId(0)).dialect();
        assert_eq!(d("rule R : subsidy for E { when 规则 }"), Dialect::En);
        assert_eq!(d("规则 R : subsidy 适用于 E { 当 a 且 b }"), Dialect::Zh);
        assert_eq!(d("# rule for when\n规则 \"if then else\""), Dialect::Zh);
        assert_eq!(d("规则 x for"), Dialect::Zh);
        assert_eq!(d("x = 1"), Dialect::En);
    }

    #[test]
    fn item_starts_are_first_column_keywords() {
        let text = "rule a\n  rule b\nruler\nentity x\n规则 c\n";
        assert_eq!(item_starts(text), vec![0, 22, 31]);
    }
}
