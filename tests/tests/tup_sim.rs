//! TUP on running spans, China national (GF 001-9001: 24-bit point codes, the 64-bit label
//! with the CIC's high bits in its spare nibble) and ITU: two exchanges on two simulated
//! boards joined by two E1 cables, a link set of two signalling links (TS16 of each) under
//! TUP, and 60 circuits on the other timeslots (CICs 1–31 and 33–63, CIC = span base +
//! timeslot). Every message crosses the real driver's soft HDLC and the simulated cables;
//! continuity checks send the 2000 Hz tone into a circuit's timeslot and hear it come back
//! through the far board's timeslot loop. Calls go both ways and are cleared from either
//! side; dual seizure, group blocking, group reset and continuity checks that pass and fail
//! are run; every scenario ends with every circuit idle, unblocked and without a timer at
//! both ends.
//!
//! A is 1-1-2 and B 1-1-1: A has the higher point code and controls the even CICs, B the
//! odd ones.

use tdm_base::Cause;
use tdm_scenarios::mtp::bed::PointPair;
use tdm_scenarios::mtp::circuits::{CircuitNode, Traced};
use tdm_ss7::circuit::pair::End;
use tdm_ss7::circuit::{
    Activity, BlockKind, CallError, CallId, Event, Number, Origin, OutgoingCall, UserPart,
};
use tdm_ss7::label::PointCode;
use tdm_ss7::tup::wire::{Message, MessageType, Variant};
use tdm_ss7::tup::{Tup, TupConfig};

use MessageType as T;

fn bed_in(variant: Variant) -> PointPair<Tup> {
    let (a, b) = match variant {
        Variant::China => (PointCode::china(1, 1, 2), PointCode::china(1, 1, 1)),
        Variant::Itu => (
            PointCode::itu(1, 1, 2).unwrap_or_else(|e| panic!("{e}")),
            PointCode::itu(1, 1, 1).unwrap_or_else(|e| panic!("{e}")),
        ),
    };
    PointPair::new(variant.point_codes(), a, b, move |own, peer, circuits| {
        Tup::new(TupConfig::new(own, peer, variant, circuits))
    })
}

/// `(sent, CIC, heading)` of each message in a node's trace, decoded as `variant`.
fn messages(variant: Variant, trace: &[Traced]) -> Vec<(bool, u16, MessageType)> {
    trace
        .iter()
        .map(|t| {
            let mut sif = [0u8; 272];
            let len = t.transfer.emit_sif(variant.point_codes(), &mut sif).unwrap_or_else(|e| panic!("{e}"));
            let message = Message::parse(variant, &sif[..len]).unwrap_or_else(|e| panic!("{e:?}"));
            (t.sent, message.label.cic, message.message_type())
        })
        .collect()
}

/// The bench with its links up and the start-up group resets done: each side sent a GRS
/// for every run of circuits and learnt from the GRAs that all 60 are reset.
fn started(variant: Variant) -> PointPair<Tup> {
    let mut bed = bed_in(variant);
    bed.a.trace = Some(Vec::new());
    bed.bring_up();
    bed.run_until_idle("start-up group resets acknowledged");
    for node in [&mut bed.a, &mut bed.b] {
        let events = node.take_events();
        assert_eq!(count(&events, |e| matches!(e, Event::Reset { remote: false, .. })), 60);
        assert_eq!(events.len(), 60, "only the resets: {events:?}");
    }
    let trace = messages(variant, &bed.a.trace.take().unwrap_or_default());
    let grs: Vec<u16> = trace.iter().filter(|(sent, _, t)| *sent && *t == T::Grs).map(|m| m.1).collect();
    assert_eq!(grs, vec![1, 17, 33, 49]);
    assert_eq!(trace.iter().filter(|(sent, _, t)| !*sent && *t == T::Gra).count(), 4);
    assert_all_idle(&bed);
    bed
}

fn count(events: &[Event], matches: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| matches(e)).count()
}

fn answered(events: &[Event]) -> usize {
    count(events, |e| matches!(e, Event::Answered { .. }))
}

fn assert_all_idle(bed: &PointPair<Tup>) {
    bed.assert_idle();
    for (name, node) in [("A", &bed.a), ("B", &bed.b)] {
        assert_eq!(node.user.call_count(), 0, "{name} holds calls");
        let stats = node.user.stats();
        assert_eq!((stats.malformed, stats.unexpected, stats.foreign), (0, 0, 0), "{name}: {stats:?}");
    }
}

fn call_to(number: &str) -> OutgoingCall {
    let mut call = OutgoingCall::new(number).unwrap_or_else(|e| panic!("{e}"));
    call.calling = Some(Number::national("88880001").unwrap_or_else(|e| panic!("{e}")));
    call
}

fn place(node: &mut CircuitNode<Tup>, request: &OutgoingCall) -> CallId {
    let now = node.now();
    node.user.place_call(now, request).unwrap_or_else(|e| panic!("{e}"))
}

fn hang_up(node: &mut CircuitNode<Tup>, call: CallId) {
    let now = node.now();
    node.user.hangup(now, call, Cause::NormalClearing).unwrap_or_else(|e| panic!("{e}"));
}

fn thirty_calls_each_way(variant: Variant) {
    let mut bed = started(variant);
    let from_a: Vec<CallId> = (0..30).map(|i| place(&mut bed.a, &call_to(&format!("1008{i:02}")))).collect();
    let from_b: Vec<CallId> = (0..30).map(|i| place(&mut bed.b, &call_to(&format!("2008{i:02}")))).collect();
    // Each side hunted its own half first: A the 28 even CICs, then the two highest odd ones.
    let mut a_cics: Vec<u16> = from_a.iter().filter_map(|c| bed.a.user.call_circuit(*c)).collect();
    a_cics.sort();
    let mut expected: Vec<u16> = (2..=62).step_by(2).filter(|c| *c != 16 && *c != 32 && *c != 48).collect();
    expected.extend([61, 63]);
    expected.sort();
    assert_eq!(a_cics, expected);
    let at_b = bed.answer(End::B, 30, 3_000);
    let at_a = bed.answer(End::A, 30, 3_000);
    let now = bed.a.now();
    assert_eq!(bed.a.user.place_call(now, &call_to("1")), Err(CallError::NoCircuit));
    bed.run_until(2_000, "every call answered", |bed| {
        [&bed.a, &bed.b].iter().all(|n| answered(n.events()) == 30)
    });
    let mut offered: Vec<(u16, String, Option<String>)> = at_b
        .iter()
        .map(|i| (i.cic, i.called.digits.to_string(), i.calling.map(|n| n.digits.to_string())))
        .collect();
    offered.sort();
    let mut placed: Vec<(u16, String, Option<String>)> = from_a
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cic = bed.a.user.call_circuit(*c).unwrap_or(0);
            (cic, format!("1008{i:02}"), Some("88880001".to_string()))
        })
        .collect();
    placed.sort();
    assert_eq!(offered, placed);
    for (node, calls) in [(&mut bed.a, &from_a), (&mut bed.b, &from_b)] {
        let events = node.take_events();
        for call in calls {
            assert!(events.contains(&Event::Alerting { call: *call, inband: false }));
            assert!(events.contains(&Event::Answered { call: *call }));
        }
        assert_eq!(events.len(), 60, "{events:?}");
    }
    assert_eq!(bed.a.user.stats().dual_seizures + bed.b.user.stats().dual_seizures, 0);
    // The calling side clears half (CLF, RLG), the called side the other half (CBK, then the
    // calling side's CLF and RLG).
    for (i, call) in from_a.iter().enumerate() {
        if i % 2 == 0 {
            hang_up(&mut bed.a, *call);
        } else {
            let cic = bed.a.user.call_circuit(*call);
            let incoming = at_b.iter().find(|c| Some(c.cic) == cic).map(|c| c.call);
            hang_up(&mut bed.b, incoming.unwrap_or_else(|| panic!("B's side of {call}")));
        }
    }
    for (i, call) in from_b.iter().enumerate() {
        if i % 2 == 0 {
            hang_up(&mut bed.b, *call);
        } else {
            let cic = bed.b.user.call_circuit(*call);
            let incoming = at_a.iter().find(|c| Some(c.cic) == cic).map(|c| c.call);
            hang_up(&mut bed.a, incoming.unwrap_or_else(|| panic!("A's side of {call}")));
        }
    }
    bed.run_until_idle("every call released");
    for node in [&mut bed.a, &mut bed.b] {
        let events = node.take_events();
        assert_eq!(events.len(), 60, "{events:?}");
        assert_eq!(count(&events, |e| matches!(e, Event::Released { cause: Cause::NormalClearing, .. })), 60);
        assert_eq!(count(&events, |e| matches!(e, Event::Released { remote: true, .. })), 30);
    }
    assert_all_idle(&bed);
}

#[test]
fn thirty_calls_each_way_fill_the_two_e1s_and_clear_from_either_side_china() {
    thirty_calls_each_way(Variant::China);
}

#[test]
fn thirty_calls_each_way_fill_the_two_e1s_and_clear_from_either_side_itu() {
    thirty_calls_each_way(Variant::Itu);
}

#[test]
fn a_call_cleared_by_the_called_party_iai_acm_anc_cbk_clf_rlg() {
    let mut bed = started(Variant::China);
    bed.a.trace = Some(Vec::new());
    // CIC 62 = 0x3E: its low four bits ride as the SLS, the high ones in the spare nibble.
    let call = place(&mut bed.a, &OutgoingCall { cic: Some(62), ..call_to("1008") });
    let incoming = bed.answer(End::B, 1, 3_000);
    assert_eq!(
        (
            incoming[0].cic,
            incoming[0].called.digits.to_string(),
            incoming[0].calling.map(|n| n.digits.to_string())
        ),
        (62, "1008".to_string(), Some("88880001".to_string()))
    );
    bed.run_until(1_000, "answered", |bed| answered(bed.a.events()) == 1);
    hang_up(&mut bed.b, incoming[0].call);
    bed.run_until_idle("released");
    assert_eq!(
        bed.a.take_events(),
        vec![
            Event::Alerting { call, inband: false },
            Event::Answered { call },
            Event::Released { call, cause: Cause::NormalClearing, remote: true },
        ]
    );
    assert_eq!(
        bed.b.take_events(),
        vec![Event::Released { call: incoming[0].call, cause: Cause::NormalClearing, remote: false }]
    );
    let trace = bed.a.trace.take().unwrap_or_default();
    assert_eq!(
        messages(Variant::China, &trace),
        vec![
            (true, 62, T::Iai),
            (false, 62, T::Acm),
            (false, 62, T::Anc),
            (false, 62, T::Cbk),
            (true, 62, T::Clf),
            (false, 62, T::Rlg)
        ]
    );
    for t in &trace {
        assert_eq!((t.transfer.label.sls, t.transfer.label_spare), (0x0E, 0x03));
    }
    assert_all_idle(&bed);
}

#[test]
fn dual_seizure_on_the_same_cic_is_resolved_by_the_point_codes() {
    let mut bed = started(Variant::China);
    // In the same block both seize CIC 5 (odd: B controls it) and CIC 6 (even: A's).
    let a5 = place(&mut bed.a, &OutgoingCall { cic: Some(5), ..call_to("1005") });
    let a6 = place(&mut bed.a, &OutgoingCall { cic: Some(6), ..call_to("1006") });
    let b5 = place(&mut bed.b, &OutgoingCall { cic: Some(5), ..call_to("2005") });
    let b6 = place(&mut bed.b, &OutgoingCall { cic: Some(6), ..call_to("2006") });
    let at_a = bed.answer(End::A, 2, 3_000);
    let at_b = bed.answer(End::B, 2, 3_000);
    let mut cics_at_a: Vec<(u16, String)> =
        at_a.iter().map(|i| (i.cic, i.called.digits.to_string())).collect();
    let mut cics_at_b: Vec<(u16, String)> =
        at_b.iter().map(|i| (i.cic, i.called.digits.to_string())).collect();
    cics_at_a.sort();
    cics_at_b.sort();
    assert_eq!(cics_at_a, vec![(1, "2006".to_string()), (5, "2005".to_string())]);
    assert_eq!(cics_at_b, vec![(2, "1005".to_string()), (6, "1006".to_string())]);
    assert_eq!([a5, a6].map(|c| bed.a.user.call_circuit(c)), [Some(2), Some(6)]);
    assert_eq!([b5, b6].map(|c| bed.b.user.call_circuit(c)), [Some(5), Some(1)]);
    bed.run_until(1_000, "all four answered", |bed| {
        answered(bed.a.events()) == 2 && answered(bed.b.events()) == 2
    });
    let retried = |events: Vec<Event>| -> Vec<Event> {
        events.into_iter().filter(|e| matches!(e, Event::Retried { .. })).collect()
    };
    assert_eq!(retried(bed.a.take_events()), vec![Event::Retried { call: a5, from: 5, to: 2 }]);
    assert_eq!(retried(bed.b.take_events()), vec![Event::Retried { call: b6, from: 6, to: 1 }]);
    assert_eq!((bed.a.user.stats().dual_seizures, bed.b.user.stats().dual_seizures), (2, 2));
    hang_up(&mut bed.a, a5);
    hang_up(&mut bed.a, a6);
    hang_up(&mut bed.b, b5);
    hang_up(&mut bed.b, b6);
    bed.run_until_idle("all four released");
    assert_all_idle(&bed);
}

#[test]
fn group_blocking_keeps_calls_off_group_reset_and_hardware_blocking_clear_them() {
    let mut bed = started(Variant::China);
    bed.a.trace = Some(Vec::new());
    // A blocks CICs 1–15 for maintenance: one MGB, one MBA.
    let now = bed.a.now();
    bed.a.user.block(now, 1, 15, BlockKind::Maintenance).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until_idle("MGB acknowledged");
    let maintenance = |cic, origin| Event::Blocked { cic, origin, kind: BlockKind::Maintenance };
    assert_eq!(bed.a.take_events(), (1..=15).map(|cic| maintenance(cic, Origin::Local)).collect::<Vec<_>>());
    assert_eq!(bed.b.take_events(), (1..=15).map(|cic| maintenance(cic, Origin::Remote)).collect::<Vec<_>>());
    // B may not seize them; its hunting skips to 17.
    let now = bed.b.now();
    assert_eq!(
        bed.b.user.place_call(now, &OutgoingCall { cic: Some(3), ..call_to("1") }),
        Err(CallError::CircuitUnavailable(3))
    );
    let b_call = place(&mut bed.b, &call_to("2017"));
    assert_eq!(bed.b.user.call_circuit(b_call), Some(17));
    bed.answer(End::A, 1, 3_000);
    bed.run_until(1_000, "answered", |bed| answered(bed.b.events()) == 1);
    bed.a.take_events();
    bed.b.take_events();
    // Unblocked again: one MGU, one MUA.
    let now = bed.a.now();
    bed.a.user.unblock(now, 1, 15, BlockKind::Maintenance).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until(1_000, "MGU acknowledged", |bed| bed.a.events().len() == 15);
    bed.run_ms(10);
    let unblocked = |cic, origin| Event::Unblocked { cic, origin, kind: BlockKind::Maintenance };
    assert_eq!(bed.a.take_events(), (1..=15).map(|cic| unblocked(cic, Origin::Local)).collect::<Vec<_>>());
    assert_eq!(bed.b.take_events(), (1..=15).map(|cic| unblocked(cic, Origin::Remote)).collect::<Vec<_>>());

    // B fills the second E1 with 15 calls, A answers; A resets CICs 33–47 with one GRS.
    let calls: Vec<CallId> =
        (33..48).map(|cic| place(&mut bed.b, &OutgoingCall { cic: Some(cic), ..call_to("3000") })).collect();
    bed.answer(End::A, 15, 3_000);
    bed.run_until(1_000, "answered", |bed| answered(bed.b.events()) == 15);
    bed.a.take_events();
    bed.b.take_events();
    let now = bed.a.now();
    bed.a.user.reset(now, 33, 47).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until(1_000, "GRS acknowledged", |bed| {
        count(bed.a.events(), |e| matches!(e, Event::Reset { .. })) == 15
    });
    bed.run_ms(10);
    let a_events = bed.a.take_events();
    let b_events = bed.b.take_events();
    // B: each call released, then its circuit reset, circuit by circuit.
    let expected: Vec<Event> = calls
        .iter()
        .zip(33..48)
        .flat_map(|(call, cic)| {
            [
                Event::Released { call: *call, cause: Cause::TemporaryFailure, remote: true },
                Event::Reset { cic, remote: true },
            ]
        })
        .collect();
    assert_eq!(b_events, expected);
    assert_eq!(
        count(&a_events, |e| matches!(
            e,
            Event::Released { cause: Cause::TemporaryFailure, remote: false, .. }
        )),
        15
    );
    assert_eq!(
        a_events
            .iter()
            .filter_map(|e| match e {
                Event::Reset { cic, remote: false } => Some(*cic),
                _ => None,
            })
            .collect::<Vec<_>>(),
        (33..48).collect::<Vec<_>>()
    );
    assert_eq!(a_events.len(), 30);

    // A declares a hardware failure on 17–20 (HGB): the call on 17 is released at both ends.
    let now = bed.a.now();
    bed.a.user.block(now, 17, 20, BlockKind::Hardware).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until_idle("HGB acknowledged");
    let hardware = |cic, origin| Event::Blocked { cic, origin, kind: BlockKind::Hardware };
    let mut expected: Vec<Event> = (17..=20).map(|cic| hardware(cic, Origin::Remote)).collect();
    expected.insert(1, Event::Released { call: b_call, cause: Cause::TemporaryFailure, remote: true });
    assert_eq!(bed.b.take_events(), expected);
    let a_events = bed.a.take_events();
    assert!(matches!(a_events[0], Event::Released { cause: Cause::TemporaryFailure, remote: false, .. }));
    assert_eq!(a_events[1..], (17..=20).map(|cic| hardware(cic, Origin::Local)).collect::<Vec<_>>());
    let now = bed.a.now();
    bed.a.user.unblock(now, 17, 20, BlockKind::Hardware).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until_idle("HGU acknowledged");
    let unblocked = |cic, origin| Event::Unblocked { cic, origin, kind: BlockKind::Hardware };
    assert_eq!(bed.a.take_events(), (17..=20).map(|cic| unblocked(cic, Origin::Local)).collect::<Vec<_>>());
    assert_eq!(bed.b.take_events(), (17..=20).map(|cic| unblocked(cic, Origin::Remote)).collect::<Vec<_>>());

    let group: Vec<(bool, u16, MessageType)> =
        messages(Variant::China, &bed.a.trace.take().unwrap_or_default())
            .into_iter()
            .filter(|(_, cic, t)| {
                *cic < 33 && !matches!(t, T::Iai | T::Acm | T::Anc) || matches!(t, T::Grs | T::Gra)
            })
            .collect();
    assert_eq!(
        group,
        vec![
            (true, 1, T::Mgb),
            (false, 1, T::Mba),
            (true, 1, T::Mgu),
            (false, 1, T::Mua),
            (true, 33, T::Grs),
            (false, 33, T::Gra),
            (true, 17, T::Hgb),
            (false, 17, T::Hba),
            (true, 17, T::Hgu),
            (false, 17, T::Hua),
        ]
    );
    assert_all_idle(&bed);
}

#[test]
fn continuity_check_fails_without_the_far_loop_and_the_recheck_passes_once_it_is_there() {
    for variant in [Variant::China, Variant::Itu] {
        let mut bed = started(variant);
        bed.a.trace = Some(Vec::new());
        // Broken at B: the loop on CIC 2 is never connected; the check tone times out (2 s),
        // CCF goes, and the call moves to CIC 4, where the tone comes back through B's loop.
        bed.b.broken.insert(2);
        let started_at = bed.a.now().as_millis();
        let call = place(&mut bed.a, &OutgoingCall { continuity_check: true, ..call_to("1008") });
        let incoming = bed.answer(End::B, 1, 3_000);
        assert_eq!(incoming[0].cic, 4);
        let kept = |events: Vec<Event>| -> Vec<Event> {
            events.into_iter().filter(|e| !matches!(e, Event::Bearer { .. })).collect()
        };
        assert_eq!(
            kept(bed.a.take_events()),
            vec![
                Event::Continuity { cic: 2, passed: false },
                Event::Retried { call, from: 2, to: 4 },
                Event::Continuity { cic: 4, passed: true },
            ]
        );
        assert_eq!(kept(bed.b.take_events()), vec![Event::Continuity { cic: 2, passed: false }]);
        let heard = bed.a.tones_heard.clone();
        assert_eq!(heard.len(), 1, "nothing came back on CIC 2: {heard:?}");
        assert_eq!(heard[0].cic, 4);
        assert_eq!(
            heard[0].connected_ms - started_at,
            2_000,
            "the repeat attempt when the tone timer ran out"
        );
        // Recognition takes four 10 ms blocks of tone in the transceiver; the tone comes back
        // some 10 ms after it leaves (both drivers' transmit buffers, the cable twice, B's loop),
        // so the fifth or the sixth block completes it.
        let took = heard[0].recognised_ms - heard[0].connected_ms;
        assert!((50..=60).contains(&took), "tone recognised after {took} ms");
        // Repaired before the first recheck (5 s): CCR, the tone comes back, CLF/RLG return
        // CIC 2 to idle at both ends.
        bed.b.broken.clear();
        bed.run_until(6_000, "recheck passed", |bed| bed.a.tones_heard.len() == 2);
        bed.run_until(1_000, "CIC 2 idle at both ends", |bed| {
            [&bed.a, &bed.b].iter().all(|n| n.user.circuit(2).map(|c| c.activity) == Some(Activity::Idle))
        });
        let recheck = bed.a.tones_heard[1];
        assert_eq!((recheck.cic, recheck.connected_ms - started_at), (2, 7_000));
        assert_eq!(
            kept(bed.a.take_events()),
            vec![
                Event::Alerting { call, inband: false },
                Event::Answered { call },
                Event::Continuity { cic: 2, passed: true }
            ]
        );
        assert_eq!(kept(bed.b.take_events()), vec![Event::Continuity { cic: 2, passed: true }]);
        hang_up(&mut bed.a, call);
        bed.run_until_idle("released");
        assert_eq!(
            messages(variant, &bed.a.trace.take().unwrap_or_default()),
            vec![
                (true, 2, T::Iai),
                (true, 2, T::Ccf),
                (true, 4, T::Iai),
                (true, 4, T::Cot),
                (false, 4, T::Acm),
                (false, 4, T::Anc),
                (true, 2, T::Ccr),
                (true, 2, T::Clf),
                (false, 2, T::Rlg),
                (true, 4, T::Clf),
                (false, 4, T::Rlg),
            ]
        );
        assert_all_idle(&bed);
    }
}
