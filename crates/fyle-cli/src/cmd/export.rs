//! `fyle export ...`: options to [`fyle_cli::export`], progress on stderr, a summary at the end.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use fyle::query::{FieldPath, Filter};
use fyle_cli::export::{ExportOptions, RangeBound, export};
use fyle_cli::resource::ExportResource;
use fyle_cli::sink::{Format, Target};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use crate::args::{ExpenseArgs, ExportArgs, ExportWhat, FormatArg, Global, SourceAccount};
use crate::cmd::connect::connect;
use crate::exit::Usage;
use crate::output::Notes;

const STATES: [&str; 7] = [
    "DRAFT",
    "COMPLETE",
    "APPROVER_PENDING",
    "APPROVED",
    "PAYMENT_PENDING",
    "PAYMENT_PROCESSING",
    "PAID",
];

/// Runs an export.
pub(crate) async fn run(global: &Global, args: ExportArgs, notes: Notes) -> anyhow::Result<()> {
    let (resource, output, expense) = match args.what {
        ExportWhat::Expenses(mut e) => {
            let output = std::mem::take(&mut e.output);
            (ExportResource::Expenses, output, Some(e))
        }
        ExportWhat::Reports(o) => (ExportResource::Reports, o, None),
        ExportWhat::Employees(o) => (ExportResource::Employees, o, None),
        ExportWhat::Categories(o) => (ExportResource::Categories, o, None),
        ExportWhat::Projects(o) => (ExportResource::Projects, o, None),
        ExportWhat::CostCenters(o) => (ExportResource::CostCenters, o, None),
    };
    if output.list_columns {
        for column in resource.columns() {
            println!("{}", column.name);
        }
        if resource.has_custom_fields() {
            println!("(then one column per custom field, named as in Fyle)");
        }
        return Ok(());
    }
    let mut options = ExportOptions {
        resource,
        filter: Filter::new(),
        range: Vec::new(),
        columns: output.columns.clone(),
        format: format_of(output.format, output.out.as_deref()),
        target: output.out.clone().map_or(Target::Stdout, Target::File),
        checkpoint: output.checkpoint.clone(),
        mark_exported: None,
        error_url: None,
        require: Vec::new(),
        abort_after: output.abort_after_rows,
    };
    if let Some(e) = expense {
        expense_filters(&e, &mut options)?;
    }
    if options.format == Format::Xlsx
        && options.target == Target::Stdout
        && std::io::IsTerminal::is_terminal(&std::io::stdout())
    {
        return Err(Usage("an xlsx workbook is binary: give --out FILE.xlsx".into()).into());
    }
    let connection = connect(global, notes).await?;
    let bar = notes.progress(resource.noun());
    let started = Instant::now();
    let mut progress = |rows: u64, total: u64| {
        bar.set_length(total.max(rows));
        bar.set_position(rows);
    };
    let result = export(&connection.client, options, &mut progress).await;
    bar.finish_and_clear();
    let summary = result?;
    let secs = started.elapsed().as_secs_f64();
    let written = summary.rows - summary.resumed_rows;
    // Row counts stay far below 2^52, where f64 is exact.
    #[allow(clippy::cast_precision_loss)]
    let rate = written as f64 / secs.max(1e-9);
    let mut line = format!(
        "Wrote {} {} in {secs:.1}s ({rate:.0} rows/s)",
        summary.rows,
        resource.noun(),
    );
    if summary.resumed_rows > 0 {
        let _ = write!(
            line,
            ", resuming a run that had written {}",
            summary.resumed_rows
        );
    }
    if !summary.custom_fields.is_empty() {
        let _ = write!(
            line,
            "; custom fields: {}",
            summary.custom_fields.join(", ")
        );
    }
    let _ = write!(line, "; snapshot at {}.", summary.upper);
    notes.say(line);
    if summary.beyond_snapshot > 0 {
        notes.say(format!(
            "{} matching {} changed after the snapshot (or carry a future updated_at); a \
             --checkpoint run exports them next time.",
            summary.beyond_snapshot,
            resource.noun()
        ));
    }
    if summary.retried > 0 {
        notes.say(format!(
            "Asked again for {} {} earlier runs could not export: {} written now.",
            summary.retried,
            resource.noun(),
            summary.recovered
        ));
    }
    for failed in &summary.failed {
        eprintln!(
            "not exported: {}: {}: {}",
            failed.id,
            failed.error_type.as_str(),
            failed.reason
        );
    }
    if let Some(marked) = &summary.marked {
        notes.say(format!(
            "Marked {} expenses exported and {} as ERROR in Fyle; {} could not be marked.",
            marked.marked,
            marked.marked_error,
            marked.failures.len()
        ));
        for failure in &marked.failures {
            eprintln!("not marked: {}: {}", failure.id, failure.message);
        }
        if !marked.failures.is_empty() {
            return Err(anyhow::anyhow!(
                "{} expenses could not be marked exported",
                marked.failures.len()
            ));
        }
    }
    if !summary.failed.is_empty() {
        let retry = if output.checkpoint.is_some() {
            "; the next run with this --checkpoint asks for them again"
        } else {
            ""
        };
        return Err(anyhow::anyhow!(
            "{} {} could not be exported (listed above){retry}",
            summary.failed.len(),
            resource.noun()
        ));
    }
    Ok(())
}

/// `--format`, else the `--out` extension, else CSV.
fn format_of(format: Option<FormatArg>, out: Option<&Path>) -> Format {
    let from_extension = || match out?.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "json" => Some(Format::Json),
        "ndjson" | "jsonl" => Some(Format::Ndjson),
        "xlsx" => Some(Format::Xlsx),
        _ => None,
    };
    match format {
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Json) => Format::Json,
        Some(FormatArg::Ndjson) => Format::Ndjson,
        Some(FormatArg::Xlsx) => Format::Xlsx,
        None => from_extension().unwrap_or(Format::Csv),
    }
}

fn expense_filters(args: &ExpenseArgs, options: &mut ExportOptions) -> anyhow::Result<()> {
    let field = args.on.column();
    if let Some(from) = &args.from {
        options.range.push(RangeBound {
            field: field.to_owned(),
            from: true,
            at: parse_date("--from", from)?,
        });
    }
    if let Some(to) = &args.to {
        options.range.push(RangeBound {
            field: field.to_owned(),
            from: false,
            at: parse_date("--to", to)?,
        });
    }
    let mut filter = Filter::new();
    if !args.state.is_empty() {
        let states: Vec<String> = args
            .state
            .iter()
            .map(|s| s.trim().to_ascii_uppercase())
            .collect();
        if let Some(bad) = states.iter().find(|s| !STATES.contains(&s.as_str())) {
            return Err(Usage(format!(
                "unknown state {bad:?}; states: {}",
                STATES.join(", ")
            ))
            .into());
        }
        filter = filter.is_in("state", states);
    }
    let account = FieldPath::new("source_account").get("type");
    filter = match args.source_account {
        SourceAccount::Personal => filter.eq(account, "PERSONAL_CASH_ACCOUNT"),
        SourceAccount::Card => filter.eq(account, "PERSONAL_CORPORATE_CREDIT_CARD_ACCOUNT"),
        SourceAccount::All => filter,
    };
    if let Some(report) = &args.report {
        filter = filter.eq("report_id", report.as_str());
    }
    options.filter = filter;
    options.mark_exported.clone_from(&args.mark_exported);
    options.error_url.clone_from(&args.error_url);
    options.require.clone_from(&args.require);
    Ok(())
}

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
fn parse_date(flag: &str, text: &str) -> anyhow::Result<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    time::Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map(|day| day.midnight().assume_utc())
        .map_err(|_| {
            Usage(format!(
                "{flag} {text:?}: expected YYYY-MM-DD or an RFC 3339 time"
            ))
            .into()
        })
}
