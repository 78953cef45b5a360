//! Bit error ratio test: the ITU-T O.150 test patterns, a generator and a self-synchronising
//! checker, working an octet at a time on timeslot data (first bit of each octet = its MSB, the
//! E1 line order).
//!
//! The pseudorandom patterns of O.150 (05/96) §5, each an n-stage shift register whose stages k
//! and n are added modulo 2 and fed back into stage 1 (polynomial x^n + x^k + 1), output taken
//! from stage n, and inverted where O.150 says so (the longest run of zeros is then n):
//!
//! | pattern | O.150 | polynomial       | output       | use                               |
//! |---------|-------|------------------|--------------|-----------------------------------|
//! | 2^9−1   | §5.1  | x^9 + x^5 + 1    | non-inverted | O.153, up to 14.4 kbit/s          |
//! | 2^11−1  | §5.2  | x^11 + x^9 + 1   | non-inverted | O.152, 64 kbit/s and n×64 kbit/s  |
//! | 2^15−1  | §5.3  | x^15 + x^14 + 1  | inverted     | O.151, 1544/2048 kbit/s           |
//! | 2^20−1  | §5.4  | x^20 + x^3 + 1   | non-inverted | O.153, up to 72 kbit/s            |
//! | 2^23−1  | §5.6  | x^23 + x^18 + 1  | inverted     | O.151, 34/45/140 Mbit/s           |
//!
//! 2^20−1 here is the plain §5.4 register (stages 3 and 20). The other 2^20−1 pattern, §5.5
//! (stages 17 and 20, output forced to one after 14 zeros, "QRSS"), is not provided: its zero
//! suppression makes it non-linear, which the self-synchronising checker relies on.
//! Sources: O.150 (05/96) §5 as tabulated in Xilinx's `PRBS_ANY` reference design and in the
//! `comnum-mapping` crate's `O150Sequence` (stages, inversion and longest zero runs agree).
//!
//! O.150 fixes the starting phase of the 2^9−1 pattern only ("the first ONE of nine consecutive
//! ONEs"); every register here starts with all stages at one, which gives that phase, and makes
//! the inverted patterns start with their n zeros.
//!
//! Fixed patterns (O.150 §6 lists such words as options): all ones, all zeros, and alternating
//! ones and zeros starting with a one.
//!
//! The checker hunts by loading its register from the received bits and predicting each next bit
//! from them; after [`SYNC_BITS`] correct predictions in a row it is in sync and compares the
//! received bits with its own free-running copy of the pattern, so one line error counts as one
//! error (a register fed with received bits would count every error three times). Sync is lost
//! when [`LOSS_ERRORS`] errors fall within the last [`LOSS_WINDOW_BITS`] bits (an error ratio of
//! 1/4, which a slip or a wrong pattern reaches at once and a line reaches only at an error
//! ratio far worse than any in-service limit); the bits and errors of that window are then
//! taken back out of the counts, since they measured the misalignment, not the line.

use core::fmt;
use core::str::FromStr;

/// Error-free bits in a row, after the register is loaded, that put the checker in sync.
pub const SYNC_BITS: u32 = 64;

/// Length of the window in which [`LOSS_ERRORS`] errors lose sync.
pub const LOSS_WINDOW_BITS: u32 = 256;

/// Errors within the last [`LOSS_WINDOW_BITS`] bits that lose sync.
pub const LOSS_ERRORS: u32 = 64;

const LOSS_WINDOW_OCTETS: usize = (LOSS_WINDOW_BITS / 8) as usize;

/// A BERT test pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// 2^9−1, x^9 + x^5 + 1, non-inverted (O.150 §5.1).
    Prbs9,
    /// 2^11−1, x^11 + x^9 + 1, non-inverted (O.150 §5.2).
    Prbs11,
    /// 2^15−1, x^15 + x^14 + 1, inverted (O.150 §5.3).
    Prbs15,
    /// 2^20−1, x^20 + x^3 + 1, non-inverted (O.150 §5.4; not the QRSS of §5.5).
    Prbs20,
    /// 2^23−1, x^23 + x^18 + 1, inverted (O.150 §5.6).
    Prbs23,
    /// All ones.
    AllOnes,
    /// All zeros.
    AllZeros,
    /// 1010…
    Alternating,
}

/// How a pattern is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// x^degree + x^tap + 1, output inverted or not.
    Register { degree: u32, tap: u32, inverted: bool },
    /// The same octet for ever.
    Fixed(u8),
    /// Each bit the opposite of the one before.
    Alternating,
}

impl Pattern {
    /// Every pattern, in a fixed order.
    pub const ALL: [Pattern; 8] = [
        Pattern::Prbs9,
        Pattern::Prbs11,
        Pattern::Prbs15,
        Pattern::Prbs20,
        Pattern::Prbs23,
        Pattern::AllOnes,
        Pattern::AllZeros,
        Pattern::Alternating,
    ];

    /// The conventional name, as [`Display`](fmt::Display) prints it and [`FromStr`] reads it.
    pub fn name(self) -> &'static str {
        match self {
            Pattern::Prbs9 => "2^9-1",
            Pattern::Prbs11 => "2^11-1",
            Pattern::Prbs15 => "2^15-1",
            Pattern::Prbs20 => "2^20-1",
            Pattern::Prbs23 => "2^23-1",
            Pattern::AllOnes => "all-ones",
            Pattern::AllZeros => "all-zeros",
            Pattern::Alternating => "alternating",
        }
    }

    /// Length of the pattern's period in bits.
    pub fn period_bits(self) -> u64 {
        match self.shape() {
            Shape::Register { degree, .. } => (1u64 << degree) - 1,
            Shape::Fixed(_) => 1,
            Shape::Alternating => 2,
        }
    }

    const fn shape(self) -> Shape {
        match self {
            Pattern::Prbs9 => Shape::Register { degree: 9, tap: 5, inverted: false },
            Pattern::Prbs11 => Shape::Register { degree: 11, tap: 9, inverted: false },
            Pattern::Prbs15 => Shape::Register { degree: 15, tap: 14, inverted: true },
            Pattern::Prbs20 => Shape::Register { degree: 20, tap: 3, inverted: false },
            Pattern::Prbs23 => Shape::Register { degree: 23, tap: 18, inverted: true },
            Pattern::AllOnes => Shape::Fixed(0xFF),
            Pattern::AllZeros => Shape::Fixed(0x00),
            Pattern::Alternating => Shape::Alternating,
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pattern name that [`Pattern::from_str`] does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownPattern;

impl fmt::Display for UnknownPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "unknown BERT pattern (expected 2^9-1, 2^11-1, 2^15-1, 2^20-1, 2^23-1, prbs9 ... prbs23, ",
        )?;
        f.write_str("all-ones, all-zeros or alternating)")
    }
}

impl std::error::Error for UnknownPattern {}

impl FromStr for Pattern {
    type Err = UnknownPattern;

    /// Reads `2^15-1` or `prbs15` (also `2^15`, `prbs-15`, `prbs_15`, any case), `all-ones` /
    /// `ones` / `1111`, `all-zeros` / `zeros` / `0000`, `alternating` / `1010`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let degree = if let Some(rest) = lower.strip_prefix("2^") {
            rest.strip_suffix("-1").unwrap_or(rest)
        } else if let Some(rest) = lower.strip_prefix("prbs") {
            rest.trim_start_matches(['-', '_'])
        } else {
            return match lower.as_str() {
                "all-ones" | "ones" | "1111" => Ok(Pattern::AllOnes),
                "all-zeros" | "zeros" | "0000" => Ok(Pattern::AllZeros),
                "alternating" | "1010" => Ok(Pattern::Alternating),
                _ => Err(UnknownPattern),
            };
        };
        match degree {
            "9" => Ok(Pattern::Prbs9),
            "11" => Ok(Pattern::Prbs11),
            "15" => Ok(Pattern::Prbs15),
            "20" => Ok(Pattern::Prbs20),
            "23" => Ok(Pattern::Prbs23),
            _ => Err(UnknownPattern),
        }
    }
}

/// The pattern's bits, in the non-inverted domain, as a shift register over its history.
#[derive(Debug, Clone, Copy)]
struct Sequence {
    shape: Shape,
    /// Bits one step of [`Sequence::next_bits`] may produce: up to the tap of a register (the
    /// newest bit it reads must be older than the first it writes), else a whole octet.
    step: u32,
    /// Line octet = sequence octet XOR this.
    invert: u8,
}

impl Sequence {
    fn new(pattern: Pattern) -> Self {
        let shape = pattern.shape();
        match shape {
            Shape::Register { tap, inverted, .. } => {
                Sequence { shape, step: tap.min(8), invert: if inverted { 0xFF } else { 0 } }
            }
            Shape::Fixed(_) | Shape::Alternating => Sequence { shape, step: 8, invert: 0 },
        }
    }

    /// Bits of history the prediction needs.
    fn memory(&self) -> u32 {
        match self.shape {
            Shape::Register { degree, .. } => degree,
            Shape::Fixed(_) => 0,
            Shape::Alternating => 1,
        }
    }

    /// The `count` (1..=`step`) bits following `history` (newest bit in bit 0), the first of
    /// them in the most significant of the `count` bits.
    #[inline(always)]
    fn next_bits(&self, history: u64, count: u32) -> u64 {
        let mask = (1u64 << count) - 1;
        match self.shape {
            Shape::Register { degree, tap, .. } => {
                ((history >> (tap - count)) ^ (history >> (degree - count))) & mask
            }
            Shape::Fixed(octet) => u64::from(octet) >> (8 - count),
            Shape::Alternating => (if history & 1 == 1 { 0x55 } else { 0xAA }) >> (8 - count),
        }
    }

    /// The next octet after `history`, which moves on by eight bits.
    #[inline(always)]
    fn next_octet(&self, history: &mut u64) -> u8 {
        if self.step == 8 {
            let octet = self.next_bits(*history, 8);
            *history = (*history << 8) | octet;
            return octet as u8;
        }
        let mut octet = 0u64;
        let mut done = 0;
        while done < 8 {
            let count = self.step.min(8 - done);
            let bits = self.next_bits(*history, count);
            *history = (*history << count) | bits;
            octet = (octet << count) | bits;
            done += count;
        }
        octet as u8
    }

    /// What the pattern predicts for `received` (sequence domain) from the received history,
    /// which moves on by the received octet.
    #[inline(always)]
    fn predict_from_received(&self, history: &mut u64, received: u8) -> u8 {
        let received = u64::from(received);
        let mut predicted = 0u64;
        let mut done = 0;
        while done < 8 {
            let count = self.step.min(8 - done);
            predicted = (predicted << count) | self.next_bits(*history, count);
            let actual = (received >> (8 - done - count)) & ((1u64 << count) - 1);
            *history = (*history << count) | actual;
            done += count;
        }
        predicted as u8
    }

    /// History that makes the register's output start with all its stages at one: the
    /// `degree` bits that precede `degree` ones in the sequence, found by running the
    /// recurrence s[t] = s[t-tap] ^ s[t-degree] backwards.
    fn start_history(&self) -> u64 {
        match self.shape {
            Shape::Register { degree, tap, .. } => {
                // bits[i] is s[i - degree]; bits[degree..2*degree] are the ones.
                let n = degree as usize;
                let mut bits = [0u8; 64];
                for bit in &mut bits[n..2 * n] {
                    *bit = 1;
                }
                for t in (0..n).rev() {
                    // s[t + degree] = s[t + degree - tap] ^ s[t]
                    bits[t] = bits[t + n] ^ bits[t + n - tap as usize];
                }
                bits[..n].iter().fold(0u64, |history, &bit| (history << 1) | u64::from(bit))
            }
            // The alternating pattern starts with a one: the bit "before" it was a zero.
            Shape::Fixed(_) | Shape::Alternating => 0,
        }
    }
}

/// Generates a pattern, one timeslot octet at a time.
#[derive(Debug, Clone)]
pub struct BertGenerator {
    pattern: Pattern,
    sequence: Sequence,
    history: u64,
    errors_to_insert: u32,
    /// Which bit the next inserted error flips (varied so errors do not always hit one bit).
    error_bit: u32,
}

impl BertGenerator {
    /// A generator at the start of the pattern (all register stages at one).
    pub fn new(pattern: Pattern) -> Self {
        let sequence = Sequence::new(pattern);
        BertGenerator {
            pattern,
            sequence,
            history: sequence.start_history(),
            errors_to_insert: 0,
            error_bit: 7,
        }
    }

    /// The pattern generated.
    pub fn pattern(&self) -> Pattern {
        self.pattern
    }

    /// Fills `out` with the next octets of the pattern (first bit = MSB).
    pub fn fill(&mut self, out: &mut [u8]) {
        for octet in out.iter_mut() {
            let mut value = self.sequence.next_octet(&mut self.history) ^ self.sequence.invert;
            if self.errors_to_insert > 0 {
                self.errors_to_insert -= 1;
                value ^= 1 << self.error_bit;
                self.error_bit = (self.error_bit + 3) % 8;
            }
            *octet = value;
        }
    }

    /// The next `n` generated octets each get exactly one bit inverted.
    pub fn insert_errors(&mut self, n: u32) {
        self.errors_to_insert = self.errors_to_insert.saturating_add(n);
    }
}

/// What a [`BertChecker`] has counted since it was created or reset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BertStats {
    /// In sync now.
    pub in_sync: bool,
    /// Bits compared while in sync.
    pub bits: u64,
    /// Of those, bits received wrong.
    pub errors: u64,
    /// Times sync was lost.
    pub sync_losses: u64,
}

impl BertStats {
    /// Bit error ratio, `None` before any bit was compared.
    pub fn ber(&self) -> Option<f64> {
        (self.bits > 0).then(|| self.errors as f64 / self.bits as f64)
    }
}

/// Checks received octets against a pattern, synchronising itself to the received bits.
#[derive(Debug, Clone)]
pub struct BertChecker {
    pattern: Pattern,
    sequence: Sequence,
    in_sync: bool,
    /// The last received bits (sequence domain), newest in bit 0.
    received: u64,
    /// How many of `received` are real (saturates at 64).
    received_bits: u32,
    /// Hunting: correct predictions in a row.
    good_run: u32,
    /// In sync: the local copy of the pattern.
    reference: u64,
    /// In sync: errors of the last octets, as a ring.
    window: [u8; LOSS_WINDOW_OCTETS],
    window_next: usize,
    window_octets: usize,
    window_errors: u32,
    stats: BertStats,
}

impl BertChecker {
    /// A checker hunting for `pattern`.
    pub fn new(pattern: Pattern) -> Self {
        BertChecker {
            pattern,
            sequence: Sequence::new(pattern),
            in_sync: false,
            received: 0,
            received_bits: 0,
            good_run: 0,
            reference: 0,
            window: [0; LOSS_WINDOW_OCTETS],
            window_next: 0,
            window_octets: 0,
            window_errors: 0,
            stats: BertStats::default(),
        }
    }

    /// The pattern checked.
    pub fn pattern(&self) -> Pattern {
        self.pattern
    }

    /// Checks received octets (first bit = MSB).
    pub fn check(&mut self, received: &[u8]) {
        for &octet in received {
            let octet = octet ^ self.sequence.invert;
            if self.in_sync {
                self.compare(octet);
            } else {
                self.hunt(octet);
            }
        }
    }

    /// Counts so far.
    pub fn stats(&self) -> BertStats {
        BertStats { in_sync: self.in_sync, ..self.stats }
    }

    /// Zeroes bits, errors and sync losses; sync is kept.
    pub fn reset_counts(&mut self) {
        self.stats = BertStats::default();
        self.window = [0; LOSS_WINDOW_OCTETS];
        self.window_octets = 0;
        self.window_errors = 0;
    }

    fn hunt(&mut self, octet: u8) {
        let memory = self.sequence.memory();
        let mut history = self.received;
        if self.received_bits >= memory {
            let predicted = self.sequence.predict_from_received(&mut history, octet);
            let wrong = u32::from(predicted ^ octet);
            // Correct bits at the end of the octet (the newest bits are the low ones).
            self.good_run = if wrong == 0 { self.good_run + 8 } else { wrong.trailing_zeros() };
        } else {
            history = (history << 8) | u64::from(octet);
        }
        self.received = history;
        self.received_bits = (self.received_bits + 8).min(64);
        let register_mask = if memory == 0 { 0 } else { u64::MAX >> (64 - memory) };
        // An all-zero register is a fixed point of every x^n + x^k + 1: a dead line would
        // otherwise "sync" to any of them.
        let dead_register =
            matches!(self.sequence.shape, Shape::Register { .. }) && history & register_mask == 0;
        if dead_register {
            self.good_run = 0;
        } else if self.good_run >= SYNC_BITS {
            self.in_sync = true;
            self.reference = history;
            self.window = [0; LOSS_WINDOW_OCTETS];
            self.window_next = 0;
            self.window_octets = 0;
            self.window_errors = 0;
        }
    }

    fn compare(&mut self, octet: u8) {
        let expected = self.sequence.next_octet(&mut self.reference);
        let errors = (expected ^ octet).count_ones();
        self.received = (self.received << 8) | u64::from(octet);
        self.stats.bits += 8;
        self.stats.errors += u64::from(errors);
        self.window_errors = self.window_errors + errors - u32::from(self.window[self.window_next]);
        self.window[self.window_next] = errors as u8;
        self.window_next = (self.window_next + 1) % LOSS_WINDOW_OCTETS;
        self.window_octets = (self.window_octets + 1).min(LOSS_WINDOW_OCTETS);
        if self.window_errors >= LOSS_ERRORS {
            self.stats.errors = self.stats.errors.saturating_sub(u64::from(self.window_errors));
            self.stats.bits = self.stats.bits.saturating_sub(8 * self.window_octets as u64);
            self.stats.sync_losses += 1;
            self.in_sync = false;
            // Hunt again from the bits just received: after a slip they already follow the
            // pattern, so sync comes back within SYNC_BITS.
            self.good_run = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The O.150 register itself, bit by bit: stages 1..=n start at one, each clock outputs
    /// stage n and shifts stage k XOR stage n into stage 1.
    fn register_bits(degree: usize, tap: usize, inverted: bool, count: usize) -> Vec<u8> {
        let mut stages = vec![1u8; degree];
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let output = stages[degree - 1];
            out.push(output ^ u8::from(inverted));
            let feedback = stages[tap - 1] ^ stages[degree - 1];
            stages.rotate_right(1);
            stages[0] = feedback;
        }
        out
    }

    fn generate(pattern: Pattern, octets: usize) -> Vec<u8> {
        let mut out = vec![0u8; octets];
        BertGenerator::new(pattern).fill(&mut out);
        out
    }

    fn bits_of(octets: &[u8]) -> Vec<u8> {
        octets.iter().flat_map(|&o| (0..8).rev().map(move |i| (o >> i) & 1)).collect()
    }

    #[test]
    fn first_octets_of_every_pattern() {
        // Worked by hand from the registers (all stages at one, output = stage n), e.g. 2^9-1:
        // nine ones, then s[t] = s[t-5] ^ s[t-9]: 00000 1111 0 11111 0 ...
        let expected: [(Pattern, [u8; 8]); 8] = [
            (Pattern::Prbs9, [0xFF, 0x83, 0xDF, 0x17, 0x32, 0x09, 0x4E, 0xD1]),
            (Pattern::Prbs11, [0xFF, 0xE0, 0x0C, 0x07, 0x83, 0x31, 0xFE, 0xC0]),
            (Pattern::Prbs15, [0x00, 0x01, 0xFF, 0xFB, 0xFF, 0xE7, 0xFF, 0xAF]),
            (Pattern::Prbs20, [0xFF, 0xFF, 0xF1, 0xC7, 0x1C, 0x8D, 0xC8, 0xD2]),
            (Pattern::Prbs23, [0x00, 0x00, 0x01, 0xFF, 0xFF, 0x83, 0xFF, 0xE0]),
            (Pattern::AllOnes, [0xFF; 8]),
            (Pattern::AllZeros, [0x00; 8]),
            (Pattern::Alternating, [0xAA; 8]),
        ];
        for (pattern, octets) in expected {
            assert_eq!(generate(pattern, 8), octets, "{pattern}");
        }
    }

    #[test]
    fn generator_matches_the_register_bit_by_bit() {
        for (pattern, degree, tap, inverted) in [
            (Pattern::Prbs9, 9, 5, false),
            (Pattern::Prbs11, 11, 9, false),
            (Pattern::Prbs15, 15, 14, true),
            (Pattern::Prbs20, 20, 3, false),
            (Pattern::Prbs23, 23, 18, true),
        ] {
            // Odd fill sizes on purpose: the generator must not care how it is called.
            let mut generator = BertGenerator::new(pattern);
            let mut octets = vec![0u8; 4000];
            for chunk in octets.chunks_mut(7) {
                generator.fill(chunk);
            }
            assert_eq!(bits_of(&octets), register_bits(degree, tap, inverted, 32_000), "{pattern}");
        }
    }

    #[test]
    fn every_register_pattern_has_its_full_period() {
        for pattern in [Pattern::Prbs9, Pattern::Prbs11, Pattern::Prbs15, Pattern::Prbs20, Pattern::Prbs23] {
            let Shape::Register { degree, inverted, .. } = pattern.shape() else { unreachable!() };
            let period = pattern.period_bits() as usize;
            assert_eq!(period, (1 << degree) - 1);
            let octets = generate(pattern, period / 8 + 10);
            let bit = |i: usize| ((octets[i / 8] >> (7 - i % 8)) & 1) ^ u8::from(inverted);
            // A maximal-length sequence holds 2^(n-1) ones per period and its run of n ones
            // exactly once; and it repeats after the period.
            let mut ones = 0usize;
            let mut run = 0u32;
            let mut longest_runs = 0;
            for i in 0..period {
                if bit(i) == 1 {
                    ones += 1;
                    run += 1;
                } else {
                    run = 0;
                }
                if run == degree {
                    longest_runs += 1;
                }
            }
            assert_eq!(ones, 1 << (degree - 1), "{pattern}");
            assert_eq!(longest_runs, 1, "{pattern}");
            for i in 0..64 {
                assert_eq!(bit(period + i), bit(i), "{pattern} bit {i} after a period");
            }
        }
        assert_eq!(Pattern::AllOnes.period_bits(), 1);
        assert_eq!(Pattern::Alternating.period_bits(), 2);
    }

    #[test]
    fn checker_counts_exactly_the_injected_errors() {
        for pattern in Pattern::ALL {
            let mut generator = BertGenerator::new(pattern);
            let mut checker = BertChecker::new(pattern);
            let mut block = [0u8; 31];
            for _ in 0..20 {
                generator.fill(&mut block);
                checker.check(&block);
            }
            assert!(checker.stats().in_sync, "{pattern}");
            checker.reset_counts();
            generator.insert_errors(17);
            for _ in 0..100 {
                generator.fill(&mut block);
                checker.check(&block);
            }
            let stats = checker.stats();
            assert_eq!(
                stats,
                BertStats { in_sync: true, bits: 100 * 31 * 8, errors: 17, sync_losses: 0 },
                "{pattern}"
            );
        }
    }

    #[test]
    fn checker_syncs_from_any_phase_and_bit_offset() {
        for pattern in Pattern::ALL {
            for (skip, shift) in [(0usize, 0u32), (1000, 3), (77_777, 5), (12, 7)] {
                let line = generate(pattern, skip + 200);
                // The same stream started `skip` octets and `shift` bits late.
                let shifted: Vec<u8> = line[skip..]
                    .windows(2)
                    .map(|w| if shift == 0 { w[0] } else { (w[0] << shift) | (w[1] >> (8 - shift)) })
                    .collect();
                let mut checker = BertChecker::new(pattern);
                let mut synced_after = None;
                for (i, octet) in shifted.iter().enumerate() {
                    checker.check(std::slice::from_ref(octet));
                    if synced_after.is_none() && checker.stats().in_sync {
                        synced_after = Some(i + 1);
                    }
                }
                let memory = Sequence::new(pattern).memory() as usize;
                // Register loaded, then SYNC_BITS correct: at most (memory + 64) / 8 + 1 octets.
                let bound = (memory + SYNC_BITS as usize).div_ceil(8) + 1;
                let synced_after = synced_after.expect("never synced");
                assert!(
                    synced_after <= bound,
                    "{pattern} skip {skip} shift {shift}: {synced_after} > {bound}"
                );
                let stats = checker.stats();
                assert_eq!((stats.errors, stats.sync_losses), (0, 0), "{pattern}");
                assert_eq!(stats.bits, 8 * (shifted.len() - synced_after) as u64, "{pattern}");
            }
        }
    }

    #[test]
    fn slip_loses_sync_and_reacquires_counting_only_line_errors() {
        for pattern in [Pattern::Prbs9, Pattern::Prbs11, Pattern::Prbs15, Pattern::Prbs20, Pattern::Prbs23] {
            let mut generator = BertGenerator::new(pattern);
            let mut checker = BertChecker::new(pattern);
            let mut block = [0u8; 32];
            for _ in 0..10 {
                generator.fill(&mut block);
                checker.check(&block);
            }
            checker.reset_counts();
            generator.insert_errors(3);
            for _ in 0..10 {
                generator.fill(&mut block);
                checker.check(&block);
            }
            // A slip: one octet never arrives.
            generator.fill(&mut block);
            checker.check(&block[1..]);
            for _ in 0..10 {
                generator.fill(&mut block);
                checker.check(&block);
            }
            generator.insert_errors(2);
            for _ in 0..10 {
                generator.fill(&mut block);
                checker.check(&block);
            }
            let stats = checker.stats();
            assert!(stats.in_sync, "{pattern}");
            assert_eq!(stats.sync_losses, 1, "{pattern}");
            // The misaligned octets were taken back out; only the 5 injected errors remain.
            assert_eq!(stats.errors, 5, "{pattern}");
            // 991 octets checked; not counted: the 8 octets of hunting after the slip, and the
            // octets of the window that lost sync (at least one, at most the whole window).
            let window = LOSS_WINDOW_OCTETS as u64;
            assert!(
                (991 - 8 - window) * 8 <= stats.bits && stats.bits <= (991 - 8 - 1) * 8,
                "{pattern}: {}",
                stats.bits
            );
        }
    }

    #[test]
    fn dead_lines_never_sync_to_a_register_pattern() {
        for pattern in [Pattern::Prbs9, Pattern::Prbs11, Pattern::Prbs15, Pattern::Prbs20, Pattern::Prbs23] {
            for fill in [0x00u8, 0xFF] {
                let mut checker = BertChecker::new(pattern);
                checker.check(&[fill; 1000]);
                assert_eq!(checker.stats(), BertStats::default(), "{pattern} on {fill:02X}");
            }
        }
    }

    #[test]
    fn wrong_pattern_never_syncs() {
        let line = generate(Pattern::Prbs15, 4000);
        for pattern in [Pattern::Prbs9, Pattern::Prbs11, Pattern::Prbs20, Pattern::Prbs23, Pattern::AllOnes] {
            let mut checker = BertChecker::new(pattern);
            checker.check(&line);
            assert!(!checker.stats().in_sync, "{pattern}");
            assert_eq!(checker.stats().bits, 0);
        }
    }

    #[test]
    fn heavy_but_bounded_errors_keep_sync() {
        // One error in every octet: an error ratio of 1/8, under the loss threshold of 1/4.
        let mut generator = BertGenerator::new(Pattern::Prbs11);
        let mut checker = BertChecker::new(Pattern::Prbs11);
        let mut block = [0u8; 64];
        generator.fill(&mut block);
        checker.check(&block);
        checker.reset_counts();
        generator.insert_errors(6400);
        for _ in 0..100 {
            generator.fill(&mut block);
            checker.check(&block);
        }
        assert_eq!(checker.stats(), BertStats { in_sync: true, bits: 51_200, errors: 6400, sync_losses: 0 });
        assert_eq!(checker.stats().ber(), Some(0.125));
    }

    #[test]
    fn ber_is_errors_over_bits() {
        assert_eq!(BertStats::default().ber(), None);
        let stats = BertStats { in_sync: true, bits: 2_048_000, errors: 2, sync_losses: 0 };
        assert_eq!(stats.ber(), Some(2.0 / 2_048_000.0));
        assert_eq!(BertStats { bits: 8, errors: 0, ..stats }.ber(), Some(0.0));
    }

    #[test]
    fn insert_errors_flips_one_bit_per_octet() {
        let clean = generate(Pattern::Prbs23, 20);
        let mut generator = BertGenerator::new(Pattern::Prbs23);
        generator.insert_errors(12);
        let mut dirty = [0u8; 20];
        generator.fill(&mut dirty);
        let flipped: Vec<u32> = clean.iter().zip(&dirty).map(|(a, b)| (a ^ b).count_ones()).collect();
        let mut expected = vec![1u32; 12];
        expected.extend([0; 8]);
        assert_eq!(flipped, expected);
    }

    #[test]
    fn names_parse_and_print() {
        for pattern in Pattern::ALL {
            assert_eq!(pattern.to_string().parse::<Pattern>(), Ok(pattern));
        }
        assert_eq!("prbs15".parse::<Pattern>(), Ok(Pattern::Prbs15));
        assert_eq!("PRBS-23".parse::<Pattern>(), Ok(Pattern::Prbs23));
        assert_eq!(" 2^11 ".parse::<Pattern>(), Ok(Pattern::Prbs11));
        assert_eq!("1010".parse::<Pattern>(), Ok(Pattern::Alternating));
        assert_eq!("ones".parse::<Pattern>(), Ok(Pattern::AllOnes));
        assert_eq!(Pattern::Prbs20.to_string(), "2^20-1");
        for bad in ["", "2^7-1", "prbs31", "qrss", "2^15-2", "prbs"] {
            assert_eq!(bad.parse::<Pattern>(), Err(UnknownPattern), "{bad:?}");
        }
    }
}
