//! CSV files: header, then one record per row, read with one reused `StringRecord`.
//!
//! Consumes a byte stream (UTF-8 with or without BOM, CRLF or LF line ends); produces
//! the trimmed header names, then rows as [`SourceItem`]s with their line numbers
//! (the header is line 1). A row whose cells are all empty is skipped like a blank
//! line (spreadsheets export trailing `,,,` rows). The cells are not interpreted here.

use super::err::{At, DataError, HeaderProblem, RowProblem, RowRef};
use super::read::{Cells, SourceItem};
use super::utf8::{BadByte, Utf8Reader};
use ::csv::{ReaderBuilder, StringRecord};
use std::io::Read;
use std::sync::Arc;

/// A CSV file being read.
pub struct CsvSource {
    rdr: ::csv::Reader<Utf8Reader<Box<dyn Read>>>,
    rec: StringRecord,
    bad: BadByte,
    file: Arc<str>,
    width: usize,
}

impl CsvSource {
    /// Read the header; the names are trimmed of surrounding spaces.
    pub fn open(
        input: Box<dyn Read>,
        file: Arc<str>,
    ) -> Result<(CsvSource, Vec<String>), DataError> {
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
            Err(e) => return Err(fatal(&bad, &file, &e)),
        }
        let names: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let src = CsvSource {
            rdr,
            rec: StringRecord::new(),
            bad,
            file,
            width: names.len(),
        };
        Ok((src, names))
    }

    /// The next non-empty row.
    pub fn next_item(&mut self) -> Option<SourceItem<'_>> {
        loop {
            match self.rdr.read_record(&mut self.rec) {
                Ok(false) => return None,
                Err(e) => return Some(SourceItem::Fatal(fatal(&self.bad, &self.file, &e))),
                Ok(true) => {}
            }
            if self.rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let line = self.rec.position().map_or(0, |p| p.line());
            let row = RowRef::Line(usize::try_from(line).unwrap_or(usize::MAX));
            if self.rec.len() != self.width {
                let problem = RowProblem::CellCount {
                    found: self.rec.len(),
                    expected: self.width,
                };
                return Some(SourceItem::BadRow(row, problem));
            }
            return Some(SourceItem::Row(row, Cells::Csv(&self.rec)));
        }
    }
}

/// An error that stops reading: invalid UTF-8 (found by the reader below the parser),
/// a syntax error, or an I/O error.
fn fatal(bad: &BadByte, file: &Arc<str>, e: &::csv::Error) -> DataError {
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
            at: At {
                file: file.clone(),
                row: RowRef::Line(usize::try_from(p.line()).unwrap_or(usize::MAX)),
            },
            problem: RowProblem::Syntax(e.to_string()),
        },
        None => DataError::Unreadable {
            file: file.clone(),
            message: e.to_string(),
        },
    }
}
