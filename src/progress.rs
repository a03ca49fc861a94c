//! How long-running work reports its progress, without the library drawing anything.
//!
//! Evaluation and streaming call an [`Observer`] as they go: a phase begins (with the
//! number of records it will take, when known), records are done. The CLI turns that
//! into a progress bar on a terminal; everything else passes [`Quiet`].

/// Receives progress; called from several threads at once.
pub trait Observer: Sync {
    /// A phase begins: `total` records when known.
    fn phase(&self, _name: &str, _total: Option<u64>) {}
    /// `n` more records are done in the current phase.
    fn advance(&self, _n: u64) {}
}

/// Reports nothing.
pub struct Quiet;

impl Observer for Quiet {}
