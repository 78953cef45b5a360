//! Q.921 (LAPD) frames without flags and FCS: the soft HDLC below adds and checks those.
//!
//! ```text
//! octet 1   SAPI (6 bits) | C/R | EA=0
//! octet 2   TEI (7 bits)        | EA=1
//! octet 3   control (1 octet for U frames, 2 for I and S frames: modulo 128)
//! octet 4
//! ...       information field (I, UI, FRMR, XID), at most N201 = 260 octets
//! ```
//!
//! Parsing sorts out what Q.921 §5.8.5 tells apart: frames that are simply discarded (too
//! short, bad address extension bits), and frames that cause a frame-rejection condition
//! (undefined control field, wrong length, information field longer than N201), which keep their
//! address so the data link addressed can react.

use core::fmt;

/// SAPI of call control (Q.931) procedures.
pub const SAPI_CALL_CONTROL: u8 = 0;
/// SAPI of layer 2 management (TEI management) procedures.
pub const SAPI_MANAGEMENT: u8 = 63;
/// The group TEI (broadcast).
pub const TEI_GROUP: u8 = 127;
/// Longest information field (N201).
pub const N201: usize = 260;
/// Longest frame this module parses or emits: address, 2 control octets, N201 octets.
pub const MAX_FRAME_LEN: usize = 4 + N201;

/// The address field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address {
    /// Service access point identifier, 0 ..= 63.
    pub sapi: u8,
    /// The command/response bit as sent; whether it marks a command depends on the sender's
    /// side (Q.921 Table 1): the network sends commands with 1, the user with 0.
    pub cr: bool,
    /// Terminal endpoint identifier, 0 ..= 127.
    pub tei: u8,
}

/// Supervisory frame functions (modulo 128).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Supervisory {
    /// Receive ready.
    Rr,
    /// Receive not ready.
    Rnr,
    /// Reject.
    Rej,
}

/// Unnumbered frame functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unnumbered {
    /// Set asynchronous balanced mode extended (command).
    Sabme,
    /// Disconnected mode (response).
    Dm,
    /// Unnumbered information (command).
    Ui,
    /// Disconnect (command).
    Disc,
    /// Unnumbered acknowledgement (response).
    Ua,
    /// Frame reject (response).
    Frmr,
    /// Exchange identification (command or response).
    Xid,
}

impl Unnumbered {
    /// The control octet with the P/F bit clear.
    pub const fn code(self) -> u8 {
        match self {
            Unnumbered::Sabme => 0x6F,
            Unnumbered::Dm => 0x0F,
            Unnumbered::Ui => 0x03,
            Unnumbered::Disc => 0x43,
            Unnumbered::Ua => 0x63,
            Unnumbered::Frmr => 0x87,
            Unnumbered::Xid => 0xAF,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x6F => Unnumbered::Sabme,
            0x0F => Unnumbered::Dm,
            0x03 => Unnumbered::Ui,
            0x43 => Unnumbered::Disc,
            0x63 => Unnumbered::Ua,
            0x87 => Unnumbered::Frmr,
            0xAF => Unnumbered::Xid,
            _ => return None,
        })
    }

    /// Whether the frame may carry an information field.
    pub const fn carries_information(self) -> bool {
        matches!(self, Unnumbered::Ui | Unnumbered::Frmr | Unnumbered::Xid)
    }
}

impl Supervisory {
    /// The first control octet.
    pub const fn code(self) -> u8 {
        match self {
            Supervisory::Rr => 0x01,
            Supervisory::Rnr => 0x05,
            Supervisory::Rej => 0x09,
        }
    }
}

/// The control field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Control {
    /// Information transfer: send and receive sequence numbers (0 ..= 127) and the poll bit.
    I { ns: u8, nr: u8, p: bool },
    /// Supervisory, with the receive sequence number and the poll/final bit.
    S { kind: Supervisory, nr: u8, pf: bool },
    /// Unnumbered, with the poll/final bit.
    U { kind: Unnumbered, pf: bool },
}

impl Control {
    /// Octets the control field takes.
    pub const fn len(&self) -> usize {
        match self {
            Control::U { .. } => 1,
            Control::I { .. } | Control::S { .. } => 2,
        }
    }

    /// Never empty; present for clippy's `len_without_is_empty`.
    pub const fn is_empty(&self) -> bool {
        false
    }

    /// The poll/final bit.
    pub const fn poll_final(&self) -> bool {
        match *self {
            Control::I { p, .. } => p,
            Control::S { pf, .. } | Control::U { pf, .. } => pf,
        }
    }
}

/// Why a frame was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// Fewer octets than an address and a control field: discarded without reaction.
    Truncated { len: usize },
    /// The address extension bits are not 0 then 1: discarded without reaction.
    BadAddress,
    /// The control field is undefined (MDL-ERROR L).
    UndefinedControl { address: Address, control: u8 },
    /// A supervisory or unnumbered frame of the wrong length (MDL-ERROR N).
    WrongLength { address: Address, len: usize },
    /// An information field longer than N201 (MDL-ERROR O).
    InfoTooLong { address: Address, len: usize },
}

impl FrameError {
    /// The address of the frame in error, when it was readable.
    pub fn address(&self) -> Option<Address> {
        match *self {
            FrameError::Truncated { .. } | FrameError::BadAddress => None,
            FrameError::UndefinedControl { address, .. }
            | FrameError::WrongLength { address, .. }
            | FrameError::InfoTooLong { address, .. } => Some(address),
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Truncated { len } => write!(f, "LAPD frame of {len} octets is too short"),
            FrameError::BadAddress => write!(f, "LAPD address extension bits are not 0, 1"),
            FrameError::UndefinedControl { control, .. } => {
                write!(f, "undefined LAPD control field {control:#04x}")
            }
            FrameError::WrongLength { len, .. } => {
                write!(f, "LAPD frame of {len} octets has the wrong length")
            }
            FrameError::InfoTooLong { len, .. } => {
                write!(f, "LAPD information field of {len} octets exceeds N201")
            }
        }
    }
}

impl core::error::Error for FrameError {}

/// The buffer given to `emit` is too small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferTooSmall {
    /// Octets the frame needs.
    pub needed: usize,
}

mod field {
    pub const ADDRESS_1: usize = 0;
    pub const ADDRESS_2: usize = 1;
    pub const CONTROL: usize = 2;
}

/// A checked view of a LAPD frame in a buffer. After [`Frame::new_checked`] the address and
/// control accessors cannot panic.
#[derive(Debug, Clone, Copy)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps `buffer` after checking it holds an address and a control field (3 octets for
    /// U frames, 4 otherwise) with valid extension bits.
    pub fn new_checked(buffer: T) -> Result<Self, FrameError> {
        let data = buffer.as_ref();
        if data.len() < 3 {
            return Err(FrameError::Truncated { len: data.len() });
        }
        if data[field::ADDRESS_1] & 0x01 != 0 || data[field::ADDRESS_2] & 0x01 != 1 {
            return Err(FrameError::BadAddress);
        }
        if data[field::CONTROL] & 0x03 != 0x03 && data.len() < 4 {
            return Err(FrameError::Truncated { len: data.len() });
        }
        Ok(Frame { buffer })
    }

    /// The address field.
    pub fn address(&self) -> Address {
        let data = self.buffer.as_ref();
        Address {
            sapi: data[field::ADDRESS_1] >> 2,
            cr: data[field::ADDRESS_1] & 0x02 != 0,
            tei: data[field::ADDRESS_2] >> 1,
        }
    }

    /// The first control octet.
    pub fn control_octet(&self) -> u8 {
        self.buffer.as_ref()[field::CONTROL]
    }

    /// The control field, or the frame-rejection condition it causes.
    pub fn control(&self) -> Result<Control, FrameError> {
        let data = self.buffer.as_ref();
        let address = self.address();
        let first = data[field::CONTROL];
        if first & 0x01 == 0 {
            let second = data[field::CONTROL + 1];
            return Ok(Control::I { ns: first >> 1, nr: second >> 1, p: second & 0x01 != 0 });
        }
        if first & 0x03 == 0x01 {
            let kind = match first {
                0x01 => Supervisory::Rr,
                0x05 => Supervisory::Rnr,
                0x09 => Supervisory::Rej,
                _ => return Err(FrameError::UndefinedControl { address, control: first }),
            };
            let second = data[field::CONTROL + 1];
            return Ok(Control::S { kind, nr: second >> 1, pf: second & 0x01 != 0 });
        }
        match Unnumbered::from_code(first & !0x10) {
            Some(kind) => Ok(Control::U { kind, pf: first & 0x10 != 0 }),
            None => Err(FrameError::UndefinedControl { address, control: first }),
        }
    }

    /// The octets after the control field (whatever the frame type).
    pub fn payload(&self) -> &[u8] {
        let data = self.buffer.as_ref();
        let start = if data[field::CONTROL] & 0x03 == 0x03 { 3 } else { 4 };
        &data[start.min(data.len())..]
    }

    /// The underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }
}

/// A LAPD frame, parsed or to be emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameRepr<'a> {
    /// The address field.
    pub address: Address,
    /// The control field.
    pub control: Control,
    /// The information field (empty for frames that carry none).
    pub info: &'a [u8],
}

impl<'a> FrameRepr<'a> {
    /// Parses a frame, applying Q.921's length rules to each frame type.
    pub fn parse(frame: &Frame<&'a [u8]>) -> Result<Self, FrameError> {
        let address = frame.address();
        let control = frame.control()?;
        let data: &'a [u8] = frame.buffer;
        let info = &data[(2 + control.len()).min(data.len())..];
        let carries_information = match control {
            Control::I { .. } => true,
            Control::S { .. } => false,
            Control::U { kind, .. } => kind.carries_information(),
        };
        if !carries_information && !info.is_empty() {
            return Err(FrameError::WrongLength { address, len: data.len() });
        }
        if info.len() > N201 {
            return Err(FrameError::InfoTooLong { address, len: info.len() });
        }
        Ok(FrameRepr { address, control, info })
    }

    /// Parses `bytes` as a whole frame.
    pub fn parse_bytes(bytes: &'a [u8]) -> Result<Self, FrameError> {
        Self::parse(&Frame::new_checked(bytes)?)
    }

    /// Octets [`FrameRepr::emit`] writes.
    pub fn buffer_len(&self) -> usize {
        2 + self.control.len() + self.info.len()
    }

    /// Writes the frame at the start of `buffer` and returns its length. Out-of-range fields
    /// are masked to their width (SAPI 6 bits, TEI and sequence numbers 7 bits).
    pub fn emit(&self, buffer: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let len = self.buffer_len();
        let Some(out) = buffer.get_mut(..len) else {
            return Err(BufferTooSmall { needed: len });
        };
        out[0] = (self.address.sapi & 0x3F) << 2 | u8::from(self.address.cr) << 1;
        out[1] = (self.address.tei & 0x7F) << 1 | 0x01;
        match self.control {
            Control::I { ns, nr, p } => {
                out[2] = (ns & 0x7F) << 1;
                out[3] = (nr & 0x7F) << 1 | u8::from(p);
            }
            Control::S { kind, nr, pf } => {
                out[2] = kind.code();
                out[3] = (nr & 0x7F) << 1 | u8::from(pf);
            }
            Control::U { kind, pf } => out[2] = kind.code() | u8::from(pf) << 4,
        }
        out[2 + self.control.len()..].copy_from_slice(self.info);
        Ok(len)
    }
}

/// TEI management message types (Q.921 Table 8), carried in UI frames on SAPI 63.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TeiMessageType {
    /// 1: identity request (user → network).
    IdentityRequest,
    /// 2: identity assigned.
    IdentityAssigned,
    /// 3: identity denied.
    IdentityDenied,
    /// 4: identity check request (network → user).
    IdentityCheckRequest,
    /// 5: identity check response.
    IdentityCheckResponse,
    /// 6: identity remove.
    IdentityRemove,
    /// 7: identity verify.
    IdentityVerify,
    /// Any other value.
    Unknown(u8),
}

impl TeiMessageType {
    /// The message type octet.
    pub const fn to_u8(self) -> u8 {
        match self {
            TeiMessageType::IdentityRequest => 1,
            TeiMessageType::IdentityAssigned => 2,
            TeiMessageType::IdentityDenied => 3,
            TeiMessageType::IdentityCheckRequest => 4,
            TeiMessageType::IdentityCheckResponse => 5,
            TeiMessageType::IdentityRemove => 6,
            TeiMessageType::IdentityVerify => 7,
            TeiMessageType::Unknown(value) => value,
        }
    }

    /// The type with octet `value`.
    pub const fn from_u8(value: u8) -> Self {
        match value {
            1 => TeiMessageType::IdentityRequest,
            2 => TeiMessageType::IdentityAssigned,
            3 => TeiMessageType::IdentityDenied,
            4 => TeiMessageType::IdentityCheckRequest,
            5 => TeiMessageType::IdentityCheckResponse,
            6 => TeiMessageType::IdentityRemove,
            7 => TeiMessageType::IdentityVerify,
            other => TeiMessageType::Unknown(other),
        }
    }
}

/// Management entity identifier of TEI management messages.
pub const TEI_MANAGEMENT_ENTITY: u8 = 0x0F;

/// A TEI management message (the information field of a UI frame on SAPI 63, 5 octets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TeiMessage {
    /// Reference number Ri.
    pub reference: u16,
    /// Message type.
    pub message_type: TeiMessageType,
    /// Action indicator Ai: a TEI (127 = group, "all TEIs" in check and remove).
    pub action: u8,
}

impl TeiMessage {
    /// Encoded length.
    pub const LEN: usize = 5;

    /// Parses the 5-octet information field; `None` for another entity, another length, or an
    /// action indicator without its extension bit.
    pub fn parse(info: &[u8]) -> Option<Self> {
        let &[entity, ri_high, ri_low, message_type, ai] = info else {
            return None;
        };
        if entity != TEI_MANAGEMENT_ENTITY || ai & 0x01 == 0 {
            return None;
        }
        Some(TeiMessage {
            reference: u16::from_be_bytes([ri_high, ri_low]),
            message_type: TeiMessageType::from_u8(message_type),
            action: ai >> 1,
        })
    }

    /// The 5-octet information field.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let [high, low] = self.reference.to_be_bytes();
        [TEI_MANAGEMENT_ENTITY, high, low, self.message_type.to_u8(), (self.action & 0x7F) << 1 | 0x01]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // SABME with P=1 from the user side (C/R = 0 for a user command), SAPI 0, TEI 0.
    static SABME_USER: [u8; 3] = [0x00, 0x01, 0x7F];
    // UA with F=1 from the network side (C/R = 0 for a network response).
    static UA_NETWORK: [u8; 3] = [0x00, 0x01, 0x73];
    // I frame from the network (command, C/R = 1), N(S) = 5, N(R) = 3, P = 0, carrying a
    // Q.931 STATUS ENQUIRY header (PD 08, CR length 2, CRV 0x0001, message type 0x75).
    static I_NETWORK: [u8; 9] = [0x02, 0x01, 0x0A, 0x06, 0x08, 0x02, 0x00, 0x01, 0x75];
    // RR response from the user (C/R = 1), N(R) = 127, F = 1.
    static RR_USER_RESPONSE: [u8; 4] = [0x02, 0x01, 0x01, 0xFF];

    fn repr(bytes: &[u8]) -> FrameRepr<'_> {
        FrameRepr::parse_bytes(bytes).unwrap()
    }

    #[test]
    fn deconstruct_sabme_and_ua() {
        let frame = Frame::new_checked(&SABME_USER[..]).unwrap();
        assert_eq!(frame.address(), Address { sapi: 0, cr: false, tei: 0 });
        assert_eq!(frame.control(), Ok(Control::U { kind: Unnumbered::Sabme, pf: true }));
        assert_eq!(repr(&UA_NETWORK).control, Control::U { kind: Unnumbered::Ua, pf: true });
    }

    #[test]
    fn deconstruct_i_frame() {
        let parsed = repr(&I_NETWORK);
        assert_eq!(parsed.address, Address { sapi: 0, cr: true, tei: 0 });
        assert_eq!(parsed.control, Control::I { ns: 5, nr: 3, p: false });
        assert_eq!(parsed.info, &[0x08, 0x02, 0x00, 0x01, 0x75]);
    }

    #[test]
    fn deconstruct_rr_with_the_highest_sequence_number() {
        let parsed = repr(&RR_USER_RESPONSE);
        assert!(parsed.address.cr);
        assert_eq!(parsed.control, Control::S { kind: Supervisory::Rr, nr: 127, pf: true });
    }

    #[test]
    fn construct_reproduces_the_octets() {
        for bytes in [&SABME_USER[..], &UA_NETWORK[..], &I_NETWORK[..], &RR_USER_RESPONSE[..]] {
            let parsed = repr(bytes);
            let mut out = [0u8; 16];
            let len = parsed.emit(&mut out).unwrap();
            assert_eq!(&out[..len], bytes);
        }
    }

    #[test]
    fn every_unnumbered_and_supervisory_code_matches_q921() {
        let u = [
            (Unnumbered::Sabme, 0x6F),
            (Unnumbered::Dm, 0x0F),
            (Unnumbered::Ui, 0x03),
            (Unnumbered::Disc, 0x43),
            (Unnumbered::Ua, 0x63),
            (Unnumbered::Frmr, 0x87),
            (Unnumbered::Xid, 0xAF),
        ];
        for (kind, code) in u {
            for pf in [false, true] {
                let frame = [0x00, 0x01, code | u8::from(pf) << 4];
                assert_eq!(repr(&frame).control, Control::U { kind, pf });
                let with_info = [0x00, 0x01, code | u8::from(pf) << 4, 0xAA];
                assert_eq!(FrameRepr::parse_bytes(&with_info).is_ok(), kind.carries_information());
            }
        }
        for (kind, code) in [(Supervisory::Rr, 0x01), (Supervisory::Rnr, 0x05), (Supervisory::Rej, 0x09)] {
            assert_eq!(repr(&[0x00, 0x01, code, 0x04]).control, Control::S { kind, nr: 2, pf: false });
        }
    }

    #[test]
    fn short_frames_and_bad_extension_bits_are_discarded() {
        assert_eq!(FrameRepr::parse_bytes(&[0x00, 0x01]), Err(FrameError::Truncated { len: 2 }));
        assert_eq!(FrameRepr::parse_bytes(&[0x00, 0x01, 0x01]), Err(FrameError::Truncated { len: 3 }));
        assert_eq!(FrameRepr::parse_bytes(&[0x01, 0x01, 0x7F]), Err(FrameError::BadAddress));
        assert_eq!(FrameRepr::parse_bytes(&[0x00, 0x00, 0x7F]), Err(FrameError::BadAddress));
    }

    #[test]
    fn frame_rejection_conditions_keep_the_address() {
        let address = Address { sapi: 0, cr: true, tei: 0 };
        assert_eq!(
            FrameRepr::parse_bytes(&[0x02, 0x01, 0x0D, 0x00]),
            Err(FrameError::UndefinedControl { address, control: 0x0D })
        );
        assert_eq!(
            FrameRepr::parse_bytes(&[0x02, 0x01, 0x33]),
            Err(FrameError::UndefinedControl { address, control: 0x33 })
        );
        assert_eq!(
            FrameRepr::parse_bytes(&[0x02, 0x01, 0x01, 0x00, 0x55]),
            Err(FrameError::WrongLength { address, len: 5 })
        );
        assert_eq!(
            FrameRepr::parse_bytes(&[0x02, 0x01, 0x7F, 0x55]),
            Err(FrameError::WrongLength { address, len: 4 })
        );
        assert_eq!(FrameError::WrongLength { address, len: 4 }.address(), Some(address));
    }

    #[test]
    fn information_field_limit_is_n201_inclusive() {
        let mut frame = [0u8; 4 + N201 + 1];
        frame[..4].copy_from_slice(&[0x00, 0x01, 0x00, 0x00]);
        assert_eq!(repr(&frame[..4 + N201]).info.len(), N201);
        assert_eq!(
            FrameRepr::parse_bytes(&frame),
            Err(FrameError::InfoTooLong { address: Address { sapi: 0, cr: false, tei: 0 }, len: N201 + 1 })
        );
    }

    #[test]
    fn emit_needs_room_for_the_whole_frame() {
        let parsed = repr(&I_NETWORK);
        assert_eq!(parsed.emit(&mut [0u8; 8]), Err(BufferTooSmall { needed: 9 }));
    }

    #[test]
    fn payload_of_a_view_follows_the_control_field() {
        assert_eq!(Frame::new_checked(&I_NETWORK[..]).unwrap().payload(), &I_NETWORK[4..]);
        assert_eq!(Frame::new_checked(&UA_NETWORK[..]).unwrap().payload(), &[] as &[u8]);
    }

    #[test]
    fn tei_check_request_round_trips() {
        // Identity check request for TEI 0 from the network: entity 0F, Ri 0, type 4, Ai 0|EA.
        let bytes = [0x0F, 0x00, 0x00, 0x04, 0x01];
        let message = TeiMessage::parse(&bytes).unwrap();
        assert_eq!(
            message,
            TeiMessage { reference: 0, message_type: TeiMessageType::IdentityCheckRequest, action: 0 }
        );
        assert_eq!(message.to_bytes(), bytes);
        assert_eq!(TeiMessage::parse(&[0x0E, 0, 0, 4, 1]), None);
        assert_eq!(TeiMessage::parse(&[0x0F, 0, 0, 4, 0]), None);
        assert_eq!(TeiMessage::parse(&[0x0F, 0, 0, 4]), None);
        assert_eq!(TeiMessageType::from_u8(9), TeiMessageType::Unknown(9));
    }
}
