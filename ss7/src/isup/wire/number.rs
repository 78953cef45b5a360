//! The number parameters of Q.763 (§3.9 called, §3.10 calling, §3.44 redirecting, §3.46
//! redirection, §3.17 connected, §3.30 location, §3.39 original called, §3.26 generic,
//! §3.51 subsequent). They share one layout: odd/even and nature of address in the first
//! octet, numbering plan and per-kind indicators in the second, then address signals two to
//! an octet; [`NumberFormat`] says which indicators a kind carries.

use super::IsupError;
use crate::circuit::codes::code_enum;
use crate::circuit::digits::Digits;
use crate::circuit::octets::Writer;

/// Which number parameter, and so which indicators its second octet carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// Called party number: INN indicator in bit 8, bits 4–1 spare.
    Called,
    /// Calling party number: number incomplete in bit 8, presentation and screening.
    Calling,
    /// Redirecting and original called number: presentation only.
    Redirecting,
    /// Redirection number: as the called party number.
    Redirection,
    /// Connected number: presentation and screening.
    Connected,
    /// Location number: INN indicator, presentation and screening.
    Location,
    /// Generic number: a number qualifier octet first, then as the calling party number.
    Generic,
}

impl NumberFormat {
    fn has_inn(self) -> bool {
        matches!(self, NumberFormat::Called | NumberFormat::Redirection | NumberFormat::Location)
    }

    fn has_incomplete(self) -> bool {
        matches!(self, NumberFormat::Calling | NumberFormat::Generic)
    }

    fn has_presentation(self) -> bool {
        !matches!(self, NumberFormat::Called | NumberFormat::Redirection)
    }

    fn has_screening(self) -> bool {
        matches!(
            self,
            NumberFormat::Calling | NumberFormat::Connected | NumberFormat::Location | NumberFormat::Generic
        )
    }
}

/// Nature of address indicator (7 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nature(pub u8);

impl Nature {
    /// Subscriber number (national use).
    pub const SUBSCRIBER: Nature = Nature(1);
    /// Unknown (national use).
    pub const UNKNOWN: Nature = Nature(2);
    /// National (significant) number.
    pub const NATIONAL: Nature = Nature(3);
    /// International number.
    pub const INTERNATIONAL: Nature = Nature(4);
    /// Network-specific number (national use).
    pub const NETWORK_SPECIFIC: Nature = Nature(5);
}

/// Numbering plan indicator (3 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NumberingPlan(pub u8);

impl NumberingPlan {
    /// ISDN (telephony) numbering plan, E.164.
    pub const ISDN: NumberingPlan = NumberingPlan(1);
    /// Data numbering plan, X.121 (national use).
    pub const DATA: NumberingPlan = NumberingPlan(3);
    /// Telex numbering plan, F.69 (national use).
    pub const TELEX: NumberingPlan = NumberingPlan(4);
    /// Private numbering plan (national use).
    pub const PRIVATE: NumberingPlan = NumberingPlan(5);
}

code_enum! {
    /// Address presentation restricted indicator (2 bits).
    pub enum Presentation: u8 {
        /// Presentation allowed.
        Allowed = 0, "presentation allowed";
        /// Presentation restricted.
        Restricted = 1, "presentation restricted";
        /// Address not available.
        NotAvailable = 2, "address not available";
    }
}

code_enum! {
    /// Screening indicator (2 bits).
    pub enum Screening: u8 {
        /// User provided, not verified (reserved in the calling party number).
        UserNotVerified = 0, "user provided, not verified";
        /// User provided, verified and passed.
        UserVerifiedPassed = 1, "user provided, verified and passed";
        /// User provided, verified and failed (reserved in the calling party number).
        UserVerifiedFailed = 2, "user provided, verified and failed";
        /// Network provided.
        NetworkProvided = 3, "network provided";
    }
}

/// Any of the number parameters. Indicators the parameter's [`NumberFormat`] does not carry
/// are left at their defaults by `parse` and ignored by `emit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartyNumber {
    /// Number qualifier indicator (generic number only).
    pub qualifier: u8,
    /// Nature of address.
    pub nature: Nature,
    /// Numbering plan.
    pub plan: NumberingPlan,
    /// Routing to an internal network number not allowed (INN indicator, bit 8 of octet 2
    /// of called, redirection and location numbers).
    pub inn_not_allowed: bool,
    /// Number incomplete (NI indicator of calling and generic numbers).
    pub incomplete: bool,
    /// Address presentation restricted indicator.
    pub presentation: Presentation,
    /// Screening indicator.
    pub screening: Screening,
    /// Address signals (ST included when sent).
    pub digits: Digits,
}

impl PartyNumber {
    /// An ISDN-plan number with `nature` and `digits`, presentation allowed, provided by the
    /// network.
    pub fn new(nature: Nature, digits: Digits) -> Self {
        PartyNumber {
            qualifier: 0,
            nature,
            plan: NumberingPlan::ISDN,
            inn_not_allowed: false,
            incomplete: false,
            presentation: Presentation::Allowed,
            screening: Screening::NetworkProvided,
            digits,
        }
    }

    /// Parses the contents of a number parameter of `format`.
    pub fn parse(format: NumberFormat, name: u8, data: &[u8]) -> Result<Self, IsupError> {
        let bad = || IsupError::BadContent { parameter: name };
        let (qualifier, data) = if format == NumberFormat::Generic {
            let (&q, rest) = data.split_first().ok_or_else(bad)?;
            (q, rest)
        } else {
            (0, data)
        };
        let [first, second, signals @ ..] = data else { return Err(bad()) };
        let odd = first & 0x80 != 0;
        if odd && signals.is_empty() {
            return Err(bad());
        }
        let count = signals.len() * 2 - usize::from(odd);
        let digits = Digits::unpack(signals, count).map_err(|_| bad())?;
        Ok(PartyNumber {
            qualifier,
            nature: Nature(first & 0x7F),
            plan: NumberingPlan(second >> 4 & 7),
            inn_not_allowed: format.has_inn() && second & 0x80 != 0,
            incomplete: format.has_incomplete() && second & 0x80 != 0,
            presentation: if format.has_presentation() {
                Presentation::from_code(second >> 2 & 3)
            } else {
                Presentation::Allowed
            },
            screening: if format.has_screening() {
                Screening::from_code(second & 3)
            } else {
                Screening::UserNotVerified
            },
            digits,
        })
    }

    /// Emits the contents of a number parameter of `format`.
    pub fn emit(&self, format: NumberFormat, w: &mut Writer) -> Result<(), IsupError> {
        if format == NumberFormat::Generic {
            w.put(self.qualifier)?;
        }
        let odd = self.digits.len() % 2 == 1;
        w.put(u8::from(odd) << 7 | self.nature.0 & 0x7F)?;
        let mut second = (self.plan.0 & 7) << 4;
        if (format.has_inn() && self.inn_not_allowed) || (format.has_incomplete() && self.incomplete) {
            second |= 0x80;
        }
        if format.has_presentation() {
            second |= (self.presentation.code() & 3) << 2;
        }
        if format.has_screening() {
            second |= self.screening.code() & 3;
        }
        w.put(second)?;
        let used = self.digits.pack(w.rest()).ok_or(IsupError::BufferTooSmall)?;
        w.advance(used)?;
        Ok(())
    }
}

/// Subsequent number (§3.51): odd/even indicator and address signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubsequentNumber {
    /// Address signals (ST included when sent).
    pub digits: Digits,
}

impl SubsequentNumber {
    /// Parses the parameter's contents.
    pub fn parse(data: &[u8]) -> Result<Self, IsupError> {
        let bad =
            || IsupError::BadContent { parameter: super::codes::ParameterName::SubsequentNumber.code() };
        let (&first, signals) = data.split_first().ok_or_else(bad)?;
        let odd = first & 0x80 != 0;
        if signals.is_empty() {
            return Err(bad());
        }
        let digits = Digits::unpack(signals, signals.len() * 2 - usize::from(odd)).map_err(|_| bad())?;
        Ok(SubsequentNumber { digits })
    }

    /// Emits the contents.
    pub fn emit(&self, w: &mut Writer) -> Result<(), IsupError> {
        w.put(u8::from(self.digits.len() % 2 == 1) << 7)?;
        let used = self.digits.pack(w.rest()).ok_or(IsupError::BufferTooSmall)?;
        w.advance(used)?;
        Ok(())
    }
}
