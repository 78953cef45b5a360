//! One line of text per D-channel frame, for a live signaling trace: the LAPD frame kind with
//! its sequence numbers and poll/final bit, then the Q.931 message it carries with its call
//! reference and the elements decoded.
//!
//! ```text
//! SABME cmd P
//! I cmd N(S)=0 N(R)=0 | SETUP cref 1 from originator | sending complete; bearer speech 64k A-law;
//!     channel ts 5 exclusive; called 100 unknown/E.164
//! RR rsp N(R)=1
//! ```
//!
//! Whether a frame is a command or a response depends on who sent it (Q.921 Table 1), so the
//! sender's side comes with the frame. Formatting goes straight to the [`fmt::Formatter`]:
//! nothing is allocated, and malformed octets are described, never a reason to panic.

use super::ie::{
    BearerCapability, CauseIe, ChannelId, ChannelSelection, Layer1Protocol, NumberingPlan, PartyNumber,
    Presentation, ProgressDescription, ProgressIndicator, RestartClass, Screening, TransferCapability,
    TransferMode, TransferRate, TypeOfNumber,
};
use super::lapd::{
    Control, FrameRepr, SAPI_CALL_CONTROL, SAPI_MANAGEMENT, Supervisory, TeiMessage, Unnumbered,
};
use super::q931::{IeProblemKind, Message};
use crate::Side;
use core::fmt;

/// A D-channel frame (without flags and FCS) sent by `from`, displayed as one line.
#[derive(Debug, Clone, Copy)]
pub struct FrameText<'a> {
    frame: &'a [u8],
    from: Side,
}

/// Describes `frame`, sent by the `from` side.
pub fn describe_frame(frame: &[u8], from: Side) -> FrameText<'_> {
    FrameText { frame, from }
}

impl fmt::Display for FrameText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let repr = match FrameRepr::parse_bytes(self.frame) {
            Ok(repr) => repr,
            Err(error) => return write!(f, "bad frame ({error}): {:02X?}", self.frame),
        };
        let command = repr.address.cr == self.from.command_cr();
        let role = if command { "cmd" } else { "rsp" };
        let bit = |set: bool| match (set, command) {
            (false, _) => "",
            (true, true) => " P",
            (true, false) => " F",
        };
        match repr.control {
            Control::I { ns, nr, p } => write!(f, "I {role} N(S)={ns} N(R)={nr}{}", bit(p))?,
            Control::S { kind, nr, pf } => {
                let name = match kind {
                    Supervisory::Rr => "RR",
                    Supervisory::Rnr => "RNR",
                    Supervisory::Rej => "REJ",
                };
                write!(f, "{name} {role} N(R)={nr}{}", bit(pf))?;
            }
            Control::U { kind, pf } => write!(f, "{} {role}{}", unnumbered_name(kind), bit(pf))?,
        }
        if repr.address.sapi != SAPI_CALL_CONTROL || repr.address.tei != 0 {
            write!(f, " SAPI {} TEI {}", repr.address.sapi, repr.address.tei)?;
        }
        let carries_layer3 =
            matches!(repr.control, Control::I { .. } | Control::U { kind: Unnumbered::Ui, .. });
        if !carries_layer3 || repr.info.is_empty() {
            return Ok(());
        }
        if repr.address.sapi == SAPI_MANAGEMENT {
            return match TeiMessage::parse(repr.info) {
                Some(tei) => write!(
                    f,
                    " | TEI management {:?} Ri={} Ai={}",
                    tei.message_type, tei.reference, tei.action
                ),
                None => write!(f, " | management {:02X?}", repr.info),
            };
        }
        f.write_str(" | ")?;
        fmt::Display::fmt(&describe_message(repr.info), f)
    }
}

fn unnumbered_name(kind: Unnumbered) -> &'static str {
    match kind {
        Unnumbered::Sabme => "SABME",
        Unnumbered::Dm => "DM",
        Unnumbered::Ui => "UI",
        Unnumbered::Disc => "DISC",
        Unnumbered::Ua => "UA",
        Unnumbered::Frmr => "FRMR",
        Unnumbered::Xid => "XID",
    }
}

/// A Q.931 message (the information field of an I or UI frame), displayed as one line.
#[derive(Debug, Clone, Copy)]
pub struct MessageText<'a> {
    info: &'a [u8],
}

/// Describes a Q.931 message.
pub fn describe_message(info: &[u8]) -> MessageText<'_> {
    MessageText { info }
}

impl fmt::Display for MessageText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match Message::parse(self.info) {
            Ok(message) => message,
            Err(error) => return write!(f, "not Q.931 ({error}): {:02X?}", self.info),
        };
        write!(f, "{}", message.message_type)?;
        let cr = message.call_ref;
        if cr.is_dummy() {
            f.write_str(" dummy cref")?;
        } else if cr.is_global() {
            f.write_str(" global cref")?;
        } else {
            // The flag is set in messages from the side that did not allocate the reference.
            let who = if cr.flag { "to originator" } else { "from originator" };
            write!(f, " cref {} {who}", cr.value)?;
        }
        let mut list = List::new(f);
        let ies = &message.ies;
        if ies.sending_complete {
            list.item(format_args!("sending complete"))?;
        }
        if let Some(bearer) = &ies.bearer_capability {
            list.item(format_args!("bearer {}", BearerText(bearer)))?;
        }
        if let Some(cause) = &ies.cause {
            list.item(format_args!("cause {}", CauseText(cause)))?;
        }
        if let Some(state) = &ies.call_state {
            list.item(format_args!("call state {}", state.value))?;
        }
        if let Some(channel) = &ies.channel_id {
            list.item(format_args!("channel {}", ChannelText(channel)))?;
        }
        for progress in ies.progress.iter().flatten() {
            list.item(format_args!("progress {}", ProgressText(progress)))?;
        }
        if let Some(notification) = &ies.notification {
            list.item(format_args!("notification {}", notification.description))?;
        }
        if let Some(display) = &ies.display {
            list.item(format_args!("display {:?}", display.text.as_str().unwrap_or("(not IA5)")))?;
        }
        if let Some(number) = &ies.calling {
            list.item(format_args!("calling {}", NumberText(number)))?;
        }
        if let Some(number) = &ies.called {
            list.item(format_args!("called {}", NumberText(number)))?;
        }
        if let Some(number) = &ies.redirecting {
            list.item(format_args!("redirecting {}", NumberText(number)))?;
        }
        if let Some(restart) = ies.restart {
            let class = match restart {
                RestartClass::IndicatedChannels => "indicated channels",
                RestartClass::SingleInterface => "single interface",
                RestartClass::AllInterfaces => "all interfaces",
                RestartClass::Unknown(_) => "unknown class",
            };
            list.item(format_args!("restart {class}"))?;
        }
        if ies.llc.is_some() {
            list.item(format_args!("low layer compatibility"))?;
        }
        if let Some(hlc) = &ies.hlc {
            list.item(format_args!("high layer compatibility {:#04x}", hlc.characteristics))?;
        }
        for problem in message.problems.iter() {
            match problem.kind {
                IeProblemKind::Unrecognised { comprehension_required: true } => {
                    list.item(format_args!("unknown IE {:#04x} (comprehension required)", problem.id))?
                }
                IeProblemKind::Unrecognised { .. } => {
                    list.item(format_args!("unknown IE {:#04x}", problem.id))?
                }
                IeProblemKind::Content(error) => {
                    list.item(format_args!("bad IE {:#04x} ({error})", problem.id))?
                }
            }
        }
        Ok(())
    }
}

/// Writes items separated by "; " after a " | ".
struct List<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    first: bool,
}

impl<'a, 'b> List<'a, 'b> {
    fn new(f: &'a mut fmt::Formatter<'b>) -> Self {
        List { f, first: true }
    }

    fn item(&mut self, text: fmt::Arguments<'_>) -> fmt::Result {
        self.f.write_str(if self.first { " | " } else { "; " })?;
        self.first = false;
        self.f.write_fmt(text)
    }
}

struct BearerText<'a>(&'a BearerCapability);

impl fmt::Display for BearerText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bearer = self.0;
        match bearer.capability {
            TransferCapability::Speech => f.write_str("speech")?,
            TransferCapability::UnrestrictedDigital => f.write_str("unrestricted digital")?,
            TransferCapability::RestrictedDigital => f.write_str("restricted digital")?,
            TransferCapability::Audio3k1 => f.write_str("3.1 kHz audio")?,
            TransferCapability::UnrestrictedDigitalWithTones => f.write_str("digital with tones")?,
            TransferCapability::Video => f.write_str("video")?,
            TransferCapability::Unknown(bits) => write!(f, "capability {bits:#04x}")?,
        }
        if bearer.mode == TransferMode::Packet {
            f.write_str(" packet")?;
        }
        match bearer.rate {
            TransferRate::Kbit64 => f.write_str(" 64k")?,
            TransferRate::Packet => {}
            other => write!(f, " rate {:#04x}", other.bits())?,
        }
        match bearer.layer1 {
            Some(Layer1Protocol::G711ALaw) => f.write_str(" A-law"),
            Some(Layer1Protocol::G711MuLaw) => f.write_str(" mu-law"),
            Some(other) => write!(f, " layer 1 {:#04x}", other.bits()),
            None => Ok(()),
        }
    }
}

struct CauseText<'a>(&'a CauseIe);

impl fmt::Display for CauseText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.0.cause, self.0.location.abbreviation())?;
        let diagnostic = self.0.diagnostic.as_slice();
        if !diagnostic.is_empty() {
            write!(f, " diagnostic {diagnostic:02X?}")?;
        }
        Ok(())
    }
}

struct ChannelText<'a>(&'a ChannelId);

impl fmt::Display for ChannelText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let channel = self.0;
        match (channel.selection, channel.single_channel()) {
            (_, Some(ts)) => write!(f, "ts {ts}")?,
            (ChannelSelection::Any, _) => f.write_str("any")?,
            (ChannelSelection::NoChannel, _) => f.write_str("none")?,
            (_, None) => match &channel.channels {
                Some(set) => write!(f, "set {:02X?}", set.values.as_slice())?,
                None => f.write_str("unspecified")?,
            },
        }
        f.write_str(if channel.exclusive { " exclusive" } else { " preferred" })?;
        if channel.d_channel {
            f.write_str(" D-channel")?;
        }
        Ok(())
    }
}

struct ProgressText<'a>(&'a ProgressIndicator);

impl fmt::Display for ProgressText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.0.description {
            ProgressDescription::NotEndToEndIsdn => "1 not end-to-end ISDN",
            ProgressDescription::DestinationNotIsdn => "2 destination not ISDN",
            ProgressDescription::OriginationNotIsdn => "3 origination not ISDN",
            ProgressDescription::ReturnedToIsdn => "4 returned to ISDN",
            ProgressDescription::ServiceChange => "5 service change",
            ProgressDescription::InbandAvailable => "8 in-band information available",
            ProgressDescription::Unknown(value) => return write!(f, "{value}"),
        };
        f.write_str(text)
    }
}

struct NumberText<'a>(&'a PartyNumber);

impl fmt::Display for NumberText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let number = self.0;
        let digits = number.digits.as_str().unwrap_or("(not IA5)");
        let ton = match number.ton {
            TypeOfNumber::Unspecified => "unknown",
            TypeOfNumber::International => "international",
            TypeOfNumber::National => "national",
            TypeOfNumber::NetworkSpecific => "network-specific",
            TypeOfNumber::Subscriber => "subscriber",
            TypeOfNumber::Abbreviated => "abbreviated",
            TypeOfNumber::Unknown(_) => "reserved",
        };
        let plan = match number.plan {
            NumberingPlan::Unspecified => "unknown",
            NumberingPlan::Isdn => "E.164",
            NumberingPlan::Data => "X.121",
            NumberingPlan::Telex => "F.69",
            NumberingPlan::National => "national",
            NumberingPlan::Private => "private",
            NumberingPlan::Unknown(_) => "reserved",
        };
        write!(f, "{} {ton}/{plan}", if digits.is_empty() { "(no digits)" } else { digits })?;
        if let Some((presentation, screening)) = number.presentation {
            let presentation = match presentation {
                Presentation::Allowed => "allowed",
                Presentation::Restricted => "restricted",
                Presentation::NotAvailable => "not available",
                Presentation::Unknown(_) => "reserved",
            };
            let screening = match screening {
                Screening::UserProvidedNotScreened => "user, not screened",
                Screening::UserProvidedVerifiedPassed => "user, verified",
                Screening::UserProvidedVerifiedFailed => "user, failed",
                Screening::NetworkProvided => "network",
                Screening::Unknown(_) => "reserved",
            };
            write!(f, " ({presentation}, {screening})")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(frame: &[u8], from: Side) -> String {
        format!("{}", describe_frame(frame, from))
    }

    #[test]
    fn lapd_frame_kinds_with_command_response_and_poll_final() {
        // The user sends commands with C/R = 0, the network with C/R = 1.
        assert_eq!(text(&[0x00, 0x01, 0x7F], Side::User), "SABME cmd P");
        assert_eq!(text(&[0x00, 0x01, 0x73], Side::Network), "UA rsp F");
        assert_eq!(text(&[0x02, 0x01, 0x01, 0x07], Side::Network), "RR cmd N(R)=3 P");
        assert_eq!(text(&[0x02, 0x01, 0x01, 0x06], Side::User), "RR rsp N(R)=3");
        assert_eq!(text(&[0x00, 0x01, 0x05, 0x03], Side::Network), "RNR rsp N(R)=1 F");
        assert_eq!(text(&[0x00, 0x01, 0x09, 0x02], Side::User), "REJ cmd N(R)=1");
        assert_eq!(text(&[0x02, 0x01, 0x53], Side::Network), "DISC cmd P");
        assert_eq!(text(&[0x02, 0x01, 0x1F], Side::User), "DM rsp F");
    }

    #[test]
    fn an_i_frame_shows_its_q931_message_and_elements() {
        let mut frame = vec![0x00, 0x01, 0x00, 0x02];
        frame.extend_from_slice(b"\x08\x02\x00\x01\x05\xA1\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x85");
        frame.extend_from_slice(b"\x6C\x06\x21\x801234\x70\x04\xA1100");
        assert_eq!(
            text(&frame, Side::User),
            "I cmd N(S)=0 N(R)=1 | SETUP cref 1 from originator | sending complete; bearer speech 64k \
             A-law; channel ts 5 exclusive; calling 1234 national/E.164 (allowed, user, not screened); \
             called 100 national/E.164"
        );
    }

    #[test]
    fn clearing_status_and_restart_messages() {
        assert_eq!(
            format!("{}", describe_message(b"\x08\x02\x80\x01\x45\x08\x02\x82\x90")),
            "DISCONNECT cref 1 to originator | cause 16 (normal call clearing) at LN"
        );
        assert_eq!(
            format!("{}", describe_message(b"\x08\x02\x00\x01\x5A\x08\x05\x80\xE6303")),
            "RELEASE COMPLETE cref 1 from originator | cause 102 (recovery on timer expiry) at U \
             diagnostic [33, 30, 33]"
        );
        assert_eq!(
            format!("{}", describe_message(b"\x08\x02\x80\x01\x7D\x08\x02\x80\x9E\x14\x01\x0A")),
            "STATUS cref 1 to originator | cause 30 (response to STATUS ENQUIRY) at U; call state 10"
        );
        assert_eq!(
            format!("{}", describe_message(b"\x08\x02\x00\x00\x46\x79\x01\x87")),
            "RESTART global cref | restart all interfaces"
        );
        assert_eq!(
            format!("{}", describe_message(b"\x08\x02\x80\x01\x01\x1E\x02\x82\x88\x55\x01\x00")),
            "ALERTING cref 1 to originator | progress 8 in-band information available; unknown IE 0x55"
        );
    }

    #[test]
    fn bad_octets_are_described_not_refused() {
        assert_eq!(text(&[0x00], Side::User), "bad frame (LAPD frame of 1 octets is too short): [00]");
        assert_eq!(text(&[0x00, 0x01, 0x00, 0x00, 0x41, 0x00], Side::User).split(" | ").count(), 2);
        assert!(text(&[0x00, 0x01, 0x00, 0x00, 0x41, 0x00], Side::User).contains("not Q.931"));
        assert_eq!(text(&[0x00, 0x01, 0x03], Side::User), "UI cmd");
        assert_eq!(
            text(&[0xFC, 0xFF, 0x03, 0x0F, 0x12, 0x34, 0x05, 0x01], Side::User),
            "UI cmd SAPI 63 TEI 127 | TEI management IdentityCheckResponse Ri=4660 Ai=0"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_octets_describe_without_panicking(frame: Vec<u8>, network: bool) {
            let side = if network { Side::Network } else { Side::User };
            let line = text(&frame, side);
            proptest::prop_assert!(!line.is_empty());
        }
    }
}
