//! Lowering of the block expressions `match`, `tier` and `brackets`.
//!
//! Consumes their pest pairs (a subject, rows, an optional final `else`/`above` row);
//! produces [`Match`], [`Tier`] and [`Brackets`] nodes with their tree height, as
//! [`super::expr`] does for every other expression.

use super::Rule;
use super::expr::{Lowered, infix_op};
use super::lower::Ctx;
use crate::ast::{BinaryOp, BracketRow, Brackets, Expr, ExprKind, Match, MatchArm, Tier, TierRow};
use crate::span::Span;
use pest::iterators::Pair;

/// The parts every block shares, lowered: subject, row pairs, final row's value.
struct Parts<'i> {
    span: Span,
    subject: Box<Expr>,
    rows: Vec<Pair<'i, Rule>>,
    last: Option<Box<Expr>>,
    height: usize,
}

impl Ctx {
    fn parts<'i>(
        &self,
        p: Pair<'i, Rule>,
        row: Rule,
        last: Rule,
    ) -> Result<Parts<'i>, super::SyntaxError> {
        let span = self.span(&p);
        let mut subject = None;
        let mut rows = Vec::new();
        let mut last_value = None;
        let mut height = 0;
        for c in p.into_inner() {
            if c.as_rule() == Rule::expr {
                let (e, h) = self.expr_h(c)?;
                height = height.max(h);
                subject = Some(Box::new(e));
            } else if c.as_rule() == row {
                rows.push(c);
            } else if c.as_rule() == last {
                let (mut values, h) = self.exprs(c)?;
                height = height.max(h);
                last_value = values.pop().map(Box::new);
            }
        }
        let subject = subject.ok_or_else(|| self.too_deep(span))?;
        Ok(Parts {
            span,
            subject,
            rows,
            last: last_value,
            height,
        })
    }

    /// The expressions of a row and their height; at least `n` of them.
    fn row_values(
        &self,
        row: Pair<'_, Rule>,
        n: usize,
    ) -> Result<(Vec<Expr>, usize, Span), super::SyntaxError> {
        let span = self.span(&row);
        let (values, h) = self.exprs(row)?;
        if values.len() < n {
            return Err(self.too_deep(span));
        }
        Ok((values, h, span))
    }

    pub(super) fn match_expr(&self, p: Pair<'_, Rule>) -> Lowered {
        let parts = self.parts(p, Rule::match_arm, Rule::match_else)?;
        let mut h = parts.height;
        let mut arms = Vec::new();
        for row in parts.rows {
            let variants = row
                .clone()
                .into_inner()
                .filter(|a| a.as_rule() == Rule::ident)
                .map(|a| self.ident(&a))
                .collect();
            let (mut values, vh, span) = self.row_values(row, 1)?;
            h = h.max(vh);
            let value = values.pop().ok_or_else(|| self.too_deep(span))?;
            arms.push(MatchArm {
                variants,
                value,
                span,
            });
        }
        let m = Match {
            scrutinee: parts.subject,
            arms,
            otherwise: parts.last,
        };
        self.node(ExprKind::Match(m), parts.span, h + 1)
    }

    pub(super) fn tier(&self, p: Pair<'_, Rule>) -> Lowered {
        let parts = self.parts(p, Rule::tier_row, Rule::tier_else)?;
        let mut h = parts.height;
        let mut rows = Vec::new();
        for row in parts.rows {
            let op = row
                .clone()
                .into_inner()
                .find(|x| x.as_rule() == Rule::tier_op)
                .and_then(|t| t.into_inner().next())
                .map_or(BinaryOp::Ge, |o| infix_op(o.as_rule()));
            let (values, vh, span) = self.row_values(row, 2)?;
            h = h.max(vh);
            let mut values = values.into_iter();
            let (Some(threshold), Some(value)) = (values.next(), values.next()) else {
                return Err(self.too_deep(span));
            };
            rows.push(TierRow {
                op,
                threshold,
                value,
                span,
            });
        }
        let t = Tier {
            subject: parts.subject,
            rows,
            otherwise: parts.last,
        };
        self.node(ExprKind::Tier(t), parts.span, h + 1)
    }

    pub(super) fn brackets(&self, p: Pair<'_, Rule>) -> Lowered {
        let parts = self.parts(p, Rule::bracket_row, Rule::bracket_above)?;
        let mut h = parts.height;
        let mut rows = Vec::new();
        for row in parts.rows {
            let (values, vh, span) = self.row_values(row, 2)?;
            h = h.max(vh);
            let mut values = values.into_iter();
            let (Some(up_to), Some(rate)) = (values.next(), values.next()) else {
                return Err(self.too_deep(span));
            };
            rows.push(BracketRow { up_to, rate, span });
        }
        let b = Brackets {
            subject: parts.subject,
            rows,
            above: parts.last,
        };
        self.node(ExprKind::Brackets(b), parts.span, h + 1)
    }
}
