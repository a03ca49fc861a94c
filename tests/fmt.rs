//! Integration tests: fmt.
//!
//! Case files under `tests/cases/fmt/` are formatted and the output snapshotted. Every
//! case file of every area and every `.rules` under `policies/` must round-trip:
//! formatting keeps the meaning (`parse(fmt(x)) == parse(x)`), keeps every comment,
//! and is idempotent (`fmt(fmt(x)) == fmt(x)`), in both keyword dialects: translating
//! keeps the meaning (`parse(fmt_zh(x)) == parse(x)`) and is lossless
//! (`fmt_en(fmt_zh(x)) == fmt_en(x)`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use parkrules::ast::File;
use parkrules::diagnostic::{Style, render};
use parkrules::fmt::{format_file, format_file_in, format_source, format_source_in};
use parkrules::span::{FileId, SourceMap};
use parkrules::syntax::keywords::Dialect;
use parkrules::syntax::parse_file;
use std::path::{Path, PathBuf};

fn parse(text: &str) -> Result<File, String> {
    let mut sources = SourceMap::new();
    let id = sources.add("t.rules", text);
    parse_file(text, id).map_err(|d| render(&sources, &d, Style::Plain))
}

fn fmt(text: &str) -> String {
    format_source(text, FileId(0)).unwrap_or_else(|_| panic!("does not parse:\n{text}"))
}

fn fmt_in(text: &str, d: Dialect) -> String {
    format_source_in(text, FileId(0), d).unwrap_or_else(|_| panic!("does not parse:\n{text}"))
}

fn comment_texts(f: &File) -> Vec<String> {
    f.comments.0.iter().map(|c| c.text.clone()).collect()
}

/// Formatting `text` keeps its meaning and comments and is idempotent.
fn assert_round_trip(name: &str, text: &str) {
    let Ok(before) = parse(text) else {
        return; // invalid cases have nothing to format
    };
    for (how, out) in [("source", fmt(text)), ("ast", format_file(&before))] {
        let after = parse(&out)
            .unwrap_or_else(|e| panic!("{name} ({how}): output does not parse\n{e}\n{out}"));
        assert_eq!(before, after, "{name} ({how}): meaning changed\n{out}");
        assert_eq!(
            comment_texts(&before),
            comment_texts(&after),
            "{name} ({how}): comments\n{out}"
        );
        let again = match how {
            "source" => fmt(&out),
            _ => format_file(&after),
        };
        assert_eq!(out, again, "{name} ({how}): not idempotent");
    }
    assert_translates(name, text, &before);
}

/// Translating `text` to either dialect keeps its meaning and comments, prints every
/// keyword in that dialect, is kept by a plain `fmt`, and translates back losslessly.
fn assert_translates(name: &str, text: &str, before: &File) {
    let en = fmt_in(text, Dialect::En);
    for d in [Dialect::En, Dialect::Zh] {
        for (how, out) in [
            ("source", fmt_in(text, d)),
            ("ast", format_file_in(before, d)),
        ] {
            let after = parse(&out).unwrap_or_else(|e| {
                panic!("{name} ({d:?} {how}): output does not parse\n{e}\n{out}")
            });
            assert_eq!(
                before, &after,
                "{name} ({d:?} {how}): meaning changed\n{out}"
            );
            assert_eq!(
                comment_texts(before),
                comment_texts(&after),
                "{name} ({d:?} {how}): comments\n{out}"
            );
            if !before.items.is_empty() {
                assert_eq!(after.dialect, d, "{name} ({d:?} {how}): dialect\n{out}");
            }
            if how == "source" {
                assert_eq!(fmt(&out), out, "{name} ({d:?}): fmt keeps the dialect");
                assert_eq!(
                    fmt_in(&out, Dialect::En),
                    en,
                    "{name} ({d:?}): not lossless\n{out}"
                );
            }
        }
    }
}

fn rules_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rules_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rules") {
            out.push(p);
        }
    }
}

#[test]
fn every_case_and_policy_round_trips() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rules_files(&root.join("tests/cases"), &mut files);
    rules_files(&root.join("policies"), &mut files);
    rules_files(&root.join("examples"), &mut files);
    assert!(files.len() >= 10, "found only {files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        // tests/cases/bad/invalid_utf8_policy is not UTF-8 on purpose: nothing to format.
        let Ok(text) = String::from_utf8(bytes) else {
            assert!(
                f.to_string_lossy().contains("invalid_utf8"),
                "{f:?} is not UTF-8"
            );
            continue;
        };
        assert_round_trip(&f.display().to_string(), &text);
    }
}

#[test]
fn keywords_print_in_the_file_dialect() {
    let en = "\
policy \"p\" version \"1\" effective 2021-07-01 extends \"../base\"

enum 模式 { 甲, 乙 }

entity 园区 {
  编号: text key
  面积: area in 亩
  标记: bool
}

override param 上限: money = 500 万元
let 园区.x = count(企业 where 规上 and not 腾退 or a in b via 园区)

rule 奖 : subsidy for 园区 {
  cite \"第三条\"
  when 面积 >= 100 亩 and a not in [1, 2]
  amount brackets(面积) {
    up to 10 亩 => 1 万元
    above => if 标记 == true then 2 万元 else match 模式 { 甲 => 3 万元, else => 4 万元 }
  }

  exception 薄弱 {
    when tier(面积) {
      >= 1 亩 => false
      else => true
    }
    amount 0 元
  }
}

remove rule 旧

test \"t\" {
  as_of 2022-01-01
  expect 园区 \"T1\" 奖 == 500 万元
}
";
    let zh = "\
政策 \"p\" 版本 \"1\" 生效 2021-07-01 继承 \"../base\"

枚举 模式 { 甲, 乙 }

实体 园区 {
  编号: text 主键
  面积: area 单位 亩
  标记: bool
}

覆盖 参数 上限: money = 500 万元
定义 园区.x = count(企业 其中 规上 且 非 腾退 或 a 属于 b 经 园区)

规则 奖 : subsidy 适用于 园区 {
  依据 \"第三条\"
  当 面积 >= 100 亩 且 a 非 属于 [1, 2]
  金额 累进(面积) {
    至 10 亩 => 1 万元
    以上 => 如果 标记 == 是 那么 2 万元 否则 匹配 模式 { 甲 => 3 万元, 否则 => 4 万元 }
  }

  例外 薄弱 {
    当 分档(面积) {
      >= 1 亩 => 否
      否则 => 是
    }
    金额 0 元
  }
}

删除 规则 旧

测试 \"t\" {
  基准日 2022-01-01
  期望 园区 \"T1\" 奖 == 500 万元
}
";
    assert_eq!(fmt_in(en, Dialect::Zh), zh);
    assert_eq!(fmt_in(zh, Dialect::En), en);
    assert_eq!(fmt(zh), zh);
    assert_eq!(fmt(en), en);
    assert_round_trip("dialects", en);
}

#[test]
fn a_mixed_file_parses_and_takes_the_majority_dialect() {
    let mixed = "规则 R : subsidy for E {\n  当 a and b\n  金额 1 元\n}\n";
    assert_eq!(parse(mixed).unwrap().dialect, Dialect::Zh);
    assert_eq!(
        fmt(mixed),
        "规则 R : subsidy 适用于 E {\n  当 a 且 b\n  金额 1 元\n}\n"
    );
    // `up` without `to` is English half-spelled: an error, not `至`.
    assert!(parse("let E.x = brackets(a) { up 1 => 2 }").is_err());
    assert!(parse("let E.x = brackets(a) { 至 1 => 2 }").is_ok());
    assert!(parse("let E.x = brackets(a) { 至 to 1 => 2 }").is_err());
}

#[test]
fn shipped_policies_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rules_files(&root.join("policies"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        if let Err(e) = parse(&text) {
            panic!("{}:\n{e}", f.display());
        }
    }
}

#[test]
fn cases() {
    insta::glob!("cases/fmt/*.rules", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        insta::with_settings!({
            snapshot_path => "cases/fmt/snapshots",
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(fmt(&text));
        });
    });
}

#[test]
fn spacing_is_canonical() {
    assert_eq!(
        fmt("let  E.x=500万元+3 亩*15 %  -  -y"),
        "let E.x = 500 万元 + 3 亩 * 15% - -y\n"
    );
    assert_eq!(
        fmt("param p :money/area=30万元/亩"),
        "param p: money/area = 30 万元/亩\n"
    );
    assert_eq!(fmt("let E.x = f( a ,b, ) .y"), "let E.x = f(a, b).y\n");
    assert_eq!(
        fmt("let E.x = count( 企业 where 规上  via 园区 )"),
        "let E.x = count(企业 where 规上 via 园区)\n"
    );
    assert_eq!(fmt("let E.x = ( a+b )*c"), "let E.x = (a + b) * c\n");
    assert_eq!(fmt("let E.x = 1_000.50"), "let E.x = 1000.50\n");
    assert_eq!(fmt("let E.x = a not\n in b"), "let E.x = a not in b\n");
}

#[test]
fn a_tier_row_ending_in_if_keeps_its_comma() {
    let text = "let E.x = tier(a) { >= 1 => if b then 1 else 2, < 1 => 3 }";
    assert_eq!(
        fmt(text),
        "let E.x = tier(a) {\n  >= 1 => if b then 1 else 2,\n  < 1 => 3\n}\n"
    );
    assert_round_trip("tier", text);
}

#[test]
fn strings_are_re_escaped() {
    assert_eq!(
        fmt(r#"param p: text = "a\"b\\c\nd\{e\} {x + 1}""#),
        "param p: text = \"a\\\"b\\\\c\\nd\\{e\\} {x + 1}\"\n"
    );
}

#[test]
fn one_line_items_keep_their_grouping() {
    let text = "param a = 1\nparam b = 2\n\n\nparam c = 3\nlet E.x = 1\n";
    // A multi-line item is always set apart.
    let dated = "param a = 1\nparam d: int { 2021-01-01 => 1 }\nparam e = 2\n";
    assert_eq!(
        fmt(dated),
        "param a = 1\n\nparam d: int {\n  2021-01-01 => 1\n}\n\nparam e = 2\n"
    );
    assert_eq!(
        fmt(text),
        "param a = 1\nparam b = 2\n\nparam c = 3\nlet E.x = 1\n"
    );
    let file = parse(text).unwrap();
    assert_eq!(
        format_file(&file),
        "param a = 1\n\nparam b = 2\n\nparam c = 3\n\nlet E.x = 1\n"
    );
}

#[test]
fn comments_stay_where_they_were() {
    let text = "\
# head

# about a
param a = 1   # trailing a
param b = 2
entity E {  # opens
  # before x
  x: int  # after x

  y: int
  # last
}  # closes
# end
";
    let want = "\
# head

# about a
param a = 1  # trailing a
param b = 2

entity E {  # opens
  # before x
  x: int  # after x

  y: int
  # last
}  # closes
# end
";
    assert_eq!(fmt(text), want);
}

#[test]
fn trailing_comments_of_consecutive_lines_align() {
    let text = "\
entity E {
  编号: text key # a
  x: int   # b
  长的名字: money in 万元 # c

  y: int # d
}
";
    let want = "\
entity E {
  编号: text key           # a
  x: int                   # b
  长的名字: money in 万元  # c

  y: int  # d
}
";
    assert_eq!(fmt(text), want);
}

#[test]
fn test_records_fit_fill_or_stack() {
    let short = "test \"t\" { 园区 \"T1\" { 星级: 5 入驻率: 95% } }";
    assert_eq!(
        fmt(short),
        "test \"t\" {\n  园区 \"T1\" { 星级: 5, 入驻率: 95% }\n}\n"
    );
    let long = "test \"t\" { 园区 \"T1\" { 建设模式: 国企投资, 规划面积: 120 亩, 固定资产投资: 6000 万元, 入驻率: 80%, 负债率: 50%, 镇街道: \"新埭镇\" } }";
    let want = "\
test \"t\" {
  园区 \"T1\" { 建设模式: 国企投资, 规划面积: 120 亩, 固定资产投资: 6000 万元, 入驻率: 80%,
              负债率: 50%, 镇街道: \"新埭镇\" }
}
";
    assert_eq!(fmt(long), want);
    let commented = "test \"t\" { 园区 \"T1\" { 星级: 5  # five\n 入驻率: 95% } }";
    let want = "\
test \"t\" {
  园区 \"T1\" {
    星级: 5  # five
    入驻率: 95%
  }
}
";
    assert_eq!(fmt(commented), want);
}

/// A small deterministic generator of valid expression text.
struct Gen(u64);

impl Gen {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.next(xs.len())]
    }

    fn atom(&mut self) -> String {
        let atoms = [
            "a",
            "园区.面积",
            "12",
            "1_000",
            "2.5",
            "15%",
            "500 万元",
            "30万元/亩",
            "3 年",
            "2024-01-01",
            "true",
            "as_of",
            "\"s {a}\"",
            "[1, 2]",
            "x.y.z",
        ];
        self.pick(&atoms).to_string()
    }

    fn expr(&mut self, depth: usize) -> String {
        if depth == 0 {
            return self.atom();
        }
        let d = depth - 1;
        match self.next(11) {
            0 | 1 => {
                let ops = [
                    "+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or", "in",
                    "not in",
                ];
                let op = self.pick(&ops);
                format!("{} {op} {}", self.expr(d), self.expr(d))
            }
            2 => format!("({})", self.expr(d)),
            3 => format!("not {}", self.expr(d)),
            4 => format!("-{}", self.expr(d)),
            5 => format!("min({}, {})", self.expr(d), self.expr(d)),
            6 => format!("count(企业 where {} via 园区)", self.expr(d)),
            7 => format!(
                "if {} then {} else {}",
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
            8 if depth.is_multiple_of(2) => format!(
                "tier({}) {{ >= 1 => if {} then 1 else {}, < 1 => 2 }}",
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
            8 => format!(
                "tier({}) {{ >= {} => ({}) < 1 => 2 else => ({}) }}",
                self.expr(d),
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
            9 => format!(
                "match {} {{ A | B => {}, else => {} }}",
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
            _ => format!(
                "brackets({}) {{ up to {} => {} above => {} }}",
                self.expr(d),
                self.expr(d),
                self.expr(d),
                self.expr(d)
            ),
        }
    }
}

/// Random valid expressions, in every statement position, round-trip through fmt.
#[test]
fn random_expressions_round_trip() {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let mut checked = 0;
    for i in 0..300 {
        let e = g.expr(1 + i % 4);
        let text = match i % 4 {
            0 => format!("let E.x = {e}"),
            1 => format!("rule R : subsidy for E {{ when {e}  # c\n amount {e} }}"),
            2 => format!("test \"t\" {{ E \"k\" {{ f: {e} }} expect E \"k\" R == {e} }}"),
            _ => format!("param p: money {{ 2021-01-01 => {e} }}"),
        };
        if parse(&text).is_err() {
            // A generated `if` may swallow what follows it; those are not the point.
            continue;
        }
        assert_round_trip(&text, &text);
        checked += 1;
    }
    assert!(checked >= 200, "only {checked} generated programs parsed");
}
