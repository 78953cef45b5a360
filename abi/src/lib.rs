//! The tdm board ABI, version 1: what an E1 board exposes to the userspace driver.
//!
//! A board is a block of shared memory plus an interrupt file descriptor, the way a
//! UIO device is on Linux. The memory holds a header, and per span a set of control
//! registers (written by the driver), status registers (written by the board) and two
//! single-producer single-consumer rings of raw line bits in 32-octet units: RX (board
//! produces, driver consumes) and TX (driver produces, board consumes). Every 1 ms the
//! board completes a block and raises the interrupt.
//!
//! The byte-level layout is specified in `docs/board-abi.md`; this crate is the one Rust
//! rendering of it, shared by the driver and by the simulator (which knows nothing else
//! of the driver). All multi-octet fields are little-endian; indices are free-running
//! `u64` unit counters, so `head - tail` is always the fill and wrap-around never
//! needs a special case.
//!
//! All `unsafe` of the ABI lives in this file: the memory is shared with another
//! party (a device or another process), so it is reached through raw pointers and
//! atomics only, never through Rust references to plain bytes.

#![deny(unsafe_op_in_unsafe_fn)]

use std::fmt;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// First eight octets of every board.
pub const MAGIC: [u8; 8] = *b"TDMBOARD";
/// The layout version this crate speaks. A board with another version is refused.
pub const ABI_VERSION: u32 = 1;
/// One ring unit: the size of an E1 frame (32 timeslots × 8 bits).
pub const UNIT_OCTETS: usize = 32;
/// Units (frames' worth of bits) per 1 ms block.
pub const FRAMES_PER_BLOCK: u32 = 8;
/// Bytes reserved for the board header.
pub const HEADER_SIZE: usize = 256;
/// Bytes reserved for one span's registers, before its two rings.
pub const SPAN_REGS_SIZE: usize = 512;
/// Most spans one board may declare.
pub const MAX_SPANS: u32 = 64;
/// Smallest and largest ring capacity, in units.
pub const MIN_RING_UNITS: u32 = 32;
pub const MAX_RING_UNITS: u32 = 1 << 16;
/// Octets of the board name field (NUL padded UTF-8).
pub const NAME_OCTETS: usize = 32;

/// Framing control bits (`SpanRegs::framing`). The software framer does the framing;
/// the board may use these to configure a hardware framer it has.
pub mod framing {
    /// CRC-4 multiframe on.
    pub const CRC4: u32 = 1 << 0;
    /// Common-channel signaling on TS16 (clear: CAS multiframe on TS16).
    pub const CCS: u32 = 1 << 1;
}

/// `SpanRegs::clock` values: where the span's transmit clock comes from.
pub mod clock {
    /// The board's own oscillator.
    pub const INTERNAL: u32 = 0;
    /// Recovered from this span's received signal (loop timing).
    pub const LINE: u32 = 1;
}

/// `SpanRegs::loopback` values, carried out by the board.
pub mod loopback {
    pub const NONE: u32 = 0;
    /// What the driver transmits comes straight back on RX (it still goes to the line).
    pub const LOCAL: u32 = 1;
    /// What the line delivers is sent straight back to the line; the driver's TX is
    /// consumed and dropped, RX still reaches the driver.
    pub const REMOTE: u32 = 2;
}

/// `SpanRegs::status` bits, set by the board.
pub mod status {
    /// No pulses on the line (G.775 LOS, detected by the line interface).
    pub const LOS: u32 = 1 << 0;
}

/// `Header::board_flags` bits.
pub mod board_flags {
    /// The board is running and completing blocks.
    pub const RUNNING: u32 = 1 << 0;
}

/// The interrupt descriptor speaks UIO's protocol: a blocking `read` of 4 octets returns
/// the running count of interrupts (u32 LE); a `write` of these 4 octets re-enables the
/// interrupt. A board running in lockstep waits for that write before its next block.
pub const IRQ_ENABLE: [u8; 4] = 1u32.to_le_bytes();

/// The board header, at offset 0.
#[repr(C)]
pub struct Header {
    pub magic: [u8; 8],
    pub abi_version: u32,
    pub span_count: u32,
    pub frames_per_block: u32,
    pub ring_units: u32,
    pub span_stride: u32,
    pub spans_offset: u32,
    pub name: [u8; NAME_OCTETS],
    /// Blocks completed since the board started: the board's clock, in ms.
    pub block_seq: AtomicU64,
    pub board_flags: AtomicU32,
}

/// One span's registers, at `spans_offset + n * span_stride`. Each index sits on a
/// cache line of its own so the producer and consumer of a ring never share one.
#[repr(C, align(64))]
pub struct SpanRegs {
    // Control: written by the driver, read by the board.
    pub framing: AtomicU32,
    pub clock: AtomicU32,
    pub loopback: AtomicU32,
    _control_pad: [u32; 13],
    // Status: written by the board, read by the driver.
    pub status: AtomicU32,
    _status_pad: u32,
    /// Line code violations counted by the line interface (free-running).
    pub line_code_violations: AtomicU64,
    /// Units the board had to drop because the RX ring was full (free-running).
    pub rx_overruns: AtomicU64,
    /// Units the board had to send as all ones because the TX ring was empty.
    pub tx_underruns: AtomicU64,
    _status_pad2: [u64; 4],
    pub rx_head: CacheLine,
    pub rx_tail: CacheLine,
    pub tx_head: CacheLine,
    pub tx_tail: CacheLine,
}

/// A free-running unit counter alone on its cache line.
#[repr(C, align(64))]
pub struct CacheLine {
    pub value: AtomicU64,
}

const _: () = {
    assert!(std::mem::size_of::<Header>() <= HEADER_SIZE);
    assert!(std::mem::size_of::<SpanRegs>() <= SPAN_REGS_SIZE);
    assert!(std::mem::offset_of!(Header, block_seq) == 64);
    assert!(std::mem::offset_of!(Header, board_flags) == 72);
    assert!(std::mem::offset_of!(SpanRegs, status) == 64);
    assert!(std::mem::offset_of!(SpanRegs, line_code_violations) == 72);
    assert!(std::mem::offset_of!(SpanRegs, rx_overruns) == 80);
    assert!(std::mem::offset_of!(SpanRegs, tx_underruns) == 88);
    assert!(std::mem::offset_of!(SpanRegs, rx_head) == 128);
    assert!(std::mem::offset_of!(SpanRegs, rx_tail) == 192);
    assert!(std::mem::offset_of!(SpanRegs, tx_head) == 256);
    assert!(std::mem::offset_of!(SpanRegs, tx_tail) == 320);
};

/// The shape of a board: how many spans, how deep each ring is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    pub spans: u32,
    pub ring_units: u32,
}

impl Geometry {
    pub fn span_stride(&self) -> usize {
        SPAN_REGS_SIZE + 2 * self.ring_units as usize * UNIT_OCTETS
    }

    /// Bytes of memory a board of this shape needs.
    pub fn size(&self) -> usize {
        HEADER_SIZE + self.spans as usize * self.span_stride()
    }

    fn check(&self) -> Result<(), LayoutError> {
        if self.spans == 0 || self.spans > MAX_SPANS {
            return Err(LayoutError::SpanCount(self.spans));
        }
        if !self.ring_units.is_power_of_two() || !(MIN_RING_UNITS..=MAX_RING_UNITS).contains(&self.ring_units)
        {
            return Err(LayoutError::RingUnits(self.ring_units));
        }
        Ok(())
    }
}

/// Why a block of memory is not a board this crate can speak to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutError {
    /// Shorter than the header, or than the header says the board is.
    Truncated {
        needed: usize,
        mapped: usize,
    },
    BadMagic([u8; 8]),
    Version {
        found: u32,
        supported: u32,
    },
    FramesPerBlock(u32),
    SpanCount(u32),
    RingUnits(u32),
    /// Stride or offset disagree with the span count and ring size.
    Geometry {
        span_stride: u32,
        spans_offset: u32,
    },
    /// The memory does not start on a 64-octet boundary.
    Misaligned,
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::Truncated { needed, mapped } => {
                write!(f, "mapping is truncated: {mapped} octets mapped, the layout needs {needed}")
            }
            LayoutError::BadMagic(m) => write!(f, "bad magic {m:02x?}, expected \"TDMBOARD\""),
            LayoutError::Version { found, supported } => {
                write!(f, "board ABI version {found}, this driver speaks version {supported}")
            }
            LayoutError::FramesPerBlock(n) => {
                write!(f, "{n} frames per block, the ABI fixes {FRAMES_PER_BLOCK}")
            }
            LayoutError::SpanCount(n) => write!(f, "{n} spans, expected 1 to {MAX_SPANS}"),
            LayoutError::RingUnits(n) => write!(
                f,
                "ring of {n} units, expected a power of two from {MIN_RING_UNITS} to {MAX_RING_UNITS}"
            ),
            LayoutError::Geometry { span_stride, spans_offset } => {
                write!(f, "span stride {span_stride} / offset {spans_offset} disagree with the ring size")
            }
            LayoutError::Misaligned => write!(f, "mapping is not 64-octet aligned"),
        }
    }
}

impl std::error::Error for LayoutError {}

/// A validated view of a board's memory. It does not own the memory: whoever mapped it
/// keeps the mapping alive for as long as the view (and every span or ring taken from
/// it) is used.
pub struct BoardView {
    base: NonNull<u8>,
    geometry: Geometry,
}

// SAFETY: the view only reaches the shared memory through atomics and through ring
// slots whose ownership the head/tail protocol hands over; it holds no thread-bound state.
unsafe impl Send for BoardView {}
unsafe impl Sync for BoardView {}

impl BoardView {
    /// Checks the header of a mapped board and returns a view of it.
    ///
    /// # Safety
    /// `base` must point to `len` octets that stay mapped, readable and writable for as
    /// long as the view and anything taken from it lives.
    pub unsafe fn open(base: *mut u8, len: usize) -> Result<Self, LayoutError> {
        let base = NonNull::new(base).ok_or(LayoutError::Truncated { needed: HEADER_SIZE, mapped: 0 })?;
        if !(base.as_ptr() as usize).is_multiple_of(64) {
            return Err(LayoutError::Misaligned);
        }
        if len < HEADER_SIZE {
            return Err(LayoutError::Truncated { needed: HEADER_SIZE, mapped: len });
        }
        // SAFETY: at least HEADER_SIZE octets are mapped and the pointer is aligned.
        let header = unsafe { &*(base.as_ptr() as *const Header) };
        // Read the plain fields through volatile loads: the board may be writing them.
        // SAFETY: the fields lie inside the mapped header.
        let magic = unsafe { std::ptr::read_volatile(&header.magic) };
        if magic != MAGIC {
            return Err(LayoutError::BadMagic(magic));
        }
        let field = |p: &u32| unsafe { std::ptr::read_volatile(p) };
        let version = field(&header.abi_version);
        if version != ABI_VERSION {
            return Err(LayoutError::Version { found: version, supported: ABI_VERSION });
        }
        let fpb = field(&header.frames_per_block);
        if fpb != FRAMES_PER_BLOCK {
            return Err(LayoutError::FramesPerBlock(fpb));
        }
        let geometry = Geometry { spans: field(&header.span_count), ring_units: field(&header.ring_units) };
        geometry.check()?;
        let span_stride = field(&header.span_stride);
        let spans_offset = field(&header.spans_offset);
        if span_stride as usize != geometry.span_stride() || spans_offset as usize != HEADER_SIZE {
            return Err(LayoutError::Geometry { span_stride, spans_offset });
        }
        if len < geometry.size() {
            return Err(LayoutError::Truncated { needed: geometry.size(), mapped: len });
        }
        Ok(BoardView { base, geometry })
    }

    /// Lays out a fresh board in `base` (the board's side: a simulator or a device's
    /// firmware does this once at power-up), with every register and index at zero.
    ///
    /// # Safety
    /// As for [`BoardView::open`], and nobody else may use the memory while it is laid out.
    pub unsafe fn format(
        base: *mut u8,
        len: usize,
        geometry: Geometry,
        name: &str,
    ) -> Result<Self, LayoutError> {
        geometry.check()?;
        if len < geometry.size() {
            return Err(LayoutError::Truncated { needed: geometry.size(), mapped: len });
        }
        if base.is_null() || !(base as usize).is_multiple_of(64) {
            return Err(LayoutError::Misaligned);
        }
        // SAFETY: the caller hands us `len >= size` exclusive octets.
        unsafe {
            std::ptr::write_bytes(base, 0, geometry.size());
            let h = base as *mut Header;
            let mut name_field = [0u8; NAME_OCTETS];
            let n = name.len().min(NAME_OCTETS);
            name_field[..n].copy_from_slice(&name.as_bytes()[..n]);
            (*h).abi_version = ABI_VERSION;
            (*h).span_count = geometry.spans;
            (*h).frames_per_block = FRAMES_PER_BLOCK;
            (*h).ring_units = geometry.ring_units;
            (*h).span_stride = geometry.span_stride() as u32;
            (*h).spans_offset = HEADER_SIZE as u32;
            (*h).name = name_field;
            // The magic goes last: a driver that sees it sees a complete header.
            std::sync::atomic::fence(Ordering::Release);
            std::ptr::write_volatile(&mut (*h).magic, MAGIC);
            Self::open(base, len)
        }
    }

    pub fn geometry(&self) -> Geometry {
        self.geometry
    }

    pub fn header(&self) -> &Header {
        // SAFETY: validated in `open`; the header's mutable fields are atomics.
        unsafe { &*(self.base.as_ptr() as *const Header) }
    }

    /// The board's name as the header gives it.
    pub fn name(&self) -> String {
        let raw = &self.header().name;
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        String::from_utf8_lossy(&raw[..end]).into_owned()
    }

    /// Span `index`, or `None` past the span count.
    pub fn span(&self, index: u32) -> Option<SpanView<'_>> {
        if index >= self.geometry.spans {
            return None;
        }
        let offset = HEADER_SIZE + index as usize * self.geometry.span_stride();
        // SAFETY: `open` checked that every span region lies inside the mapping, and
        // the stride is a multiple of 64, so the registers are aligned.
        let regs = unsafe { self.base.as_ptr().add(offset) };
        let ring_bytes = self.geometry.ring_units as usize * UNIT_OCTETS;
        let rx = unsafe { regs.add(SPAN_REGS_SIZE) };
        let tx = unsafe { rx.add(ring_bytes) };
        Some(SpanView {
            // SAFETY: aligned, inside the mapping; every mutable field is atomic.
            regs: unsafe { &*(regs as *const SpanRegs) },
            rx,
            tx,
            units: self.geometry.ring_units,
        })
    }
}

/// One span of a board: its registers and its two rings.
pub struct SpanView<'a> {
    pub regs: &'a SpanRegs,
    rx: *mut u8,
    tx: *mut u8,
    units: u32,
}

// SAFETY: as for BoardView; the raw pointers point into the shared mapping.
unsafe impl Send for SpanView<'_> {}
unsafe impl Sync for SpanView<'_> {}

impl<'a> SpanView<'a> {
    /// The RX ring: the board produces, the driver consumes.
    pub fn rx(&self) -> Ring<'a> {
        Ring {
            head: &self.regs.rx_head.value,
            tail: &self.regs.rx_tail.value,
            data: self.rx,
            units: self.units,
        }
    }

    /// The TX ring: the driver produces, the board consumes.
    pub fn tx(&self) -> Ring<'a> {
        Ring {
            head: &self.regs.tx_head.value,
            tail: &self.regs.tx_tail.value,
            data: self.tx,
            units: self.units,
        }
    }
}

/// A ring of 32-octet units in shared memory. Exactly one party produces (moves `head`)
/// and exactly one consumes (moves `tail`); the ABI says which party is which.
///
/// Orderings: the producer writes slots, then publishes `head` with Release; the consumer
/// reads `head` with Acquire before touching those slots, and gives them back by
/// publishing `tail` with Release, which the producer reads with Acquire before reusing
/// them. Each side reads its own index Relaxed: nobody else writes it.
pub struct Ring<'a> {
    head: &'a AtomicU64,
    tail: &'a AtomicU64,
    data: *mut u8,
    units: u32,
}

impl Ring<'_> {
    pub fn capacity(&self) -> u32 {
        self.units
    }

    /// Units waiting to be consumed (either side may ask).
    pub fn fill(&self) -> u64 {
        let tail = self.tail.load(Ordering::Acquire);
        let head = self.head.load(Ordering::Acquire);
        head.wrapping_sub(tail).min(self.units as u64)
    }

    /// Producer side: copies as many whole units of `src` as fit; returns how many.
    pub fn push(&self, src: &[u8]) -> usize {
        let head = self.head.load(Ordering::Relaxed);
        let tail = self.tail.load(Ordering::Acquire);
        let free = self.units as u64 - head.wrapping_sub(tail).min(self.units as u64);
        let n = (src.len() / UNIT_OCTETS).min(free as usize);
        for i in 0..n {
            let slot = ((head + i as u64) % self.units as u64) as usize;
            // SAFETY: the slot lies inside the ring, and between tail and tail+units it
            // belongs to the producer until `head` is published below.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    src.as_ptr().add(i * UNIT_OCTETS),
                    self.data.add(slot * UNIT_OCTETS),
                    UNIT_OCTETS,
                )
            };
        }
        self.head.store(head + n as u64, Ordering::Release);
        n
    }

    /// Consumer side: copies up to `dst.len() / 32` units out; returns how many.
    pub fn pop(&self, dst: &mut [u8]) -> usize {
        let tail = self.tail.load(Ordering::Relaxed);
        let head = self.head.load(Ordering::Acquire);
        let n = (head.wrapping_sub(tail) as usize).min(dst.len() / UNIT_OCTETS).min(self.units as usize);
        for i in 0..n {
            let slot = ((tail + i as u64) % self.units as u64) as usize;
            // SAFETY: slots between tail and head were published by the producer and
            // stay ours until `tail` is published below.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    self.data.add(slot * UNIT_OCTETS),
                    dst.as_mut_ptr().add(i * UNIT_OCTETS),
                    UNIT_OCTETS,
                )
            };
        }
        self.tail.store(tail + n as u64, Ordering::Release);
        n
    }

    /// Consumer side: throws away up to `n` units unread; returns how many.
    pub fn skip(&self, n: usize) -> usize {
        let tail = self.tail.load(Ordering::Relaxed);
        let head = self.head.load(Ordering::Acquire);
        let n = (head.wrapping_sub(tail) as usize).min(n);
        self.tail.store(tail + n as u64, Ordering::Release);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 64-aligned scratch memory standing in for a mapping.
    fn memory(geometry: Geometry) -> Vec<CacheLine> {
        (0..geometry.size().div_ceil(64)).map(|_| CacheLine { value: AtomicU64::new(0) }).collect()
    }

    #[test]
    fn format_then_open_round_trips_the_header() {
        let g = Geometry { spans: 2, ring_units: 64 };
        let mut mem = memory(g);
        let ptr = mem.as_mut_ptr() as *mut u8;
        let board = unsafe { BoardView::format(ptr, g.size(), g, "sim0") }.unwrap();
        assert_eq!(board.name(), "sim0");
        let again = unsafe { BoardView::open(ptr, g.size()) }.unwrap();
        assert_eq!(again.geometry(), g);
        assert!(again.span(1).is_some());
        assert!(again.span(2).is_none());
        assert_eq!(g.size(), 256 + 2 * (512 + 2 * 64 * 32));
    }

    #[test]
    fn open_refuses_bad_boards_with_the_reason() {
        let g = Geometry { spans: 1, ring_units: 32 };
        let mut mem = memory(g);
        let ptr = mem.as_mut_ptr() as *mut u8;
        assert!(matches!(unsafe { BoardView::open(ptr, g.size()) }, Err(LayoutError::BadMagic(_))));
        unsafe { BoardView::format(ptr, g.size(), g, "x") }.unwrap();
        assert_eq!(
            unsafe { BoardView::open(ptr, 100) }.err(),
            Some(LayoutError::Truncated { needed: HEADER_SIZE, mapped: 100 })
        );
        assert_eq!(
            unsafe { BoardView::open(ptr, g.size() - 1) }.err(),
            Some(LayoutError::Truncated { needed: g.size(), mapped: g.size() - 1 })
        );
        unsafe { (*(ptr as *mut Header)).abi_version = 7 };
        assert_eq!(
            unsafe { BoardView::open(ptr, g.size()) }.err(),
            Some(LayoutError::Version { found: 7, supported: 1 })
        );
        let bad = Geometry { spans: 1, ring_units: 48 };
        assert_eq!(
            unsafe { BoardView::format(ptr, g.size(), bad, "x") }.err(),
            Some(LayoutError::RingUnits(48))
        );
    }

    #[test]
    fn ring_moves_units_in_order_and_stops_when_full() {
        let g = Geometry { spans: 1, ring_units: 32 };
        let mut mem = memory(g);
        let board = unsafe { BoardView::format(mem.as_mut_ptr() as *mut u8, g.size(), g, "r") }.unwrap();
        let span = board.span(0).unwrap();
        let ring = span.rx();
        let units: Vec<u8> = (0..40 * UNIT_OCTETS).map(|i| (i / UNIT_OCTETS) as u8).collect();
        assert_eq!(ring.push(&units[..20 * UNIT_OCTETS]), 20);
        let mut out = vec![0u8; 15 * UNIT_OCTETS];
        assert_eq!(ring.pop(&mut out), 15);
        assert_eq!(out[14 * UNIT_OCTETS], 14);
        // 5 left; 27 more fit, the wrap is transparent.
        assert_eq!(ring.push(&units[20 * UNIT_OCTETS..]), 20);
        assert_eq!(ring.push(&units[..10 * UNIT_OCTETS]), 7);
        assert_eq!(ring.fill(), 32);
        let mut all = vec![0u8; 32 * UNIT_OCTETS];
        assert_eq!(ring.pop(&mut all), 32);
        let firsts: Vec<u8> = all.chunks(UNIT_OCTETS).map(|u| u[0]).collect();
        let expected: Vec<u8> = (15..40).chain(0..7).collect();
        assert_eq!(firsts, expected);
        assert_eq!(ring.skip(3), 0);
    }
}
