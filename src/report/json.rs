//! `--format json`: the normative shape of SPEC §4.
//!
//! Consumes a [`ReportInput`]; produces one pretty-printed JSON object (two-space
//! indent): `{"policy", "version", "as_of", "outcomes": [...]}` and, only when the
//! loader skipped rows (`--skip-bad-records`), a last key `"skipped": [{"file", "row",
//! "reason"}]`. Each outcome object has `entity, key, rule, family, status`, then by
//! status: `amount` (exact decimal string in 元), `cite`, `exception` (name or null) |
//! `message` | `failed_when` | `error`, `location` (`file:line:col`) | nothing for
//! `pass`. Keys are written in exactly this order.
//!
//! Outcome objects are written field by field from [`fields`] (no JSON tree is built),
//! so a million outcomes cost little more than their bytes; strings are escaped by
//! `serde_json`.

use crate::data::Dataset;
use crate::eval::{Outcome, Status};
use crate::program::Program;
use crate::report::{OutcomeView, ReportInput, Skipped, ordered};
use crate::value::{Text, plain_decimal};
use std::borrow::Cow;
use std::io::{self, Write};

/// Write the whole report as one JSON document, ending with a newline.
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    let p = &ctx.program.info;
    w.write_all(b"{\n  \"policy\": ")?;
    string(w, &p.name)?;
    w.write_all(b",\n  \"version\": ")?;
    scalar(w, p.version.as_deref())?;
    w.write_all(b",\n  \"as_of\": ")?;
    string(w, &ctx.as_of.format("%Y-%m-%d").to_string())?;
    w.write_all(b",\n  \"outcomes\": [")?;
    for (i, o) in ordered(ctx.outcomes).into_iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        object(
            w,
            &outcome_fields(ctx.program, ctx.dataset, o),
            Some("      "),
        )?;
    }
    w.write_all(if ctx.outcomes.is_empty() {
        b"]"
    } else {
        b"\n  ]"
    })?;
    if !ctx.skipped.is_empty() {
        w.write_all(b",\n  \"skipped\": [")?;
        for (i, s) in ctx.skipped.iter().enumerate() {
            w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            object(w, &skipped_fields(s), Some("      "))?;
        }
        w.write_all(b"\n  ]")?;
    }
    w.write_all(b"\n}\n")
}

/// One field of an outcome object: key and value (`None` is `null`).
pub type Field<'a> = (&'static str, Option<Cow<'a, str>>);

/// The fields of one outcome object, in the order of SPEC §4.
pub fn fields(v: &OutcomeView) -> Vec<Field<'_>> {
    let mut f: Vec<Field> = Vec::with_capacity(8);
    let Ok(()) = each_field(v, |k, value| {
        f.push((k, value));
        Ok::<(), std::convert::Infallible>(())
    });
    f
}

/// [`fields`] handed to `f` one at a time, in order, with no list built.
pub fn each_field<'v, E>(
    v: &'v OutcomeView,
    mut f: impl FnMut(&'static str, Option<Cow<'v, str>>) -> Result<(), E>,
) -> Result<(), E> {
    f("entity", Some(Cow::Borrowed(&v.entity)))?;
    f("key", Some(Cow::Borrowed(&v.key)))?;
    f("rule", Some(Cow::Borrowed(&v.rule)))?;
    f("family", Some(Cow::Borrowed(v.family_name())))?;
    each_status_field(v, f)
}

/// The fields of [`each_field`] after those that name the outcome (entity, key, rule,
/// family), from `status` on: what the diff's change printer writes of each side's
/// outcome, two a change.
pub fn each_status_field<'v, E>(
    v: &'v OutcomeView,
    mut f: impl FnMut(&'static str, Option<Cow<'v, str>>) -> Result<(), E>,
) -> Result<(), E> {
    fn s(x: &str) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(x))
    }
    fn opt<S: std::ops::Deref<Target = str>>(x: &Option<S>) -> Option<Cow<'_, str>> {
        x.as_deref().map(Cow::Borrowed)
    }
    f("status", s(v.status.name()))?;
    if let Some(d) = v.amount {
        f("amount", Some(Cow::Owned(plain_decimal(d))))?;
        f("cite", opt(&v.cite))?;
        f("exception", opt(&v.exception))?;
    }
    if v.message.is_some() {
        f("message", opt(&v.message))?;
    }
    if v.failed_when.is_some() {
        f("failed_when", opt(&v.failed_when))?;
    }
    if v.error.is_some() {
        f("error", opt(&v.error))?;
        f("location", opt(&v.location))?;
    }
    Ok(())
}

fn skipped_fields(s: &Skipped) -> Vec<Field<'_>> {
    vec![
        ("file", Some(Cow::Borrowed(s.file.as_str()))),
        ("row", Some(Cow::Owned(s.row.to_string()))),
        ("reason", Some(Cow::Borrowed(s.reason.as_str()))),
    ]
}

/// The fields of one outcome, borrowed from the program and the dataset: the same
/// list as [`fields`] of its [`OutcomeView`], without building the view (the fast path
/// of `json` and `jsonl`).
pub fn outcome_fields<'a>(
    program: &'a Program,
    dataset: &'a Dataset,
    o: &'a Outcome,
) -> Vec<Field<'a>> {
    let rule = program.rule(o.rule);
    let key = dataset
        .table(o.entity)
        .and_then(|t| t.records.get(o.record))
        .map(|r| &*r.key);
    match (rule, key) {
        (Some(_), Some(key)) => keyed_outcome_fields(program, key, o),
        // A dangling index (never made by the evaluator): the slow path names it.
        _ => fields(&OutcomeView::new(program, dataset, o))
            .into_iter()
            .map(|(k, v)| (k, v.map(|c| Cow::Owned(c.into_owned()))))
            .collect(),
    }
}

/// The fields of one outcome of the record with this key (for a streaming caller whose
/// records are not in a dataset). Empty if the outcome's entity or rule is not the
/// program's.
pub fn keyed_outcome_fields<'a>(
    program: &'a Program,
    key: &'a str,
    o: &'a Outcome,
) -> Vec<Field<'a>> {
    let (Some(entity), Some(rule)) = (program.entity(o.entity), program.rule(o.rule)) else {
        return Vec::new();
    };
    let exception = o.exception.and_then(|i| rule.exceptions.get(i));
    let b = |x: &'a str| Some(Cow::Borrowed(x));
    // Eight fields at most (an amount's): one allocation per outcome.
    let mut f: Vec<Field> = Vec::with_capacity(8);
    f.extend([
        ("entity", b(&entity.name)),
        ("key", b(key)),
        ("rule", b(&rule.name)),
        ("family", b(rule.family.name())),
        ("status", b(o.status.kind().name())),
    ]);
    match &o.status {
        Status::Amount(d) => {
            let cite = exception
                .and_then(|e| e.body.cite.as_deref())
                .or(rule.body.cite.as_deref());
            f.push(("amount", Some(Cow::Owned(plain_decimal(*d)))));
            f.push(("cite", cite.map(Cow::Borrowed)));
            f.push((
                "exception",
                exception.map(|e| Cow::Borrowed(e.name.as_str())),
            ));
        }
        Status::NotApplicable { when } => {
            let text = rule
                .body
                .whens
                .get(*when)
                .map(|w| Cow::Borrowed(w.text.as_str()));
            f.push((
                "failed_when",
                text.or_else(|| Some(Cow::Owned(format!("#{when}")))),
            ));
        }
        Status::Pass => {}
        Status::Violation { message } => f.push(("message", b(message))),
        Status::Error(err) => {
            f.push(("error", Some(Cow::Owned(err.to_string()))));
            let loc = program.sources.location(err.span());
            f.push(("location", Some(Cow::Owned(loc))));
        }
    }
    f
}

/// Write fields as an object: compact on one line (`indent` `None`), or one field per
/// line at `indent` with the braces two spaces less (serde_json's pretty layout).
/// The `row` of a skipped row is written as a number.
pub fn object<W: Write + ?Sized>(
    w: &mut W,
    fields: &[Field],
    indent: Option<&str>,
) -> io::Result<()> {
    let outer = indent.map(|i| i.get(2..).unwrap_or(""));
    if let Some(o) = outer {
        w.write_all(o.as_bytes())?;
    }
    w.write_all(b"{")?;
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        match indent {
            Some(ind) => {
                w.write_all(b"\n")?;
                w.write_all(ind.as_bytes())?;
                string(w, k)?;
                w.write_all(b": ")?;
            }
            None => {
                string(w, k)?;
                w.write_all(b":")?;
            }
        }
        match v {
            Some(n) if *k == "row" => w.write_all(n.as_bytes())?,
            v => scalar(w, v.as_deref())?,
        }
    }
    if let Some(o) = outer {
        w.write_all(b"\n")?;
        w.write_all(o.as_bytes())?;
    }
    w.write_all(b"}")
}

/// A JSON string, escaped.
pub(crate) fn string<W: Write + ?Sized>(w: &mut W, s: &str) -> io::Result<()> {
    if needs_escape(s.as_bytes()) {
        return serde_json::to_writer(&mut *w, s).map_err(io::Error::other);
    }
    quoted(w, s.as_bytes())
}

/// [`string`] of a [`Text`] (a record's key), its bytes not checked as UTF-8 again
/// unless they need escaping.
pub(crate) fn text<W: Write + ?Sized>(w: &mut W, t: &Text) -> io::Result<()> {
    if needs_escape(t.as_bytes()) {
        return string(w, t.as_str());
    }
    quoted(w, t.as_bytes())
}

/// Whether a JSON string of these bytes needs an escape (a quote, a backslash, a
/// control character). Without an early exit, so the scan is vectorised (the strings
/// are short).
fn needs_escape(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(false, |e, &b| e | (b == b'"') | (b == b'\\') | (b < 0x20))
}

/// Bytes that need no escape (the common case), quoted as they are.
fn quoted<W: Write + ?Sized>(w: &mut W, bytes: &[u8]) -> io::Result<()> {
    w.write_all(b"\"")?;
    w.write_all(bytes)?;
    w.write_all(b"\"")
}

/// A JSON string or `null`.
pub(crate) fn scalar<W: Write + ?Sized>(w: &mut W, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => string(w, s),
        None => w.write_all(b"null"),
    }
}

/// Write one skipped row as a compact object.
pub fn write_skipped_compact(w: &mut dyn Write, s: &Skipped) -> io::Result<()> {
    object(w, &skipped_fields(s), None)
}
