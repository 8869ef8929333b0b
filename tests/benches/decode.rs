//! Decoding one 200-expense page: into the generated types, into `serde_json::Value`, and with
//! sonic-rs (a SIMD parser, a reference only: the SDK does not depend on it). Measured in CPU
//! time of the decoding thread, with the decoders interleaved.

use std::time::{Duration, Instant};

use anyhow::ensure;
use fyle::Page;
use fyle::models::types::ExpenseOut;

use crate::floor::PAGE;
use crate::table::{Table, kb, per_second};

/// Decodes per turn of one decoder (about 20 ms of work for a 200-expense page).
const SLICE: u32 = 4;

/// A decoder under test: the items it found in a page.
type Decoder = fn(&[u8]) -> anyhow::Result<usize>;

/// Section 3: MB/s of each decoder over `body` (a page of [`PAGE`] expenses), per CPU second of
/// this thread.
pub(crate) fn decode(body: &[u8], time: Duration, table: &mut Table) -> anyhow::Result<()> {
    let decoders: [(&str, Decoder); 4] = [
        ("serde_json into Page<ExpenseOut>", |bytes| {
            let page: Page<ExpenseOut> = serde_json::from_slice(bytes)?;
            Ok(page.items.len())
        }),
        ("serde_json into serde_json::Value", |bytes| {
            let page: serde_json::Value = serde_json::from_slice(bytes)?;
            Ok(page["data"].as_array().map_or(0, Vec::len))
        }),
        ("sonic-rs into Page<ExpenseOut> (reference)", |bytes| {
            let page: Page<ExpenseOut> = sonic_rs::from_slice(bytes)?;
            Ok(page.items.len())
        }),
        ("sonic-rs into sonic_rs::Value (reference)", |bytes| {
            use sonic_rs::{JsonContainerTrait as _, JsonValueTrait as _};
            let page: sonic_rs::Value = sonic_rs::from_slice(bytes)?;
            Ok(page
                .get("data")
                .and_then(|d| d.as_array().map(sonic_rs::Array::len))
                .unwrap_or(0))
        }),
    ];
    let rates = interleaved(body, time, &decoders.map(|(_, d)| d))?;
    let section = format!("3 decode a {PAGE}-expense page ({:.0} KB)", kb(body.len()));
    for (&(decoder, _), mb_per_second) in decoders.iter().zip(rates) {
        table.row(&section, decoder, format!("{mb_per_second:.0} MB/s"));
    }
    let [typed, value, _, sonic_value] = rates;
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

/// MB per CPU second of each decoder over `body`, for about `time` in all. The decoders take
/// turns in short slices, each timed by this thread's CPU clock, so a neighbour's load or a
/// frequency change falls on all of them alike instead of on whichever ran during it.
fn interleaved<const N: usize>(
    body: &[u8],
    time: Duration,
    decoders: &[Decoder; N],
) -> anyhow::Result<[f64; N]> {
    for decode in decoders {
        let items = decode(body)?;
        ensure!(
            u64::try_from(items).is_ok_and(|n| n == PAGE),
            "the page holds {items} items, not {PAGE}"
        );
    }
    let mut spent = [Duration::ZERO; N];
    let mut rounds = [0_u64; N];
    let started = Instant::now();
    while started.elapsed() < time {
        for (at, decode) in decoders.iter().enumerate() {
            let before = crate::cpu::this_thread()?;
            for _ in 0..SLICE {
                std::hint::black_box(decode(std::hint::black_box(body))?);
            }
            spent[at] += crate::cpu::this_thread()?.saturating_sub(before);
            rounds[at] += u64::from(SLICE);
        }
    }
    Ok(std::array::from_fn(|at| {
        per_second(rounds[at] * body.len() as u64, spent[at]) / 1e6
    }))
}
