//! What each TUP circuit timer does when it expires.

use super::{Phase, Tup};
use crate::circuit::call::{Alert, Event};
use crate::tup::timers::TupTimer;
use crate::tup::wire::MessageType;
use tdm_base::{Cause, Instant};

impl Tup {
    pub(crate) fn circuit_timeout(&mut self, now: Instant, idx: usize, timer: TupTimer) {
        let cic = self.circuits[idx].cic;
        // When a repeat timer and its one-minute companion expire together, the long one acts.
        let long = match timer {
            TupTimer::Rlg => Some(TupTimer::RlgLong),
            TupTimer::Bla => Some(TupTimer::BlaLong),
            TupTimer::Uba => Some(TupTimer::UbaLong),
            TupTimer::Reset => Some(TupTimer::ResetLong),
            _ => None,
        };
        if long
            .is_some_and(|long| self.circuits[idx].timers.get(long).is_some_and(|deadline| deadline <= now))
        {
            return;
        }
        let repeat = |tup: &mut Tup, signal: MessageType, short: TupTimer, long: TupTimer, alert: Alert| {
            tup.signal(cic, signal);
            if timer == long {
                tup.stop_timer(idx, short);
                tup.start_timer(now, idx, long);
                tup.event(Event::Alert { cic, alert });
            } else {
                tup.start_timer(now, idx, short);
            }
        };
        match timer {
            TupTimer::Acm => self.clear_forward(now, idx, Cause::RecoveryOnTimerExpiry, false),
            TupTimer::Answer => self.clear_forward(now, idx, Cause::NoAnswer, false),
            TupTimer::Rlg | TupTimer::RlgLong => {
                repeat(self, MessageType::Clf, TupTimer::Rlg, TupTimer::RlgLong, Alert::ReleaseUnacknowledged)
            }
            TupTimer::Bla | TupTimer::BlaLong => repeat(
                self,
                MessageType::Blo,
                TupTimer::Bla,
                TupTimer::BlaLong,
                Alert::BlockingUnacknowledged,
            ),
            TupTimer::Uba | TupTimer::UbaLong => repeat(
                self,
                MessageType::Ubl,
                TupTimer::Uba,
                TupTimer::UbaLong,
                Alert::UnblockingUnacknowledged,
            ),
            TupTimer::Reset | TupTimer::ResetLong => repeat(
                self,
                MessageType::Rsc,
                TupTimer::Reset,
                TupTimer::ResetLong,
                Alert::ResetUnacknowledged,
            ),
            TupTimer::Continuity | TupTimer::Ccr => {
                // No continuity signal, or no recheck request: reset the circuit.
                self.stop_call_timers(idx);
                self.disconnect(idx);
                self.end_call(idx, Cause::RecoveryOnTimerExpiry, false);
                self.circuits[idx].phase = Phase::Resetting;
                self.signal(cic, MessageType::Rsc);
                self.start_timer(now, idx, TupTimer::Reset);
                self.start_timer(now, idx, TupTimer::ResetLong);
            }
            TupTimer::CheckTone => self.continuity_outcome(now, idx, false),
            TupTimer::RecheckFirst | TupTimer::RecheckLater => self.recheck(now, idx),
            TupTimer::Gsm => {
                self.event(Event::Alert { cic, alert: Alert::InformationNotReceived });
                self.circuits[idx].release_cause = Cause::RecoveryOnTimerExpiry;
                self.circuits[idx].phase = Phase::InCleared;
                self.signal(cic, MessageType::Cfl);
            }
        }
    }
}
