//! An expense with a receipt uploaded through the presigned URL, against the sandbox.

use fyle_examples_common::connect::sandbox_client;
use fyle_examples_common::receipt::{NewExpense, file_receipt, sample_receipt_pdf};
use fyle_sandbox::{Resource, Sandbox, SandboxConfig};
use rust_decimal::Decimal;

#[tokio::test]
async fn receipt_round_trips_and_is_attached() {
    let config = SandboxConfig {
        expenses: 100,
        rate_limit: 0,
        ..SandboxConfig::default()
    };
    let sandbox = Sandbox::start(config).await.expect("sandbox starts");
    let info = sandbox.info();
    // A plain spender (not the admin), as the person who snapped the receipt.
    let org = &info.orgs[0];
    let spender = org
        .users
        .iter()
        .find(|u| u.roles == ["FYLER"])
        .expect("a spender-only user");
    let client = sandbox_client(info, &spender.refresh_token).expect("client");

    let amount = Decimal::new(4250, 2);
    let pdf = sample_receipt_pdf("Blue Bottle Coffee", amount);
    assert!(pdf.starts_with(b"%PDF-1.4") && pdf.ends_with(b"%%EOF\n"));
    let expense = NewExpense {
        merchant: "Blue Bottle Coffee".to_owned(),
        purpose: "Team coffee".to_owned(),
        amount,
    };
    let filed = file_receipt(&client, expense, "receipt.pdf", pdf.clone())
        .await
        .expect("filed");

    assert!(filed.expense_file_ids.contains(&filed.file_id), "{filed:?}");
    assert_eq!(filed.downloaded, pdf, "downloaded bytes equal the upload");
    assert_eq!(filed.content_type.as_deref(), Some("application/pdf"));

    // The sandbox's own view: the expense is the spender's, with the file attached.
    let stored = sandbox
        .get(&org.org_id, Resource::Expenses, &filed.expense_id)
        .expect("expense stored");
    assert_eq!(stored["user_id"], spender.user_id.as_str());
    assert_eq!(stored["merchant"], "Blue Bottle Coffee");
    assert_eq!(stored["file_ids"], serde_json::json!([filed.file_id]));
    let file = sandbox
        .get(&org.org_id, Resource::Files, &filed.file_id)
        .expect("file stored");
    assert_eq!(file["user_id"], spender.user_id.as_str());
}
