//! Excel workbooks (`.xlsx`): one sheet read as a table, header row first.
//!
//! Consumes the workbook's bytes (read whole: a zip archive needs to seek) and the
//! entity's name; produces the header names, then one [`SourceItem`] per row that is
//! not empty, each with the row number Excel shows. Which sheet: the one named after
//! the entity (`园区`) if the workbook has it, else the first sheet. The header is the
//! first row of the sheet's used area; columns before it that are empty in every row
//! are not part of the table.
//!
//! Each cell becomes the text a CSV cell would hold, so the cell rules of
//! [`super::cell`] apply unchanged:
//! - a number is written in its shortest form that reads back as the same binary
//!   number (Rust's `Display` of an `f64`, never an exponent): `0.1` stays `0.1`, and
//!   the cell parser reads that text as an exact decimal. This is the one place a
//!   float is touched, because Excel stores every number as one;
//! - a number shown as a percent (its number format has a `%`: `0%`, `0.0%`) becomes
//!   `85%` for the stored 0.85, multiplied by 100 in decimal, so a `percent` column
//!   reads it as 85 percent and a plain number column rejects it;
//! - a number with a date format becomes `2024-01-01` (with ` 12:30:00` when it has
//!   a time of day, which a `date` field rejects), from the serial number in the
//!   workbook's epoch (1900, with Excel's nonexistent 1900-02-29, or 1904);
//! - `TRUE`/`FALSE` become `TRUE`/`FALSE` (read by `bool` fields as written);
//! - an empty cell is an empty cell (a blank); an error value (`#N/A`) is a
//!   [`Cell::Error`](super::cell::Cell::Error), reported with its cell.

use super::err::{DataError, HeaderProblem, RowRef};
use super::read::{Cells, SourceItem};
use calamine::{Data, Reader, StyleRange, Xlsx};
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use std::io::{Cursor, Read};
use std::sync::Arc;

/// One cell of a sheet, as text (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SheetCell {
    /// A value as text; empty for an empty cell.
    Value(String),
    /// An error value: `#N/A`, `#DIV/0!`, …
    Error(String),
}

/// A sheet being read.
pub struct XlsxSource {
    rows: std::vec::IntoIter<(usize, Vec<SheetCell>)>,
    current: Vec<SheetCell>,
}

/// What [`XlsxSource::open`] found besides the rows.
pub struct SheetHeader {
    /// The header's names, trimmed.
    pub names: Vec<String>,
    /// The sheet read.
    pub sheet: Arc<str>,
    /// The 0-based sheet column of the first header name.
    pub first_col: usize,
}

impl XlsxSource {
    /// Read the workbook and the sheet for `entity` (see the module doc).
    pub fn open(
        mut input: Box<dyn Read>,
        file: Arc<str>,
        entity: &str,
    ) -> Result<(XlsxSource, SheetHeader), DataError> {
        let unreadable = |message: String| DataError::Unreadable {
            file: file.clone(),
            message,
        };
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(e.to_string()))?;
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
            .map_err(|e| unreadable(format!("not a readable .xlsx workbook: {e}")))?;
        let names = book.sheet_names();
        let sheet = names
            .iter()
            .find(|n| n.trim() == entity)
            .or_else(|| names.first())
            .cloned()
            .ok_or_else(|| unreadable("the workbook has no sheet".to_string()))?;
        let range = book
            .worksheet_range(&sheet)
            .map_err(|e| unreadable(format!("sheet {sheet}: {e}")))?;
        let styles = book
            .worksheet_style(&sheet)
            .map_err(|e| unreadable(format!("sheet {sheet}: {e}")))?;
        let epoch = if book.has_1904_epoch() {
            Epoch::E1904
        } else {
            Epoch::E1900
        };
        let Some((row0, col0)) = range.start() else {
            let problem = HeaderProblem::EmptySheet(sheet);
            return Err(DataError::BadHeader { file, problem });
        };
        let sheet_rows = range.rows().enumerate().map(|(r, cells)| {
            let row = row0 + u32::try_from(r).unwrap_or(u32::MAX);
            let texts = cells.iter().enumerate().map(|(c, d)| {
                let col = col0 + u32::try_from(c).unwrap_or(u32::MAX);
                sheet_cell(d, percent_at(&styles, row, col), epoch)
            });
            (row as usize + 1, texts.collect::<Vec<_>>())
        });
        let mut rows: Vec<(usize, Vec<SheetCell>)> = sheet_rows.collect();
        let header = if rows.is_empty() {
            Vec::new()
        } else {
            rows.remove(0).1
        };
        let width = table_width(&header, &rows);
        let names = header
            .iter()
            .take(width)
            .map(|c| match c {
                SheetCell::Value(s) | SheetCell::Error(s) => s.trim().to_string(),
            })
            .collect();
        for (_, cells) in &mut rows {
            cells.truncate(width);
        }
        rows.retain(|(_, cells)| !cells.iter().all(is_empty));
        let src = XlsxSource {
            rows: rows.into_iter(),
            current: Vec::new(),
        };
        let header = SheetHeader {
            names,
            sheet: Arc::from(sheet.as_str()),
            first_col: col0 as usize,
        };
        Ok((src, header))
    }

    /// The next non-empty row.
    pub fn next_item(&mut self) -> Option<SourceItem<'_>> {
        let (row, cells) = self.rows.next()?;
        self.current = cells;
        Some(SourceItem::Row(
            RowRef::Line(row),
            Cells::Xlsx(&self.current),
        ))
    }
}

fn is_empty(c: &SheetCell) -> bool {
    matches!(c, SheetCell::Value(s) if s.trim().is_empty())
}

/// Columns up to the last one with a header name or a value in some row: trailing
/// columns that only hold formatting are not part of the table.
fn table_width(header: &[SheetCell], rows: &[(usize, Vec<SheetCell>)]) -> usize {
    let last = |cells: &[SheetCell]| {
        cells
            .iter()
            .rposition(|c| !is_empty(c))
            .map_or(0, |i| i + 1)
    };
    rows.iter()
        .map(|(_, cells)| last(cells))
        .fold(last(header), usize::max)
}

/// Whether the cell at (row, col) has a percent number format.
fn percent_at(styles: &StyleRange, row: u32, col: u32) -> bool {
    styles
        .get((row, col))
        .and_then(|s| s.number_format.as_ref())
        .is_some_and(|f| is_percent_format(&f.format_code))
}

/// A number format whose first section has a `%` outside quotes and escapes (`0%`,
/// `0.00%`, `#,##0.0%`; not `0"%"` or `0\%`, which show a literal sign).
pub fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '"' => quoted = !quoted,
            _ if quoted => {}
            '\\' | '_' | '*' => escaped = true,
            ';' => return false,
            '%' => return true,
            _ => {}
        }
    }
    false
}

/// The date system of a workbook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Epoch {
    /// Serial 1 is 1900-01-01; serial 60 is Excel's 1900-02-29, a day that never was.
    E1900,
    /// Serial 0 is 1904-01-01 (old Mac workbooks).
    E1904,
}

fn sheet_cell(d: &Data, percent: bool, epoch: Epoch) -> SheetCell {
    let text = match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => return number(i.to_string(), percent),
        Data::Float(f) => return number(format!("{f}"), percent),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => date_text(dt.as_f64(), epoch),
        Data::DateTime(dt) => format!("{}", dt.as_f64()),
        Data::DateTimeIso(s) => s.strip_suffix("T00:00:00").unwrap_or(s).replace('T', " "),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return SheetCell::Error(e.to_string()),
    };
    SheetCell::Value(text)
}

/// A number's text, as `85%` for 0.85 when the cell shows a percent (exact: the
/// shortest text of the float is multiplied by 100 in decimal).
fn number(text: String, percent: bool) -> SheetCell {
    if !percent {
        return SheetCell::Value(text);
    }
    let points = Decimal::from_str_exact(&text)
        .ok()
        .and_then(|d| d.checked_mul(Decimal::ONE_HUNDRED));
    match points {
        Some(p) => SheetCell::Value(format!("{}%", crate::value::plain_decimal(p))),
        // Too large or too precise to read: the cell parser says so.
        None => SheetCell::Value(text),
    }
}

/// The serial number of a date cell as `2024-01-01` (`2024-01-01 12:30:00` with a
/// time of day); the number itself when it is no date Excel can show.
fn date_text(serial: f64, epoch: Epoch) -> String {
    // Excel shows dates up to 9999-12-31 (serial 2958465).
    if !(0.0..2_958_466.0).contains(&serial) {
        return format!("{serial}");
    }
    let days = serial.floor();
    let seconds = ((serial - days) * 86_400.0).round();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "both are checked to be in range above"
    )]
    let (days, seconds) = (days as u64, seconds as u64);
    let date = match (epoch, days) {
        (Epoch::E1904, d) => ymd(1904, 1, 1).and_then(|e| e.checked_add_days(Days::new(d))),
        (Epoch::E1900, 0) => return "1900-01-00".to_string(),
        (Epoch::E1900, 60) => return "1900-02-29".to_string(),
        (Epoch::E1900, d) if d < 60 => {
            ymd(1899, 12, 31).and_then(|e| e.checked_add_days(Days::new(d)))
        }
        (Epoch::E1900, d) => ymd(1899, 12, 30).and_then(|e| e.checked_add_days(Days::new(d))),
    };
    let Some(date) = date else {
        return format!("{serial}");
    };
    let day = date.format("%Y-%m-%d").to_string();
    if seconds == 0 || seconds >= 86_400 {
        day
    } else {
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        format!("{day} {h:02}:{m:02}:{s:02}")
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(c: SheetCell) -> String {
        match c {
            SheetCell::Value(s) | SheetCell::Error(s) => s,
        }
    }

    #[test]
    fn numbers_keep_their_shortest_decimal_text() {
        let n = |f: f64, p: bool| text(sheet_cell(&Data::Float(f), p, Epoch::E1900));
        assert_eq!(n(0.1, false), "0.1");
        assert_eq!(n(0.1 + 0.2, false), "0.30000000000000004");
        assert_eq!(n(6000.0, false), "6000");
        assert_eq!(n(1e21, false), "1000000000000000000000");
        assert_eq!(n(0.85, true), "85%");
        assert_eq!(n(0.075, true), "7.5%");
        assert_eq!(n(1.0, true), "100%");
    }

    #[test]
    fn percent_formats() {
        for yes in ["0%", "0.00%", "#,##0.0%", "0%;-0%"] {
            assert!(is_percent_format(yes), "{yes}");
        }
        for no in ["General", "0.00", "0\"%\"", "0\\%", "0;0%", "yyyy-mm-dd"] {
            assert!(!is_percent_format(no), "{no}");
        }
    }

    #[test]
    fn date_serials_in_both_epochs() {
        assert_eq!(date_text(45292.0, Epoch::E1900), "2024-01-01");
        assert_eq!(date_text(45292.5, Epoch::E1900), "2024-01-01 12:00:00");
        assert_eq!(date_text(1.0, Epoch::E1900), "1900-01-01");
        assert_eq!(date_text(59.0, Epoch::E1900), "1900-02-28");
        assert_eq!(date_text(60.0, Epoch::E1900), "1900-02-29");
        assert_eq!(date_text(61.0, Epoch::E1900), "1900-03-01");
        assert_eq!(date_text(0.0, Epoch::E1904), "1904-01-01");
        assert_eq!(date_text(-1.0, Epoch::E1900), "-1");
        assert_eq!(date_text(1e300, Epoch::E1900), format!("{}", 1e300));
    }
}
