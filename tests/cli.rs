//! Integration tests: the `parkrules` binary as a user runs it — every command shown in
//! README.md, and the exit codes of SPEC §4.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary from the repository root.
fn parkrules(args: &[&str]) -> Output {
    command(args).output().unwrap()
}

/// The binary with `args`, from the repository root, in English without colour.
fn command(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_parkrules"));
    c.args(args)
        .current_dir(root())
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1");
    c
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
fn fmt_dialect_translates_files_and_back() {
    let dir = tempdir();
    let f = dir.join("a.rules");
    let en = "rule R : subsidy for E {\n  when a and not b\n  amount 1 元\n}\n";
    let zh = "规则 R : subsidy 适用于 E {\n  当 a 且 非 b\n  金额 1 元\n}\n";
    std::fs::write(&f, en).unwrap();
    let path = f.to_str().unwrap();
    let o = parkrules(&["fmt", "--check", "--dialect", "zh", path]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stdout).contains("a.rules"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), en);
    assert_eq!(code(&parkrules(&["fmt", "--dialect", "zh", path])), 0);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), zh);
    // A plain `fmt` keeps the file's dialect.
    assert_eq!(code(&parkrules(&["fmt", "--check", path])), 0);
    assert_eq!(code(&parkrules(&["fmt", "--dialect", "en", path])), 0);
    assert_eq!(std::fs::read_to_string(&f).unwrap(), en);
    assert_eq!(code(&parkrules(&["fmt", "--dialect", "fr", path])), 2);
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

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An insta snapshot under `tests/snapshots/cli/`.
fn snap(name: &str, value: &str) {
    crate::snap_in("cli", name, value);
}

#[test]
fn a_failing_test_shows_expected_actual_and_the_explanation() {
    let o = parkrules(&["test", "tests/cases/eval/fail_expectations.rules"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    snap("test_failures", &stdout(&o));
}

#[test]
fn inherited_tests_report_what_the_revision_changes_without_failing() {
    let o = parkrules(&["test", "--inherited", "policies/pinghu-revised"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    // The revision removes 厂房购置补助: the base test of it no longer applies.
    assert!(out.contains("not applicable 购置厂房按面积补助"), "{out}");
    assert!(
        out.contains("1 unchanged, 7 changed by the revision, 1 no longer applicable"),
        "{out}"
    );
}

#[test]
fn explain_one_outcome_as_text_and_json() {
    let args = [
        "explain",
        "policies/pinghu-current",
        "--data",
        "examples/pinghu",
        "--record",
        "园区:PH-009",
        "--rule",
        "建设补助",
    ];
    let o = parkrules(&args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    snap("explain_current_ph009_construction", &stdout(&o));
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let o = parkrules(&json);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["key"], "PH-009");
    assert_eq!(v["exception"], "薄弱镇园区");
}

#[test]
fn explain_names_what_is_wrong_with_the_record_flag() {
    let base = [
        "explain",
        "policies/pinghu-current",
        "--data",
        "examples/pinghu",
    ];
    let cases = [
        ("PH-001", "is not 实体:KEY"),
        ("工厂:PH-001", "no entity `工厂`"),
        ("园区:PH-999", "no 园区 record with key `PH-999`"),
    ];
    for (record, message) in cases {
        let mut args = base.to_vec();
        args.extend(["--record", record]);
        let o = parkrules(&args);
        assert_eq!(code(&o), 2, "{record}");
        assert!(stderr(&o).contains(message), "{record}: {}", stderr(&o));
    }
    let mut args = base.to_vec();
    args.extend(["--record", "园区:PH-001", "--rule", "入园标准"]);
    let o = parkrules(&args);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("is not a rule of this entity"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn coverage_of_the_shipped_policies_reaches_every_clause() {
    for p in ["policies/pinghu-current", "policies/pinghu-revised"] {
        let args = [
            "coverage",
            p,
            "--data",
            "examples/pinghu",
            "--deny-unreached",
        ];
        let o = parkrules(&args);
        assert_eq!(code(&o), 0, "{p}: {}", stdout(&o));
        assert!(stdout(&o).contains("every clause is reached by at least one record"));
    }
}

#[test]
fn coverage_lists_a_clause_no_record_reaches() {
    let dir = tempdir();
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("园区.csv"), "编号,入驻率\nA,50\nB,85\n").unwrap();
    let policy = dir.join("p.rules");
    std::fs::write(
        &policy,
        r#"policy "覆盖" effective 2024-01-01
entity 园区 {
  编号: text key
  入驻率: percent
}
rule 运营奖励 : reward for 园区 {
  cite "第一条"
  amount tier(入驻率) {
    >= 95% => 50 万元
    >= 80% => 30 万元
    else => 0 万元
  }
}
"#,
    )
    .unwrap();
    let args = [
        "coverage",
        policy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--deny-unreached",
    ];
    let o = parkrules(&args);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("not reached by any record (1):"), "{out}");
    assert!(out.contains("运营奖励: tier row `>= 95%`"), "{out}");
    let o = parkrules(&args[..4]);
    assert_eq!(code(&o), 0);
}

#[test]
fn diff_writes_atomically_and_exits_0() {
    let dir = tempdir();
    let out = dir.join("impact.md");
    std::fs::write(&out, "old").unwrap();
    let o = parkrules(&[
        "diff",
        "policies/pinghu-current",
        "policies/pinghu-revised",
        "--data",
        "examples/pinghu",
        "--format",
        "markdown",
        "--by",
        "镇街道",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.starts_with("## Policy impact"), "{md}");
    assert!(md.contains("### By 镇街道"));
    // Nothing but the report in the folder: the temp file was renamed over it.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn a_failed_run_leaves_the_old_output_file() {
    let dir = tempdir();
    let out = dir.join("out.json");
    std::fs::write(&out, "old").unwrap();
    let o = parkrules(&[
        "eval",
        "policies/pinghu-current",
        "--data",
        "no/such/folder",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
}

#[test]
fn bad_data_exits_1_and_names_every_bad_cell() {
    let dir = tempdir();
    for f in ["园区.csv", "企业.csv", "转让申请.csv"] {
        std::fs::copy(root().join("examples/pinghu").join(f), dir.join(f)).unwrap();
    }
    let parks = std::fs::read_to_string(dir.join("园区.csv")).unwrap();
    let parks = parks
        .replacen(",58.3,", ",五十八,", 1)
        .replacen(",2022-03-12,", ",2022-13-40,", 1);
    std::fs::write(dir.join("园区.csv"), parks).unwrap();
    let o = parkrules(&[
        "eval",
        "policies/pinghu-current",
        "--data",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("园区.csv:2") && err.contains("入驻率") && err.contains("五十八"),
        "{err}"
    );
    assert!(
        err.contains("认定日期") && err.contains("2022-13-40"),
        "{err}"
    );
    assert!(stdout(&o).is_empty());
    // With --skip-bad-records the row is left out and listed.
    let o = parkrules(&[
        "eval",
        "policies/pinghu-current",
        "--data",
        dir.to_str().unwrap(),
        "--skip-bad-records",
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["skipped"][0]["file"], "园区.csv");
    assert_eq!(v["skipped"][0]["row"], 2);
}

#[test]
fn eval_is_byte_identical_across_runs() {
    let args = [
        "eval",
        "policies/pinghu-revised",
        "--data",
        "examples/pinghu",
        "--format",
        "jsonl",
    ];
    let a = parkrules(&args);
    let b = parkrules(&args);
    assert_eq!(code(&a), 0);
    assert_eq!(a.stdout, b.stdout);
}

/// The firms' outcomes wait in a temporary file for the parks' to be written first:
/// when none can be made there, the run says where and how to choose another folder,
/// and writes nothing.
#[test]
fn an_unusable_temporary_folder_is_named_and_nothing_is_written() {
    let missing = tempdir().join("no-such-folder");
    let args = [
        "eval",
        "policies/pinghu-revised",
        "--data",
        "examples/pinghu",
    ];
    let o = command(&args)
        .args(["--format", "jsonl"])
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(
        err.contains("outcomes of `企业` in a temporary file")
            && err.contains(&missing.display().to_string())
            && err.contains("set TMPDIR"),
        "{err}"
    );
}

/// The shipped revision against the policy in force, on the shipped records.
const SHIPPED_DIFF: [&str; 5] = [
    "diff",
    "policies/pinghu-current",
    "policies/pinghu-revised",
    "--data",
    "examples/pinghu",
];

/// A JSON diff prints its changes into a temporary file while the totals above them
/// are still being counted: when none can be made, the run says where and how to
/// choose another folder, and writes nothing (an old -o file is kept).
#[test]
fn a_json_diff_without_a_temporary_folder_names_it_and_writes_nothing() {
    let dir = tempdir();
    let missing = dir.join("no-such-folder");
    let out = dir.join("diff.json");
    std::fs::write(&out, "old").unwrap();
    let o = command(&SHIPPED_DIFF)
        .args(["--format", "json", "-o"])
        .arg(&out)
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("diff's changes in a temporary file")
            && err.contains(&missing.display().to_string())
            && err.contains("set TMPDIR"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    // Text keeps its changes in memory: no temporary file is needed.
    let o = command(&SHIPPED_DIFF)
        .env("TMPDIR", &missing)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn output_files_get_the_permissions_of_any_new_file_or_keep_their_own() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let plain = dir.join("plain");
    std::fs::write(&plain, "").unwrap();
    let out = dir.join("out.txt");
    let args = |o: &Path| {
        parkrules(&[
            "eval",
            "policies/pinghu-current",
            "--data",
            "examples/pinghu",
            "-o",
            o.to_str().unwrap(),
        ])
    };
    assert_eq!(code(&args(&out)), 0);
    assert_eq!(
        mode(&out),
        mode(&plain),
        "a new output file is made as any file"
    );
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(code(&args(&out)), 0);
    assert_eq!(mode(&out), 0o640, "a replaced file keeps its permissions");
}

/// The example of README's "The language in a page": checks with no diagnostic and
/// its test passes.
#[test]
fn the_readme_language_example_checks_and_its_test_passes() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let page = &readme[readme.find("## The language in a page").unwrap()..];
    let start = page.find("```text\n").unwrap() + "```text\n".len();
    let end = start + page[start..].find("```").unwrap();
    let dir = tempdir();
    let file = dir.join("language.rules");
    std::fs::write(&file, &page[start..end]).unwrap();
    let o = parkrules(&["check", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let o = parkrules(&["test", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn encoding_flag_reads_gbk_strictly_and_refuses_utf8_as_gbk() {
    let dir = tempdir();
    for f in ["园区.csv", "企业.csv", "转让申请.csv"] {
        let text = std::fs::read_to_string(root().join("examples/pinghu").join(f)).unwrap();
        let (bytes, _, lossy) = encoding_rs::GB18030.encode(&text);
        assert!(!lossy);
        std::fs::write(dir.join(f), bytes).unwrap();
    }
    let gbk = dir.to_str().unwrap();
    for format in ["jsonl", "snapshot"] {
        let eval = |data: &str, enc: &str| {
            parkrules(&[
                "eval",
                "policies/pinghu-revised",
                "--data",
                data,
                "--encoding",
                enc,
                "--format",
                format,
            ])
        };
        let expected = eval("examples/pinghu", "utf-8");
        let got = eval(gbk, "gbk");
        assert_eq!(code(&got), 0, "{}", String::from_utf8_lossy(&got.stderr));
        assert_eq!(got.stdout, expected.stdout, "{format}");
        // Given, the encoding is not announced as detected.
        assert!(
            got.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&got.stderr)
        );
        let wrong = eval("examples/pinghu", "gbk");
        assert_eq!(code(&wrong), 1);
        assert!(wrong.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&wrong.stderr).lines().next(),
            Some(
                "企业.csv: not GB18030 (GBK) as --encoding says: it is UTF-8 (byte 0 begins a UTF-8 character)"
            )
        );
    }
    let o = parkrules(&[
        "coverage",
        "policies/pinghu-revised",
        "--data",
        gbk,
        "--encoding",
        "gb18030",
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let o = parkrules(&[
        "eval",
        "policies/pinghu-revised",
        "--data",
        gbk,
        "--encoding",
        "latin1",
    ]);
    assert_eq!(code(&o), 2);
}
