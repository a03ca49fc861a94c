//! The outcome of one rule on one record: what every report is made of.

use crate::eval::err::EvalError;
use crate::program::{EntityId, RuleId, StatusKind};
use rust_decimal::Decimal;

/// One rule on one record.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub entity: EntityId,
    /// Index of the record in its table (input order).
    pub record: usize,
    pub rule: RuleId,
    pub status: Status,
    /// The exception that replaced the base rule, by index in `RuleDef::exceptions`.
    pub exception: Option<usize>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    /// Money in 元, exact.
    Amount(Decimal),
    /// The `when` at this index of the rule's body failed (the first failing one).
    NotApplicable {
        when: usize,
    },
    Pass,
    Violation {
        message: String,
    },
    Error(Box<EvalError>),
}

impl Status {
    pub fn kind(&self) -> StatusKind {
        match self {
            Status::Amount(_) => StatusKind::Amount,
            Status::NotApplicable { .. } => StatusKind::NotApplicable,
            Status::Pass => StatusKind::Pass,
            Status::Violation { .. } => StatusKind::Violation,
            Status::Error(_) => StatusKind::Error,
        }
    }

    pub fn amount(&self) -> Option<Decimal> {
        match self {
            Status::Amount(d) => Some(*d),
            _ => None,
        }
    }
}
