//! Two signalling points joined at the MTP3 user level, in memory: the harness of the
//! scenario tests and the benchmark (quinn-proto's test `Pair` is the model).
//!
//! Messages go from one side's `poll_transmit` straight into the other's
//! `handle_indication` at the same virtual instant; [`Pair::advance`] jumps virtual time to
//! the earliest deadline of either side. The speech paths are simulated for continuity
//! checks: a transceiver one side connects hears its own tone when the other side has looped
//! the circuit, unless the circuit is marked broken.

use super::call::{BearerAction, Event};
use super::continuity::ContinuityTransceiver;
use super::user_part::UserPart;
use crate::mtp3::{Indication, Transfer};
use std::collections::{BTreeMap, BTreeSet};
use tdm_base::{Duration, Instant};

/// One side of a [`Pair`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum End {
    /// Side A.
    A,
    /// Side B.
    B,
}

impl End {
    /// The other side.
    pub fn peer(self) -> End {
        match self {
            End::A => End::B,
            End::B => End::A,
        }
    }
}

/// A message seen between the two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Traced {
    /// When it was sent.
    pub at: Instant,
    /// Who sent it.
    pub from: End,
    /// The message.
    pub transfer: Transfer,
    /// Whether the link was cut (the message was lost).
    pub lost: bool,
}

/// Two user parts on one link.
pub struct Pair<U: UserPart> {
    /// Side A.
    pub a: U,
    /// Side B.
    pub b: U,
    /// Virtual time.
    pub now: Instant,
    /// Events of side A not yet taken.
    pub a_events: Vec<Event>,
    /// Events of side B not yet taken.
    pub b_events: Vec<Event>,
    /// While true every message is lost.
    pub cut: bool,
    /// Every message, when tracing is on.
    pub trace: Option<Vec<Traced>>,
    /// Circuits whose speech path is broken: check tone does not come back.
    pub broken: BTreeSet<u16>,
    transceivers: BTreeMap<(End, u16), ContinuityTransceiver>,
    loops: BTreeSet<(End, u16)>,
}

impl<U: UserPart> Pair<U> {
    /// A pair of `a` and `b` at time zero.
    pub fn new(a: U, b: U) -> Self {
        Pair {
            a,
            b,
            now: Instant::ZERO,
            a_events: Vec::new(),
            b_events: Vec::new(),
            cut: false,
            trace: None,
            broken: BTreeSet::new(),
            transceivers: BTreeMap::new(),
            loops: BTreeSet::new(),
        }
    }

    /// Side `end`.
    pub fn side(&mut self, end: End) -> &mut U {
        match end {
            End::A => &mut self.a,
            End::B => &mut self.b,
        }
    }

    /// Takes the events `end` reported so far.
    pub fn take_events(&mut self, end: End) -> Vec<Event> {
        match end {
            End::A => core::mem::take(&mut self.a_events),
            End::B => core::mem::take(&mut self.b_events),
        }
    }

    /// Both sides start (group reset of every circuit); messages are exchanged until quiet.
    pub fn start(&mut self) {
        self.a.start(self.now);
        self.b.start(self.now);
        self.drive();
    }

    /// Exchanges messages, collects events and runs continuity checks until nothing moves.
    pub fn drive(&mut self) {
        loop {
            let moved = self.transfer(End::A) | self.transfer(End::B);
            let events = self.collect(End::A) | self.collect(End::B);
            let checked = self.check_continuity();
            if !moved && !events && !checked {
                break;
            }
        }
    }

    fn transfer(&mut self, from: End) -> bool {
        let mut moved = false;
        loop {
            let (sender, receiver) = match from {
                End::A => (&mut self.a, &mut self.b),
                End::B => (&mut self.b, &mut self.a),
            };
            let Some(transfer) = sender.poll_transmit() else { break };
            moved = true;
            if let Some(trace) = self.trace.as_mut() {
                trace.push(Traced { at: self.now, from, transfer, lost: self.cut });
            }
            if !self.cut {
                receiver.handle_indication(self.now, &Indication::Transfer(transfer));
            }
        }
        moved
    }

    fn collect(&mut self, end: End) -> bool {
        let mut any = false;
        loop {
            let event = match end {
                End::A => self.a.poll_event(),
                End::B => self.b.poll_event(),
            };
            let Some(event) = event else { break };
            any = true;
            if let Event::Bearer { cic, action } = event {
                match action {
                    BearerAction::ConnectTransceiver => {
                        self.transceivers.insert((end, cic), ContinuityTransceiver::new());
                    }
                    BearerAction::ConnectLoop => {
                        self.loops.insert((end, cic));
                    }
                    BearerAction::Disconnect => {
                        self.transceivers.remove(&(end, cic));
                        self.loops.remove(&(end, cic));
                    }
                }
            }
            match end {
                End::A => self.a_events.push(event),
                End::B => self.b_events.push(event),
            }
        }
        any
    }

    /// Plays 100 ms of check tone through every connected transceiver's circuit; reports
    /// the tone heard back. Returns whether any result was reported.
    fn check_continuity(&mut self) -> bool {
        let mut results = Vec::new();
        for (&(end, cic), transceiver) in self.transceivers.iter_mut() {
            if transceiver.is_recognised() {
                continue;
            }
            let looped = self.loops.contains(&(end.peer(), cic)) && !self.broken.contains(&cic);
            let mut tone = [0i16; 800];
            transceiver.generate(&mut tone);
            // The far end's loop returns the tone 6 dB down (3 dB of loss each way); a
            // broken path returns silence.
            let back: Vec<i16> = tone.iter().map(|s| if looped { s / 2 } else { 0 }).collect();
            if transceiver.receive(&back) {
                results.push((end, cic));
            }
        }
        for &(end, cic) in &results {
            let now = self.now;
            self.side(end).continuity_result(now, cic, true);
        }
        !results.is_empty()
    }

    /// The earliest deadline of either side.
    pub fn next_deadline(&self) -> Option<Instant> {
        [self.a.poll_timeout(), self.b.poll_timeout()].into_iter().flatten().min()
    }

    /// Jumps to the earliest deadline, runs both sides' timers and exchanges what follows.
    /// Returns `false` (and does nothing) when no timer runs.
    pub fn advance(&mut self) -> bool {
        let Some(deadline) = self.next_deadline() else { return false };
        self.now = self.now.max(deadline);
        self.a.handle_timeout(self.now);
        self.b.handle_timeout(self.now);
        self.drive();
        true
    }

    /// Runs every deadline up to `until`, then sets the time to `until`.
    pub fn advance_until(&mut self, until: Instant) {
        while self.next_deadline().is_some_and(|deadline| deadline <= until) {
            self.advance();
        }
        self.now = self.now.max(until);
        self.drive();
    }

    /// Runs for `duration` of virtual time.
    pub fn run_for(&mut self, duration: Duration) {
        self.advance_until(self.now + duration);
    }
}
