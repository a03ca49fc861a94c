//! One cell to one [`Value`], by the field's declared type and input unit (SPEC §5).
//!
//! Consumes a cell as read from CSV (text), JSON (string, number, bool, null) or an
//! `.xlsx` sheet (text as [`super::xlsx`] writes it, or an error value) and a
//! [`Kind`] computed once per column from the field's [`FieldDef`]; produces a value in
//! base units, or a [`CellProblem`]. References are resolved by the row reader, which
//! holds the key maps; here a reference cell only yields its trimmed key.
//!
//! Decisions (documented for users in the error messages):
//! - Numbers are plain decimals (`-12.5`); thousands separators are accepted only in
//!   well-formed groups of three (`1,000`, `12,345.5`), since spreadsheets export them
//!   and a comma is never a decimal mark in Chinese data; `1,00` is not a number.
//!   No exponents in CSV cells; JSON numbers may have one (read exactly).
//! - A unit after the number must be the column's own unit, in any spelling of it
//!   (`m2`, `㎡`, `平方米` are one unit); another unit is an error even when convertible.
//! - Text is kept as written; every other kind is read from the trimmed cell, numbers,
//!   dates and bools with full-width forms (`１２０`, `８５％`) read as ASCII.

use super::err::CellProblem;
use crate::program::{FieldDef, InputUnit, NumHint, Program, Ty};
use crate::units::{self, Dim};
use crate::value::Value;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;

/// A cell as read from a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell<'a> {
    /// A CSV cell or a JSON string.
    Text(&'a str),
    /// A JSON number, as written.
    Number(&'a str),
    Bool(bool),
    /// A JSON `null`.
    Null,
    /// A JSON object without the key.
    Absent,
    /// A CSV column that is not in the header (reported once, for the file).
    NoColumn,
    /// A JSON array or object.
    Other(&'static str),
    /// An error value of a spreadsheet cell (`#N/A`).
    Error(&'a str),
}

impl Cell<'_> {
    /// Empty after trimming, `null`, or absent.
    #[inline]
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Text(s) => trim(s).is_empty(),
            Cell::Null | Cell::Absent | Cell::NoColumn => true,
            _ => false,
        }
    }

    /// The cell as shown in messages.
    pub fn shown(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Number(s) | Cell::Error(s) => (*s).to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Null => "null".to_string(),
            Cell::Absent | Cell::NoColumn => String::new(),
            Cell::Other("array") => "[…]".to_string(),
            Cell::Other(_) => "{…}".to_string(),
        }
    }
}

/// How a number cell maps to its value.
#[derive(Clone, Debug, PartialEq)]
pub enum NumMode {
    /// `int` / `number`: no unit allowed.
    Plain,
    /// A quantity in this unit: value = cell × factor.
    Unit(units::Unit),
    /// `85` and `85%` mean 0.85.
    PercentPoints,
    /// `0.85` and `85%` mean 0.85.
    Fraction,
}

/// What a column holds, computed once per column.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Bool,
    Num {
        mode: NumMode,
        int: bool,
    },
    Date,
    Text,
    /// The enum's name and variants.
    Enum {
        name: String,
        variants: Vec<String>,
    },
    /// A reference: the cell holds a key of this entity.
    Ref(crate::program::EntityId),
    Unsupported,
}

impl Kind {
    /// The kind of a field's cells.
    pub fn of(program: &Program, field: &FieldDef) -> Kind {
        match &field.ty {
            Ty::Bool => Kind::Bool,
            Ty::Date => Kind::Date,
            Ty::Text => Kind::Text,
            Ty::Enum(id) => match program.enum_def(*id) {
                Some(def) => Kind::Enum {
                    name: def.name.clone(),
                    variants: def.variants.clone(),
                },
                None => Kind::Unsupported,
            },
            Ty::Entity(id) => Kind::Ref(*id),
            Ty::Num(dim, hint) => Kind::Num {
                mode: num_mode(&field.input, *dim, *hint),
                int: *hint == NumHint::Int,
            },
            Ty::List(_) => Kind::Unsupported,
        }
    }
}

fn num_mode(input: &InputUnit, dim: Dim, hint: NumHint) -> NumMode {
    match input {
        InputUnit::Unit(u) => NumMode::Unit(u.clone()),
        InputUnit::PercentPoints => NumMode::PercentPoints,
        InputUnit::Fraction => NumMode::Fraction,
        InputUnit::Plain if hint == NumHint::Percent && dim.is_none() => NumMode::PercentPoints,
        InputUnit::Plain => NumMode::Plain,
    }
}

/// What a cell of this field should look like, for messages (`area in 亩`).
pub fn expected(program: &Program, field: &FieldDef, kind: &Kind) -> String {
    match kind {
        Kind::Bool => "true, false, 是, 否, 1 or 0".to_string(),
        Kind::Date => "a date like 2024-01-01 or 2024/1/1".to_string(),
        Kind::Text => "text".to_string(),
        Kind::Enum { name, variants } => format!("{name}: one of {}", variants.join(", ")),
        Kind::Ref(id) => match program.entity(*id) {
            Some(e) => format!("the key of a {} record", e.name),
            None => "a key".to_string(),
        },
        Kind::Num { int: true, .. } => "a whole number".to_string(),
        Kind::Num { mode, .. } => match mode {
            NumMode::Plain => "a number".to_string(),
            NumMode::Unit(u) => {
                let dim = field.ty.dim().unwrap_or(u.dim);
                format!("{} in {}", dim.type_name(), u.name)
            }
            NumMode::PercentPoints => "a percent like 85 or 85%".to_string(),
            NumMode::Fraction => "a fraction like 0.85 (or 85%)".to_string(),
        },
        Kind::Unsupported => format!("a field type data files cannot hold ({})", field.name),
    }
}

/// Read one non-blank, non-reference cell.
pub fn convert(kind: &Kind, cell: Cell<'_>) -> Result<Value, CellProblem> {
    match (kind, cell) {
        (_, Cell::Other(k)) => Err(CellProblem::JsonKind(k)),
        (_, Cell::Error(_)) => Err(CellProblem::SheetError),
        (Kind::Text, Cell::Text(s) | Cell::Number(s)) => Ok(Value::Text(s.into())),
        (Kind::Bool, Cell::Bool(b)) => Ok(Value::Bool(b)),
        (Kind::Bool, Cell::Text(s) | Cell::Number(s)) => {
            parse_bool(trim(&half_width(s))).map(Value::Bool)
        }
        (Kind::Date, Cell::Text(s)) => parse_date(trim(&half_width(s))).map(Value::Date),
        (Kind::Enum { name, variants }, Cell::Text(s)) => match variant_index(variants, s) {
            Some(i) => Ok(Value::Enum(i)),
            None => Err(CellProblem::UnknownVariant {
                enum_name: name.clone(),
            }),
        },
        (Kind::Num { mode, int }, Cell::Text(s)) => {
            num_text(trim(&half_width(s)), mode, *int).map(Value::Num)
        }
        (Kind::Num { mode, int }, Cell::Number(s)) => num_json(s, mode, *int).map(Value::Num),
        (Kind::Unsupported, _) => Err(CellProblem::Unsupported),
        (_, Cell::Bool(_)) => Err(CellProblem::JsonKind("bool")),
        (_, Cell::Number(_)) => Err(CellProblem::JsonKind("number")),
        (_, Cell::Text(_) | Cell::Null | Cell::Absent | Cell::NoColumn) => {
            Err(CellProblem::Unsupported)
        }
    }
}

/// The index of the variant a cell names, white space around it ignored.
#[inline]
pub fn variant_index(variants: &[String], s: &str) -> Option<usize> {
    let s = trim(s);
    variants.iter().position(|v| v == s)
}

/// [`convert`] of the commonest CSV cells in one pass over their bytes: a plain number
/// (`658`, `253.5`, at most 18 digits), `是`, `否`, `true`, `false`, `1`, `0`, and a
/// `2024-01-01` date. `None` for any other cell, and for one whose value is an error
/// (a fraction in an `int` column): [`convert`] reads those, and gives these cells
/// the same values (a test compares the two on every shape).
#[inline]
pub fn convert_plain(kind: &Kind, s: &str) -> Option<Value> {
    let b = s.as_bytes();
    let digit_ends =
        b.first().is_some_and(u8::is_ascii_digit) && b.last().is_some_and(u8::is_ascii_digit);
    match kind {
        Kind::Num { mode, int } if digit_ends && b.len() <= 18 => {
            let (mut mantissa, mut scale, mut dot) = (0i64, 0u32, false);
            for &c in b {
                match c {
                    b'0'..=b'9' => {
                        // 18 digits cannot overflow an i64.
                        mantissa = mantissa * 10 + i64::from(c - b'0');
                        scale += u32::from(dot);
                    }
                    b'.' if !dot => dot = true,
                    _ => return None,
                }
            }
            let d = Decimal::try_new(mantissa, scale).ok()?;
            whole(apply(d, mode).ok()?, *int).ok().map(Value::Num)
        }
        Kind::Bool => match s {
            "是" | "1" | "true" => Some(Value::Bool(true)),
            "否" | "0" | "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Kind::Date if digit_ends && b.len() == 10 => parse_date(s).ok().map(Value::Date),
        _ => None,
    }
}

/// `s` without leading and trailing whitespace, as [`str::trim`] gives it; a cell whose
/// first and last characters cannot be whitespace (most cells, Chinese text too) is
/// not searched.
#[inline]
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    // The last character starts at the last byte that is not a continuation byte.
    let last = b
        .iter()
        .rev()
        .take(4)
        .find(|&&c| !(0x80..0xC0).contains(&c));
    if b.first().is_some_and(|&c| solid(c)) && last.is_some_and(|&c| solid(c)) {
        return s;
    }
    s.trim()
}

/// Whether a character whose UTF-8 form starts with this byte is surely not white
/// space.
fn solid(lead: u8) -> bool {
    !may_start_white_space(lead)
}

/// Whether a character whose UTF-8 form starts with this byte may be white space
/// ([`char::is_whitespace`]): ASCII white space, or the lead byte of U+0085 and
/// U+00A0 (`C2`), U+1680 (`E1`), U+2000–U+205F (`E2`) or U+3000 (`E3`). Lets a scan
/// of bytes pass over text that has none, Chinese text too.
#[inline]
pub(crate) fn may_start_white_space(lead: u8) -> bool {
    matches!(
        lead,
        b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0xC2 | 0xE1..=0xE3
    )
}

/// Full-width forms (`１２０`, `８５％`, `２０２４／１／１`), as typed with a Chinese input
/// method, read as their ASCII forms.
pub fn half_width(s: &str) -> Cow<'_, str> {
    const FULL: std::ops::RangeInclusive<char> = '\u{FF01}'..='\u{FF5E}';
    if s.is_ascii() || !s.chars().any(|c| FULL.contains(&c)) {
        return Cow::Borrowed(s);
    }
    let ascii = |c: char| {
        if FULL.contains(&c) {
            char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c)
        } else {
            c
        }
    };
    Cow::Owned(s.chars().map(ascii).collect())
}

/// `true false 是 否 1 0`; true/false in any case.
pub fn parse_bool(s: &str) -> Result<bool, CellProblem> {
    match s {
        "是" | "1" => Ok(true),
        "否" | "0" => Ok(false),
        _ if s.eq_ignore_ascii_case("true") => Ok(true),
        _ if s.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(CellProblem::NotBool),
    }
}

/// `2024-01-01`, `2024-1-1`, `2024/1/1`: a four-digit year, one separator kind.
pub fn parse_date(s: &str) -> Result<NaiveDate, CellProblem> {
    // `2024-01-01` (most cells), read without splitting.
    if let &[y0, y1, y2, y3, s1, m0, m1, s2, d0, d1] = s.as_bytes()
        && s1 == s2
        && matches!(s1, b'-' | b'/')
        && [y0, y1, y2, y3, m0, m1, d0, d1]
            .iter()
            .all(u8::is_ascii_digit)
    {
        let n = |digits: &[u8]| {
            digits
                .iter()
                .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
        };
        let year = i32::try_from(n(&[y0, y1, y2, y3])).map_err(|_| CellProblem::NotDate)?;
        return NaiveDate::from_ymd_opt(year, n(&[m0, m1]), n(&[d0, d1]))
            .ok_or(CellProblem::NoSuchDate);
    }
    parse_date_parts(s)
}

/// [`parse_date`] of any shape, by its parts.
fn parse_date_parts(s: &str) -> Result<NaiveDate, CellProblem> {
    let sep = if s.bytes().any(|b| b == b'/') {
        '/'
    } else {
        '-'
    };
    let mut parts = s.split(sep);
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CellProblem::NotDate);
    };
    let digits = |p: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !(digits(y, 4, 4) && digits(m, 1, 2) && digits(d, 1, 2)) {
        return Err(CellProblem::NotDate);
    }
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return Err(CellProblem::NotDate);
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or(CellProblem::NoSuchDate)
}

/// A number cell of CSV (or a JSON string): number, then optionally `%` or a unit.
fn num_text(s: &str, mode: &NumMode, int: bool) -> Result<Decimal, CellProblem> {
    let split = s
        .bytes()
        .position(|b| !(b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'+')))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let d = parse_plain(num)?;
    let suffix = suffix.trim();
    let v = if suffix.is_empty() {
        apply(d, mode)?
    } else if suffix == "%" {
        percent(d, mode)?
    } else {
        with_unit(d, suffix, mode)?
    };
    whole(v, int)
}

/// A JSON number: exactly as written, exponent allowed, never through f64.
fn num_json(s: &str, mode: &NumMode, int: bool) -> Result<Decimal, CellProblem> {
    let d = if s.contains(['e', 'E']) {
        Decimal::from_scientific(s).map_err(|_| CellProblem::TooLarge)?
    } else {
        parse_plain(s)?
    };
    whole(apply(d, mode)?, int)
}

fn whole(v: Decimal, int: bool) -> Result<Decimal, CellProblem> {
    if int && !v.fract().is_zero() {
        return Err(CellProblem::NotWhole);
    }
    Ok(v)
}

/// A plain decimal: sign, digits (groups of three with `,` allowed), `.` and digits.
pub fn parse_plain(s: &str) -> Result<Decimal, CellProblem> {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int_part, frac) = match body.bytes().position(|b| b == b'.') {
        Some(dot) => (body.get(..dot).unwrap_or(""), body.get(dot + 1..)),
        None => (body, None),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && all_digits(f));
    let int_ok = if int_part.bytes().any(|b| b == b',') {
        grouped(int_part)
    } else {
        all_digits(int_part) && (!int_part.is_empty() || frac.is_some())
    };
    if !int_ok || !frac_ok {
        return Err(CellProblem::NotANumber);
    }
    if let Some(d) = short_unsigned(s) {
        return Ok(d);
    }
    let parsed = if s.bytes().any(|b| matches!(b, b',' | b'+')) {
        let cleaned: String = s.chars().filter(|c| !matches!(c, ',' | '+')).collect();
        Decimal::from_str_exact(&cleaned)
    } else {
        Decimal::from_str_exact(s)
    };
    parsed.map_err(|_| CellProblem::TooLarge)
}

/// A checked plain decimal of at most 19 characters, no sign and no grouping (most cells),
/// read digit by digit: the same value and scale as [`Decimal::from_str_exact`].
fn short_unsigned(s: &str) -> Option<Decimal> {
    if s.len() > 19 {
        return None;
    }
    let (mut mantissa, mut scale, mut dot) = (0i64, 0u32, false);
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
                scale += u32::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    Decimal::try_new(mantissa, scale).ok()
}

/// `1,000` / `12,345,678`: a first group of 1–3 digits, then groups of exactly 3.
fn grouped(s: &str) -> bool {
    let mut groups = s.split(',');
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    first_ok && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// A number with no unit written: in the column's unit.
fn apply(d: Decimal, mode: &NumMode) -> Result<Decimal, CellProblem> {
    match mode {
        NumMode::Plain | NumMode::Fraction => Ok(d),
        NumMode::Unit(u) => d.checked_mul(u.factor).ok_or(CellProblem::TooLarge),
        NumMode::PercentPoints => hundredth(d),
    }
}

fn hundredth(d: Decimal) -> Result<Decimal, CellProblem> {
    d.checked_div(Decimal::ONE_HUNDRED)
        .ok_or(CellProblem::TooLarge)
}

/// `85%`: allowed in percent columns only.
fn percent(d: Decimal, mode: &NumMode) -> Result<Decimal, CellProblem> {
    match mode {
        NumMode::PercentPoints | NumMode::Fraction => hundredth(d),
        NumMode::Plain => Err(other_unit("%", "no unit")),
        NumMode::Unit(u) => Err(other_unit("%", &u.name)),
    }
}

/// `6000万元`, `1500 ㎡`: the column's unit in any spelling; any other unit is an error.
fn with_unit(d: Decimal, suffix: &str, mode: &NumMode) -> Result<Decimal, CellProblem> {
    let Ok(found) = units::resolve(suffix.split('/').map(str::trim)) else {
        let exponent = suffix
            .strip_prefix(['e', 'E'])
            .is_some_and(|e| e.parse::<i32>().is_ok());
        return Err(if exponent {
            CellProblem::NotANumber
        } else {
            CellProblem::UnknownUnit(suffix.to_string())
        });
    };
    match mode {
        NumMode::Unit(u) if u.dim == found.dim && u.factor == found.factor => apply(d, mode),
        NumMode::Unit(u) => Err(other_unit(suffix, &u.name)),
        NumMode::Plain => Err(other_unit(suffix, "no unit")),
        NumMode::PercentPoints | NumMode::Fraction => Err(other_unit(suffix, "%")),
    }
}

fn other_unit(found: &str, declared: &str) -> CellProblem {
    CellProblem::OtherUnit {
        found: found.to_string(),
        declared: declared.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn unit(name: &str) -> NumMode {
        NumMode::Unit(units::resolve(name.split('/')).unwrap())
    }
    fn num(s: &str, mode: &NumMode) -> Result<Decimal, CellProblem> {
        num_text(s, mode, false)
    }

    /// The one-pass reading of common cells gives what the general path gives, on
    /// every string of up to four characters over digits, separators, signs, white
    /// space and full-width forms, and on random longer ones, for every kind it reads.
    #[test]
    fn plain_cells_read_as_the_general_path_reads_them() {
        let kinds = [
            Kind::Num {
                mode: NumMode::Plain,
                int: false,
            },
            Kind::Num {
                mode: NumMode::Plain,
                int: true,
            },
            Kind::Num {
                mode: unit("万元"),
                int: false,
            },
            Kind::Num {
                mode: unit("m2"),
                int: false,
            },
            Kind::Num {
                mode: NumMode::PercentPoints,
                int: false,
            },
            Kind::Num {
                mode: NumMode::Fraction,
                int: false,
            },
            Kind::Bool,
            Kind::Date,
        ];
        let alphabet: Vec<char> = "0179.,-+/ %是否１\u{3000}".chars().collect();
        let mut cells: Vec<String> = vec![String::new()];
        let mut layer = vec![String::new()];
        for _ in 0..4 {
            layer = layer
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            cells.extend(layer.iter().cloned());
        }
        let words = [
            "true",
            "false",
            "TRUE",
            "是",
            "否",
            "2024-01-01",
            "2024/1/1",
            "2024-02-30",
            "2024-01-1 ",
            "２０２４-01-01",
            "202４-1-1",
            "99999999999999999",
            "123456789012345678",
            "1234567890123456789",
            "9999999999999999999",
            "0.000000000000001",
            "12.50",
            "1,000",
            "85%",
            "3万元",
        ];
        cells.extend(words.iter().map(|w| w.to_string()));
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let len = (state % 19) as usize;
            let cell: String = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            cells.push(cell);
        }
        let mut fast = 0;
        for kind in &kinds {
            for cell in &cells {
                let Some(v) = convert_plain(kind, cell) else {
                    continue;
                };
                fast += 1;
                let general = convert(kind, Cell::Text(cell)).ok();
                assert_eq!(Some(&v), general.as_ref(), "{kind:?} {cell:?}");
                // The same digits too, not only an equal number.
                if let (Value::Num(a), Some(Value::Num(b))) = (&v, &general) {
                    assert_eq!(a.scale(), b.scale(), "{kind:?} {cell:?}");
                }
            }
        }
        // The one-pass path did read thousands of them (2,815 when written).
        assert!(fast > 2_000, "{fast}");
    }

    #[test]
    fn short_numbers_read_as_the_decimal_parser_reads_them() {
        for s in [
            "0",
            "00",
            "658",
            "0.5",
            "12.50",
            ".5",
            "1234567890.12345678",
            "999999999999999999",
            "0.00000000000000001",
            "1.0",
        ] {
            let fast = short_unsigned(s).unwrap();
            let slow = Decimal::from_str_exact(s).unwrap();
            assert_eq!((fast, fast.scale()), (slow, slow.scale()), "{s}");
        }
        for s in [
            "-1",
            "+1",
            "1,000",
            "1.2.3",
            "1e5",
            "12345678901234567890",
            "0.000000000000000001",
            "9999999999999999999",
        ] {
            assert_eq!(short_unsigned(s), None, "{s}");
        }
    }

    #[test]
    fn dates_of_ten_characters_read_as_their_parts_do() {
        for s in [
            "2024-01-01",
            "2024/12/31",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "0000-01-01",
            "9999-12-31",
            "2024-01/01",
            "2024.01.01",
            "2024-1-011",
            "20x4-01-01",
        ] {
            assert_eq!(parse_date(s), parse_date_parts(s), "{s}");
        }
    }

    #[test]
    fn no_white_space_starts_with_a_solid_lead() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let lead = c.encode_utf8(&mut buf).as_bytes().first().copied();
            assert!(
                !(c.is_whitespace() && lead.is_some_and(solid)),
                "{c:?} is white space"
            );
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\x0Ba\x0B",
            "\u{3000}１２０\u{3000}",
            "\u{a0}x",
            "x\u{85}",
            "\t12\r",
            "园区",
            " 园区 ",
            "a b",
            "\u{feff}a",
            "平湖\u{3000}",
            "\u{2003}平湖",
            "平湖公司",
            "中",
            "\u{1680}平湖",
            "平湖\u{2028}",
            "平湖\u{205f}",
            "é\u{a0}",
            "\u{a0}é",
            "ü",
            "\u{3000}",
            "光机电 ",
            "😀",
            " 😀",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn quantities_take_the_column_unit() {
        assert_eq!(num("6000", &unit("万元")), Ok(d("60000000")));
        assert_eq!(num("6000万元", &unit("万元")), Ok(d("60000000")));
        assert_eq!(num("6000 万元", &unit("万元")), Ok(d("60000000")));
        assert_eq!(num("1500", &unit("m2")), Ok(d("2.25")));
        assert_eq!(num("1500㎡", &unit("m2")), Ok(d("2.25")));
        assert_eq!(
            num("25元/m2/月", &unit("元/m2/月")),
            num("25", &unit("元/m2/月"))
        );
    }

    #[test]
    fn another_unit_is_an_error_even_when_convertible() {
        assert_eq!(num("1500 m2", &unit("亩")), Err(other_unit("m2", "亩")));
        assert_eq!(
            num("6000万", &unit("万元")),
            Err(CellProblem::UnknownUnit("万".into()))
        );
    }

    #[test]
    fn percents_and_fractions() {
        assert_eq!(num("85", &NumMode::PercentPoints), Ok(d("0.85")));
        assert_eq!(num("85%", &NumMode::PercentPoints), Ok(d("0.85")));
        assert_eq!(num("0.85", &NumMode::Fraction), Ok(d("0.85")));
        assert_eq!(num("85 %", &NumMode::Fraction), Ok(d("0.85")));
        assert_eq!(num("85%", &NumMode::Plain), Err(other_unit("%", "no unit")));
    }

    #[test]
    fn plain_decimals_and_thousands_groups() {
        assert_eq!(parse_plain("-12.50"), Ok(d("-12.5")));
        assert_eq!(parse_plain("1,234,567.5"), Ok(d("1234567.5")));
        for bad in [
            "1,00",
            ",100",
            "1.",
            "1_000",
            "1e5",
            "",
            "-",
            "1.2.3",
            "1,000.0,0",
        ] {
            assert_eq!(parse_plain(bad), Err(CellProblem::NotANumber), "{bad}");
        }
        assert_eq!(
            parse_plain("99999999999999999999999999999999"),
            Err(CellProblem::TooLarge)
        );
    }

    #[test]
    fn json_numbers_are_exact() {
        assert_eq!(num_json("0.1", &NumMode::Plain, false), Ok(d("0.1")));
        assert_eq!(num_json("1.5e3", &unit("m2"), false), Ok(d("2.25")));
        assert_eq!(
            num_json("2.5", &NumMode::Plain, true),
            Err(CellProblem::NotWhole)
        );
    }

    #[test]
    fn full_width_forms_read_as_ascii() {
        let cell = |s| {
            convert(
                &Kind::Num {
                    mode: NumMode::PercentPoints,
                    int: false,
                },
                Cell::Text(s),
            )
        };
        assert_eq!(cell("８５％"), Ok(Value::Num(d("0.85"))));
        assert_eq!(
            convert(&Kind::Date, Cell::Text("２０２４／１／１")),
            Ok(Value::Date(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()))
        );
        assert_eq!(half_width("1500㎡"), "1500㎡");
    }

    #[test]
    fn bools_and_dates() {
        assert_eq!(parse_bool("是"), Ok(true));
        assert_eq!(parse_bool("FALSE"), Ok(false));
        assert_eq!(parse_bool("yes"), Err(CellProblem::NotBool));
        assert_eq!(
            parse_date("2024/1/1"),
            NaiveDate::from_ymd_opt(2024, 1, 1).ok_or(CellProblem::NotDate)
        );
        assert_eq!(parse_date("2024-02-30"), Err(CellProblem::NoSuchDate));
        assert_eq!(parse_date("2024-1/1"), Err(CellProblem::NotDate));
        assert_eq!(parse_date("24-01-01"), Err(CellProblem::NotDate));
    }
}
