//! Integration tests: policies.
