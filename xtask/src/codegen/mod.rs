//! `cargo xtask codegen [--spec DIR] [--check]`: generates `fyle-models` (types + operation table),
//! the facade's `crates/fyle/src/generated/`, and the sample-based response tests from Fyle's spec.

mod dedupe;
mod emit_api;
mod emit_ops;
mod emit_registry;
mod emit_sandbox;
mod emit_schemas;
mod emit_types;
mod fixups;
mod model;
mod names;
mod ops;
mod readable;
mod render;
mod samples;
mod split;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::fmt::Write as _;

use anyhow::{Context, bail};
use clap::Args;

/// The spec commit the committed output was generated from (see `../shared/fyle-openapi/README.md`).
pub const DEFAULT_SPEC_COMMIT: &str = "ab93138c1cf7eaaa20987342a2e679ac0fbc179c";

/// The 11 spec files and their role (= cargo feature).
const FILES: &[(&str, &str)] = &[
    ("accountant", "accountant"),
    ("admin", "admin"),
    ("approver", "approver"),
    ("authorization", "accounts"),
    ("common", "common"),
    ("hod", "hod"),
    ("hop", "hop"),
    ("manager", "manager"),
    ("owner", "owner"),
    ("spender", "spender"),
    ("super_admin", "super_admin"),
];

/// Options of `cargo xtask codegen`.
#[derive(Debug, Args)]
pub struct CodegenArgs {
    /// Spec folder (default: $FYLE_SPEC_DIR, else ../shared/fyle-openapi/reference).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Regenerate in memory and fail, naming the files, when the committed output differs.
    #[arg(long)]
    check: bool,
    /// Spec commit named in the `@generated` header.
    #[arg(long, default_value = DEFAULT_SPEC_COMMIT)]
    spec_commit: String,
}

/// Everything the generator produces, by path relative to the workspace root.
pub struct Output {
    pub files: BTreeMap<PathBuf, String>,
    pub report: String,
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn spec_dir(args: &CodegenArgs, root: &Path) -> PathBuf {
    if let Some(s) = &args.spec {
        return s.clone();
    }
    if let Ok(s) = std::env::var("FYLE_SPEC_DIR") {
        return PathBuf::from(s);
    }
    root.join("../shared/fyle-openapi/reference")
}

/// Runs the command.
pub fn run(args: &CodegenArgs) -> anyhow::Result<()> {
    let root = workspace_root();
    let spec = spec_dir(args, &root);
    let out = generate(&spec, &args.spec_commit)?;
    // The model crates' folders come from the split itself, so a new group is managed too.
    let managed: Vec<String> = ["fyle-models", "fyle", "fyle-cli"]
        .into_iter()
        .chain(split::ModelCrate::ALL.map(split::ModelCrate::package))
        .map(|krate| format!("crates/{krate}/src/generated"))
        .collect();
    if args.check {
        let mut differ = Vec::new();
        for (path, text) in &out.files {
            let on_disk = std::fs::read_to_string(root.join(path)).unwrap_or_default();
            if on_disk != *text {
                differ.push(path.display().to_string());
            }
        }
        for dir in &managed {
            for f in list_files(&root.join(dir))? {
                let rel = f.strip_prefix(&root).unwrap_or(&f).to_path_buf();
                if !out.files.contains_key(&rel) {
                    differ.push(format!("{} (stale, not generated any more)", rel.display()));
                }
            }
        }
        if !differ.is_empty() {
            bail!(
                "generated code is out of date ({} files); run `cargo xtask codegen`:\n  {}",
                differ.len(),
                differ.join("\n  ")
            );
        }
        println!(
            "codegen --check: {} generated files are up to date",
            out.files.len()
        );
        return Ok(());
    }
    for dir in &managed {
        for f in list_files(&root.join(dir))? {
            let rel = f.strip_prefix(&root).unwrap_or(&f).to_path_buf();
            if !out.files.contains_key(&rel) {
                std::fs::remove_file(&f).with_context(|| format!("removing {}", f.display()))?;
            }
        }
    }
    for (path, text) in &out.files {
        let full = root.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::read_to_string(&full).ok().as_deref() != Some(text.as_str()) {
            std::fs::write(&full, text).with_context(|| format!("writing {}", full.display()))?;
        }
    }
    print!("{}", out.report);
    Ok(())
}

fn list_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(list_files(&p)?);
        } else {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// Reads the spec folder and produces every generated file in memory.
pub fn generate(spec: &Path, commit: &str) -> anyhow::Result<Output> {
    let mut stats = fixups::FixupStats::default();
    let mut apis = Vec::new();
    for (file, role) in FILES {
        let path = spec.join(format!("{file}.yaml"));
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (set --spec or FYLE_SPEC_DIR)", path.display()))?;
        let mut doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
            .with_context(|| format!("parsing {}", path.display()))?;
        fixups::apply(&mut doc, &mut stats);
        let api: openapiv3::OpenAPI = serde_yaml_ng::from_value(doc)
            .with_context(|| format!("reading {} as OpenAPI 3", path.display()))?;
        apis.push((*file, *role, api));
    }
    let mut m = model::Model::default();
    for (_, role, api) in &apis {
        if let Some(c) = &api.components {
            for (name, s) in &c.schemas {
                if let openapiv3::ReferenceOr::Item(s) = s {
                    m.add_component(name, s.clone(), role);
                }
            }
        }
    }
    m.lower_components();
    let mut all_ops = Vec::new();
    for (file, role, api) in &apis {
        all_ops.extend(ops::collect(api, role, file, &mut m));
    }
    for op in &all_ops {
        if let Some(t) = &op.request_ty {
            m.mark(t, &op.role, true);
        }
        if let Some(t) = &op.response_ty {
            m.mark(t, &op.role, false);
        }
    }
    m.propagate_roles();
    m.mark_unreached_as_output();
    let dedupe = dedupe::run(&mut m);
    let renamed = readable::run(&mut m);

    let mut files = BTreeMap::new();
    let models = Path::new("crates/fyle-models");
    for (p, t) in emit_types::emit(&m, commit)? {
        files.insert(PathBuf::from(p), t);
    }
    for (p, t) in emit_ops::emit(&all_ops, commit)? {
        files.insert(models.join(p), t);
    }
    files.extend([emit_registry::emit(&m, commit)?].map(|(p, t)| (models.join(p), t)));
    files.extend([emit_schemas::emit(&m)].map(|(p, t)| (PathBuf::from(p), t)));
    let gen_mod = quote::quote! {
        //! Generated code: `types` (every schema) and `operations` (the operation table).
        pub mod operations;
        pub mod types;
    };
    files.insert(
        models.join("src/generated/mod.rs"),
        render::file(commit, gen_mod)?,
    );
    let (sample_files, sample_stats) = samples::emit(&m, commit)?;
    for (p, t) in sample_files {
        files.insert(models.join(p), t);
    }
    let (api_files, naming) = emit_api::emit(&all_ops, commit)?;
    for (p, t) in api_files {
        files.insert(Path::new("crates/fyle").join(p), t);
    }

    files.extend(emit_sandbox::emit(spec, FILES, commit)?);

    // Report.
    let mut r = String::new();
    let count = |k: &str| all_ops.iter().filter(|o| o.kind == k).count();
    let lines: usize = files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .map(|(_, t)| t.lines().count())
        .sum();
    let kinds = |f: fn(&model::Def) -> bool| {
        m.types
            .values()
            .filter(|t| !t.roles.is_empty() && f(&t.def))
            .count()
    };
    writeln!(r, "spec: {} (commit {commit})", spec.display())?;
    writeln!(r, "component schemas: {} distinct", m.component_count())?;
    writeln!(
        r,
        "types generated: {} ({} structs, {} enums, {} unions, {} aliases)",
        m.types.values().filter(|t| !t.roles.is_empty()).count(),
        kinds(|d| matches!(d, model::Def::Struct(_))),
        kinds(|d| matches!(d, model::Def::Enum(_))),
        kinds(|d| matches!(d, model::Def::Union(_))),
        kinds(|d| matches!(d, model::Def::Alias(_))),
    )?;
    writeln!(
        r,
        "merged identical types: string enums {} -> {}, structs {} -> {} (other names kept as aliases)",
        dedupe.enums_before, dedupe.enums_after, dedupe.structs_before, dedupe.structs_after
    )?;
    writeln!(
        r,
        "positional names made readable: {renamed} (old names kept as aliases)"
    )?;
    writeln!(
        r,
        "operations in table: {} (List {}, GetSingle {}, GetArray {}, GetOther {}, Download {}, Upsert {}, Bulk {}, Action {})",
        all_ops.len(),
        count("List"),
        count("GetSingle"),
        count("GetArray"),
        count("GetOther"),
        count("Download"),
        count("Upsert"),
        count("Bulk"),
        count("Action")
    )?;
    writeln!(
        r,
        "fixups: {} $ref-with-siblings rewritten, {} stray `items` beside a declared type dropped, {} list envelopes' object `data` read as arrays",
        stats.ref_siblings, stats.stray_items, stats.list_data
    )?;
    writeln!(
        r,
        "serde_json::Value fallbacks for oneOf/anyOf: {}",
        m.fallbacks.len()
    )?;
    for (at, why) in &m.fallbacks {
        writeln!(r, "  - {at}: {why}")?;
    }
    writeln!(
        r,
        "response samples: {} types ({} spec examples used, {} replaced because they do not fit the type)",
        sample_stats.types, sample_stats.examples_used, sample_stats.examples_replaced
    )?;
    writeln!(r, "facade methods: {}", naming.len())?;
    writeln!(
        r,
        "generated files: {}, generated Rust lines: {lines}",
        files.len()
    )?;
    Ok(Output { files, report: r })
}
