//! Signalling network management messages (Q.704 §15, SI = 0) and signalling link test
//! messages (Q.707 §5, SI = 1 or 2), as the octets that follow the routing label.
//!
//! Every message starts with the heading octet H1 H0 (H0 in the low four bits). The fields
//! after it depend on the point-code format: an affected destination takes 2 octets in the
//! ITU format (14 bits, least significant octet first, 2 spare bits) and 3 octets in the China
//! format; everything else is laid out as in Q.704 for both (tshark's "Chinese ITU" MTP3
//! management dissector reads them the same way).

use super::transfer::UnavailabilityCause;
use crate::label::{PointCode, PointCodeFormat, ServiceIndicator};
use core::fmt;

/// A signalling network management message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnmMessage {
    /// Changeover order, with the FSN of the last MSU accepted on the unavailable link.
    Coo { fsn: u8 },
    /// Changeover acknowledgement, with the FSN of the last MSU accepted.
    Coa { fsn: u8 },
    /// Changeback declaration, with its changeback code.
    Cbd { code: u8 },
    /// Changeback acknowledgement, echoing the code.
    Cba { code: u8 },
    /// Emergency changeover order (no FSN available).
    Eco,
    /// Emergency changeover acknowledgement.
    Eca,
    /// Signalling route set congestion test.
    Rct,
    /// Transfer controlled: the route toward `destination` is congested (`status`: level, 0–3,
    /// where the network uses levels).
    Tfc { destination: PointCode, status: u8 },
    /// Transfer prohibited.
    Tfp { destination: PointCode },
    /// Transfer restricted.
    Tfr { destination: PointCode },
    /// Transfer allowed.
    Tfa { destination: PointCode },
    /// Route set test for a prohibited destination.
    Rst { destination: PointCode },
    /// Route set test for a restricted destination.
    Rsr { destination: PointCode },
    /// Link inhibit.
    Lin,
    /// Link uninhibit.
    Lun,
    /// Link inhibit acknowledgement.
    Lia,
    /// Link uninhibit acknowledgement.
    Lua,
    /// Link inhibit denied.
    Lid,
    /// Link forced uninhibit.
    Lfu,
    /// Link local inhibit test.
    Llt,
    /// Link remote inhibit test.
    Lrt,
    /// Traffic restart allowed.
    Tra,
    /// User part unavailable at `destination`.
    Upu { destination: PointCode, user: ServiceIndicator, cause: UnavailabilityCause },
    /// A heading this stack does not act on; kept so that it can be counted and traced.
    Other { heading: u8 },
}

/// A signalling link test message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestMessage {
    /// Signalling link test message.
    Sltm(TestPattern),
    /// Signalling link test acknowledgement (echoes the pattern).
    Slta(TestPattern),
}

/// The 1 to 15 octets of an SLTM's test pattern.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TestPattern {
    len: u8,
    octets: [u8; 15],
}

impl TestPattern {
    /// `octets` as a pattern, or `None` when empty or longer than 15.
    pub fn new(octets: &[u8]) -> Option<TestPattern> {
        if octets.is_empty() || octets.len() > 15 {
            return None;
        }
        let mut pattern = TestPattern { len: octets.len() as u8, octets: [0; 15] };
        pattern.octets[..octets.len()].copy_from_slice(octets);
        Some(pattern)
    }

    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        &self.octets[..usize::from(self.len)]
    }
}

impl fmt::Debug for TestPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TestPattern({:02x?})", self.as_slice())
    }
}

/// Why a management or test message could not be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageError {
    /// Fewer octets than the message needs.
    Truncated { heading: u8, needed: usize, got: usize },
    /// No heading octet at all.
    Empty,
    /// A test message whose length indicator is 0 or whose heading is not SLTM or SLTA.
    BadTestMessage { heading: u8 },
    /// The output buffer is too small, or a point code does not fit the format.
    CannotEmit,
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::Truncated { heading, needed, got } => {
                write!(f, "management message {heading:#04x} needs {needed} octets, {got} present")
            }
            MessageError::Empty => write!(f, "management message without a heading"),
            MessageError::BadTestMessage { heading } => {
                write!(f, "malformed link test message {heading:#04x}")
            }
            MessageError::CannotEmit => write!(f, "message does not fit the buffer or the point-code format"),
        }
    }
}

impl std::error::Error for MessageError {}

/// Headings (H1 << 4 | H0), Q.704 §15.
pub mod heading {
    pub const COO: u8 = 0x11;
    pub const COA: u8 = 0x21;
    pub const CBD: u8 = 0x51;
    pub const CBA: u8 = 0x61;
    pub const ECO: u8 = 0x12;
    pub const ECA: u8 = 0x22;
    pub const RCT: u8 = 0x13;
    pub const TFC: u8 = 0x23;
    pub const TFP: u8 = 0x14;
    pub const TFR: u8 = 0x34;
    pub const TFA: u8 = 0x54;
    pub const RST: u8 = 0x15;
    pub const RSR: u8 = 0x25;
    pub const LIN: u8 = 0x16;
    pub const LUN: u8 = 0x26;
    pub const LIA: u8 = 0x36;
    pub const LUA: u8 = 0x46;
    pub const LID: u8 = 0x56;
    pub const LFU: u8 = 0x66;
    pub const LLT: u8 = 0x76;
    pub const LRT: u8 = 0x86;
    pub const TRA: u8 = 0x17;
    pub const UPU: u8 = 0x1A;
    pub const SLTM: u8 = 0x11;
    pub const SLTA: u8 = 0x21;
}

fn pc_len(format: PointCodeFormat) -> usize {
    match format {
        PointCodeFormat::Itu14 => 2,
        PointCodeFormat::China24 => 3,
    }
}

/// Reads an affected point code; returns it and the bits above it in the last octet (ITU:
/// the 2 spare bits, where TFC carries its status).
fn read_pc(format: PointCodeFormat, octets: &[u8]) -> (PointCode, u8) {
    match format {
        PointCodeFormat::Itu14 => {
            let word = u16::from_le_bytes([octets[0], octets[1]]);
            let value = word & 0x3FFF;
            // A point code is its plain value; 14 bits built from two octets are always valid.
            (PointCode::china(0, (value >> 8) as u8, value as u8), (word >> 14) as u8)
        }
        PointCodeFormat::China24 => {
            let value = u32::from(octets[0]) | u32::from(octets[1]) << 8 | u32::from(octets[2]) << 16;
            (PointCode::china((value >> 16) as u8, (value >> 8) as u8, value as u8), 0)
        }
    }
}

fn write_pc(
    format: PointCodeFormat,
    pc: PointCode,
    high_bits: u8,
    out: &mut [u8],
) -> Result<(), MessageError> {
    PointCode::new(format, pc.value()).map_err(|_| MessageError::CannotEmit)?;
    let value = pc.value();
    match format {
        PointCodeFormat::Itu14 => {
            let word = value as u16 | u16::from(high_bits & 3) << 14;
            out[..2].copy_from_slice(&word.to_le_bytes());
        }
        PointCodeFormat::China24 => out[..3].copy_from_slice(&value.to_le_bytes()[..3]),
    }
    Ok(())
}

impl SnmMessage {
    /// The heading octet.
    pub fn heading(&self) -> u8 {
        use SnmMessage::*;
        use heading as h;
        match self {
            Coo { .. } => h::COO,
            Coa { .. } => h::COA,
            Cbd { .. } => h::CBD,
            Cba { .. } => h::CBA,
            Eco => h::ECO,
            Eca => h::ECA,
            Rct => h::RCT,
            Tfc { .. } => h::TFC,
            Tfp { .. } => h::TFP,
            Tfr { .. } => h::TFR,
            Tfa { .. } => h::TFA,
            Rst { .. } => h::RST,
            Rsr { .. } => h::RSR,
            Lin => h::LIN,
            Lun => h::LUN,
            Lia => h::LIA,
            Lua => h::LUA,
            Lid => h::LID,
            Lfu => h::LFU,
            Llt => h::LLT,
            Lrt => h::LRT,
            Tra => h::TRA,
            Upu { .. } => h::UPU,
            Other { heading } => *heading,
        }
    }

    /// The standard's abbreviation.
    pub fn name(&self) -> &'static str {
        use SnmMessage::*;
        match self {
            Coo { .. } => "COO",
            Coa { .. } => "COA",
            Cbd { .. } => "CBD",
            Cba { .. } => "CBA",
            Eco => "ECO",
            Eca => "ECA",
            Rct => "RCT",
            Tfc { .. } => "TFC",
            Tfp { .. } => "TFP",
            Tfr { .. } => "TFR",
            Tfa { .. } => "TFA",
            Rst { .. } => "RST",
            Rsr { .. } => "RSR",
            Lin => "LIN",
            Lun => "LUN",
            Lia => "LIA",
            Lua => "LUA",
            Lid => "LID",
            Lfu => "LFU",
            Llt => "LLT",
            Lrt => "LRT",
            Tra => "TRA",
            Upu { .. } => "UPU",
            Other { .. } => "unknown",
        }
    }

    /// Reads a message (heading first) in point-code `format`. Octets beyond the message are
    /// ignored.
    pub fn parse(format: PointCodeFormat, octets: &[u8]) -> Result<SnmMessage, MessageError> {
        use heading as h;
        let (&first, rest) = octets.split_first().ok_or(MessageError::Empty)?;
        let need = |needed: usize| {
            if rest.len() < needed {
                Err(MessageError::Truncated { heading: first, needed: needed + 1, got: octets.len() })
            } else {
                Ok(())
            }
        };
        let pcl = pc_len(format);
        Ok(match first {
            h::COO | h::COA => {
                need(1)?;
                let fsn = rest[0] & 0x7F;
                if first == h::COO { SnmMessage::Coo { fsn } } else { SnmMessage::Coa { fsn } }
            }
            h::CBD | h::CBA => {
                need(1)?;
                if first == h::CBD {
                    SnmMessage::Cbd { code: rest[0] }
                } else {
                    SnmMessage::Cba { code: rest[0] }
                }
            }
            h::ECO => SnmMessage::Eco,
            h::ECA => SnmMessage::Eca,
            h::RCT => SnmMessage::Rct,
            h::TFC => {
                let (destination, status) = match format {
                    PointCodeFormat::Itu14 => {
                        need(2)?;
                        read_pc(format, rest)
                    }
                    PointCodeFormat::China24 => {
                        need(4)?;
                        (read_pc(format, rest).0, rest[3] & 0x03)
                    }
                };
                SnmMessage::Tfc { destination, status }
            }
            h::TFP | h::TFR | h::TFA | h::RST | h::RSR => {
                need(pcl)?;
                let destination = read_pc(format, rest).0;
                match first {
                    h::TFP => SnmMessage::Tfp { destination },
                    h::TFR => SnmMessage::Tfr { destination },
                    h::TFA => SnmMessage::Tfa { destination },
                    h::RST => SnmMessage::Rst { destination },
                    _ => SnmMessage::Rsr { destination },
                }
            }
            h::LIN => SnmMessage::Lin,
            h::LUN => SnmMessage::Lun,
            h::LIA => SnmMessage::Lia,
            h::LUA => SnmMessage::Lua,
            h::LID => SnmMessage::Lid,
            h::LFU => SnmMessage::Lfu,
            h::LLT => SnmMessage::Llt,
            h::LRT => SnmMessage::Lrt,
            h::TRA => SnmMessage::Tra,
            h::UPU => {
                need(pcl + 1)?;
                let destination = read_pc(format, rest).0;
                let octet = rest[pcl];
                SnmMessage::Upu {
                    destination,
                    user: ServiceIndicator::from_code(octet & 0x0F),
                    cause: UnavailabilityCause::from_code(octet >> 4),
                }
            }
            heading => SnmMessage::Other { heading },
        })
    }

    /// Writes the message (heading first) to `out`; returns its length.
    pub fn emit(&self, format: PointCodeFormat, out: &mut [u8]) -> Result<usize, MessageError> {
        let pcl = pc_len(format);
        let len = 1 + match self {
            SnmMessage::Coo { .. }
            | SnmMessage::Coa { .. }
            | SnmMessage::Cbd { .. }
            | SnmMessage::Cba { .. } => 1,
            SnmMessage::Tfc { .. } => match format {
                PointCodeFormat::Itu14 => 2,
                PointCodeFormat::China24 => 4,
            },
            SnmMessage::Tfp { .. }
            | SnmMessage::Tfr { .. }
            | SnmMessage::Tfa { .. }
            | SnmMessage::Rst { .. }
            | SnmMessage::Rsr { .. } => pcl,
            SnmMessage::Upu { .. } => pcl + 1,
            _ => 0,
        };
        if out.len() < len {
            return Err(MessageError::CannotEmit);
        }
        out[0] = self.heading();
        let body = &mut out[1..len];
        match *self {
            SnmMessage::Coo { fsn } | SnmMessage::Coa { fsn } => body[0] = fsn & 0x7F,
            SnmMessage::Cbd { code } | SnmMessage::Cba { code } => body[0] = code,
            SnmMessage::Tfc { destination, status } => match format {
                PointCodeFormat::Itu14 => write_pc(format, destination, status, body)?,
                PointCodeFormat::China24 => {
                    write_pc(format, destination, 0, body)?;
                    body[3] = status & 0x03;
                }
            },
            SnmMessage::Tfp { destination }
            | SnmMessage::Tfr { destination }
            | SnmMessage::Tfa { destination }
            | SnmMessage::Rst { destination }
            | SnmMessage::Rsr { destination } => write_pc(format, destination, 0, body)?,
            SnmMessage::Upu { destination, user, cause } => {
                write_pc(format, destination, 0, body)?;
                body[pcl] = user.code() | cause.code() << 4;
            }
            _ => {}
        }
        Ok(len)
    }
}

impl TestMessage {
    /// Reads an SLTM or SLTA (heading first). The SLC is not in the message in the ITU and
    /// China formats: the routing label's SLS field carries it.
    pub fn parse(octets: &[u8]) -> Result<TestMessage, MessageError> {
        let (&first, rest) = octets.split_first().ok_or(MessageError::Empty)?;
        let Some(&length_octet) = rest.first() else {
            return Err(MessageError::Truncated { heading: first, needed: 2, got: octets.len() });
        };
        let len = usize::from(length_octet >> 4);
        if rest.len() < 1 + len {
            return Err(MessageError::Truncated { heading: first, needed: 2 + len, got: octets.len() });
        }
        let pattern =
            TestPattern::new(&rest[1..1 + len]).ok_or(MessageError::BadTestMessage { heading: first })?;
        match first {
            heading::SLTM => Ok(TestMessage::Sltm(pattern)),
            heading::SLTA => Ok(TestMessage::Slta(pattern)),
            _ => Err(MessageError::BadTestMessage { heading: first }),
        }
    }

    /// Writes the message to `out`; returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, MessageError> {
        let (heading, pattern) = match self {
            TestMessage::Sltm(pattern) => (heading::SLTM, pattern),
            TestMessage::Slta(pattern) => (heading::SLTA, pattern),
        };
        let len = 2 + pattern.as_slice().len();
        if out.len() < len {
            return Err(MessageError::CannotEmit);
        }
        out[0] = heading;
        out[1] = (pattern.len) << 4;
        out[2..len].copy_from_slice(pattern.as_slice());
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITU: PointCodeFormat = PointCodeFormat::Itu14;
    const CHINA: PointCodeFormat = PointCodeFormat::China24;

    fn round_trip(format: PointCodeFormat, message: SnmMessage, octets: &[u8]) {
        assert_eq!(SnmMessage::parse(format, octets), Ok(message), "{}", message.name());
        let mut out = [0u8; 8];
        let len = message.emit(format, &mut out).unwrap();
        assert_eq!(&out[..len], octets, "{}", message.name());
    }

    #[test]
    fn changeover_and_changeback_messages() {
        round_trip(ITU, SnmMessage::Coo { fsn: 0x55 }, &[0x11, 0x55]);
        round_trip(CHINA, SnmMessage::Coa { fsn: 127 }, &[0x21, 0x7F]);
        round_trip(ITU, SnmMessage::Cbd { code: 200 }, &[0x51, 200]);
        round_trip(ITU, SnmMessage::Cba { code: 7 }, &[0x61, 7]);
        round_trip(ITU, SnmMessage::Eco, &[0x12]);
        round_trip(CHINA, SnmMessage::Eca, &[0x22]);
        round_trip(ITU, SnmMessage::Tra, &[0x17]);
        assert_eq!(
            SnmMessage::parse(ITU, &[0x11, 0xFF]),
            Ok(SnmMessage::Coo { fsn: 127 }),
            "spare bit ignored"
        );
    }

    #[test]
    fn route_messages_carry_14_or_24_bit_destinations() {
        let itu = PointCode::new(ITU, 0x2ABC).unwrap();
        round_trip(ITU, SnmMessage::Tfp { destination: itu }, &[0x14, 0xBC, 0x2A]);
        round_trip(ITU, SnmMessage::Tfa { destination: itu }, &[0x54, 0xBC, 0x2A]);
        round_trip(ITU, SnmMessage::Rst { destination: itu }, &[0x15, 0xBC, 0x2A]);
        round_trip(ITU, SnmMessage::Tfc { destination: itu, status: 2 }, &[0x23, 0xBC, 0xAA]);
        let china = PointCode::china(3, 2, 1);
        round_trip(CHINA, SnmMessage::Tfr { destination: china }, &[0x34, 0x01, 0x02, 0x03]);
        round_trip(CHINA, SnmMessage::Rsr { destination: china }, &[0x25, 0x01, 0x02, 0x03]);
        round_trip(CHINA, SnmMessage::Tfc { destination: china, status: 1 }, &[0x23, 0x01, 0x02, 0x03, 0x01]);
        round_trip(
            CHINA,
            SnmMessage::Upu {
                destination: china,
                user: ServiceIndicator::Isup,
                cause: UnavailabilityCause::Unequipped,
            },
            &[0x1A, 0x01, 0x02, 0x03, 0x15],
        );
        round_trip(
            ITU,
            SnmMessage::Upu {
                destination: itu,
                user: ServiceIndicator::Tup,
                cause: UnavailabilityCause::Inaccessible,
            },
            &[0x1A, 0xBC, 0x2A, 0x24],
        );
        assert!(
            SnmMessage::Tfp { destination: china }.emit(ITU, &mut [0; 8]).is_err(),
            "24 bits do not fit ITU"
        );
    }

    #[test]
    fn short_messages_are_errors_and_unknown_headings_are_kept() {
        assert_eq!(SnmMessage::parse(ITU, &[]), Err(MessageError::Empty));
        assert_eq!(
            SnmMessage::parse(ITU, &[0x11]),
            Err(MessageError::Truncated { heading: 0x11, needed: 2, got: 1 })
        );
        assert_eq!(
            SnmMessage::parse(CHINA, &[0x14, 1, 2]),
            Err(MessageError::Truncated { heading: 0x14, needed: 4, got: 3 })
        );
        assert_eq!(
            SnmMessage::parse(ITU, &[0x1A, 1, 2]).map(|_| ()),
            Err(MessageError::Truncated { heading: 0x1A, needed: 4, got: 3 })
        );
        assert_eq!(SnmMessage::parse(ITU, &[0x18, 1]), Ok(SnmMessage::Other { heading: 0x18 }));
        round_trip(ITU, SnmMessage::Lin, &[0x16]);
        round_trip(ITU, SnmMessage::Lid, &[0x56]);
    }

    #[test]
    fn link_test_messages_carry_their_pattern_length_in_the_high_nibble() {
        let pattern = TestPattern::new(b"2564286288").unwrap();
        let octets = [0x11, 0xA0, b'2', b'5', b'6', b'4', b'2', b'8', b'6', b'2', b'8', b'8'];
        assert_eq!(TestMessage::parse(&octets), Ok(TestMessage::Sltm(pattern)));
        let mut out = [0u8; 17];
        assert_eq!(TestMessage::Sltm(pattern).emit(&mut out), Ok(12));
        assert_eq!(out[..12], octets);
        assert_eq!(TestMessage::Slta(pattern).emit(&mut out), Ok(12));
        assert_eq!(out[0], 0x21);
        assert_eq!(
            TestMessage::parse(&[0x21, 0x10, 0xAB]),
            Ok(TestMessage::Slta(TestPattern::new(&[0xAB]).unwrap()))
        );
        assert_eq!(TestMessage::parse(&[0x11, 0x00]), Err(MessageError::BadTestMessage { heading: 0x11 }));
        assert_eq!(
            TestMessage::parse(&[0x11, 0x30, 1]),
            Err(MessageError::Truncated { heading: 0x11, needed: 5, got: 3 })
        );
        assert_eq!(TestMessage::parse(&[0x31, 0x10, 1]), Err(MessageError::BadTestMessage { heading: 0x31 }));
        assert!(TestPattern::new(&[0; 16]).is_none());
        assert!(TestPattern::new(&[]).is_none());
        assert_eq!(TestPattern::new(&[0; 15]).map(|p| p.as_slice().len()), Some(15));
    }
}
