//! Diff renderer: JSON, a stable shape for scripts.
//!
//! Consumes a [`Diff`]; produces one object, pretty-printed but for the change
//! objects, each on a line of its own in compact form (as `eval --format jsonl`
//! prints outcomes), with keys in this order:
//! - `base`, `revised`: `{policy, version, as_of}`
//! - `budget`: money of `subsidy` + `reward`
//! - `families`: `[{family, base, revised, change, percent}]` for amount families,
//!   `[{family, violations_base, violations_revised}]` for check families
//! - `rules`: `[{rule, entity, family, presence (both|added|removed), cite, base,
//!   revised, change, percent, counts_base, counts_revised, changed, causes}]`
//! - `statuses`: `[{status, base, revised}]`
//! - `breakdowns`: `[{field, rows: [{value, base, revised, change, percent, changed,
//!   new_violations}]}]`
//! - `changes`: `[{entity, key, rule, family, before, after, change, causes}]` where
//!   `before`/`after` are the outcome objects of `eval --format json` without
//!   `entity, key, rule, family` (null when the rule is absent on that side)
//! - `new_violations`, `resolved_violations`: indices into `changes`.
//!
//! Money (`base`, `revised`, `change`) is an exact decimal string in 元; `percent` is
//! the change in percent of the base rounded to 2 decimals, as a string, or null when
//! the base is zero; all four are null when a sum overflowed. A cause is `{cause: <kind>, …}` with kinds `rule_added`,
//! `rule_removed`, `rule_changed {overridden, cite, changes: [{change, …}]}`,
//! `param_changed {name, base, revised}`, `let_changed {name, base, revised}`,
//! `exception_changed {base, revised}`, `when_changed {base, revised}`,
//! `tier_row {base, revised}`.

use crate::data::FastHash;
use crate::parallel;
use crate::program::StatusKind;
use crate::report::OutcomeView;
use crate::report::diff::{Cause, DefChange, Diff, Money, PolicyRef, RecordChange, RuleDelta};
use crate::report::json::{each_status_field, fields, string, text};
use crate::value::{plain_decimal, plain_decimal_into};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value as Json, json};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{self, Write};

/// Write the diff as JSON, ending with a newline. The changes are serialised one at a
/// time, never held as one JSON tree. The bytes are those of serde_json's pretty
/// printer on [`to_json`]'s value, except that each element of `changes` is on one
/// line, in the compact printer's bytes; the change objects (most of the bytes) are
/// printed on every core, a run of them at a time, and written in order.
pub fn write(w: &mut dyn Write, d: &Diff) -> io::Result<()> {
    write_around(w, d, !d.changes.is_empty(), |out| {
        for (k, run) in d.changes.chunks(CHANGES_AT_ONCE).enumerate() {
            out.write_all(&print_changes(run, k == 0)?)?;
        }
        Ok(())
    })
}

/// [`write`] with the change objects already printed by [`print_changes`], in order,
/// read from `parts` (`d.changes` is not read; the indices of `new_violations` and
/// `resolved_violations` are into the printed changes). Each part holds changes
/// printed from a first one (`first` given to [`print_changes`] for its first run), and
/// none is empty.
pub fn write_printed<R: io::BufRead + Send>(
    w: &mut dyn Write,
    d: &Diff,
    parts: &mut [R],
) -> io::Result<()> {
    write_around(w, d, !parts.is_empty(), |out| copy_parts(parts, out))
}

/// The parts' bytes, in order, a comma between two parts, written to `out` by this
/// thread while another reads them (decompressing them from their temporary files)
/// and gathers them in runs of [`RUN`] bytes. A million firms' changes are 775 MB:
/// writing them is the last step of a diff (one to two seconds on one core at 1M,
/// most of it the kernel's copy into the page cache), and this thread then only
/// writes.
fn copy_parts<R: io::BufRead + Send>(parts: &mut [R], out: &mut dyn Write) -> io::Result<()> {
    std::thread::scope(|s| {
        let (full, runs) = std::sync::mpsc::sync_channel::<io::Result<Vec<u8>>>(2);
        // Runs written come back to be filled again (fresh memory must be zeroed by
        // the kernel first).
        let (empty, written) = std::sync::mpsc::channel::<Vec<u8>>();
        s.spawn(move || {
            let mut run = Vec::with_capacity(2 * RUN);
            let mut gather = || -> io::Result<bool> {
                for (k, part) in parts.iter_mut().enumerate() {
                    if k > 0 {
                        run.push(b',');
                    }
                    loop {
                        let bytes = part.fill_buf()?;
                        if bytes.is_empty() {
                            break;
                        }
                        let n = bytes.len();
                        run.extend_from_slice(bytes);
                        part.consume(n);
                        if run.len() >= RUN {
                            let next = written
                                .try_recv()
                                .unwrap_or_else(|_| Vec::with_capacity(2 * RUN));
                            // The writer stopped at an error it returns.
                            if full.send(Ok(std::mem::replace(&mut run, next))).is_err() {
                                return Ok(false);
                            }
                        }
                    }
                }
                Ok(true)
            };
            let last = match gather() {
                Ok(true) => Ok(std::mem::take(&mut run)),
                Ok(false) => return,
                Err(e) => Err(e),
            };
            let _ = full.send(last);
        });
        for run in runs {
            let mut run = run?;
            out.write_all(&run)?;
            run.clear();
            let _ = empty.send(run);
        }
        Ok(())
    })
}

/// Bytes of changes gathered before each write (at least this many, under twice as
/// many): as many as the CLI's output buffer holds, which then passes them on as they
/// are. Runs of 4 MiB tripled the kernel's time for the writes (a diff at 1M: system
/// time 0.7–0.8 s → 2.2–2.5 s, four runs each).
const RUN: usize = 1 << 20;

/// The change objects of a run of changes as they stand in the `changes` array of
/// [`write`], printed on every core; `first`: the run starts the array. Runs printed
/// one after the other, from the first, make the array's elements.
pub fn print_changes(changes: &[RecordChange], first: bool) -> io::Result<Vec<u8>> {
    let printed = print_changes_each(changes, first, |bytes| bytes)?;
    let mut out = Vec::with_capacity(printed.iter().map(Vec::len).sum());
    for part in printed {
        out.extend_from_slice(&part);
    }
    Ok(out)
}

/// [`print_changes`] in parts, in order, each part's bytes handed to `finish` by the
/// thread that printed them (a streaming diff compresses them there).
pub fn print_changes_each<T: Send>(
    changes: &[RecordChange],
    first: bool,
    finish: impl Fn(Vec<u8>) -> T + Sync,
) -> io::Result<Vec<T>> {
    let parts: Vec<(usize, &[RecordChange])> =
        changes.chunks(CHANGES_AT_ONCE / 8).enumerate().collect();
    let printed = parallel::map_in_order(&parts, |(k, part)| {
        let mut out = Vec::with_capacity(part.len().saturating_mul(CHANGE_ROOM));
        let mut causes = CausesPrinted::default();
        for (i, c) in part.iter().enumerate() {
            element_start(&mut out, 2, first && *k == 0 && i == 0)?;
            change(&mut out, c, &mut causes)?;
        }
        io::Result::Ok(finish(out))
    });
    printed.into_iter().collect()
}

/// Bytes reserved per change printed (540 on average on the shipped policies at 100k;
/// a list of long causes takes more).
const CHANGE_ROOM: usize = 1024;

/// One change object as an element of `changes`, on one line: the bytes of
/// serde_json's compact printer for [`ChangeSer`], written directly. A million
/// changes are most of a diff's output: the general printer took a third of a diff's
/// instructions, and pretty-printing them (their lines indented) made the output
/// half as large again. The causes, shared by changes of one shape, are printed once
/// per list ([`CausesPrinted`]).
fn change<'c>(
    out: &mut Vec<u8>,
    c: &'c RecordChange,
    causes: &mut CausesPrinted<'c>,
) -> io::Result<()> {
    out.push(b'{');
    key(out, "entity")?;
    string(out, &c.entity)?;
    out.push(b',');
    key(out, "key")?;
    text(out, &c.key)?;
    out.push(b',');
    for (k, v) in [("rule", &*c.rule), ("family", c.family.name())] {
        key(out, k)?;
        string(out, v)?;
        out.push(b',');
    }
    for (k, v) in [
        ("before", c.before.as_deref()),
        ("after", c.after.as_deref()),
    ] {
        key(out, k)?;
        match v {
            None => out.extend_from_slice(b"null"),
            Some(v) => outcome(out, v)?,
        }
        out.push(b',');
    }
    key(out, "change")?;
    match c.change {
        Some(d) => {
            // Digits, a sign and a point: nothing to escape.
            out.push(b'"');
            plain_decimal_into(out, d);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.push(b',');
    key(out, "causes")?;
    causes.print(out, &c.causes)?;
    out.push(b'}');
    Ok(())
}

/// An outcome object of a change: [`SideSer`]'s fields.
fn outcome(out: &mut Vec<u8>, v: &OutcomeView) -> io::Result<()> {
    out.push(b'{');
    let mut first = true;
    each_status_field(v, |k, value| {
        if !first {
            out.push(b',');
        }
        first = false;
        key(out, k)?;
        match value {
            Some(s) => string(out, &s),
            None => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    })?;
    out.push(b'}');
    Ok(())
}

/// `"k":`. The keys are this module's and `each_field`'s literals, plain ASCII words
/// that need no escape (a test holds them to serde_json's bytes), so they are written
/// as they are: a million changes print twenty million keys.
fn key(out: &mut Vec<u8>, k: &'static str) -> io::Result<()> {
    out.push(b'"');
    out.extend_from_slice(k.as_bytes());
    out.extend_from_slice(b"\":");
    Ok(())
}

/// The causes lists printed so far (compact). Changes of one shape share one list,
/// and many changes of different amounts have equal lists: each is printed once, then
/// found by its address or, failing that, its content ([`Outline`]).
#[derive(Default)]
struct CausesPrinted<'c> {
    by_address: HashMap<*const Cause, usize, FastHash>,
    by_content: HashMap<Outline<'c>, usize, FastHash>,
    printed: Vec<Vec<u8>>,
}

/// A causes list found by its content: hashed by its outline (each cause's kind and
/// the length of its texts), compared in full. Most changes of amounts that differ
/// from record to record have a list of their own making, equal to an earlier one;
/// hashing the texts of each (hundreds of bytes) was 4% of a diff's time at 1M.
#[derive(PartialEq, Eq)]
struct Outline<'c>(&'c [Cause]);

impl Hash for Outline<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        fn len(s: &Option<String>) -> usize {
            s.as_ref().map_or(0, String::len)
        }
        h.write_usize(self.0.len());
        for c in self.0 {
            std::mem::discriminant(c).hash(h);
            h.write_usize(match c {
                Cause::RuleAdded | Cause::RuleRemoved => 0,
                Cause::RuleChanged { cite, changes, .. } => len(cite) + changes.len(),
                Cause::ParamChanged {
                    name,
                    base,
                    revised,
                }
                | Cause::LetChanged {
                    name,
                    base,
                    revised,
                } => name.len() + len(base) + len(revised),
                Cause::ExceptionChanged { base, revised }
                | Cause::WhenChanged { base, revised }
                | Cause::TierRow { base, revised } => len(base) + len(revised),
            });
        }
    }
}

impl<'c> CausesPrinted<'c> {
    fn print(&mut self, out: &mut Vec<u8>, causes: &'c [Cause]) -> io::Result<()> {
        if causes.is_empty() {
            out.extend_from_slice(b"[]");
            return Ok(());
        }
        let at = causes.as_ptr();
        let known = match self.by_address.get(&at) {
            Some(&i) => Some(i),
            None => self.by_content.get(&Outline(causes)).copied(),
        };
        if let Some((i, bytes)) = known.and_then(|i| Some((i, self.printed.get(i)?))) {
            out.extend_from_slice(bytes);
            self.by_address.insert(at, i);
            return Ok(());
        }
        let bytes = serde_json::to_vec(&CausesSer(causes)).map_err(io::Error::other)?;
        out.extend_from_slice(&bytes);
        let i = self.printed.len();
        self.printed.push(bytes);
        self.by_address.insert(at, i);
        self.by_content.insert(Outline(causes), i);
        Ok(())
    }
}

/// The document, the elements of `changes` written by `changes` (`any`: there are
/// some).
fn write_around(
    w: &mut dyn Write,
    d: &Diff,
    any: bool,
    changes: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut buf = io::BufWriter::with_capacity(64 * 1024, w);
    let mut map = Pretty::new(&mut buf, 1, b'{')?;
    for (k, v) in head(d).map_err(io::Error::other)? {
        map.entry(&k, &v)?;
    }
    map.key("changes")?;
    let mut seq = Pretty::new(map.w, 2, b'[')?;
    changes(&mut *seq.w)?;
    seq.empty = !any;
    seq.end()?;
    map.w = seq.w;
    map.entry("new_violations", &d.new_violations)?;
    map.entry("resolved_violations", &d.resolved_violations)?;
    map.end()?;
    writeln!(buf)?;
    buf.flush()
}

/// Changes printed in one go (on every core, in eight parts).
const CHANGES_AT_ONCE: usize = 8 * 1024;

/// An object or array being written as serde_json's pretty printer writes it (two
/// spaces an indent level), at `depth` (that of its entries).
struct Pretty<'w, W: Write> {
    w: &'w mut W,
    depth: usize,
    close: u8,
    empty: bool,
}

impl<'w, W: Write> Pretty<'w, W> {
    fn new(w: &'w mut W, depth: usize, open: u8) -> io::Result<Self> {
        let close = if open == b'{' { b'}' } else { b']' };
        w.write_all(&[open])?;
        Ok(Pretty {
            w,
            depth,
            close,
            empty: true,
        })
    }

    fn key(&mut self, k: &str) -> io::Result<()> {
        element_start(self.w, self.depth, self.empty)?;
        self.empty = false;
        serde_json::to_writer(&mut *self.w, k).map_err(io::Error::other)?;
        self.w.write_all(b": ")
    }

    fn entry(&mut self, k: &str, v: &impl Serialize) -> io::Result<()> {
        self.key(k)?;
        indented(self.w, v, self.depth)
    }

    fn end(&mut self) -> io::Result<()> {
        if !self.empty {
            self.w.write_all(b"\n")?;
            indent(self.w, self.depth.saturating_sub(1))?;
        }
        self.w.write_all(&[self.close])
    }
}

/// The separator and indent before an element or entry at `depth`.
fn element_start(w: &mut impl Write, depth: usize, first: bool) -> io::Result<()> {
    w.write_all(if first { b"\n" } else { b",\n" })?;
    indent(w, depth)
}

/// Two spaces a level, written without making them (an element of `changes` starts
/// with an indent: a million changes made a million short lists of spaces).
fn indent(w: &mut (impl Write + ?Sized), depth: usize) -> io::Result<()> {
    for _ in 0..depth {
        w.write_all(b"  ")?;
    }
    Ok(())
}

/// `v` pretty-printed as a value at `depth`: its inner lines indented by `depth`
/// levels (a pretty-printed value has line ends only between its tokens, never in a
/// string).
fn indented(w: &mut impl Write, v: &impl Serialize, depth: usize) -> io::Result<()> {
    let printed = serde_json::to_vec_pretty(v).map_err(io::Error::other)?;
    let indent = b"  ".repeat(depth);
    let mut lines = printed.split(|&b| b == b'\n');
    if let Some(first) = lines.next() {
        w.write_all(first)?;
    }
    for line in lines {
        w.write_all(b"\n")?;
        w.write_all(&indent)?;
        w.write_all(line)?;
    }
    Ok(())
}

/// The diff as a JSON value (the shape documented above), as [`write`] writes it.
pub fn to_json(d: &Diff) -> serde_json::Result<Json> {
    serde_json::to_value(Streamed(d))
}

/// The diff, serialised one change object at a time.
struct Streamed<'a>(&'a Diff);

impl Serialize for Streamed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut map = s.serialize_map(None)?;
        for (k, v) in head(d).map_err(serde::ser::Error::custom)? {
            map.serialize_entry(&k, &v)?;
        }
        map.serialize_entry("changes", &Changes(&d.changes))?;
        map.serialize_entry("new_violations", &d.new_violations)?;
        map.serialize_entry("resolved_violations", &d.resolved_violations)?;
        map.end()
    }
}

struct Changes<'a>(&'a [RecordChange]);

impl Serialize for Changes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for c in self.0 {
            seq.serialize_element(&ChangeSer(c))?;
        }
        seq.end()
    }
}

// The change objects are written field by field, in the shape of the module doc (the
// snapshot tests pin the bytes): a diff of a million records has about as many
// changes, and building a JSON map for each took half of the run. [`to_json`] is made
// by the same serialisers.

struct ChangeSer<'a>(&'a RecordChange);

impl Serialize for ChangeSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("entity", &*c.entity)?;
        m.serialize_entry("key", &*c.key)?;
        m.serialize_entry("rule", &*c.rule)?;
        m.serialize_entry("family", c.family.name())?;
        m.serialize_entry("before", &SideSer(c.before.as_deref()))?;
        m.serialize_entry("after", &SideSer(c.after.as_deref()))?;
        m.serialize_entry("change", &c.change.map(plain_decimal))?;
        m.serialize_entry("causes", &CausesSer(&c.causes))?;
        m.end()
    }
}

struct SideSer<'a>(Option<&'a OutcomeView>);

impl Serialize for SideSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Some(v) = self.0 else {
            return s.serialize_none();
        };
        let kept: Vec<_> = fields(v)
            .into_iter()
            .filter(|(k, _)| !matches!(*k, "entity" | "key" | "rule" | "family"))
            .collect();
        let mut m = s.serialize_map(Some(kept.len()))?;
        for (k, v) in &kept {
            m.serialize_entry(k, &v.as_deref())?;
        }
        m.end()
    }
}

struct CausesSer<'a>(&'a [Cause]);

impl Serialize for CausesSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for c in self.0 {
            seq.serialize_element(&CauseSer(c))?;
        }
        seq.end()
    }
}

struct CauseSer<'a>(&'a Cause);

impl Serialize for CauseSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match self.0 {
            Cause::RuleAdded => m.serialize_entry("cause", "rule_added")?,
            Cause::RuleRemoved => m.serialize_entry("cause", "rule_removed")?,
            Cause::RuleChanged {
                overridden,
                cite,
                changes,
            } => {
                m.serialize_entry("cause", "rule_changed")?;
                m.serialize_entry("overridden", overridden)?;
                m.serialize_entry("cite", cite)?;
                m.serialize_entry("changes", &DefChangesSer(changes))?;
            }
            Cause::ParamChanged {
                name,
                base,
                revised,
            } => {
                m.serialize_entry("cause", "param_changed")?;
                m.serialize_entry("name", name)?;
                m.serialize_entry("base", base)?;
                m.serialize_entry("revised", revised)?;
            }
            Cause::LetChanged {
                name,
                base,
                revised,
            } => {
                m.serialize_entry("cause", "let_changed")?;
                m.serialize_entry("name", name)?;
                m.serialize_entry("base", base)?;
                m.serialize_entry("revised", revised)?;
            }
            Cause::ExceptionChanged { base, revised } => {
                m.serialize_entry("cause", "exception_changed")?;
                m.serialize_entry("base", base)?;
                m.serialize_entry("revised", revised)?;
            }
            Cause::WhenChanged { base, revised } => {
                m.serialize_entry("cause", "when_changed")?;
                m.serialize_entry("base", base)?;
                m.serialize_entry("revised", revised)?;
            }
            Cause::TierRow { base, revised } => {
                m.serialize_entry("cause", "tier_row")?;
                m.serialize_entry("base", base)?;
                m.serialize_entry("revised", revised)?;
            }
        }
        m.end()
    }
}

struct DefChangesSer<'a>(&'a [DefChange]);

impl Serialize for DefChangesSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(DefChangeSer))
    }
}

struct DefChangeSer<'a>(&'a DefChange);

impl Serialize for DefChangeSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Written for every change of a changed rule (a million times in a large
        // diff): field by field.
        let pair = |base, revised| vec![("base", base), ("revised", revised)];
        let (change, entries): (&str, Vec<(&str, Option<&str>)>) = match self.0 {
            DefChange::Family { base, revised } => {
                ("family", pair(Some(base.name()), Some(revised.name())))
            }
            DefChange::Cite { base, revised } => {
                ("cite", pair(base.as_deref(), revised.as_deref()))
            }
            DefChange::WhenRemoved(t) => ("when_removed", vec![("when", Some(t))]),
            DefChange::WhenAdded(t) => ("when_added", vec![("when", Some(t))]),
            DefChange::Outcome { base, revised } => ("outcome", pair(Some(base), Some(revised))),
            DefChange::ExceptionAdded(n) => ("exception_added", vec![("exception", Some(n))]),
            DefChange::ExceptionRemoved(n) => ("exception_removed", vec![("exception", Some(n))]),
            DefChange::ExceptionChanged(n) => ("exception_changed", vec![("exception", Some(n))]),
        };
        let mut m = s.serialize_map(Some(entries.len() + 1))?;
        m.serialize_entry("change", change)?;
        for (k, v) in entries {
            m.serialize_entry(k, &v)?;
        }
        m.end()
    }
}

/// Every key before `changes`.
fn head(d: &Diff) -> serde_json::Result<Map<String, Json>> {
    let mut m = Map::new();
    m.insert("base".into(), policy(&d.base));
    m.insert("revised".into(), policy(&d.revised));
    m.insert("budget".into(), Json::Object(money(&d.budget)));
    let families = d.families.iter().map(|f| {
        let mut o = Map::new();
        o.insert("family".into(), json!(f.family.name()));
        match &f.money {
            Some(mo) => o.extend(money(mo)),
            None => {
                o.insert("violations_base".into(), json!(f.violations.0));
                o.insert("violations_revised".into(), json!(f.violations.1));
            }
        }
        Json::Object(o)
    });
    m.insert("families".into(), Json::Array(families.collect()));
    let rules = d
        .rules
        .iter()
        .map(rule)
        .collect::<serde_json::Result<_>>()?;
    m.insert("rules".into(), Json::Array(rules));
    let statuses = d
        .statuses
        .iter()
        .map(|s| json!({"status": s.status.name(), "base": s.base, "revised": s.revised}));
    m.insert("statuses".into(), statuses.collect());
    let breakdowns = d.breakdowns.iter().map(|b| {
        let rows = b.rows.iter().map(|r| {
            let mut o = Map::new();
            o.insert("value".into(), json!(r.value));
            o.extend(money(&r.money));
            o.insert("changed".into(), json!(r.changed));
            o.insert("new_violations".into(), json!(r.new_violations));
            Json::Object(o)
        });
        json!({"field": b.field, "rows": rows.collect::<Vec<_>>()})
    });
    m.insert("breakdowns".into(), breakdowns.collect());
    Ok(m)
}

fn policy(p: &PolicyRef) -> Json {
    json!({"policy": p.name, "version": p.version,
           "as_of": p.as_of.format("%Y-%m-%d").to_string()})
}

fn money(m: &Money) -> Map<String, Json> {
    let mut o = Map::new();
    if m.overflow {
        for k in ["base", "revised", "change", "percent"] {
            o.insert(k.into(), Json::Null);
        }
        return o;
    }
    o.insert("base".into(), json!(plain_decimal(m.base)));
    o.insert("revised".into(), json!(plain_decimal(m.revised)));
    o.insert("change".into(), json!(m.change().map(plain_decimal)));
    o.insert("percent".into(), json!(m.percent().map(plain_decimal)));
    o
}

fn counts(c: &[usize; 5]) -> Json {
    let mut o = Map::new();
    for (k, n) in StatusKind::ALL.iter().zip(c) {
        o.insert(k.name().into(), json!(n));
    }
    Json::Object(o)
}

fn rule(r: &RuleDelta) -> serde_json::Result<Json> {
    let mut o = Map::new();
    o.insert("rule".into(), json!(r.name));
    o.insert("entity".into(), json!(r.entity));
    o.insert("family".into(), json!(r.family.name()));
    o.insert("presence".into(), json!(r.presence.name()));
    o.insert("cite".into(), json!(r.cite));
    o.extend(money(&r.money));
    o.insert("counts_base".into(), counts(&r.base_counts));
    o.insert("counts_revised".into(), counts(&r.revised_counts));
    o.insert("changed".into(), json!(r.changed));
    o.insert("causes".into(), serde_json::to_value(CausesSer(&r.causes))?);
    Ok(Json::Object(o))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ast::Family;
    use rust_decimal::Decimal;
    use std::sync::Arc;

    /// Parts small and larger than a run, gathered by the other thread, come out in
    /// order with a comma between two; a part that cannot be read stops the copy with
    /// its error.
    #[test]
    fn parts_are_copied_in_order_across_runs() {
        let sizes = [1, RUN - 1, 10, RUN + 7, 3 * RUN / 2, 5];
        let parts: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(k, &n)| (0..n).map(|i| b'a' + ((i + k) % 26) as u8).collect())
            .collect();
        let mut readers: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
        let mut out = Vec::new();
        copy_parts(&mut readers, &mut out).unwrap();
        assert!(out == parts.join(&b','), "{} bytes", out.len());

        struct Broken;
        impl io::Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("damaged"))
            }
        }
        let mut broken = [io::BufReader::new(Broken)];
        let err = copy_parts(&mut broken, &mut Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "damaged");
    }

    fn view(status: StatusKind) -> OutcomeView {
        OutcomeView {
            entity: Arc::from("企业"),
            key: "F\"1".into(),
            rule: Arc::from("入园奖励"),
            family: Some(Family::Subsidy),
            status,
            amount: None,
            cite: None,
            exception: None,
            message: None,
            failed_when: None,
            error: None,
            location: None,
            eval_error: None,
        }
    }

    /// Every shape a change object takes: each status of a side, a side missing,
    /// texts to escape (quotes, backslashes, line ends, control characters), no
    /// causes, causes shared and causes of every kind.
    fn changes() -> Vec<RecordChange> {
        let amount = OutcomeView {
            amount: Some(Decimal::new(-12_345, 2)),
            cite: Some(Arc::from("第\\一条")),
            exception: Some(Arc::from("腾退\n企业")),
            ..view(StatusKind::Amount)
        };
        let paid = OutcomeView {
            amount: Some(Decimal::new(5_000_000, 0)),
            ..view(StatusKind::Amount)
        };
        let violation = OutcomeView {
            message: Some("须不低于 \"15 万元/亩\"\t\u{1}".into()),
            ..view(StatusKind::Violation)
        };
        let na = OutcomeView {
            failed_when: Some(Arc::from("亩均税收 >= 30 万元/亩")),
            ..view(StatusKind::NotApplicable)
        };
        let error = OutcomeView {
            error: Some("division by zero".into()),
            location: Some("奖补.rules:3:9".into()),
            ..view(StatusKind::Error)
        };
        let shared: Arc<[Cause]> = Arc::from(vec![
            Cause::ParamChanged {
                name: "奖励比例".into(),
                base: Some("10%".into()),
                revised: None,
            },
            Cause::RuleChanged {
                overridden: true,
                cite: Some("第\"二\"条".into()),
                changes: vec![
                    DefChange::Family {
                        base: Family::Subsidy,
                        revised: Family::Reward,
                    },
                    DefChange::Cite {
                        base: None,
                        revised: Some("x".into()),
                    },
                    DefChange::WhenRemoved("a\nb".into()),
                    DefChange::Outcome {
                        base: "1 万元".into(),
                        revised: "2 万元".into(),
                    },
                    DefChange::ExceptionAdded("e".into()),
                ],
            },
            Cause::WhenChanged {
                base: None,
                revised: Some("w".into()),
            },
        ]);
        let change =
            |before: Option<&OutcomeView>, after: Option<&OutcomeView>, causes| RecordChange {
                entity: Arc::from("企业"),
                key: "F\"1".into(),
                rule: Arc::from("入园奖励"),
                family: Family::Subsidy,
                before: before.cloned().map(Box::new),
                after: after.cloned().map(Box::new),
                change: Some(Decimal::new(7, 1)),
                causes,
            };
        let all = [&amount, &paid, &violation, &na, &error];
        let mut out = Vec::new();
        for b in all {
            for a in all {
                out.push(change(Some(b), Some(a), Arc::clone(&shared)));
            }
            out.push(change(Some(b), None, Arc::from(vec![Cause::RuleRemoved])));
            out.push(RecordChange {
                change: None,
                ..change(None, Some(b), Arc::from(Vec::new()))
            });
        }
        out
    }

    /// Each change object is serde_json's compact printing of it, on a line of its own
    /// at the array's indent.
    #[test]
    fn changes_printed_directly_are_the_compact_printers_bytes() {
        let changes = changes();
        let printed = String::from_utf8(print_changes(&changes, true).unwrap()).unwrap();
        let mut expected = String::new();
        for (i, c) in changes.iter().enumerate() {
            expected.push_str(if i == 0 { "\n    " } else { ",\n    " });
            expected.push_str(&serde_json::to_string(&ChangeSer(c)).unwrap());
        }
        assert_eq!(printed, expected);
        // A run printed after the first starts with the separator.
        let later =
            String::from_utf8(print_changes(changes.get(..1).unwrap(), false).unwrap()).unwrap();
        assert!(later.starts_with(",\n    {\"entity\":"), "{later}");
    }
}
