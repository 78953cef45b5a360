//! TUP scenarios between two signalling points joined at the MTP3 user level: 60 circuits on
//! two E1s, calls both ways in the China and ITU variants, clearing from either side, dual
//! seizure, group blocking and reset, continuity checks that pass and fail, the China
//! calling-line request. Every scenario ends with every circuit idle at both ends.
//!
//! Side A has the higher point code and controls the even CICs.

use tdm_base::{Cause, Duration};
use tdm_ss7::circuit::pair::{End, Pair, Traced};
use tdm_ss7::circuit::{
    Activity, BlockKind, CallError, CallId, CicMap, Event, Number, Origin, OutgoingCall, UserPart,
};
use tdm_ss7::label::{PointCode, PointCodeFormat};
use tdm_ss7::tup::wire::{Message, MessageType, Variant};
use tdm_ss7::tup::{Tup, TupConfig};

fn configs(variant: Variant) -> (TupConfig, TupConfig) {
    let (a, b) = match variant {
        Variant::China => (PointCode::china(1, 1, 2), PointCode::china(1, 1, 1)),
        Variant::Itu => (PointCode::itu(1, 1, 2).unwrap(), PointCode::itu(1, 1, 1).unwrap()),
    };
    let circuits = CicMap::e1(2, 0, true).unwrap();
    (TupConfig::new(a, b, variant, circuits.clone()), TupConfig::new(b, a, variant, circuits))
}

fn pair_in(variant: Variant) -> Pair<Tup> {
    let (a, b) = configs(variant);
    let mut pair = Pair::new(Tup::new(a), Tup::new(b));
    pair.start();
    pair.take_events(End::A);
    pair.take_events(End::B);
    pair
}

fn call_to(number: &str) -> OutgoingCall {
    let mut call = OutgoingCall::new(number).unwrap();
    call.calling = Some(Number::national("88880001").unwrap());
    call
}

fn answer_all(pair: &mut Pair<Tup>, end: End) -> Vec<(CallId, u16)> {
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
    kept.extend(pair.take_events(end));
    match end {
        End::A => pair.a_events = kept,
        End::B => pair.b_events = kept,
    }
    answered
}

fn count(events: &[Event], matches: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| matches(e)).count()
}

fn assert_all_idle(pair: &mut Pair<Tup>) {
    for (name, side) in [("A", &pair.a), ("B", &pair.b)] {
        for c in side.circuits() {
            assert_eq!(c.activity, Activity::Idle, "{name}: CIC {} busy", c.cic);
            assert!(!c.blocking.is_blocked(), "{name}: CIC {} blocked", c.cic);
        }
        assert_eq!(side.call_count(), 0, "{name} holds calls");
    }
    assert_eq!(pair.next_deadline(), None, "a timer still runs");
}

fn headings(variant: Variant, trace: &[Traced]) -> Vec<(End, MessageType)> {
    let format = variant.point_codes();
    trace
        .iter()
        .map(|t| {
            let mut sif = [0u8; 272];
            let len = t.transfer.emit_sif(format, &mut sif).unwrap();
            (t.from, Message::parse(variant, &sif[..len]).unwrap().message_type())
        })
        .collect()
}

#[test]
fn start_up_resets_every_circuit() {
    for variant in [Variant::China, Variant::Itu] {
        let (a, b) = configs(variant);
        let mut pair = Pair::new(Tup::new(a), Tup::new(b));
        pair.trace = Some(Vec::new());
        pair.start();
        let trace = pair.trace.take().unwrap();
        let h = headings(variant, &trace);
        assert_eq!(count_messages(&h, End::A, MessageType::Grs), 4);
        assert_eq!(count_messages(&h, End::B, MessageType::Gra), 4);
        for end in [End::A, End::B] {
            assert_eq!(
                count(&pair.take_events(end), |e| matches!(e, Event::Reset { remote: false, .. })),
                60
            );
        }
        assert_all_idle(&mut pair);
    }
}

fn count_messages(h: &[(End, MessageType)], end: End, t: MessageType) -> usize {
    h.iter().filter(|(e, m)| *e == end && *m == t).count()
}

#[test]
fn thirty_calls_each_way_in_both_variants_cleared_from_either_side() {
    for variant in [Variant::China, Variant::Itu] {
        let mut pair = pair_in(variant);
        let now = pair.now;
        let from_a: Vec<CallId> =
            (0..30).map(|i| pair.a.place_call(now, &call_to(&format!("1008{i:02}"))).unwrap()).collect();
        let from_b: Vec<CallId> =
            (0..30).map(|i| pair.b.place_call(now, &call_to(&format!("2008{i:02}"))).unwrap()).collect();
        pair.drive();
        assert_eq!(pair.a.place_call(now, &call_to("1")), Err(CallError::NoCircuit));
        assert_eq!(pair.a.stats().dual_seizures + pair.b.stats().dual_seizures, 0);
        let at_b = answer_all(&mut pair, End::B);
        let at_a = answer_all(&mut pair, End::A);
        assert_eq!((at_a.len(), at_b.len()), (30, 30));
        let a_events = pair.take_events(End::A);
        for call in &from_a {
            assert!(a_events.contains(&Event::Answered { call: *call }));
        }
        assert_eq!(count(&pair.take_events(End::B), |e| matches!(e, Event::Answered { .. })), 30);
        // Calling side clears half (CLF), called side the other half (CBK, then CLF).
        let now = pair.now;
        for (i, call) in from_a.iter().enumerate() {
            if i % 2 == 0 {
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
        assert_all_idle(&mut pair);
    }
}

#[test]
fn a_basic_call_and_a_called_party_clear() {
    let mut pair = pair_in(Variant::China);
    pair.trace = Some(Vec::new());
    let now = pair.now;
    let call = pair.a.place_call(now, &call_to("1008")).unwrap();
    pair.drive();
    let incoming = answer_all(&mut pair, End::B);
    pair.run_for(Duration::from_secs(30));
    let now = pair.now;
    pair.b.hangup(now, incoming[0].0, Cause::NormalClearing).unwrap();
    pair.drive();
    let trace = pair.trace.take().unwrap();
    use MessageType as T;
    assert_eq!(
        headings(Variant::China, &trace),
        vec![
            (End::A, T::Iai),
            (End::B, T::Acm),
            (End::B, T::Anc),
            (End::B, T::Cbk),
            (End::A, T::Clf),
            (End::B, T::Rlg)
        ]
    );
    assert_eq!(
        pair.take_events(End::A),
        vec![
            Event::Alerting { call, inband: false },
            Event::Answered { call },
            Event::Released { call, cause: Cause::NormalClearing, remote: true },
        ]
    );
    assert_eq!(
        pair.take_events(End::B),
        vec![Event::Released { call: incoming[0].0, cause: Cause::NormalClearing, remote: false }]
    );
    assert_all_idle(&mut pair);
}

#[test]
fn busy_subscriber_is_reported_with_ssb() {
    let mut pair = pair_in(Variant::China);
    let now = pair.now;
    let call = pair.a.place_call(now, &call_to("1008")).unwrap();
    pair.drive();
    let Some(Event::Incoming(incoming)) = pair.take_events(End::B).pop() else { panic!() };
    pair.b.hangup(now, incoming.call, Cause::UserBusy).unwrap();
    pair.drive();
    assert_eq!(
        pair.take_events(End::A),
        vec![Event::Released { call, cause: Cause::UserBusy, remote: true }]
    );
    assert_all_idle(&mut pair);
}

#[test]
fn china_calling_line_request_with_grq_and_gsm() {
    let (a, mut b) = configs(Variant::China);
    b.request_calling_number = true;
    let mut pair = Pair::new(Tup::new(a), Tup::new(b));
    pair.start();
    pair.take_events(End::B);
    let now = pair.now;
    let mut request = call_to("1008");
    request.calling = None;
    pair.trace = Some(Vec::new());
    pair.a.place_call(now, &request).unwrap();
    pair.drive();
    assert_eq!(
        headings(Variant::China, &pair.trace.take().unwrap()),
        vec![(End::A, MessageType::Iam), (End::B, MessageType::Grq), (End::A, MessageType::Gsm)]
    );
    let Some(Event::Incoming(incoming)) = pair.take_events(End::B).pop() else { panic!() };
    // A has no calling number to give: GSM carries the category only; the call proceeds.
    assert_eq!(incoming.calling, None);
    assert_eq!(incoming.category, tdm_ss7::circuit::Category::ORDINARY);
    // With a calling number the IAI already carries it: no GRQ.
    pair.trace = Some(Vec::new());
    pair.a.place_call(now, &call_to("1009")).unwrap();
    pair.drive();
    let Some(Event::Incoming(incoming)) = pair.take_events(End::B).pop() else { panic!() };
    assert_eq!(incoming.calling.map(|n| n.digits.to_string()), Some("88880001".to_string()));
    assert_eq!(headings(Variant::China, &pair.trace.take().unwrap()), vec![(End::A, MessageType::Iai)]);
    let now = pair.now;
    pair.a.reset(now, 1, 63).unwrap();
    pair.drive();
    pair.take_events(End::A);
    pair.take_events(End::B);
    assert_all_idle(&mut pair);
}

#[test]
fn dual_seizure_on_one_cic_is_resolved_by_the_point_codes() {
    let mut pair = pair_in(Variant::China);
    let now = pair.now;
    let a5 = pair.a.place_call(now, &OutgoingCall { cic: Some(5), ..call_to("1005") }).unwrap();
    let b5 = pair.b.place_call(now, &OutgoingCall { cic: Some(5), ..call_to("2005") }).unwrap();
    let a6 = pair.a.place_call(now, &OutgoingCall { cic: Some(6), ..call_to("1006") }).unwrap();
    let b6 = pair.b.place_call(now, &OutgoingCall { cic: Some(6), ..call_to("2006") }).unwrap();
    pair.drive();
    let a_events = pair.take_events(End::A);
    let b_events = pair.take_events(End::B);
    assert!(a_events.contains(&Event::Retried { call: a5, from: 5, to: 2 }), "{a_events:?}");
    assert!(b_events.contains(&Event::Retried { call: b6, from: 6, to: 1 }), "{b_events:?}");
    assert_eq!((pair.a.call_circuit(a6), pair.b.call_circuit(b5)), (Some(6), Some(5)));
    let now = pair.now;
    for (call, end) in [(a5, End::A), (a6, End::A), (b5, End::B), (b6, End::B)] {
        pair.side(end).hangup(now, call, Cause::NormalClearing).unwrap();
    }
    pair.drive();
    assert_all_idle(&mut pair);
}

#[test]
fn group_blocking_and_group_reset() {
    let mut pair = pair_in(Variant::China);
    let now = pair.now;
    pair.a.block(now, 1, 15, BlockKind::Maintenance).unwrap();
    pair.drive();
    assert_eq!(
        count(&pair.take_events(End::A), |e| matches!(e, Event::Blocked { origin: Origin::Local, .. })),
        15
    );
    assert_eq!(
        count(&pair.take_events(End::B), |e| matches!(e, Event::Blocked { origin: Origin::Remote, .. })),
        15
    );
    assert_eq!(
        pair.b.place_call(now, &OutgoingCall { cic: Some(1), ..call_to("1") }),
        Err(CallError::CircuitUnavailable(1))
    );
    // Calls on the second E1, then a hardware group block and a group reset.
    let calls: Vec<CallId> = (0..6)
        .map(|i| pair.b.place_call(now, &OutgoingCall { cic: Some(33 + i), ..call_to("3") }).unwrap())
        .collect();
    pair.drive();
    answer_all(&mut pair, End::A);
    pair.take_events(End::B);
    let now = pair.now;
    pair.a.block(now, 33, 35, BlockKind::Hardware).unwrap();
    pair.drive();
    let b_events = pair.take_events(End::B);
    for call in &calls[..3] {
        assert!(b_events.contains(&Event::Released {
            call: *call,
            cause: Cause::TemporaryFailure,
            remote: true
        }));
    }
    pair.take_events(End::A);
    let now = pair.now;
    pair.b.reset(now, 33, 47).unwrap();
    pair.drive();
    let a_events = pair.take_events(End::A);
    assert_eq!(count(&a_events, |e| matches!(e, Event::Released { remote: true, .. })), 3);
    assert_eq!(count(&a_events, |e| matches!(e, Event::Reset { remote: true, .. })), 15);
    // After the reset A re-asserts its hardware blocking, which B acknowledges again.
    let b_events = pair.take_events(End::B);
    assert_eq!(
        count(&b_events, |e| matches!(
            e,
            Event::Blocked { origin: Origin::Remote, kind: BlockKind::Hardware, .. }
        )),
        3
    );
    let now = pair.now;
    pair.a.unblock(now, 1, 15, BlockKind::Maintenance).unwrap();
    pair.a.unblock(now, 33, 35, BlockKind::Hardware).unwrap();
    pair.drive();
    assert_all_idle(&mut pair);
}

#[test]
fn continuity_checks_pass_and_fail() {
    for variant in [Variant::China, Variant::Itu] {
        let mut pair = pair_in(variant);
        pair.broken.insert(2);
        let now = pair.now;
        let call =
            pair.a.place_call(now, &OutgoingCall { continuity_check: true, ..call_to("1008") }).unwrap();
        pair.drive();
        pair.run_for(Duration::from_secs(2));
        let a_events = pair.take_events(End::A);
        assert!(a_events.contains(&Event::Continuity { cic: 2, passed: false }));
        assert!(a_events.contains(&Event::Retried { call, from: 2, to: 4 }));
        assert!(a_events.contains(&Event::Continuity { cic: 4, passed: true }));
        let answered = answer_all(&mut pair, End::B);
        assert_eq!(answered.iter().map(|(_, cic)| *cic).collect::<Vec<_>>(), vec![4]);
        assert!(pair.take_events(End::B).contains(&Event::Continuity { cic: 2, passed: false }));
        pair.run_for(Duration::from_secs(10));
        assert!(pair.take_events(End::A).contains(&Event::Continuity { cic: 2, passed: false }));
        pair.broken.remove(&2);
        pair.run_for(Duration::from_secs(125));
        assert!(pair.take_events(End::A).contains(&Event::Continuity { cic: 2, passed: true }));
        assert!(pair.take_events(End::B).contains(&Event::Continuity { cic: 2, passed: true }));
        let now = pair.now;
        pair.a.hangup(now, call, Cause::NormalClearing).unwrap();
        pair.drive();
        assert_all_idle(&mut pair);
    }
}

#[test]
fn the_china_label_carries_cic_bits_in_the_spare_nibble() {
    let mut pair = pair_in(Variant::China);
    pair.trace = Some(Vec::new());
    let now = pair.now;
    pair.a.place_call(now, &OutgoingCall { cic: Some(0x3E), ..call_to("1") }).unwrap();
    pair.drive();
    let trace = pair.trace.take().unwrap();
    let iai = &trace[0].transfer;
    assert_eq!((iai.label.sls, iai.label_spare), (0x0E, 0x03));
    let mut sif = [0u8; 272];
    let len = iai.emit_sif(PointCodeFormat::China24, &mut sif).unwrap();
    assert_eq!(&sif[..9], &[0x01, 0x01, 0x01, 0x02, 0x01, 0x01, 0x3E, 0x00, 0x21]);
    assert!(len > 9);
}
