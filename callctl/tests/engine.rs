//! The engine against real driver handles (on simulated boards nobody steps): what it claims
//! from the driver, what it gives back, and the commands it refuses.

use tdm_base::Cause;
use tdm_callctl::IsdnSpanConfig;
use tdm_callctl::engine::{BoardSetup, Engine, SpanSetup};
use tdm_callctl::model::{CallError, CallId, CallRequest};
use tdm_driver::hdlc::HdlcConfig;
use tdm_driver::{BoardPaths, Driver, DriverHandle, Signaling, SpanConfig};
use tdm_hw_sim::{Bench, Simulator};
use tdm_isdn::Side;

struct Boards {
    handles: Vec<DriverHandle>,
    _drivers: Vec<Driver>,
    _sim: Simulator,
    _dir: tempfile::TempDir,
}

/// One board `a` with a CCS span and a CAS span.
fn boards() -> Boards {
    let bench = Bench::parse("[[board]]\nname = \"a\"\nspans = 2\n", "test").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let sim = Simulator::new(&bench, dir.path()).unwrap();
    let device = &sim.devices()[0];
    let paths = BoardPaths { memory: device.memory.clone(), interrupt: device.interrupt.clone() };
    let cas = SpanConfig { signaling: Signaling::Cas, ..SpanConfig::default() };
    let (driver, handle) = Driver::open(&paths, &[SpanConfig::default(), cas]).unwrap();
    Boards { handles: vec![handle], _drivers: vec![driver], _sim: sim, _dir: dir }
}

fn board(boards: &Boards) -> Vec<BoardSetup> {
    vec![BoardSetup { name: "a".into(), handle: boards.handles[0].clone() }]
}

fn isdn(span: u32) -> SpanSetup {
    SpanSetup::isdn(0, span, IsdnSpanConfig::new(Side::User))
}

fn error(result: Result<Engine, tdm_callctl::EngineError>) -> String {
    match result {
        Ok(_) => panic!("the engine started"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_d_channel_is_claimed_while_the_engine_runs_and_given_back_after() {
    let boards = boards();
    let handle = &boards.handles[0];
    let engine = Engine::new(board(&boards), vec![isdn(0)]).unwrap();
    let spans = engine.spans();
    assert_eq!(spans.len(), 1);
    assert_eq!(
        (spans[0].name.as_str(), spans[0].description, spans[0].network, spans[0].link_up, spans[0].calls),
        ("a:0", "ISDN PRI user side", false, false, 0)
    );
    let taken = handle.open_hdlc(0, 16, HdlcConfig::default()).err().map(|e| e.to_string());
    assert_eq!(taken.as_deref(), Some("span 0 timeslot 16 is in use (Hdlc)"));
    drop(engine);
    assert!(handle.open_hdlc(0, 16, HdlcConfig::default()).is_ok(), "given back on drop");
}

#[test]
fn spans_that_cannot_run_isdn_are_refused_and_nothing_stays_claimed() {
    let boards = boards();
    assert_eq!(
        error(Engine::new(board(&boards), vec![isdn(1)])),
        "span a:1: ISDN needs TS16 as a D-channel, but the span carries CAS (set signaling = \"ccs\")"
    );
    assert_eq!(error(Engine::new(board(&boards), vec![isdn(0), isdn(0)])), "span a:0 is configured twice");
    assert_eq!(error(Engine::new(board(&boards), vec![isdn(2)])), "span a:2: board a has 2 span(s)");
    let mut unknown_board = isdn(0);
    unknown_board.board = 1;
    assert_eq!(error(Engine::new(board(&boards), vec![unknown_board])), "no board 1 for a signaling span");
    let mut bad_timer = IsdnSpanConfig::new(Side::Network);
    bad_timer.timers.push(("T303".into(), std::time::Duration::from_millis(10)));
    let text = error(Engine::new(board(&boards), vec![SpanSetup::isdn(0, 0, bad_timer)]));
    assert!(text.starts_with("span a:0: T303 = 10ms is outside"), "{text}");
    // The failed attempts left TS16 free.
    assert!(boards.handles[0].open_hdlc(0, 16, HdlcConfig::default()).is_ok());
}

#[test]
fn commands_name_what_they_cannot_find() {
    let boards = boards();
    let mut engine = Engine::new(board(&boards), vec![isdn(0)]).unwrap();
    let request = |span: &str, called: &str| CallRequest {
        span: span.into(),
        called: called.into(),
        calling: None,
        hangup_after_ms: None,
    };
    assert_eq!(engine.place_call(&request("a:1", "1")), Err(CallError::NoSuchSpan("a:1".into())));
    assert_eq!(engine.place_call(&request("a:0", "")), Err(CallError::BadNumber(String::new())));
    assert_eq!(engine.hangup(CallId(9), Cause::NormalClearing), Err(CallError::NoSuchCall(CallId(9))));
    assert_eq!(engine.restart("a:0"), Err(CallError::LinkDown));
    assert!(engine.subscribe_trace("b:0").is_err());
    // With the link down, a call brings it up and waits for it on TS 1.
    let call = engine.place_call(&request("a:0", "100")).unwrap();
    let calls = engine.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].id, calls[0].timeslot, calls[0].state.as_str()),
        (call, Some(1), "U1 call initiated")
    );
    assert_eq!(engine.open_channels(), vec![("a:0".to_string(), 1)]);
    let log = engine.events_since(0);
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].seq, log[0].kind.name(), log[0].call), (1, "placed", Some(call)));
    engine.hangup(call, Cause::NormalClearing).unwrap();
}

#[test]
fn a_driver_waits_for_the_engine_only_while_it_is_ahead_by_more_than_the_lead() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tdm_callctl::runner::LOCKSTEP_LEAD_MS;
    let boards = boards();
    let engine = Engine::new(board(&boards), vec![isdn(0)]).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let events = vec![boards.handles[0].events().clone()];
    let (handle, thread) = engine.spawn(events, stop.clone()).unwrap();
    // Nobody steps the board: its span stays at 0 ms.
    assert_eq!((handle.served_ms(0), handle.served_ms(1)), (0, u64::MAX));
    let started = std::time::Instant::now();
    handle.wait_for(0, LOCKSTEP_LEAD_MS, &stop);
    handle.wait_for(1, 1_000_000, &stop);
    assert!(
        started.elapsed() < std::time::Duration::from_millis(500),
        "within the lead, or no span: no wait"
    );
    // Ahead by more than the lead: held until stopped.
    let stopper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            stop.store(true, Ordering::Relaxed);
        })
    };
    let started = std::time::Instant::now();
    handle.wait_for(0, LOCKSTEP_LEAD_MS + 1, &stop);
    assert!(started.elapsed() >= std::time::Duration::from_millis(100), "held until the stop");
    stopper.join().unwrap();
    thread.join().unwrap();
    assert_eq!(handle.served_ms(0), u64::MAX, "a stopped engine holds nobody");
}
