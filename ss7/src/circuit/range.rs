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

/// Most codes one group message covers: a range field of 0–31 (Q.763 §3.43, Q.723 §3.9).
pub const GROUP_SPAN: u16 = 32;

/// Splits circuits (given by index, in ascending CIC order; `cic` maps an index to its code)
/// into groups of at most [`GROUP_SPAN`] codes; with `consecutive`, also at every gap in the
/// codes, for messages such as GRS that carry no status bits to skip a code they do not cover.
pub fn group_chunks(indices: &[usize], cic: impl Fn(usize) -> u16, consecutive: bool) -> Vec<Vec<usize>> {
    let mut chunks: Vec<Vec<usize>> = Vec::new();
    for &idx in indices {
        let code = cic(idx);
        match chunks.last_mut() {
            Some(chunk)
                if code - cic(chunk[0]) < GROUP_SPAN
                    && (!consecutive || chunk.last().is_some_and(|&last| cic(last) + 1 == code)) =>
            {
                chunk.push(idx)
            }
            _ => chunks.push(vec![idx]),
        }
    }
    chunks
}

/// First CIC, range and status bits of a group message covering `chunk`. A single circuit
/// still gets range 1: range 0 is reserved in ISUP's CGB/CGU and carries no status in TUP.
pub fn group_range(chunk: &[usize], cic: impl Fn(usize) -> u16) -> (u16, u8, StatusBits) {
    let first = cic(chunk[0]);
    let last = cic(chunk[chunk.len() - 1]);
    let mut status = StatusBits::new();
    for &idx in chunk {
        status.set((cic(idx) - first) as u8, true);
    }
    (first, ((last - first) as u8).max(1), status)
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

    #[test]
    fn groups_split_at_32_codes_and_at_gaps_when_asked() {
        let cics = [1u16, 2, 3, 5, 31, 32, 33, 40];
        let cic = |i: usize| cics[i];
        let all: Vec<usize> = (0..cics.len()).collect();
        // CIC 32 is 31 codes after CIC 1: still one message (range 31); CIC 33 is not.
        assert_eq!(group_chunks(&all, cic, false), vec![vec![0, 1, 2, 3, 4, 5], vec![6, 7]]);
        assert_eq!(group_chunks(&all, cic, true), vec![vec![0, 1, 2], vec![3], vec![4, 5, 6], vec![7]]);
        let (first, range, status) = group_range(&[0, 1, 3], cic);
        assert_eq!((first, range), (1, 4));
        assert_eq!((0..5).map(|b| status.get(b)).collect::<Vec<_>>(), [true, true, false, false, true]);
        assert_eq!(group_range(&[7], cic).1, 1, "a single circuit still has range 1");
    }
}
