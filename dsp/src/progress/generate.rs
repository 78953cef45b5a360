//! Generator for call-progress tones straight from a [`ToneSpec`]: the same table that drives
//! the detector drives the generator. The oscillators are [`crate::tonegen`]'s; this module
//! adds the plan's cadences, in which consecutive segments may change frequency (the special
//! information tone steps through three).

use super::plan::{Cadence, Segment, ToneSpec};
use crate::tonegen::Oscillator;

const SAMPLES_PER_MS: u64 = 8;

/// Plays a tone's cadence for ever.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgressToneGenerator<'a> {
    cadence: Cadence<'a>,
    level_dbm0: f32,
    oscillators: [Oscillator; 2],
    /// Index of the current segment and samples left in it.
    segment: usize,
    remaining: u64,
}

impl<'a> ProgressToneGenerator<'a> {
    /// A generator at the level the plan gives the tone.
    pub fn new(spec: &ToneSpec<'a>) -> Self {
        Self::with_level(spec, i32::from(spec.level_dbm0))
    }

    /// A generator at `level_dbm0` per frequency.
    pub fn with_level(spec: &ToneSpec<'a>, level_dbm0: i32) -> Self {
        let level_dbm0 = level_dbm0 as f32;
        let mut generator = Self {
            cadence: spec.cadence,
            level_dbm0,
            oscillators: [Oscillator::new(0.0, level_dbm0); 2],
            segment: 0,
            remaining: 0,
        };
        generator.enter_segment(0);
        generator
    }

    fn current(&self) -> Segment {
        match self.cadence {
            Cadence::Continuous { freqs_hz, .. } => Segment { freqs_hz, ms: 0 },
            Cadence::Repeating { segments, .. } => {
                segments.get(self.segment).copied().unwrap_or(Segment::silence(0))
            }
        }
    }

    fn enter_segment(&mut self, index: usize) {
        self.segment = index;
        let segment = self.current();
        self.remaining = u64::from(segment.ms) * SAMPLES_PER_MS;
        for (oscillator, &f) in self.oscillators.iter_mut().zip(&segment.freqs_hz) {
            *oscillator = Oscillator::new(f32::from(f), self.level_dbm0);
        }
    }

    /// Fills `out` with the next samples.
    pub fn fill(&mut self, out: &mut [i16]) {
        let segment_count = match self.cadence {
            Cadence::Continuous { .. } => 0,
            Cadence::Repeating { segments, .. } => segments.len(),
        };
        let mut segment = self.current();
        for sample in out {
            if segment_count > 0 && self.remaining == 0 {
                self.enter_segment((self.segment + 1) % segment_count);
                segment = self.current();
            }
            self.remaining = self.remaining.saturating_sub(1);
            let mut sum = 0i32;
            for (oscillator, &f) in self.oscillators.iter_mut().zip(&segment.freqs_hz) {
                if f != 0 {
                    sum += oscillator.next_sample();
                }
            }
            *sample = sum.clamp(-32768, 32767) as i16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::plan::{CHINA, ETSI};

    #[test]
    fn busy_plays_its_cadence_from_the_table() {
        let mut generator = ProgressToneGenerator::new(CHINA.tone("busy").unwrap());
        let mut samples = vec![0i16; 8 * 1400];
        generator.fill(&mut samples);
        // A sine passes through zero now and then, hence "nearly all" in the bursts.
        assert!(samples[..2800].iter().filter(|&&s| s != 0).count() > 2700);
        assert!(samples[2801..5600].iter().all(|&s| s == 0));
        assert!(samples[5600..8400].iter().filter(|&&s| s != 0).count() > 2700);
        assert!(samples[8401..11200].iter().all(|&s| s == 0));
    }

    #[test]
    fn sit_steps_through_three_frequencies() {
        let mut generator = ProgressToneGenerator::new(ETSI.tone("sit").unwrap());
        let mut samples = vec![0i16; 8 * 2000];
        generator.fill(&mut samples);
        let crossings = |range: core::ops::Range<usize>| {
            samples[range].windows(2).filter(|w| w[0] < 0 && w[1] >= 0).count()
        };
        // 330 ms at 950, 1400, 1800 Hz: 313, 462, 594 rising zero crossings.
        assert!((312..=315).contains(&crossings(0..2640)));
        assert!((460..=464).contains(&crossings(2640..5280)));
        assert!((592..=596).contains(&crossings(5280..7920)));
        assert!(samples[7921..15920].iter().all(|&s| s == 0));
    }
}
