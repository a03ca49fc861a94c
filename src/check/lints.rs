//! Warnings: unreachable `tier` rows and unused params and lets.
//!
//! Consumes checked tier rows and the use marks gathered while checking the whole
//! (revised) program; produces [`CheckWarning`]s. Missing cites are reported where
//! rule bodies are checked.

use super::Checker;
use super::consts::fold;
use super::err::{CheckWarning, Hint};
use crate::ast::BinaryOp;
use crate::program::TierRowDef;
use crate::value::Value;
use std::cmp::Ordering;

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Does `t op u` hold?
fn holds(op: BinaryOp, c: Ordering) -> bool {
    use BinaryOp::*;
    match op {
        Ge => c != Ordering::Less,
        Gt => c == Ordering::Greater,
        Le => c != Ordering::Greater,
        Lt => c == Ordering::Less,
        Eq => c == Ordering::Equal,
        Ne => c != Ordering::Equal,
        _ => false,
    }
}

/// Is every value matching `x a t` also matching `x b u`?
fn subset(a: BinaryOp, t: &Value, b: BinaryOp, u: &Value) -> bool {
    use BinaryOp::*;
    let Some(c) = compare(t, u) else {
        return false;
    };
    match (a, b) {
        (Eq, _) => holds(b, c),
        (Ge | Gt, Ge) | (Gt, Gt) => c != Ordering::Less,
        (Ge, Gt) => c == Ordering::Greater,
        (Le | Lt, Le) | (Lt, Lt) => c != Ordering::Greater,
        (Le, Lt) => c == Ordering::Less,
        (Ge, Ne) => c == Ordering::Greater,
        (Gt, Ne) => c != Ordering::Less,
        (Le, Ne) => c == Ordering::Less,
        (Lt, Ne) => c != Ordering::Greater,
        _ => false,
    }
}

/// Do a lower bound and an upper bound among these rows together match everything?
fn covers(rows: &[(BinaryOp, Value)]) -> bool {
    use BinaryOp::*;
    rows.iter().any(|(lo_op, lo)| {
        matches!(lo_op, Ge | Gt)
            && rows
                .iter()
                .any(|(hi_op, hi)| match (hi_op, compare(hi, lo)) {
                    (Le | Lt, Some(Ordering::Greater)) => true,
                    (Le, Some(Ordering::Equal)) => true,
                    (Lt, Some(Ordering::Equal)) => *lo_op == Ge,
                    _ => false,
                })
    })
}

impl Checker<'_> {
    /// Warn on each row that no value can reach: one an earlier row already matches,
    /// or any row after rows that together match everything.
    pub(super) fn lint_tier(&mut self, rows: &[TierRowDef]) {
        let mut before: Vec<(BinaryOp, Value, &TierRowDef)> = Vec::new();
        for row in rows {
            let Some(t) = fold(&row.threshold) else {
                continue;
            };
            let shadow = before.iter().find(|(op, u, _)| subset(row.op, &t, *op, u));
            let all: Vec<(BinaryOp, Value)> =
                before.iter().map(|(op, v, _)| (*op, v.clone())).collect();
            let help = match shadow {
                Some((_, _, earlier)) => Some(Hint::ShadowedTierRow {
                    row: row.text.clone(),
                    earlier: earlier.text.clone(),
                }),
                None if covers(&all) => Some(Hint::TierRowsCoverAll),
                None => None,
            };
            if let Some(help) = help {
                self.warning(
                    row.span,
                    CheckWarning::UnreachableTierRow {
                        at: row.span.source_span(),
                        help,
                    },
                );
            }
            before.push((row.op, t, row));
        }
    }

    /// Warn on params and lets that nothing in the whole program uses.
    pub(super) fn lint_unused(&mut self) {
        let mut warnings = Vec::new();
        for (i, used) in self.used_params.iter().enumerate() {
            if let (false, Some(d)) = (*used, self.param_decls.get(i)) {
                let w = CheckWarning::UnusedParam {
                    name: d.name.name.clone(),
                    at: d.name.span.source_span(),
                };
                warnings.push((d.name.span, w));
            }
        }
        for (i, used) in self.used_lets.iter().enumerate() {
            if let (false, Some(slot)) = (*used, self.lets.get(i)) {
                let d = slot.decl();
                let w = CheckWarning::UnusedLet {
                    entity: d.entity.name.clone(),
                    name: d.name.name.clone(),
                    at: d.name.span.source_span(),
                };
                warnings.push((d.name.span, w));
            }
        }
        for (span, w) in warnings {
            self.warning(span, w);
        }
    }
}
