//! Virtual time.
//!
//! An [`Instant`] counts microseconds from an origin the driver chooses (usually the moment the
//! system started). Microseconds, not milliseconds: one E1 frame lasts 125 µs and the board's
//! 1 ms blocks carry 8 frames, so a driver can stamp an event with the frame it arrived in
//! without rounding; `u64` microseconds still last 584 000 years. Protocol timers are whole
//! milliseconds or seconds and lose nothing.
//!
//! Arithmetic saturates instead of wrapping or panicking: a deadline computed past the end of
//! time stays at the end of time, and an instant minus a longer duration is the origin.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};
use core::time::Duration;

/// A point in virtual time, in microseconds since the driver's origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The origin.
    pub const ZERO: Instant = Instant(0);
    /// The latest representable instant, a deadline that never comes.
    pub const MAX: Instant = Instant(u64::MAX);

    /// The instant `micros` microseconds after the origin.
    pub const fn from_micros(micros: u64) -> Self {
        Instant(micros)
    }

    /// The instant `millis` milliseconds after the origin (saturating).
    pub const fn from_millis(millis: u64) -> Self {
        Instant(millis.saturating_mul(1000))
    }

    /// The instant `secs` seconds after the origin (saturating).
    pub const fn from_secs(secs: u64) -> Self {
        Instant(secs.saturating_mul(1_000_000))
    }

    /// Microseconds since the origin.
    pub const fn as_micros(self) -> u64 {
        self.0
    }

    /// Whole milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0 / 1000
    }

    /// Time from `earlier` to `self`, or zero when `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_micros(self.0.saturating_sub(earlier.0))
    }

    /// `self + duration`, or `None` past [`Instant::MAX`].
    pub fn checked_add(self, duration: Duration) -> Option<Instant> {
        let micros = u64::try_from(duration.as_micros()).ok()?;
        self.0.checked_add(micros).map(Instant)
    }

    /// `self - duration`, or `None` before the origin.
    pub fn checked_sub(self, duration: Duration) -> Option<Instant> {
        let micros = u64::try_from(duration.as_micros()).ok()?;
        self.0.checked_sub(micros).map(Instant)
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;

    /// Saturates at [`Instant::MAX`]. Sub-microsecond parts of `rhs` are dropped.
    fn add(self, rhs: Duration) -> Instant {
        self.checked_add(rhs).unwrap_or(Instant::MAX)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;

    /// Saturates at [`Instant::ZERO`].
    fn sub(self, rhs: Duration) -> Instant {
        self.checked_sub(rhs).unwrap_or(Instant::ZERO)
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;

    /// Saturates at zero, like [`Instant::saturating_duration_since`].
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_duration_since(rhs)
    }
}

impl fmt::Display for Instant {
    /// Seconds with microsecond precision, as a trace prints them: `12.000125`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constructors_agree_on_units() {
        assert_eq!(Instant::from_secs(2).as_micros(), 2_000_000);
        assert_eq!(Instant::from_millis(3).as_micros(), 3_000);
        assert_eq!(Instant::from_micros(125).as_millis(), 0);
        assert_eq!(Instant::from_micros(1_999).as_millis(), 1);
        assert_eq!(Instant::from_secs(u64::MAX), Instant::MAX);
    }

    #[test]
    fn adding_a_duration_moves_forward_and_saturates() {
        let start = Instant::from_millis(10);
        assert_eq!(start + Duration::from_millis(5), Instant::from_millis(15));
        assert_eq!(start + Duration::from_nanos(999), start);
        assert_eq!(Instant::from_micros(u64::MAX - 1) + Duration::from_micros(5), Instant::MAX);
        assert_eq!(start + Duration::MAX, Instant::MAX);
        assert_eq!(start.checked_add(Duration::MAX), None);
        let mut moving = start;
        moving += Duration::from_micros(125);
        assert_eq!(moving.as_micros(), 10_125);
    }

    #[test]
    fn subtraction_saturates_at_the_origin() {
        let t = Instant::from_millis(10);
        assert_eq!(t - Duration::from_millis(4), Instant::from_millis(6));
        assert_eq!(t - Duration::from_secs(1), Instant::ZERO);
        assert_eq!(t.checked_sub(Duration::from_micros(10_001)), None);
        assert_eq!(t - Instant::from_millis(4), Duration::from_millis(6));
        assert_eq!(Instant::from_millis(4) - t, Duration::ZERO);
    }

    #[test]
    fn display_prints_seconds_and_microseconds() {
        assert_eq!(format!("{}", Instant::from_micros(12_000_125)), "12.000125");
        assert_eq!(format!("{}", Instant::ZERO), "0.000000");
    }
}
