//! Pacing a link by its line: MTP2 always has a signal unit to send, so whoever moves signal
//! units onto a 64 kbit/s timeslot must hand over exactly as many as the line carries — no
//! more (they would queue up and age), no fewer (the far end would see idle flags and start
//! octet counting). [`LinePacer`] keeps that account in bits: the caller adds line time as the
//! board's clock advances (one 1 ms block carries 8 octets of a timeslot) and charges each
//! frame what it takes on the line.

use tdm_base::Duration;

/// Bits one frame takes on the line at most: its octets after zero-bit insertion, the 16 FCS
/// bits with the most zero insertion they can need (3), and one flag (consecutive frames share
/// their flags).
pub fn line_bits(frame: &[u8]) -> u32 {
    let mut ones = 0u32;
    let mut bits = 0u32;
    for octet in frame {
        for i in 0..8 {
            bits += 1;
            if octet >> i & 1 == 1 {
                ones += 1;
                if ones == 5 {
                    bits += 1;
                    ones = 0;
                }
            } else {
                ones = 0;
            }
        }
    }
    bits + 16 + 3 + 8
}

/// A running account of line capacity.
#[derive(Debug, Clone)]
pub struct LinePacer {
    bit_rate: u64,
    /// Capacity not yet used, in bits × 10⁶ (to add fractions of a bit exactly).
    credit: i64,
    max_credit: i64,
}

impl LinePacer {
    /// A line of `bit_rate` bit/s; unused capacity accumulates up to `burst` of line time.
    pub fn new(bit_rate: u32, burst: Duration) -> LinePacer {
        let bit_rate = u64::from(bit_rate.max(1));
        let max_credit = (burst.as_micros() as u64).saturating_mul(bit_rate).min(i64::MAX as u64) as i64;
        LinePacer { bit_rate, credit: 0, max_credit }
    }

    /// A 64 kbit/s timeslot allowed 2 ms of burst.
    pub fn timeslot() -> LinePacer {
        LinePacer::new(64_000, Duration::from_millis(2))
    }

    /// `elapsed` of line time passed.
    pub fn advance(&mut self, elapsed: Duration) {
        let added = (elapsed.as_micros() as u64).saturating_mul(self.bit_rate).min(i64::MAX as u64) as i64;
        self.credit = self.credit.saturating_add(added).min(self.max_credit);
    }

    /// Whether the line can take another frame now (it may then run into debt by one frame,
    /// which the following line time pays off).
    pub fn can_send(&self) -> bool {
        self.credit > 0
    }

    /// Charges `frame` (without FCS) to the account.
    pub fn charge(&mut self, frame: &[u8]) {
        self.credit -= i64::from(line_bits(frame)) * 1_000_000;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stuffing_is_counted_per_five_ones() {
        assert_eq!(line_bits(&[0x00, 0x00, 0x00]), 24 + 27);
        // 0xFF 0xFF: 16 ones need 3 inserted zeros.
        assert_eq!(line_bits(&[0xFF, 0xFF]), 16 + 3 + 27);
        // 0x1F then 0x00: five ones then zeros: one insertion.
        assert_eq!(line_bits(&[0x1F, 0x00]), 17 + 27);
    }

    #[test]
    fn one_millisecond_of_a_timeslot_carries_one_fisu_at_a_time() {
        let mut pacer = LinePacer::timeslot();
        assert!(!pacer.can_send());
        pacer.advance(Duration::from_millis(1));
        assert!(pacer.can_send());
        // A FISU of zeros takes 51 bits; 64 bits of credit allow two frames (the second runs
        // into debt), then nothing until the debt is paid.
        pacer.charge(&[0, 0, 0]);
        assert!(pacer.can_send());
        pacer.charge(&[0, 0, 0]);
        assert!(!pacer.can_send());
        pacer.advance(Duration::from_micros(600));
        assert!(pacer.can_send());
        // Credit is capped at 2 ms.
        let mut idle = LinePacer::timeslot();
        idle.advance(Duration::from_secs(10));
        let mut sent = 0;
        while idle.can_send() {
            idle.charge(&[0, 0, 0]);
            sent += 1;
        }
        assert_eq!(sent, 3, "128 bits of credit: 51 + 51 + 51");
    }
}
