//! Integration tests: messages in English and in Chinese (`--lang`, the locale).
//!
//! A few cases of each family, run through the binary in both languages and
//! snapshotted side by side under `tests/snapshots/lang/`: checker and syntax
//! diagnostics, data errors, the heading section of a text diff, a test-run failure,
//! evaluation errors in the text report, an explain tree and a diff
//! (`tests/cases/lang/`), the markdown diff of the shipped policies (causes and
//! definition changes) and the top-level `--help`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary from the repository root with a clean locale and `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parkrules"));
    cmd.args(args)
        .current_dir(root())
        .env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Both languages of one command: `--lang en` then `--lang zh`, stdout and stderr.
fn both(args: &[&str]) -> String {
    let mut out = String::new();
    for lang in ["en", "zh"] {
        let mut a = vec!["--lang", lang];
        a.extend_from_slice(args);
        let o = run(&a, &[]);
        out.push_str(&format!(
            "=== --lang {lang} (exit {})\n",
            o.status.code().unwrap_or(-1)
        ));
        out.push_str(&String::from_utf8_lossy(&o.stdout));
        out.push_str(&String::from_utf8_lossy(&o.stderr));
    }
    out
}

/// An insta snapshot under `tests/snapshots/lang/`.
fn snap(name: &str, value: &str) {
    crate::snap_in("lang", name, value);
}

#[test]
fn checker_diagnostics_in_both_languages() {
    for case in [
        "unknown_name",
        "dimension_mismatch",
        "non_exhaustive_match",
        "let_cycle",
    ] {
        let path = format!("tests/cases/check/{case}.rules");
        snap(&format!("check_{case}"), &both(&["check", &path]));
    }
}

/// Keywords in a syntax error are the file's dialect's, whatever the language.
#[test]
fn syntax_errors_name_keywords_in_the_dialect_of_the_file() {
    let dir = tempdir("syntax");
    let zh = dir.join("zh.rules");
    let en = dir.join("en.rules");
    std::fs::write(&zh, "规则 R : subsidy 园区 {\n  金额 1 元\n}\n").unwrap();
    std::fs::write(&en, "rule R : subsidy 园区 {\n  amount 1 元\n}\n").unwrap();
    for (name, path) in [("syntax_zh_dialect", &zh), ("syntax_en_dialect", &en)] {
        let out = both(&["check", path.to_str().unwrap()]);
        snap(name, &out.replace(dir.to_str().unwrap(), "<dir>"));
    }
}

#[test]
fn data_errors_in_both_languages() {
    let dir = tempdir("data");
    for f in ["园区.csv", "企业.csv", "转让申请.csv"] {
        std::fs::copy(root().join("examples/pinghu").join(f), dir.join(f)).unwrap();
    }
    // A bad percent, a cell in another unit, a duplicate key.
    let parks = std::fs::read_to_string(dir.join("园区.csv")).unwrap();
    let mut lines: Vec<String> = parks.lines().map(str::to_string).collect();
    let head: Vec<&str> = lines[0].split(',').collect();
    let col = |name: &str| {
        head.iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .unwrap()
    };
    let (occupancy, area) = (col("入驻率"), col("规划面积"));
    let mut row: Vec<String> = lines[1].split(',').map(str::to_string).collect();
    row[occupancy] = "五十八".into();
    row[area] = "120万元".into();
    lines[1] = row.join(",");
    let dup = lines[1].clone();
    lines.insert(2, dup.replace("五十八", "60").replace("120万元", "120"));
    std::fs::write(dir.join("园区.csv"), lines.join("\n") + "\n").unwrap();
    let data = dir.to_str().unwrap();
    let out = both(&["eval", "policies/pinghu-current", "--data", data]);
    snap("data_errors", &out.replace(data, "<dir>"));
    // A folder without the files the rules need.
    let empty = tempdir("empty");
    std::fs::write(empty.join("说明.txt"), "").unwrap();
    let data = empty.to_str().unwrap();
    let out = both(&["eval", "policies/pinghu-current", "--data", data]);
    snap("data_missing_files", &out.replace(data, "<dir>"));
}

#[test]
fn diff_text_heading_section_in_both_languages() {
    let mut out = String::new();
    for lang in ["en", "zh"] {
        let o = run(
            &[
                "--lang",
                lang,
                "diff",
                "policies/pinghu-current",
                "policies/pinghu-revised",
                "--data",
                "examples/pinghu",
            ],
            &[],
        );
        let text = String::from_utf8_lossy(&o.stdout);
        // The summary, the totals by family and the heading of the totals by rule.
        let head: Vec<&str> = text.lines().take(20).collect();
        out.push_str(&format!("=== --lang {lang}\n{}\n", head.join("\n")));
    }
    snap("diff_text_heading", &out);
}

#[test]
fn a_test_failure_in_both_languages() {
    snap(
        "test_failure",
        &both(&["test", "tests/cases/eval/fail_expectations.rules"]),
    );
}

/// A policy whose records give a division by zero and a blank field.
const ERRORS: &str = "tests/cases/lang/errors";

#[test]
fn error_outcomes_in_the_text_report_in_both_languages() {
    let (policy, data) = (format!("{ERRORS}/base.rules"), format!("{ERRORS}/data"));
    snap("eval_errors", &both(&["eval", &policy, "--data", &data]));
}

#[test]
fn an_explain_tree_with_an_error_in_both_languages() {
    let (policy, data) = (format!("{ERRORS}/base.rules"), format!("{ERRORS}/data"));
    let mut out = String::new();
    for (record, rule) in [("园区:PH-002", "配套用房比例"), ("园区:PH-003", "运营奖励")]
    {
        let args = [
            "explain", &policy, "--data", &data, "--record", record, "--rule", rule,
        ];
        out.push_str(&both(&args));
    }
    snap("explain_errors", &out);
}

/// Outcome cells with errors, and the causes, in a text diff.
#[test]
fn a_diff_with_errors_in_both_languages() {
    let (base, revised) = (
        format!("{ERRORS}/base.rules"),
        format!("{ERRORS}/revised.rules"),
    );
    let data = format!("{ERRORS}/data");
    snap(
        "diff_errors",
        &both(&["diff", &base, &revised, "--data", &data]),
    );
}

/// The causes and definition changes of the shipped revision, as a drafter reads them.
#[test]
fn the_shipped_diff_in_markdown_in_both_languages() {
    let args = [
        "diff",
        "policies/pinghu-current",
        "policies/pinghu-revised",
        "--data",
        "examples/pinghu",
        "--format",
        "markdown",
    ];
    snap("diff_markdown", &both(&args));
}

#[test]
fn top_level_help_in_both_languages() {
    snap("help", &both(&["--help"]));
}

/// Without `--lang`: LC_ALL, then LC_MESSAGES, then LANG; `--lang` wins over them.
#[test]
fn the_locale_picks_the_language_unless_the_flag_is_given() {
    let check = ["check", "tests/cases/check/unknown_name.rules"];
    let is_zh = |env: &[(&str, &str)], args: &[&str]| {
        let o = run(args, env);
        String::from_utf8_lossy(&o.stderr).contains("未知名称")
    };
    assert!(!is_zh(&[], &check));
    assert!(is_zh(&[("LANG", "zh_CN.UTF-8")], &check));
    assert!(!is_zh(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "C")], &check));
    assert!(is_zh(
        &[("LANG", "C"), ("LC_MESSAGES", "zh_CN.UTF-8")],
        &check
    ));
    let mut flagged = vec!["--lang", "en"];
    flagged.extend(check);
    assert!(!is_zh(&[("LANG", "zh_CN.UTF-8")], &flagged));
}

/// Machine formats do not depend on the language.
#[test]
fn machine_formats_are_the_same_in_both_languages() {
    for format in ["json", "jsonl", "csv", "snapshot"] {
        let args = |lang| {
            vec![
                "--lang",
                lang,
                "eval",
                "policies/pinghu-current",
                "--data",
                "examples/pinghu",
                "--format",
                format,
            ]
        };
        let en = run(&args("en"), &[]).stdout;
        let zh = run(&args("zh"), &[]).stdout;
        assert_eq!(en, zh, "{format}");
    }
}

/// The `error` field of the machine formats is data for scripts: English in both.
#[test]
fn machine_formats_keep_evaluation_errors_in_english() {
    let (policy, data) = (format!("{ERRORS}/base.rules"), format!("{ERRORS}/data"));
    let explain = [
        "explain",
        &policy,
        "--data",
        &data,
        "--record",
        "园区:PH-003",
        "--format",
        "json",
    ];
    let mut commands: Vec<Vec<&str>> = ["json", "jsonl", "csv", "snapshot"]
        .into_iter()
        .map(|f| vec!["eval", &policy, "--data", &data, "--format", f])
        .collect();
    commands.push(explain.to_vec());
    for args in commands {
        let with = |lang| [&["--lang", lang][..], &args].concat();
        let en = run(&with("en"), &[]).stdout;
        let zh = run(&with("zh"), &[]).stdout;
        assert_eq!(en, zh, "{args:?}");
        assert!(
            String::from_utf8_lossy(&en).contains("is blank"),
            "{args:?}"
        );
    }
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("lang-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A changed outcome quoted in a diff names its keywords in the dialect of the file
/// the rule is written in: `金额 …` for a policy in the Chinese dialect.
#[test]
fn a_changed_outcome_is_quoted_in_the_dialect_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let case = root().join("tests/cases/lang/errors");
    for f in ["base.rules", "revised.rules"] {
        std::fs::copy(case.join(f), dir.path().join(f)).unwrap();
    }
    let d = |f: &str| dir.path().join(f).display().to_string();
    let fmt = run(
        &[
            "fmt",
            "--dialect",
            "zh",
            &d("base.rules"),
            &d("revised.rules"),
        ],
        &[],
    );
    assert!(
        fmt.status.success(),
        "{}",
        String::from_utf8_lossy(&fmt.stderr)
    );
    let data = case.join("data").display().to_string();
    let o = run(
        &[
            "--lang",
            "zh",
            "diff",
            &d("base.rules"),
            &d("revised.rules"),
            "--data",
            &data,
        ],
        &[],
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("`金额 投资 * 补助比例` → `金额 投资 * 补助比例 * (总建筑面积 / 总建筑面积)`"),
        "{out}"
    );
    assert!(!out.contains("`amount "), "{out}");
}
