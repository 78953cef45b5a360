//! The engine: signaling stacks bound to spans, their frames carried by the driver's soft
//! HDLC, their calls kept in the common model, B-channels opened for the calls, incoming calls
//! handled by each span's policy, traces handed to subscribers.
//!
//! [`Engine`] itself runs no thread: [`Engine::pump`] takes whatever the drivers reported,
//! feeds the stacks, runs their timers against each span's board clock and moves audio. A
//! scenario test calls it after every simulator block, which keeps a run exact;
//! [`Engine::spawn`] runs it on its own thread for a live system (see [`crate::runner`]).
//!
//! Time is the board's: each span's `now` is the block count its driver last published
//! ([`tdm_driver::SpanReport::at_ms`]), or a received frame's `at_ms` if later. The engine
//! never reads the wall clock, so the same stack runs at any simulator speed.
//!
//! Per-frame work (a frame in, the frames and events that follow, a trace record out) does not
//! allocate: frames go through fixed buffers and bounded channels. Allocation happens per call
//! (its record, its audio rings, its log entries) and per command.

use std::collections::VecDeque;
use std::fmt;

use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use tdm_base::{Cause, Duration, Instant};
use tdm_driver::hdlc::HdlcConfig;
use tdm_driver::{AudioChannel, DriverHandle, Event, HdlcChannel, HdlcFrame, Signaling};

use crate::audio::{DEFAULT_TONE_DBM0, TEST_TONE_HZ, ToneDetector, ToneSender};
use crate::isdn::{IsdnSpanConfig, IsdnStack};
use crate::model::{
    CallDirection, CallError, CallEvent, CallId, CallInfo, CallPhase, CallRequest, EventKind, ToneReport,
};
use crate::stack::{SignalingChannel, SignalingStack, StackCall, StackEvent};
use crate::trace::{TraceDirection, TraceRecord};

/// Ring size of a call's B-channel audio, each way: 128 ms.
const AUDIO_DEPTH: usize = 1024;
/// Driver events taken per board per pump at most, so that one busy board cannot starve the
/// rest.
const EVENTS_PER_PUMP: usize = 4096;
/// Entries the log keeps.
const LOG_LEN: usize = 1024;
/// Trace records a subscriber may leave unread before records are dropped for it.
pub const TRACE_QUEUE: usize = 4096;
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackSetup {
    /// ISDN PRI on TS16.
    Isdn(IsdnSpanConfig),
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
}

/// A span as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanInfo {
    /// `board:span`.
    pub name: String,
    /// The stack (`ISDN PRI network side`).
    pub description: &'static str,
    /// Whether this end plays the network side.
    pub network: bool,
    /// Whether the signaling link is up.
    pub link_up: bool,
    /// Calls in progress.
    pub calls: usize,
    /// Board time of the span.
    pub now_ms: u64,
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
    stack: Box<dyn SignalingStack>,
    signaling_timeslot: u8,
    hdlc: Option<HdlcChannel>,
    incoming: IncomingPolicy,
    tone_dbm0: f32,
    now: Instant,
    traces: Vec<Sender<TraceRecord>>,
    buffer: [u8; FRAME_BUFFER],
    /// A frame the driver's queue had no room for, sent before anything new.
    pending: Option<usize>,
}

struct CallAudio {
    channel: AudioChannel,
    timeslot: u8,
    sender: Option<ToneSender>,
    detector: ToneDetector,
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
    audio: Option<CallAudio>,
    tone: Option<ToneReport>,
}

/// Signaling stacks on spans, with their calls.
pub struct Engine {
    boards: Vec<Board>,
    spans: Vec<SpanRunner>,
    calls: Vec<CallRecord>,
    next_call: u32,
    log: VecDeque<CallEvent>,
    seq: u64,
    forward: Option<Sender<(usize, Event)>>,
    forward_dropped: u64,
}

impl Engine {
    /// Opens the signaling channel of every span (TS16 through the driver's soft HDLC for
    /// ISDN) and starts its stack.
    pub fn new(boards: Vec<BoardSetup>, spans: Vec<SpanSetup>) -> Result<Engine, EngineError> {
        let mut engine = Engine {
            boards: boards
                .into_iter()
                .map(|b| {
                    let count = b.handle.span_count() as usize;
                    Board { name: b.name, handle: b.handle, spans: vec![None; count] }
                })
                .collect(),
            spans: Vec::new(),
            calls: Vec::new(),
            next_call: 1,
            log: VecDeque::with_capacity(LOG_LEN),
            seq: 0,
            forward: None,
            forward_dropped: 0,
        };
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
        if config.signaling != Signaling::Ccs {
            return Err(EngineError(format!(
                "span {name}: ISDN needs TS16 as a D-channel, but the span carries CAS (set signaling = \"ccs\")"
            )));
        }
        if board.spans.get(setup.span as usize).is_some_and(Option::is_some) {
            return Err(EngineError(format!("span {name} is configured twice")));
        }
        let stack: Box<dyn SignalingStack> = match &setup.stack {
            StackSetup::Isdn(config) => {
                Box::new(IsdnStack::new(config).map_err(|e| EngineError(format!("span {name}: {e}")))?)
            }
        };
        let SignalingChannel::Hdlc { timeslot } = stack.signaling_channel();
        let hdlc = board
            .handle
            .open_hdlc(setup.span, timeslot, HdlcConfig::default())
            .map_err(|e| EngineError(format!("span {name}: {e}")))?;
        let now = board.handle.report(setup.span).map_or(Instant::ZERO, |r| Instant::from_millis(r.at_ms));
        let index = self.spans.len();
        let mut runner = SpanRunner {
            board: setup.board,
            span: setup.span,
            name,
            stack,
            signaling_timeslot: timeslot,
            hdlc: Some(hdlc),
            incoming: setup.incoming,
            tone_dbm0: setup.tone_dbm0,
            now,
            traces: Vec::new(),
            buffer: [0; FRAME_BUFFER],
            pending: None,
        };
        runner.stack.start(now);
        self.spans.push(runner);
        if let Some(slot) = self.boards[setup.board].spans.get_mut(setup.span as usize) {
            *slot = Some(index);
        }
        Ok(())
    }

    /// Driver events the engine does not consume itself (line changes, CAS bits, frames of
    /// timeslots no stack uses, HDLC errors) go to `sink`, tagged with the board's index;
    /// when it is full they are dropped and counted.
    pub fn forward_events(&mut self, sink: Sender<(usize, Event)>) {
        self.forward = Some(sink);
    }

    /// Events dropped because the forwarding sink was full.
    pub fn forward_dropped(&self) -> u64 {
        self.forward_dropped
    }

    // ---- the loop ----

    /// Takes every pending driver event, then serves each span: timers due at its board time,
    /// frames to send, stack events; then the calls: answers and hang-ups due, audio. Returns
    /// how many driver events it took.
    pub fn pump(&mut self) -> usize {
        let mut taken = 0;
        for board in 0..self.boards.len() {
            for _ in 0..EVENTS_PER_PUMP {
                let Ok(event) = self.boards[board].handle.events().try_recv() else { break };
                self.driver_event(board, event);
                taken += 1;
            }
        }
        for span in 0..self.spans.len() {
            self.advance_clock(span);
            self.service_span(span);
        }
        self.service_calls();
        taken
    }

    fn advance_clock(&mut self, span: usize) {
        let runner = &mut self.spans[span];
        if let Some(report) = self.boards[runner.board].handle.report(runner.span) {
            runner.now = runner.now.max(Instant::from_millis(report.at_ms));
        }
    }

    fn driver_event(&mut self, board: usize, event: Event) {
        if let Event::Hdlc { span, timeslot, frame, at_ms } = &event
            && let Some(Some(index)) = self.boards[board].spans.get(*span as usize)
            && self.spans[*index].signaling_timeslot == *timeslot
        {
            let index = *index;
            let runner = &mut self.spans[index];
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
            if !handled {
                break;
            }
        }
    }

    fn stack_event(&mut self, span: usize, event: StackEvent) {
        let now = self.spans[span].now;
        match event {
            StackEvent::LinkUp => self.log_span(span, EventKind::LinkUp),
            StackEvent::LinkDown => self.log_span(span, EventKind::LinkDown),
            StackEvent::RestartCompleted => self.log_span(span, EventKind::RestartCompleted),
            StackEvent::RestartReceived => self.log_span(span, EventKind::RestartReceived),
            StackEvent::RestartFailed => self.log_span(span, EventKind::RestartFailed),
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
                let tone_dbm0 = self.spans[span].tone_dbm0;
                let record = &mut self.calls[index];
                record.phase = CallPhase::Connected;
                record.connected = Some(now);
                record.hangup_at = record.hangup_after.map(|after| now + after);
                if record.plays_tone
                    && let Some(audio) = record.audio.as_mut()
                {
                    audio.sender = Some(ToneSender::test_tone(tone_dbm0));
                }
                self.log_call(index, EventKind::Connected);
            }
            StackEvent::Problem { call, cause } => {
                if let Some(index) = self.find(span, call) {
                    self.log_call(index, EventKind::Problem { cause });
                }
            }
            StackEvent::Released { call, cause, remote } => {
                let Some(index) = self.find(span, call) else { return };
                self.log_call(index, EventKind::Released { cause, remote });
                let record = self.calls.remove(index);
                self.close_audio(record.span, record.audio);
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

    /// Keeps a call's B-channel audio on the timeslot the stack has for it (the far end may
    /// move an outgoing call to another channel in its first answer).
    fn sync_channel(&mut self, index: usize) {
        let record = &mut self.calls[index];
        let runner = &self.spans[record.span];
        let wanted = runner.stack.timeslot(record.stack_call);
        let current = record.audio.as_ref().map(|a| a.timeslot);
        if wanted == current {
            return;
        }
        let old = record.audio.take();
        let span = record.span;
        self.close_audio(span, old);
        let Some(timeslot) = wanted else { return };
        let runner = &self.spans[span];
        let handle = &self.boards[runner.board].handle;
        match handle.open_audio(runner.span, timeslot, AUDIO_DEPTH) {
            Ok(channel) => {
                self.calls[index].audio =
                    Some(CallAudio { channel, timeslot, sender: None, detector: ToneDetector::new() });
            }
            Err(error) => {
                log::warn!("span {}: no audio for call {}: {error}", runner.name, self.calls[index].id)
            }
        }
    }

    fn close_audio(&self, span: usize, audio: Option<CallAudio>) {
        let Some(audio) = audio else { return };
        let runner = &self.spans[span];
        if let Err(error) = self.boards[runner.board].handle.release(runner.span, audio.timeslot) {
            log::warn!("span {}: releasing ts {}: {error}", runner.name, audio.timeslot);
        }
    }

    /// Answers and hang-ups that fell due, and the audio of every call.
    fn service_calls(&mut self) {
        let mut index = 0;
        while index < self.calls.len() {
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
            self.service_audio(index, now);
            index += 1;
        }
        // Answers and hang-ups produce frames and events now, not at the next pump.
        for span in 0..self.spans.len() {
            self.service_span(span);
        }
    }

    fn service_audio(&mut self, index: usize, now: Instant) {
        let record = &mut self.calls[index];
        let connected = record.phase == CallPhase::Connected;
        let Some(audio) = record.audio.as_mut() else { return };
        if let Some(sender) = audio.sender.as_mut() {
            sender.fill(&mut audio.channel.tx);
        }
        if !connected {
            // What arrives before the answer is no part of the test.
            let mut discard = [0u8; 256];
            while audio.channel.rx.pop_slice(&mut discard) > 0 {}
            return;
        }
        if let Some(level) = audio.detector.read(&mut audio.channel.rx) {
            let report = ToneReport { freq_hz: TEST_TONE_HZ, level_dbm0: level, at_ms: now.as_millis() };
            record.tone = Some(report);
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
        if record.phase != CallPhase::Releasing {
            record.phase = CallPhase::Releasing;
        }
        self.service_span(span);
        Ok(())
    }

    /// Restarts every channel of a span (RESTART of the whole interface on ISDN).
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
                    timeslot: c
                        .audio
                        .as_ref()
                        .map(|a| a.timeslot)
                        .or_else(|| runner.stack.timeslot(c.stack_call)),
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

    /// The B-channels the engine holds open for calls: `(span name, timeslot)`.
    pub fn open_channels(&self) -> Vec<(String, u8)> {
        self.calls
            .iter()
            .filter_map(|c| c.audio.as_ref().map(|a| (self.spans[c.span].name.clone(), a.timeslot)))
            .collect()
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
                network: s.stack.is_network_side(),
                link_up: s.stack.is_link_up(),
                calls: self.calls.iter().filter(|c| c.span == i).count(),
                now_ms: s.now.as_millis(),
            })
            .collect()
    }

    /// Subscribes to a span's signaling frames: every frame sent or received from now on,
    /// until the receiver is dropped (records a slow reader leaves in the queue past
    /// [`TRACE_QUEUE`] are dropped). Returns whether this end is the network side too.
    pub fn subscribe_trace(&mut self, span: &str) -> Result<(bool, Receiver<TraceRecord>), CallError> {
        let span = self.span_index(span)?;
        let (tx, rx) = bounded(TRACE_QUEUE);
        let runner = &mut self.spans[span];
        runner.traces.push(tx);
        Ok((runner.stack.is_network_side(), rx))
    }

    /// Stops every stack's use of the driver: B-channels and signaling channels are given
    /// back. The engine does nothing more afterwards.
    pub fn shutdown(&mut self) {
        for record in std::mem::take(&mut self.calls) {
            self.close_audio(record.span, record.audio);
        }
        for runner in &mut self.spans {
            if runner.hdlc.take().is_some() {
                let _ = self.boards[runner.board].handle.release(runner.span, runner.signaling_timeslot);
            }
        }
        self.spans.clear();
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

    fn log_span(&mut self, span: usize, kind: EventKind) {
        self.seq += 1;
        let runner = &self.spans[span];
        let event = CallEvent {
            seq: self.seq,
            at_ms: runner.now.as_millis(),
            span: runner.name.clone(),
            call: None,
            timeslot: None,
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
            timeslot: record
                .audio
                .as_ref()
                .map(|a| a.timeslot)
                .or_else(|| runner.stack.timeslot(record.stack_call)),
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
    /// Hands every frame the stack has to the driver, tracing each; a frame the driver's queue
    /// refuses waits for the next round.
    fn transmit(&mut self) {
        let Some(hdlc) = self.hdlc.as_ref() else { return };
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
}

/// Hands a record to every subscriber. One that went away is forgotten; one that is behind
/// loses this record.
fn trace_to(subscribers: &mut Vec<Sender<TraceRecord>>, record: &TraceRecord) {
    if !subscribers.is_empty() {
        subscribers.retain(|tx| !matches!(tx.try_send(*record), Err(TrySendError::Disconnected(_))));
    }
}
