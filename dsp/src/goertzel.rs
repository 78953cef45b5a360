//! Fixed-point Goertzel filter: the energy of one DFT bin over a block of samples.
//!
//! The recursion is `s[n] = x[n] + c·s[n−1] − s[n−2]` with `c = 2·cos(2π·f/8000)` held in
//! Q14. The state is kept in `i64` so that no input can overflow it: for a block of `N`
//! full-scale samples the state is bounded by `N · 32768 / (2·sin ω)`, which stays far inside
//! `i64` for any frequency from 1 Hz to 3999 Hz and any `N` below 2²⁰.
//!
//! # Scale of [`Goertzel::energy`]
//!
//! `energy()` is the squared magnitude of the DFT sum `|Σ x[n]·e^(−jωn)|²` in (sample units)²,
//! with no scaling at all (`k = 0` in the relation below). Hence, for a sine of amplitude `A`
//! at the bin frequency over `N` samples (whole number of cycles):
//!
//! ```text
//! energy()              = (N·A/2)²
//! block_energy(samples) =  N·A²/2
//! energy()              ≈ (N/2) · block_energy(samples)        (k = 0)
//! ```
//!
//! so `2·energy() / (N·block_energy())` is the fraction of the block's power that lies in the
//! bin (1.0 for a pure tone on the bin, less for a tone off the bin or noise). The magnitude of
//! the DFT of any block is at most `N·32768`, so `energy()` fits `i64` for `N ≤ 92 681`;
//! reset at least that often (longer runs saturate or give meaningless values, never panic).

/// Sampling rate of everything in this crate.
pub const SAMPLE_RATE: u32 = 8000;

/// Q14 coefficient `2·cos(2π·freq/8000)`; float only here, at construction.
fn coefficient_q14(freq_hz: f32) -> i32 {
    let omega = 2.0 * std::f64::consts::PI * f64::from(freq_hz) / f64::from(SAMPLE_RATE);
    (2.0 * omega.cos() * 16384.0).round() as i32
}

/// One Goertzel bin. 24 bytes of state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Goertzel {
    coefficient: i32,
    s1: i64,
    s2: i64,
}

impl Goertzel {
    /// A bin at `freq_hz` (8000 samples/s). Frequencies outside 0 ..= 4000 Hz alias as the
    /// cosine does.
    pub fn new(freq_hz: f32) -> Self {
        Self { coefficient: coefficient_q14(freq_hz), s1: 0, s2: 0 }
    }

    /// Feeds one sample.
    #[inline]
    pub fn update(&mut self, sample: i16) {
        // Wrapping: within the documented block lengths nothing wraps; beyond them the
        // result is meaningless but nothing panics.
        let feedback = i64::from(self.coefficient).wrapping_mul(self.s1).wrapping_add(1 << 13) >> 14;
        let s0 = i64::from(sample).wrapping_add(feedback).wrapping_sub(self.s2);
        self.s2 = self.s1;
        self.s1 = s0;
    }

    /// Feeds a block of samples.
    pub fn update_block(&mut self, samples: &[i16]) {
        for &sample in samples {
            self.update(sample);
        }
    }

    /// Squared DFT magnitude of everything fed since the last reset; see the module
    /// documentation for the scale (no scaling, `k = 0`).
    pub fn energy(&self) -> i64 {
        let (s1, s2) = (i128::from(self.s1), i128::from(self.s2));
        let energy = (|| {
            let cross = i128::from(self.coefficient).checked_mul(s1)?.checked_mul(s2)? >> 14;
            (s1 * s1).checked_add(s2 * s2)?.checked_sub(cross)
        })();
        // Rounding in the Q14 product can take an exact zero to −1; the true value is ≥ 0.
        // A state beyond the documented block length saturates.
        energy.map_or(i64::MAX, |e| e.clamp(0, i128::from(i64::MAX)) as i64)
    }

    /// Clears the state for the next block.
    pub fn reset(&mut self) {
        self.s1 = 0;
        self.s2 = 0;
    }
}

/// `Σ x²` over a block, on the same scale as [`Goertzel::energy`] (see the module
/// documentation for the relation between the two).
pub fn block_energy(samples: &[i16]) -> i64 {
    samples.iter().map(|&x| i64::from(x) * i64::from(x)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, amplitude: f64, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                (amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin()).round() as i16
            })
            .collect()
    }

    #[test]
    fn tone_on_bin_gives_n_over_2_times_block_energy() {
        // 1000 Hz over 160 samples is exactly 20 cycles.
        let samples = sine(1000.0, 10000.0, 160);
        let mut bin = Goertzel::new(1000.0);
        bin.update_block(&samples);
        let expected = (160 / 2) as f64 * block_energy(&samples) as f64;
        let ratio = bin.energy() as f64 / expected;
        assert!((ratio - 1.0).abs() < 1e-3, "ratio {ratio}");
        // (N·A/2)² = (160·10000/2)² = 6.4e11
        assert!((bin.energy() as f64 / 6.4e11 - 1.0).abs() < 1e-3);
    }

    #[test]
    fn relation_holds_for_the_dtmf_and_tone_plan_frequencies() {
        for &(freq, n) in &[(697.0, 800), (450.0, 160), (1633.0, 1000), (2100.0, 160), (1100.0, 800)] {
            let samples = sine(freq, 3000.0, n);
            let mut bin = Goertzel::new(freq as f32);
            bin.update_block(&samples);
            let ratio = 2.0 * bin.energy() as f64 / (n as f64 * block_energy(&samples) as f64);
            assert!((ratio - 1.0).abs() < 0.02, "{freq} Hz over {n}: ratio {ratio}");
        }
    }

    #[test]
    fn off_bin_tone_is_attenuated_like_the_dft() {
        // 2 bins away (N = 160 gives 50 Hz bins): the rectangular window's null.
        let samples = sine(1100.0, 10000.0, 160);
        let mut bin = Goertzel::new(1000.0);
        bin.update_block(&samples);
        let ratio = 2.0 * bin.energy() as f64 / (160.0 * block_energy(&samples) as f64);
        assert!(ratio < 1e-3, "ratio {ratio}");
    }

    #[test]
    fn silence_and_reset() {
        let mut bin = Goertzel::new(941.0);
        bin.update_block(&[0; 100]);
        assert_eq!(bin.energy(), 0);
        bin.update_block(&sine(941.0, 20000.0, 205));
        assert!(bin.energy() > 0);
        bin.reset();
        assert_eq!(bin.energy(), 0);
        assert_eq!(block_energy(&[3, -4]), 25);
        assert_eq!(block_energy(&[]), 0);
    }

    #[test]
    fn full_scale_square_wave_does_not_overflow() {
        let samples: Vec<i16> =
            (0..8000u32).map(|i| if i.is_multiple_of(2) { i16::MIN } else { i16::MAX }).collect();
        let mut bin = Goertzel::new(3999.0);
        bin.update_block(&samples);
        let bound = (8000.0f64 * 32768.0).powi(2);
        assert!((bin.energy() as f64) <= bound * 1.001);
        assert!(bin.energy() > 0);
    }
}
