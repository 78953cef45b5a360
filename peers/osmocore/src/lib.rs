//! Harness bindings (being written).
