//! G.826 per-second error performance events, counted in seconds of received line time
//! (256 000 octets at 2048 kbit/s), whether or not the line is aligned.
//!
//! A block is a CRC-4 sub-multiframe while CRC-4 is being checked; otherwise (CRC-4 off,
//! not yet multiframe aligned, or Annex B fallback) the only error indication is the FAS
//! word, so an errored FAS counts as an errored block.
//!
//! - ES: at least one errored block, or a defect (LOS, AIS, LOF) during the second.
//! - SES: a defect, or with CRC-4 at least 30 % of the 1000 blocks of a second errored
//!   (≥ 300); without CRC-4, 28 or more errored FAS words, the in-service threshold of
//!   ITU-T M.2100 for 2048 kbit/s without CRC-4: 4000 FAS words × 7 bits at a bit error
//!   ratio of 10^-3.
//!
//! Unavailable time (10 consecutive SES) is not tracked here: every second is classified.

use super::Counters;

/// Raw octets in one second of line time.
pub(crate) const OCTETS_PER_SECOND: u32 = 256_000;
/// Errored CRC-4 blocks that make a second severely errored (30 % of 1000).
pub const SES_CRC4_BLOCKS: u32 = 300;
/// Errored FAS words that make a second severely errored without CRC-4.
pub const SES_FAS_ERRORS: u32 = 28;

/// What one second was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecondClass {
    Clean,
    Errored,
    SeverelyErrored,
}

/// Classifies a second from its errored CRC-4 blocks, its errored FAS words counted
/// while CRC-4 was not checked, and whether a defect was present.
pub fn classify(crc4_errored_blocks: u32, fas_errored_blocks: u32, defect: bool) -> SecondClass {
    if defect || crc4_errored_blocks >= SES_CRC4_BLOCKS || fas_errored_blocks >= SES_FAS_ERRORS {
        SecondClass::SeverelyErrored
    } else if crc4_errored_blocks > 0 || fas_errored_blocks > 0 {
        SecondClass::Errored
    } else {
        SecondClass::Clean
    }
}

/// Events of the second in progress.
#[derive(Debug, Clone, Default)]
pub(crate) struct SecondMonitor {
    octets: u32,
    crc4_errors: u32,
    fas_errors: u32,
    defect: bool,
}

impl SecondMonitor {
    /// Octets until the current second ends (at least 1).
    pub(crate) fn octets_left(&self) -> usize {
        (OCTETS_PER_SECOND - self.octets) as usize
    }

    pub(crate) fn crc4_error(&mut self) {
        self.crc4_errors += 1;
    }

    pub(crate) fn fas_error(&mut self) {
        self.fas_errors += 1;
    }

    pub(crate) fn defect(&mut self) {
        self.defect = true;
    }

    /// Accounts `octets` of line time (never more than [`Self::octets_left`]); at the
    /// end of a second classifies it into `counters`.
    pub(crate) fn advance(&mut self, octets: usize, counters: &mut Counters) {
        let octets = u32::try_from(octets).unwrap_or(u32::MAX).min(OCTETS_PER_SECOND - self.octets);
        self.octets += octets;
        if self.octets < OCTETS_PER_SECOND {
            return;
        }
        counters.seconds += 1;
        match classify(self.crc4_errors, self.fas_errors, self.defect) {
            SecondClass::Clean => {}
            SecondClass::Errored => counters.errored_seconds += 1,
            SecondClass::SeverelyErrored => {
                counters.errored_seconds += 1;
                counters.severely_errored_seconds += 1;
            }
        }
        *self = SecondMonitor::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_limits() {
        assert_eq!(classify(0, 0, false), SecondClass::Clean);
        assert_eq!(classify(1, 0, false), SecondClass::Errored);
        assert_eq!(classify(299, 0, false), SecondClass::Errored);
        assert_eq!(classify(300, 0, false), SecondClass::SeverelyErrored);
        assert_eq!(classify(0, 1, false), SecondClass::Errored);
        assert_eq!(classify(0, 27, false), SecondClass::Errored);
        assert_eq!(classify(0, 28, false), SecondClass::SeverelyErrored);
        assert_eq!(classify(0, 0, true), SecondClass::SeverelyErrored);
    }

    #[test]
    fn a_second_closes_after_256000_octets() {
        let mut monitor = SecondMonitor::default();
        let mut counters = Counters::default();
        monitor.crc4_error();
        monitor.advance(255_999, &mut counters);
        assert_eq!(counters.seconds, 0);
        assert_eq!(monitor.octets_left(), 1);
        monitor.advance(1, &mut counters);
        assert_eq!(
            (counters.seconds, counters.errored_seconds, counters.severely_errored_seconds),
            (1, 1, 0)
        );
        assert_eq!(monitor.octets_left(), 256_000);
        monitor.defect();
        monitor.advance(256_000, &mut counters);
        assert_eq!(
            (counters.seconds, counters.errored_seconds, counters.severely_errored_seconds),
            (2, 2, 1)
        );
        monitor.advance(256_000, &mut counters);
        assert_eq!(
            (counters.seconds, counters.errored_seconds, counters.severely_errored_seconds),
            (3, 2, 1)
        );
    }
}
