//! Point codes, the service information octet (SIO) and the MTP routing label (Q.704 §2.2,
//! §14.2; China: 24-bit point codes and a 7-octet label, YDN/GF 001-9001).
//!
//! ITU label: one little-endian 32-bit word — DPC in bits 0–13, OPC in 14–27, SLS in 28–31.
//! China label: DPC in octets 1–3 and OPC in octets 4–6, each least significant octet first
//! (signalling point, signalling area, main signalling area), then SLS in the low 4 bits of
//! octet 7 (the high 4 bits spare). tshark's "Chinese ITU" MTP3 decodes
//! `85 01 02 03 04 05 06 07` as NI 2, SI 5, DPC 3-2-1, OPC 6-5-4, SLS 7.

use std::fmt;

/// How wide a point code is: a network's choice, made once per link set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PointCodeFormat {
    /// ITU-T Q.704: 14 bits, printed 3-8-3 (zone-area-point).
    Itu14,
    /// China national: 24 bits, printed 8-8-8 (main area-area-point).
    China24,
}

impl PointCodeFormat {
    pub fn bits(self) -> u32 {
        match self {
            PointCodeFormat::Itu14 => 14,
            PointCodeFormat::China24 => 24,
        }
    }

    /// Octets of the routing label in this format.
    pub fn label_len(self) -> usize {
        match self {
            PointCodeFormat::Itu14 => 4,
            PointCodeFormat::China24 => 7,
        }
    }

    fn max(self) -> u32 {
        (1 << self.bits()) - 1
    }
}

/// A signalling point code. The value is the plain binary number; its width is the
/// [`PointCodeFormat`] of the network it lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PointCode(u32);

impl PointCode {
    /// A point code of `format`, or an error if `value` does not fit.
    pub fn new(format: PointCodeFormat, value: u32) -> Result<PointCode, LabelError> {
        if value > format.max() {
            return Err(LabelError::PointCodeTooWide { value, bits: format.bits() });
        }
        Ok(PointCode(value))
    }

    /// A China point code from its three parts (main signalling area, area, point).
    pub fn china(main_area: u8, area: u8, point: u8) -> PointCode {
        PointCode(u32::from(main_area) << 16 | u32::from(area) << 8 | u32::from(point))
    }

    /// An ITU point code from zone (3 bits), area (8 bits) and point (3 bits).
    pub fn itu(zone: u8, area: u8, point: u8) -> Result<PointCode, LabelError> {
        if zone > 7 || point > 7 {
            return Err(LabelError::PointCodeTooWide { value: u32::from(zone.max(point)), bits: 3 });
        }
        Ok(PointCode(u32::from(zone) << 11 | u32::from(area) << 3 | u32::from(point)))
    }

    pub fn value(self) -> u32 {
        self.0
    }

    /// The code as operators write it: 3-8-3 for ITU, 8-8-8 for China.
    pub fn display(self, format: PointCodeFormat) -> impl fmt::Display {
        struct Shown(u32, PointCodeFormat);
        impl fmt::Display for Shown {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let v = self.0;
                match self.1 {
                    PointCodeFormat::Itu14 => write!(f, "{}-{}-{}", v >> 11 & 7, v >> 3 & 0xFF, v & 7),
                    PointCodeFormat::China24 => {
                        write!(f, "{}-{}-{}", v >> 16 & 0xFF, v >> 8 & 0xFF, v & 0xFF)
                    }
                }
            }
        }
        Shown(self.0, format)
    }
}

/// Q.704 §14.2.1 service indicator: which user part a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceIndicator {
    /// Signalling network management (SNM).
    Management,
    /// Signalling network testing and maintenance (SLTM/SLTA).
    Testing,
    /// Special testing and maintenance (used nationally, e.g. in China for SLTM).
    SpecialTesting,
    Sccp,
    Tup,
    Isup,
    DupCall,
    DupFacility,
    MtpTest,
    BroadbandIsup,
    SatelliteIsup,
    Aal2,
    Bicc,
    Gcp,
    /// A code this stack has no user part for; kept so it round-trips.
    Unknown(u8),
}

impl ServiceIndicator {
    pub fn from_code(code: u8) -> ServiceIndicator {
        use ServiceIndicator::*;
        match code & 0x0F {
            0 => Management,
            1 => Testing,
            2 => SpecialTesting,
            3 => Sccp,
            4 => Tup,
            5 => Isup,
            6 => DupCall,
            7 => DupFacility,
            8 => MtpTest,
            9 => BroadbandIsup,
            10 => SatelliteIsup,
            12 => Aal2,
            13 => Bicc,
            14 => Gcp,
            other => Unknown(other),
        }
    }

    pub fn code(self) -> u8 {
        use ServiceIndicator::*;
        match self {
            Management => 0,
            Testing => 1,
            SpecialTesting => 2,
            Sccp => 3,
            Tup => 4,
            Isup => 5,
            DupCall => 6,
            DupFacility => 7,
            MtpTest => 8,
            BroadbandIsup => 9,
            SatelliteIsup => 10,
            Aal2 => 12,
            Bicc => 13,
            Gcp => 14,
            Unknown(c) => c & 0x0F,
        }
    }
}

/// Q.704 §14.2.2 network indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetworkIndicator {
    International,
    InternationalSpare,
    National,
    NationalSpare,
}

impl NetworkIndicator {
    pub fn from_code(code: u8) -> NetworkIndicator {
        match code & 3 {
            0 => NetworkIndicator::International,
            1 => NetworkIndicator::InternationalSpare,
            2 => NetworkIndicator::National,
            _ => NetworkIndicator::NationalSpare,
        }
    }

    pub fn code(self) -> u8 {
        match self {
            NetworkIndicator::International => 0,
            NetworkIndicator::InternationalSpare => 1,
            NetworkIndicator::National => 2,
            NetworkIndicator::NationalSpare => 3,
        }
    }
}

/// The service information octet: SI in bits 1–4, priority (national use) in 5–6, NI in 7–8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sio {
    pub ni: NetworkIndicator,
    /// Message priority in national networks that use it (0–3); 0 elsewhere.
    pub priority: u8,
    pub si: ServiceIndicator,
}

impl Sio {
    pub fn from_octet(o: u8) -> Sio {
        Sio {
            ni: NetworkIndicator::from_code(o >> 6),
            priority: o >> 4 & 3,
            si: ServiceIndicator::from_code(o),
        }
    }

    pub fn to_octet(self) -> u8 {
        self.ni.code() << 6 | (self.priority & 3) << 4 | self.si.code()
    }
}

/// The routing label at the head of every MSU's signalling information field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RoutingLabel {
    pub dpc: PointCode,
    pub opc: PointCode,
    /// Signalling link selection, 4 bits.
    pub sls: u8,
}

impl RoutingLabel {
    /// Reads a label in `format` from the front of `sif`; returns it and what follows.
    pub fn parse(format: PointCodeFormat, sif: &[u8]) -> Result<(RoutingLabel, &[u8]), LabelError> {
        let len = format.label_len();
        if sif.len() < len {
            return Err(LabelError::Truncated { needed: len, got: sif.len() });
        }
        let label = match format {
            PointCodeFormat::Itu14 => {
                let word = u32::from_le_bytes([sif[0], sif[1], sif[2], sif[3]]);
                RoutingLabel {
                    dpc: PointCode(word & 0x3FFF),
                    opc: PointCode(word >> 14 & 0x3FFF),
                    sls: (word >> 28) as u8,
                }
            }
            PointCodeFormat::China24 => {
                let pc = |o: &[u8]| PointCode(u32::from(o[0]) | u32::from(o[1]) << 8 | u32::from(o[2]) << 16);
                RoutingLabel { dpc: pc(&sif[0..3]), opc: pc(&sif[3..6]), sls: sif[6] & 0x0F }
            }
        };
        Ok((label, &sif[len..]))
    }

    /// Writes the label in `format` to the front of `out`; returns the octets written.
    pub fn emit(&self, format: PointCodeFormat, out: &mut [u8]) -> Result<usize, LabelError> {
        let len = format.label_len();
        if out.len() < len {
            return Err(LabelError::Truncated { needed: len, got: out.len() });
        }
        for pc in [self.dpc, self.opc] {
            PointCode::new(format, pc.0)?;
        }
        if self.sls > 0x0F {
            return Err(LabelError::SlsTooWide(self.sls));
        }
        match format {
            PointCodeFormat::Itu14 => {
                let word = self.dpc.0 | self.opc.0 << 14 | u32::from(self.sls) << 28;
                out[..4].copy_from_slice(&word.to_le_bytes());
            }
            PointCodeFormat::China24 => {
                out[0..3].copy_from_slice(&self.dpc.0.to_le_bytes()[..3]);
                out[3..6].copy_from_slice(&self.opc.0.to_le_bytes()[..3]);
                out[6] = self.sls;
            }
        }
        Ok(len)
    }

    /// The label of a reply: the two point codes swapped, the same link selection.
    pub fn reversed(&self) -> RoutingLabel {
        RoutingLabel { dpc: self.opc, opc: self.dpc, sls: self.sls }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelError {
    Truncated { needed: usize, got: usize },
    PointCodeTooWide { value: u32, bits: u32 },
    SlsTooWide(u8),
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabelError::Truncated { needed, got } => {
                write!(f, "routing label needs {needed} octets, {got} present")
            }
            LabelError::PointCodeTooWide { value, bits } => {
                write!(f, "point code {value} does not fit in {bits} bits")
            }
            LabelError::SlsTooWide(sls) => write!(f, "SLS {sls} does not fit in 4 bits"),
        }
    }
}

impl std::error::Error for LabelError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_label_decodes_as_tshark_does() {
        let octets = [0x85, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x21, 0x00];
        let sio = Sio::from_octet(octets[0]);
        assert_eq!(sio, Sio { ni: NetworkIndicator::National, priority: 0, si: ServiceIndicator::Isup });
        let (label, rest) = RoutingLabel::parse(PointCodeFormat::China24, &octets[1..]).unwrap();
        assert_eq!(label.dpc, PointCode::china(3, 2, 1));
        assert_eq!(label.opc, PointCode::china(6, 5, 4));
        assert_eq!(label.sls, 7);
        assert_eq!(rest, &[0x21, 0x00]);
        assert_eq!(label.dpc.display(PointCodeFormat::China24).to_string(), "3-2-1");
        let mut out = [0u8; 7];
        assert_eq!(label.emit(PointCodeFormat::China24, &mut out), Ok(7));
        assert_eq!(out, [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);
        assert_eq!(sio.to_octet(), 0x85);
    }

    #[test]
    fn itu_label_packs_dpc_opc_and_sls_into_one_word() {
        // DPC 0x0123, OPC 0x2ABC, SLS 9: word = 0x123 | 0x2ABC << 14 | 9 << 28 = 0x9AAF0123.
        let label = RoutingLabel { dpc: PointCode(0x0123), opc: PointCode(0x2ABC), sls: 9 };
        let mut out = [0u8; 4];
        assert_eq!(label.emit(PointCodeFormat::Itu14, &mut out), Ok(4));
        assert_eq!(out, [0x23, 0x01, 0xAF, 0x9A]);
        let (back, rest) = RoutingLabel::parse(PointCodeFormat::Itu14, &out).unwrap();
        assert_eq!(back, label);
        assert!(rest.is_empty());
        assert_eq!(PointCode::itu(2, 0x24, 3).unwrap().display(PointCodeFormat::Itu14).to_string(), "2-36-3");
    }

    #[test]
    fn bad_labels_are_errors_not_panics() {
        assert_eq!(
            RoutingLabel::parse(PointCodeFormat::China24, &[1, 2, 3]),
            Err(LabelError::Truncated { needed: 7, got: 3 })
        );
        let wide = RoutingLabel { dpc: PointCode::china(1, 0, 0), opc: PointCode(1), sls: 0 };
        assert_eq!(
            wide.emit(PointCodeFormat::Itu14, &mut [0; 4]),
            Err(LabelError::PointCodeTooWide { value: 0x10000, bits: 14 })
        );
        let sls = RoutingLabel { dpc: PointCode(1), opc: PointCode(2), sls: 16 };
        assert_eq!(sls.emit(PointCodeFormat::Itu14, &mut [0; 4]), Err(LabelError::SlsTooWide(16)));
        assert_eq!(
            PointCode::new(PointCodeFormat::Itu14, 0x4000),
            Err(LabelError::PointCodeTooWide { value: 0x4000, bits: 14 })
        );
        assert_eq!(ServiceIndicator::from_code(11), ServiceIndicator::Unknown(11));
        assert_eq!(ServiceIndicator::Unknown(11).code(), 11);
    }

    #[test]
    fn the_widest_point_codes_and_sls_fit_both_labels() {
        let itu = RoutingLabel { dpc: PointCode(0x3FFF), opc: PointCode(0x3FFF), sls: 15 };
        let mut out = [0u8; 4];
        assert_eq!(itu.emit(PointCodeFormat::Itu14, &mut out), Ok(4));
        assert_eq!(out, [0xFF; 4]);
        assert_eq!(RoutingLabel::parse(PointCodeFormat::Itu14, &out), Ok((itu, &[][..])));
        let china = RoutingLabel { dpc: PointCode(0xFF_FFFF), opc: PointCode(0), sls: 15 };
        let mut out = [0u8; 8];
        assert_eq!(china.emit(PointCodeFormat::China24, &mut out), Ok(7));
        assert_eq!(out, [0xFF, 0xFF, 0xFF, 0, 0, 0, 0x0F, 0]);
        let (back, rest) = RoutingLabel::parse(PointCodeFormat::China24, &out).unwrap();
        assert_eq!((back, rest), (china, &[0u8][..]));
        assert_eq!(
            PointCode::new(PointCodeFormat::China24, 0x100_0000),
            Err(LabelError::PointCodeTooWide { value: 0x100_0000, bits: 24 })
        );
        // The spare high nibble of the China SLS octet is not part of the SLS.
        let (label, _) = RoutingLabel::parse(PointCodeFormat::China24, &[1, 0, 0, 2, 0, 0, 0xA5]).unwrap();
        assert_eq!(label.sls, 5);
        assert_eq!(
            RoutingLabel::parse(PointCodeFormat::Itu14, &[1, 2, 3]),
            Err(LabelError::Truncated { needed: 4, got: 3 })
        );
    }
}
