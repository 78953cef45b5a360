//! What MTP3 and its user parts (ISUP, TUP) hand each other: the MTP-TRANSFER request and
//! indication, and the MTP-PAUSE, MTP-RESUME and MTP-STATUS indications (Q.701 §8, Q.704 §2).
//!
//! Every type here is a plain `Copy` value with its octets inline, so passing one up or down
//! never allocates.

use crate::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio};
use core::fmt;

/// The longest signalling information field of an MSU (Q.703 §2.3.8: 272 octets).
pub const MAX_SIF: usize = 272;

/// The octets of a user-part message that follow the routing label, held inline.
#[derive(Clone, Copy)]
pub struct Payload {
    len: u16,
    octets: [u8; MAX_SIF],
}

impl Payload {
    /// An empty payload.
    pub const EMPTY: Payload = Payload { len: 0, octets: [0; MAX_SIF] };

    /// A copy of `octets`, or `None` when longer than [`MAX_SIF`].
    pub fn new(octets: &[u8]) -> Option<Payload> {
        let mut payload = Payload::EMPTY;
        payload.octets.get_mut(..octets.len())?.copy_from_slice(octets);
        payload.len = octets.len() as u16;
        Some(payload)
    }

    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        &self.octets[..usize::from(self.len)]
    }

    /// How many octets.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for Payload {
    fn default() -> Self {
        Payload::EMPTY
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Payload {}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Payload({:02x?})", self.as_slice())
    }
}

/// One user-part message: MTP-TRANSFER request (user part to MTP) or indication (MTP to the
/// user part). The signalling information field on the wire is the routing label followed by
/// `payload`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    /// Network indicator of the service information octet.
    pub ni: NetworkIndicator,
    /// Message priority bits of the SIO (national use; 0 otherwise).
    pub priority: u8,
    /// Which user part the message belongs to.
    pub si: ServiceIndicator,
    /// DPC, OPC and SLS.
    pub label: RoutingLabel,
    /// The high four bits of the seventh label octet of the China 24-bit format, spare for
    /// MTP (TUP carries bits 4–7 of its CIC there). Always 0 in the ITU format.
    pub label_spare: u8,
    /// The octets after the routing label.
    pub payload: Payload,
}

impl Transfer {
    /// The service information octet of this message.
    pub fn sio(&self) -> Sio {
        Sio { ni: self.ni, priority: self.priority, si: self.si }
    }

    /// Reads a message from an MSU's service information octet and signalling information
    /// field (label first), in point-code `format`.
    pub fn parse(format: PointCodeFormat, sio: u8, sif: &[u8]) -> Result<Transfer, TransferError> {
        if sif.len() > MAX_SIF {
            return Err(TransferError::TooLong { len: sif.len() });
        }
        let sio = Sio::from_octet(sio);
        let (label, rest) = RoutingLabel::parse(format, sif).map_err(TransferError::Label)?;
        let label_spare = match format {
            PointCodeFormat::Itu14 => 0,
            PointCodeFormat::China24 => sif.get(6).map_or(0, |o| o >> 4),
        };
        let payload = Payload::new(rest).ok_or(TransferError::TooLong { len: sif.len() })?;
        Ok(Transfer { ni: sio.ni, priority: sio.priority, si: sio.si, label, label_spare, payload })
    }

    /// Writes the signalling information field (label, then payload) to `out`; returns its
    /// length.
    pub fn emit_sif(&self, format: PointCodeFormat, out: &mut [u8]) -> Result<usize, TransferError> {
        let label_len = format.label_len();
        let len = label_len + self.payload.len();
        if len > MAX_SIF {
            return Err(TransferError::TooLong { len });
        }
        if out.len() < len {
            return Err(TransferError::Label(crate::label::LabelError::Truncated {
                needed: len,
                got: out.len(),
            }));
        }
        self.label.emit(format, out).map_err(TransferError::Label)?;
        if format == PointCodeFormat::China24 {
            out[6] |= (self.label_spare & 0x0F) << 4;
        }
        out[label_len..len].copy_from_slice(self.payload.as_slice());
        Ok(len)
    }
}

/// Why a transfer request was refused or a received message could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferError {
    /// The routing label is short or does not fit the network's point-code format.
    Label(crate::label::LabelError),
    /// Label and payload exceed the 272-octet signalling information field.
    TooLong { len: usize },
    /// No route to the destination is available (the user part was told with MTP-PAUSE).
    Unreachable(PointCode),
    /// The destination is not one this signalling point has a route set for.
    UnknownDestination(PointCode),
    /// The outgoing buffers of the chosen link are full.
    Congested,
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::Label(error) => write!(f, "routing label: {error}"),
            TransferError::TooLong { len } => {
                write!(f, "signalling information field of {len} octets exceeds {MAX_SIF}")
            }
            TransferError::Unreachable(pc) => write!(f, "destination {} is inaccessible", pc.value()),
            TransferError::UnknownDestination(pc) => write!(f, "no route set to {}", pc.value()),
            TransferError::Congested => write!(f, "signalling link buffers are full"),
        }
    }
}

impl std::error::Error for TransferError {}

/// Why a user part at a destination cannot take messages (Q.704 §2.4.2, the UPU cause).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnavailabilityCause {
    /// 0: unknown.
    Unknown,
    /// 1: the user part is not equipped there.
    Unequipped,
    /// 2: the user part is equipped but inaccessible.
    Inaccessible,
    /// Any other 4-bit code.
    Other(u8),
}

impl UnavailabilityCause {
    /// From the 4-bit code.
    pub fn from_code(code: u8) -> UnavailabilityCause {
        match code & 0x0F {
            0 => UnavailabilityCause::Unknown,
            1 => UnavailabilityCause::Unequipped,
            2 => UnavailabilityCause::Inaccessible,
            other => UnavailabilityCause::Other(other),
        }
    }

    /// The 4-bit code.
    pub fn code(self) -> u8 {
        match self {
            UnavailabilityCause::Unknown => 0,
            UnavailabilityCause::Unequipped => 1,
            UnavailabilityCause::Inaccessible => 2,
            UnavailabilityCause::Other(code) => code & 0x0F,
        }
    }
}

/// What MTP-STATUS reports about a destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DestinationStatus {
    /// The signalling route toward it is congested (TFC, or our own link congestion), with the
    /// congestion level (0 when the network uses no levels).
    Congested { level: u8 },
    /// The user part `si` there is unavailable (UPU received).
    UserPartUnavailable { si: ServiceIndicator, cause: UnavailabilityCause },
}

/// What MTP3 tells a user part.
// Transfers travel inline (no allocation per message), so this variant is the large one.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indication {
    /// MTP-TRANSFER indication: a message for this user part.
    Transfer(Transfer),
    /// MTP-PAUSE: the destination became inaccessible; stop sending to it.
    Pause(PointCode),
    /// MTP-RESUME: the destination is accessible again.
    Resume(PointCode),
    /// MTP-STATUS: the destination is reachable but congested, or a user part there is not.
    Status { dpc: PointCode, status: DestinationStatus },
}

impl Indication {
    /// The service indicator a transfer is for; `None` for PAUSE, RESUME and STATUS, which
    /// concern every user part.
    pub fn service(&self) -> Option<ServiceIndicator> {
        match self {
            Indication::Transfer(transfer) => Some(transfer.si),
            Indication::Pause(_) | Indication::Resume(_) => None,
            Indication::Status { status: DestinationStatus::UserPartUnavailable { si, .. }, .. } => Some(*si),
            Indication::Status { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_china_tup_label_keeps_its_spare_nibble_both_ways() {
        // SIO 0x84 (national, TUP), DPC 3-2-1, OPC 6-5-4, octet 7 = 0xA7 (SLS 7, spare 0xA),
        // then the message heading IAM (0x11).
        let sif = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0xA7, 0x00, 0x11];
        let transfer = Transfer::parse(PointCodeFormat::China24, 0x84, &sif).unwrap();
        assert_eq!(transfer.si, ServiceIndicator::Tup);
        assert_eq!(transfer.ni, NetworkIndicator::National);
        assert_eq!(transfer.label.dpc, PointCode::china(3, 2, 1));
        assert_eq!(transfer.label.opc, PointCode::china(6, 5, 4));
        assert_eq!((transfer.label.sls, transfer.label_spare), (7, 0xA));
        assert_eq!(transfer.payload.as_slice(), &[0x00, 0x11]);
        let mut out = [0u8; MAX_SIF];
        assert_eq!(transfer.emit_sif(PointCodeFormat::China24, &mut out), Ok(9));
        assert_eq!(&out[..9], &sif);
        assert_eq!(transfer.sio().to_octet(), 0x84);
    }

    #[test]
    fn an_itu_message_round_trips_and_limits_are_errors() {
        let sif = [0x23, 0x01, 0xAF, 0x9A, 0x01, 0x02];
        let transfer = Transfer::parse(PointCodeFormat::Itu14, 0x05, &sif).unwrap();
        assert_eq!(
            (transfer.label.dpc.value(), transfer.label.opc.value(), transfer.label.sls),
            (0x123, 0x2ABC, 9)
        );
        assert_eq!(transfer.label_spare, 0);
        let mut out = [0u8; 6];
        assert_eq!(transfer.emit_sif(PointCodeFormat::Itu14, &mut out), Ok(6));
        assert_eq!(out, sif);
        assert!(transfer.emit_sif(PointCodeFormat::Itu14, &mut [0; 5]).is_err());

        let long = [0u8; MAX_SIF + 1];
        assert_eq!(
            Transfer::parse(PointCodeFormat::Itu14, 5, &long),
            Err(TransferError::TooLong { len: 273 })
        );
        assert!(Transfer::parse(PointCodeFormat::Itu14, 5, &long[..MAX_SIF]).is_ok());
        let mut big = transfer;
        big.payload = Payload::new(&[0; MAX_SIF - 4]).unwrap();
        assert_eq!(big.emit_sif(PointCodeFormat::Itu14, &mut [0; MAX_SIF]), Ok(MAX_SIF));
        big.payload = Payload::new(&[0; MAX_SIF - 3]).unwrap();
        assert_eq!(
            big.emit_sif(PointCodeFormat::Itu14, &mut [0; MAX_SIF + 8]),
            Err(TransferError::TooLong { len: 273 })
        );
        assert!(Payload::new(&[0; MAX_SIF + 1]).is_none());
        assert_eq!(
            Transfer::parse(PointCodeFormat::China24, 5, &[1, 2, 3]),
            Err(TransferError::Label(crate::label::LabelError::Truncated { needed: 7, got: 3 }))
        );
    }

    #[test]
    fn unavailability_causes_round_trip_their_codes() {
        for code in 0..16 {
            assert_eq!(UnavailabilityCause::from_code(code).code(), code);
        }
        assert_eq!(UnavailabilityCause::from_code(1), UnavailabilityCause::Unequipped);
        assert_eq!(UnavailabilityCause::from_code(2), UnavailabilityCause::Inaccessible);
    }
}
