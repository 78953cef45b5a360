//! Levels in dBm0 on the crate's 16-bit linear scale.
//!
//! The reference is G.711's: the A-law coder's theoretical overload point (the decision value
//! 4096 on the 13-bit scale, 32768 on the 16-bit scale of [`crate::g711`]) is the peak of a
//! sine at +3.14 dBm0. A 0 dBm0 sine therefore has
//!
//! - peak amplitude 32768 · 10^(−3.14/20) = 22 827.06, and
//! - RMS 16 141.17, i.e. a mean square of 2.6054 · 10⁸.
//!
//! G.711's A-law digital milliwatt (Table 5) decodes to ±8960, ±20992: RMS 16 139.17, the same
//! level within 0.0011 dB. µ-law's reference (+3.17 dBm0 at its overload 8159 × 4 = 32636)
//! puts 0 dBm0 at RMS 16 021, 0.065 dB lower; this crate uses the A-law figure for both laws,
//! which is inside every tolerance the detectors work to.
//!
//! Conversions use floating point; they are meant for constructors, which turn levels into
//! integer thresholds once.

/// Peak of a sine at the A-law overload point, in 16-bit linear units.
pub const ALAW_OVERLOAD_PEAK: f64 = 32768.0;
/// Level of a sine whose peak is the A-law overload point (G.711: +3.14 dBm0).
#[allow(clippy::approx_constant, reason = "G.711's +3.14 dBm0, not π")]
pub const ALAW_OVERLOAD_DBM0: f64 = 3.14;

/// Peak amplitude of a 0 dBm0 sine in 16-bit linear units.
pub fn dbm0_sine_peak_reference() -> f64 {
    ALAW_OVERLOAD_PEAK * 10f64.powf(-ALAW_OVERLOAD_DBM0 / 20.0)
}

/// Peak amplitude of a sine at `dbm0`.
pub fn dbm0_to_peak(dbm0: f64) -> f64 {
    dbm0_sine_peak_reference() * 10f64.powf(dbm0 / 20.0)
}

/// RMS of any signal at `dbm0`.
pub fn dbm0_to_rms(dbm0: f64) -> f64 {
    dbm0_to_peak(dbm0) / std::f64::consts::SQRT_2
}

/// Mean square (average of x²) of any signal at `dbm0`.
pub fn dbm0_to_mean_square(dbm0: f64) -> f64 {
    let rms = dbm0_to_rms(dbm0);
    rms * rms
}

/// Level in dBm0 of a signal with mean square `mean_square`; −∞ for silence.
pub fn mean_square_to_dbm0(mean_square: f64) -> f64 {
    10.0 * (mean_square / dbm0_to_mean_square(0.0)).log10()
}

/// Level in dBm0 of a block of samples (its mean square); −∞ for an empty or silent block.
pub fn block_dbm0(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return f64::NEG_INFINITY;
    }
    let sum: f64 = samples.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
    mean_square_to_dbm0(sum / samples.len() as f64)
}

/// Linear amplitude ratio for a level difference in dB.
pub fn db_to_amplitude_ratio(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Power ratio for a level difference in dB.
pub fn db_to_power_ratio(db: f64) -> f64 {
    10f64.powf(db / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::g711::alaw_to_linear;

    #[test]
    fn zero_dbm0_reference_figures() {
        assert!((dbm0_sine_peak_reference() - 22827.06).abs() < 0.01);
        assert!((dbm0_to_rms(0.0) - 16141.17).abs() < 0.01);
        assert!((dbm0_to_peak(ALAW_OVERLOAD_DBM0) - 32768.0).abs() < 1e-6);
        assert!((dbm0_to_peak(-20.0) - 2282.706).abs() < 0.001);
    }

    #[test]
    fn digital_milliwatt_is_zero_dbm0() {
        let dmw: Vec<i16> =
            [0x34u8, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4].iter().map(|&c| alaw_to_linear(c)).collect();
        let level = block_dbm0(&dmw);
        assert!(level.abs() < 0.0015, "A-law digital milliwatt measured {level} dBm0");
    }

    #[test]
    fn mean_square_round_trip() {
        for dbm0 in [-60.0, -42.0, -10.0, 0.0, 3.0] {
            assert!((mean_square_to_dbm0(dbm0_to_mean_square(dbm0)) - dbm0).abs() < 1e-9);
        }
        assert_eq!(block_dbm0(&[]), f64::NEG_INFINITY);
        assert_eq!(block_dbm0(&[0, 0]), f64::NEG_INFINITY);
    }
}
