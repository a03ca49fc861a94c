//! Runtime values, and how a value is shown to a person.
//!
//! Produced by the data loader (cells) and the evaluator; consumed by the evaluator and
//! the reports. Numbers are exact decimals in base units (元, 亩, 月, 日; see
//! [`crate::units`]); percents are fractions (15% is `0.15`). Showing a value converts
//! it to a readable unit (`500万元`, `85%`) without rounding it: output formatting never
//! changes a value.

use crate::program::{NumHint, Program, Ty};
use crate::units::{self, Dim};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Bool(bool),
    /// In base units.
    Num(Decimal),
    Date(NaiveDate),
    Text(Text),
    /// Index of the variant in its enum.
    Enum(usize),
    /// A record of another entity: its index in that entity's table.
    Ref(usize),
    List(Arc<[Value]>),
    /// An empty cell of an optional (`T?`) field.
    Blank,
    /// A field a `test` record did not give; reading it fails the test.
    Missing,
}

/// A text value. Most texts of the data are short (an industry, a town, a key of 18
/// characters): up to [`Text::SHORT`] bytes are held in the value itself, so reading
/// a cell allocates nothing, and copying or dropping a value touches no count shared
/// with another core (a text read by every firm of a park, on both cores, or a firm's
/// made by one thread and dropped by another). Longer texts are shared. Equal texts
/// are equal whichever way they are held. Made only from whole `str`s, so its bytes
/// are always UTF-8.
#[derive(Clone)]
pub struct Text(Held);

#[derive(Clone)]
enum Held {
    Short { len: u8, bytes: [u8; Text::SHORT] },
    Shared(Arc<str>),
}

impl Text {
    /// The longest text held in place, in UTF-8 bytes (a value stays 24 bytes).
    pub const SHORT: usize = 22;

    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Only whole `str`s are held (see `From<&str>`): this never gives "".
            Held::Short { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Held::Shared(s) => s,
        }
    }

    /// The text's UTF-8 bytes, read without checking them again.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Held::Short { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            Held::Shared(s) => s.as_bytes(),
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        let mut bytes = [0u8; Text::SHORT];
        match (bytes.get_mut(..s.len()), u8::try_from(s.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(s.as_bytes());
                Text(Held::Short { len, bytes })
            }
            _ => Text(Held::Shared(Arc::from(s))),
        }
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        if s.len() <= Text::SHORT {
            Text::from(s.as_str())
        } else {
            Text(Held::Shared(Arc::from(s)))
        }
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        if s.len() <= Text::SHORT {
            Text::from(&*s)
        } else {
            Text(Held::Shared(s))
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// As `str` orders: byte by byte.
impl Ord for Text {
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

/// As `str` hashes: its bytes, then `0xff`.
impl std::hash::Hash for Text {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
        state.write_u8(0xff);
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Value {
    pub fn as_num(&self) -> Option<Decimal> {
        match self {
            Value::Num(d) => Some(*d),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// A decimal without trailing zeros, never in exponent form (`5000000`, `0.15`): what
/// `d.normalize().to_string()` gives, written from the digits of the mantissa (a
/// million amounts are written in a run; the mantissa's digits are taken in 64 bits
/// when it fits, as it nearly always does).
pub fn plain_decimal(d: Decimal) -> String {
    let mut bytes = Vec::with_capacity(32);
    plain_decimal_into(&mut bytes, d);
    // The bytes are ASCII digits, a sign and a point.
    String::from_utf8(bytes).unwrap_or_else(|_| d.normalize().to_string())
}

/// [`plain_decimal`] appended to `out` (a million amounts are written in a run: no
/// string is made for each).
pub fn plain_decimal_into(out: &mut Vec<u8>, d: Decimal) {
    let m = d.mantissa().unsigned_abs();
    if m == 0 {
        out.push(b'0');
        return;
    }
    // The mantissa's digits, least significant first (29 at most: it has 96 bits),
    // taken in 64 bits: those under 10^19, then those above (dividing 128 bits by
    // ten at every digit took most of the time of a computed amount's 28 digits).
    let mut digits = [b'0'; 40];
    let len = match u64::try_from(m) {
        Ok(small) => low_digits(&mut digits, small, 1),
        Err(_) => {
            const TEN_19: u128 = 10_000_000_000_000_000_000;
            let (Ok(high), Ok(low)) = (u64::try_from(m / TEN_19), u64::try_from(m % TEN_19)) else {
                out.extend_from_slice(d.normalize().to_string().as_bytes());
                return;
            };
            let n = low_digits(&mut digits, low, 19);
            n + digits
                .get_mut(n..)
                .map_or(0, |rest| low_digits(rest, high, 1))
        }
    };
    // Trailing zeros of the fraction dropped (the mantissa is not zero: a digit stays).
    let (mut low, mut scale) = (0, d.scale() as usize);
    while scale > 0 && digits.get(low) == Some(&b'0') {
        low += 1;
        scale -= 1;
    }
    let kept = digits.get_mut(low..len).unwrap_or_default();
    kept.reverse();
    if d.is_sign_negative() {
        out.push(b'-');
    }
    match kept.len().checked_sub(scale) {
        Some(0) | None => {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', scale - kept.len()));
            out.extend_from_slice(kept);
        }
        Some(whole) => {
            let (int, frac) = kept.split_at(whole);
            out.extend_from_slice(int);
            if !frac.is_empty() {
                out.push(b'.');
                out.extend_from_slice(frac);
            }
        }
    }
}

/// The decimal digits of `v` into `out`, least significant first, at least `min` of
/// them (zeros above `v`'s own); how many were written.
fn low_digits(out: &mut [u8], mut v: u64, min: usize) -> usize {
    let mut n = 0;
    for slot in out.iter_mut() {
        if v == 0 && n >= min {
            break;
        }
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
        n += 1;
    }
    n
}

/// A number of the given dimension, converted from base units to its display unit,
/// with the unit appended (`500万元`, `120亩`, `85%`, `3`). Exact: no rounding beyond
/// the 28 significant digits of the conversion itself.
pub fn show_num(d: Decimal, dim: Dim, hint: NumHint) -> String {
    if dim.is_none() {
        return match hint {
            NumHint::Percent => match d.checked_mul(Decimal::ONE_HUNDRED) {
                Some(p) => format!("{}%", plain_decimal(p)),
                None => plain_decimal(d),
            },
            _ => plain_decimal(d),
        };
    }
    let twelve = Decimal::from(12);
    if dim == Dim::MONTHS && !d.is_zero() && (d % twelve).is_zero() {
        // Whole years read better as years: `5年`, not `60月`.
        return format!("{}年", plain_decimal(d / twelve));
    }
    let unit = units::display_unit(dim);
    if unit.name.is_empty() {
        return format!("{} {}", plain_decimal(d), dim.type_name());
    }
    match unit.from_base(d) {
        // A conversion that does not terminate (50 亩 is 33333.33… m2) reads better,
        // and stays exact, in the base unit when it has a name.
        Some(v) if v.normalize().scale() >= INEXACT_SCALE => match base_unit(dim) {
            Some(base) => format!("{}{base}", plain_decimal(d)),
            None => format!("{}{}", plain_decimal(v), unit.name),
        },
        Some(v) => format!("{}{}", plain_decimal(v), unit.name),
        None => format!("{} {}", plain_decimal(d), dim.type_name()),
    }
}

/// Digits after the point from which a converted value is taken as cut off.
const INEXACT_SCALE: u32 = 20;

/// The named unit whose factor is 1 for a simple dimension (`亩` for areas).
fn base_unit(dim: Dim) -> Option<&'static str> {
    units::UNITS
        .iter()
        .find(|u| u.dim == dim && u.factor() == Decimal::ONE)
        .map(|u| u.name)
}

/// Show any value of a known type (enum variants by name, references by key when the
/// caller resolves them; here a reference shows its row index).
pub fn show(value: &Value, ty: &Ty, program: &Program) -> String {
    match (value, ty) {
        (Value::Bool(b), _) => if *b { "true" } else { "false" }.to_string(),
        (Value::Num(d), Ty::Num(dim, hint)) => show_num(*d, *dim, *hint),
        (Value::Num(d), _) => plain_decimal(*d),
        (Value::Date(d), _) => d.format("%Y-%m-%d").to_string(),
        (Value::Text(t), _) => t.to_string(),
        (Value::Enum(i), Ty::Enum(e)) => program
            .enum_def(*e)
            .and_then(|def| def.variants.get(*i))
            .cloned()
            .unwrap_or_else(|| format!("#{i}")),
        (Value::Enum(i), _) => format!("#{i}"),
        (Value::Ref(i), _) => format!("#{i}"),
        (Value::List(items), Ty::List(inner)) => {
            let parts: Vec<String> = items.iter().map(|v| show(v, inner, program)).collect();
            format!("[{}]", parts.join(", "))
        }
        (Value::List(items), _) => format!("[{} items]", items.len()),
        (Value::Blank, _) => "(blank)".to_string(),
        (Value::Missing, _) => "(not given)".to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, RandomState};

    #[test]
    fn a_value_stays_24_bytes() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    /// A text held in place and the same text shared are one value: equal, ordered
    /// and hashed as their `str`s are, shown the same.
    #[test]
    fn texts_are_their_strs_however_held() {
        let hasher = RandomState::new();
        let texts = [
            "",
            "箱包",
            "汽车零部件",
            "91330482MA3LCEK36E",
            "0123456789012345678901", // 22 bytes: the longest held in place
            "01234567890123456789012",
            "平湖市当湖街道光机电产业小微企业园",
            "a\u{0}b",
        ];
        for a in texts {
            let held = Text::from(a);
            let in_place = matches!(held.0, Held::Short { .. });
            assert_eq!(in_place, a.len() <= Text::SHORT, "{a}");
            let shared = Text(Held::Shared(Arc::from(a)));
            for t in [
                &held,
                &shared,
                &Text::from(Arc::<str>::from(a)),
                &Text::from(a.to_string()),
            ] {
                assert_eq!(t.as_str(), a);
                assert_eq!(t.to_string(), a);
                assert_eq!(format!("{t:?}"), format!("{a:?}"));
                assert_eq!(*t, held);
                assert_eq!(hasher.hash_one(t), hasher.hash_one(&held));
                assert_eq!(hasher.hash_one(t), hasher.hash_one(a));
            }
            for b in texts {
                assert_eq!(
                    Text::from(a).cmp(&Text(Held::Shared(Arc::from(b)))),
                    a.cmp(b),
                    "{a} {b}"
                );
                assert_eq!(Text::from(a) == Text::from(b), a == b);
            }
        }
    }

    /// The digits written from the mantissa are those of `normalize().to_string()`.
    #[test]
    fn plain_decimals_are_the_normalized_display() {
        let mut rng = fastrand::Rng::with_seed(7);
        let mut cases: Vec<Decimal> = vec![
            Decimal::ZERO,
            Decimal::new(-0, 3),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 28),
            Decimal::new(-1, 28),
            Decimal::new(5_000_000, 0),
            Decimal::new(15, 2),
            Decimal::new(1500, 4),
            Decimal::new(-120, 1),
        ];
        // Around where the digits are taken in two parts: 2^64 and 10^19, 10^20.
        for m in [
            u128::from(u64::MAX),
            u128::from(u64::MAX) + 1,
            10u128.pow(19) - 1,
            10u128.pow(19),
            10u128.pow(19) + 7,
            10u128.pow(20),
            10u128.pow(20) + 10u128.pow(19),
        ] {
            for scale in [0, 1, 19, 20, 28] {
                let m = i128::try_from(m).unwrap();
                cases.push(Decimal::try_from_i128_with_scale(m, scale).unwrap());
                cases.push(Decimal::try_from_i128_with_scale(-m, scale).unwrap());
            }
        }
        for _ in 0..20_000 {
            let bits = rng.u128(..) >> rng.u32(0..128);
            let m = i128::try_from(bits % (1u128 << 96)).unwrap_or(0);
            let m = if rng.bool() { -m } else { m };
            if let Ok(d) = Decimal::try_from_i128_with_scale(m, rng.u32(0..=28)) {
                cases.push(d);
            }
        }
        for d in cases {
            let n = d.normalize();
            let expected = if n.is_zero() {
                "0".to_string()
            } else {
                n.to_string()
            };
            assert_eq!(plain_decimal(d), expected, "{d:?}");
            // Appended after what is there.
            let mut out = b"[".to_vec();
            plain_decimal_into(&mut out, d);
            assert_eq!(out, format!("[{expected}").into_bytes(), "{d:?}");
        }
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn areas_show_in_m2_unless_that_does_not_terminate() {
        let area = |s| show_num(d(s), Dim::AREA, NumHint::Number);
        // 1500 m2 is 2.25 亩 (base): exact in m2.
        assert_eq!(area("2.25"), "1500m2");
        // 50 亩 is 33333.33… m2: shown in 亩, exactly.
        assert_eq!(area("50"), "50亩");
        // A money total that divides evenly stays in 万元.
        assert_eq!(
            show_num(d("7735000"), Dim::MONEY, NumHint::Number),
            "773.5万元"
        );
    }

    #[test]
    fn money_shows_in_wan_yuan() {
        assert_eq!(
            show_num(d("5000000"), Dim::MONEY, NumHint::Number),
            "500万元"
        );
        assert_eq!(
            show_num(d("12345"), Dim::MONEY, NumHint::Number),
            "1.2345万元"
        );
    }

    #[test]
    fn percent_shows_with_sign() {
        assert_eq!(show_num(d("0.085"), Dim::NONE, NumHint::Percent), "8.5%");
    }

    #[test]
    fn whole_years_show_as_years() {
        assert_eq!(show_num(d("60"), Dim::MONTHS, NumHint::Number), "5年");
        assert_eq!(show_num(d("18"), Dim::MONTHS, NumHint::Number), "18月");
        assert_eq!(show_num(d("0"), Dim::MONTHS, NumHint::Number), "0月");
    }

    #[test]
    fn area_shows_in_m2() {
        assert_eq!(show_num(d("1.5"), Dim::AREA, NumHint::Number), "1000m2");
    }
}
