//! A quadrature probe: the signal is mixed down by one nominal frequency and integrated over
//! short sub-blocks, giving one complex phasor per sub-block.
//!
//! The phasor carries everything the fax-tone detectors need: its power against the
//! sub-block's total power says how much of the signal is near the nominal frequency; its
//! rotation from one sub-block to the next measures the frequency offset (so the tolerance
//! bands can be sharp, which a plain energy ratio cannot give); a jump of half a turn is a
//! phase reversal; and its magnitude over time is the envelope, which carries ANSam's 15 Hz
//! modulation.
//!
//! The oscillator is a 32-bit phase accumulator reading the crate's Q15 sine table without
//! interpolation (the phase error of 1/2048 turn costs nothing a detector can see), so the
//! mixer runs in integers, never drifts, and costs two table reads per sample.

use crate::fax::SAMPLE_RATE_HZ;

/// log2 of the length of [`crate::sine::SINE_Q15`]'s period.
const TABLE_BITS: u32 = 10;
const TABLE_LEN: usize = 1 << TABLE_BITS;
const _: () = assert!(crate::sine::SINE_TABLE_LEN == TABLE_LEN);

/// Phase increment per sample for a frequency in millihertz, as a fraction of 2^32.
pub(crate) const fn phase_step(freq_mhz: u64, rate_hz: u64) -> u32 {
    // (f / rate) * 2^32, rounded; f is in mHz so divide by 1000 as well.
    (((freq_mhz << 32) + rate_hz * 500) / (rate_hz * 1000)) as u32
}

/// A numerically controlled oscillator giving cos and sin in Q15.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Nco {
    phase: u32,
    step: u32,
}

impl Nco {
    /// An oscillator at `freq_hz` for a stream sampled at `rate_hz`.
    pub(crate) const fn new(freq_mhz: u64, rate_hz: u64) -> Self {
        Self { phase: 0, step: phase_step(freq_mhz, rate_hz) }
    }

    /// cos and sin of the current phase (Q15), then advance by one sample.
    #[inline(always)]
    pub(crate) fn next(&mut self) -> (i32, i32) {
        let (c, s) = cos_sin_q15(self.phase);
        self.phase = self.phase.wrapping_add(self.step);
        (c, s)
    }

    /// Shifts the phase by half a turn (a 180° reversal).
    pub(crate) fn reverse(&mut self) {
        self.phase = self.phase.wrapping_add(1 << 31);
    }
}

/// cos and sin (Q15) of a phase given as a fraction of 2^32.
#[inline(always)]
pub(crate) fn cos_sin_q15(phase: u32) -> (i32, i32) {
    let table = &crate::sine::SINE_Q15;
    let index = (phase >> (32 - TABLE_BITS)) as usize;
    let sin = table[index & (TABLE_LEN - 1)];
    let cos = table[(index + TABLE_LEN / 4) & (TABLE_LEN - 1)];
    (i32::from(cos), i32::from(sin))
}

/// The result of one sub-block: the mixed-down phasor and the sub-block's own energy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Phasor {
    /// Real part: Σ x·cos, with the Q15 scale removed.
    pub re: i32,
    /// Imaginary part: −Σ x·sin, with the Q15 scale removed.
    pub im: i32,
    /// Σ x² over the sub-block.
    pub energy: i64,
}

impl Phasor {
    /// |phasor|², the energy near the probe frequency (scaled by N²/2 for a pure tone).
    pub(crate) fn power(&self) -> i64 {
        let (re, im) = (i64::from(self.re), i64::from(self.im));
        re * re + im * im
    }

    /// Whether at least `share_q8`/256 of the sub-block's energy lies at the probe frequency.
    ///
    /// A pure tone of amplitude A over N samples gives |phasor| = A·N/2 and energy A²·N/2, so
    /// the share 2|phasor|²/(N·energy) is 1 for a clean tone and about bandwidth/4000 Hz for
    /// white noise.
    pub(crate) fn share_at_least(&self, share_q8: i64, len: usize) -> bool {
        2 * 256 * self.power() >= share_q8 * len as i64 * self.energy
    }

    /// Whether the tone at the probe frequency has at least `mean_square` per sample.
    ///
    /// The mean square of a tone is A²/2 = 2|phasor|²/N².
    pub(crate) fn tone_mean_square_at_least(&self, mean_square: i64, len: usize) -> bool {
        let len = len as i64;
        2 * self.power() >= mean_square * len * len
    }
}

/// Mixes a signal down by a fixed frequency and integrates it over `LEN`-sample sub-blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct QuadratureProbe<const LEN: usize> {
    nco: Nco,
    acc_re: i64,
    acc_im: i64,
    acc_energy: i64,
    filled: u16,
}

impl<const LEN: usize> QuadratureProbe<LEN> {
    /// A probe at `freq_hz`.
    pub(crate) const fn new(freq_hz: u32) -> Self {
        Self {
            nco: Nco::new(freq_hz as u64 * 1000, SAMPLE_RATE_HZ as u64),
            acc_re: 0,
            acc_im: 0,
            acc_energy: 0,
            filled: 0,
        }
    }

    /// Feeds samples; `on_phasor(phasor, index)` is called at the end of every completed
    /// sub-block, with the index in `samples` just past that sub-block.
    #[inline]
    pub(crate) fn process(&mut self, samples: &[i16], mut on_phasor: impl FnMut(Phasor, usize)) {
        let mut pos = 0;
        while pos < samples.len() {
            let want = LEN - usize::from(self.filled);
            let take = want.min(samples.len() - pos);
            let (mut re, mut im, mut energy) = (self.acc_re, self.acc_im, self.acc_energy);
            for &x in &samples[pos..pos + take] {
                let (c, s) = self.nco.next();
                let x = i32::from(x);
                re += i64::from(x * c);
                im -= i64::from(x * s);
                energy += i64::from(x * x);
            }
            pos += take;
            if take == want {
                let phasor = Phasor { re: (re >> 15) as i32, im: (im >> 15) as i32, energy };
                self.acc_re = 0;
                self.acc_im = 0;
                self.acc_energy = 0;
                self.filled = 0;
                on_phasor(phasor, pos);
            } else {
                self.acc_re = re;
                self.acc_im = im;
                self.acc_energy = energy;
                self.filled += take as u16;
            }
        }
    }
}

/// Complex product a·conj(b), in i64.
#[inline]
pub(crate) fn mul_conj(a: (i32, i32), b: (i32, i32)) -> (i64, i64) {
    let (ar, ai) = (i64::from(a.0), i64::from(a.1));
    let (br, bi) = (i64::from(b.0), i64::from(b.1));
    (ar * br + ai * bi, ai * br - ar * bi)
}

/// Whether the angle of (re, im) lies within ±θ, given tan θ in Q12 (θ < 90°).
pub(crate) fn angle_within(re: i64, im: i64, tan_q12: i64) -> bool {
    re > 0 && i128::from(im).abs() * 4096 <= i128::from(tan_q12) * i128::from(re)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cos_sin_at_the_quadrants() {
        assert_eq!(cos_sin_q15(0), (32767, 0));
        assert_eq!(cos_sin_q15(1 << 30), (0, 32767));
        assert_eq!(cos_sin_q15(1 << 31), (-32767, 0));
        assert_eq!(cos_sin_q15(3 << 30), (0, -32767));
        assert_eq!(cos_sin_q15(1 << 29), (23170, 23170));
    }

    #[test]
    fn phase_step_is_frequency_over_rate() {
        assert_eq!(phase_step(2_000_000, 8000), 1 << 30);
        assert_eq!(phase_step(4_000_000, 8000), 1 << 31);
        assert_eq!(phase_step(1_100_000, 8000), 590_558_003);
    }

    #[test]
    fn probe_of_a_pure_tone_is_steady_and_full_share() {
        let mut probe = QuadratureProbe::<40>::new(1000);
        let tone: Vec<i16> = (0..400)
            .map(|n| (10000.0 * (2.0 * std::f64::consts::PI * 1000.0 * n as f64 / 8000.0).cos()) as i16)
            .collect();
        let mut phasors = Vec::new();
        // Feed in awkward chunk sizes to prove the sub-block bookkeeping.
        for chunk in tone.chunks(37) {
            probe.process(chunk, |p, _| phasors.push(p));
        }
        assert_eq!(phasors.len(), 10);
        for p in &phasors {
            // A·N/2 = 200000, phase 0.
            assert!((p.re - 200_000).abs() < 200, "{p:?}");
            assert!(p.im.abs() < 200, "{p:?}");
            assert!(p.share_at_least(250, 40));
        }
    }

    #[test]
    fn angle_test_is_symmetric_and_excludes_the_left_half_plane() {
        let tan45 = 4096;
        assert!(angle_within(100, 100, tan45));
        assert!(angle_within(100, -100, tan45));
        assert!(!angle_within(100, 101, tan45));
        assert!(!angle_within(-100, 0, tan45));
        assert!(!angle_within(0, 0, tan45));
    }
}
