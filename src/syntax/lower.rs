//! Lowering of declarations: pest pairs → [`crate::ast`] items.
//!
//! Consumes the `file` pair of a parse; produces its items and every lowering error
//! (bad dates, unknown rule families, clauses given twice, expressions too deep). An
//! item with an error is left out; the caller reports the errors.

use super::Rule;
use super::err::SyntaxError;
use crate::ast::{
    DateLit, DatedValue, EntityDecl, EnumDecl, ExceptionDecl, Expect, Expected, Expr, Family,
    FieldDecl, Ident, Item, LetDecl, OutcomeDecl, Override, ParamDecl, ParamValue, PolicyHeader,
    RemoveDecl, RemoveKind, RuleBody, RuleDecl, StrLit, TestDecl, TestRecord, TypeExpr, TypeKind,
};
use crate::span::{FileId, Span};
use pest::iterators::{Pair, Pairs};

/// Where the pairs being lowered come from: their file and the offset of the parsed
/// piece in it.
pub struct Ctx {
    pub file: FileId,
    pub offset: usize,
}

/// Lower a parsed file (or piece of one): its items and the errors found.
pub fn file(mut pairs: Pairs<'_, Rule>, ctx: &Ctx) -> (Vec<Item>, Vec<SyntaxError>) {
    let mut l = Lower {
        ctx,
        errs: Vec::new(),
    };
    let mut items = Vec::new();
    for p in pairs.next().into_iter().flat_map(|f| f.into_inner()) {
        if let Some(item) = l.item(p) {
            items.push(item);
        }
    }
    (items, l.errs)
}

impl Ctx {
    /// The span of a pair, without the whitespace and comments pest lets a rule
    /// that ends in `*` or `?` swallow: it ends where its last token ends.
    pub fn span(&self, p: &Pair<'_, Rule>) -> Span {
        let mut last = p.clone();
        while let Some(child) = last.clone().into_inner().next_back() {
            last = child;
        }
        let start = p.as_span().start();
        let end = last.as_span().end().max(start);
        Span::new(self.file, self.offset + start, self.offset + end)
    }

    pub fn ident(&self, p: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            span: self.span(p),
        }
    }

    pub fn date(&self, p: &Pair<'_, Rule>) -> Result<DateLit, SyntaxError> {
        let text = p.as_str();
        let mut it = text.split('-').map(str::parse::<u32>);
        let date = match (it.next(), it.next(), it.next()) {
            (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) => i32::try_from(y)
                .ok()
                .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, m, d)),
            _ => None,
        };
        let span = self.span(p);
        date.map(|date| DateLit { date, span })
            .ok_or_else(|| SyntaxError::InvalidDate {
                text: text.to_string(),
                span: span.source_span(),
            })
    }
}

struct Lower<'c> {
    ctx: &'c Ctx,
    errs: Vec<SyntaxError>,
}

/// Children of a pair with the given rule.
fn kids<'i>(p: &Pair<'i, Rule>, rule: Rule) -> impl Iterator<Item = Pair<'i, Rule>> {
    p.clone().into_inner().filter(move |c| c.as_rule() == rule)
}

/// An optional part that lowered (`Some(Some(x))`), was absent (`Some(None)`) or
/// failed (`None`).
fn transpose<T>(x: Option<Option<T>>) -> Option<Option<T>> {
    match x {
        None => Some(None),
        Some(v) => v.map(Some),
    }
}

fn kid<'i>(p: &Pair<'i, Rule>, rule: Rule) -> Option<Pair<'i, Rule>> {
    kids(p, rule).next()
}

impl Lower<'_> {
    fn note<T>(&mut self, r: Result<T, SyntaxError>) -> Option<T> {
        r.map_err(|e| self.errs.push(e)).ok()
    }

    fn span(&self, p: &Pair<'_, Rule>) -> Span {
        self.ctx.span(p)
    }

    fn ident(&self, p: &Pair<'_, Rule>, rule: Rule) -> Ident {
        match kid(p, rule) {
            Some(i) => self.ctx.ident(&i),
            None => Ident {
                name: String::new(),
                span: self.span(p),
            },
        }
    }

    fn idents(&self, p: &Pair<'_, Rule>) -> Vec<Ident> {
        kids(p, Rule::ident).map(|i| self.ctx.ident(&i)).collect()
    }

    fn expr(&mut self, p: Option<Pair<'_, Rule>>) -> Option<Expr> {
        let r = self.ctx.expr(p?);
        self.note(r)
    }

    fn string(&mut self, p: Option<Pair<'_, Rule>>) -> Option<StrLit> {
        let r = self.ctx.string(p?);
        self.note(r)
    }

    fn date(&mut self, p: Option<Pair<'_, Rule>>) -> Option<DateLit> {
        let r = self.ctx.date(&p?);
        self.note(r)
    }

    fn overrides(&self, p: &Pair<'_, Rule>) -> Override {
        match kid(p, Rule::kw_override) {
            Some(k) => Override::Yes(self.span(&k)),
            None => Override::No,
        }
    }

    fn item(&mut self, p: Pair<'_, Rule>) -> Option<Item> {
        match p.as_rule() {
            Rule::policy_header => self.policy(p).map(Item::Policy),
            Rule::enum_decl => Some(Item::Enum(self.enum_decl(p))),
            Rule::entity_decl => self.entity(p).map(Item::Entity),
            Rule::param_decl => self.param(p).map(Item::Param),
            Rule::let_decl => self.let_decl(p).map(Item::Let),
            Rule::rule_decl => self.rule(p).map(Item::Rule),
            Rule::test_decl => self.test(p).map(Item::Test),
            Rule::remove_decl => Some(Item::Remove(self.remove(p))),
            _ => None,
        }
    }

    fn policy(&mut self, p: Pair<'_, Rule>) -> Option<PolicyHeader> {
        let clause = |r| kid(&p, r).and_then(|c| c.into_inner().nth(1));
        let version = transpose(clause(Rule::version_clause).map(|s| self.string(Some(s))));
        let effective = transpose(clause(Rule::effective_clause).map(|d| self.date(Some(d))));
        let extends = transpose(clause(Rule::extends_clause).map(|s| self.string(Some(s))));
        let name = self.string(kid(&p, Rule::string));
        Some(PolicyHeader {
            name: name?,
            version: version?,
            effective: effective?,
            extends: extends?,
            span: self.span(&p),
        })
    }

    fn enum_decl(&mut self, p: Pair<'_, Rule>) -> EnumDecl {
        let mut names = self.idents(&p).into_iter();
        let name = names.next().unwrap_or(Ident {
            name: String::new(),
            span: self.span(&p),
        });
        EnumDecl {
            overrides: self.overrides(&p),
            name,
            variants: names.collect(),
            span: self.span(&p),
        }
    }

    fn entity(&mut self, p: Pair<'_, Rule>) -> Option<EntityDecl> {
        let fields: Vec<FieldDecl> = kids(&p, Rule::field_decl).map(|f| self.field(f)).collect();
        Some(EntityDecl {
            overrides: self.overrides(&p),
            name: self.ident(&p, Rule::ident),
            fields,
            span: self.span(&p),
        })
    }

    fn field(&mut self, p: Pair<'_, Rule>) -> FieldDecl {
        let mut ty = self.type_expr(kid(&p, Rule::type_expr), self.span(&p));
        if kid(&p, Rule::qmark).is_some() {
            ty.optional = true;
        }
        FieldDecl {
            name: self.ident(&p, Rule::ident),
            ty,
            unit: kid(&p, Rule::field_unit)
                .and_then(|u| kid(&u, Rule::unit_path))
                .map(|u| self.ctx.unit(u)),
            key: kid(&p, Rule::kw_key).is_some(),
            span: self.span(&p),
        }
    }

    fn type_expr(&self, p: Option<Pair<'_, Rule>>, at: Span) -> TypeExpr {
        let Some(p) = p else {
            return TypeExpr {
                kind: TypeKind::Named(Ident {
                    name: String::new(),
                    span: at,
                }),
                optional: false,
                span: at,
            };
        };
        let span = self.span(&p);
        let optional = kid(&p, Rule::qmark).is_some();
        let kind = if let Some(list) = kid(&p, Rule::list_type) {
            let inner = self.type_expr(kid(&list, Rule::type_expr), span);
            TypeKind::List(Box::new(inner))
        } else {
            let per = kid(&p, Rule::per_type);
            let mut names = per.map(|q| self.idents(&q)).unwrap_or_default().into_iter();
            let first = names.next().unwrap_or(Ident {
                name: String::new(),
                span,
            });
            let rest: Vec<Ident> = names.collect();
            if rest.is_empty() {
                TypeKind::Named(first)
            } else {
                TypeKind::Per(first, rest)
            }
        };
        TypeExpr {
            kind,
            optional,
            span,
        }
    }

    fn param(&mut self, p: Pair<'_, Rule>) -> Option<ParamDecl> {
        let ty = kid(&p, Rule::type_expr).map(|t| self.type_expr(Some(t), self.span(&p)));
        let value = if let Some(v) = kid(&p, Rule::param_value) {
            ParamValue::Single(self.expr(kid(&v, Rule::expr))?)
        } else {
            let table = kid(&p, Rule::dated_table)?;
            let rows: Vec<Option<DatedValue>> = kids(&table, Rule::dated_row)
                .map(|r| {
                    let from = self.date(kid(&r, Rule::date));
                    let value = self.expr(kid(&r, Rule::expr));
                    Some(DatedValue {
                        from: from?,
                        value: value?,
                        span: self.span(&r),
                    })
                })
                .collect();
            ParamValue::Dated(rows.into_iter().collect::<Option<Vec<_>>>()?)
        };
        Some(ParamDecl {
            overrides: self.overrides(&p),
            name: self.ident(&p, Rule::ident),
            ty,
            value,
            span: self.span(&p),
        })
    }

    fn let_decl(&mut self, p: Pair<'_, Rule>) -> Option<LetDecl> {
        let mut names = self.idents(&p).into_iter();
        let (entity, name) = (names.next()?, names.next()?);
        Some(LetDecl {
            overrides: self.overrides(&p),
            entity,
            name,
            value: self.expr(kid(&p, Rule::expr))?,
            span: self.span(&p),
        })
    }

    fn rule(&mut self, p: Pair<'_, Rule>) -> Option<RuleDecl> {
        let fam = kid(&p, Rule::family)?;
        let family_span = self.span(&fam);
        let family = Family::from_name(fam.as_str());
        if family.is_none() {
            self.errs.push(SyntaxError::UnknownFamily {
                name: fam.as_str().to_string(),
                span: family_span.source_span(),
            });
        }
        let mut names = self.idents(&p).into_iter();
        let (name, entity) = (names.next()?, names.next()?);
        let body = self.body(&p);
        let exceptions: Vec<Option<ExceptionDecl>> = kids(&p, Rule::exception_decl)
            .map(|e| {
                let body = self.body(&e);
                Some(ExceptionDecl {
                    name: self.ident(&e, Rule::ident),
                    body: body?,
                    span: self.span(&e),
                })
            })
            .collect();
        Some(RuleDecl {
            overrides: self.overrides(&p),
            name,
            family: family?,
            family_span,
            entity,
            body: body?,
            exceptions: exceptions.into_iter().collect::<Option<Vec<_>>>()?,
            span: self.span(&p),
        })
    }

    /// The clauses of a rule or exception (not its exceptions).
    fn body(&mut self, p: &Pair<'_, Rule>) -> Option<RuleBody> {
        let mut body = RuleBody {
            cite: None,
            whens: Vec::new(),
            outcome: None,
        };
        let mut ok = true;
        let mut cite_at: Option<Span> = None;
        let mut outcome_at: Option<Span> = None;
        for c in p.clone().into_inner() {
            let span = self.span(&c);
            match c.as_rule() {
                Rule::cite_clause => {
                    self.once(&mut cite_at, span, "cite");
                    body.cite = self.string(kid(&c, Rule::string));
                    ok &= body.cite.is_some();
                }
                Rule::when_clause => match self.expr(kid(&c, Rule::expr)) {
                    Some(e) => body.whens.push(e),
                    None => ok = false,
                },
                Rule::amount_clause | Rule::require_clause => {
                    let name = if c.as_rule() == Rule::amount_clause {
                        "amount"
                    } else {
                        "require"
                    };
                    self.once(&mut outcome_at, span, name);
                    body.outcome = self.outcome(c, span);
                    ok &= body.outcome.is_some();
                }
                _ => {}
            }
        }
        ok.then_some(body)
    }

    /// Record that a clause is given; a second one is an error.
    fn once(&mut self, first: &mut Option<Span>, span: Span, clause: &str) {
        match first {
            Some(f) => self.errs.push(SyntaxError::DuplicateClause {
                clause: clause.to_string(),
                span: span.source_span(),
                first: f.source_span(),
            }),
            None => *first = Some(span),
        }
    }

    fn outcome(&mut self, c: Pair<'_, Rule>, span: Span) -> Option<OutcomeDecl> {
        let value = self.expr(kid(&c, Rule::expr))?;
        if c.as_rule() == Rule::amount_clause {
            return Some(OutcomeDecl::Amount { value, span });
        }
        let message = match kid(&c, Rule::string) {
            Some(s) => Some(self.string(Some(s))?),
            None => None,
        };
        Some(OutcomeDecl::Require {
            cond: value,
            message,
            span,
        })
    }

    fn remove(&mut self, p: Pair<'_, Rule>) -> RemoveDecl {
        let span = self.span(&p);
        let target = p.clone().into_inner().find(|c| {
            matches!(
                c.as_rule(),
                Rule::remove_rule | Rule::remove_param | Rule::remove_let
            )
        });
        let (kind, mut names) = match target {
            Some(t) => {
                let kind = match t.as_rule() {
                    Rule::remove_rule => RemoveKind::Rule,
                    Rule::remove_param => RemoveKind::Param,
                    _ => RemoveKind::Let,
                };
                (kind, self.idents(&t))
            }
            None => (RemoveKind::Rule, Vec::new()),
        };
        let name = names.pop().unwrap_or(Ident {
            name: String::new(),
            span,
        });
        RemoveDecl {
            kind,
            entity: names.pop(),
            name,
            span,
        }
    }

    fn test(&mut self, p: Pair<'_, Rule>) -> Option<TestDecl> {
        let name = self.string(kid(&p, Rule::string));
        let mut as_of = None;
        let mut as_of_at = None;
        let mut records = Vec::new();
        let mut expects = Vec::new();
        let mut ok = true;
        for c in p.clone().into_inner() {
            match c.as_rule() {
                Rule::as_of_clause => {
                    self.once(&mut as_of_at, self.span(&c), "as_of");
                    as_of = self.date(kid(&c, Rule::date));
                    ok &= as_of.is_some();
                }
                Rule::test_record => match self.record(c) {
                    Some(r) => records.push(r),
                    None => ok = false,
                },
                Rule::expect_stmt => match self.expect_stmt(c) {
                    Some(e) => expects.push(e),
                    None => ok = false,
                },
                _ => {}
            }
        }
        ok.then_some(())?;
        Some(TestDecl {
            name: name?,
            as_of,
            records,
            expects,
            span: self.span(&p),
        })
    }

    fn record(&mut self, p: Pair<'_, Rule>) -> Option<TestRecord> {
        let key = self.string(kid(&p, Rule::string));
        let fields: Vec<Option<(Ident, Expr)>> = kids(&p, Rule::record_field)
            .map(|f| {
                let value = self.expr(kid(&f, Rule::expr));
                Some((self.ident(&f, Rule::ident), value?))
            })
            .collect();
        Some(TestRecord {
            entity: self.ident(&p, Rule::ident),
            key: key?,
            fields: fields.into_iter().collect::<Option<Vec<_>>>()?,
            span: self.span(&p),
        })
    }

    fn expect_stmt(&mut self, p: Pair<'_, Rule>) -> Option<Expect> {
        let mut names = self.idents(&p).into_iter();
        let (entity, rule) = (names.next()?, names.next()?);
        let key = self.string(kid(&p, Rule::string));
        let expected = if let Some(v) = kid(&p, Rule::expect_value) {
            Expected::Amount(self.expr(kid(&v, Rule::expr))?)
        } else {
            let s = kid(&p, Rule::expect_status)?;
            Expected::Status(Ident {
                name: s.as_str().to_string(),
                span: self.span(&s),
            })
        };
        Some(Expect {
            entity,
            key: key?,
            rule,
            expected,
            span: self.span(&p),
        })
    }
}
