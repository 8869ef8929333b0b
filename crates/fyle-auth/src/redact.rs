//! [`redact`]: strips secrets from server text before it is kept in an error.

/// Keys whose values are secrets, lowercase: query parameters of presigned URLs, S3 error
/// fields, OAuth fields, header names.
const SECRET_KEYS: &[&str] = &[
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "awsaccesskeyid",
    "signatureprovided",
    "stringtosign",
    "canonicalrequest",
    "signature",
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "authorization",
    "bearer",
    "token",
];

/// What replaces a secret.
const MASK: &str = "***";

/// `text` with secrets replaced by `***`: the query string of every URL, the value of every
/// secret-named field (`X-Amz-Signature=...`, `<AWSAccessKeyId>...<`, `"access_token": "..."`,
/// `Bearer ...`), and anything shaped like a JWT. Over-redacts rather than under-redacts.
pub fn redact(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut spans = Vec::new();
    url_queries(&lower, &mut spans);
    keyed_values(&lower, &mut spans);
    jwts(text, &mut spans);
    spans.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in spans {
        if end <= at {
            continue;
        }
        let start = start.max(at);
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

/// Ends a value: whitespace, quotes, markup and list punctuation.
fn is_delimiter(c: u8) -> bool {
    c.is_ascii_whitespace() || b"\"'<>&,;}){]\\".contains(&c)
}

/// The end of the value starting at `from`.
fn value_end(text: &str, from: usize) -> usize {
    text.as_bytes()[from..]
        .iter()
        .position(|&c| is_delimiter(c))
        .map_or(text.len(), |n| from + n)
}

/// The query of every `scheme://...?query`.
fn url_queries(lower: &str, spans: &mut Vec<(usize, usize)>) {
    let bytes = lower.as_bytes();
    let mut from = 0;
    while let Some(found) = lower[from..].find("://") {
        let start = from + found + 3;
        let end = bytes[start..]
            .iter()
            .position(|&c| c.is_ascii_whitespace() || b"\"'<>)".contains(&c))
            .map_or(lower.len(), |n| start + n);
        if let Some(q) = lower[start..end].find('?') {
            let query = start + q + 1;
            if query < end {
                spans.push((query, end));
            }
        }
        from = end.max(start);
    }
}

/// `key=value`, `key: value`, `"key":"value"`, `<key>value`, `bearer value`.
fn keyed_values(lower: &str, spans: &mut Vec<(usize, usize)>) {
    let bytes = lower.as_bytes();
    for key in SECRET_KEYS {
        let mut from = 0;
        while let Some(found) = lower[from..].find(key) {
            let key_start = from + found;
            let mut i = key_start + key.len();
            from = i;
            let left_ok = key_start == 0 || !bytes[key_start - 1].is_ascii_alphanumeric();
            if !left_ok || i >= bytes.len() {
                continue;
            }
            if bytes[i] == b'"' || bytes[i] == b'\'' {
                i += 1;
            }
            let skip_spaces = |mut i: usize| {
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
                i
            };
            let before = skip_spaces(i);
            let separated = before < bytes.len() && matches!(bytes[before], b'=' | b':' | b'>');
            let spaced = *key == "bearer" && before > i;
            if !separated && !spaced {
                continue;
            }
            i = if separated { before + 1 } else { before };
            i = skip_spaces(i);
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                i += 1;
            }
            // "Authorization: Bearer x": the scheme word is not the secret, its value is.
            if lower[i..].starts_with("bearer ") {
                i = skip_spaces(i + "bearer".len());
            }
            let end = value_end(lower, i);
            if end > i {
                spans.push((i, end));
            }
        }
    }
}

/// Anything shaped like a JWT: `eyJ...` with dots, base64url characters.
fn jwts(text: &str, spans: &mut Vec<(usize, usize)>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("eyJ") {
        let start = from + found;
        let end = bytes[start..]
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')))
            .map_or(text.len(), |n| start + n);
        if end - start > 20 && text[start..end].contains('.') {
            spans.push((start, end));
        }
        from = end.max(start + 3);
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn presigned_urls_lose_their_query() {
        let text = "GET https://s3.amazonaws.com/b/k.pdf?X-Amz-Algorithm=AWS4&X-Amz-Signature=abc123def \
                    failed";
        let out = redact(text);
        assert_eq!(out, "GET https://s3.amazonaws.com/b/k.pdf?*** failed");
    }

    #[test]
    fn s3_error_fields_and_tokens_are_masked() {
        let xml = "<Error><Code>SignatureDoesNotMatch</Code><AWSAccessKeyId>AKIAEXAMPLE</AWSAccessKeyId>\
                   <SignatureProvided>sigsig</SignatureProvided></Error>";
        let out = redact(xml);
        assert!(
            !out.contains("AKIAEXAMPLE") && !out.contains("sigsig"),
            "{out}"
        );
        assert!(out.contains("SignatureDoesNotMatch"), "{out}");
        let json = r#"{"access_token": "tok-secret", "refresh_token":"rt-secret", "note":"ok"}"#;
        let out = redact(json);
        assert!(
            !out.contains("tok-secret") && !out.contains("rt-secret"),
            "{out}"
        );
        assert!(out.contains(r#""note":"ok""#), "{out}");
        let out = redact("Authorization: Bearer abc.def and x-amz-signature=ffff&y=1");
        assert!(!out.contains("abc.def") && !out.contains("ffff"), "{out}");
        let jwt = "token eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl here";
        assert_eq!(redact(jwt), "token *** here");
    }

    #[test]
    fn plain_text_is_kept() {
        let text = "Invalid / disabled department found; tokens: 3; signatures are fine";
        assert_eq!(redact(text), text);
        assert_eq!(redact("ünïcödé ☃ eyJ"), "ünïcödé ☃ eyJ");
    }
}
