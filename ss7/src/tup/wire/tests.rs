//! TUP codec tests: labels of both variants, every message decoded from octets assembled by
//! hand from the Q.723 / GF 001-9001 formats and emitted back, malformed input.

use super::*;
use crate::circuit::category::Category;
use crate::circuit::digits::Digits;
use crate::circuit::octets::Octets;
use crate::circuit::range::StatusBits;
use crate::label::PointCode;

/// China label: DPC 3-2-1, OPC 6-5-4, CIC 0x123; the spare high nibble of octet 8 is ignored.
const CHINA_LABEL: [u8; 8] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x23, 0x01];
/// ITU label: DPC 0x0123, OPC 0x2ABC, CIC 0x0A5 (SLS 5 = the CIC's low four bits).
const ITU_LABEL: [u8; 5] = [0x23, 0x01, 0xAF, 0x5A, 0x0A];

fn china_label() -> Label {
    Label { dpc: PointCode::china(3, 2, 1), opc: PointCode::china(6, 5, 4), cic: 0x123 }
}

fn itu_label() -> Label {
    Label {
        dpc: PointCode::new(crate::label::PointCodeFormat::Itu14, 0x0123).unwrap(),
        opc: PointCode::new(crate::label::PointCodeFormat::Itu14, 0x2ABC).unwrap(),
        cic: 0x0A5,
    }
}

fn digits(text: &str) -> Digits {
    Digits::parse(text).unwrap()
}

/// Parses label + `rest` in `variant`, compares with `body`, emits back to the same octets.
fn check(variant: Variant, rest: &[u8], body: Body) {
    let (label_octets, label) = match variant {
        Variant::China => (CHINA_LABEL.to_vec(), china_label()),
        Variant::Itu => (ITU_LABEL.to_vec(), itu_label()),
    };
    let sif = [label_octets, rest.to_vec()].concat();
    let expected = Message { label, body };
    assert_eq!(Message::parse(variant, &sif), Ok(expected), "parse of {rest:02X?}");
    let mut out = [0u8; MAX_MESSAGE_LEN];
    let len = expected.emit(variant, &mut out).unwrap();
    assert_eq!(&out[..len], &sif[..], "emit of {rest:02X?}");
}

fn both(rest: &[u8], body: Body) {
    check(Variant::China, rest, body);
    check(Variant::Itu, rest, body);
}

#[test]
fn labels_carry_the_cic_in_both_variants() {
    let sif = [CHINA_LABEL.as_slice(), &[0x11]].concat();
    let (label, rest) = Label::parse(Variant::China, &sif).unwrap();
    assert_eq!(label, china_label());
    assert_eq!(rest, &[0x11]);
    let mut spare = CHINA_LABEL;
    spare[7] |= 0xF0;
    assert_eq!(Label::parse(Variant::China, &spare).map(|(l, _)| l.cic), Ok(0x123));
    assert_eq!(Label::parse(Variant::Itu, &ITU_LABEL).map(|(l, _)| l), Ok(itu_label()));
    let mut out = [0u8; 8];
    assert_eq!(china_label().emit(Variant::China, &mut out), Ok(8));
    assert_eq!(out, CHINA_LABEL);
    assert_eq!(itu_label().emit(Variant::Itu, &mut out), Ok(5));
    assert_eq!(&out[..5], &ITU_LABEL);
    assert_eq!(
        Label::parse(Variant::China, &CHINA_LABEL[..7]),
        Err(TupError::Truncated { needed: 8, got: 7 })
    );
    let wide = Label { cic: 0x1000, ..china_label() };
    assert_eq!(wide.emit(Variant::China, &mut out), Err(TupError::CicTooWide(0x1000)));
    assert_eq!(
        china_label().emit(Variant::Itu, &mut out).err().map(|e| matches!(e, TupError::Label(_))),
        Some(true)
    );
    assert_eq!(china_label().reversed().dpc, PointCode::china(6, 5, 4));
}

fn ordinary_iam(text: &str) -> Iam {
    Iam {
        category: Category::ORDINARY,
        indicators: MessageIndicators { nature: nature::NATIONAL, all_ss7_path: true, ..Default::default() },
        digits: digits(text),
    }
}

#[test]
fn iam_with_eight_signals() {
    // CPC 10; NoA national; all No.7 path; 8 signals "12345678".
    both(&[0x11, 0x0A, 0x02, 0x84, 0x21, 0x43, 0x65, 0x87], Body::Iam(ordinary_iam("12345678")));
}

#[test]
fn iam_with_every_indicator_and_an_odd_count() {
    // CPC 24 (China local), NoA international, one satellite, check on previous circuit,
    // echo suppressor, incoming international; redirected, digital path; 15 signals.
    let iam = Iam {
        category: Category::CHINA_LOCAL,
        indicators: MessageIndicators {
            nature: nature::INTERNATIONAL,
            satellite: 1,
            continuity_check: 2,
            echo_suppressor: true,
            incoming_international: true,
            redirected: true,
            all_digital_path: true,
            all_ss7_path: false,
        },
        digits: digits("123456789012345"),
    };
    both(&[0x11, 0x18, 0xE7, 0xF3, 0x21, 0x43, 0x65, 0x87, 0x09, 0x21, 0x43, 0x05], Body::Iam(iam));
}

#[test]
fn iai_with_calling_line_identity_and_original_called_address() {
    let rest = [
        0x21, 0x0A, 0x02, 0x84, 0x21, 0x43, 0x65, 0x87, // IAM part
        0x30, // first indicator octet: CLI and original called address included
        0x86, 0x88, 0x88, 0x00, 0x10, // CLI: national, restricted, 8 signals "88880001"
        0x42, 0x21, 0x43, // original called: national, 4 signals "1234"
    ];
    let iai = Iai {
        iam: ordinary_iam("12345678"),
        calling: Some(CallingLine {
            nature: nature::NATIONAL,
            restricted: true,
            incomplete: false,
            digits: digits("88880001"),
        }),
        original_called: Some(OriginalCalled { nature: nature::NATIONAL, digits: digits("1234") }),
    };
    both(&rest, Body::Iai(iai));
    // Only the CLI, incomplete, subscriber number.
    let rest = [0x21, 0x0A, 0x02, 0x84, 0x21, 0x43, 0x65, 0x87, 0x10, 0x38, 0x21, 0x03];
    let iai = Iai {
        iam: ordinary_iam("12345678"),
        calling: Some(CallingLine {
            nature: nature::SUBSCRIBER,
            restricted: false,
            incomplete: true,
            digits: digits("123"),
        }),
        original_called: None,
    };
    both(&rest, Body::Iai(iai));
}

#[test]
fn iai_fields_for_further_study_are_refused() {
    for (bit, name) in [
        (0, "network capability or user facility information"),
        (1, "closed user group information"),
        (2, "additional calling party information"),
        (3, "additional routing information"),
        (6, "charging information"),
    ] {
        let sif = [CHINA_LABEL.as_slice(), &[0x21, 0x0A, 0x02, 0x10, 0x01, 1 << bit, 0, 0, 0, 0]].concat();
        assert_eq!(Message::parse(Variant::China, &sif), Err(TupError::UnsupportedField(name)));
    }
}

#[test]
fn subsequent_address_messages() {
    both(&[0x31, 0x30, 0x09, 0x0F], Body::Sam(digits("90F")));
    both(&[0x41, 0x05], Body::Sao(5));
    both(&[0x41, 0x0F], Body::Sao(0x0F));
}

#[test]
fn grq_and_gsm_exchange_the_calling_line_identity() {
    let request = Request { category: true, calling_line: true, ..Default::default() };
    both(&[0x13, 0x03], Body::Grq(request));
    let all = Request {
        category: true,
        calling_line: true,
        original_called: true,
        malicious_call: true,
        hold: true,
        echo_suppressor: true,
    };
    both(&[0x13, 0x3F], Body::Grq(all));
    let gsm = Gsm {
        category: Some(Category::ORDINARY),
        calling: Some(CallingLine {
            nature: nature::NATIONAL,
            restricted: false,
            incomplete: false,
            digits: digits("88880001"),
        }),
        ..Default::default()
    };
    both(&[0x12, 0x03, 0x0A, 0x82, 0x88, 0x88, 0x00, 0x10], Body::Gsm(gsm));
    let flags_only = Gsm { echo_suppressor: true, malicious_call: true, hold: true, ..Default::default() };
    both(&[0x12, 0x70], Body::Gsm(flags_only));
}

#[test]
fn gsm_incoming_trunk_identity_in_both_point_code_widths() {
    let china = Gsm {
        incoming_trunk: Some(IncomingTrunk {
            exchange: ExchangeIdentity::PointCode(PointCode::china(3, 2, 1)),
            trunk: Octets::from_slice(&[0xAB, 0xCD]).unwrap(),
        }),
        original_called: Some(OriginalCalled { nature: nature::SUBSCRIBER, digits: digits("5") }),
        ..Default::default()
    };
    check(
        Variant::China,
        &[0x12, 0x0C, 0x31, 0x01, 0x02, 0x03, 0x20, 0xAB, 0xCD, 0x10, 0x05],
        Body::Gsm(china),
    );
    let itu = Gsm {
        incoming_trunk: Some(IncomingTrunk {
            exchange: ExchangeIdentity::PointCode(
                PointCode::new(crate::label::PointCodeFormat::Itu14, 0x2ABC).unwrap(),
            ),
            trunk: Octets::new(),
        }),
        ..Default::default()
    };
    check(Variant::Itu, &[0x12, 0x04, 0x21, 0xBC, 0x2A, 0x00], Body::Gsm(itu));
    let partial = Gsm {
        incoming_trunk: Some(IncomingTrunk {
            exchange: ExchangeIdentity::PartialCallingLine(digits("010")),
            trunk: Octets::from_slice(&[7]).unwrap(),
        }),
        ..Default::default()
    };
    both(&[0x12, 0x04, 0x32, 0x10, 0x00, 0x10, 0x07], Body::Gsm(partial));
    let bad_type = [CHINA_LABEL.as_slice(), &[0x12, 0x04, 0x03, 0x00]].concat();
    assert_eq!(Message::parse(Variant::China, &bad_type), Err(TupError::BadField("exchange identity type")));
}

#[test]
fn address_complete_and_charging() {
    let acm = AddressComplete {
        kind: 1,
        subscriber_free: true,
        echo_suppressor: false,
        call_forwarded: false,
        all_ss7_path: true,
    };
    both(&[0x14, 0x25], Body::Acm(acm));
    let every = AddressComplete {
        kind: 3,
        subscriber_free: true,
        echo_suppressor: true,
        call_forwarded: true,
        all_ss7_path: true,
    };
    both(&[0x14, 0x3F], Body::Acm(every));
    both(&[0x24, 0x01, 0x02], Body::Chg(Octets::from_slice(&[1, 2]).unwrap()));
    let empty = [CHINA_LABEL.as_slice(), &[0x24]].concat();
    assert_eq!(Message::parse(Variant::China, &empty), Err(TupError::Truncated { needed: 10, got: 9 }));
}

#[test]
fn unsuccessful_backward_signals() {
    use MessageType as T;
    let cases = [
        (0x15, T::Sec),
        (0x25, T::Cgc),
        (0x35, T::Nnc),
        (0x45, T::Adi),
        (0x55, T::Cfl),
        (0x65, T::Ssb),
        (0x75, T::Unn),
        (0x85, T::Los),
        (0x95, T::Sst),
        (0xA5, T::Acb),
        (0xB5, T::Dpn),
        (0xC5, T::Mpr),
    ];
    for (heading, t) in cases {
        both(&[heading], Body::Signal(t));
        assert_eq!(t.h0(), 5);
    }
    check(
        Variant::China,
        &[0xF5, 0x01, 0x01, 0x02, 0x03],
        Body::Eum(Eum { indicator: 1, origin: PointCode::china(3, 2, 1) }),
    );
    let itu_pc = PointCode::new(crate::label::PointCodeFormat::Itu14, 0x3FFF).unwrap();
    check(Variant::Itu, &[0xF5, 0x01, 0xFF, 0x3F], Body::Eum(Eum { indicator: 1, origin: itu_pc }));
}

#[test]
fn call_and_circuit_supervision_signals() {
    use MessageType as T;
    let cases = [
        (0x32, T::Cot),
        (0x42, T::Ccf),
        (0x06, T::Anu),
        (0x16, T::Anc),
        (0x26, T::Ann),
        (0x36, T::Cbk),
        (0x46, T::Clf),
        (0x56, T::Ran),
        (0x66, T::Fot),
        (0x76, T::Ccl),
        (0x17, T::Rlg),
        (0x27, T::Blo),
        (0x37, T::Bla),
        (0x47, T::Ubl),
        (0x57, T::Uba),
        (0x67, T::Ccr),
        (0x77, T::Rsc),
    ];
    for (heading, t) in cases {
        both(&[heading], Body::Signal(t));
        assert_eq!(t.code(), heading);
    }
    assert_eq!(T::Clf.h0(), 6);
    assert_eq!(T::Clf.h1(), 4);
}

fn status(bits: &[u8]) -> StatusBits {
    let mut s = StatusBits::new();
    for &b in bits {
        s.set(b, true);
    }
    s
}

#[test]
fn group_messages_with_range_and_status() {
    use MessageType as T;
    let rs = RangeStatus { range: 9, status: Some(status(&[0, 1, 9])) };
    for (heading, t) in [
        (0x18, T::Mgb),
        (0x28, T::Mba),
        (0x38, T::Mgu),
        (0x48, T::Mua),
        (0x58, T::Hgb),
        (0x68, T::Hba),
        (0x78, T::Hgu),
        (0x88, T::Hua),
        (0xA8, T::Gra),
        (0xB8, T::Sgb),
        (0xC8, T::Sba),
        (0xD8, T::Sgu),
        (0xE8, T::Sua),
    ] {
        both(&[heading, 0x09, 0x03, 0x02], Body::Group(t, rs));
    }
    // Range 0: no status field.
    both(&[0x18, 0x00], Body::Group(T::Mgb, RangeStatus { range: 0, status: None }));
    both(&[0x98, 0x1D], Body::Grs(29));
    // A 32-circuit GRA with every circuit blocked.
    let all: Vec<u8> = (0..32).collect();
    both(
        &[0xA8, 0x1F, 0xFF, 0xFF, 0xFF, 0xFF],
        Body::Group(T::Gra, RangeStatus { range: 31, status: Some(status(&all)) }),
    );
    let short = [CHINA_LABEL.as_slice(), &[0x18, 0x09, 0x03]].concat();
    assert_eq!(Message::parse(Variant::China, &short), Err(TupError::Truncated { needed: 12, got: 11 }));
}

#[test]
fn network_management_and_national_messages() {
    both(&[0x1A, 0x02], Body::Acc(2));
    check(Variant::China, &[0x2C, 0x10, 0x00], Body::Mpm(16));
    check(Variant::China, &[0x2C, 0x34, 0x12], Body::Mpm(0x1234));
    for (heading, t) in [
        (0x1D, MessageType::Opr),
        (0x1E, MessageType::Slb),
        (0x2E, MessageType::Stb),
        (0x1F, MessageType::Mal),
    ] {
        check(Variant::China, &[heading], Body::Signal(t));
        // The ITU variant does not know the national groups.
        check(Variant::Itu, &[heading], Body::Unknown { heading, data: Octets::new() });
    }
    check(
        Variant::Itu,
        &[0x2C, 0x10, 0x00],
        Body::Unknown { heading: 0x2C, data: Octets::from_slice(&[0x10, 0x00]).unwrap() },
    );
    both(&[0x09, 0xAA], Body::Unknown { heading: 0x09, data: Octets::from_slice(&[0xAA]).unwrap() });
}

#[test]
fn malformed_messages_are_errors() {
    let no_heading = CHINA_LABEL;
    assert_eq!(Message::parse(Variant::China, &no_heading), Err(TupError::Truncated { needed: 9, got: 8 }));
    // IAM announcing 8 signals with only 3 octets of them.
    let cut = [CHINA_LABEL.as_slice(), &[0x11, 0x0A, 0x02, 0x84, 0x21, 0x43, 0x65]].concat();
    assert_eq!(Message::parse(Variant::China, &cut), Err(TupError::Truncated { needed: 16, got: 15 }));
    // Trailing octets after a complete message are ignored.
    let long = [CHINA_LABEL.as_slice(), &[0x46, 0x00, 0x00]].concat();
    assert_eq!(Message::parse(Variant::China, &long).map(|m| m.body), Ok(Body::Signal(MessageType::Clf)));
    // Emission refuses what the format cannot carry.
    let mut out = [0u8; MAX_MESSAGE_LEN];
    let sixteen = Message { label: china_label(), body: Body::Sam(digits("0123456789012345")) };
    assert_eq!(sixteen.emit(Variant::China, &mut out), Err(TupError::TooManySignals(16)));
    let category = Message {
        label: china_label(),
        body: Body::Iam(Iam { category: Category(64), ..ordinary_iam("1") }),
    };
    assert_eq!(category.emit(Variant::China, &mut out), Err(TupError::BadField("calling party category")));
    let not_a_signal = Message { label: china_label(), body: Body::Signal(MessageType::Iam) };
    assert_eq!(not_a_signal.emit(Variant::China, &mut out), Err(TupError::BadField("signal type")));
    let iam = Message { label: china_label(), body: Body::Iam(ordinary_iam("12345678")) };
    assert_eq!(iam.emit(Variant::China, &mut out[..15]), Err(TupError::BufferTooSmall));
    assert_eq!(iam.emit(Variant::China, &mut out[..16]), Ok(16));
}
