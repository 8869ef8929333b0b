//! Integration tests of fyle-auth against wiremock (offline, 127.0.0.1 only).

mod auth_code;
mod hardening;
mod refresh;
mod support;
