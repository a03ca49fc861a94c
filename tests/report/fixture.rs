// Hand-built policies, records and outcomes for the report tests.
//
// One entity 园区 {编号 key, 镇街道, 入驻率, 投资}, three parks, and a base policy:
// - 建设补助 (subsidy): when 入驻率 >= 50%, amount min(投资 * 补助比例, 上限),
//   exception 薄弱镇园区 (镇街道 in ["广陈镇"]) amount min(投资 * 15%, 上限);
// - 配套用房比例 (ratio): require 入驻率 <= 95% else "入驻率过高";
// - 运营奖励 (reward): when 入驻率 >= 70%, tier(入驻率) >= 90% 50万, >= 80% 30万, else 10万.
//
// Variants of it stand for revised policies. Outcomes are written by hand (the
// evaluator is not used here) and agree with the rules.

use parkrules::ast::{BinaryOp, Family};
use parkrules::data::{Dataset, Record, Table};
use parkrules::eval::{EvalError, Outcome, Status};
use parkrules::program::*;
use parkrules::span::{FileId, SourceMap, Span};
use parkrules::value::Value;
use rust_decimal::Decimal;

pub const BASE_SRC: &str = r#"policy "测试政策（现行）" version "1"
param 补助比例: percent = 10%
param 上限: money = 500 万元
rule 建设补助 : subsidy for 园区 {
  cite "第三条"
  when 入驻率 >= 50%
  amount min(投资 * 补助比例, 上限)
  exception 薄弱镇园区 {
    cite "第三条第二款"
    when 镇街道 in ["广陈镇"]
    amount min(投资 * 15%, 上限)
  }
}
rule 配套用房比例 : ratio for 园区 {
  cite "第五条"
  require 入驻率 <= 95% else "入驻率过高"
}
rule 运营奖励 : reward for 园区 {
  cite "第七条"
  when 入驻率 >= 70%
  amount tier(入驻率) { >= 90% => 50 万元  >= 80% => 30 万元  else => 10 万元 }
}
"#;

pub const REVISED_SRC: &str = r#"policy "测试政策（修订稿）" version "2" extends "../base"
override param 上限 = 800 万元
override rule 运营奖励 : reward for 园区 {
  cite "第十二条"
  when 入驻率 >= 60%
  amount tier(入驻率) { >= 80% => 50 万元  >= 60% => 30 万元  else => 10 万元 }
}
override rule 建设补助 : subsidy for 园区 {
  exception 新埭镇园区 {
    when 镇街道 == "新埭镇"
    amount 100 万元
  }
}
"#;

pub const F_KEY: FieldId = FieldId(0);
pub const F_TOWN: FieldId = FieldId(1);
pub const F_OCC: FieldId = FieldId(2);
pub const F_INV: FieldId = FieldId(3);

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A source map with one file, and spans found by their text.
pub struct Src {
    pub map: SourceMap,
    text: &'static str,
}

impl Src {
    pub fn new(path: &str, text: &'static str) -> Src {
        let mut map = SourceMap::new();
        map.add(path, text);
        Src { map, text }
    }

    /// The span of the first occurrence of `needle` at or after `after`.
    pub fn span(&self, needle: &str, after: &str) -> Span {
        let from = self.text.find(after).unwrap();
        let start = from + self.text[from..].find(needle).unwrap();
        Span::new(FileId(0), start, start + needle.len())
    }
}

fn e(kind: ExprKind, ty: Ty) -> Expr {
    Expr {
        kind,
        ty,
        span: Span::default(),
    }
}

fn at(mut x: Expr, span: Span) -> Expr {
    x.span = span;
    x
}

pub fn money(yuan: &str) -> Expr {
    e(ExprKind::Const(Value::Num(d(yuan))), Ty::MONEY)
}

pub fn pct(frac: &str) -> Expr {
    e(ExprKind::Const(Value::Num(d(frac))), Ty::PERCENT)
}

pub fn field(id: FieldId, ty: Ty) -> Expr {
    e(ExprKind::Field(id), ty)
}

pub fn param(id: usize, ty: Ty) -> Expr {
    e(ExprKind::Param(ParamId(id)), ty)
}

pub fn bin(op: BinaryOp, a: Expr, b: Expr, ty: Ty) -> Expr {
    e(ExprKind::Binary(op, Box::new(a), Box::new(b)), ty)
}

pub fn min(a: Expr, b: Expr) -> Expr {
    e(ExprKind::Builtin(Builtin::Min, vec![a, b]), Ty::MONEY)
}

pub fn when(text: &str, cond: Expr) -> When {
    When {
        cond,
        text: text.to_string(),
    }
}

pub fn occ_at_least(frac: &str, text: &str) -> When {
    when(
        text,
        bin(BinaryOp::Ge, field(F_OCC, Ty::PERCENT), pct(frac), Ty::Bool),
    )
}

pub fn tier(rows: &[(&str, &str, &str)], otherwise: &str, span: Span) -> Expr {
    let rows = rows
        .iter()
        .map(|(frac, yuan, text)| TierRowDef {
            op: BinaryOp::Ge,
            threshold: pct(frac),
            value: money(yuan),
            text: text.to_string(),
            span: Span::default(),
        })
        .collect();
    let kind = ExprKind::Tier {
        subject: Box::new(field(F_OCC, Ty::PERCENT)),
        rows,
        otherwise: Box::new(money(otherwise)),
    };
    at(e(kind, Ty::MONEY), span)
}

pub fn park_entity() -> EntityDef {
    let f = |name: &str, ty: Ty, input: InputUnit| FieldDef {
        name: name.to_string(),
        ty,
        input,
        optional: false,
        span: Span::default(),
    };
    EntityDef {
        name: "园区".to_string(),
        fields: vec![
            f("编号", Ty::Text, InputUnit::Plain),
            f("镇街道", Ty::Text, InputUnit::Plain),
            f("入驻率", Ty::PERCENT, InputUnit::PercentPoints),
            f("投资", Ty::MONEY, InputUnit::Plain),
        ],
        key: F_KEY,
        span: Span::default(),
    }
}

pub fn param_def(name: &str, value: Expr, ty: Ty, origin: Origin) -> ParamDef {
    ParamDef {
        name: name.to_string(),
        ty,
        values: vec![DatedExpr {
            from: None,
            value,
            span: Span::default(),
        }],
        origin,
        span: Span::default(),
    }
}

pub fn body(cite: Option<&str>, whens: Vec<When>, outcome: OutcomeDef) -> Body {
    Body {
        cite: cite.map(str::to_string),
        whens,
        outcome,
    }
}

pub fn rule(name: &str, family: Family, body: Body, exceptions: Vec<ExceptionDef>) -> RuleDef {
    RuleDef {
        name: name.to_string(),
        family,
        entity: EntityId(0),
        body,
        exceptions,
        origin: Origin::Own,
        span: Span::default(),
    }
}

fn subsidy_rule(src: &Src) -> RuleDef {
    let amount = at(
        min(
            bin(
                BinaryOp::Mul,
                field(F_INV, Ty::MONEY),
                param(0, Ty::PERCENT),
                Ty::MONEY,
            ),
            param(1, Ty::MONEY),
        ),
        src.span("min(投资 * 补助比例, 上限)", "rule 建设补助"),
    );
    let town_in = bin(
        BinaryOp::In,
        field(F_TOWN, Ty::Text),
        e(
            ExprKind::List(vec![e(
                ExprKind::Const(Value::Text("广陈镇".into())),
                Ty::Text,
            )]),
            Ty::List(Box::new(Ty::Text)),
        ),
        Ty::Bool,
    );
    let exc_amount = min(
        bin(
            BinaryOp::Mul,
            field(F_INV, Ty::MONEY),
            pct("0.15"),
            Ty::MONEY,
        ),
        param(1, Ty::MONEY),
    );
    let exception = ExceptionDef {
        name: "薄弱镇园区".to_string(),
        body: body(
            Some("第三条第二款"),
            vec![when("镇街道 in [\"广陈镇\"]", town_in)],
            OutcomeDef::Amount(exc_amount),
        ),
        span: Span::default(),
    };
    rule(
        "建设补助",
        Family::Subsidy,
        body(
            Some("第三条"),
            vec![occ_at_least("0.5", "入驻率 >= 50%")],
            OutcomeDef::Amount(amount),
        ),
        vec![exception],
    )
}

fn ratio_rule(src: &Src) -> RuleDef {
    let cond = at(
        bin(
            BinaryOp::Le,
            field(F_OCC, Ty::PERCENT),
            pct("0.95"),
            Ty::Bool,
        ),
        src.span("入驻率 <= 95%", "rule 配套用房比例"),
    );
    let message = Message {
        parts: vec![MessagePart::Text("入驻率过高".to_string())],
        span: src.span("\"入驻率过高\"", "rule 配套用房比例"),
    };
    rule(
        "配套用房比例",
        Family::Ratio,
        body(
            Some("第五条"),
            vec![],
            OutcomeDef::Require {
                cond,
                message: Some(message),
            },
        ),
        vec![],
    )
}

fn reward_rule(src: &Src) -> RuleDef {
    let text = "tier(入驻率) { >= 90% => 50 万元  >= 80% => 30 万元  else => 10 万元 }";
    let amount = tier(
        &[("0.9", "500000", ">= 90%"), ("0.8", "300000", ">= 80%")],
        "100000",
        src.span(text, "rule 运营奖励"),
    );
    rule(
        "运营奖励",
        Family::Reward,
        body(
            Some("第七条"),
            vec![occ_at_least("0.7", "入驻率 >= 70%")],
            OutcomeDef::Amount(amount),
        ),
        vec![],
    )
}

/// The base policy.
pub fn base_program() -> Program {
    let src = Src::new("policies/测试/base.rules", BASE_SRC);
    let rules = vec![subsidy_rule(&src), ratio_rule(&src), reward_rule(&src)];
    Program {
        info: PolicyInfo {
            name: "测试政策（现行）".to_string(),
            version: Some("1".to_string()),
            effective: None,
            bases: vec![],
            span: Span::default(),
        },
        enums: vec![],
        entities: vec![park_entity()],
        params: vec![
            param_def("补助比例", pct("0.1"), Ty::PERCENT, Origin::Own),
            param_def("上限", money("5000000"), Ty::MONEY, Origin::Own),
        ],
        lets: vec![],
        rules,
        tests: vec![],
        inherited_tests: vec![],
        sources: src.map,
    }
}

/// The base policy renamed as a revision: every rule and param inherited unchanged.
/// Callers then override what their case changes.
pub fn revised_program() -> Program {
    let mut p = base_program();
    let mut map = p.sources.clone();
    map.add("policies/测试/revised.rules", REVISED_SRC);
    p.sources = map;
    p.info.name = "测试政策（修订稿）".to_string();
    p.info.version = Some("2".to_string());
    p.info.bases = vec![("测试政策（现行）".to_string(), Some("1".to_string()))];
    let inherited = Origin::Inherited("测试政策（现行）".to_string());
    for r in &mut p.rules {
        r.origin = inherited.clone();
    }
    for x in &mut p.params {
        x.origin = inherited.clone();
    }
    p
}

/// A span in the revised file of [`revised_program`].
pub fn revised_span(needle: &str, after: &str) -> Span {
    let from = REVISED_SRC.find(after).unwrap();
    let start = from + REVISED_SRC[from..].find(needle).unwrap();
    Span::new(FileId(1), start, start + needle.len())
}

fn park(key: &str, town: &str, occ: &str, invest_yuan: &str, row: usize) -> Record {
    Record {
        key: key.into(),
        values: vec![
            Value::Text(key.into()),
            Value::Text(town.into()),
            Value::Num(d(occ)),
            Value::Num(d(invest_yuan)),
        ],
        row,
        projection: None,
    }
}

/// PH-001 当湖街道 85% 6000万元; PH-002 广陈镇 96% 2000万元; PH-003 新埭镇 40% 1000万元.
pub fn dataset() -> Dataset {
    Dataset {
        tables: vec![Table {
            source: Some("data/园区.csv".into()),
            records: vec![
                park("PH-001", "当湖街道", "0.85", "60000000", 1),
                park("PH-002", "广陈镇", "0.96", "20000000", 2),
                park("PH-003", "新埭镇", "0.4", "10000000", 3),
            ],
        }],
    }
}

pub fn out(record: usize, rule: usize, status: Status, exception: Option<usize>) -> Outcome {
    Outcome {
        entity: EntityId(0),
        record,
        rule: RuleId(rule),
        status,
        exception,
    }
}

pub fn amount(yuan: &str) -> Status {
    Status::Amount(d(yuan))
}

pub fn na(when: usize) -> Status {
    Status::NotApplicable { when }
}

pub fn violation(msg: &str) -> Status {
    Status::Violation {
        message: msg.to_string(),
    }
}

/// The base policy's outcomes on [`dataset`], computed by hand:
/// - PH-001: 建设补助 min(6000万×10%, 500万) = 500万; 85% ≤ 95% pass; tier 85% → 30万.
/// - PH-002: 广陈镇 exception: min(2000万×15%, 500万) = 300万; 96% > 95% violation;
///   tier 96% → 50万.
/// - PH-003: 40% < 50% not applicable (when 0); pass; 40% < 70% not applicable.
pub fn base_outcomes() -> Vec<Outcome> {
    vec![
        out(0, 0, amount("5000000"), None),
        out(0, 1, Status::Pass, None),
        out(0, 2, amount("300000"), None),
        out(1, 0, amount("3000000"), Some(0)),
        out(1, 1, violation("入驻率过高"), None),
        out(1, 2, amount("500000"), None),
        out(2, 0, na(0), None),
        out(2, 1, Status::Pass, None),
        out(2, 2, na(0), None),
    ]
}

/// An error outcome, for the formats' error rendering: PH-003 运营奖励 divided by zero
/// at the `tier(` of the base file (line 21, column 10).
pub fn error_outcome(src_span: Span) -> Outcome {
    out(
        2,
        2,
        Status::Error(Box::new(EvalError::DivisionByZero { span: src_span })),
        None,
    )
}
