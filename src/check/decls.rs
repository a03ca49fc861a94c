//! Declarations: enums, entities with their fields, param types, let names.
//!
//! Consumes the merged definitions; fills the checker's symbol tables with
//! [`EnumDef`]s, [`EntityDef`]s (field types resolved, input units checked, exactly
//! one key) and the declared types of params, and registers every `let` under its
//! entity. Expressions are checked later, when all names are known.

use super::err::{CheckError, Hint};
use super::merge::Merged;
use super::names::suggest;
use super::rules::LetSlot;
use super::{Checker, EntityInfo};
use crate::ast::{self, TypeKind};
use crate::program::{
    EntityDef, EntityId, EnumDef, EnumId, FieldDef, FieldId, InputUnit, LetId, NumHint, ParamDef,
    ParamId, Ty,
};
use crate::units::{self, Dim, UnitError};
use std::collections::HashMap;

const BUILTIN_TYPES: [&str; 9] = [
    "bool", "int", "number", "percent", "money", "area", "duration", "date", "text",
];

fn builtin(name: &str) -> Option<Ty> {
    Some(match name {
        "bool" => Ty::Bool,
        "int" => Ty::INT,
        "number" => Ty::NUMBER,
        "percent" => Ty::PERCENT,
        "money" => Ty::MONEY,
        "area" => Ty::Num(Dim::AREA, NumHint::Number),
        "duration" => Ty::Num(Dim::MONTHS, NumHint::Number),
        "date" => Ty::Date,
        "text" => Ty::Text,
        _ => return None,
    })
}

impl<'a> Checker<'a> {
    /// Fill the symbol tables from the merged definitions.
    pub(super) fn declare(&mut self, m: &Merged<'a>) {
        for def in m.enums.values() {
            self.declare_enum(def.decl);
        }
        for (i, def) in m.entities.values().enumerate() {
            let d = def.decl;
            if let Some(e) = m.enums.get(&d.name.name) {
                let help = Hint::FirstDefinedAt(self.sources.location(e.decl.span));
                self.error(
                    d.name.span,
                    CheckError::DuplicateDefinition {
                        kind: "type".into(),
                        name: d.name.name.clone(),
                        at: d.name.span.source_span(),
                        help,
                    },
                );
            }
            self.entity_ids.insert(d.name.name.clone(), EntityId(i));
            self.entities.push(EntityInfo {
                def: EntityDef {
                    name: d.name.name.clone(),
                    fields: Vec::new(),
                    key: FieldId(0),
                    span: d.span,
                },
                fields: HashMap::new(),
                lets: HashMap::new(),
            });
        }
        for (i, def) in m.entities.values().enumerate() {
            self.declare_fields(EntityId(i), def.decl);
        }
        for def in m.params.values() {
            let ty = def.decl.ty.as_ref().or(def.inherited_ty);
            self.declare_param(def.decl, ty, Self::origin(m, def.layer, def.decl.overrides));
        }
        for def in m.lets.values() {
            self.declare_let(def.decl, Self::origin(m, def.layer, def.decl.overrides));
        }
    }

    fn declare_enum(&mut self, d: &ast::EnumDecl) {
        let id = EnumId(self.enums.len());
        let mut variants: Vec<String> = Vec::new();
        for v in &d.variants {
            if variants.contains(&v.name) {
                self.error(
                    v.span,
                    CheckError::DuplicateVariant {
                        enum_name: d.name.name.clone(),
                        name: v.name.clone(),
                        at: v.span.source_span(),
                    },
                );
                continue;
            }
            self.variants
                .entry(v.name.clone())
                .or_default()
                .push((id, variants.len()));
            variants.push(v.name.clone());
        }
        self.enum_ids.insert(d.name.name.clone(), id);
        self.enums.push(EnumDef {
            name: d.name.name.clone(),
            variants,
            span: d.span,
        });
    }

    fn declare_fields(&mut self, e: EntityId, d: &ast::EntityDecl) {
        let mut fields = Vec::new();
        let mut names: HashMap<String, Option<FieldId>> = HashMap::new();
        let mut keys: Vec<(&ast::Ident, Option<FieldId>)> = Vec::new();
        for f in &d.fields {
            if names.contains_key(&f.name.name) {
                self.error(
                    f.name.span,
                    CheckError::DuplicateField {
                        entity: d.name.name.clone(),
                        name: f.name.name.clone(),
                        at: f.name.span.source_span(),
                    },
                );
                continue;
            }
            let def = self.field(f);
            let id = def.is_some().then_some(FieldId(fields.len()));
            if f.key {
                keys.push((&f.name, id));
            }
            names.insert(f.name.name.clone(), id);
            fields.extend(def);
        }
        let key = self.key(d, &keys);
        if let Some(info) = self.entities.get_mut(e.0) {
            info.def.fields = fields;
            info.def.key = key;
            info.fields = names;
        }
    }

    fn key(&mut self, d: &ast::EntityDecl, keys: &[(&ast::Ident, Option<FieldId>)]) -> FieldId {
        match keys {
            [] => {
                self.error(
                    d.name.span,
                    CheckError::NoKey {
                        entity: d.name.name.clone(),
                        at: d.name.span.source_span(),
                    },
                );
                FieldId(0)
            }
            [(_, id), rest @ ..] => {
                if let Some((second, _)) = rest.first() {
                    let first = keys.first().map(|k| k.0.name.clone()).unwrap_or_default();
                    self.error(
                        second.span,
                        CheckError::TwoKeys {
                            entity: d.name.name.clone(),
                            first,
                            second: second.name.clone(),
                            at: second.span.source_span(),
                        },
                    );
                }
                id.unwrap_or(FieldId(0))
            }
        }
    }

    fn field(&mut self, f: &ast::FieldDecl) -> Option<FieldDef> {
        let ty = self.ty_expr(&f.ty)?;
        let (ty, input) = self.input_unit(f, ty)?;
        Some(FieldDef {
            name: f.name.name.clone(),
            ty,
            input,
            optional: f.ty.optional,
            span: f.span,
        })
    }

    /// Resolve a written type; reports and returns `None` on an unknown name.
    pub(super) fn ty_expr(&mut self, t: &ast::TypeExpr) -> Option<Ty> {
        match &t.kind {
            TypeKind::Named(id) => {
                if let Some(ty) = builtin(&id.name) {
                    return Some(ty);
                }
                if let Some(e) = self.enum_ids.get(&id.name) {
                    return Some(Ty::Enum(*e));
                }
                if let Some(e) = self.entity_ids.get(&id.name) {
                    return Some(Ty::Entity(*e));
                }
                self.unknown_type(id, None);
                None
            }
            TypeKind::Per(num, dens) => {
                let mut dim = self.quantity_dim(num)?;
                for d in dens {
                    let den = self.quantity_dim(d)?;
                    dim = dim.per(den)?;
                }
                Some(Ty::Num(dim, NumHint::Number))
            }
            TypeKind::List(inner) => Some(Ty::List(Box::new(self.ty_expr(inner)?))),
        }
    }

    fn quantity_dim(&mut self, id: &ast::Ident) -> Option<Dim> {
        match builtin(&id.name) {
            Some(Ty::Num(d, _)) if !d.is_none() => Some(d),
            _ => {
                self.unknown_type(id, Some(Hint::QuantityPer));
                None
            }
        }
    }

    fn unknown_type(&mut self, id: &ast::Ident, help: Option<Hint>) {
        let help = help.or_else(|| {
            let mut cands: Vec<&str> = BUILTIN_TYPES.to_vec();
            cands.extend(self.enum_ids.keys().map(String::as_str));
            cands.extend(self.entity_ids.keys().map(String::as_str));
            cands.sort_unstable();
            suggest(&id.name, cands)
        });
        self.error(
            id.span,
            CheckError::UnknownType {
                name: id.name.clone(),
                at: id.span.source_span(),
                help,
            },
        );
    }

    /// How the field's cells are written, and the field's type given its unit
    /// (`duration in 日` counts days, a dimension apart from months).
    fn input_unit(&mut self, f: &ast::FieldDecl, ty: Ty) -> Option<(Ty, InputUnit)> {
        let unit = f.unit.as_ref();
        let is_fraction = unit.is_some_and(|u| {
            u.atoms.len() == 1 && u.atoms.first().is_some_and(|a| a.name == units::FRACTION)
        });
        match (&ty, unit) {
            (Ty::Num(d, NumHint::Percent), None) if d.is_none() => {
                Some((ty, InputUnit::PercentPoints))
            }
            (Ty::Num(d, NumHint::Percent), Some(_)) if d.is_none() && is_fraction => {
                Some((ty, InputUnit::Fraction))
            }
            (Ty::Num(d, _), None) if !d.is_none() => {
                let tyname = self.ty_name(&ty);
                self.error(
                    f.name.span,
                    CheckError::MissingUnit {
                        field: f.name.name.clone(),
                        help: Hint::WriteFieldUnit {
                            field: f.name.name.clone(),
                            ty: tyname.clone(),
                            unit: d.display_unit().to_string(),
                        },
                        ty: tyname,
                        at: f.ty.span.source_span(),
                    },
                );
                None
            }
            (_, None) => Some((ty, InputUnit::Plain)),
            (_, Some(u)) => self.quantity_unit(ty, u),
        }
    }

    fn quantity_unit(&mut self, ty: Ty, u: &ast::UnitExpr) -> Option<(Ty, InputUnit)> {
        let unit = self.unit(u)?;
        if let Ty::Num(d, h) = ty {
            let days = Dim {
                months: 0,
                days: d.months,
                ..d
            };
            if !d.is_none() && (unit.dim == d || unit.dim == days) {
                return Some((Ty::Num(unit.dim, h), InputUnit::Unit(unit)));
            }
        }
        let tyname = self.ty_name(&ty);
        self.error(
            u.span,
            CheckError::UnitMismatch {
                unit: unit.name.clone(),
                ty: tyname,
                unit_dim: unit.dim.type_name(),
                at: u.span.source_span(),
            },
        );
        None
    }

    /// Resolve a written unit; reports an unknown atom.
    pub(super) fn unit(&mut self, u: &ast::UnitExpr) -> Option<units::Unit> {
        match units::resolve(u.atoms.iter().map(|a| a.name.as_str())) {
            Ok(unit) => Some(unit),
            Err(UnitError::Unknown(name)) => {
                let at = u
                    .atoms
                    .iter()
                    .find(|a| a.name == name)
                    .map_or(u.span, |a| a.span);
                self.error(
                    at,
                    CheckError::UnknownUnit {
                        name,
                        at: at.source_span(),
                    },
                );
                None
            }
            Err(UnitError::TooLarge) => {
                let text = self.sources.snippet(u.span).to_string();
                self.error(
                    u.span,
                    CheckError::LiteralOverflow {
                        text,
                        at: u.span.source_span(),
                    },
                );
                None
            }
        }
    }

    fn declare_param(
        &mut self,
        d: &'a ast::ParamDecl,
        ty: Option<&ast::TypeExpr>,
        origin: crate::program::Origin,
    ) {
        let Some(t) = ty else {
            if d.overrides.is_override() {
                // `override` of a param no base has: already reported.
                return;
            }
            self.error(
                d.name.span,
                CheckError::ParamWithoutType {
                    name: d.name.name.clone(),
                    at: d.name.span.source_span(),
                },
            );
            return;
        };
        let Some(ty) = self.ty_expr(t) else {
            return;
        };
        let id = ParamId(self.params.len());
        self.param_ids.insert(d.name.name.clone(), id);
        self.params.push(ParamDef {
            name: d.name.name.clone(),
            ty,
            values: Vec::new(),
            origin,
            span: d.span,
        });
        self.param_decls.push(d);
        self.used_params.push(false);
    }

    fn declare_let(&mut self, d: &'a ast::LetDecl, origin: crate::program::Origin) {
        let Some(e) = self.entity_ids.get(&d.entity.name).copied() else {
            self.unknown_entity(&d.entity);
            return;
        };
        if self.field_of(e, &d.name.name).is_some() {
            let help = Hint::AlreadyHasField {
                entity: d.entity.name.clone(),
                field: d.name.name.clone(),
            };
            self.error(
                d.name.span,
                CheckError::DuplicateDefinition {
                    kind: "let".into(),
                    name: format!("{}.{}", d.entity.name, d.name.name),
                    at: d.name.span.source_span(),
                    help,
                },
            );
            return;
        }
        let id = LetId(self.lets.len());
        if let Some(info) = self.entities.get_mut(e.0) {
            info.lets.insert(d.name.name.clone(), id);
        }
        self.lets.push(LetSlot::new(d, e, origin));
        self.used_lets.push(false);
    }

    /// Report an unknown entity name, with a suggestion.
    pub(super) fn unknown_entity(&mut self, id: &ast::Ident) {
        let mut cands: Vec<&str> = self.entity_ids.keys().map(String::as_str).collect();
        cands.sort_unstable();
        let help = suggest(&id.name, cands);
        self.error(
            id.span,
            CheckError::UnknownEntity {
                name: id.name.clone(),
                at: id.span.source_span(),
                help,
            },
        );
    }
}
