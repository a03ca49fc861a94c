//! `--format json`: the normative shape of SPEC §4.
//!
//! Consumes a [`ReportInput`]; produces one pretty-printed JSON object:
//! `{"policy", "version", "as_of", "outcomes": [...]}` and, only when the loader
//! skipped rows (`--skip-bad-records`), a last key `"skipped": [{"file", "row",
//! "reason"}]`. Each outcome object has `entity, key, rule, family, status`, then by
//! status: `amount` (exact decimal string in 元), `cite`, `exception` (name or null) |
//! `message` | `failed_when` | `error`, `location` (`file:line:col`) | nothing for
//! `pass`. Keys are written in exactly this order.

use crate::report::{OutcomeView, ReportInput, Skipped, ordered};
use crate::value::plain_decimal;
use serde_json::{Map, Value as Json};
use std::io::{self, Write};

/// Write the whole report as one JSON document, ending with a newline.
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    let mut doc = Map::new();
    doc.insert("policy".into(), Json::from(ctx.program.info.name.clone()));
    doc.insert(
        "version".into(),
        ctx.program
            .info
            .version
            .clone()
            .map_or(Json::Null, Json::from),
    );
    doc.insert(
        "as_of".into(),
        Json::from(ctx.as_of.format("%Y-%m-%d").to_string()),
    );
    let outcomes: Vec<Json> = ordered(ctx.outcomes)
        .into_iter()
        .map(|o| {
            Json::Object(outcome_object(&OutcomeView::new(
                ctx.program,
                ctx.dataset,
                o,
            )))
        })
        .collect();
    doc.insert("outcomes".into(), Json::Array(outcomes));
    if !ctx.skipped.is_empty() {
        let skipped = ctx.skipped.iter().map(skipped_object).collect();
        doc.insert("skipped".into(), Json::Array(skipped));
    }
    serde_json::to_writer_pretty(&mut *w, &Json::Object(doc)).map_err(io::Error::other)?;
    writeln!(w)
}

/// One outcome as the JSON object of SPEC §4 (shared with jsonl).
pub fn outcome_object(v: &OutcomeView) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("entity".into(), Json::from(v.entity.clone()));
    m.insert("key".into(), Json::from(v.key.clone()));
    m.insert("rule".into(), Json::from(v.rule.clone()));
    m.insert("family".into(), Json::from(v.family_name()));
    m.insert("status".into(), Json::from(v.status.name()));
    let opt = |s: &Option<String>| s.clone().map_or(Json::Null, Json::from);
    if let Some(d) = v.amount {
        m.insert("amount".into(), Json::from(plain_decimal(d)));
        m.insert("cite".into(), opt(&v.cite));
        m.insert("exception".into(), opt(&v.exception));
    }
    if v.message.is_some() {
        m.insert("message".into(), opt(&v.message));
    }
    if v.failed_when.is_some() {
        m.insert("failed_when".into(), opt(&v.failed_when));
    }
    if v.error.is_some() {
        m.insert("error".into(), opt(&v.error));
        m.insert("location".into(), opt(&v.location));
    }
    m
}

/// One skipped row as `{"file", "row", "reason"}`.
pub fn skipped_object(s: &Skipped) -> Json {
    let mut m = Map::new();
    m.insert("file".into(), Json::from(s.file.clone()));
    m.insert("row".into(), Json::from(s.row));
    m.insert("reason".into(), Json::from(s.reason.clone()));
    Json::Object(m)
}
