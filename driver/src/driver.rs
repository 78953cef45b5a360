//! The driver loop for one board, and the handle other threads use to reach it.
//!
//! The loop owns every span of the board. It wakes on the board's interrupt, serves each
//! span for the blocks that passed, publishes status, and re-enables the interrupt. Other
//! threads never touch span state: they send commands (taken once per block) and read
//! status (atomics) and events (a bounded channel).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};

use crate::bert::Pattern;
use crate::board::{Board, BoardPaths};
use crate::error::{Error, ErrorKind};
use crate::event::{Event, EventSink, HdlcFrame};
use crate::hdlc::HdlcConfig;
use crate::ring::{RingReader, RingWriter, octet_ring};
use crate::span::{HdlcLink, Loopback, SampleFifo, Signaling, Span, SpanConfig, Timeslots, Use};
use crate::status::{SpanReport, SpanStatus};

/// Events waiting for a reader before the loop starts dropping them.
const EVENT_QUEUE: usize = 4096;
/// HDLC frames an application may queue for sending on one timeslot.
const HDLC_QUEUE: usize = 64;

enum Command {
    Loopback { span: u32, mode: Loopback },
    SetAbcd { span: u32, timeslot: u8, abcd: u8 },
    StartBert { span: u32, pattern: Pattern, timeslots: Timeslots },
    StopBert { span: u32 },
    InjectBertErrors { span: u32, count: u32 },
    Attach { span: u32, timeslot: u8, use_: Use },
}

/// The real-time side: owned by the thread that runs the board.
pub struct Driver {
    board: Board,
    spans: Vec<Span>,
    status: Vec<Arc<SpanStatus>>,
    commands: Receiver<Command>,
    events: EventSink,
    last_seq: u64,
}

/// An application's end of a voice timeslot: G.711 octets exactly as on the line, one per
/// frame (8000 per second).
pub struct AudioChannel {
    pub rx: RingReader,
    pub tx: RingWriter,
}

/// An application's end of a signaling timeslot. Received frames arrive as
/// [`Event::Hdlc`]; frames to send go here.
pub struct HdlcChannel {
    tx: Sender<HdlcFrame>,
}

impl HdlcChannel {
    /// Queues a frame (without FCS). Fails when it is too long or the queue is full.
    pub fn send(&self, frame: &[u8]) -> Result<(), Error> {
        let frame = HdlcFrame::new(frame)
            .ok_or_else(|| Error::BadRequest(format!("HDLC frame of {} octets is too long", frame.len())))?;
        self.tx.try_send(frame).map_err(|_| Error::BadRequest("HDLC send queue is full".into()))
    }
}

/// What a timeslot has been given to, as the handle keeps track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claim {
    Free,
    Audio,
    Hdlc,
    Looped,
    Bert,
    /// TS0 (framing), and TS16 on a CAS span.
    Reserved,
}

struct Shared {
    name: String,
    configs: Vec<SpanConfig>,
    status: Vec<Arc<SpanStatus>>,
    commands: Sender<Command>,
    events: Receiver<Event>,
    claims: Mutex<Vec<[Claim; 32]>>,
}

/// The control side: cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct DriverHandle {
    shared: Arc<Shared>,
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
        let status: Vec<_> = spans.iter().map(|_| Arc::new(SpanStatus::default())).collect();
        let (command_tx, command_rx) = unbounded();
        let (event_tx, event_rx) = bounded(EVENT_QUEUE);
        let last_seq = view.header().block_seq.load(Ordering::Acquire);
        let shared = Arc::new(Shared {
            name: view.name(),
            configs: configs.to_vec(),
            status: status.clone(),
            commands: command_tx,
            events: event_rx,
            claims: Mutex::new(configs.iter().map(initial_claims).collect()),
        });
        let driver =
            Driver { board, spans, status, commands: command_rx, events: EventSink::new(event_tx), last_seq };
        Ok((driver, DriverHandle { shared }))
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
            }
        }
    }
}

fn initial_claims(config: &SpanConfig) -> [Claim; 32] {
    let mut claims = [Claim::Free; 32];
    // TS0 is framing; TS16 carries the CAS multiframe on a CAS span.
    claims[0] = Claim::Reserved;
    if config.signaling == Signaling::Cas {
        claims[16] = Claim::Reserved;
    }
    claims
}

impl DriverHandle {
    pub fn board_name(&self) -> &str {
        &self.shared.name
    }

    pub fn span_count(&self) -> u32 {
        self.shared.configs.len() as u32
    }

    pub fn span_config(&self, span: u32) -> Option<&SpanConfig> {
        self.shared.configs.get(span as usize)
    }

    pub fn events(&self) -> &Receiver<Event> {
        &self.shared.events
    }

    /// The span's state as the loop last published it.
    pub fn report(&self, span: u32) -> Option<SpanReport> {
        self.shared.status.get(span as usize).map(|s| s.report())
    }

    pub fn set_loopback(&self, span: u32, mode: Loopback) -> Result<(), Error> {
        self.check_span(span)?;
        self.command(Command::Loopback { span, mode })
    }

    /// Sends the ABCD bits of a CAS timeslot (1–15, 17–31).
    pub fn set_abcd(&self, span: u32, timeslot: u8, abcd: u8) -> Result<(), Error> {
        let config = self.check_span(span)?;
        if config.signaling != Signaling::Cas {
            return Err(Error::BadRequest(format!("span {span} is not a CAS span")));
        }
        if !is_bearer(timeslot) || abcd > 0xF {
            return Err(Error::BadRequest(format!("timeslot {timeslot} / ABCD {abcd:#x} out of range")));
        }
        self.command(Command::SetAbcd { span, timeslot, abcd })
    }

    /// Opens a voice timeslot; `depth` is the ring size in octets each way (rounded up to a
    /// power of two; 8 octets are one block).
    pub fn open_audio(&self, span: u32, timeslot: u8, depth: usize) -> Result<AudioChannel, Error> {
        self.claim(span, &[timeslot], Claim::Audio)?;
        let (rx_writer, rx_reader) = octet_ring(depth);
        let (tx_writer, tx_reader) = octet_ring(depth);
        self.attach(span, timeslot, Use::Audio { rx: rx_writer, tx: tx_reader })?;
        Ok(AudioChannel { rx: rx_reader, tx: tx_writer })
    }

    /// Opens a soft-HDLC signaling channel on a timeslot (TS16 of a CCS span, or any bearer).
    pub fn open_hdlc(&self, span: u32, timeslot: u8, config: HdlcConfig) -> Result<HdlcChannel, Error> {
        self.claim(span, &[timeslot], Claim::Hdlc)?;
        let (tx, rx) = bounded(HDLC_QUEUE);
        self.attach(span, timeslot, Use::Hdlc(Box::new(HdlcLink::new(config, rx))))?;
        Ok(HdlcChannel { tx })
    }

    /// Loops one timeslot back toward the line (what arrives on it is sent back).
    pub fn loop_timeslot(&self, span: u32, timeslot: u8) -> Result<(), Error> {
        self.claim(span, &[timeslot], Claim::Looped)?;
        self.attach(span, timeslot, Use::Looped(Box::new(SampleFifo::new())))
    }

    /// Gives a timeslot back: audio rings and HDLC links are detached, a loop is removed.
    pub fn release(&self, span: u32, timeslot: u8) -> Result<(), Error> {
        self.check_span(span)?;
        {
            let mut claims = self.claims();
            let slot = claims
                .get_mut(span as usize)
                .and_then(|c| c.get_mut(timeslot as usize))
                .filter(|c| matches!(c, Claim::Audio | Claim::Hdlc | Claim::Looped))
                .ok_or_else(|| Error::BadRequest(format!("span {span} timeslot {timeslot} is not open")))?;
            *slot = Claim::Free;
        }
        self.attach(span, timeslot, Use::Idle)
    }

    /// Starts a BERT on `timeslots` (e.g. [`Timeslots::PAYLOAD`] for a framed test).
    pub fn start_bert(&self, span: u32, pattern: Pattern, timeslots: Timeslots) -> Result<(), Error> {
        let config = self.check_span(span)?;
        // A framed BERT covers the payload: TS16 only when it is not carrying CAS.
        let list: Vec<u8> = (1..32u8)
            .filter(|&t| timeslots.contains(t as usize))
            .filter(|&t| !(t == 16 && config.signaling == Signaling::Cas))
            .collect();
        if list.is_empty() {
            return Err(Error::BadRequest("a BERT needs at least one bearer timeslot".into()));
        }
        self.claim(span, &list, Claim::Bert)?;
        let mask = Timeslots(list.iter().fold(0, |m, &t| m | 1 << t));
        self.command(Command::StartBert { span, pattern, timeslots: mask })
    }

    pub fn stop_bert(&self, span: u32) -> Result<(), Error> {
        self.check_span(span)?;
        if let Some(c) = self.claims().get_mut(span as usize) {
            c.iter_mut().filter(|c| **c == Claim::Bert).for_each(|c| *c = Claim::Free);
        }
        self.command(Command::StopBert { span })
    }

    /// Inverts one bit in each of the next `count` octets the BERT sends.
    pub fn inject_bert_errors(&self, span: u32, count: u32) -> Result<(), Error> {
        self.check_span(span)?;
        self.command(Command::InjectBertErrors { span, count })
    }

    fn check_span(&self, span: u32) -> Result<&SpanConfig, Error> {
        self.shared.configs.get(span as usize).ok_or_else(|| {
            Error::BadRequest(format!(
                "board {} has no span {span} (spans 0 to {})",
                self.shared.name,
                self.shared.configs.len().saturating_sub(1)
            ))
        })
    }

    fn claims(&self) -> std::sync::MutexGuard<'_, Vec<[Claim; 32]>> {
        self.shared.claims.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn claim(&self, span: u32, timeslots: &[u8], what: Claim) -> Result<(), Error> {
        self.check_span(span)?;
        let mut claims = self.claims();
        let Some(span_claims) = claims.get_mut(span as usize) else {
            return Err(Error::BadRequest(format!("no span {span}")));
        };
        for &ts in timeslots {
            match span_claims.get(ts as usize) {
                None => return Err(Error::BadRequest(format!("timeslot {ts} does not exist (0 to 31)"))),
                Some(Claim::Free) => {}
                Some(Claim::Reserved) => {
                    let why = if ts == 0 { "framing" } else { "CAS signaling" };
                    return Err(Error::BadRequest(format!(
                        "span {span} timeslot {ts} is reserved for {why}"
                    )));
                }
                Some(other) => {
                    return Err(Error::BadRequest(format!(
                        "span {span} timeslot {ts} is in use ({other:?})"
                    )));
                }
            }
        }
        for &ts in timeslots {
            span_claims[ts as usize] = what;
        }
        Ok(())
    }

    fn attach(&self, span: u32, timeslot: u8, use_: Use) -> Result<(), Error> {
        self.command(Command::Attach { span, timeslot, use_ })
    }

    fn command(&self, command: Command) -> Result<(), Error> {
        self.shared
            .commands
            .send(command)
            .map_err(|_| Error::BadRequest(format!("the driver of board {} has stopped", self.shared.name)))
    }
}

fn is_bearer(ts: u8) -> bool {
    (1..32).contains(&ts) && ts != 16
}
