//! The resources the sandbox simulates by hand, and the facts about each (path name, id kind,
//! ownership, embedded keys) that the store, the listing and the writes share.

/// The resources the sandbox keeps state for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Resource {
    /// `expenses` (ids `tx…`).
    Expenses,
    /// `reports` (ids `rp…`).
    Reports,
    /// `employees` (ids `ou…`, users `us…`).
    Employees,
    /// `departments` (ids `dept…`).
    Departments,
    /// `categories` (integer ids).
    Categories,
    /// `projects` (integer ids).
    Projects,
    /// `cost_centers` (integer ids).
    CostCenters,
    /// `corporate_cards` (ids `bacc…`).
    CorporateCards,
    /// `corporate_card_transactions` (ids `btxn…`).
    CorporateCardTransactions,
    /// `files` (ids `fi…`).
    Files,
}

impl Resource {
    /// Every resource, in a stable order.
    pub const ALL: [Resource; 10] = [
        Resource::Expenses,
        Resource::Reports,
        Resource::Employees,
        Resource::Departments,
        Resource::Categories,
        Resource::Projects,
        Resource::CostCenters,
        Resource::CorporateCards,
        Resource::CorporateCardTransactions,
        Resource::Files,
    ];

    /// The path segment (`/admin/<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Resource::Expenses => "expenses",
            Resource::Reports => "reports",
            Resource::Employees => "employees",
            Resource::Departments => "departments",
            Resource::Categories => "categories",
            Resource::Projects => "projects",
            Resource::CostCenters => "cost_centers",
            Resource::CorporateCards => "corporate_cards",
            Resource::CorporateCardTransactions => "corporate_card_transactions",
            Resource::Files => "files",
        }
    }

    /// Parses a path segment.
    pub fn from_name(name: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Whether ids are integers (categories, projects, cost centers).
    pub(crate) fn integer_ids(self) -> bool {
        matches!(
            self,
            Resource::Categories | Resource::Projects | Resource::CostCenters
        )
    }

    /// The id prefix for string ids.
    pub(crate) fn id_prefix(self) -> &'static str {
        match self {
            Resource::Expenses => "tx",
            Resource::Reports => "rp",
            Resource::Employees => "ou",
            Resource::Departments => "dept",
            Resource::CorporateCards => "bacc",
            Resource::CorporateCardTransactions => "btxn",
            Resource::Files => "fi",
            Resource::Categories | Resource::Projects | Resource::CostCenters => "",
        }
    }

    /// Whether a spender/approver sees only rows owned by themselves / their approvees.
    pub(crate) fn owned_by_user(self) -> bool {
        matches!(
            self,
            Resource::Expenses
                | Resource::Reports
                | Resource::CorporateCards
                | Resource::CorporateCardTransactions
                | Resource::Files
        )
    }

    /// Top-level keys filled in at materialization from other tables.
    pub(crate) fn embedded_keys(self) -> &'static [&'static str] {
        match self {
            Resource::Expenses => &[
                "user",
                "employee",
                "category",
                "project",
                "cost_center",
                "report",
            ],
            Resource::Reports => &["user", "employee"],
            Resource::Employees => &["department"],
            Resource::CorporateCardTransactions => &["corporate_card"],
            _ => &[],
        }
    }
}
