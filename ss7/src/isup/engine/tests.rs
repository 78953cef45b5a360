//! Engine tests on one signalling point fed hand-made messages: the exact octets sent on
//! every timer expiry, the compatibility procedure, dual seizure, maintenance messages.
//!
//! This side is 1-1-2 (China 24-bit point codes), the peer 1-1-1: this side has the higher
//! point code and controls the even CICs. 60 circuits on two E1s (CICs 1–15, 17–31, 33–47,
//! 49–63).

use super::*;
use crate::circuit::call::Alert;
use crate::circuit::state::Origin;
use tdm_base::Duration;

fn own() -> PointCode {
    PointCode::china(1, 1, 2)
}

fn peer() -> PointCode {
    PointCode::china(1, 1, 1)
}

fn config() -> IsupConfig {
    IsupConfig::new(own(), peer(), PointCodeFormat::China24, CicMap::e1(2, 0, true).unwrap())
}

fn isup() -> Isup {
    Isup::new(config())
}

fn at(secs: u64) -> Instant {
    Instant::from_secs(secs)
}

/// A message from the peer with `payload` (CIC onward).
fn feed(isup: &mut Isup, now: Instant, payload: &[u8]) {
    let transfer = Transfer {
        ni: NetworkIndicator::National,
        priority: 0,
        si: ServiceIndicator::Isup,
        label: RoutingLabel { dpc: own(), opc: peer(), sls: payload[0] & 0x0F },
        label_spare: 0,
        payload: Payload::new(payload).unwrap(),
    };
    isup.handle_indication(now, &Indication::Transfer(transfer));
}

/// The payloads sent since last asked, checking each one's label and service.
fn sent(isup: &mut Isup) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(t) = isup.poll_transmit() {
        assert_eq!((t.si, t.label.dpc, t.label.opc), (ServiceIndicator::Isup, peer(), own()));
        assert_eq!(
            u16::from(t.label.sls),
            u16::from_le_bytes([t.payload.as_slice()[0], t.payload.as_slice()[1]]) & 0x0F
        );
        out.push(t.payload.as_slice().to_vec());
    }
    out
}

fn events(isup: &mut Isup) -> Vec<Event> {
    let mut out = Vec::new();
    while let Some(e) = isup.poll_event() {
        out.push(e);
    }
    out
}

fn request(called: &str) -> OutgoingCall {
    let mut r = OutgoingCall::new(called).unwrap();
    r.calling = Some(Number::national("88880001").unwrap());
    r
}

/// REL with a cause from the local public network, no diagnostic.
fn rel(cic: u8, cause: u8) -> Vec<u8> {
    vec![cic, 0x00, 0x0C, 0x02, 0x00, 0x02, 0x82, 0x80 | cause]
}

/// Peer IAM on `cic`: national, ordinary subscriber, speech, called "1234" + ST, with the
/// nature of connection octet `nci` and the optional part `optional` (without its end).
fn peer_iam(cic: u8, nci: u8, optional: &[u8]) -> Vec<u8> {
    let mut m = vec![cic, 0x00, 0x01, nci, 0x20, 0x00, 0x0A, 0x00, 0x02];
    m.push(if optional.is_empty() { 0x00 } else { 0x07 });
    m.extend_from_slice(&[0x05, 0x83, 0x10, 0x21, 0x43, 0x0F]);
    if !optional.is_empty() {
        m.extend_from_slice(optional);
        m.push(0x00);
    }
    m
}

const CALLING_8888: [u8; 8] = [0x0A, 0x06, 0x03, 0x13, 0x88, 0x88, 0x00, 0x10];

#[test]
fn outgoing_iam_octets_and_t7_t1_expiry() {
    let mut isup = isup();
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    // CIC 2: the lowest even CIC, which this side controls.
    assert_eq!(isup.call_circuit(call), Some(2));
    let iam = [
        0x02, 0x00, 0x01, 0x00, 0x20, 0x00, 0x0A, 0x00, 0x02, 0x07, // header, fixed part, pointers
        0x05, 0x83, 0x10, 0x01, 0x80, 0x0F, // called "1008" + ST
        0x0A, 0x06, 0x03, 0x13, 0x88, 0x88, 0x00, 0x10, // calling "88880001", network provided
        0x00,
    ];
    assert_eq!(sent(&mut isup), vec![iam.to_vec()]);
    assert_eq!(isup.poll_timeout(), Some(at(20)));
    isup.handle_timeout(at(20) - Duration::from_micros(1));
    assert!(sent(&mut isup).is_empty());
    // T7 (20 s): REL with cause 102; T1 repeats it 15 s later.
    isup.handle_timeout(at(20));
    assert_eq!(sent(&mut isup), vec![rel(2, 102)]);
    assert_eq!(isup.circuit(2).map(|c| c.activity), Some(Activity::Releasing));
    isup.handle_timeout(at(35));
    assert_eq!(sent(&mut isup), vec![rel(2, 102)]);
    assert!(events(&mut isup).is_empty());
    feed(&mut isup, at(36), &[0x02, 0x00, 0x10, 0x00]);
    assert_eq!(
        events(&mut isup),
        vec![Event::Released { call, cause: Cause::RecoveryOnTimerExpiry, remote: false }]
    );
    assert_eq!(isup.circuit(2).map(|c| c.activity), Some(Activity::Idle));
    assert_eq!(isup.poll_timeout(), None);
    assert_eq!(isup.call_count(), 0);
}

#[test]
fn t5_resets_the_circuit_and_t17_alerts_again() {
    let mut isup = isup();
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    isup.hangup(at(0), call, Cause::NormalClearing).unwrap();
    assert_eq!(sent(&mut isup), vec![rel(2, 16)]);
    // T1 every 15 s until T5 at 300 s.
    let mut rels = 0;
    while let Some(deadline) = isup.poll_timeout().filter(|d| *d < at(300)) {
        isup.handle_timeout(deadline);
        for m in sent(&mut isup) {
            assert_eq!(m, rel(2, 16));
            rels += 1;
        }
    }
    assert_eq!(rels, 19);
    isup.handle_timeout(at(300));
    assert_eq!(sent(&mut isup), vec![vec![0x02, 0x00, 0x12]]);
    assert_eq!(
        events(&mut isup),
        vec![
            Event::Released { call, cause: Cause::NormalClearing, remote: false },
            Event::Alert { cic: 2, alert: Alert::ReleaseUnacknowledged },
        ]
    );
    // T17 (not T16) runs: the next RSC comes 5 minutes later, with another alert.
    assert_eq!(isup.poll_timeout(), Some(at(600)));
    isup.handle_timeout(at(600));
    assert_eq!(sent(&mut isup), vec![vec![0x02, 0x00, 0x12]]);
    assert_eq!(events(&mut isup), vec![Event::Alert { cic: 2, alert: Alert::ResetUnacknowledged }]);
    feed(&mut isup, at(601), &[0x02, 0x00, 0x10, 0x00]);
    assert_eq!(events(&mut isup), vec![Event::Reset { cic: 2, remote: false }]);
    assert_eq!(isup.poll_timeout(), None);
}

#[test]
fn blocking_timers_t12_t13_and_unblocking_t14_t15() {
    let mut isup = isup();
    isup.block(at(0), 5, 5, BlockKind::Maintenance).unwrap();
    assert_eq!(sent(&mut isup), vec![vec![0x05, 0x00, 0x13]]);
    isup.handle_timeout(at(15));
    assert_eq!(sent(&mut isup), vec![vec![0x05, 0x00, 0x13]]);
    isup.handle_timeout(at(300));
    assert_eq!(sent(&mut isup), vec![vec![0x05, 0x00, 0x13]], "T13 and the T12 due at 300 s send one BLO");
    assert_eq!(events(&mut isup), vec![Event::Alert { cic: 5, alert: Alert::BlockingUnacknowledged }]);
    assert_eq!(isup.poll_timeout(), Some(at(600)));
    feed(&mut isup, at(301), &[0x05, 0x00, 0x15]);
    assert_eq!(
        events(&mut isup),
        vec![Event::Blocked { cic: 5, origin: Origin::Local, kind: BlockKind::Maintenance }]
    );
    assert_eq!(isup.poll_timeout(), None);
    assert_eq!(
        isup.place_call(at(301), &OutgoingCall { cic: Some(5), ..request("1") }),
        Err(CallError::CircuitUnavailable(5))
    );
    isup.unblock(at(400), 5, 5, BlockKind::Maintenance).unwrap();
    assert_eq!(sent(&mut isup), vec![vec![0x05, 0x00, 0x14]]);
    isup.handle_timeout(at(415));
    assert_eq!(sent(&mut isup), vec![vec![0x05, 0x00, 0x14]]);
    isup.handle_timeout(at(700));
    assert_eq!(events(&mut isup), vec![Event::Alert { cic: 5, alert: Alert::UnblockingUnacknowledged }]);
    sent(&mut isup);
    feed(&mut isup, at(701), &[0x05, 0x00, 0x16]);
    assert_eq!(
        events(&mut isup),
        vec![Event::Unblocked { cic: 5, origin: Origin::Local, kind: BlockKind::Maintenance }]
    );
    assert_eq!(isup.poll_timeout(), None);
}

#[test]
fn reset_timers_t16_and_group_reset_t22_t23() {
    let mut isup = isup();
    isup.reset(at(0), 7, 7).unwrap();
    assert_eq!(sent(&mut isup), vec![vec![0x07, 0x00, 0x12]]);
    isup.handle_timeout(at(15));
    assert_eq!(sent(&mut isup), vec![vec![0x07, 0x00, 0x12]]);
    feed(&mut isup, at(16), &[0x07, 0x00, 0x10, 0x00]);
    assert_eq!(events(&mut isup), vec![Event::Reset { cic: 7, remote: false }]);

    // CICs 1–15 in one GRS (range 14), 17–20 in another (range 3).
    isup.reset(at(100), 1, 20).unwrap();
    let grs = vec![vec![0x01, 0x00, 0x17, 0x01, 0x01, 0x0E], vec![0x11, 0x00, 0x17, 0x01, 0x01, 0x03]];
    assert_eq!(sent(&mut isup), grs);
    assert_eq!(isup.circuit(9).map(|c| c.activity), Some(Activity::Resetting));
    isup.handle_timeout(at(115));
    assert_eq!(sent(&mut isup), grs);
    isup.handle_timeout(at(400));
    assert_eq!(sent(&mut isup).len(), 2);
    assert_eq!(
        events(&mut isup),
        vec![
            Event::Alert { cic: 1, alert: Alert::GroupResetUnacknowledged },
            Event::Alert { cic: 17, alert: Alert::GroupResetUnacknowledged },
        ]
    );
    // GRA for the first group: circuits 3 and 4 are maintenance blocked at the peer.
    feed(&mut isup, at(401), &[0x01, 0x00, 0x29, 0x01, 0x03, 0x0E, 0x0C, 0x00]);
    let e = events(&mut isup);
    assert_eq!(e.iter().filter(|e| matches!(e, Event::Reset { remote: false, .. })).count(), 15);
    assert!(e.contains(&Event::Blocked { cic: 3, origin: Origin::Remote, kind: BlockKind::Maintenance }));
    assert!(e.contains(&Event::Blocked { cic: 4, origin: Origin::Remote, kind: BlockKind::Maintenance }));
    assert_eq!(isup.circuit(4).map(|c| c.is_available()), Some(false));
    assert_eq!(isup.circuit(5).map(|c| c.is_available()), Some(true));
    assert_eq!(isup.circuit(17).map(|c| c.activity), Some(Activity::Resetting));
    // A GRA that matches nothing pending is ignored.
    feed(&mut isup, at(402), &[0x21, 0x00, 0x29, 0x01, 0x02, 0x00, 0x00]);
    assert!(events(&mut isup).is_empty());
}

#[test]
fn t8_releases_an_incoming_call_whose_continuity_never_arrives() {
    let mut isup = isup();
    feed(&mut isup, at(0), &peer_iam(9, 0x04, &[]));
    assert_eq!(events(&mut isup), vec![Event::Bearer { cic: 9, action: BearerAction::ConnectLoop }]);
    assert!(sent(&mut isup).is_empty());
    isup.handle_timeout(at(10));
    assert_eq!(sent(&mut isup), vec![rel(9, 102)]);
    assert_eq!(events(&mut isup), vec![Event::Bearer { cic: 9, action: BearerAction::Disconnect }]);
    feed(&mut isup, at(11), &[0x09, 0x00, 0x10, 0x00]);
    assert!(events(&mut isup).is_empty(), "the call was never presented");
    assert_eq!(isup.call_count(), 0);
}

#[test]
fn t9_releases_with_no_answer_and_t6_after_suspend() {
    let mut isup = isup();
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(1), &[0x02, 0x00, 0x06, 0x16, 0x14, 0x00]);
    assert_eq!(events(&mut isup), vec![Event::Alerting { call, inband: false }]);
    assert_eq!(isup.poll_timeout(), Some(at(91)));
    isup.handle_timeout(at(91));
    assert_eq!(sent(&mut isup), vec![rel(2, 19)]);

    let mut isup = self::isup();
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(1), &[0x02, 0x00, 0x07, 0x16, 0x14, 0x00]);
    assert_eq!(events(&mut isup), vec![Event::Answered { call }]);
    feed(&mut isup, at(100), &[0x02, 0x00, 0x0D, 0x01, 0x00]);
    assert_eq!(events(&mut isup), vec![Event::Suspended { call }]);
    isup.handle_timeout(at(130));
    assert_eq!(sent(&mut isup), vec![rel(2, 102)]);
}

#[test]
fn resume_stops_t6() {
    let mut isup = isup();
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(1), &[0x02, 0x00, 0x09, 0x00]);
    feed(&mut isup, at(2), &[0x02, 0x00, 0x0D, 0x01, 0x00]);
    feed(&mut isup, at(3), &[0x02, 0x00, 0x0E, 0x01, 0x00]);
    assert_eq!(
        events(&mut isup),
        vec![Event::Answered { call }, Event::Suspended { call }, Event::Resumed { call }]
    );
    assert_eq!(isup.poll_timeout(), None);
}

#[test]
fn t24_fails_the_check_t25_rechecks_and_a_passed_recheck_ends_with_rel() {
    let mut isup = isup();
    let request = OutgoingCall { continuity_check: true, ..request("1008") };
    let call = isup.place_call(at(0), &request).unwrap();
    let iam = sent(&mut isup);
    assert_eq!(iam[0][3], 0x04, "continuity check required on this circuit");
    assert_eq!(events(&mut isup), vec![Event::Bearer { cic: 2, action: BearerAction::ConnectTransceiver }]);
    // No tone back: T24 (2 s) fails the check; the call moves to CIC 4.
    isup.handle_timeout(at(2));
    let out = sent(&mut isup);
    assert_eq!(out[0], vec![0x02, 0x00, 0x05, 0x00]);
    assert_eq!(&out[1][..4], &[0x04, 0x00, 0x01, 0x04]);
    assert_eq!(out.len(), 2);
    assert_eq!(
        events(&mut isup),
        vec![
            Event::Bearer { cic: 2, action: BearerAction::Disconnect },
            Event::Continuity { cic: 2, passed: false },
            Event::Bearer { cic: 4, action: BearerAction::ConnectTransceiver },
            Event::Retried { call, from: 2, to: 4 },
        ]
    );
    isup.continuity_result(at(3), 4, true);
    assert_eq!(sent(&mut isup), vec![vec![0x04, 0x00, 0x05, 0x01]]);
    assert_eq!(isup.circuit(2).map(|c| c.activity), Some(Activity::ContinuityCheck));
    // T25 (5 s after the failure): CCR and a new check on CIC 2.
    isup.handle_timeout(at(7));
    assert_eq!(sent(&mut isup), vec![vec![0x02, 0x00, 0x11]]);
    events(&mut isup);
    isup.continuity_result(at(7), 2, true);
    assert_eq!(sent(&mut isup), vec![rel(2, 31)]);
    feed(&mut isup, at(8), &[0x02, 0x00, 0x10, 0x00]);
    assert_eq!(isup.circuit(2).map(|c| c.activity), Some(Activity::Idle));
}

#[test]
fn a_failed_recheck_waits_t26_and_alerts() {
    let mut isup = isup();
    let request = OutgoingCall { continuity_check: true, cic: Some(6), ..request("1008") };
    isup.place_call(at(0), &request).unwrap();
    isup.continuity_result(at(0), 6, false);
    // The call moved to CIC 2, whose check passes.
    isup.continuity_result(at(0), 2, true);
    sent(&mut isup);
    isup.handle_timeout(at(5));
    assert_eq!(sent(&mut isup)[0], vec![0x06, 0x00, 0x11]);
    isup.handle_timeout(at(7));
    assert_eq!(sent(&mut isup), vec![vec![0x06, 0x00, 0x05, 0x00]]);
    assert!(events(&mut isup).contains(&Event::Alert { cic: 6, alert: Alert::ContinuityRecheckFailed }));
    // T26: two minutes later, CCR again (the moved call's messages on CIC 2 aside).
    let on_6 = |isup: &mut Isup| sent(isup).into_iter().filter(|m| m[0] == 6).collect::<Vec<_>>();
    isup.handle_timeout(at(126));
    assert!(on_6(&mut isup).is_empty());
    isup.handle_timeout(at(127));
    assert_eq!(on_6(&mut isup), vec![vec![0x06, 0x00, 0x11]]);
}

#[test]
fn t27_resets_a_circuit_whose_recheck_never_comes() {
    let mut isup = isup();
    feed(&mut isup, at(0), &peer_iam(9, 0x04, &[]));
    feed(&mut isup, at(1), &[0x09, 0x00, 0x05, 0x00]);
    assert_eq!(
        events(&mut isup),
        vec![
            Event::Bearer { cic: 9, action: BearerAction::ConnectLoop },
            Event::Bearer { cic: 9, action: BearerAction::Disconnect },
            Event::Continuity { cic: 9, passed: false },
        ]
    );
    assert_eq!(isup.poll_timeout(), Some(at(241)));
    isup.handle_timeout(at(241));
    assert_eq!(sent(&mut isup), vec![vec![0x09, 0x00, 0x12]]);
    // A CCR before T27 loops the circuit instead; REL then ends the recheck.
    let mut isup = self::isup();
    feed(&mut isup, at(0), &peer_iam(9, 0x04, &[]));
    feed(&mut isup, at(1), &[0x09, 0x00, 0x05, 0x00]);
    events(&mut isup);
    feed(&mut isup, at(10), &[0x09, 0x00, 0x11]);
    assert_eq!(events(&mut isup), vec![Event::Bearer { cic: 9, action: BearerAction::ConnectLoop }]);
    feed(&mut isup, at(11), &rel(9, 31));
    assert_eq!(sent(&mut isup), vec![vec![0x09, 0x00, 0x10, 0x00]]);
    assert_eq!(
        events(&mut isup),
        vec![
            Event::Bearer { cic: 9, action: BearerAction::Disconnect },
            Event::Continuity { cic: 9, passed: true }
        ]
    );
    assert_eq!(isup.poll_timeout(), None);
}

#[test]
fn t33_releases_when_inf_does_not_come_and_inf_presents_the_call() {
    let mut config = config();
    config.request_calling_number = true;
    let mut isup = Isup::new(config.clone());
    feed(&mut isup, at(0), &peer_iam(9, 0x00, &[]));
    assert_eq!(sent(&mut isup), vec![vec![0x09, 0x00, 0x03, 0x09, 0x00, 0x00]]);
    assert!(events(&mut isup).is_empty());
    isup.handle_timeout(at(12));
    assert_eq!(sent(&mut isup), vec![rel(9, 102)]);
    assert_eq!(events(&mut isup), vec![Event::Alert { cic: 9, alert: Alert::InformationNotReceived }]);

    let mut isup = Isup::new(config);
    feed(&mut isup, at(0), &peer_iam(9, 0x00, &[]));
    sent(&mut isup);
    let inf =
        [[0x09, 0x00, 0x04, 0x23, 0x00, 0x01].as_slice(), &CALLING_8888, &[0x09, 0x01, 0x0A, 0x00]].concat();
    feed(&mut isup, at(1), &inf);
    let e = events(&mut isup);
    let [Event::Incoming(incoming)] = e.as_slice() else { panic!("{e:?}") };
    assert_eq!(incoming.calling.map(|n| n.digits.to_string()), Some("88880001".to_string()));
    assert_eq!(incoming.called.digits.to_string(), "1234");
    assert!(incoming.complete);
    assert_eq!(isup.poll_timeout(), None);
}

#[test]
fn inr_from_the_peer_is_answered_with_inf() {
    let mut isup = isup();
    isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(1), &[0x02, 0x00, 0x03, 0x09, 0x00, 0x00]);
    let inf =
        [[0x02, 0x00, 0x04, 0x23, 0x00, 0x01].as_slice(), &CALLING_8888, &[0x09, 0x01, 0x0A, 0x00]].concat();
    assert_eq!(sent(&mut isup), vec![inf]);
}

#[test]
fn unrecognized_parameter_without_instructions_is_dropped_with_cfn_99() {
    let mut isup = isup();
    feed(&mut isup, at(0), &peer_iam(9, 0x00, &[0xFD, 0x01, 0x55]));
    assert_eq!(sent(&mut isup), vec![vec![0x09, 0x00, 0x2F, 0x02, 0x00, 0x03, 0x82, 0xE3, 0xFD]]);
    assert!(matches!(events(&mut isup).as_slice(), [Event::Incoming(_)]));
}

#[test]
fn parameter_compatibility_instructions_are_obeyed() {
    // Release call: REL with cause 99 naming the parameter; no call presented.
    let mut isup = isup();
    feed(&mut isup, at(0), &peer_iam(9, 0x00, &[0xFD, 0x01, 0x55, 0x39, 0x02, 0xFD, 0x82]));
    assert_eq!(sent(&mut isup), vec![vec![0x09, 0x00, 0x0C, 0x02, 0x00, 0x03, 0x82, 0xE3, 0xFD]]);
    assert!(events(&mut isup).is_empty());
    assert_eq!(isup.circuit(9).map(|c| c.activity), Some(Activity::Releasing));
    // Discard message with notification: CFN with cause 110; the circuit stays idle.
    let mut isup = self::isup();
    feed(&mut isup, at(0), &peer_iam(9, 0x00, &[0xFD, 0x01, 0x55, 0x39, 0x02, 0xFD, 0x8C]));
    assert_eq!(sent(&mut isup), vec![vec![0x09, 0x00, 0x2F, 0x02, 0x00, 0x03, 0x82, 0xEE, 0xFD]]);
    assert!(events(&mut isup).is_empty());
    assert_eq!(isup.circuit(9).map(|c| c.activity), Some(Activity::Idle));
    // Discard parameter silently: the call proceeds and nothing is sent.
    let mut isup = self::isup();
    feed(&mut isup, at(0), &peer_iam(9, 0x00, &[0xFD, 0x01, 0x55, 0x39, 0x02, 0xFD, 0x90]));
    assert!(sent(&mut isup).is_empty());
    assert!(matches!(events(&mut isup).as_slice(), [Event::Incoming(_)]));
}

#[test]
fn unrecognized_parameters_in_rel_and_rlc() {
    let mut isup = isup();
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    // REL with an unknown parameter: RLC carries cause 99 instead of a CFN.
    feed(&mut isup, at(1), &[0x02, 0x00, 0x0C, 0x02, 0x04, 0x02, 0x80, 0x90, 0xFD, 0x01, 0x00, 0x00]);
    assert_eq!(sent(&mut isup), vec![vec![0x02, 0x00, 0x10, 0x01, 0x12, 0x03, 0x82, 0xE3, 0xFD, 0x00]]);
    assert_eq!(events(&mut isup), vec![Event::Released { call, cause: Cause::NormalClearing, remote: true }]);
    // RLC with an unknown parameter: no notification.
    let call = isup.place_call(at(2), &request("1008")).unwrap();
    isup.hangup(at(2), call, Cause::NormalClearing).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(3), &[0x02, 0x00, 0x10, 0x01, 0xFD, 0x01, 0x00, 0x00]);
    assert!(sent(&mut isup).is_empty());
    assert_eq!(
        events(&mut isup),
        vec![Event::Released { call, cause: Cause::NormalClearing, remote: false }]
    );
}

#[test]
fn unrecognized_messages_follow_message_compatibility_information() {
    let mut isup = isup();
    // No instructions: CFN with cause 97 naming the message type.
    feed(&mut isup, at(0), &[0x09, 0x00, 0x41, 0x00]);
    assert_eq!(sent(&mut isup), vec![vec![0x09, 0x00, 0x2F, 0x02, 0x00, 0x03, 0x82, 0xE1, 0x41]]);
    // Discard silently.
    feed(&mut isup, at(0), &[0x09, 0x00, 0x41, 0x01, 0x38, 0x01, 0x88, 0x00]);
    assert!(sent(&mut isup).is_empty());
    // Release call, on a circuit with a call.
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(1), &[0x02, 0x00, 0x41, 0x01, 0x38, 0x01, 0x82, 0x00]);
    assert_eq!(sent(&mut isup), vec![vec![0x02, 0x00, 0x0C, 0x02, 0x00, 0x03, 0x82, 0xE1, 0x41]]);
    feed(&mut isup, at(2), &[0x02, 0x00, 0x10, 0x00]);
    assert_eq!(
        events(&mut isup),
        vec![Event::Released { call, cause: Cause::MessageTypeNonExistent, remote: false }]
    );
}

#[test]
fn dual_seizure_is_won_on_even_cics_and_lost_on_odd_ones() {
    let mut isup = isup();
    let ours = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    // The peer seizes CIC 2 too: this side controls it and ignores the IAM.
    feed(&mut isup, at(0), &peer_iam(2, 0x00, &[]));
    assert!(events(&mut isup).is_empty());
    assert!(sent(&mut isup).is_empty());
    assert_eq!(isup.call_circuit(ours), Some(2));
    // CIC 3 is the peer's: this side backs off to CIC 4 and takes the incoming call.
    let lost = isup.place_call(at(0), &OutgoingCall { cic: Some(3), ..request("1009") }).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(0), &peer_iam(3, 0x00, &[]));
    let e = events(&mut isup);
    assert_eq!(e[0], Event::Retried { call: lost, from: 3, to: 4 });
    assert!(matches!(e[1], Event::Incoming(IncomingCall { cic: 3, .. })), "{e:?}");
    let out = sent(&mut isup);
    assert_eq!(out.len(), 1);
    assert_eq!(&out[0][..3], &[0x04, 0x00, 0x01]);
    assert_eq!(isup.stats().dual_seizures, 2);
}

#[test]
fn unequipped_cics_are_answered_with_ucic_and_ucic_moves_a_call() {
    let mut isup = isup();
    feed(&mut isup, at(0), &peer_iam(16, 0x00, &[]));
    assert_eq!(sent(&mut isup), vec![vec![0x10, 0x00, 0x2E]]);
    assert_eq!(events(&mut isup), vec![Event::Alert { cic: 16, alert: Alert::UnequippedCircuit }]);
    feed(&mut isup, at(0), &[0x10, 0x00, 0x2E]);
    assert!(sent(&mut isup).is_empty(), "UCIC is never answered with UCIC");
    assert_eq!(events(&mut isup), vec![Event::Alert { cic: 16, alert: Alert::UnequippedCircuit }]);
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(1), &[0x02, 0x00, 0x2E]);
    assert_eq!(
        events(&mut isup),
        vec![Event::Unequipped { cic: 2 }, Event::Retried { call, from: 2, to: 4 }]
    );
    assert_eq!(isup.circuit(2).map(|c| (c.remote_unequipped, c.is_available())), Some((true, false)));
}

#[test]
fn peer_blocking_and_implicit_unblocking_by_iam() {
    let mut isup = isup();
    feed(&mut isup, at(0), &[0x0A, 0x00, 0x13]);
    assert_eq!(sent(&mut isup), vec![vec![0x0A, 0x00, 0x15]]);
    assert_eq!(
        events(&mut isup),
        vec![Event::Blocked { cic: 10, origin: Origin::Remote, kind: BlockKind::Maintenance }]
    );
    assert_eq!(
        isup.place_call(at(0), &OutgoingCall { cic: Some(10), ..request("1") }),
        Err(CallError::CircuitUnavailable(10))
    );
    feed(&mut isup, at(1), &peer_iam(10, 0x00, &[]));
    let e = events(&mut isup);
    assert_eq!(e[0], Event::Unblocked { cic: 10, origin: Origin::Remote, kind: BlockKind::Maintenance });
    assert!(matches!(e[1], Event::Incoming(IncomingCall { cic: 10, .. })));
    // BLO on a circuit whose IAM got no backward message yet: REL and a repeat attempt.
    let call = isup.place_call(at(2), &request("1008")).unwrap();
    sent(&mut isup);
    feed(&mut isup, at(2), &[0x02, 0x00, 0x13]);
    let out = sent(&mut isup);
    assert_eq!(out[0], vec![0x02, 0x00, 0x15]);
    assert_eq!(out[1], rel(2, 41));
    assert_eq!(&out[2][..3], &[0x04, 0x00, 0x01]);
    assert!(events(&mut isup).contains(&Event::Retried { call, from: 2, to: 4 }));
}

#[test]
fn iam_on_a_locally_blocked_circuit_is_refused_and_blocking_repeated() {
    let mut isup = isup();
    isup.block(at(0), 11, 11, BlockKind::Maintenance).unwrap();
    feed(&mut isup, at(0), &[0x0B, 0x00, 0x15]);
    sent(&mut isup);
    events(&mut isup);
    feed(&mut isup, at(1), &peer_iam(11, 0x00, &[]));
    assert_eq!(sent(&mut isup), vec![rel(11, 41), vec![0x0B, 0x00, 0x13]]);
    assert!(events(&mut isup).is_empty());
}

#[test]
fn group_reset_from_the_peer_releases_calls_and_reports_local_blocking() {
    let mut isup = isup();
    isup.block(at(0), 3, 3, BlockKind::Maintenance).unwrap();
    feed(&mut isup, at(0), &[0x03, 0x00, 0x15]);
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    feed(&mut isup, at(1), &[0x02, 0x00, 0x09, 0x00]);
    sent(&mut isup);
    events(&mut isup);
    // GRS for CICs 1–8 (range 7).
    feed(&mut isup, at(2), &[0x01, 0x00, 0x17, 0x01, 0x01, 0x07]);
    assert_eq!(sent(&mut isup), vec![vec![0x01, 0x00, 0x29, 0x01, 0x02, 0x07, 0x04]]);
    let e = events(&mut isup);
    assert!(e.contains(&Event::Released { call, cause: Cause::TemporaryFailure, remote: true }));
    assert_eq!(e.iter().filter(|e| matches!(e, Event::Reset { remote: true, .. })).count(), 8);
    assert_eq!(isup.call_count(), 0);
    // Ranges 0 and 32 are not valid in GRS.
    feed(&mut isup, at(3), &[0x01, 0x00, 0x17, 0x01, 0x01, 0x00]);
    feed(&mut isup, at(3), &[0x01, 0x00, 0x17, 0x01, 0x01, 0x20]);
    assert!(sent(&mut isup).is_empty());
}

#[test]
fn hardware_group_blocking_from_the_peer_clears_calls() {
    let mut isup = isup();
    let call = isup.place_call(at(0), &request("1008")).unwrap();
    sent(&mut isup);
    // CGB hardware for CICs 1–8, status bits for 1, 2 and 8 (and CIC 16 not ours is outside).
    feed(&mut isup, at(1), &[0x01, 0x00, 0x18, 0x01, 0x01, 0x02, 0x07, 0x83]);
    assert_eq!(sent(&mut isup), vec![vec![0x01, 0x00, 0x1A, 0x01, 0x01, 0x02, 0x07, 0x83]]);
    let e = events(&mut isup);
    assert!(e.contains(&Event::Released { call, cause: Cause::TemporaryFailure, remote: true }));
    assert!(e.contains(&Event::Blocked { cic: 8, origin: Origin::Remote, kind: BlockKind::Hardware }));
    assert_eq!(
        isup.circuit(2).map(|c| (c.activity, c.blocking.contains(Origin::Remote, BlockKind::Hardware))),
        Some((Activity::Idle, true))
    );
    // CGU hardware for 1 and 2 only.
    feed(&mut isup, at(2), &[0x01, 0x00, 0x19, 0x01, 0x01, 0x02, 0x07, 0x03]);
    assert_eq!(sent(&mut isup), vec![vec![0x01, 0x00, 0x1B, 0x01, 0x01, 0x02, 0x07, 0x03]]);
    assert_eq!(isup.circuit(8).map(|c| c.is_available()), Some(false));
    assert_eq!(isup.circuit(2).map(|c| c.is_available()), Some(true));
}

#[test]
fn circuit_group_query_reports_each_state() {
    let mut isup = isup();
    isup.place_call(at(0), &request("1008")).unwrap();
    feed(&mut isup, at(0), &[0x01, 0x00, 0x13]);
    sent(&mut isup);
    // CQM for CICs 14–17: 16 is not equipped.
    feed(&mut isup, at(1), &[0x0E, 0x00, 0x2A, 0x01, 0x01, 0x03]);
    assert_eq!(
        sent(&mut isup),
        vec![vec![0x0E, 0x00, 0x2B, 0x02, 0x03, 0x01, 0x03, 0x04, 0x0C, 0x0C, 0x03, 0x0C]]
    );
    feed(&mut isup, at(1), &[0x01, 0x00, 0x2A, 0x01, 0x01, 0x01]);
    assert_eq!(sent(&mut isup), vec![vec![0x01, 0x00, 0x2B, 0x02, 0x03, 0x01, 0x01, 0x02, 0x0E, 0x08]]);
}

#[test]
fn messages_from_others_and_malformed_ones_are_counted_and_ignored() {
    let mut isup = isup();
    let mut transfer = Transfer {
        ni: NetworkIndicator::National,
        priority: 0,
        si: ServiceIndicator::Tup,
        label: RoutingLabel { dpc: own(), opc: peer(), sls: 1 },
        label_spare: 0,
        payload: Payload::new(&[0x01, 0x00, 0x13]).unwrap(),
    };
    isup.handle_indication(at(0), &Indication::Transfer(transfer));
    transfer.si = ServiceIndicator::Isup;
    transfer.label.opc = PointCode::china(9, 9, 9);
    isup.handle_indication(at(0), &Indication::Transfer(transfer));
    feed(&mut isup, at(0), &[0x01, 0x00]);
    feed(&mut isup, at(0), &[0x01, 0x00, 0x01, 0x00]);
    assert!(sent(&mut isup).is_empty());
    assert_eq!((isup.stats().foreign, isup.stats().malformed, isup.stats().received), (2, 2, 0));
    // MTP-PAUSE refuses new calls until MTP-RESUME.
    isup.handle_indication(at(0), &Indication::Pause(peer()));
    assert_eq!(isup.place_call(at(0), &request("1")), Err(CallError::Inaccessible));
    isup.handle_indication(at(0), &Indication::Resume(peer()));
    assert!(isup.place_call(at(0), &request("1")).is_ok());
}

#[test]
fn group_blocking_timers_t18_t19_and_unblocking_t20_t21() {
    let mut isup = isup();
    isup.block(at(0), 33, 40, BlockKind::Hardware).unwrap();
    let cgb = vec![0x21, 0x00, 0x18, 0x01, 0x01, 0x02, 0x07, 0xFF];
    assert_eq!(sent(&mut isup), vec![cgb.clone()]);
    isup.handle_timeout(at(15));
    assert_eq!(sent(&mut isup), vec![cgb.clone()]);
    isup.handle_timeout(at(300));
    assert_eq!(sent(&mut isup), vec![cgb.clone()], "T19 and the T18 due at 300 s send one CGB");
    assert_eq!(events(&mut isup), vec![Event::Alert { cic: 33, alert: Alert::GroupBlockingUnacknowledged }]);
    feed(&mut isup, at(301), &[0x21, 0x00, 0x1A, 0x01, 0x01, 0x02, 0x07, 0xFF]);
    let e = events(&mut isup);
    assert_eq!(e.len(), 8);
    assert!(
        e.iter()
            .all(|e| matches!(e, Event::Blocked { origin: Origin::Local, kind: BlockKind::Hardware, .. }))
    );
    assert_eq!(isup.poll_timeout(), None);
    isup.unblock(at(400), 33, 40, BlockKind::Hardware).unwrap();
    let cgu = vec![0x21, 0x00, 0x19, 0x01, 0x01, 0x02, 0x07, 0xFF];
    assert_eq!(sent(&mut isup), vec![cgu.clone()]);
    isup.handle_timeout(at(415));
    assert_eq!(sent(&mut isup), vec![cgu.clone()]);
    isup.handle_timeout(at(700));
    assert_eq!(sent(&mut isup), vec![cgu]);
    assert_eq!(
        events(&mut isup),
        vec![Event::Alert { cic: 33, alert: Alert::GroupUnblockingUnacknowledged }]
    );
    // An acknowledgement of only some of the circuits confirms only those.
    feed(&mut isup, at(701), &[0x21, 0x00, 0x1B, 0x01, 0x01, 0x02, 0x07, 0x0F]);
    assert_eq!(events(&mut isup).len(), 4);
    assert_eq!(isup.poll_timeout(), None);
}
