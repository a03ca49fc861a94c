//! Expressions: names, references, operators.
//!
//! Consumes a typed [`Expr`] and a [`Frame`] (the current record and its `let` memo);
//! produces a [`Value`] or an [`EvalError`]. The checker guarantees types, so a value
//! of an unexpected shape is an `Internal` error, never a panic. The choice forms
//! (`if`, `match`, `tier`, `brackets`) and the builtins are in [`super::forms`];
//! aggregates in [`super::aggregate`].

use crate::ast::{BinaryOp, UnaryOp};
use crate::data::Record;
use crate::eval::arith::{self, R, internal};
use crate::eval::err::EvalError;
use crate::eval::explain::Note;
use crate::eval::params::ParamSlot;
use crate::eval::trace::{Step, Tracer};
use crate::eval::{Evaluator, Frame, Memo, Rec};
use crate::program::{EntityId, Expr, ExprKind, FieldId, InputUnit, LetId, Member, Ty};
use crate::span::Span;
use crate::units::{Dim, Unit};
use crate::value::Value;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::cmp::Ordering;

impl<'a> Evaluator<'a> {
    /// Evaluate an expression on the frame's record.
    #[inline]
    pub(crate) fn eval<T: Tracer>(&self, e: &Expr, f: &mut Frame<'_, '_>, t: &mut T) -> R<Value> {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            // Fields and params, untraced, are read here, at the caller: most nodes
            // are these leaves, and the other kinds' frame is large.
            ExprKind::Field(id) if !T::ON => self.own_field(*id, e.span, f),
            ExprKind::Param(id) if !T::ON => self.param(*id, e.span, t),
            _ => self.eval_node(e, f, t),
        }
    }

    /// [`Evaluator::eval`] of any other node, traced as a step.
    #[inline(never)]
    fn eval_node<T: Tracer>(&self, e: &Expr, f: &mut Frame<'_, '_>, t: &mut T) -> R<Value> {
        t.start();
        let r = self.eval_kind(e, f, t);
        let unit = if T::ON {
            self.field_unit(e, f.rec)
        } else {
            None
        };
        t.finish(self, Step::expr(e, unit), &r);
        r
    }

    /// The unit a field is written in (`规划面积: area in 亩`) when `e` reads one, so
    /// its value is shown as written (`60亩`, not `40000m2`).
    pub(crate) fn field_unit(&self, e: &Expr, rec: Option<Rec<'_>>) -> Option<&'a Unit> {
        let (entity, field) = match &e.kind {
            ExprKind::Field(id) => (rec?.entity, *id),
            ExprKind::Member {
                entity,
                member: Member::Field(id),
                ..
            } => (*entity, *id),
            _ => return None,
        };
        match &self.program.entity(entity)?.field(field)?.input {
            InputUnit::Unit(u) if !u.name.is_empty() => Some(u),
            _ => None,
        }
    }

    fn eval_kind<T: Tracer>(&self, e: &Expr, f: &mut Frame<'_, '_>, t: &mut T) -> R<Value> {
        match &e.kind {
            ExprKind::Const(v) => Ok(v.clone()),
            ExprKind::Field(id) => self.own_field(*id, e.span, f),
            ExprKind::Let(id) => self.let_here(*id, e.span, f, t),
            ExprKind::Param(id) => self.param(*id, e.span, t),
            ExprKind::AsOf => Ok(Value::Date(self.as_of)),
            ExprKind::Member {
                base,
                entity,
                member,
            } => self.member(base, *entity, *member, e.span, f, t),
            ExprKind::List(items) => {
                let values = items
                    .iter()
                    .map(|x| self.eval(x, f, t))
                    .collect::<R<Vec<Value>>>()?;
                Ok(Value::List(values.into()))
            }
            ExprKind::Unary(op, x) => self.unary(*op, x, f, t),
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.span, f, t),
            ExprKind::If(c, a, b) => self.if_then(c, a, b, f, t),
            ExprKind::Match {
                scrutinee,
                arms,
                otherwise,
            } => self.match_arm(scrutinee, arms, otherwise.as_deref(), e.span, f, t),
            ExprKind::Tier {
                subject,
                rows,
                otherwise,
            } => self.tier(subject, rows, otherwise, f, t),
            ExprKind::Brackets {
                subject,
                rows,
                above,
            } => self.brackets(subject, rows, above.as_deref(), e, f, t),
            ExprKind::Builtin(b, args) => self.builtin(*b, args, e, f, t),
            ExprKind::Aggregate { .. } => self.aggregate(e, f, t),
        }
    }

    /// Evaluate to a number.
    pub(crate) fn num<T: Tracer>(&self, e: &Expr, f: &mut Frame<'_, '_>, t: &mut T) -> R<Decimal> {
        match self.eval(e, f, t)? {
            Value::Num(d) => Ok(d),
            _ => Err(internal("expected a number", e.span)),
        }
    }

    /// Evaluate to a truth value.
    pub(crate) fn truth<T: Tracer>(&self, e: &Expr, f: &mut Frame<'_, '_>, t: &mut T) -> R<bool> {
        if !T::ON {
            // Untraced, `and`, `or`, `not` and comparisons of operands only read are
            // decided here, without a value made of each node (as `binary` decides).
            match &e.kind {
                ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), a, b) => {
                    let left = self.truth(a, f, t)?;
                    if left == (*op == BinaryOp::Or) {
                        return Ok(left);
                    }
                    return self.truth(b, f, t);
                }
                ExprKind::Unary(UnaryOp::Not, x) => return Ok(!self.truth(x, f, t)?),
                ExprKind::Binary(op, a, b) if op.is_comparison() => {
                    if let (Some(x), Some(y)) = (self.peek(a, f), self.peek(b, f)) {
                        return compare(*op, x, y, e.span);
                    }
                }
                _ => {
                    if let Some(Value::Bool(b)) = self.peek(e, f) {
                        return Ok(*b);
                    }
                }
            }
        }
        match self.eval(e, f, t)? {
            Value::Bool(b) => Ok(b),
            _ => Err(internal("expected true or false", e.span)),
        }
    }

    pub(crate) fn date<T: Tracer>(
        &self,
        e: &Expr,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<NaiveDate> {
        match self.eval(e, f, t)? {
            Value::Date(d) => Ok(d),
            _ => Err(internal("expected a date", e.span)),
        }
    }

    /// A field of the frame's record.
    fn own_field(&self, id: FieldId, span: Span, f: &Frame<'_, '_>) -> R<Value> {
        let rec = f
            .rec
            .ok_or_else(|| internal("a field read outside a record", span))?;
        self.read_field(rec.entity, rec.record, id, span)
    }

    /// A field of a record; blank and not-given fields are errors naming the field.
    pub(crate) fn read_field(
        &self,
        entity: EntityId,
        record: &Record,
        id: FieldId,
        span: Span,
    ) -> R<Value> {
        match self.raw_field(record, id, span)? {
            Value::Blank => Err(Box::new(EvalError::Blank {
                field: self.field_name(entity, id),
                span,
            })),
            Value::Missing => Err(Box::new(EvalError::Missing {
                field: self.field_name(entity, id),
                entity: self
                    .program
                    .entity(entity)
                    .map(|e| e.name.clone())
                    .unwrap_or_default(),
                key: record.key.to_string(),
                span,
            })),
            v => Ok(v.clone()),
        }
    }

    pub(crate) fn raw_field<'r>(
        &self,
        record: &'r Record,
        id: FieldId,
        span: Span,
    ) -> R<&'r Value> {
        record
            .get(id)
            .ok_or_else(|| internal("the record has no value for this field", span))
    }

    pub(crate) fn field_name(&self, entity: EntityId, id: FieldId) -> String {
        self.program
            .entity(entity)
            .and_then(|e| e.field(id))
            .map(|f| f.name.clone())
            .unwrap_or_default()
    }

    /// A `let` of the frame's record, computed once per record.
    fn let_here<T: Tracer>(
        &self,
        id: LetId,
        span: Span,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        if let Some(r) = f.memo.get(id) {
            if T::ON {
                t.note(self.let_note(id, true));
            }
            return r.clone();
        }
        let def = self
            .program
            .let_def(id)
            .ok_or_else(|| internal("an unknown let", span))?;
        if T::ON {
            t.note(self.let_note(id, false));
        }
        let r = self.eval(&def.value, f, t);
        f.memo.set(id, r.clone());
        r
    }

    /// A `let` of the frame's record, if `e` is one, computed into the memo (once),
    /// where [`Evaluator::peek`] reads it without a copy. An error is kept there too,
    /// for the evaluation that reads it as usual.
    fn settle_let<T: Tracer>(&self, e: &Expr, f: &mut Frame<'_, '_>, t: &mut T) {
        if let ExprKind::Let(id) = &e.kind
            && f.memo.get(*id).is_none()
            && let Some(def) = self.program.let_def(*id)
        {
            let r = self.eval(&def.value, f, t);
            f.memo.set(*id, r);
        }
    }

    fn let_note(&self, id: LetId, memoised: bool) -> Note {
        let name = self
            .program
            .let_def(id)
            .map(|l| l.name.clone())
            .unwrap_or_default();
        Note::Let { name, memoised }
    }

    /// `r.member`: a field or `let` of the record a reference names.
    fn member<T: Tracer>(
        &self,
        base: &Expr,
        entity: EntityId,
        member: Member,
        span: Span,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        let Value::Ref(index) = self.eval(base, f, t)? else {
            return Err(internal("expected a reference", base.span));
        };
        let record = self
            .record_at(entity, index)
            .ok_or_else(|| internal("a reference to no record", span))?;
        match member {
            Member::Field(id) => self.read_field(entity, record, id, span),
            Member::Let(id) => self.let_of(
                Rec {
                    entity,
                    index,
                    record,
                },
                id,
                span,
                t,
            ),
        }
    }

    /// A `let` of another record (reached by reference), cached per record when the
    /// program reads it that way.
    fn let_of<T: Tracer>(&self, rec: Rec<'a>, id: LetId, span: Span, t: &mut T) -> R<Value> {
        let def = self
            .program
            .let_def(id)
            .ok_or_else(|| internal("an unknown let", span))?;
        let compute = |t: &mut T| {
            let mut memo = Memo::default();
            let mut frame = Frame {
                rec: Some(rec),
                memo: &mut memo,
            };
            self.eval(&def.value, &mut frame, t)
        };
        let cell = self
            .shared
            .get(id.0)
            .and_then(Option::as_ref)
            .and_then(|cells| cells.get(rec.index));
        match cell {
            Some(cell) => {
                if T::ON {
                    t.note(self.let_note(id, cell.get().is_some()));
                }
                cell.get_or_init(|| compute(t)).clone()
            }
            None => {
                if T::ON {
                    t.note(self.let_note(id, false));
                }
                compute(t)
            }
        }
    }

    fn unary<T: Tracer>(
        &self,
        op: UnaryOp,
        x: &Expr,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        match op {
            UnaryOp::Neg => Ok(Value::Num(-self.num(x, f, t)?)),
            UnaryOp::Not => Ok(Value::Bool(!self.truth(x, f, t)?)),
        }
    }

    fn binary<T: Tracer>(
        &self,
        op: BinaryOp,
        a: &Expr,
        b: &Expr,
        span: Span,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Value> {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let left = self.truth(a, f, t)?;
                // `and` is decided by a false left side, `or` by a true one.
                if left == (op == BinaryOp::Or) {
                    if T::ON {
                        t.note(Note::ShortCircuit);
                    }
                    return Ok(Value::Bool(left));
                }
                Ok(Value::Bool(self.truth(b, f, t)?))
            }
            BinaryOp::In | BinaryOp::NotIn => {
                let x = self.eval(a, f, t)?;
                let found = self.contains(b, &x, f, t)?;
                Ok(Value::Bool(found == (op == BinaryOp::In)))
            }
            _ => {
                // Operands that are only read are compared where they are, uncopied
                // (a text's count is not raised and lowered again, on memory another
                // core may hold: a park's text compared by each of its firms). The
                // other is evaluated first: reading the one cannot fail.
                if op.is_comparison() && !T::ON {
                    self.settle_let(a, f, t);
                    self.settle_let(b, f, t);
                    if let (Some(x), Some(y)) = (self.peek(a, f), self.peek(b, f)) {
                        return compare(op, x, y, span).map(Value::Bool);
                    }
                    if self.peek(a, f).is_some() {
                        let y = self.eval(b, f, t)?;
                        if let Some(x) = self.peek(a, f) {
                            return compare(op, x, &y, span).map(Value::Bool);
                        }
                    } else if self.peek(b, f).is_some() {
                        let x = self.eval(a, f, t)?;
                        if let Some(y) = self.peek(b, f) {
                            return compare(op, &x, y, span).map(Value::Bool);
                        }
                    }
                }
                let x = self.eval(a, f, t)?;
                let y = self.eval(b, f, t)?;
                apply(op, x, y, (&a.ty, &b.ty), span)
            }
        }
    }

    /// The value of an operand that is only read (a constant, a param, a field of the
    /// frame's record or of a record it refers to, a `let` already computed),
    /// borrowed where it is. `None`: it is to be evaluated as usual; so are blank and
    /// not-given fields, whose errors name them that way.
    fn peek<'v>(&'v self, e: &'v Expr, f: &'v Frame<'_, '_>) -> Option<&'v Value> {
        let v = match &e.kind {
            ExprKind::Const(v) => v,
            ExprKind::Field(id) => f.rec.as_ref()?.record.get(*id)?,
            ExprKind::Param(id) => match self.params.get(id.0)?.get()? {
                ParamSlot::Value { value, .. } => value,
                _ => return None,
            },
            ExprKind::Let(id) => f.memo.get(*id)?.as_ref().ok()?,
            ExprKind::Member {
                base,
                entity,
                member: Member::Field(id),
            } => match self.peek(base, f)? {
                Value::Ref(index) => self.record_at(*entity, *index)?.get(*id)?,
                _ => return None,
            },
            _ => return None,
        };
        (!matches!(v, Value::Blank | Value::Missing)).then_some(v)
    }

    /// `x in list`: a written list is compared item by item, without building it.
    fn contains<T: Tracer>(
        &self,
        list: &Expr,
        x: &Value,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<bool> {
        if let ExprKind::List(items) = &list.kind {
            for item in items {
                if self.eval(item, f, t)? == *x {
                    return Ok(true);
                }
            }
            return Ok(false);
        }
        match self.eval(list, f, t)? {
            Value::List(items) => Ok(items.contains(x)),
            _ => Err(internal("expected a list", list.span)),
        }
    }
}

/// A comparison (`== != < <= > >=`) of two values, as [`apply`] makes it.
fn compare(op: BinaryOp, x: &Value, y: &Value, span: Span) -> R<bool> {
    match op {
        BinaryOp::Eq => Ok(x == y),
        BinaryOp::Ne => Ok(x != y),
        _ => {
            let ord = arith::compare(x, y).ok_or_else(|| internal("incomparable values", span))?;
            Ok(holds(op, ord))
        }
    }
}

/// A binary operator other than `and or in`, on evaluated operands whose static
/// types are `tys` (they say whether a duration counts months or days).
pub(crate) fn apply(op: BinaryOp, x: Value, y: Value, tys: (&Ty, &Ty), span: Span) -> R<Value> {
    use BinaryOp as B;
    let v = match (op, x, y) {
        (op, x, y) if op.is_comparison() => Value::Bool(compare(op, &x, &y, span)?),
        (B::Add, Value::Num(a), Value::Num(b)) => Value::Num(arith::add(a, b, span)?),
        (B::Sub, Value::Num(a), Value::Num(b)) => Value::Num(arith::sub(a, b, span)?),
        (B::Mul, Value::Num(a), Value::Num(b)) => Value::Num(arith::mul(a, b, span)?),
        (B::Div, Value::Num(a), Value::Num(b)) => Value::Num(arith::div(a, b, span)?),
        (B::Add, Value::Date(d), Value::Num(n)) => Value::Date(shift(d, n, tys.1, span)?),
        (B::Add, Value::Num(n), Value::Date(d)) => Value::Date(shift(d, n, tys.0, span)?),
        (B::Sub, Value::Date(d), Value::Num(n)) => Value::Date(shift(d, -n, tys.1, span)?),
        (B::Sub, Value::Date(a), Value::Date(b)) => Value::Num(arith::days_between(b, a)),
        _ => return Err(internal("operands of the wrong type", span)),
    };
    Ok(v)
}

/// Whether a comparison operator holds for an ordering of its operands.
pub(crate) fn holds(op: BinaryOp, ord: Ordering) -> bool {
    match op {
        BinaryOp::Lt => ord.is_lt(),
        BinaryOp::Le => ord.is_le(),
        BinaryOp::Gt => ord.is_gt(),
        BinaryOp::Ge => ord.is_ge(),
        BinaryOp::Eq => ord.is_eq(),
        BinaryOp::Ne => ord.is_ne(),
        _ => false,
    }
}

/// A date moved by a duration of type `ty` (calendar months or days).
fn shift(date: NaiveDate, n: Decimal, ty: &Ty, span: Span) -> R<NaiveDate> {
    match ty.dim() {
        Some(Dim::MONTHS) => arith::add_months(date, n, span),
        Some(Dim::DAYS) => arith::add_days(date, n, span),
        _ => Err(internal("a date moved by a non-duration", span)),
    }
}
