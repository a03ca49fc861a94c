//! Any bytes as a policy file: load (UTF-8 check), parse, check, render every
//! diagnostic, format (which must re-parse and be idempotent) and run the policy's own
//! `test` blocks. Nothing may panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use parkrules::diagnostic::{Style, render};
use parkrules::load::{compile_path, compile_str};
use parkrules::span::FileId;

fuzz_target!(|data: &[u8]| {
    let compiled = match std::str::from_utf8(data) {
        Ok(text) => {
            if let Ok(formatted) = parkrules::fmt::format_source(text, FileId(0)) {
                let again =
                    parkrules::fmt::format_source(&formatted, FileId(0)).unwrap_or_else(|d| {
                        panic!("formatted text does not parse: {d:?}\n{formatted}")
                    });
                assert_eq!(formatted, again, "fmt is not idempotent");
            }
            compile_str("fuzz.rules", text)
        }
        Err(_) => {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("fuzz.rules");
            std::fs::write(&path, data).unwrap();
            compile_path(&path)
        }
    };
    let _ = render(&compiled.sources, &compiled.diagnostics, Style::Plain);
    let _ = render(&compiled.sources, &compiled.diagnostics, Style::Color);
    if let Some(program) = &compiled.program {
        for r in parkrules::eval::testrun::run_tests(program) {
            let _ = format!("{r:?}");
        }
    }
});
