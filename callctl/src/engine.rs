//! The engine: signaling stacks bound to spans, their signaling carried by the driver (frames
//! through its soft HDLC for ISDN; ABCD bits and channel audio for No.1), their calls kept in
//! the common model, channels opened for the calls, incoming calls handled by each span's
//! policy, traces handed to subscribers.
//!
//! [`Engine`] itself runs no thread: [`Engine::pump`] takes whatever the drivers reported,
//! feeds the stacks, runs their timers against each span's board clock and moves audio. A
//! scenario test calls it after every simulator block, which keeps a run exact;
//! [`Engine::spawn`] runs it on its own thread for a live system (see [`crate::runner`]).
//!
//! Time is the board's: each span's `now` is the block count its driver last published
//! ([`tdm_driver::SpanReport::at_ms`]), or a received frame's or ABCD change's `at_ms` if
//! later. The engine never reads the wall clock, so the same stack runs at any simulator speed.
//!
//! Per-frame and per-block work (a frame or an ABCD change in, the audio of every open
//! channel, the frames, bits and events that follow, a trace record out) does not allocate:
//! frames and audio go through fixed buffers and bounded channels. Allocation happens per call
//! (its record, its log entries), per channel opened and per command.

use std::collections::VecDeque;
use std::fmt;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use tdm_base::{Cause, Duration, Instant};
use tdm_driver::hdlc::HdlcConfig;
use tdm_driver::{DriverHandle, Event, HdlcChannel, HdlcFrame, Signaling};
use tdm_ss7::circuit::BearerAction;
use tdm_ss7::circuit::continuity::ContinuityTransceiver;
use tdm_ss7::mtp3::Indication;

use crate::audio::{DEFAULT_TONE_DBM0, TEST_TONE_HZ, ToneSender};
use crate::bearer::{Bearer, CAS_AUDIO_DEPTH, ContinuityRole, Cushion};
use crate::isdn::{IsdnSpanConfig, IsdnStack};
use crate::model::{
    CallDirection, CallError, CallEvent, CallId, CallInfo, CallPhase, CallRequest, EventKind, ToneReport,
};
use crate::no1::{No1SpanConfig, No1Stack};
use crate::ss7::{PointRunner, Ss7PointInfo, Ss7PointSetup, Ss7SpanConfig, Ss7Stack};
use crate::stack::{
    CasSignaling, ChannelChange, ChannelStatus, SignalingChannel, SignalingStack, StackCall, StackEvent,
};
use crate::trace::{CasTraceRecord, TraceDirection, TraceRecord};

/// Ring size of a call's B-channel audio on a span that signals elsewhere, each way: 128 ms.
const AUDIO_DEPTH: usize = 1024;
/// Driver events taken per board per pump at most, so that one busy board cannot starve the
/// rest.
const EVENTS_PER_PUMP: usize = 4096;
/// Entries the log keeps.
const LOG_LEN: usize = 1024;
/// Trace records a subscriber may leave unread before records are dropped for it.
pub const TRACE_QUEUE: usize = 4096;
/// How long a CAS span's TS16 multiframe must be aligned both ways before its stack may use
/// the line.
pub const LINE_UP_HOLD: Duration = Duration::from_millis(100);
/// ABCD changes a CAS span holds back behind queued audio at most; more leave at once.
const HELD_ABCD: usize = 64;
/// Longest signaling frame handled (the driver's HDLC limit).
const FRAME_BUFFER: usize = tdm_driver::hdlc::MAX_FRAME;

/// A board the engine reads events from.
#[derive(Clone)]
pub struct BoardSetup {
    /// Its name, as spans are named (`board:span`).
    pub name: String,
    /// Its driver.
    pub handle: DriverHandle,
}

/// Which signaling stack a span runs.
#[derive(Debug, Clone, PartialEq)]
pub enum StackSetup {
    /// ISDN PRI on TS16.
    Isdn(IsdnSpanConfig),
    /// China No.1 (or another R2 variant): line signals on TS16's ABCD bits, register signals
    /// on the channels.
    No1(Box<No1SpanConfig>),
    /// ISUP or TUP on the span's circuits, over one of the engine's signalling points.
    Ss7(Ss7SpanConfig),
}

/// What a span does with an incoming call nobody else takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingPolicy {
    /// Refuse it with this cause.
    Reject(Cause),
    /// Alert, answer after `ring_ms` (board time) and send the test tone until cleared.
    Answer {
        /// Ringing time before the answer.
        ring_ms: u64,
    },
}

/// One span that runs a signaling stack.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanSetup {
    /// Index of its board among the engine's boards.
    pub board: usize,
    /// Span number on the board.
    pub span: u32,
    /// The stack.
    pub stack: StackSetup,
    /// What incoming calls get.
    pub incoming: IncomingPolicy,
    /// Level of the test tone sent on answered calls.
    pub tone_dbm0: f32,
}

impl SpanSetup {
    /// ISDN on `board`'s `span`, answering incoming calls at once with the test tone.
    pub fn isdn(board: usize, span: u32, config: IsdnSpanConfig) -> Self {
        SpanSetup {
            board,
            span,
            stack: StackSetup::Isdn(config),
            incoming: IncomingPolicy::Answer { ring_ms: 0 },
            tone_dbm0: DEFAULT_TONE_DBM0,
        }
    }

    /// No.1 on `board`'s `span`, answering incoming calls at once with the test tone.
    pub fn no1(board: usize, span: u32, config: No1SpanConfig) -> Self {
        SpanSetup {
            board,
            span,
            stack: StackSetup::No1(Box::new(config)),
            incoming: IncomingPolicy::Answer { ring_ms: 0 },
            tone_dbm0: DEFAULT_TONE_DBM0,
        }
    }
}

/// A span as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanInfo {
    /// `board:span`.
    pub name: String,
    /// The stack (`ISDN PRI network side`, `China No.1`).
    pub description: &'static str,
    /// Where its signaling travels.
    pub signaling: SignalingChannel,
    /// Whether this end plays the network side.
    pub network: bool,
    /// Whether the signaling link is up (CAS spans: the TS16 multiframe is aligned both ways).
    pub link_up: bool,
    /// Calls in progress.
    pub calls: usize,
    /// Board time of the span.
    pub now_ms: u64,
    /// Every channel's line (CAS spans; empty otherwise).
    pub channels: Vec<ChannelStatus>,
    /// Every circuit's state (SS7 spans; empty otherwise).
    pub circuits: Vec<tdm_ss7::circuit::CircuitStatus>,
}

/// A circuit maintenance action (`tdm cic`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CircuitAction {
    /// Maintenance blocking (ISUP BLO or CGB, TUP BLO or MGB).
    Block,
    /// Its removal (UBL or CGU, TUP UBL or MGU).
    Unblock,
    /// Reset (RSC or GRS, TUP RSC or GRS).
    Reset,
}

/// Why the engine could not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError(pub String);

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EngineError {}

struct Board {
    name: String,
    handle: DriverHandle,
    /// Per span of the board, the engine span running on it.
    spans: Vec<Option<usize>>,
}

struct SpanRunner {
    board: usize,
    span: u32,
    name: String,
    handle: DriverHandle,
    stack: Box<dyn SignalingStack>,
    signaling: SignalingChannel,
    /// The D-channel's timeslot, for stacks that signal in frames.
    signaling_timeslot: Option<u8>,
    hdlc: Option<HdlcChannel>,
    /// Open channels by timeslot: a call's on a span that signals in frames; every channel,
    /// for the span's life, on a CAS span.
    bearers: Vec<Option<Bearer>>,
    /// Timeslots the driver loops back for a continuity check (bit `n`: timeslot `n`), those
    /// that had no channel open when the loop was asked for.
    looped: u32,
    cushion: Cushion,
    /// The CAS line as last told to the stack.
    line_up: Option<bool>,
    /// Since when the CAS line has looked up without being told so.
    line_up_since: Option<Instant>,
    incoming: IncomingPolicy,
    tone_dbm0: f32,
    now: Instant,
    traces: Vec<Sender<TraceRecord>>,
    cas_traces: Vec<Sender<CasTraceRecord>>,
    buffer: [u8; FRAME_BUFFER],
    /// A frame the driver's queue had no room for, sent before anything new.
    pending: Option<usize>,
    /// ABCD changes waiting for their channel's queued audio (at most [`HELD_ABCD`]).
    held_abcd: Vec<HeldAbcd>,
}

/// An ABCD change held back until `due`.
#[derive(Debug, Clone, Copy)]
struct HeldAbcd {
    timeslot: u8,
    abcd: u8,
    due: Instant,
}

struct CallRecord {
    id: CallId,
    span: usize,
    stack_call: StackCall,
    direction: CallDirection,
    called: String,
    calling: Option<String>,
    phase: CallPhase,
    started: Instant,
    connected: Option<Instant>,
    /// Answer at this time (an incoming call ringing under the answer policy).
    answer_at: Option<Instant>,
    /// Hang up at this time (an outgoing call with a limit).
    hangup_at: Option<Instant>,
    hangup_after: Option<Duration>,
    /// The span's policy answered it: send the test tone once connected.
    plays_tone: bool,
    /// The timeslot whose audio the call has.
    audio: Option<u8>,
    tone: Option<ToneReport>,
}

/// Signaling stacks on spans, with their calls.
pub struct Engine {
    boards: Vec<Board>,
    spans: Vec<SpanRunner>,
    points: Vec<PointRunner>,
    calls: Vec<CallRecord>,
    next_call: u32,
    log: VecDeque<CallEvent>,
    seq: u64,
    forward: Option<Sender<(usize, Event)>>,
    forward_dropped: u64,
}

impl Engine {
    /// Opens the signaling of every span (TS16 through the driver's soft HDLC for ISDN; every
    /// bearer channel's audio for No.1) and starts its stack.
    pub fn new(boards: Vec<BoardSetup>, spans: Vec<SpanSetup>) -> Result<Engine, EngineError> {
        Engine::with_points(boards, Vec::new(), spans)
    }

    /// As [`Engine::new`], with signalling points first: each opens its links (HDLC on their
    /// spans' timeslots) and starts aligning them; spans with [`StackSetup::Ss7`] run their
    /// user part over one of them.
    pub fn with_points(
        boards: Vec<BoardSetup>,
        points: Vec<Ss7PointSetup>,
        spans: Vec<SpanSetup>,
    ) -> Result<Engine, EngineError> {
        let mut engine = Engine {
            boards: boards
                .into_iter()
                .map(|b| {
                    let count = b.handle.span_count() as usize;
                    Board { name: b.name, handle: b.handle, spans: vec![None; count] }
                })
                .collect(),
            spans: Vec::new(),
            points: Vec::new(),
            calls: Vec::new(),
            next_call: 1,
            log: VecDeque::with_capacity(LOG_LEN),
            seq: 0,
            forward: None,
            forward_dropped: 0,
        };
        let handles: Vec<DriverHandle> = engine.boards.iter().map(|b| b.handle.clone()).collect();
        for setup in points {
            match PointRunner::new(setup, &handles) {
                Ok(point) => engine.points.push(point),
                Err(error) => {
                    engine.shutdown();
                    return Err(EngineError(error.0));
                }
            }
        }
        for setup in spans {
            if let Err(error) = engine.add_span(setup) {
                engine.shutdown();
                return Err(error);
            }
        }
        Ok(engine)
    }

    fn add_span(&mut self, setup: SpanSetup) -> Result<(), EngineError> {
        let board = self
            .boards
            .get(setup.board)
            .ok_or_else(|| EngineError(format!("no board {} for a signaling span", setup.board)))?;
        let name = format!("{}:{}", board.name, setup.span);
        let config = board.handle.span_config(setup.span).ok_or_else(|| {
            EngineError(format!(
                "span {name}: board {} has {} span(s)",
                board.name,
                board.handle.span_count()
            ))
        })?;
        match (&setup.stack, config.signaling) {
            (StackSetup::Isdn(_), Signaling::Cas) => {
                return Err(EngineError(format!(
                    "span {name}: ISDN needs TS16 as a D-channel, but the span carries CAS (set signaling = \"ccs\")"
                )));
            }
            (StackSetup::No1(_), Signaling::Ccs) => {
                return Err(EngineError(format!(
                    "span {name}: No.1 signals in the ABCD bits of TS16, but the span is CCS (set signaling = \"cas\")"
                )));
            }
            (StackSetup::Ss7(_), Signaling::Cas) => {
                return Err(EngineError(format!(
                    "span {name}: SS7 circuits need a span without CAS (set signaling = \"ccs\")"
                )));
            }
            _ => {}
        }
        if board.spans.get(setup.span as usize).is_some_and(Option::is_some) {
            return Err(EngineError(format!("span {name} is configured twice")));
        }
        let mut stack: Box<dyn SignalingStack> = match &setup.stack {
            StackSetup::Isdn(config) => {
                Box::new(IsdnStack::new(config).map_err(|e| EngineError(format!("span {name}: {e}")))?)
            }
            StackSetup::No1(config) => {
                Box::new(No1Stack::new(config).map_err(|e| EngineError(format!("span {name}: {e}")))?)
            }
            StackSetup::Ss7(config) => {
                let point = self.points.get(config.point).ok_or_else(|| {
                    EngineError(format!("span {name}: no signalling point {}", config.point))
                })?;
                let signalling = point.link_timeslot_on(setup.board, setup.span);
                Box::new(
                    Ss7Stack::new(config, setup.span, signalling, &point.identity)
                        .map_err(|e| EngineError(format!("span {name}: {e}")))?,
                )
            }
        };
        let handle = board.handle.clone();
        let signaling = stack.signaling_channel();
        let mut bearers: Vec<Option<Bearer>> = (0..32).map(|_| None).collect();
        let (hdlc, signaling_timeslot) = match signaling {
            SignalingChannel::Hdlc { timeslot } => {
                let hdlc = handle
                    .open_hdlc(setup.span, timeslot, HdlcConfig::default())
                    .map_err(|e| EngineError(format!("span {name}: {e}")))?;
                (Some(hdlc), Some(timeslot))
            }
            SignalingChannel::Mtp { .. } => (None, None),
            SignalingChannel::Cas => {
                let timeslots: Vec<u8> = stack.cas().map(|cas| cas.timeslots().to_vec()).unwrap_or_default();
                for timeslot in timeslots {
                    let opened = match bearers.get_mut(usize::from(timeslot)) {
                        Some(slot) => handle
                            .open_audio(setup.span, timeslot, CAS_AUDIO_DEPTH)
                            .map(|channel| *slot = Some(Bearer::new(timeslot, channel)))
                            .map_err(|e| e.to_string()),
                        None => Err(format!("timeslot {timeslot} is not on an E1")),
                    };
                    match opened {
                        Ok(()) => {}
                        Err(error) => {
                            for bearer in bearers.iter().flatten() {
                                let _ = handle.release(setup.span, bearer.timeslot());
                            }
                            return Err(EngineError(format!("span {name}: {error}")));
                        }
                    }
                }
                (None, None)
            }
        };
        let now = handle.report(setup.span).map_or(Instant::ZERO, |r| Instant::from_millis(r.at_ms));
        let index = self.spans.len();
        stack.start(now);
        self.spans.push(SpanRunner {
            board: setup.board,
            span: setup.span,
            name,
            handle,
            stack,
            signaling,
            signaling_timeslot,
            hdlc,
            bearers,
            looped: 0,
            cushion: Cushion::new(),
            line_up: None,
            line_up_since: None,
            incoming: setup.incoming,
            tone_dbm0: setup.tone_dbm0,
            now,
            traces: Vec::new(),
            cas_traces: Vec::new(),
            buffer: [0; FRAME_BUFFER],
            pending: None,
            held_abcd: Vec::with_capacity(HELD_ABCD),
        });
        if let Some(slot) = self.boards[setup.board].spans.get_mut(setup.span as usize) {
            *slot = Some(index);
        }
        if signaling == SignalingChannel::Cas {
            // The stack's idle line signals go out before the first frame does.
            self.service_span(index);
        }
        Ok(())
    }

    /// Driver events the engine does not consume itself (line changes, CAS bits of spans
    /// without a CAS stack, frames of timeslots no stack uses, HDLC errors) go to `sink`,
    /// tagged with the board's index; when it is full they are dropped and counted.
    pub fn forward_events(&mut self, sink: Sender<(usize, Event)>) {
        self.forward = Some(sink);
    }

    /// Events dropped because the forwarding sink was full.
    pub fn forward_dropped(&self) -> u64 {
        self.forward_dropped
    }

    // ---- the loop ----

    /// Takes every pending driver event, then serves each span: timers due at its board time,
    /// frames and line signals to send, stack events; then the calls: answers and hang-ups
    /// due, audio. Returns how many driver events it took.
    pub fn pump(&mut self) -> usize {
        let mut taken = 0;
        for board in 0..self.boards.len() {
            for _ in 0..EVENTS_PER_PUMP {
                let Ok(event) = self.boards[board].handle.events().try_recv() else { break };
                self.driver_event(board, event);
                taken += 1;
            }
        }
        for point in 0..self.points.len() {
            self.points[point].advance_clock();
            self.points[point].run_timers();
            self.dispatch_indications(point);
        }
        for span in 0..self.spans.len() {
            self.advance_clock(span);
            self.service_span(span);
        }
        self.service_calls();
        for point in &mut self.points {
            while let Some(event) = point.point.poll_event() {
                log::info!("signalling point {}: {event:?}", point.name);
            }
            point.transmit();
        }
        taken
    }

    /// Hands a point's indications to the user parts of its spans: a message to the span
    /// whose circuits it concerns (or, for a CIC no span has, to a span of that user part and
    /// peer, which answers it as unequipped), pause, resume and status to every span; then
    /// serves those spans.
    fn dispatch_indications(&mut self, point: usize) {
        let now = self.points[point].now;
        let mut any = false;
        while let Some(indication) = self.points[point].point.poll_indication() {
            any = true;
            let on_point = |runner: &SpanRunner| runner.signaling == SignalingChannel::Mtp { point };
            match &indication {
                Indication::Transfer(transfer) => {
                    let target = self
                        .spans
                        .iter()
                        .position(|r| on_point(r) && r.stack.ss7_ref().is_some_and(|s| s.accepts(transfer)))
                        .or_else(|| {
                            self.spans.iter().position(|r| {
                                on_point(r) && r.stack.ss7_ref().is_some_and(|s| s.serves(transfer))
                            })
                        });
                    if let Some(span) = target {
                        let runner = &mut self.spans[span];
                        runner.now = runner.now.max(now);
                        if let Some(user) = runner.stack.ss7() {
                            user.handle_indication(runner.now, &indication);
                        }
                    }
                }
                _ => {
                    for runner in self.spans.iter_mut().filter(|r| on_point(r)) {
                        runner.now = runner.now.max(now);
                        if let Some(user) = runner.stack.ss7() {
                            user.handle_indication(runner.now, &indication);
                        }
                    }
                }
            }
        }
        if any {
            for span in 0..self.spans.len() {
                if self.spans[span].signaling == (SignalingChannel::Mtp { point }) {
                    self.service_span(span);
                }
            }
        }
    }

    /// Hands a span's user-part messages to its signalling point.
    fn flush_transfers(&mut self, span: usize) {
        let runner = &mut self.spans[span];
        let SignalingChannel::Mtp { point } = runner.signaling else { return };
        let Some(point) = self.points.get_mut(point) else { return };
        let Some(user) = runner.stack.ss7() else { return };
        while let Some(transfer) = user.poll_transfer() {
            if let Err(error) = point.point.transfer(runner.now, &transfer) {
                log::warn!("span {}: MTP refused a message: {error}", runner.name);
            }
        }
    }

    /// Moves the span's clock to its board's, and tells a CAS stack when the TS16 multiframe
    /// came or went (aligned here and, by the far end's Y bit, there). It comes once it held
    /// for [`LINE_UP_HOLD`]: while both ends align, each one's Y bit reports the other's
    /// search for a few multiframes after its own alignment.
    fn advance_clock(&mut self, span: usize) {
        let runner = &mut self.spans[span];
        let Some(report) = runner.handle.report(runner.span) else { return };
        runner.now = runner.now.max(Instant::from_millis(report.at_ms));
        let now = runner.now;
        let Some(cas) = runner.stack.cas() else { return };
        let up = report.cas_aligned && !report.cas_remote_alarm;
        if !up {
            runner.line_up_since = None;
            if runner.line_up != Some(false) {
                runner.line_up = Some(false);
                cas.handle_line(now, false);
            }
        } else if runner.line_up != Some(true) {
            let since = *runner.line_up_since.get_or_insert(now);
            if now.saturating_duration_since(since) >= LINE_UP_HOLD {
                runner.line_up = Some(true);
                cas.handle_line(now, true);
            }
        }
    }

    fn driver_event(&mut self, board: usize, event: Event) {
        match &event {
            Event::Hdlc { span, timeslot, frame, at_ms } => {
                for point in &mut self.points {
                    if let Some(link) = point.link_at(board, *span, *timeslot) {
                        point.receive(link, *at_ms, frame);
                        return;
                    }
                }
            }
            Event::HdlcError { span, timeslot, at_ms, .. } => {
                for point in &mut self.points {
                    if let Some(link) = point.link_at(board, *span, *timeslot) {
                        point.receive_error(link, *at_ms);
                        return;
                    }
                }
            }
            _ => {}
        }
        let index = match &event {
            Event::Hdlc { span, .. } | Event::Abcd { span, .. } => {
                self.boards[board].spans.get(*span as usize).copied().flatten()
            }
            _ => None,
        };
        if let Some(index) = index {
            let runner = &mut self.spans[index];
            match &event {
                Event::Hdlc { timeslot, frame, at_ms, .. }
                    if runner.signaling_timeslot == Some(*timeslot) =>
                {
                    runner.now = runner.now.max(Instant::from_millis(*at_ms));
                    let now = runner.now;
                    let record = TraceRecord {
                        at: now,
                        direction: TraceDirection::Received,
                        network: runner.stack.is_network_side(),
                        frame: *frame,
                    };
                    trace_to(&mut runner.traces, &record);
                    runner.stack.handle_frame(now, frame.bytes());
                    self.service_span(index);
                    return;
                }
                Event::Abcd { timeslot, abcd, at_ms, .. } => {
                    runner.now = runner.now.max(Instant::from_millis(*at_ms));
                    let now = runner.now;
                    if let Some(cas) = runner.stack.cas() {
                        cas.handle_abcd(now, *timeslot, *abcd);
                        self.service_span(index);
                        return;
                    }
                }
                _ => {}
            }
        }
        if let Some(sink) = &self.forward
            && let Err(TrySendError::Full(_)) = sink.try_send((board, event))
        {
            self.forward_dropped += 1;
        }
    }

    /// Timers, transmission and events of one span, until it is quiet (commands the events
    /// lead to produce more frames).
    fn service_span(&mut self, span: usize) {
        let runner = &mut self.spans[span];
        let now = runner.now;
        if runner.stack.poll_timeout().is_some_and(|deadline| deadline <= now) {
            runner.stack.handle_timeout(now);
        }
        for _ in 0..8 {
            self.spans[span].transmit();
            let mut handled = false;
            while let Some(event) = self.spans[span].stack.poll_event() {
                handled = true;
                self.stack_event(span, event);
            }
            self.flush_transfers(span);
            if !handled {
                break;
            }
        }
        self.spans[span].hand_out_cas_trace();
    }

    fn stack_event(&mut self, span: usize, event: StackEvent) {
        let now = self.spans[span].now;
        match event {
            StackEvent::LinkUp => self.log_span(span, None, EventKind::LinkUp),
            StackEvent::LinkDown => self.log_span(span, None, EventKind::LinkDown),
            StackEvent::RestartCompleted => self.log_span(span, None, EventKind::RestartCompleted),
            StackEvent::RestartReceived => self.log_span(span, None, EventKind::RestartReceived),
            StackEvent::RestartFailed => self.log_span(span, None, EventKind::RestartFailed),
            StackEvent::Channel { timeslot, change } => {
                let kind = match change {
                    ChannelChange::Blocked => EventKind::ChannelBlocked,
                    ChannelChange::Unblocked => EventKind::ChannelUnblocked,
                    ChannelChange::Fault(reason) => EventKind::ChannelFault { reason },
                };
                self.log_span(span, Some(timeslot), kind);
            }
            StackEvent::ContinuityPath { timeslot, action } => self.continuity_path(span, timeslot, action),
            // The channel comes from the stack itself (`sync_channel`), which also follows it
            // when it changes.
            StackEvent::Incoming { call, called, calling, .. } => self.incoming(span, call, called, calling),
            StackEvent::Proceeding { call } => {
                self.progress(span, call, CallPhase::Proceeding, EventKind::Proceeding)
            }
            StackEvent::Alerting { call } => {
                self.progress(span, call, CallPhase::Alerting, EventKind::Alerting)
            }
            StackEvent::Connected { call } => {
                let Some(index) = self.find(span, call) else { return };
                self.sync_channel(index);
                let runner = &mut self.spans[span];
                let record = &mut self.calls[index];
                record.phase = CallPhase::Connected;
                record.connected = Some(now);
                record.hangup_at = record.hangup_after.map(|after| now + after);
                if let Some(bearer) = record
                    .audio
                    .and_then(|ts| runner.bearers.get_mut(usize::from(ts)))
                    .and_then(Option::as_mut)
                {
                    bearer.listening = true;
                    if record.plays_tone {
                        bearer.sender = Some(ToneSender::test_tone(runner.tone_dbm0));
                    }
                }
                self.log_call(index, EventKind::Connected);
            }
            StackEvent::Problem { call, cause } => {
                if let Some(index) = self.find(span, call) {
                    self.log_call(index, EventKind::Problem { cause });
                }
            }
            StackEvent::Signal { call, text } => {
                if let Some(index) = self.find(span, call) {
                    self.log_call(index, EventKind::Signal { text });
                }
            }
            StackEvent::Released { call, cause, remote } => {
                let Some(index) = self.find(span, call) else { return };
                self.log_call(index, EventKind::Released { cause, remote });
                let record = self.calls.remove(index);
                if let Some(timeslot) = record.audio {
                    self.detach_audio(record.span, timeslot);
                }
            }
        }
    }

    fn incoming(&mut self, span: usize, call: StackCall, called: String, calling: Option<String>) {
        let now = self.spans[span].now;
        let id = self.new_call_id();
        self.calls.push(CallRecord {
            id,
            span,
            stack_call: call,
            direction: CallDirection::Incoming,
            called: called.clone(),
            calling: calling.clone(),
            phase: CallPhase::Setup,
            started: now,
            connected: None,
            answer_at: None,
            hangup_at: None,
            hangup_after: None,
            plays_tone: false,
            audio: None,
            tone: None,
        });
        let index = self.calls.len() - 1;
        self.sync_channel(index);
        self.log_call(index, EventKind::Offered { called, calling });
        let runner = &mut self.spans[span];
        match runner.incoming {
            IncomingPolicy::Reject(cause) => {
                self.calls[index].phase = CallPhase::Releasing;
                if let Err(error) = runner.stack.hangup(now, call, cause) {
                    log::warn!("span {}: refusing call {id}: {error}", runner.name);
                }
            }
            IncomingPolicy::Answer { ring_ms } => {
                self.calls[index].plays_tone = true;
                match runner.stack.alert(now, call) {
                    Ok(()) => {
                        self.calls[index].phase = CallPhase::Alerting;
                        self.log_call(index, EventKind::Alerting);
                    }
                    Err(error) => log::warn!("span {}: alerting call {id}: {error}", self.spans[span].name),
                }
                if ring_ms == 0 {
                    self.answer_now(index);
                } else {
                    self.calls[index].answer_at = Some(now + Duration::from_millis(ring_ms));
                }
            }
        }
    }

    fn answer_now(&mut self, index: usize) {
        let record = &mut self.calls[index];
        record.answer_at = None;
        let runner = &mut self.spans[record.span];
        if let Err(error) = runner.stack.answer(runner.now, record.stack_call) {
            log::warn!("span {}: answering call {}: {error}", runner.name, record.id);
        }
    }

    fn progress(&mut self, span: usize, call: StackCall, phase: CallPhase, kind: EventKind) {
        let Some(index) = self.find(span, call) else { return };
        self.sync_channel(index);
        let record = &mut self.calls[index];
        if record.phase < phase {
            record.phase = phase;
        }
        self.log_call(index, kind);
    }

    fn find(&self, span: usize, call: StackCall) -> Option<usize> {
        self.calls.iter().position(|c| c.span == span && c.stack_call == call)
    }

    fn new_call_id(&mut self) -> CallId {
        let id = CallId(self.next_call);
        self.next_call = self.next_call.wrapping_add(1).max(1);
        id
    }

    /// Keeps a call's audio on the timeslot the stack has for it (the far end may move an
    /// outgoing ISDN call to another channel in its first answer).
    fn sync_channel(&mut self, index: usize) {
        let record = &self.calls[index];
        let span = record.span;
        let wanted = self.spans[span].stack.timeslot(record.stack_call);
        if wanted == record.audio {
            return;
        }
        if let Some(old) = self.calls[index].audio.take() {
            self.detach_audio(span, old);
        }
        let Some(timeslot) = wanted else { return };
        if self.attach_audio(span, timeslot) {
            self.calls[index].audio = Some(timeslot);
        } else {
            log::warn!(
                "span {}: no audio for call {} on ts {timeslot}",
                self.spans[span].name,
                self.calls[index].id
            );
        }
    }

    /// Gives a call the audio of `timeslot`: the span's own channel on a CAS span, the
    /// channel a continuity check opened, or a channel opened now. Returns whether it has it.
    fn attach_audio(&mut self, span: usize, timeslot: u8) -> bool {
        let runner = &mut self.spans[span];
        let Some(slot) = runner.bearers.get_mut(usize::from(timeslot)) else { return false };
        if runner.signaling == SignalingChannel::Cas || slot.is_some() {
            return match slot.as_mut() {
                Some(bearer) => {
                    bearer.reset();
                    true
                }
                None => false,
            };
        }
        // A driver loop still on the circuit becomes the engine's loop on the call's channel.
        let looped = timeslot_bit(timeslot) & runner.looped != 0;
        if looped {
            runner.looped &= !timeslot_bit(timeslot);
            if let Err(error) = runner.handle.release(runner.span, timeslot) {
                log::warn!("span {}: removing the loop on ts {timeslot}: {error}", runner.name);
            }
        }
        match runner.handle.open_audio(runner.span, timeslot, AUDIO_DEPTH) {
            Ok(channel) => {
                let mut bearer = Bearer::new(timeslot, channel);
                if looped {
                    bearer.set_continuity(ContinuityRole::Loop);
                }
                *slot = Some(bearer);
                true
            }
            Err(error) => {
                log::warn!("span {}: opening ts {timeslot}: {error}", runner.name);
                false
            }
        }
    }

    /// Takes a call's audio back: a CAS channel stays the span's, as does one a continuity
    /// check still uses (until the check ends); any other is released.
    fn detach_audio(&mut self, span: usize, timeslot: u8) {
        let runner = &mut self.spans[span];
        let Some(slot) = runner.bearers.get_mut(usize::from(timeslot)) else { return };
        if runner.signaling == SignalingChannel::Cas || slot.as_ref().is_some_and(Bearer::in_continuity_check)
        {
            if let Some(bearer) = slot.as_mut() {
                bearer.reset();
            }
            return;
        }
        if slot.take().is_some()
            && let Err(error) = runner.handle.release(runner.span, timeslot)
        {
            log::warn!("span {}: releasing ts {timeslot}: {error}", runner.name);
        }
    }

    /// A continuity check's speech path on an SS7 circuit. The loop is the engine's on the
    /// circuit's open channel, else the driver's; the transceiver runs on the circuit's
    /// channel, opened for the check if no call has it. A transceiver that cannot run fails
    /// the check at once.
    fn continuity_path(&mut self, span: usize, timeslot: u8, action: BearerAction) {
        let held_by_call = self.calls.iter().any(|c| c.span == span && c.audio == Some(timeslot));
        let runner = &mut self.spans[span];
        let now = runner.now;
        let Some(slot) = runner.bearers.get_mut(usize::from(timeslot)) else { return };
        match action {
            BearerAction::ConnectLoop => match slot.as_mut() {
                Some(bearer) => bearer.set_continuity(ContinuityRole::Loop),
                None => match runner.handle.loop_timeslot(runner.span, timeslot) {
                    Ok(()) => runner.looped |= timeslot_bit(timeslot),
                    Err(error) => log::warn!("span {}: looping ts {timeslot}: {error}", runner.name),
                },
            },
            BearerAction::ConnectTransceiver => {
                if slot.is_none() {
                    match runner.handle.open_audio(runner.span, timeslot, AUDIO_DEPTH) {
                        Ok(channel) => *slot = Some(Bearer::new(timeslot, channel)),
                        Err(error) => {
                            log::warn!("span {}: continuity check on ts {timeslot}: {error}", runner.name);
                            if let Some(user) = runner.stack.ss7() {
                                user.continuity_result(now, timeslot, false);
                            }
                            return;
                        }
                    }
                }
                if let Some(bearer) = slot.as_mut() {
                    bearer
                        .set_continuity(ContinuityRole::Transceiver(Box::new(ContinuityTransceiver::new())));
                }
            }
            BearerAction::Disconnect => {
                if runner.looped & timeslot_bit(timeslot) != 0 {
                    runner.looped &= !timeslot_bit(timeslot);
                    if let Err(error) = runner.handle.release(runner.span, timeslot) {
                        log::warn!("span {}: removing the loop on ts {timeslot}: {error}", runner.name);
                    }
                }
                if let Some(bearer) = slot.as_mut() {
                    bearer.set_continuity(ContinuityRole::Off);
                    if !held_by_call
                        && slot.take().is_some()
                        && let Err(error) = runner.handle.release(runner.span, timeslot)
                    {
                        log::warn!("span {}: releasing ts {timeslot}: {error}", runner.name);
                    }
                }
            }
        }
    }

    /// Answers and hang-ups that fell due, and the audio of every open channel.
    fn service_calls(&mut self) {
        for index in 0..self.calls.len() {
            let span = self.calls[index].span;
            let now = self.spans[span].now;
            if self.calls[index].answer_at.is_some_and(|at| at <= now) {
                self.answer_now(index);
            }
            if let Some(at) = self.calls[index].hangup_at
                && at <= now
            {
                self.calls[index].hangup_at = None;
                let record = &self.calls[index];
                let runner = &mut self.spans[span];
                if let Err(error) = runner.stack.hangup(now, record.stack_call, Cause::NormalClearing) {
                    log::warn!("span {}: hanging up call {}: {error}", runner.name, record.id);
                }
            }
        }
        for span in 0..self.spans.len() {
            self.service_audio(span);
        }
        // Answers, hang-ups and register signals produce frames, bits and events now, not at
        // the next pump.
        for span in 0..self.spans.len() {
            self.service_span(span);
        }
    }

    /// Every open channel of a span: what arrived goes to the stack's register receiver or the
    /// test tone detector; the register signal or the test tone goes out.
    fn service_audio(&mut self, span: usize) {
        let runner = &mut self.spans[span];
        let now = runner.now;
        runner.cushion.observe(now);
        let target = runner.cushion.target_octets();
        let mut heard = [None; 32];
        let mut checked = 0u32;
        let SpanRunner { stack, bearers, .. } = runner;
        let mut cas = stack.cas();
        for bearer in bearers.iter_mut().flatten() {
            let level = bearer.receive(now, reborrow(&mut cas));
            if let Some(slot) = heard.get_mut(usize::from(bearer.timeslot())) {
                *slot = level;
            }
            if bearer.take_check_tone_heard() {
                checked |= timeslot_bit(bearer.timeslot());
            }
            match reborrow(&mut cas) {
                Some(stack) => {
                    bearer.send_ahead(stack, target);
                }
                None => bearer.send(target),
            }
        }
        if checked != 0
            && let Some(user) = stack.ss7()
        {
            for timeslot in (0..32u8).filter(|&ts| checked & timeslot_bit(ts) != 0) {
                user.continuity_result(now, timeslot, true);
            }
        }
        for (timeslot, level) in heard.iter().enumerate() {
            let Some(level) = *level else { continue };
            let Some(index) =
                self.calls.iter().position(|c| c.span == span && c.audio == Some(timeslot as u8))
            else {
                continue;
            };
            let report = ToneReport { freq_hz: TEST_TONE_HZ, level_dbm0: level, at_ms: now.as_millis() };
            self.calls[index].tone = Some(report);
            self.log_call(index, EventKind::ToneHeard(report));
        }
    }

    // ---- commands ----

    fn span_index(&self, name: &str) -> Result<usize, CallError> {
        self.spans.iter().position(|s| s.name == name).ok_or_else(|| CallError::NoSuchSpan(name.to_string()))
    }

    /// Places a call on a span.
    pub fn place_call(&mut self, request: &CallRequest) -> Result<CallId, CallError> {
        let span = self.span_index(&request.span)?;
        self.advance_clock(span);
        let runner = &mut self.spans[span];
        let now = runner.now;
        let call = runner.stack.place_call(now, &request.called, request.calling.as_deref())?;
        let id = self.new_call_id();
        self.calls.push(CallRecord {
            id,
            span,
            stack_call: call,
            direction: CallDirection::Outgoing,
            called: request.called.clone(),
            calling: request.calling.clone(),
            phase: CallPhase::Setup,
            started: now,
            connected: None,
            answer_at: None,
            hangup_at: None,
            hangup_after: request.hangup_after_ms.map(Duration::from_millis),
            plays_tone: false,
            audio: None,
            tone: None,
        });
        let index = self.calls.len() - 1;
        self.sync_channel(index);
        self.log_call(
            index,
            EventKind::Placed { called: request.called.clone(), calling: request.calling.clone() },
        );
        self.service_span(span);
        Ok(id)
    }

    /// Clears a call with `cause`.
    pub fn hangup(&mut self, call: CallId, cause: Cause) -> Result<(), CallError> {
        let index = self.calls.iter().position(|c| c.id == call).ok_or(CallError::NoSuchCall(call))?;
        let span = self.calls[index].span;
        self.advance_clock(span);
        let record = &mut self.calls[index];
        record.answer_at = None;
        record.hangup_at = None;
        let runner = &mut self.spans[span];
        runner.stack.hangup(runner.now, record.stack_call, cause)?;
        record.phase = CallPhase::Releasing;
        // What arrives after this side hung up is no part of the test.
        if let Some(bearer) =
            record.audio.and_then(|ts| runner.bearers.get_mut(usize::from(ts))).and_then(Option::as_mut)
        {
            bearer.listening = false;
        }
        self.service_span(span);
        Ok(())
    }

    /// Whether the outgoing calls of an SS7 span ask for a continuity check of their circuit
    /// (off at start): the engine sends the 2000 Hz check tone and the call goes on once it
    /// returns. A span of another system has no such check.
    pub fn set_continuity_check(&mut self, span: &str, required: bool) -> Result<(), CallError> {
        let span = self.span_index(span)?;
        let runner = &mut self.spans[span];
        let user = runner.stack.ss7().ok_or_else(|| {
            CallError::Unsupported(format!("span {} has no SS7 circuits to check", runner.name))
        })?;
        user.set_continuity_check(required);
        Ok(())
    }

    /// Restarts every channel of a span (RESTART of the whole interface on ISDN, a reset of
    /// every circuit on No.1).
    pub fn restart(&mut self, span: &str) -> Result<(), CallError> {
        let span = self.span_index(span)?;
        self.advance_clock(span);
        let runner = &mut self.spans[span];
        runner.stack.restart(runner.now)?;
        self.service_span(span);
        Ok(())
    }

    /// The calls in progress, in the order they started.
    pub fn calls(&self) -> Vec<CallInfo> {
        self.calls
            .iter()
            .map(|c| {
                let runner = &self.spans[c.span];
                CallInfo {
                    id: c.id,
                    span: runner.name.clone(),
                    timeslot: c.audio.or_else(|| runner.stack.timeslot(c.stack_call)),
                    direction: c.direction,
                    called: c.called.clone(),
                    calling: c.calling.clone(),
                    phase: c.phase,
                    state: runner.stack.state_text(c.stack_call),
                    started_ms: c.started.as_millis(),
                    connected_ms: c.connected.map(Instant::as_millis),
                    tone: c.tone,
                }
            })
            .collect()
    }

    /// The channels the engine holds for calls: `(span name, timeslot)`.
    pub fn open_channels(&self) -> Vec<(String, u8)> {
        self.calls.iter().filter_map(|c| c.audio.map(|ts| (self.spans[c.span].name.clone(), ts))).collect()
    }

    /// The board time, in ms, up to which every span of board `board` (by its index among
    /// the engine's boards) has been served: the earliest of their clocks; `u64::MAX` for a
    /// board without signaling spans.
    pub fn served_ms(&self, board: usize) -> u64 {
        let spans = self.boards.get(board).map(|b| b.spans.as_slice()).unwrap_or_default();
        let served = spans.iter().flatten().map(|&span| self.spans[span].now.as_millis()).min();
        let points =
            self.points.iter().filter(|p| p.boards().any(|b| b == board)).map(|p| p.now.as_millis()).min();
        served.into_iter().chain(points).min().unwrap_or(u64::MAX)
    }

    /// The number of boards.
    pub fn board_count(&self) -> usize {
        self.boards.len()
    }

    /// Log entries after `seq` (the log keeps the last 1024).
    pub fn events_since(&self, seq: u64) -> Vec<CallEvent> {
        self.log.iter().filter(|e| e.seq > seq).cloned().collect()
    }

    /// The spans running a stack.
    pub fn spans(&self) -> Vec<SpanInfo> {
        self.spans
            .iter()
            .enumerate()
            .map(|(i, s)| SpanInfo {
                name: s.name.clone(),
                description: s.stack.description(),
                signaling: s.signaling,
                network: s.stack.is_network_side(),
                link_up: s.stack.is_link_up(),
                calls: self.calls.iter().filter(|c| c.span == i).count(),
                now_ms: s.now.as_millis(),
                channels: s.stack.cas_ref().map(|cas| cas.channels()).unwrap_or_default(),
                circuits: s.stack.ss7_ref().map(|user| user.circuits()).unwrap_or_default(),
            })
            .collect()
    }

    /// The signalling points, with their links and link sets.
    pub fn points(&self) -> Vec<Ss7PointInfo> {
        let boards: Vec<String> = self.boards.iter().map(|b| b.name.clone()).collect();
        self.points.iter().map(|p| p.info(&boards)).collect()
    }

    /// Circuit maintenance on an SS7 span: blocks, unblocks or resets CICs `first ..= last`.
    pub fn circuit_maintenance(
        &mut self,
        span: &str,
        action: CircuitAction,
        first: u16,
        last: u16,
    ) -> Result<(), CallError> {
        let span = self.span_index(span)?;
        self.advance_clock(span);
        let runner = &mut self.spans[span];
        let now = runner.now;
        let description = runner.stack.description();
        let name = runner.name.clone();
        let user = runner.stack.ss7().ok_or_else(|| {
            CallError::Unsupported(format!("span {name} runs {description}: it has no SS7 circuits"))
        })?;
        let done = match action {
            CircuitAction::Block => user.block(now, first, last),
            CircuitAction::Unblock => user.unblock(now, first, last),
            CircuitAction::Reset => user.reset(now, first, last),
        };
        done.map_err(|e| CallError::Unsupported(format!("span {name}: {e}")))?;
        self.service_span(span);
        Ok(())
    }

    /// Subscribes to a span's signaling frames: every frame sent or received from now on,
    /// until the receiver is dropped (records a slow reader leaves in the queue past
    /// [`TRACE_QUEUE`] are dropped). Returns whether this end is the network side too. A CAS
    /// span has no frames: see [`Engine::subscribe_cas_trace`].
    pub fn subscribe_trace(&mut self, span: &str) -> Result<(bool, Receiver<TraceRecord>), CallError> {
        let span = self.span_index(span)?;
        let runner = &mut self.spans[span];
        if runner.signaling == SignalingChannel::Cas {
            return Err(CallError::Unsupported(format!(
                "span {} runs {}: its trace is line and register signals, not frames",
                runner.name,
                runner.stack.description()
            )));
        }
        if let SignalingChannel::Mtp { .. } = runner.signaling {
            let (board, number) = (runner.board, runner.span);
            let name = runner.name.clone();
            // The links of any point on the span (a span may carry circuits of one point and
            // a link of another, or circuits only).
            let records =
                self.points.iter_mut().find_map(|p| p.subscribe(board, number, TRACE_QUEUE)).ok_or_else(
                    || {
                        CallError::Unsupported(format!(
                            "span {name} carries no signalling link: trace a span that does"
                        ))
                    },
                )?;
            return Ok((false, records));
        }
        let (tx, rx) = bounded(TRACE_QUEUE);
        runner.traces.push(tx);
        Ok((runner.stack.is_network_side(), rx))
    }

    /// Subscribes to a CAS span's line-signal and register-signal trace, as
    /// [`Engine::subscribe_trace`] does to frames.
    pub fn subscribe_cas_trace(&mut self, span: &str) -> Result<Receiver<CasTraceRecord>, CallError> {
        let span = self.span_index(span)?;
        let runner = &mut self.spans[span];
        if runner.signaling != SignalingChannel::Cas {
            return Err(CallError::Unsupported(format!(
                "span {} runs {}: its trace is frames, not line signals",
                runner.name,
                runner.stack.description()
            )));
        }
        let (tx, rx) = bounded(TRACE_QUEUE);
        runner.cas_traces.push(tx);
        Ok(rx)
    }

    /// Stops every stack's use of the driver: channels and signaling channels are given back.
    /// The engine does nothing more afterwards.
    pub fn shutdown(&mut self) {
        self.calls.clear();
        for runner in &mut self.spans {
            for bearer in runner.bearers.iter_mut().filter_map(Option::take) {
                let _ = runner.handle.release(runner.span, bearer.timeslot());
            }
            for timeslot in (0..32u8).filter(|&ts| runner.looped & timeslot_bit(ts) != 0) {
                let _ = runner.handle.release(runner.span, timeslot);
            }
            runner.looped = 0;
            if runner.hdlc.take().is_some()
                && let Some(timeslot) = runner.signaling_timeslot
            {
                let _ = runner.handle.release(runner.span, timeslot);
            }
        }
        self.spans.clear();
        for point in &mut self.points {
            point.shutdown();
        }
        self.points.clear();
        for board in &mut self.boards {
            board.spans.iter_mut().for_each(|s| *s = None);
        }
    }

    // ---- the log ----

    fn push_log(&mut self, event: CallEvent) {
        if self.log.len() == LOG_LEN {
            self.log.pop_front();
        }
        log::info!(
            "{} {}: {:?} {:?}",
            event.span,
            event.call.map_or(String::new(), |c| c.to_string()),
            event.kind,
            event.timeslot
        );
        self.log.push_back(event);
    }

    fn log_span(&mut self, span: usize, timeslot: Option<u8>, kind: EventKind) {
        self.seq += 1;
        let runner = &self.spans[span];
        let event = CallEvent {
            seq: self.seq,
            at_ms: runner.now.as_millis(),
            span: runner.name.clone(),
            call: None,
            timeslot,
            kind,
        };
        self.push_log(event);
    }

    fn log_call(&mut self, index: usize, kind: EventKind) {
        self.seq += 1;
        let record = &self.calls[index];
        let runner = &self.spans[record.span];
        let event = CallEvent {
            seq: self.seq,
            at_ms: runner.now.as_millis(),
            span: runner.name.clone(),
            call: Some(record.id),
            timeslot: record.audio.or_else(|| runner.stack.timeslot(record.stack_call)),
            kind,
        };
        self.push_log(event);
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl SpanRunner {
    /// Hands the stack's signaling to the driver: every frame (traced), or every changed ABCD
    /// nibble. A frame the driver's queue refuses waits for the next round.
    fn transmit(&mut self) {
        let Some(hdlc) = self.hdlc.as_ref() else {
            self.transmit_abcd();
            return;
        };
        loop {
            let len = match self.pending.take() {
                Some(len) => len,
                None => match self.stack.poll_transmit(self.now, &mut self.buffer) {
                    Some(len) => len,
                    None => return,
                },
            };
            let frame = &self.buffer[..len.min(FRAME_BUFFER)];
            if hdlc.send(frame).is_err() {
                self.pending = Some(len);
                return;
            }
            if !self.traces.is_empty()
                && let Some(frame) = HdlcFrame::new(frame)
            {
                let record = TraceRecord {
                    at: self.now,
                    direction: TraceDirection::Sent,
                    network: self.stack.is_network_side(),
                    frame,
                };
                trace_to(&mut self.traces, &record);
            }
        }
    }

    /// Hands a CAS stack's changed ABCD nibbles to the driver, each once the audio its channel
    /// already has queued is on the line: line signals and register signals then reach the
    /// far end in the order the stack made them (an answer must not overtake the end of the
    /// "free" signal before it).
    fn transmit_abcd(&mut self) {
        let now = self.now;
        let mut i = 0;
        while i < self.held_abcd.len() {
            let held = self.held_abcd[i];
            if held.due <= now {
                self.held_abcd.remove(i);
                self.set_abcd(held.timeslot, held.abcd);
            } else {
                i += 1;
            }
        }
        loop {
            let Some((timeslot, abcd)) = self.stack.cas().and_then(|cas| cas.poll_abcd()) else { return };
            let drained = self
                .bearers
                .get(usize::from(timeslot))
                .and_then(Option::as_ref)
                .map_or(now, |bearer| now + bearer.queued());
            let after = self.held_abcd.iter().filter(|h| h.timeslot == timeslot).map(|h| h.due).max();
            let due = drained.max(after.unwrap_or(now));
            if due > now && self.held_abcd.len() < HELD_ABCD {
                self.held_abcd.push(HeldAbcd { timeslot, abcd, due });
            } else {
                self.set_abcd(timeslot, abcd);
            }
        }
    }

    fn set_abcd(&self, timeslot: u8, abcd: u8) {
        if let Err(error) = self.handle.set_abcd(self.span, timeslot, abcd) {
            log::warn!("span {}: ABCD {abcd:04b} on ts {timeslot}: {error}", self.name);
        }
    }

    /// Hands a CAS stack's line-signal and register trace to the subscribers (and drops it
    /// when there are none).
    fn hand_out_cas_trace(&mut self) {
        let Some(cas) = self.stack.cas() else { return };
        while let Some(record) = cas.poll_trace() {
            trace_to(&mut self.cas_traces, &record);
        }
    }
}

/// The CAS side again, for one more use (the object's lifetime shortened to the borrow's).
/// The bit of `timeslot` in a set of an E1's timeslots (none beyond 31).
fn timeslot_bit(timeslot: u8) -> u32 {
    1u32.checked_shl(u32::from(timeslot)).unwrap_or(0)
}

fn reborrow<'a>(cas: &'a mut Option<&mut dyn CasSignaling>) -> Option<&'a mut dyn CasSignaling> {
    match cas {
        Some(stack) => Some(&mut **stack),
        None => None,
    }
}

/// Hands a record to every subscriber. One that went away is forgotten; one that is behind
/// loses this record.
fn trace_to<T: Copy>(subscribers: &mut Vec<Sender<T>>, record: &T) {
    if !subscribers.is_empty() {
        subscribers.retain(|tx| !matches!(tx.try_send(*record), Err(TrySendError::Disconnected(_))));
    }
}
