use super::*;
use crate::wire::ie::{
    ChannelSelection, Layer1Protocol, Presentation, ProgressDescription, Screening, TypeOfNumber,
};
use tdm_base::{Cause, Location};

/// SETUP from the network, CRV 1, as a PRI exchange sends it: sending complete, speech A-law,
/// exclusive TS 5, calling 8613800138000 (international, E.164, allowed, network provided),
/// called 10086 (national, E.164), HLC telephony.
const SETUP: &[u8] = &[
    0x08, 0x02, 0x00, 0x01, 0x05, // header: PD, CR length, CR (flag 0), SETUP
    0xA1, // sending complete
    0x04, 0x03, 0x80, 0x90, 0xA3, // bearer capability
    0x18, 0x03, 0xA9, 0x83, 0x85, // channel identification
    0x6C, 0x0F, 0x11, 0x83, b'8', b'6', b'1', b'3', b'8', b'0', b'0', b'1', b'3', b'8', b'0', b'0', b'0',
    0x70, 0x06, 0xA1, b'1', b'0', b'0', b'8', b'6', // called party number
    0x7D, 0x02, 0x91, 0x81, // high layer compatibility
];

/// DISCONNECT from the destination side, CRV 1, cause 16 from the public network (LN).
const DISCONNECT: &[u8] = &[0x08, 0x02, 0x80, 0x01, 0x45, 0x08, 0x02, 0x82, 0x90];

/// STATUS answering a STATUS ENQUIRY in the Active state (cause 30, call state 10).
const STATUS: &[u8] = &[0x08, 0x02, 0x80, 0x01, 0x7D, 0x08, 0x02, 0x80, 0x9E, 0x14, 0x01, 0x0A];

/// RESTART of TS 1 on the global call reference, class "indicated channels".
const RESTART: &[u8] = &[0x08, 0x02, 0x00, 0x00, 0x46, 0x18, 0x03, 0xA9, 0x83, 0x81, 0x79, 0x01, 0x80];

/// RESTART ACKNOWLEDGE of a whole interface (flag set: from the restarted side).
const RESTART_ACK: &[u8] = &[0x08, 0x02, 0x80, 0x00, 0x4E, 0x79, 0x01, 0x86];

fn reencode(message: &Message) -> Vec<u8> {
    let mut buffer = [0u8; MAX_MESSAGE_LEN];
    let len = message.emit(&mut buffer).unwrap();
    buffer[..len].to_vec()
}

#[test]
fn setup_deconstructs_into_its_elements() {
    let message = Message::parse(SETUP).unwrap();
    assert_eq!(message.call_ref, CallRef::new(1, false));
    assert_eq!(message.message_type, MessageType::Setup);
    assert!(message.ies.sending_complete);
    assert_eq!(message.ies.bearer_capability.unwrap().layer1, Some(Layer1Protocol::G711ALaw));
    assert_eq!(message.ies.channel_id.unwrap().single_channel(), Some(5));
    assert!(message.ies.channel_id.unwrap().exclusive);
    let calling = message.ies.calling.unwrap();
    assert_eq!(calling.digits_str(), "8613800138000");
    assert_eq!(calling.ton, TypeOfNumber::International);
    assert_eq!(calling.presentation, Some((Presentation::Allowed, Screening::NetworkProvided)));
    let called = message.ies.called.unwrap();
    assert_eq!((called.ton, called.digits_str()), (TypeOfNumber::National, "10086"));
    assert_eq!(message.ies.hlc.unwrap().characteristics, 0x01);
    assert!(message.problems.is_empty());
    assert_eq!(message.check_mandatory(true), Ok(()));
}

#[test]
fn every_sample_message_reencodes_to_the_same_octets() {
    for bytes in [SETUP, DISCONNECT, STATUS, RESTART, RESTART_ACK] {
        assert_eq!(reencode(&Message::parse(bytes).unwrap()), bytes);
    }
}

#[test]
fn constructing_a_disconnect_gives_the_sample_octets() {
    let mut message = Message::new(CallRef::new(1, true), MessageType::Disconnect);
    message.ies.cause = Some(CauseIe::new(Cause::NormalClearing, Location::PublicNetworkLocalUser));
    assert_eq!(reencode(&message), DISCONNECT);
}

#[test]
fn status_restart_and_restart_acknowledge_decode() {
    let status = Message::parse(STATUS).unwrap();
    assert_eq!(status.ies.cause.unwrap().cause, Cause::ResponseToStatusEnquiry);
    assert_eq!(status.ies.call_state.unwrap().value, 10);
    let restart = Message::parse(RESTART).unwrap();
    assert!(restart.call_ref.is_global());
    assert_eq!(restart.ies.restart, Some(RestartClass::IndicatedChannels));
    assert_eq!(restart.ies.channel_id.unwrap().single_channel(), Some(1));
    let ack = Message::parse(RESTART_ACK).unwrap();
    assert!(ack.call_ref.is_global() && ack.call_ref.flag);
    assert_eq!(ack.ies.restart, Some(RestartClass::SingleInterface));
}

#[test]
fn header_view_reads_every_call_reference_length() {
    let dummy = Header::new_checked(&[0x08, 0x00, 0x7B][..]).unwrap();
    assert!(dummy.call_ref().is_dummy());
    assert_eq!(dummy.message_type(), MessageType::Information);
    let one = Header::new_checked(&[0x08, 0x01, 0x85, 0x05][..]).unwrap();
    assert_eq!(one.call_ref(), CallRef { value: 5, flag: true, len: 1 });
    let two = Header::new_checked(&[0x08, 0x02, 0xFF, 0xFF, 0x05, 0xA1][..]).unwrap();
    assert_eq!(two.call_ref(), CallRef { value: 0x7FFF, flag: true, len: 2 });
    assert_eq!(two.elements(), &[0xA1]);
    let message = Message::parse(&[0x08, 0x01, 0x85, 0x05]).unwrap();
    assert_eq!(reencode(&message), [0x08, 0x01, 0x85, 0x05]);
}

#[test]
fn unusable_headers_are_errors_and_the_message_is_ignored() {
    assert_eq!(Message::parse(&[0x08, 0x02]), Err(MessageError::TooShort { len: 2 }));
    assert_eq!(Message::parse(&[0x08, 0x02, 0x00, 0x01]), Err(MessageError::TooShort { len: 4 }));
    assert_eq!(Message::parse(&[0x09, 0x02, 0x00, 0x01, 0x05]), Err(MessageError::ProtocolDiscriminator(9)));
    assert_eq!(Message::parse(&[0x08, 0x03, 0, 0, 1, 5]), Err(MessageError::CallRefLength(3)));
    assert_eq!(Message::parse(&[0x08, 0x12, 0, 1, 5]), Err(MessageError::CallRefLength(0x12)));
}

#[test]
fn unknown_elements_are_reported_with_their_comprehension_rule() {
    // SETUP with an unknown "comprehension required" element 0x0F and an unknown ordinary 0x55.
    let bytes = [0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x02, 0x88, 0x90, 0x0F, 0x01, 0x00, 0x55, 0x01, 0x00];
    let message = Message::parse(&bytes).unwrap();
    let problems: Vec<_> = message.problems.iter().copied().collect();
    assert_eq!(
        problems,
        vec![
            IeProblem { id: 0x0F, kind: IeProblemKind::Unrecognised { comprehension_required: true } },
            IeProblem { id: 0x55, kind: IeProblemKind::Unrecognised { comprehension_required: false } },
        ]
    );
    assert!(message.problems.comprehension_required());
    assert!(message.ies.bearer_capability.is_some());
}

#[test]
fn recognised_but_uninterpreted_elements_and_other_codesets_raise_nothing() {
    // CONNECT with date/time (0x29), then a locking shift to codeset 6 with an element 0x0F
    // there, which must not count as codeset 0's comprehension-required 0x0F.
    let bytes = [0x08, 0x02, 0x80, 0x01, 0x07, 0x29, 0x05, 24, 1, 2, 3, 4, 0x96, 0x0F, 0x01, 0x00];
    let message = Message::parse(&bytes).unwrap();
    assert!(message.problems.is_empty());
    // A non-locking shift applies to one element only: the channel id after it is codeset 0.
    let bytes = [0x08, 0x02, 0x80, 0x01, 0x07, 0x9E, 0x0F, 0x01, 0x00, 0x18, 0x01, 0xA3];
    let message = Message::parse(&bytes).unwrap();
    assert!(message.problems.is_empty());
    assert_eq!(message.ies.channel_id.unwrap().selection, ChannelSelection::Any);
}

#[test]
fn content_errors_are_reported_and_make_mandatory_checks_answer_100() {
    // SETUP whose bearer capability has its octet 3 extension bit clear.
    let bytes = [0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x02, 0x00, 0x90, 0x18, 0x01, 0xA3];
    let message = Message::parse(&bytes).unwrap();
    assert!(message.problems.content_error(id::BEARER_CAPABILITY));
    assert_eq!(
        message.check_mandatory(false),
        Err(MandatoryIeError { id: id::BEARER_CAPABILITY, cause: Cause::InvalidIeContents })
    );
}

#[test]
fn mandatory_checks_depend_on_direction() {
    // SETUP with bearer capability only: acceptable from the user, not from the network.
    let bytes = [0x08, 0x02, 0x00, 0x01, 0x05, 0x04, 0x02, 0x88, 0x90];
    let message = Message::parse(&bytes).unwrap();
    assert_eq!(message.check_mandatory(false), Ok(()));
    assert_eq!(
        message.check_mandatory(true),
        Err(MandatoryIeError { id: id::CHANNEL_ID, cause: Cause::MandatoryIeMissing })
    );
    let empty_disconnect = Message::parse(&[0x08, 0x02, 0x80, 0x01, 0x45]).unwrap();
    assert_eq!(
        empty_disconnect.check_mandatory(false),
        Err(MandatoryIeError { id: id::CAUSE, cause: Cause::MandatoryIeMissing })
    );
    let status = Message::parse(&[0x08, 0x02, 0x80, 0x01, 0x7D, 0x08, 0x02, 0x80, 0x9E]).unwrap();
    assert_eq!(status.check_mandatory(true).map_err(|e| e.id), Err(id::CALL_STATE));
    assert_eq!(Message::parse(DISCONNECT).unwrap().check_mandatory(true), Ok(()));
}

#[test]
fn truncated_elements_end_parsing_with_a_content_error() {
    // Called number claims 5 octets, 2 are there.
    let bytes = [0x08, 0x02, 0x00, 0x01, 0x7B, 0x70, 0x05, 0xA1, b'1'];
    let message = Message::parse(&bytes).unwrap();
    assert!(message.problems.content_error(id::CALLED_NUMBER));
    assert_eq!(message.ies.called, None);
    // An identifier with no length octet.
    let message = Message::parse(&[0x08, 0x02, 0x00, 0x01, 0x7B, 0x70]).unwrap();
    assert!(message.problems.content_error(id::CALLED_NUMBER));
}

#[test]
fn repeated_elements_keep_the_first_and_progress_keeps_two() {
    let bytes = [
        0x08, 0x02, 0x80, 0x01, 0x01, 0x18, 0x03, 0xA9, 0x83, 0x85, 0x18, 0x03, 0xA9, 0x83, 0x86, 0x1E, 0x02,
        0x82, 0x88, 0x1E, 0x02, 0x80, 0x82, 0x1E, 0x02, 0x80, 0x81,
    ];
    let message = Message::parse(&bytes).unwrap();
    assert_eq!(message.ies.channel_id.unwrap().single_channel(), Some(5));
    assert_eq!(message.ies.progress[0].unwrap().description, ProgressDescription::InbandAvailable);
    assert_eq!(message.ies.progress[1].unwrap().description, ProgressDescription::DestinationNotIsdn);
    assert!(message.problems.is_empty());
}

#[test]
fn more_problems_than_the_list_holds_set_overflow() {
    let mut bytes = vec![0x08, 0x02, 0x00, 0x01, 0x7B];
    for ie in 0x50..0x5A {
        bytes.extend_from_slice(&[ie, 0x00]);
    }
    let message = Message::parse(&bytes).unwrap();
    assert_eq!(message.problems.iter().count(), IeProblems::CAPACITY);
    assert!(message.problems.overflow);
}

#[test]
fn emit_reports_a_buffer_too_small() {
    let message = Message::parse(SETUP).unwrap();
    assert!(message.emit(&mut [0u8; 20]).is_err());
}

#[test]
fn message_type_names_and_unknown_types() {
    assert_eq!(MessageType::from_u8(0x5A), MessageType::ReleaseComplete);
    assert_eq!(format!("{}", MessageType::SetupAcknowledge), "SETUP ACKNOWLEDGE");
    assert_eq!(format!("{}", MessageType::from_u8(0x62)), "UNKNOWN (0x62)");
    assert_eq!(MessageType::Unknown(0x62).to_u8(), 0x62);
}

proptest::proptest! {
    #[test]
    fn any_octets_parse_without_panicking_and_reencode_stably(data: Vec<u8>) {
        let _ = fuzz_roundtrip(&data);
    }

    #[test]
    fn any_elements_behind_a_valid_header_reencode_stably(body: Vec<u8>) {
        let mut data = vec![0x08, 0x02, 0x00, 0x01, 0x05];
        data.extend_from_slice(&body);
        proptest::prop_assert!(fuzz_roundtrip(&data).is_ok());
    }
}

#[test]
fn a_short_message_is_written_as_the_whole_message_with_the_same_elements() {
    let status = Message::parse(STATUS).unwrap();
    let mut short = ShortMessage::new(status.call_ref, MessageType::Status);
    short.cause = status.ies.cause.as_ref();
    short.call_state = status.ies.call_state;
    let mut buffer = [0u8; MAX_MESSAGE_LEN];
    let len = short.emit(&mut buffer).unwrap();
    assert_eq!(&buffer[..len], STATUS);

    // ALERTING with channel and progress, and the header alone, against `Message::emit`.
    let channel = ChannelId::timeslot(17, true);
    let progress = ProgressIndicator::new(ProgressDescription::InbandAvailable, Location::User);
    let mut alerting = ShortMessage::new(CallRef::new(0x1234, true), MessageType::Alerting);
    alerting.channel_id = Some(&channel);
    alerting.progress = Some(progress);
    let mut whole = Message::new(CallRef::new(0x1234, true), MessageType::Alerting);
    whole.ies.channel_id = Some(channel);
    whole.ies.progress[0] = Some(progress);
    let len = alerting.emit(&mut buffer).unwrap();
    assert_eq!(&buffer[..len], &reencode(&whole)[..]);
    assert_eq!(&buffer[..len], b"\x08\x02\x92\x34\x01\x18\x03\xA9\x83\x91\x1E\x02\x80\x88");
    let ack = ShortMessage::new(CallRef::new(1, false), MessageType::ConnectAcknowledge);
    let len = ack.emit(&mut buffer).unwrap();
    assert_eq!(&buffer[..len], b"\x08\x02\x00\x01\x0F");
    // Too small a buffer is an error, not a panic.
    assert!(alerting.emit(&mut buffer[..6]).is_err());
    assert!(ack.emit(&mut buffer[..4]).is_err());
}
