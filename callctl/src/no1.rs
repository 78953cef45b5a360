//! China No.1 as a [`SignalingStack`]: a `tdm_no1` [`Trunk`] on the 30 bearer channels of a
//! CAS E1, its line signals in each channel's ABCD bits on TS16 and its compelled MFC-R2
//! register signals in the channel's own audio, reported in the common call model.
//!
//! | No.1 | common model |
//! |---|---|
//! | seizure acknowledged (the called end's register is ready) | proceeding |
//! | group B free (B1 charged, B6 not, China) | a `signal` note, then alerting |
//! | answer | connected |
//! | group B busy, vacant, congestion...; A4 congestion, A5 vacant | a `signal` note, then released with the cause of [`GroupB::cause`] (17, 1, 42...) |
//! | clear-back (called end hangs up), clear-forward | released, cause 16 |
//! | register time-out (the far end fell silent) | released, cause 102 |
//! | dual seizure | released, cause 44 |
//! | an impossible line signal | released, cause 111, and a channel fault |
//!
//! An incoming call is offered once its group II signal (KD) arrived; alerting sends "free"
//! (B1, or B6 when the span does not charge), answering sends the answer signal, refusing
//! sends the group B signal of the cause (17 busy B2, 1 vacant B5, else congestion B4).

use std::collections::VecDeque;
use std::fmt;

use tdm_base::{Cause, Instant};
pub use tdm_no1::timers::NO1_TIMERS;
use tdm_no1::trace::{TraceDirection as No1Direction, TraceKind};
use tdm_no1::trunk::E1_TIMESLOTS;
use tdm_no1::{
    CallId, Circuit, CircuitConfig, CircuitState, Digits, Event, LineCodes, LineSignal, Meaning,
    OutgoingCall, Trunk,
};
pub use tdm_no1::{GroupA, GroupB, Hunt, No1Timer};

use crate::model::CallError;
use crate::stack::{
    CasSignaling, ChannelChange, ChannelStatus, LineState, RegisterAudio, SignalingChannel, SignalingStack,
    StackCall, StackEvent,
};
use crate::trace::{CasTraceEvent, CasTraceRecord, RegisterEdge, TraceDirection};

/// What a No.1 number may hold.
pub const NUMBER_RULE: &str = "MFC-R2 carries digits 0-9, 1 to 32 of them";

/// Trace records kept for the engine between two services; more are counted and dropped.
const TRACE_QUEUE: usize = 1024;

/// The line codes and register meanings a span starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum No1Variant {
    /// China No.1 (GF 002-9002): c = d = 1, China's group A/B meanings.
    China,
    /// ITU-T R2 (Q.421 line codes, Q.441 meanings).
    Itu,
}

impl No1Variant {
    /// `china` or `itu`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "china" => Some(No1Variant::China),
            "itu" => Some(No1Variant::Itu),
            _ => None,
        }
    }

    /// The name [`No1Variant::parse`] takes.
    pub fn name(self) -> &'static str {
        match self {
            No1Variant::China => "china",
            No1Variant::Itu => "itu",
        }
    }
}

/// How one span runs No.1.
#[derive(Debug, Clone, PartialEq)]
pub struct No1SpanConfig {
    /// The variant the circuits' configuration started from.
    pub variant: No1Variant,
    /// Every circuit's configuration, the operator's overrides applied.
    pub circuit: CircuitConfig,
    /// Where outgoing calls look for an idle circuit first (the two ends of a trunk should
    /// hunt from opposite ends).
    pub hunt: Hunt,
}

impl No1SpanConfig {
    /// The variant's standard configuration, hunting from TS1 up.
    pub fn new(variant: No1Variant) -> Self {
        let circuit = match variant {
            No1Variant::China => CircuitConfig::china(),
            No1Variant::Itu => CircuitConfig::itu(),
        };
        No1SpanConfig { variant, circuit, hunt: Hunt::Ascending }
    }

    /// One operator override, by the names of [`CircuitConfig::set`] (`line.forward_seize`,
    /// `mfc.b_busy`, `timer.end_of_number`, `dnis_length`, ...).
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        self.circuit.set(key, value).map_err(|e| e.to_string())
    }

    /// Checks that the overrides left consistent line codes and register meanings.
    pub fn validate(&self) -> Result<(), String> {
        self.circuit.validate().map_err(|e| e.to_string())
    }
}

/// Where a circuit's trace was last read up to.
#[derive(Debug, Clone, Copy, Default)]
struct TraceCursor {
    clears: u32,
    read: usize,
}

/// The trace records waiting for the engine: a bounded queue, allocated once.
struct TraceQueue {
    records: VecDeque<CasTraceRecord>,
    dropped: u64,
}

impl TraceQueue {
    fn push(&mut self, record: CasTraceRecord) {
        if self.records.len() < TRACE_QUEUE {
            self.records.push_back(record);
        } else {
            self.dropped += 1;
        }
    }
}

/// One span's No.1 signaling.
pub struct No1Stack {
    trunk: Trunk,
    description: &'static str,
    line_up: bool,
    /// The latest time any input brought.
    now: Instant,
    /// Each timeslot's circuit state as last reported (for the events the trunk does not
    /// raise itself: proceeding, and connected on incoming calls).
    seen: [CircuitState; 32],
    cursors: [TraceCursor; 32],
    events: VecDeque<StackEvent>,
    trace: TraceQueue,
}

fn stack_call(call: CallId) -> StackCall {
    StackCall(u32::from(call.timeslot) << 16 | u32::from(call.generation))
}

fn call_id(call: StackCall) -> CallId {
    // A number no circuit gave out names timeslot 0, which has none.
    CallId { timeslot: u8::try_from(call.0 >> 16).unwrap_or(0), generation: call.0 as u16 }
}

fn digits(text: &str) -> Result<Digits, CallError> {
    match Digits::parse(text) {
        Ok(digits) if !digits.is_empty() => Ok(digits),
        _ => Err(CallError::UnsignalableNumber { number: text.to_string(), allowed: NUMBER_RULE }),
    }
}

impl From<tdm_no1::CallError> for CallError {
    fn from(error: tdm_no1::CallError) -> Self {
        match error {
            tdm_no1::CallError::NoCircuit | tdm_no1::CallError::CircuitBusy(_) => CallError::NoChannel,
            tdm_no1::CallError::UnknownCall => CallError::WrongState("ended".into()),
            tdm_no1::CallError::WrongState(state) => CallError::WrongState(state_text(state).into()),
            tdm_no1::CallError::BadSignal(code) => {
                CallError::WrongState(format!("{code} is not a register signal"))
            }
        }
    }
}

/// A circuit state as `tdm calls` and `tdm status` show it.
pub fn state_text(state: CircuitState) -> &'static str {
    match state {
        CircuitState::Idle => "idle",
        CircuitState::LocallyBlocked => "blocked by this end",
        CircuitState::RemotelyBlocked => "blocked by the far end",
        CircuitState::SeizeSent => "seizure sent",
        CircuitState::OutgoingRegister => "register signaling (out)",
        CircuitState::WaitAnswer => "waiting for answer",
        CircuitState::OutgoingAnswered => "answered (out)",
        CircuitState::ClearForwardSent => "clear-forward sent",
        CircuitState::DualSeizure => "dual seizure",
        CircuitState::IncomingRegister => "register signaling (in)",
        CircuitState::Ringing => "ringing",
        CircuitState::IncomingAnswered => "answered (in)",
        CircuitState::ClearBackSent => "clear-back sent",
        CircuitState::Fault => "line fault",
    }
}

/// A circuit state in the common terms of [`LineState`].
pub fn line_state(state: CircuitState) -> LineState {
    match state {
        CircuitState::Idle => LineState::Idle,
        CircuitState::LocallyBlocked | CircuitState::RemotelyBlocked => LineState::Blocked,
        CircuitState::SeizeSent
        | CircuitState::OutgoingRegister
        | CircuitState::WaitAnswer
        | CircuitState::DualSeizure
        | CircuitState::IncomingRegister
        | CircuitState::Ringing => LineState::Seized,
        CircuitState::OutgoingAnswered | CircuitState::IncomingAnswered => LineState::Answered,
        CircuitState::ClearForwardSent | CircuitState::ClearBackSent => LineState::Clearing,
        CircuitState::Fault => LineState::Fault,
    }
}

/// Whether this end sends forward signals in `state` (it seized the circuit).
fn sends_forward(state: CircuitState) -> bool {
    matches!(
        state,
        CircuitState::SeizeSent
            | CircuitState::OutgoingRegister
            | CircuitState::WaitAnswer
            | CircuitState::OutgoingAnswered
            | CircuitState::ClearForwardSent
            | CircuitState::DualSeizure
    )
}

/// The line signal `abcd` carries: a forward one when `forward`, unless only the other
/// direction has a signal of that code (both ends seize at once in a dual seizure).
fn line_signal(codes: &LineCodes, abcd: u8, forward: bool) -> LineSignal {
    match codes.name(abcd, forward) {
        LineSignal::Unknown => codes.name(abcd, !forward),
        signal => signal,
    }
}

/// Group A requests in words.
pub fn group_a_text(request: GroupA) -> &'static str {
    match request {
        GroupA::NextDigit => "send next digit",
        GroupA::NextAniDigit => "send next calling-number digit",
        GroupA::ResendLastButOne => "send digit n-1 again",
        GroupA::ResendLastButTwo => "send digit n-2 again",
        GroupA::ResendLastButThree => "send digit n-3 again",
        GroupA::ResendAll => "send the number again",
        GroupA::SendCategory => "send category",
        GroupA::ChangeToGroupB => "address complete, change to group B",
        GroupA::Congestion => "congestion",
        GroupA::AddressCompleteCharge => "address complete, charge",
        GroupA::Unallocated => "unallocated number",
    }
}

/// Group B states in words.
pub fn group_b_text(state: GroupB) -> &'static str {
    match state {
        GroupB::FreeCharge => "called line free, charge",
        GroupB::FreeNoCharge => "called line free, no charge",
        GroupB::Busy => "called line busy",
        GroupB::BusyToll => "called line busy (toll)",
        GroupB::Congestion => "congestion",
        GroupB::Unallocated => "unallocated number",
        GroupB::OutOfOrder => "called line out of order",
        GroupB::NumberChanged => "number changed",
        GroupB::SpecialInfo => "send special information tone",
    }
}

/// A register signal's meaning in words: `DNIS digit 5`, `A: send category`,
/// `B: called line busy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeaningText(pub Meaning);

impl fmt::Display for MeaningText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Meaning::A(request) => write!(f, "A: {}", group_a_text(request)),
            Meaning::B(state) => write!(f, "B: {}", group_b_text(state)),
            other => write!(f, "{other}"),
        }
    }
}

/// The register signal that ends a call's register signaling with an outcome worth telling the
/// caller: every group B signal, and the group A ones that end the call without group B.
fn final_signal(meaning: Meaning) -> Option<String> {
    match meaning {
        Meaning::B(state) => Some(group_b_text(state).to_string()),
        Meaning::A(request @ (GroupA::Congestion | GroupA::Unallocated | GroupA::AddressCompleteCharge)) => {
            Some(group_a_text(request).to_string())
        }
        _ => None,
    }
}

impl No1Stack {
    /// A stack on the 30 bearer channels of an E1, its line not yet up. The span's policy
    /// decides on every offered call, so the circuits never accept one by themselves.
    pub fn new(config: &No1SpanConfig) -> Result<Self, String> {
        config.validate()?;
        let mut circuit = config.circuit.clone();
        circuit.auto_accept = false;
        let description = match circuit.mfc.name {
            "china" => "China No.1",
            "itu" => "R2 (ITU-T)",
            "brazil" => "R2 (Brazil)",
            _ => "R2",
        };
        Ok(No1Stack {
            trunk: Trunk::new(circuit, config.hunt),
            description,
            line_up: false,
            now: Instant::ZERO,
            seen: [CircuitState::Idle; 32],
            cursors: [TraceCursor::default(); 32],
            events: VecDeque::with_capacity(64),
            trace: TraceQueue { records: VecDeque::with_capacity(TRACE_QUEUE), dropped: 0 },
        })
    }

    /// The circuits.
    pub fn trunk(&self) -> &Trunk {
        &self.trunk
    }

    /// Trace records dropped because the engine did not take them in time.
    pub fn trace_dropped(&self) -> u64 {
        self.trace.dropped
    }

    /// What every circuit did since the last look: register signals into the trace, the
    /// state changes the trunk raises no event for, and the trunk's events.
    fn settle(&mut self) {
        for &timeslot in &E1_TIMESLOTS {
            self.settle_circuit(timeslot);
        }
        self.take_trunk_events();
    }

    fn settle_circuit(&mut self, timeslot: u8) {
        let Some(circuit) = self.trunk.circuit(timeslot) else { return };
        let index = usize::from(timeslot);
        follow_trace(circuit, &mut self.cursors[index], &mut self.trace, &mut self.events);
        let (before, now) = (self.seen[index], circuit.state());
        if before == now {
            return;
        }
        self.seen[index] = now;
        let Some(call) = circuit.call_id().map(stack_call) else { return };
        match (before, now) {
            (
                CircuitState::SeizeSent,
                CircuitState::OutgoingRegister | CircuitState::WaitAnswer | CircuitState::OutgoingAnswered,
            ) => self.events.push_back(StackEvent::Proceeding { call }),
            (_, CircuitState::IncomingAnswered) => self.events.push_back(StackEvent::Connected { call }),
            _ => {}
        }
    }

    fn take_trunk_events(&mut self) {
        while let Some(event) = self.trunk.poll_event() {
            let event = match event {
                Event::Incoming(offered) => StackEvent::Incoming {
                    call: stack_call(offered.call),
                    called: offered.dnis.to_string(),
                    calling: (!offered.ani.is_empty()).then(|| offered.ani.to_string()),
                    timeslot: Some(offered.call.timeslot),
                },
                Event::Alerting { call, .. } => StackEvent::Alerting { call: stack_call(call) },
                Event::Connected { call } => StackEvent::Connected { call: stack_call(call) },
                Event::Released { call, cause, remote } => {
                    StackEvent::Released { call: stack_call(call), cause, remote }
                }
                Event::Blocked { timeslot } => {
                    StackEvent::Channel { timeslot, change: ChannelChange::Blocked }
                }
                Event::Unblocked { timeslot } => {
                    StackEvent::Channel { timeslot, change: ChannelChange::Unblocked }
                }
                Event::Fault { timeslot, fault } => {
                    StackEvent::Channel { timeslot, change: ChannelChange::Fault(fault.to_string()) }
                }
                Event::Idle { .. } => continue,
            };
            self.events.push_back(event);
        }
    }

    fn circuit_of(&self, call: StackCall) -> Option<&Circuit> {
        let id = call_id(call);
        self.trunk.circuit(id.timeslot).filter(|c| c.call_id() == Some(id))
    }
}

/// Copies the register signals a circuit's trace gained since `cursor` into `queue`, and
/// notes the signals that decided a call's outcome among `events`.
fn follow_trace(
    circuit: &Circuit,
    cursor: &mut TraceCursor,
    queue: &mut TraceQueue,
    events: &mut VecDeque<StackEvent>,
) {
    let trace = circuit.trace();
    if trace.clears() != cursor.clears || trace.len() < cursor.read {
        *cursor = TraceCursor { clears: trace.clears(), read: 0 };
    } else if trace.len() == cursor.read {
        return;
    }
    for entry in trace.entries().skip(cursor.read) {
        let direction = match entry.direction {
            No1Direction::Sent => TraceDirection::Sent,
            No1Direction::Received => TraceDirection::Received,
        };
        let event = match entry.kind {
            // Line signals come from the ABCD changes themselves (see `handle_abcd`).
            TraceKind::Line { .. } => continue,
            TraceKind::ToneOn { code, meaning, pulse } => {
                let edge = if pulse { RegisterEdge::Pulse } else { RegisterEdge::On };
                if let (Some(text), Some(call)) = (final_signal(meaning), circuit.call_id()) {
                    let group = if matches!(meaning, Meaning::B(_)) { 'B' } else { 'A' };
                    events.push_back(StackEvent::Signal {
                        call: stack_call(call),
                        text: format!("{group}{code}: {text}"),
                    });
                }
                CasTraceEvent::Register { code, edge, meaning: Some(meaning) }
            }
            TraceKind::ToneOff { code } => {
                CasTraceEvent::Register { code, edge: RegisterEdge::Off, meaning: None }
            }
        };
        queue.push(CasTraceRecord { at: entry.at, direction, timeslot: circuit.timeslot(), event });
    }
    cursor.read = trace.len();
}

impl SignalingStack for No1Stack {
    fn description(&self) -> &'static str {
        self.description
    }

    fn signaling_channel(&self) -> SignalingChannel {
        SignalingChannel::Cas
    }

    fn is_network_side(&self) -> bool {
        false
    }

    fn is_link_up(&self) -> bool {
        self.line_up
    }

    fn start(&mut self, _now: Instant) {}

    fn handle_frame(&mut self, _now: Instant, _frame: &[u8]) {}

    fn handle_timeout(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.trunk.handle_timeout(now);
        self.settle();
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.trunk.poll_timeout()
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
        let dnis = digits(called)?;
        let ani = calling.map(digits).transpose()?;
        if !self.line_up {
            return Err(CallError::LinkDown);
        }
        self.now = self.now.max(now);
        let request = OutgoingCall { dnis, ani, category: None, group_ii: None, complete: true };
        let call = self.trunk.place_call(now, &request)?;
        self.settle();
        Ok(stack_call(call))
    }

    fn alert(&mut self, now: Instant, call: StackCall) -> Result<(), CallError> {
        self.now = self.now.max(now);
        let result = self.trunk.accept(now, call_id(call));
        self.settle();
        Ok(result?)
    }

    fn answer(&mut self, now: Instant, call: StackCall) -> Result<(), CallError> {
        self.now = self.now.max(now);
        let result = self.trunk.answer(now, call_id(call));
        self.settle();
        Ok(result?)
    }

    fn hangup(&mut self, now: Instant, call: StackCall, cause: Cause) -> Result<(), CallError> {
        self.now = self.now.max(now);
        let result = self.trunk.hangup(now, call_id(call), cause);
        self.settle();
        Ok(result?)
    }

    /// Resets every circuit: calls end with cause 41, blocking is removed, idle is sent.
    fn restart(&mut self, now: Instant) -> Result<(), CallError> {
        self.now = self.now.max(now);
        for &timeslot in &E1_TIMESLOTS {
            if let Some(circuit) = self.trunk.circuit_mut(timeslot) {
                circuit.reset(now);
            }
        }
        self.settle();
        self.events.push_back(StackEvent::RestartCompleted);
        Ok(())
    }

    fn timeslot(&self, call: StackCall) -> Option<u8> {
        self.circuit_of(call).map(Circuit::timeslot)
    }

    fn state_text(&self, call: StackCall) -> String {
        self.circuit_of(call).map_or(String::new(), |c| state_text(c.state()).to_string())
    }

    fn cas(&mut self) -> Option<&mut dyn CasSignaling> {
        Some(self)
    }

    fn cas_ref(&self) -> Option<&dyn CasSignaling> {
        Some(self)
    }
}

impl CasSignaling for No1Stack {
    fn timeslots(&self) -> &[u8] {
        &E1_TIMESLOTS
    }

    fn handle_abcd(&mut self, now: Instant, timeslot: u8, abcd: u8) {
        self.now = self.now.max(now);
        let Some(circuit) = self.trunk.circuit(timeslot) else { return };
        let abcd = abcd & 0xF;
        let codes = circuit.config().line;
        let signal = line_signal(&codes, abcd, !sends_forward(circuit.state()));
        self.trace.push(CasTraceRecord {
            at: now,
            direction: TraceDirection::Received,
            timeslot,
            event: CasTraceEvent::Abcd { abcd, signal },
        });
        self.trunk.handle_abcd(now, timeslot, abcd);
        self.settle_circuit(timeslot);
        self.take_trunk_events();
    }

    fn poll_abcd(&mut self) -> Option<(u8, u8)> {
        let (timeslot, abcd) = self.trunk.poll_abcd()?;
        if let Some(circuit) = self.trunk.circuit(timeslot) {
            let codes = circuit.config().line;
            let signal = line_signal(&codes, abcd, sends_forward(circuit.state()));
            self.trace.push(CasTraceRecord {
                at: self.now,
                direction: TraceDirection::Sent,
                timeslot,
                event: CasTraceEvent::Abcd { abcd, signal },
            });
        }
        Some((timeslot, abcd))
    }

    /// Without the TS16 multiframe no line signal passes: calls in progress are given up
    /// (cause 41) and every circuit is reset, so none waits on a far end it cannot hear.
    fn handle_line(&mut self, now: Instant, up: bool) {
        self.now = self.now.max(now);
        if up == self.line_up {
            return;
        }
        self.line_up = up;
        if up {
            self.events.push_back(StackEvent::LinkUp);
            return;
        }
        self.events.push_back(StackEvent::LinkDown);
        for &timeslot in &E1_TIMESLOTS {
            if let Some(circuit) = self.trunk.circuit_mut(timeslot)
                && circuit.state() != CircuitState::Idle
            {
                circuit.reset(now);
            }
        }
        self.settle();
    }

    fn register_audio(&self, timeslot: u8) -> RegisterAudio {
        match self.trunk.circuit(timeslot) {
            Some(c) if c.sending_signal().is_some() => RegisterAudio::Sending,
            Some(c) if c.wants_audio() => RegisterAudio::Listening,
            _ => RegisterAudio::Off,
        }
    }

    fn handle_audio(&mut self, now: Instant, timeslot: u8, samples: &[i16]) {
        self.now = self.now.max(now);
        self.trunk.handle_audio(now, timeslot, samples);
        self.settle_circuit(timeslot);
        self.take_trunk_events();
    }

    fn fill_audio(&mut self, timeslot: u8, out: &mut [i16]) {
        self.trunk.fill_audio(timeslot, out);
    }

    fn channels(&self) -> Vec<ChannelStatus> {
        self.trunk
            .circuits()
            .map(|c| ChannelStatus {
                timeslot: c.timeslot(),
                line: line_state(c.state()),
                detail: state_text(c.state()),
                tx_abcd: c.tx_abcd(),
                rx_abcd: c.rx_abcd(),
            })
            .collect()
    }

    fn poll_trace(&mut self) -> Option<CasTraceRecord> {
        self.trace.records.pop_front()
    }
}

#[cfg(test)]
mod tests;
