//! Signaling System No.7 for E1 trunks, ITU and China national, sans-IO.
//!
//! Architecture invariant: nothing here reads a clock, does I/O or spawns a thread. Engines
//! are values fed signal units, primitives and `now`, returning what to send and their next
//! deadline. The variant (14-bit ITU or 24-bit China point codes, network indicator) is a
//! value chosen at construction, never a global switch.
//!
//! - [`label`]: point codes, the service information octet and the routing label, the
//!   vocabulary every level above MTP2 shares.
//! - [`mtp2`]: signal units and the signalling link procedures (Q.703), line pacing, pcap.
//! - [`mtp3`]: the signalling point (Q.704, Q.707): user-part interface ([`mtp3::Transfer`],
//!   [`mtp3::Indication`]), link sets, changeover/changeback, route management, status.
//! - [`circuit`]: what ISUP and TUP share: CIC ↔ span/timeslot, circuit states, dual seizure
//!   and hunting, the continuity check transceiver, the call model ([`circuit::UserPart`],
//!   [`circuit::Event`]) and a two-point test harness.
//! - [`isup`]: ISDN User Part (Q.763/Q.764; China YDN 038 with 24-bit point codes).
//! - [`tup`]: Telephone User Part (Q.721–Q.724; China GF 001-9001).
//! - [`describe`]: one line of text per signal unit, decoded down to the user part, for
//!   live traces.

pub mod circuit;
pub mod describe;
pub mod isup;
pub mod label;
pub mod mtp2;
pub mod mtp3;
pub mod tup;

pub use label::{
    LabelError, NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio,
};
