//! The command line: one file per subcommand, each only calling the library.
//!
//! Exit codes (SPEC §4): 0 success; 1 the policy has errors, a test failed, a record
//! could not be loaded or an outcome is `error`; 2 bad usage or unreadable files.

pub mod check;
pub mod coverage;
pub mod diff;
pub mod eval;
pub mod explain;
pub mod fmt;
pub mod r#gen;
pub mod lang;
pub mod out;
pub mod progress;
pub mod test;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use parkrules::data::{self, Dataset, LoadOptions};
use parkrules::diagnostic::{self, Style};
use parkrules::lang::{Lang, Localize};
use parkrules::load::{self, Compiled};
use parkrules::program::Program;
use parkrules::report::Skipped;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What a command ends with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    /// The policy, a test, a record or an outcome failed.
    Failed = 1,
    /// Bad usage or unreadable files.
    Usage = 2,
}

#[derive(Parser, Debug)]
#[command(
    name = "parkrules",
    version,
    about = "Write, check, run and compare Pinghu industrial-park policy rules",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Language of messages: en or zh (default: zh when LC_ALL, LC_MESSAGES or LANG starts with zh)
    #[arg(long, global = true, value_name = "LANG", value_parser = ["en", "zh"])]
    pub lang: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Parse and type-check a policy (a .rules file or a folder)
    Check(check::Args),
    /// Rewrite .rules files in the canonical layout
    Fmt(fmt::Args),
    /// Evaluate every rule on every record
    Eval(eval::Args),
    /// The impact of a revised policy against the base on the same records
    Diff(diff::Args),
    /// The evaluation tree of one record's outcomes, with every value used
    Explain(explain::Args),
    /// Run the policy's `test` blocks
    Test(test::Args),
    /// How many records reach each when, exception, tier row, bracket slice and match arm
    Coverage(coverage::Args),
    /// Generate sample records (deterministic for a seed)
    Gen(r#gen::Args),
}

pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check(a) => check::run(&a),
        Command::Fmt(a) => fmt::run(&a),
        Command::Eval(a) => either(eval::run(&a)),
        Command::Diff(a) => either(diff::run(&a)),
        Command::Explain(a) => either(explain::run(&a)),
        Command::Test(a) => test::run(&a),
        Command::Coverage(a) => either(coverage::run(&a)),
        Command::Gen(a) => r#gen::run(&a),
    }
}

/// A command's exit, whether it ended early (`Err`) or ran to its end.
fn either(r: Result<Exit, Exit>) -> Exit {
    match r {
        Ok(e) | Err(e) => e,
    }
}

/// Where the records are and the date to evaluate at.
#[derive(clap::Args, Debug)]
pub struct DataArgs {
    /// Folder with one file per entity: <实体>.csv, .xlsx, .jsonl or .json
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Evaluation date (default: the policy's `effective` date)
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Leave out rows with bad cells (they are listed in the output) instead of failing
    #[arg(long)]
    pub skip_bad_records: bool,
    /// Encoding of CSV files: detected (auto: UTF-8, or GB18030 when the header reads
    /// so), or read strictly in the one given
    #[arg(long, value_name = "ENCODING", default_value = "auto", value_parser = ["auto", "utf-8", "gbk", "gb18030"])]
    pub encoding: String,
}

impl DataArgs {
    /// How to load the records, from the flags.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            skip_bad_records: self.skip_bad_records,
            encoding: data::EncodingChoice::from_name(&self.encoding).unwrap_or_default(),
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct OutputArgs {
    /// Write to FILE (atomically) instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// `--format xlsx` writes a binary workbook: only to `-o FILE`, never to a terminal or
/// a pipe (bad usage, exit 2, before any work).
pub fn binary_needs_file(format: &str, out: Option<&PathBuf>) -> Result<(), Exit> {
    if format == "xlsx" && out.is_none() {
        error(tr(
            "--format xlsx writes a workbook: give the file to write with -o FILE.xlsx",
            "--format xlsx 输出的是工作簿：请用 -o 文件.xlsx 指定要写入的文件",
        ));
        return Err(Exit::Usage);
    }
    Ok(())
}

/// The as-of date: the flag, else the policy's effective date.
pub fn resolve_as_of(flag: Option<&str>, program: &Program) -> Result<NaiveDate, Exit> {
    match flag {
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            error(tr(
                format!("--as-of `{s}` is not a date like 2024-01-01"),
                format!("--as-of `{s}` 不是日期，应写作 2024-01-01"),
            ));
            Exit::Usage
        }),
        None => program.info.effective.ok_or_else(|| {
            error(tr(
                "the policy has no `effective` date: give --as-of",
                "政策没有 `effective` 日期：请给出 --as-of",
            ));
            Exit::Usage
        }),
    }
}

/// Load the records for a program; data errors are printed, all of them.
pub fn load_data(program: &Program, args: &DataArgs) -> Result<(Dataset, Vec<Skipped>), Exit> {
    readable_data_dir(&args.data)?;
    match data::load_dir(program, &args.data, &args.load_options()) {
        Ok(loaded) => {
            print_notes(&loaded.notes);
            // Entities in declaration order (a park before the firms it takes along).
            let mut rows: Vec<&data::SkippedRow> = loaded.skipped.iter().collect();
            rows.sort_by_key(|s| (s.entity.0, s.at.row));
            let skipped = rows.into_iter().map(skipped_row).collect();
            Ok((loaded.dataset, skipped))
        }
        Err(errs) => {
            eprint!("{}", data::render_errors_in(&errs, lang::get()));
            Err(Exit::Failed)
        }
    }
}

/// The data folder can be listed; else say why (exit 2).
pub fn readable_data_dir(dir: &Path) -> Result<(), Exit> {
    if let Err(e) = std::fs::read_dir(dir) {
        let dir = dir.display();
        error(tr(
            format!("cannot read data folder `{dir}`: {e}"),
            format!("无法读取数据文件夹 `{dir}`：{e}"),
        ));
        return Err(Exit::Usage);
    }
    Ok(())
}

/// Say why a streaming run stopped, and the exit code: 1 for bad data (every problem
/// listed), 2 for a temporary file that could not be kept or an unreadable file.
pub fn stream_failed(e: parkrules::stream::StreamError) -> Exit {
    use parkrules::stream::StreamError;
    let temporary = |what: String, dir: &Path, e: &std::io::Error| {
        format!(
            "无法把{what}暂存到临时文件（位于 {}；可用 TMPDIR 指定其他文件夹）：{e}",
            dir.display()
        )
    };
    let zh = match &e {
        StreamError::Data(errs) => {
            eprint!("{}", data::render_errors_in(errs, lang::get()));
            return Exit::Failed;
        }
        StreamError::Spill { entity, dir, error } => {
            temporary(format!(" `{entity}` 的结果"), dir, error)
        }
        StreamError::ChangesSpill { dir, error } => {
            temporary("比较结果的变化".to_string(), dir, error)
        }
        _ => e.to_string(),
    };
    error(tr(e.to_string(), zh));
    Exit::Usage
}

/// What the loader noticed (ignored files, percent columns that look like
/// fractions), on stderr.
pub fn print_notes(notes: &[data::DataNote]) {
    eprint!("{}", data::render_notes_in(notes, lang::get()));
}

/// A skipped row as reports list it: the file, its line (CSV, JSONL) or index
/// (JSON), and every problem of the row without the repeated location.
fn skipped_row(s: &data::SkippedRow) -> Skipped {
    let row = match s.at.row {
        data::RowRef::Line(n) | data::RowRef::Index(n) => n,
    };
    let lang = lang::get();
    let prefix = match lang {
        Lang::En => format!("{}: ", s.at),
        Lang::Zh => format!("{}：", s.at.zh()),
    };
    let reason = s
        .errors
        .iter()
        .map(|e| {
            let text = e.text(lang).into_owned();
            match text.strip_prefix(&prefix) {
                Some(rest) => rest.to_string(),
                None => text,
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    Skipped {
        file: s.at.file.to_string(),
        row,
        reason,
    }
}

/// Diagnostics go to stderr, in colour only on a terminal.
pub fn stderr_style() -> Style {
    if std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
        Style::Color
    } else {
        Style::Plain
    }
}

/// Print a message to stderr (prefixed, one line).
pub fn error(msg: impl std::fmt::Display) {
    let prefix = lang::get().pick("error", "错误");
    eprintln!("{prefix}: {msg}");
}

/// The English or the Chinese of a message, in the run's language.
pub fn tr<T>(en: T, zh: T) -> T {
    lang::get().pick(en, zh)
}

/// Compile a policy and print its diagnostics; `None` when it has errors.
pub fn compile(path: &Path) -> Result<Compiled, Exit> {
    if let Err(e) = std::fs::metadata(path) {
        let p = path.display();
        error(tr(
            format!("cannot read `{p}`: {e}"),
            format!("无法读取 `{p}`：{e}"),
        ));
        return Err(Exit::Usage);
    }
    let compiled = load::compile_path(path);
    if !compiled.diagnostics.is_empty() {
        eprint!(
            "{}",
            diagnostic::render_in(
                &compiled.sources,
                &compiled.diagnostics,
                stderr_style(),
                lang::get()
            )
        );
    }
    if compiled.has_errors() || compiled.program.is_none() {
        return Err(Exit::Failed);
    }
    Ok(compiled)
}

/// Write a result to `-o FILE` atomically (a temp file in the same folder, renamed
/// over FILE only when everything was written), or to stdout. A write error is
/// printed; see [`try_write_output`] for a caller that aborts on purpose.
pub fn write_output(
    out: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Exit> {
    try_write_output(out, write).map_err(|e| write_failed(out, &e))
}

/// Say that the output could not be written; bad usage or an unwritable place (exit 2).
pub fn write_failed(out: Option<&PathBuf>, e: &std::io::Error) -> Exit {
    match out {
        None => error(tr(
            format!("cannot write to stdout: {e}"),
            format!("无法写入标准输出：{e}"),
        )),
        Some(path) => {
            let p = path.display();
            error(tr(
                format!("cannot write `{p}`: {e}"),
                format!("无法写入 `{p}`：{e}"),
            ))
        }
    }
    Exit::Usage
}

/// [`write_output`] without messages: an error from `write` leaves an old `-o` file
/// as it was and comes back unchanged. A reader that went away (`| head`) is no error.
pub fn try_write_output(
    out: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    match out {
        None => {
            let stdout = std::io::stdout().lock();
            let mut w = out::PagedWriter::new(stdout);
            match write(&mut w).and_then(|()| w.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r,
            }
        }
        Some(path) => write_atomic(path, write),
    }
}

fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Created as any new file is (the umask applies, not the owner-only permissions
    // of a temp file); a file it replaces keeps its permissions.
    let tmp = tempfile::Builder::new()
        .prefix(".parkrules-")
        .make_in(dir, |p| std::fs::File::create_new(p))?;
    if let Ok(m) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(m.permissions())?;
    }
    let mut w = out::PagedWriter::new(tmp);
    write(&mut w)?;
    let tmp = w.into_inner()?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
