//! The called end's register machine (backward signals, compelled).
//!
//! A cycle: a forward signal arrives; this end decides and puts its backward signal on; it
//! keeps it on until the forward signal ends, then removes it and waits for the next one.
//! Where the calling end has nothing to send (no end-of-number signal in the variant, or a
//! calling end that cannot send ANI) it stays silent; this end then takes the silence as the
//! end of the number and sends its next request as a 150 ms pulse (Q.442).

use super::{Backward, BackwardPhase, BackwardStep, Circuit, CircuitState, Outcome, Register};
use crate::call::CallError;
use crate::mfc::{GroupA, GroupB, Meaning, code_digit};
use crate::timers::No1Timer;
use tdm_base::{Cause, Instant};

impl Circuit {
    /// Seized: wait for the first address digit.
    pub(crate) fn start_backward_register(&mut self, now: Instant) {
        self.state = CircuitState::IncomingRegister;
        self.start_audio(now, false);
        self.register = Register::Backward(Backward {
            step: BackwardStep::AwaitSignal,
            phase: BackwardPhase::Dnis,
            outcome: None,
            then_pulse: None,
        });
        self.start_timer(No1Timer::BackwardNext, now);
    }

    fn backward(&mut self) -> Option<&mut Backward> {
        match &mut self.register {
            Register::Backward(backward) => Some(backward),
            _ => None,
        }
    }

    fn backward_set(&mut self, step: BackwardStep, phase: Option<BackwardPhase>) {
        if let Some(b) = self.backward() {
            b.step = step;
            if let Some(phase) = phase {
                b.phase = phase;
            }
        }
    }

    fn backward_set_phase(&mut self, phase: BackwardPhase) {
        if let Some(b) = self.backward() {
            b.phase = phase;
        }
    }

    fn backward_respond(&mut self, now: Instant, meaning: GroupA) {
        let code = self.group_a_code(meaning);
        self.tone_start(now, code, Meaning::A(meaning), false);
        self.backward_set(BackwardStep::Responding, None);
        self.start_timer(No1Timer::BackwardForwardOff, now);
    }

    fn backward_pulse(&mut self, now: Instant, code: u8, meaning: Meaning) {
        self.tone_start(now, code, meaning, true);
        self.backward_set(BackwardStep::Pulsing, None);
        self.start_timer(No1Timer::Pulse, now);
    }

    /// The signal for `meaning`; congestion falls back to group B's where group A has none.
    fn group_a_code(&self, meaning: GroupA) -> u8 {
        let table = self.config.mfc;
        table.group_a_code(meaning).unwrap_or_else(|| table.group_b_code(GroupB::Congestion))
    }

    /// After the called number: ask for the category and the calling number, or go to group B.
    fn after_dnis(&self) -> (GroupA, BackwardPhase) {
        if self.config.request_ani {
            (GroupA::SendCategory, BackwardPhase::Category)
        } else {
            (GroupA::ChangeToGroupB, BackwardPhase::GroupII)
        }
    }

    pub(crate) fn backward_tone_on(&mut self, now: Instant, at: Instant, code: u8) {
        let Register::Backward(b) = self.register else { return };
        match b.step {
            BackwardStep::AwaitSignal => {}
            BackwardStep::Pulsing => {
                self.timers.stop(No1Timer::Pulse);
                self.tone_stop(now);
            }
            // A new forward signal without the end of the last one, or one during the offer:
            // the compelled sequence does not allow it; the cycle in progress decides.
            BackwardStep::Responding | BackwardStep::Offered | BackwardStep::OfferedSilent => {
                self.trace_received_tone(at, code, Meaning::Unexpected);
                return;
            }
        }
        self.timers.stop(No1Timer::BackwardNext);
        self.timers.stop(No1Timer::EndOfNumber);
        self.backward_signal(now, at, code, b.phase);
    }

    /// What the forward signal `code` means in `phase`, and the answer to it.
    fn backward_signal(&mut self, now: Instant, at: Instant, code: u8, phase: BackwardPhase) {
        let table = self.config.mfc;
        let Some(mut call) = self.call else { return };
        match phase {
            BackwardPhase::Dnis => {
                if let Some(digit) = code_digit(code) {
                    self.trace_received_tone(at, code, Meaning::Digit(digit));
                    let stored = call.dnis.push(digit).is_ok();
                    self.call = Some(call);
                    let complete = !stored
                        || call.dnis.is_full()
                        || self.config.dnis_length.is_some_and(|n| call.dnis.len() >= usize::from(n));
                    if complete {
                        self.backward_after_dnis(now);
                    } else {
                        self.backward_respond(now, GroupA::NextDigit);
                    }
                } else if Some(code) == table.end_of_dnis {
                    self.trace_received_tone(at, code, Meaning::EndOfDnis);
                    self.backward_after_dnis(now);
                } else {
                    self.trace_received_tone(at, code, Meaning::Unexpected);
                    self.backward_refuse(now);
                }
            }
            BackwardPhase::Category => {
                self.trace_received_tone(at, code, Meaning::Category(code));
                call.category = Some(code);
                self.call = Some(call);
                if self.config.request_ani {
                    self.backward_set_phase(BackwardPhase::Ani);
                    self.backward_respond(now, GroupA::NextAniDigit);
                } else {
                    self.backward_set_phase(BackwardPhase::GroupII);
                    self.backward_respond(now, GroupA::ChangeToGroupB);
                }
            }
            BackwardPhase::Ani => {
                if let Some(digit) = code_digit(code) {
                    self.trace_received_tone(at, code, Meaning::AniDigit(digit));
                    let stored = call.ani.push(digit).is_ok();
                    call.has_ani = true;
                    self.call = Some(call);
                    if !stored
                        || call.ani.is_full()
                        || call.ani.len() >= usize::from(self.config.ani_max_length)
                    {
                        self.backward_set_phase(BackwardPhase::GroupII);
                        self.backward_respond(now, GroupA::ChangeToGroupB);
                    } else {
                        self.backward_respond(now, GroupA::NextAniDigit);
                    }
                } else if Some(code) == table.end_of_ani || Some(code) == table.ani_restricted {
                    let restricted = Some(code) == table.ani_restricted;
                    let meaning = if restricted { Meaning::AniRestricted } else { Meaning::EndOfAni };
                    self.trace_received_tone(at, code, meaning);
                    call.ani_restricted = restricted;
                    self.call = Some(call);
                    self.backward_set_phase(BackwardPhase::GroupII);
                    self.backward_respond(now, GroupA::ChangeToGroupB);
                } else {
                    self.trace_received_tone(at, code, Meaning::Unexpected);
                    self.backward_refuse(now);
                }
            }
            BackwardPhase::GroupII => {
                self.trace_received_tone(at, code, Meaning::GroupII(code));
                call.group_ii = Some(code);
                self.call = Some(call);
                self.backward_set(BackwardStep::Offered, None);
                self.start_timer(No1Timer::Offer, now);
                self.report_incoming();
                if self.config.auto_accept {
                    let free = if self.config.charge { GroupB::FreeCharge } else { GroupB::FreeNoCharge };
                    let _ = self.backward_decide(now, free);
                }
            }
            BackwardPhase::Final => self.trace_received_tone(at, code, Meaning::Unexpected),
        }
    }

    fn backward_after_dnis(&mut self, now: Instant) {
        let (request, phase) = self.after_dnis();
        self.backward_set_phase(phase);
        self.backward_respond(now, request);
    }

    /// A forward signal that means nothing here: congestion, then wait for the clear-forward.
    fn backward_refuse(&mut self, now: Instant) {
        self.report_released(Cause::ProtocolError, true);
        if let Some(b) = self.backward() {
            b.phase = BackwardPhase::Final;
            b.outcome = Some(Outcome::Refused);
        }
        self.backward_respond(now, GroupA::Congestion);
    }

    pub(crate) fn backward_tone_off(&mut self, now: Instant) {
        let Register::Backward(b) = self.register else { return };
        match b.step {
            BackwardStep::Responding => {
                self.timers.stop(No1Timer::BackwardForwardOff);
                self.tone_stop(now);
                if b.phase == BackwardPhase::Final {
                    if let Some((code, meaning)) = b.then_pulse {
                        if let Some(b) = self.backward() {
                            b.then_pulse = None;
                        }
                        self.backward_pulse(now, code, meaning);
                    } else {
                        self.backward_finish(now);
                    }
                    return;
                }
                self.backward_set(BackwardStep::AwaitSignal, None);
                let call = self.call;
                let number_may_end = match b.phase {
                    BackwardPhase::Dnis => call.is_some_and(|c| !c.dnis.is_empty()),
                    BackwardPhase::Ani => true,
                    _ => false,
                };
                if number_may_end {
                    self.start_timer(No1Timer::EndOfNumber, now);
                } else {
                    self.start_timer(No1Timer::BackwardNext, now);
                }
            }
            BackwardStep::Offered => self.backward_set(BackwardStep::OfferedSilent, None),
            _ => {}
        }
    }

    /// The application's decision on an offered call: the group B signal, compelled while the
    /// group II signal is still on, pulsed once it ended.
    pub(crate) fn backward_decide(&mut self, now: Instant, state: GroupB) -> Result<(), CallError> {
        let step = match self.register {
            Register::Backward(b)
                if matches!(b.step, BackwardStep::Offered | BackwardStep::OfferedSilent) =>
            {
                b.step
            }
            _ => return Err(CallError::WrongState(self.state)),
        };
        self.timers.stop(No1Timer::Offer);
        if let Some(b) = self.backward() {
            b.phase = BackwardPhase::Final;
            b.outcome = Some(if state.is_free() { Outcome::Free } else { Outcome::Refused });
        }
        let code = self.config.mfc.group_b_code(state);
        if step == BackwardStep::Offered {
            self.tone_start(now, code, Meaning::B(state), false);
            self.backward_set(BackwardStep::Responding, None);
            self.start_timer(No1Timer::BackwardForwardOff, now);
        } else {
            self.backward_pulse(now, code, Meaning::B(state));
        }
        Ok(())
    }

    /// The application gave up the call during register signaling: refuse it with `state`
    /// (group B once offered, congestion before), now or after the cycle in progress.
    pub(crate) fn backward_abort(&mut self, now: Instant, state: GroupB) {
        let Register::Backward(b) = self.register else { return };
        match b.step {
            BackwardStep::Offered | BackwardStep::OfferedSilent => {
                let _ = self.backward_decide(now, state);
            }
            BackwardStep::AwaitSignal | BackwardStep::Pulsing | BackwardStep::Responding => {
                let (code, meaning) = if b.phase == BackwardPhase::GroupII {
                    (self.config.mfc.group_b_code(GroupB::Congestion), Meaning::B(GroupB::Congestion))
                } else {
                    (self.group_a_code(GroupA::Congestion), Meaning::A(GroupA::Congestion))
                };
                if let Some(b) = self.backward() {
                    b.phase = BackwardPhase::Final;
                    b.outcome = Some(Outcome::Refused);
                }
                match b.step {
                    BackwardStep::Responding => {
                        if let Some(b) = self.backward() {
                            b.then_pulse = Some((code, meaning));
                        }
                    }
                    _ => {
                        self.timers.stop(No1Timer::Pulse);
                        self.tone_stop(now);
                        self.timers.stop(No1Timer::BackwardNext);
                        self.timers.stop(No1Timer::EndOfNumber);
                        self.backward_pulse(now, code, meaning);
                    }
                }
            }
        }
    }

    /// The final signal's cycle is over: ring, or wait for the clear-forward.
    fn backward_finish(&mut self, now: Instant) {
        let outcome = match self.register {
            Register::Backward(b) => b.outcome,
            _ => None,
        };
        self.stop_register(now);
        if outcome == Some(Outcome::Free) {
            self.state = CircuitState::Ringing;
            if let Some(call) = self.call.filter(|c| c.answer_pending) {
                let _ = self.answer(now, call.id);
            }
        } else {
            self.state = CircuitState::ClearBackSent;
            self.start_timer(No1Timer::ClearForward, now);
        }
    }

    pub(crate) fn backward_timeout(&mut self, now: Instant, timer: No1Timer) {
        let Register::Backward(b) = self.register else { return };
        match (timer, b.step) {
            (No1Timer::Pulse, BackwardStep::Pulsing) => {
                self.tone_stop(now);
                if b.phase == BackwardPhase::Final {
                    self.backward_finish(now);
                } else {
                    self.backward_set(BackwardStep::AwaitSignal, None);
                    self.start_timer(No1Timer::BackwardNext, now);
                }
            }
            (No1Timer::EndOfNumber, BackwardStep::AwaitSignal) => match b.phase {
                BackwardPhase::Dnis => {
                    let (request, phase) = self.after_dnis();
                    self.backward_set_phase(phase);
                    self.backward_pulse(now, self.group_a_code(request), Meaning::A(request));
                }
                BackwardPhase::Ani => {
                    self.backward_set_phase(BackwardPhase::GroupII);
                    let change = GroupA::ChangeToGroupB;
                    self.backward_pulse(now, self.group_a_code(change), Meaning::A(change));
                }
                _ => {}
            },
            (No1Timer::BackwardNext, BackwardStep::AwaitSignal) => {
                self.report_released(Cause::RecoveryOnTimerExpiry, false);
                self.backward_abort(now, GroupB::Congestion);
            }
            (No1Timer::BackwardForwardOff, BackwardStep::Responding) => {
                // The forward signal never ended: stop, and wait for the clear-forward.
                self.report_released(Cause::RecoveryOnTimerExpiry, false);
                self.stop_register(now);
                self.state = CircuitState::ClearBackSent;
                self.start_timer(No1Timer::ClearForward, now);
            }
            (No1Timer::Offer, BackwardStep::Offered | BackwardStep::OfferedSilent) => {
                self.report_released(Cause::RecoveryOnTimerExpiry, false);
                let _ = self.backward_decide(now, GroupB::Congestion);
            }
            _ => {}
        }
    }
}
