//! Integration tests: the `parkrules` binary as a user runs it — every command shown in
//! README.md, and the exit codes of SPEC §4.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary from the repository root.
fn parkrules(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parkrules"))
        .args(args)
        .current_dir(root())
        .env_remove("LANG")
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A README command: its words, and the exit code the README says it ends with.
struct ReadmeCommand {
    line: usize,
    words: Vec<String>,
    expect: i32,
}

/// Every `parkrules …` / `cargo run --release -- …` line in README's ```sh blocks.
/// A trailing `# exit N` comment states a non-zero exit code.
fn readme_commands() -> Vec<ReadmeCommand> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut out = Vec::new();
    let mut in_sh = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = t == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        let (cmd, expect) = match t.split_once("# exit ") {
            Some((c, n)) => (c.trim(), n.trim().parse().unwrap()),
            None => (t, 0),
        };
        let rest = if let Some(r) = cmd.strip_prefix("cargo run --release -- ") {
            r
        } else if let Some(r) = cmd.strip_prefix("parkrules ") {
            r
        } else {
            continue;
        };
        out.push(ReadmeCommand {
            line: i + 1,
            words: rest.split_whitespace().map(str::to_string).collect(),
            expect,
        });
    }
    out
}

#[test]
fn every_readme_command_runs_as_documented() {
    let cmds = readme_commands();
    assert!(cmds.len() >= 3, "README shows too few commands");
    for c in cmds {
        if c.words.iter().any(|w| w == "-o") {
            continue; // writes files: covered by the output tests
        }
        let args: Vec<&str> = c.words.iter().map(String::as_str).collect();
        let o = parkrules(&args);
        assert_eq!(
            code(&o),
            c.expect,
            "README.md:{}: `parkrules {}` exited {}\nstderr:\n{}",
            c.line,
            c.words.join(" "),
            code(&o),
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn missing_policy_is_bad_usage() {
    let o = parkrules(&["check", "policies/no-such-policy"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn unknown_flag_is_bad_usage() {
    let o = parkrules(&["check", "--no-such-flag", "policies/pinghu-current"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn shipped_policies_check_clean() {
    for p in ["policies/pinghu-current", "policies/pinghu-revised"] {
        let o = parkrules(&["check", p]);
        assert_eq!(code(&o), 0, "{p}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(
            !String::from_utf8_lossy(&o.stderr).contains("warning"),
            "{p} has warnings"
        );
    }
}

#[test]
fn policy_with_errors_exits_1() {
    let dir = tempdir();
    let f = dir.join("bad.rules");
    std::fs::write(
        &f,
        "policy \"x\"\nrule r : subsidy for 无此实体 { amount 1 元 }\n",
    )
    .unwrap();
    let o = parkrules(&["check", f.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
}

#[test]
fn fmt_check_lists_unformatted_files_and_changes_nothing() {
    let dir = tempdir();
    let f = dir.join("messy.rules");
    let messy = "policy   \"x\"\nenum  甲 {一,二}\n";
    std::fs::write(&f, messy).unwrap();
    let o = parkrules(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("messy.rules"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), messy);
    let o = parkrules(&["fmt", f.to_str().unwrap()]);
    assert_eq!(code(&o), 0);
    let once = std::fs::read_to_string(&f).unwrap();
    assert_ne!(once, messy);
    let o = parkrules(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "fmt is not idempotent:\n{once}");
}

#[test]
fn shipped_policies_are_formatted() {
    let o = parkrules(&["fmt", "--check", "policies"]);
    assert_eq!(
        code(&o),
        0,
        "run `parkrules fmt policies`: {}",
        String::from_utf8_lossy(&o.stdout)
    );
}

/// A fresh folder under the target dir (no network, no global temp clutter).
fn tempdir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
