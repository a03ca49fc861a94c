//! The deterministic generator of Pinghu-shaped records.
//!
//! Consumes a [`GenConfig`] (a seed and how many parks, firms and transfer
//! applications); produces `园区.csv`, `企业.csv` and `转让申请.csv` in a folder, with
//! exactly the columns of `policies/pinghu-current/数据.rules` (header row = field
//! names, cells in each field's declared unit: areas of parks in 亩 or m2 as declared,
//! money in 万元, percents in percent points). [`GenConfig::pinghu`] is the shipped
//! example `examples/pinghu/`: the 9 towns, 34 parks (24 built with operating data,
//! 10 planned or under construction), 600 firms and 40 transfer applications, with
//! the firms' 2021 output and tax summing exactly to the seed's 51.97亿元 and 1.6亿元.
//!
//! Same config, same bytes: every record draws from its own PRNG seeded from the
//! config seed, its table and its index (no clock, no hash order, no floats), so a
//! record can be regenerated on its own. Parks are held in memory; firms and
//! transfers are streamed to disk, so a million firms take memory bounded by the parks.
//! Firms' output and tax are scaled to the targets in a first pass that only sums,
//! then written in a second pass with cumulative rounding to 0.01 万元, which makes the
//! column sums exact.

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenConfig {
    /// Same seed, same files.
    pub seed: u64,
    /// 园区 records; about 24 in 34 are built and host firms.
    pub parks: usize,
    /// 企业 records, spread over the built parks.
    pub firms: usize,
    /// 转让申请 records, in built parks.
    pub transfers: usize,
}

impl GenConfig {
    /// The shipped example `examples/pinghu/`.
    pub fn pinghu() -> GenConfig {
        GenConfig {
            seed: 2021,
            parks: 34,
            firms: 600,
            transfers: 40,
        }
    }
}

/// 2021 industrial output of the parks' firms, in 0.01 万元, for 600 firms [seed].
const OUTPUT_TARGET_600: i128 = 51_970_000;
/// 2021 tax of the parks' firms, in 0.01 万元, for 600 firms [seed].
const TAX_TARGET_600: i128 = 1_600_000;

/// Write `园区.csv`, `企业.csv` and `转让申请.csv` into `dir` (created if missing).
pub fn generate(cfg: &GenConfig, dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let parks = make_parks(cfg);
    let layout = FirmLayout::new(&parks, cfg.firms)?;
    write_parks(&parks, &dir.join("园区.csv"))?;
    write_firms(cfg, &parks, &layout, &dir.join("企业.csv"))?;
    write_transfers(cfg, &parks, &layout, &dir.join("转让申请.csv"))?;
    Ok(())
}

// ── randomness ──────────────────────────────────────────────────────────────

/// The tables, as PRNG streams.
#[derive(Clone, Copy)]
enum Stream {
    Park = 1,
    Firm = 2,
    Transfer = 3,
}

/// splitmix64: spreads a seed so neighbouring indices give unrelated streams.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The PRNG of one record.
fn rng_for(seed: u64, stream: Stream, index: usize) -> fastrand::Rng {
    let s = mix(mix(seed) ^ mix(stream as u64) ^ (index as u64).wrapping_mul(0xD6E8_FEB8));
    fastrand::Rng::with_seed(s)
}

/// A uniform integer in `lo..=hi` (`lo` when the range is empty).
fn between(rng: &mut fastrand::Rng, lo: i64, hi: i64) -> i64 {
    if hi <= lo { lo } else { rng.i64(lo..=hi) }
}

/// True with probability `pct` percent.
fn chance(rng: &mut fastrand::Rng, pct: u32) -> bool {
    rng.u32(0..100) < pct
}

/// An item chosen by integer weights (the first one when all weights are zero).
fn weighted<T: Copy>(rng: &mut fastrand::Rng, items: &[(T, u32)]) -> Option<T> {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut roll = if total == 0 { 0 } else { rng.u32(0..total) };
    for &(item, w) in items {
        if roll < w {
            return Some(item);
        }
        roll -= w;
    }
    items.first().map(|(item, _)| *item)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A uniform date in `a..=b` (`a` when `b` is earlier).
fn date_between(rng: &mut fastrand::Rng, a: NaiveDate, b: NaiveDate) -> NaiveDate {
    let span = (b - a).num_days();
    let off = between(rng, 0, span);
    a.checked_add_days(Days::new(off.unsigned_abs()))
        .unwrap_or(a)
}

/// `n` hundredths as a decimal (`12345` → `123.45`), trailing zeros dropped.
fn cents(n: i64) -> Decimal {
    Decimal::new(n, 2).normalize()
}

// ── the places and industries ───────────────────────────────────────────────

/// The six industries of the parks (DOMAIN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Industry {
    Luggage,
    Apparel,
    Optomech,
    AutoParts,
    Materials,
    Food,
}

impl Industry {
    fn name(self) -> &'static str {
        match self {
            Industry::Luggage => "箱包",
            Industry::Apparel => "服装",
            Industry::Optomech => "光机电",
            Industry::AutoParts => "汽车零部件",
            Industry::Materials => "新材料",
            Industry::Food => "食品",
        }
    }

    /// How the industry reads in a firm's name.
    fn firm_word(self) -> &'static str {
        match self {
            Industry::Luggage => "箱包",
            Industry::Apparel => "服饰",
            Industry::Optomech => "光电科技",
            Industry::AutoParts => "汽车部件",
            Industry::Materials => "新材料科技",
            Industry::Food => "食品",
        }
    }
}

/// A town of Pinghu: how many of every 34 parks it has and its leading industries.
struct Town {
    name: &'static str,
    parks_of_34: usize,
    industries: [Industry; 2],
    /// Percent of its firms displaced by 腾笼换鸟 and of local traditional firms.
    displaced_pct: u32,
    traditional_pct: u32,
}

use Industry::*;

/// The 9 towns [seed]; 新埭镇 builds a 箱包 chain, 广陈镇 upgrades traditional firms,
/// 新仓镇 moved 27 low-efficiency firms [read]. Park counts and mixes: [invent].
const TOWNS: [Town; 9] = [
    town("当湖街道", 4, [Optomech, Apparel], 6, 8),
    town("钟埭街道", 4, [Optomech, AutoParts], 6, 8),
    town("曹桥街道", 3, [Apparel, Luggage], 6, 12),
    town("乍浦镇", 4, [Materials, AutoParts], 6, 8),
    town("新埭镇", 5, [Luggage, Apparel], 8, 12),
    town("新仓镇", 4, [Food, Apparel], 18, 12),
    town("独山港镇", 4, [Materials, AutoParts], 6, 8),
    town("广陈镇", 3, [Food, Apparel], 8, 30),
    town("林埭镇", 3, [Apparel, Luggage], 8, 15),
];

const fn town(
    name: &'static str,
    parks_of_34: usize,
    industries: [Industry; 2],
    displaced_pct: u32,
    traditional_pct: u32,
) -> Town {
    Town {
        name,
        parks_of_34,
        industries,
        displaced_pct,
        traditional_pct,
    }
}

/// The town of park `i`: towns interleaved so that every 34 parks hold each town's
/// share exactly.
fn town_of(i: usize) -> &'static Town {
    let slot = i % 34;
    let mut n = 0;
    for round in 0..5 {
        for town in &TOWNS {
            if round < town.parks_of_34 {
                if n == slot {
                    return town;
                }
                n += 1;
            }
        }
    }
    &TOWNS[0]
}

// ── parks ──────────────────────────────────────────────────────────────────

/// One generated 园区, with what firms and transfers need to know about it.
#[derive(Clone, Debug)]
struct Park {
    key: String,
    name: String,
    town: &'static str,
    model: &'static str,
    kind: &'static str,
    industry: Industry,
    traditional_pct: u32,
    displaced_pct: u32,
    /// In 0.01 亩.
    planned: i64,
    land: i64,
    /// In m2.
    floor: i64,
    amenity_floor: i64,
    amenity_land: i64,
    /// In 0.01.
    plot_ratio: i64,
    green: i64,
    /// In 0.01 万元.
    investment: i64,
    held: i64,
    sold: i64,
    /// Operating data; `None` while planned or under construction.
    ops: Option<Ops>,
    accidents: i64,
    /// In 0.01 percent points.
    debt: i64,
}

/// The operating data of a built park.
#[derive(Clone, Debug)]
struct Ops {
    built: NaiveDate,
    /// In 0.1 percent points.
    occupancy: i64,
    stars: Option<i64>,
    grade: Option<&'static str>,
    recognised: Option<NaiveDate>,
}

/// Whether park `i` is built: 24 of every 34, spread evenly, the first one built.
fn is_built(i: usize) -> bool {
    ((i + 1) * 24).div_ceil(34) != (i * 24).div_ceil(34)
}

fn key_width(n: usize) -> usize {
    n.to_string().len().max(3)
}

fn make_parks(cfg: &GenConfig) -> Vec<Park> {
    let width = key_width(cfg.parks);
    let mut seen = [[0u32; 6]; 9];
    (0..cfg.parks)
        .map(|i| {
            let mut rng = rng_for(cfg.seed, Stream::Park, i);
            let mut park = make_park(&mut rng, i, width);
            park.name = park_name(&mut seen, &park);
            park
        })
        .collect()
}

fn make_park(rng: &mut fastrand::Rng, i: usize, width: usize) -> Park {
    let sc = Scenario::of(i);
    let town = town_of(i);
    let [lead, second] = town.industries;
    let industry = if chance(rng, 70) { lead } else { second };
    let model = weighted(rng, &[("政府全资", 30), ("国企投资", 45), ("民间投资", 25)])
        .unwrap_or("国企投资");
    let model = sc.model.unwrap_or(model);
    let kind = if chance(rng, 88) {
        "生产制造类"
    } else {
        "生产性服务类"
    };
    // 规划面积 30–300 亩, most between 50 and 150 [seed shape, invent spread].
    let planned = match rng.u32(0..10) {
        0 => between(rng, 3000, 4999),
        1..=6 => between(rng, 5000, 15000),
        7 | 8 => between(rng, 15001, 22000),
        _ => between(rng, 22001, 30000),
    };
    let planned = planned.max(sc.planned_min);
    let land = planned * between(rng, 85, 100) / 100;
    let plot_ratio = between(rng, 105, 220);
    let plot_ratio = sc.plot_ratio.unwrap_or(plot_ratio);
    // 1 亩 = 2000/3 m2.
    let floor = land * 2000 * plot_ratio / 3 / 10_000;
    let amenity_floor = floor * amenity_share(rng) / 1000;
    // 配套用地 3.0%–9.5% of the land, in m2 (land is in 0.01 亩, the share in 0.1%).
    let amenity_land = land * 2000 / 3 / 100 * between(rng, 30, 95) / 1000;
    // 绿地率: most within 5%–15%, a few below or above.
    let green = match rng.u32(0..10) {
        0 => between(rng, 350, 499),
        9 => between(rng, 1501, 2000),
        _ => between(rng, 600, 1500),
    };
    let investment = planned * between(rng, 40, 85);
    let built = is_built(i);
    let ops = built.then(|| make_ops(rng, &sc));
    let (held, sold) = if built { ownership(rng, floor) } else { (0, 0) };
    let debt = match model {
        "民间投资" => between(rng, 5500, 8800),
        "国企投资" => between(rng, 4000, 7200),
        _ => between(rng, 1500, 5000),
    };
    let debt = sc.debt.unwrap_or(debt);
    let accidents = if built && chance(rng, 10) {
        between(rng, 1, 2)
    } else {
        0
    };
    let accidents = sc.accidents.unwrap_or(accidents);
    Park {
        key: format!("PH-{:0width$}", i + 1),
        name: String::new(),
        town: town.name,
        model,
        kind,
        industry,
        traditional_pct: town.traditional_pct,
        displaced_pct: town.displaced_pct,
        planned,
        land,
        floor,
        amenity_floor,
        amenity_land,
        plot_ratio,
        green,
        investment,
        held,
        sold,
        ops,
        accidents,
        debt,
    }
}

/// Amenity floor share in 0.1%: a third within the old 7%, most within 15–25%, some above.
fn amenity_share(rng: &mut fastrand::Rng) -> i64 {
    match rng.u32(0..20) {
        0..=6 => between(rng, 30, 70),
        7..=12 => between(rng, 71, 150),
        13..=17 => between(rng, 151, 250),
        _ => between(rng, 251, 300),
    }
}

/// Self-held and sold floor area of a built park (m2): sold 0–88% of the floor.
fn ownership(rng: &mut fastrand::Rng, floor: i64) -> (i64, i64) {
    let sold_pct = match rng.u32(0..10) {
        0..=2 => between(rng, 0, 30),
        3..=7 => between(rng, 31, 75),
        _ => between(rng, 80, 88),
    };
    let sold = floor * sold_pct / 100;
    let held = (floor - sold) * between(rng, 90, 100) / 100;
    (held, sold)
}

fn make_ops(rng: &mut fastrand::Rng, sc: &Scenario) -> Ops {
    // Most parks built 2014–2020; about one in six within the 3 years before mid-2023.
    let built = if chance(rng, 17) {
        date_between(rng, date(2020, 7, 2), date(2021, 6, 30))
    } else {
        date_between(rng, date(2014, 1, 1), date(2020, 6, 30))
    };
    let built = sc.built.unwrap_or(built);
    let new_park = built > date(2020, 7, 1);
    let occupancy = between(rng, 420, 985).max(sc.occupancy_min);
    let stars = if chance(rng, 90) {
        Some(weighted(rng, &[(0, 1), (1, 2), (2, 4), (3, 5), (4, 3), (5, 1)]).unwrap_or(3))
    } else {
        None
    };
    let stars = sc.stars.unwrap_or(stars);
    let grade = if new_park {
        None
    } else {
        weighted(rng, &[("A", 20), ("B", 45), ("C", 28), ("D", 7)])
    };
    let grade = if new_park { grade } else { sc.grade.or(grade) };
    let recognised = if chance(rng, 85) {
        let from = built.checked_add_days(Days::new(180)).unwrap_or(built);
        Some(date_between(rng, from, date(2022, 12, 31)))
    } else {
        None
    };
    let recognised = sc.recognised.or(recognised);
    Ops {
        built,
        occupancy,
        stars,
        grade,
        recognised,
    }
}

/// Fixed traits of some of every 34 parks, so that the shipped policies meet each of
/// their clauses on both sides in the example (a random draw of 34 parks might miss
/// a rare combination). Slots are positions in a block of 34; all are built parks.
#[derive(Default)]
struct Scenario {
    model: Option<&'static str>,
    /// In 0.01 亩.
    planned_min: i64,
    plot_ratio: Option<i64>,
    debt: Option<i64>,
    /// In 0.1 percent points.
    occupancy_min: i64,
    built: Option<NaiveDate>,
    stars: Option<Option<i64>>,
    grade: Option<&'static str>,
    recognised: Option<NaiveDate>,
    accidents: Option<i64>,
}

impl Scenario {
    fn of(i: usize) -> Scenario {
        let old = |y, m, d, stars, grade| Scenario {
            built: Some(date(y, m, d)),
            stars: Some(stars),
            grade: Some(grade),
            recognised: Some(date(y + 2, m, d)),
            accidents: Some(0),
            ..Scenario::default()
        };
        let new = |y, m, d, stars, accidents| Scenario {
            built: Some(date(y, m, d)),
            stars: Some(stars),
            recognised: Some(date(y + 1, m, 1)),
            accidents: Some(accidents),
            ..Scenario::default()
        };
        match i % 34 {
            // 广陈镇: a private park, well let but leveraged beyond 70%.
            7 => Scenario {
                model: Some("民间投资"),
                planned_min: 5200,
                debt: Some(7820),
                occupancy_min: 650,
                ..Scenario::default()
            },
            // An old park below plot ratio 1.0.
            14 => Scenario {
                built: Some(date(2015, 4, 20)),
                plot_ratio: Some(92),
                ..Scenario::default()
            },
            // Parks within their 3-year transition: rated, unrated, with an accident.
            1 => new(2020, 10, 1, Some(3), 0),
            12 => new(2021, 1, 10, None, 0),
            2 => new(2021, 3, 15, Some(2), 1),
            // Graded parks across the star levels and grades.
            15 => old(2014, 7, 23, Some(5), "A"),
            8 => old(2016, 3, 1, Some(4), "C"),
            9 => old(2017, 5, 12, Some(3), "B"),
            21 => old(2016, 9, 1, Some(2), "D"),
            24 => old(2016, 5, 10, Some(0), "A"),
            // A graded park with a safety accident.
            5 => Scenario {
                accidents: Some(1),
                ..old(2017, 2, 12, Some(3), "B")
            },
            _ => Scenario::default(),
        }
    }
}

/// A realistic name, e.g. 平湖市新埭镇箱包产业小微企业园; a second park of the same
/// town and industry is its 二期.
fn park_name(seen: &mut [[u32; 6]; 9], park: &Park) -> String {
    let t = TOWNS.iter().position(|t| t.name == park.town).unwrap_or(0);
    let ind = park.industry as usize;
    let n = seen
        .get_mut(t)
        .and_then(|row| row.get_mut(ind))
        .map(|c| {
            *c += 1;
            *c
        })
        .unwrap_or(1);
    let base = if park.kind == "生产性服务类" {
        format!("平湖市{}{}产业服务园", park.town, park.industry.name())
    } else {
        format!("平湖市{}{}产业小微企业园", park.town, park.industry.name())
    };
    const PHASES: [&str; 9] = [
        "", "二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期",
    ];
    match PHASES.get(n as usize - 1) {
        Some(&"") => base,
        Some(p) => format!("{base}（{p}）"),
        None => format!("{base}（第{n}期）"),
    }
}

// ── firms ──────────────────────────────────────────────────────────────────

/// Which firms sit in which built park: firms `starts[k]..starts[k+1]` belong to
/// park `built[k]`, so a firm's park, and a firm of a given park, are found without
/// holding the firms.
struct FirmLayout {
    /// Indices into the parks of the built parks that host firms.
    built: Vec<usize>,
    /// One more entry than `built`; the last is the number of firms.
    starts: Vec<usize>,
}

impl FirmLayout {
    /// Spread `firms` over the built parks in proportion to their land.
    fn new(parks: &[Park], firms: usize) -> io::Result<FirmLayout> {
        let built: Vec<usize> = (0..parks.len())
            .filter(|&i| parks.get(i).is_some_and(|p| p.ops.is_some()))
            .collect();
        if built.is_empty() && firms > 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "firms need at least one built park: ask for more parks",
            ));
        }
        let land: Vec<u128> = built
            .iter()
            .map(|&i| {
                parks
                    .get(i)
                    .map_or(1, |p| p.land.max(1).unsigned_abs() as u128)
            })
            .collect();
        let total: u128 = land.iter().sum::<u128>().max(1);
        // Cumulative shares, rounded: every firm is placed and the counts sum to `firms`.
        let mut starts = vec![0];
        let mut acc = 0u128;
        for l in &land {
            acc += l;
            starts.push((acc * firms as u128 / total) as usize);
        }
        if let Some(last) = starts.last_mut() {
            *last = firms;
        }
        Ok(FirmLayout { built, starts })
    }

    /// The park (index into the parks) of firm `j`.
    fn park_of(&self, j: usize) -> usize {
        let k = self.starts.partition_point(|&s| s <= j).saturating_sub(1);
        self.built.get(k).copied().unwrap_or(0)
    }

    /// The firms of the built park at position `k` of `built`.
    fn firms_of(&self, k: usize) -> std::ops::Range<usize> {
        let a = self.starts.get(k).copied().unwrap_or(0);
        let b = self.starts.get(k + 1).copied().unwrap_or(a);
        a..b
    }
}

/// What a transfer needs to know about a firm: drawn first from the firm's PRNG, so
/// it can be regenerated alone.
struct FirmCore {
    code: String,
    park: usize,
    industry: Industry,
    chain: Option<Industry>,
}

/// A firm's raw size: area, grade and raw output and tax before scaling.
struct FirmSize {
    /// m2
    area: i64,
    owned: bool,
    grade: &'static str,
    /// In 0.01 万元, before scaling to the targets.
    raw_output: i64,
    raw_tax: i64,
}

const ALL_INDUSTRIES: [Industry; 6] = [Luggage, Apparel, Optomech, AutoParts, Materials, Food];

fn firm_core(rng: &mut fastrand::Rng, j: usize, park: &Park, park_index: usize) -> FirmCore {
    let industry = if chance(rng, 55) {
        park.industry
    } else {
        let others: Vec<(Industry, u32)> = ALL_INDUSTRIES
            .iter()
            .map(|&ind| (ind, if ind == park.industry { 0 } else { 1 }))
            .collect();
        weighted(rng, &others).unwrap_or(park.industry)
    };
    let chain = if industry == park.industry {
        chance(rng, 70).then_some(industry)
    } else if chance(rng, 35) {
        Some(park.industry) // a supply-chain partner of the park's industry
    } else {
        chance(rng, 30).then_some(industry)
    };
    FirmCore {
        code: credit_code(rng, j),
        park: park_index,
        industry,
        chain,
    }
}

fn firm_size(rng: &mut fastrand::Rng) -> FirmSize {
    let area = match rng.u32(0..10) {
        0..=5 => between(rng, 300, 1200),
        6..=8 => between(rng, 1201, 3000),
        _ => between(rng, 3001, 8000),
    };
    let owned = chance(rng, 30);
    // 亩均评价 A about the top 20%, D the bottom 5% [read: 温岭 2022]; the grade is
    // composite, so its 亩均税收 bands overlap.
    let grade = weighted(rng, &[("A", 20), ("B", 45), ("C", 30), ("D", 5)]).unwrap_or("B");
    let per_mu = match grade {
        "A" => between(rng, 2500, 6000),
        "B" => between(rng, 1200, 3000),
        "C" => between(rng, 500, 1500),
        _ => between(rng, 100, 600),
    };
    // Floor converted at 1048 m2 = 1 亩 [read: 温州龙湾 2025].
    let raw_tax = (per_mu * area / 1048).max(1);
    // Tax 2%–4.5% of output.
    let raw_output = raw_tax * 1000 / between(rng, 20, 45);
    FirmSize {
        area,
        owned,
        grade,
        raw_output,
        raw_tax,
    }
}

/// A 统一社会信用代码 of Pinghu (330482) with a valid GB 32100 check character; the
/// organisation code is a bijection of the index, so codes never repeat.
fn credit_code(rng: &mut fastrand::Rng, j: usize) -> String {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const WEIGHTS: [u32; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let modulus: u64 = 31u64.pow(6);
    let mut n = (j as u64)
        .wrapping_mul(387_420_489)
        .wrapping_add(104_729_411)
        % modulus;
    let mut org = [b'0'; 6];
    for c in org.iter_mut().rev() {
        *c = CHARS.get((n % 31) as usize).copied().unwrap_or(b'0');
        n /= 31;
    }
    let last = CHARS.get(rng.usize(0..31)).copied().unwrap_or(b'0');
    let mut code: Vec<u8> = b"91330482MA".to_vec();
    code.extend_from_slice(&org);
    code.push(last);
    let sum: u32 = code
        .iter()
        .zip(WEIGHTS)
        .map(|(c, w)| CHARS.iter().position(|x| x == c).unwrap_or(0) as u32 * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    code.push(CHARS.get(check as usize).copied().unwrap_or(b'0'));
    String::from_utf8(code).unwrap_or_default()
}

/// The PRNG of firm `j` with its core drawn.
fn firm_start(
    cfg: &GenConfig,
    parks: &[Park],
    layout: &FirmLayout,
    j: usize,
) -> Option<(fastrand::Rng, FirmCore)> {
    let mut rng = rng_for(cfg.seed, Stream::Firm, j);
    let p = layout.park_of(j);
    let core = firm_core(&mut rng, j, parks.get(p)?, p);
    Some((rng, core))
}

/// Sums of raw output and tax over all firms (first pass: nothing is kept).
fn raw_totals(cfg: &GenConfig, parks: &[Park], layout: &FirmLayout) -> (i128, i128) {
    let (mut out, mut tax) = (0i128, 0i128);
    for j in 0..cfg.firms {
        if let Some((mut rng, _)) = firm_start(cfg, parks, layout, j) {
            let size = firm_size(&mut rng);
            out += i128::from(size.raw_output);
            tax += i128::from(size.raw_tax);
        }
    }
    (out.max(1), tax.max(1))
}

/// Scales raw values so that they sum exactly to a target: each value is the step
/// of the rounded cumulative sum, so rounding never drifts and the last value closes
/// the total.
struct Scaler {
    target: i128,
    raw_total: i128,
    raw_acc: i128,
    done: i128,
}

impl Scaler {
    fn new(target: i128, raw_total: i128) -> Scaler {
        Scaler {
            target,
            raw_total,
            raw_acc: 0,
            done: 0,
        }
    }

    fn next(&mut self, raw: i64) -> i64 {
        self.raw_acc += i128::from(raw);
        // round(target × acc / total), half up (all positive).
        let cum = (2 * self.target * self.raw_acc + self.raw_total) / (2 * self.raw_total);
        let step = cum - self.done;
        self.done = cum;
        i64::try_from(step).unwrap_or(i64::MAX)
    }
}

/// The 2021 targets for `firms` firms: the seed's totals for 600, pro rata otherwise.
fn targets(firms: usize) -> (i128, i128) {
    let n = firms as i128;
    (OUTPUT_TARGET_600 * n / 600, TAX_TARGET_600 * n / 600)
}

const FIRM_HEADER: [&str; 17] = [
    "统一社会信用代码",
    "名称",
    "园区",
    "行业",
    "产业链",
    "占用面积",
    "取得方式",
    "入园日期",
    "年产值",
    "年税收",
    "亩均税收",
    "亩均评价",
    "规上",
    "升规日期",
    "腾退企业",
    "本地传统企业",
    "专精特新",
];

fn write_firms(
    cfg: &GenConfig,
    parks: &[Park],
    layout: &FirmLayout,
    path: &Path,
) -> io::Result<()> {
    let (raw_out, raw_tax) = raw_totals(cfg, parks, layout);
    let (out_target, tax_target) = targets(cfg.firms);
    let mut out = Scaler::new(out_target, raw_out);
    let mut tax = Scaler::new(tax_target, raw_tax);
    let mut w = csv_writer(path)?;
    w.write_record(FIRM_HEADER)?;
    for j in 0..cfg.firms {
        let Some((mut rng, core)) = firm_start(cfg, parks, layout, j) else {
            continue;
        };
        let Some(park) = parks.get(core.park) else {
            continue;
        };
        let size = firm_size(&mut rng);
        let output = out.next(size.raw_output);
        let tax_j = tax.next(size.raw_tax);
        let row = firm_row(&mut rng, j, park, &core, &size, output, tax_j);
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// The cells of one firm; `output` and `tax` in 0.01 万元.
fn firm_row(
    rng: &mut fastrand::Rng,
    j: usize,
    park: &Park,
    core: &FirmCore,
    size: &FirmSize,
    output: i64,
    tax: i64,
) -> Vec<String> {
    let built = park.ops.as_ref().map_or(date(2015, 1, 1), |o| o.built);
    let entered = date_between(rng, built.max(date(2014, 3, 1)), date(2023, 6, 30));
    let above_size = output >= 200_000; // 规上: 年产值 ≥ 2000万元
    let grew = above_size && chance(rng, 55);
    let grew_on = grew.then(|| grow_date(rng, entered));
    let displaced = chance(rng, park.displaced_pct);
    let traditional = chance(rng, park.traditional_pct);
    let specialised = chance(rng, if above_size { 25 } else { 3 });
    // 亩均税收 = 年税收 ÷ (占用面积 ÷ 1048), rounded half up to 0.01 万元/亩.
    let per_mu =
        (2 * i128::from(tax) * 1048 + i128::from(size.area)) / (2 * i128::from(size.area.max(1)));
    vec![
        core.code.clone(),
        firm_name(j, core.industry),
        park.key.clone(),
        core.industry.name().to_string(),
        core.chain.map(|c| c.name().to_string()).unwrap_or_default(),
        size.area.to_string(),
        if size.owned { "购置" } else { "租赁" }.to_string(),
        entered.to_string(),
        cents(output).to_string(),
        cents(tax).to_string(),
        cents(i64::try_from(per_mu).unwrap_or(i64::MAX)).to_string(),
        size.grade.to_string(),
        yes_no(above_size),
        grew_on.map(|d| d.to_string()).unwrap_or_default(),
        yes_no(displaced),
        yes_no(traditional),
        yes_no(specialised),
    ]
}

/// When a firm grew above size: after it entered, a fifth of them in the year
/// before mid-2023 (the 小升规 the revised policy rewards).
fn grow_date(rng: &mut fastrand::Rng, entered: NaiveDate) -> NaiveDate {
    let from = entered.max(date(2016, 1, 1));
    if chance(rng, 25) {
        date_between(rng, from.max(date(2022, 7, 1)), date(2023, 7, 1))
    } else {
        date_between(rng, from, date(2023, 6, 30))
    }
}

fn yes_no(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// A firm name such as 平湖鑫达箱包有限公司; the trade name is a bijection of the index
/// over 40 × 40 characters, so names repeat only beyond 1600 firms per industry word.
fn firm_name(j: usize, industry: Industry) -> String {
    const ZI: [char; 40] = [
        '鑫', '达', '华', '宏', '盛', '嘉', '恒', '锦', '瑞', '博', '创', '联', '永', '泰', '丰',
        '源', '伟', '德', '信', '安', '明', '新', '宇', '腾', '凯', '隆', '佳', '欣', '诚', '利',
        '远', '航', '正', '洁', '美', '亿', '海', '峰', '辰', '禾',
    ];
    let n = j.wrapping_mul(997) % 1600;
    let a = ZI.get(n / 40).copied().unwrap_or('新');
    let b = ZI.get(n % 40).copied().unwrap_or('华');
    let b = if a == b { '邦' } else { b };
    format!("平湖{a}{b}{}有限公司", industry.firm_word())
}

// ── writing parks ──────────────────────────────────────────────────────────

fn csv_writer(path: &Path) -> io::Result<csv::Writer<BufWriter<File>>> {
    let file = BufWriter::new(File::create(path)?);
    Ok(csv::WriterBuilder::new().from_writer(file))
}

const PARK_HEADER: [&str; 23] = [
    "编号",
    "名称",
    "镇街道",
    "建设模式",
    "园区类型",
    "主导产业",
    "规划面积",
    "用地面积",
    "总建筑面积",
    "配套用房面积",
    "配套用地面积",
    "容积率",
    "绿地率",
    "固定资产投资",
    "自持面积",
    "已售面积",
    "入驻率",
    "星级",
    "绩效评价",
    "认定日期",
    "建成日期",
    "安全事故数",
    "负债率",
];

fn write_parks(parks: &[Park], path: &Path) -> io::Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(PARK_HEADER)?;
    for p in parks {
        w.write_record(park_row(p))?;
    }
    w.flush()?;
    Ok(())
}

fn park_row(p: &Park) -> Vec<String> {
    let ops = p.ops.as_ref();
    let opt = |f: &dyn Fn(&Ops) -> Option<String>| ops.and_then(f).unwrap_or_default();
    vec![
        p.key.clone(),
        p.name.clone(),
        p.town.to_string(),
        p.model.to_string(),
        p.kind.to_string(),
        p.industry.name().to_string(),
        cents(p.planned).to_string(),
        cents(p.land).to_string(),
        p.floor.to_string(),
        p.amenity_floor.to_string(),
        p.amenity_land.to_string(),
        cents(p.plot_ratio).to_string(),
        cents(p.green).to_string(),
        cents(p.investment).to_string(),
        p.held.to_string(),
        p.sold.to_string(),
        opt(&|o| Some(Decimal::new(o.occupancy, 1).normalize().to_string())),
        opt(&|o| o.stars.map(|s| s.to_string())),
        opt(&|o| o.grade.map(str::to_string)),
        opt(&|o| o.recognised.map(|d| d.to_string())),
        opt(&|o| Some(o.built.to_string())),
        p.accidents.to_string(),
        cents(p.debt).to_string(),
    ]
}

// ── transfers ──────────────────────────────────────────────────────────────

const TRANSFER_HEADER: [&str; 11] = [
    "编号",
    "园区",
    "类型",
    "买方企业",
    "单元面积",
    "是否整层",
    "含配套用房",
    "单价",
    "租金",
    "取得日期",
    "申请日期",
];

fn write_transfers(
    cfg: &GenConfig,
    parks: &[Park],
    layout: &FirmLayout,
    path: &Path,
) -> io::Result<()> {
    let mut w = csv_writer(path)?;
    w.write_record(TRANSFER_HEADER)?;
    if cfg.transfers > 0 && layout.built.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "transfer applications need at least one built park: ask for more parks",
        ));
    }
    let width = key_width(cfg.transfers);
    for t in 0..cfg.transfers {
        let mut rng = rng_for(cfg.seed, Stream::Transfer, t);
        let k = rng.usize(0..layout.built.len().max(1));
        let Some(park) = layout.built.get(k).and_then(|&i| parks.get(i)) else {
            continue;
        };
        let buyer = buyer(&mut rng, cfg, parks, layout, k);
        let row = transfer_row(&mut rng, t, width, park, buyer);
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// The buying or renting firm: mostly one of the park's own firms, sometimes a firm
/// of another park, sometimes none (a buyer not yet registered in a park).
fn buyer(
    rng: &mut fastrand::Rng,
    cfg: &GenConfig,
    parks: &[Park],
    layout: &FirmLayout,
    k: usize,
) -> Option<String> {
    if cfg.firms == 0 {
        return None;
    }
    let roll = rng.u32(0..100);
    let range = if roll < 70 {
        layout.firms_of(k)
    } else if roll < 84 {
        0..cfg.firms
    } else {
        return None;
    };
    if range.is_empty() {
        return None;
    }
    let j = rng.usize(range);
    firm_start(cfg, parks, layout, j).map(|(_, core)| core.code)
}

fn transfer_row(
    rng: &mut fastrand::Rng,
    t: usize,
    width: usize,
    park: &Park,
    buyer: Option<String>,
) -> Vec<String> {
    let sale = chance(rng, 55);
    let built = park.ops.as_ref().map_or(date(2016, 1, 1), |o| o.built);
    let applied = date_between(rng, date(2023, 7, 1), date(2024, 6, 30));
    let area = match rng.u32(0..20) {
        0..=2 => between(rng, 200, 499),
        3..=6 => between(rng, 500, 999),
        _ => between(rng, 1000, 3200),
    };
    let whole_floor = chance(rng, if sale { 82 } else { 40 });
    let amenity = chance(rng, 15);
    // Half the sales are the developer's first sale of space it has held since the
    // park was built; the rest are resales, one in five within the 5-year lock-up.
    let acquired = if sale && chance(rng, 50) {
        built
    } else if chance(rng, 20) {
        let from = applied.with_year(applied.year() - 4).unwrap_or(applied);
        date_between(
            rng,
            from.max(built),
            applied.with_year(applied.year() - 1).unwrap_or(applied),
        )
    } else {
        let latest = applied.with_year(applied.year() - 5).unwrap_or(applied);
        date_between(rng, built.min(latest), latest)
    };
    let price = sale.then(|| between(rng, 2500, 4800).to_string());
    let rent = (!sale).then(|| {
        let r = if chance(rng, 20) {
            between(rng, 2501, 3200)
        } else {
            between(rng, 1000, 2500)
        };
        cents(r).to_string()
    });
    vec![
        format!("ZR-{:0width$}", t + 1),
        park.key.clone(),
        if sale { "出售" } else { "出租" }.to_string(),
        buyer.unwrap_or_default(),
        area.to_string(),
        yes_no(whole_floor),
        yes_no(amenity),
        price.unwrap_or_default(),
        rent.unwrap_or_default(),
        acquired.to_string(),
        applied.to_string(),
    ]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    /// The rows of one generated file as maps from header to cell.
    fn read(dir: &Path, file: &str) -> Rows {
        let mut r = csv::Reader::from_path(dir.join(file)).unwrap();
        let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        r.records()
            .map(|rec| {
                headers
                    .iter()
                    .cloned()
                    .zip(rec.unwrap().iter().map(String::from))
                    .collect()
            })
            .collect()
    }

    type Rows = Vec<BTreeMap<String, String>>;

    fn pinghu() -> (tempfile::TempDir, Rows, Rows, Rows) {
        let dir = tempfile::tempdir().unwrap();
        generate(&GenConfig::pinghu(), dir.path()).unwrap();
        let (p, f, t) = (
            read(dir.path(), "园区.csv"),
            read(dir.path(), "企业.csv"),
            read(dir.path(), "转让申请.csv"),
        );
        (dir, p, f, t)
    }

    fn sum(rows: &[BTreeMap<String, String>], col: &str) -> Decimal {
        rows.iter()
            .map(|r| r[col].parse::<Decimal>().unwrap())
            .sum()
    }

    fn count(
        rows: &[BTreeMap<String, String>],
        f: impl Fn(&BTreeMap<String, String>) -> bool,
    ) -> usize {
        rows.iter().filter(|r| f(r)).count()
    }

    #[test]
    fn totals_match_the_2021_seed_exactly() {
        let (_d, _, firms, _) = pinghu();
        assert_eq!(firms.len(), 600);
        assert_eq!(sum(&firms, "年产值"), Decimal::new(519_700, 0));
        assert_eq!(sum(&firms, "年税收"), Decimal::new(16_000, 0));
    }

    #[test]
    fn same_seed_gives_the_same_bytes_and_another_seed_does_not() {
        let cfg = GenConfig {
            seed: 7,
            parks: 40,
            firms: 300,
            transfers: 50,
        };
        let (a, b, c) = (
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
            tempfile::tempdir().unwrap(),
        );
        generate(&cfg, a.path()).unwrap();
        generate(&cfg, b.path()).unwrap();
        generate(&GenConfig { seed: 8, ..cfg }, c.path()).unwrap();
        for f in ["园区.csv", "企业.csv", "转让申请.csv"] {
            let x = std::fs::read(a.path().join(f)).unwrap();
            assert_eq!(x, std::fs::read(b.path().join(f)).unwrap(), "{f}");
            assert_ne!(x, std::fs::read(c.path().join(f)).unwrap(), "{f}");
        }
    }

    #[test]
    fn headers_are_the_fields_of_the_schema_in_order() {
        let schema = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/policies/pinghu-current/数据.rules"
        ))
        .unwrap();
        let fields = schema_fields(&schema);
        assert_eq!(fields["园区"], PARK_HEADER.to_vec());
        assert_eq!(fields["企业"], FIRM_HEADER.to_vec());
        assert_eq!(fields["转让申请"], TRANSFER_HEADER.to_vec());
    }

    /// Field names per entity of a schema file (`name: type` lines inside `entity { }`).
    fn schema_fields(text: &str) -> BTreeMap<&str, Vec<&str>> {
        let mut out = BTreeMap::new();
        let mut current = None;
        for line in text.lines().map(|l| l.split('#').next().unwrap().trim()) {
            if let Some(rest) = line.strip_prefix("entity ") {
                current = Some(rest.trim_end_matches('{').trim());
            } else if line == "}" {
                current = None;
            } else if let (Some(e), Some((name, _))) = (current, line.split_once(':')) {
                out.entry(e).or_insert_with(Vec::new).push(name.trim());
            }
        }
        out
    }

    #[test]
    fn pinghu_has_34_parks_in_9_towns_24_built() {
        let (_d, parks, _, _) = pinghu();
        assert_eq!(parks.len(), 34);
        let towns: BTreeSet<&str> = parks.iter().map(|p| p["镇街道"].as_str()).collect();
        assert_eq!(towns.len(), 9);
        assert_eq!(count(&parks, |p| !p["建成日期"].is_empty()), 24);
        // Planned parks have no operating data.
        for p in parks.iter().filter(|p| p["建成日期"].is_empty()) {
            for f in ["入驻率", "星级", "绩效评价", "认定日期"] {
                assert_eq!(p[f], "", "{} {f}", p["编号"]);
            }
        }
        for p in &parks {
            let planned: Decimal = p["规划面积"].parse().unwrap();
            assert!(planned >= Decimal::new(30, 0) && planned <= Decimal::new(300, 0));
        }
        let names: BTreeSet<&str> = parks.iter().map(|p| p["名称"].as_str()).collect();
        assert_eq!(names.len(), 34, "park names are unique");
    }

    #[test]
    fn references_point_at_existing_records() {
        let (_d, parks, firms, transfers) = pinghu();
        let built: BTreeSet<&str> = parks
            .iter()
            .filter(|p| !p["建成日期"].is_empty())
            .map(|p| p["编号"].as_str())
            .collect();
        let codes: BTreeSet<&str> = firms
            .iter()
            .map(|f| f["统一社会信用代码"].as_str())
            .collect();
        assert_eq!(codes.len(), firms.len(), "credit codes are unique");
        assert!(firms.iter().all(|f| built.contains(f["园区"].as_str())));
        assert!(transfers.iter().all(|t| built.contains(t["园区"].as_str())));
        assert!(
            transfers
                .iter()
                .all(|t| t["买方企业"].is_empty() || codes.contains(t["买方企业"].as_str()))
        );
    }

    #[test]
    fn grades_and_flags_are_plausible() {
        let (_d, _, firms, transfers) = pinghu();
        let share = |g: &str| count(&firms, |f| f["亩均评价"] == g) * 100 / firms.len();
        assert!((14..=26).contains(&share("A")), "A {}", share("A"));
        assert!((2..=9).contains(&share("D")), "D {}", share("D"));
        let above = count(&firms, |f| f["规上"] == "是");
        assert!(above > 30 && above < 250, "规上 {above}");
        assert!(count(&firms, |f| f["腾退企业"] == "是") > 20);
        assert!(count(&firms, |f| f["本地传统企业"] == "是") > 30);
        assert!(count(&firms, |f| f["专精特新"] == "是") > 5);
        assert_eq!(transfers.len(), 40);
        assert!(count(&transfers, |t| t["类型"] == "出售") >= 12);
        assert!(count(&transfers, |t| t["类型"] == "出租") >= 12);
    }

    #[test]
    fn check_character_follows_gb_32100() {
        // A published example code: 91350100M000100Y43.
        let mut rng = fastrand::Rng::with_seed(1);
        let code = credit_code(&mut rng, 12_345);
        assert_eq!(code.len(), 18);
        assert!(code.starts_with("91330482MA"));
        assert_eq!(check_char("91350100M000100Y4"), '3');
        assert_eq!(check_char(&code[..17]), code.chars().last().unwrap());
    }

    fn check_char(first17: &str) -> char {
        const CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
        const W: [usize; 17] = [
            1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
        ];
        let s: usize = first17
            .chars()
            .zip(W)
            .map(|(c, w)| CHARS.find(c).unwrap() * w)
            .sum();
        CHARS.chars().nth((31 - s % 31) % 31).unwrap()
    }

    #[test]
    fn scaler_sums_exactly() {
        let mut s = Scaler::new(1000, 7);
        let parts: Vec<i64> = [1, 2, 4].iter().map(|&r| s.next(r)).collect();
        // 1000 × 1/7 = 142.86 → 143; × 3/7 = 428.57 → 429; × 7/7 = 1000.
        assert_eq!(parts, vec![143, 286, 571]);
    }

    #[test]
    fn tiny_configs_work_and_keep_the_pro_rata_totals() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = GenConfig {
            seed: 3,
            parks: 1,
            firms: 6,
            transfers: 3,
        };
        generate(&cfg, dir.path()).unwrap();
        let firms = read(dir.path(), "企业.csv");
        assert_eq!(firms.len(), 6);
        assert!(firms.iter().all(|f| f["园区"] == "PH-001"));
        // 519700 × 6 / 600 and 16000 × 6 / 600.
        assert_eq!(sum(&firms, "年产值"), Decimal::new(5197, 0));
        assert_eq!(sum(&firms, "年税收"), Decimal::new(160, 0));
        assert_eq!(read(dir.path(), "转让申请.csv").len(), 3);
        let empty = GenConfig {
            seed: 3,
            parks: 2,
            firms: 0,
            transfers: 0,
        };
        generate(&empty, dir.path()).unwrap();
        assert_eq!(read(dir.path(), "企业.csv").len(), 0);
    }

    #[test]
    fn no_parks_and_firms_is_an_input_error() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = GenConfig {
            seed: 1,
            parks: 0,
            firms: 10,
            transfers: 0,
        };
        assert_eq!(
            generate(&cfg, dir.path()).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
    }

    /// The committed example is what the generator makes. Set
    /// `PARKRULES_WRITE_EXAMPLES=1` to rewrite it.
    #[test]
    fn shipped_example_is_current() {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/pinghu");
        if std::env::var_os("PARKRULES_WRITE_EXAMPLES").is_some() {
            generate(&GenConfig::pinghu(), &shipped).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        generate(&GenConfig::pinghu(), dir.path()).unwrap();
        for f in ["园区.csv", "企业.csv", "转让申请.csv"] {
            assert_eq!(
                std::fs::read(dir.path().join(f)).unwrap(),
                std::fs::read(shipped.join(f)).unwrap(),
                "{f}"
            );
        }
    }
}
