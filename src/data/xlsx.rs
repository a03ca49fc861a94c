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
use calamine::{Data, DataRef, Reader, StyleRange, Xlsx, XlsxError};
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
    rows: std::vec::IntoIter<SparseRow>,
    /// The first column of the table, and how many columns it has.
    col0: u32,
    width: usize,
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
        check_unpacked_size(&bytes).map_err(unreadable)?;
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
            .map_err(|e| unreadable(format!("not a readable .xlsx workbook: {e}")))?;
        let names = book.sheet_names();
        let sheet = names
            .iter()
            .find(|n| n.trim() == entity)
            .or_else(|| names.first())
            .cloned()
            .ok_or_else(|| unreadable("the workbook has no sheet".to_string()))?;
        let styles = book
            .worksheet_style(&sheet)
            .map_err(|e| unreadable(format!("sheet {sheet}: {e}")))?;
        let epoch = if book.has_1904_epoch() {
            Epoch::E1904
        } else {
            Epoch::E1900
        };
        let cells = read_cells(&mut book, &sheet, &styles, epoch)
            .map_err(|e| unreadable(format!("sheet {sheet}: {e}")))?;
        let Some(col0) = cells.iter().map(|&(_, c, _)| c).min() else {
            let problem = HeaderProblem::EmptySheet(sheet);
            return Err(DataError::BadHeader { file, problem });
        };
        let mut rows = sparse_rows(cells);
        let width = table_width(&rows, col0);
        // The header is the first row of the used area.
        let header = if rows.is_empty() {
            Vec::new()
        } else {
            dense(rows.remove(0).1, col0, width)
        };
        let names = header
            .iter()
            .map(|c| match c {
                SheetCell::Value(s) | SheetCell::Error(s) => s.trim().to_string(),
            })
            .collect();
        rows.retain(|(_, cells)| !cells.iter().all(|(_, c)| is_empty(c)));
        let src = XlsxSource {
            rows: rows.into_iter(),
            col0,
            width,
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
        self.current = dense(cells, self.col0, self.width);
        Some(SourceItem::Row(
            RowRef::Line(row as usize + 1),
            Cells::Xlsx(&self.current),
        ))
    }
}

/// The most cells a sheet may hold: well past any table this reads (400,000 rows of
/// 50 columns), and about 2 GB of memory. The cells are kept in memory until the
/// sheet is read; a larger table is read from CSV, which streams.
pub const MAX_CELLS: usize = 20_000_000;

/// The most bytes the parts of a workbook may unpack to, as its zip directory
/// declares them (the zip reader stops at the declared size): a small file that
/// unpacks to gigabytes of XML (a zip bomb) is refused before calamine reads its
/// shared strings.
pub const MAX_UNPACKED: u64 = 1 << 30;

/// Refuse a workbook whose parts unpack to more than [`MAX_UNPACKED`] bytes. A file
/// that is no zip archive is left to calamine, which says so.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), String> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        if let Ok(part) = zip.by_index_raw(i) {
            total = total.saturating_add(part.size());
        }
    }
    if total > MAX_UNPACKED {
        return Err(format!(
            "not a readable .xlsx workbook: its parts unpack to {total} bytes, more than \
             the {MAX_UNPACKED} this reads (save the sheet as CSV)"
        ));
    }
    Ok(())
}

/// The sheet's cells that hold something, with their 0-based (row, column), read as
/// they stream by: memory follows the cells present, never the sheet's declared
/// dimension or the box between its first and last cell.
fn read_cells(
    book: &mut Xlsx<Cursor<Vec<u8>>>,
    sheet: &str,
    styles: &StyleRange,
    epoch: Epoch,
) -> Result<Vec<(u32, u32, SheetCell)>, String> {
    let mut reader = match book.worksheet_cells_reader(sheet) {
        Ok(r) => r,
        // A chart sheet: no cells.
        Err(XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.to_string()),
    };
    let mut cells = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        if cells.len() >= MAX_CELLS {
            return Err(format!(
                "more than {MAX_CELLS} cells, more than this reads (save the sheet as CSV)"
            ));
        }
        let (row, col) = cell.get_position();
        let data = Data::from(cell.get_value().clone());
        cells.push((
            row,
            col,
            sheet_cell(&data, percent_at(styles, row, col), epoch),
        ));
    }
    Ok(cells)
}

/// A sheet's rows in order, each with its cells in column order (a cell written twice:
/// the last one).
type SparseRow = (u32, Vec<(u32, SheetCell)>);

fn sparse_rows(mut cells: Vec<(u32, u32, SheetCell)>) -> Vec<SparseRow> {
    cells.sort_by_key(|&(r, c, _)| (r, c));
    let mut rows: Vec<SparseRow> = Vec::new();
    for (r, c, v) in cells {
        match rows.last_mut() {
            Some((last, row)) if *last == r => match row.last_mut() {
                Some((at, cell)) if *at == c => *cell = v,
                _ => row.push((c, v)),
            },
            _ => rows.push((r, vec![(c, v)])),
        }
    }
    rows
}

/// A row's cells from column `col0`, `width` of them (empty where the sheet has none).
fn dense(cells: Vec<(u32, SheetCell)>, col0: u32, width: usize) -> Vec<SheetCell> {
    let mut out = vec![SheetCell::Value(String::new()); width];
    for (c, v) in cells {
        let at = usize::try_from(c.saturating_sub(col0)).unwrap_or(usize::MAX);
        if let Some(slot) = out.get_mut(at) {
            *slot = v;
        }
    }
    out
}

fn is_empty(c: &SheetCell) -> bool {
    matches!(c, SheetCell::Value(s) if s.trim().is_empty())
}

/// Columns from `col0` up to the last one with a header name or a value in some row:
/// trailing columns that only hold formatting are not part of the table.
fn table_width(rows: &[SparseRow], col0: u32) -> usize {
    rows.iter()
        .flat_map(|(_, cells)| cells.iter().filter(|(_, v)| !is_empty(v)))
        .map(|&(c, _)| c.saturating_sub(col0) as usize + 1)
        .max()
        .unwrap_or(0)
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
