//! China No.1 through the call engine on the simulator: two simulated boards cabled together,
//! the real driver on each with a CAS span, the engine running No.1 on both spans: ABCD bits
//! through `set_abcd` / `Event::Abcd`, register signals and the test tone through the
//! channels' audio rings. The simulator, the drivers and the engine are stepped from this
//! thread block by block, so every run is the same.

use std::collections::BTreeSet;
use std::time::Duration;

use tdm_base::Cause;
use tdm_callctl::engine::{BoardSetup, Engine, IncomingPolicy, SpanSetup};
use tdm_callctl::model::{CallError, CallEvent, CallId, CallPhase, CallRequest, EventKind};
use tdm_callctl::{
    CasTraceEvent, LineState, No1SpanConfig, No1Variant, RegisterEdge, SignalingChannel, TraceDirection,
};
use tdm_driver::framer::{Crc4Mode, FramerConfig};
use tdm_driver::{BoardPaths, Driver, DriverHandle, Signaling, SpanConfig};
use tdm_hw_sim::{Bench, Simulator};

const EXCHANGE: &str = "exchange:0";
const PBX: &str = "pbx:0";

struct Bed {
    engine: Engine,
    drivers: Vec<Driver>,
    handles: Vec<DriverHandle>,
    sim: Simulator,
    seen: u64,
    _dir: tempfile::TempDir,
}

impl Bed {
    /// The exchange answers after 200 ms of ringing; the PBX refuses with `pbx_refusal`.
    fn new(pbx_refusal: Cause) -> Bed {
        Self::with(IncomingPolicy::Answer { ring_ms: 200 }, IncomingPolicy::Reject(pbx_refusal))
    }

    fn with(exchange_policy: IncomingPolicy, pbx_policy: IncomingPolicy) -> Bed {
        let bench = "seed = 3\n[[board]]\nname = \"exchange\"\nspans = 1\n[[board]]\nname = \"pbx\"\nspans = 1\n\
                     [[cable]]\nname = \"trunk\"\na = \"exchange:0\"\nb = \"pbx:0\"\nbit_offset = 77\n";
        let bench = Bench::parse(bench, "no1 bench").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sim = Simulator::new(&bench, dir.path()).unwrap();
        let span = SpanConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            signaling: Signaling::Cas,
            ..SpanConfig::default()
        };
        let mut drivers = Vec::new();
        let mut handles = Vec::new();
        let mut boards = Vec::new();
        for device in sim.devices() {
            let paths = BoardPaths { memory: device.memory.clone(), interrupt: device.interrupt.clone() };
            let (driver, handle) = Driver::open(&paths, &[span]).unwrap();
            boards.push(BoardSetup { name: device.name.clone(), handle: handle.clone() });
            drivers.push(driver);
            handles.push(handle);
        }
        // Numbers of 8 digits end there; others by 2 s of silence (China has no end signal).
        let mut config = No1SpanConfig::new(No1Variant::China);
        config.set("dnis_length", "8").unwrap();
        let mut exchange = SpanSetup::no1(0, 0, config.clone());
        exchange.incoming = exchange_policy;
        config.hunt = tdm_no1::Hunt::Descending;
        let mut pbx = SpanSetup::no1(1, 0, config);
        pbx.incoming = pbx_policy;
        let engine = Engine::new(boards, vec![exchange, pbx]).unwrap();
        Bed { engine, drivers, handles, sim, seen: 0, _dir: dir }
    }

    fn step(&mut self) {
        self.sim.step().unwrap();
        for driver in &mut self.drivers {
            driver.service(Duration::from_secs(5)).unwrap();
        }
        self.engine.pump();
    }

    fn run_until(&mut self, limit_ms: u64, what: &str, mut done: impl FnMut(&Engine) -> bool) -> u64 {
        for ms in 1..=limit_ms {
            self.step();
            if done(&self.engine) {
                return ms;
            }
        }
        panic!(
            "{what}: not within {limit_ms} ms; calls {:#?}; log {:#?}",
            self.engine.calls(),
            self.engine.events_since(self.seen)
        );
    }

    fn events(&mut self) -> Vec<CallEvent> {
        let events = self.engine.events_since(self.seen);
        self.seen = events.last().map_or(self.seen, |e| e.seq);
        events
    }

    fn place(&mut self, span: &str, called: &str, calling: Option<&str>) -> Result<CallId, CallError> {
        let request = CallRequest {
            span: span.into(),
            called: called.into(),
            calling: calling.map(str::to_string),
            hangup_after_ms: None,
        };
        self.engine.place_call(&request)
    }

    fn all_idle(engine: &Engine) -> bool {
        engine.spans().iter().all(|s| s.channels.iter().all(|c| c.line == LineState::Idle))
    }
}

fn kinds(events: &[CallEvent], call: CallId) -> Vec<EventKind> {
    events.iter().filter(|e| e.call == Some(call)).map(|e| e.kind.clone()).collect()
}

/// Timeslots of a span the driver has given out (a free one opens, and is given back).
fn claimed(handle: &DriverHandle) -> BTreeSet<u8> {
    (1..32u8)
        .filter(|&ts| match handle.open_audio(0, ts, 8) {
            Ok(_) => {
                handle.release(0, ts).unwrap();
                false
            }
            Err(_) => true,
        })
        .collect()
}

#[test]
fn no1_test_calls_through_the_engine_answered_refused_and_thirty_at_once() {
    let mut bed = Bed::new(Cause::UserBusy);
    let bearers: BTreeSet<u8> = (1..=15).chain(17..=31).collect();
    let mut with_ts16 = bearers.clone();
    with_ts16.insert(16);
    assert_eq!(claimed(&bed.handles[0]), with_ts16, "the bearers are the stack's, TS16 the CAS multiframe's");
    assert_eq!(bed.place(PBX, "1", None), Err(CallError::LinkDown));
    bed.run_until(2000, "both lines up", |e| e.spans().iter().all(|s| s.link_up));
    let spans = bed.engine.spans();
    assert_eq!(
        (spans[0].name.as_str(), spans[0].description, spans[0].signaling, spans[0].network),
        (EXCHANGE, "China No.1", SignalingChannel::Cas, false)
    );
    assert_eq!(spans[1].channels.len(), 30);
    assert!(spans.iter().flat_map(|s| &s.channels).all(|c| (c.tx_abcd, c.rx_abcd) == (0xB, 0xB)));
    let ups: Vec<(String, EventKind)> = bed.events().into_iter().map(|e| (e.span, e.kind)).collect();
    assert_eq!(ups.len(), 2);
    assert!(ups.iter().all(|(_, kind)| *kind == EventKind::LinkUp));

    // One call from the PBX with its number, answered by the exchange with the test tone.
    let trace = bed.engine.subscribe_cas_trace(PBX).unwrap();
    assert!(bed.engine.subscribe_trace(PBX).is_err(), "no frames on a CAS span");
    let call = bed.place(PBX, "12345678", Some("87654321")).unwrap();
    let took =
        bed.run_until(5000, "the tone heard", |e| e.calls().iter().any(|c| c.id == call && c.tone.is_some()));
    // 19 compelled cycles (8 digits, KA, 8 ANI digits, end of ANI, KD), 200 ms of ringing,
    // 200 ms of tone: about 140 ms a cycle, a 32 ms cushion in each end's register signal.
    assert!((2500..3500).contains(&took), "{took} ms");
    let calls = bed.engine.calls();
    assert_eq!(calls.len(), 2);
    let ours = calls.iter().find(|c| c.span == PBX).unwrap();
    let theirs = calls.iter().find(|c| c.span == EXCHANGE).unwrap();
    assert_eq!(
        (ours.timeslot, ours.phase, ours.state.as_str()),
        (Some(31), CallPhase::Connected, "answered (out)")
    );
    assert_eq!((theirs.timeslot, theirs.state.as_str()), (Some(31), "answered (in)"));
    assert_eq!((theirs.called.as_str(), theirs.calling.as_deref()), ("12345678", Some("87654321")));
    let level = ours.tone.unwrap().level_dbm0;
    assert!((level + 10.0).abs() < 0.5, "{level} dBm0");
    let ts31 =
        |span: usize| bed.engine.spans()[span].channels.iter().find(|c| c.timeslot == 31).copied().unwrap();
    assert_eq!((ts31(1).line, ts31(1).tx_abcd, ts31(1).rx_abcd), (LineState::Answered, 0x3, 0x7));
    assert_eq!((ts31(0).line, ts31(0).tx_abcd, ts31(0).rx_abcd), (LineState::Answered, 0x7, 0x3));
    bed.engine.hangup(call, Cause::NormalClearing).unwrap();
    bed.run_until(1000, "both ends idle", Bed::all_idle);
    let events = bed.events();
    let mut ours = kinds(&events, call);
    let tone = ours.remove(5);
    assert!(matches!(tone, EventKind::ToneHeard(_)), "{tone:?}");
    assert_eq!(
        ours,
        vec![
            EventKind::Placed { called: "12345678".into(), calling: Some("87654321".into()) },
            EventKind::Proceeding,
            EventKind::Signal { text: "B1: called line free, charge".into() },
            EventKind::Alerting,
            EventKind::Connected,
            EventKind::Released { cause: Cause::NormalClearing, remote: false },
        ]
    );
    let theirs = events.iter().find(|e| e.span == EXCHANGE).and_then(|e| e.call).unwrap();
    assert_eq!(
        kinds(&events, theirs),
        vec![
            EventKind::Offered { called: "12345678".into(), calling: Some("87654321".into()) },
            EventKind::Alerting,
            EventKind::Signal { text: "B1: called line free, charge".into() },
            EventKind::Connected,
            EventKind::Released { cause: Cause::NormalClearing, remote: true },
        ]
    );
    // The trace: every line signal and register signal of the call, on ts 31.
    let records: Vec<_> = trace.try_iter().collect();
    assert!(records.iter().all(|r| r.timeslot == 31));
    let sent_on: Vec<u8> = records
        .iter()
        .filter(|r| r.direction == TraceDirection::Sent)
        .filter_map(|r| match r.event {
            CasTraceEvent::Register { code, edge: RegisterEdge::On, .. } => Some(code),
            _ => None,
        })
        .collect();
    assert_eq!(sent_on, [1, 2, 3, 4, 5, 6, 7, 8, 1, 8, 7, 6, 5, 4, 3, 2, 1, 15, 3]);
    let line: Vec<(TraceDirection, u8)> = records
        .iter()
        .filter_map(|r| match r.event {
            CasTraceEvent::Abcd { abcd, .. } => Some((r.direction, abcd)),
            _ => None,
        })
        .collect();
    use TraceDirection::{Received, Sent};
    assert_eq!(line, [(Sent, 0x3), (Received, 0xF), (Received, 0x7), (Sent, 0xB), (Received, 0xB)]);

    // The exchange calls the PBX, which is busy: B2 reaches the caller as cause 17.
    let refused = bed.place(EXCHANGE, "5550100", None).unwrap();
    bed.run_until(5000, "the call refused", |e| e.calls().is_empty());
    let events = bed.events();
    assert_eq!(
        kinds(&events, refused),
        vec![
            EventKind::Placed { called: "5550100".into(), calling: None },
            EventKind::Proceeding,
            EventKind::Signal { text: "B2: called line busy".into() },
            EventKind::Released { cause: Cause::UserBusy, remote: true },
        ]
    );
    bed.run_until(1000, "idle after the refusal", Bed::all_idle);

    // Thirty calls at once from the PBX, then one too many; all cleared from the PBX's end.
    let ids: Vec<CallId> =
        (0..30).map(|i| bed.place(PBX, &format!("{:08}", 66_600_000 + i), Some("1")).unwrap()).collect();
    assert_eq!(bed.place(PBX, "1", None), Err(CallError::NoChannel));
    bed.run_until(10_000, "thirty calls answered", |e| {
        e.calls().iter().filter(|c| c.span == PBX && c.phase == CallPhase::Connected).count() == 30
    });
    let offered: BTreeSet<String> = bed
        .events()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Offered { called, .. } => Some(called),
            _ => None,
        })
        .collect();
    assert_eq!(offered, (0..30).map(|i| format!("{:08}", 66_600_000 + i)).collect());
    for id in ids {
        bed.engine.hangup(id, Cause::NormalClearing).unwrap();
    }
    bed.run_until(2000, "every channel idle", |e| e.calls().is_empty() && Bed::all_idle(e));

    // Mistakes are named.
    assert_eq!(bed.place("pbx:1", "1", None), Err(CallError::NoSuchSpan("pbx:1".into())));
    assert_eq!(
        bed.place(PBX, "12#", None).unwrap_err().to_string(),
        "number \"12#\" cannot be signalled (MFC-R2 carries digits 0-9, 1 to 32 of them)"
    );
    let Bed { engine, drivers, handles, .. } = bed;
    drop(engine);
    assert_eq!(claimed(&handles[1]), BTreeSet::from([16]), "every bearer given back");
    drop(drivers);
}

#[test]
fn an_answer_at_once_does_not_overtake_the_free_signal() {
    // The exchange answers as it accepts: its answer signal is made while its "free" (B1) is
    // still sounding. The engine holds the ABCD change until that tone is on the line, so the
    // caller hears the end of B1 (alerting) before the answer.
    let mut bed = Bed::with(IncomingPolicy::Answer { ring_ms: 0 }, IncomingPolicy::Reject(Cause::UserBusy));
    bed.run_until(2000, "both lines up", |e| e.spans().iter().all(|s| s.link_up));
    bed.events();
    let call = bed.place(PBX, "12345678", Some("1")).unwrap();
    bed.run_until(5000, "answered", |e| {
        e.calls().iter().any(|c| c.id == call && c.phase == CallPhase::Connected)
    });
    let events = bed.events();
    assert_eq!(
        kinds(&events, call)[1..],
        [
            EventKind::Proceeding,
            EventKind::Signal { text: "B1: called line free, charge".into() },
            EventKind::Alerting,
            EventKind::Connected,
        ]
    );
    let answered =
        events.iter().find(|e| e.call == Some(call) && e.kind == EventKind::Connected).unwrap().at_ms;
    let alerted =
        events.iter().find(|e| e.call == Some(call) && e.kind == EventKind::Alerting).unwrap().at_ms;
    assert!(answered > alerted, "alerting at {alerted} ms, connected at {answered} ms");
}

#[test]
fn no1_needs_a_cas_span() {
    let bench = Bench::parse("[[board]]\nname = \"a\"\nspans = 1\n", "test").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sim = Simulator::new(&bench, dir.path()).unwrap();
    let device = &sim.devices()[0];
    let paths = BoardPaths { memory: device.memory.clone(), interrupt: device.interrupt.clone() };
    let (_driver, handle) = Driver::open(&paths, &[SpanConfig::default()]).unwrap();
    let boards = vec![BoardSetup { name: "a".into(), handle: handle.clone() }];
    let error = Engine::new(boards, vec![SpanSetup::no1(0, 0, No1SpanConfig::new(No1Variant::China))])
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        error.as_deref(),
        Some(
            "span a:0: No.1 signals in the ABCD bits of TS16, but the span is CCS (set signaling = \"cas\")"
        )
    );
    assert!(handle.open_audio(0, 1, 8).is_ok(), "nothing stays claimed");
}
