//! Errors and notes of data loading, and their one-line rendering.
//!
//! Produced by the cell parser, the CSV/JSON readers and [`super::load`]; consumed by
//! the CLI, which prints [`render_errors`] (one line per problem, sorted by file, then
//! row, then column). These are errors about data files, not policy source, so they
//! carry a file name and a row instead of a source span.
//!
//! Row numbers (see [`RowRef`]): for CSV and JSONL the line number in the file, the
//! header being line 1 of a CSV (what a spreadsheet shows to the left of the row);
//! for a JSON array the 0-based index of the object in the array (`园区.json[3]`);
//! for an `.xlsx` sheet the row number Excel shows, with the sheet's name
//! (`园区.xlsx, sheet 园区, row 5`), and errors about one cell add its reference
//! (`column 入驻率 (cell D5)`).

use crate::lang::{Lang, Localize};
use miette::Diagnostic;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use thiserror::Error;

/// Where a row is in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowRef {
    /// A line number, 1-based; a CSV header is line 1, its first record line 2.
    Line(usize),
    /// The 0-based index of an object in a JSON array.
    Index(usize),
}

/// A row of a data file: `园区.csv:5`, `园区.json[3]`, `园区.xlsx, sheet 园区, row 5`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    /// The file's name (without its folder).
    pub file: Arc<str>,
    pub row: RowRef,
    /// The sheet, for a workbook (`.xlsx`); its rows are [`RowRef::Line`]s, the row
    /// numbers Excel shows.
    pub sheet: Option<Arc<str>>,
}

impl At {
    /// A row of a text file (CSV, JSONL, JSON).
    pub fn new(file: Arc<str>, row: RowRef) -> At {
        At {
            file,
            row,
            sheet: None,
        }
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.sheet, self.row) {
            (Some(sheet), RowRef::Line(n)) => write!(f, "{}, sheet {sheet}, row {n}", self.file),
            (Some(sheet), RowRef::Index(i)) => write!(f, "{}, sheet {sheet}[{i}]", self.file),
            (None, RowRef::Line(n)) => write!(f, "{}:{n}", self.file),
            (None, RowRef::Index(i)) => write!(f, "{}[{i}]", self.file),
        }
    }
}

/// ` (cell D5)` for a cell of a sheet (`col`: the 0-based column of the sheet);
/// nothing for text files, whose messages name the column only.
fn cell_ref(at: &At, col: usize) -> String {
    match (&at.sheet, at.row) {
        (Some(_), RowRef::Line(n)) => format!(" (cell {}{n})", column_letters(col)),
        _ => String::new(),
    }
}

/// `（单元格 D5）`: [`cell_ref`] in Chinese.
fn cell_ref_zh(at: &At, col: usize) -> String {
    match (&at.sheet, at.row) {
        (Some(_), RowRef::Line(n)) => format!("（单元格 {}{n}）", column_letters(col)),
        _ => String::new(),
    }
}

/// A 0-based column number as Excel names it: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + u8::try_from(rem).unwrap_or(0)));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}

/// Why a cell could not be read as its field's type.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum CellProblem {
    #[error("is not a number")]
    NotANumber,
    /// A unit other than the column's, even a convertible one: cells are never converted.
    #[error("is in {found}, but the column is in {declared} and cells are not converted")]
    OtherUnit { found: String, declared: String },
    /// A number followed by something that is not a unit (`6000万`).
    #[error("ends in `{0}`, which is not a unit")]
    UnknownUnit(String),
    #[error("is not a whole number")]
    NotWhole,
    #[error("is too large")]
    TooLarge,
    #[error("is not a yes/no value")]
    NotBool,
    #[error("is not a date")]
    NotDate,
    #[error("is not a day of the calendar")]
    NoSuchDate,
    #[error("is not a variant of {enum_name}")]
    UnknownVariant { enum_name: String },
    /// A JSON value of the wrong kind (an object, an array, a bool for a number).
    #[error("is a JSON {0}")]
    JsonKind(&'static str),
    /// An error value of a spreadsheet cell (`#N/A`, `#DIV/0!`), a formula that failed.
    #[error("is an error value in the sheet (a formula that failed)")]
    SheetError,
    #[error("cannot be read from a data file")]
    Unsupported,
}

/// Why a whole row could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum RowProblem {
    #[error("{found} cells, but the header has {expected}")]
    CellCount { found: usize, expected: usize },
    #[error("not a JSON object")]
    NotAnObject,
    /// A CSV or JSON syntax error in this row.
    #[error("{0}")]
    Syntax(String),
}

/// Why a header cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum HeaderProblem {
    /// The column's number (CSV, 1-based) or letter (a sheet).
    #[error("column {0} has no name")]
    Empty(String),
    #[error("column `{0}` appears twice")]
    Duplicate(String),
    #[error("the file has no header line")]
    NoHeader,
    #[error("sheet {0} is empty (it needs a header row of field names)")]
    EmptySheet(String),
}

/// One problem with the data. `col` fields are for sorting only: the column's position
/// (header position for CSV, field position for JSON).
#[derive(Clone, Debug, PartialEq, Eq, Error, Diagnostic)]
pub enum DataError {
    #[error("{at}: column {column}{}: `{cell}` {problem} (expected {expected})", cell_ref(at, *col))]
    #[diagnostic(code(parkrules::data::bad_cell))]
    BadCell {
        at: At,
        column: Arc<str>,
        col: usize,
        cell: Box<str>,
        problem: Box<CellProblem>,
        expected: Arc<str>,
    },
    #[error("{at}: column {column}{}: {}, but the field is not optional (expected {expected})", cell_ref(at, *col), if *absent { "missing" } else { "blank" })]
    #[diagnostic(
        code(parkrules::data::blank_cell),
        help("write a value, or declare the field optional (`{column}: T?`)")
    )]
    BlankCell {
        at: At,
        column: Arc<str>,
        col: usize,
        expected: Arc<str>,
        /// A JSON object without the key (rather than an empty cell or `null`).
        absent: bool,
    },
    #[error("{at}: column {column}{}: no {entity} has key `{key}`", cell_ref(at, *col))]
    #[diagnostic(code(parkrules::data::unknown_reference))]
    UnknownReference {
        at: At,
        column: Arc<str>,
        col: usize,
        key: Arc<str>,
        entity: Arc<str>,
    },
    #[error("{at}: column {column}{}: {entity} `{key}` ({target}) was skipped, so this row is too", cell_ref(at, *col))]
    #[diagnostic(code(parkrules::data::skipped_reference))]
    SkippedReference {
        at: At,
        column: Arc<str>,
        col: usize,
        key: Arc<str>,
        entity: Arc<str>,
        target: Box<At>,
    },
    #[error("{at}: column {column}{}: duplicate key `{key}` (first at {first})", cell_ref(at, *col))]
    #[diagnostic(code(parkrules::data::duplicate_key))]
    DuplicateKey {
        at: At,
        column: Arc<str>,
        col: usize,
        key: Arc<str>,
        first: Box<At>,
    },
    #[error("{file}: missing column {column} (a required field of {entity})")]
    #[diagnostic(code(parkrules::data::missing_column))]
    MissingColumn {
        file: Arc<str>,
        column: Arc<str>,
        entity: String,
    },
    #[error(
        "{file}: unknown column `{column}` ({entity} has no such field{})",
        suggestion.as_ref().map(|s| format!("; did you mean {s}?")).unwrap_or_default()
    )]
    #[diagnostic(
        code(parkrules::data::unknown_column),
        help("the fields of {entity} are: {fields}")
    )]
    UnknownColumn {
        file: Arc<str>,
        column: Arc<str>,
        col: usize,
        entity: String,
        fields: String,
        /// The field the column was probably meant to be.
        suggestion: Option<Arc<str>>,
    },
    #[error("{file}: bad header: {problem}")]
    #[diagnostic(code(parkrules::data::bad_header))]
    BadHeader {
        file: Arc<str>,
        problem: HeaderProblem,
    },
    #[error("{file}:{line}:{column}: malformed {format}: {message}")]
    #[diagnostic(code(parkrules::data::malformed))]
    MalformedFile {
        file: Arc<str>,
        line: usize,
        column: usize,
        format: &'static str,
        message: String,
    },
    #[error("{at}: malformed row: {problem}")]
    #[diagnostic(code(parkrules::data::malformed_row))]
    MalformedRow { at: At, problem: RowProblem },
    #[error("{file}: cannot read: {message}")]
    #[diagnostic(code(parkrules::data::unreadable))]
    Unreadable { file: Arc<str>, message: String },
    #[error(
        "no data file for {entity}, needed because {reason} (expected {entity}.csv, {entity}.xlsx, {entity}.jsonl or {entity}.json)"
    )]
    #[diagnostic(code(parkrules::data::missing_file))]
    MissingFile { entity: String, reason: String },
    #[error("two data files for {entity}: {first} and {second}")]
    #[diagnostic(code(parkrules::data::two_files), help("keep one of them"))]
    TwoFiles {
        entity: String,
        first: String,
        second: String,
    },
    #[error("{file}:{line}: invalid UTF-8 at byte {offset}; {}", guess(*looks_like))]
    #[diagnostic(
        code(parkrules::data::invalid_utf8),
        help("save it as UTF-8 (Excel: 另存为 → CSV UTF-8)")
    )]
    InvalidUtf8 {
        file: Arc<str>,
        line: u64,
        offset: u64,
        /// What the file looks like, when it is a known binary format.
        looks_like: Option<&'static str>,
    },
    #[error(
        "{file}: read as GB18030 (GBK) for its header, but byte {offset} is no GB18030 character"
    )]
    #[diagnostic(
        code(parkrules::data::invalid_gb18030),
        help("the file mixes encodings; save it again as CSV UTF-8 (Excel: 另存为 → CSV UTF-8)")
    )]
    InvalidGb18030 { file: Arc<str>, offset: u64 },
    /// A file read in the encoding given with `--encoding` that is not in it.
    #[error("{file}: not {encoding} as --encoding says: {}", not_in_encoding(encoding, *offset, *looks_utf8))]
    #[diagnostic(
        code(parkrules::data::wrong_encoding),
        help(
            "give the file's encoding with --encoding, or leave it out to detect UTF-8 or GB18030"
        )
    )]
    WrongEncoding {
        file: Arc<str>,
        encoding: &'static str,
        offset: u64,
        /// The file reads as UTF-8 (`offset` starts its first non-ASCII character).
        looks_utf8: bool,
    },
    #[error("{file}: {format} files are not supported yet")]
    #[diagnostic(
        code(parkrules::data::unsupported_format),
        help("save it as .xlsx, or as CSV (UTF-8)")
    )]
    UnsupportedFormat { file: Arc<str>, format: String },
}

impl DataError {
    /// The error's code (`parkrules::data::bad_cell`), for tests and reports.
    pub fn code_str(&self) -> String {
        self.code().map(|c| c.to_string()).unwrap_or_default()
    }

    /// (file, row, column) for the stable order of error lists. File-level errors
    /// come before the rows of their file.
    pub fn sort_key(&self) -> (&str, Option<RowRef>, usize) {
        use DataError::*;
        match self {
            BadCell { at, col, .. }
            | BlankCell { at, col, .. }
            | UnknownReference { at, col, .. }
            | SkippedReference { at, col, .. }
            | DuplicateKey { at, col, .. } => (&at.file, Some(at.row), *col),
            MalformedRow { at, .. } => (&at.file, Some(at.row), 0),
            UnknownColumn { file, col, .. } => (file_of(file), None, *col),
            MissingColumn { file, .. } | BadHeader { file, .. } => (file_of(file), None, 0),
            MalformedFile { file, .. }
            | Unreadable { file, .. }
            | InvalidUtf8 { file, .. }
            | InvalidGb18030 { file, .. }
            | WrongEncoding { file, .. }
            | UnsupportedFormat { file, .. } => (file, None, 0),
            MissingFile { entity, .. } | TwoFiles { entity, .. } => (entity, None, 0),
        }
    }

    /// Only a consequence of another row's error (not reported unless rows are skipped).
    pub fn is_consequence(&self) -> bool {
        matches!(self, DataError::SkippedReference { .. })
    }
}

/// The file of a header error's label: `园区.xlsx` of `园区.xlsx, sheet 园区` (a sheet's
/// header errors name the sheet; they sort with the rows of the file).
fn file_of(label: &str) -> &str {
    label
        .split_once(SHEET_LABEL)
        .map_or(label, |(file, _)| file)
}

/// What separates a workbook's name from its sheet's in a label.
pub(crate) const SHEET_LABEL: &str = ", sheet ";

fn not_in_encoding(encoding: &str, offset: u64, looks_utf8: bool) -> String {
    if looks_utf8 {
        format!("it is UTF-8 (byte {offset} begins a UTF-8 character)")
    } else {
        format!("byte {offset} is no {encoding} character")
    }
}

/// The likely cause of invalid UTF-8 in a data file.
fn guess(looks_like: Option<&str>) -> String {
    match looks_like {
        Some(kind) => format!("this is {kind}, not a text file"),
        None => "is this file GBK?".to_string(),
    }
}

/// Sort errors by file, then row, then column (stable: equal keys keep their order).
pub fn sort_errors(errors: &mut [DataError]) {
    errors.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Something worth telling that is not an error.
#[derive(Clone, Debug, PartialEq, Eq, Error, Diagnostic)]
pub enum DataNote {
    #[error("{file}: ignored: its name matches no entity ({entities})")]
    #[diagnostic(code(parkrules::data::ignored_file), severity(Warning))]
    IgnoredFile { file: String, entities: String },
    /// A `percent` column (85 means 85%) whose values are all between 0 and 1.
    #[error(
        "{file}: column {column}: every value is at most 1, read as at most 1%; if the column holds fractions like 0.85, declare the field `percent in fraction`"
    )]
    #[diagnostic(code(parkrules::data::percent_looks_like_fraction), severity(Warning))]
    PercentLooksLikeFraction { file: Arc<str>, column: Arc<str> },
    /// A CSV file that is not UTF-8, read as GB18030 because its header reads so.
    #[error("{file}: not UTF-8; read as {encoding}, the encoding its header is in")]
    #[diagnostic(code(parkrules::data::decoded), severity(Advice))]
    Decoded {
        file: Arc<str>,
        encoding: &'static str,
    },
}

/// Why a folder of records could not be loaded: every problem found, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadErrors {
    pub errors: Vec<DataError>,
    pub notes: Vec<DataNote>,
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&render_errors(self))
    }
}

impl std::error::Error for LoadErrors {}

/// One line per error, in the stable order (file, row, column).
pub fn render_errors(errs: &LoadErrors) -> String {
    let mut sorted: Vec<&DataError> = errs.errors.iter().collect();
    sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut out = String::new();
    for e in sorted {
        out.push_str(&e.to_string());
        out.push('\n');
    }
    out
}

/// One line per note (`note: 说明.txt: ignored: …`).
pub fn render_notes(notes: &[DataNote]) -> String {
    notes.iter().map(|n| format!("note: {n}\n")).collect()
}

impl At {
    /// `园区.csv 第 5 行`, `园区.json[3]`, `园区.xlsx 工作表 园区 第 5 行`.
    pub fn zh(&self) -> String {
        match (&self.sheet, self.row) {
            (Some(sheet), RowRef::Line(n)) => format!("{} 工作表 {sheet} 第 {n} 行", self.file),
            (Some(sheet), RowRef::Index(i)) => format!("{} 工作表 {sheet}[{i}]", self.file),
            (None, RowRef::Line(n)) => format!("{} 第 {n} 行", self.file),
            (None, RowRef::Index(i)) => format!("{}[{i}]", self.file),
        }
    }
}

impl Localize for CellProblem {
    fn zh(&self) -> Cow<'_, str> {
        use CellProblem::*;
        match self {
            NotANumber => "不是数字".into(),
            OtherUnit { found, declared } => {
                format!("的单位是 {found}，但此列以 {declared} 为单位，单元格不做换算").into()
            }
            UnknownUnit(u) => format!("以 `{u}` 结尾，这不是单位").into(),
            NotWhole => "不是整数".into(),
            TooLarge => "太大".into(),
            NotBool => "不是是/否值".into(),
            NotDate => "不是日期".into(),
            NoSuchDate => "不是日历上的日期".into(),
            UnknownVariant { enum_name } => format!("不是 {enum_name} 的变体").into(),
            JsonKind(k) => format!("是 JSON {}", zh_json_kind(k)).into(),
            SheetError => "是表格中的错误值（公式计算失败）".into(),
            Unsupported => "不能从数据文件读取".into(),
        }
    }
}

fn zh_json_kind(k: &str) -> &str {
    match k {
        "object" => "对象",
        "array" => "数组",
        "bool" => "布尔值",
        "number" => "数字",
        "string" => "字符串",
        "null" => "null",
        other => other,
    }
}

impl Localize for RowProblem {
    fn zh(&self) -> Cow<'_, str> {
        match self {
            RowProblem::CellCount { found, expected } => {
                format!("有 {found} 个单元格，但表头有 {expected} 列").into()
            }
            RowProblem::NotAnObject => "不是 JSON 对象".into(),
            RowProblem::Syntax(m) => m.as_str().into(),
        }
    }
}

impl Localize for HeaderProblem {
    fn zh(&self) -> Cow<'_, str> {
        match self {
            HeaderProblem::Empty(n) => format!("第 {n} 列没有列名").into(),
            HeaderProblem::Duplicate(c) => format!("列 `{c}` 出现了两次").into(),
            HeaderProblem::NoHeader => "文件没有表头行".into(),
            HeaderProblem::EmptySheet(sheet) => {
                format!("工作表 {sheet} 是空的（需要一行字段名作表头）").into()
            }
        }
    }
}

impl Localize for DataError {
    fn zh(&self) -> Cow<'_, str> {
        use DataError::*;
        Cow::Owned(match self {
            BadCell {
                at,
                column,
                col,
                cell,
                problem,
                expected,
            } => format!(
                "{}：列 {column}{}：`{cell}` {}（应为{}）",
                at.zh(),
                cell_ref_zh(at, *col),
                problem.zh(),
                zh_expected(expected)
            ),
            BlankCell {
                at,
                column,
                col,
                expected,
                absent,
            } => format!(
                "{}：列 {column}{}：{}，但该字段不是可选的（应为{}）",
                at.zh(),
                cell_ref_zh(at, *col),
                if *absent { "缺失" } else { "为空" },
                zh_expected(expected)
            ),
            UnknownReference {
                at,
                column,
                col,
                key,
                entity,
            } => format!(
                "{}：列 {column}{}：没有主键为 `{key}` 的 {entity}",
                at.zh(),
                cell_ref_zh(at, *col)
            ),
            SkippedReference {
                at,
                column,
                col,
                key,
                entity,
                target,
            } => format!(
                "{}：列 {column}{}：{entity} `{key}`（{}）已被跳过，因此本行也跳过",
                at.zh(),
                cell_ref_zh(at, *col),
                target.zh()
            ),
            DuplicateKey {
                at,
                column,
                col,
                key,
                first,
            } => format!(
                "{}：列 {column}{}：主键 `{key}` 重复（首次出现在 {}）",
                at.zh(),
                cell_ref_zh(at, *col),
                first.zh()
            ),
            MissingColumn {
                file,
                column,
                entity,
            } => format!("{file}：缺少列 {column}（{entity} 的必填字段）"),
            UnknownColumn {
                file,
                column,
                entity,
                suggestion,
                ..
            } => format!(
                "{file}：未知列 `{column}`（{entity} 没有这个字段{}）",
                suggestion
                    .as_ref()
                    .map(|s| format!("；是否想写 {s}？"))
                    .unwrap_or_default()
            ),
            BadHeader { file, problem } => format!("{file}：表头有误：{}", problem.zh()),
            MalformedFile {
                file,
                line,
                column,
                format,
                message,
            } => format!("{file}：第 {line} 行第 {column} 列：{format} 格式错误：{message}"),
            MalformedRow { at, problem } => format!("{}：行格式错误：{}", at.zh(), problem.zh()),
            Unreadable { file, message } => format!("{file}：无法读取：{message}"),
            MissingFile { entity, reason } => format!(
                "没有 {entity} 的数据文件，但{}（应为 {entity}.csv、{entity}.xlsx、{entity}.jsonl 或 {entity}.json）",
                zh_reason(reason)
            ),
            TwoFiles {
                entity,
                first,
                second,
            } => format!("{entity} 有两个数据文件：{first} 和 {second}（只保留一个）"),
            InvalidUtf8 {
                file,
                line,
                offset,
                looks_like,
            } => format!(
                "{file}：第 {line} 行：第 {offset} 字节不是有效的 UTF-8；{}",
                match looks_like {
                    Some(kind) => format!("这是 {kind}，不是文本文件"),
                    None => "这个文件是 GBK 编码吗？".to_string(),
                }
            ),
            InvalidGb18030 { file, offset } => {
                format!("{file}：按表头读作 GB18030（GBK），但第 {offset} 字节不是 GB18030 字符")
            }
            WrongEncoding {
                file,
                encoding,
                offset,
                looks_utf8,
            } => {
                let why = if *looks_utf8 {
                    format!("它是 UTF-8 编码（第 {offset} 字节起是 UTF-8 字符）")
                } else {
                    format!("第 {offset} 字节不是 {encoding} 字符")
                };
                format!("{file}：不是 --encoding 所说的 {encoding}：{why}")
            }
            UnsupportedFormat { file, format } => {
                format!("{file}：暂不支持 {format} 文件（请另存为 .xlsx 或 CSV UTF-8）")
            }
        })
    }
}

impl Localize for DataNote {
    fn zh(&self) -> Cow<'_, str> {
        use DataNote::*;
        Cow::Owned(match self {
            IgnoredFile { file, entities } => {
                format!("{file}：已忽略：文件名不对应任何实体（{entities}）")
            }
            PercentLooksLikeFraction { file, column } => format!(
                "{file}：列 {column}：所有值都不超过 1，按不超过 1% 读取；如果此列是 0.85 这样的小数，请将字段声明为 `percent in fraction`"
            ),
            Decoded { file, encoding } => {
                format!("{file}：不是 UTF-8；已按表头所用的编码 {encoding} 读取")
            }
        })
    }
}

/// What a cell should look like ([`super::cell::expected`]), in Chinese; names from
/// the policy are kept as written.
fn zh_expected(s: &str) -> String {
    let fixed = match s {
        "true, false, 是, 否, 1 or 0" => Some("true、false、是、否、1 或 0"),
        "a date like 2024-01-01 or 2024/1/1" => Some("日期，如 2024-01-01 或 2024/1/1"),
        "text" => Some("文本"),
        "a key" => Some("主键"),
        "a whole number" => Some("整数"),
        "a number" => Some("数字"),
        "a percent like 85 or 85%" => Some("百分数，如 85 或 85%"),
        "a fraction like 0.85 (or 85%)" => Some("小数，如 0.85（或 85%）"),
        _ => None,
    };
    if let Some(f) = fixed {
        return f.to_string();
    }
    if let Some(e) = s
        .strip_prefix("the key of a ")
        .and_then(|r| r.strip_suffix(" record"))
    {
        return format!(" {e} 记录的主键");
    }
    if let Some(f) = s
        .strip_prefix("a field type data files cannot hold (")
        .and_then(|r| r.strip_suffix(')'))
    {
        return format!("数据文件不能存放的字段类型（{f}）");
    }
    if let Some((name, variants)) = s.split_once(": one of ") {
        return format!(" {name} 的变体：{} 之一", variants.replace(", ", "、"));
    }
    if let Some((ty, unit)) = s.split_once(" in ") {
        let ty = match ty {
            "money" => "金额",
            "area" => "面积",
            "duration" => "期限",
            other => other,
        };
        return format!("{ty}，单位 {unit}");
    }
    s.to_string()
}

/// Why a data file is needed ([`super::load`]), in Chinese.
fn zh_reason(s: &str) -> String {
    if let Some(rule) = s
        .strip_prefix("rule ")
        .and_then(|r| r.strip_suffix(" is for it"))
    {
        return format!("规则 {rule} 适用于它");
    }
    if s == "an aggregate reads it" {
        return "有聚合读取它".to_string();
    }
    if let Some(field) = s.strip_suffix(" refers to it") {
        return format!(" {field} 引用它");
    }
    s.to_string()
}

/// [`render_errors`] in a language.
pub fn render_errors_in(errs: &LoadErrors, lang: Lang) -> String {
    let mut sorted: Vec<&DataError> = errs.errors.iter().collect();
    sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let mut out = String::new();
    for e in sorted {
        out.push_str(&e.text(lang));
        out.push('\n');
    }
    out
}

/// [`render_notes`] in a language.
pub fn render_notes_in(notes: &[DataNote], lang: Lang) -> String {
    let note = lang.pick("note: ", "注意：");
    notes
        .iter()
        .map(|n| format!("{note}{}\n", n.text(lang)))
        .collect()
}
