//! The ISUP signalling point toward one peer over one circuit group: call control (incoming
//! and outgoing, Q.764 §2.1–§2.5), circuit supervision (reset, blocking, continuity check,
//! Q.764 §2.8–§2.10), the compatibility procedure (§2.9.5) and the timers of Annex A.
//!
//! Methods follow [`crate::circuit::UserPart`]: `handle_*`, commands, `poll_*`. Everything
//! the engine decides is a message queued for MTP3 or an [`Event`]; it never blocks.

mod maintenance;
mod receive;
mod timeout;

use super::timers::{
    CIRCUIT_TIMER_DEFS, CIRCUIT_TIMERS, CircuitTimer, GROUP_TIMER_DEFS, GROUP_TIMERS, GroupTimer,
};
use super::wire::{
    Backward, BackwardCallIndicators, Body, CalledPartyStatus, CauseIndicators, ContinuityCheck,
    EventIndicator, EventInformation, ForwardCallIndicators, GroupSupervisionType, Iam, MAX_MESSAGE_LEN,
    Message, Nature, NatureOfConnection, OptionalBackwardCallIndicators, OptionalParameters, PartyNumber,
    Presentation, Sam, Screening, SubsequentNumber, Suspend, SuspendResume, TransmissionMedium, WithCause,
};
use crate::circuit::UserPart;
use crate::circuit::call::{
    AddressNature, BearerAction, CallError, CallId, Event, IncomingCall, MaintenanceError, Number,
    OutgoingCall,
};
use crate::circuit::cic::CicMap;
use crate::circuit::digits::{Digits, ST};
use crate::circuit::hunt;
use crate::circuit::range::StatusBits;
use crate::circuit::slab::Slab;
use crate::circuit::state::{Activity, BlockKind, Blocking, CircuitStatus};
use crate::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator};
use crate::mtp3::{DestinationStatus, Indication, Payload, Transfer};
use std::collections::VecDeque;
use tdm_base::{Cause, Instant, Location, TimerDefs, TimerTable};

/// Configuration of an ISUP signalling point toward one peer.
#[derive(Debug, Clone)]
pub struct IsupConfig {
    /// This signalling point.
    pub own: PointCode,
    /// The peer signalling point.
    pub peer: PointCode,
    /// Point code format: ITU 14-bit or China 24-bit (the China ISUP variant).
    pub format: PointCodeFormat,
    /// Network indicator of the messages sent.
    pub ni: NetworkIndicator,
    /// The circuits.
    pub circuits: CicMap,
    /// Circuit timer durations.
    pub timers: TimerDefs<CircuitTimer, CIRCUIT_TIMERS>,
    /// Group timer durations.
    pub group_timers: TimerDefs<GroupTimer, GROUP_TIMERS>,
    /// Location put in the causes this exchange generates.
    pub location: Location,
    /// Ask for the calling number with INR when an IAM comes without one.
    pub request_calling_number: bool,
    /// Answer a message for a CIC that is not configured with UCIC.
    pub send_ucic: bool,
    /// Circuits an outgoing call may try (automatic repeat attempts included).
    pub max_attempts: u8,
}

impl IsupConfig {
    /// Defaults: national network, standard timers, causes from the local public network,
    /// no INR, UCIC on, four attempts per call.
    pub fn new(own: PointCode, peer: PointCode, format: PointCodeFormat, circuits: CicMap) -> Self {
        IsupConfig {
            own,
            peer,
            format,
            ni: NetworkIndicator::National,
            circuits,
            timers: TimerDefs::new(&CIRCUIT_TIMER_DEFS),
            group_timers: TimerDefs::new(&GROUP_TIMER_DEFS),
            location: Location::PublicNetworkLocalUser,
            request_calling_number: false,
            send_ucic: true,
            max_attempts: 4,
        }
    }
}

/// Where a circuit is in its call or supervision procedures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Idle,
    /// IAM sent asking for a continuity check; the transceiver is connected (T24).
    OutContinuity,
    /// IAM sent (and COT, if checked); waiting for a backward message (T7).
    OutSetup,
    /// ACM received (T9).
    OutAlerting,
    /// Answered (ANM or CON).
    OutAnswered,
    /// IAM received with a continuity check on this or a previous circuit (T8).
    InContinuity,
    /// INR sent for the calling number (T33).
    InInformation,
    /// Presented to call control.
    InSetup,
    /// ACM sent.
    InAlerting,
    /// ANM or CON sent.
    InAnswered,
    /// REL sent (T1, T5).
    Releasing,
    /// RSC sent (T16, T17).
    Resetting,
    /// Part of a GRS this exchange sent.
    GroupResetting,
    /// CCR sent, transceiver connected (T24).
    RecheckOut,
    /// Continuity failed here; waiting to recheck (T25 or T26).
    RecheckWait,
    /// Continuity failure reported by the peer; waiting for its CCR (T27).
    RecheckIncoming,
    /// CCR received; loop connected until COT (failure) or REL.
    RecheckLoop,
}

impl Phase {
    fn activity(self) -> Activity {
        match self {
            Phase::Idle => Activity::Idle,
            Phase::OutContinuity | Phase::OutSetup | Phase::OutAlerting | Phase::OutAnswered => {
                Activity::Outgoing
            }
            Phase::InContinuity
            | Phase::InInformation
            | Phase::InSetup
            | Phase::InAlerting
            | Phase::InAnswered => Activity::Incoming,
            Phase::Releasing => Activity::Releasing,
            Phase::Resetting | Phase::GroupResetting => Activity::Resetting,
            Phase::RecheckOut | Phase::RecheckWait | Phase::RecheckIncoming | Phase::RecheckLoop => {
                Activity::ContinuityCheck
            }
        }
    }

    /// An outgoing call that has had no backward message yet: dual seizure and blocking
    /// move it to another circuit.
    fn before_backward_message(self) -> bool {
        matches!(self, Phase::OutContinuity | Phase::OutSetup)
    }
}

/// Per-circuit flags.
pub(crate) mod flag {
    /// BLO sent, BLA awaited (T12, T13).
    pub const BLO_PENDING: u8 = 1;
    /// UBL sent, UBA awaited (T14, T15).
    pub const UBL_PENDING: u8 = 2;
    /// The call is suspended (SUS received).
    pub const SUSPENDED: u8 = 4;
    /// The peer said the CIC is unequipped.
    pub const REMOTE_UNEQUIPPED: u8 = 8;
    /// A transceiver or loop is connected.
    pub const EQUIPMENT: u8 = 16;
}

/// One circuit.
#[derive(Debug, Clone)]
pub(crate) struct Circuit {
    pub(crate) cic: u16,
    pub(crate) phase: Phase,
    pub(crate) blocking: Blocking,
    pub(crate) flags: u8,
    /// Continuity rechecks failed in a row.
    pub(crate) rechecks: u8,
    /// Cause of the REL this exchange sent (T1 repeats it).
    pub(crate) release_cause: Cause,
    pub(crate) call: Option<CallId>,
    pub(crate) timers: TimerTable<CircuitTimer, CIRCUIT_TIMERS>,
}

impl Circuit {
    fn has(&self, f: u8) -> bool {
        self.flags & f != 0
    }

    fn set(&mut self, f: u8, on: bool) {
        if on {
            self.flags |= f;
        } else {
            self.flags &= !f;
        }
    }
}

/// One call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) circuit: usize,
    /// The request of an outgoing call (kept for repeat attempts and INR).
    pub(crate) outgoing: Option<OutgoingCall>,
    /// An incoming call, as it will be or was presented.
    pub(crate) incoming: Option<IncomingCall>,
    /// Call control knows the call.
    pub(crate) presented: bool,
    /// Circuits tried.
    pub(crate) attempts: u8,
}

/// A circuit group message this exchange sent and awaits the acknowledgement of.
#[derive(Debug, Clone)]
pub(crate) struct GroupOp {
    pub(crate) kind: GroupKind,
    pub(crate) first: u16,
    pub(crate) range: u8,
    pub(crate) status: StatusBits,
    pub(crate) timers: TimerTable<GroupTimer, GROUP_TIMERS>,
}

/// Which group message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupKind {
    Reset,
    Block(GroupSupervisionType),
    Unblock(GroupSupervisionType),
}

/// Counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IsupStats {
    /// Messages queued for MTP3.
    pub sent: u64,
    /// Messages received and parsed.
    pub received: u64,
    /// Received messages that could not be parsed (discarded).
    pub malformed: u64,
    /// Messages for another service, point code pair or an unknown label (discarded).
    pub foreign: u64,
    /// Messages that did not fit the circuit's state (discarded).
    pub unexpected: u64,
    /// Dual seizures detected.
    pub dual_seizures: u64,
}

/// An ISUP signalling point toward one peer.
#[derive(Debug)]
pub struct Isup {
    pub(crate) config: IsupConfig,
    pub(crate) circuits: Vec<Circuit>,
    pub(crate) calls: Slab<Call>,
    pub(crate) groups: Vec<GroupOp>,
    transmit: VecDeque<Transfer>,
    events: VecDeque<Event>,
    /// The peer is reachable (no MTP-PAUSE) and its ISUP available.
    pub(crate) accessible: bool,
    pub(crate) stats: IsupStats,
}

// The idle-circuit budget of the issue, checked at compile time.
const _: () = assert!(Isup::CIRCUIT_STATE_BYTES < 1024 && Isup::CALL_STATE_BYTES < 1024);

/// The timers of a call (stopped when it ends); the supervision timers T12–T17 are not.
const CALL_TIMERS: [CircuitTimer; 11] = [
    CircuitTimer::T1,
    CircuitTimer::T5,
    CircuitTimer::T6,
    CircuitTimer::T7,
    CircuitTimer::T8,
    CircuitTimer::T9,
    CircuitTimer::T24,
    CircuitTimer::T25,
    CircuitTimer::T26,
    CircuitTimer::T27,
    CircuitTimer::T33,
];

fn isup_nature(nature: AddressNature) -> Nature {
    match nature {
        AddressNature::Subscriber => Nature::SUBSCRIBER,
        AddressNature::Unknown => Nature::UNKNOWN,
        AddressNature::National => Nature::NATIONAL,
        AddressNature::International => Nature::INTERNATIONAL,
    }
}

fn call_nature(nature: Nature) -> AddressNature {
    match nature {
        Nature::SUBSCRIBER => AddressNature::Subscriber,
        Nature::NATIONAL => AddressNature::National,
        Nature::INTERNATIONAL => AddressNature::International,
        _ => AddressNature::Unknown,
    }
}

/// A party number of the call model from a received number parameter.
pub(crate) fn number_from(n: &PartyNumber) -> Number {
    Number {
        nature: call_nature(n.nature),
        digits: n.digits.without_st(),
        presentation: match n.presentation {
            Presentation::Restricted => crate::circuit::call::Presentation::Restricted,
            Presentation::NotAvailable => crate::circuit::call::Presentation::NotAvailable,
            _ => crate::circuit::call::Presentation::Allowed,
        },
    }
}

/// A number parameter from a number of the call model (network provided, ISDN plan).
fn number_to(n: &Number) -> PartyNumber {
    let mut p = PartyNumber::new(isup_nature(n.nature), n.digits);
    p.presentation = match n.presentation {
        crate::circuit::call::Presentation::Allowed => Presentation::Allowed,
        crate::circuit::call::Presentation::Restricted => Presentation::Restricted,
        crate::circuit::call::Presentation::NotAvailable => Presentation::NotAvailable,
    };
    p.screening = Screening::NetworkProvided;
    p
}

impl Isup {
    /// A signalling point with every circuit idle and unblocked; call [`UserPart::start`] to
    /// reset the circuits with the peer.
    pub fn new(config: IsupConfig) -> Self {
        let circuits = config
            .circuits
            .cics()
            .iter()
            .map(|&cic| Circuit {
                cic,
                phase: Phase::Idle,
                blocking: Blocking::NONE,
                flags: 0,
                rechecks: 0,
                release_cause: Cause::NormalClearing,
                call: None,
                timers: TimerTable::new(),
            })
            .collect::<Vec<_>>();
        let calls = Slab::with_capacity(circuits.len());
        Isup {
            config,
            circuits,
            calls,
            groups: Vec::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            accessible: true,
            stats: IsupStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &IsupConfig {
        &self.config
    }

    /// Counters.
    pub fn stats(&self) -> IsupStats {
        self.stats
    }

    /// Calls held (any state).
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// Bytes of engine state per circuit when idle (the circuit record).
    pub const CIRCUIT_STATE_BYTES: usize = core::mem::size_of::<Circuit>();

    /// Bytes of engine state an active call adds (its call record in the slab).
    pub const CALL_STATE_BYTES: usize = core::mem::size_of::<(u16, Option<Call>)>();

    pub(crate) fn index(&self, cic: u16) -> Option<usize> {
        self.config.circuits.index(cic)
    }

    // ----- output -----

    pub(crate) fn send(&mut self, cic: u16, body: Body) {
        let message = Message { cic, body };
        let mut buf = [0u8; MAX_MESSAGE_LEN];
        let Ok(len) = message.emit(&mut buf) else { return };
        let Some(payload) = Payload::new(&buf[..len]) else { return };
        self.transmit.push_back(Transfer {
            ni: self.config.ni,
            priority: 0,
            si: ServiceIndicator::Isup,
            label: RoutingLabel { dpc: self.config.peer, opc: self.config.own, sls: (cic & 0x0F) as u8 },
            label_spare: 0,
            payload,
        });
        self.stats.sent += 1;
    }

    pub(crate) fn event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    pub(crate) fn cause(&self, cause: Cause) -> CauseIndicators {
        CauseIndicators::new(self.config.location, cause)
    }

    pub(crate) fn send_rel(&mut self, cic: u16, cause: CauseIndicators) {
        self.send(cic, Body::Rel(WithCause { cause, optional: OptionalParameters::default() }));
    }

    pub(crate) fn send_rlc(&mut self, cic: u16, cause: Option<CauseIndicators>) {
        self.send(cic, Body::Rlc(OptionalParameters { cause, ..Default::default() }));
    }

    pub(crate) fn send_cfn(&mut self, cic: u16, cause: CauseIndicators) {
        self.send(cic, Body::Cfn(WithCause { cause, optional: OptionalParameters::default() }));
    }

    // ----- timers -----

    pub(crate) fn start_timer(&mut self, now: Instant, idx: usize, timer: CircuitTimer) {
        let duration = self.config.timers.get(timer);
        self.circuits[idx].timers.start(timer, now, duration);
    }

    pub(crate) fn stop_timer(&mut self, idx: usize, timer: CircuitTimer) {
        self.circuits[idx].timers.stop(timer);
    }

    pub(crate) fn stop_call_timers(&mut self, idx: usize) {
        for timer in CALL_TIMERS {
            self.circuits[idx].timers.stop(timer);
        }
    }

    // ----- bearer equipment -----

    pub(crate) fn connect(&mut self, idx: usize, action: BearerAction) {
        let cic = self.circuits[idx].cic;
        self.circuits[idx].set(flag::EQUIPMENT, true);
        self.event(Event::Bearer { cic, action });
    }

    pub(crate) fn disconnect(&mut self, idx: usize) {
        if self.circuits[idx].has(flag::EQUIPMENT) {
            self.circuits[idx].set(flag::EQUIPMENT, false);
            let cic = self.circuits[idx].cic;
            self.event(Event::Bearer { cic, action: BearerAction::Disconnect });
        }
    }

    // ----- calls -----

    /// Detaches the call from circuit `idx` and forgets it, reporting [`Event::Released`]
    /// when call control knew it.
    pub(crate) fn end_call(&mut self, idx: usize, cause: Cause, remote: bool) {
        let Some(id) = self.circuits[idx].call.take() else { return };
        self.circuits[idx].set(flag::SUSPENDED, false);
        if let Some(call) = self.calls.remove(id)
            && call.presented
        {
            self.event(Event::Released { call: id, cause, remote });
        }
    }

    /// Sends REL with `cause` on circuit `idx` and waits for RLC (T1, T5).
    pub(crate) fn release(&mut self, now: Instant, idx: usize, cause: CauseIndicators) {
        self.disconnect(idx);
        self.stop_call_timers(idx);
        let cic = self.circuits[idx].cic;
        self.circuits[idx].release_cause = cause.cause;
        self.circuits[idx].phase = Phase::Releasing;
        self.send_rel(cic, cause);
        self.start_timer(now, idx, CircuitTimer::T1);
        self.start_timer(now, idx, CircuitTimer::T5);
    }

    pub(crate) fn available(&self, idx: usize) -> bool {
        let c = &self.circuits[idx];
        c.phase == Phase::Idle && !c.blocking.is_blocked() && !c.has(flag::REMOTE_UNEQUIPPED)
    }

    fn hunt(&self, except: Option<usize>) -> Option<usize> {
        hunt::hunt(self.config.circuits.cics(), self.config.own, self.config.peer, |i| {
            Some(i) != except && self.available(i)
        })
    }

    /// Sends the IAM of call `id` on circuit `idx`.
    pub(crate) fn send_iam(&mut self, now: Instant, idx: usize, id: CallId) {
        let Some(request) = self.calls.get(id).and_then(|c| c.outgoing) else { return };
        let mut called = number_to(&request.called);
        called.screening = Screening::UserNotVerified;
        called.presentation = Presentation::Allowed;
        if request.complete {
            let _ = called.digits.push(ST);
        }
        let continuity =
            if request.continuity_check { ContinuityCheck::Required } else { ContinuityCheck::NotRequired };
        let optional = OptionalParameters {
            calling_party_number: request.calling.as_ref().map(number_to),
            original_called_number: request.original_called.as_ref().map(number_to),
            ..Default::default()
        };
        let iam = Iam {
            nature_of_connection: NatureOfConnection { continuity_check: continuity, ..Default::default() },
            forward_call: ForwardCallIndicators::default(),
            category: request.category,
            medium: TransmissionMedium::SPEECH,
            called,
            optional,
        };
        let cic = self.circuits[idx].cic;
        self.circuits[idx].call = Some(id);
        if request.continuity_check {
            self.circuits[idx].phase = Phase::OutContinuity;
            self.connect(idx, BearerAction::ConnectTransceiver);
            self.start_timer(now, idx, CircuitTimer::T24);
        } else {
            self.circuits[idx].phase = Phase::OutSetup;
        }
        self.send(cic, Body::Iam(iam));
        self.start_timer(now, idx, CircuitTimer::T7);
    }

    /// Moves outgoing call `id`, already detached from circuit `from`, to another circuit
    /// (automatic repeat attempt), or ends it with cause 34 when none is left.
    pub(crate) fn repeat_attempt(&mut self, now: Instant, id: CallId, from: usize) {
        let attempts = match self.calls.get_mut(id) {
            Some(call) => {
                call.attempts += 1;
                call.attempts
            }
            None => return,
        };
        let next =
            if attempts < self.config.max_attempts && self.accessible { self.hunt(Some(from)) } else { None };
        match next {
            Some(to) => {
                if let Some(call) = self.calls.get_mut(id) {
                    call.circuit = to;
                }
                self.send_iam(now, to, id);
                let (from, to) = (self.circuits[from].cic, self.circuits[to].cic);
                self.event(Event::Retried { call: id, from, to });
            }
            None => {
                if self.calls.remove(id).is_some() {
                    self.event(Event::Released { call: id, cause: Cause::NoCircuitAvailable, remote: false });
                }
            }
        }
    }

    /// Takes the call off circuit `idx` (stopping its timers and equipment) and repeats it
    /// elsewhere; the circuit is left idle.
    pub(crate) fn back_off(&mut self, now: Instant, idx: usize) {
        self.disconnect(idx);
        self.stop_call_timers(idx);
        self.circuits[idx].phase = Phase::Idle;
        if let Some(id) = self.circuits[idx].call.take() {
            self.repeat_attempt(now, id, idx);
        }
    }

    /// Presents the incoming call on circuit `idx` to call control.
    pub(crate) fn present(&mut self, idx: usize) {
        self.circuits[idx].phase = Phase::InSetup;
        let Some(id) = self.circuits[idx].call else { return };
        let Some(call) = self.calls.get_mut(id) else { return };
        call.presented = true;
        if let Some(incoming) = call.incoming {
            self.event(Event::Incoming(incoming));
        }
    }

    fn call_circuit_index(&self, id: CallId) -> Result<usize, CallError> {
        let call = self.calls.get(id).ok_or(CallError::UnknownCall)?;
        if !call.presented {
            return Err(CallError::UnknownCall);
        }
        Ok(call.circuit)
    }

    fn backward_indicators() -> BackwardCallIndicators {
        BackwardCallIndicators {
            charge: 2,
            called_status: CalledPartyStatus::SubscriberFree,
            called_category: 1,
            ..BackwardCallIndicators::default()
        }
    }

    /// Suspends an answered incoming call (SUS, network initiated: the called party went on
    /// hook); the controlling exchange releases it after its T6 unless [`Isup::resume`].
    pub fn suspend(&mut self, call: CallId) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        if self.circuits[idx].phase != Phase::InAnswered || self.circuits[idx].has(flag::SUSPENDED) {
            return Err(CallError::WrongState);
        }
        self.circuits[idx].set(flag::SUSPENDED, true);
        let cic = self.circuits[idx].cic;
        let body = Body::Sus(Suspend {
            indicators: SuspendResume { network_initiated: true },
            optional: Default::default(),
        });
        self.send(cic, body);
        Ok(())
    }

    /// Resumes a suspended incoming call (RES, network initiated).
    pub fn resume(&mut self, call: CallId) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        if self.circuits[idx].phase != Phase::InAnswered || !self.circuits[idx].has(flag::SUSPENDED) {
            return Err(CallError::WrongState);
        }
        self.circuits[idx].set(flag::SUSPENDED, false);
        let cic = self.circuits[idx].cic;
        let body = Body::Res(Suspend {
            indicators: SuspendResume { network_initiated: true },
            optional: Default::default(),
        });
        self.send(cic, body);
        Ok(())
    }

    fn status_of(&self, idx: usize) -> CircuitStatus {
        let c = &self.circuits[idx];
        let (span, timeslot) = self.config.circuits.locate(c.cic).unwrap_or((0, 0));
        CircuitStatus {
            cic: c.cic,
            span,
            timeslot,
            activity: c.phase.activity(),
            blocking: c.blocking,
            remote_unequipped: c.has(flag::REMOTE_UNEQUIPPED),
        }
    }

    /// Indices of the configured circuits in `first ..= last`.
    pub(crate) fn range_indices(&self, first: u16, last: u16) -> Result<Vec<usize>, MaintenanceError> {
        if last < first {
            return Err(MaintenanceError::EmptyRange);
        }
        let cics = self.config.circuits.cics();
        let from = cics.partition_point(|c| *c < first);
        let to = cics.partition_point(|c| *c <= last);
        if from == to {
            return Err(MaintenanceError::UnknownCircuit(first));
        }
        Ok((from..to).collect())
    }
}

impl UserPart for Isup {
    fn handle_indication(&mut self, now: Instant, indication: &Indication) {
        match indication {
            Indication::Transfer(transfer) => self.handle_transfer(now, transfer),
            Indication::Pause(pc) if *pc == self.config.peer => self.accessible = false,
            Indication::Resume(pc) if *pc == self.config.peer => self.accessible = true,
            Indication::Status { dpc, status: DestinationStatus::UserPartUnavailable { si, .. } }
                if *dpc == self.config.peer && *si == ServiceIndicator::Isup =>
            {
                self.accessible = false
            }
            _ => {}
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        for idx in 0..self.circuits.len() {
            while let Some(timer) = self.circuits[idx].timers.pop_expired(now) {
                self.circuit_timeout(now, idx, timer);
            }
        }
        let mut i = 0;
        while i < self.groups.len() {
            match self.groups[i].timers.pop_expired(now) {
                Some(timer) => self.group_timeout(now, i, timer),
                None => i += 1,
            }
        }
    }

    fn poll_transmit(&mut self) -> Option<Transfer> {
        self.transmit.pop_front()
    }

    fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let circuits = self.circuits.iter().filter_map(|c| c.timers.next_deadline());
        let groups = self.groups.iter().filter_map(|g| g.timers.next_deadline());
        circuits.chain(groups).min()
    }

    fn start(&mut self, now: Instant) {
        let first = self.config.circuits.cics().first().copied().unwrap_or(0);
        let last = self.config.circuits.cics().last().copied().unwrap_or(0);
        let _ = self.reset(now, first, last);
    }

    fn place_call(&mut self, now: Instant, request: &OutgoingCall) -> Result<CallId, CallError> {
        if !self.accessible {
            return Err(CallError::Inaccessible);
        }
        if request.called.digits.len() + usize::from(request.complete) > Digits::CAPACITY {
            return Err(CallError::NumberTooLong);
        }
        let idx = match request.cic {
            Some(cic) => {
                let idx = self.index(cic).ok_or(CallError::CircuitUnavailable(cic))?;
                if !self.available(idx) {
                    return Err(CallError::CircuitUnavailable(cic));
                }
                idx
            }
            None => self.hunt(None).ok_or(CallError::NoCircuit)?,
        };
        let call =
            Call { circuit: idx, outgoing: Some(*request), incoming: None, presented: true, attempts: 1 };
        let id = self.calls.insert(call).ok_or(CallError::NoCircuit)?;
        self.send_iam(now, idx, id);
        Ok(id)
    }

    fn send_digits(
        &mut self,
        now: Instant,
        call: CallId,
        digits: &Digits,
        complete: bool,
    ) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        if !matches!(self.circuits[idx].phase, Phase::OutSetup | Phase::OutContinuity) {
            return Err(CallError::WrongState);
        }
        let mut subsequent = *digits;
        if complete {
            subsequent.push(ST).map_err(|_| CallError::NumberTooLong)?;
        }
        if subsequent.is_empty() {
            return Err(CallError::WrongState);
        }
        let cic = self.circuits[idx].cic;
        let body = Body::Sam(Sam {
            subsequent: SubsequentNumber { digits: subsequent },
            optional: Default::default(),
        });
        self.send(cic, body);
        self.start_timer(now, idx, CircuitTimer::T7);
        Ok(())
    }

    fn alert(&mut self, _now: Instant, call: CallId, inband: bool) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        let cic = self.circuits[idx].cic;
        let obci = inband
            .then_some(OptionalBackwardCallIndicators { inband_information: true, ..Default::default() });
        let optional = OptionalParameters { optional_backward_call_indicators: obci, ..Default::default() };
        match self.circuits[idx].phase {
            Phase::InSetup => {
                self.circuits[idx].phase = Phase::InAlerting;
                self.send(cic, Body::Acm(Backward { indicators: Self::backward_indicators(), optional }));
                Ok(())
            }
            Phase::InAlerting if inband => {
                let event = EventInformation {
                    event: EventIndicator::InbandInformation,
                    presentation_restricted: false,
                };
                self.send(cic, Body::Cpg(super::wire::Cpg { event, optional }));
                Ok(())
            }
            _ => Err(CallError::WrongState),
        }
    }

    fn answer(&mut self, _now: Instant, call: CallId) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::InSetup => {
                self.circuits[idx].phase = Phase::InAnswered;
                let body = Body::Con(Backward {
                    indicators: Self::backward_indicators(),
                    optional: Default::default(),
                });
                self.send(cic, body);
                Ok(())
            }
            Phase::InAlerting => {
                self.circuits[idx].phase = Phase::InAnswered;
                self.send(cic, Body::Anm(OptionalParameters::default()));
                Ok(())
            }
            _ => Err(CallError::WrongState),
        }
    }

    fn hangup(&mut self, now: Instant, call: CallId, cause: Cause) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        match self.circuits[idx].phase {
            Phase::OutContinuity
            | Phase::OutSetup
            | Phase::OutAlerting
            | Phase::OutAnswered
            | Phase::InSetup
            | Phase::InAlerting
            | Phase::InAnswered => {
                let cause = CauseIndicators::new(self.config.location, cause);
                self.release(now, idx, cause);
                Ok(())
            }
            _ => Err(CallError::WrongState),
        }
    }

    fn block(
        &mut self,
        now: Instant,
        first: u16,
        last: u16,
        kind: BlockKind,
    ) -> Result<(), MaintenanceError> {
        self.block_range(now, first, last, kind, true)
    }

    fn unblock(
        &mut self,
        now: Instant,
        first: u16,
        last: u16,
        kind: BlockKind,
    ) -> Result<(), MaintenanceError> {
        self.block_range(now, first, last, kind, false)
    }

    fn reset(&mut self, now: Instant, first: u16, last: u16) -> Result<(), MaintenanceError> {
        self.reset_range(now, first, last)
    }

    fn continuity_result(&mut self, now: Instant, cic: u16, passed: bool) {
        if let Some(idx) = self.index(cic) {
            self.continuity_outcome(now, idx, passed);
        }
    }

    fn circuit(&self, cic: u16) -> Option<CircuitStatus> {
        self.index(cic).map(|idx| self.status_of(idx))
    }

    fn circuits(&self) -> Vec<CircuitStatus> {
        (0..self.circuits.len()).map(|idx| self.status_of(idx)).collect()
    }

    fn call_circuit(&self, call: CallId) -> Option<u16> {
        self.calls.get(call).map(|c| self.circuits[c.circuit].cic)
    }
}

#[cfg(test)]
mod tests;
