//! ISDN PRI on running spans: the call engine with this stack's network side on one simulated
//! board and its user side on the other, the boards cabled together, the real driver carrying
//! the D-channel through soft HDLC on TS16 and the B-channels through its voice rings. The rig
//! steps in lockstep and the engine is pumped after every block, so each run is exact.

use std::collections::BTreeSet;

use tdm_base::{Cause, Duration};
use tdm_callctl::engine::{BoardSetup, Engine, IncomingPolicy, SpanSetup};
use tdm_callctl::model::{CallDirection, CallEvent, CallId, CallInfo, CallPhase, CallRequest, EventKind};
use tdm_callctl::trace::{PcapWriter, read_pcap};
use tdm_callctl::{IsdnSpanConfig, TraceDirection};
use tdm_driver::framer::{Crc4Mode, FramerConfig};
use tdm_driver::{DriverHandle, SpanConfig};
use tdm_isdn::Side;
use tdm_scenarios::Rig;

const EXCHANGE: &str = "exchange:0";
const PBX: &str = "pbx:0";

/// The exchange (network side) and the PBX (user side), one span each, one cable.
struct Bed {
    rig: Rig,
    engine: Engine,
    seen: u64,
}

fn isdn(side: Side, timers: &[(&str, u64)]) -> IsdnSpanConfig {
    let mut config = IsdnSpanConfig::new(side);
    config.timers = timers.iter().map(|(name, ms)| (name.to_string(), Duration::from_millis(*ms))).collect();
    config
}

impl Bed {
    fn new(exchange: IncomingPolicy, pbx: IncomingPolicy, timers: &[(&str, u64)]) -> Bed {
        let bench = "seed = 11\n[[board]]\nname = \"exchange\"\nspans = 1\n[[board]]\nname = \"pbx\"\nspans = 1\n\
                     [[cable]]\nname = \"trunk\"\na = \"exchange:0\"\nb = \"pbx:0\"\nbit_offset = 45\n";
        let span = SpanConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            ..SpanConfig::default()
        };
        let rig = Rig::new(bench, &[("exchange", vec![span]), ("pbx", vec![span])]);
        let boards = vec![
            BoardSetup { name: "exchange".into(), handle: rig.handle("exchange").clone() },
            BoardSetup { name: "pbx".into(), handle: rig.handle("pbx").clone() },
        ];
        let mut network = SpanSetup::isdn(0, 0, isdn(Side::Network, timers));
        network.incoming = exchange;
        let mut user = SpanSetup::isdn(1, 0, isdn(Side::User, timers));
        user.incoming = pbx;
        let engine = Engine::new(boards, vec![network, user]).expect("the engine starts");
        Bed { rig, engine, seen: 0 }
    }

    fn step(&mut self) {
        self.rig.step();
        self.engine.pump();
    }

    fn run_ms(&mut self, ms: u64) {
        for _ in 0..ms {
            self.step();
        }
    }

    /// Steps until `done` holds; panics with `what` after `limit_ms`.
    fn run_until(&mut self, limit_ms: u64, what: &str, mut done: impl FnMut(&Engine) -> bool) -> u64 {
        for ms in 1..=limit_ms {
            self.step();
            if done(&self.engine) {
                return ms;
            }
        }
        panic!("{what}: not within {limit_ms} ms; calls {:#?}", self.engine.calls());
    }

    fn links_up(&mut self) {
        self.run_until(3000, "both D-channels up", |e| e.spans().iter().all(|s| s.link_up));
    }

    /// Log entries since the last look.
    fn events(&mut self) -> Vec<CallEvent> {
        let events = self.engine.events_since(self.seen);
        self.seen = events.last().map_or(self.seen, |e| e.seq);
        events
    }

    fn place(&mut self, span: &str, called: &str) -> CallId {
        let request = CallRequest {
            span: span.into(),
            called: called.into(),
            calling: Some("88880001".into()),
            hangup_after_ms: None,
        };
        self.engine.place_call(&request).unwrap_or_else(|e| panic!("placing a call on {span}: {e}"))
    }

    fn calls_on(&self, span: &str) -> Vec<CallInfo> {
        self.engine.calls().into_iter().filter(|c| c.span == span).collect()
    }
}

/// Timeslots of `span` (board `handle`) the driver has given to somebody: a timeslot that
/// can be opened is free (and is given back at once). The driver has no query for its claims,
/// so this asks the way any user would.
fn claimed_timeslots(handle: &DriverHandle) -> BTreeSet<u8> {
    (1..32u8)
        .filter(|&ts| match handle.open_audio(0, ts, 8) {
            Ok(_) => {
                handle.release(0, ts).expect("just opened");
                false
            }
            Err(_) => true,
        })
        .collect()
}

fn b_channels() -> BTreeSet<u8> {
    (1..=15).chain(17..=31).collect()
}

fn released(events: &[CallEvent], span: &str) -> Vec<(CallId, Cause, bool)> {
    events
        .iter()
        .filter(|e| e.span == span)
        .filter_map(|e| match e.kind {
            EventKind::Released { cause, remote } => Some((e.call.expect("a call event"), cause, remote)),
            _ => None,
        })
        .collect()
}

#[test]
fn thirty_calls_are_answered_with_the_test_tone_cleared_from_both_ends_then_restarted() {
    let answer = IncomingPolicy::Answer { ring_ms: 0 };
    let mut bed = Bed::new(answer, answer, &[]);
    bed.links_up();
    bed.events();
    // 15 calls each way at once: the user hunts from TS 1 up, the network from TS 31 down.
    for i in 0..15 {
        bed.place(PBX, &format!("1008{i:02}"));
        bed.place(EXCHANGE, &format!("2008{i:02}"));
    }
    let took = bed.run_until(5000, "30 calls answered and their tone heard", |e| {
        let calls = e.calls();
        calls.len() == 60
            && calls.iter().all(|c| c.phase == CallPhase::Connected)
            && calls.iter().filter(|c| c.direction == CallDirection::Outgoing).all(|c| c.tone.is_some())
    });
    assert!(took < 2000, "{took} ms");

    for span in [EXCHANGE, PBX] {
        let calls = bed.calls_on(span);
        assert_eq!(calls.len(), 30, "{span}");
        let timeslots: BTreeSet<u8> = calls.iter().filter_map(|c| c.timeslot).collect();
        assert_eq!(timeslots, b_channels(), "{span}: every B-channel once");
        for call in &calls {
            let expected_state = match span {
                EXCHANGE => "N10 active",
                _ => "U10 active",
            };
            assert_eq!(call.state, expected_state);
            if call.direction == CallDirection::Outgoing {
                // The far end's tone came through on this call's own timeslot, at its level.
                let level = call.tone.expect("tone heard").level_dbm0;
                assert!((level + 10.0).abs() < 0.5, "{span} ts {:?}: {level} dBm0", call.timeslot);
            } else {
                assert_eq!(call.tone, None, "the caller sends no tone");
            }
        }
    }
    // Both ends agree which number went on which timeslot.
    let pbx_calls = bed.calls_on(PBX);
    for exchange_call in bed.calls_on(EXCHANGE) {
        let twin = pbx_calls.iter().find(|c| c.called == exchange_call.called).expect("same call on the PBX");
        assert_eq!(twin.timeslot, exchange_call.timeslot, "{}", exchange_call.called);
        assert_ne!(twin.direction, exchange_call.direction);
        let from_pbx = exchange_call.called.starts_with('1');
        let ts = exchange_call.timeslot.unwrap();
        assert_eq!(from_pbx, ts <= 15, "user calls on 1-15, network calls on 17-31: ts {ts}");
    }
    // The driver has all 30 B-channels and the D-channel out on each board.
    let all: BTreeSet<u8> = (1..32).collect();
    assert_eq!(claimed_timeslots(bed.rig.handle("exchange")), all);
    assert_eq!(claimed_timeslots(bed.rig.handle("pbx")), all);
    assert_eq!(bed.engine.open_channels().len(), 60);

    // The PBX clears the calls on odd timeslots, the exchange those on even ones, each side
    // whichever way the call was placed.
    bed.events();
    for call in bed.engine.calls() {
        let ts = call.timeslot.unwrap();
        let clears = if ts % 2 == 1 { PBX } else { EXCHANGE };
        if call.span == clears {
            bed.engine.hangup(call.id, Cause::NormalClearing).unwrap();
        }
    }
    bed.run_until(2000, "every call cleared", |e| e.calls().is_empty());
    let events = bed.events();
    for span in [EXCHANGE, PBX] {
        let ends = released(&events, span);
        assert_eq!(ends.len(), 30, "{span}");
        for (call, cause, remote) in &ends {
            let ts = events.iter().find(|e| e.call == Some(*call)).and_then(|e| e.timeslot).unwrap();
            let cleared_here = (ts % 2 == 1) == (span == PBX);
            assert_eq!((*cause, *remote), (Cause::NormalClearing, !cleared_here), "{span} ts {ts}");
        }
    }

    // Then the exchange restarts the whole interface.
    bed.engine.restart(EXCHANGE).unwrap();
    bed.run_until(1000, "restart acknowledged", |e| {
        e.events_since(0).iter().any(|ev| ev.kind == EventKind::RestartCompleted)
    });
    let events = bed.events();
    let span_events: Vec<(&str, &EventKind)> =
        events.iter().filter(|e| e.call.is_none()).map(|e| (e.span.as_str(), &e.kind)).collect();
    assert_eq!(
        span_events,
        vec![(PBX, &EventKind::RestartReceived), (EXCHANGE, &EventKind::RestartCompleted)]
    );
    // Every channel is idle: no call, no B-channel held by the engine or claimed in the driver.
    bed.run_ms(5);
    assert_eq!(bed.engine.calls(), vec![]);
    assert_eq!(bed.engine.open_channels(), vec![]);
    let d_channel_only: BTreeSet<u8> = [16].into();
    assert_eq!(claimed_timeslots(bed.rig.handle("exchange")), d_channel_only);
    assert_eq!(claimed_timeslots(bed.rig.handle("pbx")), d_channel_only);
    assert!(bed.engine.spans().iter().all(|s| s.link_up && s.calls == 0));
}

#[test]
fn a_cable_cut_mid_call_clears_the_calls_with_the_right_causes_and_the_link_comes_back() {
    // Shorter T203 and the shortest T309 the standard allows, to keep the run short.
    let timers = [("T203", 2000), ("T309", 6000)];
    let exchange = IncomingPolicy::Answer { ring_ms: 0 };
    // The PBX lets calls ring for ten minutes: the exchange's call is still ringing at the cut.
    let pbx = IncomingPolicy::Answer { ring_ms: 600_000 };
    let mut bed = Bed::new(exchange, pbx, &timers);
    bed.links_up();
    let active: Vec<CallId> = (0..4).map(|i| bed.place(PBX, &format!("55{i}"))).collect();
    let ringing = bed.place(EXCHANGE, "777");
    bed.run_until(1000, "4 calls active, 1 ringing", |e| {
        let calls = e.calls();
        calls.iter().filter(|c| c.phase == CallPhase::Connected).count() == 8
            && calls.iter().filter(|c| c.phase == CallPhase::Alerting).count() == 2
    });
    bed.events();
    let cut_at = bed.rig.sim.now_ms();
    bed.rig.sim.control().cut("trunk", 20_000).unwrap();
    // T203 (2 s) finds the link silent, three polls and four SABMEs go unanswered: the link is
    // released about 9 s after the cut and the ringing call is cleared with cause 41. The active
    // calls wait under T309 (6 s), then are cleared with cause 27.
    let down_after =
        bed.run_until(12_000, "the D-channels give up", |e| e.spans().iter().all(|s| !s.link_up));
    let events = bed.events();
    let down: Vec<&str> =
        events.iter().filter(|e| e.kind == EventKind::LinkDown).map(|e| e.span.as_str()).collect();
    assert_eq!(down.len(), 2, "{events:#?}");
    assert!((8_000..11_000).contains(&down_after), "link down {down_after} ms after the cut");
    let pbx_released = released(&events, PBX);
    assert_eq!(pbx_released.len(), 1, "only the ringing call goes with the link: {pbx_released:?}");
    assert_eq!((pbx_released[0].1, pbx_released[0].2), (Cause::TemporaryFailure, false));
    assert_eq!(released(&events, EXCHANGE), vec![(ringing, Cause::TemporaryFailure, false)]);
    assert_eq!(bed.calls_on(PBX).len(), 4);

    bed.run_until(7_000, "T309 clears the active calls", |e| e.calls().is_empty());
    let events = bed.events();
    let pbx_released = released(&events, PBX);
    assert_eq!(pbx_released.len(), 4);
    for (call, cause, remote) in &pbx_released {
        assert!(active.contains(call));
        assert_eq!((*cause, *remote), (Cause::DestinationOutOfOrder, false));
    }
    let exchange_released = released(&events, EXCHANGE);
    assert_eq!(exchange_released.len(), 4);
    assert!(
        exchange_released.iter().all(|(_, cause, remote)| *cause == Cause::DestinationOutOfOrder && !remote)
    );
    assert!(bed.rig.sim.now_ms() - cut_at < 20_000, "all this happened during the cut");
    assert_eq!(bed.engine.open_channels(), vec![]);

    // The cable heals: both D-channels come back within a SABME period, and calls work again.
    let heal_at = cut_at + 20_000;
    bed.run_ms(heal_at - bed.rig.sim.now_ms());
    let up_after = bed.run_until(3000, "both D-channels back", |e| e.spans().iter().all(|s| s.link_up));
    assert!(up_after < 1500, "{up_after} ms after the cable healed");
    let call = bed.place(PBX, "123");
    bed.run_until(1000, "a new call answered and its tone heard", |e| {
        e.calls().iter().any(|c| c.id == call && c.tone.is_some())
    });
}

#[test]
fn a_span_that_refuses_calls_clears_them_with_its_cause() {
    let mut bed =
        Bed::new(IncomingPolicy::Reject(Cause::CallRejected), IncomingPolicy::Answer { ring_ms: 0 }, &[]);
    bed.links_up();
    bed.events();
    let call = bed.place(PBX, "4000");
    bed.run_until(500, "the refused call cleared", |e| e.calls().is_empty());
    let events = bed.events();
    let kinds: Vec<(&str, &str)> = events.iter().map(|e| (e.span.as_str(), e.kind.name())).collect();
    assert_eq!(
        kinds,
        vec![
            (PBX, "placed"),
            (EXCHANGE, "offered"),
            // CALL PROCEEDING went out at once; the DISCONNECT refusing the call follows it,
            // and the exchange's call ends with the PBX's RELEASE.
            (PBX, "proceeding"),
            (EXCHANGE, "released"),
            (PBX, "released"),
        ]
    );
    assert_eq!(released(&events, PBX), vec![(call, Cause::CallRejected, true)]);
}

fn tshark_fields(path: &std::path::Path, filter: &str, field: &str) -> Option<Vec<String>> {
    let out = std::process::Command::new("tshark")
        .args(["-r", path.to_str()?, "-Y", filter, "-T", "fields", "-e", field])
        .output()
        .ok()?;
    assert!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
}

#[test]
fn a_captured_run_decodes_in_tshark_without_a_malformed_frame() {
    let answer = IncomingPolicy::Answer { ring_ms: 100 };
    let mut bed = Bed::new(answer, answer, &[("T203", 1000)]);
    let (network, exchange_trace) = bed.engine.subscribe_trace(EXCHANGE).unwrap();
    let (pbx_network, pbx_trace) = bed.engine.subscribe_trace(PBX).unwrap();
    assert!(network && !pbx_network);
    bed.links_up();
    let call = bed.place(PBX, "10086");
    bed.run_until(1000, "answered", |e| {
        e.calls().iter().any(|c| c.id == call && c.phase == CallPhase::Connected)
    });
    bed.run_ms(1500);
    bed.engine.hangup(call, Cause::NormalClearing).unwrap();
    bed.run_until(500, "cleared", |e| e.calls().is_empty());
    bed.engine.restart(EXCHANGE).unwrap();
    bed.run_ms(200);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("exchange.pcap");
    let mut pcap = PcapWriter::new(std::fs::File::create(&path).unwrap()).unwrap();
    let records: Vec<_> = exchange_trace.try_iter().collect();
    for record in &records {
        pcap.write_record(record).unwrap();
    }
    drop(pcap);
    // What the exchange sent, the PBX received: the two traces mirror each other.
    let pbx_records: Vec<_> = pbx_trace.try_iter().collect();
    let sent = |records: &[tdm_callctl::TraceRecord], direction| -> Vec<Vec<u8>> {
        records.iter().filter(|r| r.direction == direction).map(|r| r.frame.bytes().to_vec()).collect()
    };
    assert_eq!(sent(&records, TraceDirection::Sent), sent(&pbx_records, TraceDirection::Received));
    assert_eq!(sent(&pbx_records, TraceDirection::Sent), sent(&records, TraceDirection::Received));
    let packets = read_pcap(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(packets.len(), records.len());
    assert!(packets.iter().all(|p| p.network));

    if std::process::Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("NOTICE: tshark is not installed; skipping the decode check (apt-get install tshark)");
        return;
    }
    let bad =
        tshark_fields(&path, "_ws.malformed || _ws.expert.severity >= 0x00600000", "frame.number").unwrap();
    assert_eq!(bad, Vec::<String>::new(), "malformed or flagged frames");
    let frames = tshark_fields(&path, "frame", "frame.number").unwrap();
    assert_eq!(frames.len(), records.len(), "tshark read every frame");
    let messages = tshark_fields(&path, "q931", "q931.message_type").unwrap();
    let expected = ["0x05", "0x02", "0x01", "0x07", "0x0f", "0x45", "0x4d", "0x5a", "0x46", "0x4e"];
    assert_eq!(messages, expected, "SETUP ... RELEASE COMPLETE, RESTART, RESTART ACKNOWLEDGE");
    // The direction tshark gives each frame matches who sent it.
    let directions = tshark_fields(&path, "lapd", "lapd.direction").unwrap();
    let expected: Vec<String> = records
        .iter()
        .map(|r| if r.direction == TraceDirection::Sent { "1" } else { "0" }.to_string())
        .collect();
    assert_eq!(directions, expected);
}
