//! China No.1 end to end on the simulator: two simulated boards cabled together, the real
//! driver on each with a CAS span, and a `tdm_no1::Trunk` at each end driven only through the
//! driver: ABCD bits with `set_abcd` and `Event::Abcd`, register signals as A-law octets
//! through each timeslot's audio rings. Both ends are this stack.

use std::collections::BTreeMap;

use tdm_base::{Cause, Duration, Instant};
use tdm_driver::framer::{Crc4Mode, FramerConfig};
use tdm_driver::{AudioChannel, Event as DriverEvent, Signaling, SpanConfig};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_no1::trunk::E1_TIMESLOTS;
use tdm_no1::{CallId, CircuitConfig, CircuitState, Event, Hunt, OutgoingCall, Trunk};
use tdm_scenarios::Rig;

/// Octets per 1 ms block.
const BLOCK: usize = 8;

/// One end: its trunk and the audio rings of its 30 timeslots.
struct End {
    board: &'static str,
    trunk: Trunk,
    audio: Vec<(u8, AudioChannel)>,
    events: Vec<Event>,
    /// Timeslots whose transmitted audio is withheld (a far end gone silent).
    mute: Vec<u8>,
}

impl End {
    fn new(rig: &Rig, board: &'static str, hunt: Hunt) -> End {
        let mut config = CircuitConfig::china();
        config.dnis_length = Some(8);
        let handle = rig.handle(board);
        let audio =
            E1_TIMESLOTS.iter().map(|&ts| (ts, handle.open_audio(0, ts, 64).expect("audio"))).collect();
        End { board, trunk: Trunk::new(config, hunt), audio, events: Vec::new(), mute: Vec::new() }
    }

    /// One block after the rig stepped: line events in, timers, audio both ways, ABCD out.
    fn serve(&mut self, rig: &Rig, now: Instant) {
        let handle = rig.handle(self.board);
        while let Ok(event) = handle.events().try_recv() {
            if let DriverEvent::Abcd { span: 0, timeslot, abcd, .. } = event {
                self.trunk.handle_abcd(now, timeslot, abcd);
            }
        }
        self.trunk.handle_timeout(now);
        for (ts, channel) in &mut self.audio {
            let mut octets = [0u8; BLOCK];
            let got = channel.rx.pop_slice(&mut octets);
            let samples: Vec<i16> = octets[..got].iter().map(|&o| alaw_to_linear(o)).collect();
            self.trunk.handle_audio(now, *ts, &samples);
            let mut tone = [0i16; BLOCK];
            self.trunk.fill_audio(*ts, &mut tone);
            if self.mute.contains(ts) {
                tone = [0; BLOCK];
            }
            let out: Vec<u8> = tone.iter().map(|&s| linear_to_alaw(s)).collect();
            channel.tx.push_slice(&out);
        }
        while let Some((timeslot, abcd)) = self.trunk.poll_abcd() {
            handle.set_abcd(0, timeslot, abcd).expect("set_abcd");
        }
        while let Some(event) = self.trunk.poll_event() {
            self.events.push(event);
        }
    }

    fn take(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

struct Scenario {
    rig: Rig,
    a: End,
    b: End,
}

impl Scenario {
    fn new() -> Scenario {
        let span = SpanConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            signaling: Signaling::Cas,
            ..SpanConfig::default()
        };
        let bench = r#"
            seed = 11
            [[board]]
            name = "a"
            spans = 1
            [[board]]
            name = "b"
            spans = 1
            [[cable]]
            name = "trunk"
            a = "a:0"
            b = "b:0"
        "#;
        let mut rig = Rig::new(bench, &[("a", vec![span]), ("b", vec![span])]);
        let a = End::new(&rig, "a", Hunt::Ascending);
        let b = End::new(&rig, "b", Hunt::Descending);
        // Frame and CAS multiframe alignment first.
        rig.run_ms(300);
        assert!(rig.report("a", 0).cas_aligned && rig.report("b", 0).cas_aligned);
        let mut scenario = Scenario { rig, a, b };
        scenario.run(Duration::from_millis(50), |_| false);
        scenario.a.take();
        scenario.b.take();
        scenario
    }

    fn now(&self) -> Instant {
        Instant::from_millis(self.rig.sim.now_ms())
    }

    /// Steps block by block; end B accepts every offered call and answers every ringing one.
    fn run(&mut self, limit: Duration, mut done: impl FnMut(&mut Scenario) -> bool) -> bool {
        let until = self.now() + limit;
        while self.now() < until {
            self.rig.step();
            let now = self.now();
            self.a.serve(&self.rig, now);
            self.b.serve(&self.rig, now);
            for event in &self.b.events {
                if let Event::Incoming(call) = event {
                    self.b.trunk.accept(now, call.call).expect("accept");
                }
            }
            let ringing: Vec<CallId> = self
                .b
                .trunk
                .circuits()
                .filter(|c| c.state() == CircuitState::Ringing)
                .filter_map(|c| c.call_id())
                .collect();
            for call in ringing {
                self.b.trunk.answer(now, call).expect("answer");
            }
            if done(self) {
                return true;
            }
        }
        false
    }

    fn all_idle(&self) -> bool {
        self.a.trunk.circuits().chain(self.b.trunk.circuits()).all(|c| c.state() == CircuitState::Idle)
    }
}

#[test]
fn thirty_no1_calls_through_the_driver_then_dual_seizure_and_a_silent_far_end() {
    let mut s = Scenario::new();

    // 30 calls at once, DNIS and ANI, from end A.
    let mut placed = BTreeMap::new();
    for i in 0..30u32 {
        let dnis = format!("{:08}", 66_600_000 + i);
        let ani = format!("{:08}", 13_800_000 + i);
        let id = s.a.trunk.place_call(s.now(), &OutgoingCall::new(&dnis, Some(&ani)).unwrap()).unwrap();
        placed.insert(id.timeslot, (id, dnis, ani));
    }
    let mut a_log = Vec::new();
    let mut b_log = Vec::new();
    let connected = s.run(Duration::from_secs(5), |s| {
        a_log.extend(s.a.take());
        b_log.extend(s.b.take());
        a_log.iter().filter(|e| matches!(e, Event::Connected { .. })).count() == 30
    });
    assert!(connected, "{:?}", s.a.trunk.circuits().map(|c| (c.timeslot(), c.state())).collect::<Vec<_>>());
    let offered: BTreeMap<u8, (String, String)> = b_log
        .iter()
        .filter_map(|e| match e {
            Event::Incoming(call) => {
                Some((call.call.timeslot, (call.dnis.to_string(), call.ani.to_string())))
            }
            _ => None,
        })
        .collect();
    assert_eq!(offered.len(), 30);
    for (ts, (_, dnis, ani)) in &placed {
        assert_eq!(offered.get(ts), Some(&(dnis.clone(), ani.clone())), "ts {ts}");
    }
    assert_eq!(a_log.iter().filter(|e| matches!(e, Event::Alerting { charge: true, .. })).count(), 30);

    // Clearing from both ends: A the even timeslots, B the odd ones.
    let now = s.now();
    let b_calls: Vec<CallId> = s.b.trunk.circuits().filter_map(|c| c.call_id()).collect();
    for (ts, (id, _, _)) in &placed {
        if ts % 2 == 0 {
            s.a.trunk.hangup(now, *id, Cause::NormalClearing).unwrap();
        }
    }
    for id in b_calls.iter().filter(|id| id.timeslot % 2 == 1) {
        s.b.trunk.hangup(now, *id, Cause::NormalClearing).unwrap();
    }
    a_log.clear();
    b_log.clear();
    let idle = s.run(Duration::from_secs(2), |s| {
        a_log.extend(s.a.take());
        b_log.extend(s.b.take());
        s.all_idle()
    });
    assert!(idle);
    let count = |log: &[Event], remote: bool| {
        log.iter().filter(|e| matches!(e, Event::Released { cause: Cause::NormalClearing, remote: r, .. } if *r == remote)).count()
    };
    assert_eq!((count(&a_log, false), count(&a_log, true)), (14, 16));
    assert_eq!((count(&b_log, false), count(&b_log, true)), (16, 14));

    // Dual seizure: both ends seize timeslot 9 in the same block.
    let request = OutgoingCall::new("12345678", None).unwrap();
    let now = s.now();
    let a9 = s.a.trunk.place_call_on(now, 9, &request).unwrap();
    let b9 = s.b.trunk.place_call_on(now, 9, &request).unwrap();
    a_log.clear();
    b_log.clear();
    let glare = s.run(Duration::from_secs(2), |s| {
        a_log.extend(s.a.take());
        b_log.extend(s.b.take());
        s.all_idle() && a_log.iter().any(|e| matches!(e, Event::Released { .. }))
    });
    assert!(glare);
    let cause = Cause::RequestedChannelNotAvailable;
    assert!(a_log.contains(&Event::Released { call: a9, cause, remote: false }), "{a_log:?}");
    assert!(b_log.contains(&Event::Released { call: b9, cause, remote: false }), "{b_log:?}");

    // A far end that falls silent during register signaling: end B stops sending tones on
    // timeslot 3 once the second digit is through.
    let now = s.now();
    let id = s.a.trunk.place_call_on(now, 3, &OutgoingCall::new("87654321", Some("1")).unwrap()).unwrap();
    let two = s.run(Duration::from_secs(2), |s| {
        s.a.trunk
            .circuit(3)
            .is_some_and(|c| c.trace().tones(tdm_no1::trace::TraceDirection::Sent).count() >= 2)
    });
    assert!(two);
    s.b.mute.push(3);
    a_log.clear();
    let cleared = s.run(Duration::from_secs(15), |s| {
        a_log.extend(s.a.take());
        s.all_idle()
    });
    assert!(cleared);
    assert!(
        a_log.contains(&Event::Released { call: id, cause: Cause::RecoveryOnTimerExpiry, remote: false }),
        "{a_log:?}"
    );
    s.b.mute.clear();

    // Every circuit of both ends is idle, and so are the line bits both ways.
    assert!(s.all_idle());
    for circuit in s.a.trunk.circuits().chain(s.b.trunk.circuits()) {
        assert_eq!((circuit.tx_abcd(), circuit.rx_abcd()), (0xB, 0xB), "ts {}", circuit.timeslot());
    }
}
