//! A hand-written reference for `policies/pinghu-revised`: the outcomes of every rule
//! on every record, computed directly in Rust from `园区.csv`, `企业.csv` and
//! `转让申请.csv`, without the parkrules library.
//!
//! ```text
//! cargo run --release --example baseline -- DATA_DIR AS_OF > out.jsonl
//! ```
//!
//! The output is byte-identical to
//! `parkrules eval policies/pinghu-revised --data DATA_DIR --as-of AS_OF --format jsonl`
//! (checked by `examples/bench.rs` before anything is timed). It is the physical-limit
//! yardstick of the benchmark: every rule, param and unit conversion of the policy is
//! written out by hand, so it does only the work the policy needs.
//!
//! Shape of the program. Numbers are exact `rust_decimal` values in the base units the
//! language uses (元, 亩; 1 m2 = 0.0015 亩), converted the way parkrules converts
//! them wherever a value is shown, so messages print the same digits. Output order is
//! parks, firms, transfers (declaration order), each in input order, rules in
//! declaration order (base files by name, then the revision's new rules by file).
//! Parks come first but need two aggregates over the firms, so `企业.csv` is read
//! twice: a light first pass sums 年税收 and counts 小升规 firms per park (and notes
//! the firms that transfers name as buyers), a second pass evaluates the firms. Both
//! passes split the file into chunks at record boundaries and evaluate them on every
//! core; a writer thread puts the chunks' output back in input order.
//!
//! Scope: the data the generator (`parkrules gen`) writes. Inputs the policy would
//! turn into `error` outcomes (a zero 总建筑面积, a blank 租金 on a lease, an `as_of`
//! before the first dated param value) are reported and the program exits 1 rather
//! than imitate parkrules' error text.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, HashMap};
use std::error::Error;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

type Res<T> = Result<T, Box<dyn Error + Send + Sync>>;

fn main() {
    if let Err(e) = run() {
        eprintln!("baseline: {e}");
        std::process::exit(1);
    }
}

fn run() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, as_of] = args.as_slice() else {
        return Err("usage: baseline DATA_DIR AS_OF (YYYY-MM-DD) > out.jsonl".into());
    };
    let as_of = parse_date(as_of.as_bytes()).ok_or("AS_OF must be a date like 2023-07-01")?;
    let ctx = Ctx::new(as_of)?;
    let dir = Path::new(dir);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

    let mut parks = read_parks(&dir.join("园区.csv"))?;
    let park_index: HashMap<Box<[u8]>, u32> = parks
        .iter()
        .enumerate()
        .map(|(i, p)| (p.key.as_bytes().into(), i as u32))
        .collect();
    let transfers = read_transfers(&dir.join("转让申请.csv"), &park_index)?;
    let wanted: HashMap<Box<[u8]>, Option<Buyer>> = transfers
        .iter()
        .filter_map(|t| t.buyer.clone())
        .map(|k| (k, None))
        .collect();

    // Pass 1 over the firms: the parks' aggregates and the buyers' details.
    let firms_path = dir.join("企业.csv");
    let agg = {
        let env = FirmEnv::new(&firms_path, &park_index, &parks, &ctx)?;
        aggregate_firms(&firms_path, &env, &wanted, threads)?
    };
    for (p, (tax, grown)) in parks.iter_mut().zip(agg.tax.iter().zip(&agg.grown)) {
        p.tax = *tax;
        p.grown = *grown;
    }

    let mut out = BufWriter::with_capacity(1 << 20, io::stdout());
    let mut buf = Vec::with_capacity(1 << 16);
    for p in &parks {
        park_outcomes(p, &ctx, &mut buf)?;
        if buf.len() > 1 << 15 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    buf.clear();

    // Pass 2: the firms' own rules, chunk by chunk, written in input order.
    let env = FirmEnv::new(&firms_path, &park_index, &parks, &ctx)?;
    for_each_chunk(
        &firms_path,
        threads,
        || (),
        |chunk, (), o| firm_chunk(chunk, &env, o),
        &mut out,
    )?;

    for t in &transfers {
        transfer_outcomes(t, &parks, &agg.buyers, &ctx, &mut buf)?;
        if buf.len() > 1 << 15 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    out.flush()?;
    Ok(())
}

// ── params in force (政策.rules of both policies, and each rule file) ─────────

/// The params of the revised policy that depend on the evaluation date, and the
/// unit factors used to show values.
struct Ctx {
    as_of: NaiveDate,
    /// 奖补.rules `建设补助上限` (dated: 500 万元 from 2021-07-01, 800 万元 from 2024-01-01).
    cap: Decimal,
    /// 配套.rules `最低容积率` (dated: 1.4 from 2021-07-01, 1.5 from 2025-01-01).
    min_plot: Decimal,
    min_plot_shown: &'static str,
    /// Base units per 元/m2/月 (1 ÷ 0.0015 ÷ 1, rounded as rust_decimal rounds it).
    rent_factor: Decimal,
    /// 租售.rules `租金上限` = 25 元/m2/月, in base units.
    rent_cap: Decimal,
}

impl Ctx {
    fn new(as_of: NaiveDate) -> Res<Ctx> {
        if as_of < ymd(2021, 7, 1) {
            return Err("the dated params have no value before 2021-07-01 (parkrules reports an error outcome; not modelled)".into());
        }
        let cap = if as_of >= ymd(2024, 1, 1) {
            8_000_000
        } else {
            5_000_000
        };
        let (min_plot, min_plot_shown) = if as_of >= ymd(2025, 1, 1) {
            (Decimal::new(15, 1), "1.5")
        } else {
            (Decimal::new(14, 1), "1.4")
        };
        let rent_factor = Decimal::ONE
            .checked_div(m2())
            .and_then(|f| f.checked_div(Decimal::ONE))
            .ok_or("unit factor")?;
        let rent_cap = Decimal::from(25)
            .checked_mul(rent_factor)
            .ok_or("overflow")?
            .normalize();
        Ok(Ctx {
            as_of,
            cap: Decimal::from(cap),
            min_plot,
            min_plot_shown,
            rent_factor,
            rent_cap,
        })
    }
}

/// 1 m2 in 亩.
fn m2() -> Decimal {
    Decimal::new(15, 4)
}

fn pct(n: i64) -> Decimal {
    Decimal::new(n, 2)
}

fn wan(n: i64) -> Decimal {
    Decimal::from(n * 10_000)
}

// 施行日期 (pinghu-current 政策.rules) and 修订施行日期 (配套.rules).
fn effective() -> NaiveDate {
    ymd(2021, 7, 1)
}
fn revised_effective() -> NaiveDate {
    ymd(2023, 7, 1)
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

// ── records ───────────────────────────────────────────────────────────────

#[derive(Clone, Copy, PartialEq, Eq)]
enum Grade {
    A,
    B,
    C,
    D,
}

/// A 园区 record (数据.rules), areas in 亩, money in 元, percents as fractions.
struct Park {
    key: String,
    /// 镇街道 in 经济薄弱镇 (奖补.rules: ["广陈镇", "林埭镇"]).
    weak_town: bool,
    /// 建设模式 == 民间投资.
    private: bool,
    lead: Box<[u8]>,
    planned: Decimal,
    land: Decimal,
    floor: Decimal,
    amenity_floor: Decimal,
    amenity_land: Decimal,
    plot: Decimal,
    green: Decimal,
    invest: Decimal,
    sold: Decimal,
    occupancy: Option<Decimal>,
    stars: Option<Decimal>,
    grade: Option<Grade>,
    recognised: bool,
    built: Option<NaiveDate>,
    accidents: Decimal,
    debt: Decimal,
    /// 奖补.rules `园区.入园税收 = sum(企业.年税收)`.
    tax: Decimal,
    /// 奖补.rules `园区.新升规企业数`.
    grown: u64,
}

/// The buyer of a transfer: the 企业 fields 买方资格 reads.
#[derive(Clone)]
struct Buyer {
    park: u32,
    industry: Box<[u8]>,
    /// 入园.rules `企业.配套产业 = if is_set(产业链) then 产业链 else 行业`.
    chain: Box<[u8]>,
}

/// A 转让申请 record.
struct Transfer {
    key: String,
    park: u32,
    sale: bool,
    buyer: Option<Box<[u8]>>,
    area: Decimal,
    whole_floor: bool,
    amenity: bool,
    /// The 租金 cell, in 元/m2/月 as written.
    rent: Option<Decimal>,
    acquired: NaiveDate,
    applied: NaiveDate,
}

/// Column positions by header name.
struct Cols(HashMap<String, usize>);

impl Cols {
    fn of(headers: &csv::ByteRecord) -> Cols {
        Cols(
            headers
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let h = h.strip_prefix("\u{feff}".as_bytes()).unwrap_or(h);
                    (String::from_utf8_lossy(h).into_owned(), i)
                })
                .collect(),
        )
    }
    fn get(&self, name: &str) -> Res<usize> {
        self.0
            .get(name)
            .copied()
            .ok_or_else(|| format!("missing column `{name}`").into())
    }
}

/// One row's cells, with the row number for messages.
struct Row<'a> {
    rec: &'a csv::ByteRecord,
    line: u64,
}

impl Row<'_> {
    fn raw(&self, i: usize) -> &[u8] {
        self.rec.get(i).unwrap_or_default()
    }
    fn trimmed(&self, i: usize) -> &[u8] {
        self.raw(i).trim_ascii()
    }
    fn bad(&self, i: usize, what: &str) -> Box<dyn Error + Send + Sync> {
        format!(
            "line {}: column {}: `{}` is not {what}",
            self.line,
            i + 1,
            String::from_utf8_lossy(self.raw(i))
        )
        .into()
    }
    fn text(&self, i: usize) -> Res<String> {
        String::from_utf8(self.raw(i).to_vec()).map_err(|_| self.bad(i, "UTF-8"))
    }
    fn num(&self, i: usize) -> Res<Decimal> {
        parse_num(self.trimmed(i)).ok_or_else(|| self.bad(i, "a number"))
    }
    fn opt_num(&self, i: usize) -> Res<Option<Decimal>> {
        if self.trimmed(i).is_empty() {
            Ok(None)
        } else {
            self.num(i).map(Some)
        }
    }
    /// A `percent` cell: `85` and `85%` are 0.85.
    fn percent(&self, i: usize) -> Res<Decimal> {
        let s = self.trimmed(i);
        let s = s.strip_suffix(b"%").unwrap_or(s);
        parse_num(s)
            .and_then(|d| d.checked_div(Decimal::ONE_HUNDRED))
            .ok_or_else(|| self.bad(i, "a percent"))
    }
    fn opt_percent(&self, i: usize) -> Res<Option<Decimal>> {
        if self.trimmed(i).is_empty() {
            Ok(None)
        } else {
            self.percent(i).map(Some)
        }
    }
    /// An `area in m2` cell, in 亩.
    fn m2(&self, i: usize) -> Res<Decimal> {
        self.num(i)?
            .checked_mul(m2())
            .ok_or_else(|| self.bad(i, "in range"))
    }
    /// A `money in 万元` (or `万元/亩`) cell, in 元 (元/亩).
    fn wan(&self, i: usize) -> Res<Decimal> {
        self.num(i)?
            .checked_mul(Decimal::from(10_000))
            .ok_or_else(|| self.bad(i, "in range"))
    }
    fn bool(&self, i: usize) -> Res<bool> {
        match self.trimmed(i) {
            b"\xe6\x98\xaf" | b"1" => Ok(true),  // 是
            b"\xe5\x90\xa6" | b"0" => Ok(false), // 否
            s if s.eq_ignore_ascii_case(b"true") => Ok(true),
            s if s.eq_ignore_ascii_case(b"false") => Ok(false),
            _ => Err(self.bad(i, "a bool")),
        }
    }
    fn date(&self, i: usize) -> Res<NaiveDate> {
        parse_date(self.trimmed(i)).ok_or_else(|| self.bad(i, "a date"))
    }
    fn opt_date(&self, i: usize) -> Res<Option<NaiveDate>> {
        if self.trimmed(i).is_empty() {
            Ok(None)
        } else {
            self.date(i).map(Some)
        }
    }
    fn grade(&self, i: usize) -> Res<Option<Grade>> {
        Ok(match self.trimmed(i) {
            b"" => None,
            b"A" => Some(Grade::A),
            b"B" => Some(Grade::B),
            b"C" => Some(Grade::C),
            b"D" => Some(Grade::D),
            _ => return Err(self.bad(i, "a grade A–D")),
        })
    }
}

/// A plain decimal (`-12.5`); numbers of up to 18 digits without a float or a string.
fn parse_num(s: &[u8]) -> Option<Decimal> {
    let (neg, body) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    if body.is_empty() || body.len() > 18 {
        let text = std::str::from_utf8(s).ok()?;
        return Decimal::from_str_exact(&text.replace(',', "")).ok();
    }
    let mut m: i64 = 0;
    let mut scale = 0u32;
    let mut dot = false;
    let mut digits = 0;
    for &b in body {
        match b {
            b'0'..=b'9' => {
                m = m * 10 + i64::from(b - b'0');
                digits += 1;
                if dot {
                    scale += 1;
                }
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    if digits == 0 || (dot && scale == 0) {
        return None;
    }
    Some(Decimal::new(if neg { -m } else { m }, scale))
}

/// `2024-01-01`, `2024-1-1` or `2024/1/1`.
fn parse_date(s: &[u8]) -> Option<NaiveDate> {
    let sep = if s.contains(&b'/') { b'/' } else { b'-' };
    let mut parts = s.split(|&b| b == sep);
    let mut num = |lo: usize, hi: usize| -> Option<u32> {
        let p = parts.next()?;
        if !(lo..=hi).contains(&p.len()) || !p.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(p.iter().fold(0, |a, &b| a * 10 + u32::from(b - b'0')))
    };
    let (y, m, d) = (num(4, 4)?, num(1, 2)?, num(1, 2)?);
    if parts.next().is_some() {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
}

fn reader(path: &Path) -> Res<csv::Reader<File>> {
    let f = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(csv::ReaderBuilder::new().flexible(false).from_reader(f))
}

fn read_parks(path: &Path) -> Res<Vec<Park>> {
    let mut rdr = reader(path)?;
    let c = Cols::of(rdr.byte_headers()?);
    let col = |n| c.get(n);
    let [
        key,
        town,
        model,
        lead,
        planned,
        land,
        floor,
        af,
        al,
        plot,
        green,
        invest,
        sold,
    ] = [
        "编号",
        "镇街道",
        "建设模式",
        "主导产业",
        "规划面积",
        "用地面积",
        "总建筑面积",
        "配套用房面积",
        "配套用地面积",
        "容积率",
        "绿地率",
        "固定资产投资",
        "已售面积",
    ]
    .map(col);
    let [occ, stars, grade, recog, built, acc, debt] = [
        "入驻率",
        "星级",
        "绩效评价",
        "认定日期",
        "建成日期",
        "安全事故数",
        "负债率",
    ]
    .map(col);
    let (key, town, model, lead, planned, land, floor) =
        (key?, town?, model?, lead?, planned?, land?, floor?);
    let (af, al, plot, green, invest, sold) = (af?, al?, plot?, green?, invest?, sold?);
    let (occ, stars, grade, recog, built, acc, debt) =
        (occ?, stars?, grade?, recog?, built?, acc?, debt?);
    let mut rec = csv::ByteRecord::new();
    let mut parks = Vec::new();
    let mut line = 1;
    while rdr.read_byte_record(&mut rec)? {
        line += 1;
        let r = Row { rec: &rec, line };
        parks.push(Park {
            key: r.text(key)?,
            weak_town: matches!(
                r.raw(town),
                b"\xe5\xb9\xbf\xe9\x99\x88\xe9\x95\x87" | b"\xe6\x9e\x97\xe5\x9f\xad\xe9\x95\x87"
            ), // 广陈镇 林埭镇
            private: r.trimmed(model) == "民间投资".as_bytes(),
            lead: r.raw(lead).into(),
            planned: r.num(planned)?,
            land: r.num(land)?,
            floor: r.m2(floor)?,
            amenity_floor: r.m2(af)?,
            amenity_land: r.m2(al)?,
            plot: r.num(plot)?,
            green: r.percent(green)?,
            invest: r.wan(invest)?,
            sold: r.m2(sold)?,
            occupancy: r.opt_percent(occ)?,
            stars: r.opt_num(stars)?,
            grade: r.grade(grade)?,
            recognised: r.opt_date(recog)?.is_some(),
            built: r.opt_date(built)?,
            accidents: r.num(acc)?,
            debt: r.percent(debt)?,
            tax: Decimal::ZERO,
            grown: 0,
        });
    }
    Ok(parks)
}

fn read_transfers(path: &Path, parks: &HashMap<Box<[u8]>, u32>) -> Res<Vec<Transfer>> {
    let mut rdr = reader(path)?;
    let c = Cols::of(rdr.byte_headers()?);
    let [
        key,
        park,
        kind,
        buyer,
        area,
        whole,
        amenity,
        rent,
        acquired,
        applied,
    ] = [
        "编号",
        "园区",
        "类型",
        "买方企业",
        "单元面积",
        "是否整层",
        "含配套用房",
        "租金",
        "取得日期",
        "申请日期",
    ]
    .map(|n| c.get(n));
    let (key, park, kind, buyer, area) = (key?, park?, kind?, buyer?, area?);
    let (whole, amenity, rent, acquired, applied) = (whole?, amenity?, rent?, acquired?, applied?);
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    let mut line = 1;
    while rdr.read_byte_record(&mut rec)? {
        line += 1;
        let r = Row { rec: &rec, line };
        let b = r.trimmed(buyer);
        out.push(Transfer {
            key: r.text(key)?,
            park: *parks
                .get(r.trimmed(park))
                .ok_or_else(|| r.bad(park, "a 园区 key"))?,
            sale: match r.trimmed(kind) {
                b"\xe5\x87\xba\xe5\x94\xae" => true,  // 出售
                b"\xe5\x87\xba\xe7\xa7\x9f" => false, // 出租
                _ => return Err(r.bad(kind, "出售 or 出租")),
            },
            buyer: (!b.is_empty()).then(|| b.into()),
            area: r.m2(area)?,
            whole_floor: r.bool(whole)?,
            amenity: r.bool(amenity)?,
            rent: r.opt_num(rent)?,
            acquired: r.date(acquired)?,
            applied: r.date(applied)?,
        });
    }
    Ok(out)
}

/// What the firm passes need: column positions, the park keys and the parks.
struct FirmEnv<'a> {
    park_index: &'a HashMap<Box<[u8]>, u32>,
    parks: &'a [Park],
    ctx: &'a Ctx,
    key: usize,
    park: usize,
    industry: usize,
    chain: usize,
    area: usize,
    entered: usize,
    tax: usize,
    tax_per_mu: usize,
    grade: usize,
    above_size: usize,
    grown_on: usize,
    displaced: usize,
    local: usize,
    specialised: usize,
}

impl<'a> FirmEnv<'a> {
    fn new(
        path: &Path,
        park_index: &'a HashMap<Box<[u8]>, u32>,
        parks: &'a [Park],
        ctx: &'a Ctx,
    ) -> Res<FirmEnv<'a>> {
        let mut rdr = reader(path)?;
        let c = Cols::of(rdr.byte_headers()?);
        Ok(FirmEnv {
            park_index,
            parks,
            ctx,
            key: c.get("统一社会信用代码")?,
            park: c.get("园区")?,
            industry: c.get("行业")?,
            chain: c.get("产业链")?,
            area: c.get("占用面积")?,
            entered: c.get("入园日期")?,
            tax: c.get("年税收")?,
            tax_per_mu: c.get("亩均税收")?,
            grade: c.get("亩均评价")?,
            above_size: c.get("规上")?,
            grown_on: c.get("升规日期")?,
            displaced: c.get("腾退企业")?,
            local: c.get("本地传统企业")?,
            specialised: c.get("专精特新")?,
        })
    }

    fn park_of(&self, r: &Row) -> Res<u32> {
        self.park_index
            .get(r.trimmed(self.park))
            .copied()
            .ok_or_else(|| r.bad(self.park, "a 园区 key"))
    }

    /// 入园.rules `企业.配套产业`.
    fn chain_of<'r>(&self, r: &'r Row) -> &'r [u8] {
        if r.trimmed(self.chain).is_empty() {
            r.raw(self.industry)
        } else {
            r.raw(self.chain)
        }
    }
}

// ── chunked, ordered, parallel reading of one CSV file ─────────────────────

const CHUNK: usize = 1 << 20;

/// Split the file (after its header line) into chunks that end on a record boundary
/// (a newline outside quotes), give them to `threads` workers, and write their output
/// in input order. Returns each worker's final state.
fn for_each_chunk<S, F>(
    path: &Path,
    threads: usize,
    init: impl Fn() -> S + Sync,
    work: F,
    out: &mut (dyn Write + Send),
) -> Res<Vec<S>>
where
    S: Send,
    F: Fn(&[u8], &mut S, &mut Vec<u8>) -> Res<()> + Sync,
{
    let mut file = File::open(path)?;
    let mut header = Vec::new();
    skip_header(&mut file, &mut header)?;
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, Vec<u8>)>(threads * 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (done_tx, done_rx) = mpsc::sync_channel::<(usize, Res<Vec<u8>>)>(threads * 2);
    std::thread::scope(|s| -> Res<Vec<S>> {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let rx = Arc::clone(&job_rx);
                let tx = done_tx.clone();
                let (init, work) = (&init, &work);
                s.spawn(move || {
                    let mut state = init();
                    loop {
                        let job = rx
                            .lock()
                            .map_err(|_| ())
                            .and_then(|r| r.recv().map_err(|_| ()));
                        let Ok((seq, chunk)) = job else { break };
                        let mut o = Vec::with_capacity(chunk.len() * 3);
                        let r = work(&chunk, &mut state, &mut o).map(|()| o);
                        if tx.send((seq, r)).is_err() {
                            break;
                        }
                    }
                    state
                })
            })
            .collect();
        drop(done_tx);
        let writer = s.spawn(move || -> Res<()> {
            let mut next = 0;
            let mut pending = BTreeMap::new();
            let mut failed: Option<Box<dyn Error + Send + Sync>> = None;
            for (seq, r) in done_rx {
                pending.insert(seq, r);
                while let Some(r) = pending.remove(&next) {
                    match r {
                        Ok(bytes) if failed.is_none() => out.write_all(&bytes)?,
                        Ok(_) => {}
                        Err(e) => failed = failed.or(Some(e)),
                    }
                    next += 1;
                }
            }
            failed.map_or(Ok(()), Err)
        });
        let read = split_chunks(&mut file, header, |seq, chunk| {
            job_tx
                .send((seq, chunk))
                .map_err(|_| "a worker stopped".into())
        });
        drop(job_tx);
        let states: Vec<S> = workers.into_iter().filter_map(|w| w.join().ok()).collect();
        writer.join().map_err(|_| "writer panicked")??;
        read?;
        Ok(states)
    })
}

/// Read the header line (and drop it); any bytes read past it are left in `rest`.
fn skip_header(file: &mut File, rest: &mut Vec<u8>) -> Res<()> {
    let mut buf = [0u8; 8192];
    loop {
        let n = file.read(&mut buf)?;
        let got = buf.get(..n).unwrap_or_default();
        rest.extend_from_slice(got);
        if let Some(end) = record_end(rest, 0) {
            rest.drain(..=end);
            return Ok(());
        }
        if n == 0 {
            rest.clear();
            return Ok(());
        }
    }
}

/// The index of the first newline outside quotes at or after `from`.
fn record_end(buf: &[u8], from: usize) -> Option<usize> {
    let tail = buf.get(from..)?;
    if !tail.contains(&b'"') {
        return tail.iter().position(|&b| b == b'\n').map(|i| i + from);
    }
    let mut quoted = false;
    for (i, &b) in tail.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return Some(i + from),
            _ => {}
        }
    }
    None
}

/// The index just past the last newline outside quotes (chunks start outside quotes).
fn last_record_end(buf: &[u8]) -> Option<usize> {
    if !buf.contains(&b'"') {
        return buf.iter().rposition(|&b| b == b'\n').map(|i| i + 1);
    }
    let mut quoted = false;
    let mut last = None;
    for (i, &b) in buf.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => last = Some(i + 1),
            _ => {}
        }
    }
    last
}

fn split_chunks(
    file: &mut File,
    mut carry: Vec<u8>,
    mut send: impl FnMut(usize, Vec<u8>) -> Res<()>,
) -> Res<()> {
    let mut seq = 0;
    loop {
        let mut buf = std::mem::take(&mut carry);
        let start = buf.len();
        buf.resize(start.max(CHUNK), 0);
        let mut len = start;
        while len < buf.len() {
            let n = file.read(buf.get_mut(len..).unwrap_or_default())?;
            if n == 0 {
                break;
            }
            len += n;
        }
        buf.truncate(len);
        let eof = len < start.max(CHUNK);
        if eof {
            if !buf.is_empty() {
                send(seq, buf)?;
            }
            return Ok(());
        }
        match last_record_end(&buf) {
            Some(cut) => {
                carry = buf.split_off(cut);
                send(seq, buf)?;
                seq += 1;
            }
            // A single record longer than a chunk: read on.
            None => {
                carry = buf;
                carry.reserve(CHUNK);
            }
        }
    }
}

/// Every record of a chunk (no header).
fn records(chunk: &[u8], mut each: impl FnMut(&Row) -> Res<()>) -> Res<()> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(chunk);
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec)? {
        let line = rec.position().map_or(0, |p| p.line());
        each(&Row { rec: &rec, line })?;
    }
    Ok(())
}

// ── pass 1: aggregates over the firms ─────────────────────────────────────

struct Aggregates {
    tax: Vec<Decimal>,
    grown: Vec<u64>,
    buyers: HashMap<Box<[u8]>, Option<Buyer>>,
}

fn aggregate_firms(
    path: &Path,
    env: &FirmEnv,
    wanted: &HashMap<Box<[u8]>, Option<Buyer>>,
    threads: usize,
) -> Res<Aggregates> {
    let n = env.parks.len();
    let init = || Aggregates {
        tax: vec![Decimal::ZERO; n],
        grown: vec![0; n],
        buyers: HashMap::new(),
    };
    let states = for_each_chunk(
        path,
        threads,
        init,
        |chunk, a, _| {
            records(chunk, |r| {
                let p = env.park_of(r)? as usize;
                // 奖补.rules 第四条: 园区.入园税收 = sum(企业.年税收).
                let tax = r.wan(env.tax)?;
                if let Some(t) = a.tax.get_mut(p) {
                    *t = t.checked_add(tax).ok_or("sum overflows")?;
                }
                // 奖补.rules 第五条: count(企业 where 规上 and is_set(升规日期) and
                // 升规日期 <= as_of and 升规日期 + 1 年 > as_of).
                if r.bool(env.above_size)?
                    && let Some(d) = r.opt_date(env.grown_on)?
                    && d <= env.ctx.as_of
                    && add_months(d, 12)? > env.ctx.as_of
                    && let Some(g) = a.grown.get_mut(p)
                {
                    *g += 1;
                }
                let key = r.trimmed(env.key);
                if wanted.contains_key(key) {
                    let buyer = Buyer {
                        park: p as u32,
                        industry: r.raw(env.industry).into(),
                        chain: env.chain_of(r).into(),
                    };
                    a.buyers.insert(key.into(), Some(buyer));
                }
                Ok(())
            })
        },
        &mut io::sink(),
    )?;
    let mut total = init();
    for s in states {
        for (t, x) in total.tax.iter_mut().zip(s.tax) {
            *t = t.checked_add(x).ok_or("sum overflows")?;
        }
        for (g, x) in total.grown.iter_mut().zip(s.grown) {
            *g += x;
        }
        total.buyers.extend(s.buyers);
    }
    Ok(total)
}

/// `date + n months`, clamped to the month's last day (Civil Code art. 201).
fn add_months(d: NaiveDate, n: u32) -> Res<NaiveDate> {
    d.checked_add_months(Months::new(n))
        .ok_or_else(|| "date out of range".into())
}

/// Whole years completed from `from` to `to`, by anniversary (`years_between`).
fn years_between(from: NaiveDate, to: NaiveDate) -> i64 {
    if to < from {
        return -years_between(to, from);
    }
    let mut years = i64::from(to.year()) - i64::from(from.year());
    while years > 0
        && u32::try_from(years * 12)
            .ok()
            .and_then(|m| from.checked_add_months(Months::new(m)))
            .is_none_or(|a| a > to)
    {
        years -= 1;
    }
    years
}

// ── output ────────────────────────────────────────────────────────────────

/// Opens an outcome line: `{"entity":…,"key":…,"rule":…,"family":…,"status":"`.
fn open(o: &mut Vec<u8>, entity: &str, key: &[u8], rule_family: &str) {
    o.extend_from_slice(b"{\"entity\":\"");
    o.extend_from_slice(entity.as_bytes());
    o.extend_from_slice(b"\",\"key\":\"");
    escape(o, key);
    o.extend_from_slice(b"\",\"rule\":\"");
    o.extend_from_slice(rule_family.as_bytes());
    o.extend_from_slice(b"\",\"status\":\"");
}

/// A JSON string body as serde_json escapes it.
fn escape(o: &mut Vec<u8>, s: &[u8]) {
    if !s.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\') {
        o.extend_from_slice(s);
        return;
    }
    for &b in s {
        match b {
            b'"' => o.extend_from_slice(b"\\\""),
            b'\\' => o.extend_from_slice(b"\\\\"),
            b'\n' => o.extend_from_slice(b"\\n"),
            b'\r' => o.extend_from_slice(b"\\r"),
            b'\t' => o.extend_from_slice(b"\\t"),
            0x08 => o.extend_from_slice(b"\\b"),
            0x0c => o.extend_from_slice(b"\\f"),
            b if b < 0x20 => {
                let hex = b"0123456789abcdef";
                o.extend_from_slice(b"\\u00");
                o.push(hex.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
                o.push(hex.get(usize::from(b & 15)).copied().unwrap_or(b'0'));
            }
            b => o.push(b),
        }
    }
}

/// A decimal as parkrules prints it: normalised, `0` for zero.
fn decimal(o: &mut Vec<u8>, d: Decimal) {
    let n = d.normalize();
    if n.is_zero() {
        o.push(b'0');
    } else {
        let _ = write!(o, "{n}");
    }
}

fn amount(o: &mut Vec<u8>, d: Decimal, cite: &str, exception: Option<&str>) {
    o.extend_from_slice(b"amount\",\"amount\":\"");
    decimal(o, d);
    o.extend_from_slice(b"\",\"cite\":\"");
    o.extend_from_slice(cite.as_bytes());
    match exception {
        Some(e) => {
            o.extend_from_slice(b"\",\"exception\":\"");
            o.extend_from_slice(e.as_bytes());
            o.extend_from_slice(b"\"}\n");
        }
        None => o.extend_from_slice(b"\",\"exception\":null}\n"),
    }
}

fn not_applicable(o: &mut Vec<u8>, when: &str) {
    o.extend_from_slice(b"not_applicable\",\"failed_when\":\"");
    o.extend_from_slice(when.as_bytes());
    o.extend_from_slice(b"\"}\n");
}

fn pass(o: &mut Vec<u8>) {
    o.extend_from_slice(b"pass\"}\n");
}

/// A violation whose message is built from parts (constant text and shown values).
/// One part of a message: writes constant text or a shown value.
type Part<'a> = &'a dyn Fn(&mut Vec<u8>);

fn violation(o: &mut Vec<u8>, parts: &[Part]) {
    o.extend_from_slice(b"violation\",\"message\":\"");
    for p in parts {
        p(o);
    }
    o.extend_from_slice(b"\"}\n");
}

fn violation_text(o: &mut Vec<u8>, text: &str) {
    violation(o, &[&|o| o.extend_from_slice(text.as_bytes())]);
}

/// Require: pass, or a violation with a constant message.
fn require(o: &mut Vec<u8>, ok: bool, text: &str) {
    if ok { pass(o) } else { violation_text(o, text) }
}

/// A percent as shown: the fraction × 100, normalised, with `%`.
fn show_percent(o: &mut Vec<u8>, d: Decimal) {
    match d.checked_mul(Decimal::ONE_HUNDRED) {
        Some(p) => {
            decimal(o, p);
            o.push(b'%');
        }
        None => decimal(o, d),
    }
}

/// `round(x, 4)`: half away from zero.
fn round4(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

fn text(s: &'static str) -> impl Fn(&mut Vec<u8>) {
    move |o: &mut Vec<u8>| o.extend_from_slice(s.as_bytes())
}

fn div(a: Decimal, b: Decimal, what: &str) -> Res<Decimal> {
    if b.is_zero() {
        return Err(format!(
            "{what}: division by zero (an error outcome in parkrules; not modelled)"
        )
        .into());
    }
    a.checked_div(b).ok_or_else(|| "overflow".into())
}

fn mul(a: Decimal, b: Decimal) -> Res<Decimal> {
    a.checked_mul(b).ok_or_else(|| "overflow".into())
}

// ── 园区 rules ────────────────────────────────────────────────────────────

const PARK: &str = "园区";

fn park_outcomes(p: &Park, ctx: &Ctx, o: &mut Vec<u8>) -> Res<()> {
    let key = p.key.as_bytes();

    // 奖励.rules 运营奖励 (override of pinghu-current 奖励.rules 第八条), 修订第十条.
    open(o, PARK, key, "运营奖励\",\"family\":\"reward");
    operating_reward(p, ctx, o);

    // 奖补.rules 建设补助 (override of pinghu-current 奖补.rules 第三条), 修订第三条.
    open(o, PARK, key, "建设补助\",\"family\":\"subsidy");
    construction_subsidy(p, ctx, o)?;

    // 配套.rules 配套用房比例 (override of pinghu-current 限制.rules 第七条), 修订第九条第一款.
    // 园区.配套比例 = 配套用房面积 / 总建筑面积; 配套用房上限 = tier(规划面积) >= 100 亩 => 15%, else 25%.
    open(o, PARK, key, "配套用房比例\",\"family\":\"ratio");
    let share = div(p.amenity_floor, p.floor, "配套比例")?;
    let (limit, limit_shown) = if p.planned >= Decimal::ONE_HUNDRED {
        (pct(15), "15%")
    } else {
        (pct(25), "25%")
    };
    if share <= limit {
        pass(o);
    } else {
        violation(
            o,
            &[
                &text("配套用房建筑面积占比 "),
                &|o| show_percent(o, round4(share)),
                &text(" 超过上限 "),
                &text(limit_shown),
            ],
        );
    }

    // 奖补.rules 税收贡献奖励, 修订第四条: brackets(入园税收) up to 300 万元 => 2%,
    // up to 1000 万元 => 3%, above => 4%; when 园区亩均税收 >= 5 万元/亩.
    open(o, PARK, key, "税收贡献奖励\",\"family\":\"subsidy");
    if p.built.is_none() {
        not_applicable(o, "is_set(建成日期)");
    } else if div(p.tax, p.land, "园区亩均税收")? < wan(5) {
        not_applicable(o, "园区亩均税收 >= 园区亩均税收基准");
    } else {
        let x = p.tax;
        let mut lower = Decimal::ZERO;
        let mut total = Decimal::ZERO;
        for (bound, rate) in [
            (Some(wan(300)), pct(2)),
            (Some(wan(1000)), pct(3)),
            (None, pct(4)),
        ] {
            let top = bound.map_or(x, |b| x.min(b));
            let part = (top - lower).max(Decimal::ZERO);
            total = total.checked_add(mul(part, rate)?).ok_or("overflow")?;
            if let Some(b) = bound {
                lower = lower.max(b);
            }
        }
        amount(o, total, "修订征求意见稿 第四条", None);
    }

    // 奖补.rules 企业成长奖励, 修订第五条: 新升规企业数 * 10 万元.
    open(o, PARK, key, "企业成长奖励\",\"family\":\"subsidy");
    if p.grown >= 1 {
        amount(
            o,
            mul(Decimal::from(p.grown), wan(10))?,
            "修订征求意见稿 第五条",
            None,
        );
    } else {
        not_applicable(o, "新升规企业数 >= 1");
    }

    // 配套.rules 配套用地比例, 修订第九条第二款: 配套用地面积 / 用地面积 <= 7%.
    open(o, PARK, key, "配套用地比例\",\"family\":\"ratio");
    let land_share = div(p.amenity_land, p.land, "配套用地比例")?;
    if land_share <= pct(7) {
        pass(o);
    } else {
        violation(
            o,
            &[
                &text("配套用地占用地面积 "),
                &|o| show_percent(o, round4(land_share)),
                &text(" 超过 7%"),
            ],
        );
    }

    // 配套.rules 容积率, 修订第九条第三款; exception 存量园区 (第四款): built before
    // 修订施行日期, held to 1.0.
    open(o, PARK, key, "容积率\",\"family\":\"ratio");
    let plot = |o: &mut Vec<u8>| decimal(o, p.plot);
    if p.built.is_some_and(|b| b < revised_effective()) {
        if p.plot >= Decimal::ONE {
            pass(o);
        } else {
            violation(o, &[&text("存量园区容积率 "), &plot, &text(" 低于 1")]);
        }
    } else if p.plot >= ctx.min_plot {
        pass(o);
    } else {
        violation(
            o,
            &[
                &text("容积率 "),
                &plot,
                &text(" 低于 "),
                &text(ctx.min_plot_shown),
            ],
        );
    }

    // 配套.rules 绿地率, 修订第九条第五款: 5% <= 绿地率 <= 15%.
    open(o, PARK, key, "绿地率\",\"family\":\"ratio");
    if p.green >= pct(5) && p.green <= pct(15) {
        pass(o);
    } else {
        violation(
            o,
            &[
                &text("绿地率 "),
                &|o| show_percent(o, p.green),
                &text(" 不在 5%–15% 之间"),
            ],
        );
    }
    Ok(())
}

/// 奖励.rules: 星级奖励 = tier(星级) >= 5 => 50 万元, >= 4 => 30, >= 3 => 20, >= 1 => 10,
/// else 0; 绩效系数 = match 绩效评价 A 100%, B 80%, C 50%, D 0%.
fn operating_reward(p: &Park, ctx: &Ctx, o: &mut Vec<u8>) {
    let star_amount = |s: Decimal| {
        let tiers = [(5, 50), (4, 30), (3, 20), (1, 10)];
        let row = tiers.iter().find(|(min, _)| s >= Decimal::from(*min));
        wan(row.map_or(0, |(_, w)| *w))
    };
    let no_accident = p.accidents.is_zero();
    // exception 新建园区过渡期 (第十条第二款): built less than 过渡期年限 = 3 years ago.
    if p.recognised
        && let Some(built) = p.built
        && years_between(built, ctx.as_of) < 3
        && no_accident
    {
        let a = p.stars.map_or(wan(5), star_amount);
        amount(o, a, "修订征求意见稿 第十条第二款", Some("新建园区过渡期"));
        return;
    }
    if !p.recognised {
        return not_applicable(o, "is_set(认定日期)");
    }
    let (Some(stars), Some(grade)) = (p.stars, p.grade) else {
        return not_applicable(o, "is_set(星级) and is_set(绩效评价)");
    };
    if !no_accident {
        return not_applicable(o, "安全事故数 == 0");
    }
    let factor = match grade {
        Grade::A => pct(100),
        Grade::B => pct(80),
        Grade::C => pct(50),
        Grade::D => pct(0),
    };
    let a = star_amount(stars) * factor;
    amount(o, a, "修订征求意见稿 第十条第一款", None);
}

/// 奖补.rules 建设补助: 固定资产投资 * 建设补助比例 (10%) * 入驻率, capped; exception
/// 薄弱镇园区 at 15% from 50 亩. Both need 入驻率 >= 60% and, for private parks,
/// 负债率 <= 70%.
fn construction_subsidy(p: &Park, ctx: &Ctx, o: &mut Vec<u8>) -> Res<()> {
    let leverage_ok = !p.private || p.debt <= pct(70);
    if p.weak_town
        && p.planned >= Decimal::from(50)
        && let Some(occ) = p.occupancy
        && occ >= pct(60)
        && leverage_ok
    {
        let a = mul(mul(p.invest, pct(15))?, occ)?.min(ctx.cap);
        amount(o, a, "修订征求意见稿 第三条第二款", Some("薄弱镇园区"));
        return Ok(());
    }
    let Some(occ) = p.occupancy else {
        not_applicable(o, "is_set(入驻率)");
        return Ok(());
    };
    if occ < pct(60) {
        not_applicable(o, "入驻率 >= 建设补助入驻率门槛");
    } else if p.planned < Decimal::ONE_HUNDRED {
        not_applicable(o, "规划面积 >= 高质量园区面积");
    } else if !leverage_ok {
        not_applicable(o, "建设模式 != 民间投资 or 负债率 <= 民间园区负债率上限");
    } else {
        let a = mul(mul(p.invest, pct(10))?, occ)?.min(ctx.cap);
        amount(o, a, "修订征求意见稿 第三条第一款", None);
    }
    Ok(())
}

// ── 企业 rules ────────────────────────────────────────────────────────────

const FIRM: &str = "企业";

fn firm_chunk(chunk: &[u8], env: &FirmEnv, o: &mut Vec<u8>) -> Res<()> {
    records(chunk, |r| firm_outcomes(r, env, o))
}

fn firm_outcomes(r: &Row, env: &FirmEnv, o: &mut Vec<u8>) -> Res<()> {
    let key = r.raw(env.key);
    let park = env
        .parks
        .get(env.park_of(r)? as usize)
        .ok_or("park index")?;
    let grade = r
        .grade(env.grade)?
        .ok_or_else(|| r.bad(env.grade, "a grade A–D"))?;
    let per_mu = r.wan(env.tax_per_mu)?;
    let displaced = r.bool(env.displaced)?;
    let local = r.bool(env.local)?;
    let entered_since = r.date(env.entered)? >= effective();

    // 入园.rules 入园标准 (override of pinghu-current 限制.rules 第五条), 修订第七条.
    // Exceptions first; they exclude each other by their `when`s.
    open(o, FIRM, key, "入园标准\",\"family\":\"restriction");
    if displaced && entered_since {
        // 腾退企业入园 (第七条第二款).
        require(
            o,
            per_mu >= wan(10) && matches!(grade, Grade::A | Grade::B),
            "腾退企业提升入园须亩均评价为 A 或 B 且亩均税收不低于 10万元/亩",
        );
    } else if local && entered_since {
        // 本地传统企业入园 (第七条第三款).
        require(
            o,
            per_mu >= wan(12) && grade != Grade::D,
            "本地传统企业入园须亩均税收不低于 12万元/亩 且亩均评价不为 D",
        );
    } else if env.chain_of(r) == &*park.lead && r.raw(env.industry) != &*park.lead && entered_since
    {
        // 产业链配套企业入园 (第七条第四款).
        require(
            o,
            per_mu >= wan(8),
            "产业链配套企业入园须亩均税收不低于 8万元/亩",
        );
    } else if !entered_since {
        not_applicable(o, "入园日期 >= 施行日期");
    } else {
        // 第七条第一款: 15 万元/亩, 900 m2, not graded D.
        require(
            o,
            per_mu >= wan(15) && r.m2(env.area)? >= Decimal::new(135, 2) && grade != Grade::D,
            "入园须亩均税收不低于 15万元/亩、占用面积不少于 900m2 且亩均评价不为 D",
        );
    }

    // 奖补.rules 亩均效益奖励, 修订第六条: min(年税收 * (A 5%, else 2%), 50 万元) for
    // grades A and B; exception 专精特新企业 (第六条第二款): 5% unless graded D.
    open(o, FIRM, key, "亩均效益奖励\",\"family\":\"subsidy");
    let tax = r.wan(env.tax)?;
    if r.bool(env.specialised)? && grade != Grade::D {
        let a = mul(tax, pct(5))?.min(wan(50));
        amount(o, a, "修订征求意见稿 第六条第二款", Some("专精特新企业"));
    } else if matches!(grade, Grade::A | Grade::B) {
        let rate = if grade == Grade::A { pct(5) } else { pct(2) };
        let a = mul(tax, rate)?.min(wan(50));
        amount(
            o,
            a,
            "修订征求意见稿 第六条第一款；亩均评价依 平政发〔2023〕54号",
            None,
        );
    } else {
        not_applicable(o, "亩均评价 == A or 亩均评价 == B");
    }
    Ok(())
}

// ── 转让申请 rules (租售.rules, 修订第八条) ─────────────────────────────────

const TRANSFER: &str = "转让申请";
const ONLY_SALES: &str = "类型 == 出售";

fn transfer_outcomes(
    t: &Transfer,
    parks: &[Park],
    buyers: &HashMap<Box<[u8]>, Option<Buyer>>,
    ctx: &Ctx,
    o: &mut Vec<u8>,
) -> Res<()> {
    let key = t.key.as_bytes();
    let park = parks.get(t.park as usize).ok_or("park index")?;

    // 厂房分割转让 (override of pinghu-current 限制.rules 第六条), 第八条第一款:
    // 最小分割单元 = tier(园区.规划面积) >= 100 亩 => 1000 m2, else 500 m2.
    open(o, TRANSFER, key, "厂房分割转让\",\"family\":\"restriction");
    if !t.sale {
        not_applicable(o, ONLY_SALES);
    } else {
        let (min, shown) = if park.planned >= Decimal::ONE_HUNDRED {
            (Decimal::new(15, 1), "1000m2")
        } else {
            (Decimal::new(75, 2), "500m2")
        };
        if t.whole_floor && t.area >= min {
            pass(o);
        } else {
            violation(
                o,
                &[
                    &text("分割出售须以整层为单位且单元面积不少于 "),
                    &text(shown),
                ],
            );
        }
    }

    // 配套用房不得出售, 第八条第二款.
    open(
        o,
        TRANSFER,
        key,
        "配套用房不得出售\",\"family\":\"restriction",
    );
    if !t.amenity {
        not_applicable(o, "含配套用房");
    } else {
        require(o, !t.sale, "办公、宿舍、食堂等配套用房只可出租，不得出售");
    }

    // 自持比例, 第八条第三款: 已售面积 + 单元面积 <= 总建筑面积 * (100% - 15%).
    open(o, TRANSFER, key, "自持比例\",\"family\":\"restriction");
    if !t.sale {
        not_applicable(o, ONLY_SALES);
    } else {
        let after = park.sold.checked_add(t.area).ok_or("overflow")?;
        require(
            o,
            after <= mul(park.floor, pct(85))?,
            "出售后已售面积将超过总建筑面积的 85%，开发主体自持不足 15%",
        );
    }

    // 转售限制期, 第八条第四款: a resale needs 取得日期 + 5 年 <= 申请日期.
    open(o, TRANSFER, key, "转售限制期\",\"family\":\"restriction");
    if !t.sale {
        not_applicable(o, ONLY_SALES);
    } else if park.built.is_none_or(|b| t.acquired <= b) {
        not_applicable(o, "is_set(园区.建成日期) and 取得日期 > 园区.建成日期");
    } else {
        require(
            o,
            add_months(t.acquired, 60)? <= t.applied,
            "取得厂房未满 5年 不得转售",
        );
    }

    // 租金上限, 第八条第五款: 租金 <= 25 元/m2/月.
    open(o, TRANSFER, key, "租金上限\",\"family\":\"restriction");
    if t.sale {
        not_applicable(o, "类型 == 出租");
    } else {
        let rent = t
            .rent
            .ok_or("a lease with a blank 租金 (an error outcome in parkrules; not modelled)")?;
        let base = mul(rent, ctx.rent_factor)?;
        if base <= ctx.rent_cap {
            pass(o);
        } else {
            // Shown in the column's unit: base ÷ 1 (元) × 0.0015 (m2) × 1 (月).
            let shown = base
                .checked_div(Decimal::ONE)
                .and_then(|v| v.checked_mul(m2()))
                .ok_or("overflow")?;
            violation(
                o,
                &[
                    &text("租金 "),
                    &|o| decimal(o, shown),
                    &text("元/m2/月 超过上限 25元/m2/月"),
                ],
            );
        }
    }

    // 买方资格, 第八条第六款: a registered buyer of this park, in its leading industry
    // or its supply chain.
    open(o, TRANSFER, key, "买方资格\",\"family\":\"restriction");
    if !t.sale {
        not_applicable(o, ONLY_SALES);
    } else {
        let buyer = t.buyer.as_ref().map(|k| buyers.get(k).cloned().flatten());
        let ok = match buyer {
            None => false,
            Some(None) => return Err(format!("{}: unknown buyer", t.key).into()),
            Some(Some(b)) => b.park == t.park && (b.industry == park.lead || b.chain == park.lead),
        };
        require(
            o,
            ok,
            "买方须为已在本园区登记、属于园区主导产业或其产业链配套的企业",
        );
    }
    Ok(())
}
