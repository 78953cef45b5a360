//! The TUP signalling point toward one peer over one circuit group: call control (Q.724 §1–
//! §3 with the China additions), circuit supervision (blocking, reset, group messages,
//! continuity check and recheck, Q.724 §4–§7) and dual seizure (§8).
//!
//! TUP has no release complete for calls: the outgoing exchange clears with CLF and the
//! incoming one answers RLG; the incoming exchange clears with an unsuccessful backward
//! signal (UBM) before ACM, or CBK after it, and waits for CLF.

mod maintenance;
mod receive;
mod timeout;

use super::timers::{
    TUP_GROUP_TIMER_DEFS, TUP_GROUP_TIMERS, TUP_TIMER_DEFS, TUP_TIMERS, TupGroupTimer, TupTimer,
};
use super::wire::{
    AddressComplete, Body, CallingLine, Iai, Iam, Label, MessageIndicators, MessageType, OriginalCalled,
    Variant, nature,
};
use crate::circuit::UserPart;
use crate::circuit::call::{
    AddressNature, BearerAction, CallError, CallId, Event, IncomingCall, MaintenanceError, Number,
    OutgoingCall, Presentation,
};
use crate::circuit::cic::CicMap;
use crate::circuit::digits::{Digits, ST};
use crate::circuit::hunt;
use crate::circuit::range::StatusBits;
use crate::circuit::slab::Slab;
use crate::circuit::state::{Activity, BlockKind, Blocking, CircuitStatus};
use crate::label::{NetworkIndicator, PointCode, ServiceIndicator, Sio};
use crate::mtp3::{DestinationStatus, Indication, MAX_SIF, Transfer};
use std::collections::VecDeque;
use tdm_base::{Cause, Instant, TimerDefs, TimerTable};

/// Configuration of a TUP signalling point toward one peer.
#[derive(Debug, Clone)]
pub struct TupConfig {
    /// This signalling point.
    pub own: PointCode,
    /// The peer signalling point.
    pub peer: PointCode,
    /// ITU or China TUP.
    pub variant: Variant,
    /// Network indicator of the messages sent.
    pub ni: NetworkIndicator,
    /// The circuits.
    pub circuits: CicMap,
    /// Circuit timer durations.
    pub timers: TimerDefs<TupTimer, TUP_TIMERS>,
    /// Group timer durations.
    pub group_timers: TimerDefs<TupGroupTimer, TUP_GROUP_TIMERS>,
    /// Ask for the calling line identity with GRQ when an IAM comes without it (China
    /// practice).
    pub request_calling_number: bool,
    /// Circuits an outgoing call may try (automatic repeat attempts included).
    pub max_attempts: u8,
}

impl TupConfig {
    /// Defaults: national network, the timers of Q.724, no GRQ, four attempts per call.
    pub fn new(own: PointCode, peer: PointCode, variant: Variant, circuits: CicMap) -> Self {
        TupConfig {
            own,
            peer,
            variant,
            ni: NetworkIndicator::National,
            circuits,
            timers: TimerDefs::new(&TUP_TIMER_DEFS),
            group_timers: TimerDefs::new(&TUP_GROUP_TIMER_DEFS),
            request_calling_number: false,
            max_attempts: 4,
        }
    }
}

/// Where a circuit is in its call or supervision procedures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Idle,
    /// IAM sent with a continuity check; transceiver connected.
    OutContinuity,
    /// Address sent; waiting for ACM.
    OutSetup,
    /// ACM received.
    OutAlerting,
    /// Answered.
    OutAnswered,
    /// IAM received with a continuity check; waiting for COT or CCF.
    InContinuity,
    /// GRQ sent; waiting for GSM.
    InInformation,
    /// Presented to call control.
    InSetup,
    /// ACM sent.
    InAlerting,
    /// Answer sent.
    InAnswered,
    /// UBM or CBK sent (or the call refused); waiting for CLF.
    InCleared,
    /// CLF sent; waiting for RLG.
    Releasing,
    /// RSC sent; waiting for RLG.
    Resetting,
    /// Part of a GRS this exchange sent.
    GroupResetting,
    /// CCR sent, transceiver connected.
    RecheckOut,
    /// Continuity failed here; waiting to recheck.
    RecheckWait,
    /// CCF received; waiting for CCR.
    RecheckIncoming,
    /// CCR received; loop connected until CCF or CLF.
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
            | Phase::InAnswered
            | Phase::InCleared => Activity::Incoming,
            Phase::Releasing => Activity::Releasing,
            Phase::Resetting | Phase::GroupResetting => Activity::Resetting,
            Phase::RecheckOut | Phase::RecheckWait | Phase::RecheckIncoming | Phase::RecheckLoop => {
                Activity::ContinuityCheck
            }
        }
    }

    fn before_backward_message(self) -> bool {
        matches!(self, Phase::OutContinuity | Phase::OutSetup)
    }
}

/// Per-circuit flags.
pub(crate) mod flag {
    /// BLO sent, BLA awaited.
    pub const BLO_PENDING: u8 = 1;
    /// UBL sent, UBA awaited.
    pub const UBL_PENDING: u8 = 2;
    /// The release in progress was the peer's doing (UBM or CBK received).
    pub const REMOTE_RELEASE: u8 = 4;
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
    pub(crate) rechecks: u8,
    /// Cause reported when the release in progress completes.
    pub(crate) release_cause: Cause,
    pub(crate) call: Option<CallId>,
    pub(crate) timers: TimerTable<TupTimer, TUP_TIMERS>,
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
    pub(crate) outgoing: Option<OutgoingCall>,
    pub(crate) incoming: Option<IncomingCall>,
    pub(crate) presented: bool,
    pub(crate) attempts: u8,
}

/// Which group message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GroupKind {
    Reset,
    Block(BlockKind),
    Unblock(BlockKind),
}

/// A circuit group message this exchange sent and awaits the acknowledgement of.
#[derive(Debug, Clone)]
pub(crate) struct GroupOp {
    pub(crate) kind: GroupKind,
    pub(crate) first: u16,
    pub(crate) range: u8,
    pub(crate) status: StatusBits,
    pub(crate) timers: TimerTable<TupGroupTimer, TUP_GROUP_TIMERS>,
}

/// Counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TupStats {
    /// Messages queued for MTP3.
    pub sent: u64,
    /// Messages received and parsed.
    pub received: u64,
    /// Received messages that could not be parsed (discarded).
    pub malformed: u64,
    /// Messages for another service or point code pair (discarded).
    pub foreign: u64,
    /// Messages that did not fit the circuit's state, or unknown headings (discarded).
    pub unexpected: u64,
    /// Dual seizures detected.
    pub dual_seizures: u64,
}

/// A TUP signalling point toward one peer.
#[derive(Debug)]
pub struct Tup {
    pub(crate) config: TupConfig,
    pub(crate) circuits: Vec<Circuit>,
    pub(crate) calls: Slab<Call>,
    pub(crate) groups: Vec<GroupOp>,
    transmit: VecDeque<Transfer>,
    events: VecDeque<Event>,
    pub(crate) accessible: bool,
    pub(crate) stats: TupStats,
}

// The idle-circuit budget of the issue, checked at compile time.
const _: () = assert!(Tup::CIRCUIT_STATE_BYTES < 1024);

const CALL_TIMERS: [TupTimer; 10] = [
    TupTimer::Acm,
    TupTimer::Answer,
    TupTimer::Rlg,
    TupTimer::RlgLong,
    TupTimer::Continuity,
    TupTimer::CheckTone,
    TupTimer::RecheckFirst,
    TupTimer::RecheckLater,
    TupTimer::Ccr,
    TupTimer::Gsm,
];

pub(crate) fn tup_nature(nature: AddressNature) -> u8 {
    match nature {
        AddressNature::Subscriber => nature::SUBSCRIBER,
        AddressNature::Unknown => nature::NATIONAL_SPARE,
        AddressNature::National => nature::NATIONAL,
        AddressNature::International => nature::INTERNATIONAL,
    }
}

pub(crate) fn call_nature(code: u8) -> AddressNature {
    match code {
        nature::SUBSCRIBER => AddressNature::Subscriber,
        nature::NATIONAL => AddressNature::National,
        nature::INTERNATIONAL => AddressNature::International,
        _ => AddressNature::Unknown,
    }
}

pub(crate) fn calling_from(cli: &CallingLine) -> Number {
    Number {
        nature: call_nature(cli.nature),
        digits: cli.digits.without_st(),
        presentation: if cli.restricted { Presentation::Restricted } else { Presentation::Allowed },
    }
}

pub(crate) fn calling_to(n: &Number) -> Option<CallingLine> {
    if n.digits.len() > super::wire::MAX_SIGNALS {
        return None;
    }
    Some(CallingLine {
        nature: tup_nature(n.nature),
        restricted: n.presentation != Presentation::Allowed,
        incomplete: false,
        digits: n.digits,
    })
}

/// The unsuccessful backward signal for a Q.850 cause.
pub(crate) fn unsuccessful_signal(cause: Cause) -> MessageType {
    match cause {
        Cause::UnallocatedNumber => MessageType::Unn,
        Cause::NoRouteToTransitNetwork | Cause::NoRouteToDestination => MessageType::Nnc,
        Cause::SendSpecialInformationTone => MessageType::Sst,
        Cause::MisdialledTrunkPrefix => MessageType::Mpr,
        Cause::UserBusy => MessageType::Ssb,
        Cause::CallRejected => MessageType::Acb,
        Cause::DestinationOutOfOrder => MessageType::Los,
        Cause::InvalidNumberFormat => MessageType::Adi,
        Cause::NoCircuitAvailable => MessageType::Cgc,
        Cause::SwitchingEquipmentCongestion => MessageType::Sec,
        Cause::BearerCapabilityNotAvailable | Cause::BearerCapabilityNotImplemented => MessageType::Dpn,
        _ => MessageType::Cfl,
    }
}

/// The Q.850 cause an unsuccessful backward signal stands for.
pub(crate) fn unsuccessful_cause(signal: MessageType) -> Cause {
    match signal {
        MessageType::Sec => Cause::SwitchingEquipmentCongestion,
        MessageType::Cgc | MessageType::Nnc => Cause::NoCircuitAvailable,
        MessageType::Adi => Cause::InvalidNumberFormat,
        MessageType::Ssb | MessageType::Slb | MessageType::Stb => Cause::UserBusy,
        MessageType::Unn => Cause::UnallocatedNumber,
        MessageType::Los => Cause::DestinationOutOfOrder,
        MessageType::Sst => Cause::SendSpecialInformationTone,
        MessageType::Acb => Cause::CallRejected,
        MessageType::Dpn => Cause::BearerCapabilityNotAvailable,
        MessageType::Mpr => Cause::MisdialledTrunkPrefix,
        _ => Cause::TemporaryFailure,
    }
}

impl Tup {
    /// A signalling point with every circuit idle and unblocked; call [`UserPart::start`] to
    /// reset the circuits with the peer.
    pub fn new(config: TupConfig) -> Self {
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
        Tup {
            config,
            circuits,
            calls,
            groups: Vec::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            accessible: true,
            stats: TupStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TupConfig {
        &self.config
    }

    /// Counters.
    pub fn stats(&self) -> TupStats {
        self.stats
    }

    /// Calls held (any state).
    pub fn call_count(&self) -> usize {
        self.calls.len()
    }

    /// Bytes of engine state per circuit when idle.
    pub const CIRCUIT_STATE_BYTES: usize = core::mem::size_of::<Circuit>();

    pub(crate) fn index(&self, cic: u16) -> Option<usize> {
        self.config.circuits.index(cic)
    }

    pub(crate) fn send(&mut self, cic: u16, body: Body) {
        let message =
            super::wire::Message { label: Label { dpc: self.config.peer, opc: self.config.own, cic }, body };
        let mut sif = [0u8; MAX_SIF];
        let Ok(len) = message.emit(self.config.variant, &mut sif) else { return };
        let sio = Sio { ni: self.config.ni, priority: 0, si: ServiceIndicator::Tup }.to_octet();
        let Ok(transfer) = Transfer::parse(self.config.variant.point_codes(), sio, &sif[..len]) else {
            return;
        };
        self.transmit.push_back(transfer);
        self.stats.sent += 1;
    }

    pub(crate) fn signal(&mut self, cic: u16, t: MessageType) {
        self.send(cic, Body::Signal(t));
    }

    pub(crate) fn event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    pub(crate) fn start_timer(&mut self, now: Instant, idx: usize, timer: TupTimer) {
        let duration = self.config.timers.get(timer);
        self.circuits[idx].timers.start(timer, now, duration);
    }

    pub(crate) fn stop_timer(&mut self, idx: usize, timer: TupTimer) {
        self.circuits[idx].timers.stop(timer);
    }

    pub(crate) fn stop_call_timers(&mut self, idx: usize) {
        for timer in CALL_TIMERS {
            self.circuits[idx].timers.stop(timer);
        }
    }

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

    pub(crate) fn end_call(&mut self, idx: usize, cause: Cause, remote: bool) {
        let Some(id) = self.circuits[idx].call.take() else { return };
        if let Some(call) = self.calls.remove(id)
            && call.presented
        {
            self.event(Event::Released { call: id, cause, remote });
        }
    }

    /// Sends CLF on circuit `idx` and waits for RLG; `cause` and `remote` are what
    /// [`Event::Released`] will say.
    pub(crate) fn clear_forward(&mut self, now: Instant, idx: usize, cause: Cause, remote: bool) {
        self.disconnect(idx);
        self.stop_call_timers(idx);
        let cic = self.circuits[idx].cic;
        self.circuits[idx].release_cause = cause;
        self.circuits[idx].set(flag::REMOTE_RELEASE, remote);
        self.circuits[idx].phase = Phase::Releasing;
        self.signal(cic, MessageType::Clf);
        self.start_timer(now, idx, TupTimer::Rlg);
        self.start_timer(now, idx, TupTimer::RlgLong);
    }

    pub(crate) fn available(&self, idx: usize) -> bool {
        let c = &self.circuits[idx];
        c.phase == Phase::Idle && !c.blocking.is_blocked()
    }

    fn hunt(&self, except: Option<usize>) -> Option<usize> {
        hunt::hunt(self.config.circuits.cics(), self.config.own, self.config.peer, |i| {
            Some(i) != except && self.available(i)
        })
    }

    /// Sends the IAM (or IAI, when there is a calling number) of call `id` on circuit `idx`,
    /// with SAMs for the address signals beyond the first 15.
    pub(crate) fn send_iam(&mut self, now: Instant, idx: usize, id: CallId) {
        let Some(request) = self.calls.get(id).and_then(|c| c.outgoing) else { return };
        let mut digits = request.called.digits;
        if request.complete {
            let _ = digits.push(ST);
        }
        let signals = digits.as_slice();
        let (first, rest) = signals.split_at(signals.len().min(super::wire::MAX_SIGNALS));
        let iam = Iam {
            category: request.category,
            indicators: MessageIndicators {
                nature: tup_nature(request.called.nature),
                continuity_check: u8::from(request.continuity_check),
                all_ss7_path: true,
                ..Default::default()
            },
            digits: Digits::from_codes(first).unwrap_or_default(),
        };
        let calling = request.calling.as_ref().and_then(calling_to);
        let original_called = request.original_called.as_ref().and_then(|n| {
            (n.digits.len() <= super::wire::MAX_SIGNALS)
                .then_some(OriginalCalled { nature: tup_nature(n.nature), digits: n.digits })
        });
        let body = if calling.is_some() || original_called.is_some() {
            Body::Iai(Iai { iam, calling, original_called })
        } else {
            Body::Iam(iam)
        };
        let cic = self.circuits[idx].cic;
        self.circuits[idx].call = Some(id);
        if request.continuity_check {
            self.circuits[idx].phase = Phase::OutContinuity;
            self.connect(idx, BearerAction::ConnectTransceiver);
            self.start_timer(now, idx, TupTimer::CheckTone);
        } else {
            self.circuits[idx].phase = Phase::OutSetup;
        }
        self.send(cic, body);
        for chunk in rest.chunks(super::wire::MAX_SIGNALS) {
            self.send(cic, Body::Sam(Digits::from_codes(chunk).unwrap_or_default()));
        }
        self.start_timer(now, idx, TupTimer::Acm);
    }

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

    pub(crate) fn back_off(&mut self, now: Instant, idx: usize) {
        self.disconnect(idx);
        self.stop_call_timers(idx);
        self.circuits[idx].phase = Phase::Idle;
        if let Some(id) = self.circuits[idx].call.take() {
            self.repeat_attempt(now, id, idx);
        }
    }

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

    fn status_of(&self, idx: usize) -> CircuitStatus {
        let c = &self.circuits[idx];
        let (span, timeslot) = self.config.circuits.locate(c.cic).unwrap_or((0, 0));
        CircuitStatus {
            cic: c.cic,
            span,
            timeslot,
            activity: c.phase.activity(),
            blocking: c.blocking,
            remote_unequipped: false,
        }
    }

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

    fn address_complete() -> AddressComplete {
        AddressComplete {
            kind: 1,
            subscriber_free: true,
            echo_suppressor: false,
            call_forwarded: false,
            all_ss7_path: true,
        }
    }
}

impl UserPart for Tup {
    fn handle_indication(&mut self, now: Instant, indication: &Indication) {
        match indication {
            Indication::Transfer(transfer) => self.handle_transfer(now, transfer),
            Indication::Pause(pc) if *pc == self.config.peer => self.accessible = false,
            Indication::Resume(pc) if *pc == self.config.peer => self.accessible = true,
            Indication::Status { dpc, status: DestinationStatus::UserPartUnavailable { si, .. } }
                if *dpc == self.config.peer && *si == ServiceIndicator::Tup =>
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
        if request.calling.is_some_and(|n| n.digits.len() > super::wire::MAX_SIGNALS) {
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
        let mut signals = *digits;
        if complete {
            signals.push(ST).map_err(|_| CallError::NumberTooLong)?;
        }
        if signals.is_empty() {
            return Err(CallError::WrongState);
        }
        let cic = self.circuits[idx].cic;
        if signals.len() == 1 {
            self.send(cic, Body::Sao(signals.as_slice()[0]));
        } else {
            for chunk in signals.as_slice().chunks(super::wire::MAX_SIGNALS) {
                self.send(cic, Body::Sam(Digits::from_codes(chunk).unwrap_or_default()));
            }
        }
        self.start_timer(now, idx, TupTimer::Acm);
        Ok(())
    }

    fn alert(&mut self, _now: Instant, call: CallId, _inband: bool) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        if self.circuits[idx].phase != Phase::InSetup {
            return Err(CallError::WrongState);
        }
        self.circuits[idx].phase = Phase::InAlerting;
        let cic = self.circuits[idx].cic;
        self.send(cic, Body::Acm(Self::address_complete()));
        Ok(())
    }

    fn answer(&mut self, _now: Instant, call: CallId) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::InSetup => {
                // TUP answers only after the address is complete.
                self.send(cic, Body::Acm(Self::address_complete()));
            }
            Phase::InAlerting => {}
            _ => return Err(CallError::WrongState),
        }
        self.circuits[idx].phase = Phase::InAnswered;
        self.signal(cic, MessageType::Anc);
        Ok(())
    }

    fn hangup(&mut self, now: Instant, call: CallId, cause: Cause) -> Result<(), CallError> {
        let idx = self.call_circuit_index(call)?;
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::OutContinuity | Phase::OutSetup | Phase::OutAlerting | Phase::OutAnswered => {
                self.clear_forward(now, idx, cause, false);
            }
            Phase::InSetup => {
                self.circuits[idx].release_cause = cause;
                self.circuits[idx].set(flag::REMOTE_RELEASE, false);
                self.circuits[idx].phase = Phase::InCleared;
                self.signal(cic, unsuccessful_signal(cause));
            }
            Phase::InAlerting | Phase::InAnswered => {
                self.circuits[idx].release_cause = cause;
                self.circuits[idx].set(flag::REMOTE_RELEASE, false);
                self.circuits[idx].phase = Phase::InCleared;
                self.signal(cic, MessageType::Cbk);
            }
            _ => return Err(CallError::WrongState),
        }
        Ok(())
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
