//! The call model every trunk shares: a call is incoming or outgoing, has numbers, goes
//! through proceeding, alerting and connected, and ends released with a Q.850 cause. A channel
//! is a span and a timeslot. Signaling stacks translate their own states into this model; an
//! application (or the CLI) sees only this.

use core::fmt;
use tdm_base::Cause;

/// A call, for as long as the engine that placed or received it runs (numbers are not reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u32);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Who placed the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallDirection {
    /// The far end called us.
    Incoming,
    /// We called the far end.
    Outgoing,
}

impl CallDirection {
    /// `in` or `out`.
    pub fn as_str(self) -> &'static str {
        match self {
            CallDirection::Incoming => "in",
            CallDirection::Outgoing => "out",
        }
    }
}

/// How far a call has come, the same for every signaling system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CallPhase {
    /// Placed or offered, nothing heard back yet.
    Setup,
    /// The far end (or we) accepted it and is working on it.
    Proceeding,
    /// The called party is being alerted.
    Alerting,
    /// Answered: the channel carries the conversation.
    Connected,
    /// Being cleared.
    Releasing,
}

impl CallPhase {
    /// Lower-case name, as the CLI and the control socket print it.
    pub fn as_str(self) -> &'static str {
        match self {
            CallPhase::Setup => "setup",
            CallPhase::Proceeding => "proceeding",
            CallPhase::Alerting => "alerting",
            CallPhase::Connected => "connected",
            CallPhase::Releasing => "releasing",
        }
    }
}

/// A request for an outgoing call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRequest {
    /// The span, by name (`board:span`).
    pub span: String,
    /// Called number (digits).
    pub called: String,
    /// Calling number, if one is to be sent.
    pub calling: Option<String>,
    /// Hang up this long (board time, milliseconds) after the call is answered.
    pub hangup_after_ms: Option<u64>,
}

/// What a 1004 Hz test tone detector heard on a call's channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToneReport {
    /// The frequency listened for.
    pub freq_hz: u32,
    /// Its level, the median of the blocks that made the detection.
    pub level_dbm0: f64,
    /// Board time of the detection.
    pub at_ms: u64,
}

/// A call in progress, as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct CallInfo {
    /// The call.
    pub id: CallId,
    /// Its span, by name.
    pub span: String,
    /// Its B-channel (timeslot), once one is chosen.
    pub timeslot: Option<u8>,
    /// Who placed it.
    pub direction: CallDirection,
    /// Called number.
    pub called: String,
    /// Calling number.
    pub calling: Option<String>,
    /// Phase in the common model.
    pub phase: CallPhase,
    /// The signaling system's own state (`U10 active` for ISDN).
    pub state: String,
    /// Board time the call started.
    pub started_ms: u64,
    /// Board time it was answered.
    pub connected_ms: Option<u64>,
    /// The test tone heard on it, if any.
    pub tone: Option<ToneReport>,
}

/// What happened, as kept in the engine's log.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// The signaling link of a span came up.
    LinkUp,
    /// The signaling link of a span went down.
    LinkDown,
    /// A call arrived.
    Offered {
        /// Called number.
        called: String,
        /// Calling number.
        calling: Option<String>,
    },
    /// An outgoing call was placed.
    Placed {
        /// Called number.
        called: String,
        /// Calling number.
        calling: Option<String>,
    },
    /// The far end is proceeding with our call (or we accepted theirs).
    Proceeding,
    /// The called party is being alerted.
    Alerting,
    /// Answered.
    Connected,
    /// The test tone was heard on the call's channel.
    ToneHeard(ToneReport),
    /// The far end reported a problem it kept the call through (ISDN STATUS).
    Problem {
        /// The cause it gave.
        cause: Cause,
    },
    /// The call ended.
    Released {
        /// Why.
        cause: Cause,
        /// The far end cleared it (otherwise this side, a timer or a fault did).
        remote: bool,
    },
    /// A restart this side asked for completed.
    RestartCompleted,
    /// The far end restarted channels.
    RestartReceived,
    /// A restart this side asked for was never acknowledged.
    RestartFailed,
    /// What the signaling system said about the call in its own terms (No.1: the group B
    /// signal that ended register signaling, `B1: called line free, charge`).
    Signal {
        /// One line for a person.
        text: String,
    },
    /// The far end blocked a channel (CAS spans).
    ChannelBlocked,
    /// The far end unblocked a channel.
    ChannelUnblocked,
    /// A line fault took a channel out of service until the far end shows idle again.
    ChannelFault {
        /// What went wrong.
        reason: String,
    },
}

impl EventKind {
    /// Short lower-case name (`connected`, `released`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::LinkUp => "link_up",
            EventKind::LinkDown => "link_down",
            EventKind::Offered { .. } => "offered",
            EventKind::Placed { .. } => "placed",
            EventKind::Proceeding => "proceeding",
            EventKind::Alerting => "alerting",
            EventKind::Connected => "connected",
            EventKind::ToneHeard(_) => "tone",
            EventKind::Problem { .. } => "problem",
            EventKind::Released { .. } => "released",
            EventKind::RestartCompleted => "restart_completed",
            EventKind::RestartReceived => "restart_received",
            EventKind::RestartFailed => "restart_failed",
            EventKind::Signal { .. } => "signal",
            EventKind::ChannelBlocked => "blocked",
            EventKind::ChannelUnblocked => "unblocked",
            EventKind::ChannelFault { .. } => "fault",
        }
    }
}

/// One entry of the engine's log.
#[derive(Debug, Clone, PartialEq)]
pub struct CallEvent {
    /// Position in the log (from 1, increasing).
    pub seq: u64,
    /// Board time.
    pub at_ms: u64,
    /// The span, by name.
    pub span: String,
    /// The call, for call events.
    pub call: Option<CallId>,
    /// Its B-channel at the time, when it has one.
    pub timeslot: Option<u8>,
    /// What happened.
    pub kind: EventKind,
}

/// Why the engine refused a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No span of that name runs a signaling stack.
    NoSuchSpan(String),
    /// No call with that number is in progress.
    NoSuchCall(CallId),
    /// The number cannot be signalled (too long, not digits).
    BadNumber(String),
    /// The number cannot be signalled by this span's signaling system.
    UnsignalableNumber {
        /// The number as given.
        number: String,
        /// What the system carries (`MFC-R2 digits 0-9, 1 to 32 of them`).
        allowed: &'static str,
    },
    /// The signaling link is down and cannot carry the call.
    LinkDown,
    /// No free channel.
    NoChannel,
    /// Too many calls on the span.
    TooManyCalls,
    /// A restart is already waiting for its acknowledgement.
    RestartInProgress,
    /// The command does not fit the call's state.
    WrongState(String),
    /// The span's kind of signaling cannot do this (a frame trace of a No.1 span).
    Unsupported(String),
    /// The engine has stopped.
    Stopped,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NoSuchSpan(span) => write!(f, "span {span:?} runs no signaling stack"),
            CallError::NoSuchCall(call) => write!(f, "no call {call} in progress"),
            CallError::BadNumber(number) => {
                write!(f, "number {number:?} cannot be signalled (digits 0-9, *, #; at most 31)")
            }
            CallError::UnsignalableNumber { number, allowed } => {
                write!(f, "number {number:?} cannot be signalled ({allowed})")
            }
            CallError::LinkDown => f.write_str("the signaling link is down"),
            CallError::NoChannel => {
                f.write_str("no free channel: every one is busy, blocked or out of service")
            }
            CallError::TooManyCalls => f.write_str("too many calls on the span"),
            CallError::RestartInProgress => f.write_str("a restart is already in progress"),
            CallError::WrongState(state) => write!(f, "not possible in state {state}"),
            CallError::Unsupported(what) => f.write_str(what),
            CallError::Stopped => f.write_str("the call engine has stopped"),
        }
    }
}

impl std::error::Error for CallError {}

/// Whether `number` is something a called or calling party number can carry: 1 to 31 of
/// `0-9 * #` (ITU-T digits plus the two keypad signs).
pub fn valid_number(number: &str) -> bool {
    (1..=31).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_digits_star_and_hash_up_to_31() {
        assert!(valid_number("0"));
        assert!(valid_number("*21#"));
        assert!(valid_number(&"9".repeat(31)));
        assert!(!valid_number(&"9".repeat(32)));
        assert!(!valid_number(""));
        assert!(!valid_number("12a"));
        assert!(!valid_number("+861"));
    }

    #[test]
    fn names_are_stable_for_the_control_protocol() {
        assert_eq!(CallPhase::Connected.as_str(), "connected");
        assert_eq!(CallDirection::Outgoing.as_str(), "out");
        let released = EventKind::Released { cause: Cause::NormalClearing, remote: true };
        assert_eq!(released.name(), "released");
        assert_eq!(
            EventKind::ToneHeard(ToneReport { freq_hz: 1004, level_dbm0: -10.0, at_ms: 5 }).name(),
            "tone"
        );
        assert!(CallPhase::Setup < CallPhase::Connected);
        assert_eq!(
            CallError::BadNumber("x".into()).to_string(),
            "number \"x\" cannot be signalled (digits 0-9, *, #; at most 31)"
        );
        assert_eq!(
            CallError::UnsignalableNumber { number: "1*".into(), allowed: "digits 0-9" }.to_string(),
            "number \"1*\" cannot be signalled (digits 0-9)"
        );
        assert_eq!(EventKind::ChannelFault { reason: String::new() }.name(), "fault");
        assert_eq!(EventKind::Signal { text: String::new() }.name(), "signal");
    }
}
