//! Unit tests of one circuit: every line-signal transition and line timer, every compelled
//! cycle of a call setup with ANI at both ends, the group B outcomes, pulsed signals, overlap
//! sending and the register timers. Register signals are injected as recognised edges
//! (`inject_tone`); the audio path is exercised by the pair scenarios.

use super::*;
use crate::call::LineFault;
use crate::timers::No1Timer as T;
use tdm_base::Cause;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

/// China, line signals recognised at once (the recognition time has its own test).
fn quick() -> CircuitConfig {
    let mut config = CircuitConfig::china();
    config.set("timer.recognition", "0").unwrap();
    config
}

fn call(dnis: &str, ani: Option<&str>) -> OutgoingCall {
    OutgoingCall::new(dnis, ani).unwrap()
}

fn events(c: &mut Circuit) -> Vec<Event> {
    core::iter::from_fn(|| c.poll_event()).collect()
}

fn abcd(c: &mut Circuit) -> Option<u8> {
    let mut last = None;
    while let Some(nibble) = c.poll_abcd() {
        last = Some(nibble);
    }
    last
}

/// An outgoing call whose seizure was acknowledged at 10 ms.
fn outgoing(config: CircuitConfig, request: &OutgoingCall) -> (Circuit, CallId) {
    let mut c = Circuit::new(1, config);
    abcd(&mut c);
    let id = c.place_call(t(0), request).unwrap();
    c.handle_abcd(t(10), 0xF);
    abcd(&mut c);
    (c, id)
}

/// One compelled cycle seen from the calling end: the backward signal `code` comes and goes;
/// returns what the calling end sends next.
fn backward_cycle(c: &mut Circuit, now: Instant, code: u8) -> Option<u8> {
    c.inject_tone(now, code, true);
    assert_eq!(c.sending_signal(), None, "the forward signal stops when the backward one is seen");
    c.inject_tone(now + Duration::from_millis(20), code, false);
    c.sending_signal()
}

/// An incoming call seized at 0 ms.
fn incoming(config: CircuitConfig) -> Circuit {
    let mut c = Circuit::new(1, config);
    abcd(&mut c);
    c.handle_abcd(t(0), 0x3);
    c
}

/// One compelled cycle seen from the called end: the forward signal `code` comes; returns
/// the backward answer; then the forward signal goes and the answer must stop.
fn forward_cycle(c: &mut Circuit, now: Instant, code: u8) -> Option<u8> {
    c.inject_tone(now, code, true);
    let answer = c.sending_signal();
    c.inject_tone(now + Duration::from_millis(20), code, false);
    answer
}

/// A called end that has offered a call (DNIS "1", no ANI requested, KD 3).
fn offered() -> (Circuit, CallId) {
    let mut config = quick();
    config.dnis_length = Some(1);
    config.request_ani = false;
    let mut c = incoming(config);
    assert_eq!(forward_cycle(&mut c, t(100), 1), Some(3));
    c.inject_tone(t(200), 3, true);
    let id = c.call_id().unwrap();
    assert!(matches!(events(&mut c).as_slice(), [Event::Incoming(_)]));
    assert_eq!(abcd(&mut c), Some(0xF));
    (c, id)
}

// ---- line signaling ----

#[test]
fn a_new_circuit_is_idle_and_sends_idle_once() {
    let mut c = Circuit::new(7, CircuitConfig::china());
    assert_eq!(c.state(), CircuitState::Idle);
    assert_eq!(c.poll_abcd(), Some(0xB));
    assert_eq!(c.poll_abcd(), None);
    assert_eq!(c.poll_timeout(), None);
    assert!(!c.wants_audio());
    assert_eq!(c.timeslot(), 7);
}

#[test]
fn seizure_and_its_acknowledgement_start_the_first_digit() {
    let mut c = Circuit::new(5, quick());
    abcd(&mut c);
    let id = c.place_call(t(0), &call("12345678", Some("87654321"))).unwrap();
    assert_eq!(id, CallId { timeslot: 5, generation: 1 });
    assert_eq!(c.poll_abcd(), Some(0x3));
    assert_eq!(c.state(), CircuitState::SeizeSent);
    assert_eq!(c.timer(T::SeizeAck), Some(t(2000)));
    assert_eq!(c.sending_signal(), None);
    assert_eq!(c.place_call(t(1), &call("1", None)), Err(CallError::CircuitBusy(CircuitState::SeizeSent)));
    c.handle_abcd(t(30), 0xF);
    assert_eq!(c.state(), CircuitState::OutgoingRegister);
    assert_eq!(c.timer(T::SeizeAck), None);
    assert_eq!(c.sending_signal(), Some(1));
    assert_eq!(c.timer(T::ForwardAck), Some(t(5030)));
    assert_eq!(c.timer(T::RegisterSafety), Some(t(30_030)));
    assert!(c.wants_audio());
}

#[test]
fn no_seizure_acknowledgement_releases_reports_the_fault_and_leaves_the_circuit_idle() {
    let mut c = Circuit::new(1, quick());
    abcd(&mut c);
    let id = c.place_call(t(0), &call("1", None)).unwrap();
    c.handle_timeout(t(1999));
    assert_eq!(c.state(), CircuitState::SeizeSent);
    c.handle_timeout(t(2000));
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(
        events(&mut c),
        vec![
            Event::Fault { timeslot: 1, fault: LineFault::NoSeizeAck },
            Event::Released { call: id, cause: Cause::RecoveryOnTimerExpiry, remote: false },
            Event::Idle { timeslot: 1 },
        ]
    );
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn dual_seizure_holds_the_seizure_then_clears_with_cause_44() {
    let mut c = Circuit::new(1, quick());
    abcd(&mut c);
    let id = c.place_call(t(0), &call("1", None)).unwrap();
    c.handle_abcd(t(3), 0x3);
    assert_eq!(c.state(), CircuitState::DualSeizure);
    assert_eq!(c.timer(T::GlareHold), Some(t(153)));
    assert_eq!(c.timer(T::SeizeAck), None);
    c.handle_timeout(t(152));
    assert_eq!(abcd(&mut c), Some(0x3), "the seizure is still held");
    c.handle_timeout(t(153));
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(c.state(), CircuitState::ClearForwardSent);
    assert_eq!(
        events(&mut c),
        vec![Event::Released { call: id, cause: Cause::RequestedChannelNotAvailable, remote: false }]
    );
    c.handle_abcd(t(160), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
    assert_eq!(events(&mut c), vec![Event::Idle { timeslot: 1 }]);
    assert_eq!(c.stats().dual_seizures, 1);
}

#[test]
fn an_incoming_seizure_is_acknowledged_at_once() {
    let mut c = incoming(quick());
    assert_eq!(c.poll_abcd(), Some(0xF));
    assert_eq!(c.state(), CircuitState::IncomingRegister);
    assert_eq!(c.timer(T::BackwardNext), Some(t(4000)));
    assert_eq!(c.call_id(), Some(CallId { timeslot: 1, generation: 1 }));
    assert!(c.wants_audio());
    assert!(events(&mut c).is_empty(), "the application hears of the call once it is offered");
}

#[test]
fn answer_connects_and_clear_back_releases_then_release_guard_idles() {
    let (mut c, id) = outgoing(quick(), &call("1", None));
    assert_eq!(backward_cycle(&mut c, t(100), 3), Some(3));
    assert_eq!(backward_cycle(&mut c, t(200), 1), None);
    assert_eq!(c.state(), CircuitState::WaitAnswer);
    assert_eq!(c.timer(T::Answer), Some(t(60_220)));
    assert!(!c.wants_audio());
    assert_eq!(events(&mut c), vec![Event::Alerting { call: id, charge: true }]);
    c.handle_abcd(t(1000), 0x7);
    assert_eq!(c.state(), CircuitState::OutgoingAnswered);
    assert_eq!(c.timer(T::Answer), None);
    assert_eq!(events(&mut c), vec![Event::Connected { call: id }]);
    c.handle_abcd(t(5000), 0xF);
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(c.state(), CircuitState::ClearForwardSent);
    assert_eq!(c.timer(T::ReleaseGuard), Some(t(8000)));
    assert_eq!(
        events(&mut c),
        vec![Event::Released { call: id, cause: Cause::NormalClearing, remote: true }]
    );
    c.handle_abcd(t(5030), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
    assert_eq!(c.timer(T::ReleaseGuard), None);
    assert_eq!(events(&mut c), vec![Event::Idle { timeslot: 1 }]);
}

#[test]
fn clear_forward_by_this_end_waits_for_the_release_guard() {
    let (mut c, id) = outgoing(quick(), &call("1", None));
    c.hangup(t(50), id, Cause::NormalClearing).unwrap();
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(c.sending_signal(), None);
    assert!(!c.wants_audio());
    assert_eq!(c.state(), CircuitState::ClearForwardSent);
    assert_eq!(
        events(&mut c),
        vec![Event::Released { call: id, cause: Cause::NormalClearing, remote: false }]
    );
    assert_eq!(c.hangup(t(51), id, Cause::NormalClearing), Err(CallError::UnknownCall));
    c.handle_abcd(t(80), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn a_far_end_that_never_returns_to_idle_faults_the_circuit_until_it_does() {
    let (mut c, id) = outgoing(quick(), &call("1", None));
    c.hangup(t(50), id, Cause::NormalClearing).unwrap();
    events(&mut c);
    c.handle_timeout(t(3049));
    assert_eq!(c.state(), CircuitState::ClearForwardSent);
    c.handle_timeout(t(3050));
    assert_eq!(c.state(), CircuitState::Fault);
    assert_eq!(events(&mut c), vec![Event::Fault { timeslot: 1, fault: LineFault::NoReleaseGuard }]);
    assert_eq!(c.place_call(t(4000), &call("1", None)), Err(CallError::CircuitBusy(CircuitState::Fault)));
    c.handle_abcd(t(9000), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
    assert_eq!(events(&mut c), vec![Event::Idle { timeslot: 1 }]);
}

#[test]
fn no_answer_releases_with_cause_19() {
    let (mut c, id) = outgoing(quick(), &call("1", None));
    backward_cycle(&mut c, t(100), 3);
    backward_cycle(&mut c, t(200), 1);
    events(&mut c);
    c.handle_timeout(t(60_220));
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(events(&mut c), vec![Event::Released { call: id, cause: Cause::NoAnswer, remote: false }]);
    assert_eq!(c.state(), CircuitState::ClearForwardSent);
}

#[test]
fn clear_forward_during_an_incoming_call_returns_the_release_guard() {
    let (mut c, id) = offered();
    c.accept(t(210), id).unwrap();
    c.inject_tone(t(230), 3, false);
    assert_eq!(c.state(), CircuitState::Ringing);
    c.answer(t(300), id).unwrap();
    assert_eq!(abcd(&mut c), Some(0x7));
    assert_eq!(c.state(), CircuitState::IncomingAnswered);
    c.handle_abcd(t(900), 0xB);
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(c.state(), CircuitState::Idle);
    assert_eq!(
        events(&mut c),
        vec![
            Event::Released { call: id, cause: Cause::NormalClearing, remote: true },
            Event::Idle { timeslot: 1 }
        ]
    );
}

#[test]
fn clear_back_waits_for_clear_forward_and_faults_without_it() {
    let (mut c, id) = offered();
    c.accept(t(210), id).unwrap();
    c.inject_tone(t(230), 3, false);
    c.answer(t(300), id).unwrap();
    abcd(&mut c);
    c.hangup(t(400), id, Cause::NormalClearing).unwrap();
    assert_eq!(abcd(&mut c), Some(0xF));
    assert_eq!(c.state(), CircuitState::ClearBackSent);
    assert_eq!(c.timer(T::ClearForward), Some(t(60_400)));
    assert_eq!(
        events(&mut c),
        vec![Event::Released { call: id, cause: Cause::NormalClearing, remote: false }]
    );
    c.handle_timeout(t(60_400));
    assert_eq!(c.state(), CircuitState::Fault);
    assert_eq!(events(&mut c), vec![Event::Fault { timeslot: 1, fault: LineFault::NoClearForward }]);
    c.handle_abcd(t(70_000), 0xB);
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn blocking_and_unblocking_by_this_end() {
    let mut c = Circuit::new(1, quick());
    abcd(&mut c);
    c.block(t(0));
    assert_eq!(abcd(&mut c), Some(0xF));
    assert_eq!(c.state(), CircuitState::LocallyBlocked);
    assert!(c.place_call(t(1), &call("1", None)).is_err());
    // A seizure of a blocked circuit is ignored.
    c.handle_abcd(t(5), 0x3);
    assert_eq!(c.state(), CircuitState::LocallyBlocked);
    c.handle_abcd(t(6), 0xB);
    c.unblock(t(10));
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn blocking_asked_during_a_call_takes_effect_when_it_ends() {
    let (mut c, id) = outgoing(quick(), &call("1", None));
    c.block(t(20));
    assert_eq!(c.state(), CircuitState::OutgoingRegister);
    c.hangup(t(30), id, Cause::NormalClearing).unwrap();
    c.handle_abcd(t(40), 0xB);
    assert_eq!(c.state(), CircuitState::LocallyBlocked);
    assert_eq!(abcd(&mut c), Some(0xF));
}

#[test]
fn blocking_by_the_far_end() {
    let mut c = Circuit::new(1, quick());
    abcd(&mut c);
    c.handle_abcd(t(0), 0xF);
    assert_eq!(c.state(), CircuitState::RemotelyBlocked);
    assert_eq!(events(&mut c), vec![Event::Blocked { timeslot: 1 }]);
    assert_eq!(
        c.place_call(t(1), &call("1", None)),
        Err(CallError::CircuitBusy(CircuitState::RemotelyBlocked))
    );
    c.handle_abcd(t(10), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
    assert_eq!(events(&mut c), vec![Event::Unblocked { timeslot: 1 }]);
}

#[test]
fn an_impossible_pattern_on_an_idle_circuit_faults_it_until_idle_returns() {
    let mut c = Circuit::new(1, quick());
    abcd(&mut c);
    c.handle_abcd(t(0), 0x7);
    assert_eq!(c.state(), CircuitState::Fault);
    assert_eq!(
        events(&mut c),
        vec![Event::Fault {
            timeslot: 1,
            fault: LineFault::UnexpectedSignal { state: CircuitState::Idle, abcd: 0x7 }
        }]
    );
    c.handle_abcd(t(10), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn an_impossible_pattern_during_an_outgoing_call_releases_with_cause_111() {
    let (mut c, id) = outgoing(quick(), &call("12", None));
    c.handle_abcd(t(50), 0x3);
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(c.state(), CircuitState::Fault);
    assert_eq!(c.sending_signal(), None);
    assert_eq!(
        events(&mut c),
        vec![
            Event::Fault {
                timeslot: 1,
                fault: LineFault::UnexpectedSignal { state: CircuitState::OutgoingRegister, abcd: 0x3 }
            },
            Event::Released { call: id, cause: Cause::ProtocolError, remote: true },
        ]
    );
    c.handle_abcd(t(60), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn an_impossible_pattern_during_an_incoming_call_blocks_until_clear_forward() {
    let (mut c, id) = offered();
    c.accept(t(210), id).unwrap();
    c.inject_tone(t(230), 3, false);
    c.answer(t(300), id).unwrap();
    abcd(&mut c);
    events(&mut c);
    c.handle_abcd(t(400), 0x7);
    assert_eq!(abcd(&mut c), Some(0xF));
    assert_eq!(c.state(), CircuitState::Fault);
    assert_eq!(events(&mut c)[1], Event::Released { call: id, cause: Cause::ProtocolError, remote: true });
    c.handle_abcd(t(500), 0xB);
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn an_idle_backward_signal_during_register_signaling_is_a_fault_and_ends_idle() {
    let (mut c, id) = outgoing(quick(), &call("12", None));
    c.handle_abcd(t(50), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
    let all = events(&mut c);
    assert_eq!(all[1], Event::Released { call: id, cause: Cause::ProtocolError, remote: true });
    assert_eq!(all[2], Event::Idle { timeslot: 1 });
}

#[test]
fn a_line_change_counts_only_after_the_recognition_time() {
    let mut c = Circuit::new(1, CircuitConfig::china());
    abcd(&mut c);
    c.handle_abcd(t(0), 0x3);
    assert_eq!(c.state(), CircuitState::Idle);
    assert_eq!(c.timer(T::Recognition), Some(t(20)));
    // A glitch shorter than 20 ms is forgotten.
    c.handle_abcd(t(10), 0xB);
    assert_eq!(c.timer(T::Recognition), None);
    c.handle_timeout(t(30));
    assert_eq!(c.state(), CircuitState::Idle);
    c.handle_abcd(t(40), 0x3);
    c.handle_abcd(t(45), 0x3);
    assert_eq!(c.timer(T::Recognition), Some(t(60)), "a repeat does not restart it");
    c.handle_timeout(t(59));
    assert_eq!(c.state(), CircuitState::Idle);
    c.handle_timeout(t(60));
    assert_eq!(c.state(), CircuitState::IncomingRegister);
    assert_eq!(c.rx_abcd(), 0x3);
}

#[test]
fn reset_releases_the_call_and_idles_or_faults_by_the_far_end() {
    let (mut c, id) = outgoing(quick(), &call("12", None));
    c.reset(t(50));
    assert_eq!(c.state(), CircuitState::Fault, "the far end still acknowledges");
    assert_eq!(abcd(&mut c), Some(0xB));
    assert_eq!(
        events(&mut c),
        vec![Event::Released { call: id, cause: Cause::TemporaryFailure, remote: false }]
    );
    assert_eq!(c.poll_timeout(), None);
    c.handle_abcd(t(60), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
    c.reset(t(70));
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn variants_without_seizure_acknowledgement_start_register_signaling_at_once() {
    let mut config = quick();
    config.line.backward_seize_ack = None;
    let mut c = Circuit::new(1, config);
    c.place_call(t(0), &call("5", None)).unwrap();
    assert_eq!(c.state(), CircuitState::OutgoingRegister);
    assert_eq!(c.sending_signal(), Some(5));
    let mut called = Circuit::new(2, {
        let mut config = quick();
        config.line.backward_seize_ack = None;
        config
    });
    abcd(&mut called);
    called.handle_abcd(t(0), 0x3);
    assert_eq!(called.state(), CircuitState::IncomingRegister);
    assert_eq!(called.poll_abcd(), None, "nothing is acknowledged");
}

#[test]
fn itu_line_codes_are_used_when_configured() {
    let mut config = CircuitConfig::itu();
    config.set("timer.recognition", "0").unwrap();
    let mut c = Circuit::new(1, config);
    assert_eq!(c.poll_abcd(), Some(0x9));
    c.place_call(t(0), &call("1", None)).unwrap();
    assert_eq!(c.poll_abcd(), Some(0x1));
    c.handle_abcd(t(5), 0xD);
    assert_eq!(c.state(), CircuitState::OutgoingRegister);
}

// ---- register signaling: the calling end ----

#[test]
fn every_forward_cycle_of_a_china_call_with_ani() {
    let (mut c, id) = outgoing(quick(), &call("12345670", Some("87654321")));
    assert_eq!(c.sending_signal(), Some(1));
    // (backward signal, what the calling end sends next)
    let script: [(u8, Option<u8>); 19] = [
        (1, Some(2)),
        (1, Some(3)),
        (1, Some(4)),
        (1, Some(5)),
        (1, Some(6)),
        (1, Some(7)),
        (1, Some(10)),
        (6, Some(1)), // A6: send KA (category 1)
        (1, Some(8)), // A1 after KA: ANI digits
        (1, Some(7)),
        (1, Some(6)),
        (1, Some(5)),
        (1, Some(4)),
        (1, Some(3)),
        (1, Some(2)),
        (1, Some(1)),
        (1, Some(15)), // end of ANI
        (3, Some(3)),  // A3: change to group B, send KD 3
        (1, None),     // B1: free, charged
    ];
    for (i, (backward, expected)) in script.into_iter().enumerate() {
        let now = t(100 + 100 * i as u64);
        assert_eq!(backward_cycle(&mut c, now, backward), expected, "cycle {i}");
        if expected.is_some() {
            assert_eq!(c.timer(T::ForwardAck), Some(now + Duration::from_millis(5020)), "cycle {i}");
        }
    }
    assert_eq!(c.state(), CircuitState::WaitAnswer);
    assert_eq!(events(&mut c), vec![Event::Alerting { call: id, charge: true }]);
    let sent: Vec<Meaning> = c.trace().tones(TraceDirection::Sent).map(|(_, m)| m).collect();
    let mut expected: Vec<Meaning> = [1, 2, 3, 4, 5, 6, 7, 0].map(Meaning::Digit).to_vec();
    expected.push(Meaning::Category(1));
    expected.extend([8, 7, 6, 5, 4, 3, 2, 1].map(Meaning::AniDigit));
    expected.extend([Meaning::EndOfAni, Meaning::GroupII(3)]);
    assert_eq!(sent, expected);
    let received: Vec<u8> = c.trace().tones(TraceDirection::Received).map(|(code, _)| code).collect();
    assert_eq!(received, script.map(|(code, _)| code).to_vec());
}

#[test]
fn group_b_outcomes_reach_the_caller_as_the_right_result() {
    let cases = [
        (1, Event::Alerting { call: CallId { timeslot: 1, generation: 1 }, charge: true }),
        (6, Event::Alerting { call: CallId { timeslot: 1, generation: 1 }, charge: false }),
        (
            2,
            Event::Released {
                call: CallId { timeslot: 1, generation: 1 },
                cause: Cause::UserBusy,
                remote: true,
            },
        ),
        (
            3,
            Event::Released {
                call: CallId { timeslot: 1, generation: 1 },
                cause: Cause::UserBusy,
                remote: true,
            },
        ),
        (
            4,
            Event::Released {
                call: CallId { timeslot: 1, generation: 1 },
                cause: Cause::SwitchingEquipmentCongestion,
                remote: true,
            },
        ),
        (
            5,
            Event::Released {
                call: CallId { timeslot: 1, generation: 1 },
                cause: Cause::UnallocatedNumber,
                remote: true,
            },
        ),
        (
            9,
            Event::Released {
                call: CallId { timeslot: 1, generation: 1 },
                cause: Cause::ProtocolError,
                remote: true,
            },
        ),
    ];
    for (b, expected) in cases {
        let (mut c, _) = outgoing(quick(), &call("1", None));
        assert_eq!(backward_cycle(&mut c, t(100), 3), Some(3), "KD after A3");
        assert_eq!(backward_cycle(&mut c, t(200), b), None, "B{b}");
        assert_eq!(events(&mut c), vec![expected], "B{b}");
        let (state, line) = if expected_is_free(&expected) {
            (CircuitState::WaitAnswer, None)
        } else {
            (CircuitState::ClearForwardSent, Some(0xB))
        };
        assert_eq!(c.state(), state, "B{b}");
        assert_eq!(abcd(&mut c), line, "B{b}");
    }
}

fn expected_is_free(event: &Event) -> bool {
    matches!(event, Event::Alerting { .. })
}

#[test]
fn group_a_refusals_end_the_call() {
    for (a, cause) in
        [(4, Cause::SwitchingEquipmentCongestion), (5, Cause::UnallocatedNumber), (9, Cause::ProtocolError)]
    {
        let (mut c, id) = outgoing(quick(), &call("12", None));
        assert_eq!(backward_cycle(&mut c, t(100), a), None);
        assert_eq!(events(&mut c), vec![Event::Released { call: id, cause, remote: true }], "A{a}");
        assert_eq!(abcd(&mut c), Some(0xB));
    }
}

#[test]
fn resend_requests_step_back_in_the_number() {
    let (mut c, _) = outgoing(quick(), &call("1234", None));
    assert_eq!(backward_cycle(&mut c, t(100), 1), Some(2));
    assert_eq!(backward_cycle(&mut c, t(200), 1), Some(3));
    // A2 (China and ITU): send digit n-1 again, here the 2, then carry on.
    assert_eq!(backward_cycle(&mut c, t(300), 2), Some(2));
    assert_eq!(backward_cycle(&mut c, t(400), 1), Some(3));
    assert_eq!(backward_cycle(&mut c, t(500), 1), Some(4));
    let mut itu = CircuitConfig::itu();
    itu.set("timer.recognition", "0").unwrap();
    let (mut c, _) = outgoing(itu, &call("1234", None));
    for _ in 0..3 {
        backward_cycle(&mut c, t(100), 1);
    }
    assert_eq!(c.sending_signal(), Some(4));
    assert_eq!(backward_cycle(&mut c, t(200), 8), Some(1), "A8: n-3");
    assert_eq!(backward_cycle(&mut c, t(300), 7), Some(1), "A7: n-2 after the 1 is the 1 again");
}

#[test]
fn the_calling_end_falls_silent_without_an_end_of_number_signal_and_obeys_a_pulse() {
    let (mut c, _) = outgoing(quick(), &call("12", Some("9")));
    assert_eq!(backward_cycle(&mut c, t(100), 1), Some(2));
    // China has no end-of-DNIS signal: nothing to send.
    assert_eq!(backward_cycle(&mut c, t(200), 1), None);
    assert_eq!(c.timer(T::ForwardRequest), Some(t(10_220)));
    // The called end's pulsed A6 (150 ms) while this end is silent.
    c.inject_tone(t(2300), 6, true);
    assert_eq!(c.timer(T::ForwardRequest), None);
    c.inject_tone(t(2450), 6, false);
    assert_eq!(c.sending_signal(), Some(1), "KA");
    assert_eq!(backward_cycle(&mut c, t(2600), 1), Some(9), "ANI digit");
    assert_eq!(backward_cycle(&mut c, t(2700), 1), Some(15), "end of ANI");
}

#[test]
fn itu_asks_the_category_and_the_calling_number_with_a5_and_ends_the_number_with_i15() {
    let mut itu = CircuitConfig::itu();
    itu.set("timer.recognition", "0").unwrap();
    let (mut c, id) = outgoing(itu, &call("1", Some("23")));
    assert_eq!(backward_cycle(&mut c, t(100), 1), Some(15), "end of DNIS");
    assert_eq!(backward_cycle(&mut c, t(200), 5), Some(1), "category II-1");
    assert_eq!(backward_cycle(&mut c, t(300), 5), Some(2));
    assert_eq!(backward_cycle(&mut c, t(400), 5), Some(3));
    assert_eq!(backward_cycle(&mut c, t(500), 5), Some(15), "end of ANI");
    assert_eq!(backward_cycle(&mut c, t(600), 3), Some(1), "group II category");
    assert_eq!(backward_cycle(&mut c, t(700), 6), None);
    assert_eq!(events(&mut c), vec![Event::Alerting { call: id, charge: true }]);
    // A6 in group A is "address complete, charge": no group B.
    let mut itu = CircuitConfig::itu();
    itu.set("timer.recognition", "0").unwrap();
    let (mut c, _) = outgoing(itu, &call("1", None));
    assert_eq!(backward_cycle(&mut c, t(100), 6), None);
    assert_eq!(c.state(), CircuitState::WaitAnswer);
}

#[test]
fn a_restricted_calling_number_sends_the_restriction_signal_where_the_variant_has_one() {
    let mut itu = CircuitConfig::itu();
    itu.set("timer.recognition", "0").unwrap();
    let (mut c, _) = outgoing(itu, &call("1", None));
    backward_cycle(&mut c, t(100), 1);
    backward_cycle(&mut c, t(200), 5);
    assert_eq!(backward_cycle(&mut c, t(300), 5), Some(12));
    let (mut c, _) = outgoing(quick(), &call("1", None));
    assert_eq!(backward_cycle(&mut c, t(100), 6), Some(1));
    assert_eq!(backward_cycle(&mut c, t(200), 1), Some(15), "China: straight to end of ANI");
    assert_eq!(backward_cycle(&mut c, t(300), 1), None, "nothing more");
}

#[test]
fn overlap_sending_waits_for_digits_asked_for() {
    let mut request = call("12", None);
    request.complete = false;
    let (mut c, id) = outgoing(quick(), &request);
    assert_eq!(backward_cycle(&mut c, t(100), 1), Some(2));
    assert_eq!(backward_cycle(&mut c, t(200), 1), None);
    assert_eq!(c.timer(T::ForwardRequest), None, "waiting for digits, not for a pulse");
    c.send_digits(t(900), id, &Digits::parse("34").unwrap(), true).unwrap();
    assert_eq!(c.sending_signal(), Some(3));
    assert_eq!(backward_cycle(&mut c, t(1000), 1), Some(4));
    assert_eq!(backward_cycle(&mut c, t(1100), 1), None);
    assert_eq!(c.timer(T::ForwardRequest), Some(t(11_120)));
    assert_eq!(
        c.send_digits(t(1200), CallId { timeslot: 1, generation: 9 }, &Digits::new(), true),
        Err(CallError::UnknownCall)
    );
}

#[test]
fn calling_end_register_timers_end_the_call_with_cause_102() {
    for (timer, setup) in
        [(T::ForwardAck, 0), (T::ForwardAckOff, 1), (T::ForwardRequest, 2), (T::RegisterSafety, 3)]
    {
        let (mut c, id) = outgoing(quick(), &call("1", None));
        match setup {
            1 => c.inject_tone(t(100), 1, true),
            2 => {
                backward_cycle(&mut c, t(100), 1);
            }
            3 => {
                // Keep the cycles going until the overall limit.
                let mut now = 100;
                while c.timer(T::RegisterSafety).is_some_and(|d| d > t(now + 200)) {
                    c.inject_tone(t(now), 2, true);
                    c.inject_tone(t(now + 100), 2, false);
                    now += 200;
                }
            }
            _ => {}
        }
        let deadline = c.timer(timer).unwrap_or_else(|| panic!("{timer:?} runs"));
        c.handle_timeout(deadline);
        assert_eq!(
            events(&mut c),
            vec![Event::Released { call: id, cause: Cause::RecoveryOnTimerExpiry, remote: false }],
            "{timer:?}"
        );
        assert_eq!(abcd(&mut c), Some(0xB), "{timer:?}");
        assert_eq!(c.sending_signal(), None);
    }
}

// ---- register signaling: the called end ----

#[test]
fn every_backward_cycle_of_a_china_call_with_ani() {
    let mut config = quick();
    config.dnis_length = Some(8);
    let mut c = incoming(config);
    // (forward signal, the backward answer)
    let script: [(u8, u8); 19] = [
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 1),
        (5, 1),
        (6, 1),
        (7, 1),
        (10, 6), // 8th digit: A6, send KA and the calling number
        (1, 1),  // KA 1: A1 for the first ANI digit
        (8, 1),
        (7, 1),
        (6, 1),
        (5, 1),
        (4, 1),
        (3, 1),
        (2, 1),
        (1, 1),
        (15, 3), // end of ANI: A3, change to group B
        (3, 0),  // KD 3: offered (no answer until the application decides)
    ];
    for (i, (forward, backward)) in script.into_iter().enumerate() {
        let now = t(100 + 100 * i as u64);
        c.inject_tone(now, forward, true);
        let expected = (backward != 0).then_some(backward);
        assert_eq!(c.sending_signal(), expected, "cycle {i}");
        if expected.is_some() {
            assert_eq!(c.timer(T::BackwardForwardOff), Some(now + Duration::from_secs(5)), "cycle {i}");
            c.inject_tone(now + Duration::from_millis(20), forward, false);
            assert_eq!(c.sending_signal(), None, "cycle {i}: the answer stops with the forward signal");
        }
    }
    let id = c.call_id().unwrap();
    let incoming = IncomingCall {
        call: id,
        dnis: Digits::parse("12345670").unwrap(),
        ani: Digits::parse("87654321").unwrap(),
        ani_restricted: false,
        category: Some(1),
        group_ii: 3,
    };
    assert_eq!(events(&mut c), vec![Event::Incoming(incoming)]);
    assert_eq!(c.timer(T::Offer), Some(t(1900 + 3000)));
    c.accept(t(2000), id).unwrap();
    assert_eq!(c.sending_signal(), Some(1), "B1: free, charged");
    c.inject_tone(t(2020), 3, false);
    assert_eq!(c.sending_signal(), None);
    assert_eq!(c.state(), CircuitState::Ringing);
    assert!(!c.wants_audio());
    assert_eq!(c.trace().tones(TraceDirection::Received).count(), 19);
    assert_eq!(c.trace().tones(TraceDirection::Sent).count(), 19);
    assert_eq!(c.accept(t(2100), id), Err(CallError::WrongState(CircuitState::Ringing)));
}

#[test]
fn refusals_send_the_group_b_signal_of_the_cause() {
    for (cause, china, itu) in [
        (Cause::UserBusy, 2, 3),
        (Cause::UnallocatedNumber, 5, 5),
        (Cause::SwitchingEquipmentCongestion, 4, 4),
        (Cause::DestinationOutOfOrder, 4, 8),
        (Cause::NormalClearing, 4, 4),
    ] {
        let (mut c, id) = offered();
        c.reject(t(210), id, cause).unwrap();
        assert_eq!(c.sending_signal(), Some(china), "{cause:?}");
        assert_eq!(events(&mut c), vec![Event::Released { call: id, cause, remote: false }]);
        c.inject_tone(t(230), 3, false);
        assert_eq!(c.sending_signal(), None);
        assert_eq!(c.state(), CircuitState::ClearBackSent);
        assert_eq!(c.timer(T::ClearForward), Some(t(60_230)));
        c.handle_abcd(t(300), 0xB);
        assert_eq!(c.state(), CircuitState::Idle);
        let mut config = CircuitConfig::itu();
        config.set("timer.recognition", "0").unwrap();
        config.mfc.b_busy_toll = None;
        assert_eq!(config.mfc.group_b_code(GroupB::for_cause(cause)), itu, "{cause:?}");
    }
}

#[test]
fn answer_before_the_free_cycle_ends_is_sent_when_it_does() {
    let (mut c, id) = offered();
    c.accept(t(210), id).unwrap();
    c.answer(t(211), id).unwrap();
    assert_eq!(abcd(&mut c), None);
    c.inject_tone(t(230), 3, false);
    assert_eq!(abcd(&mut c), Some(0x7));
    assert_eq!(c.state(), CircuitState::IncomingAnswered);
}

#[test]
fn a_decision_after_the_forward_signal_ended_is_pulsed() {
    let (mut c, id) = offered();
    c.inject_tone(t(250), 3, false);
    c.accept(t(300), id).unwrap();
    assert_eq!(c.sending_signal(), Some(1));
    assert_eq!(c.timer(T::Pulse), Some(t(450)));
    c.handle_timeout(t(450));
    assert_eq!(c.sending_signal(), None);
    assert_eq!(c.state(), CircuitState::Ringing);
}

#[test]
fn silence_ends_the_called_number_with_a_pulsed_a6() {
    let mut c = incoming(quick());
    assert_eq!(forward_cycle(&mut c, t(100), 5), Some(1));
    assert_eq!(c.timer(T::EndOfNumber), Some(t(2120)));
    assert_eq!(c.timer(T::BackwardNext), None);
    assert_eq!(forward_cycle(&mut c, t(200), 6), Some(1));
    c.handle_timeout(t(2220));
    assert_eq!(c.sending_signal(), Some(6), "pulsed A6");
    assert_eq!(c.timer(T::Pulse), Some(t(2370)));
    c.handle_timeout(t(2370));
    assert_eq!(c.sending_signal(), None);
    assert_eq!(c.timer(T::BackwardNext), Some(t(6370)));
    assert_eq!(forward_cycle(&mut c, t(2400), 1), Some(1), "KA, then A1 for ANI");
    let pulses: Vec<bool> = c
        .trace()
        .entries()
        .filter_map(|e| match e.kind {
            TraceKind::ToneOn { pulse, .. } if e.direction == TraceDirection::Sent => Some(pulse),
            _ => None,
        })
        .collect();
    assert_eq!(pulses, vec![false, false, true, false]);
}

#[test]
fn silence_in_the_calling_number_changes_to_group_b_with_a_pulse() {
    // A calling end that cannot send its number (OpenR2 CN's defect) falls silent after KA.
    let mut config = quick();
    config.dnis_length = Some(1);
    let mut c = incoming(config);
    assert_eq!(forward_cycle(&mut c, t(100), 1), Some(6));
    assert_eq!(forward_cycle(&mut c, t(200), 1), Some(1));
    assert_eq!(forward_cycle(&mut c, t(300), 4), Some(1), "one ANI digit");
    c.handle_timeout(t(2320));
    assert_eq!(c.sending_signal(), Some(3), "pulsed A3");
    c.handle_timeout(t(2470));
    c.inject_tone(t(2500), 3, true);
    match events(&mut c).as_slice() {
        [Event::Incoming(call)] => {
            assert_eq!(call.ani.as_str(), "4");
            assert_eq!(call.dnis.as_str(), "1");
            assert_eq!(call.group_ii, 3);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_end_of_ani_and_restriction_signals_change_to_group_b() {
    let mut itu = CircuitConfig::itu();
    itu.set("timer.recognition", "0").unwrap();
    let mut c = incoming(itu);
    assert_eq!(forward_cycle(&mut c, t(100), 3), Some(1));
    assert_eq!(forward_cycle(&mut c, t(200), 15), Some(5), "end of DNIS: send category");
    assert_eq!(forward_cycle(&mut c, t(300), 2), Some(5), "category II-2: next ANI digit");
    assert_eq!(forward_cycle(&mut c, t(400), 12), Some(3), "restricted: group B");
    c.inject_tone(t(500), 1, true);
    match events(&mut c).as_slice() {
        [Event::Incoming(call)] => {
            assert!(call.ani_restricted);
            assert_eq!(call.category, Some(2));
            assert_eq!(call.dnis.as_str(), "3");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unexpected_forward_signal_is_answered_with_congestion() {
    let mut c = incoming(quick());
    assert_eq!(forward_cycle(&mut c, t(100), 13), Some(4));
    assert_eq!(c.state(), CircuitState::ClearBackSent);
    assert!(events(&mut c).is_empty(), "an unoffered call is not reported");
    c.handle_abcd(t(300), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn the_ani_length_limit_changes_to_group_b() {
    let mut config = quick();
    config.dnis_length = Some(1);
    config.ani_max_length = 2;
    let mut c = incoming(config);
    forward_cycle(&mut c, t(100), 1);
    forward_cycle(&mut c, t(200), 1);
    assert_eq!(forward_cycle(&mut c, t(300), 7), Some(1));
    assert_eq!(forward_cycle(&mut c, t(400), 8), Some(3));
}

#[test]
fn called_end_register_timers() {
    // No first digit: pulsed congestion, then wait for the clear-forward.
    let mut c = incoming(quick());
    c.handle_timeout(t(3999));
    assert_eq!(c.sending_signal(), None);
    c.handle_timeout(t(4000));
    assert_eq!(c.sending_signal(), Some(4));
    c.handle_timeout(t(4150));
    assert_eq!(c.state(), CircuitState::ClearBackSent);
    // A forward signal that never ends.
    let mut c = incoming(quick());
    c.inject_tone(t(100), 1, true);
    c.handle_timeout(t(5100));
    assert_eq!(c.sending_signal(), None);
    assert_eq!(c.state(), CircuitState::ClearBackSent);
    // No decision on an offered call: congestion.
    let (mut c, id) = offered();
    c.handle_timeout(t(3200));
    assert_eq!(c.sending_signal(), Some(4));
    assert_eq!(
        events(&mut c),
        vec![Event::Released { call: id, cause: Cause::RecoveryOnTimerExpiry, remote: false }]
    );
    // Auto-accept answers group II at once.
    let mut config = quick();
    config.dnis_length = Some(1);
    config.request_ani = false;
    config.auto_accept = true;
    let mut c = incoming(config);
    forward_cycle(&mut c, t(100), 1);
    c.inject_tone(t(200), 3, true);
    assert_eq!(c.sending_signal(), Some(1));
}

#[test]
fn hanging_up_during_register_signaling_refuses_after_the_current_cycle() {
    let mut c = incoming(quick());
    c.inject_tone(t(100), 1, true);
    let id = c.call_id().unwrap();
    c.hangup(t(110), id, Cause::NormalClearing).unwrap();
    assert_eq!(c.sending_signal(), Some(1), "the cycle in progress completes");
    c.inject_tone(t(120), 1, false);
    assert_eq!(c.sending_signal(), Some(4), "then congestion is pulsed");
    c.handle_timeout(t(270));
    assert_eq!(c.state(), CircuitState::ClearBackSent);
}

#[test]
fn a_seizure_straight_after_remote_blocking_unblocks_and_takes_the_call() {
    let mut c = Circuit::new(1, quick());
    abcd(&mut c);
    c.handle_abcd(t(0), 0xF);
    events(&mut c);
    c.handle_abcd(t(10), 0x3);
    assert_eq!(c.state(), CircuitState::IncomingRegister);
    assert_eq!(abcd(&mut c), Some(0xF));
    assert_eq!(events(&mut c), vec![Event::Unblocked { timeslot: 1 }]);
    // Garbage while blocked faults the circuit instead.
    let mut c = Circuit::new(1, quick());
    c.handle_abcd(t(0), 0xF);
    c.handle_abcd(t(10), 0x7);
    assert_eq!(c.state(), CircuitState::Fault);
}

#[test]
fn while_releasing_only_the_far_ends_idle_counts() {
    let (mut c, id) = outgoing(quick(), &call("1", None));
    c.hangup(t(20), id, Cause::NormalClearing).unwrap();
    // The far end may still show its acknowledgement or answer while it releases.
    c.handle_abcd(t(30), 0x7);
    c.handle_abcd(t(40), 0xF);
    assert_eq!(c.state(), CircuitState::ClearForwardSent);
    c.handle_abcd(t(50), 0xB);
    assert_eq!(c.state(), CircuitState::Idle);
}

#[test]
fn commands_in_the_wrong_state_are_refused_with_the_state() {
    let (mut c, id) = outgoing(quick(), &call("1", None));
    assert_eq!(c.accept(t(20), id), Err(CallError::WrongState(CircuitState::OutgoingRegister)));
    assert_eq!(c.answer(t(20), id), Err(CallError::WrongState(CircuitState::OutgoingRegister)));
    assert_eq!(
        c.reject(t(20), id, Cause::UserBusy),
        Err(CallError::WrongState(CircuitState::OutgoingRegister))
    );
    let mut bad = call("1", None);
    bad.category = Some(16);
    let mut idle = Circuit::new(2, quick());
    assert_eq!(idle.place_call(t(0), &bad), Err(CallError::BadSignal(16)));
    bad.category = None;
    bad.group_ii = Some(0);
    assert_eq!(idle.place_call(t(0), &bad), Err(CallError::BadSignal(0)));
    assert_eq!(idle.state(), CircuitState::Idle);
}
