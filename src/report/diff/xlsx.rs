//! `diff --format xlsx`: the impact report as an Excel workbook.
//!
//! Consumes a [`Diff`]; produces the bytes of an `.xlsx` file with the sheets
//! - `合计`: per rule (in the order of the other formats), per family, and the budget
//!   (奖补 + 运营奖励): money before (修订前), after (修订后), the change and its
//!   percent, violations before and after, how many outcomes changed, and the causes;
//! - `变化`: one row per changed outcome: the outcome before and after in words, the
//!   amounts, the change, whether it newly breaks (新增违反) or no longer breaks
//!   (消除违反) a limit, and the causes;
//! - `按<字段>`: one per `--by` field, its groups with money and changes.
//!
//! Money and percents are Excel numbers and written as in [`crate::report::xlsx`]
//! (万元, converted to `f64` only there); causes and outcomes use the words of the
//! text report.

use super::render;
use super::{Breakdown, Diff, Money, Presence, RecordChange};
use crate::report::is_amount_family;
use crate::report::xlsx::{Sheet, family_zh, save, workbook};
use rust_xlsxwriter::{Workbook, XlsxError};
use std::io::{self, Write};

/// Write the workbook (see the module doc).
pub fn write(w: &mut dyn Write, d: &Diff) -> io::Result<()> {
    let title = format!(
        "{} → {}, as of {}",
        d.base.name,
        d.revised.name,
        d.revised.as_of.format("%Y-%m-%d")
    );
    let mut book = workbook(&title).map_err(io::Error::other)?;
    totals(&mut book, d).map_err(io::Error::other)?;
    changes(&mut book, d).map_err(io::Error::other)?;
    let mut names: Vec<String> = Vec::new();
    for (i, b) in d.breakdowns.iter().enumerate() {
        let mut name = sheet_name(i, &b.field);
        if names.contains(&name) {
            name = format!("按字段{}", i + 1);
        }
        breakdown(&mut book, &name, b).map_err(io::Error::other)?;
        names.push(name);
    }
    save(&mut book, w)
}

const TOTAL_COLUMNS: [&str; 13] = [
    "层级",
    "名称",
    "实体",
    "类别",
    "规则",
    "修订前(万元)",
    "修订后(万元)",
    "变化(万元)",
    "变化率",
    "修订前违反",
    "修订后违反",
    "变化记录数",
    "原因",
];

fn totals(book: &mut Workbook, d: &Diff) -> Result<(), XlsxError> {
    let mut s = Sheet::new("合计", &TOTAL_COLUMNS)?;
    let violations = |c: &[usize; 5]| {
        crate::report::status_index(crate::program::StatusKind::Violation)
            .and_then(|i| c.get(i))
            .copied()
            .unwrap_or(0)
    };
    for r in &d.rules {
        s.next_row();
        s.text(0, "规则")?;
        s.text(1, &r.name)?;
        s.text(2, &r.entity)?;
        s.text(3, family_zh(r.family))?;
        s.text(4, presence_zh(r.presence))?;
        if is_amount_family(r.family) {
            money_cells(&mut s, 5, &r.money)?;
        } else {
            s.count(9, violations(&r.base_counts))?;
            s.count(10, violations(&r.revised_counts))?;
        }
        s.count(11, r.changed)?;
        if !r.causes.is_empty() {
            s.text(12, &render::causes(&r.causes))?;
        }
    }
    for f in &d.families {
        s.next_row();
        s.text(0, "类别")?;
        s.text(1, family_zh(f.family))?;
        s.text(3, family_zh(f.family))?;
        match &f.money {
            Some(m) => money_cells(&mut s, 5, m)?,
            None => {
                s.count(9, f.violations.0)?;
                s.count(10, f.violations.1)?;
            }
        }
    }
    s.next_row();
    s.text(0, "预算")?;
    s.text(1, "预算合计（奖补 + 运营奖励）")?;
    money_cells(&mut s, 5, &d.budget)?;
    book.push_worksheet(s.finish()?);
    Ok(())
}

/// Before, after, change and percent from column `col` on.
fn money_cells(s: &mut Sheet, col: u16, m: &Money) -> Result<(), XlsxError> {
    if m.overflow {
        for c in col..col + 4 {
            s.text(c, "overflow")?;
        }
        return Ok(());
    }
    s.money(col, Some(m.base))?;
    s.money(col + 1, Some(m.revised))?;
    s.money(col + 2, m.change())?;
    match m.percent() {
        Some(p) => s.percent(col + 3, p),
        None if m.revised.is_zero() => s.percent(col + 3, rust_decimal::Decimal::ZERO),
        None => s.text(col + 3, "新增"),
    }
}

fn presence_zh(p: Presence) -> &'static str {
    match p {
        Presence::Both => "均有",
        Presence::Added => "新增",
        Presence::Removed => "删除",
    }
}

const CHANGE_COLUMNS: [&str; 11] = [
    "实体",
    "主键",
    "规则",
    "类别",
    "修订前",
    "修订后",
    "修订前金额(万元)",
    "修订后金额(万元)",
    "变化(万元)",
    "违反",
    "原因",
];

fn changes(book: &mut Workbook, d: &Diff) -> Result<(), XlsxError> {
    let mut s = Sheet::new("变化", &CHANGE_COLUMNS)?;
    for (i, c) in d.changes.iter().enumerate() {
        s.next_row();
        change_row(&mut s, c)?;
        if d.new_violations.contains(&i) {
            s.text(9, "新增违反")?;
        } else if d.resolved_violations.contains(&i) {
            s.text(9, "消除违反")?;
        }
        s.text(10, &render::causes(&c.causes))?;
    }
    book.push_worksheet(s.finish()?);
    Ok(())
}

fn change_row(s: &mut Sheet, c: &RecordChange) -> Result<(), XlsxError> {
    s.text(0, &c.entity)?;
    s.text(1, &c.key)?;
    s.text(2, &c.rule)?;
    s.text(3, family_zh(c.family))?;
    s.text(4, &render::outcome(c.before.as_deref()))?;
    s.text(5, &render::outcome(c.after.as_deref()))?;
    if let Some(a) = c.before.as_deref().and_then(|v| v.amount) {
        s.money(6, Some(a))?;
    }
    if let Some(a) = c.after.as_deref().and_then(|v| v.amount) {
        s.money(7, Some(a))?;
    }
    if is_amount_family(c.family) {
        s.money(8, c.change)?;
    }
    Ok(())
}

const BY_COLUMNS: [&str; 7] = [
    "值",
    "修订前(万元)",
    "修订后(万元)",
    "变化(万元)",
    "变化率",
    "变化记录数",
    "新增违反",
];

fn breakdown(book: &mut Workbook, name: &str, b: &Breakdown) -> Result<(), XlsxError> {
    let mut s = Sheet::new(name, &BY_COLUMNS)?;
    for r in &b.rows {
        s.next_row();
        s.text(0, &r.value)?;
        money_cells(&mut s, 1, &r.money)?;
        s.count(5, r.changed)?;
        s.count(6, r.new_violations)?;
    }
    book.push_worksheet(s.finish()?);
    Ok(())
}

/// `按镇街道`; a field path with a character sheet names cannot hold, or too long
/// for one (31 characters), is named by its position (`按字段1`).
fn sheet_name(i: usize, field: &str) -> String {
    let name = format!("按{field}");
    let bad = |c: char| matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\'');
    if name.chars().count() <= 31 && !name.contains(bad) {
        name
    } else {
        format!("按字段{}", i + 1)
    }
}
