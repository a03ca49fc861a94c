//! Block expressions: `match`, `tier` and `brackets`.
//!
//! Consumes their AST; produces the IR with every arm or row typed. A `match` must
//! name only variants of its scrutinee's enum, each once, and cover them all or have
//! `else`; a `tier` compares its subject with each row's threshold and needs `else`;
//! `brackets` bounds share the subject's dimension, and the result is the subject
//! times the rates. Row texts (`>= 90%`) are kept as written for explanations.

use super::err::CheckError;
use super::names::suggest;
use super::{Checker, Scope};
use crate::ast::{self, BinaryOp};
use crate::program::{BracketRowDef, EnumId, Expr, ExprKind, MatchArmDef, NumHint, TierRowDef, Ty};
use crate::span::Span;

/// Source text with every run of whitespace collapsed to one space.
pub(super) fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Checker<'_> {
    /// The source from `start` to the end of `end`, whitespace collapsed.
    pub(super) fn text_between(&self, start: Span, end: Span) -> String {
        collapse(self.sources.snippet(start.to(end)))
    }

    /// Check alternatives (arms, rows, `else`) against the first one's type.
    fn alternative(
        &mut self,
        sc: Scope,
        e: &ast::Expr,
        want: Option<&Ty>,
        first: &mut Option<Ty>,
    ) -> Option<Expr> {
        let w = first.clone().or_else(|| want.cloned());
        let x = self.expr(sc, e, w.as_ref())?;
        match first {
            None => *first = Some(x.ty.clone()),
            Some(t) => *t = self.join(&t.clone(), &x, "like the first arm")?,
        }
        Some(x)
    }

    pub(super) fn match_expr(
        &mut self,
        sc: Scope,
        m: &ast::Match,
        want: Option<&Ty>,
        span: Span,
    ) -> Option<Expr> {
        let scr = self.expr(sc, &m.scrutinee, None);
        let enum_id = match &scr {
            Some(Expr {
                ty: Ty::Enum(e), ..
            }) => Some(*e),
            Some(x) => {
                let found = self.ty_name(&x.ty);
                self.error(
                    x.span,
                    CheckError::MatchOnNonEnum {
                        found,
                        at: x.span.source_span(),
                    },
                );
                None
            }
            None => None,
        };
        let n = enum_id
            .and_then(|e| self.enums.get(e.0))
            .map_or(0, |d| d.variants.len());
        let mut seen = vec![false; n];
        let mut first: Option<Ty> = None;
        let mut arms = Vec::new();
        let mut ok = true;
        for arm in &m.arms {
            let variants = enum_id.and_then(|e| self.arm_variants(e, arm, &mut seen));
            let value = self.alternative(sc, &arm.value, want, &mut first);
            match (variants, value) {
                (Some(variants), Some(value)) => arms.push(MatchArmDef {
                    variants,
                    value,
                    span: arm.span,
                }),
                _ => ok = false,
            }
        }
        let otherwise = m
            .otherwise
            .as_ref()
            .map(|o| self.alternative(sc, o, want, &mut first).map(Box::new));
        if let Some(e) = enum_id
            && otherwise.is_none()
        {
            self.exhaustive(e, &seen, span.to(m.scrutinee.span));
        }
        let otherwise = super::lift(otherwise);
        let (scr, otherwise, ty) = (scr?, otherwise?, first?);
        ok.then(|| Expr {
            kind: ExprKind::Match {
                scrutinee: Box::new(scr),
                arms,
                otherwise,
            },
            ty,
            span,
        })
    }

    fn arm_variants(
        &mut self,
        e: EnumId,
        arm: &ast::MatchArm,
        seen: &mut [bool],
    ) -> Option<Vec<usize>> {
        let def = self.enums.get(e.0)?.clone();
        let mut out = Vec::new();
        let mut ok = true;
        for v in &arm.variants {
            let Some(i) = def.variants.iter().position(|x| *x == v.name) else {
                let help = suggest(&v.name, def.variants.iter().map(String::as_str));
                self.error(
                    v.span,
                    CheckError::UnknownVariant {
                        name: v.name.clone(),
                        enum_name: def.name.clone(),
                        at: v.span.source_span(),
                        help,
                    },
                );
                ok = false;
                continue;
            };
            match seen.get_mut(i) {
                Some(s) if *s => {
                    self.error(
                        v.span,
                        CheckError::DuplicateMatchArm {
                            variant: v.name.clone(),
                            at: v.span.source_span(),
                        },
                    );
                    ok = false;
                }
                Some(s) => *s = true,
                None => {}
            }
            out.push(i);
        }
        ok.then_some(out)
    }

    fn exhaustive(&mut self, e: EnumId, seen: &[bool], at: Span) {
        let Some(def) = self.enums.get(e.0) else {
            return;
        };
        let missing: Vec<String> = def
            .variants
            .iter()
            .zip(seen)
            .filter(|(_, s)| !**s)
            .map(|(v, _)| format!("`{v}`"))
            .collect();
        if missing.is_empty() {
            return;
        }
        let enum_name = def.name.clone();
        self.error(
            at,
            CheckError::NonExhaustiveMatch {
                missing: missing.join(", "),
                enum_name,
                at: at.source_span(),
            },
        );
    }

    pub(super) fn tier(
        &mut self,
        sc: Scope,
        t: &ast::Tier,
        want: Option<&Ty>,
        span: Span,
    ) -> Option<Expr> {
        let subject = self.expr(sc, &t.subject, None);
        let head = span.to(t.subject.span);
        let mut first: Option<Ty> = None;
        let mut rows = Vec::new();
        let mut ok = true;
        for row in &t.rows {
            match self.tier_row(sc, subject.as_ref(), row, want, &mut first) {
                Some(r) => rows.push(r),
                None => ok = false,
            }
        }
        let otherwise = match &t.otherwise {
            Some(o) => self.alternative(sc, o, want, &mut first),
            None => {
                self.error(
                    head,
                    CheckError::TierWithoutElse {
                        at: head.source_span(),
                    },
                );
                None
            }
        };
        let (subject, otherwise, ty) = (subject?, otherwise?, first?);
        if !ok {
            return None;
        }
        self.lint_tier(&rows);
        Some(Expr {
            kind: ExprKind::Tier {
                subject: Box::new(subject),
                rows,
                otherwise: Box::new(otherwise),
            },
            ty,
            span,
        })
    }

    fn tier_row(
        &mut self,
        sc: Scope,
        subject: Option<&Expr>,
        row: &ast::TierRow,
        want: Option<&Ty>,
        first: &mut Option<Ty>,
    ) -> Option<TierRowDef> {
        use BinaryOp::*;
        let op_ok = matches!(row.op, Ge | Gt | Le | Lt | Eq | Ne);
        if !op_ok {
            self.error(
                row.span,
                CheckError::InvalidTierOp {
                    op: row.op.symbol().to_string(),
                    at: row.span.source_span(),
                },
            );
        }
        let threshold = self.expr(sc, &row.threshold, subject.map(|s| &s.ty));
        let value = self.alternative(sc, &row.value, want, first);
        let (threshold, value) = (threshold?, value?);
        if let Some(s) = subject {
            let ordered = !matches!(row.op, Eq | Ne);
            if ordered && !matches!(s.ty, Ty::Num(..) | Ty::Date) {
                let found = self.ty_name(&s.ty);
                self.error(
                    s.span,
                    CheckError::TypeMismatch {
                        expected: "a number, quantity or date to compare in `tier`".into(),
                        found,
                        at: s.span.source_span(),
                        help: None,
                    },
                );
                return None;
            }
            if !self.expect_ty(&threshold, &s.ty, "like the tier's subject") {
                return None;
            }
        }
        let text = self.text_between(row.span, row.threshold.span);
        (op_ok && subject.is_some()).then_some(TierRowDef {
            op: row.op,
            threshold,
            value,
            text,
            span: row.span,
        })
    }

    pub(super) fn brackets(&mut self, sc: Scope, b: &ast::Brackets, span: Span) -> Option<Expr> {
        let subject = self.expr(sc, &b.subject, None);
        if let Some(s) = &subject
            && !matches!(s.ty, Ty::Num(..))
        {
            let found = self.ty_name(&s.ty);
            self.error(
                s.span,
                CheckError::TypeMismatch {
                    expected: "a number or quantity for `brackets`".into(),
                    found,
                    at: s.span.source_span(),
                    help: None,
                },
            );
            return None;
        }
        let mut rate_ty: Option<Ty> = None;
        let mut rows = Vec::new();
        let mut ok = true;
        for row in &b.rows {
            let up_to = self.expr(sc, &row.up_to, None);
            let up_ok = match (&up_to, &subject) {
                (Some(u), Some(s)) => self.expect_ty(u, &s.ty, "like the subject of `brackets`"),
                _ => false,
            };
            let rate = self.alternative(sc, &row.rate, None, &mut rate_ty);
            match (up_to, rate) {
                (Some(up_to), Some(rate)) if up_ok => rows.push(BracketRowDef {
                    text: self.text_between(row.span, row.up_to.span),
                    up_to,
                    rate,
                    span: row.span,
                }),
                _ => ok = false,
            }
        }
        let above = b
            .above
            .as_ref()
            .map(|a| self.alternative(sc, a, None, &mut rate_ty).map(Box::new));
        let (subject, above) = (subject?, super::lift(above)?);
        let ty = self.brackets_ty(&subject.ty, rate_ty.as_ref()?, span)?;
        ok.then(|| Expr {
            kind: ExprKind::Brackets {
                subject: Box::new(subject),
                rows,
                above,
            },
            ty,
            span,
        })
    }

    /// Subject times rate: `money × percent` is money.
    fn brackets_ty(&mut self, subject: &Ty, rate: &Ty, span: Span) -> Option<Ty> {
        let (Ty::Num(sd, sh), Ty::Num(rd, rh)) = (subject, rate) else {
            let found = self.ty_name(rate);
            self.error(
                span,
                CheckError::TypeMismatch {
                    expected: "a number or rate in `brackets`".into(),
                    found,
                    at: span.source_span(),
                    help: None,
                },
            );
            return None;
        };
        let dim = sd.times(*rd)?;
        let hint = if dim.is_none() {
            super::expr::merge_hint(*sh, *rh)
        } else {
            NumHint::Number
        };
        Some(Ty::Num(dim, hint))
    }
}
