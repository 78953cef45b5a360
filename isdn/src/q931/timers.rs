//! Q.931 timers (Table 9-1 network side, Table 9-2 user side) with their standard defaults.

use crate::Side;
use core::time::Duration;
use tdm_base::{TimerDef, TimerKind};

/// The layer 3 timers this stack runs. T309 and T316 also exist per call and per restart
/// request respectively; they share the enum so that one definition table configures all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallTimer {
    /// ALERTING received; waiting for CONNECT.
    T301,
    /// Overlap receiving: waiting for the next INFORMATION.
    T302,
    /// SETUP sent; waiting for any answer.
    T303,
    /// Overlap sending: waiting for the network to ask for more or proceed.
    T304,
    /// DISCONNECT sent; waiting for RELEASE or DISCONNECT.
    T305,
    /// RELEASE sent; waiting for RELEASE COMPLETE.
    T308,
    /// Data link lost with the call active; waiting for the link to return.
    T309,
    /// CALL PROCEEDING received; waiting for ALERTING, CONNECT, DISCONNECT or PROGRESS.
    T310,
    /// CONNECT sent; waiting for CONNECT ACKNOWLEDGE.
    T313,
    /// RESTART sent; waiting for RESTART ACKNOWLEDGE.
    T316,
}

impl TimerKind for CallTimer {
    const ALL: &'static [Self] = &[
        CallTimer::T301,
        CallTimer::T302,
        CallTimer::T303,
        CallTimer::T304,
        CallTimer::T305,
        CallTimer::T308,
        CallTimer::T309,
        CallTimer::T310,
        CallTimer::T313,
        CallTimer::T316,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// Number of [`CallTimer`]s.
pub const CALL_TIMER_COUNT: usize = 10;

/// How many times T316 may expire before the restart is given up (N316 ... libpri uses 2).
pub const N316: u8 = 2;

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

macro_rules! q931_timers {
    ($t304:expr, $t310:expr) => {
        [
            TimerDef {
                timer: CallTimer::T301,
                name: "T301",
                default: secs(180),
                min: secs(180),
                max: secs(3600),
                meaning: "ALERTING received; on expiry clear the call (no answer)",
            },
            TimerDef {
                timer: CallTimer::T302,
                name: "T302",
                default: secs(15),
                min: secs(10),
                max: secs(60),
                meaning: "overlap receiving; on expiry proceed if digits arrived, else clear with cause 28",
            },
            TimerDef {
                timer: CallTimer::T303,
                name: "T303",
                default: secs(4),
                min: secs(1),
                max: secs(30),
                meaning: "SETUP sent; on first expiry send it again, on the second release the call",
            },
            TimerDef {
                timer: CallTimer::T304,
                name: "T304",
                default: $t304,
                min: secs(10),
                max: secs(120),
                meaning: "overlap sending; on expiry DISCONNECT with cause 102",
            },
            TimerDef {
                timer: CallTimer::T305,
                name: "T305",
                default: secs(30),
                min: secs(4),
                max: secs(120),
                meaning: "DISCONNECT sent; on expiry send RELEASE",
            },
            TimerDef {
                timer: CallTimer::T308,
                name: "T308",
                default: secs(4),
                min: secs(1),
                max: secs(30),
                meaning: "RELEASE sent; on first expiry send it again, on the second free the call and restart the channel",
            },
            TimerDef {
                timer: CallTimer::T309,
                name: "T309",
                default: secs(90),
                min: secs(6),
                max: secs(300),
                meaning: "data link lost with the call active; on expiry clear it with cause 27",
            },
            TimerDef {
                timer: CallTimer::T310,
                name: "T310",
                default: $t310,
                min: secs(10),
                max: secs(120),
                meaning: "CALL PROCEEDING received; on expiry DISCONNECT with cause 102",
            },
            TimerDef {
                timer: CallTimer::T313,
                name: "T313",
                default: secs(4),
                min: secs(1),
                max: secs(30),
                meaning: "CONNECT sent; on expiry DISCONNECT with cause 102",
            },
            TimerDef {
                timer: CallTimer::T316,
                name: "T316",
                default: secs(120),
                min: secs(10),
                max: secs(600),
                meaning: "RESTART sent; on expiry send it again, up to N316 times",
            },
        ]
    };
}

/// User side defaults (Table 9-2): T304 30 s, T310 30 s.
pub static USER_TIMERS: [TimerDef<CallTimer>; CALL_TIMER_COUNT] = q931_timers!(secs(30), secs(30));

/// Network side defaults (Table 9-1): T304 20 s, T310 10 s.
pub static NETWORK_TIMERS: [TimerDef<CallTimer>; CALL_TIMER_COUNT] = q931_timers!(secs(20), secs(10));

/// The definition table for a side.
pub fn timers_for(side: Side) -> &'static [TimerDef<CallTimer>; CALL_TIMER_COUNT] {
    match side {
        Side::User => &USER_TIMERS,
        Side::Network => &NETWORK_TIMERS,
    }
}

/// The diagnostic a cause 102 carries: the timer's number in IA5 (Q.850 §2.2.7.4).
pub fn diagnostic(timer: CallTimer) -> [u8; 3] {
    let name = timers_for(Side::User).get(timer.index()).map(|def| def.name).unwrap_or("T000");
    let digits = name.as_bytes();
    [digits[1], digits[2], digits[3]]
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdm_base::TimerDefs;

    #[test]
    fn both_tables_are_in_index_order_with_defaults_in_range() {
        assert!(TimerDefs::new(&USER_TIMERS).is_in_index_order());
        assert!(TimerDefs::new(&NETWORK_TIMERS).is_in_index_order());
    }

    #[test]
    fn the_sides_differ_only_in_t304_and_t310() {
        let user = TimerDefs::new(&USER_TIMERS);
        let network = TimerDefs::new(&NETWORK_TIMERS);
        for timer in CallTimer::ALL.iter().copied() {
            let differs = user.get(timer) != network.get(timer);
            assert_eq!(differs, matches!(timer, CallTimer::T304 | CallTimer::T310), "{timer:?}");
        }
        assert_eq!(network.get(CallTimer::T310), secs(10));
        assert_eq!(user.get(CallTimer::T303), secs(4));
    }

    #[test]
    fn diagnostics_spell_the_timer_number() {
        assert_eq!(&diagnostic(CallTimer::T303), b"303");
        assert_eq!(&diagnostic(CallTimer::T316), b"316");
    }
}
