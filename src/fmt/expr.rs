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
use crate::syntax::keywords::{Dialect, Kw, phrase};

impl Printer<'_> {
    /// Print the whole expression of a line (a clause's, a row's, a `let`'s): a
    /// `match`, `tier` or `brackets` here takes one line per arm or row.
    pub fn expr_top(&mut self, e: &Expr, indent: usize) {
        match &e.kind {
            ExprKind::Match(m) if !self.flat => self.match_lines(m, e.span.end, indent),
            ExprKind::Tier(t) if !self.flat => self.tier_lines(t, e.span.end, indent),
            ExprKind::Brackets(b) if !self.flat => self.brackets_lines(b, e.span.end, indent),
            _ => self.expr(e, indent),
        }
    }

    /// Print an expression within another: a `match`, `tier` or `brackets` goes on
    /// one line when it fits and holds no comment, else one line per arm or row.
    pub fn expr(&mut self, e: &Expr, indent: usize) {
        match &e.kind {
            ExprKind::Number(n) => self.push(&n.to_string()),
            ExprKind::Percent(n) => self.push(&format!("{n}%")),
            ExprKind::Quantity(n, u) => self.push(&format!("{n} {}", unit(u))),
            ExprKind::Date(d) => self.push(&d.format("%Y-%m-%d").to_string()),
            ExprKind::Bool(b) => self.push(if *b {
                self.kw(Kw::True)
            } else {
                self.kw(Kw::False)
            }),
            ExprKind::Str(s) => self.string(s),
            ExprKind::AsOf => self.push(self.kw(Kw::AsOf)),
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
                    UnaryOp::Not => self.push(&format!("{} ", self.kw(Kw::Not))),
                }
                self.expr(x, indent);
            }
            ExprKind::Binary(op, a, b) => {
                self.expr(a, indent);
                self.push(&format!(" {} ", binary_symbol(*op, self.dialect)));
                self.expr(b, indent);
            }
            ExprKind::Call(c) => self.call(c, indent),
            ExprKind::If(c, a, b) => {
                self.push(&format!("{} ", self.kw(Kw::If)));
                self.expr(c, indent);
                self.push(&format!(" {} ", self.kw(Kw::Then)));
                self.expr(a, indent);
                self.push(&format!(" {} ", self.kw(Kw::Else)));
                self.expr(b, indent);
            }
            ExprKind::Match(_) | ExprKind::Tier(_) | ExprKind::Brackets(_) => {
                self.block_expr(e, indent)
            }
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
            self.push(&format!("{} ", self.kw(Kw::Where)));
            self.expr(f, indent);
        }
        if let Some(v) = &c.via {
            self.push(&format!(" {} {}", self.kw(Kw::Via), v.name));
        }
        self.push(")");
    }

    fn match_lines(&mut self, m: &Match, end: usize, indent: usize) {
        self.push(&format!("{} ", self.kw(Kw::Match)));
        self.expr(&m.scrutinee, indent);
        self.open_block();
        for arm in &m.arms {
            self.node(arm.span.start, indent + 1);
            let names: Vec<&str> = arm.variants.iter().map(|v| v.name.as_str()).collect();
            self.push(&format!("{} => ", names.join(" | ")));
            self.expr_top(&arm.value, indent + 1);
        }
        if let Some(o) = &m.otherwise {
            self.else_row(o, indent + 1);
        }
        self.close_block(end.saturating_sub(1), indent);
    }

    fn tier_lines(&mut self, t: &Tier, end: usize, indent: usize) {
        self.push(&format!("{}(", self.kw(Kw::Tier)));
        self.expr(&t.subject, indent);
        self.push(")");
        self.open_block();
        for row in &t.rows {
            self.node(row.span.start, indent + 1);
            self.push(&format!("{} ", binary_symbol(row.op, self.dialect)));
            self.expr(&row.threshold, indent + 1);
            self.push(" => ");
            self.expr_top(&row.value, indent + 1);
            if ends_open(&row.value) {
                // `>= 1 => if a then b else c` would take the next row's `>= 2` into
                // its `else`: the comma ends the row.
                self.push(",");
            }
        }
        if let Some(o) = &t.otherwise {
            self.else_row(o, indent + 1);
        }
        self.close_block(end.saturating_sub(1), indent);
    }

    fn brackets_lines(&mut self, b: &Brackets, end: usize, indent: usize) {
        self.push(&format!("{}(", self.kw(Kw::Brackets)));
        self.expr(&b.subject, indent);
        self.push(")");
        self.open_block();
        for row in &b.rows {
            self.node(row.span.start, indent + 1);
            self.push(&format!("{} ", phrase(&[Kw::Up, Kw::To], self.dialect)));
            self.expr(&row.up_to, indent + 1);
            self.push(" => ");
            self.expr_top(&row.rate, indent + 1);
        }
        if let Some(a) = &b.above {
            self.node(a.span.start, indent + 1);
            self.push(&format!("{} => ", self.kw(Kw::Above)));
            self.expr_top(a, indent + 1);
        }
        self.close_block(end.saturating_sub(1), indent);
    }

    fn else_row(&mut self, value: &Expr, indent: usize) {
        self.node(value.span.start, indent);
        self.push(&format!("{} => ", self.kw(Kw::Else)));
        self.expr_top(value, indent);
    }

    /// A `match`, `tier` or `brackets` inside another expression.
    fn block_expr(&mut self, e: &Expr, indent: usize) {
        if self.flat {
            self.block_inline(e);
            return;
        }
        let text = flat(e, self.dialect);
        if self.fits_inline(&text, e.span.start, e.span.end) {
            self.push(&text);
        } else {
            self.expr_top(e, indent);
        }
    }

    /// `match e { A => 1, else => 2 }`, `tier(x) { >= 1 => a, else => b }`, …
    fn block_inline(&mut self, e: &Expr) {
        let mut rows: Vec<String> = Vec::new();
        match &e.kind {
            ExprKind::Match(m) => {
                self.push(&format!(
                    "{} {}",
                    self.kw(Kw::Match),
                    flat(&m.scrutinee, self.dialect)
                ));
                for arm in &m.arms {
                    let names: Vec<&str> = arm.variants.iter().map(|v| v.name.as_str()).collect();
                    rows.push(format!(
                        "{} => {}",
                        names.join(" | "),
                        flat(&arm.value, self.dialect)
                    ));
                }
                if let Some(o) = &m.otherwise {
                    rows.push(format!(
                        "{} => {}",
                        self.kw(Kw::Else),
                        flat(o, self.dialect)
                    ));
                }
            }
            ExprKind::Tier(t) => {
                self.push(&format!(
                    "{}({})",
                    self.kw(Kw::Tier),
                    flat(&t.subject, self.dialect)
                ));
                for r in &t.rows {
                    let (op, th, v) = (
                        binary_symbol(r.op, self.dialect),
                        flat(&r.threshold, self.dialect),
                        flat(&r.value, self.dialect),
                    );
                    rows.push(format!("{op} {th} => {v}"));
                }
                if let Some(o) = &t.otherwise {
                    rows.push(format!(
                        "{} => {}",
                        self.kw(Kw::Else),
                        flat(o, self.dialect)
                    ));
                }
            }
            ExprKind::Brackets(b) => {
                self.push(&format!(
                    "{}({})",
                    self.kw(Kw::Brackets),
                    flat(&b.subject, self.dialect)
                ));
                let up_to = phrase(&[Kw::Up, Kw::To], self.dialect);
                for r in &b.rows {
                    rows.push(format!(
                        "{up_to} {} => {}",
                        flat(&r.up_to, self.dialect),
                        flat(&r.rate, self.dialect)
                    ));
                }
                if let Some(a) = &b.above {
                    rows.push(format!(
                        "{} => {}",
                        self.kw(Kw::Above),
                        flat(a, self.dialect)
                    ));
                }
            }
            _ => {}
        }
        if rows.is_empty() {
            self.push(" {}");
        } else {
            self.push(&format!(" {{ {} }}", rows.join(", ")));
        }
    }

    /// A string literal: escapes re-written, interpolations printed on one line.
    pub fn string(&mut self, s: &StrLit) {
        self.push(&string_text(s, self.dialect));
    }
}

/// A string literal as it is printed.
pub fn string_text(s: &StrLit, d: Dialect) -> String {
    let mut out = String::from("\"");
    for part in &s.parts {
        match part {
            StrPart::Text(t) => escape_into(&mut out, t),
            StrPart::Expr(e) => {
                out.push('{');
                out.push_str(&flat(e, d));
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

/// Whether the expression ends in an `if`'s `else` branch, which reads on through a
/// following comparison.
fn ends_open(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::If(..) => true,
        ExprKind::Binary(_, _, rhs) => ends_open(rhs),
        ExprKind::Unary(_, x) => ends_open(x),
        _ => false,
    }
}

/// An expression printed on one line (interpolations, inline blocks, test records).
pub fn flat(e: &Expr, d: Dialect) -> String {
    let mut p = Printer::flat(d);
    p.expr(e, 0);
    p.lines().collect()
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

fn binary_symbol(op: crate::ast::BinaryOp, d: Dialect) -> String {
    use crate::ast::BinaryOp as B;
    match op {
        B::Or => Kw::Or.text_in(d).to_string(),
        B::And => Kw::And.text_in(d).to_string(),
        B::In => Kw::In.text_in(d).to_string(),
        B::NotIn => phrase(&[Kw::Not, Kw::In], d),
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
