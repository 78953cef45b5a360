//! TUP time-outs (Q.724 of the Blue Book; China national TUP, GF 001-9001).
//!
//! Q.724 describes its time-outs in the procedures rather than as a numbered table, so the
//! timers here carry descriptive names. The ranges are Q.724's where it gives one (4–15 s for
//! the acknowledgements of CLF, BLO, UBL, RSC and the group messages, one minute before
//! maintenance is alerted, 20–30 s for ACM, 10–15 s for the continuity signal, 2 s for the
//! check tone, 1–3 min between continuity rechecks). The China values are unconfirmed
//! (reference §3.4: "TUP timers: not collected"): every default can be overridden by name.

use core::time::Duration;
use tdm_base::{TimerDef, TimerKind};

/// Timers that run on one circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TupTimer {
    /// Latest address message sent: waiting for ACM; on expiry clear (CLF).
    Acm,
    /// ACM received: waiting for answer; on expiry clear with cause 19.
    Answer,
    /// CLF sent: waiting for RLG; on expiry send CLF again.
    Rlg,
    /// Initial CLF sent: on expiry alert maintenance and keep sending CLF every minute.
    RlgLong,
    /// BLO sent: waiting for BLA; on expiry send BLO again.
    Bla,
    /// Initial BLO sent: on expiry alert maintenance, send BLO every minute.
    BlaLong,
    /// UBL sent: waiting for UBA; on expiry send UBL again.
    Uba,
    /// Initial UBL sent: on expiry alert maintenance, send UBL every minute.
    UbaLong,
    /// RSC sent: waiting for RLG; on expiry send RSC again.
    Reset,
    /// Initial RSC sent: on expiry alert maintenance, send RSC every minute.
    ResetLong,
    /// IAM with continuity check received: waiting for COT or CCF; on expiry reset.
    Continuity,
    /// Check tone sent: on expiry the check has failed (CCF).
    CheckTone,
    /// First continuity failure: on expiry send CCR and check again.
    RecheckFirst,
    /// Later continuity failure: on expiry send CCR and check again.
    RecheckLater,
    /// CCF received: waiting for CCR; on expiry reset the circuit.
    Ccr,
    /// GRQ sent: waiting for GSM; on expiry fail the call (CFL) and alert maintenance.
    Gsm,
}

impl TimerKind for TupTimer {
    const ALL: &'static [Self] = &[
        TupTimer::Acm,
        TupTimer::Answer,
        TupTimer::Rlg,
        TupTimer::RlgLong,
        TupTimer::Bla,
        TupTimer::BlaLong,
        TupTimer::Uba,
        TupTimer::UbaLong,
        TupTimer::Reset,
        TupTimer::ResetLong,
        TupTimer::Continuity,
        TupTimer::CheckTone,
        TupTimer::RecheckFirst,
        TupTimer::RecheckLater,
        TupTimer::Ccr,
        TupTimer::Gsm,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// Number of [`TupTimer`]s.
pub const TUP_TIMERS: usize = 16;

/// Timers that run per circuit group message sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TupGroupTimer {
    /// Group message sent: waiting for its acknowledgement; on expiry send it again.
    Ack,
    /// Initial group message sent: on expiry alert maintenance, send it every minute.
    AckLong,
}

impl TimerKind for TupGroupTimer {
    const ALL: &'static [Self] = &[TupGroupTimer::Ack, TupGroupTimer::AckLong];
    fn index(self) -> usize {
        self as usize
    }
}

/// Number of [`TupGroupTimer`]s.
pub const TUP_GROUP_TIMERS: usize = 2;

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

/// Circuit timers.
pub static TUP_TIMER_DEFS: [TimerDef<TupTimer>; TUP_TIMERS] = [
    def(TupTimer::Acm, "ACM", s(20), s(20), s(30), "address message sent; on expiry clear (CLF)"),
    def(TupTimer::Answer, "ANSWER", s(90), s(60), s(180), "ACM received; on expiry clear with cause 19"),
    def(TupTimer::Rlg, "RLG", s(15), s(4), s(15), "CLF sent; on expiry send CLF again"),
    def(
        TupTimer::RlgLong,
        "RLG-LONG",
        s(60),
        s(60),
        s(60),
        "initial CLF sent; on expiry alert, CLF every minute",
    ),
    def(TupTimer::Bla, "BLA", s(15), s(4), s(15), "BLO sent; on expiry send BLO again"),
    def(
        TupTimer::BlaLong,
        "BLA-LONG",
        s(60),
        s(60),
        s(60),
        "initial BLO sent; on expiry alert, BLO every minute",
    ),
    def(TupTimer::Uba, "UBA", s(15), s(4), s(15), "UBL sent; on expiry send UBL again"),
    def(
        TupTimer::UbaLong,
        "UBA-LONG",
        s(60),
        s(60),
        s(60),
        "initial UBL sent; on expiry alert, UBL every minute",
    ),
    def(TupTimer::Reset, "RSC", s(15), s(4), s(15), "RSC sent; on expiry send RSC again"),
    def(
        TupTimer::ResetLong,
        "RSC-LONG",
        s(60),
        s(60),
        s(60),
        "initial RSC sent; on expiry alert, RSC every minute",
    ),
    def(
        TupTimer::Continuity,
        "COT",
        s(15),
        s(10),
        s(15),
        "IAM with continuity check received; on expiry reset",
    ),
    def(
        TupTimer::CheckTone,
        "TONE",
        s(2),
        ms(100),
        s(2),
        "check tone sent; on expiry the check failed (CCF)",
    ),
    def(
        TupTimer::RecheckFirst,
        "RECHECK-FIRST",
        s(5),
        s(1),
        s(10),
        "first continuity failure; on expiry recheck",
    ),
    def(
        TupTimer::RecheckLater,
        "RECHECK",
        s(120),
        s(60),
        s(180),
        "later continuity failure; on expiry recheck",
    ),
    def(TupTimer::Ccr, "CCR", s(240), s(180), s(600), "CCF received; on expiry reset the circuit"),
    def(TupTimer::Gsm, "GSM", s(20), s(10), s(30), "GRQ sent; on expiry fail the call and alert"),
];

/// Group timers.
pub static TUP_GROUP_TIMER_DEFS: [TimerDef<TupGroupTimer>; TUP_GROUP_TIMERS] = [
    def(TupGroupTimer::Ack, "GROUP-ACK", s(15), s(4), s(15), "group message sent; on expiry send it again"),
    def(
        TupGroupTimer::AckLong,
        "GROUP-ACK-LONG",
        s(60),
        s(60),
        s(60),
        "initial group message sent; on expiry alert",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use tdm_base::TimerDefs;

    #[test]
    fn tables_are_in_index_order_and_overridable_by_name() {
        assert!(TimerDefs::new(&TUP_TIMER_DEFS).is_in_index_order());
        assert!(TimerDefs::new(&TUP_GROUP_TIMER_DEFS).is_in_index_order());
        let mut defs = TimerDefs::new(&TUP_TIMER_DEFS);
        assert_eq!(defs.set_by_name("rlg", s(4)), Ok(()));
        assert_eq!(defs.get(TupTimer::Rlg), s(4));
        assert!(defs.set_by_name("RLG", s(3)).is_err());
    }
}
