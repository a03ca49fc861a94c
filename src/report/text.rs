//! `--format text`: outcomes for a person at a terminal.
//!
//! Consumes a [`ReportInput`]; produces the policy line, then one block per record
//! (entity and key as a heading, one line per rule with its result), then totals per
//! rule and per family and the budget total, then the skipped rows. Money is shown in
//! 万元, exactly (`1.2345万元`, never rounded). Columns are aligned by display width
//! (a Chinese character takes two columns).

use crate::lang::Lang;
use crate::program::{EntityId, Program, StatusKind};
use crate::report::title_in;
use crate::report::{
    Names, OutcomeView, ReportInput, RuleTotal, Skipped, budget_total, display_width,
    family_totals, is_amount_family, ordered, pad_to, rule_totals, wan,
};
use std::io::{self, Write};

const FAMILY_WIDTH: usize = 11;

/// Write the text report.
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    write_in(w, ctx, Lang::En)
}

/// Write the text report in a language (headings and fixed words; names, values and
/// status names as they are).
pub fn write_in(w: &mut dyn Write, ctx: &ReportInput, lang: Lang) -> io::Result<()> {
    writeln!(w, "{}", title_in(ctx.program, ctx.as_of, lang))?;
    let widths: Vec<usize> = (0..ctx.program.entities.len())
        .map(|e| rule_width(ctx.program, EntityId(e)))
        .collect();
    let mut current: Option<(EntityId, usize)> = None;
    let names = Names::of(ctx.program);
    for o in ordered(ctx.outcomes) {
        let v = OutcomeView::named(&names, ctx.program, ctx.dataset, o);
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
            result_in(&v, lang)
        );
        writeln!(w, "{}", line.trim_end())?;
    }
    write_totals(w, ctx, lang)?;
    write_skipped_in(w, ctx.skipped, lang)
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
    result_in(v, Lang::En)
}

/// [`result`] in a language.
pub fn result_in(v: &OutcomeView, lang: Lang) -> String {
    words(v, lang, true)
}

/// The result of one outcome in fewer words, for a table cell (`500万元 [exception
/// 薄弱镇园区]`, `not applicable`, `error: …` without the failing `when` or the place).
pub fn brief_in(v: &OutcomeView, lang: Lang) -> String {
    words(v, lang, false)
}

fn words(v: &OutcomeView, lang: Lang, full: bool) -> String {
    let none = String::new();
    let message = v.message.as_ref().unwrap_or(&none);
    let when = v.failed_when.as_deref().unwrap_or(&none);
    let error = v.error_in(lang);
    let at = v.location.as_ref().unwrap_or(&none);
    let mut s = match (v.status, lang) {
        (StatusKind::Amount, _) => v.amount.map(wan).unwrap_or_default(),
        (StatusKind::Pass, Lang::En) => "pass".to_string(),
        (StatusKind::Pass, Lang::Zh) => "通过".to_string(),
        (StatusKind::Violation, Lang::En) => format!("violation: {message}"),
        (StatusKind::Violation, Lang::Zh) => format!("违反：{message}"),
        (StatusKind::NotApplicable, Lang::En) if full => format!("not applicable: when {when}"),
        (StatusKind::NotApplicable, Lang::Zh) if full => format!("不适用：条件 {when} 不成立"),
        (StatusKind::NotApplicable, Lang::En) => "not applicable".to_string(),
        (StatusKind::NotApplicable, Lang::Zh) => "不适用".to_string(),
        (StatusKind::Error, Lang::En) if full => format!("error: {error} at {at}"),
        (StatusKind::Error, Lang::Zh) if full => format!("错误：{error}，位于 {at}"),
        (StatusKind::Error, Lang::En) => format!("error: {error}"),
        (StatusKind::Error, Lang::Zh) => format!("错误：{error}"),
    };
    if let Some(e) = &v.exception {
        let gap = if full { "  " } else { " " };
        s.push_str(&lang.pick(format!("{gap}[exception {e}]"), format!("{gap}[例外 {e}]")));
    }
    s
}

/// `3 amount, 1 not_applicable` (statuses with a non-zero count, in fixed order).
pub fn counts_text(t: &RuleTotal) -> String {
    counts_text_in(t, Lang::En)
}

/// [`counts_text`] in a language (`amount 3 个、not_applicable 1 个`).
pub fn counts_text_in(t: &RuleTotal, lang: Lang) -> String {
    let parts: Vec<String> = StatusKind::ALL
        .into_iter()
        .filter(|k| t.count(*k) > 0)
        .map(|k| match lang {
            Lang::En => format!("{} {}", t.count(k), k.name()),
            Lang::Zh => format!("{} {} 个", k.name(), t.count(k)),
        })
        .collect();
    match (parts.is_empty(), lang) {
        (true, _) => lang.pick("no outcomes", "没有结果").to_string(),
        (false, Lang::En) => parts.join(", "),
        (false, Lang::Zh) => parts.join("，"),
    }
}

/// The money of an amount family then its counts; only the counts for a check family.
pub fn total_text(t: &RuleTotal) -> String {
    total_text_in(t, Lang::En)
}

/// [`total_text`] in a language.
pub fn total_text_in(t: &RuleTotal, lang: Lang) -> String {
    if !is_amount_family(t.family) {
        return counts_text_in(t, lang);
    }
    let money = t.money.map_or_else(|| overflow(lang), wan);
    match lang {
        Lang::En => format!("{money} ({})", counts_text_in(t, lang)),
        Lang::Zh => format!("{money}（{}）", counts_text_in(t, lang)),
    }
}

fn overflow(lang: Lang) -> String {
    lang.pick("overflow", "溢出").to_string()
}

fn write_totals(w: &mut dyn Write, ctx: &ReportInput, lang: Lang) -> io::Result<()> {
    let rules = rule_totals(ctx.program, ctx.outcomes);
    let name_w = rules
        .iter()
        .map(|r| display_width(&r.entity) + 1 + display_width(&r.rule))
        .max()
        .unwrap_or(0);
    writeln!(w)?;
    writeln!(w, "{}", lang.pick("Totals by rule", "按规则合计"))?;
    for r in &rules {
        let name = format!("{} {}", r.entity, r.rule);
        let line = format!(
            "  {}  {}  {}",
            pad_to(&name, name_w),
            pad_to(r.family.name(), FAMILY_WIDTH),
            total_text_in(r, lang)
        );
        writeln!(w, "{line}")?;
    }
    let families = family_totals(&rules);
    writeln!(w)?;
    writeln!(w, "{}", lang.pick("Totals by family", "按类别合计"))?;
    for f in &families {
        let line = format!(
            "  {}  {}",
            pad_to(f.family.name(), FAMILY_WIDTH),
            total_text_in(f, lang)
        );
        writeln!(w, "{line}")?;
    }
    let budget = budget_total(&families);
    writeln!(w)?;
    let budget = budget.map_or_else(|| overflow(lang), wan);
    match lang {
        Lang::En => writeln!(w, "Budget total (subsidy + reward): {budget}"),
        Lang::Zh => writeln!(w, "预算合计（subsidy + reward）：{budget}"),
    }
}

/// The skipped rows, if any, as a last block (shared with the snapshot format).
pub fn write_skipped(w: &mut dyn Write, skipped: &[Skipped]) -> io::Result<()> {
    write_skipped_in(w, skipped, Lang::En)
}

/// [`write_skipped`] in a language.
pub fn write_skipped_in(w: &mut dyn Write, skipped: &[Skipped], lang: Lang) -> io::Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    let n = skipped.len();
    writeln!(
        w,
        "{}",
        lang.pick(format!("Skipped rows ({n})"), format!("跳过的行（{n}）"))
    )?;
    for s in skipped {
        match lang {
            Lang::En => writeln!(w, "  {} row {}: {}", s.file, s.row, s.reason)?,
            Lang::Zh => writeln!(w, "  {} 第 {} 行：{}", s.file, s.row, s.reason)?,
        }
    }
    Ok(())
}
