//! ISUP continuity checks through the call engine on the simulator: two simulated boards
//! cabled together, the real driver on each with a CCS span, one engine running a signalling
//! point per board (joined by a link on TS16) and ISUP on both spans' circuits. The checking
//! end's 2000 Hz transceiver and the far end's loop run on the circuits' real audio, so a
//! check passes only if the tone crosses the cable, comes back and is recognised. Stepped block
//! by block from this thread, so every run is the same.

use std::collections::BTreeSet;
use std::time::Duration;

use crossbeam_channel::Receiver;
use tdm_base::Cause;
use tdm_callctl::engine::{BoardSetup, Engine, IncomingPolicy, SpanSetup, StackSetup};
use tdm_callctl::model::{CallError, CallEvent, CallId, CallPhase, CallRequest, EventKind};
use tdm_callctl::{Ss7PointSetup, Ss7SpanConfig, TraceDirection, TraceRecord};
use tdm_driver::framer::{Crc4Mode, FramerConfig};
use tdm_driver::{BoardPaths, Driver, DriverHandle, Signaling, SpanConfig};
use tdm_hw_sim::{Bench, Simulator};
use tdm_ss7::mtp3::{LinkSetConfig, Mtp3Config, SignallingLinkConfig};
use tdm_ss7::{NetworkIndicator, PointCode, PointCodeFormat};

const A: &str = "a:0";
const B: &str = "b:0";
/// ISUP message types (Q.763 Table 4).
const IAM: u8 = 0x01;
const COT: u8 = 0x05;
const ACM: u8 = 0x06;
const ANM: u8 = 0x09;
const REL: u8 = 0x0C;
const RLC: u8 = 0x10;
const CCR: u8 = 0x11;
/// Octets before the CIC in an MSU of a China 24-bit point: BSN, FSN, LI, SIO, the label
/// (DPC 3, OPC 3, SLS 1).
const CIC_AT: usize = 3 + 1 + 7;

struct Bed {
    engine: Engine,
    drivers: Vec<Driver>,
    handles: Vec<DriverHandle>,
    sim: Simulator,
    seen: u64,
    _dir: tempfile::TempDir,
}

fn point(name: &str, own: PointCode, adjacent: PointCode) -> Ss7PointSetup {
    let link = SignallingLinkConfig::new(0, 0, 16);
    let mut mtp3 = Mtp3Config::new(own, PointCodeFormat::China24, NetworkIndicator::National);
    mtp3.link_sets.push(LinkSetConfig { name: format!("to-{name}"), adjacent, links: vec![link] });
    Ss7PointSetup { name: name.into(), mtp3, link_boards: vec![vec![usize::from(name == "b")]] }
}

impl Bed {
    fn new() -> Bed {
        let bench = "seed = 5\n[[board]]\nname = \"a\"\nspans = 1\n[[board]]\nname = \"b\"\nspans = 1\n\
                     [[cable]]\nname = \"trunk\"\na = \"a:0\"\nb = \"b:0\"\nbit_offset = 77\n";
        let bench = Bench::parse(bench, "ss7 bench").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let sim = Simulator::new(&bench, dir.path()).unwrap();
        let span = SpanConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            signaling: Signaling::Ccs,
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
        let (pc_a, pc_b) = (PointCode::china(1, 2, 3), PointCode::china(1, 2, 4));
        let points = vec![point("a", pc_a, pc_b), point("b", pc_b, pc_a)];
        let span = |board: usize, config: Ss7SpanConfig| SpanSetup {
            board,
            span: 0,
            stack: StackSetup::Ss7(config),
            incoming: IncomingPolicy::Answer { ring_ms: 0 },
            tone_dbm0: -10.0,
        };
        let spans = vec![
            span(0, Ss7SpanConfig::isup(0)),
            span(1, Ss7SpanConfig { point: 1, ..Ss7SpanConfig::isup(0) }),
        ];
        let engine = Engine::with_points(boards, points, spans).unwrap();
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

    fn place(&mut self, called: &str) -> Result<CallId, CallError> {
        let request =
            CallRequest { span: A.into(), called: called.into(), calling: None, hangup_after_ms: None };
        self.engine.place_call(&request)
    }

    /// Both links in service and every circuit reset to idle at both ends.
    fn start() -> Bed {
        let mut bed = Bed::new();
        bed.run_until(10_000, "circuits idle", |e| {
            e.spans().iter().all(|s| s.link_up && s.circuits.iter().all(circuit_idle))
        });
        bed.events();
        bed
    }

    fn all_idle(engine: &Engine) -> bool {
        engine.calls().is_empty() && engine.spans().iter().all(|s| s.circuits.iter().all(circuit_idle))
    }
}

fn circuit_idle(status: &tdm_ss7::circuit::CircuitStatus) -> bool {
    tdm_callctl::ss7::circuit_state_text(status) == "idle"
}

/// ISUP messages of a span's trace as (sent, CIC, message type, the octet after the type),
/// with the board time of each.
fn isup_messages(trace: &Receiver<TraceRecord>) -> Vec<(u64, bool, u16, u8, u8)> {
    trace
        .try_iter()
        .filter_map(|record| {
            let su = record.frame.bytes();
            // MSUs only (LI > 2) of service indicator 5 (ISUP).
            if su.get(2).is_none_or(|li| li & 0x3F <= 2) || su.get(3).is_none_or(|sio| sio & 0x0F != 5) {
                return None;
            }
            let cic = u16::from_le_bytes([*su.get(CIC_AT)?, *su.get(CIC_AT + 1)?]) & 0x0FFF;
            Some((
                record.at.as_millis(),
                record.direction == TraceDirection::Sent,
                cic,
                *su.get(CIC_AT + 2)?,
                su.get(CIC_AT + 3).copied().unwrap_or(0),
            ))
        })
        .collect()
}

/// Timeslots of span 0 the driver has given out (a free one opens, and is given back).
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

fn kinds(events: &[CallEvent], call: CallId) -> Vec<EventKind> {
    events.iter().filter(|e| e.call == Some(call)).map(|e| e.kind.clone()).collect()
}

#[test]
fn a_continuity_check_passes_through_the_far_ends_loop_and_fails_without_it() {
    let mut bed = Bed::start();
    assert_eq!(claimed(&bed.handles[0]), BTreeSet::from([16]), "only the link's timeslot is open");
    assert_eq!(claimed(&bed.handles[1]), BTreeSet::from([16]));
    assert!(matches!(bed.engine.set_continuity_check("x:0", true), Err(CallError::NoSuchSpan(_))));
    bed.engine.set_continuity_check(A, true).unwrap();
    let trace = bed.engine.subscribe_trace(A).unwrap().1;

    // A good circuit: A's check tone crosses the cable, B's driver loops it back, A hears it
    // and sends COT (continuity), and only then does B present and answer the call.
    let call = bed.place("1008").unwrap();
    bed.run_until(2_000, "answered", |e| {
        e.calls().iter().any(|c| c.id == call && c.phase == CallPhase::Connected)
    });
    let messages = isup_messages(&trace);
    let cic = messages[0].2;
    let ts = u8::try_from(cic).unwrap();
    let kinds_of: Vec<(bool, u16, u8)> = messages.iter().map(|m| (m.1, m.2, m.3)).collect();
    assert_eq!(kinds_of, vec![(true, cic, IAM), (true, cic, COT), (false, cic, ACM), (false, cic, ANM)]);
    let cot = messages[1];
    assert_eq!(cot.4, 0x01, "continuity indicators: continuity check successful");
    // Recognition takes four 10 ms blocks of tone; the tone needs a few ms more to cross the
    // drivers and the cable both ways. Well inside T24 (2 s).
    let took = cot.0 - (messages[0].0);
    assert!((40..=80).contains(&took), "COT {took} ms after the IAM");
    let calls = bed.engine.calls();
    assert_eq!(
        calls.iter().map(|c| (c.span.as_str(), c.timeslot)).collect::<Vec<_>>(),
        vec![(A, Some(ts)), (B, Some(ts))]
    );
    // The check is over: the call's channel carries the call (open at both ends, no loop).
    assert_eq!(claimed(&bed.handles[0]), BTreeSet::from([ts, 16]));
    assert_eq!(claimed(&bed.handles[1]), BTreeSet::from([ts, 16]));
    // B's test tone reaches A: the speech path is the call's again, not a loop.
    bed.run_until(1_000, "the tone heard", |e| e.calls().iter().any(|c| c.id == call && c.tone.is_some()));
    bed.engine.hangup(call, Cause::NormalClearing).unwrap();
    bed.run_until(1_000, "idle", Bed::all_idle);
    let events = bed.events();
    let ours = kinds(&events, call);
    assert_eq!(
        ours[..3],
        [
            EventKind::Placed { called: "1008".into(), calling: None },
            EventKind::Alerting,
            EventKind::Connected
        ]
    );
    assert!(matches!(ours[3], EventKind::ToneHeard(_)));
    assert_eq!(ours[4], EventKind::Released { cause: Cause::NormalClearing, remote: false });
    assert_eq!(claimed(&bed.handles[0]), BTreeSet::from([16]));
    assert_eq!(claimed(&bed.handles[1]), BTreeSet::from([16]));
    isup_messages(&trace);

    // No loop at B: the channel is taken there, so nothing returns. T24 (2 s) fails the
    // check with COT (failure), and ISUP repeats the attempt on another circuit, which passes.
    let holder = bed.handles[1].open_audio(0, ts, 8).unwrap();
    let call = bed.place("1008").unwrap();
    bed.run_until(3_000, "answered", |e| {
        e.calls().iter().any(|c| c.id == call && c.phase == CallPhase::Connected)
    });
    let messages = isup_messages(&trace);
    let sent: Vec<(u16, u8, u8)> = messages.iter().filter(|m| m.1).map(|m| (m.2, m.3, m.4)).collect();
    let other = sent.iter().find(|m| m.0 != cic).map(|m| m.0).unwrap();
    assert_eq!(sent[..3], [(cic, IAM, sent[0].2), (cic, COT, 0x00), (other, IAM, sent[2].2)]);
    assert_eq!(sent[3], (other, COT, 0x01));
    let failed_at = messages.iter().find(|m| m.1 && m.3 == COT).unwrap().0;
    let iam_at = messages[0].0;
    // T24 (2 s) runs from the command; the IAM leaves on the link with the next block, 1 ms
    // later, and the failure the block T24 runs out in.
    assert_eq!(failed_at - iam_at, 1_999, "COT (failure) when T24 ran out");
    assert_eq!(
        bed.engine.calls().iter().find(|c| c.id == call).and_then(|c| c.timeslot),
        Some(u8::try_from(other).unwrap())
    );
    bed.engine.hangup(call, Cause::NormalClearing).unwrap();
    bed.run_until(1_000, "the call gone", |e| e.calls().is_empty());
    // The failed circuit waits for a recheck (CCR) when T25 (5 s) runs out. Repaired by then,
    // it passes through B's loop with a channel A opens for the check alone, and REL/RLC
    // return it to idle.
    bed.handles[1].release(0, ts).unwrap();
    drop(holder);
    bed.run_until(6_000, "rechecked", Bed::all_idle);
    let recheck: Vec<(bool, u16, u8, u8)> =
        isup_messages(&trace).into_iter().filter(|m| m.2 == cic).map(|m| (m.1, m.2, m.3, m.4)).collect();
    assert_eq!(recheck[..2], [(true, cic, CCR, 0), (true, cic, REL, recheck[1].3)]);
    assert_eq!(recheck[2..], [(false, cic, RLC, recheck[2].3)]);
    assert_eq!(claimed(&bed.handles[0]), BTreeSet::from([16]), "the check's channel is given back");
    assert_eq!(claimed(&bed.handles[1]), BTreeSet::from([16]), "and the loop removed");
}
