//! What the tests use to play the driver: map a board's memory file through `tdm_abi`,
//! keep TX rings fed with a known stream, collect RX rings.

#![allow(dead_code)]

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::atomic::Ordering;

use memmap2::MmapMut;
use tdm_abi::{BoardView, UNIT_OCTETS};
use tdm_hw_sim::{Bench, Simulator};

/// A board's memory as a driver maps it.
pub struct MappedBoard {
    // Declared before the mapping: the view points into it.
    view: BoardView,
    _map: MmapMut,
}

impl MappedBoard {
    pub fn open(path: &Path) -> MappedBoard {
        let file = OpenOptions::new().read(true).write(true).open(path).unwrap();
        // SAFETY: the simulator's board file; both sides reach it only through the ABI.
        let mut map = unsafe { MmapMut::map_mut(&file) }.unwrap();
        // SAFETY: the mapping lives beside the view in this struct.
        let view = unsafe { BoardView::open(map.as_mut_ptr(), map.len()) }.unwrap();
        MappedBoard { view, _map: map }
    }

    pub fn view(&self) -> &BoardView {
        &self.view
    }

    pub fn set_loopback(&self, span: u32, mode: u32) {
        self.view.span(span).unwrap().regs.loopback.store(mode, Ordering::Relaxed);
    }

    pub fn set_clock(&self, span: u32, mode: u32) {
        self.view.span(span).unwrap().regs.clock.store(mode, Ordering::Relaxed);
    }

    pub fn status(&self, span: u32) -> u32 {
        self.view.span(span).unwrap().regs.status.load(Ordering::Relaxed)
    }

    pub fn block_seq(&self) -> u64 {
        self.view.header().block_seq.load(Ordering::Acquire)
    }

    pub fn counters(&self, span: u32) -> (u64, u64, u64) {
        let regs = self.view.span(span).unwrap().regs;
        (
            regs.line_code_violations.load(Ordering::Relaxed),
            regs.rx_overruns.load(Ordering::Relaxed),
            regs.tx_underruns.load(Ordering::Relaxed),
        )
    }

    /// Units the board has taken from the TX ring so far.
    pub fn tx_taken(&self, span: u32) -> u64 {
        self.view.span(span).unwrap().regs.tx_tail.value.load(Ordering::Acquire)
    }

    /// Everything waiting in the RX ring.
    pub fn take_rx(&self, span: u32) -> Vec<u8> {
        let ring = self.view.span(span).unwrap().rx();
        let mut out = vec![0u8; ring.capacity() as usize * UNIT_OCTETS];
        let n = ring.pop(&mut out);
        out.truncate(n * UNIT_OCTETS);
        out
    }
}

/// A known, bit-rich stream of units fed into one TX ring.
pub struct Feeder {
    state: u64,
    /// Every octet pushed so far, in order.
    pub sent: Vec<u8>,
}

impl Feeder {
    pub fn new(seed: u64) -> Feeder {
        Feeder { state: seed | 1, sent: Vec::new() }
    }

    fn next_octet(&mut self) -> u8 {
        // xorshift64: only a source of varied octets for the tests.
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state >> 24) as u8
    }

    /// Tops the span's TX ring up to full.
    pub fn top_up(&mut self, board: &MappedBoard, span: u32) {
        let ring = board.view().span(span).unwrap().tx();
        let free = (ring.capacity() as u64 - ring.fill()) as usize;
        let start = self.sent.len();
        for _ in 0..free * UNIT_OCTETS {
            let o = self.next_octet();
            self.sent.push(o);
        }
        let pushed = ring.push(&self.sent[start..]);
        assert_eq!(pushed, free);
    }
}

/// Bit `i` of a stream, first-transmitted bit in the MSB of each octet.
pub fn bit(stream: &[u8], i: usize) -> u8 {
    (stream[i / 8] >> (7 - i % 8)) & 1
}

/// `stream` delayed by `offset` bits of filler ones, cut to `len` octets.
pub fn shifted(stream: &[u8], offset: usize, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    for i in 0..len * 8 {
        let b = if i < offset { 1 } else { bit(stream, i - offset) };
        out[i / 8] |= b << (7 - i % 8);
    }
    out
}

/// Bits that differ between two equally long streams.
pub fn differing_bits(a: &[u8], b: &[u8]) -> u64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones() as u64).sum()
}

/// A simulator on a fresh temporary directory, and that directory.
pub fn simulator(bench: &str) -> (Simulator, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let bench = Bench::parse(bench, "test.toml").unwrap();
    let sim = Simulator::new(&bench, dir.path()).unwrap();
    (sim, dir)
}

pub fn board(sim: &Simulator, name: &str) -> MappedBoard {
    let device = sim.devices().iter().find(|d| d.name == name).unwrap();
    MappedBoard::open(&device.memory)
}
