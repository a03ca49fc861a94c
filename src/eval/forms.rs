//! The choice forms and builtins: `if`, `match`, `tier`, `brackets`, `min max abs round
//! floor ceil is_set years_between`.
//!
//! Consumes their typed IR and the frame; produces a value, recording the decision
//! taken (branch, arm, row, slices) for explanations.

use crate::data::Record;
use crate::eval::arith::{self, R, internal};
use crate::eval::explain::{Note, Slice};
use crate::eval::expr::apply;
use crate::eval::trace::Tracer;
use crate::eval::{Evaluator, Frame};
use crate::program::{
    BracketRowDef, Builtin, EntityId, Expr, ExprKind, FieldId, MatchArmDef, Member, TierRowDef, Ty,
};
use crate::span::Span;
use crate::value::Value;
use rust_decimal::Decimal;
use std::cmp::Ordering;

impl Evaluator<'_> {
    pub(crate) fn if_then<T: Tracer>(
        &self,
        cond: &Expr,
        then: &Expr,
        otherwise: &Expr,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        let c = self.truth(cond, f, t)?;
        if T::ON {
            t.note(Note::Branch { then: c });
        }
        self.eval(if c { then } else { otherwise }, f, t)
    }

    pub(crate) fn match_arm<T: Tracer>(
        &self,
        scrutinee: &Expr,
        arms: &[MatchArmDef],
        otherwise: Option<&Expr>,
        span: Span,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        let Value::Enum(variant) = self.eval(scrutinee, f, t)? else {
            return Err(internal("expected an enum variant", scrutinee.span));
        };
        let arm = arms.iter().position(|a| a.variants.contains(&variant));
        if T::ON {
            let shown = self.show(&Value::Enum(variant), &scrutinee.ty);
            t.note(Note::MatchArm {
                index: arm,
                variant: shown,
            });
        }
        match (arm.and_then(|i| arms.get(i)), otherwise) {
            (Some(arm), _) => self.eval(&arm.value, f, t),
            (None, Some(e)) => self.eval(e, f, t),
            (None, None) => Err(internal("no match arm covers the variant", span)),
        }
    }

    pub(crate) fn tier<T: Tracer>(
        &self,
        subject: &Expr,
        rows: &[TierRowDef],
        otherwise: &Expr,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        let x = self.eval(subject, f, t)?;
        for (index, row) in rows.iter().enumerate() {
            let threshold = self.eval(&row.threshold, f, t)?;
            let tys = (&subject.ty, &row.threshold.ty);
            if apply(row.op, x.clone(), threshold, tys, row.span)? == Value::Bool(true) {
                if T::ON {
                    t.note(Note::TierRow {
                        index,
                        text: row.text.clone(),
                    });
                }
                return self.eval(&row.value, f, t);
            }
        }
        if T::ON {
            t.note(Note::TierElse);
        }
        self.eval(otherwise, f, t)
    }

    /// Marginal rates: each row taxes the part of the subject between the previous
    /// bound and its own; `above` the part past the last bound. A bound below an
    /// earlier one (the checker warns) yields an empty slice, so no part counts twice.
    pub(crate) fn brackets<T: Tracer>(
        &self,
        subject: &Expr,
        rows: &[BracketRowDef],
        above: Option<&Expr>,
        whole: &Expr,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        let span = whole.span;
        let x = self.num(subject, f, t)?;
        let tys = (&subject.ty, &whole.ty);
        let mut lower = Decimal::ZERO;
        let mut total = Decimal::ZERO;
        let mut slices = Vec::new();
        for row in rows {
            let bound = self.num(&row.up_to, f, t)?;
            let rate = self.num(&row.rate, f, t)?;
            let band = Band::new(x, lower, Some(bound), rate, span)?;
            total = arith::add(total, band.product, span)?;
            if T::ON {
                slices.push(self.slice(&row.text, &band, tys, &row.rate.ty));
            }
            lower = lower.max(bound);
        }
        if let Some(rate_expr) = above {
            let rate = self.num(rate_expr, f, t)?;
            let band = Band::new(x, lower, None, rate, span)?;
            total = arith::add(total, band.product, span)?;
            if T::ON {
                let text = format!("above => {}", self.program.sources.snippet(rate_expr.span));
                slices.push(self.slice(&text, &band, tys, &rate_expr.ty));
            }
        }
        if T::ON {
            t.note(Note::Brackets { slices });
        }
        Ok(Value::Num(total))
    }

    /// One slice shown for an explanation, given the subject's and result's types.
    fn slice(&self, text: &str, band: &Band, (subject, result): (&Ty, &Ty), rate: &Ty) -> Slice {
        let num = |d: Decimal, ty: &Ty| self.show(&Value::Num(d), ty);
        Slice {
            text: text.to_string(),
            from: num(band.from, subject),
            to: band.to.map(|b| num(b, subject)),
            amount: num(band.part, subject),
            rate: num(band.rate, rate),
            product: num(band.product, result),
            reached: band.part > Decimal::ZERO,
        }
    }

    pub(crate) fn builtin<T: Tracer>(
        &self,
        b: Builtin,
        args: &[Expr],
        e: &Expr,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        let span = e.span;
        let arg = |i: usize| {
            args.get(i)
                .ok_or_else(|| internal("a missing argument", span))
        };
        match b {
            Builtin::Min => self.extreme(args, Ordering::Less, span, f, t),
            Builtin::Max => self.extreme(args, Ordering::Greater, span, f, t),
            Builtin::Abs => Ok(Value::Num(self.num(arg(0)?, f, t)?.abs())),
            Builtin::Round | Builtin::Floor | Builtin::Ceil => {
                let x = self.num(arg(0)?, f, t)?;
                let places = match args.get(1) {
                    Some(p) => self.num(p, f, t)?,
                    None => Decimal::ZERO,
                };
                let r = match b {
                    Builtin::Round => arith::round_half_away(x, places, span),
                    Builtin::Floor => arith::floor_to(x, places, span),
                    _ => arith::ceil_to(x, places, span),
                };
                Ok(Value::Num(r?))
            }
            Builtin::IsSet => Ok(Value::Bool(self.is_set(arg(0)?, f, t)?)),
            Builtin::YearsBetween => {
                let from = self.date(arg(0)?, f, t)?;
                let to = self.date(arg(1)?, f, t)?;
                Ok(Value::Num(Decimal::from(arith::years_between(from, to))))
            }
        }
    }

    /// `min`/`max` of the arguments (a single list argument: of its items).
    fn extreme<T: Tracer>(
        &self,
        args: &[Expr],
        want: Ordering,
        span: Span,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        let mut best: Option<Value> = None;
        let mut consider = |v: Value| -> R<()> {
            let better = match &best {
                None => true,
                Some(b) => {
                    arith::compare(&v, b).ok_or_else(|| internal("incomparable values", span))?
                        == want
                }
            };
            if better {
                best = Some(v);
            }
            Ok(())
        };
        for a in args {
            match self.eval(a, f, t)? {
                Value::List(items) if args.len() == 1 => {
                    for v in items.iter() {
                        consider(v.clone())?;
                    }
                }
                v => consider(v)?,
            }
        }
        best.ok_or_else(|| {
            Box::new(crate::eval::EvalError::EmptyAggregate {
                func: if want == Ordering::Less { "min" } else { "max" }.to_string(),
                span,
            })
        })
    }

    /// `is_set(x)`: whether an optional field (of this record, or through a
    /// reference) holds a value. Any other expression is set when it evaluates.
    /// A field is looked at where it is, not copied.
    fn is_set<T: Tracer>(&self, e: &Expr, f: &mut Frame<'_, '_>, t: &mut T) -> R<bool> {
        let set = |entity, record: &Record, id| match self.raw_field(record, id, e.span)? {
            Value::Blank => Ok(false),
            // Reading a field a `test` record did not give is an error, as anywhere.
            Value::Missing => self.read_field(entity, record, id, e.span).map(|_| true),
            _ => Ok(true),
        };
        match self.on_field(e, f, t, set)? {
            Some(set) => Ok(set.unwrap_or(false)),
            None => Ok(self.optional(e, f, t)?.is_some()),
        }
    }

    /// Evaluate, giving `None` for a blank field instead of a `Blank` error.
    fn optional<T: Tracer>(&self, e: &Expr, f: &mut Frame<'_, '_>, t: &mut T) -> R<Option<Value>> {
        let value = |entity, record: &Record, id| match self.raw_field(record, id, e.span)? {
            Value::Blank => Ok(None),
            _ => self.read_field(entity, record, id, e.span).map(Some),
        };
        match self.on_field(e, f, t, value)? {
            Some(v) => Ok(v.flatten()),
            None => match self.eval(e, f, t)? {
                Value::Blank => Ok(None),
                v => Ok(Some(v)),
            },
        }
    }

    /// `on` the field `e` names, of this record or of the one a reference names:
    /// `Some(None)` when that reference is blank; `None` when `e` is no such field.
    fn on_field<U, T: Tracer>(
        &self,
        e: &Expr,
        f: &mut Frame<'_, '_>,
        t: &mut T,
        on: impl FnOnce(EntityId, &Record, FieldId) -> R<U>,
    ) -> R<Option<Option<U>>> {
        match &e.kind {
            ExprKind::Field(id) => {
                let rec = f
                    .rec
                    .ok_or_else(|| internal("a field read outside a record", e.span))?;
                on(rec.entity, rec.record, *id).map(|u| Some(Some(u)))
            }
            ExprKind::Member {
                base,
                entity,
                member: Member::Field(id),
            } => {
                let Some(target) = self.optional(base, f, t)? else {
                    return Ok(Some(None));
                };
                let Value::Ref(index) = target else {
                    return Err(internal("expected a reference", base.span));
                };
                let record = self
                    .record_at(*entity, index)
                    .ok_or_else(|| internal("a reference to no record", e.span))?;
                on(*entity, record, *id).map(|u| Some(Some(u)))
            }
            _ => Ok(None),
        }
    }
}

/// One slice of a `brackets`: the part of the subject between `from` and `to` (no
/// bound above for `above`), clipped at zero, times its rate.
struct Band {
    from: Decimal,
    to: Option<Decimal>,
    rate: Decimal,
    part: Decimal,
    product: Decimal,
}

impl Band {
    fn new(x: Decimal, from: Decimal, to: Option<Decimal>, rate: Decimal, span: Span) -> R<Band> {
        let top = to.map_or(x, |bound| x.min(bound));
        let part = arith::sub(top, from, span)?.max(Decimal::ZERO);
        let product = arith::mul(part, rate, span)?;
        Ok(Band {
            from,
            to,
            rate,
            part,
            product,
        })
    }
}
