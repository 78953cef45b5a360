//! What each circuit timer does when it expires (Q.764 Annex A, Table A.1).

use super::{Isup, Phase, flag};
use crate::circuit::call::{Alert, Event};
use crate::isup::timers::CircuitTimer;
use crate::isup::wire::Body;
use tdm_base::{Cause, Instant};

impl Isup {
    pub(crate) fn circuit_timeout(&mut self, now: Instant, idx: usize, timer: CircuitTimer) {
        let cic = self.circuits[idx].cic;
        // When a repeat timer and its long companion expire together, the long one acts.
        let long = match timer {
            CircuitTimer::T1 => Some(CircuitTimer::T5),
            CircuitTimer::T12 => Some(CircuitTimer::T13),
            CircuitTimer::T14 => Some(CircuitTimer::T15),
            CircuitTimer::T16 => Some(CircuitTimer::T17),
            _ => None,
        };
        if long
            .is_some_and(|long| self.circuits[idx].timers.get(long).is_some_and(|deadline| deadline <= now))
        {
            return;
        }
        match timer {
            CircuitTimer::T1 => {
                let cause = self.cause(self.circuits[idx].release_cause);
                self.send_rel(cic, cause);
                self.start_timer(now, idx, CircuitTimer::T1);
            }
            CircuitTimer::T5 => {
                // No RLC for minutes: reset the circuit and tell maintenance.
                self.stop_timer(idx, CircuitTimer::T1);
                let cause = self.circuits[idx].release_cause;
                self.end_call(idx, cause, false);
                self.circuits[idx].phase = Phase::Resetting;
                self.send(cic, Body::Rsc);
                self.start_timer(now, idx, CircuitTimer::T17);
                self.event(Event::Alert { cic, alert: Alert::ReleaseUnacknowledged });
            }
            CircuitTimer::T6 => {
                self.circuits[idx].set(flag::SUSPENDED, false);
                self.release(now, idx, self.cause(Cause::RecoveryOnTimerExpiry));
            }
            CircuitTimer::T7 | CircuitTimer::T8 => {
                self.release(now, idx, self.cause(Cause::RecoveryOnTimerExpiry))
            }
            CircuitTimer::T9 => self.release(now, idx, self.cause(Cause::NoAnswer)),
            CircuitTimer::T12 => {
                self.send(cic, Body::Blo);
                self.start_timer(now, idx, CircuitTimer::T12);
            }
            CircuitTimer::T13 => {
                self.stop_timer(idx, CircuitTimer::T12);
                self.send(cic, Body::Blo);
                self.start_timer(now, idx, CircuitTimer::T13);
                self.event(Event::Alert { cic, alert: Alert::BlockingUnacknowledged });
            }
            CircuitTimer::T14 => {
                self.send(cic, Body::Ubl);
                self.start_timer(now, idx, CircuitTimer::T14);
            }
            CircuitTimer::T15 => {
                self.stop_timer(idx, CircuitTimer::T14);
                self.send(cic, Body::Ubl);
                self.start_timer(now, idx, CircuitTimer::T15);
                self.event(Event::Alert { cic, alert: Alert::UnblockingUnacknowledged });
            }
            CircuitTimer::T16 => {
                self.send(cic, Body::Rsc);
                self.start_timer(now, idx, CircuitTimer::T16);
            }
            CircuitTimer::T17 => {
                self.stop_timer(idx, CircuitTimer::T16);
                self.send(cic, Body::Rsc);
                self.start_timer(now, idx, CircuitTimer::T17);
                self.event(Event::Alert { cic, alert: Alert::ResetUnacknowledged });
            }
            CircuitTimer::T24 => self.continuity_outcome(now, idx, false),
            CircuitTimer::T25 | CircuitTimer::T26 => self.recheck(now, idx),
            CircuitTimer::T27 => {
                self.circuits[idx].phase = Phase::Resetting;
                self.send(cic, Body::Rsc);
                self.start_timer(now, idx, CircuitTimer::T16);
                self.start_timer(now, idx, CircuitTimer::T17);
            }
            CircuitTimer::T33 => {
                self.event(Event::Alert { cic, alert: Alert::InformationNotReceived });
                self.release(now, idx, self.cause(Cause::RecoveryOnTimerExpiry));
            }
        }
    }
}
