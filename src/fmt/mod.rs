//! Formatting: [`crate::ast::File`] → canonical text, comments kept.
//!
//! Consumes a parsed file (and, through [`format_source`], its text); produces the one
//! canonical layout: two-space indent, a blank line between items, one field, clause,
//! row or arm per line, canonical spacing (`500 万元`, `15%`, `万元/亩`). Every comment
//! is kept: own-line comments stay before the node they preceded, trailing comments at
//! the end of their line. Formatting never changes meaning: the output parses to an
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
use crate::syntax::keywords::Kw;
use expr::{is_multiline, type_base, type_full, unit};
use printer::Printer;

/// Format a parsed file in the canonical layout.
///
/// Without the source text, every item is followed by a blank line; [`format_source`]
/// also keeps the user's grouping of one-line items (`param`s written without blank
/// lines between them stay together) and blank lines inside blocks.
pub fn format_file(file: &File) -> String {
    format_with(file, None)
}

/// Parse and format a source text; the syntax errors when it does not parse.
pub fn format_source(text: &str, file: FileId) -> Result<String, Vec<Diag>> {
    let parsed = crate::syntax::parse_file(text, file)?;
    Ok(format_with(&parsed, Some(text)))
}

fn format_with(file: &File, source: Option<&str>) -> String {
    let mut p = Printer::new(&file.comments.0, source);
    let mut prev: Option<&Item> = None;
    for item in &file.items {
        let start = item.span().start;
        if let Some(before) = prev {
            p.flush_trailing(start);
            let lead = p.pending_before(start).unwrap_or(start);
            if !grouped(&p, before, item, lead) {
                p.blank();
            }
        }
        p.flush(start, 0);
        p.newline(0);
        p.item(item);
        prev = Some(item);
    }
    p.finish()
}

/// Whether two adjacent items stay together without a blank line: both fit one line,
/// are of the same kind, and the source had no blank line between them.
fn grouped(p: &Printer<'_>, a: &Item, b: &Item, lead: usize) -> bool {
    p.has_source()
        && std::mem::discriminant(a) == std::mem::discriminant(b)
        && one_line(a)
        && one_line(b)
        && !p.blank_between(a.span().end, lead)
}

fn one_line(item: &Item) -> bool {
    match item {
        Item::Param(x) => matches!(&x.value, ParamValue::Single(e) if !is_multiline(e)),
        Item::Let(x) => !is_multiline(&x.value),
        Item::Remove(_) | Item::Enum(_) => true,
        _ => false,
    }
}

fn kw(k: Kw) -> &'static str {
    k.text()
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
            self.push(&format!("{} ", kw(Kw::Override)));
        }
    }

    fn policy(&mut self, x: &PolicyHeader) {
        self.push(&format!("{} ", kw(Kw::Policy)));
        self.string(&x.name);
        if let Some(v) = &x.version {
            self.push(&format!(" {} ", kw(Kw::Version)));
            self.string(v);
        }
        if let Some(d) = &x.effective {
            let date = d.date.format("%Y-%m-%d");
            self.push(&format!(" {} {date}", kw(Kw::Effective)));
        }
        if let Some(e) = &x.extends {
            self.push(&format!(" {} ", kw(Kw::Extends)));
            self.string(e);
        }
    }

    fn enum_decl(&mut self, x: &EnumDecl) {
        self.overrides(x.overrides);
        self.push(&format!("{} {}", kw(Kw::Enum), x.name.name));
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
        self.push(&format!("{} {}", kw(Kw::Entity), x.name.name));
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
            Some(u) => s.push_str(&format!(" {} {}{q}", kw(Kw::In), unit(u))),
            None => s.push_str(q),
        }
        if f.key {
            s.push_str(&format!(" {}", kw(Kw::Key)));
        }
        self.push(&s);
    }

    fn param(&mut self, x: &ParamDecl) {
        self.overrides(x.overrides);
        self.push(&format!("{} {}", kw(Kw::Param), x.name.name));
        if let Some(t) = &x.ty {
            self.push(&format!(": {}", type_full(t)));
        }
        match &x.value {
            ParamValue::Single(e) => {
                self.push(" = ");
                self.expr(e, 0);
            }
            ParamValue::Dated(rows) => {
                self.open_block();
                for r in rows {
                    self.node(r.span.start, 1);
                    self.push(&format!("{} => ", r.from.date.format("%Y-%m-%d")));
                    self.expr(&r.value, 1);
                }
                self.close_block(x.span.end.saturating_sub(1), 0);
            }
        }
    }

    fn let_decl(&mut self, x: &LetDecl) {
        self.overrides(x.overrides);
        let head = format!("{} {}.{} = ", kw(Kw::Let), x.entity.name, x.name.name);
        self.push(&head);
        self.expr(&x.value, 0);
    }

    fn remove(&mut self, x: &RemoveDecl) {
        let what = match x.kind {
            RemoveKind::Rule => kw(Kw::Rule),
            RemoveKind::Param => kw(Kw::Param),
            RemoveKind::Let => kw(Kw::Let),
        };
        let entity = x.entity.as_ref().map(|e| format!("{}.", e.name));
        let name = format!("{}{}", entity.unwrap_or_default(), x.name.name);
        self.push(&format!("{} {what} {name}", kw(Kw::Remove)));
    }

    fn rule(&mut self, x: &RuleDecl) {
        self.overrides(x.overrides);
        let head = format!(
            "{} {} : {} {} {}",
            kw(Kw::Rule),
            x.name.name,
            x.family.name(),
            kw(Kw::For),
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
            self.push(&format!("{} {}", kw(Kw::Exception), e.name.name));
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
            self.push(&format!("{} ", kw(Kw::Cite)));
            self.string(c);
        }
        for w in &b.whens {
            self.node(w.span.start, indent);
            self.push(&format!("{} ", kw(Kw::When)));
            self.expr(w, indent);
        }
        match &b.outcome {
            Some(OutcomeDecl::Amount { value, span }) => {
                self.node(span.start, indent);
                self.push(&format!("{} ", kw(Kw::Amount)));
                self.expr(value, indent);
            }
            Some(OutcomeDecl::Require {
                cond,
                message,
                span,
            }) => {
                self.node(span.start, indent);
                self.push(&format!("{} ", kw(Kw::Require)));
                self.expr(cond, indent);
                if let Some(m) = message {
                    self.node(m.span.start, indent);
                    self.push(&format!("{} ", kw(Kw::Else)));
                    self.string(m);
                }
            }
            None => {}
        }
    }

    fn test(&mut self, x: &TestDecl) {
        self.push(&format!("{} ", kw(Kw::Test)));
        self.string(&x.name);
        self.open_block();
        if let Some(d) = &x.as_of {
            self.node(d.span.start, 1);
            self.push(&format!("{} {}", kw(Kw::AsOf), d.date.format("%Y-%m-%d")));
        }
        for r in &x.records {
            self.node(r.span.start, 1);
            self.record(r);
        }
        for e in &x.expects {
            self.node(e.span.start, 1);
            self.expect(e);
        }
        self.close_block(x.span.end.saturating_sub(1), 0);
    }

    fn record(&mut self, r: &TestRecord) {
        self.push(&format!("{} ", r.entity.name));
        self.string(&r.key);
        self.open_block();
        for (name, value) in &r.fields {
            self.node(name.span.start, 2);
            self.push(&format!("{}: ", name.name));
            self.expr(value, 2);
        }
        self.close_block(r.span.end.saturating_sub(1), 1);
    }

    fn expect(&mut self, e: &Expect) {
        self.push(&format!("{} {} ", kw(Kw::Expect), e.entity.name));
        self.string(&e.key);
        self.push(&format!(" {}", e.rule.name));
        match &e.expected {
            Expected::Amount(v) => {
                self.push(" == ");
                self.expr(v, 1);
            }
            Expected::Status(s) => self.push(&format!(" {}", s.name)),
        }
    }
}
