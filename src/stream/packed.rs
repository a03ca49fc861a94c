//! The outcomes of an entity evaluated early, packed while they wait for their turn in
//! report order.
//!
//! Consumes the outcomes of a run of records (as [`pack`] evaluates them); produces
//! a compact binary form of them, and from it ([`unpack`]) the jsonl lines that
//! [`LineWriter`] would have written at once, byte for byte. What depends only on the
//! rule (entity, rule and family names, cites, `when` texts) is not packed: a line of
//! 150 to 250 bytes packs into the record's key, a rule number, a status and what the
//! status carries (an amount, a `when` number, a message). A million firms' outcomes
//! are 480 MB of lines; packed, with the transfers' outcomes, they are 31 MB, which
//! the temporary file holds as they are (LZ4 made them 17 MB, for 5% of eval's
//! instructions), and the lines are made from the packs on every core when their
//! turn comes.
//!
//! Layout of one record: its key (length, bytes), the number of its outcomes, then per
//! outcome the rule's index, the exception's (0: the rule's own body, else index + 1),
//! a tag and the status's data:
//!
//! | tag | status | data |
//! |---|---|---|
//! | 0 | `amount` | the decimal's 16 bytes ([`Decimal::serialize`]) |
//! | 1 | `not_applicable` | the failed `when`'s index |
//! | 2 | `pass` | |
//! | 3 | `violation` | the message (length, UTF-8 bytes) |
//! | 4 | `error` | the whole line as written (length, bytes) |
//! | 5 | `violation` | none: the message of the pack's previous violation |
//!
//! Numbers and lengths are LEB128 varints. The bytes are written by this process and
//! read back by it; bytes that do not decode are an `InvalidData` error, never a
//! panic.

use crate::data::Record;
use crate::eval::{Evaluator, Outcome, Scratch, Status};
use crate::program::{EntityId, RuleId};
use crate::report::jsonl::LineWriter;
use crate::value::Text;
use rust_decimal::Decimal;
use std::io::{self, Read, Write};

/// The packed outcomes of a run of records.
#[derive(Debug, Default)]
pub(crate) struct Packed {
    pub bytes: Vec<u8>,
    pub outcomes: usize,
    /// Outcomes with status `error`.
    pub errors: usize,
}

const AMOUNT: u8 = 0;
const NOT_APPLICABLE: u8 = 1;
const PASS: u8 = 2;
const VIOLATION: u8 = 3;
const LINE: u8 = 4;
/// A violation whose message is the previous violation's (of one pack): most
/// messages show only params (`入园须亩均税收不低于 15万元/亩…`).
const SAME_VIOLATION: u8 = 5;

/// Bytes reserved per record packed (a key and two or three outcomes).
const RECORD_ROOM: usize = 48;

/// Evaluate `records` (the first at index `first` of `entity`'s input) and pack
/// their outcomes.
pub(crate) fn pack(
    ev: &Evaluator<'_>,
    writer: &LineWriter<'_>,
    entity: EntityId,
    first: usize,
    records: &[Record],
) -> Packed {
    let mut scratch = Scratch::default();
    let mut out: Vec<Outcome> = Vec::new();
    let mut last_message = None;
    let mut p = Packed {
        bytes: Vec::with_capacity(records.len().saturating_mul(RECORD_ROOM)),
        ..Packed::default()
    };
    for (i, r) in records.iter().enumerate() {
        ev.record_outcomes_in(&mut scratch, entity, first.saturating_add(i), r, &mut out);
        put_bytes(&mut p.bytes, r.key.as_bytes());
        put_num(&mut p.bytes, out.len());
        for o in out.drain(..) {
            p.outcomes += 1;
            p.errors += usize::from(matches!(o.status, Status::Error(_)));
            put_outcome(&mut p.bytes, writer, &r.key, o, &mut last_message);
        }
    }
    p
}

/// Pack one outcome; `last_message`: the pack's previous violation's message. The
/// key is read as a `str` only for an error's line (reading it checks its bytes again:
/// 2% of eval's instructions when done for every outcome).
fn put_outcome(
    w: &mut Vec<u8>,
    writer: &LineWriter<'_>,
    key: &Text,
    o: Outcome,
    last_message: &mut Option<String>,
) {
    put_num(w, o.rule.0);
    put_num(w, o.exception.map_or(0, |x| x.saturating_add(1)));
    match &o.status {
        Status::Amount(d) => {
            w.push(AMOUNT);
            w.extend_from_slice(&d.serialize());
        }
        Status::NotApplicable { when } => {
            w.push(NOT_APPLICABLE);
            put_num(w, *when);
        }
        Status::Pass => w.push(PASS),
        Status::Violation { message } if last_message.as_ref() == Some(message) => {
            w.push(SAME_VIOLATION);
        }
        Status::Violation { message } => {
            w.push(VIOLATION);
            put_bytes(w, message.as_bytes());
            *last_message = Some(message.clone());
        }
        Status::Error(_) => {
            // An error's line names its place in the policy: written now, whole.
            let mut line = Vec::new();
            // Writing to a Vec cannot fail.
            let _ = writer.write(&mut line, key.as_str(), &o);
            w.push(LINE);
            put_bytes(w, &line);
        }
    }
}

/// The jsonl lines of packed outcomes of `entity`, appended to `out`.
pub(crate) fn unpack(
    bytes: &[u8],
    writer: &LineWriter<'_>,
    entity: EntityId,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    let mut r = Reader { bytes };
    // The last violation's message: one buffer, lent to each violation written.
    let mut message = String::new();
    while !r.bytes.is_empty() {
        let key = std::str::from_utf8(r.take_bytes()?).map_err(|_| bad())?;
        for _ in 0..r.num()? {
            let rule = RuleId(r.num()?);
            let exception = r.num()?.checked_sub(1);
            let status = match r.byte()? {
                AMOUNT => Status::Amount(Decimal::deserialize(r.array()?)),
                NOT_APPLICABLE => Status::NotApplicable { when: r.num()? },
                PASS => Status::Pass,
                VIOLATION => {
                    message.clear();
                    message.push_str(std::str::from_utf8(r.take_bytes()?).map_err(|_| bad())?);
                    Status::Violation {
                        message: std::mem::take(&mut message),
                    }
                }
                SAME_VIOLATION => Status::Violation {
                    message: std::mem::take(&mut message),
                },
                LINE => {
                    out.extend_from_slice(r.take_bytes()?);
                    continue;
                }
                _ => return Err(bad()),
            };
            let o = Outcome {
                entity,
                record: 0,
                rule,
                status,
                exception,
            };
            writer.write(out, key, &o)?;
            if let Status::Violation { message: lent } = o.status {
                message = lent;
            }
        }
    }
    Ok(())
}

/// Write one pack to a temporary file: its length (8 bytes, little-endian), then it.
pub(crate) fn write_to(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let len = u64::try_from(bytes.len()).map_err(|_| bad())?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(bytes)
}

/// Read the next pack written by [`write_to`]; `None` at the end.
pub(crate) fn read_from(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 8];
    let mut got = 0;
    while let Some(rest) = len.get_mut(got..).filter(|rest| !rest.is_empty()) {
        match r.read(rest)? {
            0 if got == 0 => return Ok(None),
            0 => return Err(bad()),
            n => got += n,
        }
    }
    let len = u64::from_le_bytes(len);
    let mut bytes = Vec::new();
    r.take(len).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).ok() != Some(len) {
        return Err(bad());
    }
    Ok(Some(bytes))
}

fn put_num(w: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        w.push((n as u8 & 0x7F) | 0x80);
        n >>= 7;
    }
    w.push(n as u8);
}

fn put_bytes(w: &mut Vec<u8>, bytes: &[u8]) {
    put_num(w, bytes.len());
    w.extend_from_slice(bytes);
}

fn bad() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the temporary file of outcomes does not read back as written",
    )
}

/// Packed bytes being read.
struct Reader<'b> {
    bytes: &'b [u8],
}

impl<'b> Reader<'b> {
    fn byte(&mut self) -> io::Result<u8> {
        let (&b, rest) = self.bytes.split_first().ok_or_else(bad)?;
        self.bytes = rest;
        Ok(b)
    }

    fn num(&mut self) -> io::Result<usize> {
        let mut n = 0usize;
        for shift in (0..usize::BITS).step_by(7) {
            let b = self.byte()?;
            n |= usize::from(b & 0x7F).checked_shl(shift).ok_or_else(bad)?;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err(bad())
    }

    fn take(&mut self, len: usize) -> io::Result<&'b [u8]> {
        if len > self.bytes.len() {
            return Err(bad());
        }
        let (taken, rest) = self.bytes.split_at(len);
        self.bytes = rest;
        Ok(taken)
    }

    fn take_bytes(&mut self) -> io::Result<&'b [u8]> {
        let len = self.num()?;
        self.take(len)
    }

    fn array<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        self.take(N)?.try_into().map_err(|_| bad())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_back() {
        for n in [0, 1, 127, 128, 300, 16_383, 16_384, usize::MAX] {
            let mut w = Vec::new();
            put_num(&mut w, n);
            let mut r = Reader { bytes: &w };
            assert_eq!(r.num().unwrap(), n);
            assert!(r.bytes.is_empty());
        }
    }

    #[test]
    fn cut_or_overlong_bytes_are_errors() {
        let mut w = Vec::new();
        put_bytes(&mut w, "企业".as_bytes());
        for cut in 0..w.len() {
            assert!(Reader { bytes: &w[..cut] }.take_bytes().is_err(), "{cut}");
        }
        let overlong = [0xFFu8; 11];
        assert!(Reader { bytes: &overlong }.num().is_err());
    }
}
