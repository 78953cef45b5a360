//! Fax and modem connect tones: CNG, the 2100 Hz answer-tone family (CED/ANS, ANS/, ANSam,
//! ANSam/) and the V.21 channel-2 preamble of HDLC flags.
//!
//! Numbers, from T.30, V.25 and V.8 (facts sheet §5.3, checked against spandsp's
//! `modem_connect_tones.c`):
//!
//! | Signal | Frequency | Timing |
//! |---|---|---|
//! | CNG | 1100 ± 38 Hz | 0.5 s ± 15 % on, 3 s ± 15 % off |
//! | CED = ANS | 2100 ± 15 Hz | 2.6 – 4.0 s |
//! | ANS/ | as ANS | 180° phase reversal every 450 ± 25 ms |
//! | ANSam, ANSam/ | 2100 Hz, 15 Hz AM of 20 % | as ANS, ANS/; V.8 sends up to 5 ± 1 s |
//! | V.21 ch. 2 | mark 1650 Hz, space 1850 Hz | 300 bit/s, flags 0x7E |
//!
//! Method: each tone has a quadrature probe at its nominal frequency (a mixer and a 5 ms
//! integrator) that yields one phasor per 5 ms. The phasor's share of the energy says "a
//! tone is here", its rotation measures the frequency offset exactly (so ±38 Hz and ±15 Hz
//! are sharp limits, not the skirts of a filter), a half-turn jump is a phase reversal, and
//! its power is the envelope in which ANSam's 15 Hz modulation is measured. V.21 is demodulated by an FM
//! discriminator with a bit-clock loop, and flags are counted on the recovered bits.
//!
//! Every detector is a small value holding its whole per-channel state; [`FaxToneDetector`]
//! bundles them and [`process_batch`] runs one block for many channels.

pub mod answer_tone;
pub mod cng;
pub mod generate;
pub(crate) mod probe;
pub mod v21;

pub use answer_tone::AnswerToneDetector;
pub use cng::CngDetector;
pub use generate::FaxToneGenerator;
pub use v21::{V21Modulator, V21PreambleDetector};

/// Sampling rate of every signal in this module.
pub const SAMPLE_RATE_HZ: u32 = crate::goertzel::SAMPLE_RATE;

/// Samples per millisecond.
pub(crate) const SAMPLES_PER_MS: u64 = SAMPLE_RATE_HZ as u64 / 1000;

/// Weakest tone the fax detectors accept, in dBm0 (spandsp cuts off near −43 dBm0 too).
pub const MIN_LEVEL_DBM0: i32 = -43;

/// A fax or modem connect signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaxTone {
    /// T.30 calling tone, 1100 Hz bursts.
    Cng,
    /// Plain 2100 Hz answer tone (V.25 ANS, T.30 CED).
    Ans,
    /// ANS with phase reversals every 450 ms (V.25 ANS/, disables echo cancellers).
    AnsPr,
    /// ANS amplitude-modulated at 15 Hz (V.8 ANSam).
    AnsAm,
    /// ANSam with phase reversals (V.8 ANSam/).
    AnsAmPr,
    /// V.21 channel-2 HDLC flags: the preamble of a T.30 control message.
    V21Preamble,
}

impl FaxTone {
    /// Short label used in reports: `cng`, `ans`, `ans/`, `ansam`, `ansam/`, `v21-preamble`.
    pub fn label(self) -> &'static str {
        match self {
            FaxTone::Cng => "cng",
            FaxTone::Ans => "ans",
            FaxTone::AnsPr => "ans/",
            FaxTone::AnsAm => "ansam",
            FaxTone::AnsAmPr => "ansam/",
            FaxTone::V21Preamble => "v21-preamble",
        }
    }

    /// Parses a label produced by [`FaxTone::label`]; `ced` is accepted for `ans`.
    pub fn from_label(label: &str) -> Option<FaxTone> {
        Some(match label {
            "cng" => FaxTone::Cng,
            "ans" | "ced" => FaxTone::Ans,
            "ans/" | "anspr" => FaxTone::AnsPr,
            "ansam" => FaxTone::AnsAm,
            "ansam/" | "ansampr" => FaxTone::AnsAmPr,
            "v21-preamble" | "v21" => FaxTone::V21Preamble,
            _ => return None,
        })
    }
}

/// Why a tone at the right frequency was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// Shorter than the signal's minimum duration.
    TooShort,
    /// Longer than the signal's maximum duration.
    TooLong,
    /// A CNG burst came too soon after the previous one (off time under 3 s − 15 %).
    OffCadence,
    /// Phase reversals present but not every 450 ± 25 ms.
    BadReversals,
}

/// What a fax-tone detector reports. Times are sample indices counted from the detector's
/// creation (or last [`reset`](FaxToneDetector::reset)); `end` is exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaxEvent {
    /// The signal is recognised while still sounding: ANS-family tones after 550 ms, when the
    /// first reversal and the modulation have been seen; the V.21 preamble after five flags.
    /// Call control can switch to fax or data handling on this event.
    Recognized {
        /// Which signal.
        tone: FaxTone,
        /// Where it began.
        start: u64,
    },
    /// The signal ended and met every limit of its standard.
    Ended {
        /// Which signal (for the answer tone, the final classification).
        tone: FaxTone,
        /// Where it began.
        start: u64,
        /// Where it ended (exclusive).
        end: u64,
    },
    /// A signal at the right frequency ended but broke a timing limit.
    Rejected {
        /// What it looked like.
        tone: FaxTone,
        /// Where it began.
        start: u64,
        /// Where it ended (exclusive).
        end: u64,
        /// Which limit it broke.
        reason: RejectReason,
    },
}

/// Mean square (per sample) of a sine at `dbm0`, as an integer threshold.
pub(crate) fn sine_mean_square(dbm0: i32) -> i64 {
    crate::level::dbm0_to_mean_square(f64::from(dbm0)) as i64
}

/// Peak of a sine at `dbm0`, clamped to the 16-bit range.
pub(crate) fn sine_peak(dbm0: i32) -> i32 {
    crate::level::dbm0_to_peak(f64::from(dbm0)).round().min(32767.0) as i32
}

/// All fax and modem connect-tone detectors for one channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaxToneDetector {
    cng: CngDetector,
    answer: AnswerToneDetector,
    v21: V21PreambleDetector,
}

impl Default for FaxToneDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl FaxToneDetector {
    /// A detector for CNG, the answer-tone family and the V.21 preamble.
    pub fn new() -> Self {
        Self { cng: CngDetector::new(), answer: AnswerToneDetector::new(), v21: V21PreambleDetector::new() }
    }

    /// Forgets everything and restarts the sample clock at zero.
    pub fn reset(&mut self) {
        *self = Self::new();
    }

    /// Processes a block of any length, reporting events through `emit`.
    pub fn process(&mut self, samples: &[i16], mut emit: impl FnMut(FaxEvent)) {
        self.cng.process(samples, &mut emit);
        self.answer.process(samples, &mut emit);
        self.v21.process(samples, &mut emit);
    }

    /// Ends any signal still in progress as if the input stopped here (used at end of file).
    pub fn finish(&mut self, mut emit: impl FnMut(FaxEvent)) {
        self.cng.finish(&mut emit);
        self.answer.finish(&mut emit);
        self.v21.finish(&mut emit);
    }
}

/// Runs one block per channel: `detectors[i]` gets `blocks[i]` (blocks may differ in
/// length); events come with the channel index. Extra detectors or blocks beyond the shorter
/// slice are left alone, as in the crate's other detectors.
pub fn process_batch(
    detectors: &mut [FaxToneDetector],
    blocks: &[&[i16]],
    mut emit: impl FnMut(usize, FaxEvent),
) {
    for (channel, (detector, block)) in detectors.iter_mut().zip(blocks).enumerate() {
        detector.process(block, |event| emit(channel, event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        for tone in [
            FaxTone::Cng,
            FaxTone::Ans,
            FaxTone::AnsPr,
            FaxTone::AnsAm,
            FaxTone::AnsAmPr,
            FaxTone::V21Preamble,
        ] {
            assert_eq!(FaxTone::from_label(tone.label()), Some(tone));
        }
        assert_eq!(FaxTone::from_label("ced"), Some(FaxTone::Ans));
        assert_eq!(FaxTone::from_label("busy"), None);
    }

    #[test]
    fn per_channel_state_is_small() {
        assert_eq!(core::mem::size_of::<FaxToneDetector>(), 376);
    }

    #[test]
    fn sine_level_reference() {
        assert_eq!(sine_mean_square(0), 260_537_279);
        assert_eq!(sine_peak(-10), 7219);
        assert_eq!(sine_peak(4), 32767);
    }
}
