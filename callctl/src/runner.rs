//! The engine on its own thread, and the handle other threads command it through.
//!
//! The thread sleeps until a driver event or a command arrives, or [`TICK`] passes (timers and
//! B-channel audio move with the board clock even when nothing arrives), then pumps the
//! engine. Commands travel over a channel and are answered over another, so the engine's state
//! is never shared or locked.
//!
//! A lockstep simulator runs as fast as its drivers serve it, which may be tens of times the
//! line's own pace; an engine thread that wakes every [`TICK`] of wall clock then falls
//! hundreds of milliseconds of board time behind, and register signals sent as tones on the
//! channels (No.1) break up. The engine therefore publishes, per board, the board time it has
//! served that board's spans up to, and a driver that is to stay in lockstep with it waits
//! before each block while it is more than [`LOCKSTEP_LEAD_MS`] ahead
//! ([`EngineHandle::wait_for`]), waking the engine.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration as WallDuration;

use crossbeam_channel::{Receiver, Select, Sender, TrySendError, bounded};
use tdm_base::Cause;
use tdm_driver::Event;

use crate::engine::{CircuitAction, Engine, SpanInfo};
use crate::model::{CallError, CallEvent, CallId, CallInfo, CallRequest};
use crate::ss7::Ss7PointInfo;
use crate::trace::{CasTraceRecord, TraceRecord};

/// Longest sleep between two pumps (wall clock). Audio rings hold 128 ms of the line, and at a
/// lockstep simulator's pace a wall millisecond may be ten of the board's.
pub const TICK: WallDuration = WallDuration::from_millis(2);

/// How far (board time) a driver kept in lockstep with the engine may run ahead of it.
pub const LOCKSTEP_LEAD_MS: u64 = 8;

/// How long a driver waiting for the engine sleeps between two looks.
const LOCKSTEP_POLL: WallDuration = WallDuration::from_micros(100);

/// How long a command waits for the engine's answer.
const ANSWER_TIMEOUT: WallDuration = WallDuration::from_secs(10);

type Reply<T> = Sender<T>;

enum Command {
    Place(CallRequest, Reply<Result<CallId, CallError>>),
    Hangup(CallId, Cause, Reply<Result<(), CallError>>),
    Restart(String, Reply<Result<(), CallError>>),
    Calls(Reply<Vec<CallInfo>>),
    Events(u64, Reply<Vec<CallEvent>>),
    Spans(Reply<Vec<SpanInfo>>),
    Trace(String, Reply<Result<(bool, Receiver<TraceRecord>), CallError>>),
    CasTrace(String, Reply<Result<Receiver<CasTraceRecord>, CallError>>),
    Points(Reply<Vec<Ss7PointInfo>>),
    Circuits(String, CircuitAction, u16, u16, Reply<Result<(), CallError>>),
    /// Nothing to do but pump: a driver waits for the engine.
    Wake,
}

/// Commands a running engine; cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct EngineHandle {
    commands: Sender<Command>,
    /// Per board, the board time its spans have been served up to (see
    /// [`Engine::served_ms`]).
    served_ms: Arc<[AtomicU64]>,
}

impl EngineHandle {
    /// The board time, in ms, up to which the engine has served every span of board `board`
    /// (`u64::MAX` for a board it has no span on).
    pub fn served_ms(&self, board: usize) -> u64 {
        self.served_ms.get(board).map_or(u64::MAX, |served| served.load(Ordering::Acquire))
    }

    /// Holds the driver of board `board`, at `board_ms`, until the engine has served its spans
    /// up to [`LOCKSTEP_LEAD_MS`] behind it (or `stop` is set, or the engine stopped), waking
    /// the engine meanwhile. A driver that calls this before each block keeps a lockstep
    /// simulator from outrunning the engine.
    pub fn wait_for(&self, board: usize, board_ms: u64, stop: &AtomicBool) {
        while board_ms > self.served_ms(board).saturating_add(LOCKSTEP_LEAD_MS)
            && !stop.load(Ordering::Relaxed)
        {
            if self.commands.is_empty()
                && let Err(TrySendError::Disconnected(_)) = self.commands.try_send(Command::Wake)
            {
                // A stopped engine serves nobody: hold the driver no longer.
                return;
            }
            std::thread::sleep(LOCKSTEP_POLL);
        }
    }

    fn ask<T>(&self, command: impl FnOnce(Reply<T>) -> Command) -> Result<T, CallError> {
        let (tx, rx) = bounded(1);
        self.commands.send(command(tx)).map_err(|_| CallError::Stopped)?;
        rx.recv_timeout(ANSWER_TIMEOUT).map_err(|_| CallError::Stopped)
    }

    /// Places a call.
    pub fn place_call(&self, request: CallRequest) -> Result<CallId, CallError> {
        self.ask(|reply| Command::Place(request, reply))?
    }

    /// Clears a call.
    pub fn hangup(&self, call: CallId, cause: Cause) -> Result<(), CallError> {
        self.ask(|reply| Command::Hangup(call, cause, reply))?
    }

    /// Restarts every channel of a span.
    pub fn restart(&self, span: &str) -> Result<(), CallError> {
        let span = span.to_string();
        self.ask(|reply| Command::Restart(span, reply))?
    }

    /// The calls in progress.
    pub fn calls(&self) -> Result<Vec<CallInfo>, CallError> {
        self.ask(Command::Calls)
    }

    /// Log entries after `seq`.
    pub fn events_since(&self, seq: u64) -> Result<Vec<CallEvent>, CallError> {
        self.ask(|reply| Command::Events(seq, reply))
    }

    /// The spans running a stack.
    pub fn spans(&self) -> Result<Vec<SpanInfo>, CallError> {
        self.ask(Command::Spans)
    }

    /// Subscribes to a span's signaling frames (see [`Engine::subscribe_trace`]).
    pub fn subscribe_trace(&self, span: &str) -> Result<(bool, Receiver<TraceRecord>), CallError> {
        let span = span.to_string();
        self.ask(|reply| Command::Trace(span, reply))?
    }

    /// Subscribes to a CAS span's line and register signals (see
    /// [`Engine::subscribe_cas_trace`]).
    pub fn subscribe_cas_trace(&self, span: &str) -> Result<Receiver<CasTraceRecord>, CallError> {
        let span = span.to_string();
        self.ask(|reply| Command::CasTrace(span, reply))?
    }

    /// The signalling points, with their links and link sets.
    pub fn points(&self) -> Result<Vec<Ss7PointInfo>, CallError> {
        self.ask(Command::Points)
    }

    /// Blocks, unblocks or resets CICs `first ..= last` of an SS7 span.
    pub fn circuit_maintenance(
        &self,
        span: &str,
        action: CircuitAction,
        first: u16,
        last: u16,
    ) -> Result<(), CallError> {
        let span = span.to_string();
        self.ask(|reply| Command::Circuits(span, action, first, last, reply))?
    }
}

impl Engine {
    /// Runs the engine on its own thread until `stop` is set, then gives every channel back.
    /// `events` are the driver event queues of the engine's boards, in board order (the
    /// thread wakes on them).
    pub fn spawn(
        mut self,
        events: Vec<Receiver<Event>>,
        stop: Arc<AtomicBool>,
    ) -> std::io::Result<(EngineHandle, JoinHandle<()>)> {
        let (commands, inbox) = bounded::<Command>(64);
        let served_ms: Arc<[AtomicU64]> =
            (0..self.board_count()).map(|board| AtomicU64::new(self.served_ms(board))).collect();
        let served = served_ms.clone();
        let thread = std::thread::Builder::new().name("tdm-callctl".into()).spawn(move || {
            // Built once: waiting must not allocate.
            let mut select = Select::new();
            for receiver in &events {
                select.recv(receiver);
            }
            select.recv(&inbox);
            while !stop.load(Ordering::Relaxed) {
                let woken = select.ready_timeout(TICK).is_ok();
                let mut commands = 0;
                while let Ok(command) = inbox.try_recv() {
                    self.command(command);
                    commands += 1;
                }
                let events = self.pump();
                for (board, slot) in served.iter().enumerate() {
                    slot.store(self.served_ms(board), Ordering::Release);
                }
                if woken && events == 0 && commands == 0 {
                    // Ready but nothing there: a board whose driver stopped (its queue is
                    // disconnected, so always ready). Do not spin on it.
                    std::thread::sleep(TICK);
                }
            }
            self.shutdown();
            // Whoever waits for this engine waits no more.
            for slot in served.iter() {
                slot.store(u64::MAX, Ordering::Release);
            }
        })?;
        Ok((EngineHandle { commands, served_ms }, thread))
    }

    fn command(&mut self, command: Command) {
        // A requester that gave up waiting is no reason to stop.
        match command {
            Command::Place(request, reply) => {
                let _ = reply.send(self.place_call(&request));
            }
            Command::Hangup(call, cause, reply) => {
                let _ = reply.send(self.hangup(call, cause));
            }
            Command::Restart(span, reply) => {
                let _ = reply.send(self.restart(&span));
            }
            Command::Calls(reply) => {
                let _ = reply.send(self.calls());
            }
            Command::Events(seq, reply) => {
                let _ = reply.send(self.events_since(seq));
            }
            Command::Spans(reply) => {
                let _ = reply.send(self.spans());
            }
            Command::Trace(span, reply) => {
                let _ = reply.send(self.subscribe_trace(&span));
            }
            Command::CasTrace(span, reply) => {
                let _ = reply.send(self.subscribe_cas_trace(&span));
            }
            Command::Points(reply) => {
                let _ = reply.send(self.points());
            }
            Command::Circuits(span, action, first, last, reply) => {
                let _ = reply.send(self.circuit_maintenance(&span, action, first, last));
            }
            Command::Wake => {}
        }
    }
}
