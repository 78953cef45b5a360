//! ISDN User Part (Q.761–Q.764), ITU and China national (YDN 038-1997).
//!
//! The China variant is the ITU message set and coding carried with 24-bit point codes and
//! the 7-octet routing label: the variant is the point code format chosen in
//! [`IsupConfig`]. YDN 038's national messages (CCL, MPM, OPR) have no confirmed wire codes
//! (reference §3.5) and are treated as unrecognized messages, per Q.764 §2.9.5.
//!
//! - [`wire`]: every message and parameter, with pointers and the optional part;
//! - [`compat`]: the Q.764 §2.9.5 treatment of unrecognized messages and parameters;
//! - [`timers`]: T1–T33 as Q.764 Annex A defines them;
//! - [`engine`]: [`Isup`], call control and circuit supervision toward one peer;
//! - [`fuzz`]: fuzz bodies for the decoder and the engine.

pub mod compat;
pub mod engine;
pub mod fuzz;
pub mod timers;
pub mod wire;

pub use engine::{Isup, IsupConfig, IsupStats};
