//! Status bits of a circuit group message: one bit per circuit of a range, bit `i` for the
//! circuit `first CIC + i` (Q.763 §3.43, Q.723 §3.9), sent least significant bit first.

/// Status bits of a range: bit `i` is the circuit `first CIC + i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusBits([u32; 8]);

impl StatusBits {
    /// No bit set.
    pub const fn new() -> Self {
        StatusBits([0; 8])
    }

    /// Sets or clears bit `i` (0–255).
    pub fn set(&mut self, i: u8, value: bool) {
        let word = &mut self.0[usize::from(i / 32)];
        let mask = 1 << (i % 32);
        if value {
            *word |= mask;
        } else {
            *word &= !mask;
        }
    }

    /// Bit `i`.
    pub fn get(&self, i: u8) -> bool {
        self.0[usize::from(i / 32)] >> (i % 32) & 1 == 1
    }

    /// How many of the bits `0..=range` are set.
    pub fn count(&self, range: u8) -> u32 {
        (0..=range).filter(|i| self.get(*i)).count() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_independent_across_word_boundaries() {
        let mut bits = StatusBits::new();
        bits.set(0, true);
        bits.set(31, true);
        bits.set(32, true);
        bits.set(255, true);
        assert!(bits.get(0) && bits.get(31) && bits.get(32) && bits.get(255));
        assert!(!bits.get(1) && !bits.get(33) && !bits.get(254));
        assert_eq!(bits.count(255), 4);
        assert_eq!(bits.count(31), 2);
        bits.set(31, false);
        assert_eq!(bits.count(255), 3);
    }
}
