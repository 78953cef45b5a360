//! China No.7 (or ITU) trunks: a signalling point per system, its links on span timeslots,
//! and per span a call-control user part (ISUP or TUP) over the span's circuits.
//!
//! The signalling point ([`PointRunner`], owned by the engine) is one MTP3 with its links'
//! level 2: each link is an HDLC channel of the driver on a span's timeslot, fed as many signal
//! units per block as a 64 kbit/s timeslot carries ([`LinePacer`]), so the line stays filled
//! with FISUs between MSUs and nothing queues up in the driver. A span that carries circuits
//! runs an [`Ss7Stack`]: the user part toward the span's peer point over the span's E1
//! circuits (CIC = base + timeslot), speaking the engine's common call model. The engine hands
//! each MTP-TRANSFER indication to the stack whose service indicator, peer point code and CIC
//! range it fits, MTP-PAUSE/RESUME to every stack of the point, and each stack's messages back
//! to MTP3 ([`Ss7Circuits`]).
//!
//! A user part per span rather than per peer keeps the engine's model (calls, channels,
//! policies and traces are a span's); a circuit group message from the peer whose range
//! covers CICs of two spans is seen by the span of its first CIC only, so configure CIC bases
//! one E1 apart (32) and the groups stay within a span as both ends lay them out.

use std::fmt;

use tdm_base::{Cause, Duration, Instant};
use tdm_driver::hdlc::HdlcConfig;
use tdm_driver::{DriverHandle, HdlcChannel, HdlcFrame};
use tdm_ss7::circuit::{
    Activity, BlockKind, CallId as UpCall, CicMap, CircuitStatus, Event as UpEvent, MaintenanceError, Number,
    OutgoingCall, SpanCircuits, UserPart,
};
use tdm_ss7::isup::{Isup, IsupConfig};
use tdm_ss7::mtp2::LinePacer;
use tdm_ss7::mtp2::su::{MAX_SU_LEN, SignalUnit, SuKind};
use tdm_ss7::mtp3::{Indication, LinkId, MAX_SIF, Mtp3, Mtp3Config, Mtp3Snapshot, Transfer};
use tdm_ss7::tup::wire::{Label as TupLabel, Variant as TupVariant};
use tdm_ss7::tup::{Tup, TupConfig};
use tdm_ss7::{NetworkIndicator, PointCode, PointCodeFormat, ServiceIndicator};

use crate::model::CallError;
use crate::stack::{ChannelChange, SignalingChannel, SignalingStack, StackCall, StackEvent};
use crate::trace::{TraceDirection, TraceRecord};

/// Which call-control user part a span's circuits run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserPartKind {
    /// ISDN User Part (Q.764; the China variant with 24-bit point codes).
    Isup,
    /// Telephone User Part (Q.724; China GF 001-9001 with 24-bit point codes).
    Tup,
}

impl UserPartKind {
    /// `ISUP` or `TUP`.
    pub fn name(self) -> &'static str {
        match self {
            UserPartKind::Isup => "ISUP",
            UserPartKind::Tup => "TUP",
        }
    }

    /// Its service indicator.
    pub fn service(self) -> ServiceIndicator {
        match self {
            UserPartKind::Isup => ServiceIndicator::Isup,
            UserPartKind::Tup => ServiceIndicator::Tup,
        }
    }
}

/// A signalling point of the system: MTP3 and where each of its links runs.
#[derive(Debug, Clone)]
pub struct Ss7PointSetup {
    /// Its name, for listings (`ss7`).
    pub name: String,
    /// Own point code, format, NI, link sets (each link's span and timeslot), routes.
    pub mtp3: Mtp3Config,
    /// The board (index among the engine's boards) of each link, by link set then link, in
    /// the order of `mtp3.link_sets`.
    pub link_boards: Vec<Vec<usize>>,
}

/// What a span's circuits run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ss7SpanConfig {
    /// The signalling point (index among the engine's points).
    pub point: usize,
    /// ISUP or TUP.
    pub user_part: UserPartKind,
    /// CIC of timeslot 0 (a multiple of 32): timeslot `n` is CIC `cic_base + n`.
    pub cic_base: u16,
    /// The point at the far end of the circuits; `None`: the adjacent point of the point's
    /// first link set.
    pub peer: Option<PointCode>,
}

impl Ss7SpanConfig {
    /// ISUP on point 0 toward its first adjacent point, CICs from `cic_base`.
    pub fn isup(cic_base: u16) -> Self {
        Ss7SpanConfig { point: 0, user_part: UserPartKind::Isup, cic_base, peer: None }
    }

    /// TUP on point 0 toward its first adjacent point, CICs from `cic_base`.
    pub fn tup(cic_base: u16) -> Self {
        Ss7SpanConfig { point: 0, user_part: UserPartKind::Tup, cic_base, peer: None }
    }
}

/// What a span's user part needs to know of its signalling point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PointIdentity {
    /// Own point code.
    pub own: PointCode,
    /// Point code format (China 24-bit or ITU 14-bit).
    pub format: PointCodeFormat,
    /// Network indicator.
    pub ni: NetworkIndicator,
    /// The adjacent point of the first link set, the circuits' default peer.
    pub adjacent: Option<PointCode>,
}

impl PointIdentity {
    /// The identity of a configured point.
    pub fn of(config: &Mtp3Config) -> PointIdentity {
        PointIdentity {
            own: config.own_pc,
            format: config.format,
            ni: config.ni,
            adjacent: config.link_sets.first().map(|set| set.adjacent),
        }
    }
}

/// Why a point or a span's circuits could not be set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ss7SetupError(pub String);

impl fmt::Display for Ss7SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The SS7 side of a span's stack, as the engine drives it beside [`SignalingStack`].
pub trait Ss7Circuits {
    /// The signalling point the circuits' user part runs over.
    fn point(&self) -> usize;
    /// Whether an MTP-TRANSFER indication is for this span's user part (its service, from its
    /// peer to us, and a CIC of the span).
    fn accepts(&self, transfer: &Transfer) -> bool;
    /// Whether the user part is of this service and peer (the fallback for a message whose
    /// CIC no span has: ISUP answers it with UCIC).
    fn serves(&self, transfer: &Transfer) -> bool;
    /// An MTP indication for the user part.
    fn handle_indication(&mut self, now: Instant, indication: &Indication);
    /// The next message for MTP3.
    fn poll_transfer(&mut self) -> Option<Transfer>;
    /// Blocks circuits `first ..= last` (maintenance blocking: BLO or CGB; TUP BLO or MGB).
    fn block(&mut self, now: Instant, first: u16, last: u16) -> Result<(), MaintenanceError>;
    /// Unblocks them (UBL or CGU; TUP UBL or MGU).
    fn unblock(&mut self, now: Instant, first: u16, last: u16) -> Result<(), MaintenanceError>;
    /// Resets them (RSC or GRS), releasing their calls.
    fn reset(&mut self, now: Instant, first: u16, last: u16) -> Result<(), MaintenanceError>;
    /// Every circuit's state.
    fn circuits(&self) -> Vec<CircuitStatus>;
    /// ISUP or TUP.
    fn user_part(&self) -> UserPartKind;
    /// The outcome of a continuity check the user part connected a transceiver for
    /// ([`StackEvent::ContinuityPath`]) on `timeslot`: whether the check tone came back.
    fn continuity_result(&mut self, now: Instant, timeslot: u8, passed: bool);
    /// Whether this end asks for a continuity check on the circuit of every outgoing call
    /// (Q.764 §2.1.8: continuity check required, in the IAM; Q.724 §7 for TUP).
    fn set_continuity_check(&mut self, required: bool);
}

/// A call of the stack: the user part's number for it and the digits that arrived so far.
struct StackCallRecord {
    stack: StackCall,
    call: UpCall,
    /// Called digits of an incoming call not yet complete (overlap receiving).
    pending: Option<(String, Option<String>)>,
}

/// The call control of one span's circuits over the system's signalling point.
pub struct Ss7Stack {
    kind: UserPartKind,
    point: usize,
    own: PointCode,
    peer: PointCode,
    tup_variant: TupVariant,
    circuits: CicMap,
    user: Box<dyn UserPart + Send>,
    accessible: bool,
    started: bool,
    calls: Vec<StackCallRecord>,
    next_call: u32,
    events: std::collections::VecDeque<StackEvent>,
    description: &'static str,
    /// Outgoing calls ask for a continuity check of their circuit.
    continuity_check: bool,
}

impl Ss7Stack {
    /// The user part of `config` on `span`'s circuits (timeslots 1–31 but `signalling`, the
    /// timeslot of a link on the same span) for the signalling point `point`.
    pub fn new(
        config: &Ss7SpanConfig,
        span: u32,
        signalling: Option<u8>,
        point: &PointIdentity,
    ) -> Result<Ss7Stack, Ss7SetupError> {
        let span16 = u16::try_from(span).map_err(|_| Ss7SetupError(format!("span number {span} too big")))?;
        if !config.cic_base.is_multiple_of(32) {
            return Err(Ss7SetupError(format!("CIC base {} is not a multiple of 32", config.cic_base)));
        }
        let peer = match config.peer {
            Some(peer) => peer,
            None => {
                point.adjacent.ok_or_else(|| Ss7SetupError("the signalling point has no link set".into()))?
            }
        };
        let circuits = CicMap::new(vec![SpanCircuits::e1(span16, config.cic_base, signalling)])
            .map_err(|e| Ss7SetupError(format!("circuits: {e:?}")))?;
        let tup_variant = match point.format {
            PointCodeFormat::Itu14 => TupVariant::Itu,
            PointCodeFormat::China24 => TupVariant::China,
        };
        let china = point.format == PointCodeFormat::China24;
        let (user, description): (Box<dyn UserPart + Send>, &'static str) = match config.user_part {
            UserPartKind::Isup => {
                let mut isup = IsupConfig::new(point.own, peer, point.format, circuits.clone());
                isup.ni = point.ni;
                let name = if china { "China No.7 ISUP" } else { "SS7 ISUP" };
                (Box::new(Isup::new(isup)), name)
            }
            UserPartKind::Tup => {
                let mut tup = TupConfig::new(point.own, peer, tup_variant, circuits.clone());
                tup.ni = point.ni;
                let name = if china { "China No.7 TUP" } else { "SS7 TUP" };
                (Box::new(Tup::new(tup)), name)
            }
        };
        Ok(Ss7Stack {
            kind: config.user_part,
            point: config.point,
            own: point.own,
            peer,
            tup_variant,
            circuits,
            user,
            accessible: false,
            started: false,
            calls: Vec::new(),
            next_call: 1,
            events: std::collections::VecDeque::new(),
            description,
            continuity_check: false,
        })
    }

    /// The peer point of the circuits.
    pub fn peer(&self) -> PointCode {
        self.peer
    }

    /// The CIC a received message is about, read without allocating.
    fn cic_of(&self, transfer: &Transfer) -> Option<u16> {
        match transfer.si {
            ServiceIndicator::Isup => {
                let octets = transfer.payload.as_slice();
                let low = *octets.first()?;
                let high = *octets.get(1)?;
                Some(u16::from_le_bytes([low, high]) & 0x0FFF)
            }
            ServiceIndicator::Tup => {
                let mut sif = [0u8; MAX_SIF];
                let len = transfer.emit_sif(self.tup_variant.point_codes(), &mut sif).ok()?;
                TupLabel::parse(self.tup_variant, &sif[..len]).ok().map(|(label, _)| label.cic)
            }
            _ => None,
        }
    }

    fn record(&self, call: StackCall) -> Option<&StackCallRecord> {
        self.calls.iter().find(|c| c.stack == call)
    }

    fn stack_call_of(&self, call: UpCall) -> Option<StackCall> {
        self.calls.iter().find(|c| c.call == call).map(|c| c.stack)
    }

    fn new_stack_call(&mut self) -> StackCall {
        let call = StackCall(self.next_call);
        self.next_call = self.next_call.wrapping_add(1).max(1);
        call
    }

    fn timeslot_of_cic(&self, cic: u16) -> Option<u8> {
        self.circuits.locate(cic).map(|(_, timeslot)| timeslot)
    }

    /// The user part's events in the common model.
    fn drain_user_events(&mut self, now: Instant) {
        while let Some(event) = self.user.poll_event() {
            self.user_event(now, event);
        }
    }

    fn user_event(&mut self, now: Instant, event: UpEvent) {
        match event {
            UpEvent::Incoming(incoming) => {
                let stack = self.new_stack_call();
                let called = incoming.called.digits.to_string();
                let calling = incoming.calling.map(|n| n.digits.to_string());
                let complete = incoming.complete;
                self.calls.push(StackCallRecord {
                    stack,
                    call: incoming.call,
                    pending: (!complete).then(|| (called.clone(), calling.clone())),
                });
                if complete {
                    let timeslot = self.timeslot_of_cic(incoming.cic);
                    self.events.push_back(StackEvent::Incoming { call: stack, called, calling, timeslot });
                }
            }
            UpEvent::MoreDigits { call, digits, complete } => {
                let timeslot = self.user.call_circuit(call).and_then(|cic| self.timeslot_of_cic(cic));
                let Some(record) = self.calls.iter_mut().find(|c| c.call == call) else { return };
                let Some((called, _)) = record.pending.as_mut() else { return };
                called.push_str(&digits.to_string());
                if complete && let Some((called, calling)) = record.pending.take() {
                    let stack = record.stack;
                    self.events.push_back(StackEvent::Incoming { call: stack, called, calling, timeslot });
                }
            }
            UpEvent::Alerting { call, .. } => {
                if let Some(stack) = self.stack_call_of(call) {
                    self.events.push_back(StackEvent::Alerting { call: stack });
                }
            }
            UpEvent::Progress { call, .. } => {
                if let Some(stack) = self.stack_call_of(call) {
                    self.events.push_back(StackEvent::Proceeding { call: stack });
                }
            }
            UpEvent::Answered { call } => {
                if let Some(stack) = self.stack_call_of(call) {
                    self.events.push_back(StackEvent::Connected { call: stack });
                }
            }
            UpEvent::Released { call, cause, remote } => {
                if let Some(index) = self.calls.iter().position(|c| c.call == call) {
                    let record = self.calls.remove(index);
                    self.events.push_back(StackEvent::Released { call: record.stack, cause, remote });
                }
            }
            UpEvent::Retried { call, from, to } => {
                if let Some(stack) = self.stack_call_of(call) {
                    let text =
                        format!("{} dual seizure on CIC {from}: retried on CIC {to}", self.kind.name());
                    self.events.push_back(StackEvent::Signal { call: stack, text });
                }
            }
            UpEvent::Suspended { call }
            | UpEvent::Resumed { call }
            | UpEvent::CallingPartyCleared { call } => {
                if let Some(stack) = self.stack_call_of(call) {
                    let text = match event {
                        UpEvent::Suspended { .. } => "suspended by the far end",
                        UpEvent::Resumed { .. } => "resumed by the far end",
                        _ => "the calling party cleared",
                    };
                    self.events.push_back(StackEvent::Signal { call: stack, text: text.to_string() });
                }
            }
            UpEvent::ForwardTransfer { .. } => {}
            UpEvent::Blocked { cic, origin, kind } => {
                log::info!("CIC {cic}: blocked ({origin:?} {kind:?})");
                if let Some(timeslot) = self.timeslot_of_cic(cic) {
                    self.events.push_back(StackEvent::Channel { timeslot, change: ChannelChange::Blocked });
                }
            }
            UpEvent::Unblocked { cic, origin, kind } => {
                log::info!("CIC {cic}: unblocked ({origin:?} {kind:?})");
                if let Some(timeslot) = self.timeslot_of_cic(cic) {
                    self.events.push_back(StackEvent::Channel { timeslot, change: ChannelChange::Unblocked });
                }
            }
            UpEvent::Bearer { cic, action } => match self.timeslot_of_cic(cic) {
                Some(timeslot) => self.events.push_back(StackEvent::ContinuityPath { timeslot, action }),
                None => {
                    // Not a circuit of the span's map, so no channel to check on.
                    if action == tdm_ss7::circuit::BearerAction::ConnectTransceiver {
                        self.user.continuity_result(now, cic, false);
                    }
                }
            },
            UpEvent::Continuity { cic, passed } => log::info!("CIC {cic}: continuity check passed: {passed}"),
            UpEvent::Reset { cic, remote } => log::info!("CIC {cic}: reset (by the far end: {remote})"),
            UpEvent::Unequipped { cic } => log::warn!("CIC {cic}: unequipped at the far end"),
            UpEvent::Confusion { cic, cause } => log::warn!("CIC {cic}: confusion, cause {cause:?}"),
            UpEvent::Alert { cic, alert } => log::warn!("CIC {cic}: {alert:?}"),
        }
    }
}

fn call_error(error: tdm_ss7::circuit::CallError) -> CallError {
    use tdm_ss7::circuit::CallError as Up;
    match error {
        Up::NoCircuit | Up::CircuitUnavailable(_) => CallError::NoChannel,
        Up::Inaccessible => CallError::LinkDown,
        Up::UnknownCall => CallError::WrongState("the user part has no such call".into()),
        Up::WrongState => CallError::WrongState("not possible in the call's state".into()),
        Up::NumberTooLong => CallError::BadNumber("too many digits".into()),
    }
}

/// A number of the call model from digits typed by a person (`0`–`9` only, 1 to 31 of them).
fn parse_number(text: &str) -> Result<Number, CallError> {
    if text.is_empty() || text.len() >= 32 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CallError::UnsignalableNumber {
            number: text.to_string(),
            allowed: "digits 0-9, 1 to 31",
        });
    }
    Number::national(text).map_err(|_| CallError::BadNumber(text.to_string()))
}

impl SignalingStack for Ss7Stack {
    fn description(&self) -> &'static str {
        self.description
    }

    fn signaling_channel(&self) -> SignalingChannel {
        SignalingChannel::Mtp { point: self.point }
    }

    fn is_network_side(&self) -> bool {
        false
    }

    fn is_link_up(&self) -> bool {
        self.accessible
    }

    fn start(&mut self, _now: Instant) {
        // The circuits are reset once MTP reports the peer accessible (MTP-RESUME): a group
        // reset before that would only be lost.
    }

    fn handle_frame(&mut self, _now: Instant, _frame: &[u8]) {}

    fn handle_timeout(&mut self, now: Instant) {
        self.user.handle_timeout(now);
        self.drain_user_events(now);
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.user.poll_timeout()
    }

    fn poll_transmit(&mut self, _now: Instant, _buffer: &mut [u8]) -> Option<usize> {
        None
    }

    fn poll_event(&mut self) -> Option<StackEvent> {
        self.events.pop_front()
    }

    fn place_call(
        &mut self,
        now: Instant,
        called: &str,
        calling: Option<&str>,
    ) -> Result<StackCall, CallError> {
        if !self.accessible {
            return Err(CallError::LinkDown);
        }
        let mut request = OutgoingCall::new("0").map_err(|_| CallError::BadNumber(called.to_string()))?;
        request.called = parse_number(called)?;
        request.calling = calling.map(parse_number).transpose()?;
        request.continuity_check = self.continuity_check;
        let call = self.user.place_call(now, &request).map_err(call_error)?;
        let stack = self.new_stack_call();
        self.calls.push(StackCallRecord { stack, call, pending: None });
        self.drain_user_events(now);
        Ok(stack)
    }

    fn alert(&mut self, now: Instant, call: StackCall) -> Result<(), CallError> {
        let up = self.record(call).ok_or(CallError::WrongState("no such call".into()))?.call;
        self.user.alert(now, up, false).map_err(call_error)?;
        self.drain_user_events(now);
        Ok(())
    }

    fn answer(&mut self, now: Instant, call: StackCall) -> Result<(), CallError> {
        let up = self.record(call).ok_or(CallError::WrongState("no such call".into()))?.call;
        self.user.answer(now, up).map_err(call_error)?;
        // The user part reports the far end's answer only: ours is connected once sent.
        self.events.push_back(StackEvent::Connected { call });
        self.drain_user_events(now);
        Ok(())
    }

    fn hangup(&mut self, now: Instant, call: StackCall, cause: Cause) -> Result<(), CallError> {
        let up = self.record(call).ok_or(CallError::WrongState("no such call".into()))?.call;
        self.user.hangup(now, up, cause).map_err(call_error)?;
        self.drain_user_events(now);
        Ok(())
    }

    fn restart(&mut self, now: Instant) -> Result<(), CallError> {
        let (first, last) = cic_bounds(&self.circuits).ok_or(CallError::NoChannel)?;
        self.user.reset(now, first, last).map_err(|e| CallError::WrongState(e.to_string()))?;
        self.drain_user_events(now);
        Ok(())
    }

    fn timeslot(&self, call: StackCall) -> Option<u8> {
        let up = self.record(call)?.call;
        self.user.call_circuit(up).and_then(|cic| self.timeslot_of_cic(cic))
    }

    fn state_text(&self, call: StackCall) -> String {
        let Some(up) = self.record(call).map(|r| r.call) else { return String::new() };
        let Some(cic) = self.user.call_circuit(up) else { return String::new() };
        let activity = self.user.circuit(cic).map_or("gone", |c| activity_name(c.activity));
        format!("{} CIC {cic} {activity}", self.kind.name())
    }

    fn ss7(&mut self) -> Option<&mut dyn Ss7Circuits> {
        Some(self)
    }

    fn ss7_ref(&self) -> Option<&dyn Ss7Circuits> {
        Some(self)
    }
}

impl Ss7Circuits for Ss7Stack {
    fn point(&self) -> usize {
        self.point
    }

    fn accepts(&self, transfer: &Transfer) -> bool {
        self.serves(transfer) && self.cic_of(transfer).is_some_and(|cic| self.circuits.index(cic).is_some())
    }

    fn serves(&self, transfer: &Transfer) -> bool {
        transfer.si == self.kind.service()
            && transfer.label.opc == self.peer
            && transfer.label.dpc == self.own
    }

    fn handle_indication(&mut self, now: Instant, indication: &Indication) {
        match indication {
            Indication::Resume(pc) if *pc == self.peer && !self.accessible => {
                self.accessible = true;
                self.events.push_back(StackEvent::LinkUp);
            }
            Indication::Pause(pc) if *pc == self.peer && self.accessible => {
                self.accessible = false;
                self.events.push_back(StackEvent::LinkDown);
            }
            _ => {}
        }
        self.user.handle_indication(now, indication);
        if self.accessible && !self.started {
            // Circuit group reset on start-up (Q.764 §2.10.3.1, Q.724 §5), now that it can
            // reach the peer.
            self.started = true;
            self.user.start(now);
        }
        self.drain_user_events(now);
    }

    fn poll_transfer(&mut self) -> Option<Transfer> {
        self.user.poll_transmit()
    }

    fn block(&mut self, now: Instant, first: u16, last: u16) -> Result<(), MaintenanceError> {
        self.user.block(now, first, last, BlockKind::Maintenance)?;
        self.drain_user_events(now);
        Ok(())
    }

    fn unblock(&mut self, now: Instant, first: u16, last: u16) -> Result<(), MaintenanceError> {
        self.user.unblock(now, first, last, BlockKind::Maintenance)?;
        self.drain_user_events(now);
        Ok(())
    }

    fn reset(&mut self, now: Instant, first: u16, last: u16) -> Result<(), MaintenanceError> {
        self.user.reset(now, first, last)?;
        self.drain_user_events(now);
        Ok(())
    }

    fn circuits(&self) -> Vec<CircuitStatus> {
        self.user.circuits()
    }

    fn user_part(&self) -> UserPartKind {
        self.kind
    }

    fn continuity_result(&mut self, now: Instant, timeslot: u8, passed: bool) {
        let Some(cic) =
            self.circuits.cics().iter().copied().find(|&cic| self.timeslot_of_cic(cic) == Some(timeslot))
        else {
            return;
        };
        self.user.continuity_result(now, cic, passed);
        self.drain_user_events(now);
    }

    fn set_continuity_check(&mut self, required: bool) {
        self.continuity_check = required;
    }
}

/// The lowest and highest CIC of a map.
fn cic_bounds(map: &CicMap) -> Option<(u16, u16)> {
    Some((*map.cics().first()?, *map.cics().last()?))
}

/// Lower-case name of a circuit's activity.
pub fn activity_name(activity: Activity) -> &'static str {
    match activity {
        Activity::Idle => "idle",
        Activity::Incoming => "incoming",
        Activity::Outgoing => "outgoing",
        Activity::Releasing => "releasing",
        Activity::Resetting => "resetting",
        Activity::ContinuityCheck => "continuity check",
    }
}

/// How a circuit stands, in the words of `tdm status`: `idle`, `busy`, `blocked local
/// maintenance`, … (blocking first: a blocked circuit may still clear a call).
pub fn circuit_state_text(status: &CircuitStatus) -> String {
    use tdm_ss7::circuit::Origin;
    let b = status.blocking;
    let mut kinds = Vec::new();
    for (origin, kind, name) in [
        (Origin::Local, BlockKind::Maintenance, "local maintenance"),
        (Origin::Local, BlockKind::Hardware, "local hardware"),
        (Origin::Remote, BlockKind::Maintenance, "remote maintenance"),
        (Origin::Remote, BlockKind::Hardware, "remote hardware"),
    ] {
        if b.contains(origin, kind) {
            kinds.push(name);
        }
    }
    if !kinds.is_empty() {
        return format!("blocked {}", kinds.join(", "));
    }
    if status.remote_unequipped {
        return "unequipped".into();
    }
    match status.activity {
        Activity::Idle => "idle".into(),
        Activity::Resetting => "resetting".into(),
        _ => "busy".into(),
    }
}

// ---- the signalling point ----

/// Trace records a point keeps per link and direction to tell a repeated LSSU.
const NO_LSSU: u8 = 0xFF;

/// One link bound to the driver.
struct BoundLink {
    id: LinkId,
    board: usize,
    span: u32,
    timeslot: u8,
    channel: HdlcChannel,
    handle: DriverHandle,
    pacer: LinePacer,
    /// A signal unit the driver's queue had no room for, sent first next time.
    pending: Option<usize>,
    buffer: [u8; MAX_SU_LEN],
    /// Status of the last LSSU traced each way (rx, tx), so that a held status is traced
    /// once rather than 1300 times a second.
    last_lssu: [u8; 2],
}

/// A trace subscriber: the span whose links it follows.
struct PointTrace {
    span: (usize, u32),
    sender: crossbeam_channel::Sender<TraceRecord>,
}

/// A signalling point of the engine: MTP3 and its links on the driver.
pub(crate) struct PointRunner {
    pub(crate) name: String,
    pub(crate) identity: PointIdentity,
    pub(crate) point: Mtp3,
    links: Vec<BoundLink>,
    pub(crate) now: Instant,
    last_transmit: Option<Instant>,
    traces: Vec<PointTrace>,
    /// Signal units the driver refused although the pacer allowed them.
    pub(crate) refused: u64,
}

impl PointRunner {
    /// Builds the point and opens an HDLC channel for each link on its board's span.
    pub(crate) fn new(setup: Ss7PointSetup, boards: &[DriverHandle]) -> Result<PointRunner, Ss7SetupError> {
        let point =
            Mtp3::new(setup.mtp3.clone()).map_err(|e| Ss7SetupError(format!("point {}: {e}", setup.name)))?;
        let ids: Vec<LinkId> = point.link_ids().collect();
        let mut links: Vec<BoundLink> = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(config) = point.link_config(id) else { continue };
            let board = setup.link_boards.get(id.set).and_then(|set| set.get(id.link)).copied().unwrap_or(0);
            let opened = boards.get(board).ok_or_else(|| format!("no board {board}")).and_then(|handle| {
                handle
                    .open_hdlc(config.span, config.timeslot, HdlcConfig::default())
                    .map(|channel| (handle.clone(), channel))
                    .map_err(|e| e.to_string())
            });
            match opened {
                Ok((handle, channel)) => links.push(BoundLink {
                    id,
                    board,
                    span: config.span,
                    timeslot: config.timeslot,
                    channel,
                    handle,
                    pacer: LinePacer::timeslot(),
                    pending: None,
                    buffer: [0; MAX_SU_LEN],
                    last_lssu: [NO_LSSU; 2],
                }),
                Err(error) => {
                    for link in &links {
                        let _ = link.handle.release(link.span, link.timeslot);
                    }
                    return Err(Ss7SetupError(format!(
                        "point {}: link on span {} timeslot {}: {error}",
                        setup.name, config.span, config.timeslot
                    )));
                }
            }
        }
        let now = links
            .first()
            .and_then(|l| l.handle.report(l.span))
            .map_or(Instant::ZERO, |r| Instant::from_millis(r.at_ms));
        let identity = PointIdentity::of(&setup.mtp3);
        let mut runner = PointRunner {
            name: setup.name,
            identity,
            point,
            links,
            now,
            last_transmit: None,
            traces: Vec::new(),
            refused: 0,
        };
        runner.point.start(now);
        Ok(runner)
    }

    /// Whether `(board, span, timeslot)` is one of the point's links.
    pub(crate) fn link_at(&self, board: usize, span: u32, timeslot: u8) -> Option<LinkId> {
        self.links.iter().find(|l| l.board == board && l.span == span && l.timeslot == timeslot).map(|l| l.id)
    }

    /// The timeslots the point's links use on `board`'s `span`.
    pub(crate) fn link_timeslot_on(&self, board: usize, span: u32) -> Option<u8> {
        self.links.iter().find(|l| l.board == board && l.span == span).map(|l| l.timeslot)
    }

    /// Moves the point's clock to its links' boards.
    pub(crate) fn advance_clock(&mut self) {
        for link in &self.links {
            if let Some(report) = link.handle.report(link.span) {
                self.now = self.now.max(Instant::from_millis(report.at_ms));
            }
        }
    }

    /// A signal unit received on a link.
    pub(crate) fn receive(&mut self, id: LinkId, at_ms: u64, frame: &HdlcFrame) {
        self.now = self.now.max(Instant::from_millis(at_ms));
        let now = self.now;
        if let Some(index) = self.links.iter().position(|l| l.id == id) {
            self.trace(index, TraceDirection::Received, frame.bytes());
        }
        self.point.handle_su(now, id, frame.bytes());
    }

    /// An HDLC error on a link (an errored signal unit for the error monitors).
    pub(crate) fn receive_error(&mut self, id: LinkId, at_ms: u64) {
        self.now = self.now.max(Instant::from_millis(at_ms));
        self.point.handle_su_error(self.now, id);
    }

    /// Runs the point's timers due now.
    pub(crate) fn run_timers(&mut self) {
        if self.point.poll_timeout().is_some_and(|deadline| deadline <= self.now) {
            self.point.handle_timeout(self.now);
        }
    }

    /// Gives each link's HDLC channel as many signal units as its line carried since the
    /// last call.
    pub(crate) fn transmit(&mut self) {
        let now = self.now;
        let elapsed =
            self.last_transmit.map_or(Duration::from_millis(1), |last| now.saturating_duration_since(last));
        if self.last_transmit.is_some() && elapsed == Duration::ZERO {
            return;
        }
        self.last_transmit = Some(now);
        for index in 0..self.links.len() {
            self.links[index].pacer.advance(elapsed);
            loop {
                let link = &mut self.links[index];
                let len = match link.pending.take() {
                    Some(len) => len,
                    None => {
                        if !link.pacer.can_send() {
                            break;
                        }
                        let len = self.point.poll_transmit(now, link.id, &mut link.buffer);
                        link.pacer.charge(&link.buffer[..len]);
                        len
                    }
                };
                let link = &mut self.links[index];
                if link.channel.send(&link.buffer[..len]).is_err() {
                    link.pending = Some(len);
                    self.refused += 1;
                    break;
                }
                let su = link.buffer;
                self.trace(index, TraceDirection::Sent, &su[..len]);
            }
        }
    }

    /// Hands a signal unit to the subscribers of its link's span: LSSUs and MSUs, a held
    /// LSSU status once (FISUs and repeated LSSUs fill the line and say nothing new).
    fn trace(&mut self, index: usize, direction: TraceDirection, su: &[u8]) {
        if self.traces.is_empty() {
            return;
        }
        let link = &mut self.links[index];
        let way = usize::from(direction == TraceDirection::Sent);
        match SignalUnit::new_checked(su).map(|view| view.kind()) {
            Ok(SuKind::Fisu) => return,
            Ok(SuKind::Lssu) => {
                let status = su.get(3).copied().unwrap_or(NO_LSSU);
                if link.last_lssu[way] == status {
                    return;
                }
                link.last_lssu[way] = status;
            }
            Ok(SuKind::Msu) => link.last_lssu[way] = NO_LSSU,
            Err(_) => {}
        }
        let Some(frame) = HdlcFrame::new(su) else { return };
        let record = TraceRecord { at: self.now, direction, network: false, frame };
        let span = (link.board, link.span);
        self.traces.retain(|t| {
            t.span != span
                || !matches!(t.sender.try_send(record), Err(crossbeam_channel::TrySendError::Disconnected(_)))
        });
    }

    /// Subscribes to the signal units of the links on `board`'s `span`; `None` when no link
    /// runs there.
    pub(crate) fn subscribe(
        &mut self,
        board: usize,
        span: u32,
        queue: usize,
    ) -> Option<crossbeam_channel::Receiver<TraceRecord>> {
        self.links.iter().find(|l| l.board == board && l.span == span)?;
        let (sender, receiver) = crossbeam_channel::bounded(queue);
        for link in &mut self.links {
            link.last_lssu = [NO_LSSU; 2];
        }
        self.traces.push(PointTrace { span: (board, span), sender });
        Some(receiver)
    }

    /// The boards the point's links are on.
    pub(crate) fn boards(&self) -> impl Iterator<Item = usize> + '_ {
        self.links.iter().map(|l| l.board)
    }

    /// Gives the links' timeslots back to the driver.
    pub(crate) fn shutdown(&mut self) {
        for link in self.links.drain(..) {
            let _ = link.handle.release(link.span, link.timeslot);
        }
    }

    /// A snapshot for `tdm status`.
    pub(crate) fn info(&self, boards: &[String]) -> Ss7PointInfo {
        let snapshot = self.point.snapshot();
        let link_names = self
            .links
            .iter()
            .map(|l| {
                let board = boards.get(l.board).map_or("?", String::as_str);
                (l.id, format!("{board}:{}:{}", l.span, l.timeslot))
            })
            .collect();
        Ss7PointInfo { name: self.name.clone(), snapshot, link_names, refused: self.refused }
    }
}

/// A signalling point as `tdm status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ss7PointInfo {
    /// Its name.
    pub name: String,
    /// MTP3 with every link's level 2 state and counters, every link set, every destination.
    pub snapshot: Mtp3Snapshot,
    /// Each link's place, `board:span:timeslot`.
    pub link_names: Vec<(LinkId, String)>,
    /// Signal units the driver refused to queue (stays 0 on a healthy system).
    pub refused: u64,
}
