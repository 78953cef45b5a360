//! MTP level 3 (Q.704, Q.707) for a signalling point (not an STP): the routing label in both
//! point-code formats, message distribution to user parts, signalling link tests, link sets
//! with load sharing by SLS, changeover and changeback, and route management toward
//! destinations behind an adjacent STP.
//!
//! - [`transfer`]: what MTP3 and the user parts hand each other ([`Transfer`],
//!   [`Indication`]).
//! - [`Mtp3`]: the signalling point engine, owning its links' level 2.
//! - [`config`]: own point code, network, link sets (span, timeslot, SLC), routes.
//! - [`msg`]: management (SNM) and link test (SLTM/SLTA) messages.
//! - [`status`]: snapshots for `tdm status`.
//! - [`pair`]: two signalling points over simulated 64 kbit/s lines, for tests and benches.

pub mod config;
pub mod fuzz;
mod hold;
pub mod msg;
pub mod pair;
mod point;
pub mod status;
pub mod timers;
pub mod transfer;

#[cfg(test)]
mod tests;

pub use config::{ConfigError, LinkSetConfig, Mtp3Config, RouteConfig, SignallingLinkConfig};
pub use msg::{SnmMessage, TestMessage, TestPattern};
pub use point::{LinkFailure, Mtp3, Mtp3Event};
pub use status::{
    DestinationSnapshot, LinkId, LinkSetSnapshot, LinkSnapshot, Mtp3Snapshot, Mtp3Stats, RouteSnapshot,
    RouteStatus, SignallingLinkState,
};
pub use timers::{MTP3_TIMERS, Mtp3Timer};
pub use transfer::{
    DestinationStatus, Indication, MAX_SIF, Payload, Transfer, TransferError, UnavailabilityCause,
};
