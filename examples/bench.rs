//! The performance benchmark of SPEC §6 (issue 5), in one command:
//!
//! ```text
//! cargo run --release --example bench -- [small|100k|1m|1m-firms ...]   # default: the first three
//! ```
//!
//! `1m-firms` is 100k with ten times the firms (1M 企业, the same 1k 园区 and 10k
//! 转让申请): memory that follows the parks and the transfers, not the firms, stays
//! as at 100k.
//!
//! For each size it generates Pinghu-shaped records with `parkrules::r#gen` (cached
//! under `<target dir>/bench-data/<size>/`), builds the release `parkrules` binary and
//! the hand-written `baseline` example, checks that `parkrules eval
//! policies/pinghu-revised --format jsonl` and the baseline print the same bytes (and
//! stops at the first differing line if not), then times, each as its own child process
//! with its stdout redirected to a file, in 5 rounds that run every step once (before
//! each, the step's output from the round before deleted and a `sync`; best wall time
//! kept): `check` of both shipped policies, `eval` to jsonl, the baseline (right after
//! `eval`), and `diff` current → revised as json.
//! Parse + check is also timed in-process (`parkrules::load::compile_path`, averaged).
//!
//! Peak memory is the child's `ru_maxrss`: each child is started by a copy of this
//! program (`bench __measure …`) whose only child it is, so `getrusage(RUSAGE_CHILDREN)`
//! is that child's own peak. Linux only (reads `/proc` for the machine description).
//!
//! Timings are reported, never asserted: nothing here fails on a slow machine.

use nix::sys::resource::{UsageWho, getrusage};
use parkrules::r#gen::{GenConfig, generate};
use std::error::Error;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Res<T> = Result<T, Box<dyn Error>>;

/// The evaluation date used by the equality check and the timed `eval`: the revised
/// policy's `effective` date (what `eval` uses by default).
const AS_OF: &str = "2023-07-01";
const RUNS: usize = 5;
const BASE: &str = "policies/pinghu-current";
const REVISED: &str = "policies/pinghu-revised";

fn main() {
    if let Err(e) = run() {
        eprintln!("bench: {e}");
        std::process::exit(1);
    }
}

fn run() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(("__measure", rest)) = args.split_first().map(|(a, r)| (a.as_str(), r)) {
        return measure_child(rest);
    }
    let sizes = if args.is_empty() {
        vec![Size::Small, Size::K100, Size::M1]
    } else {
        args.iter().map(|a| Size::parse(a)).collect::<Res<_>>()?
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let exe = std::env::current_exe()?;
    // <target>/<profile>/examples/bench
    let target = exe
        .ancestors()
        .nth(3)
        .ok_or("cannot find the target directory from the bench's own path")?
        .to_path_buf();
    let release = target.join("release");
    build(&root)?;
    let tools = Tools {
        parkrules: release.join("parkrules"),
        baseline: release.join("examples").join("baseline"),
        me: exe.clone(),
        root: root.clone(),
    };

    let shown_args = if args.is_empty() {
        String::new()
    } else {
        format!(" -- {}", args.join(" "))
    };
    println!("command: cargo run --release --example bench{shown_args}");
    println!("{}", machine());
    if cfg!(debug_assertions) {
        println!(
            "note: the bench itself is a debug build; in-process timings are slow (use --release)"
        );
    }
    let compile = in_process_compile(&root)?;
    println!(
        "parse+check in-process (load::compile_path, mean of {} runs): {} {:.2} ms, {} {:.2} ms (target < 10 ms)",
        compile.runs,
        BASE,
        ms(compile.base),
        REVISED,
        ms(compile.revised)
    );

    let data_root = target.join("bench-data");
    for size in sizes {
        let cfg = size.config();
        let dir = ensure_data(&data_root, size, &cfg)?;
        let records = cfg.parks + cfg.firms + cfg.transfers;
        println!(
            "\n== {} ({} 园区, {} 企业, {} 转让申请 = {} records; data {}) ==",
            size.name(),
            cfg.parks,
            cfg.firms,
            cfg.transfers,
            records,
            dir.display()
        );
        let lines = same_output(&tools, &dir)?;
        println!("eval jsonl == baseline jsonl: {lines} identical lines");
        let table = time_size(&tools, &dir, &data_root.join("tmp"), records)?;
        print!("{table}");
    }
    Ok(())
}

// ── sizes and data ────────────────────────────────────────────────────────

#[derive(Clone, Copy, PartialEq, Eq)]
enum Size {
    Small,
    K100,
    M1,
    /// 100k's parks and transfers, 1M firms.
    M1Firms,
}

impl Size {
    fn parse(s: &str) -> Res<Size> {
        match s {
            "small" => Ok(Size::Small),
            "100k" => Ok(Size::K100),
            "1m" => Ok(Size::M1),
            "1m-firms" => Ok(Size::M1Firms),
            _ => Err(format!("unknown size `{s}`: expected small, 100k, 1m or 1m-firms").into()),
        }
    }
    fn name(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::K100 => "100k",
            Size::M1 => "1m",
            Size::M1Firms => "1m-firms",
        }
    }
    /// Same seed as the shipped example; 100k and 1m scale parks, firms and transfers.
    fn config(self) -> GenConfig {
        let small = GenConfig::pinghu();
        let scaled = |parks, firms, transfers| GenConfig {
            parks,
            firms,
            transfers,
            ..GenConfig::pinghu()
        };
        match self {
            Size::Small => small,
            Size::K100 => scaled(1_000, 100_000, 10_000),
            Size::M1 => scaled(10_000, 1_000_000, 100_000),
            Size::M1Firms => scaled(1_000, 1_000_000, 10_000),
        }
    }
}

const FILES: [&str; 3] = ["园区.csv", "企业.csv", "转让申请.csv"];

/// The data folder of a size, generated when missing or made by another config.
fn ensure_data(root: &Path, size: Size, cfg: &GenConfig) -> Res<PathBuf> {
    let dir = root.join(size.name());
    // The config beside the folder (a file inside it would be read as data).
    let stamp_path = root.join(format!("{}.config", size.name()));
    let stamp = format!("{cfg:?}\n");
    let fresh = fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp)
        && FILES.iter().all(|f| dir.join(f).is_file());
    if fresh {
        return Ok(dir);
    }
    eprintln!("bench: generating {} into {}", size.name(), dir.display());
    let tmp = root.join(format!("{}.tmp", size.name()));
    let _ = fs::remove_dir_all(&tmp);
    generate(cfg, &tmp)?;
    let _ = fs::remove_dir_all(&dir);
    fs::rename(&tmp, &dir)?;
    fs::write(stamp_path, stamp)?;
    Ok(dir)
}

// ── the programs under test ───────────────────────────────────────────────

struct Tools {
    parkrules: PathBuf,
    baseline: PathBuf,
    /// This program, started as `bench __measure …` to measure one child.
    me: PathBuf,
    root: PathBuf,
}

/// `cargo build --release --bin parkrules --example baseline`, with the cargo that
/// runs us (`CARGO`) and its target directory.
fn build(root: &Path) -> Res<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--bin",
            "parkrules",
            "--example",
            "baseline",
        ])
        .current_dir(root)
        .status()?;
    if !status.success() {
        return Err("cargo build --release --bin parkrules --example baseline failed".into());
    }
    Ok(())
}

fn eval_args(dir: &Path) -> Vec<String> {
    vec![
        "eval".into(),
        REVISED.into(),
        "--data".into(),
        dir.display().to_string(),
        "--format".into(),
        "jsonl".into(),
        "--as-of".into(),
        AS_OF.into(),
    ]
}

/// Run eval and the baseline side by side and compare their stdout line by line.
fn same_output(t: &Tools, dir: &Path) -> Res<u64> {
    let spawn = |prog: &Path, args: &[String]| -> Res<Child> {
        Ok(Command::new(prog)
            .args(args)
            .current_dir(&t.root)
            .stdout(Stdio::piped())
            .spawn()?)
    };
    let mut eval = spawn(&t.parkrules, &eval_args(dir))?;
    let mut base = spawn(&t.baseline, &[dir.display().to_string(), AS_OF.into()])?;
    let result = compare_streams(&mut eval, &mut base);
    if result.is_err() {
        let _ = eval.kill();
        let _ = base.kill();
    }
    let (e, b) = (eval.wait()?, base.wait()?);
    let lines = result?;
    if !e.success() || !b.success() {
        return Err(format!("eval exited with {e}, baseline with {b}").into());
    }
    Ok(lines)
}

fn compare_streams(eval: &mut Child, base: &mut Child) -> Res<u64> {
    let (Some(a), Some(b)) = (eval.stdout.take(), base.stdout.take()) else {
        return Err("no stdout".into());
    };
    let (mut a, mut b) = (
        BufReader::with_capacity(1 << 20, a),
        BufReader::with_capacity(1 << 20, b),
    );
    let (mut la, mut lb) = (Vec::new(), Vec::new());
    let mut n = 0u64;
    loop {
        la.clear();
        lb.clear();
        let (ra, rb) = (a.read_until(b'\n', &mut la)?, b.read_until(b'\n', &mut lb)?);
        if ra == 0 && rb == 0 {
            return Ok(n);
        }
        n += 1;
        if la != lb {
            let show = |l: &[u8], read: usize| {
                if read == 0 {
                    "(end of output)".to_string()
                } else {
                    String::from_utf8_lossy(l).trim_end().to_string()
                }
            };
            return Err(format!(
                "eval and baseline differ at line {n}:\n  eval:     {}\n  baseline: {}",
                show(&la, ra),
                show(&lb, rb)
            )
            .into());
        }
    }
}

// ── measuring ─────────────────────────────────────────────────────────────

/// One run of one child: wall time and peak resident memory.
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    max_rss_kib: u64,
}

/// `bench __measure OUT PROG ARGS…`: run PROG with stdout to OUT (`-`: discarded) and
/// print `wall_ns max_rss_kib` of it. We are its parent and have no other child, so
/// `RUSAGE_CHILDREN` is exactly its peak.
fn measure_child(rest: &[String]) -> Res<()> {
    let [out, prog, args @ ..] = rest else {
        return Err("usage: bench __measure OUT PROG ARGS…".into());
    };
    let stdout = if out == "-" {
        Stdio::null()
    } else {
        Stdio::from(File::create(out)?)
    };
    let start = Instant::now();
    let mut child = Command::new(prog)
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()?;
    let mut err = Vec::new();
    if let Some(mut e) = child.stderr.take() {
        e.read_to_end(&mut err)?;
    }
    let status = child.wait()?;
    let wall = start.elapsed();
    if !status.success() {
        return Err(format!(
            "{prog} {} exited with {status}:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&err)
        )
        .into());
    }
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    println!("{} {}", wall.as_nanos(), usage.max_rss());
    Ok(())
}

/// Run a command once through `bench __measure`.
fn measure_once(t: &Tools, out: Option<&Path>, prog: &Path, args: &[String]) -> Res<Run> {
    // This step's output from the round before is deleted, and the outputs of the
    // steps before (up to 1.6 GB at 1M) are written to disk, now: neither the
    // kernel's flusher nor the file system freeing the old output's blocks runs while
    // this step does. Truncating the old output as the step starts (`File::create`)
    // slowed a diff at `1m-firms` by 0.1–0.6 s (its output is 716 MB).
    if let Some(out) = out {
        match fs::remove_file(out) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("cannot delete {}: {e}", out.display()).into());
            }
            _ => {}
        }
    }
    nix::unistd::sync();
    let o = Command::new(&t.me)
        .arg("__measure")
        .arg(out.map_or_else(|| "-".into(), |p| p.display().to_string()))
        .arg(prog)
        .args(args)
        .current_dir(&t.root)
        .stderr(Stdio::inherit())
        .output()?;
    if !o.status.success() {
        return Err(format!("measuring {} failed", prog.display()).into());
    }
    let text = String::from_utf8(o.stdout)?;
    let mut parts = text.split_whitespace();
    let (Some(ns), Some(kib)) = (parts.next(), parts.next()) else {
        return Err(format!("unexpected measurement `{text}`").into());
    };
    Ok(Run {
        wall: Duration::from_nanos(ns.parse()?),
        max_rss_kib: kib.parse()?,
    })
}

/// Run every step once per round, `RUNS` rounds, so that steps compared with each
/// other (eval and the baseline) are timed minutes apart at most, whatever the
/// machine's speed does meanwhile: per step, the best wall time and the highest RSS.
fn measure_rounds(t: &Tools, steps: &[(Option<&Path>, &Path, Vec<String>)]) -> Res<Vec<Run>> {
    let mut best: Vec<Option<Run>> = vec![None; steps.len()];
    for _ in 0..RUNS {
        for ((out, prog, args), slot) in steps.iter().zip(best.iter_mut()) {
            let run = measure_once(t, *out, prog, args)?;
            *slot = Some(match slot.take() {
                None => run,
                Some(b) => Run {
                    wall: b.wall.min(run.wall),
                    max_rss_kib: b.max_rss_kib.max(run.max_rss_kib),
                },
            });
        }
    }
    best.into_iter()
        .map(|r| r.ok_or_else(|| "no run".into()))
        .collect()
}

struct Compile {
    runs: u32,
    base: Duration,
    revised: Duration,
}

/// Mean time of `load::compile_path` on each shipped policy (after one warm-up run).
fn in_process_compile(root: &Path) -> Res<Compile> {
    let runs = 200;
    let mean = |policy: &str| -> Res<Duration> {
        let path = root.join(policy);
        if parkrules::load::compile_path(&path).has_errors() {
            return Err(format!("{policy} has errors").into());
        }
        let start = Instant::now();
        for _ in 0..runs {
            std::hint::black_box(parkrules::load::compile_path(&path));
        }
        Ok(start.elapsed() / runs)
    };
    Ok(Compile {
        runs,
        base: mean(BASE)?,
        revised: mean(REVISED)?,
    })
}

// ── one size ──────────────────────────────────────────────────────────────

fn time_size(t: &Tools, dir: &Path, tmp: &Path, records: usize) -> Res<String> {
    fs::create_dir_all(tmp)?;
    let eval_out = tmp.join("eval.jsonl");
    let base_out = tmp.join("baseline.jsonl");
    let diff_out = tmp.join("diff.json");
    let data = dir.display().to_string();
    let s = |x: &str| x.to_string();

    // Outputs go to stdout, redirected to a file, as the baseline's do (`-o` would
    // add an fsync before its atomic rename).
    let diff_args = vec![
        s("diff"),
        s(BASE),
        s(REVISED),
        s("--data"),
        data.clone(),
        s("--format"),
        s("json"),
    ];
    let steps = [
        (None, t.parkrules.as_path(), vec![s("check"), s(BASE)]),
        (None, t.parkrules.as_path(), vec![s("check"), s(REVISED)]),
        (
            Some(eval_out.as_path()),
            t.parkrules.as_path(),
            eval_args(dir),
        ),
        // The baseline right after eval, the two steps whose ratio is the target: in
        // each round they run seconds apart, whatever the machine's speed does over
        // the diff's run.
        (
            Some(base_out.as_path()),
            t.baseline.as_path(),
            vec![data, s(AS_OF)],
        ),
        (Some(diff_out.as_path()), t.parkrules.as_path(), diff_args),
    ];
    let [check_base, check_rev, eval, base, diff] =
        <[Run; 5]>::try_from(measure_rounds(t, &steps)?).map_err(|_| "a step was not measured")?;
    for f in [&eval_out, &base_out, &diff_out] {
        let _ = fs::remove_file(f);
    }

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64().max(1e-9);
    let eval_ratio = format!("eval/baseline {:.2}x", ratio(eval.wall, base.wall));
    let diff_ratio = format!("diff/(2×eval) {:.2}x", ratio(diff.wall, eval.wall * 2));
    let rows: [(&str, Run, bool, String); 5] = [
        (
            "parkrules check pinghu-current",
            check_base,
            false,
            String::new(),
        ),
        (
            "parkrules check pinghu-revised",
            check_rev,
            false,
            String::new(),
        ),
        ("parkrules eval --format jsonl", eval, true, eval_ratio),
        ("parkrules diff --format json", diff, true, diff_ratio),
        ("baseline (hand-written)", base, true, String::new()),
    ];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<32} {:>11} {:>14} {:>11}  ratio",
        "step", "wall (best)", "records/s", "peak RSS"
    );
    for (name, run, per_record, ratio) in rows {
        let rate = if per_record {
            format!("{:.0}", records as f64 / run.wall.as_secs_f64().max(1e-9))
        } else {
            "—".to_string()
        };
        let _ = writeln!(
            out,
            "{name:<32} {:>11} {rate:>14} {:>11}  {ratio}",
            wall(run.wall),
            rss(run.max_rss_kib)
        );
    }
    Ok(out)
}

// ── formatting and the machine ────────────────────────────────────────────

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn wall(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{:.1} ms", ms(d))
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

fn rss(kib: u64) -> String {
    if kib < 10 * 1024 {
        format!("{kib} KiB")
    } else {
        format!("{:.1} MiB", kib as f64 / 1024.0)
    }
}

/// nproc, CPU model and memory, from the standard library and `/proc` (Linux).
fn machine() -> String {
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map_or_else(
            || "?".into(),
            |kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0),
        );
    format!(
        "machine: {nproc} CPUs (nproc), {cpu}, {mem} RAM, {}",
        std::env::consts::OS
    )
}
