//! One No.1 circuit (one E1 timeslot with its ABCD bits on TS16): the line-signaling machine
//! of both directions and the compelled MFC register machines, as one sans-IO engine.
//!
//! Methods come in four kinds, as in quinn-proto:
//! - getters ([`Circuit::state`], [`Circuit::trace`], ...);
//! - `handle_*`: a recognised ABCD change from the driver ([`Circuit::handle_abcd`]), a block
//!   of received linear samples ([`Circuit::handle_audio`], contiguous from one call to the
//!   next), or `now` having reached [`Circuit::poll_timeout`] ([`Circuit::handle_timeout`]);
//! - commands: place a call, send more digits, accept or reject an offered call, answer, hang
//!   up, block, unblock, reset;
//! - `poll_*` and [`Circuit::fill_audio`]: the ABCD nibble to send when it changed, the
//!   samples to send (the register signal, or silence), and events.
//!
//! After any `handle_*` or command, take [`Circuit::poll_abcd`] and [`Circuit::poll_event`]
//! until they return `None`, fill the next block of audio, and wait for the next input or
//! [`Circuit::poll_timeout`]. Nothing here allocates after construction; the audio path runs
//! the DSP only while register signaling is on ([`Circuit::wants_audio`]).
//!
//! The machine's parts live in submodules: `line_machine` (received line signals per state,
//! line timers), `forward` (the calling end's register) and `backward` (the called end's).

mod backward;
mod forward;
mod line_machine;
#[cfg(test)]
mod tests;

use crate::call::{CallError, CallId, Direction, Event, IncomingCall, LineFault, OutgoingCall};
use crate::config::CircuitConfig;
use crate::digits::Digits;
use crate::mfc::{GroupB, Meaning};
use crate::ring::Ring;
use crate::timers::{NO1_TIMER_COUNT, No1Timer};
use crate::trace::{Trace, TraceDirection, TraceKind};
use tdm_base::{Cause, Duration, Instant, TimerTable};
use tdm_dsp::edge::ToneEdge;
use tdm_dsp::r2mf::{R2Detector, R2Direction, SUB_BLOCK};
use tdm_dsp::tonegen::R2Generator;

/// Where a circuit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CircuitState {
    /// Free in both directions.
    Idle,
    /// This end blocks the circuit (sends backward blocking).
    LocallyBlocked,
    /// The far end blocks the circuit.
    RemotelyBlocked,
    /// Outgoing: seizure sent, waiting for its acknowledgement.
    SeizeSent,
    /// Outgoing: register signaling.
    OutgoingRegister,
    /// Outgoing: the called line is free; waiting for the answer.
    WaitAnswer,
    /// Outgoing: answered.
    OutgoingAnswered,
    /// Outgoing: clear-forward sent; waiting for the backward idle (release guard).
    ClearForwardSent,
    /// Both ends seized at once; holding the seizure before clearing.
    DualSeizure,
    /// Incoming: register signaling (including an offered call awaiting the decision).
    IncomingRegister,
    /// Incoming: "free" sent; waiting for the application to answer.
    Ringing,
    /// Incoming: answered.
    IncomingAnswered,
    /// Incoming: clear-back or a refusal sent; waiting for the clear-forward.
    ClearBackSent,
    /// Out of service after a line fault until the far end shows idle (or a reset).
    Fault,
}

/// Counters of one circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CircuitStats {
    /// Calls this end placed.
    pub outgoing_calls: u64,
    /// Calls the far end placed.
    pub incoming_calls: u64,
    /// Calls that reached the answered state.
    pub answered: u64,
    /// Dual seizures.
    pub dual_seizures: u64,
    /// Line faults reported.
    pub faults: u64,
    /// Register signals sent.
    pub tones_sent: u64,
    /// Register signals received.
    pub tones_received: u64,
    /// Events lost because nobody polled them.
    pub events_dropped: u64,
}

/// The call on the circuit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    pub(crate) id: CallId,
    pub(crate) direction: Direction,
    pub(crate) dnis: Digits,
    pub(crate) ani: Digits,
    pub(crate) has_ani: bool,
    pub(crate) ani_restricted: bool,
    pub(crate) category: Option<u8>,
    pub(crate) group_ii: Option<u8>,
    /// Outgoing: every digit of the called number is known.
    pub(crate) complete: bool,
    /// The application has been told of the call (outgoing calls always).
    pub(crate) reported: bool,
    /// `Released` was reported.
    pub(crate) ended: bool,
    /// Incoming: the application answered before the "free" cycle finished.
    pub(crate) answer_pending: bool,
}

/// The calling end's register state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ForwardStep {
    /// A forward signal is on, waiting for the backward one.
    Sending,
    /// The backward signal `code` is on; ours is off; acting when it ends.
    AwaitBackwardOff(u8),
    /// Nothing to send; waiting for a pulsed request.
    Silent,
    /// Overlap sending: asked for a digit not yet known.
    WaitDigits,
}

/// What the calling end has sent so far.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Forward {
    pub(crate) step: ForwardStep,
    pub(crate) dnis_sent: usize,
    pub(crate) ani_sent: usize,
    pub(crate) category_sent: bool,
    pub(crate) group_b: bool,
    pub(crate) end_of_dnis_sent: bool,
    pub(crate) end_of_ani_sent: bool,
}

/// What the called end expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BackwardPhase {
    /// Address digits.
    Dnis,
    /// The category (China KA), after "send category".
    Category,
    /// Calling-number digits.
    Ani,
    /// The group II signal (China KD), after "change to group B".
    GroupII,
    /// The final signal (a group B state or a refusal) has been chosen.
    Final,
}

/// The called end's register state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BackwardStep {
    /// Waiting for a forward signal.
    AwaitSignal,
    /// Our signal is on, waiting for the forward signal to end.
    Responding,
    /// A pulsed signal is on.
    Pulsing,
    /// The call is offered; the forward group II signal is held.
    Offered,
    /// The call is offered but the forward signal already ended.
    OfferedSilent,
}

/// How the register phase of an incoming call ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A free signal: the call rings.
    Free,
    /// Refused or failed: wait for the clear-forward.
    Refused,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Backward {
    pub(crate) step: BackwardStep,
    pub(crate) phase: BackwardPhase,
    pub(crate) outcome: Option<Outcome>,
    /// A refusal to pulse once the current cycle is over (the application hung up meanwhile).
    pub(crate) then_pulse: Option<(u8, Meaning)>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Register {
    Off,
    Forward(Forward),
    Backward(Backward),
}

/// One circuit's signaling engine; see the module documentation.
#[derive(Debug, Clone)]
pub struct Circuit {
    pub(crate) timeslot: u8,
    pub(crate) config: CircuitConfig,
    pub(crate) state: CircuitState,
    /// The received nibble as recognised.
    pub(crate) rx: u8,
    /// A received nibble waiting for its recognition time.
    pub(crate) rx_pending: Option<u8>,
    pub(crate) tx: u8,
    pub(crate) tx_changed: bool,
    pub(crate) timers: TimerTable<No1Timer, NO1_TIMER_COUNT>,
    pub(crate) call: Option<Call>,
    pub(crate) generation: u16,
    pub(crate) register: Register,
    detector: R2Detector,
    listening: bool,
    audio_origin: Instant,
    generator: R2Generator,
    pub(crate) sending: Option<u8>,
    pub(crate) block_pending: bool,
    events: Ring<Event, 16>,
    pub(crate) trace: Trace,
    pub(crate) stats: CircuitStats,
}

impl Circuit {
    /// An idle circuit on `timeslot`, sending idle and assuming the far end idle.
    pub fn new(timeslot: u8, config: CircuitConfig) -> Self {
        let idle = config.line.forward_idle;
        Circuit {
            timeslot,
            detector: R2Detector::new(R2Direction::Forward, config.receiver),
            generator: R2Generator::new(R2Direction::Forward, config.tone_level_dbm0),
            state: CircuitState::Idle,
            rx: config.line.backward_idle,
            rx_pending: None,
            tx: idle,
            tx_changed: true,
            timers: TimerTable::new(),
            call: None,
            generation: 0,
            register: Register::Off,
            listening: false,
            audio_origin: Instant::ZERO,
            sending: None,
            block_pending: false,
            events: Ring::new(),
            trace: Trace::new(),
            stats: CircuitStats::default(),
            config,
        }
    }

    // ---- getters ----

    /// The timeslot.
    pub fn timeslot(&self) -> u8 {
        self.timeslot
    }

    /// Where the circuit is.
    pub fn state(&self) -> CircuitState {
        self.state
    }

    /// The configuration.
    pub fn config(&self) -> &CircuitConfig {
        &self.config
    }

    /// The nibble this end sends.
    pub fn tx_abcd(&self) -> u8 {
        self.tx
    }

    /// The nibble received, as recognised.
    pub fn rx_abcd(&self) -> u8 {
        self.rx
    }

    /// The call on the circuit, if any.
    pub fn call_id(&self) -> Option<CallId> {
        self.call.map(|c| c.id)
    }

    /// The register signal being sent, if any.
    pub fn sending_signal(&self) -> Option<u8> {
        self.sending
    }

    /// The register trace of the current or last call.
    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    /// Counters.
    pub fn stats(&self) -> CircuitStats {
        CircuitStats { events_dropped: self.events.dropped, ..self.stats }
    }

    /// When `timer` expires, if it runs.
    pub fn timer(&self, timer: No1Timer) -> Option<Instant> {
        self.timers.get(timer)
    }

    /// Whether register signaling runs, so received audio matters and tones may be sent.
    pub fn wants_audio(&self) -> bool {
        self.listening || self.sending.is_some()
    }

    /// Whether the circuit can take a new call now.
    pub fn is_idle(&self) -> bool {
        self.state == CircuitState::Idle
    }

    // ---- handle_* ----

    /// A received ABCD nibble (the driver reports changes, debounced). It takes effect once it
    /// has held for the recognition time.
    pub fn handle_abcd(&mut self, now: Instant, abcd: u8) {
        let abcd = abcd & 0xF;
        let recognition = self.config.timers.get(No1Timer::Recognition);
        if abcd == self.rx {
            self.rx_pending = None;
            self.timers.stop(No1Timer::Recognition);
            return;
        }
        if recognition.is_zero() {
            self.recognise(now, abcd);
        } else if self.rx_pending != Some(abcd) {
            self.rx_pending = Some(abcd);
            self.timers.start(No1Timer::Recognition, now, recognition);
        }
    }

    /// A block of received samples (linear, 8000/s), contiguous with the previous block; `now`
    /// is the time of its last sample.
    pub fn handle_audio(&mut self, now: Instant, samples: &[i16]) {
        if !self.listening {
            return;
        }
        for chunk in samples.chunks(SUB_BLOCK) {
            let mut edges = [None; 4];
            let mut count = 0;
            self.detector.process(chunk, |edge| {
                if let Some(slot) = edges.get_mut(count) {
                    *slot = Some(edge);
                    count += 1;
                }
            });
            for edge in edges.into_iter().flatten() {
                let at = self.audio_origin + Duration::from_micros(edge.sample.saturating_mul(125));
                let at = at.min(now);
                match edge.kind {
                    ToneEdge::Start => self.on_tone_on(now, at, edge.code),
                    ToneEdge::End => self.on_tone_off(now, at, edge.code),
                }
                if !self.listening {
                    return;
                }
            }
        }
    }

    /// Runs the timers that expired at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.timers.pop_expired(now) {
            match timer {
                No1Timer::Recognition => {
                    if let Some(abcd) = self.rx_pending.take() {
                        self.recognise(now, abcd);
                    }
                }
                No1Timer::SeizeAck
                | No1Timer::GlareHold
                | No1Timer::Answer
                | No1Timer::ReleaseGuard
                | No1Timer::ClearForward => self.line_timeout(now, timer),
                No1Timer::ForwardAck
                | No1Timer::ForwardAckOff
                | No1Timer::ForwardRequest
                | No1Timer::RegisterSafety => self.forward_timeout(now),
                No1Timer::BackwardForwardOff
                | No1Timer::BackwardNext
                | No1Timer::EndOfNumber
                | No1Timer::Pulse
                | No1Timer::Offer => self.backward_timeout(now, timer),
            }
        }
    }

    // ---- poll_* ----

    /// The next deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// The nibble to send, once after each change.
    pub fn poll_abcd(&mut self) -> Option<u8> {
        if self.tx_changed {
            self.tx_changed = false;
            Some(self.tx)
        } else {
            None
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop()
    }

    /// Fills `out` with the samples to send: the register signal, or silence.
    pub fn fill_audio(&mut self, out: &mut [i16]) {
        self.generator.generate(out);
    }

    // ---- commands ----

    /// Seizes the circuit for `request` and starts its register signaling once acknowledged.
    pub fn place_call(&mut self, now: Instant, request: &OutgoingCall) -> Result<CallId, CallError> {
        if self.state != CircuitState::Idle || self.rx_pending.is_some() {
            return Err(CallError::CircuitBusy(self.state));
        }
        for code in [request.category, request.group_ii].into_iter().flatten() {
            if !(1..=15).contains(&code) {
                return Err(CallError::BadSignal(code));
            }
        }
        let id = self.new_call(now, Direction::Outgoing);
        let call = Call {
            id,
            direction: Direction::Outgoing,
            dnis: request.dnis,
            ani: request.ani.unwrap_or_default(),
            has_ani: request.ani.is_some(),
            ani_restricted: request.ani.is_none(),
            category: Some(request.category.unwrap_or(self.config.mfc.default_category)),
            group_ii: Some(request.group_ii.unwrap_or(self.config.mfc.default_group_ii)),
            complete: request.complete,
            reported: true,
            ended: false,
            answer_pending: false,
        };
        self.call = Some(call);
        self.stats.outgoing_calls += 1;
        self.send_line(now, self.config.line.forward_seize);
        if self.config.line.backward_seize_ack.is_some() {
            self.state = CircuitState::SeizeSent;
            self.start_timer(No1Timer::SeizeAck, now);
        } else {
            self.start_forward_register(now);
        }
        Ok(id)
    }

    /// Overlap sending: more called-number digits for an outgoing call; `complete` says no
    /// more will follow.
    pub fn send_digits(
        &mut self,
        now: Instant,
        call: CallId,
        digits: &Digits,
        complete: bool,
    ) -> Result<(), CallError> {
        let state = self.state;
        let c = self.call_mut(call)?;
        if c.direction != Direction::Outgoing
            || !matches!(state, CircuitState::SeizeSent | CircuitState::OutgoingRegister)
        {
            return Err(CallError::WrongState(state));
        }
        for digit in digits.as_bytes() {
            // A number that overflows keeps its first MAX_DIGITS digits.
            let _ = c.dnis.push(digit - b'0');
        }
        c.complete |= complete;
        self.forward_digits_added(now);
        Ok(())
    }

    /// Takes an offered incoming call: sends "free" (charged as configured); the call rings
    /// until [`Circuit::answer`].
    pub fn accept(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        self.call_mut(call)?;
        let free = if self.config.charge { GroupB::FreeCharge } else { GroupB::FreeNoCharge };
        self.backward_decide(now, free)
    }

    /// Refuses an offered incoming call with the group B signal that fits `cause` (busy 17,
    /// unallocated 1, out of order 27, number changed 22, congestion otherwise).
    pub fn reject(&mut self, now: Instant, call: CallId, cause: Cause) -> Result<(), CallError> {
        self.call_mut(call)?;
        self.backward_decide(now, GroupB::for_cause(cause))?;
        self.report_released(cause, false);
        Ok(())
    }

    /// Answers a ringing incoming call (sends the answer signal).
    pub fn answer(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let state = self.state;
        let free_chosen =
            matches!(self.register, Register::Backward(Backward { outcome: Some(Outcome::Free), .. }));
        let c = self.call_mut(call)?;
        match state {
            CircuitState::Ringing => {
                self.send_line(now, self.config.line.backward_answer);
                self.state = CircuitState::IncomingAnswered;
                self.stats.answered += 1;
                Ok(())
            }
            CircuitState::IncomingRegister if free_chosen => {
                c.answer_pending = true;
                Ok(())
            }
            _ => Err(CallError::WrongState(state)),
        }
    }

    /// Ends a call from this end: clear-forward for an outgoing call, clear-back (or a
    /// refusal, during register signaling) for an incoming one. Reports `Released`.
    pub fn hangup(&mut self, now: Instant, call: CallId, cause: Cause) -> Result<(), CallError> {
        self.call_mut(call)?;
        match self.state {
            CircuitState::SeizeSent
            | CircuitState::OutgoingRegister
            | CircuitState::WaitAnswer
            | CircuitState::OutgoingAnswered => {
                self.report_released(cause, false);
                self.clear_forward(now);
            }
            CircuitState::IncomingRegister => {
                self.report_released(cause, false);
                self.backward_abort(now, GroupB::for_cause(cause));
            }
            CircuitState::Ringing | CircuitState::IncomingAnswered => {
                self.report_released(cause, false);
                self.send_line(now, self.config.line.backward_clear_back);
                self.state = CircuitState::ClearBackSent;
                self.start_timer(No1Timer::ClearForward, now);
            }
            CircuitState::DualSeizure => {
                // The seizure is held for its minimum time anyway; the call is over now.
                self.report_released(cause, false);
            }
            state => return Err(CallError::WrongState(state)),
        }
        Ok(())
    }

    /// Blocks the circuit (backward blocking) now if idle, otherwise once its call is over.
    pub fn block(&mut self, now: Instant) {
        if self.state == CircuitState::Idle {
            self.send_line(now, self.config.line.backward_blocked);
            self.state = CircuitState::LocallyBlocked;
        } else if self.state != CircuitState::LocallyBlocked {
            self.block_pending = true;
        }
    }

    /// Removes this end's blocking.
    pub fn unblock(&mut self, now: Instant) {
        self.block_pending = false;
        if self.state == CircuitState::LocallyBlocked {
            self.send_line(now, self.config.line.backward_idle);
            self.enter_idle_or_follow_rx(now);
        }
    }

    /// Abandons whatever the circuit does: any call is released (cause 41), register
    /// signaling stops, idle is sent. The circuit is idle if the far end is, faulty (until it
    /// shows idle) otherwise.
    pub fn reset(&mut self, now: Instant) {
        self.report_released(Cause::TemporaryFailure, false);
        self.stop_register(now);
        self.timers.stop_all();
        self.rx_pending = None;
        self.block_pending = false;
        self.send_line(now, self.config.line.forward_idle);
        if self.rx_is_idle() {
            self.state = CircuitState::Idle;
            self.call = None;
        } else {
            self.state = CircuitState::Fault;
        }
    }

    // ---- shared helpers ----

    pub(crate) fn call_mut(&mut self, call: CallId) -> Result<&mut Call, CallError> {
        match self.call.as_mut() {
            Some(c) if c.id == call && !c.ended => Ok(c),
            _ => Err(CallError::UnknownCall),
        }
    }

    fn new_call(&mut self, now: Instant, direction: Direction) -> CallId {
        self.generation = self.generation.wrapping_add(1);
        self.trace.clear();
        // The seizure that starts an incoming call belongs to its trace.
        if direction == Direction::Incoming {
            let abcd = self.rx;
            let signal = self.config.line.name(abcd, true);
            self.trace.push(now, TraceDirection::Received, TraceKind::Line { abcd, signal });
        }
        CallId { timeslot: self.timeslot, generation: self.generation }
    }

    pub(crate) fn new_incoming_call(&mut self, now: Instant) {
        let id = self.new_call(now, Direction::Incoming);
        self.stats.incoming_calls += 1;
        self.call = Some(Call {
            id,
            direction: Direction::Incoming,
            dnis: Digits::new(),
            ani: Digits::new(),
            has_ani: false,
            ani_restricted: false,
            category: None,
            group_ii: None,
            complete: false,
            reported: false,
            ended: false,
            answer_pending: false,
        });
    }

    pub(crate) fn start_timer(&mut self, timer: No1Timer, now: Instant) {
        let duration = self.config.timers.get(timer);
        self.timers.start(timer, now, duration);
    }

    pub(crate) fn push_event(&mut self, event: Event) {
        self.events.push(event);
    }

    /// Reports the end of the call to the application, once, if it knew of the call.
    pub(crate) fn report_released(&mut self, cause: Cause, remote: bool) {
        if let Some(call) = self.call.as_mut()
            && !call.ended
        {
            call.ended = true;
            if call.reported {
                let id = call.id;
                self.events.push(Event::Released { call: id, cause, remote });
            }
        }
    }

    pub(crate) fn report_incoming(&mut self) {
        if let Some(call) = self.call.as_mut() {
            call.reported = true;
            let incoming = IncomingCall {
                call: call.id,
                dnis: call.dnis,
                ani: call.ani,
                ani_restricted: call.ani_restricted,
                category: call.category,
                group_ii: call.group_ii.unwrap_or(0),
            };
            self.events.push(Event::Incoming(incoming));
        }
    }

    pub(crate) fn report_fault(&mut self, fault: LineFault) {
        self.stats.faults += 1;
        self.events.push(Event::Fault { timeslot: self.timeslot, fault });
    }

    pub(crate) fn send_line(&mut self, now: Instant, abcd: u8) {
        if self.tx != abcd {
            self.tx = abcd;
            self.tx_changed = true;
            let forward = matches!(self.call.map(|c| c.direction), Some(Direction::Outgoing));
            let signal = self.config.line.name(abcd, forward);
            self.trace.push(now, TraceDirection::Sent, TraceKind::Line { abcd, signal });
        }
    }

    /// Starts the receiver and sender for register signaling in this end's role.
    pub(crate) fn start_audio(&mut self, now: Instant, outgoing: bool) {
        let (hear, send) = if outgoing {
            (R2Direction::Backward, R2Direction::Forward)
        } else {
            (R2Direction::Forward, R2Direction::Backward)
        };
        self.detector = R2Detector::new(hear, self.config.receiver);
        self.generator = R2Generator::new(send, self.config.tone_level_dbm0);
        self.audio_origin = now;
        self.listening = true;
        self.sending = None;
    }

    /// Stops register signaling: timers, receiver, sender.
    pub(crate) fn stop_register(&mut self, now: Instant) {
        self.tone_stop(now);
        self.listening = false;
        self.register = Register::Off;
        for timer in [
            No1Timer::ForwardAck,
            No1Timer::ForwardAckOff,
            No1Timer::ForwardRequest,
            No1Timer::RegisterSafety,
            No1Timer::BackwardForwardOff,
            No1Timer::BackwardNext,
            No1Timer::EndOfNumber,
            No1Timer::Pulse,
            No1Timer::Offer,
        ] {
            self.timers.stop(timer);
        }
    }

    pub(crate) fn tone_start(&mut self, now: Instant, code: u8, meaning: Meaning, pulse: bool) {
        if self.generator.start(code).is_ok() {
            self.sending = Some(code);
            self.stats.tones_sent += 1;
            self.trace.push(now, TraceDirection::Sent, TraceKind::ToneOn { code, meaning, pulse });
        }
    }

    pub(crate) fn tone_stop(&mut self, now: Instant) {
        if let Some(code) = self.sending.take() {
            self.generator.stop();
            self.trace.push(now, TraceDirection::Sent, TraceKind::ToneOff { code });
        }
    }

    pub(crate) fn trace_received_tone(&mut self, at: Instant, code: u8, meaning: Meaning) {
        self.stats.tones_received += 1;
        self.trace.push(at, TraceDirection::Received, TraceKind::ToneOn { code, meaning, pulse: false });
    }

    fn on_tone_on(&mut self, now: Instant, at: Instant, code: u8) {
        match self.register {
            Register::Forward(_) => self.forward_tone_on(now, at, code),
            Register::Backward(_) => self.backward_tone_on(now, at, code),
            Register::Off => {}
        }
    }

    fn on_tone_off(&mut self, now: Instant, at: Instant, code: u8) {
        self.trace.push(at, TraceDirection::Received, TraceKind::ToneOff { code });
        match self.register {
            Register::Forward(_) => self.forward_tone_off(now),
            Register::Backward(_) => self.backward_tone_off(now),
            Register::Off => {}
        }
    }

    /// Feeds a recognised register-signal edge straight to the register machine, as the
    /// receiver would (tests of the compelled cycles without audio).
    #[cfg(test)]
    pub(crate) fn inject_tone(&mut self, now: Instant, code: u8, on: bool) {
        if on {
            self.on_tone_on(now, now, code);
        } else {
            self.on_tone_off(now, now, code);
        }
    }
}
