//! What each received TUP message does, by circuit phase (Q.724).

use super::{Call, Phase, Tup, call_nature, calling_from, calling_to, flag, unsuccessful_cause};
use crate::circuit::call::{Alert, BearerAction, CallId, Event, IncomingCall, Number, Presentation};
use crate::circuit::category::Category;
use crate::circuit::hunt;
use crate::circuit::state::{BlockKind, Origin};
use crate::label::ServiceIndicator;
use crate::mtp3::{MAX_SIF, Transfer};
use crate::tup::timers::TupTimer;
use crate::tup::wire::{Body, Gsm, Iam, Message, MessageType, Request};
use tdm_base::{Cause, Instant};

impl Tup {
    pub(crate) fn handle_transfer(&mut self, now: Instant, transfer: &Transfer) {
        if transfer.si != ServiceIndicator::Tup
            || transfer.label.opc != self.config.peer
            || transfer.label.dpc != self.config.own
        {
            self.stats.foreign += 1;
            return;
        }
        let mut sif = [0u8; MAX_SIF];
        let parsed = transfer
            .emit_sif(self.config.variant.point_codes(), &mut sif)
            .ok()
            .and_then(|len| Message::parse(self.config.variant, &sif[..len]).ok());
        let Some(message) = parsed else {
            self.stats.malformed += 1;
            return;
        };
        self.stats.received += 1;
        self.accessible = true;
        self.receive(now, message);
    }

    fn receive(&mut self, now: Instant, message: Message) {
        let cic = message.label.cic;
        match message.body {
            Body::Grs(range) => return self.on_grs(now, cic, range),
            Body::Group(t, rs) => return self.on_group(now, cic, t, rs),
            _ => {}
        }
        let Some(idx) = self.index(cic) else {
            // TUP has no "unequipped CIC" message: tell maintenance only.
            self.stats.unexpected += 1;
            self.event(Event::Alert { cic, alert: Alert::UnequippedCircuit });
            return;
        };
        match message.body {
            Body::Iam(iam) => self.on_iam(now, idx, iam, None, None),
            Body::Iai(iai) => {
                let calling = iai.calling.as_ref().map(calling_from);
                let original = iai.original_called.map(|o| Number {
                    nature: call_nature(o.nature),
                    digits: o.digits.without_st(),
                    presentation: Presentation::Allowed,
                });
                self.on_iam(now, idx, iai.iam, calling, original)
            }
            Body::Sam(digits) => self.on_digits(idx, digits),
            Body::Sao(signal) => {
                let digits = crate::circuit::digits::Digits::from_codes(&[signal]).unwrap_or_default();
                self.on_digits(idx, digits)
            }
            Body::Gsm(gsm) => self.on_gsm(idx, gsm),
            Body::Grq(request) => self.on_grq(idx, request),
            Body::Acm(_) => self.on_acm(now, idx),
            Body::Eum(eum) => {
                let cause = if eum.indicator == 1 { Cause::UserBusy } else { Cause::TemporaryFailure };
                self.on_unsuccessful(now, idx, cause)
            }
            Body::Signal(t) => self.on_signal(now, idx, t),
            Body::Chg(_) | Body::Acc(_) | Body::Mpm(_) => {}
            Body::Unknown { .. } | Body::Grs(_) | Body::Group(..) => self.stats.unexpected += 1,
        }
    }

    fn on_signal(&mut self, now: Instant, idx: usize, t: MessageType) {
        use MessageType as T;
        match t {
            T::Cot => self.on_continuity(now, idx, true),
            T::Ccf => self.on_continuity(now, idx, false),
            T::Sec
            | T::Cgc
            | T::Nnc
            | T::Adi
            | T::Cfl
            | T::Ssb
            | T::Unn
            | T::Los
            | T::Sst
            | T::Acb
            | T::Dpn
            | T::Mpr
            | T::Slb
            | T::Stb => self.on_unsuccessful(now, idx, unsuccessful_cause(t)),
            T::Anu | T::Anc | T::Ann => self.on_answer(idx),
            T::Cbk => self.on_clear_back(now, idx),
            T::Clf => self.on_clear_forward(idx),
            T::Rlg => self.on_release_guard(idx),
            T::Ccl => self.on_calling_party_clear(idx),
            T::Fot | T::Opr => self.on_forward_transfer(idx),
            T::Blo => self.on_blo(now, idx),
            T::Bla => self.on_bla(now, idx),
            T::Ubl => self.on_ubl(idx),
            T::Uba => self.on_uba(now, idx),
            T::Ccr => self.on_ccr(idx),
            T::Rsc => self.on_rsc(now, idx),
            // RAN after CBK is moot: this side clears at once on CBK. MAL is for the
            // operator's records.
            T::Ran | T::Mal => {}
            _ => self.stats.unexpected += 1,
        }
    }

    fn on_iam(
        &mut self,
        now: Instant,
        idx: usize,
        iam: Iam,
        calling: Option<Number>,
        original: Option<Number>,
    ) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::Idle => {}
            phase if phase.before_backward_message() => {
                // Dual seizure (Q.724 §8): the controlling exchange keeps its call.
                self.stats.dual_seizures += 1;
                if hunt::controls(self.config.own, self.config.peer, cic) {
                    return;
                }
                self.back_off(now, idx);
            }
            _ => return self.stats.unexpected += 1,
        }
        let blocking = self.circuits[idx].blocking;
        if blocking.locally() && iam.category != Category::TEST {
            // The peer lost our blocking: block again; it clears the call with CLF.
            self.circuits[idx].phase = Phase::InCleared;
            self.circuits[idx].release_cause = Cause::TemporaryFailure;
            if blocking.contains(Origin::Local, BlockKind::Maintenance)
                && !self.circuits[idx].has(flag::BLO_PENDING)
            {
                self.send_blo(now, idx);
            }
            return;
        }
        if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Maintenance, false) {
            self.event(Event::Unblocked { cic, origin: Origin::Remote, kind: BlockKind::Maintenance });
        }
        let incoming = IncomingCall {
            call: CallId(0),
            cic,
            called: Number {
                nature: call_nature(iam.indicators.nature),
                digits: iam.digits.without_st(),
                presentation: Presentation::Allowed,
            },
            complete: iam.digits.ends_with_st(),
            calling,
            category: iam.category,
            original_called: original,
            redirecting: None,
        };
        let call =
            Call { circuit: idx, outgoing: None, incoming: Some(incoming), presented: false, attempts: 0 };
        let Some(id) = self.calls.insert(call) else {
            self.circuits[idx].phase = Phase::InCleared;
            self.signal(cic, MessageType::Sec);
            return;
        };
        if let Some(incoming) = self.calls.get_mut(id).and_then(|c| c.incoming.as_mut()) {
            incoming.call = id;
        }
        self.circuits[idx].call = Some(id);
        match iam.indicators.continuity_check {
            1 => {
                self.circuits[idx].phase = Phase::InContinuity;
                self.connect(idx, BearerAction::ConnectLoop);
                self.start_timer(now, idx, TupTimer::Continuity);
            }
            2 => {
                self.circuits[idx].phase = Phase::InContinuity;
                self.start_timer(now, idx, TupTimer::Continuity);
            }
            _ => self.after_continuity(now, idx),
        }
    }

    fn after_continuity(&mut self, now: Instant, idx: usize) {
        let calling_known = self.circuits[idx]
            .call
            .and_then(|id| self.calls.get(id))
            .and_then(|c| c.incoming)
            .is_some_and(|i| i.calling.is_some());
        if self.config.request_calling_number && !calling_known {
            let cic = self.circuits[idx].cic;
            self.circuits[idx].phase = Phase::InInformation;
            self.send(cic, Body::Grq(Request { category: true, calling_line: true, ..Default::default() }));
            self.start_timer(now, idx, TupTimer::Gsm);
        } else {
            self.present(idx);
        }
    }

    fn on_digits(&mut self, idx: usize, digits: crate::circuit::digits::Digits) {
        let phase = self.circuits[idx].phase;
        let Some(id) = self.circuits[idx].call else { return self.stats.unexpected += 1 };
        if !matches!(phase, Phase::InContinuity | Phase::InInformation | Phase::InSetup | Phase::InAlerting) {
            return self.stats.unexpected += 1;
        }
        let complete = digits.ends_with_st();
        let digits = digits.without_st();
        let Some(incoming) = self.calls.get_mut(id).and_then(|c| c.incoming.as_mut()) else { return };
        let _ = incoming.called.digits.extend(&digits);
        incoming.complete |= complete;
        if matches!(phase, Phase::InSetup | Phase::InAlerting) {
            self.event(Event::MoreDigits { call: id, digits, complete });
        }
    }

    fn on_gsm(&mut self, idx: usize, gsm: Gsm) {
        if self.circuits[idx].phase != Phase::InInformation {
            return self.stats.unexpected += 1;
        }
        self.stop_timer(idx, TupTimer::Gsm);
        if let Some(incoming) =
            self.circuits[idx].call.and_then(|id| self.calls.get_mut(id)).and_then(|c| c.incoming.as_mut())
        {
            if let Some(cli) = &gsm.calling {
                incoming.calling = Some(calling_from(cli));
            }
            if let Some(category) = gsm.category {
                incoming.category = category;
            }
        }
        self.present(idx);
    }

    fn on_grq(&mut self, idx: usize, request: Request) {
        if !matches!(self.circuits[idx].phase, Phase::OutSetup | Phase::OutAlerting | Phase::OutAnswered) {
            return self.stats.unexpected += 1;
        }
        let Some(outgoing) =
            self.circuits[idx].call.and_then(|id| self.calls.get(id)).and_then(|c| c.outgoing)
        else {
            return;
        };
        let gsm = Gsm {
            category: request.category.then_some(outgoing.category),
            calling: if request.calling_line { outgoing.calling.as_ref().and_then(calling_to) } else { None },
            ..Default::default()
        };
        let cic = self.circuits[idx].cic;
        self.send(cic, Body::Gsm(gsm));
    }

    fn on_continuity(&mut self, now: Instant, idx: usize, passed: bool) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::InContinuity => {
                self.stop_timer(idx, TupTimer::Continuity);
                self.disconnect(idx);
                if passed {
                    self.after_continuity(now, idx);
                } else {
                    self.end_call(idx, Cause::TemporaryFailure, true);
                    self.circuits[idx].phase = Phase::RecheckIncoming;
                    self.start_timer(now, idx, TupTimer::Ccr);
                    self.event(Event::Continuity { cic, passed: false });
                }
            }
            Phase::RecheckLoop => {
                self.disconnect(idx);
                if passed {
                    self.circuits[idx].phase = Phase::Idle;
                } else {
                    self.circuits[idx].phase = Phase::RecheckIncoming;
                    self.start_timer(now, idx, TupTimer::Ccr);
                }
                self.event(Event::Continuity { cic, passed });
            }
            _ => self.stats.unexpected += 1,
        }
    }

    fn on_acm(&mut self, now: Instant, idx: usize) {
        if self.circuits[idx].phase != Phase::OutSetup {
            return self.stats.unexpected += 1;
        }
        self.stop_timer(idx, TupTimer::Acm);
        self.start_timer(now, idx, TupTimer::Answer);
        self.circuits[idx].phase = Phase::OutAlerting;
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::Alerting { call, inband: false });
        }
    }

    fn on_unsuccessful(&mut self, now: Instant, idx: usize, cause: Cause) {
        if !matches!(self.circuits[idx].phase, Phase::OutSetup | Phase::OutContinuity | Phase::OutAlerting) {
            return self.stats.unexpected += 1;
        }
        self.clear_forward(now, idx, cause, true);
    }

    fn on_answer(&mut self, idx: usize) {
        if !matches!(self.circuits[idx].phase, Phase::OutSetup | Phase::OutAlerting) {
            return self.stats.unexpected += 1;
        }
        self.stop_timer(idx, TupTimer::Acm);
        self.stop_timer(idx, TupTimer::Answer);
        self.circuits[idx].phase = Phase::OutAnswered;
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::Answered { call });
        }
    }

    fn on_clear_back(&mut self, now: Instant, idx: usize) {
        if !matches!(self.circuits[idx].phase, Phase::OutAlerting | Phase::OutAnswered) {
            return self.stats.unexpected += 1;
        }
        // The called party hung up: this (controlling) exchange clears at once.
        self.clear_forward(now, idx, Cause::NormalClearing, true);
    }

    fn on_clear_forward(&mut self, idx: usize) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::Releasing | Phase::Resetting | Phase::GroupResetting => self.signal(cic, MessageType::Rlg),
            Phase::RecheckLoop => {
                self.disconnect(idx);
                self.circuits[idx].phase = Phase::Idle;
                self.signal(cic, MessageType::Rlg);
                self.event(Event::Continuity { cic, passed: true });
            }
            Phase::InCleared => {
                self.circuits[idx].phase = Phase::Idle;
                self.signal(cic, MessageType::Rlg);
                let remote = self.circuits[idx].has(flag::REMOTE_RELEASE);
                let cause = self.circuits[idx].release_cause;
                self.end_call(idx, cause, remote);
            }
            _ => {
                self.stop_call_timers(idx);
                self.disconnect(idx);
                self.circuits[idx].phase = Phase::Idle;
                self.signal(cic, MessageType::Rlg);
                self.end_call(idx, Cause::NormalClearing, true);
            }
        }
    }

    fn on_release_guard(&mut self, idx: usize) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::Releasing => {
                self.stop_timer(idx, TupTimer::Rlg);
                self.stop_timer(idx, TupTimer::RlgLong);
                self.circuits[idx].phase = Phase::Idle;
                let remote = self.circuits[idx].has(flag::REMOTE_RELEASE);
                let cause = self.circuits[idx].release_cause;
                self.end_call(idx, cause, remote);
            }
            Phase::Resetting => {
                self.stop_timer(idx, TupTimer::Reset);
                self.stop_timer(idx, TupTimer::ResetLong);
                self.circuits[idx].phase = Phase::Idle;
                self.event(Event::Reset { cic, remote: false });
            }
            _ => self.stats.unexpected += 1,
        }
    }

    fn on_calling_party_clear(&mut self, idx: usize) {
        if !matches!(self.circuits[idx].phase, Phase::InAlerting | Phase::InAnswered) {
            return self.stats.unexpected += 1;
        }
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::CallingPartyCleared { call });
        }
    }

    fn on_forward_transfer(&mut self, idx: usize) {
        if !matches!(self.circuits[idx].phase, Phase::InSetup | Phase::InAlerting | Phase::InAnswered) {
            return self.stats.unexpected += 1;
        }
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::ForwardTransfer { call });
        }
    }

    fn on_blo(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Maintenance, true) {
            self.event(Event::Blocked { cic, origin: Origin::Remote, kind: BlockKind::Maintenance });
        }
        self.signal(cic, MessageType::Bla);
        if self.circuits[idx].phase.before_backward_message() {
            self.clear_and_repeat(now, idx);
        }
    }

    /// Clears the outgoing call on `idx` with CLF and repeats it on another circuit.
    pub(crate) fn clear_and_repeat(&mut self, now: Instant, idx: usize) {
        let call = self.circuits[idx].call.take();
        self.clear_forward(now, idx, Cause::TemporaryFailure, false);
        if let Some(id) = call {
            self.repeat_attempt(now, id, idx);
        }
    }

    fn on_bla(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        if self.circuits[idx].has(flag::BLO_PENDING) {
            self.circuits[idx].set(flag::BLO_PENDING, false);
            self.stop_timer(idx, TupTimer::Bla);
            self.stop_timer(idx, TupTimer::BlaLong);
            self.event(Event::Blocked { cic, origin: Origin::Local, kind: BlockKind::Maintenance });
        } else if !self.circuits[idx].blocking.contains(Origin::Local, BlockKind::Maintenance) {
            self.send_ubl(now, idx);
        }
    }

    fn on_ubl(&mut self, idx: usize) {
        let cic = self.circuits[idx].cic;
        if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Maintenance, false) {
            self.event(Event::Unblocked { cic, origin: Origin::Remote, kind: BlockKind::Maintenance });
        }
        self.signal(cic, MessageType::Uba);
    }

    fn on_uba(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        if self.circuits[idx].has(flag::UBL_PENDING) {
            self.circuits[idx].set(flag::UBL_PENDING, false);
            self.stop_timer(idx, TupTimer::Uba);
            self.stop_timer(idx, TupTimer::UbaLong);
            self.event(Event::Unblocked { cic, origin: Origin::Local, kind: BlockKind::Maintenance });
        } else if self.circuits[idx].blocking.contains(Origin::Local, BlockKind::Maintenance)
            && !self.circuits[idx].has(flag::BLO_PENDING)
        {
            self.send_blo(now, idx);
        }
    }

    fn on_ccr(&mut self, idx: usize) {
        if !matches!(self.circuits[idx].phase, Phase::Idle | Phase::RecheckIncoming) {
            return self.stats.unexpected += 1;
        }
        self.stop_timer(idx, TupTimer::Ccr);
        self.connect(idx, BearerAction::ConnectLoop);
        self.circuits[idx].phase = Phase::RecheckLoop;
    }

    fn on_rsc(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::Resetting | Phase::GroupResetting => self.signal(cic, MessageType::Rlg),
            Phase::Releasing => {
                self.stop_timer(idx, TupTimer::Rlg);
                self.stop_timer(idx, TupTimer::RlgLong);
                self.circuits[idx].phase = Phase::Idle;
                let remote = self.circuits[idx].has(flag::REMOTE_RELEASE);
                let cause = self.circuits[idx].release_cause;
                self.end_call(idx, cause, remote);
                self.signal(cic, MessageType::Rlg);
            }
            _ => {
                self.reset_by_peer(idx);
                self.signal(cic, MessageType::Rlg);
                let c = &self.circuits[idx];
                if c.blocking.contains(Origin::Local, BlockKind::Maintenance) && !c.has(flag::BLO_PENDING) {
                    self.send_blo(now, idx);
                }
            }
        }
    }
}
