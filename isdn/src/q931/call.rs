//! One call's record in the call table.

use super::state::{CallState, Direction, Stage};
use super::timers::{CALL_TIMER_COUNT, CallTimer};
use crate::Side;
use crate::wire::ie::{BearerCapability, PartyNumber};
use crate::wire::q931::CallRef;
use tdm_base::{Cause, TimerTable};

/// Identifies a call for the lifetime of the call (slot index and generation, so that an old
/// identifier never reaches a newer call in the same slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId {
    pub(crate) slot: u16,
    pub(crate) generation: u16,
}

impl CallId {
    /// A number unique among the calls in progress, for logs and the CLI.
    pub fn as_u32(&self) -> u32 {
        u32::from(self.generation) << 16 | u32::from(self.slot)
    }

    /// The identifier [`CallId::as_u32`] gave (for layers that keep calls by number). A number
    /// that never named a call names none: the interface answers it with `UnknownCall`.
    pub fn from_u32(value: u32) -> Self {
        CallId { slot: (value & 0xFFFF) as u16, generation: (value >> 16) as u16 }
    }
}

impl core::fmt::Display for CallId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.as_u32())
    }
}

/// The channel a caller asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelRequest {
    /// Any free B-channel (this side chooses one and offers it).
    Any,
    /// This timeslot if possible, another one otherwise.
    Preferred(u8),
    /// This timeslot or no call.
    Exclusive(u8),
}

/// What [`super::Interface::place_call`] needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingCall {
    /// Called number; with overlap sending, the digits known so far (possibly none).
    pub called: PartyNumber,
    /// Calling number.
    pub calling: Option<PartyNumber>,
    /// Channel wanted.
    pub channel: ChannelRequest,
    /// Bearer capability (speech, A-law by default).
    pub bearer: BearerCapability,
    /// Whether the called number is complete (en-bloc sending: "sending complete" is sent);
    /// `false` for overlap sending, the rest following with [`super::Interface::send_digits`].
    pub sending_complete: bool,
}

impl OutgoingCall {
    /// An en-bloc speech call to `called` (E.164, unknown type) on any channel; `None` when the
    /// number is longer than 31 digits or not ASCII.
    pub fn new(called: &str) -> Option<Self> {
        Some(OutgoingCall {
            called: PartyNumber::unknown_isdn(called)?,
            calling: None,
            channel: ChannelRequest::Any,
            bearer: BearerCapability::speech_alaw(),
            sending_complete: true,
        })
    }
}

/// A call as the call table holds it.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) id: CallId,
    pub(crate) call_ref: u16,
    /// This side allocated the call reference (it sends flag 0).
    pub(crate) ours: bool,
    pub(crate) direction: Direction,
    pub(crate) stage: Stage,
    pub(crate) timeslot: Option<u8>,
    pub(crate) exclusive: bool,
    /// A first answer to the SETUP has been sent or received.
    pub(crate) answered_setup: bool,
    pub(crate) called: PartyNumber,
    pub(crate) calling: Option<PartyNumber>,
    pub(crate) redirecting: Option<PartyNumber>,
    pub(crate) bearer: BearerCapability,
    pub(crate) sending_complete: bool,
    pub(crate) timers: TimerTable<CallTimer, CALL_TIMER_COUNT>,
    /// Expiries of T303 or T308 so far (each is retried once).
    pub(crate) retries: u8,
    /// The cause sent in DISCONNECT or the first clearing message, reused by T305's RELEASE.
    pub(crate) clearing_cause: Option<Cause>,
    /// The cause reported to the application when the call ends.
    pub(crate) report_cause: Option<Cause>,
    /// Who started clearing: `Some(true)` the peer, `Some(false)` this side.
    pub(crate) cleared_by_peer: Option<bool>,
    /// The Incoming event was delivered (overlap receiving delivers it once digits are complete).
    pub(crate) offered: bool,
}

impl Call {
    pub(crate) fn wire_ref(&self) -> CallRef {
        CallRef::new(self.call_ref, !self.ours)
    }

    pub(crate) fn state(&self, side: Side) -> CallState {
        CallState::of(side, self.direction, self.stage)
    }

    /// Whether the call is being cleared (DISCONNECT or RELEASE sent).
    pub(crate) fn clearing(&self) -> bool {
        matches!(self.stage, Stage::DisconnectSent | Stage::ReleaseRequest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_id_survives_the_round_trip_through_its_number() {
        let id = CallId { slot: 0x0102, generation: 0xA0B0 };
        assert_eq!(id.as_u32(), 0xA0B0_0102);
        assert_eq!(CallId::from_u32(id.as_u32()), id);
        assert_eq!(format!("{id}"), "2695889154");
    }
}
