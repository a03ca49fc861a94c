//! A reader that passes bytes through only once they are checked to be UTF-8 (for
//! JSON files; CSV files are checked a block at a time, see [`super::csv`]).
//!
//! Consumes any [`Read`] (a data file); produces the same bytes without a leading BOM,
//! and stops with an error at the first invalid byte, whose offset in the file is
//! kept in a shared [`BadByte`] cell with its line and, for a binary file under a text
//! name, what the file looks like, so the caller can report it ("is this file GBK?")
//! however the parser on top wraps the I/O error.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

pub const BOM: &[u8] = b"\xEF\xBB\xBF";
const CAP: usize = 64 * 1024;

/// The first invalid byte, once one is found.
pub type BadByte = Rc<Cell<Option<Bad>>>;

/// Where the first invalid byte is, and what the file looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bad {
    /// Offset of the byte in the file.
    pub offset: u64,
    /// Its line (1-based).
    pub line: u64,
    /// What the file is, when its first bytes are a known binary signature.
    pub looks_like: Option<&'static str>,
}

/// Binary formats a data file is sometimes saved as by mistake, by their signature.
const SIGNATURES: [(&[u8], &str); 6] = [
    (
        b"PK\x03\x04",
        "a zip archive (an .xlsx file must be named .xlsx)",
    ),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"\xD0\xCF\x11\xE0", "an old Excel (.xls) or Word file"),
];

/// What a file whose first bytes are `head` is, when it is a known binary format.
pub fn looks_like(head: &[u8]) -> Option<&'static str> {
    SIGNATURES
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|(_, name)| *name)
}

/// See the module doc.
pub struct Utf8Reader<R> {
    inner: R,
    buf: Vec<u8>,
    /// `buf[start..valid]` is checked and not yet handed out; `buf[valid..end]` is an
    /// incomplete character waiting for more bytes (or invalid, see `pending_bad`).
    start: usize,
    valid: usize,
    end: usize,
    /// File offset of `buf[start]`.
    offset: u64,
    first: bool,
    /// Line of `buf[valid]` (1-based): newlines counted in the checked bytes.
    line: u64,
    looks_like: Option<&'static str>,
    pending_bad: Option<Bad>,
    bad: BadByte,
}

impl<R: Read> Utf8Reader<R> {
    pub fn new(inner: R) -> (Self, BadByte) {
        let bad: BadByte = Rc::new(Cell::new(None));
        let reader = Utf8Reader {
            inner,
            buf: vec![0; CAP],
            start: 0,
            valid: 0,
            end: 0,
            offset: 0,
            first: true,
            line: 1,
            looks_like: None,
            pending_bad: None,
            bad: Rc::clone(&bad),
        };
        (reader, bad)
    }

    /// Read more bytes and check them; `Ok(false)` at the end of the file.
    fn fill(&mut self) -> io::Result<bool> {
        self.buf.copy_within(self.valid..self.end, 0);
        self.end -= self.valid;
        self.start = 0;
        self.valid = 0;
        let Some(space) = self.buf.get_mut(self.end..) else {
            return Ok(false);
        };
        let n = self.inner.read(space)?;
        self.end += n;
        let eof = n == 0;
        if self.first {
            if self.end < BOM.len() && !eof {
                return Ok(true);
            }
            self.first = false;
            let head = self.buf.get(..self.end).unwrap_or_default();
            self.looks_like = looks_like(head);
            if self.buf.starts_with(BOM) {
                self.start = BOM.len();
                self.valid = BOM.len();
                self.offset += BOM.len() as u64;
            }
        }
        self.check(eof);
        Ok(!eof || self.valid > self.start)
    }

    fn check(&mut self, eof: bool) {
        let bytes = self.buf.get(self.start..self.end).unwrap_or_default();
        let (checked, bad) = match simdutf8::compat::from_utf8(bytes) {
            Ok(_) => (bytes.len(), false),
            Err(e) => (e.valid_up_to(), e.error_len().is_some() || eof),
        };
        let newlines = memchr::memchr_iter(b'\n', bytes.get(..checked).unwrap_or_default()).count();
        self.line += newlines as u64;
        self.valid = self.start + checked;
        if bad {
            self.pending_bad = Some(Bad {
                offset: self.offset + checked as u64,
                line: self.line,
                looks_like: self.looks_like,
            });
        }
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.valid > self.start {
                let n = out.len().min(self.valid - self.start);
                let src = self.buf.get(self.start..self.start + n).unwrap_or_default();
                if let Some(dst) = out.get_mut(..n) {
                    dst.copy_from_slice(src);
                }
                self.start += n;
                self.offset += n as u64;
                return Ok(n);
            }
            if let Some(at) = self.pending_bad {
                self.bad.set(Some(at));
                return Err(io::Error::new(io::ErrorKind::InvalidData, "invalid UTF-8"));
            }
            if !self.fill()? && self.pending_bad.is_none() {
                return Ok(0);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn run(bytes: &[u8]) -> (Vec<u8>, Option<u64>) {
        let (mut r, bad) = Utf8Reader::new(bytes);
        let mut out = Vec::new();
        let _ = r.read_to_end(&mut out);
        (out, bad.get().map(|b| b.offset))
    }

    #[test]
    fn strips_bom_and_passes_text() {
        assert_eq!(
            run("\u{feff}编号,名称".as_bytes()),
            ("编号,名称".as_bytes().to_vec(), None)
        );
        assert_eq!(run(b"ab"), (b"ab".to_vec(), None));
        assert_eq!(run(b""), (Vec::new(), None));
    }

    #[test]
    fn finds_the_offset_of_a_gbk_byte() {
        // "ab" then GBK 湖 (0xBA 0xFE): 0xBA cannot start a UTF-8 character.
        assert_eq!(run(b"ab\xBA\xFEcd"), (b"ab".to_vec(), Some(2)));
        assert_eq!(run(b"\xEF\xBB\xBFab\xFF").1, Some(5));
        assert_eq!(run(b"ab\xE5\x9B").1, Some(2));
    }

    /// Hands out one byte per read, to split every character.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), out.first_mut()) {
                (Some((b, rest)), Some(dst)) => {
                    *dst = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[test]
    fn one_byte_at_a_time() {
        let text = "\u{feff}园区,规划面积\n";
        let (mut r, bad) = Utf8Reader::new(Trickle(text.as_bytes()));
        let mut out = String::new();
        assert!(r.read_to_string(&mut out).is_ok());
        assert_eq!(
            (out.as_str(), bad.get().map(|b| b.offset)),
            ("园区,规划面积\n", None)
        );
        let (mut r, bad) = Utf8Reader::new(Trickle(b"\xEF\xBB\xBFab\xE5\x9B"));
        assert!(r.read_to_end(&mut Vec::new()).is_err());
        assert_eq!(bad.get().map(|b| (b.offset, b.line)), Some((5, 1)));
        let (mut r, bad) = Utf8Reader::new(Trickle(b"a,b\n1,2\n3,\xFF\n"));
        assert!(r.read_to_end(&mut Vec::new()).is_err());
        assert_eq!(bad.get().map(|b| (b.offset, b.line)), Some((10, 3)));
    }

    #[test]
    fn characters_split_across_reads_are_fine() {
        let text = "园".repeat(CAP);
        let (out, bad) = run(text.as_bytes());
        assert_eq!((out.len(), bad), (text.len(), None));
    }
}
