//! Reading one entity's file row by row: [`TableReader`] is an iterator of records.
//!
//! Consumes the entity's schema (from the checked [`Program`]), one data file and the
//! key maps ([`KeyIndex`]) of the tables it refers to; produces one `Result<Record,
//! BadRow>` per row, in file order, and at the end the table's own key map and the
//! file-level errors (header, syntax, encoding). Only the key maps are held in memory,
//! so a large table can be streamed. A record's references are indices into the
//! referenced table *as kept*: with `--skip-bad-records` skipped rows take no index.

use super::cell::NumMode;
use super::cell::{self, Cell, Kind};
use super::csv::{CsvRow, CsvSource};
use super::encoding::{Choice, Encoding};
use super::err::{At, DataError, DataNote, HeaderProblem, RowProblem, RowRef};
use super::json::{JsonSource, JsonlSource};
use super::prints::Prints;
use super::xlsx::{SheetCell, XlsxSource};
use super::{Projection, Record};
use crate::parallel;
use crate::program::{EntityDef, EntityId, FieldId, Program};
use crate::value::{Text, Value};
use rust_decimal::Decimal;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::sync::Arc;

/// The formats of data files, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Jsonl,
    Json,
    Xlsx,
}

impl Format {
    /// `csv`, `jsonl`, `json`, `xlsx` (any case).
    pub fn from_extension(ext: &str) -> Option<Format> {
        match ext.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            "jsonl" => Some(Format::Jsonl),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// One step of reading a data file.
pub enum SourceItem<'a> {
    Row(RowRef, Cells<'a>),
    /// A row that could not be split into cells (the file goes on).
    BadRow(RowRef, RowProblem),
    /// The file cannot be read further.
    Fatal(DataError),
}

/// The cells of one row, before interpretation.
pub enum Cells<'a> {
    Csv(&'a CsvRow<'a>),
    Json(&'a serde_json::Map<String, serde_json::Value>),
    Xlsx(&'a [SheetCell]),
}

/// Where a key's record went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEntry {
    /// Kept, at this index of the table.
    Kept(usize, RowRef),
    /// Left out (it had errors).
    Skipped(RowRef),
}

impl KeyEntry {
    /// The row of the file the key is on.
    pub fn row(self) -> RowRef {
        match self {
            KeyEntry::Kept(_, r) | KeyEntry::Skipped(r) => r,
        }
    }
}

/// Key → record of one table: what references to it resolve against.
#[derive(Clone, Debug, Default)]
pub struct KeyIndex {
    map: HashMap<Arc<str>, KeyEntry, BuildHasherDefault<KeyHasher>>,
    /// The file the keys came from.
    pub file: Option<Arc<str>>,
    /// Its sheet, for a workbook.
    pub sheet: Option<Arc<str>>,
    /// False when the table could not be read in full (a missing or broken file):
    /// unknown keys are then not reported, the table's own errors say why.
    pub complete: bool,
    /// The table is not read yet (entities referring to each other): a reference to
    /// it reads as `Value::Text(key)`, to be resolved once all are read.
    pub deferred: bool,
    /// Read with [`KeyMode::Wanted`]: two keys had the same fingerprint, so the file
    /// may have a duplicate key (read it with [`KeyMode::Full`] to know).
    pub maybe_duplicate: bool,
}

/// A set of record keys (those other records refer to), hashed as the key index
/// hashes them, with each key's fingerprint (as [`KeyMode::Wanted`] checks keys)
/// made as the key goes in: most keys read are not wanted, and a set of 8-byte
/// numbers answers that without reading the keys' text (a million firms looked up in
/// a set of 100k keys spent 5% of the run waiting on memory). Fingerprinting the set
/// when a file's read began took 10 ms at 1M, the keys' text no longer in the cache.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: HashSet<Arc<str>, FastHash>,
    prints: HashSet<u64, FastHash>,
}

impl KeySet {
    pub fn insert(&mut self, key: &str) {
        if !self.keys.contains(key) {
            self.prints.insert(fingerprint(key.as_bytes()));
            self.keys.insert(Arc::from(key));
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        self.keys.contains(key)
    }

    /// Whether a key of this fingerprint may be in the set (`false`: it is not).
    fn may_hold(&self, print: u64) -> bool {
        self.prints.contains(&print)
    }
}

/// Hash maps of the crate's own data (keys, names, causes) hashed by [`KeyHasher`].
pub type FastHash = BuildHasherDefault<KeyHasher>;

/// How a [`TableReader`] checks and numbers the keys of its file.
#[derive(Clone, Debug, Default)]
pub enum KeyMode {
    /// Every key in the key map: duplicates are reported, and every record kept gets
    /// the next index (the in-memory loader).
    #[default]
    Full,
    /// For a table read record by record: only the keys in the set (those other
    /// records refer to) go in the key map, and only they are numbered; the others
    /// are checked for duplicates by a 64-bit fingerprint, in bounded memory (see
    /// `prints.rs`; a shared fingerprint sets [`KeyIndex::maybe_duplicate`]). Every
    /// record is still given.
    Wanted(Arc<KeySet>),
    /// The file was checked by an earlier read: keys are not checked again.
    Unchecked,
}

impl KeyIndex {
    /// The index of an empty table that is complete (no file, none needed) or not.
    pub fn empty(complete: bool) -> KeyIndex {
        KeyIndex {
            complete,
            ..KeyIndex::default()
        }
    }

    /// A placeholder for a table read later: references to it keep their key text.
    pub fn deferred() -> KeyIndex {
        KeyIndex {
            deferred: true,
            ..KeyIndex::default()
        }
    }

    pub fn get(&self, key: &str) -> Option<KeyEntry> {
        self.map.get(key).copied()
    }

    /// Number the kept records again after some were removed (`removed` are now skipped).
    pub(crate) fn renumber<'k>(&mut self, kept: impl Iterator<Item = &'k Text>, removed: &[Text]) {
        for key in removed {
            if let Some(entry) = self.map.get_mut(key.as_str()) {
                *entry = KeyEntry::Skipped(entry.row());
            }
        }
        for (i, key) in kept.enumerate() {
            if let Some(entry) = self.map.get_mut(key.as_str()) {
                *entry = KeyEntry::Kept(i, entry.row());
            }
        }
    }

    /// Resolve a reference cell's key: the value, or the error (`None`: reported
    /// elsewhere, the table could not be read).
    pub(crate) fn resolve(
        &self,
        key: &str,
        at: impl Fn() -> At,
        column: (&Arc<str>, usize),
        entity: impl Fn() -> Arc<str>,
    ) -> Result<Value, Option<DataError>> {
        if self.deferred {
            return Ok(Value::Text(key.into()));
        }
        let (column, col) = (column.0.clone(), column.1);
        match self.get(key) {
            Some(KeyEntry::Kept(i, _)) => Ok(Value::Ref(i)),
            Some(KeyEntry::Skipped(target_row)) => Err(Some(DataError::SkippedReference {
                at: at(),
                column,
                col,
                key: Arc::from(key),
                entity: entity(),
                target: Box::new(At {
                    file: self.file.clone().unwrap_or_else(|| Arc::from("")),
                    row: target_row,
                    sheet: self.sheet.clone(),
                }),
            })),
            None if self.complete => Err(Some(DataError::UnknownReference {
                at: at(),
                column,
                col,
                key: Arc::from(key),
                entity: entity(),
            })),
            None => Err(None),
        }
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A fast hash for key maps (Fx-style: multiply-rotate over 8-byte words). Keys come
/// from the user's own files, so resistance to crafted collisions is not needed;
/// SipHash took a tenth of the loading time.
#[derive(Clone, Copy, Debug, Default)]
pub struct KeyHasher(u64);

impl KeyHasher {
    const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::SEED);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in chunks.by_ref() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        // The last bytes as a little-endian word, made in a register: copied into an
        // array and read back whole, they stalled the load (a store-forwarding stall,
        // a tenth of the diff builder's own time at 1M).
        let rest = chunks.remainder();
        let last = rest
            .iter()
            .rev()
            .fold(0u64, |word, &b| (word << 8) | u64::from(b));
        self.add(last ^ ((rest.len() as u64) << 56));
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A row that was not read into a record, with every problem found in it.
#[derive(Clone, Debug, PartialEq)]
pub struct BadRow {
    pub at: At,
    /// The row's key, when its key cell could be read.
    pub key: Option<Text>,
    /// Empty only when the row failed for a reason reported elsewhere (a reference
    /// into a table that could not be read).
    pub errors: Vec<DataError>,
}

/// How one field is read.
struct Column {
    name: Arc<str>,
    kind: Kind,
    expected: Arc<str>,
    optional: bool,
    /// CSV: the header position (`None`: no such column).
    pos: Option<usize>,
    /// Sort position in error lists.
    col: usize,
}

impl Column {
    /// A column of percent points (`85` is 85%), whose values are noted when they all
    /// look like fractions.
    fn percent_points(&self) -> bool {
        matches!(
            self.kind,
            Kind::Num {
                mode: NumMode::PercentPoints,
                ..
            }
        )
    }
}

enum Source {
    Csv(CsvSource),
    Jsonl(JsonlSource),
    Json(JsonSource),
    Xlsx(XlsxSource),
}

/// Reads the rows of one entity's file; see the module doc.
pub struct TableReader<'a> {
    source: Source,
    conv: Converter<'a>,
    /// CSV rows read and converted ahead, a batch at a time on every core, each with
    /// whether its key went into the key index (see [`TableReader::next_keyed`]).
    ready: VecDeque<(Result<Record, BadRow>, bool)>,
    /// The CSV file has no more rows.
    done: bool,
}

/// CSV bytes read and converted together: blocks of whole records (see
/// [`super::csv`]), split into rows and converted on every core.
const BATCH: usize = 1024 * 1024;

struct Converter<'a> {
    program: &'a Program,
    entity: &'a EntityDef,
    file: Arc<str>,
    /// The sheet read, for a workbook.
    sheet: Option<Arc<str>>,
    /// The sheet column of the first header cell (0 for text files).
    first_col: usize,
    columns: Vec<Column>,
    key_col: usize,
    refs: &'a [KeyIndex],
    keys: KeyIndex,
    key_mode: KeyMode,
    /// The fingerprints of the keys, in [`KeyMode::Wanted`].
    prints: Prints,
    /// Per field: left blank, not converted (see [`TableReader::reading_only`]).
    skipped: Vec<bool>,
    /// The fields records keep (see [`TableReader::projecting`]); `None`: all.
    projection: Option<Arc<Projection>>,
    kept: usize,
    data_rows: usize,
    /// File-level errors: header problems, fatal read errors, unknown JSON keys.
    file_errors: Vec<DataError>,
    unknown_keys: Vec<String>,
    /// Per column: (a value above 1 seen, a value in (0, 1] seen), for percent points.
    percent_seen: Vec<(bool, bool)>,
}

impl<'a> TableReader<'a> {
    /// Open a file of records of `entity` (`file` is its name for messages). `refs` holds
    /// one key map per entity of the program, those this entity refers to filled in.
    /// `encoding` applies to CSV files (JSON is UTF-8 by its standard; a workbook says
    /// its own). Header problems do not stop reading (so cell errors are found too);
    /// they are in [`TableReader::finish`]. Errors here mean the file cannot be read at
    /// all.
    pub fn open(
        program: &'a Program,
        entity: EntityId,
        input: Box<dyn Read>,
        format: Format,
        file: Arc<str>,
        refs: &'a [KeyIndex],
        encoding: Choice,
    ) -> Result<TableReader<'a>, DataError> {
        let def = program
            .entity(entity)
            .ok_or_else(|| DataError::Unreadable {
                file: file.clone(),
                message: format!("no entity #{}", entity.0),
            })?;
        let mut conv = Converter::new(program, def, file.clone(), refs);
        let source = match format {
            Format::Csv => {
                let names: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
                let (src, header) = CsvSource::open(input, file, &names, encoding)?;
                conv.map_header(&header);
                Source::Csv(src)
            }
            Format::Jsonl => Source::Jsonl(JsonlSource::open(input, file)),
            Format::Json => Source::Json(JsonSource::open(input, file)?),
            Format::Xlsx => {
                let (src, header) = XlsxSource::open(input, file, &def.name)?;
                conv.sheet = Some(header.sheet);
                conv.first_col = header.first_col;
                conv.map_header(&header.names);
                Source::Xlsx(src)
            }
        };
        Ok(TableReader {
            source,
            conv,
            ready: VecDeque::new(),
            done: false,
        })
    }

    /// The table's key map (for the tables that refer to it), the file-level errors
    /// and notes (a `percent` column that looks like fractions).
    /// Call after the last row.
    /// Check and number keys as `mode` says (before the first row is read).
    pub fn with_keys(mut self, mode: KeyMode) -> Self {
        self.conv.key_mode = mode;
        self
    }

    /// Convert only the fields marked `true` (and the key); the others are left
    /// [`Value::Blank`]. For a read whose errors are found by another (a file already
    /// checked, or one about to be), by a caller that knows which fields it reads
    /// ([`crate::program::Program::fields_read_locally`]): a cell not converted is not
    /// checked.
    pub fn reading_only(mut self, fields: &[bool]) -> Self {
        self.conv.skipped = fields.iter().map(|read| !read).collect();
        self
    }

    /// Records keep only the fields `p` keeps, in its order ([`Record::get`] finds them);
    /// every cell is checked all the same, and noted (percent points). The values of
    /// the other fields are not made (no text is copied for them).
    pub fn projecting(mut self, p: Option<Arc<Projection>>) -> Self {
        self.conv.projection = p;
        self
    }

    pub fn finish(mut self) -> (KeyIndex, Vec<DataError>, Vec<DataNote>) {
        self.conv.keys.maybe_duplicate = std::mem::take(&mut self.conv.prints).maybe_repeated();
        self.conv.keys.complete = self.conv.file_errors.is_empty();
        self.conv.keys.file = Some(self.conv.file.clone());
        self.conv.keys.sheet = self.conv.sheet.clone();
        let mut notes = self.conv.notes();
        if let Source::Csv(src) = &self.source
            && src.encoding() != Encoding::Utf8
            && src.detected()
        {
            notes.insert(
                0,
                DataNote::Decoded {
                    file: self.conv.file.clone(),
                    encoding: src.encoding().name(),
                },
            );
        }
        (self.conv.keys, self.conv.file_errors, notes)
    }
}

impl Iterator for TableReader<'_> {
    type Item = Result<Record, BadRow>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_keyed().map(|(row, _)| row)
    }
}

impl TableReader<'_> {
    /// The next row, and whether its key went into the key index: every good row's
    /// with [`KeyMode::Full`], the wanted ones' with [`KeyMode::Wanted`], none with
    /// [`KeyMode::Unchecked`] (a streaming run holds exactly these records).
    pub fn next_keyed(&mut self) -> Option<(Result<Record, BadRow>, bool)> {
        if let Some(row) = self.ready.pop_front() {
            return Some(row);
        }
        let item = match &mut self.source {
            Source::Csv(_) => {
                // A batch may hold no row (blank lines only): read on to one that does.
                while self.ready.is_empty() && !self.done {
                    self.fill();
                }
                return self.ready.pop_front();
            }
            Source::Jsonl(s) => s.next_item(),
            Source::Json(s) => s.next_item(),
            Source::Xlsx(s) => s.next_item(),
        }?;
        match item {
            SourceItem::Row(row, cells) => {
                let kept = self.conv.kept;
                let result = self.conv.row(row, &cells);
                Some((result, self.conv.kept > kept))
            }
            SourceItem::BadRow(row, problem) => Some((Err(self.conv.bad_row(row, problem)), false)),
            SourceItem::Fatal(e) => {
                self.conv.file_errors.push(e);
                None
            }
        }
    }
}

impl TableReader<'_> {
    /// Read the next batch of CSV blocks, split them into rows and convert their cells
    /// on every core, then check their keys in file order: the same results as one
    /// row at a time.
    fn fill(&mut self) {
        let Source::Csv(src) = &mut self.source else {
            return;
        };
        let mut blocks = Vec::new();
        let mut bytes = 0usize;
        let mut ended = None;
        while !self.done && bytes < BATCH {
            match src.next_block() {
                Some(Ok(block)) => {
                    bytes += block.len();
                    blocks.push(block);
                }
                Some(Err(e)) => {
                    ended = Some(e);
                    self.done = true;
                }
                None => self.done = true,
            }
        }
        // Each batch's records share a projection of their own: every record holds
        // one, and one count of them all, raised here and lowered by the threads that
        // drop the records, moved from core to core at each record (4% of eval's time
        // at a million firms).
        if let Some(p) = &mut self.conv.projection {
            *p = Arc::new(Projection::clone(p));
        }
        let conv = &self.conv;
        let shape = src.shape();
        let converted = parallel::map_in_order(&blocks, |block| {
            let mut rows = Vec::with_capacity(block.lines());
            let end = shape.rows(block, |row, cells| {
                let done = cells.map(|cells| conv.convert(row, &Cells::Csv(&cells)));
                rows.push((row, done));
            });
            (rows, end)
        });
        for (rows, end) in converted {
            for (row, done) in rows {
                let kept = self.conv.kept;
                let result = match done {
                    Ok(c) => self.conv.accept(row, c),
                    Err(problem) => Err(self.conv.bad_row(row, problem)),
                };
                self.ready.push_back((result, self.conv.kept > kept));
            }
            if let Err(e) = end {
                // A byte that is not UTF-8: the file stops there.
                self.conv.file_errors.push(e);
                self.done = true;
                return;
            }
        }
        if let Some(e) = ended {
            self.conv.file_errors.push(e);
        }
    }
}

/// One row's cells converted, before its key is checked against the others'.
struct Converted {
    key: Option<Text>,
    values: Vec<Value>,
    /// Per percent-points column, in order: (above 1%, nonzero), for the note on
    /// columns that look like fractions.
    percent: Vec<(bool, bool)>,
    /// In [`KeyMode::Wanted`]: the key's fingerprint, and whether it is wanted.
    print: Option<(u64, bool)>,
    errors: Vec<DataError>,
    failed: bool,
}

impl<'a> Converter<'a> {
    fn new(
        program: &'a Program,
        entity: &'a EntityDef,
        file: Arc<str>,
        refs: &'a [KeyIndex],
    ) -> Self {
        let columns = entity
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let kind = Kind::of(program, f);
                Column {
                    name: Arc::from(f.name.as_str()),
                    expected: Arc::from(cell::expected(program, f, &kind).as_str()),
                    kind,
                    optional: f.optional,
                    pos: None,
                    col: i,
                }
            })
            .collect();
        Converter {
            program,
            entity,
            file,
            sheet: None,
            first_col: 0,
            columns,
            key_col: entity.key.0,
            refs,
            keys: KeyIndex::default(),
            key_mode: KeyMode::Full,
            prints: Prints::default(),
            skipped: Vec::new(),
            projection: None,
            kept: 0,
            data_rows: 0,
            file_errors: Vec::new(),
            unknown_keys: Vec::new(),
            percent_seen: vec![(false, false); entity.fields.len()],
        }
    }

    /// Match CSV or sheet header names to fields; report empty, repeated, unknown and
    /// missing ones.
    fn map_header(&mut self, header: &[String]) {
        for (pos, name) in header.iter().enumerate() {
            if name.is_empty() {
                let column = match self.sheet {
                    Some(_) => super::err::column_letters(self.first_col + pos),
                    None => (pos + 1).to_string(),
                };
                self.header_error(HeaderProblem::Empty(column));
                continue;
            }
            if header
                .get(..pos)
                .is_some_and(|before| before.contains(name))
            {
                self.header_error(HeaderProblem::Duplicate(name.clone()));
                continue;
            }
            match self.columns.iter_mut().find(|c| *c.name == **name) {
                Some(c) => {
                    c.pos = Some(pos);
                    c.col = self.first_col + pos;
                }
                None => self.unknown_column(name, self.first_col + pos),
            }
        }
        for c in &self.columns {
            if c.pos.is_none() && !c.optional {
                self.file_errors.push(DataError::MissingColumn {
                    file: self.label(),
                    column: c.name.clone(),
                    entity: self.entity.name.clone(),
                });
            }
        }
    }

    /// The file as file-level errors name it: with the sheet for a workbook.
    fn label(&self) -> Arc<str> {
        match &self.sheet {
            Some(sheet) => Arc::from(format!("{}{}{sheet}", self.file, super::err::SHEET_LABEL)),
            None => self.file.clone(),
        }
    }

    fn header_error(&mut self, problem: HeaderProblem) {
        let file = self.label();
        self.file_errors
            .push(DataError::BadHeader { file, problem });
    }

    fn unknown_column(&mut self, name: &str, col: usize) {
        let fields: Vec<&str> = self.entity.fields.iter().map(|f| f.name.as_str()).collect();
        let suggestion = closest(name, &fields).map(Arc::from);
        self.file_errors.push(DataError::UnknownColumn {
            file: self.label(),
            column: Arc::from(name),
            col,
            entity: self.entity.name.clone(),
            fields: fields.join(", "),
            suggestion,
        });
    }

    fn at(&self, row: RowRef) -> At {
        At {
            file: self.file.clone(),
            row,
            sheet: self.sheet.clone(),
        }
    }

    fn bad_row(&mut self, row: RowRef, problem: RowProblem) -> BadRow {
        self.data_rows += 1;
        let at = self.at(row);
        BadRow {
            errors: vec![DataError::MalformedRow {
                at: at.clone(),
                problem,
            }],
            at,
            key: None,
        }
    }

    /// One row's cells to a record, or every problem of the row.
    fn row(&mut self, row: RowRef, cells: &Cells<'_>) -> Result<Record, BadRow> {
        if let Cells::Json(obj) = cells {
            self.check_json_keys(obj);
        }
        let converted = self.convert(row, cells);
        self.accept(row, converted)
    }

    /// A row's cells to values, each bad cell an error; needs no other row.
    fn convert(&self, row: RowRef, cells: &Cells<'_>) -> Converted {
        let keeps = |i: usize| self.projection.as_ref().is_none_or(|p| p.keeps(FieldId(i)));
        let kept = self
            .projection
            .as_ref()
            .map_or(self.columns.len(), |p| p.len());
        let mut values = Vec::with_capacity(kept);
        let mut percent = Vec::new();
        let mut errors = Vec::new();
        let mut failed = false;
        let mut key: Option<Text> = None;
        for (i, col) in self.columns.iter().enumerate() {
            let keep = keeps(i);
            if i != self.key_col && self.skipped.get(i).copied().unwrap_or(false) {
                if keep {
                    values.push(Value::Blank);
                }
                continue;
            }
            let cell = get_cell(cells, col);
            if i == self.key_col
                && let (Kind::Text, Cell::Text(text) | Cell::Number(text)) = (&col.kind, cell)
                && !cell::trim(text).is_empty()
            {
                // Keys are identifiers: trimmed.
                let k = Text::from(cell::trim(text));
                if keep {
                    values.push(Value::Text(k.clone()));
                }
                key = Some(k);
                continue;
            }
            // The commonest cells are read and kept here, without a call (see
            // `plain_into`); the key and percent points are noted below.
            if i != self.key_col
                && !col.percent_points()
                && let Cell::Text(s) = cell
                && self.plain_into(col, s, keep, &mut values)
            {
                continue;
            }
            let value = if keep || i == self.key_col {
                self.value(row, col, cell)
            } else {
                self.check(row, col, cell)
            };
            let value = match value {
                Ok(v) => v,
                Err(e) => {
                    failed = true;
                    errors.extend(e);
                    Value::Blank
                }
            };
            if col.percent_points() {
                percent.push(match &value {
                    Value::Num(v) => {
                        // Values are already fractions here: the cell `1` is 0.01.
                        let above = v.abs() > Decimal::new(1, 2);
                        (above, !above && !v.is_zero())
                    }
                    _ => (false, false),
                });
            }
            if i == self.key_col {
                key = key_text(&value, cell);
            }
            if keep {
                values.push(value);
            }
        }
        let print = match (&self.key_mode, &key) {
            (KeyMode::Wanted(wanted), Some(k)) => {
                let print = fingerprint(k.as_bytes());
                Some((print, wanted.may_hold(print) && wanted.contains(k.as_str())))
            }
            _ => None,
        };
        Converted {
            key,
            values,
            percent,
            print,
            errors,
            failed,
        }
    }

    /// A converted row, in file order: counted, its percent points noted, its key
    /// checked.
    fn accept(&mut self, row: RowRef, c: Converted) -> Result<Record, BadRow> {
        self.data_rows += 1;
        let percent_cols = self
            .columns
            .iter()
            .zip(self.percent_seen.iter_mut())
            .filter(|(col, _)| col.percent_points());
        for ((_, seen), &(above, small)) in percent_cols.zip(&c.percent) {
            seen.0 |= above;
            seen.1 |= small;
        }
        let projection = self.projection.clone();
        self.finish_row(row, c).map(|r| match projection {
            Some(p) => r.projected_as(p),
            None => r,
        })
    }

    /// Check the key for duplicates and record it; the row's result.
    fn finish_row(&mut self, row: RowRef, c: Converted) -> Result<Record, BadRow> {
        let Converted {
            key,
            values,
            mut errors,
            failed,
            print,
            ..
        } = c;
        let ok = !failed && errors.is_empty();
        let Some(k) = key else {
            if ok && let Some(col) = self.columns.get(self.key_col) {
                // An optional key field left blank: a record needs its key all the same.
                errors.push(DataError::BlankCell {
                    at: self.at(row),
                    column: col.name.clone(),
                    col: col.col,
                    expected: col.expected.clone(),
                    absent: false,
                });
            }
            let at = self.at(row);
            return Err(BadRow { at, key, errors });
        };
        match &self.key_mode {
            KeyMode::Full => {}
            KeyMode::Unchecked if ok => return Ok(Record::new(k, values, self.data_rows)),
            KeyMode::Unchecked => {
                let at = self.at(row);
                return Err(BadRow {
                    at,
                    key: Some(k),
                    errors,
                });
            }
            KeyMode::Wanted(_) => {
                let (print, wanted) = print.unwrap_or_else(|| (fingerprint(k.as_bytes()), true));
                self.prints.push(print);
                if ok && !wanted {
                    return Ok(Record::new(k, values, self.data_rows));
                }
            }
        }
        match self.keys.map.entry(Arc::from(k.as_str())) {
            Entry::Occupied(first) => {
                let (key, first) = (Arc::clone(first.key()), first.get().row());
                errors.push(self.duplicate(row, key, first));
            }
            Entry::Vacant(slot) if ok => {
                slot.insert(KeyEntry::Kept(self.kept, row));
                self.kept += 1;
                let row = self.data_rows;
                return Ok(Record::new(k, values, row));
            }
            Entry::Vacant(slot) => {
                slot.insert(KeyEntry::Skipped(row));
            }
        }
        let at = self.at(row);
        Err(BadRow {
            at,
            key: Some(k),
            errors,
        })
    }

    fn duplicate(&self, row: RowRef, key: Arc<str>, first: RowRef) -> DataError {
        let column = self.columns.get(self.key_col);
        DataError::DuplicateKey {
            at: self.at(row),
            column: column.map_or_else(|| Arc::from(""), |c| c.name.clone()),
            col: column.map_or(0, |c| c.col),
            key,
            first: Box::new(self.at(first)),
        }
    }

    /// [`Converter::value`] of a CSV cell, pushed to `values` when `keep` (else
    /// only checked, as [`Converter::check`] does), for the commonest cells: a plain
    /// number, truth value or date ([`cell::convert_plain`]), text that is not blank,
    /// an enum's variant, the key of a record kept, an empty cell of an optional field.
    /// False for any other cell, and for one whose value would be an error: the
    /// general path reads those (a test compares the two on every kind of column).
    ///
    /// Each value is made where it is pushed: a value made on several paths and
    /// moved once they meet is written to memory in parts and read back whole, which
    /// stalled the processor at every cell.
    #[inline]
    fn plain_into(&self, col: &Column, s: &str, keep: bool, values: &mut Vec<Value>) -> bool {
        let mut push = |v: Value| {
            if keep {
                values.push(v);
            }
            true
        };
        match &col.kind {
            Kind::Text if cell::trim(s).is_empty() => false,
            Kind::Text if keep => push(Value::Text(s.into())),
            Kind::Text => true,
            Kind::Enum { variants, .. } => match cell::variant_index(variants, s) {
                Some(i) => push(Value::Enum(i)),
                None => false,
            },
            Kind::Ref(target) => {
                let index = self.refs.get(target.0).filter(|i| !i.deferred);
                match index.and_then(|index| index.get(cell::trim(s))) {
                    Some(KeyEntry::Kept(i, _)) => push(Value::Ref(i)),
                    _ => false,
                }
            }
            _ if s.is_empty() => col.optional && push(Value::Blank),
            kind => match cell::convert_plain(kind, s) {
                Some(v) => push(v),
                None => false,
            },
        }
    }

    /// One cell's value; `Err(vec![])` when the row fails for a reason reported elsewhere.
    fn value(&self, row: RowRef, col: &Column, cell: Cell<'_>) -> Result<Value, Vec<DataError>> {
        if cell.is_blank() {
            if col.optional {
                return Ok(Value::Blank);
            }
            if cell == Cell::NoColumn {
                return Err(Vec::new());
            }
            return Err(vec![DataError::BlankCell {
                at: self.at(row),
                column: col.name.clone(),
                col: col.col,
                expected: col.expected.clone(),
                absent: matches!(cell, Cell::Absent),
            }]);
        }
        if let Kind::Ref(target) = col.kind {
            return self.reference(row, col, cell, target);
        }
        cell::convert(&col.kind, cell).map_err(|problem| {
            vec![DataError::BadCell {
                at: self.at(row),
                column: col.name.clone(),
                col: col.col,
                cell: cell.shown().into(),
                problem: Box::new(problem),
                expected: col.expected.clone(),
            }]
        })
    }

    /// [`Converter::value`] for a field whose value is not kept: the same errors and
    /// values (a percent is still noted), without copying text.
    fn check(&self, row: RowRef, col: &Column, cell: Cell<'_>) -> Result<Value, Vec<DataError>> {
        match (&col.kind, cell) {
            (Kind::Text, Cell::Text(_)) if !cell.is_blank() => Ok(Value::Blank),
            _ => self.value(row, col, cell),
        }
    }

    fn reference(
        &self,
        row: RowRef,
        col: &Column,
        cell: Cell<'_>,
        target: EntityId,
    ) -> Result<Value, Vec<DataError>> {
        let key = match cell {
            Cell::Text(s) | Cell::Number(s) => cell::trim(s),
            other => {
                let problem = match other {
                    Cell::Error(_) => super::err::CellProblem::SheetError,
                    Cell::Bool(_) => super::err::CellProblem::JsonKind("bool"),
                    Cell::Other(k) => super::err::CellProblem::JsonKind(k),
                    _ => super::err::CellProblem::JsonKind("null"),
                };
                return Err(vec![DataError::BadCell {
                    at: self.at(row),
                    column: col.name.clone(),
                    col: col.col,
                    cell: cell.shown().into(),
                    problem: Box::new(problem),
                    expected: col.expected.clone(),
                }]);
            }
        };
        let Some(index) = self.refs.get(target.0) else {
            return Err(Vec::new());
        };
        let entity = || -> Arc<str> {
            let name = self.program.entity(target).map_or("", |e| e.name.as_str());
            Arc::from(name)
        };
        let at = || self.at(row);
        index
            .resolve(key, at, (&col.name, col.col), entity)
            .map_err(|e| e.into_iter().collect())
    }

    /// A note for each percent-points column whose values were all in [0, 1].
    fn notes(&self) -> Vec<DataNote> {
        let columns = self.columns.iter().zip(&self.percent_seen);
        columns
            .filter(|(_, (above, small))| *small && !*above)
            .map(|(c, _)| DataNote::PercentLooksLikeFraction {
                file: self.file.clone(),
                column: c.name.clone(),
            })
            .collect()
    }

    /// JSON keys that are no field: reported once per file, at the first object having it.
    fn check_json_keys(&mut self, obj: &serde_json::Map<String, serde_json::Value>) {
        for name in obj.keys() {
            let trimmed = name.trim();
            if self.columns.iter().any(|c| &*c.name == trimmed)
                || self.unknown_keys.iter().any(|k| k == trimmed)
            {
                continue;
            }
            self.unknown_keys.push(trimmed.to_string());
            let col = self.columns.len() + self.unknown_keys.len();
            self.unknown_column(trimmed, col);
        }
    }
}

/// The field a column name was probably meant to be: one the name contains
/// (`规划面积（亩）`), else the nearest by edit distance within a third of its length.
fn closest<'f>(name: &str, fields: &[&'f str]) -> Option<&'f str> {
    if let Some(f) = fields
        .iter()
        .filter(|f| name.contains(**f))
        .max_by_key(|f| f.len())
    {
        return Some(f);
    }
    let n = name.chars().count();
    fields
        .iter()
        .map(|f| (edit_distance(name, f), *f))
        .filter(|(d, f)| *d <= (n.max(f.chars().count()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, f)| f)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev
                .get(j)
                .map_or(usize::MAX, |p| p + usize::from(ca != *cb));
            let del = prev.get(j + 1).map_or(usize::MAX, |p| p + 1);
            let ins = cur.last().map_or(usize::MAX, |c| c + 1);
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// A key's fingerprint in [`KeyMode::Wanted`]: SipHash (fixed keys: deterministic),
/// not the key map's fast hash, whose structured keys (`ZR-000001`…) do collide.
fn fingerprint(key: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    h.write(key);
    h.finish()
}

/// The cell of a column in a row.
fn get_cell<'c>(cells: &Cells<'c>, col: &Column) -> Cell<'c> {
    match cells {
        Cells::Csv(rec) => match col.pos.and_then(|p| rec.get(p)) {
            Some(s) => Cell::Text(s),
            None => Cell::NoColumn,
        },
        Cells::Json(obj) => match obj.get(&*col.name) {
            None => json_cell_trimmed(obj, &col.name),
            Some(v) => json_cell(v),
        },
        Cells::Xlsx(cells) => match col.pos.and_then(|p| cells.get(p)) {
            Some(SheetCell::Value(s)) => Cell::Text(s),
            Some(SheetCell::Error(e)) => Cell::Error(e),
            None => Cell::NoColumn,
        },
    }
}

/// A JSON key written with spaces around the field name.
fn json_cell_trimmed<'c>(
    obj: &'c serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Cell<'c> {
    obj.iter()
        .find(|(k, _)| k.trim() == name)
        .map_or(Cell::Absent, |(_, v)| json_cell(v))
}

fn json_cell(v: &serde_json::Value) -> Cell<'_> {
    use serde_json::Value as J;
    match v {
        J::Null => Cell::Null,
        J::Bool(b) => Cell::Bool(*b),
        J::Number(n) => Cell::Number(n.as_str()),
        J::String(s) => Cell::Text(s),
        J::Array(_) => Cell::Other("array"),
        J::Object(_) => Cell::Other("object"),
    }
}

/// The key of a record: its key field's text, trimmed (keys are identifiers).
fn key_text(value: &Value, cell: Cell<'_>) -> Option<Text> {
    match (value, cell) {
        (Value::Blank, _) => None,
        (_, Cell::Text(s) | Cell::Number(s)) => Some(Text::from(cell::trim(s))),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// The hash of bytes is the fold of their 8-byte words, the last zero-padded and
    /// marked with its length: the tail made in a register is the padded word's.
    #[test]
    fn key_hasher_words_are_little_endian_with_the_tail_padded() {
        let bytes: Vec<u8> = (1..=23).map(|b| b * 11).collect();
        for len in 0..=bytes.len() {
            let part = &bytes[..len];
            let mut padded = KeyHasher(7);
            let mut chunks = part.chunks_exact(8);
            for chunk in chunks.by_ref() {
                padded.add(u64::from_le_bytes(chunk.try_into().unwrap()));
            }
            let mut last = [0u8; 8];
            last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
            padded.add(u64::from_le_bytes(last) ^ ((chunks.remainder().len() as u64) << 56));
            let mut h = KeyHasher(7);
            h.write(part);
            assert_eq!(h.finish(), padded.finish(), "{len} bytes");
        }
    }

    const KINDS: &str = r#"policy "读取" effective 2024-01-01
enum 等级 { A, B, 优秀 }
entity 园区 {
  编号: text key
}
entity 企业 {
  代码: text key
  名称: text
  行业: text?
  园区: 园区
  上级园区: 园区?
  评价: 等级
  旧评价: 等级?
  面积: area in m2
  面积二: area in m2?
  税收: money in 万元
  比例: percent
  人数: int
  规上: bool
  规上二: bool?
  日期: date
  日期二: date?
}
"#;

    /// The cells the row loop reads itself give the value or check of the general
    /// path, on every kind of column, kept or not, with keys kept, skipped, unknown
    /// and not yet read.
    #[test]
    fn plain_cells_read_as_value_and_check_read_them() {
        let program = crate::load::compile_str("kinds.rules", KINDS)
            .program
            .unwrap();
        let firms = EntityId(1);
        let mut index = KeyIndex::empty(true);
        index
            .map
            .insert(Arc::from("P1"), KeyEntry::Kept(0, RowRef::Line(2)));
        index
            .map
            .insert(Arc::from("P2"), KeyEntry::Kept(1, RowRef::Line(3)));
        index
            .map
            .insert(Arc::from("P3"), KeyEntry::Skipped(RowRef::Line(4)));
        let cells = [
            "",
            " ",
            "\u{3000}",
            "P1",
            " P2 ",
            "P3",
            "P4",
            "A",
            " B",
            "优秀",
            "C",
            "a",
            "12",
            "12.5",
            " 12 ",
            "１２",
            "1,000",
            "85%",
            "-3",
            "是",
            "否",
            "true",
            "1",
            "0",
            "x",
            "2024-01-01",
            "2024/1/1",
            "2024-02-30",
            "平湖",
            " 平湖 ",
            "万元",
        ];
        let mut fast = 0;
        for refs in [
            vec![index.clone(), KeyIndex::empty(true)],
            vec![KeyIndex::deferred(), KeyIndex::empty(true)],
        ] {
            let entity = program.entity(firms).unwrap();
            let conv = Converter::new(&program, entity, Arc::from("企业.csv"), &refs);
            for col in &conv.columns {
                for cell in cells {
                    let mut kept = Vec::new();
                    let row = RowRef::Line(2);
                    let name = &col.name;
                    if conv.plain_into(col, cell, true, &mut kept) {
                        fast += 1;
                        let general = conv.value(row, col, Cell::Text(cell));
                        assert_eq!(Ok(kept), general.map(|v| vec![v]), "{name} {cell:?}");
                    } else {
                        assert!(kept.is_empty(), "{name} {cell:?}");
                    }
                    let mut checked = Vec::new();
                    if conv.plain_into(col, cell, false, &mut checked) {
                        fast += 1;
                        let general = conv.check(row, col, Cell::Text(cell));
                        assert!(general.is_ok(), "{name} {cell:?} not kept: {general:?}");
                    }
                    assert!(checked.is_empty(), "{name} {cell:?}");
                }
            }
        }
        // The loop read hundreds of them itself (504 when written).
        assert!(fast > 400, "{fast}");
    }

    #[test]
    fn suggests_the_field_a_column_meant() {
        let fields = ["规划面积", "总建筑面积", "名称"];
        assert_eq!(closest("规划面积（亩）", &fields), Some("规划面积"));
        assert_eq!(closest("总建筑面积m2", &fields), Some("总建筑面积"));
        assert_eq!(closest("规划面基", &fields), Some("规划面积"));
        assert_eq!(closest("备注", &fields), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
