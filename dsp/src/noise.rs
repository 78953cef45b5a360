//! Deterministic white noise at a level in dBm0, for test signals and line checks.
//!
//! A xorshift64* generator feeds an Irwin–Hall sum of four uniforms (close to Gaussian, no
//! tails beyond ±3.5σ). The same seed always gives the same samples; no floating point per
//! sample.

use crate::level::dbm0_to_rms;

/// Standard deviation of the sum of four uniforms on [−2¹⁵, 2¹⁵): 2¹⁶·√(4/12).
const SUM_RMS: f64 = 37_837.2;

/// A white-noise source. 16 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhiteNoise {
    state: u64,
    /// Q16 gain from the uniform sum to the target RMS.
    gain_q16: i64,
}

impl WhiteNoise {
    /// Noise of power `level_dbm0` over 0–4 kHz; `seed` picks the sequence (0 is allowed).
    pub fn new(seed: u64, level_dbm0: f64) -> Self {
        let gain = dbm0_to_rms(level_dbm0) / SUM_RMS * 65536.0;
        Self { state: seed ^ 0x9E37_79B9_7F4A_7C15 | 1, gain_q16: gain.round().clamp(0.0, 1e12) as i64 }
    }

    fn next_u64(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// The next sample, unclipped.
    pub fn next_sample(&mut self) -> i32 {
        let bits = self.next_u64();
        let sum: i64 = (0..4).map(|k| i64::from((bits >> (16 * k)) as u16 as i16)).sum();
        ((sum * self.gain_q16) >> 16) as i32
    }

    /// Adds noise to `samples`, saturating at the 16-bit limits.
    pub fn add_to(&mut self, samples: &mut [i16]) {
        for x in samples {
            let sum = i32::from(*x) + self.next_sample();
            *x = sum.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::block_dbm0;

    #[test]
    fn level_and_repeatability() {
        let mut a = vec![0i16; 80_000];
        WhiteNoise::new(7, -20.0).add_to(&mut a);
        assert!((block_dbm0(&a) + 20.0).abs() < 0.05, "{}", block_dbm0(&a));
        let mut b = vec![0i16; 80_000];
        WhiteNoise::new(7, -20.0).add_to(&mut b);
        assert_eq!(a, b);
        let mut c = vec![0i16; 100];
        WhiteNoise::new(8, -20.0).add_to(&mut c);
        assert_ne!(a[..100], c[..]);
    }

    #[test]
    fn spectrum_is_flat() {
        // Mean power in a few DFT bins across the band stays within 1 dB of the average.
        let mut x = vec![0i16; 64_000];
        WhiteNoise::new(1, -10.0).add_to(&mut x);
        let mut powers = Vec::new();
        for freq in [300.0, 1000.0, 2000.0, 3000.0, 3700.0] {
            let mut total = 0.0;
            for block in x.chunks(200) {
                let (mut re, mut im) = (0.0, 0.0);
                for (n, &s) in block.iter().enumerate() {
                    let angle = 2.0 * std::f64::consts::PI * freq * n as f64 / 8000.0;
                    re += f64::from(s) * angle.cos();
                    im -= f64::from(s) * angle.sin();
                }
                total += re * re + im * im;
            }
            powers.push(total);
        }
        let mean = powers.iter().sum::<f64>() / powers.len() as f64;
        for p in powers {
            assert!((10.0 * (p / mean).log10()).abs() < 1.0);
        }
    }
}
