//! Per-state and per-timer tests of one interface against a scripted peer: the peer's
//! messages are hand-assembled octets, and every message the interface sends is checked octet
//! for octet.

use super::*;
use crate::Side;
use crate::q931::channels::ChannelState;
use crate::wire::lapd::{Control, FrameRepr, MAX_FRAME_LEN};
use tdm_base::{Cause, Duration, Instant};

struct Harness {
    iface: Interface,
    now: Instant,
    /// The peer's V(S) and V(R).
    peer_vs: u8,
    peer_vr: u8,
    events: Vec<Event>,
    /// Q.931 messages sent and not yet looked at.
    outbox: Vec<Vec<u8>>,
}

impl Harness {
    fn new(side: Side) -> Self {
        Self::with_config(InterfaceConfig::new(side))
    }

    fn with_config(config: InterfaceConfig) -> Self {
        let mut iface = Interface::new(config);
        iface.start(Instant::ZERO);
        let mut harness = Harness {
            iface,
            now: Instant::ZERO,
            peer_vs: 0,
            peer_vr: 0,
            events: Vec::new(),
            outbox: Vec::new(),
        };
        let frames = harness.frames();
        assert_eq!(frames.len(), 1, "one SABME");
        let ua = [harness.peer_address(false), 0x01, 0x73];
        harness.iface.handle_frame(harness.now, &ua);
        assert_eq!(harness.take_events(), vec![Event::LinkUp]);
        harness
    }

    fn peer_address(&self, command: bool) -> u8 {
        let peer_command_cr = self.iface.side().peer().command_cr();
        let cr = if command { peer_command_cr } else { !peer_command_cr };
        u8::from(cr) << 1
    }

    /// Frames the interface sends now.
    fn frames(&mut self) -> Vec<Vec<u8>> {
        let mut buffer = [0u8; MAX_FRAME_LEN];
        let mut frames = Vec::new();
        while let Some(len) = self.iface.poll_transmit(self.now, &mut buffer) {
            frames.push(buffer[..len].to_vec());
        }
        frames
    }

    /// The Q.931 messages the interface sent since the last call (acknowledged at layer 2 by
    /// the peer, whose polls are answered).
    fn sent(&mut self) -> Vec<Vec<u8>> {
        self.pump();
        core::mem::take(&mut self.outbox)
    }

    /// Plays the peer's data link: takes I frames, answers polls, acknowledges.
    fn pump(&mut self) {
        loop {
            let frames = self.frames();
            if frames.is_empty() {
                return;
            }
            let mut received = false;
            for frame in frames {
                let repr = FrameRepr::parse_bytes(&frame).unwrap();
                match repr.control {
                    Control::I { ns, .. } => {
                        assert_eq!(ns, self.peer_vr, "in-sequence I frame");
                        self.peer_vr = (self.peer_vr + 1) % 128;
                        self.outbox.push(repr.info.to_vec());
                        received = true;
                    }
                    Control::S { pf: true, .. } if repr.address.cr == self.iface.side().command_cr() => {
                        let rr = [self.peer_address(false), 0x01, 0x01, self.peer_vr << 1 | 1];
                        self.iface.handle_frame(self.now, &rr);
                    }
                    _ => {}
                }
            }
            if received {
                let rr = [self.peer_address(false), 0x01, 0x01, self.peer_vr << 1];
                self.iface.handle_frame(self.now, &rr);
            }
        }
    }

    /// The peer sends a Q.931 message.
    fn deliver(&mut self, message: &[u8]) {
        let mut frame = vec![self.peer_address(true), 0x01, self.peer_vs << 1, self.peer_vr << 1];
        frame.extend_from_slice(message);
        self.peer_vs = (self.peer_vs + 1) % 128;
        self.iface.handle_frame(self.now, &frame);
    }

    /// Runs every deadline up to `seconds`, with the peer answering at layer 2 throughout.
    fn at(&mut self, seconds: u64) {
        let until = Instant::from_secs(seconds);
        self.pump();
        while let Some(deadline) = self.iface.poll_timeout().filter(|d| *d <= until) {
            self.now = deadline;
            self.iface.handle_timeout(self.now);
            self.pump();
        }
        self.now = until;
    }

    fn take_events(&mut self) -> Vec<Event> {
        while let Some(event) = self.iface.poll_event() {
            self.events.push(event);
        }
        core::mem::take(&mut self.events)
    }
}

fn at(seconds: u64) -> Instant {
    Instant::from_secs(seconds)
}

/// The first octets of every message: PD, CR length 2, the call reference with its flag, type.
fn header(cr: u16, flag: bool, message_type: u8) -> Vec<u8> {
    vec![0x08, 0x02, u8::from(flag) << 7 | (cr >> 8) as u8, cr as u8, message_type]
}

fn msg(cr: u16, flag: bool, message_type: u8, elements: &[u8]) -> Vec<u8> {
    let mut bytes = header(cr, flag, message_type);
    bytes.extend_from_slice(elements);
    bytes
}

/// SETUP the user side sends for `OutgoingCall::new("5551234")` on TS 1 (preferred).
fn user_setup(cr: u16) -> Vec<u8> {
    msg(cr, false, 0x05, b"\xA1\x04\x03\x80\x90\xA3\x18\x03\xA1\x83\x81\x70\x08\x815551234")
}

/// SETUP from the network: en-bloc, exclusive TS 5, calling 1234 (national, allowed), called 100.
fn network_setup(cr: u16) -> Vec<u8> {
    msg(cr, false, 0x05, b"\xA1\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x85\x6C\x06\x21\x801234\x70\x04\xA1100")
}

fn state(h: &Harness, call: CallId) -> Option<u8> {
    h.iface.call_state(call).map(|s| s.number)
}

fn place(h: &mut Harness) -> CallId {
    let call = h.iface.place_call(h.now, &OutgoingCall::new("5551234").unwrap()).unwrap();
    assert_eq!(h.sent(), vec![user_setup(1)]);
    call
}

fn released(call: CallId, cause: Cause, remote: bool) -> Event {
    Event::Released { call, cause, remote }
}

#[test]
fn outgoing_setup_enters_u1_with_t303() {
    let mut h = Harness::new(Side::User);
    let call = place(&mut h);
    assert_eq!(state(&h, call), Some(1));
    assert_eq!(h.iface.call_timeslot(call), Some(1));
    assert_eq!(h.iface.channels().state(1), Some(ChannelState::Busy(call.slot)));
    assert_eq!(h.iface.poll_timeout(), Some(at(4)));
}

#[test]
fn t303_resends_setup_once_then_releases_with_cause_102() {
    let mut h = Harness::new(Side::User);
    let call = place(&mut h);
    h.at(4);
    assert_eq!(h.sent(), vec![user_setup(1)]);
    assert_eq!(state(&h, call), Some(1));
    h.at(8);
    assert_eq!(h.sent(), vec![msg(1, false, 0x5A, b"\x08\x05\x80\xE6303")]);
    assert_eq!(h.take_events(), vec![released(call, Cause::RecoveryOnTimerExpiry, false)]);
    assert_eq!(h.iface.channels().state(1), Some(ChannelState::Idle));
    assert_eq!(state(&h, call), None);
}

#[test]
fn network_t303_reports_no_user_responding() {
    let mut h = Harness::new(Side::Network);
    let call = h.iface.place_call(h.now, &OutgoingCall::new("100").unwrap()).unwrap();
    // The network offers TS 31 exclusively and enters N6.
    assert_eq!(
        h.sent(),
        vec![msg(1, false, 0x05, b"\xA1\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x9F\x70\x04\x81100")]
    );
    assert_eq!(state(&h, call), Some(6));
    h.at(4);
    h.sent();
    h.at(8);
    h.sent();
    assert_eq!(h.take_events(), vec![released(call, Cause::NoUserResponding, false)]);
}

#[test]
fn call_proceeding_enters_u3_and_t310_disconnects_with_102() {
    let mut h = Harness::new(Side::User);
    let call = place(&mut h);
    h.deliver(&msg(1, true, 0x02, b"\x18\x03\xA9\x83\x81"));
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
    assert_eq!(state(&h, call), Some(3));
    assert_eq!(h.take_events(), vec![Event::Proceeding { call }]);
    assert_eq!(h.iface.call_timer(call, CallTimer::T310), Some(at(30)));
    h.at(30);
    assert_eq!(h.sent(), vec![msg(1, false, 0x45, b"\x08\x05\x80\xE6310")]);
    assert_eq!(state(&h, call), Some(11));
    assert_eq!(h.iface.call_timer(call, CallTimer::T305), Some(at(60)));
}

#[test]
fn alerting_enters_u4_and_t301_clears_as_no_answer() {
    let mut h = Harness::new(Side::User);
    let call = place(&mut h);
    h.deliver(&msg(1, true, 0x01, b"\x18\x03\xA9\x83\x81\x1E\x02\x82\x88"));
    assert_eq!(state(&h, call), Some(4));
    assert_eq!(h.take_events(), vec![Event::Alerting { call, inband: true }]);
    h.at(180);
    assert_eq!(h.sent(), vec![msg(1, false, 0x45, b"\x08\x05\x80\xE6301")]);
    h.deliver(&msg(1, true, 0x4D, b""));
    assert_eq!(h.sent(), vec![msg(1, false, 0x5A, b"")]);
    assert_eq!(h.take_events(), vec![released(call, Cause::NoAnswer, false)]);
}

#[test]
fn connect_is_acknowledged_and_the_call_is_active() {
    let mut h = Harness::new(Side::User);
    let call = place(&mut h);
    h.deliver(&msg(1, true, 0x07, b"\x18\x03\xA9\x83\x81"));
    assert_eq!(h.sent(), vec![msg(1, false, 0x0F, b"")]);
    assert_eq!(state(&h, call), Some(10));
    assert_eq!(h.take_events(), vec![Event::Connected { call, timeslot: Some(1) }]);
    assert_eq!(h.iface.poll_timeout(), Some(at(10)), "only T203 runs");
}

fn active_outgoing(h: &mut Harness) -> CallId {
    let call = place(h);
    h.deliver(&msg(1, true, 0x07, b"\x18\x03\xA9\x83\x81"));
    h.sent();
    h.take_events();
    call
}

#[test]
fn hangup_runs_t305_then_t308_twice_then_restarts_the_channel() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.iface.hangup(h.now, call, Cause::NormalClearing).unwrap();
    assert_eq!(h.sent(), vec![msg(1, false, 0x45, b"\x08\x02\x80\x90")]);
    assert_eq!(state(&h, call), Some(11));
    h.at(30);
    assert_eq!(h.sent(), vec![msg(1, false, 0x4D, b"\x08\x02\x80\x90")]);
    assert_eq!(state(&h, call), Some(19));
    h.at(34);
    assert_eq!(h.sent(), vec![msg(1, false, 0x4D, b"\x08\x02\x80\x90")]);
    h.at(38);
    assert_eq!(h.sent(), vec![msg(0, false, 0x46, b"\x18\x03\xA9\x83\x81\x79\x01\x80")]);
    assert_eq!(h.take_events(), vec![released(call, Cause::NormalClearing, false)]);
    assert_eq!(h.iface.channels().state(1), Some(ChannelState::Restarting));
    h.deliver(&msg(0, true, 0x4E, b"\x18\x03\xA9\x83\x81\x79\x01\x80"));
    assert_eq!(h.take_events(), vec![Event::RestartCompleted { scope: RestartScope::Channel(1) }]);
    assert_eq!(h.iface.channels().state(1), Some(ChannelState::Idle));
}

#[test]
fn network_t305_sends_release_with_cause_102() {
    let mut h = Harness::new(Side::Network);
    h.deliver(&user_setup(7));
    h.sent();
    let Some(Event::Incoming { call, .. }) = h.take_events().pop() else { panic!("no incoming call") };
    h.iface.hangup(h.now, call, Cause::UserBusy).unwrap();
    assert_eq!(h.sent(), vec![msg(7, true, 0x45, b"\x08\x02\x82\x91")]);
    assert_eq!(state(&h, call), Some(12));
    h.at(30);
    assert_eq!(h.sent(), vec![msg(7, true, 0x4D, b"\x08\x02\x82\xE6")]);
}

#[test]
fn peer_disconnect_is_answered_with_release_then_release_complete_ends_the_call() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.deliver(&msg(1, true, 0x45, b"\x08\x02\x82\x90"));
    assert_eq!(h.sent(), vec![msg(1, false, 0x4D, b"")]);
    assert_eq!(state(&h, call), Some(19));
    assert_eq!(h.iface.poll_timeout(), Some(at(4)));
    h.deliver(&msg(1, true, 0x5A, b""));
    assert_eq!(h.take_events(), vec![released(call, Cause::NormalClearing, true)]);
    assert_eq!(h.iface.channels().idle_count(), 30);
}

#[test]
fn peer_release_is_answered_with_release_complete() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.deliver(&msg(1, true, 0x4D, b"\x08\x02\x82\x91"));
    assert_eq!(h.sent(), vec![msg(1, false, 0x5A, b"")]);
    assert_eq!(h.take_events(), vec![released(call, Cause::UserBusy, true)]);
}

#[test]
fn release_collision_ends_the_call_without_an_answer() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.deliver(&msg(1, true, 0x45, b"\x08\x02\x82\x90"));
    h.sent();
    h.deliver(&msg(1, true, 0x4D, b""));
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
    assert_eq!(state(&h, call), None);
}

#[test]
fn incoming_en_bloc_call_runs_u6_u9_u7_u8_u10() {
    let mut h = Harness::new(Side::User);
    h.deliver(&network_setup(3));
    // CALL PROCEEDING carries the channel, exclusive.
    assert_eq!(h.sent(), vec![msg(3, true, 0x02, b"\x18\x03\xA9\x83\x85")]);
    let events = h.take_events();
    let Some(Event::Incoming { call, called, calling, timeslot, .. }) = events.first().copied() else {
        panic!("{events:?}")
    };
    assert_eq!(called.digits_str(), "100");
    assert_eq!(
        calling.map(|c| c.presentation),
        Some(Some((
            crate::wire::ie::Presentation::Allowed,
            crate::wire::ie::Screening::UserProvidedNotScreened
        )))
    );
    assert_eq!(timeslot, 5);
    assert_eq!(state(&h, call), Some(9));
    h.iface.alert(call, false).unwrap();
    assert_eq!(h.sent(), vec![msg(3, true, 0x01, b"")]);
    assert_eq!(state(&h, call), Some(7));
    h.iface.answer(h.now, call).unwrap();
    assert_eq!(h.sent(), vec![msg(3, true, 0x07, b"")]);
    assert_eq!(state(&h, call), Some(8));
    assert_eq!(h.iface.poll_timeout(), Some(at(4)));
    h.deliver(&msg(3, false, 0x0F, b""));
    assert_eq!(state(&h, call), Some(10));
    assert_eq!(h.take_events(), vec![Event::Connected { call, timeslot: Some(5) }]);
}

#[test]
fn t313_disconnects_an_unacknowledged_connect() {
    let mut h = Harness::new(Side::User);
    h.deliver(&network_setup(3));
    h.sent();
    let Some(Event::Incoming { call, .. }) = h.take_events().first().copied() else { panic!() };
    h.iface.answer(h.now, call).unwrap();
    h.sent();
    h.at(4);
    assert_eq!(h.sent(), vec![msg(3, true, 0x45, b"\x08\x05\x80\xE6313")]);
}

#[test]
fn network_answer_is_active_at_once() {
    let mut h = Harness::new(Side::Network);
    h.deliver(&user_setup(7));
    assert_eq!(h.sent(), vec![msg(7, true, 0x02, b"\x18\x03\xA9\x83\x81")]);
    let Some(Event::Incoming { call, .. }) = h.take_events().first().copied() else { panic!() };
    assert_eq!(state(&h, call), Some(3));
    h.iface.alert(call, true).unwrap();
    assert_eq!(h.sent(), vec![msg(7, true, 0x01, b"\x1E\x02\x82\x88")]);
    assert_eq!(state(&h, call), Some(4));
    h.iface.answer(h.now, call).unwrap();
    assert_eq!(h.sent(), vec![msg(7, true, 0x07, b"")]);
    assert_eq!(state(&h, call), Some(10));
}

fn overlap_config() -> InterfaceConfig {
    let mut config = InterfaceConfig::new(Side::User);
    config.overlap_receiving = true;
    config
}

#[test]
fn overlap_receiving_collects_digits_until_sending_complete() {
    let mut h = Harness::with_config(overlap_config());
    h.deliver(&msg(3, false, 0x05, b"\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x85\x70\x02\x811"));
    assert_eq!(h.sent(), vec![msg(3, true, 0x0D, b"\x18\x03\xA9\x83\x85")]);
    assert!(h.take_events().is_empty());
    assert_eq!(h.iface.poll_timeout(), Some(at(10)), "T203 before T302 (15 s)");
    h.now = at(5);
    h.deliver(&msg(3, false, 0x7B, b"\x70\x02\x812"));
    assert_eq!(h.iface.calls().next().map(|c| c.state.number), Some(25));
    h.now = at(9);
    h.deliver(&msg(3, false, 0x7B, b"\xA1\x70\x02\x813"));
    assert_eq!(h.sent(), vec![msg(3, true, 0x02, b"")]);
    let Some(Event::Incoming { called, .. }) = h.take_events().first().copied() else { panic!() };
    assert_eq!(called.digits_str(), "123");
}

#[test]
fn t302_proceeds_with_the_digits_received_or_clears_with_cause_28() {
    let mut h = Harness::with_config(overlap_config());
    h.deliver(&msg(3, false, 0x05, b"\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x85\x70\x02\x817"));
    h.sent();
    h.at(15);
    assert_eq!(h.sent(), vec![msg(3, true, 0x02, b"")]);
    assert!(matches!(h.take_events().first(), Some(Event::Incoming { .. })));
    let mut h = Harness::with_config(overlap_config());
    h.deliver(&msg(4, false, 0x05, b"\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x85"));
    h.sent();
    h.at(15);
    assert_eq!(h.sent(), vec![msg(4, true, 0x45, b"\x08\x02\x80\x9C")]);
}

#[test]
fn overlap_sending_waits_under_t304_and_sends_information() {
    let mut h = Harness::new(Side::User);
    let mut request = OutgoingCall::new("55").unwrap();
    request.sending_complete = false;
    let call = h.iface.place_call(h.now, &request).unwrap();
    assert_eq!(
        h.sent(),
        vec![msg(1, false, 0x05, b"\x04\x03\x80\x90\xA3\x18\x03\xA1\x83\x81\x70\x03\x8155")]
    );
    h.deliver(&msg(1, true, 0x0D, b"\x18\x03\xA9\x83\x81"));
    assert_eq!(state(&h, call), Some(2));
    assert_eq!(h.take_events(), vec![Event::MoreDigitsWanted { call }]);
    h.now = at(10);
    h.iface.send_digits(h.now, call, "12", false).unwrap();
    assert_eq!(h.sent(), vec![msg(1, false, 0x7B, b"\x70\x03\x8112")]);
    assert_eq!(h.iface.poll_timeout(), Some(at(20)), "T203 restarted by the exchange");
    h.at(40);
    assert_eq!(h.sent(), vec![msg(1, false, 0x45, b"\x08\x05\x80\xE6304")]);
}

#[test]
fn messages_for_unknown_call_references_follow_5_8_3_2() {
    let mut h = Harness::new(Side::User);
    h.deliver(&msg(9, true, 0x45, b"\x08\x02\x82\x90"));
    assert_eq!(h.sent(), vec![msg(9, false, 0x5A, b"\x08\x02\x80\xD1")]);
    h.deliver(&msg(9, true, 0x75, b""));
    assert_eq!(h.sent(), vec![msg(9, false, 0x7D, b"\x08\x02\x80\x9E\x14\x01\x00")]);
    h.deliver(&msg(9, true, 0x5A, b""));
    h.deliver(&msg(9, true, 0x7D, b"\x08\x02\x80\x9E\x14\x01\x00"));
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
    h.deliver(&msg(9, true, 0x7D, b"\x08\x02\x80\x9E\x14\x01\x0A"));
    assert_eq!(h.sent(), vec![msg(9, false, 0x5A, b"\x08\x02\x80\xE5")]);
    // A SETUP with the destination flag set is ignored.
    h.deliver(&msg(9, true, 0x05, b"\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x85"));
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
}

#[test]
fn status_enquiry_is_answered_with_the_current_state() {
    let mut h = Harness::new(Side::User);
    active_outgoing(&mut h);
    h.deliver(&msg(1, true, 0x75, b""));
    assert_eq!(h.sent(), vec![msg(1, false, 0x7D, b"\x08\x02\x80\x9E\x14\x01\x0A")]);
}

#[test]
fn a_status_reporting_the_null_state_ends_the_call() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.deliver(&msg(1, true, 0x7D, b"\x08\x02\x82\xE5\x14\x01\x00"));
    assert_eq!(h.take_events(), vec![released(call, Cause::MessageNotCompatibleWithState, true)]);
}

#[test]
fn setup_errors_are_refused_with_release_complete() {
    let mut h = Harness::new(Side::User);
    // No bearer capability.
    h.deliver(&msg(3, false, 0x05, b"\x18\x03\xA9\x83\x85"));
    assert_eq!(h.sent(), vec![msg(3, true, 0x5A, b"\x08\x03\x80\xE0\x04")]);
    // No channel identification from the network.
    h.deliver(&msg(4, false, 0x05, b"\x04\x03\x80\x90\xA3"));
    assert_eq!(h.sent(), vec![msg(4, true, 0x5A, b"\x08\x03\x80\xE0\x18")]);
    // Bearer capability with bad contents.
    h.deliver(&msg(5, false, 0x05, b"\x04\x02\x00\x90\x18\x03\xA9\x83\x85"));
    assert_eq!(h.sent(), vec![msg(5, true, 0x5A, b"\x08\x03\x80\xE4\x04")]);
    // An unknown element that must be understood.
    h.deliver(&msg(6, false, 0x05, b"\x04\x03\x80\x90\xA3\x0F\x01\x00\x18\x03\xA9\x83\x85"));
    assert_eq!(h.sent(), vec![msg(6, true, 0x5A, b"\x08\x03\x80\xE3\x0F")]);
    // Timeslot 16 is no B-channel.
    h.deliver(&msg(7, false, 0x05, b"\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x90"));
    assert_eq!(h.sent(), vec![msg(7, true, 0x5A, b"\x08\x02\x80\xD2")]);
    assert_eq!(h.iface.call_count(), 0);
}

#[test]
fn unknown_and_unexpected_messages_get_status_97_and_101() {
    let mut h = Harness::new(Side::User);
    place(&mut h);
    h.deliver(&msg(1, true, 0x02, b""));
    h.deliver(&msg(1, true, 0x62, b""));
    // A SETUP for an existing call is ignored.
    assert_eq!(h.sent(), vec![msg(1, false, 0x7D, b"\x08\x03\x80\xE1\x62\x14\x01\x03")]);
    h.deliver(&msg(1, true, 0x05, b"\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x81"));
    h.deliver(&msg(1, true, 0x0F, b""));
    assert_eq!(h.sent(), vec![msg(1, false, 0x7D, b"\x08\x03\x80\xE5\x0F\x14\x01\x03")]);
}

#[test]
fn an_unrecognised_element_is_reported_but_the_message_acted_on() {
    let mut h = Harness::new(Side::User);
    let call = place(&mut h);
    h.deliver(&msg(1, true, 0x01, b"\x18\x03\xA9\x83\x81\x55\x01\x00"));
    assert_eq!(h.sent(), vec![msg(1, false, 0x7D, b"\x08\x03\x80\xE3\x55\x14\x01\x04")]);
    assert_eq!(state(&h, call), Some(4));
}

#[test]
fn a_disconnect_without_cause_is_released_with_cause_96() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.deliver(&msg(1, true, 0x45, b""));
    assert_eq!(h.sent(), vec![msg(1, false, 0x4D, b"\x08\x02\x80\xE0")]);
    assert_eq!(state(&h, call), Some(19));
    // The application hears what a DISCONNECT with cause 31 would have told it.
    h.deliver(&msg(1, true, 0x5A, b""));
    assert_eq!(h.take_events(), vec![released(call, Cause::NormalUnspecified, true)]);
}

#[test]
fn a_first_release_without_cause_is_completed_with_cause_96_and_heard_as_31() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.deliver(&msg(1, true, 0x4D, b""));
    assert_eq!(h.sent(), vec![msg(1, false, 0x5A, b"\x08\x03\x80\xE0\x08")]);
    assert_eq!(h.take_events(), vec![released(call, Cause::NormalUnspecified, true)]);
    assert_eq!(h.iface.channels().idle_count(), 30);
}

#[test]
fn a_first_release_with_an_unreadable_cause_is_completed_with_cause_100() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    // A cause element of one octet: the cause value is missing.
    h.deliver(&msg(1, true, 0x4D, b"\x08\x01\x82"));
    assert_eq!(h.sent(), vec![msg(1, false, 0x5A, b"\x08\x03\x80\xE4\x08")]);
    assert_eq!(h.take_events(), vec![released(call, Cause::NormalUnspecified, true)]);
}

#[test]
fn a_first_release_complete_without_cause_is_heard_as_31() {
    let mut h = Harness::new(Side::User);
    let call = place(&mut h);
    h.deliver(&msg(1, true, 0x5A, b""));
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
    assert_eq!(h.take_events(), vec![released(call, Cause::NormalUnspecified, true)]);
}

#[test]
fn a_status_reporting_an_incompatible_state_clears_the_call_with_cause_101() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    // U10 of a call the user placed; the network claims N7, a state of a call offered to the user.
    h.deliver(&msg(1, true, 0x7D, b"\x08\x02\x82\x9E\x14\x01\x07"));
    assert_eq!(h.sent(), vec![msg(1, false, 0x4D, b"\x08\x02\x80\xE5")]);
    assert_eq!(state(&h, call), Some(19));
    assert_eq!(h.iface.call_timer(call, CallTimer::T308), Some(at(4)));
    h.deliver(&msg(1, true, 0x5A, b""));
    assert_eq!(h.take_events(), vec![released(call, Cause::MessageNotCompatibleWithState, false)]);
}

#[test]
fn a_status_reporting_a_compatible_state_changes_nothing_but_errors_are_passed_up() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    // N4: the network has not seen our CONNECT ACKNOWLEDGE yet. N12: it is clearing.
    h.deliver(&msg(1, true, 0x7D, b"\x08\x02\x82\x9E\x14\x01\x04"));
    h.deliver(&msg(1, true, 0x7D, b"\x08\x02\x82\x9F\x14\x01\x0C"));
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
    assert_eq!(h.take_events(), Vec::<Event>::new());
    assert_eq!(state(&h, call), Some(10));
    // A compatible state with an error cause: the application hears of it.
    h.deliver(&msg(1, true, 0x7D, b"\x08\x03\x82\xE3\x55\x14\x01\x0A"));
    assert_eq!(h.take_events(), vec![Event::Status { call, cause: Cause::IeNonExistent, state: 10 }]);
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
}

#[test]
fn in_the_release_request_state_a_status_other_than_null_is_ignored() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.deliver(&msg(1, true, 0x45, b"\x08\x02\x82\x90"));
    h.sent();
    assert_eq!(state(&h, call), Some(19));
    h.deliver(&msg(1, true, 0x7D, b"\x08\x02\x82\x9E\x14\x01\x07"));
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
    assert_eq!(state(&h, call), Some(19));
    // Null ends it.
    h.deliver(&msg(1, true, 0x7D, b"\x08\x02\x82\x9E\x14\x01\x00"));
    assert_eq!(state(&h, call), None);
}

#[test]
fn compatible_states_follow_one_establishment_path_or_clearing() {
    use super::calls::compatible_states;
    let user_originated = [1, 2, 3, 4, 10];
    let user_offered = [6, 25, 9, 7, 8, 10];
    for a in user_originated {
        for b in user_originated {
            assert!(compatible_states(true, a, b), "{a} {b}");
        }
        for b in [6, 25, 9, 7, 8] {
            assert!(!compatible_states(true, a, b), "{a} {b}");
        }
    }
    for a in user_offered {
        for b in user_offered {
            assert!(compatible_states(false, a, b), "{a} {b}");
        }
        for b in [1, 2, 3, 4] {
            assert!(!compatible_states(false, a, b), "{a} {b}");
        }
    }
    for clearing in [11, 12, 19] {
        for other in [1, 3, 7, 10, 11, 12, 19] {
            assert!(compatible_states(true, clearing, other) && compatible_states(false, other, clearing));
        }
    }
}

#[test]
fn user_yields_a_preferred_channel_on_glare_and_takes_the_one_offered() {
    let mut h = Harness::new(Side::User);
    let outgoing = place(&mut h);
    // The network's own SETUP wants TS 1, exclusively.
    h.deliver(&msg(3, false, 0x05, b"\xA1\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x81\x70\x02\xA19"));
    assert_eq!(h.sent(), vec![msg(3, true, 0x02, b"\x18\x03\xA9\x83\x81")]);
    assert_eq!(h.iface.call_timeslot(outgoing), None);
    // The network answers the user's call on TS 2.
    h.deliver(&msg(1, true, 0x02, b"\x18\x03\xA9\x83\x82"));
    assert_eq!(h.iface.call_timeslot(outgoing), Some(2));
    assert_eq!(state(&h, outgoing), Some(3));
}

#[test]
fn network_keeps_its_channel_on_glare() {
    let mut h = Harness::new(Side::Network);
    h.iface.place_call(h.now, &OutgoingCall::new("100").unwrap()).unwrap();
    h.sent();
    // The user asks for TS 31 exclusively: refused with cause 44.
    h.deliver(&msg(5, false, 0x05, b"\xA1\x04\x03\x80\x90\xA3\x18\x03\xA9\x83\x9F\x70\x02\x811"));
    assert_eq!(h.sent(), vec![msg(5, true, 0x5A, b"\x08\x02\x82\xAC")]);
    // Preferred: the network picks another one.
    h.deliver(&msg(6, false, 0x05, b"\xA1\x04\x03\x80\x90\xA3\x18\x03\xA1\x83\x9F\x70\x02\x811"));
    assert_eq!(h.sent(), vec![msg(6, true, 0x02, b"\x18\x03\xA9\x83\x9E")]);
}

#[test]
fn a_different_channel_for_an_exclusive_request_is_unacceptable() {
    let mut h = Harness::new(Side::User);
    let mut request = OutgoingCall::new("5551234").unwrap();
    request.channel = ChannelRequest::Exclusive(5);
    let call = h.iface.place_call(h.now, &request).unwrap();
    h.sent();
    h.deliver(&msg(1, true, 0x02, b"\x18\x03\xA9\x83\x86"));
    assert_eq!(h.sent(), vec![msg(1, false, 0x4D, b"\x08\x02\x80\x86")]);
    h.deliver(&msg(1, true, 0x5A, b""));
    assert_eq!(h.take_events(), vec![released(call, Cause::ChannelUnacceptable, false)]);
}

#[test]
fn commands_are_refused_with_reasons() {
    let mut h = Harness::new(Side::User);
    let mut request = OutgoingCall::new("1").unwrap();
    request.channel = ChannelRequest::Exclusive(16);
    assert_eq!(h.iface.place_call(h.now, &request), Err(CallError::ChannelUnavailable(16)));
    let call = place(&mut h);
    assert_eq!(
        h.iface.answer(h.now, call),
        Err(CallError::WrongState(CallState { side: Side::User, number: 1 }))
    );
    h.iface.hangup(h.now, call, Cause::NormalClearing).unwrap();
    h.deliver(&msg(1, true, 0x4D, b""));
    assert_eq!(h.iface.hangup(h.now, call, Cause::NormalClearing), Err(CallError::UnknownCall));
    assert_eq!(h.iface.restart(h.now, RestartScope::Channel(16)), Err(CallError::ChannelUnavailable(16)));
    // With the link down, a request that cannot be served is refused before the link is
    // brought up for it.
    let mut down = Interface::new(InterfaceConfig::new(Side::User));
    assert_eq!(down.place_call(Instant::ZERO, &request), Err(CallError::ChannelUnavailable(16)));
    assert_eq!(down.link().state(), crate::q921::LinkState::TeiAssigned);
}

/// Frames an interface without a harness sends now.
fn frames_of(iface: &mut Interface, now: Instant) -> Vec<Vec<u8>> {
    let mut buffer = [0u8; crate::wire::lapd::MAX_FRAME_LEN];
    core::iter::from_fn(|| iface.poll_transmit(now, &mut buffer).map(|len| buffer[..len].to_vec())).collect()
}

#[test]
fn a_call_placed_with_the_link_down_brings_it_up_and_leaves_with_it() {
    let mut iface = Interface::new(InterfaceConfig::new(Side::User));
    let call = iface.place_call(Instant::ZERO, &OutgoingCall::new("5551234").unwrap()).unwrap();
    assert_eq!(iface.call_state(call).map(|s| s.number), Some(1));
    // SABME first; the SETUP waits for the UA.
    assert_eq!(frames_of(&mut iface, Instant::ZERO), vec![vec![0x00, 0x01, 0x7F]]);
    iface.handle_frame(at(0), &[0x00, 0x01, 0x73]);
    assert_eq!(iface.poll_event(), Some(Event::LinkUp));
    let mut setup = vec![0x00, 0x01, 0x00, 0x00];
    setup.extend_from_slice(&user_setup(1));
    assert_eq!(frames_of(&mut iface, at(0)), vec![setup]);
    assert_eq!(iface.call_timer(call, CallTimer::T303), Some(at(4)));
}

#[test]
fn a_call_waiting_for_a_link_that_never_comes_up_is_cleared_with_cause_41() {
    let mut iface = Interface::new(InterfaceConfig::new(Side::User));
    let call = iface.place_call(Instant::ZERO, &OutgoingCall::new("1").unwrap()).unwrap();
    // SABME at 0, 1, 2 and 3 s (N200 = 3 retries); at 4 s the establishment fails.
    let mut now = Instant::ZERO;
    let mut sabmes = 0;
    while now < at(4) {
        sabmes += frames_of(&mut iface, now).len();
        now = iface.poll_timeout().unwrap();
        iface.handle_timeout(now);
    }
    assert_eq!((now, sabmes), (at(4), 4));
    assert_eq!(
        iface.poll_event(),
        Some(Event::Released { call, cause: Cause::TemporaryFailure, remote: false })
    );
    assert_eq!(iface.poll_event(), None, "the link never came up, so it never went down");
    assert_eq!(iface.call_count(), 0);
    assert_eq!(iface.channels().idle_count(), 30);
}

#[test]
fn restart_of_a_channel_from_the_peer_releases_its_call_and_is_acknowledged() {
    let mut h = Harness::new(Side::User);
    let call = active_outgoing(&mut h);
    h.deliver(&msg(0, false, 0x46, b"\x18\x03\xA9\x83\x81\x79\x01\x80"));
    assert_eq!(h.sent(), vec![msg(0, true, 0x4E, b"\x18\x03\xA9\x83\x81\x79\x01\x80")]);
    assert_eq!(
        h.take_events(),
        vec![
            released(call, Cause::TemporaryFailure, false),
            Event::RestartReceived { scope: RestartScope::Channel(1) }
        ]
    );
    assert_eq!(h.iface.channels().idle_count(), 30);
}

#[test]
fn restart_of_the_interface_is_retried_under_t316_then_fails() {
    let mut h = Harness::new(Side::Network);
    h.iface.restart(h.now, RestartScope::Interface).unwrap();
    assert_eq!(h.sent(), vec![msg(0, false, 0x46, b"\x79\x01\x87")]);
    assert_eq!(h.iface.channels().state(7), Some(ChannelState::Restarting));
    assert_eq!(h.iface.restart(h.now, RestartScope::Interface), Err(CallError::RestartInProgress));
    h.at(120);
    assert_eq!(h.sent(), vec![msg(0, false, 0x46, b"\x79\x01\x87")]);
    h.at(240);
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
    assert_eq!(h.take_events(), vec![Event::RestartFailed { scope: RestartScope::Interface }]);
    assert_eq!(h.iface.channels().state(7), Some(ChannelState::Maintenance));
    // A restart from the peer brings them back.
    h.deliver(&msg(0, false, 0x46, b"\x79\x01\x86"));
    assert_eq!(h.sent(), vec![msg(0, true, 0x4E, b"\x79\x01\x86")]);
    assert_eq!(h.iface.channels().idle_count(), 30);
}

#[test]
fn restart_acknowledge_completes_an_interface_restart() {
    let mut h = Harness::new(Side::User);
    h.iface.restart(h.now, RestartScope::Interface).unwrap();
    h.sent();
    h.deliver(&msg(0, true, 0x4E, b"\x79\x01\x87"));
    assert_eq!(h.take_events(), vec![Event::RestartCompleted { scope: RestartScope::Interface }]);
    assert_eq!(h.iface.channels().idle_count(), 30);
    assert_eq!(h.iface.pending_restart(), None);
}

#[test]
fn other_messages_on_the_global_call_reference_get_status_81() {
    let mut h = Harness::new(Side::User);
    h.deliver(&msg(0, false, 0x45, b"\x08\x02\x80\x90"));
    assert_eq!(h.sent(), vec![msg(0, true, 0x7D, b"\x08\x02\x80\xD1\x14\x01\x00")]);
}

#[test]
fn link_failure_clears_calls_not_active_and_keeps_active_ones_under_t309() {
    let mut h = Harness::new(Side::User);
    let active = active_outgoing(&mut h);
    let setup = h.iface.place_call(h.now, &OutgoingCall::new("2").unwrap()).unwrap();
    h.sent();
    // The network disconnects the data link.
    let disc = [h.peer_address(true), 0x01, 0x53];
    h.iface.handle_frame(h.now, &disc);
    assert_eq!(h.take_events(), vec![Event::LinkDown, released(setup, Cause::TemporaryFailure, false)]);
    assert_eq!(state(&h, active), Some(10));
    // UA for the DISC, then SABME again (keep the link up).
    assert_eq!(h.frames(), vec![vec![0x02, 0x01, 0x73], vec![0x00, 0x01, 0x7F]]);
    h.at(1);
    h.frames();
    let ua = [h.peer_address(false), 0x01, 0x73];
    h.iface.handle_frame(h.now, &ua);
    h.peer_vs = 0;
    h.peer_vr = 0;
    assert_eq!(h.take_events(), vec![Event::LinkUp]);
    assert_eq!(h.sent(), vec![msg(1, false, 0x7D, b"\x08\x02\x80\x9F\x14\x01\x0A")]);
}

#[test]
fn t309_clears_an_active_call_with_cause_27() {
    let mut config = InterfaceConfig::new(Side::User);
    config.keep_link_up = false;
    let mut h = Harness::with_config(config);
    let call = active_outgoing(&mut h);
    let disc = [h.peer_address(true), 0x01, 0x53];
    h.iface.handle_frame(h.now, &disc);
    assert_eq!(h.take_events(), vec![Event::LinkDown]);
    assert_eq!(h.iface.poll_timeout(), Some(at(90)));
    h.at(90);
    assert_eq!(h.take_events(), vec![released(call, Cause::DestinationOutOfOrder, false)]);
    assert_eq!(h.iface.channels().idle_count(), 30);
}

#[test]
fn hanging_up_an_unanswered_incoming_call_sends_release_complete() {
    let mut config = InterfaceConfig::new(Side::User);
    config.auto_proceeding = false;
    let mut h = Harness::with_config(config);
    h.deliver(&network_setup(3));
    assert_eq!(h.sent(), Vec::<Vec<u8>>::new());
    let Some(Event::Incoming { call, .. }) = h.take_events().first().copied() else { panic!() };
    assert_eq!(state(&h, call), Some(6));
    h.iface.hangup(h.now, call, Cause::CallRejected).unwrap();
    assert_eq!(h.sent(), vec![msg(3, true, 0x5A, b"\x08\x02\x80\x95")]);
    assert_eq!(h.take_events(), vec![released(call, Cause::CallRejected, false)]);
}

#[test]
fn progress_and_notify_are_reported() {
    let mut h = Harness::new(Side::User);
    let call = place(&mut h);
    h.deliver(&msg(1, true, 0x02, b"\x18\x03\xA9\x83\x81"));
    h.deliver(&msg(1, true, 0x03, b"\x1E\x02\x82\x88"));
    h.deliver(&msg(1, true, 0x6E, b"\x27\x01\x80"));
    assert_eq!(
        h.take_events(),
        vec![
            Event::Proceeding { call },
            Event::Progress { call, description: crate::wire::ie::ProgressDescription::InbandAvailable },
            Event::Notify { call, description: 0 }
        ]
    );
    assert_eq!(h.iface.poll_timeout(), Some(at(10)), "PROGRESS stopped T310");
    let _ = Duration::ZERO;
}

proptest::proptest! {
    #[test]
    fn arbitrary_messages_never_panic_either_side(messages: Vec<Vec<u8>>, network: bool) {
        let mut h = Harness::new(if network { Side::Network } else { Side::User });
        let _ = h.iface.place_call(h.now, &OutgoingCall::new("1").unwrap());
        for (i, body) in messages.iter().enumerate() {
            let mut message = vec![0x08, 0x02, (i % 2) as u8 * 0x80, 1];
            message.extend_from_slice(body);
            h.deliver(&message);
            h.sent();
            h.at(i as u64 * 7);
            h.take_events();
        }
        proptest::prop_assert!(h.iface.call_count() <= 64);
    }
}
