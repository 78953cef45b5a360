//! Telephone numbers as register signaling carries them: decimal digits only, in a
//! fixed-capacity buffer so that a call record never allocates.

use core::fmt;

/// Most digits a number may hold (DNIS and ANI alike). R2 numbers rarely pass 20 digits;
/// OpenR2 allows 80 for ANI, which no exchange sends.
pub const MAX_DIGITS: usize = 32;

/// Why a number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigitsError {
    /// A character that is not `0`-`9`.
    NotADigit(char),
    /// More than [`MAX_DIGITS`] digits.
    TooLong,
}

impl fmt::Display for DigitsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigitsError::NotADigit(c) => write!(f, "{c:?} is not a decimal digit"),
            DigitsError::TooLong => write!(f, "a number holds at most {MAX_DIGITS} digits"),
        }
    }
}

impl std::error::Error for DigitsError {}

/// Up to [`MAX_DIGITS`] decimal digits, kept as ASCII.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Digits {
    len: u8,
    ascii: [u8; MAX_DIGITS],
}

impl Default for Digits {
    fn default() -> Self {
        Self::new()
    }
}

impl Digits {
    /// No digits.
    pub const fn new() -> Self {
        Digits { len: 0, ascii: [0; MAX_DIGITS] }
    }

    /// The digits of `text`.
    pub fn parse(text: &str) -> Result<Self, DigitsError> {
        let mut digits = Digits::new();
        for c in text.chars() {
            let value = c.to_digit(10).ok_or(DigitsError::NotADigit(c))?;
            digits.push(value as u8)?;
        }
        Ok(digits)
    }

    /// Appends the digit `value` (0 ..= 9).
    pub fn push(&mut self, value: u8) -> Result<(), DigitsError> {
        if value > 9 {
            return Err(DigitsError::NotADigit(char::from(value)));
        }
        let slot = self.ascii.get_mut(usize::from(self.len)).ok_or(DigitsError::TooLong)?;
        *slot = b'0' + value;
        self.len += 1;
        Ok(())
    }

    /// The digit at `index` (0 ..= 9).
    pub fn get(&self, index: usize) -> Option<u8> {
        self.as_bytes().get(index).map(|c| c - b'0')
    }

    /// Number of digits.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there are no digits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether no further digit fits.
    pub fn is_full(&self) -> bool {
        self.len() == MAX_DIGITS
    }

    /// The digits as ASCII.
    pub fn as_bytes(&self) -> &[u8] {
        &self.ascii[..self.len()]
    }

    /// The digits as text.
    pub fn as_str(&self) -> &str {
        // Only b'0' ..= b'9' are ever stored.
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

impl fmt::Debug for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for Digits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_digits_and_reads_them_back() {
        let digits = Digits::parse("0109").unwrap();
        assert_eq!(digits.as_str(), "0109");
        assert_eq!(digits.len(), 4);
        assert_eq!(digits.get(0), Some(0));
        assert_eq!(digits.get(3), Some(9));
        assert_eq!(digits.get(4), None);
        assert_eq!(format!("{digits:?}"), "\"0109\"");
    }

    #[test]
    fn refuses_non_digits_and_overlong_numbers_at_the_limit() {
        assert_eq!(Digits::parse("12#"), Err(DigitsError::NotADigit('#')));
        let full = "1".repeat(MAX_DIGITS);
        let mut digits = Digits::parse(&full).unwrap();
        assert!(digits.is_full());
        assert_eq!(digits.push(1), Err(DigitsError::TooLong));
        assert_eq!(Digits::parse(&"1".repeat(MAX_DIGITS + 1)), Err(DigitsError::TooLong));
        assert_eq!(Digits::new().push(10), Err(DigitsError::NotADigit('\n')));
        assert!(Digits::new().is_empty());
    }
}
