//! The short elements: call state (§4.5.7), progress indicator (§4.5.23), notification
//! indicator (§4.5.22), display (§4.5.16) and restart indicator (§4.5.25).

use super::bearer::{CodingStandard, code_points};
use super::{IeError, Reader, Writer};
use crate::wire::Octets;
use crate::wire::lapd::BufferTooSmall;
use tdm_base::Location;

/// Call state (identifier 0x14): coding standard and the 6-bit state value (U0–U25 / N0–N25,
/// REST 0–2 for the global call reference).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallStateIe {
    /// Coding standard.
    pub coding_standard: CodingStandard,
    /// State value.
    pub value: u8,
}

impl CallStateIe {
    /// An ITU-T coded state.
    pub fn new(value: u8) -> Self {
        CallStateIe { coding_standard: CodingStandard::Itu, value: value & 0x3F }
    }

    /// Parses the contents of a call state element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        match *contents {
            [octet] => Ok(CallStateIe {
                coding_standard: CodingStandard::from_bits(octet >> 6),
                value: octet & 0x3F,
            }),
            [] => Err(IeError::Truncated),
            _ => Err(IeError::TrailingOctets),
        }
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        writer.u8(self.coding_standard.bits() << 6 | self.value & 0x3F)
    }
}

code_points! {
    /// Progress description (7 bits).
    ProgressDescription: 0x7F {
        /// 1: call is not end-to-end ISDN; further progress information may be in-band.
        NotEndToEndIsdn = 1,
        /// 2: destination address is non-ISDN.
        DestinationNotIsdn = 2,
        /// 3: origination address is non-ISDN.
        OriginationNotIsdn = 3,
        /// 4: call has returned to the ISDN.
        ReturnedToIsdn = 4,
        /// 5: interworking has occurred and has resulted in a telecommunication service change.
        ServiceChange = 5,
        /// 8: in-band information or an appropriate pattern is now available.
        InbandAvailable = 8,
    }
}

/// Progress indicator (identifier 0x1E).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressIndicator {
    /// Coding standard.
    pub coding_standard: CodingStandard,
    /// Location.
    pub location: Location,
    /// Progress description.
    pub description: ProgressDescription,
}

impl ProgressIndicator {
    /// An ITU-T coded indicator.
    pub fn new(description: ProgressDescription, location: Location) -> Self {
        ProgressIndicator { coding_standard: CodingStandard::Itu, location, description }
    }

    /// Parses the contents of a progress indicator element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        let mut reader = Reader::new(contents);
        let octet3 = reader.u8()?;
        let octet4 = reader.u8()?;
        reader.finish()?;
        if octet3 & 0x80 == 0 || octet4 & 0x80 == 0 {
            return Err(IeError::InvalidField);
        }
        Ok(ProgressIndicator {
            coding_standard: CodingStandard::from_bits(octet3 >> 5),
            location: Location::from_u8(octet3 & 0x0F),
            description: ProgressDescription::from_bits(octet4),
        })
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        writer.u8(0x80 | self.coding_standard.bits() << 5 | self.location.to_u8() & 0x0F)?;
        writer.u8(0x80 | self.description.bits())
    }
}

/// Notification indicator (identifier 0x27): the notification description; extension octets
/// (Q.932 supplementary services) are not interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notification {
    /// Notification description (7 bits): 0 user suspended, 1 user resumed, 2 bearer service
    /// change.
    pub description: u8,
}

impl Notification {
    /// Parses the contents of a notification indicator element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        let first = *contents.first().ok_or(IeError::Truncated)?;
        Ok(Notification { description: first & 0x7F })
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        writer.u8(0x80 | self.description & 0x7F)
    }
}

/// Display (identifier 0x28): up to 80 octets of text, IA5 in ITU-T Q.931.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Display {
    /// The text, as received.
    pub text: Octets<80>,
}

impl Display {
    /// Display text; `None` when longer than 80 octets.
    pub fn new(text: &str) -> Option<Self> {
        Some(Display { text: Octets::from_slice(text.as_bytes())? })
    }

    /// Parses the contents of a display element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        if contents.is_empty() {
            return Err(IeError::Truncated);
        }
        Ok(Display { text: Octets::from_slice(contents).ok_or(IeError::TooLong)? })
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        writer.bytes(&self.text)
    }
}

code_points! {
    /// Restart indicator class (3 bits).
    RestartClass: 0x07 {
        /// 000: the channels in the channel identification element.
        IndicatedChannels = 0,
        /// 110: the interface carrying this D-channel.
        SingleInterface = 6,
        /// 111: all interfaces the D-channel controls.
        AllInterfaces = 7,
    }
}

impl RestartClass {
    /// Parses the contents of a restart indicator element (identifier 0x79).
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        match *contents {
            [octet] if octet & 0x80 != 0 => Ok(RestartClass::from_bits(octet)),
            [_] => Err(IeError::InvalidField),
            [] => Err(IeError::Truncated),
            _ => Err(IeError::TrailingOctets),
        }
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        writer.u8(0x80 | self.bits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ie::contents_of;

    #[test]
    fn call_state_active_and_the_restart_state_values() {
        assert_eq!(CallStateIe::parse(&[0x0A]), Ok(CallStateIe::new(10)));
        assert_eq!(contents_of(|w| CallStateIe::new(25).emit_contents(w)), [0x19]);
        let national = CallStateIe::parse(&[0x99]).unwrap();
        assert_eq!(national.coding_standard, CodingStandard::National);
        assert_eq!(national.value, 0x19);
        assert_eq!(CallStateIe::parse(&[]), Err(IeError::Truncated));
        assert_eq!(CallStateIe::parse(&[1, 2]), Err(IeError::TrailingOctets));
    }

    #[test]
    fn progress_in_band_available_from_the_public_network() {
        // 82: ITU-T, LN. 88: in-band information available.
        let progress = ProgressIndicator::parse(&[0x82, 0x88]).unwrap();
        assert_eq!(progress.location, Location::PublicNetworkLocalUser);
        assert_eq!(progress.description, ProgressDescription::InbandAvailable);
        assert_eq!(contents_of(|w| progress.emit_contents(w)), [0x82, 0x88]);
        let unknown = ProgressIndicator::parse(&[0x80, 0xFF]).unwrap();
        assert_eq!(unknown.description, ProgressDescription::Unknown(0x7F));
        assert_eq!(ProgressIndicator::parse(&[0x02, 0x88]), Err(IeError::InvalidField));
        assert_eq!(ProgressIndicator::parse(&[0x82]), Err(IeError::Truncated));
    }

    #[test]
    fn display_keeps_text_up_to_80_octets() {
        let display = Display::parse(b"Reception").unwrap();
        assert_eq!(display.text.as_str(), Some("Reception"));
        assert_eq!(contents_of(|w| display.emit_contents(w)), b"Reception");
        assert!(Display::parse(&[b'x'; 80]).is_ok());
        assert_eq!(Display::parse(&[b'x'; 81]), Err(IeError::TooLong));
        assert_eq!(Display::parse(&[]), Err(IeError::Truncated));
    }

    #[test]
    fn restart_classes_decode_from_their_octets() {
        assert_eq!(RestartClass::parse(&[0x80]), Ok(RestartClass::IndicatedChannels));
        assert_eq!(RestartClass::parse(&[0x86]), Ok(RestartClass::SingleInterface));
        assert_eq!(RestartClass::parse(&[0x87]), Ok(RestartClass::AllInterfaces));
        assert_eq!(RestartClass::parse(&[0x83]), Ok(RestartClass::Unknown(3)));
        assert_eq!(contents_of(|w| RestartClass::AllInterfaces.emit_contents(w)), [0x87]);
        assert_eq!(RestartClass::parse(&[0x06]), Err(IeError::InvalidField));
    }

    #[test]
    fn notification_user_suspended() {
        assert_eq!(Notification::parse(&[0x80]), Ok(Notification { description: 0 }));
        assert_eq!(contents_of(|w| Notification { description: 2 }.emit_contents(w)), [0x82]);
        assert_eq!(Notification::parse(&[]), Err(IeError::Truncated));
    }
}
