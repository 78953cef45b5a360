//! The timers of Q.703 §12.3 for 64 kbit/s links, with their ranges.
//!
//! T4 has two durations, the normal and the emergency proving period; they are two rows (and
//! two slots of the running table) of which at most one runs.

use tdm_base::{Duration, TimerDef, TimerKind};

/// An MTP2 timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mtp2Timer {
    /// Alignment ready: waiting for the far end to be in service.
    T1,
    /// Not aligned: waiting for SIO, SIN or SIE.
    T2,
    /// Aligned: waiting for SIN or SIE.
    T3,
    /// Normal proving period (Pn).
    T4Normal,
    /// Emergency proving period (Pe).
    T4Emergency,
    /// Interval between busy signal units (SIB).
    T5,
    /// Remote congestion: the far end has been busy too long.
    T6,
    /// Excessive delay of acknowledgement.
    T7,
}

impl TimerKind for Mtp2Timer {
    const ALL: &'static [Self] = &[
        Mtp2Timer::T1,
        Mtp2Timer::T2,
        Mtp2Timer::T3,
        Mtp2Timer::T4Normal,
        Mtp2Timer::T4Emergency,
        Mtp2Timer::T5,
        Mtp2Timer::T6,
        Mtp2Timer::T7,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Number of MTP2 timers.
pub const MTP2_TIMER_COUNT: usize = 8;

const fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Q.703 timer values at 64 kbit/s. T4n is 2^16 octet times (8.192 s) within 7.5–9.5 s; T4e is
/// 2^12 octet times (0.512 s) within 0.4–0.6 s.
pub static MTP2_TIMERS: [TimerDef<Mtp2Timer>; MTP2_TIMER_COUNT] = [
    TimerDef {
        timer: Mtp2Timer::T1,
        name: "T1",
        default: ms(45_000),
        min: ms(40_000),
        max: ms(50_000),
        meaning: "aligned ready: no FISU or MSU from the far end in time; the link fails",
    },
    TimerDef {
        timer: Mtp2Timer::T2,
        name: "T2",
        default: ms(5_000),
        min: ms(5_000),
        max: ms(150_000),
        meaning: "not aligned: no SIO, SIN or SIE received; alignment is not possible",
    },
    TimerDef {
        timer: Mtp2Timer::T3,
        name: "T3",
        default: ms(1_000),
        min: ms(1_000),
        max: ms(2_000),
        meaning: "aligned: no SIN or SIE received; alignment is not possible",
    },
    TimerDef {
        timer: Mtp2Timer::T4Normal,
        name: "T4n",
        default: ms(8_192),
        min: ms(7_500),
        max: ms(9_500),
        meaning: "normal proving period; on expiry without an abort the link is aligned",
    },
    TimerDef {
        timer: Mtp2Timer::T4Emergency,
        name: "T4e",
        default: ms(512),
        min: ms(400),
        max: ms(600),
        meaning: "emergency proving period; on expiry without an abort the link is aligned",
    },
    TimerDef {
        timer: Mtp2Timer::T5,
        name: "T5",
        default: ms(100),
        min: ms(80),
        max: ms(120),
        meaning: "sending SIB: interval between busy indications while the receiver is congested",
    },
    TimerDef {
        timer: Mtp2Timer::T6,
        name: "T6",
        default: ms(5_000),
        min: ms(3_000),
        max: ms(6_000),
        meaning: "remote congestion lasted too long; the link fails",
    },
    TimerDef {
        timer: Mtp2Timer::T7,
        name: "T7",
        default: ms(1_000),
        min: ms(500),
        max: ms(2_000),
        meaning: "no acknowledgement for an outstanding MSU; the link fails",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use tdm_base::TimerDefs;

    #[test]
    fn the_table_is_in_index_order_with_defaults_in_range() {
        let defs = TimerDefs::new(&MTP2_TIMERS);
        assert!(defs.is_in_index_order());
        assert_eq!(defs.get(Mtp2Timer::T4Normal), Duration::from_micros(65_536 * 125));
        assert_eq!(defs.get(Mtp2Timer::T4Emergency), Duration::from_micros(4_096 * 125));
    }
}
