//! Test blocks: `test "…" { as_of …  records …  expect … }` → [`TestDef`].
//!
//! Consumes the top policy's test blocks; produces test records whose field values are
//! constants of each field's type (a reference field holds the referred record's key
//! as text) and expectations naming an existing rule of the record's entity and an
//! outcome. A revision's bases' tests are lowered the same way against the revised
//! program into [`InheritedTest`]s, their problems kept as messages of the test, never
//! as diagnostics of the revision.

use super::consts::fold;
use super::err::{CheckError, Hint};
use super::expr::constant;
use super::merge::Merged;
use super::names::suggest;
use super::{Checker, Scope};
use crate::ast;
use crate::diagnostic::Diag;
use crate::program::{
    EntityId, ExpectDef, ExpectedDef, Expr, FieldId, InheritedTest, Origin, StatusKind, TestDef,
    TestRecordDef, Ty,
};
use crate::value::Value;
use std::collections::HashSet;

/// Can a rule of this family have the expected outcome?
fn possible(family: ast::Family, e: &ExpectedDef) -> bool {
    let amount = family.is_amount();
    match e {
        ExpectedDef::Amount(_) | ExpectedDef::Status(StatusKind::Amount) => amount,
        ExpectedDef::Status(StatusKind::Pass | StatusKind::Violation) => !amount,
        ExpectedDef::Status(StatusKind::NotApplicable | StatusKind::Error) => true,
    }
}

impl Checker<'_> {
    /// Check the top policy's tests.
    pub(super) fn tests(&mut self, m: &Merged<'_>) -> Vec<TestDef> {
        m.tests.iter().filter_map(|t| self.test(t)).collect()
    }

    /// Lower the bases' tests against the revised program. Their diagnostics are taken
    /// off again and use marks restored, so no diagnostic or lint of the revision
    /// changes.
    pub(super) fn inherited_tests(&mut self, m: &Merged<'_>) -> Vec<InheritedTest> {
        let used = (self.used_params.clone(), self.used_lets.clone());
        let out = m
            .base_tests
            .iter()
            .map(|(t, layer)| {
                let base = m.layer_names.get(*layer).cloned().unwrap_or_default();
                self.inherited_test(t, base)
            })
            .collect();
        (self.used_params, self.used_lets) = used;
        out
    }

    /// One base test; its errors become its messages, each once, in order.
    fn inherited_test(&mut self, t: &ast::TestDecl, base: String) -> InheritedTest {
        let mark = self.diags.len();
        let def = self.test(t);
        let found = self.diags.split_off(mark.min(self.diags.len()));
        let mut seen = HashSet::new();
        let errors: Vec<String> = found
            .iter()
            .filter(|d| d.is_error())
            .map(Diag::to_string)
            .filter(|m| seen.insert(m.clone()))
            .collect();
        let test = match def {
            Some(def) if errors.is_empty() => Ok(TestDef {
                origin: Origin::Inherited(base.clone()),
                ..def
            }),
            _ if errors.is_empty() => Err(vec!["the test does not fit the revised policy".into()]),
            _ => Err(errors),
        };
        InheritedTest {
            name: t
                .name
                .plain()
                .unwrap_or_else(|| self.sources.snippet(t.name.span).to_string()),
            base,
            span: t.span,
            test,
        }
    }

    fn test(&mut self, t: &ast::TestDecl) -> Option<TestDef> {
        let name = self.plain(&t.name);
        let mut keys: HashSet<(EntityId, String)> = HashSet::new();
        let mut records = Vec::new();
        let mut ok = true;
        for r in &t.records {
            match self.test_record(r, &mut keys) {
                Some(rec) => records.push(rec),
                None => ok = false,
            }
        }
        let mut expects = Vec::new();
        for x in &t.expects {
            match self.expect_def(x, &keys) {
                Some(e) => expects.push(e),
                None => ok = false,
            }
        }
        let name = name?;
        ok.then(|| TestDef {
            name,
            as_of: t.as_of.as_ref().map(|d| d.date),
            records,
            expects,
            origin: Origin::Own,
            span: t.span,
        })
    }

    fn entity(&mut self, id: &ast::Ident) -> Option<EntityId> {
        let e = self.entity_ids.get(&id.name).copied();
        if e.is_none() {
            self.unknown_entity(id);
        }
        e
    }

    fn test_record(
        &mut self,
        r: &ast::TestRecord,
        keys: &mut HashSet<(EntityId, String)>,
    ) -> Option<TestRecordDef> {
        let entity = self.entity(&r.entity)?;
        let key = self.plain(&r.key)?;
        if !keys.insert((entity, key.clone())) {
            self.error(
                r.key.span,
                CheckError::DuplicateTestRecord {
                    entity: r.entity.name.clone(),
                    key: key.clone(),
                    at: r.key.span.source_span(),
                },
            );
        }
        let mut fields = Vec::new();
        let mut ok = true;
        for (name, value) in &r.fields {
            match self.test_field(entity, name, value) {
                Some(f) => fields.push(f),
                None => ok = false,
            }
        }
        ok.then_some(TestRecordDef {
            entity,
            key,
            fields,
            span: r.span,
        })
    }

    fn test_field(
        &mut self,
        entity: EntityId,
        name: &ast::Ident,
        value: &ast::Expr,
    ) -> Option<(FieldId, Expr)> {
        let Some(found) = self.field_of(entity, &name.name) else {
            self.unknown_member(entity, name);
            return None;
        };
        let (fid, ty) = found?;
        if let Ty::Entity(target) = ty {
            return self.reference_value(target, value).map(|x| (fid, x));
        }
        let x = self.expr(Scope::Const("a test record value"), value, Some(&ty))?;
        self.expect_ty(&x, &ty, "as the field is declared")
            .then_some((fid, x))
    }

    /// A reference field in a test record is given as the referred record's key.
    fn reference_value(&mut self, target: EntityId, value: &ast::Expr) -> Option<Expr> {
        let ty = Ty::Entity(target);
        if let ast::ExprKind::Str(s) = &value.kind {
            let key = self.plain(s)?;
            return Some(constant(Value::Text(key.into()), ty, value.span));
        }
        let written = self.sources.snippet(value.span).to_string();
        let entity = self.entity_name(target);
        self.error(
            value.span,
            CheckError::TypeMismatch {
                expected: format!("the key of a `{entity}` record, as a string"),
                found: written.clone(),
                at: value.span.source_span(),
                help: Some(Hint::KeyInQuotes {
                    written: written.clone(),
                }),
            },
        );
        None
    }

    fn expect_def(
        &mut self,
        x: &ast::Expect,
        keys: &HashSet<(EntityId, String)>,
    ) -> Option<ExpectDef> {
        let entity = self.entity(&x.entity)?;
        let key = self.plain(&x.key)?;
        if !keys.contains(&(entity, key.clone())) {
            self.error(
                x.key.span,
                CheckError::UnknownTestRecord {
                    entity: x.entity.name.clone(),
                    key: key.clone(),
                    at: x.key.span.source_span(),
                },
            );
        }
        let rule = self.expect_rule(entity, &x.rule);
        let expected = self.expected(&x.expected);
        let ((rule, family), expected) = (rule?, expected?);
        if !possible(family, &expected) {
            let shown = match &expected {
                ExpectedDef::Amount(_) => "amount".to_string(),
                ExpectedDef::Status(k) => k.name().to_string(),
            };
            self.error(
                x.span,
                CheckError::ImpossibleExpectation {
                    family: family.name().to_string(),
                    expected: shown,
                    at: x.span.source_span(),
                    rule: x.rule.name.clone(),
                },
            );
            return None;
        }
        Some(ExpectDef {
            entity,
            key,
            rule,
            expected,
            span: x.span,
        })
    }

    fn expect_rule(
        &mut self,
        entity: EntityId,
        id: &ast::Ident,
    ) -> Option<(crate::program::RuleId, ast::Family)> {
        let Some(found) = self.rule_ids.get(&id.name).copied() else {
            let mut cands: Vec<&str> = self.rule_ids.keys().map(String::as_str).collect();
            cands.sort_unstable();
            let help = suggest(&id.name, cands);
            self.error(
                id.span,
                CheckError::UnknownRule {
                    name: id.name.clone(),
                    at: id.span.source_span(),
                    help,
                },
            );
            return None;
        };
        let (rule, rule_entity, family) = found?;
        if rule_entity != entity {
            let (rule_entity, entity) = (self.entity_name(rule_entity), self.entity_name(entity));
            self.error(
                id.span,
                CheckError::ExpectWrongEntity {
                    rule: id.name.clone(),
                    rule_entity,
                    entity,
                    at: id.span.source_span(),
                },
            );
            return None;
        }
        Some((rule, family))
    }

    fn expected(&mut self, e: &ast::Expected) -> Option<ExpectedDef> {
        match e {
            ast::Expected::Status(id) => match StatusKind::from_name(&id.name) {
                Some(k) => Some(ExpectedDef::Status(k)),
                None => {
                    self.error(
                        id.span,
                        CheckError::UnknownStatus {
                            name: id.name.clone(),
                            at: id.span.source_span(),
                        },
                    );
                    None
                }
            },
            ast::Expected::Amount(x) => {
                let v = self.expr(Scope::Const("an expected amount"), x, Some(&Ty::MONEY))?;
                if !self.expect_ty(&v, &Ty::MONEY, "as an expected amount") {
                    return None;
                }
                match fold(&v).and_then(|v| v.as_num()) {
                    Some(d) => Some(ExpectedDef::Amount(d)),
                    None => {
                        self.error(
                            v.span,
                            CheckError::NotConstant {
                                what: "an expected amount".into(),
                                at: v.span.source_span(),
                            },
                        );
                        None
                    }
                }
            }
        }
    }
}
