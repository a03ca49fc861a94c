//! Names: resolving a bare name in its scope, and "did you mean" suggestions.
//!
//! Consumes identifiers as written and the checker's symbol tables; produces typed IR
//! nodes (field, let, param, enum variant) or one `unknown_name` error with the
//! closest visible name. Inside `let E.x` and `rule … for E` a bare name is a field or
//! let of E, then a param, then an enum variant (chosen by the expected enum type when
//! several enums share it).

use super::err::CheckError;
use super::err::Hint;
use super::{Checker, Scope};
use crate::ast;
use crate::program::{EnumId, Expr, ExprKind, Ty};
use crate::value::Value;

/// "did you mean `x`?" for the candidate closest to `name`, if any is close enough.
pub fn suggest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<Hint> {
    let len = name.chars().count();
    let limit = (len / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c == name {
            continue;
        }
        let d = distance(name, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| Hint::DidYouMean(c.to_string()))
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

impl Checker<'_> {
    /// A bare name in an expression.
    pub(super) fn name(&mut self, sc: Scope, id: &ast::Ident, want: Option<&Ty>) -> Option<Expr> {
        let span = id.span;
        if let Scope::Entity(e) = sc {
            if let Some(found) = self.field_of(e, &id.name) {
                let (fid, ty) = found?;
                return Some(Expr {
                    kind: ExprKind::Field(fid),
                    ty,
                    span,
                });
            }
            if let Some(lid) = self.let_of(e, &id.name) {
                let ty = self.let_ty(lid)?;
                return Some(Expr {
                    kind: ExprKind::Let(lid),
                    ty,
                    span,
                });
            }
        }
        if let Some(pid) = self.param_ids.get(id.name.as_str()).copied() {
            if let Some(u) = self.used_params.get_mut(pid.0) {
                *u = true;
            }
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
            let ty = self.params.get(pid.0)?.ty.clone();
            return Some(Expr {
                kind: ExprKind::Param(pid),
                ty,
                span,
            });
        }
        if let Some(expr) = self.variant(id, want) {
            return expr;
        }
        let help = self.suggest_in_scope(sc, &id.name);
        self.error(
            span,
            CheckError::UnknownName {
                name: id.name.clone(),
                at: span.source_span(),
                help,
            },
        );
        None
    }

    /// An enum variant: `None` when no enum has it, `Some(None)` when it was reported.
    fn variant(&mut self, id: &ast::Ident, want: Option<&Ty>) -> Option<Option<Expr>> {
        let cands = self.variants.get(id.name.as_str())?;
        let wanted = match want {
            Some(Ty::Enum(w)) => cands.iter().find(|(e, _)| e == w).copied(),
            _ => None,
        };
        let pick = match (wanted, cands.as_slice()) {
            (Some(p), _) => p,
            (None, [only]) => *only,
            (None, many) => {
                let enums: Vec<String> = many.iter().map(|(e, _)| self.enum_name(*e)).collect();
                self.error(
                    id.span,
                    CheckError::AmbiguousVariant {
                        name: id.name.clone(),
                        enums: enums.join(", "),
                        at: id.span.source_span(),
                    },
                );
                return Some(None);
            }
        };
        Some(Some(Expr {
            kind: ExprKind::Const(Value::Enum(pick.1)),
            ty: Ty::Enum(pick.0),
            span: id.span,
        }))
    }

    /// True when the name would resolve to nothing but an enum variant here.
    pub(super) fn is_bare_variant(&self, sc: Scope, e: &ast::Expr) -> bool {
        let ast::ExprKind::Name(id) = &e.kind else {
            return false;
        };
        if let Scope::Entity(ent) = sc
            && (self.field_of(ent, &id.name).is_some() || self.let_of(ent, &id.name).is_some())
        {
            return false;
        }
        !self.param_ids.contains_key(id.name.as_str())
            && self.variants.contains_key(id.name.as_str())
    }

    pub(super) fn enum_name(&self, e: EnumId) -> String {
        self.enums
            .get(e.0)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }

    fn suggest_in_scope(&self, sc: Scope, name: &str) -> Option<Hint> {
        let mut cands: Vec<&str> = Vec::new();
        if let Scope::Entity(e) = sc
            && let Some(info) = self.entities.get(e.0)
        {
            cands.extend(info.def.fields.iter().map(|f| f.name.as_str()));
            cands.extend(info.lets.keys().map(String::as_str));
        }
        if matches!(sc, Scope::Entity(_)) {
            cands.extend(self.params.iter().map(|p| p.name.as_str()));
        }
        cands.extend(self.variants.keys().map(String::as_str));
        cands.sort_unstable();
        suggest(name, cands)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_chinese_characters() {
        assert_eq!(distance("规划面积", "规划面积"), 0);
        assert_eq!(distance("规划面积", "规化面积"), 1);
        assert_eq!(distance("入驻率", "入住率x"), 2);
    }

    #[test]
    fn suggests_the_closest_name() {
        let s = suggest("规化面积", ["用地面积", "规划面积", "名称"]);
        assert_eq!(
            s.map(|h| h.to_string()).as_deref(),
            Some("did you mean `规划面积`?")
        );
        assert_eq!(suggest("完全不同", ["规划面积"]), None);
    }
}
