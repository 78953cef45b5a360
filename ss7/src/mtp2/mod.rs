//! MTP level 2 (Q.703): signal units and the signalling link procedures.
//!
//! - [`su`]: the FISU, LSSU and MSU formats (checked view and plain value).
//! - [`Link`]: one link's state machine — alignment, proving, error monitoring, error
//!   correction, flow control, processor outage, retrieval for changeover.
//! - [`timers`]: T1–T7 with their Q.703 ranges.
//! - [`line`]: pacing a link by its 64 kbit/s line.
//! - [`pcap`]: signal units as pcap records (LINKTYPE_MTP2).

mod buffer;
pub mod fuzz;
pub mod line;
mod link;
pub mod pcap;
pub(crate) mod ring;
pub mod su;
pub mod timers;

#[cfg(test)]
mod tests;

pub(crate) use buffer::MsuRing;
pub use line::LinePacer;
pub use link::{
    AlignmentFailure, ErrorCorrection, FailureReason, Link, LinkConfig, LinkState, LinkStats, Mtp2Event,
    SendError,
};
pub use su::{LssuStatus, SignalUnit, SuBody, SuError, SuKind, SuRepr};
pub use timers::{MTP2_TIMERS, Mtp2Timer};
