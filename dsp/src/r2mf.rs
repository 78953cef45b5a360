//! MFC-R2 register-signal receiver (Q.441 frequencies, Q.442 receiving conditions) for China
//! No.1 signalling: two-out-of-six, forward group 1380–1980 Hz, backward group 1140–540 Hz.
//!
//! # What it accepts and rejects (defaults; each is swept by a test on both sides)
//!
//! | Parameter | Accepted | Rejected | Note |
//! |---|---|---|---|
//! | Frequency deviation, each tone | ≤ ±10 Hz | ≥ ±35 Hz | Q.442 asks ±10 Hz; senders keep ±4 Hz (Q.454) |
//! | Level per tone | −35 ..= −5 dBm0 | ≤ −43 dBm0 | Q.442's operating range as commonly quoted (text not read); threshold −39 dBm0 |
//! | Level difference of the two tones | ≤ 7 dB | ≥ 11 dB | Q.442: 5 dB adjacent, 7 dB non-adjacent frequencies; 7 dB accepted for every pair |
//! | One tone alone | | any level | |
//! | Third tone | | within 10 dB of the weaker of the two | |
//! | Duration | ≥ 22 ms | ≤ 14 ms | decision at 16 ms, and two consecutive valid windows |
//!
//! # Timing for compelled signalling
//!
//! Sub-blocks are 64 samples (8 ms) and the coherent window two of them (128 samples: the
//! other frequencies of the group, 120 Hz apart, fall 1.92 bins away, next to the window's
//! nulls, as in spandsp's 133-sample receiver). A steady signal is reported 17–25 ms after
//! it starts (the second window that covers it confirms it) and its end 5–14 ms after it
//! stops (measured in `tests/r2_conformance.rs` and `tests/spandsp_r2.rs`; spandsp: 8–24 ms
//! and 4–26 ms). The reported sample indices are the edges themselves, within a sample.
//! `R2Config::confirming_windows = 1` reports 8 ms sooner at the cost of the ±35 Hz reject.
//!
//! # State
//!
//! 488 bytes per channel (asserted by a test): 4 sub-blocks × 6 complex bins of history (192),
//! the partial input sub-block (128), thresholds, and the signal being tracked. No allocation.

use crate::correlator::{
    Complex, PairFit, build_coupling, build_pair_fits, build_rotations, build_rows, build_sectors,
    phase_step_within,
};
use crate::edge::ToneEdge;
use crate::level::{db_to_power_ratio, dbm0_to_peak};
use crate::twotone::{Frontend, Hit, Scales, Tracker};

/// Which register-signal group a receiver or sender works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum R2Direction {
    /// Forward (Group I/II) signals, calling side to called side: 1380–1980 Hz.
    Forward,
    /// Backward (Group A/B) signals: 1140–540 Hz.
    Backward,
}

/// Forward frequencies f0..f5 (Q.441), Hz.
pub const R2_FORWARD_HZ: [f32; 6] = [1380.0, 1500.0, 1620.0, 1740.0, 1860.0, 1980.0];
/// Backward frequencies f0..f5 (Q.441), Hz; signal 1 is f0 + f1 = 1140 + 1020 Hz.
pub const R2_BACKWARD_HZ: [f32; 6] = [1140.0, 1020.0, 900.0, 780.0, 660.0, 540.0];

/// Frequency index pairs of signals 1 ..= 15 (Q.441 Table 1).
const CODE_PAIRS: [(usize, usize); 15] = [
    (0, 1),
    (0, 2),
    (1, 2),
    (0, 3),
    (1, 3),
    (2, 3),
    (0, 4),
    (1, 4),
    (2, 4),
    (3, 4),
    (0, 5),
    (1, 5),
    (2, 5),
    (3, 5),
    (4, 5),
];

/// The two frequencies of signal `code` (1 ..= 15) in `direction`'s group.
pub fn r2_frequencies(direction: R2Direction, code: u8) -> Option<(f32, f32)> {
    let (a, b) = *CODE_PAIRS.get(usize::from(code).checked_sub(1)?)?;
    let table = match direction {
        R2Direction::Forward => &R2_FORWARD_HZ,
        R2Direction::Backward => &R2_BACKWARD_HZ,
    };
    Some((table[a], table[b]))
}

/// The signal number of a frequency index pair (either order).
fn code_of(a: usize, b: usize) -> Option<u8> {
    let pair = (a.min(b), a.max(b));
    CODE_PAIRS.iter().position(|&p| p == pair).map(|i| i as u8 + 1)
}

/// Sub-block length in samples (8 ms); two make a 128-sample window.
pub const SUB_BLOCK: usize = 64;
const BINS: usize = 6;
const ROWS: usize = 2 * BINS;

const FORWARD: [f64; BINS] = [1380.0, 1500.0, 1620.0, 1740.0, 1860.0, 1980.0];
const BACKWARD: [f64; BINS] = [1140.0, 1020.0, 900.0, 780.0, 660.0, 540.0];
/// Frequency decision at ±20 Hz: accepts ±10 Hz, rejects ±35 Hz (the first windows of a
/// signal see a biased phase step, hence the wider reject side).
const TOLERANCE_HZ: [f64; BINS] = [20.0; BINS];

/// Everything a receiver needs to know about its frequency group.
#[derive(Debug, PartialEq, Eq)]
struct GroupTables {
    rows: [[i16; SUB_BLOCK]; ROWS],
    rotations: [(i32, i32); BINS],
    fits: [[PairFit; BINS]; BINS],
    window_coupling: [[(i32, i32); BINS]; BINS],
}

impl GroupTables {
    const fn new(freqs: &[f64; BINS]) -> Self {
        let rows = build_rows::<SUB_BLOCK, ROWS>(freqs);
        Self {
            rotations: build_rotations::<BINS>(freqs, SUB_BLOCK),
            fits: build_pair_fits::<SUB_BLOCK, ROWS, BINS>(&rows),
            window_coupling: build_coupling::<BINS>(freqs, 2 * SUB_BLOCK),
            rows,
        }
    }

    fn of(direction: R2Direction) -> &'static Self {
        match direction {
            R2Direction::Forward => &FORWARD_TABLES,
            R2Direction::Backward => &BACKWARD_TABLES,
        }
    }
}

static FORWARD_TABLES: GroupTables = GroupTables::new(&FORWARD);
static BACKWARD_TABLES: GroupTables = GroupTables::new(&BACKWARD);
static SECTORS: [(i32, i32); BINS] = build_sectors::<BINS>(&TOLERANCE_HZ, SUB_BLOCK);
/// Receiver settings. The defaults give the figures in the module table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct R2Config {
    /// Per-tone level below which nothing is detected, dBm0.
    pub min_level_dbm0: f32,
    /// Largest accepted level difference between the two tones, dB.
    pub max_twist_db: f32,
    /// The other four frequencies must be this far below the weaker tone, dB.
    pub min_relative_peak_db: f32,
    /// Share of the window's power the two tones must hold (0 ..= 1).
    pub min_power_share: f32,
    /// Duration from which a signal is reported, ms.
    pub min_tone_ms: u32,
    /// Silence that ends a signal, ms.
    pub min_pause_ms: u32,
    /// Consecutive valid windows before a signal counts. The default 2 keeps the first
    /// window, which straddles the signal's start and sees a biased phase step, from deciding
    /// alone; 1 reports 8 ms sooner but lets tones up to ~35 Hz off through at their start.
    pub confirming_windows: u8,
}

impl Default for R2Config {
    fn default() -> Self {
        Self {
            min_level_dbm0: -39.0,
            max_twist_db: 9.0,
            min_relative_peak_db: 10.0,
            min_power_share: 0.6,
            min_tone_ms: 16,
            min_pause_ms: 0,
            confirming_windows: 2,
        }
    }
}

/// A signal's start or end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct R2Event {
    /// Signal number 1 ..= 15.
    pub code: u8,
    /// Start or end.
    pub kind: ToneEdge,
    /// Sample index of the signal's first sample (start) or of the first sample after it (end).
    pub sample: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Thresholds {
    window_level: i64,
    window_energy: i64,
    twist_q8: u32,
    relative_peak_q8: u32,
    power_share_q8: u32,
    tables: &'static GroupTables,
}

impl Thresholds {
    fn new(config: &R2Config, direction: R2Direction) -> Self {
        let peak = dbm0_to_peak(f64::from(config.min_level_dbm0));
        let q8 = |db: f32| {
            (db_to_power_ratio(f64::from(db)) * 256.0).round().clamp(1.0, f64::from(u32::MAX)) as u32
        };
        Self {
            window_level: Scales::<SUB_BLOCK>::window_power(peak),
            window_energy: 2 * Scales::<SUB_BLOCK>::window_energy(peak),
            twist_q8: q8(config.max_twist_db),
            relative_peak_q8: q8(config.min_relative_peak_db),
            power_share_q8: (f64::from(config.min_power_share).clamp(0.0, 1.0) * 256.0).round() as u32,
            tables: GroupTables::of(direction),
        }
    }

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
            windows[k] = frontend.window(j, k, self.tables.rotations[k]);
            power[k] = windows[k].norm_sqr();
        }
        // The two strongest bins.
        let (mut first, mut second) = if power[0] >= power[1] { (0, 1) } else { (1, 0) };
        for k in 2..BINS {
            if power[k] > power[first] {
                second = first;
                first = k;
            } else if power[k] > power[second] {
                second = k;
            }
        }
        // Level and twist from the two tones with each one's leak into the other's bin removed.
        let clean = |k: usize, other: usize| {
            (windows[k] - windows[other].rotate(self.tables.window_coupling[k][other])).norm_sqr()
        };
        let (p_first, p_second) = (clean(first, second), clean(second, first));
        let (strong, weak) = (i128::from(p_first.max(p_second)), i128::from(p_first.min(p_second)));
        if p_first.min(p_second) < self.window_level {
            return None;
        }
        if strong * 256 > weak * i128::from(self.twist_q8) {
            return None;
        }
        for k in 0..BINS {
            if k == first || k == second {
                continue;
            }
            // What the other bins hold beyond the two tones' leak.
            let rest = (windows[k]
                - windows[first].rotate(self.tables.window_coupling[k][first])
                - windows[second].rotate(self.tables.window_coupling[k][second]))
            .norm_sqr();
            if i128::from(rest) * i128::from(self.relative_peak_q8) > weak * 256 {
                return None;
            }
        }
        let share = i128::from(self.power_share_q8) * Scales::<SUB_BLOCK>::window_energy_divisor();
        if (strong + weak) * 256 < share * i128::from(energy) {
            return None;
        }
        for k in [first, second] {
            let previous = frontend.window(j - 1, k, self.tables.rotations[k]);
            if !phase_step_within(windows[k], previous, self.tables.rotations[k], SECTORS[k]) {
                return None;
            }
        }
        let code = code_of(first, second)?;
        let (a, b) = (first.min(second), first.max(second));
        Some(Hit {
            bins: (a, b),
            code,
            fit: &self.tables.fits[a][b],
            rotations: [self.tables.rotations[a], self.tables.rotations[b]],
        })
    }
}

/// One channel's MFC-R2 receiver for one direction; see the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct R2Detector {
    direction: R2Direction,
    thresholds: Thresholds,
    frontend: Frontend<SUB_BLOCK, ROWS>,
    tracker: Tracker,
}

impl R2Detector {
    /// A receiver for `direction`'s signals.
    pub fn new(direction: R2Direction, config: R2Config) -> Self {
        Self {
            direction,
            thresholds: Thresholds::new(&config, direction),
            frontend: Frontend::new(Self::rows(direction)),
            tracker: Tracker::new(config.min_tone_ms, config.min_pause_ms, config.confirming_windows.max(1)),
        }
    }

    fn rows(direction: R2Direction) -> &'static [[i16; SUB_BLOCK]; ROWS] {
        &GroupTables::of(direction).rows
    }

    /// The group this receiver listens to.
    pub fn direction(&self) -> R2Direction {
        self.direction
    }

    /// Forgets everything heard; sample numbering restarts at 0.
    pub fn reset(&mut self) {
        self.frontend = Frontend::new(Self::rows(self.direction));
        self.tracker.clear();
    }

    /// The signal currently on (after its start event, before its end event).
    pub fn current_code(&self) -> Option<u8> {
        self.tracker.current()
    }

    /// Samples consumed so far.
    pub fn samples_seen(&self) -> u64 {
        self.frontend.samples_seen()
    }

    /// Feeds samples of any length; calls `on_event` for every signal start and end, in order.
    pub fn process(&mut self, samples: &[i16], mut on_event: impl FnMut(R2Event)) {
        let thresholds = &self.thresholds;
        let tracker = &mut self.tracker;
        self.frontend.feed(samples, |frontend, j| {
            let hit = thresholds.window_hit(frontend, j);
            tracker.follow(frontend, j, hit, |code, kind, sample| on_event(R2Event { code, kind, sample }));
        });
    }
}

/// Runs one block per channel through `detectors[i]` with `blocks[i]`; events come with the
/// channel index. Extra detectors or blocks beyond the shorter slice are left alone.
pub fn process_batch(
    detectors: &mut [R2Detector],
    blocks: &[&[i16]],
    mut on_event: impl FnMut(usize, R2Event),
) {
    for (channel, (detector, block)) in detectors.iter_mut().zip(blocks).enumerate() {
        detector.process(block, |event| on_event(channel, event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tonegen::{R2_DEFAULT_LEVEL_DBM0, R2Generator};

    fn signal(direction: R2Direction, code: u8, lead: usize, on: usize, tail: usize) -> Vec<i16> {
        let mut generator = R2Generator::new(direction, R2_DEFAULT_LEVEL_DBM0);
        let mut out = vec![0i16; lead + on + tail];
        generator.start(code).unwrap();
        generator.generate(&mut out[lead..lead + on]);
        out
    }

    #[test]
    fn frequency_table() {
        assert_eq!(r2_frequencies(R2Direction::Forward, 1), Some((1380.0, 1500.0)));
        assert_eq!(r2_frequencies(R2Direction::Forward, 15), Some((1860.0, 1980.0)));
        assert_eq!(r2_frequencies(R2Direction::Backward, 11), Some((1140.0, 540.0)));
        assert_eq!(r2_frequencies(R2Direction::Backward, 9), Some((900.0, 660.0)));
        assert_eq!(r2_frequencies(R2Direction::Forward, 0), None);
        assert_eq!(r2_frequencies(R2Direction::Forward, 16), None);
        for code in 1..=15u8 {
            let (a, b) = CODE_PAIRS[usize::from(code) - 1];
            assert_eq!(code_of(b, a), Some(code));
        }
        assert_eq!(code_of(2, 2), None);
    }

    #[test]
    fn state_is_small() {
        assert_eq!(std::mem::size_of::<R2Detector>(), 488);
    }

    #[test]
    fn every_code_both_directions_with_edges() {
        for direction in [R2Direction::Forward, R2Direction::Backward] {
            for code in 1..=15u8 {
                let mut detector = R2Detector::new(direction, R2Config::default());
                let mut events = Vec::new();
                detector.process(&signal(direction, code, 301, 800, 400), |e| events.push(e));
                assert_eq!(events.len(), 2, "{direction:?} {code}: {events:?}");
                assert_eq!((events[0].code, events[0].kind), (code, ToneEdge::Start));
                assert_eq!((events[1].code, events[1].kind), (code, ToneEdge::End));
                assert!(events[0].sample.abs_diff(301) <= 3, "{direction:?} {code}: {events:?}");
                assert!(events[1].sample.abs_diff(1101) <= 3, "{direction:?} {code}: {events:?}");
            }
        }
    }

    #[test]
    fn the_other_group_is_not_heard() {
        let mut detector = R2Detector::new(R2Direction::Forward, R2Config::default());
        let mut events = Vec::new();
        for code in 1..=15 {
            detector.process(&signal(R2Direction::Backward, code, 100, 800, 400), |e| events.push(e));
        }
        assert!(events.is_empty(), "{events:?}");
    }
}
