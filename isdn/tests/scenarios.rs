//! Whole-interface scenarios on the in-memory pair: network side and user side of this stack
//! on one D-channel, in virtual time.

use tdm_base::{Cause, Duration, Instant};
use tdm_isdn::Side;
use tdm_isdn::pair::Pair;
use tdm_isdn::q931::channels::ChannelState;
use tdm_isdn::q931::{CallId, Event, OutgoingCall, RestartScope};

fn started_pair() -> Pair {
    let mut pair = Pair::with_defaults();
    pair.start();
    assert_eq!(pair.take_events(Side::Network), vec![Event::LinkUp]);
    assert_eq!(pair.take_events(Side::User), vec![Event::LinkUp]);
    pair
}

fn incoming_calls(events: &[Event]) -> Vec<(CallId, u8, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Incoming { call, timeslot, called, .. } => {
                Some((*call, *timeslot, called.digits_str().to_string()))
            }
            _ => None,
        })
        .collect()
}

fn released(events: &[Event]) -> Vec<(CallId, Cause, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Released { call, cause, remote } => Some((*call, *cause, *remote)),
            _ => None,
        })
        .collect()
}

fn all_idle(pair: &Pair) -> bool {
    pair.network.channels().idle_count() == 30
        && pair.user.channels().idle_count() == 30
        && pair.network.call_count() == 0
        && pair.user.call_count() == 0
}

/// Places `count` calls from `from`, answers them all on the other side; returns
/// (caller's ids, callee's ids) in placing order.
fn establish_calls(pair: &mut Pair, from: Side, count: usize) -> (Vec<CallId>, Vec<CallId>) {
    let mut callers = Vec::new();
    for i in 0..count {
        let now = pair.now;
        let request = OutgoingCall::new(&format!("1000{i:02}")).unwrap();
        callers.push(pair.side(from).place_call(now, &request).unwrap());
    }
    pair.drive();
    let to = from.peer();
    let incoming = incoming_calls(&pair.take_events(to));
    assert_eq!(incoming.len(), count);
    for (i, (_, _, called)) in incoming.iter().enumerate() {
        assert_eq!(called, &format!("1000{i:02}"));
    }
    for (call, _, _) in &incoming {
        let now = pair.now;
        pair.side(to).alert(*call, true).unwrap();
        pair.side(to).answer(now, *call).unwrap();
    }
    pair.drive();
    let caller_events = pair.take_events(from);
    let connected = caller_events.iter().filter(|e| matches!(e, Event::Connected { .. })).count();
    assert_eq!(connected, count);
    let callee_events = pair.take_events(to);
    let callee_connected = callee_events.iter().filter(|e| matches!(e, Event::Connected { .. })).count();
    assert_eq!(callee_connected, count);
    (callers, incoming.into_iter().map(|(call, _, _)| call).collect())
}

#[test]
fn thirty_simultaneous_calls_are_answered_and_cleared_from_both_ends_then_restarted() {
    let mut pair = started_pair();
    let (user_calls, network_calls) = establish_calls(&mut pair, Side::User, 30);
    assert_eq!(pair.user.channels().idle_count(), 0);
    assert_eq!(pair.network.channels().idle_count(), 0);
    // Both sides agree on every call's timeslot, and all 30 are different.
    let mut timeslots: Vec<u8> = user_calls.iter().map(|c| pair.user.call_timeslot(*c).unwrap()).collect();
    let network_timeslots: Vec<u8> =
        network_calls.iter().map(|c| pair.network.call_timeslot(*c).unwrap()).collect();
    assert_eq!(timeslots, network_timeslots);
    timeslots.sort_unstable();
    assert_eq!(timeslots, (1..=15).chain(17..=31).collect::<Vec<u8>>());
    for call in &user_calls {
        assert_eq!(pair.user.call_state(*call).map(|s| s.number), Some(10));
    }
    // The user hangs up the even calls, the network the odd ones.
    for (i, (user_call, network_call)) in user_calls.iter().zip(&network_calls).enumerate() {
        let now = pair.now;
        if i % 2 == 0 {
            pair.user.hangup(now, *user_call, Cause::NormalClearing).unwrap();
        } else {
            pair.network.hangup(now, *network_call, Cause::NormalClearing).unwrap();
        }
    }
    pair.drive();
    let user_released = released(&pair.take_events(Side::User));
    let network_released = released(&pair.take_events(Side::Network));
    assert_eq!(user_released.len(), 30);
    assert_eq!(network_released.len(), 30);
    for (call, cause, remote) in &user_released {
        let index = user_calls.iter().position(|c| c == call).unwrap();
        assert_eq!((*cause, *remote), (Cause::NormalClearing, index % 2 == 1));
    }
    assert!(all_idle(&pair));
    // Then the network restarts the whole interface.
    let now = pair.now;
    pair.network.restart(now, RestartScope::Interface).unwrap();
    pair.drive();
    assert_eq!(
        pair.take_events(Side::Network),
        vec![Event::RestartCompleted { scope: RestartScope::Interface }]
    );
    assert_eq!(pair.take_events(Side::User), vec![Event::RestartReceived { scope: RestartScope::Interface }]);
    assert!(all_idle(&pair));
    // Nothing is left running but the data links' T203.
    pair.run_for(Duration::from_secs(600));
    assert!(all_idle(&pair));
    assert!(pair.take_events(Side::User).is_empty());
    assert!(pair.take_events(Side::Network).is_empty());
}

#[test]
fn calls_in_both_directions_share_the_channels_without_glare() {
    let mut pair = started_pair();
    let (from_user, _) = establish_calls(&mut pair, Side::User, 15);
    let (from_network, _) = establish_calls(&mut pair, Side::Network, 15);
    let user_side: Vec<u8> = from_user.iter().map(|c| pair.user.call_timeslot(*c).unwrap()).collect();
    let network_side: Vec<u8> =
        from_network.iter().map(|c| pair.network.call_timeslot(*c).unwrap()).collect();
    assert_eq!(user_side, (1..=15).collect::<Vec<u8>>());
    assert_eq!(network_side, (17..=31).rev().collect::<Vec<u8>>());
    let now = pair.now;
    assert_eq!(
        pair.user.place_call(now, &OutgoingCall::new("9").unwrap()),
        Err(tdm_isdn::q931::CallError::NoChannel)
    );
}

#[test]
fn restart_of_one_channel_clears_only_its_call() {
    let mut pair = started_pair();
    let (user_calls, network_calls) = establish_calls(&mut pair, Side::User, 3);
    let timeslot = pair.network.call_timeslot(network_calls[1]).unwrap();
    let now = pair.now;
    pair.network.restart(now, RestartScope::Channel(timeslot)).unwrap();
    pair.drive();
    let network_events = pair.take_events(Side::Network);
    assert_eq!(released(&network_events), vec![(network_calls[1], Cause::TemporaryFailure, false)]);
    let user_events = pair.take_events(Side::User);
    assert_eq!(released(&user_events), vec![(user_calls[1], Cause::TemporaryFailure, false)]);
    assert_eq!(pair.user.channels().state(timeslot), Some(ChannelState::Idle));
    assert_eq!(pair.user.call_count(), 2);
    assert_eq!(pair.network.call_count(), 2);
}

#[test]
fn a_cable_cut_mid_call_clears_the_calls_and_the_link_comes_back() {
    let mut pair = started_pair();
    let (user_calls, _) = establish_calls(&mut pair, Side::User, 4);
    // One more call is still ringing when the cable is cut.
    let now = pair.now;
    let ringing = pair.user.place_call(now, &OutgoingCall::new("77").unwrap()).unwrap();
    pair.drive();
    let incoming = incoming_calls(&pair.take_events(Side::Network));
    pair.network.alert(incoming[0].0, false).unwrap();
    pair.drive();
    pair.take_events(Side::User);
    pair.cable_cut = true;
    let cut_at = pair.now;
    // T203 (10 s) notices, N200 polls fail (3 s more), SABMEs fail: the link is down.
    pair.run_for(Duration::from_secs(20));
    let user_events = pair.take_events(Side::User);
    assert!(user_events.contains(&Event::LinkDown));
    assert_eq!(
        released(&user_events),
        vec![(ringing, Cause::TemporaryFailure, false)],
        "the call not yet active is cleared at once"
    );
    assert_eq!(pair.user.call_count(), 4, "active calls wait under T309");
    // T309 (90 s) clears the active calls with cause 27 on both sides.
    pair.advance_until(cut_at + Duration::from_secs(110));
    let user_released = released(&pair.take_events(Side::User));
    assert_eq!(user_released.len(), 4);
    assert!(user_released.iter().all(|(call, cause, remote)| {
        user_calls.contains(call) && *cause == Cause::DestinationOutOfOrder && !remote
    }));
    let network_released = released(&pair.take_events(Side::Network));
    assert_eq!(network_released.len(), 5);
    assert_eq!(network_released.iter().filter(|(_, c, _)| *c == Cause::DestinationOutOfOrder).count(), 4);
    assert!(all_idle(&pair));
    // The cable heals: both links come back within one SABME period, and calls work again.
    pair.cable_cut = false;
    pair.run_for(Duration::from_secs(2));
    assert!(pair.user.is_link_up() && pair.network.is_link_up());
    assert!(pair.take_events(Side::User).contains(&Event::LinkUp));
    assert!(pair.take_events(Side::Network).contains(&Event::LinkUp));
    establish_calls(&mut pair, Side::Network, 2);
}

#[test]
fn a_short_cut_keeps_active_calls_and_reports_their_state() {
    let mut pair = started_pair();
    pair.trace = Some(Vec::new());
    let (user_calls, network_calls) = establish_calls(&mut pair, Side::User, 2);
    pair.cable_cut = true;
    pair.run_for(Duration::from_secs(20));
    pair.cable_cut = false;
    pair.run_for(Duration::from_secs(5));
    assert!(pair.user.is_link_up() && pair.network.is_link_up());
    for call in &user_calls {
        assert_eq!(pair.user.call_state(*call).map(|s| s.number), Some(10));
    }
    for call in &network_calls {
        assert_eq!(pair.network.call_state(*call).map(|s| s.number), Some(10));
    }
    // After the link returned, STATUS (cause 31, state 10) went out for each call.
    let trace = pair.trace.take().unwrap();
    let statuses = trace.iter().filter(|f| !f.lost && f.bytes.len() > 8 && f.bytes[8] == 0x7D).count();
    assert_eq!(statuses, 4);
    let now = pair.now;
    pair.user.hangup(now, user_calls[0], Cause::NormalClearing).unwrap();
    pair.drive();
    assert_eq!(
        released(&pair.take_events(Side::Network)),
        vec![(network_calls[0], Cause::NormalClearing, true)]
    );
}

#[test]
fn overlap_sending_into_overlap_receiving() {
    let mut network = tdm_isdn::q931::InterfaceConfig::new(Side::Network);
    network.overlap_receiving = true;
    let mut pair = Pair::new(network, tdm_isdn::q931::InterfaceConfig::new(Side::User));
    pair.start();
    pair.take_events(Side::User);
    pair.take_events(Side::Network);
    let mut request = OutgoingCall::new("0").unwrap();
    request.sending_complete = false;
    let now = pair.now;
    let call = pair.user.place_call(now, &request).unwrap();
    pair.drive();
    assert_eq!(pair.take_events(Side::User), vec![Event::MoreDigitsWanted { call }]);
    for digit in ["1", "0", "8"] {
        pair.run_for(Duration::from_secs(2));
        let now = pair.now;
        pair.user.send_digits(now, call, digit, false).unwrap();
        pair.drive();
    }
    pair.user.send_digits(pair.now, call, "6", true).unwrap();
    pair.drive();
    let incoming = incoming_calls(&pair.take_events(Side::Network));
    assert_eq!(incoming.len(), 1);
    assert_eq!(incoming[0].2, "01086");
    assert_eq!(pair.take_events(Side::User), vec![Event::Proceeding { call }]);
    let _ = Instant::ZERO;
}
