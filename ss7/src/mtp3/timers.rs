//! The MTP3 timers this signalling point runs (Q.704 §16.8, Q.707 §5.5), with their ranges.

use tdm_base::{Duration, TimerDef, TimerKind};

/// An MTP3 timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mtp3Timer {
    /// Delay before diverting traffic in a time-controlled changeover.
    T1,
    /// Waiting for a changeover acknowledgement.
    T2,
    /// Delay before returning traffic in a time-controlled changeback.
    T3,
    /// Waiting for a changeback acknowledgement (first attempt).
    T4,
    /// Waiting for a changeback acknowledgement (second attempt).
    T5,
    /// Repeating a signalling route set test.
    T10,
    /// Waiting for the adjacent point's traffic restart allowed.
    T21,
    /// Q.707 T1: waiting for a signalling link test acknowledgement.
    SltT1,
    /// Q.707 T2: interval between periodic signalling link tests.
    SltT2,
}

impl TimerKind for Mtp3Timer {
    const ALL: &'static [Self] = &[
        Mtp3Timer::T1,
        Mtp3Timer::T2,
        Mtp3Timer::T3,
        Mtp3Timer::T4,
        Mtp3Timer::T5,
        Mtp3Timer::T10,
        Mtp3Timer::T21,
        Mtp3Timer::SltT1,
        Mtp3Timer::SltT2,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Number of MTP3 timers.
pub const MTP3_TIMER_COUNT: usize = 9;

const fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// Q.704 and Q.707 values.
pub static MTP3_TIMERS: [TimerDef<Mtp3Timer>; MTP3_TIMER_COUNT] = [
    TimerDef {
        timer: Mtp3Timer::T1,
        name: "T1",
        default: ms(800),
        min: ms(500),
        max: ms(1_200),
        meaning: "time-controlled changeover: delay before the traffic moves to another link",
    },
    TimerDef {
        timer: Mtp3Timer::T2,
        name: "T2",
        default: ms(1_400),
        min: ms(700),
        max: ms(2_000),
        meaning: "no changeover acknowledgement: the changeover becomes time-controlled",
    },
    TimerDef {
        timer: Mtp3Timer::T3,
        name: "T3",
        default: ms(800),
        min: ms(500),
        max: ms(1_200),
        meaning: "time-controlled changeback: delay before the traffic returns",
    },
    TimerDef {
        timer: Mtp3Timer::T4,
        name: "T4",
        default: ms(800),
        min: ms(500),
        max: ms(1_200),
        meaning: "no changeback acknowledgement: the declaration is sent once more",
    },
    TimerDef {
        timer: Mtp3Timer::T5,
        name: "T5",
        default: ms(800),
        min: ms(500),
        max: ms(1_200),
        meaning: "no changeback acknowledgement to the second declaration: traffic returns anyway",
    },
    TimerDef {
        timer: Mtp3Timer::T10,
        name: "T10",
        default: ms(30_000),
        min: ms(30_000),
        max: ms(60_000),
        meaning: "route set test: RST or RSR is sent again while the route stays prohibited or restricted",
    },
    TimerDef {
        timer: Mtp3Timer::T21,
        name: "T21",
        default: ms(64_000),
        min: ms(63_000),
        max: ms(65_000),
        meaning: "no TRA from the adjacent point after the link set came up: traffic starts anyway",
    },
    TimerDef {
        timer: Mtp3Timer::SltT1,
        name: "SLT T1",
        default: ms(8_000),
        min: ms(4_000),
        max: ms(12_000),
        meaning: "no SLTA: the test is repeated once, then the link is taken out of service",
    },
    TimerDef {
        timer: Mtp3Timer::SltT2,
        name: "SLT T2",
        default: ms(60_000),
        min: ms(30_000),
        max: ms(90_000),
        meaning: "periodic signalling link test interval",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use tdm_base::TimerDefs;

    #[test]
    fn the_table_is_in_index_order_with_defaults_in_range() {
        let defs = TimerDefs::new(&MTP3_TIMERS);
        assert!(defs.is_in_index_order());
        assert_eq!(defs.get(Mtp3Timer::SltT1), Duration::from_secs(8));
    }
}
