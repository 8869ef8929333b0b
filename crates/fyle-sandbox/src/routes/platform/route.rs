//! Which hand-written route a request resolves to, and which resources each role may list
//! and write there (the rest goes to the spec-driven store).

use axum::http::Method;

use crate::store::Resource;
use crate::writes::ActAs;

/// What a request resolved to.
pub(super) enum Route<'p> {
    List(Resource),
    MyProfile,
    CurrentEmployee,
    Download,
    Upsert(Resource),
    BulkUpsert(Resource),
    DeleteBulk(Resource),
    Submit,
    AddExpenses,
    Approve {
        bulk: bool,
    },
    MarkPaid,
    AttachReceipt,
    AttachFilesBulk,
    Invite,
    GenerateUrls {
        bulk: bool,
    },
    /// `GET /admin/spend_overview/{view}`.
    SpendOverview(&'p str),
    #[allow(dead_code)] // kept for readable matches
    Other(&'p str),
}

/// The hand-written route `method` on `/{role}/{resource}/{rest...}` resolves to, if any.
pub(super) fn route<'p>(
    method: &Method,
    act: ActAs,
    resource: &'p str,
    rest: &[&'p str],
) -> Option<Route<'p>> {
    use ActAs::{Admin, Approver, Spender};
    let r = Resource::from_name(resource);
    let get = *method == Method::GET;
    let post = *method == Method::POST;
    Some(match (get, post, resource, rest, act) {
        (true, _, "my_profile", [], Spender) => Route::MyProfile,
        (true, _, "employees", ["current"], Spender) => Route::CurrentEmployee,
        (true, _, "files", ["download"], _) => Route::Download,
        (true, _, "files", [], _) => return None,
        (true, _, "spend_overview", [view], Admin) => Route::SpendOverview(view),
        (true, _, _, [], _) => Route::List(r?),
        (_, true, "files", [] | ["bulk"], Spender | Admin) => {
            if rest.is_empty() {
                Route::Upsert(Resource::Files)
            } else {
                Route::BulkUpsert(Resource::Files)
            }
        }
        (_, true, "files", ["bulk"], Approver) => Route::BulkUpsert(Resource::Files),
        (_, true, "files", ["generate_urls"], _) => Route::GenerateUrls { bulk: false },
        (_, true, "files", ["generate_urls", "bulk"], _) => Route::GenerateUrls { bulk: true },
        (_, true, "files", ["delete", "bulk"], _) => Route::DeleteBulk(Resource::Files),
        (_, true, "reports", ["submit"], Spender) => Route::Submit,
        (_, true, "reports", ["add_expenses"], Spender) => Route::AddExpenses,
        (_, true, "reports", ["approve", "bulk"], Admin) => Route::Approve { bulk: true },
        (_, true, "reports", ["partially_approve"], Approver) => Route::Approve { bulk: false },
        (_, true, "reports", ["partially_approve", "bulk"], Approver) => {
            Route::Approve { bulk: true }
        }
        (_, true, "reports", ["mark_paid", "bulk"], Admin) => Route::MarkPaid,
        (_, true, "reports", ["delete", "bulk"], Spender) => Route::DeleteBulk(Resource::Reports),
        (_, true, "expenses", ["attach_receipt"], Spender) => Route::AttachReceipt,
        (_, true, "expenses", ["attach_files", "bulk"], _) => Route::AttachFilesBulk,
        (_, true, "employees", ["invite", "bulk"], Admin) => Route::Invite,
        (_, true, "employees", _, _) => return None,
        (_, true, _, [], _) => Route::Upsert(r?),
        (_, true, _, ["bulk"], _) => Route::BulkUpsert(r?),
        (_, true, _, ["delete", "bulk"], _) => Route::DeleteBulk(r?),
        (_, true, "corporate_card_transactions", ["delete"], Admin) => {
            Route::DeleteBulk(Resource::CorporateCardTransactions)
        }
        _ => return None,
    })
}

/// Which resources a role may upsert / bulk / delete.
pub(super) fn writable(act: ActAs, r: Resource) -> bool {
    match act {
        ActAs::Admin => !matches!(r, Resource::Employees),
        ActAs::Spender => matches!(r, Resource::Expenses | Resource::Reports | Resource::Files),
        ActAs::Approver => matches!(r, Resource::Expenses | Resource::Files),
    }
}

/// Which resources a role may list.
pub(super) fn listable(act: ActAs, r: Resource) -> bool {
    match act {
        ActAs::Admin | ActAs::Spender => r != Resource::Files,
        ActAs::Approver => !matches!(
            r,
            Resource::Files | Resource::Departments | Resource::CorporateCardTransactions
        ),
    }
}

/// Whether the hand-written routes simulate `route` for `act` (else the generic store does).
pub(super) fn handled(act: ActAs, route: &Route<'_>) -> bool {
    match route {
        Route::List(r) => listable(act, *r),
        Route::Upsert(r) | Route::BulkUpsert(r) | Route::DeleteBulk(r) => writable(act, *r),
        _ => true,
    }
}
