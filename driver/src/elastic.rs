//! The receive slip buffer between the line's clock and the board's.
//!
//! The framer hands over frames at the rate the far end transmits; the span consumes 8 per
//! block of the board's clock. When the two clocks differ, the buffer's fill drifts, and
//! before it runs dry or overflows a whole frame is repeated or deleted: a controlled slip
//! (G.822), counted. The thresholds leave room for a block's worth of arrival jitter, so
//! only a real frequency offset slips.

use crate::framer::{FRAME_OCTETS, Frame};

const CAPACITY: usize = 32;
/// Fill the buffer is primed to before frames start flowing out.
pub const NOMINAL_DELAY: usize = 16;
/// Above this fill (checked before a block is read) one frame is deleted.
const HIGH: usize = 24;
/// Below this fill (checked before a block is read) one frame is repeated.
const LOW: usize = 8 + 2;

/// All ones: what flows downstream while there is no aligned signal (AIS toward the channels).
pub const AIS_FRAME: Frame = [0xFF; FRAME_OCTETS];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slip {
    /// The line is faster: a frame was deleted.
    Deleted,
    /// The line is slower: a frame was repeated.
    Repeated,
}

pub struct ElasticStore {
    frames: [Frame; CAPACITY],
    read: usize,
    fill: usize,
    running: bool,
    last: Frame,
}

impl Default for ElasticStore {
    fn default() -> Self {
        Self::new()
    }
}

impl ElasticStore {
    pub fn new() -> Self {
        ElasticStore {
            frames: [[0; FRAME_OCTETS]; CAPACITY],
            read: 0,
            fill: 0,
            running: false,
            last: AIS_FRAME,
        }
    }

    pub fn fill(&self) -> usize {
        self.fill
    }

    /// A frame from the framer. A buffer that is full (the reader stopped) drops the oldest.
    pub fn push(&mut self, frame: &Frame) {
        if self.fill == CAPACITY {
            self.read = (self.read + 1) % CAPACITY;
            self.fill -= 1;
        }
        self.frames[(self.read + self.fill) % CAPACITY] = *frame;
        self.fill += 1;
    }

    /// Reads `out.len()` frames for the board's clock. `aligned` says whether the framer
    /// still delivers: a buffer that runs dry without it stops and primes again instead of
    /// slipping. Returns the slip made, if any.
    pub fn read(&mut self, out: &mut [Frame], aligned: bool) -> Option<Slip> {
        if !self.running {
            if aligned && self.fill >= NOMINAL_DELAY {
                self.running = true;
            } else {
                out.fill(AIS_FRAME);
                return None;
            }
        }
        let mut slip = None;
        let mut start = 0;
        if self.fill > HIGH {
            self.pop();
            slip = Some(Slip::Deleted);
        } else if aligned && self.fill < LOW && !out.is_empty() {
            out[0] = self.last;
            start = 1;
            slip = Some(Slip::Repeated);
        }
        for (i, slot) in out.iter_mut().enumerate().skip(start) {
            match self.pop() {
                Some(frame) => *slot = frame,
                None => {
                    // The framer stopped delivering (alignment lost): AIS downstream, prime again.
                    self.running = false;
                    out[i..].fill(AIS_FRAME);
                    return slip;
                }
            }
        }
        slip
    }

    fn pop(&mut self) -> Option<Frame> {
        if self.fill == 0 {
            return None;
        }
        let frame = self.frames[self.read];
        self.read = (self.read + 1) % CAPACITY;
        self.fill -= 1;
        self.last = frame;
        Some(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(n: u8) -> Frame {
        [n; FRAME_OCTETS]
    }

    fn run_block(store: &mut ElasticStore, next: &mut u8, arrivals: usize) -> (Vec<u8>, Option<Slip>) {
        for _ in 0..arrivals {
            store.push(&numbered(*next));
            *next = next.wrapping_add(1);
        }
        let mut out = [[0u8; FRAME_OCTETS]; 8];
        let slip = store.read(&mut out, true);
        (out.iter().map(|f| f[0]).collect(), slip)
    }

    #[test]
    fn primes_to_the_nominal_delay_then_passes_frames_in_order() {
        let mut store = ElasticStore::new();
        let mut next = 0;
        let (first, _) = run_block(&mut store, &mut next, 8);
        assert_eq!(first, vec![0xFF; 8], "AIS while priming");
        let (second, slip) = run_block(&mut store, &mut next, 8);
        assert_eq!(second, (0..8).collect::<Vec<u8>>());
        assert_eq!(slip, None);
        for block in 2..100u32 {
            let (frames, slip) = run_block(&mut store, &mut next, 8);
            assert_eq!(slip, None);
            assert_eq!(frames[0], ((block - 1) * 8) as u8);
        }
        assert_eq!(store.fill(), NOMINAL_DELAY - 8, "one block in hand after each read");
    }

    #[test]
    fn a_faster_line_deletes_one_frame_per_frame_of_drift() {
        let mut store = ElasticStore::new();
        let mut next = 0;
        let mut deleted = 0;
        // One extra frame every 10 blocks: the first slip comes once the drift has used
        // up the headroom above nominal, then one per extra frame.
        for block in 0..1000 {
            let arrivals = if block % 10 == 9 { 9 } else { 8 };
            if let (_, Some(slip)) = run_block(&mut store, &mut next, arrivals) {
                assert_eq!(slip, Slip::Deleted);
                deleted += 1;
            }
        }
        // Drift d puts the fill at NOMINAL_DELAY + d before a read: deletions start at
        // d = HIGH - NOMINAL_DELAY + 1 and then follow every extra frame.
        assert_eq!(deleted, 100 - (HIGH - NOMINAL_DELAY));
    }

    #[test]
    fn a_slower_line_repeats_the_previous_frame() {
        let mut store = ElasticStore::new();
        let mut next = 0;
        let mut repeats = 0;
        let mut previous_last = None;
        for block in 0..1000 {
            let arrivals = if block % 10 == 9 { 7 } else { 8 };
            let (frames, slip) = run_block(&mut store, &mut next, arrivals);
            if slip == Some(Slip::Repeated) {
                assert_eq!(Some(frames[0]), previous_last, "the repeated frame is the last one read");
                repeats += 1;
            }
            previous_last = Some(frames[7]);
        }
        assert_eq!(repeats, 100 - (NOMINAL_DELAY - LOW));
    }

    #[test]
    fn losing_alignment_drains_then_primes_again_without_slipping() {
        let mut store = ElasticStore::new();
        let mut next = 0;
        for _ in 0..5 {
            run_block(&mut store, &mut next, 8);
        }
        let mut out = [[0u8; FRAME_OCTETS]; 8];
        let mut slips = 0;
        for _ in 0..4 {
            slips += store.read(&mut out, false).is_some() as u32;
        }
        assert_eq!(slips, 0);
        assert_eq!(out, [AIS_FRAME; 8]);
        let (frames, _) = run_block(&mut store, &mut next, 8);
        assert_eq!(frames, vec![0xFF; 8], "priming again");
    }
}
