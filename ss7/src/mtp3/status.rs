//! Snapshots of a signalling point for `tdm status` and for tests: every link's level 2 state
//! and counters, every link set's state, every destination's routes. Built on request; nothing
//! here is on a real-time path.

use crate::label::{NetworkIndicator, PointCode, PointCodeFormat};
use crate::mtp2::{LinkState, LinkStats};

/// Where a signalling link stands at level 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignallingLinkState {
    /// Level 2 is aligning or out of service.
    Down,
    /// Level 2 is in service; the signalling link test has not passed yet.
    Testing,
    /// Tested and carrying traffic.
    Available,
}

impl SignallingLinkState {
    /// A short name for status displays.
    pub const fn name(self) -> &'static str {
        match self {
            SignallingLinkState::Down => "down",
            SignallingLinkState::Testing => "testing",
            SignallingLinkState::Available => "available",
        }
    }
}

/// The state of a route toward a destination, as the adjacent STP last declared it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteStatus {
    /// TFA, or nothing heard.
    Allowed,
    /// TFR.
    Restricted,
    /// TFP.
    Prohibited,
}

/// Identifies a signalling link: the index of its link set and its index within the set, both
/// in configuration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkId {
    pub set: usize,
    pub link: usize,
}

/// One link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSnapshot {
    pub id: LinkId,
    pub slc: u8,
    pub span: u32,
    pub timeslot: u8,
    /// Level 2 state.
    pub mtp2_state: LinkState,
    /// Level 3 state.
    pub state: SignallingLinkState,
    /// AERM count while proving, SUERM count once aligned.
    pub error_count: u32,
    /// MSUs sent and not yet acknowledged.
    pub unacknowledged: usize,
    /// MSUs waiting to be sent.
    pub waiting: usize,
    /// Transmit congestion reported and not abated.
    pub congested: bool,
    /// Signalling link tests that went unanswered in a row.
    pub test_failures: u8,
    /// Level 2 counters.
    pub counters: LinkStats,
}

/// One link set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSetSnapshot {
    pub name: String,
    pub adjacent: PointCode,
    /// At least one link is available.
    pub available: bool,
    /// Traffic restart allowed by the adjacent point (TRA received, or T21 ran out).
    pub traffic_allowed: bool,
    /// Links available.
    pub available_links: usize,
    /// Messages held while traffic changes over or back.
    pub held: usize,
    pub links: Vec<LinkSnapshot>,
}

/// One route to a destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSnapshot {
    pub link_set: String,
    pub priority: u8,
    pub status: RouteStatus,
}

/// One destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationSnapshot {
    pub pc: PointCode,
    pub accessible: bool,
    pub routes: Vec<RouteSnapshot>,
}

/// Level 3 counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mtp3Stats {
    /// User-part messages sent (accepted by `transfer`).
    pub messages_sent: u64,
    /// User-part messages delivered as indications.
    pub messages_delivered: u64,
    /// Received with another network indicator.
    pub wrong_network: u64,
    /// Received for another point code (this point is not an STP).
    pub not_for_us: u64,
    /// Too short for a label, or a management or test message that does not parse.
    pub malformed: u64,
    /// For a user part not present here (answered with UPU).
    pub unequipped: u64,
    /// Messages dropped because their link set went down with them held or unacknowledged.
    pub dropped: u64,
    /// Indications lost because the user did not poll them.
    pub dropped_indications: u64,
    /// Changeovers completed.
    pub changeovers: u64,
    /// Changebacks completed.
    pub changebacks: u64,
    /// Management messages received.
    pub management_received: u64,
    /// Management messages sent.
    pub management_sent: u64,
}

/// A whole signalling point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mtp3Snapshot {
    pub own_pc: PointCode,
    pub format: PointCodeFormat,
    pub ni: NetworkIndicator,
    pub link_sets: Vec<LinkSetSnapshot>,
    pub destinations: Vec<DestinationSnapshot>,
    pub stats: Mtp3Stats,
}
