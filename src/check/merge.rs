//! Revisions: the layers of an `extends` chain → one table of definitions.
//!
//! Consumes the parsed files of each policy in the chain, base first; produces
//! [`Merged`]: every enum, entity, param, let and rule in force, in declaration order
//! (an override keeps its base's place, a removal drops it), each with the layer
//! that wrote it; and the tests, the top policy's apart from its bases'. Reports
//! redefinitions without `override`, overrides and removals of names that do not
//! exist, and duplicate definitions inside one policy.

use super::err::{CheckError, Hint};
use super::names::suggest;
use crate::ast::{self, Item, Override, RemoveKind};
use crate::diagnostic::Diag;
use crate::program::Origin;
use crate::span::{SourceMap, Span};
use indexmap::IndexMap;
use indexmap::map::Entry;

/// One policy of the chain: a file, or all files of a folder.
#[derive(Clone, Debug, Default)]
pub struct Layer {
    pub files: Vec<ast::File>,
}

impl Layer {
    /// The layer's `policy` header (the first one, if several were written).
    pub fn header(&self) -> Option<&ast::PolicyHeader> {
        self.files
            .iter()
            .flat_map(|f| &f.items)
            .find_map(|i| match i {
                Item::Policy(h) => Some(h),
                _ => None,
            })
    }

    /// The policy's name, for `Origin::Inherited`.
    pub fn name(&self) -> String {
        self.header()
            .and_then(|h| h.name.plain())
            .unwrap_or_default()
    }
}

/// A definition in force and the layer (index into the chain) that wrote it.
pub struct Def<'a, T> {
    pub decl: &'a T,
    pub layer: usize,
    /// For an `override param` without a type: the type of the param it replaces.
    pub inherited_ty: Option<&'a ast::TypeExpr>,
}

/// Every definition in force after applying the chain, in declaration order.
#[derive(Default)]
pub struct Merged<'a> {
    pub enums: IndexMap<String, Def<'a, ast::EnumDecl>>,
    pub entities: IndexMap<String, Def<'a, ast::EntityDecl>>,
    pub params: IndexMap<String, Def<'a, ast::ParamDecl>>,
    pub lets: IndexMap<(String, String), Def<'a, ast::LetDecl>>,
    pub rules: IndexMap<String, Def<'a, ast::RuleDecl>>,
    /// Tests of the top policy.
    pub tests: Vec<&'a ast::TestDecl>,
    /// Tests of the bases, base first, each with its layer (index into the chain):
    /// checked apart, as inherited tests of the revision.
    pub base_tests: Vec<(&'a ast::TestDecl, usize)>,
    /// Names of the layers, base first.
    pub layer_names: Vec<String>,
}

impl Merged<'_> {
    /// Where a definition written in `layer` comes from, seen from the top policy.
    pub fn origin(&self, layer: usize, overrides: Override) -> Origin {
        if layer + 1 < self.layer_names.len() {
            Origin::Inherited(self.layer_names.get(layer).cloned().unwrap_or_default())
        } else if overrides.is_override() {
            Origin::Overridden
        } else {
            Origin::Own
        }
    }
}

struct Merger<'a, 's> {
    out: Merged<'a>,
    names: Vec<String>,
    diags: &'s mut Vec<Diag>,
    sources: &'s SourceMap,
    layer: usize,
}

/// What placing a definition needs besides its table.
struct Ctx<'s> {
    layer: usize,
    sources: &'s SourceMap,
    diags: &'s mut Vec<Diag>,
    names: &'s [String],
}

macro_rules! cx {
    ($m:expr) => {
        Ctx {
            layer: $m.layer,
            sources: $m.sources,
            diags: &mut *$m.diags,
            names: &$m.names,
        }
    };
}

/// Apply the layers (base first) and report revision errors.
pub fn merge<'a>(layers: &'a [Layer], sources: &SourceMap, diags: &mut Vec<Diag>) -> Merged<'a> {
    let names: Vec<String> = layers.iter().map(Layer::name).collect();
    let mut m = Merger {
        out: Merged {
            layer_names: names.clone(),
            ..Merged::default()
        },
        names,
        diags,
        sources,
        layer: 0,
    };
    let top = layers.len().saturating_sub(1);
    for (i, layer) in layers.iter().enumerate() {
        m.layer = i;
        for item in layer.files.iter().flat_map(|f| &f.items) {
            m.item(item, i == top);
        }
    }
    m.out
}

/// What `place` needs to know about one definition.
struct Slot<'a> {
    kind: &'static str,
    name: String,
    ident: &'a ast::Ident,
    overrides: Override,
}

impl<'a> Merger<'a, '_> {
    fn item(&mut self, item: &'a Item, top: bool) {
        match item {
            Item::Policy(_) => {}
            Item::Enum(d) => {
                let slot = slot("enum", &d.name, d.overrides);
                let mut cx = cx!(self);
                place(&mut self.out.enums, d.name.name.clone(), d, slot, &mut cx);
            }
            Item::Entity(d) => {
                let slot = slot("entity", &d.name, d.overrides);
                let mut cx = cx!(self);
                place(
                    &mut self.out.entities,
                    d.name.name.clone(),
                    d,
                    slot,
                    &mut cx,
                );
            }
            Item::Param(d) => self.param(d),
            Item::Let(d) => {
                let mut slot = slot("let", &d.name, d.overrides);
                slot.name = format!("{}.{}", d.entity.name, d.name.name);
                let key = (d.entity.name.clone(), d.name.name.clone());
                let mut cx = cx!(self);
                place(&mut self.out.lets, key, d, slot, &mut cx);
            }
            Item::Rule(d) => {
                let slot = slot("rule", &d.name, d.overrides);
                let mut cx = cx!(self);
                place(&mut self.out.rules, d.name.name.clone(), d, slot, &mut cx);
            }
            Item::Test(t) => {
                if top {
                    self.out.tests.push(t);
                } else {
                    self.out.base_tests.push((t, self.layer));
                }
            }
            Item::Remove(r) => self.remove(r),
        }
    }

    fn param(&mut self, d: &'a ast::ParamDecl) {
        let inherited = self
            .out
            .params
            .get(&d.name.name)
            .and_then(|p| p.decl.ty.as_ref().or(p.inherited_ty));
        let slot = slot("param", &d.name, d.overrides);
        let mut cx = cx!(self);
        place(&mut self.out.params, d.name.name.clone(), d, slot, &mut cx);
        if let Some(p) = self.out.params.get_mut(&d.name.name)
            && std::ptr::eq(p.decl, d)
            && d.ty.is_none()
        {
            p.inherited_ty = inherited;
        }
    }

    fn remove(&mut self, r: &'a ast::RemoveDecl) {
        let name = &r.name.name;
        let (kind, removed, candidates): (&str, bool, Vec<String>) = match r.kind {
            RemoveKind::Rule => (
                "rule",
                self.out.rules.shift_remove(name).is_some(),
                self.out.rules.keys().cloned().collect(),
            ),
            RemoveKind::Param => (
                "param",
                self.out.params.shift_remove(name).is_some(),
                self.out.params.keys().cloned().collect(),
            ),
            RemoveKind::Let => {
                let entity = r
                    .entity
                    .as_ref()
                    .map(|e| e.name.clone())
                    .unwrap_or_default();
                let key = (entity.clone(), name.clone());
                (
                    "let",
                    self.out.lets.shift_remove(&key).is_some(),
                    self.out
                        .lets
                        .keys()
                        .filter(|(e, _)| *e == entity)
                        .map(|(_, n)| n.clone())
                        .collect(),
                )
            }
        };
        if !removed {
            let shown = match &r.entity {
                Some(e) => format!("{}.{}", e.name, name),
                None => name.clone(),
            };
            let e = CheckError::RemoveOfMissing {
                kind: kind.to_string(),
                name: shown,
                at: r.name.span.source_span(),
                help: suggest(name, candidates.iter().map(String::as_str)),
            };
            self.diags.push(Diag::error(Some(r.name.span.file), e));
        }
    }
}

fn slot<'a>(kind: &'static str, ident: &'a ast::Ident, overrides: Override) -> Slot<'a> {
    Slot {
        kind,
        name: ident.name.clone(),
        ident,
        overrides,
    }
}

/// Put one definition into its table, applying `override` and reporting misuse.
fn place<'a, K, T>(
    map: &mut IndexMap<K, Def<'a, T>>,
    key: K,
    decl: &'a T,
    slot: Slot<'a>,
    cx: &mut Ctx<'_>,
) where
    K: std::hash::Hash + Eq,
    T: HasSpan,
{
    let at = slot.ident.span;
    let new = Def {
        decl,
        layer: cx.layer,
        inherited_ty: None,
    };
    let entry = map.entry(key);
    let error = match entry {
        Entry::Vacant(v) => {
            let missing = slot
                .overrides
                .is_override()
                .then(|| missing_override(&slot));
            v.insert(new);
            missing
        }
        Entry::Occupied(mut o) => {
            let old = o.get();
            if old.layer == cx.layer {
                Some(duplicate(&slot, old.decl.span(), cx.sources))
            } else if !slot.overrides.is_override() {
                Some(CheckError::RedefinitionWithoutOverride {
                    kind: slot.kind.to_string(),
                    name: slot.name.clone(),
                    base: cx.names.get(old.layer).cloned().unwrap_or_default(),
                    at: at.source_span(),
                    help: Hint::WriteOverride {
                        kind: slot.kind.to_string(),
                        at: cx.sources.location(old.decl.span()),
                    },
                })
            } else {
                o.insert(new);
                None
            }
        }
    };
    if let Some(e) = error {
        cx.diags.push(Diag::error(Some(at.file), e));
    }
}

fn missing_override(slot: &Slot<'_>) -> CheckError {
    CheckError::OverrideOfMissing {
        kind: slot.kind.to_string(),
        name: slot.name.clone(),
        at: slot.ident.span.source_span(),
        help: Some(Hint::RemoveOverride),
    }
}

fn duplicate(slot: &Slot<'_>, first: Span, sources: &SourceMap) -> CheckError {
    CheckError::DuplicateDefinition {
        kind: slot.kind.to_string(),
        name: slot.name.clone(),
        at: slot.ident.span.source_span(),
        help: Hint::FirstDefinedAt(sources.location(first)),
    }
}

/// Declarations that know their span.
pub trait HasSpan {
    fn span(&self) -> Span;
}

macro_rules! has_span {
    ($($t:ty),*) => {$(
        impl HasSpan for $t {
            fn span(&self) -> Span {
                self.span
            }
        }
    )*};
}
has_span!(
    ast::EnumDecl,
    ast::EntityDecl,
    ast::ParamDecl,
    ast::LetDecl,
    ast::RuleDecl
);
