//! Lowering of expressions: pest pairs → [`Expr`], with precedence and depth bounds.
//!
//! Consumes `expr`/`value_expr` pairs (a flat list of operands and infix operators)
//! and orders them by precedence with an explicit operator stack (shunting-yard), so
//! neither long chains nor prefix runs recurse. Every built node's height is measured:
//! a tree taller than [`MAX_EXPR_DEPTH`] is a diagnostic, never a tree that would
//! overflow the stack of the checker or evaluator (or of `Drop`).

use super::Rule;
use super::err::SyntaxError;
use super::lower::Ctx;
use crate::ast::{BinaryOp, Call, Expr, ExprKind, Ident, StrLit, StrPart, UnaryOp, UnitExpr};
use crate::span::Span;
use pest::iterators::Pair;
use rust_decimal::Decimal;

/// The tallest expression tree accepted (operations nested in one another).
pub const MAX_EXPR_DEPTH: usize = 128;

/// The longest run of prefix operators accepted (`not not not x`, `- - x`).
pub const MAX_PREFIX_CHAIN: usize = 16;

/// A lowered expression and the height of its tree.
pub(super) type Lowered = Result<(Expr, usize), SyntaxError>;

#[derive(Clone, Copy)]
enum Op {
    Prefix(UnaryOp),
    Infix(BinaryOp),
}

impl Op {
    fn precedence(self) -> u8 {
        match self {
            Op::Prefix(UnaryOp::Not) => 3,
            Op::Prefix(UnaryOp::Neg) => 7,
            Op::Infix(b) => b.precedence(),
        }
    }
}

impl Ctx {
    /// Lower an `expr` or `value_expr` pair.
    pub fn expr(&self, pair: Pair<'_, Rule>) -> Result<Expr, SyntaxError> {
        self.expr_h(pair).map(|(e, _)| e)
    }

    pub(super) fn expr_h(&self, pair: Pair<'_, Rule>) -> Lowered {
        let mut vals: Vec<(Expr, usize)> = Vec::new();
        let mut ops: Vec<(Op, Span)> = Vec::new();
        for p in pair.into_inner() {
            if p.as_rule() == Rule::operand {
                self.operand(p, &mut vals, &mut ops)?;
                continue;
            }
            let op = Op::Infix(infix_op(p.as_rule()));
            while let Some(&(top, _)) = ops.last() {
                if top.precedence() < op.precedence() {
                    break;
                }
                self.reduce(&mut vals, &mut ops)?;
            }
            ops.push((op, self.span(&p)));
        }
        while !ops.is_empty() {
            self.reduce(&mut vals, &mut ops)?;
        }
        vals.pop().ok_or_else(|| self.too_deep(Span::default()))
    }

    /// Push an operand's prefix operators and its value (with `.member`s applied).
    fn operand(
        &self,
        pair: Pair<'_, Rule>,
        vals: &mut Vec<(Expr, usize)>,
        ops: &mut Vec<(Op, Span)>,
    ) -> Result<(), SyntaxError> {
        let span = self.span(&pair);
        let mut prefixes = 0;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::op_neg | Rule::op_not => {
                    prefixes += 1;
                    if prefixes > MAX_PREFIX_CHAIN {
                        return Err(SyntaxError::PrefixChain {
                            limit: MAX_PREFIX_CHAIN,
                            span: span.source_span(),
                        });
                    }
                    let op = if p.as_rule() == Rule::op_neg {
                        UnaryOp::Neg
                    } else {
                        UnaryOp::Not
                    };
                    ops.push((Op::Prefix(op), self.span(&p)));
                }
                Rule::member => {
                    let (base, h) = vals.pop().ok_or_else(|| self.too_deep(span))?;
                    let name = p.into_inner().find(|m| m.as_rule() == Rule::ident);
                    let name = self.ident_opt(name, span);
                    let s = base.span.to(name.span);
                    vals.push(self.node(ExprKind::Member(Box::new(base), name), s, h + 1)?);
                }
                _ => vals.push(self.primary(p)?),
            }
        }
        Ok(())
    }

    /// Apply the operator on top of the stack to its operands.
    fn reduce(
        &self,
        vals: &mut Vec<(Expr, usize)>,
        ops: &mut Vec<(Op, Span)>,
    ) -> Result<(), SyntaxError> {
        let Some((op, op_span)) = ops.pop() else {
            return Ok(());
        };
        let (rhs, hr) = vals.pop().ok_or_else(|| self.too_deep(op_span))?;
        let built = match op {
            Op::Prefix(u) => {
                let s = op_span.to(rhs.span);
                self.node(ExprKind::Unary(u, Box::new(rhs)), s, hr + 1)?
            }
            Op::Infix(b) => {
                let (lhs, hl) = vals.pop().ok_or_else(|| self.too_deep(op_span))?;
                let s = lhs.span.to(rhs.span);
                let kind = ExprKind::Binary(b, Box::new(lhs), Box::new(rhs));
                self.node(kind, s, hl.max(hr) + 1)?
            }
        };
        vals.push(built);
        Ok(())
    }

    /// Build a node of the given height, or the depth error.
    pub(super) fn node(&self, kind: ExprKind, span: Span, height: usize) -> Lowered {
        if height > MAX_EXPR_DEPTH {
            return Err(self.too_deep(span));
        }
        Ok((Expr { kind, span }, height))
    }

    /// The depth error; also what a shape the grammar cannot produce (a row without
    /// its values) reports, rather than panicking.
    pub(super) fn too_deep(&self, span: Span) -> SyntaxError {
        SyntaxError::ExprTooDeep {
            limit: MAX_EXPR_DEPTH,
            span: span.source_span(),
        }
    }

    fn primary(&self, p: Pair<'_, Rule>) -> Lowered {
        let span = self.span(&p);
        let leaf = |kind| Ok((Expr { kind, span }, 1));
        match p.as_rule() {
            Rule::as_of_lit => leaf(ExprKind::AsOf),
            Rule::bool_lit => leaf(ExprKind::Bool(
                p.into_inner().any(|k| k.as_rule() == Rule::kw_true),
            )),
            Rule::date => leaf(ExprKind::Date(self.date(&p)?.date)),
            Rule::number => leaf(ExprKind::Number(self.number(&p)?)),
            Rule::percent => leaf(ExprKind::Percent(self.first_number(p)?)),
            Rule::quantity => self.quantity(p),
            Rule::ident => leaf(ExprKind::Name(self.ident(&p))),
            Rule::string => {
                let (s, h) = self.string_h(p)?;
                self.node(ExprKind::Str(s), span, h + 1)
            }
            Rule::paren => {
                let (inner, h) = self.first_expr(p, span)?;
                self.node(ExprKind::Paren(Box::new(inner)), span, h + 1)
            }
            Rule::list => {
                let (items, h) = self.exprs(p)?;
                self.node(ExprKind::List(items), span, h + 1)
            }
            Rule::call => self.call(p),
            Rule::if_expr => self.if_expr(p),
            Rule::match_expr => self.match_expr(p),
            Rule::tier_expr => self.tier(p),
            Rule::brackets_expr => self.brackets(p),
            _ => Err(self.too_deep(span)),
        }
    }

    /// Every `expr`/`value_expr` child lowered, and the tallest height.
    pub(super) fn exprs(&self, p: Pair<'_, Rule>) -> Result<(Vec<Expr>, usize), SyntaxError> {
        let mut out = Vec::new();
        let mut h = 0;
        for c in p.into_inner().filter(|c| is_expr(c.as_rule())) {
            let (e, eh) = self.expr_h(c)?;
            h = h.max(eh);
            out.push(e);
        }
        Ok((out, h))
    }

    fn first_expr(&self, p: Pair<'_, Rule>, span: Span) -> Lowered {
        match p.into_inner().find(|c| is_expr(c.as_rule())) {
            Some(e) => self.expr_h(e),
            None => Err(self.too_deep(span)),
        }
    }

    fn quantity(&self, p: Pair<'_, Rule>) -> Lowered {
        let span = self.span(&p);
        let mut value = Decimal::ZERO;
        let mut unit = UnitExpr {
            atoms: Vec::new(),
            span,
        };
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::number => value = self.number(&c)?,
                Rule::unit_expr => unit = self.unit(c),
                _ => {}
            }
        }
        Ok((
            Expr {
                kind: ExprKind::Quantity(value, unit),
                span,
            },
            1,
        ))
    }

    /// A unit path (`万元/亩`) from `unit_expr` or `unit_path`.
    pub fn unit(&self, p: Pair<'_, Rule>) -> UnitExpr {
        let span = self.span(&p);
        let atoms = p.into_inner().map(|a| self.ident(&a)).collect();
        UnitExpr { atoms, span }
    }

    fn first_number(&self, p: Pair<'_, Rule>) -> Result<Decimal, SyntaxError> {
        match p.into_inner().find(|c| c.as_rule() == Rule::number) {
            Some(n) => self.number(&n),
            None => Ok(Decimal::ZERO),
        }
    }

    fn number(&self, p: &Pair<'_, Rule>) -> Result<Decimal, SyntaxError> {
        let digits: String = p.as_str().chars().filter(|c| *c != '_').collect();
        Decimal::from_str_exact(&digits).map_err(|_| SyntaxError::NumberRange {
            text: p.as_str().to_string(),
            span: self.span(p).source_span(),
        })
    }

    fn call(&self, p: Pair<'_, Rule>) -> Lowered {
        let span = self.span(&p);
        let mut func = None;
        let mut args = Vec::new();
        let mut filter = None;
        let mut via = None;
        let mut h = 0;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => func = Some(self.ident(&c)),
                Rule::expr => {
                    let (e, eh) = self.expr_h(c)?;
                    h = h.max(eh);
                    args.push(e);
                }
                Rule::where_clause => {
                    let (e, eh) = self.first_expr(c, span)?;
                    h = h.max(eh);
                    filter = Some(Box::new(e));
                }
                Rule::via_clause => {
                    via = c
                        .into_inner()
                        .find(|i| i.as_rule() == Rule::ident)
                        .map(|i| self.ident(&i));
                }
                _ => {}
            }
        }
        let func = self.ident_opt_owned(func, span);
        let call = Call {
            func,
            args,
            filter,
            via,
        };
        self.node(ExprKind::Call(call), span, h + 1)
    }

    /// `if c1 then a1 else if c2 then a2 … else e`, built from the end without recursion.
    fn if_expr(&self, p: Pair<'_, Rule>) -> Lowered {
        let span = self.span(&p);
        let (mut parts, _) = self.exprs_h(p)?;
        let (mut acc, mut h) = parts.pop().ok_or_else(|| self.too_deep(span))?;
        while let (Some((then, ht)), Some((cond, hc))) = (parts.pop(), parts.pop()) {
            let s = cond.span.to(acc.span);
            let kind = ExprKind::If(Box::new(cond), Box::new(then), Box::new(acc));
            let built = self.node(kind, s, hc.max(ht).max(h) + 1)?;
            (acc, h) = built;
        }
        acc.span = span.to(acc.span);
        Ok((acc, h))
    }

    fn exprs_h(&self, p: Pair<'_, Rule>) -> Result<(Vec<(Expr, usize)>, usize), SyntaxError> {
        let mut out = Vec::new();
        let mut h = 0;
        for c in p.into_inner().filter(|c| is_expr(c.as_rule())) {
            let e = self.expr_h(c)?;
            h = h.max(e.1);
            out.push(e);
        }
        Ok((out, h))
    }

    /// A string literal: text (escapes decoded, adjacent pieces merged) and `{expr}`s.
    pub fn string(&self, p: Pair<'_, Rule>) -> Result<StrLit, SyntaxError> {
        self.string_h(p).map(|(s, _)| s)
    }

    fn string_h(&self, p: Pair<'_, Rule>) -> Result<(StrLit, usize), SyntaxError> {
        let span = self.span(&p);
        let mut parts: Vec<StrPart> = Vec::new();
        let mut h = 0;
        for c in p.into_inner() {
            let text = match c.as_rule() {
                Rule::str_text => c.as_str().to_string(),
                Rule::str_escape => unescape(c.as_str()).to_string(),
                Rule::interp => {
                    let (e, eh) = self.first_expr(c, span)?;
                    h = h.max(eh);
                    parts.push(StrPart::Expr(e));
                    continue;
                }
                _ => continue,
            };
            match parts.last_mut() {
                Some(StrPart::Text(t)) => t.push_str(&text),
                _ => parts.push(StrPart::Text(text)),
            }
        }
        Ok((StrLit { parts, span }, h))
    }

    fn ident_opt(&self, p: Option<Pair<'_, Rule>>, span: Span) -> Ident {
        match p {
            Some(p) => self.ident(&p),
            None => Ident {
                name: String::new(),
                span,
            },
        }
    }

    fn ident_opt_owned(&self, i: Option<Ident>, span: Span) -> Ident {
        i.unwrap_or(Ident {
            name: String::new(),
            span,
        })
    }
}

fn unescape(esc: &str) -> &'static str {
    match esc {
        "\\n" => "\n",
        "\\t" => "\t",
        "\\\"" => "\"",
        "\\{" => "{",
        "\\}" => "}",
        _ => "\\",
    }
}

fn is_expr(r: Rule) -> bool {
    matches!(r, Rule::expr | Rule::value_expr)
}

pub(super) fn infix_op(r: Rule) -> BinaryOp {
    match r {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_in => BinaryOp::In,
        Rule::op_not_in => BinaryOp::NotIn,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        _ => BinaryOp::Div,
    }
}
