//! The query parameters of every view, against the raw spec, and the refusal of bad ones.

use crate::spend_overview::params::{self, Dimension, Params, View};

#[test]
fn the_parameters_are_the_specs() {
    let spec = fyle_spec_check::Spec::load_default().expect("the spec folder (FYLE_SPEC_DIR)");
    let operations = spec.operations().expect("operations");
    let mut checked = 0;
    for op in operations
        .iter()
        .filter(|o| o.path.starts_with("/admin/spend_overview/"))
    {
        let segment = op.path.rsplit('/').next().unwrap_or_default();
        let view = View::from_segment(segment).expect("every spend overview has a view");
        let mut ours = view.declared();
        ours.sort_unstable();
        let mut theirs: Vec<&str> = op.parameters.iter().map(|p| p.name.as_str()).collect();
        theirs.sort_unstable();
        assert_eq!(ours, theirs, "{}", op.path);
        assert!(op.responses.contains_key("202"), "{}", op.path);
        checked += 1;
    }
    assert_eq!(checked, 7);
}

#[test]
fn bad_parameters_are_refused_with_their_name() {
    let refused = |view, pairs: &[(&str, &str)]| {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        match params::parse(view, &pairs) {
            Err(crate::errors::ApiError::InvalidQuery(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    let m = refused(View::Summary, &[("merchant", "eq.Uber")]);
    assert!(m.contains("merchant") && m.contains("in"), "{m}");
    let m = refused(View::Summary, &[("time_interval_granularity", "eq.week")]);
    assert!(m.contains("eq.quarter"), "{m}");
    let m = refused(View::Summary, &[("time_interval_start", "eq.2026-01-01")]);
    assert!(m.contains("time_interval_end"), "{m}");
    let m = refused(
        View::Summary,
        &[
            ("time_interval_start", "eq.2026-02-01"),
            ("time_interval_end", "eq.2026-01-01"),
        ],
    );
    assert!(m.contains("after"), "{m}");
    let m = refused(View::Summary, &[("is_card_spend", "eq.maybe")]);
    assert!(m.contains("is_card_spend"), "{m}");
    let m = refused(
        View::Summary,
        &[("user_id", "in.(a)"), ("user_id", "in.(b)")],
    );
    assert!(m.contains("more than once"), "{m}");
    // The same query written two ways is one query.
    let a = params::parse(
        View::Summary,
        &[
            ("user_id".into(), "in.(b,a)".into()),
            ("merchant".into(), "in.(x)".into()),
        ],
    )
    .expect("valid");
    let b = params::parse(
        View::Summary,
        &[
            ("merchant".into(), "in.(x)".into()),
            ("user_id".into(), "in.(a,b,a)".into()),
        ],
    )
    .expect("valid");
    assert_eq!(a.0, b.0);
    // A by_* view hands back what it does not declare (its page's pairs).
    let (p, rest) = params::parse(
        View::By(Dimension::Merchant),
        &[
            ("merchant".into(), "in.(x)".into()),
            ("limit".into(), "5".into()),
        ],
    )
    .expect("valid");
    assert_eq!(p, Params::default());
    assert_eq!(rest.len(), 2);
}
