//! A far end for the external line port (`docs/board-abi.md`, "The external line port"): its
//! own E1 line on the other side of a simulated span, for C peers (libpri, OpenR2, ...) or any
//! test to sit on.
//!
//! Two parts that know nothing of each other:
//! - [`FarEnd`] is the line, sans-IO: 256 received octets in, 256 octets to send out, once per
//!   block. Inside runs the driver's software framer ([`Framer`], to align on what arrives and
//!   to build its own timeslot 0 with CRC-4), and TS16 as either a soft-HDLC signaling channel
//!   or the CAS multiframe. Per block it exposes the frames received, each timeslot's octets
//!   both ways, the HDLC frames received (and takes frames to send), and the ABCD bits both
//!   ways.
//! - [`LinePort`] is the socket: connect, check the hello, then blocks each way.
//!
//! Time is the blocks exchanged: the simulator paces the line, one block of 8 frames per
//! exchange, so the far end runs on the span's clock. There is therefore no elastic store and
//! no slip: every frame the framer aligns on is delivered exactly once, and every block sends
//! exactly 8 frames. (The block in which alignment is found delivers fewer.)
//!
//! Two ways to drive it:
//! - *Responder* (a thread or process of its own): `port.receive()`, [`FarEnd::receive_block`],
//!   [`FarEnd::transmit_block`], `port.send()`, as the protocol reads.
//! - *Ahead* (the thread that also steps the simulator): [`LinePort::send`] block N before the
//!   simulator's step N, [`LinePort::receive`] after it. The simulator reads a block the peer
//!   already wrote at once, so one thread runs the span, its far end and whatever sits on the
//!   far end in lockstep, and every run is the same. What the far end sends then answers what
//!   it received one block later, like one more millisecond of cable.
//!
//! The hello reaches the peer only when the simulator accepts it, at the start of its next
//! block, so [`LinePort::receive`] checks it before the first block rather than
//! [`LinePort::connect`]; the ahead mode depends on that.

use std::fmt;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use tdm_driver::framer::{
    Alarms, CasError, CasReceiver, CasTransmitter, Counters, Crc4Mode, FRAME_OCTETS, Frame, Framer,
    FramerConfig, SyncState,
};
use tdm_driver::hdlc::{
    HdlcConfig, HdlcCounters, HdlcDecoder, HdlcEncoder, HdlcEvent, HdlcSendError, MAX_FRAME,
};

/// Frames in one block of the line port.
pub const FRAMES_PER_BLOCK: usize = 8;
/// Octets of one block in either direction.
pub const LINE_BLOCK_OCTETS: usize = FRAMES_PER_BLOCK * FRAME_OCTETS;
/// Octets of the hello the simulator sends on connect.
pub const HELLO_OCTETS: usize = 16;
/// The hello's first eight octets.
pub const HELLO_MAGIC: [u8; 8] = *b"TDMLINE1";
/// Most frames one received block can complete: 8 at any steady bit offset, and room to
/// spare (a frame that does not fit is counted in [`Overflows::frames`]).
pub const MAX_RX_FRAMES: usize = FRAMES_PER_BLOCK + 2;
/// Most HDLC frames one block can complete. A frame takes at least 3 octets, 2 of FCS and a
/// flag (48 bits) on a 64 kbit/s timeslot that carries at most 80 bits a block: two, doubled.
pub const MAX_RX_HDLC: usize = 4;
/// Frames [`FarEnd::send_hdlc`] queues behind the one the encoder is sending.
pub const HDLC_QUEUE: usize = 32;
/// Most debounced ABCD changes one block can report: two per frame.
pub const MAX_ABCD_CHANGES: usize = 2 * MAX_RX_FRAMES;
/// Octet sent on a timeslot nobody filled: A-law silence (the positive zero, even bits
/// inverted).
pub const IDLE_OCTET: u8 = 0xD5;
/// The signaling timeslot.
pub const TS16: u8 = 16;

/// What timeslot 16 carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ts16 {
    /// A common channel: HDLC frames (Q.921 LAPD, MTP2).
    Hdlc(HdlcConfig),
    /// The CAS multiframe; a new ABCD value is reported once it held for this many
    /// multiframes (2 ms each).
    Cas {
        /// Multiframes a change must hold (0 is taken as 1).
        debounce_multiframes: u8,
    },
}

/// How a [`FarEnd`] is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FarEndConfig {
    /// Framing and CRC-4 of its own line.
    pub framer: FramerConfig,
    /// Use of TS16.
    pub ts16: Ts16,
}

impl FarEndConfig {
    /// A primary rate interface's far end: CRC-4 on, TS16 an HDLC D-channel (flag idle,
    /// 3 to [`MAX_FRAME`] octets).
    pub fn ccs() -> Self {
        FarEndConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            ts16: Ts16::Hdlc(HdlcConfig::default()),
        }
    }

    /// A CAS trunk's far end (China No.1, R2): CRC-4 on, ABCD changes debounced over 2
    /// multiframes as the driver does by default.
    pub fn cas() -> Self {
        FarEndConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            ts16: Ts16::Cas { debounce_multiframes: 2 },
        }
    }
}

/// Why a frame could not be queued for TS16.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendHdlcError {
    /// TS16 carries CAS on this far end.
    NotHdlc,
    /// [`HDLC_QUEUE`] frames already wait.
    QueueFull,
    /// Shorter than the configured minimum.
    TooShort {
        /// The frame's length.
        len: usize,
        /// The minimum.
        min: usize,
    },
    /// Longer than the configured maximum.
    TooLong {
        /// The frame's length.
        len: usize,
        /// The maximum.
        max: usize,
    },
}

impl fmt::Display for SendHdlcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendHdlcError::NotHdlc => f.write_str("TS16 carries CAS, not HDLC, on this far end"),
            SendHdlcError::QueueFull => write!(f, "{HDLC_QUEUE} HDLC frames already wait to be sent"),
            SendHdlcError::TooShort { len, min } => {
                write!(f, "HDLC frame of {len} octets is shorter than the minimum {min}")
            }
            SendHdlcError::TooLong { len, max } => {
                write!(f, "HDLC frame of {len} octets is longer than the maximum {max}")
            }
        }
    }
}

impl std::error::Error for SendHdlcError {}

/// Why ABCD bits could not be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAbcdError {
    /// TS16 carries HDLC on this far end.
    NotCas,
    /// The CAS transmitter refused it (no such CAS timeslot, or 0000 on TS1..15).
    Cas(CasError),
}

impl fmt::Display for SetAbcdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetAbcdError::NotCas => f.write_str("TS16 carries HDLC, not CAS, on this far end"),
            SetAbcdError::Cas(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for SetAbcdError {}

/// Guards that should never trip: data the fixed per-block stores had no room for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Overflows {
    /// Received frames beyond [`MAX_RX_FRAMES`] in one block.
    pub frames: u64,
    /// Received HDLC frames beyond [`MAX_RX_HDLC`] in one block.
    pub hdlc_frames: u64,
    /// ABCD changes beyond [`MAX_ABCD_CHANGES`] in one block.
    pub abcd_changes: u64,
}

/// Fixed storage for whole HDLC frames, first in first out.
struct FrameStore<const N: usize> {
    data: Box<[[u8; MAX_FRAME]; N]>,
    lengths: [usize; N],
    head: usize,
    count: usize,
}

impl<const N: usize> FrameStore<N> {
    fn new() -> Self {
        FrameStore { data: Box::new([[0; MAX_FRAME]; N]), lengths: [0; N], head: 0, count: 0 }
    }

    /// `false` when full or the frame is longer than [`MAX_FRAME`].
    fn push(&mut self, frame: &[u8]) -> bool {
        if self.count == N || frame.len() > MAX_FRAME {
            return false;
        }
        let slot = (self.head + self.count) % N;
        self.data[slot][..frame.len()].copy_from_slice(frame);
        self.lengths[slot] = frame.len();
        self.count += 1;
        true
    }

    fn front(&self) -> Option<&[u8]> {
        (self.count > 0).then(|| &self.data[self.head][..self.lengths[self.head]])
    }

    fn pop(&mut self) {
        if self.count > 0 {
            self.head = (self.head + 1) % N;
            self.count -= 1;
        }
    }

    fn clear(&mut self) {
        self.head = 0;
        self.count = 0;
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.count).map(|i| {
            let slot = (self.head + i) % N;
            &self.data[slot][..self.lengths[slot]]
        })
    }

    fn len(&self) -> usize {
        self.count
    }
}

/// TS16 as a D-channel.
struct HdlcLink {
    encoder: HdlcEncoder,
    decoder: HdlcDecoder,
    outgoing: FrameStore<HDLC_QUEUE>,
    received: FrameStore<MAX_RX_HDLC>,
}

/// TS16 as the CAS multiframe.
struct CasLink {
    receiver: CasReceiver,
    transmitter: CasTransmitter,
    changes: [(u8, u8); MAX_ABCD_CHANGES],
    change_count: usize,
}

enum Signaling {
    Hdlc(Box<HdlcLink>),
    Cas(CasLink),
}

/// The far end's E1 line: what the span sent, aligned and taken apart; what to send back,
/// framed.
pub struct FarEnd {
    framer: Framer,
    signaling: Signaling,
    blocks: u64,
    /// Frames completed by the last received block, TS0 included.
    received: [Frame; MAX_RX_FRAMES],
    received_count: usize,
    /// Octets each timeslot sends in the next block.
    outgoing: [[u8; FRAMES_PER_BLOCK]; 32],
    overflows: Overflows,
}

impl FarEnd {
    /// A line searching for alignment, sending idle octets and, on TS16, flags or CAS idle
    /// (ABCD 1101 on every channel).
    pub fn new(config: FarEndConfig) -> Self {
        let signaling = match config.ts16 {
            Ts16::Hdlc(hdlc) => Signaling::Hdlc(Box::new(HdlcLink {
                encoder: HdlcEncoder::new(hdlc),
                decoder: HdlcDecoder::new(hdlc),
                outgoing: FrameStore::new(),
                received: FrameStore::new(),
            })),
            Ts16::Cas { debounce_multiframes } => Signaling::Cas(CasLink {
                receiver: CasReceiver::new(debounce_multiframes),
                transmitter: CasTransmitter::new(),
                changes: [(0, 0); MAX_ABCD_CHANGES],
                change_count: 0,
            }),
        };
        FarEnd {
            framer: Framer::new(config.framer),
            signaling,
            blocks: 0,
            received: [[0; FRAME_OCTETS]; MAX_RX_FRAMES],
            received_count: 0,
            outgoing: [[IDLE_OCTET; FRAMES_PER_BLOCK]; 32],
            overflows: Overflows::default(),
        }
    }

    // ---- the two directions of a block ----

    /// Takes the block the span sent: aligns, then hands TS16 to the HDLC decoder or the CAS
    /// receiver. What the block brought replaces what the previous one did. A block of all
    /// zeros is taken as loss of signal (a line interface sees no pulses: G.775 asks for far
    /// fewer zeros than 2048).
    pub fn receive_block(&mut self, block: &[u8; LINE_BLOCK_OCTETS]) {
        self.blocks += 1;
        self.received_count = 0;
        let los = block.iter().all(|&octet| octet == 0);
        let losses_before = self.framer.counters().alignment_losses;
        let (received, count, overflows) =
            (&mut self.received, &mut self.received_count, &mut self.overflows);
        self.framer.receive(block, los, |frame| {
            if *count < MAX_RX_FRAMES {
                received[*count] = *frame;
                *count += 1;
            } else {
                overflows.frames += 1;
            }
        });
        let lost = self.framer.counters().alignment_losses != losses_before;
        let frames = &self.received[..self.received_count];
        match &mut self.signaling {
            Signaling::Hdlc(link) => {
                link.received.clear();
                let mut column = [0u8; MAX_RX_FRAMES];
                for (octet, frame) in column.iter_mut().zip(frames) {
                    *octet = frame[usize::from(TS16)];
                }
                let (store, overflows) = (&mut link.received, &mut self.overflows);
                link.decoder.push(&column[..frames.len()], |event| {
                    if let HdlcEvent::Frame(bytes) = event
                        && !store.push(bytes)
                    {
                        overflows.hdlc_frames += 1;
                    }
                });
            }
            Signaling::Cas(link) => {
                link.change_count = 0;
                if lost {
                    // The frame sequence has a gap: the multiframe position is gone too.
                    link.receiver.reset_alignment();
                }
                let (changes, change_count, overflows) =
                    (&mut link.changes, &mut link.change_count, &mut self.overflows);
                for frame in frames {
                    link.receiver.frame(frame, |timeslot, abcd| {
                        if *change_count < MAX_ABCD_CHANGES {
                            changes[*change_count] = (timeslot, abcd);
                            *change_count += 1;
                        } else {
                            overflows.abcd_changes += 1;
                        }
                    });
                }
                link.transmitter.set_remote_alarm(!link.receiver.aligned());
            }
        }
    }

    /// The next block to send: each timeslot's octets as filled through
    /// [`FarEnd::transmit_audio`] (then reset to [`IDLE_OCTET`]), TS16 from the HDLC encoder
    /// fed from the queue or from the CAS transmitter, TS0 from the framer.
    pub fn transmit_block(&mut self) -> [u8; LINE_BLOCK_OCTETS] {
        let mut ts16 = [0u8; FRAMES_PER_BLOCK];
        if let Signaling::Hdlc(link) = &mut self.signaling {
            link.feed_encoder();
            link.encoder.fill(&mut ts16);
        }
        let mut block = [0u8; LINE_BLOCK_OCTETS];
        for (f, out) in block.chunks_exact_mut(FRAME_OCTETS).enumerate() {
            let mut frame: Frame = [IDLE_OCTET; FRAME_OCTETS];
            for (ts, octet) in frame.iter_mut().enumerate().skip(1) {
                *octet = self.outgoing[ts][f];
            }
            match &mut self.signaling {
                Signaling::Hdlc(_) => frame[usize::from(TS16)] = ts16[f],
                Signaling::Cas(link) => link.transmitter.fill(&mut frame),
            }
            self.framer.transmit(&mut frame);
            out.copy_from_slice(&frame);
        }
        self.outgoing = [[IDLE_OCTET; FRAMES_PER_BLOCK]; 32];
        block
    }

    // ---- what a block brought ----

    /// Blocks received so far: the far end's virtual time in milliseconds.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// The frames the last received block completed, in line order, TS0 included.
    pub fn received_frames(&self) -> &[Frame] {
        &self.received[..self.received_count]
    }

    /// Octets of `timeslot` in the last received block, in line order (none for a timeslot
    /// above 31).
    pub fn received_audio(&self, timeslot: u8) -> impl Iterator<Item = u8> + '_ {
        let frames = if timeslot < 32 { self.received_frames() } else { &[] };
        frames.iter().map(move |frame| frame[usize::from(timeslot)])
    }

    /// The HDLC frames (FCS checked and removed) completed on TS16 by the last received block.
    pub fn received_hdlc(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let store = match &self.signaling {
            Signaling::Hdlc(link) => Some(&link.received),
            Signaling::Cas(_) => None,
        };
        store.into_iter().flat_map(FrameStore::iter)
    }

    /// The debounced ABCD changes `(timeslot, abcd)` the last received block confirmed.
    pub fn abcd_changes(&self) -> &[(u8, u8)] {
        match &self.signaling {
            Signaling::Cas(link) => &link.changes[..link.change_count],
            Signaling::Hdlc(_) => &[],
        }
    }

    /// The debounced ABCD received for `timeslot` (0 before any, for a timeslot that carries
    /// no CAS, and on an HDLC far end).
    pub fn received_abcd(&self, timeslot: u8) -> u8 {
        match &self.signaling {
            Signaling::Cas(link) => link.receiver.abcd(timeslot),
            Signaling::Hdlc(_) => 0,
        }
    }

    /// Whether the CAS multiframe is aligned (always `false` on an HDLC far end).
    pub fn cas_aligned(&self) -> bool {
        matches!(&self.signaling, Signaling::Cas(link) if link.receiver.aligned())
    }

    // ---- what to send ----

    /// The octets `timeslot` sends in the next block, to fill (they start as [`IDLE_OCTET`]).
    /// `None` for TS0 and TS16, which the far end builds itself, and above 31.
    pub fn transmit_audio(&mut self, timeslot: u8) -> Option<&mut [u8; FRAMES_PER_BLOCK]> {
        match timeslot {
            1..=15 | 17..=31 => Some(&mut self.outgoing[usize::from(timeslot)]),
            _ => None,
        }
    }

    /// Queues a frame (without FCS) for TS16.
    pub fn send_hdlc(&mut self, frame: &[u8]) -> Result<(), SendHdlcError> {
        let Signaling::Hdlc(link) = &mut self.signaling else { return Err(SendHdlcError::NotHdlc) };
        let config = link.encoder.config();
        if frame.len() < config.min_frame {
            return Err(SendHdlcError::TooShort { len: frame.len(), min: config.min_frame });
        }
        if frame.len() > config.max_frame {
            return Err(SendHdlcError::TooLong { len: frame.len(), max: config.max_frame });
        }
        if link.outgoing.push(frame) { Ok(()) } else { Err(SendHdlcError::QueueFull) }
    }

    /// Frames queued for TS16 that the encoder has not taken yet.
    pub fn hdlc_queued(&self) -> usize {
        match &self.signaling {
            Signaling::Hdlc(link) => link.outgoing.len(),
            Signaling::Cas(_) => 0,
        }
    }

    /// Sets the ABCD bits `timeslot` sends from the next CAS frame that carries them on.
    pub fn set_abcd(&mut self, timeslot: u8, abcd: u8) -> Result<(), SetAbcdError> {
        match &mut self.signaling {
            Signaling::Cas(link) => link.transmitter.try_set_abcd(timeslot, abcd).map_err(SetAbcdError::Cas),
            Signaling::Hdlc(_) => Err(SetAbcdError::NotCas),
        }
    }

    /// The ABCD bits `timeslot` sends (0 on an HDLC far end).
    pub fn sent_abcd(&self, timeslot: u8) -> u8 {
        match &self.signaling {
            Signaling::Cas(link) => link.transmitter.abcd(timeslot),
            Signaling::Hdlc(_) => 0,
        }
    }

    // ---- line state ----

    /// Receive alignment.
    pub fn sync(&self) -> SyncState {
        self.framer.sync()
    }

    /// Receive defects present now.
    pub fn alarms(&self) -> Alarms {
        self.framer.alarms()
    }

    /// The framer's receive counters.
    pub fn counters(&self) -> &Counters {
        self.framer.counters()
    }

    /// The HDLC decoder's counters (`None` on a CAS far end).
    pub fn hdlc_counters(&self) -> Option<&HdlcCounters> {
        match &self.signaling {
            Signaling::Hdlc(link) => Some(link.decoder.counters()),
            Signaling::Cas(_) => None,
        }
    }

    /// What the per-block stores had no room for (all zero unless a guard tripped).
    pub fn overflows(&self) -> Overflows {
        self.overflows
    }
}

impl HdlcLink {
    /// Hands queued frames to the encoder while it has room (the frame in progress plus one).
    fn feed_encoder(&mut self) {
        while let Some(frame) = self.outgoing.front() {
            match self.encoder.send(frame) {
                Ok(()) => self.outgoing.pop(),
                Err(HdlcSendError::Busy) => return,
                // Checked when queued, against the same limits.
                Err(HdlcSendError::TooShort { .. } | HdlcSendError::TooLong { .. }) => self.outgoing.pop(),
            }
        }
    }
}

// ---- the socket ----

/// Why the hello was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelloError {
    /// The first eight octets are not `TDMLINE1`.
    Magic([u8; 8]),
    /// Frames per block other than 8.
    FramesPerBlock(u32),
    /// Flags this far end does not know (version 1 defines none).
    Flags(u32),
}

impl fmt::Display for HelloError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HelloError::Magic(magic) => write!(f, "hello starts with {magic:02x?}, expected \"TDMLINE1\""),
            HelloError::FramesPerBlock(n) => write!(f, "hello says {n} frames per block, expected 8"),
            HelloError::Flags(flags) => write!(f, "hello has flags {flags:#x}, expected 0"),
        }
    }
}

impl std::error::Error for HelloError {}

/// Checks the 16-octet hello: `TDMLINE1`, frames per block (u32 LE) 8, flags (u32 LE) 0.
pub fn check_hello(hello: &[u8; HELLO_OCTETS]) -> Result<(), HelloError> {
    let word = |at: usize| u32::from_le_bytes([hello[at], hello[at + 1], hello[at + 2], hello[at + 3]]);
    let mut magic = [0u8; 8];
    magic.copy_from_slice(&hello[..8]);
    if magic != HELLO_MAGIC {
        return Err(HelloError::Magic(magic));
    }
    if word(8) != FRAMES_PER_BLOCK as u32 {
        return Err(HelloError::FramesPerBlock(word(8)));
    }
    if word(12) != 0 {
        return Err(HelloError::Flags(word(12)));
    }
    Ok(())
}

/// What went wrong on the line port.
#[derive(Debug)]
pub enum PortError {
    /// The simulator's hello is not one this far end speaks.
    Hello(HelloError),
    /// The simulator closed the connection (after this many blocks received).
    Closed {
        /// Blocks received before it closed.
        blocks: u64,
    },
    /// A socket error (a timeout included).
    Io(io::Error),
}

impl fmt::Display for PortError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortError::Hello(error) => write!(f, "line port: {error}"),
            PortError::Closed { blocks } => write!(f, "line port closed after {blocks} blocks"),
            PortError::Io(error) => write!(f, "line port: {error}"),
        }
    }
}

impl std::error::Error for PortError {}

/// A connection to a simulator's external line port.
pub struct LinePort {
    stream: UnixStream,
    greeted: bool,
    blocks: u64,
    block: [u8; LINE_BLOCK_OCTETS],
}

impl LinePort {
    /// Connects to the port's socket. Reads and writes give up after `timeout` (the
    /// simulator waits for nobody but its peer, so a silence that long means it is gone).
    pub fn connect(path: &Path, timeout: Duration) -> io::Result<LinePort> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(LinePort { stream, greeted: false, blocks: 0, block: [0; LINE_BLOCK_OCTETS] })
    }

    /// Whether the hello has arrived and was accepted.
    pub fn greeted(&self) -> bool {
        self.greeted
    }

    /// Blocks received so far.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// Waits for the next block the span sent (checking the hello first, before the first).
    pub fn receive(&mut self) -> Result<&[u8; LINE_BLOCK_OCTETS], PortError> {
        if !self.greeted {
            let mut hello = [0u8; HELLO_OCTETS];
            self.read_exact(&mut hello)?;
            check_hello(&hello).map_err(PortError::Hello)?;
            self.greeted = true;
        }
        let mut block = [0u8; LINE_BLOCK_OCTETS];
        self.read_exact(&mut block)?;
        self.block = block;
        self.blocks += 1;
        Ok(&self.block)
    }

    /// Sends one block toward the span.
    pub fn send(&mut self, block: &[u8; LINE_BLOCK_OCTETS]) -> Result<(), PortError> {
        self.stream.write_all(block).map_err(|error| self.closed_or(error))
    }

    fn read_exact(&mut self, out: &mut [u8]) -> Result<(), PortError> {
        self.stream.read_exact(out).map_err(|error| self.closed_or(error))
    }

    fn closed_or(&self, error: io::Error) -> PortError {
        match error.kind() {
            io::ErrorKind::UnexpectedEof | io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => {
                PortError::Closed { blocks: self.blocks }
            }
            _ => PortError::Io(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    /// Carries blocks from one far end to another with the line delayed by `offset` bits,
    /// as a cable with a bit offset does.
    struct Wire {
        carry: Vec<u8>,
        offset: usize,
    }

    impl Wire {
        fn new(offset: usize) -> Wire {
            Wire { carry: Vec::new(), offset }
        }

        fn pass(&mut self, block: &[u8; LINE_BLOCK_OCTETS]) -> [u8; LINE_BLOCK_OCTETS] {
            // The bit stream, delayed: `offset` leading zero bits, then everything sent.
            let mut bits: Vec<u8> = std::mem::take(&mut self.carry);
            if bits.is_empty() {
                bits = vec![0; self.offset];
            }
            for octet in block {
                bits.extend((0..8).rev().map(|i| (octet >> i) & 1));
            }
            let mut out = [0u8; LINE_BLOCK_OCTETS];
            for (i, octet) in out.iter_mut().enumerate() {
                *octet = bits[i * 8..i * 8 + 8].iter().fold(0, |acc, bit| acc << 1 | bit);
            }
            self.carry = bits[LINE_BLOCK_OCTETS * 8..].to_vec();
            out
        }
    }

    /// Two far ends joined back to back: `a` sends to `b` through a wire of `offset` bits,
    /// `b` to `a` straight.
    struct Pair {
        a: FarEnd,
        b: FarEnd,
        wire: Wire,
    }

    impl Pair {
        fn new(config: FarEndConfig, offset: usize) -> Pair {
            Pair { a: FarEnd::new(config), b: FarEnd::new(config), wire: Wire::new(offset) }
        }

        fn step(&mut self) {
            let to_b = self.a.transmit_block();
            let to_a = self.b.transmit_block();
            self.b.receive_block(&self.wire.pass(&to_b));
            self.a.receive_block(&to_a);
        }

        /// Steps until both ends are multiframe aligned; returns the blocks it took.
        fn align(&mut self) -> u64 {
            for block in 1..=100 {
                self.step();
                if self.a.sync() == SyncState::MultiframeAligned
                    && self.b.sync() == SyncState::MultiframeAligned
                {
                    return block;
                }
            }
            panic!("no alignment: {:?} {:?}", self.a.sync(), self.b.sync());
        }
    }

    #[test]
    fn two_far_ends_align_with_crc4_at_a_bit_offset_and_then_see_no_errors() {
        let mut pair = Pair::new(FarEndConfig::ccs(), 45);
        let took = pair.align();
        // Frame alignment within the first block, then the CRC-4 multiframe, which G.706
        // §4.2 finds within its 8 ms window.
        assert!(took <= 9, "{took} blocks");
        // E bits are 0 from an end still looking for the multiframe: let both settle.
        for _ in 0..10 {
            pair.step();
        }
        let errors = |end: &FarEnd| {
            let c = end.counters();
            (c.fas_errors, c.crc4_errors, c.e_bit_errors, c.alignment_losses)
        };
        let before = [errors(&pair.a), errors(&pair.b)];
        assert_eq!((before[0].0, before[0].1, before[0].3), (0, 0, 0));
        for _ in 0..200 {
            pair.step();
            assert_eq!(pair.b.received_frames().len(), FRAMES_PER_BLOCK, "steady: 8 frames a block");
        }
        assert_eq!([errors(&pair.a), errors(&pair.b)], before);
        for end in [&pair.a, &pair.b] {
            assert_eq!(end.alarms(), Alarms::empty());
            assert_eq!(end.overflows(), Overflows::default());
        }
        assert_eq!(pair.b.blocks(), took + 210);
    }

    #[test]
    fn every_timeslot_octet_arrives_once_in_order_without_a_slip() {
        let mut pair = Pair::new(FarEndConfig::ccs(), 131);
        pair.align();
        // TS1 counts up, TS31 counts down; each block's octets follow on from the last.
        let mut sent = 0u32;
        let mut ts1 = Vec::new();
        let mut ts31 = Vec::new();
        for _ in 0..300 {
            for i in 0..FRAMES_PER_BLOCK {
                pair.a.transmit_audio(1).unwrap()[i] = (sent + i as u32) as u8;
                pair.a.transmit_audio(31).unwrap()[i] = !((sent + i as u32) as u8);
            }
            sent += FRAMES_PER_BLOCK as u32;
            pair.step();
            ts1.extend(pair.b.received_audio(1));
            ts31.extend(pair.b.received_audio(31));
        }
        // The first octets to arrive are the idle ones sent before the counting began.
        let start = ts1.iter().position(|&o| o == 0).unwrap();
        assert!(ts1[..start].iter().all(|&o| o == IDLE_OCTET), "{:?}", &ts1[..start]);
        let counted = &ts1[start..];
        assert!(counted.len() >= 2390, "{}", counted.len());
        for (i, &octet) in counted.iter().enumerate() {
            assert_eq!(octet, i as u8, "octet {i} of TS1");
            assert_eq!(ts31[start + i], !(i as u8), "octet {i} of TS31");
        }
        // A timeslot nobody fills sends idle; past 31 there is nothing.
        assert!(pair.b.received_audio(7).all(|o| o == IDLE_OCTET));
        assert_eq!(pair.b.received_audio(32).count(), 0);
    }

    #[test]
    fn hdlc_frames_cross_ts16_whole_and_in_order() {
        let mut pair = Pair::new(FarEndConfig::ccs(), 45);
        pair.align();
        let frames: Vec<Vec<u8>> =
            (0..40u8).map(|n| (0..(3 + usize::from(n) * 7) as u8).map(|k| k ^ n).collect()).collect();
        let mut queued = 0;
        let mut received = Vec::new();
        for _ in 0..2000 {
            while queued < frames.len() && pair.a.send_hdlc(&frames[queued]).is_ok() {
                queued += 1;
            }
            pair.step();
            received.extend(pair.b.received_hdlc().map(<[u8]>::to_vec));
            if received.len() == frames.len() {
                break;
            }
        }
        assert_eq!(received, frames);
        assert_eq!(pair.a.hdlc_queued(), 0);
        let counters = pair.b.hdlc_counters().unwrap();
        assert_eq!((counters.frames, counters.bad_fcs, counters.aborts), (40, 0, 0));
    }

    #[test]
    fn hdlc_sending_refuses_what_cannot_go_and_a_full_queue() {
        let mut far = FarEnd::new(FarEndConfig::ccs());
        assert_eq!(far.send_hdlc(&[1, 2]), Err(SendHdlcError::TooShort { len: 2, min: 3 }));
        assert_eq!(
            far.send_hdlc(&[0; MAX_FRAME + 1]),
            Err(SendHdlcError::TooLong { len: MAX_FRAME + 1, max: MAX_FRAME })
        );
        assert_eq!(far.send_hdlc(&[0; MAX_FRAME]), Ok(()));
        for _ in 1..HDLC_QUEUE {
            assert_eq!(far.send_hdlc(&[1, 2, 3]), Ok(()));
        }
        assert_eq!(far.hdlc_queued(), HDLC_QUEUE);
        assert_eq!(far.send_hdlc(&[1, 2, 3]), Err(SendHdlcError::QueueFull));
        // The encoder takes two (in progress and waiting): room for two more.
        far.transmit_block();
        assert_eq!(far.hdlc_queued(), HDLC_QUEUE - 2);
        let mut cas = FarEnd::new(FarEndConfig::cas());
        assert_eq!(cas.send_hdlc(&[1, 2, 3]), Err(SendHdlcError::NotHdlc));
        assert_eq!(cas.hdlc_queued(), 0);
        assert!(cas.hdlc_counters().is_none());
        assert_eq!(cas.received_hdlc().count(), 0);
    }

    #[test]
    fn abcd_bits_cross_the_cas_multiframe_debounced() {
        let mut pair = Pair::new(FarEndConfig::cas(), 45);
        let mut changes = Vec::new();
        for _ in 0..40 {
            pair.step();
            changes.extend_from_slice(pair.b.abcd_changes());
        }
        assert!(pair.a.cas_aligned() && pair.b.cas_aligned());
        // Alignment reports every channel's idle 1101 once.
        changes.sort();
        let idle: Vec<(u8, u8)> = (1..=15).chain(17..=31).map(|ts| (ts, 0b1101)).collect();
        assert_eq!(changes, idle);
        pair.a.set_abcd(1, 0b1011).unwrap();
        pair.a.set_abcd(17, 0b0011).unwrap();
        pair.a.set_abcd(31, 0b0000).unwrap();
        let mut changes = Vec::new();
        let mut blocks = 0;
        while changes.len() < 3 && blocks < 20 {
            pair.step();
            blocks += 1;
            changes.extend(pair.b.abcd_changes().iter().map(|&(ts, abcd)| (blocks, ts, abcd)));
        }
        // Each is reported on its second sighting, one multiframe (2 blocks) after the first.
        // The multiframe starts with the first of these blocks; TS1 and TS17 ride its frame 1,
        // TS31 its frame 15, whose end the 45-bit wire pushes into the following block.
        assert_eq!(changes, vec![(3, 1, 0b1011), (3, 17, 0b0011), (5, 31, 0b0000)]);
        assert_eq!((pair.b.received_abcd(1), pair.b.received_abcd(17)), (0b1011, 0b0011));
        assert_eq!(pair.a.sent_abcd(31), 0);
        // The idle far end reads idle; no CAS on TS0 and TS16.
        assert_eq!(
            (pair.a.received_abcd(5), pair.a.received_abcd(0), pair.a.received_abcd(16)),
            (0b1101, 0, 0)
        );
    }

    #[test]
    fn abcd_requests_that_cannot_be_sent_are_refused() {
        let mut far = FarEnd::new(FarEndConfig::cas());
        assert_eq!(far.set_abcd(0, 0xB), Err(SetAbcdError::Cas(CasError::InvalidTimeslot(0))));
        assert_eq!(far.set_abcd(16, 0xB), Err(SetAbcdError::Cas(CasError::InvalidTimeslot(16))));
        assert_eq!(far.set_abcd(32, 0xB), Err(SetAbcdError::Cas(CasError::InvalidTimeslot(32))));
        assert_eq!(far.set_abcd(15, 0), Err(SetAbcdError::Cas(CasError::ForbiddenCode { timeslot: 15 })));
        assert_eq!(far.set_abcd(17, 0), Ok(()));
        assert_eq!(far.sent_abcd(15), 0b1101);
        let mut hdlc = FarEnd::new(FarEndConfig::ccs());
        assert_eq!(hdlc.set_abcd(1, 0xB), Err(SetAbcdError::NotCas));
        assert_eq!((hdlc.sent_abcd(1), hdlc.received_abcd(1), hdlc.cas_aligned()), (0, 0, false));
        assert!(hdlc.abcd_changes().is_empty());
    }

    #[test]
    fn only_traffic_timeslots_take_audio() {
        let mut far = FarEnd::new(FarEndConfig::ccs());
        for ts in [0u8, 16, 32, 255] {
            assert!(far.transmit_audio(ts).is_none(), "ts {ts}");
        }
        far.transmit_audio(1).unwrap()[0] = 0x11;
        far.transmit_audio(31).unwrap()[7] = 0x22;
        let block = far.transmit_block();
        assert_eq!((block[1], block[7 * 32 + 31]), (0x11, 0x22));
        assert_eq!(block[2], IDLE_OCTET);
        // Filled octets go once; the next block is idle again.
        let block = far.transmit_block();
        assert_eq!((block[1], block[7 * 32 + 31]), (IDLE_OCTET, IDLE_OCTET));
        // TS16 on an idle D-channel carries flags.
        assert_eq!(block[16], 0x7E);
    }

    #[test]
    fn an_all_zero_block_is_loss_of_signal_and_the_cas_multiframe_is_found_again_after() {
        let mut pair = Pair::new(FarEndConfig::cas(), 3);
        pair.align();
        for _ in 0..10 {
            pair.step();
        }
        assert!(pair.b.cas_aligned());
        pair.b.receive_block(&[0; LINE_BLOCK_OCTETS]);
        assert_eq!(pair.b.alarms() & Alarms::LOS, Alarms::LOS);
        assert_eq!(pair.b.sync(), SyncState::Searching);
        assert!(!pair.b.cas_aligned());
        assert_eq!(pair.b.received_frames().len(), 0);
        pair.align();
        for _ in 0..10 {
            pair.step();
        }
        assert!(pair.b.cas_aligned());
        assert_eq!(pair.b.counters().alignment_losses, 1);
    }

    #[test]
    fn the_hello_is_checked_field_by_field() {
        let good = *b"TDMLINE1\x08\x00\x00\x00\x00\x00\x00\x00";
        assert_eq!(check_hello(&good), Ok(()));
        assert_eq!(&good, &tdm_hw_sim::LINE_HELLO, "the simulator's own hello");
        let mut bad = good;
        bad[7] = b'2';
        assert_eq!(check_hello(&bad), Err(HelloError::Magic(*b"TDMLINE2")));
        let mut bad = good;
        bad[8] = 16;
        assert_eq!(check_hello(&bad), Err(HelloError::FramesPerBlock(16)));
        let mut bad = good;
        bad[15] = 0x80;
        assert_eq!(check_hello(&bad), Err(HelloError::Flags(0x8000_0000)));
        assert_eq!(HelloError::FramesPerBlock(16).to_string(), "hello says 16 frames per block, expected 8");
    }

    /// A stand-in simulator: sends `hello`, then `blocks` blocks numbered in their first
    /// octet, reading a block back after each, and returns what it read.
    fn fake_port(
        listener: UnixListener,
        hello: [u8; HELLO_OCTETS],
        blocks: u8,
    ) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            peer.write_all(&hello).unwrap();
            let mut firsts = Vec::new();
            for n in 0..blocks {
                peer.write_all(&[n; LINE_BLOCK_OCTETS]).unwrap();
                let mut back = [0u8; LINE_BLOCK_OCTETS];
                if peer.read_exact(&mut back).is_err() {
                    break;
                }
                firsts.push(back[0]);
            }
            firsts
        })
    }

    #[test]
    fn a_port_answers_blocks_and_reports_the_close() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("port.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let server = fake_port(listener, tdm_hw_sim::LINE_HELLO, 3);
        let mut port = LinePort::connect(&path, Duration::from_secs(5)).unwrap();
        assert!(!port.greeted());
        for n in 0..3u8 {
            let block = port.receive().unwrap();
            assert_eq!((block[0], block[255]), (n, n));
            port.send(&[n + 100; LINE_BLOCK_OCTETS]).unwrap();
        }
        assert!(port.greeted());
        assert_eq!(server.join().unwrap(), vec![100, 101, 102]);
        match port.receive() {
            Err(PortError::Closed { blocks: 3 }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_port_sending_ahead_is_read_as_soon_as_the_simulator_wants_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("port.sock");
        let listener = UnixListener::bind(&path).unwrap();
        // Connected before anyone accepts: the first block is written ahead, then read.
        let mut port = LinePort::connect(&path, Duration::from_secs(5)).unwrap();
        port.send(&[7; LINE_BLOCK_OCTETS]).unwrap();
        let server = fake_port(listener, tdm_hw_sim::LINE_HELLO, 2);
        port.send(&[8; LINE_BLOCK_OCTETS]).unwrap();
        assert_eq!(port.receive().unwrap()[0], 0);
        assert_eq!(port.receive().unwrap()[0], 1);
        assert_eq!(server.join().unwrap(), vec![7, 8]);
    }

    #[test]
    fn a_port_with_a_foreign_hello_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("port.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let mut hello = tdm_hw_sim::LINE_HELLO;
        hello[8] = 4;
        let server = fake_port(listener, hello, 0);
        let mut port = LinePort::connect(&path, Duration::from_secs(5)).unwrap();
        match port.receive() {
            Err(PortError::Hello(HelloError::FramesPerBlock(4))) => {}
            other => panic!("{other:?}"),
        }
        assert!(!port.greeted());
        server.join().unwrap();
        assert!(LinePort::connect(&dir.path().join("nobody.sock"), Duration::from_secs(1)).is_err());
    }
}
