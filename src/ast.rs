//! The syntax tree of one `.rules` file, as written.
//!
//! Produced by [`crate::syntax::parse_file`]; consumed by the checker (which resolves
//! names, types and units and lowers it to [`crate::program`]) and by the formatter
//! (which prints it back in canonical layout). Nothing here is resolved: names are
//! plain identifiers and units are written atoms. Every node carries a [`Span`];
//! equality ignores spans, so `parse(fmt(x)) == parse(x)` is a meaningful test.

use crate::span::Span;
use rust_decimal::Decimal;

/// A parsed file: its items in source order, its comments and its keyword dialect
/// (kept for `fmt`). Equality compares the items only: comments, spans and the
/// dialect carry no meaning, so a file and its translation are equal.
#[derive(Clone, Debug)]
pub struct File {
    pub items: Vec<Item>,
    /// The keyword dialect the file is written in (that of most of its keywords).
    pub dialect: crate::syntax::keywords::Dialect,
    /// Every `#` comment, in source order; not part of the meaning (equality ignores them).
    pub comments: Comments,
    pub span: Span,
}

impl PartialEq for File {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

/// Comments of a file. Equality ignores them: they carry no meaning.
#[derive(Clone, Debug, Default)]
pub struct Comments(pub Vec<Comment>);

impl PartialEq for Comments {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

/// One `#` comment. `text` is what follows the `#`, without the line end.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub text: String,
    pub span: Span,
    /// True when code precedes the comment on its line (`x = 1  # note`).
    pub trailing: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Policy(PolicyHeader),
    Enum(EnumDecl),
    Entity(EntityDecl),
    Param(ParamDecl),
    Let(LetDecl),
    Rule(RuleDecl),
    Test(TestDecl),
    Remove(RemoveDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Policy(x) => x.span,
            Item::Enum(x) => x.span,
            Item::Entity(x) => x.span,
            Item::Param(x) => x.span,
            Item::Let(x) => x.span,
            Item::Rule(x) => x.span,
            Item::Test(x) => x.span,
            Item::Remove(x) => x.span,
        }
    }
}

/// `policy "名称" version "2021" effective 2021-07-01 extends "../base"`
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyHeader {
    pub name: StrLit,
    pub version: Option<StrLit>,
    pub effective: Option<DateLit>,
    pub extends: Option<StrLit>,
    pub span: Span,
}

/// `override` in front of an item that replaces an inherited one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Override {
    No,
    /// The span of the `override` keyword.
    Yes(Span),
}

impl Override {
    pub fn is_override(&self) -> bool {
        matches!(self, Override::Yes(_))
    }
}

/// `enum 建设模式 { 政府全资, 国企投资, 民间投资 }`
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    pub overrides: Override,
    pub name: Ident,
    pub variants: Vec<Ident>,
    pub span: Span,
}

/// `entity 园区 { 编号: text key  规划面积: area in 亩 … }`
#[derive(Clone, Debug, PartialEq)]
pub struct EntityDecl {
    pub overrides: Override,
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

/// `规划面积: area in 亩`, `编号: text key`, `建成日期: date?`
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: TypeExpr,
    /// `in 亩`: the unit the data cells are written in.
    pub unit: Option<UnitExpr>,
    pub key: bool,
    pub span: Span,
}

/// A written type: `money`, `money/area`, `list<text>`, `园区`, `date?`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeKind,
    pub optional: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    /// A builtin (`money`), an enum or an entity name.
    Named(Ident),
    /// `money/area`, `money/area/duration`: numerator then denominators.
    Per(Ident, Vec<Ident>),
    List(Box<TypeExpr>),
}

/// A written unit: `万元`, `万元/亩`, `元/m2/月`, `fraction`.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitExpr {
    /// The first atom is the numerator, the rest are denominators.
    pub atoms: Vec<Ident>,
    pub span: Span,
}

/// `param 建设补助比例: percent = 10%` or a dated table of values.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    pub overrides: Override,
    pub name: Ident,
    /// May be omitted only on `override param` (the inherited type is kept).
    pub ty: Option<TypeExpr>,
    pub value: ParamValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    Single(Expr),
    /// `{ 2021-07-01 => 500 万元  2024-01-01 => 800 万元 }`: the row in force at as-of.
    Dated(Vec<DatedValue>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct DatedValue {
    pub from: DateLit,
    pub value: Expr,
    pub span: Span,
}

/// `let 园区.配套比例 = 配套用房面积 / 总建筑面积`
#[derive(Clone, Debug, PartialEq)]
pub struct LetDecl {
    pub overrides: Override,
    pub entity: Ident,
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Subsidy,
    Restriction,
    Ratio,
    Reward,
}

impl Family {
    pub const ALL: [Family; 4] = [
        Family::Subsidy,
        Family::Restriction,
        Family::Ratio,
        Family::Reward,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Family::Subsidy => "subsidy",
            Family::Restriction => "restriction",
            Family::Ratio => "ratio",
            Family::Reward => "reward",
        }
    }

    pub fn from_name(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == s)
    }

    /// Amount families produce money; the others produce pass or a violation.
    pub fn is_amount(self) -> bool {
        matches!(self, Family::Subsidy | Family::Reward)
    }
}

/// `rule 建设补助 : subsidy for 园区 { cite … when … amount … exception … }`
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    pub overrides: Override,
    pub name: Ident,
    pub family: Family,
    pub family_span: Span,
    pub entity: Ident,
    pub body: RuleBody,
    pub exceptions: Vec<ExceptionDecl>,
    pub span: Span,
}

/// What a rule or an exception says, apart from its exceptions.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleBody {
    pub cite: Option<StrLit>,
    pub whens: Vec<Expr>,
    pub outcome: Option<OutcomeDecl>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OutcomeDecl {
    /// `amount expr`
    Amount { value: Expr, span: Span },
    /// `require cond else "message {x}"`
    Require {
        cond: Expr,
        message: Option<StrLit>,
        span: Span,
    },
}

/// `exception 薄弱镇园区 { cite … when … amount … }`
#[derive(Clone, Debug, PartialEq)]
pub struct ExceptionDecl {
    pub name: Ident,
    pub body: RuleBody,
    pub span: Span,
}

/// `remove rule 旧条款`, `remove param x`, `remove let 园区.x`
#[derive(Clone, Debug, PartialEq)]
pub struct RemoveDecl {
    pub kind: RemoveKind,
    /// For `remove let E.x`, the entity.
    pub entity: Option<Ident>,
    pub name: Ident,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemoveKind {
    Rule,
    Param,
    Let,
}

/// `test "名称" { as_of …  园区 "T1" { … }  expect … }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestDecl {
    pub name: StrLit,
    pub as_of: Option<DateLit>,
    pub records: Vec<TestRecord>,
    pub expects: Vec<Expect>,
    pub span: Span,
}

/// `园区 "T1" { 建设模式: 国企投资, 规划面积: 120 亩 }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestRecord {
    pub entity: Ident,
    pub key: StrLit,
    pub fields: Vec<(Ident, Expr)>,
    pub span: Span,
}

/// `expect 园区 "T1" 建设补助 == 500 万元` or `… not_applicable`.
#[derive(Clone, Debug, PartialEq)]
pub struct Expect {
    pub entity: Ident,
    pub key: StrLit,
    pub rule: Ident,
    pub expected: Expected,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// `== 500 万元`
    Amount(Expr),
    /// `pass`, `violation`, `not_applicable`, `error`, `amount` (any amount)
    Status(Ident),
}

/// A string literal, possibly with `{expr}` interpolations.
#[derive(Clone, Debug, PartialEq)]
pub struct StrLit {
    pub parts: Vec<StrPart>,
    pub span: Span,
}

impl StrLit {
    /// The text when there is no interpolation (for names, paths, versions).
    pub fn plain(&self) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                StrPart::Text(t) => out.push_str(t),
                StrPart::Expr(_) => return None,
            }
        }
        Some(out)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum StrPart {
    /// Literal text with escapes already decoded.
    Text(String),
    Expr(Expr),
}

/// A date literal `2024-01-01`.
#[derive(Clone, Debug, PartialEq)]
pub struct DateLit {
    pub date: chrono::NaiveDate,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `12`, `1_000`, `12.5` (as written, exact).
    Number(Decimal),
    /// `15%` holds 15.
    Percent(Decimal),
    /// `500 万元`, `30 万元/亩`, `3 年`: the number as written and its unit.
    Quantity(Decimal, UnitExpr),
    Date(chrono::NaiveDate),
    Bool(bool),
    Str(StrLit),
    /// `as_of`: the evaluation date.
    AsOf,
    /// A bare name: field, let, param or enum variant.
    Name(Ident),
    /// `r.field`
    Member(Box<Expr>, Ident),
    List(Vec<Expr>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `f(args)` and aggregates `count(企业 where 规上 via 园区)`.
    Call(Call),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Match(Match),
    Tier(Tier),
    Brackets(Brackets),
    /// `(e)`: kept so `fmt` can print what was written.
    Paren(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::In => "in",
            BinaryOp::NotIn => "not in",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    /// `== != < <= > >=`.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }

    /// Binding power: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::NotIn => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div => 6,
        }
    }
}

/// `name(args)`, with the aggregate clauses `where` and `via` when written.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub func: Ident,
    pub args: Vec<Expr>,
    pub filter: Option<Box<Expr>>,
    pub via: Option<Ident>,
}

/// `match e { 变体 => v … else => v }`
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub scrutinee: Box<Expr>,
    pub arms: Vec<MatchArm>,
    pub otherwise: Option<Box<Expr>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MatchArm {
    /// One or more variants: `政府全资 | 国企投资 => 10%`.
    pub variants: Vec<Ident>,
    pub value: Expr,
    pub span: Span,
}

/// `tier(x) { >= 90% => 50 万元 … else => 10 万元 }`
#[derive(Clone, Debug, PartialEq)]
pub struct Tier {
    pub subject: Box<Expr>,
    pub rows: Vec<TierRow>,
    /// Required by the checker; optional in the syntax so its absence is a check error.
    pub otherwise: Option<Box<Expr>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TierRow {
    pub op: BinaryOp,
    pub threshold: Expr,
    pub value: Expr,
    pub span: Span,
}

/// `brackets(x) { up to A => r1  up to B => r2  above => r3 }`
#[derive(Clone, Debug, PartialEq)]
pub struct Brackets {
    pub subject: Box<Expr>,
    pub rows: Vec<BracketRow>,
    pub above: Option<Box<Expr>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BracketRow {
    pub up_to: Expr,
    pub rate: Expr,
    pub span: Span,
}
