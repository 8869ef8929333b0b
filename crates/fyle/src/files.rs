//! Files: upload through presigned URLs (create the record, PUT the bytes with no
//! Authorization header, regenerate the URL once if it expired, attach) and download (follow
//! the 302 or a `download_url` without the Bearer token).

use bytes::Bytes;
use fyle_models::operations::Operation;
use http::header::{CONTENT_TYPE, LOCATION};
use http::{HeaderValue, Method, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use crate::client::Client;
use crate::envelope::decode_body;
use crate::error::{Error, ErrorKind, Result, excerpt};
use crate::execute::call_for;
use crate::pipeline::{Call, to_uri};

use fyle_models::operations::BodyShape;

mod streaming;

pub use streaming::DownloadStream;

/// A downloaded file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Download {
    /// The `Content-Type` the storage host sent.
    pub content_type: Option<String>,
    /// The bytes.
    pub bytes: Bytes,
}

/// The role a file call is made in (the path prefix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileRole {
    /// `/spender/...`: the user's own files.
    Spender,
    /// `/admin/...`: any user's files (upload needs [`Upload::user_id`]).
    Admin,
    /// `/approver/...`: download and attach only (approvers cannot create files).
    Approver,
}

impl FileRole {
    fn prefix(self) -> &'static str {
        match self {
            FileRole::Spender => "/spender",
            FileRole::Admin => "/admin",
            FileRole::Approver => "/approver",
        }
    }
}

/// What a file is for (`type` of the file record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum FileType {
    /// A receipt (the default).
    #[serde(rename = "RECEIPT")]
    Receipt,
    /// A file exchanged with an integration.
    #[serde(rename = "INTEGRATION")]
    Integration,
}

/// A file to upload; see [`Files::upload`].
#[derive(Clone)]
#[must_use]
pub struct Upload {
    name: String,
    bytes: Bytes,
    file_type: FileType,
    user_id: Option<String>,
    password: Option<String>,
    attach_to_expense: Option<String>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("name", &self.name)
            .field("len", &self.bytes.len())
            .field("file_type", &self.file_type)
            .field("user_id", &self.user_id)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("attach_to_expense", &self.attach_to_expense)
            .finish()
    }
}

impl Upload {
    /// A receipt named `name` (Fyle derives the content type from the name).
    pub fn new(name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        Self {
            name: name.into(),
            bytes: bytes.into(),
            file_type: FileType::Receipt,
            user_id: None,
            password: None,
            attach_to_expense: None,
        }
    }

    /// The file type (default [`FileType::Receipt`]).
    pub fn file_type(mut self, file_type: FileType) -> Self {
        self.file_type = file_type;
        self
    }

    /// The owner, required by the admin role.
    pub fn user_id(mut self, user_id: impl Into<String>) -> Self {
        self.user_id = Some(user_id.into());
        self
    }

    /// The password of a protected PDF.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// Attach the uploaded file to this expense.
    pub fn attach_to_expense(mut self, expense_id: impl Into<String>) -> Self {
        self.attach_to_expense = Some(expense_id.into());
        self
    }
}

/// A file record after upload. Its `Debug` shows the download URL's host only: the signed
/// query string is a bearer credential for the file.
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct UploadedFile {
    /// The file id (`fi...`).
    pub id: String,
    /// The name.
    #[serde(default)]
    pub name: Option<String>,
    /// The content type Fyle derived and the bytes were sent with.
    #[serde(default)]
    pub content_type: Option<String>,
    /// A presigned download URL (valid about 5 minutes).
    #[serde(default)]
    pub download_url: Option<String>,
}

impl std::fmt::Debug for UploadedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadedFile")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field(
                "download_url",
                &self.download_url.as_deref().map(redacted_url),
            )
            .finish()
    }
}

/// `https://host/…` for a signed URL: the host, never the path or the signed query.
fn redacted_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(u) => format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or("?")),
        Err(_) => "<unparseable URL>".to_owned(),
    }
}

/// Refuses a presigned or redirect URL that is not https, or that points at a loopback,
/// private, link-local or unspecified address (a compromised or confused server could
/// otherwise make the client fetch internal endpoints). `allow_loopback` (the client's
/// allow-list opted in to loopback, for a local sandbox) lets loopback hosts through, over
/// http too.
pub(crate) fn check_storage_url(url: &Url, allow_loopback: bool) -> Result<()> {
    let host = url.host_str().unwrap_or_default().to_owned();
    let refuse = |reason| {
        Err(Error::new(ErrorKind::UnsafeUrl {
            host: host.clone(),
            reason,
        }))
    };
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return refuse("the URL has no host"),
    };
    if loopback {
        return if allow_loopback {
            Ok(())
        } else {
            refuse("a loopback address (allowed only when the client's allow-list opts in)")
        };
    }
    if url.scheme() != "https" {
        return refuse("not https");
    }
    let internal = match url.host() {
        Some(url::Host::Ipv4(ip)) => {
            ip.is_private() || ip.is_link_local() || ip.is_unspecified() || ip.is_broadcast()
        }
        Some(url::Host::Ipv6(ip)) => {
            let first = ip.segments()[0];
            ip.is_unspecified() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        _ => false,
    };
    if internal {
        return refuse("a private, link-local or unspecified address");
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize)]
struct FileUrls {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    download_url: Option<String>,
    #[serde(default)]
    upload_url: Option<String>,
}

impl Client {
    /// File helpers in `role`.
    pub fn files(&self, role: FileRole) -> Files {
        Files {
            client: self.clone(),
            role,
        }
    }

    /// Runs a download operation (`GET /{role}/files/download?id=`): follows the 302 (or
    /// takes the body if the transport already followed it) without sending the Bearer token
    /// to the storage host.
    pub async fn download(&self, op: &'static Operation, id: &str) -> Result<Download> {
        let mut call = call_for(op);
        call.query.push(("id".to_owned(), id.to_owned()));
        call.accept_redirect = true;
        self.download_call(&call).await
    }

    async fn download_call(&self, call: &Call) -> Result<Download> {
        let response = self.send_call(call).await?;
        if let Some(location) = redirect_location(call, &response)? {
            return self.download_url(&location).await;
        }
        let content_type = header_text(&response, CONTENT_TYPE);
        Ok(Download {
            content_type,
            bytes: response.into_body(),
        })
    }

    /// [`download_call`](Self::download_call), streaming the storage host's body.
    async fn download_call_stream(&self, call: &Call) -> Result<DownloadStream> {
        let response = self.send_call(call).await?;
        if let Some(location) = redirect_location(call, &response)? {
            return self.download_url_stream(&location).await;
        }
        Ok(streaming::inline(response, &call.path))
    }

    /// Fetches a presigned `download_url` (no Authorization header is sent). The URL must be
    /// https and not an internal address ([`ErrorKind::UnsafeUrl`]); the body is bounded by the
    /// transport's maximum response size.
    pub async fn download_url(&self, url: &str) -> Result<Download> {
        let url = Url::parse(url).map_err(|_| Error::invalid("bad download URL"))?;
        check_storage_url(&url, self.inner.allow_list.allows_loopback())?;
        let request = http::Request::builder()
            .method(Method::GET)
            .uri(to_uri(&url)?)
            .body(Bytes::new())
            .map_err(|e| Error::invalid(format!("cannot build the download request: {e}")))?;
        let response = self.storage_send(request, &url).await?;
        if !response.status().is_success() {
            return Err(storage_error(&url, &response));
        }
        let content_type = header_text(&response, CONTENT_TYPE);
        Ok(Download {
            content_type,
            bytes: response.into_body(),
        })
    }

    /// Sends a request to a storage host: through the transport, never with the Bearer token.
    async fn storage_send(
        &self,
        mut request: http::Request<Bytes>,
        url: &Url,
    ) -> Result<http::Response<Bytes>> {
        request.headers_mut().remove(http::header::AUTHORIZATION);
        let method = request.method().clone();
        self.inner
            .transport
            .send(request)
            .await
            .map_err(|e| Error::from(e).with_request(&method, url.path()))
    }
}

/// The `Location` of a redirect answer (`None` for any other status).
fn redirect_location(call: &Call, response: &http::Response<Bytes>) -> Result<Option<String>> {
    if !response.status().is_redirection() {
        return Ok(None);
    }
    response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|location| Some(location.to_owned()))
        .ok_or_else(|| {
            Error::invalid("download answered a redirect without a Location")
                .with_request(&call.method, &call.path)
        })
}

fn header_text(response: &http::Response<Bytes>, name: http::header::HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn storage_error(url: &Url, response: &http::Response<Bytes>) -> Error {
    Error::new(ErrorKind::Storage {
        status: response.status(),
        host: url.host_str().unwrap_or_default().to_owned(),
        excerpt: excerpt(response.body()),
    })
}

/// File helpers for one role; see [`Client::files`].
#[derive(Debug, Clone)]
pub struct Files {
    client: Client,
    role: FileRole,
}

impl Files {
    /// Uploads a file in one call: creates the file record, PUTs the bytes to the presigned
    /// `upload_url` with the content type Fyle returned and no Authorization header, checks the
    /// status, regenerates the URL once if the storage host says it expired (400/403), and
    /// attaches the file to an expense if asked.
    ///
    /// ```no_run
    /// # async fn run(client: fyle::Client) -> fyle::Result<()> {
    /// use fyle::files::{FileRole, Upload};
    /// let bytes = std::fs::read("receipt.pdf").expect("file");
    /// let file = client
    ///     .files(FileRole::Spender)
    ///     .upload(Upload::new("receipt.pdf", bytes).attach_to_expense("txAbc123"))
    ///     .await?;
    /// println!("uploaded {}", file.id);
    /// # Ok(()) }
    /// ```
    pub async fn upload(&self, upload: Upload) -> Result<UploadedFile> {
        let mut record = json!({ "name": upload.name, "type": upload.file_type });
        if let Some(user) = &upload.user_id {
            record["user_id"] = json!(user);
        }
        if let Some(password) = &upload.password {
            record["password"] = json!(password);
        }
        let path = format!("{}/files", self.role.prefix());
        let created: FileUrls = self
            .post_data(&path, &json!({ "data": record }), BodyShape::Data)
            .await?;
        let mut urls = created.clone();
        if urls.upload_url.is_none() {
            urls = self.generate_urls(&created.id).await?;
        }
        let mut regenerated = false;
        loop {
            let Some(upload_url) = urls.upload_url.clone() else {
                return Err(Error::invalid(format!(
                    "file {} has no upload URL (it may belong to an approved expense)",
                    created.id
                )));
            };
            let url =
                Url::parse(&upload_url).map_err(|_| Error::invalid("bad upload URL from Fyle"))?;
            check_storage_url(&url, self.client.inner.allow_list.allows_loopback())?;
            let content_type = urls
                .content_type
                .clone()
                .or_else(|| created.content_type.clone())
                .unwrap_or_else(|| "application/octet-stream".to_owned());
            let request = http::Request::builder()
                .method(Method::PUT)
                .uri(to_uri(&url)?)
                .header(
                    CONTENT_TYPE,
                    HeaderValue::from_str(&content_type).map_err(|_| {
                        Error::invalid("Fyle returned a content type that is not a header value")
                    })?,
                )
                .body(upload.bytes.clone())
                .map_err(|e| Error::invalid(format!("cannot build the upload request: {e}")))?;
            let response = self.client.storage_send(request, &url).await?;
            let status = response.status();
            if status.is_success() {
                break;
            }
            let expired = matches!(status, StatusCode::BAD_REQUEST | StatusCode::FORBIDDEN);
            if expired && !regenerated {
                regenerated = true;
                tracing::debug!(file = %created.id, status = status.as_u16(), "upload URL rejected; regenerating once");
                urls = self.generate_urls(&created.id).await?;
                continue;
            }
            return Err(storage_error(&url, &response));
        }
        if let Some(expense) = &upload.attach_to_expense {
            self.attach(expense, &created.id).await?;
        }
        Ok(UploadedFile {
            id: created.id,
            name: urls.name.or(created.name),
            content_type: urls.content_type.or(created.content_type),
            download_url: urls.download_url.or(created.download_url),
        })
    }

    /// Attaches an uploaded file to an expense (`attach_receipt` for spender,
    /// `expenses/attach_files/bulk` otherwise).
    pub async fn attach(&self, expense_id: &str, file_id: &str) -> Result<()> {
        match self.role {
            FileRole::Spender => {
                let body = json!({ "data": { "id": expense_id, "file_id": file_id } });
                self.post_data::<serde::de::IgnoredAny>(
                    "/spender/expenses/attach_receipt",
                    &body,
                    BodyShape::Bare,
                )
                .await?;
            }
            role => {
                let body = json!({ "data": [{ "id": expense_id, "file_ids": [file_id] }] });
                let path = format!("{}/expenses/attach_files/bulk", role.prefix());
                self.post_data::<serde::de::IgnoredAny>(&path, &body, BodyShape::Bare)
                    .await?;
            }
        }
        Ok(())
    }

    /// Downloads a file by id (follows the 302 without the Bearer token).
    pub async fn download(&self, file_id: &str) -> Result<Download> {
        let mut call = Call::new(
            Method::GET,
            format!("{}/files/download", self.role.prefix()),
        );
        call.query.push(("id".to_owned(), file_id.to_owned()));
        call.accept_redirect = true;
        self.client.download_call(&call).await
    }

    /// Streams a file by id: follows the 302 without the Bearer token, checks the presigned
    /// URL like [`download`](Self::download) does, and returns the body as it arrives, with no
    /// size cap and memory bounded by one chunk.
    ///
    /// ```no_run
    /// # async fn run(client: fyle::Client) -> fyle::Result<()> {
    /// use fyle::files::FileRole;
    /// let mut file = tokio::fs::File::create("receipt.pdf").await.expect("created");
    /// let written = client.files(FileRole::Admin).download_to("fiAbc123", &mut file).await?;
    /// println!("{written} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn download_stream(&self, file_id: &str) -> Result<DownloadStream> {
        let mut call = Call::new(
            Method::GET,
            format!("{}/files/download", self.role.prefix()),
        );
        call.query.push(("id".to_owned(), file_id.to_owned()));
        call.accept_redirect = true;
        self.client.download_call_stream(&call).await
    }

    /// Streams a file by id into `writer` ([`download_stream`](Self::download_stream) then
    /// [`DownloadStream::write_to`]); returns the number of bytes written.
    pub async fn download_to<W>(&self, file_id: &str, writer: &mut W) -> Result<u64>
    where
        W: tokio::io::AsyncWrite + Unpin + ?Sized,
    {
        self.download_stream(file_id).await?.write_to(writer).await
    }

    /// Fresh presigned upload and download URLs for a file (valid about 5 minutes).
    async fn generate_urls(&self, file_id: &str) -> Result<FileUrls> {
        let path = format!("{}/files/generate_urls/bulk", self.role.prefix());
        let mut urls: Vec<FileUrls> = self
            .post_data(
                &path,
                &json!({ "data": [{ "id": file_id }] }),
                BodyShape::Data,
            )
            .await?;
        match urls.iter().position(|u| u.id == file_id) {
            Some(i) => Ok(urls.swap_remove(i)),
            None => Err(Error::invalid(format!(
                "generate_urls returned no URLs for file {file_id}"
            ))),
        }
    }

    async fn post_data<R: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        body: &serde_json::Value,
        response: BodyShape,
    ) -> Result<R> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid(format!("cannot serialize the body: {e}")))?;
        let call = Call::new(Method::POST, path).json_body(Some(Bytes::from(bytes)));
        let resp = self.client.send_call(&call).await?;
        decode_body(path, response, &resp).map_err(|e| e.with_request(&call.method, path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str, allow_loopback: bool) -> bool {
        let url = Url::parse(url).expect("a URL");
        check_storage_url(&url, allow_loopback).is_err()
    }

    #[test]
    fn storage_urls_must_be_https_and_public() {
        assert!(!refused(
            "https://bucket.s3.amazonaws.com/f?X-Amz-Signature=1",
            false
        ));
        for url in [
            "http://bucket.s3.amazonaws.com/f",
            "https://127.0.0.1/f",
            "https://localhost/f",
            "https://10.0.0.7/f",
            "https://192.168.1.1/f",
            "https://169.254.169.254/latest/meta-data",
            "https://[fd00::1]/f",
            "https://[::1]/f",
            "https://0.0.0.0/f",
        ] {
            assert!(refused(url, false), "{url}");
        }
        // The explicit loopback opt-in (a local sandbox) lets loopback through, nothing else.
        assert!(!refused("http://127.0.0.1:8080/storage/f", true));
        assert!(refused("http://10.0.0.7/f", true));
        let err = check_storage_url(&Url::parse("http://169.254.169.254/x").expect("url"), false)
            .expect_err("refused");
        assert!(matches!(err.kind(), ErrorKind::UnsafeUrl { .. }), "{err:?}");
    }

    #[test]
    fn uploaded_file_debug_never_prints_the_signature() {
        let file = UploadedFile {
            id: "fi1".into(),
            name: Some("r.pdf".into()),
            content_type: None,
            download_url: Some(
                "https://bucket.s3.amazonaws.com/o/r.pdf?X-Amz-Signature=deadbeef&AWSAccessKeyId=AKIA".into(),
            ),
        };
        let debug = format!("{file:?}");
        assert!(debug.contains("bucket.s3.amazonaws.com"), "{debug}");
        assert!(
            !debug.contains("deadbeef") && !debug.contains("AKIA"),
            "{debug}"
        );
    }
}
