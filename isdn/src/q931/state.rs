//! Call states.
//!
//! Q.931 names its states from the user's point of view on both sides: "call initiated" (1)
//! is the state of a call the user originated, whether the user (U1, SETUP sent) or the network
//! (N1, SETUP received) is looking at it. The engine therefore tracks a side-neutral [`Stage`]
//! plus the call's [`Direction`], and [`CallState`] turns the pair into the number the
//! standard gives for this side (the value sent in the call state element).

use crate::Side;

/// Who sent the SETUP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// This side sent the SETUP.
    Outgoing,
    /// The peer sent the SETUP.
    Incoming,
}

/// Progress of a call, independent of side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// SETUP sent or received, no answer yet.
    Initiated,
    /// SETUP ACKNOWLEDGE exchanged: digits follow in INFORMATION messages.
    Overlap,
    /// CALL PROCEEDING exchanged.
    Proceeding,
    /// ALERTING exchanged.
    Alerting,
    /// CONNECT sent by the called user, waiting for CONNECT ACKNOWLEDGE (U8), or CONNECT
    /// received by the network from the called user (N8).
    ConnectRequest,
    /// Active.
    Active,
    /// This side sent DISCONNECT.
    DisconnectSent,
    /// This side sent RELEASE.
    ReleaseRequest,
}

/// A Q.931 call state (U0–U25 on the user side, N0–N25 on the network side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallState {
    /// The side whose state this is.
    pub side: Side,
    /// The standard's state number.
    pub number: u8,
}

impl CallState {
    /// The null state (no call).
    pub const fn null(side: Side) -> Self {
        CallState { side, number: 0 }
    }

    /// The state of a call at `stage`, seen by `side`.
    pub fn of(side: Side, direction: Direction, stage: Stage) -> Self {
        // The state names follow the user: a call the user originated runs through 1-2-3-4,
        // one offered to the user through 6-25-9-7-8.
        let user_originated = (direction == Direction::Outgoing) == (side == Side::User);
        let number = match stage {
            Stage::Initiated => {
                if user_originated {
                    1
                } else {
                    6
                }
            }
            Stage::Overlap => {
                if user_originated {
                    2
                } else {
                    25
                }
            }
            Stage::Proceeding => {
                if user_originated {
                    3
                } else {
                    9
                }
            }
            Stage::Alerting => {
                if user_originated {
                    4
                } else {
                    7
                }
            }
            Stage::ConnectRequest => 8,
            Stage::Active => 10,
            Stage::DisconnectSent => {
                if side == Side::User {
                    11
                } else {
                    12
                }
            }
            Stage::ReleaseRequest => 19,
        };
        CallState { side, number }
    }

    /// The standard's name of the state.
    pub fn name(&self) -> &'static str {
        match (self.number, self.side) {
            (0, _) => "null",
            (1, _) => "call initiated",
            (2, _) => "overlap sending",
            (3, _) => "outgoing call proceeding",
            (4, _) => "call delivered",
            (6, _) => "call present",
            (7, _) => "call received",
            (8, _) => "connect request",
            (9, _) => "incoming call proceeding",
            (10, _) => "active",
            (11, _) => "disconnect request",
            (12, _) => "disconnect indication",
            (19, _) => "release request",
            (25, _) => "overlap receiving",
            _ => "unknown",
        }
    }
}

impl core::fmt::Display for CallState {
    /// `U10 active`, `N7 call received`.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let prefix = match self.side {
            Side::User => 'U',
            Side::Network => 'N',
        };
        write!(f, "{prefix}{} {}", self.number, self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::*;
    use Stage::*;

    #[test]
    fn a_user_originated_call_has_the_same_numbers_on_both_sides() {
        // The user places the call (outgoing for the user, incoming for the network).
        let stages = [Initiated, Overlap, Proceeding, Alerting, Active, ReleaseRequest];
        let expected = [1, 2, 3, 4, 10, 19];
        for (stage, number) in stages.into_iter().zip(expected) {
            assert_eq!(CallState::of(Side::User, Outgoing, stage).number, number);
            assert_eq!(CallState::of(Side::Network, Incoming, stage).number, number);
        }
    }

    #[test]
    fn a_network_originated_call_runs_through_6_25_9_7_8() {
        let stages = [Initiated, Overlap, Proceeding, Alerting, ConnectRequest, Active];
        let expected = [6, 25, 9, 7, 8, 10];
        for (stage, number) in stages.into_iter().zip(expected) {
            assert_eq!(CallState::of(Side::User, Incoming, stage).number, number);
            assert_eq!(CallState::of(Side::Network, Outgoing, stage).number, number);
        }
    }

    #[test]
    fn disconnect_request_and_indication_swap_with_the_side() {
        assert_eq!(CallState::of(Side::User, Outgoing, DisconnectSent).number, 11);
        assert_eq!(CallState::of(Side::Network, Outgoing, DisconnectSent).number, 12);
        assert_eq!(
            format!("{}", CallState::of(Side::Network, Outgoing, DisconnectSent)),
            "N12 disconnect indication"
        );
        assert_eq!(format!("{}", CallState::null(Side::User)), "U0 null");
    }
}
