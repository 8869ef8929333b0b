//! fyle-auth (being written).
