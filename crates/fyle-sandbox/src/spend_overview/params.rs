//! What a `/admin/spend_overview/*` request asks, read from its query: the view, the spend
//! filters the spec declares for it, the period and (summary only) the granularity and the
//! card/reimbursable switches. The pairs a `by_*` view does not declare are handed back for its
//! page (filters on the answer's rows, `order`, `offset`, `limit`).

use std::collections::{BTreeMap, BTreeSet};

use fyle_models::query::{Clause, FilterValue, Literal, Operator};

use super::window::{Granularity, Period, Preset};
use crate::errors::ApiError;

/// What spend is grouped or filtered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Dimension {
    /// The expense's merchant (matched case-insensitively).
    Merchant,
    /// The expense's project (integer id).
    Project,
    /// The expense's category (integer id).
    Category,
    /// The department of the expense's employee.
    Department,
    /// The expense's owner.
    User,
    /// The corporate card of the card transaction matched to the expense.
    CorporateCard,
}

impl Dimension {
    /// Every dimension.
    pub(crate) const ALL: [Dimension; 6] = [
        Dimension::Merchant,
        Dimension::Project,
        Dimension::Category,
        Dimension::Department,
        Dimension::User,
        Dimension::CorporateCard,
    ];

    /// The path segment after `by_` (`by_corporate_card`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Dimension::Merchant => "merchant",
            Dimension::Project => "project",
            Dimension::Category => "category",
            Dimension::Department => "department",
            Dimension::User => "user",
            Dimension::CorporateCard => "corporate_card",
        }
    }

    /// The query parameter that filters on it (the spec names the card one `card_id`).
    pub(crate) fn param(self) -> &'static str {
        match self {
            Dimension::Merchant => "merchant",
            Dimension::Project => "project_id",
            Dimension::Category => "category_id",
            Dimension::Department => "department_id",
            Dimension::User => "user_id",
            Dimension::CorporateCard => "card_id",
        }
    }
}

/// One of the seven operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum View {
    /// `summary`: a time series.
    Summary,
    /// `by_merchant`, `by_project`...: one row per group.
    By(Dimension),
}

/// Parameters only the summary declares.
const GRANULARITY: &str = "time_interval_granularity";
const CARD_SPEND: &str = "is_card_spend";
const REIMBURSABLE: &str = "is_reimbursable";
/// Parameters every view declares.
const PRESET: &str = "time_interval_preset";
const START: &str = "time_interval_start";
const END: &str = "time_interval_end";

impl View {
    /// The view of a path segment (`summary`, `by_merchant`...).
    pub(crate) fn from_segment(segment: &str) -> Option<View> {
        if segment == "summary" {
            return Some(View::Summary);
        }
        let name = segment.strip_prefix("by_")?;
        Dimension::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .map(View::By)
    }

    /// The spend filters the spec declares: all of them for the summary, all but the grouped
    /// one for a `by_*` view.
    pub(crate) fn filters(self) -> impl Iterator<Item = Dimension> {
        Dimension::ALL
            .into_iter()
            .filter(move |d| self != View::By(*d))
    }

    /// Every query parameter the spec declares for this view.
    pub(crate) fn declared(self) -> Vec<&'static str> {
        let mut names = Vec::new();
        if self == View::Summary {
            names.push(GRANULARITY);
        }
        names.extend([PRESET, START, END]);
        if self == View::Summary {
            names.extend([CARD_SPEND, REIMBURSABLE]);
        }
        names.extend(self.filters().map(Dimension::param));
        names
    }
}

/// A request's spend parameters, normalized: two queries that ask the same thing are equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub(crate) struct Params {
    /// Summary buckets.
    pub(crate) granularity: Granularity,
    /// The period counted.
    pub(crate) period: Period,
    /// `is_card_spend`: only (or no) corporate card spend.
    pub(crate) card_spend: Option<bool>,
    /// `is_reimbursable`: only (or no) reimbursable spend.
    pub(crate) reimbursable: Option<bool>,
    /// Spend filters: the dimension's value must be one of these (ids as printed).
    pub(crate) within: BTreeMap<Dimension, BTreeSet<String>>,
}

/// Reads `view`'s declared parameters from `pairs`; answers them and the other pairs.
pub(crate) fn parse(
    view: View,
    pairs: &[(String, String)],
) -> Result<(Params, Vec<(String, String)>), ApiError> {
    let declared = view.declared();
    let mut params = Params::default();
    let (mut start, mut end, mut preset) = (None, None, None);
    let mut seen = BTreeSet::new();
    let mut rest = Vec::new();
    for (key, value) in pairs {
        let Some(name) = declared.iter().copied().find(|d| d == key) else {
            rest.push((key.clone(), value.clone()));
            continue;
        };
        if !seen.insert(name) {
            return Err(invalid(format!("{name} is given more than once")));
        }
        match name {
            GRANULARITY => {
                params.granularity = one_of(name, value, &Granularity::ALL, Granularity::name)?;
            }
            PRESET => preset = Some(one_of(name, value, &Preset::ALL, Preset::name)?),
            START => start = Some(instant(name, value)?),
            END => end = Some(instant(name, value)?),
            CARD_SPEND => params.card_spend = Some(boolean(name, value)?),
            REIMBURSABLE => params.reimbursable = Some(boolean(name, value)?),
            _ => {
                let dimension = Dimension::ALL
                    .into_iter()
                    .find(|d| d.param() == name)
                    .ok_or_else(|| ApiError::Internal(format!("{name} has no dimension")))?;
                let items = operand(name, value, Operator::In)?;
                params.within.insert(
                    dimension,
                    items
                        .items()
                        .iter()
                        .map(|l| l.as_str().to_owned())
                        .collect(),
                );
            }
        }
    }
    params.period = match (start, end) {
        (Some(start), Some(end)) if start <= end => Period::Between { start, end },
        (Some(_), Some(_)) => {
            return Err(invalid(format!("{START} must not be after {END}")));
        }
        (None, None) => Period::Preset(preset.unwrap_or_default()),
        _ => {
            return Err(invalid(format!(
                "{START} and {END} go together (or use {PRESET})"
            )));
        }
    };
    Ok((params, rest))
}

fn invalid(message: String) -> ApiError {
    ApiError::InvalidQuery(message)
}

/// The value of `key=op.value`, refusing any other operator.
fn operand(key: &str, value: &str, op: Operator) -> Result<FilterValue, ApiError> {
    match Clause::parse_query_pair(key, value) {
        Ok(Clause::Condition(c)) if c.op() == op => Ok(c.value().clone()),
        Ok(_) => Err(invalid(format!(
            "{key} supports only the {op} operator, got {value:?}"
        ))),
        Err(e) => Err(invalid(format!("invalid {key}: {e}"))),
    }
}

/// The `eq` literal of `key`.
fn literal(key: &str, value: &str) -> Result<Literal, ApiError> {
    operand(key, value, Operator::Eq)?
        .as_literal()
        .cloned()
        .ok_or_else(|| invalid(format!("{key} takes one value")))
}

fn one_of<T: Copy>(
    key: &str,
    value: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<T, ApiError> {
    let text = literal(key, value)?;
    all.iter()
        .copied()
        .find(|t| name(*t) == text.as_str())
        .ok_or_else(|| {
            let names: Vec<String> = all.iter().map(|t| format!("eq.{}", name(*t))).collect();
            invalid(format!(
                "{key} must be one of {}, got {value:?}",
                names.join(", ")
            ))
        })
}

fn instant(key: &str, value: &str) -> Result<time::OffsetDateTime, ApiError> {
    literal(key, value)?.as_datetime().ok_or_else(|| {
        invalid(format!(
            "{key} must be eq.<ISO 8601 date-time>, got {value:?}"
        ))
    })
}

fn boolean(key: &str, value: &str) -> Result<bool, ApiError> {
    literal(key, value)?
        .as_bool()
        .ok_or_else(|| invalid(format!("{key} must be eq.true or eq.false, got {value:?}")))
}
