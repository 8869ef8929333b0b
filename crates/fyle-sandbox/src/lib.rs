//! fyle-sandbox (being written).
