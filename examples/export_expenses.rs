//! The SDK in a few lines: stream every approved expense in stable order and print it as CSV.
//! (The full accounting export, with checkpoints, custom fields and xlsx, is the CLI:
//! `cargo run -p fyle-cli -- export expenses --sandbox --out expenses.csv`.)
//!
//! ```text
//! cargo run --example export_expenses > approved.csv
//! ```
//!
//! With `FYLE_CLIENT_ID`, `FYLE_CLIENT_SECRET` and `FYLE_REFRESH_TOKEN` set it reads your Fyle
//! org; without them it starts a seeded sandbox in this process and says so on stderr.

use futures::TryStreamExt;
use fyle::query::Filter;
use fyle_examples_common::connect::connect;
use fyle_sandbox::SandboxConfig;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let connection = connect(SandboxConfig::default()).await?;
    if let Some(sandbox) = &connection.sandbox {
        eprintln!(
            "No FYLE_* credentials: reading the embedded sandbox at {}.",
            sandbox.url()
        );
    }
    let approved = Filter::new().is_in("state", ["APPROVED", "PAYMENT_PROCESSING", "PAID"]);
    let mut expenses = connection
        .client
        .admin()
        .expenses()
        .list()
        .filter(approved)
        .stable()
        .stream();
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record(["id", "spent_at", "merchant", "currency", "amount"])?;
    let mut rows = 0;
    while let Some(expense) = expenses.try_next().await? {
        out.write_record([
            expense.id.unwrap_or_default(),
            expense
                .spent_at
                .map(|at| at.date().to_string())
                .unwrap_or_default(),
            expense.merchant.unwrap_or_default(),
            expense.currency.unwrap_or_default(),
            expense.amount.map(|a| a.to_string()).unwrap_or_default(),
        ])?;
        rows += 1;
    }
    out.flush()?;
    eprintln!("{rows} approved expenses.");
    Ok(())
}
