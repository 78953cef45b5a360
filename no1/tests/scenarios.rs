//! Both ends this stack, joined in memory through A-law audio and ABCD bits (`Pair`): many
//! calls at once, clearing from either end, dual seizure, a far end that falls silent during
//! register signaling, refusals, blocking. Every circuit must be idle at the end.

use std::collections::BTreeMap;
use tdm_base::{Cause, Duration, Instant};
use tdm_no1::pair::{End, Pair};
use tdm_no1::trace::TraceDirection;
use tdm_no1::*;

fn china(dnis_length: Option<u8>) -> CircuitConfig {
    let mut config = CircuitConfig::china();
    config.dnis_length = dnis_length;
    config
}

fn all_idle(pair: &Pair) -> bool {
    pair.a.circuits().chain(pair.b.circuits()).all(|c| c.state() == CircuitState::Idle)
}

fn states(pair: &Pair) -> Vec<(u8, CircuitState, CircuitState)> {
    pair.a
        .circuits()
        .zip(pair.b.circuits())
        .filter(|(a, b)| a.state() != CircuitState::Idle || b.state() != CircuitState::Idle)
        .map(|(a, b)| (a.timeslot(), a.state(), b.state()))
        .collect()
}

/// Runs the pair, accepting and answering every call offered to end B, until `done`.
fn run_answering(
    pair: &mut Pair,
    limit: Duration,
    log: &mut Vec<(End, Event)>,
    mut done: impl FnMut(&[(End, Event)]) -> bool,
) -> bool {
    pair.run_while(limit, |p| {
        for end in [End::A, End::B] {
            for event in p.take_events(end) {
                let now = p.now;
                if let (End::B, Event::Incoming(call)) = (end, event) {
                    p.b.accept(now, call.call).unwrap();
                }
                log.push((end, event));
            }
        }
        // The called party answers as soon as its circuit rings.
        let ringing: Vec<CallId> =
            p.b.circuits()
                .filter(|c| c.state() == CircuitState::Ringing)
                .filter_map(|c| c.call_id())
                .collect();
        for call in ringing {
            let now = p.now;
            p.b.answer(now, call).unwrap();
        }
        done(log)
    })
}

#[test]
fn thirty_calls_at_once_with_ani_and_clearing_from_both_ends() {
    let mut pair = Pair::new(china(Some(8)), china(Some(8)));
    let mut calls = BTreeMap::new();
    for i in 0..30u32 {
        let dnis = format!("{:08}", 55_500_000 + i);
        let ani = format!("{:08}", 13_900_000 + i);
        let request = OutgoingCall::new(&dnis, Some(&ani)).unwrap();
        let id = pair.a.place_call(pair.now, &request).unwrap();
        calls.insert(id.timeslot, (id, dnis, ani));
    }
    assert_eq!(pair.a.idle_count(), 0);
    assert!(pair.a.place_call(pair.now, &OutgoingCall::new("1", None).unwrap()).is_err());
    let start = pair.now;
    let mut log = Vec::new();
    let connected = run_answering(&mut pair, Duration::from_secs(10), &mut log, |log| {
        log.iter().filter(|(end, e)| *end == End::A && matches!(e, Event::Connected { .. })).count() == 30
    });
    assert!(connected, "{:?}", states(&pair));
    let setup = pair.now - start;
    assert!(setup < Duration::from_secs(2), "30 parallel setups took {setup:?}");
    // What end B was offered: exactly the numbers end A sent, on the same timeslots.
    let offered: BTreeMap<u8, (String, String, Option<u8>, u8)> = log
        .iter()
        .filter_map(|(end, e)| match (end, e) {
            (End::B, Event::Incoming(call)) => Some((
                call.call.timeslot,
                (call.dnis.to_string(), call.ani.to_string(), call.category, call.group_ii),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(offered.len(), 30);
    for (ts, (_, dnis, ani)) in &calls {
        assert_eq!(offered.get(ts), Some(&(dnis.clone(), ani.clone(), Some(1), 3)), "ts {ts}");
    }
    let alerting = log
        .iter()
        .filter(|(end, e)| *end == End::A && matches!(e, Event::Alerting { charge: true, .. }))
        .count();
    assert_eq!(alerting, 30);
    // Each call's trace holds its whole register exchange: 8 + 1 + 8 + 1 + 1 forward signals.
    for circuit in pair.a.circuits() {
        assert_eq!(circuit.trace().tones(TraceDirection::Sent).count(), 19, "ts {}", circuit.timeslot());
        assert_eq!(circuit.trace().tones(TraceDirection::Received).count(), 19, "ts {}", circuit.timeslot());
        assert_eq!(circuit.trace().dropped(), 0);
    }
    // Clear: end A hangs up the even timeslots, end B the odd ones.
    log.clear();
    let now = pair.now;
    let b_calls: Vec<CallId> = pair.b.circuits().filter_map(|c| c.call_id()).collect();
    for (ts, (id, _, _)) in &calls {
        if ts % 2 == 0 {
            pair.a.hangup(now, *id, Cause::NormalClearing).unwrap();
        }
    }
    for id in b_calls.iter().filter(|id| id.timeslot % 2 == 1) {
        pair.b.hangup(now, *id, Cause::NormalClearing).unwrap();
    }
    let idle = run_answering(&mut pair, Duration::from_secs(5), &mut log, |_| false);
    assert!(!idle);
    assert!(all_idle(&pair), "{:?}", states(&pair));
    let released = |end: End, remote: bool| {
        log.iter()
            .filter(|(e, ev)| *e == end && matches!(ev, Event::Released { cause: Cause::NormalClearing, remote: r, .. } if *r == remote))
            .count()
    };
    // 14 even timeslots cleared by A (local at A, remote at B), 16 odd ones by B.
    assert_eq!((released(End::A, false), released(End::A, true)), (14, 16));
    assert_eq!((released(End::B, false), released(End::B, true)), (16, 14));
    assert_eq!(log.iter().filter(|(_, e)| matches!(e, Event::Idle { .. })).count(), 60);
}

#[test]
fn dual_seizure_releases_both_calls_and_a_retry_succeeds() {
    let mut pair = Pair::new(china(Some(4)), china(Some(4)));
    let request = OutgoingCall::new("1234", None).unwrap();
    let now = pair.now;
    let a = pair.a.place_call_on(now, 9, &request).unwrap();
    let b = pair.b.place_call_on(now, 9, &request).unwrap();
    let mut log = Vec::new();
    run_answering(&mut pair, Duration::from_secs(2), &mut log, |_| false);
    assert!(all_idle(&pair), "{:?}", states(&pair));
    let glare = Cause::RequestedChannelNotAvailable;
    assert!(log.contains(&(End::A, Event::Released { call: a, cause: glare, remote: false })), "{log:?}");
    assert!(log.contains(&(End::B, Event::Released { call: b, cause: glare, remote: false })), "{log:?}");
    assert_eq!(pair.a.circuit(9).unwrap().stats().dual_seizures, 1);
    assert_eq!(pair.b.circuit(9).unwrap().stats().dual_seizures, 1);
    // End A tries again on the same circuit and gets through.
    log.clear();
    let now = pair.now;
    pair.a.place_call_on(now, 9, &request).unwrap();
    let connected = run_answering(&mut pair, Duration::from_secs(5), &mut log, |log| {
        log.iter().any(|(end, e)| *end == End::A && matches!(e, Event::Connected { .. }))
    });
    assert!(connected, "{log:?}");
}

#[test]
fn a_far_end_falling_silent_mid_register_signaling_is_cleared_on_both_ends() {
    let mut pair = Pair::new(china(Some(8)), china(Some(8)));
    let request = OutgoingCall::new("12345678", Some("87654321")).unwrap();
    pair.a.place_call(pair.now, &request).unwrap();
    // Four digits get through, then end B's tones are lost.
    let reached = pair.run_while(Duration::from_secs(2), |p| {
        p.a.circuit(1).unwrap().trace().tones(TraceDirection::Sent).count() >= 4
    });
    assert!(reached);
    pair.mute_b = true;
    let muted_at = pair.now;
    let mut log = Vec::new();
    run_answering(&mut pair, Duration::from_secs(20), &mut log, |_| false);
    assert!(all_idle(&pair), "{:?}", states(&pair));
    let released_at_a: Vec<_> = log
        .iter()
        .filter_map(|(end, e)| match (end, e) {
            (End::A, Event::Released { cause, remote, .. }) => Some((*cause, *remote)),
            _ => None,
        })
        .collect();
    assert_eq!(released_at_a, vec![(Cause::RecoveryOnTimerExpiry, false)]);
    // End A cleared forward once its fwd_ack timer (5 s) ran out after its last signal.
    let clear = pair
        .a
        .circuit(1)
        .unwrap()
        .trace()
        .entries()
        .filter(|e| e.direction == TraceDirection::Sent)
        .last()
        .unwrap()
        .at;
    let waited = clear - muted_at;
    assert!(waited >= Duration::from_millis(4900) && waited <= Duration::from_millis(5100), "{waited:?}");
    // End B never offered the call, so it reports nothing but the circuit's return to idle.
    assert!(log.iter().all(|(end, e)| *end == End::A || matches!(e, Event::Idle { .. })), "{log:?}");
}

#[test]
fn a_calling_end_falling_silent_is_refused_by_the_called_end_then_cleared() {
    let mut pair = Pair::new(china(None), china(None));
    let request = OutgoingCall::new("12345678", Some("87654321")).unwrap();
    pair.a.place_call(pair.now, &request).unwrap();
    let reached = pair.run_while(Duration::from_secs(2), |p| {
        p.a.circuit(1).unwrap().trace().tones(TraceDirection::Sent).count() >= 2
    });
    assert!(reached);
    pair.mute_a = true;
    let mut log = Vec::new();
    run_answering(&mut pair, Duration::from_secs(30), &mut log, |_| false);
    assert!(all_idle(&pair), "{:?}", states(&pair));
    // End B took the silence for the end of the number and pulsed A6; end A obeyed with KA,
    // which end B never heard; end B then pulsed congestion, which ended the call at end A.
    let b_sent: Vec<_> = pair.b.circuit(1).unwrap().trace().tones(TraceDirection::Sent).collect();
    assert_eq!(
        b_sent,
        vec![
            (1, Meaning::A(GroupA::NextDigit)),
            (6, Meaning::A(GroupA::SendCategory)),
            (4, Meaning::A(GroupA::Congestion))
        ]
    );
    let a_sent: Vec<_> = pair.a.circuit(1).unwrap().trace().tones(TraceDirection::Sent).collect();
    assert_eq!(a_sent, vec![(1, Meaning::Digit(1)), (2, Meaning::Digit(2)), (1, Meaning::Category(1))]);
    let a_released: Vec<_> = log
        .iter()
        .filter_map(|(end, e)| match (end, e) {
            (End::A, Event::Released { cause, remote, .. }) => Some((*cause, *remote)),
            _ => None,
        })
        .collect();
    assert_eq!(a_released, vec![(Cause::SwitchingEquipmentCongestion, true)]);
    assert!(log.contains(&(End::A, Event::Idle { timeslot: 1 })));
    assert!(log.contains(&(End::B, Event::Idle { timeslot: 1 })));
}

#[test]
fn refusals_reach_the_caller_with_their_causes_through_the_audio_path() {
    for (cause, expected) in [
        (Cause::UserBusy, Cause::UserBusy),
        (Cause::UnallocatedNumber, Cause::UnallocatedNumber),
        (Cause::SwitchingEquipmentCongestion, Cause::SwitchingEquipmentCongestion),
        (Cause::NormalClearing, Cause::SwitchingEquipmentCongestion),
    ] {
        let mut pair = Pair::new(china(Some(3)), china(Some(3)));
        let id = pair.a.place_call(pair.now, &OutgoingCall::new("123", Some("45")).unwrap()).unwrap();
        let mut a_log = Vec::new();
        pair.run_while(Duration::from_secs(5), |p| {
            for event in p.take_events(End::B) {
                if let Event::Incoming(call) = event {
                    let now = p.now;
                    p.b.reject(now, call.call, cause).unwrap();
                }
            }
            a_log.extend(p.take_events(End::A));
            false
        });
        assert_eq!(
            a_log,
            vec![Event::Released { call: id, cause: expected, remote: true }, Event::Idle { timeslot: 1 }],
            "{cause:?}"
        );
        assert!(all_idle(&pair), "{cause:?}: {:?}", states(&pair));
    }
}

#[test]
fn the_end_of_the_number_is_found_by_silence_when_its_length_is_unknown() {
    let mut pair = Pair::new(china(None), china(None));
    pair.a.place_call(pair.now, &OutgoingCall::new("7654321", Some("13912345678")).unwrap()).unwrap();
    let mut log = Vec::new();
    let rang = run_answering(&mut pair, Duration::from_secs(10), &mut log, |log| {
        log.iter().any(|(end, e)| *end == End::A && matches!(e, Event::Connected { .. }))
    });
    assert!(rang, "{:?}", states(&pair));
    let offered = log.iter().find_map(|(_, e)| match e {
        Event::Incoming(call) => Some(*call),
        _ => None,
    });
    let offered = offered.unwrap();
    assert_eq!((offered.dnis.as_str(), offered.ani.as_str()), ("7654321", "13912345678"));
}

#[test]
fn itu_variant_end_to_end() {
    let mut itu = CircuitConfig::itu();
    itu.dnis_length = None;
    let mut pair = Pair::new(itu.clone(), itu);
    let id = pair.a.place_call(pair.now, &OutgoingCall::new("4711", Some("0815")).unwrap()).unwrap();
    let mut log = Vec::new();
    let connected = run_answering(&mut pair, Duration::from_secs(10), &mut log, |log| {
        log.iter().any(|(end, e)| *end == End::A && matches!(e, Event::Connected { .. }))
    });
    assert!(connected, "{:?}", states(&pair));
    assert!(log.contains(&(End::A, Event::Alerting { call: id, charge: true })));
    let sent: Vec<u8> =
        pair.a.circuit(1).unwrap().trace().tones(TraceDirection::Sent).map(|(c, _)| c).collect();
    // 4 7 1 1, I-15, category II-1, 0 8 1 5, I-15, II-1.
    assert_eq!(sent, vec![4, 7, 1, 1, 15, 1, 10, 8, 1, 5, 15, 1]);
    assert_eq!(pair.a.circuit(1).unwrap().tx_abcd(), 0x1);
}

#[test]
fn blocking_is_seen_by_the_far_end_and_skipped_by_hunting() {
    let mut pair = Pair::new(china(Some(1)), china(Some(1)));
    let now = pair.now;
    pair.b.circuit_mut(1).unwrap().block(now);
    pair.run_for(Duration::from_millis(50));
    assert_eq!(pair.a.circuit(1).unwrap().state(), CircuitState::RemotelyBlocked);
    assert_eq!(pair.take_events(End::A), vec![Event::Blocked { timeslot: 1 }]);
    let id = pair.a.place_call(pair.now, &OutgoingCall::new("5", None).unwrap()).unwrap();
    assert_eq!(id.timeslot, 2);
    let now = pair.now;
    pair.b.circuit_mut(1).unwrap().unblock(now);
    pair.run_for(Duration::from_millis(50));
    assert_eq!(pair.a.circuit(1).unwrap().state(), CircuitState::Idle);
    assert!(pair.take_events(End::A).contains(&Event::Unblocked { timeslot: 1 }));
}

#[test]
fn the_far_end_hearing_nothing_is_reported_as_no_seizure_acknowledgement() {
    let mut pair = Pair::new(china(Some(1)), china(Some(1)));
    // ABCD changes never arrive: a far end that does not answer on the line.
    pair.line_delay = Duration::from_secs(3600);
    let id = pair.a.place_call(pair.now, &OutgoingCall::new("5", None).unwrap()).unwrap();
    pair.run_until(Instant::from_millis(2500));
    let events = pair.take_events(End::A);
    assert_eq!(
        events,
        vec![
            Event::Fault { timeslot: 1, fault: LineFault::NoSeizeAck },
            Event::Released { call: id, cause: Cause::RecoveryOnTimerExpiry, remote: false },
            Event::Idle { timeslot: 1 },
        ]
    );
    assert_eq!(pair.a.circuit(1).unwrap().state(), CircuitState::Idle);
}
