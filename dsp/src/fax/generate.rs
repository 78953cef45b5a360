//! Generator for the connect tones, with every parameter the standards bound exposed so tests
//! can sweep them: frequency, level, on and off time, phase-reversal spacing, AM depth.

use crate::fax::probe::Nco;
use crate::fax::{FaxTone, SAMPLE_RATE_HZ, SAMPLES_PER_MS, sine_peak};

/// The shape of a connect tone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaxToneSpec {
    /// Carrier frequency in millihertz.
    pub freq_mhz: u64,
    /// Level in dBm0 (of the unmodulated carrier).
    pub level_dbm0: i32,
    /// Tone on time in ms.
    pub on_ms: u32,
    /// Silence after each burst in ms; 0 sends one burst and then silence.
    pub off_ms: u32,
    /// Spacing of 180° phase reversals in ms; 0 for none.
    pub reversal_ms: u32,
    /// Depth of the 15 Hz amplitude modulation in percent; 0 for none.
    pub am_depth_pct: u32,
}

impl FaxToneSpec {
    /// The nominal signal: CNG 1100 Hz 0.5 s on / 3 s off at −11 dBm0 (spandsp's level);
    /// ANS family 2100 Hz at −12 dBm0 for 3.3 s, reversals every 450 ms, AM 20 %. V.21
    /// is not a tone: use [`V21Modulator`](crate::fax::V21Modulator).
    pub fn standard(tone: FaxTone) -> Option<Self> {
        let ans = FaxToneSpec {
            freq_mhz: 2_100_000,
            level_dbm0: -12,
            on_ms: 3300,
            off_ms: 0,
            reversal_ms: 0,
            am_depth_pct: 0,
        };
        Some(match tone {
            FaxTone::Cng => FaxToneSpec {
                freq_mhz: 1_100_000,
                level_dbm0: -11,
                on_ms: 500,
                off_ms: 3000,
                reversal_ms: 0,
                am_depth_pct: 0,
            },
            FaxTone::Ans => ans,
            FaxTone::AnsPr => FaxToneSpec { reversal_ms: 450, ..ans },
            FaxTone::AnsAm => FaxToneSpec { am_depth_pct: 20, ..ans },
            FaxTone::AnsAmPr => FaxToneSpec { reversal_ms: 450, am_depth_pct: 20, ..ans },
            FaxTone::V21Preamble => return None,
        })
    }
}

/// Produces a connect tone sample by sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaxToneGenerator {
    carrier: Nco,
    modulation: Nco,
    amplitude: i32,
    depth_q15: i32,
    on: u64,
    period: u64,
    reversal: u64,
    /// Samples produced so far.
    position: u64,
}

impl FaxToneGenerator {
    /// A generator for `spec`.
    pub fn new(spec: FaxToneSpec) -> Self {
        let amplitude = sine_peak(spec.level_dbm0);
        let on = u64::from(spec.on_ms) * SAMPLES_PER_MS;
        let period = if spec.off_ms == 0 { u64::MAX } else { on + u64::from(spec.off_ms) * SAMPLES_PER_MS };
        Self {
            carrier: Nco::new(spec.freq_mhz, u64::from(SAMPLE_RATE_HZ)),
            modulation: Nco::new(15_000, u64::from(SAMPLE_RATE_HZ)),
            amplitude,
            depth_q15: (spec.am_depth_pct.min(100) * 32768 / 100) as i32,
            on,
            period,
            reversal: u64::from(spec.reversal_ms) * SAMPLES_PER_MS,
            position: 0,
        }
    }

    /// Fills `out` with the next samples.
    pub fn fill(&mut self, out: &mut [i16]) {
        for sample in out {
            *sample = self.next_sample();
        }
    }

    fn next_sample(&mut self) -> i16 {
        let in_period = if self.period == u64::MAX { self.position } else { self.position % self.period };
        self.position += 1;
        if in_period >= self.on {
            return 0;
        }
        if self.reversal > 0 && in_period > 0 && in_period % self.reversal == 0 {
            self.carrier.reverse();
        }
        let (_, carrier) = self.carrier.next();
        let (_, modulation) = self.modulation.next();
        let envelope = (self.amplitude * (32768 + ((self.depth_q15 * modulation) >> 15))) >> 15;
        ((envelope * carrier) >> 15).clamp(-32768, 32767) as i16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cng_cadence_is_half_a_second_in_three_and_a_half() {
        let mut generator = FaxToneGenerator::new(FaxToneSpec::standard(FaxTone::Cng).unwrap());
        let mut samples = vec![0i16; 8 * 7000];
        generator.fill(&mut samples);
        let nonzero = |range: core::ops::Range<usize>| samples[range].iter().filter(|&&s| s != 0).count();
        assert!(nonzero(0..4000) > 3900);
        assert_eq!(nonzero(4000..28000), 0);
        assert!(nonzero(28000..32000) > 3900);
        assert_eq!(nonzero(32000..56000), 0);
    }

    #[test]
    fn level_sets_the_peak() {
        let mut generator = FaxToneGenerator::new(FaxToneSpec::standard(FaxTone::Ans).unwrap());
        let mut samples = vec![0i16; 800];
        generator.fill(&mut samples);
        let peak = samples.iter().map(|s| i32::from(*s).abs()).max().unwrap();
        // −12 dBm0: 22827 · 10^(−12/20) = 5734.
        assert!((5725..=5734).contains(&peak), "{peak}");
    }
}
