//! `--format snapshot`: the diff-friendly listing that insta snapshots and pull
//! requests show.
//!
//! Consumes a [`ReportInput`]; produces a title line, one line per outcome in report
//! order, a totals block per rule and per family, the budget total and the skipped
//! rows:
//!
//! ```text
//! 园区 PH-001  建设补助      amount          500万元 (5000000)  [exception 薄弱镇园区]
//! 园区 PH-001  配套用房比例  violation       非生产性配套用房占比 9% 超过 7%
//! 园区 PH-002  运营奖励      not_applicable  when 入驻率 >= 70%
//! ```
//!
//! **Alignment rule.** Column widths are computed only from *names*, never from
//! outcome values: the entity column from the entity names of the policy, the key
//! column from the keys of that entity's records, the rule column from the names of
//! that entity's rules (key and rule widths rounded up to a multiple of 4 columns), the
//! status column fixed at 14 (`not_applicable`). The varying part (amount, message,
//! failed `when`, error) comes last and is never padded. So a rule change that
//! widens an amount or rewords a message changes exactly the lines of the outcomes
//! that changed, never the alignment of the others; only adding a rule or record with
//! a longer name than any before (past the next multiple of 4) re-aligns, and then
//! only within its entity's section. Trailing spaces are never written.

use crate::program::{EntityId, Program, StatusKind};
use crate::report::text::counts_text;
use crate::report::{
    Names, OutcomeView, ReportInput, RuleTotal, budget_total, display_width, family_totals,
    is_amount_family, ordered, pad_to, rule_totals, title, wan,
};
use crate::value::plain_decimal;
use rust_decimal::Decimal;
use std::io::{self, Write};

const STATUS_WIDTH: usize = 14;
const FAMILY_WIDTH: usize = 11;

/// The column widths of one entity's section.
struct Widths {
    entity: usize,
    key: usize,
    rule: usize,
}

fn round4(n: usize) -> usize {
    n.div_ceil(4) * 4
}

fn widths(ctx: &ReportInput, entity: EntityId) -> Widths {
    let key = ctx
        .dataset
        .table(entity)
        .map(|t| t.records.iter().map(|r| display_width(&r.key)).max())
        .unwrap_or_default()
        .unwrap_or(0);
    Widths {
        entity: entity_width(ctx.program),
        key: round4(key),
        rule: round4(crate::report::text::rule_width(ctx.program, entity)),
    }
}

fn entity_width(program: &Program) -> usize {
    program
        .entities
        .iter()
        .map(|e| display_width(&e.name))
        .max()
        .unwrap_or(0)
}

/// Write the snapshot listing.
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    writeln!(w, "# {}", title(ctx.program, ctx.as_of))?;
    let mut section: Option<(EntityId, Widths)> = None;
    let names = Names::of(ctx.program);
    for o in ordered(ctx.outcomes) {
        if section.as_ref().map(|s| s.0) != Some(o.entity) {
            section = Some((o.entity, widths(ctx, o.entity)));
        }
        let Some((_, wd)) = &section else { continue };
        let v = OutcomeView::named(&names, ctx.program, ctx.dataset, o);
        let line = format!(
            "{} {}  {}  {}  {}",
            pad_to(&v.entity, wd.entity),
            pad_to(&v.key, wd.key),
            pad_to(&v.rule, wd.rule),
            pad_to(v.status.name(), STATUS_WIDTH),
            value(&v)
        );
        writeln!(w, "{}", line.trim_end())?;
    }
    write_totals(w, ctx)?;
    if !ctx.skipped.is_empty() {
        writeln!(w)?;
        writeln!(w, "# skipped rows ({})", ctx.skipped.len())?;
        for s in ctx.skipped {
            writeln!(w, "{} row {}: {}", s.file, s.row, s.reason)?;
        }
    }
    Ok(())
}

/// Money as `500万元 (5000000)`: readable and exact in 元.
pub fn money(d: Decimal) -> String {
    format!("{} ({})", wan(d), plain_decimal(d))
}

fn value(v: &OutcomeView) -> String {
    let none = String::new();
    let mut s = match v.status {
        StatusKind::Amount => v.amount.map(money).unwrap_or_default(),
        StatusKind::Pass => String::new(),
        StatusKind::Violation => v.message.clone().unwrap_or_default(),
        StatusKind::NotApplicable => {
            format!("when {}", v.failed_when.as_deref().unwrap_or(&none))
        }
        StatusKind::Error => format!(
            "{} at {}",
            v.error.as_ref().unwrap_or(&none),
            v.location.as_ref().unwrap_or(&none)
        ),
    };
    if let Some(e) = &v.exception {
        s.push_str(&format!("  [exception {e}]"));
    }
    s
}

fn total_line(t: &RuleTotal) -> String {
    if is_amount_family(t.family) {
        let m = t.money.map_or_else(|| "overflow".to_string(), money);
        format!("{m}  {}", counts_text(t))
    } else {
        counts_text(t)
    }
}

fn write_totals(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    let rules = rule_totals(ctx.program, ctx.outcomes);
    let ew = entity_width(ctx.program);
    let rw = round4(
        rules
            .iter()
            .map(|r| display_width(&r.rule))
            .max()
            .unwrap_or(0),
    );
    writeln!(w)?;
    writeln!(w, "# totals by rule")?;
    for r in &rules {
        writeln!(
            w,
            "{} {}  {}  {}",
            pad_to(&r.entity, ew),
            pad_to(&r.rule, rw),
            pad_to(r.family.name(), FAMILY_WIDTH),
            total_line(r)
        )?;
    }
    let families = family_totals(&rules);
    writeln!(w)?;
    writeln!(w, "# totals by family")?;
    for f in &families {
        writeln!(
            w,
            "{}  {}",
            pad_to(f.family.name(), FAMILY_WIDTH),
            total_line(f)
        )?;
    }
    let budget = budget_total(&families);
    writeln!(w)?;
    writeln!(
        w,
        "# budget total (subsidy + reward): {}",
        budget.map_or_else(|| "overflow".to_string(), money)
    )
}
