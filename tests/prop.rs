//! Property tests: small valid policies generated as text, with matching CSV records.
//!
//! For every generated policy and record set: it checks with no error; formatting is
//! idempotent and keeps every outcome (jsonl bytes); evaluation is deterministic; every
//! report and diff format renders; there is one outcome per record and rule; the
//! streaming evaluator writes what the in-memory one does; a revision that `extends`
//! the policy and overrides nothing changes no outcome. Separately, `brackets` is the
//! sum of its slices, computed directly in decimals.
//!
//! Case counts are small by default (the whole module runs in seconds); set
//! `PROPTEST_CASES=1000` for a longer run.

use chrono::NaiveDate;
use parkrules::data::{LoadOptions, load_dir, render_errors};
use parkrules::diagnostic::{Style, render};
use parkrules::eval::{Evaluator, evaluate};
use parkrules::fmt::format_source;
use parkrules::load::{Compiled, compile_path};
use parkrules::program::Program;
use parkrules::report::diff::{DiffFormat, Side, compute_diff, write_diff};
use parkrules::report::explain::{ExplainFormat, write_explanation};
use parkrules::report::{Format, ReportInput, write_outcomes};
use parkrules::span::FileId;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rust_decimal::Decimal;
use std::path::Path;
use std::str::FromStr;

const VARIANTS: [&str; 3] = ["甲", "乙", "丙"];

/// `PROPTEST_CASES` or `default`.
fn cases(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ── Generators ───────────────────────────────────────────────────────────────

/// The entity a rule is for: names of its fields by type.
#[derive(Clone, Copy, Debug)]
struct Scope {
    entity: &'static str,
    money: &'static [&'static str],
    area: &'static str,
    percent: &'static str,
    flag: &'static str,
    kind: &'static str,
}

const PARK: Scope = Scope {
    entity: "园区",
    money: &["投资", "上限", "基数"],
    area: "面积",
    percent: "入驻率",
    flag: "开通",
    kind: "类型",
};

/// A park when the policy has firms: also the aggregates over its firms.
const PARK_AGG: Scope = Scope {
    money: &["投资", "上限", "基数", "税收合计", "最高税收"],
    ..PARK
};

const FIRM: Scope = Scope {
    entity: "企业",
    money: &["税收", "上限", "园区.投资"],
    area: "园区.面积",
    percent: "园区.入驻率",
    flag: "规上",
    kind: "园区.类型",
};

fn num(max: u32) -> impl Strategy<Value = String> {
    (0..=max, 0u32..100, any::<bool>()).prop_map(|(n, f, frac)| {
        if frac {
            format!("{n}.{f:02}")
        } else {
            n.to_string()
        }
    })
}

fn money_lit() -> impl Strategy<Value = String> {
    (num(5000), prop::sample::select(vec!["元", "万元", "亿元"]))
        .prop_map(|(n, u)| format!("{n} {u}"))
}

fn percent_lit() -> impl Strategy<Value = String> {
    (0u32..=100).prop_map(|p| format!("{p}%"))
}

fn condition(s: Scope, depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just(s.flag.to_string()),
        (
            prop::sample::select(vec![">=", ">", "<", "<=", "==", "!="]),
            num(300)
        )
            .prop_map(move |(op, n)| format!("{} {op} {n} 亩", s.area)),
        (prop::sample::select(vec![">=", "<"]), money_lit())
            .prop_map(move |(op, m)| format!("{} {op} {m}", s.money[0])),
        (prop::sample::select(vec![">=", "<"]), percent_lit())
            .prop_map(move |(op, p)| format!("{} {op} {p}", s.percent)),
        (
            prop::sample::select(vec!["==", "!="]),
            prop::sample::select(VARIANTS.to_vec())
        )
            .prop_map(move |(op, v)| format!("{} {op} {v}", s.kind)),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let sub = || condition(s, depth - 1);
    prop_oneof![
        3 => leaf,
        1 => sub().prop_map(|c| format!("not ({c})")),
        1 => (sub(), sub()).prop_map(|(a, b)| format!("{a} and {b}")),
        1 => (sub(), sub()).prop_map(|(a, b)| format!("({a} or {b})")),
    ]
    .boxed()
}

fn money(s: Scope, depth: u32) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        prop::sample::select(s.money.to_vec()).prop_map(str::to_string),
        money_lit(),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let sub = || money(s, depth - 1);
    prop_oneof![
        3 => leaf,
        1 => (sub(), sub()).prop_map(|(a, b)| format!("min({a}, {b})")),
        1 => (sub(), sub()).prop_map(|(a, b)| format!("max({a}, {b})")),
        1 => (sub(), sub()).prop_map(|(a, b)| format!("{a} + {b}")),
        1 => (sub(), sub()).prop_map(|(a, b)| format!("({a} - {b})")),
        1 => (sub(), percent_lit()).prop_map(|(a, p)| format!("{a} * {p}")),
        1 => sub().prop_map(|a| format!("({a}) * 比例")),
        1 => sub().prop_map(|a| format!("({a}) / 3")),
        1 => (condition(s, 1), sub(), sub())
            .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
        1 => (sub(), sub(), sub()).prop_map(move |(a, b, c)| format!(
            "match {} {{\n    甲 | 乙 => {a}\n    丙 => {b}\n  }} + {c}", s.kind)),
        1 => (sub(), sub()).prop_map(move |(a, b)| format!(
            "match {} {{ 乙 => {a}, else => {b} }}", s.kind)),
        1 => (percent_lit(), sub(), sub(), sub()).prop_map(move |(p, a, b, c)| format!(
            "tier({}) {{\n    >= {p} => {a}\n    >= 10% => {b}\n    else => {c}\n  }}", s.percent)),
        1 => brackets(s.money[0]),
    ]
    .boxed()
}

/// Strictly increasing bounds (万元) and a rate per slice, `above` or not.
fn bracket_table() -> impl Strategy<Value = (Vec<u32>, Vec<u32>, Option<u32>)> {
    (
        prop::collection::btree_set(1u32..2000, 1..4),
        any::<bool>(),
        0u32..=30,
    )
        .prop_flat_map(|(bounds, above, top)| {
            let n = bounds.len();
            (
                Just(bounds.into_iter().collect::<Vec<_>>()),
                prop::collection::vec(0u32..=30, n),
                Just(above.then_some(top)),
            )
        })
}

fn brackets_text(
    subject: &str,
    (bounds, rates, above): &(Vec<u32>, Vec<u32>, Option<u32>),
) -> String {
    let mut out = format!("brackets({subject}) {{\n");
    for (b, r) in bounds.iter().zip(rates) {
        out.push_str(&format!("    up to {b} 万元 => {r}%\n"));
    }
    if let Some(r) = above {
        out.push_str(&format!("    above => {r}%\n"));
    }
    out.push_str("  }");
    out
}

fn brackets(subject: &'static str) -> BoxedStrategy<String> {
    bracket_table()
        .prop_map(move |t| brackets_text(subject, &t))
        .boxed()
}

const FAMILIES: [&str; 4] = ["subsidy", "reward", "ratio", "restriction"];

fn rule(index: usize, s: Scope) -> impl Strategy<Value = String> {
    (
        0..4usize,
        prop::collection::vec(condition(s, 1), 0..3),
        money(s, 2),
        condition(s, 2),
        prop::option::of((condition(s, 1), money(s, 1))),
        any::<bool>(),
    )
        .prop_map(move |(family, whens, amount, require, exception, cite)| {
            let family = FAMILIES[family];
            let mut out = format!("rule 规则{index} : {family} for {} {{\n", s.entity);
            if cite {
                out.push_str(&format!("  cite \"第{index}条\"\n"));
            }
            for w in &whens {
                out.push_str(&format!("  when {w}\n"));
            }
            if family == "subsidy" || family == "reward" {
                out.push_str(&format!("  amount {amount}\n"));
                if let Some((c, m)) = exception {
                    out.push_str(&format!(
                        "  exception 例外{index} {{\n    when {c}\n    amount {m}\n  }}\n"
                    ));
                }
            } else {
                out.push_str(&format!(
                    "  require {require}\n  else \"第{index}条不满足：{{{}}}\"\n",
                    s.money[0]
                ));
            }
            out.push_str("}\n");
            out
        })
}

/// A generated policy and its records.
#[derive(Clone, Debug)]
struct Case {
    policy: String,
    /// `园区.csv`, and `企业.csv` when the policy has firms.
    parks: String,
    firms: Option<String>,
    park_rows: usize,
    firm_rows: usize,
    park_rules: usize,
    firm_rules: usize,
}

fn bool_cell() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["是", "否", "true", "false", "1", "0"])
}

fn park_row() -> impl Strategy<Value = String> {
    (
        num(100_000),
        num(500),
        0u32..=100,
        any::<bool>(),
        bool_cell(),
        prop::sample::select(VARIANTS.to_vec()),
    )
        .prop_map(|(inv, area, rate, pct_sign, flag, kind)| {
            let rate = if pct_sign {
                format!("{rate}%")
            } else {
                rate.to_string()
            };
            format!("{inv},{area},{rate},{flag},{kind}")
        })
}

fn case() -> impl Strategy<Value = Case> {
    let firms = any::<bool>();
    (
        firms,
        1..4usize,
        0..3usize,
        num(1000),
        0u32..=100,
        any::<bool>(),
    )
        .prop_flat_map(|(firms, park_rules, firm_rules, cap, ratio, dated)| {
            let firm_rules = if firms { firm_rules } else { 0 };
            let rules: Vec<BoxedStrategy<String>> = (0..park_rules)
                .map(|i| rule(i, if firms { PARK_AGG } else { PARK }).boxed())
                .chain((0..firm_rules).map(|i| rule(park_rules + i, FIRM).boxed()))
                .collect();
            (
                Just((firms, park_rules, firm_rules, cap, ratio, dated)),
                rules,
                prop::collection::vec(park_row(), 0..6),
                prop::collection::vec((num(500), bool_cell(), 0..8usize), 0..8),
            )
        })
        .prop_map(
            |((firms, park_rules, firm_rules, cap, ratio, dated), rules, parks, firm_rows)| {
                let mut policy = String::from(
                    "# generated\npolicy \"生成\" version \"1\" effective 2022-01-01\n\n\
                 enum 类 { 甲, 乙, 丙 }\n\n\
                 entity 园区 {\n  编号: text key\n  投资: money in 万元\n  面积: area in 亩\n  \
                 入驻率: percent\n  开通: bool\n  类型: 类\n}\n\n",
                );
                if firms {
                    policy.push_str(
                        "entity 企业 {\n  代码: text key\n  园区: 园区\n  税收: money in 万元\n  \
                     规上: bool\n}\n\n",
                    );
                }
                policy.push_str(&format!("param 比例: percent = {ratio}%\n"));
                if dated {
                    policy.push_str(&format!(
                    "param 上限: money {{\n  2021-01-01 => {cap} 万元\n  2023-01-01 => 1 亿元\n}}\n"
                ));
                } else {
                    policy.push_str(&format!("param 上限: money = {cap} 万元\n"));
                }
                policy.push_str("let 园区.基数 = 投资 * 比例\n");
                if firms {
                    policy.push_str(
                        "let 园区.税收合计 = sum(企业.税收 where 规上 via 园区)\n\
                     let 园区.最高税收 = max(企业.税收 via 园区)\n",
                    );
                }
                policy.push('\n');
                for r in &rules {
                    policy.push_str(r);
                    policy.push('\n');
                }
                let mut csv = String::from("编号,投资,面积,入驻率,开通,类型\n");
                for (i, row) in parks.iter().enumerate() {
                    csv.push_str(&format!("P{i},{row}\n"));
                }
                let firm_csv = firms.then(|| {
                    let mut out = String::from("代码,园区,税收,规上\n");
                    for (i, (tax, flag, park)) in firm_rows.iter().enumerate() {
                        if !parks.is_empty() {
                            out.push_str(&format!("F{i},P{},{tax},{flag}\n", park % parks.len()));
                        }
                    }
                    out
                });
                Case {
                    policy,
                    parks: csv,
                    park_rows: parks.len(),
                    firm_rows: if firms && !parks.is_empty() {
                        firm_rows.len()
                    } else {
                        0
                    },
                    firms: firm_csv,
                    park_rules,
                    firm_rules,
                }
            },
        )
}

// ── Running a case ───────────────────────────────────────────────────────────

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 1, 1).unwrap()
}

fn compiled_ok(c: &Compiled, text: &str) -> Program {
    if c.has_errors() {
        let errs = render(&c.sources, &c.diagnostics, Style::Plain);
        panic!("generated policy does not check:\n{text}\n{errs}");
    }
    c.program.clone().unwrap()
}

/// A temp dir holding the case: `policy.rules`, `data/园区.csv`, `data/企业.csv`.
fn write_case(c: &Case, policy: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policy.rules"), policy).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("园区.csv"), &c.parks).unwrap();
    if let Some(f) = &c.firms {
        std::fs::write(data.join("企业.csv"), f).unwrap();
    }
    dir
}

struct Evaluated {
    program: Program,
    dataset: parkrules::data::Dataset,
    outcomes: Vec<parkrules::eval::Outcome>,
}

fn run(dir: &Path, policy: &Path) -> Evaluated {
    let c = compile_path(policy);
    let program = compiled_ok(&c, &std::fs::read_to_string(policy).unwrap_or_default());
    let loaded = match load_dir(&program, &dir.join("data"), &LoadOptions::default()) {
        Ok(l) => l,
        Err(e) => panic!("generated data does not load:\n{}", render_errors(&e)),
    };
    let outcomes = evaluate(&program, &loaded.dataset, as_of());
    Evaluated {
        program,
        dataset: loaded.dataset,
        outcomes,
    }
}

fn report(e: &Evaluated, format: Format) -> Vec<u8> {
    let input = ReportInput {
        program: &e.program,
        dataset: &e.dataset,
        outcomes: &e.outcomes,
        as_of: as_of(),
        skipped: &[],
    };
    let mut out = Vec::new();
    write_outcomes(&mut out, format, &input).unwrap();
    out
}

fn side(e: &Evaluated) -> Side<'_> {
    Side {
        program: &e.program,
        dataset: &e.dataset,
        outcomes: &e.outcomes,
        as_of: as_of(),
    }
}

/// Every diff format renders, plain and broken down by a field.
fn render_diffs(base: &Evaluated, revised: &Evaluated) {
    for by in [vec![], vec!["类型".to_string()], vec!["开通".to_string()]] {
        let d = compute_diff(&side(base), &side(revised), &by);
        for f in DiffFormat::ALL {
            let mut out = Vec::new();
            write_diff(&mut out, f, &d).unwrap();
        }
    }
}

/// Every outcome explains, in both formats; the traced evaluation an explanation
/// runs (every operand evaluated as a step) gives the outcome the fast one gave
/// (operands only read compared where they are).
fn explain_all(e: &Evaluated) {
    let ev = Evaluator::new(&e.program, &e.dataset, as_of());
    for o in &e.outcomes {
        let x = ev.explain(o.entity, o.record, o.rule).unwrap();
        assert_eq!(x.outcome, *o);
    }
    for o in e.outcomes.iter().take(20) {
        let x = ev.explain(o.entity, o.record, o.rule).unwrap();
        for f in [ExplainFormat::Text, ExplainFormat::Json] {
            let mut out = Vec::new();
            write_explanation(&mut out, f, &x).unwrap();
        }
    }
}

/// jsonl with the `location` of `error` outcomes blanked: formatting moves lines, and
/// the formatted copy lives at another path. Everything else is compared byte for byte.
fn without_locations(jsonl: &[u8]) -> String {
    const KEY: &str = "\"location\":\"";
    let text = String::from_utf8(jsonl.to_vec()).unwrap();
    let mut out = String::new();
    for line in text.lines() {
        match line.split_once(KEY) {
            Some((head, tail)) => {
                let rest = tail.split_once('"').map_or("", |(_, r)| r);
                out.push_str(&format!("{head}{KEY}…\"{rest}\n"));
            }
            None => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

fn check_case(c: &Case) {
    // Formatting: idempotent, and the formatted policy gives the same outcomes.
    let formatted = format_source(&c.policy, FileId(0)).unwrap();
    let again = format_source(&formatted, FileId(0)).unwrap();
    assert_eq!(formatted, again, "fmt is not idempotent:\n{}", c.policy);

    let dir = write_case(c, &c.policy);
    let policy = dir.path().join("policy.rules");
    let first = run(dir.path(), &policy);
    let jsonl = report(&first, Format::Jsonl);

    // Outcome count: one per record and rule.
    assert_eq!(
        first.outcomes.len(),
        c.park_rows * c.park_rules + c.firm_rows * c.firm_rules,
        "{}",
        c.policy
    );

    // Deterministic: a second evaluation gives the same bytes in every format.
    let second = run(dir.path(), &policy);
    for f in Format::ALL {
        assert_eq!(report(&first, f), report(&second, f), "{}", f.name());
    }

    // Formatting keeps every outcome.
    let fdir = write_case(c, &formatted);
    let fmt_run = run(fdir.path(), &fdir.path().join("policy.rules"));
    assert_eq!(
        without_locations(&jsonl),
        without_locations(&report(&fmt_run, Format::Jsonl)),
        "formatting changed outcomes:\n{}\n---\n{formatted}",
        c.policy
    );

    // Streaming writes what the in-memory evaluator does.
    let mut streamed = Vec::new();
    parkrules::stream::eval_jsonl(
        &first.program,
        &dir.path().join("data"),
        as_of(),
        &mut streamed,
        &parkrules::progress::Quiet,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(streamed).unwrap(),
        String::from_utf8(jsonl).unwrap()
    );

    // A revision that overrides nothing changes nothing.
    std::fs::write(
        dir.path().join("revision.rules"),
        "policy \"修订\" version \"2\" effective 2022-01-01 extends \"policy.rules\"\n",
    )
    .unwrap();
    let revised = run(dir.path(), &dir.path().join("revision.rules"));
    let d = compute_diff(&side(&first), &side(&revised), &[]);
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.budget.change(), Some(Decimal::ZERO));

    render_diffs(&first, &revised);
    explain_all(&first);
}

#[test]
fn generated_policies_hold_every_property() {
    let mut runner = TestRunner::new(cases(40));
    runner
        .run(&case(), |c| {
            check_case(&c);
            Ok(())
        })
        .unwrap();
}

// ── brackets ─────────────────────────────────────────────────────────────────

/// The direct computation, in 元: each slice of `x` (万元) times its rate.
fn brackets_direct(
    x: Decimal,
    (bounds, rates, above): &(Vec<u32>, Vec<u32>, Option<u32>),
) -> Decimal {
    let wan = Decimal::from(10_000);
    let pct = Decimal::from(100);
    let mut lo = Decimal::ZERO;
    let mut total = Decimal::ZERO;
    for (b, r) in bounds.iter().zip(rates) {
        let hi = Decimal::from(*b);
        let slice = (x.min(hi) - lo).max(Decimal::ZERO);
        total += slice * Decimal::from(*r) / pct;
        lo = hi;
    }
    if let Some(r) = above {
        total += (x - lo).max(Decimal::ZERO) * Decimal::from(*r) / pct;
    }
    (total * wan).normalize()
}

#[test]
fn brackets_is_the_sum_of_its_slices() {
    let values = prop::collection::vec(
        (-100i64..300_000, 0u32..100).prop_map(|(n, f)| format!("{}.{f:02}", n / 100)),
        1..8,
    );
    let mut runner = TestRunner::new(cases(48));
    runner
        .run(&(bracket_table(), values), |(table, values)| {
            let policy = format!(
                "policy \"累进\" version \"1\" effective 2022-01-01\n\
                 entity 园区 {{\n  编号: text key\n  投资: money in 万元\n}}\n\
                 rule 累进奖励 : reward for 园区 {{\n  cite \"第一条\"\n  amount {}\n}}\n",
                brackets_text("投资", &table)
            );
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("policy.rules");
            std::fs::write(&path, &policy).unwrap();
            std::fs::create_dir(dir.path().join("data")).unwrap();
            let mut csv = String::from("编号,投资\n");
            for (i, v) in values.iter().enumerate() {
                csv.push_str(&format!("P{i},{v}\n"));
            }
            std::fs::write(dir.path().join("data/园区.csv"), csv).unwrap();
            let e = run(dir.path(), &path);
            for (o, v) in e.outcomes.iter().zip(&values) {
                let expected = brackets_direct(Decimal::from_str(v).unwrap(), &table);
                match &o.status {
                    parkrules::eval::Status::Amount(a) => {
                        prop_assert_eq!(a.normalize(), expected, "{} at {}", policy, v)
                    }
                    other => prop_assert!(false, "{:?} at {}", other, v),
                }
            }
            Ok(())
        })
        .unwrap();
}
