//! The call model both user parts present to call control (`callctl`): an incoming call with
//! its CIC, numbers and category; an outgoing call request; alerting, progress, answer and
//! release with a Q.850 cause; and the circuit maintenance events.
//!
//! ISUP and TUP engines report the same [`Event`]s and take the same commands (see
//! [`super::UserPart`]), so call control does not care which one a trunk speaks.

use super::category::Category;
use super::digits::{Digits, DigitsError};
use super::state::{BlockKind, Origin};
use core::fmt;
use tdm_base::Cause;

/// A call, unique within one engine for as long as the engine lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub(crate) u32);

impl CallId {
    /// The raw value (for logs and CDRs).
    pub fn value(self) -> u32 {
        self.0
    }
}

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call {}", self.0)
    }
}

/// Nature of an address, as both user parts can carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressNature {
    /// Subscriber (local) number.
    Subscriber,
    /// Unknown, or a national code the stack does not name.
    Unknown,
    /// National (significant) number.
    National,
    /// International number.
    International,
}

/// Whether a number may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Presentation {
    /// Presentation allowed.
    Allowed,
    /// Presentation restricted.
    Restricted,
    /// The address is not available.
    NotAvailable,
}

/// A party number: nature, address signals (without ST) and presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    /// Nature of address.
    pub nature: AddressNature,
    /// Address signals, without the end-of-pulsing signal.
    pub digits: Digits,
    /// Presentation.
    pub presentation: Presentation,
}

impl Number {
    /// A national number of `digits`, presentation allowed.
    pub fn national(digits: &str) -> Result<Number, DigitsError> {
        Ok(Number {
            nature: AddressNature::National,
            digits: Digits::parse(digits)?,
            presentation: Presentation::Allowed,
        })
    }

    /// A subscriber number of `digits`, presentation allowed.
    pub fn subscriber(digits: &str) -> Result<Number, DigitsError> {
        Ok(Number { nature: AddressNature::Subscriber, ..Number::national(digits)? })
    }
}

/// A request for an outgoing call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingCall {
    /// Called number.
    pub called: Number,
    /// Calling number, if it is to be sent.
    pub calling: Option<Number>,
    /// Original called number (a redirected call).
    pub original_called: Option<Number>,
    /// Calling party's category.
    pub category: Category,
    /// The called number is complete: ST is sent after it (en-bloc). Otherwise more digits
    /// follow with `send_digits`.
    pub complete: bool,
    /// Seize this circuit rather than hunting for one.
    pub cic: Option<u16>,
    /// Ask for a continuity check of the circuit before the call proceeds.
    pub continuity_check: bool,
}

impl OutgoingCall {
    /// A complete call to the national number `called` from an ordinary subscriber, no
    /// calling number.
    pub fn new(called: &str) -> Result<OutgoingCall, DigitsError> {
        Ok(OutgoingCall {
            called: Number::national(called)?,
            calling: None,
            original_called: None,
            category: Category::ORDINARY,
            complete: true,
            cic: None,
            continuity_check: false,
        })
    }
}

/// A call that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncomingCall {
    /// The call, for the commands that answer it.
    pub call: CallId,
    /// Its circuit.
    pub cic: u16,
    /// Called number (as received so far).
    pub called: Number,
    /// Whether the called number ended with ST (more digits may follow otherwise, reported
    /// by [`Event::MoreDigits`]).
    pub complete: bool,
    /// Calling number, when it was sent or obtained (ISUP INR/INF, TUP GRQ/GSM).
    pub calling: Option<Number>,
    /// Calling party's category.
    pub category: Category,
    /// Original called number, for a redirected call.
    pub original_called: Option<Number>,
    /// Redirecting number (ISUP).
    pub redirecting: Option<Number>,
}

/// What a maintenance alert is about: a procedure that keeps failing and needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alert {
    /// No release acknowledgement (ISUP T5, TUP CLF repeated for a minute): the circuit is
    /// being reset.
    ReleaseUnacknowledged,
    /// No blocking acknowledgement (ISUP T13, TUP after a minute).
    BlockingUnacknowledged,
    /// No unblocking acknowledgement (ISUP T15).
    UnblockingUnacknowledged,
    /// No reset acknowledgement (ISUP T17).
    ResetUnacknowledged,
    /// No circuit group blocking acknowledgement (ISUP T19).
    GroupBlockingUnacknowledged,
    /// No circuit group unblocking acknowledgement (ISUP T21).
    GroupUnblockingUnacknowledged,
    /// No circuit group reset acknowledgement (ISUP T23).
    GroupResetUnacknowledged,
    /// The information requested did not come (ISUP T33, TUP GSM): the call was released.
    InformationNotReceived,
    /// A continuity recheck failed.
    ContinuityRecheckFailed,
    /// The other exchange sent a message for a CIC this exchange does not have.
    UnequippedCircuit,
}

/// What to connect to a circuit's speech path for a continuity check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BearerAction {
    /// Connect a check-tone transceiver ([`super::continuity::ContinuityTransceiver`]),
    /// then report the outcome with `continuity_result`.
    ConnectTransceiver,
    /// Loop the circuit's receive path back to its transmit path.
    ConnectLoop,
    /// Remove the transceiver or loop.
    Disconnect,
}

/// What an engine reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A call arrived.
    Incoming(IncomingCall),
    /// More called-number digits arrived (overlap).
    MoreDigits {
        /// The call.
        call: CallId,
        /// The new digits (without ST).
        digits: Digits,
        /// The number is now complete (ST received).
        complete: bool,
    },
    /// The called party is being alerted (ISUP ACM/CPG, TUP ACM).
    Alerting {
        /// The call.
        call: CallId,
        /// In-band information (ringback) is available.
        inband: bool,
    },
    /// Call progress with in-band information (ISUP CPG).
    Progress {
        /// The call.
        call: CallId,
        /// In-band information is available.
        inband: bool,
    },
    /// The call was answered.
    Answered {
        /// The call.
        call: CallId,
    },
    /// The called party went on hook temporarily (ISUP SUS, network initiated).
    Suspended {
        /// The call.
        call: CallId,
    },
    /// The called party came back (ISUP RES).
    Resumed {
        /// The call.
        call: CallId,
    },
    /// Forward transfer (operator recall) received.
    ForwardTransfer {
        /// The call.
        call: CallId,
    },
    /// The calling party cleared in a call under called-party control (TUP CCL): clear it
    /// with `hangup` when appropriate.
    CallingPartyCleared {
        /// The call.
        call: CallId,
    },
    /// The call is over.
    Released {
        /// The call.
        call: CallId,
        /// Why.
        cause: Cause,
        /// The other exchange cleared it; otherwise this side did (command, timer, reset).
        remote: bool,
    },
    /// An outgoing call moved to another circuit: dual seizure lost, continuity failure,
    /// blocking or an unequipped CIC before any backward message (automatic repeat attempt).
    Retried {
        /// The call.
        call: CallId,
        /// The circuit it left.
        from: u16,
        /// The circuit it now uses.
        to: u16,
    },
    /// Connect or remove continuity-check equipment on a circuit's speech path.
    Bearer {
        /// The circuit.
        cic: u16,
        /// What to do.
        action: BearerAction,
    },
    /// The outcome of a continuity check on a circuit.
    Continuity {
        /// The circuit.
        cic: u16,
        /// Whether it passed.
        passed: bool,
    },
    /// A circuit became blocked (locally: acknowledged by the other exchange).
    Blocked {
        /// The circuit.
        cic: u16,
        /// Who blocked it.
        origin: Origin,
        /// How.
        kind: BlockKind,
    },
    /// A circuit became unblocked (locally: acknowledged by the other exchange).
    Unblocked {
        /// The circuit.
        cic: u16,
        /// Who had blocked it.
        origin: Origin,
        /// How.
        kind: BlockKind,
    },
    /// A circuit was reset to idle (calls on it released).
    Reset {
        /// The circuit.
        cic: u16,
        /// The other exchange asked for it; otherwise this exchange's reset was acknowledged.
        remote: bool,
    },
    /// The other exchange reported a CIC unequipped; it is no longer used.
    Unequipped {
        /// The circuit.
        cic: u16,
    },
    /// The other exchange could not process something this side sent (ISUP CFN).
    Confusion {
        /// The circuit.
        cic: u16,
        /// Its cause.
        cause: Cause,
    },
    /// Maintenance personnel should look at a circuit.
    Alert {
        /// The circuit (the first of a group).
        cic: u16,
        /// About what.
        alert: Alert,
    },
}

/// Why a call command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError {
    /// No idle, unblocked circuit.
    NoCircuit,
    /// The requested circuit does not exist, is busy or blocked.
    CircuitUnavailable(u16),
    /// No such call (it ended, or never existed).
    UnknownCall,
    /// The command does not fit the call's state.
    WrongState,
    /// The other signalling point is inaccessible (MTP-PAUSE) or its user part unavailable.
    Inaccessible,
    /// The number does not fit the message (e.g. TUP: 15 signals per message).
    NumberTooLong,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NoCircuit => write!(f, "no idle circuit"),
            CallError::CircuitUnavailable(cic) => write!(f, "circuit {cic} is not available"),
            CallError::UnknownCall => write!(f, "no such call"),
            CallError::WrongState => write!(f, "not possible in the call's state"),
            CallError::Inaccessible => write!(f, "destination inaccessible"),
            CallError::NumberTooLong => write!(f, "number too long"),
        }
    }
}

impl std::error::Error for CallError {}

/// Why a maintenance command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaintenanceError {
    /// A CIC of the range is not configured.
    UnknownCircuit(u16),
    /// The range is empty (last before first).
    EmptyRange,
}

impl fmt::Display for MaintenanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaintenanceError::UnknownCircuit(cic) => write!(f, "CIC {cic} is not configured"),
            MaintenanceError::EmptyRange => write!(f, "empty CIC range"),
        }
    }
}

impl std::error::Error for MaintenanceError {}
