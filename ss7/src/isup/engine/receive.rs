//! What each received message does, by circuit phase (Q.764 §2.1–§2.10, Annexes C/D
//! simplified to the states an end exchange needs).

use super::{Call, Isup, Phase, flag, number_from};
use crate::circuit::call::{BearerAction, Event, IncomingCall};
use crate::circuit::category::Category;
use crate::circuit::hunt;
use crate::circuit::octets::Octets;
use crate::circuit::state::{BlockKind, Origin};
use crate::isup::compat::{self, Treatment};
use crate::isup::timers::CircuitTimer;
use crate::isup::wire::{
    AddressResponse, Backward, Body, CauseIndicators, ContinuityCheck, Cpg, EventIndicator, Iam, Inf,
    InformationIndicators, InformationRequest, Inr, Message, MessageInstructions, MessageType,
    OptionalParameters, Sam, Suspend, WithCause,
};
use crate::label::ServiceIndicator;
use crate::mtp3::Transfer;
use tdm_base::{Cause, Instant};

impl Isup {
    pub(crate) fn handle_transfer(&mut self, now: Instant, transfer: &Transfer) {
        if transfer.si != ServiceIndicator::Isup
            || transfer.label.opc != self.config.peer
            || transfer.label.dpc != self.config.own
        {
            self.stats.foreign += 1;
            return;
        }
        let Ok(message) = Message::parse(transfer.payload.as_slice()) else {
            self.stats.malformed += 1;
            return;
        };
        self.stats.received += 1;
        // A message from the peer's ISUP shows it is available again after a UPU.
        self.accessible = true;
        self.receive(now, &message);
    }

    fn receive(&mut self, now: Instant, message: &Message) {
        let cic = message.cic;
        match &message.body {
            Body::Grs(range) => return self.on_grs(now, cic, range.range),
            Body::Gra(range) => return self.on_gra(now, cic, *range),
            Body::Cgb(g) => return self.on_cgb(now, cic, *g),
            Body::Cgu(g) => return self.on_cgu(cic, *g),
            Body::Cgba(g) => return self.on_group_ack(cic, *g, true),
            Body::Cgua(g) => return self.on_group_ack(cic, *g, false),
            Body::Cqm(range) => return self.on_cqm(cic, range.range),
            Body::Cqr(_) => return,
            _ => {}
        }
        let Some(idx) = self.index(cic) else {
            self.unequipped_cic(cic, message.body.message_type());
            return;
        };
        if let Body::Unrecognized(u) = &message.body {
            let instructions = u.optional.as_ref().and_then(|o| o.message_compatibility);
            self.on_unrecognized_message(now, idx, u.code, instructions);
            return;
        }
        let message_type = message.body.message_type();
        let mut rlc_cause = None;
        if let Some(optional) = message.body.optional()
            && !optional.unrecognized.is_empty()
        {
            let mut names = Octets::<32>::new();
            for p in &optional.unrecognized {
                names.push(p.name);
            }
            let may_notify = !matches!(message_type, MessageType::Rlc | MessageType::Cfn);
            let treatment = compat::unrecognized_parameters(
                &optional.unrecognized,
                optional.parameter_compatibility.as_ref(),
            );
            match treatment {
                Treatment::Release { cause } => {
                    let cause = self.cause(cause).with_diagnostic(names.as_slice());
                    let seized = message_type == MessageType::Iam && self.circuits[idx].phase == Phase::Idle;
                    if (self.circuits[idx].call.is_some() || seized) && message_type != MessageType::Rel {
                        self.release(now, idx, cause);
                    } else if may_notify {
                        self.send_cfn(cic, cause);
                    }
                    return;
                }
                Treatment::Discard { notify, cause } => {
                    if notify && may_notify {
                        let cause = self.cause(cause).with_diagnostic(names.as_slice());
                        self.send_cfn(cic, cause);
                    }
                    return;
                }
                Treatment::Process { notify } => {
                    if notify && may_notify {
                        let cause = self.cause(Cause::IeNonExistent).with_diagnostic(names.as_slice());
                        if message_type == MessageType::Rel {
                            rlc_cause = Some(cause);
                        } else {
                            self.send_cfn(cic, cause);
                        }
                    }
                }
            }
        }
        match &message.body {
            Body::Iam(iam) => self.on_iam(now, idx, iam),
            Body::Sam(sam) => self.on_sam(idx, sam),
            Body::Inr(inr) => self.on_inr(idx, inr),
            Body::Inf(inf) => self.on_inf(now, idx, inf),
            Body::Cot(c) => self.on_cot(now, idx, c.successful),
            Body::Acm(acm) => self.on_acm(now, idx, acm),
            Body::Con(_) => self.on_answer(idx, true),
            Body::Anm(_) => self.on_answer(idx, false),
            Body::Cpg(cpg) => self.on_cpg(idx, cpg),
            Body::Sus(s) => self.on_sus(now, idx, s),
            Body::Res(_) => self.on_res(idx),
            Body::Fot(_) => self.on_fot(idx),
            Body::Rel(rel) => self.on_rel(idx, rel, rlc_cause),
            Body::Rlc(_) => self.on_rlc(idx),
            Body::Ccr => self.on_ccr(idx),
            Body::Rsc => self.on_rsc(now, idx),
            Body::Blo => self.on_blo(now, idx),
            Body::Bla => self.on_bla(now, idx),
            Body::Ubl => self.on_ubl(idx),
            Body::Uba => self.on_uba(now, idx),
            Body::Ucic => self.on_ucic(now, idx),
            Body::Cfn(cfn) => self.event(Event::Confusion { cic, cause: cfn.cause.cause }),
            Body::Lpa => {}
            Body::Grs(_)
            | Body::Gra(_)
            | Body::Cgb(_)
            | Body::Cgu(_)
            | Body::Cgba(_)
            | Body::Cgua(_)
            | Body::Cqm(_)
            | Body::Cqr(_)
            | Body::Unrecognized(_) => {}
        }
    }

    /// A message for a CIC this exchange does not have (Q.764 §2.12).
    pub(crate) fn unequipped_cic(&mut self, cic: u16, message_type: MessageType) {
        self.stats.unexpected += 1;
        if message_type != MessageType::Ucic && self.config.send_ucic {
            self.send(cic, Body::Ucic);
        }
        self.event(Event::Alert { cic, alert: crate::circuit::call::Alert::UnequippedCircuit });
    }

    fn on_unrecognized_message(
        &mut self,
        now: Instant,
        idx: usize,
        code: u8,
        instructions: Option<MessageInstructions>,
    ) {
        let cic = self.circuits[idx].cic;
        match compat::unrecognized_message(instructions.as_ref()) {
            Treatment::Release { cause } => {
                let cause = self.cause(cause).with_diagnostic(&[code]);
                if self.circuits[idx].call.is_some() {
                    self.release(now, idx, cause);
                } else {
                    self.send_cfn(cic, cause);
                }
            }
            Treatment::Discard { notify: true, cause } => {
                let cause = self.cause(cause).with_diagnostic(&[code]);
                self.send_cfn(cic, cause);
            }
            _ => {}
        }
    }

    fn unexpected(&mut self) {
        self.stats.unexpected += 1;
    }

    fn on_iam(&mut self, now: Instant, idx: usize, iam: &Iam) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::Idle => {}
            phase if phase.before_backward_message() => {
                // Dual seizure (Q.764 §2.9.1.4): the controlling exchange keeps its call and
                // ignores this IAM; otherwise this call backs off to another circuit.
                self.stats.dual_seizures += 1;
                if hunt::controls(self.config.own, self.config.peer, cic) {
                    return;
                }
                self.back_off(now, idx);
            }
            _ => return self.unexpected(),
        }
        let blocking = self.circuits[idx].blocking;
        if blocking.locally() && iam.category != Category::TEST {
            // The peer lost our blocking: refuse the call and block again.
            self.release(now, idx, self.cause(Cause::TemporaryFailure));
            if blocking.contains(Origin::Local, BlockKind::Maintenance)
                && !self.circuits[idx].has(flag::BLO_PENDING)
            {
                self.send_blo(now, idx);
            }
            return;
        }
        if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Maintenance, false) {
            // An IAM on a circuit the peer had blocked unblocks it (Q.764 §2.8.2.3).
            self.event(Event::Unblocked { cic, origin: Origin::Remote, kind: BlockKind::Maintenance });
        }
        let o = &iam.optional;
        let incoming = IncomingCall {
            call: crate::circuit::call::CallId(0),
            cic,
            called: number_from(&iam.called),
            complete: iam.called.digits.ends_with_st(),
            calling: o.calling_party_number.as_ref().map(number_from),
            category: iam.category,
            original_called: o.original_called_number.as_ref().map(number_from),
            redirecting: o.redirecting_number.as_ref().map(number_from),
        };
        let call =
            Call { circuit: idx, outgoing: None, incoming: Some(incoming), presented: false, attempts: 0 };
        let Some(id) = self.calls.insert(call) else {
            self.release(now, idx, self.cause(Cause::SwitchingEquipmentCongestion));
            return;
        };
        if let Some(incoming) = self.calls.get_mut(id).and_then(|c| c.incoming.as_mut()) {
            incoming.call = id;
        }
        self.circuits[idx].call = Some(id);
        match iam.nature_of_connection.continuity_check {
            ContinuityCheck::Required => {
                self.circuits[idx].phase = Phase::InContinuity;
                self.connect(idx, BearerAction::ConnectLoop);
                self.start_timer(now, idx, CircuitTimer::T8);
            }
            ContinuityCheck::PerformedOnPreviousCircuit => {
                self.circuits[idx].phase = Phase::InContinuity;
                self.start_timer(now, idx, CircuitTimer::T8);
            }
            _ => self.after_continuity(now, idx),
        }
    }

    /// The incoming call on `idx` may proceed: ask for the calling number or present it.
    fn after_continuity(&mut self, now: Instant, idx: usize) {
        let id = self.circuits[idx].call;
        let calling_known = id
            .and_then(|id| self.calls.get(id))
            .and_then(|c| c.incoming)
            .is_some_and(|i| i.calling.is_some());
        if self.config.request_calling_number && !calling_known {
            let request = InformationRequest {
                calling_party_address: true,
                calling_party_category: true,
                ..Default::default()
            };
            let cic = self.circuits[idx].cic;
            self.circuits[idx].phase = Phase::InInformation;
            self.send(cic, Body::Inr(Inr { request, optional: OptionalParameters::default() }));
            self.start_timer(now, idx, CircuitTimer::T33);
        } else {
            self.present(idx);
        }
    }

    fn on_sam(&mut self, idx: usize, sam: &Sam) {
        let phase = self.circuits[idx].phase;
        let Some(id) = self.circuits[idx].call else { return self.unexpected() };
        if !matches!(phase, Phase::InContinuity | Phase::InInformation | Phase::InSetup | Phase::InAlerting) {
            return self.unexpected();
        }
        let complete = sam.subsequent.digits.ends_with_st();
        let digits = sam.subsequent.digits.without_st();
        let Some(incoming) = self.calls.get_mut(id).and_then(|c| c.incoming.as_mut()) else { return };
        let _ = incoming.called.digits.extend(&digits);
        incoming.complete |= complete;
        if matches!(phase, Phase::InSetup | Phase::InAlerting) {
            self.event(Event::MoreDigits { call: id, digits, complete });
        }
    }

    fn on_inr(&mut self, idx: usize, inr: &Inr) {
        if !matches!(self.circuits[idx].phase, Phase::OutSetup | Phase::OutAlerting | Phase::OutAnswered) {
            return self.unexpected();
        }
        let Some(request) =
            self.circuits[idx].call.and_then(|id| self.calls.get(id)).and_then(|c| c.outgoing)
        else {
            return;
        };
        let r = inr.request;
        let calling =
            if r.calling_party_address { request.calling.as_ref().map(super::number_to) } else { None };
        let indicators = InformationIndicators {
            calling_party_address: match (r.calling_party_address, calling.is_some()) {
                (false, _) => AddressResponse::NotIncluded,
                (true, true) => AddressResponse::Included,
                (true, false) => AddressResponse::NotAvailable,
            },
            hold_provided: false,
            calling_party_category: r.calling_party_category,
            charge_information: false,
            unsolicited: false,
        };
        let optional = OptionalParameters {
            calling_party_number: calling,
            calling_party_category: r.calling_party_category.then_some(request.category),
            ..Default::default()
        };
        let cic = self.circuits[idx].cic;
        self.send(cic, Body::Inf(Inf { indicators, optional }));
    }

    fn on_inf(&mut self, _now: Instant, idx: usize, inf: &Inf) {
        if self.circuits[idx].phase != Phase::InInformation {
            return self.unexpected();
        }
        self.stop_timer(idx, CircuitTimer::T33);
        if let Some(incoming) =
            self.circuits[idx].call.and_then(|id| self.calls.get_mut(id)).and_then(|c| c.incoming.as_mut())
        {
            if let Some(number) = &inf.optional.calling_party_number {
                incoming.calling = Some(number_from(number));
            }
            if let Some(category) = inf.optional.calling_party_category {
                incoming.category = category;
            }
        }
        self.present(idx);
    }

    fn on_cot(&mut self, now: Instant, idx: usize, successful: bool) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::InContinuity => {
                self.stop_timer(idx, CircuitTimer::T8);
                self.disconnect(idx);
                if successful {
                    self.after_continuity(now, idx);
                } else {
                    // The call was never presented; the outgoing exchange repeats it elsewhere.
                    self.end_call(idx, Cause::TemporaryFailure, true);
                    self.circuits[idx].phase = Phase::RecheckIncoming;
                    self.start_timer(now, idx, CircuitTimer::T27);
                    self.event(Event::Continuity { cic, passed: false });
                }
            }
            Phase::RecheckLoop => {
                self.disconnect(idx);
                if successful {
                    self.circuits[idx].phase = Phase::Idle;
                } else {
                    self.circuits[idx].phase = Phase::RecheckIncoming;
                    self.start_timer(now, idx, CircuitTimer::T27);
                }
                self.event(Event::Continuity { cic, passed: successful });
            }
            _ => self.unexpected(),
        }
    }

    fn on_acm(&mut self, now: Instant, idx: usize, acm: &Backward) {
        if self.circuits[idx].phase != Phase::OutSetup {
            return self.unexpected();
        }
        self.stop_timer(idx, CircuitTimer::T7);
        self.start_timer(now, idx, CircuitTimer::T9);
        self.circuits[idx].phase = Phase::OutAlerting;
        let inband = acm.optional.optional_backward_call_indicators.is_some_and(|o| o.inband_information);
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::Alerting { call, inband });
        }
    }

    fn on_answer(&mut self, idx: usize, connect: bool) {
        let phase = self.circuits[idx].phase;
        let expected = if connect {
            phase == Phase::OutSetup
        } else {
            matches!(phase, Phase::OutSetup | Phase::OutAlerting)
        };
        if !expected {
            return self.unexpected();
        }
        self.stop_timer(idx, CircuitTimer::T7);
        self.stop_timer(idx, CircuitTimer::T9);
        self.circuits[idx].phase = Phase::OutAnswered;
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::Answered { call });
        }
    }

    fn on_cpg(&mut self, idx: usize, cpg: &Cpg) {
        if !matches!(self.circuits[idx].phase, Phase::OutAlerting | Phase::OutAnswered) {
            return self.unexpected();
        }
        let Some(call) = self.circuits[idx].call else { return };
        let inband = cpg.event.event == EventIndicator::InbandInformation
            || cpg.optional.optional_backward_call_indicators.is_some_and(|o| o.inband_information);
        if cpg.event.event == EventIndicator::Alerting {
            self.event(Event::Alerting { call, inband });
        } else {
            self.event(Event::Progress { call, inband });
        }
    }

    fn on_sus(&mut self, now: Instant, idx: usize, sus: &Suspend) {
        let phase = self.circuits[idx].phase;
        if !matches!(phase, Phase::OutAnswered | Phase::InAnswered) || self.circuits[idx].has(flag::SUSPENDED)
        {
            return self.unexpected();
        }
        self.circuits[idx].set(flag::SUSPENDED, true);
        if phase == Phase::OutAnswered && sus.indicators.network_initiated {
            self.start_timer(now, idx, CircuitTimer::T6);
        }
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::Suspended { call });
        }
    }

    fn on_res(&mut self, idx: usize) {
        if !self.circuits[idx].has(flag::SUSPENDED) {
            return self.unexpected();
        }
        self.circuits[idx].set(flag::SUSPENDED, false);
        self.stop_timer(idx, CircuitTimer::T6);
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::Resumed { call });
        }
    }

    fn on_fot(&mut self, idx: usize) {
        if !matches!(self.circuits[idx].phase, Phase::InSetup | Phase::InAlerting | Phase::InAnswered) {
            return self.unexpected();
        }
        if let Some(call) = self.circuits[idx].call {
            self.event(Event::ForwardTransfer { call });
        }
    }

    fn on_rel(&mut self, idx: usize, rel: &WithCause, rlc_cause: Option<CauseIndicators>) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            // Both ends released at once, or the peer answers our reset with REL: acknowledge
            // and keep waiting for our own acknowledgement.
            Phase::Releasing | Phase::Resetting | Phase::GroupResetting => self.send_rlc(cic, rlc_cause),
            Phase::RecheckLoop => {
                // The outgoing exchange ends a successful recheck with REL.
                self.disconnect(idx);
                self.circuits[idx].phase = Phase::Idle;
                self.send_rlc(cic, rlc_cause);
                self.event(Event::Continuity { cic, passed: true });
            }
            _ => {
                self.stop_call_timers(idx);
                self.disconnect(idx);
                self.circuits[idx].phase = Phase::Idle;
                self.send_rlc(cic, rlc_cause);
                self.end_call(idx, rel.cause.cause, true);
            }
        }
    }

    fn on_rlc(&mut self, idx: usize) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::Releasing => {
                self.stop_timer(idx, CircuitTimer::T1);
                self.stop_timer(idx, CircuitTimer::T5);
                self.circuits[idx].phase = Phase::Idle;
                let cause = self.circuits[idx].release_cause;
                self.end_call(idx, cause, false);
            }
            Phase::Resetting => {
                self.stop_timer(idx, CircuitTimer::T16);
                self.stop_timer(idx, CircuitTimer::T17);
                self.circuits[idx].phase = Phase::Idle;
                self.event(Event::Reset { cic, remote: false });
            }
            _ => self.unexpected(),
        }
    }

    fn on_ccr(&mut self, idx: usize) {
        if !matches!(self.circuits[idx].phase, Phase::Idle | Phase::RecheckIncoming) {
            return self.unexpected();
        }
        self.stop_timer(idx, CircuitTimer::T27);
        self.connect(idx, BearerAction::ConnectLoop);
        self.circuits[idx].phase = Phase::RecheckLoop;
    }

    fn on_rsc(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        match self.circuits[idx].phase {
            Phase::Resetting | Phase::GroupResetting => self.send_rlc(cic, None),
            Phase::Releasing => {
                self.stop_timer(idx, CircuitTimer::T1);
                self.stop_timer(idx, CircuitTimer::T5);
                self.circuits[idx].phase = Phase::Idle;
                let cause = self.circuits[idx].release_cause;
                self.end_call(idx, cause, false);
                self.send_rlc(cic, None);
            }
            _ => {
                self.reset_by_peer(idx);
                self.send_rlc(cic, None);
                let c = &self.circuits[idx];
                if c.blocking.contains(Origin::Local, BlockKind::Maintenance) && !c.has(flag::BLO_PENDING) {
                    self.send_blo(now, idx);
                }
            }
        }
    }

    fn on_blo(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Maintenance, true) {
            self.event(Event::Blocked { cic, origin: Origin::Remote, kind: BlockKind::Maintenance });
        }
        self.send(cic, Body::Bla);
        if self.circuits[idx].phase.before_backward_message() {
            self.release_and_repeat(now, idx);
        }
    }

    fn on_bla(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        if self.circuits[idx].has(flag::BLO_PENDING) {
            self.circuits[idx].set(flag::BLO_PENDING, false);
            self.stop_timer(idx, CircuitTimer::T12);
            self.stop_timer(idx, CircuitTimer::T13);
            self.event(Event::Blocked { cic, origin: Origin::Local, kind: BlockKind::Maintenance });
        } else if !self.circuits[idx].blocking.contains(Origin::Local, BlockKind::Maintenance) {
            // An acknowledgement of a blocking this exchange does not hold: undo it.
            self.send_ubl(now, idx);
        }
    }

    fn on_ubl(&mut self, idx: usize) {
        let cic = self.circuits[idx].cic;
        if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Maintenance, false) {
            self.event(Event::Unblocked { cic, origin: Origin::Remote, kind: BlockKind::Maintenance });
        }
        self.send(cic, Body::Uba);
    }

    fn on_uba(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        if self.circuits[idx].has(flag::UBL_PENDING) {
            self.circuits[idx].set(flag::UBL_PENDING, false);
            self.stop_timer(idx, CircuitTimer::T14);
            self.stop_timer(idx, CircuitTimer::T15);
            self.event(Event::Unblocked { cic, origin: Origin::Local, kind: BlockKind::Maintenance });
        } else if self.circuits[idx].blocking.contains(Origin::Local, BlockKind::Maintenance)
            && !self.circuits[idx].has(flag::BLO_PENDING)
        {
            // An unblocking acknowledgement for a circuit this exchange keeps blocked.
            self.send_blo(now, idx);
        }
    }

    fn on_ucic(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.circuits[idx].set(flag::REMOTE_UNEQUIPPED, true);
        self.event(Event::Unequipped { cic });
        if self.circuits[idx].phase.before_backward_message() {
            self.back_off(now, idx);
        }
    }

    /// Releases the outgoing call on `idx` with REL and repeats it on another circuit.
    pub(crate) fn release_and_repeat(&mut self, now: Instant, idx: usize) {
        let call = self.circuits[idx].call.take();
        self.release(now, idx, self.cause(Cause::TemporaryFailure));
        if let Some(id) = call {
            self.repeat_attempt(now, id, idx);
        }
    }
}
