//! Signal units (Q.703 §2): the fill-in (FISU), link status (LSSU) and message (MSU) signal
//! units as they travel between two flags, without the flags and the check bits (the soft HDLC
//! below adds and strips those).
//!
//! ```text
//! octet 1   BSN (bits 1–7)  BIB (bit 8)
//! octet 2   FSN (bits 1–7)  FIB (bit 8)
//! octet 3   LI  (bits 1–6)  spare (bits 7–8)
//! octet 4…  FISU: nothing · LSSU: status field (1 or 2 octets) · MSU: SIO, SIF (2–272 octets)
//! ```
//!
//! The length indicator says which: 0 a FISU, 1 or 2 an LSSU, 3 to 62 the number of octets
//! after it in an MSU, 63 an MSU of 63 octets or more. A signal unit whose length disagrees
//! with its LI is refused, as Q.703 §2.3.3 wants of the receiver.
//!
//! [`SignalUnit`] is a checked view over a buffer (accessors cannot panic once
//! [`SignalUnit::new_checked`] accepted it); [`SuRepr`] is the plain value parsed from and
//! emitted to it.

use core::fmt;

/// BSN, FSN and LI: the octets every signal unit starts with.
pub const HEADER_LEN: usize = 3;
/// The longest signalling information field (Q.703 §2.3.8).
pub const MAX_SIF: usize = 272;
/// The longest MSU body: the service information octet and the longest SIF.
pub const MAX_MSU_BODY: usize = 1 + MAX_SIF;
/// The longest signal unit between flags, without check bits.
pub const MAX_SU_LEN: usize = HEADER_LEN + MAX_MSU_BODY;
/// The LI of every MSU carrying 63 octets or more.
pub const LI_OVERFLOW: u8 = 63;
/// Sequence numbers count modulo 128.
pub const SEQUENCE_MODULUS: u8 = 128;

/// The status field of an LSSU (bits C, B, A of its first octet; Q.703 §11.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LssuStatus {
    /// SIO: out of alignment.
    OutOfAlignment,
    /// SIN: normal alignment.
    NormalAlignment,
    /// SIE: emergency alignment.
    EmergencyAlignment,
    /// SIOS: out of service.
    OutOfService,
    /// SIPO: processor outage.
    ProcessorOutage,
    /// SIB: busy.
    Busy,
    /// Codes 6 and 7, which Q.703 leaves spare.
    Spare(u8),
}

impl LssuStatus {
    /// From the three low bits of the status octet (the other bits are spare).
    pub const fn from_octet(octet: u8) -> LssuStatus {
        match octet & 0x07 {
            0 => LssuStatus::OutOfAlignment,
            1 => LssuStatus::NormalAlignment,
            2 => LssuStatus::EmergencyAlignment,
            3 => LssuStatus::OutOfService,
            4 => LssuStatus::ProcessorOutage,
            5 => LssuStatus::Busy,
            other => LssuStatus::Spare(other),
        }
    }

    /// The three-bit code.
    pub const fn code(self) -> u8 {
        match self {
            LssuStatus::OutOfAlignment => 0,
            LssuStatus::NormalAlignment => 1,
            LssuStatus::EmergencyAlignment => 2,
            LssuStatus::OutOfService => 3,
            LssuStatus::ProcessorOutage => 4,
            LssuStatus::Busy => 5,
            LssuStatus::Spare(code) => code & 0x07,
        }
    }

    /// The standard's abbreviation: `SIO`, `SIN`, `SIE`, `SIOS`, `SIPO`, `SIB`, or `spare`.
    pub const fn abbreviation(self) -> &'static str {
        match self {
            LssuStatus::OutOfAlignment => "SIO",
            LssuStatus::NormalAlignment => "SIN",
            LssuStatus::EmergencyAlignment => "SIE",
            LssuStatus::OutOfService => "SIOS",
            LssuStatus::ProcessorOutage => "SIPO",
            LssuStatus::Busy => "SIB",
            LssuStatus::Spare(_) => "spare",
        }
    }
}

/// Which of the three kinds a signal unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuKind {
    /// LI = 0.
    Fisu,
    /// LI = 1 or 2.
    Lssu,
    /// LI ≥ 3.
    Msu,
}

/// Why a signal unit was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuError {
    /// Fewer than the 3 header octets.
    TooShort { len: usize },
    /// More than [`MAX_SU_LEN`] octets.
    TooLong { len: usize },
    /// The length indicator does not match the octets present.
    LengthMismatch { li: u8, len: usize },
    /// The output buffer cannot hold the signal unit.
    BufferTooSmall { needed: usize, got: usize },
    /// An MSU body shorter than SIO plus 2 octets, or longer than [`MAX_MSU_BODY`].
    BadMsuLength { len: usize },
}

impl fmt::Display for SuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SuError::TooShort { len } => write!(f, "signal unit of {len} octets is shorter than 3"),
            SuError::TooLong { len } => write!(f, "signal unit of {len} octets exceeds {MAX_SU_LEN}"),
            SuError::LengthMismatch { li, len } => {
                write!(f, "length indicator {li} does not match a signal unit of {len} octets")
            }
            SuError::BufferTooSmall { needed, got } => {
                write!(f, "signal unit needs {needed} octets, buffer has {got}")
            }
            SuError::BadMsuLength { len } => write!(f, "MSU body of {len} octets is out of range 3..=273"),
        }
    }
}

impl std::error::Error for SuError {}

/// The length indicator for an MSU whose SIO and SIF take `body_len` octets.
pub const fn msu_li(body_len: usize) -> u8 {
    if body_len >= LI_OVERFLOW as usize { LI_OVERFLOW } else { body_len as u8 }
}

/// A checked view over the octets of one signal unit.
#[derive(Debug, Clone, Copy)]
pub struct SignalUnit<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> SignalUnit<T> {
    /// Wraps `buffer` after checking its length against the length indicator.
    pub fn new_checked(buffer: T) -> Result<SignalUnit<T>, SuError> {
        let octets = buffer.as_ref();
        let len = octets.len();
        if len < HEADER_LEN {
            return Err(SuError::TooShort { len });
        }
        if len > MAX_SU_LEN {
            return Err(SuError::TooLong { len });
        }
        let li = octets[2] & 0x3F;
        let consistent = match li {
            LI_OVERFLOW => len >= HEADER_LEN + usize::from(LI_OVERFLOW),
            // An MSU carries at least the SIO and two SIF octets, so LI 0, 1, 2 are never MSUs.
            _ => len == HEADER_LEN + usize::from(li),
        };
        if !consistent {
            return Err(SuError::LengthMismatch { li, len });
        }
        Ok(SignalUnit { buffer })
    }

    /// The octets.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Backward sequence number.
    pub fn bsn(&self) -> u8 {
        self.buffer.as_ref()[0] & 0x7F
    }

    /// Backward indicator bit.
    pub fn bib(&self) -> bool {
        self.buffer.as_ref()[0] & 0x80 != 0
    }

    /// Forward sequence number.
    pub fn fsn(&self) -> u8 {
        self.buffer.as_ref()[1] & 0x7F
    }

    /// Forward indicator bit.
    pub fn fib(&self) -> bool {
        self.buffer.as_ref()[1] & 0x80 != 0
    }

    /// Length indicator.
    pub fn li(&self) -> u8 {
        self.buffer.as_ref()[2] & 0x3F
    }

    /// FISU, LSSU or MSU.
    pub fn kind(&self) -> SuKind {
        match self.li() {
            0 => SuKind::Fisu,
            1 | 2 => SuKind::Lssu,
            _ => SuKind::Msu,
        }
    }

    /// The status of an LSSU; `None` for the other kinds.
    pub fn status(&self) -> Option<LssuStatus> {
        match self.kind() {
            SuKind::Lssu => Some(LssuStatus::from_octet(self.buffer.as_ref()[HEADER_LEN])),
            _ => None,
        }
    }

    /// What follows the header: nothing, the status field, or SIO and SIF.
    pub fn body(&self) -> &[u8] {
        &self.buffer.as_ref()[HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> SignalUnit<T> {
    /// Sets BSN and BIB.
    pub fn set_backward(&mut self, bsn: u8, bib: bool) {
        self.buffer.as_mut()[0] = bsn & 0x7F | u8::from(bib) << 7;
    }

    /// Sets FSN and FIB.
    pub fn set_forward(&mut self, fsn: u8, fib: bool) {
        self.buffer.as_mut()[1] = fsn & 0x7F | u8::from(fib) << 7;
    }
}

/// What a signal unit carries after its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuBody<'a> {
    /// A FISU.
    Fill,
    /// An LSSU with a one-octet status field.
    Status(LssuStatus),
    /// An MSU: service information octet and signalling information field.
    Message(&'a [u8]),
}

/// A signal unit as a plain value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuRepr<'a> {
    pub bsn: u8,
    pub bib: bool,
    pub fsn: u8,
    pub fib: bool,
    pub body: SuBody<'a>,
}

impl<'a> SuRepr<'a> {
    /// Reads a checked signal unit. An LSSU's second status octet, if any, is spare and not
    /// kept.
    pub fn parse(su: &SignalUnit<&'a [u8]>) -> SuRepr<'a> {
        let octets: &'a [u8] = su.buffer;
        let body = match su.kind() {
            SuKind::Fisu => SuBody::Fill,
            SuKind::Lssu => SuBody::Status(LssuStatus::from_octet(octets[HEADER_LEN])),
            SuKind::Msu => SuBody::Message(&octets[HEADER_LEN..]),
        };
        SuRepr { bsn: su.bsn(), bib: su.bib(), fsn: su.fsn(), fib: su.fib(), body }
    }

    /// Checks and reads `octets`.
    pub fn parse_bytes(octets: &'a [u8]) -> Result<SuRepr<'a>, SuError> {
        Ok(SuRepr::parse(&SignalUnit::new_checked(octets)?))
    }

    /// Octets [`SuRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match self.body {
                SuBody::Fill => 0,
                SuBody::Status(_) => 1,
                SuBody::Message(body) => body.len(),
            }
    }

    /// Writes the signal unit to the front of `out`; returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, SuError> {
        let len = self.buffer_len();
        if out.len() < len {
            return Err(SuError::BufferTooSmall { needed: len, got: out.len() });
        }
        let li = match self.body {
            SuBody::Fill => 0,
            SuBody::Status(status) => {
                out[HEADER_LEN] = status.code();
                1
            }
            SuBody::Message(body) => {
                if body.len() < 3 || body.len() > MAX_MSU_BODY {
                    return Err(SuError::BadMsuLength { len: body.len() });
                }
                out[HEADER_LEN..len].copy_from_slice(body);
                msu_li(body.len())
            }
        };
        out[0] = self.bsn & 0x7F | u8::from(self.bib) << 7;
        out[1] = self.fsn & 0x7F | u8::from(self.fib) << 7;
        out[2] = li;
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // BSN 5 BIB 1, FSN 127 FIB 0: a FISU.
    static FISU: [u8; 3] = [0x85, 0x7F, 0x00];
    // BSN 127 BIB 1, FSN 127 FIB 1, LI 1, SIOS.
    static SIOS: [u8; 4] = [0xFF, 0xFF, 0x01, 0x03];
    // BSN 0 BIB 0, FSN 1 FIB 1, LI 11: SIO 0x81 (national, SLTM) and a 10-octet SIF.
    static MSU: [u8; 14] =
        [0x00, 0x81, 0x0B, 0x81, 0x02, 0x40, 0x00, 0x00, 0x11, 0x20, 0xAA, 0x55, 0x01, 0x02];

    #[test]
    fn deconstruct() {
        let su = SignalUnit::new_checked(&FISU[..]).unwrap();
        assert_eq!((su.bsn(), su.bib(), su.fsn(), su.fib(), su.li()), (5, true, 127, false, 0));
        assert_eq!(su.kind(), SuKind::Fisu);
        assert_eq!(su.status(), None);
        let su = SignalUnit::new_checked(&SIOS[..]).unwrap();
        assert_eq!(su.kind(), SuKind::Lssu);
        assert_eq!(su.status(), Some(LssuStatus::OutOfService));
        let su = SignalUnit::new_checked(&MSU[..]).unwrap();
        assert_eq!((su.bsn(), su.bib(), su.fsn(), su.fib(), su.li()), (0, false, 1, true, 11));
        assert_eq!(su.kind(), SuKind::Msu);
        assert_eq!(su.body(), &MSU[3..]);
    }

    #[test]
    fn construct() {
        let mut octets = [0u8; 3];
        let mut su = SignalUnit { buffer: &mut octets[..] };
        su.set_backward(5, true);
        su.set_forward(127, false);
        assert_eq!(octets, FISU);
    }

    #[test]
    fn parse() {
        assert_eq!(
            SuRepr::parse_bytes(&SIOS),
            Ok(SuRepr {
                bsn: 127,
                bib: true,
                fsn: 127,
                fib: true,
                body: SuBody::Status(LssuStatus::OutOfService)
            })
        );
        assert_eq!(
            SuRepr::parse_bytes(&MSU),
            Ok(SuRepr { bsn: 0, bib: false, fsn: 1, fib: true, body: SuBody::Message(&MSU[3..]) })
        );
    }

    #[test]
    fn emit() {
        let mut out = [0u8; MAX_SU_LEN];
        for octets in [&FISU[..], &SIOS[..], &MSU[..]] {
            let repr = SuRepr::parse_bytes(octets).unwrap();
            assert_eq!(repr.emit(&mut out), Ok(octets.len()));
            assert_eq!(&out[..octets.len()], octets);
        }
        assert_eq!(
            SuRepr::parse_bytes(&MSU).unwrap().emit(&mut [0u8; 13]),
            Err(SuError::BufferTooSmall { needed: 14, got: 13 })
        );
    }

    #[test]
    fn the_length_indicator_saturates_at_63_and_must_match() {
        let mut out = [0u8; MAX_SU_LEN];
        for (body_len, li) in [(3, 3), (62, 62), (63, 63), (64, 63), (MAX_MSU_BODY, 63)] {
            let body = [0x85u8; MAX_MSU_BODY];
            let repr =
                SuRepr { bsn: 1, bib: false, fsn: 2, fib: false, body: SuBody::Message(&body[..body_len]) };
            let len = repr.emit(&mut out).unwrap();
            assert_eq!((len, out[2]), (body_len + 3, li));
            assert_eq!(SuRepr::parse_bytes(&out[..len]), Ok(repr));
        }
        assert_eq!(
            SignalUnit::new_checked(&[0u8, 0, 63, 1, 2][..]).map(|_| ()),
            Err(SuError::LengthMismatch { li: 63, len: 5 })
        );
        assert_eq!(
            SignalUnit::new_checked(&[0u8, 0, 2, 1][..]).map(|_| ()),
            Err(SuError::LengthMismatch { li: 2, len: 4 })
        );
        assert!(SignalUnit::new_checked(&[0u8, 0, 2, 1, 0][..]).is_ok(), "a two-octet status field");
        assert_eq!(SignalUnit::new_checked(&[0u8, 0][..]).map(|_| ()), Err(SuError::TooShort { len: 2 }));
        assert_eq!(
            SignalUnit::new_checked(&[0u8; MAX_SU_LEN + 1][..]).map(|_| ()),
            Err(SuError::TooLong { len: 277 })
        );
        let mut long = [0u8; MAX_SU_LEN];
        long[2] = 63;
        assert!(SignalUnit::new_checked(&long[..]).is_ok());
        let too_short_body =
            SuRepr { bsn: 0, bib: false, fsn: 0, fib: false, body: SuBody::Message(&[1, 2]) };
        assert_eq!(too_short_body.emit(&mut out), Err(SuError::BadMsuLength { len: 2 }));
    }

    #[test]
    fn lssu_codes_round_trip_and_spare_bits_are_ignored() {
        for code in 0..8 {
            assert_eq!(LssuStatus::from_octet(code).code(), code);
            assert_eq!(LssuStatus::from_octet(code | 0xF8).code(), code);
        }
        assert_eq!(LssuStatus::from_octet(5).abbreviation(), "SIB");
        assert_eq!(LssuStatus::from_octet(6), LssuStatus::Spare(6));
    }
}
