//! Codec tests: every message of the issue decoded from octets assembled by hand from the
//! Q.763 formats (written out below with their fields), then emitted back to the same
//! octets; every parameter on its own; malformed input; unrecognized parameters and
//! messages.

use super::*;
use crate::circuit::digits::Digits;
use crate::circuit::octets::{Octets, Writer};
use tdm_base::{Cause, Location};

fn digits(text: &str) -> Digits {
    Digits::parse(text).unwrap()
}

/// Parses `octets`, compares with `expected`, emits it back and compares the octets.
fn check(octets: &[u8], expected: &Message) {
    let parsed = Message::parse(octets).unwrap_or_else(|e| panic!("parse failed: {e}"));
    assert_eq!(&parsed, expected);
    let mut out = [0u8; MAX_MESSAGE_LEN];
    let len = expected.emit(&mut out).unwrap();
    assert_eq!(&out[..len], octets, "emitted octets differ");
}

fn national(text: &str) -> PartyNumber {
    PartyNumber::new(Nature::NATIONAL, digits(text))
}

fn called(text: &str) -> PartyNumber {
    PartyNumber { screening: Screening::UserNotVerified, ..national(text) }
}

#[test]
fn iam_with_calling_party_number() {
    let octets = [
        0x21, 0x00, // CIC 33
        0x01, // IAM
        0x00, // nature of connection: no satellite, no continuity check, no echo device
        0x20, 0x01, // forward call: national, ISUP all the way, preferred; ISDN access
        0x0A, // category: ordinary subscriber
        0x00, // transmission medium: speech
        0x02, 0x06, // pointers: called number, optional part
        0x04, 0x03, 0x10, 0x01, 0x80, // called: even, national, ISDN plan, "1008"
        0x0A, 0x06, 0x83, 0x13, 0x88, 0x88, 0x00,
        0x01, // calling: odd, national, ISDN, allowed, network, "8888001"
        0x00, // end of optional parameters
    ];
    let iam = Iam {
        nature_of_connection: NatureOfConnection::default(),
        forward_call: ForwardCallIndicators { isdn_access: true, ..ForwardCallIndicators::default() },
        category: Category::ORDINARY,
        medium: TransmissionMedium::SPEECH,
        called: called("1008"),
        optional: OptionalParameters {
            calling_party_number: Some(national("8888001")),
            ..Default::default()
        },
    };
    check(&octets, &Message { cic: 33, body: Body::Iam(iam) });
}

#[test]
fn iam_with_st_continuity_check_and_no_optional_part() {
    let octets = [
        0xFF, 0x0F, // CIC 4095 (spare bits zero)
        0x01, 0x15, // satellite 1, continuity check required, echo device
        0x01, 0x00, // forward: international, ISUP not used all the way
        0x0D, 0x03, // test call, 3.1 kHz audio
        0x02, 0x00, // called pointer, no optional part
        0x05, 0x84, 0x90, 0x21, 0x43,
        0x0F, // called: odd, international, INN not allowed, ISDN, "1234F"
    ];
    let mut number = PartyNumber { nature: Nature::INTERNATIONAL, ..called("1234F") };
    number.inn_not_allowed = true;
    let iam = Iam {
        nature_of_connection: NatureOfConnection {
            satellites: 1,
            continuity_check: ContinuityCheck::Required,
            echo_control_device: true,
        },
        forward_call: ForwardCallIndicators {
            international: true,
            isup_all_the_way: false,
            ..ForwardCallIndicators::default()
        },
        category: Category::TEST,
        medium: TransmissionMedium::AUDIO_3K1,
        called: number,
        optional: OptionalParameters::default(),
    };
    check(&octets, &Message { cic: 4095, body: Body::Iam(iam) });
    assert!(number.digits.ends_with_st());
}

#[test]
fn sam_carries_a_subsequent_number() {
    let octets = [0x05, 0x00, 0x02, 0x02, 0x00, 0x03, 0x80, 0x65, 0x0F];
    let body = Body::Sam(Sam {
        subsequent: SubsequentNumber { digits: digits("56F") },
        optional: OptionalParameters::default(),
    });
    check(&octets, &Message { cic: 5, body });
}

#[test]
fn inr_and_inf_exchange_the_calling_number() {
    // INR: calling party address and category requested, no optional part.
    let inr = [0x01, 0x00, 0x03, 0x09, 0x00, 0x00];
    let request = InformationRequest {
        calling_party_address: true,
        calling_party_category: true,
        ..InformationRequest::default()
    };
    check(
        &inr,
        &Message { cic: 1, body: Body::Inr(Inr { request, optional: OptionalParameters::default() }) },
    );
    // INF: address included, category included, solicited; then the number and category.
    let inf = [
        0x01, 0x00, 0x04, 0x23, 0x00, 0x01, // indicators, pointer
        0x0A, 0x04, 0x03, 0x13, 0x21, 0x43, // calling: even, national, network provided, "1234"
        0x09, 0x01, 0x0A, // calling party's category: ordinary
        0x00,
    ];
    let indicators = InformationIndicators {
        calling_party_address: AddressResponse::Included,
        hold_provided: false,
        calling_party_category: true,
        charge_information: false,
        unsolicited: false,
    };
    let optional = OptionalParameters {
        calling_party_number: Some(national("1234")),
        calling_party_category: Some(Category::ORDINARY),
        ..Default::default()
    };
    check(&inf, &Message { cic: 1, body: Body::Inf(Inf { indicators, optional }) });
}

#[test]
fn cot_success_and_failure() {
    check(
        &[0x02, 0x00, 0x05, 0x01],
        &Message { cic: 2, body: Body::Cot(ContinuityIndicators { successful: true }) },
    );
    check(
        &[0x02, 0x00, 0x05, 0x00],
        &Message { cic: 2, body: Body::Cot(ContinuityIndicators { successful: false }) },
    );
}

#[test]
fn acm_with_optional_backward_call_indicators() {
    let octets = [
        0x0A, 0x00, 0x06, // CIC 10, ACM
        0x16, 0x14, // charge, subscriber free, ordinary subscriber; ISUP all the way, ISDN access
        0x01, // pointer
        0x29, 0x01, 0x01, // optional backward call indicators: in-band information
        0x00,
    ];
    let indicators = BackwardCallIndicators {
        charge: 2,
        called_status: CalledPartyStatus::SubscriberFree,
        called_category: 1,
        isdn_access: true,
        ..BackwardCallIndicators::default()
    };
    let optional = OptionalParameters {
        optional_backward_call_indicators: Some(OptionalBackwardCallIndicators {
            inband_information: true,
            ..Default::default()
        }),
        ..Default::default()
    };
    check(&octets, &Message { cic: 10, body: Body::Acm(Backward { indicators, optional }) });
}

#[test]
fn con_with_connected_number() {
    let octets = [
        0x0A, 0x00, 0x07, 0x16, 0x04, 0x01, // CON, backward indicators, pointer
        0x21, 0x04, 0x03, 0x17, 0x01, 0x80, // connected: national, restricted, network provided, "1008"
        0x00,
    ];
    let indicators = BackwardCallIndicators {
        charge: 2,
        called_status: CalledPartyStatus::SubscriberFree,
        called_category: 1,
        ..BackwardCallIndicators::default()
    };
    let connected = PartyNumber { presentation: Presentation::Restricted, ..national("1008") };
    let optional = OptionalParameters { connected_number: Some(connected), ..Default::default() };
    check(&octets, &Message { cic: 10, body: Body::Con(Backward { indicators, optional }) });
}

#[test]
fn fot_anm_and_rlc_may_be_empty() {
    check(&[0x03, 0x00, 0x08, 0x00], &Message { cic: 3, body: Body::Fot(OptionalParameters::default()) });
    check(&[0x03, 0x00, 0x09, 0x00], &Message { cic: 3, body: Body::Anm(OptionalParameters::default()) });
    check(&[0x03, 0x00, 0x10, 0x00], &Message { cic: 3, body: Body::Rlc(OptionalParameters::default()) });
}

#[test]
fn rlc_with_cause_99_and_diagnostic() {
    let octets = [0x03, 0x00, 0x10, 0x01, 0x12, 0x03, 0x82, 0xE3, 0xFD, 0x00];
    let cause =
        CauseIndicators::new(Location::PublicNetworkLocalUser, Cause::IeNonExistent).with_diagnostic(&[0xFD]);
    let body = Body::Rlc(OptionalParameters { cause: Some(cause), ..Default::default() });
    check(&octets, &Message { cic: 3, body });
}

#[test]
fn rel_with_normal_clearing_from_the_user() {
    let octets = [0x1F, 0x00, 0x0C, 0x02, 0x00, 0x02, 0x80, 0x90];
    let body = Body::Rel(WithCause {
        cause: CauseIndicators::new(Location::User, Cause::NormalClearing),
        optional: OptionalParameters::default(),
    });
    check(&octets, &Message { cic: 31, body });
}

#[test]
fn rel_with_recommendation_octet_and_redirection_number() {
    let octets = [
        0x1F, 0x00, 0x0C, 0x02, 0x05, // REL, pointers
        0x03, 0x04, 0x80, 0x97, // cause: national coding? no: ext 0 → octet 1a follows; see below
        0x0C, 0x04, 0x03, 0x10, 0x21, 0x43, // redirection number "1234"
        0x00,
    ];
    // Octet 1 = 0x04 (ext 0, ITU coding, location 4 = RLN), octet 1a = 0x80 (Q.931), cause 23.
    let cause = CauseIndicators {
        coding_standard: 0,
        location: Location::PublicNetworkRemoteUser,
        recommendation: Some(0),
        cause: Cause::RedirectionToNewDestination,
        diagnostic: Octets::new(),
    };
    let optional = OptionalParameters { redirection_number: Some(called("1234")), ..Default::default() };
    check(&octets, &Message { cic: 31, body: Body::Rel(WithCause { cause, optional }) });
}

#[test]
fn sus_and_res_network_initiated() {
    check(
        &[0x04, 0x00, 0x0D, 0x01, 0x00],
        &Message {
            cic: 4,
            body: Body::Sus(Suspend {
                indicators: SuspendResume { network_initiated: true },
                optional: OptionalParameters::default(),
            }),
        },
    );
    check(
        &[0x04, 0x00, 0x0E, 0x00, 0x00],
        &Message {
            cic: 4,
            body: Body::Res(Suspend {
                indicators: SuspendResume { network_initiated: false },
                optional: OptionalParameters::default(),
            }),
        },
    );
}

#[test]
fn messages_without_parameters() {
    let cases = [
        (0x11, Body::Ccr),
        (0x12, Body::Rsc),
        (0x13, Body::Blo),
        (0x14, Body::Ubl),
        (0x15, Body::Bla),
        (0x16, Body::Uba),
        (0x24, Body::Lpa),
        (0x2E, Body::Ucic),
    ];
    for (code, body) in cases {
        check(&[0x41, 0x00, code], &Message { cic: 65, body });
    }
}

#[test]
fn grs_and_cqm_carry_a_range_without_status() {
    // GRS on CIC 1 for 30 circuits: range 29.
    check(
        &[0x01, 0x00, 0x17, 0x01, 0x01, 0x1D],
        &Message { cic: 1, body: Body::Grs(RangeAndStatus::range_only(29)) },
    );
    check(
        &[0x01, 0x00, 0x2A, 0x01, 0x01, 0x07],
        &Message { cic: 1, body: Body::Cqm(RangeAndStatus::range_only(7)) },
    );
    // A status field in GRS is a format error.
    assert_eq!(
        Message::parse(&[0x01, 0x00, 0x17, 0x01, 0x02, 0x01, 0x03]),
        Err(IsupError::BadContent { parameter: 0x16 })
    );
}

fn status(bits: &[u8]) -> StatusBits {
    let mut status = StatusBits::new();
    for &bit in bits {
        status.set(bit, true);
    }
    status
}

#[test]
fn gra_reports_locally_blocked_circuits() {
    // Range 9 (10 circuits): status 0b10_0000_0101 → circuits 0, 2 and 9 blocked.
    let octets = [0x21, 0x00, 0x29, 0x01, 0x03, 0x09, 0x05, 0x02];
    let range = RangeAndStatus { range: 9, status: Some(status(&[0, 2, 9])) };
    check(&octets, &Message { cic: 33, body: Body::Gra(range) });
}

#[test]
fn group_blocking_messages() {
    // Hardware-oriented CGB for 8 circuits, all blocked.
    let range = RangeAndStatus { range: 7, status: Some(status(&[0, 1, 2, 3, 4, 5, 6, 7])) };
    let group = GroupSupervision { kind: GroupSupervisionType::HardwareFailure, range };
    check(&[0x21, 0x00, 0x18, 0x01, 0x01, 0x02, 0x07, 0xFF], &Message { cic: 33, body: Body::Cgb(group) });
    check(&[0x21, 0x00, 0x1A, 0x01, 0x01, 0x02, 0x07, 0xFF], &Message { cic: 33, body: Body::Cgba(group) });
    // Maintenance-oriented CGU for circuits 0 and 31 of a 32-circuit range.
    let range = RangeAndStatus { range: 31, status: Some(status(&[0, 31])) };
    let group = GroupSupervision { kind: GroupSupervisionType::Maintenance, range };
    let octets = [0x21, 0x00, 0x19, 0x00, 0x01, 0x05, 0x1F, 0x01, 0x00, 0x00, 0x80];
    check(&octets, &Message { cic: 33, body: Body::Cgu(group) });
    let mut ack = octets;
    ack[2] = 0x1B;
    check(&ack, &Message { cic: 33, body: Body::Cgua(group) });
    // A CGB without status is a format error.
    assert_eq!(
        Message::parse(&[0x21, 0x00, 0x18, 0x00, 0x01, 0x01, 0x07]),
        Err(IsupError::BadContent { parameter: 0x16 })
    );
}

#[test]
fn cqr_reports_one_state_per_circuit() {
    // Range 2: idle unblocked, incoming busy locally blocked, unequipped.
    let octets = [0x01, 0x00, 0x2B, 0x02, 0x03, 0x01, 0x02, 0x03, 0x0C, 0x05, 0x03];
    let states = CircuitStates(Octets::from_slice(&[0x0C, 0x05, 0x03]).unwrap());
    check(
        &octets,
        &Message { cic: 1, body: Body::Cqr(Cqr { range: RangeAndStatus::range_only(2), states }) },
    );
    let decoded: Vec<_> = states.states().collect();
    assert_eq!(
        decoded,
        vec![
            ReportedState::Equipped { maintenance: 0, call: 3, hardware: 0 },
            ReportedState::Equipped { maintenance: 1, call: 1, hardware: 0 },
            ReportedState::Unequipped,
        ]
    );
    assert_eq!(ReportedState::from_octet(0x00), ReportedState::Transient);
    assert_eq!(ReportedState::from_octet(0x02), ReportedState::Spare(2));
    assert_eq!(ReportedState::Spare(2).to_octet(), 0x02);
    assert_eq!(ReportedState::Unequipped.to_octet(), 0x03);
    assert_eq!(ReportedState::Equipped { maintenance: 3, call: 2, hardware: 1 }.to_octet(), 0x1B);
}

#[test]
fn cpg_alerting_with_inband_information() {
    let octets = [0x07, 0x00, 0x2C, 0x01, 0x01, 0x29, 0x01, 0x01, 0x00];
    let body = Body::Cpg(Cpg {
        event: EventInformation { event: EventIndicator::Alerting, presentation_restricted: false },
        optional: OptionalParameters {
            optional_backward_call_indicators: Some(OptionalBackwardCallIndicators {
                inband_information: true,
                ..Default::default()
            }),
            ..Default::default()
        },
    });
    check(&octets, &Message { cic: 7, body });
}

#[test]
fn cfn_names_the_unrecognized_message_type() {
    let octets = [0x07, 0x00, 0x2F, 0x02, 0x00, 0x03, 0x82, 0xE1, 0x41];
    let body = Body::Cfn(WithCause {
        cause: CauseIndicators::new(Location::PublicNetworkLocalUser, Cause::MessageTypeNonExistent)
            .with_diagnostic(&[0x41]),
        optional: OptionalParameters::default(),
    });
    check(&octets, &Message { cic: 7, body });
}

/// Emits one parameter's contents with `emit`.
fn contents(emit: impl FnOnce(&mut Writer) -> Result<(), IsupError>) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let mut w = Writer::new(&mut buf);
    emit(&mut w).unwrap();
    let len = w.position();
    buf[..len].to_vec()
}

#[test]
fn fixed_parameters_decode_every_field() {
    let nci = NatureOfConnection::parse(&[0x1A]).unwrap();
    assert_eq!(
        nci,
        NatureOfConnection {
            satellites: 2,
            continuity_check: ContinuityCheck::PerformedOnPreviousCircuit,
            echo_control_device: true
        }
    );
    assert_eq!(contents(|w| nci.emit(w)), [0x1A]);
    assert_eq!(NatureOfConnection::parse(&[0x0C]).unwrap().continuity_check, ContinuityCheck::Unknown(3));
    assert_eq!(NatureOfConnection::parse(&[]), Err(IsupError::BadLength { parameter: 0x06, len: 0 }));

    let fci = ForwardCallIndicators::parse(&[0xFF, 0xFF]).unwrap();
    assert_eq!(
        fci,
        ForwardCallIndicators {
            international: true,
            end_to_end_method: 3,
            interworking: true,
            end_to_end_information: true,
            isup_all_the_way: true,
            isup_preference: IsupPreference::Unknown(3),
            isdn_access: true,
            sccp_method: 3,
            reserved: 0x1F,
        }
    );
    assert_eq!(contents(|w| fci.emit(w)), [0xFF, 0xFF]);
    assert_eq!(
        ForwardCallIndicators::parse(&[0x80, 0x00]).unwrap().isup_preference,
        IsupPreference::Required
    );

    let bci = BackwardCallIndicators::parse(&[0xD6, 0xFF]).unwrap();
    assert_eq!(
        bci,
        BackwardCallIndicators {
            charge: 2,
            called_status: CalledPartyStatus::SubscriberFree,
            called_category: 1,
            end_to_end_method: 3,
            interworking: true,
            end_to_end_information: true,
            isup_all_the_way: true,
            holding: true,
            isdn_access: true,
            echo_control_device: true,
            sccp_method: 3,
        }
    );
    assert_eq!(contents(|w| bci.emit(w)), [0xD6, 0xFF]);

    assert_eq!(Category::parse(&[0x0F]), Ok(Category::PAYPHONE));
    assert_eq!(TransmissionMedium::parse(&[0x02]), Ok(TransmissionMedium::UNRESTRICTED_64K));
    assert_eq!(GroupSupervisionType::parse(&[0x01]), Ok(GroupSupervisionType::HardwareFailure));
    assert_eq!(GroupSupervisionType::parse(&[0x02]), Ok(GroupSupervisionType::Unknown(2)));
    let event = EventInformation::parse(&[0x83]).unwrap();
    assert_eq!(
        event,
        EventInformation { event: EventIndicator::InbandInformation, presentation_restricted: true }
    );
    assert_eq!(contents(|w| event.emit(w)), [0x83]);
    assert_eq!(EventInformation::parse(&[0x06]).unwrap().event, EventIndicator::ForwardedUnconditional);
}

#[test]
fn optional_indicator_parameters_decode_every_field() {
    let obci = OptionalBackwardCallIndicators::parse(&[0xAF]).unwrap();
    assert_eq!(
        obci,
        OptionalBackwardCallIndicators {
            inband_information: true,
            call_diversion_may_occur: true,
            simple_segmentation: true,
            mlpp_user: true,
            national: 0x0A,
        }
    );
    assert_eq!(contents(|w| obci.emit(w)), [0xAF]);
    let ofci = OptionalForwardCallIndicators::parse(&[0x87]).unwrap();
    assert_eq!(
        ofci,
        OptionalForwardCallIndicators {
            cug: 3,
            simple_segmentation: true,
            connected_line_identity_request: true
        }
    );
    assert_eq!(contents(|w| ofci.emit(w)), [0x87]);
    let info = RedirectionInformation::parse(&[0x13, 0x22]).unwrap();
    assert_eq!(
        info,
        RedirectionInformation { redirecting_indicator: 3, original_reason: 1, counter: 2, reason: 2 }
    );
    assert_eq!(contents(|w| info.emit(w)), [0x13, 0x22]);
    assert_eq!(RedirectionInformation::parse(&[0x13]).unwrap().counter, 0);
    assert!(RedirectionInformation::parse(&[1, 2, 3]).is_err());
    let request = InformationRequest::parse(&[0x9B, 0x00]).unwrap();
    assert_eq!(
        request,
        InformationRequest {
            calling_party_address: true,
            holding: true,
            calling_party_category: true,
            charge_information: true,
            malicious_call_identification: true,
        }
    );
    assert_eq!(contents(|w| request.emit(w)), [0x9B, 0x00]);
    let indicators = InformationIndicators::parse(&[0xE5, 0x00]).unwrap();
    assert_eq!(indicators.calling_party_address, AddressResponse::NotAvailable);
    assert!(indicators.hold_provided && indicators.calling_party_category && indicators.charge_information);
    assert!(indicators.unsolicited);
    assert_eq!(contents(|w| indicators.emit(w)), [0xE5, 0x00]);
    assert_eq!(SuspendResume::parse(&[0x01]), Ok(SuspendResume { network_initiated: true }));
    assert_eq!(
        ContinuityIndicators::parse(&[0x00, 0x00]),
        Err(IsupError::BadLength { parameter: 0x10, len: 2 })
    );
}

#[test]
fn range_and_status_sizes_follow_the_range() {
    // Range 0: one status bit in one octet.
    let one = RangeAndStatus::parse(&[0x00, 0x01]).unwrap();
    assert_eq!(one, RangeAndStatus { range: 0, status: Some(status(&[0])) });
    // Range 7: 8 bits, one octet; range 8: 9 bits, two octets.
    assert!(RangeAndStatus::parse(&[0x07, 0xFF]).is_ok());
    assert_eq!(RangeAndStatus::parse(&[0x08, 0xFF]), Err(IsupError::BadLength { parameter: 0x16, len: 2 }));
    let nine = RangeAndStatus::parse(&[0x08, 0x00, 0x01]).unwrap();
    assert_eq!(nine.status, Some(status(&[8])));
    // Range 255: 32 status octets; bits beyond the range never appear.
    let mut full = vec![0xFF; 33];
    full[0] = 255;
    let all = RangeAndStatus::parse(&full).unwrap();
    assert_eq!(all.status.map(|s| s.count(255)), Some(256));
    assert_eq!(contents(|w| all.emit(w)), full);
    let partial = RangeAndStatus { range: 3, status: Some(status(&[1, 3, 5])) };
    assert_eq!(contents(|w| partial.emit(w)), [0x03, 0x0A]);
    assert_eq!(RangeAndStatus::parse(&[]), Err(IsupError::BadLength { parameter: 0x16, len: 0 }));
}

#[test]
fn cause_indicators_with_and_without_octet_1a() {
    let plain = CauseIndicators::parse(&[0x82, 0x91]).unwrap();
    assert_eq!(plain, CauseIndicators::new(Location::PublicNetworkLocalUser, Cause::UserBusy));
    assert_eq!(contents(|w| plain.emit(w)), [0x82, 0x91]);
    let national = CauseIndicators::parse(&[0xC3, 0xE6, 0x37, 0x30]).unwrap();
    assert_eq!(national.coding_standard, 2);
    assert_eq!(national.location, Location::TransitNetwork);
    assert_eq!(national.cause, Cause::RecoveryOnTimerExpiry);
    assert_eq!(national.diagnostic.as_slice(), b"70");
    assert_eq!(contents(|w| national.emit(w)), [0xC3, 0xE6, 0x37, 0x30]);
    // Octet 1a present but not terminated, or no cause octet: malformed.
    assert_eq!(CauseIndicators::parse(&[0x02, 0x00, 0x90]), Err(IsupError::BadContent { parameter: 0x12 }));
    assert_eq!(CauseIndicators::parse(&[0x80]), Err(IsupError::BadContent { parameter: 0x12 }));
    assert_eq!(CauseIndicators::parse(&[]), Err(IsupError::BadContent { parameter: 0x12 }));
}

#[test]
fn compatibility_information_instruction_indicators() {
    let message = MessageInstructions::parse(&[0x96]).unwrap();
    assert_eq!(
        message,
        MessageInstructions {
            end_node_interpretation: false,
            release_call: true,
            send_notification: true,
            discard_message: false,
            pass_on_not_possible_discard: true,
            broadband_interworking: 0,
        }
    );
    assert_eq!(contents(|w| message.emit(w)), [0x96]);
    // Extended instruction octets are skipped; an unterminated field is malformed.
    assert_eq!(MessageInstructions::parse(&[0x06, 0x80]).map(|m| m.send_notification), Ok(true));
    assert!(MessageInstructions::parse(&[0x06]).is_err());
    assert!(MessageInstructions::parse(&[0x86, 0x80]).is_err());

    // Two entries: 0xFD "discard parameter, notify", 0xFE "release call", the second with an
    // extension octet; pass-on-not-possible 11 reads as "release call".
    let pci = ParameterCompatibility::parse(&[0xFD, 0x94, 0xFE, 0x62, 0x80]).unwrap();
    let first = pci.find(0xFD).unwrap();
    assert!(first.discard_parameter && first.send_notification && !first.release_call);
    assert_eq!(first.pass_on_not_possible, PassOnNotPossible::ReleaseCall);
    let second = pci.find(0xFE).unwrap();
    assert!(second.release_call);
    assert_eq!(second.pass_on_not_possible, PassOnNotPossible::ReleaseCall);
    assert_eq!(pci.iter().count(), 2);
    assert_eq!(contents(|w| pci.emit(w)), [0xFD, 0x94, 0xFE, 0x82]);
    assert_eq!(
        ParameterCompatibility::parse(&[0xFD, 0xD0]).unwrap().find(0xFD).map(|e| e.pass_on_not_possible),
        Some(PassOnNotPossible::DiscardParameter)
    );
    assert!(ParameterCompatibility::parse(&[]).is_err());
    assert!(ParameterCompatibility::parse(&[0xFD]).is_err());
    assert!(ParameterCompatibility::parse(&[0xFD, 0x14]).is_err());
    let nine: Vec<u8> = (0..9u8).flat_map(|i| [0xF0 + i, 0x80]).collect();
    assert!(ParameterCompatibility::parse(&nine).is_err());
}

#[test]
fn user_service_information_keeps_the_bearer_octets() {
    let usi = UserServiceInformation::parse(&[0x80, 0x90, 0xA3]).unwrap();
    assert_eq!(usi, UserServiceInformation::speech_alaw());
    assert_eq!(usi.transfer_capability(), 0);
    assert_eq!(usi.transfer_rate(), 0x10);
    assert_eq!(usi.layer1_protocol(), Some(3));
    assert_eq!(UserServiceInformation::audio_alaw().transfer_capability(), 0x10);
    assert_eq!(UserServiceInformation::parse(&[0x88, 0x90]).unwrap().layer1_protocol(), None);
    assert!(UserServiceInformation::parse(&[0x80]).is_err());
    assert!(UserServiceInformation::parse(&[0; 17]).is_err());
}

#[test]
fn every_number_format_places_its_indicators() {
    let mut n = PartyNumber::new(Nature::INTERNATIONAL, digits("861012345"));
    n.inn_not_allowed = true;
    n.incomplete = true;
    n.presentation = Presentation::Restricted;
    n.screening = Screening::UserVerifiedPassed;
    n.qualifier = 6;
    // The second octet for each format: bit 8, plan 1, presentation 01, screening 01.
    let expected = [
        (NumberFormat::Called, 0x90),
        (NumberFormat::Calling, 0x95),
        (NumberFormat::Redirecting, 0x14),
        (NumberFormat::Redirection, 0x90),
        (NumberFormat::Connected, 0x15),
        (NumberFormat::Location, 0x95),
    ];
    for (format, second) in expected {
        let octets = contents(|w| n.emit(format, w));
        assert_eq!(octets, [0x84, second, 0x68, 0x01, 0x21, 0x43, 0x05], "{format:?}");
        let back = PartyNumber::parse(format, 0x0A, &octets).unwrap();
        assert_eq!(back.digits, n.digits);
        assert_eq!(contents(|w| back.emit(format, w)), octets);
    }
    let generic = contents(|w| n.emit(NumberFormat::Generic, w));
    assert_eq!(generic, [0x06, 0x84, 0x95, 0x68, 0x01, 0x21, 0x43, 0x05]);
    assert_eq!(
        PartyNumber::parse(NumberFormat::Generic, 0xC0, &generic),
        Ok(PartyNumber { inn_not_allowed: false, ..n })
    );
    // Called numbers carry neither presentation nor screening.
    let back = PartyNumber::parse(NumberFormat::Called, 0x04, &[0x84, 0x9F, 0x21]).unwrap();
    assert_eq!(back.presentation, Presentation::Allowed);
    assert_eq!(back.screening, Screening::UserNotVerified);
    assert!(back.inn_not_allowed && !back.incomplete);
    // A calling number with no address signals (address not available).
    let unavailable = PartyNumber::parse(NumberFormat::Calling, 0x0A, &[0x03, 0x1B]).unwrap();
    assert!(unavailable.digits.is_empty());
    assert_eq!(unavailable.presentation, Presentation::NotAvailable);
    // Odd indicator with no signals, too short, or too many signals: malformed.
    assert!(PartyNumber::parse(NumberFormat::Calling, 0x0A, &[0x83, 0x13]).is_err());
    assert!(PartyNumber::parse(NumberFormat::Calling, 0x0A, &[0x83]).is_err());
    assert!(
        PartyNumber::parse(
            NumberFormat::Called,
            0x04,
            &[
                0x03, 0x10, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                0x11, 0x11, 0x11, 0x11
            ]
        )
        .is_err()
    );
    assert!(PartyNumber::parse(NumberFormat::Generic, 0xC0, &[0x06, 0x03]).is_err());
    let sixteen_octets = [[0x03u8, 0x10].as_slice(), &[0x11; 16]].concat();
    assert_eq!(
        PartyNumber::parse(NumberFormat::Called, 0x04, &sixteen_octets).map(|n| n.digits.len()),
        Ok(32)
    );
}

#[test]
fn subsequent_number_needs_a_signal() {
    assert_eq!(SubsequentNumber::parse(&[0x80, 0x05]).map(|s| s.digits), Ok(digits("5")));
    assert_eq!(SubsequentNumber::parse(&[0x00, 0x65]).map(|s| s.digits), Ok(digits("56")));
    assert!(SubsequentNumber::parse(&[0x80]).is_err());
    assert!(SubsequentNumber::parse(&[]).is_err());
}

#[test]
fn other_optional_parameters_decode() {
    let octets = [
        0x03, 0x00, 0x09, 0x01, // ANM, pointer
        0x0B, 0x04, 0x03, 0x14, 0x21, 0x43, // redirecting number, presentation restricted
        0x28, 0x04, 0x03, 0x10, 0x65, 0x87, // original called number
        0x13, 0x02, 0x03, 0x11, // redirection information
        0x3F, 0x03, 0x83, 0x13, 0x09, // location number, "9"
        0xC0, 0x04, 0x05, 0x81, 0x13, 0x01, // generic number (qualifier 5, additional calling), "1"
        0xC0, 0x04, 0x06, 0x81, 0x13, 0x02, // a second generic number
        0x08, 0x01, 0x80, // optional forward call indicators: connected line identity request
        0x1D, 0x03, 0x80, 0x90, 0xA3, // user service information
        0x12, 0x02, 0x80, 0x90, // cause indicators
        0x3D, 0x01, 0x1F, // hop counter 31
        0x31, 0x02, 0x01, 0x2C, // propagation delay 300 ms
        0x38, 0x01, 0x81, // message compatibility: end node
        0x39, 0x02, 0xFD, 0x90, // parameter compatibility for 0xFD
        0x03, 0x02, 0xAA, 0xBB, // access transport, carried raw
        0xFD, 0x01, 0x42, // unrecognized
        0x00,
    ];
    let parsed = Message::parse(&octets).unwrap();
    let o = parsed.body.optional().unwrap();
    assert_eq!(o.redirecting_number.map(|n| n.presentation), Some(Presentation::Restricted));
    assert_eq!(o.original_called_number.map(|n| n.digits), Some(digits("5678")));
    assert_eq!(o.redirection_information.map(|r| r.counter), Some(1));
    assert_eq!(o.location_number.map(|n| n.digits), Some(digits("9")));
    assert_eq!(o.generic_numbers.iter().map(|n| n.qualifier).collect::<Vec<_>>(), vec![5, 6]);
    assert_eq!(o.optional_forward_call_indicators.map(|i| i.connected_line_identity_request), Some(true));
    assert_eq!(o.user_service_information, Some(UserServiceInformation::speech_alaw()));
    assert_eq!(o.cause.map(|c| c.cause), Some(Cause::NormalClearing));
    assert_eq!(o.hop_counter, Some(31));
    assert_eq!(o.propagation_delay, Some(300));
    assert_eq!(o.message_compatibility.map(|m| m.end_node_interpretation), Some(true));
    assert!(
        o.parameter_compatibility.and_then(|p| p.find(0xFD).copied()).is_some_and(|e| e.discard_parameter)
    );
    assert_eq!(o.other, vec![RawParameter::new(0x03, &[0xAA, 0xBB])]);
    assert_eq!(o.unrecognized, vec![RawParameter::new(0xFD, &[0x42])]);
    let mut out = [0u8; MAX_MESSAGE_LEN];
    let len = parsed.emit(&mut out).unwrap();
    assert_eq!(&out[..len], &octets, "canonical order emits the same octets");
}

#[test]
fn malformed_and_repeated_optional_parameters() {
    let octets = [
        0x03, 0x00, 0x09, 0x01, // ANM
        0x0A, 0x01, 0x83, // calling number, too short: kept as unrecognized
        0x0A, 0x03, 0x03, 0x13, 0x21, // calling number "12"
        0x0A, 0x03, 0x03, 0x13, 0x43, // a repeat: dropped
        0x3D, 0x02, 0x01, 0x02, // hop counter of 2 octets: malformed
        0x00,
    ];
    let parsed = Message::parse(&octets).unwrap();
    let o = parsed.body.optional().unwrap();
    assert_eq!(o.calling_party_number.map(|n| n.digits), Some(digits("12")));
    assert_eq!(o.unrecognized, vec![RawParameter::new(0x0A, &[0x83]), RawParameter::new(0x3D, &[1, 2])]);
    let mut out = [0u8; MAX_MESSAGE_LEN];
    let len = parsed.emit(&mut out).unwrap();
    assert_eq!(Message::parse(&out[..len]), Ok(parsed));
}

#[test]
fn unrecognized_message_types_keep_their_optional_part() {
    // APM-like message: only an optional part, carrying message compatibility information
    // "release call" and an unknown parameter.
    let octets = [0x07, 0x00, 0x41, 0x01, 0x38, 0x01, 0x82, 0xF0, 0x01, 0x00, 0x00];
    let parsed = Message::parse(&octets).unwrap();
    let Body::Unrecognized(u) = &parsed.body else { panic!("{parsed:?}") };
    assert_eq!(u.code, 0x41);
    let optional = u.optional.as_ref().unwrap();
    assert!(optional.message_compatibility.is_some_and(|m| m.release_call));
    assert_eq!(optional.unrecognized, vec![RawParameter::new(0xF0, &[0])]);
    assert_eq!(parsed.body.message_type(), MessageType::Unknown(0x41));
    let mut out = [0u8; MAX_MESSAGE_LEN];
    let len = parsed.emit(&mut out).unwrap();
    assert_eq!(&out[..len], &octets);
    // No body at all, or one that does not read as an optional part.
    let bare = Message::parse(&[0x07, 0x00, 0x41]).unwrap();
    assert_eq!(bare.body, Body::Unrecognized(Unrecognized { code: 0x41, optional: None }));
    let odd = Message::parse(&[0x07, 0x00, 0x1F, 0x05, 0x01]).unwrap();
    assert_eq!(odd.body, Body::Unrecognized(Unrecognized { code: 0x1F, optional: None }));
}

#[test]
fn malformed_messages_are_errors() {
    assert_eq!(Message::parse(&[0x01, 0x00]), Err(IsupError::Truncated { needed: 3, got: 2 }));
    // IAM cut inside its fixed part.
    assert_eq!(
        Message::parse(&[0x01, 0x00, 0x01, 0x00, 0x20]),
        Err(IsupError::Truncated { needed: 10, got: 5 })
    );
    // Called number pointer of 0, and one past the end.
    let mut iam = vec![0x01, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0A, 0x00, 0x00, 0x00];
    assert_eq!(Message::parse(&iam), Err(IsupError::BadPointer { at: 8, value: 0 }));
    iam[8] = 9;
    assert_eq!(Message::parse(&iam), Err(IsupError::BadPointer { at: 8, value: 9 }));
    // Called number length running past the end.
    iam[8] = 2;
    iam.extend_from_slice(&[0x04, 0x03, 0x10]);
    assert_eq!(Message::parse(&iam), Err(IsupError::BadPointer { at: 8, value: 2 }));
    // Optional part without its end octet, and with a parameter cut short.
    assert_eq!(
        Message::parse(&[0x03, 0x00, 0x09, 0x01, 0x3D, 0x01, 0x05]),
        Err(IsupError::UnterminatedOptionalPart)
    );
    assert_eq!(
        Message::parse(&[0x03, 0x00, 0x09, 0x01, 0x3D, 0x05, 0x05]),
        Err(IsupError::UnterminatedOptionalPart)
    );
    assert_eq!(Message::parse(&[0x03, 0x00, 0x09, 0x05]), Err(IsupError::BadPointer { at: 3, value: 5 }));
    assert_eq!(Message::parse(&[0x03, 0x00, 0x09]), Err(IsupError::Truncated { needed: 4, got: 3 }));
    assert_eq!(
        Message::parse(&[0u8; MAX_MESSAGE_LEN + 1]),
        Err(IsupError::TooLong { len: MAX_MESSAGE_LEN + 1 })
    );
    // A COT whose fixed part is missing.
    assert_eq!(Message::parse(&[0x02, 0x00, 0x05]), Err(IsupError::Truncated { needed: 4, got: 3 }));
}

#[test]
fn emission_stops_at_the_end_of_the_buffer() {
    let message = Message {
        cic: 1,
        body: Body::Rel(WithCause {
            cause: CauseIndicators::new(Location::User, Cause::NormalClearing),
            optional: OptionalParameters::default(),
        }),
    };
    let mut out = [0u8; 8];
    assert_eq!(message.emit(&mut out), Ok(8));
    assert_eq!(message.emit(&mut out[..7]), Err(IsupError::BufferTooSmall));
    let mut big = OptionalParameters::default();
    for code in 0xF0..=0xFE {
        big.unrecognized.push(RawParameter::new(code, &[0u8; 32]));
    }
    let huge = Message { cic: 1, body: Body::Anm(big) };
    let mut out = [0u8; 1024];
    assert_eq!(huge.emit(&mut out), Err(IsupError::BufferTooSmall));
}
