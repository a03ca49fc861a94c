//! CSV files: the header, then blocks of whole records, split into cells on any core.
//!
//! Consumes a byte stream (UTF-8 with or without BOM, or GB18030/GBK, as
//! [`super::encoding`] detects or as `--encoding` says; CRLF, LF or CR line ends);
//! produces the trimmed header names, then [`Block`]s: the bytes of whole records, cut
//! at a record's end, with the file offset and line of their first byte. Cutting is
//! the only work done in file order, and it is cheap (a search for the last line end,
//! or a run of the CSV state machine over a block with quotes in it); a block is split
//! into rows by [`CsvShape::rows`] (by a search for line ends and commas when it has no
//! quotes, else by the CSV state machine), on whatever thread, each row with its line number
//! (the header is line 1) and its cells checked to be UTF-8. A row whose cells are all
//! empty is skipped like a blank line (spreadsheets export trailing `,,,` rows). The
//! cells are not interpreted here.

use super::encoding::{self, BadGb, Choice, Encoding, OpenError};
use super::err::{At, DataError, HeaderProblem, RowProblem, RowRef};
use super::utf8::{BOM, looks_like};
use ::csv::{ByteRecord, ReaderBuilder};
use std::io::{self, Read};
use std::ops::Range;
use std::sync::Arc;

/// The bytes a block is cut from (a block is larger when one record is).
const BLOCK: usize = 128 * 1024;
/// Bytes read past a block's end, to find the end of its last record.
const READ: usize = 64 * 1024;

/// A CSV file being read.
pub struct CsvSource {
    input: Box<dyn Read>,
    /// Bytes read and not yet handed out; the first is the start of a record.
    pending: Vec<u8>,
    /// File offset (of the bytes as decoded) and line of `pending[0]`.
    offset: u64,
    line: u64,
    /// No more bytes to read: the end of the file, or `failed`.
    eof: bool,
    /// The read error that ended the input, reported after the whole records before it.
    failed: Option<io::Error>,
    bad_gb: BadGb,
    encoding: Encoding,
    choice: Choice,
    shape: CsvShape,
}

/// What splitting a block into rows needs to know of its file; shared by the threads
/// that split blocks.
#[derive(Clone, Debug)]
pub struct CsvShape {
    file: Arc<str>,
    /// The number of header cells.
    width: usize,
    /// What the file looks like, when its first bytes are a known binary signature.
    looks_like: Option<&'static str>,
}

/// Whole records of a file, in its order.
#[derive(Debug)]
pub struct Block {
    bytes: Vec<u8>,
    /// File offset and line of `bytes[0]`.
    offset: u64,
    line: u64,
    /// Its line ends (counted once, as the file's lines are).
    newlines: u64,
}

impl Block {
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Room for its rows: its line ends, and one (a hint: CR-only line ends make more).
    pub fn lines(&self) -> usize {
        usize::try_from(self.newlines).map_or(usize::MAX, |n| n.saturating_add(1))
    }
}

/// The cells of one CSV row, checked to be UTF-8.
pub struct CsvRow<'a> {
    text: &'a str,
    /// Where each cell is in `text`.
    cells: &'a [Range<usize>],
}

impl<'a> CsvRow<'a> {
    /// The `i`th cell, as written (unquoted).
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.cells.get(i).and_then(|r| self.text.get(r.clone()))
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

impl CsvSource {
    /// Read the header in the encoding asked for; the names are trimmed of
    /// surrounding spaces.
    pub fn open(
        input: Box<dyn Read>,
        file: Arc<str>,
        names: &[&str],
        choice: Choice,
    ) -> Result<(CsvSource, Vec<String>), DataError> {
        let (input, encoding, bad_gb) =
            encoding::open(input, names, choice).map_err(|e| match e {
                OpenError::Io(e) => DataError::Unreadable {
                    file: file.clone(),
                    message: e.to_string(),
                },
                OpenError::LooksUtf8 { offset } => DataError::WrongEncoding {
                    file: file.clone(),
                    encoding: Encoding::Gb18030.name(),
                    offset,
                    looks_utf8: true,
                },
            })?;
        let mut src = CsvSource {
            input,
            pending: Vec::new(),
            offset: 0,
            line: 1,
            eof: false,
            failed: None,
            bad_gb,
            encoding,
            choice,
            shape: CsvShape {
                file: file.clone(),
                width: 0,
                looks_like: None,
            },
        };
        src.read_more(BLOCK);
        src.shape.looks_like = looks_like(&src.pending);
        if src.pending.starts_with(BOM) {
            src.pending.drain(..BOM.len());
            src.offset = BOM.len() as u64;
        }
        let names = src.header()?;
        src.shape.width = names.len();
        Ok((src, names))
    }

    /// The encoding the file was read in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Whether the encoding was detected (not given with `--encoding`).
    pub fn detected(&self) -> bool {
        self.choice == Choice::Auto
    }

    /// What [`CsvShape::rows`] needs (after the header is read).
    pub fn shape(&self) -> &CsvShape {
        &self.shape
    }

    /// The first record, taken from `pending`.
    fn header(&mut self) -> Result<Vec<String>, DataError> {
        let mut want = BLOCK;
        let end = loop {
            match first_record_end(&self.pending) {
                Some(end) => break end,
                None if self.failed.is_some() => return Err(self.fatal()),
                None if self.eof => break self.pending.len(),
                None => {
                    want = want.saturating_mul(2);
                    self.read_more(want);
                }
            }
        };
        let head = self.pending.get(..end).unwrap_or_default();
        let mut rdr = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(head);
        let mut rec = ByteRecord::new();
        let names = match rdr.read_byte_record(&mut rec) {
            Ok(true) => match simdutf8::basic::from_utf8(rec.as_slice()) {
                Ok(text) => CsvRow {
                    text,
                    cells: cell_ranges(&rec, &mut Vec::new()),
                }
                .iter()
                .map(|h| h.trim().to_string())
                .collect(),
                Err(_) => return Err(self.shape.bad_utf8(head, 0..head.len(), self.offset, 1)),
            },
            Ok(false) if self.failed.is_some() => return Err(self.fatal()),
            Ok(false) => {
                let problem = HeaderProblem::NoHeader;
                let file = self.shape.file.clone();
                return Err(DataError::BadHeader { file, problem });
            }
            Err(e) => return Err(self.shape.malformed(self.line, &e)),
        };
        self.take(end);
        Ok(names)
    }

    /// The next block of whole records; an error once, when the input cannot be read
    /// further (after the whole records before the error); `None` at the end.
    pub fn next_block(&mut self) -> Option<Result<Block, DataError>> {
        let mut want = BLOCK;
        loop {
            if self.pending.len() < want {
                self.read_more(want);
            }
            let end = match (&self.failed, self.eof) {
                (None, true) => Some(self.pending.len()),
                _ => last_record_end(&self.pending),
            };
            match end {
                Some(end) if end > 0 => return Some(Ok(self.take(end))),
                _ if self.eof && self.failed.is_some() => {
                    // The bytes after the last whole record are not handed out.
                    self.pending.clear();
                    return Some(Err(self.fatal()));
                }
                _ if self.eof => return None,
                _ => want = want.saturating_mul(2),
            }
        }
    }

    /// Read until `pending` holds `want` bytes or the input ends.
    fn read_more(&mut self, want: usize) {
        if self.eof || self.pending.len() >= want {
            return;
        }
        // Read straight into `pending`, with room for the block and the read that
        // ends it, so the buffer grows at most once.
        let missing = want - self.pending.len();
        self.pending.reserve(missing + READ);
        let before = self.pending.len();
        // `read_to_end` retries an interrupted read, and keeps what it read before
        // an error.
        let limit = u64::try_from(missing).unwrap_or(u64::MAX);
        match (&mut self.input).take(limit).read_to_end(&mut self.pending) {
            Ok(_) if self.pending.len() - before < missing => self.eof = true,
            Ok(_) => {}
            Err(e) => {
                self.failed = Some(e);
                self.eof = true;
            }
        }
    }

    /// The first `end` bytes of `pending`, as a block.
    fn take(&mut self, end: usize) -> Block {
        let rest = self.pending.split_off(end.min(self.pending.len()));
        let mut bytes = std::mem::replace(&mut self.pending, rest);
        let (offset, line, newlines) = (self.offset, self.line, newlines(&bytes));
        self.offset += bytes.len() as u64;
        self.line += newlines;
        if offset > 0 && bytes.starts_with(BOM) {
            // The CSV parser drops a BOM at the start of what it reads; one that starts
            // a record inside the file is text. A blank line before it keeps it.
            bytes.insert(0, b'\n');
            return Block {
                bytes,
                offset: offset.saturating_sub(1),
                line: line.saturating_sub(1),
                newlines: newlines + 1,
            };
        }
        Block {
            bytes,
            offset,
            line,
            newlines,
        }
    }

    /// The error that ended the input.
    fn fatal(&mut self) -> DataError {
        let file = self.shape.file.clone();
        if let Some(offset) = self.bad_gb.get() {
            if self.choice == Choice::Auto {
                return DataError::InvalidGb18030 { file, offset };
            }
            return DataError::WrongEncoding {
                file,
                encoding: Encoding::Gb18030.name(),
                offset,
                looks_utf8: false,
            };
        }
        let message = self
            .failed
            .take()
            .map_or_else(|| "read failed".to_string(), |e| e.to_string());
        DataError::Unreadable { file, message }
    }
}

impl CsvShape {
    /// Split a block into rows, in order, each with its line: `Ok` with its cells, or
    /// `Err` with why it cannot be split into cells (the file goes on). `Err` at the
    /// end when a byte is not UTF-8: the rows before it were given, the file stops
    /// there.
    pub fn rows(
        &self,
        block: &Block,
        each: impl FnMut(RowRef, Result<CsvRow<'_>, RowProblem>),
    ) -> Result<(), DataError> {
        if memchr::memchr(b'"', &block.bytes).is_none() {
            self.rows_unquoted(block, each)
        } else {
            self.rows_parsed(block, each)
        }
    }

    /// [`CsvShape::rows`] of a block without quotes, where every `\n`, `\r` or CRLF
    /// ends a record and every comma ends a cell: split by searching for them, which
    /// is what the CSV state machine would find, at a fraction of its cost.
    fn rows_unquoted(
        &self,
        block: &Block,
        mut each: impl FnMut(RowRef, Result<CsvRow<'_>, RowProblem>),
    ) -> Result<(), DataError> {
        let bytes = block.bytes.as_slice();
        let mut cells = Vec::with_capacity(self.width);
        // As the parser does, a BOM that starts what it reads is dropped (`take` puts a
        // line end before one inside the file, so that is only ever the first block).
        let skip = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
        let (mut pos, mut line) = (skip, block.line);
        while pos < bytes.len() {
            let rest = bytes.get(pos..).unwrap_or_default();
            let end = memchr::memchr2(b'\n', b'\r', rest).map_or(bytes.len(), |i| pos + i);
            let record = bytes.get(pos..end).unwrap_or_default();
            if !record.is_empty() {
                let Ok(text) = simdutf8::basic::from_utf8(record) else {
                    return Err(self.bad_utf8(bytes, pos..end, block.offset, line));
                };
                cells.clear();
                let mut start = 0;
                for comma in memchr::memchr_iter(b',', record) {
                    cells.push(start..comma);
                    start = comma + 1;
                }
                cells.push(start..record.len());
                let row = RowRef::Line(usize::try_from(line).unwrap_or(usize::MAX));
                self.row(
                    row,
                    CsvRow {
                        text,
                        cells: &cells,
                    },
                    &mut each,
                );
            }
            if bytes.get(end) == Some(&b'\n') {
                line += 1;
            }
            pos = end + 1;
        }
        Ok(())
    }

    /// Hand on a row: skipped when all its cells are blank, a problem when it has not
    /// as many cells as the header.
    fn row<'r>(
        &self,
        row: RowRef,
        cells: CsvRow<'r>,
        each: &mut impl FnMut(RowRef, Result<CsvRow<'r>, RowProblem>),
    ) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        if cells.len() != self.width {
            let problem = RowProblem::CellCount {
                found: cells.len(),
                expected: self.width,
            };
            each(row, Err(problem));
            return;
        }
        each(row, Ok(cells));
    }

    /// [`CsvShape::rows`] by the CSV state machine (a block with quotes).
    fn rows_parsed(
        &self,
        block: &Block,
        mut each: impl FnMut(RowRef, Result<CsvRow<'_>, RowProblem>),
    ) -> Result<(), DataError> {
        let bytes = block.bytes.as_slice();
        let mut rdr = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut rec = ByteRecord::new();
        let mut ranges = Vec::with_capacity(self.width);
        // Lines counted up to `counted` (the line of `bytes[counted]` is `line`).
        let (mut counted, mut line) = (0usize, block.line);
        loop {
            let start = rdr.position().byte();
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(e) => return Err(self.malformed(line, &e)),
            }
            let end = usize::try_from(rdr.position().byte()).unwrap_or(bytes.len());
            let start = usize::try_from(start).unwrap_or(end);
            // The record's line is that of its first byte: not a line end skipped
            // before it (the parser's own count lags one line after a CRLF).
            let first = bytes
                .get(start..end)
                .and_then(|r| r.iter().position(|b| !matches!(b, b'\r' | b'\n')))
                .map_or(end, |i| start + i);
            line += newlines(bytes.get(counted..first).unwrap_or_default());
            counted = first.max(counted);
            let row = RowRef::Line(usize::try_from(line).unwrap_or(usize::MAX));
            let Ok(text) = simdutf8::basic::from_utf8(rec.as_slice()) else {
                return Err(self.bad_utf8(bytes, first..end, block.offset, line));
            };
            let cells = CsvRow {
                text,
                cells: cell_ranges(&rec, &mut ranges),
            };
            self.row(row, cells, &mut each);
        }
    }

    /// The first byte in `bytes[range]` that is not UTF-8, as an error (the range
    /// starts at `line`; `offset` is the file offset of `bytes[0]`).
    fn bad_utf8(&self, bytes: &[u8], range: Range<usize>, offset: u64, line: u64) -> DataError {
        let start = range.start;
        let part = bytes.get(range).unwrap_or_default();
        let at = match simdutf8::compat::from_utf8(part) {
            Ok(_) => part.len(),
            Err(e) => e.valid_up_to(),
        };
        let before = part.get(..at).unwrap_or_default();
        DataError::InvalidUtf8 {
            file: self.file.clone(),
            line: line + newlines(before),
            offset: offset + (start + at) as u64,
            looks_like: self.looks_like,
        }
    }

    /// A syntax error of the CSV reader (not expected: a flexible reader of bytes has
    /// none, but one is never dropped).
    fn malformed(&self, line: u64, e: &::csv::Error) -> DataError {
        DataError::MalformedRow {
            at: At::new(
                self.file.clone(),
                RowRef::Line(usize::try_from(line).unwrap_or(usize::MAX)),
            ),
            problem: RowProblem::Syntax(e.to_string()),
        }
    }
}

/// Where each cell of a parsed record is in its text (`ranges`, refilled).
fn cell_ranges<'r>(rec: &ByteRecord, ranges: &'r mut Vec<Range<usize>>) -> &'r [Range<usize>] {
    ranges.clear();
    ranges.extend((0..rec.len()).filter_map(|i| rec.range(i)));
    ranges
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// Where the last whole record of `bytes` (which starts at a record) ends: after a
/// line end outside quotes. `None` when no record ends in it.
fn last_record_end(bytes: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', bytes).is_none() {
        // No quotes: every line end ends a record.
        return memchr::memrchr(b'\n', bytes).map(|i| i + 1);
    }
    record_ends(bytes, false)
}

/// Where the first record of `bytes` ends (its line end included).
fn first_record_end(bytes: &[u8]) -> Option<usize> {
    record_ends(bytes, true)
}

/// The end of the first (`first`) or last record of `bytes` found by the CSV state
/// machine itself, so quoted line ends are never taken for record ends. A CRLF is
/// kept whole.
fn record_ends(bytes: &[u8], first: bool) -> Option<usize> {
    use csv_core::ReadFieldResult;
    let mut rdr = csv_core::Reader::new();
    let mut out = vec![0u8; bytes.len().max(1)];
    let (mut pos, mut found) = (0usize, None);
    loop {
        let input = bytes.get(pos..).unwrap_or_default();
        let (res, nin, _) = rdr.read_field(input, &mut out);
        pos += nin;
        match res {
            ReadFieldResult::Field { record_end: true } => {
                // A record that ended at EOF without a line end is not known whole.
                let ended = bytes
                    .get(..pos)
                    .and_then(|b| b.last())
                    .is_some_and(|b| matches!(b, b'\n' | b'\r'));
                if !ended {
                    return found;
                }
                let crlf = bytes.get(pos.saturating_sub(1)..pos + 1) == Some(b"\r\n");
                let end = pos + usize::from(crlf);
                if first {
                    return Some(end);
                }
                found = Some(end);
            }
            ReadFieldResult::Field { .. } => {}
            ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull | ReadFieldResult::End => {
                return found;
            }
        }
        if nin == 0 {
            return found;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    type Rows = Vec<(RowRef, Result<Vec<String>, RowProblem>)>;

    #[test]
    fn records_end_after_line_ends_outside_quotes() {
        assert_eq!(last_record_end(b"a,b\n1,2\n3,"), Some(8));
        assert_eq!(last_record_end(b"a,b"), None);
        assert_eq!(last_record_end(b"a,\"x\ny\"\n1,\"2\n"), Some(8));
        assert_eq!(last_record_end(b"a,\"x\ny\"\r\n1,2"), Some(9));
        assert_eq!(first_record_end(b"a,\"b\nc\"\r\n1,2\r\n"), Some(9));
        assert_eq!(first_record_end(b"a,b"), None);
    }

    /// A block without quotes is split by searching for line ends and commas: the rows,
    /// lines, cells, problems and UTF-8 errors of the CSV state machine, on blocks of
    /// LF, CRLF and lone CR line ends, blank and all-blank lines, short and long rows,
    /// a BOM inside the file, multibyte and invalid bytes.
    #[test]
    fn unquoted_blocks_split_as_the_parser_splits_them() {
        type Split = (Rows, Result<(), DataError>);
        let shape = CsvShape {
            file: Arc::from("t.csv"),
            width: 3,
            looks_like: None,
        };
        let split = |bytes: &[u8], parsed: bool| -> Split {
            let block = Block {
                bytes: bytes.to_vec(),
                offset: 100,
                line: 4,
                newlines: newlines(bytes),
            };
            let mut out = Vec::new();
            let each = |row, cells: Result<CsvRow<'_>, RowProblem>| {
                let cells = cells.map(|c| c.iter().map(str::to_string).collect::<Vec<_>>());
                out.push((row, cells));
            };
            let end = if parsed {
                shape.rows_parsed(&block, each)
            } else {
                shape.rows_unquoted(&block, each)
            };
            (out, end)
        };
        let pieces: [&[u8]; 12] = [
            b"a",
            b"bc",
            b",",
            b",",
            b" ",
            b"\n",
            b"\r\n",
            b"\r",
            "中".as_bytes(),
            BOM,
            b"\t",
            b"\xff",
        ];
        let mut rng = fastrand::Rng::with_seed(2021);
        let mut rows_seen = 0;
        for _ in 0..4000 {
            let n = rng.usize(0..40);
            let mut bytes: Vec<u8> = (0..n)
                .flat_map(|_| pieces[rng.usize(..pieces.len())].iter().copied())
                .collect();
            if bytes.starts_with(BOM) {
                // Never a block's start: `take` puts a line end before it.
                bytes.insert(0, b'\n');
            }
            let fast = split(&bytes, false);
            assert_eq!(
                fast,
                split(&bytes, true),
                "{:?}",
                String::from_utf8_lossy(&bytes)
            );
            rows_seen += fast.0.len();
        }
        assert!(rows_seen > 3000, "{rows_seen}");
        let (rows, end) = split(b"x,y,z\r\n\r\n,,\n1,2\r3,4,5", false);
        assert!(end.is_ok());
        let lines: Vec<RowRef> = rows.iter().map(|(r, _)| *r).collect();
        assert_eq!(lines, [RowRef::Line(4), RowRef::Line(7), RowRef::Line(7)]);
    }

    /// Every cut of a file into blocks gives the rows, lines and cells of the whole.
    #[test]
    fn blocks_split_where_the_parser_would() {
        let text = "h1,h2\r\n\"a\r\nb\",1\r\n\r\n,\r\nc,\"d\"\"e\"\r\nf,g";
        let rows = |bytes: &[u8], line: u64| {
            let shape = CsvShape {
                file: Arc::from("t.csv"),
                width: 2,
                looks_like: None,
            };
            let block = Block {
                bytes: bytes.to_vec(),
                offset: 0,
                line,
                newlines: newlines(bytes),
            };
            let mut out = Vec::new();
            let end = shape.rows(&block, |row, cells| {
                let cells = cells.map(|c| c.iter().map(str::to_string).collect::<Vec<_>>());
                out.push((row, cells));
            });
            assert!(end.is_ok());
            out
        };
        let whole = rows(text.as_bytes(), 1);
        let lines: Vec<RowRef> = whole.iter().map(|(r, _)| *r).collect();
        assert_eq!(
            lines,
            [
                RowRef::Line(1),
                RowRef::Line(2),
                RowRef::Line(6),
                RowRef::Line(7)
            ]
        );
        for cut in 1..text.len() {
            let (head, tail) = text.as_bytes().split_at(cut);
            let Some(end) = last_record_end(head) else {
                continue;
            };
            let (a, b) = text.as_bytes().split_at(end);
            let mut parts = rows(a, 1);
            parts.extend(rows(b, 1 + newlines(a)));
            assert_eq!(parts, whole, "cut at {cut} ({head:?} | {tail:?})");
        }
    }

    fn source(bytes: &'static [u8]) -> Result<(CsvSource, Vec<String>), DataError> {
        CsvSource::open(Box::new(bytes), Arc::from("t.csv"), &[], Choice::Utf8)
    }

    #[test]
    fn a_bad_byte_is_found_with_its_line_and_offset() {
        let (mut src, names) = source(b"\xEF\xBB\xBFa,b\r\n1,2\r\n3,\xFF\r\n4,5\r\n").unwrap();
        assert_eq!(names, ["a", "b"]);
        let block = src.next_block().unwrap().unwrap();
        let mut lines = Vec::new();
        let end = src.shape().rows(&block, |row, _| lines.push(row));
        assert_eq!(lines, [RowRef::Line(2)]);
        assert!(
            matches!(
                end,
                Err(DataError::InvalidUtf8 {
                    line: 3,
                    offset: 15,
                    ..
                })
            ),
            "{end:?}"
        );
        assert!(matches!(
            source(b"a,\xE5\x9B\n"),
            Err(DataError::InvalidUtf8 {
                line: 1,
                offset: 2,
                ..
            })
        ));
    }

    /// Every row of a source, with its line and cells (and the error that ended it).
    fn all_rows(bytes: &'static [u8]) -> (Rows, Option<DataError>) {
        let (mut src, _) = source(bytes).unwrap();
        let mut rows = Vec::new();
        while let Some(block) = src.next_block() {
            let block = block.unwrap();
            let end = src.shape().rows(&block, |row, cells| {
                rows.push((row, cells.map(|c| c.iter().map(str::to_string).collect())));
            });
            if let Err(e) = end {
                return (rows, Some(e));
            }
        }
        (rows, None)
    }

    #[test]
    fn a_record_larger_than_a_block_is_read_whole() {
        let mut text = String::from("a,b\n1,\"");
        for i in 0..40_000 {
            text.push_str(&format!("line {i}\n"));
        }
        text.push_str("\"\n2,x\n3,y");
        let text: &'static str = Box::leak(text.into_boxed_str());
        assert!(text.len() > 3 * BLOCK);
        let (rows, end) = all_rows(text.as_bytes());
        assert!(end.is_none());
        let lines: Vec<RowRef> = rows.iter().map(|(r, _)| *r).collect();
        // The closing quote is alone on line 40002.
        assert_eq!(
            lines,
            [RowRef::Line(2), RowRef::Line(40_003), RowRef::Line(40_004)]
        );
        let big = rows[0].1.as_ref().unwrap();
        assert_eq!(big[1].lines().count(), 40_000);
        assert_eq!(rows[2].1, Ok(vec!["3".to_string(), "y".to_string()]));
    }

    #[test]
    fn short_files_read_as_the_parser_reads_them() {
        // A header without a line end, or nothing at all.
        assert_eq!(source(b"a,b").unwrap().1, ["a", "b"]);
        assert_eq!(all_rows(b"a,b").0, []);
        for empty in [&b""[..], b"\xEF\xBB\xBF", b"\n\n"] {
            assert!(matches!(
                CsvSource::open(Box::new(empty), Arc::from("t.csv"), &[], Choice::Utf8),
                Err(DataError::BadHeader { .. })
            ));
        }
        // Blank lines and all-blank rows are skipped; a short row is reported.
        let (rows, _) = all_rows(b"a,b\n\n , \n1\n1,2");
        assert_eq!(
            rows,
            [
                (
                    RowRef::Line(4),
                    Err(RowProblem::CellCount {
                        found: 1,
                        expected: 2
                    })
                ),
                (RowRef::Line(5), Ok(vec!["1".to_string(), "2".to_string()])),
            ]
        );
    }

    #[test]
    fn a_bom_inside_the_file_is_text() {
        let (mut src, _) = source(b"a\n\xEF\xBB\xBFx\n").unwrap();
        let block = src.next_block().unwrap().unwrap();
        let mut cells = Vec::new();
        let end = src.shape().rows(&block, |row, c| {
            cells.push((row, c.unwrap().get(0).map(str::to_string)))
        });
        assert!(end.is_ok());
        assert_eq!(cells, [(RowRef::Line(2), Some("\u{feff}x".to_string()))]);
    }
}
