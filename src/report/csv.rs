//! `--format csv`: one row per outcome, fixed columns, amounts exact in 元.
//!
//! Consumes a [`ReportInput`]; produces RFC 4180 CSV (quoted where needed, `\n` line
//! ends, UTF-8 without BOM). Columns, always all of them, in this order:
//! `entity,key,rule,family,status,amount_yuan,exception,cite,message,failed_when,error,location`.
//! A cell that does not apply to the status is empty. Skipped rows come last as rows
//! with status `skipped`, the reason in `message` and `file:row` in `location`.

use crate::report::{Names, OutcomeView, ReportInput, ordered};
use crate::value::plain_decimal;
use std::io::{self, Write};

/// The header row.
pub const COLUMNS: [&str; 12] = [
    "entity",
    "key",
    "rule",
    "family",
    "status",
    "amount_yuan",
    "exception",
    "cite",
    "message",
    "failed_when",
    "error",
    "location",
];

/// Write the header, one row per outcome, then the skipped rows.
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    let mut out = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(w);
    out.write_record(COLUMNS).map_err(io::Error::other)?;
    let names = Names::of(ctx.program);
    for o in ordered(ctx.outcomes) {
        let v = OutcomeView::named(&names, ctx.program, ctx.dataset, o);
        out.write_record(row(&v)).map_err(io::Error::other)?;
    }
    for s in ctx.skipped {
        let loc = format!("{}:{}", s.file, s.row);
        let cells = [
            "", "", "", "", "skipped", "", "", "", &s.reason, "", "", &loc,
        ];
        out.write_record(cells).map_err(io::Error::other)?;
    }
    out.flush()
}

fn row(v: &OutcomeView) -> [String; 12] {
    let s = |o: Option<&str>| o.unwrap_or_default().to_string();
    [
        v.entity.to_string(),
        v.key.to_string(),
        v.rule.to_string(),
        v.family_name().to_string(),
        v.status.name().to_string(),
        v.amount.map(plain_decimal).unwrap_or_default(),
        s(v.exception.as_deref()),
        s(v.cite.as_deref()),
        s(v.message.as_deref()),
        s(v.failed_when.as_deref()),
        s(v.error.as_deref()),
        s(v.location.as_deref()),
    ]
}
