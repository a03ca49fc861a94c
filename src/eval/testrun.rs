//! The `test` block runner.
//!
//! Consumes a checked [`Program`] and its [`TestDef`]s; produces one [`TestResult`] per
//! test. Each test's records become a [`Dataset`] of their own: fields the test does
//! not give read as [`Value::Missing`] (reading one fails the test, naming the field),
//! except optional (`T?`) fields, which read as blank — not giving an optional field is
//! how a test says it is empty. Reference fields, written as the key of another record
//! of the same test, become references to it. The records are evaluated at the test's
//! `as_of` (default: the policy's `effective` date) and each `expect` is compared with
//! the outcome: amounts by exact decimal equality, other expectations by status kind.

use crate::data::{Dataset, Record, Table};
use crate::eval::err::EvalError;
use crate::eval::{Evaluator, Frame, Memo, Outcome, Scratch, Status};
use crate::lang::{Localize, LocalizeDiag, ZhDiag};
use crate::program::NumHint;
use crate::program::{
    EntityId, ExpectDef, ExpectedDef, FieldId, Program, TestDef, TestRecordDef, Ty,
};
use crate::span::Span;
use crate::units::Dim;
use crate::value::{Value, show_num};
use chrono::NaiveDate;
use miette::{Diagnostic, SourceSpan};
use std::borrow::Cow;
use thiserror::Error;

/// The result of one `test` block.
#[derive(Debug)]
pub struct TestResult {
    pub name: String,
    pub span: Span,
    /// The date the test was evaluated at (`None` when it had none).
    pub as_of: Option<NaiveDate>,
    pub passed: bool,
    pub failures: Vec<ExpectFailure>,
    /// The outcome behind each `expect`, in the test's order (`None`: no such record,
    /// or the test could not run).
    pub actuals: Vec<Option<Outcome>>,
}

/// Why a test failed: one `expect` not met, or a test that could not be set up.
#[derive(Debug)]
pub struct ExpectFailure {
    /// The `expect` that failed; `None` when the test could not run at all.
    pub expect: Option<ExpectDef>,
    /// The outcome the rule gave, when it ran.
    pub actual: Option<Outcome>,
    pub problem: TestProblem,
}

/// What went wrong, as a diagnostic pointing into the test.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq)]
pub enum TestProblem {
    #[error("expected {expected}, got {actual}")]
    #[diagnostic(code(parkrules::test::mismatch))]
    Mismatch {
        expected: String,
        actual: Actual,
        #[label("expected here")]
        at: SourceSpan,
        span: Span,
    },
    #[error("field `{field}` of {entity} `{key}` was read but not given by the test")]
    #[diagnostic(
        code(parkrules::test::missing_field),
        help("give `{field}` in the test record")
    )]
    MissingField {
        field: String,
        entity: String,
        key: String,
        #[label("this expect needs it")]
        at: SourceSpan,
        span: Span,
    },
    #[error("reference `{field}` names `{key}`, which is no {entity} record of this test")]
    #[diagnostic(code(parkrules::test::unknown_reference))]
    UnknownReference {
        field: String,
        entity: String,
        key: String,
        #[label("in this record")]
        at: SourceSpan,
        span: Span,
    },
    #[error("no {entity} record `{key}` in this test")]
    #[diagnostic(code(parkrules::test::unknown_record))]
    UnknownRecord {
        entity: String,
        key: String,
        #[label("expected of it here")]
        at: SourceSpan,
        span: Span,
    },
    #[error("field `{field}` of the test record could not be evaluated: {error}")]
    #[diagnostic(code(parkrules::test::bad_field))]
    BadField {
        field: String,
        error: Box<EvalError>,
        #[label("in this record")]
        at: SourceSpan,
        span: Span,
    },
    #[error("the test has no `as_of` and the policy no `effective` date")]
    #[diagnostic(
        code(parkrules::test::no_as_of),
        help("add `as_of 2024-01-01` to the test")
    )]
    NoAsOf {
        #[label("this test")]
        at: SourceSpan,
        span: Span,
    },
}

impl TestProblem {
    /// Where in the policy the problem is (its file and range).
    pub fn span(&self) -> Span {
        match self {
            TestProblem::Mismatch { span, .. }
            | TestProblem::MissingField { span, .. }
            | TestProblem::UnknownReference { span, .. }
            | TestProblem::UnknownRecord { span, .. }
            | TestProblem::BadField { span, .. }
            | TestProblem::NoAsOf { span, .. } => *span,
        }
    }
}

/// Run every `test` block of the program, in order.
pub fn run_tests(program: &Program) -> Vec<TestResult> {
    program.tests.iter().map(|t| run_test(program, t)).collect()
}

/// Run one `test` block.
pub fn run_test(program: &Program, test: &TestDef) -> TestResult {
    let as_of = test.as_of.or(program.info.effective);
    let mut failures = Vec::new();
    let mut actuals = vec![None; test.expects.len()];
    match as_of {
        Some(date) => {
            let data = build_dataset(program, test, date, &mut failures);
            actuals = check_expects(program, test, &data, date, &mut failures);
        }
        None => failures.push(setup_failure(TestProblem::NoAsOf {
            at: test.span.source_span(),
            span: test.span,
        })),
    }
    TestResult {
        name: test.name.clone(),
        span: test.span,
        as_of,
        passed: failures.is_empty(),
        failures,
        actuals,
    }
}

fn setup_failure(problem: TestProblem) -> ExpectFailure {
    ExpectFailure {
        expect: None,
        actual: None,
        problem,
    }
}

/// A test's records as a dataset (as the runner builds it), with the problems met
/// building it (unknown reference keys, values that do not evaluate). For `explain`
/// on test records.
pub fn test_dataset(
    program: &Program,
    test: &TestDef,
    as_of: NaiveDate,
) -> (Dataset, Vec<ExpectFailure>) {
    let mut failures = Vec::new();
    let data = build_dataset(program, test, as_of, &mut failures);
    (data, failures)
}

/// The test's records as a dataset, in the order the test gives them.
fn build_dataset(
    program: &Program,
    test: &TestDef,
    as_of: NaiveDate,
    failures: &mut Vec<ExpectFailure>,
) -> Dataset {
    let empty = Dataset::default();
    let ev = Evaluator::new(program, &empty, as_of);
    let mut data = Dataset {
        tables: vec![Table::default(); program.entities.len()],
    };
    for (row, rec) in test.records.iter().enumerate() {
        let values = record_values(&ev, test, rec, failures);
        if let Some(table) = data.tables.get_mut(rec.entity.0) {
            table
                .records
                .push(Record::new(rec.key.as_str().into(), values, row + 1));
        }
    }
    data
}

/// One test record's values: given fields evaluated, others missing (or blank).
fn record_values(
    ev: &Evaluator<'_>,
    test: &TestDef,
    rec: &TestRecordDef,
    failures: &mut Vec<ExpectFailure>,
) -> Vec<Value> {
    let Some(entity) = ev.program.entity(rec.entity) else {
        return Vec::new();
    };
    let mut values: Vec<Value> = entity
        .fields
        .iter()
        .map(|f| {
            if f.optional {
                Value::Blank
            } else {
                Value::Missing
            }
        })
        .collect();
    if let Some(v) = values.get_mut(entity.key.0) {
        *v = Value::Text(rec.key.as_str().into());
    }
    for (field, expr) in &rec.fields {
        let name = ev.field_name(rec.entity, *field);
        let mut memo = Memo::default();
        let mut frame = Frame {
            rec: None,
            memo: &mut memo,
        };
        let value = match ev.eval(expr, &mut frame, &mut super::trace::NoTrace) {
            Ok(v) => resolve_reference(ev.program, test, rec, *field, v, failures),
            Err(e) => {
                failures.push(setup_failure(TestProblem::BadField {
                    field: name,
                    error: e,
                    at: expr.span.source_span(),
                    span: expr.span,
                }));
                Value::Missing
            }
        };
        if let Some(slot) = values.get_mut(field.0) {
            *slot = value;
        }
    }
    values
}

/// A reference field given as a key text becomes the index of that test record.
fn resolve_reference(
    program: &Program,
    test: &TestDef,
    rec: &TestRecordDef,
    field: FieldId,
    value: Value,
    failures: &mut Vec<ExpectFailure>,
) -> Value {
    let def = program.entity(rec.entity).and_then(|e| e.field(field));
    let (Some(def), Value::Text(key)) = (def, &value) else {
        return value;
    };
    let Ty::Entity(target) = def.ty else {
        return value;
    };
    match record_index(test, target, key) {
        Some(i) => Value::Ref(i),
        None => {
            failures.push(setup_failure(TestProblem::UnknownReference {
                field: def.name.clone(),
                entity: entity_name(program, target),
                key: key.to_string(),
                at: rec.span.source_span(),
                span: rec.span,
            }));
            Value::Missing
        }
    }
}

/// The index of a test record among the test's records of the same entity.
fn record_index(test: &TestDef, entity: EntityId, key: &str) -> Option<usize> {
    test.records
        .iter()
        .filter(|r| r.entity == entity)
        .position(|r| r.key == key)
}

fn entity_name(program: &Program, id: EntityId) -> String {
    program
        .entity(id)
        .map(|e| e.name.clone())
        .unwrap_or_default()
}

fn check_expects(
    program: &Program,
    test: &TestDef,
    data: &Dataset,
    as_of: NaiveDate,
    failures: &mut Vec<ExpectFailure>,
) -> Vec<Option<Outcome>> {
    let ev = Evaluator::new(program, data, as_of);
    let mut scratch = Scratch::default();
    let mut actuals = Vec::with_capacity(test.expects.len());
    for expect in &test.expects {
        let found = record_index(test, expect.entity, &expect.key).and_then(|i| {
            let record = data.table(expect.entity)?.records.get(i)?;
            ev.rule_outcome(&mut scratch, expect.entity, i, record, expect.rule)
        });
        let Some(actual) = found else {
            failures.push(ExpectFailure {
                expect: Some(expect.clone()),
                actual: None,
                problem: TestProblem::UnknownRecord {
                    entity: entity_name(program, expect.entity),
                    key: expect.key.clone(),
                    at: expect.span.source_span(),
                    span: expect.span,
                },
            });
            actuals.push(None);
            continue;
        };
        if let Some(problem) = compare(program, expect, &actual) {
            failures.push(ExpectFailure {
                expect: Some(expect.clone()),
                actual: Some(actual.clone()),
                problem,
            });
        }
        actuals.push(Some(actual));
    }
    actuals
}

/// Why an outcome does not meet an expectation (`None`: it does).
fn compare(program: &Program, expect: &ExpectDef, actual: &Outcome) -> Option<TestProblem> {
    if let Status::Error(e) = &actual.status
        && let EvalError::Missing {
            field, entity, key, ..
        } = e.as_ref()
    {
        // The record the field belongs to: the expect's, or one it refers to.
        return Some(TestProblem::MissingField {
            field: field.clone(),
            entity: entity.clone(),
            key: key.clone(),
            at: expect.span.source_span(),
            span: expect.span,
        });
    }
    let met = match expect.expected {
        ExpectedDef::Amount(d) => actual.status.amount() == Some(d),
        ExpectedDef::Status(kind) => actual.status.kind() == kind,
    };
    (!met).then(|| TestProblem::Mismatch {
        expected: expected_text(&expect.expected),
        actual: Actual::of(program, actual),
        at: expect.span.source_span(),
        span: expect.span,
    })
}

fn money(d: rust_decimal::Decimal) -> String {
    show_num(d, Dim::MONEY, NumHint::Number)
}

fn expected_text(expected: &ExpectedDef) -> String {
    match expected {
        ExpectedDef::Amount(d) => money(*d),
        ExpectedDef::Status(k) => k.name().to_string(),
    }
}

/// An outcome in a few words: `600万元`, `not_applicable (when `…`)`, `error: …`.
pub fn describe_status(program: &Program, outcome: &Outcome) -> String {
    Actual::of(program, outcome).to_string()
}

/// The outcome a test got, in a few words (see [`describe_status`]).
#[derive(Clone, Debug, Error, PartialEq)]
pub enum Actual {
    #[error("{0}")]
    Amount(String),
    #[error("not_applicable (when `{0}` fails)")]
    NotApplicable(String),
    #[error("pass")]
    Pass,
    #[error("violation: {0}")]
    Violation(String),
    #[error("error: {error} at {at}")]
    Error { error: Box<EvalError>, at: String },
}

impl Actual {
    pub fn of(program: &Program, outcome: &Outcome) -> Actual {
        match &outcome.status {
            Status::Amount(d) => Actual::Amount(money(*d)),
            Status::NotApplicable { when } => {
                let text = program
                    .rule(outcome.rule)
                    .and_then(|r| r.body.whens.get(*when))
                    .map(|w| w.text.as_str())
                    .unwrap_or("");
                Actual::NotApplicable(text.to_string())
            }
            Status::Pass => Actual::Pass,
            Status::Violation { message } => Actual::Violation(message.clone()),
            Status::Error(e) => Actual::Error {
                error: e.clone(),
                at: program.sources.location(e.span()),
            },
        }
    }
}

impl Localize for Actual {
    fn zh(&self) -> Cow<'_, str> {
        match self {
            Actual::Amount(m) => m.as_str().into(),
            Actual::NotApplicable(w) => format!("not_applicable（条件 `{w}` 不成立）").into(),
            Actual::Pass => "pass".into(),
            Actual::Violation(m) => format!("violation：{m}").into(),
            Actual::Error { error, at } => format!("error：{}，位于 {at}", error.zh()).into(),
        }
    }
}

impl LocalizeDiag for TestProblem {
    fn zh_diag(&self) -> ZhDiag {
        use crate::lang::zd as z;
        use TestProblem::*;
        match self {
            Mismatch {
                expected, actual, ..
            } => z(format!("期望 {expected}，实际 {}", actual.zh()), "期望在此"),
            MissingField {
                field, entity, key, ..
            } => z(
                format!("读取了 {entity} `{key}` 的字段 `{field}`，但测试没有给出"),
                "此 expect 需要它",
            )
            .help(format!("在测试记录中给出 `{field}`")),
            UnknownReference {
                field, entity, key, ..
            } => z(
                format!("引用 `{field}` 指向 `{key}`，但此测试中没有这条 {entity} 记录"),
                "在此记录中",
            ),
            UnknownRecord { entity, key, .. } => {
                z(format!("此测试中没有 {entity} 记录 `{key}`"), "在此期望它")
            }
            BadField { field, error, .. } => z(
                format!("测试记录的字段 `{field}` 无法求值：{}", error.zh()),
                "在此记录中",
            ),
            NoAsOf { .. } => z("测试没有 `as_of`，政策也没有 `effective` 日期", "此测试")
                .help("在测试中加 `as_of 2024-01-01`"),
        }
    }
}
