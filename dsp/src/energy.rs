//! Silence and energy detection: the line's level per 10 ms block, with a start threshold,
//! a lower stop threshold (hysteresis), a minimum time above the first before the line is
//! called active and a hangover below the second before it is called silent again, so that
//! the gaps between syllables do not chop speech into pieces.
//!
//! Levels are in dBm0 on the [`level`](crate::level) reference; [`db_q8`] is the integer
//! 10·log10 the detectors use on their real-time path (1/256 dB, within 0.01 dB).

use crate::goertzel::block_energy;

/// Samples per analysis block (10 ms).
pub const BLOCK: usize = 80;

/// log2(1 + i/64) in Q16, for i = 0 ..= 64.
const LOG2_MANTISSA_Q16: [i64; 65] = [
    0, 1466, 2909, 4331, 5732, 7112, 8473, 9814, 11136, 12440, 13727, 14996, 16248, 17484, 18704, 19909,
    21098, 22272, 23433, 24579, 25711, 26830, 27936, 29029, 30109, 31178, 32234, 33279, 34312, 35334, 36346,
    37346, 38336, 39316, 40286, 41246, 42196, 43137, 44068, 44990, 45904, 46809, 47705, 48593, 49472, 50344,
    51207, 52063, 52911, 53751, 54584, 55410, 56229, 57040, 57845, 58643, 59434, 60219, 60997, 61769, 62534,
    63294, 64047, 64794, 65536,
];

/// 10·log10(`value`) in Q8 dB (1/256 dB); `value` 0 gives [`DB_Q8_ZERO`].
pub fn db_q8(value: u64) -> i32 {
    if value == 0 {
        return DB_Q8_ZERO;
    }
    let msb = 63 - value.leading_zeros();
    let normalized = value << (63 - msb);
    // Six bits index the table, the next eight interpolate.
    let index = ((normalized >> 57) & 63) as usize;
    let fraction = ((normalized >> 49) & 255) as i64;
    let low = LOG2_MANTISSA_Q16[index];
    let high = LOG2_MANTISSA_Q16[index + 1];
    let log2_q16 = (i64::from(msb) << 16) + low + (((high - low) * fraction) >> 8);
    // 10·log10(2) = 3.0103 dB per octave: Q16 log2 → Q8 dB is × 3.0103 / 256 = × 49321 / 2^22.
    ((log2_q16 * 49_321) >> 22) as i32
}

/// What [`db_q8`] returns for zero: far below any real level.
pub const DB_Q8_ZERO: i32 = -200 * 256;

/// 10·log10 of the mean square of a 0 dBm0 signal (2.6054·10⁸, see [`crate::level`]), Q8 dB.
pub const ZERO_DBM0_Q8: i32 = 21_545;

/// Level in dBm0 (Q8) of a block with energy Σx² = `energy` over `len` samples.
pub fn block_dbm0_q8(energy: i64, len: usize) -> i32 {
    if energy <= 0 || len == 0 {
        return DB_Q8_ZERO;
    }
    db_q8(energy as u64) - db_q8(len as u64) - ZERO_DBM0_Q8
}

/// Thresholds and timing of an [`EnergyDetector`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnergyConfig {
    /// A block at or above this level counts towards activity.
    pub active_dbm0: i32,
    /// A block below this level counts towards silence; at most `active_dbm0`.
    pub silent_dbm0: i32,
    /// Time above `active_dbm0` before the line is called active.
    pub min_active_ms: u32,
    /// Time below `silent_dbm0` before the line is called silent.
    pub hangover_ms: u32,
}

impl Default for EnergyConfig {
    /// −40 dBm0 to start, −45 dBm0 to stop, 30 ms to start, 300 ms of hangover.
    fn default() -> Self {
        Self { active_dbm0: -40, silent_dbm0: -45, min_active_ms: 30, hangover_ms: 300 }
    }
}

/// A change of the line between silent and active. Times are sample indices from the state's
/// creation, dated back to the first block of the run that caused the change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnergyEvent {
    /// Energy started at `start`.
    Active {
        /// First sample of the first loud block.
        start: u64,
    },
    /// Silence started at `start`.
    Silent {
        /// First sample of the first quiet block.
        start: u64,
    },
}

/// The shared part: thresholds as block energies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnergyDetector {
    active_energy: i64,
    silent_energy: i64,
    min_active_blocks: u32,
    hangover_blocks: u32,
}

/// Per-channel state: 32 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EnergyState {
    energy: i64,
    filled: u8,
    active: bool,
    block: u32,
    /// Consecutive blocks against the current state, and where they began.
    run: u32,
    run_start: u32,
    last_level_q8: i32,
}

impl EnergyState {
    /// Level of the last complete block, dBm0 in Q8 (−200 dB for digital silence).
    pub fn last_level_dbm0_q8(&self) -> i32 {
        self.last_level_q8
    }

    /// Whether the line is currently called active.
    pub fn is_active(&self) -> bool {
        self.active
    }
}

impl EnergyDetector {
    /// A detector with `config`; `silent_dbm0` above `active_dbm0` is taken as equal to it.
    pub fn new(config: EnergyConfig) -> Self {
        let block_energy_at =
            |dbm0: i32| (crate::level::dbm0_to_mean_square(f64::from(dbm0)) * BLOCK as f64) as i64;
        let silent = config.silent_dbm0.min(config.active_dbm0);
        Self {
            active_energy: block_energy_at(config.active_dbm0),
            silent_energy: block_energy_at(silent),
            min_active_blocks: config.min_active_ms.div_ceil(10).max(1),
            hangover_blocks: config.hangover_ms.div_ceil(10).max(1),
        }
    }

    /// A fresh per-channel state, clock at zero, line silent.
    pub fn new_state(&self) -> EnergyState {
        EnergyState { last_level_q8: DB_Q8_ZERO, ..EnergyState::default() }
    }

    /// Processes a block of any length for one channel, reporting every change through
    /// `emit`; the level of the last complete block is kept in the state.
    pub fn process(&self, state: &mut EnergyState, samples: &[i16], mut emit: impl FnMut(EnergyEvent)) {
        let mut pos = 0;
        while pos < samples.len() {
            let take = (BLOCK - usize::from(state.filled)).min(samples.len() - pos);
            state.energy += block_energy(&samples[pos..pos + take]);
            state.filled += take as u8;
            pos += take;
            if usize::from(state.filled) == BLOCK {
                let energy = state.energy;
                state.energy = 0;
                state.filled = 0;
                self.on_block(state, energy, &mut emit);
            }
        }
    }

    /// Runs one block per channel: `states[i]` gets `blocks[i]`; events come with the channel
    /// index. Extra states or blocks beyond the shorter slice are left alone.
    pub fn process_batch(
        &self,
        states: &mut [EnergyState],
        blocks: &[&[i16]],
        mut emit: impl FnMut(usize, EnergyEvent),
    ) {
        for (channel, (state, block)) in states.iter_mut().zip(blocks).enumerate() {
            self.process(state, block, |event| emit(channel, event));
        }
    }

    fn on_block(&self, state: &mut EnergyState, energy: i64, emit: &mut impl FnMut(EnergyEvent)) {
        let block = state.block;
        state.block = state.block.wrapping_add(1);
        state.last_level_q8 = block_dbm0_q8(energy, BLOCK);
        let against = if state.active { energy < self.silent_energy } else { energy >= self.active_energy };
        if !against {
            state.run = 0;
            return;
        }
        if state.run == 0 {
            state.run_start = block;
        }
        state.run = state.run.saturating_add(1);
        let needed = if state.active { self.hangover_blocks } else { self.min_active_blocks };
        if state.run >= needed {
            state.active = !state.active;
            state.run = 0;
            let start = u64::from(state.run_start) * BLOCK as u64;
            emit(if state.active { EnergyEvent::Active { start } } else { EnergyEvent::Silent { start } });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_q8_is_within_a_hundredth_of_a_db() {
        for value in [1u64, 2, 3, 10, 80, 1000, 12_345, 1 << 20, 999_999_999, 1 << 40, u64::MAX] {
            let exact = 10.0 * (value as f64).log10() * 256.0;
            let got = f64::from(db_q8(value));
            assert!((got - exact).abs() <= 2.6, "{value}: {got} vs {exact}");
        }
        assert_eq!(db_q8(1), 0);
        assert_eq!(db_q8(10), 2560);
        assert_eq!(db_q8(0), DB_Q8_ZERO);
    }

    #[test]
    fn zero_reference_matches_the_level_module() {
        let exact = 10.0 * crate::level::dbm0_to_mean_square(0.0).log10() * 256.0;
        assert_eq!(ZERO_DBM0_Q8, exact.round() as i32);
    }

    #[test]
    fn block_level_of_a_zero_dbm0_sine() {
        let peak = crate::level::dbm0_to_peak(0.0);
        let samples: Vec<i16> = (0..80)
            .map(|n| (peak * (2.0 * std::f64::consts::PI * n as f64 / 8.0).sin()).round() as i16)
            .collect();
        let level = block_dbm0_q8(block_energy(&samples), 80);
        assert!(level.abs() <= 3, "{level}");
    }

    #[test]
    fn state_is_small() {
        assert_eq!(core::mem::size_of::<EnergyState>(), 32);
    }

    /// 1 kHz at `dbm0` for `ms`, after `lead_ms` of silence, then `tail_ms` of silence.
    fn burst(dbm0: f64, lead_ms: usize, ms: usize, tail_ms: usize) -> Vec<i16> {
        let peak = crate::level::dbm0_to_peak(dbm0);
        let mut out = vec![0i16; lead_ms * 8];
        out.extend(
            (0..ms * 8).map(|n| (peak * (2.0 * std::f64::consts::PI * n as f64 / 8.0).sin()).round() as i16),
        );
        out.resize(out.len() + tail_ms * 8, 0);
        out
    }

    fn run(config: EnergyConfig, samples: &[i16]) -> Vec<EnergyEvent> {
        let detector = EnergyDetector::new(config);
        let mut state = detector.new_state();
        let mut events = Vec::new();
        for chunk in samples.chunks(57) {
            detector.process(&mut state, chunk, |e| events.push(e));
        }
        events
    }

    #[test]
    fn activity_and_silence_are_dated_to_their_first_block() {
        let events = run(EnergyConfig::default(), &burst(-20.0, 200, 500, 500));
        assert_eq!(events, [EnergyEvent::Active { start: 1600 }, EnergyEvent::Silent { start: 5600 }]);
    }

    #[test]
    fn start_threshold_is_minus_40_dbm0() {
        assert_eq!(
            run(EnergyConfig::default(), &burst(-39.0, 100, 300, 0)),
            [EnergyEvent::Active { start: 800 }]
        );
        assert_eq!(run(EnergyConfig::default(), &burst(-41.0, 100, 300, 0)), []);
    }

    #[test]
    fn hysteresis_keeps_a_fading_line_active_down_to_minus_45_dbm0() {
        let mut signal = burst(-30.0, 0, 200, 0);
        signal.extend(burst(-44.0, 0, 1000, 0));
        signal.extend(burst(-46.0, 0, 1000, 0));
        assert_eq!(
            run(EnergyConfig::default(), &signal),
            [EnergyEvent::Active { start: 0 }, EnergyEvent::Silent { start: 1200 * 8 }]
        );
    }

    #[test]
    fn minimum_activity_and_hangover() {
        // 20 ms clicks stay silent; 30 ms is activity.
        assert_eq!(run(EnergyConfig::default(), &burst(-20.0, 100, 20, 200)), []);
        assert_eq!(run(EnergyConfig::default(), &burst(-20.0, 100, 30, 400)).len(), 2);
        // A 290 ms pause inside speech is bridged; a 300 ms pause is silence.
        let mut bridged = burst(-20.0, 0, 200, 290);
        bridged.extend(burst(-20.0, 0, 200, 0));
        assert_eq!(run(EnergyConfig::default(), &bridged), [EnergyEvent::Active { start: 0 }]);
        let mut split = burst(-20.0, 0, 200, 300);
        split.extend(burst(-20.0, 0, 200, 0));
        assert_eq!(
            run(EnergyConfig::default(), &split),
            [
                EnergyEvent::Active { start: 0 },
                EnergyEvent::Silent { start: 1600 },
                EnergyEvent::Active { start: 4000 }
            ]
        );
    }

    #[test]
    fn batch_equals_one_channel_at_a_time() {
        let detector = EnergyDetector::new(EnergyConfig::default());
        let signals = [burst(-20.0, 100, 500, 500), burst(-50.0, 0, 1100, 0), burst(-35.0, 300, 300, 500)];
        let mut states = [detector.new_state(); 3];
        let mut batched = vec![Vec::new(); 3];
        for offset in (0..8800).step_by(160) {
            let blocks: Vec<&[i16]> = signals.iter().map(|s| &s[offset..offset + 160]).collect();
            detector.process_batch(&mut states, &blocks, |channel, event| batched[channel].push(event));
        }
        for (channel, signal) in signals.iter().enumerate() {
            assert_eq!(batched[channel], run(EnergyConfig::default(), &signal[..8800]), "channel {channel}");
        }
        assert_eq!(batched[1], []);
        assert!(states[0].last_level_dbm0_q8() < -100 * 256 && !states[0].is_active());
    }
}
