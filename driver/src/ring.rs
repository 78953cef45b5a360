//! The single-producer single-consumer octet ring behind every voice timeslot.
//!
//! The driver loop pushes and pops a few octets per timeslot per block for every channel of
//! every span, so the ring's fixed cost is what matters: the capacity is a power of two, the
//! indices run free and are masked, and nothing divides. (A general-purpose ring that takes
//! the index modulo its capacity spent most of the driver's time in `div` here.)
//!
//! Ownership: the writer alone moves `head`, the reader alone moves `tail`. The writer fills
//! slots, then publishes `head` with Release; the reader loads `head` with Acquire before
//! reading those slots, then hands them back by publishing `tail` with Release, which the
//! writer loads with Acquire before reusing them.

use std::cell::UnsafeCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[repr(align(64))]
struct Index(AtomicUsize);

struct Shared {
    head: Index,
    tail: Index,
    mask: usize,
    slots: Box<[UnsafeCell<u8>]>,
}

impl Shared {
    /// The slots from `start` (a free-running index) for `len` octets, as at most two
    /// contiguous runs: up to the end of the buffer, then from its beginning.
    fn runs(&self, start: usize, len: usize) -> [(usize, usize); 2] {
        let at = start & self.mask;
        let first = len.min(self.mask + 1 - at);
        [(at, first), (0, len - first)]
    }

    fn slot_ptr(&self, index: usize) -> *mut u8 {
        // UnsafeCell<u8> has the layout of u8, so the slots are one contiguous octet buffer.
        UnsafeCell::raw_get(self.slots.as_ptr()).wrapping_add(index)
    }
}

// SAFETY: a slot is only written by the writer while it lies outside [tail, head), and only
// read by the reader while it lies inside; the Acquire/Release pairs above order those accesses.
unsafe impl Sync for Shared {}

/// The producing end.
pub struct RingWriter {
    shared: Arc<Shared>,
    head: usize,
}

/// The consuming end.
pub struct RingReader {
    shared: Arc<Shared>,
    tail: usize,
}

/// A ring holding `capacity` octets, rounded up to a power of two (at least 8).
pub fn octet_ring(capacity: usize) -> (RingWriter, RingReader) {
    let capacity = capacity.clamp(8, 1 << 24).next_power_of_two();
    let shared = Arc::new(Shared {
        head: Index(AtomicUsize::new(0)),
        tail: Index(AtomicUsize::new(0)),
        mask: capacity - 1,
        slots: (0..capacity).map(|_| UnsafeCell::new(0)).collect(),
    });
    (RingWriter { shared: shared.clone(), head: 0 }, RingReader { shared, tail: 0 })
}

impl RingWriter {
    pub fn capacity(&self) -> usize {
        self.shared.mask + 1
    }

    /// Octets free for writing now.
    pub fn free(&self) -> usize {
        self.capacity() - self.head.wrapping_sub(self.shared.tail.0.load(Ordering::Acquire))
    }

    /// Writes as much of `src` as fits; returns how much.
    pub fn push_slice(&mut self, src: &[u8]) -> usize {
        let n = src.len().min(self.free());
        let mut done = 0;
        for (at, len) in self.shared.runs(self.head, n) {
            // SAFETY: `runs` stays inside the buffer, and these slots are outside
            // [tail, head): the reader does not touch them until `head` is published.
            unsafe { std::ptr::copy_nonoverlapping(src.as_ptr().add(done), self.shared.slot_ptr(at), len) };
            done += len;
        }
        self.head = self.head.wrapping_add(n);
        self.shared.head.0.store(self.head, Ordering::Release);
        n
    }
}

impl RingReader {
    pub fn capacity(&self) -> usize {
        self.shared.mask + 1
    }

    /// Octets waiting to be read.
    pub fn len(&self) -> usize {
        self.shared.head.0.load(Ordering::Acquire).wrapping_sub(self.tail)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads up to `dst.len()` octets; returns how many.
    pub fn pop_slice(&mut self, dst: &mut [u8]) -> usize {
        let n = dst.len().min(self.len());
        let mut done = 0;
        for (at, len) in self.shared.runs(self.tail, n) {
            // SAFETY: `runs` stays inside the buffer, and these slots are inside [tail, head):
            // published by the writer, and not reused until `tail` moves past them.
            unsafe {
                std::ptr::copy_nonoverlapping(self.shared.slot_ptr(at), dst.as_mut_ptr().add(done), len)
            };
            done += len;
        }
        self.tail = self.tail.wrapping_add(n);
        self.shared.tail.0.store(self.tail, Ordering::Release);
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octets_come_out_in_order_across_the_wrap() {
        let (mut w, mut r) = octet_ring(10);
        assert_eq!(w.capacity(), 16);
        assert_eq!(w.push_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), 12);
        let mut out = [0u8; 10];
        assert_eq!(r.pop_slice(&mut out), 10);
        assert_eq!(out, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(w.push_slice(&[20; 20]), 14, "2 waiting, 14 free");
        assert_eq!(r.len(), 16);
        let mut all = [0u8; 16];
        assert_eq!(r.pop_slice(&mut all), 16);
        assert_eq!(&all[..3], &[11, 12, 20]);
        assert!(r.is_empty());
        assert_eq!(r.pop_slice(&mut all), 0);
    }

    #[test]
    fn a_writer_and_a_reader_on_two_threads_lose_and_reorder_nothing() {
        let (mut w, mut r) = octet_ring(64);
        let total = 200_000usize;
        let writer = std::thread::spawn(move || {
            let mut next = 0usize;
            while next < total {
                let chunk: Vec<u8> = (next..(next + 7).min(total)).map(|i| i as u8).collect();
                next += w.push_slice(&chunk);
            }
        });
        let mut expected = 0usize;
        let mut buf = [0u8; 13];
        while expected < total {
            let n = r.pop_slice(&mut buf);
            for &o in &buf[..n] {
                assert_eq!(o, expected as u8);
                expected += 1;
            }
        }
        writer.join().unwrap();
    }
}
