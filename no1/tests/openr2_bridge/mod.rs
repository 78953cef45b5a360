//! One of this stack's circuits and one OpenR2 channel on the two ends of a simulated
//! timeslot: ABCD bits both ways, A-law audio both ways in 5 ms blocks, one virtual clock.
//! Shared by the interop tests and the benchmark.

#![allow(dead_code)]

use tdm_base::{Duration, Instant};
use tdm_dsp::g711::{ALAW_IDLE, alaw_to_linear, linear_to_alaw};
use tdm_no1::{Circuit, CircuitConfig, Event};
use tdm_peer_openr2::{Config, OpenR2, Or2Event, set_virtual_time};

/// Samples per block (5 ms).
pub const BLOCK: usize = 40;
/// OpenR2's clock reads this many microseconds at virtual time zero.
const EPOCH_US: u64 = 1_000_000_000_000;

pub struct Bridge {
    pub ours: Circuit,
    pub theirs: OpenR2,
    pub now: Instant,
    pub our_events: Vec<(Instant, Event)>,
    pub their_events: Vec<(Instant, Or2Event)>,
    their_abcd: u8,
}

impl Bridge {
    /// `None` when OpenR2 is not available.
    pub fn new(ours: CircuitConfig, theirs: &Config) -> Option<Bridge> {
        set_virtual_time(EPOCH_US);
        if let Some(level) = std::env::var("TDM_OPENR2_LOG").ok().and_then(|v| v.parse().ok()) {
            tdm_peer_openr2::set_log_level(level);
        }
        let theirs = OpenR2::new(theirs)?;
        let their_abcd = theirs.tx_abcd();
        let mut bridge = Bridge {
            ours: Circuit::new(1, ours),
            theirs,
            now: Instant::ZERO,
            our_events: Vec::new(),
            their_events: Vec::new(),
            their_abcd,
        };
        bridge.ours.handle_abcd(Instant::ZERO, their_abcd);
        bridge.collect();
        Some(bridge)
    }

    fn collect(&mut self) {
        while let Some(event) = self.ours.poll_event() {
            self.our_events.push((self.now, event));
        }
        while let Some(event) = self.theirs.poll_event() {
            self.their_events.push((self.now, event));
        }
    }

    /// One 5 ms block both ways.
    pub fn step(&mut self) {
        set_virtual_time(EPOCH_US + self.now.as_micros());
        self.ours.handle_timeout(self.now);
        while let Some(abcd) = self.ours.poll_abcd() {
            self.theirs.set_rx_abcd(abcd);
        }
        let mut samples = [0i16; BLOCK];
        let mut alaw = [ALAW_IDLE; BLOCK];
        self.ours.fill_audio(&mut samples);
        for (octet, sample) in alaw.iter_mut().zip(samples) {
            *octet = linear_to_alaw(sample);
        }
        self.theirs.push_audio(&alaw);
        self.theirs.process();
        let mut heard = [ALAW_IDLE; BLOCK];
        self.theirs.take_audio(&mut heard);
        for (sample, octet) in samples.iter_mut().zip(heard) {
            *sample = alaw_to_linear(octet);
        }
        let block_end = self.now + Duration::from_micros(125 * (BLOCK as u64 - 1));
        self.ours.handle_audio(block_end, &samples);
        let abcd = self.theirs.tx_abcd();
        if abcd != self.their_abcd {
            self.their_abcd = abcd;
            self.ours.handle_abcd(self.now, abcd);
        }
        self.collect();
        self.now += Duration::from_micros(125 * BLOCK as u64);
    }

    /// Steps until `done` holds or `limit` passes; `done` may act on either end.
    pub fn run(&mut self, limit: Duration, mut done: impl FnMut(&mut Bridge) -> bool) -> bool {
        let until = self.now + limit;
        while self.now < until {
            if done(self) {
                return true;
            }
            self.step();
        }
        done(self)
    }

    /// Whether OpenR2 reported `event` (compared as written).
    pub fn they_said(&self, event: &Or2Event) -> bool {
        self.their_events.iter().any(|(_, e)| e == event)
    }

    /// Whether this end reported an event matching `pred`.
    pub fn we_said(&self, pred: impl Fn(&Event) -> bool) -> bool {
        self.our_events.iter().any(|(_, e)| pred(e))
    }
}
