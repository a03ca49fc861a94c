//! Checking: AST of a policy (and its bases) → [`crate::program::Program`].
