//! Calls: builtin functions and aggregates over referring records.
//!
//! Consumes an AST call; produces [`ExprKind::Builtin`] or [`ExprKind::Aggregate`].
//! `count/sum/min/max/avg(F…)` is an aggregate when the head of its argument is an
//! entity name that is not a field or let of the current scope (or when it has
//! `where`/`via`); then bare names inside resolve in F, and the records aggregated
//! are those of F whose reference field (`via`, or the only one) points at the
//! current record.

use super::err::{CheckError, Hint};
use super::names::suggest;
use super::{Checker, Scope};
use crate::ast;
use crate::program::{AggFunc, Builtin, EntityId, Expr, ExprKind, FieldId, NumHint, Ty};
use crate::span::Span;

fn agg_func(name: &str) -> Option<AggFunc> {
    Some(match name {
        "count" => AggFunc::Count,
        "sum" => AggFunc::Sum,
        "min" => AggFunc::Min,
        "max" => AggFunc::Max,
        "avg" => AggFunc::Avg,
        _ => return None,
    })
}

fn builtin(name: &str) -> Option<Builtin> {
    Some(match name {
        "min" => Builtin::Min,
        "max" => Builtin::Max,
        "abs" => Builtin::Abs,
        "round" => Builtin::Round,
        "floor" => Builtin::Floor,
        "ceil" => Builtin::Ceil,
        "is_set" => Builtin::IsSet,
        "years_between" => Builtin::YearsBetween,
        _ => return None,
    })
}

/// The leftmost name of `F`, `F.x`, `F.x.y`.
fn head(e: &ast::Expr) -> Option<&ast::Ident> {
    match &e.kind {
        ast::ExprKind::Name(id) => Some(id),
        ast::ExprKind::Member(base, _) => head(base),
        ast::ExprKind::Paren(x) => head(x),
        _ => None,
    }
}

/// `F.x.y` without its head: `x.y` (`None` for the bare `F`).
fn strip_head(e: &ast::Expr) -> Option<ast::Expr> {
    match &e.kind {
        ast::ExprKind::Member(base, m) => {
            let kind = match strip_head(base) {
                None => ast::ExprKind::Name(m.clone()),
                Some(b) => ast::ExprKind::Member(Box::new(b), m.clone()),
            };
            Some(ast::Expr { kind, span: e.span })
        }
        ast::ExprKind::Paren(x) => strip_head(x),
        _ => None,
    }
}

impl Checker<'_> {
    pub(super) fn call(&mut self, sc: Scope, c: &ast::Call, span: Span) -> Option<Expr> {
        let name = c.func.name.as_str();
        if let Some(func) = agg_func(name)
            && let Some(of) = self.aggregate_head(sc, c)
        {
            return self.aggregate(sc, func, of, c, span);
        }
        let Some(b) = builtin(name) else {
            self.error(
                c.func.span,
                CheckError::UnknownFunction {
                    name: name.to_string(),
                    at: c.func.span.source_span(),
                },
            );
            return None;
        };
        let args: Vec<Option<Expr>> = c.args.iter().map(|a| self.expr(sc, a, None)).collect();
        let args: Vec<Expr> = args.into_iter().collect::<Option<_>>()?;
        let ty = self.builtin_ty(b, name, &args, span)?;
        Some(Expr {
            kind: ExprKind::Builtin(b, args),
            ty,
            span,
        })
    }

    /// The entity an aggregate runs over, when this call is one.
    fn aggregate_head<'c>(&mut self, sc: Scope, c: &'c ast::Call) -> Option<&'c ast::Ident> {
        let h = c.args.first().and_then(head)?;
        let is_entity = self.entity_ids.contains_key(&h.name);
        let shadowed = match sc {
            Scope::Entity(e) => {
                self.field_of(e, &h.name).is_some() || self.let_of(e, &h.name).is_some()
            }
            Scope::Const(_) => false,
        };
        let forced = c.filter.is_some() || c.via.is_some();
        (is_entity && !shadowed || forced).then_some(h)
    }

    fn arity(&mut self, name: &str, args: &[Expr], range: (usize, usize), span: Span) -> bool {
        let n = args.len();
        if n >= range.0 && n <= range.1 {
            return true;
        }
        let expected = match range {
            (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
            (a, usize::MAX) => format!("at least {a} arguments"),
            (a, b) => format!("{a} or {b} arguments"),
        };
        self.error(
            span,
            CheckError::WrongArgumentCount {
                func: name.to_string(),
                expected,
                found: n,
                at: span.source_span(),
            },
        );
        false
    }

    fn builtin_ty(&mut self, b: Builtin, name: &str, args: &[Expr], span: Span) -> Option<Ty> {
        let range = match b {
            Builtin::Min | Builtin::Max => (2, usize::MAX),
            Builtin::Abs | Builtin::IsSet => (1, 1),
            Builtin::Round | Builtin::Floor | Builtin::Ceil => (1, 2),
            Builtin::YearsBetween => (2, 2),
        };
        if !self.arity(name, args, range, span) {
            return None;
        }
        let first = args.first()?;
        match b {
            Builtin::IsSet => Some(Ty::Bool),
            Builtin::YearsBetween => {
                let what = format!("for `{name}`");
                let ok = args.iter().all(|a| self.expect_ty(a, &Ty::Date, &what));
                ok.then_some(Ty::INT)
            }
            Builtin::Min | Builtin::Max => self.same_type_args(name, args),
            Builtin::Abs | Builtin::Round | Builtin::Floor | Builtin::Ceil => {
                if !matches!(first.ty, Ty::Num(..)) {
                    return self.not_number(name, first);
                }
                if let Some(places) = args.get(1)
                    && !self.expect_ty(places, &Ty::INT, "as the number of decimal places")
                {
                    return None;
                }
                Some(first.ty.clone())
            }
        }
    }

    fn not_number(&mut self, name: &str, x: &Expr) -> Option<Ty> {
        let found = self.ty_name(&x.ty);
        self.error(
            x.span,
            CheckError::TypeMismatch {
                expected: format!("a number or quantity for `{name}`"),
                found,
                at: x.span.source_span(),
                help: None,
            },
        );
        None
    }

    /// `min`/`max`: numbers of one dimension, or dates.
    fn same_type_args(&mut self, name: &str, args: &[Expr]) -> Option<Ty> {
        let first = args.first()?;
        if !matches!(first.ty, Ty::Num(..) | Ty::Date) {
            return self.not_number(name, first);
        }
        let mut ty = first.ty.clone();
        let what = format!("like the first argument of `{name}`");
        for a in args.iter().skip(1) {
            if !self.expect_ty(a, &ty, &what) {
                return None;
            }
            if let (Ty::Num(d, h1), Ty::Num(_, h2)) = (&ty, &a.ty) {
                ty = Ty::Num(*d, super::expr::merge_hint(*h1, *h2));
            }
        }
        Some(ty)
    }

    fn aggregate(
        &mut self,
        sc: Scope,
        func: AggFunc,
        of: &ast::Ident,
        c: &ast::Call,
        span: Span,
    ) -> Option<Expr> {
        let Scope::Entity(cur) = sc else {
            self.error(
                span,
                CheckError::AggregateOutsideEntity {
                    at: span.source_span(),
                },
            );
            return None;
        };
        let Some(child) = self.entity_ids.get(&of.name).copied() else {
            self.unknown_entity(of);
            return None;
        };
        let via = self.via(cur, child, of, c.via.as_ref());
        let inner = Scope::Entity(child);
        let filter = match &c.filter {
            Some(f) => {
                let x = self.expr(inner, f, None);
                Some(x.filter(|x| self.expect_ty(x, &Ty::Bool, "after `where`")))
            }
            None => None,
        };
        let value = self.agg_value(inner, func, of, c, span);
        let (via, value) = (via?, value?);
        let filter = match filter {
            Some(f) => Some(Box::new(f?)),
            None => None,
        };
        let ty = match (&value, func) {
            (None, _) => Ty::INT,
            (Some(v), AggFunc::Avg) => match v.ty {
                Ty::Num(d, NumHint::Percent) => Ty::Num(d, NumHint::Percent),
                Ty::Num(d, _) => Ty::Num(d, NumHint::Number),
                _ => v.ty.clone(),
            },
            (Some(v), _) => v.ty.clone(),
        };
        Some(Expr {
            kind: ExprKind::Aggregate {
                func,
                entity: child,
                via,
                filter,
                value: value.map(Box::new),
            },
            ty,
            span,
        })
    }

    /// The aggregated value on each child record: `None` for `count`.
    fn agg_value(
        &mut self,
        inner: Scope,
        func: AggFunc,
        of: &ast::Ident,
        c: &ast::Call,
        span: Span,
    ) -> Option<Option<Expr>> {
        let name = c.func.name.as_str();
        if c.args.len() != 1 {
            let args: Vec<Expr> = Vec::new();
            self.arity(name, &args, (1, 1), span);
            return None;
        }
        let stripped = c.args.first().and_then(strip_head);
        match (func, stripped) {
            (AggFunc::Count, None) => Some(None),
            (AggFunc::Count, Some(_)) => {
                self.error(
                    span,
                    CheckError::CountWithValue {
                        of: of.name.clone(),
                        at: span.source_span(),
                    },
                );
                None
            }
            (_, None) => {
                self.error(
                    span,
                    CheckError::AggregateNeedsValue {
                        func: name.to_string(),
                        of: of.name.clone(),
                        at: span.source_span(),
                    },
                );
                None
            }
            (_, Some(v)) => {
                let x = self.expr(inner, &v, None)?;
                let ordered = matches!(func, AggFunc::Min | AggFunc::Max) && x.ty == Ty::Date;
                if !matches!(x.ty, Ty::Num(..)) && !ordered {
                    self.not_number(name, &x);
                    return None;
                }
                Some(Some(x))
            }
        }
    }

    /// The reference field of `child` that points at `cur`.
    fn via(
        &mut self,
        cur: EntityId,
        child: EntityId,
        of: &ast::Ident,
        via: Option<&ast::Ident>,
    ) -> Option<FieldId> {
        let refs: Vec<(FieldId, String)> = self
            .entities
            .get(child.0)?
            .def
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.ty == Ty::Entity(cur))
            .map(|(i, f)| (FieldId(i), f.name.clone()))
            .collect();
        let (entity, of_name) = (self.entity_name(cur), of.name.clone());
        if let Some(v) = via {
            if let Some((id, _)) = refs.iter().find(|(_, n)| *n == v.name) {
                return Some(*id);
            }
            let help = suggest(&v.name, refs.iter().map(|(_, n)| n.as_str()));
            self.error(
                v.span,
                CheckError::InvalidVia {
                    field: v.name.clone(),
                    of: of_name,
                    entity,
                    at: v.span.source_span(),
                    help,
                },
            );
            return None;
        }
        match refs.as_slice() {
            [(id, _)] => Some(*id),
            [] => {
                let at = of.span.source_span();
                self.error(
                    of.span,
                    CheckError::NoReference {
                        of: of_name,
                        entity,
                        at,
                    },
                );
                None
            }
            [(_, first), ..] => {
                let names: Vec<String> = refs.iter().map(|(_, n)| format!("`{n}`")).collect();
                self.error(
                    of.span,
                    CheckError::AmbiguousAggregate {
                        help: Hint::SayWhichWithVia {
                            first: first.to_string(),
                        },
                        of: of_name,
                        entity,
                        fields: names.join(", "),
                        at: of.span.source_span(),
                    },
                );
                None
            }
        }
    }
}
