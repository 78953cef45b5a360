//! Defect detectors that need more than one observation: AIS (G.775) and the
//! consecutive-observation filter used for the A bit (RAI) and the CAS Y bit.

/// Raw octets in one G.775 AIS observation period: 512 bits, two frames' length.
const AIS_PERIOD_OCTETS: u32 = 64;
/// A period with at most this many zeros looks like AIS.
const AIS_MAX_ZEROS: u32 = 2;
/// Consecutive periods needed to raise or to clear AIS.
const AIS_PERIODS: u8 = 2;

/// G.775 AIS at 2048 kbit/s: raised when each of two consecutive 512-bit periods holds
/// fewer than 3 zeros, cleared when each of two consecutive periods holds 3 or more (or
/// when frame alignment is found, which the receiver signals with [`AisDetector::clear`]).
/// Fed only while the receiver is not aligned: an aligned signal has FAS zeros and so
/// can never be all ones.
#[derive(Debug, Clone)]
pub(crate) struct AisDetector {
    zeros: u32,
    octets: u32,
    low_periods: u8,
    high_periods: u8,
    active: bool,
}

impl AisDetector {
    pub(crate) fn new() -> Self {
        AisDetector { zeros: 0, octets: 0, low_periods: 0, high_periods: 0, active: false }
    }

    pub(crate) fn active(&self) -> bool {
        self.active
    }

    /// Restarts the observation periods, keeping the current state.
    pub(crate) fn restart_periods(&mut self) {
        self.zeros = 0;
        self.octets = 0;
        self.low_periods = 0;
        self.high_periods = 0;
    }

    /// Clears AIS (frame alignment found, or LOS took over) and restarts the periods.
    pub(crate) fn clear(&mut self) {
        self.active = false;
        self.restart_periods();
    }

    /// Counts one raw octet; returns the new state when it changed.
    #[inline]
    pub(crate) fn push(&mut self, octet: u8) -> Option<bool> {
        self.zeros += octet.count_zeros();
        self.octets += 1;
        if self.octets < AIS_PERIOD_OCTETS {
            return None;
        }
        if self.zeros <= AIS_MAX_ZEROS {
            self.low_periods = self.low_periods.saturating_add(1);
            self.high_periods = 0;
        } else {
            self.high_periods = self.high_periods.saturating_add(1);
            self.low_periods = 0;
        }
        self.zeros = 0;
        self.octets = 0;
        let was = self.active;
        if self.low_periods >= AIS_PERIODS {
            self.active = true;
        } else if self.high_periods >= AIS_PERIODS {
            self.active = false;
        }
        (self.active != was).then_some(self.active)
    }
}

/// A binary indication that changes only after `needed` consecutive observations of the
/// other value.
#[derive(Debug, Clone)]
pub(crate) struct Persistence {
    state: bool,
    run: u8,
    needed: u8,
}

impl Persistence {
    pub(crate) fn new(needed: u8) -> Self {
        Persistence { state: false, run: 0, needed: needed.max(1) }
    }

    pub(crate) fn state(&self) -> bool {
        self.state
    }

    /// Back to "not set" with no pending run.
    pub(crate) fn reset(&mut self) {
        self.state = false;
        self.run = 0;
    }

    /// One observation; returns the new state when it changed.
    #[inline]
    pub(crate) fn push(&mut self, observed: bool) -> Option<bool> {
        if observed == self.state {
            self.run = 0;
            return None;
        }
        self.run += 1;
        if self.run < self.needed {
            return None;
        }
        self.state = observed;
        self.run = 0;
        Some(observed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(detector: &mut AisDetector, zeros: u32) -> Option<bool> {
        let mut change = None;
        for i in 0..AIS_PERIOD_OCTETS {
            let octet = if i < zeros { 0xFE } else { 0xFF };
            if let Some(state) = detector.push(octet) {
                change = Some(state);
            }
        }
        change
    }

    #[test]
    fn ais_needs_two_low_periods() {
        let mut ais = AisDetector::new();
        assert_eq!(period(&mut ais, 2), None);
        assert!(!ais.active());
        assert_eq!(period(&mut ais, 0), Some(true));
        assert!(ais.active());
    }

    #[test]
    fn three_zeros_break_the_run() {
        let mut ais = AisDetector::new();
        assert_eq!(period(&mut ais, 2), None);
        assert_eq!(period(&mut ais, 3), None);
        assert_eq!(period(&mut ais, 2), None);
        assert!(!ais.active());
        assert_eq!(period(&mut ais, 1), Some(true));
    }

    #[test]
    fn ais_clears_after_two_high_periods() {
        let mut ais = AisDetector::new();
        period(&mut ais, 0);
        period(&mut ais, 0);
        assert!(ais.active());
        assert_eq!(period(&mut ais, 3), None);
        assert_eq!(period(&mut ais, 2), None); // run broken
        assert_eq!(period(&mut ais, 3), None);
        assert!(ais.active());
        assert_eq!(period(&mut ais, 64), Some(false));
        assert!(!ais.active());
    }

    #[test]
    fn clear_restarts_the_periods() {
        let mut ais = AisDetector::new();
        period(&mut ais, 0);
        ais.clear();
        assert_eq!(period(&mut ais, 0), None);
        assert_eq!(period(&mut ais, 0), Some(true));
    }

    #[test]
    fn persistence_filters_runs_shorter_than_needed() {
        let mut filter = Persistence::new(3);
        assert_eq!(filter.push(true), None);
        assert_eq!(filter.push(true), None);
        assert_eq!(filter.push(false), None);
        assert_eq!(filter.push(true), None);
        assert_eq!(filter.push(true), None);
        assert_eq!(filter.push(true), Some(true));
        assert!(filter.state());
        assert_eq!(filter.push(false), None);
        assert_eq!(filter.push(false), None);
        assert_eq!(filter.push(false), Some(false));
        filter.push(true);
        filter.reset();
        assert!(!filter.state());
        assert_eq!(filter.push(true), None);
    }
}
