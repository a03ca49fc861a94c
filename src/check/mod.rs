//! Checking: the AST of a policy and of the policies it extends → [`Program`].
//!
//! Consumes the parsed files of each policy in an `extends` chain (base first, see
//! [`Layer`]); produces the checked [`Program`] (names resolved, types and units known,
//! quantities in base units, revisions applied) and every diagnostic found, errors and
//! warnings, sorted by place. All problems are reported in one run: an item with an
//! error is skipped quietly by everything that uses it, so one mistake gives one error.
//!
//! Stages, one module each: [`merge`] (revisions), `decls` (enums, entities, params),
//! `expr`/`calls`/`blocks` (expressions, types and units), `rules` (lets with their
//! cycles, rules), `testdefs` (test blocks, the bases' ones lowered apart once the
//! revision is free of errors), `lints` (warnings).

mod blocks;
mod calls;
mod consts;
mod decls;
pub mod err;
mod expr;
mod lints;
pub mod merge;
mod names;
mod rules;
mod testdefs;

pub use merge::Layer;
pub use rules::MAX_LET_DEPTH;

use crate::ast;
use crate::diagnostic::{Diag, Severity};
use crate::program::{
    EntityDef, EntityId, EnumDef, EnumId, Expr, FieldId, LetId, Origin, ParamDef, ParamId,
    PolicyInfo, Program, RuleId, Ty,
};
use crate::span::{SourceMap, Span};
use err::{CheckError, CheckWarning};
use std::collections::HashMap;

/// Check a policy given as its `extends` chain, base first (the last layer is the
/// policy itself). The program is `None` when there is any error.
pub fn check(sources: &SourceMap, layers: &[Layer]) -> (Option<Program>, Vec<Diag>) {
    let mut diags = Vec::new();
    let merged = merge::merge(layers, sources, &mut diags);
    let mut c = Checker::new(sources, diags);
    c.declare(&merged);
    c.param_values();
    c.check_lets();
    let rules = c.rules(&merged);
    let tests = c.tests(&merged);
    c.lint_unused();
    let inherited_tests = if c.diags.iter().any(Diag::is_error) {
        Vec::new()
    } else {
        c.inherited_tests(&merged)
    };
    let info = policy_info(layers);
    let Checker {
        diags,
        enums,
        entities,
        lets,
        params,
        ..
    } = c;
    let mut diags = diags;
    sort_diags(&mut diags);
    if diags.iter().any(Diag::is_error) {
        return (None, diags);
    }
    let program = Program {
        info,
        sources: sources.clone(),
        enums,
        entities: entities.into_iter().map(|e| e.def).collect(),
        params,
        lets: lets
            .into_iter()
            .filter_map(rules::LetSlot::into_def)
            .collect(),
        rules,
        tests,
        inherited_tests,
    };
    (Some(program), diags)
}

fn policy_info(layers: &[Layer]) -> PolicyInfo {
    let top = layers.last().and_then(Layer::header);
    let plain = |s: Option<&ast::StrLit>| s.and_then(ast::StrLit::plain);
    PolicyInfo {
        name: top.and_then(|h| h.name.plain()).unwrap_or_default(),
        version: plain(top.and_then(|h| h.version.as_ref())),
        effective: top.and_then(|h| h.effective.as_ref()).map(|d| d.date),
        bases: layers
            .iter()
            .rev()
            .skip(1)
            .map(|l| {
                let h = l.header();
                (l.name(), plain(h.and_then(|h| h.version.as_ref())))
            })
            .collect(),
        span: top.map(|h| h.span).unwrap_or_default(),
    }
}

/// Errors first, then warnings; each by file and position.
fn sort_diags(diags: &mut [Diag]) {
    diags.sort_by_key(|d| {
        let offset = d
            .inner
            .labels()
            .and_then(|mut l| l.next())
            .map(|l| l.offset())
            .unwrap_or(0);
        (d.severity != Severity::Error, d.file, offset)
    });
}

/// Where bare names are looked up.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Scope {
    /// Fields and lets of this entity, then params, then enum variants.
    Entity(EntityId),
    /// Constants only (enum variants); the text says what must be constant.
    Const(&'static str),
}

/// An entity being checked: its definition and name tables.
pub(crate) struct EntityInfo {
    pub def: EntityDef,
    /// `None` marks a field whose type had an error: uses of it are skipped quietly.
    pub fields: HashMap<String, Option<FieldId>>,
    pub lets: HashMap<String, LetId>,
}

/// The checker's state: symbol tables of the merged policy and the diagnostics.
pub(crate) struct Checker<'a> {
    pub sources: &'a SourceMap,
    pub diags: Vec<Diag>,
    pub enums: Vec<EnumDef>,
    pub enum_ids: HashMap<String, EnumId>,
    /// Variant name → every (enum, index) that has it.
    pub variants: HashMap<String, Vec<(EnumId, usize)>>,
    pub entities: Vec<EntityInfo>,
    pub entity_ids: HashMap<String, EntityId>,
    /// Types known; values filled in by `param_values`.
    pub params: Vec<ParamDef>,
    pub param_ids: HashMap<String, ParamId>,
    /// The AST of each param, by id.
    pub param_decls: Vec<&'a ast::ParamDecl>,
    pub used_params: Vec<bool>,
    pub lets: Vec<rules::LetSlot<'a>>,
    pub used_lets: Vec<bool>,
    /// Lets being checked, innermost last (to name a cycle).
    pub let_stack: Vec<LetId>,
    /// Rule name → its id and entity; `None` for a rule with an error.
    pub rule_ids: HashMap<String, Option<(RuleId, EntityId, ast::Family)>>,
}

impl<'a> Checker<'a> {
    fn new(sources: &'a SourceMap, diags: Vec<Diag>) -> Self {
        Checker {
            sources,
            diags,
            enums: Vec::new(),
            enum_ids: HashMap::new(),
            variants: HashMap::new(),
            entities: Vec::new(),
            entity_ids: HashMap::new(),
            params: Vec::new(),
            param_ids: HashMap::new(),
            param_decls: Vec::new(),
            used_params: Vec::new(),
            lets: Vec::new(),
            used_lets: Vec::new(),
            let_stack: Vec::new(),
            rule_ids: HashMap::new(),
        }
    }

    /// The span with a `%` that directly follows it: the parser's spans of percent
    /// literals (and of expressions ending in one) stop before the sign.
    pub(crate) fn with_percent(&self, span: Span) -> Span {
        let rest = self.sources.text(span.file).get(span.end..).unwrap_or("");
        let trimmed = rest.trim_start_matches([' ', '\t']);
        if trimmed.starts_with('%') {
            let end = span.end + (rest.len() - trimmed.len()) + 1;
            return Span::new(span.file, span.start, end);
        }
        span
    }

    pub(crate) fn error(&mut self, span: Span, e: CheckError) {
        self.diags.push(Diag::error(Some(span.file), e));
    }

    pub(crate) fn warning(&mut self, span: Span, w: CheckWarning) {
        self.diags.push(Diag::warning(Some(span.file), w));
    }

    /// A field of an entity: `None` if there is none, `Some(None)` if it is broken.
    pub(crate) fn field_of(&self, e: EntityId, name: &str) -> Option<Option<(FieldId, Ty)>> {
        let info = self.entities.get(e.0)?;
        let fid = (*info.fields.get(name)?)?;
        Some(info.def.field(fid).map(|f| (fid, f.ty.clone())))
    }

    pub(crate) fn let_of(&self, e: EntityId, name: &str) -> Option<LetId> {
        self.entities.get(e.0)?.lets.get(name).copied()
    }

    pub(crate) fn entity_name(&self, e: EntityId) -> String {
        self.entities
            .get(e.0)
            .map(|i| i.def.name.clone())
            .unwrap_or_default()
    }

    /// A type as the user writes it: `money`, `money/area`, `list<text>`, `园区`.
    pub(crate) fn ty_name(&self, ty: &Ty) -> String {
        use crate::program::NumHint;
        match ty {
            Ty::Bool => "bool".into(),
            Ty::Num(d, h) if d.is_none() => match h {
                NumHint::Int => "int".into(),
                NumHint::Number => "number".into(),
                NumHint::Percent => "percent".into(),
            },
            Ty::Num(d, _) => d.type_name(),
            Ty::Date => "date".into(),
            Ty::Text => "text".into(),
            Ty::Enum(e) => self.enum_name(*e),
            Ty::Entity(e) => self.entity_name(*e),
            Ty::List(t) => format!("list<{}>", self.ty_name(t)),
        }
    }

    /// Report unless `e` has a type compatible with `want`; `what` names the place.
    pub(crate) fn expect_ty(&mut self, e: &Expr, want: &Ty, what: &str) -> bool {
        if e.ty.compatible(want) {
            return true;
        }
        let found = self.ty_name(&e.ty);
        let expected = format!("`{}` {what}", self.ty_name(want));
        self.error(
            e.span,
            CheckError::TypeMismatch {
                expected,
                found,
                at: e.span.source_span(),
                help: None,
            },
        );
        false
    }

    /// Where a definition comes from, seen from the top policy.
    pub(crate) fn origin(merged: &merge::Merged<'_>, layer: usize, o: ast::Override) -> Origin {
        merged.origin(layer, o)
    }
}

/// An optional part that may have failed: absent is fine (`Some(None)`), present but
/// failed (`Some(None)` inside) is the error type (`None`).
pub(crate) fn lift<T>(o: Option<Option<T>>) -> Option<Option<T>> {
    match o {
        None => Some(None),
        Some(None) => None,
        Some(Some(x)) => Some(Some(x)),
    }
}
