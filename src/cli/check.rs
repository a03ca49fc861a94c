//! `parkrules check POLICY`: parse and type-check; diagnostics on stderr.

use super::{Exit, compile, tr};
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
            let p = args.policy.display();
            if warnings == 0 {
                eprintln!(
                    "{}",
                    tr(format!("ok: {p} ({name})"), format!("通过：{p}（{name}）"))
                );
            } else {
                eprintln!(
                    "{}",
                    tr(
                        format!("ok with {warnings} warning(s): {p} ({name})"),
                        format!("通过，有 {warnings} 个警告：{p}（{name}）"),
                    )
                );
            }
            Exit::Ok
        }
        Err(e) => e,
    }
}
