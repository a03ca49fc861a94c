//! Units and dimensions: the one table of every unit the language knows.
//!
//! Consumes unit names as written (`万元`, `亩`, `元/㎡`); produces a [`Dim`] (exponents
//! of money, area, months and days) and an exact factor to the internal base unit.
//! Base units are chosen so common conversions stay exact decimals: money in 元,
//! area in 亩 (1 m2 = 0.0015 亩, 1 公顷 = 15 亩), calendar durations in 月
//! (1 年 = 12 月), day durations in 日. Months and days are separate dimensions:
//! a month has no fixed number of days, so mixing them is a check error.

use rust_decimal::Decimal;
use std::cell::RefCell;
use std::fmt;

/// Exponents of the base dimensions. All zero is a plain number (int, number, percent).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Dim {
    pub money: i8,
    pub area: i8,
    pub months: i8,
    pub days: i8,
}

impl Dim {
    pub const NONE: Dim = Dim {
        money: 0,
        area: 0,
        months: 0,
        days: 0,
    };
    pub const MONEY: Dim = Dim {
        money: 1,
        ..Dim::NONE
    };
    pub const AREA: Dim = Dim {
        area: 1,
        ..Dim::NONE
    };
    pub const MONTHS: Dim = Dim {
        months: 1,
        ..Dim::NONE
    };
    pub const DAYS: Dim = Dim {
        days: 1,
        ..Dim::NONE
    };

    pub fn is_none(self) -> bool {
        self == Dim::NONE
    }

    /// The dimension of a product; `None` when an exponent leaves `i8`.
    pub fn times(self, o: Dim) -> Option<Dim> {
        Some(Dim {
            money: self.money.checked_add(o.money)?,
            area: self.area.checked_add(o.area)?,
            months: self.months.checked_add(o.months)?,
            days: self.days.checked_add(o.days)?,
        })
    }

    /// The dimension of a quotient; `None` when an exponent leaves `i8`.
    pub fn per(self, o: Dim) -> Option<Dim> {
        Some(Dim {
            money: self.money.checked_sub(o.money)?,
            area: self.area.checked_sub(o.area)?,
            months: self.months.checked_sub(o.months)?,
            days: self.days.checked_sub(o.days)?,
        })
    }

    /// The unit a value of this dimension is best shown in (`万元`, `m2`, `万元/亩`).
    pub fn display_unit(self) -> String {
        // A price per area per unit of time is a rent, quoted in 元/m2/月 (元/m2/日).
        let rent = self.money > 0 && self.area < 0 && (self.months < 0 || self.days < 0);
        let parts = [
            (self.money, if rent { "元" } else { "万元" }),
            (
                self.area,
                if self.money != 0 && !rent {
                    "亩"
                } else {
                    "m2"
                },
            ),
            (self.months, "月"),
            (self.days, "日"),
        ];
        join_unit(&parts)
    }

    /// The dimension's name as a type (`money`, `area`, `money/area`).
    pub fn type_name(self) -> String {
        let parts = [
            (self.money, "money"),
            (self.area, "area"),
            (self.months, "duration"),
            (self.days, "days"),
        ];
        let s = join_unit(&parts);
        if s.is_empty() { "number".into() } else { s }
    }
}

fn join_unit(parts: &[(i8, &str)]) -> String {
    let mut num = Vec::new();
    let mut den = Vec::new();
    for &(exp, name) in parts {
        let target = if exp > 0 { &mut num } else { &mut den };
        for _ in 0..exp.unsigned_abs() {
            target.push(name);
        }
    }
    let mut s = if num.is_empty() && !den.is_empty() {
        "1".to_string()
    } else {
        num.join("·")
    };
    for d in den {
        s.push('/');
        s.push_str(d);
    }
    s
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.type_name())
    }
}

/// One unit atom: its dimension and how many base units one of it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitAtom {
    pub name: &'static str,
    pub dim: Dim,
    /// Base units per one of this unit, as a decimal string (parsed on use).
    factor: &'static str,
}

impl UnitAtom {
    pub fn factor(&self) -> Decimal {
        self.factor.parse().unwrap_or(Decimal::ONE)
    }
}

/// Every unit atom the language knows. Keep this the only table of units.
pub const UNITS: &[UnitAtom] = &[
    UnitAtom {
        name: "元",
        dim: Dim::MONEY,
        factor: "1",
    },
    UnitAtom {
        name: "万元",
        dim: Dim::MONEY,
        factor: "10000",
    },
    UnitAtom {
        name: "亿元",
        dim: Dim::MONEY,
        factor: "100000000",
    },
    UnitAtom {
        name: "亩",
        dim: Dim::AREA,
        factor: "1",
    },
    UnitAtom {
        name: "m2",
        dim: Dim::AREA,
        factor: "0.0015",
    },
    UnitAtom {
        name: "㎡",
        dim: Dim::AREA,
        factor: "0.0015",
    },
    UnitAtom {
        name: "m²",
        dim: Dim::AREA,
        factor: "0.0015",
    },
    UnitAtom {
        name: "平方米",
        dim: Dim::AREA,
        factor: "0.0015",
    },
    UnitAtom {
        name: "公顷",
        dim: Dim::AREA,
        factor: "15",
    },
    UnitAtom {
        name: "年",
        dim: Dim::MONTHS,
        factor: "12",
    },
    UnitAtom {
        name: "years",
        dim: Dim::MONTHS,
        factor: "12",
    },
    UnitAtom {
        name: "月",
        dim: Dim::MONTHS,
        factor: "1",
    },
    UnitAtom {
        name: "months",
        dim: Dim::MONTHS,
        factor: "1",
    },
    UnitAtom {
        name: "日",
        dim: Dim::DAYS,
        factor: "1",
    },
    UnitAtom {
        name: "天",
        dim: Dim::DAYS,
        factor: "1",
    },
    UnitAtom {
        name: "days",
        dim: Dim::DAYS,
        factor: "1",
    },
];

/// The pseudo-unit of `percent in fraction`: cells hold 0.85 for 85%.
pub const FRACTION: &str = "fraction";

pub fn atom(name: &str) -> Option<&'static UnitAtom> {
    UNITS.iter().find(|u| u.name == name)
}

/// A resolved compound unit: dimension and exact factor to base units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// As written, for messages and output headers (`万元/亩`).
    pub name: String,
    pub dim: Dim,
    pub factor: Decimal,
}

impl Unit {
    /// A value in base units expressed in this unit. Converts atom by atom (÷ the
    /// numerator's factor, × each denominator's), so a unit whose overall factor does
    /// not terminate (`元/m2` is 1/0.0015 元/亩) still converts exactly where the
    /// atoms do: 25 元/m2/月 in base units shows as `25`, not `24.99…`.
    pub fn from_base(&self, d: Decimal) -> Option<Decimal> {
        let mut atoms = self.name.split('/').map(atom);
        match atoms.next() {
            Some(Some(first)) => {
                let mut v = d.checked_div(first.factor())?;
                for a in atoms {
                    v = v.checked_mul(a?.factor())?;
                }
                Some(v)
            }
            _ => d.checked_div(self.factor),
        }
    }

    pub fn dimensionless() -> Unit {
        Unit {
            name: String::new(),
            dim: Dim::NONE,
            factor: Decimal::ONE,
        }
    }
}

/// Why a written unit could not be resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitError {
    /// The named atom is not a unit.
    Unknown(String),
    /// The exponents or the factor do not fit.
    TooLarge,
}

/// Resolve `num/den1/den2…` to a [`Unit`].
pub fn resolve<'a>(atoms: impl IntoIterator<Item = &'a str>) -> Result<Unit, UnitError> {
    let mut iter = atoms.into_iter();
    let mut name = String::new();
    let mut dim = Dim::NONE;
    let mut factor = Decimal::ONE;
    let mut first = true;
    for a in iter.by_ref() {
        let u = atom(a).ok_or_else(|| UnitError::Unknown(a.to_string()))?;
        if first {
            dim = u.dim;
            factor = u.factor();
            name.push_str(a);
            first = false;
        } else {
            dim = dim.per(u.dim).ok_or(UnitError::TooLarge)?;
            factor = factor.checked_div(u.factor()).ok_or(UnitError::TooLarge)?;
            name.push('/');
            name.push_str(a);
        }
    }
    Ok(Unit { name, dim, factor })
}

/// The preferred unit for showing a value of a dimension, resolved. Each thread keeps
/// the units it resolved (a program has a few dimensions; resolving one parses its
/// name, and a diff shows a number in every violation message).
pub fn display_unit(dim: Dim) -> Unit {
    thread_local! {
        static RESOLVED: RefCell<Vec<(Dim, Unit)>> = const { RefCell::new(Vec::new()) };
    }
    RESOLVED.with_borrow_mut(|resolved| {
        if let Some((_, u)) = resolved.iter().find(|(d, _)| *d == dim) {
            return u.clone();
        }
        let u = resolve_display_unit(dim);
        resolved.push((dim, u.clone()));
        u
    })
}

fn resolve_display_unit(dim: Dim) -> Unit {
    let name = dim.display_unit();
    if name.is_empty() {
        return Unit::dimensionless();
    }
    if name.contains('·') || name.starts_with('1') {
        // Products of dimensions have no named unit; show base units.
        return Unit {
            name: String::new(),
            dim,
            factor: Decimal::ONE,
        };
    }
    resolve(name.split('/')).unwrap_or(Unit {
        name: String::new(),
        dim,
        factor: Decimal::ONE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn mu_and_m2_convert_exactly() {
        assert_eq!(resolve(["m2"]).map(|u| u.factor), Ok(d("0.0015")));
        assert_eq!(resolve(["公顷"]).map(|u| u.factor), Ok(d("15")));
    }

    #[test]
    fn compound_unit_divides_dimensions() {
        let u = resolve(["万元", "亩"]);
        assert_eq!(
            u.map(|u| (u.dim, u.factor)),
            Ok((Dim::MONEY.per(Dim::AREA).unwrap_or_default(), d("10000")))
        );
    }

    #[test]
    fn unknown_atom_is_named() {
        assert_eq!(resolve(["斤"]), Err(UnitError::Unknown("斤".to_string())));
    }

    #[test]
    fn rents_show_per_m2_exactly() {
        let rent = Dim::MONEY
            .per(Dim::AREA)
            .and_then(|d| d.per(Dim::MONTHS))
            .unwrap_or_default();
        let unit = display_unit(rent);
        assert_eq!(unit.name, "元/m2/月");
        let base = resolve(["元", "m2", "月"])
            .map(|u| u.factor * d("25"))
            .unwrap_or_default();
        assert_eq!(unit.from_base(base).map(|v| v.normalize()), Some(d("25")));
    }

    #[test]
    fn display_units_are_readable() {
        assert_eq!(Dim::MONEY.display_unit(), "万元");
        assert_eq!(
            Dim::MONEY.per(Dim::AREA).unwrap_or_default().display_unit(),
            "万元/亩"
        );
        assert_eq!(Dim::AREA.display_unit(), "m2");
    }
}
