//! Time for the spend overview: the window a request covers (a preset calendar period or an
//! explicit start and end), the window before it that `change_percentage` compares with, and
//! the bucket (`time_interval_marker`) an instant falls in.

use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

use crate::errors::ApiError;

/// `time_interval_granularity`: how the summary buckets spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum Granularity {
    /// `YYYY-MM-DD`.
    Day,
    /// `YYYY-MM` (the spec's default).
    #[default]
    Month,
    /// `YYYY-QN`.
    Quarter,
    /// `YYYY`.
    Year,
}

impl Granularity {
    /// Every granularity, in the spec's order.
    pub(crate) const ALL: [Granularity; 4] = [
        Granularity::Day,
        Granularity::Month,
        Granularity::Quarter,
        Granularity::Year,
    ];

    /// The wire name (`month`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
            Granularity::Year => "year",
        }
    }

    /// The `time_interval_marker` of the bucket `t` (read in UTC) falls in: `2021-01-01`,
    /// `2021-01`, `2021-Q1`, `2021`.
    pub(crate) fn marker(self, t: OffsetDateTime) -> String {
        let t = t.to_offset(UtcOffset::UTC);
        let (year, month) = (t.year(), u8::from(t.month()));
        match self {
            Granularity::Day => format!("{year:04}-{month:02}-{:02}", t.day()),
            Granularity::Month => format!("{year:04}-{month:02}"),
            Granularity::Quarter => format!("{year:04}-Q{}", (month - 1) / 3 + 1),
            Granularity::Year => format!("{year:04}"),
        }
    }
}

/// `time_interval_preset`: a calendar period of "now" (the sandbox clock, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum Preset {
    /// `this_week`: Monday to Sunday.
    Week,
    /// `this_month`: the calendar month.
    Month,
    /// `this_quarter`: the calendar quarter.
    Quarter,
    /// `this_year`: the calendar year (the spec's default).
    #[default]
    Year,
}

impl Preset {
    /// Every preset, in the spec's order.
    pub(crate) const ALL: [Preset; 4] =
        [Preset::Week, Preset::Month, Preset::Quarter, Preset::Year];

    /// The wire name (`this_year`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Preset::Week => "this_week",
            Preset::Month => "this_month",
            Preset::Quarter => "this_quarter",
            Preset::Year => "this_year",
        }
    }

    /// The first day of the period `steps` periods after the one holding `day` (negative:
    /// before). `None` past the calendar's range.
    fn start(self, day: Date, steps: i32) -> Option<Date> {
        let month0 = i32::from(u8::from(day.month())) - 1;
        match self {
            Preset::Week => {
                let monday = day.checked_sub(Duration::days(i64::from(
                    day.weekday().number_days_from_monday(),
                )))?;
                monday.checked_add(Duration::weeks(i64::from(steps)))
            }
            Preset::Month => month_start(day.year(), month0 + steps),
            Preset::Quarter => month_start(day.year(), month0 - month0 % 3 + 3 * steps),
            Preset::Year => month_start(day.year() + steps, 0),
        }
    }
}

/// The first day of month `month0` (0-based, any integer) counted from January of `year`.
fn month_start(year: i32, month0: i32) -> Option<Date> {
    let year = year.checked_add(month0.div_euclid(12))?;
    let month = Month::try_from(u8::try_from(month0.rem_euclid(12) + 1).ok()?).ok()?;
    Date::from_calendar_date(year, month, 1).ok()
}

fn midnight(day: Date) -> OffsetDateTime {
    day.midnight().assume_offset(UtcOffset::UTC)
}

/// What a request asks for: a preset, or an explicit start and end (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Period {
    /// `time_interval_preset` (or its default, `this_year`).
    Preset(Preset),
    /// `time_interval_start` and `time_interval_end`.
    Between {
        /// The first instant counted.
        start: OffsetDateTime,
        /// The last instant counted.
        end: OffsetDateTime,
    },
}

impl Default for Period {
    fn default() -> Period {
        Period::Preset(Preset::default())
    }
}

/// A half-open span of time, `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Window {
    pub(crate) start: OffsetDateTime,
    pub(crate) end: OffsetDateTime,
}

impl Window {
    /// Whether `t` falls in the window.
    pub(crate) fn contains(&self, t: OffsetDateTime) -> bool {
        self.start <= t && t < self.end
    }
}

/// The window a request covers and the one `change_percentage` compares it with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Windows {
    /// The spend counted.
    pub(crate) current: Window,
    /// "The same time period one time interval ago": the previous calendar period of a preset,
    /// or the span of the same length just before an explicit window.
    pub(crate) previous: Window,
}

impl Period {
    /// The windows this period covers when "now" is `now`.
    pub(crate) fn windows(self, now: OffsetDateTime) -> Result<Windows, ApiError> {
        let out_of_range = || ApiError::InvalidQuery("the time interval is out of range".into());
        match self {
            Period::Preset(preset) => {
                let today = now.to_offset(UtcOffset::UTC).date();
                let at = |steps| {
                    preset
                        .start(today, steps)
                        .map(midnight)
                        .ok_or_else(out_of_range)
                };
                let (previous, start, next) = (at(-1)?, at(0)?, at(1)?);
                Ok(Windows {
                    current: Window { start, end: next },
                    previous: Window {
                        start: previous,
                        end: start,
                    },
                })
            }
            Period::Between { start, end } => {
                // The end is inclusive; spend is stamped to the microsecond.
                let end = end
                    .checked_add(Duration::microseconds(1))
                    .ok_or_else(out_of_range)?;
                let previous_start = start.checked_sub(end - start).ok_or_else(out_of_range)?;
                Ok(Windows {
                    current: Window { start, end },
                    previous: Window {
                        start: previous_start,
                        end: start,
                    },
                })
            }
        }
    }
}
