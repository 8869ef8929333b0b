//! The lowest layer of fyle-rs: one object-safe [`Transport`] trait that sends an
//! `http::Request<Bytes>` and returns an `http::Response<Bytes>`.

mod transport;

pub use transport::{SharedTransport, Transport};
