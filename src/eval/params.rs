//! Params: the value in force at the evaluation date.
//!
//! Consumes a [`ParamDef`](crate::program::ParamDef) and the as-of date; produces its
//! value, resolved once per evaluator: the latest dated row with `from <= as_of` (an
//! undated value always holds). No such row is a `NoParamValue` error on each outcome
//! that reads the param, at the place it is read.

use crate::eval::arith::{R, internal};
use crate::eval::err::EvalError;
use crate::eval::explain::Note;
use crate::eval::trace::{NoTrace, Tracer};
use crate::eval::{Evaluator, Frame, Memo};
use crate::program::ParamId;
use crate::span::Span;
use crate::value::Value;

/// A param resolved at the evaluator's as-of date.
pub(crate) enum ParamSlot {
    /// The value of row `row` of the param's values.
    Value { value: Value, row: usize },
    /// No row is in force yet.
    NoValue,
    /// Evaluating the row's constant failed.
    Failed(Box<EvalError>),
}

impl Evaluator<'_> {
    /// The value of a param in force, read at `span`.
    pub(crate) fn param<T: Tracer>(&self, id: ParamId, span: Span, t: &mut T) -> R<Value> {
        let slot = self
            .params
            .get(id.0)
            .ok_or_else(|| internal("an unknown param", span))?
            .get_or_init(|| self.resolve_param(id, span));
        match slot {
            ParamSlot::Value { value, row } => {
                if T::ON {
                    t.note(if T::SHOWN {
                        self.param_note(id, value, *row)
                    } else {
                        Note::Param {
                            name: self.param_name(id),
                            value: String::new(),
                            row: *row,
                            from: None,
                        }
                    });
                }
                Ok(value.clone())
            }
            ParamSlot::NoValue => Err(Box::new(EvalError::NoParamValue {
                param: self.param_name(id),
                as_of: self.as_of.format("%Y-%m-%d").to_string(),
                span,
            })),
            ParamSlot::Failed(e) => Err(e.clone()),
        }
    }

    fn resolve_param(&self, id: ParamId, span: Span) -> ParamSlot {
        let Some(def) = self.program.param(id) else {
            return ParamSlot::Failed(internal("an unknown param", span));
        };
        let in_force = def
            .values
            .iter()
            .enumerate()
            .rfind(|(_, v)| v.from.is_none_or(|from| from <= self.as_of));
        let Some((row, dated)) = in_force else {
            return ParamSlot::NoValue;
        };
        let mut memo = Memo::default();
        let mut frame = Frame {
            rec: None,
            memo: &mut memo,
        };
        match self.eval(&dated.value, &mut frame, &mut NoTrace) {
            Ok(value) => ParamSlot::Value { value, row },
            Err(e) => ParamSlot::Failed(e),
        }
    }

    fn param_name(&self, id: ParamId) -> String {
        self.program
            .param(id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    fn param_note(&self, id: ParamId, value: &Value, row: usize) -> Note {
        let def = self.program.param(id);
        Note::Param {
            name: self.param_name(id),
            value: def.map(|d| self.show(value, &d.ty)).unwrap_or_default(),
            row,
            from: def
                .and_then(|d| d.values.get(row))
                .and_then(|v| v.from)
                .map(|d| d.format("%Y-%m-%d").to_string()),
        }
    }
}
