//! Interop with libpri at frame level: this stack on one side of the D-channel, libpri 1.6
//! (EuroISDN E1) on the other, both on the same virtual clock (libpri's `gettimeofday()` is
//! interposed by the harness). Skipped with a notice when libpri is not installed.

use tdm_base::{Cause, Duration, Instant};
use tdm_isdn::Side;
use tdm_isdn::q931::{CallId, ChannelRequest, Event, Interface, InterfaceConfig, OutgoingCall, RestartScope};
use tdm_isdn::wire::ie::PartyNumber;
use tdm_isdn::wire::lapd::MAX_FRAME_LEN;
use tdm_peer_libpri::{LibPri, PriCall, PriEvent, PriSide};

struct Link {
    ours: Interface,
    pri: LibPri,
    now: Instant,
    ours_events: Vec<Event>,
    pri_events: Vec<PriEvent>,
    frames: usize,
}

impl Link {
    fn new(our_side: Side) -> Option<Self> {
        if !tdm_peer_libpri::AVAILABLE {
            eprintln!("libpri (libpri-dev) not available: interop test skipped");
            return None;
        }
        let now = Instant::from_secs(1_000_000);
        tdm_peer_libpri::set_virtual_time(now.as_micros());
        let pri_side = match our_side {
            Side::User => PriSide::Network,
            Side::Network => PriSide::User,
        };
        let pri = LibPri::new(pri_side)?;
        let mut link = Link {
            ours: Interface::new(InterfaceConfig::new(our_side)),
            pri,
            now,
            ours_events: Vec::new(),
            pri_events: Vec::new(),
            frames: 0,
        };
        link.ours.start(now);
        link.drive();
        assert!(link.ours.is_link_up(), "our data link is up");
        assert!(link.take_ours().contains(&Event::LinkUp));
        assert!(link.take_pri().contains(&PriEvent::DchanUp));
        Some(link)
    }

    fn drive(&mut self) {
        let mut buffer = [0u8; 600];
        loop {
            let mut moved = false;
            while let Some(len) = self.ours.poll_transmit(self.now, &mut buffer[..MAX_FRAME_LEN]) {
                moved = true;
                self.frames += 1;
                if std::env::var("PRI_TRACE").is_ok() {
                    eprintln!("ours -> pri {:02X?}", &buffer[..len]);
                }
                if let Some(event) = self.pri.receive(&buffer[..len]) {
                    self.pri_events.push(event);
                }
            }
            while let Some(len) = self.pri.take_frame(&mut buffer) {
                moved = true;
                self.frames += 1;
                if std::env::var("PRI_TRACE").is_ok() {
                    eprintln!("pri -> ours {:02X?}", &buffer[..len]);
                }
                self.ours.handle_frame(self.now, &buffer[..len]);
            }
            if !moved {
                break;
            }
        }
        while let Some(event) = self.ours.poll_event() {
            self.ours_events.push(event);
        }
    }

    /// Runs both sides' timers up to `duration` from now.
    fn run_for(&mut self, duration: Duration) {
        let until = self.now + duration;
        loop {
            let next = [self.ours.poll_timeout(), self.pri.next_deadline().map(Instant::from_micros)]
                .into_iter()
                .flatten()
                .min();
            let Some(next) = next.filter(|n| *n <= until) else { break };
            self.now = self.now.max(next);
            tdm_peer_libpri::set_virtual_time(self.now.as_micros());
            self.ours.handle_timeout(self.now);
            while let Some(event) = self.pri.run_timers() {
                self.pri_events.push(event);
                if self.pri.next_deadline().is_none_or(|d| d > self.now.as_micros()) {
                    break;
                }
            }
            self.drive();
        }
        self.now = until;
        tdm_peer_libpri::set_virtual_time(self.now.as_micros());
    }

    fn take_ours(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.ours_events)
    }

    fn take_pri(&mut self) -> Vec<PriEvent> {
        std::mem::take(&mut self.pri_events)
    }
}

fn ring(events: &[PriEvent]) -> (PriCall, i32, String, String) {
    events
        .iter()
        .find_map(|e| match e {
            PriEvent::Ring { call, channel, called, calling, .. } => {
                Some((*call, *channel, called.clone(), calling.clone()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no RING in {events:?}"))
}

fn incoming(events: &[Event]) -> (CallId, u8, String, Option<String>) {
    events
        .iter()
        .find_map(|e| match e {
            Event::Incoming { call, timeslot, called, calling, .. } => Some((
                *call,
                *timeslot,
                called.digits_str().to_string(),
                calling.map(|c| c.digits_str().to_string()),
            )),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Incoming in {events:?}"))
}

/// We place a call, libpri rings, answers; we clear it.
fn call_from_us_cleared_by_us(link: &mut Link) {
    let mut request = OutgoingCall::new("10086").unwrap();
    request.calling = PartyNumber::unknown_isdn("88880001");
    request.channel = ChannelRequest::Exclusive(5);
    let call = link.ours.place_call(link.now, &request).unwrap();
    link.drive();
    let (pri_call, channel, called, calling) = ring(&link.take_pri());
    assert_eq!((channel & 0xFF, called.as_str(), calling.as_str()), (5, "10086", "88880001"));
    assert!(link.pri.proceeding(pri_call, channel));
    assert!(link.pri.acknowledge(pri_call, channel));
    assert!(link.pri.answer(pri_call, channel));
    link.drive();
    let events = link.take_ours();
    assert!(events.contains(&Event::Proceeding { call }), "{events:?}");
    assert!(events.contains(&Event::Alerting { call, inband: true }), "{events:?}");
    assert!(events.contains(&Event::Connected { call, timeslot: Some(5) }), "{events:?}");
    assert_eq!(link.ours.call_state(call).map(|s| s.number), Some(10));
    link.ours.hangup(link.now, call, Cause::NormalClearing).unwrap();
    link.drive();
    let pri_events = link.take_pri();
    assert!(pri_events.contains(&PriEvent::HangupReq { call: pri_call, cause: 16 }), "{pri_events:?}");
    assert!(link.pri.hangup(pri_call, 16));
    link.drive();
    assert_eq!(link.take_ours(), vec![Event::Released { call, cause: Cause::NormalClearing, remote: false }]);
    assert_eq!(link.ours.channels().idle_count(), 30);
    assert_eq!(link.ours.call_count(), 0);
}

/// libpri places a call, we answer; libpri clears it.
fn call_from_libpri_cleared_by_libpri(link: &mut Link) {
    let pri_call = link.pri.call("6001", Some("13800138000"), 17, true).unwrap();
    link.drive();
    let events = link.take_ours();
    let (call, timeslot, called, calling) = incoming(&events);
    assert_eq!((timeslot, called.as_str(), calling.as_deref()), (17, "6001", Some("13800138000")));
    link.ours.alert(call, false).unwrap();
    link.ours.answer(link.now, call).unwrap();
    link.drive();
    let pri_events = link.take_pri();
    assert!(
        pri_events.iter().any(|e| matches!(e, PriEvent::Proceeding { call: c, .. } if *c == pri_call)),
        "{pri_events:?}"
    );
    assert!(
        pri_events.iter().any(|e| matches!(e, PriEvent::Ringing { call: c, .. } if *c == pri_call)),
        "{pri_events:?}"
    );
    assert!(
        pri_events.iter().any(|e| matches!(e, PriEvent::Answer { call: c, .. } if *c == pri_call)),
        "{pri_events:?}"
    );
    assert_eq!(link.ours.call_state(call).map(|s| s.number), Some(10));
    link.take_ours();
    assert!(link.pri.hangup(pri_call, 17));
    link.drive();
    // libpri reports our RELEASE and sends RELEASE COMPLETE when hung up once more.
    let pri_events = link.take_pri();
    assert!(
        pri_events.iter().any(|e| matches!(e, PriEvent::Hangup { call: c, .. } if *c == pri_call)),
        "{pri_events:?}"
    );
    assert!(link.ours.call_state(call).is_some());
    assert!(link.pri.hangup(pri_call, 17));
    link.drive();
    let events = link.take_ours();
    assert_eq!(events, vec![Event::Released { call, cause: Cause::UserBusy, remote: true }]);
    assert_eq!(link.ours.channels().idle_count(), 30);
}

/// Restarts in both directions.
fn restarts(link: &mut Link) {
    assert!(link.pri.reset(9));
    link.drive();
    assert_eq!(link.take_ours(), vec![Event::RestartReceived { scope: RestartScope::Channel(9) }]);
    let pri_events = link.take_pri();
    assert!(pri_events.contains(&PriEvent::RestartAck { channel: 9 }), "{pri_events:?}");
    link.ours.restart(link.now, RestartScope::Channel(12)).unwrap();
    link.drive();
    assert_eq!(link.take_ours(), vec![Event::RestartCompleted { scope: RestartScope::Channel(12) }]);
    let pri_events = link.take_pri();
    assert!(
        pri_events.iter().any(|e| matches!(e, PriEvent::Restart { channel } if channel & 0xFF == 12)),
        "{pri_events:?}"
    );
    assert_eq!(link.ours.channels().idle_count(), 30);
}

#[test]
fn libpri_network_with_this_stack_as_user() {
    let Some(mut link) = Link::new(Side::User) else { return };
    call_from_us_cleared_by_us(&mut link);
    call_from_libpri_cleared_by_libpri(&mut link);
    restarts(&mut link);
    // A minute of idle link: T203 polls go both ways and nothing breaks.
    link.run_for(Duration::from_secs(60));
    assert!(link.ours.is_link_up());
    assert!(link.take_ours().is_empty());
    call_from_us_cleared_by_us(&mut link);
}

#[test]
fn libpri_user_with_this_stack_as_network() {
    let Some(mut link) = Link::new(Side::Network) else { return };
    call_from_us_cleared_by_us(&mut link);
    call_from_libpri_cleared_by_libpri(&mut link);
    restarts(&mut link);
    link.run_for(Duration::from_secs(60));
    assert!(link.ours.is_link_up());
    assert!(link.take_ours().is_empty());
    call_from_libpri_cleared_by_libpri(&mut link);
}

#[test]
fn thirty_calls_from_libpri_fill_every_channel() {
    let Some(mut link) = Link::new(Side::User) else { return };
    let timeslots: Vec<i32> = (1..=15).chain(17..=31).collect();
    let mut pri_calls = Vec::new();
    for ts in &timeslots {
        pri_calls.push(link.pri.call("100", None, *ts, true).unwrap());
        link.drive();
    }
    let events = link.take_ours();
    let ours: Vec<(CallId, u8)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Incoming { call, timeslot, .. } => Some((*call, *timeslot)),
            _ => None,
        })
        .collect();
    assert_eq!(ours.iter().map(|(_, ts)| i32::from(*ts)).collect::<Vec<_>>(), timeslots);
    assert_eq!(link.ours.channels().idle_count(), 0);
    for (call, _) in &ours {
        link.ours.answer(link.now, *call).unwrap();
    }
    link.drive();
    let answers = link.take_pri().iter().filter(|e| matches!(e, PriEvent::Answer { .. })).count();
    assert_eq!(answers, 30);
    for (call, _) in &ours {
        link.ours.hangup(link.now, *call, Cause::NormalClearing).unwrap();
    }
    link.drive();
    for event in link.take_pri() {
        if let PriEvent::HangupReq { call, .. } = event {
            link.pri.hangup(call, 16);
        }
    }
    link.drive();
    let released = link.take_ours().iter().filter(|e| matches!(e, Event::Released { .. })).count();
    assert_eq!(released, 30);
    assert_eq!(link.ours.channels().idle_count(), 30);
}
