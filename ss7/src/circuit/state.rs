//! The maintenance state of a circuit as both user parts keep it: blocking by this exchange
//! (local) or by the other one (remote), for maintenance or for a hardware failure (Q.764
//! §2.8, Q.724 §6).

use core::fmt;

/// What kind of blocking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// Maintenance oriented (BLO, or CGB/MGB).
    Maintenance,
    /// Hardware failure oriented (CGB/HGB): calls on the circuits are released.
    Hardware,
}

/// Which exchange blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// This exchange: the peer may not use the circuit for new calls.
    Local,
    /// The other exchange: this exchange may not use it for new outgoing calls.
    Remote,
}

/// Blocking states of one circuit, any combination.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Blocking(u8);

impl Blocking {
    /// Not blocked.
    pub const NONE: Blocking = Blocking(0);

    const fn bit(origin: Origin, kind: BlockKind) -> u8 {
        match (origin, kind) {
            (Origin::Local, BlockKind::Maintenance) => 1,
            (Origin::Local, BlockKind::Hardware) => 2,
            (Origin::Remote, BlockKind::Maintenance) => 4,
            (Origin::Remote, BlockKind::Hardware) => 8,
        }
    }

    /// Whether blocked by `origin` for `kind`.
    pub fn contains(self, origin: Origin, kind: BlockKind) -> bool {
        self.0 & Self::bit(origin, kind) != 0
    }

    /// Sets or clears one state; returns whether it changed.
    pub fn set(&mut self, origin: Origin, kind: BlockKind, blocked: bool) -> bool {
        let before = self.0;
        if blocked {
            self.0 |= Self::bit(origin, kind);
        } else {
            self.0 &= !Self::bit(origin, kind);
        }
        before != self.0
    }

    /// Whether blocked in any way.
    pub fn is_blocked(self) -> bool {
        self.0 != 0
    }

    /// Whether this exchange blocked it (any kind).
    pub fn locally(self) -> bool {
        self.0 & 3 != 0
    }

    /// Whether the other exchange blocked it (any kind).
    pub fn remotely(self) -> bool {
        self.0 & 12 != 0
    }
}

impl fmt::Debug for Blocking {
    /// `Blocking(local maintenance, remote hardware)` or `Blocking(none)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Origin::Local, BlockKind::Maintenance, "local maintenance"),
            (Origin::Local, BlockKind::Hardware, "local hardware"),
            (Origin::Remote, BlockKind::Maintenance, "remote maintenance"),
            (Origin::Remote, BlockKind::Hardware, "remote hardware"),
        ];
        let mut first = true;
        write!(f, "Blocking(")?;
        for (origin, kind, name) in names {
            if self.contains(origin, kind) {
                if !first {
                    write!(f, ", ")?;
                }
                write!(f, "{name}")?;
                first = false;
            }
        }
        if first {
            write!(f, "none")?;
        }
        write!(f, ")")
    }
}

/// What a circuit is doing, as `tdm status` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activity {
    /// Free.
    Idle,
    /// Carrying (or setting up) a call from the other exchange.
    Incoming,
    /// Carrying (or setting up) a call to the other exchange.
    Outgoing,
    /// A release was sent; waiting for its acknowledgement.
    Releasing,
    /// A reset was sent; waiting for its acknowledgement.
    Resetting,
    /// A continuity check or recheck, or waiting for one after a failure.
    ContinuityCheck,
}

/// One circuit's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CircuitStatus {
    /// Circuit identification code.
    pub cic: u16,
    /// Span carrying it.
    pub span: u16,
    /// Timeslot on that span.
    pub timeslot: u8,
    /// What it is doing.
    pub activity: Activity,
    /// Its blocking states.
    pub blocking: Blocking,
    /// The other exchange reported the CIC unequipped.
    pub remote_unequipped: bool,
}

impl CircuitStatus {
    /// Whether a new outgoing call may take it.
    pub fn is_available(&self) -> bool {
        self.activity == Activity::Idle && !self.blocking.is_blocked() && !self.remote_unequipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocking_states_combine_and_report_changes() {
        let mut b = Blocking::NONE;
        assert!(!b.is_blocked());
        assert!(b.set(Origin::Local, BlockKind::Maintenance, true));
        assert!(!b.set(Origin::Local, BlockKind::Maintenance, true));
        assert!(b.set(Origin::Remote, BlockKind::Hardware, true));
        assert!(b.locally() && b.remotely());
        assert!(b.contains(Origin::Remote, BlockKind::Hardware));
        assert!(!b.contains(Origin::Remote, BlockKind::Maintenance));
        assert_eq!(format!("{b:?}"), "Blocking(local maintenance, remote hardware)");
        assert!(b.set(Origin::Local, BlockKind::Maintenance, false));
        assert!(!b.locally());
        assert!(b.set(Origin::Remote, BlockKind::Hardware, false));
        assert_eq!(format!("{b:?}"), "Blocking(none)");
    }
}
