//! ISUP timers (Q.764 Annex A, Table A.1) with their defaults and ranges. Circuit timers run
//! per circuit; group timers per circuit group message this exchange sent.

use core::time::Duration;
use tdm_base::{TimerDef, TimerKind};

/// Timers that run on one circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CircuitTimer {
    /// REL sent: waiting for RLC; on expiry send REL again.
    T1,
    /// Initial REL sent: on expiry send RSC, alert maintenance, stop T1, start T17.
    T5,
    /// SUS (network) received: on expiry release the call.
    T6,
    /// Latest address message sent: waiting for ACM or CON; on expiry release.
    T7,
    /// IAM with a continuity check received: waiting for COT; on expiry release.
    T8,
    /// ACM received: waiting for answer; on expiry release (cause 19).
    T9,
    /// BLO sent: waiting for BLA; on expiry send BLO again.
    T12,
    /// Initial BLO sent: on expiry send BLO, alert maintenance, restart T13, stop T12.
    T13,
    /// UBL sent: waiting for UBA; on expiry send UBL again.
    T14,
    /// Initial UBL sent: on expiry send UBL, alert maintenance, restart T15, stop T14.
    T15,
    /// RSC sent: waiting for RLC; on expiry send RSC again.
    T16,
    /// Initial RSC sent: on expiry send RSC, alert maintenance, restart T17, stop T16.
    T17,
    /// Check tone sent: on expiry the check has failed (COT with failure).
    T24,
    /// First continuity failure: on expiry send CCR and check again.
    T25,
    /// Later continuity failure: on expiry send CCR and check again.
    T26,
    /// Continuity failure indication received: waiting for CCR; on expiry send RSC.
    T27,
    /// INR sent: waiting for INF; on expiry release and alert maintenance.
    T33,
}

impl TimerKind for CircuitTimer {
    const ALL: &'static [Self] = &[
        CircuitTimer::T1,
        CircuitTimer::T5,
        CircuitTimer::T6,
        CircuitTimer::T7,
        CircuitTimer::T8,
        CircuitTimer::T9,
        CircuitTimer::T12,
        CircuitTimer::T13,
        CircuitTimer::T14,
        CircuitTimer::T15,
        CircuitTimer::T16,
        CircuitTimer::T17,
        CircuitTimer::T24,
        CircuitTimer::T25,
        CircuitTimer::T26,
        CircuitTimer::T27,
        CircuitTimer::T33,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// Number of [`CircuitTimer`]s.
pub const CIRCUIT_TIMERS: usize = 17;

/// Timers that run per circuit group message sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupTimer {
    /// CGB sent: waiting for CGBA; on expiry send CGB again.
    T18,
    /// Initial CGB sent: on expiry send CGB, alert maintenance, restart T19, stop T18.
    T19,
    /// CGU sent: waiting for CGUA; on expiry send CGU again.
    T20,
    /// Initial CGU sent: on expiry send CGU, alert maintenance, restart T21, stop T20.
    T21,
    /// GRS sent: waiting for GRA; on expiry send GRS again.
    T22,
    /// Initial GRS sent: on expiry send GRS, alert maintenance, restart T23, stop T22.
    T23,
}

impl TimerKind for GroupTimer {
    const ALL: &'static [Self] = &[
        GroupTimer::T18,
        GroupTimer::T19,
        GroupTimer::T20,
        GroupTimer::T21,
        GroupTimer::T22,
        GroupTimer::T23,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// Number of [`GroupTimer`]s.
pub const GROUP_TIMERS: usize = 6;

const fn s(secs: u64) -> Duration {
    Duration::from_secs(secs)
}

const fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

const fn def<T>(
    timer: T,
    name: &'static str,
    default: Duration,
    min: Duration,
    max: Duration,
    meaning: &'static str,
) -> TimerDef<T> {
    TimerDef { timer, name, default, min, max, meaning }
}

/// Circuit timers: Q.764 Table A.1 ranges, the lower end as default where the table gives a
/// range (T6 and T9 follow Q.118).
pub static CIRCUIT_TIMER_DEFS: [TimerDef<CircuitTimer>; CIRCUIT_TIMERS] = [
    def(CircuitTimer::T1, "T1", s(15), s(15), s(60), "REL sent; on expiry send REL again"),
    def(
        CircuitTimer::T5,
        "T5",
        s(300),
        s(300),
        s(900),
        "initial REL sent; on expiry send RSC and alert maintenance",
    ),
    def(CircuitTimer::T6, "T6", s(30), s(10), s(32), "SUS (network) received; on expiry release the call"),
    def(
        CircuitTimer::T7,
        "T7",
        s(20),
        s(20),
        s(30),
        "latest address message sent; on expiry release the call",
    ),
    def(CircuitTimer::T8, "T8", s(10), s(10), s(15), "IAM with continuity check received; on expiry release"),
    def(CircuitTimer::T9, "T9", s(90), s(90), s(180), "ACM received; on expiry release with cause 19"),
    def(CircuitTimer::T12, "T12", s(15), s(15), s(60), "BLO sent; on expiry send BLO again"),
    def(
        CircuitTimer::T13,
        "T13",
        s(300),
        s(300),
        s(900),
        "initial BLO sent; on expiry send BLO and alert maintenance",
    ),
    def(CircuitTimer::T14, "T14", s(15), s(15), s(60), "UBL sent; on expiry send UBL again"),
    def(
        CircuitTimer::T15,
        "T15",
        s(300),
        s(300),
        s(900),
        "initial UBL sent; on expiry send UBL and alert maintenance",
    ),
    def(CircuitTimer::T16, "T16", s(15), s(15), s(60), "RSC sent; on expiry send RSC again"),
    def(
        CircuitTimer::T17,
        "T17",
        s(300),
        s(300),
        s(900),
        "initial RSC sent; on expiry send RSC and alert maintenance",
    ),
    def(
        CircuitTimer::T24,
        "T24",
        s(2),
        ms(100),
        s(2),
        "check tone sent; on expiry the continuity check failed",
    ),
    def(
        CircuitTimer::T25,
        "T25",
        s(5),
        s(1),
        s(10),
        "first continuity failure; on expiry send CCR and recheck",
    ),
    def(
        CircuitTimer::T26,
        "T26",
        s(120),
        s(60),
        s(180),
        "later continuity failure; on expiry send CCR and recheck",
    ),
    def(CircuitTimer::T27, "T27", s(240), s(180), s(600), "continuity failure received; on expiry send RSC"),
    def(CircuitTimer::T33, "T33", s(12), s(12), s(15), "INR sent; on expiry release and alert maintenance"),
];

/// Group timers (Q.764 Table A.1).
pub static GROUP_TIMER_DEFS: [TimerDef<GroupTimer>; GROUP_TIMERS] = [
    def(GroupTimer::T18, "T18", s(15), s(15), s(60), "CGB sent; on expiry send CGB again"),
    def(
        GroupTimer::T19,
        "T19",
        s(300),
        s(300),
        s(900),
        "initial CGB sent; on expiry send CGB and alert maintenance",
    ),
    def(GroupTimer::T20, "T20", s(15), s(15), s(60), "CGU sent; on expiry send CGU again"),
    def(
        GroupTimer::T21,
        "T21",
        s(300),
        s(300),
        s(900),
        "initial CGU sent; on expiry send CGU and alert maintenance",
    ),
    def(GroupTimer::T22, "T22", s(15), s(15), s(60), "GRS sent; on expiry send GRS again"),
    def(
        GroupTimer::T23,
        "T23",
        s(300),
        s(300),
        s(900),
        "initial GRS sent; on expiry send GRS and alert maintenance",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use tdm_base::TimerDefs;

    #[test]
    fn tables_are_in_index_order_with_defaults_in_range() {
        assert!(TimerDefs::new(&CIRCUIT_TIMER_DEFS).is_in_index_order());
        assert!(TimerDefs::new(&GROUP_TIMER_DEFS).is_in_index_order());
        let defs = TimerDefs::new(&CIRCUIT_TIMER_DEFS);
        assert_eq!(defs.get(CircuitTimer::T7), s(20));
        assert_eq!(defs.get(CircuitTimer::T5), s(300));
        assert_eq!(defs.def(CircuitTimer::T33).map(|d| d.name), Some("T33"));
    }
}
