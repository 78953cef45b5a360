//! The 2100 Hz answer-tone family: ANS (= T.30 CED), ANS/ (V.25, phase reversals every
//! 450 ms), ANSam and ANSam/ (V.8, 15 Hz amplitude modulation of 20 %).
//!
//! One quadrature probe at 2100 Hz gives a phasor every 5 ms. A run of phasors that hold at
//! least half of the signal's energy is a tone. Within it:
//! - the summed rotation between neighbouring phasors is the frequency offset, accepted up to
//!   20 Hz (the standard's ±15 Hz plus margin for measurement noise);
//! - a neighbour at more than 90° from the expected rotation is a phase reversal (the 5 ms
//!   phasor straddling a reversal may collapse; up to 20 ms of weak phasors are bridged);
//!   reversals must come every 450 ± 25 ms, so the first and last partial segments may be
//!   shorter but no segment may be longer;
//! - the phasor's power is the envelope (a depth m of amplitude modulation is a depth 2m of
//!   power); its first difference is correlated with 15 Hz, and a modulation depth over 10 %
//!   (ANSam sends 20 %) marks the AM variants.
//!
//! The tone is [recognised](FaxEvent::Recognized) 550 ms after it starts (past the first
//! reversal, as spandsp does) and [ended](FaxEvent::Ended) or
//! [rejected](FaxEvent::Rejected) when it stops, with its duration checked: 2.6–4.0 s for ANS
//! and ANS/ (V.25: 3.3 ± 0.7 s), 2.6–6.0 s for the AM variants (V.8 may send ANSam for up to
//! 5 ± 1 s). Timing is measured to within one 5 ms phasor, so each limit gets 10 ms of slack.

use crate::fax::probe::{QuadratureProbe, angle_within, cos_sin_q15, mul_conj, phase_step};
use crate::fax::{FaxEvent, FaxTone, MIN_LEVEL_DBM0, RejectReason, SAMPLES_PER_MS, sine_mean_square};

/// Samples per phasor (5 ms).
const SUB: usize = 40;
const SUB_U64: u64 = SUB as u64;
/// Nominal frequency.
const FREQ_HZ: u32 = 2100;
/// Share of the energy (Q8) a phasor must hold to count as tone.
const SHARE_Q8: i64 = 128;
/// Weak phasors bridged inside a tone (20 ms).
const MAX_GAP: u8 = 4;
/// tan(2π · 20 Hz · 5 ms) in Q12: the largest accepted rotation per phasor.
const FREQ_LIMIT_TAN_Q12: i64 = 2976;
/// When the tone is recognised, measured from its start.
const RECOGNIZE_AFTER: u64 = 550 * SAMPLES_PER_MS;
/// Reversal spacing accepted: 450 ± 25 ms plus 5 ms for the phasor grid.
const REVERSAL_MIN: u64 = 420 * SAMPLES_PER_MS;
const REVERSAL_MAX: u64 = 480 * SAMPLES_PER_MS;
/// Duration limits with 10 ms of slack each side.
const ANS_MIN: u64 = 2590 * SAMPLES_PER_MS;
const ANS_MAX: u64 = 4010 * SAMPLES_PER_MS;
const ANSAM_MAX: u64 = 6010 * SAMPLES_PER_MS;
/// Runs shorter than this are not worth a rejection report (speech, noise).
const REPORT_MIN: u64 = 1000 * SAMPLES_PER_MS;
/// Envelope reference: 15 Hz at one phasor per 5 ms.
const AM_STEP: u32 = phase_step(15_000, 200);
/// A modulation depth of 10 % as the ratio |C|/M of the differenced-power correlator, scaled
/// by 2^15. Power swings by 2m for an amplitude depth m; differencing scales 15 Hz by
/// 2·sin(π·15/200) and the correlation halves it: |C|/M = 2m · 0.2335.
const AM_THRESHOLD_Q15: i128 = 1530;
/// Power is taken down by 2^10 so that the correlator sums stay far inside i64.
const POWER_SHIFT: u32 = 10;

/// Detector for ANS, ANS/, ANSam and ANSam/ on one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerToneDetector {
    probe: QuadratureProbe<SUB>,
    /// Samples consumed before the current block.
    clock: u64,
    min_mean_square: i64,
    run: Run,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Run {
    active: bool,
    recognized: bool,
    bad_reversals: bool,
    gap: u8,
    reversals: u8,
    start: u64,
    last_strong_end: u64,
    /// Start of the current reversal segment (the tone start or the last reversal).
    segment_start: u64,
    last: (i32, i32),
    rotation: (i64, i64),
    am_phase: u32,
    /// Envelope (scaled power) of the previous phasor, 0 when it cannot be differenced against.
    prev_envelope: i64,
    am_correlation: (i64, i64),
    am_mass: i64,
}

impl Default for AnswerToneDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl AnswerToneDetector {
    /// A detector with the sample clock at zero.
    pub fn new() -> Self {
        Self {
            probe: QuadratureProbe::new(FREQ_HZ),
            clock: 0,
            min_mean_square: sine_mean_square(MIN_LEVEL_DBM0),
            run: Run::default(),
        }
    }

    /// Processes a block of any length.
    pub fn process(&mut self, samples: &[i16], emit: &mut impl FnMut(FaxEvent)) {
        let Self { probe, clock, min_mean_square, run } = self;
        let base = *clock;
        let min_mean_square = *min_mean_square;
        probe.process(samples, |phasor, index| {
            let end = base + index as u64;
            let strong = phasor.share_at_least(SHARE_Q8, SUB)
                && phasor.tone_mean_square_at_least(min_mean_square, SUB);
            run.on_phasor((phasor.re, phasor.im), strong, end, emit);
        });
        *clock += samples.len() as u64;
    }

    /// Closes a tone still sounding, as if the input stopped.
    pub fn finish(&mut self, emit: &mut impl FnMut(FaxEvent)) {
        if self.run.active {
            self.run.close(emit);
        }
    }
}

impl Run {
    fn on_phasor(&mut self, z: (i32, i32), strong: bool, end: u64, emit: &mut impl FnMut(FaxEvent)) {
        if !self.active {
            if strong {
                *self = Run {
                    active: true,
                    start: end - SUB_U64,
                    last_strong_end: end,
                    segment_start: end - SUB_U64,
                    last: z,
                    prev_envelope: envelope(z),
                    ..Run::default()
                };
            }
            return;
        }
        self.am_phase = self.am_phase.wrapping_add(AM_STEP);
        if !strong {
            self.gap += 1;
            self.prev_envelope = 0;
            if self.gap > MAX_GAP {
                self.close(emit);
            }
            return;
        }

        let step = mul_conj(z, self.last);
        // More than 90° away from the rotation so far is a reversal. Next to each other, the
        // summed rotation itself is the reference (only its direction matters); across weak
        // phasors it must be compounded, which needs it normalised.
        let reference = if self.gap == 0 {
            if self.rotation == (0, 0) { (1, 0) } else { self.rotation }
        } else {
            expected_rotation(self.rotation, u32::from(self.gap) + 1)
        };
        let reversal = rotate_back(step, reference).0 < 0;
        if reversal {
            let at = self.last_strong_end + u64::from(self.gap) * SUB_U64 / 2;
            let segment = at - self.segment_start;
            let fits = if self.reversals == 0 {
                segment <= REVERSAL_MAX
            } else {
                (REVERSAL_MIN..=REVERSAL_MAX).contains(&segment)
            };
            self.bad_reversals |= !fits;
            self.segment_start = at;
            self.reversals = self.reversals.saturating_add(1);
        }
        if self.gap == 0 {
            let signed = if reversal { (-step.0, -step.1) } else { step };
            self.rotation.0 += signed.0;
            self.rotation.1 += signed.1;
        }

        let level = envelope(z);
        if self.gap == 0 && !reversal && self.prev_envelope > 0 {
            let delta = level - self.prev_envelope;
            let (c, s) = cos_sin_q15(self.am_phase);
            self.am_correlation.0 += delta * i64::from(c);
            self.am_correlation.1 -= delta * i64::from(s);
            self.am_mass += level;
        }
        self.prev_envelope = level;
        self.last = z;
        self.last_strong_end = end;
        self.gap = 0;

        if !self.recognized && end - self.start >= RECOGNIZE_AFTER && self.frequency_ok() {
            self.recognized = true;
            emit(FaxEvent::Recognized { tone: self.classify(), start: self.start });
        }
    }

    fn frequency_ok(&self) -> bool {
        angle_within(self.rotation.0, self.rotation.1, FREQ_LIMIT_TAN_Q12)
    }

    fn modulated(&self) -> bool {
        let (c_re, c_im) = (i128::from(self.am_correlation.0), i128::from(self.am_correlation.1));
        let limit = AM_THRESHOLD_Q15 * i128::from(self.am_mass);
        self.am_mass > 0 && c_re * c_re + c_im * c_im >= limit * limit
    }

    fn classify(&self) -> FaxTone {
        match (self.reversals > 0, self.modulated()) {
            (false, false) => FaxTone::Ans,
            (true, false) => FaxTone::AnsPr,
            (false, true) => FaxTone::AnsAm,
            (true, true) => FaxTone::AnsAmPr,
        }
    }

    fn close(&mut self, emit: &mut impl FnMut(FaxEvent)) {
        let (start, end) = (self.start, self.last_strong_end);
        if self.reversals > 0 && end - self.segment_start > REVERSAL_MAX {
            self.bad_reversals = true;
        }
        let tone = self.classify();
        let max = match tone {
            FaxTone::AnsAm | FaxTone::AnsAmPr => ANSAM_MAX,
            _ => ANS_MAX,
        };
        let duration = end - start;
        if self.frequency_ok() {
            let reject = |reason| FaxEvent::Rejected { tone, start, end, reason };
            if duration < ANS_MIN {
                if duration >= REPORT_MIN {
                    emit(reject(RejectReason::TooShort));
                }
            } else if duration > max {
                emit(reject(RejectReason::TooLong));
            } else if self.bad_reversals {
                emit(reject(RejectReason::BadReversals));
            } else {
                emit(FaxEvent::Ended { tone, start, end });
            }
        }
        *self = Run::default();
    }
}

/// Power of a phasor, scaled down; at least 1 so that a weak tone still has an envelope.
fn envelope(z: (i32, i32)) -> i64 {
    let (re, im) = (i64::from(z.0), i64::from(z.1));
    ((re * re + im * im) >> POWER_SHIFT).max(1)
}

/// The rotation expected over `steps` phasors, as a Q14 unit vector, from the summed
/// neighbour products so far (no history: no rotation).
fn expected_rotation(sum: (i64, i64), steps: u32) -> (i64, i64) {
    const ONE: i64 = 1 << 14;
    let norm = (i128::from(sum.0) * i128::from(sum.0) + i128::from(sum.1) * i128::from(sum.1)).isqrt();
    if norm == 0 {
        return (ONE, 0);
    }
    let unit = (
        (i128::from(sum.0) * i128::from(ONE) / norm) as i64,
        (i128::from(sum.1) * i128::from(ONE) / norm) as i64,
    );
    let mut total = unit;
    for _ in 1..steps {
        total = ((total.0 * unit.0 - total.1 * unit.1) >> 14, (total.0 * unit.1 + total.1 * unit.0) >> 14);
    }
    total
}

/// `value` · conj(`unit`), keeping `value`'s scale.
fn rotate_back(value: (i64, i64), unit: (i64, i64)) -> (i128, i128) {
    let (vr, vi) = (i128::from(value.0), i128::from(value.1));
    let (ur, ui) = (i128::from(unit.0), i128::from(unit.1));
    (vr * ur + vi * ui, vi * ur - vr * ui)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_their_derivation() {
        let tan = (2.0 * std::f64::consts::PI * 20.0 * 0.005).tan() * 4096.0;
        assert_eq!(FREQ_LIMIT_TAN_Q12, tan.round() as i64);
        let gain = 2.0 * (std::f64::consts::PI * 15.0 / 200.0).sin() / 2.0;
        assert_eq!(AM_THRESHOLD_Q15, (2.0 * 0.1 * gain * 32768.0).round() as i128);
    }

    #[test]
    fn expected_rotation_compounds() {
        // 90° per step, two steps: 180°.
        assert_eq!(expected_rotation((0, 1000), 2), (-(1 << 14), 0));
        assert_eq!(expected_rotation((0, 0), 3), (1 << 14, 0));
    }

    #[test]
    fn state_is_small() {
        assert_eq!(core::mem::size_of::<AnswerToneDetector>(), 152);
    }
}
