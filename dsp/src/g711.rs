//! ITU-T G.711 A-law and µ-law companding, bit-exact with the Recommendation.
//!
//! G.711 quantises a 13-bit (A-law) or 14-bit (µ-law) uniform value. This crate works on
//! 16-bit samples, so the encoders drop the extra low bits first, the way the ITU-T reference
//! software (G.191 STL) does: a negative sample `x` is taken as magnitude `-x - 1` (one's
//! complement), which puts `-1 ..= -8` into the first negative A-law interval just as `0 ..= 7`
//! fall into the first positive one. The decoders return the Recommendation's decoder output
//! values scaled to 16 bits (A-law ×8, µ-law ×4), so `alaw_to_linear(0xAA) == 32256`
//! (G.711 Table 1: 4032) and `ulaw_to_linear(0x80) == 32124` (Table 2: 8031).
//!
//! A↔µ transcoding follows G.711 Tables 3 and 4. Those tables are not "decode, then encode"
//! on a common linear scale: the two laws put their overload points at different levels
//! (A-law 4096 = +3.14 dBm0, µ-law 8159 = +3.17 dBm0), and the tables map each code to the
//! code of the other law whose decoder output is nearest *at the same level in dBm0*. That
//! rule, applied to the 128 magnitudes of each law, reproduces both tables exactly (checked
//! against spandsp's copy of them in `tests/g711_spandsp.rs`).
//!
//! All tables are computed at compile time by `const fn`s from the segment rules.

/// A-law code sent for silence (positive zero, even bits inverted).
pub const ALAW_IDLE: u8 = 0xD5;
/// µ-law code sent for silence (positive zero).
pub const ULAW_IDLE: u8 = 0xFF;

/// A-law inverts the even bits of every code (G.711 §3.2, "even bit inversion").
const ALAW_EVEN_BIT_MASK: u8 = 0x55;
/// µ-law codes the biased magnitude `|x| + 33` (14-bit scale); ×4 on the 16-bit scale.
const ULAW_BIAS: i32 = 0x84;

/// Encodes one 16-bit linear sample to an A-law code (G.711 Table 1a / 1b).
pub const fn linear_to_alaw(sample: i16) -> u8 {
    let (magnitude, sign) = if sample >= 0 { (sample as i32, 0x80) } else { (-(sample as i32) - 1, 0x00) };
    // Segment 0 and 1 share the step 16 (2 on the 13-bit scale); from segment 1 on each
    // segment doubles both its span and its step.
    let code = if magnitude < 256 {
        (magnitude >> 4) as u8
    } else {
        let top_bit = 31 - magnitude.leading_zeros() as i32; // 8 ..= 14
        let segment = top_bit - 7; // 1 ..= 7
        ((segment << 4) | ((magnitude >> (segment + 3)) & 0x0F)) as u8
    };
    (code | sign) ^ ALAW_EVEN_BIT_MASK
}

/// Decodes an A-law code to the Recommendation's decoder output value on the 16-bit scale.
pub const fn alaw_to_linear(code: u8) -> i16 {
    let raw = code ^ ALAW_EVEN_BIT_MASK;
    let segment = ((raw >> 4) & 0x07) as i32;
    let mantissa = (raw & 0x0F) as i32;
    // Interval midpoint: segment 0 starts at 0 with step 16, segment s ≥ 1 starts at
    // 256 << (s - 1) with step 16 << (s - 1).
    let magnitude =
        if segment == 0 { (mantissa << 4) + 8 } else { ((mantissa << 4) + 0x108) << (segment - 1) };
    if raw & 0x80 != 0 { magnitude as i16 } else { -magnitude as i16 }
}

/// Encodes one 16-bit linear sample to a µ-law code (G.711 Table 2a / 2b).
pub const fn linear_to_ulaw(sample: i16) -> u8 {
    // The sign bit is sent as is (1 = positive); the other seven bits are inverted.
    let (biased, negative) = if sample >= 0 {
        (sample as i32 + ULAW_BIAS, 0x00u8)
    } else {
        (-(sample as i32) - 1 + ULAW_BIAS, 0x80u8)
    };
    // The biased magnitude lies in [256, 32768 + 132); segments are its octaves.
    let top_bit = 31 - biased.leading_zeros() as i32; // 8 ..= 15
    let segment = top_bit - 7;
    let code = if segment >= 8 {
        // Beyond the last decision value (8159 on the 14-bit scale): clip to the top interval.
        0x7F
    } else {
        ((segment << 4) | ((biased >> (segment + 3)) & 0x0F)) as u8
    };
    !(code | negative)
}

/// Decodes a µ-law code to the Recommendation's decoder output value on the 16-bit scale.
pub const fn ulaw_to_linear(code: u8) -> i16 {
    let raw = !code;
    let segment = ((raw >> 4) & 0x07) as i32;
    let mantissa = (raw & 0x0F) as i32;
    let magnitude = (((mantissa << 3) + ULAW_BIAS) << segment) - ULAW_BIAS;
    if raw & 0x80 != 0 { -magnitude as i16 } else { magnitude as i16 }
}

const fn build_alaw_decode() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = alaw_to_linear(code as u8);
        code += 1;
    }
    table
}

const fn build_ulaw_decode() -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0;
    while code < 256 {
        table[code] = ulaw_to_linear(code as u8);
        code += 1;
    }
    table
}

/// A-law decoder table: `ALAW_TO_LINEAR[code]` = [`alaw_to_linear`]`(code)`.
pub static ALAW_TO_LINEAR: [i16; 256] = build_alaw_decode();
/// µ-law decoder table: `ULAW_TO_LINEAR[code]` = [`ulaw_to_linear`]`(code)`.
pub static ULAW_TO_LINEAR: [i16; 256] = build_ulaw_decode();

/// Position of a code's decoder output among the 128 magnitudes of its law, 0 = smallest.
const fn alaw_rank(code: u8) -> u8 {
    (code ^ ALAW_EVEN_BIT_MASK) & 0x7F
}

const fn ulaw_rank(code: u8) -> u8 {
    !code & 0x7F
}

const fn alaw_from_rank(rank: u8, positive: bool) -> u8 {
    (rank | if positive { 0x80 } else { 0 }) ^ ALAW_EVEN_BIT_MASK
}

const fn ulaw_from_rank(rank: u8, positive: bool) -> u8 {
    !(rank | if positive { 0 } else { 0x80 })
}

/// Magnitude of the 13-bit A-law decoder output (G.711 Table 1, 4096 scale) for a rank.
const fn alaw_magnitude_13(rank: u8) -> f64 {
    ((alaw_to_linear(alaw_from_rank(rank, true)) as i32) >> 3) as f64
}

/// Magnitude of the 14-bit µ-law decoder output (G.711 Table 2, 8159 scale) for a rank.
const fn ulaw_magnitude_14(rank: u8) -> f64 {
    ((ulaw_to_linear(ulaw_from_rank(rank, true)) as i32) >> 2) as f64
}

/// µ-law units per A-law unit at equal level: the overload points 8159 and 4096 sit at
/// +3.17 and +3.14 dBm0, so the factor is 8159/4096 · 10^(−0.03/20).
const ULAW_PER_ALAW_UNIT: f64 = 8159.0 / 4096.0 * 0.996_552_1;

const fn abs_f64(x: f64) -> f64 {
    if x < 0.0 { -x } else { x }
}

/// For each magnitude rank of one law, the rank of the other law with the nearest decoder
/// output at equal level. `from_ulaw` selects the direction.
const fn nearest_ranks(from_ulaw: bool) -> [u8; 128] {
    let mut ranks = [0u8; 128];
    let mut from = 0;
    while from < 128 {
        // Both magnitudes expressed in µ-law units.
        let target = if from_ulaw {
            ulaw_magnitude_14(from as u8)
        } else {
            alaw_magnitude_13(from as u8) * ULAW_PER_ALAW_UNIT
        };
        let mut best = 0u8;
        let mut best_distance = f64::MAX;
        let mut to = 0;
        while to < 128 {
            let candidate = if from_ulaw {
                alaw_magnitude_13(to as u8) * ULAW_PER_ALAW_UNIT
            } else {
                ulaw_magnitude_14(to as u8)
            };
            let distance = abs_f64(candidate - target);
            if distance < best_distance {
                best_distance = distance;
                best = to as u8;
            }
            to += 1;
        }
        ranks[from] = best;
        from += 1;
    }
    ranks
}

/// G.711 Table 3 (µ → A) over all 256 codes; the sign bit carries over.
const fn build_ulaw_to_alaw() -> [u8; 256] {
    let ranks = nearest_ranks(true);
    let mut table = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        let positive = code & 0x80 != 0;
        table[code] = alaw_from_rank(ranks[ulaw_rank(code as u8) as usize], positive);
        code += 1;
    }
    table
}

/// G.711 Table 4 (A → µ) over all 256 codes; the sign bit carries over.
const fn build_alaw_to_ulaw() -> [u8; 256] {
    let ranks = nearest_ranks(false);
    let mut table = [0u8; 256];
    let mut code = 0;
    while code < 256 {
        let positive = code & 0x80 != 0;
        table[code] = ulaw_from_rank(ranks[alaw_rank(code as u8) as usize], positive);
        code += 1;
    }
    table
}

static ULAW_TO_ALAW: [u8; 256] = build_ulaw_to_alaw();
static ALAW_TO_ULAW: [u8; 256] = build_alaw_to_ulaw();

/// Transcodes a µ-law code to A-law per G.711 Table 3.
pub fn ulaw_to_alaw(code: u8) -> u8 {
    ULAW_TO_ALAW[code as usize]
}

/// Transcodes an A-law code to µ-law per G.711 Table 4.
pub fn alaw_to_ulaw(code: u8) -> u8 {
    ALAW_TO_ULAW[code as usize]
}

/// Decodes A-law codes into linear samples; stops at the shorter of the two slices.
pub fn decode_alaw(codes: &[u8], out: &mut [i16]) {
    for (sample, &code) in out.iter_mut().zip(codes) {
        *sample = ALAW_TO_LINEAR[code as usize];
    }
}

/// Decodes µ-law codes into linear samples; stops at the shorter of the two slices.
pub fn decode_ulaw(codes: &[u8], out: &mut [i16]) {
    for (sample, &code) in out.iter_mut().zip(codes) {
        *sample = ULAW_TO_LINEAR[code as usize];
    }
}

/// Encodes linear samples to A-law; stops at the shorter of the two slices.
pub fn encode_alaw(samples: &[i16], out: &mut [u8]) {
    for (code, &sample) in out.iter_mut().zip(samples) {
        *code = linear_to_alaw(sample);
    }
}

/// Encodes linear samples to µ-law; stops at the shorter of the two slices.
pub fn encode_ulaw(samples: &[i16], out: &mut [u8]) {
    for (code, &sample) in out.iter_mut().zip(samples) {
        *code = linear_to_ulaw(sample);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// G.711 Table 1 (A-law), positive half, on the 4096 scale: for each segment, the first
    /// decision value and the step. The decoder output is the middle of each interval.
    const ALAW_SEGMENTS: [(i32, i32); 8] =
        [(0, 2), (32, 2), (64, 4), (128, 8), (256, 16), (512, 32), (1024, 64), (2048, 128)];

    /// G.711 Table 2 (µ-law), positive half, on the 8159 scale: first decision value and step
    /// of each segment; the very first interval (0 ..= 1) is half-width with output 0.
    const ULAW_SEGMENTS: [(i32, i32); 8] =
        [(1, 2), (31, 4), (95, 8), (223, 16), (479, 32), (991, 64), (2015, 128), (4063, 256)];

    /// The Recommendation's A-law code and output for a 13-bit magnitude, found by walking
    /// the decision table.
    fn alaw_reference(magnitude_13: i32) -> (u8, i32) {
        for (segment, &(start, step)) in ALAW_SEGMENTS.iter().enumerate().rev() {
            if magnitude_13 >= start {
                let interval = (magnitude_13 - start) / step;
                return ((segment as u8) << 4 | interval as u8, start + interval * step + step / 2);
            }
        }
        unreachable!("segment 0 starts at 0")
    }

    /// The Recommendation's µ-law rank and output for a 14-bit magnitude.
    fn ulaw_reference(magnitude_14: i32) -> (u8, i32) {
        if magnitude_14 < ULAW_SEGMENTS[1].0 {
            // Segment 0: the half interval 0 ..= 1 (output 0), then 15 intervals of 2.
            if magnitude_14 < 1 {
                return (0, 0);
            }
            let rank = 1 + (magnitude_14 - 1) / 2;
            return (rank as u8, rank * 2);
        }
        for (segment, &(start, step)) in ULAW_SEGMENTS.iter().enumerate().skip(1).rev() {
            if magnitude_14 >= start {
                // Beyond the last decision value (8159) the top interval is kept.
                let interval = ((magnitude_14 - start) / step).min(15);
                return (((segment as i32) << 4 | interval) as u8, start + interval * step + step / 2);
            }
        }
        unreachable!("magnitudes from 31 on are in segment 1 or above")
    }

    #[test]
    fn every_alaw_code_decodes_to_the_table_value() {
        for code in 0..=255u8 {
            let raw = code ^ 0x55;
            let rank = raw & 0x7F;
            let (start, step) = ALAW_SEGMENTS[(rank >> 4) as usize];
            let expected = (start + (rank & 0x0F) as i32 * step + step / 2) * 8;
            let expected = if raw & 0x80 != 0 { expected } else { -expected };
            assert_eq!(alaw_to_linear(code) as i32, expected, "code {code:#04x}");
            assert_eq!(ALAW_TO_LINEAR[code as usize] as i32, expected);
        }
    }

    #[test]
    fn every_linear_sample_encodes_to_the_table_alaw_code() {
        for sample in i16::MIN..=i16::MAX {
            let magnitude = if sample >= 0 { sample as i32 } else { -(sample as i32) - 1 } >> 3;
            let (rank, _) = alaw_reference(magnitude);
            let sign = if sample >= 0 { 0x80 } else { 0 };
            assert_eq!(linear_to_alaw(sample), (rank | sign) ^ 0x55, "sample {sample}");
        }
    }

    #[test]
    fn every_ulaw_code_decodes_to_the_table_value() {
        // Ranks 1 ..= 15 of segment 0 are at 2, 4, ..., 30 after the zero output at rank 0.
        for code in 0..=255u8 {
            let raw = !code;
            let rank = (raw & 0x7F) as i32;
            let (segment, interval) = (rank >> 4, rank & 0x0F);
            let expected = if segment == 0 {
                interval * 2
            } else {
                let (start, step) = ULAW_SEGMENTS[segment as usize];
                start + interval * step + step / 2
            } * 4;
            let expected = if raw & 0x80 != 0 { -expected } else { expected };
            assert_eq!(ulaw_to_linear(code) as i32, expected, "code {code:#04x}");
            assert_eq!(ULAW_TO_LINEAR[code as usize] as i32, expected);
        }
    }

    #[test]
    fn every_linear_sample_encodes_to_the_table_ulaw_code() {
        for sample in i16::MIN..=i16::MAX {
            let magnitude = if sample >= 0 { sample as i32 } else { -(sample as i32) - 1 } >> 2;
            let (rank, output) = ulaw_reference(magnitude);
            let negative = if sample >= 0 { 0 } else { 0x80 };
            let code = !(rank | negative);
            assert_eq!(linear_to_ulaw(sample), code, "sample {sample}");
            let decoded = ulaw_to_linear(code) as i32;
            assert_eq!(decoded.abs(), output * 4, "sample {sample}");
        }
    }

    #[test]
    fn table_corner_values() {
        assert_eq!(linear_to_alaw(0), ALAW_IDLE);
        assert_eq!(linear_to_alaw(-1), 0x55);
        assert_eq!(linear_to_alaw(i16::MAX), 0xAA);
        assert_eq!(linear_to_alaw(i16::MIN), 0x2A);
        assert_eq!(alaw_to_linear(0xAA), 32256);
        assert_eq!(alaw_to_linear(0x2A), -32256);
        assert_eq!(alaw_to_linear(0xD5), 8);
        assert_eq!(linear_to_ulaw(0), ULAW_IDLE);
        assert_eq!(linear_to_ulaw(-1), 0x7F);
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
        assert_eq!(ulaw_to_linear(0x80), 32124);
        assert_eq!(ulaw_to_linear(0x00), -32124);
        assert_eq!(ulaw_to_linear(0xFF), 0);
        assert_eq!(ulaw_to_linear(0x7F), 0);
    }

    #[test]
    fn decoded_values_reencode_to_the_same_code() {
        for code in 0..=255u8 {
            assert_eq!(linear_to_alaw(alaw_to_linear(code)), code);
            let back = linear_to_ulaw(ulaw_to_linear(code));
            // µ-law's negative zero decodes to 0, which encodes as positive zero.
            if code == 0x7F { assert_eq!(back, 0xFF) } else { assert_eq!(back, code) }
        }
    }

    #[test]
    fn transcoding_table_spot_values() {
        // Silence, full scale, and the segment-5 codes where "nearest at equal dBm0" differs
        // from "nearest on a ×2 linear scale".
        assert_eq!(ulaw_to_alaw(0xFF), 0xD5);
        assert_eq!(ulaw_to_alaw(0x7F), 0x55);
        assert_eq!(ulaw_to_alaw(0x80), 0xAA);
        assert_eq!(ulaw_to_alaw(0x20), 0x0A);
        assert_eq!(alaw_to_ulaw(0xD5), 0xFE);
        assert_eq!(alaw_to_ulaw(0x55), 0x7E);
        assert_eq!(alaw_to_ulaw(0xAA), 0x80);
        assert_eq!(alaw_to_ulaw(0x00), 0x2A);
    }

    #[test]
    fn transcoding_round_trips_are_not_transparent_everywhere() {
        // Each law is finer than the other somewhere, so 16 codes of each are merged.
        let a_kept = (0..=255u8).filter(|&c| ulaw_to_alaw(alaw_to_ulaw(c)) == c).count();
        let u_kept = (0..=255u8).filter(|&c| alaw_to_ulaw(ulaw_to_alaw(c)) == c).count();
        assert_eq!((a_kept, u_kept), (240, 240));
        let distinct_a: std::collections::BTreeSet<u8> = (0..=255u8).map(ulaw_to_alaw).collect();
        let distinct_u: std::collections::BTreeSet<u8> = (0..=255u8).map(alaw_to_ulaw).collect();
        assert_eq!((distinct_a.len(), distinct_u.len()), (240, 240));
    }

    #[test]
    fn transcoding_keeps_sign_and_order() {
        for code in 0..=255u8 {
            let a = ulaw_to_alaw(code);
            let u = alaw_to_ulaw(code);
            // Both laws send the sign as bit 8 (0x80), 1 = positive.
            assert_eq!(a & 0x80, code & 0x80);
            assert_eq!(u & 0x80, code & 0x80);
        }
        let mut previous = -1;
        for rank in 0..128u8 {
            let value = alaw_to_linear(ulaw_to_alaw(ulaw_from_rank(rank, true))) as i32;
            assert!(value >= previous, "µ→A must be monotonic");
            previous = value;
        }
    }

    #[test]
    fn digital_milliwatt_sequences_decode_to_the_same_sine() {
        // G.711 Tables 5 and 6: one period of a 1 kHz tone at 0 dBm0.
        let alaw = [0x34u8, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4];
        let ulaw = [0x1Eu8, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E];
        let a: Vec<i16> = alaw.iter().map(|&c| alaw_to_linear(c)).collect();
        let u: Vec<i16> = ulaw.iter().map(|&c| ulaw_to_linear(c)).collect();
        assert_eq!(a, [-8960, -20992, -20992, -8960, 8960, 20992, 20992, 8960]);
        assert_eq!(u, [-8828, -20860, -20860, -8828, 8828, 20860, 20860, 8828]);
    }
}
