//! TUP engine tests on one signalling point fed hand-made messages: the exact octets (whole
//! SIF, label first) sent on every timer expiry and in each procedure.
//!
//! China variant unless stated: this side 1-1-2, the peer 1-1-1, so every message sent
//! starts with the label `01 01 01 | 02 01 01 | CIC low octet | CIC high nibble`. 60 circuits
//! on two E1s; this side controls the even CICs.

use super::*;
use crate::circuit::call::Alert;
use crate::circuit::state::Origin;
use crate::label::PointCodeFormat;

fn own() -> PointCode {
    PointCode::china(1, 1, 2)
}

fn peer() -> PointCode {
    PointCode::china(1, 1, 1)
}

fn config() -> TupConfig {
    TupConfig::new(own(), peer(), Variant::China, CicMap::e1(2, 0, true).unwrap())
}

fn tup() -> Tup {
    Tup::new(config())
}

fn at(secs: u64) -> Instant {
    Instant::from_secs(secs)
}

/// The SIF of a message this side sends on `cic`: label, then `rest`.
fn out(cic: u16, rest: &[u8]) -> Vec<u8> {
    [[0x01, 0x01, 0x01, 0x02, 0x01, 0x01, cic as u8, (cic >> 8) as u8].as_slice(), rest].concat()
}

/// A message from the peer on `cic`: heading and signals `rest`.
fn feed(tup: &mut Tup, now: Instant, cic: u16, rest: &[u8]) {
    let sif = [[0x02, 0x01, 0x01, 0x01, 0x01, 0x01, cic as u8, (cic >> 8) as u8].as_slice(), rest].concat();
    let sio = Sio { ni: NetworkIndicator::National, priority: 0, si: ServiceIndicator::Tup }.to_octet();
    let transfer = Transfer::parse(PointCodeFormat::China24, sio, &sif).unwrap();
    tup.handle_indication(now, &Indication::Transfer(transfer));
}

fn sent(tup: &mut Tup) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    while let Some(t) = tup.poll_transmit() {
        assert_eq!(t.si, ServiceIndicator::Tup);
        let mut sif = [0u8; MAX_SIF];
        let len = t.emit_sif(PointCodeFormat::China24, &mut sif).unwrap();
        all.push(sif[..len].to_vec());
    }
    all
}

fn events(tup: &mut Tup) -> Vec<Event> {
    let mut all = Vec::new();
    while let Some(e) = tup.poll_event() {
        all.push(e);
    }
    all
}

fn request(called: &str) -> OutgoingCall {
    let mut r = OutgoingCall::new(called).unwrap();
    r.calling = Some(Number::national("88880001").unwrap());
    r
}

const CLF: u8 = 0x46;
const RLG: u8 = 0x17;

#[test]
fn outgoing_iai_octets_and_the_clear_forward_timers() {
    let mut tup = tup();
    let call = tup.place_call(at(0), &request("1008")).unwrap();
    assert_eq!(tup.call_circuit(call), Some(2));
    // IAI: category 10; national, all No.7 path, 5 signals "1008" + ST; CLI "88880001".
    let iai = out(2, &[0x21, 0x0A, 0x02, 0x54, 0x01, 0x80, 0x0F, 0x10, 0x82, 0x88, 0x88, 0x00, 0x10]);
    assert_eq!(sent(&mut tup), vec![iai]);
    // ACM time-out (20 s): CLF; then CLF every 15 s; at one minute an alert.
    tup.handle_timeout(at(20));
    assert_eq!(sent(&mut tup), vec![out(2, &[CLF])]);
    tup.handle_timeout(at(35));
    assert_eq!(sent(&mut tup), vec![out(2, &[CLF])]);
    tup.handle_timeout(at(50));
    assert_eq!(sent(&mut tup), vec![out(2, &[CLF])]);
    assert!(events(&mut tup).is_empty());
    tup.handle_timeout(at(80));
    assert_eq!(sent(&mut tup), vec![out(2, &[CLF])], "the long timer acts alone at 80 s");
    assert_eq!(events(&mut tup), vec![Event::Alert { cic: 2, alert: Alert::ReleaseUnacknowledged }]);
    assert_eq!(tup.poll_timeout(), Some(at(140)));
    feed(&mut tup, at(81), 2, &[RLG]);
    assert_eq!(
        events(&mut tup),
        vec![Event::Released { call, cause: Cause::RecoveryOnTimerExpiry, remote: false }]
    );
    assert_eq!(tup.poll_timeout(), None);
}

#[test]
fn answer_time_out_and_clear_back() {
    let mut tup = tup();
    let call = tup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut tup);
    feed(&mut tup, at(1), 2, &[0x14, 0x25]);
    assert_eq!(events(&mut tup), vec![Event::Alerting { call, inband: false }]);
    tup.handle_timeout(at(91));
    assert_eq!(sent(&mut tup), vec![out(2, &[CLF])]);
    feed(&mut tup, at(92), 2, &[RLG]);
    assert_eq!(events(&mut tup), vec![Event::Released { call, cause: Cause::NoAnswer, remote: false }]);

    let call = tup.place_call(at(100), &request("1008")).unwrap();
    sent(&mut tup);
    feed(&mut tup, at(101), 2, &[0x14, 0x25]);
    feed(&mut tup, at(102), 2, &[0x16]);
    feed(&mut tup, at(200), 2, &[0x36]);
    assert_eq!(sent(&mut tup), vec![out(2, &[CLF])]);
    feed(&mut tup, at(200), 2, &[RLG]);
    assert_eq!(
        events(&mut tup),
        vec![
            Event::Alerting { call, inband: false },
            Event::Answered { call },
            Event::Released { call, cause: Cause::NormalClearing, remote: true },
        ]
    );
}

#[test]
fn unsuccessful_signals_clear_with_their_causes() {
    for (heading, cause) in [
        (0x65, Cause::UserBusy),
        (0x75, Cause::UnallocatedNumber),
        (0x15, Cause::SwitchingEquipmentCongestion),
        (0x25, Cause::NoCircuitAvailable),
        (0x45, Cause::InvalidNumberFormat),
        (0x55, Cause::TemporaryFailure),
        (0x85, Cause::DestinationOutOfOrder),
        (0x1E, Cause::UserBusy),
        (0x2E, Cause::UserBusy),
    ] {
        let mut tup = tup();
        let call = tup.place_call(at(0), &request("1008")).unwrap();
        sent(&mut tup);
        feed(&mut tup, at(1), 2, &[heading]);
        assert_eq!(sent(&mut tup), vec![out(2, &[CLF])], "{heading:#04x}");
        feed(&mut tup, at(1), 2, &[RLG]);
        assert_eq!(events(&mut tup), vec![Event::Released { call, cause, remote: true }], "{heading:#04x}");
    }
    // EUM "subscriber busy" from 1-1-1.
    let mut tup = tup();
    let call = tup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut tup);
    feed(&mut tup, at(1), 2, &[0xF5, 0x01, 0x01, 0x01, 0x01]);
    feed(&mut tup, at(1), 2, &[RLG]);
    assert!(events(&mut tup).contains(&Event::Released { call, cause: Cause::UserBusy, remote: true }));
}

#[test]
fn incoming_call_is_alerted_answered_and_cleared_back() {
    let mut tup = tup();
    // IAM on CIC 3: ordinary subscriber, national, 4 signals "1234".
    feed(&mut tup, at(0), 3, &[0x11, 0x0A, 0x02, 0x44, 0x21, 0x43]);
    let e = events(&mut tup);
    let [Event::Incoming(incoming)] = e.as_slice() else { panic!("{e:?}") };
    assert_eq!(
        (incoming.cic, incoming.called.digits.to_string(), incoming.complete),
        (3, "1234".to_string(), false)
    );
    let call = incoming.call;
    // SAO with ST completes the number.
    feed(&mut tup, at(0), 3, &[0x41, 0x0F]);
    assert_eq!(events(&mut tup), vec![Event::MoreDigits { call, digits: Digits::new(), complete: true }]);
    tup.alert(at(1), call, false).unwrap();
    assert_eq!(sent(&mut tup), vec![out(3, &[0x14, 0x25])]);
    tup.answer(at(2), call).unwrap();
    assert_eq!(sent(&mut tup), vec![out(3, &[0x16])]);
    tup.hangup(at(3), call, Cause::NormalClearing).unwrap();
    assert_eq!(sent(&mut tup), vec![out(3, &[0x36])]);
    feed(&mut tup, at(4), 3, &[CLF]);
    assert_eq!(sent(&mut tup), vec![out(3, &[RLG])]);
    assert_eq!(events(&mut tup), vec![Event::Released { call, cause: Cause::NormalClearing, remote: false }]);
    assert_eq!(tup.call_count(), 0);
}

#[test]
fn incoming_call_refused_with_the_matching_unsuccessful_signal() {
    for (cause, heading) in [
        (Cause::UserBusy, 0x65),
        (Cause::UnallocatedNumber, 0x75),
        (Cause::NoCircuitAvailable, 0x25),
        (Cause::InvalidNumberFormat, 0x45),
        (Cause::NormalClearing, 0x55),
    ] {
        let mut tup = tup();
        feed(&mut tup, at(0), 3, &[0x11, 0x0A, 0x02, 0x14, 0x01]);
        let Some(Event::Incoming(incoming)) = events(&mut tup).pop() else { panic!() };
        tup.hangup(at(1), incoming.call, cause).unwrap();
        assert_eq!(sent(&mut tup), vec![out(3, &[heading])], "{cause}");
        feed(&mut tup, at(2), 3, &[CLF]);
        assert_eq!(sent(&mut tup), vec![out(3, &[RLG])]);
        assert_eq!(events(&mut tup), vec![Event::Released { call: incoming.call, cause, remote: false }]);
    }
}

#[test]
fn calling_party_clear_is_reported() {
    let mut tup = tup();
    feed(&mut tup, at(0), 3, &[0x11, 0x0A, 0x02, 0x14, 0x01]);
    let Some(Event::Incoming(incoming)) = events(&mut tup).pop() else { panic!() };
    tup.answer(at(1), incoming.call).unwrap();
    assert_eq!(sent(&mut tup), vec![out(3, &[0x14, 0x25]), out(3, &[0x16])]);
    feed(&mut tup, at(2), 3, &[0x76]);
    assert_eq!(events(&mut tup), vec![Event::CallingPartyCleared { call: incoming.call }]);
}

#[test]
fn grq_asks_for_the_calling_line_and_gsm_answers() {
    let mut config = config();
    config.request_calling_number = true;
    let mut tup = Tup::new(config.clone());
    feed(&mut tup, at(0), 5, &[0x11, 0x0A, 0x02, 0x14, 0x01]);
    assert_eq!(sent(&mut tup), vec![out(5, &[0x13, 0x03])]);
    assert!(events(&mut tup).is_empty());
    feed(&mut tup, at(1), 5, &[0x12, 0x03, 0x0A, 0x82, 0x88, 0x88, 0x00, 0x10]);
    let e = events(&mut tup);
    let [Event::Incoming(incoming)] = e.as_slice() else { panic!("{e:?}") };
    assert_eq!(incoming.calling.map(|n| n.digits.to_string()), Some("88880001".to_string()));
    // Without GSM: after 20 s, CFL and an alert; the peer clears with CLF.
    let mut tup = Tup::new(config);
    feed(&mut tup, at(0), 5, &[0x11, 0x0A, 0x02, 0x14, 0x01]);
    sent(&mut tup);
    tup.handle_timeout(at(20));
    assert_eq!(sent(&mut tup), vec![out(5, &[0x55])]);
    assert_eq!(events(&mut tup), vec![Event::Alert { cic: 5, alert: Alert::InformationNotReceived }]);
    feed(&mut tup, at(21), 5, &[CLF]);
    assert_eq!(sent(&mut tup), vec![out(5, &[RLG])]);
    assert!(events(&mut tup).is_empty(), "never presented");
}

#[test]
fn grq_from_the_peer_gets_gsm() {
    let mut tup = tup();
    tup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut tup);
    feed(&mut tup, at(1), 2, &[0x13, 0x03]);
    assert_eq!(sent(&mut tup), vec![out(2, &[0x12, 0x03, 0x0A, 0x82, 0x88, 0x88, 0x00, 0x10])]);
}

#[test]
fn blocking_repeats_every_15_s_and_alerts_after_a_minute() {
    let mut tup = tup();
    tup.block(at(0), 9, 9, BlockKind::Maintenance).unwrap();
    assert_eq!(sent(&mut tup), vec![out(9, &[0x27])]);
    for t in [15, 30, 45] {
        tup.handle_timeout(at(t));
        assert_eq!(sent(&mut tup), vec![out(9, &[0x27])]);
    }
    tup.handle_timeout(at(60));
    assert_eq!(sent(&mut tup), vec![out(9, &[0x27])]);
    assert_eq!(events(&mut tup), vec![Event::Alert { cic: 9, alert: Alert::BlockingUnacknowledged }]);
    feed(&mut tup, at(61), 9, &[0x37]);
    assert_eq!(
        events(&mut tup),
        vec![Event::Blocked { cic: 9, origin: Origin::Local, kind: BlockKind::Maintenance }]
    );
    tup.unblock(at(62), 9, 9, BlockKind::Maintenance).unwrap();
    assert_eq!(sent(&mut tup), vec![out(9, &[0x47])]);
    feed(&mut tup, at(63), 9, &[0x57]);
    assert_eq!(
        events(&mut tup),
        vec![Event::Unblocked { cic: 9, origin: Origin::Local, kind: BlockKind::Maintenance }]
    );
    assert_eq!(tup.poll_timeout(), None);
}

#[test]
fn reset_and_group_reset_are_acknowledged() {
    let mut tup = tup();
    tup.reset(at(0), 7, 7).unwrap();
    assert_eq!(sent(&mut tup), vec![out(7, &[0x77])]);
    tup.handle_timeout(at(15));
    assert_eq!(sent(&mut tup), vec![out(7, &[0x77])]);
    feed(&mut tup, at(16), 7, &[RLG]);
    assert_eq!(events(&mut tup), vec![Event::Reset { cic: 7, remote: false }]);
    // Start-up: GRS for each run of 15 circuits.
    tup.start(at(20));
    assert_eq!(
        sent(&mut tup),
        vec![out(1, &[0x98, 0x0E]), out(17, &[0x98, 0x0E]), out(33, &[0x98, 0x0E]), out(49, &[0x98, 0x0E])]
    );
    feed(&mut tup, at(21), 1, &[0xA8, 0x0E, 0x00, 0x40]);
    let e = events(&mut tup);
    assert_eq!(e.iter().filter(|e| matches!(e, Event::Reset { remote: false, .. })).count(), 15);
    assert!(e.contains(&Event::Blocked { cic: 15, origin: Origin::Remote, kind: BlockKind::Maintenance }));
    tup.handle_timeout(at(80));
    assert_eq!(sent(&mut tup).len(), 3, "the three unacknowledged GRS are repeated");
    assert_eq!(events(&mut tup).len(), 3);
}

#[test]
fn peer_group_messages_are_acknowledged_per_circuit() {
    let mut tup = tup();
    let call = tup.place_call(at(0), &request("1008")).unwrap();
    feed(&mut tup, at(0), 2, &[0x06]);
    sent(&mut tup);
    events(&mut tup);
    // HGB for CICs 1–8, status 1, 2 and 8: the answered call on 2 is released.
    feed(&mut tup, at(1), 1, &[0x58, 0x07, 0x83]);
    assert_eq!(sent(&mut tup), vec![out(1, &[0x68, 0x07, 0x83])]);
    let e = events(&mut tup);
    assert!(e.contains(&Event::Released { call, cause: Cause::TemporaryFailure, remote: true }));
    assert_eq!(
        e.iter()
            .filter(|e| matches!(e, Event::Blocked { origin: Origin::Remote, kind: BlockKind::Hardware, .. }))
            .count(),
        3
    );
    feed(&mut tup, at(2), 1, &[0x78, 0x07, 0x83]);
    assert_eq!(sent(&mut tup), vec![out(1, &[0x88, 0x07, 0x83])]);
    // MGB / MGU and SGB / SGU (software generated, treated as maintenance).
    feed(&mut tup, at(3), 17, &[0x18, 0x01, 0x03]);
    assert_eq!(sent(&mut tup), vec![out(17, &[0x28, 0x01, 0x03])]);
    feed(&mut tup, at(3), 17, &[0xD8, 0x01, 0x03]);
    assert_eq!(sent(&mut tup), vec![out(17, &[0xE8, 0x01, 0x03])]);
    // GRS from the peer for 33–40 while 35 is blocked here.
    tup.block(at(4), 35, 35, BlockKind::Maintenance).unwrap();
    feed(&mut tup, at(4), 35, &[0x37]);
    sent(&mut tup);
    feed(&mut tup, at(5), 33, &[0x98, 0x07]);
    assert_eq!(sent(&mut tup), vec![out(33, &[0xA8, 0x07, 0x04])]);
    assert!(tup.circuits().iter().all(|c| c.activity == Activity::Idle));
}

#[test]
fn continuity_failure_repeats_the_call_and_rechecks() {
    let mut tup = tup();
    let call = tup.place_call(at(0), &OutgoingCall { continuity_check: true, ..request("1008") }).unwrap();
    let iai = sent(&mut tup);
    assert_eq!(iai[0][10], 0x12, "continuity check required, national, all No.7 path");
    tup.handle_timeout(at(2));
    let s = sent(&mut tup);
    assert_eq!(s[0], out(2, &[0x42]));
    assert_eq!(&s[1][8..9], &[0x21]);
    assert_eq!(s[1][6], 4);
    assert!(events(&mut tup).contains(&Event::Retried { call, from: 2, to: 4 }));
    tup.continuity_result(at(2), 4, true);
    assert_eq!(sent(&mut tup), vec![out(4, &[0x32])]);
    tup.handle_timeout(at(7));
    assert_eq!(sent(&mut tup), vec![out(2, &[0x67])]);
    tup.continuity_result(at(7), 2, true);
    assert_eq!(sent(&mut tup), vec![out(2, &[CLF])]);
    feed(&mut tup, at(8), 2, &[RLG]);
    assert_eq!(tup.circuit(2).map(|c| c.activity), Some(Activity::Idle));
}

#[test]
fn incoming_continuity_time_outs_reset_the_circuit() {
    let mut tup = tup();
    feed(&mut tup, at(0), 9, &[0x11, 0x0A, 0x12, 0x14, 0x01]);
    assert_eq!(events(&mut tup), vec![Event::Bearer { cic: 9, action: BearerAction::ConnectLoop }]);
    tup.handle_timeout(at(15));
    assert_eq!(sent(&mut tup), vec![out(9, &[0x77])]);
    assert_eq!(events(&mut tup), vec![Event::Bearer { cic: 9, action: BearerAction::Disconnect }]);
    // CCF, then no CCR for four minutes.
    let mut tup = self::tup();
    feed(&mut tup, at(0), 9, &[0x11, 0x0A, 0x12, 0x14, 0x01]);
    feed(&mut tup, at(1), 9, &[0x42]);
    assert!(events(&mut tup).contains(&Event::Continuity { cic: 9, passed: false }));
    tup.handle_timeout(at(241));
    assert_eq!(sent(&mut tup), vec![out(9, &[0x77])]);
}

#[test]
fn dual_seizure_and_long_numbers() {
    let mut tup = tup();
    let won = tup.place_call(at(0), &request("1008")).unwrap();
    let lost = tup.place_call(at(0), &OutgoingCall { cic: Some(3), ..request("1009") }).unwrap();
    sent(&mut tup);
    feed(&mut tup, at(0), 2, &[0x11, 0x0A, 0x02, 0x14, 0x01]);
    assert!(events(&mut tup).is_empty());
    feed(&mut tup, at(0), 3, &[0x11, 0x0A, 0x02, 0x14, 0x01]);
    let e = events(&mut tup);
    assert_eq!(e[0], Event::Retried { call: lost, from: 3, to: 4 });
    assert!(matches!(e[1], Event::Incoming(IncomingCall { cic: 3, .. })));
    assert_eq!(tup.call_circuit(won), Some(2));
    assert_eq!(tup.stats().dual_seizures, 2);
    sent(&mut tup);
    // 20 signals + ST: 15 in the IAM, 6 in a SAM.
    let mut long = OutgoingCall::new("12345678901234567890").unwrap();
    long.cic = Some(6);
    tup.place_call(at(1), &long).unwrap();
    let s = sent(&mut tup);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0][9..12], [0x0A, 0x02, 0xF4]);
    assert_eq!(s[1], out(6, &[0x31, 0x60, 0x76, 0x98, 0xF0]));
}

#[test]
fn unknown_cics_and_foreign_messages_are_ignored() {
    let mut tup = tup();
    feed(&mut tup, at(0), 16, &[0x11, 0x0A, 0x02, 0x14, 0x01]);
    assert!(sent(&mut tup).is_empty());
    assert_eq!(events(&mut tup), vec![Event::Alert { cic: 16, alert: Alert::UnequippedCircuit }]);
    feed(&mut tup, at(0), 3, &[0x11, 0x0A]);
    assert_eq!(tup.stats().malformed, 1);
    feed(&mut tup, at(0), 3, &[0x09]);
    assert_eq!(tup.stats().unexpected, 2);
}

#[test]
fn the_itu_variant_uses_the_40_bit_label() {
    let own = PointCode::itu(1, 1, 2).unwrap();
    let peer = PointCode::itu(1, 1, 1).unwrap();
    let mut tup = Tup::new(TupConfig::new(own, peer, Variant::Itu, CicMap::e1(2, 0, true).unwrap()));
    tup.place_call(at(0), &OutgoingCall::new("1008").unwrap()).unwrap();
    let t = tup.poll_transmit().unwrap();
    let mut sif = [0u8; MAX_SIF];
    let len = t.emit_sif(PointCodeFormat::Itu14, &mut sif).unwrap();
    // DPC 1-1-1 (0x0809), OPC 1-1-2 (0x080A), CIC 2: word 0x2202_8809, then CIC >> 4 = 0.
    assert_eq!(&sif[..len], &[0x09, 0x88, 0x02, 0x22, 0x00, 0x11, 0x0A, 0x02, 0x54, 0x01, 0x80, 0x0F]);
    assert_eq!(t.label.sls, 2);
}
