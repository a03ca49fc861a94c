//! Expressions: types and units of literals, names, members, lists and operators.
//!
//! Consumes an AST expression and its scope; produces a typed IR [`Expr`] with every
//! quantity literal converted to base units (`500 万元` → `Const(5000000)`), or
//! `None` after reporting the problem. `None` is the checker's error type: a parent
//! whose operand is `None` gives `None` without a further message, so one mistake is
//! one error. Dimensions follow SPEC §3.2: `+ -` and comparisons need equal
//! dimensions, `* /` combine them, `int number percent` mix freely, and
//! `date ± duration` (months or days) is a date, and `date - date` is the number of
//! days between them (a `days` duration: compare it with `730 日`); whole years by
//! anniversary are `years_between(d1, d2)`.

use super::err::{CheckError, Hint};
use super::names::suggest;
use super::{Checker, Scope};
use crate::ast::{self, BinaryOp, UnaryOp};
use crate::program::{Expr, ExprKind, Member, NumHint, Ty};
use crate::span::Span;
use crate::units::Dim;
use crate::value::Value;
use rust_decimal::Decimal;

/// The display hint of a sum, a product, or a choice between two numbers.
pub(super) fn merge_hint(a: NumHint, b: NumHint) -> NumHint {
    match (a, b) {
        _ if a == b => a,
        (NumHint::Int, h) | (h, NumHint::Int) => h,
        _ => NumHint::Number,
    }
}

fn div_hint(a: Dim, ha: NumHint, b: Dim, hb: NumHint) -> NumHint {
    if !a.is_none() && a == b {
        return NumHint::Percent;
    }
    match (ha, hb) {
        (h, NumHint::Int) if h != NumHint::Int => h,
        _ => NumHint::Number,
    }
}

fn is_duration(d: Dim) -> bool {
    d == Dim::MONTHS || d == Dim::DAYS
}

pub(super) fn constant(value: Value, ty: Ty, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Const(value),
        ty,
        span,
    }
}

impl Checker<'_> {
    /// Check one expression; `want` is the type the context expects, used to pick an
    /// enum variant shared by several enums and to type an empty list.
    pub(super) fn expr(&mut self, sc: Scope, e: &ast::Expr, want: Option<&Ty>) -> Option<Expr> {
        use ast::ExprKind as K;
        let span = e.span;
        match &e.kind {
            K::Number(d) => {
                let ty = if d.fract().is_zero() {
                    Ty::INT
                } else {
                    Ty::NUMBER
                };
                Some(constant(Value::Num(*d), ty, span))
            }
            K::Percent(p) => match p.checked_div(Decimal::ONE_HUNDRED) {
                Some(v) => {
                    let span = self.with_percent(span);
                    Some(constant(Value::Num(v.normalize()), Ty::PERCENT, span))
                }
                None => self.overflow(span),
            },
            K::Quantity(d, u) => self.quantity(*d, u, span),
            K::Date(d) => Some(constant(Value::Date(*d), Ty::Date, span)),
            K::Bool(b) => Some(constant(Value::Bool(*b), Ty::Bool, span)),
            K::Str(s) => self.str_const(s),
            K::AsOf => self.as_of(sc, span),
            K::Name(id) => self.name(sc, id, want),
            K::Member(base, m) => self.member(sc, base, m, span),
            K::List(items) => self.list(sc, items, want, span),
            K::Unary(op, x) => self.unary(sc, *op, x, span),
            K::Binary(op, l, r) => self.binary(sc, *op, l, r, span),
            K::Call(c) => self.call(sc, c, span),
            K::If(c, a, b) => self.if_expr(sc, (c, a, b), want, span),
            K::Match(m) => self.match_expr(sc, m, want, span),
            K::Tier(t) => self.tier(sc, t, want, span),
            K::Brackets(b) => self.brackets(sc, b, span),
            K::Paren(x) => {
                let mut inner = self.expr(sc, x, want)?;
                inner.span = span;
                Some(inner)
            }
        }
    }

    fn overflow(&mut self, span: Span) -> Option<Expr> {
        let text = self.sources.snippet(span).to_string();
        self.error(
            span,
            CheckError::LiteralOverflow {
                text,
                at: span.source_span(),
            },
        );
        None
    }

    fn quantity(&mut self, d: Decimal, u: &ast::UnitExpr, span: Span) -> Option<Expr> {
        let unit = self.unit(u)?;
        match d.checked_mul(unit.factor) {
            Some(v) => Some(constant(
                Value::Num(v.normalize()),
                Ty::Num(unit.dim, NumHint::Number),
                span,
            )),
            None => self.overflow(span),
        }
    }

    fn str_const(&mut self, s: &ast::StrLit) -> Option<Expr> {
        match s.plain() {
            Some(t) => Some(constant(Value::Text(t.into()), Ty::Text, s.span)),
            None => {
                self.error(
                    s.span,
                    CheckError::InterpolationNotAllowed {
                        at: s.span.source_span(),
                    },
                );
                None
            }
        }
    }

    fn as_of(&mut self, sc: Scope, span: Span) -> Option<Expr> {
        if let Scope::Const(what) = sc {
            self.error(
                span,
                CheckError::NotConstant {
                    what: what.to_string(),
                    at: span.source_span(),
                },
            );
            return None;
        }
        Some(Expr {
            kind: ExprKind::AsOf,
            ty: Ty::Date,
            span,
        })
    }

    fn member(&mut self, sc: Scope, base: &ast::Expr, m: &ast::Ident, span: Span) -> Option<Expr> {
        let b = self.expr(sc, base, None)?;
        let Ty::Entity(x) = b.ty else {
            let ty = self.ty_name(&b.ty);
            let name = self.sources.snippet(base.span).to_string();
            self.error(
                base.span,
                CheckError::MemberOfNonEntity {
                    name,
                    ty,
                    at: base.span.source_span(),
                },
            );
            return None;
        };
        let (member, ty) = if let Some(found) = self.field_of(x, &m.name) {
            let (fid, ty) = found?;
            (Member::Field(fid), ty)
        } else if let Some(lid) = self.let_of(x, &m.name) {
            (Member::Let(lid), self.let_ty(lid)?)
        } else {
            self.unknown_member(x, m);
            return None;
        };
        Some(Expr {
            kind: ExprKind::Member {
                base: Box::new(b),
                entity: x,
                member,
            },
            ty,
            span,
        })
    }

    /// Report a field or let that entity `x` does not have.
    pub(super) fn unknown_member(&mut self, x: crate::program::EntityId, m: &ast::Ident) {
        let help = self.entities.get(x.0).and_then(|info| {
            let mut cands: Vec<&str> = info.def.fields.iter().map(|f| f.name.as_str()).collect();
            cands.extend(info.lets.keys().map(String::as_str));
            cands.sort_unstable();
            suggest(&m.name, cands)
        });
        let entity = self.entity_name(x);
        self.error(
            m.span,
            CheckError::UnknownField {
                entity,
                name: m.name.clone(),
                at: m.span.source_span(),
                help,
            },
        );
    }

    fn list(
        &mut self,
        sc: Scope,
        items: &[ast::Expr],
        want: Option<&Ty>,
        span: Span,
    ) -> Option<Expr> {
        let mut elem: Option<Ty> = match want {
            Some(Ty::List(t)) => Some((**t).clone()),
            _ => None,
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for it in items {
            let w = elem.clone();
            let Some(x) = self.expr(sc, it, w.as_ref()) else {
                ok = false;
                continue;
            };
            match &elem {
                Some(t) => ok &= self.expect_ty(&x, t, "as a list item"),
                None => elem = Some(x.ty.clone()),
            }
            out.push(x);
        }
        if !ok {
            return None;
        }
        let Some(t) = elem else {
            self.error(
                span,
                CheckError::EmptyList {
                    at: span.source_span(),
                },
            );
            return None;
        };
        Some(Expr {
            kind: ExprKind::List(out),
            ty: Ty::List(Box::new(t)),
            span,
        })
    }

    fn unary(&mut self, sc: Scope, op: UnaryOp, x: &ast::Expr, span: Span) -> Option<Expr> {
        let x = self.expr(sc, x, None)?;
        let ty = match (op, &x.ty) {
            (UnaryOp::Neg, Ty::Num(..)) => x.ty.clone(),
            (UnaryOp::Not, _) => {
                if !self.expect_ty(&x, &Ty::Bool, "after `not`") {
                    return None;
                }
                Ty::Bool
            }
            (UnaryOp::Neg, _) => return self.invalid_operand("-", &x, None),
        };
        Some(Expr {
            kind: ExprKind::Unary(op, Box::new(x)),
            ty,
            span,
        })
    }

    fn invalid_operand(&mut self, op: &str, x: &Expr, help: Option<Hint>) -> Option<Expr> {
        let ty = self.ty_name(&x.ty);
        self.error(
            x.span,
            CheckError::InvalidOperand {
                op: op.to_string(),
                ty,
                at: x.span.source_span(),
                help,
            },
        );
        None
    }

    fn binary(
        &mut self,
        sc: Scope,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
        span: Span,
    ) -> Option<Expr> {
        use BinaryOp::*;
        let (lx, rx) = match op {
            Eq | Ne if self.is_bare_variant(sc, l) && !self.is_bare_variant(sc, r) => {
                let rx = self.expr(sc, r, None);
                let lx = self.expr(sc, l, rx.as_ref().map(|x| &x.ty));
                (lx, rx)
            }
            Eq | Ne | In | NotIn => {
                let lx = self.expr(sc, l, None);
                let want = lx.as_ref().map(|x| match op {
                    In | NotIn => Ty::List(Box::new(x.ty.clone())),
                    _ => x.ty.clone(),
                });
                let rx = self.expr(sc, r, want.as_ref());
                (lx, rx)
            }
            _ => (self.expr(sc, l, None), self.expr(sc, r, None)),
        };
        let (lx, rx) = (lx?, rx?);
        // Reach over a percent sign the parser's span leaves out.
        let span = span.to(rx.span);
        let ty = self.binary_ty(op, &lx, &rx, span)?;
        Some(Expr {
            kind: ExprKind::Binary(op, Box::new(lx), Box::new(rx)),
            ty,
            span,
        })
    }

    fn binary_ty(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> Option<Ty> {
        use BinaryOp::*;
        match op {
            And | Or => {
                let what = format!("for `{}`", op.symbol());
                let ok = self.expect_ty(l, &Ty::Bool, &what) & self.expect_ty(r, &Ty::Bool, &what);
                ok.then_some(Ty::Bool)
            }
            Eq | Ne => self.equality(op, l, r, span),
            Lt | Le | Gt | Ge => self.ordering(op, l, r, span),
            In | NotIn => self.membership(op, l, r),
            Add | Sub => self.additive(op, l, r, span),
            Mul | Div => self.multiplicative(op, l, r, span),
        }
    }

    fn dimension_mismatch(&mut self, op: BinaryOp, l: &Ty, r: &Ty, span: Span) -> Option<Ty> {
        let (left, right) = (self.ty_name(l), self.ty_name(r));
        self.error(
            span,
            CheckError::DimensionMismatch {
                op: op.symbol().to_string(),
                left,
                right,
                at: span.source_span(),
            },
        );
        None
    }

    fn equality(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> Option<Ty> {
        match (&l.ty, &r.ty) {
            (a, b) if a.compatible(b) => Some(Ty::Bool),
            (Ty::Num(..), Ty::Num(..)) => self.dimension_mismatch(op, &l.ty, &r.ty, span),
            _ => {
                let what = format!("to compare with `{}`", self.sources.snippet(l.span));
                self.expect_ty(r, &l.ty, &what);
                None
            }
        }
    }

    fn ordering(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> Option<Ty> {
        match (&l.ty, &r.ty) {
            (Ty::Num(a, _), Ty::Num(b, _)) if a == b => Some(Ty::Bool),
            (Ty::Num(..), Ty::Num(..)) => self.dimension_mismatch(op, &l.ty, &r.ty, span),
            (Ty::Date, Ty::Date) => Some(Ty::Bool),
            (Ty::Num(..) | Ty::Date, _) => {
                let what = format!("to compare with `{}`", self.sources.snippet(l.span));
                self.expect_ty(r, &l.ty, &what);
                None
            }
            _ => {
                let help = Some(Hint::Ordered);
                self.invalid_operand(op.symbol(), l, help);
                None
            }
        }
    }

    fn membership(&mut self, op: BinaryOp, l: &Expr, r: &Expr) -> Option<Ty> {
        match &r.ty {
            Ty::List(t) if t.compatible(&l.ty) => Some(Ty::Bool),
            Ty::List(_) => {
                let want = Ty::List(Box::new(l.ty.clone()));
                self.expect_ty(r, &want, &format!("for `{}`", op.symbol()));
                None
            }
            _ => {
                let help = Some(Hint::RightSideIsList {
                    op: op.symbol().to_string(),
                });
                self.invalid_operand(op.symbol(), r, help);
                None
            }
        }
    }

    fn additive(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> Option<Ty> {
        match (&l.ty, &r.ty) {
            (Ty::Num(a, ha), Ty::Num(b, hb)) if a == b => Some(Ty::Num(*a, merge_hint(*ha, *hb))),
            (Ty::Num(..), Ty::Num(..)) => self.dimension_mismatch(op, &l.ty, &r.ty, span),
            (Ty::Date, Ty::Num(d, _)) if is_duration(*d) => Some(Ty::Date),
            (Ty::Num(d, _), Ty::Date) if op == BinaryOp::Add && is_duration(*d) => Some(Ty::Date),
            (Ty::Date, Ty::Date) if op == BinaryOp::Sub => Some(Ty::Num(Dim::DAYS, NumHint::Int)),
            (Ty::Date, _) | (_, Ty::Date) => {
                let help = Some(Hint::DateByDuration);
                let bad = if l.ty == Ty::Date { r } else { l };
                self.invalid_operand(op.symbol(), bad, help);
                None
            }
            _ => {
                let bad = if matches!(l.ty, Ty::Num(..)) { r } else { l };
                self.invalid_operand(op.symbol(), bad, None);
                None
            }
        }
    }

    fn multiplicative(&mut self, op: BinaryOp, l: &Expr, r: &Expr, span: Span) -> Option<Ty> {
        let (Ty::Num(a, ha), Ty::Num(b, hb)) = (&l.ty, &r.ty) else {
            let bad = if matches!(l.ty, Ty::Num(..)) { r } else { l };
            self.invalid_operand(op.symbol(), bad, None);
            return None;
        };
        let (dim, hint) = if op == BinaryOp::Mul {
            (a.times(*b), merge_hint(*ha, *hb))
        } else {
            (a.per(*b), div_hint(*a, *ha, *b, *hb))
        };
        match dim {
            Some(d) => Some(Ty::Num(d, if d.is_none() { hint } else { NumHint::Number })),
            None => {
                self.overflow(span);
                None
            }
        }
    }

    fn if_expr(
        &mut self,
        sc: Scope,
        (c, a, b): (&ast::Expr, &ast::Expr, &ast::Expr),
        want: Option<&Ty>,
        span: Span,
    ) -> Option<Expr> {
        let c = self.expr(sc, c, None);
        let a = self.expr(sc, a, want);
        let want_b = a.as_ref().map(|x| x.ty.clone()).or_else(|| want.cloned());
        let b = self.expr(sc, b, want_b.as_ref());
        let (c, a, b) = (c?, a?, b?);
        let ok_c = self.expect_ty(&c, &Ty::Bool, "as the condition of `if`");
        let ty = self.join(&a.ty, &b, "like the `then` branch")?;
        ok_c.then(|| Expr {
            kind: ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
            ty,
            span,
        })
    }

    /// The type of two alternatives (branches, arms, rows): compatible, hints merged.
    pub(super) fn join(&mut self, a: &Ty, b: &Expr, what: &str) -> Option<Ty> {
        if !self.expect_ty(b, a, what) {
            return None;
        }
        Some(match (a, &b.ty) {
            (Ty::Num(d, ha), Ty::Num(_, hb)) => Ty::Num(*d, merge_hint(*ha, *hb)),
            _ => a.clone(),
        })
    }
}
