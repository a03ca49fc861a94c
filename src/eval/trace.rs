//! The tracing hook of the evaluator: one evaluator, traced or not.
//!
//! The evaluator is generic over a [`Tracer`]. [`NoTrace`] does nothing and compiles
//! away (the fast path of `eval`); [`TreeTracer`] builds the [`Node`] tree that
//! `explain` returns: one node per evaluated expression, `when`, exception and message,
//! with the decisions taken ([`Note`]s) attached to the node that took them;
//! [`ReadsTracer`] keeps of those notes only the params and lets read and whether a
//! `tier` decided (what a diff's causes need of most records).

use crate::data::cell::may_start_white_space;
use crate::eval::Evaluator;
use crate::eval::arith::R;
use crate::eval::explain::{Node, NodeKind, Note};
use crate::program::{Expr, Ty};
use crate::span::Span;
use crate::units::Unit;
use crate::value::Value;
use std::collections::BTreeSet;

/// What a finished node was.
pub(crate) struct Step<'x> {
    pub kind: NodeKind,
    pub span: Span,
    /// The node's text; `None` takes the source text of `span`.
    pub text: Option<&'x str>,
    pub ty: Option<&'x Ty>,
    /// The unit to show a number in (a field's own input unit), else its type's.
    pub unit: Option<&'x Unit>,
}

impl<'x> Step<'x> {
    pub fn expr(e: &'x Expr, unit: Option<&'x Unit>) -> Step<'x> {
        Step {
            kind: NodeKind::Expr,
            span: e.span,
            text: None,
            ty: Some(&e.ty),
            unit,
        }
    }
}

/// Receives the evaluation as it happens. Nodes nest: every `start` is closed by one
/// `finish`, and nodes finished in between are its children.
pub(crate) trait Tracer {
    /// Whether anything is recorded; callers skip building notes when false.
    const ON: bool;
    /// Whether notes carry the values they show a person (a param's value and dated
    /// row); when false, a param's note names it only.
    const SHOWN: bool = true;
    fn start(&mut self);
    /// A decision taken by the node being built.
    fn note(&mut self, note: Note);
    fn finish(&mut self, ev: &Evaluator<'_>, step: Step<'_>, result: &R<Value>);
}

/// The fast path: records nothing.
pub(crate) struct NoTrace;

impl Tracer for NoTrace {
    const ON: bool = false;
    #[inline(always)]
    fn start(&mut self) {}
    #[inline(always)]
    fn note(&mut self, _note: Note) {}
    #[inline(always)]
    fn finish(&mut self, _ev: &Evaluator<'_>, _step: Step<'_>, _result: &R<Value>) {}
}

/// Keeps only the names of the params and lets read, and whether a `tier` decided,
/// from the notes a [`TreeTracer`] would put in its tree (those made while a node is
/// open): what a diff's causes read of a record, without the tree's texts and values.
#[derive(Default)]
pub(crate) struct ReadsTracer {
    open: usize,
    reads: Reads,
}

/// The params and lets an evaluation read (their names), and whether it took a `tier`
/// row or `else` (whose value only the tree shows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reads {
    pub params: BTreeSet<String>,
    pub lets: BTreeSet<String>,
    pub tier: bool,
}

impl Reads {
    /// Keep what a note tells of the reads (a tree's notes, or a tracer's).
    pub(crate) fn note(&mut self, note: &Note) {
        let (names, name) = match note {
            Note::Param { name, .. } => (&mut self.params, name),
            Note::Let { name, .. } => (&mut self.lets, name),
            Note::TierRow { .. } | Note::TierElse => {
                self.tier = true;
                return;
            }
            _ => return,
        };
        if !names.contains(name) {
            names.insert(name.clone());
        }
    }
}

impl ReadsTracer {
    pub fn into_reads(self) -> Reads {
        self.reads
    }
}

impl Tracer for ReadsTracer {
    const ON: bool = true;
    const SHOWN: bool = false;

    fn start(&mut self) {
        self.open = self.open.saturating_add(1);
    }

    fn note(&mut self, note: Note) {
        // As the tree: a note made with no node open is kept nowhere.
        if self.open == 0 {
            return;
        }
        self.reads.note(&note);
    }

    fn finish(&mut self, _ev: &Evaluator<'_>, _step: Step<'_>, _result: &R<Value>) {
        self.open = self.open.saturating_sub(1);
    }
}

/// Builds the explanation tree.
#[derive(Default)]
pub(crate) struct TreeTracer {
    open: Vec<Open>,
    roots: Vec<Node>,
    /// Only the tree, its texts and notes, and the values of tier nodes: no other
    /// node's value is shown and no location is made (what a diff's causes read).
    brief: bool,
}

#[derive(Default)]
struct Open {
    notes: Vec<Note>,
    children: Vec<Node>,
}

impl TreeTracer {
    /// A tracer for [`TreeTracer::brief`] trees.
    pub fn brief() -> TreeTracer {
        TreeTracer {
            brief: true,
            ..TreeTracer::default()
        }
    }

    /// The finished top-level nodes.
    pub fn into_roots(self) -> Vec<Node> {
        self.roots
    }
}

impl Tracer for TreeTracer {
    const ON: bool = true;

    fn start(&mut self) {
        self.open.push(Open::default());
    }

    fn note(&mut self, note: Note) {
        if let Some(top) = self.open.last_mut() {
            top.notes.push(note);
        }
    }

    fn finish(&mut self, ev: &Evaluator<'_>, step: Step<'_>, result: &R<Value>) {
        let mut open = self.open.pop().unwrap_or_default();
        let sources = &ev.program.sources;
        let text = match step.text {
            Some(t) => t.to_string(),
            // Block expressions span lines: one line reads better in a tree.
            None => collapse(sources.snippet(step.span)),
        };
        absorb_same_text(&mut open, step.kind, &text);
        let shown = !self.brief
            || open
                .notes
                .iter()
                .any(|n| matches!(n, Note::TierRow { .. } | Note::TierElse));
        let (value, raw, error) = match result {
            Ok(v) => (
                step.ty
                    .filter(|_| shown)
                    .map(|ty| ev.show_in(v, ty, step.unit)),
                Some(v.clone()),
                None,
            ),
            Err(e) => (None, None, Some(e.clone())),
        };
        let location = if self.brief {
            String::new()
        } else {
            sources.location(step.span)
        };
        let node = Node {
            kind: step.kind,
            text,
            location,
            value,
            error,
            notes: open.notes,
            children: open.children,
            raw,
            ty: step.ty.cloned(),
            span: step.span,
        };
        match self.open.last_mut() {
            Some(parent) => parent.children.push(node),
            None => self.roots.push(node),
        }
    }
}

/// A `when` (or message) node whose one child is its own condition, with the same
/// text, takes that child's children and notes instead of repeating it.
fn absorb_same_text(open: &mut Open, kind: NodeKind, text: &str) {
    let same = open.children.len() == 1 && open.children.first().is_some_and(|c| c.text == text);
    if kind == NodeKind::Expr || !same {
        return;
    }
    if let Some(child) = open.children.pop() {
        open.notes.extend(child.notes);
        open.children = child.children;
    }
}

/// Text with every run of whitespace made one space. Most texts are so already (a
/// diff explains a hundred thousand records, each node's text collapsed).
pub(crate) fn collapse(text: &str) -> String {
    if is_collapsed(text) {
        return text.to_string();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether [`collapse`] leaves `text` as it is: no white space at either end, none
/// inside but single ASCII spaces. A byte that may start other white space sends the
/// text the long way.
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Without an early exit, so the scan is vectorised.
    let other = bytes.iter().fold(false, |seen, &b| {
        seen | (b != b' ' && may_start_white_space(b))
    });
    !other
        && bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && memchr::memmem::find(bytes, b"  ").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_way(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn collapsing_is_the_long_way_for_every_char_at_the_ends_and_between_words() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            // At either end, between words, and beside a space.
            let text = format!("{c}入驻率{c}>= 50% {c}");
            assert_eq!(collapse(&text), long_way(&text), "{c:?}");
        }
        for text in [
            "",
            " ",
            "a  b",
            "a\nb",
            " 入驻率 ",
            "甲、乙",
            "x\u{3000}y",
            "a b c",
        ] {
            assert_eq!(collapse(text), long_way(text), "{text:?}");
        }
    }
}
