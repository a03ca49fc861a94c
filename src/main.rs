//! The `parkrules` binary: parses flags and calls the library (see `cli/`).

mod cli;

/// mimalloc, not the system's allocator: records are made on the converting threads
/// and freed on the evaluating ones, which glibc's per-thread arenas do slowly (eval at
/// 1M: 3.98-4.29 s -> 3.12-3.37 s, run in turn). Built with `no_thp` (Cargo.toml): with
/// transparent huge pages each fresh 2 MiB page was zeroed whole on first touch, 10% of
/// the CPU at 1M, and peak RSS at 100k was 88 MiB instead of 54.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::FromArgMatches;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = cli::lang::choose(&args);
    cli::lang::set(lang);
    let cli = cli::lang::command(lang)
        .try_get_matches_from(args)
        .and_then(|m| cli::Cli::from_arg_matches(&m))
        .unwrap_or_else(|e| e.exit());
    let code = cli::run(cli);
    std::process::exit(code as i32);
}
