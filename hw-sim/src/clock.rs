//! Clocks as exact fixed-point rates. A clock's offset is kept in parts per billion, and
//! each block it advances a phase accumulator by `8 × (1 + offset)` units, counted in
//! billionths of a unit; the whole units that fall out are what it clocks this block.
//! Integer arithmetic keeps the physics exact: +50 ppm gives one extra unit in exactly
//! every 2500 blocks, for ever, with no rounding drift.

use tdm_abi::FRAMES_PER_BLOCK;

const SCALE: u64 = 1_000_000_000;

/// A clock offset in parts per billion.
pub(crate) type Ppb = i64;

/// Converts a bench's ppm value (checked to ±1000) to whole parts per billion.
pub(crate) fn ppb_from_ppm(ppm: f64) -> Ppb {
    (ppm * 1000.0).round() as Ppb
}

/// The most units a clock can produce in one block at the largest allowed offset (±1000
/// ppm gives 7 or 8 or 9), plus one of margin for a delay line's residue.
pub(crate) const MAX_UNITS_PER_BLOCK: usize = FRAMES_PER_BLOCK as usize + 2;

/// A clock's phase: how many units it has completed, to a billionth of a unit.
#[derive(Debug, Clone, Default)]
pub(crate) struct UnitClock {
    phase: u64,
}

impl UnitClock {
    /// Advances by one nominal block at `offset` (within ±1000 ppm) and returns the units
    /// completed in it.
    pub(crate) fn tick(&mut self, offset: Ppb) -> usize {
        let per_block = FRAMES_PER_BLOCK as i64 * (SCALE as i64 + offset);
        self.phase += per_block as u64;
        let units = self.phase / SCALE;
        self.phase %= SCALE;
        units as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units_over(offset: Ppb, blocks: u64) -> (usize, Vec<u64>) {
        let mut clock = UnitClock::default();
        let mut total = 0;
        let mut odd_blocks = Vec::new();
        for block in 1..=blocks {
            let n = clock.tick(offset);
            if n != 8 {
                odd_blocks.push(block);
            }
            total += n;
        }
        (total, odd_blocks)
    }

    #[test]
    fn nominal_clock_gives_eight_units_every_block() {
        assert_eq!(units_over(0, 10_000), (80_000, vec![]));
    }

    #[test]
    fn plus_50_ppm_gives_one_extra_unit_every_2500_blocks() {
        assert_eq!(ppb_from_ppm(50.0), 50_000);
        assert_eq!(units_over(50_000, 10_000), (80_004, vec![2500, 5000, 7500, 10_000]));
    }

    #[test]
    fn minus_50_ppm_takes_one_fewer_unit_every_2500_blocks() {
        // The first block is 7.9996 units long, so it completes only 7.
        assert_eq!(units_over(-50_000, 10_000), (79_996, vec![1, 2501, 5001, 7501]));
    }

    #[test]
    fn the_limits_stay_within_the_buffer_sizes() {
        let mut fast = UnitClock::default();
        let mut slow = UnitClock::default();
        for _ in 0..10_000 {
            assert!((8..=9).contains(&fast.tick(ppb_from_ppm(1000.0))));
            assert!((7..=8).contains(&slow.tick(ppb_from_ppm(-1000.0))));
        }
        const { assert!(9 < MAX_UNITS_PER_BLOCK) };
        assert_eq!(ppb_from_ppm(0.0001), 0);
        assert_eq!(ppb_from_ppm(-0.0015), -2);
    }
}
