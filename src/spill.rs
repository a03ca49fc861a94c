//! Bytes kept for later in an unnamed temporary file (in `TMPDIR`, removed when
//! closed), compressed as they are written.
//!
//! Consumes bytes (the packed outcomes of an entity evaluated early, a diff's change
//! objects) while what must be written before them is still being computed; produces
//! them again, in order, once ([`SpillFile::reader`]). They are compressed with LZ4
//! frames: a million firms' changes are 1.1 GB of JSON that compress 13 to 20 times,
//! and their packed outcomes compress to 17 MB; writing that much to a file and
//! reading it back cost more than the compression does (on the benchmark machine,
//! writing a gigabyte to the page cache took 0.3 to 2.5 s of kernel time; compressing
//! it takes 0.5 s).

use lz4_flex::frame::{BlockSize, FrameDecoder, FrameEncoder, FrameInfo};
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, Write};

/// A temporary file being written (see the module doc).
pub struct SpillFile {
    encoder: FrameEncoder<File>,
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
            encoder: FrameEncoder::with_frame_info(info, file),
        })
    }

    /// Everything written, from the start.
    pub fn reader(self) -> io::Result<Spilled> {
        let mut file = self.encoder.finish().map_err(io::Error::other)?;
        file.rewind()?;
        Ok(Spilled {
            decoder: FrameDecoder::new(BufReader::with_capacity(READ_BUF, file)),
        })
    }
}

/// Compressed bytes read from the file at a time.
const READ_BUF: usize = 256 * 1024;

impl Write for SpillFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.encoder.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.encoder.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.encoder.flush()
    }
}

/// The bytes of a [`SpillFile`], read back.
pub struct Spilled {
    decoder: FrameDecoder<BufReader<File>>,
}

impl std::fmt::Debug for Spilled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Spilled")
    }
}

impl Read for Spilled {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.decoder.read(buf)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Small and large writes, across blocks, come back as written.
    #[test]
    fn bytes_come_back_in_order() {
        let mut spill = SpillFile::new().unwrap();
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
        SpillFile::new()
            .unwrap()
            .reader()
            .unwrap()
            .read_to_end(&mut back)
            .unwrap();
        assert!(back.is_empty());
    }
}
