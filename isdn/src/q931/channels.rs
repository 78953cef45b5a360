//! B-channels of an E1 primary rate interface and what each is doing.
//!
//! Channels are named by timeslot, which is also the number the channel identification element
//! carries: 1–15 and 17–31 (30 B-channels; timeslot 16 is the D-channel, timeslot 0 framing).

/// What a B-channel is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelState {
    /// Free.
    Idle,
    /// Held by the call in this slot of the call table.
    Busy(u16),
    /// Out of service until restarted (after T308 expired twice, or a failed restart).
    Maintenance,
    /// A RESTART for it was sent and not yet acknowledged.
    Restarting,
}

/// Highest timeslot of an E1.
pub const MAX_TIMESLOT: u8 = 31;

/// Whether `timeslot` is a B-channel of an E1 primary rate interface.
pub const fn is_b_channel(timeslot: u8) -> bool {
    matches!(timeslot, 1..=15 | 17..=31)
}

/// The B-channel ↔ logical channel number mapping some switches use (B1–B30, skipping
/// timeslot 16): timeslot → B-channel index.
pub const fn b_channel_of(timeslot: u8) -> Option<u8> {
    match timeslot {
        1..=15 => Some(timeslot),
        17..=31 => Some(timeslot - 1),
        _ => None,
    }
}

/// B-channel index (1–30) → timeslot.
pub const fn timeslot_of(b_channel: u8) -> Option<u8> {
    match b_channel {
        1..=15 => Some(b_channel),
        16..=30 => Some(b_channel + 1),
        _ => None,
    }
}

/// Which end of the range a side searches first for a free channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hunt {
    /// Lowest timeslot first.
    Ascending,
    /// Highest timeslot first.
    Descending,
}

/// The state of every B-channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channels {
    states: [ChannelState; MAX_TIMESLOT as usize + 1],
    hunt: Hunt,
}

impl Channels {
    /// All 30 B-channels idle.
    pub fn new(hunt: Hunt) -> Self {
        Channels { states: [ChannelState::Idle; MAX_TIMESLOT as usize + 1], hunt }
    }

    /// The state of a B-channel; `None` for a timeslot that is not one.
    pub fn state(&self, timeslot: u8) -> Option<ChannelState> {
        if is_b_channel(timeslot) { self.states.get(usize::from(timeslot)).copied() } else { None }
    }

    pub(crate) fn set(&mut self, timeslot: u8, state: ChannelState) {
        if is_b_channel(timeslot)
            && let Some(slot) = self.states.get_mut(usize::from(timeslot))
        {
            *slot = state;
        }
    }

    /// Whether `timeslot` is a B-channel and idle.
    pub fn is_idle(&self, timeslot: u8) -> bool {
        self.state(timeslot) == Some(ChannelState::Idle)
    }

    /// A free channel in hunting order.
    pub fn find_idle(&self) -> Option<u8> {
        let mut order = (1..=MAX_TIMESLOT).filter(|ts| self.is_idle(*ts));
        match self.hunt {
            Hunt::Ascending => order.next(),
            Hunt::Descending => order.next_back(),
        }
    }

    /// Timeslots and states of all B-channels.
    pub fn iter(&self) -> impl Iterator<Item = (u8, ChannelState)> + '_ {
        (1..=MAX_TIMESLOT).filter(|ts| is_b_channel(*ts)).map(|ts| (ts, self.states[usize::from(ts)]))
    }

    /// Number of idle B-channels.
    pub fn idle_count(&self) -> usize {
        self.iter().filter(|(_, state)| *state == ChannelState::Idle).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e1_b_channels_are_timeslots_1_to_15_and_17_to_31() {
        assert!(!is_b_channel(0));
        assert!(is_b_channel(1) && is_b_channel(15));
        assert!(!is_b_channel(16));
        assert!(is_b_channel(17) && is_b_channel(31));
        assert!(!is_b_channel(32));
        assert_eq!(Channels::new(Hunt::Ascending).iter().count(), 30);
    }

    #[test]
    fn logical_numbering_skips_timeslot_16() {
        assert_eq!(b_channel_of(15), Some(15));
        assert_eq!(b_channel_of(16), None);
        assert_eq!(b_channel_of(17), Some(16));
        assert_eq!(b_channel_of(31), Some(30));
        assert_eq!(timeslot_of(16), Some(17));
        assert_eq!(timeslot_of(30), Some(31));
        assert_eq!(timeslot_of(0), None);
        assert_eq!(timeslot_of(31), None);
    }

    #[test]
    fn hunting_starts_at_the_configured_end_and_skips_busy_channels() {
        let mut up = Channels::new(Hunt::Ascending);
        let mut down = Channels::new(Hunt::Descending);
        assert_eq!(up.find_idle(), Some(1));
        assert_eq!(down.find_idle(), Some(31));
        up.set(1, ChannelState::Busy(0));
        down.set(31, ChannelState::Maintenance);
        assert_eq!(up.find_idle(), Some(2));
        assert_eq!(down.find_idle(), Some(30));
        assert_eq!(up.idle_count(), 29);
        up.set(16, ChannelState::Busy(0));
        assert_eq!(up.state(16), None);
    }

    #[test]
    fn a_full_interface_has_no_idle_channel() {
        let mut channels = Channels::new(Hunt::Ascending);
        for ts in 1..=31 {
            channels.set(ts, ChannelState::Busy(u16::from(ts)));
        }
        assert_eq!(channels.find_idle(), None);
        assert_eq!(channels.idle_count(), 0);
    }
}
