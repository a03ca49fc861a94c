//! Structured: a valid policy and records built from the input (`arbitrary`), with
//! extreme numbers (28-digit literals, 亿元, tiny fractions, negatives, zero divisors).
//! The policy must check; evaluating must not panic, must be deterministic, and give
//! one outcome per record and rule; every report format renders.

#![no_main]

use arbitrary::Unstructured;
#[allow(dead_code)] // the data targets' helpers
mod common;

use libfuzzer_sys::fuzz_target;
use parkrules::data::{LoadOptions, load_dir};
use std::path::Path;

const MONEY: [&str; 4] = ["投资", "上限", "基数", "税收合计"];
const VARIANTS: [&str; 3] = ["甲", "乙", "丙"];
const UNITS: [&str; 3] = ["元", "万元", "亿元"];

/// A decimal literal: small, large (up to 28 digits) or with many places.
fn number(u: &mut Unstructured) -> arbitrary::Result<String> {
    Ok(match u.int_in_range(0..=4u8)? {
        0 => u.int_in_range(0..=1000u32)?.to_string(),
        1 => u.arbitrary::<u64>()?.to_string(),
        2 => "9".repeat(u.int_in_range(1..=30usize)?),
        3 => format!("0.{}", "0".repeat(u.int_in_range(0..=27usize)?) + "1"),
        _ => format!("{}.{}", u.arbitrary::<u32>()?, u.arbitrary::<u16>()?),
    })
}

fn money_lit(u: &mut Unstructured) -> arbitrary::Result<String> {
    Ok(format!("{} {}", number(u)?, u.choose(&UNITS)?))
}

fn cond(u: &mut Unstructured, depth: u32) -> arbitrary::Result<String> {
    let pick = if depth == 0 {
        u.int_in_range(0..=4u8)?
    } else {
        u.int_in_range(0..=7u8)?
    };
    Ok(match pick {
        0 => "开通".into(),
        1 => format!("面积 >= {} 亩", number(u)?),
        2 => format!("{} < {}", u.choose(&MONEY)?, money_lit(u)?),
        3 => format!("入驻率 >= {}%", number(u)?),
        4 => format!("类型 != {}", u.choose(&VARIANTS)?),
        5 => format!("not ({})", cond(u, depth - 1)?),
        6 => format!("{} and {}", cond(u, depth - 1)?, cond(u, depth - 1)?),
        _ => format!("({} or {})", cond(u, depth - 1)?, cond(u, depth - 1)?),
    })
}

fn money(u: &mut Unstructured, depth: u32) -> arbitrary::Result<String> {
    let pick = if depth == 0 {
        u.int_in_range(0..=1u8)?
    } else {
        u.int_in_range(0..=14u8)?
    };
    let d = depth.saturating_sub(1);
    Ok(match pick {
        0 => u.choose(&MONEY)?.to_string(),
        1 => money_lit(u)?,
        2 => format!("min({}, {})", money(u, d)?, money(u, d)?),
        3 => format!("max({}, {})", money(u, d)?, money(u, d)?),
        4 => format!("({} + {})", money(u, d)?, money(u, d)?),
        5 => format!("({} - {})", money(u, d)?, money(u, d)?),
        6 => format!("({}) * {}", money(u, d)?, number(u)?),
        7 => format!("({}) / {}", money(u, d)?, number(u)?),
        8 => format!("({}) * (面积 / {} 亩)", money(u, d)?, number(u)?),
        9 => format!("({}) / (入驻率 - {}%)", money(u, d)?, number(u)?),
        10 => format!("round({}, {})", money(u, d)?, u.int_in_range(0..=30u8)?),
        11 => format!("abs({})", money(u, d)?),
        12 => format!(
            "(if {} then {} else {})",
            cond(u, 1)?,
            money(u, d)?,
            money(u, d)?
        ),
        13 => format!(
            "tier(入驻率) {{\n    >= {}% => {}\n    else => {}\n  }}",
            number(u)?,
            money(u, d)?,
            money(u, d)?
        ),
        _ => {
            let mut bound = 0u64;
            let mut out = format!("brackets({}) {{\n", u.choose(&MONEY)?);
            for _ in 0..u.int_in_range(1..=3u8)? {
                bound += u.int_in_range(1..=u64::from(u32::MAX))?;
                out.push_str(&format!("    up to {bound} 万元 => {}%\n", number(u)?));
            }
            if u.arbitrary()? {
                out.push_str(&format!("    above => {}%\n", number(u)?));
            }
            out + "  }"
        }
    })
}

fn policy(u: &mut Unstructured, rules: usize) -> arbitrary::Result<String> {
    let mut p = String::from(
        "policy \"模糊\" version \"1\" effective 2022-01-01\n\
         enum 类 { 甲, 乙, 丙 }\n\
         entity 园区 {\n  编号: text key\n  投资: money in 万元\n  面积: area in 亩\n  \
         入驻率: percent\n  开通: bool\n  类型: 类\n}\n\
         entity 企业 {\n  代码: text key\n  园区: 园区\n  税收: money in 万元\n  规上: bool\n}\n",
    );
    p.push_str(&format!("param 上限: money = {}\n", money_lit(u)?));
    p.push_str(&format!("let 园区.基数 = 投资 * {}\n", number(u)?));
    p.push_str("let 园区.税收合计 = sum(企业.税收 where 规上 via 园区)\n");
    for i in 0..rules {
        let family = *u.choose(&["subsidy", "reward", "ratio", "restriction"])?;
        p.push_str(&format!(
            "rule 规则{i} : {family} for 园区 {{\n  cite \"第{i}条\"\n"
        ));
        for _ in 0..u.int_in_range(0..=2u8)? {
            p.push_str(&format!("  when {}\n", cond(u, 1)?));
        }
        if family == "subsidy" || family == "reward" {
            p.push_str(&format!("  amount {}\n", money(u, 3)?));
            if u.arbitrary()? {
                p.push_str(&format!(
                    "  exception 例外 {{\n    when {}\n    amount {}\n  }}\n",
                    cond(u, 1)?,
                    money(u, 2)?
                ));
            }
        } else {
            p.push_str(&format!(
                "  require {} <= {}\n  else \"超出：{{投资}}\"\n",
                money(u, 2)?,
                money(u, 2)?
            ));
        }
        p.push_str("}\n");
    }
    Ok(p)
}

fn cell(u: &mut Unstructured) -> arbitrary::Result<String> {
    let n = number(u)?;
    Ok(if u.arbitrary()? { format!("-{n}") } else { n })
}

fn records(u: &mut Unstructured) -> arbitrary::Result<(String, String, usize)> {
    let parks = u.int_in_range(1..=4usize)?;
    let mut csv = String::from("编号,投资,面积,入驻率,开通,类型\n");
    for i in 0..parks {
        csv.push_str(&format!(
            "P{i},{},{},{},{},{}\n",
            cell(u)?,
            cell(u)?,
            cell(u)?,
            u.choose(&["是", "否"])?,
            u.choose(&VARIANTS)?
        ));
    }
    let mut firms = String::from("代码,园区,税收,规上\n");
    for i in 0..u.int_in_range(0..=4usize)? {
        let park = u.int_in_range(0..=parks - 1)?;
        firms.push_str(&format!(
            "F{i},P{park},{},{}\n",
            cell(u)?,
            u.choose(&["是", "否"])?
        ));
    }
    Ok((csv, firms, parks))
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let rules = u.int_in_range(1..=3usize).unwrap_or(1);
    let Ok(text) = policy(&mut u, rules) else {
        return;
    };
    let Ok((parks, firms, n)) = records(&mut u) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.rules");
    std::fs::write(&path, &text).unwrap();
    std::fs::write(dir.path().join("园区.csv"), &parks).unwrap();
    std::fs::write(dir.path().join("企业.csv"), &firms).unwrap();
    // To keep a crashing input as a test case: run the target on the artifact with
    // PARKRULES_FUZZ_DUMP=tests/cases/fuzz/eval/<name>.
    if let Ok(out) = std::env::var("PARKRULES_FUZZ_DUMP") {
        std::fs::create_dir_all(&out).unwrap();
        for name in ["p.rules", "园区.csv", "企业.csv"] {
            std::fs::copy(dir.path().join(name), Path::new(&out).join(name)).unwrap();
        }
    }
    let compiled = parkrules::load::compile_path(&path);
    let Some(program) = compiled.program else {
        // Numbers and quantities past the decimal range are reported, not accepted:
        // the only errors a generated policy may have.
        for d in compiled.diagnostics.iter().filter(|d| d.is_error()) {
            let shown = parkrules::diagnostic::render(
                &compiled.sources,
                std::slice::from_ref(d),
                parkrules::diagnostic::Style::Plain,
            );
            assert!(
                shown.contains("check::literal_overflow") || shown.contains("syntax::number_range"),
                "generated policy does not check:\n{text}\n{shown}"
            );
        }
        return;
    };
    let Ok(loaded) = load_dir(&program, dir.path(), &LoadOptions::default()) else {
        return; // cells past the decimal range are data errors
    };
    let as_of = chrono::NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
    let outcomes = parkrules::eval::evaluate(&program, &loaded.dataset, as_of);
    assert_eq!(outcomes.len(), n * rules);
    let again = parkrules::eval::evaluate(&program, &loaded.dataset, as_of);
    assert_eq!(outcomes, again);
    common::write_reports(&program, &loaded.dataset, &outcomes, as_of);
});
