//! Basic frame alignment search of G.706 §4.1.2, run at all eight bit offsets of the raw
//! octet stream at once.
//!
//! Alignment is recovered on the sequence: a correct FAS in frame N, bit 2 = 1 in the TS0
//! of frame N+1 (which also proves N+1 holds no FAS, the check the note to §4.1.2 asks
//! for), and a correct FAS again in frame N+2. Each raw octet contributes, per bit offset,
//! one flag "the octet starting here is a FAS" and one "its bit 2 is 1"; keeping 64 raw
//! octets (two frames) of these flags turns the whole test into three ANDs of masks. Every
//! candidate position is watched in parallel, so a failed candidate never hides a good
//! one and acquisition happens at the first frame N+2 the line offers.

/// FAS in bits 2..8 of TS0 (bit 1 is Si or a CRC-4 C bit).
pub(crate) const FAS_WORD: u8 = 0x1B;
/// Bits of TS0 that carry the FAS.
pub(crate) const FAS_MASK: u8 = 0x7F;
/// Bit 2 of TS0: always 1 in an NFAS word, 0 in a FAS word.
pub(crate) const NFAS_BIT2: u8 = 0x40;

/// Raw octets in two frames: the distance from frame N's TS0 to frame N+2's.
const HISTORY: usize = 64;
/// Raw octets in one frame.
const FRAME_STEP: usize = 32;

/// True when `ts0` carries a correct frame alignment signal.
#[inline(always)]
pub(crate) fn is_fas(ts0: u8) -> bool {
    ts0 & FAS_MASK == FAS_WORD
}

/// The line octet that starts `offset` bits (0..8) into `previous` and ends in `current`.
#[inline(always)]
pub(crate) fn octet_at(previous: u8, current: u8, offset: u32) -> u8 {
    (((u16::from(previous) << 8) | u16::from(current)) >> (8 - offset)) as u8
}

/// Flags of the last two frames' worth of raw octets, per bit offset.
#[derive(Debug, Clone)]
pub(crate) struct FasSearcher {
    /// Bit `b` of `fas[i]`: the octet at offset `b` ending in raw octet `i` is a FAS.
    fas: [u8; HISTORY],
    /// Bit `b` of `bit2[i]`: that octet has bit 2 set.
    bit2: [u8; HISTORY],
    /// Ring index of the next raw octet.
    slot: usize,
}

impl FasSearcher {
    pub(crate) fn new() -> Self {
        FasSearcher { fas: [0; HISTORY], bit2: [0; HISTORY], slot: 0 }
    }

    /// Forgets the history: a new search starts with the next octet. Empty history holds
    /// no FAS flags, so nothing can be found before two frames have been seen.
    pub(crate) fn reset(&mut self) {
        self.fas = [0; HISTORY];
        self.bit2 = [0; HISTORY];
        self.slot = 0;
    }

    /// Takes one raw octet, `current`, that followed `previous`. Returns a mask whose bit
    /// `b` is set when the octet at offset `b` ending in `current` completes the
    /// FAS / NFAS / FAS sequence, i.e. is the TS0 of frame N+2.
    #[inline]
    pub(crate) fn push(&mut self, previous: u8, current: u8) -> u8 {
        let mut fas = 0u8;
        let mut bit2 = 0u8;
        for offset in 0..8 {
            let octet = octet_at(previous, current, offset);
            fas |= u8::from(is_fas(octet)) << offset;
            bit2 |= u8::from(octet & NFAS_BIT2 != 0) << offset;
        }
        let slot = self.slot;
        let one_frame_ago = (slot + HISTORY - FRAME_STEP) % HISTORY;
        // The slot being overwritten is the one from exactly two frames ago.
        let found = fas & self.bit2[one_frame_ago] & self.fas[slot];
        self.fas[slot] = fas;
        self.bit2[slot] = bit2;
        self.slot = (slot + 1) % HISTORY;
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(searcher: &mut FasSearcher, stream: &[u8]) -> Vec<(usize, u8)> {
        let mut previous = 0;
        let mut hits = Vec::new();
        for (i, &octet) in stream.iter().enumerate() {
            let found = searcher.push(previous, octet);
            if found != 0 {
                hits.push((i, found));
            }
            previous = octet;
        }
        hits
    }

    fn frames(first_fas: bool, count: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for n in 0..count {
            let mut frame = [0x55u8; 32];
            frame[0] = if (n % 2 == 0) == first_fas { 0x9B } else { 0xDF };
            out.extend_from_slice(&frame);
        }
        out
    }

    #[test]
    fn octet_at_every_offset() {
        assert_eq!(octet_at(0xAB, 0xCD, 0), 0xAB);
        assert_eq!(octet_at(0xAB, 0xCD, 4), 0xBC);
        assert_eq!(octet_at(0xAB, 0xCD, 7), 0xE6);
        assert_eq!(octet_at(0x01, 0x80, 7), 0xC0);
    }

    #[test]
    fn finds_frame_two_at_offset_zero() {
        let mut searcher = FasSearcher::new();
        // Offset 0 octets show up one raw octet late (they end in the *previous* octet).
        let hits = run(&mut searcher, &frames(true, 3));
        assert_eq!(hits, vec![(65, 0b0000_0001)]);
    }

    #[test]
    fn starting_on_nfas_needs_one_more_frame() {
        let mut searcher = FasSearcher::new();
        let hits = run(&mut searcher, &frames(false, 4));
        assert_eq!(hits, vec![(97, 0b0000_0001)]);
    }

    #[test]
    fn finds_a_shifted_stream_at_its_offset() {
        // Prepend 3 bits (101) to the stream: alignment moves to offset 3.
        let plain = frames(true, 3);
        let mut shifted = Vec::new();
        let mut acc: u16 = 0b101;
        let mut bits = 3;
        for &octet in &plain {
            acc = (acc << 8) | u16::from(octet);
            bits += 8;
            while bits >= 8 {
                shifted.push((acc >> (bits - 8)) as u8);
                bits -= 8;
            }
        }
        let mut searcher = FasSearcher::new();
        let hits = run(&mut searcher, &shifted);
        assert_eq!(hits, vec![(65, 0b0000_1000)]);
    }

    #[test]
    fn rejects_fas_without_nfas_bit2_between() {
        let mut stream = frames(true, 3);
        stream[32] = 0x9B & !NFAS_BIT2; // frame 1 TS0 with bit 2 = 0
        let mut searcher = FasSearcher::new();
        assert!(run(&mut searcher, &stream).is_empty());
    }

    #[test]
    fn all_zero_and_all_one_lines_never_match() {
        let mut searcher = FasSearcher::new();
        assert!(run(&mut searcher, &[0u8; 1024]).is_empty());
        assert!(run(&mut searcher, &[0xFFu8; 1024]).is_empty());
    }

    #[test]
    fn reset_forgets_history() {
        let stream = frames(true, 3);
        let mut searcher = FasSearcher::new();
        let mut previous = 0;
        for &octet in &stream[..64] {
            searcher.push(previous, octet);
            previous = octet;
        }
        searcher.reset();
        let mut found = 0;
        for &octet in &stream[64..] {
            found |= searcher.push(previous, octet);
            previous = octet;
        }
        assert_eq!(found, 0);
    }
}
