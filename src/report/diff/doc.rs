//! The diff as a document: headings, lines, bullet lists and tables, built once and
//! rendered as text, markdown or HTML.
//!
//! Consumes a [`Diff`]; produces [`Block`]s in a fixed order: summary, totals by family,
//! totals by rule, outcomes by status, one section per `--by` field, rule definitions
//! (causes per rule), new violations, violations resolved, changed outcomes grouped by
//! rule. Inline code is marked with backticks in the strings; each renderer decides how
//! to show it.

use crate::program::StatusKind;
use crate::report::diff::render::{causes, def_change, outcome, percent, signed_count, signed_wan};
use crate::report::diff::{Cause, Diff, Money, PolicyRef, Presence, RuleDelta};
use crate::report::{is_amount_family, status_index, wan};

/// One piece of the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// Level 2 (title) or 3 (section) or 4 (subsection).
    Heading(u8, String),
    Line(String),
    Bullets(Vec<String>),
    Table(Table),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub head: Vec<String>,
    /// Right-aligned columns (numbers).
    pub right: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn new(head: &[&str], right: &[bool]) -> Table {
        Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            right: right.to_vec(),
            rows: Vec::new(),
        }
    }
}

fn policy(p: &PolicyRef) -> String {
    let v = p
        .version
        .as_deref()
        .map_or_else(String::new, |v| format!(" (version {v})"));
    format!("{}{v}, as of {}", p.name, p.as_of.format("%Y-%m-%d"))
}

/// Build the document of a diff.
pub fn document(d: &Diff) -> Vec<Block> {
    let mut out = vec![Block::Heading(2, "Policy impact".to_string())];
    out.push(Block::Bullets(vec![
        format!("base: {}", policy(&d.base)),
        format!("revised: {}", policy(&d.revised)),
        match money_cells(&d.budget) {
            [b, r, c, p] if !d.budget.overflow => {
                format!("budget effect (subsidy + reward): {c} ({b} → {r}, {p})")
            }
            _ => "budget effect (subsidy + reward): overflow".to_string(),
        },
        format!(
            "changed outcomes: {}; new violations: {}; no longer violating: {}",
            d.changes.len(),
            d.new_violations.len(),
            d.resolved_violations.len()
        ),
    ]));
    families(d, &mut out);
    rules(d, &mut out);
    statuses(d, &mut out);
    breakdowns(d, &mut out);
    definitions(d, &mut out);
    violations(d, &mut out);
    changes(d, &mut out);
    out
}

fn money_cells(m: &Money) -> [String; 4] {
    if m.overflow {
        return [
            "overflow".to_string(),
            "overflow".to_string(),
            String::new(),
            String::new(),
        ];
    }
    [
        wan(m.base),
        wan(m.revised),
        signed_wan(m.change()),
        percent(m),
    ]
}

fn families(d: &Diff, out: &mut Vec<Block>) {
    out.push(Block::Heading(3, "Totals by family".to_string()));
    let mut t = Table::new(
        &["family", "base", "revised", "change", "% change"],
        &[false, true, true, true, true],
    );
    for f in &d.families {
        let mut row = vec![f.family.name().to_string()];
        match &f.money {
            Some(m) => row.extend(money_cells(m)),
            None => row.extend([
                violations_text(f.violations.0),
                violations_text(f.violations.1),
                signed_count(f.violations.0, f.violations.1),
                String::new(),
            ]),
        }
        t.rows.push(row);
    }
    out.push(Block::Table(t));
}

fn violations_text(n: usize) -> String {
    if n == 1 {
        "1 violation".to_string()
    } else {
        format!("{n} violations")
    }
}

fn presence(r: &RuleDelta) -> &'static str {
    match r.presence {
        Presence::Added => "added",
        Presence::Removed => "removed",
        Presence::Both => {
            if r.causes
                .iter()
                .any(|c| matches!(c, Cause::RuleChanged { .. }))
            {
                "changed"
            } else {
                ""
            }
        }
    }
}

fn rules(d: &Diff, out: &mut Vec<Block>) {
    out.push(Block::Heading(3, "Totals by rule".to_string()));
    let mut t = Table::new(
        &[
            "rule", "entity", "family", "base", "revised", "change", "% change", "changed",
            "rule is",
        ],
        &[false, false, false, true, true, true, true, true, false],
    );
    let vi = status_index(StatusKind::Violation).unwrap_or(3);
    for r in &d.rules {
        let mut row = vec![
            r.name.clone(),
            r.entity.clone(),
            r.family.name().to_string(),
        ];
        if is_amount_family(r.family) {
            row.extend(money_cells(&r.money));
        } else {
            let b = r.base_counts.get(vi).copied().unwrap_or(0);
            let v = r.revised_counts.get(vi).copied().unwrap_or(0);
            row.extend([
                violations_text(b),
                violations_text(v),
                signed_count(b, v),
                String::new(),
            ]);
        }
        row.push(r.changed.to_string());
        row.push(presence(r).to_string());
        t.rows.push(row);
    }
    out.push(Block::Table(t));
}

fn statuses(d: &Diff, out: &mut Vec<Block>) {
    out.push(Block::Heading(3, "Outcomes by status".to_string()));
    let mut t = Table::new(
        &["status", "base", "revised", "change"],
        &[false, true, true, true],
    );
    for s in &d.statuses {
        t.rows.push(vec![
            s.status.name().to_string(),
            s.base.to_string(),
            s.revised.to_string(),
            signed_count(s.base, s.revised),
        ]);
    }
    out.push(Block::Table(t));
}

fn breakdowns(d: &Diff, out: &mut Vec<Block>) {
    for b in &d.breakdowns {
        out.push(Block::Heading(3, format!("By {}", b.field)));
        let mut t = Table::new(
            &[
                &b.field,
                "base",
                "revised",
                "change",
                "% change",
                "changed",
                "new violations",
            ],
            &[false, true, true, true, true, true, true],
        );
        for r in &b.rows {
            let mut row = vec![r.value.clone()];
            row.extend(money_cells(&r.money));
            row.push(r.changed.to_string());
            row.push(r.new_violations.to_string());
            t.rows.push(row);
        }
        out.push(Block::Table(t));
    }
}

fn definitions(d: &Diff, out: &mut Vec<Block>) {
    let changed: Vec<&RuleDelta> = d.rules.iter().filter(|r| !r.causes.is_empty()).collect();
    if changed.is_empty() {
        return;
    }
    out.push(Block::Heading(3, "Rule definitions".to_string()));
    for r in changed {
        let mut items = Vec::new();
        for c in &r.causes {
            items.push(crate::report::diff::render::cause(c));
            if let Cause::RuleChanged { changes, .. } = c {
                items.extend(changes.iter().map(|x| format!("  {}", def_change(x))));
            }
        }
        out.push(Block::Line(format!(
            "{} ({}, {}):",
            r.name,
            r.entity,
            r.family.name()
        )));
        out.push(Block::Bullets(items));
    }
}

fn violations(d: &Diff, out: &mut Vec<Block>) {
    for (title, ixs, new) in [
        ("New violations", &d.new_violations, true),
        ("No longer violating", &d.resolved_violations, false),
    ] {
        if ixs.is_empty() {
            continue;
        }
        out.push(Block::Heading(3, format!("{title} ({})", ixs.len())));
        let other = if new { "before" } else { "now" };
        let mut t = Table::new(&["entity", "key", "rule", "message", other], &[false; 5]);
        for c in ixs.iter().filter_map(|i| d.changes.get(*i)) {
            let (v, other) = if new {
                (c.after.as_ref(), c.before.as_ref())
            } else {
                (c.before.as_ref(), c.after.as_ref())
            };
            let msg = v.and_then(|v| v.message.clone()).unwrap_or_default();
            t.rows.push(vec![
                c.entity.clone(),
                c.key.clone(),
                c.rule.clone(),
                msg,
                outcome(other),
            ]);
        }
        out.push(Block::Table(t));
    }
}

fn changes(d: &Diff, out: &mut Vec<Block>) {
    if d.changes.is_empty() {
        out.push(Block::Heading(3, "Changed outcomes (0)".to_string()));
        return;
    }
    out.push(Block::Heading(
        3,
        format!("Changed outcomes ({})", d.changes.len()),
    ));
    for r in d.rules.iter().filter(|r| r.changed > 0) {
        out.push(Block::Heading(
            4,
            format!(
                "{} ({}, {}): {} changed",
                r.name,
                r.entity,
                r.family.name(),
                r.changed
            ),
        ));
        let mut t = Table::new(
            &["key", "before", "after", "change", "cause"],
            &[false, false, false, true, false],
        );
        for c in d.changes.iter().filter(|c| c.rule == r.name) {
            t.rows.push(vec![
                c.key.clone(),
                outcome(c.before.as_ref()),
                outcome(c.after.as_ref()),
                c.change.map(|x| signed_wan(Some(x))).unwrap_or_default(),
                causes(&c.causes),
            ]);
        }
        out.push(Block::Table(t));
    }
}
