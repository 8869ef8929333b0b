//! Preset windows and their comparison windows, and readiness (`202` until computed).

use std::time::{Duration, Instant};

use serde_json::json;
use time::macros::datetime;

use super::q1;
use crate::spend_overview::aggregate::Computed;
use crate::spend_overview::params::{Dimension, Params, View};
use crate::spend_overview::readiness::{Answer, Computations, Key};
use crate::spend_overview::window::{Granularity, Period, Preset};

#[test]
fn presets_are_calendar_periods_and_compare_with_the_one_before() {
    // A Wednesday in May.
    let now = datetime!(2026-05-13 15:30 UTC);
    let w = |p| Period::Preset(p).windows(now).expect("windows");
    let week = w(Preset::Week);
    assert_eq!(week.current.start, datetime!(2026-05-11 0:00 UTC));
    assert_eq!(week.current.end, datetime!(2026-05-18 0:00 UTC));
    assert_eq!(week.previous.start, datetime!(2026-05-04 0:00 UTC));
    let month = w(Preset::Month);
    assert_eq!(month.previous.start, datetime!(2026-04-01 0:00 UTC));
    assert_eq!(month.current.end, datetime!(2026-06-01 0:00 UTC));
    let quarter = w(Preset::Quarter);
    assert_eq!(quarter.current.start, datetime!(2026-04-01 0:00 UTC));
    assert_eq!(quarter.previous.start, datetime!(2026-01-01 0:00 UTC));
    assert_eq!(quarter.current.end, datetime!(2026-07-01 0:00 UTC));
    let year = w(Preset::Year);
    assert_eq!(year.current.start, datetime!(2026-01-01 0:00 UTC));
    assert_eq!(year.previous.start, datetime!(2025-01-01 0:00 UTC));
    // January's previous month and quarter are last year's.
    let january = datetime!(2026-01-02 0:00 UTC);
    let m = Period::Preset(Preset::Month)
        .windows(january)
        .expect("windows");
    assert_eq!(m.previous.start, datetime!(2025-12-01 0:00 UTC));
    let q = Period::Preset(Preset::Quarter)
        .windows(january)
        .expect("windows");
    assert_eq!(q.previous.start, datetime!(2025-10-01 0:00 UTC));
    // An explicit window includes its end; the one before has the same length.
    let explicit = q1().windows(now).expect("windows");
    assert!(
        explicit
            .current
            .contains(datetime!(2026-03-31 23:59:59.999999 UTC))
    );
    assert!(!explicit.current.contains(datetime!(2026-04-01 0:00 UTC)));
    assert_eq!(explicit.previous.end, datetime!(2026-01-01 0:00 UTC));
    assert_eq!(
        Granularity::Quarter.marker(datetime!(2026-12-31 23:00 UTC)),
        "2026-Q4"
    );
}

#[test]
fn a_query_is_accepted_then_ready_and_a_write_starts_it_over() {
    let key = Key {
        org_id: "orTest".into(),
        view: View::Summary,
        params: Params::default(),
        windows: q1()
            .windows(datetime!(2026-05-01 0:00 UTC))
            .expect("windows"),
    };
    let ready = |a: &Answer| matches!(a, Answer::Ready(_));
    let body = || Computed::Summary(json!({"data": []}));
    let t0 = Instant::now();

    let now = Computations::new(Duration::ZERO);
    assert!(!ready(&now.answer(key.clone(), 1, t0, body)));
    assert!(ready(&now.answer(key.clone(), 1, t0, body)));
    assert!(ready(&now.answer(key.clone(), 1, t0, body)));
    // Another query is computed on its own.
    let other = Key {
        view: View::By(Dimension::User),
        ..key.clone()
    };
    assert!(!ready(&now.answer(other, 1, t0, body)));
    // The org's data changed (version 2): computed again.
    assert!(!ready(&now.answer(key.clone(), 2, t0, body)));
    assert!(ready(&now.answer(key.clone(), 2, t0, body)));

    let slow = Computations::new(Duration::from_secs(30));
    match slow.answer(key.clone(), 1, t0, body) {
        Answer::Accepted { retry_after } => assert_eq!(retry_after, Duration::from_secs(30)),
        Answer::Ready(_) => panic!("the first request is accepted"),
    }
    match slow.answer(key.clone(), 1, t0 + Duration::from_secs(10), body) {
        Answer::Accepted { retry_after } => assert_eq!(retry_after, Duration::from_secs(20)),
        Answer::Ready(_) => panic!("not ready before 30 s"),
    }
    assert!(ready(&slow.answer(
        key,
        1,
        t0 + Duration::from_secs(30),
        body
    )));
}
