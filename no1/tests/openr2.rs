//! Interop with OpenR2 1.3.3's China variant on the far end of a simulated timeslot (see
//! `peers/openr2` for how OpenR2 runs without DAHDI hardware). Calls both ways: OpenR2 as the
//! called side asking for and receiving DNIS and ANI from this stack, and OpenR2 as the
//! calling side (DNIS only: its China calling side cannot send ANI, a known defect).
//!
//! Set `TDM_OPENR2_LOG=1` to see OpenR2's own log.

mod openr2_bridge;

use openr2_bridge::Bridge;
use tdm_base::{Cause, Duration};
use tdm_no1::trace::TraceDirection;
use tdm_no1::*;
use tdm_peer_openr2::{AVAILABLE, CallMode, Category, Config, Or2Event};

fn skip() -> bool {
    if !AVAILABLE {
        eprintln!("OpenR2 not available: skipped");
    }
    !AVAILABLE
}

fn dump(bridge: &Bridge) -> String {
    let mut text = String::new();
    for (at, e) in &bridge.their_events {
        text += &format!("{at} openr2 {e:?}\n");
    }
    for (at, e) in &bridge.our_events {
        text += &format!("{at} ours {e:?}\n");
    }
    for e in bridge.ours.trace().entries() {
        text += &format!("{e}\n");
    }
    text
}

fn offered(bridge: &Bridge) -> Option<(String, String, i32)> {
    bridge.their_events.iter().find_map(|(_, e)| match e {
        Or2Event::Offered { ani, dnis, category } => Some((ani.clone(), dnis.clone(), *category)),
        _ => None,
    })
}

fn digits(bridge: &Bridge, ani: bool) -> String {
    bridge
        .their_events
        .iter()
        .filter_map(|(_, e)| match (e, ani) {
            (Or2Event::AniDigit(d), true) | (Or2Event::DnisDigit(d), false) => Some(*d),
            _ => None,
        })
        .collect()
}

/// Our outgoing call to OpenR2 (asking for the DNIS's length and at most 20 ANI digits) up
/// to its offer.
fn call_openr2(dnis: &str, ani: Option<&str>) -> (Bridge, CallId) {
    call_openr2_with(dnis, ani, Config { max_ani: 20, ..Config::china(dnis.len() as i32) })
}

fn call_openr2_with(dnis: &str, ani: Option<&str>, theirs: Config) -> (Bridge, CallId) {
    let mut bridge = Bridge::new(CircuitConfig::china(), &theirs).unwrap();
    let request = OutgoingCall::new(dnis, ani).unwrap();
    let id = bridge.ours.place_call(bridge.now, &request).unwrap();
    let ok = bridge.run(Duration::from_secs(10), |b| offered(b).is_some());
    assert!(ok, "{}", dump(&bridge));
    (bridge, id)
}

#[test]
fn openr2_called_side_receives_dnis_and_ani_from_us_and_we_clear_first() {
    if skip() {
        return;
    }
    let (mut bridge, id) = call_openr2("12345678", Some("87654321"));
    assert_eq!(
        offered(&bridge),
        Some(("87654321".into(), "12345678".into(), Category::NationalSubscriber as i32))
    );
    assert_eq!(digits(&bridge, false), "12345678");
    assert_eq!(digits(&bridge, true), "87654321");
    // Every signal of the exchange, as this end sent and heard them.
    let sent: Vec<u8> = bridge.ours.trace().tones(TraceDirection::Sent).map(|(c, _)| c).collect();
    assert_eq!(sent, vec![1, 2, 3, 4, 5, 6, 7, 8, 1, 8, 7, 6, 5, 4, 3, 2, 1, 15, 3]);
    let heard: Vec<Meaning> = bridge.ours.trace().tones(TraceDirection::Received).map(|(_, m)| m).collect();
    let mut expected = vec![Meaning::A(GroupA::NextDigit); 7];
    expected.push(Meaning::A(GroupA::SendCategory));
    expected.extend(vec![Meaning::A(GroupA::NextAniDigit); 9]);
    expected.push(Meaning::A(GroupA::ChangeToGroupB));
    assert_eq!(heard, expected);

    assert!(bridge.theirs.accept(CallMode::WithCharge));
    let alerting = bridge.run(Duration::from_secs(2), |b| b.we_said(|e| matches!(e, Event::Alerting { .. })));
    assert!(alerting, "{}", dump(&bridge));
    assert!(bridge.we_said(|e| *e == Event::Alerting { call: id, charge: true }));
    assert!(bridge.theirs.answer());
    let connected =
        bridge.run(Duration::from_secs(2), |b| b.we_said(|e| matches!(e, Event::Connected { .. })));
    assert!(connected, "{}", dump(&bridge));
    assert_eq!(bridge.ours.state(), CircuitState::OutgoingAnswered);

    let now = bridge.now;
    bridge.ours.hangup(now, id, Cause::NormalClearing).unwrap();
    let told = bridge.run(Duration::from_secs(2), |b| {
        b.their_events.iter().any(|(_, e)| matches!(e, Or2Event::Disconnect(_)))
    });
    assert!(told, "{}", dump(&bridge));
    assert!(bridge.they_said(&Or2Event::Disconnect(Some(tdm_peer_openr2::Cause::NormalClearing))));
    assert!(bridge.theirs.disconnect(tdm_peer_openr2::Cause::NormalClearing));
    let idle = bridge.run(Duration::from_secs(5), |b| b.ours.is_idle() && b.they_said(&Or2Event::End));
    assert!(idle, "{}", dump(&bridge));
    let ours: Vec<Event> = bridge.our_events.iter().map(|(_, e)| *e).collect();
    assert_eq!(
        ours,
        vec![
            Event::Alerting { call: id, charge: true },
            Event::Connected { call: id },
            Event::Released { call: id, cause: Cause::NormalClearing, remote: false },
            Event::Idle { timeslot: 1 },
        ]
    );
    assert!(!bridge.their_events.iter().any(|(_, e)| matches!(e, Or2Event::ProtocolError(_))));
}

#[test]
fn openr2_called_side_clears_first_with_clear_back() {
    if skip() {
        return;
    }
    // OpenR2 asks for at most 10 ANI digits and changes to group B after the tenth: this end
    // sends KD at once instead of the eleventh digit.
    let (mut bridge, id) =
        call_openr2_with("5550123", Some("13900001111"), Config { max_ani: 10, ..Config::china(7) });
    assert_eq!(offered(&bridge).map(|o| (o.0, o.1)), Some(("1390000111".into(), "5550123".into())));
    let last_sent: Vec<Meaning> = bridge.ours.trace().tones(TraceDirection::Sent).map(|(_, m)| m).collect();
    assert_eq!(last_sent[last_sent.len() - 2..], [Meaning::AniDigit(1), Meaning::GroupII(3)]);
    assert!(bridge.theirs.accept(CallMode::WithCharge));
    assert!(bridge.run(Duration::from_secs(2), |b| b.we_said(|e| matches!(e, Event::Alerting { .. }))));
    assert!(bridge.theirs.answer());
    assert!(bridge.run(Duration::from_secs(2), |b| b.we_said(|e| matches!(e, Event::Connected { .. }))));
    assert!(bridge.theirs.disconnect(tdm_peer_openr2::Cause::NormalClearing));
    let idle = bridge.run(Duration::from_secs(5), |b| b.ours.is_idle() && b.they_said(&Or2Event::End));
    assert!(idle, "{}", dump(&bridge));
    assert!(
        bridge.we_said(|e| *e == Event::Released { call: id, cause: Cause::NormalClearing, remote: true })
    );
}

#[test]
fn openr2_refusals_reach_us_as_causes() {
    if skip() {
        return;
    }
    for (theirs, ours) in [
        (tdm_peer_openr2::Cause::BusyNumber, Cause::UserBusy),
        (tdm_peer_openr2::Cause::NetworkCongestion, Cause::SwitchingEquipmentCongestion),
        (tdm_peer_openr2::Cause::UnallocatedNumber, Cause::UnallocatedNumber),
    ] {
        let (mut bridge, id) = call_openr2("1234", None);
        assert!(bridge.theirs.disconnect(theirs));
        let released =
            bridge.run(Duration::from_secs(3), |b| b.we_said(|e| matches!(e, Event::Released { .. })));
        assert!(released, "{theirs:?}\n{}", dump(&bridge));
        assert!(
            bridge.we_said(|e| *e == Event::Released { call: id, cause: ours, remote: true }),
            "{theirs:?}"
        );
        // Our clear-forward reaches OpenR2 as a disconnect, which its user acknowledges.
        let told = bridge.run(Duration::from_secs(1), |b| {
            b.their_events.iter().any(|(_, e)| matches!(e, Or2Event::Disconnect(_)))
        });
        assert!(told, "{theirs:?}\n{}", dump(&bridge));
        assert!(bridge.theirs.disconnect(tdm_peer_openr2::Cause::NormalClearing));
        let idle = bridge.run(Duration::from_secs(5), |b| b.ours.is_idle() && b.they_said(&Or2Event::End));
        assert!(idle, "{theirs:?}\n{}", dump(&bridge));
    }
}

/// OpenR2 calls us; returns once we were offered the call.
fn openr2_calls(config: CircuitConfig, ani: &str, dnis: &str) -> (Bridge, IncomingCall) {
    let mut bridge = Bridge::new(config, &Config::china(8)).unwrap();
    assert!(bridge.theirs.make_call(ani, dnis, Category::NationalSubscriber));
    let mut call = None;
    let ok = bridge.run(Duration::from_secs(15), |b| {
        call = b.our_events.iter().find_map(|(_, e)| match e {
            Event::Incoming(call) => Some(*call),
            _ => None,
        });
        call.is_some()
    });
    assert!(ok, "{}", dump(&bridge));
    (bridge, call.unwrap())
}

#[test]
fn openr2_calling_side_sends_us_dnis_and_we_answer() {
    if skip() {
        return;
    }
    let mut config = CircuitConfig::china();
    config.dnis_length = Some(8);
    let (mut bridge, call) = openr2_calls(config, "", "12345678");
    assert_eq!(call.dnis.as_str(), "12345678");
    // OpenR2 answers A6 with its group II category (II-1) as KA, and the change to group B
    // with II-1 again as KD.
    assert_eq!((call.category, call.group_ii), (Some(1), 1));
    assert_eq!(call.ani.as_str(), "");
    let now = bridge.now;
    bridge.ours.accept(now, call.call).unwrap();
    let accepted = bridge.run(Duration::from_secs(2), |b| {
        b.their_events.iter().any(|(_, e)| matches!(e, Or2Event::Accepted(_)))
    });
    assert!(accepted, "{}", dump(&bridge));
    assert!(bridge.they_said(&Or2Event::Accepted(CallMode::WithCharge as i32)));
    let now = bridge.now;
    bridge.ours.answer(now, call.call).unwrap();
    assert!(bridge.run(Duration::from_secs(2), |b| b.they_said(&Or2Event::Answered)), "{}", dump(&bridge));
    // OpenR2 hangs up: clear-forward.
    assert!(bridge.theirs.disconnect(tdm_peer_openr2::Cause::NormalClearing));
    let idle = bridge.run(Duration::from_secs(5), |b| b.ours.is_idle() && b.they_said(&Or2Event::End));
    assert!(idle, "{}", dump(&bridge));
    assert!(
        bridge.we_said(
            |e| *e == Event::Released { call: call.call, cause: Cause::NormalClearing, remote: true }
        )
    );
    assert!(
        !bridge.their_events.iter().any(|(_, e)| matches!(e, Or2Event::ProtocolError(_))),
        "{}",
        dump(&bridge)
    );
}

#[test]
fn openr2_calling_side_cannot_send_ani_and_we_complete_without_it() {
    if skip() {
        return;
    }
    // Its calling side takes our A1 after KA for a DNIS request, has no digit left and falls
    // silent; our end-of-number silence then changes to group B with a pulsed A3.
    let mut config = CircuitConfig::china();
    config.dnis_length = Some(4);
    let (mut bridge, call) = openr2_calls(config, "87654321", "4321");
    assert_eq!((call.dnis.as_str(), call.ani.as_str()), ("4321", ""));
    let sent: Vec<(u8, Meaning)> = bridge.ours.trace().tones(TraceDirection::Sent).collect();
    assert_eq!(
        sent[sent.len() - 2..],
        [(1, Meaning::A(GroupA::NextAniDigit)), (3, Meaning::A(GroupA::ChangeToGroupB))],
        "{}",
        dump(&bridge)
    );
    let pulsed = bridge.ours.trace().entries().any(|e| {
        e.direction == TraceDirection::Sent
            && matches!(e.kind, tdm_no1::trace::TraceKind::ToneOn { code: 3, pulse: true, .. })
    });
    assert!(pulsed);
    let now = bridge.now;
    bridge.ours.accept(now, call.call).unwrap();
    assert!(bridge.run(Duration::from_secs(2), |b| {
        b.their_events.iter().any(|(_, e)| matches!(e, Or2Event::Accepted(_)))
    }));
    let now = bridge.now;
    bridge.ours.hangup(now, call.call, Cause::NormalClearing).unwrap();
    // Clear-back before answer looks like the acknowledgement: OpenR2 waits for its answer
    // timer; hanging it up clears forward.
    assert!(bridge.theirs.disconnect(tdm_peer_openr2::Cause::NormalClearing));
    let idle = bridge.run(Duration::from_secs(5), |b| b.ours.is_idle() && b.they_said(&Or2Event::End));
    assert!(idle, "{}", dump(&bridge));
}

#[test]
fn openr2_calling_side_with_unknown_dnis_length_and_our_refusal() {
    if skip() {
        return;
    }
    // DNIS length unknown: silence ends it (pulsed A6), then KA, then the silence after A1
    // (pulsed A3), then KD.
    let (mut bridge, call) = openr2_calls(CircuitConfig::china(), "", "7654321");
    assert_eq!(call.dnis.as_str(), "7654321");
    let now = bridge.now;
    bridge.ours.reject(now, call.call, Cause::UserBusy).unwrap();
    let told = bridge.run(Duration::from_secs(3), |b| {
        b.their_events.iter().any(|(_, e)| matches!(e, Or2Event::Disconnect(_)))
    });
    assert!(told, "{}", dump(&bridge));
    assert!(bridge.they_said(&Or2Event::Disconnect(Some(tdm_peer_openr2::Cause::BusyNumber))));
    assert!(bridge.theirs.disconnect(tdm_peer_openr2::Cause::NormalClearing));
    let idle = bridge.run(Duration::from_secs(5), |b| b.ours.is_idle() && b.they_said(&Or2Event::End));
    assert!(idle, "{}", dump(&bridge));
}
