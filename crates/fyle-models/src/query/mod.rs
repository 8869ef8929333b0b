//! The filter AST (placeholder until written).
