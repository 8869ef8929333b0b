//! Integration tests of fyle-cluster against wiremock (offline, 127.0.0.1 only).

mod accounts;
mod support;
