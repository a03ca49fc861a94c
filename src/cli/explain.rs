//! `parkrules explain POLICY --data DIR --record 实体:KEY [--rule NAME]`: the
//! evaluation tree of one outcome (or of every rule on the record).

use super::{
    DataArgs, Exit, OutputArgs, compile, error, load_data, resolve_as_of, tr, write_output,
};
use parkrules::eval::{Evaluator, Explanation};
use parkrules::lang::Lang;
use parkrules::program::{EntityId, Program, RuleId};
use parkrules::report::explain::{ExplainFormat, write_explanation_in};
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A .rules file or a folder of them
    pub policy: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// The record to explain, as 实体:KEY (e.g. 园区:PH-001)
    #[arg(long, value_name = "实体:KEY")]
    pub record: String,
    /// Only this rule (default: every rule of the record's entity)
    #[arg(long, value_name = "NAME")]
    pub rule: Option<String>,
    /// Output format
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: &Args) -> Result<Exit, Exit> {
    let compiled = compile(&args.policy)?;
    let program = compiled.program.as_ref().ok_or(Exit::Failed)?;
    let (entity, key) = parse_record(program, &args.record)?;
    let rules = pick_rules(program, entity, args.rule.as_deref())?;
    let as_of = resolve_as_of(args.data.as_of.as_deref(), program)?;
    let (dataset, _) = load_data(program, &args.data)?;
    let table = dataset.table(entity);
    let index = table
        .and_then(|t| t.records.iter().position(|r| r.key.as_str() == key))
        .ok_or_else(|| {
            let entity = args.record.split(':').next().unwrap_or_default();
            let dir = args.data.data.display();
            error(tr(
                format!("no {entity} record with key `{key}` in `{dir}`"),
                format!("`{dir}` 中没有主键为 `{key}` 的 {entity} 记录"),
            ));
            Exit::Usage
        })?;
    let ev = Evaluator::new(program, &dataset, as_of);
    let explanations: Vec<Explanation> = rules
        .iter()
        .filter_map(|&r| ev.explain(entity, index, r))
        .collect();
    let format = ExplainFormat::from_name(&args.format).unwrap_or(ExplainFormat::Text);
    write_output(args.output.out.as_ref(), |w| {
        if format == ExplainFormat::Json && explanations.len() != 1 {
            // Several rules: one JSON array of explanations.
            serde_json::to_writer_pretty(&mut *w, &explanations).map_err(std::io::Error::other)?;
            return writeln!(w);
        }
        for (i, x) in explanations.iter().enumerate() {
            if i > 0 {
                writeln!(w)?;
            }
            write_explanation_in(w, format, x, super::lang::get())?;
        }
        Ok(())
    })?;
    let errors = explanations.iter().any(|x| x.error.is_some());
    Ok(if errors { Exit::Failed } else { Exit::Ok })
}

/// `园区:PH-001` → the entity and the key.
fn parse_record<'a>(program: &Program, spec: &'a str) -> Result<(EntityId, &'a str), Exit> {
    let Some((name, key)) = spec.split_once(':').or_else(|| spec.split_once('：')) else {
        error(tr(
            format!("--record `{spec}` is not 实体:KEY (e.g. 园区:PH-001)"),
            format!("--record `{spec}` 不是 实体:KEY 的形式（如 园区:PH-001）"),
        ));
        return Err(Exit::Usage);
    };
    match program.entity_by_name(name.trim()) {
        Some(e) => Ok((e, key.trim())),
        None => {
            let names: Vec<&str> = program.entities.iter().map(|e| e.name.as_str()).collect();
            let names = names.join(", ");
            error(tr(
                format!("--record: no entity `{name}` in the policy (entities: {names})"),
                format!("--record：政策中没有实体 `{name}`（实体有：{names}）"),
            ));
            Err(Exit::Usage)
        }
    }
}

/// The rule named by `--rule` (which must be a rule of the entity), or all of them.
fn pick_rules(
    program: &Program,
    entity: EntityId,
    name: Option<&str>,
) -> Result<Vec<RuleId>, Exit> {
    let of_entity: Vec<RuleId> = (0..program.rules.len())
        .map(RuleId)
        .filter(|&r| program.rule(r).is_some_and(|d| d.entity == entity))
        .collect();
    let Some(name) = name else {
        return Ok(of_entity);
    };
    match program.rule_by_name(name) {
        Some(r) if of_entity.contains(&r) => Ok(vec![r]),
        found => {
            let names: Vec<&str> = of_entity
                .iter()
                .filter_map(|&r| program.rule(r).map(|d| d.name.as_str()))
                .collect();
            let names = names.join(", ");
            error(match (found.is_some(), super::lang::get()) {
                (true, Lang::En) => format!(
                    "--rule `{name}` is not a rule of this entity (rules of this entity: {names})"
                ),
                (false, Lang::En) => format!(
                    "--rule `{name}` is not a rule of the policy (rules of this entity: {names})"
                ),
                (true, Lang::Zh) => {
                    format!("--rule `{name}` 不是此实体的规则（此实体的规则有：{names}）")
                }
                (false, Lang::Zh) => {
                    format!("--rule `{name}` 不是政策中的规则（此实体的规则有：{names}）")
                }
            });
            Err(Exit::Usage)
        }
    }
}
