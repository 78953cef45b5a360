//! Q.931 messages: the header (protocol discriminator, call reference, message type) as a
//! checked view, and [`Message`], the plain struct every message is parsed into and emitted
//! from.
//!
//! Parsing follows Q.931 §5.8 so that the call machines can react as the standard says:
//! - a message whose header is unusable (§5.8.1–§5.8.3.1: wrong protocol discriminator, too
//!   short, bad call reference length) is a [`MessageError`] and is ignored;
//! - otherwise every element is looked at: known elements of codeset 0 are decoded into
//!   [`Ies`]; an element whose contents are wrong, and an element this crate does not know, is
//!   recorded in [`Message::problems`] (with whether it was "comprehension required",
//!   identifier 0000 xxxx) and the rest of the message still counts;
//! - a repeated element is ignored after its first occurrence (§5.8.5.2), except that the
//!   progress indicator may appear twice; elements of other codesets (reached by a shift) are
//!   skipped.

use super::ie::{
    BearerCapability, CallStateIe, CauseIe, ChannelId, Display, HighLayerCompatibility, IeError,
    LowLayerCompatibility, Notification, PartyNumber, ProgressIndicator, RestartClass, Writer, id,
    number::NumberKind,
};
use super::lapd::BufferTooSmall;
use core::fmt;

/// The protocol discriminator of Q.931 call control messages.
pub const PROTOCOL_DISCRIMINATOR: u8 = 0x08;

/// Longest message emitted: what fits in one LAPD information field (N201).
pub const MAX_MESSAGE_LEN: usize = super::lapd::N201;

macro_rules! message_types {
    ($( $(#[$doc:meta])* $variant:ident = $value:literal, $name:literal; )*) => {
        /// Message type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum MessageType {
            $( $(#[$doc])* $variant, )*
            /// Any other message type, kept as received.
            Unknown(u8),
        }

        impl MessageType {
            /// The type with code `value`.
            pub const fn from_u8(value: u8) -> Self {
                match value {
                    $( $value => MessageType::$variant, )*
                    other => MessageType::Unknown(other),
                }
            }

            /// The type's code.
            pub const fn to_u8(self) -> u8 {
                match self {
                    $( MessageType::$variant => $value, )*
                    MessageType::Unknown(value) => value,
                }
            }

            /// The message's name as Q.931 spells it.
            pub const fn name(self) -> &'static str {
                match self {
                    $( MessageType::$variant => $name, )*
                    MessageType::Unknown(_) => "UNKNOWN",
                }
            }
        }
    };
}

message_types! {
    /// 0x01.
    Alerting = 0x01, "ALERTING";
    /// 0x02.
    CallProceeding = 0x02, "CALL PROCEEDING";
    /// 0x03.
    Progress = 0x03, "PROGRESS";
    /// 0x05.
    Setup = 0x05, "SETUP";
    /// 0x07.
    Connect = 0x07, "CONNECT";
    /// 0x0D.
    SetupAcknowledge = 0x0D, "SETUP ACKNOWLEDGE";
    /// 0x0F.
    ConnectAcknowledge = 0x0F, "CONNECT ACKNOWLEDGE";
    /// 0x45.
    Disconnect = 0x45, "DISCONNECT";
    /// 0x46.
    Restart = 0x46, "RESTART";
    /// 0x4D.
    Release = 0x4D, "RELEASE";
    /// 0x4E.
    RestartAcknowledge = 0x4E, "RESTART ACKNOWLEDGE";
    /// 0x5A.
    ReleaseComplete = 0x5A, "RELEASE COMPLETE";
    /// 0x6E.
    Notify = 0x6E, "NOTIFY";
    /// 0x75.
    StatusEnquiry = 0x75, "STATUS ENQUIRY";
    /// 0x7B.
    Information = 0x7B, "INFORMATION";
    /// 0x7D.
    Status = 0x7D, "STATUS";
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageType::Unknown(value) => write!(f, "UNKNOWN ({value:#04x})"),
            known => f.write_str(known.name()),
        }
    }
}

/// A call reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallRef {
    /// Call reference value (15 bits with a 2-octet reference, 7 with a 1-octet one).
    pub value: u16,
    /// The flag: `false` in messages from the side that allocated the value, `true` in
    /// messages from the other side.
    pub flag: bool,
    /// Length of the value in octets: 2 on a primary rate interface, 0 for the dummy reference.
    pub len: u8,
}

impl CallRef {
    /// A 2-octet (primary rate) reference.
    pub const fn new(value: u16, flag: bool) -> Self {
        CallRef { value: value & 0x7FFF, flag, len: 2 }
    }

    /// The global call reference (value 0) of a primary rate interface.
    pub const fn global(flag: bool) -> Self {
        CallRef { value: 0, flag, len: 2 }
    }

    /// Whether this is the global call reference.
    pub const fn is_global(&self) -> bool {
        self.len > 0 && self.value == 0
    }

    /// Whether this is the dummy call reference (no value).
    pub const fn is_dummy(&self) -> bool {
        self.len == 0
    }

    /// The same value with the flag the other side uses.
    pub const fn reply(&self) -> Self {
        CallRef { value: self.value, flag: !self.flag, len: self.len }
    }
}

/// Why a message was ignored as a whole (Q.931 §5.8.1–§5.8.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageError {
    /// Shorter than a header.
    TooShort { len: usize },
    /// Not Q.931's protocol discriminator.
    ProtocolDiscriminator(u8),
    /// Call reference length octet with bits 8–5 set, or a length above 2.
    CallRefLength(u8),
}

impl fmt::Display for MessageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MessageError::TooShort { len } => write!(f, "Q.931 message of {len} octets is too short"),
            MessageError::ProtocolDiscriminator(pd) => {
                write!(f, "protocol discriminator {pd:#04x} is not Q.931")
            }
            MessageError::CallRefLength(octet) => {
                write!(f, "invalid call reference length octet {octet:#04x}")
            }
        }
    }
}

impl core::error::Error for MessageError {}

/// A checked view of a Q.931 message header. After [`Header::new_checked`] no accessor
/// panics.
#[derive(Debug, Clone, Copy)]
pub struct Header<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Header<T> {
    /// Checks the protocol discriminator, the call reference length octet, and that the
    /// buffer holds the call reference and the message type.
    pub fn new_checked(buffer: T) -> Result<Self, MessageError> {
        let data = buffer.as_ref();
        let (&pd, &length_octet) = match data {
            [pd, length, ..] => (pd, length),
            _ => return Err(MessageError::TooShort { len: data.len() }),
        };
        if pd != PROTOCOL_DISCRIMINATOR {
            return Err(MessageError::ProtocolDiscriminator(pd));
        }
        if length_octet & 0xF0 != 0 || length_octet > 2 {
            return Err(MessageError::CallRefLength(length_octet));
        }
        if data.len() < 3 + usize::from(length_octet) {
            return Err(MessageError::TooShort { len: data.len() });
        }
        Ok(Header { buffer })
    }

    /// The call reference.
    pub fn call_ref(&self) -> CallRef {
        let data = self.buffer.as_ref();
        match data[1] {
            0 => CallRef { value: 0, flag: false, len: 0 },
            1 => CallRef { value: u16::from(data[2] & 0x7F), flag: data[2] & 0x80 != 0, len: 1 },
            _ => CallRef {
                value: u16::from(data[2] & 0x7F) << 8 | u16::from(data[3]),
                flag: data[2] & 0x80 != 0,
                len: 2,
            },
        }
    }

    /// The message type.
    pub fn message_type(&self) -> MessageType {
        let data = self.buffer.as_ref();
        MessageType::from_u8(data[2 + usize::from(data[1])])
    }

    /// The information elements.
    pub fn elements(&self) -> &[u8] {
        let data = self.buffer.as_ref();
        &data[3 + usize::from(data[1])..]
    }
}

/// What was wrong with one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IeProblemKind {
    /// Not an element this crate knows (§5.8.7.1).
    Unrecognised { comprehension_required: bool },
    /// A known element with invalid contents (§5.8.6.2, §5.8.7.2).
    Content(IeError),
}

/// An element of codeset 0 that could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IeProblem {
    /// Element identifier.
    pub id: u8,
    /// What was wrong.
    pub kind: IeProblemKind,
}

/// The problems of one message, at most [`IeProblems::CAPACITY`] of them kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IeProblems {
    list: [Option<IeProblem>; IeProblems::CAPACITY],
    /// More problems than the list holds were found.
    pub overflow: bool,
}

impl IeProblems {
    /// Problems kept per message.
    pub const CAPACITY: usize = 8;

    fn push(&mut self, problem: IeProblem) {
        match self.list.iter_mut().find(|slot| slot.is_none()) {
            Some(slot) => *slot = Some(problem),
            None => self.overflow = true,
        }
    }

    /// The problems, in message order.
    pub fn iter(&self) -> impl Iterator<Item = &IeProblem> {
        // The list fills from the front: the first empty entry ends it.
        self.list.iter().map_while(Option::as_ref)
    }

    /// Whether there were none.
    pub fn is_empty(&self) -> bool {
        self.list[0].is_none()
    }

    /// Whether an unrecognised element marked "comprehension required" was received.
    pub fn comprehension_required(&self) -> bool {
        self.iter().any(|p| p.kind == IeProblemKind::Unrecognised { comprehension_required: true })
    }

    /// Whether element `id` had a content error.
    pub fn content_error(&self, id: u8) -> bool {
        self.iter().any(|p| p.id == id && matches!(p.kind, IeProblemKind::Content(_)))
    }
}

/// The elements of a message that this crate interprets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ies {
    /// Sending complete (single octet 0xA1).
    pub sending_complete: bool,
    /// Bearer capability.
    pub bearer_capability: Option<BearerCapability>,
    /// Cause (the first one, when two are present).
    pub cause: Option<CauseIe>,
    /// Call state.
    pub call_state: Option<CallStateIe>,
    /// Channel identification.
    pub channel_id: Option<ChannelId>,
    /// Progress indicators (Q.931 allows two).
    pub progress: [Option<ProgressIndicator>; 2],
    /// Notification indicator.
    pub notification: Option<Notification>,
    /// Display.
    pub display: Option<Display>,
    /// Calling party number.
    pub calling: Option<PartyNumber>,
    /// Called party number.
    pub called: Option<PartyNumber>,
    /// Redirecting number.
    pub redirecting: Option<PartyNumber>,
    /// Restart indicator.
    pub restart: Option<RestartClass>,
    /// Low layer compatibility.
    pub llc: Option<LowLayerCompatibility>,
    /// High layer compatibility.
    pub hlc: Option<HighLayerCompatibility>,
}

impl Ies {
    /// Whether element `id` (of codeset 0) is present.
    pub fn contains(&self, ie: u8) -> bool {
        match ie {
            id::SENDING_COMPLETE => self.sending_complete,
            id::BEARER_CAPABILITY => self.bearer_capability.is_some(),
            id::CAUSE => self.cause.is_some(),
            id::CALL_STATE => self.call_state.is_some(),
            id::CHANNEL_ID => self.channel_id.is_some(),
            id::PROGRESS => self.progress[0].is_some(),
            id::NOTIFICATION => self.notification.is_some(),
            id::DISPLAY => self.display.is_some(),
            id::CALLING_NUMBER => self.calling.is_some(),
            id::CALLED_NUMBER => self.called.is_some(),
            id::REDIRECTING_NUMBER => self.redirecting.is_some(),
            id::RESTART_INDICATOR => self.restart.is_some(),
            id::LOW_LAYER_COMPATIBILITY => self.llc.is_some(),
            id::HIGH_LAYER_COMPATIBILITY => self.hlc.is_some(),
            _ => false,
        }
    }
}

/// A Q.931 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// Call reference.
    pub call_ref: CallRef,
    /// Message type.
    pub message_type: MessageType,
    /// The interpreted elements.
    pub ies: Ies,
    /// Elements that could not be used (filled by parsing; ignored by emitting).
    pub problems: IeProblems,
}

/// A mandatory element that is missing or unusable, with the cause Q.931 §5.8.6 answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MandatoryIeError {
    /// The element.
    pub id: u8,
    /// 96 when missing, 100 when its contents were invalid.
    pub cause: tdm_base::Cause,
}

/// Mandatory elements per message type (Q.931 §3.1 and §3.3 tables, primary rate):
/// `(in both directions, additionally network → user)`. Elements that are mandatory only in
/// some situations (channel identification in the first answer to SETUP, cause in the first
/// clearing message) are checked by the call machines. A match rather than a table to search:
/// every received message is checked.
fn mandatory_elements(message_type: MessageType) -> (&'static [u8], &'static [u8]) {
    match message_type {
        MessageType::Setup => (&[id::BEARER_CAPABILITY], &[id::CHANNEL_ID]),
        MessageType::Disconnect => (&[id::CAUSE], &[]),
        MessageType::Status => (&[id::CAUSE, id::CALL_STATE], &[]),
        MessageType::Restart | MessageType::RestartAcknowledge => (&[id::RESTART_INDICATOR], &[]),
        MessageType::Notify => (&[id::NOTIFICATION], &[]),
        MessageType::Progress => (&[id::PROGRESS], &[]),
        _ => (&[], &[]),
    }
}

impl Message {
    /// A message with no elements.
    pub fn new(call_ref: CallRef, message_type: MessageType) -> Self {
        Message { call_ref, message_type, ies: Ies::default(), problems: IeProblems::default() }
    }

    /// Parses a whole message (the information field of an I or UI frame).
    pub fn parse(bytes: &[u8]) -> Result<Self, MessageError> {
        let mut message = Message::new(CallRef::global(false), MessageType::Unknown(0));
        message.parse_into(bytes)?;
        Ok(message)
    }

    /// Parses a whole message into `self`, reusing its storage (what an engine does per
    /// frame). On error `self` is left unspecified.
    pub fn parse_into(&mut self, bytes: &[u8]) -> Result<(), MessageError> {
        let header = Header::new_checked(bytes)?;
        self.call_ref = header.call_ref();
        self.message_type = header.message_type();
        self.ies = Ies::default();
        self.problems = IeProblems::default();
        self.parse_elements(header.elements());
        Ok(())
    }

    fn parse_elements(&mut self, data: &[u8]) {
        let mut locked_codeset = 0u8;
        let mut next_codeset: Option<u8> = None;
        let mut pos = 0;
        while let Some(&first) = data.get(pos) {
            if first & 0x80 != 0 {
                pos += 1;
                if first & 0xF0 == 0x90 {
                    // Shift: bit 4 set is non-locking (the next element only).
                    if first & 0x08 != 0 {
                        next_codeset = Some(first & 0x07);
                    } else {
                        locked_codeset = first & 0x07;
                    }
                    continue;
                }
                let codeset = next_codeset.take().unwrap_or(locked_codeset);
                if codeset == 0 {
                    self.single_octet_element(first);
                }
                continue;
            }
            let codeset = next_codeset.take().unwrap_or(locked_codeset);
            let Some(&length) = data.get(pos + 1) else {
                if codeset == 0 {
                    self.problems
                        .push(IeProblem { id: first, kind: IeProblemKind::Content(IeError::Truncated) });
                }
                return;
            };
            let start = pos + 2;
            let end = start + usize::from(length);
            let Some(contents) = data.get(start..end) else {
                if codeset == 0 {
                    self.problems
                        .push(IeProblem { id: first, kind: IeProblemKind::Content(IeError::Truncated) });
                }
                return;
            };
            pos = end;
            if codeset == 0 {
                self.variable_length_element(first, contents);
            }
        }
    }

    fn single_octet_element(&mut self, octet: u8) {
        match octet {
            id::SENDING_COMPLETE => self.ies.sending_complete = true,
            // More data, congestion level, repeat indicator: recognised, not acted on.
            0xA0 | 0xB0..=0xBF | 0xD0..=0xDF => {}
            other => self.problems.push(IeProblem {
                id: other,
                kind: IeProblemKind::Unrecognised { comprehension_required: false },
            }),
        }
    }

    fn variable_length_element(&mut self, ie: u8, contents: &[u8]) {
        fn store<T>(slot: &mut Option<T>, parsed: Result<T, IeError>) -> Result<(), IeError> {
            if slot.is_none() {
                *slot = Some(parsed?);
            }
            Ok(())
        }
        let ies = &mut self.ies;
        let result = match ie {
            id::BEARER_CAPABILITY => store(&mut ies.bearer_capability, BearerCapability::parse(contents)),
            id::CAUSE => store(&mut ies.cause, CauseIe::parse(contents)),
            id::CALL_STATE => store(&mut ies.call_state, CallStateIe::parse(contents)),
            id::CHANNEL_ID => store(&mut ies.channel_id, ChannelId::parse(contents)),
            id::PROGRESS => match ies.progress.iter_mut().find(|slot| slot.is_none()) {
                Some(slot) => store(slot, ProgressIndicator::parse(contents)),
                None => Ok(()),
            },
            id::NOTIFICATION => store(&mut ies.notification, Notification::parse(contents)),
            id::DISPLAY => store(&mut ies.display, Display::parse(contents)),
            id::CALLING_NUMBER => store(&mut ies.calling, PartyNumber::parse(contents, NumberKind::Calling)),
            id::CALLED_NUMBER => store(&mut ies.called, PartyNumber::parse(contents, NumberKind::Called)),
            id::REDIRECTING_NUMBER => {
                store(&mut ies.redirecting, PartyNumber::parse(contents, NumberKind::Redirecting))
            }
            id::RESTART_INDICATOR => store(&mut ies.restart, RestartClass::parse(contents)),
            id::LOW_LAYER_COMPATIBILITY => store(&mut ies.llc, LowLayerCompatibility::parse(contents)),
            id::HIGH_LAYER_COMPATIBILITY => store(&mut ies.hlc, HighLayerCompatibility::parse(contents)),
            other if id::RECOGNISED_UNINTERPRETED.contains(&other) => Ok(()),
            other => {
                self.problems.push(IeProblem {
                    id: other,
                    kind: IeProblemKind::Unrecognised { comprehension_required: other & 0xF0 == 0 },
                });
                Ok(())
            }
        };
        if let Err(error) = result {
            self.problems.push(IeProblem { id: ie, kind: IeProblemKind::Content(error) });
        }
    }

    /// The first mandatory element (per the table of Q.931 §3) that is missing or was
    /// received with invalid contents. `from_network` tells the direction the message travelled.
    pub fn check_mandatory(&self, from_network: bool) -> Result<(), MandatoryIeError> {
        let (always, network_to_user) = mandatory_elements(self.message_type);
        for &ie in always {
            self.require(ie)?;
        }
        if from_network {
            for &ie in network_to_user {
                self.require(ie)?;
            }
        }
        Ok(())
    }

    fn require(&self, ie: u8) -> Result<(), MandatoryIeError> {
        if self.ies.contains(ie) {
            return Ok(());
        }
        let cause = if self.problems.content_error(ie) {
            tdm_base::Cause::InvalidIeContents
        } else {
            tdm_base::Cause::MandatoryIeMissing
        };
        Err(MandatoryIeError { id: ie, cause })
    }

    /// Writes the message into `buffer` and returns its length. Elements are written in
    /// ascending identifier order (sending complete first), as Q.931's message tables list them.
    pub fn emit(&self, buffer: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let mut writer = Writer::new(buffer);
        emit_header(&mut writer, self.call_ref, self.message_type)?;
        let ies = &self.ies;
        if ies.sending_complete {
            writer.u8(id::SENDING_COMPLETE)?;
        }
        if let Some(bearer) = &ies.bearer_capability {
            writer.element(id::BEARER_CAPABILITY, |w| bearer.emit_contents(w))?;
        }
        if let Some(cause) = &ies.cause {
            writer.element(id::CAUSE, |w| cause.emit_contents(w))?;
        }
        if let Some(state) = &ies.call_state {
            writer.element(id::CALL_STATE, |w| state.emit_contents(w))?;
        }
        if let Some(channel) = &ies.channel_id {
            writer.element(id::CHANNEL_ID, |w| channel.emit_contents(w))?;
        }
        for progress in ies.progress.iter().flatten() {
            writer.element(id::PROGRESS, |w| progress.emit_contents(w))?;
        }
        if let Some(notification) = &ies.notification {
            writer.element(id::NOTIFICATION, |w| notification.emit_contents(w))?;
        }
        if let Some(display) = &ies.display {
            writer.element(id::DISPLAY, |w| display.emit_contents(w))?;
        }
        if let Some(calling) = &ies.calling {
            writer.element(id::CALLING_NUMBER, |w| calling.emit_contents(w, NumberKind::Calling))?;
        }
        if let Some(called) = &ies.called {
            writer.element(id::CALLED_NUMBER, |w| called.emit_contents(w, NumberKind::Called))?;
        }
        if let Some(redirecting) = &ies.redirecting {
            writer
                .element(id::REDIRECTING_NUMBER, |w| redirecting.emit_contents(w, NumberKind::Redirecting))?;
        }
        if let Some(restart) = &ies.restart {
            writer.element(id::RESTART_INDICATOR, |w| restart.emit_contents(w))?;
        }
        if let Some(llc) = &ies.llc {
            writer.element(id::LOW_LAYER_COMPATIBILITY, |w| llc.emit_contents(w))?;
        }
        if let Some(hlc) = &ies.hlc {
            writer.element(id::HIGH_LAYER_COMPATIBILITY, |w| hlc.emit_contents(w))?;
        }
        Ok(writer.len())
    }
}

fn emit_header(
    writer: &mut Writer<'_>,
    cr: CallRef,
    message_type: MessageType,
) -> Result<(), BufferTooSmall> {
    let flag = u8::from(cr.flag) << 7;
    let kind = message_type.to_u8();
    match cr.len {
        0 => writer.bytes(&[PROTOCOL_DISCRIMINATOR, 0, kind]),
        1 => writer.bytes(&[PROTOCOL_DISCRIMINATOR, 1, flag | (cr.value & 0x7F) as u8, kind]),
        _ => {
            let [high, low] = cr.value.to_be_bytes();
            writer.bytes(&[PROTOCOL_DISCRIMINATOR, 2, flag | (high & 0x7F), low, kind])
        }
    }
}

/// The few elements most call control messages carry (CALL PROCEEDING, ALERTING, CONNECT and
/// their acknowledgements, the clearing messages, STATUS), for [`ShortMessage::emit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShortMessage<'a> {
    /// Call reference.
    pub call_ref: CallRef,
    /// Message type.
    pub message_type: MessageType,
    /// Cause.
    pub cause: Option<&'a CauseIe>,
    /// Call state.
    pub call_state: Option<CallStateIe>,
    /// Channel identification.
    pub channel_id: Option<&'a ChannelId>,
    /// Progress indicator.
    pub progress: Option<ProgressIndicator>,
}

impl<'a> ShortMessage<'a> {
    /// A message of `message_type` with no elements yet.
    pub const fn new(call_ref: CallRef, message_type: MessageType) -> Self {
        ShortMessage {
            call_ref,
            message_type,
            cause: None,
            call_state: None,
            channel_id: None,
            progress: None,
        }
    }

    /// Writes the message as [`Message::emit`] writes a message with these elements and no
    /// others, octet for octet, without building a whole [`Message`] first (an engine sends
    /// one of these for almost every message it receives).
    pub fn emit(&self, buffer: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let mut writer = Writer::new(buffer);
        emit_header(&mut writer, self.call_ref, self.message_type)?;
        if let Some(cause) = self.cause {
            writer.element(id::CAUSE, |w| cause.emit_contents(w))?;
        }
        if let Some(state) = &self.call_state {
            writer.element(id::CALL_STATE, |w| state.emit_contents(w))?;
        }
        if let Some(channel) = self.channel_id {
            writer.element(id::CHANNEL_ID, |w| channel.emit_contents(w))?;
        }
        if let Some(progress) = &self.progress {
            writer.element(id::PROGRESS, |w| progress.emit_contents(w))?;
        }
        Ok(writer.len())
    }
}

/// Parses `data` as a message, emits it again and parses that: the two parses must agree.
/// This is the body of the Q.931 fuzz target; it returns the first parse.
///
/// It never panics on its own; it returns `Err` only when the input is not a message.
pub fn fuzz_roundtrip(data: &[u8]) -> Result<Message, MessageError> {
    let message = Message::parse(data)?;
    let mut buffer = [0u8; 1024];
    if let Ok(len) = message.emit(&mut buffer) {
        let reparsed = Message::parse(&buffer[..len]);
        let mut expected = message;
        expected.problems = IeProblems::default();
        assert_eq!(
            reparsed.map(|mut m| {
                m.problems = IeProblems::default();
                m
            }),
            Ok(expected),
            "Q.931 re-encoding changed the message"
        );
    }
    Ok(message)
}

#[cfg(test)]
mod tests;
