//! CAS on a DAHDI span: the ABCD bits of each bearer channel, with the same debounce the
//! software CAS receiver applies.
//!
//! DAHDI keeps the multiframe itself and hands over a channel's 4 bits, A in the nibble's
//! MSB (`DAHDI_ABIT` = 0x8 … `DAHDI_DBIT` = 0x1) — the order tdm's `abcd` values use, so the
//! nibble passes unchanged. It queues `DAHDI_EVENT_BITSCHANGED` on the channel whenever the
//! received bits change, and `DAHDI_GETRXBITS` reads them.
//!
//! The software receiver reports a value once it was received in `N` consecutive CAS
//! multiframes (2 ms each), i.e. `(N - 1) × 2 ms` after it first arrived, and every channel
//! reads 0000 until then. [`AbcdDebounce`] does the same on DAHDI's change reports, with time
//! instead of multiframes.

use super::abi::{DAHDI_ABIT, DAHDI_BBIT, DAHDI_CBIT, DAHDI_DBIT};

/// Milliseconds in one CAS multiframe (16 frames of 125 µs).
const MULTIFRAME_MS: u64 = 2;

/// The 4 bits as DAHDI's `SETTXBITS` takes them.
pub fn to_dahdi_bits(abcd: u8) -> i32 {
    let bit = |mask: u8, dahdi: i32| if abcd & mask != 0 { dahdi } else { 0 };
    bit(0b1000, DAHDI_ABIT) | bit(0b0100, DAHDI_BBIT) | bit(0b0010, DAHDI_CBIT) | bit(0b0001, DAHDI_DBIT)
}

/// The 4 bits DAHDI's `GETRXBITS` returned, as an `abcd` nibble (other bits ignored).
pub fn from_dahdi_bits(bits: i32) -> u8 {
    let bit = |dahdi: i32, mask: u8| if bits & dahdi != 0 { mask } else { 0 };
    bit(DAHDI_ABIT, 0b1000) | bit(DAHDI_BBIT, 0b0100) | bit(DAHDI_CBIT, 0b0010) | bit(DAHDI_DBIT, 0b0001)
}

/// Debounces the ABCD bits received on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbcdDebounce {
    current: u8,
    candidate: Option<(u8, u64)>,
    hold_ms: u64,
}

impl AbcdDebounce {
    /// A new value is reported once it was seen in `debounce_multiframes` consecutive
    /// multiframes (0 is taken as 1: report at once), as the software receiver does.
    pub fn new(debounce_multiframes: u8) -> Self {
        let hold_ms = u64::from(debounce_multiframes.max(1) - 1) * MULTIFRAME_MS;
        AbcdDebounce { current: 0, candidate: None, hold_ms }
    }

    /// DAHDI reports `abcd` received at `now_ms`.
    pub fn observe(&mut self, abcd: u8, now_ms: u64) {
        let abcd = abcd & 0x0F;
        if abcd == self.current {
            self.candidate = None;
        } else if self.candidate.is_none_or(|(value, _)| value != abcd) {
            self.candidate = Some((abcd, now_ms));
        }
    }

    /// The newly confirmed value, once the candidate has held long enough by `now_ms`.
    pub fn confirm(&mut self, now_ms: u64) -> Option<u8> {
        let (value, since) = self.candidate?;
        if now_ms.saturating_sub(since) < self.hold_ms {
            return None;
        }
        self.current = value;
        self.candidate = None;
        Some(value)
    }

    /// When a waiting candidate will be confirmed, if one is waiting.
    pub fn deadline(&self) -> Option<u64> {
        self.candidate.map(|(_, since)| since + self.hold_ms)
    }

    /// The last confirmed value (0000 until the first).
    pub fn current(&self) -> u8 {
        self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nibble_maps_bit_for_bit_onto_dahdi_a_b_c_d() {
        assert_eq!(to_dahdi_bits(0b1000), DAHDI_ABIT);
        assert_eq!(to_dahdi_bits(0b0100), DAHDI_BBIT);
        assert_eq!(to_dahdi_bits(0b0010), DAHDI_CBIT);
        assert_eq!(to_dahdi_bits(0b0001), DAHDI_DBIT);
        // China No.1 idle 1011 and seizure 0011.
        assert_eq!(to_dahdi_bits(0b1011), DAHDI_ABIT | DAHDI_CBIT | DAHDI_DBIT);
        assert_eq!(to_dahdi_bits(0b0011), 0x3);
        for abcd in 0..16u8 {
            assert_eq!(from_dahdi_bits(to_dahdi_bits(abcd)), abcd);
        }
        // Bits above the nibble (some drivers keep more state there) are not ABCD.
        assert_eq!(from_dahdi_bits(0x1F5), 0b0101);
        assert_eq!(to_dahdi_bits(0xF0), 0);
    }

    #[test]
    fn a_value_is_confirmed_after_the_software_receivers_window() {
        // 2 multiframes: confirmed 2 ms after it first came.
        let mut d = AbcdDebounce::new(2);
        assert_eq!(d.current(), 0);
        d.observe(0b1011, 100);
        assert_eq!(d.deadline(), Some(102));
        assert_eq!(d.confirm(101), None);
        assert_eq!(d.confirm(102), Some(0b1011));
        assert_eq!(d.confirm(103), None);
        assert_eq!(d.current(), 0b1011);
        assert_eq!(d.deadline(), None);
    }

    #[test]
    fn one_multiframe_or_none_confirms_at_once() {
        for n in [0, 1] {
            let mut d = AbcdDebounce::new(n);
            d.observe(0b0011, 7);
            assert_eq!(d.confirm(7), Some(0b0011));
        }
    }

    #[test]
    fn a_glitch_back_to_the_current_value_is_never_reported() {
        let mut d = AbcdDebounce::new(3);
        d.observe(0b1011, 0);
        assert_eq!(d.confirm(4), Some(0b1011));
        d.observe(0b0011, 10);
        d.observe(0b1011, 12);
        assert_eq!(d.confirm(20), None);
        assert_eq!(d.current(), 0b1011);
    }

    #[test]
    fn a_second_new_value_restarts_the_window() {
        let mut d = AbcdDebounce::new(3);
        d.observe(0b0011, 0);
        d.observe(0b0111, 3);
        assert_eq!(d.confirm(4), None);
        assert_eq!(d.deadline(), Some(7));
        assert_eq!(d.confirm(7), Some(0b0111));
        // The same value seen again does not move the window.
        d.observe(0b1111, 10);
        d.observe(0b1111, 13);
        assert_eq!(d.confirm(14), Some(0b1111));
    }
}
