//! A walk over every expression of a checked program.
//!
//! Consumes a [`Program`]; calls a function on each expression node, outermost first.
//! Used to find what evaluation must prepare once (the aggregate indexes, the `let`s
//! read through references).

use crate::program::{Body, Expr, Program};

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
    for e in b.exprs() {
        walk(e, f);
    }
}

/// Call `f` on `e` and every expression under it.
pub(crate) fn walk<'p>(e: &'p Expr, f: &mut dyn FnMut(&'p Expr)) {
    e.walk_while(&mut |x| {
        f(x);
        true
    });
}
