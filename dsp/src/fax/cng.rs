//! T.30 calling tone (CNG): 1100 ± 38 Hz, 0.5 s ± 15 % on, 3 s ± 15 % off.
//!
//! A quadrature probe at 1100 Hz gives a phasor every 5 ms; a run of phasors holding at least
//! half of the signal's energy is a burst, and the summed rotation between neighbours is its
//! frequency offset, accepted up to 44 Hz (the standard's 38 Hz plus margin for measurement
//! noise). The on time is the evidence, so a burst is reported when it ends: accepted at
//! 425–575 ms, with 10 ms of slack for the 5 ms phasor grid. A burst that follows an accepted
//! one by less than 2.55 s is off cadence; after more than 3.45 s it starts a new sequence.

use crate::fax::probe::{QuadratureProbe, angle_within, mul_conj};
use crate::fax::{FaxEvent, FaxTone, MIN_LEVEL_DBM0, RejectReason, SAMPLES_PER_MS, sine_mean_square};

/// Samples per phasor (5 ms).
const SUB: usize = 40;
const SUB_U64: u64 = SUB as u64;
const FREQ_HZ: u32 = 1100;
/// Share of the energy (Q8) a phasor must hold to count as tone.
const SHARE_Q8: i64 = 128;
/// Weak phasors bridged inside a burst (10 ms).
const MAX_GAP: u8 = 2;
/// tan(2π · 44 Hz · 5 ms) in Q12.
const FREQ_LIMIT_TAN_Q12: i64 = 21472;
/// On-time limits, 500 ms ± 15 % with 10 ms of slack.
const ON_MIN: u64 = 415 * SAMPLES_PER_MS;
const ON_MAX: u64 = 585 * SAMPLES_PER_MS;
/// Shortest off time after an accepted burst, 3 s − 15 % with 10 ms of slack.
const OFF_MIN: u64 = 2540 * SAMPLES_PER_MS;
/// Bursts shorter than this are not worth a rejection report.
const REPORT_MIN: u64 = 200 * SAMPLES_PER_MS;

/// Detector for CNG on one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CngDetector {
    probe: QuadratureProbe<SUB>,
    clock: u64,
    min_mean_square: i64,
    burst: Burst,
    /// End of the last accepted burst, if any.
    previous_end: Option<u64>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Burst {
    active: bool,
    gap: u8,
    start: u64,
    last_strong_end: u64,
    last: (i32, i32),
    rotation: (i64, i64),
}

impl Default for CngDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl CngDetector {
    /// A detector with the sample clock at zero.
    pub fn new() -> Self {
        Self {
            probe: QuadratureProbe::new(FREQ_HZ),
            clock: 0,
            min_mean_square: sine_mean_square(MIN_LEVEL_DBM0),
            burst: Burst::default(),
            previous_end: None,
        }
    }

    /// Processes a block of any length.
    pub fn process(&mut self, samples: &[i16], emit: &mut impl FnMut(FaxEvent)) {
        let Self { probe, clock, min_mean_square, burst, previous_end } = self;
        let base = *clock;
        let min_mean_square = *min_mean_square;
        probe.process(samples, |phasor, index| {
            let end = base + index as u64;
            let strong = phasor.share_at_least(SHARE_Q8, SUB)
                && phasor.tone_mean_square_at_least(min_mean_square, SUB);
            let z = (phasor.re, phasor.im);
            if !burst.active {
                if strong {
                    *burst = Burst {
                        active: true,
                        start: end - SUB_U64,
                        last_strong_end: end,
                        last: z,
                        ..Burst::default()
                    };
                }
            } else if strong {
                if burst.gap == 0 {
                    let step = mul_conj(z, burst.last);
                    burst.rotation.0 += step.0;
                    burst.rotation.1 += step.1;
                }
                burst.gap = 0;
                burst.last = z;
                burst.last_strong_end = end;
            } else {
                burst.gap += 1;
                if burst.gap > MAX_GAP {
                    close(burst, previous_end, emit);
                }
            }
        });
        *clock += samples.len() as u64;
    }

    /// Closes a burst still sounding, as if the input stopped.
    pub fn finish(&mut self, emit: &mut impl FnMut(FaxEvent)) {
        if self.burst.active {
            close(&mut self.burst, &mut self.previous_end, emit);
        }
    }
}

fn close(burst: &mut Burst, previous_end: &mut Option<u64>, emit: &mut impl FnMut(FaxEvent)) {
    let Burst { start, last_strong_end: end, rotation, .. } = *burst;
    *burst = Burst::default();
    if !angle_within(rotation.0, rotation.1, FREQ_LIMIT_TAN_Q12) {
        return;
    }
    let duration = end - start;
    let reject = |reason| FaxEvent::Rejected { tone: FaxTone::Cng, start, end, reason };
    if duration < ON_MIN {
        if duration >= REPORT_MIN {
            emit(reject(RejectReason::TooShort));
        }
    } else if duration > ON_MAX {
        emit(reject(RejectReason::TooLong));
    } else if previous_end.is_some_and(|previous| start.saturating_sub(previous) < OFF_MIN) {
        emit(reject(RejectReason::OffCadence));
    } else {
        *previous_end = Some(end);
        emit(FaxEvent::Ended { tone: FaxTone::Cng, start, end });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_limit_matches_its_derivation() {
        let tan = (2.0 * std::f64::consts::PI * 44.0 * 0.005).tan() * 4096.0;
        assert_eq!(FREQ_LIMIT_TAN_Q12, tan.round() as i64);
    }

    #[test]
    fn state_is_small() {
        assert_eq!(core::mem::size_of::<CngDetector>(), 120);
    }
}
