//! Bytes kept for later in an unnamed temporary file (in `TMPDIR`, removed when
//! closed), compressed as they are written or not.
//!
//! Consumes bytes (the packed outcomes of an entity evaluated early, a diff's change
//! objects) while what must be written before them is still being computed; produces
//! them again, in order, once ([`SpillFile::reader`]). A diff's changes are compressed
//! with LZ4 ([`SpillFile::blocks`]): a million firms' changes are 775 MB of JSON that
//! compress to 41 MB, and writing that much to a file and reading it back cost
//! more than the compression does (on the benchmark machine, writing a gigabyte to the
//! page cache took 0.3 to 2.5 s of kernel time; compressing it takes 0.5 s). They are
//! compressed in blocks by the threads that print them ([`compress_block`]), each
//! block written with its length ([`SpillFile::write_block`]), so that the one thread
//! that keeps the changes in order does not compress them all. Packed outcomes are
//! already dense (31 MB for a million firms, 17 MB compressed) and are written as
//! they are ([`SpillFile::plain`]): compressing them was 5% of eval's instructions.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, Write};

/// A temporary file being written (see the module doc).
pub struct SpillFile {
    encoder: Encoder,
}

enum Encoder {
    Plain(BufWriter<File>),
    /// LZ4 blocks compressed by the writer, each after its length (8 bytes, little
    /// endian).
    Blocks(BufWriter<File>),
}

impl std::fmt::Debug for SpillFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpillFile")
    }
}

impl SpillFile {
    /// A new empty file in `TMPDIR`, not compressed: for bytes already dense.
    pub fn plain() -> io::Result<SpillFile> {
        let file = tempfile::tempfile()?;
        Ok(SpillFile {
            encoder: Encoder::Plain(BufWriter::with_capacity(READ_BUF, file)),
        })
    }

    /// A new empty file in `TMPDIR` of blocks compressed by [`compress_block`] (on any
    /// thread) and written by [`SpillFile::write_block`].
    pub fn blocks() -> io::Result<SpillFile> {
        let file = tempfile::tempfile()?;
        Ok(SpillFile {
            encoder: Encoder::Blocks(BufWriter::with_capacity(READ_BUF, file)),
        })
    }

    /// Write a block made by [`compress_block`]: its bytes come back as they were
    /// before it was compressed. In a file of [`SpillFile::blocks`] only.
    pub fn write_block(&mut self, block: &[u8]) -> io::Result<()> {
        let Encoder::Blocks(w) = &mut self.encoder else {
            return Err(io::Error::other(
                "a compressed block in a file not of blocks",
            ));
        };
        let len = u64::try_from(block.len()).map_err(io::Error::other)?;
        w.write_all(&len.to_le_bytes())?;
        w.write_all(block)
    }

    /// Everything written, from the start.
    pub fn reader(self) -> io::Result<Spilled> {
        match self.encoder {
            Encoder::Plain(writer) => {
                let mut file = writer.into_inner().map_err(|e| e.into_error())?;
                file.rewind()?;
                Ok(Spilled {
                    decoder: Decoder::Plain(BufReader::with_capacity(READ_BUF, file)),
                })
            }
            Encoder::Blocks(writer) => {
                let mut file = writer.into_inner().map_err(|e| e.into_error())?;
                file.rewind()?;
                Ok(Spilled {
                    decoder: Decoder::Blocks {
                        file: BufReader::with_capacity(READ_BUF, file),
                        compressed: Vec::new(),
                        block: Vec::new(),
                        at: 0,
                    },
                })
            }
        }
    }
}

/// `bytes` compressed as one block of a file of [`SpillFile::blocks`]: their length
/// (4 bytes, little endian), then the LZ4 block.
///
/// The block is made in a buffer the thread keeps, then copied out at its size (a
/// fifteenth of the bytes or so): the one-call form zero-fills a new buffer as large
/// as the bytes for each block, 2 GB of zeroes for a million firms' changes.
pub fn compress_block(bytes: &[u8]) -> io::Result<Vec<u8>> {
    thread_local! {
        static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    let size = u32::try_from(bytes.len()).map_err(io::Error::other)?;
    SCRATCH.with_borrow_mut(|scratch| {
        let room = lz4_flex::block::get_maximum_output_size(bytes.len());
        if scratch.len() < room {
            scratch.resize(room, 0);
        }
        let n = lz4_flex::block::compress_into(bytes, scratch).map_err(io::Error::other)?;
        let made = scratch
            .get(..n)
            .ok_or_else(|| io::Error::other("a compressed block longer than its buffer"))?;
        let mut block = Vec::with_capacity(4 + made.len());
        block.extend_from_slice(&size.to_le_bytes());
        block.extend_from_slice(made);
        Ok(block)
    })
}

/// The largest block read back (its bytes before compression): blocks are written by
/// this process, a run of change objects each (about a megabyte); a larger size read
/// means the file is damaged.
const MAX_BLOCK: usize = 1 << 30;

/// Compressed bytes read from the file at a time.
const READ_BUF: usize = 256 * 1024;

impl Write for SpillFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf).map(|()| buf.len())
    }

    /// In a file of [`SpillFile::blocks`], `buf` is compressed here, as one block.
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.encoder {
            Encoder::Plain(w) => w.write_all(buf),
            Encoder::Blocks(_) if buf.is_empty() => Ok(()),
            Encoder::Blocks(_) => self.write_block(&compress_block(buf)?),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.encoder {
            Encoder::Plain(w) | Encoder::Blocks(w) => w.flush(),
        }
    }
}

/// The bytes of a [`SpillFile`], read back.
pub struct Spilled {
    decoder: Decoder,
}

enum Decoder {
    Plain(BufReader<File>),
    /// The block being read, and how much of it was.
    Blocks {
        file: BufReader<File>,
        compressed: Vec<u8>,
        block: Vec<u8>,
        at: usize,
    },
}

/// The next block of a file of [`SpillFile::blocks`], its bytes as written, into
/// `block` (`false` at the file's end). `compressed` and `block` are the caller's, kept
/// from block to block: a new buffer for each would be zero-filled first.
fn next_block(
    file: &mut BufReader<File>,
    compressed: &mut Vec<u8>,
    block: &mut Vec<u8>,
) -> io::Result<bool> {
    let damaged = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
    if file.fill_buf()?.is_empty() {
        return Ok(false);
    }
    let mut len = [0u8; 8];
    file.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len);
    compressed.clear();
    file.take(len).read_to_end(compressed)?;
    if u64::try_from(compressed.len()).ok() != Some(len) {
        return Err(damaged("a compressed block ends early"));
    }
    let Some((size, lz4)) = compressed.split_first_chunk::<4>() else {
        return Err(damaged("a compressed block has no size"));
    };
    let size = u32::from_le_bytes(*size) as usize;
    if size > MAX_BLOCK {
        return Err(damaged("a compressed block has too large a size"));
    }
    block.resize(size, 0);
    let made = lz4_flex::block::decompress_into(lz4, block)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    if made != size {
        return Err(damaged(
            "a compressed block holds fewer bytes than its size",
        ));
    }
    Ok(true)
}

impl std::fmt::Debug for Spilled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spilled")
    }
}

impl Read for Spilled {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut here = self.fill_buf()?;
        let n = here.read(buf)?;
        self.consume(n);
        Ok(n)
    }
}

/// Bytes are read in place: a whole block of a file of blocks at a time.
impl BufRead for Spilled {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match &mut self.decoder {
            Decoder::Plain(r) => r.fill_buf(),
            Decoder::Blocks {
                file,
                compressed,
                block,
                at,
            } => {
                // Blocks of no bytes are passed over.
                while *at >= block.len() {
                    if !next_block(file, compressed, block)? {
                        block.clear();
                        return Ok(&[]);
                    }
                    *at = 0;
                }
                Ok(block.get(*at..).unwrap_or_default())
            }
        }
    }

    fn consume(&mut self, amt: usize) {
        match &mut self.decoder {
            Decoder::Plain(r) => r.consume(amt),
            Decoder::Blocks { block, at, .. } => *at = at.saturating_add(amt).min(block.len()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Small and large writes come back as written, compressed (a block a write) or
    /// not.
    #[test]
    fn bytes_come_back_in_order() {
        for make in [SpillFile::plain, SpillFile::blocks] {
            bytes_come_back_in_order_from(make);
        }
    }

    /// Blocks compressed apart, an empty one among them, come back as one run of
    /// bytes; a damaged length or size is an error, not a panic.
    #[test]
    fn blocks_come_back_as_written() {
        let parts: [&[u8]; 4] = [b"{\"a\":1}", b"", b",{\"b\":2}", &[b'x'; 5000]];
        let mut spill = SpillFile::blocks().unwrap();
        for p in parts {
            spill.write_block(&compress_block(p).unwrap()).unwrap();
        }
        let mut back = Vec::new();
        spill.reader().unwrap().read_to_end(&mut back).unwrap();
        assert_eq!(back, parts.concat());
        let mut spill = SpillFile::blocks().unwrap();
        spill.write_block(&compress_block(b"abc").unwrap()).unwrap();
        if let Encoder::Blocks(w) = &mut spill.encoder {
            w.write_all(&u64::MAX.to_le_bytes()).unwrap();
        }
        let err = spill.reader().unwrap().read_to_end(&mut Vec::new());
        assert!(err.is_err());
        // A block that says it holds more bytes than it does.
        let mut block = compress_block(b"abc").unwrap();
        block[..4].copy_from_slice(&10u32.to_le_bytes());
        let mut spill = SpillFile::blocks().unwrap();
        spill.write_block(&block).unwrap();
        let err = spill.reader().unwrap().read_to_end(&mut Vec::new());
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::InvalidData);
        // Only a file of blocks takes a block.
        assert!(SpillFile::plain().unwrap().write_block(b"abc").is_err());
    }

    fn bytes_come_back_in_order_from(make: fn() -> io::Result<SpillFile>) {
        let mut spill = make().unwrap();
        let mut expected = Vec::new();
        let mut state = 7u64;
        for round in 0..400 {
            let len = (round * 7919) % 30_000;
            let part: Vec<u8> = (0..len)
                .map(|i| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(i as u64);
                    // Repetitive text with some noise, as outcome lines are.
                    if i % 5 == 0 {
                        (state >> 56) as u8
                    } else {
                        b"{\"key\":"[i % 7]
                    }
                })
                .collect();
            spill.write_all(&part).unwrap();
            expected.extend_from_slice(&part);
        }
        let mut back = Vec::new();
        spill.reader().unwrap().read_to_end(&mut back).unwrap();
        assert_eq!(back.len(), expected.len());
        assert!(back == expected);
        // Nothing written reads as nothing.
        let mut back = Vec::new();
        make()
            .unwrap()
            .reader()
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert!(back.is_empty());
    }
}
