//! Check diagnostics: every error and warning the checker and the policy loader report.
//!
//! Each kind is one variant with its own code (`parkrules::check::<kind>`), a label on
//! the span it is about and, where it helps, a `help` line. The checker wraps them in
//! [`crate::diagnostic::Diag`] with the file the span points into. Errors and warnings
//! are separate types.

use miette::{Diagnostic, SourceSpan};
use thiserror::Error;

/// A problem that stops the policy from being used.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq)]
pub enum CheckError {
    #[error("unknown name `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_name))]
    UnknownName {
        name: String,
        #[label("not a field, let, param or enum variant here")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{entity}` has no field or let `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_field))]
    UnknownField {
        entity: String,
        name: String,
        #[label("unknown member")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown type `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_type))]
    UnknownType {
        name: String,
        #[label("not a builtin type, an enum or an entity")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown entity `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_entity))]
    UnknownEntity {
        name: String,
        #[label("no entity of this name")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown rule `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_rule))]
    UnknownRule {
        name: String,
        #[label("no rule of this name")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown function `{name}`")]
    #[diagnostic(
        code(parkrules::check::unknown_function),
        help(
            "functions are min max abs round floor ceil is_set years_between, and the aggregates count sum min max avg over an entity"
        )
    )]
    UnknownFunction {
        name: String,
        #[label("not a function")]
        at: SourceSpan,
    },

    #[error("`{name}` is not a variant of enum `{enum_name}`")]
    #[diagnostic(code(parkrules::check::unknown_variant))]
    UnknownVariant {
        name: String,
        enum_name: String,
        #[label("unknown variant")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("unknown unit `{name}`")]
    #[diagnostic(
        code(parkrules::check::unknown_unit),
        help("units are 元 万元 亿元, m2 ㎡ m² 平方米 亩 公顷, 年 years 月 months, 日 天 days")
    )]
    UnknownUnit {
        name: String,
        #[label("not a unit")]
        at: SourceSpan,
    },

    #[error("`{name}` is a variant of several enums: {enums}")]
    #[diagnostic(
        code(parkrules::check::ambiguous_variant),
        help("compare it with a value of the enum you mean, or use it in a `match`")
    )]
    AmbiguousVariant {
        name: String,
        enums: String,
        #[label("ambiguous variant")]
        at: SourceSpan,
    },

    #[error("expected {expected}, found `{found}`")]
    #[diagnostic(code(parkrules::check::type_mismatch))]
    TypeMismatch {
        expected: String,
        found: String,
        #[label("this is `{found}`")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{op}` needs operands of the same dimension, found `{left}` and `{right}`")]
    #[diagnostic(
        code(parkrules::check::dimension_mismatch),
        help("`+`, `-` and comparisons need equal dimensions; `*` and `/` combine them")
    )]
    DimensionMismatch {
        op: String,
        left: String,
        right: String,
        #[label("`{left}` {op} `{right}`")]
        at: SourceSpan,
    },

    #[error("`{op}` cannot be applied to `{ty}`")]
    #[diagnostic(code(parkrules::check::invalid_operand))]
    InvalidOperand {
        op: String,
        ty: String,
        #[label("this is `{ty}`")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`{name}` is `{ty}`, which has no members")]
    #[diagnostic(
        code(parkrules::check::member_of_non_entity),
        help("`.member` follows a reference to a record of another entity")
    )]
    MemberOfNonEntity {
        name: String,
        ty: String,
        #[label("not a reference")]
        at: SourceSpan,
    },

    #[error("`{func}` takes {expected}, found {found}")]
    #[diagnostic(code(parkrules::check::wrong_argument_count))]
    WrongArgumentCount {
        func: String,
        expected: String,
        found: usize,
        #[label("wrong number of arguments")]
        at: SourceSpan,
    },

    #[error("a `{family}` rule's amount must be money, found `{found}`")]
    #[diagnostic(code(parkrules::check::amount_not_money))]
    AmountNotMoney {
        family: String,
        found: String,
        #[label("this is `{found}`")]
        at: SourceSpan,
    },

    #[error("a `{family}` rule cannot have `{written}`")]
    #[diagnostic(code(parkrules::check::wrong_outcome))]
    WrongOutcome {
        family: String,
        written: String,
        #[label("wrong outcome for this family")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{rule}` has no outcome")]
    #[diagnostic(code(parkrules::check::missing_outcome))]
    MissingOutcome {
        rule: String,
        #[label("needs `{needed}`")]
        at: SourceSpan,
        needed: String,
    },

    #[error("`require` needs an `else` message")]
    #[diagnostic(
        code(parkrules::check::missing_else_message),
        help("write `require cond else \"what is wrong\"`: the message is the violation shown")
    )]
    MissingElseMessage {
        #[label("no `else` message")]
        at: SourceSpan,
    },

    #[error("`match` does not cover {missing}")]
    #[diagnostic(
        code(parkrules::check::non_exhaustive_match),
        help("add an arm for each missing variant, or an `else => …` arm")
    )]
    NonExhaustiveMatch {
        missing: String,
        #[label("not every variant of `{enum_name}` is covered")]
        at: SourceSpan,
        enum_name: String,
    },

    #[error("variant `{variant}` appears in two arms")]
    #[diagnostic(code(parkrules::check::duplicate_match_arm))]
    DuplicateMatchArm {
        variant: String,
        #[label("already matched above")]
        at: SourceSpan,
    },

    #[error("`match` needs an enum value, found `{found}`")]
    #[diagnostic(code(parkrules::check::match_on_non_enum))]
    MatchOnNonEnum {
        found: String,
        #[label("this is `{found}`")]
        at: SourceSpan,
    },

    #[error("`tier` needs an `else` row")]
    #[diagnostic(
        code(parkrules::check::tier_without_else),
        help("add `else => value` as the last row: it applies when no row matches")
    )]
    TierWithoutElse {
        #[label("no `else` row")]
        at: SourceSpan,
    },

    #[error("a `tier` row must compare with `>= > <= < == !=`, found `{op}`")]
    #[diagnostic(code(parkrules::check::invalid_tier_op))]
    InvalidTierOp {
        op: String,
        #[label("not a comparison")]
        at: SourceSpan,
    },

    #[error("entity `{entity}` has no key field")]
    #[diagnostic(
        code(parkrules::check::no_key),
        help("mark the field that identifies a record with `key`, e.g. `编号: text key`")
    )]
    NoKey {
        entity: String,
        #[label("no field marked `key`")]
        at: SourceSpan,
    },

    #[error("entity `{entity}` has two key fields: `{first}` and `{second}`")]
    #[diagnostic(
        code(parkrules::check::two_keys),
        help("a record is identified by exactly one field")
    )]
    TwoKeys {
        entity: String,
        first: String,
        second: String,
        #[label("second key")]
        at: SourceSpan,
    },

    #[error("`{name}` is declared twice in entity `{entity}`")]
    #[diagnostic(code(parkrules::check::duplicate_field))]
    DuplicateField {
        entity: String,
        name: String,
        #[label("second declaration")]
        at: SourceSpan,
    },

    #[error("variant `{name}` is declared twice in enum `{enum_name}`")]
    #[diagnostic(code(parkrules::check::duplicate_variant))]
    DuplicateVariant {
        enum_name: String,
        name: String,
        #[label("second declaration")]
        at: SourceSpan,
    },

    #[error("{kind} `{name}` is defined twice")]
    #[diagnostic(code(parkrules::check::duplicate_definition))]
    DuplicateDefinition {
        kind: String,
        name: String,
        #[label("second definition")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("{kind} `{name}` is already defined by the base policy `{base}`")]
    #[diagnostic(code(parkrules::check::redefinition_without_override))]
    RedefinitionWithoutOverride {
        kind: String,
        name: String,
        base: String,
        #[label("redefined here")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`override {kind} {name}`: no base policy defines {kind} `{name}`")]
    #[diagnostic(code(parkrules::check::override_of_missing))]
    OverrideOfMissing {
        kind: String,
        name: String,
        #[label("nothing to override")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`remove {kind} {name}`: no {kind} `{name}` to remove")]
    #[diagnostic(code(parkrules::check::remove_of_missing))]
    RemoveOfMissing {
        kind: String,
        name: String,
        #[label("nothing to remove")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("`let` definitions form a cycle: {cycle}")]
    #[diagnostic(
        code(parkrules::check::let_cycle),
        help("a `let` cannot depend on itself, directly or through other lets")
    )]
    LetCycle {
        cycle: String,
        #[label("this let depends on itself")]
        at: SourceSpan,
    },

    #[error("`{of}` has several references to `{entity}`: {fields}")]
    #[diagnostic(code(parkrules::check::ambiguous_aggregate))]
    AmbiguousAggregate {
        of: String,
        entity: String,
        fields: String,
        #[label("which reference?")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("`{of}` has no reference to `{entity}`")]
    #[diagnostic(
        code(parkrules::check::no_reference),
        help("an aggregate counts records that refer to the current one through a field")
    )]
    NoReference {
        of: String,
        entity: String,
        #[label("cannot aggregate over `{of}` here")]
        at: SourceSpan,
    },

    #[error("`via {field}`: `{field}` is not a reference from `{of}` to `{entity}`")]
    #[diagnostic(code(parkrules::check::invalid_via))]
    InvalidVia {
        field: String,
        of: String,
        entity: String,
        #[label("not a reference to `{entity}`")]
        at: SourceSpan,
        #[help]
        help: Option<String>,
    },

    #[error("an aggregate needs a current record")]
    #[diagnostic(
        code(parkrules::check::aggregate_outside_entity),
        help("aggregates may appear in `let E.x` and in rules, over records that refer to E")
    )]
    AggregateOutsideEntity {
        #[label("no current record here")]
        at: SourceSpan,
    },

    #[error("`{func}` needs a value to aggregate, e.g. `{func}({of}.field)`")]
    #[diagnostic(code(parkrules::check::aggregate_needs_value))]
    AggregateNeedsValue {
        func: String,
        of: String,
        #[label("no value")]
        at: SourceSpan,
    },

    #[error("`count` counts records: write `count({of})`")]
    #[diagnostic(code(parkrules::check::count_with_value))]
    CountWithValue {
        of: String,
        #[label("count takes the entity only")]
        at: SourceSpan,
    },

    #[error("{what} must be a constant")]
    #[diagnostic(
        code(parkrules::check::not_constant),
        help("use literals, enum variants, lists and arithmetic on them")
    )]
    NotConstant {
        what: String,
        #[label("not a constant")]
        at: SourceSpan,
    },

    #[error("dated values of `{param}` are not in increasing date order")]
    #[diagnostic(code(parkrules::check::dated_params_out_of_order))]
    DatedParamsOutOfOrder {
        param: String,
        #[label("{date} is not after {previous}")]
        at: SourceSpan,
        date: String,
        previous: String,
    },

    #[error("param `{name}` needs a type")]
    #[diagnostic(
        code(parkrules::check::param_without_type),
        help("write `param {name}: T = …`; only `override param` may omit it")
    )]
    ParamWithoutType {
        name: String,
        #[label("no type")]
        at: SourceSpan,
    },

    #[error("field `{field}` of type `{ty}` needs an input unit")]
    #[diagnostic(code(parkrules::check::missing_unit))]
    MissingUnit {
        field: String,
        ty: String,
        #[label("the unit the data cells are written in")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("unit `{unit}` does not fit type `{ty}`")]
    #[diagnostic(code(parkrules::check::unit_mismatch))]
    UnitMismatch {
        unit: String,
        ty: String,
        #[label("this unit is `{unit_dim}`")]
        at: SourceSpan,
        unit_dim: String,
    },

    #[error("interpolation `{{…}}` is allowed only in `else` messages")]
    #[diagnostic(code(parkrules::check::interpolation_not_allowed))]
    InterpolationNotAllowed {
        #[label("interpolated string")]
        at: SourceSpan,
    },

    #[error("cannot tell the type of an empty list")]
    #[diagnostic(code(parkrules::check::empty_list))]
    EmptyList {
        #[label("empty list")]
        at: SourceSpan,
    },

    #[error("the quantity `{text}` is too large")]
    #[diagnostic(code(parkrules::check::literal_overflow))]
    LiteralOverflow {
        text: String,
        #[label("does not fit an exact decimal")]
        at: SourceSpan,
    },

    #[error("unknown outcome `{name}`")]
    #[diagnostic(
        code(parkrules::check::unknown_status),
        help("expect one of: amount, not_applicable, pass, violation, error, or `== value`")
    )]
    UnknownStatus {
        name: String,
        #[label("not an outcome")]
        at: SourceSpan,
    },

    #[error("rule `{rule}` is for `{rule_entity}`, not `{entity}`")]
    #[diagnostic(code(parkrules::check::expect_wrong_entity))]
    ExpectWrongEntity {
        rule: String,
        rule_entity: String,
        entity: String,
        #[label("this rule does not apply to `{entity}`")]
        at: SourceSpan,
    },

    #[error("a `{family}` rule never has the outcome `{expected}`")]
    #[diagnostic(
        code(parkrules::check::impossible_expectation),
        help(
            "subsidy and reward rules give an amount or not_applicable; restriction and ratio rules give pass, violation or not_applicable"
        )
    )]
    ImpossibleExpectation {
        family: String,
        expected: String,
        #[label("rule `{rule}` cannot give this")]
        at: SourceSpan,
        rule: String,
    },

    #[error("`expect` names no record `{entity} \"{key}\"` of this test")]
    #[diagnostic(code(parkrules::check::unknown_test_record))]
    UnknownTestRecord {
        entity: String,
        key: String,
        #[label("no such test record")]
        at: SourceSpan,
    },

    #[error("test record `{entity} \"{key}\"` is given twice")]
    #[diagnostic(code(parkrules::check::duplicate_test_record))]
    DuplicateTestRecord {
        entity: String,
        key: String,
        #[label("second record with this key")]
        at: SourceSpan,
    },

    #[error("a policy has exactly one `policy` header; found two, in `{first}` and `{second}`")]
    #[diagnostic(
        code(parkrules::check::two_policy_headers),
        help("all files of a folder form one policy: keep the header in one of them")
    )]
    TwoPolicyHeaders {
        first: String,
        second: String,
        #[label("second `policy` header")]
        at: SourceSpan,
    },

    #[error("`{path}` has no `policy` header")]
    #[diagnostic(
        code(parkrules::check::no_policy_header),
        help("start one file with `policy \"名称\" version \"…\" effective YYYY-MM-DD`")
    )]
    NoPolicyHeader { path: String },

    #[error("the `extends` chain is a cycle: {chain}")]
    #[diagnostic(code(parkrules::check::extends_cycle))]
    ExtendsCycle {
        chain: String,
        #[label("extends a policy that extends this one")]
        at: SourceSpan,
    },

    #[error("base policy `{path}` not found")]
    #[diagnostic(
        code(parkrules::check::missing_base),
        help("`extends` is relative to the directory of the file that says it")
    )]
    MissingBase {
        path: String,
        #[label("no file or folder here")]
        at: SourceSpan,
    },

    #[error("`extends` must be a plain path")]
    #[diagnostic(code(parkrules::check::invalid_extends))]
    InvalidExtends {
        #[label("no interpolation here")]
        at: SourceSpan,
    },

    #[error("`{path}` is not valid UTF-8 (at byte {offset})")]
    #[diagnostic(
        code(parkrules::check::invalid_utf8),
        help("save policy files as UTF-8")
    )]
    InvalidUtf8 { path: String, offset: usize },

    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(code(parkrules::check::unreadable))]
    Unreadable { path: String, reason: String },

    #[error("folder `{path}` holds no `.rules` files")]
    #[diagnostic(code(parkrules::check::no_rules_files))]
    NoRulesFiles { path: String },
}

/// A problem worth a look that does not stop the policy from being used.
#[derive(Clone, Debug, Error, Diagnostic, PartialEq)]
pub enum CheckWarning {
    #[error("this `tier` row can never match")]
    #[diagnostic(code(parkrules::check::unreachable_tier_row))]
    UnreachableTierRow {
        #[label("unreachable")]
        at: SourceSpan,
        #[help]
        help: String,
    },

    #[error("{what} `{name}` has no `cite`")]
    #[diagnostic(
        code(parkrules::check::missing_cite),
        help("write `cite \"文号 第几条\"` so every outcome names the text it encodes")
    )]
    MissingCite {
        what: String,
        name: String,
        #[label("no cite")]
        at: SourceSpan,
    },

    #[error("param `{name}` is never used")]
    #[diagnostic(code(parkrules::check::unused_param))]
    UnusedParam {
        name: String,
        #[label("unused")]
        at: SourceSpan,
    },

    #[error("let `{entity}.{name}` is never used")]
    #[diagnostic(code(parkrules::check::unused_let))]
    UnusedLet {
        entity: String,
        name: String,
        #[label("unused")]
        at: SourceSpan,
    },
}
