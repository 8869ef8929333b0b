//! `fyle ops [search TERM]` and `fyle schema NAME`, from the generated operation table and
//! types.

use fyle::models::operations::{self, Operation};

use crate::args::{OpsArgs, OpsSearch};
use crate::exit::Usage;
use crate::schema_table;

/// Prints the operations (one per line: method, path, operation id, summary).
pub(crate) fn list(args: &OpsArgs) -> anyhow::Result<()> {
    let term = args
        .search
        .as_ref()
        .map(|OpsSearch::Search { term }| term.to_lowercase());
    let matches = |op: &Operation| {
        args.role.as_deref().is_none_or(|r| op.role.feature() == r)
            && term.as_deref().is_none_or(|t| {
                op.path.to_lowercase().contains(t)
                    || op.operation_id.to_lowercase().contains(t)
                    || op.summary.to_lowercase().contains(t)
            })
    };
    let found: Vec<&Operation> = operations::ALL
        .iter()
        .copied()
        .filter(|op| matches(op))
        .collect();
    if found.is_empty() {
        return Err(Usage(format!(
            "no operation matches {:?}",
            term.unwrap_or_default()
        ))
        .into());
    }
    for op in found {
        println!(
            "{:<5} {:<70} {:<55} {}",
            op.method.as_str(),
            op.path,
            op.operation_id,
            op.summary
        );
    }
    Ok(())
}

/// Prints a type's fields: wire name, Rust type, and what the spec says.
pub(crate) fn schema(name: &str) -> anyhow::Result<()> {
    let wanted = name.to_lowercase().replace(['_', '-'], "");
    let table = schema_table::all()?;
    let found = table.iter().find(|t| {
        t.rust.to_lowercase() == wanted || t.schema.to_lowercase().replace('_', "") == wanted
    });
    let Some(found) = found else {
        let close: Vec<&str> = table
            .iter()
            .filter(|t| t.rust.to_lowercase().contains(&wanted))
            .map(|t| t.rust.as_str())
            .take(20)
            .collect();
        let hint = if close.is_empty() {
            String::new()
        } else {
            format!("; close: {}", close.join(", "))
        };
        return Err(Usage(format!("no type {name:?}{hint}")).into());
    };
    println!(
        "{} (schema `{}`), {} fields:",
        found.rust,
        found.schema,
        found.fields.len()
    );
    for (field, rust_type, doc) in &found.fields {
        println!("  {field:<40} {rust_type:<45} {doc}");
    }
    Ok(())
}
