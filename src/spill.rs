//! Bytes kept for later in an unnamed temporary file (in `TMPDIR`, removed when
//! closed), compressed as they are written or not.
//!
//! Consumes bytes (the packed outcomes of an entity evaluated early, a diff's change
//! objects) while what must be written before them is still being computed; produces
//! them again, in order, once ([`SpillFile::reader`]). A diff's changes are compressed
//! with LZ4 frames ([`SpillFile::new`]): a million firms' changes are 1.1 GB of JSON
//! that compress 13 to 20 times, and writing that much to a file and reading it back
//! cost more than the compression does (on the benchmark machine, writing a gigabyte
//! to the page cache took 0.3 to 2.5 s of kernel time; compressing it takes 0.5 s).
//! Packed outcomes are already dense (31 MB for a million firms, 17 MB compressed)
//! and are written as they are ([`SpillFile::plain`]): compressing them was 5% of
//! eval's instructions.

use lz4_flex::frame::{BlockSize, FrameDecoder, FrameEncoder, FrameInfo};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

/// A temporary file being written (see the module doc).
pub struct SpillFile {
    encoder: Encoder,
}

enum Encoder {
    Lz4(FrameEncoder<File>),
    Plain(BufWriter<File>),
}

impl std::fmt::Debug for SpillFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpillFile")
    }
}

impl SpillFile {
    /// A new empty file in `TMPDIR`.
    pub fn new() -> io::Result<SpillFile> {
        let file = tempfile::tempfile()?;
        let info = FrameInfo::new().block_size(BlockSize::Max1MB);
        Ok(SpillFile {
            encoder: Encoder::Lz4(FrameEncoder::with_frame_info(info, file)),
        })
    }

    /// A new empty file in `TMPDIR`, not compressed: for bytes already dense.
    pub fn plain() -> io::Result<SpillFile> {
        let file = tempfile::tempfile()?;
        Ok(SpillFile {
            encoder: Encoder::Plain(BufWriter::with_capacity(READ_BUF, file)),
        })
    }

    /// Everything written, from the start.
    pub fn reader(self) -> io::Result<Spilled> {
        match self.encoder {
            Encoder::Lz4(encoder) => {
                let mut file = encoder.finish().map_err(io::Error::other)?;
                file.rewind()?;
                Ok(Spilled {
                    decoder: Decoder::Lz4(FrameDecoder::new(BufReader::with_capacity(
                        READ_BUF, file,
                    ))),
                })
            }
            Encoder::Plain(writer) => {
                let mut file = writer.into_inner().map_err(|e| e.into_error())?;
                file.rewind()?;
                Ok(Spilled {
                    decoder: Decoder::Plain(BufReader::with_capacity(READ_BUF, file)),
                })
            }
        }
    }
}

/// Compressed bytes read from the file at a time.
const READ_BUF: usize = 256 * 1024;

impl Write for SpillFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.encoder {
            Encoder::Lz4(e) => e.write(buf),
            Encoder::Plain(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.encoder {
            Encoder::Lz4(e) => e.write_all(buf),
            Encoder::Plain(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.encoder {
            Encoder::Lz4(e) => e.flush(),
            Encoder::Plain(w) => w.flush(),
        }
    }
}

/// The bytes of a [`SpillFile`], read back.
pub struct Spilled {
    decoder: Decoder,
}

enum Decoder {
    Lz4(FrameDecoder<BufReader<File>>),
    Plain(BufReader<File>),
}

impl std::fmt::Debug for Spilled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spilled")
    }
}

impl Read for Spilled {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.decoder {
            Decoder::Lz4(d) => d.read(buf),
            Decoder::Plain(r) => r.read(buf),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Small and large writes, across blocks, come back as written, compressed or not.
    #[test]
    fn bytes_come_back_in_order() {
        for make in [SpillFile::new, SpillFile::plain] {
            bytes_come_back_in_order_from(make);
        }
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
