//! CRC-4 multiframe alignment search (G.706 §4.2).
//!
//! The CRC-4 multiframe alignment signal 001011 travels in bit 1 of the NFAS words of
//! frames 1, 3, 5, 7, 9 and 11. Alignment is deemed found when two such signals are
//! located within 8 ms, spaced 2 ms (16 frames, 8 NFAS words) or a multiple of it;
//! when 8 ms pass without that, the basic frame alignment the search rode on is taken
//! to be spurious.

/// The multiframe alignment signal as shifted in, first bit highest.
const MFAS_PATTERN: u8 = 0b00_1011;
const MFAS_BITS: u8 = 0b11_1111;
/// NFAS words per CRC-4 multiframe.
const NFAS_PER_MULTIFRAME: u32 = 8;
/// 8 ms of frames.
pub(crate) const SEARCH_WINDOW_FRAMES: u32 = 64;
/// Number, in the CRC-4 multiframe, of the NFAS frame carrying the last MFAS bit.
pub(crate) const MFAS_LAST_FRAME: u8 = 11;

/// Result of one frame fed to the search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MfaOutcome {
    Pending,
    /// This frame is frame 11 of a CRC-4 multiframe.
    Aligned,
    /// 8 ms passed without two spaced signals.
    Expired,
}

#[derive(Debug, Clone)]
pub(crate) struct MultiframeSearch {
    /// Bit 1 of the recent NFAS words, newest in the low bit.
    history: u8,
    nfas_seen: u32,
    frames: u32,
    /// Bit p: a signal was seen at NFAS index ≡ p (mod 8) in this window.
    phases_seen: u8,
}

impl MultiframeSearch {
    pub(crate) fn new() -> Self {
        // All ones cannot contain 001011 until six real bits have been shifted in.
        MultiframeSearch { history: 0xFF, nfas_seen: 0, frames: 0, phases_seen: 0 }
    }

    /// Feeds the TS0 of the next frame of the alignment under test.
    pub(crate) fn frame(&mut self, ts0: u8, is_nfas: bool) -> MfaOutcome {
        self.frames += 1;
        if is_nfas {
            self.history = (self.history << 1) | (ts0 >> 7);
            let phase = 1u8 << (self.nfas_seen % NFAS_PER_MULTIFRAME);
            self.nfas_seen += 1;
            if self.history & MFAS_BITS == MFAS_PATTERN {
                if self.phases_seen & phase != 0 {
                    return MfaOutcome::Aligned;
                }
                self.phases_seen |= phase;
            }
        }
        if self.frames >= SEARCH_WINDOW_FRAMES { MfaOutcome::Expired } else { MfaOutcome::Pending }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TS0 bit 1 of CRC-4 multiframe frame `n` for a sender with E bits 1.
    fn si(n: usize) -> u8 {
        const BITS: [u8; 16] = [0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1];
        BITS[n % 16] << 7
    }

    fn feed(search: &mut MultiframeSearch, first: usize, count: usize) -> Vec<(usize, MfaOutcome)> {
        (first..first + count)
            .map(|n| (n, search.frame(si(n), n % 2 == 1)))
            .filter(|(_, outcome)| *outcome != MfaOutcome::Pending)
            .collect()
    }

    #[test]
    fn aligns_on_the_second_signal_at_frame_eleven() {
        let mut search = MultiframeSearch::new();
        // Starting at frame 0: signals complete at frames 11 and 27.
        assert_eq!(feed(&mut search, 0, 40), vec![(27, MfaOutcome::Aligned)]);
    }

    #[test]
    fn starting_after_frame_one_waits_a_multiframe_more() {
        let mut search = MultiframeSearch::new();
        // The first signal seen whole is the one ending at frame 27, the second at 43.
        assert_eq!(feed(&mut search, 2, 42), vec![(43, MfaOutcome::Aligned)]);
    }

    #[test]
    fn no_signal_expires_after_64_frames() {
        let mut search = MultiframeSearch::new();
        let outcomes: Vec<_> =
            (0..64).map(|n| search.frame(0xC0, n % 2 == 1)).filter(|o| *o != MfaOutcome::Pending).collect();
        assert_eq!(outcomes, vec![MfaOutcome::Expired]);
    }

    #[test]
    fn signals_at_unrelated_phases_do_not_align() {
        let mut search = MultiframeSearch::new();
        // Two signals 7 NFAS words apart (not a multiple of a multiframe), then ones.
        let mut bits = vec![0u8, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1];
        bits.extend(std::iter::repeat_n(1, 19));
        let mut result = MfaOutcome::Pending;
        for (i, bit) in bits.iter().enumerate() {
            search.frame(0x1B, false);
            result = search.frame(bit << 7, true);
            if result != MfaOutcome::Pending {
                assert_eq!((i, result), (31, MfaOutcome::Expired));
            }
        }
        assert_eq!(result, MfaOutcome::Expired);
    }
}
