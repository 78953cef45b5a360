//! OpenR2 1.3.3's China variant on the far end of a simulated span. This stack's China No.1
//! trunk runs on the span through the real driver (a CAS span: ABCD bits through the driver's
//! TS16 multiframe, MFC register signals as A-law octets through its timeslot rings, as in
//! `no1_sim.rs`); the span's cable ends at the external line port, where
//! `tdm_scenarios::far_end` is an E1 line of its own and OpenR2 channels sit on its timeslots:
//! their ABCD bits to and from the far end's CAS multiframe, their audio to and from its
//! timeslots, their clock the far end's blocks.
//!
//! One thread runs it all in lockstep (the far end sends each block ahead of the simulator's
//! step), so every run is the same. OpenR2 is the called side asking this stack for DNIS, the
//! category and ANI, and the calling side (DNIS and category only: its China calling side
//! cannot send ANI, a known OpenR2 defect, see `../shared/reference/peer-libraries.md`).
//!
//! Skipped with a notice when OpenR2 is not installed. `TDM_OPENR2_LOG=1` shows OpenR2's log.

use std::time::Duration as WallDuration;

use tdm_base::{Cause, Instant};
use tdm_driver::framer::{Crc4Mode, FramerConfig, SyncState};
use tdm_driver::{AudioChannel, Event as DriverEvent, Signaling, SpanConfig};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_no1::trace::{TraceDirection, TraceKind};
use tdm_no1::{CircuitConfig, Event, GroupA, Hunt, IncomingCall, Meaning, OutgoingCall, Trunk};
use tdm_peer_openr2::{CallMode, Category, Config, OpenR2, Or2Event};
use tdm_scenarios::Rig;
use tdm_scenarios::far_end::{FRAMES_PER_BLOCK, FarEnd, FarEndConfig, IDLE_OCTET, LinePort};

/// OpenR2's clock at the far end's time zero (microseconds).
const EPOCH_US: u64 = 1_000_000_000_000;
/// China No.1 idle, both directions (ABCD).
const CHINA_IDLE: u8 = 0b1011;

/// One OpenR2 channel on a far-end timeslot.
struct Peer {
    timeslot: u8,
    chan: OpenR2,
    events: Vec<(u64, Or2Event)>,
}

struct Bed {
    rig: Rig,
    trunk: Trunk,
    /// Our side's audio rings, per trunk timeslot.
    audio: Vec<(u8, AudioChannel)>,
    our_events: Vec<(u64, Event)>,
    port: LinePort,
    far: FarEnd,
    peers: Vec<Peer>,
    /// Every protocol error OpenR2 reported, `(timeslot, error)`, kept through the takes.
    protocol_errors: Vec<(u8, i32)>,
    _dir: tempfile::TempDir,
}

impl Bed {
    /// Our trunk on `timeslots` of the span with `ours`, an OpenR2 channel set up as `theirs`
    /// on each of the far end's; `None` without OpenR2.
    fn new(timeslots: &[u8], ours: CircuitConfig, theirs: Config) -> Option<Bed> {
        if !tdm_peer_openr2::AVAILABLE {
            eprintln!(
                "NOTICE: OpenR2 (libopenr2-dev, dahdi-source) is not available; OpenR2 line port test skipped"
            );
            return None;
        }
        tdm_peer_openr2::set_virtual_time(EPOCH_US);
        if let Some(level) = std::env::var("TDM_OPENR2_LOG").ok().and_then(|v| v.parse().ok()) {
            tdm_peer_openr2::set_log_level(level);
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let socket = dir.path().join("line.sock");
        let bench = format!(
            "seed = 5\n[[board]]\nname = \"ours\"\nspans = 1\n[[cable]]\nname = \"trunk\"\na = \"ours:0\"\n\
             external = \"{}\"\nbit_offset = 201\n",
            socket.display()
        );
        let span = SpanConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            signaling: Signaling::Cas,
            ..SpanConfig::default()
        };
        let rig = Rig::new(&bench, &[("ours", vec![span])]);
        let handle = rig.handle("ours");
        let audio = timeslots.iter().map(|&ts| (ts, handle.open_audio(0, ts, 64).expect("audio"))).collect();
        let trunk = Trunk::with_timeslots(timeslots, ours, Hunt::Ascending);
        let port = LinePort::connect(&socket, WallDuration::from_secs(10)).expect("connect to the line port");
        let mut far = FarEnd::new(FarEndConfig::cas());
        let mut peers = Vec::new();
        for &ts in timeslots {
            let chan = OpenR2::new(&Config { channel: i32::from(ts), ..theirs }).expect("an OpenR2 channel");
            far.set_abcd(ts, chan.tx_abcd()).expect("a CAS timeslot");
            peers.push(Peer { timeslot: ts, chan, events: Vec::new() });
        }
        let mut bed = Bed {
            rig,
            trunk,
            audio,
            our_events: Vec::new(),
            port,
            far,
            peers,
            protocol_errors: Vec::new(),
            _dir: dir,
        };
        bed.run_until(1000, "line and CAS multiframe aligned both ways", |b| {
            let ours = b.rig.report("ours", 0);
            b.far.sync() == SyncState::MultiframeAligned
                && b.far.cas_aligned()
                && ours.sync == SyncState::MultiframeAligned
                && ours.cas_aligned
        });
        // Both ends settle on idle: no call, no fault.
        bed.run_ms(50);
        for peer in &bed.peers {
            assert_eq!(bed.far.received_abcd(peer.timeslot), CHINA_IDLE);
            assert_eq!(peer.chan.tx_abcd(), CHINA_IDLE);
        }
        assert!(bed.trunk.circuits().all(|c| c.is_idle() && c.rx_abcd() == CHINA_IDLE));
        assert!(bed.our_events.is_empty(), "{:?}", bed.our_events);
        for peer in &mut bed.peers {
            peer.events.clear();
        }
        Some(bed)
    }

    fn now(&self) -> Instant {
        Instant::from_millis(self.rig.sim.now_ms())
    }

    /// One block: the far end sends ahead, the simulator and the driver run, our trunk serves
    /// its circuits, the far end takes what arrived and OpenR2 answers it.
    fn step(&mut self) {
        for peer in &mut self.peers {
            let mut octets = [IDLE_OCTET; FRAMES_PER_BLOCK];
            peer.chan.take_audio(&mut octets);
            if let Some(out) = self.far.transmit_audio(peer.timeslot) {
                *out = octets;
            }
            self.far.set_abcd(peer.timeslot, peer.chan.tx_abcd()).expect("OpenR2 sends a legal ABCD");
        }
        let block = self.far.transmit_block();
        self.port.send(&block).unwrap_or_else(|e| panic!("{e}"));
        self.rig.step();
        self.serve_trunk();
        let block = *self.port.receive().unwrap_or_else(|e| panic!("{e}"));
        self.far.receive_block(&block);

        let blocks = self.far.blocks();
        tdm_peer_openr2::set_virtual_time(EPOCH_US + blocks * 1000);
        for peer in &mut self.peers {
            if let Some(&(_, abcd)) =
                self.far.abcd_changes().iter().rev().find(|(ts, _)| *ts == peer.timeslot)
            {
                peer.chan.set_rx_abcd(abcd);
            }
            let octets: Vec<u8> = self.far.received_audio(peer.timeslot).collect();
            peer.chan.push_audio(&octets);
            assert!(peer.chan.process(), "OpenR2 failed on ts {}", peer.timeslot);
            while let Some(event) = peer.chan.poll_event() {
                if let Or2Event::ProtocolError(error) = event {
                    self.protocol_errors.push((peer.timeslot, error));
                }
                peer.events.push((blocks, event));
            }
        }
    }

    /// Our side of the block, as an application on the driver would serve a No.1 trunk:
    /// ABCD changes in, timers, the block's audio both ways, ABCD out.
    fn serve_trunk(&mut self) {
        let now = self.now();
        let handle = self.rig.handle("ours");
        while let Ok(event) = handle.events().try_recv() {
            if let DriverEvent::Abcd { span: 0, timeslot, abcd, .. } = event {
                self.trunk.handle_abcd(now, timeslot, abcd);
            }
        }
        self.trunk.handle_timeout(now);
        for (ts, channel) in &mut self.audio {
            let mut octets = [0u8; FRAMES_PER_BLOCK];
            let got = channel.rx.pop_slice(&mut octets);
            let samples: Vec<i16> = octets[..got].iter().map(|&o| alaw_to_linear(o)).collect();
            self.trunk.handle_audio(now, *ts, &samples);
            let mut tone = [0i16; FRAMES_PER_BLOCK];
            self.trunk.fill_audio(*ts, &mut tone);
            let out: Vec<u8> = tone.iter().map(|&s| linear_to_alaw(s)).collect();
            channel.tx.push_slice(&out);
        }
        while let Some((timeslot, abcd)) = self.trunk.poll_abcd() {
            handle.set_abcd(0, timeslot, abcd).expect("set_abcd");
        }
        while let Some(event) = self.trunk.poll_event() {
            self.our_events.push((now.as_millis(), event));
        }
    }

    fn run_ms(&mut self, ms: u64) {
        for _ in 0..ms {
            self.step();
        }
    }

    /// Steps until `done` holds; panics naming `what`, with both ends' logs, after `limit_ms`.
    fn run_until(&mut self, limit_ms: u64, what: &str, mut done: impl FnMut(&Bed) -> bool) {
        for _ in 0..limit_ms {
            self.step();
            if done(self) {
                return;
            }
        }
        panic!("{what}: not within {limit_ms} ms\n{}", self.dump());
    }

    fn dump(&self) -> String {
        let mut text = String::new();
        for peer in &self.peers {
            for (at, e) in &peer.events {
                text += &format!("{at:6} openr2 ts {} {e:?}\n", peer.timeslot);
            }
        }
        for (at, e) in &self.our_events {
            text += &format!("{at:6} ours {e:?}\n");
        }
        for circuit in self.trunk.circuits() {
            for entry in circuit.trace().entries() {
                text += &format!("ts {} {entry}\n", circuit.timeslot());
            }
        }
        text
    }

    fn peer(&mut self, timeslot: u8) -> &mut Peer {
        self.peers.iter_mut().find(|p| p.timeslot == timeslot).expect("an OpenR2 channel there")
    }

    fn they_said(&self, timeslot: u8, pred: impl Fn(&Or2Event) -> bool) -> bool {
        self.peers.iter().any(|p| p.timeslot == timeslot && p.events.iter().any(|(_, e)| pred(e)))
    }

    fn we_said(&self, pred: impl Fn(&Event) -> bool) -> bool {
        self.our_events.iter().any(|(_, e)| pred(e))
    }

    fn take_ours(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.our_events).into_iter().map(|(_, e)| e).collect()
    }

    fn take_theirs(&mut self, timeslot: u8) -> Vec<Or2Event> {
        std::mem::take(&mut self.peer(timeslot).events).into_iter().map(|(_, e)| e).collect()
    }

    /// Register signals our circuit on `timeslot` sent, by number.
    fn tones_sent(&self, timeslot: u8) -> Vec<u8> {
        let circuit = self.trunk.circuit(timeslot).expect("a trunk circuit");
        circuit.trace().tones(TraceDirection::Sent).map(|(code, _)| code).collect()
    }

    fn idle(&self) -> bool {
        self.trunk.circuits().all(|c| c.is_idle())
            && self.peers.iter().all(|p| p.chan.tx_abcd() == CHINA_IDLE)
    }
}

fn offered(events: &[Or2Event]) -> Option<(String, String, i32)> {
    events.iter().find_map(|e| match e {
        Or2Event::Offered { ani, dnis, category } => Some((ani.clone(), dnis.clone(), *category)),
        _ => None,
    })
}

fn digits(events: &[Or2Event], ani: bool) -> String {
    events
        .iter()
        .filter_map(|e| match (e, ani) {
            (Or2Event::AniDigit(d), true) | (Or2Event::DnisDigit(d), false) => Some(*d),
            _ => None,
        })
        .collect()
}

#[test]
fn openr2_called_side_receives_dnis_category_and_ani_from_us_over_the_span() {
    let Some(mut bed) =
        Bed::new(&[5, 20], CircuitConfig::china(), Config { max_ani: 20, ..Config::china(8) })
    else {
        return;
    };

    // A call on TS5: DNIS, then KA and ANI when OpenR2 asks, then group B.
    let now = bed.now();
    let request = OutgoingCall::new("12345678", Some("87654321")).expect("numbers");
    let id = bed.trunk.place_call_on(now, 5, &request).expect("call placed");
    bed.run_until(10_000, "OpenR2 offered the call", |b| {
        b.they_said(5, |e| matches!(e, Or2Event::Offered { .. }))
    });
    let theirs = bed.take_theirs(5);
    assert_eq!(
        offered(&theirs),
        Some(("87654321".into(), "12345678".into(), Category::NationalSubscriber as i32))
    );
    assert_eq!(theirs.first(), Some(&Or2Event::CallInit));
    assert_eq!(digits(&theirs, false), "12345678");
    assert_eq!(digits(&theirs, true), "87654321");
    // DNIS digits, KA (category 1), the ANI digits, end of ANI (15), KD (3).
    assert_eq!(bed.tones_sent(5), vec![1, 2, 3, 4, 5, 6, 7, 8, 1, 8, 7, 6, 5, 4, 3, 2, 1, 15, 3]);
    let circuit = bed.trunk.circuit(5).expect("circuit");
    let heard: Vec<Meaning> = circuit.trace().tones(TraceDirection::Received).map(|(_, m)| m).collect();
    let mut expected = vec![Meaning::A(GroupA::NextDigit); 7];
    expected.push(Meaning::A(GroupA::SendCategory));
    expected.extend([Meaning::A(GroupA::NextAniDigit); 9]);
    expected.push(Meaning::A(GroupA::ChangeToGroupB));
    assert_eq!(heard, expected);
    // TS20 saw none of it.
    assert!(bed.peer(20).events.is_empty());
    assert_eq!(bed.trunk.circuit(20).map(|c| c.is_idle()), Some(true));

    assert!(bed.peer(5).chan.accept(CallMode::WithCharge));
    bed.run_until(2000, "our call alerting", |b| b.we_said(|e| matches!(e, Event::Alerting { .. })));
    assert!(bed.peer(5).chan.answer());
    bed.run_until(2000, "our call answered", |b| b.we_said(|e| matches!(e, Event::Connected { .. })));
    let now = bed.now();
    bed.trunk.hangup(now, id, Cause::NormalClearing).expect("hang up");
    bed.run_until(2000, "OpenR2 told of our clear-forward", |b| {
        b.they_said(5, |e| matches!(e, Or2Event::Disconnect(_)))
    });
    assert!(bed.peer(5).chan.disconnect(tdm_peer_openr2::Cause::NormalClearing));
    bed.run_until(5000, "both ends idle", |b| b.idle() && b.they_said(5, |e| *e == Or2Event::End));
    assert_eq!(
        bed.take_ours(),
        vec![
            Event::Alerting { call: id, charge: true },
            Event::Connected { call: id },
            Event::Released { call: id, cause: Cause::NormalClearing, remote: false },
            Event::Idle { timeslot: 5 },
        ]
    );
    // (Accepted and Answered are the calling side's events.)
    assert_eq!(
        bed.take_theirs(5),
        vec![Or2Event::Disconnect(Some(tdm_peer_openr2::Cause::NormalClearing)), Or2Event::End]
    );

    // OpenR2 refuses calls on TS20: each group B signal reaches us as its cause.
    for (refusal, cause) in [
        (tdm_peer_openr2::Cause::BusyNumber, Cause::UserBusy),
        (tdm_peer_openr2::Cause::UnallocatedNumber, Cause::UnallocatedNumber),
        (tdm_peer_openr2::Cause::NetworkCongestion, Cause::SwitchingEquipmentCongestion),
    ] {
        let now = bed.now();
        let request = OutgoingCall::new("55501234", None).expect("number");
        let id = bed.trunk.place_call_on(now, 20, &request).expect("call placed");
        bed.run_until(10_000, "OpenR2 offered the call", |b| {
            b.they_said(20, |e| matches!(e, Or2Event::Offered { .. }))
        });
        let theirs = bed.take_theirs(20);
        assert_eq!(
            offered(&theirs),
            Some((String::new(), "55501234".into(), Category::NationalSubscriber as i32))
        );
        // DNIS (0 is signal 10), KA 1 on A-6, "end of ANI" (15) on A-1, KD 3 on A-3.
        assert_eq!(bed.tones_sent(20), vec![5, 5, 5, 10, 1, 2, 3, 4, 1, 15, 3]);
        assert!(bed.peer(20).chan.disconnect(refusal));
        bed.run_until(3000, "our call refused", |b| b.we_said(|e| matches!(e, Event::Released { .. })));
        assert_eq!(bed.take_ours(), vec![Event::Released { call: id, cause, remote: true }], "{refusal:?}");
        bed.run_until(2000, "OpenR2 told of our clear-forward", |b| {
            b.they_said(20, |e| matches!(e, Or2Event::Disconnect(_)))
        });
        assert!(bed.peer(20).chan.disconnect(tdm_peer_openr2::Cause::NormalClearing));
        bed.run_until(5000, "both ends idle", |b| b.idle() && b.they_said(20, |e| *e == Or2Event::End));
        assert_eq!(bed.take_ours(), vec![Event::Idle { timeslot: 20 }], "{refusal:?}");
        assert_eq!(
            bed.take_theirs(20),
            vec![Or2Event::Disconnect(Some(tdm_peer_openr2::Cause::NormalClearing)), Or2Event::End]
        );
    }
    assert_eq!(bed.protocol_errors, vec![]);
}

/// OpenR2 calls us on `timeslot`; returns once we were offered the call.
fn openr2_calls(bed: &mut Bed, timeslot: u8, ani: &str, dnis: &str) -> IncomingCall {
    assert!(bed.peer(timeslot).chan.make_call(ani, dnis, Category::NationalSubscriber));
    bed.run_until(15_000, "we were offered OpenR2's call", |b| {
        b.we_said(|e| matches!(e, Event::Incoming(_)))
    });
    let ours = bed.take_ours();
    match ours.as_slice() {
        [Event::Incoming(call)] => *call,
        other => panic!("{other:?}\n{}", bed.dump()),
    }
}

#[test]
fn openr2_calling_side_sends_us_dnis_and_category_over_the_span() {
    let mut config = CircuitConfig::china();
    config.dnis_length = Some(8);
    let Some(mut bed) = Bed::new(&[17, 31], config, Config::china(8)) else { return };

    // An answered call on TS17 (its ABCD rides the low nibble of TS16), cleared by OpenR2.
    let call = openr2_calls(&mut bed, 17, "", "12345678");
    assert_eq!((call.call.timeslot, call.dnis.as_str(), call.ani.as_str()), (17, "12345678", ""));
    // OpenR2 answers A6 with its category as KA (II-1), and the change to group B with II-1
    // again as KD.
    assert_eq!((call.category, call.group_ii), (Some(1), 1));
    let heard: Vec<(u8, Meaning)> =
        bed.trunk.circuit(17).expect("circuit").trace().tones(TraceDirection::Received).collect();
    let mut expected: Vec<(u8, Meaning)> = (1..=8).map(|d| (d, Meaning::Digit(d))).collect();
    expected.extend([(1, Meaning::Category(1)), (1, Meaning::GroupII(1))]);
    assert_eq!(heard, expected);
    let now = bed.now();
    bed.trunk.accept(now, call.call).expect("accept");
    bed.run_until(2000, "OpenR2 accepted", |b| b.they_said(17, |e| matches!(e, Or2Event::Accepted(_))));
    let now = bed.now();
    bed.trunk.answer(now, call.call).expect("answer");
    bed.run_until(2000, "OpenR2 answered", |b| b.they_said(17, |e| *e == Or2Event::Answered));
    assert!(bed.peer(17).chan.disconnect(tdm_peer_openr2::Cause::NormalClearing));
    bed.run_until(5000, "both ends idle", |b| b.idle() && b.they_said(17, |e| *e == Or2Event::End));
    assert_eq!(
        bed.take_ours(),
        vec![
            Event::Released { call: call.call, cause: Cause::NormalClearing, remote: true },
            Event::Idle { timeslot: 17 },
        ]
    );
    assert_eq!(
        bed.take_theirs(17),
        vec![Or2Event::Accepted(CallMode::WithCharge as i32), Or2Event::Answered, Or2Event::End]
    );

    // OpenR2 given an ANI on TS31: its China calling side still cannot send it (it takes our
    // A-1 after KA for a DNIS request and falls silent); the call completes without ANI,
    // and we refuse it as busy, which OpenR2 hears as such.
    let call = openr2_calls(&mut bed, 31, "87654321", "12345678");
    assert_eq!((call.call.timeslot, call.dnis.as_str(), call.ani.as_str()), (31, "12345678", ""));
    let sent: Vec<(u8, Meaning)> =
        bed.trunk.circuit(31).expect("circuit").trace().tones(TraceDirection::Sent).collect();
    // A-1 for each of the first seven digits, A-6 for the category after the eighth, A-1
    // for the first ANI digit; OpenR2 takes that A-1 for a DNIS request, has no digit left
    // and falls silent, and the silence ends in A-3: change to group B.
    let mut expected = vec![(1, Meaning::A(GroupA::NextDigit)); 7];
    expected.extend([
        (6, Meaning::A(GroupA::SendCategory)),
        (1, Meaning::A(GroupA::NextAniDigit)),
        (3, Meaning::A(GroupA::ChangeToGroupB)),
    ]);
    assert_eq!(sent, expected);
    let pulsed_a3 = bed.trunk.circuit(31).expect("circuit").trace().entries().any(|e| {
        e.direction == TraceDirection::Sent
            && matches!(e.kind, TraceKind::ToneOn { code: 3, pulse: true, .. })
    });
    assert!(pulsed_a3, "the silence after A-1 ends in a pulsed A-3\n{}", bed.dump());
    let now = bed.now();
    bed.trunk.reject(now, call.call, Cause::UserBusy).expect("reject");
    bed.run_until(3000, "OpenR2 told of the refusal", |b| {
        b.they_said(31, |e| matches!(e, Or2Event::Disconnect(_)))
    });
    assert!(bed.they_said(31, |e| *e == Or2Event::Disconnect(Some(tdm_peer_openr2::Cause::BusyNumber))));
    assert!(bed.peer(31).chan.disconnect(tdm_peer_openr2::Cause::NormalClearing));
    bed.run_until(5000, "both ends idle", |b| b.idle() && b.they_said(31, |e| *e == Or2Event::End));
    assert_eq!(
        bed.take_ours(),
        vec![
            Event::Released { call: call.call, cause: Cause::UserBusy, remote: false },
            Event::Idle { timeslot: 31 }
        ]
    );
    // No protocol error on either OpenR2 channel, all bits idle.
    assert_eq!(bed.protocol_errors, vec![]);
    for circuit in bed.trunk.circuits() {
        assert_eq!((circuit.tx_abcd(), circuit.rx_abcd()), (CHINA_IDLE, CHINA_IDLE));
    }
}
