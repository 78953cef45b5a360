//! ISUP messages (Q.763 §1.3–§1.8, Tables 32 onward): the circuit identification code, the
//! message type, the mandatory fixed part, the pointers to the mandatory variable parameters
//! and to the optional part, and the optional parameters up to "end of optional parameters".
//!
//! [`Message::parse`] reads everything after the routing label; [`Message::emit`] writes it.
//! A message type this stack does not implement is read as Q.763 lays out every message
//! defined after 1992 (only an optional part, its pointer first), so that its message
//! compatibility information can be found (Q.764 §2.9.5.1).

use super::IsupError;
use super::codes::{MessageType, ParameterName, is_recognized};
use super::number::{NumberFormat, PartyNumber, SubsequentNumber};
use super::params::*;
use crate::circuit::octets::Writer;

/// Longest message emitted or accepted: a 272-octet SIF less the 4-octet ITU label.
pub const MAX_MESSAGE_LEN: usize = 268;

/// The optional parameters of a message. Known parameters are decoded into their fields;
/// parameters Q.763 defines but this stack does not decode are kept in `other`; parameters
/// it does not recognize, and recognized optional parameters whose contents are malformed,
/// are kept in `unrecognized` for the Q.764 §2.9.5.2 procedure. A parameter that repeats
/// counts once (the first), except the generic number, which may repeat.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OptionalParameters {
    /// Calling party number.
    pub calling_party_number: Option<PartyNumber>,
    /// Calling party's category (optional in INF).
    pub calling_party_category: Option<Category>,
    /// Redirecting number.
    pub redirecting_number: Option<PartyNumber>,
    /// Original called number.
    pub original_called_number: Option<PartyNumber>,
    /// Redirection number.
    pub redirection_number: Option<PartyNumber>,
    /// Redirection information.
    pub redirection_information: Option<RedirectionInformation>,
    /// Connected number.
    pub connected_number: Option<PartyNumber>,
    /// Location number.
    pub location_number: Option<PartyNumber>,
    /// Generic numbers, in the order received.
    pub generic_numbers: Vec<PartyNumber>,
    /// Optional forward call indicators.
    pub optional_forward_call_indicators: Option<OptionalForwardCallIndicators>,
    /// Optional backward call indicators.
    pub optional_backward_call_indicators: Option<OptionalBackwardCallIndicators>,
    /// User service information.
    pub user_service_information: Option<UserServiceInformation>,
    /// Cause indicators (optional in RLC).
    pub cause: Option<CauseIndicators>,
    /// Hop counter (5 bits).
    pub hop_counter: Option<u8>,
    /// Propagation delay counter, in ms.
    pub propagation_delay: Option<u16>,
    /// Message compatibility information.
    pub message_compatibility: Option<MessageInstructions>,
    /// Parameter compatibility information.
    pub parameter_compatibility: Option<ParameterCompatibility>,
    /// Parameters Q.763 defines that this stack carries undecoded.
    pub other: Vec<RawParameter>,
    /// Unrecognized parameters, and known ones with malformed contents.
    pub unrecognized: Vec<RawParameter>,
}

impl OptionalParameters {
    /// Whether no parameter is present (the message then has no optional part).
    pub fn is_empty(&self) -> bool {
        self.calling_party_number.is_none()
            && self.calling_party_category.is_none()
            && self.redirecting_number.is_none()
            && self.original_called_number.is_none()
            && self.redirection_number.is_none()
            && self.redirection_information.is_none()
            && self.connected_number.is_none()
            && self.location_number.is_none()
            && self.generic_numbers.is_empty()
            && self.optional_forward_call_indicators.is_none()
            && self.optional_backward_call_indicators.is_none()
            && self.user_service_information.is_none()
            && self.cause.is_none()
            && self.hop_counter.is_none()
            && self.propagation_delay.is_none()
            && self.message_compatibility.is_none()
            && self.parameter_compatibility.is_none()
            && self.other.is_empty()
            && self.unrecognized.is_empty()
    }
}

/// IAM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Iam {
    /// Nature of connection indicators.
    pub nature_of_connection: NatureOfConnection,
    /// Forward call indicators.
    pub forward_call: ForwardCallIndicators,
    /// Calling party's category.
    pub category: Category,
    /// Transmission medium requirement.
    pub medium: TransmissionMedium,
    /// Called party number.
    pub called: PartyNumber,
    /// Optional parameters.
    pub optional: OptionalParameters,
}

/// SAM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sam {
    /// Subsequent number.
    pub subsequent: SubsequentNumber,
    /// Optional parameters.
    pub optional: OptionalParameters,
}

/// INR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inr {
    /// Information request indicators.
    pub request: InformationRequest,
    /// Optional parameters.
    pub optional: OptionalParameters,
}

/// INF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inf {
    /// Information indicators.
    pub indicators: InformationIndicators,
    /// Optional parameters.
    pub optional: OptionalParameters,
}

/// ACM and CON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backward {
    /// Backward call indicators.
    pub indicators: BackwardCallIndicators,
    /// Optional parameters.
    pub optional: OptionalParameters,
}

/// REL and CFN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithCause {
    /// Cause indicators.
    pub cause: CauseIndicators,
    /// Optional parameters.
    pub optional: OptionalParameters,
}

/// SUS and RES.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspend {
    /// Suspend/resume indicators.
    pub indicators: SuspendResume,
    /// Optional parameters.
    pub optional: OptionalParameters,
}

/// CPG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cpg {
    /// Event information.
    pub event: EventInformation,
    /// Optional parameters.
    pub optional: OptionalParameters,
}

/// CGB, CGU, CGBA and CGUA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSupervision {
    /// Maintenance or hardware failure oriented.
    pub kind: GroupSupervisionType,
    /// Range and status: which circuits.
    pub range: RangeAndStatus,
}

/// CQR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cqr {
    /// Range (without status).
    pub range: RangeAndStatus,
    /// One state per circuit.
    pub states: CircuitStates,
}

/// A message type this stack does not implement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrecognized {
    /// Its message type code.
    pub code: u8,
    /// Its optional part read as the first pointer of the message, when that worked.
    pub optional: Option<OptionalParameters>,
}

/// The contents of a message, by type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Initial address.
    Iam(Iam),
    /// Subsequent address.
    Sam(Sam),
    /// Information request.
    Inr(Inr),
    /// Information.
    Inf(Inf),
    /// Continuity.
    Cot(ContinuityIndicators),
    /// Address complete.
    Acm(Backward),
    /// Connect.
    Con(Backward),
    /// Forward transfer.
    Fot(OptionalParameters),
    /// Answer.
    Anm(OptionalParameters),
    /// Release.
    Rel(WithCause),
    /// Suspend.
    Sus(Suspend),
    /// Resume.
    Res(Suspend),
    /// Release complete.
    Rlc(OptionalParameters),
    /// Continuity check request.
    Ccr,
    /// Reset circuit.
    Rsc,
    /// Blocking.
    Blo,
    /// Unblocking.
    Ubl,
    /// Blocking acknowledgement.
    Bla,
    /// Unblocking acknowledgement.
    Uba,
    /// Loop back acknowledgement.
    Lpa,
    /// Unequipped CIC.
    Ucic,
    /// Circuit group reset (range only).
    Grs(RangeAndStatus),
    /// Circuit group blocking.
    Cgb(GroupSupervision),
    /// Circuit group unblocking.
    Cgu(GroupSupervision),
    /// Circuit group blocking acknowledgement.
    Cgba(GroupSupervision),
    /// Circuit group unblocking acknowledgement.
    Cgua(GroupSupervision),
    /// Circuit group reset acknowledgement (range and status).
    Gra(RangeAndStatus),
    /// Circuit group query (range only).
    Cqm(RangeAndStatus),
    /// Circuit group query response.
    Cqr(Cqr),
    /// Call progress.
    Cpg(Cpg),
    /// Confusion.
    Cfn(WithCause),
    /// A message type not implemented here.
    Unrecognized(Unrecognized),
}

impl Body {
    /// The message type.
    pub fn message_type(&self) -> MessageType {
        match self {
            Body::Iam(_) => MessageType::Iam,
            Body::Sam(_) => MessageType::Sam,
            Body::Inr(_) => MessageType::Inr,
            Body::Inf(_) => MessageType::Inf,
            Body::Cot(_) => MessageType::Cot,
            Body::Acm(_) => MessageType::Acm,
            Body::Con(_) => MessageType::Con,
            Body::Fot(_) => MessageType::Fot,
            Body::Anm(_) => MessageType::Anm,
            Body::Rel(_) => MessageType::Rel,
            Body::Sus(_) => MessageType::Sus,
            Body::Res(_) => MessageType::Res,
            Body::Rlc(_) => MessageType::Rlc,
            Body::Ccr => MessageType::Ccr,
            Body::Rsc => MessageType::Rsc,
            Body::Blo => MessageType::Blo,
            Body::Ubl => MessageType::Ubl,
            Body::Bla => MessageType::Bla,
            Body::Uba => MessageType::Uba,
            Body::Lpa => MessageType::Lpa,
            Body::Ucic => MessageType::Ucic,
            Body::Grs(_) => MessageType::Grs,
            Body::Cgb(_) => MessageType::Cgb,
            Body::Cgu(_) => MessageType::Cgu,
            Body::Cgba(_) => MessageType::Cgba,
            Body::Cgua(_) => MessageType::Cgua,
            Body::Gra(_) => MessageType::Gra,
            Body::Cqm(_) => MessageType::Cqm,
            Body::Cqr(_) => MessageType::Cqr,
            Body::Cpg(_) => MessageType::Cpg,
            Body::Cfn(_) => MessageType::Cfn,
            Body::Unrecognized(u) => MessageType::from_code(u.code),
        }
    }

    /// The optional parameters, for the message types that have an optional part.
    pub fn optional(&self) -> Option<&OptionalParameters> {
        match self {
            Body::Iam(m) => Some(&m.optional),
            Body::Sam(m) => Some(&m.optional),
            Body::Inr(m) => Some(&m.optional),
            Body::Inf(m) => Some(&m.optional),
            Body::Acm(m) | Body::Con(m) => Some(&m.optional),
            Body::Fot(o) | Body::Anm(o) | Body::Rlc(o) => Some(o),
            Body::Rel(m) | Body::Cfn(m) => Some(&m.optional),
            Body::Sus(m) | Body::Res(m) => Some(&m.optional),
            Body::Cpg(m) => Some(&m.optional),
            Body::Unrecognized(u) => u.optional.as_ref(),
            _ => None,
        }
    }

    /// The optional parameters, mutably.
    pub fn optional_mut(&mut self) -> Option<&mut OptionalParameters> {
        match self {
            Body::Iam(m) => Some(&mut m.optional),
            Body::Sam(m) => Some(&mut m.optional),
            Body::Inr(m) => Some(&mut m.optional),
            Body::Inf(m) => Some(&mut m.optional),
            Body::Acm(m) | Body::Con(m) => Some(&mut m.optional),
            Body::Fot(o) | Body::Anm(o) | Body::Rlc(o) => Some(o),
            Body::Rel(m) | Body::Cfn(m) => Some(&mut m.optional),
            Body::Sus(m) | Body::Res(m) => Some(&mut m.optional),
            Body::Cpg(m) => Some(&mut m.optional),
            Body::Unrecognized(u) => u.optional.as_mut(),
            _ => None,
        }
    }
}

/// An ISUP message: circuit identification code and contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Circuit identification code (12 bits).
    pub cic: u16,
    /// Type and parameters.
    pub body: Body,
}

/// The mandatory parts of a message found by following its pointers.
struct Parts<'a> {
    fixed: &'a [u8],
    variables: [&'a [u8]; 2],
    optional: Option<OptionalParameters>,
}

/// Reads a message body laid out as `fixed` octets, `variables` pointers to mandatory
/// variable parameters and, when `has_optional`, a pointer to the optional part.
fn split(body: &[u8], fixed: usize, variables: usize, has_optional: bool) -> Result<Parts<'_>, IsupError> {
    let pointers = variables + usize::from(has_optional);
    if body.len() < fixed + pointers {
        return Err(IsupError::Truncated { needed: 3 + fixed + pointers, got: 3 + body.len() });
    }
    let mut parts = Parts { fixed: &body[..fixed], variables: [&[], &[]], optional: None };
    for i in 0..variables {
        let at = fixed + i;
        let pointer = body[at];
        let start = at + usize::from(pointer);
        if pointer == 0 || start >= body.len() {
            return Err(IsupError::BadPointer { at: 3 + at, value: pointer });
        }
        let len = usize::from(body[start]);
        let data = body
            .get(start + 1..start + 1 + len)
            .ok_or(IsupError::BadPointer { at: 3 + at, value: pointer })?;
        parts.variables[i] = data;
    }
    if has_optional {
        let at = fixed + variables;
        let pointer = body[at];
        if pointer != 0 {
            let start = at + usize::from(pointer);
            let part = body.get(start..).ok_or(IsupError::BadPointer { at: 3 + at, value: pointer })?;
            if part.is_empty() {
                return Err(IsupError::BadPointer { at: 3 + at, value: pointer });
            }
            parts.optional = Some(parse_optional(part)?);
        } else {
            parts.optional = Some(OptionalParameters::default());
        }
    }
    Ok(parts)
}

/// Reads an optional part up to and including its "end of optional parameters" octet.
fn parse_optional(mut part: &[u8]) -> Result<OptionalParameters, IsupError> {
    let mut optional = OptionalParameters::default();
    loop {
        let (&name, rest) = part.split_first().ok_or(IsupError::UnterminatedOptionalPart)?;
        if name == ParameterName::EndOfOptionalParameters.code() {
            return Ok(optional);
        }
        let (&len, rest) = rest.split_first().ok_or(IsupError::UnterminatedOptionalPart)?;
        let data = rest.get(..usize::from(len)).ok_or(IsupError::UnterminatedOptionalPart)?;
        if decode_optional(&mut optional, name, data).is_err() {
            optional.unrecognized.push(RawParameter::new(name, data));
        }
        part = &rest[usize::from(len)..];
    }
}

/// Stores one optional parameter; an error means "keep it as unrecognized".
fn decode_optional(o: &mut OptionalParameters, name: u8, data: &[u8]) -> Result<(), IsupError> {
    // A repeat is still parsed, so that a malformed repeat is reported like any other
    // malformed parameter; a well-formed repeat is dropped.
    fn once<T>(slot: &mut Option<T>, parse: impl FnOnce() -> Result<T, IsupError>) -> Result<(), IsupError> {
        let value = parse()?;
        if slot.is_none() {
            *slot = Some(value);
        }
        Ok(())
    }
    use ParameterName as P;
    match ParameterName::from_code(name) {
        P::CallingPartyNumber => {
            once(&mut o.calling_party_number, || PartyNumber::parse(NumberFormat::Calling, name, data))
        }
        P::CallingPartysCategory => once(&mut o.calling_party_category, || Category::parse(data)),
        P::RedirectingNumber => {
            once(&mut o.redirecting_number, || PartyNumber::parse(NumberFormat::Redirecting, name, data))
        }
        P::OriginalCalledNumber => {
            once(&mut o.original_called_number, || PartyNumber::parse(NumberFormat::Redirecting, name, data))
        }
        P::RedirectionNumber => {
            once(&mut o.redirection_number, || PartyNumber::parse(NumberFormat::Redirection, name, data))
        }
        P::RedirectionInformation => {
            once(&mut o.redirection_information, || RedirectionInformation::parse(data))
        }
        P::ConnectedNumber => {
            once(&mut o.connected_number, || PartyNumber::parse(NumberFormat::Connected, name, data))
        }
        P::LocationNumber => {
            once(&mut o.location_number, || PartyNumber::parse(NumberFormat::Location, name, data))
        }
        P::GenericNumber => {
            o.generic_numbers.push(PartyNumber::parse(NumberFormat::Generic, name, data)?);
            Ok(())
        }
        P::OptionalForwardCallIndicators => {
            once(&mut o.optional_forward_call_indicators, || OptionalForwardCallIndicators::parse(data))
        }
        P::OptionalBackwardCallIndicators => {
            once(&mut o.optional_backward_call_indicators, || OptionalBackwardCallIndicators::parse(data))
        }
        P::UserServiceInformation => {
            once(&mut o.user_service_information, || UserServiceInformation::parse(data))
        }
        P::CauseIndicators => once(&mut o.cause, || CauseIndicators::parse(data)),
        P::HopCounter => once(&mut o.hop_counter, || match data {
            [count] => Ok(count & 0x1F),
            _ => Err(IsupError::BadLength { parameter: name, len: data.len() }),
        }),
        P::PropagationDelayCounter => once(&mut o.propagation_delay, || match data {
            [high, low] => Ok(u16::from_be_bytes([*high, *low])),
            _ => Err(IsupError::BadLength { parameter: name, len: data.len() }),
        }),
        P::MessageCompatibilityInformation => {
            once(&mut o.message_compatibility, || MessageInstructions::parse(data))
        }
        P::ParameterCompatibilityInformation => {
            once(&mut o.parameter_compatibility, || ParameterCompatibility::parse(data))
        }
        _ if is_recognized(name) => {
            if !o.other.iter().any(|p| p.name == name) {
                o.other.push(RawParameter::new(name, data));
            }
            Ok(())
        }
        _ => Err(IsupError::BadContent { parameter: name }),
    }
}

fn optional_of(parts: &mut Parts) -> OptionalParameters {
    parts.optional.take().unwrap_or_default()
}

impl Message {
    /// Parses a message: the octets after the routing label.
    pub fn parse(data: &[u8]) -> Result<Message, IsupError> {
        if data.len() < 3 {
            return Err(IsupError::Truncated { needed: 3, got: data.len() });
        }
        if data.len() > MAX_MESSAGE_LEN {
            return Err(IsupError::TooLong { len: data.len() });
        }
        let cic = u16::from_le_bytes([data[0], data[1]]) & 0x0FFF;
        let code = data[2];
        let body = &data[3..];
        let no_parameters = |b: Body| -> Result<Body, IsupError> { Ok(b) };
        use MessageType as T;
        let body = match MessageType::from_code(code) {
            T::Iam => {
                let mut p = split(body, 5, 1, true)?;
                Body::Iam(Iam {
                    nature_of_connection: NatureOfConnection::parse(&p.fixed[0..1])?,
                    forward_call: ForwardCallIndicators::parse(&p.fixed[1..3])?,
                    category: Category::parse(&p.fixed[3..4])?,
                    medium: TransmissionMedium::parse(&p.fixed[4..5])?,
                    called: PartyNumber::parse(
                        NumberFormat::Called,
                        ParameterName::CalledPartyNumber.code(),
                        p.variables[0],
                    )?,
                    optional: optional_of(&mut p),
                })
            }
            T::Sam => {
                let mut p = split(body, 0, 1, true)?;
                Body::Sam(Sam {
                    subsequent: SubsequentNumber::parse(p.variables[0])?,
                    optional: optional_of(&mut p),
                })
            }
            T::Inr => {
                let mut p = split(body, 2, 0, true)?;
                Body::Inr(Inr { request: InformationRequest::parse(p.fixed)?, optional: optional_of(&mut p) })
            }
            T::Inf => {
                let mut p = split(body, 2, 0, true)?;
                Body::Inf(Inf {
                    indicators: InformationIndicators::parse(p.fixed)?,
                    optional: optional_of(&mut p),
                })
            }
            T::Cot => Body::Cot(ContinuityIndicators::parse(split(body, 1, 0, false)?.fixed)?),
            T::Acm | T::Con => {
                let mut p = split(body, 2, 0, true)?;
                let backward = Backward {
                    indicators: BackwardCallIndicators::parse(p.fixed)?,
                    optional: optional_of(&mut p),
                };
                if code == T::Acm.code() { Body::Acm(backward) } else { Body::Con(backward) }
            }
            T::Fot => Body::Fot(optional_of(&mut split(body, 0, 0, true)?)),
            T::Anm => Body::Anm(optional_of(&mut split(body, 0, 0, true)?)),
            T::Rlc => Body::Rlc(optional_of(&mut split(body, 0, 0, true)?)),
            T::Rel | T::Cfn => {
                let mut p = split(body, 0, 1, true)?;
                let m = WithCause {
                    cause: CauseIndicators::parse(p.variables[0])?,
                    optional: optional_of(&mut p),
                };
                if code == T::Rel.code() { Body::Rel(m) } else { Body::Cfn(m) }
            }
            T::Sus | T::Res => {
                let mut p = split(body, 1, 0, true)?;
                let m = Suspend { indicators: SuspendResume::parse(p.fixed)?, optional: optional_of(&mut p) };
                if code == T::Sus.code() { Body::Sus(m) } else { Body::Res(m) }
            }
            T::Ccr => no_parameters(Body::Ccr)?,
            T::Rsc => no_parameters(Body::Rsc)?,
            T::Blo => no_parameters(Body::Blo)?,
            T::Ubl => no_parameters(Body::Ubl)?,
            T::Bla => no_parameters(Body::Bla)?,
            T::Uba => no_parameters(Body::Uba)?,
            T::Lpa => no_parameters(Body::Lpa)?,
            T::Ucic => no_parameters(Body::Ucic)?,
            T::Grs | T::Cqm => {
                let p = split(body, 0, 1, false)?;
                let range = RangeAndStatus::parse(p.variables[0])?;
                if range.status.is_some() {
                    return Err(IsupError::BadContent { parameter: ParameterName::RangeAndStatus.code() });
                }
                if code == T::Grs.code() { Body::Grs(range) } else { Body::Cqm(range) }
            }
            T::Gra => {
                let p = split(body, 0, 1, false)?;
                let range = RangeAndStatus::parse(p.variables[0])?;
                if range.status.is_none() {
                    return Err(IsupError::BadContent { parameter: ParameterName::RangeAndStatus.code() });
                }
                Body::Gra(range)
            }
            T::Cgb | T::Cgu | T::Cgba | T::Cgua => {
                let p = split(body, 1, 1, false)?;
                let range = RangeAndStatus::parse(p.variables[0])?;
                if range.status.is_none() {
                    return Err(IsupError::BadContent { parameter: ParameterName::RangeAndStatus.code() });
                }
                let m = GroupSupervision { kind: GroupSupervisionType::parse(p.fixed)?, range };
                match MessageType::from_code(code) {
                    T::Cgb => Body::Cgb(m),
                    T::Cgu => Body::Cgu(m),
                    T::Cgba => Body::Cgba(m),
                    _ => Body::Cgua(m),
                }
            }
            T::Cqr => {
                let p = split(body, 0, 2, false)?;
                let range = RangeAndStatus::parse(p.variables[0])?;
                if range.status.is_some() {
                    return Err(IsupError::BadContent { parameter: ParameterName::RangeAndStatus.code() });
                }
                Body::Cqr(Cqr { range, states: CircuitStates::parse(p.variables[1])? })
            }
            T::Cpg => {
                let mut p = split(body, 1, 0, true)?;
                Body::Cpg(Cpg { event: EventInformation::parse(p.fixed)?, optional: optional_of(&mut p) })
            }
            T::Unknown(code) => {
                let optional = if body.is_empty() {
                    None
                } else {
                    split(body, 0, 0, true).ok().and_then(|mut p| p.optional.take())
                };
                Body::Unrecognized(Unrecognized { code, optional })
            }
        };
        Ok(Message { cic, body })
    }

    /// Writes the message (from the CIC on) into `out`; returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, IsupError> {
        let limit = out.len().min(MAX_MESSAGE_LEN);
        let mut w = Writer::new(&mut out[..limit]);
        w.put_slice(&(self.cic & 0x0FFF).to_le_bytes())?;
        w.put(self.body.message_type().code())?;
        match &self.body {
            Body::Iam(m) => {
                m.nature_of_connection.emit(&mut w)?;
                m.forward_call.emit(&mut w)?;
                m.category.emit(&mut w)?;
                m.medium.emit(&mut w)?;
                let pointers = reserve(&mut w, 2)?;
                variable(&mut w, pointers, |w| m.called.emit(NumberFormat::Called, w))?;
                emit_optional(&mut w, pointers + 1, &m.optional)?;
            }
            Body::Sam(m) => {
                let pointers = reserve(&mut w, 2)?;
                variable(&mut w, pointers, |w| m.subsequent.emit(w))?;
                emit_optional(&mut w, pointers + 1, &m.optional)?;
            }
            Body::Inr(m) => {
                m.request.emit(&mut w)?;
                let pointer = reserve(&mut w, 1)?;
                emit_optional(&mut w, pointer, &m.optional)?;
            }
            Body::Inf(m) => {
                m.indicators.emit(&mut w)?;
                let pointer = reserve(&mut w, 1)?;
                emit_optional(&mut w, pointer, &m.optional)?;
            }
            Body::Cot(c) => c.emit(&mut w)?,
            Body::Acm(m) | Body::Con(m) => {
                m.indicators.emit(&mut w)?;
                let pointer = reserve(&mut w, 1)?;
                emit_optional(&mut w, pointer, &m.optional)?;
            }
            Body::Fot(o) | Body::Anm(o) | Body::Rlc(o) => {
                let pointer = reserve(&mut w, 1)?;
                emit_optional(&mut w, pointer, o)?;
            }
            Body::Rel(m) | Body::Cfn(m) => {
                let pointers = reserve(&mut w, 2)?;
                variable(&mut w, pointers, |w| m.cause.emit(w))?;
                emit_optional(&mut w, pointers + 1, &m.optional)?;
            }
            Body::Sus(m) | Body::Res(m) => {
                m.indicators.emit(&mut w)?;
                let pointer = reserve(&mut w, 1)?;
                emit_optional(&mut w, pointer, &m.optional)?;
            }
            Body::Ccr
            | Body::Rsc
            | Body::Blo
            | Body::Ubl
            | Body::Bla
            | Body::Uba
            | Body::Lpa
            | Body::Ucic => {}
            Body::Grs(range) | Body::Cqm(range) => {
                let pointer = reserve(&mut w, 1)?;
                variable(&mut w, pointer, |w| RangeAndStatus::range_only(range.range).emit(w))?;
            }
            Body::Gra(range) => {
                let pointer = reserve(&mut w, 1)?;
                let with_status =
                    RangeAndStatus { range: range.range, status: Some(range.status.unwrap_or_default()) };
                variable(&mut w, pointer, |w| with_status.emit(w))?;
            }
            Body::Cgb(m) | Body::Cgu(m) | Body::Cgba(m) | Body::Cgua(m) => {
                m.kind.emit(&mut w)?;
                let pointer = reserve(&mut w, 1)?;
                let with_status =
                    RangeAndStatus { range: m.range.range, status: Some(m.range.status.unwrap_or_default()) };
                variable(&mut w, pointer, |w| with_status.emit(w))?;
            }
            Body::Cqr(m) => {
                let pointers = reserve(&mut w, 2)?;
                variable(&mut w, pointers, |w| RangeAndStatus::range_only(m.range.range).emit(w))?;
                variable(&mut w, pointers + 1, |w| m.states.emit(w))?;
            }
            Body::Cpg(m) => {
                m.event.emit(&mut w)?;
                let pointer = reserve(&mut w, 1)?;
                emit_optional(&mut w, pointer, &m.optional)?;
            }
            Body::Unrecognized(u) => {
                if let Some(optional) = &u.optional {
                    let pointer = reserve(&mut w, 1)?;
                    emit_optional(&mut w, pointer, optional)?;
                }
            }
        }
        Ok(w.position())
    }
}

/// Writes `count` zero pointer octets; returns the position of the first.
fn reserve(w: &mut Writer, count: usize) -> Result<usize, IsupError> {
    let at = w.position();
    for _ in 0..count {
        w.put(0)?;
    }
    Ok(at)
}

/// Writes a length octet and the contents `emit` produces; returns the length octet's
/// position.
fn length_prefixed(
    w: &mut Writer,
    emit: impl FnOnce(&mut Writer) -> Result<(), IsupError>,
) -> Result<usize, IsupError> {
    let at = w.position();
    w.put(0)?;
    emit(w)?;
    let len = w.position() - at - 1;
    let len = u8::try_from(len).map_err(|_| IsupError::TooLong { len })?;
    w.patch(at, len)?;
    Ok(at)
}

/// Writes a mandatory variable parameter and points the pointer at `pointer` to it.
fn variable(
    w: &mut Writer,
    pointer: usize,
    emit: impl FnOnce(&mut Writer) -> Result<(), IsupError>,
) -> Result<(), IsupError> {
    let at = length_prefixed(w, emit)?;
    let offset = u8::try_from(at - pointer).map_err(|_| IsupError::TooLong { len: at })?;
    w.patch(pointer, offset)?;
    Ok(())
}

/// Writes one optional parameter (name, length, contents).
fn param(
    w: &mut Writer,
    name: ParameterName,
    emit: impl FnOnce(&mut Writer) -> Result<(), IsupError>,
) -> Result<(), IsupError> {
    w.put(name.code())?;
    length_prefixed(w, emit)?;
    Ok(())
}

fn raw(w: &mut Writer, p: &RawParameter) -> Result<(), IsupError> {
    w.put(p.name)?;
    length_prefixed(w, |w| Ok(w.put_slice(p.data.as_slice())?))?;
    Ok(())
}

/// Writes the optional part (when there is anything in it) and sets its pointer.
fn emit_optional(w: &mut Writer, pointer: usize, o: &OptionalParameters) -> Result<(), IsupError> {
    if o.is_empty() {
        return Ok(());
    }
    let offset =
        u8::try_from(w.position() - pointer).map_err(|_| IsupError::TooLong { len: w.position() })?;
    w.patch(pointer, offset)?;
    use ParameterName as P;
    if let Some(n) = &o.calling_party_number {
        param(w, P::CallingPartyNumber, |w| n.emit(NumberFormat::Calling, w))?;
    }
    if let Some(c) = &o.calling_party_category {
        param(w, P::CallingPartysCategory, |w| c.emit(w))?;
    }
    if let Some(n) = &o.redirecting_number {
        param(w, P::RedirectingNumber, |w| n.emit(NumberFormat::Redirecting, w))?;
    }
    if let Some(n) = &o.original_called_number {
        param(w, P::OriginalCalledNumber, |w| n.emit(NumberFormat::Redirecting, w))?;
    }
    if let Some(n) = &o.redirection_number {
        param(w, P::RedirectionNumber, |w| n.emit(NumberFormat::Redirection, w))?;
    }
    if let Some(r) = &o.redirection_information {
        param(w, P::RedirectionInformation, |w| r.emit(w))?;
    }
    if let Some(n) = &o.connected_number {
        param(w, P::ConnectedNumber, |w| n.emit(NumberFormat::Connected, w))?;
    }
    if let Some(n) = &o.location_number {
        param(w, P::LocationNumber, |w| n.emit(NumberFormat::Location, w))?;
    }
    for n in &o.generic_numbers {
        param(w, P::GenericNumber, |w| n.emit(NumberFormat::Generic, w))?;
    }
    if let Some(i) = &o.optional_forward_call_indicators {
        param(w, P::OptionalForwardCallIndicators, |w| i.emit(w))?;
    }
    if let Some(i) = &o.optional_backward_call_indicators {
        param(w, P::OptionalBackwardCallIndicators, |w| i.emit(w))?;
    }
    if let Some(u) = &o.user_service_information {
        param(w, P::UserServiceInformation, |w| u.emit(w))?;
    }
    if let Some(c) = &o.cause {
        param(w, P::CauseIndicators, |w| c.emit(w))?;
    }
    if let Some(h) = o.hop_counter {
        param(w, P::HopCounter, |w| Ok(w.put(h & 0x1F)?))?;
    }
    if let Some(d) = o.propagation_delay {
        param(w, P::PropagationDelayCounter, |w| Ok(w.put_slice(&d.to_be_bytes())?))?;
    }
    if let Some(m) = &o.message_compatibility {
        param(w, P::MessageCompatibilityInformation, |w| m.emit(w))?;
    }
    if let Some(p) = &o.parameter_compatibility {
        param(w, P::ParameterCompatibilityInformation, |w| p.emit(w))?;
    }
    for p in o.other.iter().chain(&o.unrecognized) {
        raw(w, p)?;
    }
    w.put(ParameterName::EndOfOptionalParameters.code())?;
    Ok(())
}
