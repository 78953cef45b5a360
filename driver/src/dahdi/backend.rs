//! The DAHDI loop: it owns every channel file of its spans, serves the same
//! [`DriverHandle`] as the board loop, and turns DAHDI's view of the line into the same
//! reports and events.
//!
//! One pass ([`DahdiDriver::service`]): take the handle's commands; `poll(2)` every channel
//! (events always, data where a use reads or an HDLC frame waits to go); read what is ready
//! — a block of audio is answered by a block of transmit audio, so the kernel's transmit
//! queue keeps the depth it was given when the channel was attached; drain channel events;
//! confirm debounced ABCD changes; and every [`STATUS_PERIOD_MS`] read each span's alarms
//! and counters and publish. The kernel paces everything: audio arrives as the card
//! receives it.
//!
//! The loop never allocates, locks or logs per block: buffers are sized at open, the poll
//! set is rebuilt in place. Commands (rare) may reconfigure a channel and log a failure.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use std::{io, path::Path};

use crossbeam_channel::Receiver;

use crate::bert::{BertChecker, BertGenerator, Pattern};
use crate::error::Error;
use crate::event::{Event, EventSink, HdlcFrame};
use crate::framer::{Alarms, CasTransmitter, IDLE_ABCD, SyncState};
use crate::handle::{Capabilities, Claim, Command, DriverHandle, HdlcFraming, initial_claims};
use crate::hdlc::{HdlcConfig, HdlcError, MAX_FRAME};
use crate::ring::{RingReader, RingWriter};
use crate::span::{Loopback, Signaling, SpanConfig, Timeslots, Use};
use crate::status::{BertReport, SpanReport, SpanStatus};

use super::abi::{
    self, BufferInfo, DAHDI_FLUSH_READ, DAHDI_FLUSH_WRITE, DAHDI_MAINT_LOCALLOOP,
    DAHDI_MAINT_NETWORKLINELOOP, DAHDI_MAINT_NONE, DAHDI_POLICY_IMMEDIATE, MaintInfo, SpanInfo,
};
use super::cas::{AbcdDebounce, from_dahdi_bits, to_dahdi_bits};
use super::device::DahdiDevice;
use super::frames::{FCS_OCTETS, FcsCheck, frame_to_send, received_frame, sendable};
use super::line::{CounterTracker, LineState, line_state};
use super::setup::{self, ChannelKind, Discovered, channel_path};
use super::sys::{DahdiSys, IntIoctl, KernelDahdi};

/// How often span alarms and counters are read and published, and the longest a frame
/// queued on a signaling channel waits for the loop.
pub const STATUS_PERIOD_MS: u64 = 5;
/// Buffers per voice channel in the kernel: room for the largest transmit queue below plus
/// receive slack.
const VOICE_BUFS: i32 = 10;
/// Transmit blocks queued ahead at first (as the board path keeps two 1 ms blocks).
const CUSHION_BLOCKS: usize = 2;
/// Most transmit latency the queue grows to after underruns, as on the board path.
const MAX_CUSHION_MS: u64 = 16;
/// Block of an HDLC channel: the longest frame plus its FCS must fit one buffer, or DAHDI
/// reports an overrun.
const HDLC_BLOCK: i32 = 512;
const HDLC_BUFS: i32 = 16;
/// Reads of one channel per pass at most, so one busy channel cannot starve the others.
const MAX_READS: usize = VOICE_BUFS as usize;
/// Events drained from one channel per pass at most (DAHDI queues up to 64).
const MAX_EVENTS: usize = 64;
/// A-law silence, sent where the application left the transmit ring short.
const IDLE_OCTET: u8 = 0xD5;

const _: () = assert!(HDLC_BLOCK as usize >= MAX_FRAME + FCS_OCTETS);

/// What a BERT on one DAHDI channel has done.
struct BertRun {
    pattern: Pattern,
    generator: BertGenerator,
    checker: BertChecker,
    injected: u64,
    started_ms: u64,
}

// A waiting HDLC frame lives inline, so holding one back never allocates on the loop.
#[allow(clippy::large_enum_variant)]
enum ChannelUse {
    Idle,
    Audio { rx: RingWriter, tx: RingReader },
    Hdlc { config: HdlcConfig, check: FcsCheck, outgoing: Receiver<HdlcFrame>, waiting: Option<HdlcFrame> },
    Looped,
    Bert(Box<BertRun>),
}

impl ChannelUse {
    fn reads(&self) -> bool {
        matches!(self, ChannelUse::Audio { .. } | ChannelUse::Hdlc { .. } | ChannelUse::Bert(_))
    }
}

struct Channel {
    fd: OwnedFd,
    channo: i32,
    kind: ChannelKind,
    use_: ChannelUse,
    abcd: AbcdDebounce,
    /// Transmit blocks this channel keeps queued ahead in the kernel.
    cushion: usize,
    rx_overruns: u64,
    tx_underruns: u64,
}

struct DahdiSpan {
    number: u32,
    label: String,
    config: SpanConfig,
    crc4: bool,
    channels: [Option<Channel>; 32],
    cas_tx: CasTransmitter,
    loopback: Loopback,
    line: LineState,
    reported: (Alarms, SyncState),
    tracker: CounterTracker,
    /// An alarm event came: read the span state at the end of this pass.
    stat_due: bool,
}

/// Buffers the loop reads into and writes from, sized at open.
struct Buffers {
    rx: Box<[u8]>,
    tx: Box<[u8]>,
    block: usize,
    max_cushion: usize,
}

/// The real-time side of one or more DAHDI spans: owned by the thread that runs them.
pub struct DahdiDriver<S: DahdiSys = KernelDahdi> {
    sys: S,
    ctl: OwnedFd,
    device: DahdiDevice,
    spans: Vec<DahdiSpan>,
    status: Vec<Arc<SpanStatus>>,
    commands: Receiver<Command>,
    events: EventSink,
    poll: Vec<libc::pollfd>,
    poll_owner: Vec<(usize, usize)>,
    buffers: Buffers,
    origin: Duration,
    last_service_ms: u64,
    next_status_ms: u64,
}

/// What DAHDI can do that the handle must know: it frames HDLC itself, and a BERT covers one
/// timeslot.
const DAHDI_CAPABILITIES: Capabilities = Capabilities {
    hdlc: HdlcFraming::Device,
    hdlc_on_cas_spans: false,
    bert_timeslots: 1,
    bert_limit_reason: "DAHDI gives each timeslot its own file with its own buffering, so the \
        frame alignment an n x 64 kbit/s pattern needs across timeslots is not kept",
};

/// Opens DAHDI spans `device.first_span ..` as `configs` describe, on the running kernel.
pub fn open_dahdi(
    device: &DahdiDevice,
    configs: &[SpanConfig],
) -> Result<(DahdiDriver, DriverHandle), Error> {
    DahdiDriver::open_with(KernelDahdi::default(), device, configs)
}

/// Opens one DAHDI span (numbered from 1) as `dahdi_cfg` configured it.
pub fn open_dahdi_span(span: u32, config: &SpanConfig) -> Result<(DahdiDriver, DriverHandle), Error> {
    open_dahdi(&DahdiDevice::span(span), std::slice::from_ref(config))
}

fn io_gone(device: &Path, e: io::Error) -> Error {
    Error::Gone { device: device.to_path_buf(), source: Some(e) }
}

fn is_elast(e: &io::Error) -> bool {
    e.raw_os_error() == Some(abi::ELAST)
}

impl<S: DahdiSys> DahdiDriver<S> {
    /// Opens the spans through `sys` (the kernel, or a stand-in in tests): finds them,
    /// configures them if the device says so, checks them against `configs`, and opens
    /// every configured channel. Any channel another program holds fails the open.
    pub fn open_with(
        sys: S,
        device: &DahdiDevice,
        configs: &[SpanConfig],
    ) -> Result<(DahdiDriver<S>, DriverHandle), Error> {
        let name = device.to_string();
        if configs.is_empty() {
            return Err(Error::BadRequest(format!("{name}: no span configured")));
        }
        if !(super::device::MIN_BLOCK..=super::device::MAX_BLOCK).contains(&device.block_size)
            || !device.block_size.is_multiple_of(8)
        {
            return Err(Error::BadRequest(format!(
                "{name}: block of {} octets out of range",
                device.block_size
            )));
        }
        let origin = sys.now();
        let ctl = setup::open_ctl(&sys)?;
        if let Some(version) = setup::version(&sys, &ctl) {
            log::info!("{name}: DAHDI {version}");
        }
        let block = device.block_size;
        let buffers = Buffers {
            rx: vec![0; block.max(HDLC_BLOCK as usize)].into_boxed_slice(),
            tx: vec![0; block.max(MAX_FRAME + FCS_OCTETS)].into_boxed_slice(),
            block,
            max_cushion: ((MAX_CUSHION_MS / device.block_ms().max(1)) as usize)
                .clamp(CUSHION_BLOCKS, VOICE_BUFS as usize - 2),
        };
        let mut spans = Vec::with_capacity(configs.len());
        let mut claims = Vec::with_capacity(configs.len());
        for (k, config) in configs.iter().enumerate() {
            let number = device.first_span + k as u32;
            let (span, span_claims) = open_span(&sys, &ctl, number, config, device, &buffers, 0)?;
            spans.push(span);
            claims.push(span_claims);
        }
        let (handle, ends) = DriverHandle::new(name, configs, claims, DAHDI_CAPABILITIES);
        let channels = spans.iter().map(|s| s.channels.iter().flatten().count()).sum();
        let driver = DahdiDriver {
            sys,
            ctl,
            device: *device,
            spans,
            status: ends.status,
            commands: ends.commands,
            events: ends.events,
            poll: Vec::with_capacity(channels),
            poll_owner: Vec::with_capacity(channels),
            buffers,
            origin,
            last_service_ms: 0,
            next_status_ms: 0,
        };
        Ok((driver, handle))
    }

    /// Milliseconds since the spans were opened.
    fn now_ms(&self) -> u64 {
        self.sys.now().saturating_sub(self.origin).as_millis() as u64
    }

    /// Events dropped because nobody read them in time.
    pub fn dropped_events(&self) -> u64 {
        self.events.dropped()
    }

    /// The DAHDI span behind the handle's span `span`, and its name (`TE4/0/1` ...).
    pub fn dahdi_span(&self, span: u32) -> Option<(u32, &str)> {
        self.spans.get(span as usize).map(|s| (s.number, s.label.as_str()))
    }

    /// Waits up to `timeout` (at most [`STATUS_PERIOD_MS`]) for channel activity, serves it,
    /// and publishes every span. Returns the milliseconds since the previous pass.
    pub fn service(&mut self, timeout: Duration) -> Result<u64, Error> {
        self.apply_commands();
        let now = self.now_ms();
        self.send_frames()?;
        self.build_poll_set();
        let mut wait = self.next_status_ms.saturating_sub(now).min(timeout.as_millis() as u64);
        for span in &self.spans {
            for ch in span.channels.iter().flatten() {
                if let Some(deadline) = ch.abcd.deadline() {
                    wait = wait.min(deadline.saturating_sub(now));
                }
            }
        }
        let ready = loop {
            match self.sys.poll(&mut self.poll, Duration::from_millis(wait)) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        ready.map_err(|e| io_gone(Path::new(setup::CTL), e))?;
        let now = self.now_ms();
        for i in 0..self.poll.len() {
            let revents = self.poll[i].revents;
            if revents == 0 {
                continue;
            }
            let (s, ts) = self.poll_owner[i];
            self.serve(s, ts, revents, now)?;
        }
        self.send_frames()?;
        self.confirm_abcd(now);
        let due = now >= self.next_status_ms;
        if due {
            self.next_status_ms = now + STATUS_PERIOD_MS;
        }
        for s in 0..self.spans.len() {
            if due || self.spans[s].stat_due {
                self.refresh_line(s, now)?;
            }
            let report = self.report(s, now);
            if let Some(status) = self.status.get(s) {
                status.publish(&report);
            }
        }
        let elapsed = now.saturating_sub(self.last_service_ms);
        self.last_service_ms = now;
        Ok(elapsed)
    }

    /// Runs the loop on its own thread until `stop` is set or DAHDI fails.
    pub fn spawn(mut self, stop: Arc<AtomicBool>) -> io::Result<JoinHandle<Result<(), Error>>> {
        let name = format!("tdm-dahdi-{}", self.device.first_span);
        std::thread::Builder::new().name(name).spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                self.service(Duration::from_millis(200))?;
            }
            Ok(())
        })
    }

    fn build_poll_set(&mut self) {
        self.poll.clear();
        self.poll_owner.clear();
        for (s, span) in self.spans.iter().enumerate() {
            for (ts, ch) in span.channels.iter().enumerate() {
                let Some(ch) = ch else { continue };
                let mut events = libc::POLLPRI;
                if ch.use_.reads() {
                    events |= libc::POLLIN;
                }
                if matches!(&ch.use_, ChannelUse::Hdlc { waiting: Some(_), .. }) {
                    events |= libc::POLLOUT;
                }
                self.poll.push(libc::pollfd { fd: ch.fd.as_raw_fd(), events, revents: 0 });
                self.poll_owner.push((s, ts));
            }
        }
    }

    /// Serves one channel that `poll` reported.
    fn serve(&mut self, s: usize, ts: usize, revents: i16, now: u64) -> Result<(), Error> {
        let span = &mut self.spans[s];
        let number = span.number;
        let Some(ch) = span.channels[ts].as_mut() else { return Ok(()) };
        // The path is only spelt out when something failed: no allocation per block.
        let gone = |e: io::Error| io_gone(&channel_path(number, ts as u8), e);
        if revents & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
            return Err(Error::Gone { device: channel_path(number, ts as u8), source: None });
        }
        let (span_no, timeslot) = (s as u32, ts as u8);
        if revents & libc::POLLPRI != 0 {
            let changed =
                drain_events(&self.sys, ch, span_no, timeslot, now, &self.events, &mut self.buffers);
            span.stat_due |= changed.map_err(gone)?;
        }
        if revents & libc::POLLIN == 0 {
            return Ok(());
        }
        for _ in 0..MAX_READS {
            let n = match self.sys.read(ch.fd.as_fd(), &mut self.buffers.rx) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if is_elast(&e) => {
                    let changed =
                        drain_events(&self.sys, ch, span_no, timeslot, now, &self.events, &mut self.buffers);
                    span.stat_due |= changed.map_err(gone)?;
                    continue;
                }
                Err(e) => return Err(gone(e)),
            };
            received(&self.sys, ch, span_no, timeslot, n, now, &self.events, &mut self.buffers)
                .map_err(gone)?;
        }
        Ok(())
    }

    /// Writes queued frames of every signaling channel until DAHDI's buffers are full.
    fn send_frames(&mut self) -> Result<(), Error> {
        for span in &mut self.spans {
            let number = span.number;
            for (ts, ch) in span.channels.iter_mut().enumerate() {
                let Some(ch) = ch else { continue };
                let ChannelUse::Hdlc { config, outgoing, waiting, .. } = &mut ch.use_ else { continue };
                while let Some(frame) = waiting.take().or_else(|| outgoing.try_recv().ok()) {
                    // A length the link refuses can never go: dropped, as the soft HDLC does.
                    if !sendable(frame.bytes().len(), config) {
                        continue;
                    }
                    let Some(out) = frame_to_send(frame.bytes(), &mut self.buffers.tx) else { continue };
                    match self.sys.write(ch.fd.as_fd(), out) {
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock || is_elast(&e) => {
                            // Full, or an event first: POLLOUT / POLLPRI bring us back.
                            *waiting = Some(frame);
                            break;
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => *waiting = Some(frame),
                        Err(e) => return Err(io_gone(&channel_path(number, ts as u8), e)),
                    }
                }
            }
        }
        Ok(())
    }

    fn confirm_abcd(&mut self, now: u64) {
        for (s, span) in self.spans.iter_mut().enumerate() {
            for (ts, ch) in span.channels.iter_mut().enumerate() {
                let Some(ch) = ch else { continue };
                if let Some(abcd) = ch.abcd.confirm(now) {
                    self.events.send(Event::Abcd { span: s as u32, timeslot: ts as u8, abcd, at_ms: now });
                }
            }
        }
    }

    fn refresh_line(&mut self, s: usize, now: u64) -> Result<(), Error> {
        let span = &mut self.spans[s];
        span.stat_due = false;
        let mut info = SpanInfo { spanno: span.number as i32, ..SpanInfo::default() };
        self.sys.span_info(self.ctl.as_fd(), &mut info).map_err(|e| io_gone(Path::new(setup::CTL), e))?;
        span.line = line_state(info.alarms, span.crc4);
        span.tracker.update(&info, &span.line, now);
        let now_reported = (span.line.alarms, span.line.sync);
        if now_reported != span.reported {
            span.reported = now_reported;
            let (alarms, sync) = now_reported;
            self.events.send(Event::Line { span: s as u32, alarms, sync, at_ms: now });
        }
        Ok(())
    }

    fn report(&self, s: usize, now: u64) -> SpanReport {
        let span = &self.spans[s];
        let channels = span.channels.iter().flatten();
        let rx_overruns = channels.clone().map(|c| c.rx_overruns).sum();
        let tx_underruns = channels.clone().map(|c| c.tx_underruns).sum();
        let cushion = channels
            .clone()
            .filter(|c| matches!(c.use_, ChannelUse::Audio { .. } | ChannelUse::Bert(_)))
            .map(|c| c.cushion)
            .max()
            .unwrap_or(CUSHION_BLOCKS);
        let bert = span.channels.iter().enumerate().find_map(|(ts, c)| match c.as_ref().map(|c| &c.use_) {
            Some(ChannelUse::Bert(run)) => Some((ts, run)),
            _ => None,
        });
        let cas = span.config.signaling == Signaling::Cas;
        let aligned = span.line.sync != SyncState::Searching;
        SpanReport {
            at_ms: now,
            sync: span.line.sync,
            alarms: span.line.alarms,
            crc4_active: span.line.crc4_active,
            // DAHDI reports no CAS multiframe state of its own; the framer chip keeps it while
            // the frame is aligned.
            cas_aligned: cas && aligned,
            cas_remote_alarm: false,
            loopback: span.loopback,
            tx_latency_ms: cushion as u64 * self.device.block_ms(),
            counters: span.tracker.counters(rx_overruns, tx_underruns),
            bert: bert.map(|(ts, run)| {
                let stats = run.checker.stats();
                BertReport {
                    pattern: run.pattern,
                    timeslots: Timeslots::single(ts as u8).0,
                    in_sync: stats.in_sync,
                    bits: stats.bits,
                    errors: stats.errors,
                    sync_losses: stats.sync_losses,
                    injected: run.injected,
                    elapsed_ms: now.saturating_sub(run.started_ms),
                }
            }),
        }
    }

    fn apply_commands(&mut self) {
        while let Ok(command) = self.commands.try_recv() {
            let now = self.now_ms();
            match command {
                Command::Loopback { span, mode } => self.set_loopback(span as usize, mode),
                Command::SetAbcd { span, timeslot, abcd } => self.set_abcd(span as usize, timeslot, abcd),
                Command::StartBert { span, pattern, timeslots } => {
                    if let Some(ts) = (1..32u8).find(|&t| timeslots.contains(t as usize)) {
                        let run = BertRun {
                            pattern,
                            generator: BertGenerator::new(pattern),
                            checker: BertChecker::new(pattern),
                            injected: 0,
                            started_ms: now,
                        };
                        self.attach(span as usize, ts, ChannelUse::Bert(Box::new(run)));
                    }
                }
                Command::StopBert { span } => {
                    for ts in 1..32u8 {
                        let running = self.spans.get(span as usize).is_some_and(|s| {
                            s.channels[ts as usize]
                                .as_ref()
                                .is_some_and(|c| matches!(c.use_, ChannelUse::Bert(_)))
                        });
                        if running {
                            self.attach(span as usize, ts, ChannelUse::Idle);
                        }
                    }
                }
                Command::InjectBertErrors { span, count } => {
                    let channels = self.spans.get_mut(span as usize).map(|s| s.channels.iter_mut().flatten());
                    for ch in channels.into_iter().flatten() {
                        if let ChannelUse::Bert(run) = &mut ch.use_ {
                            run.generator.insert_errors(count);
                            run.injected += u64::from(count);
                        }
                    }
                }
                Command::Attach { span, timeslot, use_ } => {
                    let use_ = match use_ {
                        Use::Idle => ChannelUse::Idle,
                        Use::Audio { rx, tx } => ChannelUse::Audio { rx, tx },
                        // The kernel loops the channel itself; the software FIFO is not needed.
                        Use::Looped(_) => ChannelUse::Looped,
                        // Never sent here: this handle asks for `AttachFramed` instead.
                        Use::Hdlc(_) => continue,
                    };
                    self.attach(span as usize, timeslot, use_);
                }
                Command::AttachFramed { span, timeslot, config, outgoing } => {
                    let check = match self.kind(span as usize, timeslot) {
                        Some(ChannelKind::Framed(check)) => check,
                        _ => FcsCheck::Verify,
                    };
                    let use_ = ChannelUse::Hdlc { config, check, outgoing, waiting: None };
                    self.attach(span as usize, timeslot, use_);
                }
            }
        }
    }

    fn kind(&self, s: usize, ts: u8) -> Option<ChannelKind> {
        self.spans.get(s)?.channels.get(ts as usize)?.as_ref().map(|c| c.kind)
    }

    fn set_loopback(&mut self, s: usize, mode: Loopback) {
        let Some(span) = self.spans.get_mut(s) else { return };
        let command = match mode {
            Loopback::None => DAHDI_MAINT_NONE,
            Loopback::Local => DAHDI_MAINT_LOCALLOOP,
            Loopback::Remote => DAHDI_MAINT_NETWORKLINELOOP,
        };
        let info = MaintInfo { spanno: span.number as i32, command };
        match self.sys.maint(self.ctl.as_fd(), &info) {
            Ok(()) => span.loopback = mode,
            Err(e) => log::warn!("{}: loopback {mode:?} refused by DAHDI_MAINT: {e}", span.label),
        }
    }

    fn set_abcd(&mut self, s: usize, ts: u8, abcd: u8) {
        let Some(span) = self.spans.get_mut(s) else { return };
        // The same rules as the software transmitter: 0000 on TS 1-15 would imitate the
        // multiframe alignment signal and is not sent.
        if span.cas_tx.try_set_abcd(ts, abcd).is_err() {
            return;
        }
        let Some(ch) = span.channels.get(ts as usize).and_then(Option::as_ref) else { return };
        let mut bits = to_dahdi_bits(abcd);
        if let Err(e) = self.sys.ioctl_int(ch.fd.as_fd(), IntIoctl::SetTxBits, &mut bits) {
            log::warn!("{} timeslot {ts}: DAHDI_SETTXBITS {abcd:04b} failed: {e}", span.label);
        }
    }

    /// Gives the channel at `ts` a new use, reconfiguring it in the kernel. A failure is
    /// logged and leaves the channel idle.
    fn attach(&mut self, s: usize, ts: u8, use_: ChannelUse) {
        let Some(span) = self.spans.get_mut(s) else { return };
        let label = span.label.clone();
        let Some(ch) = span.channels.get_mut(ts as usize).and_then(Option::as_mut) else { return };
        if let Err((what, e)) = reconfigure(&self.sys, ch, ts, &use_, &mut self.buffers) {
            log::warn!(
                "{label} timeslot {ts} (channel {}): {what} failed: {e}; the timeslot stays idle",
                ch.channo
            );
            ch.use_ = ChannelUse::Idle;
            return;
        }
        // The previous use (rings, queues) is dropped here, off the per-block path.
        ch.use_ = use_;
    }
}

/// Opens one span: discovery, optional configuration, checks, and every channel.
fn open_span<S: DahdiSys>(
    sys: &S,
    ctl: &OwnedFd,
    number: u32,
    config: &SpanConfig,
    device: &DahdiDevice,
    buffers: &Buffers,
    now: u64,
) -> Result<(DahdiSpan, [Claim; 32]), Error> {
    let mut info = setup::span_info(sys, ctl, number)?;
    setup::check_e1(number, &info)?;
    let mut found = Discovered { number, info, channels: setup::discover_channels(sys, ctl, number, &info)? };
    if device.configure {
        setup::configure(sys, ctl, &found, config)?;
        info = setup::span_info(sys, ctl, number)?;
        found = Discovered { number, info, channels: setup::discover_channels(sys, ctl, number, &info)? };
    }
    setup::check_configured(number, &info, config)?;
    let mut claims = initial_claims(config);
    let mut channels: [Option<Channel>; 32] = std::array::from_fn(|_| None);
    for ts in 1..32u8 {
        let slot = found.channels[ts as usize];
        let Some(kind) = setup::channel_kind(&found, config, ts, &slot)? else {
            if claims[ts as usize] == Claim::Free {
                claims[ts as usize] = Claim::Absent;
            }
            continue;
        };
        if matches!(kind, ChannelKind::Framed(_)) {
            claims[ts as usize] = Claim::FramedOnly;
        }
        let fd = setup::open_channel(sys, &found, ts, slot.channo)?;
        let mut ch = Channel {
            fd,
            channo: slot.channo,
            kind,
            use_: ChannelUse::Idle,
            abcd: AbcdDebounce::new(config.cas_debounce_multiframes),
            cushion: CUSHION_BLOCKS,
            rx_overruns: 0,
            tx_underruns: 0,
        };
        prepare_idle(sys, &mut ch, ts, buffers.block, now).map_err(|(what, e)| {
            let device = channel_path(number, ts);
            Error::Open {
                source: io::Error::new(
                    e.kind(),
                    format!(
                        "preparing channel {} ({}, timeslot {ts}): {what} failed: {e}",
                        slot.channo,
                        found.label()
                    ),
                ),
                device,
            }
        })?;
        channels[ts as usize] = Some(ch);
    }
    let line = line_state(info.alarms, lineconfig_crc4(&info));
    let span = DahdiSpan {
        number,
        label: found.label(),
        config: *config,
        crc4: lineconfig_crc4(&info),
        channels,
        cas_tx: CasTransmitter::new(),
        loopback: Loopback::None,
        line,
        // Nothing reported yet: the first pass reports the line as it is.
        reported: (Alarms::empty(), SyncState::Searching),
        tracker: CounterTracker::new(&info, now),
        stat_due: true,
    };
    Ok((span, claims))
}

fn lineconfig_crc4(info: &SpanInfo) -> bool {
    info.lineconfig & abi::DAHDI_CONFIG_CRC4 != 0
}

type Step = (&'static str, io::Error);

fn int(sys: &impl DahdiSys, fd: &OwnedFd, request: IntIoctl, value: i32) -> Result<i32, Step> {
    let mut v = value;
    sys.ioctl_int(fd.as_fd(), request, &mut v).map_err(|e| (request.name(), e))?;
    Ok(v)
}

fn buffers_for(block: usize) -> BufferInfo {
    BufferInfo {
        txbufpolicy: DAHDI_POLICY_IMMEDIATE,
        rxbufpolicy: DAHDI_POLICY_IMMEDIATE,
        numbufs: VOICE_BUFS,
        bufsize: block as i32,
        ..BufferInfo::default()
    }
}

const HDLC_BUFFERS: BufferInfo = BufferInfo {
    txbufpolicy: DAHDI_POLICY_IMMEDIATE,
    rxbufpolicy: DAHDI_POLICY_IMMEDIATE,
    numbufs: HDLC_BUFS,
    bufsize: HDLC_BLOCK,
    readbufs: 0,
    writebufs: 0,
};

/// A freshly opened channel, set up to idle: voice buffers, silence (or flags) on the line,
/// CAS idle bits sent and the received bits learnt.
fn prepare_idle(sys: &impl DahdiSys, ch: &mut Channel, ts: u8, block: usize, now: u64) -> Result<(), Step> {
    match ch.kind {
        ChannelKind::Framed(_) => {
            sys.set_buffers(ch.fd.as_fd(), &HDLC_BUFFERS).map_err(|e| ("DAHDI_SET_BUFINFO", e))?;
        }
        ChannelKind::Clear => {
            sys.set_buffers(ch.fd.as_fd(), &buffers_for(block)).map_err(|e| ("DAHDI_SET_BUFINFO", e))?;
            // An idle bearer sends A-law silence as the board path does; an idle TS16 of a CCS
            // span stays all ones, as there.
            if ts != 16 {
                int(sys, &ch.fd, IntIoctl::AudioMode, 1)?;
            }
        }
        ChannelKind::Cas => {
            sys.set_buffers(ch.fd.as_fd(), &buffers_for(block)).map_err(|e| ("DAHDI_SET_BUFINFO", e))?;
            int(sys, &ch.fd, IntIoctl::SetTxBits, to_dahdi_bits(IDLE_ABCD))?;
            let rx = int(sys, &ch.fd, IntIoctl::GetRxBits, 0)?;
            ch.abcd.observe(from_dahdi_bits(rx), now);
        }
    }
    Ok(())
}

/// Puts a channel in the kernel mode `use_` needs, from whatever it had.
fn reconfigure(
    sys: &impl DahdiSys,
    ch: &mut Channel,
    ts: u8,
    use_: &ChannelUse,
    buffers: &mut Buffers,
) -> Result<(), Step> {
    let fits = match (ch.kind, use_) {
        (_, ChannelUse::Idle) | (ChannelKind::Clear, _) => true,
        (ChannelKind::Framed(_), ChannelUse::Hdlc { .. }) => true,
        (ChannelKind::Cas, ChannelUse::Hdlc { .. }) | (ChannelKind::Framed(_), _) => false,
        (ChannelKind::Cas, _) => true,
    };
    if !fits {
        // The handle refuses these (claims and capabilities); this guards the kernel state.
        return Err(("choosing the channel mode", io::Error::from_raw_os_error(libc::EINVAL)));
    }
    let was_looped = matches!(ch.use_, ChannelUse::Looped);
    let was_hdlc = matches!(ch.use_, ChannelUse::Hdlc { .. });
    if was_looped {
        int(sys, &ch.fd, IntIoctl::Loopback, 0)?;
    }
    int(sys, &ch.fd, IntIoctl::BufferEvents, 0)?;
    let clear = ch.kind == ChannelKind::Clear;
    match use_ {
        ChannelUse::Idle => {
            if clear {
                if was_hdlc {
                    int(sys, &ch.fd, IntIoctl::HdlcFcsMode, 0)?;
                    sys.set_buffers(ch.fd.as_fd(), &buffers_for(buffers.block))
                        .map_err(|e| ("DAHDI_SET_BUFINFO", e))?;
                }
                if ts != 16 {
                    int(sys, &ch.fd, IntIoctl::AudioMode, 1)?;
                }
            }
            return Ok(());
        }
        ChannelUse::Hdlc { .. } => {
            if clear {
                sys.set_buffers(ch.fd.as_fd(), &HDLC_BUFFERS).map_err(|e| ("DAHDI_SET_BUFINFO", e))?;
                int(sys, &ch.fd, IntIoctl::HdlcFcsMode, 1)?;
            }
            int(sys, &ch.fd, IntIoctl::Flush, DAHDI_FLUSH_READ | DAHDI_FLUSH_WRITE)?;
            int(sys, &ch.fd, IntIoctl::BufferEvents, 1)?;
            return Ok(());
        }
        ChannelUse::Looped => {
            if clear {
                // Transparent: the octets go back exactly as they came.
                int(sys, &ch.fd, IntIoctl::HdlcFcsMode, 0)?;
            }
            int(sys, &ch.fd, IntIoctl::Loopback, 1)?;
            return Ok(());
        }
        ChannelUse::Audio { .. } | ChannelUse::Bert(_) => {}
    }
    // Voice or BERT: transparent octets, a fresh queue, and the transmit cushion.
    if clear {
        int(sys, &ch.fd, IntIoctl::HdlcFcsMode, 0)?;
        if was_hdlc {
            sys.set_buffers(ch.fd.as_fd(), &buffers_for(buffers.block))
                .map_err(|e| ("DAHDI_SET_BUFINFO", e))?;
        }
    }
    int(sys, &ch.fd, IntIoctl::Flush, DAHDI_FLUSH_READ | DAHDI_FLUSH_WRITE)?;
    int(sys, &ch.fd, IntIoctl::BufferEvents, 1)?;
    ch.cushion = CUSHION_BLOCKS;
    let block = &mut buffers.tx[..buffers.block];
    block.fill(IDLE_OCTET);
    for _ in 0..CUSHION_BLOCKS {
        sys.write(ch.fd.as_fd(), block).map_err(|e| ("write", e))?;
    }
    Ok(())
}

/// Reads and acts on every event queued on a channel. Returns whether the span's alarms
/// changed (so its state is read again at once).
#[allow(clippy::too_many_arguments)]
fn drain_events(
    sys: &impl DahdiSys,
    ch: &mut Channel,
    span: u32,
    ts: u8,
    now: u64,
    events: &EventSink,
    buffers: &mut Buffers,
) -> io::Result<bool> {
    let mut alarm_changed = false;
    let mut underran = false;
    for _ in 0..MAX_EVENTS {
        let mut event = 0;
        sys.ioctl_int(ch.fd.as_fd(), IntIoctl::GetEvent, &mut event)?;
        let hdlc_error = match event {
            abi::DAHDI_EVENT_NONE => break,
            abi::DAHDI_EVENT_BITSCHANGED => {
                let mut bits = 0;
                sys.ioctl_int(ch.fd.as_fd(), IntIoctl::GetRxBits, &mut bits)?;
                ch.abcd.observe(from_dahdi_bits(bits), now);
                None
            }
            abi::DAHDI_EVENT_ALARM | abi::DAHDI_EVENT_NOALARM => {
                alarm_changed = true;
                None
            }
            abi::DAHDI_EVENT_BADFCS => Some(HdlcError::BadFcs),
            abi::DAHDI_EVENT_ABORT => Some(HdlcError::Aborted),
            // The frame outgrew the buffer: longer than any frame a link may carry.
            abi::DAHDI_EVENT_OVERRUN => Some(HdlcError::TooLong),
            abi::DAHDI_EVENT_READ_OVERRUN => {
                ch.rx_overruns += 1;
                None
            }
            abi::DAHDI_EVENT_WRITE_UNDERRUN => {
                ch.tx_underruns += 1;
                underran = true;
                None
            }
            abi::DAHDI_EVENT_REMOVED => {
                return Err(io::Error::new(io::ErrorKind::NotConnected, "DAHDI removed the channel"));
            }
            _ => None,
        };
        if let (Some(error), ChannelUse::Hdlc { .. }) = (hdlc_error, &ch.use_) {
            events.send(Event::HdlcError { span, timeslot: ts, error, at_ms: now });
        }
    }
    // Writing waits until the queue is empty: DAHDI refuses writes (ELAST) while events wait.
    let streams = matches!(ch.use_, ChannelUse::Audio { .. } | ChannelUse::Bert(_));
    if underran && streams && ch.cushion < buffers.max_cushion {
        // This host serves the channel late: keep one more block queued from now on, as the
        // board path does, up to its limit.
        let out = &mut buffers.tx[..buffers.block];
        fill_transmit(&mut ch.use_, out);
        match sys.write(ch.fd.as_fd(), out) {
            Ok(_) => ch.cushion += 1,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock || is_elast(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(alarm_changed)
}

/// The next transmit block of a voice or BERT channel.
fn fill_transmit(use_: &mut ChannelUse, out: &mut [u8]) {
    match use_ {
        ChannelUse::Audio { tx, .. } => {
            // A writer that fell behind leaves silence, never stalls the line.
            let got = tx.pop_slice(out);
            out[got..].fill(IDLE_OCTET);
        }
        ChannelUse::Bert(run) => run.generator.fill(out),
        _ => out.fill(IDLE_OCTET),
    }
}

/// Acts on `n` octets read from a channel: a block of audio (answered by a block to send) or
/// one HDLC frame with its FCS.
#[allow(clippy::too_many_arguments)]
fn received(
    sys: &impl DahdiSys,
    ch: &mut Channel,
    span: u32,
    ts: u8,
    n: usize,
    now: u64,
    events: &EventSink,
    buffers: &mut Buffers,
) -> io::Result<()> {
    let data = &buffers.rx[..n];
    match &mut ch.use_ {
        ChannelUse::Audio { rx, .. } => {
            // A reader that fell behind loses the newest audio, never blocks the loop.
            rx.push_slice(data);
        }
        ChannelUse::Bert(run) => run.checker.check(data),
        ChannelUse::Hdlc { config, check, .. } => {
            let event = match received_frame(data, *check, config) {
                Ok(body) => match HdlcFrame::new(body) {
                    Some(frame) => Event::Hdlc { span, timeslot: ts, frame, at_ms: now },
                    None => Event::HdlcError { span, timeslot: ts, error: HdlcError::TooLong, at_ms: now },
                },
                Err(error) => Event::HdlcError { span, timeslot: ts, error, at_ms: now },
            };
            events.send(event);
            return Ok(());
        }
        ChannelUse::Idle | ChannelUse::Looped => return Ok(()),
    }
    let out = &mut buffers.tx[..n];
    fill_transmit(&mut ch.use_, out);
    loop {
        match sys.write(ch.fd.as_fd(), out) {
            Ok(_) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            // No room (the queue is deeper than asked) or an event first: this block is
            // dropped rather than the loop stalled; the event is drained on POLLPRI.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock || is_elast(&e) => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}
