//! Signaling System No.7 for E1 trunks, ITU and China national, sans-IO.
//!
//! Architecture invariant: nothing here reads a clock, does I/O or spawns a thread. Engines
//! are values fed signal units, primitives and `now`, returning what to send and their next
//! deadline. The variant (14-bit ITU or 24-bit China point codes, network indicator) is a
//! value chosen at construction, never a global switch.
//!
//! - [`label`]: point codes, the service information octet and the routing label, the
//!   vocabulary every level above MTP2 shares.

pub mod label;

pub use label::{
    LabelError, NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio,
};
