//! fyle-mock (being written).
