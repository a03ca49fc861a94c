//! The `parkrules` binary: parses flags and calls the library (see `cli/`).

mod cli;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = cli::run(cli);
    std::process::exit(code as i32);
}
