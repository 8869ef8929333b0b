//! Loading the raw spec folder and following local `$ref`s.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::SpecError;

/// The eleven role files of the spec folder, by stem (`admin` is `admin.yaml`).
pub const FILES: [&str; 11] = [
    "accountant",
    "admin",
    "approver",
    "authorization",
    "common",
    "hod",
    "hop",
    "manager",
    "owner",
    "spender",
    "super_admin",
];

/// The spec folder: `FYLE_SPEC_DIR`, else `<workspace root>/../shared/fyle-openapi/reference`.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("FYLE_SPEC_DIR") {
        return PathBuf::from(dir);
    }
    // This crate lives in `<root>/crates/fyle-spec-check`.
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fyle-openapi/reference")
}

/// The raw spec: every role file parsed into JSON values, nothing interpreted.
#[derive(Debug, Clone)]
pub struct Spec {
    dir: PathBuf,
    files: BTreeMap<String, Value>,
}

impl Spec {
    /// Reads all eleven role files of `dir`.
    pub fn load(dir: &Path) -> Result<Self, SpecError> {
        if !dir.is_dir() {
            return Err(SpecError::MissingDir(dir.to_path_buf()));
        }
        let mut files = BTreeMap::new();
        for stem in FILES {
            let path = dir.join(format!("{stem}.yaml"));
            let text = std::fs::read_to_string(&path).map_err(|source| SpecError::Read {
                path: path.clone(),
                source,
            })?;
            let doc: Value = serde_yaml_ng::from_str(&text).map_err(|e| SpecError::Parse {
                path: path.clone(),
                message: e.to_string(),
            })?;
            files.insert(stem.to_owned(), doc);
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            files,
        })
    }

    /// A spec from documents already parsed (role file stem -> document); for tests.
    pub fn from_documents(files: BTreeMap<String, Value>) -> Self {
        Self {
            dir: PathBuf::new(),
            files,
        }
    }

    /// Reads the folder of [`default_dir`].
    pub fn load_default() -> Result<Self, SpecError> {
        Self::load(&default_dir())
    }

    /// The folder the files came from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// One role file's document, by stem.
    pub fn document(&self, file: &str) -> Result<&Value, SpecError> {
        self.files
            .get(file)
            .ok_or_else(|| SpecError::UnknownFile(file.to_owned()))
    }

    /// The role files by stem, in name order.
    pub fn documents(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.files.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// `components/schemas/<name>` of one file.
    pub fn component(&self, file: &str, name: &str) -> Option<&Value> {
        self.files
            .get(file)?
            .get("components")?
            .get("schemas")?
            .get(name)
    }

    /// The node a local reference (`#/components/...`) points at.
    pub fn lookup(&self, file: &str, reference: &str) -> Result<&Value, SpecError> {
        let bad = || SpecError::BadRef {
            file: file.to_owned(),
            reference: reference.to_owned(),
        };
        let pointer = reference.strip_prefix('#').ok_or_else(bad)?;
        self.document(file)?.pointer(pointer).ok_or_else(bad)
    }

    /// Follows `$ref` until a node without one (siblings of a `$ref` are not merged here).
    pub fn deref<'a>(&'a self, file: &str, mut node: &'a Value) -> Result<&'a Value, SpecError> {
        // A chain longer than this is a cycle of bare references.
        for _ in 0..32 {
            match node.get("$ref").and_then(Value::as_str) {
                Some(r) => node = self.lookup(file, r)?,
                None => return Ok(node),
            }
        }
        Err(SpecError::BadRef {
            file: file.to_owned(),
            reference: "cycle of $ref".to_owned(),
        })
    }
}

/// The component name of a `#/components/schemas/<name>` reference.
pub(crate) fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}
