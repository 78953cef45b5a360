//! One E1 span in the driver loop: raw units from the board through the framer and the slip
//! buffer to the timeslots, and timeslots back through the framer to the board.
//!
//! Everything here runs on the driver's real-time thread once per 1 ms block. Buffers are
//! sized at construction; nothing here allocates, locks or logs per frame.

use crossbeam_channel::Receiver;
use tdm_abi::{FRAMES_PER_BLOCK, SpanView, UNIT_OCTETS, clock, framing, loopback, status};

use crate::bert::{BertChecker, BertGenerator, Pattern};
use crate::elastic::{ElasticStore, Slip};
use crate::event::{Event, EventSink, HdlcFrame};
use crate::framer::{
    Alarms, CasReceiver, CasTransmitter, Crc4Mode, FRAME_OCTETS, Frame, Framer, FramerConfig, SyncState,
};
use crate::hdlc::{HdlcConfig, HdlcDecoder, HdlcEncoder, HdlcEvent, HdlcSendError};
use crate::ring::{RingReader, RingWriter};
use crate::status::{BertReport, LineCounters, SpanReport, SpanStatus};

const BLOCK_FRAMES: usize = FRAMES_PER_BLOCK as usize;
/// Units the driver keeps queued in the TX ring at first: two blocks, so one late service
/// never leaves the board without something to send.
pub const TX_TARGET_UNITS: u64 = 2 * FRAMES_PER_BLOCK as u64;
/// The most it grows to when the board reports underruns (a host that schedules the loop
/// late): 16 ms of transmit latency, or half the ring if that is less.
pub const TX_MAX_TARGET_UNITS: u64 = 16 * FRAMES_PER_BLOCK as u64;
/// The A-law idle code (silence) sent on timeslots nobody uses.
const IDLE_OCTET: u8 = 0xD5;
const TS16: usize = 16;
/// Frames assembled at a time on the transmit side (a service makes as many batches as the
/// TX ring needs).
const MAX_TX_FRAMES: usize = TX_TARGET_UNITS as usize + BLOCK_FRAMES;

/// How TS16 is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signaling {
    /// Channel-associated signaling: TS16 carries the CAS multiframe and ABCD bits.
    Cas,
    /// Common-channel signaling: TS16 is a 64 kbit/s channel (D-channel, SS7 link) or a bearer.
    Ccs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockSource {
    Internal,
    Line,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loopback {
    None,
    /// Our transmit signal comes back to our receiver inside the board.
    Local,
    /// The line's signal is sent back to the line by the board.
    Remote,
}

impl Loopback {
    pub(crate) fn register(self) -> u32 {
        match self {
            Loopback::None => loopback::NONE,
            Loopback::Local => loopback::LOCAL,
            Loopback::Remote => loopback::REMOTE,
        }
    }

    pub(crate) fn from_register(v: u32) -> Loopback {
        match v {
            loopback::LOCAL => Loopback::Local,
            loopback::REMOTE => Loopback::Remote,
            _ => Loopback::None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanConfig {
    pub framer: FramerConfig,
    pub signaling: Signaling,
    pub clock: ClockSource,
    /// A new ABCD value must hold this many CAS multiframes (2 ms each) to be reported.
    pub cas_debounce_multiframes: u8,
}

impl Default for SpanConfig {
    fn default() -> Self {
        SpanConfig {
            framer: FramerConfig::default(),
            signaling: Signaling::Ccs,
            clock: ClockSource::Internal,
            cas_debounce_multiframes: 2,
        }
    }
}

/// A set of timeslots as a bit mask (bit n = timeslot n).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timeslots(pub u32);

impl Timeslots {
    /// Timeslots 1–31: a framed BERT over the whole payload.
    pub const PAYLOAD: Timeslots = Timeslots(!1);

    pub fn single(ts: u8) -> Timeslots {
        Timeslots(1u32.checked_shl(ts as u32).unwrap_or(0))
    }

    pub fn contains(self, ts: usize) -> bool {
        ts < 32 && self.0 & (1 << ts) != 0
    }

    pub fn count(self) -> usize {
        self.0.count_ones() as usize
    }
}

/// What a timeslot is attached to.
pub(crate) enum Use {
    Idle,
    Audio { rx: RingWriter, tx: RingReader },
    Hdlc(Box<HdlcLink>),
    Looped(Box<SampleFifo>),
}

pub(crate) struct HdlcLink {
    encoder: HdlcEncoder,
    decoder: HdlcDecoder,
    outgoing: Receiver<HdlcFrame>,
    waiting: Option<HdlcFrame>,
}

impl HdlcLink {
    pub(crate) fn new(config: HdlcConfig, outgoing: Receiver<HdlcFrame>) -> Self {
        HdlcLink {
            encoder: HdlcEncoder::new(config),
            decoder: HdlcDecoder::new(config),
            outgoing,
            waiting: None,
        }
    }
}

/// Octets received on a looped timeslot, waiting to be sent back.
pub(crate) struct SampleFifo {
    octets: [u8; 64],
    read: usize,
    fill: usize,
}

impl SampleFifo {
    pub(crate) fn new() -> Self {
        SampleFifo { octets: [IDLE_OCTET; 64], read: 0, fill: 0 }
    }

    fn push(&mut self, o: u8) {
        if self.fill == self.octets.len() {
            self.read = (self.read + 1) % self.octets.len();
            self.fill -= 1;
        }
        self.octets[(self.read + self.fill) % self.octets.len()] = o;
        self.fill += 1;
    }

    fn pop(&mut self) -> u8 {
        if self.fill == 0 {
            // Line slower than our transmitter: repeat the last octet sent.
            return self.octets[(self.read + self.octets.len() - 1) % self.octets.len()];
        }
        let o = self.octets[self.read];
        self.read = (self.read + 1) % self.octets.len();
        self.fill -= 1;
        o
    }
}

struct BertRun {
    timeslots: Timeslots,
    pattern: Pattern,
    generator: BertGenerator,
    checker: BertChecker,
    injected: u64,
    started_ms: u64,
}

pub(crate) struct Span {
    index: u32,
    config: SpanConfig,
    framer: Framer,
    cas_rx: CasReceiver,
    cas_tx: CasTransmitter,
    elastic: ElasticStore,
    raw: Box<[u8]>,
    block: [Frame; BLOCK_FRAMES],
    outgoing: [Frame; MAX_TX_FRAMES],
    pub(crate) uses: [Use; 32],
    bert: Option<BertRun>,
    bert_octets: [u8; 32],
    loopback: Loopback,
    counters: LineCounters,
    last_alarms: Alarms,
    last_sync: SyncState,
    lcv_base: u64,
    overrun_base: u64,
    underrun_base: u64,
    underruns_seen: u64,
    tx_target: u64,
}

impl Span {
    pub(crate) fn new(index: u32, config: SpanConfig, view: &SpanView<'_>) -> Span {
        let regs = view.regs;
        let ordering = std::sync::atomic::Ordering::Relaxed;
        let mut bits = 0;
        if config.framer.crc4 != Crc4Mode::Off {
            bits |= framing::CRC4;
        }
        if config.signaling == Signaling::Ccs {
            bits |= framing::CCS;
        }
        regs.framing.store(bits, ordering);
        regs.clock.store(
            match config.clock {
                ClockSource::Internal => clock::INTERNAL,
                ClockSource::Line => clock::LINE,
            },
            ordering,
        );
        regs.loopback.store(loopback::NONE, ordering);
        // Whatever the board queued before we came is stale.
        let rx = view.rx();
        rx.skip(rx.capacity() as usize);
        let ring_octets = rx.capacity() as usize * UNIT_OCTETS;
        Span {
            index,
            config,
            framer: Framer::new(config.framer),
            cas_rx: CasReceiver::new(config.cas_debounce_multiframes),
            cas_tx: CasTransmitter::new(),
            elastic: ElasticStore::new(),
            raw: vec![0; ring_octets].into_boxed_slice(),
            block: [[0; FRAME_OCTETS]; BLOCK_FRAMES],
            outgoing: [[0; FRAME_OCTETS]; MAX_TX_FRAMES],
            uses: std::array::from_fn(|_| Use::Idle),
            bert: None,
            bert_octets: [0; 32],
            loopback: Loopback::None,
            counters: LineCounters::default(),
            last_alarms: Alarms::empty(),
            last_sync: SyncState::Searching,
            lcv_base: regs.line_code_violations.load(ordering),
            overrun_base: regs.rx_overruns.load(ordering),
            underrun_base: regs.tx_underruns.load(ordering),
            underruns_seen: regs.tx_underruns.load(ordering),
            tx_target: TX_TARGET_UNITS,
        }
    }

    pub(crate) fn index(&self) -> u32 {
        self.index
    }

    pub(crate) fn set_loopback(&mut self, view: &SpanView<'_>, mode: Loopback) {
        self.loopback = mode;
        view.regs.loopback.store(mode.register(), std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn set_abcd(&mut self, timeslot: u8, abcd: u8) {
        self.cas_tx.set_abcd(timeslot, abcd);
    }

    pub(crate) fn start_bert(&mut self, pattern: Pattern, timeslots: Timeslots, now_ms: u64) {
        self.bert = Some(BertRun {
            timeslots,
            pattern,
            generator: BertGenerator::new(pattern),
            checker: BertChecker::new(pattern),
            injected: 0,
            started_ms: now_ms,
        });
    }

    pub(crate) fn stop_bert(&mut self) {
        self.bert = None;
    }

    pub(crate) fn inject_bert_errors(&mut self, count: u32) {
        if let Some(run) = &mut self.bert {
            run.generator.insert_errors(count);
            run.injected += count as u64;
        }
    }

    /// Everything the board did in `blocks` blocks: receive, deliver, transmit.
    pub(crate) fn service(&mut self, view: &SpanView<'_>, blocks: u64, now_ms: u64, events: &EventSink) {
        let ordering = std::sync::atomic::Ordering::Relaxed;
        let los = view.regs.status.load(ordering) & status::LOS != 0;
        let rx = view.rx();
        let mut pending = blocks;
        loop {
            let units = rx.pop(&mut self.raw[..BLOCK_FRAMES * UNIT_OCTETS]);
            if units > 0 {
                let (framer, elastic) = (&mut self.framer, &mut self.elastic);
                framer.receive(&self.raw[..units * UNIT_OCTETS], los, |frame| elastic.push(frame));
            }
            if pending > 0 {
                self.deliver_block(now_ms, events);
                pending -= 1;
            } else if units == 0 {
                break;
            }
        }
        self.transmit(view);
        self.report_changes(now_ms, events);
    }

    fn deliver_block(&mut self, now_ms: u64, events: &EventSink) {
        let aligned = self.framer.sync() != SyncState::Searching;
        match self.elastic.read(&mut self.block, aligned) {
            Some(Slip::Deleted) => self.counters.slips_deleted += 1,
            Some(Slip::Repeated) => self.counters.slips_repeated += 1,
            None => {}
        }
        let span = self.index;
        if self.config.signaling == Signaling::Cas {
            for frame in &self.block {
                self.cas_rx.frame(frame, |timeslot, abcd| {
                    events.send(Event::Abcd { span, timeslot, abcd, at_ms: now_ms });
                });
            }
        }
        for (ts, use_) in self.uses.iter_mut().enumerate().skip(1) {
            if matches!(use_, Use::Idle) {
                continue;
            }
            let column: [u8; BLOCK_FRAMES] = std::array::from_fn(|f| self.block[f][ts]);
            match use_ {
                Use::Idle => {}
                Use::Audio { rx, .. } => {
                    // A reader that fell behind loses the newest audio, never blocks the loop.
                    rx.push_slice(&column);
                }
                Use::Hdlc(link) => link.decoder.push(&column, |event| {
                    let timeslot = ts as u8;
                    match event {
                        HdlcEvent::Frame(bytes) => {
                            if let Some(frame) = HdlcFrame::new(bytes) {
                                events.send(Event::Hdlc { span, timeslot, frame, at_ms: now_ms });
                            }
                        }
                        HdlcEvent::Error(error) => {
                            events.send(Event::HdlcError { span, timeslot, error, at_ms: now_ms })
                        }
                    }
                }),
                Use::Looped(fifo) => column.iter().for_each(|&o| fifo.push(o)),
            }
        }
        if let Some(run) = &mut self.bert {
            for frame in &self.block {
                let mut n = 0;
                for (ts, &octet) in frame.iter().enumerate() {
                    if run.timeslots.contains(ts) {
                        self.bert_octets[n] = octet;
                        n += 1;
                    }
                }
                run.checker.check(&self.bert_octets[..n]);
            }
        }
    }

    fn transmit(&mut self, view: &SpanView<'_>) {
        let underruns = view.regs.tx_underruns.load(std::sync::atomic::Ordering::Relaxed);
        if underruns != self.underruns_seen {
            // The board ran dry: this host serves the loop later than the target allows.
            self.underruns_seen = underruns;
            let most = TX_MAX_TARGET_UNITS.min(u64::from(view.tx().capacity()) / 2);
            self.tx_target = (self.tx_target + FRAMES_PER_BLOCK as u64).min(most);
        }
        let tx = view.tx();
        let mut needed = self.tx_target.saturating_sub(tx.fill()) as usize;
        while needed > 0 {
            let n = needed.min(MAX_TX_FRAMES);
            self.make_frames(n);
            tx.push(self.outgoing[..n].as_flattened());
            needed -= n;
        }
    }

    /// Assembles the next `n` (at most [`MAX_TX_FRAMES`]) frames into `outgoing`.
    fn make_frames(&mut self, n: usize) {
        // Work column by column (one timeslot across all the frames to send): one bulk ring
        // read or encoder call per timeslot per block, then the frames are assembled.
        let mut columns = [[IDLE_OCTET; MAX_TX_FRAMES]; 32];
        for (use_, column) in self.uses.iter_mut().zip(columns.iter_mut()).skip(1) {
            let column = &mut column[..n];
            match use_ {
                Use::Idle => {}
                Use::Audio { tx, .. } => {
                    // A writer that fell behind leaves silence, never stalls the line.
                    tx.pop_slice(column);
                }
                Use::Hdlc(link) => {
                    feed_encoder(link);
                    link.encoder.fill(column);
                }
                Use::Looped(fifo) => column.iter_mut().for_each(|o| *o = fifo.pop()),
            }
        }
        if let Some(run) = &mut self.bert {
            let per_frame = run.timeslots.count();
            let pattern = &mut self.bert_octets[..per_frame];
            for f in 0..n {
                run.generator.fill(pattern);
                let mut k = 0;
                for (ts, column) in columns.iter_mut().enumerate() {
                    if run.timeslots.contains(ts) {
                        column[f] = pattern[k];
                        k += 1;
                    }
                }
            }
        }
        let cas = self.config.signaling == Signaling::Cas;
        if cas {
            self.cas_tx.set_remote_alarm(!self.cas_rx.aligned());
        }
        for (f, frame) in self.outgoing[..n].iter_mut().enumerate() {
            for (octet, column) in frame.iter_mut().zip(&columns) {
                *octet = column[f];
            }
            if cas {
                self.cas_tx.fill(frame);
            } else if !self.bert.as_ref().is_some_and(|b| b.timeslots.contains(TS16))
                && matches!(self.uses[TS16], Use::Idle)
            {
                frame[TS16] = 0xFF;
            }
            self.framer.transmit(frame);
        }
    }

    fn report_changes(&mut self, now_ms: u64, events: &EventSink) {
        let (alarms, sync) = (self.framer.alarms(), self.framer.sync());
        if alarms != self.last_alarms || sync != self.last_sync {
            self.last_alarms = alarms;
            self.last_sync = sync;
            events.send(Event::Line { span: self.index, alarms, sync, at_ms: now_ms });
        }
    }

    /// Builds what `tdm status` and the tests see.
    pub(crate) fn report(&self, view: &SpanView<'_>, now_ms: u64) -> SpanReport {
        let ordering = std::sync::atomic::Ordering::Relaxed;
        let f = self.framer.counters();
        let counters = LineCounters {
            frames: f.frames,
            fas_errors: f.fas_errors,
            crc4_errors: f.crc4_errors,
            e_bit_errors: f.e_bit_errors,
            alignment_losses: f.alignment_losses,
            seconds: f.seconds,
            errored_seconds: f.errored_seconds,
            severely_errored_seconds: f.severely_errored_seconds,
            line_code_violations: view.regs.line_code_violations.load(ordering).wrapping_sub(self.lcv_base),
            rx_overruns: view.regs.rx_overruns.load(ordering).wrapping_sub(self.overrun_base),
            tx_underruns: view.regs.tx_underruns.load(ordering).wrapping_sub(self.underrun_base),
            ..self.counters
        };
        let cas = self.config.signaling == Signaling::Cas;
        SpanReport {
            at_ms: now_ms,
            sync: self.framer.sync(),
            alarms: self.framer.alarms(),
            crc4_active: self.framer.crc4_active(),
            cas_aligned: cas && self.cas_rx.aligned(),
            cas_remote_alarm: cas && self.cas_rx.remote_alarm(),
            loopback: self.loopback,
            tx_latency_ms: self.tx_target / FRAMES_PER_BLOCK as u64,
            counters,
            bert: self.bert.as_ref().map(|run| {
                let s = run.checker.stats();
                BertReport {
                    pattern: run.pattern,
                    timeslots: run.timeslots.0,
                    in_sync: s.in_sync,
                    bits: s.bits,
                    errors: s.errors,
                    sync_losses: s.sync_losses,
                    injected: run.injected,
                    elapsed_ms: now_ms.saturating_sub(run.started_ms),
                }
            }),
        }
    }

    pub(crate) fn publish(&self, view: &SpanView<'_>, now_ms: u64, status: &SpanStatus) {
        status.publish(&self.report(view, now_ms));
    }
}

/// Hands the encoder what it can take: the frame in progress plus one waiting.
fn feed_encoder(link: &mut HdlcLink) {
    while let Some(frame) = link.waiting.take().or_else(|| link.outgoing.try_recv().ok()) {
        match link.encoder.send(frame.bytes()) {
            Ok(()) => {}
            Err(HdlcSendError::Busy) => {
                link.waiting = Some(frame);
                return;
            }
            // A length the link refuses can never go: drop it.
            Err(_) => {}
        }
    }
}
