//! A captured run of two signalling points, written as pcap (LINKTYPE_MTP2 with pseudo-header)
//! and decoded by tshark with MTP3 set to the matching standard: alignment, link tests, TRA,
//! ISUP traffic, a changeover and changeback after a cut, and route management from an STP.
//! tshark must find no malformed packet, and must see every ISUP and management message. The
//! test skips the decode (with a notice) when tshark is not installed.

mod mtp_common;

use mtp_common::{tshark_check, write_capture};
use tdm_base::Duration;
use tdm_ss7::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio};
use tdm_ss7::mtp2::pcap::{self, Direction};
use tdm_ss7::mtp3::pair::{Pair, Side};
use tdm_ss7::mtp3::{LinkId, LinkSetConfig, Mtp3Config, Payload, SignallingLinkConfig, SnmMessage, Transfer};

fn config(own: PointCode, adjacent: PointCode, format: PointCodeFormat) -> Mtp3Config {
    let mut config = Mtp3Config::new(own, format, NetworkIndicator::National);
    config.link_sets.push(LinkSetConfig {
        name: "trunk".into(),
        adjacent,
        links: vec![SignallingLinkConfig::new(0, 0, 16), SignallingLinkConfig::new(1, 1, 16)],
    });
    config
}

/// ISUP messages tshark decodes without complaint: BLO, UBL and GRS (range 7).
fn isup(from: PointCode, to: PointCode, cic: u16, kind: usize) -> Transfer {
    let mut payload = cic.to_le_bytes().to_vec();
    match kind % 3 {
        0 => payload.push(0x13),
        1 => payload.push(0x14),
        _ => payload.extend_from_slice(&[0x17, 0x01, 0x01, 0x07]),
    }
    Transfer {
        ni: NetworkIndicator::National,
        priority: 0,
        si: ServiceIndicator::Isup,
        label: RoutingLabel { dpc: to, opc: from, sls: (cic & 0x0F) as u8 },
        label_spare: 0,
        payload: Payload::new(&payload).expect("short"),
    }
}

fn management(format: PointCodeFormat, from: PointCode, to: PointCode, message: SnmMessage) -> Vec<u8> {
    let mut body = vec![
        Sio { ni: NetworkIndicator::National, priority: 0, si: ServiceIndicator::Management }.to_octet(),
    ];
    let mut label = [0u8; 7];
    let len = RoutingLabel { dpc: to, opc: from, sls: 0 }.emit(format, &mut label).expect("label");
    body.extend_from_slice(&label[..len]);
    let mut octets = [0u8; 8];
    let len = message.emit(format, &mut octets).expect("message");
    body.extend_from_slice(&octets[..len]);
    body
}

/// Runs the scenario; returns the capture and how many ISUP and management MSUs it holds.
fn captured_run(
    format: PointCodeFormat,
    a: PointCode,
    b: PointCode,
    far: PointCode,
) -> (Vec<u8>, usize, usize) {
    let mut pair = Pair::new(config(a, b, format), config(b, a, format)).expect("pair");
    pair.trace = Some(Vec::new());
    pair.start();
    assert!(pair.run_while_not(Duration::from_secs(5), |p| p.point_ref(Side::A).is_accessible(b)
        && (0..16).all(|sls| p.point_ref(Side::A).link_for_sls(0, sls).is_some())));
    let mut sent_isup = 0;
    for cic in 1..=60u16 {
        pair.transfer(Side::A, &isup(a, b, cic, usize::from(cic))).expect("accessible");
        pair.transfer(Side::B, &isup(b, a, cic, usize::from(cic) + 1)).expect("accessible");
        sent_isup += 2;
    }
    pair.run_for(Duration::from_millis(500));
    // A cut: changeover; the heal: changeback.
    pair.set_cut(0, true);
    for cic in 61..=90u16 {
        pair.transfer(Side::A, &isup(a, b, cic, usize::from(cic))).expect("accessible");
        sent_isup += 1;
    }
    pair.run_for(Duration::from_secs(2));
    pair.set_cut(0, false);
    assert!(pair.run_while_not(Duration::from_secs(30), |p| {
        (0..16).all(|sls| p.point_ref(Side::A).link_for_sls(0, sls) == Some(usize::from(sls % 2)))
    }));
    // B plays an STP: a destination behind it is prohibited, then allowed again.
    for message in [SnmMessage::Tfp { destination: far }, SnmMessage::Tfa { destination: far }] {
        pair.point(Side::B)
            .send_on_link(LinkId { set: 0, link: 1 }, &management(format, b, a, message))
            .unwrap();
    }
    pair.run_for(Duration::from_millis(200));
    let trace = pair.trace.take().unwrap_or_default();
    let mut image = pcap::file_header(pcap::LINKTYPE_MTP2_WITH_PHDR).to_vec();
    let mut isup_msus = 0;
    let mut management_msus = 0;
    for su in trace.iter().filter(|su| !su.lost) {
        let direction = if su.from == Side::A { Direction::Sent } else { Direction::Received };
        pcap::append_record(
            &mut image,
            pcap::LINKTYPE_MTP2_WITH_PHDR,
            su.at,
            direction,
            su.line as u16,
            &su.su,
        );
        if su.su.len() > 3 {
            match su.su[3] & 0x0F {
                0..=2 if su.su[2] > 2 => management_msus += 1,
                5 => isup_msus += 1,
                _ => {}
            }
        }
    }
    assert!(isup_msus >= sent_isup, "every ISUP message crossed a line at least once");
    (image, isup_msus, management_msus)
}

#[test]
fn tshark_decodes_a_china_run_with_24_bit_point_codes() {
    let (a, b, far) = (PointCode::china(1, 2, 3), PointCode::china(4, 5, 6), PointCode::china(7, 8, 9));
    let (image, isup, management) = captured_run(PointCodeFormat::China24, a, b, far);
    let path = write_capture("china", &image);
    if let Some(report) = tshark_check(&path, "Chinese ITU") {
        assert_eq!(report.malformed, 0, "malformed packets in {}", path.display());
        assert_eq!(report.isup, isup, "{report:?}");
        assert_eq!(report.management, management, "{report:?}");
        // SLTM and SLTA each way on both links (twice on link 0), TRA both ways, CBD/CBA, COO/COA,
        // TFP and TFA at least.
        assert!(management >= 16, "{management} management messages");
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn tshark_decodes_an_itu_run_with_14_bit_point_codes() {
    let pc = |value| PointCode::new(PointCodeFormat::Itu14, value).expect("14-bit");
    let (image, isup, management) = captured_run(PointCodeFormat::Itu14, pc(0x0123), pc(0x0456), pc(0x0789));
    let path = write_capture("itu", &image);
    if let Some(report) = tshark_check(&path, "ITU") {
        assert_eq!(report.malformed, 0, "malformed packets in {}", path.display());
        assert_eq!((report.isup, report.management), (isup, management), "{report:?}");
    }
    let _ = std::fs::remove_file(&path);
}
