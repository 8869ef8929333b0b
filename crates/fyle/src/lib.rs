//! fyle (being written).
