//! Compile-time sine and cosine: a Q15 sine table for oscillators and `const fn` helpers that
//! build detector coefficient tables without floating point at run time.
//!
//! `const fn` may use `f64` arithmetic but not `f64::sin`, so [`sin`] evaluates a Taylor series
//! after reducing the argument to [−π/4, π/4] (error below 10⁻¹⁵ there).

use std::f64::consts::{FRAC_PI_2, PI};

/// Entries in one period of [`SINE_Q15`]; a power of two so a phase word indexes it by shifts.
pub const SINE_TABLE_LEN: usize = 1024;

const fn taylor_sin(x: f64) -> f64 {
    // |x| ≤ π/4: terms to x¹⁷ leave an error below 10⁻¹⁸.
    let x2 = x * x;
    let mut term = x;
    let mut sum = x;
    let mut k = 1;
    while k <= 8 {
        term = -term * x2 / (((2 * k) * (2 * k + 1)) as f64);
        sum += term;
        k += 1;
    }
    sum
}

const fn taylor_cos(x: f64) -> f64 {
    let x2 = x * x;
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut k = 1;
    while k <= 8 {
        term = -term * x2 / (((2 * k - 1) * (2 * k)) as f64);
        sum += term;
        k += 1;
    }
    sum
}

/// sin(x) for any finite x, usable in `const` context.
pub const fn sin(x: f64) -> f64 {
    // Reduce to [0, 2π), then to a quadrant and an offset within ±π/4 of its centre.
    let turns = x / (2.0 * PI);
    let whole = turns as i64 as f64 - if turns < 0.0 { 1.0 } else { 0.0 };
    let r = x - whole * 2.0 * PI; // 0 ≤ r < 2π (up to rounding)
    let quadrant = (r / FRAC_PI_2 + 0.5) as i64; // nearest multiple of π/2
    let offset = r - quadrant as f64 * FRAC_PI_2; // |offset| ≤ π/4
    match quadrant & 3 {
        0 => taylor_sin(offset),
        1 => taylor_cos(offset),
        2 => -taylor_sin(offset),
        _ => -taylor_cos(offset),
    }
}

/// cos(x) for any finite x, usable in `const` context.
pub const fn cos(x: f64) -> f64 {
    sin(x + FRAC_PI_2)
}

/// Rounds to the nearest integer, halves away from zero (`f64::round` is not `const`).
pub const fn round(x: f64) -> i64 {
    if x >= 0.0 { (x + 0.5) as i64 } else { (x - 0.5) as i64 }
}

const fn build_sine_table() -> [i16; SINE_TABLE_LEN + 1] {
    let mut table = [0i16; SINE_TABLE_LEN + 1];
    let mut i = 0;
    while i <= SINE_TABLE_LEN {
        table[i] = round(32767.0 * sin(2.0 * PI * i as f64 / SINE_TABLE_LEN as f64)) as i16;
        i += 1;
    }
    table
}

/// One period of sin in Q15 (amplitude 32767), with the first entry repeated at the end so
/// that linear interpolation never wraps.
pub static SINE_Q15: [i16; SINE_TABLE_LEN + 1] = build_sine_table();

/// Q15 sine of a 32-bit phase word (2³² = one turn), linearly interpolated; error below
/// 2 LSB of Q15 (−84 dB).
#[inline]
pub fn sine_of_phase(phase: u32) -> i32 {
    let index = (phase >> 22) as usize; // top 10 bits
    let fraction = ((phase >> 7) & 0x7FFF) as i32; // next 15 bits
    let a = i32::from(SINE_Q15[index]);
    let b = i32::from(SINE_Q15[index + 1]);
    a + (((b - a) * fraction + (1 << 14)) >> 15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn const_sin_matches_libm() {
        let mut x = -20.0;
        while x < 20.0 {
            assert!((sin(x) - x.sin()).abs() < 1e-12, "sin({x})");
            assert!((cos(x) - x.cos()).abs() < 1e-12, "cos({x})");
            x += 0.0137;
        }
        assert_eq!(round(2.5), 3);
        assert_eq!(round(-2.5), -3);
        assert_eq!(round(-0.4), 0);
    }

    #[test]
    fn table_and_interpolation() {
        assert_eq!(SINE_Q15[0], 0);
        assert_eq!(SINE_Q15[256], 32767);
        assert_eq!(SINE_Q15[768], -32767);
        assert_eq!(SINE_Q15[1024], 0);
        let mut worst = 0.0f64;
        for k in 0..100_000u64 {
            let phase = (k.wrapping_mul(2_654_435_761) & 0xFFFF_FFFF) as u32;
            let exact = 32767.0 * (2.0 * PI * f64::from(phase) / 4_294_967_296.0).sin();
            worst = worst.max((f64::from(sine_of_phase(phase)) - exact).abs());
        }
        assert!(worst < 2.0, "worst interpolation error {worst}");
    }
}
