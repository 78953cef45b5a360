//! One signalling link's level 2 (Q.703): link state control, initial alignment with normal
//! and emergency proving, the alignment and signal unit error rate monitors, basic error
//! correction or preventive cyclic retransmission, processor outage, level 2 flow control
//! (SIB) and transmit congestion, and the level 3 interface including the retrieval of
//! unacknowledged MSUs for changeover.
//!
//! How it is driven (the order of calls does not matter within one instant):
//! - [`Link::poll_transmit`] whenever the line can take the next signal unit. It always has one:
//!   an MSU, a retransmission, an LSSU or a FISU, so the link stays filled as Q.703 requires;
//!   the caller paces it by the line (64 kbit/s), never by polling in a loop.
//! - [`Link::handle_su`] with each signal unit the HDLC layer delivered (flags and check bits
//!   removed), and [`Link::handle_su_error`] for each frame it discarded.
//! - [`Link::handle_timeout`] at [`Link::poll_timeout`], then [`Link::poll_event`] until empty.
//!
//! Octet counting (Q.703 §4.1.4, §10): the engine sees whole frames, not line octets, so a line
//! that delivers nothing is detected by time — with no frame for the duration of m + 7 = 279
//! octets the receiver counts as if in octet counting mode: one error on entry, then one per
//! N = 16 octet times, until a frame arrives. On a cut 64 kbit/s link the SUERM thus reaches
//! T = 64 about 35 + 63 × 2 = 161 ms after the last frame.
//!
//! Choices the standard leaves open:
//! - While the level 3 user is busy ([`Link::set_local_busy`]) received MSUs are neither
//!   accepted nor negatively acknowledged; SIBs go out every T5, and the gap is repaired by the
//!   ordinary retransmission once the busy condition ends.
//! - A new link is powered on: it is out of service and sends SIOS.

use super::buffer::MsuRing;
use super::ring::Ring;
use super::su::{HEADER_LEN, LssuStatus, MAX_MSU_BODY, MAX_SU_LEN, SignalUnit, SuKind, msu_li};
use super::timers::{MTP2_TIMER_COUNT, MTP2_TIMERS, Mtp2Timer};
use tdm_base::{Duration, Instant, TimerDefs, TimerTable};

/// The error correction method (Q.703 §5 and §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCorrection {
    /// Positive and negative acknowledgement with retransmission on request.
    Basic,
    /// Preventive cyclic retransmission, for long propagation delays: unacknowledged MSUs are
    /// sent again whenever nothing new is waiting, and forcibly once `n1` MSUs or `n2` octets
    /// are outstanding.
    PreventiveCyclic { n1: u8, n2: usize },
}

/// Parameters of one link, chosen at construction.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// T1 … T7.
    pub timers: TimerDefs<Mtp2Timer, MTP2_TIMER_COUNT>,
    /// Basic or preventive cyclic retransmission.
    pub error_correction: ErrorCorrection,
    /// Line rate in bit/s (64 000 on a timeslot), for octet counting.
    pub bit_rate: u32,
    /// MSUs the transmission and retransmission buffers hold together.
    pub buffer_capacity: usize,
    /// Buffer occupancy at which transmit congestion is reported.
    pub congestion_onset: usize,
    /// Buffer occupancy at or below which congestion is reported over.
    pub congestion_abatement: usize,
    /// AERM threshold Tin during normal proving (4).
    pub aerm_normal: u32,
    /// AERM threshold Tie during emergency proving (1).
    pub aerm_emergency: u32,
    /// Proving attempts M before alignment is given up (5).
    pub proving_attempts: u32,
    /// SUERM threshold T (64).
    pub suerm_threshold: u32,
    /// SUERM leak: one error forgiven per D signal units (256).
    pub suerm_leak: u32,
    /// Octets per error in octet counting mode, N (16).
    pub octet_counting: u32,
}

impl LinkConfig {
    /// Q.703 values for a 64 kbit/s link with basic error correction, 512 buffered MSUs.
    pub fn new() -> LinkConfig {
        LinkConfig {
            timers: TimerDefs::new(&MTP2_TIMERS),
            error_correction: ErrorCorrection::Basic,
            bit_rate: 64_000,
            buffer_capacity: 512,
            congestion_onset: 400,
            congestion_abatement: 256,
            aerm_normal: 4,
            aerm_emergency: 1,
            proving_attempts: 5,
            suerm_threshold: 64,
            suerm_leak: 256,
            octet_counting: 16,
        }
    }

    /// The time `octets` take on the line.
    pub fn octet_time(&self, octets: u32) -> Duration {
        let rate = u64::from(self.bit_rate.max(8));
        Duration::from_micros(u64::from(octets) * 8 * 1_000_000 / rate)
    }
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig::new()
    }
}

/// The link state control states (Q.703 §4), with initial alignment's three states in place
/// of "initial alignment".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkState {
    /// Sending SIOS; waiting for a start.
    OutOfService,
    /// Initial alignment: sending SIO, T2 running.
    NotAligned,
    /// Initial alignment: sending SIN or SIE, T3 running.
    Aligned,
    /// Initial alignment: sending SIN or SIE, T4 running, the AERM counting errors.
    Proving,
    /// Aligned, sending FISUs, waiting (T1) for the far end to be in service.
    AlignedReady,
    /// Aligned while the local processor is out: sending SIPO, T1 running.
    AlignedNotReady,
    /// Carrying MSUs.
    InService,
    /// The local or the remote level 3 is out (SIPO sent or received).
    ProcessorOutage,
}

impl LinkState {
    /// A short name for status displays.
    pub const fn name(self) -> &'static str {
        match self {
            LinkState::OutOfService => "out of service",
            LinkState::NotAligned => "not aligned",
            LinkState::Aligned => "aligned",
            LinkState::Proving => "proving",
            LinkState::AlignedReady => "aligned ready",
            LinkState::AlignedNotReady => "aligned not ready",
            LinkState::InService => "in service",
            LinkState::ProcessorOutage => "processor outage",
        }
    }
}

/// Why initial alignment gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlignmentFailure {
    /// Nothing from the far end within T2.
    T2Expired,
    /// No SIN or SIE within T3.
    T3Expired,
    /// The AERM aborted proving M times.
    ProvingFailed,
    /// The far end sent SIOS.
    FarEndOutOfService,
}

/// Why the link went out of service without being asked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    /// Initial alignment was not possible.
    AlignmentNotPossible(AlignmentFailure),
    /// No FISU or MSU within T1 after alignment.
    T1Expired,
    /// The far end sent SIO, SIN, SIE or SIOS: it restarted or stopped.
    UnexpectedStatus(LssuStatus),
    /// The signal unit error rate monitor reached its threshold.
    ErrorRate,
    /// The far end stayed busy beyond T6.
    T6Expired,
    /// An MSU stayed unacknowledged beyond T7.
    T7Expired,
    /// Two of three consecutive backward sequence numbers were outside the window.
    AbnormalBsn,
    /// Two of three consecutive forward indicator bits changed without a retransmission request.
    AbnormalFib,
}

/// What the link reports to level 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mtp2Event {
    /// The link is in service: MSUs may flow.
    InService,
    /// The link failed (it was not stopped by level 3); it sends SIOS until started again.
    OutOfService(FailureReason),
    /// The far end's level 3 is out (SIPO received).
    RemoteProcessorOutage,
    /// The far end's level 3 is back (FISU or MSU after SIPO).
    RemoteProcessorRecovered,
    /// Transmit buffer occupancy crossed the onset (`true`) or the abatement (`false`) mark.
    Congestion(bool),
}

/// Why [`Link::send`] refused an MSU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The link is out of service or aligning.
    NotInService,
    /// The transmission and retransmission buffers are full.
    BufferFull,
    /// Not an MSU body: shorter than SIO plus 2 octets, or longer than 273 octets.
    BadLength { len: usize },
}

impl core::fmt::Display for SendError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SendError::NotInService => write!(f, "signalling link not in service"),
            SendError::BufferFull => write!(f, "signalling link buffers full"),
            SendError::BadLength { len } => write!(f, "MSU body of {len} octets is out of range 3..=273"),
        }
    }
}

impl std::error::Error for SendError {}

/// Counters since the link was built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkStats {
    /// Signal units handed out by `poll_transmit`.
    pub sus_sent: u64,
    /// MSUs sent for the first time.
    pub msus_sent: u64,
    /// MSUs sent again (negative acknowledgement or cyclic retransmission).
    pub retransmissions: u64,
    /// LSSUs sent.
    pub lssus_sent: u64,
    /// Signal units received with a correct length (FCS was checked below).
    pub sus_received: u64,
    /// MSUs accepted and handed to level 3.
    pub msus_received: u64,
    /// Frames the HDLC layer or this link refused, plus octet-counting errors.
    pub su_errors: u64,
    /// Negative acknowledgements sent (BIB inverted).
    pub nacks_sent: u64,
    /// Negative acknowledgements received (retransmissions started).
    pub nacks_received: u64,
    /// In-sequence duplicates and out-of-sequence MSUs discarded.
    pub msus_discarded: u64,
    /// Alignments started.
    pub alignments: u64,
    /// Proving periods the AERM aborted.
    pub proving_aborts: u64,
    /// Times the link went from in service (or aligned) to out of service by failure.
    pub failures: u64,
    /// Events lost because level 3 did not poll them.
    pub dropped_events: u64,
}

/// Which error rate monitor runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Monitor {
    Off,
    Aerm,
    Suerm,
}

/// Two of the last three checks failed (Q.703 §5.3).
#[derive(Debug, Clone, Copy, Default)]
struct TwoOfThree(u8);

impl TwoOfThree {
    /// Records one check; returns whether two of the last three failed.
    fn record(&mut self, failed: bool) -> bool {
        self.0 = (self.0 << 1 | u8::from(failed)) & 0x07;
        self.0.count_ones() >= 2
    }
}

const fn seq_add(a: u8, b: u8) -> u8 {
    a.wrapping_add(b) & 0x7F
}

const fn seq_sub(a: u8, b: u8) -> u8 {
    a.wrapping_sub(b) & 0x7F
}

/// The most MSUs outstanding: FSNs count modulo 128 and one value must stay unused.
const MAX_OUTSTANDING: usize = 127;
/// m + 7 octets without a frame start octet counting (Q.703 §4.1.4).
const OCTET_COUNTING_ENTRY: u32 = 279;

/// One signalling link's level 2.
pub struct Link {
    config: LinkConfig,
    state: LinkState,
    emergency: bool,
    proving_emergency: bool,
    further_proving: bool,
    proving_count: u32,
    local_po: bool,
    remote_po: bool,
    local_busy: bool,
    sib_due: bool,
    remote_busy: bool,
    // Transmit side.
    fsn_last_sent: u8,
    fib: bool,
    /// Messages: the first `rtb_len` are sent and unacknowledged, the rest wait.
    buffer: MsuRing,
    rtb_len: usize,
    rtb_octets: usize,
    retransmit_from: Option<usize>,
    forced_retransmission: bool,
    congested: bool,
    // Receive side.
    fsn_last_accepted: u8,
    bib: bool,
    nack_outstanding: bool,
    abnormal_bsn: TwoOfThree,
    abnormal_fib: TwoOfThree,
    // Monitors.
    monitor: Monitor,
    errors: u32,
    sus_since_leak: u32,
    last_frame_at: Instant,
    octet_counting: bool,
    octet_deadline: Option<Instant>,
    timers: TimerTable<Mtp2Timer, MTP2_TIMER_COUNT>,
    events: Ring<Mtp2Event, 16>,
    stats: LinkStats,
}

impl Link {
    /// A powered-on link, out of service.
    pub fn new(config: LinkConfig) -> Link {
        let buffer = MsuRing::with_capacity(config.buffer_capacity);
        Link {
            config,
            state: LinkState::OutOfService,
            emergency: false,
            proving_emergency: false,
            further_proving: false,
            proving_count: 0,
            local_po: false,
            remote_po: false,
            local_busy: false,
            sib_due: false,
            remote_busy: false,
            fsn_last_sent: 127,
            fib: true,
            buffer,
            rtb_len: 0,
            rtb_octets: 0,
            retransmit_from: None,
            forced_retransmission: false,
            congested: false,
            fsn_last_accepted: 127,
            bib: true,
            nack_outstanding: false,
            abnormal_bsn: TwoOfThree::default(),
            abnormal_fib: TwoOfThree::default(),
            monitor: Monitor::Off,
            errors: 0,
            sus_since_leak: 0,
            last_frame_at: Instant::ZERO,
            octet_counting: false,
            octet_deadline: None,
            timers: TimerTable::new(),
            events: Ring::new(),
            stats: LinkStats::default(),
        }
    }

    // ----------------------------------------------------------------------------------------
    // Getters
    // ----------------------------------------------------------------------------------------

    /// The state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Whether MSUs flow (in service, not in processor outage).
    pub fn is_in_service(&self) -> bool {
        self.state == LinkState::InService
    }

    /// The configuration.
    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    /// Counters.
    pub fn stats(&self) -> LinkStats {
        LinkStats { dropped_events: self.events.dropped, ..self.stats }
    }

    /// The error count of the monitor that runs (AERM while proving, SUERM once aligned).
    pub fn error_count(&self) -> u32 {
        self.errors
    }

    /// MSUs sent and not yet acknowledged.
    pub fn unacknowledged(&self) -> usize {
        self.rtb_len
    }

    /// MSUs waiting to be sent for the first time.
    pub fn waiting(&self) -> usize {
        self.buffer.len() - self.rtb_len
    }

    /// MSUs in the transmission and retransmission buffers together.
    pub fn occupancy(&self) -> usize {
        self.buffer.len()
    }

    /// Whether transmit congestion was reported and has not abated.
    pub fn is_congested(&self) -> bool {
        self.congested
    }

    /// BSNT: the FSN of the last MSU accepted from the far end (for COO/COA).
    pub fn bsnt(&self) -> u8 {
        self.fsn_last_accepted
    }

    /// The deadline of a running timer.
    pub fn timer(&self, timer: Mtp2Timer) -> Option<Instant> {
        self.timers.get(timer)
    }

    // ----------------------------------------------------------------------------------------
    // Level 3 commands
    // ----------------------------------------------------------------------------------------

    /// Start: begins initial alignment from out of service (ignored in any other state). The
    /// sequence numbers restart and the buffers are emptied.
    pub fn start(&mut self, now: Instant) {
        if self.state != LinkState::OutOfService {
            return;
        }
        self.fsn_last_sent = 127;
        self.fib = true;
        self.fsn_last_accepted = 127;
        self.bib = true;
        self.nack_outstanding = false;
        self.abnormal_bsn = TwoOfThree::default();
        self.abnormal_fib = TwoOfThree::default();
        self.flush_buffers();
        self.remote_po = false;
        self.remote_busy = false;
        self.sib_due = false;
        self.proving_count = 0;
        self.further_proving = false;
        self.stats.alignments += 1;
        self.state = LinkState::NotAligned;
        self.start_timer(Mtp2Timer::T2, now);
    }

    /// Stop: out of service at once (no event; level 3 asked). The buffers stay for retrieval.
    pub fn stop(&mut self, _now: Instant) {
        self.go_out_of_service();
    }

    /// Emergency (`true`) or emergency ceases (`false`): which proving period the next (or the
    /// current normal) proving uses, and whether SIE or SIN is sent.
    pub fn set_emergency(&mut self, now: Instant, emergency: bool) {
        self.emergency = emergency;
        if emergency && self.state == LinkState::Proving && !self.proving_emergency {
            self.start_proving(now, true);
        }
    }

    /// Local processor outage (`true`) or its recovery (`false`).
    pub fn set_local_processor_outage(&mut self, now: Instant, outage: bool) {
        if self.local_po == outage {
            return;
        }
        self.local_po = outage;
        match (self.state, outage) {
            (LinkState::InService, true) => self.state = LinkState::ProcessorOutage,
            (LinkState::AlignedReady, true) => self.state = LinkState::AlignedNotReady,
            (LinkState::AlignedNotReady, false) => self.state = LinkState::AlignedReady,
            (LinkState::ProcessorOutage, false) if !self.remote_po => {
                self.state = LinkState::InService;
                self.last_frame_at = now;
            }
            _ => {}
        }
    }

    /// Level 3 cannot take more MSUs (`true`) or can again (`false`): level 2 flow control.
    pub fn set_local_busy(&mut self, now: Instant, busy: bool) {
        if self.local_busy == busy {
            return;
        }
        self.local_busy = busy;
        if busy {
            self.sib_due = true;
            self.start_timer(Mtp2Timer::T5, now);
        } else {
            self.sib_due = false;
            self.timers.stop(Mtp2Timer::T5);
        }
    }

    /// Queues an MSU body (service information octet and SIF) for sending.
    pub fn send(&mut self, body: &[u8]) -> Result<(), SendError> {
        if body.len() < 3 || body.len() > MAX_MSU_BODY {
            return Err(SendError::BadLength { len: body.len() });
        }
        if matches!(
            self.state,
            LinkState::OutOfService | LinkState::NotAligned | LinkState::Aligned | LinkState::Proving
        ) {
            return Err(SendError::NotInService);
        }
        if !self.buffer.push(body) {
            return Err(SendError::BufferFull);
        }
        self.check_congestion();
        Ok(())
    }

    /// Empties the transmission and retransmission buffers (after processor outage, or when
    /// level 3 gives up their contents).
    pub fn flush_buffers(&mut self) {
        self.buffer.clear();
        self.rtb_len = 0;
        self.rtb_octets = 0;
        self.retransmit_from = None;
        self.forced_retransmission = false;
        self.timers.stop(Mtp2Timer::T7);
        self.check_congestion();
    }

    /// Retrieval for changeover (Q.704 §5.4): hands `each` every MSU body the far end has not
    /// acknowledged — after discarding those up to and including `fsnc`, the FSN of the last
    /// MSU the far end accepted (buffer updating) — then every MSU not yet sent, oldest first,
    /// and empties the buffers. `fsnc` of `None` retrieves everything unacknowledged (emergency
    /// or time-controlled changeover; the far end may then see some twice). An FSNC outside
    /// the window of outstanding MSUs also retrieves everything. Only out of service; returns
    /// the number of bodies handed out.
    pub fn retrieve(&mut self, fsnc: Option<u8>, mut each: impl FnMut(&[u8])) -> usize {
        if self.state != LinkState::OutOfService {
            return 0;
        }
        if let Some(fsnc) = fsnc {
            let acknowledged = usize::from(seq_sub(fsnc, self.acked_base()));
            if acknowledged <= self.rtb_len {
                self.buffer.drop_front(acknowledged);
                self.rtb_len -= acknowledged;
            }
        }
        let count = self.buffer.len();
        for i in 0..count {
            if let Some(body) = self.buffer.get(i) {
                each(body);
            }
        }
        self.flush_buffers();
        count
    }

    // ----------------------------------------------------------------------------------------
    // Outputs
    // ----------------------------------------------------------------------------------------

    /// The next event for level 3.
    pub fn poll_event(&mut self) -> Option<Mtp2Event> {
        self.events.pop()
    }

    /// The earliest deadline: a timer, or the next octet-counting error.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.timers.next_deadline(), self.octet_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Writes the next signal unit to send into `out` and returns its length; 0 only when
    /// `out` is shorter than [`MAX_SU_LEN`].
    pub fn poll_transmit(&mut self, now: Instant, out: &mut [u8]) -> usize {
        if out.len() < MAX_SU_LEN {
            return 0;
        }
        self.stats.sus_sent += 1;
        match self.state {
            LinkState::OutOfService => self.emit_lssu(out, LssuStatus::OutOfService),
            LinkState::NotAligned => self.emit_lssu(out, LssuStatus::OutOfAlignment),
            LinkState::Aligned | LinkState::Proving => {
                let status =
                    if self.emergency { LssuStatus::EmergencyAlignment } else { LssuStatus::NormalAlignment };
                self.emit_lssu(out, status)
            }
            LinkState::AlignedNotReady => self.emit_lssu(out, LssuStatus::ProcessorOutage),
            LinkState::ProcessorOutage if self.local_po => self.emit_lssu(out, LssuStatus::ProcessorOutage),
            LinkState::ProcessorOutage | LinkState::AlignedReady => self.emit_fisu(out),
            LinkState::InService => self.emit_in_service(now, out),
        }
    }

    fn emit_in_service(&mut self, now: Instant, out: &mut [u8]) -> usize {
        if self.sib_due {
            self.sib_due = false;
            return self.emit_lssu(out, LssuStatus::Busy);
        }
        let cyclic = matches!(self.config.error_correction, ErrorCorrection::PreventiveCyclic { .. });
        let new_waiting = self.rtb_len < self.buffer.len() && self.rtb_len < MAX_OUTSTANDING;
        // New MSUs go before a cyclic pass, but not before a forced one or a requested one.
        if let Some(index) = self.retransmit_from
            && (!cyclic || self.forced_retransmission || !new_waiting)
        {
            if let Some(len) = self.emit_retransmission(index, out) {
                self.retransmit_from = if index + 1 < self.rtb_len { Some(index + 1) } else { None };
                if self.retransmit_from.is_none() {
                    self.forced_retransmission = false;
                }
                return len;
            }
            self.retransmit_from = None;
            self.forced_retransmission = false;
        }
        if new_waiting {
            return self.emit_new_msu(now, out);
        }
        if cyclic && self.rtb_len > 0 {
            // Cyclic retransmission of whatever is outstanding when nothing new waits.
            self.retransmit_from = Some(0);
            return self.emit_in_service(now, out);
        }
        self.emit_fisu(out)
    }

    fn emit_header(&self, out: &mut [u8], fsn: u8, li: u8) {
        out[0] = self.fsn_last_accepted | u8::from(self.bib) << 7;
        out[1] = fsn | u8::from(self.fib) << 7;
        out[2] = li;
    }

    fn emit_lssu(&mut self, out: &mut [u8], status: LssuStatus) -> usize {
        self.stats.lssus_sent += 1;
        self.emit_header(out, self.fsn_last_sent, 1);
        out[HEADER_LEN] = status.code();
        HEADER_LEN + 1
    }

    fn emit_fisu(&mut self, out: &mut [u8]) -> usize {
        self.emit_header(out, self.fsn_last_sent, 0);
        HEADER_LEN
    }

    fn emit_new_msu(&mut self, now: Instant, out: &mut [u8]) -> usize {
        let Some(body) = self.buffer.get(self.rtb_len) else { return self.emit_fisu(out) };
        let len = body.len();
        let fsn = seq_add(self.fsn_last_sent, 1);
        out[HEADER_LEN..HEADER_LEN + len].copy_from_slice(body);
        self.fsn_last_sent = fsn;
        self.emit_header(out, fsn, msu_li(len));
        self.rtb_len += 1;
        self.rtb_octets += len;
        self.stats.msus_sent += 1;
        if !self.timers.is_running(Mtp2Timer::T7) {
            self.start_timer(Mtp2Timer::T7, now);
        }
        if let ErrorCorrection::PreventiveCyclic { n1, n2 } = self.config.error_correction
            && (self.rtb_len >= usize::from(n1) || self.rtb_octets >= n2)
        {
            self.forced_retransmission = true;
            self.retransmit_from = Some(0);
        }
        HEADER_LEN + len
    }

    fn emit_retransmission(&mut self, index: usize, out: &mut [u8]) -> Option<usize> {
        if index >= self.rtb_len {
            return None;
        }
        let body = self.buffer.get(index)?;
        let len = body.len();
        out[HEADER_LEN..HEADER_LEN + len].copy_from_slice(body);
        let fsn = seq_add(self.acked_base(), index as u8 + 1);
        self.emit_header(out, fsn, msu_li(len));
        self.stats.retransmissions += 1;
        Some(HEADER_LEN + len)
    }

    // ----------------------------------------------------------------------------------------
    // Inputs
    // ----------------------------------------------------------------------------------------

    /// A frame the HDLC layer discarded (FCS error, abort, not octet aligned, too short or too
    /// long).
    pub fn handle_su_error(&mut self, now: Instant) {
        self.stats.su_errors += 1;
        self.frame_seen(now);
        self.count_error();
    }

    /// One received signal unit (without flags and check bits). Returns the body (SIO and SIF)
    /// of an MSU accepted in sequence, which level 3 must take now.
    pub fn handle_su<'a>(&mut self, now: Instant, octets: &'a [u8]) -> Option<&'a [u8]> {
        let su = match SignalUnit::new_checked(octets) {
            Ok(su) => su,
            Err(_) => {
                self.handle_su_error(now);
                return None;
            }
        };
        self.stats.sus_received += 1;
        self.frame_seen(now);
        self.leak();
        match su.kind() {
            SuKind::Lssu => {
                self.receive_status(now, LssuStatus::from_octet(su.body()[0]));
                None
            }
            SuKind::Fisu | SuKind::Msu => self.receive_sequenced(now, su),
        }
    }

    /// Runs the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.timers.pop_expired(now) {
            self.expire(now, timer);
        }
        while let Some(deadline) = self.octet_deadline {
            if deadline > now {
                break;
            }
            self.octet_counting = true;
            self.octet_deadline = Some(deadline + self.config.octet_time(self.config.octet_counting.max(1)));
            self.stats.su_errors += 1;
            self.count_error();
        }
    }

    fn expire(&mut self, now: Instant, timer: Mtp2Timer) {
        match (timer, self.state) {
            (Mtp2Timer::T1, LinkState::AlignedReady | LinkState::AlignedNotReady) => {
                self.fail(FailureReason::T1Expired)
            }
            (Mtp2Timer::T2, LinkState::NotAligned) => {
                self.alignment_not_possible(AlignmentFailure::T2Expired)
            }
            (Mtp2Timer::T3, LinkState::Aligned) => self.alignment_not_possible(AlignmentFailure::T3Expired),
            (Mtp2Timer::T4Normal | Mtp2Timer::T4Emergency, LinkState::Proving) => {
                if self.further_proving {
                    self.further_proving = false;
                    self.start_proving(now, self.proving_emergency);
                } else {
                    self.alignment_complete(now);
                }
            }
            (Mtp2Timer::T5, LinkState::InService) if self.local_busy => {
                self.sib_due = true;
                self.start_timer(Mtp2Timer::T5, now);
            }
            (Mtp2Timer::T6, LinkState::InService | LinkState::ProcessorOutage) => {
                self.fail(FailureReason::T6Expired)
            }
            (Mtp2Timer::T7, LinkState::InService | LinkState::ProcessorOutage) => {
                self.fail(FailureReason::T7Expired)
            }
            // A timer left over from a state since left does nothing.
            _ => {}
        }
    }

    fn receive_status(&mut self, now: Instant, status: LssuStatus) {
        use LssuStatus::*;
        match (self.state, status) {
            (LinkState::NotAligned, OutOfAlignment | NormalAlignment | EmergencyAlignment) => {
                self.timers.stop(Mtp2Timer::T2);
                self.state = LinkState::Aligned;
                self.start_timer(Mtp2Timer::T3, now);
            }
            (LinkState::Aligned, NormalAlignment | EmergencyAlignment) => {
                self.timers.stop(Mtp2Timer::T3);
                self.proving_count = 0;
                self.further_proving = false;
                let emergency = self.emergency || status == EmergencyAlignment;
                self.state = LinkState::Proving;
                self.start_proving(now, emergency);
            }
            (LinkState::Aligned | LinkState::Proving, OutOfService) => {
                self.alignment_not_possible(AlignmentFailure::FarEndOutOfService)
            }
            (LinkState::Proving, OutOfAlignment) => {
                self.stop_proving();
                self.state = LinkState::Aligned;
                self.start_timer(Mtp2Timer::T3, now);
            }
            (LinkState::Proving, EmergencyAlignment) if !self.proving_emergency => {
                self.start_proving(now, true);
            }
            (LinkState::AlignedReady | LinkState::AlignedNotReady, OutOfAlignment | OutOfService) => {
                self.fail(FailureReason::UnexpectedStatus(status))
            }
            (
                LinkState::InService | LinkState::ProcessorOutage,
                OutOfAlignment | NormalAlignment | EmergencyAlignment | OutOfService,
            ) => self.fail(FailureReason::UnexpectedStatus(status)),
            (
                LinkState::AlignedReady | LinkState::AlignedNotReady | LinkState::InService,
                ProcessorOutage,
            ) => {
                self.timers.stop(Mtp2Timer::T1);
                self.remote_po = true;
                self.state = LinkState::ProcessorOutage;
                self.events.push(Mtp2Event::RemoteProcessorOutage);
            }
            (LinkState::ProcessorOutage, ProcessorOutage) if !self.remote_po => {
                self.remote_po = true;
                self.events.push(Mtp2Event::RemoteProcessorOutage);
            }
            (LinkState::InService, Busy) => {
                self.remote_busy = true;
                if self.rtb_len > 0 && !self.timers.is_running(Mtp2Timer::T6) {
                    self.start_timer(Mtp2Timer::T6, now);
                }
                if self.timers.is_running(Mtp2Timer::T7) {
                    self.start_timer(Mtp2Timer::T7, now);
                }
            }
            // Everything else (SIOS while not aligned, SIN or SIE while aligned ready, spare
            // codes...) changes nothing.
            _ => {}
        }
    }

    fn receive_sequenced<'a>(&mut self, now: Instant, su: SignalUnit<&'a [u8]>) -> Option<&'a [u8]> {
        match self.state {
            LinkState::OutOfService | LinkState::NotAligned | LinkState::Aligned | LinkState::Proving => {
                return None;
            }
            LinkState::AlignedReady => {
                self.timers.stop(Mtp2Timer::T1);
                self.state = LinkState::InService;
                self.events.push(Mtp2Event::InService);
            }
            LinkState::AlignedNotReady => {
                self.timers.stop(Mtp2Timer::T1);
                self.state = LinkState::ProcessorOutage;
                return None;
            }
            LinkState::ProcessorOutage => {
                if self.remote_po {
                    self.remote_po = false;
                    self.events.push(Mtp2Event::RemoteProcessorRecovered);
                    if !self.local_po {
                        self.state = LinkState::InService;
                    }
                }
                if self.local_po {
                    return None;
                }
            }
            LinkState::InService => {}
        }
        // Acknowledgements (BSN, BIB) first: they are valid even when the SU is discarded.
        let bsn = su.bsn();
        let in_window = usize::from(seq_sub(bsn, self.acked_base())) <= self.rtb_len;
        if self.abnormal_bsn.record(!in_window) {
            self.fail(FailureReason::AbnormalBsn);
            return None;
        }
        if !in_window {
            return None;
        }
        self.acknowledge(now, bsn);
        let basic = self.config.error_correction == ErrorCorrection::Basic;
        if basic && su.bib() != self.fib {
            self.fib = !self.fib;
            self.stats.nacks_received += 1;
            if self.rtb_len > 0 {
                self.retransmit_from = Some(0);
            }
        }
        if basic {
            if su.fib() != self.bib {
                let abnormal = !self.nack_outstanding;
                if self.abnormal_fib.record(abnormal) {
                    self.fail(FailureReason::AbnormalFib);
                }
                if su.kind() == SuKind::Msu {
                    self.stats.msus_discarded += 1;
                }
                return None;
            }
            self.abnormal_fib.record(false);
            self.nack_outstanding = false;
        }
        if self.local_busy {
            return None;
        }
        let fsn = su.fsn();
        let next = seq_add(self.fsn_last_accepted, 1);
        match su.kind() {
            SuKind::Msu if fsn == next => {
                self.fsn_last_accepted = fsn;
                self.stats.msus_received += 1;
                let octets: &'a [u8] = su.into_inner();
                Some(&octets[HEADER_LEN..])
            }
            SuKind::Msu => {
                self.stats.msus_discarded += 1;
                if basic && fsn != self.fsn_last_accepted {
                    self.request_retransmission();
                }
                None
            }
            _ => {
                if basic && fsn != self.fsn_last_accepted {
                    self.request_retransmission();
                }
                None
            }
        }
    }

    // ----------------------------------------------------------------------------------------
    // Internals
    // ----------------------------------------------------------------------------------------

    /// The FSN just before the oldest unacknowledged MSU.
    fn acked_base(&self) -> u8 {
        seq_sub(self.fsn_last_sent, (self.rtb_len % 128) as u8)
    }

    fn acknowledge(&mut self, now: Instant, bsn: u8) {
        let count = usize::from(seq_sub(bsn, self.acked_base())).min(self.rtb_len);
        if count == 0 {
            return;
        }
        for i in 0..count {
            self.rtb_octets -= self.buffer.get(i).map_or(0, <[u8]>::len).min(self.rtb_octets);
        }
        self.buffer.drop_front(count);
        self.rtb_len -= count;
        self.retransmit_from = match self.retransmit_from {
            Some(index) if index > count => Some(index - count),
            Some(_) if self.rtb_len > 0 => Some(0),
            _ => None,
        };
        // An acknowledgement ends a remote busy condition.
        self.remote_busy = false;
        self.timers.stop(Mtp2Timer::T6);
        if self.rtb_len > 0 {
            self.start_timer(Mtp2Timer::T7, now);
        } else {
            self.timers.stop(Mtp2Timer::T7);
            self.retransmit_from = None;
            self.forced_retransmission = false;
        }
        self.check_congestion();
    }

    fn request_retransmission(&mut self) {
        self.bib = !self.bib;
        self.nack_outstanding = true;
        self.stats.nacks_sent += 1;
    }

    fn check_congestion(&mut self) {
        let occupancy = self.buffer.len();
        if !self.congested && occupancy >= self.config.congestion_onset {
            self.congested = true;
            self.events.push(Mtp2Event::Congestion(true));
        } else if self.congested && occupancy <= self.config.congestion_abatement {
            self.congested = false;
            self.events.push(Mtp2Event::Congestion(false));
        }
    }

    fn start_timer(&mut self, timer: Mtp2Timer, now: Instant) {
        self.timers.start(timer, now, self.config.timers.get(timer));
    }

    fn start_proving(&mut self, now: Instant, emergency: bool) {
        self.proving_emergency = emergency;
        self.timers.stop(Mtp2Timer::T4Normal);
        self.timers.stop(Mtp2Timer::T4Emergency);
        let timer = if emergency { Mtp2Timer::T4Emergency } else { Mtp2Timer::T4Normal };
        self.start_timer(timer, now);
        self.start_monitor(now, Monitor::Aerm);
    }

    fn stop_proving(&mut self) {
        self.timers.stop(Mtp2Timer::T4Normal);
        self.timers.stop(Mtp2Timer::T4Emergency);
        self.stop_monitor();
    }

    fn alignment_complete(&mut self, now: Instant) {
        self.stop_proving();
        self.state = if self.local_po { LinkState::AlignedNotReady } else { LinkState::AlignedReady };
        self.start_timer(Mtp2Timer::T1, now);
        self.start_monitor(now, Monitor::Suerm);
    }

    fn start_monitor(&mut self, now: Instant, monitor: Monitor) {
        self.monitor = monitor;
        self.errors = 0;
        self.sus_since_leak = 0;
        self.octet_counting = false;
        self.last_frame_at = now;
        self.octet_deadline = Some(now + self.config.octet_time(OCTET_COUNTING_ENTRY));
    }

    fn stop_monitor(&mut self) {
        self.monitor = Monitor::Off;
        self.octet_counting = false;
        self.octet_deadline = None;
    }

    /// A frame (good or bad) arrived: flags are on the line, octet counting ends.
    fn frame_seen(&mut self, now: Instant) {
        self.last_frame_at = now;
        self.octet_counting = false;
        if self.monitor != Monitor::Off {
            self.octet_deadline = Some(now + self.config.octet_time(OCTET_COUNTING_ENTRY));
        }
    }

    /// The SUERM forgives one error every D signal units.
    fn leak(&mut self) {
        if self.monitor != Monitor::Suerm {
            return;
        }
        self.sus_since_leak += 1;
        if self.sus_since_leak >= self.config.suerm_leak.max(1) {
            self.sus_since_leak = 0;
            self.errors = self.errors.saturating_sub(1);
        }
    }

    fn count_error(&mut self) {
        match self.monitor {
            Monitor::Off => {}
            Monitor::Aerm => {
                self.errors += 1;
                let threshold =
                    if self.proving_emergency { self.config.aerm_emergency } else { self.config.aerm_normal };
                if self.errors >= threshold.max(1) {
                    self.stats.proving_aborts += 1;
                    self.proving_count += 1;
                    if self.proving_count >= self.config.proving_attempts.max(1) {
                        self.alignment_not_possible(AlignmentFailure::ProvingFailed);
                    } else {
                        // Proving resumes when the current period ends (Q.703 "further proving").
                        self.further_proving = true;
                        self.stop_monitor();
                    }
                }
            }
            Monitor::Suerm => {
                self.leak_on_error();
                self.errors += 1;
                if self.errors >= self.config.suerm_threshold.max(1) {
                    self.fail(FailureReason::ErrorRate);
                }
            }
        }
    }

    /// Errored signal units count toward D as well.
    fn leak_on_error(&mut self) {
        self.sus_since_leak += 1;
        if self.sus_since_leak >= self.config.suerm_leak.max(1) {
            self.sus_since_leak = 0;
            self.errors = self.errors.saturating_sub(1);
        }
    }

    fn go_out_of_service(&mut self) {
        self.state = LinkState::OutOfService;
        self.timers.stop_all();
        self.stop_monitor();
        self.further_proving = false;
        self.remote_po = false;
        self.remote_busy = false;
        self.sib_due = false;
        self.retransmit_from = None;
        self.forced_retransmission = false;
    }

    fn alignment_not_possible(&mut self, why: AlignmentFailure) {
        self.go_out_of_service();
        self.events.push(Mtp2Event::OutOfService(FailureReason::AlignmentNotPossible(why)));
    }

    fn fail(&mut self, reason: FailureReason) {
        self.stats.failures += 1;
        self.go_out_of_service();
        self.events.push(Mtp2Event::OutOfService(reason));
    }
}

impl core::fmt::Debug for Link {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Link")
            .field("state", &self.state)
            .field("fsn_last_sent", &self.fsn_last_sent)
            .field("fib", &self.fib)
            .field("fsn_last_accepted", &self.fsn_last_accepted)
            .field("bib", &self.bib)
            .field("unacknowledged", &self.rtb_len)
            .field("waiting", &self.waiting())
            .field("errors", &self.errors)
            .field("timers", &self.timers)
            .finish()
    }
}
