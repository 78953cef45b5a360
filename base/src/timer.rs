//! The running timers of one protocol engine.
//!
//! A timer is a deadline in a slot of a fixed array indexed by the engine's timer enum, not a
//! thread or a callback. The engine sets and stops deadlines as the protocol says; its driver
//! asks for [`TimerTable::next_deadline`], sleeps (or jumps virtual time) until then, and hands
//! `now` back to the engine, which takes the expired timers out one by one with
//! [`TimerTable::pop_expired`], earliest first.

use crate::time::Instant;
use core::fmt;
use core::time::Duration;

/// An engine's timer enum: a small set of timers, each with a fixed index.
///
/// `ALL[i].index() == i` must hold for every `i`; [`TimerTable::new`] relies on it.
pub trait TimerKind: Copy + Eq + fmt::Debug + 'static {
    /// Every timer, in index order.
    const ALL: &'static [Self];
    /// This timer's slot, `0 .. ALL.len()`.
    fn index(self) -> usize;
}

/// Deadlines of the timers `T`, one optional [`Instant`] per timer. `N` is `T::ALL.len()`
/// (checked when the table is built).
#[derive(Clone, PartialEq, Eq)]
pub struct TimerTable<T: TimerKind, const N: usize> {
    deadlines: [Option<Instant>; N],
    _kind: core::marker::PhantomData<T>,
}

impl<T: TimerKind, const N: usize> Default for TimerTable<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: TimerKind, const N: usize> TimerTable<T, N> {
    /// A table with no timer running.
    pub const fn new() -> Self {
        const { assert!(N == T::ALL.len(), "TimerTable size differs from the number of timers") };
        TimerTable { deadlines: [None; N], _kind: core::marker::PhantomData }
    }

    /// Starts (or restarts) `timer` to expire at `deadline`.
    pub fn set(&mut self, timer: T, deadline: Instant) {
        if let Some(slot) = self.deadlines.get_mut(timer.index()) {
            *slot = Some(deadline);
        }
    }

    /// Starts (or restarts) `timer` to expire `duration` after `now`.
    pub fn start(&mut self, timer: T, now: Instant, duration: Duration) {
        self.set(timer, now + duration);
    }

    /// Stops `timer`; nothing happens if it was not running.
    pub fn stop(&mut self, timer: T) {
        if let Some(slot) = self.deadlines.get_mut(timer.index()) {
            *slot = None;
        }
    }

    /// Stops every timer.
    pub fn stop_all(&mut self) {
        self.deadlines = [None; N];
    }

    /// `timer`'s deadline, if it runs.
    pub fn get(&self, timer: T) -> Option<Instant> {
        self.deadlines.get(timer.index()).copied().flatten()
    }

    /// Whether `timer` runs.
    pub fn is_running(&self, timer: T) -> bool {
        self.get(timer).is_some()
    }

    /// The earliest deadline of all running timers.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// The running timers whose deadline is at or before `now`, in index order, left running.
    pub fn expired(&self, now: Instant) -> impl Iterator<Item = T> + '_ {
        T::ALL.iter().copied().filter(move |timer| self.get(*timer).is_some_and(|deadline| deadline <= now))
    }

    /// Stops and returns the expired timer with the earliest deadline (the lowest index among
    /// equal deadlines), or `None` when no timer has expired at `now`.
    pub fn pop_expired(&mut self, now: Instant) -> Option<T> {
        let mut earliest: Option<(Instant, T)> = None;
        for timer in T::ALL.iter().copied() {
            if let Some(deadline) = self.get(timer)
                && deadline <= now
                && earliest.is_none_or(|(best, _)| deadline < best)
            {
                earliest = Some((deadline, timer));
            }
        }
        let (_, timer) = earliest?;
        self.stop(timer);
        Some(timer)
    }
}

impl<T: TimerKind, const N: usize> fmt::Debug for TimerTable<T, N> {
    /// Only the running timers: `{T200: 1.000000, T203: 10.000000}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for timer in T::ALL.iter().copied() {
            if let Some(deadline) = self.get(timer) {
                map.entry(&timer, &format_args!("{deadline}"));
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Timer {
        T200,
        T203,
        Retry,
    }

    impl TimerKind for Timer {
        const ALL: &'static [Self] = &[Timer::T200, Timer::T203, Timer::Retry];
        fn index(self) -> usize {
            self as usize
        }
    }

    type Table = TimerTable<Timer, 3>;

    #[test]
    fn an_empty_table_has_no_deadline_and_nothing_expired() {
        let table = Table::new();
        assert_eq!(table.next_deadline(), None);
        assert_eq!(table.expired(Instant::MAX).count(), 0);
        assert!(!table.is_running(Timer::T200));
    }

    #[test]
    fn next_deadline_is_the_minimum_of_the_running_timers() {
        let mut table = Table::new();
        table.start(Timer::T203, Instant::ZERO, Duration::from_secs(10));
        table.start(Timer::T200, Instant::ZERO, Duration::from_secs(1));
        assert_eq!(table.next_deadline(), Some(Instant::from_secs(1)));
        table.stop(Timer::T200);
        assert_eq!(table.next_deadline(), Some(Instant::from_secs(10)));
        assert_eq!(table.get(Timer::T200), None);
        assert_eq!(table.get(Timer::T203), Some(Instant::from_secs(10)));
    }

    #[test]
    fn restarting_moves_the_deadline() {
        let mut table = Table::new();
        table.start(Timer::T200, Instant::ZERO, Duration::from_secs(1));
        table.start(Timer::T200, Instant::from_millis(500), Duration::from_secs(1));
        assert_eq!(table.next_deadline(), Some(Instant::from_millis(1500)));
    }

    #[test]
    fn a_deadline_expires_at_exactly_its_instant_not_before() {
        let mut table = Table::new();
        table.set(Timer::Retry, Instant::from_micros(1000));
        assert_eq!(table.expired(Instant::from_micros(999)).count(), 0);
        assert_eq!(table.pop_expired(Instant::from_micros(999)), None);
        assert_eq!(table.expired(Instant::from_micros(1000)).collect::<Vec<_>>(), vec![Timer::Retry]);
        assert_eq!(table.pop_expired(Instant::from_micros(1000)), Some(Timer::Retry));
        assert!(!table.is_running(Timer::Retry));
        assert_eq!(table.pop_expired(Instant::MAX), None);
    }

    #[test]
    fn pop_expired_takes_the_earliest_deadline_first_and_ties_by_index() {
        let mut table = Table::new();
        table.set(Timer::Retry, Instant::from_millis(1));
        table.set(Timer::T203, Instant::from_millis(2));
        table.set(Timer::T200, Instant::from_millis(2));
        let now = Instant::from_millis(5);
        assert_eq!(table.pop_expired(now), Some(Timer::Retry));
        assert_eq!(table.pop_expired(now), Some(Timer::T200));
        assert_eq!(table.pop_expired(now), Some(Timer::T203));
        assert_eq!(table.pop_expired(now), None);
    }

    #[test]
    fn stop_all_clears_every_deadline() {
        let mut table = Table::new();
        table.set(Timer::T200, Instant::from_millis(1));
        table.set(Timer::T203, Instant::from_millis(1));
        table.stop_all();
        assert_eq!(table.next_deadline(), None);
    }

    #[test]
    fn debug_lists_only_running_timers() {
        let mut table = Table::new();
        table.set(Timer::T203, Instant::from_secs(10));
        assert_eq!(format!("{table:?}"), "{T203: 10.000000}");
    }
}
