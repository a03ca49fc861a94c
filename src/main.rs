//! The `parkrules` binary: parses flags and calls the library (see `cli/`).

mod cli;

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
