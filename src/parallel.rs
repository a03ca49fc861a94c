//! Work spread over the machine's cores, results kept in input order.
//!
//! Consumes a slice of work items and a function; produces the function's results in
//! the items' order, whatever thread computed them. The calling thread and one more
//! per other core take the next item from a shared counter, so uneven items balance
//! out. One item, or one core, runs inline.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads to use: the cores the OS gives this process.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// `items.iter().map(f).collect()`, on every core.
pub fn map_in_order<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads().min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let r = f(item);
            if let Some(slot) = slots.get(i)
                && let Ok(mut g) = slot.lock()
            {
                *g = Some(r);
            }
        }
    };
    // The calling thread works too: one thread fewer to start, and what it allocates
    // comes from memory it already holds (a new thread's allocator starts on fresh
    // pages, which the kernel must zero).
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
    slots
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_input_order() {
        let items: Vec<u64> = (0..1000).collect();
        let out = map_in_order(&items, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
    }
}
