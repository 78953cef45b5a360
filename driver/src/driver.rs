//! The driver loop for one board-ABI board; the handle other threads use to reach it is in
//! `handle.rs`, shared with the other backends.
//!
//! The loop owns every span of the board. It wakes on the board's interrupt, serves each
//! span for the blocks that passed, publishes status, and re-enables the interrupt. Other
//! threads never touch span state: they send commands (taken once per block) and read
//! status (atomics) and events (a bounded channel).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Receiver;

use crate::board::{Board, BoardPaths};
use crate::error::{Error, ErrorKind};
use crate::event::EventSink;
use crate::handle::{Capabilities, Command, DriverHandle, initial_claims};
use crate::span::{Span, SpanConfig};
use crate::status::SpanStatus;

/// The real-time side: owned by the thread that runs the board.
pub struct Driver {
    board: Board,
    spans: Vec<Span>,
    status: Vec<Arc<SpanStatus>>,
    commands: Receiver<Command>,
    events: EventSink,
    last_seq: u64,
}

impl Driver {
    /// Opens the board and configures its first `configs.len()` spans.
    pub fn open(paths: &BoardPaths, configs: &[SpanConfig]) -> Result<(Driver, DriverHandle), Error> {
        let board = Board::open(paths)?;
        let view = board.view();
        let available = view.geometry().spans as usize;
        if configs.is_empty() || configs.len() > available {
            return Err(Error::BadRequest(format!(
                "{}: {} span(s) configured, the board has {available}",
                paths.memory.display(),
                configs.len()
            )));
        }
        let spans: Vec<Span> = configs
            .iter()
            .enumerate()
            .filter_map(|(i, c)| view.span(i as u32).map(|v| Span::new(i as u32, *c, &v)))
            .collect();
        let claims = configs.iter().map(initial_claims).collect();
        let (handle, ends) = DriverHandle::new(view.name(), configs, claims, Capabilities::BOARD);
        let last_seq = view.header().block_seq.load(Ordering::Acquire);
        let driver = Driver {
            board,
            spans,
            status: ends.status,
            commands: ends.commands,
            events: ends.events,
            last_seq,
        };
        Ok((driver, handle))
    }

    /// Waits up to `timeout` for the board's interrupt, then serves every span for the blocks
    /// that passed and re-enables the interrupt. Returns how many blocks that was.
    pub fn service(&mut self, timeout: Duration) -> Result<u64, Error> {
        self.board.wait_interrupt(timeout)?;
        self.apply_commands();
        let view = self.board.view();
        let seq = view.header().block_seq.load(Ordering::Acquire);
        let blocks = seq.wrapping_sub(self.last_seq);
        self.last_seq = seq;
        for (span, status) in self.spans.iter_mut().zip(&self.status) {
            if let Some(v) = view.span(span.index()) {
                span.service(&v, blocks, seq, &self.events);
                span.publish(&v, seq, status);
            }
        }
        self.board.acknowledge()?;
        Ok(blocks)
    }

    /// Events dropped because nobody read them in time.
    pub fn dropped_events(&self) -> u64 {
        self.events.dropped()
    }

    /// Runs the loop on its own thread until `stop` is set or the board fails.
    pub fn spawn(mut self, stop: Arc<AtomicBool>) -> std::io::Result<JoinHandle<Result<(), Error>>> {
        let name = format!("tdm-driver-{}", self.board.view().name());
        std::thread::Builder::new().name(name).spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match self.service(Duration::from_millis(200)) {
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::Timeout => {}
                    Err(e) => return Err(e),
                }
            }
            Ok(())
        })
    }

    fn apply_commands(&mut self) {
        while let Ok(command) = self.commands.try_recv() {
            let view = self.board.view();
            let now = view.header().block_seq.load(Ordering::Acquire);
            let span_of = |n: u32| n as usize;
            match command {
                Command::Loopback { span, mode } => {
                    if let (Some(s), Some(v)) = (self.spans.get_mut(span_of(span)), view.span(span)) {
                        s.set_loopback(&v, mode);
                    }
                }
                Command::SetAbcd { span, timeslot, abcd } => {
                    if let Some(s) = self.spans.get_mut(span_of(span)) {
                        s.set_abcd(timeslot, abcd);
                    }
                }
                Command::StartBert { span, pattern, timeslots } => {
                    if let Some(s) = self.spans.get_mut(span_of(span)) {
                        s.start_bert(pattern, timeslots, now);
                    }
                }
                Command::StopBert { span } => {
                    if let Some(s) = self.spans.get_mut(span_of(span)) {
                        s.stop_bert();
                    }
                }
                Command::InjectBertErrors { span, count } => {
                    if let Some(s) = self.spans.get_mut(span_of(span)) {
                        s.inject_bert_errors(count);
                    }
                }
                Command::Attach { span, timeslot, use_ } => {
                    if let Some(slot) =
                        self.spans.get_mut(span_of(span)).and_then(|s| s.uses.get_mut(timeslot as usize))
                    {
                        // The previous use (rings, encoder) is dropped here, off the per-frame path.
                        *slot = use_;
                    }
                }
                // Never sent here: a board's handle frames HDLC in software (`Capabilities::BOARD`).
                Command::AttachFramed { .. } => {}
            }
        }
    }
}
