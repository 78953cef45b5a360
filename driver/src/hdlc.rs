//! Soft HDLC for a 64 kbit/s signaling timeslot (Q.921 LAPD, SS7 MTP2).
//!
//! One E1 frame carries one octet of the timeslot. On the line the first transmitted bit of each
//! timeslot octet is its MSB (the E1 convention; osmo-e1d's `OSMO_HDLC_F_BITREVERSE`), while HDLC
//! transmits every frame octet LSB first (ISO 3309). Frames are delimited by flags `0x7E`, a zero
//! is inserted after five consecutive ones, seven or more ones abort a frame, and the frame check
//! sequence is the 16-bit CRC of ISO 3309 / Q.921 §2.7 (CRC-CCITT, initial value 0xFFFF,
//! transmitted ones-complemented, low-order octet first).
//!
//! Both directions are table driven: the encoder looks up each frame octet's stuffed bit pattern by
//! (run of ones so far, octet), the decoder looks up each line octet's destuffed data bits and flag
//! or abort events by (receive state, octet). Nothing allocates after construction.

use core::fmt;

/// Longest frame, without its FCS, that is sent or accepted.
///
/// Q.921 allows N201 = 260 octets of information plus a 2-octet address and a 2-octet control
/// field (264); Q.703 allows a signal information field of 272 octets plus the service information
/// octet and the 3 octets of BSN/FSN/LI (276, the "m + 7" of Q.703 less the flag and FCS). 280
/// covers both with a little room for national variants.
pub const MAX_FRAME: usize = 280;

/// Longest frame on the receive buffer: the frame plus its 2 FCS octets.
const MAX_FRAME_WITH_FCS: usize = MAX_FRAME + 2;

const FLAG: u8 = 0x7E;

/// What the encoder sends between frames (interframe time fill).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleFill {
    /// Contiguous flags, the interframe fill of Q.921 on a primary-rate D channel and of Q.703.
    Flags,
    /// All ones ("mark idle"), as on a basic-rate D channel.
    Marks,
}

/// Frame limits and idle fill, chosen once per link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HdlcConfig {
    /// Interframe fill the encoder sends. The decoder accepts either.
    pub idle: IdleFill,
    /// Shortest frame, without FCS, sent or accepted (at least 1).
    pub min_frame: usize,
    /// Longest frame, without FCS, sent or accepted (at most [`MAX_FRAME`]).
    pub max_frame: usize,
}

impl Default for HdlcConfig {
    /// Flags idle, 3 to [`MAX_FRAME`] octets.
    ///
    /// 3 is the shortest valid frame of both users: a Q.921 U frame (2-octet address, 1-octet
    /// control; §2.9 rejects fewer than five octets between flags including the FCS) and an MTP2
    /// FISU (BSN, FSN, LI; Q.703 rejects fewer than six octets including the opening flag).
    fn default() -> Self {
        HdlcConfig { idle: IdleFill::Flags, min_frame: 3, max_frame: MAX_FRAME }
    }
}

impl HdlcConfig {
    /// The limits actually applied: `max_frame` capped at [`MAX_FRAME`], `min_frame` within
    /// `1..=max_frame`.
    fn clamped(self) -> Self {
        let max_frame = self.max_frame.clamp(1, MAX_FRAME);
        let min_frame = self.min_frame.clamp(1, max_frame);
        HdlcConfig { idle: self.idle, min_frame, max_frame }
    }
}

/// Why [`HdlcEncoder::send`] refused a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HdlcSendError {
    /// A frame is already waiting behind the one in progress.
    Busy,
    /// The frame is shorter than the configured minimum.
    TooShort { len: usize, min: usize },
    /// The frame is longer than the configured maximum.
    TooLong { len: usize, max: usize },
}

impl fmt::Display for HdlcSendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HdlcSendError::Busy => write!(f, "HDLC transmitter busy: a frame is already waiting"),
            HdlcSendError::TooShort { len, min } => {
                write!(f, "HDLC frame of {len} octets is shorter than the minimum {min}")
            }
            HdlcSendError::TooLong { len, max } => {
                write!(f, "HDLC frame of {len} octets is longer than the maximum {max}")
            }
        }
    }
}

impl std::error::Error for HdlcSendError {}

/// A received frame that was discarded, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HdlcError {
    /// The frame check sequence did not match.
    BadFcs,
    /// Seven or more ones arrived inside a frame.
    Aborted,
    /// Fewer octets than the configured minimum (plus the 2 FCS octets) between flags.
    TooShort,
    /// More octets than the configured maximum (plus the 2 FCS octets) between flags.
    TooLong,
    /// The bits between the flags, after zero deletion, are not a whole number of octets.
    NotOctetAligned,
}

impl fmt::Display for HdlcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HdlcError::BadFcs => "FCS error",
            HdlcError::Aborted => "frame aborted",
            HdlcError::TooShort => "frame too short",
            HdlcError::TooLong => "frame too long",
            HdlcError::NotOctetAligned => "frame not octet aligned",
        })
    }
}

impl std::error::Error for HdlcError {}

/// What the decoder reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HdlcEvent<'a> {
    /// A valid frame, without its FCS. The slice is only valid during the callback.
    Frame(&'a [u8]),
    /// A frame that was discarded.
    Error(HdlcError),
}

/// Receive counters since the decoder was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HdlcCounters {
    /// Valid frames delivered.
    pub frames: u64,
    /// Frames discarded for an FCS error.
    pub bad_fcs: u64,
    /// Frames aborted by seven or more ones.
    pub aborts: u64,
    /// Frames discarded as too short.
    pub too_short: u64,
    /// Frames discarded as too long.
    pub too_long: u64,
    /// Frames discarded as not a whole number of octets.
    pub not_octet_aligned: u64,
}

// ---------------------------------------------------------------------------------------------
// FCS-16
// ---------------------------------------------------------------------------------------------

/// The remainder a receiver's CRC register holds after running over a frame and its correct FCS
/// (ISO 3309: the "good FCS" value 0xF0B8 in the reflected register).
const FCS_GOOD_RESIDUE: u16 = 0xF0B8;

/// Byte-wise table of the reflected CRC-CCITT (polynomial x^16 + x^12 + x^5 + 1, reversed 0x8408).
static FCS_TABLE: [u16; 256] = build_fcs_table();

const fn build_fcs_table() -> [u16; 256] {
    let mut table = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u16;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0x8408 } else { crc >> 1 };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

fn crc_update(mut crc: u16, data: &[u8]) -> u16 {
    for &octet in data {
        crc = (crc >> 8) ^ FCS_TABLE[usize::from((crc as u8) ^ octet)];
    }
    crc
}

/// The FCS of `data` as sent on the line: low-order octet first, i.e. the frame on the line is
/// `data` followed by `fcs16(data).to_le_bytes()`.
pub fn fcs16(data: &[u8]) -> u16 {
    !crc_update(0xFFFF, data)
}

// ---------------------------------------------------------------------------------------------
// Transmit: zero-bit insertion table
// ---------------------------------------------------------------------------------------------

/// For every (ones already sent in a row, 0..=4) and frame octet: the line bits of the octet after
/// zero insertion, first line bit in the most significant of the `count` bits.
/// Layout: bits 0..=9 pattern, 16..=19 count (8..=10), 24..=26 ones in a row afterwards.
static STUFF_TABLE: [u32; 5 * 256] = build_stuff_table();

const fn build_stuff_table() -> [u32; 5 * 256] {
    let mut table = [0u32; 5 * 256];
    let mut ones_before = 0;
    while ones_before < 5 {
        let mut octet = 0;
        while octet < 256 {
            let mut ones = ones_before as u32;
            let mut pattern = 0u32;
            let mut count = 0u32;
            let mut i = 0;
            while i < 8 {
                // HDLC sends the octet's least significant bit first.
                let bit = (octet as u32 >> i) & 1;
                pattern = (pattern << 1) | bit;
                count += 1;
                if bit == 1 {
                    ones += 1;
                    if ones == 5 {
                        pattern <<= 1;
                        count += 1;
                        ones = 0;
                    }
                } else {
                    ones = 0;
                }
                i += 1;
            }
            table[ones_before * 256 + octet] = pattern | (count << 16) | (ones << 24);
            octet += 1;
        }
        ones_before += 1;
    }
    table
}

/// Whether the encoder is inside a frame or between frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TxPhase {
    Idle,
    Frame,
}

/// HDLC transmitter: frames in, timeslot octets out.
///
/// Holds the frame being sent and one waiting frame. Consecutive frames share one flag; a frame
/// that starts from flag idle starts right after the flag in progress, so the flag phase on the
/// line never jumps. With mark idle the encoder pads with at least seven ones up to an octet
/// boundary, so the receiver sees an idle (not a short garbage frame) and the next opening flag
/// is octet aligned.
pub struct HdlcEncoder {
    config: HdlcConfig,
    /// Two frame buffers (frame followed by its FCS); `current` indexes the one being sent.
    buffers: [[u8; MAX_FRAME_WITH_FCS]; 2],
    lengths: [usize; 2],
    current: usize,
    /// Next octet of the current frame to stuff.
    position: usize,
    phase: TxPhase,
    waiting: bool,
    /// Line bits queued but not yet written out; the oldest is bit `pending_bits - 1`.
    line_bits: u64,
    pending_bits: u32,
    /// Ones sent in a row inside the current frame (zero insertion state).
    ones: u32,
    /// The queued bits end with a complete flag, which can open the next frame.
    ends_with_flag: bool,
    /// Bits of the last frame (with its closing flag or abort) still in `line_bits`.
    frame_bits_unsent: u32,
}

impl HdlcEncoder {
    /// A transmitter sending idle fill. `config` limits are clamped to `1..=MAX_FRAME`.
    pub fn new(config: HdlcConfig) -> Self {
        HdlcEncoder {
            config: config.clamped(),
            buffers: [[0; MAX_FRAME_WITH_FCS]; 2],
            lengths: [0; 2],
            current: 0,
            position: 0,
            phase: TxPhase::Idle,
            waiting: false,
            line_bits: 0,
            pending_bits: 0,
            ones: 0,
            ends_with_flag: false,
            frame_bits_unsent: 0,
        }
    }

    /// The limits in force.
    pub fn config(&self) -> &HdlcConfig {
        &self.config
    }

    /// Queues one frame (without FCS) to send after what is in progress. Err when a frame is
    /// already waiting (capacity: the one in progress + one waiting) or the length is out of range.
    pub fn send(&mut self, frame: &[u8]) -> Result<(), HdlcSendError> {
        let len = frame.len();
        if len < self.config.min_frame {
            return Err(HdlcSendError::TooShort { len, min: self.config.min_frame });
        }
        if len > self.config.max_frame {
            return Err(HdlcSendError::TooLong { len, max: self.config.max_frame });
        }
        if self.waiting {
            return Err(HdlcSendError::Busy);
        }
        let slot = if self.phase == TxPhase::Frame { 1 - self.current } else { self.current };
        let fcs = fcs16(frame).to_le_bytes();
        let buffer = &mut self.buffers[slot];
        buffer[..len].copy_from_slice(frame);
        buffer[len..len + 2].copy_from_slice(&fcs);
        self.lengths[slot] = len + 2;
        if self.phase == TxPhase::Frame {
            self.waiting = true;
        } else {
            self.start_frame();
        }
        Ok(())
    }

    /// True when no frame is in progress or waiting and the last one is completely on the line
    /// (its closing flag or abort sequence included).
    pub fn is_idle(&self) -> bool {
        self.phase == TxPhase::Idle && !self.waiting && self.frame_bits_unsent == 0
    }

    /// Aborts the frame in progress: what was sent of it is followed by eight ones (Q.921 and ISO 3309
    /// ask for at least seven). A frame none of whose octets has been sent yet is just dropped.
    /// A waiting frame is kept and follows with a fresh opening flag. Does nothing between frames.
    pub fn abort(&mut self) {
        if self.phase != TxPhase::Frame {
            return;
        }
        if self.position == 0 {
            // Only its opening flag (or the shared closing flag before it) is queued.
            self.ends_with_flag = true;
        } else {
            self.queue_bits(0xFF, 8);
            self.ends_with_flag = false;
            self.frame_bits_unsent = self.pending_bits;
        }
        self.next_frame_or_idle();
    }

    /// Fills `out` with the next timeslot octets (frames with FCS, zero insertion, flags or idle).
    pub fn fill(&mut self, out: &mut [u8]) {
        let mut written = 0;
        while written < out.len() {
            if self.pending_bits >= 8 {
                self.pending_bits -= 8;
                out[written] = (self.line_bits >> self.pending_bits) as u8;
                written += 1;
                self.frame_bits_unsent = self.frame_bits_unsent.saturating_sub(8);
                continue;
            }
            match self.phase {
                TxPhase::Frame => {
                    written += self.fill_frame(&mut out[written..]);
                    if self.position == self.lengths[self.current] {
                        self.close_frame();
                    }
                }
                TxPhase::Idle => {
                    self.fill_idle(&mut out[written..]);
                    return;
                }
            }
        }
    }

    /// Appends the `count` low bits of `bits`, most significant first, to the line.
    fn queue_bits(&mut self, bits: u32, count: u32) {
        if count > 0 {
            self.line_bits = (self.line_bits << count) | u64::from(bits & ((1u32 << count) - 1));
            self.pending_bits += count;
        }
    }

    /// Makes the frame in `buffers[current]` the one in progress, opening it with a flag unless
    /// the line already ends with one.
    fn start_frame(&mut self) {
        if !self.ends_with_flag {
            self.queue_bits(u32::from(FLAG), 8);
        }
        self.ends_with_flag = false;
        self.position = 0;
        self.ones = 0;
        self.phase = TxPhase::Frame;
    }

    /// Stuffs frame octets straight into `out` while there is room. Entered with fewer than
    /// eight pending bits; returns how many octets were written.
    fn fill_frame(&mut self, out: &mut [u8]) -> usize {
        let frame = &self.buffers[self.current][..self.lengths[self.current]];
        let mut position = self.position;
        let mut line_bits = self.line_bits;
        let mut pending = self.pending_bits;
        let mut ones = self.ones;
        let mut written = 0;
        while position < frame.len() && written < out.len() {
            let entry = STUFF_TABLE[(ones as usize) * 256 + usize::from(frame[position])];
            position += 1;
            let count = (entry >> 16) & 0xF;
            ones = entry >> 24;
            line_bits = (line_bits << count) | u64::from(entry & 0x3FF);
            // pending < 8 on entry and each octet adds 8 to 10 bits, so one octet is ready.
            pending += count - 8;
            out[written] = (line_bits >> pending) as u8;
            written += 1;
            if pending >= 8 && written < out.len() {
                pending -= 8;
                out[written] = (line_bits >> pending) as u8;
                written += 1;
            }
        }
        self.position = position;
        self.line_bits = line_bits;
        self.pending_bits = pending;
        self.ones = ones;
        written
    }

    /// Queues the closing flag and moves on to the waiting frame or to idle.
    fn close_frame(&mut self) {
        self.queue_bits(u32::from(FLAG), 8);
        self.ends_with_flag = true;
        self.frame_bits_unsent = self.pending_bits;
        self.next_frame_or_idle();
    }

    /// Starts the waiting frame, or goes idle. Mark idle starts with ones up to an octet
    /// boundary, at least seven after a flag so the far end sees idle rather than a short frame.
    fn next_frame_or_idle(&mut self) {
        self.phase = TxPhase::Idle;
        if self.waiting {
            self.waiting = false;
            self.current = 1 - self.current;
            self.start_frame();
        } else if self.config.idle == IdleFill::Marks {
            let mut pad = (8 - self.pending_bits % 8) % 8;
            if self.ends_with_flag && pad < 7 {
                pad += 8;
            }
            self.queue_bits(0xFFFF, pad);
            self.ends_with_flag = false;
        }
    }

    /// Fills `out` with idle; entered between frames with fewer than eight pending bits.
    fn fill_idle(&mut self, out: &mut [u8]) {
        if out.is_empty() {
            return;
        }
        match self.config.idle {
            IdleFill::Flags => {
                if !self.ends_with_flag {
                    // Line start or after an abort: a flag first, which keeps the pattern going.
                    self.queue_bits(u32::from(FLAG), 8);
                    self.ends_with_flag = true;
                    self.pending_bits -= 8;
                    out[0] = (self.line_bits >> self.pending_bits) as u8;
                    self.frame_bits_unsent = self.frame_bits_unsent.saturating_sub(8);
                    let rest = &mut out[1..];
                    if !rest.is_empty() {
                        self.fill_idle(rest);
                    }
                    return;
                }
                // The pending bits are the tail of a flag: every octet from here on is the flag
                // pattern rotated by that many bits, and the pending tail stays the same.
                out.fill(FLAG.rotate_right(self.pending_bits));
            }
            IdleFill::Marks => {
                let pending = self.pending_bits;
                let first = ((self.line_bits << (8 - pending)) as u8) | (0xFFu8 >> pending);
                out[0] = first;
                out[1..].fill(0xFF);
                self.pending_bits = 0;
                self.ends_with_flag = false;
            }
        }
        self.frame_bits_unsent = 0;
    }
}

// ---------------------------------------------------------------------------------------------
// Receive: zero-bit deletion and flag/abort detection table
// ---------------------------------------------------------------------------------------------
//
// Receive state, per bit: `ones` = ones in a row (0..=7, 7 meaning seven or more) and `zero` =
// a zero that has arrived but is not yet known to be data: it may be the first bit of a flag.
// Data bits are only released once they cannot belong to a flag or an abort sequence, so a frame
// ends on exactly its last data bit and the flag's own bits never reach it.
//
//   one:  ones += 1; reaching 7 is an abort (the held zero and ones are dropped).
//   zero: after 7+ ones: nothing (idle ends; the zero is held, it may open a flag);
//         after 6 ones: a flag (the held zero and six ones are dropped);
//         after 5 ones: release [held zero] + 5 ones, drop this zero (it was inserted);
//         after 0..=4:  release [held zero] + the ones, hold this zero.

const EVENT_NONE: u32 = 0;
const EVENT_FLAG: u32 = 1;
const EVENT_ABORT: u32 = 2;
/// More than one event in one octet: handled bit by bit.
const EVENT_SEVERAL: u32 = 3;

const RX_STATES: usize = 16;

/// Receive state: `ones` in bits 0..=2, held zero in bit 3.
const fn rx_state(ones: u32, held_zero: bool) -> u32 {
    ones | if held_zero { 8 } else { 0 }
}

/// One line bit through the receive state machine: (new state, released data bits first-in-LSB,
/// how many, event).
const fn rx_step(state: u32, bit: u32) -> (u32, u32, u32, u32) {
    let ones = state & 7;
    let held_zero = state & 8 != 0;
    if bit == 1 {
        return match ones {
            7 => (rx_state(7, false), 0, 0, EVENT_NONE),
            6 => (rx_state(7, false), 0, 0, EVENT_ABORT),
            _ => (rx_state(ones + 1, held_zero), 0, 0, EVENT_NONE),
        };
    }
    let held = if held_zero { 1 } else { 0 };
    // Released bits: the held zero (a 0 in bit 0) then the ones.
    let released = ((1u32 << ones) - 1) << held;
    match ones {
        7 => (rx_state(0, true), 0, 0, EVENT_NONE),
        6 => (rx_state(0, false), 0, 0, EVENT_FLAG),
        5 => (rx_state(0, false), released, held + 5, EVENT_NONE),
        _ => (rx_state(0, true), released, held + ones, EVENT_NONE),
    }
}

/// One line octet (first bit = MSB) through the receive state machine.
/// Layout: bits 0..=14 released data bits (first in bit 0), 16..=19 how many, 20..=23 how many
/// of them came before the event, 24..=25 event, 26..=29 new state.
const fn rx_entry(state: u32, octet: u32) -> u32 {
    let mut state = state;
    let mut data = 0u32;
    let mut count = 0u32;
    let mut events = 0u32;
    let mut event = EVENT_NONE;
    let mut before_event = 0u32;
    let mut i = 0;
    while i < 8 {
        let (next, bits, n, ev) = rx_step(state, (octet >> (7 - i)) & 1);
        data |= bits << count;
        count += n;
        if ev != EVENT_NONE {
            events += 1;
            event = ev;
            before_event = count;
        }
        state = next;
        i += 1;
    }
    assert!(count <= 15);
    if events > 1 {
        event = EVENT_SEVERAL;
    }
    data | (count << 16) | (before_event << 20) | (event << 24) | (state << 26)
}

/// Receive table indexed by `state * 256 + octet`.
static RX_TABLE: [u32; RX_STATES * 256] = build_rx_table();

const fn build_rx_table() -> [u32; RX_STATES * 256] {
    let mut table = [0u32; RX_STATES * 256];
    let mut state = 0;
    while state < RX_STATES {
        let mut octet = 0;
        while octet < 256 {
            table[state * 256 + octet] = rx_entry(state as u32, octet as u32);
            octet += 1;
        }
        state += 1;
    }
    table
}

/// How many octets at the start of `octets` equal `value`.
#[inline]
fn run_length(octets: &[u8], value: u8) -> usize {
    const WIDE: usize = 16;
    let wide = [value; WIDE];
    let mut run = 0;
    for chunk in octets.chunks_exact(WIDE) {
        if *chunk != wide {
            break;
        }
        run += WIDE;
    }
    run + octets[run..].iter().take_while(|&&octet| octet == value).count()
}

/// HDLC receiver: timeslot octets in, frames and errors out.
///
/// Accepts flag or mark idle, shared flags (one flag closing a frame and opening the next) and
/// flags sharing their zero. Until the first flag, and after an abort, it hunts for a flag.
/// A run of seven or more ones with no frame data before it (mark idle) is not an error.
pub struct HdlcDecoder {
    config: HdlcConfig,
    state: u32,
    /// Between an opening flag and the next flag (not hunting).
    in_frame: bool,
    buffer: [u8; MAX_FRAME_WITH_FCS],
    len: usize,
    /// Longest frame with FCS accepted (at most the buffer length).
    limit: usize,
    /// Data bits not yet a whole octet, first bit in bit 0.
    bits: u32,
    bit_count: u32,
    /// More octets than the buffer limit arrived since the opening flag.
    overflow: bool,
    counters: HdlcCounters,
}

impl HdlcDecoder {
    /// A receiver hunting for a flag. `config` limits are clamped to `1..=MAX_FRAME`.
    pub fn new(config: HdlcConfig) -> Self {
        let config = config.clamped();
        HdlcDecoder {
            config,
            limit: config.max_frame + 2,
            state: rx_state(0, false),
            in_frame: false,
            buffer: [0; MAX_FRAME_WITH_FCS],
            len: 0,
            bits: 0,
            bit_count: 0,
            overflow: false,
            counters: HdlcCounters::default(),
        }
    }

    /// The limits in force.
    pub fn config(&self) -> &HdlcConfig {
        &self.config
    }

    /// Receive counters.
    pub fn counters(&self) -> &HdlcCounters {
        &self.counters
    }

    /// Decodes timeslot octets, calling `on_event` for every frame or discarded frame completed.
    pub fn push(&mut self, octets: &[u8], mut on_event: impl FnMut(HdlcEvent<'_>)) {
        let mut state = self.state;
        let mut i = 0;
        while i < octets.len() {
            let octet = octets[i];
            i += 1;
            let entry = RX_TABLE[((state as usize) << 8) | usize::from(octet)];
            let next = entry >> 26;
            let data = entry & 0x7FFF;
            let count = (entry >> 16) & 0xF;
            match (entry >> 24) & 3 {
                EVENT_NONE => {
                    if self.in_frame {
                        self.append(data, count);
                    } else if next == state {
                        // Hunting through a steady pattern (mark idle): skip its repeats.
                        i += run_length(&octets[i..], octet);
                    }
                }
                // Flag idle: a flag and no data, between flags. Every octet of flag idle is the
                // same rotated flag leaving the same state, so its repeats change nothing.
                EVENT_FLAG if count == 0 && self.in_frame && self.len == 0 && self.bit_count == 0 => {
                    if next == state {
                        i += run_length(&octets[i..], octet);
                    }
                }
                EVENT_SEVERAL => {
                    for bit in 0..8 {
                        let (after, bits, count, event) = rx_step(state, u32::from(octet >> (7 - bit)) & 1);
                        state = after;
                        self.apply(bits, count, count, event, &mut on_event);
                    }
                    continue;
                }
                event => self.apply(data, count, (entry >> 20) & 0xF, event, &mut on_event),
            }
            state = next;
        }
        self.state = state;
    }

    /// Applies released data bits with at most one flag or abort after the first `before` bits.
    fn apply(
        &mut self,
        data: u32,
        count: u32,
        before: u32,
        event: u32,
        on_event: &mut impl FnMut(HdlcEvent<'_>),
    ) {
        match event {
            EVENT_FLAG => {
                if self.in_frame {
                    self.append(data & ((1 << before) - 1), before);
                    self.close_frame(on_event);
                }
                self.open_frame();
                self.append(data >> before, count - before);
            }
            EVENT_ABORT => {
                if self.in_frame {
                    self.append(data & ((1 << before) - 1), before);
                    if self.len > 0 || self.bit_count > 0 || self.overflow {
                        self.counters.aborts += 1;
                        on_event(HdlcEvent::Error(HdlcError::Aborted));
                    }
                }
                self.in_frame = false;
            }
            _ => {
                if self.in_frame {
                    self.append(data, count);
                }
            }
        }
    }

    fn open_frame(&mut self) {
        self.in_frame = true;
        self.len = 0;
        self.bits = 0;
        self.bit_count = 0;
        self.overflow = false;
    }

    /// Adds `count` (at most 15) data bits, first in bit 0.
    #[inline(always)]
    fn append(&mut self, data: u32, count: u32) {
        self.bits |= data << self.bit_count;
        self.bit_count += count;
        while self.bit_count >= 8 {
            if self.len < self.limit {
                self.buffer[self.len] = self.bits as u8;
                self.len += 1;
            } else {
                self.overflow = true;
            }
            self.bits >>= 8;
            self.bit_count -= 8;
        }
    }

    /// Judges the bits between two flags; nothing at all between them is just idle.
    fn close_frame(&mut self, on_event: &mut impl FnMut(HdlcEvent<'_>)) {
        if self.len == 0 && self.bit_count == 0 && !self.overflow {
            return;
        }
        let error = if self.overflow {
            self.counters.too_long += 1;
            HdlcError::TooLong
        } else if self.bit_count != 0 {
            self.counters.not_octet_aligned += 1;
            HdlcError::NotOctetAligned
        } else if self.len < self.config.min_frame + 2 {
            self.counters.too_short += 1;
            HdlcError::TooShort
        } else if crc_update(0xFFFF, &self.buffer[..self.len]) != FCS_GOOD_RESIDUE {
            self.counters.bad_fcs += 1;
            HdlcError::BadFcs
        } else {
            self.counters.frames += 1;
            on_event(HdlcEvent::Frame(&self.buffer[..self.len - 2]));
            return;
        };
        on_event(HdlcEvent::Error(error));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Owned copy of a decoder event.
    #[derive(Debug, Clone, PartialEq, Eq)]
    enum Got {
        Frame(Vec<u8>),
        Error(HdlcError),
    }

    fn decode_all(decoder: &mut HdlcDecoder, line: &[u8]) -> Vec<Got> {
        let mut got = Vec::new();
        decoder.push(line, |event| {
            got.push(match event {
                HdlcEvent::Frame(frame) => Got::Frame(frame.to_vec()),
                HdlcEvent::Error(error) => Got::Error(error),
            })
        });
        got
    }

    fn decode(line: &[u8]) -> Vec<Got> {
        decode_all(&mut HdlcDecoder::new(HdlcConfig::default()), line)
    }

    /// Runs the encoder until it is idle, plus `extra` octets of idle fill.
    fn encode_until_idle(encoder: &mut HdlcEncoder, extra: usize) -> Vec<u8> {
        let mut line = Vec::new();
        let mut octet = [0u8; 1];
        while !encoder.is_idle() {
            encoder.fill(&mut octet);
            line.push(octet[0]);
            assert!(line.len() < 10_000, "encoder never went idle");
        }
        let mut tail = vec![0u8; extra];
        encoder.fill(&mut tail);
        line.extend_from_slice(&tail);
        line
    }

    /// Bits MSB first from octets.
    fn to_bits(octets: &[u8]) -> Vec<u8> {
        octets.iter().flat_map(|&o| (0..8).rev().map(move |i| (o >> i) & 1)).collect()
    }

    /// Octets from bits MSB first, the last one padded with `pad`.
    fn from_bits(bits: &[u8], pad: u8) -> Vec<u8> {
        bits.chunks(8)
            .map(|chunk| {
                let mut octet = 0u8;
                for i in 0..8 {
                    octet = (octet << 1) | chunk.get(i).copied().unwrap_or(pad);
                }
                octet
            })
            .collect()
    }

    /// The 41 line bits of the SABME between its flags.
    fn sabme_bits() -> Vec<u8> {
        to_bits(&SABME_LINE)[8..49].to_vec()
    }

    #[test]
    fn fcs_of_check_string_is_the_x25_check_value() {
        // CRC-16/X-25 (the HDLC FCS) of "123456789" is 0x906E.
        assert_eq!(fcs16(b"123456789"), 0x906E);
        // A frame followed by its FCS leaves the good residue.
        let mut framed = b"123456789".to_vec();
        framed.extend_from_slice(&0x906Eu16.to_le_bytes());
        assert_eq!(crc_update(0xFFFF, &framed), FCS_GOOD_RESIDUE);
    }

    /// The SABME below on the line: its 41 bits between flags (see `sabme_line_octets_are_bit_exact`).
    const SABME_LINE: [u8; 9] = [0x7E, 0x00, 0x80, 0xFB, 0x13, 0x15, 0x3F, 0x3F, 0x3F];

    #[test]
    fn sabme_line_octets_are_bit_exact() {
        // Q.921 SABME, SAPI 0 C/R 0, TEI 0, P=1: 00 01 7F. FCS 0x5464, sent 64 54.
        assert_eq!(fcs16(&[0x00, 0x01, 0x7F]), 0x5464);
        // Line bits, each octet LSB first, [0] = inserted zero:
        //   flag 01111110 | 00 00000000 | 01 10000000 | 7F 11111[0]110
        //   | 64 00100110 | 54 00101010 | flag 01111110 | idle flags ...
        // Packed MSB first: 01111110 00000000 10000000 11111011 00010011 00010101 00111111 0...
        // The closing flag ends one bit into octet 6, so idle flags go on rotated by one (3F).
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        encoder.send(&[0x00, 0x01, 0x7F]).unwrap();
        let mut line = [0u8; 9];
        encoder.fill(&mut line);
        assert_eq!(line, SABME_LINE);
        assert_eq!(decode(&line), vec![Got::Frame(vec![0x00, 0x01, 0x7F])]);
    }

    #[test]
    fn frame_needing_stuffing_is_bit_exact() {
        let frame = [0xFF, 0xFF, 0xFF];
        // FCS 0xF087, sent 87 F0.
        assert_eq!(fcs16(&frame), 0xF087);
        // flag 01111110 | FF FF FF 11111[0]11111[0]11111[0]11111[0]1111
        // | 87 1[0]1100001 (the run of four ones reaches five) | F0 00001111 | flag 01111110
        // Packed: 01111110 11111011 11101111 10111110 11111011 00001000 01111011 11110...
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        encoder.send(&frame).unwrap();
        let line = encode_until_idle(&mut encoder, 2);
        assert_eq!(line, vec![0x7E, 0xFB, 0xEF, 0xBE, 0xFB, 0x08, 0x7B, 0xF3, 0xF3, 0xF3]);
        assert_eq!(decode(&line), vec![Got::Frame(frame.to_vec())]);
    }

    #[test]
    fn idle_flags_keep_their_phase_after_a_frame() {
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        let mut idle = [0u8; 3];
        encoder.fill(&mut idle);
        assert_eq!(idle, [0x7E; 3]);
        assert!(encoder.is_idle());
        encoder.send(&[0xFF, 0xFF, 0xFF]).unwrap();
        assert!(!encoder.is_idle());
        let line = encode_until_idle(&mut encoder, 3);
        // The last idle flag opens the frame; the closing flag ends five bits into octet 6 and
        // the idle flags go on rotated by five (F3).
        assert_eq!(line, vec![0xFB, 0xEF, 0xBE, 0xFB, 0x08, 0x7B, 0xF3, 0xF3, 0xF3, 0xF3]);
        assert!(encoder.is_idle());
    }

    #[test]
    fn mark_idle_is_all_ones_with_octet_aligned_opening_flag() {
        let config = HdlcConfig { idle: IdleFill::Marks, ..HdlcConfig::default() };
        let mut encoder = HdlcEncoder::new(config);
        let mut idle = [0u8; 2];
        encoder.fill(&mut idle);
        assert_eq!(idle, [0xFF, 0xFF]);
        encoder.send(&[0xFF, 0xFF, 0xFF]).unwrap();
        let line = encode_until_idle(&mut encoder, 2);
        // Closing flag ends five bits into octet 7 (11110), then ones.
        assert_eq!(line, vec![0x7E, 0xFB, 0xEF, 0xBE, 0xFB, 0x08, 0x7B, 0xF7, 0xFF, 0xFF]);
        let mut decoder = HdlcDecoder::new(config);
        let mut all = idle.to_vec();
        all.extend_from_slice(&line);
        assert_eq!(decode_all(&mut decoder, &all), vec![Got::Frame(vec![0xFF; 3])]);
        // The next frame opens with an octet-aligned flag after the ones.
        encoder.send(&[0x00, 0x01, 0x7F]).unwrap();
        let line = encode_until_idle(&mut encoder, 1);
        // Its closing flag ends one bit into octet 7: seven ones complete that octet.
        assert_eq!(line, vec![0x7E, 0x00, 0x80, 0xFB, 0x13, 0x15, 0x3F, 0x7F, 0xFF]);
        assert_eq!(decode_all(&mut decoder, &line), vec![Got::Frame(vec![0x00, 0x01, 0x7F])]);
        assert_eq!(*decoder.counters(), HdlcCounters { frames: 2, ..HdlcCounters::default() });
    }

    #[test]
    fn back_to_back_frames_share_one_flag() {
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        encoder.send(&[0x00, 0x01, 0x7F]).unwrap();
        encoder.send(&[0x00, 0x01, 0x7F]).unwrap();
        assert_eq!(encoder.send(&[0x00, 0x01, 0x7F]), Err(HdlcSendError::Busy));
        let line = encode_until_idle(&mut encoder, 0);
        // flag, 41 SABME bits, one flag, 41 SABME bits, flag: 106 bits.
        assert_eq!(
            line,
            vec![0x7E, 0x00, 0x80, 0xFB, 0x13, 0x15, 0x3F, 0x00, 0x40, 0x7D, 0x89, 0x8A, 0x9F, 0x9F]
        );
        let frame = Got::Frame(vec![0x00, 0x01, 0x7F]);
        assert_eq!(decode(&line), vec![frame.clone(), frame]);
    }

    #[test]
    fn decoder_accepts_shared_zero_between_flags() {
        // flag 0111111 0 111111 0 (two flags sharing a zero), SABME bits, flag shared zero again.
        let mut bits = vec![0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0];
        bits.extend_from_slice(&sabme_bits());
        bits.extend_from_slice(&[0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0]);
        let line = from_bits(&bits, 1);
        assert_eq!(decode(&line), vec![Got::Frame(vec![0x00, 0x01, 0x7F])]);
    }

    #[test]
    fn abort_inside_a_frame_is_reported_and_next_frame_decodes() {
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        encoder.send(&[0x11; 40]).unwrap();
        encoder.send(&[0x22; 5]).unwrap();
        let mut line = vec![0u8; 10];
        encoder.fill(&mut line);
        encoder.abort();
        line.extend_from_slice(&encode_until_idle(&mut encoder, 2));
        let mut decoder = HdlcDecoder::new(HdlcConfig::default());
        let got = decode_all(&mut decoder, &line);
        assert_eq!(got, vec![Got::Error(HdlcError::Aborted), Got::Frame(vec![0x22; 5])]);
        assert_eq!(*decoder.counters(), HdlcCounters { frames: 1, aborts: 1, ..HdlcCounters::default() });
        // 0x11 needs no zero insertion, so the ten octets sent were the flag and nine frame
        // octets; eight ones follow at once, then the waiting frame's opening flag.
        let bits = to_bits(&line);
        assert_eq!(bits[72..96], to_bits(&[0x88, 0xFF, 0x7E])[..]);
    }

    #[test]
    fn abort_before_any_frame_octet_drops_the_frame_silently() {
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        for _ in 0..100 {
            encoder.send(&[0x00, 0x01, 0x7F]).unwrap();
            encoder.abort();
        }
        assert!(encoder.is_idle());
        encoder.send(&[0x00, 0x01, 0x7F]).unwrap();
        let mut line = [0u8; 9];
        encoder.fill(&mut line);
        assert_eq!(line, SABME_LINE);
    }

    #[test]
    fn abort_between_frames_does_nothing() {
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        encoder.abort();
        let mut line = [0u8; 2];
        encoder.fill(&mut line);
        assert_eq!(line, [0x7E, 0x7E]);
        assert!(encoder.is_idle());
    }

    #[test]
    fn mark_idle_after_flag_is_not_an_abort() {
        // Flags then all ones: idle, no error.
        let got = decode(&[0x7E, 0x7E, 0xFF, 0xFF, 0x7E, 0x7E]);
        assert_eq!(got, vec![]);
    }

    #[test]
    fn length_limits_on_receive() {
        let config = HdlcConfig { min_frame: 3, max_frame: 10, ..HdlcConfig::default() };
        let wide = HdlcConfig::default();
        let mut encoder = HdlcEncoder::new(HdlcConfig { min_frame: 1, ..wide });
        let mut line = Vec::new();
        for frame in [&[1u8, 2][..], &[1, 2, 3], &[7; 10], &[7; 11]] {
            encoder.send(frame).unwrap();
            line.extend_from_slice(&encode_until_idle(&mut encoder, 1));
        }
        let mut decoder = HdlcDecoder::new(config);
        assert_eq!(
            decode_all(&mut decoder, &line),
            vec![
                Got::Error(HdlcError::TooShort),
                Got::Frame(vec![1, 2, 3]),
                Got::Frame(vec![7; 10]),
                Got::Error(HdlcError::TooLong),
            ]
        );
        assert_eq!(
            *decoder.counters(),
            HdlcCounters { frames: 2, too_short: 1, too_long: 1, ..HdlcCounters::default() }
        );
        // The longest frame the module accepts at all.
        let mut decoder = HdlcDecoder::new(wide);
        let mut encoder = HdlcEncoder::new(wide);
        encoder.send(&[0x5A; MAX_FRAME]).unwrap();
        let line = encode_until_idle(&mut encoder, 1);
        assert_eq!(decode_all(&mut decoder, &line), vec![Got::Frame(vec![0x5A; MAX_FRAME])]);
    }

    #[test]
    fn send_checks_lengths() {
        let mut encoder =
            HdlcEncoder::new(HdlcConfig { min_frame: 3, max_frame: 10, ..HdlcConfig::default() });
        assert_eq!(encoder.send(&[1, 2]), Err(HdlcSendError::TooShort { len: 2, min: 3 }));
        assert_eq!(encoder.send(&[0; 11]), Err(HdlcSendError::TooLong { len: 11, max: 10 }));
        assert_eq!(encoder.send(&[0; 10]), Ok(()));
        let mut encoder =
            HdlcEncoder::new(HdlcConfig { min_frame: 0, max_frame: 1000, ..HdlcConfig::default() });
        assert_eq!(encoder.config().min_frame, 1);
        assert_eq!(encoder.config().max_frame, MAX_FRAME);
        assert_eq!(encoder.send(&[]), Err(HdlcSendError::TooShort { len: 0, min: 1 }));
        assert_eq!(
            encoder.send(&[0; MAX_FRAME + 1]),
            Err(HdlcSendError::TooLong { len: MAX_FRAME + 1, max: MAX_FRAME })
        );
    }

    #[test]
    fn fcs_error_is_reported() {
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        encoder.send(&[0x00, 0x01, 0x7F]).unwrap();
        let mut line = encode_until_idle(&mut encoder, 1);
        // Line octet 1 is the address octet 00: one flipped bit there cannot make a run of ones.
        line[1] ^= 0x01;
        let mut decoder = HdlcDecoder::new(HdlcConfig::default());
        assert_eq!(decode_all(&mut decoder, &line), vec![Got::Error(HdlcError::BadFcs)]);
        assert_eq!(decoder.counters().bad_fcs, 1);
    }

    #[test]
    fn extra_bit_between_flags_is_not_octet_aligned() {
        let mut bits = to_bits(&[0x7E]);
        let frame_bits = sabme_bits();
        bits.extend_from_slice(&frame_bits[..20]);
        bits.push(0);
        bits.extend_from_slice(&frame_bits[20..]);
        bits.extend_from_slice(&to_bits(&[0x7E, 0x7E]));
        let mut decoder = HdlcDecoder::new(HdlcConfig::default());
        assert_eq!(
            decode_all(&mut decoder, &from_bits(&bits, 1)),
            vec![Got::Error(HdlcError::NotOctetAligned)]
        );
        assert_eq!(decoder.counters().not_octet_aligned, 1);
    }

    #[test]
    fn garbage_before_the_first_flag_is_ignored() {
        let mut line = vec![0x12, 0x34, 0x00, 0xA5];
        line.extend_from_slice(&SABME_LINE);
        assert_eq!(decode(&line), vec![Got::Frame(vec![0x00, 0x01, 0x7F])]);
    }

    #[test]
    fn octet_at_a_time_equals_all_at_once() {
        let mut encoder = HdlcEncoder::new(HdlcConfig::default());
        let mut line = Vec::new();
        for (i, len) in [3usize, 50, 1, 7, 280, 4].into_iter().enumerate() {
            let frame: Vec<u8> = (0..len).map(|j| (j * 37 + i * 11) as u8 | 0x81).collect();
            if encoder.send(&frame).is_ok() {
                line.extend_from_slice(&encode_until_idle(&mut encoder, i));
            }
        }
        line[100] ^= 0x10;
        let all = decode(&line);
        let mut decoder = HdlcDecoder::new(HdlcConfig::default());
        let mut one_by_one = Vec::new();
        for octet in &line {
            one_by_one.extend(decode_all(&mut decoder, std::slice::from_ref(octet)));
        }
        assert_eq!(all, one_by_one);
        assert_eq!(all.len(), 5);
        assert_eq!(all.iter().filter(|g| matches!(g, Got::Frame(_))).count(), 4);
    }

    #[test]
    fn rx_table_matches_bitwise_machine_on_every_entry() {
        for state in 0..RX_STATES as u32 {
            for octet in 0..256u32 {
                let entry = RX_TABLE[state as usize * 256 + octet as usize];
                let mut s = state;
                let mut data = Vec::new();
                for i in 0..8 {
                    let (next, bits, n, _) = rx_step(s, (octet >> (7 - i)) & 1);
                    data.extend((0..n).map(|k| (bits >> k) & 1));
                    s = next;
                }
                assert_eq!(entry >> 26, s);
                let count = (entry >> 16) & 0xF;
                assert_eq!(count as usize, data.len());
                let packed: Vec<u32> = (0..count).map(|k| (entry >> k) & 1).collect();
                assert_eq!(packed, data);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn round_trip_at_any_bit_rotation(
            frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 3..=MAX_FRAME), 1..6),
            gaps in proptest::collection::vec(0usize..4, 6),
            rotation in 0usize..8,
            marks in any::<bool>(),
            chunk in 1usize..40,
        ) {
            let idle = if marks { IdleFill::Marks } else { IdleFill::Flags };
            let config = HdlcConfig { idle, ..HdlcConfig::default() };
            let mut encoder = HdlcEncoder::new(config);
            let mut line = Vec::new();
            for (frame, gap) in frames.iter().zip(&gaps) {
                while encoder.send(frame) == Err(HdlcSendError::Busy) {
                    let mut octet = [0u8; 1];
                    encoder.fill(&mut octet);
                    line.push(octet[0]);
                }
                if *gap > 0 {
                    line.extend_from_slice(&encode_until_idle(&mut encoder, *gap));
                }
            }
            line.extend_from_slice(&encode_until_idle(&mut encoder, 2));
            // Shift the whole stream by `rotation` bits of idle-like ones at the front.
            let mut bits = vec![1u8; rotation];
            bits.extend(to_bits(&line));
            let shifted = from_bits(&bits, 1);
            let mut decoder = HdlcDecoder::new(config);
            let mut got = Vec::new();
            for piece in shifted.chunks(chunk) {
                got.extend(decode_all(&mut decoder, piece));
            }
            let expected: Vec<Got> = frames.iter().map(|f| Got::Frame(f.clone())).collect();
            prop_assert_eq!(got, expected);
            prop_assert_eq!(decoder.counters().frames, frames.len() as u64);
        }

        #[test]
        fn decoder_never_panics_on_noise(line in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let mut decoder = HdlcDecoder::new(HdlcConfig::default());
            let mut frames = 0u64;
            decoder.push(&line, |event| if let HdlcEvent::Frame(f) = event {
                assert!(f.len() >= 3 && f.len() <= MAX_FRAME);
                frames += 1;
            });
            prop_assert_eq!(decoder.counters().frames, frames);
        }
    }
}
