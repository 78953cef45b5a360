//! Simulated E1 boards.
