//! `--format xlsx`: outcomes as an Excel workbook, for drafters who work in Excel.
//!
//! Consumes a [`ReportInput`]; produces the bytes of an `.xlsx` file with the sheets
//! - `结果`: one row per outcome (record × rule), the columns of `--format csv` with
//!   Chinese headers: 实体, 主键, 规则, 类别, 状态, 金额(万元), 金额(元), 例外, 依据,
//!   说明, 未满足条件, 错误, 位置;
//! - `合计`: per rule, per family, and the budget total (奖补 + 运营奖励): counts per
//!   status and the money;
//! - `跳过的行`: only with `--skip-bad-records` rows left out (文件, 行, 原因).
//!
//! Money is an Excel number in 万元 (number format `#,##0.00####"万元"`: at least 2 and up to
//! 6 decimals, to the 分, shown with the unit), next to the exact amount in 元 as text. The number is the one
//! place an exact decimal becomes an `f64`: a spreadsheet stores every number as one,
//! and a drafter wants to sum and chart the column. It is converted from the exact
//! decimal text (correctly rounded to the nearest `f64`), never computed in floating
//! point. Statuses and families are written in Chinese (金额, 不适用, 通过, 违反, 错误;
//! 奖补, 租售限制, 配套比例, 运营奖励). Each sheet has its header row frozen, a filter
//! on it, and columns as wide as their content (capped).
//!
//! Deterministic: the workbook's creation date is a fixed 2000-01-01 (rust_xlsxwriter
//! would write the clock's), so the same inputs give the same bytes.

use crate::ast::Family;
use crate::program::StatusKind;
use crate::report::{
    Names, OutcomeView, ReportInput, RuleTotal, budget_total, display_width, family_totals,
    ordered, rule_totals, title,
};
use crate::value::plain_decimal;
use rust_decimal::Decimal;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};
use std::io::{self, Write};

/// Write the workbook (see the module doc).
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    let mut book = workbook(&title(ctx.program, ctx.as_of)).map_err(io::Error::other)?;
    outcomes_sheet(&mut book, ctx).map_err(io::Error::other)?;
    totals_sheet(&mut book, ctx).map_err(io::Error::other)?;
    if !ctx.skipped.is_empty() {
        skipped_sheet(&mut book, ctx).map_err(io::Error::other)?;
    }
    save(&mut book, w)
}

/// A workbook with fixed document properties (see the module doc).
pub fn workbook(title: &str) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let props = DocProperties::new()
        .set_title(title)
        .set_author("parkrules")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    book.set_properties(&props);
    Ok(book)
}

/// The workbook's bytes to `w`.
pub fn save(book: &mut Workbook, w: &mut dyn Write) -> io::Result<()> {
    let bytes = book.save_to_buffer().map_err(io::Error::other)?;
    w.write_all(&bytes)
}

/// The family's name in Chinese, as the policies call them.
pub fn family_zh(f: Family) -> &'static str {
    match f {
        Family::Subsidy => "奖补",
        Family::Restriction => "租售限制",
        Family::Ratio => "配套比例",
        Family::Reward => "运营奖励",
    }
}

/// The status's name in Chinese.
pub fn status_zh(s: StatusKind) -> &'static str {
    match s {
        StatusKind::Amount => "金额",
        StatusKind::NotApplicable => "不适用",
        StatusKind::Pass => "通过",
        StatusKind::Violation => "违反",
        StatusKind::Error => "错误",
    }
}

const OUTCOME_COLUMNS: [&str; 13] = [
    "实体",
    "主键",
    "规则",
    "类别",
    "状态",
    "金额(万元)",
    "金额(元)",
    "例外",
    "依据",
    "说明",
    "未满足条件",
    "错误",
    "位置",
];

fn outcomes_sheet(book: &mut Workbook, ctx: &ReportInput) -> Result<(), XlsxError> {
    let mut s = Sheet::new("结果", &OUTCOME_COLUMNS)?;
    let names = Names::of(ctx.program);
    for o in ordered(ctx.outcomes) {
        let v = OutcomeView::named(&names, ctx.program, ctx.dataset, o);
        s.next_row();
        let texts: [&str; 3] = [&v.entity, &v.key, &v.rule];
        for (col, t) in (0..).zip(texts) {
            s.text(col, t)?;
        }
        s.text(3, v.family.map_or("", family_zh))?;
        s.text(4, status_zh(v.status))?;
        if let Some(d) = v.amount {
            s.money(5, Some(d))?;
            s.text(6, &plain_decimal(d))?;
        }
        let rest = [
            v.exception.as_deref(),
            v.cite.as_deref(),
            v.message.as_deref(),
            v.failed_when.as_deref(),
            v.error.as_deref(),
            v.location.as_deref(),
        ];
        for (col, t) in (7..).zip(rest) {
            s.text(col, t.unwrap_or(""))?;
        }
    }
    book.push_worksheet(s.finish()?);
    Ok(())
}

const TOTAL_COLUMNS: [&str; 10] = [
    "层级",
    "名称",
    "实体",
    "类别",
    "金额",
    "不适用",
    "通过",
    "违反",
    "错误",
    "金额合计(万元)",
];

fn totals_sheet(book: &mut Workbook, ctx: &ReportInput) -> Result<(), XlsxError> {
    let mut s = Sheet::new("合计", &TOTAL_COLUMNS)?;
    let rules = rule_totals(ctx.program, ctx.outcomes);
    let families = family_totals(&rules);
    for r in &rules {
        total_row(&mut s, "规则", &r.rule, r)?;
    }
    for f in &families {
        total_row(&mut s, "类别", family_zh(f.family), f)?;
    }
    s.next_row();
    s.text(0, "预算")?;
    s.text(1, "预算合计（奖补 + 运营奖励）")?;
    s.money(9, budget_total(&families))?;
    book.push_worksheet(s.finish()?);
    Ok(())
}

fn total_row(s: &mut Sheet, level: &str, name: &str, t: &RuleTotal) -> Result<(), XlsxError> {
    s.next_row();
    s.text(0, level)?;
    s.text(1, name)?;
    s.text(2, &t.entity)?;
    s.text(3, family_zh(t.family))?;
    for (col, kind) in (4..).zip(StatusKind::ALL) {
        s.count(col, t.count(kind))?;
    }
    if crate::report::is_amount_family(t.family) {
        s.money(9, t.money)?;
    }
    Ok(())
}

fn skipped_sheet(book: &mut Workbook, ctx: &ReportInput) -> Result<(), XlsxError> {
    let mut s = Sheet::new("跳过的行", &["文件", "行", "原因"])?;
    for k in ctx.skipped {
        s.next_row();
        s.text(0, &k.file)?;
        s.count(1, k.row)?;
        s.text(2, &k.reason)?;
    }
    book.push_worksheet(s.finish()?);
    Ok(())
}

/// A sheet being filled row by row under a bold, frozen header, keeping the widest
/// text of each column to size it.
pub struct Sheet {
    ws: Worksheet,
    widths: Vec<usize>,
    row: u32,
    money: Format,
    percent: Format,
}

/// Columns are at most this wide (in characters; wider text wraps nowhere, it is cut
/// off at the next filled cell as Excel does).
const MAX_WIDTH: usize = 60;

impl Sheet {
    pub fn new(name: &str, header: &[&str]) -> Result<Sheet, XlsxError> {
        let mut ws = Worksheet::new();
        ws.set_name(name)?;
        let bold = Format::new().set_bold();
        for (col, h) in (0..).zip(header) {
            ws.write_string_with_format(0, col, *h, &bold)?;
        }
        Ok(Sheet {
            ws,
            widths: header.iter().map(|h| display_width(h)).collect(),
            row: 0,
            money: Format::new().set_num_format("#,##0.00####\"万元\""),
            percent: Format::new().set_num_format("0.00%"),
        })
    }

    pub fn next_row(&mut self) {
        self.row += 1;
    }

    fn widen(&mut self, col: u16, width: usize) {
        if let Some(w) = self.widths.get_mut(usize::from(col)) {
            *w = (*w).max(width.min(MAX_WIDTH));
        }
    }

    /// Text; nothing for the empty string (the cell stays empty).
    pub fn text(&mut self, col: u16, t: &str) -> Result<(), XlsxError> {
        if t.is_empty() {
            return Ok(());
        }
        self.widen(col, display_width(t));
        self.ws.write_string(self.row, col, t)?;
        Ok(())
    }

    /// A count.
    pub fn count(&mut self, col: u16, n: usize) -> Result<(), XlsxError> {
        let text = n.to_string();
        self.widen(col, text.len());
        self.ws.write_number(self.row, col, to_f64(&text))?;
        Ok(())
    }

    /// Money given in 元, written in 万元 (`None`: a sum that overflowed, as text).
    pub fn money(&mut self, col: u16, yuan: Option<Decimal>) -> Result<(), XlsxError> {
        let wan = yuan.and_then(|d| d.checked_div(Decimal::from(10_000)));
        let Some(wan) = wan else {
            return self.text(col, "overflow");
        };
        let text = plain_decimal(wan);
        self.widen(col, text.len() + 4);
        let format = self.money.clone();
        self.ws
            .write_number_with_format(self.row, col, to_f64(&text), &format)?;
        Ok(())
    }

    /// A percentage given in points (`12.5` for 12.5%), as an Excel percent.
    pub fn percent(&mut self, col: u16, points: Decimal) -> Result<(), XlsxError> {
        let fraction = points
            .checked_div(Decimal::ONE_HUNDRED)
            .unwrap_or(Decimal::ZERO);
        self.widen(col, plain_decimal(points).len() + 2);
        let format = self.percent.clone();
        let value = to_f64(&plain_decimal(fraction));
        self.ws
            .write_number_with_format(self.row, col, value, &format)?;
        Ok(())
    }

    /// The sheet, with column widths, the header frozen and a filter on it.
    pub fn finish(mut self) -> Result<Worksheet, XlsxError> {
        for (col, w) in (0..).zip(&self.widths) {
            // A little room for the filter button.
            let chars = u32::try_from(*w).unwrap_or(60) + 3;
            self.ws.set_column_width(col, chars)?;
        }
        self.ws.set_freeze_panes(1, 0)?;
        let last_col = u16::try_from(self.widths.len().saturating_sub(1)).unwrap_or(0);
        self.ws.autofilter(0, 0, self.row, last_col)?;
        Ok(self.ws)
    }
}

/// The `f64` nearest to an exact decimal's text (the one conversion to binary floating
/// point, at the spreadsheet's boundary; see the module doc).
fn to_f64(text: &str) -> f64 {
    text.parse().unwrap_or(0.0)
}
