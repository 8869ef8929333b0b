//! Files: a new file row (its owner and content type) and the files the actor may see, plus the
//! content type Fyle derives from a file name.

use serde_json::{Map, Value, json};

use super::{ActAs, RowError, Txn};
use crate::store::{Resource, key_of};

impl Txn<'_> {
    /// Fills a new file row: its owner (the actor, or `user_id` for an admin), no password, and
    /// the content type its name implies.
    pub(super) fn new_file(
        &self,
        m: &mut Map<String, Value>,
        data: &Map<String, Value>,
    ) -> Result<(), RowError> {
        let owner = if self.role == ActAs::Admin {
            let uid = data
                .get("user_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            self.org
                .user(uid)
                .ok_or_else(|| RowError::field("user_id", "No user found with this id."))?
        } else {
            self.actor.clone()
        };
        m.insert("user_id".into(), json!(owner.user_id));
        m.remove("password");
        let name = data.get("name").and_then(Value::as_str).unwrap_or_default();
        m.insert("content_type".into(), json!(content_type_for(name)));
        Ok(())
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
fn content_type_for(name: &str) -> &'static str {
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
