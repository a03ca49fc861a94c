// Diff tests on hand-made revisions of the fixture policy (included by tests/report.rs).
// Each case says what changed and the outcomes the revision gives, computed by hand.

use super::fixture::*;
use super::{as_of, snap};
use parkrules::ast::{BinaryOp, Family};
use parkrules::eval::{Outcome, Status};
use parkrules::program::*;
use parkrules::report::diff::{
    Cause, DefChange, Diff, DiffFormat, Money, Presence, Side, compute_diff, write_diff,
};
use parkrules::value::Value;

fn run(revised: &Program, outcomes: &[Outcome], by: &[&str]) -> Diff {
    let (bp, data) = (base_program(), dataset());
    let bo = base_outcomes();
    let base = Side {
        program: &bp,
        dataset: &data,
        outcomes: &bo,
        as_of: as_of(),
    };
    let rev = Side {
        program: revised,
        dataset: &data,
        outcomes,
        as_of: as_of(),
    };
    // The hand-computed outcomes are what the evaluator gives.
    let mut given = outcomes.to_vec();
    given.sort_by_key(|o| (o.entity, o.record, o.rule));
    assert_eq!(parkrules::eval::evaluate(revised, &data, as_of()), given);
    let by: Vec<String> = by.iter().map(|s| s.to_string()).collect();
    compute_diff(&base, &rev, &by)
}

fn money_of(base: &str, revised: &str) -> Money {
    Money {
        base: d(base),
        revised: d(revised),
        overflow: false,
    }
}

/// `override param 上限 = 800 万元`.
fn with_cap_800(p: &mut Program) {
    let mut v = money("8000000");
    v.span = revised_span("800 万元", "override param");
    p.params[1] = param_def("上限", v, Ty::MONEY, Origin::Overridden);
}

/// `override rule 运营奖励`: when 入驻率 >= 60%, tier >= 80% 50万, >= 60% 30万, else 10万.
fn with_reward_override(p: &mut Program) {
    let text = "tier(入驻率) { >= 80% => 50 万元  >= 60% => 30 万元  else => 10 万元 }";
    let amount = tier(
        &[("0.8", "500000", ">= 80%"), ("0.6", "300000", ">= 60%")],
        "100000",
        revised_span(text, "override rule 运营奖励"),
    );
    let mut r = rule(
        "运营奖励",
        Family::Reward,
        body(
            Some("第十二条"),
            vec![occ_at_least("0.6", "入驻率 >= 60%")],
            OutcomeDef::Amount(amount),
        ),
        vec![],
    );
    r.origin = Origin::Overridden;
    p.rules[2] = r;
}

/// `override rule 建设补助` with a new exception 新埭镇园区 (镇街道 == "新埭镇", 100 万元).
fn with_new_exception(p: &mut Program) {
    let mut r = base_program().rules[0].clone();
    r.origin = Origin::Overridden;
    let cond = bin(
        BinaryOp::Eq,
        field(F_TOWN, Ty::Text),
        {
            let mut c = money("0");
            c.kind = ExprKind::Const(Value::Text("新埭镇".into()));
            c.ty = Ty::Text;
            c
        },
        Ty::Bool,
    );
    r.exceptions.push(ExceptionDef {
        name: "新埭镇园区".to_string(),
        body: body(
            None,
            vec![when("镇街道 == \"新埭镇\"", cond)],
            OutcomeDef::Amount(money("1000000")),
        ),
        span: Default::default(),
    });
    p.rules[0] = r;
}

#[test]
fn a_param_change_names_the_param_and_its_values() {
    let mut p = revised_program();
    with_cap_800(&mut p);
    // PH-001: min(6000万 × 10%, 800万) = 600万; PH-002's exception min(300万, 800万) stays.
    let mut o = base_outcomes();
    o[0] = out(0, 0, amount("6000000"), None);
    let diff = run(&p, &o, &["镇街道"]);
    let cap = Cause::ParamChanged {
        name: "上限".into(),
        base: Some("500万元".into()),
        revised: Some("800万元".into()),
    };
    assert_eq!(diff.changes.len(), 1);
    let c = &diff.changes[0];
    assert_eq!((&*c.key, &*c.rule), ("PH-001", "建设补助"));
    assert_eq!(c.change, Some(d("1000000")));
    assert_eq!(c.causes.to_vec(), vec![cap.clone()]);
    assert_eq!(diff.rules[0].causes, vec![cap]);
    assert!(diff.rules[1].causes.is_empty() && diff.rules[2].causes.is_empty());
    // 880万 → 980万: +100万, 100/880 = 11.3636…% → 11.36%.
    assert_eq!(diff.budget, money_of("8800000", "9800000"));
    assert_eq!(diff.budget.percent(), Some(d("11.36")));
    let rows: Vec<(&str, Money, usize)> = diff.breakdowns[0]
        .rows
        .iter()
        .map(|r| (r.value.as_str(), r.money, r.changed))
        .collect();
    assert_eq!(
        rows,
        [
            ("广陈镇", money_of("3500000", "3500000"), 0),
            ("当湖街道", money_of("5300000", "6300000"), 1),
            ("新埭镇", money_of("0", "0"), 0),
        ]
    );
}

#[test]
fn a_rule_override_lists_what_changed_in_the_definition() {
    let mut p = revised_program();
    with_reward_override(&mut p);
    // PH-001 85%: >= 80% → 50万 (was 30万); PH-002 96% stays 50万; PH-003 40% still n/a.
    let mut o = base_outcomes();
    o[2] = out(0, 2, amount("500000"), None);
    let diff = run(&p, &o, &[]);
    assert_eq!(diff.changes.len(), 1);
    let c = &diff.changes[0];
    assert_eq!((&*c.key, &*c.rule), ("PH-001", "运营奖励"));
    assert_eq!(c.change, Some(d("200000")));
    let tier = Cause::TierRow {
        base: Some(">= 80% => 30万元".into()),
        revised: Some(">= 80% => 50万元".into()),
    };
    let expected = Cause::RuleChanged {
        overridden: true,
        cite: Some("第十二条".into()),
        changes: vec![
            DefChange::Cite {
                base: Some("第七条".into()),
                revised: Some("第十二条".into()),
            },
            DefChange::WhenRemoved("入驻率 >= 70%".into()),
            DefChange::WhenAdded("入驻率 >= 60%".into()),
            DefChange::Outcome {
                base: "amount tier(入驻率) { >= 90% => 50 万元 >= 80% => 30 万元 else => 10 万元 }"
                    .into(),
                revised: "amount tier(入驻率) { >= 80% => 50 万元 >= 60% => 30 万元 else => 10 万元 }"
                    .into(),
            },
        ],
    };
    assert_eq!(c.causes.to_vec(), vec![tier, expected]);
    assert_eq!(diff.rules[2].money, money_of("800000", "1000000"));
    assert_eq!(diff.rules[2].changed, 1);
}

#[test]
fn a_moved_tier_row_is_named_with_its_value() {
    // override rule 运营奖励 with the top row lowered from >= 90% to >= 85%.
    let text = "tier(入驻率) { >= 85% => 50 万元  >= 80% => 30 万元  else => 10 万元 }";
    let mut p = revised_program();
    let file = p.sources.add("policies/测试/tier.rules", text);
    let mut r = p.rules[2].clone();
    r.origin = Origin::Overridden;
    r.body.outcome = OutcomeDef::Amount(tier(
        &[("0.85", "500000", ">= 85%"), ("0.8", "300000", ">= 80%")],
        "100000",
        parkrules::span::Span::new(file, 0, text.len()),
    ));
    p.rules[2] = r;
    // PH-001 85%: row >= 85% → 50万 (was >= 80% → 30万); PH-002 96%: 50万 either way.
    let mut o = base_outcomes();
    o[2] = out(0, 2, amount("500000"), None);
    let diff = run(&p, &o, &[]);
    assert_eq!(diff.changes.len(), 1);
    assert_eq!(
        diff.changes[0].causes.to_vec(),
        vec![
            Cause::TierRow {
                base: Some(">= 80% => 30万元".into()),
                revised: Some(">= 85% => 50万元".into()),
            },
            Cause::RuleChanged {
                overridden: true,
                cite: Some("第七条".into()),
                changes: vec![DefChange::Outcome {
                    base: "amount tier(入驻率) { >= 90% => 50 万元 >= 80% => 30 万元 else => 10 万元 }"
                        .into(),
                    revised: "amount tier(入驻率) { >= 85% => 50 万元 >= 80% => 30 万元 else => 10 万元 }"
                        .into(),
                }],
            },
        ]
    );
}

#[test]
fn a_removed_rule_resolves_its_violations() {
    let mut p = revised_program();
    p.rules.remove(1);
    // Revised rule ids: 建设补助 0, 运营奖励 1.
    let o: Vec<Outcome> = base_outcomes()
        .into_iter()
        .filter(|o| o.rule.0 != 1)
        .map(|mut o| {
            if o.rule.0 == 2 {
                o.rule = RuleId(1);
            }
            o
        })
        .collect();
    let diff = run(&p, &o, &[]);
    let names: Vec<(&str, Presence)> = diff
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.presence))
        .collect();
    assert_eq!(
        names,
        [
            ("建设补助", Presence::Both),
            ("运营奖励", Presence::Both),
            ("配套用房比例", Presence::Removed),
        ]
    );
    let changed: Vec<(&str, Option<Status>)> = diff
        .changes
        .iter()
        .map(|c| (&*c.key, c.after.as_ref().map(|_| Status::Pass)))
        .collect();
    // PH-001 and PH-003 passed: losing a check they passed is no change.
    assert_eq!(changed, [("PH-002", None)]);
    assert!(diff.changes.iter().all(|c| *c.causes == [Cause::RuleRemoved]));
    assert_eq!(diff.resolved_violations, [0]);
    assert!(diff.new_violations.is_empty());
    assert_eq!(diff.budget, money_of("8800000", "8800000"));
    let pass = diff.statuses.iter().find(|s| s.status == StatusKind::Pass).unwrap();
    assert_eq!((pass.base, pass.revised), (2, 0));
}

#[test]
fn an_added_exception_shows_before_and_after() {
    let mut p = revised_program();
    with_new_exception(&mut p);
    // PH-003 (新埭镇, 40%): the new exception replaces the base rule: 100万.
    let mut o = base_outcomes();
    o[6] = out(2, 0, amount("1000000"), Some(1));
    let diff = run(&p, &o, &[]);
    assert_eq!(diff.changes.len(), 1);
    let c = &diff.changes[0];
    assert_eq!((&*c.key, c.change), ("PH-003", Some(d("1000000"))));
    assert_eq!(
        c.causes.to_vec(),
        vec![
            Cause::ExceptionChanged {
                base: None,
                revised: Some("新埭镇园区".into()),
            },
            Cause::RuleChanged {
                overridden: true,
                cite: Some("第三条".into()),
                changes: vec![DefChange::ExceptionAdded("新埭镇园区".into())],
            },
        ]
    );
}

#[test]
fn an_added_rule_that_violates_is_a_new_violation() {
    let mut p = revised_program();
    let mut r = p.rules[1].clone();
    r.name = "入驻率下限".into();
    r.origin = Origin::Own;
    p.rules.push(r);
    // A copy of 配套用房比例 (require 入驻率 <= 95%): only PH-002 (96%) violates.
    let mut o = base_outcomes();
    o.push(out(0, 3, Status::Pass, None));
    o.push(out(1, 3, violation("入驻率过高"), None));
    o.push(out(2, 3, Status::Pass, None));
    let diff = run(&p, &o, &[]);
    assert_eq!(diff.rules[3].presence, Presence::Added);
    assert_eq!(diff.rules[3].causes, [Cause::RuleAdded]);
    let keys: Vec<&str> = diff.changes.iter().map(|c| &*c.key).collect();
    // The passes of a new check are no change; its violation is.
    assert_eq!(keys, ["PH-002"]);
    assert_eq!(diff.new_violations, [0]);
}

/// Everything at once: the cap raised, 运营奖励 overridden, an exception added.
fn combined() -> Diff {
    let mut p = revised_program();
    with_cap_800(&mut p);
    with_reward_override(&mut p);
    with_new_exception(&mut p);
    let mut o = base_outcomes();
    o[0] = out(0, 0, amount("6000000"), None);
    o[2] = out(0, 2, amount("500000"), None);
    o[6] = out(2, 0, amount("1000000"), Some(1));
    run(&p, &o, &["镇街道"])
}

fn render(fmt: DiffFormat) -> String {
    let mut buf = Vec::new();
    write_diff(&mut buf, fmt, &combined()).unwrap();
    String::from_utf8(buf).unwrap()
}

#[test]
fn combined_markdown() {
    snap("diff_markdown", &render(DiffFormat::Markdown));
}

#[test]
fn combined_text() {
    snap("diff_text", &render(DiffFormat::Text));
}

#[test]
fn combined_html() {
    snap("diff_html", &render(DiffFormat::Html));
}

#[test]
fn combined_json() {
    let s = render(DiffFormat::Json);
    let doc: serde_json::Value = serde_json::from_str(&s).unwrap();
    // 880万 → 600+50+300+50+100 = 1100万.
    assert_eq!(doc["budget"]["base"], "8800000");
    assert_eq!(doc["budget"]["revised"], "11000000");
    assert_eq!(doc["budget"]["change"], "2200000");
    assert_eq!(doc["budget"]["percent"], "25");
    assert_eq!(doc["changes"].as_array().unwrap().len(), 3);
    assert_eq!(doc["changes"][0]["before"]["amount"], "5000000");
    assert_eq!(doc["changes"][0]["causes"][0]["cause"], "param_changed");
    snap("diff_json", &s);
    // The streamed writer gives the documented JSON value in the documented layout.
    let value = parkrules::report::diff::json::to_json(&combined()).unwrap();
    assert_eq!(s, crate::diff_json_layout(&value));
}

/// The change objects are printed in runs, on every core: with many changes (several
/// runs, and parts of runs) and with none, the bytes are still the documented value
/// in the documented layout.
#[test]
fn json_printed_in_parts_is_the_documented_layout() {
    let many = combined();
    let mut cases = vec![many.clone(), many.clone()];
    cases[0].changes = many.changes.iter().cycle().take(20_011).cloned().collect();
    cases[1].changes.clear();
    for d in cases {
        let mut buf = Vec::new();
        write_diff(&mut buf, DiffFormat::Json, &d).unwrap();
        let value = parkrules::report::diff::json::to_json(&d).unwrap();
        let expected = crate::diff_json_layout(&value);
        assert!(buf == expected.as_bytes(), "{} changes", d.changes.len());
    }
}

/// Adds entity 企业 {代码 key, 园区: 园区} with rule 入园奖励 (amount `yuan`), and three
/// firms: F1 in PH-001, F2 and F3 in PH-002.
fn with_firms(p: &mut Program, yuan: &str, origin: Origin) {
    p.entities.push(EntityDef {
        name: "企业".into(),
        fields: vec![
            FieldDef {
                name: "代码".into(),
                ty: Ty::Text,
                input: InputUnit::Plain,
                optional: false,
                span: Default::default(),
            },
            FieldDef {
                name: "园区".into(),
                ty: Ty::Entity(EntityId(0)),
                input: InputUnit::Plain,
                optional: false,
                span: Default::default(),
            },
        ],
        key: FieldId(0),
        span: Default::default(),
    });
    let mut r = rule(
        "入园奖励",
        Family::Subsidy,
        body(None, vec![], OutcomeDef::Amount(money(yuan))),
        vec![],
    );
    r.entity = EntityId(1);
    r.origin = origin;
    p.rules.push(r);
}

fn firms_dataset() -> parkrules::data::Dataset {
    let mut data = dataset();
    let firm = |key: &str, park: usize, row: usize| parkrules::data::Record {
        key: key.into(),
        values: vec![Value::Text(key.into()), Value::Ref(park)],
        row,
        projection: None,
    };
    data.tables.push(parkrules::data::Table {
        source: None,
        records: vec![firm("F1", 0, 1), firm("F2", 1, 2), firm("F3", 1, 3)],
    });
    data
}

#[test]
fn breakdowns_follow_references_to_the_park() {
    let mut bp = base_program();
    with_firms(&mut bp, "100000", Origin::Own);
    let mut rp = revised_program();
    with_firms(&mut rp, "200000", Origin::Overridden);
    let data = firms_dataset();
    let (bo, ro) = (
        parkrules::eval::evaluate(&bp, &data, as_of()),
        parkrules::eval::evaluate(&rp, &data, as_of()),
    );
    // Three firms × 10万 → 20万; parks unchanged.
    assert_eq!(bo.len(), 12);
    let side = |program, outcomes| Side {
        program,
        dataset: &data,
        outcomes,
        as_of: as_of(),
    };
    let by = ["镇街道".to_string(), "园区.镇街道".to_string(), "园区".to_string()];
    let diff = compute_diff(&side(&bp, &bo), &side(&rp, &ro), &by);
    assert_eq!(diff.changes.len(), 3);
    let rows = |i: usize| -> Vec<(String, Money, usize)> {
        diff.breakdowns[i]
            .rows
            .iter()
            .map(|r| (r.value.clone(), r.money, r.changed))
            .collect()
    };
    // 当湖街道: PH-001 500万 + 30万 + F1; 广陈镇: PH-002 300万 + 50万 + F2 + F3.
    let towns = vec![
        ("广陈镇".to_string(), money_of("3700000", "3900000"), 2),
        ("当湖街道".to_string(), money_of("5400000", "5500000"), 1),
        ("新埭镇".to_string(), money_of("0", "0"), 0),
    ];
    assert_eq!(rows(0), towns);
    // An explicit path: park outcomes have no 园区 field, so they group as (none).
    assert_eq!(
        rows(1),
        vec![
            ("(none)".to_string(), money_of("8800000", "8800000"), 0),
            ("广陈镇".to_string(), money_of("200000", "400000"), 2),
            ("当湖街道".to_string(), money_of("100000", "200000"), 1),
        ]
    );
    // A reference shows the referenced record's key.
    assert_eq!(rows(2)[1].0, "PH-001");
    assert_eq!(rows(2)[2].0, "PH-002");
}


#[test]
fn percent_changes_round_half_away_from_zero_and_zero_bases_are_new() {
    use parkrules::report::diff::render::{percent, signed_count, signed_wan};
    assert_eq!(money_of("3", "5").percent(), Some(d("66.67")));
    assert_eq!(money_of("3", "2").percent(), Some(d("-33.33")));
    assert_eq!(money_of("8", "9").percent(), Some(d("12.5")));
    assert_eq!(money_of("80000", "80001").percent(), Some(d("0")));
    assert_eq!(percent(&money_of("0", "100")), "new");
    assert_eq!(percent(&money_of("0", "0")), "0%");
    assert_eq!(percent(&money_of("200", "100")), "-50%");
    assert_eq!(signed_wan(Some(d("-500000"))), "-50万元");
    assert_eq!(signed_wan(Some(d("12345"))), "+1.2345万元");
    assert_eq!(signed_count(3, 1), "-2");
}
