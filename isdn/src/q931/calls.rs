//! Basic call control (Q.931 §5.1–§5.4) and the error procedures of §5.8: what each received
//! message does in each call state, and what each timer's expiry does.

use super::call::Call;
use super::channels::{ChannelState, is_b_channel};
use super::interface::{Event, Interface};
use super::state::{Direction, Stage};
use super::timers::{CallTimer, diagnostic};
use crate::Side;
use crate::wire::ie::{ProgressDescription, TransferMode};
use crate::wire::q931::{CallRef, IeProblemKind, Message, MessageType, ShortMessage};
use tdm_base::{Cause, Instant, TimerTable};

/// What the first answer to an outgoing SETUP says about the channel.
enum ChannelCheck {
    Accepted,
    Unacceptable,
}

impl Interface {
    /// Dispatches a parsed message by call reference (§5.8.3).
    pub(crate) fn handle_message(&mut self, now: Instant, message: &Message) {
        if message.call_ref.is_dummy() {
            return;
        }
        if message.call_ref.is_global() {
            self.handle_global(now, message);
            return;
        }
        match self.find_call(message.call_ref) {
            Some(slot) => self.handle_call_message(now, slot, message),
            None => self.handle_unknown_call_ref(now, message),
        }
    }

    /// §5.8.3.2: a message for no known call.
    fn handle_unknown_call_ref(&mut self, now: Instant, message: &Message) {
        let reply = message.call_ref.reply();
        match message.message_type {
            MessageType::Setup if !message.call_ref.flag => self.handle_setup(now, message),
            // A SETUP claiming to come from the destination side, and RELEASE COMPLETE: ignored.
            MessageType::Setup | MessageType::ReleaseComplete => {}
            MessageType::StatusEnquiry => self.send_status(reply, 0, Cause::ResponseToStatusEnquiry, &[]),
            MessageType::Status => {
                // §5.8.11: in the null state, a STATUS reporting another state is answered.
                if message.ies.call_state.is_some_and(|s| s.value != 0) {
                    self.send_clearing(
                        reply,
                        MessageType::ReleaseComplete,
                        Some(Cause::MessageNotCompatibleWithState),
                        &[],
                    );
                }
            }
            _ => self.send_clearing(
                reply,
                MessageType::ReleaseComplete,
                Some(Cause::InvalidCallReference),
                &[],
            ),
        }
    }

    /// An incoming SETUP (§5.1 network side, §5.2 user side).
    fn handle_setup(&mut self, now: Instant, message: &Message) {
        let reply = message.call_ref.reply();
        let from_network = self.config.side == Side::User;
        if let Err(error) = message.check_mandatory(from_network) {
            self.send_clearing(reply, MessageType::ReleaseComplete, Some(error.cause), &[error.id]);
            return;
        }
        if let Some(problem) = message
            .problems
            .iter()
            .find(|p| p.kind == IeProblemKind::Unrecognised { comprehension_required: true })
        {
            self.send_clearing(
                reply,
                MessageType::ReleaseComplete,
                Some(Cause::IeNonExistent),
                &[problem.id],
            );
            return;
        }
        let Some(bearer) = message.ies.bearer_capability else { return };
        if bearer.mode != TransferMode::Circuit {
            self.send_clearing(
                reply,
                MessageType::ReleaseComplete,
                Some(Cause::BearerCapabilityNotImplemented),
                &[],
            );
            return;
        }
        let timeslot = match self.choose_incoming_channel(message) {
            Ok(ts) => ts,
            Err(cause) => {
                self.send_clearing(reply, MessageType::ReleaseComplete, Some(cause), &[]);
                return;
            }
        };
        let Some(slot) = self.free_slot_for(Self::key(message.call_ref.value, false)) else {
            self.send_clearing(
                reply,
                MessageType::ReleaseComplete,
                Some(Cause::SwitchingEquipmentCongestion),
                &[],
            );
            return;
        };
        let id = self.new_id(slot);
        let called = message.ies.called.unwrap_or_else(empty_number);
        let call = Call {
            id,
            call_ref: message.call_ref.value,
            ours: false,
            direction: Direction::Incoming,
            stage: Stage::Initiated,
            timeslot: Some(timeslot),
            exclusive: true,
            answered_setup: false,
            called,
            calling: message.ies.calling,
            redirecting: message.ies.redirecting,
            bearer,
            sending_complete: message.ies.sending_complete,
            timers: TimerTable::new(),
            retries: 0,
            clearing_cause: None,
            report_cause: None,
            cleared_by_peer: None,
            offered: false,
        };
        self.channels.set(timeslot, ChannelState::Busy(slot));
        self.insert_call(slot, call);
        self.report_non_mandatory_problems(message, reply, 6);
        if self.number_complete(slot) {
            self.offer(slot);
        } else {
            self.answer_setup(slot, MessageType::SetupAcknowledge, Stage::Overlap, None);
            self.start_timer(slot, CallTimer::T302, now);
        }
    }

    /// The channel for an incoming call, or the cause to refuse it with. On glare (the peer
    /// asks for a channel this side just reserved for its own SETUP) the network side keeps its
    /// channel; the user side gives it up and lets the network choose another for its own call.
    fn choose_incoming_channel(&mut self, message: &Message) -> Result<u8, Cause> {
        let requested = message.ies.channel_id;
        let Some(channel_id) = requested else {
            return self.channels.find_idle().ok_or(Cause::NoCircuitAvailable);
        };
        let Some(ts) = channel_id.single_channel() else {
            return self.channels.find_idle().ok_or(Cause::NoCircuitAvailable);
        };
        if !is_b_channel(ts) {
            return Err(Cause::ChannelDoesNotExist);
        }
        if self.channels.is_idle(ts) {
            return Ok(ts);
        }
        if self.config.side == Side::User
            && let Some(ChannelState::Busy(other)) = self.channels.state(ts)
            && let Some(call) = self.calls[usize::from(other)].as_mut()
            && call.direction == Direction::Outgoing
            && !call.answered_setup
            && !call.exclusive
        {
            call.timeslot = None;
            self.channels.set(ts, ChannelState::Idle);
            return Ok(ts);
        }
        if channel_id.exclusive {
            Err(Cause::RequestedChannelNotAvailable)
        } else {
            self.channels.find_idle().ok_or(Cause::NoCircuitAvailable)
        }
    }

    fn number_complete(&self, slot: u16) -> bool {
        let Some(call) = self.calls[usize::from(slot)].as_ref() else { return true };
        call.sending_complete
            || !self.config.overlap_receiving
            || self.config.complete_digits.is_some_and(|n| call.called.digits.len() >= usize::from(n))
    }

    /// The number is complete: CALL PROCEEDING (when automatic) and the Incoming event.
    fn offer(&mut self, slot: u16) {
        if self.config.auto_proceeding {
            self.answer_setup(slot, MessageType::CallProceeding, Stage::Proceeding, None);
        }
        let Ok(call) = self.call_mut(slot) else { return };
        call.offered = true;
        let Some(timeslot) = call.timeslot else { return };
        let event = Event::Incoming {
            call: call.id,
            called: call.called,
            calling: call.calling,
            redirecting: call.redirecting,
            timeslot,
            bearer: call.bearer,
        };
        self.push_event(event);
    }

    /// §5.8.7: unrecognised (not comprehension required) elements and non-mandatory elements
    /// with bad contents: the message is acted on, and STATUS says what was wrong.
    fn report_non_mandatory_problems(&mut self, message: &Message, reply: CallRef, state: u8) {
        if message.problems.is_empty()
            || matches!(
                message.message_type,
                MessageType::Disconnect | MessageType::Release | MessageType::ReleaseComplete
            )
        {
            return;
        }
        let mut unrecognised = [0u8; 8];
        let mut unrecognised_len = 0;
        let mut content = None;
        for problem in message.problems.iter() {
            match problem.kind {
                IeProblemKind::Unrecognised { .. } => {
                    if let Some(slot) = unrecognised.get_mut(unrecognised_len) {
                        *slot = problem.id;
                        unrecognised_len += 1;
                    }
                }
                IeProblemKind::Content(_) => content = content.or(Some(problem.id)),
            }
        }
        if unrecognised_len > 0 {
            self.send_status(reply, state, Cause::IeNonExistent, &unrecognised[..unrecognised_len]);
        } else if let Some(ie) = content {
            self.send_status(reply, state, Cause::InvalidIeContents, &[ie]);
        }
    }

    /// A message for a call in progress.
    fn handle_call_message(&mut self, now: Instant, slot: u16, message: &Message) {
        let Some(call) = self.calls[usize::from(slot)].as_ref() else { return };
        let (reply, direction, stage) = (call.wire_ref(), call.direction, call.stage);
        let from_network = self.config.side == Side::User;
        let kind = message.message_type;
        // §5.8.6 and §5.8.7.1: missing or unusable mandatory elements, and unknown elements that
        // must be understood.
        let mandatory = message.check_mandatory(from_network).err().map(|e| (e.cause, e.id)).or_else(|| {
            message
                .problems
                .iter()
                .find(|p| p.kind == IeProblemKind::Unrecognised { comprehension_required: true })
                .map(|p| (Cause::IeNonExistent, p.id))
        });
        if let Some((cause, ie)) = mandatory {
            match kind {
                MessageType::Setup => {}
                // §5.8.6.1 b / §5.8.7.2: handled as a DISCONNECT with cause 31, except that the
                // RELEASE answering it says what was wrong.
                MessageType::Disconnect => {
                    let heard =
                        if ie == crate::wire::ie::id::CAUSE { Cause::NormalUnspecified } else { cause };
                    self.note_remote_cause(slot, heard);
                    self.release(slot, now, Some(cause));
                }
                MessageType::Release => {
                    self.send_clearing(reply, MessageType::ReleaseComplete, Some(cause), &[ie]);
                    self.free_call(slot, cause, true);
                }
                MessageType::ReleaseComplete => {
                    self.free_call(slot, Cause::NormalUnspecified, true);
                }
                _ => {
                    let state = self.state_number(slot);
                    self.send_status(reply, state, cause, &[ie]);
                }
            }
            return;
        }
        let outgoing = direction == Direction::Outgoing;
        let answer_stages = [Stage::Initiated, Stage::Overlap, Stage::Proceeding, Stage::Alerting];
        match kind {
            // §5.8.3.2 c, d: a SETUP for a call that exists (a retransmission) is ignored.
            MessageType::Setup => {}
            MessageType::SetupAcknowledge if outgoing && stage == Stage::Initiated => {
                if self.first_answer(now, slot, message) {
                    self.stop_timer(slot, CallTimer::T303);
                    self.set_stage(slot, Stage::Overlap);
                    self.start_timer(slot, CallTimer::T304, now);
                    let id = self.id_of(slot);
                    self.push_event(Event::MoreDigitsWanted { call: id });
                }
            }
            MessageType::CallProceeding if outgoing && matches!(stage, Stage::Initiated | Stage::Overlap) => {
                if self.first_answer(now, slot, message) {
                    self.stop_timer(slot, CallTimer::T303);
                    self.stop_timer(slot, CallTimer::T304);
                    self.set_stage(slot, Stage::Proceeding);
                    self.start_timer(slot, CallTimer::T310, now);
                    let id = self.id_of(slot);
                    self.push_event(Event::Proceeding { call: id });
                }
            }
            MessageType::Alerting if outgoing && answer_stages[..3].contains(&stage) => {
                if self.first_answer(now, slot, message) {
                    for timer in [CallTimer::T303, CallTimer::T304, CallTimer::T310] {
                        self.stop_timer(slot, timer);
                    }
                    self.set_stage(slot, Stage::Alerting);
                    self.start_timer(slot, CallTimer::T301, now);
                    let inband = message
                        .ies
                        .progress
                        .iter()
                        .flatten()
                        .any(|p| p.description == ProgressDescription::InbandAvailable);
                    let id = self.id_of(slot);
                    self.push_event(Event::Alerting { call: id, inband });
                }
            }
            MessageType::Connect if outgoing && answer_stages.contains(&stage) => {
                if self.first_answer(now, slot, message) {
                    if let Ok(call) = self.call_mut(slot) {
                        call.timers.stop_all();
                        call.stage = Stage::Active;
                    }
                    self.send_short(&ShortMessage::new(reply, MessageType::ConnectAcknowledge));
                    let id = self.id_of(slot);
                    let timeslot = self.call_timeslot(id);
                    self.push_event(Event::Connected { call: id, timeslot });
                }
            }
            MessageType::ConnectAcknowledge if !outgoing && stage == Stage::ConnectRequest => {
                self.stop_timer(slot, CallTimer::T313);
                self.set_stage(slot, Stage::Active);
                let id = self.id_of(slot);
                let timeslot = self.call_timeslot(id);
                self.push_event(Event::Connected { call: id, timeslot });
            }
            // The network side is active as soon as it sent CONNECT; the acknowledgement adds
            // nothing.
            MessageType::ConnectAcknowledge if !outgoing && stage == Stage::Active => {}
            MessageType::Progress if !call_clearing(stage) => {
                self.stop_timer(slot, CallTimer::T310);
                if let Some(progress) = message.ies.progress[0] {
                    let id = self.id_of(slot);
                    self.push_event(Event::Progress { call: id, description: progress.description });
                }
            }
            MessageType::Information => {
                if !outgoing && stage == Stage::Overlap {
                    self.overlap_information(now, slot, message);
                }
            }
            MessageType::Notify => {
                if let Some(notification) = message.ies.notification {
                    let id = self.id_of(slot);
                    self.push_event(Event::Notify { call: id, description: notification.description });
                }
            }
            MessageType::Disconnect if stage != Stage::ReleaseRequest => {
                let cause = message.ies.cause.map_or(Cause::NormalUnspecified, |c| c.cause);
                self.note_remote_cause(slot, cause);
                self.release(slot, now, None);
            }
            MessageType::Disconnect => {}
            MessageType::Release => {
                // The cause is mandatory only when RELEASE is the first clearing message
                // (§5.8.6.1 c): then a missing one counts as cause 31 and the RELEASE COMPLETE
                // says it was missing (or, with bad contents, invalid: §5.8.7.2).
                let first_clearing = !call_clearing(stage);
                let (cause, complaint) = match message.ies.cause {
                    Some(ie) => (ie.cause, None),
                    None if first_clearing => {
                        let complaint = if message.problems.content_error(crate::wire::ie::id::CAUSE) {
                            Cause::InvalidIeContents
                        } else {
                            Cause::MandatoryIeMissing
                        };
                        (Cause::NormalUnspecified, Some(complaint))
                    }
                    None => (Cause::NormalClearing, None),
                };
                self.note_remote_cause(slot, cause);
                // Clear collision (§5.3.5): both sent RELEASE; neither answers.
                if stage != Stage::ReleaseRequest {
                    let diagnostic: &[u8] =
                        if complaint.is_some() { &[crate::wire::ie::id::CAUSE] } else { &[] };
                    self.send_clearing(reply, MessageType::ReleaseComplete, complaint, diagnostic);
                }
                self.free_call(slot, cause, true);
            }
            MessageType::ReleaseComplete => {
                // §5.8.6.1 d: a first clearing message without a cause counts as cause 31.
                let missing =
                    if call_clearing(stage) { Cause::NormalClearing } else { Cause::NormalUnspecified };
                let cause = message.ies.cause.map_or(missing, |c| c.cause);
                self.note_remote_cause(slot, cause);
                self.free_call(slot, cause, true);
            }
            MessageType::StatusEnquiry => {
                let state = self.state_number(slot);
                self.send_status(reply, state, Cause::ResponseToStatusEnquiry, &[]);
            }
            MessageType::Status => self.handle_status(now, slot, message),
            MessageType::Unknown(code) => {
                let state = self.state_number(slot);
                self.send_status(reply, state, Cause::MessageTypeNonExistent, &[code]);
            }
            other => {
                let state = self.state_number(slot);
                self.send_status(reply, state, Cause::MessageNotCompatibleWithState, &[other.to_u8()]);
            }
        }
        // The report carries the state the message led to.
        if !message.problems.is_empty()
            && !matches!(kind, MessageType::Status | MessageType::StatusEnquiry)
            && self.calls[usize::from(slot)].is_some()
        {
            let state = self.state_number(slot);
            self.report_non_mandatory_problems(message, reply, state);
        }
    }

    /// The state number of the call in `slot` (0 once it ended).
    fn state_number(&self, slot: u16) -> u8 {
        self.calls[usize::from(slot)].as_ref().map_or(0, |c| c.state(self.config.side).number)
    }

    /// §5.8.11: a STATUS reporting the null state ends the call; one reporting a state that
    /// cannot follow from ours clears it with cause 101; in the release request state nothing
    /// is done; otherwise an error it reports is passed up.
    fn handle_status(&mut self, now: Instant, slot: u16, message: &Message) {
        let peer_state = message.ies.call_state.map_or(0, |s| s.value);
        let cause = message.ies.cause.map_or(Cause::NormalUnspecified, |c| c.cause);
        if peer_state == 0 {
            self.free_call(slot, cause, true);
            return;
        }
        let Some(call) = self.calls[usize::from(slot)].as_ref() else { return };
        if call.stage == Stage::ReleaseRequest {
            return;
        }
        let user_originated = (call.direction == Direction::Outgoing) == (self.config.side == Side::User);
        if !compatible_states(user_originated, call.state(self.config.side).number, peer_state) {
            if let Ok(call) = self.call_mut(slot) {
                call.report_cause = Some(Cause::MessageNotCompatibleWithState);
                call.cleared_by_peer = Some(false);
            }
            self.release(slot, now, Some(Cause::MessageNotCompatibleWithState));
            return;
        }
        if cause != Cause::ResponseToStatusEnquiry && cause != Cause::NormalUnspecified {
            let id = self.id_of(slot);
            self.push_event(Event::Status { call: id, cause, state: peer_state });
        }
    }

    /// INFORMATION while receiving digits: append them; "sending complete" or enough digits end
    /// overlap receiving, anything else restarts T302.
    fn overlap_information(&mut self, now: Instant, slot: u16, message: &Message) {
        if let Ok(call) = self.call_mut(slot) {
            if let Some(called) = message.ies.called {
                for digit in called.digits.iter() {
                    call.called.digits.push(*digit);
                }
            }
            call.sending_complete |= message.ies.sending_complete;
        }
        if self.number_complete(slot) {
            self.stop_timer(slot, CallTimer::T302);
            self.offer(slot);
        } else {
            self.start_timer(slot, CallTimer::T302, now);
        }
    }

    /// Checks the channel of the first answer to an outgoing SETUP (§5.1.2, §5.2.3); a channel
    /// this side cannot use clears the call with RELEASE cause 6. Returns whether the call goes
    /// on.
    fn first_answer(&mut self, now: Instant, slot: u16, message: &Message) -> bool {
        let Some(call) = self.calls[usize::from(slot)].as_ref() else { return false };
        if call.answered_setup {
            return true;
        }
        let check = match message.ies.channel_id.and_then(|c| c.single_channel()) {
            None if call.timeslot.is_some() => ChannelCheck::Accepted,
            None => ChannelCheck::Unacceptable,
            Some(ts) if Some(ts) == call.timeslot => ChannelCheck::Accepted,
            Some(_) if call.exclusive => ChannelCheck::Unacceptable,
            Some(ts) if self.channels.is_idle(ts) => {
                if let Some(old) = call.timeslot {
                    self.channels.set(old, ChannelState::Idle);
                }
                self.channels.set(ts, ChannelState::Busy(slot));
                if let Ok(call) = self.call_mut(slot) {
                    call.timeslot = Some(ts);
                }
                ChannelCheck::Accepted
            }
            Some(_) => ChannelCheck::Unacceptable,
        };
        if let Ok(call) = self.call_mut(slot) {
            call.answered_setup = true;
        }
        match check {
            ChannelCheck::Accepted => true,
            ChannelCheck::Unacceptable => {
                if let Ok(call) = self.call_mut(slot) {
                    call.report_cause = Some(Cause::ChannelUnacceptable);
                    call.cleared_by_peer = Some(false);
                }
                self.release(slot, now, Some(Cause::ChannelUnacceptable));
                false
            }
        }
    }

    /// What each call timer's expiry does (Tables 9-1 and 9-2).
    pub(crate) fn call_timer_expired(&mut self, slot: u16, timer: CallTimer, now: Instant) {
        let Some(call) = self.calls[usize::from(slot)].as_ref() else { return };
        let (stage, retries, reply) = (call.stage, call.retries, call.wire_ref());
        let network = self.config.side == Side::Network;
        match timer {
            CallTimer::T301 if stage == Stage::Alerting => {
                self.note_local_cause(slot, Cause::NoAnswer);
                self.disconnect(slot, now, Cause::RecoveryOnTimerExpiry, &diagnostic(timer));
            }
            CallTimer::T302 if stage == Stage::Overlap => {
                let has_digits =
                    self.calls[usize::from(slot)].as_ref().is_some_and(|c| !c.called.digits.is_empty());
                if has_digits {
                    self.offer(slot);
                } else {
                    self.disconnect(slot, now, Cause::InvalidNumberFormat, &[]);
                }
            }
            CallTimer::T303 if stage == Stage::Initiated => {
                if retries == 0 {
                    if let Ok(call) = self.call_mut(slot) {
                        call.retries = 1;
                    }
                    self.send_setup(slot);
                    self.start_timer(slot, CallTimer::T303, now);
                } else {
                    let cause = if network { Cause::NoUserResponding } else { Cause::RecoveryOnTimerExpiry };
                    self.send_clearing(
                        reply,
                        MessageType::ReleaseComplete,
                        Some(Cause::RecoveryOnTimerExpiry),
                        &diagnostic(timer),
                    );
                    self.free_call(slot, cause, false);
                }
            }
            CallTimer::T304 if stage == Stage::Overlap => {
                self.disconnect(slot, now, Cause::RecoveryOnTimerExpiry, &diagnostic(timer));
            }
            CallTimer::T305 if stage == Stage::DisconnectSent => {
                let cause = if network {
                    Cause::RecoveryOnTimerExpiry
                } else {
                    self.calls[usize::from(slot)]
                        .as_ref()
                        .and_then(|c| c.clearing_cause)
                        .unwrap_or(Cause::NormalClearing)
                };
                self.release(slot, now, Some(cause));
            }
            CallTimer::T308 if stage == Stage::ReleaseRequest => {
                if retries == 0 {
                    let cause = self.calls[usize::from(slot)].as_ref().and_then(|c| c.clearing_cause);
                    if let Ok(call) = self.call_mut(slot) {
                        call.retries = 1;
                    }
                    self.send_clearing(reply, MessageType::Release, cause, &[]);
                    self.start_timer(slot, CallTimer::T308, now);
                } else {
                    // The B-channel goes to maintenance and is restarted when possible.
                    let timeslot = self.calls[usize::from(slot)].as_ref().and_then(|c| c.timeslot);
                    if let Some(ts) = timeslot {
                        self.channels.set(ts, ChannelState::Maintenance);
                    }
                    self.free_call(slot, Cause::RecoveryOnTimerExpiry, false);
                    if let Some(ts) = timeslot
                        && self.link_up
                        && self.restart.is_none()
                    {
                        self.start_restart(now, super::interface::RestartScope::Channel(ts));
                    }
                }
            }
            CallTimer::T309 => self.free_call(slot, Cause::DestinationOutOfOrder, false),
            CallTimer::T310 if stage == Stage::Proceeding => {
                if network {
                    self.note_local_cause(slot, Cause::NoUserResponding);
                }
                self.disconnect(slot, now, Cause::RecoveryOnTimerExpiry, &diagnostic(timer));
            }
            CallTimer::T313 if stage == Stage::ConnectRequest => {
                self.disconnect(slot, now, Cause::RecoveryOnTimerExpiry, &diagnostic(timer));
            }
            // A timer left over from an earlier state, or T316 (which runs per restart).
            _ => {}
        }
    }

    fn set_stage(&mut self, slot: u16, stage: Stage) {
        if let Ok(call) = self.call_mut(slot) {
            call.stage = stage;
        }
    }

    fn id_of(&self, slot: u16) -> super::call::CallId {
        self.calls[usize::from(slot)].as_ref().map_or(super::call::CallId { slot, generation: 0 }, |c| c.id)
    }

    /// The cause the application hears when the peer started clearing.
    fn note_remote_cause(&mut self, slot: u16, cause: Cause) {
        if let Ok(call) = self.call_mut(slot) {
            call.cleared_by_peer.get_or_insert(true);
            if call.report_cause.is_none() {
                call.report_cause = Some(cause);
            }
        }
    }

    /// The cause the application hears when a timer of this side cleared the call.
    fn note_local_cause(&mut self, slot: u16, cause: Cause) {
        if let Ok(call) = self.call_mut(slot) {
            call.report_cause = Some(cause);
        }
    }
}

fn call_clearing(stage: Stage) -> bool {
    matches!(stage, Stage::DisconnectSent | Stage::ReleaseRequest)
}

/// Whether the peer may be in state `peer` while this side is in `ours` (state numbers, which
/// both sides share) on a call the user originated or not, with messages still on their way.
/// Q.931 §5.8.11 leaves this to the implementation: any state of the call's own establishment
/// path (a call the user originated runs 1-2-3-4-10, one offered to the user 6-25-9-7-8-10)
/// fits, in any order, and a side that is clearing (11, 12, 19) fits anything, its clearing
/// message being on its way. What does not fit is a peer on the other path: the two sides
/// disagree about who placed the call.
pub(crate) fn compatible_states(user_originated: bool, ours: u8, peer: u8) -> bool {
    const USER_ORIGINATED: [u8; 5] = [1, 2, 3, 4, 10];
    const USER_OFFERED: [u8; 6] = [6, 25, 9, 7, 8, 10];
    const CLEARING: [u8; 3] = [11, 12, 19];
    let path: &[u8] = if user_originated { &USER_ORIGINATED } else { &USER_OFFERED };
    ours == peer || CLEARING.contains(&ours) || CLEARING.contains(&peer) || path.contains(&peer)
}

/// An empty called number (a SETUP without one, waiting for overlap digits).
fn empty_number() -> crate::wire::ie::PartyNumber {
    crate::wire::ie::PartyNumber {
        ton: crate::wire::ie::TypeOfNumber::Unspecified,
        plan: crate::wire::ie::NumberingPlan::Isdn,
        presentation: None,
        reason: None,
        digits: crate::wire::ie::Digits::new(),
    }
}
