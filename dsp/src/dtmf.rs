//! DTMF receiver to ITU-T Q.24, with sample-accurate digit start and end.
//!
//! # What it accepts and rejects (defaults; each is swept by a test on both sides)
//!
//! | Parameter | Accepted | Rejected | Source of the figure |
//! |---|---|---|---|
//! | Frequency deviation, each tone | ≤ ±(1.5 % + 2 Hz) | ≥ ±3.5 % | Q.24 |
//! | Level per tone | −36 ..= −3 dBm0 | ≤ −45 dBm0 | −36: Q.24 practice (a −10 dBm0 sender through 26 dB of loss); threshold −41 dBm0; two tones at −3 dBm0 reach the A-law overload |
//! | Normal twist (low tone stronger) | ≤ 8 dB | ≥ 12 dB | Q.24 / AT&T figures as spandsp uses them |
//! | Reverse twist (high tone stronger) | ≤ 4 dB | ≥ 8 dB | same |
//! | Tone duration | ≥ 40 ms | ≤ 23 ms | Q.24 practice as quoted by vendors (text not read); decision at 32 ms and three consecutive valid windows |
//! | Pause between digits | ≥ 40 ms separates two digits | ≤ 20 ms is bridged | decision at 30 ms |
//! | Noise | white noise 15 dB below the DTMF power: no loss | | spandsp's 15 dB figure |
//! | Third tone in a group | 10 dB down: digit kept | within 6 dB of the strongest | relative-peak test |
//! | Speech | | 0 false digits in 120 s at three levels | `tests/talkoff_speech.rs` |
//!
//! Twist thresholds sit at 10.5 dB (normal) and 6 dB (reverse): the coherent window loses up
//! to 1.5 dB on a high-group tone at the edge of the frequency tolerance, and the thresholds
//! leave that room on the accept side.
//!
//! # How
//!
//! The input is cut into sub-blocks of 48 samples (6 ms) and each is correlated with the
//! eight frequencies ([`crate::correlator`]). Every sub-block the detector looks at the last
//! two sub-blocks as one coherent 96-sample DFT window (bins 83 Hz wide: neighbouring tones
//! of a group are ≥ 0.88 bin apart) and checks the strongest bin of each group for level,
//! twist, relative peak (the other bins of the group ≥ 6 dB down) and the share of the
//! window's power the two tones hold (≥ 62 %).
//!
//! Frequency is measured, not inferred from magnitude: the phase of a tone advances between
//! two windows one sub-block apart by `2π·Δf·48/8000` beyond the bin's own advance, so each
//! tone's deviation is read from the phase step (unambiguous to ±83 Hz) and compared with a
//! per-bin limit half-way between the accept and reject deviations (2.5 % + 1 Hz). This is
//! level- and twist-independent, which a magnitude test on a ~100-sample Goertzel cannot be.
//! Tones aliasing around the phase circle lose most of their power in the bin and fail the
//! twist or power-share test.
//!
//! A digit counts once three consecutive windows found it valid (the two windows that
//! straddle a tone's start see a biased phase step) and its tones have lasted 32 ms.
//! Edges are then placed by [`crate::twotone`]: the sub-block holding an edge is compared
//! with a model of the two tones carried over from the neighbouring full sub-blocks, which
//! puts clean edges on the exact sample (±1) and noisy ones (25 dB SNR) within ±6 samples.
//! Durations and pauses are measured between those edges, so the 32 ms and 30 ms decisions
//! do not depend on where the sub-blocks fall.
//!
//! # State
//!
//! 504 bytes per channel (asserted by a test): 4 sub-blocks × 8 complex bins of history (256),
//! the partial input sub-block (96), thresholds, and the digit being tracked. No allocation.

use crate::correlator::{
    Complex, PairFit, build_coupling, build_pair_fits, build_rotations, build_rows, build_sectors,
    phase_step_within,
};
use crate::edge::ToneEdge;
use crate::level::{db_to_power_ratio, dbm0_to_peak};
use crate::twotone::{Frontend, Hit, Scales, Tracker};

/// Low-group frequencies (Q.23), Hz.
pub const DTMF_LOW_HZ: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
/// High-group frequencies (Q.23), Hz.
pub const DTMF_HIGH_HZ: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
/// Keypad: row = low tone, column = high tone.
pub const DTMF_KEYPAD: [[char; 4]; 4] =
    [['1', '2', '3', 'A'], ['4', '5', '6', 'B'], ['7', '8', '9', 'C'], ['*', '0', '#', 'D']];

/// The (low, high) frequencies of a DTMF digit; lower-case `a`–`d` accepted.
pub fn dtmf_frequencies(digit: char) -> Option<(f32, f32)> {
    let digit = digit.to_ascii_uppercase();
    for (row, keys) in DTMF_KEYPAD.iter().enumerate() {
        for (col, &key) in keys.iter().enumerate() {
            if key == digit {
                return Some((DTMF_LOW_HZ[row], DTMF_HIGH_HZ[col]));
            }
        }
    }
    None
}

/// Sub-block length in samples (6 ms).
pub const SUB_BLOCK: usize = 48;
const BINS: usize = 8;
const ROWS: usize = 2 * BINS;
/// Consecutive valid windows before a digit counts: the two windows that straddle a tone's
/// start see a biased phase step, so a third, fully covered one must agree.
const CONFIRMING_WINDOWS: u8 = 3;

const FREQS: [f64; BINS] = [697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0];
/// Frequency decision per bin: half-way between accept (1.5 % + 2 Hz) and reject (3.5 %).
const TOLERANCE_HZ: [f64; BINS] = {
    let mut t = [0.0; BINS];
    let mut k = 0;
    while k < BINS {
        t[k] = FREQS[k] * 0.025 + 1.0;
        k += 1;
    }
    t
};

static ROWS_TABLE: [[i16; SUB_BLOCK]; ROWS] = build_rows::<SUB_BLOCK, ROWS>(&FREQS);
static ROTATIONS: [(i32, i32); BINS] = build_rotations::<BINS>(&FREQS, SUB_BLOCK);
static SECTORS: [(i32, i32); BINS] = build_sectors::<BINS>(&TOLERANCE_HZ, SUB_BLOCK);
static PAIR_FITS: [[PairFit; BINS]; BINS] = build_pair_fits::<SUB_BLOCK, ROWS, BINS>(&ROWS_TABLE);
static WINDOW_COUPLING: [[(i32, i32); BINS]; BINS] = build_coupling::<BINS>(&FREQS, 2 * SUB_BLOCK);

/// Receiver settings. The defaults give the accept/reject figures in the module table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DtmfConfig {
    /// Per-tone level below which nothing is detected (on-frequency), dBm0.
    pub min_level_dbm0: f32,
    /// Largest accepted excess of the low tone over the high tone, dB.
    pub max_normal_twist_db: f32,
    /// Largest accepted excess of the high tone over the low tone, dB.
    pub max_reverse_twist_db: f32,
    /// The other tones of a group must be this far below the strongest, dB.
    pub min_relative_peak_db: f32,
    /// Share of the window's power the two tones must hold (0 ..= 1).
    pub min_power_share: f32,
    /// Tone duration from which a digit is reported, ms.
    pub min_tone_ms: u32,
    /// Silence that ends a digit; shorter gaps are bridged, ms.
    pub min_pause_ms: u32,
}

impl Default for DtmfConfig {
    fn default() -> Self {
        Self {
            min_level_dbm0: -41.0,
            max_normal_twist_db: 10.5,
            max_reverse_twist_db: 6.0,
            min_relative_peak_db: 6.0,
            min_power_share: 0.62,
            min_tone_ms: 32,
            min_pause_ms: 30,
        }
    }
}

/// A digit's start or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DtmfEvent {
    /// `0-9 * # A-D`.
    pub digit: char,
    /// Start or end.
    pub kind: ToneEdge,
    /// Sample index (from the detector's first sample) of the tone's first sample for a
    /// start, of the first sample after the tone for an end.
    pub sample: u64,
}

/// Thresholds derived from a [`DtmfConfig`] once, in the detector's integer scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Thresholds {
    /// Minimum `|W|²` of each tone in a window.
    window_level: i64,
    /// Minimum window energy `Σ(x>>3)²`: two tones at the minimum level.
    window_energy: i64,
    /// Power ratios in Q8.
    normal_twist_q8: u32,
    reverse_twist_q8: u32,
    relative_peak_q8: u32,
    power_share_q8: u32,
}

impl Thresholds {
    fn new(config: &DtmfConfig) -> Self {
        let peak = dbm0_to_peak(f64::from(config.min_level_dbm0));
        let q8 = |db: f32| {
            (db_to_power_ratio(f64::from(db)) * 256.0).round().clamp(1.0, f64::from(u32::MAX)) as u32
        };
        Self {
            window_level: Scales::<SUB_BLOCK>::window_power(peak),
            window_energy: 2 * Scales::<SUB_BLOCK>::window_energy(peak),
            normal_twist_q8: q8(config.max_normal_twist_db),
            reverse_twist_q8: q8(config.max_reverse_twist_db),
            relative_peak_q8: q8(config.min_relative_peak_db),
            power_share_q8: (f64::from(config.min_power_share).clamp(0.0, 1.0) * 256.0).round() as u32,
        }
    }

    /// The digit whose two tones pass every window test for the window ending with
    /// sub-block `j`, as (low bin, high bin, key index).
    fn window_hit(&self, frontend: &Frontend<SUB_BLOCK, ROWS>, j: u64) -> Option<Hit> {
        if j < 2 {
            return None;
        }
        let energy = frontend.energy(j) + frontend.energy(j - 1);
        if energy < self.window_energy {
            return None;
        }
        let mut windows = [Complex::default(); BINS];
        let mut power = [0i64; BINS];
        for k in 0..BINS {
            windows[k] = frontend.window(j, k, ROTATIONS[k]);
            power[k] = windows[k].norm_sqr();
        }
        let low = strongest(&power[..4]);
        let high = 4 + strongest(&power[4..]);
        // Level and twist from the two tones with each one's leak into the other's bin removed.
        let p_low = (windows[low] - windows[high].rotate(WINDOW_COUPLING[low][high])).norm_sqr();
        let p_high = (windows[high] - windows[low].rotate(WINDOW_COUPLING[high][low])).norm_sqr();
        if p_low < self.window_level || p_high < self.window_level {
            return None;
        }
        let (wide_low, wide_high) = (i128::from(p_low), i128::from(p_high));
        if wide_low * 256 > wide_high * i128::from(self.normal_twist_q8)
            || wide_high * 256 > wide_low * i128::from(self.reverse_twist_q8)
        {
            return None;
        }
        for (k, &p) in power.iter().enumerate() {
            let best = if k < 4 { wide_low } else { wide_high };
            if k != low && k != high && i128::from(p) * i128::from(self.relative_peak_q8) > best * 256 {
                return None;
            }
        }
        let share = i128::from(self.power_share_q8) * Scales::<SUB_BLOCK>::window_energy_divisor();
        if (wide_low + wide_high) * 256 < share * i128::from(energy) {
            return None;
        }
        for k in [low, high] {
            let previous = frontend.window(j - 1, k, ROTATIONS[k]);
            if !phase_step_within(windows[k], previous, ROTATIONS[k], SECTORS[k]) {
                return None;
            }
        }
        Some(Hit {
            bins: (low, high),
            code: (low * 4 + high - 4) as u8,
            fit: &PAIR_FITS[low][high],
            rotations: [ROTATIONS[low], ROTATIONS[high]],
        })
    }
}

fn key_digit(key: u8) -> char {
    DTMF_KEYPAD[usize::from(key / 4) % 4][usize::from(key % 4)]
}

/// One channel's DTMF receiver; see the module documentation. Its size is asserted in a test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DtmfDetector {
    thresholds: Thresholds,
    frontend: Frontend<SUB_BLOCK, ROWS>,
    tracker: Tracker,
}

impl DtmfDetector {
    /// A receiver with `config`.
    pub fn new(config: DtmfConfig) -> Self {
        Self {
            thresholds: Thresholds::new(&config),
            frontend: Frontend::new(&ROWS_TABLE),
            tracker: Tracker::new(config.min_tone_ms, config.min_pause_ms, CONFIRMING_WINDOWS),
        }
    }

    /// Forgets everything heard; sample numbering restarts at 0.
    pub fn reset(&mut self) {
        self.frontend = Frontend::new(&ROWS_TABLE);
        self.tracker.clear();
    }

    /// The digit currently on (after its start event, before its end event).
    pub fn current_digit(&self) -> Option<char> {
        self.tracker.current().map(key_digit)
    }

    /// Samples consumed so far.
    pub fn samples_seen(&self) -> u64 {
        self.frontend.samples_seen()
    }

    /// Feeds samples of any length; calls `on_event` for every digit start and end, in order.
    pub fn process(&mut self, samples: &[i16], mut on_event: impl FnMut(DtmfEvent)) {
        let thresholds = &self.thresholds;
        let tracker = &mut self.tracker;
        self.frontend.feed(samples, |frontend, j| {
            let hit = thresholds.window_hit(frontend, j);
            tracker.follow(frontend, j, hit, |key, kind, sample| {
                on_event(DtmfEvent { digit: key_digit(key), kind, sample });
            });
        });
    }
}

fn strongest(power: &[i64]) -> usize {
    let mut best = 0;
    for (k, &p) in power.iter().enumerate() {
        if p > power[best] {
            best = k;
        }
    }
    best
}

/// Runs one block per channel through `detectors[i]` with `blocks[i]`; events come with the
/// channel index. Extra detectors or blocks beyond the shorter slice are left alone.
pub fn process_batch(
    detectors: &mut [DtmfDetector],
    blocks: &[&[i16]],
    mut on_event: impl FnMut(usize, DtmfEvent),
) {
    for (channel, (detector, block)) in detectors.iter_mut().zip(blocks).enumerate() {
        detector.process(block, |event| on_event(channel, event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tonegen::{Cadence, Tone, ToneGenerator};

    fn tone(digit: char, on_ms: u32, level: f32) -> Vec<i16> {
        let (low, high) = dtmf_frequencies(digit).unwrap();
        let mut out = vec![0i16; (on_ms * 8) as usize];
        ToneGenerator::new(&Tone::dual(low, level, high, level), Cadence::CONTINUOUS).generate(&mut out);
        out
    }

    fn run(detector: &mut DtmfDetector, samples: &[i16]) -> Vec<DtmfEvent> {
        let mut events = Vec::new();
        detector.process(samples, |e| events.push(e));
        events
    }

    #[test]
    fn keypad_and_frequencies() {
        assert_eq!(dtmf_frequencies('1'), Some((697.0, 1209.0)));
        assert_eq!(dtmf_frequencies('0'), Some((941.0, 1336.0)));
        assert_eq!(dtmf_frequencies('d'), Some((941.0, 1633.0)));
        assert_eq!(dtmf_frequencies('E'), None);
    }

    #[test]
    fn state_is_small() {
        assert_eq!(std::mem::size_of::<DtmfDetector>(), 504);
    }

    #[test]
    fn every_digit_with_exact_edges() {
        for digit in "123A456B789C*0#D".chars() {
            let mut detector = DtmfDetector::new(DtmfConfig::default());
            let mut signal = vec![0i16; 333];
            signal.extend(tone(digit, 60, -10.0));
            signal.extend(vec![0i16; 800]);
            let events = run(&mut detector, &signal);
            assert_eq!(events.len(), 2, "{digit}: {events:?}");
            assert_eq!((events[0].digit, events[0].kind), (digit, ToneEdge::Start));
            assert_eq!((events[1].digit, events[1].kind), (digit, ToneEdge::End));
            assert!(events[0].sample.abs_diff(333) <= 2, "{digit} start {}", events[0].sample);
            assert!(events[1].sample.abs_diff(333 + 480) <= 2, "{digit} end {}", events[1].sample);
        }
    }

    #[test]
    fn chunking_does_not_change_events() {
        let mut signal = vec![0i16; 100];
        for digit in "159#".chars() {
            signal.extend(tone(digit, 50, -12.0));
            signal.extend(vec![0i16; 440]);
        }
        let whole = run(&mut DtmfDetector::new(DtmfConfig::default()), &signal);
        assert_eq!(
            whole.iter().filter(|e| e.kind == ToneEdge::Start).map(|e| e.digit).collect::<String>(),
            "159#"
        );
        for chunk in [1, 7, 47, 48, 49, 160, 1000] {
            let mut detector = DtmfDetector::new(DtmfConfig::default());
            let mut events = Vec::new();
            for piece in signal.chunks(chunk) {
                detector.process(piece, |e| events.push(e));
            }
            assert_eq!(events, whole, "chunk {chunk}");
        }
    }

    #[test]
    fn batch_matches_single_channel() {
        let signal_a = [vec![0i16; 50], tone('7', 60, -10.0), vec![0i16; 400]].concat();
        let signal_b = [vec![0i16; 200], tone('*', 60, -20.0), vec![0i16; 400]].concat();
        let mut detectors = vec![DtmfDetector::new(DtmfConfig::default()); 2];
        let mut events = Vec::new();
        for (a, b) in signal_a.chunks(160).zip(signal_b.chunks(160)) {
            process_batch(&mut detectors, &[a, b], |channel, e| events.push((channel, e.digit, e.kind)));
        }
        assert_eq!(
            events,
            vec![
                (0, '7', ToneEdge::Start),
                (1, '*', ToneEdge::Start),
                (0, '7', ToneEdge::End),
                (1, '*', ToneEdge::End)
            ]
        );
    }

    #[test]
    fn reset_restarts_numbering() {
        let mut detector = DtmfDetector::new(DtmfConfig::default());
        run(&mut detector, &tone('5', 60, -10.0));
        assert_eq!(detector.current_digit(), Some('5'));
        detector.reset();
        assert_eq!(detector.current_digit(), None);
        assert_eq!(detector.samples_seen(), 0);
        let events = run(&mut detector, &[vec![0i16; 96], tone('6', 60, -10.0), vec![0i16; 400]].concat());
        // The generator's first sample is a zero crossing: the tone shows from sample 97.
        assert_eq!(events[0].sample, 97);
    }

    #[test]
    fn silence_and_extreme_input_give_nothing() {
        let mut detector = DtmfDetector::new(DtmfConfig::default());
        assert!(run(&mut detector, &[0i16; 8000]).is_empty());
        assert!(run(&mut detector, &[i16::MIN; 8000]).is_empty());
        let square: Vec<i16> =
            (0..8000u32).map(|i| if i.is_multiple_of(2) { i16::MAX } else { i16::MIN }).collect();
        assert!(run(&mut detector, &square).is_empty());
    }
}
