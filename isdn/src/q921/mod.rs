//! Q.921 (LAPD) data link procedures for one point-to-point data link: SAPI 0 on the fixed
//! TEI of a primary rate interface, acknowledged multiple-frame operation with modulo-128
//! sequence numbers.
//!
//! The states are those of Q.921 §5 and its SDL (Annex B): 4 "TEI assigned" (idle),
//! 5 "awaiting establishment", 6 "awaiting release", 7 "multiple frame established" and
//! 8 "timer recovery". Variables V(S), V(A), V(R), the retransmission count RC and the
//! conditions peer receiver busy, own receiver busy, reject exception and acknowledge pending
//! are kept as the standard names them.
//!
//! Two choices the standard leaves open:
//! - On T200 expiry this link always sends an enquiry (RR or RNR command with P = 1) rather
//!   than retransmitting the last I frame; the peer's F = 1 answer then says what to resend.
//! - Frames that cause a frame-rejection condition (undefined control field, wrong length,
//!   information field too long) are answered, while a link is up, by re-establishment
//!   (§5.8.5); no FRMR is sent.
//!
//! Use: feed received frames with [`Link::handle_frame`] and expired deadlines with
//! [`Link::handle_timeout`]; after any call, drain [`Link::poll_transmit`] and
//! [`Link::poll_event`], then sleep until [`Link::poll_timeout`].

mod queue;

use crate::Side;
use crate::ring::Ring;
use crate::wire::lapd::{
    Address, Control, FrameError, FrameRepr, MAX_FRAME_LEN, N201, SAPI_CALL_CONTROL, SAPI_MANAGEMENT,
    Supervisory, TEI_GROUP, TeiMessage, TeiMessageType, Unnumbered,
};
use core::time::Duration;
use queue::FrameQueue;
use tdm_base::{Instant, TimerDef, TimerDefs, TimerKind, TimerTable};

/// The data link timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkTimer {
    /// Retransmission / acknowledgement timer.
    T200,
    /// Maximum time without frames exchanged.
    T203,
}

impl TimerKind for LinkTimer {
    const ALL: &'static [Self] = &[LinkTimer::T200, LinkTimer::T203];
    fn index(self) -> usize {
        self as usize
    }
}

/// Q.921 §5.9 timer definitions (values for a primary rate interface).
pub static LINK_TIMERS: [TimerDef<LinkTimer>; 2] = [
    TimerDef {
        timer: LinkTimer::T200,
        name: "T200",
        default: Duration::from_secs(1),
        min: Duration::from_millis(100),
        max: Duration::from_secs(10),
        meaning: "waiting for an acknowledgement or a response; on expiry retry, up to N200 times",
    },
    TimerDef {
        timer: LinkTimer::T203,
        name: "T203",
        default: Duration::from_secs(10),
        min: Duration::from_secs(1),
        max: Duration::from_secs(300),
        meaning: "no frame exchanged on an established link; on expiry poll the peer",
    },
];

/// Data link parameters.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// Which side this link plays.
    pub side: Side,
    /// The fixed TEI (0 on a primary rate interface).
    pub tei: u8,
    /// Window size k: I frames outstanding at most (7 on a primary rate interface, 1 ..= 127).
    pub k: u8,
    /// N200: retransmissions at most.
    pub n200: u8,
    /// I frames that may wait for transmission or acknowledgement.
    pub queue_capacity: usize,
    /// T200 and T203.
    pub timers: TimerDefs<LinkTimer, 2>,
}

impl LinkConfig {
    /// Primary rate defaults: TEI 0, k = 7, N200 = 3, T200 = 1 s, T203 = 10 s, 64 queued frames.
    pub fn new(side: Side) -> Self {
        LinkConfig { side, tei: 0, k: 7, n200: 3, queue_capacity: 64, timers: TimerDefs::new(&LINK_TIMERS) }
    }
}

/// The data link states of Q.921 (the numbers are the standard's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkState {
    /// 4: TEI assigned, no multiple-frame operation.
    TeiAssigned,
    /// 5: SABME sent, waiting for UA.
    AwaitingEstablishment,
    /// 6: DISC sent, waiting for UA.
    AwaitingRelease,
    /// 7: multiple frame established.
    MultipleFrameEstablished,
    /// 8: timer recovery (polling the peer after T200 or T203).
    TimerRecovery,
}

impl LinkState {
    /// The state's number in Q.921.
    pub const fn number(self) -> u8 {
        match self {
            LinkState::TeiAssigned => 4,
            LinkState::AwaitingEstablishment => 5,
            LinkState::AwaitingRelease => 6,
            LinkState::MultipleFrameEstablished => 7,
            LinkState::TimerRecovery => 8,
        }
    }
}

/// Management error indications (Q.921 Appendix II, Table II.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MdlError {
    /// A: supervisory response with F = 1 received unsolicited.
    A,
    /// B: DM response with F = 1 received unsolicited.
    B,
    /// C: UA response with F = 1 received unsolicited.
    C,
    /// D: UA response with F = 0 received unsolicited.
    D,
    /// E: DM response with F = 0 received: the peer asks for (re-)establishment.
    E,
    /// F: SABME received while established: the peer re-established the link.
    F,
    /// G: SABME sent N200 + 1 times without answer.
    G,
    /// H: DISC sent N200 + 1 times without answer.
    H,
    /// I: status enquiry sent N200 times without answer.
    I,
    /// J: N(R) error.
    J,
    /// K: FRMR received.
    K,
    /// L: undefined control field.
    L,
    /// M: information field not permitted.
    M,
    /// N: frame of incorrect length.
    N,
    /// O: information field longer than N201.
    O,
}

/// What the link reports to layer 3 and management.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkEvent {
    /// DL-ESTABLISH: confirm when `requested`, otherwise indication. `reset` says I frames were
    /// discarded (re-establishment with unacknowledged frames).
    Established { requested: bool, reset: bool },
    /// DL-RELEASE: confirm when `requested`, otherwise indication.
    Released { requested: bool },
    /// MDL-ERROR indication.
    Error(MdlError),
    /// A TEI management message this link does not answer itself.
    Management(TeiMessage),
}

/// Layer 3 data carried by a received frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received<'a> {
    /// Nothing for layer 3.
    Nothing,
    /// DL-DATA indication: the information field of an in-sequence I frame.
    Data(&'a [u8]),
    /// DL-UNIT-DATA indication: the information field of a UI frame on SAPI 0.
    UnitData(&'a [u8]),
}

/// Why [`Link::send`] refused data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError {
    /// The link is neither established nor being established.
    NotEstablished,
    /// The I-frame queue is full.
    QueueFull,
    /// Longer than N201.
    TooLong { len: usize },
}

/// Counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkStats {
    /// Frames handed out by `poll_transmit`.
    pub frames_sent: u64,
    /// Frames handed to `handle_frame` (any address).
    pub frames_received: u64,
    /// I frames sent again after a REJ or timer recovery.
    pub retransmissions: u64,
    /// Frames that were not accepted (parse errors addressed to this link).
    pub bad_frames: u64,
    /// Control frames or events lost to a full output queue.
    pub dropped_outputs: u64,
}

/// A control frame waiting to be sent (everything except I frames, which wait in the queue).
#[derive(Debug, Clone, Copy)]
struct PendingFrame {
    address: Address,
    control: Control,
    info: [u8; TeiMessage::LEN],
    info_len: u8,
}

/// One Q.921 data link.
pub struct Link {
    config: LinkConfig,
    state: LinkState,
    vs: u8,
    va: u8,
    vr: u8,
    rc: u8,
    peer_busy: bool,
    own_busy: bool,
    reject_exception: bool,
    ack_pending: bool,
    l3_initiated: bool,
    timers: TimerTable<LinkTimer, 2>,
    /// T200 and T203 in microseconds, converted once: a timer starts for nearly every frame.
    timer_micros: [u64; 2],
    queue: FrameQueue,
    /// UI frames waiting (DL-UNIT-DATA).
    unit_data: FrameQueue,
    control: Ring<PendingFrame, 16>,
    events: Ring<LinkEvent, 16>,
    stats: LinkStats,
}

/// UI frames that may wait for transmission.
const UNIT_DATA_QUEUE: usize = 4;

const fn seq_add(a: u8, b: u8) -> u8 {
    (a.wrapping_add(b)) & 0x7F
}

const fn seq_diff(later: u8, earlier: u8) -> u8 {
    later.wrapping_sub(earlier) & 0x7F
}

impl Link {
    /// A link in state 4, not established.
    pub fn new(config: LinkConfig) -> Self {
        let queue = FrameQueue::new(config.queue_capacity);
        let micros = |timer| u64::try_from(config.timers.get(timer).as_micros()).unwrap_or(u64::MAX);
        let timer_micros = [micros(LinkTimer::T200), micros(LinkTimer::T203)];
        Link {
            timer_micros,
            config,
            state: LinkState::TeiAssigned,
            vs: 0,
            va: 0,
            vr: 0,
            rc: 0,
            peer_busy: false,
            own_busy: false,
            reject_exception: false,
            ack_pending: false,
            l3_initiated: false,
            timers: TimerTable::new(),
            queue,
            unit_data: FrameQueue::new(UNIT_DATA_QUEUE),
            control: Ring::new(),
            events: Ring::new(),
            stats: LinkStats::default(),
        }
    }

    /// The state.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Whether multiple-frame operation is established (states 7 and 8).
    pub fn is_established(&self) -> bool {
        matches!(self.state, LinkState::MultipleFrameEstablished | LinkState::TimerRecovery)
    }

    /// The configuration.
    pub fn config(&self) -> &LinkConfig {
        &self.config
    }

    /// Counters.
    pub fn stats(&self) -> LinkStats {
        LinkStats { dropped_outputs: self.control.dropped + self.events.dropped, ..self.stats }
    }

    /// V(S), V(A), V(R).
    pub fn sequence_state(&self) -> (u8, u8, u8) {
        (self.vs, self.va, self.vr)
    }

    /// Whether the peer said it is busy (RNR).
    pub fn peer_busy(&self) -> bool {
        self.peer_busy
    }

    /// I frames queued (unacknowledged or not yet sent).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// DL-ESTABLISH request.
    pub fn establish(&mut self, now: Instant) {
        match self.state {
            LinkState::TeiAssigned => {
                self.establish_data_link(now);
                self.l3_initiated = true;
            }
            LinkState::AwaitingEstablishment => self.l3_initiated = true,
            LinkState::AwaitingRelease => {}
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.queue.clear();
                self.establish_data_link(now);
                self.l3_initiated = true;
            }
        }
    }

    /// DL-RELEASE request.
    pub fn release(&mut self, now: Instant) {
        match self.state {
            LinkState::TeiAssigned => self.events.push(LinkEvent::Released { requested: true }),
            LinkState::AwaitingEstablishment => {
                self.queue.clear();
                self.timers.stop_all();
                self.state = LinkState::TeiAssigned;
                self.events.push(LinkEvent::Released { requested: true });
            }
            LinkState::AwaitingRelease => {}
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.queue.clear();
                self.rc = 0;
                self.send_unnumbered(Unnumbered::Disc, true);
                self.timers.stop(LinkTimer::T203);
                self.start(LinkTimer::T200, now);
                self.state = LinkState::AwaitingRelease;
            }
        }
    }

    /// DL-DATA request: queues `info` for transmission in an I frame.
    pub fn send(&mut self, info: &[u8]) -> Result<(), SendError> {
        if info.len() > N201 {
            return Err(SendError::TooLong { len: info.len() });
        }
        self.check_can_send()?;
        if self.queue.push(info) { Ok(()) } else { Err(SendError::QueueFull) }
    }

    /// DL-DATA request whose information field `encode` writes straight into the queue (a
    /// buffer of N201 octets), returning its length, or `None` when it does not fit (then
    /// nothing is queued and [`SendError::TooLong`] comes back with the buffer's length).
    pub fn send_with(&mut self, encode: impl FnOnce(&mut [u8]) -> Option<usize>) -> Result<(), SendError> {
        self.check_can_send()?;
        if self.queue.is_full() {
            return Err(SendError::QueueFull);
        }
        if self.queue.push_encoded(encode) { Ok(()) } else { Err(SendError::TooLong { len: N201 }) }
    }

    fn check_can_send(&self) -> Result<(), SendError> {
        match self.state {
            LinkState::TeiAssigned | LinkState::AwaitingRelease => Err(SendError::NotEstablished),
            _ => Ok(()),
        }
    }

    /// DL-UNIT-DATA request: queues `info` for a UI command frame, sent outside the
    /// acknowledged procedures (no sequence numbers, no retransmission). Allowed in every state:
    /// the TEI of a primary rate interface is always assigned.
    pub fn send_unit_data(&mut self, info: &[u8]) -> Result<(), SendError> {
        if info.len() > N201 {
            return Err(SendError::TooLong { len: info.len() });
        }
        if self.unit_data.push(info) { Ok(()) } else { Err(SendError::QueueFull) }
    }

    /// Enters or leaves the own-receiver-busy condition (§5.6.6): the peer is told with RNR,
    /// and with RR when it ends.
    pub fn set_receiver_busy(&mut self, busy: bool) {
        if busy == self.own_busy {
            return;
        }
        self.own_busy = busy;
        if self.is_established() {
            let kind = if busy { Supervisory::Rnr } else { Supervisory::Rr };
            self.send_supervisory(kind, false, false);
            self.ack_pending = false;
        }
    }

    /// Handles one received frame (without flags and FCS). Returns the layer 3 data it
    /// carried, borrowed from `frame`.
    pub fn handle_frame<'a>(&mut self, now: Instant, frame: &'a [u8]) -> Received<'a> {
        self.stats.frames_received += 1;
        let repr = match FrameRepr::parse_bytes(frame) {
            Ok(repr) => repr,
            Err(error) => {
                if let Some(address) = error.address()
                    && self.addressed_to_me(address)
                {
                    self.stats.bad_frames += 1;
                    let code = match error {
                        FrameError::UndefinedControl { .. } => MdlError::L,
                        FrameError::WrongLength { .. } => MdlError::N,
                        _ => MdlError::O,
                    };
                    self.frame_rejection(now, code);
                }
                return Received::Nothing;
            }
        };
        if repr.address.sapi == SAPI_MANAGEMENT {
            self.handle_management(&repr);
            return Received::Nothing;
        }
        if !self.addressed_to_me(repr.address) {
            return Received::Nothing;
        }
        let command = repr.address.cr == self.config.side.peer().command_cr();
        match repr.control {
            Control::I { ns, nr, p } if command && repr.address.tei == self.config.tei => {
                return self.receive_i(now, ns, nr, p, repr.info);
            }
            Control::I { .. } => {}
            Control::S { kind, nr, pf } => self.receive_supervisory(now, kind, nr, pf, command),
            Control::U { kind: Unnumbered::Ui, .. } if command => return Received::UnitData(repr.info),
            Control::U { kind: Unnumbered::Sabme, pf } if command => self.receive_sabme(now, pf),
            Control::U { kind: Unnumbered::Disc, pf } if command => self.receive_disc(pf),
            Control::U { kind: Unnumbered::Ua, pf } if !command => self.receive_ua(now, pf),
            Control::U { kind: Unnumbered::Dm, pf } if !command => self.receive_dm(now, pf),
            Control::U { kind: Unnumbered::Frmr, .. } if !command => self.receive_frmr(now),
            Control::U { .. } => {}
        }
        Received::Nothing
    }

    /// Runs the timers that expired at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(timer) = self.timers.pop_expired(now) {
            match timer {
                LinkTimer::T200 => self.t200_expired(now),
                LinkTimer::T203 => self.t203_expired(now),
            }
        }
    }

    /// The next frame to send, written into `buffer` (at least [`MAX_FRAME_LEN`] octets;
    /// a smaller buffer gets nothing). Control frames go first, then I frames the window
    /// allows, then a pending acknowledgement.
    pub fn poll_transmit(&mut self, now: Instant, buffer: &mut [u8]) -> Option<usize> {
        if buffer.len() < MAX_FRAME_LEN {
            return None;
        }
        let len = self.next_frame(now, buffer)?;
        self.stats.frames_sent += 1;
        Some(len)
    }

    fn next_frame(&mut self, now: Instant, buffer: &mut [u8]) -> Option<usize> {
        if let Some(pending) = self.control.pop() {
            // A supervisory frame acknowledges everything received by the time it leaves.
            let control = match pending.control {
                Control::S { kind, pf, .. } => {
                    self.ack_pending = false;
                    Control::S { kind, nr: self.vr, pf }
                }
                other => other,
            };
            let repr = FrameRepr {
                address: pending.address,
                control,
                info: &pending.info[..usize::from(pending.info_len)],
            };
            return repr.emit(buffer).ok();
        }
        if let Some(info) = self.unit_data.get(0) {
            let repr = FrameRepr {
                address: self.address(true),
                control: Control::U { kind: Unnumbered::Ui, pf: false },
                info,
            };
            let len = repr.emit(buffer).ok();
            self.unit_data.pop_front(1);
            return len;
        }
        if self.state == LinkState::MultipleFrameEstablished
            && !self.peer_busy
            && seq_diff(self.vs, self.va) < self.config.k
            && let Some(info) = self.queue.get(usize::from(seq_diff(self.vs, self.va)))
        {
            let repr = FrameRepr {
                address: self.address(true),
                control: Control::I { ns: self.vs, nr: self.vr, p: false },
                info,
            };
            let len = repr.emit(buffer).ok()?;
            self.vs = seq_add(self.vs, 1);
            self.ack_pending = false;
            if !self.timers.is_running(LinkTimer::T200) {
                self.timers.stop(LinkTimer::T203);
                self.start(LinkTimer::T200, now);
            }
            return Some(len);
        }
        if self.ack_pending && self.is_established() {
            self.ack_pending = false;
            let kind = if self.own_busy { Supervisory::Rnr } else { Supervisory::Rr };
            let repr = FrameRepr {
                address: self.address(false),
                control: Control::S { kind, nr: self.vr, pf: false },
                info: &[],
            };
            return repr.emit(buffer).ok();
        }
        None
    }

    /// The next link event.
    pub fn poll_event(&mut self) -> Option<LinkEvent> {
        self.events.pop()
    }

    /// Whether [`Link::poll_event`] has something.
    #[inline]
    pub fn has_events(&self) -> bool {
        self.events.len() > 0
    }

    /// When [`Link::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    /// Whether a call to `poll_transmit` would produce a frame.
    pub fn has_output(&self) -> bool {
        self.control.len() > 0
            || self.unit_data.len() > 0
            || (self.ack_pending && self.is_established())
            || (self.state == LinkState::MultipleFrameEstablished
                && !self.peer_busy
                && seq_diff(self.vs, self.va) < self.config.k
                && usize::from(seq_diff(self.vs, self.va)) < self.queue.len())
    }

    // ---- frame reception ----

    fn addressed_to_me(&self, address: Address) -> bool {
        address.sapi == SAPI_CALL_CONTROL && (address.tei == self.config.tei || address.tei == TEI_GROUP)
    }

    fn handle_management(&mut self, repr: &FrameRepr<'_>) {
        let Control::U { kind: Unnumbered::Ui, .. } = repr.control else {
            return;
        };
        let Some(message) = TeiMessage::parse(repr.info) else {
            return;
        };
        let checks_me = message.action == self.config.tei || message.action == TEI_GROUP;
        if self.config.side == Side::User
            && message.message_type == TeiMessageType::IdentityCheckRequest
            && checks_me
        {
            let reply = TeiMessage {
                reference: message.reference,
                message_type: TeiMessageType::IdentityCheckResponse,
                action: self.config.tei,
            };
            self.control.push(PendingFrame {
                address: Address { sapi: SAPI_MANAGEMENT, cr: self.config.side.command_cr(), tei: TEI_GROUP },
                control: Control::U { kind: Unnumbered::Ui, pf: false },
                info: reply.to_bytes(),
                info_len: TeiMessage::LEN as u8,
            });
        } else {
            self.events.push(LinkEvent::Management(message));
        }
    }

    fn receive_sabme(&mut self, now: Instant, pf: bool) {
        match self.state {
            LinkState::TeiAssigned => {
                self.send_unnumbered(Unnumbered::Ua, pf);
                self.clear_exceptions();
                self.reset_sequence();
                self.timers.stop(LinkTimer::T200);
                self.start(LinkTimer::T203, now);
                self.state = LinkState::MultipleFrameEstablished;
                self.events.push(LinkEvent::Established { requested: false, reset: false });
            }
            // Collision of SABMEs (§5.5.1.4): answer, and establish when our UA comes back.
            LinkState::AwaitingEstablishment => self.send_unnumbered(Unnumbered::Ua, pf),
            LinkState::AwaitingRelease => self.send_unnumbered(Unnumbered::Dm, pf),
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.send_unnumbered(Unnumbered::Ua, pf);
                self.clear_exceptions();
                self.events.push(LinkEvent::Error(MdlError::F));
                if self.vs != self.va {
                    self.queue.clear();
                    self.events.push(LinkEvent::Established { requested: false, reset: true });
                }
                self.reset_sequence();
                self.timers.stop(LinkTimer::T200);
                self.start(LinkTimer::T203, now);
                self.state = LinkState::MultipleFrameEstablished;
            }
        }
    }

    fn receive_disc(&mut self, pf: bool) {
        match self.state {
            LinkState::TeiAssigned | LinkState::AwaitingEstablishment => {
                self.send_unnumbered(Unnumbered::Dm, pf)
            }
            LinkState::AwaitingRelease => self.send_unnumbered(Unnumbered::Ua, pf),
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.queue.clear();
                self.send_unnumbered(Unnumbered::Ua, pf);
                self.timers.stop_all();
                self.state = LinkState::TeiAssigned;
                self.events.push(LinkEvent::Released { requested: false });
            }
        }
    }

    fn receive_ua(&mut self, now: Instant, pf: bool) {
        match self.state {
            LinkState::AwaitingEstablishment if pf => {
                if self.l3_initiated {
                    self.events.push(LinkEvent::Established { requested: true, reset: false });
                } else if self.vs != self.va {
                    self.queue.clear();
                    self.events.push(LinkEvent::Established { requested: false, reset: true });
                }
                self.l3_initiated = false;
                self.reset_sequence();
                self.timers.stop(LinkTimer::T200);
                self.start(LinkTimer::T203, now);
                self.state = LinkState::MultipleFrameEstablished;
            }
            LinkState::AwaitingRelease if pf => {
                self.timers.stop_all();
                self.state = LinkState::TeiAssigned;
                self.events.push(LinkEvent::Released { requested: true });
            }
            _ => self.events.push(LinkEvent::Error(if pf { MdlError::C } else { MdlError::D })),
        }
    }

    fn receive_dm(&mut self, now: Instant, pf: bool) {
        match self.state {
            LinkState::TeiAssigned => {
                if !pf {
                    self.establish_data_link(now);
                    self.l3_initiated = false;
                }
            }
            LinkState::AwaitingEstablishment => {
                if pf {
                    self.queue.clear();
                    self.timers.stop_all();
                    self.state = LinkState::TeiAssigned;
                    self.l3_initiated = false;
                    self.events.push(LinkEvent::Released { requested: false });
                }
            }
            LinkState::AwaitingRelease => {
                if pf {
                    self.timers.stop_all();
                    self.state = LinkState::TeiAssigned;
                    self.events.push(LinkEvent::Released { requested: true });
                }
            }
            LinkState::MultipleFrameEstablished if pf => self.events.push(LinkEvent::Error(MdlError::B)),
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {
                self.events.push(LinkEvent::Error(if pf { MdlError::B } else { MdlError::E }));
                self.establish_data_link(now);
                self.l3_initiated = false;
            }
        }
    }

    fn receive_frmr(&mut self, now: Instant) {
        if self.is_established() {
            self.events.push(LinkEvent::Error(MdlError::K));
            self.establish_data_link(now);
            self.l3_initiated = false;
        }
    }

    fn frame_rejection(&mut self, now: Instant, code: MdlError) {
        self.events.push(LinkEvent::Error(code));
        if self.is_established() {
            self.establish_data_link(now);
            self.l3_initiated = false;
        }
    }

    fn receive_supervisory(&mut self, now: Instant, kind: Supervisory, nr: u8, pf: bool, command: bool) {
        match self.state {
            LinkState::TeiAssigned => {
                if command && pf {
                    self.send_unnumbered(Unnumbered::Dm, true);
                }
                return;
            }
            LinkState::AwaitingEstablishment | LinkState::AwaitingRelease => return,
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {}
        }
        self.peer_busy = kind == Supervisory::Rnr;
        if command && pf {
            self.enquiry_response();
        } else if !command && pf && self.state == LinkState::MultipleFrameEstablished {
            self.events.push(LinkEvent::Error(MdlError::A));
        }
        if !self.nr_valid(nr) {
            self.nr_error_recovery(now);
            return;
        }
        if self.state == LinkState::TimerRecovery {
            self.acknowledge(nr);
            if !command && pf {
                self.timers.stop(LinkTimer::T200);
                self.start(LinkTimer::T203, now);
                self.invoke_retransmission();
                self.state = LinkState::MultipleFrameEstablished;
            }
            return;
        }
        match kind {
            Supervisory::Rr => self.acknowledge_with_timers(now, nr),
            Supervisory::Rej => {
                self.acknowledge(nr);
                self.timers.stop(LinkTimer::T200);
                self.start(LinkTimer::T203, now);
                self.invoke_retransmission();
            }
            Supervisory::Rnr => {
                self.acknowledge(nr);
                self.timers.stop(LinkTimer::T203);
                self.start(LinkTimer::T200, now);
            }
        }
    }

    fn receive_i<'a>(&mut self, now: Instant, ns: u8, nr: u8, p: bool, info: &'a [u8]) -> Received<'a> {
        match self.state {
            LinkState::TeiAssigned => {
                if p {
                    self.send_unnumbered(Unnumbered::Dm, true);
                }
                return Received::Nothing;
            }
            LinkState::AwaitingEstablishment | LinkState::AwaitingRelease => return Received::Nothing,
            LinkState::MultipleFrameEstablished | LinkState::TimerRecovery => {}
        }
        let mut delivered = Received::Nothing;
        if self.own_busy {
            if p {
                self.send_supervisory(Supervisory::Rnr, false, true);
                self.ack_pending = false;
            }
        } else if ns == self.vr {
            self.vr = seq_add(self.vr, 1);
            self.reject_exception = false;
            delivered = Received::Data(info);
            if p {
                self.send_supervisory(Supervisory::Rr, false, true);
                self.ack_pending = false;
            } else {
                self.ack_pending = true;
            }
        } else if self.reject_exception {
            if p {
                self.send_supervisory(Supervisory::Rr, false, true);
                self.ack_pending = false;
            }
        } else {
            self.reject_exception = true;
            self.send_supervisory(Supervisory::Rej, false, p);
            self.ack_pending = false;
        }
        if !self.nr_valid(nr) {
            self.nr_error_recovery(now);
            return delivered;
        }
        if self.state == LinkState::TimerRecovery || self.peer_busy {
            self.acknowledge(nr);
        } else {
            self.acknowledge_with_timers(now, nr);
        }
        delivered
    }

    // ---- timers ----

    fn t200_expired(&mut self, now: Instant) {
        match self.state {
            LinkState::TeiAssigned => {}
            LinkState::AwaitingEstablishment => {
                if self.rc >= self.config.n200 {
                    self.queue.clear();
                    self.events.push(LinkEvent::Error(MdlError::G));
                    self.events.push(LinkEvent::Released { requested: false });
                    self.l3_initiated = false;
                    self.state = LinkState::TeiAssigned;
                } else {
                    self.rc += 1;
                    self.send_unnumbered(Unnumbered::Sabme, true);
                    self.start(LinkTimer::T200, now);
                }
            }
            LinkState::AwaitingRelease => {
                if self.rc >= self.config.n200 {
                    self.events.push(LinkEvent::Error(MdlError::H));
                    self.events.push(LinkEvent::Released { requested: true });
                    self.state = LinkState::TeiAssigned;
                } else {
                    self.rc += 1;
                    self.send_unnumbered(Unnumbered::Disc, true);
                    self.start(LinkTimer::T200, now);
                }
            }
            LinkState::MultipleFrameEstablished => {
                self.rc = 0;
                self.transmit_enquiry();
                self.rc += 1;
                self.start(LinkTimer::T200, now);
                self.state = LinkState::TimerRecovery;
            }
            LinkState::TimerRecovery => {
                if self.rc >= self.config.n200 {
                    self.events.push(LinkEvent::Error(MdlError::I));
                    self.establish_data_link(now);
                    self.l3_initiated = false;
                } else {
                    self.transmit_enquiry();
                    self.rc += 1;
                    self.start(LinkTimer::T200, now);
                }
            }
        }
    }

    fn t203_expired(&mut self, now: Instant) {
        if self.state == LinkState::MultipleFrameEstablished {
            self.transmit_enquiry();
            self.rc = 0;
            self.start(LinkTimer::T200, now);
            self.state = LinkState::TimerRecovery;
        }
    }

    // ---- procedures named by the SDL ----

    fn establish_data_link(&mut self, now: Instant) {
        self.clear_exceptions();
        self.rc = 0;
        self.send_unnumbered(Unnumbered::Sabme, true);
        self.timers.stop(LinkTimer::T203);
        self.start(LinkTimer::T200, now);
        self.state = LinkState::AwaitingEstablishment;
    }

    fn clear_exceptions(&mut self) {
        self.peer_busy = false;
        self.reject_exception = false;
        self.own_busy = false;
        self.ack_pending = false;
    }

    fn reset_sequence(&mut self) {
        self.vs = 0;
        self.va = 0;
        self.vr = 0;
    }

    fn nr_valid(&self, nr: u8) -> bool {
        seq_diff(nr, self.va) <= seq_diff(self.vs, self.va)
    }

    fn nr_error_recovery(&mut self, now: Instant) {
        self.events.push(LinkEvent::Error(MdlError::J));
        self.establish_data_link(now);
        self.l3_initiated = false;
    }

    /// V(A) = N(R), dropping the acknowledged frames.
    fn acknowledge(&mut self, nr: u8) {
        self.queue.pop_front(usize::from(seq_diff(nr, self.va)));
        self.va = nr;
    }

    /// N(R) handling of state 7: all acknowledged stops T200 and restarts T203; progress
    /// restarts T200.
    fn acknowledge_with_timers(&mut self, now: Instant, nr: u8) {
        if nr == self.vs {
            self.acknowledge(nr);
            self.timers.stop(LinkTimer::T200);
            self.start(LinkTimer::T203, now);
        } else if nr != self.va {
            self.acknowledge(nr);
            self.start(LinkTimer::T200, now);
        }
    }

    fn invoke_retransmission(&mut self) {
        self.stats.retransmissions += u64::from(seq_diff(self.vs, self.va));
        self.vs = self.va;
    }

    fn transmit_enquiry(&mut self) {
        let kind = if self.own_busy { Supervisory::Rnr } else { Supervisory::Rr };
        self.send_supervisory(kind, true, true);
        self.ack_pending = false;
    }

    fn enquiry_response(&mut self) {
        let kind = if self.own_busy { Supervisory::Rnr } else { Supervisory::Rr };
        self.send_supervisory(kind, false, true);
        self.ack_pending = false;
    }

    // ---- output helpers ----

    fn address(&self, command: bool) -> Address {
        let command_cr = self.config.side.command_cr();
        Address {
            sapi: SAPI_CALL_CONTROL,
            cr: if command { command_cr } else { !command_cr },
            tei: self.config.tei,
        }
    }

    fn start(&mut self, timer: LinkTimer, now: Instant) {
        let duration = self.timer_micros[timer.index()];
        self.timers.set(timer, Instant::from_micros(now.as_micros().saturating_add(duration)));
    }

    fn send_unnumbered(&mut self, kind: Unnumbered, pf: bool) {
        let command = matches!(kind, Unnumbered::Sabme | Unnumbered::Disc | Unnumbered::Ui);
        self.push_control(command, Control::U { kind, pf });
    }

    fn send_supervisory(&mut self, kind: Supervisory, command: bool, pf: bool) {
        self.push_control(command, Control::S { kind, nr: self.vr, pf });
    }

    fn push_control(&mut self, command: bool, control: Control) {
        self.control.push(PendingFrame {
            address: self.address(command),
            control,
            info: [0; TeiMessage::LEN],
            info_len: 0,
        });
    }
}

#[cfg(test)]
mod tests;
