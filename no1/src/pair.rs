//! Two trunks joined in memory, end A and end B of one E1: the harness of the scenario tests
//! and the benchmark (quinn-proto's test `Pair` is the model).
//!
//! Virtual time moves in 1 ms blocks of 8 samples, as the driver delivers them. Each block,
//! every circuit that signals sends its samples through G.711 A-law to the other end, and
//! ABCD changes reach the other end [`Pair::line_delay`] later (a CAS multiframe is 2 ms).
//! When no circuit signals and no ABCD change is on its way, time jumps to the next deadline.

use crate::call::Event;
use crate::config::CircuitConfig;
use crate::trunk::{E1_TIMESLOTS, Hunt, Trunk};
use tdm_base::{Duration, Instant};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};

/// Samples per block (1 ms).
pub const BLOCK: usize = 8;

/// One end of the pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum End {
    /// End A.
    A,
    /// End B.
    B,
}

/// An ABCD change on its way.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    due: Instant,
    to: End,
    timeslot: u8,
    abcd: u8,
}

/// Two trunks on one E1.
pub struct Pair {
    /// End A.
    pub a: Trunk,
    /// End B.
    pub b: Trunk,
    /// Virtual time.
    pub now: Instant,
    /// Events of end A not yet taken.
    pub a_events: Vec<Event>,
    /// Events of end B not yet taken.
    pub b_events: Vec<Event>,
    /// How long an ABCD change takes to reach the other end.
    pub line_delay: Duration,
    /// While true, audio from end A is lost (end B hears silence).
    pub mute_a: bool,
    /// While true, audio from end B is lost (end A hears silence).
    pub mute_b: bool,
    in_flight: Vec<InFlight>,
}

impl Pair {
    /// Two trunks of 30 circuits; A hunts ascending, B descending.
    pub fn new(a: CircuitConfig, b: CircuitConfig) -> Self {
        Self::with_trunks(Trunk::new(a, Hunt::Ascending), Trunk::new(b, Hunt::Descending))
    }

    /// Two given trunks (their timeslots should match).
    pub fn with_trunks(a: Trunk, b: Trunk) -> Self {
        let mut pair = Pair {
            a,
            b,
            now: Instant::ZERO,
            a_events: Vec::new(),
            b_events: Vec::new(),
            line_delay: Duration::from_millis(2),
            mute_a: false,
            mute_b: false,
            in_flight: Vec::with_capacity(64),
        };
        pair.exchange_abcd();
        pair
    }

    /// The trunk of `end`.
    pub fn trunk(&mut self, end: End) -> &mut Trunk {
        match end {
            End::A => &mut self.a,
            End::B => &mut self.b,
        }
    }

    /// Takes the events `end` reported so far.
    pub fn take_events(&mut self, end: End) -> Vec<Event> {
        self.collect_events();
        match end {
            End::A => core::mem::take(&mut self.a_events),
            End::B => core::mem::take(&mut self.b_events),
        }
    }

    fn collect_events(&mut self) {
        while let Some(event) = self.a.poll_event() {
            self.a_events.push(event);
        }
        while let Some(event) = self.b.poll_event() {
            self.b_events.push(event);
        }
    }

    fn exchange_abcd(&mut self) {
        let due = self.now + self.line_delay;
        while let Some((timeslot, abcd)) = self.a.poll_abcd() {
            self.in_flight.push(InFlight { due, to: End::B, timeslot, abcd });
        }
        while let Some((timeslot, abcd)) = self.b.poll_abcd() {
            self.in_flight.push(InFlight { due, to: End::A, timeslot, abcd });
        }
    }

    fn deliver_abcd(&mut self) {
        let now = self.now;
        let mut i = 0;
        while i < self.in_flight.len() {
            if self.in_flight[i].due <= now {
                let change = self.in_flight.remove(i);
                self.trunk(change.to).handle_abcd(now, change.timeslot, change.abcd);
            } else {
                i += 1;
            }
        }
    }

    /// Whether any circuit at either end signals with tones now.
    pub fn audio_active(&self) -> bool {
        self.a.circuits().chain(self.b.circuits()).any(|c| c.wants_audio())
    }

    /// One block: ABCD changes due arrive, timers run, audio moves both ways, then time moves
    /// on by 1 ms.
    pub fn step(&mut self) {
        self.deliver_abcd();
        self.a.handle_timeout(self.now);
        self.b.handle_timeout(self.now);
        let mut from_a = [0i16; BLOCK];
        let mut from_b = [0i16; BLOCK];
        let block_end = self.now + Duration::from_micros(875);
        for timeslot in E1_TIMESLOTS {
            let a_signals = self.a.circuit(timeslot).is_some_and(|c| c.wants_audio());
            let b_signals = self.b.circuit(timeslot).is_some_and(|c| c.wants_audio());
            if !a_signals && !b_signals {
                continue;
            }
            self.a.fill_audio(timeslot, &mut from_a);
            self.b.fill_audio(timeslot, &mut from_b);
            for (samples, mute) in [(&mut from_a, self.mute_a), (&mut from_b, self.mute_b)] {
                for sample in samples.iter_mut() {
                    *sample = if mute { 0 } else { alaw_to_linear(linear_to_alaw(*sample)) };
                }
            }
            self.b.handle_audio(block_end, timeslot, &from_a);
            self.a.handle_audio(block_end, timeslot, &from_b);
        }
        self.exchange_abcd();
        self.collect_events();
        self.now += Duration::from_millis(1);
    }

    /// Runs until `until`: block by block while anything signals, jumping over quiet time.
    pub fn run_until(&mut self, until: Instant) {
        while self.now < until {
            self.exchange_abcd();
            if !self.audio_active() && self.in_flight.is_empty() {
                let next = [self.a.poll_timeout(), self.b.poll_timeout()].into_iter().flatten().min();
                let target = next.map_or(until, |deadline| deadline.min(until));
                // Stay on the 1 ms grid.
                let millis = target.as_millis().max(self.now.as_millis());
                self.now = Instant::from_millis(millis).max(self.now);
                if self.now >= until {
                    break;
                }
            }
            self.step();
        }
        self.collect_events();
    }

    /// Runs for `duration` of virtual time.
    pub fn run_for(&mut self, duration: Duration) {
        self.run_until(self.now + duration);
    }

    /// Runs until `done` holds (checked after every block) or `limit` passes; returns whether
    /// it held.
    pub fn run_while(&mut self, limit: Duration, mut done: impl FnMut(&mut Pair) -> bool) -> bool {
        let until = self.now + limit;
        while self.now < until {
            if done(self) {
                return true;
            }
            self.exchange_abcd();
            let quiet = !self.audio_active() && self.in_flight.is_empty();
            if quiet {
                let next = [self.a.poll_timeout(), self.b.poll_timeout()].into_iter().flatten().min();
                match next {
                    Some(deadline) if deadline > self.now => {
                        self.now = Instant::from_millis(deadline.as_millis()).max(self.now).min(until);
                    }
                    Some(_) => {}
                    None => return done(self),
                }
            }
            self.step();
        }
        done(self)
    }
}
