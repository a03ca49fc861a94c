//! Formatting: [`crate::ast::File`] → canonical text, comments kept.
//!
//! Consumes a parsed file (and, through [`format_source`], its text); produces the one
//! canonical layout: two-space indent, a blank line between items, one field, clause,
//! row or arm per line, canonical spacing (`500 万元`, `15%`, `万元/亩`). Every comment
//! is kept: own-line comments stay before the node they preceded, trailing comments at
//! the end of their line. Keywords are printed in the file's dialect (English or
//! Chinese, [`crate::syntax::keywords::Dialect`]), or in the one asked for
//! ([`format_source_in`]). Formatting never changes meaning: the output parses to an
//! AST equal to the input's, and formatting it again changes nothing.

mod expr;
mod printer;

use crate::ast::{
    EntityDecl, EnumDecl, Expect, Expected, FieldDecl, File, Item, LetDecl, OutcomeDecl, Override,
    ParamDecl, ParamValue, PolicyHeader, RemoveDecl, RemoveKind, RuleBody, RuleDecl, TestDecl,
    TestRecord,
};
use crate::diagnostic::Diag;
use crate::span::FileId;
use crate::syntax::keywords::{Dialect, Kw, field_unit_in};
use expr::{type_base, type_full, unit};
use printer::Printer;

/// Format a parsed file in the canonical layout.
///
/// Without the source text, items are separated by blank lines; [`format_source`]
/// also keeps the user's grouping of one-line items (`param`, `let`, `enum`, `remove`
/// written on consecutive lines stay together) and blank lines inside blocks.
pub fn format_file(file: &File) -> String {
    format_with(file, None, file.dialect)
}

/// Format a parsed file with its keywords in dialect `d` (see [`format_source_in`]).
pub fn format_file_in(file: &File, d: Dialect) -> String {
    format_with(file, None, d)
}

/// Parse and format a source text; the syntax errors when it does not parse.
///
/// ```
/// use parkrules::fmt::format_source;
/// use parkrules::span::FileId;
///
/// let out = format_source("param 上限:money=500万元   # 第三条", FileId(0)).unwrap();
/// assert_eq!(out, "param 上限: money = 500 万元  # 第三条\n");
/// ```
pub fn format_source(text: &str, file: FileId) -> Result<String, Vec<Diag>> {
    let parsed = crate::syntax::parse_file(text, file)?;
    Ok(format_with(&parsed, Some(text), parsed.dialect))
}

/// Parse and format a source text with its keywords in dialect `d`: a lossless
/// translation (the output parses to an AST equal to the input's).
///
/// ```
/// use parkrules::fmt::format_source_in;
/// use parkrules::span::FileId;
/// use parkrules::syntax::keywords::Dialect;
///
/// let en = "let 园区.x = if a and not b then 1 else 2\n";
/// let zh = format_source_in(en, FileId(0), Dialect::Zh).unwrap();
/// assert_eq!(zh, "定义 园区.x = 如果 a 且 非 b 那么 1 否则 2\n");
/// assert_eq!(format_source_in(&zh, FileId(0), Dialect::En).unwrap(), en);
/// ```
pub fn format_source_in(text: &str, file: FileId, d: Dialect) -> Result<String, Vec<Diag>> {
    let parsed = crate::syntax::parse_file(text, file)?;
    Ok(format_with(&parsed, Some(text), d))
}

fn format_with(file: &File, source: Option<&str>, d: Dialect) -> String {
    let mut p = Printer::new(&file.comments.0, source, d);
    // The previous item and whether it took one line.
    let mut prev: Option<(&Item, bool)> = None;
    for item in &file.items {
        let start = item.span().start;
        p.flush_trailing(start);
        let mark = p.line_count();
        let lead = p.pending_before(start).unwrap_or(start);
        p.node(start, 0);
        let first = p.line_count().saturating_sub(1);
        p.item(item);
        let single = p.line_count() - first == 1 && short_kind(item);
        if let Some((before, before_single)) = prev {
            let grouped = before_single && single && !p.blank_between(before.span().end, lead);
            if !grouped {
                p.blank_at(mark);
            }
        }
        prev = Some((item, single));
    }
    p.finish()
}

/// Items that may stand on consecutive lines without a blank line between them
/// (when they take one line each and the source had them so).
fn short_kind(item: &Item) -> bool {
    matches!(
        item,
        Item::Param(_) | Item::Let(_) | Item::Remove(_) | Item::Enum(_)
    )
}

impl Printer<'_> {
    fn item(&mut self, item: &Item) {
        match item {
            Item::Policy(x) => self.policy(x),
            Item::Enum(x) => self.enum_decl(x),
            Item::Entity(x) => self.entity(x),
            Item::Param(x) => self.param(x),
            Item::Let(x) => self.let_decl(x),
            Item::Rule(x) => self.rule(x),
            Item::Test(x) => self.test(x),
            Item::Remove(x) => self.remove(x),
        }
    }

    fn overrides(&mut self, o: Override) {
        if o.is_override() {
            self.push(&format!("{} ", self.kw(Kw::Override)));
        }
    }

    /// `policy "名称" version "v" effective D extends "p"`; a header wider than a line
    /// continues, indented, from `effective` (as SPEC §3.5 writes it).
    fn policy(&mut self, x: &PolicyHeader) {
        let mut head = format!(
            "{} {}",
            self.kw(Kw::Policy),
            expr::string_text(&x.name, self.dialect)
        );
        if let Some(v) = &x.version {
            head.push_str(&format!(
                " {} {}",
                self.kw(Kw::Version),
                expr::string_text(v, self.dialect)
            ));
        }
        let mut tail = Vec::new();
        if let Some(d) = &x.effective {
            tail.push(format!(
                "{} {}",
                self.kw(Kw::Effective),
                d.date.format("%Y-%m-%d")
            ));
        }
        if let Some(e) = &x.extends {
            tail.push(format!(
                "{} {}",
                self.kw(Kw::Extends),
                expr::string_text(e, self.dialect)
            ));
        }
        let tail = tail.join(" ");
        let one = format!("{head} {tail}");
        if tail.is_empty() {
            self.push(&head);
        } else if printer::display_width(&one) <= printer::MAX_WIDTH {
            self.push(&one);
        } else {
            self.push(&head);
            self.newline(1);
            self.push(&tail);
        }
    }

    fn enum_decl(&mut self, x: &EnumDecl) {
        self.overrides(x.overrides);
        self.push(&format!("{} {}", self.kw(Kw::Enum), x.name.name));
        let end = x.span.end.saturating_sub(1);
        if self.pending_before(end).is_none() {
            let names: Vec<&str> = x.variants.iter().map(|v| v.name.as_str()).collect();
            self.push(&format!(" {{ {} }}", names.join(", ")));
            return;
        }
        self.open_block();
        for v in &x.variants {
            self.node(v.span.start, 1);
            self.push(&v.name);
        }
        self.close_block(end, 0);
    }

    fn entity(&mut self, x: &EntityDecl) {
        self.overrides(x.overrides);
        self.push(&format!("{} {}", self.kw(Kw::Entity), x.name.name));
        self.open_block();
        for f in &x.fields {
            self.node(f.span.start, 1);
            self.field(f);
        }
        self.close_block(x.span.end.saturating_sub(1), 0);
    }

    /// `name: type in unit? key`: the `?` of a field with a unit follows the unit.
    fn field(&mut self, f: &FieldDecl) {
        let q = if f.ty.optional { "?" } else { "" };
        let mut s = format!("{}: {}", f.name.name, type_base(&f.ty));
        match &f.unit {
            Some(u) => s.push_str(&format!(" {} {}{q}", field_unit_in(self.dialect), unit(u))),
            None => s.push_str(q),
        }
        if f.key {
            s.push_str(&format!(" {}", self.kw(Kw::Key)));
        }
        self.push(&s);
    }

    fn param(&mut self, x: &ParamDecl) {
        self.overrides(x.overrides);
        self.push(&format!("{} {}", self.kw(Kw::Param), x.name.name));
        if let Some(t) = &x.ty {
            self.push(&format!(": {}", type_full(t)));
        }
        match &x.value {
            ParamValue::Single(e) => {
                self.push(" = ");
                self.expr_top(e, 0);
            }
            ParamValue::Dated(rows) => {
                self.open_block();
                for r in rows {
                    self.node(r.span.start, 1);
                    self.push(&format!("{} => ", r.from.date.format("%Y-%m-%d")));
                    self.expr_top(&r.value, 1);
                }
                self.close_block(x.span.end.saturating_sub(1), 0);
            }
        }
    }

    fn let_decl(&mut self, x: &LetDecl) {
        self.overrides(x.overrides);
        let head = format!("{} {}.{} = ", self.kw(Kw::Let), x.entity.name, x.name.name);
        self.push(&head);
        self.expr_top(&x.value, 0);
    }

    fn remove(&mut self, x: &RemoveDecl) {
        let what = match x.kind {
            RemoveKind::Rule => self.kw(Kw::Rule),
            RemoveKind::Param => self.kw(Kw::Param),
            RemoveKind::Let => self.kw(Kw::Let),
        };
        let entity = x.entity.as_ref().map(|e| format!("{}.", e.name));
        let name = format!("{}{}", entity.unwrap_or_default(), x.name.name);
        self.push(&format!("{} {what} {name}", self.kw(Kw::Remove)));
    }

    fn rule(&mut self, x: &RuleDecl) {
        self.overrides(x.overrides);
        let head = format!(
            "{} {} : {} {} {}",
            self.kw(Kw::Rule),
            x.name.name,
            x.family.name(),
            self.kw(Kw::For),
            x.entity.name
        );
        self.push(&head);
        self.open_block();
        self.body(&x.body, 1);
        for e in &x.exceptions {
            self.flush_trailing(e.span.start);
            self.blank();
            self.flush(e.span.start, 1);
            self.newline(1);
            self.push(&format!("{} {}", self.kw(Kw::Exception), e.name.name));
            self.open_block();
            self.body(&e.body, 2);
            self.close_block(e.span.end.saturating_sub(1), 1);
        }
        self.close_block(x.span.end.saturating_sub(1), 0);
    }

    /// `cite`, `when`s and the outcome, one per line, in that order.
    fn body(&mut self, b: &RuleBody, indent: usize) {
        if let Some(c) = &b.cite {
            self.node(c.span.start, indent);
            self.push(&format!("{} ", self.kw(Kw::Cite)));
            self.string(c);
        }
        for w in &b.whens {
            self.node(w.span.start, indent);
            self.push(&format!("{} ", self.kw(Kw::When)));
            self.expr_top(w, indent);
        }
        match &b.outcome {
            Some(OutcomeDecl::Amount { value, span }) => {
                self.node(span.start, indent);
                self.push(&format!("{} ", self.kw(Kw::Amount)));
                self.expr_top(value, indent);
            }
            Some(OutcomeDecl::Require {
                cond,
                message,
                span,
            }) => {
                self.node(span.start, indent);
                self.push(&format!("{} ", self.kw(Kw::Require)));
                self.expr_top(cond, indent);
                if let Some(m) = message {
                    self.node(m.span.start, indent);
                    self.push(&format!("{} ", self.kw(Kw::Else)));
                    self.string(m);
                }
            }
            None => {}
        }
    }

    fn test(&mut self, x: &TestDecl) {
        self.push(&format!("{} ", self.kw(Kw::Test)));
        self.string(&x.name);
        self.open_block();
        if let Some(d) = &x.as_of {
            self.node(d.span.start, 1);
            self.push(&format!(
                "{} {}",
                self.kw(Kw::AsOf),
                d.date.format("%Y-%m-%d")
            ));
        }
        for r in &x.records {
            self.node(r.span.start, 1);
            self.record(r);
        }
        for e in &x.expects {
            self.node(e.span.start, 1);
            self.expect_stmt(e);
        }
        self.close_block(x.span.end.saturating_sub(1), 0);
    }

    /// A test record: on one line when it fits, else its fields filled into lines
    /// aligned under the first, else (when comments are inside) one field per line.
    fn record(&mut self, r: &TestRecord) {
        self.push(&format!("{} ", r.entity.name));
        self.string(&r.key);
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|(n, v)| format!("{}: {}", n.name, expr::flat(v, self.dialect)))
            .collect();
        let (start, end) = (r.span.start, r.span.end);
        let inline = format!(" {{ {} }}", fields.join(", "));
        if self.fits_inline(&inline, start, end) || fields.is_empty() {
            self.push(&inline);
            return;
        }
        let column = self.width() + 3;
        if !self.has_comment_in(start, end) && column < printer::MAX_WIDTH / 2 {
            self.fill(&fields, column);
            return;
        }
        self.open_block();
        for (name, value) in &r.fields {
            self.node(name.span.start, 2);
            self.push(&format!("{}: ", name.name));
            self.expr_top(value, 2);
        }
        self.close_block(r.span.end.saturating_sub(1), 1);
    }

    /// `{ a: 1, b: 2,` … continued under the first field … ` }`.
    fn fill(&mut self, fields: &[String], column: usize) {
        self.push(" { ");
        let last = fields.len().saturating_sub(1);
        for (i, f) in fields.iter().enumerate() {
            let piece = if i == last {
                format!("{f} }}")
            } else {
                format!("{f},")
            };
            let at_start = self.width() <= column;
            if !at_start && self.width() + 1 + printer::display_width(&piece) > printer::MAX_WIDTH {
                self.newline(0);
                self.push(&" ".repeat(column));
            } else if !at_start {
                self.push(" ");
            }
            self.push(&piece);
        }
    }

    fn expect_stmt(&mut self, e: &Expect) {
        self.push(&format!("{} {} ", self.kw(Kw::Expect), e.entity.name));
        self.string(&e.key);
        self.push(&format!(" {}", e.rule.name));
        match &e.expected {
            Expected::Amount(v) => {
                self.push(" == ");
                self.expr_top(v, 1);
            }
            Expected::Status(s) => self.push(&format!(" {}", s.name)),
        }
    }
}
