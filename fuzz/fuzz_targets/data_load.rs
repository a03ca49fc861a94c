//! Any bytes as data files of `policies/pinghu-current`: the input up to the first
//! `\0\0` is `园区.csv`, the rest (if any) replaces `企业.csv`; the other files are the
//! first rows of `examples/pinghu`. Load, render every error, evaluate, write every
//! report, and stream. Nothing may panic.

#![no_main]

mod common;

use common::{head, run_all};
use libfuzzer_sys::fuzz_target;

fn split(data: &[u8]) -> (&[u8], Option<&[u8]>) {
    match data.windows(2).position(|w| w == b"\0\0") {
        Some(i) => (&data[..i], Some(&data[i + 2..])),
        None => (data, None),
    }
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let (parks, firms) = split(data);
    std::fs::write(dir.path().join("园区.csv"), parks).unwrap();
    match firms {
        Some(f) => std::fs::write(dir.path().join("企业.csv"), f).unwrap(),
        None => std::fs::write(dir.path().join("企业.csv"), head("企业.csv", 30)).unwrap(),
    }
    std::fs::write(dir.path().join("转让申请.csv"), head("转让申请.csv", 10)).unwrap();
    run_all(dir.path());
});
