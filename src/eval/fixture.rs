//! A hand-built checked program for the evaluator's unit tests (the parser and the
//! checker are tested elsewhere): the 园区/企业 policy of SPEC §3 with a few extra rules,
//! and helpers to build records.

use crate::ast::{BinaryOp as B, Family};
use crate::data::{Dataset, Record, Table};
use crate::program::*;
use crate::span::{SourceMap, Span};
use crate::units::Dim;
use crate::value::Value;
use rust_decimal::Decimal;
use std::sync::Arc;

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}
pub fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}
pub fn ex(kind: ExprKind, ty: Ty) -> Expr {
    Expr {
        kind,
        ty,
        span: Span::default(),
    }
}
pub fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}
pub fn area_ty() -> Ty {
    Ty::Num(Dim::AREA, NumHint::Number)
}
pub fn num(s: &str) -> Expr {
    ex(ExprKind::Const(Value::Num(d(s))), Ty::NUMBER)
}
/// Money written in 万元.
pub fn wan(s: &str) -> Expr {
    let v = d(s) * Decimal::from(10_000);
    ex(ExprKind::Const(Value::Num(v)), Ty::MONEY)
}
pub fn pct(s: &str) -> Expr {
    ex(
        ExprKind::Const(Value::Num(d(s) / Decimal::from(100))),
        Ty::PERCENT,
    )
}
pub fn mu(s: &str) -> Expr {
    ex(ExprKind::Const(Value::Num(d(s))), area_ty())
}
pub fn text(s: &str) -> Expr {
    ex(ExprKind::Const(Value::Text(s.into())), Ty::Text)
}
pub fn field(i: usize, ty: Ty) -> Expr {
    ex(ExprKind::Field(FieldId(i)), ty)
}
pub fn let_(i: usize, ty: Ty) -> Expr {
    ex(ExprKind::Let(LetId(i)), ty)
}
pub fn param(i: usize, ty: Ty) -> Expr {
    ex(ExprKind::Param(ParamId(i)), ty)
}
pub fn bin(op: B, a: Expr, b: Expr) -> Expr {
    let ty = match op {
        B::Add | B::Sub => a.ty.clone(),
        B::Mul => match (a.ty.dim(), b.ty.dim()) {
            (Some(x), Some(y)) => Ty::Num(x.times(y).unwrap(), NumHint::Number),
            _ => a.ty.clone(),
        },
        B::Div => match (a.ty.dim(), b.ty.dim()) {
            (Some(x), Some(y)) => Ty::Num(x.per(y).unwrap(), NumHint::Percent),
            _ => a.ty.clone(),
        },
        _ => Ty::Bool,
    };
    ex(ExprKind::Binary(op, bx(a), bx(b)), ty)
}
pub fn call(b: Builtin, args: Vec<Expr>, ty: Ty) -> Expr {
    ex(ExprKind::Builtin(b, args), ty)
}
pub fn when(cond: Expr, text: &str) -> When {
    When {
        cond,
        text: text.to_string(),
    }
}
pub fn amount_body(cite: &str, whens: Vec<When>, amount: Expr) -> Body {
    Body {
        cite: Some(cite.to_string()),
        whens,
        outcome: OutcomeDef::Amount(amount),
    }
}
pub fn rule(name: &str, family: Family, entity: usize, body: Body) -> RuleDef {
    RuleDef {
        name: name.to_string(),
        family,
        entity: EntityId(entity),
        body,
        exceptions: Vec::new(),
        origin: Origin::Own,
        span: Span::default(),
    }
}
fn fd(name: &str, ty: Ty, optional: bool) -> FieldDef {
    FieldDef {
        name: name.to_string(),
        ty,
        input: InputUnit::Plain,
        optional,
        span: Span::default(),
    }
}

// 园区 fields
pub const P_TOWN: usize = 1;
pub const P_MODEL: usize = 2;
pub const P_AREA: usize = 3;
pub const P_INVEST: usize = 4;
pub const P_OCC: usize = 5;
pub const P_FLOOR: usize = 6;
pub const P_AMENITY: usize = 7;
pub const P_BUILT: usize = 8;
// 企业 fields
pub const F_PARK: usize = 1;
pub const F_TAX: usize = 2;
pub const F_BIG: usize = 3;
// params
pub const RATE: usize = 0;
pub const CAP: usize = 1;
pub const WEAK_TOWNS: usize = 2;
pub const FUTURE: usize = 3;
// lets
pub const L_RATIO: usize = 0;
pub const L_BIG_FIRMS: usize = 1;
pub const L_TAX: usize = 2;

fn entities() -> Vec<EntityDef> {
    let park = EntityDef {
        name: "园区".into(),
        fields: vec![
            fd("编号", Ty::Text, false),
            fd("镇街道", Ty::Text, false),
            fd("建设模式", Ty::Enum(EnumId(0)), false),
            fd("规划面积", area_ty(), false),
            fd("固定资产投资", Ty::MONEY, false),
            fd("入驻率", Ty::PERCENT, false),
            fd("总建筑面积", area_ty(), false),
            fd("配套用房面积", area_ty(), false),
            fd("建成日期", Ty::Date, true),
        ],
        key: FieldId(0),
        span: Span::default(),
    };
    let firm = EntityDef {
        name: "企业".into(),
        fields: vec![
            fd("代码", Ty::Text, false),
            fd("园区", Ty::Entity(EntityId(0)), false),
            fd("年税收", Ty::MONEY, true),
            fd("规上", Ty::Bool, false),
        ],
        key: FieldId(0),
        span: Span::default(),
    };
    vec![park, firm]
}

fn params() -> Vec<ParamDef> {
    let p = |name: &str, ty: Ty, values: Vec<(Option<&str>, Expr)>| ParamDef {
        name: name.into(),
        ty,
        values: values
            .into_iter()
            .map(|(from, value)| DatedExpr {
                from: from.map(date),
                value,
                span: Span::default(),
            })
            .collect(),
        origin: Origin::Own,
        span: Span::default(),
    };
    let towns = ex(
        ExprKind::Const(Value::List(Arc::from(vec![
            Value::Text("广陈镇".into()),
            Value::Text("林埭镇".into()),
        ]))),
        Ty::List(Box::new(Ty::Text)),
    );
    vec![
        p("建设补助比例", Ty::PERCENT, vec![(None, pct("10"))]),
        p(
            "建设补助上限",
            Ty::MONEY,
            vec![
                (Some("2021-07-01"), wan("500")),
                (Some("2024-01-01"), wan("800")),
            ],
        ),
        p(
            "经济薄弱镇",
            Ty::List(Box::new(Ty::Text)),
            vec![(None, towns)],
        ),
        p("未来参数", Ty::MONEY, vec![(Some("2030-01-01"), wan("1"))]),
    ]
}

fn lets() -> Vec<LetDef> {
    let l = |name: &str, ty: Ty, value: Expr| LetDef {
        entity: EntityId(0),
        name: name.into(),
        ty,
        value,
        origin: Origin::Own,
        span: Span::default(),
    };
    let agg = |func, filter: Option<Expr>, value: Option<Expr>, ty| {
        ex(
            ExprKind::Aggregate {
                func,
                entity: EntityId(1),
                via: FieldId(F_PARK),
                filter: filter.map(bx),
                value: value.map(bx),
            },
            ty,
        )
    };
    vec![
        l(
            "配套比例",
            Ty::PERCENT,
            bin(
                B::Div,
                field(P_AMENITY, area_ty()),
                field(P_FLOOR, area_ty()),
            ),
        ),
        l(
            "规上企业数",
            Ty::INT,
            agg(AggFunc::Count, Some(field(F_BIG, Ty::Bool)), None, Ty::INT),
        ),
        l(
            "入园税收",
            Ty::MONEY,
            agg(AggFunc::Sum, None, Some(field(F_TAX, Ty::MONEY)), Ty::MONEY),
        ),
    ]
}

/// Rule 0: 建设补助 with its exception 薄弱镇园区.
fn construction_rule() -> RuleDef {
    let model = field(P_MODEL, Ty::Enum(EnumId(0)));
    let private = ex(ExprKind::Const(Value::Enum(2)), Ty::Enum(EnumId(0)));
    let capped = |rate: Expr| {
        call(
            Builtin::Min,
            vec![
                bin(B::Mul, field(P_INVEST, Ty::MONEY), rate),
                param(CAP, Ty::MONEY),
            ],
            Ty::MONEY,
        )
    };
    let mut r = rule(
        "建设补助",
        Family::Subsidy,
        0,
        amount_body(
            "第三条第一款",
            vec![
                when(bin(B::Ne, model, private), "建设模式 != 民间投资"),
                when(
                    bin(B::Ge, field(P_AREA, area_ty()), mu("100")),
                    "规划面积 >= 100 亩",
                ),
            ],
            capped(param(RATE, Ty::PERCENT)),
        ),
    );
    let weak = bin(
        B::And,
        bin(
            B::In,
            field(P_TOWN, Ty::Text),
            param(WEAK_TOWNS, Ty::List(Box::new(Ty::Text))),
        ),
        bin(B::Ge, field(P_AREA, area_ty()), mu("50")),
    );
    r.exceptions.push(ExceptionDef {
        name: "薄弱镇园区".into(),
        body: amount_body(
            "第三条第二款",
            vec![when(weak, "镇街道 in 经济薄弱镇 and 规划面积 >= 50 亩")],
            capped(pct("15")),
        ),
        span: Span::default(),
    });
    r
}

fn ratio_rule() -> RuleDef {
    let ratio = || let_(L_RATIO, Ty::PERCENT);
    let message = Message {
        parts: vec![
            MessagePart::Text("非生产性配套用房占比 ".into()),
            MessagePart::Expr(ratio()),
            MessagePart::Text(" 超过 7%".into()),
        ],
        span: Span::default(),
    };
    let body = Body {
        cite: Some("第五条".into()),
        whens: vec![],
        outcome: OutcomeDef::Require {
            cond: bin(B::Le, ratio(), pct("7")),
            message: Some(message),
        },
    };
    rule("配套用房比例", Family::Ratio, 0, body)
}

fn tier_rule() -> RuleDef {
    let occ = || field(P_OCC, Ty::PERCENT);
    let row = |op, t: &str, v: &str| TierRowDef {
        op,
        threshold: pct(t),
        value: wan(v),
        text: format!("{} {t}%", op.symbol()),
        span: Span::default(),
    };
    let tier = ex(
        ExprKind::Tier {
            subject: bx(occ()),
            rows: vec![row(B::Ge, "90", "50"), row(B::Ge, "80", "30")],
            otherwise: bx(wan("10")),
        },
        Ty::MONEY,
    );
    let whens = vec![when(bin(B::Ge, occ(), pct("70")), "入驻率 >= 70%")];
    rule(
        "运营奖励",
        Family::Reward,
        0,
        amount_body("第六条", whens, tier),
    )
}

fn brackets_rule() -> RuleDef {
    let row = |up: &str, rate: &str| BracketRowDef {
        up_to: wan(up),
        rate: pct(rate),
        text: format!("up to {up} 万元 => {rate}%"),
        span: Span::default(),
    };
    let b = ex(
        ExprKind::Brackets {
            subject: bx(let_(L_TAX, Ty::MONEY)),
            rows: vec![row("100", "5"), row("500", "3")],
            above: Some(bx(pct("1"))),
        },
        Ty::MONEY,
    );
    rule(
        "税收奖励",
        Family::Reward,
        0,
        amount_body("第七条", vec![], b),
    )
}

/// Rule 4 (企业): 10万元 per 规上 firm of its park, read through the reference.
fn firm_rule() -> RuleDef {
    let count = ex(
        ExprKind::Member {
            base: bx(field(F_PARK, Ty::Entity(EntityId(0)))),
            entity: EntityId(0),
            member: Member::Let(LetId(L_BIG_FIRMS)),
        },
        Ty::INT,
    );
    let whens = vec![when(field(F_BIG, Ty::Bool), "规上")];
    rule(
        "入园奖励",
        Family::Subsidy,
        1,
        amount_body("第八条", whens, bin(B::Mul, count, wan("10"))),
    )
}

pub fn program() -> Program {
    Program {
        info: PolicyInfo {
            name: "测试政策".into(),
            version: Some("1".into()),
            effective: Some(date("2021-07-01")),
            bases: vec![],
            span: Span::default(),
        },
        sources: SourceMap::new(),
        enums: vec![EnumDef {
            name: "建设模式".into(),
            variants: vec!["政府全资".into(), "国企投资".into(), "民间投资".into()],
            span: Span::default(),
        }],
        entities: entities(),
        params: params(),
        lets: lets(),
        rules: vec![
            construction_rule(),
            ratio_rule(),
            tier_rule(),
            brackets_rule(),
            firm_rule(),
        ],
        tests: vec![],
        inherited_tests: vec![],
    }
}

/// A park: (key, town, model variant, 亩, 万元 invested, occupancy %, floor m2, amenity m2).
pub struct Park<'a>(
    pub &'a str,
    pub &'a str,
    pub usize,
    pub &'a str,
    pub &'a str,
    pub &'a str,
);

pub fn park(p: Park<'_>, floor_mu: &str, amenity_mu: &str, built: Option<&str>) -> Record {
    let Park(key, town, model, area, invest, occ) = p;
    Record {
        key: key.into(),
        values: vec![
            Value::Text(key.into()),
            Value::Text(town.into()),
            Value::Enum(model),
            Value::Num(d(area)),
            Value::Num(d(invest) * Decimal::from(10_000)),
            Value::Num(d(occ) / Decimal::from(100)),
            Value::Num(d(floor_mu)),
            Value::Num(d(amenity_mu)),
            built.map_or(Value::Blank, |s| Value::Date(date(s))),
        ],
        row: 0,
        projection: None,
    }
}

/// A firm: key, park index, tax in 万元 (None: blank), 规上.
pub fn firm(key: &str, park: usize, tax: Option<&str>, big: bool) -> Record {
    Record {
        key: key.into(),
        values: vec![
            Value::Text(key.into()),
            Value::Ref(park),
            tax.map_or(Value::Blank, |t| Value::Num(d(t) * Decimal::from(10_000))),
            Value::Bool(big),
        ],
        row: 0,
        projection: None,
    }
}

pub fn dataset(parks: Vec<Record>, firms: Vec<Record>) -> Dataset {
    let t = |records| Table {
        source: None,
        records,
    };
    Dataset {
        tables: vec![t(parks), t(firms)],
    }
}
