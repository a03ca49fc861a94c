//! `--format jsonl`: the outcome objects of SPEC §4, one compact JSON object per line.
//!
//! Consumes a [`ReportInput`] (or one outcome at a time, for a streaming caller);
//! produces lines. There is **no header line**: every line is an outcome object whose
//! first key is `"entity"`, exactly as in the `outcomes` array of `--format json`, so
//! `jq -c` and line-by-line scripts need no special case. Skipped rows, when the loader
//! skipped any, come after the last outcome as lines whose only key is `"skipped"`:
//! `{"skipped":{"file":…,"row":…,"reason":…}}`; a script tells them apart by that key.

use crate::data::Dataset;
use crate::eval::Outcome;
use crate::eval::Status;
use crate::program::Program;
use crate::program::{RuleDef, StatusKind};
use crate::report::json::{
    keyed_outcome_fields, object, outcome_fields, scalar, string, write_skipped_compact,
};
use crate::report::{ReportInput, Skipped, ordered};
use crate::value::plain_decimal_into;
use std::io::{self, Write};

/// Write every outcome (in report order), then the skipped rows.
pub fn write(w: &mut dyn Write, ctx: &ReportInput) -> io::Result<()> {
    let lines = LineWriter::new(ctx.program);
    let mut buf = Vec::with_capacity(FLUSH_AT + 4096);
    for o in ordered(ctx.outcomes) {
        let key = ctx
            .dataset
            .table(o.entity)
            .and_then(|t| t.records.get(o.record));
        match key {
            Some(r) => lines.write(&mut buf, &r.key, o)?,
            // A dangling index (never made by the evaluator): the slow path names it.
            None => write_outcome(&mut buf, ctx.program, ctx.dataset, o)?,
        }
        if buf.len() >= FLUSH_AT {
            w.write_all(&buf)?;
            buf.clear();
        }
    }
    w.write_all(&buf)?;
    write_skipped(w, ctx.skipped)
}

/// Bytes of lines gathered before they are written.
const FLUSH_AT: usize = 64 * 1024;

/// Write one outcome line (for callers that stream outcomes as they are evaluated;
/// give it a buffered writer).
pub fn write_outcome(
    w: &mut dyn Write,
    program: &Program,
    dataset: &Dataset,
    o: &Outcome,
) -> io::Result<()> {
    object(w, &outcome_fields(program, dataset, o), None)?;
    w.write_all(b"\n")
}

/// Write one outcome line of the record with this key (for a caller that streams
/// records that are not in a dataset).
pub fn write_keyed_outcome<W: Write + ?Sized>(
    w: &mut W,
    program: &Program,
    key: &str,
    o: &Outcome,
) -> io::Result<()> {
    object(w, &keyed_outcome_fields(program, key, o), None)?;
    w.write_all(b"\n")
}

/// The outcome lines of one program, with what depends only on the rule (entity,
/// rule and family names, cites, exception names, `when` texts) escaped once, not
/// once a line: a streaming run writes millions of lines from a few rules. The bytes
/// are those of [`write_keyed_outcome`].
pub struct LineWriter<'p> {
    program: &'p Program,
    /// Per rule of the program, in its order.
    rules: Vec<RuleParts>,
}

/// The escaped parts of one rule's lines.
struct RuleParts {
    /// `{"entity":"…","key":`
    head: Vec<u8>,
    /// `,"rule":"…","family":"…","status":`
    middle: Vec<u8>,
    /// What follows an amount: `,"cite":…,"exception":…}`, for the rule's own body
    /// (first) and for each of its exceptions.
    amount_tails: Vec<Vec<u8>>,
    /// `"not_applicable","failed_when":"…"}`, per `when` of the rule's body.
    failed_whens: Vec<Vec<u8>>,
}

impl<'p> LineWriter<'p> {
    pub fn new(program: &'p Program) -> LineWriter<'p> {
        let rules = program
            .rules
            .iter()
            .map(|rule| RuleParts::new(program, rule))
            .collect();
        LineWriter { program, rules }
    }

    /// Write one outcome line of the record with this key.
    pub fn write(&self, w: &mut Vec<u8>, key: &str, o: &Outcome) -> io::Result<()> {
        let parts = self.rules.get(o.rule.0);
        let rule = self.program.rule(o.rule);
        let parts = match (parts, rule, &o.status) {
            (Some(_), Some(r), _) if r.entity != o.entity => None,
            (Some(p), Some(_), Status::Amount(_)) => p.amount_tail(o.exception).map(|_| p),
            (Some(p), Some(_), _) => Some(p),
            _ => None,
        };
        // An outcome this program cannot have made: the general path names it.
        let Some(parts) = parts else {
            return write_keyed_outcome(w, self.program, key, o);
        };
        w.extend_from_slice(&parts.head);
        string(w, key)?;
        w.extend_from_slice(&parts.middle);
        let status = |w: &mut Vec<u8>, field: &str| {
            let _ = string(w, o.status.kind().name());
            w.push(b',');
            let _ = string(w, field);
            w.push(b':');
        };
        match &o.status {
            Status::Amount(d) => {
                status(w, "amount");
                w.push(b'"');
                plain_decimal_into(w, *d);
                w.push(b'"');
                w.extend_from_slice(parts.amount_tail(o.exception).unwrap_or_default());
            }
            Status::NotApplicable { when } => match parts.failed_whens.get(*when) {
                Some(text) => w.extend_from_slice(text),
                None => {
                    status(w, "failed_when");
                    string(w, &format!("#{when}"))?;
                    w.push(b'}');
                }
            },
            Status::Pass => {
                string(w, o.status.kind().name())?;
                w.push(b'}');
            }
            Status::Violation { message } => {
                status(w, "message");
                string(w, message)?;
                w.push(b'}');
            }
            Status::Error(err) => {
                status(w, "error");
                string(w, &err.to_string())?;
                w.extend_from_slice(b",\"location\":");
                string(w, &self.program.sources.location(err.span()))?;
                w.push(b'}');
            }
        }
        w.push(b'\n');
        Ok(())
    }
}

impl RuleParts {
    /// What follows the amount of the rule's own body (`None`) or of an exception.
    fn amount_tail(&self, exception: Option<usize>) -> Option<&[u8]> {
        let i = exception.map_or(Some(0), |i| i.checked_add(1))?;
        self.amount_tails.get(i).map(Vec::as_slice)
    }

    fn new(program: &Program, rule: &RuleDef) -> RuleParts {
        let entity = program.entity(rule.entity).map_or("", |e| e.name.as_str());
        let mut head = b"{\"entity\":".to_vec();
        let mut middle = b",\"rule\":".to_vec();
        // Writing to a Vec cannot fail.
        let _ = string(&mut head, entity);
        head.extend_from_slice(b",\"key\":");
        let _ = string(&mut middle, &rule.name);
        middle.extend_from_slice(b",\"family\":");
        let _ = string(&mut middle, rule.family.name());
        middle.extend_from_slice(b",\"status\":");
        let rule_cite = rule.body.cite.as_deref();
        let amount_tail = |cite: Option<&str>, exception: Option<&str>| {
            let mut t = b",\"cite\":".to_vec();
            let _ = scalar(&mut t, cite);
            t.extend_from_slice(b",\"exception\":");
            let _ = scalar(&mut t, exception);
            t.push(b'}');
            t
        };
        let amount_tails = std::iter::once(amount_tail(rule_cite, None))
            .chain(
                rule.exceptions
                    .iter()
                    .map(|x| amount_tail(x.body.cite.as_deref().or(rule_cite), Some(&x.name))),
            )
            .collect();
        let failed_whens = rule
            .body
            .whens
            .iter()
            .map(|when| {
                let mut t = Vec::new();
                let _ = string(&mut t, StatusKind::NotApplicable.name());
                t.extend_from_slice(b",\"failed_when\":");
                let _ = string(&mut t, &when.text);
                t.push(b'}');
                t
            })
            .collect();
        RuleParts {
            head,
            middle,
            amount_tails,
            failed_whens,
        }
    }
}

/// Write the skipped-row lines.
pub fn write_skipped(w: &mut dyn Write, skipped: &[Skipped]) -> io::Result<()> {
    for s in skipped {
        w.write_all(b"{\"skipped\":")?;
        write_skipped_compact(w, s)?;
        w.write_all(b"}\n")?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::eval::EvalError;
    use crate::load::compile_str;
    use crate::program::RuleId;
    use crate::span::Span;
    use rust_decimal::Decimal;

    const POLICY: &str = r#"policy "转义" effective 2024-01-01
entity 企业 {
  代码: text key
  行业: text
  年税收: money in 万元
}
rule 奖励 : subsidy for 企业 {
  cite "第\"一\"条\\附\n注"
  when 行业 == "a\"b\\c"
  when 年税收 > 0 万元
  amount 年税收 * 1%
  exception 特例 {
    when 行业 == "x"
    amount 1 万元
  }
  exception 有依据 {
    cite "第二条 \"特\""
    when 行业 == "y"
    amount 2 万元
  }
}
rule 限制 : restriction for 企业 {
  require 年税收 < 100 万元
  else "税收 \"过高\"\t{年税收}"
}
"#;

    /// Every status, with quotes, backslashes and control characters in the key, the
    /// cites, a `when`'s text, a message and an error: the bytes of the general path.
    #[test]
    fn lines_are_those_of_the_general_path() {
        let program = compile_str("转义.rules", POLICY).program.unwrap();
        let lines = LineWriter::new(&program);
        let entity = program.rules[0].entity;
        let outcome = |rule: usize, status: Status, exception: Option<usize>| Outcome {
            entity,
            record: 0,
            rule: RuleId(rule),
            status,
            exception,
        };
        let error = EvalError::DivisionByZero {
            span: Span::default(),
        };
        let outcomes = [
            outcome(0, Status::Amount(Decimal::new(-12345, 2)), None),
            outcome(0, Status::Amount(Decimal::ONE), Some(0)),
            outcome(0, Status::Amount(Decimal::TEN), Some(1)),
            // An exception the rule does not have: not made by the evaluator.
            outcome(0, Status::Amount(Decimal::TEN), Some(7)),
            outcome(0, Status::NotApplicable { when: 0 }, None),
            outcome(0, Status::NotApplicable { when: 1 }, None),
            outcome(0, Status::NotApplicable { when: 9 }, None),
            outcome(1, Status::Pass, None),
            outcome(
                1,
                Status::Violation {
                    message: "税收 \"过高\"\t\u{1}".into(),
                },
                None,
            ),
            outcome(1, Status::Error(Box::new(error)), None),
            outcome(5, Status::Pass, None),
        ];
        for key in ["F1", "F\"2\\\n", ""] {
            for o in &outcomes {
                let mut fast = Vec::new();
                lines.write(&mut fast, key, o).unwrap();
                let mut general = Vec::new();
                write_keyed_outcome(&mut general, &program, key, o).unwrap();
                assert_eq!(
                    String::from_utf8(fast).unwrap(),
                    String::from_utf8(general).unwrap()
                );
            }
        }
        // The escapes are there to be compared.
        let mut line = Vec::new();
        lines.write(&mut line, "F\"", &outcomes[4]).unwrap();
        let line = String::from_utf8(line).unwrap();
        assert!(line.contains(r#""key":"F\"""#), "{line}");
        assert!(
            line.contains(r#""failed_when":"行业 == \"a\\\"b\\\\c\"""#),
            "{line}"
        );
    }
}
