//! The call model a No.1 circuit offers the layers above: the same shape as the ISDN and ISUP
//! stacks (an incoming call with ANI/DNIS/category, alerting, answer, release with a cause).

use crate::digits::Digits;
use core::fmt;
use tdm_base::Cause;

/// Identifies a call for its lifetime: the timeslot and a generation, so that an old
/// identifier never reaches a later call on the same circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId {
    /// The circuit's timeslot.
    pub timeslot: u8,
    /// Counts the calls the circuit has carried.
    pub generation: u16,
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ts{}#{}", self.timeslot, self.generation)
    }
}

/// Who placed a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// This end seized the circuit (the forward, calling end).
    Outgoing,
    /// The far end seized it (this is the backward, called end).
    Incoming,
}

/// What [`crate::Circuit::place_call`] needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingCall {
    /// Called number (DNIS); with overlap sending, the digits known so far.
    pub dnis: Digits,
    /// Calling number (ANI); `None` sends "restricted" or "end of ANI", as the table has it.
    pub ani: Option<Digits>,
    /// Calling party's category (China KA); `None` uses the table's default.
    pub category: Option<u8>,
    /// Group II signal after the change to group B (China KD); `None` uses the table's default.
    pub group_ii: Option<u8>,
    /// Whether `dnis` is the whole number (en-bloc); `false` for overlap sending, the rest
    /// following with [`crate::Circuit::send_digits`].
    pub complete: bool,
}

impl OutgoingCall {
    /// An en-bloc call to `dnis` from `ani`; `None` when either is not a number.
    pub fn new(dnis: &str, ani: Option<&str>) -> Option<Self> {
        Some(OutgoingCall {
            dnis: Digits::parse(dnis).ok()?,
            ani: match ani {
                Some(ani) => Some(Digits::parse(ani).ok()?),
                None => None,
            },
            category: None,
            group_ii: None,
            complete: true,
        })
    }
}

/// A call as offered to the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncomingCall {
    /// The call.
    pub call: CallId,
    /// Called number as received.
    pub dnis: Digits,
    /// Calling number as received (empty when none was sent).
    pub ani: Digits,
    /// The calling end said its number is restricted.
    pub ani_restricted: bool,
    /// Calling party's category (China KA), if it was requested.
    pub category: Option<u8>,
    /// The group II signal (China KD).
    pub group_ii: u8,
}

/// Why a circuit was taken out of service, or a line signal was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineFault {
    /// A received ABCD pattern means nothing in the circuit's state.
    UnexpectedSignal {
        /// What the circuit was doing.
        state: crate::CircuitState,
        /// The nibble received.
        abcd: u8,
    },
    /// No seizure acknowledgement came.
    NoSeizeAck,
    /// The far end did not return to idle after clear-forward.
    NoReleaseGuard,
    /// The far end did not clear forward after clear-back or a refusal.
    NoClearForward,
}

impl fmt::Display for LineFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineFault::UnexpectedSignal { state, abcd } => {
                write!(f, "unexpected ABCD {abcd:04b} in state {state:?}")
            }
            LineFault::NoSeizeAck => f.write_str("no seizure acknowledgement"),
            LineFault::NoReleaseGuard => f.write_str("no release guard after clear-forward"),
            LineFault::NoClearForward => f.write_str("no clear-forward after clear-back"),
        }
    }
}

/// What a circuit reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A call arrived and its register signaling is through up to the group II signal; the
    /// calling end waits (its group II signal held) for [`crate::Circuit::accept`] or
    /// [`crate::Circuit::reject`].
    Incoming(IncomingCall),
    /// The called line is free (group B): the call rings.
    Alerting {
        /// The call.
        call: CallId,
        /// The free signal said the call is charged.
        charge: bool,
    },
    /// The called party answered.
    Connected {
        /// The call.
        call: CallId,
    },
    /// The call is over for the application (the circuit may still be releasing).
    Released {
        /// The call.
        call: CallId,
        /// Why: the group B or A refusal, the line event, or the timer.
        cause: Cause,
        /// The far end ended it (otherwise this end, a timer or a fault did).
        remote: bool,
    },
    /// The far end blocked the circuit.
    Blocked {
        /// The circuit.
        timeslot: u8,
    },
    /// The far end unblocked the circuit.
    Unblocked {
        /// The circuit.
        timeslot: u8,
    },
    /// The circuit is idle again and can carry a call.
    Idle {
        /// The circuit.
        timeslot: u8,
    },
    /// A line fault; the circuit is idle, or faulty until the far end returns to idle.
    Fault {
        /// The circuit.
        timeslot: u8,
        /// What went wrong.
        fault: LineFault,
    },
}

/// Why a command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError {
    /// The circuit is not idle (busy, blocked or faulty).
    CircuitBusy(crate::CircuitState),
    /// No idle circuit on the trunk.
    NoCircuit,
    /// No such call (it ended, or never existed).
    UnknownCall,
    /// The command does not fit the call's state.
    WrongState(crate::CircuitState),
    /// A category or group II signal outside 1 ..= 15.
    BadSignal(u8),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::CircuitBusy(state) => write!(f, "circuit is not idle ({state:?})"),
            CallError::NoCircuit => f.write_str("no idle circuit"),
            CallError::UnknownCall => f.write_str("no such call"),
            CallError::WrongState(state) => write!(f, "not possible in state {state:?}"),
            CallError::BadSignal(code) => write!(f, "{code} is not a register signal (1..=15)"),
        }
    }
}

impl std::error::Error for CallError {}
