//! Exact trace lines for hand-assembled signal units of every kind.

use super::*;

/// China labels: DPC 1-2-4, OPC 1-2-3, least significant octet first, then SLS.
const CHINA_LABEL: [u8; 7] = [0x04, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01];
/// SIO octets: national (NI 2) with SI 0, 1, 2, 3, 4, 5.
const SNM: u8 = 0x80;
const MTN: u8 = 0x81;
const MTNS: u8 = 0x82;
const SCCP: u8 = 0x83;
const TUP: u8 = 0x84;
const ISUP: u8 = 0x85;

/// An MSU: BSN 3 with BIB set, FSN 4 with FIB set, the LI MTP2 gives `sio` + `sif`.
fn msu(sio: u8, sif: &[u8]) -> Vec<u8> {
    let body = 1 + sif.len();
    let li = u8::try_from(body.min(63)).unwrap();
    let mut su = vec![0x83, 0x84, li, sio];
    su.extend_from_slice(sif);
    su
}

fn china(sio: u8, message: &[u8]) -> String {
    let mut sif = CHINA_LABEL.to_vec();
    sif.extend_from_slice(message);
    describe_su(&msu(sio, &sif), PointCodeFormat::China24).to_string()
}

const HEAD: &str = "MSU BSN 3 FSN 4 NI national";
const LABEL: &str = "DPC 1-2-4 OPC 1-2-3 SLS 1";

#[test]
fn fisus_and_lssus_show_their_sequence_numbers_and_status() {
    let line = |su: &[u8]| describe_su(su, PointCodeFormat::China24).to_string();
    assert_eq!(line(&[0x85, 0x86, 0x00]), "FISU BSN 5 FSN 6");
    assert_eq!(line(&[0xFF, 0xFF, 0x01, 0x03]), "LSSU SIOS BSN 127 FSN 127");
    assert_eq!(line(&[0x00, 0x00, 0x01, 0x00]), "LSSU SIO BSN 0 FSN 0");
    assert_eq!(line(&[0x00, 0x00, 0x02, 0x05, 0x00]), "LSSU SIB BSN 0 FSN 0");
    assert_eq!(line(&[0x00, 0x00, 0x01, 0x07]), "LSSU spare BSN 0 FSN 0");
}

#[test]
fn malformed_signal_units_give_the_reason_and_the_octets() {
    let line = |su: &[u8]| describe_su(su, PointCodeFormat::Itu14).to_string();
    assert_eq!(
        line(&[0x00, 0x00, 0x05, 0x01]),
        "bad signal unit (length indicator 5 does not match a signal unit of 4 octets): 00000501"
    );
    assert_eq!(line(&[0x01, 0x02]), "bad signal unit (signal unit of 2 octets is shorter than 3): 0102");
    assert_eq!(line(&[]), "bad signal unit (signal unit of 0 octets is shorter than 3): ");
}

#[test]
fn isup_call_messages_show_cic_numbers_and_cause() {
    // IAM CIC 1: nature of connection 0, forward call indicators 0x0100, category 10, medium
    // speech; pointers 2 and 6; called 1234 national/ISDN; calling 5678 national, network
    // provided; end of optional part.
    let iam = [
        0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x0A, 0x00, 0x02, 0x06, 0x04, 0x03, 0x10, 0x21, 0x43, 0x0A, 0x04,
        0x03, 0x13, 0x65, 0x87, 0x00,
    ];
    assert_eq!(
        china(ISUP, &iam),
        format!(
            "{HEAD} SI ISUP {LABEL}: IAM CIC 1 called 1234 (national) calling 5678 (national) category 10"
        )
    );
    // The same with presentation restricted (bits DC of the calling number's second octet).
    let mut restricted = iam;
    restricted[18] = 0x17;
    assert!(
        china(ISUP, &restricted).ends_with("calling 5678 (national, presentation restricted) category 10"),
        "{}",
        china(ISUP, &restricted)
    );
    // ACM CIC 1: backward call indicators 0x16 0x14 (subscriber free), no optional part.
    assert_eq!(
        china(ISUP, &[0x01, 0x00, 0x06, 0x16, 0x14, 0x00]),
        format!("{HEAD} SI ISUP {LABEL}: ACM CIC 1 called party subscriber free")
    );
    assert_eq!(china(ISUP, &[0x01, 0x00, 0x09, 0x00]), format!("{HEAD} SI ISUP {LABEL}: ANM CIC 1"));
    // REL CIC 1: cause location public network local user, 16.
    assert_eq!(
        china(ISUP, &[0x01, 0x00, 0x0C, 0x02, 0x00, 0x02, 0x82, 0x90]),
        format!("{HEAD} SI ISUP {LABEL}: REL CIC 1 cause 16 (normal call clearing)")
    );
    assert_eq!(china(ISUP, &[0x01, 0x00, 0x10, 0x00]), format!("{HEAD} SI ISUP {LABEL}: RLC CIC 1"));
    // CIC 4095, the largest; the high nibble of the second octet is spare.
    assert_eq!(china(ISUP, &[0xFF, 0xFF, 0x13]), format!("{HEAD} SI ISUP {LABEL}: BLO CIC 4095"));
}

#[test]
fn isup_group_messages_show_range_and_status() {
    // CGB CIC 1, maintenance oriented, range 2 with status 111.
    assert_eq!(
        china(ISUP, &[0x01, 0x00, 0x18, 0x00, 0x01, 0x02, 0x02, 0x07]),
        format!("{HEAD} SI ISUP {LABEL}: CGB CIC 1 maintenance oriented range 2 (CICs 1-3) status 111")
    );
    // GRS CIC 1 range 30 (no status); GRA with status 0 for all but CIC 2.
    assert_eq!(
        china(ISUP, &[0x01, 0x00, 0x17, 0x01, 0x01, 0x1E]),
        format!("{HEAD} SI ISUP {LABEL}: GRS CIC 1 range 30 (CICs 1-31)")
    );
    assert_eq!(
        china(ISUP, &[0x01, 0x00, 0x29, 0x01, 0x02, 0x03, 0x02]),
        format!("{HEAD} SI ISUP {LABEL}: GRA CIC 1 range 3 (CICs 1-4) status 0100")
    );
}

#[test]
fn undecodable_isup_gives_the_name_reason_and_octets() {
    // An IAM cut after the nature of connection indicators.
    let line = china(ISUP, &[0x01, 0x00, 0x01, 0x00]);
    assert!(line.starts_with(&format!("{HEAD} SI ISUP {LABEL}: IAM not decodable (")), "{line}");
    assert!(line.ends_with("): 01000100"), "{line}");
    // Shorter than CIC and type.
    assert_eq!(
        china(ISUP, &[0x01, 0x00]),
        format!("{HEAD} SI ISUP {LABEL}: not decodable (ISUP message needs 3 octets, 2 present): 0100")
    );
    // A message type Q.763 has and this stack does not implement.
    let line = china(ISUP, &[0x05, 0x00, 0x55, 0x00]);
    assert!(
        line.starts_with(&format!(
            "{HEAD} SI ISUP {LABEL}: message type 0x55 CIC 5 (not recognized): 05005500"
        )),
        "{line}"
    );
}

#[test]
fn itu_labels_print_3_8_3() {
    // DPC 0x123 (0-36-3), OPC 0x456 (0-138-6), SLS 5; SIO international ISUP.
    let word: u32 = 0x123 | 0x456 << 14 | 5 << 28;
    let mut sif = word.to_le_bytes().to_vec();
    sif.extend_from_slice(&[0x02, 0x00, 0x12]);
    assert_eq!(
        describe_su(&msu(0x05, &sif), PointCodeFormat::Itu14).to_string(),
        "MSU BSN 3 FSN 4 NI international SI ISUP DPC 0-36-3 OPC 0-138-6 SLS 5: RSC CIC 2"
    );
    // Largest ITU codes: 7-255-7.
    let word: u32 = 0x3FFF | 0x3FFF << 14 | 15 << 28;
    let mut sif = word.to_le_bytes().to_vec();
    sif.extend_from_slice(&[0x17]);
    assert_eq!(
        describe_su(&msu(0xC0, &sif), PointCodeFormat::Itu14).to_string(),
        "MSU BSN 3 FSN 4 NI national-spare SI SNM DPC 7-255-7 OPC 7-255-7 SLS 15: TRA"
    );
}

#[test]
fn tup_call_messages_show_headings_cic_and_fields() {
    // TUP labels carry the CIC after the point codes: 1, in octets 7 and 8 (China).
    let tup = |message: &[u8]| {
        let mut sif = CHINA_LABEL[..6].to_vec();
        sif.extend_from_slice(&[0x01, 0x00]);
        sif.extend_from_slice(message);
        describe_su(&msu(TUP, &sif), PointCodeFormat::China24).to_string()
    };
    let head = format!("{HEAD} SI TUP {LABEL}:");
    // IAI: category 10, national, 5 signals 1234F, calling line identity 5678 national.
    assert_eq!(
        tup(&[0x21, 0x0A, 0x02, 0x50, 0x21, 0x43, 0x0F, 0x10, 0x42, 0x65, 0x87]),
        format!("{head} IAI CIC 1 called 1234F (national) category 10 calling 5678 (national)")
    );
    // The same with presentation restricted and incomplete.
    assert_eq!(
        tup(&[0x21, 0x0A, 0x02, 0x50, 0x21, 0x43, 0x0F, 0x10, 0x4E, 0x65, 0x87]),
        format!(
            "{head} IAI CIC 1 called 1234F (national) category 10 calling 5678 (national, restricted, incomplete)"
        )
    );
    assert_eq!(
        tup(&[0x11, 0x0A, 0x00, 0x30, 0x21, 0x03]),
        format!("{head} IAM CIC 1 called 123 (subscriber) category 10")
    );
    assert_eq!(tup(&[0x31, 0x20, 0x54]), format!("{head} SAM CIC 1 digits 45"));
    assert_eq!(tup(&[0x41, 0x0F]), format!("{head} SAO CIC 1 digit F"));
    assert_eq!(tup(&[0x13, 0x03]), format!("{head} GRQ CIC 1 request category, calling line"));
    assert_eq!(tup(&[0x14, 0x04]), format!("{head} ACM CIC 1 address complete, subscriber free"));
    assert_eq!(tup(&[0x14, 0x01]), format!("{head} ACM CIC 1 address complete, charge"));
    for (heading, name) in [(0x16, "ANC"), (0x26, "ANN"), (0x06, "ANU"), (0x36, "CBK"), (0x46, "CLF")] {
        assert_eq!(tup(&[heading]), format!("{head} {name} CIC 1"));
    }
    for (heading, name) in [(0x17, "RLG"), (0x27, "BLO"), (0x65, "SSB"), (0x75, "UNN"), (0x1E, "SLB")] {
        assert_eq!(tup(&[heading]), format!("{head} {name} CIC 1"));
    }
    assert_eq!(
        tup(&[0xF5, 0x01, 0x05, 0x02, 0x01]),
        format!("{head} EUM CIC 1 subscriber busy (indicator 1) from 1-2-5")
    );
    assert_eq!(tup(&[0x2C, 0x10, 0x01]), format!("{head} MPM CIC 1 272 pulse(s) per charging unit"));
}

#[test]
fn tup_group_and_unknown_and_undecodable_messages() {
    let tup = |format: PointCodeFormat, message: &[u8]| {
        let mut sif = match format {
            PointCodeFormat::China24 => vec![0x04, 0x02, 0x01, 0x03, 0x02, 0x01, 0x01, 0x00],
            // ITU: DPC 0x123, OPC 0x456, CIC 0x021 (4 low bits in the SLS field, 8 high after).
            PointCodeFormat::Itu14 => {
                let mut label = (0x123u32 | 0x456 << 14 | 1 << 28).to_le_bytes().to_vec();
                label.push(0x02);
                label
            }
        };
        sif.extend_from_slice(message);
        describe_su(&msu(TUP, &sif), format).to_string()
    };
    let china = PointCodeFormat::China24;
    let head = format!("{HEAD} SI TUP {LABEL}:");
    assert_eq!(tup(china, &[0x18, 0x02, 0x07]), format!("{head} MGB CIC 1 range 2 (CICs 1-3) status 111"));
    assert_eq!(tup(china, &[0x98, 0x1D]), format!("{head} GRS CIC 1 range 29 (CICs 1-30)"));
    // Range 0 carries no status.
    assert_eq!(tup(china, &[0xA8, 0x00]), format!("{head} GRA CIC 1 range 0 (CIC 1)"));
    // A heading neither table has, with what followed it.
    assert_eq!(tup(china, &[0x3C, 0xAB]), format!("{head} heading 0x3c (H0 C H1 3) CIC 1: ab"));
    assert_eq!(tup(china, &[0xF7]), format!("{head} heading 0xf7 (H0 7 H1 F) CIC 1"));
    // The China national groups are not in the ITU variant.
    assert_eq!(
        tup(PointCodeFormat::Itu14, &[0x1E]),
        "MSU BSN 3 FSN 4 NI national SI TUP DPC 0-36-3 OPC 0-138-6 SLS 1: heading 0x1e (H0 E H1 1) CIC 33"
    );
    // An IAM whose address signals are cut short.
    assert_eq!(
        tup(china, &[0x11, 0x0A, 0x02, 0x50, 0x21]),
        format!("{head} IAM not decodable (TUP message needs 15 octets, 13 present): 110a025021")
    );
    // A label and nothing else.
    assert_eq!(
        tup(china, &[]),
        format!("{head} not decodable (TUP message needs 9 octets, 8 present): 0402010302010100")
    );
}

#[test]
fn management_and_link_test_messages_are_named() {
    assert_eq!(china(SNM, &[0x11, 0x05]), format!("{HEAD} SI SNM {LABEL}: COO FSN 5"));
    assert_eq!(china(SNM, &[0x21, 0x7F]), format!("{HEAD} SI SNM {LABEL}: COA FSN 127"));
    assert_eq!(china(SNM, &[0x51, 0x03]), format!("{HEAD} SI SNM {LABEL}: CBD code 3"));
    assert_eq!(china(SNM, &[0x61, 0x03]), format!("{HEAD} SI SNM {LABEL}: CBA code 3"));
    assert_eq!(
        china(SNM, &[0x14, 0x05, 0x02, 0x01]),
        format!("{HEAD} SI SNM {LABEL}: TFP destination 1-2-5")
    );
    assert_eq!(
        china(SNM, &[0x54, 0x05, 0x02, 0x01]),
        format!("{HEAD} SI SNM {LABEL}: TFA destination 1-2-5")
    );
    assert_eq!(china(SNM, &[0x17]), format!("{HEAD} SI SNM {LABEL}: TRA"));
    assert_eq!(china(SNM, &[0x12]), format!("{HEAD} SI SNM {LABEL}: ECO"));
    assert_eq!(
        china(SNM, &[0x1A, 0x05, 0x02, 0x01, 0x15]),
        format!("{HEAD} SI SNM {LABEL}: UPU destination 1-2-5 user ISUP unequipped")
    );
    assert_eq!(
        china(SNM, &[0x99, 0x01]),
        format!("{HEAD} SI SNM {LABEL}: SNM heading 0x99 (H0 9 H1 9): 9901")
    );
    assert_eq!(
        china(SNM, &[0x14, 0x05]),
        format!(
            "{HEAD} SI SNM {LABEL}: not decodable (management message 0x14 needs 4 octets, 2 present): 1405"
        )
    );
    assert_eq!(
        china(MTN, &[0x11, 0x40, 0x01, 0x23, 0x45, 0x67]),
        format!("{HEAD} SI MTN {LABEL}: SLTM pattern 01234567")
    );
    assert_eq!(china(MTNS, &[0x21, 0x10, 0xAA]), format!("{HEAD} SI MTNS {LABEL}: SLTA pattern aa"));
    assert_eq!(
        china(MTN, &[0x11, 0x00]),
        format!("{HEAD} SI MTN {LABEL}: not decodable (malformed link test message 0x11): 1100")
    );
}

#[test]
fn other_user_parts_short_labels_and_long_msus() {
    assert_eq!(china(SCCP, &[0x09, 0x81]), format!("{HEAD} SI SCCP {LABEL}: 0981"));
    assert_eq!(china(0x8B, &[0x01]), format!("{HEAD} SI 11 {LABEL}: 01"));
    assert_eq!(
        china(0xB5, &[]),
        format!(
            "MSU BSN 3 FSN 4 NI national priority 3 SI ISUP {LABEL}: not decodable (ISUP message needs 3 octets, 0 present): "
        )
    );
    let short = msu(ISUP, &[0x04, 0x02]);
    assert_eq!(
        describe_su(&short, PointCodeFormat::China24).to_string(),
        format!("{HEAD} SI ISUP: routing label needs 7 octets, 2 present: 0402")
    );
    // 62 octets after the header take LI 62; 63 and more take LI 63.
    for len in [54, 55, 80] {
        let line = china(SCCP, &vec![0xEE; len]);
        assert_eq!(
            line,
            format!("{HEAD} SI SCCP {LABEL}: {}", "ee".repeat(len)),
            "SIF of {len} after the label"
        );
    }
}

proptest::proptest! {
    #[test]
    fn any_octets_describe_without_panicking(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        fuzz(&data);
    }
}
