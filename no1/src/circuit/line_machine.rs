//! The line-signaling machine: what a recognised ABCD change means in each circuit state, and
//! what the line timers do when they expire. A pattern the state does not allow is a clear
//! error: the call (if any) ends with cause 111, the fault is reported, and the circuit stays
//! out of service until the far end shows idle again, so it is never left stuck.

use super::{Circuit, CircuitState};
use crate::call::{Direction, Event, LineFault};
use crate::timers::No1Timer;
use crate::trace::{TraceDirection, TraceKind};
use tdm_base::{Cause, Instant};

impl Circuit {
    /// Whether the far end sends idle (forward or backward).
    pub(crate) fn rx_is_idle(&self) -> bool {
        let codes = self.config.line;
        codes.is(self.rx, codes.backward_idle) || codes.is(self.rx, codes.forward_idle)
    }

    /// A received nibble that held for the recognition time.
    pub(crate) fn recognise(&mut self, now: Instant, abcd: u8) {
        self.rx = abcd;
        let outgoing = matches!(self.call.map(|c| c.direction), Some(Direction::Outgoing));
        let signal = self.config.line.name(abcd, !outgoing);
        self.trace.push(now, TraceDirection::Received, TraceKind::Line { abcd, signal });
        self.on_line(now);
    }

    fn on_line(&mut self, now: Instant) {
        let codes = self.config.line;
        let rx = self.rx;
        match self.state {
            CircuitState::Idle => {
                if codes.is(rx, codes.forward_seize) {
                    self.incoming_seizure(now);
                } else if codes.is(rx, codes.backward_blocked) {
                    self.state = CircuitState::RemotelyBlocked;
                    self.push_event(Event::Blocked { timeslot: self.timeslot });
                } else if !self.rx_is_idle() {
                    self.unexpected(now);
                }
            }
            // Whatever the far end does, this end keeps blocking; a seizure of a blocked
            // circuit is the far end's error and its register signaling will time out.
            CircuitState::LocallyBlocked => {}
            CircuitState::RemotelyBlocked => {
                if self.rx_is_idle() {
                    self.state = CircuitState::Idle;
                    self.push_event(Event::Unblocked { timeslot: self.timeslot });
                } else if codes.is(rx, codes.forward_seize) {
                    // Blocking removed and the circuit seized within one recognition time.
                    self.state = CircuitState::Idle;
                    self.push_event(Event::Unblocked { timeslot: self.timeslot });
                    self.incoming_seizure(now);
                } else if !codes.is(rx, codes.backward_blocked) {
                    self.unexpected(now);
                }
            }
            CircuitState::SeizeSent => {
                if codes.is_seize_ack(rx) {
                    self.timers.stop(No1Timer::SeizeAck);
                    self.start_forward_register(now);
                } else if codes.is(rx, codes.forward_seize) {
                    self.timers.stop(No1Timer::SeizeAck);
                    self.state = CircuitState::DualSeizure;
                    self.stats.dual_seizures += 1;
                    self.start_timer(No1Timer::GlareHold, now);
                } else if !self.rx_is_idle() {
                    self.unexpected_in_call(now);
                }
            }
            CircuitState::OutgoingRegister | CircuitState::WaitAnswer => {
                if codes.is(rx, codes.backward_answer) {
                    self.outgoing_answered(now);
                } else if !(codes.is_seize_ack(rx) || codes.is(rx, codes.backward_clear_back)) {
                    self.unexpected_in_call(now);
                }
            }
            CircuitState::OutgoingAnswered => {
                if codes.is(rx, codes.backward_clear_back) {
                    self.report_released(Cause::NormalClearing, true);
                    self.clear_forward(now);
                } else if !codes.is(rx, codes.backward_answer) {
                    self.unexpected_in_call(now);
                }
            }
            CircuitState::ClearForwardSent => {
                if self.rx_is_idle() {
                    self.enter_idle(now);
                }
            }
            // The seizure is held for its minimum time whatever the far end does meanwhile.
            CircuitState::DualSeizure => {}
            CircuitState::IncomingRegister
            | CircuitState::Ringing
            | CircuitState::IncomingAnswered
            | CircuitState::ClearBackSent => {
                if codes.is(rx, codes.forward_idle) {
                    self.report_released(Cause::NormalClearing, true);
                    self.stop_register(now);
                    self.send_line(now, codes.backward_idle);
                    self.enter_idle(now);
                } else if !codes.is(rx, codes.forward_seize) {
                    self.unexpected_in_call(now);
                }
            }
            CircuitState::Fault => {
                if self.rx_is_idle() {
                    let idle = if self.tx_role_outgoing() { codes.forward_idle } else { codes.backward_idle };
                    self.send_line(now, idle);
                    self.enter_idle(now);
                }
            }
        }
    }

    /// Whether this end's transmit direction carries forward signals (it seized last).
    fn tx_role_outgoing(&self) -> bool {
        matches!(self.call.map(|c| c.direction), Some(Direction::Outgoing) | None)
    }

    fn incoming_seizure(&mut self, now: Instant) {
        self.new_incoming_call(now);
        if let Some(ack) = self.config.line.backward_seize_ack {
            self.send_line(now, ack);
        }
        self.start_backward_register(now);
    }

    fn outgoing_answered(&mut self, now: Instant) {
        self.stop_register(now);
        self.timers.stop(No1Timer::Answer);
        self.state = CircuitState::OutgoingAnswered;
        self.stats.answered += 1;
        if let Some(call) = self.call {
            self.push_event(Event::Connected { call: call.id });
        }
    }

    /// An impossible pattern on an idle circuit.
    fn unexpected(&mut self, _now: Instant) {
        self.report_fault(LineFault::UnexpectedSignal { state: self.state, abcd: self.rx });
        self.state = CircuitState::Fault;
    }

    /// An impossible pattern during a call: the call ends with cause 111; an outgoing circuit
    /// clears forward, an incoming one sends clear-back (which also blocks), and both wait for
    /// the far end's idle.
    fn unexpected_in_call(&mut self, now: Instant) {
        self.report_fault(LineFault::UnexpectedSignal { state: self.state, abcd: self.rx });
        self.report_released(Cause::ProtocolError, true);
        self.stop_register(now);
        for timer in [No1Timer::SeizeAck, No1Timer::Answer, No1Timer::ClearForward, No1Timer::ReleaseGuard] {
            self.timers.stop(timer);
        }
        let codes = self.config.line;
        if self.tx_role_outgoing() {
            self.send_line(now, codes.forward_idle);
        } else {
            self.send_line(now, codes.backward_blocked);
        }
        self.state = CircuitState::Fault;
        if self.rx_is_idle() {
            self.on_line(now);
        }
    }

    /// Sends clear-forward and waits for the release guard (or goes idle at once when the far
    /// end already is).
    pub(crate) fn clear_forward(&mut self, now: Instant) {
        self.stop_register(now);
        for timer in [No1Timer::SeizeAck, No1Timer::Answer, No1Timer::GlareHold] {
            self.timers.stop(timer);
        }
        self.send_line(now, self.config.line.forward_idle);
        if self.rx_is_idle() {
            self.enter_idle(now);
        } else {
            self.state = CircuitState::ClearForwardSent;
            self.start_timer(No1Timer::ReleaseGuard, now);
        }
    }

    /// The circuit is free again (or blocked, if a block was asked for meanwhile).
    pub(crate) fn enter_idle(&mut self, now: Instant) {
        for timer in [No1Timer::ReleaseGuard, No1Timer::ClearForward, No1Timer::Answer, No1Timer::SeizeAck] {
            self.timers.stop(timer);
        }
        self.call = None;
        self.state = CircuitState::Idle;
        self.push_event(Event::Idle { timeslot: self.timeslot });
        if self.block_pending {
            self.block_pending = false;
            self.block(now);
        }
    }

    /// After an unblock: idle, then whatever the far end's current signal means.
    pub(crate) fn enter_idle_or_follow_rx(&mut self, now: Instant) {
        self.state = CircuitState::Idle;
        self.call = None;
        if !self.rx_is_idle() {
            self.on_line(now);
        }
    }

    pub(crate) fn line_timeout(&mut self, now: Instant, timer: No1Timer) {
        match (timer, self.state) {
            (No1Timer::SeizeAck, CircuitState::SeizeSent) => {
                self.report_fault(LineFault::NoSeizeAck);
                self.report_released(Cause::RecoveryOnTimerExpiry, false);
                self.clear_forward(now);
            }
            (No1Timer::GlareHold, CircuitState::DualSeizure) => {
                self.report_released(Cause::RequestedChannelNotAvailable, false);
                self.clear_forward(now);
            }
            (No1Timer::Answer, CircuitState::WaitAnswer) => {
                self.report_released(Cause::NoAnswer, false);
                self.clear_forward(now);
            }
            (No1Timer::ReleaseGuard, CircuitState::ClearForwardSent) => {
                self.report_fault(LineFault::NoReleaseGuard);
                self.state = CircuitState::Fault;
            }
            (No1Timer::ClearForward, CircuitState::ClearBackSent) => {
                self.report_fault(LineFault::NoClearForward);
                self.state = CircuitState::Fault;
            }
            _ => {}
        }
    }
}
