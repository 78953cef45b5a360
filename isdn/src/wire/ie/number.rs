//! Calling party number (§4.5.10), called party number (§4.5.8) and redirecting number
//! (Q.931 §4.6.x / Q.952), one layout with optional octets:
//!
//! ```text
//! octet 3   ext | type of number (3 bits) | numbering plan (4 bits)
//! octet 3a  ext | presentation (2) | spare | screening (2)   calling, redirecting
//! octet 3b  ext=1 | spare | reason for redirection (4)        redirecting only
//! octet 4…  digits, IA5 (bit 8 = 0)
//! ```

use super::bearer::code_points;
use super::{IeError, Reader, Writer};
use crate::wire::Octets;
use crate::wire::lapd::BufferTooSmall;

/// Digits of a number: IA5 characters, at most 31.
pub type Digits = Octets<31>;

code_points! {
    /// Type of number (3 bits).
    TypeOfNumber: 0x07 {
        /// 000: unknown.
        Unspecified = 0,
        /// 001.
        International = 1,
        /// 010.
        National = 2,
        /// 011.
        NetworkSpecific = 3,
        /// 100.
        Subscriber = 4,
        /// 110.
        Abbreviated = 6,
    }
}

code_points! {
    /// Numbering plan identification (4 bits).
    NumberingPlan: 0x0F {
        /// 0000: unknown.
        Unspecified = 0,
        /// 0001: ISDN/telephony, E.164.
        Isdn = 1,
        /// 0011: data, X.121.
        Data = 3,
        /// 0100: telex, F.69.
        Telex = 4,
        /// 1000: national standard.
        National = 8,
        /// 1001: private.
        Private = 9,
    }
}

code_points! {
    /// Presentation indicator (2 bits).
    Presentation: 0x03 {
        /// 00.
        Allowed = 0,
        /// 01.
        Restricted = 1,
        /// 10: number not available due to interworking.
        NotAvailable = 2,
    }
}

code_points! {
    /// Screening indicator (2 bits).
    Screening: 0x03 {
        /// 00.
        UserProvidedNotScreened = 0,
        /// 01.
        UserProvidedVerifiedPassed = 1,
        /// 10.
        UserProvidedVerifiedFailed = 2,
        /// 11.
        NetworkProvided = 3,
    }
}

code_points! {
    /// Reason for redirection (4 bits).
    RedirectionReason: 0x0F {
        /// 0000: unknown.
        Unspecified = 0,
        /// 0001: call forwarding busy.
        ForwardingBusy = 1,
        /// 0010: call forwarding no reply.
        ForwardingNoReply = 2,
        /// 0100: call deflection.
        Deflection = 4,
        /// 1001: called DTE out of order.
        DteOutOfOrder = 9,
        /// 1010: call forwarding by the called DTE.
        ForwardingByDte = 10,
        /// 1111: call forwarding unconditional.
        ForwardingUnconditional = 15,
    }
}

/// Which number element a [`PartyNumber`] is coded as: it decides which optional octets are
/// allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberKind {
    /// Called party number: octet 3 only.
    Called,
    /// Calling party number: octet 3a allowed.
    Calling,
    /// Redirecting number: octets 3a and 3b allowed.
    Redirecting,
}

/// A party number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartyNumber {
    /// Type of number.
    pub ton: TypeOfNumber,
    /// Numbering plan.
    pub plan: NumberingPlan,
    /// Presentation and screening (octet 3a), when present.
    pub presentation: Option<(Presentation, Screening)>,
    /// Reason for redirection (octet 3b, redirecting number only), when present.
    pub reason: Option<RedirectionReason>,
    /// The digits.
    pub digits: Digits,
}

impl PartyNumber {
    /// A number of the given type and plan, or `None` when `digits` is longer than 31 or not
    /// IA5.
    pub fn new(ton: TypeOfNumber, plan: NumberingPlan, digits: &str) -> Option<Self> {
        if !digits.is_ascii() {
            return None;
        }
        Some(PartyNumber {
            ton,
            plan,
            presentation: None,
            reason: None,
            digits: Digits::from_slice(digits.as_bytes())?,
        })
    }

    /// An E.164 number of unknown type, the usual coding towards a PBX.
    pub fn unknown_isdn(digits: &str) -> Option<Self> {
        Self::new(TypeOfNumber::Unspecified, NumberingPlan::Isdn, digits)
    }

    /// The same number with octet 3a.
    pub fn with_presentation(mut self, presentation: Presentation, screening: Screening) -> Self {
        self.presentation = Some((presentation, screening));
        self
    }

    /// The digits as text (always IA5 once parsed).
    pub fn digits_str(&self) -> &str {
        self.digits.as_str().unwrap_or("")
    }

    /// Parses the contents of a number element of the given kind.
    pub fn parse(contents: &[u8], kind: NumberKind) -> Result<Self, IeError> {
        let mut reader = Reader::new(contents);
        let octet3 = reader.u8()?;
        let mut presentation = None;
        let mut reason = None;
        if octet3 & 0x80 == 0 {
            if kind == NumberKind::Called {
                return Err(IeError::InvalidField);
            }
            let octet3a = reader.u8()?;
            presentation = Some((Presentation::from_bits(octet3a >> 5), Screening::from_bits(octet3a)));
            if octet3a & 0x80 == 0 {
                if kind != NumberKind::Redirecting {
                    return Err(IeError::InvalidField);
                }
                let octet3b = reader.u8()?;
                if octet3b & 0x80 == 0 {
                    return Err(IeError::InvalidField);
                }
                reason = Some(RedirectionReason::from_bits(octet3b));
            }
        }
        let digits = reader.rest();
        if digits.iter().any(|d| d & 0x80 != 0) {
            return Err(IeError::InvalidField);
        }
        Ok(PartyNumber {
            ton: TypeOfNumber::from_bits(octet3 >> 4),
            plan: NumberingPlan::from_bits(octet3),
            presentation,
            reason,
            digits: Digits::from_slice(digits).ok_or(IeError::TooLong)?,
        })
    }

    /// Writes the contents; octets the kind does not allow are left out.
    pub(crate) fn emit_contents(
        &self,
        writer: &mut Writer<'_>,
        kind: NumberKind,
    ) -> Result<(), BufferTooSmall> {
        let octet3 = self.ton.bits() << 4 | self.plan.bits();
        let reason = self.reason.filter(|_| kind == NumberKind::Redirecting);
        let presentation = match kind {
            NumberKind::Called => None,
            // Octet 3b needs 3a in front of it.
            _ => self
                .presentation
                .or(reason.map(|_| (Presentation::Allowed, Screening::UserProvidedNotScreened))),
        };
        match presentation {
            None => writer.u8(0x80 | octet3)?,
            Some((presentation, screening)) => {
                writer.u8(octet3)?;
                let octet3a = presentation.bits() << 5 | screening.bits();
                match reason {
                    None => writer.u8(0x80 | octet3a)?,
                    Some(reason) => {
                        writer.u8(octet3a)?;
                        writer.u8(0x80 | reason.bits())?;
                    }
                }
            }
        }
        // Digits are IA5 (bit 8 clear) once parsed or built; masking keeps that so for any
        // octets put in by hand.
        writer.bytes_with(self.digits.as_slice(), |digit| digit & 0x7F)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ie::contents_of;

    #[test]
    fn called_number_national_e164() {
        // A1: national, ISDN/telephony. Digits "1012345678".
        let bytes = b"\xA11012345678";
        let number = PartyNumber::parse(bytes, NumberKind::Called).unwrap();
        assert_eq!(number.ton, TypeOfNumber::National);
        assert_eq!(number.plan, NumberingPlan::Isdn);
        assert_eq!(number.digits_str(), "1012345678");
        assert_eq!(number.presentation, None);
        assert_eq!(contents_of(|w| number.emit_contents(w, NumberKind::Called)), bytes);
    }

    #[test]
    fn calling_number_with_presentation_restricted_and_network_screening() {
        // 11: international, E.164, 3a follows. A3: restricted, network provided.
        let bytes = b"\x11\xA38613800138000";
        let number = PartyNumber::parse(bytes, NumberKind::Calling).unwrap();
        assert_eq!(number.ton, TypeOfNumber::International);
        assert_eq!(number.presentation, Some((Presentation::Restricted, Screening::NetworkProvided)));
        assert_eq!(number.digits_str(), "8613800138000");
        assert_eq!(contents_of(|w| number.emit_contents(w, NumberKind::Calling)), bytes);
    }

    #[test]
    fn redirecting_number_with_reason_unconditional() {
        // 41: subscriber, E.164. 00: allowed, not screened, 3b follows. 8F: unconditional.
        let bytes = b"\x41\x00\x8F5551234";
        let number = PartyNumber::parse(bytes, NumberKind::Redirecting).unwrap();
        assert_eq!(number.ton, TypeOfNumber::Subscriber);
        assert_eq!(number.reason, Some(RedirectionReason::ForwardingUnconditional));
        assert_eq!(contents_of(|w| number.emit_contents(w, NumberKind::Redirecting)), bytes);
    }

    #[test]
    fn optional_octets_are_allowed_only_where_the_element_defines_them() {
        assert_eq!(PartyNumber::parse(b"\x21\x80123", NumberKind::Called), Err(IeError::InvalidField));
        assert_eq!(PartyNumber::parse(b"\x21\x00\x8F1", NumberKind::Calling), Err(IeError::InvalidField));
        assert_eq!(PartyNumber::parse(b"\x21\x00\x0F1", NumberKind::Redirecting), Err(IeError::InvalidField));
        let calling = PartyNumber::parse(b"\x21\x80123", NumberKind::Calling).unwrap();
        // Coded as a called number, octet 3a is left out.
        assert_eq!(contents_of(|w| calling.emit_contents(w, NumberKind::Called)), b"\xA1123");
    }

    #[test]
    fn digit_limits_and_non_ia5_octets() {
        let mut bytes = [b'5'; 32];
        bytes[0] = 0x81;
        assert_eq!(PartyNumber::parse(&bytes, NumberKind::Called).map(|n| n.digits.len()), Ok(31));
        let mut long = [b'5'; 33];
        long[0] = 0x81;
        assert_eq!(PartyNumber::parse(&long, NumberKind::Called), Err(IeError::TooLong));
        assert_eq!(PartyNumber::parse(b"\x81\xB1", NumberKind::Called), Err(IeError::InvalidField));
        assert_eq!(PartyNumber::parse(b"", NumberKind::Called), Err(IeError::Truncated));
        let empty = PartyNumber::parse(b"\x80", NumberKind::Called).unwrap();
        assert!(empty.digits.is_empty());
        assert!(PartyNumber::unknown_isdn("123é").is_none());
        assert!(PartyNumber::unknown_isdn(&"1".repeat(32)).is_none());
    }

    #[test]
    fn unknown_code_points_round_trip() {
        let bytes = b"\x57\x00\x8C9";
        let number = PartyNumber::parse(bytes, NumberKind::Redirecting).unwrap();
        assert_eq!(number.ton, TypeOfNumber::Unknown(5));
        assert_eq!(number.plan, NumberingPlan::Unknown(7));
        assert_eq!(number.reason, Some(RedirectionReason::Unknown(12)));
        assert_eq!(contents_of(|w| number.emit_contents(w, NumberKind::Redirecting)), bytes);
    }
}
