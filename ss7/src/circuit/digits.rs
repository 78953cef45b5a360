//! Address signals as both user parts carry them: 4-bit codes, two to an octet, the first
//! signal in the low nibble (Q.763 §3.9 g; Q.723 §3.1 and §3.3).
//!
//! Codes 0–9 are the digits, 11 and 12 the operator codes ("code 11", "code 12") and 15 the
//! end-of-pulsing signal ST. As text they are written as hexadecimal digits (`0`–`9`,
//! `A`–`F`), so ST is `F`.

use core::fmt;

/// The end-of-pulsing signal (ST).
pub const ST: u8 = 0x0F;

/// Why digits were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitsError {
    /// More than [`Digits::CAPACITY`] signals.
    TooMany,
    /// A character that is not a hexadecimal digit.
    NotADigit(char),
    /// A value above 15.
    NotANibble(u8),
}

impl fmt::Display for DigitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigitsError::TooMany => write!(f, "more than {} address signals", Digits::CAPACITY),
            DigitsError::NotADigit(c) => write!(f, "{c:?} is not an address signal (0-9, A-F)"),
            DigitsError::NotANibble(v) => write!(f, "address signal code {v} does not fit in 4 bits"),
        }
    }
}

impl std::error::Error for DigitsError {}

/// Up to 32 address signals, stored inline (one code per octet, 0–15).
#[derive(Clone, Copy, Default)]
pub struct Digits {
    len: u8,
    codes: [u8; Digits::CAPACITY],
}

impl Digits {
    /// Most signals a number holds: more than any E.164 number with prefixes.
    pub const CAPACITY: usize = 32;

    /// No signals.
    pub const fn new() -> Self {
        Digits { len: 0, codes: [0; Digits::CAPACITY] }
    }

    /// Parses text of hexadecimal digits (`"88880001"`, `"1008F"` with ST).
    pub fn parse(text: &str) -> Result<Self, DigitsError> {
        let mut digits = Digits::new();
        for c in text.chars() {
            let code = c.to_digit(16).ok_or(DigitsError::NotADigit(c))?;
            digits.push(code as u8)?;
        }
        Ok(digits)
    }

    /// Digits from codes (each 0–15).
    pub fn from_codes(codes: &[u8]) -> Result<Self, DigitsError> {
        let mut digits = Digits::new();
        for &code in codes {
            digits.push(code)?;
        }
        Ok(digits)
    }

    /// Appends one signal.
    pub fn push(&mut self, code: u8) -> Result<(), DigitsError> {
        if code > 0x0F {
            return Err(DigitsError::NotANibble(code));
        }
        let slot = self.codes.get_mut(usize::from(self.len)).ok_or(DigitsError::TooMany)?;
        *slot = code;
        self.len += 1;
        Ok(())
    }

    /// Appends every signal of `other`; nothing is appended when they do not all fit.
    pub fn extend(&mut self, other: &Digits) -> Result<(), DigitsError> {
        if self.len() + other.len() > Self::CAPACITY {
            return Err(DigitsError::TooMany);
        }
        for &code in other.as_slice() {
            self.push(code)?;
        }
        Ok(())
    }

    /// The codes.
    pub fn as_slice(&self) -> &[u8] {
        &self.codes[..usize::from(self.len)]
    }

    /// Number of signals.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether the last signal is ST.
    pub fn ends_with_st(&self) -> bool {
        self.as_slice().last() == Some(&ST)
    }

    /// The same signals without a final ST.
    pub fn without_st(&self) -> Digits {
        let mut copy = *self;
        if copy.ends_with_st() {
            copy.len -= 1;
        }
        copy
    }

    /// Octets needed to pack the signals two to an octet.
    pub fn packed_len(&self) -> usize {
        self.len().div_ceil(2)
    }

    /// Reads `count` signals packed two to an octet, low nibble first. The high nibble of a
    /// last odd octet is filler and ignored.
    pub fn unpack(octets: &[u8], count: usize) -> Result<Self, DigitsError> {
        if count > Self::CAPACITY || octets.len() * 2 < count {
            return Err(DigitsError::TooMany);
        }
        let mut digits = Digits::new();
        for i in 0..count {
            let octet = octets[i / 2];
            digits.codes[i] = if i % 2 == 0 { octet & 0x0F } else { octet >> 4 };
        }
        digits.len = count as u8;
        Ok(digits)
    }

    /// Packs the signals two to an octet (low nibble first, filler 0) into the front of `out`
    /// and returns the octets written; `None` when `out` is too short.
    pub fn pack(&self, out: &mut [u8]) -> Option<usize> {
        let len = self.packed_len();
        let target = out.get_mut(..len)?;
        target.fill(0);
        for (i, &code) in self.as_slice().iter().enumerate() {
            target[i / 2] |= if i % 2 == 0 { code } else { code << 4 };
        }
        Some(len)
    }
}

impl PartialEq for Digits {
    fn eq(&self, other: &Digits) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Digits {}

impl core::hash::Hash for Digits {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &code in self.as_slice() {
            write!(f, "{code:X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

impl core::str::FromStr for Digits {
    type Err = DigitsError;
    fn from_str(text: &str) -> Result<Self, DigitsError> {
        Digits::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_with_st_as_f() {
        let digits = Digits::parse("1008f").unwrap();
        assert_eq!(digits.as_slice(), &[1, 0, 0, 8, 15]);
        assert!(digits.ends_with_st());
        assert_eq!(digits.to_string(), "1008F");
        assert_eq!(digits.without_st().to_string(), "1008");
        assert_eq!(digits.without_st(), Digits::parse("1008").unwrap(), "equality ignores the unused tail");
        assert!(!digits.without_st().ends_with_st());
        assert_eq!(Digits::parse("12#"), Err(DigitsError::NotADigit('#')));
    }

    #[test]
    fn capacity_is_enforced_at_the_limit() {
        let full = "0123456789ABCDEF0123456789ABCDEF";
        assert_eq!(Digits::parse(full).map(|d| d.len()), Ok(32));
        assert_eq!(Digits::parse(&format!("{full}1")), Err(DigitsError::TooMany));
        let mut digits = Digits::parse(&full[..31]).unwrap();
        assert_eq!(digits.extend(&Digits::parse("12").unwrap()), Err(DigitsError::TooMany));
        assert_eq!(digits.len(), 31);
        assert_eq!(digits.push(16), Err(DigitsError::NotANibble(16)));
    }

    #[test]
    fn packing_puts_the_first_signal_in_the_low_nibble_with_zero_filler() {
        let digits = Digits::parse("12345").unwrap();
        let mut out = [0xFF; 4];
        assert_eq!(digits.pack(&mut out), Some(3));
        assert_eq!(out, [0x21, 0x43, 0x05, 0xFF]);
        assert_eq!(digits.pack(&mut [0; 2]), None);
        assert_eq!(Digits::unpack(&[0x21, 0x43, 0xF5], 5), Ok(digits));
        assert_eq!(Digits::unpack(&[0x21], 3), Err(DigitsError::TooMany));
        assert_eq!(Digits::unpack(&[], 0), Ok(Digits::new()));
    }
}
