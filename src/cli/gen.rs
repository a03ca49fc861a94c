//! `parkrules gen --out DIR`: deterministic sample records of any size.

use super::{Exit, error};
use parkrules::r#gen::{GenConfig, generate};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder to write 园区.csv, 企业.csv and 转让申请.csv into
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Same seed, same files
    #[arg(long)]
    pub seed: Option<u64>,
    /// Number of 园区 records (default: the shipped example's 34)
    #[arg(long)]
    pub parks: Option<usize>,
    /// Number of 企业 records
    #[arg(long)]
    pub firms: Option<usize>,
    /// Number of 转让申请 records
    #[arg(long)]
    pub transfers: Option<usize>,
}

pub fn run(args: &Args) -> Exit {
    let mut cfg = GenConfig::pinghu();
    if let Some(s) = args.seed {
        cfg.seed = s;
    }
    if let Some(n) = args.parks {
        cfg.parks = n;
    }
    if let Some(n) = args.firms {
        cfg.firms = n;
    }
    if let Some(n) = args.transfers {
        cfg.transfers = n;
    }
    match generate(&cfg, &args.out) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            let dir = args.out.display();
            error(super::tr(
                format!("cannot generate into `{dir}`: {e}"),
                format!("无法在 `{dir}` 中生成：{e}"),
            ));
            Exit::Usage
        }
    }
}
