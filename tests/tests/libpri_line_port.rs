//! libpri on the far end of a simulated span. This stack runs the span as the running system
//! does (the real driver on a simulated board, the call engine with ISDN on it, the D-channel
//! through the driver's soft HDLC on TS16); the span's cable ends at the external line port,
//! where `tdm_scenarios::far_end` is an E1 line of its own (framer, CRC-4, soft HDLC) and
//! libpri 1.6 (EuroISDN E1) sits on its TS16, on the far end's clock: one block exchanged is
//! one millisecond of libpri's `gettimeofday()`.
//!
//! One thread does it all, in lockstep: the far end sends each block ahead of the simulator's
//! step, so every run is the same. Calls go both ways with their B-channel audio checked (the
//! 1004 Hz test tone crosses the span each way), are cleared from both ends and refused with
//! causes, and channels are restarted from both ends. Both ends' D-channel captures must hold
//! the same frames, and tshark must decode them without a malformed frame.
//!
//! Skipped with a notice when libpri (or, for the decode alone, tshark) is not installed.
//! `PRI_TRACE=1` prints every D-channel frame the far end sees.

use std::collections::{BTreeMap, VecDeque};
use std::path::Path;
use std::time::Duration as WallDuration;

use crossbeam_channel::Receiver;
use tdm_base::Cause;
use tdm_callctl::IsdnSpanConfig;
use tdm_callctl::audio::{TEST_TONE_HZ, ToneDetector};
use tdm_callctl::engine::{BoardSetup, Engine, IncomingPolicy, SpanSetup};
use tdm_callctl::model::{CallEvent, CallId, CallInfo, CallRequest, EventKind};
use tdm_callctl::trace::{PcapWriter, TraceDirection, TraceRecord};
use tdm_driver::SpanConfig;
use tdm_driver::framer::{Crc4Mode, FramerConfig, SyncState};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_dsp::tonegen::{Cadence, Tone, ToneGenerator};
use tdm_isdn::Side;
use tdm_peer_libpri::{LibPri, PriCall, PriEvent, PriSide};
use tdm_scenarios::Rig;
use tdm_scenarios::far_end::{FRAMES_PER_BLOCK, FarEnd, FarEndConfig, LinePort};

/// libpri's clock at the far end's time zero (microseconds).
const EPOCH_US: u64 = 1_000_000_000_000;
/// The span, as the engine names it.
const SPAN: &str = "ours:0";
/// Ringing time of calls to this stack before it answers.
const RING_MS: u64 = 300;
/// Level of the test tone both ends send.
const TONE_DBM0: f32 = -10.0;

/// A D-channel frame as the far end saw it: its time (ms), whether libpri sent it, the bytes.
type FarFrame = (u64, bool, Vec<u8>);

struct Bed {
    rig: Rig,
    engine: Engine,
    port: LinePort,
    far: FarEnd,
    pri: LibPri,
    pri_network: bool,
    /// libpri's frames the far end's HDLC queue had no room for yet.
    backlog: VecDeque<Vec<u8>>,
    pri_events: Vec<(u64, PriEvent)>,
    far_frames: Vec<FarFrame>,
    our_trace: Receiver<TraceRecord>,
    our_frames: Vec<TraceRecord>,
    /// B-channels the far end sends the test tone on.
    tones: BTreeMap<u8, ToneGenerator>,
    /// B-channels the far end listens on for the test tone.
    listeners: BTreeMap<u8, ToneDetector>,
    seen: u64,
    _dir: tempfile::TempDir,
}

impl Bed {
    /// This stack on `our_side` of the span, libpri on the other; `None` without libpri.
    fn new(our_side: Side) -> Option<Bed> {
        if !tdm_peer_libpri::AVAILABLE {
            eprintln!("NOTICE: libpri (libpri-dev) is not available; libpri line port test skipped");
            return None;
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let socket = dir.path().join("line.sock");
        let bench = format!(
            "seed = 7\n[[board]]\nname = \"ours\"\nspans = 1\n[[cable]]\nname = \"trunk\"\na = \"ours:0\"\n\
             external = \"{}\"\nbit_offset = 77\n",
            socket.display()
        );
        let span = SpanConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            ..SpanConfig::default()
        };
        let rig = Rig::new(&bench, &[("ours", vec![span])]);
        let boards = vec![BoardSetup { name: "ours".into(), handle: rig.handle("ours").clone() }];
        let mut setup = SpanSetup::isdn(0, 0, IsdnSpanConfig::new(our_side));
        setup.incoming = IncomingPolicy::Answer { ring_ms: RING_MS };
        setup.tone_dbm0 = TONE_DBM0;
        let mut engine = Engine::new(boards, vec![setup]).expect("the engine starts");
        let (network, our_trace) = engine.subscribe_trace(SPAN).expect("trace");
        assert_eq!(network, our_side == Side::Network);
        let port = LinePort::connect(&socket, WallDuration::from_secs(10)).expect("connect to the line port");
        tdm_peer_libpri::set_virtual_time(EPOCH_US);
        let pri_side = match our_side {
            Side::User => PriSide::Network,
            Side::Network => PriSide::User,
        };
        let pri = LibPri::new(pri_side).expect("a libpri D-channel");
        Some(Bed {
            rig,
            engine,
            port,
            far: FarEnd::new(FarEndConfig::ccs()),
            pri,
            pri_network: pri_side == PriSide::Network,
            backlog: VecDeque::new(),
            pri_events: Vec::new(),
            far_frames: Vec::new(),
            our_trace,
            our_frames: Vec::new(),
            tones: BTreeMap::new(),
            listeners: BTreeMap::new(),
            seen: 0,
            _dir: dir,
        })
    }

    /// One block: the far end sends ahead, the simulator and the driver run, the engine
    /// serves the span, the far end takes what arrived and libpri answers it.
    fn step(&mut self) {
        for (&ts, generator) in &mut self.tones {
            let mut samples = [0i16; FRAMES_PER_BLOCK];
            generator.generate(&mut samples);
            if let Some(out) = self.far.transmit_audio(ts) {
                for (octet, sample) in out.iter_mut().zip(samples) {
                    *octet = linear_to_alaw(sample);
                }
            }
        }
        while let Some(frame) = self.backlog.front() {
            if self.far.send_hdlc(frame).is_err() {
                break;
            }
            self.backlog.pop_front();
        }
        let block = self.far.transmit_block();
        self.port.send(&block).unwrap_or_else(|e| panic!("{e}"));
        self.rig.step();
        self.engine.pump();
        let block = *self.port.receive().unwrap_or_else(|e| panic!("{e}"));
        self.far.receive_block(&block);

        let now = self.far.blocks();
        tdm_peer_libpri::set_virtual_time(EPOCH_US + now * 1000);
        let received: Vec<Vec<u8>> = self.far.received_hdlc().map(<[u8]>::to_vec).collect();
        for frame in received {
            if std::env::var("PRI_TRACE").is_ok() {
                eprintln!("{now:6} ours -> pri {frame:02X?}");
            }
            if let Some(event) = self.pri.receive(&frame) {
                self.pri_events.push((now, event));
            }
            self.far_frames.push((now, false, frame));
        }
        // libpri runs its due timers one event at a time; a bound keeps a timer it
        // reschedules for the same instant from holding the block.
        for _ in 0..16 {
            if self.pri.next_deadline().is_none_or(|at| at > EPOCH_US + now * 1000) {
                break;
            }
            if let Some(event) = self.pri.run_timers() {
                self.pri_events.push((now, event));
            }
        }
        self.take_pri_frames();
        for (&ts, listener) in &mut self.listeners {
            let samples: Vec<i16> = self.far.received_audio(ts).map(alaw_to_linear).collect();
            listener.push(&samples);
        }
        self.our_frames.extend(self.our_trace.try_iter());
    }

    /// Frames libpri wrote (after an event, a command or a timer) go to the far end's TS16.
    fn take_pri_frames(&mut self) {
        let now = self.far.blocks();
        let mut buffer = [0u8; 600];
        while let Some(len) = self.pri.take_frame(&mut buffer) {
            let frame = buffer[..len].to_vec();
            if std::env::var("PRI_TRACE").is_ok() {
                eprintln!("{now:6} pri -> ours {frame:02X?}");
            }
            self.far_frames.push((now, true, frame.clone()));
            self.backlog.push_back(frame);
        }
    }

    /// Steps until `done` holds; panics naming `what` after `limit_ms`.
    fn run_until(&mut self, limit_ms: u64, what: &str, mut done: impl FnMut(&Bed) -> bool) {
        for _ in 0..limit_ms {
            self.step();
            if done(self) {
                return;
            }
        }
        panic!(
            "{what}: not within {limit_ms} ms\nlibpri: {:?}\nours: {:?}\ncalls: {:?}",
            self.pri_events,
            self.engine.events_since(0),
            self.engine.calls()
        );
    }

    fn run_ms(&mut self, ms: u64) {
        for _ in 0..ms {
            self.step();
        }
    }

    /// libpri's events since the last look.
    fn take_pri(&mut self) -> Vec<PriEvent> {
        std::mem::take(&mut self.pri_events).into_iter().map(|(_, e)| e).collect()
    }

    /// Our engine's log since the last look.
    fn take_ours(&mut self) -> Vec<CallEvent> {
        let events = self.engine.events_since(self.seen);
        self.seen = events.last().map_or(self.seen, |e| e.seq);
        events
    }

    fn pri_said(&self, pred: impl Fn(&PriEvent) -> bool) -> bool {
        self.pri_events.iter().any(|(_, e)| pred(e))
    }

    fn our_call(&self, id: CallId) -> Option<CallInfo> {
        self.engine.calls().into_iter().find(|c| c.id == id)
    }

    /// A libpri command's frames leave with the next block.
    fn pri_command(&mut self, ok: bool, what: &str) {
        assert!(ok, "libpri refused {what}");
        self.take_pri_frames();
    }
}

/// A call's log entries as `(kind name, timeslot)`.
fn call_log(events: &[CallEvent], id: CallId) -> Vec<(&'static str, Option<u8>)> {
    events.iter().filter(|e| e.call == Some(id)).map(|e| (e.kind.name(), e.timeslot)).collect()
}

fn released(events: &[CallEvent], id: CallId) -> Option<(Cause, bool)> {
    events.iter().find_map(|e| match e.kind {
        EventKind::Released { cause, remote } if e.call == Some(id) => Some((cause, remote)),
        _ => None,
    })
}

fn ring(events: &[PriEvent]) -> (PriCall, i32, String, String, bool) {
    events
        .iter()
        .find_map(|e| match e {
            PriEvent::Ring { call, channel, called, calling, complete, .. } => {
                Some((*call, *channel, called.clone(), calling.clone(), *complete))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no RING in {events:?}"))
}

fn bring_up(bed: &mut Bed) {
    bed.run_until(5000, "line aligned, both D-channels up", |b| {
        b.engine.spans()[0].link_up && b.pri_said(|e| *e == PriEvent::DchanUp)
    });
    assert_eq!(bed.far.sync(), SyncState::MultiframeAligned);
    assert_eq!(bed.rig.report("ours", 0).sync, SyncState::MultiframeAligned);
    bed.take_pri();
    let ours: Vec<_> = bed.take_ours().into_iter().map(|e| e.kind).collect();
    assert_eq!(ours, vec![EventKind::LinkUp]);
}

/// We call libpri on `timeslot` (the one our side hunts first); libpri proceeds, alerts and
/// answers with the test tone; we hear it and clear.
fn call_to_libpri_cleared_by_us(bed: &mut Bed, timeslot: u8) {
    let request = CallRequest {
        span: SPAN.into(),
        called: "10086".into(),
        calling: Some("88880001".into()),
        hangup_after_ms: None,
    };
    let id = bed.engine.place_call(&request).expect("call placed");
    bed.run_until(1000, "libpri rings", |b| b.pri_said(|e| matches!(e, PriEvent::Ring { .. })));
    let (call, channel, called, calling, complete) = ring(&bed.take_pri());
    assert_eq!(
        (channel & 0xFF, called.as_str(), calling.as_str(), complete),
        (i32::from(timeslot), "10086", "88880001", true)
    );
    let ok = bed.pri.proceeding(call, channel) && bed.pri.acknowledge(call, channel);
    bed.pri_command(ok, "proceeding/alerting");
    bed.run_ms(100);
    bed.tones.insert(
        timeslot,
        ToneGenerator::new(&Tone::single(TEST_TONE_HZ as f32, TONE_DBM0), Cadence::CONTINUOUS),
    );
    let ok = bed.pri.answer(call, channel);
    bed.pri_command(ok, "answer");
    bed.run_until(1000, "libpri's tone heard on our call", |b| {
        b.our_call(id).is_some_and(|c| c.tone.is_some())
    });
    let info = bed.our_call(id).expect("call in progress");
    assert_eq!(
        (info.timeslot, info.state.as_str()),
        (Some(timeslot), if bed.pri_network { "U10 active" } else { "N10 active" })
    );
    let level = info.tone.expect("tone").level_dbm0;
    assert!((level - f64::from(TONE_DBM0)).abs() < 0.5, "{level} dBm0");

    bed.engine.hangup(id, Cause::NormalClearing).expect("hang up");
    bed.run_until(1000, "libpri told of the clearing", |b| {
        b.pri_said(|e| matches!(e, PriEvent::HangupReq { .. }))
    });
    let events = bed.take_pri();
    assert!(events.contains(&PriEvent::HangupReq { call, cause: 16 }), "{events:?}");
    let ok = bed.pri.hangup(call, 16);
    bed.pri_command(ok, "hangup");
    bed.run_until(1000, "our call released and libpri's acknowledged", |b| {
        b.engine.calls().is_empty() && b.pri_said(|e| matches!(e, PriEvent::HangupAck { .. }))
    });
    bed.tones.remove(&timeslot);
    assert_eq!(bed.take_pri(), vec![PriEvent::HangupAck { call, cause: -1 }]);
    let ours = bed.take_ours();
    assert_eq!(
        call_log(&ours, id),
        vec![
            ("placed", Some(timeslot)),
            ("proceeding", Some(timeslot)),
            ("alerting", Some(timeslot)),
            ("connected", Some(timeslot)),
            ("tone", Some(timeslot)),
            ("released", Some(timeslot)),
        ]
    );
    assert_eq!(released(&ours, id), Some((Cause::NormalClearing, false)));
}

/// libpri calls us on TS17; we alert, answer after the ringing time and send the test tone,
/// which the far end hears on TS17; libpri clears with cause 31.
fn call_from_libpri_cleared_by_libpri(bed: &mut Bed) {
    bed.listeners.insert(17, ToneDetector::new());
    let call = bed.pri.call("6001", Some("13800138000"), 17, true).expect("libpri places the call");
    bed.take_pri_frames();
    bed.run_until(2000, "libpri's call answered, at both ends", |b| {
        b.pri_said(|e| matches!(e, PriEvent::Answer { .. }))
            && b.engine.events_since(b.seen).iter().any(|e| e.kind == EventKind::Connected)
    });
    let events = bed.take_pri();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| match e {
            PriEvent::Proceeding { call: c, channel } if *c == call && channel & 0xFF == 17 => "proceeding",
            PriEvent::Ringing { call: c, channel } if *c == call && channel & 0xFF == 17 => "ringing",
            PriEvent::Answer { call: c, channel } if *c == call && channel & 0xFF == 17 => "answer",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, vec!["proceeding", "ringing", "answer"], "{events:?}");
    let ours = bed.take_ours();
    let id = ours.first().and_then(|e| e.call).expect("an offered call");
    assert_eq!(
        ours[0].kind,
        EventKind::Offered { called: "6001".into(), calling: Some("13800138000".into()) }
    );
    assert_eq!(
        call_log(&ours, id),
        vec![("offered", Some(17)), ("alerting", Some(17)), ("connected", Some(17))]
    );
    // Alerting at once, CONNECT after the ringing time; the user side is connected when the
    // CONNECT ACKNOWLEDGE is back (a D-channel round trip, a few ms, later).
    let offered_at = ours[0].at_ms;
    assert_eq!(ours[1].at_ms, offered_at);
    let connected_after = ours[2].at_ms - offered_at;
    assert!((RING_MS..=RING_MS + 20).contains(&connected_after), "{connected_after} ms");

    bed.run_until(1000, "our tone heard at the far end", |b| b.listeners[&17].heard().is_some());
    let level = bed.listeners[&17].heard().expect("tone");
    assert!((level - f64::from(TONE_DBM0)).abs() < 0.5, "{level} dBm0");
    // Nothing leaks onto a timeslot of no call.
    assert!(bed.far.received_audio(18).all(|o| o == 0xD5));

    let ok = bed.pri.hangup(call, 31);
    bed.pri_command(ok, "hangup");
    bed.run_until(1000, "our release reaches libpri", |b| {
        b.pri_said(|e| matches!(e, PriEvent::Hangup { .. }))
    });
    let ok = bed.pri.hangup(call, 31);
    bed.pri_command(ok, "hangup (release complete)");
    bed.run_until(1000, "our call released", |b| b.engine.calls().is_empty());
    bed.listeners.remove(&17);
    let ours = bed.take_ours();
    assert_eq!(released(&ours, id), Some((Cause::NormalUnspecified, true)), "{ours:?}");
    // libpri heard our RELEASE (which carries no cause after a DISCONNECT) and nothing else.
    assert_eq!(bed.take_pri(), vec![PriEvent::Hangup { call, cause: -1 }]);
}

/// libpri refuses our call with "user busy" after CALL PROCEEDING.
fn call_to_libpri_refused_busy(bed: &mut Bed, timeslot: u8) {
    let request =
        CallRequest { span: SPAN.into(), called: "10010".into(), calling: None, hangup_after_ms: None };
    let id = bed.engine.place_call(&request).expect("call placed");
    bed.run_until(1000, "libpri rings", |b| b.pri_said(|e| matches!(e, PriEvent::Ring { .. })));
    let (call, channel, called, calling, _) = ring(&bed.take_pri());
    assert_eq!((channel & 0xFF, called.as_str(), calling.as_str()), (i32::from(timeslot), "10010", ""));
    let ok = bed.pri.proceeding(call, channel) && bed.pri.hangup(call, 17);
    bed.pri_command(ok, "proceeding + hangup");
    // Our RELEASE reaches libpri as a hangup, which its user answers (RELEASE COMPLETE).
    bed.run_until(1000, "our release reaches libpri", |b| {
        b.pri_said(|e| matches!(e, PriEvent::Hangup { .. }))
    });
    assert_eq!(bed.take_pri(), vec![PriEvent::Hangup { call, cause: -1 }]);
    let ok = bed.pri.hangup(call, 17);
    bed.pri_command(ok, "hangup (release complete)");
    bed.run_until(1000, "our call released", |b| b.engine.calls().is_empty());
    let ours = bed.take_ours();
    assert_eq!(released(&ours, id), Some((Cause::UserBusy, true)), "{ours:?}");
    assert_eq!(
        call_log(&ours, id),
        vec![("placed", Some(timeslot)), ("proceeding", Some(timeslot)), ("released", Some(timeslot))]
    );
    // Nothing follows on either side.
    bed.run_ms(50);
    assert_eq!(bed.take_pri(), vec![]);
    assert_eq!(bed.take_ours(), vec![]);
}

/// libpri restarts TS9; we restart the whole interface.
fn restarts(bed: &mut Bed) {
    let ok = bed.pri.reset(9);
    bed.pri_command(ok, "reset");
    bed.run_until(1000, "libpri's restart acknowledged", |b| {
        b.pri_said(|e| matches!(e, PriEvent::RestartAck { .. }))
    });
    let events = bed.take_pri();
    assert_eq!(events, vec![PriEvent::RestartAck { channel: 9 }]);
    let ours: Vec<_> = bed.take_ours().into_iter().map(|e| (e.kind, e.call)).collect();
    assert_eq!(ours, vec![(EventKind::RestartReceived, None)]);

    bed.engine.restart(SPAN).expect("restart");
    bed.run_until(1000, "our restart acknowledged", |b| {
        b.engine.events_since(b.seen).iter().any(|e| e.kind == EventKind::RestartCompleted)
    });
    let ours: Vec<_> = bed.take_ours().into_iter().map(|e| e.kind).collect();
    assert_eq!(ours, vec![EventKind::RestartCompleted]);
    let events = bed.take_pri();
    assert_eq!(events, vec![PriEvent::Restart { channel: -1 }]);
}

/// What the two ends captured: each frame one end sent, the other received, in order; both
/// captures decode in tshark with no malformed frame.
fn captures_agree_and_decode(bed: &mut Bed, expected_q931: &[&str]) {
    bed.run_ms(20);
    bed.our_frames.extend(bed.our_trace.try_iter());
    let ours_sent: Vec<&[u8]> = bed
        .our_frames
        .iter()
        .filter(|r| r.direction == TraceDirection::Sent)
        .map(|r| r.frame.bytes())
        .collect();
    let ours_received: Vec<&[u8]> = bed
        .our_frames
        .iter()
        .filter(|r| r.direction == TraceDirection::Received)
        .map(|r| r.frame.bytes())
        .collect();
    let far_sent: Vec<&[u8]> = bed.far_frames.iter().filter(|f| f.1).map(|f| f.2.as_slice()).collect();
    let far_received: Vec<&[u8]> = bed.far_frames.iter().filter(|f| !f.1).map(|f| f.2.as_slice()).collect();
    // The driver sends nothing on TS16 before the line is up, and libpri's first SABME
    // (sent before alignment) is repeated: not one frame is lost or changed on the line.
    assert_eq!(ours_sent, far_received);
    assert_eq!(far_sent, ours_received);
    // Every Q.931 message of the script went in exactly one I frame: none repeated.
    let i_frames = ours_sent.iter().chain(&ours_received).filter(|f| f.len() > 4 && f[2] & 1 == 0).count();
    assert_eq!(i_frames, SCRIPT_Q931.len());

    let dir = tempfile::tempdir().expect("temporary directory");
    let ours_path = dir.path().join("ours.pcap");
    let mut ours = PcapWriter::new(std::fs::File::create(&ours_path).expect("pcap")).expect("pcap");
    for record in &bed.our_frames {
        ours.write_record(record).expect("pcap write");
    }
    drop(ours);
    let far_path = dir.path().join("far.pcap");
    let mut far = PcapWriter::new(std::fs::File::create(&far_path).expect("pcap")).expect("pcap");
    for (at_ms, sent, frame) in &bed.far_frames {
        let direction = if *sent { TraceDirection::Sent } else { TraceDirection::Received };
        far.write(at_ms * 1000, direction, bed.pri_network, frame).expect("pcap write");
    }
    drop(far);

    if std::process::Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("NOTICE: tshark is not installed; skipping the decode check (apt-get install tshark)");
        return;
    }
    for (path, count) in [(&ours_path, bed.our_frames.len()), (&far_path, bed.far_frames.len())] {
        let bad = tshark(path, "_ws.malformed || _ws.expert.severity >= 0x00600000", "frame.number");
        assert_eq!(bad, Vec::<String>::new(), "{}: malformed or flagged frames", path.display());
        assert_eq!(tshark(path, "frame", "frame.number").len(), count, "tshark read every frame");
        assert_eq!(tshark(path, "q931", "q931.message_type"), expected_q931, "{}", path.display());
    }
}

fn tshark(path: &Path, filter: &str, field: &str) -> Vec<String> {
    let out = std::process::Command::new("tshark")
        .args(["-r", &path.display().to_string(), "-Y", filter, "-T", "fields", "-e", field])
        .output()
        .expect("tshark runs");
    assert!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

/// The Q.931 messages of the script, by type code, in both captures: the answered call each
/// way (SETUP, CALL PROCEEDING, ALERTING, CONNECT, CONNECT ACKNOWLEDGE, DISCONNECT, RELEASE,
/// RELEASE COMPLETE), the refused one (SETUP, CALL PROCEEDING, DISCONNECT, RELEASE, RELEASE
/// COMPLETE), then RESTART and RESTART ACKNOWLEDGE from each end.
const SCRIPT_Q931: [&str; 25] = [
    "0x05", "0x02", "0x01", "0x07", "0x0f", "0x45", "0x4d", "0x5a", // we call libpri
    "0x05", "0x02", "0x01", "0x07", "0x0f", "0x45", "0x4d", "0x5a", // libpri calls us
    "0x05", "0x02", "0x45", "0x4d", "0x5a", // libpri refuses our call
    "0x46", "0x4e", "0x46", "0x4e", // restarts
];

#[test]
fn libpri_as_network_with_this_stack_as_user() {
    let Some(mut bed) = Bed::new(Side::User) else { return };
    bring_up(&mut bed);
    // The user side hunts B-channels from TS1 up.
    call_to_libpri_cleared_by_us(&mut bed, 1);
    call_from_libpri_cleared_by_libpri(&mut bed);
    call_to_libpri_refused_busy(&mut bed, 1);
    restarts(&mut bed);
    captures_agree_and_decode(&mut bed, &SCRIPT_Q931);
}

#[test]
fn libpri_as_user_with_this_stack_as_network() {
    let Some(mut bed) = Bed::new(Side::Network) else { return };
    bring_up(&mut bed);
    // The network side hunts B-channels from TS31 down.
    call_to_libpri_cleared_by_us(&mut bed, 31);
    call_from_libpri_cleared_by_libpri(&mut bed);
    call_to_libpri_refused_busy(&mut bed, 31);
    restarts(&mut bed);
    captures_agree_and_decode(&mut bed, &SCRIPT_Q931);
}
