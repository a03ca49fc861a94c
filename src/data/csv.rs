//! CSV files: header, then one record per row, each read into a `StringRecord` the caller reuses.
//!
//! Consumes a byte stream (UTF-8 with or without BOM, or GB18030/GBK, as
//! [`super::encoding`] detects or as `--encoding` says; CRLF or LF line ends); produces
//! the trimmed header names, then rows as [`Raw`] items with their line numbers
//! (the header is line 1). A row whose cells are all empty is skipped like a blank
//! line (spreadsheets export trailing `,,,` rows). The cells are not interpreted here.

use super::encoding::{self, BadGb, Choice, Encoding, OpenError};
use super::err::{At, DataError, HeaderProblem, RowProblem, RowRef};
use super::utf8::{BadByte, Utf8Reader};
use ::csv::{ReaderBuilder, StringRecord};
use std::io::Read;
use std::sync::Arc;

/// A CSV file being read.
pub struct CsvSource {
    rdr: ::csv::Reader<Utf8Reader<Box<dyn Read>>>,
    bad: BadByte,
    bad_gb: BadGb,
    encoding: Encoding,
    choice: Choice,
    file: Arc<str>,
    width: usize,
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
        let (utf8, bad) = Utf8Reader::new(input);
        let mut rdr = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(utf8);
        let mut header = StringRecord::new();
        match rdr.read_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                let problem = HeaderProblem::NoHeader;
                return Err(DataError::BadHeader { file, problem });
            }
            Err(e) => return Err(fatal(&bad, &bad_gb, choice, &file, &e)),
        }
        let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let src = CsvSource {
            rdr,
            bad,
            bad_gb,
            encoding,
            choice,
            file,
            width: names.len(),
        };
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

    /// Read the next non-empty row into `rec` (for a caller that keeps many rows'
    /// cells at once); `None` at the end of the file.
    pub fn read_into(&mut self, rec: &mut StringRecord) -> Option<Raw> {
        loop {
            match self.rdr.read_record(rec) {
                Ok(false) => return None,
                Err(e) => {
                    let err = fatal(&self.bad, &self.bad_gb, self.choice, &self.file, &e);
                    return Some(Raw::Fatal(err));
                }
                Ok(true) => {}
            }
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let line = rec.position().map_or(0, |p| p.line());
            let row = RowRef::Line(usize::try_from(line).unwrap_or(usize::MAX));
            if rec.len() != self.width {
                let problem = RowProblem::CellCount {
                    found: rec.len(),
                    expected: self.width,
                };
                return Some(Raw::BadRow(row, problem));
            }
            return Some(Raw::Row(row));
        }
    }
}

/// One step of [`CsvSource::read_into`].
pub enum Raw {
    /// A row, its cells in the record given.
    Row(RowRef),
    /// A row that could not be split into cells (the file goes on).
    BadRow(RowRef, RowProblem),
    /// The file cannot be read further.
    Fatal(DataError),
}

/// An error that stops reading: invalid UTF-8 (found by the reader below the parser),
/// a syntax error, or an I/O error.
fn fatal(
    bad: &BadByte,
    bad_gb: &BadGb,
    choice: Choice,
    file: &Arc<str>,
    e: &::csv::Error,
) -> DataError {
    if let Some(offset) = bad_gb.get() {
        let file = file.clone();
        if choice == Choice::Auto {
            return DataError::InvalidGb18030 { file, offset };
        }
        return DataError::WrongEncoding {
            file,
            encoding: Encoding::Gb18030.name(),
            offset,
            looks_utf8: false,
        };
    }
    if let Some(b) = bad.get() {
        return DataError::InvalidUtf8 {
            file: file.clone(),
            line: b.line,
            offset: b.offset,
            looks_like: b.looks_like,
        };
    }
    match e.position() {
        Some(p) => DataError::MalformedRow {
            at: At::new(
                file.clone(),
                RowRef::Line(usize::try_from(p.line()).unwrap_or(usize::MAX)),
            ),
            problem: RowProblem::Syntax(e.to_string()),
        },
        None => DataError::Unreadable {
            file: file.clone(),
            message: e.to_string(),
        },
    }
}
