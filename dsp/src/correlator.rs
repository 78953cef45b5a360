//! Sub-block correlator: the complex DFT value of a few frequencies over a short block of
//! samples, computed as dot products with precomputed cos/sin rows.
//!
//! The detectors cut their input into sub-blocks of `L` samples and correlate each with a
//! table of Q12 rows (`cos ωn`, `−sin ωn` for every bin), instead of running a Goertzel
//! recursion per bin: dot products have no loop-carried dependency, so they map onto the
//! CPU's 16-bit multiply-add vector instruction (`pmaddwd`) and run several times faster than
//! a recursion whose multiply latency sits on the critical path.
//!
//! # Ranges
//!
//! Samples enter as `x >> 3` (13 bits: exactly A-law's resolution, and µ-law's except for a
//! half step in its finest segment), coefficients are at most 4096 in magnitude, so every
//! product is at most 2²⁴ and an `i32` sum cannot overflow for `L ≤ 127`. The energy
//! `Σ (x >> 3)²` has the same bound.

use crate::sine::{cos, round, sin};

/// Coefficient scale: rows hold `4096 · cos` and `−4096 · sin`.
pub const COEFFICIENT_ONE: i32 = 4096;
/// Right shift applied to samples before correlation.
pub const SAMPLE_SHIFT: u32 = 3;

/// Builds the rows for `freqs` (Hz at 8000 samples/s): row `2k` is `cos(ω_k n)`, row `2k+1`
/// is `−sin(ω_k n)`, so that a row pair gives `Σ x[n]·e^(−jω_k n)`.
pub const fn build_rows<const L: usize, const ROWS: usize>(freqs: &[f64]) -> [[i16; L]; ROWS] {
    let mut rows = [[0i16; L]; ROWS];
    let mut r = 0;
    while r < ROWS {
        let omega = 2.0 * std::f64::consts::PI * freqs[r / 2] / 8000.0;
        let mut n = 0;
        while n < L {
            let angle = omega * n as f64;
            let value = if r.is_multiple_of(2) { cos(angle) } else { -sin(angle) };
            rows[r][n] = round(value * COEFFICIENT_ONE as f64) as i16;
            n += 1;
        }
        r += 1;
    }
    rows
}

/// Q14 rotation `e^(−jωL)` per bin, as (re, im) pairs: turns a sub-block's DFT value,
/// referenced to its own first sample, into one referenced `L` samples earlier.
pub const fn build_rotations<const BINS: usize>(freqs: &[f64], sub_block: usize) -> [(i32, i32); BINS] {
    let mut out = [(0, 0); BINS];
    let mut k = 0;
    while k < BINS {
        let angle = 2.0 * std::f64::consts::PI * freqs[k] * sub_block as f64 / 8000.0;
        out[k] = (round(cos(angle) * 16384.0) as i32, round(-sin(angle) * 16384.0) as i32);
        k += 1;
    }
    out
}

/// `(sin θ, cos θ)` in Q14 for a frequency tolerance of `tolerance_hz` seen as the phase
/// step `θ = 2π·tolerance·L/8000` between sub-blocks.
pub const fn build_sectors<const BINS: usize>(tolerance_hz: &[f64], sub_block: usize) -> [(i32, i32); BINS] {
    let mut out = [(0, 0); BINS];
    let mut k = 0;
    while k < BINS {
        let angle = 2.0 * std::f64::consts::PI * tolerance_hz[k] * sub_block as f64 / 8000.0;
        out[k] = (round(sin(angle) * 16384.0) as i32, round(cos(angle) * 16384.0) as i32);
        k += 1;
    }
    out
}

/// Cross-talk between bins over a full sub-block, Q14: `coupling[to][from]` is
/// `D(ω_from − ω_to) / L` with `D(ν) = Σ_{n<L} e^(jνn)`, so a tone sitting on bin `from`
/// (sub-block value `X_from`) adds `coupling[to][from] · X_from` to bin `to`. Subtracting it
/// separates two simultaneous tones that a short sub-block cannot resolve.
pub const fn build_coupling<const BINS: usize>(
    freqs: &[f64],
    sub_block: usize,
) -> [[(i32, i32); BINS]; BINS] {
    let mut out = [[(0, 0); BINS]; BINS];
    let mut to = 0;
    while to < BINS {
        let mut from = 0;
        while from < BINS {
            if from != to {
                let nu = 2.0 * std::f64::consts::PI * (freqs[from] - freqs[to]) / 8000.0;
                let half = nu / 2.0;
                let magnitude = sin(half * sub_block as f64) / sin(half) / sub_block as f64;
                let phase = half * (sub_block as f64 - 1.0);
                out[to][from] = (
                    round(magnitude * cos(phase) * 16384.0) as i32,
                    round(magnitude * sin(phase) * 16384.0) as i32,
                );
            }
            from += 1;
        }
        to += 1;
    }
    out
}

/// A Q14 4×4 matrix turning the observed values of two bins over a full sub-block,
/// `(re a, im a, re b, im b)`, into the two tones' own values (what each would show on its
/// bin alone): the inverse of the linear map from tones to bin values, cross-talk and
/// negative-frequency images included.
pub type PairFit = [[i32; 4]; 4];

/// [`PairFit`]s for every ordered pair of bins of `rows` (`fits[a][b]`; the diagonal is
/// unused and zero). A tone whose own value is `V` is synthesised as
/// `x[n] = 2·(V.re·cos_row[n] + V.im·(−sin)_row[n]) / (L·4096²)`, so the map from tones to
/// bin values is the rows' Gram matrix scaled by `2 / (L·4096²)`.
pub const fn build_pair_fits<const L: usize, const ROWS: usize, const BINS: usize>(
    rows: &[[i16; L]; ROWS],
) -> [[PairFit; BINS]; BINS] {
    let mut fits = [[[[0i32; 4]; 4]; BINS]; BINS];
    let scale = 2.0 / (L as f64 * COEFFICIENT_ONE as f64 * COEFFICIENT_ONE as f64);
    let mut a = 0;
    while a < BINS {
        let mut b = 0;
        while b < BINS {
            if a != b {
                let index = [2 * a, 2 * a + 1, 2 * b, 2 * b + 1];
                let mut gram = [[0.0f64; 4]; 4];
                let mut i = 0;
                while i < 4 {
                    let mut j = 0;
                    while j < 4 {
                        let mut sum = 0i64;
                        let mut n = 0;
                        while n < L {
                            sum += rows[index[i]][n] as i64 * rows[index[j]][n] as i64;
                            n += 1;
                        }
                        gram[i][j] = sum as f64 * scale;
                        j += 1;
                    }
                    i += 1;
                }
                let inverse = invert4(gram);
                let mut i = 0;
                while i < 4 {
                    let mut j = 0;
                    while j < 4 {
                        fits[a][b][i][j] = round(inverse[i][j] * 16384.0) as i32;
                        j += 1;
                    }
                    i += 1;
                }
            }
            b += 1;
        }
        a += 1;
    }
    fits
}

/// Gauss–Jordan inverse with partial pivoting of a well-conditioned 4×4 matrix.
const fn invert4(matrix: [[f64; 4]; 4]) -> [[f64; 4]; 4] {
    let mut m = matrix;
    let mut inv = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]];
    let mut col = 0;
    while col < 4 {
        let mut pivot = col;
        let mut r = col + 1;
        while r < 4 {
            let (x, y) = (m[r][col], m[pivot][col]);
            if (if x < 0.0 { -x } else { x }) > (if y < 0.0 { -y } else { y }) {
                pivot = r;
            }
            r += 1;
        }
        let (row_m, row_i) = (m[pivot], inv[pivot]);
        m[pivot] = m[col];
        inv[pivot] = inv[col];
        m[col] = row_m;
        inv[col] = row_i;
        let p = m[col][col];
        let mut k = 0;
        while k < 4 {
            m[col][k] /= p;
            inv[col][k] /= p;
            k += 1;
        }
        let mut r = 0;
        while r < 4 {
            if r != col {
                let f = m[r][col];
                let mut k = 0;
                while k < 4 {
                    m[r][k] -= f * m[col][k];
                    inv[r][k] -= f * inv[col][k];
                    k += 1;
                }
            }
            r += 1;
        }
        col += 1;
    }
    inv
}

/// Applies a [`PairFit`] to two observed bin values.
#[inline]
pub fn apply_pair_fit(fit: &PairFit, a: Complex, b: Complex) -> [Complex; 2] {
    let x = [a.re, a.im, b.re, b.im];
    let mut v = [0i64; 4];
    for (out, row) in v.iter_mut().zip(fit) {
        let sum: i64 = row.iter().zip(&x).map(|(&m, &x)| i64::from(m) * x).sum();
        *out = (sum + (1 << 13)) >> 14;
    }
    [Complex { re: v[0], im: v[1] }, Complex { re: v[2], im: v[3] }]
}

/// Correlates one sub-block with every row; returns `Σ (x >> 3)²`.
///
/// On x86-64 this is SSE2 `pmaddwd` (part of the baseline, so always present) whenever `L`
/// is a multiple of 8 and `ROWS` of 4; elsewhere a plain loop computes the same integers.
#[inline]
pub fn correlate<const L: usize, const ROWS: usize>(
    rows: &[[i16; L]; ROWS],
    samples: &[i16; L],
    out: &mut [i32; ROWS],
) -> i32 {
    #[cfg(target_arch = "x86_64")]
    if L.is_multiple_of(8) && ROWS.is_multiple_of(4) && L <= 8 * sse2::MAX_CHUNKS {
        // SAFETY: SSE2 is part of the x86-64 baseline, so every x86-64 CPU has it.
        return unsafe { sse2::correlate(rows, samples, out) };
    }
    correlate_scalar(rows, samples, out)
}

/// The reference: what [`correlate`] computes, one product at a time.
pub fn correlate_scalar<const L: usize, const ROWS: usize>(
    rows: &[[i16; L]; ROWS],
    samples: &[i16; L],
    out: &mut [i32; ROWS],
) -> i32 {
    let mut scaled = [0i16; L];
    for (s, &x) in scaled.iter_mut().zip(samples) {
        *s = x >> SAMPLE_SHIFT;
    }
    let mut energy = 0i32;
    for &s in &scaled {
        energy += i32::from(s) * i32::from(s);
    }
    for (row, acc) in rows.iter().zip(out.iter_mut()) {
        let mut sum = 0i32;
        for (&c, &s) in row.iter().zip(&scaled) {
            sum += i32::from(c) * i32::from(s);
        }
        *acc = sum;
    }
    energy
}

#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_cvtsi128_si32, _mm_loadu_si128, _mm_madd_epi16, _mm_setzero_si128,
        _mm_shuffle_epi32, _mm_srai_epi16, _mm_storeu_si128, _mm_unpackhi_epi32, _mm_unpackhi_epi64,
        _mm_unpacklo_epi32, _mm_unpacklo_epi64,
    };

    /// Longest sub-block handled, in 8-sample chunks.
    pub const MAX_CHUNKS: usize = 15;

    /// `pmaddwd` multiplies eight 16-bit pairs and adds neighbours into four 32-bit lanes;
    /// the module-level bounds keep every lane and every total inside `i32`. Callers check
    /// `L % 8 == 0`, `ROWS % 4 == 0` and `L ≤ 8 · MAX_CHUNKS`.
    #[inline]
    #[target_feature(enable = "sse2")]
    pub fn correlate<const L: usize, const ROWS: usize>(
        rows: &[[i16; L]; ROWS],
        samples: &[i16; L],
        out: &mut [i32; ROWS],
    ) -> i32 {
        let chunks = L / 8;
        let mut scaled = [_mm_setzero_si128(); MAX_CHUNKS];
        let mut energy = _mm_setzero_si128();
        for (c, s) in scaled.iter_mut().enumerate().take(chunks) {
            // SAFETY: `c < L / 8`, so the eight samples at `8c` lie inside `samples`;
            // `loadu` has no alignment requirement.
            let raw = unsafe { _mm_loadu_si128(samples.as_ptr().add(8 * c).cast::<__m128i>()) };
            *s = _mm_srai_epi16::<{ super::SAMPLE_SHIFT as i32 }>(raw);
            energy = _mm_add_epi32(energy, _mm_madd_epi16(*s, *s));
        }
        for first in (0..ROWS).step_by(4) {
            let mut acc = [_mm_setzero_si128(); 4];
            for (k, lanes) in acc.iter_mut().enumerate() {
                let row = &rows[first + k];
                for (c, s) in scaled.iter().enumerate().take(chunks) {
                    // SAFETY: as above, the eight coefficients at `8c` lie inside `row`.
                    let coefficients = unsafe { _mm_loadu_si128(row.as_ptr().add(8 * c).cast::<__m128i>()) };
                    *lanes = _mm_add_epi32(*lanes, _mm_madd_epi16(coefficients, *s));
                }
            }
            // Transpose-and-add: four vectors of four lanes into the four row sums.
            let ab_lo = _mm_unpacklo_epi32(acc[0], acc[1]);
            let ab_hi = _mm_unpackhi_epi32(acc[0], acc[1]);
            let cd_lo = _mm_unpacklo_epi32(acc[2], acc[3]);
            let cd_hi = _mm_unpackhi_epi32(acc[2], acc[3]);
            let ab = _mm_add_epi32(ab_lo, ab_hi);
            let cd = _mm_add_epi32(cd_lo, cd_hi);
            let sums = _mm_add_epi32(_mm_unpacklo_epi64(ab, cd), _mm_unpackhi_epi64(ab, cd));
            // SAFETY: `first + 4 ≤ ROWS` (ROWS is a multiple of 4), so the four lanes fit in `out`.
            unsafe { _mm_storeu_si128(out.as_mut_ptr().add(first).cast::<__m128i>(), sums) };
        }
        let pairs = _mm_add_epi32(energy, _mm_shuffle_epi32::<0b01_00_11_10>(energy));
        let total = _mm_add_epi32(pairs, _mm_shuffle_epi32::<0b10_11_00_01>(pairs));
        _mm_cvtsi128_si32(total)
    }
}

/// A complex value in `i64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Complex {
    /// Real part.
    pub re: i64,
    /// Imaginary part.
    pub im: i64,
}

impl Complex {
    /// From a row pair of [`correlate`]'s output.
    #[inline]
    pub fn from_pair(re: i32, im: i32) -> Self {
        Self { re: i64::from(re), im: i64::from(im) }
    }

    /// `self · rotation` with a Q14 rotation, rounded.
    #[inline]
    pub fn rotate(self, (c, s): (i32, i32)) -> Self {
        let (c, s) = (i64::from(c), i64::from(s));
        Self {
            re: (self.re * c - self.im * s + (1 << 13)) >> 14,
            im: (self.re * s + self.im * c + (1 << 13)) >> 14,
        }
    }

    /// `|self|²`, saturating at `i64::MAX` (detector values stay far below it; the saturation
    /// only keeps pathological input from overflowing).
    #[inline]
    pub fn norm_sqr(self) -> i64 {
        let (re, im) = (i128::from(self.re), i128::from(self.im));
        (re * re + im * im).min(i128::from(i64::MAX)) as i64
    }
}

impl std::ops::Add for Complex {
    type Output = Self;

    #[inline]
    fn add(self, other: Self) -> Self {
        Self { re: self.re + other.re, im: self.im + other.im }
    }
}

impl std::ops::Sub for Complex {
    type Output = Self;

    #[inline]
    fn sub(self, other: Self) -> Self {
        Self { re: self.re - other.re, im: self.im - other.im }
    }
}

/// Whether the phase step from `previous` to `current`, less the bin's own step `rotation`,
/// lies within ±θ where `(sin θ, cos θ) = sector` (Q14, 0 < θ < π). Exact integer test, no
/// division or square root: `sin θ · Re(z) ≥ cos θ · |Im(z)|` with `z = current · conj(previous) ·
/// rotation`.
#[inline]
pub fn phase_step_within(
    current: Complex,
    previous: Complex,
    rotation: (i32, i32),
    sector: (i32, i32),
) -> bool {
    let (cr, ci, pr, pi) =
        (i128::from(current.re), i128::from(current.im), i128::from(previous.re), i128::from(previous.im));
    // current · conj(previous)
    let zr = cr * pr + ci * pi;
    let zi = ci * pr - cr * pi;
    let (c, s) = (i128::from(rotation.0), i128::from(rotation.1));
    let rr = zr * c - zi * s;
    let ri = zr * s + zi * c;
    i128::from(sector.0) * rr >= i128::from(sector.1) * ri.abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FREQS: [f64; 2] = [1000.0, 1633.0];
    static ROWS: [[i16; 48]; 4] = build_rows::<48, 4>(&FREQS);

    fn sine(freq: f64, amplitude: f64, start: usize, n: usize) -> Vec<i16> {
        (start..start + n)
            .map(|i| {
                (amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).cos()).round() as i16
            })
            .collect()
    }

    #[test]
    fn correlation_of_a_bin_tone_is_half_n_times_amplitude() {
        let x = sine(1000.0, 8000.0, 0, 48);
        let block: [i16; 48] = x.try_into().unwrap();
        let mut out = [0i32; 4];
        let energy = correlate(&ROWS, &block, &mut out);
        // 24 · (8000 >> 3) · 4096 = 98 304 000, phase 0: all in the real part.
        assert!((f64::from(out[0]) / 98_304_000.0 - 1.0).abs() < 2e-3, "{}", out[0]);
        assert!(f64::from(out[1]).abs() < 2e5);
        assert!((f64::from(energy) / (48.0 * 1000.0 * 1000.0 / 2.0) - 1.0).abs() < 1e-2);
    }

    #[test]
    fn vector_kernel_equals_the_scalar_reference() {
        static DTMF_LIKE: [[i16; 48]; 16] =
            build_rows::<48, 16>(&[697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0]);
        let mut state = 12345u32;
        for round in 0..200 {
            let mut block = [0i16; 48];
            for x in &mut block {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                *x = if round % 10 == 0 {
                    [i16::MIN, i16::MAX][(state >> 31) as usize]
                } else {
                    (state >> 16) as i16
                };
            }
            let (mut fast, mut slow) = ([0i32; 16], [0i32; 16]);
            let e1 = correlate(&DTMF_LIKE, &block, &mut fast);
            let e2 = correlate_scalar(&DTMF_LIKE, &block, &mut slow);
            assert_eq!((e1, fast), (e2, slow));
        }
    }

    #[test]
    fn full_scale_input_cannot_overflow() {
        let block = [i16::MIN; 48];
        let rows = [[-4096i16; 48]; 2];
        let mut out = [0i32; 2];
        let energy = correlate(&rows, &block, &mut out);
        assert_eq!(out[0], 48 * 4096 * 4096);
        assert_eq!(energy, 48 * 4096 * 4096);
    }

    #[test]
    fn rotation_moves_the_reference_back_one_sub_block() {
        // The DFT of sub-block 1 rotated by e^(−jωL) must equal the DFT over samples 48..96
        // referenced to sample 0, i.e. continue the phase of sub-block 0.
        let rotations = build_rotations::<2>(&FREQS, 48);
        let x = sine(1633.0, 8000.0, 0, 96);
        let mut first = [0i32; 4];
        let mut second = [0i32; 4];
        correlate(&ROWS, &x[..48].try_into().unwrap(), &mut first);
        correlate(&ROWS, &x[48..].try_into().unwrap(), &mut second);
        let a = Complex::from_pair(first[2], first[3]);
        let b = Complex::from_pair(second[2], second[3]).rotate(rotations[1]);
        // Same tone on the bin: the two halves add coherently.
        let sum = (a + b).norm_sqr() as f64;
        let separate = (a.norm_sqr() as f64).sqrt() + (b.norm_sqr() as f64).sqrt();
        assert!((sum.sqrt() / separate - 1.0).abs() < 1e-3);
    }

    #[test]
    fn coupling_predicts_the_leak_of_one_tone_into_another_bin() {
        // 941 and 1209 Hz are 1.6 bins apart in 48 samples: a strong leak.
        const PAIR: [f64; 2] = [941.0, 1209.0];
        static PAIR_ROWS: [[i16; 48]; 4] = build_rows::<48, 4>(&PAIR);
        let coupling = build_coupling::<2>(&PAIR, 48);
        let x = sine(1209.0, 8000.0, 0, 48);
        let mut out = [0i32; 4];
        correlate(&PAIR_ROWS, &x.try_into().unwrap(), &mut out);
        let on_bin = Complex::from_pair(out[2], out[3]);
        let leak = Complex::from_pair(out[0], out[1]);
        let predicted = on_bin.rotate(coupling[0][1]);
        // The negative-frequency images are not modelled: agreement within 3 % of the bin.
        let error = ((leak - predicted).norm_sqr() as f64).sqrt() / (on_bin.norm_sqr() as f64).sqrt();
        assert!(error < 0.03, "error {error}");
        assert!((leak.norm_sqr() as f64).sqrt() / (on_bin.norm_sqr() as f64).sqrt() > 0.1, "a real leak");
    }

    #[test]
    fn pair_fit_recovers_each_tone_from_a_mixture() {
        const PAIR: [f64; 2] = [941.0, 1209.0];
        static PAIR_ROWS: [[i16; 48]; 4] = build_rows::<48, 4>(&PAIR);
        static FITS: [[PairFit; 2]; 2] = build_pair_fits::<48, 4, 2>(&PAIR_ROWS);
        let low = sine(941.0, 6000.0, 0, 48);
        let high = sine(1209.0, 3000.0, 0, 48);
        let mixed: Vec<i16> = low.iter().zip(&high).map(|(a, b)| a + b).collect();
        let value = |x: &[i16]| {
            let mut out = [0i32; 4];
            correlate(&PAIR_ROWS, &x.try_into().unwrap(), &mut out);
            [Complex::from_pair(out[0], out[1]), Complex::from_pair(out[2], out[3])]
        };
        let alone_low = value(&low)[0];
        let alone_high = value(&high)[1];
        let both = value(&mixed);
        // Alone, each tone still carries its own negative-frequency image; the fit removes
        // that too, so compare with the ideal (N/2)·A·4096 at the tone's phase.
        let [fit_low, fit_high] = apply_pair_fit(&FITS[0][1], both[0], both[1]);
        for (fit, amplitude, alone) in [(fit_low, 6000.0, alone_low), (fit_high, 3000.0, alone_high)] {
            let ideal = 24.0 * amplitude / 8.0 * 4096.0;
            let got = (fit.norm_sqr() as f64).sqrt();
            assert!((got / ideal - 1.0).abs() < 0.01, "fit {got} ideal {ideal}");
            let raw = (alone.norm_sqr() as f64).sqrt();
            assert!((raw / ideal - 1.0).abs() < 0.1, "a single tone is near its ideal value too");
        }
    }

    #[test]
    fn sector_test_accepts_inside_and_rejects_outside() {
        let rotation = (16384, 0);
        let sector = build_sectors::<1>(&[20.0], 48)[0]; // θ = 0.754 rad
        let unit = Complex { re: 1 << 20, im: 0 };
        for (angle, inside) in
            [(0.0, true), (0.7, true), (-0.7, true), (0.8, false), (-0.8, false), (3.0, false)]
        {
            let z = Complex {
                re: (f64::from(1 << 20) * f64::cos(angle)) as i64,
                im: (f64::from(1 << 20) * f64::sin(angle)) as i64,
            };
            assert_eq!(phase_step_within(z, unit, rotation, sector), inside, "angle {angle}");
        }
        // A sector wider than a half plane (θ > π/2) still works.
        let wide = build_sectors::<1>(&[60.0], 48)[0]; // θ = 2.26 rad
        for (angle, inside) in [(2.0, true), (-2.2, true), (2.4, false), (std::f64::consts::PI, false)] {
            let z = Complex {
                re: (f64::from(1 << 20) * f64::cos(angle)) as i64,
                im: (f64::from(1 << 20) * f64::sin(angle)) as i64,
            };
            assert_eq!(phase_step_within(z, unit, rotation, wide), inside, "angle {angle}");
        }
    }
}
