//! ISUP on running spans: two exchanges on two simulated boards joined by two E1 cables, a
//! link set of two signalling links (TS16 of each) under ISUP, and 60 circuits on the other
//! timeslots (CICs 1–31 and 33–63, CIC = span base + timeslot). Every message crosses the
//! real driver's soft HDLC and the simulated cables; continuity checks send the 2000 Hz
//! tone into a circuit's timeslot and hear it come back through the far board's timeslot
//! loop. Calls go both ways and are cleared from either side; dual seizure, group blocking,
//! group reset and continuity checks that pass and fail are run; every scenario ends with
//! every circuit idle, unblocked and without a timer at both ends.
//!
//! A is 1-1-2 and B 1-1-1 (China 24-bit point codes; one scenario runs ITU 14-bit ones): A
//! has the higher point code and controls the even CICs, B the odd ones.

use tdm_base::Cause;
use tdm_scenarios::mtp::bed::PointPair;
use tdm_scenarios::mtp::circuits::{CircuitNode, Traced};
use tdm_ss7::circuit::pair::End;
use tdm_ss7::circuit::{
    Activity, BlockKind, CallError, CallId, Category, Event, Number, Origin, OutgoingCall, UserPart,
};
use tdm_ss7::isup::{Isup, IsupConfig};
use tdm_ss7::label::{PointCode, PointCodeFormat};

fn bed_in(format: PointCodeFormat) -> PointPair<Isup> {
    let (a, b) = match format {
        PointCodeFormat::China24 => (PointCode::china(1, 1, 2), PointCode::china(1, 1, 1)),
        PointCodeFormat::Itu14 => (
            PointCode::itu(1, 1, 2).unwrap_or_else(|e| panic!("{e}")),
            PointCode::itu(1, 1, 1).unwrap_or_else(|e| panic!("{e}")),
        ),
    };
    PointPair::new(format, a, b, move |own, peer, circuits| {
        Isup::new(IsupConfig::new(own, peer, format, circuits))
    })
}

/// The bench with its links up and the start-up group resets done: each side sent four GRS
/// (one per run of 15 CICs) and learnt from the GRAs that all 60 circuits are reset.
fn started(format: PointCodeFormat) -> PointPair<Isup> {
    let mut bed = bed_in(format);
    bed.a.trace = Some(Vec::new());
    bed.bring_up();
    bed.run_until_idle("start-up group resets acknowledged");
    for node in [&mut bed.a, &mut bed.b] {
        let events = node.take_events();
        assert_eq!(count(&events, |e| matches!(e, Event::Reset { remote: false, .. })), 60);
        assert_eq!(events.len(), 60, "only the resets: {events:?}");
    }
    let trace = bed.a.trace.take().unwrap_or_default();
    let grs: Vec<Vec<u8>> = trace
        .iter()
        .filter(|t| t.sent && message_type(t) == GRS)
        .map(|t| t.transfer.payload.as_slice().to_vec())
        .collect();
    // CIC, GRS, pointer 1, range length 1, range 14: circuits CIC ..= CIC + 14.
    assert_eq!(
        grs,
        [1u8, 17, 33, 49].iter().map(|&cic| vec![cic, 0x00, GRS, 0x01, 0x01, 0x0E]).collect::<Vec<_>>()
    );
    assert_eq!(trace.iter().filter(|t| !t.sent && message_type(t) == GRA).count(), 4);
    assert_all_idle(&bed);
    bed
}

const IAM: u8 = 0x01;
const COT: u8 = 0x05;
const ACM: u8 = 0x06;
const ANM: u8 = 0x09;
const REL: u8 = 0x0C;
const RLC: u8 = 0x10;
const CCR: u8 = 0x11;
const GRS: u8 = 0x17;
const CGB: u8 = 0x18;
const CGU: u8 = 0x19;
const CGBA: u8 = 0x1A;
const CGUA: u8 = 0x1B;
const GRA: u8 = 0x29;

fn message_type(traced: &Traced) -> u8 {
    traced.transfer.payload.as_slice().get(2).copied().unwrap_or(0)
}

/// `(sent, CIC, message type)` of each message in a node's trace.
fn messages(trace: &[Traced]) -> Vec<(bool, u16, u8)> {
    trace
        .iter()
        .map(|t| {
            let p = t.transfer.payload.as_slice();
            (t.sent, u16::from_le_bytes([p[0], p[1]]) & 0x0FFF, p[2])
        })
        .collect()
}

fn count(events: &[Event], matches: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| matches(e)).count()
}

fn answered(events: &[Event]) -> usize {
    count(events, |e| matches!(e, Event::Answered { .. }))
}

fn assert_all_idle(bed: &PointPair<Isup>) {
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

fn place(node: &mut CircuitNode<Isup>, request: &OutgoingCall) -> CallId {
    let now = node.now();
    node.user.place_call(now, request).unwrap_or_else(|e| panic!("{e}"))
}

fn hang_up(node: &mut CircuitNode<Isup>, call: CallId) {
    let now = node.now();
    node.user.hangup(now, call, Cause::NormalClearing).unwrap_or_else(|e| panic!("{e}"));
}

fn thirty_calls_each_way(format: PointCodeFormat) {
    let mut bed = started(format);
    let from_a: Vec<CallId> = (0..30).map(|i| place(&mut bed.a, &call_to(&format!("1008{i:02}")))).collect();
    let from_b: Vec<CallId> = (0..30).map(|i| place(&mut bed.b, &call_to(&format!("2008{i:02}")))).collect();
    // Both sides hunted their own halves first: A the 28 even CICs and then the two highest
    // odd ones, B the 30 lowest odd ones.
    let mut a_cics: Vec<u16> = from_a.iter().filter_map(|c| bed.a.user.call_circuit(*c)).collect();
    a_cics.sort();
    let mut expected: Vec<u16> = (2..=62).step_by(2).filter(|c| *c != 16 && *c != 32 && *c != 48).collect();
    expected.extend([61, 63]);
    expected.sort();
    assert_eq!(a_cics, expected);

    let at_b = bed.answer(End::B, 30, 3_000);
    let at_a = bed.answer(End::A, 30, 3_000);
    // Once B's IAMs are in, nothing is left for another call.
    let now = bed.a.now();
    assert_eq!(bed.a.user.place_call(now, &call_to("1")), Err(CallError::NoCircuit));
    bed.run_until(2_000, "every call answered", |bed| {
        [&bed.a, &bed.b].iter().all(|n| answered(n.events()) == 30)
    });
    // What B was offered: A's numbers, calling number and category, on A's circuits.
    let mut offered: Vec<(u16, String, Option<String>, u8)> = at_b
        .iter()
        .map(|i| (i.cic, i.called.digits.to_string(), i.calling.map(|n| n.digits.to_string()), i.category.0))
        .collect();
    offered.sort();
    let mut placed: Vec<(u16, String, Option<String>, u8)> = from_a
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let cic = bed.a.user.call_circuit(*c).unwrap_or(0);
            (cic, format!("1008{i:02}"), Some("88880001".to_string()), Category::ORDINARY.0)
        })
        .collect();
    placed.sort();
    assert_eq!(offered, placed);
    assert!(at_b.iter().all(|i| i.complete && i.original_called.is_none()));

    let a_events = bed.a.take_events();
    let b_events = bed.b.take_events();
    for call in &from_a {
        assert!(a_events.contains(&Event::Alerting { call: *call, inband: false }));
        assert!(a_events.contains(&Event::Answered { call: *call }));
    }
    for call in &from_b {
        assert!(b_events.contains(&Event::Alerting { call: *call, inband: false }));
        assert!(b_events.contains(&Event::Answered { call: *call }));
    }
    assert_eq!((a_events.len(), b_events.len()), (60, 60), "{a_events:?}");
    assert_eq!(bed.a.user.stats().dual_seizures + bed.b.user.stats().dual_seizures, 0);

    // A clears its first 15 calls and B the other 15 of A's; B clears its even-numbered
    // calls and A the odd-numbered ones of B's.
    for (i, call) in from_a.iter().enumerate() {
        if i < 15 {
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
    thirty_calls_each_way(PointCodeFormat::China24);
}

#[test]
fn thirty_calls_each_way_fill_the_two_e1s_and_clear_from_either_side_itu() {
    thirty_calls_each_way(PointCodeFormat::Itu14);
}

#[test]
fn a_basic_call_crosses_the_spans_iam_acm_anm_rel_rlc() {
    let mut bed = started(PointCodeFormat::China24);
    bed.a.trace = Some(Vec::new());
    bed.b.trace = Some(Vec::new());
    let placed_at = bed.a.now();
    let call = place(&mut bed.a, &call_to("1008"));
    let incoming = bed.answer(End::B, 1, 3_000);
    assert_eq!(incoming[0].cic, 2, "A's first own circuit");
    bed.run_until(1_000, "answered", |bed| answered(bed.a.events()) == 1);
    hang_up(&mut bed.a, call);
    bed.run_until_idle("released");
    assert_eq!(
        bed.a.take_events(),
        vec![
            Event::Alerting { call, inband: false },
            Event::Answered { call },
            Event::Released { call, cause: Cause::NormalClearing, remote: false },
        ]
    );
    assert_eq!(
        bed.b.take_events(),
        vec![Event::Released { call: incoming[0].call, cause: Cause::NormalClearing, remote: true }]
    );
    let a_trace = bed.a.trace.take().unwrap_or_default();
    let b_trace = bed.b.trace.take().unwrap_or_default();
    assert_eq!(
        messages(&a_trace),
        vec![(true, 2, IAM), (false, 2, ACM), (false, 2, ANM), (true, 2, REL), (false, 2, RLC)]
    );
    // B saw the same messages the other way round, each a few blocks after A sent it (the
    // link's queue, the HDLC framing and 1 ms blocks on a cable).
    let flipped: Vec<(bool, u16, u8)> = messages(&b_trace).into_iter().map(|(s, c, t)| (!s, c, t)).collect();
    assert_eq!(flipped, messages(&a_trace));
    let iam_delay = b_trace[0].at_ms - a_trace[0].at_ms;
    assert!((2..=12).contains(&iam_delay), "IAM took {iam_delay} ms");
    assert_eq!(a_trace[0].at_ms, placed_at.as_millis() + 1, "the IAM leaves with the next block");
    // China label: SLS from the CIC's low bits, 24-bit point codes both ways.
    let (pc_a, pc_b) = (PointCode::china(1, 1, 2), PointCode::china(1, 1, 1));
    for t in &a_trace {
        let (opc, dpc) = if t.sent { (pc_a, pc_b) } else { (pc_b, pc_a) };
        assert_eq!((t.transfer.label.opc, t.transfer.label.dpc, t.transfer.label.sls), (opc, dpc, 2));
    }
    assert_all_idle(&bed);
}

#[test]
fn dual_seizure_on_the_same_cic_is_resolved_by_the_point_codes() {
    let mut bed = started(PointCodeFormat::China24);
    // In the same block both seize CIC 5 (odd: B controls it) and CIC 6 (even: A's); the
    // IAMs cross on the link set.
    let a5 = place(&mut bed.a, &OutgoingCall { cic: Some(5), ..call_to("1005") });
    let a6 = place(&mut bed.a, &OutgoingCall { cic: Some(6), ..call_to("1006") });
    let b5 = place(&mut bed.b, &OutgoingCall { cic: Some(5), ..call_to("2005") });
    let b6 = place(&mut bed.b, &OutgoingCall { cic: Some(6), ..call_to("2006") });
    let at_a = bed.answer(End::A, 2, 3_000);
    let at_b = bed.answer(End::B, 2, 3_000);
    // A kept CIC 6 and gave up 5, moving its call to its first own circuit (2); B kept 5 and
    // moved its call from 6 to its first own circuit (1).
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
    let a_events = bed.a.take_events();
    let b_events = bed.b.take_events();
    assert_eq!(
        a_events.iter().filter(|e| matches!(e, Event::Retried { .. })).collect::<Vec<_>>(),
        vec![&Event::Retried { call: a5, from: 5, to: 2 }]
    );
    assert_eq!(
        b_events.iter().filter(|e| matches!(e, Event::Retried { .. })).collect::<Vec<_>>(),
        vec![&Event::Retried { call: b6, from: 6, to: 1 }]
    );
    // Each exchange saw both collisions.
    assert_eq!((bed.a.user.stats().dual_seizures, bed.b.user.stats().dual_seizures), (2, 2));
    for call in [a5, a6] {
        hang_up(&mut bed.a, call);
    }
    for call in [b5, b6] {
        hang_up(&mut bed.b, call);
    }
    bed.run_until_idle("all four released");
    assert_all_idle(&bed);
}

#[test]
fn group_blocking_keeps_calls_off_group_reset_and_hardware_blocking_clear_them() {
    let mut bed = started(PointCodeFormat::China24);
    bed.a.trace = Some(Vec::new());
    // A blocks CICs 1–15 for maintenance: one CGB, one CGBA.
    let now = bed.a.now();
    bed.a.user.block(now, 1, 15, BlockKind::Maintenance).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until(1_000, "CGB acknowledged", |bed| bed.a.events().len() == 15);
    let local = Event::Blocked { cic: 0, origin: Origin::Local, kind: BlockKind::Maintenance };
    let remote = Event::Blocked { cic: 0, origin: Origin::Remote, kind: BlockKind::Maintenance };
    assert_eq!(bed.a.take_events(), (1..=15).map(|cic| with_cic(local, cic)).collect::<Vec<_>>());
    assert_eq!(bed.b.take_events(), (1..=15).map(|cic| with_cic(remote, cic)).collect::<Vec<_>>());
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
    bed.b.take_events();
    bed.a.take_events();
    // Unblocked again: one CGU, one CGUA.
    let now = bed.a.now();
    bed.a.user.unblock(now, 1, 15, BlockKind::Maintenance).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until(1_000, "CGU acknowledged", |bed| bed.a.events().len() == 15);
    assert_eq!(
        count(&bed.b.take_events(), |e| matches!(e, Event::Unblocked { origin: Origin::Remote, .. })),
        15
    );
    assert_eq!(
        count(&bed.a.take_events(), |e| matches!(e, Event::Unblocked { origin: Origin::Local, .. })),
        15
    );

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
    bed.run_ms(20);
    let a_events = bed.a.take_events();
    let b_events = bed.b.take_events();
    for call in &calls {
        assert!(b_events.contains(&Event::Released {
            call: *call,
            cause: Cause::TemporaryFailure,
            remote: true
        }));
    }
    assert_eq!(count(&b_events, |e| matches!(e, Event::Reset { remote: true, .. })), 15);
    assert_eq!(b_events.len(), 30, "{b_events:?}");
    assert_eq!(count(&a_events, |e| matches!(e, Event::Released { remote: false, .. })), 15);
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
    // The call on CIC 17 was untouched, until A declares a hardware failure on 17–20 (CGB,
    // hardware oriented), which releases it at both ends.
    let a_call = bed.a.user.circuit(17).map(|c| c.activity);
    assert_eq!(a_call, Some(Activity::Incoming));
    let now = bed.a.now();
    bed.a.user.block(now, 17, 20, BlockKind::Hardware).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until_idle("hardware blocking acknowledged");
    let a_events = bed.a.take_events();
    let b_events = bed.b.take_events();
    let hardware = |origin| Event::Blocked { cic: 0, origin, kind: BlockKind::Hardware };
    // Blocked first, then the call on the circuit released.
    let mut expected: Vec<Event> = (17..=20).map(|cic| with_cic(hardware(Origin::Remote), cic)).collect();
    expected.insert(1, Event::Released { call: b_call, cause: Cause::TemporaryFailure, remote: true });
    assert_eq!(b_events, expected);
    assert_eq!(
        count(&a_events, |e| matches!(
            e,
            Event::Released { cause: Cause::TemporaryFailure, remote: false, .. }
        )),
        1
    );
    assert_eq!(
        a_events.iter().filter(|e| matches!(e, Event::Blocked { .. })).copied().collect::<Vec<_>>(),
        (17..=20).map(|cic| with_cic(hardware(Origin::Local), cic)).collect::<Vec<_>>()
    );
    assert_eq!(a_events.len(), 5, "{a_events:?}");
    let now = bed.a.now();
    bed.a.user.unblock(now, 17, 20, BlockKind::Hardware).unwrap_or_else(|e| panic!("{e}"));
    bed.run_until_idle("hardware unblocking acknowledged");
    assert_eq!(
        count(&bed.a.take_events(), |e| matches!(
            e,
            Event::Unblocked { origin: Origin::Local, kind: BlockKind::Hardware, .. }
        )),
        4
    );
    assert_eq!(
        count(&bed.b.take_events(), |e| matches!(
            e,
            Event::Unblocked { origin: Origin::Remote, kind: BlockKind::Hardware, .. }
        )),
        4
    );
    let sent: Vec<(u16, u8)> = messages(&bed.a.trace.take().unwrap_or_default())
        .into_iter()
        .filter(|(_, _, t)| matches!(*t, CGB | CGBA | CGU | CGUA | GRS | GRA))
        .map(|(sent, cic, t)| (cic, if sent { t } else { t | 0x80 }))
        .collect();
    assert_eq!(
        sent,
        vec![
            (1, CGB),
            (1, CGBA | 0x80),
            (1, CGU),
            (1, CGUA | 0x80),
            (33, GRS),
            (33, GRA | 0x80),
            (17, CGB),
            (17, CGBA | 0x80),
            (17, CGU),
            (17, CGUA | 0x80),
        ]
    );
    assert_all_idle(&bed);
}

fn with_cic(event: Event, cic: u16) -> Event {
    match event {
        Event::Blocked { origin, kind, .. } => Event::Blocked { cic, origin, kind },
        other => other,
    }
}

#[test]
fn continuity_checks_pass_through_the_far_loop_and_fail_without_it() {
    let mut bed = started(PointCodeFormat::China24);
    bed.a.trace = Some(Vec::new());
    // A good circuit: A's transceiver hears its tone back through B's loop on span 0 TS2.
    let checked = OutgoingCall { continuity_check: true, ..call_to("1008") };
    let call = place(&mut bed.a, &checked);
    let incoming = bed.answer(End::B, 1, 3_000);
    assert_eq!(incoming[0].cic, 2);
    let heard = bed.a.tones_heard.clone();
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].cic, 2);
    // Recognition takes four 10 ms blocks of tone in the transceiver; the tone comes back
    // some 10 ms after it leaves (both drivers' transmit buffers, the cable twice, B's loop),
    // so the fifth or the sixth block completes it.
    let took = heard[0].recognised_ms - heard[0].connected_ms;
    assert!((50..=60).contains(&took), "tone recognised after {took} ms");
    bed.run_until(1_000, "answered", |bed| answered(bed.a.events()) == 1);
    assert_eq!(
        bed.a.take_events().into_iter().filter(|e| !matches!(e, Event::Bearer { .. })).collect::<Vec<_>>(),
        vec![
            Event::Continuity { cic: 2, passed: true },
            Event::Alerting { call, inband: false },
            Event::Answered { call },
        ]
    );
    hang_up(&mut bed.b, incoming[0].call);
    bed.run_until_idle("released");
    bed.a.take_events();
    bed.b.take_events();

    // Broken at B: the loop on CIC 2 is never connected, T24 (2 s) fails the check, the call
    // moves to CIC 4 where the check passes.
    bed.b.broken.insert(2);
    let started_at = bed.a.now().as_millis();
    let call = place(&mut bed.a, &checked);
    let incoming = bed.answer(End::B, 1, 3_000);
    assert_eq!(incoming[0].cic, 4);
    let a_events = bed.a.take_events();
    let continuity: Vec<&Event> =
        a_events.iter().filter(|e| matches!(e, Event::Continuity { .. } | Event::Retried { .. })).collect();
    assert_eq!(
        continuity,
        vec![
            &Event::Continuity { cic: 2, passed: false },
            &Event::Retried { call, from: 2, to: 4 },
            &Event::Continuity { cic: 4, passed: true }
        ]
    );
    assert_eq!(bed.a.tones_heard.iter().map(|t| t.cic).collect::<Vec<_>>(), vec![2, 4], "nothing heard on 2");
    let failed_at = bed.a.trace.as_ref().and_then(|t| {
        t.iter()
            .find(|m| m.sent && message_type(m) == COT && m.transfer.payload.as_slice()[3] == 0)
            .map(|m| m.at_ms)
    });
    assert_eq!(failed_at.map(|at| at - started_at), Some(2_000), "COT (failed) when T24 (2 s) ran out");
    assert!(bed.b.take_events().contains(&Event::Continuity { cic: 2, passed: false }));
    assert_eq!(bed.a.user.circuit(2).map(|c| c.activity), Some(Activity::ContinuityCheck));
    assert_eq!(bed.b.user.circuit(2).map(|c| c.activity), Some(Activity::ContinuityCheck));

    // Repaired before T25 (5 s) runs out: the recheck (CCR) hears the tone and REL/RLC
    // return CIC 2 to idle at both ends.
    bed.b.broken.clear();
    bed.run_until(6_000, "recheck passed", |bed| bed.a.tones_heard.len() == 3);
    assert_eq!(bed.a.tones_heard[2].cic, 2);
    assert_eq!(bed.a.tones_heard[2].connected_ms - started_at, 7_000, "CCR when T25 (5 s) ran out");
    bed.run_ms(50);
    assert!(bed.a.take_events().contains(&Event::Continuity { cic: 2, passed: true }));
    assert_eq!(bed.a.user.circuit(2).map(|c| c.activity), Some(Activity::Idle));
    assert_eq!(bed.b.user.circuit(2).map(|c| c.activity), Some(Activity::Idle));
    let recheck: Vec<(bool, u16, u8)> = messages(&bed.a.trace.take().unwrap_or_default())
        .into_iter()
        .filter(|(_, cic, _)| *cic == 2)
        .collect();
    assert_eq!(
        recheck,
        vec![
            (true, 2, IAM),
            (true, 2, COT),
            (false, 2, ACM),
            (false, 2, ANM),
            (false, 2, REL),
            (true, 2, RLC),
            (true, 2, IAM),
            (true, 2, COT),
            (true, 2, CCR),
            (true, 2, REL),
            (false, 2, RLC),
        ]
    );
    hang_up(&mut bed.a, call);
    bed.run_until_idle("released");
    assert_all_idle(&bed);
}
