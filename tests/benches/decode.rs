//! Decoding one 200-expense page: into the generated types, into `serde_json::Value`, and with
//! sonic-rs (a SIMD parser, a reference only: the SDK does not depend on it).

use std::time::{Duration, Instant};

use anyhow::ensure;
use fyle::Page;
use fyle::models::types::ExpenseOut;

use crate::floor::PAGE;
use crate::table::{Table, kb, per_second};

/// Section 3: MB/s of each decoder over `body` (a page of [`PAGE`] expenses).
pub(crate) fn decode(body: &[u8], time: Duration, table: &mut Table) -> anyhow::Result<()> {
    let typed = rate(body, time, |bytes| {
        let page: Page<ExpenseOut> = serde_json::from_slice(bytes)?;
        Ok(page.items.len())
    })?;
    let value = rate(body, time, |bytes| {
        let page: serde_json::Value = serde_json::from_slice(bytes)?;
        Ok(page["data"].as_array().map_or(0, Vec::len))
    })?;
    let sonic_typed = rate(body, time, |bytes| {
        let page: Page<ExpenseOut> = sonic_rs::from_slice(bytes)?;
        Ok(page.items.len())
    })?;
    let sonic_value = rate(body, time, |bytes| {
        use sonic_rs::{JsonContainerTrait as _, JsonValueTrait as _};
        let page: sonic_rs::Value = sonic_rs::from_slice(bytes)?;
        Ok(page
            .get("data")
            .and_then(|d| d.as_array().map(sonic_rs::Array::len))
            .unwrap_or(0))
    })?;
    let section = format!("3 decode a {PAGE}-expense page ({:.0} KB)", kb(body.len()));
    for (decoder, mb_per_second) in [
        ("serde_json into Page<ExpenseOut>", typed),
        ("serde_json into serde_json::Value", value),
        ("sonic-rs into Page<ExpenseOut> (reference)", sonic_typed),
        ("sonic-rs into sonic_rs::Value (reference)", sonic_value),
    ] {
        table.row(&section, decoder, format!("{mb_per_second:.0} MB/s"));
    }
    table.ratio(
        &section,
        "ratio typed/Value, serde_json (issue 12: >= 1.5)",
        typed / value,
    );
    table.ratio(
        &section,
        "ratio serde_json typed / sonic-rs Value",
        typed / sonic_value,
    );
    Ok(())
}

/// MB/s of `decode` over `body`, looping for about `time`.
fn rate(
    body: &[u8],
    time: Duration,
    decode: impl Fn(&[u8]) -> anyhow::Result<usize>,
) -> anyhow::Result<f64> {
    let items = decode(body)?;
    ensure!(
        u64::try_from(items).is_ok_and(|n| n == PAGE),
        "the page holds {items} items, not {PAGE}"
    );
    let started = Instant::now();
    let mut rounds = 0_u64;
    while started.elapsed() < time {
        std::hint::black_box(decode(std::hint::black_box(body))?);
        rounds += 1;
    }
    Ok(per_second(rounds * body.len() as u64, started.elapsed()) / 1e6)
}
