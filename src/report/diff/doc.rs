//! The diff as a document: headings, lines, bullet lists and tables, built once and
//! rendered as text, markdown or HTML.
//!
//! Consumes a [`Diff`]; produces [`Block`]s in a fixed order: summary, totals by family,
//! totals by rule, outcomes by status, one section per `--by` field, rule definitions
//! (causes per rule), new violations, violations resolved, changed outcomes grouped by
//! rule. Inline code is marked with backticks in the strings; each renderer decides how
//! to show it.

use crate::lang::Lang;
use crate::program::StatusKind;
use crate::report::diff::render::{
    cause_in, causes_in, def_change_in, outcome_in, percent_in, signed_count, signed_wan,
};
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

fn policy(p: &PolicyRef, lang: Lang) -> String {
    let date = p.as_of.format("%Y-%m-%d");
    match (lang, p.version.as_deref()) {
        (Lang::En, Some(v)) => format!("{} (version {v}), as of {date}", p.name),
        (Lang::En, None) => format!("{}, as of {date}", p.name),
        (Lang::Zh, Some(v)) => format!("{}（版本 {v}），基准日 {date}", p.name),
        (Lang::Zh, None) => format!("{}，基准日 {date}", p.name),
    }
}

/// Build the document of a diff.
pub fn document(d: &Diff) -> Vec<Block> {
    document_in(d, Lang::En)
}

/// Build the document of a diff with headings and fixed words in a language.
pub fn document_in(d: &Diff, lang: Lang) -> Vec<Block> {
    let t = |en: &str, zh: &str| lang.pick(en, zh).to_string();
    let mut out = vec![Block::Heading(2, t("Policy impact", "政策影响"))];
    let (changed, new, resolved) = (
        d.changes.len(),
        d.new_violations.len(),
        d.resolved_violations.len(),
    );
    out.push(Block::Bullets(vec![
        format!("{}{}", t("base: ", "基础政策："), policy(&d.base, lang)),
        format!("{}{}", t("revised: ", "修订稿："), policy(&d.revised, lang)),
        match (money_cells(&d.budget, lang), lang) {
            ([b, r, c, p], Lang::En) if !d.budget.overflow => {
                format!("budget effect (subsidy + reward): {c} ({b} → {r}, {p})")
            }
            ([b, r, c, p], Lang::Zh) if !d.budget.overflow => {
                format!("预算影响（subsidy + reward）：{c}（{b} → {r}，{p}）")
            }
            (_, Lang::En) => "budget effect (subsidy + reward): overflow".to_string(),
            (_, Lang::Zh) => "预算影响（subsidy + reward）：溢出".to_string(),
        },
        match lang {
            Lang::En => format!(
                "changed outcomes: {changed}; new violations: {new}; no longer violating: {resolved}"
            ),
            Lang::Zh => {
                format!("结果变化：{changed}；新增违反：{new}；不再违反：{resolved}")
            }
        },
    ]));
    families(d, &mut out, lang);
    rules(d, &mut out, lang);
    statuses(d, &mut out, lang);
    breakdowns(d, &mut out, lang);
    definitions(d, &mut out, lang);
    violations(d, &mut out, lang);
    changes(d, &mut out, lang);
    out
}

fn money_cells(m: &Money, lang: Lang) -> [String; 4] {
    if m.overflow {
        let o = lang.pick("overflow", "溢出").to_string();
        return [o.clone(), o, String::new(), String::new()];
    }
    [
        wan(m.base),
        wan(m.revised),
        signed_wan(m.change()),
        percent_in(m, lang),
    ]
}

/// The column headings `base revised change % change` in a language.
fn money_heads(lang: Lang) -> [&'static str; 4] {
    lang.pick(
        ["base", "revised", "change", "% change"],
        ["基础政策", "修订稿", "变化", "变化率"],
    )
}

fn families(d: &Diff, out: &mut Vec<Block>, lang: Lang) {
    out.push(Block::Heading(
        3,
        lang.pick("Totals by family", "按类别合计").to_string(),
    ));
    let [b, r, c, p] = money_heads(lang);
    let mut t = Table::new(
        &[lang.pick("family", "类别"), b, r, c, p],
        &[false, true, true, true, true],
    );
    for f in &d.families {
        let mut row = vec![f.family.name().to_string()];
        match &f.money {
            Some(m) => row.extend(money_cells(m, lang)),
            None => row.extend([
                violations_text(f.violations.0, lang),
                violations_text(f.violations.1, lang),
                signed_count(f.violations.0, f.violations.1),
                String::new(),
            ]),
        }
        t.rows.push(row);
    }
    out.push(Block::Table(t));
}

fn violations_text(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En if n == 1 => "1 violation".to_string(),
        Lang::En => format!("{n} violations"),
        Lang::Zh => format!("违反 {n} 个"),
    }
}

fn presence(r: &RuleDelta, lang: Lang) -> &'static str {
    match r.presence {
        Presence::Added => lang.pick("added", "新增"),
        Presence::Removed => lang.pick("removed", "删除"),
        Presence::Both => {
            if r.causes
                .iter()
                .any(|c| matches!(c, Cause::RuleChanged { .. }))
            {
                lang.pick("changed", "修改")
            } else {
                ""
            }
        }
    }
}

fn rules(d: &Diff, out: &mut Vec<Block>, lang: Lang) {
    out.push(Block::Heading(
        3,
        lang.pick("Totals by rule", "按规则合计").to_string(),
    ));
    let [b, r, c, p] = money_heads(lang);
    let [rule, entity, family, changed, rule_is] = lang.pick(
        ["rule", "entity", "family", "changed", "rule is"],
        ["规则", "实体", "类别", "变化数", "规则状态"],
    );
    let mut t = Table::new(
        &[rule, entity, family, b, r, c, p, changed, rule_is],
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
            row.extend(money_cells(&r.money, lang));
        } else {
            let b = r.base_counts.get(vi).copied().unwrap_or(0);
            let v = r.revised_counts.get(vi).copied().unwrap_or(0);
            row.extend([
                violations_text(b, lang),
                violations_text(v, lang),
                signed_count(b, v),
                String::new(),
            ]);
        }
        row.push(r.changed.to_string());
        row.push(presence(r, lang).to_string());
        t.rows.push(row);
    }
    out.push(Block::Table(t));
}

fn statuses(d: &Diff, out: &mut Vec<Block>, lang: Lang) {
    out.push(Block::Heading(
        3,
        lang.pick("Outcomes by status", "按结果状态统计")
            .to_string(),
    ));
    let [b, r, c, _] = money_heads(lang);
    let mut t = Table::new(
        &[lang.pick("status", "状态"), b, r, c],
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

fn breakdowns(d: &Diff, out: &mut Vec<Block>, lang: Lang) {
    let [base, revised, change, pct] = money_heads(lang);
    for b in &d.breakdowns {
        let heading = match lang {
            Lang::En => format!("By {}", b.field),
            Lang::Zh => format!("按 {} 分列", b.field),
        };
        out.push(Block::Heading(3, heading));
        let mut t = Table::new(
            &[
                &b.field,
                base,
                revised,
                change,
                pct,
                lang.pick("changed", "变化数"),
                lang.pick("new violations", "新增违反"),
            ],
            &[false, true, true, true, true, true, true],
        );
        for r in &b.rows {
            let mut row = vec![r.value.clone()];
            row.extend(money_cells(&r.money, lang));
            row.push(r.changed.to_string());
            row.push(r.new_violations.to_string());
            t.rows.push(row);
        }
        out.push(Block::Table(t));
    }
}

fn definitions(d: &Diff, out: &mut Vec<Block>, lang: Lang) {
    let changed: Vec<&RuleDelta> = d.rules.iter().filter(|r| !r.causes.is_empty()).collect();
    if changed.is_empty() {
        return;
    }
    out.push(Block::Heading(
        3,
        lang.pick("Rule definitions", "规则定义").to_string(),
    ));
    for r in changed {
        let mut items = Vec::new();
        for c in &r.causes {
            items.push(cause_in(c, lang));
            if let Cause::RuleChanged { changes, .. } = c {
                items.extend(
                    changes
                        .iter()
                        .map(|x| format!("  {}", def_change_in(x, lang))),
                );
            }
        }
        let (name, entity, family) = (&r.name, &r.entity, r.family.name());
        out.push(Block::Line(match lang {
            Lang::En => format!("{name} ({entity}, {family}):"),
            Lang::Zh => format!("{name}（{entity}，{family}）："),
        }));
        out.push(Block::Bullets(items));
    }
}

fn violations(d: &Diff, out: &mut Vec<Block>, lang: Lang) {
    for (title, ixs, new) in [
        (
            lang.pick("New violations", "新增违反"),
            &d.new_violations,
            true,
        ),
        (
            lang.pick("No longer violating", "不再违反"),
            &d.resolved_violations,
            false,
        ),
    ] {
        if ixs.is_empty() {
            continue;
        }
        let n = ixs.len();
        let heading = lang.pick(format!("{title} ({n})"), format!("{title}（{n}）"));
        out.push(Block::Heading(3, heading));
        let other = match (new, lang) {
            (true, _) => lang.pick("before", "修订前"),
            (false, _) => lang.pick("now", "修订后"),
        };
        let [entity, key, rule, message] = lang.pick(
            ["entity", "key", "rule", "message"],
            ["实体", "主键", "规则", "说明"],
        );
        let mut t = Table::new(&[entity, key, rule, message, other], &[false; 5]);
        for c in ixs.iter().filter_map(|i| d.changes.get(*i)) {
            let (v, other) = if new {
                (c.after.as_deref(), c.before.as_deref())
            } else {
                (c.before.as_deref(), c.after.as_deref())
            };
            let msg = v.and_then(|v| v.message.clone()).unwrap_or_default();
            t.rows.push(vec![
                c.entity.to_string(),
                c.key.to_string(),
                c.rule.to_string(),
                msg,
                outcome_in(other, lang),
            ]);
        }
        out.push(Block::Table(t));
    }
}

fn changes(d: &Diff, out: &mut Vec<Block>, lang: Lang) {
    let n = d.changes.len();
    out.push(Block::Heading(
        3,
        lang.pick(
            format!("Changed outcomes ({n})"),
            format!("结果变化（{n}）"),
        ),
    ));
    if d.changes.is_empty() {
        return;
    }
    for r in d.rules.iter().filter(|r| r.changed > 0) {
        let (name, entity, family, n) = (&r.name, &r.entity, r.family.name(), r.changed);
        out.push(Block::Heading(
            4,
            match lang {
                Lang::En => format!("{name} ({entity}, {family}): {n} changed"),
                Lang::Zh => format!("{name}（{entity}，{family}）：{n} 个变化"),
            },
        ));
        let heads = lang.pick(
            ["key", "before", "after", "change", "cause"],
            ["主键", "修订前", "修订后", "变化", "原因"],
        );
        let mut t = Table::new(&heads, &[false, false, false, true, false]);
        for c in d.changes.iter().filter(|c| *c.rule == *r.name) {
            t.rows.push(vec![
                c.key.to_string(),
                outcome_in(c.before.as_deref(), lang),
                outcome_in(c.after.as_deref(), lang),
                c.change.map(|x| signed_wan(Some(x))).unwrap_or_default(),
                causes_in(&c.causes, lang),
            ]);
        }
        out.push(Block::Table(t));
    }
}
