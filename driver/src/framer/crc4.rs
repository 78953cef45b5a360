//! CRC-4 of G.704 §2.3.3: generator x^4 + x + 1, remainder of (block × x^4) ÷ G(x),
//! initial value 0, first transmitted bit (the MSB of the first octet) is the highest
//! power, C1 is the remainder's MSB (`0b1000`).
//!
//! Three routines compute the same thing; the tests check each against a bit-serial
//! shift register:
//! - [`update`] is the general one, one table look-up per octet. Each look-up waits for
//!   the previous one, which is too slow for a whole line (≈ 2 µs per second of line).
//! - [`update_frame`] does one 32-octet frame with a table per octet *position*: since
//!   G(x) is primitive, x^15 ≡ 1 (mod G), so an octet's contribution depends only on its
//!   value and its distance from the end of the frame modulo 15; the 32 look-ups are
//!   independent. It reads the frame octet by octet, which suits a frame whose octets were
//!   just written one by one (the transmit side).
//! - [`update_words`] does one frame given as four big-endian 64-bit words (the receive
//!   side builds them anyway): reducing first modulo x^15 + 1 is a cyclic fold of the
//!   word into 15-bit pieces, then one reduction modulo G.

use super::Frame;

/// x^4 + x + 1 without its x^4 term.
pub const GENERATOR: u8 = 0b0011;

/// Remainder of `value(x)` modulo G(x).
const fn mod_generator(mut value: u64) -> u8 {
    let mut bit = 63;
    while bit >= 4 {
        if value & (1 << bit) != 0 {
            value ^= (0x10 | GENERATOR as u64) << (bit - 4);
        }
        bit -= 1;
    }
    value as u8
}

/// `OCTET_STEP[v]` = v(x)·x^4 mod G: one octet shifted through the register.
const OCTET_STEP: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = mod_generator((i as u64) << 4);
        i += 1;
    }
    table
};

/// Low 8 bits of a 15-bit residue, reduced modulo G.
const REDUCE_LOW: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = mod_generator(i as u64);
        i += 1;
    }
    table
};

/// High 7 bits of a 15-bit residue (weight x^8), reduced modulo G.
const REDUCE_HIGH: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = mod_generator((i as u64) << 8);
        i += 1;
    }
    table
};

/// `POSITION[e][v]` = v(x)·x^e mod G, for e in 0..15.
const POSITION: [[u8; 256]; 15] = {
    let mut table = [[0u8; 256]; 15];
    let mut e = 0;
    while e < 15 {
        let mut v = 0;
        while v < 256 {
            table[e][v] = mod_generator((v as u64) << e);
            v += 1;
        }
        e += 1;
    }
    table
};

/// Exponent (mod 15) of octet k's lowest bit in frame·x^4: 4 + 8·(31 − k).
const OCTET_EXPONENT: [usize; 32] = {
    let mut table = [0usize; 32];
    let mut k = 0;
    while k < 32 {
        table[k] = (4 + 8 * (31 - k)) % 15;
        k += 1;
    }
    table
};

/// Continues a CRC-4 `crc` (0..=15) over `octets`, MSB of each octet first.
pub fn update(crc: u8, octets: &[u8]) -> u8 {
    octets.iter().fold(crc & 0x0F, |crc, &octet| OCTET_STEP[usize::from((crc << 4) ^ octet)])
}

/// CRC-4 of `octets` from the initial value 0.
pub fn compute(octets: &[u8]) -> u8 {
    update(0, octets)
}

/// Continues a CRC-4 `crc` over one whole frame. With `mask_si`, bit 1 of octet 0 (the
/// C-bit position of a FAS frame) counts as 0, as G.704 requires for the calculation.
#[inline]
pub fn update_frame(crc: u8, frame: &Frame, mask_si: bool) -> u8 {
    let first = if mask_si { frame[0] & 0x7F } else { frame[0] };
    // crc·x^256 ≡ crc·x (256 mod 15 = 1).
    let mut acc = POSITION[1][usize::from(crc & 0x0F)] ^ POSITION[OCTET_EXPONENT[0]][usize::from(first)];
    for k in 1..32 {
        acc ^= POSITION[OCTET_EXPONENT[k]][usize::from(frame[k])];
    }
    acc
}

/// The frame octets as four big-endian words, `words[0]` holding octets 0..8.
pub fn frame_words(frame: &Frame) -> [u64; 4] {
    std::array::from_fn(|i| {
        let mut octets = [0u8; 8];
        octets.copy_from_slice(&frame[i * 8..i * 8 + 8]);
        u64::from_be_bytes(octets)
    })
}

/// A 64-bit word as a polynomial reduced modulo x^15 + 1 (15-bit result).
#[inline(always)]
fn fold15(word: u64) -> u32 {
    // x^30 ≡ x^60 ≡ 1, then x^15 ≡ 1.
    let w30 = (word & 0x3FFF_FFFF) ^ ((word >> 30) & 0x3FFF_FFFF) ^ (word >> 60);
    ((w30 & 0x7FFF) ^ (w30 >> 15)) as u32
}

/// Multiplies a 15-bit residue by x^n modulo x^15 + 1 (a rotation), 0 < n < 15.
#[inline(always)]
fn rotate15(residue: u32, n: u32) -> u32 {
    ((residue << n) | (residue >> (15 - n))) & 0x7FFF
}

/// [`update_frame`] for a frame given as [`frame_words`].
#[inline]
pub fn update_words(crc: u8, words: &[u64; 4], mask_si: bool) -> u8 {
    let first = if mask_si { words[0] & !(1 << 63) } else { words[0] };
    // new = crc·x^256 + frame·x^4 (mod G). Exponents taken mod 15:
    // crc·x^256 → x^1; word 0 sits at x^(192+4) → x^1; word 1 at x^132 → x^12;
    // word 2 at x^68 → x^8; word 3 at x^4.
    let residue = rotate15(fold15(first) ^ u32::from(crc & 0x0F), 1)
        ^ rotate15(fold15(words[1]), 12)
        ^ rotate15(fold15(words[2]), 8)
        ^ rotate15(fold15(words[3]), 4);
    REDUCE_HIGH[(residue >> 8) as usize] ^ REDUCE_LOW[(residue & 0xFF) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The textbook shift register: one bit at a time, feedback x^4 + x + 1.
    fn bit_serial(octets: &[u8]) -> u8 {
        let mut reg = 0u8;
        for &octet in octets {
            for bit in (0..8).rev() {
                let input = (octet >> bit) & 1;
                let feedback = ((reg >> 3) & 1) ^ input;
                reg = ((reg << 1) & 0x0F) ^ if feedback != 0 { GENERATOR } else { 0 };
            }
        }
        reg
    }

    #[test]
    fn table_entries_match_the_generator() {
        assert_eq!(OCTET_STEP[0x00], 0x0);
        assert_eq!(OCTET_STEP[0x01], 0x3); // x^4 ≡ x + 1
        assert_eq!(OCTET_STEP[0x02], 0x6); // x^5 ≡ x^2 + x
        assert_eq!(OCTET_STEP[0x10], 0x5); // x^8 ≡ x^2 + 1
        assert_eq!(OCTET_STEP[0xFF], 0x4);
    }

    #[test]
    fn known_remainders() {
        assert_eq!(compute(&[]), 0);
        // 0x01·x^4 mod G = x + 1.
        assert_eq!(compute(&[0x01]), 0b0011);
        // 0x80 = x^7; x^11 mod G: x^4=x+1, x^8=x^2+1, x^11=x^5+x^3=x^3+x^2+x.
        assert_eq!(compute(&[0x80]), 0b1110);
        // x^15 ≡ 1 → 0x80 0x00 is x^15 → ·x^4 = x^4 ≡ x + 1.
        assert_eq!(compute(&[0x80, 0x00]), 0b0011);
        let block = [0x12, 0x34, 0x56, 0x78];
        let crc = compute(&block);
        assert_eq!(bit_serial(&block), crc);
    }

    #[test]
    fn update_is_incremental() {
        let data: Vec<u8> = (0..=255u8).collect();
        let whole = compute(&data);
        let split = update(compute(&data[..100]), &data[100..]);
        assert_eq!(whole, split);
        assert_eq!(whole, bit_serial(&data));
    }

    #[test]
    fn frame_fold_of_all_zero_and_all_one_frames() {
        let zeros = [0u8; 32];
        let ones = [0xFFu8; 32];
        assert_eq!(update_frame(0, &zeros, false), 0);
        assert_eq!(update_frame(0, &ones, false), bit_serial(&ones));
        let mut masked = ones;
        masked[0] = 0x7F;
        assert_eq!(update_frame(0, &ones, true), bit_serial(&masked));
        // A non-zero start value is carried through 256 bit times: x^256 ≡ x.
        assert_eq!(update_frame(0b0001, &zeros, false), 0b0010);
        assert_eq!(update_frame(0b1000, &zeros, false), 0b0011);
        for (frame, mask) in [(zeros, false), (ones, false), (ones, true)] {
            assert_eq!(update_words(0b0101, &frame_words(&frame), mask), update_frame(0b0101, &frame, mask));
        }
    }

    #[test]
    fn position_tables_follow_the_generator() {
        assert_eq!(OCTET_EXPONENT[31], 4);
        assert_eq!(OCTET_EXPONENT[30], 12);
        assert_eq!(OCTET_EXPONENT[0], 12); // 4 + 8·31 = 252 ≡ 12
        for v in 0..256 {
            assert_eq!(POSITION[4][v], OCTET_STEP[v]);
        }
        assert_eq!(POSITION[14][1], 0b1001); // x^14 = x^-1 = x^3 + 1
    }

    proptest! {
        #[test]
        fn table_matches_bit_serial(data in proptest::collection::vec(any::<u8>(), 0..300)) {
            prop_assert_eq!(compute(&data), bit_serial(&data));
        }

        #[test]
        fn frame_fold_matches_octet_table(
            frames in proptest::collection::vec(any::<[u8; 32]>(), 1..9),
            start in 0u8..16,
            mask in any::<bool>(),
        ) {
            let mut fast = start;
            let mut words = start;
            let mut slow = start;
            for frame in &frames {
                fast = update_frame(fast, frame, mask);
                words = update_words(words, &frame_words(frame), mask);
                let mut copy = *frame;
                if mask {
                    copy[0] &= 0x7F;
                }
                slow = update(slow, &copy);
            }
            prop_assert_eq!(fast, slow);
            prop_assert_eq!(words, slow);
        }
    }
}
