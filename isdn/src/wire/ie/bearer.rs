//! Bearer capability (Q.931 §4.5.5), low layer compatibility (§4.5.19) and high layer
//! compatibility (§4.5.17).
//!
//! Bearer capability and low layer compatibility share their layout: octet 3 (coding standard,
//! information transfer capability; LLC may add octet 3a, the negotiation indicator), octet 4
//! (transfer mode and rate, with optional extension octets), octet 4.1 (rate multiplier, only
//! for multirate), then up to three groups, each opened by an octet whose bits 7–6 name the
//! layer (01, 10, 11) and continued while the extension bit is 0. Continuation octets whose
//! detail this stack does not act on (rate adaption of 5a–5d, layer 2/3 options) are kept raw.

use super::{IeError, Reader, Writer};
use crate::wire::Octets;
use crate::wire::lapd::BufferTooSmall;

/// Coding standard (two bits, shared by many elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CodingStandard {
    /// 00: ITU-T.
    Itu,
    /// 01: ISO/IEC.
    IsoIec,
    /// 10: national standard.
    National,
    /// 11: standard defined for the network (public or private) present on the network side.
    Network,
}

impl CodingStandard {
    /// From the two bits (anything above 3 is masked).
    pub const fn from_bits(bits: u8) -> Self {
        match bits & 0x03 {
            0 => CodingStandard::Itu,
            1 => CodingStandard::IsoIec,
            2 => CodingStandard::National,
            _ => CodingStandard::Network,
        }
    }

    /// The two bits.
    pub const fn bits(self) -> u8 {
        match self {
            CodingStandard::Itu => 0,
            CodingStandard::IsoIec => 1,
            CodingStandard::National => 2,
            CodingStandard::Network => 3,
        }
    }
}

macro_rules! code_points {
    ($(#[$doc:meta])* $name:ident : $mask:literal { $( $(#[$vdoc:meta])* $variant:ident = $value:literal, )* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value this crate does not name, kept as received.
            Unknown(u8),
        }

        impl $name {
            /// From the field's bits (masked to the field's width).
            pub const fn from_bits(bits: u8) -> Self {
                match bits & $mask {
                    $( $value => $name::$variant, )*
                    other => $name::Unknown(other),
                }
            }

            /// The field's bits.
            pub const fn bits(self) -> u8 {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Unknown(value) => value & $mask,
                }
            }
        }
    };
}
pub(crate) use code_points;

code_points! {
    /// Information transfer capability (octet 3, 5 bits).
    TransferCapability: 0x1F {
        /// 00000 speech.
        Speech = 0x00,
        /// 01000 unrestricted digital information.
        UnrestrictedDigital = 0x08,
        /// 01001 restricted digital information.
        RestrictedDigital = 0x09,
        /// 10000 3.1 kHz audio.
        Audio3k1 = 0x10,
        /// 10001 unrestricted digital information with tones/announcements.
        UnrestrictedDigitalWithTones = 0x11,
        /// 11000 video.
        Video = 0x18,
    }
}

code_points! {
    /// Transfer mode (octet 4, 2 bits).
    TransferMode: 0x03 {
        /// 00 circuit mode.
        Circuit = 0x00,
        /// 10 packet mode.
        Packet = 0x02,
    }
}

code_points! {
    /// Information transfer rate (octet 4, 5 bits).
    TransferRate: 0x1F {
        /// 00000 packet mode (no rate).
        Packet = 0x00,
        /// 10000 64 kbit/s.
        Kbit64 = 0x10,
        /// 10001 2 × 64 kbit/s.
        Kbit2x64 = 0x11,
        /// 10011 384 kbit/s.
        Kbit384 = 0x13,
        /// 10101 1536 kbit/s.
        Kbit1536 = 0x15,
        /// 10111 1920 kbit/s.
        Kbit1920 = 0x17,
        /// 11000 multirate (64 kbit/s base rate, multiplier in octet 4.1).
        Multirate = 0x18,
    }
}

code_points! {
    /// User information layer 1 protocol (octet 5, 5 bits).
    Layer1Protocol: 0x1F {
        /// 00001 V.110 / I.460 / X.30 rate adaption.
        V110 = 0x01,
        /// 00010 G.711 µ-law.
        G711MuLaw = 0x02,
        /// 00011 G.711 A-law.
        G711ALaw = 0x03,
        /// 00100 G.721 32 kbit/s ADPCM.
        G721 = 0x04,
        /// 00101 H.221 and H.242.
        H221 = 0x05,
        /// 00110 H.223 and H.245.
        H223 = 0x06,
        /// 00111 non-ITU-T standardised rate adaption.
        NonItuRateAdaption = 0x07,
        /// 01000 V.120.
        V120 = 0x08,
        /// 01001 X.31 HDLC flag stuffing.
        X31 = 0x09,
    }
}

/// Bearer capability (identifier 0x04), also the body of low layer compatibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BearerCapability {
    /// Coding standard of octet 3.
    pub coding_standard: CodingStandard,
    /// Information transfer capability.
    pub capability: TransferCapability,
    /// Transfer mode.
    pub mode: TransferMode,
    /// Information transfer rate.
    pub rate: TransferRate,
    /// Extension octets of octet 4 (4a, 4b of older editions), raw.
    pub mode_extension: Octets<2>,
    /// Rate multiplier (octet 4.1), present exactly when the rate is multirate.
    pub rate_multiplier: Option<u8>,
    /// User information layer 1 protocol (octet 5).
    pub layer1: Option<Layer1Protocol>,
    /// Octets 5a–5d, raw.
    pub layer1_extension: Octets<4>,
    /// User information layer 2 protocol (octet 6, 5 bits).
    pub layer2: Option<u8>,
    /// Octet 6a, raw.
    pub layer2_extension: Octets<2>,
    /// User information layer 3 protocol (octet 7, 5 bits).
    pub layer3: Option<u8>,
    /// Octets 7a, 7b, raw.
    pub layer3_extension: Octets<3>,
}

impl BearerCapability {
    /// A circuit-mode 64 kbit/s bearer of the given capability with the given layer 1 codec.
    pub fn circuit(capability: TransferCapability, layer1: Option<Layer1Protocol>) -> Self {
        BearerCapability {
            coding_standard: CodingStandard::Itu,
            capability,
            mode: TransferMode::Circuit,
            rate: TransferRate::Kbit64,
            mode_extension: Octets::new(),
            rate_multiplier: None,
            layer1,
            layer1_extension: Octets::new(),
            layer2: None,
            layer2_extension: Octets::new(),
            layer3: None,
            layer3_extension: Octets::new(),
        }
    }

    /// Speech, 64 kbit/s circuit, G.711 A-law: `80 90 A3`, the usual voice call on an E1.
    pub fn speech_alaw() -> Self {
        Self::circuit(TransferCapability::Speech, Some(Layer1Protocol::G711ALaw))
    }

    /// 3.1 kHz audio, 64 kbit/s circuit, G.711 A-law: `90 90 A3` (modems, fax).
    pub fn audio_3k1_alaw() -> Self {
        Self::circuit(TransferCapability::Audio3k1, Some(Layer1Protocol::G711ALaw))
    }

    /// Unrestricted digital information, 64 kbit/s circuit: `88 90`.
    pub fn unrestricted_64k() -> Self {
        Self::circuit(TransferCapability::UnrestrictedDigital, None)
    }

    /// Parses the contents of a bearer capability element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        let mut reader = Reader::new(contents);
        let octet3 = reader.u8()?;
        if octet3 & 0x80 == 0 {
            return Err(IeError::InvalidField);
        }
        let bearer = Self::parse_after_octet3(octet3, &mut reader)?;
        reader.finish()?;
        Ok(bearer)
    }

    fn parse_after_octet3(octet3: u8, reader: &mut Reader<'_>) -> Result<Self, IeError> {
        let octet4 = reader.u8()?;
        let mode_extension = reader.extension_octets(octet4)?;
        let rate = TransferRate::from_bits(octet4);
        let rate_multiplier = if rate == TransferRate::Multirate {
            let octet = reader.u8()?;
            if octet & 0x80 == 0 {
                return Err(IeError::InvalidField);
            }
            Some(octet & 0x7F)
        } else {
            None
        };
        let mut bearer = BearerCapability {
            coding_standard: CodingStandard::from_bits(octet3 >> 5),
            capability: TransferCapability::from_bits(octet3),
            mode: TransferMode::from_bits(octet4 >> 5),
            rate,
            mode_extension,
            rate_multiplier,
            ..Self::circuit(TransferCapability::Speech, None)
        };
        let mut last_layer = 0;
        while let Some(octet) = reader.optional_u8() {
            let layer = (octet >> 5) & 0x03;
            if layer <= last_layer {
                return Err(IeError::InvalidField);
            }
            last_layer = layer;
            match layer {
                1 => {
                    bearer.layer1 = Some(Layer1Protocol::from_bits(octet));
                    bearer.layer1_extension = reader.extension_octets(octet)?;
                }
                2 => {
                    bearer.layer2 = Some(octet & 0x1F);
                    bearer.layer2_extension = reader.extension_octets(octet)?;
                }
                _ => {
                    bearer.layer3 = Some(octet & 0x1F);
                    bearer.layer3_extension = reader.extension_octets(octet)?;
                }
            }
        }
        Ok(bearer)
    }

    /// Writes the contents (octet 3 onwards).
    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        writer.u8(0x80 | self.coding_standard.bits() << 5 | self.capability.bits())?;
        self.emit_from_octet4(writer)
    }

    fn emit_from_octet4(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        let extended = !self.mode_extension.is_empty();
        writer.u8(if extended { 0 } else { 0x80 } | self.mode.bits() << 5 | self.rate.bits())?;
        emit_extension(writer, &self.mode_extension)?;
        if self.rate == TransferRate::Multirate {
            writer.u8(0x80 | self.rate_multiplier.unwrap_or(1) & 0x7F)?;
        }
        if let Some(layer1) = self.layer1 {
            emit_group(writer, 0x20 | layer1.bits(), &self.layer1_extension)?;
        }
        if let Some(layer2) = self.layer2 {
            emit_group(writer, 0x40 | layer2 & 0x1F, &self.layer2_extension)?;
        }
        if let Some(layer3) = self.layer3 {
            emit_group(writer, 0x60 | layer3 & 0x1F, &self.layer3_extension)?;
        }
        Ok(())
    }
}

/// Writes a group's opening octet (extension bit set when nothing follows) and its
/// continuation octets with their extension bits normalised: 0 on all but the last.
fn emit_group(writer: &mut Writer<'_>, first: u8, extension: &[u8]) -> Result<(), BufferTooSmall> {
    writer.u8(if extension.is_empty() { 0x80 } else { 0 } | first & 0x7F)?;
    emit_extension(writer, extension)
}

fn emit_extension(writer: &mut Writer<'_>, extension: &[u8]) -> Result<(), BufferTooSmall> {
    for (i, octet) in extension.iter().enumerate() {
        let last = i + 1 == extension.len();
        writer.u8(if last { 0x80 } else { 0 } | octet & 0x7F)?;
    }
    Ok(())
}

/// Low layer compatibility (identifier 0x7C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowLayerCompatibility {
    /// Octet 3a (negotiation indicator, 7 bits), when present.
    pub negotiation: Option<u8>,
    /// The bearer-capability-shaped remainder.
    pub bearer: BearerCapability,
}

impl LowLayerCompatibility {
    /// Parses the contents of a low layer compatibility element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        let mut reader = Reader::new(contents);
        let octet3 = reader.u8()?;
        let negotiation = if octet3 & 0x80 == 0 {
            let octet = reader.u8()?;
            if octet & 0x80 == 0 {
                return Err(IeError::InvalidField);
            }
            Some(octet & 0x7F)
        } else {
            None
        };
        let bearer = BearerCapability::parse_after_octet3(octet3, &mut reader)?;
        reader.finish()?;
        Ok(LowLayerCompatibility { negotiation, bearer })
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        let bearer = &self.bearer;
        let octet3 = bearer.coding_standard.bits() << 5 | bearer.capability.bits();
        match self.negotiation {
            Some(negotiation) => {
                writer.u8(octet3)?;
                writer.u8(0x80 | negotiation & 0x7F)?;
            }
            None => writer.u8(0x80 | octet3)?,
        }
        bearer.emit_from_octet4(writer)
    }
}

/// High layer compatibility (identifier 0x7D).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HighLayerCompatibility {
    /// Coding standard.
    pub coding_standard: CodingStandard,
    /// Interpretation (3 bits; 100 = first high layer characteristics identification to be used).
    pub interpretation: u8,
    /// Presentation method (2 bits; 01 = high layer protocol profile).
    pub presentation: u8,
    /// High layer characteristics identification (7 bits; 0x01 telephony, 0x04 facsimile G2/G3).
    pub characteristics: u8,
    /// Extended high layer characteristics identification (octet 4a), when present.
    pub extended: Option<u8>,
}

impl HighLayerCompatibility {
    /// ITU-T telephony: `91 81`.
    pub fn telephony() -> Self {
        HighLayerCompatibility {
            coding_standard: CodingStandard::Itu,
            interpretation: 0x04,
            presentation: 0x01,
            characteristics: 0x01,
            extended: None,
        }
    }

    /// Parses the contents of a high layer compatibility element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        let mut reader = Reader::new(contents);
        let octet3 = reader.u8()?;
        let octet4 = reader.u8()?;
        if octet3 & 0x80 == 0 {
            return Err(IeError::InvalidField);
        }
        let extended = if octet4 & 0x80 == 0 {
            let octet = reader.u8()?;
            if octet & 0x80 == 0 {
                return Err(IeError::InvalidField);
            }
            Some(octet & 0x7F)
        } else {
            None
        };
        reader.finish()?;
        Ok(HighLayerCompatibility {
            coding_standard: CodingStandard::from_bits(octet3 >> 5),
            interpretation: (octet3 >> 2) & 0x07,
            presentation: octet3 & 0x03,
            characteristics: octet4 & 0x7F,
            extended,
        })
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        writer.u8(0x80
            | self.coding_standard.bits() << 5
            | (self.interpretation & 0x07) << 2
            | self.presentation & 0x03)?;
        match self.extended {
            Some(extended) => {
                writer.u8(self.characteristics & 0x7F)?;
                writer.u8(0x80 | extended & 0x7F)
            }
            None => writer.u8(0x80 | self.characteristics & 0x7F),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ie::contents_of;

    #[test]
    fn speech_a_law_decodes_from_the_usual_octets() {
        // 80: ITU-T, speech. 90: circuit mode, 64 kbit/s. A3: layer 1, G.711 A-law.
        let bearer = BearerCapability::parse(&[0x80, 0x90, 0xA3]).unwrap();
        assert_eq!(bearer.coding_standard, CodingStandard::Itu);
        assert_eq!(bearer.capability, TransferCapability::Speech);
        assert_eq!(bearer.mode, TransferMode::Circuit);
        assert_eq!(bearer.rate, TransferRate::Kbit64);
        assert_eq!(bearer.layer1, Some(Layer1Protocol::G711ALaw));
        assert_eq!(bearer, BearerCapability::speech_alaw());
        assert_eq!(contents_of(|w| bearer.emit_contents(w)), [0x80, 0x90, 0xA3]);
    }

    #[test]
    fn audio_and_unrestricted_digital_round_trip() {
        assert_eq!(contents_of(|w| BearerCapability::audio_3k1_alaw().emit_contents(w)), [0x90, 0x90, 0xA3]);
        assert_eq!(contents_of(|w| BearerCapability::unrestricted_64k().emit_contents(w)), [0x88, 0x90]);
        assert_eq!(BearerCapability::parse(&[0x88, 0x90]), Ok(BearerCapability::unrestricted_64k()));
    }

    #[test]
    fn multirate_carries_octet_4_1_and_v110_keeps_its_rate_adaption_octets() {
        // Unrestricted digital, multirate ×6 (384k), layer 1 V.110 with octets 5a (sync,
        // 56 kbit/s: 0x0F) and 5b, 5c raw, layer 2 Q.921 (0x02), layer 3 Q.931 (0x02).
        let bytes = [0x88, 0x98, 0x86, 0x21, 0x0F, 0x00, 0x80, 0xC2, 0xE2];
        let bearer = BearerCapability::parse(&bytes).unwrap();
        assert_eq!(bearer.rate, TransferRate::Multirate);
        assert_eq!(bearer.rate_multiplier, Some(6));
        assert_eq!(bearer.layer1, Some(Layer1Protocol::V110));
        assert_eq!(bearer.layer1_extension.as_slice(), &[0x0F, 0x00, 0x80]);
        assert_eq!(bearer.layer2, Some(0x02));
        assert_eq!(bearer.layer3, Some(0x02));
        assert_eq!(contents_of(|w| bearer.emit_contents(w)), bytes);
    }

    #[test]
    fn unknown_code_points_round_trip() {
        let bytes = [0x9F, 0x9E, 0xBF];
        let bearer = BearerCapability::parse(&bytes).unwrap();
        assert_eq!(bearer.capability, TransferCapability::Unknown(0x1F));
        assert_eq!(bearer.rate, TransferRate::Unknown(0x1E));
        assert_eq!(bearer.layer1, Some(Layer1Protocol::Unknown(0x1F)));
        assert_eq!(contents_of(|w| bearer.emit_contents(w)), bytes);
    }

    #[test]
    fn malformed_bearer_capabilities_are_content_errors() {
        assert_eq!(BearerCapability::parse(&[]), Err(IeError::Truncated));
        assert_eq!(BearerCapability::parse(&[0x80]), Err(IeError::Truncated));
        assert_eq!(BearerCapability::parse(&[0x00, 0x90]), Err(IeError::InvalidField));
        assert_eq!(BearerCapability::parse(&[0x80, 0x98]), Err(IeError::Truncated));
        // Layer 2 before layer 1, and layer 1 twice.
        assert_eq!(BearerCapability::parse(&[0x80, 0x90, 0xC2, 0xA3]), Err(IeError::InvalidField));
        assert_eq!(BearerCapability::parse(&[0x80, 0x90, 0xA3, 0xA3]), Err(IeError::InvalidField));
        // Octet 5 says more follows, but nothing does.
        assert_eq!(BearerCapability::parse(&[0x80, 0x90, 0x21]), Err(IeError::Truncated));
        // An octet whose layer bits are 00 cannot open a group.
        assert_eq!(BearerCapability::parse(&[0x80, 0x90, 0x83]), Err(IeError::InvalidField));
        // Five octets after octet 5: more than 5a–5d.
        assert_eq!(
            BearerCapability::parse(&[0x80, 0x90, 0x21, 0x01, 0x02, 0x03, 0x04, 0x85]),
            Err(IeError::TooLong)
        );
    }

    #[test]
    fn low_layer_compatibility_with_and_without_negotiation_octet() {
        let bytes = [0x08, 0xC0, 0x90, 0xA3];
        let llc = LowLayerCompatibility::parse(&bytes).unwrap();
        assert_eq!(llc.negotiation, Some(0x40));
        assert_eq!(llc.bearer.capability, TransferCapability::UnrestrictedDigital);
        assert_eq!(contents_of(|w| llc.emit_contents(w)), bytes);
        let plain = LowLayerCompatibility::parse(&[0x90, 0x90]).unwrap();
        assert_eq!(plain.negotiation, None);
        assert_eq!(plain.bearer.capability, TransferCapability::Audio3k1);
        assert_eq!(LowLayerCompatibility::parse(&[0x08, 0x40, 0x90]), Err(IeError::InvalidField));
    }

    #[test]
    fn high_layer_compatibility_telephony_and_extended() {
        let hlc = HighLayerCompatibility::parse(&[0x91, 0x81]).unwrap();
        assert_eq!(hlc, HighLayerCompatibility::telephony());
        assert_eq!(contents_of(|w| hlc.emit_contents(w)), [0x91, 0x81]);
        // Maintenance (0x5E) with extended characteristics telephony (0x01).
        let extended = HighLayerCompatibility::parse(&[0x91, 0x5E, 0x81]).unwrap();
        assert_eq!(extended.characteristics, 0x5E);
        assert_eq!(extended.extended, Some(0x01));
        assert_eq!(contents_of(|w| extended.emit_contents(w)), [0x91, 0x5E, 0x81]);
        assert_eq!(HighLayerCompatibility::parse(&[0x91]), Err(IeError::Truncated));
        assert_eq!(HighLayerCompatibility::parse(&[0x91, 0x81, 0x00]), Err(IeError::TrailingOctets));
    }
}
