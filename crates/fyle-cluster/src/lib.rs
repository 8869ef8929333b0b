//! fyle-cluster (being written).
