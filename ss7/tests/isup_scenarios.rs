//! ISUP scenarios between two signalling points joined at the MTP3 user level: 60 circuits on
//! two E1s (timeslot 16 of each carries signalling), calls both ways, clearing from either
//! side, dual seizure, group blocking and reset, continuity checks that pass and fail. Every
//! scenario ends with every circuit idle and unblocked at both ends.
//!
//! Side A is 1-1-2 and side B 1-1-1 (China 24-bit point codes unless a test says ITU): A
//! controls the even CICs, B the odd ones.

use tdm_base::{Cause, Duration};
use tdm_ss7::circuit::pair::{End, Pair};
use tdm_ss7::circuit::{
    Activity, BlockKind, CallError, CallId, CicMap, Event, Number, Origin, OutgoingCall, UserPart,
};
use tdm_ss7::isup::{Isup, IsupConfig};
use tdm_ss7::label::{PointCode, PointCodeFormat};
use tdm_ss7::mtp3::Transfer;

fn pair_in(format: PointCodeFormat) -> Pair<Isup> {
    let (a, b) = match format {
        PointCodeFormat::China24 => (PointCode::china(1, 1, 2), PointCode::china(1, 1, 1)),
        PointCodeFormat::Itu14 => (PointCode::itu(1, 1, 2).unwrap(), PointCode::itu(1, 1, 1).unwrap()),
    };
    let circuits = CicMap::e1(2, 0, true).unwrap();
    let mut pair = Pair::new(
        Isup::new(IsupConfig::new(a, b, format, circuits.clone())),
        Isup::new(IsupConfig::new(b, a, format, circuits)),
    );
    pair.start();
    pair
}

fn pair() -> Pair<Isup> {
    pair_in(PointCodeFormat::China24)
}

fn call_to(number: &str) -> OutgoingCall {
    let mut call = OutgoingCall::new(number).unwrap();
    call.calling = Some(Number::national("88880001").unwrap());
    call
}

/// Answers every incoming call `end` reported (alerting first), returns them; the other
/// events stay for the test to take.
fn answer_all(pair: &mut Pair<Isup>, end: End) -> Vec<(CallId, u16)> {
    let mut answered = Vec::new();
    let mut kept = Vec::new();
    for event in pair.take_events(end) {
        if let Event::Incoming(incoming) = event {
            let now = pair.now;
            pair.side(end).alert(now, incoming.call, false).unwrap();
            pair.side(end).answer(now, incoming.call).unwrap();
            answered.push((incoming.call, incoming.cic));
        } else {
            kept.push(event);
        }
    }
    pair.drive();
    let later = pair.take_events(end);
    kept.extend(later);
    match end {
        End::A => pair.a_events = kept,
        End::B => pair.b_events = kept,
    }
    answered
}

fn count(events: &[Event], matches: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| matches(e)).count()
}

fn assert_all_idle(pair: &mut Pair<Isup>) {
    for (name, side) in [("A", &pair.a), ("B", &pair.b)] {
        for c in side.circuits() {
            assert_eq!(c.activity, Activity::Idle, "{name}: CIC {} busy", c.cic);
            assert!(!c.blocking.is_blocked(), "{name}: CIC {} blocked: {:?}", c.cic, c.blocking);
        }
        assert_eq!(side.call_count(), 0, "{name} holds calls");
    }
    assert_eq!(pair.next_deadline(), None, "a timer still runs");
}

#[test]
fn start_up_resets_every_circuit_with_four_group_resets_each_way() {
    let circuits = CicMap::e1(2, 0, true).unwrap();
    let (a, b) = (PointCode::china(1, 1, 2), PointCode::china(1, 1, 1));
    let mut pair = Pair::new(
        Isup::new(IsupConfig::new(a, b, PointCodeFormat::China24, circuits.clone())),
        Isup::new(IsupConfig::new(b, a, PointCodeFormat::China24, circuits)),
    );
    pair.trace = Some(Vec::new());
    pair.start();
    // GRS for 1–15, 17–31, 33–47 and 49–63 from each side, each answered by GRA.
    let trace = pair.trace.take().unwrap();
    for end in [End::A, End::B] {
        let grs: Vec<&[u8]> = trace
            .iter()
            .filter(|t| t.from == end && t.transfer.payload.as_slice()[2] == 0x17)
            .map(|t| t.transfer.payload.as_slice())
            .collect();
        assert_eq!(
            grs,
            vec![
                &[0x01, 0x00, 0x17, 0x01, 0x01, 0x0E][..],
                &[0x11, 0x00, 0x17, 0x01, 0x01, 0x0E],
                &[0x21, 0x00, 0x17, 0x01, 0x01, 0x0E],
                &[0x31, 0x00, 0x17, 0x01, 0x01, 0x0E],
            ]
        );
        let gra = trace.iter().filter(|t| t.from == end && t.transfer.payload.as_slice()[2] == 0x29).count();
        assert_eq!(gra, 4);
    }
    // Both sides reset at once: each learns its own reset completed on every circuit.
    for end in [End::A, End::B] {
        let events = pair.take_events(end);
        assert_eq!(count(&events, |e| matches!(e, Event::Reset { remote: false, .. })), 60);
    }
    assert_all_idle(&mut pair);
    // A later restart of B alone resets A's side of every circuit.
    let now = pair.now;
    pair.b.start(now);
    pair.drive();
    assert_eq!(count(&pair.take_events(End::A), |e| matches!(e, Event::Reset { remote: true, .. })), 60);
    assert_eq!(count(&pair.take_events(End::B), |e| matches!(e, Event::Reset { remote: false, .. })), 60);
    assert_all_idle(&mut pair);
}

#[test]
fn thirty_calls_each_way_fill_all_60_circuits_then_clear_from_either_side() {
    for format in [PointCodeFormat::China24, PointCodeFormat::Itu14] {
        let mut pair = pair_in(format);
        pair.take_events(End::A);
        pair.take_events(End::B);
        let now = pair.now;
        let from_a: Vec<CallId> =
            (0..30).map(|i| pair.a.place_call(now, &call_to(&format!("1008{i:02}"))).unwrap()).collect();
        let from_b: Vec<CallId> =
            (0..30).map(|i| pair.b.place_call(now, &call_to(&format!("2008{i:02}"))).unwrap()).collect();
        pair.drive();
        // Both sides hunted from their own halves; nothing more is free.
        assert_eq!(pair.a.place_call(now, &call_to("1")), Err(CallError::NoCircuit));
        assert_eq!(pair.a.stats().dual_seizures + pair.b.stats().dual_seizures, 0);
        let at_b = answer_all(&mut pair, End::B);
        let at_a = answer_all(&mut pair, End::A);
        assert_eq!((at_a.len(), at_b.len()), (30, 30));
        let a_events = pair.take_events(End::A);
        let b_events = pair.take_events(End::B);
        for call in &from_a {
            assert!(a_events.contains(&Event::Alerting { call: *call, inband: false }));
            assert!(a_events.contains(&Event::Answered { call: *call }));
        }
        for call in &from_b {
            assert!(b_events.contains(&Event::Answered { call: *call }));
        }
        // A's calls used the 28 even CICs and the two highest odd ones; B's the other 30 odd.
        let mut a_cics: Vec<u16> = from_a.iter().map(|c| pair.a.call_circuit(*c).unwrap()).collect();
        a_cics.sort();
        assert_eq!(a_cics.iter().filter(|c| *c % 2 == 0).count(), 28);
        assert_eq!(a_cics.iter().filter(|c| *c % 2 == 1).copied().collect::<Vec<_>>(), vec![61, 63]);
        assert!(pair.a.circuits().iter().all(|c| c.activity != Activity::Idle));
        // A clears its first 15 calls, B hangs up the other 15 of A's; likewise for B's calls.
        let now = pair.now;
        for (i, call) in from_a.iter().enumerate() {
            if i < 15 {
                pair.a.hangup(now, *call, Cause::NormalClearing).unwrap();
            } else {
                let (incoming, _) =
                    at_b.iter().find(|(_, cic)| Some(*cic) == pair.a.call_circuit(*call)).unwrap();
                pair.b.hangup(now, *incoming, Cause::NormalClearing).unwrap();
            }
        }
        for (i, call) in from_b.iter().enumerate() {
            if i % 2 == 0 {
                pair.b.hangup(now, *call, Cause::NormalClearing).unwrap();
            } else {
                let (incoming, _) =
                    at_a.iter().find(|(_, cic)| Some(*cic) == pair.b.call_circuit(*call)).unwrap();
                pair.a.hangup(now, *incoming, Cause::NormalClearing).unwrap();
            }
        }
        pair.drive();
        let a_events = pair.take_events(End::A);
        let b_events = pair.take_events(End::B);
        assert_eq!(
            count(&a_events, |e| matches!(e, Event::Released { cause: Cause::NormalClearing, .. })),
            60
        );
        assert_eq!(
            count(&b_events, |e| matches!(e, Event::Released { cause: Cause::NormalClearing, .. })),
            60
        );
        assert_eq!(count(&a_events, |e| matches!(e, Event::Released { remote: true, .. })), 30);
        assert_all_idle(&mut pair);
    }
}

fn message_types(trace: &[tdm_ss7::circuit::pair::Traced]) -> Vec<(End, u8)> {
    trace
        .iter()
        .map(|t: &tdm_ss7::circuit::pair::Traced| (t.from, t.transfer.payload.as_slice()[2]))
        .collect()
}

#[test]
fn a_basic_call_exchanges_iam_acm_anm_rel_rlc() {
    let mut pair = pair();
    pair.take_events(End::A);
    pair.take_events(End::B);
    pair.trace = Some(Vec::new());
    let now = pair.now;
    let call = pair.a.place_call(now, &call_to("1008")).unwrap();
    pair.drive();
    let incoming = answer_all(&mut pair, End::B);
    assert_eq!(incoming.len(), 1);
    pair.run_for(Duration::from_secs(60));
    let now = pair.now;
    pair.a.hangup(now, call, Cause::NormalClearing).unwrap();
    pair.drive();
    let trace = pair.trace.take().unwrap();
    assert_eq!(
        message_types(&trace),
        vec![(End::A, 0x01), (End::B, 0x06), (End::B, 0x09), (End::A, 0x0C), (End::B, 0x10)]
    );
    assert!(trace.iter().all(|t: &tdm_ss7::circuit::pair::Traced| t.transfer.payload.as_slice()[0] == 2));
    assert_eq!(
        pair.take_events(End::A),
        vec![
            Event::Alerting { call, inband: false },
            Event::Answered { call },
            Event::Released { call, cause: Cause::NormalClearing, remote: false },
        ]
    );
    assert_all_idle(&mut pair);
}

#[test]
fn dual_seizure_on_one_cic_is_resolved_by_the_point_codes() {
    let mut pair = pair();
    pair.take_events(End::A);
    pair.take_events(End::B);
    let now = pair.now;
    // Both seize CIC 5 (odd: B controls it) and CIC 6 (even: A controls it) at once.
    let a5 = pair.a.place_call(now, &OutgoingCall { cic: Some(5), ..call_to("1005") }).unwrap();
    let b5 = pair.b.place_call(now, &OutgoingCall { cic: Some(5), ..call_to("2005") }).unwrap();
    let a6 = pair.a.place_call(now, &OutgoingCall { cic: Some(6), ..call_to("1006") }).unwrap();
    let b6 = pair.b.place_call(now, &OutgoingCall { cic: Some(6), ..call_to("2006") }).unwrap();
    pair.drive();
    let a_events = pair.take_events(End::A);
    let b_events = pair.take_events(End::B);
    // A lost CIC 5 and moved to its first own circuit; B lost CIC 6 and moved to its first.
    assert!(a_events.contains(&Event::Retried { call: a5, from: 5, to: 2 }), "{a_events:?}");
    assert!(b_events.contains(&Event::Retried { call: b6, from: 6, to: 1 }), "{b_events:?}");
    assert_eq!(pair.a.call_circuit(a6), Some(6));
    assert_eq!(pair.b.call_circuit(b5), Some(5));
    // Each side got exactly the two calls that survived, on the right circuits.
    let mut a_incoming: Vec<u16> =
        a_events.iter().filter_map(|e| if let Event::Incoming(i) = e { Some(i.cic) } else { None }).collect();
    let mut b_incoming: Vec<u16> =
        b_events.iter().filter_map(|e| if let Event::Incoming(i) = e { Some(i.cic) } else { None }).collect();
    a_incoming.sort();
    b_incoming.sort();
    assert_eq!(a_incoming, vec![1, 5]);
    assert_eq!(b_incoming, vec![2, 6]);
    assert_eq!(pair.a.stats().dual_seizures + pair.b.stats().dual_seizures, 4);
    // Clear all four from the calling side.
    let now = pair.now;
    for (call, end) in [(a5, End::A), (a6, End::A), (b5, End::B), (b6, End::B)] {
        pair.side(end).hangup(now, call, Cause::NormalClearing).unwrap();
    }
    pair.drive();
    assert_all_idle(&mut pair);
}

#[test]
fn group_blocking_keeps_calls_off_and_hardware_blocking_clears_them() {
    let mut pair = pair();
    pair.take_events(End::A);
    pair.take_events(End::B);
    let now = pair.now;
    // A blocks CICs 1–15 for maintenance: one CGB, acknowledged circuit by circuit.
    pair.a.block(now, 1, 15, BlockKind::Maintenance).unwrap();
    pair.drive();
    let a_events = pair.take_events(End::A);
    let b_events = pair.take_events(End::B);
    assert_eq!(
        count(&a_events, |e| matches!(
            e,
            Event::Blocked { origin: Origin::Local, kind: BlockKind::Maintenance, .. }
        )),
        15
    );
    assert_eq!(
        count(&b_events, |e| matches!(
            e,
            Event::Blocked { origin: Origin::Remote, kind: BlockKind::Maintenance, .. }
        )),
        15
    );
    // B may not use them; its odd hunting starts at 17.
    assert_eq!(
        pair.b.place_call(now, &OutgoingCall { cic: Some(3), ..call_to("1") }),
        Err(CallError::CircuitUnavailable(3))
    );
    let b_call = pair.b.place_call(now, &call_to("2001")).unwrap();
    assert_eq!(pair.b.call_circuit(b_call), Some(17));
    // An answered call on CIC 18, then A declares a hardware failure on 17–20.
    let a_call = pair.a.place_call(now, &OutgoingCall { cic: Some(18), ..call_to("1018") }).unwrap();
    pair.drive();
    answer_all(&mut pair, End::A);
    answer_all(&mut pair, End::B);
    pair.take_events(End::A);
    pair.take_events(End::B);
    let now = pair.now;
    pair.a.block(now, 17, 20, BlockKind::Hardware).unwrap();
    pair.drive();
    let a_events = pair.take_events(End::A);
    let b_events = pair.take_events(End::B);
    assert!(a_events.contains(&Event::Released {
        call: a_call,
        cause: Cause::TemporaryFailure,
        remote: false
    }));
    assert!(b_events.contains(&Event::Released {
        call: b_call,
        cause: Cause::TemporaryFailure,
        remote: true
    }));
    assert_eq!(count(&b_events, |e| matches!(e, Event::Released { remote: true, .. })), 2);
    assert_eq!(
        count(&a_events, |e| matches!(
            e,
            Event::Blocked { origin: Origin::Local, kind: BlockKind::Hardware, .. }
        )),
        4
    );
    assert_eq!(pair.a.call_count() + pair.b.call_count(), 0);
    // Unblock everything.
    let now = pair.now;
    pair.a.unblock(now, 1, 15, BlockKind::Maintenance).unwrap();
    pair.a.unblock(now, 17, 20, BlockKind::Hardware).unwrap();
    pair.drive();
    let b_events = pair.take_events(End::B);
    assert_eq!(count(&b_events, |e| matches!(e, Event::Unblocked { origin: Origin::Remote, .. })), 19);
    assert_all_idle(&mut pair);
}

#[test]
fn group_reset_releases_the_calls_on_the_second_e1() {
    let mut pair = pair();
    let now = pair.now;
    let calls: Vec<CallId> = (0..15)
        .map(|i| pair.b.place_call(now, &OutgoingCall { cic: Some(33 + i), ..call_to("3000") }).unwrap())
        .collect();
    pair.drive();
    answer_all(&mut pair, End::A);
    pair.take_events(End::A);
    pair.take_events(End::B);
    let now = pair.now;
    pair.a.reset(now, 33, 47).unwrap();
    pair.drive();
    let a_events = pair.take_events(End::A);
    let b_events = pair.take_events(End::B);
    for call in calls {
        assert!(b_events.contains(&Event::Released { call, cause: Cause::TemporaryFailure, remote: true }));
    }
    assert_eq!(count(&a_events, |e| matches!(e, Event::Released { remote: false, .. })), 15);
    assert_eq!(count(&a_events, |e| matches!(e, Event::Reset { remote: false, .. })), 15);
    assert_eq!(count(&b_events, |e| matches!(e, Event::Reset { remote: true, .. })), 15);
    assert_all_idle(&mut pair);
}

#[test]
fn continuity_check_passes_on_a_good_circuit() {
    let mut pair = pair();
    pair.take_events(End::A);
    pair.take_events(End::B);
    let now = pair.now;
    let call = pair.a.place_call(now, &OutgoingCall { continuity_check: true, ..call_to("1008") }).unwrap();
    pair.drive();
    let a_events = pair.take_events(End::A);
    assert!(a_events.contains(&Event::Continuity { cic: 2, passed: true }));
    let incoming = answer_all(&mut pair, End::B);
    assert_eq!(incoming.iter().map(|(_, cic)| *cic).collect::<Vec<_>>(), vec![2]);
    assert!(pair.take_events(End::A).contains(&Event::Answered { call }));
    let now = pair.now;
    pair.b.hangup(now, incoming[0].0, Cause::NormalClearing).unwrap();
    pair.drive();
    assert!(pair.take_events(End::A).contains(&Event::Released {
        call,
        cause: Cause::NormalClearing,
        remote: true
    }));
    assert_all_idle(&mut pair);
}

#[test]
fn continuity_check_fails_on_a_broken_circuit_and_the_recheck_succeeds_once_repaired() {
    let mut pair = pair();
    pair.take_events(End::A);
    pair.take_events(End::B);
    pair.broken.insert(2);
    let now = pair.now;
    let call = pair.a.place_call(now, &OutgoingCall { continuity_check: true, ..call_to("1008") }).unwrap();
    pair.drive();
    // T24 expires 2 s later: COT failure, the call moves to CIC 4 where the check passes.
    pair.run_for(Duration::from_secs(2));
    let a_events = pair.take_events(End::A);
    assert!(a_events.contains(&Event::Continuity { cic: 2, passed: false }));
    assert!(a_events.contains(&Event::Retried { call, from: 2, to: 4 }));
    assert!(a_events.contains(&Event::Continuity { cic: 4, passed: true }));
    let b_events = pair.take_events(End::B);
    assert!(b_events.contains(&Event::Continuity { cic: 2, passed: false }));
    let incoming: Vec<u16> =
        b_events.iter().filter_map(|e| if let Event::Incoming(i) = e { Some(i.cic) } else { None }).collect();
    assert_eq!(incoming, vec![4]);
    for event in b_events {
        if let Event::Incoming(i) = event {
            let now = pair.now;
            pair.b.answer(now, i.call).unwrap();
        }
    }
    pair.drive();
    assert!(pair.take_events(End::A).contains(&Event::Answered { call }));
    // T25 (5 s): the first recheck fails too, then T26 waits two minutes.
    pair.run_for(Duration::from_secs(10));
    assert!(pair.take_events(End::A).contains(&Event::Continuity { cic: 2, passed: false }));
    assert_eq!(pair.a.circuit(2).map(|c| c.activity), Some(Activity::ContinuityCheck));
    assert_eq!(pair.b.circuit(2).map(|c| c.activity), Some(Activity::ContinuityCheck));
    // Repaired: the next recheck passes and REL returns the circuit to idle at both ends.
    pair.broken.remove(&2);
    pair.run_for(Duration::from_secs(125));
    assert!(pair.take_events(End::A).contains(&Event::Continuity { cic: 2, passed: true }));
    assert!(pair.take_events(End::B).contains(&Event::Continuity { cic: 2, passed: true }));
    let now = pair.now;
    pair.a.hangup(now, call, Cause::NormalClearing).unwrap();
    pair.drive();
    assert_all_idle(&mut pair);
}

#[test]
fn a_lost_release_is_repeated_and_the_circuit_reset_after_t5() {
    let mut pair = pair();
    let now = pair.now;
    let call = pair.a.place_call(now, &call_to("1008")).unwrap();
    pair.drive();
    answer_all(&mut pair, End::B);
    pair.take_events(End::A);
    pair.take_events(End::B);
    // The link goes down: REL and its repeats are lost for six minutes.
    pair.cut = true;
    let now = pair.now;
    pair.a.hangup(now, call, Cause::NormalClearing).unwrap();
    pair.run_for(Duration::from_secs(360));
    assert!(pair.take_events(End::A).contains(&Event::Released {
        call,
        cause: Cause::NormalClearing,
        remote: false
    }));
    // Back up: the next RSC (T17) resets B's side of the circuit too.
    pair.cut = false;
    pair.run_for(Duration::from_secs(300));
    let b_events = pair.take_events(End::B);
    assert!(b_events.iter().any(|e| matches!(e, Event::Released { remote: true, .. })));
    assert!(b_events.contains(&Event::Reset { cic: 2, remote: true }));
    assert_all_idle(&mut pair);
}

#[test]
fn transfers_carry_the_china_label_and_sls_from_the_cic() {
    let mut pair = pair();
    pair.trace = Some(Vec::new());
    let now = pair.now;
    pair.a.place_call(now, &OutgoingCall { cic: Some(33), ..call_to("1") }).unwrap();
    pair.drive();
    let trace = pair.trace.take().unwrap();
    let iam: &Transfer = &trace[0].transfer;
    assert_eq!(iam.label.sls, 1);
    let mut sif = [0u8; 272];
    let len = iam.emit_sif(PointCodeFormat::China24, &mut sif).unwrap();
    assert_eq!(&sif[..9], &[0x01, 0x01, 0x01, 0x02, 0x01, 0x01, 0x01, 0x21, 0x00]);
    assert_eq!(sif[9], 0x01);
    assert!(len > 10);
}
