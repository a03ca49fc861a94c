//! Check diagnostics: every error and warning the checker and the policy loader report.
//!
//! Each kind is one variant with its own code (`parkrules::check::<kind>`), a label on
//! the span it is about and, where it helps, a `help` line. The checker wraps them in
//! [`crate::diagnostic::Diag`] with the file the span points into. Errors and warnings
//! are separate types.

use crate::lang::{Localize, LocalizeDiag, ZhDiag, zh_opt};
use miette::{Diagnostic, SourceSpan};
use std::borrow::Cow;
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
        help: Option<Hint>,
    },

    #[error("`{entity}` has no field or let `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_field))]
    UnknownField {
        entity: String,
        name: String,
        #[label("unknown member")]
        at: SourceSpan,
        #[help]
        help: Option<Hint>,
    },

    #[error("unknown type `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_type))]
    UnknownType {
        name: String,
        #[label("not a builtin type, an enum or an entity")]
        at: SourceSpan,
        #[help]
        help: Option<Hint>,
    },

    #[error("unknown entity `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_entity))]
    UnknownEntity {
        name: String,
        #[label("no entity of this name")]
        at: SourceSpan,
        #[help]
        help: Option<Hint>,
    },

    #[error("unknown rule `{name}`")]
    #[diagnostic(code(parkrules::check::unknown_rule))]
    UnknownRule {
        name: String,
        #[label("no rule of this name")]
        at: SourceSpan,
        #[help]
        help: Option<Hint>,
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
        help: Option<Hint>,
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
        help: Option<Hint>,
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
        help: Option<Hint>,
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
        help: Hint,
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

    #[error("`brackets` bounds must increase: `{row}` comes after `{previous}`")]
    #[diagnostic(
        code(parkrules::check::brackets_not_increasing),
        help("each `up to` bound ends a slice that starts at the bound above it")
    )]
    BracketsNotIncreasing {
        row: String,
        previous: String,
        #[label("not above the previous bound")]
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
        help: Hint,
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
        help: Hint,
    },

    #[error("`override {kind} {name}`: no base policy defines {kind} `{name}`")]
    #[diagnostic(code(parkrules::check::override_of_missing))]
    OverrideOfMissing {
        kind: String,
        name: String,
        #[label("nothing to override")]
        at: SourceSpan,
        #[help]
        help: Option<Hint>,
    },

    #[error("`remove {kind} {name}`: no {kind} `{name}` to remove")]
    #[diagnostic(code(parkrules::check::remove_of_missing))]
    RemoveOfMissing {
        kind: String,
        name: String,
        #[label("nothing to remove")]
        at: SourceSpan,
        #[help]
        help: Option<Hint>,
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

    #[error("`let` definitions depend on each other more than {limit} deep")]
    #[diagnostic(
        code(parkrules::check::let_too_deep),
        help("split the chain of lets, or compute the value in fewer steps")
    )]
    LetTooDeep {
        limit: usize,
        #[label("this let is too deep in a chain of lets")]
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
        help: Hint,
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
        help: Option<Hint>,
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
        help: Hint,
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
        help: Hint,
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

/// A `help` line computed by the checker ("did you mean `x`?"): typed, so that each
/// has its Chinese beside its English.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum Hint {
    #[error("did you mean `{0}`?")]
    DidYouMean(String),
    #[error("say which with `via`, e.g. `via {first}`")]
    SayWhichWithVia { first: String },
    #[error("first defined at {0}")]
    FirstDefinedAt(String),
    #[error("only `money`, `area` and `duration` combine with `/`")]
    QuantityPer,
    #[error("write `{field}: {ty} in {unit}`")]
    WriteFieldUnit {
        field: String,
        ty: String,
        unit: String,
    },
    #[error("`{entity}` already has a field `{field}`")]
    AlreadyHasField { entity: String, field: String },
    #[error("only numbers, quantities and dates are ordered")]
    Ordered,
    #[error("the right side of `{op}` is a list")]
    RightSideIsList { op: String },
    #[error("a date moves by a duration: `date + 3 年`, `date - 30 日`")]
    DateByDuration,
    #[error(
        "every value with `{row}` already matches `{earlier}` above; order rows from the most to the least demanding"
    )]
    ShadowedTierRow { row: String, earlier: String },
    #[error("the rows above already match every value")]
    TierRowsCoverAll,
    #[error("write `override {kind} …` to replace the definition at {at}")]
    WriteOverride { kind: String, at: String },
    #[error("remove `override` to define it anew")]
    RemoveOverride,
    #[error("`{family}` rules produce money: write `amount …`")]
    AmountFamily { family: String },
    #[error("`{family}` rules pass or fail: write `require cond else \"message\"`")]
    CheckFamily { family: String },
    #[error("write the key in quotes: `\"{written}\"`")]
    KeyInQuotes { written: String },
}

impl Localize for Hint {
    fn zh(&self) -> Cow<'_, str> {
        use Hint::*;
        Cow::Owned(match self {
            DidYouMean(c) => format!("是否想写 `{c}`？"),
            SayWhichWithVia { first } => format!("用 `via` 指明经哪个引用，如 `via {first}`"),
            FirstDefinedAt(at) => format!("首次定义于 {at}"),
            QuantityPer => "只有 `money`、`area` 和 `duration` 能用 `/` 组合".into(),
            WriteFieldUnit { field, ty, unit } => format!("写作 `{field}: {ty} in {unit}`"),
            AlreadyHasField { entity, field } => format!("`{entity}` 已有字段 `{field}`"),
            Ordered => "只有数、量和日期可以比较大小".into(),
            RightSideIsList { op } => format!("`{op}` 的右边是列表"),
            DateByDuration => "日期只能加减期限：`date + 3 年`、`date - 30 日`".into(),
            ShadowedTierRow { row, earlier } => {
                format!("满足 `{row}` 的值都已被上面的 `{earlier}` 匹配；请按从严到宽排列各档")
            }
            TierRowsCoverAll => "上面各档已匹配所有的值".into(),
            WriteOverride { kind, at } => {
                format!("写 `override {kind} …` 以替换 {at} 处的定义")
            }
            RemoveOverride => "去掉 `override`，作为新定义".into(),
            AmountFamily { family } => format!("`{family}` 规则产生金额：写 `amount …`"),
            CheckFamily { family } => {
                format!("`{family}` 规则判定通过或违反：写 `require 条件 else \"说明\"`")
            }
            KeyInQuotes { written } => format!("主键加引号：`\"{written}\"`"),
        })
    }
}

/// Fixed English phrases the checker puts in a message's fields (`expected`, `what`,
/// `kind`, the number of arguments), in Chinese; code in backticks is kept. Unknown
/// text is returned as it is (names from the policy are never translated).
pub fn zh_words(s: &str) -> String {
    const PHRASES: &[(&str, &str)] = &[
        (
            "a number, quantity or date to compare in `tier`",
            "`tier` 中可比较的数、量或日期",
        ),
        ("a number or quantity for", "数或量，用于"),
        ("a number or rate in `brackets`", "`brackets` 中的数或比率"),
        ("a number or quantity", "数或量"),
        ("the key of a", "主键，即"),
        ("record, as a string", "记录的主键（字符串）"),
        ("like the tier's subject", "（与 `tier` 的对象一致）"),
        (
            "like the subject of `brackets`",
            "（与 `brackets` 的对象一致）",
        ),
        ("like the first argument of", "（与第一个参数一致）："),
        ("as the number of decimal places", "（作为小数位数）"),
        ("as the param is declared", "（与参数声明一致）"),
        ("as the field is declared", "（与字段声明一致）"),
        ("as a list item", "（作为列表项）"),
        ("as the condition of `if`", "（作为 `if` 的条件）"),
        ("as an expected amount", "（作为期望金额）"),
        ("an expected amount", "期望金额"),
        ("to compare with", "（与之比较：）"),
        ("after `when`", "（`when` 之后）"),
        ("after `require`", "（`require` 之后）"),
        ("after `where`", "（`where` 之后）"),
        ("after `not`", "（`not` 之后）"),
        ("for", "（用于）"),
        ("at least", "至少"),
        ("arguments", "个参数"),
        ("argument", "个参数"),
        ("or", "或"),
        ("exception", "例外"),
        ("param", "参数"),
        ("let", "定义"),
        ("rule", "规则"),
        ("type", "类型"),
        ("entity", "实体"),
        ("enum", "枚举"),
        ("test", "测试"),
        ("a dated value", "带日期的值"),
        ("a param value", "参数值"),
        ("a param's value", "参数值"),
    ];
    // Whole phrases first, then word by word outside backticks.
    if let Some((_, zh)) = PHRASES.iter().find(|(en, _)| *en == s) {
        return (*zh).to_string();
    }
    let mut out = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(code_end) = rest.strip_prefix('`').and_then(|r| r.find('`')) {
            let (code, tail) = rest.split_at(code_end + 2);
            out.push_str(code);
            rest = tail;
            continue;
        }
        match PHRASES
            .iter()
            .filter(|(en, _)| rest.starts_with(en) && boundary(rest, en.len()))
            .max_by_key(|(en, _)| en.len())
        {
            Some((en, zh)) => {
                out.push_str(zh);
                rest = rest.get(en.len()..).unwrap_or("");
            }
            None => {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    out.push(c);
                }
                rest = chars.as_str();
            }
        }
    }
    out.trim().replace(" （", "（").replace("） ", "）")
}

/// Whether `s` has a word boundary at byte `i` (not inside an ASCII word).
fn boundary(s: &str, i: usize) -> bool {
    !s.get(i..)
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl LocalizeDiag for CheckError {
    fn zh_diag(&self) -> ZhDiag {
        use crate::lang::zd as z;
        use CheckError::*;
        match self {
            UnknownName { name, help, .. } => z(
                format!("未知名称 `{name}`"),
                "此处没有这个字段、定义、参数或枚举变体",
            )
            .help_opt(zh_opt(help)),
            UnknownField {
                entity, name, help, ..
            } => z(format!("`{entity}` 没有字段或定义 `{name}`"), "未知字段")
                .help_opt(zh_opt(help)),
            UnknownType { name, help, .. } => z(
                format!("未知类型 `{name}`"),
                "不是内置类型、枚举或实体",
            )
            .help_opt(zh_opt(help)),
            UnknownEntity { name, help, .. } => {
                z(format!("未知实体 `{name}`"), "没有这个名称的实体").help_opt(zh_opt(help))
            }
            UnknownRule { name, help, .. } => {
                z(format!("未知规则 `{name}`"), "没有这个名称的规则").help_opt(zh_opt(help))
            }
            UnknownFunction { name, .. } => z(format!("未知函数 `{name}`"), "不是函数").help(
                "函数有 min max abs round floor ceil is_set years_between，以及对实体的聚合 count sum min max avg",
            ),
            UnknownVariant {
                name,
                enum_name,
                help,
                ..
            } => z(
                format!("`{name}` 不是枚举 `{enum_name}` 的变体"),
                "未知变体",
            )
            .help_opt(zh_opt(help)),
            UnknownUnit { name, .. } => z(format!("未知单位 `{name}`"), "不是单位").help(
                "单位有 元 万元 亿元，m2 ㎡ m² 平方米 亩 公顷，年 years 月 months，日 天 days",
            ),
            AmbiguousVariant { name, enums, .. } => z(
                format!("`{name}` 是多个枚举的变体：{enums}"),
                "变体不明确",
            )
            .help("与所指枚举的值比较，或在 `match` 中使用"),
            TypeMismatch {
                expected,
                found,
                help,
                ..
            } => z(
                format!("类型不符：期望 {}，得到 `{found}`", zh_words(expected)),
                format!("这是 `{found}`"),
            )
            .help_opt(zh_opt(help)),
            DimensionMismatch {
                op, left, right, ..
            } => z(
                format!("`{op}` 两边的量纲须相同，得到 `{left}` 和 `{right}`"),
                format!("`{left}` {op} `{right}`"),
            )
            .help("`+`、`-` 和比较要求量纲相同；`*` 和 `/` 组合量纲"),
            InvalidOperand { op, ty, help, .. } => z(
                format!("`{op}` 不能用于 `{ty}`"),
                format!("这是 `{ty}`"),
            )
            .help_opt(zh_opt(help)),
            MemberOfNonEntity { name, ty, .. } => z(
                format!("`{name}` 是 `{ty}`，没有成员"),
                "不是引用",
            )
            .help("`.成员` 只能跟在对另一实体记录的引用之后"),
            WrongArgumentCount {
                func,
                expected,
                found,
                ..
            } => z(
                format!("`{func}` 需要 {}，得到 {found} 个", zh_words(expected)),
                "参数个数不对",
            ),
            AmountNotMoney { family, found, .. } => z(
                format!("`{family}` 规则的金额须是 money，得到 `{found}`"),
                format!("这是 `{found}`"),
            ),
            WrongOutcome {
                family,
                written,
                help,
                ..
            } => z(
                format!("`{family}` 规则不能有 `{written}`"),
                "与规则类别不符的结果",
            )
            .help(help.zh()),
            MissingOutcome { rule, needed, .. } => {
                z(format!("`{rule}` 没有结果"), format!("需要 `{needed}`"))
            }
            MissingElseMessage { .. } => z("`require` 需要 `else` 说明", "没有 `else` 说明")
                .help("写作 `require 条件 else \"问题说明\"`：说明即违反时显示的内容"),
            NonExhaustiveMatch {
                missing, enum_name, ..
            } => z(
                format!("`match` 未覆盖 {missing}"),
                format!("未覆盖 `{enum_name}` 的所有变体"),
            )
            .help("为每个缺少的变体加一个分支，或加 `else => …` 分支"),
            DuplicateMatchArm { variant, .. } => {
                z(format!("变体 `{variant}` 出现在两个分支中"), "上面已匹配")
            }
            MatchOnNonEnum { found, .. } => z(
                format!("`match` 需要枚举值，得到 `{found}`"),
                format!("这是 `{found}`"),
            ),
            TierWithoutElse { .. } => z("`tier` 需要 `else` 档", "没有 `else` 档")
                .help("在最后加 `else => 值`：没有一档匹配时适用"),
            InvalidTierOp { op, .. } => z(
                format!("`tier` 的档须用 `>= > <= < == !=` 比较，得到 `{op}`"),
                "不是比较",
            ),
            BracketsNotIncreasing { row, previous, .. } => z(
                format!("`brackets` 的界限须递增：`{row}` 在 `{previous}` 之后"),
                "不高于上一界限",
            )
            .help("每个 `up to` 界限结束一段，该段从上一界限开始"),
            NoKey { entity, .. } => z(
                format!("实体 `{entity}` 没有主键字段"),
                "没有标为 `key` 的字段",
            )
            .help("用 `key` 标出识别记录的字段，如 `编号: text key`"),
            TwoKeys {
                entity,
                first,
                second,
                ..
            } => z(
                format!("实体 `{entity}` 有两个主键字段：`{first}` 和 `{second}`"),
                "第二个主键",
            )
            .help("一条记录只由一个字段识别"),
            DuplicateField { entity, name, .. } => z(
                format!("`{name}` 在实体 `{entity}` 中声明了两次"),
                "第二次声明",
            ),
            DuplicateVariant {
                enum_name, name, ..
            } => z(
                format!("变体 `{name}` 在枚举 `{enum_name}` 中声明了两次"),
                "第二次声明",
            ),
            DuplicateDefinition {
                kind, name, help, ..
            } => z(
                format!("{} `{name}` 定义了两次", zh_words(kind)),
                "第二次定义",
            )
            .help(help.zh()),
            RedefinitionWithoutOverride {
                kind,
                name,
                base,
                help,
                ..
            } => z(
                format!("{} `{name}` 已由基础政策 `{base}` 定义", zh_words(kind)),
                "在此重新定义",
            )
            .help(help.zh()),
            OverrideOfMissing {
                kind, name, help, ..
            } => z(
                format!(
                    "`override {kind} {name}`：基础政策中没有{} `{name}`",
                    zh_words(kind)
                ),
                "没有可覆盖的定义",
            )
            .help_opt(zh_opt(help)),
            RemoveOfMissing {
                kind, name, help, ..
            } => z(
                format!(
                    "`remove {kind} {name}`：没有可删除的{} `{name}`",
                    zh_words(kind)
                ),
                "没有可删除的定义",
            )
            .help_opt(zh_opt(help)),
            LetCycle { cycle, .. } => z(
                format!("`let` 定义构成循环：{cycle}"),
                "此定义依赖自身",
            )
            .help("`let` 不能直接或经其他定义依赖自身"),
            LetTooDeep { limit, .. } => z(
                format!("`let` 定义相互依赖超过 {limit} 层"),
                "此定义在定义链中过深",
            )
            .help("拆分定义链，或用更少的步骤计算"),
            AmbiguousAggregate {
                of,
                entity,
                fields,
                help,
                ..
            } => z(
                format!("`{of}` 有多个指向 `{entity}` 的引用：{fields}"),
                "经哪个引用？",
            )
            .help(help.zh()),
            NoReference { of, entity, .. } => z(
                format!("`{of}` 没有指向 `{entity}` 的引用"),
                format!("此处不能对 `{of}` 聚合"),
            )
            .help("聚合统计经某个字段引用当前记录的那些记录"),
            InvalidVia {
                field,
                of,
                entity,
                help,
                ..
            } => z(
                format!("`via {field}`：`{field}` 不是从 `{of}` 指向 `{entity}` 的引用"),
                format!("不是指向 `{entity}` 的引用"),
            )
            .help_opt(zh_opt(help)),
            AggregateOutsideEntity { .. } => z("聚合需要当前记录", "此处没有当前记录")
                .help("聚合可用于 `let E.x` 和规则中，统计引用 E 的记录"),
            AggregateNeedsValue { func, of, .. } => z(
                format!("`{func}` 需要聚合的值，如 `{func}({of}.字段)`"),
                "没有值",
            ),
            CountWithValue { of, .. } => z(
                format!("`count` 统计记录数：写 `count({of})`"),
                "count 只接实体",
            ),
            NotConstant { what, .. } => {
                z(format!("{} 须是常量", zh_words(what)), "不是常量")
                    .help("使用字面量、枚举变体、列表及其运算")
            }
            DatedParamsOutOfOrder {
                param,
                date,
                previous,
                ..
            } => z(
                format!("`{param}` 的带日期取值未按日期递增排列"),
                format!("{date} 不在 {previous} 之后"),
            ),
            ParamWithoutType { name, .. } => z(format!("参数 `{name}` 需要类型"), "没有类型")
                .help(format!(
                    "写作 `param {name}: 类型 = …`；只有 `override param` 可省略类型"
                )),
            MissingUnit {
                field, ty, help, ..
            } => z(
                format!("字段 `{field}`（`{ty}`）需要输入单位"),
                "数据单元格所用的单位",
            )
            .help(help.zh()),
            UnitMismatch {
                unit, ty, unit_dim, ..
            } => z(
                format!("单位 `{unit}` 与类型 `{ty}` 不符"),
                format!("此单位是 `{unit_dim}`"),
            ),
            InterpolationNotAllowed { .. } => {
                z("只有 `else` 说明中可以插值 `{…}`", "插值字符串")
            }
            EmptyList { .. } => z("无法确定空列表的类型", "空列表"),
            LiteralOverflow { text, .. } => {
                z(format!("数量 `{text}` 太大"), "超出精确小数的范围")
            }
            UnknownStatus { name, .. } => z(format!("未知结果 `{name}`"), "不是结果").help(
                "期望以下之一：amount、not_applicable、pass、violation、error，或 `== 值`",
            ),
            ExpectWrongEntity {
                rule,
                rule_entity,
                entity,
                ..
            } => z(
                format!("规则 `{rule}` 适用于 `{rule_entity}`，不是 `{entity}`"),
                format!("此规则不适用于 `{entity}`"),
            ),
            ImpossibleExpectation {
                family,
                expected,
                rule,
                ..
            } => z(
                format!("`{family}` 规则不会有结果 `{expected}`"),
                format!("规则 `{rule}` 不会得出此结果"),
            )
            .help(
                "subsidy 和 reward 规则得出金额或 not_applicable；restriction 和 ratio 规则得出 pass、violation 或 not_applicable",
            ),
            UnknownTestRecord { entity, key, .. } => z(
                format!("`expect` 所指的记录 `{entity} \"{key}\"` 不在此测试中"),
                "没有这条测试记录",
            ),
            DuplicateTestRecord { entity, key, .. } => z(
                format!("测试记录 `{entity} \"{key}\"` 给了两次"),
                "主键相同的第二条记录",
            ),
            TwoPolicyHeaders { first, second, .. } => z(
                format!("一个政策只有一个 `policy` 头；在 `{first}` 和 `{second}` 中各有一个"),
                "第二个 `policy` 头",
            )
            .help("同一文件夹的所有文件构成一个政策：只在其中一个文件中保留政策头"),
            NoPolicyHeader { path } => ZhDiag::bare(format!("`{path}` 没有 `policy` 头"))
                .help("在一个文件开头写 `policy \"名称\" version \"…\" effective YYYY-MM-DD`"),
            ExtendsCycle { chain, .. } => z(
                format!("`extends` 链构成循环：{chain}"),
                "继承了一个继承本政策的政策",
            ),
            MissingBase { path, .. } => z(
                format!("找不到基础政策 `{path}`"),
                "此处没有文件或文件夹",
            )
            .help("`extends` 的路径相对于写它的文件所在的目录"),
            InvalidExtends { .. } => z("`extends` 须是普通路径", "此处不能插值"),
            InvalidUtf8 { path, offset } => {
                ZhDiag::bare(format!("`{path}` 不是有效的 UTF-8（第 {offset} 字节）"))
                    .help("将政策文件保存为 UTF-8")
            }
            Unreadable { path, reason } => {
                ZhDiag::bare(format!("无法读取 `{path}`：{reason}"))
            }
            NoRulesFiles { path } => {
                ZhDiag::bare(format!("文件夹 `{path}` 中没有 `.rules` 文件"))
            }
        }
    }
}

impl LocalizeDiag for CheckWarning {
    fn zh_diag(&self) -> ZhDiag {
        use crate::lang::zd as z;
        use CheckWarning::*;
        match self {
            UnreachableTierRow { help, .. } => z("这一档永远不会匹配", "不可达").help(help.zh()),
            MissingCite { what, name, .. } => z(
                format!("{} `{name}` 没有 `cite`", zh_words(what)),
                "没有 cite",
            )
            .help("写 `cite \"文号 第几条\"`，使每个结果都注明所依据的条文"),
            UnusedParam { name, .. } => z(format!("参数 `{name}` 未被使用"), "未使用"),
            UnusedLet { entity, name, .. } => {
                z(format!("定义 `{entity}.{name}` 未被使用"), "未使用")
            }
        }
    }
}
