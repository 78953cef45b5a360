//! Deterministic pseudo-random numbers. Every random choice of a run (bit offsets, error
//! positions) comes from the bench seed through these generators, so the same bench and
//! the same driver behaviour give a bit-identical run.

/// SplitMix64 (Steele, Lea and Flood): used only to expand one seed into independent
/// seeds for the per-direction generators, as the xoshiro authors recommend.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman and Vigna): the generator behind every impairment.
#[derive(Debug, Clone)]
pub(crate) struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    /// A generator whose state is four SplitMix64 outputs of `seed` (never all zero,
    /// since SplitMix64 is a bijection of its counter and the four counters differ).
    pub(crate) fn from_seed(seed: u64) -> Self {
        let mut mix = SplitMix64::new(seed);
        Xoshiro256 { s: [mix.next_u64(), mix.next_u64(), mix.next_u64(), mix.next_u64()] }
    }

    #[cfg(test)]
    fn from_state(s: [u64; 4]) -> Self {
        Xoshiro256 { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A value in `0..n` (`n > 0`), by the multiply-shift method; the bias is below
    /// `n / 2^64`, far under anything a bench can measure.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A uniform value in (0, 1], never 0 so that its logarithm is finite.
    fn unit_open_below(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// The number of error-free bits before the next error in a Bernoulli process whose
    /// per-bit error probability `p` gives `log_keep = ln(1 - p)` (negative): a geometric
    /// draw, so a low error rate costs one draw per error rather than one per bit.
    pub(crate) fn geometric_gap(&mut self, log_keep: f64) -> u64 {
        let gap = self.unit_open_below().ln() / log_keep;
        // `as` saturates: a gap past u64::MAX bits simply never comes.
        gap as u64
    }
}

/// The clock of one random error process: how many bits pass before its next error.
#[derive(Debug, Clone)]
pub(crate) struct ErrorClock {
    /// ln(1 - p), or 0 when the process is off.
    log_keep: f64,
    until_next: u64,
}

impl ErrorClock {
    pub(crate) fn off() -> Self {
        ErrorClock { log_keep: 0.0, until_next: u64::MAX }
    }

    /// Sets the per-bit probability (`0 ≤ p ≤ 0.5`, checked by the caller) and draws the
    /// distance to the next error afresh.
    pub(crate) fn set_rate(&mut self, p: f64, rng: &mut Xoshiro256) {
        if p > 0.0 {
            self.log_keep = (-p).ln_1p();
            self.until_next = rng.geometric_gap(self.log_keep);
        } else {
            *self = Self::off();
        }
    }

    /// Runs the process over the next `bits` bits, calling `hit` with the index (from 0)
    /// of every bit in error.
    pub(crate) fn run(&mut self, bits: u64, rng: &mut Xoshiro256, mut hit: impl FnMut(u64)) {
        if self.log_keep == 0.0 {
            return;
        }
        let mut position = 0u64;
        loop {
            let remaining = bits - position;
            if self.until_next >= remaining {
                self.until_next -= remaining;
                return;
            }
            position += self.until_next;
            hit(position);
            position += 1;
            self.until_next = rng.geometric_gap(self.log_keep);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_outputs_for_seed_zero() {
        let mut mix = SplitMix64::new(0);
        assert_eq!(mix.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(mix.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        assert_eq!(mix.next_u64(), 0x06c4_5d18_8009_454f);
    }

    #[test]
    fn xoshiro256_starstar_matches_the_reference_outputs() {
        // State {1, 2, 3, 4}, as in the authors' reference implementation.
        let mut rng = Xoshiro256::from_state([1, 2, 3, 4]);
        assert_eq!(rng.next_u64(), 11520);
        assert_eq!(rng.next_u64(), 0);
        assert_eq!(rng.next_u64(), 1509978240);
        assert_eq!(rng.next_u64(), 1215971899390074240);
    }

    #[test]
    fn below_stays_in_range_and_reaches_both_ends() {
        let mut rng = Xoshiro256::from_seed(7);
        let mut seen = [0u32; 32];
        for _ in 0..10_000 {
            let v = rng.below(32);
            assert!(v < 32);
            seen[v as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 200), "{seen:?}");
    }

    #[test]
    fn error_clock_hits_each_bit_with_the_given_probability() {
        let mut rng = Xoshiro256::from_seed(99);
        let mut clock = ErrorClock::off();
        clock.set_rate(0.01, &mut rng);
        let mut hits = Vec::new();
        // Run in uneven chunks: the positions must not depend on how bits are grouped.
        let mut base = 0u64;
        for chunk in [1u64, 7, 2048, 100_000, 397_944] {
            clock.run(chunk, &mut rng, |i| hits.push(base + i));
            base += chunk;
        }
        assert_eq!(base, 500_000);
        // Expectation 5000, sigma ~70: 5 sigma is 350.
        assert!((4650..=5350).contains(&hits.len()), "{}", hits.len());
        assert!(hits.windows(2).all(|w| w[0] < w[1]));
        assert!(hits.iter().all(|&h| h < base));
    }

    #[test]
    fn error_clock_at_one_half_and_off() {
        let mut rng = Xoshiro256::from_seed(3);
        let mut clock = ErrorClock::off();
        let mut n = 0;
        clock.run(1_000_000, &mut rng, |_| n += 1);
        assert_eq!(n, 0);
        clock.set_rate(0.5, &mut rng);
        clock.run(100_000, &mut rng, |_| n += 1);
        // Expectation 50000, sigma ~158.
        assert!((49_210..=50_790).contains(&n), "{n}");
        clock.set_rate(0.0, &mut rng);
        let before = n;
        clock.run(100_000, &mut rng, |_| n += 1);
        assert_eq!(n, before);
    }
}
