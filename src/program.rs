//! The checked policy: names resolved, types and units known, revisions applied.
//!
//! Produced by [`crate::check`] from the AST of a policy and the policies it extends;
//! consumed by the data loader (entity schemas), the evaluator (rules and expressions)
//! and the reports (names, cites, families). Every quantity constant is already in
//! base units (元, 亩, 月, 日; see [`crate::units`]). Indices (`EntityId`, `FieldId`,
//! …) point into the vectors of the one [`Program`] they came from. Equality ignores
//! spans, so the diff can tell whether a rule's text changed between two policies.

use crate::ast::{BinaryOp, Family, UnaryOp};
use crate::span::{SourceMap, Span};
use crate::units::{Dim, Unit};
use crate::value::Value;
use chrono::NaiveDate;
use rust_decimal::Decimal;

macro_rules! id_type {
    ($($(#[$m:meta])* $name:ident),* $(,)?) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub usize);
    )*};
}

id_type!(
    /// Index into [`Program::entities`].
    EntityId,
    /// Index into [`EntityDef::fields`] of one entity.
    FieldId,
    /// Index into [`Program::enums`].
    EnumId,
    /// Index into [`Program::params`].
    ParamId,
    /// Index into [`Program::lets`].
    LetId,
    /// Index into [`Program::rules`].
    RuleId,
);

/// A checked, self-contained policy.
#[derive(Clone, Debug)]
pub struct Program {
    pub info: PolicyInfo,
    /// Every file read, this policy's and its bases', for messages and explain.
    pub sources: SourceMap,
    pub enums: Vec<EnumDef>,
    /// In declaration order (the order of outputs).
    pub entities: Vec<EntityDef>,
    pub params: Vec<ParamDef>,
    pub lets: Vec<LetDef>,
    /// In declaration order (base rules first, then the revision's new ones;
    /// an override keeps its base's place).
    pub rules: Vec<RuleDef>,
    /// The policy's own tests.
    pub tests: Vec<TestDef>,
    /// A revision's bases' tests, base first, each lowered against this program;
    /// empty for a policy that extends nothing.
    pub inherited_tests: Vec<InheritedTest>,
}

impl Program {
    pub fn entity(&self, id: EntityId) -> Option<&EntityDef> {
        self.entities.get(id.0)
    }
    pub fn rule(&self, id: RuleId) -> Option<&RuleDef> {
        self.rules.get(id.0)
    }
    pub fn param(&self, id: ParamId) -> Option<&ParamDef> {
        self.params.get(id.0)
    }
    pub fn let_def(&self, id: LetId) -> Option<&LetDef> {
        self.lets.get(id.0)
    }
    pub fn enum_def(&self, id: EnumId) -> Option<&EnumDef> {
        self.enums.get(id.0)
    }
    pub fn entity_by_name(&self, name: &str) -> Option<EntityId> {
        self.entities
            .iter()
            .position(|e| e.name == name)
            .map(EntityId)
    }
    pub fn rule_by_name(&self, name: &str) -> Option<RuleId> {
        self.rules.iter().position(|r| r.name == name).map(RuleId)
    }
    pub fn param_by_name(&self, name: &str) -> Option<ParamId> {
        self.params.iter().position(|p| p.name == name).map(ParamId)
    }
    /// The rules evaluated on records of one entity, in declaration order.
    pub fn rules_for(&self, entity: EntityId) -> impl Iterator<Item = (RuleId, &RuleDef)> {
        self.rules
            .iter()
            .enumerate()
            .filter(move |(_, r)| r.entity == entity)
            .map(|(i, r)| (RuleId(i), r))
    }

    /// Per entity, per field: whether the field is read on a record other than the
    /// one a rule is evaluated on, that is through a reference
    /// (`转让申请.买方企业.年税收`), by an aggregate over the entity (`sum(企业.年税收)`,
    /// its `via` field included), or by a `let` read either way. These are what a
    /// streaming run keeps of a table other records refer to.
    pub fn fields_read_afar(&self) -> Vec<Vec<bool>> {
        let mut afar = Afar {
            program: self,
            marks: self
                .entities
                .iter()
                .map(|e| vec![false; e.fields.len()])
                .collect(),
            lets_seen: vec![false; self.lets.len()],
        };
        for e in self.root_exprs() {
            afar.walk(e, None);
        }
        afar.marks
    }

    /// The expressions a program evaluates from: param values, `let`s, then rules (with
    /// their exceptions and messages).
    pub fn root_exprs(&self) -> Vec<&Expr> {
        let params = self
            .params
            .iter()
            .flat_map(|p| p.values.iter().map(|v| &v.value));
        let lets = self.lets.iter().map(|l| &l.value);
        let bodies = self
            .rules
            .iter()
            .flat_map(|r| std::iter::once(&r.body).chain(r.exceptions.iter().map(|x| &x.body)));
        params
            .chain(lets)
            .chain(bodies.flat_map(Body::exprs))
            .collect()
    }

    /// Call `f` on every expression node of the program, outermost first.
    pub fn each_expr<'p>(&'p self, f: &mut dyn FnMut(&'p Expr)) {
        for root in self.root_exprs() {
            root.walk_while(&mut |e| {
                f(e);
                true
            });
        }
    }

    /// Every aggregate expression (`sum(企业.年税收)`), in [`Program::each_expr`] order.
    pub fn aggregate_exprs(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.each_expr(&mut |e| {
            if matches!(e.kind, ExprKind::Aggregate { .. }) {
                out.push(e);
            }
        });
        out
    }

    /// Per field of `entity`: whether evaluating its own rules may read the field on
    /// the record being evaluated (in a rule, a `let` of the entity, a message). A
    /// superset: an aggregate's `where` and value are walked too, though they read
    /// other records. What is read through a reference is not the record's own
    /// (see [`Program::fields_read_afar`]).
    pub fn fields_read_locally(&self, entity: EntityId) -> Vec<bool> {
        let n = self.entity(entity).map_or(0, |e| e.fields.len());
        let mut marks = vec![false; n];
        let mut lets_seen = vec![false; self.lets.len()];
        let mut todo = self.rule_exprs(entity);
        todo.extend(
            self.lets
                .iter()
                .filter(|l| l.entity == entity)
                .map(|l| &l.value),
        );
        while let Some(e) = todo.pop() {
            match &e.kind {
                ExprKind::Field(f) => {
                    if let Some(m) = marks.get_mut(f.0) {
                        *m = true;
                    }
                }
                ExprKind::Let(l) => {
                    if let Some(seen) = lets_seen.get_mut(l.0).filter(|s| !**s) {
                        *seen = true;
                        todo.extend(self.let_def(*l).map(|d| &d.value));
                    }
                }
                // The member is read on the record referred to, not this one.
                ExprKind::Member { base, .. } => todo.push(base),
                _ => todo.extend(e.children()),
            }
        }
        marks
    }

    /// The expressions of the rules of `entity` (their bodies and exceptions).
    fn rule_exprs(&self, entity: EntityId) -> Vec<&Expr> {
        self.rules_for(entity)
            .flat_map(|(_, r)| std::iter::once(&r.body).chain(r.exceptions.iter().map(|x| &x.body)))
            .flat_map(Body::exprs)
            .collect()
    }

    /// Whether evaluating the rules of `entity` may compute an aggregate: one in a
    /// rule, or in a `let` it reads, of its own entity or of a record it refers to
    /// (`园区.入园税收`, where `let 园区.入园税收 = sum(企业.年税收)`). When not, its
    /// outcomes need nothing but its own record and the records it refers to.
    pub fn rules_read_aggregates(&self, entity: EntityId) -> bool {
        let mut lets_seen = vec![false; self.lets.len()];
        let mut todo = self.rule_exprs(entity);
        while let Some(e) = todo.pop() {
            let read_let = match &e.kind {
                ExprKind::Aggregate { .. } => return true,
                ExprKind::Let(l)
                | ExprKind::Member {
                    member: Member::Let(l),
                    ..
                } => Some(*l),
                _ => None,
            };
            if let Some(l) = read_let
                && let Some(seen) = lets_seen.get_mut(l.0).filter(|s| !**s)
            {
                *seen = true;
                todo.extend(self.let_def(l).map(|d| &d.value));
            }
            todo.extend(e.children());
        }
        false
    }

    /// Per entity: whether some aggregate reads its records (`sum(企业.年税收)` reads
    /// 企业).
    pub fn aggregated(&self) -> Vec<bool> {
        self.per_entity(
            self.aggregate_exprs()
                .into_iter()
                .filter_map(|e| match &e.kind {
                    ExprKind::Aggregate { entity, .. } => Some(*entity),
                    _ => None,
                }),
        )
    }

    /// Per entity: whether some aggregate groups by it (`sum(企业.年税收)` on a 园区
    /// groups 企业 by their reference to 园区).
    pub fn aggregate_parents(&self) -> Vec<bool> {
        self.per_entity(self.aggregate_exprs().into_iter().filter_map(|e| {
            match &e.kind {
                ExprKind::Aggregate { entity, via, .. } => self
                    .entity(*entity)
                    .and_then(|c| c.field(*via))
                    .and_then(|f| f.ty.referenced_entity()),
                _ => None,
            }
        }))
    }

    /// Per entity: whether it is among `ids`.
    fn per_entity(&self, ids: impl Iterator<Item = EntityId>) -> Vec<bool> {
        let mut marks = vec![false; self.entities.len()];
        for id in ids {
            if let Some(m) = marks.get_mut(id.0) {
                *m = true;
            }
        }
        marks
    }
}

/// The walk of [`Program::fields_read_afar`].
struct Afar<'p> {
    program: &'p Program,
    marks: Vec<Vec<bool>>,
    lets_seen: Vec<bool>,
}

impl Afar<'_> {
    /// Mark what `e` reads afar; `far` is the entity of the record `e` is evaluated
    /// on when that record is not the one being evaluated (an aggregate's child, the
    /// target of a reference).
    fn walk(&mut self, e: &Expr, far: Option<EntityId>) {
        match &e.kind {
            ExprKind::Field(f) => {
                if let Some(t) = far {
                    self.mark(t, *f);
                }
            }
            ExprKind::Let(l) if far.is_some() => self.let_afar(*l),
            ExprKind::Member {
                base,
                entity,
                member,
            } => {
                self.walk(base, far);
                match member {
                    Member::Field(f) => self.mark(*entity, *f),
                    Member::Let(l) => self.let_afar(*l),
                }
            }
            ExprKind::Aggregate {
                entity,
                via,
                filter,
                value,
                ..
            } => {
                self.mark(*entity, *via);
                for x in filter.iter().chain(value) {
                    self.walk(x, Some(*entity));
                }
            }
            _ => {
                for c in e.children() {
                    self.walk(c, far);
                }
            }
        }
    }

    /// A `let` computed on a record afar: everything it reads is read afar.
    fn let_afar(&mut self, id: LetId) {
        let program = self.program;
        let Some(def) = program.let_def(id) else {
            return;
        };
        match self.lets_seen.get_mut(id.0) {
            Some(seen) if !*seen => *seen = true,
            _ => return,
        }
        self.walk(&def.value, Some(def.entity));
    }

    fn mark(&mut self, entity: EntityId, field: FieldId) {
        if let Some(m) = self
            .marks
            .get_mut(entity.0)
            .and_then(|f| f.get_mut(field.0))
        {
            *m = true;
        }
    }
}

/// The `policy` header, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyInfo {
    pub name: String,
    pub version: Option<String>,
    pub effective: Option<NaiveDate>,
    /// The base policies, nearest first, as (name, version).
    pub bases: Vec<(String, Option<String>)>,
    pub span: Span,
}

/// Which policy in an `extends` chain wrote a definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Written in the policy itself, new there.
    Own,
    /// Inherited unchanged from a base policy (its name).
    Inherited(String),
    /// Written with `override` in this policy, replacing the base's.
    Overridden,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EntityDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub key: FieldId,
    pub span: Span,
}

impl EntityDef {
    pub fn field(&self, id: FieldId) -> Option<&FieldDef> {
        self.fields.get(id.0)
    }
    pub fn field_by_name(&self, name: &str) -> Option<FieldId> {
        self.fields.iter().position(|f| f.name == name).map(FieldId)
    }
    pub fn key_field(&self) -> Option<&FieldDef> {
        self.fields.get(self.key.0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
    /// How cells of this field are written.
    pub input: InputUnit,
    /// `T?`: a blank cell is allowed and reads as [`Value::Blank`].
    pub optional: bool,
    pub span: Span,
}

/// How a data cell's number maps to the internal value.
#[derive(Clone, Debug, PartialEq)]
pub enum InputUnit {
    /// Not a number, or a plain number (`int`, `number`).
    Plain,
    /// A quantity written in this unit (`area in 亩`): value = cell × factor.
    Unit(Unit),
    /// `percent`: `85` and `85%` both mean 0.85.
    PercentPoints,
    /// `percent in fraction`: `0.85` means 0.85 (and `85%` still means 0.85).
    Fraction,
}

/// A static type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ty {
    Bool,
    /// A number with a dimension; `hint` only says how to show it.
    Num(Dim, NumHint),
    Date,
    Text,
    Enum(EnumId),
    /// A reference to a record of an entity.
    Entity(EntityId),
    List(Box<Ty>),
}

impl Ty {
    /// The entity a reference type (or a list of references) points at.
    pub fn referenced_entity(&self) -> Option<EntityId> {
        match self {
            Ty::Entity(e) => Some(*e),
            Ty::List(inner) => inner.referenced_entity(),
            _ => None,
        }
    }

    pub const MONEY: Ty = Ty::Num(Dim::MONEY, NumHint::Number);
    pub const NUMBER: Ty = Ty::Num(Dim::NONE, NumHint::Number);
    pub const INT: Ty = Ty::Num(Dim::NONE, NumHint::Int);
    pub const PERCENT: Ty = Ty::Num(Dim::NONE, NumHint::Percent);

    /// Equal up to the display hint of numbers (`int`, `number`, `percent` mix freely).
    pub fn compatible(&self, other: &Ty) -> bool {
        match (self, other) {
            (Ty::Num(a, _), Ty::Num(b, _)) => a == b,
            (Ty::List(a), Ty::List(b)) => a.compatible(b),
            (a, b) => a == b,
        }
    }

    pub fn dim(&self) -> Option<Dim> {
        match self {
            Ty::Num(d, _) => Some(*d),
            _ => None,
        }
    }
}

/// How a number is best shown: `int` as an integer, `percent` as `85%`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NumHint {
    Int,
    Number,
    Percent,
}

/// A `param`: one value, or dated values of which the latest with `from <= as_of` holds.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDef {
    pub name: String,
    pub ty: Ty,
    /// Sorted by date; a single undated value has `from: None`.
    pub values: Vec<DatedExpr>,
    pub origin: Origin,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DatedExpr {
    pub from: Option<NaiveDate>,
    /// A constant expression (no fields, lets or aggregates).
    pub value: Expr,
    pub span: Span,
}

/// `let E.name = expr`, evaluated per record of `entity`.
#[derive(Clone, Debug, PartialEq)]
pub struct LetDef {
    pub entity: EntityId,
    pub name: String,
    pub ty: Ty,
    pub value: Expr,
    pub origin: Origin,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleDef {
    pub name: String,
    pub family: Family,
    pub entity: EntityId,
    pub body: Body,
    pub exceptions: Vec<ExceptionDef>,
    pub origin: Origin,
    pub span: Span,
}

/// The cite, conditions and outcome of a rule or of one exception.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    pub cite: Option<String>,
    pub whens: Vec<When>,
    pub outcome: OutcomeDef,
}

impl Body {
    /// Its expressions: the `when`s, the amount or requirement, the message's parts.
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = self.whens.iter().map(|w| &w.cond).collect();
        match &self.outcome {
            OutcomeDef::Amount(e) => out.push(e),
            OutcomeDef::Require { cond, message } => {
                out.push(cond);
                for part in message.iter().flat_map(|m| &m.parts) {
                    if let MessagePart::Expr(e) = part {
                        out.push(e);
                    }
                }
            }
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct When {
    pub cond: Expr,
    /// The condition as written, whitespace-normalised (`规划面积 >= 100 亩`).
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OutcomeDef {
    /// Money (amount families).
    Amount(Expr),
    /// Pass when `cond` holds, else a violation with the message.
    Require {
        cond: Expr,
        message: Option<Message>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExceptionDef {
    pub name: String,
    pub body: Body,
    pub span: Span,
}

/// A message with `{expr}` parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub parts: Vec<MessagePart>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    Text(String),
    Expr(Expr),
}

/// A typed expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: Ty,
    pub span: Span,
}

impl Expr {
    /// The direct sub-expressions, in source order.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Const(_)
            | ExprKind::Field(_)
            | ExprKind::Let(_)
            | ExprKind::Param(_)
            | ExprKind::AsOf => Vec::new(),
            ExprKind::Member { base, .. } | ExprKind::Unary(_, base) => vec![&**base],
            ExprKind::List(items) | ExprKind::Builtin(_, items) => items.iter().collect(),
            ExprKind::Binary(_, a, b) => vec![&**a, &**b],
            ExprKind::If(a, b, c) => vec![&**a, &**b, &**c],
            ExprKind::Match {
                scrutinee,
                arms,
                otherwise,
            } => std::iter::once(&**scrutinee)
                .chain(arms.iter().map(|a| &a.value))
                .chain(otherwise.as_deref())
                .collect(),
            ExprKind::Tier {
                subject,
                rows,
                otherwise,
            } => std::iter::once(&**subject)
                .chain(rows.iter().flat_map(|r| [&r.threshold, &r.value]))
                .chain(std::iter::once(&**otherwise))
                .collect(),
            ExprKind::Brackets {
                subject,
                rows,
                above,
            } => std::iter::once(&**subject)
                .chain(rows.iter().flat_map(|r| [&r.up_to, &r.rate]))
                .chain(above.as_deref())
                .collect(),
            ExprKind::Aggregate { filter, value, .. } => filter
                .as_deref()
                .into_iter()
                .chain(value.as_deref())
                .collect(),
        }
    }

    /// Call `f` on this expression, outermost first, and on those under a node while
    /// `f` returns true for it.
    pub fn walk_while<'p>(&'p self, f: &mut dyn FnMut(&'p Expr) -> bool) {
        if f(self) {
            for c in self.children() {
                c.walk_while(f);
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal, in base units.
    Const(Value),
    /// A field of the current record.
    Field(FieldId),
    /// A `let` of the current record.
    Let(LetId),
    Param(ParamId),
    /// The evaluation date (`as_of`).
    AsOf,
    /// `r.member` where `base` has type `Ty::Entity(entity)`.
    Member {
        base: Box<Expr>,
        entity: EntityId,
        member: Member,
    },
    List(Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    /// Operands are type-checked; `Date + Num(months|days)` adds calendar time.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArmDef>,
        otherwise: Option<Box<Expr>>,
    },
    Tier {
        subject: Box<Expr>,
        rows: Vec<TierRowDef>,
        otherwise: Box<Expr>,
    },
    /// Marginal rates: each slice of `subject` times its rate, summed.
    Brackets {
        subject: Box<Expr>,
        rows: Vec<BracketRowDef>,
        /// Rate above the last bound; `None` means the part above earns nothing.
        above: Option<Box<Expr>>,
    },
    Builtin(Builtin, Vec<Expr>),
    /// Over the records of `entity` whose reference field `via` points at the current one.
    Aggregate {
        func: AggFunc,
        entity: EntityId,
        via: FieldId,
        /// Evaluated on each child record.
        filter: Option<Box<Expr>>,
        /// The summed value, on each child record (`None` for `count`).
        value: Option<Box<Expr>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    Field(FieldId),
    Let(LetId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArmDef {
    /// Variant indices into the scrutinee's enum.
    pub variants: Vec<usize>,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TierRowDef {
    /// A comparison: `Ge`, `Gt`, `Le`, `Lt`, `Eq`, `Ne`.
    pub op: BinaryOp,
    pub threshold: Expr,
    pub value: Expr,
    /// The row as written (`>= 90%`), for explanations and diffs.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BracketRowDef {
    pub up_to: Expr,
    pub rate: Expr,
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Min,
    Max,
    Abs,
    /// `round(x, places)`: half away from zero.
    Round,
    Floor,
    Ceil,
    IsSet,
    /// Whole years completed from the first date to the second, by anniversary.
    YearsBetween,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFunc {
    Count,
    Sum,
    Min,
    Max,
    Avg,
}

/// A checked `test` block.
#[derive(Clone, Debug, PartialEq)]
pub struct TestDef {
    pub name: String,
    pub as_of: Option<NaiveDate>,
    pub records: Vec<TestRecordDef>,
    pub expects: Vec<ExpectDef>,
    pub origin: Origin,
    pub span: Span,
}

/// A base policy's test, seen from a revision.
#[derive(Clone, Debug, PartialEq)]
pub struct InheritedTest {
    pub name: String,
    /// The name of the base policy that wrote it.
    pub base: String,
    pub span: Span,
    /// Lowered against the revised program (with `origin` [`Origin::Inherited`]);
    /// `Err`: why it no longer fits (a removed rule or field, an expectation the
    /// family cannot have…), one line each.
    pub test: Result<TestDef, Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestRecordDef {
    pub entity: EntityId,
    pub key: String,
    /// Given fields; every other field reads as [`Value::Missing`].
    /// A reference field's value is `Value::Text(key)` until the test data is built.
    pub fields: Vec<(FieldId, Expr)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpectDef {
    pub entity: EntityId,
    pub key: String,
    pub rule: RuleId,
    pub expected: ExpectedDef,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExpectedDef {
    /// Money, in 元.
    Amount(Decimal),
    Status(StatusKind),
}

/// The kinds of outcome a rule can have on one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusKind {
    Amount,
    NotApplicable,
    Pass,
    Violation,
    Error,
}

impl StatusKind {
    pub const ALL: [StatusKind; 5] = [
        StatusKind::Amount,
        StatusKind::NotApplicable,
        StatusKind::Pass,
        StatusKind::Violation,
        StatusKind::Error,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StatusKind::Amount => "amount",
            StatusKind::NotApplicable => "not_applicable",
            StatusKind::Pass => "pass",
            StatusKind::Violation => "violation",
            StatusKind::Error => "error",
        }
    }

    pub fn from_name(s: &str) -> Option<StatusKind> {
        StatusKind::ALL.into_iter().find(|k| k.name() == s)
    }
}
