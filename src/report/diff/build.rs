//! Building a diff a record at a time.
//!
//! Consumes the two [`Side`]s (programs, as-of, and the records that references and
//! explanations read), then, in report order, each record's outcome pairs with the
//! record on each side ([`Builder::record`]); produces the [`Diff`]. Nothing here
//! holds the outcomes: the in-memory diff ([`compute_diff`](super::compute_diff))
//! feeds it from two evaluations, the streaming diff (`stream::diff`) from records
//! evaluated a batch at a time, taking the changes away as they are made
//! ([`Builder::take_changes`]) and keeping only counts and sums.

use crate::ast::Family;
use crate::data::FastHash;
use crate::data::Record;
use crate::eval::{Evaluator, Outcome, Status};
use crate::parallel;
use crate::program::{EntityId, Program, RuleId, StatusKind};
use crate::report::diff::by::Grouping;
use crate::report::diff::{
    Diff, Pair, RecordChange, RuleDelta, Side, budget, causes, family_deltas, policy_ref,
    rule_deltas, status_deltas,
};
use crate::report::{Names, OutcomeView, RuleTotal, count_outcome, is_amount_family, rule_totals};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::Arc;

/// A record of one side: its entity, its index in the entity's input, and its values.
#[derive(Clone, Copy, Debug)]
pub struct RecordAt<'r> {
    pub entity: EntityId,
    pub index: usize,
    pub record: &'r Record,
}

/// A diff being built (see the module doc).
pub struct Builder<'s, 'a> {
    sides: [Side<'a>; 2],
    names: [Names; 2],
    /// The rules' deltas, their counts and money filled in by [`Builder::finish`].
    rules: Vec<RuleDelta>,
    /// Looked up twice a change (a million at 1M): hashed by the crate's fast hash.
    rule_pos: HashMap<String, usize, FastHash>,
    totals: [Vec<RuleTotal>; 2],
    groupings: Vec<Grouping>,
    explainer: Explainer<'s, 'a>,
    changes: Vec<RecordChange>,
    /// Changes made so far, taken away or not: the index of the next.
    made: usize,
    new_violations: Vec<usize>,
    resolved_violations: Vec<usize>,
}

impl<'s, 'a> Builder<'s, 'a> {
    /// A builder of the diff of `revised` against `base`, broken down by the `by`
    /// field paths, explaining changed records with `evaluators`.
    pub fn new(
        base: Side<'a>,
        revised: Side<'a>,
        by: &[String],
        evaluators: Evaluators<'s, 'a>,
    ) -> Self {
        let totals = [
            rule_totals(base.program, &[]),
            rule_totals(revised.program, &[]),
        ];
        let rules = rule_deltas(&base, &revised, &totals);
        let rule_pos = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect();
        Builder {
            names: [Names::of(base.program), Names::of(revised.program)],
            rules,
            rule_pos,
            totals,
            groupings: by.iter().map(|path| Grouping::new(path)).collect(),
            explainer: Explainer {
                evaluators,
                cache: HashMap::default(),
                seen: HashMap::default(),
            },
            sides: [base, revised],
            changes: Vec::new(),
            made: 0,
            new_violations: Vec::new(),
            resolved_violations: Vec::new(),
        }
    }

    /// Room for `n` more changes (a million changes are then not moved as they come).
    pub fn reserve(&mut self, n: usize) {
        self.changes.reserve_exact(n);
    }

    /// Whether a pair is certainly not a change (decided without building views): what the caller
    /// may count to [`Builder::reserve`] room.
    pub fn unchanged(&self, pair: &Pair) -> bool {
        let [base, revised] = &self.sides;
        unchanged(base, revised, pair)
    }

    /// The outcome pairs of one record, in report order; `at`: the record on each side
    /// (`None` where that side has no such record).
    pub fn record<'r>(&mut self, at: [Option<RecordAt<'r>>; 2], pairs: &[Pair<'r>]) {
        self.records(&[(at, pairs)]);
    }

    /// [`Builder::record`] for several records in turn. The changed records whose
    /// causes need explaining (the first of each shape, as one by one) are explained
    /// on every core.
    pub fn records<'r>(&mut self, items: &[([Option<RecordAt<'r>>; 2], &[Pair<'r>])]) {
        // Room for every pair to change: the list never moves as it grows.
        let mut made: Vec<(RecordChange, Causes)> =
            Vec::with_capacity(items.iter().map(|(_, pairs)| pairs.len()).sum());
        let mut misses: Vec<Miss<'r>> = Vec::new();
        let mut flags = Vec::new();
        for &(at, pairs) in items {
            flags.clear();
            for pair in pairs {
                for (o, totals) in pair.iter().zip(&mut self.totals) {
                    if let Some(o) = o {
                        count_outcome(totals, o);
                    }
                }
                let flag = match self.change_of(at, pair, &mut misses) {
                    Some(c) => self.count_change(c, &mut made),
                    None => (false, false),
                };
                flags.push(flag);
            }
            let sides = [&self.sides[0], &self.sides[1]];
            for g in &mut self.groupings {
                g.record(sides, at, pairs.iter().zip(flags.iter().copied()));
            }
        }
        let explained = self.explainer.explain(&self.sides, &misses);
        self.changes.reserve(made.len());
        for (mut c, causes) in made {
            c.causes = match causes {
                Causes::Ready(causes) => causes,
                Causes::Explained(j) => explained.get(j).cloned().unwrap_or(c.causes),
            };
            self.changes.push(c);
        }
    }

    /// Count a change in its rule and among the violations; whether it changed (yes)
    /// and whether it newly violates.
    fn count_change(
        &mut self,
        (c, causes): (RecordChange, Causes),
        made: &mut Vec<(RecordChange, Causes)>,
    ) -> (bool, bool) {
        if let Some(r) = self
            .rule_pos
            .get(&*c.rule)
            .and_then(|i| self.rules.get_mut(*i))
        {
            r.changed += 1;
        }
        let (was, is) = (
            is_violation(c.before.as_deref()),
            is_violation(c.after.as_deref()),
        );
        match (was, is) {
            (false, true) => self.new_violations.push(self.made),
            (true, false) => self.resolved_violations.push(self.made),
            _ => {}
        }
        self.made += 1;
        made.push((c, causes));
        (true, !was && is)
    }

    /// The change of one pair, if it is one, with its causes or where they will come
    /// from (`misses`: the records to explain).
    fn change_of<'r>(
        &mut self,
        at: [Option<RecordAt<'r>>; 2],
        pair: &Pair<'r>,
        misses: &mut Vec<Miss<'r>>,
    ) -> Option<(RecordChange, Causes)> {
        let [base, revised] = &self.sides;
        if unchanged(base, revised, pair) {
            return None;
        }
        let [bn, rn] = &self.names;
        let key = |s: usize| at.get(s).copied().flatten().map(|a| a.record.key.clone());
        let view = |names: &Names, program: &Program, s: usize, o: &Outcome| match key(s) {
            Some(k) => OutcomeView::keyed(names, program, k, o),
            None => OutcomeView::keyed(names, program, format!("#{}", o.record).into(), o),
        };
        let before = pair[0].map(|o| view(bn, base.program, 0, o));
        let after = pair[1].map(|o| view(rn, revised.program, 1, o));
        let alone = before.is_none() || after.is_none();
        if signature(before.as_ref(), alone) == signature(after.as_ref(), alone) {
            return None;
        }
        let any = after.as_ref().or(before.as_ref())?;
        let rule = self
            .rule_pos
            .get(&*any.rule)
            .and_then(|i| self.rules.get(*i));
        let family = rule.map_or(Family::Subsidy, |r| r.family);
        let change = is_amount_family(family).then(|| {
            let a = after.as_ref().and_then(|v| v.amount).unwrap_or_default();
            let b = before.as_ref().and_then(|v| v.amount).unwrap_or_default();
            a.checked_sub(b)
        });
        // The causes seen on the record and the rule's that bear on it.
        let seen = || {
            let mut causes = causes::record_causes(before.as_ref(), after.as_ref());
            let rule_causes = rule.map(|r| r.causes.as_slice()).unwrap_or_default();
            causes.extend(causes::for_record(
                rule_causes,
                before.as_ref(),
                after.as_ref(),
            ));
            causes
        };
        // Sharpened by explanations when both sides have the record.
        let causes = match (pair, at) {
            ([Some(b), Some(r)], [Some(ab), Some(ar)]) => self.explainer.causes(
                &any.rule,
                [before.as_ref(), after.as_ref()],
                [(*b, ab), (*r, ar)],
                seen,
                misses,
            ),
            _ => self
                .explainer
                .seen_only(&any.rule, [before.as_ref(), after.as_ref()], seen),
        };
        let c = RecordChange {
            entity: any.entity.clone(),
            key: any.key.clone(),
            rule: any.rule.clone(),
            family,
            before: before.map(Box::new),
            after: after.map(Box::new),
            change: change.flatten(),
            causes: Arc::from(Vec::new()),
        };
        Some((c, causes))
    }

    /// Take in what another builder of the same two sides built from the records
    /// after these (an entity built apart, in its turn): its counts, sums, breakdowns
    /// and changes follow these, its violations' indices shifted past these changes.
    /// Its explanations stay its own (they are by rule, and rules have one entity).
    pub fn absorb(&mut self, other: Builder) {
        for (mine, theirs) in self.totals.iter_mut().zip(&other.totals) {
            for (m, t) in mine.iter_mut().zip(theirs) {
                for (a, b) in m.counts.iter_mut().zip(t.counts) {
                    *a += b;
                }
                m.money = m.money.zip(t.money).and_then(|(a, b)| a.checked_add(b));
            }
        }
        for (mine, theirs) in self.rules.iter_mut().zip(&other.rules) {
            mine.changed += theirs.changed;
        }
        for (mine, theirs) in self.groupings.iter_mut().zip(other.groupings) {
            mine.absorb(theirs);
        }
        let shift = |ixs: Vec<usize>| ixs.into_iter().map(|i| i.saturating_add(self.made));
        self.new_violations.extend(shift(other.new_violations));
        self.resolved_violations
            .extend(shift(other.resolved_violations));
        self.changes.extend(other.changes);
        self.made = self.made.saturating_add(other.made);
    }

    /// The changes made since the last time they were taken, in report order.
    pub fn take_changes(&mut self) -> Vec<RecordChange> {
        std::mem::take(&mut self.changes)
    }

    /// The changes made so far, taken away or not.
    pub fn changes_made(&self) -> usize {
        self.made
    }

    /// The diff: counts and money per rule, family and status, the breakdowns, and the
    /// changes not taken away.
    pub fn finish(self) -> Diff {
        let [base, revised] = &self.sides;
        let mut rules = rule_deltas(base, revised, &self.totals);
        for (r, built) in rules.iter_mut().zip(&self.rules) {
            r.changed = built.changed;
        }
        Diff {
            base: policy_ref(base),
            revised: policy_ref(revised),
            budget: budget(&rules),
            families: family_deltas(&rules),
            statuses: status_deltas(&self.totals),
            rules,
            breakdowns: self.groupings.into_iter().map(Grouping::finish).collect(),
            changes: self.changes,
            new_violations: self.new_violations,
            resolved_violations: self.resolved_violations,
        }
    }
}

/// Explanations of changed records, to sharpen their causes ([`causes::refine`]).
///
/// Explaining re-evaluates a record with tracing, which costs far more than the diff
/// itself; so changes with the same rule and the same outcome before and after (status,
/// amount, exception, failing `when`, message) share the refinement of the first of
/// them (among the last [`CACHED_SHAPES`] shapes). Two records can share it wrongly
/// only if different `tier` rows give them the same amounts, or different params lead
/// to the same amounts.
struct Explainer<'s, 'a> {
    evaluators: Evaluators<'s, 'a>,
    cache: HashMap<ShapeOfChange, Slot, FastHash>,
    /// The causes of changes seen on one side only ([`Explainer::seen_only`]).
    seen: HashMap<SeenKey, Arc<[Cause]>, FastHash>,
}

/// A change seen on one side only: its rule, and per side, when there, its exception
/// and failing `when`.
type SeenKey = (Arc<str>, [Option<[Option<Arc<str>>; 2]>; 2]);

use crate::report::diff::Cause;
use crate::report::diff::causes::Explained;

/// A shape's causes: known, or those of the `n`-th record being explained.
enum Slot {
    Known(Arc<[Cause]>),
    Explaining(usize),
}

/// Where a change's causes come from.
enum Causes {
    Ready(Arc<[Cause]>),
    /// Those of the `n`-th record explained ([`Explainer::explain`]).
    Explained(usize),
}

/// A changed record to explain: the causes seen without explanation, and the outcome
/// and record on each side.
struct Miss<'r> {
    seen: Vec<Cause>,
    at: [(&'r Outcome, RecordAt<'r>); 2],
}

/// The evaluators, one per side, that a [`Builder`] explains changed records with.
pub enum Evaluators<'s, 'a> {
    Given([&'s Evaluator<'a>; 2]),
    /// Shared with another thread (that evaluates the records the builder is given).
    Shared(Arc<[Evaluator<'a>; 2]>),
    /// Made from the sides on the first explanation.
    Lazy(Option<Box<[Evaluator<'a>; 2]>>),
}

/// What an outcome is, apart from whose: status, amount, exception and failing `when`
/// (shared strings of the program), message, error.
type Shape = (
    Option<StatusKind>,
    Option<Decimal>,
    [Option<Arc<str>>; 2],
    [Option<String>; 2],
);

/// Shapes whose causes the [`Explainer`] keeps at most.
const CACHED_SHAPES: usize = 4096;

/// A change's rule and its shapes before and after.
type ShapeOfChange = (Arc<str>, Shape, Shape);

fn shape(v: Option<&OutcomeView>) -> Shape {
    match v {
        None => (None, None, Default::default(), Default::default()),
        Some(v) => (
            Some(v.status),
            v.amount,
            [v.exception.clone(), v.failed_when.clone()],
            [v.message.clone(), v.error.clone()],
        ),
    }
}

impl<'a> Explainer<'_, 'a> {
    /// Where the causes of a change of `rule` with these views come from: those of an
    /// earlier change of the same shape, or `seen()` refined by explaining the record
    /// on each side (added to `misses`).
    fn causes<'r>(
        &mut self,
        rule: &Arc<str>,
        [before, after]: [Option<&OutcomeView>; 2],
        at: [(&'r Outcome, RecordAt<'r>); 2],
        seen: impl FnOnce() -> Vec<Cause>,
        misses: &mut Vec<Miss<'r>>,
    ) -> Causes {
        let key = (Arc::clone(rule), shape(before), shape(after));
        match self.cache.get(&key) {
            Some(Slot::Known(causes)) => return Causes::Ready(Arc::clone(causes)),
            Some(Slot::Explaining(n)) => return Causes::Explained(*n),
            None => {}
        }
        // Shapes that carry a record's own values (a violation's message names them)
        // seldom come twice: the cache is emptied when full, so it does not grow with
        // the records. Common shapes are explained again once after each emptying.
        if self.cache.len() >= CACHED_SHAPES {
            self.cache.clear();
        }
        let n = misses.len();
        misses.push(Miss { seen: seen(), at });
        self.cache.insert(key, Slot::Explaining(n));
        Causes::Explained(n)
    }

    /// The causes of a change seen on one side only (a rule added or removed): `seen()`,
    /// shared with earlier changes of the same rule whose sides have the same
    /// exceptions and failing `when`s, all that `seen()` reads of them. (Made anew for
    /// each, they were two allocations a change, most of them for a `rule_added`.)
    fn seen_only(
        &mut self,
        rule: &Arc<str>,
        sides: [Option<&OutcomeView>; 2],
        seen: impl FnOnce() -> Vec<Cause>,
    ) -> Causes {
        let key = (
            Arc::clone(rule),
            sides.map(|v| v.map(|v| [v.exception.clone(), v.failed_when.clone()])),
        );
        if let Some(causes) = self.seen.get(&key) {
            return Causes::Ready(Arc::clone(causes));
        }
        if self.seen.len() >= CACHED_SHAPES {
            self.seen.clear();
        }
        let causes: Arc<[Cause]> = Arc::from(seen());
        self.seen.insert(key, Arc::clone(&causes));
        Causes::Ready(causes)
    }

    /// The causes of each record to explain, explained on every core; the shapes
    /// waiting for them learn them.
    fn explain(&mut self, sides: &[Side<'a>; 2], misses: &[Miss]) -> Vec<Arc<[Cause]>> {
        if misses.is_empty() {
            return Vec::new();
        }
        let [eb, er]: [&Evaluator<'a>; 2] = match &mut self.evaluators {
            Evaluators::Given([b, r]) => [*b, *r],
            Evaluators::Shared(both) => {
                let [b, r] = &**both;
                [b, r]
            }
            Evaluators::Lazy(made) => {
                let [b, r] = &**made.get_or_insert_with(|| {
                    Box::new(sides.map(|s| Evaluator::new(s.program, s.dataset, s.as_of)))
                });
                [b, r]
            }
        };
        let explained = parallel::map_in_order(misses, |m| {
            // Causes read the notes and the tier rows' values only.
            let [(b, ab), (r, ar)] = m.at;
            let xb = explain_for_causes(eb, ab, b.rule);
            let xr = explain_for_causes(er, ar, r.rule);
            let mut refined = m.seen.clone();
            causes::refine(&mut refined, xb.as_ref(), xr.as_ref());
            Arc::<[Cause]>::from(refined)
        });
        for slot in self.cache.values_mut() {
            if let Slot::Explaining(n) = *slot
                && let Some(causes) = explained.get(n)
            {
                *slot = Slot::Known(Arc::clone(causes));
            }
        }
        explained
    }
}

/// What the explanation of `rule` on the record `at` tells its causes. The params and
/// lets read come from an evaluation that keeps nothing else; only when a `tier`
/// decided is the record explained in full, for the row's value. (Building the tree
/// of every changed record was a seventh of a diff's instructions at 100k.)
fn explain_for_causes(ev: &Evaluator, at: RecordAt, rule: RuleId) -> Option<Explained> {
    let reads = ev.reads_of(at.entity, at.index, at.record, rule)?;
    if !reads.tier {
        return Some(Explained {
            reads,
            first_tier: None,
        });
    }
    ev.explain_brief_of(at.entity, at.index, at.record, rule)
        .map(|x| Explained::of(&x))
}

/// What decides whether an outcome changed. A missing rule reads as not applicable,
/// and so does a `pass` facing a missing rule (`alone`): a check added or removed is
/// news only where it is violated.
fn signature(
    v: Option<&OutcomeView>,
    alone: bool,
) -> (StatusKind, Option<Decimal>, [Option<&str>; 3]) {
    match v {
        None => (StatusKind::NotApplicable, None, [None; 3]),
        Some(v) if alone && v.status == StatusKind::Pass && v.exception.is_none() => {
            (StatusKind::NotApplicable, None, [None; 3])
        }
        Some(v) => (
            v.status,
            v.amount,
            [
                v.exception.as_deref(),
                v.message.as_deref(),
                v.error.as_deref(),
            ],
        ),
    }
}

/// The name of the exception that decided an outcome.
fn exception_name<'a>(side: &Side<'a>, o: &Outcome) -> Option<&'a str> {
    let rule = side.program.rule(o.rule)?;
    Some(rule.exceptions.get(o.exception?)?.name.as_str())
}

/// Whether a pair is certainly not a change, decided without building views (the
/// common case, kept cheap): same status and value, same exception by name; a missing
/// side counts as `not_applicable` without exception. `false` means "compare fully".
fn unchanged(base: &Side, revised: &Side, pair: &Pair) -> bool {
    let na = |side: &Side, o: &Outcome| {
        matches!(o.status, Status::NotApplicable { .. } | Status::Pass)
            && exception_name(side, o).is_none()
    };
    match pair {
        [Some(b), Some(r)] => {
            exception_name(base, b) == exception_name(revised, r)
                && match (&b.status, &r.status) {
                    (Status::Amount(x), Status::Amount(y)) => x == y,
                    (Status::NotApplicable { .. }, Status::NotApplicable { .. }) => true,
                    (Status::Pass, Status::Pass) => true,
                    (Status::Violation { message: x }, Status::Violation { message: y }) => x == y,
                    _ => false,
                }
        }
        [Some(b), None] => na(base, b),
        [None, Some(r)] => na(revised, r),
        [None, None] => true,
    }
}

fn is_violation(v: Option<&OutcomeView>) -> bool {
    v.is_some_and(|v| v.status == StatusKind::Violation)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::data::load::{LoadOptions, load_dir};
    use crate::r#gen::{GenConfig, generate};
    use crate::load::compile_path;
    use chrono::NaiveDate;
    use std::path::Path;

    /// The shipped policies, current and revised.
    fn shipped() -> [Program; 2] {
        ["policies/pinghu-current", "policies/pinghu-revised"]
            .map(|p| compile_path(Path::new(p)).program.unwrap())
    }

    /// The shipped example, and data generated with two other seeds into `root`.
    fn example_and_generated(root: &Path) -> Vec<std::path::PathBuf> {
        let mut dirs = vec![Path::new("examples/pinghu").to_path_buf()];
        for seed in [1, 2] {
            let dir = root.join(seed.to_string());
            let cfg = GenConfig {
                seed,
                ..GenConfig::pinghu()
            };
            generate(&cfg, &dir).unwrap();
            dirs.push(dir);
        }
        dirs
    }

    /// For every rule on every record of the shipped example and of generated data
    /// with other seeds, under both shipped policies: the reads kept without a tree are
    /// the explanation's, and so is what a diff's causes are sharpened with.
    #[test]
    fn reads_without_a_tree_are_the_explanations() {
        let generated = tempfile::tempdir().unwrap();
        let dirs = example_and_generated(generated.path());
        let as_of = NaiveDate::from_ymd_opt(2023, 7, 1).unwrap();
        let (mut quick, mut tiers) = (0, 0);
        for program in &shipped() {
            for dir in &dirs {
                let data = load_dir(program, dir, &LoadOptions::default()).unwrap();
                let ev = Evaluator::new(program, &data.dataset, as_of);
                for (e, table) in data.dataset.tables.iter().enumerate() {
                    let entity = EntityId(e);
                    for (index, record) in table.records.iter().enumerate() {
                        for &rule in ev.rules_of(entity) {
                            let full = ev
                                .explain_brief_of(entity, index, record, rule)
                                .map(|x| Explained::of(&x));
                            let reads = ev.reads_of(entity, index, record, rule);
                            assert_eq!(reads, full.as_ref().map(|x| x.reads.clone()));
                            let at = RecordAt {
                                entity,
                                index,
                                record,
                            };
                            assert_eq!(explain_for_causes(&ev, at, rule), full);
                            match full {
                                Some(x) if x.reads.tier => tiers += 1,
                                Some(_) => quick += 1,
                                None => {}
                            }
                        }
                    }
                }
            }
        }
        // Both ways were taken, and tier rows were found.
        assert!(quick > 1000 && tiers > 50, "{quick} {tiers}");
    }

    /// The causes of a change seen on one side only are shared by the changes of one
    /// rule whose sides have the same exceptions and failing `when`s: each must be
    /// what `seen()` makes for it alone, on the shipped example and generated data.
    /// (There such changes are of rules added or removed, whose causes do not depend
    /// on the exception; the key holds it for a rule changed, which `for_record` reads
    /// it for.)
    #[test]
    fn one_sided_causes_are_each_changes_own() {
        let generated = tempfile::tempdir().unwrap();
        let dirs = example_and_generated(generated.path());
        let as_of = NaiveDate::from_ymd_opt(2023, 7, 1).unwrap();
        let [base, revised] = shipped();
        let (mut one_sided, mut with_exception) = (0, 0);
        for dir in &dirs {
            let data = load_dir(&revised, dir, &LoadOptions::default()).unwrap();
            let [ob, or] =
                [&base, &revised].map(|p| crate::eval::evaluate(p, &data.dataset, as_of));
            let side = |program, outcomes| Side {
                program,
                dataset: &data.dataset,
                outcomes,
                as_of,
            };
            let diff =
                crate::report::diff::compute_diff(&side(&base, &ob), &side(&revised, &or), &[]);
            for c in &diff.changes {
                let (before, after) = (c.before.as_deref(), c.after.as_deref());
                if before.is_some() && after.is_some() {
                    continue;
                }
                let rule = diff.rules.iter().find(|r| *r.name == *c.rule).unwrap();
                let mut expected = causes::record_causes(before, after);
                expected.extend(causes::for_record(&rule.causes, before, after));
                assert_eq!(&*c.causes, expected.as_slice(), "{} {}", c.rule, c.key);
                one_sided += 1;
                with_exception +=
                    usize::from(before.or(after).is_some_and(|v| v.exception.is_some()));
            }
        }
        // Rules added and removed were seen, some of their outcomes by an exception.
        assert!(
            one_sided > 1000 && with_exception > 10,
            "{one_sided} {with_exception}"
        );
    }
}
