//! Timer definitions: each timer's standard name, default, permitted range and meaning, plus
//! the durations in force, which configuration may override within the range.
//!
//! A protocol crate declares one `static` table of [`TimerDef`] per timer enum, in index order;
//! an engine holds a [`TimerDefs`] built from it and reads durations from there when it starts
//! a timer. A CLI can print the same table (`name`, default, current value, limits, meaning).

use crate::timer::TimerKind;
use core::fmt;
use core::time::Duration;

/// One timer as the standard defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerDef<T> {
    /// The timer this row describes.
    pub timer: T,
    /// Standard name (`"T303"`, `"T200"`).
    pub name: &'static str,
    /// The standard's default.
    pub default: Duration,
    /// Shortest value configuration may set.
    pub min: Duration,
    /// Longest value configuration may set.
    pub max: Duration,
    /// One line: when it starts and what its expiry does.
    pub meaning: &'static str,
}

/// Why an override was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TdefError<'a> {
    /// No timer has this name.
    UnknownName(&'a str),
    /// The value lies outside the timer's `min ..= max`.
    OutOfRange { name: &'static str, value: Duration, min: Duration, max: Duration },
}

impl fmt::Display for TdefError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TdefError::UnknownName(name) => write!(f, "no timer is named {name:?}"),
            TdefError::OutOfRange { name, value, min, max } => {
                write!(f, "{name} = {value:?} is outside {min:?} ..= {max:?}")
            }
        }
    }
}

impl core::error::Error for TdefError<'_> {}

/// The durations in force for the timers `T` (`N` = `T::ALL.len()`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimerDefs<T: 'static, const N: usize> {
    defs: &'static [TimerDef<T>; N],
    values: [Duration; N],
}

impl<T: TimerKind, const N: usize> TimerDefs<T, N> {
    /// Every timer at its default. `defs[i]` must describe the timer of index `i`
    /// ([`TimerDefs::is_in_index_order`] checks it; a crate's tests should call it).
    pub fn new(defs: &'static [TimerDef<T>; N]) -> Self {
        let mut values = [Duration::ZERO; N];
        for (value, def) in values.iter_mut().zip(defs.iter()) {
            *value = def.default;
        }
        TimerDefs { defs, values }
    }

    /// Whether row `i` of the table describes the timer with index `i`, for every row, and
    /// every default lies within its limits.
    pub fn is_in_index_order(&self) -> bool {
        N == T::ALL.len()
            && self
                .defs
                .iter()
                .enumerate()
                .all(|(i, def)| def.timer.index() == i && def.min <= def.default && def.default <= def.max)
    }

    /// The duration in force for `timer`.
    pub fn get(&self, timer: T) -> Duration {
        self.values.get(timer.index()).copied().unwrap_or(Duration::ZERO)
    }

    /// The definition of `timer`.
    pub fn def(&self, timer: T) -> Option<&'static TimerDef<T>> {
        let defs: &'static [TimerDef<T>; N] = self.defs;
        defs.get(timer.index())
    }

    /// Overrides `timer` with `value`, if it lies within the timer's limits.
    pub fn set(&mut self, timer: T, value: Duration) -> Result<(), TdefError<'static>> {
        let index = timer.index();
        let (Some(def), Some(slot)) = (self.defs.get(index), self.values.get_mut(index)) else {
            return Ok(());
        };
        if value < def.min || value > def.max {
            return Err(TdefError::OutOfRange { name: def.name, value, min: def.min, max: def.max });
        }
        *slot = value;
        Ok(())
    }

    /// Overrides the timer named `name` (ASCII case ignored), as configuration files spell it.
    pub fn set_by_name<'a>(&mut self, name: &'a str, value: Duration) -> Result<(), TdefError<'a>> {
        let Some(def) = self.defs.iter().find(|def| def.name.eq_ignore_ascii_case(name)) else {
            return Err(TdefError::UnknownName(name));
        };
        self.set(def.timer, value).map_err(|error| match error {
            TdefError::OutOfRange { name, value, min, max } => {
                TdefError::OutOfRange { name, value, min, max }
            }
            TdefError::UnknownName(_) => TdefError::UnknownName(name),
        })
    }

    /// Puts every timer back to its default.
    pub fn reset(&mut self) {
        for (value, def) in self.values.iter_mut().zip(self.defs.iter()) {
            *value = def.default;
        }
    }

    /// Every definition with the duration in force, in index order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static TimerDef<T>, Duration)> + '_ {
        let defs: &'static [TimerDef<T>; N] = self.defs;
        defs.iter().zip(self.values.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Timer {
        T200,
        T203,
    }

    impl TimerKind for Timer {
        const ALL: &'static [Self] = &[Timer::T200, Timer::T203];
        fn index(self) -> usize {
            self as usize
        }
    }

    static DEFS: [TimerDef<Timer>; 2] = [
        TimerDef {
            timer: Timer::T200,
            name: "T200",
            default: Duration::from_secs(1),
            min: Duration::from_millis(100),
            max: Duration::from_secs(10),
            meaning: "retransmission",
        },
        TimerDef {
            timer: Timer::T203,
            name: "T203",
            default: Duration::from_secs(10),
            min: Duration::from_secs(1),
            max: Duration::from_secs(300),
            meaning: "idle supervision",
        },
    ];

    static MISORDERED: [TimerDef<Timer>; 2] = [DEFS[1], DEFS[0]];

    #[test]
    fn a_new_table_holds_the_defaults() {
        let defs = TimerDefs::new(&DEFS);
        assert!(defs.is_in_index_order());
        assert_eq!(defs.get(Timer::T200), Duration::from_secs(1));
        assert_eq!(defs.get(Timer::T203), Duration::from_secs(10));
        assert_eq!(defs.def(Timer::T203).map(|d| d.name), Some("T203"));
    }

    #[test]
    fn a_misordered_table_is_detected() {
        assert!(!TimerDefs::new(&MISORDERED).is_in_index_order());
    }

    #[test]
    fn overrides_within_the_limits_are_taken_including_the_limits_themselves() {
        let mut defs = TimerDefs::new(&DEFS);
        assert_eq!(defs.set(Timer::T200, Duration::from_millis(100)), Ok(()));
        assert_eq!(defs.get(Timer::T200), Duration::from_millis(100));
        assert_eq!(defs.set(Timer::T200, Duration::from_secs(10)), Ok(()));
        assert_eq!(defs.get(Timer::T200), Duration::from_secs(10));
        defs.reset();
        assert_eq!(defs.get(Timer::T200), Duration::from_secs(1));
    }

    #[test]
    fn overrides_just_outside_the_limits_are_refused_and_change_nothing() {
        let mut defs = TimerDefs::new(&DEFS);
        assert_eq!(
            defs.set(Timer::T200, Duration::from_millis(99)),
            Err(TdefError::OutOfRange {
                name: "T200",
                value: Duration::from_millis(99),
                min: Duration::from_millis(100),
                max: Duration::from_secs(10),
            })
        );
        assert!(defs.set(Timer::T200, Duration::from_millis(10_001)).is_err());
        assert_eq!(defs.get(Timer::T200), Duration::from_secs(1));
    }

    #[test]
    fn overrides_by_name_ignore_case_and_report_unknown_names() {
        let mut defs = TimerDefs::new(&DEFS);
        assert_eq!(defs.set_by_name("t203", Duration::from_secs(30)), Ok(()));
        assert_eq!(defs.get(Timer::T203), Duration::from_secs(30));
        assert_eq!(defs.set_by_name("T999", Duration::from_secs(1)), Err(TdefError::UnknownName("T999")));
        assert_eq!(format!("{}", TdefError::UnknownName("T999")), "no timer is named \"T999\"");
    }

    #[test]
    fn iter_lists_definitions_with_values_in_index_order() {
        let mut defs = TimerDefs::new(&DEFS);
        defs.set(Timer::T203, Duration::from_secs(20)).unwrap();
        let rows: Vec<_> = defs.iter().map(|(def, value)| (def.name, value)).collect();
        assert_eq!(rows, vec![("T200", Duration::from_secs(1)), ("T203", Duration::from_secs(20))]);
    }
}
