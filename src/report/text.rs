//! `--format text`: outcomes for a person at a terminal.
//!
//! Consumes a [`ReportInput`]; produces the policy line, then one block per record
//! (entity and key as a heading, one line per rule with its result), then totals per
//! rule and per family and the budget total, then the skipped rows. Money is shown in
//! 万元, exactly (`1.2345万元`, never rounded). Columns are aligned by display width
//! (a Chinese character takes two columns).

use crate::program::{EntityId, Program, StatusKind};
use crate::report::{
    OutcomeView, ReportInput, RuleTotal, Skipped, budget_total, display_width, family_totals,
    is_amount_family, ordered, pad_to, rule_totals, title, wan,
};
use std::io::{self, Write};

const FAMILY_WIDTH: usize = 11;

/// Write the text report.
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    writeln!(w, "{}", title(ctx.program, ctx.as_of))?;
    let widths: Vec<usize> = (0..ctx.program.entities.len())
        .map(|e| rule_width(ctx.program, EntityId(e)))
        .collect();
    let mut current: Option<(EntityId, usize)> = None;
    for o in ordered(ctx.outcomes) {
        let v = OutcomeView::new(ctx.program, ctx.dataset, o);
        if current != Some((o.entity, o.record)) {
            current = Some((o.entity, o.record));
            writeln!(w)?;
            writeln!(w, "{} {}", v.entity, v.key)?;
        }
        let rule_w = widths.get(o.entity.0).copied().unwrap_or(0);
        let line = format!(
            "  {}  {}  {}",
            pad_to(&v.rule, rule_w),
            pad_to(v.family_name(), FAMILY_WIDTH),
            result(&v)
        );
        writeln!(w, "{}", line.trim_end())?;
    }
    write_totals(w, ctx)?;
    write_skipped(w, ctx.skipped)
}

/// The widest rule name among the rules of one entity.
pub fn rule_width(program: &Program, entity: EntityId) -> usize {
    program
        .rules_for(entity)
        .map(|(_, r)| display_width(&r.name))
        .max()
        .unwrap_or(0)
}

/// The result of one outcome in words (`500万元  [exception 薄弱镇园区]`).
pub fn result(v: &OutcomeView) -> String {
    let none = String::new();
    let mut s = match v.status {
        StatusKind::Amount => v.amount.map(wan).unwrap_or_default(),
        StatusKind::Pass => "pass".to_string(),
        StatusKind::Violation => format!("violation: {}", v.message.as_ref().unwrap_or(&none)),
        StatusKind::NotApplicable => format!(
            "not applicable: when {}",
            v.failed_when.as_ref().unwrap_or(&none)
        ),
        StatusKind::Error => format!(
            "error: {} at {}",
            v.error.as_ref().unwrap_or(&none),
            v.location.as_ref().unwrap_or(&none)
        ),
    };
    if let Some(e) = &v.exception {
        s.push_str(&format!("  [exception {e}]"));
    }
    s
}

/// `3 amount, 1 not_applicable` (statuses with a non-zero count, in fixed order).
pub fn counts_text(t: &RuleTotal) -> String {
    let parts: Vec<String> = StatusKind::ALL
        .into_iter()
        .filter(|k| t.count(*k) > 0)
        .map(|k| format!("{} {}", t.count(k), k.name()))
        .collect();
    if parts.is_empty() {
        "no outcomes".to_string()
    } else {
        parts.join(", ")
    }
}

/// The money of an amount family then its counts; only the counts for a check family.
pub fn total_text(t: &RuleTotal) -> String {
    if !is_amount_family(t.family) {
        return counts_text(t);
    }
    let money = t.money.map_or_else(|| "overflow".to_string(), wan);
    format!("{money} ({})", counts_text(t))
}

fn write_totals(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    let rules = rule_totals(ctx.program, ctx.outcomes);
    let name_w = rules
        .iter()
        .map(|r| display_width(&r.entity) + 1 + display_width(&r.rule))
        .max()
        .unwrap_or(0);
    writeln!(w)?;
    writeln!(w, "Totals by rule")?;
    for r in &rules {
        let name = format!("{} {}", r.entity, r.rule);
        let line = format!(
            "  {}  {}  {}",
            pad_to(&name, name_w),
            pad_to(r.family.name(), FAMILY_WIDTH),
            total_text(r)
        );
        writeln!(w, "{line}")?;
    }
    let families = family_totals(&rules);
    writeln!(w)?;
    writeln!(w, "Totals by family")?;
    for f in &families {
        let line = format!(
            "  {}  {}",
            pad_to(f.family.name(), FAMILY_WIDTH),
            total_text(f)
        );
        writeln!(w, "{line}")?;
    }
    let budget = budget_total(&families);
    writeln!(w)?;
    writeln!(
        w,
        "Budget total (subsidy + reward): {}",
        budget.map_or_else(|| "overflow".to_string(), wan)
    )
}

/// The skipped rows, if any, as a last block (shared with the snapshot format).
pub fn write_skipped(w: &mut dyn Write, skipped: &[Skipped]) -> io::Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(w, "Skipped rows ({})", skipped.len())?;
    for s in skipped {
        writeln!(w, "  {} row {}: {}", s.file, s.row, s.reason)?;
    }
    Ok(())
}
