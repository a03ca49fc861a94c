//! `parkrules fmt [--check] [--dialect en|zh] PATH…`: rewrite files in the canonical
//! layout, keeping each file's keyword dialect or translating to the one asked for.

use super::{Exit, error, stderr_style, tr, write_output};
use parkrules::diagnostic;
use parkrules::span::SourceMap;
use parkrules::syntax::keywords::Dialect;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Change nothing; list the files that would change (exit 1 if any)
    #[arg(long)]
    pub check: bool,
    /// Print keywords in this dialect (`en`: rule when amount; `zh`: 规则 当 金额);
    /// default: each file's own
    #[arg(long, value_parser = ["en", "zh"])]
    pub dialect: Option<String>,
    /// .rules files, or folders (every .rules file under them)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

pub fn run(args: &Args) -> Exit {
    let mut files = Vec::new();
    for p in &args.paths {
        if let Err(e) = collect(p, &mut files) {
            let p = p.display();
            error(tr(
                format!("cannot read `{p}`: {e}"),
                format!("无法读取 `{p}`：{e}"),
            ));
            return Exit::Usage;
        }
    }
    let dialect = args.dialect.as_deref().map(|d| match d {
        "zh" => Dialect::Zh,
        _ => Dialect::En,
    });
    let mut worst = Exit::Ok;
    let mut changed = 0usize;
    for f in &files {
        match format_one(f, args.check, dialect) {
            Ok(true) => {
                changed += 1;
                if args.check {
                    println!("{}", f.display());
                }
            }
            Ok(false) => {}
            Err(e) => worst = worse(worst, e),
        }
    }
    if args.check && changed > 0 {
        eprintln!(
            "{}",
            tr(
                format!("{changed} file(s) would be reformatted"),
                format!("{changed} 个文件会被重新格式化"),
            )
        );
        worst = worse(worst, Exit::Failed);
    }
    worst
}

fn worse(a: Exit, b: Exit) -> Exit {
    if (b as i32) > (a as i32) { b } else { a }
}

/// Every `.rules` file a path names, sorted for a stable order.
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == "rules") {
                collect(&e, out)?;
            }
        }
    } else {
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Format one file (in `dialect`, or its own); `Ok(true)` when it changed (or would
/// change).
fn format_one(path: &Path, check_only: bool, dialect: Option<Dialect>) -> Result<bool, Exit> {
    let bytes = std::fs::read(path).map_err(|e| {
        let p = path.display();
        error(tr(
            format!("cannot read `{p}`: {e}"),
            format!("无法读取 `{p}`：{e}"),
        ));
        Exit::Usage
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (p, at) = (path.display(), e.utf8_error().valid_up_to());
        error(tr(
            format!("`{p}` is not UTF-8 (invalid byte at offset {at})"),
            format!("`{p}` 不是 UTF-8（第 {at} 字节无效）"),
        ));
        Exit::Failed
    })?;
    let mut sources = SourceMap::new();
    let id = sources.add(path, text.as_str());
    let formatted = match dialect {
        Some(d) => parkrules::fmt::format_source_in(&text, id, d),
        None => parkrules::fmt::format_source(&text, id),
    };
    let formatted = formatted.map_err(|diags| {
        eprint!(
            "{}",
            diagnostic::render_in(&sources, &diags, stderr_style(), super::lang::get())
        );
        Exit::Failed
    })?;
    if formatted == text {
        return Ok(false);
    }
    if !check_only {
        write_output(Some(&path.to_path_buf()), |w| {
            w.write_all(formatted.as_bytes())
        })?;
    }
    Ok(true)
}
