//! Lets and rules: definitions checked in their entity's scope.
//!
//! Consumes the merged `let` and `rule` declarations; produces [`LetDef`]s and
//! [`RuleDef`]s. Lets are checked on first use, so they may use each other in any
//! order; a let met again while it is being checked is a cycle, reported once with
//! every let on it (`a → b → a`). A rule's family fixes its outcome: `subsidy` and
//! `reward` need `amount` of money, `restriction` and `ratio` need
//! `require … else "…"`; `when` conditions must be bool.

use super::err::{CheckError, CheckWarning, Hint};
use super::merge::Merged;
use super::{Checker, Scope, blocks::collapse};
use crate::ast::{self, Family, OutcomeDecl, StrPart};
use crate::program::{
    Body, EntityId, ExceptionDef, Expr, LetDef, LetId, Message, MessagePart, Origin, OutcomeDef,
    RuleDef, RuleId, Ty, When,
};

/// How deep lets may use lets that use lets…: checking recurses through them, so
/// the depth is bounded to keep the stack bounded, however large the policy.
pub const MAX_LET_DEPTH: usize = 256;

/// Where a let is in being checked.
enum LetState {
    Todo,
    Active,
    /// Checked: its type, or `None` after an error.
    Done(Option<Ty>),
}

/// A let of the merged policy, checked on first use.
pub(crate) struct LetSlot<'a> {
    decl: &'a ast::LetDecl,
    entity: EntityId,
    origin: Origin,
    state: LetState,
    value: Option<Expr>,
}

impl<'a> LetSlot<'a> {
    pub fn new(decl: &'a ast::LetDecl, entity: EntityId, origin: Origin) -> Self {
        LetSlot {
            decl,
            entity,
            origin,
            state: LetState::Todo,
            value: None,
        }
    }

    pub fn into_def(self) -> Option<LetDef> {
        let value = self.value?;
        Some(LetDef {
            entity: self.entity,
            name: self.decl.name.name.clone(),
            ty: value.ty.clone(),
            value,
            origin: self.origin,
            span: self.decl.span,
        })
    }

    pub fn decl(&self) -> &'a ast::LetDecl {
        self.decl
    }
}

impl Checker<'_> {
    /// The type of a let used in an expression (marks it used).
    pub(super) fn let_ty(&mut self, id: LetId) -> Option<Ty> {
        if let Some(u) = self.used_lets.get_mut(id.0) {
            *u = true;
        }
        self.ensure_let(id)
    }

    fn ensure_let(&mut self, id: LetId) -> Option<Ty> {
        if self.let_stack.len() >= MAX_LET_DEPTH
            && let Some(slot) = self.lets.get_mut(id.0)
            && matches!(slot.state, LetState::Todo)
        {
            slot.state = LetState::Done(None);
            let at = slot.decl.name.span;
            let e = CheckError::LetTooDeep {
                limit: MAX_LET_DEPTH,
                at: at.source_span(),
            };
            self.error(at, e);
            return None;
        }
        let slot = self.lets.get_mut(id.0)?;
        match &slot.state {
            LetState::Done(t) => return t.clone(),
            LetState::Active => {
                self.cycle(id);
                return None;
            }
            LetState::Todo => slot.state = LetState::Active,
        }
        let (decl, entity) = (slot.decl, slot.entity);
        self.let_stack.push(id);
        let value = self.expr(Scope::Entity(entity), &decl.value, None);
        self.let_stack.pop();
        let ty = value.as_ref().map(|v| v.ty.clone());
        if let Some(slot) = self.lets.get_mut(id.0) {
            slot.state = LetState::Done(ty.clone());
            slot.value = value;
        }
        ty
    }

    fn cycle(&mut self, id: LetId) {
        let pos = self.let_stack.iter().position(|x| *x == id).unwrap_or(0);
        let mut names: Vec<String> = Vec::new();
        for l in self.let_stack.iter().skip(pos).chain(std::iter::once(&id)) {
            if let Some(s) = self.lets.get(l.0) {
                names.push(s.decl.name.name.clone());
            }
        }
        let Some(at) = self.lets.get(id.0).map(|s| s.decl.name.span) else {
            return;
        };
        self.error(
            at,
            CheckError::LetCycle {
                cycle: names.join(" → "),
                at: at.source_span(),
            },
        );
    }

    /// Check every let, used or not.
    pub(super) fn check_lets(&mut self) {
        for i in 0..self.lets.len() {
            self.ensure_let(LetId(i));
        }
    }

    /// Check every rule in force, in declaration order.
    pub(super) fn rules(&mut self, m: &Merged<'_>) -> Vec<RuleDef> {
        let mut out = Vec::new();
        for def in m.rules.values() {
            let origin = Self::origin(m, def.layer, def.decl.overrides);
            let rule = self.rule(def.decl, origin);
            let id = rule
                .as_ref()
                .map(|r| (RuleId(out.len()), r.entity, r.family));
            self.rule_ids.insert(def.decl.name.name.clone(), id);
            out.extend(rule);
        }
        out
    }

    fn rule(&mut self, d: &ast::RuleDecl, origin: Origin) -> Option<RuleDef> {
        let Some(entity) = self.entity_ids.get(&d.entity.name).copied() else {
            self.unknown_entity(&d.entity);
            return None;
        };
        let sc = Scope::Entity(entity);
        let body = self.body(sc, d.family, &d.body, &d.name, "rule");
        let mut exceptions = Vec::new();
        let mut ok = true;
        for (i, ex) in d.exceptions.iter().enumerate() {
            if let Some(first) = d
                .exceptions
                .iter()
                .take(i)
                .find(|e| e.name.name == ex.name.name)
            {
                let help = Hint::FirstDefinedAt(self.sources.location(first.span));
                self.error(
                    ex.name.span,
                    CheckError::DuplicateDefinition {
                        kind: "exception".into(),
                        name: ex.name.name.clone(),
                        at: ex.name.span.source_span(),
                        help,
                    },
                );
                ok = false;
            }
            match self.body(sc, d.family, &ex.body, &ex.name, "exception") {
                Some(b) => exceptions.push(ExceptionDef {
                    name: ex.name.name.clone(),
                    body: b,
                    span: ex.span,
                }),
                None => ok = false,
            }
        }
        let body = body?;
        ok.then(|| RuleDef {
            name: d.name.name.clone(),
            family: d.family,
            entity,
            body,
            exceptions,
            origin,
            span: d.span,
        })
    }

    fn body(
        &mut self,
        sc: Scope,
        family: Family,
        b: &ast::RuleBody,
        owner: &ast::Ident,
        what: &str,
    ) -> Option<Body> {
        if b.cite.is_none() {
            self.warning(
                owner.span,
                CheckWarning::MissingCite {
                    what: what.to_string(),
                    name: owner.name.clone(),
                    at: owner.span.source_span(),
                },
            );
        }
        let cite = b.cite.as_ref().map(|c| self.plain(c));
        let whens: Vec<Option<When>> = b.whens.iter().map(|w| self.when(sc, w)).collect();
        let outcome = self.outcome(sc, family, b.outcome.as_ref(), owner);
        let whens = whens.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Body {
            cite: super::lift(cite)?,
            whens,
            outcome: outcome?,
        })
    }

    /// A string that may not interpolate (cites, names, keys).
    pub(super) fn plain(&mut self, s: &ast::StrLit) -> Option<String> {
        let text = s.plain();
        if text.is_none() {
            self.error(
                s.span,
                CheckError::InterpolationNotAllowed {
                    at: s.span.source_span(),
                },
            );
        }
        text
    }

    fn when(&mut self, sc: Scope, w: &ast::Expr) -> Option<When> {
        let cond = self.expr(sc, w, None)?;
        if !self.expect_ty(&cond, &Ty::Bool, "after `when`") {
            return None;
        }
        Some(When {
            cond,
            text: collapse(self.sources.snippet(self.with_percent(w.span))),
        })
    }

    fn outcome(
        &mut self,
        sc: Scope,
        family: Family,
        o: Option<&OutcomeDecl>,
        owner: &ast::Ident,
    ) -> Option<OutcomeDef> {
        let fam = family.name().to_string();
        match (family.is_amount(), o) {
            (amount, None) => {
                let needed = if amount {
                    "amount …"
                } else {
                    "require … else \"…\""
                };
                self.error(
                    owner.span,
                    CheckError::MissingOutcome {
                        rule: owner.name.clone(),
                        at: owner.span.source_span(),
                        needed: needed.to_string(),
                    },
                );
                None
            }
            (true, Some(OutcomeDecl::Amount { value, .. })) => {
                let x = self.expr(sc, value, Some(&Ty::MONEY))?;
                if !x.ty.compatible(&Ty::MONEY) {
                    let found = self.ty_name(&x.ty);
                    let at = x.span.source_span();
                    self.error(
                        x.span,
                        CheckError::AmountNotMoney {
                            family: fam,
                            found,
                            at,
                        },
                    );
                    return None;
                }
                Some(OutcomeDef::Amount(x))
            }
            (
                false,
                Some(OutcomeDecl::Require {
                    cond,
                    message,
                    span,
                }),
            ) => {
                let c = self.expr(sc, cond, None);
                let m = match message {
                    Some(m) => self.message(sc, m),
                    None => {
                        let at = span.source_span();
                        self.error(*span, CheckError::MissingElseMessage { at });
                        None
                    }
                };
                let c = c?;
                let ok = self.expect_ty(&c, &Ty::Bool, "after `require`");
                let message = Some(m?);
                ok.then_some(OutcomeDef::Require { cond: c, message })
            }
            (true, Some(OutcomeDecl::Require { cond, span, .. })) => {
                self.expr(sc, cond, None);
                let help = Hint::AmountFamily {
                    family: fam.clone(),
                };
                self.wrong_outcome(fam, "require", *span, help)
            }
            (false, Some(OutcomeDecl::Amount { value, span })) => {
                self.expr(sc, value, None);
                let help = Hint::CheckFamily {
                    family: fam.clone(),
                };
                self.wrong_outcome(fam, "amount", *span, help)
            }
        }
    }

    fn wrong_outcome(
        &mut self,
        family: String,
        written: &str,
        span: crate::span::Span,
        help: Hint,
    ) -> Option<OutcomeDef> {
        self.error(
            span,
            CheckError::WrongOutcome {
                family,
                written: written.to_string(),
                at: span.source_span(),
                help,
            },
        );
        None
    }

    fn message(&mut self, sc: Scope, m: &ast::StrLit) -> Option<Message> {
        let mut parts = Vec::new();
        let mut ok = true;
        for p in &m.parts {
            match p {
                StrPart::Text(t) => parts.push(MessagePart::Text(t.clone())),
                StrPart::Expr(e) => match self.expr(sc, e, None) {
                    Some(x) => parts.push(MessagePart::Expr(x)),
                    None => ok = false,
                },
            }
        }
        ok.then_some(Message {
            parts,
            span: m.span,
        })
    }
}
