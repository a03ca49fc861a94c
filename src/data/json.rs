//! JSON Lines (one object per line, blank lines ignored) and JSON (an array of objects).
//!
//! Consumes a byte stream (UTF-8, BOM allowed); produces objects as [`SourceItem`]s with
//! their row: the line number for JSONL, the 0-based array index for JSON. Numbers are
//! kept as written (serde_json's `arbitrary_precision`): they never pass through f64.
//! A JSONL line that does not parse is a bad row and reading goes on; a JSON file
//! that does not parse is one error at its line and column.

use super::err::{DataError, RowProblem, RowRef};
use super::read::{Cells, SourceItem};
use super::utf8::{BadByte, Utf8Reader};
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

type Object = Map<String, Value>;

/// A JSONL file being read line by line, with one reused line buffer.
pub struct JsonlSource {
    lines: BufReader<Utf8Reader<Box<dyn Read>>>,
    buf: String,
    line: usize,
    current: Object,
    bad: BadByte,
    file: Arc<str>,
}

impl JsonlSource {
    pub fn open(input: Box<dyn Read>, file: Arc<str>) -> JsonlSource {
        let (utf8, bad) = Utf8Reader::new(input);
        JsonlSource {
            lines: BufReader::new(utf8),
            buf: String::new(),
            line: 0,
            current: Object::new(),
            bad,
            file,
        }
    }

    /// The next non-blank line's object.
    pub fn next_item(&mut self) -> Option<SourceItem<'_>> {
        loop {
            self.buf.clear();
            match self.lines.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => return Some(SourceItem::Fatal(io_error(&self.bad, &self.file, &e))),
            }
            self.line += 1;
            if self.buf.trim().is_empty() {
                continue;
            }
            let row = RowRef::Line(self.line);
            match serde_json::from_str::<Value>(&self.buf) {
                Ok(Value::Object(obj)) => self.current = obj,
                Ok(_) => return Some(SourceItem::BadRow(row, RowProblem::NotAnObject)),
                Err(e) => {
                    let message = format!("{} (column {})", syntax_message(&e), e.column());
                    let problem = RowProblem::Syntax(message);
                    return Some(SourceItem::BadRow(row, problem));
                }
            }
            return Some(SourceItem::Row(row, Cells::Json(&self.current)));
        }
    }
}

/// A JSON array file, parsed whole, handed out object by object.
pub struct JsonSource {
    items: std::vec::IntoIter<Value>,
    index: usize,
    current: Object,
}

impl JsonSource {
    pub fn open(input: Box<dyn Read>, file: Arc<str>) -> Result<JsonSource, DataError> {
        let (mut utf8, bad) = Utf8Reader::new(input);
        let mut bytes = Vec::new();
        if let Err(e) = utf8.read_to_end(&mut bytes) {
            return Err(io_error(&bad, &file, &e));
        }
        let items = match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Array(items)) => items,
            Ok(_) => return Err(malformed(file, 1, 1, "expected an array of objects".into())),
            Err(e) => return Err(malformed(file, e.line(), e.column(), syntax_message(&e))),
        };
        Ok(JsonSource {
            items: items.into_iter(),
            index: 0,
            current: Object::new(),
        })
    }

    pub fn next_item(&mut self) -> Option<SourceItem<'_>> {
        let item = self.items.next()?;
        let row = RowRef::Index(self.index);
        self.index += 1;
        match item {
            Value::Object(obj) => {
                self.current = obj;
                Some(SourceItem::Row(row, Cells::Json(&self.current)))
            }
            _ => Some(SourceItem::BadRow(row, RowProblem::NotAnObject)),
        }
    }
}

fn malformed(file: Arc<str>, line: usize, column: usize, message: String) -> DataError {
    DataError::MalformedFile {
        file,
        line,
        column,
        format: "JSON",
        message,
    }
}

/// serde_json's message without its own " at line L column C" (we show the position).
fn syntax_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

fn io_error(bad: &BadByte, file: &Arc<str>, e: &std::io::Error) -> DataError {
    let file = file.clone();
    match bad.get() {
        Some(b) => DataError::InvalidUtf8 {
            file,
            line: b.line,
            offset: b.offset,
            looks_like: b.looks_like,
        },
        None => DataError::Unreadable {
            file,
            message: e.to_string(),
        },
    }
}
