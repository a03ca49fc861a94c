//! The key fingerprints of a file read record by record, checked for repeats in
//! bounded memory.
//!
//! Consumes the 64-bit fingerprint of every key of a file read with
//! [`super::KeyMode::Wanted`] (most keys are not held, so only their fingerprints can
//! show a duplicate key); produces whether one fingerprint came twice. Up to
//! [`RUN`] fingerprints wait in memory; each full run is sorted and written to an
//! unnamed temporary file, and at the end the runs are merged, so memory stays at one
//! run (2 MiB) however many records the file has (SPEC §6: memory bounded by the
//! parks, not the firms). A run that cannot be written or read back leaves the answer
//! "maybe": the caller then reads the folder in memory, which finds duplicates exactly.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

/// Fingerprints held in memory at most (2 MiB).
pub(crate) const RUN: usize = 1 << 18;

/// See the module doc.
#[derive(Debug)]
pub(crate) struct Prints {
    run: usize,
    /// The current run.
    current: Vec<u64>,
    /// The sorted runs written so far.
    runs: Vec<File>,
    /// Two fingerprints were found equal, or a run could not be kept.
    maybe_repeated: bool,
}

impl Default for Prints {
    fn default() -> Self {
        Prints::with_run(RUN)
    }
}

impl Prints {
    /// Runs of `run` fingerprints (at least 2).
    pub(crate) fn with_run(run: usize) -> Prints {
        Prints {
            run: run.max(2),
            current: Vec::new(),
            runs: Vec::new(),
            maybe_repeated: false,
        }
    }

    pub(crate) fn push(&mut self, print: u64) {
        if self.maybe_repeated {
            return;
        }
        self.current.push(print);
        if self.current.len() >= self.run {
            self.spill();
        }
    }

    /// Sort the current run and write it to a temporary file.
    fn spill(&mut self) {
        if sort_finds_repeat(&mut self.current) {
            self.give_up();
            return;
        }
        match write_run(&self.current) {
            Ok(file) => {
                self.runs.push(file);
                self.current.clear();
            }
            Err(_) => self.give_up(),
        }
    }

    /// The answer is "maybe": nothing more needs keeping.
    fn give_up(&mut self) {
        self.maybe_repeated = true;
        self.current = Vec::new();
        self.runs.clear();
    }

    /// Whether a fingerprint came twice (or could have: see the module doc).
    pub(crate) fn maybe_repeated(mut self) -> bool {
        if self.maybe_repeated || sort_finds_repeat(&mut self.current) {
            return true;
        }
        if self.runs.is_empty() {
            return false;
        }
        merge_finds_repeat(self.runs, self.current).unwrap_or(true)
    }
}

fn sort_finds_repeat(prints: &mut [u64]) -> bool {
    prints.sort_unstable();
    prints.windows(2).any(|w| w.first() == w.last())
}

fn write_run(sorted: &[u64]) -> io::Result<File> {
    let mut w = BufWriter::new(tempfile::tempfile()?);
    for p in sorted {
        w.write_all(&p.to_le_bytes())?;
    }
    let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.rewind()?;
    Ok(file)
}

/// Merge the sorted runs (files, and the last one in memory) in order; whether two
/// neighbours are equal.
fn merge_finds_repeat(files: Vec<File>, last: Vec<u64>) -> io::Result<bool> {
    let mut sources: Vec<Source> = files
        .into_iter()
        .map(|f| Source::File(BufReader::with_capacity(READ_BUF, f)))
        .collect();
    sources.push(Source::Memory(last.into_iter()));
    let mut heap = BinaryHeap::with_capacity(sources.len());
    for (i, s) in sources.iter_mut().enumerate() {
        if let Some(p) = s.next()? {
            heap.push(Reverse((p, i)));
        }
    }
    let mut previous = None;
    while let Some(Reverse((p, i))) = heap.pop() {
        if previous == Some(p) {
            return Ok(true);
        }
        previous = Some(p);
        if let Some(s) = sources.get_mut(i)
            && let Some(next) = s.next()?
        {
            heap.push(Reverse((next, i)));
        }
    }
    Ok(false)
}

/// Bytes read at a time from each run.
const READ_BUF: usize = 64 * 1024;

enum Source {
    File(BufReader<File>),
    Memory(std::vec::IntoIter<u64>),
}

impl Source {
    fn next(&mut self) -> io::Result<Option<u64>> {
        match self {
            Source::Memory(it) => Ok(it.next()),
            Source::File(r) => {
                let mut bytes = [0u8; 8];
                match r.read_exact(&mut bytes) {
                    Ok(()) => Ok(Some(u64::from_le_bytes(bytes))),
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
                    Err(e) => Err(e),
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn random(n: usize, mut state: u64) -> Vec<u64> {
        (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            })
            .collect()
    }

    fn repeated(prints: &[u64], run: usize) -> bool {
        let mut p = Prints::with_run(run);
        for &x in prints {
            p.push(x);
        }
        p.maybe_repeated()
    }

    /// Repeats are found within a run, across runs (in files or in memory), and at
    /// the ends of the range; distinct prints are not taken for repeats, whether they
    /// fill whole runs or not.
    #[test]
    fn repeats_are_found_in_and_across_runs() {
        let prints = random(2_000, 0x9e37_79b9_7f4a_7c15);
        for run in [7, 100, 1_999, 2_000, RUN] {
            assert!(!repeated(&prints, run), "{run}");
            assert!(!repeated(&prints[..run.min(prints.len())], run), "{run}");
            for (a, b) in [(0, 1), (0, 1_999), (1_000, 17), (1_998, 1_999), (40, 1_040)] {
                let mut twice = prints.clone();
                twice[b] = twice[a];
                assert!(repeated(&twice, run), "{run} {a} {b}");
            }
            let mut ends = prints.clone();
            ends.extend([0, u64::MAX, 1, u64::MAX - 1]);
            assert!(!repeated(&ends, run), "{run}");
            ends.push(0);
            assert!(repeated(&ends, run), "{run}");
        }
        assert!(!repeated(&[], RUN) && !repeated(&[7], 2));
    }
}
