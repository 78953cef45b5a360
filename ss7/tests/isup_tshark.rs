//! Wireshark's reading of this stack's ISUP: a run between two signalling points that sends
//! nearly every message of the issue (call set-up and clearing, overlap, CPG, SUS/RES,
//! INR/INF, continuity check and recheck, blocking and group blocking, resets, group query,
//! UCIC, CFN) is written as an MTP2 capture and decoded by tshark, once with MTP3 set to
//! "Chinese ITU" (24-bit point codes, the China variant) and once as ITU. No frame may be
//! malformed, and every MSU must decode as ISUP. Skipped with a notice when tshark is not
//! installed.

#[path = "mtp_common/mod.rs"]
mod mtp_common;

use mtp_common::{tshark_check, write_capture};
use std::collections::BTreeSet;
use tdm_base::{Cause, Duration};
use tdm_ss7::circuit::pair::{End, Pair};
use tdm_ss7::circuit::{BlockKind, CicMap, Digits, Event, Number, OutgoingCall, UserPart};
use tdm_ss7::isup::{Isup, IsupConfig};
use tdm_ss7::label::{PointCode, PointCodeFormat, ServiceIndicator};
use tdm_ss7::mtp2::pcap::{self, Direction};
use tdm_ss7::mtp3::{Indication, Payload, Transfer};

fn pair(format: PointCodeFormat) -> Pair<Isup> {
    let (a, b) = match format {
        PointCodeFormat::China24 => (PointCode::china(1, 1, 2), PointCode::china(1, 1, 1)),
        PointCodeFormat::Itu14 => (PointCode::itu(1, 1, 2).unwrap(), PointCode::itu(1, 1, 1).unwrap()),
    };
    let circuits = CicMap::e1(2, 0, true).unwrap();
    let mut b_config = IsupConfig::new(b, a, format, circuits.clone());
    b_config.request_calling_number = true;
    let mut pair = Pair::new(Isup::new(IsupConfig::new(a, b, format, circuits)), Isup::new(b_config));
    pair.trace = Some(Vec::new());
    pair.start();
    pair
}

/// Hands B a message from A built by hand (CIC, type, rest): for the messages no command sends.
fn inject(pair: &mut Pair<Isup>, payload: &[u8]) {
    let Some(template) =
        pair.trace.as_ref().and_then(|t| t.iter().find(|t| t.from == End::A)).map(|t| t.transfer)
    else {
        return;
    };
    let transfer = Transfer {
        label: tdm_ss7::label::RoutingLabel { sls: payload[0] & 0x0F, ..template.label },
        payload: Payload::new(payload).unwrap(),
        ..template
    };
    if let Some(trace) = pair.trace.as_mut() {
        trace.push(tdm_ss7::circuit::pair::Traced { at: pair.now, from: End::A, transfer, lost: false });
    }
    let now = pair.now;
    pair.b.handle_indication(now, &Indication::Transfer(transfer));
    pair.drive();
}

fn answer(pair: &mut Pair<Isup>, end: End, alert: bool) {
    for event in pair.take_events(end) {
        if let Event::Incoming(incoming) = event {
            let now = pair.now;
            if alert {
                pair.side(end).alert(now, incoming.call, true).unwrap();
                pair.side(end).alert(now, incoming.call, true).unwrap();
            }
            pair.side(end).answer(now, incoming.call).unwrap();
        }
    }
    pair.drive();
}

/// Runs every procedure once; returns the message types seen.
fn exercise(pair: &mut Pair<Isup>) -> BTreeSet<u8> {
    let now = pair.now;
    let mut calling = OutgoingCall::new("1008").unwrap();
    calling.calling = Some(Number::national("88880001").unwrap());
    // A call with alerting and in-band progress, cleared by the caller.
    let call = pair.a.place_call(now, &calling).unwrap();
    pair.drive();
    answer(pair, End::B, true);
    let now = pair.now;
    pair.a.hangup(now, call, Cause::NormalClearing).unwrap();
    pair.drive();
    // Overlap sending, INR/INF (no calling number), CON, SUS/RES, cleared by the callee.
    let mut overlap = OutgoingCall::new("10").unwrap();
    overlap.complete = false;
    let call = pair.a.place_call(now, &overlap).unwrap();
    pair.a.send_digits(now, call, &Digits::parse("08").unwrap(), true).unwrap();
    pair.drive();
    let incoming = pair.take_events(End::B).into_iter().find_map(|e| match e {
        Event::Incoming(i) => Some(i),
        _ => None,
    });
    let incoming = incoming.expect("presented after INF");
    pair.b.answer(now, incoming.call).unwrap();
    pair.drive();
    pair.b.suspend(incoming.call).unwrap();
    pair.b.resume(incoming.call).unwrap();
    pair.b.hangup(now, incoming.call, Cause::NormalClearing).unwrap();
    pair.drive();
    // Continuity check that fails, then a passing recheck (COT, CCR).
    pair.broken.insert(2);
    let call = pair.a.place_call(now, &OutgoingCall { continuity_check: true, ..calling }).unwrap();
    pair.drive();
    pair.run_for(Duration::from_secs(3));
    pair.broken.remove(&2);
    pair.run_for(Duration::from_secs(6));
    answer(pair, End::B, false);
    let now = pair.now;
    let _ = pair.a.hangup(now, call, Cause::NormalClearing);
    pair.drive();
    // Blocking, group blocking, resets.
    let now = pair.now;
    pair.a.block(now, 5, 5, BlockKind::Maintenance).unwrap();
    pair.a.unblock(now, 5, 5, BlockKind::Maintenance).unwrap();
    pair.a.block(now, 33, 40, BlockKind::Hardware).unwrap();
    pair.a.unblock(now, 33, 40, BlockKind::Hardware).unwrap();
    pair.a.reset(now, 7, 7).unwrap();
    pair.a.reset(now, 17, 31).unwrap();
    pair.drive();
    // Messages no command sends: CQM (answered by CQR), an IAM on an unequipped CIC (UCIC),
    // an ANM with an unknown parameter on an idle circuit (CFN).
    inject(pair, &[0x01, 0x00, 0x2A, 0x01, 0x01, 0x07]);
    inject(pair, &[0x10, 0x00, 0x01, 0x00, 0x20, 0x00, 0x0A, 0x00, 0x02, 0x00, 0x03, 0x03, 0x10, 0x21]);
    inject(pair, &[0x03, 0x00, 0x09, 0x01, 0xFD, 0x01, 0x00, 0x00]);
    pair.run_for(Duration::from_secs(1));
    pair.trace.as_ref().unwrap().iter().map(|t| t.transfer.payload.as_slice()[2]).collect()
}

fn capture(pair: &Pair<Isup>, format: PointCodeFormat) -> Vec<u8> {
    let mut image = pcap::file_header(pcap::LINKTYPE_MTP2_WITH_PHDR).to_vec();
    for (i, traced) in pair.trace.as_ref().unwrap().iter().enumerate() {
        let t = &traced.transfer;
        assert_eq!(t.si, ServiceIndicator::Isup);
        let mut sif = [0u8; 272];
        let len = t.emit_sif(format, &mut sif).unwrap();
        let sequence = (i % 128) as u8;
        let mut su = vec![0xFF, 0x80 | sequence, (1 + len).min(63) as u8, t.sio().to_octet()];
        su.extend_from_slice(&sif[..len]);
        let direction = if traced.from == End::A { Direction::Sent } else { Direction::Received };
        pcap::append_record(&mut image, pcap::LINKTYPE_MTP2_WITH_PHDR, traced.at, direction, 0, &su);
    }
    image
}

#[test]
fn tshark_decodes_china_and_itu_isup_without_malformed_frames() {
    for (format, standard) in [(PointCodeFormat::China24, "Chinese ITU"), (PointCodeFormat::Itu14, "ITU")] {
        let mut pair = pair(format);
        let types = exercise(&mut pair);
        let expected = [
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0C, 0x0D, 0x0E, 0x10, 0x11, 0x12, 0x13, 0x14,
            0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x29, 0x2A, 0x2B, 0x2C, 0x2E, 0x2F,
        ];
        let missing: Vec<u8> = expected.iter().copied().filter(|t| !types.contains(t)).collect();
        assert!(missing.is_empty(), "message types not exercised: {missing:02X?}");
        let frames = pair.trace.as_ref().unwrap().len();
        let path = write_capture(
            &format!("isup-{}", if format == PointCodeFormat::China24 { "china" } else { "itu" }),
            &capture(&pair, format),
        );
        if let Some(report) = tshark_check(&path, standard) {
            eprintln!("{standard}: {report:?}");
            assert_eq!(report.frames, frames);
            assert_eq!(report.malformed, 0, "tshark found malformed frames in {}", path.display());
            assert_eq!(report.isup, frames, "every frame decodes as ISUP");
        }
        let _ = std::fs::remove_file(&path);
    }
}
