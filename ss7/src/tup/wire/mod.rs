//! TUP wire format (Q.723; China: GF 001-9001, built on Q.721–Q.725 of the Blue Book):
//! the label with its circuit identification code, the heading (H0 in the low nibble, H1 in
//! the high one) and each message's signals.
//!
//! The TUP label *is* the MTP routing label extended by the CIC: ITU 40 bits (DPC 14, OPC 14,
//! CIC 12, the CIC's four low bits doubling as the SLS), China 64 bits (DPC 24, OPC 24, CIC
//! 12, 4 spare). [`Label`] reads and writes it on top of [`crate::label::RoutingLabel`].

mod codes;
mod message;

pub use codes::MessageType;
pub use message::*;

use crate::label::{LabelError, PointCode, PointCodeFormat, RoutingLabel};
use core::fmt;

/// Which TUP: the variant decides the label and point code width, and whether the national
/// (China) message groups are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    /// ITU-T Q.721–Q.725: 14-bit point codes, 40-bit label.
    Itu,
    /// China national TUP (GF 001-9001): 24-bit point codes, 64-bit label, the national
    /// groups H0 = C–F (MPM, OPR, SLB, STB, MAL).
    China,
}

impl Variant {
    /// The point code format.
    pub const fn point_codes(self) -> PointCodeFormat {
        match self {
            Variant::Itu => PointCodeFormat::Itu14,
            Variant::China => PointCodeFormat::China24,
        }
    }

    /// Octets of the label.
    pub const fn label_len(self) -> usize {
        match self {
            Variant::Itu => 5,
            Variant::China => 8,
        }
    }
}

/// The TUP label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Label {
    /// Destination point code.
    pub dpc: PointCode,
    /// Originating point code.
    pub opc: PointCode,
    /// Circuit identification code (12 bits).
    pub cic: u16,
}

impl Label {
    /// Reads the label of `variant` from the front of `sif`; returns it and what follows.
    pub fn parse(variant: Variant, sif: &[u8]) -> Result<(Label, &[u8]), TupError> {
        let len = variant.label_len();
        if sif.len() < len {
            return Err(TupError::Truncated { needed: len, got: sif.len() });
        }
        let (routing, _) = RoutingLabel::parse(variant.point_codes(), sif)?;
        let cic = match variant {
            Variant::Itu => u16::from(routing.sls) | u16::from(sif[4]) << 4,
            Variant::China => u16::from(sif[6]) | u16::from(sif[7] & 0x0F) << 8,
        };
        Ok((Label { dpc: routing.dpc, opc: routing.opc, cic }, &sif[len..]))
    }

    /// Writes the label of `variant` to the front of `out`; returns the octets written.
    pub fn emit(&self, variant: Variant, out: &mut [u8]) -> Result<usize, TupError> {
        let len = variant.label_len();
        if out.len() < len {
            return Err(TupError::BufferTooSmall);
        }
        if self.cic > 0x0FFF {
            return Err(TupError::CicTooWide(self.cic));
        }
        let routing = RoutingLabel { dpc: self.dpc, opc: self.opc, sls: (self.cic & 0x0F) as u8 };
        routing.emit(variant.point_codes(), out)?;
        match variant {
            Variant::Itu => out[4] = (self.cic >> 4) as u8,
            Variant::China => {
                out[6] = self.cic as u8;
                out[7] = (self.cic >> 8) as u8;
            }
        }
        Ok(len)
    }

    /// The label of a reply on the same circuit.
    pub fn reversed(&self) -> Label {
        Label { dpc: self.opc, opc: self.dpc, cic: self.cic }
    }
}

/// Why a TUP message could not be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TupError {
    /// Fewer octets than the message needs.
    Truncated {
        /// Octets needed (from the start of the label).
        needed: usize,
        /// Octets present.
        got: usize,
    },
    /// Octets left over after the message's last field.
    TrailingOctets {
        /// How many.
        count: usize,
    },
    /// The routing label part was refused.
    Label(LabelError),
    /// A CIC wider than 12 bits.
    CicTooWide(u16),
    /// More address signals than a field's 4-bit count can say (15).
    TooManySignals(usize),
    /// A field whose value breaks its format.
    BadField(&'static str),
    /// An IAI indicator announces a field this stack does not decode (network capability or
    /// user facility information, closed user group, additional calling party or routing
    /// information, charging information: "for further study" in the China TUP).
    UnsupportedField(&'static str),
    /// The output buffer is too short.
    BufferTooSmall,
}

impl From<LabelError> for TupError {
    fn from(error: LabelError) -> Self {
        TupError::Label(error)
    }
}

impl From<crate::circuit::octets::BufferTooSmall> for TupError {
    fn from(_: crate::circuit::octets::BufferTooSmall) -> Self {
        TupError::BufferTooSmall
    }
}

impl fmt::Display for TupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TupError::Truncated { needed, got } => {
                write!(f, "TUP message needs {needed} octets, {got} present")
            }
            TupError::TrailingOctets { count } => write!(f, "{count} octets after the last field"),
            TupError::Label(error) => write!(f, "label: {error}"),
            TupError::CicTooWide(cic) => write!(f, "CIC {cic} does not fit in 12 bits"),
            TupError::TooManySignals(n) => write!(f, "{n} address signals do not fit a 4-bit count"),
            TupError::BadField(field) => write!(f, "malformed {field}"),
            TupError::UnsupportedField(field) => write!(f, "IAI field not supported: {field}"),
            TupError::BufferTooSmall => write!(f, "output buffer too small"),
        }
    }
}

impl std::error::Error for TupError {}

#[cfg(test)]
mod tests;
