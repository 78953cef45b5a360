//! The call-progress detector: a Goertzel bin per plan frequency over 10 ms blocks, a
//! debounced segmenter, and one cadence matcher per tone.
//!
//! Per block of 80 samples (160 when two plan frequencies are closer than 100 Hz, as in the
//! North American 440 + 480 Hz ringback), a frequency sounds when its bin holds at least 20 %
//! of the block's energy (a component of a dual tone holds about half) and its own level
//! reaches the plan's minimum; the block counts as tone only when the sounding bins together
//! hold at least half the energy, which is what bounds the frequency tolerance: a single tone
//! is accepted within ±40 Hz of its bin (the Chinese plan promises ±25 Hz) and refused from
//! ±45 Hz. A change of the set of sounding frequencies is believed after two blocks, and then
//! dated back to its first block, so a single odd block neither splits a segment nor shifts
//! its edges. Segment edges fall within half a block of the true edge, so durations are known
//! to one block; every cadence window is widened by that.
//!
//! [`ProgressDetector`] is built once from a [`TonePlan`] and shared; each channel owns a
//! [`ProgressState`] (a few hundred bytes, see the tests).

use super::cadence::{Expect, Matcher, Pattern, Report};
use super::plan::{Cadence, MAX_FREQUENCIES, MAX_SEGMENTS, MAX_TONES, PlanError, TonePlan};
use crate::goertzel::Goertzel;

/// Samples per analysis block (10 ms) when the plan's frequencies are at least
/// [`FINE_SPACING_HZ`] apart.
pub const BLOCK: usize = 80;
/// Samples per block (20 ms) for plans with closer frequencies (440 and 480 Hz, say): a
/// 10 ms Goertzel bin is 100 Hz wide and would see each of them in the other's bin.
pub const LONG_BLOCK: usize = 160;
/// Closest plan frequencies that 10 ms blocks still separate.
pub const FINE_SPACING_HZ: u16 = 100;
/// Share of the block energy (Q8) one frequency needs to count as sounding.
const COMPONENT_SHARE_Q8: i64 = 51;
/// Share of the block energy (Q8) all sounding frequencies need together.
const TONAL_SHARE_Q8: i64 = 128;

/// A call-progress event. Times are sample indices from the state's creation; `end` is
/// exclusive. `tone` indexes the plan's `tones`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProgressEvent {
    /// The tone's cadence matched the plan's number of cycles.
    Started {
        /// Index into the plan's tones.
        tone: usize,
        /// First sample of the first matched segment.
        start: u64,
    },
    /// The tone stopped or broke its cadence.
    Ended {
        /// Index into the plan's tones.
        tone: usize,
        /// As reported by `Started`.
        start: u64,
        /// End of the last sounding segment that matched.
        end: u64,
    },
}

/// The shared, read-only part of the detector: the plan compiled into masks and windows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressDetector<'a> {
    plan: &'a TonePlan<'a>,
    block_len: usize,
    freqs: [u16; MAX_FREQUENCIES],
    freq_count: usize,
    patterns: [Pattern; MAX_TONES],
    /// Smallest |DFT|² of one frequency at the plan's minimum level: (N·A/2)².
    min_bin_energy: i64,
}

/// Per-channel state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressState {
    bins: [Goertzel; MAX_FREQUENCIES],
    energy: i64,
    filled: u8,
    /// Blocks completed so far.
    block: u32,
    segment_mask: u8,
    segment_start: u32,
    /// A different mask seen in the last block, not yet believed.
    pending_mask: u8,
    pending_start: u32,
    pending: bool,
    /// Frequencies sounding in the last complete block (bit i: the plan's i-th frequency).
    last_mask: u8,
    matchers: [Matcher; MAX_TONES],
}

impl ProgressState {
    /// Whether any plan frequency sounded in the last complete block.
    pub fn tone_in_last_block(&self) -> bool {
        self.last_mask != 0
    }
}

impl<'a> ProgressDetector<'a> {
    /// Compiles `plan`.
    pub fn new(plan: &'a TonePlan<'a>) -> Result<Self, PlanError> {
        if plan.tones.len() > MAX_TONES {
            return Err(PlanError::TooManyTones(plan.tones.len()));
        }
        let distinct = plan.frequencies().count();
        if distinct > MAX_FREQUENCIES {
            return Err(PlanError::TooManyFrequencies(distinct));
        }
        let mut freqs = [0u16; MAX_FREQUENCIES];
        for (slot, f) in freqs.iter_mut().zip(plan.frequencies()) {
            *slot = f;
        }
        let mask_of = |pair: [u16; 2]| -> u8 {
            pair.iter()
                .filter(|&&f| f != 0)
                .filter_map(|f| freqs[..distinct].iter().position(|g| g == f))
                .fold(0u8, |mask, i| mask | 1 << i)
        };
        let closest = freqs[..distinct]
            .iter()
            .enumerate()
            .flat_map(|(i, a)| freqs[i + 1..distinct].iter().map(move |b| a.abs_diff(*b)))
            .min()
            .unwrap_or(u16::MAX);
        let block_len = if closest < FINE_SPACING_HZ { LONG_BLOCK } else { BLOCK };
        let block_ms = (block_len / 8) as u32;
        let mut patterns = [Pattern::Continuous { mask: 0, min_blocks: 0 }; MAX_TONES];
        for (pattern, tone) in patterns.iter_mut().zip(plan.tones) {
            let bad = || PlanError::BadCadence { tone: tone.name.to_string() };
            let in_band = |pair: [u16; 2]| pair.iter().all(|&f| f == 0 || (100..=3900).contains(&f));
            *pattern = match tone.cadence {
                Cadence::Continuous { freqs_hz, min_ms } => {
                    let mask = mask_of(freqs_hz);
                    if mask == 0 || min_ms == 0 || !in_band(freqs_hz) {
                        return Err(bad());
                    }
                    Pattern::Continuous { mask, min_blocks: min_ms.div_ceil(block_ms) }
                }
                Cadence::Repeating { segments, cycles } => {
                    if segments.is_empty() || segments.len() > MAX_SEGMENTS {
                        return Err(PlanError::BadSegmentCount {
                            tone: tone.name.to_string(),
                            segments: segments.len(),
                        });
                    }
                    let mut expect = [Expect::default(); MAX_SEGMENTS];
                    for (i, (e, s)) in expect.iter_mut().zip(segments).enumerate() {
                        let next = &segments[(i + 1) % segments.len()];
                        let repeats_neighbour = segments.len() > 1 && next.freqs_hz == s.freqs_hz;
                        if s.ms == 0 || !in_band(s.freqs_hz) || repeats_neighbour {
                            return Err(bad());
                        }
                        let slack = s.ms * u32::from(tone.tolerance_pct) / 100 + block_ms;
                        *e = Expect {
                            mask: mask_of(s.freqs_hz),
                            min_blocks: s.ms.saturating_sub(slack).div_ceil(block_ms),
                            max_blocks: (s.ms + slack) / block_ms,
                        };
                    }
                    if segments.iter().all(|s| s.is_silence()) || cycles == 0 {
                        return Err(bad());
                    }
                    let needed = (segments.len() * usize::from(cycles)).min(usize::from(u16::MAX)) as u16;
                    Pattern::Repeating { expect, len: segments.len() as u8, needed }
                }
            };
        }
        let amplitude = crate::level::dbm0_to_peak(f64::from(plan.min_level_dbm0));
        let half_dft = block_len as f64 * amplitude / 2.0;
        Ok(Self {
            plan,
            block_len,
            freqs,
            freq_count: distinct,
            patterns,
            min_bin_energy: (half_dft * half_dft) as i64,
        })
    }

    /// The plan this detector was built from.
    pub fn plan(&self) -> &'a TonePlan<'a> {
        self.plan
    }

    /// A fresh per-channel state, clock at zero.
    pub fn new_state(&self) -> ProgressState {
        let mut bins = [Goertzel::new(0.0); MAX_FREQUENCIES];
        for (bin, &f) in bins.iter_mut().zip(&self.freqs[..self.freq_count]) {
            *bin = Goertzel::new(f32::from(f));
        }
        ProgressState {
            bins,
            energy: 0,
            filled: 0,
            block: 0,
            segment_mask: 0,
            segment_start: 0,
            pending_mask: 0,
            pending_start: 0,
            pending: false,
            last_mask: 0,
            matchers: [Matcher::default(); MAX_TONES],
        }
    }

    /// Processes a block of any length for one channel.
    pub fn process(&self, state: &mut ProgressState, samples: &[i16], mut emit: impl FnMut(ProgressEvent)) {
        let mut pos = 0;
        while pos < samples.len() {
            let take = (self.block_len - usize::from(state.filled)).min(samples.len() - pos);
            let chunk = &samples[pos..pos + take];
            // All bins per sample: their recursions are independent and overlap in the pipeline.
            let bins = &mut state.bins[..self.freq_count];
            for &x in chunk {
                for bin in bins.iter_mut() {
                    bin.update(x);
                }
            }
            state.energy += crate::goertzel::block_energy(chunk);
            state.filled += take as u8;
            pos += take;
            if usize::from(state.filled) == self.block_len {
                let mask = self.block_mask(state);
                state.filled = 0;
                state.energy = 0;
                for bin in &mut state.bins[..self.freq_count] {
                    bin.reset();
                }
                self.on_block(state, mask, &mut emit);
            }
        }
    }

    /// Runs one block per channel: `states[i]` gets `blocks[i]`; events come with the channel
    /// index. Extra states or blocks beyond the shorter slice are left alone.
    pub fn process_batch(
        &self,
        states: &mut [ProgressState],
        blocks: &[&[i16]],
        mut emit: impl FnMut(usize, ProgressEvent),
    ) {
        for (channel, (state, block)) in states.iter_mut().zip(blocks).enumerate() {
            self.process(state, block, |event| emit(channel, event));
        }
    }

    /// Ends everything in progress as if the input stopped here.
    pub fn finish(&self, state: &mut ProgressState, mut emit: impl FnMut(ProgressEvent)) {
        let block_len = self.block_len;
        let (mask, start) = (state.segment_mask, state.segment_start);
        let blocks = state.block.wrapping_sub(start);
        for (tone, (matcher, pattern)) in
            state.matchers.iter_mut().zip(&self.patterns).take(self.plan.tones.len()).enumerate()
        {
            matcher.finish(pattern, mask, start, blocks, &mut |r| emit(to_event(block_len, tone, r)));
        }
        state.segment_start = state.block;
        state.pending = false;
    }

    fn block_mask(&self, state: &ProgressState) -> u8 {
        let total = state.energy;
        if total == 0 {
            return 0;
        }
        let mut mask = 0u8;
        let mut tonal = 0i64;
        for (i, bin) in state.bins[..self.freq_count].iter().enumerate() {
            let energy = bin.energy();
            // share = 2·energy / (N·total)
            let share_q8 =
                (2 * 256 * i128::from(energy) / (self.block_len as i128 * i128::from(total))) as i64;
            if share_q8 >= COMPONENT_SHARE_Q8 && energy >= self.min_bin_energy {
                mask |= 1 << i;
                tonal += share_q8;
            }
        }
        if tonal >= TONAL_SHARE_Q8 { mask } else { 0 }
    }

    fn on_block(&self, state: &mut ProgressState, mask: u8, emit: &mut impl FnMut(ProgressEvent)) {
        let block_len = self.block_len;
        let now = state.block;
        // Block numbers wrap after 2^32 blocks (497 days at 10 ms); durations are differences
        // and stay right across the wrap.
        state.block = state.block.wrapping_add(1);
        state.last_mask = mask;
        let tones = self.plan.tones.len();
        if mask == state.segment_mask {
            state.pending = false;
        } else if state.pending && mask == state.pending_mask {
            // The change holds for a second block: the old segment ended where it began.
            let (old_mask, old_start, new_start) =
                (state.segment_mask, state.segment_start, state.pending_start);
            for (tone, (matcher, pattern)) in
                state.matchers.iter_mut().zip(&self.patterns).take(tones).enumerate()
            {
                matcher.segment_ended(
                    pattern,
                    old_mask,
                    old_start,
                    new_start.wrapping_sub(old_start),
                    &mut |r| emit(to_event(block_len, tone, r)),
                );
            }
            state.segment_mask = mask;
            state.segment_start = new_start;
            state.pending = false;
        } else {
            state.pending = true;
            state.pending_mask = mask;
            state.pending_start = now;
        }
        let settled_end = if state.pending { state.pending_start } else { state.block };
        let (mask, start) = (state.segment_mask, state.segment_start);
        for (tone, (matcher, pattern)) in
            state.matchers.iter_mut().zip(&self.patterns).take(tones).enumerate()
        {
            matcher.segment_continues(pattern, mask, start, settled_end.wrapping_sub(start), &mut |r| {
                emit(to_event(block_len, tone, r))
            });
        }
    }
}

fn to_event(block_len: usize, tone: usize, report: Report) -> ProgressEvent {
    let samples = |blocks: u32| u64::from(blocks) * block_len as u64;
    match report {
        Report::Started { start } => ProgressEvent::Started { tone, start: samples(start) },
        Report::Ended { start, end } => {
            ProgressEvent::Ended { tone, start: samples(start), end: samples(end) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::plan::{CHINA, ETSI, Segment, ToneSpec};

    #[test]
    fn plans_compile() {
        let cn = ProgressDetector::new(&CHINA).unwrap();
        assert_eq!(&cn.freqs[..cn.freq_count], [450, 950, 1400]);
        // busy: 350 ms ± (35 + 10) → 31..=39 blocks.
        match cn.patterns[1] {
            Pattern::Repeating { expect, len, needed } => {
                assert_eq!((len, needed), (2, 4));
                assert_eq!(expect[0], Expect { mask: 1, min_blocks: 31, max_blocks: 39 });
                assert_eq!(expect[1], Expect { mask: 0, min_blocks: 31, max_blocks: 39 });
            }
            other => panic!("{other:?}"),
        }
        let etsi = ProgressDetector::new(&ETSI).unwrap();
        assert_eq!(etsi.freq_count, 4);
    }

    #[test]
    fn bad_plans_are_refused() {
        let twins = [Segment::tone(450, 100), Segment::tone(450, 100)];
        let tones = [ToneSpec {
            name: "twins",
            level_dbm0: -10,
            cadence: Cadence::Repeating { segments: &twins, cycles: 1 },
            tolerance_pct: 10,
        }];
        let plan = TonePlan { name: "x", tones: &tones, min_level_dbm0: -40 };
        assert_eq!(ProgressDetector::new(&plan).unwrap_err(), PlanError::BadCadence { tone: "twins".into() });

        let empty: [Segment; 0] = [];
        let tones = [ToneSpec {
            name: "empty",
            level_dbm0: -10,
            cadence: Cadence::Repeating { segments: &empty, cycles: 1 },
            tolerance_pct: 10,
        }];
        let plan = TonePlan { name: "x", tones: &tones, min_level_dbm0: -40 };
        assert_eq!(
            ProgressDetector::new(&plan).unwrap_err(),
            PlanError::BadSegmentCount { tone: "empty".into(), segments: 0 }
        );

        let many: Vec<ToneSpec> = (0..7u16)
            .map(|i| ToneSpec {
                name: "f",
                level_dbm0: -10,
                cadence: Cadence::Continuous { freqs_hz: [400 + 100 * i, 0], min_ms: 100 },
                tolerance_pct: 10,
            })
            .collect();
        let plan = TonePlan { name: "x", tones: &many, min_level_dbm0: -40 };
        assert_eq!(ProgressDetector::new(&plan).unwrap_err(), PlanError::TooManyFrequencies(7));
    }

    #[test]
    fn per_channel_state_is_small() {
        assert_eq!(core::mem::size_of::<ProgressState>(), 368);
    }
}
