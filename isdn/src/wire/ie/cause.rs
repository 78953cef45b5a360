//! Cause (Q.931 §4.5.12, coded per Q.850 §2):
//!
//! ```text
//! octet 3   ext | coding standard | spare | location
//! octet 3a  ext=1 | recommendation (only when octet 3's extension bit is 0)
//! octet 4   ext=1 | cause value
//! octet 5…  diagnostics
//! ```

use super::bearer::CodingStandard;
use super::{IeError, Reader, Writer};
use crate::wire::Octets;
use crate::wire::lapd::BufferTooSmall;
use tdm_base::{Cause, Location};

/// Cause (identifier 0x08).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CauseIe {
    /// Coding standard (ITU-T for the Q.850 values).
    pub coding_standard: CodingStandard,
    /// Where the cause was generated.
    pub location: Location,
    /// Octet 3a, when present (0 = Q.931).
    pub recommendation: Option<u8>,
    /// The cause value.
    pub cause: Cause,
    /// Diagnostics: at most 28 octets (a cause element is at most 32 octets long).
    pub diagnostic: Octets<28>,
}

impl CauseIe {
    /// An ITU-T cause without diagnostics.
    pub fn new(cause: Cause, location: Location) -> Self {
        CauseIe {
            coding_standard: CodingStandard::Itu,
            location,
            recommendation: None,
            cause,
            diagnostic: Octets::new(),
        }
    }

    /// The same cause with `diagnostic` (truncated to what fits).
    pub fn with_diagnostic(mut self, diagnostic: &[u8]) -> Self {
        let len = diagnostic.len().min(Octets::<28>::CAPACITY);
        self.diagnostic = Octets::from_slice(&diagnostic[..len]).unwrap_or_default();
        self
    }

    /// Parses the contents of a cause element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        let mut reader = Reader::new(contents);
        let octet3 = reader.u8()?;
        let recommendation = if octet3 & 0x80 == 0 {
            let octet = reader.u8()?;
            if octet & 0x80 == 0 {
                return Err(IeError::InvalidField);
            }
            Some(octet & 0x7F)
        } else {
            None
        };
        let octet4 = reader.u8()?;
        if octet4 & 0x80 == 0 {
            return Err(IeError::InvalidField);
        }
        let diagnostic = Octets::from_slice(reader.rest()).ok_or(IeError::TooLong)?;
        Ok(CauseIe {
            coding_standard: CodingStandard::from_bits(octet3 >> 5),
            location: Location::from_u8(octet3 & 0x0F),
            recommendation,
            cause: Cause::from_u8(octet4 & 0x7F),
            diagnostic,
        })
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        let octet3 = self.coding_standard.bits() << 5 | self.location.to_u8() & 0x0F;
        match self.recommendation {
            Some(recommendation) => {
                writer.u8(octet3)?;
                writer.u8(0x80 | recommendation & 0x7F)?;
            }
            None => writer.u8(0x80 | octet3)?,
        }
        writer.u8(0x80 | self.cause.to_u8() & 0x7F)?;
        writer.bytes(&self.diagnostic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ie::contents_of;

    #[test]
    fn normal_clearing_from_the_public_network_serving_the_local_user() {
        // 82: ITU-T, location LN (2). 90: cause 16.
        let cause = CauseIe::parse(&[0x82, 0x90]).unwrap();
        assert_eq!(cause.location, Location::PublicNetworkLocalUser);
        assert_eq!(cause.cause, Cause::NormalClearing);
        assert_eq!(cause.recommendation, None);
        assert!(cause.diagnostic.is_empty());
        assert_eq!(contents_of(|w| cause.emit_contents(w)), [0x82, 0x90]);
    }

    #[test]
    fn timer_expiry_with_the_timer_number_as_diagnostic() {
        // User location, cause 102, diagnostic "303" in IA5.
        let cause = CauseIe::new(Cause::RecoveryOnTimerExpiry, Location::User).with_diagnostic(b"303");
        let bytes = contents_of(|w| cause.emit_contents(w));
        assert_eq!(bytes, [0x80, 0xE6, 0x33, 0x30, 0x33]);
        assert_eq!(CauseIe::parse(&bytes), Ok(cause));
    }

    #[test]
    fn recommendation_octet_and_unknown_values_round_trip() {
        let bytes = [0x03, 0x80, 0xFE, 0x18];
        let cause = CauseIe::parse(&bytes).unwrap();
        assert_eq!(cause.recommendation, Some(0));
        assert_eq!(cause.location, Location::TransitNetwork);
        assert_eq!(cause.cause, Cause::Unknown(126));
        assert_eq!(contents_of(|w| cause.emit_contents(w)), bytes);
    }

    #[test]
    fn malformed_causes_are_content_errors() {
        assert_eq!(CauseIe::parse(&[0x82]), Err(IeError::Truncated));
        assert_eq!(CauseIe::parse(&[0x82, 0x10]), Err(IeError::InvalidField));
        assert_eq!(CauseIe::parse(&[0x02, 0x00, 0x90]), Err(IeError::InvalidField));
        let mut long = [0u8; 31];
        long[0] = 0x82;
        long[1] = 0x90;
        assert_eq!(CauseIe::parse(&long[..30]).map(|c| c.diagnostic.len()), Ok(28));
        assert_eq!(CauseIe::parse(&long), Err(IeError::TooLong));
    }
}
