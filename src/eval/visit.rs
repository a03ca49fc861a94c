//! A walk over every expression of a checked program.
//!
//! Consumes a [`Program`]; calls a function on each expression node, outermost first.
//! Used to find what evaluation must prepare once (the aggregate indexes, the `let`s
//! read through references).

use crate::program::{Body, Expr, ExprKind, MessagePart, OutcomeDef, Program};

/// Call `f` on every expression of the program: params, lets and rules (with their
/// exceptions and messages).
pub(crate) fn each_expr<'p>(program: &'p Program, f: &mut dyn FnMut(&'p Expr)) {
    for p in &program.params {
        for v in &p.values {
            walk(&v.value, f);
        }
    }
    for l in &program.lets {
        walk(&l.value, f);
    }
    for r in &program.rules {
        body(&r.body, f);
        for x in &r.exceptions {
            body(&x.body, f);
        }
    }
}

fn body<'p>(b: &'p Body, f: &mut dyn FnMut(&'p Expr)) {
    for w in &b.whens {
        walk(&w.cond, f);
    }
    match &b.outcome {
        OutcomeDef::Amount(e) => walk(e, f),
        OutcomeDef::Require { cond, message } => {
            walk(cond, f);
            for part in message.iter().flat_map(|m| &m.parts) {
                if let MessagePart::Expr(e) = part {
                    walk(e, f);
                }
            }
        }
    }
}

/// Call `f` on `e` and every expression under it.
pub(crate) fn walk<'p>(e: &'p Expr, f: &mut dyn FnMut(&'p Expr)) {
    walk_while(e, &mut |x| {
        f(x);
        true
    });
}

/// Call `f` on `e`, and on the expressions under it while `f` returns true (false
/// skips what is under that node).
pub(crate) fn walk_while<'p>(e: &'p Expr, f: &mut dyn FnMut(&'p Expr) -> bool) {
    if !f(e) {
        return;
    }
    match &e.kind {
        ExprKind::Const(_)
        | ExprKind::Field(_)
        | ExprKind::Let(_)
        | ExprKind::Param(_)
        | ExprKind::AsOf => {}
        ExprKind::Member { base, .. } => walk_while(base, f),
        ExprKind::List(items) | ExprKind::Builtin(_, items) => {
            items.iter().for_each(|x| walk_while(x, f));
        }
        ExprKind::Unary(_, x) => walk_while(x, f),
        ExprKind::Binary(_, a, b) => {
            walk_while(a, f);
            walk_while(b, f);
        }
        ExprKind::If(c, a, b) => {
            walk_while(c, f);
            walk_while(a, f);
            walk_while(b, f);
        }
        ExprKind::Match {
            scrutinee,
            arms,
            otherwise,
        } => {
            walk_while(scrutinee, f);
            arms.iter().for_each(|a| walk_while(&a.value, f));
            otherwise.iter().for_each(|x| walk_while(x, f));
        }
        ExprKind::Tier {
            subject,
            rows,
            otherwise,
        } => {
            walk_while(subject, f);
            for r in rows {
                walk_while(&r.threshold, f);
                walk_while(&r.value, f);
            }
            walk_while(otherwise, f);
        }
        ExprKind::Brackets {
            subject,
            rows,
            above,
        } => {
            walk_while(subject, f);
            for r in rows {
                walk_while(&r.up_to, f);
                walk_while(&r.rate, f);
            }
            above.iter().for_each(|x| walk_while(x, f));
        }
        ExprKind::Aggregate { filter, value, .. } => {
            filter.iter().for_each(|x| walk_while(x, f));
            value.iter().for_each(|x| walk_while(x, f));
        }
    }
}
