//! Which end of the interface an engine plays.

/// The side of the user-network interface, chosen once per engine.
///
/// It decides Q.921's command/response bit (the network sends commands with C/R = 1, the user
/// with 0), Q.931's mandatory elements in each direction, the Q.931 state names, the default
/// timer values that differ (T304, T310) and which end of the B-channel range outgoing calls
/// take first (so that both sides choosing at once rarely pick the same channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The user side (terminal equipment, a PBX: "CPE").
    User,
    /// The network side (the exchange).
    Network,
}

impl Side {
    /// The other side.
    pub const fn peer(self) -> Side {
        match self {
            Side::User => Side::Network,
            Side::Network => Side::User,
        }
    }

    /// The C/R bit of commands this side sends (Q.921 Table 1).
    pub const fn command_cr(self) -> bool {
        matches!(self, Side::Network)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_commands_carry_cr_1_and_user_commands_cr_0() {
        assert!(Side::Network.command_cr());
        assert!(!Side::User.command_cr());
        assert_eq!(Side::User.peer(), Side::Network);
        assert_eq!(Side::Network.peer(), Side::User);
    }
}
