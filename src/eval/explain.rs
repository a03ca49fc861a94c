//! Explanations: the evaluation tree of one rule on one record, as plain data.
//!
//! Consumes a program, records, an as-of date and the (entity, record, rule) to
//! explain; produces an [`Explanation`]: the outcome, and a tree of [`Node`]s, one per
//! evaluated expression, `when`, exception and message, each with its source text, its
//! value and the decisions taken there ([`Note`]: which `when` failed, which exception
//! or tier row or match arm was chosen, bracket slices, params with their dated row,
//! aggregated child records). Built by the same evaluator as `evaluate`, with a
//! recording tracer. Serialisable, so reports can render it as text or JSON.

use crate::ast::Family;
use crate::data::{Dataset, Record};
use crate::eval::err::EvalError;
use crate::eval::trace::{Reads, ReadsTracer, TreeTracer};
use crate::eval::{Evaluator, Outcome, Scratch, Status};
use crate::program::{EntityId, Program, RuleId, StatusKind, Ty};
use crate::span::Span;
use crate::value::{Value, plain_decimal};
use chrono::NaiveDate;
use serde::{Serialize, Serializer};

/// Why one rule gave its outcome on one record.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub entity: String,
    pub key: String,
    pub rule: String,
    pub family: Family,
    pub as_of: String,
    pub status: StatusKind,
    /// Exact, in 元, for `amount` outcomes.
    pub amount: Option<String>,
    /// The amount in a readable unit (`500万元`).
    pub amount_shown: Option<String>,
    pub message: Option<String>,
    /// The text of the first failing `when`, for `not_applicable`.
    pub failed_when: Option<String>,
    /// The evaluation error, typed so that a report can word it in any language; its
    /// English text in JSON.
    #[serde(serialize_with = "english")]
    pub error: Option<Box<EvalError>>,
    /// Where the error happened (`file:line:col`).
    pub error_location: Option<String>,
    /// The exception that replaced the base rule.
    pub exception: Option<String>,
    /// The cite of the part of the rule that decided (the exception's when one applied).
    pub cite: Option<String>,
    /// The evaluation, in order: exceptions considered, `when`s, then the outcome.
    pub steps: Vec<Node>,
    #[serde(skip)]
    pub outcome: Outcome,
}

/// One evaluated step.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    pub kind: NodeKind,
    /// The source text of the expression (or the `when` as written, the exception's name).
    pub text: String,
    /// `file:line:col` in the policy.
    pub location: String,
    /// The value, shown in a readable unit (`500万元`, `85%`, `新埭镇`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The evaluation error raised here or below (its English text in JSON).
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "english")]
    pub error: Option<Box<EvalError>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
    /// The value itself, in base units.
    #[serde(skip)]
    pub raw: Option<Value>,
    #[serde(skip)]
    pub ty: Option<Ty>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// An expression.
    Expr,
    /// One `when` line (its child is the condition).
    When,
    /// One exception considered (its children are its `when`s).
    Exception,
    /// A violation message with `{expr}` parts.
    Message,
}

/// A decision taken while evaluating a node.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum Note {
    /// A `when` line of the rule or of an exception, by index.
    When { index: usize, held: bool },
    /// An exception considered: whether all its `when`s held.
    Exception {
        name: String,
        cite: Option<String>,
        applies: bool,
    },
    /// The exception chosen to replace the base rule.
    ExceptionChosen { name: String, cite: Option<String> },
    /// The first tier row that matched, by index, as written (`>= 90%`).
    TierRow { index: usize, text: String },
    /// No tier row matched: the `else` value.
    TierElse,
    /// Every slice of a `brackets`.
    Brackets { slices: Vec<Slice> },
    /// The arm of a `match` taken, by index (`None`: the `else` arm).
    MatchArm {
        index: Option<usize>,
        variant: String,
    },
    /// Which branch of an `if` was taken.
    Branch { then: bool },
    /// `and`/`or` decided by its left side.
    ShortCircuit,
    /// A param read: its value and the dated row in force (`from` when dated).
    Param {
        name: String,
        value: String,
        row: usize,
        from: Option<String>,
    },
    /// A `let` read: `memoised` when computed earlier for the same record.
    Let { name: String, memoised: bool },
    /// The child records of an aggregate.
    Aggregate {
        func: String,
        entity: String,
        via: String,
        records: Vec<AggRecord>,
    },
}

/// A tier row's condition, without its result (`>= 80%` of `>= 80% => 30万元`).
pub fn tier_condition(text: &str) -> &str {
    text.split("=>").next().unwrap_or("").trim()
}

/// One slice of a `brackets`: the part of the subject between `from` and `to`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Slice {
    /// The row as written (`up to 100 万元 => 5%`, `above => 1%`).
    pub text: String,
    pub from: String,
    /// `None` for the `above` slice.
    pub to: Option<String>,
    pub amount: String,
    pub rate: String,
    pub product: String,
    /// Whether any part of the subject fell in this slice.
    #[serde(skip)]
    pub reached: bool,
}

/// One child record of an aggregate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AggRecord {
    pub key: String,
    /// Whether it passed the `where` filter.
    pub included: bool,
    /// The aggregated value (for included records of `sum`/`min`/`max`/`avg`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// Explain one rule on one record (`record` indexes the entity's table). `None` when
/// the entity, record or rule does not exist, or the rule is not for that entity.
pub fn explain(
    program: &Program,
    data: &Dataset,
    as_of: NaiveDate,
    entity: EntityId,
    record: usize,
    rule: RuleId,
) -> Option<Explanation> {
    let ev = Evaluator::new(program, data, as_of);
    ev.explain(entity, record, rule)
}

impl Evaluator<'_> {
    /// Explain one rule on one record of the dataset (see [`explain`]).
    pub fn explain(&self, entity: EntityId, record: usize, rule: RuleId) -> Option<Explanation> {
        let rec = self.data.table(entity)?.records.get(record)?;
        self.explain_record(entity, record, rec, rule, TreeTracer::default())
    }

    /// [`Evaluator::explain`] of a record given, the `index`-th of its entity's input
    /// (a record streamed from its file, not in the dataset), with a brief tree: its
    /// steps, texts and notes, the values of tier nodes only, and no locations (what
    /// a diff's causes read).
    pub(crate) fn explain_brief_of(
        &self,
        entity: EntityId,
        index: usize,
        rec: &Record,
        rule: RuleId,
    ) -> Option<Explanation> {
        self.explain_record(entity, index, rec, rule, TreeTracer::brief())
    }

    /// What [`Evaluator::explain_brief_of`]'s tree holds of the params and lets read
    /// and of `tier` decisions, without building it; `None` exactly where that is.
    pub(crate) fn reads_of(
        &self,
        entity: EntityId,
        index: usize,
        rec: &Record,
        rule: RuleId,
    ) -> Option<Reads> {
        let def = self.program.rule(rule)?;
        if def.entity != entity {
            return None;
        }
        let mut tracer = ReadsTracer::default();
        self.traced_outcome(
            &mut Scratch::default(),
            entity,
            index,
            rec,
            rule,
            &mut tracer,
        )?;
        self.program.entity(entity)?;
        Some(tracer.into_reads())
    }

    fn explain_record(
        &self,
        entity: EntityId,
        record: usize,
        rec: &Record,
        rule: RuleId,
        mut tracer: TreeTracer,
    ) -> Option<Explanation> {
        let def = self.program.rule(rule)?;
        if def.entity != entity {
            return None;
        }
        let mut scratch = Scratch::default();
        let outcome = self.traced_outcome(&mut scratch, entity, record, rec, rule, &mut tracer)?;
        let entity_name = self.program.entity(entity).map(|e| e.name.clone())?;
        let mut x = Explanation {
            entity: entity_name,
            key: rec.key.to_string(),
            rule: def.name.clone(),
            family: def.family,
            as_of: as_of_text(self.as_of),
            status: outcome.status.kind(),
            amount: None,
            amount_shown: None,
            message: None,
            failed_when: None,
            error: None,
            error_location: None,
            exception: None,
            cite: def.body.cite.clone(),
            steps: tracer.into_roots(),
            outcome: outcome.clone(),
        };
        self.describe(&mut x, &outcome);
        Some(x)
    }

    fn describe(&self, x: &mut Explanation, outcome: &Outcome) {
        let Some(def) = self.program.rule(outcome.rule) else {
            return;
        };
        match &outcome.status {
            Status::Amount(d) => {
                x.amount = Some(plain_decimal(*d));
                x.amount_shown = Some(self.show(&Value::Num(*d), &Ty::MONEY));
            }
            Status::NotApplicable { when } => {
                x.failed_when = def.body.whens.get(*when).map(|w| w.text.clone());
            }
            Status::Pass => {}
            Status::Violation { message } => x.message = Some(message.clone()),
            Status::Error(e) => {
                x.error = Some(e.clone());
                x.error_location = Some(self.program.sources.location(e.span()));
            }
        }
        if let Some(exc) = outcome.exception.and_then(|i| def.exceptions.get(i)) {
            x.exception = Some(exc.name.clone());
            x.cite = exc.body.cite.clone().or_else(|| x.cite.take());
        }
    }
}

/// An error as its English text (`Display`), so the JSON does not depend on the
/// language of the reports.
fn english<S: Serializer>(e: &Option<Box<EvalError>>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.collect_str(e),
        None => s.serialize_none(),
    }
}

fn as_of_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
