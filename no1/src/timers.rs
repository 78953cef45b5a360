//! The timers of one No.1 circuit, with their defaults and the range configuration may set.
//!
//! GF 002-9002's own time-outs were not available (fact sheet §2.1 and §2.5, status U); the
//! defaults are Q.421/Q.442 values where those give one, otherwise OpenR2's, so that this
//! stack and OpenR2 time out alike. Every one can be overridden by name per operator.

use core::time::Duration;
use tdm_base::{TimerDef, TimerKind};

/// A circuit's timers. One table serves both directions; a circuit runs only the ones of its
/// current role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum No1Timer {
    /// A received line signal must persist this long to be recognised.
    Recognition,
    /// Seizure sent: waiting for the seizure acknowledgement.
    SeizeAck,
    /// Dual seizure: the seizure is held this long before clearing forward (Q.421 ≥ 100 ms).
    GlareHold,
    /// Group B "free" received: waiting for the answer signal.
    Answer,
    /// Clear-forward sent: waiting for the backward idle (release guard).
    ReleaseGuard,
    /// Clear-back or a refusal sent: waiting for the clear-forward.
    ClearForward,
    /// Calling end: a forward signal is on, waiting for the backward signal.
    ForwardAck,
    /// Calling end: the backward signal was seen and ours removed, waiting for it to stop.
    ForwardAckOff,
    /// Calling end: no signal on, waiting for a pulsed backward request.
    ForwardRequest,
    /// Calling end: the whole register phase, seizure acknowledgement to group B.
    RegisterSafety,
    /// Called end: a backward signal is on, waiting for the forward signal to stop.
    BackwardForwardOff,
    /// Called end: waiting for the next forward signal.
    BackwardNext,
    /// Called end: silence after this many digits ends the called or calling number when
    /// the variant has no end-of-number signal.
    EndOfNumber,
    /// Length of a pulsed backward signal.
    Pulse,
    /// Called end: the application decides whether to take an offered call.
    Offer,
}

impl TimerKind for No1Timer {
    const ALL: &'static [Self] = &[
        No1Timer::Recognition,
        No1Timer::SeizeAck,
        No1Timer::GlareHold,
        No1Timer::Answer,
        No1Timer::ReleaseGuard,
        No1Timer::ClearForward,
        No1Timer::ForwardAck,
        No1Timer::ForwardAckOff,
        No1Timer::ForwardRequest,
        No1Timer::RegisterSafety,
        No1Timer::BackwardForwardOff,
        No1Timer::BackwardNext,
        No1Timer::EndOfNumber,
        No1Timer::Pulse,
        No1Timer::Offer,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// Number of [`No1Timer`]s.
pub const NO1_TIMER_COUNT: usize = 15;

const fn ms(value: u64) -> Duration {
    Duration::from_millis(value)
}

const fn secs(value: u64) -> Duration {
    Duration::from_secs(value)
}

/// The defaults.
pub static NO1_TIMERS: [TimerDef<No1Timer>; NO1_TIMER_COUNT] = [
    TimerDef {
        timer: No1Timer::Recognition,
        name: "recognition",
        default: ms(20),
        min: ms(0),
        max: ms(200),
        meaning: "a line signal counts once it held this long (Q.421: 20 ± 10 ms)",
    },
    TimerDef {
        timer: No1Timer::SeizeAck,
        name: "seize_ack",
        default: secs(2),
        min: ms(100),
        max: secs(30),
        meaning: "seizure sent; on expiry clear forward and report the circuit faulty (OpenR2 r2_seize)",
    },
    TimerDef {
        timer: No1Timer::GlareHold,
        name: "glare_hold",
        default: ms(150),
        min: ms(100),
        max: secs(2),
        meaning: "dual seizure; the seizure is held this long, then cleared (Q.421 at least 100 ms)",
    },
    TimerDef {
        timer: No1Timer::Answer,
        name: "answer",
        default: secs(60),
        min: secs(5),
        max: secs(600),
        meaning: "called line free; on expiry clear forward with cause 19 (OpenR2 r2_answer)",
    },
    TimerDef {
        timer: No1Timer::ReleaseGuard,
        name: "release_guard",
        default: secs(3),
        min: ms(100),
        max: secs(60),
        meaning: "clear-forward sent; on expiry without the backward idle the circuit is faulty",
    },
    TimerDef {
        timer: No1Timer::ClearForward,
        name: "clear_forward",
        default: secs(60),
        min: secs(1),
        max: secs(600),
        meaning: "clear-back or refusal sent; on expiry without clear-forward the circuit is faulty",
    },
    TimerDef {
        timer: No1Timer::ForwardAck,
        name: "fwd_ack",
        default: secs(5),
        min: ms(500),
        max: secs(30),
        meaning: "forward signal on; on expiry without a backward signal the call fails (cause 102)",
    },
    TimerDef {
        timer: No1Timer::ForwardAckOff,
        name: "fwd_ack_off",
        default: secs(5),
        min: ms(500),
        max: secs(30),
        meaning: "backward signal seen; on expiry while it stays on the call fails (cause 102)",
    },
    TimerDef {
        timer: No1Timer::ForwardRequest,
        name: "fwd_request",
        default: secs(10),
        min: secs(1),
        max: secs(60),
        meaning: "calling end silent; on expiry without a pulsed request the call fails (cause 102)",
    },
    TimerDef {
        timer: No1Timer::RegisterSafety,
        name: "register_safety",
        default: secs(30),
        min: secs(5),
        max: secs(120),
        meaning: "whole register phase of the calling end (OpenR2 mf_fwd_safety)",
    },
    TimerDef {
        timer: No1Timer::BackwardForwardOff,
        name: "bwd_fwd_off",
        default: secs(5),
        min: ms(500),
        max: secs(30),
        meaning: "backward signal on; on expiry while the forward signal stays on the call fails",
    },
    TimerDef {
        timer: No1Timer::BackwardNext,
        name: "bwd_next",
        default: secs(4),
        min: ms(500),
        max: secs(30),
        meaning: "called end waiting for a forward signal; on expiry pulsed congestion (shorter than fwd_ack, so the caller hears why)",
    },
    TimerDef {
        timer: No1Timer::EndOfNumber,
        name: "end_of_number",
        default: secs(2),
        min: ms(100),
        max: secs(20),
        meaning: "silence that ends the called or calling number (OpenR2 mf_back_cycle)",
    },
    TimerDef {
        timer: No1Timer::Pulse,
        name: "pulse",
        default: ms(150),
        min: ms(100),
        max: ms(200),
        meaning: "length of a pulsed backward signal (Q.442: 150 ± 50 ms)",
    },
    TimerDef {
        timer: No1Timer::Offer,
        name: "offer",
        default: secs(3),
        min: ms(10),
        max: secs(30),
        meaning: "offered call; on expiry without the application's decision it is refused (congestion)",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use tdm_base::TimerDefs;

    #[test]
    fn the_table_is_in_index_order_with_defaults_in_range() {
        let defs = TimerDefs::new(&NO1_TIMERS);
        assert!(defs.is_in_index_order());
        assert_eq!(defs.get(No1Timer::Pulse), ms(150));
        assert_eq!(defs.get(No1Timer::SeizeAck), secs(2));
    }

    #[test]
    fn operators_override_by_name_within_limits() {
        let mut defs = TimerDefs::new(&NO1_TIMERS);
        assert_eq!(defs.set_by_name("end_of_number", secs(4)), Ok(()));
        assert_eq!(defs.get(No1Timer::EndOfNumber), secs(4));
        assert!(defs.set_by_name("glare_hold", ms(99)).is_err());
        assert!(defs.set_by_name("glare_hold", ms(100)).is_ok());
    }
}
