//! `parkrules check POLICY`: parse and type-check; diagnostics on stderr.

use super::{Exit, compile};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A .rules file or a folder of them
    pub policy: PathBuf,
}

pub fn run(args: &Args) -> Exit {
    match compile(&args.policy) {
        Ok(c) => {
            let warnings = c.diagnostics.len();
            let name = c
                .program
                .as_ref()
                .map(|p| p.info.name.as_str())
                .unwrap_or("");
            if warnings == 0 {
                eprintln!("ok: {} ({})", args.policy.display(), name);
            } else {
                eprintln!(
                    "ok with {warnings} warning(s): {} ({})",
                    args.policy.display(),
                    name
                );
            }
            Exit::Ok
        }
        Err(e) => e,
    }
}
