//! Integration tests: streaming evaluation (`eval --format jsonl`) gives the bytes of
//! the in-memory path, feeds aggregates over entities it does not keep, and reports
//! bad data exactly as the loader does, writing nothing.

use parkrules::data::{LoadOptions, load_dir};
use parkrules::eval;
use parkrules::load::{compile_path, compile_str};
use parkrules::program::Program;
use parkrules::progress::Quiet;
use parkrules::report::{Format, ReportInput, write_outcomes};
use parkrules::stream::{StreamError, eval_jsonl, referred_to};
use std::path::Path;

fn in_memory(program: &Program, dir: &Path) -> Vec<u8> {
    let loaded = load_dir(program, dir, &LoadOptions::default()).unwrap();
    let as_of = program.info.effective.unwrap();
    let outcomes = eval::evaluate(program, &loaded.dataset, as_of);
    let input = ReportInput {
        program,
        dataset: &loaded.dataset,
        outcomes: &outcomes,
        as_of,
        skipped: &[],
    };
    let mut out = Vec::new();
    write_outcomes(&mut out, Format::Jsonl, &input).unwrap();
    out
}

fn streamed(program: &Program, dir: &Path) -> Result<Vec<u8>, StreamError> {
    let mut out = Vec::new();
    eval_jsonl(
        program,
        dir,
        program.info.effective.unwrap(),
        &mut out,
        &Quiet,
    )?;
    Ok(out)
}

#[test]
fn the_shipped_policies_stream_the_bytes_of_the_in_memory_path() {
    for p in ["policies/pinghu-current", "policies/pinghu-revised"] {
        let program = compile_path(Path::new(p)).program.unwrap();
        let dir = Path::new("examples/pinghu");
        assert_eq!(
            streamed(&program, dir).unwrap(),
            in_memory(&program, dir),
            "{p}"
        );
        // 园区 and 企业 are referred to (by 企业.园区 and 转让申请.买方企业): kept;
        // 转让申请 streams.
        assert_eq!(referred_to(&program), vec![true, true, false]);
        // Entities whose rules compute no aggregate are evaluated as their files are
        // checked: all three in force; in the revision not 园区 (`sum(企业.年税收)`).
        let mut out = Vec::new();
        let as_of = program.info.effective.unwrap();
        let summary = eval_jsonl(&program, dir, as_of, &mut out, &Quiet).unwrap();
        let early = if p.ends_with("current") { 3 } else { 2 };
        assert_eq!(summary.early, early, "{p}");
    }
}

const FED: &str = r#"policy "聚合" effective 2024-01-01
entity 园区 {
  编号: text key
}
entity 企业 {
  代码: text key
  园区: 园区
  年税收: money in 万元
}
let 园区.入园税收 = sum(企业.年税收)
let 园区.企业数 = count(企业 where 年税收 > 0 万元)
rule 税收奖励 : subsidy for 园区 {
  cite "第一条"
  amount 入园税收 * 10%
}
rule 企业数 : ratio for 园区 {
  cite "第二条"
  require 企业数 >= 2
  else "只有 {企业数} 家纳税企业"
}
rule 企业奖励 : subsidy for 企业 {
  cite "第三条"
  when 年税收 >= 10 万元
  amount 1 万元
}
"#;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// A folder of `园区.csv` and `企业.csv`.
fn parks_and_firms(parks: &str, firms: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "园区.csv", parks);
    write(dir.path(), "企业.csv", firms);
    dir
}

#[test]
fn aggregates_over_a_streamed_entity_are_fed() {
    let dir = parks_and_firms(
        "编号\nA\nB\n",
        "代码,园区,年税收\nF1,A,12\nF2,B,3\nF3,A,0\nF4,A,20.5\n",
    );
    let program = compile_str("fed.rules", FED).program.unwrap();
    // Nothing refers to 企业: it is fed, then streamed.
    assert_eq!(referred_to(&program), vec![true, false]);
    let out = streamed(&program, dir.path()).unwrap();
    assert_eq!(out, in_memory(&program, dir.path()));
    let text = String::from_utf8(out).unwrap();
    // A: 12 + 0 + 20.5 = 32.5 万元 → 3.25 万元; B: 3 万元 → 0.3 万元.
    assert!(
        text.contains(
            r#""key":"A","rule":"税收奖励","family":"subsidy","status":"amount","amount":"32500""#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#""key":"B","rule":"税收奖励","family":"subsidy","status":"amount","amount":"3000""#
        ),
        "{text}"
    );
    assert!(text.contains("只有 1 家纳税企业"), "{text}");
    assert_eq!(text.lines().count(), 2 * 2 + 4);
}

#[test]
fn bad_data_is_reported_as_the_loader_does_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "园区.csv", "编号\nA\nA\n");
    write(dir.path(), "企业.csv", "代码,园区,年税收\nF1,Z,x\n");
    let program = compile_str("fed.rules", FED).program.unwrap();
    let expected = match load_dir(&program, dir.path(), &LoadOptions::default()) {
        Err(e) => parkrules::data::render_errors(&e),
        Ok(_) => panic!("the data is bad"),
    };
    let mut out = Vec::new();
    match eval_jsonl(
        &program,
        dir.path(),
        program.info.effective.unwrap(),
        &mut out,
        &Quiet,
    ) {
        Err(StreamError::Data(e)) => assert_eq!(parkrules::data::render_errors(&e), expected),
        other => panic!("{other:?}"),
    }
    assert!(out.is_empty());
    // Every problem: the duplicate key, the unknown park, the bad number.
    assert_eq!(
        expected.lines().filter(|l| l.contains("企业.csv")).count(),
        2,
        "{expected}"
    );
    assert!(expected.contains("园区.csv"), "{expected}");
}

const WANTED: &str = r#"policy "引用" effective 2024-01-01
entity 园区 {
  编号: text key
}
entity 企业 {
  代码: text key
  园区: 园区
  名称: text
  年税收: money in 万元
  规上: bool
}
entity 转让申请 {
  编号: text key
  买方企业: 企业?
  面积: area in m2
}
let 园区.入园税收 = sum(企业.年税收)
let 企业.纳税大户 = 年税收 >= 10 万元 and 规上
rule 税收奖励 : subsidy for 园区 {
  cite "第一条"
  amount 入园税收 * 10%
}
rule 企业奖励 : subsidy for 企业 {
  cite "第二条"
  when 年税收 >= 10 万元
  amount 1 万元
}
rule 买方资格 : restriction for 转让申请 {
  cite "第三条"
  require 买方企业.纳税大户 and 买方企业.园区.编号 != "Z"
  else "买方 {买方企业.名称} 不是规上纳税大户"
}
"#;

/// An entity others refer to but no aggregate groups by (企业, referred to by
/// 转让申请.买方企业) keeps in memory only the records referred to, with only the
/// fields read through the reference (and the `let` it reads): the bytes are those of
/// the in-memory path, and a bad reference or a repeated key is still reported as
/// the loader reports it.
#[test]
fn an_entity_referred_to_keeps_only_the_records_referred_to() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "园区.csv", "编号\nA\nB\n");
    let mut firms = String::from("代码,园区,名称,年税收,规上\n");
    for i in 0..5000 {
        let park = if i % 3 == 0 { "A" } else { "B" };
        firms.push_str(&format!("F{i},{park},企业{i},{},{}\n", i % 25, i % 2 == 0));
    }
    write(dir.path(), "企业.csv", &firms);
    write(
        dir.path(),
        "转让申请.csv",
        "编号,买方企业,面积\nT1,F12,500\nT2,,300\nT3,F4999,200\nT4,F12,100\nT5,F20,50\n",
    );
    let program = compile_str("wanted.rules", WANTED).program.unwrap();
    assert_eq!(referred_to(&program), vec![true, true, false]);
    // Read afar: 园区.编号 (through 买方企业.园区), every field of 企业 but its key (the
    // aggregate's value and `via`, the let read through the reference, the message).
    assert_eq!(
        program.fields_read_afar(),
        vec![
            vec![true],
            vec![false, true, true, true, true],
            vec![false, false, false]
        ]
    );
    assert_eq!(program.aggregate_parents(), vec![true, false, false]);
    // Read on a 企业's own record by its rule and lets: 年税收 and 规上 (a second read of
    // the file converts only these); on a 转让申请's: the reference 买方企业.
    let local = |e| program.fields_read_locally(parkrules::program::EntityId(e));
    assert_eq!(local(1), vec![false, false, false, true, true]);
    assert_eq!(local(2), vec![false, true, false]);
    let out = streamed(&program, dir.path()).unwrap();
    assert_eq!(out, in_memory(&program, dir.path()));
    let text = String::from_utf8(out).unwrap();
    // F12: tax 12, 规上 (12 is even) → passes; F4999: tax 24, not 规上 → violation.
    assert!(
        text.contains(r#""key":"T1","rule":"买方资格","family":"restriction","status":"pass""#),
        "{text}"
    );
    assert!(text.contains("买方 企业4999 不是规上纳税大户"), "{text}");
    assert_eq!(text.lines().count(), 2 + 5000 + 5);

    // An unknown buyer and a repeated firm key: the loader's errors, nothing written.
    write(
        dir.path(),
        "转让申请.csv",
        "编号,买方企业,面积\nT1,F12,500\nT2,F9999,300\n",
    );
    firms.push_str("F7,A,重复,1,true\n");
    write(dir.path(), "企业.csv", &firms);
    let expected = match load_dir(&program, dir.path(), &LoadOptions::default()) {
        Err(e) => parkrules::data::render_errors(&e),
        Ok(_) => panic!("the data is bad"),
    };
    match streamed(&program, dir.path()) {
        Err(StreamError::Data(e)) => assert_eq!(parkrules::data::render_errors(&e), expected),
        other => panic!("{other:?}"),
    }
    assert!(
        expected.contains("F9999") && expected.contains("F7"),
        "{expected}"
    );
}

const TWO_FED: &str = r#"policy "两处聚合" effective 2024-01-01
entity 园区 {
  编号: text key
}
entity 企业 {
  代码: text key
  园区: 园区
}
entity 镇 {
  名称: text key
}
entity 项目 {
  编号: text key
  镇: 镇
  投资: money in 万元
}
let 园区.企业数 = count(企业)
let 镇.项目投资 = sum(项目.投资)
rule 企业数 : ratio for 园区 {
  cite "第一条"
  require 企业数 >= 2
  else "只有 {企业数} 家企业"
}
rule 项目奖励 : reward for 镇 {
  cite "第二条"
  amount 项目投资 * 1%
}
"#;

/// Two entities fed through aggregates, the second's parent (镇) read after the first
/// (企业) is fed: each is fed by an evaluator that has its own parents' tables.
#[test]
fn each_fed_entity_sees_the_tables_read_before_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "园区.csv", "编号\nA\nB\n");
    write(dir.path(), "企业.csv", "代码,园区\nF1,A\nF2,A\nF3,B\n");
    write(dir.path(), "镇.csv", "名称\n新埭\n广陈\n");
    write(
        dir.path(),
        "项目.csv",
        "编号,镇,投资\nP1,新埭,100\nP2,广陈,50\nP3,新埭,20\n",
    );
    let program = compile_str("two.rules", TWO_FED).program.unwrap();
    let out = streamed(&program, dir.path()).unwrap();
    assert_eq!(out, in_memory(&program, dir.path()));
    let text = String::from_utf8(out).unwrap();
    // 新埭: (100 + 20) 万元 × 1% = 1.2 万元.
    assert!(
        text.contains(
            r#""key":"新埭","rule":"项目奖励","family":"reward","status":"amount","amount":"12000""#
        ),
        "{text}"
    );
    assert!(text.contains("只有 1 家企业"), "{text}");
}

/// A percent column that only the firms' own rules read is not kept while 企业.csv is
/// checked, yet its values are still noted: a column of fractions gets the note the
/// loader gives.
#[test]
fn a_percent_column_not_kept_is_still_noted() {
    let dir = parks_and_firms(
        "编号\nA\n",
        "代码,园区,年税收,研发占比\nF1,A,12,0.5\nF2,A,3,0.25\n",
    );
    let text = FED
        .replace(
            "  年税收: money in 万元\n",
            "  年税收: money in 万元\n  研发占比: percent\n",
        )
        .replace("when 年税收 >= 10 万元", "when 研发占比 >= 0.3%");
    let program = compile_str("fed.rules", &text).program.unwrap();
    let loaded = load_dir(&program, dir.path(), &LoadOptions::default()).unwrap();
    let mut out = Vec::new();
    let as_of = program.info.effective.unwrap();
    let summary = eval_jsonl(&program, dir.path(), as_of, &mut out, &Quiet).unwrap();
    assert_eq!(out, in_memory(&program, dir.path()));
    assert_eq!(summary.notes, loaded.notes);
    assert_eq!(summary.notes.len(), 1, "{:?}", summary.notes);
}

/// An entity whose rules compute no aggregate (企业 of `FED`) is evaluated as its file
/// is checked, its outcomes kept in a temporary file until their turn; one whose rules
/// read an aggregate, even through a reference (`园区.入园税收`), is evaluated after
/// every file is read. The bytes are those of the in-memory path either way.
#[test]
fn firms_whose_rules_read_no_aggregate_are_evaluated_as_they_are_checked() {
    let mut firms = String::from("代码,园区,年税收\n");
    for i in 0..9000 {
        let park = if i % 4 == 0 { "A" } else { "B" };
        firms.push_str(&format!("F{i},{park},{}\n", i % 23));
    }
    let dir = parks_and_firms("编号\nA\nB\n", &firms);
    let reads_park_total = FED.to_string()
        + r#"rule 税收占比 : ratio for 企业 {
  cite "第四条"
  require 年税收 * 1000 <= 园区.入园税收
  else "年税收超过园区入园税收的千分之一"
}
"#;
    let firm = parkrules::program::EntityId(1);
    for (text, early) in [(FED, 1), (reads_park_total.as_str(), 0)] {
        let program = compile_str("fed.rules", text).program.unwrap();
        assert_eq!(program.rules_read_aggregates(firm), early == 0);
        let mut out = Vec::new();
        let as_of = program.info.effective.unwrap();
        let summary = eval_jsonl(&program, dir.path(), as_of, &mut out, &Quiet).unwrap();
        assert_eq!(summary.early, early);
        assert_eq!(
            summary.outcomes,
            out.iter().filter(|&&b| b == b'\n').count()
        );
        assert_eq!(out, in_memory(&program, dir.path()), "{text}");
    }
}

/// A bad cell found after some thousands of firms were evaluated early: the loader's
/// error, and nothing written.
#[test]
fn a_bad_cell_after_firms_were_evaluated_early_writes_nothing() {
    let mut firms = String::from("代码,园区,年税收\n");
    for i in 0..9000 {
        let tax = if i == 8500 {
            "十二".to_string()
        } else {
            i.to_string()
        };
        firms.push_str(&format!("F{i},A,{tax}\n"));
    }
    let dir = parks_and_firms("编号\nA\n", &firms);
    let program = compile_str("fed.rules", FED).program.unwrap();
    let mut out = Vec::new();
    let as_of = program.info.effective.unwrap();
    match eval_jsonl(&program, dir.path(), as_of, &mut out, &Quiet) {
        Err(StreamError::Data(e)) => {
            let text = parkrules::data::render_errors(&e);
            assert!(text.contains("十二") && text.contains("8502"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    assert!(out.is_empty());
}

/// A param in a message is shown once and reused; the fields beside it are each
/// record's own.
#[test]
fn messages_show_each_records_fields_beside_the_params() {
    let dir = parks_and_firms("编号\nA\n", "代码,园区,年税收\nF1,A,3\nF2,A,12\nF3,A,4.5\n");
    let text = FED.to_string()
        + r#"param 下限: money = 5 万元
rule 税收下限 : restriction for 企业 {
  cite "第五条"
  require 年税收 >= 下限
  else "年税收 {年税收} 低于 {下限}"
}
"#;
    let program = compile_str("fed.rules", &text).program.unwrap();
    let out = String::from_utf8(streamed(&program, dir.path()).unwrap()).unwrap();
    assert!(out.contains("年税收 3万元 低于 5万元"), "{out}");
    assert!(out.contains("年税收 4.5万元 低于 5万元"), "{out}");
    assert_eq!(out.matches("低于 5万元").count(), 2, "{out}");
    assert_eq!(out.into_bytes(), in_memory(&program, dir.path()));
}

/// Firms evaluated early have every kind of outcome (amounts of a rule and of its
/// exception, not applicable at either `when`, pass, violations with each record's
/// own message, errors naming their place) over several chunks of records: what they
/// wait as, packed, unpacks to the lines the in-memory path writes.
#[test]
fn every_kind_of_outcome_of_firms_evaluated_early_comes_back_as_written() {
    let mut firms = String::from("代码,园区,年税收,评级\n");
    for i in 0..5000 {
        let park = if i % 3 == 0 { "A" } else { "B" };
        // Every 7th firm has no 评级: rules that read it fail with an error.
        let grade = ["甲", "乙", "丙", "丙", "乙", "甲", ""][i % 7];
        // Amounts with fractions and signs, some with many digits.
        let tax = match i % 5 {
            0 => format!("{}", i % 40),
            1 => format!("{}.{}", i % 13, i % 10),
            2 => format!("-{}", i % 9),
            3 => format!("123456789.{:04}", i),
            _ => "0".to_string(),
        };
        firms.push_str(&format!("F{i},{park},{tax},{grade}\n"));
    }
    let dir = parks_and_firms("编号\nA\nB\n", &firms);
    let text = r#"policy "各种结果" effective 2024-01-01
enum 评级 { 甲, 乙, 丙 }
entity 园区 {
  编号: text key
}
entity 企业 {
  代码: text key
  园区: 园区
  年税收: money in 万元
  评级: 评级?
}
rule 税收奖励 : subsidy for 企业 {
  cite "第一条"
  when 年税收 > 0 万元
  when 评级 != 丙
  amount 年税收 * 3%
  exception 甲级 {
    cite "第一条第二款"
    when 评级 == 甲
    amount 年税收 * 7%
  }
}
rule 纳税 : restriction for 企业 {
  cite "第二条"
  require 年税收 >= 1 万元
  else "{代码} 年税收 {年税收} 不足 1 万元"
}
rule 评级 : restriction for 企业 {
  cite "第三条"
  require 评级 != 丙
  else "评级不得为丙"
}
"#;
    let program = compile_str("kinds.rules", text).program.unwrap();
    let mut out = Vec::new();
    let as_of = program.info.effective.unwrap();
    let summary = eval_jsonl(&program, dir.path(), as_of, &mut out, &Quiet).unwrap();
    assert_eq!(summary.early, 1);
    let lines = String::from_utf8(out.clone()).unwrap();
    for status in ["amount", "not_applicable", "pass", "violation", "error"] {
        assert!(
            lines.contains(&format!("\"status\":\"{status}\"")),
            "no {status}"
        );
    }
    assert!(lines.contains("\"exception\":\"甲级\""));
    assert!(lines.matches("评级不得为丙").count() > 1000);
    let f4: Vec<&str> = lines.lines().filter(|l| l.contains("\"F4\"")).collect();
    assert!(lines.contains("F4 年税收 0万元 不足 1 万元"), "{f4:?}");
    assert_eq!(
        summary.errors,
        lines.matches("\"status\":\"error\"").count()
    );
    assert!(summary.errors > 0);
    assert_eq!(out, in_memory(&program, dir.path()));
}

/// More than a read-ahead of blank lines (a megabyte; here three) between rows: the
/// rows after them are read too, streamed and in memory (they were silently dropped
/// when a read-ahead held no row).
#[test]
fn rows_after_megabytes_of_blank_lines_are_read() {
    let mut firms = String::from("代码,园区,年税收\nF1,A,12\nF2,A,3\n");
    firms.push_str(&"\n".repeat(3_000_000));
    firms.push_str("F3,A,15\nF4,A,20\n");
    let dir = parks_and_firms("编号\nA\n", &firms);
    let program = compile_str("fed.rules", FED).program.unwrap();
    let lines = String::from_utf8(streamed(&program, dir.path()).unwrap()).unwrap();
    for key in ["F1", "F2", "F3", "F4"] {
        assert!(
            lines.contains(&format!("\"key\":\"{key}\"")),
            "{key}: {lines}"
        );
    }
    assert_eq!(lines.into_bytes(), in_memory(&program, dir.path()));
}
