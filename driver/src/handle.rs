//! The control side every backend serves: the [`DriverHandle`] other threads use, and the
//! commands it sends to whichever loop runs the spans (the board loop of [`crate::Driver`],
//! or the DAHDI loop of [`crate::dahdi::DahdiDriver`]).
//!
//! A backend builds a handle with [`DriverHandle::new`] and keeps the [`LoopEnds`]: commands
//! to take once per pass, the event sink, and one status block per span to publish into.
//! Everything the handle checks (span numbers, timeslot claims, CAS ranges) is checked here,
//! once, whatever the backend.

use std::sync::{Arc, Mutex, PoisonError};

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};

use crate::bert::Pattern;
use crate::error::Error;
use crate::event::{Event, EventSink, HdlcFrame};
use crate::hdlc::HdlcConfig;
use crate::ring::{RingReader, RingWriter, octet_ring};
use crate::span::{HdlcLink, Loopback, SampleFifo, Signaling, SpanConfig, Timeslots, Use};
use crate::status::{SpanReport, SpanStatus};

/// Events waiting for a reader before the loop starts dropping them.
const EVENT_QUEUE: usize = 4096;
/// HDLC frames an application may queue for sending on one timeslot.
const HDLC_QUEUE: usize = 64;

/// What the handle asks of the loop. Spans are the handle's numbers (0-based).
pub(crate) enum Command {
    Loopback {
        span: u32,
        mode: Loopback,
    },
    SetAbcd {
        span: u32,
        timeslot: u8,
        abcd: u8,
    },
    StartBert {
        span: u32,
        pattern: Pattern,
        timeslots: Timeslots,
    },
    StopBert {
        span: u32,
    },
    InjectBertErrors {
        span: u32,
        count: u32,
    },
    /// A new use for a timeslot, built on the caller's thread so the loop never allocates.
    Attach {
        span: u32,
        timeslot: u8,
        use_: Use,
    },
    /// A signaling channel whose HDLC framing the device does (see [`HdlcFraming::Device`]):
    /// the loop only moves whole frames.
    AttachFramed {
        span: u32,
        timeslot: u8,
        config: HdlcConfig,
        outgoing: Receiver<HdlcFrame>,
    },
}

/// Who turns a signaling timeslot into frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HdlcFraming {
    /// The driver's soft HDLC, on raw timeslot octets (the board ABI).
    Soft,
    /// The device (the DAHDI kernel or the card): frames arrive whole.
    Device,
}

/// What a backend can do, as far as the handle must know to accept or refuse a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Capabilities {
    pub(crate) hdlc: HdlcFraming,
    /// HDLC on a bearer timeslot of a CAS span (DAHDI frames HDLC on clear channels only).
    pub(crate) hdlc_on_cas_spans: bool,
    /// Most timeslots one BERT may cover.
    pub(crate) bert_timeslots: usize,
    /// Why a BERT may not cover more, said to the caller who asks for more.
    pub(crate) bert_limit_reason: &'static str,
}

impl Capabilities {
    /// The board ABI: raw frames, so soft HDLC and a BERT over any set of timeslots.
    pub(crate) const BOARD: Capabilities = Capabilities {
        hdlc: HdlcFraming::Soft,
        hdlc_on_cas_spans: true,
        bert_timeslots: 31,
        bert_limit_reason: "",
    };
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
pub(crate) enum Claim {
    Free,
    Audio,
    Hdlc,
    Looped,
    Bert,
    /// TS0 (framing), and TS16 on a CAS span.
    Reserved,
    /// The device has no channel for this timeslot (e.g. a DAHDI channel left unconfigured).
    Absent,
    /// The device frames HDLC on this timeslot itself and carries nothing else there (a DAHDI
    /// `dchan` or `hardhdlc` channel): only a signaling channel may open it.
    FramedOnly,
}

/// The timeslots every E1 span keeps for itself: TS0, and TS16 on a CAS span.
pub(crate) fn initial_claims(config: &SpanConfig) -> [Claim; 32] {
    let mut claims = [Claim::Free; 32];
    // TS0 is framing; TS16 carries the CAS multiframe on a CAS span.
    claims[0] = Claim::Reserved;
    if config.signaling == Signaling::Cas {
        claims[16] = Claim::Reserved;
    }
    claims
}

struct Shared {
    name: String,
    configs: Vec<SpanConfig>,
    status: Vec<Arc<SpanStatus>>,
    commands: Sender<Command>,
    events: Receiver<Event>,
    claims: Mutex<Vec<[Claim; 32]>>,
    /// What each timeslot goes back to when released.
    base: Vec<[Claim; 32]>,
    capabilities: Capabilities,
}

/// The loop's ends of what a [`DriverHandle`] talks through.
pub(crate) struct LoopEnds {
    pub(crate) commands: Receiver<Command>,
    pub(crate) events: EventSink,
    /// One per span, in the handle's span order.
    pub(crate) status: Vec<Arc<SpanStatus>>,
}

/// The control side: cheap to clone, usable from any thread.
#[derive(Clone)]
pub struct DriverHandle {
    shared: Arc<Shared>,
}

impl DriverHandle {
    /// A handle for `configs.len()` spans named `name`, with `claims[span]` the timeslots
    /// the backend keeps (see [`initial_claims`]), and the loop's ends of it.
    pub(crate) fn new(
        name: String,
        configs: &[SpanConfig],
        claims: Vec<[Claim; 32]>,
        capabilities: Capabilities,
    ) -> (DriverHandle, LoopEnds) {
        let status: Vec<_> = configs.iter().map(|_| Arc::new(SpanStatus::default())).collect();
        let (command_tx, command_rx) = unbounded();
        let (event_tx, event_rx) = bounded(EVENT_QUEUE);
        let shared = Arc::new(Shared {
            name,
            configs: configs.to_vec(),
            status: status.clone(),
            commands: command_tx,
            events: event_rx,
            base: claims.clone(),
            claims: Mutex::new(claims),
            capabilities,
        });
        let ends = LoopEnds { commands: command_rx, events: EventSink::new(event_tx), status };
        (DriverHandle { shared }, ends)
    }

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

    /// Opens a signaling channel on a timeslot (TS16 of a CCS span, or any bearer): HDLC
    /// frames with the FCS checked and removed, whoever does the framing.
    pub fn open_hdlc(&self, span: u32, timeslot: u8, config: HdlcConfig) -> Result<HdlcChannel, Error> {
        let span_config = self.check_span(span)?;
        if span_config.signaling == Signaling::Cas && !self.shared.capabilities.hdlc_on_cas_spans {
            return Err(Error::BadRequest(format!(
                "board {} frames HDLC only on clear channels, and span {span} is a CAS span",
                self.shared.name
            )));
        }
        self.claim(span, &[timeslot], Claim::Hdlc)?;
        let (tx, rx) = bounded(HDLC_QUEUE);
        let command = match self.shared.capabilities.hdlc {
            HdlcFraming::Soft => {
                Command::Attach { span, timeslot, use_: Use::Hdlc(Box::new(HdlcLink::new(config, rx))) }
            }
            HdlcFraming::Device => Command::AttachFramed { span, timeslot, config, outgoing: rx },
        };
        self.command(command)?;
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
            *slot = self.base_claim(span, timeslot);
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
        let most = self.shared.capabilities.bert_timeslots;
        if list.len() > most {
            return Err(Error::BadRequest(format!(
                "board {} runs a BERT on at most {most} timeslot(s), {} asked: {}",
                self.shared.name,
                list.len(),
                self.shared.capabilities.bert_limit_reason
            )));
        }
        self.claim(span, &list, Claim::Bert)?;
        let mask = Timeslots(list.iter().fold(0, |m, &t| m | 1 << t));
        self.command(Command::StartBert { span, pattern, timeslots: mask })
    }

    pub fn stop_bert(&self, span: u32) -> Result<(), Error> {
        self.check_span(span)?;
        if let Some(c) = self.claims().get_mut(span as usize) {
            for (ts, claim) in c.iter_mut().enumerate().filter(|(_, c)| **c == Claim::Bert) {
                *claim = self.base_claim(span, ts as u8);
            }
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

    fn base_claim(&self, span: u32, timeslot: u8) -> Claim {
        self.shared
            .base
            .get(span as usize)
            .and_then(|b| b.get(timeslot as usize))
            .copied()
            .unwrap_or(Claim::Free)
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
                Some(Claim::FramedOnly) if what == Claim::Hdlc => {}
                Some(Claim::FramedOnly) => {
                    return Err(Error::BadRequest(format!(
                        "span {span} timeslot {ts} carries HDLC only on board {} (the device frames it)",
                        self.shared.name
                    )));
                }
                Some(Claim::Reserved) => {
                    let why = if ts == 0 { "framing" } else { "CAS signaling" };
                    return Err(Error::BadRequest(format!(
                        "span {span} timeslot {ts} is reserved for {why}"
                    )));
                }
                Some(Claim::Absent) => {
                    return Err(Error::BadRequest(format!(
                        "span {span} timeslot {ts} has no channel on board {}",
                        self.shared.name
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
