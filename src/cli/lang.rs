//! The language of the CLI's messages and help: `--lang en|zh`, else the locale.
//!
//! The language must be known before clap parses (clap prints `--help` and usage
//! errors itself), so [`choose`] scans the arguments for `--lang` first; without it,
//! [`Lang::from_locale`] reads `LC_ALL`, then `LC_MESSAGES`, then `LANG`. [`command`]
//! is the clap command with its help in that language: for Chinese, the about and
//! help of every command and argument come from [`zh_about`] and [`zh_arg`], and the
//! headings from a template.

use super::Cli;
use clap::CommandFactory;
use parkrules::lang::Lang;
use std::ffi::OsString;
use std::sync::OnceLock;

static LANG: OnceLock<Lang> = OnceLock::new();

/// The language chosen for this run (English until [`set`] is called).
pub fn get() -> Lang {
    LANG.get().copied().unwrap_or_default()
}

pub fn set(lang: Lang) {
    let _ = LANG.set(lang);
}

/// `--lang X` or `--lang=X` among the arguments (the last one wins, as clap takes
/// it), else the locale. An unknown value is left for clap to reject.
pub fn choose(args: &[OsString]) -> Lang {
    let mut flag = None;
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            flag = it.next().and_then(|v| Lang::from_name(&v));
        } else if let Some(v) = a.strip_prefix("--lang=") {
            flag = Lang::from_name(v);
        }
    }
    flag.unwrap_or_else(|| {
        let var = |k: &str| std::env::var(k).ok();
        Lang::from_locale(
            var("LC_ALL").as_deref(),
            var("LC_MESSAGES").as_deref(),
            var("LANG").as_deref(),
        )
    })
}

/// The clap command, with its help in `lang`.
pub fn command(lang: Lang) -> clap::Command {
    let cmd = Cli::command();
    match lang {
        Lang::En => cmd,
        Lang::Zh => localize(cmd, ""),
    }
}

/// Chinese about, argument help and headings for `cmd` and its subcommands. `path` is
/// the subcommand's name (`""` for the top level).
fn localize(mut cmd: clap::Command, path: &str) -> clap::Command {
    // Built first, so the generated `--help`, `--version` and `help` exist to translate.
    cmd.build();
    if let Some(about) = zh_about(path) {
        cmd = cmd.about(about);
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        if let Some(help) = zh_arg(path, &id) {
            cmd = cmd.mut_arg(id, |a| with_values(a, help));
        }
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        cmd = cmd.mut_subcommand(&name, |s| localize(s, &name));
    }
    let template = template(&cmd);
    cmd.help_template(template)
}

/// An argument's Chinese help, with its possible and default values in Chinese
/// (clap writes `[possible values: …]` and `[default: …]` in English).
fn with_values(a: clap::Arg, help: &str) -> clap::Arg {
    let values: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    let default: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let mut extra = Vec::new();
    if !values.is_empty() && a.get_action().takes_values() {
        extra.push(format!("可选值：{}", values.join("、")));
    }
    if !default.is_empty() {
        extra.push(format!("默认：{}", default.join("、")));
    }
    let help = match extra.is_empty() {
        true => help.to_string(),
        false => format!("{help} [{}]", extra.join("；")),
    };
    a.help(help)
        .hide_possible_values(true)
        .hide_default_value(true)
}

/// The help layout with Chinese headings (clap's are English and fixed).
fn template(cmd: &clap::Command) -> String {
    let mut t = String::from("{about-with-newline}\n用法: {usage}\n");
    if cmd.has_subcommands() {
        t.push_str("\n命令:\n{subcommands}\n");
    }
    if cmd.get_positionals().next().is_some() {
        t.push_str("\n参数:\n{positionals}\n");
    }
    t.push_str("\n选项:\n{options}{after-help}");
    t
}

/// The Chinese about of a command (`""`: the program itself).
pub fn zh_about(path: &str) -> Option<&'static str> {
    Some(match path {
        "" => "编写、检查、运行和比较平湖市小微企业园政策规则",
        "check" => "解析并检查政策的类型（一个 .rules 文件或一个文件夹）",
        "fmt" => "按规范格式重写 .rules 文件",
        "eval" => "对每条记录运行每条规则",
        "diff" => "在同一批记录上比较修订稿与基础政策的影响",
        "explain" => "一条记录的结果的求值树，列出用到的每个值",
        "test" => "运行政策中的 `test` 测试块",
        "coverage" => "每个 when、例外、分档行、累进段和匹配分支有多少条记录到达",
        "gen" => "生成样例记录（同一种子得到相同结果）",
        "help" => "显示此帮助或给定子命令的帮助",
        _ => return None,
    })
}

/// The Chinese help of argument `id` of command `path`.
pub fn zh_arg(path: &str, id: &str) -> Option<&'static str> {
    Some(match (path, id) {
        (_, "help") => "显示帮助",
        (_, "version") => "显示版本",
        (_, "lang") => "消息语言：en 或 zh（默认：LC_ALL、LC_MESSAGES、LANG 以 zh 开头时为 zh）",
        (_, "policy") => "一个 .rules 文件或一个文件夹",
        (_, "data") => "每个实体一个文件的文件夹：<实体>.csv、.xlsx、.jsonl 或 .json",
        (_, "encoding") => {
            "CSV 文件的编码：utf-8、gbk、gb18030，或 auto（默认：按表头识别 UTF-8 或 GB18030）"
        }
        (_, "as_of") => "评估日期（默认：政策的 `effective` 日期）",
        (_, "skip_bad_records") => "跳过有错误单元格的行（在输出中列出），而不是失败",
        (_, "out") if path == "gen" => "写入 园区.csv、企业.csv 和 转让申请.csv 的文件夹",
        (_, "out") => "写入 FILE（原子写入），而不是标准输出",
        ("eval", "format") => "输出格式（jsonl 边评估边逐条写出）",
        (_, "format") => "输出格式",
        ("fmt", "check") => "不做修改；列出会被改动的文件（有则退出码 1）",
        ("fmt", "dialect") => {
            "关键字的方言（en：rule when amount；zh：规则 当 金额）；默认：各文件自己的"
        }
        ("fmt", "paths") => ".rules 文件或文件夹（其下所有 .rules 文件）",
        ("diff", "base") => "现行政策",
        ("diff", "revised") => "修订稿",
        ("diff", "by") => "按字段（`镇街道`、`园区.镇街道`）分列金额和计数；可重复",
        ("explain", "record") => "要解释的记录，写作 实体:KEY（如 园区:PH-001）",
        ("explain", "rule") => "只看这条规则（默认：该记录所属实体的每条规则）",
        ("test", "inherited") => {
            "同时运行所继承政策的测试，并显示修订改变了哪些（仅供参考：不会使运行失败）"
        }
        ("coverage", "deny_unreached") => "有子句没有任何记录到达时退出码为 1（供 CI 使用）",
        ("gen", "seed") => "相同的种子生成相同的文件",
        ("gen", "parks") => "园区记录数（默认：示例的 34 个）",
        ("gen", "firms") => "企业记录数",
        ("gen", "transfers") => "转让申请记录数",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and every argument has a Chinese help: adding one without a
    /// translation fails here.
    #[test]
    fn every_command_and_argument_has_a_chinese_help() {
        let mut missing = Vec::new();
        let mut cmd = Cli::command();
        cmd.build();
        walk(&cmd, "", &mut missing);
        assert_eq!(missing, Vec::<String>::new());
    }

    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        if zh_about(path).is_none() {
            missing.push(format!("about of `{path}`"));
        }
        for a in cmd.get_arguments() {
            if zh_arg(path, a.get_id().as_str()).is_none() {
                missing.push(format!("`{path}` argument `{}`", a.get_id()));
            }
        }
        for s in cmd.get_subcommands() {
            walk(s, s.get_name(), missing);
        }
    }

    #[test]
    fn the_flag_wins_over_the_locale() {
        let args = |v: &[&str]| -> Vec<OsString> { v.iter().map(OsString::from).collect() };
        assert_eq!(
            choose(&args(&["parkrules", "--lang", "zh", "check"])),
            Lang::Zh
        );
        assert_eq!(
            choose(&args(&["parkrules", "check", "--lang=en"])),
            Lang::En
        );
        assert_eq!(
            choose(&args(&["parkrules", "--lang=zh", "--lang", "en"])),
            Lang::En
        );
    }

    #[test]
    fn chinese_help_builds_and_reads_chinese() {
        let mut cmd = command(Lang::Zh);
        let help = cmd.render_help().to_string();
        assert!(help.contains("用法: parkrules"), "{help}");
        assert!(help.contains("显示帮助"), "{help}");
        cmd.debug_assert();
    }
}
