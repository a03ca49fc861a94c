//! Constants: param values and folding constant expressions.
//!
//! Consumes the declared params; fills in their values, each a constant of the
//! declared type, dated rows in increasing date order. [`fold`] computes a constant
//! IR expression (for expected amounts of tests and for `tier` thresholds).

use super::err::CheckError;
use super::{Checker, Scope};
use crate::ast::{self, BinaryOp, UnaryOp};
use crate::program::{DatedExpr, Expr, ExprKind};
use crate::value::Value;

/// The value of a constant expression of literals and arithmetic, if it is one.
pub(super) fn fold(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Const(v) => Some(v.clone()),
        ExprKind::Unary(UnaryOp::Neg, x) => Some(Value::Num(-fold(x)?.as_num()?)),
        ExprKind::Binary(op, l, r) => {
            let (a, b) = (fold(l)?.as_num()?, fold(r)?.as_num()?);
            let v = match op {
                BinaryOp::Add => a.checked_add(b),
                BinaryOp::Sub => a.checked_sub(b),
                BinaryOp::Mul => a.checked_mul(b),
                BinaryOp::Div => a.checked_div(b),
                _ => None,
            }?;
            Some(Value::Num(v.normalize()))
        }
        _ => None,
    }
}

impl Checker<'_> {
    /// Check the value (or dated values) of every param against its declared type.
    pub(super) fn param_values(&mut self) {
        for i in 0..self.params.len() {
            let Some(decl) = self.param_decls.get(i).copied() else {
                continue;
            };
            let values = match &decl.value {
                ast::ParamValue::Single(e) => self
                    .param_value(i, e)
                    .map(|value| DatedExpr {
                        from: None,
                        value,
                        span: e.span,
                    })
                    .into_iter()
                    .collect(),
                ast::ParamValue::Dated(rows) => self.dated(i, decl, rows),
            };
            if let Some(p) = self.params.get_mut(i) {
                p.values = values;
            }
        }
    }

    fn param_value(&mut self, i: usize, e: &ast::Expr) -> Option<Expr> {
        let ty = self.params.get(i)?.ty.clone();
        let x = self.expr(Scope::Const("a param value"), e, Some(&ty))?;
        self.expect_ty(&x, &ty, "as the param is declared")
            .then_some(x)
    }

    fn dated(
        &mut self,
        i: usize,
        decl: &ast::ParamDecl,
        rows: &[ast::DatedValue],
    ) -> Vec<DatedExpr> {
        let mut out = Vec::new();
        let mut prev: Option<&ast::DateLit> = None;
        for row in rows {
            if let Some(p) = prev
                && row.from.date <= p.date
            {
                self.error(
                    row.from.span,
                    CheckError::DatedParamsOutOfOrder {
                        param: decl.name.name.clone(),
                        at: row.from.span.source_span(),
                        date: row.from.date.to_string(),
                        previous: p.date.to_string(),
                    },
                );
            }
            prev = Some(&row.from);
            if let Some(value) = self.param_value(i, &row.value) {
                out.push(DatedExpr {
                    from: Some(row.from.date),
                    value,
                    span: row.span,
                });
            }
        }
        out
    }
}
