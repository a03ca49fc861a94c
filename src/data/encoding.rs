//! Which encoding a CSV file is in: UTF-8, or GB18030 (GBK's superset) as CSV files
//! saved by Excel or WPS on Chinese Windows are.
//!
//! Consumes the file's bytes and the names its header should hold; produces a reader
//! of UTF-8 bytes and the encoding it decoded from. A file that is valid UTF-8 at the
//! start is read as UTF-8 (an invalid byte later is reported by the UTF-8 reader,
//! with its offset). Otherwise its header line is decoded as GB18030, strictly (no
//! replacement character, ever): if that names more of the entity's fields than the
//! UTF-8 reading does, the whole file is decoded as GB18030, and a byte sequence
//! GB18030 has no character for stops the read with its offset. So a file is never
//! read as mojibake: either its header makes sense in the encoding chosen, or the read
//! fails naming the file and the byte.
//!
//! With an encoding given (`--encoding utf-8|gbk|gb18030`, [`Choice`]) nothing is
//! guessed: UTF-8 is read strictly (the first invalid byte is an error), and GB18030
//! too (GBK is its subset). UTF-8 text decodes as GB18030 without error more often
//! than not, as mojibake, so a file given as GB18030 whose first 64 KiB (the header and
//! the first rows) are valid UTF-8 with a non-ASCII character is an error naming the
//! first such byte.

use encoding_rs::{DecoderResult, GB18030};
use std::cell::Cell;
use std::io::{self, Cursor, Read};
use std::rc::Rc;

/// Bytes looked at to choose the encoding.
const SNIFF: usize = 64 * 1024;

/// The offset of the first byte GB18030 could not decode, once one is found.
pub type BadGb = Rc<Cell<Option<u64>>>;

/// The encodings a CSV file may be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gb18030,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030 (GBK)",
        }
    }
}

/// The encoding a user asked for (`--encoding`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Choice {
    /// Detect UTF-8 or GB18030 (see the module doc).
    #[default]
    Auto,
    Utf8,
    /// GBK or GB18030 (read as GB18030, GBK's superset).
    Gb18030,
}

impl Choice {
    /// `utf-8`, `gbk`, `gb18030`, `auto` (any case; `utf8` too).
    pub fn from_name(s: &str) -> Option<Choice> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Some(Choice::Auto),
            "utf-8" | "utf8" => Some(Choice::Utf8),
            "gbk" | "gb18030" => Some(Choice::Gb18030),
            _ => None,
        }
    }
}

/// Why a file cannot be read in the encoding asked for.
#[derive(Debug)]
pub enum OpenError {
    Io(io::Error),
    /// Asked for GB18030, the file reads as UTF-8: this byte starts its first
    /// non-ASCII character.
    LooksUtf8 {
        offset: u64,
    },
}

/// Open `input` in the encoding asked for; the reader gives UTF-8 bytes (see the
/// module doc).
pub fn open(
    input: Box<dyn Read>,
    names: &[&str],
    choice: Choice,
) -> Result<(Box<dyn Read>, Encoding, BadGb), OpenError> {
    match choice {
        Choice::Auto => sniff(input, names).map_err(OpenError::Io),
        Choice::Utf8 => Ok((input, Encoding::Utf8, Rc::new(Cell::new(None)))),
        Choice::Gb18030 => {
            let mut input = input;
            let mut prefix = Vec::with_capacity(SNIFF);
            (&mut input)
                .take(SNIFF as u64)
                .read_to_end(&mut prefix)
                .map_err(OpenError::Io)?;
            if let Some(offset) = utf8_non_ascii(&prefix, prefix.len() < SNIFF) {
                return Err(OpenError::LooksUtf8 { offset });
            }
            let bad: BadGb = Rc::new(Cell::new(None));
            let whole = Box::new(Cursor::new(prefix).chain(input));
            let reader = Box::new(Gb18030Reader::new(whole, Rc::clone(&bad)));
            Ok((reader, Encoding::Gb18030, bad))
        }
    }
}

/// The offset of the first non-ASCII byte of bytes that are valid UTF-8 (a character
/// cut at the end of a prefix allowed); 0 for a UTF-8 byte order mark; `None` for
/// ASCII or bytes that are not UTF-8.
fn utf8_non_ascii(bytes: &[u8], at_end: bool) -> Option<u64> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return Some(0);
    }
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && !at_end,
    };
    let first = bytes.iter().position(|b| !b.is_ascii())?;
    valid.then_some(first as u64)
}

/// Choose the encoding of `input` (see the module doc); the reader gives UTF-8 bytes.
pub fn sniff(
    mut input: Box<dyn Read>,
    names: &[&str],
) -> io::Result<(Box<dyn Read>, Encoding, BadGb)> {
    let mut prefix = Vec::with_capacity(SNIFF);
    (&mut input).take(SNIFF as u64).read_to_end(&mut prefix)?;
    let at_end = prefix.len() < SNIFF;
    let bad: BadGb = Rc::new(Cell::new(None));
    let encoding = choose(&prefix, at_end, names);
    let whole = Box::new(Cursor::new(prefix).chain(input));
    let reader: Box<dyn Read> = match encoding {
        Encoding::Utf8 => whole,
        Encoding::Gb18030 => Box::new(Gb18030Reader::new(whole, Rc::clone(&bad))),
    };
    Ok((reader, encoding, bad))
}

fn choose(prefix: &[u8], at_end: bool, names: &[&str]) -> Encoding {
    match std::str::from_utf8(prefix) {
        Ok(_) => return Encoding::Utf8,
        // Cut inside a character at the end of the sniffed part: still UTF-8.
        Err(e) if e.error_len().is_none() && !at_end => return Encoding::Utf8,
        Err(_) => {}
    }
    let header = match prefix.iter().position(|&b| b == b'\n') {
        Some(n) => prefix.get(..n).unwrap_or(prefix),
        None => prefix,
    };
    let header = header.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(header);
    let matches = |text: &str| {
        text.split(',')
            .filter(|h| names.contains(&h.trim().trim_matches('"')))
            .count()
    };
    let utf8 = std::str::from_utf8(header).map_or(0, matches);
    let gb = GB18030
        .decode_without_bom_handling_and_without_replacement(header)
        .map_or(0, |text| matches(&text));
    if gb > utf8 {
        Encoding::Gb18030
    } else {
        Encoding::Utf8
    }
}

/// Decodes GB18030 to UTF-8 as it is read; stops at the first undecodable byte,
/// keeping its offset in `bad`.
struct Gb18030Reader {
    inner: Box<dyn Read>,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    /// `input[start..end]` is read but not decoded yet.
    start: usize,
    end: usize,
    eof: bool,
    /// The decoder was told the input ended (it must not be called again).
    finished: bool,
    /// File offset of `input[start]`.
    offset: u64,
    output: Vec<u8>,
    /// `output[out_start..out_end]` is decoded but not handed out yet.
    out_start: usize,
    out_end: usize,
    bad: BadGb,
}

const CAP: usize = 64 * 1024;

impl Gb18030Reader {
    fn new(inner: Box<dyn Read>, bad: BadGb) -> Self {
        Gb18030Reader {
            inner,
            decoder: GB18030.new_decoder_without_bom_handling(),
            input: vec![0; CAP],
            start: 0,
            end: 0,
            eof: false,
            finished: false,
            offset: 0,
            // UTF-8 takes at most 3 bytes per 2 GB18030 bytes (4 for 4): twice is room.
            output: vec![0; 2 * CAP + 16],
            out_start: 0,
            out_end: 0,
            bad,
        }
    }

    /// Decode more; `Ok(false)` when everything has been handed out.
    fn decode_more(&mut self) -> io::Result<bool> {
        if self.finished {
            return Ok(false);
        }
        if self.start == self.end && !self.eof {
            self.start = 0;
            self.end = 0;
            let n = self.inner.read(self.input.as_mut_slice())?;
            self.end = n;
            self.eof = n == 0;
        }
        let pending = self.input.get(self.start..self.end).unwrap_or_default();
        let output = self.output.as_mut_slice();
        let (result, read, written) = self
            .decoder
            .decode_to_utf8_without_replacement(pending, output, self.eof);
        self.start += read;
        self.offset += read as u64;
        self.out_start = 0;
        self.out_end = written;
        match result {
            DecoderResult::Malformed(bad, after) => {
                // The bad bytes end `after` bytes before what was read.
                let back = u64::from(bad) + u64::from(after);
                let at = self.offset.saturating_sub(back);
                self.bad.set(Some(at));
                Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("invalid GB18030 at byte {at}"),
                ))
            }
            DecoderResult::InputEmpty => {
                self.finished = self.eof;
                Ok(written > 0 || !self.eof)
            }
            DecoderResult::OutputFull => Ok(true),
        }
    }
}

impl Read for Gb18030Reader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_start == self.out_end {
            if !self.decode_more()? {
                return Ok(0);
            }
        }
        let ready = self
            .output
            .get(self.out_start..self.out_end)
            .unwrap_or_default();
        let n = ready.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), ready.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        GB18030.encode(s).0.into_owned()
    }

    fn read_all(bytes: Vec<u8>, names: &[&str]) -> (io::Result<String>, Encoding, BadGb) {
        let (mut r, enc, bad) = match sniff(Box::new(Cursor::new(bytes)), names) {
            Ok(x) => x,
            Err(e) => return (Err(e), Encoding::Utf8, Rc::new(Cell::new(None))),
        };
        let mut s = String::new();
        let res = r.read_to_string(&mut s).map(|_| s);
        (res, enc, bad)
    }

    #[test]
    fn a_gbk_file_reads_as_its_text() {
        let text = "编号,名称\nPH-001,平湖市当湖街道小微企业园\n";
        let (got, enc, _) = read_all(gbk(text), &["编号", "名称"]);
        assert_eq!(enc, Encoding::Gb18030);
        assert_eq!(got.ok().as_deref(), Some(text));
    }

    #[test]
    fn a_long_gbk_file_decodes_across_buffers() {
        let mut text = String::from("编号,名称\n");
        for i in 0..20_000 {
            text.push_str(&format!("PH-{i},平湖市第{i}号园区\n"));
        }
        let (got, enc, _) = read_all(gbk(&text), &["编号", "名称"]);
        assert_eq!(enc, Encoding::Gb18030);
        assert_eq!(got.ok(), Some(text));
    }

    #[test]
    fn utf8_stays_utf8() {
        let text = "编号,名称\nPH-001,园区\n";
        let (got, enc, _) = read_all(text.as_bytes().to_vec(), &["编号", "名称"]);
        assert_eq!(enc, Encoding::Utf8);
        assert_eq!(got.ok().as_deref(), Some(text));
    }

    #[test]
    fn a_utf8_header_with_gbk_rows_stays_utf8() {
        // Mixed: the UTF-8 reader will report the first GBK byte.
        let mut bytes = "编号,名称\n".as_bytes().to_vec();
        bytes.extend(gbk("PH-001,平湖\n"));
        let (_, enc, _) = read_all(bytes, &["编号", "名称"]);
        assert_eq!(enc, Encoding::Utf8);
    }

    #[test]
    fn a_utf8_file_given_as_gbk_is_found_out() {
        let text = "编号,名称\nPH-001,园区\n";
        let open = |bytes: Vec<u8>| match open(Box::new(Cursor::new(bytes)), &[], Choice::Gb18030) {
            Err(OpenError::LooksUtf8 { offset }) => Some(offset),
            _ => None,
        };
        assert_eq!(open(text.as_bytes().to_vec()), Some(0));
        assert_eq!(open(format!("id,{text}").into_bytes()), Some(3));
        assert_eq!(open(gbk(text)), None);
        assert_eq!(open(b"a,b\n1,2\n".to_vec()), None);
    }

    #[test]
    fn an_undecodable_byte_stops_the_read_with_its_offset() {
        let mut bytes = gbk("编号,名称\nPH-001,");
        let offset = bytes.len() as u64;
        bytes.extend([0xFF, 0xFF, b'\n']);
        let (got, enc, bad) = read_all(bytes, &["编号", "名称"]);
        assert_eq!(enc, Encoding::Gb18030);
        assert!(got.is_err());
        assert_eq!(bad.get(), Some(offset));
    }
}
