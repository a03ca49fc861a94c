//! Integration tests: the streaming diff (`stream::diff`) renders the bytes of the
//! in-memory diff in every format, across batches, with rules added, removed and
//! moved, aggregates fed to both sides, and `--by` paths reading fields no rule
//! reads; and it declines (nothing decided) where only the in-memory diff can go.

use parkrules::data::{EncodingChoice, LoadOptions, load_dir};
use parkrules::eval;
use parkrules::lang::Lang;
use parkrules::load::{compile_path, compile_str};
use parkrules::program::Program;
use parkrules::progress::Quiet;
use parkrules::report::diff::{DiffFormat, Side, compute_diff, json, write_diff_in};
use parkrules::stream::diff::{DiffJob, diff};
use std::io::Read;
use std::path::Path;

/// The in-memory diff rendered (the records loaded once per side).
fn in_memory(
    base: &Program,
    revised: &Program,
    dir: &Path,
    by: &[String],
    f: DiffFormat,
) -> Vec<u8> {
    let as_of = revised.info.effective.unwrap();
    let bdata = load_dir(base, dir, &LoadOptions::default())
        .unwrap()
        .dataset;
    let rdata = load_dir(revised, dir, &LoadOptions::default())
        .unwrap()
        .dataset;
    let bout = eval::evaluate(base, &bdata, as_of);
    let rout = eval::evaluate(revised, &rdata, as_of);
    let side = |program, dataset, outcomes| Side {
        program,
        dataset,
        outcomes,
        as_of,
    };
    let d = compute_diff(
        &side(base, &bdata, &bout),
        &side(revised, &rdata, &rout),
        by,
    );
    let mut out = Vec::new();
    write_diff_in(&mut out, f, &d, Lang::En).unwrap();
    out
}

/// The streaming diff rendered as the CLI renders it (`None`: it declined).
fn streamed(
    base: &Program,
    revised: &Program,
    dir: &Path,
    by: &[String],
    f: DiffFormat,
) -> Option<Vec<u8>> {
    let job = DiffJob {
        base,
        revised,
        as_of: revised.info.effective.unwrap(),
        encoding: EncodingChoice::Auto,
        by,
        print_json: f == DiffFormat::Json,
    };
    let made = diff(&job, dir, &Quiet).unwrap()?;
    let mut out = Vec::new();
    match made.printed {
        Some(mut parts) => {
            assert!(made.diff.changes.is_empty(), "printed changes are not kept");
            json::write_printed(&mut out, &made.diff, &mut parts).unwrap();
            for part in &mut parts {
                let mut rest = Vec::new();
                part.read_to_end(&mut rest).unwrap();
                assert!(rest.is_empty(), "the printed changes are read to their end");
            }
        }
        None => write_diff_in(&mut out, f, &made.diff, Lang::En).unwrap(),
    }
    Some(out)
}

const TEXT_FORMATS: [DiffFormat; 4] = [
    DiffFormat::Text,
    DiffFormat::Markdown,
    DiffFormat::Json,
    DiffFormat::Html,
];

fn paths(by: &[&str]) -> Vec<String> {
    by.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_shipped_revision_streams_the_bytes_of_the_in_memory_diff() {
    let base = compile_path(Path::new("policies/pinghu-current"))
        .program
        .unwrap();
    let revised = compile_path(Path::new("policies/pinghu-revised"))
        .program
        .unwrap();
    let dir = Path::new("examples/pinghu");
    for by in [vec![], paths(&["镇街道"]), paths(&["园区.镇街道", "行业"])] {
        for f in TEXT_FORMATS {
            let s = streamed(&base, &revised, dir, &by, f).expect("streams");
            let m = in_memory(&base, &revised, dir, &by, f);
            assert!(s == m, "{f:?} by {by:?}:\n{}", first_difference(&s, &m));
        }
    }
}

/// Where two renderings part, with some context.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let at = a
        .lines()
        .zip(b.lines())
        .position(|(x, y)| x != y)
        .unwrap_or(a.lines().count().min(b.lines().count()));
    let show = |s: &str| {
        s.lines()
            .skip(at.saturating_sub(2))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "line {}:\n--- streamed\n{}\n--- in memory\n{}",
        at + 1,
        show(&a),
        show(&b)
    )
}

/// The entities both policies read records as.
const SCHEMA: &str = r#"enum 规模 { 大, 小 }
entity 园区 {
  编号: text key
  区域: text
  招商: bool
}
entity 企业 {
  代码: text key
  园区: 园区
  年税收: money in 万元
  规模: 规模
  备注: text?
}
"#;

const BASE_RULES: &str = r#"param 奖励比例: percent = 10%
let 园区.入园税收 = sum(企业.年税收)
rule 税收奖励 : subsidy for 园区 {
  cite "第一条"
  amount 入园税收 * 奖励比例
}
rule 企业奖励 : subsidy for 企业 {
  cite "第二条"
  when 年税收 >= 10 万元
  amount 1 万元
}
rule 招商达标 : ratio for 企业 {
  cite "第三条"
  require 年税收 >= 5 万元 or not 园区.招商
  else "招商园区的企业年税收须不低于 5 万元"
}
rule 旧规 : subsidy for 企业 {
  cite "第四条"
  when 规模 == 大
  amount 2 万元
}
"#;

/// The base with a param raised, 旧规 removed, 企业奖励 moved after a new check, and a
/// new rule reading a fed aggregate of the firm's park.
const REVISED_RULES: &str = r#"param 奖励比例: percent = 12%
let 园区.入园税收 = sum(企业.年税收)
rule 税收奖励 : subsidy for 园区 {
  cite "第一条"
  amount 入园税收 * 奖励比例
}
rule 招商达标 : ratio for 企业 {
  cite "第三条"
  require 年税收 >= 6 万元 or not 园区.招商
  else "招商园区的企业年税收须不低于 6 万元"
}
rule 企业奖励 : subsidy for 企业 {
  cite "第二条"
  when 年税收 >= 8 万元
  amount 1 万元
}
rule 大园区奖励 : reward for 企业 {
  cite "第五条"
  when 园区.入园税收 >= 200 万元
  amount 年税收 * 1%
}
"#;

/// The policy in force and the revision (`SCHEMA` with `extra` in 企业, when given).
fn policies(extra: &str) -> (Program, Program) {
    let policy = |head: &str, schema: &str, rules: &str| {
        let text = format!("{head}\n{schema}{rules}");
        compile_str("p.rules", &text).program.unwrap()
    };
    let widened = SCHEMA.replace("  备注: text?\n", &format!("  备注: text?\n{extra}"));
    (
        policy(r#"policy "基础" effective 2024-01-01"#, SCHEMA, BASE_RULES),
        policy(
            r#"policy "修订" effective 2024-01-01"#,
            &widened,
            REVISED_RULES,
        ),
    )
}

/// A folder of parks and `firms` firms, in several batches of the streaming reader.
fn generated(firms: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut parks = String::from("编号,区域,招商\n");
    for p in 0..7 {
        parks.push_str(&format!(
            "P{p},{},{}\n",
            ["东", "西", "南"][p % 3],
            p % 2 == 0
        ));
    }
    let mut text = String::from("代码,园区,年税收,规模,备注\n");
    for i in 0..firms {
        let cents = i * 37 % 1500;
        let tax = format!("{}.{:02}", cents / 100, cents % 100);
        let size = if i % 5 == 0 { "大" } else { "小" };
        let note = if i % 3 == 0 { "" } else { "有" };
        text.push_str(&format!("F{i},P{},{tax},{size},{note}\n", i * 13 % 7));
    }
    std::fs::write(dir.path().join("园区.csv"), parks).unwrap();
    std::fs::write(dir.path().join("企业.csv"), text).unwrap();
    dir
}

#[test]
fn rules_added_removed_and_moved_stream_as_in_memory_across_batches() {
    let (base, revised) = policies("");
    // More firms than a batch (4096) and not a multiple of a chunk (2048).
    let dir = generated(4_501);
    // `区域` and `规模` are read by no rule: the breakdowns must still see them.
    for (by, formats) in [
        (vec![], &TEXT_FORMATS[..]),
        (paths(&["区域"]), &[DiffFormat::Json][..]),
        (
            paths(&["园区.区域", "规模", "备注"]),
            &[DiffFormat::Text, DiffFormat::Json][..],
        ),
    ] {
        for &f in formats {
            let s = streamed(&base, &revised, dir.path(), &by, f).expect("streams");
            let m = in_memory(&base, &revised, dir.path(), &by, f);
            assert!(s == m, "{f:?} by {by:?}:\n{}", first_difference(&s, &m));
        }
    }
    // The JSON says what changed: nothing is vacuous about the comparison above.
    let by = paths(&["园区.区域"]);
    let s = streamed(&base, &revised, dir.path(), &by, DiffFormat::Json).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&s).unwrap();
    let changes = v["changes"].as_array().unwrap();
    assert!(changes.len() > 4_096, "{}", changes.len());
    assert_eq!(
        changes.iter().filter(|c| c["rule"] == "旧规").count(),
        (0..4_501).filter(|i| i % 5 == 0).count(),
        "every large firm loses the removed rule"
    );
    let rules: std::collections::BTreeSet<&str> = changes
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    for r in ["税收奖励", "招商达标", "企业奖励", "旧规", "大园区奖励"] {
        assert!(rules.contains(r), "{r} changes: {rules:?}");
    }
    let regions: Vec<&str> = v["breakdowns"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    // The parks' own outcomes have no `园区` to follow.
    assert_eq!(regions, ["(none)", "东", "南", "西"]);
    // Indices into the changes, across batches.
    for ix in v["new_violations"].as_array().unwrap() {
        let c = &changes[ix.as_u64().unwrap() as usize];
        assert_eq!(c["after"]["status"], "violation", "{c}");
    }
}

#[test]
fn the_diff_declines_what_only_memory_can_do() {
    let (base, revised) = policies("");
    let dir = generated(50);
    let by: Vec<String> = Vec::new();
    // A revision that changes an entity reads the records differently.
    let (_, wider) = policies("  人数: int?\n");
    assert!(streamed(&base, &wider, dir.path(), &by, DiffFormat::Json).is_none());
    // A bad cell: the in-memory diff reports it.
    let text = std::fs::read_to_string(dir.path().join("企业.csv")).unwrap();
    std::fs::write(
        dir.path().join("企业.csv"),
        text.replacen(",小,", ",中,", 1),
    )
    .unwrap();
    assert!(streamed(&base, &revised, dir.path(), &by, DiffFormat::Json).is_none());
}
