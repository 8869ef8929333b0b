//! Create an expense, upload its receipt through the presigned URL, attach it, read it back.
//!
//! ```text
//! cargo run --example upload_receipt -- [--file receipt.pdf] [--merchant NAME] [--amount 42.50]
//! ```
//!
//! With `FYLE_CLIENT_ID`, `FYLE_CLIENT_SECRET` and `FYLE_REFRESH_TOKEN` set it creates the
//! expense in your Fyle org (as the user of the refresh token). Without them it uses a
//! sandbox started in this process. Without `--file` it uploads a generated one-page PDF.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use fyle_examples_common::connect::connect;
use fyle_examples_common::receipt::{NewExpense, file_receipt, sample_receipt_pdf};
use fyle_sandbox::SandboxConfig;
use rust_decimal::Decimal;

/// File an expense with its receipt.
#[derive(Parser)]
struct Args {
    /// The receipt to upload (default: a generated PDF).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Merchant.
    #[arg(long, default_value = "Blue Bottle Coffee")]
    merchant: String,
    /// Amount in the org's currency.
    #[arg(long, default_value = "42.50")]
    amount: Decimal,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let connection = connect(SandboxConfig::default()).await?;
    if let Some(sandbox) = &connection.sandbox {
        eprintln!(
            "No FYLE_* credentials set: using the embedded sandbox at {}.",
            sandbox.url()
        );
    }
    let (name, bytes) = match &args.file {
        Some(path) => {
            let name = path
                .file_name()
                .map_or("receipt".into(), |n| n.to_string_lossy());
            (name.into_owned(), std::fs::read(path)?)
        }
        None => (
            "receipt.pdf".to_owned(),
            sample_receipt_pdf(&args.merchant, args.amount),
        ),
    };

    let expense = NewExpense {
        merchant: args.merchant,
        purpose: "Receipt uploaded by the fyle-rs upload_receipt example".to_owned(),
        amount: args.amount,
    };
    let filed = file_receipt(&connection.client, expense, &name, bytes.clone()).await?;

    println!("expense  {}", filed.expense_id);
    println!(
        "file     {} ({})",
        filed.file_id,
        filed.content_type.as_deref().unwrap_or("?")
    );
    println!(
        "attached {}",
        filed.expense_file_ids.contains(&filed.file_id)
    );
    println!(
        "download {} bytes, identical to the upload: {}",
        filed.downloaded.len(),
        filed.downloaded == bytes
    );
    Ok(())
}
