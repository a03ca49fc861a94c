//! Rules: exceptions, `when` lines, and the amount or requirement of one rule on one
//! record.
//!
//! Consumes a [`RuleDef`] and the frame of a record; produces its [`Status`] and the
//! exception that replaced the base rule, if any. Exceptions are considered first:
//! when exactly one has all its `when`s hold it replaces the base rule, whether or not
//! the base `when`s hold; when two do, the outcome is an `ExceptionConflict` error
//! naming both. Otherwise the base `when`s are tried in order and the first that
//! fails makes the outcome `not_applicable`.

use crate::eval::arith::{R, internal};
use crate::eval::err::EvalError;
use crate::eval::explain::{NodeKind, Note};
use crate::eval::outcome::Status;
use crate::eval::trace::{Step, Tracer};
use crate::eval::{Evaluator, Frame};
use crate::program::{
    Body, ExceptionDef, ExprKind, Message, MessagePart, OutcomeDef, RuleDef, When,
};
use crate::value::Value;

impl Evaluator<'_> {
    /// The status of a rule on the frame's record, and the exception that decided it.
    pub(crate) fn rule_status<T: Tracer>(
        &self,
        rule: &RuleDef,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> (Status, Option<usize>) {
        match self.chosen_exception(rule, f, t) {
            Err(e) => (Status::Error(e), None),
            Ok(Some((i, exc))) => {
                if T::ON {
                    t.note(Note::ExceptionChosen {
                        name: exc.name.clone(),
                        cite: exc.body.cite.clone(),
                    });
                }
                (self.body_outcome(&exc.body, f, t), Some(i))
            }
            Ok(None) => match self.failing_when(&rule.body.whens, f, t) {
                Err(e) => (Status::Error(e), None),
                Ok(Some(when)) => (Status::NotApplicable { when }, None),
                Ok(None) => (self.body_outcome(&rule.body, f, t), None),
            },
        }
    }

    /// The one exception whose `when`s all hold; an error when two do.
    fn chosen_exception<'r, T: Tracer>(
        &self,
        rule: &'r RuleDef,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Option<(usize, &'r ExceptionDef)>> {
        let mut chosen: Option<(usize, &ExceptionDef)> = None;
        for (i, exc) in rule.exceptions.iter().enumerate() {
            if !self.exception_applies(exc, f, t)? {
                continue;
            }
            if let Some((_, first)) = chosen {
                return Err(Box::new(EvalError::ExceptionConflict {
                    first: first.name.clone(),
                    second: exc.name.clone(),
                    span: exc.span,
                }));
            }
            chosen = Some((i, exc));
        }
        Ok(chosen)
    }

    fn exception_applies<T: Tracer>(
        &self,
        exc: &ExceptionDef,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<bool> {
        t.start();
        let r = self
            .failing_when(&exc.body.whens, f, t)
            .map(|w| w.is_none());
        if T::ON {
            t.note(Note::Exception {
                name: exc.name.clone(),
                cite: exc.body.cite.clone(),
                applies: matches!(r, Ok(true)),
            });
        }
        let shown = r.clone().map(Value::Bool);
        let step = Step {
            kind: NodeKind::Exception,
            span: exc.span,
            text: Some(&exc.name),
            ty: Some(&crate::program::Ty::Bool),
            unit: None,
        };
        t.finish(self, step, &shown);
        r
    }

    /// The index of the first `when` that does not hold (`None`: all hold).
    fn failing_when<T: Tracer>(
        &self,
        whens: &[When],
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<Option<usize>> {
        for (index, when) in whens.iter().enumerate() {
            t.start();
            let r = self.truth(&when.cond, f, t);
            if T::ON {
                t.note(Note::When {
                    index,
                    held: matches!(r, Ok(true)),
                });
            }
            let shown = r.clone().map(Value::Bool);
            let step = Step {
                kind: NodeKind::When,
                span: when.cond.span,
                text: Some(&when.text),
                ty: Some(&crate::program::Ty::Bool),
                unit: None,
            };
            t.finish(self, step, &shown);
            if !r? {
                return Ok(Some(index));
            }
        }
        Ok(None)
    }

    /// The amount, pass or violation of a body whose `when`s hold.
    fn body_outcome<T: Tracer>(&self, body: &Body, f: &mut Frame<'_, '_>, t: &mut T) -> Status {
        let r = match &body.outcome {
            OutcomeDef::Amount(e) => match self.eval(e, f, t) {
                Ok(Value::Num(d)) => Ok(Status::Amount(d)),
                Ok(_) => Err(internal("an amount that is not a number", e.span)),
                Err(e) => Err(e),
            },
            OutcomeDef::Require { cond, message } => match self.truth(cond, f, t) {
                Ok(true) => Ok(Status::Pass),
                Ok(false) => self
                    .violation_message(cond, message.as_ref(), f, t)
                    .map(|message| Status::Violation { message }),
                Err(e) => Err(e),
            },
        };
        r.unwrap_or_else(Status::Error)
    }

    /// The `else` message with its `{expr}` parts shown; without one, the condition.
    fn violation_message<T: Tracer>(
        &self,
        cond: &crate::program::Expr,
        message: Option<&Message>,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<String> {
        let Some(message) = message else {
            let text = self.program.sources.snippet(cond.span);
            return Ok(format!("不满足：{text}"));
        };
        t.start();
        let r = self.interpolate(message, f, t);
        let shown = r.clone().map(|s| Value::Text(s.into()));
        let step = Step {
            kind: NodeKind::Message,
            span: message.span,
            text: None,
            ty: Some(&crate::program::Ty::Text),
            unit: None,
        };
        t.finish(self, step, &shown);
        r
    }

    /// A message with its `{…}` parts shown.
    fn interpolate<T: Tracer>(
        &self,
        message: &Message,
        f: &mut Frame<'_, '_>,
        t: &mut T,
    ) -> R<String> {
        // Room for the text and a few characters a value: one allocation a message.
        let room = message.parts.iter().map(|p| match p {
            MessagePart::Text(s) => s.len(),
            MessagePart::Expr(_) => VALUE_ROOM,
        });
        let mut out = String::with_capacity(room.sum());
        for part in &message.parts {
            match part {
                MessagePart::Text(s) => out.push_str(s),
                MessagePart::Expr(e) => {
                    let mut show = |t: &mut T| {
                        let v = self.eval(e, f, t)?;
                        let unit = self.field_unit(e, f.rec);
                        Ok(self.show_in(&v, &e.ty, unit))
                    };
                    // A param reads the same in every message: shown once (but traced
                    // each time an explanation asks).
                    let once = match e.kind {
                        ExprKind::Param(id) if !T::ON => self.params_shown.get(id.0),
                        _ => None,
                    };
                    match once {
                        Some(cell) => out.push_str(
                            cell.get_or_init(|| show(t))
                                .as_ref()
                                .map_err(Clone::clone)?,
                        ),
                        None => out.push_str(&show(t)?),
                    }
                }
            }
        }
        Ok(out)
    }
}

/// Bytes reserved for a value shown in a message (`15万元/亩`).
const VALUE_ROOM: usize = 16;
