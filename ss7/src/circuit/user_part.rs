//! [`UserPart`]: the commands and outputs ISUP and TUP engines share, so call control and
//! the test harness drive either the same way.
//!
//! As in quinn-proto, methods are getters, `handle_*` (an MTP indication, or `now` having
//! reached [`UserPart::poll_timeout`]), commands, and `poll_*`. After any `handle_*` or
//! command, drain [`UserPart::poll_transmit`] (hand each to MTP3 as MTP-TRANSFER request)
//! and [`UserPart::poll_event`], then wait for the next indication or the timeout.

use super::call::{CallError, CallId, Event, MaintenanceError, OutgoingCall};
use super::digits::Digits;
use super::state::{BlockKind, CircuitStatus};
use crate::mtp3::{Indication, Transfer};
use tdm_base::{Cause, Instant};

/// A call-control user part of MTP3 toward one signalling point, over one circuit group.
pub trait UserPart {
    /// Takes an MTP-TRANSFER, MTP-PAUSE, MTP-RESUME or MTP-STATUS indication.
    fn handle_indication(&mut self, now: Instant, indication: &Indication);

    /// Runs the timers due at `now`.
    fn handle_timeout(&mut self, now: Instant);

    /// The next message to hand to MTP3.
    fn poll_transmit(&mut self) -> Option<Transfer>;

    /// The next event.
    fn poll_event(&mut self) -> Option<Event>;

    /// When [`UserPart::handle_timeout`] is next due.
    fn poll_timeout(&self) -> Option<Instant>;

    /// Starts the user part: resets every circuit (circuit group reset).
    fn start(&mut self, now: Instant);

    /// Places an outgoing call.
    fn place_call(&mut self, now: Instant, request: &OutgoingCall) -> Result<CallId, CallError>;

    /// Sends more called-number digits on an outgoing call (overlap sending).
    fn send_digits(
        &mut self,
        now: Instant,
        call: CallId,
        digits: &Digits,
        complete: bool,
    ) -> Result<(), CallError>;

    /// Tells the caller of an incoming call that the called party is being alerted.
    fn alert(&mut self, now: Instant, call: CallId, inband: bool) -> Result<(), CallError>;

    /// Answers an incoming call.
    fn answer(&mut self, now: Instant, call: CallId) -> Result<(), CallError>;

    /// Clears a call with `cause`; [`Event::Released`] follows when the circuit is free.
    fn hangup(&mut self, now: Instant, call: CallId, cause: Cause) -> Result<(), CallError>;

    /// Blocks the circuits `first ..= last` (those configured).
    fn block(&mut self, now: Instant, first: u16, last: u16, kind: BlockKind)
    -> Result<(), MaintenanceError>;

    /// Unblocks the circuits `first ..= last`.
    fn unblock(
        &mut self,
        now: Instant,
        first: u16,
        last: u16,
        kind: BlockKind,
    ) -> Result<(), MaintenanceError>;

    /// Resets the circuits `first ..= last`, releasing any calls on them.
    fn reset(&mut self, now: Instant, first: u16, last: u16) -> Result<(), MaintenanceError>;

    /// Reports the outcome of a continuity check asked for with
    /// [`super::call::BearerAction::ConnectTransceiver`].
    fn continuity_result(&mut self, now: Instant, cic: u16, passed: bool);

    /// The state of circuit `cic`.
    fn circuit(&self, cic: u16) -> Option<CircuitStatus>;

    /// The state of every circuit, by ascending CIC.
    fn circuits(&self) -> Vec<CircuitStatus>;

    /// The circuit a call uses.
    fn call_circuit(&self, call: CallId) -> Option<u16>;
}
