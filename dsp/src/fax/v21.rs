//! V.21 channel 2 (the T.30 control channel): FSK at 300 bit/s, mark (1) = 1650 Hz,
//! space (0) = 1850 Hz; and the HDLC flag preamble (0x7E, 1 s ± 15 % before the first frame)
//! that announces a fax terminal even when it sent no CED.
//!
//! Receiver: the signal is mixed down by the channel centre (1750 Hz), so mark and space
//! become −100 Hz and +100 Hz; two one-pole low-pass stages (corner ≈ 370 Hz) remove the
//! 3.5 kHz image; the discriminator `Im(z[n]·conj(z[n−1]))` is positive for space and negative
//! for mark. It is integrated over each bit, with the bit clock pulled (gain ½ while
//! acquiring, ¼ after) towards the discriminator's sign changes. A carrier is present while
//! the filtered power holds at least a quarter of the signal's (with hysteresis) and is above
//! −43 dBm0. Back-to-back flags are counted on the recovered bits; five make a preamble
//! (as spandsp), and the first non-flag octet ends it.

use crate::fax::probe::{Nco, cos_sin_q15, phase_step};
use crate::fax::{FaxEvent, FaxTone, MIN_LEVEL_DBM0, SAMPLE_RATE_HZ, sine_mean_square, sine_peak};

/// Mark frequency (binary 1).
pub const MARK_HZ: u32 = 1650;
/// Space frequency (binary 0).
pub const SPACE_HZ: u32 = 1850;
/// Bit rate.
pub const BIT_RATE: u32 = 300;
/// Consecutive flags that make a preamble.
pub const FLAGS_TO_RECOGNIZE: u8 = 5;

const CENTRE_MHZ: u64 = 1_750_000;
const HDLC_FLAG: u8 = 0x7E;
/// Bit clock increment per sample, as a fraction of 2^32.
const BIT_STEP: u32 = phase_step(BIT_RATE as u64 * 1000, SAMPLE_RATE_HZ as u64);
/// Length of one octet in samples (8 × 26⅔), rounded.
const OCTET_SAMPLES: u64 = (8 * SAMPLE_RATE_HZ as u64 + BIT_RATE as u64 / 2) / BIT_RATE as u64;
/// Samples between carrier decisions (1 ms); the power averages span four of them.
const CARRIER_TICK: u8 = 8;
/// Fraction bits kept in the low-pass states.
const FILTER_FRACTION: u32 = 4;
/// Delay of the low-pass stages and the bit decision, in samples (measured on clean
/// flags); subtracted so that reported times are those of the line signal.
const DEMODULATOR_DELAY: u64 = 7;
/// Transitions seen before the bit clock loop drops to its tracking gain.
const ACQUISITION_TRANSITIONS: u8 = 6;

/// Demodulator and preamble detector for V.21 channel 2 on one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V21PreambleDetector {
    nco: Nco,
    clock: u64,
    /// Two low-pass stages on the mixed-down signal (I, Q).
    stage1: (i32, i32),
    stage2: (i32, i32),
    /// Smoothed |z|² and x² for the carrier test, updated every [`CARRIER_TICK`] samples
    /// from the current |z|² and the tick's Σx².
    band_power: i64,
    total_power: i64,
    energy: i64,
    tick: u8,
    min_mean_square: i64,
    carrier: bool,
    /// Bit clock phase: a bit boundary each time it wraps.
    bit_phase: u32,
    transitions: u8,
    last_sign: bool,
    bit_integral: i64,
    /// The last recovered bits, newest in bit 7 (HDLC sends each octet LSB first).
    shift: u8,
    bits_since_flag: u8,
    flags: u8,
    recognized: bool,
    run_start: u64,
    last_flag_end: u64,
}

impl Default for V21PreambleDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl V21PreambleDetector {
    /// A detector with the sample clock at zero.
    pub fn new() -> Self {
        Self {
            nco: Nco::new(CENTRE_MHZ, u64::from(SAMPLE_RATE_HZ)),
            clock: 0,
            stage1: (0, 0),
            stage2: (0, 0),
            band_power: 0,
            total_power: 0,
            energy: 0,
            tick: 0,
            min_mean_square: sine_mean_square(MIN_LEVEL_DBM0),
            carrier: false,
            bit_phase: 0,
            transitions: 0,
            last_sign: false,
            bit_integral: 0,
            shift: 0,
            bits_since_flag: 0,
            flags: 0,
            recognized: false,
            run_start: 0,
            last_flag_end: 0,
        }
    }

    /// Processes a block of any length.
    pub fn process(&mut self, samples: &[i16], emit: &mut impl FnMut(FaxEvent)) {
        let mut pos = 0;
        while pos < samples.len() {
            let take = usize::from(CARRIER_TICK - self.tick).min(samples.len() - pos);
            let chunk = &samples[pos..pos + take];
            pos += take;
            if self.carrier {
                self.demodulate(chunk, emit);
            } else {
                // No carrier: only the front end and the power sums run, in locals.
                let (mut nco, mut stage1, mut stage2, mut energy) =
                    (self.nco, self.stage1, self.stage2, self.energy);
                for &x in chunk {
                    let x = i32::from(x);
                    energy += i64::from(x * x);
                    front_end(&mut nco, &mut stage1, &mut stage2, x);
                }
                (self.nco, self.stage1, self.stage2, self.energy) = (nco, stage1, stage2, energy);
                self.clock += take as u64;
            }
            self.tick += take as u8;
            if self.tick == CARRIER_TICK {
                self.tick = 0;
                self.update_carrier(emit);
            }
        }
    }

    /// Samples with the carrier present: front end, discriminator, bit clock, bits. The hot
    /// state lives in locals; `on_bit` (once in 26⅔ samples) sees the clock it needs.
    fn demodulate(&mut self, chunk: &[i16], emit: &mut impl FnMut(FaxEvent)) {
        let (mut nco, mut stage1, mut stage2) = (self.nco, self.stage1, self.stage2);
        let (mut energy, mut integral, mut phase) = (self.energy, self.bit_integral, self.bit_phase);
        for &x in chunk {
            self.clock += 1;
            let x = i32::from(x);
            energy += i64::from(x * x);
            let previous = stage2;
            front_end(&mut nco, &mut stage1, &mut stage2, x);
            let (zi, zq) = (i64::from(stage2.0), i64::from(stage2.1));
            let (pi, pq) = (i64::from(previous.0), i64::from(previous.1));
            let discriminator = zq * pi - zi * pq;
            integral += discriminator;
            let sign = discriminator > 0;
            if sign != self.last_sign {
                self.last_sign = sign;
                // The boundary belongs where the discriminator changes sign: pull the clock.
                let error = phase as i32;
                let gain = if self.transitions < ACQUISITION_TRANSITIONS { 1 } else { 2 };
                phase = phase.wrapping_sub((error >> gain) as u32);
                self.transitions = self.transitions.saturating_add(1);
            }
            let (next, wrapped) = phase.overflowing_add(BIT_STEP);
            phase = next;
            if wrapped {
                // Negative discriminator: below the centre, i.e. mark (1).
                let bit = integral < 0;
                integral = 0;
                self.on_bit(bit, emit);
            }
        }
        (self.nco, self.stage1, self.stage2) = (nco, stage1, stage2);
        (self.energy, self.bit_integral, self.bit_phase) = (energy, integral, phase);
    }

    /// Once a tick: the power averages and the carrier decision.
    fn update_carrier(&mut self, emit: &mut impl FnMut(FaxEvent)) {
        // Mixing halves a tone's amplitude, so a clean in-band tone gives |z|² ≈ x²/2 (less
        // the filter's loss); the fraction bits scale |z|² by 2^8. z is already low-passed,
        // so its power sampled once a tick is as good as summed.
        let (zi, zq) = (i64::from(self.stage2.0), i64::from(self.stage2.1));
        let z_power = (zi * zi + zq * zq) >> (2 * FILTER_FRACTION);
        let mean_square = self.energy / i64::from(CARRIER_TICK);
        self.energy = 0;
        self.band_power += (z_power - self.band_power) >> 2;
        self.total_power += (mean_square - self.total_power) >> 2;
        let carrier = self.carrier_test();
        if carrier != self.carrier {
            self.carrier = carrier;
            if !carrier {
                self.end_run(emit);
            }
            self.transitions = 0;
            self.bit_integral = 0;
        }
    }

    /// Ends a preamble still running, as if the input stopped.
    pub fn finish(&mut self, emit: &mut impl FnMut(FaxEvent)) {
        self.end_run(emit);
    }

    fn carrier_test(&self) -> bool {
        // On at a quarter of the power in band, off under a sixth.
        let in_band = if self.carrier {
            6 * self.band_power >= self.total_power
        } else {
            4 * self.band_power >= self.total_power
        };
        in_band && self.total_power >= self.min_mean_square
    }

    fn on_bit(&mut self, bit: bool, emit: &mut impl FnMut(FaxEvent)) {
        self.shift = (self.shift >> 1) | (u8::from(bit) << 7);
        self.bits_since_flag = self.bits_since_flag.saturating_add(1);
        if self.shift == HDLC_FLAG {
            if self.bits_since_flag == 8 && self.flags > 0 {
                self.flags = self.flags.saturating_add(1);
            } else {
                self.end_run(emit);
                self.flags = 1;
                self.run_start = self.clock.saturating_sub(OCTET_SAMPLES + DEMODULATOR_DELAY);
            }
            self.bits_since_flag = 0;
            self.last_flag_end = self.clock.saturating_sub(DEMODULATOR_DELAY);
            if self.flags >= FLAGS_TO_RECOGNIZE && !self.recognized {
                self.recognized = true;
                emit(FaxEvent::Recognized { tone: FaxTone::V21Preamble, start: self.run_start });
            }
        } else if self.bits_since_flag >= 8 && self.flags > 0 {
            self.end_run(emit);
        }
    }

    fn end_run(&mut self, emit: &mut impl FnMut(FaxEvent)) {
        if self.recognized {
            emit(FaxEvent::Ended {
                tone: FaxTone::V21Preamble,
                start: self.run_start,
                end: self.last_flag_end,
            });
        }
        self.recognized = false;
        self.flags = 0;
    }
}

/// Mixes one sample down by the channel centre and runs the two low-pass stages.
#[inline(always)]
fn front_end(nco: &mut Nco, stage1: &mut (i32, i32), stage2: &mut (i32, i32), x: i32) {
    let (c, s) = nco.next();
    let i = (x * c) >> (15 - FILTER_FRACTION);
    let q = -(x * s) >> (15 - FILTER_FRACTION);
    stage1.0 += (i - stage1.0) >> 2;
    stage1.1 += (q - stage1.1) >> 2;
    stage2.0 += (stage1.0 - stage2.0) >> 2;
    stage2.1 += (stage1.1 - stage2.1) >> 2;
}

/// A phase-continuous V.21 channel-2 transmitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V21Modulator {
    phase: u32,
    amplitude: i32,
    /// Position within the current bit, in units of 1/(rate × bit rate) seconds.
    bit_clock: u32,
}

impl V21Modulator {
    /// A transmitter at `level_dbm0` (T.30 sends V.21 at about −13 dBm0).
    pub fn new(level_dbm0: i32) -> Self {
        let amplitude = sine_peak(level_dbm0);
        Self { phase: 0, amplitude, bit_clock: 0 }
    }

    /// Modulates `bits` (true = mark), handing each sample to `out`. Bits last 26⅔ samples on
    /// average: the sample clock carries the fraction from bit to bit.
    pub fn modulate(&mut self, bits: impl IntoIterator<Item = bool>, mut out: impl FnMut(i16)) {
        let mark = phase_step(u64::from(MARK_HZ) * 1000, u64::from(SAMPLE_RATE_HZ));
        let space = phase_step(u64::from(SPACE_HZ) * 1000, u64::from(SAMPLE_RATE_HZ));
        for bit in bits {
            let step = if bit { mark } else { space };
            while self.bit_clock < SAMPLE_RATE_HZ {
                let (_, s) = cos_sin_q15(self.phase);
                out(((self.amplitude * s) >> 15) as i16);
                self.phase = self.phase.wrapping_add(step);
                self.bit_clock += BIT_RATE;
            }
            self.bit_clock -= SAMPLE_RATE_HZ;
        }
    }
}

/// The bits of `count` HDLC flags, in line order (LSB first).
pub fn hdlc_flag_bits(count: usize) -> impl Iterator<Item = bool> {
    octet_bits(core::iter::repeat_n(HDLC_FLAG, count))
}

/// The bits of `octets` in line order (LSB first), without zero insertion.
pub fn octet_bits(octets: impl IntoIterator<Item = u8>) -> impl Iterator<Item = bool> {
    octets.into_iter().flat_map(|octet| (0..8).map(move |bit| octet >> bit & 1 == 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_bits_are_0111_1110_in_line_order() {
        let bits: Vec<u8> = hdlc_flag_bits(1).map(u8::from).collect();
        assert_eq!(bits, [0, 1, 1, 1, 1, 1, 1, 0]);
        let bits: Vec<u8> = octet_bits([0x01]).map(u8::from).collect();
        assert_eq!(bits, [1, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn modulator_keeps_the_bit_rate() {
        let mut modulator = V21Modulator::new(-13);
        let mut count = 0usize;
        modulator.modulate(hdlc_flag_bits(30), |_| count += 1);
        // 240 bits at 26⅔ samples.
        assert_eq!(count, 6400);
    }

    #[test]
    fn octet_length_constant() {
        assert_eq!(OCTET_SAMPLES, 213);
    }

    #[test]
    fn state_is_small() {
        assert_eq!(core::mem::size_of::<V21PreambleDetector>(), 104);
    }
}
