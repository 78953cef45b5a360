//! Telephone User Part (Q.721–Q.725), ITU and China national (GF 001-9001).
//!
//! - [`wire`]: labels, headings and every message's signals, both variants;
//! - [`timers`]: the time-outs of Q.724;
//! - [`engine`]: [`Tup`], call control and circuit supervision toward one peer;
//! - [`fuzz`]: fuzz bodies for the decoder and the engine.

pub mod engine;
pub mod fuzz;
pub mod timers;
pub mod wire;

pub use engine::{Tup, TupConfig, TupStats};
