//! The calling end's register machine (forward signals, compelled).
//!
//! A cycle: this end puts a forward signal on; the called end answers with a backward signal;
//! this end removes its signal as soon as it recognises the backward one; the called end
//! removes its signal; when this end recognises that, it acts on the backward signal (sends
//! the next digit, the category, the group II signal, or ends register signaling). A backward
//! signal that arrives while this end sends nothing is a pulsed request and is acted on the
//! same way when it ends.

use super::{Circuit, CircuitState, Forward, ForwardStep, Register};
use crate::call::Event;
use crate::mfc::{GroupA, Meaning, digit_code};
use crate::timers::No1Timer;
use tdm_base::{Cause, Instant};

impl Circuit {
    /// Seizure acknowledged (or seized, in variants without acknowledgement): send the first
    /// address digit.
    pub(crate) fn start_forward_register(&mut self, now: Instant) {
        self.state = CircuitState::OutgoingRegister;
        self.start_audio(now, true);
        self.register = Register::Forward(Forward {
            step: ForwardStep::Silent,
            dnis_sent: 0,
            ani_sent: 0,
            category_sent: false,
            group_b: false,
            end_of_dnis_sent: false,
            end_of_ani_sent: false,
        });
        self.start_timer(No1Timer::RegisterSafety, now);
        self.forward_send_dnis(now);
    }

    fn forward(&mut self) -> Option<&mut Forward> {
        match &mut self.register {
            Register::Forward(forward) => Some(forward),
            _ => None,
        }
    }

    fn forward_set_step(&mut self, step: ForwardStep) {
        if let Some(f) = self.forward() {
            f.step = step;
        }
    }

    fn forward_send(&mut self, now: Instant, code: u8, meaning: Meaning) {
        self.tone_start(now, code, meaning, false);
        self.forward_set_step(ForwardStep::Sending);
        self.timers.stop(No1Timer::ForwardRequest);
        self.start_timer(No1Timer::ForwardAck, now);
    }

    fn forward_silent(&mut self, now: Instant) {
        self.forward_set_step(ForwardStep::Silent);
        self.start_timer(No1Timer::ForwardRequest, now);
    }

    fn forward_send_dnis(&mut self, now: Instant) {
        let (Some(call), Register::Forward(f)) = (self.call, self.register) else { return };
        if let Some(digit) = call.dnis.get(f.dnis_sent) {
            if let Some(f) = self.forward() {
                f.dnis_sent += 1;
            }
            self.forward_send(now, digit_code(digit), Meaning::Digit(digit));
        } else if !call.complete {
            self.forward_set_step(ForwardStep::WaitDigits);
        } else if let Some(end) = self.config.mfc.end_of_dnis
            && !f.end_of_dnis_sent
        {
            if let Some(f) = self.forward() {
                f.end_of_dnis_sent = true;
            }
            self.forward_send(now, end, Meaning::EndOfDnis);
        } else {
            // The called end finds the end of the number by the silence.
            self.forward_silent(now);
        }
    }

    fn forward_send_ani(&mut self, now: Instant) {
        let (Some(call), Register::Forward(f)) = (self.call, self.register) else { return };
        let table = self.config.mfc;
        if let Some(digit) = call.ani.get(f.ani_sent).filter(|_| call.has_ani) {
            if let Some(f) = self.forward() {
                f.ani_sent += 1;
            }
            self.forward_send(now, digit_code(digit), Meaning::AniDigit(digit));
            return;
        }
        let end = match (call.has_ani, table.ani_restricted) {
            (false, Some(restricted)) => Some((restricted, Meaning::AniRestricted)),
            _ => table.end_of_ani.map(|end| (end, Meaning::EndOfAni)),
        };
        match end {
            Some((code, meaning)) if !f.end_of_ani_sent => {
                if let Some(f) = self.forward() {
                    f.end_of_ani_sent = true;
                }
                self.forward_send(now, code, meaning);
            }
            _ => self.forward_silent(now),
        }
    }

    /// Overlap sending: digits arrived for a request that was waiting for them.
    pub(crate) fn forward_digits_added(&mut self, now: Instant) {
        if let Register::Forward(Forward { step: ForwardStep::WaitDigits, .. }) = self.register {
            self.forward_send_dnis(now);
        }
    }

    pub(crate) fn forward_tone_on(&mut self, now: Instant, at: Instant, code: u8) {
        let Register::Forward(f) = self.register else { return };
        let table = self.config.mfc;
        let meaning = if f.group_b {
            table.group_b(code).map(Meaning::B)
        } else {
            table.group_a(code, f.category_sent).map(Meaning::A)
        };
        self.trace_received_tone(at, code, meaning.unwrap_or(Meaning::Unexpected));
        match f.step {
            ForwardStep::Sending => {
                self.tone_stop(now);
                self.timers.stop(No1Timer::ForwardAck);
            }
            ForwardStep::Silent | ForwardStep::WaitDigits => self.timers.stop(No1Timer::ForwardRequest),
            // The receiver reports an end before any new start.
            ForwardStep::AwaitBackwardOff(_) => return,
        }
        self.forward_set_step(ForwardStep::AwaitBackwardOff(code));
        self.start_timer(No1Timer::ForwardAckOff, now);
    }

    pub(crate) fn forward_tone_off(&mut self, now: Instant) {
        if let Register::Forward(Forward { step: ForwardStep::AwaitBackwardOff(code), .. }) = self.register {
            self.timers.stop(No1Timer::ForwardAckOff);
            self.forward_act(now, code);
        }
    }

    /// The backward signal `code` ended: do what it asked.
    fn forward_act(&mut self, now: Instant, code: u8) {
        let (Some(call), Register::Forward(f)) = (self.call, self.register) else { return };
        let table = self.config.mfc;
        if f.group_b {
            match table.group_b(code) {
                Some(state) if state.is_free() => {
                    self.forward_accepted(now, state == crate::GroupB::FreeCharge)
                }
                Some(state) => self.forward_fail(now, state.cause().unwrap_or(Cause::ProtocolError), true),
                None => self.forward_fail(now, Cause::ProtocolError, true),
            }
            return;
        }
        let resend_from = |back: usize| f.dnis_sent.saturating_sub(back);
        match table.group_a(code, f.category_sent) {
            Some(GroupA::NextAniDigit) => self.forward_send_ani(now),
            Some(GroupA::NextDigit) => self.forward_send_dnis(now),
            Some(GroupA::SendCategory) => {
                let category = call.category.unwrap_or(table.default_category);
                if let Some(f) = self.forward() {
                    f.category_sent = true;
                }
                self.forward_send(now, category, Meaning::Category(category));
            }
            Some(GroupA::ChangeToGroupB) => {
                let group_ii = call.group_ii.unwrap_or(table.default_group_ii);
                if let Some(f) = self.forward() {
                    f.group_b = true;
                }
                self.forward_send(now, group_ii, Meaning::GroupII(group_ii));
            }
            Some(
                resend @ (GroupA::ResendLastButOne
                | GroupA::ResendLastButTwo
                | GroupA::ResendLastButThree
                | GroupA::ResendAll),
            ) => {
                let index = match resend {
                    GroupA::ResendLastButOne => resend_from(2),
                    GroupA::ResendLastButTwo => resend_from(3),
                    GroupA::ResendLastButThree => resend_from(4),
                    _ => 0,
                };
                if let Some(f) = self.forward() {
                    f.dnis_sent = index;
                    f.end_of_dnis_sent = false;
                }
                self.forward_send_dnis(now);
            }
            Some(GroupA::Congestion) => self.forward_fail(now, Cause::SwitchingEquipmentCongestion, true),
            Some(GroupA::AddressCompleteCharge) => self.forward_accepted(now, true),
            Some(GroupA::Unallocated) => self.forward_fail(now, Cause::UnallocatedNumber, true),
            None => self.forward_fail(now, Cause::ProtocolError, true),
        }
    }

    fn forward_accepted(&mut self, now: Instant, charge: bool) {
        self.stop_register(now);
        self.state = CircuitState::WaitAnswer;
        self.start_timer(No1Timer::Answer, now);
        if let Some(call) = self.call {
            self.push_event(Event::Alerting { call: call.id, charge });
        }
    }

    fn forward_fail(&mut self, now: Instant, cause: Cause, remote: bool) {
        self.report_released(cause, remote);
        self.clear_forward(now);
    }

    /// Any register timer of the calling end ends the call: the called end stopped answering.
    pub(crate) fn forward_timeout(&mut self, now: Instant) {
        if self.state == CircuitState::OutgoingRegister {
            self.forward_fail(now, Cause::RecoveryOnTimerExpiry, false);
        }
    }
}
