//! The command line, as clap derives it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::exit::EXIT_CODES_HELP;

/// The command line for the Fyle Platform API: log in, call any operation, export expenses
/// for accounting.
///
/// Try it with no account: every command takes --sandbox and runs against an embedded, seeded
/// local Fyle.
#[derive(Debug, Parser)]
#[command(name = "fyle", version, after_help = EXIT_CODES_HELP)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Run against an embedded, seeded sandbox (a local Fyle; no account needed).
    #[arg(long, global = true)]
    pub(crate) sandbox: bool,
    /// Expenses the embedded sandbox seeds (with --sandbox).
    #[arg(long, global = true, value_name = "N", default_value_t = 500)]
    pub(crate) sandbox_expenses: usize,
    /// The profile to use (see `fyle login`); default: FYLE_CLIENT_ID/FYLE_CLIENT_SECRET/
    /// FYLE_REFRESH_TOKEN when set, else the profile named `default`.
    #[arg(long, global = true, env = "FYLE_PROFILE", value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// No progress bar and no messages on stderr, only errors.
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,
    /// More detail on stderr (-v: requests, -vv: everything); RUST_LOG works too.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Log in and save a profile (secrets go to the OS keyring, or a 0600 file).
    Login(LoginArgs),
    /// Show who the current credentials act as: user, org, roles and cluster.
    Whoami(WhoamiArgs),
    /// Call any operation: `fyle api GET /admin/expenses -f state=eq.PAID --all`.
    #[command(after_help = EXIT_CODES_HELP)]
    Api(ApiArgs),
    /// List the operations of the Fyle Platform API, or search them.
    Ops(OpsArgs),
    /// Show a type's fields (`fyle schema ExpenseOut` or `fyle schema expense_out`).
    Schema(SchemaArgs),
    /// Export expenses (for accounting), reports, employees or master data.
    #[command(after_help = EXIT_CODES_HELP)]
    Export(ExportArgs),
    /// Run the local Fyle (the sandbox) and print its credentials, until Ctrl-C.
    Sandbox(SandboxArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// `fyle login`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The app's client id.
    #[arg(long, env = "FYLE_CLIENT_ID")]
    pub(crate) client_id: String,
    /// The app's client secret.
    #[arg(long, env = "FYLE_CLIENT_SECRET", hide_env_values = true)]
    pub(crate) client_secret: String,
    /// An internal app's refresh token. Without it, the partner OAuth flow runs: your browser
    /// opens Fyle's consent page and Fyle redirects back to a local port.
    #[arg(long, env = "FYLE_REFRESH_TOKEN", hide_env_values = true)]
    pub(crate) refresh_token: Option<String>,
    /// The accounts server.
    #[arg(long, env = "FYLE_ACCOUNTS_URL", default_value = fyle::DEFAULT_ACCOUNTS_URL)]
    pub(crate) accounts_url: String,
    /// The consent page (default: Fyle's, or the sandbox's for a local accounts server).
    #[arg(long)]
    pub(crate) authorize_url: Option<String>,
    /// The local port Fyle redirects to (0 picks a free one; register
    /// http://127.0.0.1:PORT/callback as the app's redirect URI).
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
    /// Approve the consent page without a browser (the sandbox's headless consent).
    #[arg(long)]
    pub(crate) auto: bool,
}

/// `fyle whoami`.
#[derive(Debug, Args)]
pub(crate) struct WhoamiArgs {
    /// Print JSON instead of lines.
    #[arg(long)]
    pub(crate) json: bool,
}

/// `fyle api`.
#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// GET or POST.
    pub(crate) method: String,
    /// The path under /platform/v1, such as /admin/expenses (or `expenses` with --role).
    pub(crate) path: String,
    /// A filter or parameter for GET (`state=eq.PAID`, `order=updated_at.desc`), a field of
    /// the `data` object for POST (`name=Travel`; JSON values are parsed). Repeatable.
    #[arg(short = 'f', long = "field", value_name = "KEY=VALUE")]
    pub(crate) fields: Vec<String>,
    /// The POST body: inline JSON, or @FILE (@- for stdin).
    #[arg(long, value_name = "JSON|@FILE")]
    pub(crate) data: Option<String>,
    /// Stream every page (stable keyset order) as NDJSON, one object per line.
    #[arg(long)]
    pub(crate) all: bool,
    /// The role prefix for a path given without one (spender, approver, admin, ...).
    #[arg(long)]
    pub(crate) role: Option<String>,
    /// The page size (1..=200).
    #[arg(long)]
    pub(crate) limit: Option<u32>,
}

/// `fyle ops`.
#[derive(Debug, Args)]
pub(crate) struct OpsArgs {
    #[command(subcommand)]
    pub(crate) search: Option<OpsSearch>,
    /// Only this role's operations.
    #[arg(long)]
    pub(crate) role: Option<String>,
}

/// `fyle ops search TERM`.
#[derive(Debug, Subcommand)]
pub(crate) enum OpsSearch {
    /// Operations whose path, operation id or summary contain TERM.
    Search {
        /// What to look for (case-insensitive).
        term: String,
    },
}

/// `fyle schema`.
#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// A type (`ExpenseOut`) or schema (`expense_out`) name.
    pub(crate) name: String,
}

/// `fyle sandbox`.
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// Expenses per org.
    #[arg(long, default_value_t = 500)]
    pub(crate) expenses: usize,
    /// The port (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub(crate) port: u16,
}

/// `fyle export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(subcommand)]
    pub(crate) what: ExportWhat,
}

/// What to export.
#[derive(Debug, Subcommand)]
pub(crate) enum ExportWhat {
    /// One row per expense with the columns accounting connectors use: numbers, people,
    /// category, project, cost center, custom fields by name, money, tax, flags, card match,
    /// dates and receipts.
    #[command(after_help = expenses_help())]
    Expenses(ExpenseArgs),
    /// One row per report.
    Reports(OutputArgs),
    /// One row per employee.
    Employees(OutputArgs),
    /// One row per category.
    Categories(OutputArgs),
    /// One row per project.
    Projects(OutputArgs),
    /// One row per cost center.
    CostCenters(OutputArgs),
}

/// The examples and notes of `fyle export expenses --help`, then the exit codes.
fn expenses_help() -> String {
    format!("{EXPENSES_HELP}\n\n{EXIT_CODES_HELP}")
}

const EXPENSES_HELP: &str = "Examples:
  fyle export expenses --sandbox --out expenses.csv
  fyle export expenses --on approved --from 2026-01-01 --state APPROVED,PAID --format xlsx --out q1.xlsx
  fyle export expenses --checkpoint sync.json --out changes.csv --mark-exported 'https://erp.example.com/bills/{id}'

With --checkpoint, each run exports only the rows changed since the last successful run, each
exactly once; a run that was killed resumes where it stopped when run again with the same
--out. Rows are read in a snapshot: a row changed during the run is left for the next run. A
row a run could not export (see --require) is kept in the checkpoint and asked for again by the
next run, which writes it once it passes.";

/// The output options every export takes.
#[derive(Debug, Default, Args)]
pub(crate) struct OutputArgs {
    /// Output file (default: standard output).
    #[arg(long, short)]
    pub(crate) out: Option<PathBuf>,
    /// Output format (default: from the --out extension, else csv).
    #[arg(long, value_enum)]
    pub(crate) format: Option<FormatArg>,
    /// The columns to write, in this order, comma-separated (default: all).
    #[arg(long, value_delimiter = ',', value_name = "NAME,...")]
    pub(crate) columns: Option<Vec<String>>,
    /// Incremental export: remember in FILE what was exported; the next run exports only what
    /// changed, and a killed run resumes without duplicates. Needs --out.
    #[arg(long, value_name = "FILE")]
    pub(crate) checkpoint: Option<PathBuf>,
    /// Print the available columns and exit.
    #[arg(long)]
    pub(crate) list_columns: bool,
    /// Test hook: abort (like a kill) after writing N rows.
    #[arg(long, hide = true, env = "FYLE_CLI_ABORT_AFTER_ROWS")]
    pub(crate) abort_after_rows: Option<u64>,
}

/// `fyle export expenses`.
#[derive(Debug, Args)]
pub(crate) struct ExpenseArgs {
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    /// Which date --from/--to apply to.
    #[arg(long, value_enum, default_value = "approved")]
    pub(crate) on: DateField,
    /// From this date (YYYY-MM-DD, or an RFC 3339 time), inclusive.
    #[arg(long, value_name = "DATE")]
    pub(crate) from: Option<String>,
    /// Up to this date, exclusive.
    #[arg(long, value_name = "DATE")]
    pub(crate) to: Option<String>,
    /// Expense states, comma-separated (DRAFT, COMPLETE, APPROVER_PENDING, APPROVED,
    /// PAYMENT_PENDING, PAYMENT_PROCESSING, PAID).
    #[arg(long, value_delimiter = ',', value_name = "STATE,...")]
    pub(crate) state: Vec<String>,
    /// Personal (cash) expenses, corporate card expenses, or all.
    #[arg(long, value_enum, default_value = "all")]
    pub(crate) source_account: SourceAccount,
    /// Only the expenses of this report.
    #[arg(long, value_name = "ID")]
    pub(crate) report: Option<String>,
    /// After each page, mark its expenses exported in Fyle, linking each to this URL
    /// ({id}, {seq_num}, {report_id}, {org_id} are replaced).
    #[arg(long, value_name = "URL_TEMPLATE")]
    pub(crate) mark_exported: Option<String>,
    /// Columns an expense must have a value in to be exported: the mappings your accounting
    /// system needs (e.g. employee_code,category_code). An expense missing one is not written
    /// and is reported; with --mark-exported it is marked ERROR (MAPPING) in Fyle. An expense
    /// the format cannot hold (an xlsx cell over 32,767 characters) is marked ERROR
    /// (ACCOUNTING_INTEGRATION_ERROR) the same way. With --checkpoint, the next run asks for
    /// the expenses not written again.
    #[arg(long, value_delimiter = ',', value_name = "COLUMN,...")]
    pub(crate) require: Vec<String>,
    /// With --mark-exported: the link of the expenses marked ERROR (your integration's error
    /// page; the same placeholders). Default: the --mark-exported template.
    #[arg(long, value_name = "URL_TEMPLATE", requires = "mark_exported")]
    pub(crate) error_url: Option<String>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    /// Comma-separated values (formula-like text is neutralised).
    Csv,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// An Excel workbook with typed cells and a totals row.
    Xlsx,
}

/// `--on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DateField {
    /// When the report was last approved.
    Approved,
    /// When the report was paid.
    Paid,
    /// When the expense was settled.
    Settled,
    /// When the expense last changed.
    Updated,
}

impl DateField {
    /// The column.
    pub(crate) fn column(self) -> &'static str {
        match self {
            DateField::Approved => "report_last_approved_at",
            DateField::Paid => "report_last_paid_at",
            DateField::Settled => "last_settled_at",
            DateField::Updated => "updated_at",
        }
    }
}

/// `--source-account`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SourceAccount {
    /// Personal cash (reimbursable).
    Personal,
    /// Corporate card.
    Card,
    /// Both.
    All,
}
