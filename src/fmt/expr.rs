//! Printing expressions, strings, types and units in canonical spacing.
//!
//! Consumes AST expressions; writes them into a [`Printer`]: operators spaced
//! (`a + b`, `not x`, `-x`), quantities as `500 万元`, percents as `15%`, compound
//! units as `万元/亩`, the user's parentheses kept. `match`, `tier` and `brackets`
//! print one arm or row per line, indented under the line they start on.

use super::printer::Printer;
use crate::ast::{
    Brackets, Call, Expr, ExprKind, Match, StrLit, StrPart, Tier, TypeExpr, TypeKind, UnaryOp,
    UnitExpr,
};
use crate::syntax::keywords::Kw;

impl Printer<'_> {
    /// Print an expression on the current line; multi-line parts indent from `indent`.
    pub fn expr(&mut self, e: &Expr, indent: usize) {
        match &e.kind {
            ExprKind::Number(n) => self.push(&n.to_string()),
            ExprKind::Percent(n) => self.push(&format!("{n}%")),
            ExprKind::Quantity(n, u) => self.push(&format!("{n} {}", unit(u))),
            ExprKind::Date(d) => self.push(&d.format("%Y-%m-%d").to_string()),
            ExprKind::Bool(b) => self.push(if *b {
                Kw::True.text()
            } else {
                Kw::False.text()
            }),
            ExprKind::Str(s) => self.string(s),
            ExprKind::AsOf => self.push(Kw::AsOf.text()),
            ExprKind::Name(i) => self.push(&i.name),
            ExprKind::Member(base, name) => {
                self.expr(base, indent);
                self.push(".");
                self.push(&name.name);
            }
            ExprKind::List(items) => {
                self.push("[");
                self.comma_list(items, indent);
                self.push("]");
            }
            ExprKind::Unary(op, x) => {
                match op {
                    UnaryOp::Neg => self.push("-"),
                    UnaryOp::Not => self.push(&format!("{} ", Kw::Not.text())),
                }
                self.expr(x, indent);
            }
            ExprKind::Binary(op, a, b) => {
                self.expr(a, indent);
                self.push(&format!(" {} ", binary_symbol(*op)));
                self.expr(b, indent);
            }
            ExprKind::Call(c) => self.call(c, indent),
            ExprKind::If(c, a, b) => {
                self.push(&format!("{} ", Kw::If.text()));
                self.expr(c, indent);
                self.push(&format!(" {} ", Kw::Then.text()));
                self.expr(a, indent);
                self.push(&format!(" {} ", Kw::Else.text()));
                self.expr(b, indent);
            }
            ExprKind::Match(m) => self.match_expr(m, e.span.end, indent),
            ExprKind::Tier(t) => self.tier(t, e.span.end, indent),
            ExprKind::Brackets(b) => self.brackets(b, e.span.end, indent),
            ExprKind::Paren(x) => {
                self.push("(");
                self.expr(x, indent);
                self.push(")");
            }
        }
    }

    fn comma_list(&mut self, items: &[Expr], indent: usize) {
        for (i, x) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.expr(x, indent);
        }
    }

    fn call(&mut self, c: &Call, indent: usize) {
        self.push(&c.func.name);
        self.push("(");
        self.comma_list(&c.args, indent);
        if let Some(f) = &c.filter {
            if !c.args.is_empty() {
                self.push(" ");
            }
            self.push(&format!("{} ", Kw::Where.text()));
            self.expr(f, indent);
        }
        if let Some(v) = &c.via {
            self.push(&format!(" {} {}", Kw::Via.text(), v.name));
        }
        self.push(")");
    }

    fn match_expr(&mut self, m: &Match, end: usize, indent: usize) {
        self.push(&format!("{} ", Kw::Match.text()));
        self.expr(&m.scrutinee, indent);
        self.open_block();
        for arm in &m.arms {
            self.node(arm.span.start, indent + 1);
            let names: Vec<&str> = arm.variants.iter().map(|v| v.name.as_str()).collect();
            self.push(&format!("{} => ", names.join(" | ")));
            self.expr(&arm.value, indent + 1);
        }
        if let Some(o) = &m.otherwise {
            self.else_row(o, indent + 1);
        }
        self.close_block(end.saturating_sub(1), indent);
    }

    fn tier(&mut self, t: &Tier, end: usize, indent: usize) {
        self.push(&format!("{}(", Kw::Tier.text()));
        self.expr(&t.subject, indent);
        self.push(")");
        self.open_block();
        for row in &t.rows {
            self.node(row.span.start, indent + 1);
            self.push(&format!("{} ", binary_symbol(row.op)));
            self.expr(&row.threshold, indent + 1);
            self.push(" => ");
            self.expr(&row.value, indent + 1);
        }
        if let Some(o) = &t.otherwise {
            self.else_row(o, indent + 1);
        }
        self.close_block(end.saturating_sub(1), indent);
    }

    fn brackets(&mut self, b: &Brackets, end: usize, indent: usize) {
        self.push(&format!("{}(", Kw::Brackets.text()));
        self.expr(&b.subject, indent);
        self.push(")");
        self.open_block();
        for row in &b.rows {
            self.node(row.span.start, indent + 1);
            self.push(&format!("{} {} ", Kw::Up.text(), Kw::To.text()));
            self.expr(&row.up_to, indent + 1);
            self.push(" => ");
            self.expr(&row.rate, indent + 1);
        }
        if let Some(a) = &b.above {
            self.node(a.span.start, indent + 1);
            self.push(&format!("{} => ", Kw::Above.text()));
            self.expr(a, indent + 1);
        }
        self.close_block(end.saturating_sub(1), indent);
    }

    fn else_row(&mut self, value: &Expr, indent: usize) {
        self.node(value.span.start, indent);
        self.push(&format!("{} => ", Kw::Else.text()));
        self.expr(value, indent);
    }

    /// A string literal: escapes re-written, interpolations printed on one line.
    pub fn string(&mut self, s: &StrLit) {
        let mut out = String::from("\"");
        for part in &s.parts {
            match part {
                StrPart::Text(t) => escape_into(&mut out, t),
                StrPart::Expr(e) => {
                    out.push('{');
                    out.push_str(&flat(e));
                    out.push('}');
                }
            }
        }
        out.push('"');
        self.push(&out);
    }
}

/// An expression printed on one line (inside a string interpolation).
fn flat(e: &Expr) -> String {
    let mut p = Printer::new(&[], None);
    p.expr(e, 0);
    let lines: Vec<&str> = p.lines().map(str::trim).collect();
    lines.join(" ")
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '{' => out.push_str("\\{"),
            '}' => out.push_str("\\}"),
            c => out.push(c),
        }
    }
}

fn binary_symbol(op: crate::ast::BinaryOp) -> String {
    use crate::ast::BinaryOp as B;
    match op {
        B::Or => Kw::Or.text().to_string(),
        B::And => Kw::And.text().to_string(),
        B::In => Kw::In.text().to_string(),
        B::NotIn => format!("{} {}", Kw::Not.text(), Kw::In.text()),
        other => other.symbol().to_string(),
    }
}

/// A unit as written, atoms joined by `/`.
pub fn unit(u: &UnitExpr) -> String {
    let atoms: Vec<&str> = u.atoms.iter().map(|a| a.name.as_str()).collect();
    atoms.join("/")
}

/// A type without its own `?` (the caller places it).
pub fn type_base(t: &TypeExpr) -> String {
    match &t.kind {
        TypeKind::Named(n) => n.name.clone(),
        TypeKind::Per(n, ds) => {
            let mut s = n.name.clone();
            for d in ds {
                s.push('/');
                s.push_str(&d.name);
            }
            s
        }
        TypeKind::List(inner) => format!("list<{}>", type_full(inner)),
    }
}

/// A type with its `?`.
pub fn type_full(t: &TypeExpr) -> String {
    let q = if t.optional { "?" } else { "" };
    format!("{}{q}", type_base(t))
}

/// Whether printing the expression takes more than one line.
pub fn is_multiline(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Match(_) | ExprKind::Tier(_) | ExprKind::Brackets(_) => true,
        ExprKind::Member(x, _) | ExprKind::Unary(_, x) | ExprKind::Paren(x) => is_multiline(x),
        ExprKind::Binary(_, a, b) => is_multiline(a) || is_multiline(b),
        ExprKind::If(a, b, c) => is_multiline(a) || is_multiline(b) || is_multiline(c),
        ExprKind::List(xs) => xs.iter().any(is_multiline),
        ExprKind::Call(c) => {
            c.args.iter().any(is_multiline) || c.filter.as_deref().is_some_and(is_multiline)
        }
        _ => false,
    }
}
