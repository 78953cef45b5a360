//! TUP messages and their signals (Q.723 §3, with the China formats of GF 001-9001). Fields
//! are sent least significant bit first, so within an octet the first field takes the low
//! bits; address signals go two to an octet, the first in the low nibble, with a 4-bit count
//! in front.

use super::codes::MessageType;
use super::{Label, TupError, Variant};
use crate::circuit::category::Category;
use crate::circuit::digits::Digits;
use crate::circuit::octets::{Octets, Writer};
use crate::circuit::range::StatusBits;
use crate::label::{PointCode, PointCodeFormat};

/// Longest TUP message emitted: the 272-octet SIF.
pub const MAX_MESSAGE_LEN: usize = 272;

/// Most address signals one field counts (a 4-bit count).
pub const MAX_SIGNALS: usize = 15;

/// Nature of address indicator of TUP numbers (2 bits).
pub mod nature {
    /// Subscriber (local) number.
    pub const SUBSCRIBER: u8 = 0;
    /// Spare, reserved for national use.
    pub const NATIONAL_SPARE: u8 = 1;
    /// National (significant) number.
    pub const NATIONAL: u8 = 2;
    /// International number.
    pub const INTERNATIONAL: u8 = 3;
}

/// Message indicators of IAM and IAI (12 bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageIndicators {
    /// Nature of address of the called number (bits BA, see [`nature`]).
    pub nature: u8,
    /// Nature of circuit (bits DC: 0 no satellite, 1 one satellite circuit).
    pub satellite: u8,
    /// Continuity check (bits FE: 0 not required, 1 required on this circuit, 2 performed
    /// on a previous circuit).
    pub continuity_check: u8,
    /// Outgoing half echo suppressor included (bit G).
    pub echo_suppressor: bool,
    /// Incoming international call (bit H).
    pub incoming_international: bool,
    /// Redirected call (bit I).
    pub redirected: bool,
    /// All-digital path required (bit J).
    pub all_digital_path: bool,
    /// All signalling system No.7 path (bit K; 0 = any path).
    pub all_ss7_path: bool,
}

/// IAM: the calling party's category, the message indicators and the called address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iam {
    /// Calling party's category (6 bits).
    pub category: Category,
    /// Message indicators.
    pub indicators: MessageIndicators,
    /// Called address signals (at most 15; ST included when sent).
    pub digits: Digits,
}

/// Calling line identity (IAI and GSM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallingLine {
    /// Nature of address (see [`nature`]).
    pub nature: u8,
    /// Presentation restricted.
    pub restricted: bool,
    /// Incomplete calling line identity.
    pub incomplete: bool,
    /// Address signals (at most 15).
    pub digits: Digits,
}

/// Original called address (IAI and GSM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OriginalCalled {
    /// Nature of address (see [`nature`]).
    pub nature: u8,
    /// Address signals (at most 15).
    pub digits: Digits,
}

/// IAI: an IAM with the first indicator octet and the optional fields it announces. Only
/// the calling line identity and the original called address are carried (the others are
/// "for further study" in the China TUP and refused on receipt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iai {
    /// The IAM part.
    pub iam: Iam,
    /// Calling line identity.
    pub calling: Option<CallingLine>,
    /// Original called address.
    pub original_called: Option<OriginalCalled>,
}

/// GRQ request type indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Request {
    /// Calling party category requested (bit A).
    pub category: bool,
    /// Calling line identity requested (bit B).
    pub calling_line: bool,
    /// Original called address requested (bit C).
    pub original_called: bool,
    /// Malicious call identification encountered (bit D).
    pub malicious_call: bool,
    /// Hold requested (bit E).
    pub hold: bool,
    /// Outgoing half echo suppressor requested (bit F).
    pub echo_suppressor: bool,
}

/// Who the incoming trunk's exchange is, in GSM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeIdentity {
    /// The transit exchange's signalling point code.
    PointCode(PointCode),
    /// The available part of the calling line identity (at most 15 signals).
    PartialCallingLine(Digits),
}

/// Incoming trunk and transit exchange identity (GSM), as the China TUP lays it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncomingTrunk {
    /// The exchange.
    pub exchange: ExchangeIdentity,
    /// The incoming trunk identity (at most 15 octets).
    pub trunk: Octets<15>,
}

/// GSM: the response to GRQ, with the fields the response type indicators announce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Gsm {
    /// Calling party category (bit A).
    pub category: Option<Category>,
    /// Calling line identity (bit B).
    pub calling: Option<CallingLine>,
    /// Incoming trunk and transit exchange identity (bit C).
    pub incoming_trunk: Option<IncomingTrunk>,
    /// Original called address (bit D).
    pub original_called: Option<OriginalCalled>,
    /// Outgoing half echo suppressor included (bit E).
    pub echo_suppressor: bool,
    /// Malicious call identification provided (bit F).
    pub malicious_call: bool,
    /// Hold provided (bit G).
    pub hold: bool,
}

/// ACM message indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddressComplete {
    /// Type of address-complete signal (bits BA: 0 ACM, 1 charge, 2 no charge, 3 coinbox).
    pub kind: u8,
    /// Subscriber free (bit C).
    pub subscriber_free: bool,
    /// Incoming half echo suppressor included (bit D).
    pub echo_suppressor: bool,
    /// Call forwarded (bit E).
    pub call_forwarded: bool,
    /// All signalling system No.7 path (bit F).
    pub all_ss7_path: bool,
}

/// Range and status of a circuit group message. Range 0 carries no status field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeStatus {
    /// The message covers CICs `cic ..= cic + range`.
    pub range: u8,
    /// One bit per circuit, when sent.
    pub status: Option<StatusBits>,
}

/// EUM: extended unsuccessful backward set-up information.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eum {
    /// Unsuccessful indicator (4 bits; 1 = subscriber busy).
    pub indicator: u8,
    /// The point code of the exchange that sent it.
    pub origin: PointCode,
}

/// The contents of a TUP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// Initial address message.
    Iam(Iam),
    /// Initial address message with additional information.
    Iai(Iai),
    /// Subsequent address message (at most 15 signals).
    Sam(Digits),
    /// Subsequent address message with one signal.
    Sao(u8),
    /// General forward set-up information.
    Gsm(Gsm),
    /// General request.
    Grq(Request),
    /// Address complete.
    Acm(AddressComplete),
    /// Charging message (national format, kept raw).
    Chg(Octets<32>),
    /// Extended unsuccessful backward set-up information.
    Eum(Eum),
    /// A circuit group message with range and status (MGB, MBA, MGU, MUA, HGB, HBA, HGU,
    /// HUA, GRA, SGB, SBA, SGU, SUA).
    Group(MessageType, RangeStatus),
    /// Circuit group reset (range only).
    Grs(u8),
    /// Automatic congestion control information: congestion level (1 or 2).
    Acc(u8),
    /// Metering pulse message: pulses per charging unit.
    Mpm(u16),
    /// A message that is only its heading: COT, CCF, the unsuccessful signals except EUM,
    /// the call and circuit supervision signals, OPR, SLB, STB, MAL.
    Signal(MessageType),
    /// A heading this stack does not know in the variant, with what followed it.
    Unknown {
        /// The heading octet.
        heading: u8,
        /// The octets after it (at most 32 kept).
        data: Octets<32>,
    },
}

/// A TUP message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// The label.
    pub label: Label,
    /// The contents.
    pub body: Body,
}

fn is_signal(t: MessageType) -> bool {
    use MessageType as T;
    matches!(
        t,
        T::Cot
            | T::Ccf
            | T::Sec
            | T::Cgc
            | T::Nnc
            | T::Adi
            | T::Cfl
            | T::Ssb
            | T::Unn
            | T::Los
            | T::Sst
            | T::Acb
            | T::Dpn
            | T::Mpr
            | T::Anu
            | T::Anc
            | T::Ann
            | T::Cbk
            | T::Clf
            | T::Ran
            | T::Fot
            | T::Ccl
            | T::Rlg
            | T::Blo
            | T::Bla
            | T::Ubl
            | T::Uba
            | T::Ccr
            | T::Rsc
            | T::Opr
            | T::Slb
            | T::Stb
            | T::Mal
    )
}

/// Whether `t` is a group message with range and status.
pub fn is_group(t: MessageType) -> bool {
    use MessageType as T;
    matches!(
        t,
        T::Mgb
            | T::Mba
            | T::Mgu
            | T::Mua
            | T::Hgb
            | T::Hba
            | T::Hgu
            | T::Hua
            | T::Gra
            | T::Sgb
            | T::Sba
            | T::Sgu
            | T::Sua
    )
}

/// Reads fields in order, reporting truncation against the whole message's length.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    fn octet(&mut self) -> Result<u8, TupError> {
        Ok(self.take(1)?[0])
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], TupError> {
        let got = self.data.get(self.pos..self.pos + n).ok_or(TupError::Truncated {
            needed: self.base + self.pos + n,
            got: self.base + self.data.len(),
        })?;
        self.pos += n;
        Ok(got)
    }

    fn signals(&mut self, count: usize) -> Result<Digits, TupError> {
        let packed = self.take(count.div_ceil(2))?;
        Digits::unpack(packed, count).map_err(|_| TupError::BadField("address signals"))
    }

    fn point_code(&mut self, format: PointCodeFormat) -> Result<PointCode, TupError> {
        let value = match format {
            PointCodeFormat::Itu14 => {
                let o = self.take(2)?;
                u32::from(u16::from_le_bytes([o[0], o[1]]) & 0x3FFF)
            }
            PointCodeFormat::China24 => {
                let o = self.take(3)?;
                u32::from_le_bytes([o[0], o[1], o[2], 0])
            }
        };
        PointCode::new(format, value).map_err(TupError::Label)
    }

    fn rest(&self) -> &'a [u8] {
        &self.data[self.pos..]
    }
}

fn bit(octet: u8, n: u8) -> bool {
    octet >> n & 1 == 1
}

fn flag(value: bool, n: u8) -> u8 {
    u8::from(value) << n
}

fn check_signals(digits: &Digits) -> Result<u8, TupError> {
    if digits.len() > MAX_SIGNALS {
        return Err(TupError::TooManySignals(digits.len()));
    }
    Ok(digits.len() as u8)
}

fn put_signals(w: &mut Writer, digits: &Digits) -> Result<(), TupError> {
    let used = digits.pack(w.rest()).ok_or(TupError::BufferTooSmall)?;
    w.advance(used)?;
    Ok(())
}

fn put_point_code(w: &mut Writer, format: PointCodeFormat, pc: PointCode) -> Result<(), TupError> {
    PointCode::new(format, pc.value())?;
    let bytes = pc.value().to_le_bytes();
    match format {
        PointCodeFormat::Itu14 => w.put_slice(&bytes[..2])?,
        PointCodeFormat::China24 => w.put_slice(&bytes[..3])?,
    }
    Ok(())
}

fn category(octet: u8) -> Category {
    Category(octet & 0x3F)
}

fn put_category(w: &mut Writer, c: Category) -> Result<(), TupError> {
    if c.0 > 0x3F {
        return Err(TupError::BadField("calling party category"));
    }
    Ok(w.put(c.0)?)
}

impl Iam {
    fn read(r: &mut Reader) -> Result<Iam, TupError> {
        let cat = category(r.octet()?);
        let a = r.octet()?;
        let b = r.octet()?;
        let indicators = MessageIndicators {
            nature: a & 3,
            satellite: a >> 2 & 3,
            continuity_check: a >> 4 & 3,
            echo_suppressor: bit(a, 6),
            incoming_international: bit(a, 7),
            redirected: bit(b, 0),
            all_digital_path: bit(b, 1),
            all_ss7_path: bit(b, 2),
        };
        let digits = r.signals(usize::from(b >> 4))?;
        Ok(Iam { category: cat, indicators, digits })
    }

    fn write(&self, w: &mut Writer) -> Result<(), TupError> {
        let count = check_signals(&self.digits)?;
        let i = &self.indicators;
        put_category(w, self.category)?;
        w.put(
            i.nature & 3
                | (i.satellite & 3) << 2
                | (i.continuity_check & 3) << 4
                | flag(i.echo_suppressor, 6)
                | flag(i.incoming_international, 7),
        )?;
        w.put(flag(i.redirected, 0) | flag(i.all_digital_path, 1) | flag(i.all_ss7_path, 2) | count << 4)?;
        put_signals(w, &self.digits)
    }
}

impl CallingLine {
    fn read(r: &mut Reader) -> Result<CallingLine, TupError> {
        let o = r.octet()?;
        let digits = r.signals(usize::from(o >> 4))?;
        Ok(CallingLine { nature: o & 3, restricted: bit(o, 2), incomplete: bit(o, 3), digits })
    }

    fn write(&self, w: &mut Writer) -> Result<(), TupError> {
        let count = check_signals(&self.digits)?;
        w.put(self.nature & 3 | flag(self.restricted, 2) | flag(self.incomplete, 3) | count << 4)?;
        put_signals(w, &self.digits)
    }
}

impl OriginalCalled {
    fn read(r: &mut Reader) -> Result<OriginalCalled, TupError> {
        let o = r.octet()?;
        let digits = r.signals(usize::from(o >> 4))?;
        Ok(OriginalCalled { nature: o & 3, digits })
    }

    fn write(&self, w: &mut Writer) -> Result<(), TupError> {
        let count = check_signals(&self.digits)?;
        w.put(self.nature & 3 | count << 4)?;
        put_signals(w, &self.digits)
    }
}

impl IncomingTrunk {
    fn read(r: &mut Reader, format: PointCodeFormat) -> Result<IncomingTrunk, TupError> {
        let o = r.octet()?;
        let exchange = match o & 3 {
            1 => ExchangeIdentity::PointCode(r.point_code(format)?),
            2 => ExchangeIdentity::PartialCallingLine(r.signals(usize::from(o >> 4))?),
            _ => return Err(TupError::BadField("exchange identity type")),
        };
        let len = usize::from(r.octet()? >> 4);
        let trunk = Octets::from_slice(r.take(len)?).ok_or(TupError::BadField("incoming trunk identity"))?;
        Ok(IncomingTrunk { exchange, trunk })
    }

    fn write(&self, w: &mut Writer, format: PointCodeFormat) -> Result<(), TupError> {
        match &self.exchange {
            ExchangeIdentity::PointCode(pc) => {
                // The length nibble's meaning for a point code is unconfirmed; this stack
                // sends the point code's octet count and ignores the nibble on receipt.
                let octets: u8 = if format == PointCodeFormat::Itu14 { 2 } else { 3 };
                w.put(1 | octets << 4)?;
                put_point_code(w, format, *pc)?;
            }
            ExchangeIdentity::PartialCallingLine(digits) => {
                let count = check_signals(digits)?;
                w.put(2 | count << 4)?;
                put_signals(w, digits)?;
            }
        }
        w.put((self.trunk.len() as u8) << 4)?;
        Ok(w.put_slice(self.trunk.as_slice())?)
    }
}

fn read_range_status(r: &mut Reader) -> Result<RangeStatus, TupError> {
    let range = r.octet()?;
    if range == 0 {
        return Ok(RangeStatus { range, status: None });
    }
    let octets = r.take(usize::from(range) / 8 + 1)?;
    let mut bits = StatusBits::new();
    for i in 0..=range {
        bits.set(i, octets[usize::from(i / 8)] >> (i % 8) & 1 == 1);
    }
    Ok(RangeStatus { range, status: Some(bits) })
}

fn write_range_status(w: &mut Writer, rs: &RangeStatus) -> Result<(), TupError> {
    w.put(rs.range)?;
    if rs.range == 0 {
        return Ok(());
    }
    let bits = rs.status.unwrap_or_default();
    for octet in 0..=rs.range / 8 {
        let mut value = 0u8;
        for b in 0..8u8 {
            let i = u16::from(octet) * 8 + u16::from(b);
            if i <= u16::from(rs.range) && bits.get(i as u8) {
                value |= 1 << b;
            }
        }
        w.put(value)?;
    }
    Ok(())
}

impl Message {
    /// The message type.
    pub fn message_type(&self) -> MessageType {
        match &self.body {
            Body::Iam(_) => MessageType::Iam,
            Body::Iai(_) => MessageType::Iai,
            Body::Sam(_) => MessageType::Sam,
            Body::Sao(_) => MessageType::Sao,
            Body::Gsm(_) => MessageType::Gsm,
            Body::Grq(_) => MessageType::Grq,
            Body::Acm(_) => MessageType::Acm,
            Body::Chg(_) => MessageType::Chg,
            Body::Eum(_) => MessageType::Eum,
            Body::Group(t, _) => *t,
            Body::Grs(_) => MessageType::Grs,
            Body::Acc(_) => MessageType::Acc,
            Body::Mpm(_) => MessageType::Mpm,
            Body::Signal(t) => *t,
            Body::Unknown { heading, .. } => MessageType::Unknown(*heading),
        }
    }

    /// Parses a whole TUP signalling information field (label first) of `variant`. Octets
    /// after the last field of a known message are ignored (room Q.723 leaves for
    /// extensions).
    pub fn parse(variant: Variant, sif: &[u8]) -> Result<Message, TupError> {
        let (label, rest) = Label::parse(variant, sif)?;
        let base = variant.label_len();
        let (&heading, data) =
            rest.split_first().ok_or(TupError::Truncated { needed: base + 1, got: sif.len() })?;
        let mut r = Reader { data, pos: 0, base: base + 1 };
        let format = variant.point_codes();
        use MessageType as T;
        let t = MessageType::from_heading(variant, heading);
        let body = match t {
            T::Iam => Body::Iam(Iam::read(&mut r)?),
            T::Iai => {
                let iam = Iam::read(&mut r)?;
                let first = r.octet()?;
                let unsupported = [
                    (0, "network capability or user facility information"),
                    (1, "closed user group information"),
                    (2, "additional calling party information"),
                    (3, "additional routing information"),
                    (6, "charging information"),
                ];
                if let Some((_, name)) = unsupported.iter().find(|(n, _)| bit(first, *n)) {
                    return Err(TupError::UnsupportedField(name));
                }
                let calling = if bit(first, 4) { Some(CallingLine::read(&mut r)?) } else { None };
                let original_called = if bit(first, 5) { Some(OriginalCalled::read(&mut r)?) } else { None };
                Body::Iai(Iai { iam, calling, original_called })
            }
            T::Sam => {
                let o = r.octet()?;
                Body::Sam(r.signals(usize::from(o >> 4))?)
            }
            T::Sao => Body::Sao(r.octet()? & 0x0F),
            T::Gsm => {
                let o = r.octet()?;
                Body::Gsm(Gsm {
                    category: if bit(o, 0) { Some(category(r.octet()?)) } else { None },
                    calling: if bit(o, 1) { Some(CallingLine::read(&mut r)?) } else { None },
                    incoming_trunk: if bit(o, 2) { Some(IncomingTrunk::read(&mut r, format)?) } else { None },
                    original_called: if bit(o, 3) { Some(OriginalCalled::read(&mut r)?) } else { None },
                    echo_suppressor: bit(o, 4),
                    malicious_call: bit(o, 5),
                    hold: bit(o, 6),
                })
            }
            T::Grq => {
                let o = r.octet()?;
                Body::Grq(Request {
                    category: bit(o, 0),
                    calling_line: bit(o, 1),
                    original_called: bit(o, 2),
                    malicious_call: bit(o, 3),
                    hold: bit(o, 4),
                    echo_suppressor: bit(o, 5),
                })
            }
            T::Acm => {
                let o = r.octet()?;
                Body::Acm(AddressComplete {
                    kind: o & 3,
                    subscriber_free: bit(o, 2),
                    echo_suppressor: bit(o, 3),
                    call_forwarded: bit(o, 4),
                    all_ss7_path: bit(o, 5),
                })
            }
            T::Chg => {
                let data = r.rest();
                let data = Octets::from_slice(data).ok_or(TupError::BadField("charging information"))?;
                if data.is_empty() {
                    return Err(TupError::Truncated { needed: base + 2, got: sif.len() });
                }
                Body::Chg(data)
            }
            T::Eum => {
                let indicator = r.octet()? & 0x0F;
                Body::Eum(Eum { indicator, origin: r.point_code(format)? })
            }
            T::Grs => Body::Grs(r.octet()?),
            T::Acc => Body::Acc(r.octet()? & 3),
            T::Mpm => {
                let o = r.take(2)?;
                Body::Mpm(u16::from_le_bytes([o[0], o[1]]))
            }
            t if is_group(t) => Body::Group(t, read_range_status(&mut r)?),
            t if is_signal(t) => Body::Signal(t),
            _ => {
                let take = data.len().min(32);
                Body::Unknown { heading, data: Octets::from_slice(&data[..take]).unwrap_or_default() }
            }
        };
        Ok(Message { label, body })
    }

    /// Writes the whole SIF (label first) in `variant`; returns its length.
    pub fn emit(&self, variant: Variant, out: &mut [u8]) -> Result<usize, TupError> {
        let limit = out.len().min(MAX_MESSAGE_LEN);
        let out = &mut out[..limit];
        let label_len = self.label.emit(variant, out)?;
        let format = variant.point_codes();
        let mut w = Writer::new(&mut out[label_len..]);
        let t = self.message_type();
        w.put(t.code())?;
        match &self.body {
            Body::Iam(iam) => iam.write(&mut w)?,
            Body::Iai(iai) => {
                iai.iam.write(&mut w)?;
                w.put(flag(iai.calling.is_some(), 4) | flag(iai.original_called.is_some(), 5))?;
                if let Some(c) = &iai.calling {
                    c.write(&mut w)?;
                }
                if let Some(o) = &iai.original_called {
                    o.write(&mut w)?;
                }
            }
            Body::Sam(digits) => {
                let count = check_signals(digits)?;
                w.put(count << 4)?;
                put_signals(&mut w, digits)?;
            }
            Body::Sao(signal) => w.put(signal & 0x0F)?,
            Body::Gsm(g) => {
                w.put(
                    flag(g.category.is_some(), 0)
                        | flag(g.calling.is_some(), 1)
                        | flag(g.incoming_trunk.is_some(), 2)
                        | flag(g.original_called.is_some(), 3)
                        | flag(g.echo_suppressor, 4)
                        | flag(g.malicious_call, 5)
                        | flag(g.hold, 6),
                )?;
                if let Some(c) = g.category {
                    put_category(&mut w, c)?;
                }
                if let Some(c) = &g.calling {
                    c.write(&mut w)?;
                }
                if let Some(t) = &g.incoming_trunk {
                    t.write(&mut w, format)?;
                }
                if let Some(o) = &g.original_called {
                    o.write(&mut w)?;
                }
            }
            Body::Grq(q) => w.put(
                flag(q.category, 0)
                    | flag(q.calling_line, 1)
                    | flag(q.original_called, 2)
                    | flag(q.malicious_call, 3)
                    | flag(q.hold, 4)
                    | flag(q.echo_suppressor, 5),
            )?,
            Body::Acm(a) => w.put(
                a.kind & 3
                    | flag(a.subscriber_free, 2)
                    | flag(a.echo_suppressor, 3)
                    | flag(a.call_forwarded, 4)
                    | flag(a.all_ss7_path, 5),
            )?,
            Body::Chg(data) => {
                if data.is_empty() {
                    return Err(TupError::BadField("charging information"));
                }
                w.put_slice(data.as_slice())?
            }
            Body::Eum(e) => {
                w.put(e.indicator & 0x0F)?;
                put_point_code(&mut w, format, e.origin)?;
            }
            Body::Group(t, rs) => {
                if !is_group(*t) {
                    return Err(TupError::BadField("group message type"));
                }
                write_range_status(&mut w, rs)?;
            }
            Body::Grs(range) => w.put(*range)?,
            Body::Acc(level) => w.put(level & 3)?,
            Body::Mpm(pulses) => w.put_slice(&pulses.to_le_bytes())?,
            Body::Signal(t) => {
                if !is_signal(*t) {
                    return Err(TupError::BadField("signal type"));
                }
            }
            Body::Unknown { data, .. } => w.put_slice(data.as_slice())?,
        }
        Ok(label_len + w.position())
    }
}
