//! A spender's receipt: create an expense, upload the receipt through the presigned URL,
//! attach it, and read both back.
//!
//! The facade's [`Files`](fyle::files::Files) helper does the presigned part: it creates the
//! file record, PUTs the bytes to the `upload_url` with the content type Fyle chose and no
//! Authorization header (the URL is the credential), and downloads by following Fyle's
//! redirect without the Bearer token.

use std::fmt::Write as _;

use anyhow::Context;
use fyle::Client;
use fyle::files::{FileRole, Upload};
use fyle::models::types::SpenderExpenseIn;
use rust_decimal::Decimal;
use time::OffsetDateTime;

/// The expense to create.
#[derive(Debug, Clone)]
pub struct NewExpense {
    /// Merchant.
    pub merchant: String,
    /// Purpose.
    pub purpose: String,
    /// Amount, in the org's currency.
    pub amount: Decimal,
}

/// What [`file_receipt`] did, as read back from Fyle.
#[derive(Debug, Clone)]
pub struct FiledReceipt {
    /// The new expense (`tx...`).
    pub expense_id: String,
    /// The uploaded file (`fi...`).
    pub file_id: String,
    /// The expense's `file_ids` after attaching.
    pub expense_file_ids: Vec<String>,
    /// The content type Fyle derived from the file name.
    pub content_type: Option<String>,
    /// The bytes downloaded back.
    pub downloaded: Vec<u8>,
}

/// Creates an expense as the spender, uploads `bytes` as receipt `file_name`, attaches it,
/// then reads the expense and the file back.
pub async fn file_receipt(
    client: &Client,
    expense: NewExpense,
    file_name: &str,
    bytes: Vec<u8>,
) -> anyhow::Result<FiledReceipt> {
    // 1. The expense.
    let created = client
        .spender()
        .expenses()
        .upsert(&SpenderExpenseIn {
            merchant: expense.merchant.into(),
            purpose: Some(expense.purpose),
            claim_amount: Some(expense.amount),
            spent_at: OffsetDateTime::now_utc().into(),
            ..SpenderExpenseIn::default()
        })
        .await
        .context("creating the expense")?;
    let expense_id = created
        .id
        .context("Fyle returned the new expense without an id")?;

    // 2. The receipt, through the presigned upload URL.
    let files = client.files(FileRole::Spender);
    let file = files
        .upload(Upload::new(file_name, bytes))
        .await
        .context("uploading the receipt")?;

    // 3. Attach it to the expense.
    files
        .attach(&expense_id, &file.id)
        .await
        .context("attaching the receipt")?;

    // 4. Read back: the expense lists the file, and the file has our bytes.
    let expense = client
        .spender()
        .expenses()
        .get(&expense_id)
        .await
        .context("reading the expense back")?;
    let download = files
        .download(&file.id)
        .await
        .context("downloading the receipt")?;
    Ok(FiledReceipt {
        expense_id,
        file_id: file.id,
        expense_file_ids: expense.file_ids.unwrap_or_default(),
        content_type: download.content_type.or(file.content_type),
        downloaded: download.bytes.to_vec(),
    })
}

/// A one-page PDF receipt (so the example needs no file on disk).
pub fn sample_receipt_pdf(merchant: &str, amount: Decimal) -> Vec<u8> {
    let text = format!("BT /F1 18 Tf 72 720 Td (Receipt: {merchant}, total {amount}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    // Writing to a String cannot fail.
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        let _ = write!(pdf, "{} 0 obj\n{object}\nendobj\n", i + 1);
    }
    let xref = pdf.len();
    let _ = write!(pdf, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for offset in offsets {
        let _ = writeln!(pdf, "{offset:010} 00000 n ");
    }
    let _ = write!(
        pdf,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.into_bytes()
}
