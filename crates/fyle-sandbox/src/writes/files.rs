//! Files on expenses (attach a receipt or files) and the files the actor may see, plus the
//! content type Fyle derives from a file name.

use serde_json::{Value, json};

use super::{ActAs, RowError, Txn};
use crate::store::{Resource, Row, key_of};

impl Txn<'_> {
    // ------------------------------------------------------------------ files on expenses

    fn check_file(&self, file_id: &Value, owner: &str) -> Result<String, RowError> {
        let fid = file_id.as_str().unwrap_or_default().to_owned();
        let file = self
            .org
            .table(Resource::Files)
            .get(&fid)
            .ok_or_else(|| RowError::field("file_id", format!("File {fid} not found.")))?;
        if self.role == ActAs::Spender && file.get("user_id").and_then(Value::as_str) != Some(owner)
        {
            return Err(RowError::field("file_id", format!("File {fid} not found.")));
        }
        Ok(fid)
    }

    /// `expenses/attach_receipt` (`{id, file_id}`) and `expenses/attach_files/bulk` (`{id, file_ids}`).
    pub(crate) fn attach_files(&mut self, item: &Value) -> Result<Option<Row>, RowError> {
        let id = item
            .get("id")
            .and_then(key_of)
            .ok_or_else(|| RowError::field("id", "Missing data for required field."))?;
        let mut e = self
            .visible(Resource::Expenses, &id)
            .ok_or_else(|| RowError::Message(format!("expense {id} not found")))?;
        let owner = self.actor.user_id.clone();
        let wanted: Vec<Value> = match (item.get("file_id"), item.get("file_ids")) {
            (Some(f), _) => vec![f.clone()],
            (None, Some(Value::Array(fs))) => fs.clone(),
            _ => {
                return Err(RowError::field(
                    "file_ids",
                    "Missing data for required field.",
                ));
            }
        };
        let mut ids: Vec<Value> = e
            .get("file_ids")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for f in &wanted {
            let fid = self.check_file(f, &owner)?;
            if !ids.iter().any(|x| x.as_str() == Some(fid.as_str())) {
                ids.push(json!(fid));
            }
        }
        e["file_ids"] = Value::Array(ids);
        e["updated_at"] = json!(self.now);
        Ok(Some(self.put(Resource::Expenses, e)))
    }

    /// A file the actor may see (for `generate_urls` / `download`).
    pub(crate) fn file(&self, item: &Value) -> Result<Value, RowError> {
        let id = item
            .get("id")
            .and_then(key_of)
            .ok_or_else(|| RowError::field("id", "Missing data for required field."))?;
        self.visible(Resource::Files, &id)
            .ok_or_else(|| RowError::Message(format!("file {id} not found")))
    }
}

/// The content type Fyle derives from a file name.
pub(crate) fn content_type_for(name: &str) -> &'static str {
    let ext = name
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "csv" => "text/csv",
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}
