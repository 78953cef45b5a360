//! The running system: the simulator (if the system file has one), a driver thread per board,
//! the call engine (signaling stacks on their spans, which also takes every driver event and
//! passes on what it does not use), and the event logger; all stopped together. With a
//! lockstep simulator, each simulated board's driver also waits for the call engine before
//! each block, so that the whole system, engine included, moves in step.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use tdm_callctl::{BoardSetup, Engine, EngineHandle, SpanSetup, Ss7PointSetup, StackSetup};
use tdm_driver::dahdi::{DahdiDriver, open_dahdi};
use tdm_driver::{BoardPaths, Driver, DriverHandle, Event};
use tdm_hw_sim::{Bench, Pacing as SimPacing, SimControl, Simulator};

use crate::config::{Device, Pacing, SystemConfig};

/// Most recent events kept for `tdm monitor`.
const RECENT_EVENTS: usize = 256;

pub struct Board {
    pub name: String,
    pub handle: DriverHandle,
}

/// An event as kept for observers: the board it came from and a one-line description.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    pub seq: u64,
    pub board: String,
    pub at_ms: u64,
    pub text: String,
}

#[derive(Default)]
pub struct EventLog {
    events: Mutex<(u64, VecDeque<LoggedEvent>)>,
}

impl EventLog {
    fn push(&self, board: &str, event: &Event) {
        let (at_ms, text) = describe(event);
        let mut guard = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        let (seq, log) = &mut *guard;
        *seq += 1;
        if log.len() == RECENT_EVENTS {
            log.pop_front();
        }
        log.push_back(LoggedEvent { seq: *seq, board: board.to_string(), at_ms, text });
    }

    /// Events numbered after `seq`.
    pub fn since(&self, seq: u64) -> Vec<LoggedEvent> {
        let guard = self.events.lock().unwrap_or_else(PoisonError::into_inner);
        guard.1.iter().filter(|e| e.seq > seq).cloned().collect()
    }
}

pub fn describe(event: &Event) -> (u64, String) {
    match event {
        Event::Line { span, alarms, sync, at_ms } => {
            let sync = crate::report::sync_name(*sync);
            let alarms = crate::report::alarm_names(*alarms).join(" ");
            (*at_ms, format!("span {span}: {sync}, alarms {alarms}"))
        }
        Event::Abcd { span, timeslot, abcd, at_ms } => {
            (*at_ms, format!("span {span} ts {timeslot}: ABCD {abcd:04b}"))
        }
        Event::Hdlc { span, timeslot, frame, at_ms } => {
            (*at_ms, format!("span {span} ts {timeslot}: HDLC frame {:02x?}", frame.bytes()))
        }
        Event::HdlcError { span, timeslot, error, at_ms } => {
            (*at_ms, format!("span {span} ts {timeslot}: HDLC error {error:?}"))
        }
    }
}

/// Driver events the logger may fall behind by before the call engine drops some.
const FORWARDED_EVENTS: usize = 4096;

/// The real-time loop of one board, whichever backend serves it.
enum BoardLoop {
    Abi(Driver),
    Dahdi(DahdiDriver),
}

impl BoardLoop {
    /// Runs the loop on its own thread. With `engine`, a board-ABI driver waits before each
    /// block until the call engine has caught up (a lockstep simulator then waits for both).
    fn spawn(
        self,
        stop: Arc<AtomicBool>,
        engine: Option<(EngineHandle, usize, DriverHandle)>,
    ) -> std::io::Result<JoinHandle<Result<(), tdm_driver::Error>>> {
        match (self, engine) {
            (BoardLoop::Abi(driver), Some((engine, board, handle))) => {
                spawn_in_step(driver, board, handle, engine, stop)
            }
            (BoardLoop::Abi(driver), None) => driver.spawn(stop),
            (BoardLoop::Dahdi(driver), _) => driver.spawn(stop),
        }
    }
}

/// A board-ABI driver loop that keeps in step with the call engine: before each block it
/// waits while its board is more than `tdm_callctl::runner::LOCKSTEP_LEAD_MS` ahead of what
/// the engine has served, so that the engine's audio (No.1 register signals as tones) never
/// falls behind a lockstep simulator running faster than the engine's thread wakes.
fn spawn_in_step(
    mut driver: Driver,
    board: usize,
    handle: DriverHandle,
    engine: EngineHandle,
    stop: Arc<AtomicBool>,
) -> std::io::Result<JoinHandle<Result<(), tdm_driver::Error>>> {
    let name = format!("tdm-driver-{}", handle.board_name());
    std::thread::Builder::new().name(name).spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            let board_ms = handle.report(0).map_or(0, |r| r.at_ms);
            engine.wait_for(board, board_ms, &stop);
            match driver.service(std::time::Duration::from_millis(200)) {
                Ok(_) => {}
                Err(e) if e.kind() == tdm_driver::ErrorKind::Timeout => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    })
}

pub struct System {
    pub boards: Vec<Board>,
    pub sim: Option<SimControl>,
    pub events: Arc<EventLog>,
    /// The call engine.
    pub calls: EngineHandle,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<Result<(), String>>>,
    _sim_dir: Option<tempfile::TempDir>,
}

impl System {
    pub fn start(config: &SystemConfig) -> Result<System, Box<dyn std::error::Error>> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let mut sim_devices = Vec::new();
        let mut sim_control = None;
        let mut sim_dir = None;
        let mut sim = None;
        if let Some(s) = &config.simulator {
            let bench = Bench::from_file(&s.bench)?;
            let dir: PathBuf = match &s.dir {
                Some(d) => {
                    std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
                    d.clone()
                }
                None => {
                    let t = tempfile::Builder::new().prefix("tdm-sim-").tempdir()?;
                    let p = t.path().to_path_buf();
                    sim_dir = Some(t);
                    p
                }
            };
            let simulator = Simulator::new(&bench, &dir)?;
            sim_devices = simulator.devices().to_vec();
            sim_control = Some(simulator.control());
            sim = Some((simulator, s.pacing));
        }
        let events = Arc::new(EventLog::default());
        let mut boards = Vec::new();
        let mut drivers = Vec::new();
        for b in &config.boards {
            let board_driver = |paths: &BoardPaths| {
                Driver::open(paths, &b.spans).map(|(driver, handle)| (BoardLoop::Abi(driver), handle))
            };
            let (driver, handle) = match &b.device {
                Device::Abi(paths) => board_driver(paths)?,
                Device::Sim(name) => {
                    let d = sim_devices
                        .iter()
                        .find(|d| &d.name == name)
                        .ok_or_else(|| format!("board {}: the bench has no board {name:?}", b.name))?;
                    board_driver(&BoardPaths { memory: d.memory.clone(), interrupt: d.interrupt.clone() })?
                }
                Device::Dahdi(device) => {
                    let (driver, handle) = open_dahdi(device, &b.spans)?;
                    (BoardLoop::Dahdi(driver), handle)
                }
            };
            boards.push(Board { name: b.name.clone(), handle: handle.clone() });
            drivers.push((b.name.clone(), driver, handle, matches!(b.device, Device::Sim(_))));
        }
        // The call engine opens the signaling channels before anything runs, and from then on
        // it is the one reader of every board's events.
        let setups: Vec<BoardSetup> = drivers
            .iter()
            .map(|(name, _, handle, _)| BoardSetup { name: name.clone(), handle: handle.clone() })
            .collect();
        let receivers: Vec<_> = drivers.iter().map(|(_, _, handle, _)| handle.events().clone()).collect();
        let spans: Vec<SpanSetup> = config
            .boards
            .iter()
            .enumerate()
            .flat_map(|(board, b)| {
                let isdn = b.isdn.iter().map(move |isdn| SpanSetup {
                    board,
                    span: isdn.span,
                    stack: StackSetup::Isdn(isdn.config.clone()),
                    incoming: isdn.incoming,
                    tone_dbm0: isdn.tone_dbm0,
                });
                let no1 = b.no1.iter().map(move |no1| SpanSetup {
                    board,
                    span: no1.span,
                    stack: StackSetup::No1(Box::new(no1.config.clone())),
                    incoming: no1.incoming,
                    tone_dbm0: no1.tone_dbm0,
                });
                let ss7 = b.ss7.iter().map(move |ss7| SpanSetup {
                    board,
                    span: ss7.span,
                    stack: StackSetup::Ss7(ss7.config),
                    incoming: ss7.incoming,
                    tone_dbm0: ss7.tone_dbm0,
                });
                isdn.chain(no1).chain(ss7)
            })
            .collect();
        let points: Vec<Ss7PointSetup> = config
            .ss7
            .iter()
            .map(|p| Ss7PointSetup {
                name: p.name.clone(),
                mtp3: p.mtp3.clone(),
                link_boards: p.link_boards.clone(),
            })
            .collect();
        let mut engine = Engine::with_points(setups, points, spans)?;
        for b in &config.boards {
            for s in b.ss7.iter().filter(|s| s.continuity_check) {
                engine.set_continuity_check(&format!("{}:{}", b.name, s.span), true)?;
            }
        }
        let (forward_tx, forward_rx) = crossbeam_channel::bounded(FORWARDED_EVENTS);
        engine.forward_events(forward_tx);
        let names: Vec<String> = drivers.iter().map(|(name, _, _, _)| name.clone()).collect();
        let in_step = sim.as_ref().is_some_and(|(_, pacing)| *pacing == Pacing::Lockstep);
        // The engine and the drivers before the simulator, so that a lockstep simulator finds
        // them running from its first block.
        let (calls, engine_thread) = engine.spawn(receivers, stop.clone())?;
        threads.push(std::thread::spawn(move || {
            engine_thread.join().map_err(|_| "call engine panicked".to_string())
        }));
        for (board, (_, driver, handle, simulated)) in drivers.into_iter().enumerate() {
            let engine = (in_step && simulated).then(|| (calls.clone(), board, handle));
            let thread = driver.spawn(stop.clone(), engine)?;
            threads.push(std::thread::spawn(move || {
                thread.join().map_err(|_| "driver panicked".to_string())?.map_err(|e| e.to_string())
            }));
        }
        let log = events.clone();
        let stop_log = stop.clone();
        threads.push(std::thread::spawn(move || {
            while !stop_log.load(Ordering::Relaxed) {
                if let Ok((board, event)) = forward_rx.recv_timeout(std::time::Duration::from_millis(200)) {
                    let name = names.get(board).map_or("?", String::as_str);
                    let (at, text) = describe(&event);
                    log::info!("{name} @{at} ms: {text}");
                    log.push(name, &event);
                }
            }
            Ok(())
        }));
        if let Some((simulator, pacing)) = sim {
            let pacing = match pacing {
                Pacing::Realtime => SimPacing::RealTime,
                Pacing::Lockstep => SimPacing::Lockstep,
            };
            let thread = simulator.spawn(pacing, stop.clone());
            threads.push(std::thread::spawn(move || match thread.join() {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("simulator panicked".into()),
            }));
        }
        Ok(System { boards, sim: sim_control, events, calls, stop, threads, _sim_dir: sim_dir })
    }

    /// Finds a span named `board:index`.
    pub fn span(&self, name: &str) -> Result<(&Board, u32), String> {
        let (board, index) = name
            .split_once(':')
            .ok_or_else(|| format!("span {name:?}: expected <board>:<span>, e.g. a:0"))?;
        let index: u32 =
            index.parse().map_err(|_| format!("span {name:?}: {index:?} is not a span number"))?;
        let b = self
            .boards
            .iter()
            .find(|b| b.name == board)
            .ok_or_else(|| format!("span {name:?}: no board {board:?}"))?;
        if index >= b.handle.span_count() {
            return Err(format!("span {name:?}: board {board} has {} span(s)", b.handle.span_count()));
        }
        Ok((b, index))
    }

    /// True once any thread has ended (a board failed, the simulator stopped).
    pub fn failed(&self) -> bool {
        self.threads.iter().any(|t| t.is_finished())
    }

    pub fn stop(self) -> Vec<String> {
        self.stop.store(true, Ordering::Relaxed);
        self.threads.into_iter().filter_map(|t| t.join().ok().and_then(|r| r.err())).collect()
    }
}
