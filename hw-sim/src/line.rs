//! One direction of a cable: the bit-level line from a transmitter to a receiver, with
//! its delay and its impairments.
//!
//! The transmitter hands over whole 32-octet units each block; the line inverts the bits
//! the impairments pick, then shifts the stream through a delay of `bit_offset` bits, so
//! the receiver sees the transmitter's units starting at that bit of its own units.
//! Whole units that have come out of the delay go to the receiver in the same block; the
//! remainder (fewer than 256 bits) waits for the next.

use tdm_abi::UNIT_OCTETS;

use crate::bench::MAX_BIT_OFFSET;
use crate::clock::MAX_UNITS_PER_BLOCK;
use crate::rng::{ErrorClock, Xoshiro256};

/// The most octets a line carries in one block.
pub(crate) const MAX_BLOCK_OCTETS: usize = MAX_UNITS_PER_BLOCK * UNIT_OCTETS;

/// What the delay holds before the first transmitted bit comes out: marks, as from a
/// transmitter sending all ones before its first frame.
const FILLER: u8 = 0xff;

/// Bits between two errors of an [`LineDirection::inject`] series: 4 octets and one bit,
/// so consecutive errors land in different timeslots and at different bit positions.
pub(crate) const INJECTION_SPACING: u64 = 33;

/// What the fault schedule and the runtime controls impose on a direction this block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Conditions {
    /// No signal reaches the receiver (a cut, or an external port with no peer).
    pub cut: bool,
    /// All ones replace what the transmitter sends.
    pub ais: bool,
    /// One bit in every 32 is inverted.
    pub burst: bool,
}

/// What reached the receiving end of a direction this block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reception {
    /// `units` whole units were written to the output; `lcvs` line code violations were
    /// detected on them.
    Signal { units: usize, lcvs: u64 },
    /// No pulses: the receiver is in LOS.
    NoSignal,
}

/// Running counters of one direction of a cable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirectionStats {
    /// Bits the transmitter put on the line while it was not cut.
    pub bits_carried: u64,
    /// Bits that arrive inverted: random errors, bursts, injected errors and the bits
    /// line code violations corrupted, each bit counted once.
    pub bit_errors: u64,
    /// Line code violations inflicted (each also counted by the receiving span).
    pub line_code_violations: u64,
    /// Units the line handed to the receiving end (LOS zeros not included).
    pub units_delivered: u64,
    /// Blocks in which the receiver had no signal.
    pub los_blocks: u64,
    /// Blocks in which AIS replaced the signal.
    pub ais_blocks: u64,
    /// Times the stream started again after no signal (a healed cut, a new peer).
    pub restarts: u64,
    /// The delay in bits the stream currently goes through.
    pub bit_offset: u32,
    /// Units delivered to the receiving span minus units that span transmitted, summed
    /// over the blocks with signal: the net frame slips the clock difference imposes on
    /// an elastic store that follows the receiving span's transmit clock (positive: it
    /// must drop frames; negative: repeat them). Always 0 toward an external peer.
    pub frame_slips: i64,
}

/// Octets a delay line can hold: a block's worth of input on top of the residue (less
/// than one unit) that waits between blocks.
const DELAY_OCTETS: usize = MAX_BLOCK_OCTETS + UNIT_OCTETS;

/// A delay of a whole number of bits, on a stream that moves in octets.
#[derive(Debug)]
struct DelayLine {
    /// Output octets ready to leave, oldest first: `buf[..len]`.
    buf: [u8; DELAY_OCTETS],
    len: usize,
    /// The last `shift` bits of the previous input octet, not yet output.
    hold: u8,
    shift: u32,
}

impl DelayLine {
    fn new() -> Self {
        DelayLine { buf: [0; DELAY_OCTETS], len: 0, hold: 0, shift: 0 }
    }

    fn restart(&mut self, offset_bits: u32) {
        self.len = (offset_bits / 8) as usize;
        self.buf[..self.len].fill(FILLER);
        self.shift = offset_bits % 8;
        self.hold = FILLER & low_bits(self.shift);
    }

    fn push(&mut self, octets: &[u8]) {
        // The receiver takes every whole unit each block, so there is always room; an
        // input that did not fit would be cut rather than overflow.
        let n = octets.len().min(DELAY_OCTETS - self.len);
        let (src, dst) = (&octets[..n], &mut self.buf[self.len..self.len + n]);
        self.len += n;
        if n == 0 {
            return;
        }
        if self.shift == 0 {
            dst.copy_from_slice(src);
            return;
        }
        let (right, left) = (self.shift, 8 - self.shift);
        dst[0] = (self.hold << left) | (src[0] >> right);
        for (out, pair) in dst[1..].iter_mut().zip(src.windows(2)) {
            *out = (pair[0] << left) | (pair[1] >> right);
        }
        self.hold = src[n - 1] & low_bits(self.shift);
    }

    /// Moves out as many whole units as are ready and fit in `out`; returns how many.
    fn pop_units(&mut self, out: &mut [u8]) -> usize {
        let units = (self.len / UNIT_OCTETS).min(out.len() / UNIT_OCTETS);
        let octets = units * UNIT_OCTETS;
        out[..octets].copy_from_slice(&self.buf[..octets]);
        self.buf.copy_within(octets..self.len, 0);
        self.len -= octets;
        units
    }
}

fn low_bits(n: u32) -> u8 {
    ((1u16 << n) - 1) as u8
}

/// One direction of a cable.
#[derive(Debug)]
pub(crate) struct LineDirection {
    delay: DelayLine,
    rng: Xoshiro256,
    ber: ErrorClock,
    lcv: ErrorClock,
    /// The bench's bit offset; `None` draws a new one at every (re)start.
    fixed_offset: Option<u32>,
    up: bool,
    pending_injections: u64,
    /// Bit of the next block where the next injected error goes.
    injection_at: u64,
    pending_lcvs: u64,
    scratch: [u8; MAX_BLOCK_OCTETS],
    errors: [u8; MAX_BLOCK_OCTETS],
    stats: DirectionStats,
}

impl LineDirection {
    pub(crate) fn new(seed: u64, fixed_offset: Option<u32>, ber: f64, lcv_rate: f64) -> Self {
        let mut line = LineDirection {
            delay: DelayLine::new(),
            rng: Xoshiro256::from_seed(seed),
            ber: ErrorClock::off(),
            lcv: ErrorClock::off(),
            fixed_offset: fixed_offset.map(|o| o.min(MAX_BIT_OFFSET)),
            up: true,
            pending_injections: 0,
            injection_at: 0,
            pending_lcvs: 0,
            scratch: [0; MAX_BLOCK_OCTETS],
            errors: [0; MAX_BLOCK_OCTETS],
            stats: DirectionStats::default(),
        };
        line.restart();
        line.set_ber(ber);
        line.set_lcv_rate(lcv_rate);
        line
    }

    fn restart(&mut self) {
        let offset = match self.fixed_offset {
            Some(o) => o,
            None => self.rng.below(MAX_BIT_OFFSET as u64 + 1) as u32,
        };
        self.delay.restart(offset);
        self.stats.bit_offset = offset;
    }

    pub(crate) fn set_ber(&mut self, p: f64) {
        self.ber.set_rate(p, &mut self.rng);
    }

    pub(crate) fn set_lcv_rate(&mut self, p: f64) {
        self.lcv.set_rate(p, &mut self.rng);
    }

    /// Queues `count` single-bit errors, spaced [`INJECTION_SPACING`] bits apart from
    /// the first bit of the next block the line carries.
    pub(crate) fn inject(&mut self, count: u32) {
        if self.pending_injections == 0 {
            self.injection_at = 0;
        }
        self.pending_injections = self.pending_injections.saturating_add(count as u64);
    }

    pub(crate) fn stats(&self) -> DirectionStats {
        self.stats
    }

    pub(crate) fn add_frame_slips(&mut self, slips: i64) {
        self.stats.frame_slips += slips;
    }

    /// Puts one block of the transmitter's units on the line.
    pub(crate) fn transmit(&mut self, input: &[u8], conditions: Conditions) {
        if conditions.cut {
            self.up = false;
            return;
        }
        if !self.up {
            self.up = true;
            self.stats.restarts += 1;
            self.restart();
        }
        let len = input.len().min(MAX_BLOCK_OCTETS);
        let bits = len as u64 * 8;
        let data = &mut self.scratch[..len];
        if conditions.ais {
            data.fill(0xff);
            self.stats.ais_blocks += 1;
        } else {
            data.copy_from_slice(&input[..len]);
        }

        let errors = &mut self.errors[..len];
        errors.fill(0);
        let mut marked = false;
        let mut mark = |bit: u64| {
            errors[(bit / 8) as usize] |= 0x80 >> (bit % 8);
            marked = true;
        };
        self.ber.run(bits, &mut self.rng, &mut mark);
        if conditions.burst {
            for window in 0..bits / 32 {
                mark(window * 32 + self.rng.below(32));
            }
        }
        while self.pending_injections > 0 && self.injection_at < bits {
            mark(self.injection_at);
            self.injection_at += INJECTION_SPACING;
            self.pending_injections -= 1;
        }
        self.injection_at = if self.pending_injections > 0 { self.injection_at - bits } else { 0 };
        let mut lcvs = 0u64;
        self.lcv.run(bits, &mut self.rng, |bit| {
            mark(bit);
            lcvs += 1;
        });

        let mut flipped = 0u64;
        if marked {
            for (octet, error) in data.iter_mut().zip(errors.iter()) {
                *octet ^= error;
                flipped += error.count_ones() as u64;
            }
        }
        self.stats.bits_carried += bits;
        self.stats.bit_errors += flipped;
        self.stats.line_code_violations += lcvs;
        self.pending_lcvs += lcvs;
        self.delay.push(data);
    }

    /// Takes what reached the receiving end this block: whole units into `out`.
    pub(crate) fn receive(&mut self, out: &mut [u8]) -> Reception {
        if !self.up {
            self.stats.los_blocks += 1;
            return Reception::NoSignal;
        }
        let units = self.delay.pop_units(out);
        self.stats.units_delivered += units as u64;
        Reception::Signal { units, lcvs: std::mem::take(&mut self.pending_lcvs) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(n: usize, first: u8) -> Vec<u8> {
        (0..n * UNIT_OCTETS).map(|i| first.wrapping_add(i as u8)).collect()
    }

    /// Bit `i` of a stream, first-transmitted bit in the MSB.
    fn bit(stream: &[u8], i: usize) -> u8 {
        (stream[i / 8] >> (7 - i % 8)) & 1
    }

    fn run(line: &mut LineDirection, input: &[u8], conditions: Conditions) -> (Reception, Vec<u8>) {
        line.transmit(input, conditions);
        let mut out = [0u8; MAX_BLOCK_OCTETS];
        let r = line.receive(&mut out);
        let n = match r {
            Reception::Signal { units, .. } => units,
            Reception::NoSignal => 0,
        };
        (r, out[..n * UNIT_OCTETS].to_vec())
    }

    #[test]
    fn delay_shifts_the_stream_by_exactly_the_offset() {
        for offset in [0u32, 1, 7, 8, 37, 255] {
            let mut line = LineDirection::new(1, Some(offset), 0.0, 0.0);
            let input: Vec<u8> = units(16, 3);
            let (r1, out1) = run(&mut line, &input[..8 * UNIT_OCTETS], Conditions::default());
            let (r2, out2) = run(&mut line, &input[8 * UNIT_OCTETS..], Conditions::default());
            assert_eq!(r1, Reception::Signal { units: 8, lcvs: 0 });
            assert_eq!(r2, Reception::Signal { units: 8, lcvs: 0 });
            let out: Vec<u8> = [out1, out2].concat();
            let o = offset as usize;
            for i in 0..out.len() * 8 {
                let expected = if i < o { 1 } else { bit(&input, i - o) };
                assert_eq!(bit(&out, i), expected, "offset {offset}, bit {i}");
            }
            assert_eq!(line.stats().bit_offset, offset);
            assert_eq!(line.stats().units_delivered, 16);
        }
    }

    #[test]
    fn a_random_offset_comes_from_the_seed() {
        let a = LineDirection::new(42, None, 0.0, 0.0).stats().bit_offset;
        let b = LineDirection::new(42, None, 0.0, 0.0).stats().bit_offset;
        assert_eq!(a, b);
        let spread: std::collections::BTreeSet<u32> =
            (0..64).map(|s| LineDirection::new(s, None, 0.0, 0.0).stats().bit_offset).collect();
        assert!(spread.len() > 40, "{spread:?}");
    }

    #[test]
    fn a_cut_gives_no_signal_and_the_stream_restarts_after_it() {
        let mut line = LineDirection::new(5, Some(4), 0.0, 0.0);
        let data = units(8, 0);
        run(&mut line, &data, Conditions::default());
        let (r, out) = run(&mut line, &data, Conditions { cut: true, ..Default::default() });
        assert_eq!((r, out.len()), (Reception::NoSignal, 0));
        let (r, out) = run(&mut line, &data, Conditions::default());
        assert_eq!(r, Reception::Signal { units: 8, lcvs: 0 });
        // The restarted delay holds 4 filler bits again: the first octet is 1111 then the
        // top four bits of octet 0 of the new block.
        assert_eq!(out[0], 0xf0 | (data[0] >> 4));
        let s = line.stats();
        assert_eq!((s.los_blocks, s.restarts, s.bits_carried), (1, 1, 2 * 2048));
    }

    #[test]
    fn ais_delivers_all_ones() {
        let mut line = LineDirection::new(5, Some(0), 0.0, 0.0);
        let (_, out) = run(&mut line, &[0u8; 256], Conditions { ais: true, ..Default::default() });
        assert_eq!(out, vec![0xff; 256]);
        assert_eq!(line.stats().ais_blocks, 1);
    }

    #[test]
    fn a_burst_inverts_exactly_one_bit_in_every_32() {
        let mut line = LineDirection::new(9, Some(0), 0.0, 0.0);
        let (_, out) = run(&mut line, &[0u8; 256], Conditions { burst: true, ..Default::default() });
        for window in out.chunks(4) {
            assert_eq!(window.iter().map(|o| o.count_ones()).sum::<u32>(), 1);
        }
        assert_eq!(line.stats().bit_errors, 64);
    }

    #[test]
    fn injected_errors_are_spaced_and_carry_over_blocks() {
        let mut line = LineDirection::new(9, Some(0), 0.0, 0.0);
        line.inject(70);
        let (_, first) = run(&mut line, &[0u8; 256], Conditions::default());
        let (_, second) = run(&mut line, &[0u8; 256], Conditions::default());
        let stream = [first, second].concat();
        let positions: Vec<usize> = (0..stream.len() * 8).filter(|&i| bit(&stream, i) == 1).collect();
        let expected: Vec<usize> = (0..70).map(|k| k * 33).collect();
        assert_eq!(positions, expected);
        assert_eq!(line.stats().bit_errors, 70);
        let (_, third) = run(&mut line, &[0u8; 256], Conditions::default());
        assert_eq!(third, vec![0u8; 256]);
    }

    #[test]
    fn line_code_violations_invert_bits_and_are_reported() {
        let mut line = LineDirection::new(11, Some(0), 0.0, 0.01);
        let mut lcvs = 0;
        let mut ones = 0u64;
        for _ in 0..100 {
            let (r, out) = run(&mut line, &[0u8; 256], Conditions::default());
            if let Reception::Signal { lcvs: n, .. } = r {
                lcvs += n;
            }
            ones += out.iter().map(|o| o.count_ones() as u64).sum::<u64>();
        }
        let s = line.stats();
        assert_eq!(s.line_code_violations, lcvs);
        assert_eq!(s.bit_errors, ones);
        assert_eq!(ones, lcvs);
        // 204 800 bits at 1 %: expectation 2048, sigma ~45.
        assert!((1820..=2276).contains(&lcvs), "{lcvs}");
    }
}
