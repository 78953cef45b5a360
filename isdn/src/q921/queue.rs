//! Storage for I frames: those sent and not yet acknowledged, then those waiting to be sent.
//!
//! One allocation at construction; sending, acknowledging and retransmitting only move indices.
//! The frame with send sequence number V(A) (the oldest unacknowledged) is at `head`; the frame
//! with sequence number `s` is `(s − V(A)) mod 128` places after it. The slots are a power of two
//! so that indices wrap with a mask: a division per frame showed in the call benchmark.

use crate::wire::lapd::N201;

#[derive(Clone)]
struct Slot {
    len: u16,
    data: [u8; N201],
}

/// A ring of I-frame information fields.
pub(crate) struct FrameQueue {
    slots: Box<[Slot]>,
    /// `slots.len() - 1`.
    mask: usize,
    /// Frames held at most (the configured capacity, at most `slots.len()`).
    limit: usize,
    head: usize,
    count: usize,
}

impl FrameQueue {
    pub(crate) fn new(capacity: usize) -> Self {
        let limit = capacity.clamp(1, 1 << 16);
        let slots = limit.next_power_of_two();
        FrameQueue {
            slots: vec![Slot { len: 0, data: [0; N201] }; slots].into_boxed_slice(),
            mask: slots - 1,
            limit,
            head: 0,
            count: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    pub(crate) fn is_full(&self) -> bool {
        self.count >= self.limit
    }

    /// Appends a frame's information field; `false` when full or longer than N201.
    pub(crate) fn push(&mut self, info: &[u8]) -> bool {
        self.push_with(info.len(), |data| data.copy_from_slice(info))
    }

    /// Appends a frame of `len` octets that `fill` writes in place (so that a message is encoded
    /// straight into its slot); `false` when full or longer than N201.
    pub(crate) fn push_with(&mut self, len: usize, fill: impl FnOnce(&mut [u8])) -> bool {
        if self.is_full() || len > N201 {
            return false;
        }
        let index = (self.head + self.count) & self.mask;
        let slot = &mut self.slots[index];
        fill(&mut slot.data[..len]);
        slot.len = len as u16;
        self.count += 1;
        true
    }

    /// Appends a frame that `encode` writes into the slot's whole buffer, returning its length
    /// (or `None` to give up, leaving the queue as it was); `false` when full or given up.
    pub(crate) fn push_encoded(&mut self, encode: impl FnOnce(&mut [u8]) -> Option<usize>) -> bool {
        if self.is_full() {
            return false;
        }
        let index = (self.head + self.count) & self.mask;
        let slot = &mut self.slots[index];
        match encode(&mut slot.data) {
            Some(len) if len <= N201 => {
                slot.len = len as u16;
                self.count += 1;
                true
            }
            _ => false,
        }
    }

    /// The frame `offset` places after the oldest.
    pub(crate) fn get(&self, offset: usize) -> Option<&[u8]> {
        if offset >= self.count {
            return None;
        }
        let slot = &self.slots[(self.head + offset) & self.mask];
        Some(&slot.data[..usize::from(slot.len)])
    }

    /// Drops the `n` oldest frames (they were acknowledged).
    pub(crate) fn pop_front(&mut self, n: usize) {
        let n = n.min(self.count);
        self.head = (self.head + n) & self.mask;
        self.count -= n;
    }

    pub(crate) fn clear(&mut self) {
        self.count = 0;
        self.head = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_back_in_order_across_the_wrap() {
        let mut queue = FrameQueue::new(3);
        assert!(queue.push(b"a") && queue.push(b"bb") && queue.push(b"ccc"));
        assert!(queue.is_full());
        assert!(!queue.push(b"d"));
        queue.pop_front(2);
        assert!(queue.push(b"d") && queue.push(b"e"));
        assert_eq!(queue.get(0), Some(&b"ccc"[..]));
        assert_eq!(queue.get(1), Some(&b"d"[..]));
        assert_eq!(queue.get(2), Some(&b"e"[..]));
        assert_eq!(queue.get(3), None);
        queue.pop_front(10);
        assert_eq!(queue.len(), 0);
    }

    #[test]
    fn a_capacity_that_is_no_power_of_two_still_holds_exactly_that_many() {
        let mut queue = FrameQueue::new(5);
        for i in 0..5u8 {
            assert!(queue.push(&[i]));
        }
        assert!(!queue.push(b"x"), "5 is the limit though 8 slots exist");
        for round in 0..20u8 {
            queue.pop_front(1);
            assert!(queue.push(&[round + 5]));
            assert_eq!(queue.get(0), Some(&[round + 1][..]));
            assert_eq!(queue.get(4), Some(&[round + 5][..]));
        }
    }

    #[test]
    fn encoded_frames_are_written_in_place_or_not_at_all() {
        let mut queue = FrameQueue::new(2);
        assert!(queue.push_encoded(|buffer| {
            buffer[..3].copy_from_slice(b"abc");
            Some(3)
        }));
        assert!(!queue.push_encoded(|_| None), "an encoder that gives up leaves nothing");
        assert!(!queue.push_encoded(|_| Some(N201 + 1)));
        assert_eq!(queue.len(), 1);
        assert!(queue.push_with(2, |data| data.copy_from_slice(b"de")));
        assert!(!queue.push_encoded(|_| Some(1)), "full");
        assert_eq!(queue.get(0), Some(&b"abc"[..]));
        assert_eq!(queue.get(1), Some(&b"de"[..]));
    }

    #[test]
    fn information_fields_up_to_n201_are_taken() {
        let mut queue = FrameQueue::new(2);
        assert!(queue.push(&[7; N201]));
        assert!(!queue.push(&[7; N201 + 1]));
        assert_eq!(queue.get(0).map(<[u8]>::len), Some(N201));
        queue.clear();
        assert_eq!(queue.get(0), None);
    }
}
