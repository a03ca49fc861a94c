//! Exact arithmetic, comparison, rounding and calendar operations on runtime values.
//!
//! Consumes [`Decimal`]s in base units and dates; produces values or typed
//! [`EvalError`]s carrying the span of the expression that failed. `+ - *` are exact
//! (`Decimal` rounds only past its 28 significant digits); `/` by zero is an error, never
//! a panic. Calendar arithmetic follows the Civil Code of the PRC (art. 201): a period
//! counted in months or years ends on the corresponding day of the last month, or on
//! that month's last day when it has no such day — so 2020-02-29 plus one year is
//! 2021-02-28, and the first anniversary of a Feb 29 falls on Feb 28.

use crate::eval::err::EvalError;
use crate::span::Span;
use crate::value::{Value, plain_decimal};
use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;

/// The result of evaluating something; errors are boxed so the `Ok` path stays small.
pub(crate) type R<T> = Result<T, Box<EvalError>>;

pub(crate) fn overflow(span: Span) -> Box<EvalError> {
    Box::new(EvalError::Overflow { span })
}

pub(crate) fn internal(what: &str, span: Span) -> Box<EvalError> {
    Box::new(EvalError::Internal {
        what: what.to_string(),
        span,
    })
}

pub(crate) fn add(a: Decimal, b: Decimal, span: Span) -> R<Decimal> {
    a.checked_add(b).ok_or_else(|| overflow(span))
}

pub(crate) fn sub(a: Decimal, b: Decimal, span: Span) -> R<Decimal> {
    a.checked_sub(b).ok_or_else(|| overflow(span))
}

pub(crate) fn mul(a: Decimal, b: Decimal, span: Span) -> R<Decimal> {
    a.checked_mul(b).ok_or_else(|| overflow(span))
}

pub(crate) fn div(a: Decimal, b: Decimal, span: Span) -> R<Decimal> {
    if b.is_zero() {
        return Err(Box::new(EvalError::DivisionByZero { span }));
    }
    a.checked_div(b).ok_or_else(|| overflow(span))
}

/// Order two values of the same comparable type (numbers, dates, texts).
pub(crate) fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// `places` as a whole number of decimal places in `-28..=28`.
fn whole_places(places: Decimal, span: Span) -> R<i32> {
    if !places.is_integer() {
        return Err(Box::new(EvalError::NotWhole {
            value: plain_decimal(places),
            unit: "decimal places".to_string(),
            span,
        }));
    }
    let p = i32::try_from(places.mantissa() / 10i128.pow(places.scale()))
        .map_err(|_| overflow(span))?;
    if !(-28..=28).contains(&p) {
        return Err(overflow(span));
    }
    Ok(p)
}

/// Round `x` to `places` decimal places (negative: to tens, hundreds, …) in the
/// given direction. Places count in base units (元 for money, 亩 for area).
pub(crate) fn round_to(
    x: Decimal,
    places: Decimal,
    strategy: RoundingStrategy,
    span: Span,
) -> R<Decimal> {
    let p = whole_places(places, span)?;
    if p >= 0 {
        return Ok(x.round_dp_with_strategy(p.unsigned_abs(), strategy));
    }
    let factor = Decimal::from_i128_with_scale(10i128.pow(p.unsigned_abs()), 0);
    let scaled = div(x, factor, span)?.round_dp_with_strategy(0, strategy);
    mul(scaled, factor, span)
}

/// `round(x, p)`: half away from zero (四舍五入).
pub(crate) fn round_half_away(x: Decimal, places: Decimal, span: Span) -> R<Decimal> {
    round_to(x, places, RoundingStrategy::MidpointAwayFromZero, span)
}

pub(crate) fn floor_to(x: Decimal, places: Decimal, span: Span) -> R<Decimal> {
    round_to(x, places, RoundingStrategy::ToNegativeInfinity, span)
}

pub(crate) fn ceil_to(x: Decimal, places: Decimal, span: Span) -> R<Decimal> {
    round_to(x, places, RoundingStrategy::ToPositiveInfinity, span)
}

/// A duration as a whole count of its unit (`1.5 月` is not a whole number of months).
fn whole_count(n: Decimal, unit: &str, span: Span) -> R<i64> {
    let not_whole = || {
        Box::new(EvalError::NotWhole {
            value: plain_decimal(n),
            unit: unit.to_string(),
            span,
        })
    };
    if !n.is_integer() {
        return Err(not_whole());
    }
    let whole = n.mantissa() / 10i128.pow(n.scale());
    i64::try_from(whole).map_err(|_| Box::new(EvalError::DateOutOfRange { span }))
}

/// `date + n months` (negative n goes back), clamping to the month's last day.
pub(crate) fn add_months(date: NaiveDate, months: Decimal, span: Span) -> R<NaiveDate> {
    let n = whole_count(months, "months", span)?;
    let out_of_range = || Box::new(EvalError::DateOutOfRange { span });
    let m = Months::new(u32::try_from(n.unsigned_abs()).map_err(|_| out_of_range())?);
    let moved = if n >= 0 {
        date.checked_add_months(m)
    } else {
        date.checked_sub_months(m)
    };
    moved.ok_or_else(out_of_range)
}

/// `date + n days` (negative n goes back).
pub(crate) fn add_days(date: NaiveDate, days: Decimal, span: Span) -> R<NaiveDate> {
    let n = whole_count(days, "days", span)?;
    let d = Days::new(n.unsigned_abs());
    let moved = if n >= 0 {
        date.checked_add_days(d)
    } else {
        date.checked_sub_days(d)
    };
    moved.ok_or_else(|| Box::new(EvalError::DateOutOfRange { span }))
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> Decimal {
    Decimal::from(to.signed_duration_since(from).num_days())
}

/// Whole years completed from `from` to `to`, by anniversary; negative (the years
/// completed from `to` to `from`, negated) when `to` is earlier. The anniversary of
/// Feb 29 in a common year is Feb 28 (see the module header).
pub(crate) fn years_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return -years_between(to, from);
    }
    let mut years = i64::from(to.year()) - i64::from(from.year());
    while years > 0 && anniversary(from, years).is_none_or(|a| a > to) {
        years -= 1;
    }
    years
}

/// The `n`th anniversary of a date (Feb 29 → Feb 28 in common years).
fn anniversary(date: NaiveDate, years: i64) -> Option<NaiveDate> {
    let months = u32::try_from(years.checked_mul(12)?).ok()?;
    date.checked_add_months(Months::new(months))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn sp() -> Span {
        Span::default()
    }
    fn round(x: &str, p: &str) -> Decimal {
        round_half_away(d(x), d(p), sp()).unwrap()
    }

    #[test]
    fn round_is_half_away_from_zero() {
        assert_eq!(round("2.5", "0"), d("3"));
        assert_eq!(round("-2.5", "0"), d("-3"));
        assert_eq!(round("1.005", "2"), d("1.01"));
        assert_eq!(round("1.0049", "2"), d("1"));
        assert_eq!(round("12345", "-4"), d("10000"));
        assert_eq!(round("15000", "-4"), d("20000"));
    }

    #[test]
    fn floor_and_ceil_go_to_their_side() {
        assert_eq!(floor_to(d("-1.25"), d("1"), sp()).unwrap(), d("-1.3"));
        assert_eq!(ceil_to(d("-1.25"), d("1"), sp()).unwrap(), d("-1.2"));
        assert_eq!(floor_to(d("7.99"), d("0"), sp()).unwrap(), d("7"));
        assert_eq!(ceil_to(d("7.01"), d("0"), sp()).unwrap(), d("8"));
    }

    #[test]
    fn fractional_places_are_an_error() {
        let e = round_half_away(d("1"), d("0.5"), sp()).unwrap_err();
        assert_eq!(e.code_name(), "not_whole");
    }

    #[test]
    fn division_by_zero_and_overflow_are_typed() {
        assert_eq!(
            div(d("1"), d("0"), sp()).unwrap_err().code_name(),
            "division_by_zero"
        );
        assert_eq!(
            mul(Decimal::MAX, d("2"), sp()).unwrap_err().code_name(),
            "overflow"
        );
        assert_eq!(
            add(Decimal::MAX, d("1"), sp()).unwrap_err().code_name(),
            "overflow"
        );
    }

    #[test]
    fn division_rounds_only_past_28_digits() {
        let third = div(d("1"), d("3"), sp()).unwrap();
        assert_eq!(third.to_string(), "0.3333333333333333333333333333");
        assert_eq!(div(d("6000"), d("0.0015"), sp()).unwrap(), d("4000000"));
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(
            add_months(date("2024-01-31"), d("1"), sp()).unwrap(),
            date("2024-02-29")
        );
        assert_eq!(
            add_months(date("2020-02-29"), d("12"), sp()).unwrap(),
            date("2021-02-28")
        );
        assert_eq!(
            add_months(date("2024-03-31"), d("-1"), sp()).unwrap(),
            date("2024-02-29")
        );
        assert_eq!(
            add_days(date("2024-02-28"), d("2"), sp()).unwrap(),
            date("2024-03-01")
        );
    }

    #[test]
    fn fractional_months_are_an_error() {
        let e = add_months(date("2024-01-31"), d("1.5"), sp()).unwrap_err();
        assert_eq!(e.code_name(), "not_whole");
    }

    #[test]
    fn years_between_counts_anniversaries() {
        assert_eq!(years_between(date("2021-07-01"), date("2024-06-30")), 2);
        assert_eq!(years_between(date("2021-07-01"), date("2024-07-01")), 3);
        assert_eq!(years_between(date("2020-02-29"), date("2021-02-27")), 0);
        assert_eq!(years_between(date("2020-02-29"), date("2021-02-28")), 1);
        assert_eq!(years_between(date("2020-02-29"), date("2024-02-28")), 3);
        assert_eq!(years_between(date("2020-02-29"), date("2024-02-29")), 4);
        assert_eq!(years_between(date("2024-07-01"), date("2021-07-01")), -3);
        assert_eq!(years_between(date("2024-07-01"), date("2024-07-01")), 0);
    }

    #[test]
    fn days_between_is_signed() {
        assert_eq!(days_between(date("2024-02-28"), date("2024-03-01")), d("2"));
        assert_eq!(
            days_between(date("2024-03-01"), date("2024-02-28")),
            d("-2")
        );
    }

    #[test]
    fn comparison_is_exact() {
        let a = Value::Num(d("0.07"));
        let b = Value::Num(d("0.0700000000000000000000000001"));
        assert_eq!(compare(&a, &b), Some(Ordering::Less));
        assert_eq!(
            compare(&Value::Num(d("1.0")), &Value::Num(d("1"))),
            Some(Ordering::Equal)
        );
        assert_eq!(compare(&a, &Value::Bool(true)), None);
    }
}
