//! Unit tests of the evaluator on a hand-built program ([`super::fixture`]); every
//! expected number is computed by hand in the comment beside it.

use super::fixture::*;
use super::*;
use crate::ast::{BinaryOp as B, Family};
use crate::eval::explain::Note;
use crate::program::*;
use crate::span::Span;
use crate::value::Value;

/// P1: 新埭镇, 国企投资, 120 亩, 6000 万元, 85%, amenity 8 of 100 亩, built 2022-03-01.
/// P2: 广陈镇, 民间投资, 60 亩, 2000 万元, 65%, amenity 3 of 50 亩, not built.
/// P3: 林埭镇, 政府全资, 100 亩, 1000 万元, 95%, no floor area at all.
/// F1, F2 (规上) and F3 in P1 paying 80, 300, 200 万元; F4 in P3 with a blank tax.
fn data() -> crate::data::Dataset {
    dataset(
        vec![
            park(
                Park("P1", "新埭镇", 1, "120", "6000", "85"),
                "100",
                "8",
                Some("2022-03-01"),
            ),
            park(Park("P2", "广陈镇", 2, "60", "2000", "65"), "50", "3", None),
            park(Park("P3", "林埭镇", 0, "100", "1000", "95"), "0", "0", None),
        ],
        vec![
            firm("F1", 0, Some("80"), true),
            firm("F2", 0, Some("300"), true),
            firm("F3", 0, Some("200"), false),
            firm("F4", 2, None, false),
        ],
    )
}

fn outcome(outs: &[Outcome], entity: usize, record: usize, rule: usize) -> &Outcome {
    outs.iter()
        .find(|o| o.entity == EntityId(entity) && o.record == record && o.rule == RuleId(rule))
        .unwrap()
}

fn status(outs: &[Outcome], entity: usize, record: usize, rule: usize) -> Status {
    outcome(outs, entity, record, rule).status.clone()
}

fn yuan(s: &str) -> Status {
    Status::Amount(d(s))
}

fn error_code(s: &Status) -> &'static str {
    match s {
        Status::Error(e) => e.code_name(),
        _ => "not an error",
    }
}

#[test]
fn outcomes_come_in_output_order() {
    let p = program();
    let outs = evaluate(&p, &data(), date("2022-01-01"));
    let order: Vec<(usize, usize, usize)> = outs
        .iter()
        .map(|o| (o.entity.0, o.record, o.rule.0))
        .collect();
    let mut expected = Vec::new();
    for rec in 0..3 {
        expected.extend((0..4).map(|r| (0, rec, r)));
    }
    expected.extend((0..4).map(|rec| (1, rec, 4)));
    assert_eq!(order, expected);
}

#[test]
fn cap_follows_the_dated_param_in_force() {
    let p = program();
    // min(6000万 × 10% = 600万, cap): 500万 before 2024, 800万 from 2024-01-01.
    let before = evaluate(&p, &data(), date("2023-12-31"));
    assert_eq!(status(&before, 0, 0, 0), yuan("5000000"));
    let after = evaluate(&p, &data(), date("2024-01-01"));
    assert_eq!(status(&after, 0, 0, 0), yuan("6000000"));
}

#[test]
fn param_without_a_row_in_force_is_an_error_where_read() {
    let mut p = program();
    p.rules[0].body.outcome = OutcomeDef::Amount(param(FUTURE, Ty::MONEY));
    let outs = evaluate(&p, &data(), date("2024-01-01"));
    match &outcome(&outs, 0, 0, 0).status {
        Status::Error(e) => assert_eq!(
            **e,
            EvalError::NoParamValue {
                param: "未来参数".into(),
                as_of: "2024-01-01".into(),
                span: Span::default()
            }
        ),
        s => panic!("{s:?}"),
    }
    let later = evaluate(&p, &data(), date("2030-01-01"));
    assert_eq!(status(&later, 0, 0, 0), yuan("10000"));
}

#[test]
fn exception_replaces_a_failing_base_rule() {
    let outs = evaluate(&program(), &data(), date("2022-01-01"));
    // P2 is private (the base fails) but in 广陈镇 with 60 亩: min(2000万 × 15%, 500万).
    let o = outcome(&outs, 0, 1, 0);
    assert_eq!((o.status.clone(), o.exception), (yuan("3000000"), Some(0)));
    // P3 (政府全资, 100 亩) meets both; the exception wins: 1000万 × 15% = 150万.
    let o = outcome(&outs, 0, 2, 0);
    assert_eq!((o.status.clone(), o.exception), (yuan("1500000"), Some(0)));
    // P1 is not in a weak town: the base rule, no exception.
    assert_eq!(outcome(&outs, 0, 0, 0).exception, None);
}

#[test]
fn two_exceptions_holding_conflict_naming_both() {
    let mut p = program();
    let town = bin(B::Eq, field(P_TOWN, Ty::Text), text("广陈镇"));
    p.rules[0].exceptions.push(ExceptionDef {
        name: "广陈专项".into(),
        body: amount_body("附则", vec![when(town, "镇街道 == \"广陈镇\"")], wan("1")),
        span: Span::default(),
    });
    let outs = evaluate(&p, &data(), date("2022-01-01"));
    match &outcome(&outs, 0, 1, 0).status {
        Status::Error(e) => assert_eq!(
            **e,
            EvalError::ExceptionConflict {
                first: "薄弱镇园区".into(),
                second: "广陈专项".into(),
                span: Span::default()
            }
        ),
        s => panic!("{s:?}"),
    }
    // P3 (林埭镇) meets only the first.
    assert_eq!(status(&outs, 0, 2, 0), yuan("1500000"));
}

#[test]
fn ratio_violation_interpolates_a_readable_value() {
    let outs = evaluate(&program(), &data(), date("2022-01-01"));
    // 8 / 100 = 8% > 7%.
    assert_eq!(
        status(&outs, 0, 0, 1),
        Status::Violation {
            message: "非生产性配套用房占比 8% 超过 7%".into()
        }
    );
    // 3 / 50 = 6%.
    assert_eq!(status(&outs, 0, 1, 1), Status::Pass);
    // 0 / 0.
    assert_eq!(error_code(&status(&outs, 0, 2, 1)), "division_by_zero");
}

#[test]
fn tier_takes_the_first_matching_row_and_when_names_its_line() {
    let outs = evaluate(&program(), &data(), date("2022-01-01"));
    assert_eq!(status(&outs, 0, 0, 2), yuan("300000")); // 85% → >= 80%
    assert_eq!(status(&outs, 0, 1, 2), Status::NotApplicable { when: 0 }); // 65% < 70%
    assert_eq!(status(&outs, 0, 2, 2), yuan("500000")); // 95% → >= 90%
}

#[test]
fn brackets_are_marginal_over_an_aggregate() {
    let outs = evaluate(&program(), &data(), date("2022-01-01"));
    // P1 firms pay 80 + 300 + 200 = 580万: 100万 × 5% + 400万 × 3% + 80万 × 1%
    // = 5万 + 12万 + 0.8万 = 17.8万.
    assert_eq!(status(&outs, 0, 0, 3), yuan("178000"));
    // P2 has no firm: the sum is 0.
    assert_eq!(status(&outs, 0, 1, 3), yuan("0"));
    // P3's only firm has a blank tax.
    match status(&outs, 0, 2, 3) {
        Status::Error(e) => assert_eq!(
            *e,
            EvalError::Blank {
                field: "年税收".into(),
                span: Span::default()
            }
        ),
        s => panic!("{s:?}"),
    }
}

#[test]
fn a_let_read_through_a_reference_counts_the_parks_firms() {
    let outs = evaluate(&program(), &data(), date("2022-01-01"));
    // P1 has two 规上 firms: 2 × 10万.
    assert_eq!(status(&outs, 1, 0, 4), yuan("200000"));
    assert_eq!(status(&outs, 1, 1, 4), yuan("200000"));
    assert_eq!(status(&outs, 1, 2, 4), Status::NotApplicable { when: 0 });
}

#[test]
fn streaming_a_record_gives_the_same_outcomes() {
    let p = program();
    let data = data();
    let all = evaluate(&p, &data, date("2022-01-01"));
    let ev = Evaluator::new(&p, &data, date("2022-01-01"));
    let mut out = Vec::new();
    ev.record_outcomes(EntityId(1), 1, &data.tables[1].records[1], &mut out);
    assert_eq!(out, vec![outcome(&all, 1, 1, 4).clone()]);
}

/// A program whose rule 0 has the given amount (on 园区).
fn with_amount(amount: Expr) -> Program {
    let mut p = program();
    p.rules[0].body.whens.clear();
    p.rules[0].exceptions.clear();
    p.rules[0].body.outcome = OutcomeDef::Amount(amount);
    p
}

fn amount_on(p: &Program, record: usize, as_of: &str) -> Status {
    status(&evaluate(p, &data(), date(as_of)), 0, record, 0)
}

#[test]
fn overflow_is_an_error_not_a_panic() {
    let big = num("79228162514264337593543950335");
    let p = with_amount(bin(B::Mul, field(P_INVEST, Ty::MONEY), big));
    assert_eq!(error_code(&amount_on(&p, 0, "2022-01-01")), "overflow");
}

#[test]
fn is_set_guards_an_optional_date_and_years_count_anniversaries() {
    let built = || field(P_BUILT, Ty::Date);
    let years = call(
        Builtin::YearsBetween,
        vec![built(), ex(ExprKind::AsOf, Ty::Date)],
        Ty::INT,
    );
    let guarded = ex(
        ExprKind::If(
            bx(call(Builtin::IsSet, vec![built()], Ty::Bool)),
            bx(bin(B::Mul, years, wan("1"))),
            bx(wan("0")),
        ),
        Ty::MONEY,
    );
    let p = with_amount(guarded);
    // Built 2022-03-01: two anniversaries by 2024-03-01, one on 2024-02-29.
    assert_eq!(amount_on(&p, 0, "2024-03-01"), yuan("20000"));
    assert_eq!(amount_on(&p, 0, "2024-02-29"), yuan("10000"));
    assert_eq!(amount_on(&p, 1, "2024-03-01"), yuan("0"));
    // Without the guard the blank date is an error naming the field.
    let years = call(
        Builtin::YearsBetween,
        vec![built(), ex(ExprKind::AsOf, Ty::Date)],
        Ty::INT,
    );
    let p = with_amount(years);
    match amount_on(&p, 1, "2024-03-01") {
        Status::Error(e) => assert_eq!(e.code_name(), "blank"),
        s => panic!("{s:?}"),
    }
}

#[test]
fn a_date_plus_years_is_calendar_time() {
    let built = field(P_BUILT, Ty::Date);
    let three_years = ex(
        ExprKind::Const(Value::Num(d("36"))),
        Ty::Num(crate::units::Dim::MONTHS, NumHint::Number),
    );
    let due = bin(B::Add, built, three_years);
    let cond = bin(B::Le, due, ex(ExprKind::AsOf, Ty::Date));
    let amount = ex(
        ExprKind::If(bx(cond), bx(wan("1")), bx(wan("0"))),
        Ty::MONEY,
    );
    let p = with_amount(amount);
    // 2022-03-01 + 3 年 = 2025-03-01.
    assert_eq!(amount_on(&p, 0, "2025-02-28"), yuan("0"));
    assert_eq!(amount_on(&p, 0, "2025-03-01"), yuan("10000"));
}

#[test]
fn match_takes_the_arm_of_the_variant_or_else() {
    let arm = |variants: Vec<usize>, v: &str| MatchArmDef {
        variants,
        value: wan(v),
        span: Span::default(),
    };
    let m = ex(
        ExprKind::Match {
            scrutinee: bx(field(P_MODEL, Ty::Enum(EnumId(0)))),
            arms: vec![arm(vec![0, 1], "10")],
            otherwise: Some(bx(wan("2"))),
        },
        Ty::MONEY,
    );
    let p = with_amount(m);
    assert_eq!(amount_on(&p, 0, "2022-01-01"), yuan("100000")); // 国企投资
    assert_eq!(amount_on(&p, 1, "2022-01-01"), yuan("20000")); // 民间投资
}

#[test]
fn round_is_half_away_from_zero_in_base_units() {
    // 6000万 / 7 = 8571428.571428…; round to 元 → 8571429; floor to 万 → 8570000.
    let seventh = || bin(B::Div, field(P_INVEST, Ty::MONEY), num("7"));
    let p = with_amount(call(Builtin::Round, vec![seventh(), num("0")], Ty::MONEY));
    assert_eq!(amount_on(&p, 0, "2022-01-01"), yuan("8571429"));
    let p = with_amount(call(Builtin::Floor, vec![seventh(), num("-4")], Ty::MONEY));
    assert_eq!(amount_on(&p, 0, "2022-01-01"), yuan("8570000"));
}

#[test]
fn or_short_circuits_past_an_error() {
    // `入驻率 >= 0% or 配套比例 > 0%` holds on P3 although 配套比例 divides by zero.
    let cond = bin(
        B::Or,
        bin(B::Ge, field(P_OCC, Ty::PERCENT), pct("0")),
        bin(B::Gt, let_(L_RATIO, Ty::PERCENT), pct("0")),
    );
    let p = with_amount(ex(
        ExprKind::If(bx(cond), bx(wan("1")), bx(wan("0"))),
        Ty::MONEY,
    ));
    assert_eq!(amount_on(&p, 2, "2022-01-01"), yuan("10000"));
}

#[test]
fn explain_records_slices_lets_and_aggregated_records() {
    let p = program();
    let data = data();
    let x = explain(&p, &data, date("2022-01-01"), EntityId(0), 0, RuleId(3)).unwrap();
    assert_eq!(
        (x.status, x.amount.as_deref()),
        (StatusKind::Amount, Some("178000"))
    );
    let brackets = &x.steps[0];
    let Some(Note::Brackets { slices }) = brackets.notes.first() else {
        panic!("{:?}", brackets.notes)
    };
    let parts: Vec<(&str, &str)> = slices
        .iter()
        .map(|s| (s.amount.as_str(), s.product.as_str()))
        .collect();
    assert_eq!(
        parts,
        vec![
            ("100万元", "5万元"),
            ("400万元", "12万元"),
            ("80万元", "0.8万元")
        ]
    );
    let sum = &brackets.children[0];
    assert_eq!(sum.value.as_deref(), Some("580万元"));
    assert!(matches!(&sum.notes[0], Note::Let { name, memoised: false } if name == "入园税收"));
    let Note::Aggregate { records, .. } = &sum.children[0].notes[0] else {
        panic!("{:?}", sum.children[0].notes)
    };
    let keys: Vec<(&str, Option<&str>)> = records
        .iter()
        .map(|r| (r.key.as_str(), r.value.as_deref()))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("F1", Some("80万元")),
            ("F2", Some("300万元")),
            ("F3", Some("200万元"))
        ]
    );
}

#[test]
fn explain_names_the_chosen_exception_and_failed_when() {
    let p = program();
    let data = data();
    let x = explain(&p, &data, date("2022-01-01"), EntityId(0), 1, RuleId(0)).unwrap();
    assert_eq!(x.exception.as_deref(), Some("薄弱镇园区"));
    assert_eq!(x.cite.as_deref(), Some("第三条第二款"));
    assert_eq!(x.amount_shown.as_deref(), Some("300万元"));
    let x = explain(&p, &data, date("2022-01-01"), EntityId(0), 1, RuleId(2)).unwrap();
    assert_eq!(x.failed_when.as_deref(), Some("入驻率 >= 70%"));
    let when = &x.steps[0];
    assert_eq!(
        when.notes,
        vec![Note::When {
            index: 0,
            held: false
        }]
    );
    // The wrong entity for the rule has no explanation.
    assert!(explain(&p, &data, date("2022-01-01"), EntityId(1), 0, RuleId(0)).is_none());
}

#[test]
fn explain_serialises_to_json() {
    let p = program();
    let data = data();
    let x = explain(&p, &data, date("2022-01-01"), EntityId(0), 0, RuleId(2)).unwrap();
    let json = serde_json::to_value(&x).unwrap();
    assert_eq!(json["status"], "amount");
    assert_eq!(json["amount"], "300000");
    assert_eq!(json["family"], "reward");
    assert_eq!(json["steps"][1]["notes"][0]["note"], "tier_row");
    assert_eq!(json["steps"][1]["notes"][0]["text"], ">= 80%");
    let _ = Family::Reward;
}

fn test_record(entity: usize, key: &str, fields: Vec<(usize, Expr)>) -> TestRecordDef {
    TestRecordDef {
        entity: EntityId(entity),
        key: key.into(),
        fields: fields.into_iter().map(|(f, e)| (FieldId(f), e)).collect(),
        span: Span::default(),
    }
}

fn expect(entity: usize, key: &str, rule: usize, expected: ExpectedDef) -> ExpectDef {
    ExpectDef {
        entity: EntityId(entity),
        key: key.into(),
        rule: RuleId(rule),
        expected,
        span: Span::default(),
    }
}

fn test_def(as_of: Option<&str>, records: Vec<TestRecordDef>, expects: Vec<ExpectDef>) -> TestDef {
    TestDef {
        name: "t".into(),
        as_of: as_of.map(date),
        records,
        expects,
        origin: Origin::Own,
        span: Span::default(),
    }
}

/// T1: 国企投资, 120 亩, 6000 万元, 新埭镇 (SPEC §3.6), and a 规上 firm in it.
fn spec_records() -> Vec<TestRecordDef> {
    let model = ex(ExprKind::Const(Value::Enum(1)), Ty::Enum(EnumId(0)));
    vec![
        test_record(
            0,
            "T1",
            vec![
                (P_MODEL, model),
                (P_AREA, mu("120")),
                (P_INVEST, wan("6000")),
                (P_TOWN, text("新埭镇")),
            ],
        ),
        test_record(
            1,
            "E1",
            vec![
                (F_PARK, text("T1")),
                (F_BIG, ex(ExprKind::Const(Value::Bool(true)), Ty::Bool)),
            ],
        ),
    ]
}

#[test]
fn a_test_block_passes_with_hand_computed_expectations() {
    let mut p = program();
    p.tests.push(test_def(
        Some("2022-01-01"),
        spec_records(),
        vec![
            expect(0, "T1", 0, ExpectedDef::Amount(d("5000000"))),
            expect(1, "E1", 4, ExpectedDef::Amount(d("100000"))),
            expect(1, "E1", 4, ExpectedDef::Status(StatusKind::Amount)),
        ],
    ));
    let results = run_tests(&p);
    assert!(results[0].passed, "{:?}", results[0].failures);
    assert_eq!(results[0].as_of, Some(date("2022-01-01")));
}

#[test]
fn a_wrong_amount_fails_showing_both_amounts() {
    let mut p = program();
    // Without `as_of` the test runs at the effective date 2021-07-01: cap 500万.
    p.tests.push(test_def(
        None,
        spec_records(),
        vec![expect(0, "T1", 0, ExpectedDef::Amount(d("6000000")))],
    ));
    let r = &run_tests(&p)[0];
    assert!(!r.passed);
    assert_eq!(r.failures.len(), 1);
    let f = &r.failures[0];
    assert_eq!(
        f.actual.as_ref().map(|o| o.status.clone()),
        Some(yuan("5000000"))
    );
    assert!(matches!(
        &f.problem,
        testrun::TestProblem::Mismatch { expected, actual, .. } if expected == "600万元" && actual.to_string() == "500万元"
    ));
}

#[test]
fn reading_a_field_the_test_did_not_give_fails_naming_it() {
    let mut p = program();
    // 运营奖励 reads 入驻率, which T1 does not give.
    p.tests.push(test_def(
        None,
        spec_records(),
        vec![expect(0, "T1", 2, ExpectedDef::Status(StatusKind::Error))],
    ));
    let r = &run_tests(&p)[0];
    assert!(!r.passed);
    assert!(matches!(
        &r.failures[0].problem,
        testrun::TestProblem::MissingField { field, key, .. } if field == "入驻率" && key == "T1"
    ));
}

#[test]
fn an_unknown_reference_key_fails_the_test() {
    let mut p = program();
    let mut records = spec_records();
    records[1].fields[0].1 = text("T9");
    p.tests.push(test_def(None, records, vec![]));
    let r = &run_tests(&p)[0];
    assert!(!r.passed);
    assert!(matches!(
        &r.failures[0].problem,
        testrun::TestProblem::UnknownReference { key, entity, .. } if key == "T9" && entity == "园区"
    ));
}

#[test]
fn an_optional_field_not_given_reads_as_blank() {
    let built = field(P_BUILT, Ty::Date);
    let set = call(Builtin::IsSet, vec![built], Ty::Bool);
    let mut p = with_amount(ex(
        ExprKind::If(bx(set), bx(wan("1")), bx(wan("2"))),
        Ty::MONEY,
    ));
    p.tests.push(test_def(
        None,
        spec_records(),
        vec![expect(0, "T1", 0, ExpectedDef::Amount(d("20000")))],
    ));
    let r = &run_tests(&p)[0];
    assert!(r.passed, "{:?}", r.failures);
}

#[test]
fn fed_children_give_the_same_outcomes_as_kept_ones() {
    let p = program();
    let all = data();
    let kept = evaluate(&p, &all, date("2022-01-01"));
    let parks_only = dataset(all.tables[0].records.clone(), vec![]);
    let mut ev = Evaluator::new(&p, &parks_only, date("2022-01-01"));
    assert!(ev.aggregates_over(EntityId(1)) && !ev.aggregates_over(EntityId(0)));
    for (i, r) in all.tables[1].records.iter().enumerate() {
        ev.feed(EntityId(1), i, r);
    }
    let mut streamed = Vec::new();
    for (i, r) in all.tables[0].records.iter().enumerate() {
        ev.record_outcomes(EntityId(0), i, r, &mut streamed);
    }
    for (i, r) in all.tables[1].records.iter().enumerate() {
        ev.record_outcomes(EntityId(1), i, r, &mut streamed);
    }
    // Including P3's blank-tax error and P1's 178000 of brackets over the sum.
    assert_eq!(streamed, kept);
}
