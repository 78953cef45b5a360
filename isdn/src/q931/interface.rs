//! The D-channel of one primary rate interface: a Q.921 data link carrying Q.931, the call
//! table, the B-channels and the restart procedure, as one engine.
//!
//! Methods come in four kinds, as in quinn-proto: getters; `handle_*` (a received frame, or
//! `now` having reached [`Interface::poll_timeout`]); commands (place a call, answer, hang
//! up, restart); and `poll_*`, which hand out frames to send and events. After any
//! `handle_*` or command, drain [`Interface::poll_transmit`] and [`Interface::poll_event`],
//! then wait for the next frame or [`Interface::poll_timeout`], whichever comes first.

use super::call::{Call, CallId, ChannelRequest, OutgoingCall};
use super::channels::{ChannelState, Channels, Hunt, is_b_channel};
use super::state::{CallState, Direction, Stage};
use super::timers::{CALL_TIMER_COUNT, CallTimer, timers_for};
use crate::Side;
use crate::q921::{Link, LinkConfig, LinkEvent, LinkState, Received};
use crate::ring::Ring;
use crate::wire::ie::{
    BearerCapability, CallStateIe, CauseIe, ChannelId, PartyNumber, ProgressDescription, ProgressIndicator,
};
use crate::wire::q931::{CallRef, Message, MessageType, ShortMessage};
use tdm_base::{Cause, Instant, Location, TimerDefs, TimerKind, TimerTable};

/// Configuration of an interface.
#[derive(Debug, Clone)]
pub struct InterfaceConfig {
    /// User or network side.
    pub side: Side,
    /// The data link's parameters (its side must match).
    pub link: LinkConfig,
    /// Q.931 timer durations.
    pub timers: TimerDefs<CallTimer, CALL_TIMER_COUNT>,
    /// Calls held at most (in any state, clearing ones included).
    pub max_calls: usize,
    /// Answer a SETUP without "sending complete" with SETUP ACKNOWLEDGE and collect digits
    /// (overlap receiving), unless the number already has `complete_digits` digits.
    pub overlap_receiving: bool,
    /// A called number with this many digits is complete.
    pub complete_digits: Option<u8>,
    /// Send CALL PROCEEDING as soon as an incoming call's number is complete.
    pub auto_proceeding: bool,
    /// Re-establish the data link whenever it is released.
    pub keep_link_up: bool,
    /// Where outgoing calls look for a free channel first. The defaults (user from the bottom,
    /// network from the top) keep glare rare.
    pub hunt: Hunt,
}

impl InterfaceConfig {
    /// Defaults for `side`: standard timers, 64 calls, en-bloc receiving, automatic CALL
    /// PROCEEDING, link kept up.
    pub fn new(side: Side) -> Self {
        InterfaceConfig {
            side,
            link: LinkConfig::new(side),
            timers: TimerDefs::new(timers_for(side)),
            max_calls: 64,
            overlap_receiving: false,
            complete_digits: None,
            auto_proceeding: true,
            keep_link_up: true,
            hunt: match side {
                Side::User => Hunt::Ascending,
                Side::Network => Hunt::Descending,
            },
        }
    }
}

/// Which channels a restart covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartScope {
    /// One B-channel, by timeslot.
    Channel(u8),
    /// The whole interface.
    Interface,
}

/// What the interface reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The data link is up: calls can be placed.
    LinkUp,
    /// The data link went down.
    LinkDown,
    /// A call arrived with a complete number.
    Incoming {
        /// The call.
        call: CallId,
        /// Called number (all digits received).
        called: PartyNumber,
        /// Calling number, with presentation and screening when given.
        calling: Option<PartyNumber>,
        /// Redirecting number.
        redirecting: Option<PartyNumber>,
        /// Its B-channel.
        timeslot: u8,
        /// Bearer capability.
        bearer: BearerCapability,
    },
    /// SETUP ACKNOWLEDGE: send the remaining digits with `send_digits`.
    MoreDigitsWanted {
        /// The call.
        call: CallId,
    },
    /// CALL PROCEEDING received.
    Proceeding {
        /// The call.
        call: CallId,
    },
    /// ALERTING received.
    Alerting {
        /// The call.
        call: CallId,
        /// In-band ringback is available (progress indicator 8).
        inband: bool,
    },
    /// PROGRESS received.
    Progress {
        /// The call.
        call: CallId,
        /// Progress description.
        description: ProgressDescription,
    },
    /// The call is answered and active.
    Connected {
        /// The call.
        call: CallId,
        /// Its B-channel.
        timeslot: Option<u8>,
    },
    /// NOTIFY received.
    Notify {
        /// The call.
        call: CallId,
        /// Notification description.
        description: u8,
    },
    /// The peer reported a problem with STATUS.
    Status {
        /// The call.
        call: CallId,
        /// The cause it gave.
        cause: Cause,
        /// The state it reported.
        state: u8,
    },
    /// The call is over; its channel is free (or in maintenance).
    Released {
        /// The call.
        call: CallId,
        /// Why.
        cause: Cause,
        /// The peer cleared it (otherwise this side did, or a timer or fault).
        remote: bool,
    },
    /// The peer restarted channels (they are idle again; their calls were released).
    RestartReceived {
        /// Which.
        scope: RestartScope,
    },
    /// A restart this side requested was acknowledged.
    RestartCompleted {
        /// Which.
        scope: RestartScope,
    },
    /// A restart this side requested was not acknowledged N316 times; the channels stay in
    /// maintenance.
    RestartFailed {
        /// Which.
        scope: RestartScope,
    },
}

/// Why a command was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallError {
    /// The data link is not established.
    LinkDown,
    /// No free B-channel.
    NoChannel,
    /// The requested channel is busy, in maintenance, or not a B-channel.
    ChannelUnavailable(u8),
    /// The call table is full.
    TooManyCalls,
    /// No such call (it ended, or never existed).
    UnknownCall,
    /// The command does not fit the call's state.
    WrongState(CallState),
    /// A restart is already waiting for its acknowledgement.
    RestartInProgress,
}

/// Counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InterfaceStats {
    /// Messages handed to the data link.
    pub messages_sent: u64,
    /// Messages received and parsed.
    pub messages_received: u64,
    /// Received information fields that were not Q.931 messages (ignored).
    pub bad_messages: u64,
    /// Messages the data link could not take (link down or queue full).
    pub messages_dropped: u64,
    /// Events lost because nobody polled them.
    pub events_dropped: u64,
}

/// A summary of a call for listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallInfo {
    /// The call.
    pub id: CallId,
    /// Who placed it.
    pub direction: Direction,
    /// Its Q.931 state.
    pub state: CallState,
    /// Its B-channel.
    pub timeslot: Option<u8>,
    /// Called number.
    pub called: PartyNumber,
    /// Calling number.
    pub calling: Option<PartyNumber>,
}

/// A restart this side requested.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PendingRestart {
    pub(crate) scope: RestartScope,
    pub(crate) expiries: u8,
}

/// One primary rate interface's signaling engine.
pub struct Interface {
    pub(crate) config: InterfaceConfig,
    pub(crate) link: Link,
    pub(crate) link_up: bool,
    pub(crate) calls: Vec<Option<Call>>,
    /// Per slot, the call reference key of its call (0 when free): a compact copy of the
    /// table's keys so that finding a call scans 4 octets per slot, not a whole call.
    keys: Vec<u32>,
    generations: Vec<u16>,
    pub(crate) channels: Channels,
    next_call_ref: u16,
    /// The call reference values this side has allocated and not yet freed, one bit each, so
    /// that choosing a new one does not search the call table.
    own_refs: Box<[u64; 512]>,
    pub(crate) restart: Option<PendingRestart>,
    /// T316 of the pending restart (the other entries stay unused).
    pub(crate) global_timers: TimerTable<CallTimer, CALL_TIMER_COUNT>,
    /// The configured durations in microseconds, converted once.
    timer_micros: [u64; CALL_TIMER_COUNT],
    events: Ring<Event, 96>,
    /// Where received messages are parsed (boxed so that handing it around moves a pointer).
    scratch: Option<Box<Message>>,
    pub(crate) stats: InterfaceStats,
}

impl Interface {
    /// An interface with its data link down; call [`Interface::start`] to bring it up.
    pub fn new(mut config: InterfaceConfig) -> Self {
        config.link.side = config.side;
        let max_calls = config.max_calls.clamp(1, usize::from(u16::MAX));
        let timer_micros = core::array::from_fn(|i| {
            CallTimer::ALL
                .get(i)
                .map_or(u64::MAX, |t| u64::try_from(config.timers.get(*t).as_micros()).unwrap_or(u64::MAX))
        });
        Interface {
            timer_micros,
            link: Link::new(config.link.clone()),
            link_up: false,
            calls: vec![None; max_calls],
            keys: vec![0; max_calls],
            generations: vec![0; max_calls],
            channels: Channels::new(config.hunt),
            next_call_ref: 1,
            own_refs: Box::new([0; 512]),
            restart: None,
            global_timers: TimerTable::new(),
            events: Ring::new(),
            scratch: Some(Box::new(Message::new(CallRef::global(false), MessageType::Unknown(0)))),
            stats: InterfaceStats::default(),
            config,
        }
    }

    // ---- getters ----

    /// The side.
    pub fn side(&self) -> Side {
        self.config.side
    }

    /// Whether the data link is established.
    pub fn is_link_up(&self) -> bool {
        self.link_up
    }

    /// The data link (for its state and counters).
    pub fn link(&self) -> &Link {
        &self.link
    }

    /// The B-channels.
    pub fn channels(&self) -> &Channels {
        &self.channels
    }

    /// Counters.
    pub fn stats(&self) -> InterfaceStats {
        InterfaceStats { events_dropped: self.events.dropped, ..self.stats }
    }

    /// The Q.931 state of a call, or `None` once it ended.
    pub fn call_state(&self, call: CallId) -> Option<CallState> {
        self.call(call).map(|c| c.state(self.config.side))
    }

    /// When a call's timer expires, if it runs.
    pub fn call_timer(&self, call: CallId, timer: CallTimer) -> Option<Instant> {
        self.call(call).and_then(|c| c.timers.get(timer))
    }

    /// A call's B-channel.
    pub fn call_timeslot(&self, call: CallId) -> Option<u8> {
        self.call(call).and_then(|c| c.timeslot)
    }

    /// Every call in progress.
    pub fn calls(&self) -> impl Iterator<Item = CallInfo> + '_ {
        self.calls.iter().flatten().map(|call| CallInfo {
            id: call.id,
            direction: call.direction,
            state: call.state(self.config.side),
            timeslot: call.timeslot,
            called: call.called,
            calling: call.calling,
        })
    }

    /// Number of calls in progress.
    pub fn call_count(&self) -> usize {
        self.calls.iter().flatten().count()
    }

    /// A restart this side requested that is still waiting for its acknowledgement.
    pub fn pending_restart(&self) -> Option<RestartScope> {
        self.restart.map(|r| r.scope)
    }

    // ---- commands ----

    /// Brings the data link up (DL-ESTABLISH request).
    pub fn start(&mut self, now: Instant) {
        self.link.establish(now);
        self.process_link_events(now);
    }

    /// Places a call: reserves a channel, sends SETUP and starts T303.
    ///
    /// With the data link down, the call brings it up first (Q.931 §5.1.1: the user "shall
    /// first establish" it): the SETUP waits in the data link's queue and leaves with the
    /// establishment; should that fail, the call is cleared with cause 41 like every call not
    /// yet active. Only a link being released refuses calls ([`CallError::LinkDown`]).
    pub fn place_call(&mut self, now: Instant, request: &OutgoingCall) -> Result<CallId, CallError> {
        match self.link.state() {
            LinkState::AwaitingRelease => return Err(CallError::LinkDown),
            LinkState::TeiAssigned => {
                // Check the request before bringing anything up for it.
                if let ChannelRequest::Exclusive(ts) = request.channel
                    && !self.channels.is_idle(ts)
                {
                    return Err(CallError::ChannelUnavailable(ts));
                }
                self.link.establish(now);
                self.process_link_events(now);
            }
            _ => {}
        }
        let (timeslot, exclusive) = match request.channel {
            ChannelRequest::Any => (self.channels.find_idle().ok_or(CallError::NoChannel)?, false),
            ChannelRequest::Preferred(ts) if self.channels.is_idle(ts) => (ts, false),
            ChannelRequest::Preferred(_) => (self.channels.find_idle().ok_or(CallError::NoChannel)?, false),
            ChannelRequest::Exclusive(ts) if self.channels.is_idle(ts) => (ts, true),
            ChannelRequest::Exclusive(ts) => return Err(CallError::ChannelUnavailable(ts)),
        };
        // The network decides the channel: what it offers the user is exclusive.
        let exclusive = exclusive || self.config.side == Side::Network;
        let call_ref = self.allocate_call_ref().ok_or(CallError::TooManyCalls)?;
        let slot = self.free_slot_for(Self::key(call_ref, true)).ok_or(CallError::TooManyCalls)?;
        let id = self.new_id(slot);
        let call = Call {
            id,
            call_ref,
            ours: true,
            direction: Direction::Outgoing,
            stage: Stage::Initiated,
            timeslot: Some(timeslot),
            exclusive,
            answered_setup: false,
            called: request.called,
            calling: request.calling,
            redirecting: None,
            bearer: request.bearer,
            sending_complete: request.sending_complete,
            timers: TimerTable::new(),
            retries: 0,
            clearing_cause: None,
            report_cause: None,
            cleared_by_peer: None,
            offered: true,
        };
        self.channels.set(timeslot, ChannelState::Busy(slot));
        self.insert_call(slot, call);
        self.send_setup(slot);
        self.start_timer(slot, CallTimer::T303, now);
        Ok(id)
    }

    /// Overlap sending: more digits for a call in the overlap sending state, in INFORMATION;
    /// `complete` adds "sending complete". Restarts T304.
    pub fn send_digits(
        &mut self,
        now: Instant,
        call: CallId,
        digits: &str,
        complete: bool,
    ) -> Result<(), CallError> {
        let slot = self.slot_of(call)?;
        let side = self.config.side;
        let (wire_ref, state) = {
            let c = self.call_mut(slot)?;
            if c.direction != Direction::Outgoing || !matches!(c.stage, Stage::Overlap | Stage::Initiated) {
                return Err(CallError::WrongState(CallState::of(side, c.direction, c.stage)));
            }
            for digit in digits.bytes() {
                c.called.digits.push(digit & 0x7F);
            }
            c.sending_complete |= complete;
            (c.wire_ref(), c.stage)
        };
        let mut message = Message::new(wire_ref, MessageType::Information);
        message.ies.sending_complete = complete;
        message.ies.called = PartyNumber::new(
            crate::wire::ie::TypeOfNumber::Unspecified,
            crate::wire::ie::NumberingPlan::Isdn,
            digits,
        );
        self.send(&message);
        if state == Stage::Overlap {
            self.start_timer(slot, CallTimer::T304, now);
        }
        Ok(())
    }

    /// Sends CALL PROCEEDING for an incoming call (when `auto_proceeding` is off, or to end
    /// overlap receiving early).
    pub fn proceed(&mut self, call: CallId) -> Result<(), CallError> {
        let slot = self.slot_of(call)?;
        let stage = self.call_mut(slot)?.stage;
        self.expect_incoming(slot, &[Stage::Initiated, Stage::Overlap])?;
        if stage == Stage::Overlap {
            self.stop_timer(slot, CallTimer::T302);
        }
        self.answer_setup(slot, MessageType::CallProceeding, Stage::Proceeding, None);
        Ok(())
    }

    /// Sends ALERTING for an incoming call; `inband` adds progress indicator 8 (ringback on the
    /// B-channel).
    pub fn alert(&mut self, call: CallId, inband: bool) -> Result<(), CallError> {
        let slot = self.slot_of(call)?;
        self.expect_incoming(slot, &[Stage::Initiated, Stage::Overlap, Stage::Proceeding])?;
        self.stop_timer(slot, CallTimer::T302);
        let progress =
            inband.then(|| ProgressIndicator::new(ProgressDescription::InbandAvailable, self.location()));
        self.answer_setup(slot, MessageType::Alerting, Stage::Alerting, progress);
        Ok(())
    }

    /// Sends PROGRESS.
    pub fn progress(&mut self, call: CallId, description: ProgressDescription) -> Result<(), CallError> {
        let slot = self.slot_of(call)?;
        let side = self.config.side;
        let c = self.call_mut(slot)?;
        if c.clearing() {
            return Err(CallError::WrongState(c.state(side)));
        }
        let mut message = ShortMessage::new(c.wire_ref(), MessageType::Progress);
        message.progress = Some(ProgressIndicator::new(description, self.location()));
        self.send_short(&message);
        Ok(())
    }

    /// Answers an incoming call with CONNECT. The user side then waits for CONNECT
    /// ACKNOWLEDGE under T313; the network side is active at once.
    pub fn answer(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let slot = self.slot_of(call)?;
        self.expect_incoming(slot, &[Stage::Initiated, Stage::Overlap, Stage::Proceeding, Stage::Alerting])?;
        self.stop_timer(slot, CallTimer::T302);
        let stage = match self.config.side {
            Side::User => Stage::ConnectRequest,
            Side::Network => Stage::Active,
        };
        self.answer_setup(slot, MessageType::Connect, stage, None);
        match self.config.side {
            Side::User => self.start_timer(slot, CallTimer::T313, now),
            Side::Network => {
                let timeslot = self.calls[usize::from(slot)].as_ref().and_then(|c| c.timeslot);
                self.events.push(Event::Connected { call, timeslot });
            }
        }
        Ok(())
    }

    /// Clears a call with `cause`: RELEASE COMPLETE for an incoming call not yet answered,
    /// DISCONNECT (and T305) otherwise. Nothing happens to a call already being cleared.
    pub fn hangup(&mut self, now: Instant, call: CallId, cause: Cause) -> Result<(), CallError> {
        let slot = self.slot_of(call)?;
        let c = self.call_mut(slot)?;
        if c.clearing() {
            return Ok(());
        }
        c.report_cause = Some(cause);
        if c.direction == Direction::Incoming && !c.answered_setup {
            let wire_ref = c.wire_ref();
            self.send_clearing(wire_ref, MessageType::ReleaseComplete, Some(cause), &[]);
            self.free_call(slot, cause, false);
            return Ok(());
        }
        self.disconnect(slot, now, cause, &[]);
        Ok(())
    }

    /// Restarts one channel or the whole interface: their calls are released at once (cause 41),
    /// RESTART is sent and T316 started.
    pub fn restart(&mut self, now: Instant, scope: RestartScope) -> Result<(), CallError> {
        if !self.link_up {
            return Err(CallError::LinkDown);
        }
        if self.restart.is_some() {
            return Err(CallError::RestartInProgress);
        }
        if let RestartScope::Channel(ts) = scope
            && !is_b_channel(ts)
        {
            return Err(CallError::ChannelUnavailable(ts));
        }
        self.start_restart(now, scope);
        Ok(())
    }

    // ---- input ----

    /// Handles a frame received on the D-channel (without flags and FCS).
    pub fn handle_frame(&mut self, now: Instant, frame: &[u8]) {
        match self.link.handle_frame(now, frame) {
            Received::Data(info) | Received::UnitData(info) => {
                self.process_link_events(now);
                let mut message = self.scratch.take().unwrap_or_else(|| {
                    Box::new(Message::new(CallRef::global(false), MessageType::Unknown(0)))
                });
                match message.parse_into(info) {
                    Ok(()) => {
                        self.stats.messages_received += 1;
                        self.handle_message(now, &message);
                    }
                    Err(_) => self.stats.bad_messages += 1,
                }
                self.scratch = Some(message);
            }
            Received::Nothing => {}
        }
        self.process_link_events(now);
    }

    /// Runs every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.link.handle_timeout(now);
        self.process_link_events(now);
        if self.global_timers.pop_expired(now) == Some(CallTimer::T316) {
            self.t316_expired(now);
        }
        for slot in 0..self.calls.len() {
            let slot = slot as u16;
            while let Some(timer) =
                self.calls[usize::from(slot)].as_mut().and_then(|c| c.timers.pop_expired(now))
            {
                self.call_timer_expired(slot, timer, now);
            }
        }
        self.process_link_events(now);
    }

    // ---- output ----

    /// The next frame to send on the D-channel, written into `buffer` (at least
    /// [`crate::wire::lapd::MAX_FRAME_LEN`] octets).
    pub fn poll_transmit(&mut self, now: Instant, buffer: &mut [u8]) -> Option<usize> {
        self.link.poll_transmit(now, buffer)
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// When [`Interface::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let calls = self.calls.iter().flatten().filter_map(|c| c.timers.next_deadline());
        calls.chain(self.link.poll_timeout()).chain(self.global_timers.next_deadline()).min()
    }

    // ---- data link events ----

    /// Runs on every frame; the data link rarely has anything to say, so the check is inlined
    /// and the work is not.
    #[inline(always)]
    fn process_link_events(&mut self, now: Instant) {
        if self.link.has_events() {
            self.drain_link_events(now);
        }
    }

    fn drain_link_events(&mut self, now: Instant) {
        while let Some(event) = self.link.poll_event() {
            match event {
                LinkEvent::Established { .. } => {
                    if !self.link_up {
                        self.link_up = true;
                        self.events.push(Event::LinkUp);
                        self.link_reestablished();
                    }
                }
                LinkEvent::Released { .. } => {
                    if self.link_up {
                        self.link_up = false;
                        self.events.push(Event::LinkDown);
                    }
                    // Calls placed while the link was coming up fail with it too.
                    self.link_failed(now);
                    if self.config.keep_link_up && self.link.state() == LinkState::TeiAssigned {
                        self.link.establish(now);
                    }
                }
                LinkEvent::Error(_) | LinkEvent::Management(_) => {}
            }
        }
    }

    /// Q.931 §5.8.8: calls not active are cleared; active calls wait under T309.
    fn link_failed(&mut self, now: Instant) {
        for slot in 0..self.calls.len() as u16 {
            let Some(call) = self.calls[usize::from(slot)].as_ref() else { continue };
            if call.stage == Stage::Active {
                if !call.timers.is_running(CallTimer::T309) {
                    self.start_timer(slot, CallTimer::T309, now);
                }
            } else {
                self.free_call(slot, Cause::TemporaryFailure, false);
            }
        }
    }

    /// T309 stops and each surviving call reports its state with STATUS (cause 31).
    fn link_reestablished(&mut self) {
        for slot in 0..self.calls.len() as u16 {
            let Some(call) = self.calls[usize::from(slot)].as_mut() else { continue };
            if call.timers.is_running(CallTimer::T309) {
                call.timers.stop(CallTimer::T309);
                let (wire_ref, state) = (call.wire_ref(), call.state(self.config.side));
                self.send_status(wire_ref, state.number, Cause::NormalUnspecified, &[]);
            }
        }
    }

    // ---- helpers shared by the procedures ----

    pub(crate) fn location(&self) -> Location {
        match self.config.side {
            Side::User => Location::User,
            Side::Network => Location::PublicNetworkLocalUser,
        }
    }

    pub(crate) fn push_event(&mut self, event: Event) {
        self.events.push(event);
    }

    pub(crate) fn call(&self, id: CallId) -> Option<&Call> {
        self.calls.get(usize::from(id.slot))?.as_ref().filter(|c| c.id == id)
    }

    fn slot_of(&self, id: CallId) -> Result<u16, CallError> {
        self.call(id).map(|_| id.slot).ok_or(CallError::UnknownCall)
    }

    pub(crate) fn call_mut(&mut self, slot: u16) -> Result<&mut Call, CallError> {
        self.calls.get_mut(usize::from(slot)).and_then(Option::as_mut).ok_or(CallError::UnknownCall)
    }

    fn expect_incoming(&self, slot: u16, stages: &[Stage]) -> Result<(), CallError> {
        let call = self.calls[usize::from(slot)].as_ref().ok_or(CallError::UnknownCall)?;
        if call.direction == Direction::Incoming && stages.contains(&call.stage) {
            Ok(())
        } else {
            Err(CallError::WrongState(call.state(self.config.side)))
        }
    }

    /// A free slot for the call whose key is `key`: the first free one from the key's home
    /// slot on, so that [`Interface::find_call`] usually finds it at the first look.
    pub(crate) fn free_slot_for(&self, key: u32) -> Option<u16> {
        self.probe(key, |k| k == 0)
    }

    pub(crate) fn key(call_ref: u16, ours: bool) -> u32 {
        1 << 16 | u32::from(ours) << 15 | u32::from(call_ref & 0x7FFF)
    }

    /// The first slot from `key`'s home slot on (wrapping round once) whose key satisfies
    /// `wanted`. Every slot is looked at before giving up, as slots freed after a call was
    /// placed leave no trace.
    fn probe(&self, key: u32, wanted: impl Fn(u32) -> bool) -> Option<u16> {
        let len = self.keys.len();
        // Multiplicative hashing mapped onto the table by a multiply, not a division.
        let home = ((u64::from(key.wrapping_mul(0x9E37_79B9)) * len as u64) >> 32) as usize;
        let (before, after) = self.keys.split_at(home.min(len));
        after
            .iter()
            .position(|k| wanted(*k))
            .map(|i| home + i)
            .or_else(|| before.iter().position(|k| wanted(*k)))
            .map(|slot| slot as u16)
    }

    pub(crate) fn insert_call(&mut self, slot: u16, call: Call) {
        if let (Some(key), Some(entry)) =
            (self.keys.get_mut(usize::from(slot)), self.calls.get_mut(usize::from(slot)))
        {
            *key = Self::key(call.call_ref, call.ours);
            if call.ours {
                self.own_refs[usize::from(call.call_ref & 0x7FFF) / 64] |= 1 << (call.call_ref % 64);
            }
            *entry = Some(call);
        }
    }

    pub(crate) fn new_id(&mut self, slot: u16) -> CallId {
        let generation = &mut self.generations[usize::from(slot)];
        *generation = generation.wrapping_add(1);
        CallId { slot, generation: *generation }
    }

    fn allocate_call_ref(&mut self) -> Option<u16> {
        for _ in 0..0x7FFF {
            let candidate = self.next_call_ref;
            self.next_call_ref = if candidate >= 0x7FFF { 1 } else { candidate + 1 };
            let taken = self.own_refs[usize::from(candidate) / 64] & 1 << (candidate % 64) != 0;
            if !taken {
                return Some(candidate);
            }
        }
        None
    }

    pub(crate) fn find_call(&self, call_ref: CallRef) -> Option<u16> {
        // A message whose flag is set comes from the side that did not allocate the value:
        // the value is ours.
        let key = Self::key(call_ref.value, call_ref.flag);
        self.probe(key, |k| k == key)
    }

    pub(crate) fn start_timer(&mut self, slot: u16, timer: CallTimer, now: Instant) {
        let deadline = self.deadline(timer, now);
        if let Ok(call) = self.call_mut(slot) {
            call.timers.set(timer, deadline);
        }
    }

    /// When `timer` started at `now` expires.
    pub(crate) fn deadline(&self, timer: CallTimer, now: Instant) -> Instant {
        let duration = self.timer_micros.get(timer.index()).copied().unwrap_or(u64::MAX);
        Instant::from_micros(now.as_micros().saturating_add(duration))
    }

    pub(crate) fn stop_timer(&mut self, slot: u16, timer: CallTimer) {
        if let Ok(call) = self.call_mut(slot) {
            call.timers.stop(timer);
        }
    }

    /// Ends a call: frees its channel (unless it went to maintenance) and reports it.
    pub(crate) fn free_call(&mut self, slot: u16, cause: Cause, remote: bool) {
        let Some(call) = self.calls.get_mut(usize::from(slot)).and_then(Option::take) else { return };
        self.keys[usize::from(slot)] = 0;
        if call.ours {
            self.own_refs[usize::from(call.call_ref & 0x7FFF) / 64] &= !(1 << (call.call_ref % 64));
        }
        if let Some(ts) = call.timeslot
            && self.channels.state(ts) == Some(ChannelState::Busy(slot))
        {
            self.channels.set(ts, ChannelState::Idle);
        }
        let cause = call.report_cause.unwrap_or(cause);
        let remote = call.cleared_by_peer.unwrap_or(remote);
        self.events.push(Event::Released { call: call.id, cause, remote });
    }

    /// Encodes and queues a message on the data link.
    pub(crate) fn send(&mut self, message: &Message) {
        // Encoded straight into the data link's queue: no copy through a buffer of our own.
        let sent = self.link.send_with(|buffer| message.emit(buffer).ok());
        self.count_sent(sent.is_ok());
    }

    /// Sends a message with only the elements [`ShortMessage`] carries.
    pub(crate) fn send_short(&mut self, message: &ShortMessage<'_>) {
        let sent = self.link.send_with(|buffer| message.emit(buffer).ok());
        self.count_sent(sent.is_ok());
    }

    fn count_sent(&mut self, sent: bool) {
        if sent {
            self.stats.messages_sent += 1;
        } else {
            self.stats.messages_dropped += 1;
        }
    }

    pub(crate) fn cause_ie(&self, cause: Cause, diagnostic: &[u8]) -> CauseIe {
        CauseIe::new(cause, self.location()).with_diagnostic(diagnostic)
    }

    /// Sends DISCONNECT, RELEASE or RELEASE COMPLETE with an optional cause.
    pub(crate) fn send_clearing(
        &mut self,
        call_ref: CallRef,
        message_type: MessageType,
        cause: Option<Cause>,
        diagnostic: &[u8],
    ) {
        let cause = cause.map(|cause| self.cause_ie(cause, diagnostic));
        let mut message = ShortMessage::new(call_ref, message_type);
        message.cause = cause.as_ref();
        self.send_short(&message);
    }

    pub(crate) fn send_status(&mut self, call_ref: CallRef, state: u8, cause: Cause, diagnostic: &[u8]) {
        let cause = self.cause_ie(cause, diagnostic);
        let mut message = ShortMessage::new(call_ref, MessageType::Status);
        message.cause = Some(&cause);
        message.call_state = Some(CallStateIe::new(state));
        self.send_short(&message);
    }

    /// SETUP (first transmission and T303's retransmission).
    pub(crate) fn send_setup(&mut self, slot: u16) {
        let Some(call) = self.calls[usize::from(slot)].as_ref() else { return };
        let mut message = Message::new(call.wire_ref(), MessageType::Setup);
        message.ies.sending_complete = call.sending_complete;
        message.ies.bearer_capability = Some(call.bearer);
        message.ies.channel_id = call.timeslot.map(|ts| ChannelId::timeslot(ts, call.exclusive));
        message.ies.calling = call.calling;
        message.ies.called = Some(call.called);
        self.send(&message);
    }

    /// The messages an incoming call's side answers its SETUP with; the first one carries the
    /// channel identification (exclusive).
    pub(crate) fn answer_setup(
        &mut self,
        slot: u16,
        message_type: MessageType,
        stage: Stage,
        progress: Option<ProgressIndicator>,
    ) {
        let Ok(call) = self.call_mut(slot) else { return };
        let channel =
            if call.answered_setup { None } else { call.timeslot.map(|ts| ChannelId::timeslot(ts, true)) };
        call.answered_setup = true;
        call.stage = stage;
        let mut message = ShortMessage::new(call.wire_ref(), message_type);
        message.channel_id = channel.as_ref();
        message.progress = progress;
        self.send_short(&message);
    }

    /// DISCONNECT with `cause`, T305.
    pub(crate) fn disconnect(&mut self, slot: u16, now: Instant, cause: Cause, diagnostic: &[u8]) {
        let Ok(call) = self.call_mut(slot) else { return };
        call.timers.stop_all();
        call.stage = Stage::DisconnectSent;
        call.clearing_cause = Some(cause);
        call.cleared_by_peer.get_or_insert(false);
        if call.report_cause.is_none() {
            call.report_cause = Some(cause);
        }
        let wire_ref = call.wire_ref();
        self.send_clearing(wire_ref, MessageType::Disconnect, Some(cause), diagnostic);
        self.start_timer(slot, CallTimer::T305, now);
    }

    /// RELEASE (with a cause when it is the first clearing message), T308.
    pub(crate) fn release(&mut self, slot: u16, now: Instant, cause: Option<Cause>) {
        let Ok(call) = self.call_mut(slot) else { return };
        call.timers.stop_all();
        call.stage = Stage::ReleaseRequest;
        call.retries = 0;
        // T308's retransmission repeats exactly this message.
        call.clearing_cause = cause;
        let wire_ref = call.wire_ref();
        self.send_clearing(wire_ref, MessageType::Release, cause, &[]);
        self.start_timer(slot, CallTimer::T308, now);
    }
}
