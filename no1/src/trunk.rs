//! The No.1 circuits of one E1 (timeslots 1–15 and 17–31; TS16 carries their ABCD bits), with
//! the call API the ISDN and ISUP stacks also expose: place a call on any idle circuit,
//! accept, answer, hang up, and events from every circuit in one stream.

use crate::call::{CallError, CallId, Event, OutgoingCall};
use crate::circuit::Circuit;
use crate::config::CircuitConfig;
use crate::digits::Digits;
use tdm_base::{Cause, Instant};

/// Where an outgoing call looks for an idle circuit first. Opposite orders at the two ends of
/// a trunk make dual seizure rare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hunt {
    /// Lowest timeslot first.
    Ascending,
    /// Highest timeslot first.
    Descending,
}

/// The bearer timeslots of an E1 with CAS.
pub const E1_TIMESLOTS: [u8; 30] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29,
    30, 31,
];

/// The circuits of one E1.
#[derive(Debug, Clone)]
pub struct Trunk {
    circuits: Vec<Circuit>,
    /// Index into `circuits` per timeslot.
    index: [Option<u8>; 32],
    hunt: Hunt,
    /// Circuit whose events are taken first next time (round robin).
    next_event: usize,
    next_abcd: usize,
}

impl Trunk {
    /// All 30 bearer circuits of an E1, each with `config`.
    pub fn new(config: CircuitConfig, hunt: Hunt) -> Self {
        Self::with_timeslots(&E1_TIMESLOTS, config, hunt)
    }

    /// The circuits of `timeslots` (duplicates and timeslots 0, 16 and above 31 are left out).
    pub fn with_timeslots(timeslots: &[u8], config: CircuitConfig, hunt: Hunt) -> Self {
        let mut index = [None; 32];
        let mut circuits = Vec::with_capacity(timeslots.len());
        for &ts in timeslots {
            if let Some(slot) = index.get_mut(usize::from(ts)).filter(|s| s.is_none() && ts != 0 && ts != 16)
            {
                *slot = Some(circuits.len() as u8);
                circuits.push(Circuit::new(ts, config.clone()));
            }
        }
        Trunk { circuits, index, hunt, next_event: 0, next_abcd: 0 }
    }

    /// The circuit on `timeslot`.
    pub fn circuit(&self, timeslot: u8) -> Option<&Circuit> {
        let i = (*self.index.get(usize::from(timeslot))?)?;
        self.circuits.get(usize::from(i))
    }

    /// The circuit on `timeslot`, to command directly.
    pub fn circuit_mut(&mut self, timeslot: u8) -> Option<&mut Circuit> {
        let i = (*self.index.get(usize::from(timeslot))?)?;
        self.circuits.get_mut(usize::from(i))
    }

    /// Every circuit, by ascending timeslot of configuration order.
    pub fn circuits(&self) -> impl Iterator<Item = &Circuit> + '_ {
        self.circuits.iter()
    }

    /// Number of idle circuits.
    pub fn idle_count(&self) -> usize {
        self.circuits.iter().filter(|c| c.is_idle()).count()
    }

    fn of_call(&mut self, call: CallId) -> Result<&mut Circuit, CallError> {
        self.circuit_mut(call.timeslot).ok_or(CallError::UnknownCall)
    }

    /// Places a call on the first idle circuit in hunting order.
    pub fn place_call(&mut self, now: Instant, request: &OutgoingCall) -> Result<CallId, CallError> {
        let count = self.circuits.len();
        for k in 0..count {
            let i = match self.hunt {
                Hunt::Ascending => k,
                Hunt::Descending => count - 1 - k,
            };
            if let Some(circuit) = self.circuits.get_mut(i)
                && circuit.is_idle()
            {
                return circuit.place_call(now, request);
            }
        }
        Err(CallError::NoCircuit)
    }

    /// Places a call on `timeslot`.
    pub fn place_call_on(
        &mut self,
        now: Instant,
        timeslot: u8,
        request: &OutgoingCall,
    ) -> Result<CallId, CallError> {
        self.circuit_mut(timeslot).ok_or(CallError::NoCircuit)?.place_call(now, request)
    }

    /// Overlap sending; see [`Circuit::send_digits`].
    pub fn send_digits(
        &mut self,
        now: Instant,
        call: CallId,
        digits: &Digits,
        complete: bool,
    ) -> Result<(), CallError> {
        self.of_call(call)?.send_digits(now, call, digits, complete)
    }

    /// See [`Circuit::accept`].
    pub fn accept(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        self.of_call(call)?.accept(now, call)
    }

    /// See [`Circuit::reject`].
    pub fn reject(&mut self, now: Instant, call: CallId, cause: Cause) -> Result<(), CallError> {
        self.of_call(call)?.reject(now, call, cause)
    }

    /// See [`Circuit::answer`].
    pub fn answer(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        self.of_call(call)?.answer(now, call)
    }

    /// See [`Circuit::hangup`].
    pub fn hangup(&mut self, now: Instant, call: CallId, cause: Cause) -> Result<(), CallError> {
        self.of_call(call)?.hangup(now, call, cause)
    }

    /// A received ABCD change on `timeslot`'s circuit (ignored for other timeslots).
    pub fn handle_abcd(&mut self, now: Instant, timeslot: u8, abcd: u8) {
        if let Some(circuit) = self.circuit_mut(timeslot) {
            circuit.handle_abcd(now, abcd);
        }
    }

    /// Received samples of `timeslot`'s circuit.
    pub fn handle_audio(&mut self, now: Instant, timeslot: u8, samples: &[i16]) {
        if let Some(circuit) = self.circuit_mut(timeslot) {
            circuit.handle_audio(now, samples);
        }
    }

    /// Samples to send on `timeslot` (silence for unknown timeslots).
    pub fn fill_audio(&mut self, timeslot: u8, out: &mut [i16]) {
        match self.circuit_mut(timeslot) {
            Some(circuit) => circuit.fill_audio(out),
            None => out.fill(0),
        }
    }

    /// Runs every circuit's expired timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        for circuit in &mut self.circuits {
            if circuit.poll_timeout().is_some_and(|deadline| deadline <= now) {
                circuit.handle_timeout(now);
            }
        }
    }

    /// The earliest deadline of all circuits.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.circuits.iter().filter_map(Circuit::poll_timeout).min()
    }

    /// The next changed nibble to send, as (timeslot, ABCD).
    pub fn poll_abcd(&mut self) -> Option<(u8, u8)> {
        let count = self.circuits.len();
        for k in 0..count {
            let i = (self.next_abcd + k) % count;
            if let Some(abcd) = self.circuits.get_mut(i).and_then(Circuit::poll_abcd) {
                self.next_abcd = (i + 1) % count;
                return self.circuits.get(i).map(|c| (c.timeslot(), abcd));
            }
        }
        None
    }

    /// The next event of any circuit.
    pub fn poll_event(&mut self) -> Option<Event> {
        let count = self.circuits.len();
        for k in 0..count {
            let i = (self.next_event + k) % count;
            if let Some(event) = self.circuits.get_mut(i).and_then(Circuit::poll_event) {
                self.next_event = (i + 1) % count;
                return Some(event);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CircuitState;

    #[test]
    fn an_e1_has_thirty_circuits_without_ts0_and_ts16() {
        let trunk = Trunk::new(CircuitConfig::china(), Hunt::Ascending);
        assert_eq!(trunk.circuits().count(), 30);
        assert!(trunk.circuit(0).is_none());
        assert!(trunk.circuit(16).is_none());
        assert!(trunk.circuit(32).is_none());
        assert_eq!(trunk.circuit(17).map(Circuit::timeslot), Some(17));
        assert_eq!(trunk.idle_count(), 30);
        let odd = Trunk::with_timeslots(&[0, 3, 3, 16, 40, 5], CircuitConfig::china(), Hunt::Ascending);
        assert_eq!(odd.circuits().map(Circuit::timeslot).collect::<Vec<_>>(), vec![3, 5]);
    }

    #[test]
    fn hunting_takes_the_lowest_or_highest_idle_circuit() {
        let call = OutgoingCall::new("1234", None).unwrap();
        let mut up = Trunk::new(CircuitConfig::china(), Hunt::Ascending);
        assert_eq!(up.place_call(Instant::ZERO, &call).map(|c| c.timeslot), Ok(1));
        assert_eq!(up.place_call(Instant::ZERO, &call).map(|c| c.timeslot), Ok(2));
        let mut down = Trunk::new(CircuitConfig::china(), Hunt::Descending);
        assert_eq!(down.place_call(Instant::ZERO, &call).map(|c| c.timeslot), Ok(31));
        assert_eq!(down.circuit(31).map(Circuit::state), Some(CircuitState::SeizeSent));
        let sent: Vec<_> = core::iter::from_fn(|| down.poll_abcd()).collect();
        assert_eq!(sent.len(), 30);
        assert!(sent.contains(&(31, 0x3)) && sent.contains(&(1, 0xB)), "{sent:?}");
        assert_eq!(down.poll_abcd(), None);
        let mut full = Trunk::with_timeslots(&[1], CircuitConfig::china(), Hunt::Ascending);
        full.place_call(Instant::ZERO, &call).unwrap();
        assert_eq!(full.place_call(Instant::ZERO, &call), Err(CallError::NoCircuit));
        assert_eq!(
            full.hangup(Instant::ZERO, CallId { timeslot: 9, generation: 1 }, Cause::NormalClearing),
            Err(CallError::UnknownCall)
        );
    }
}
