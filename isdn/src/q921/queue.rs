//! Storage for I frames: those sent and not yet acknowledged, then those waiting to be sent.
//!
//! One allocation at construction; sending, acknowledging and retransmitting only move indices.
//! The frame with send sequence number V(A) (the oldest unacknowledged) is at `head`; the frame
//! with sequence number `s` is `(s − V(A)) mod 128` places after it.

use crate::wire::lapd::N201;

#[derive(Clone)]
struct Slot {
    len: u16,
    data: [u8; N201],
}

/// A ring of I-frame information fields.
pub(crate) struct FrameQueue {
    slots: Box<[Slot]>,
    head: usize,
    count: usize,
}

impl FrameQueue {
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        FrameQueue {
            slots: vec![Slot { len: 0, data: [0; N201] }; capacity].into_boxed_slice(),
            head: 0,
            count: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    pub(crate) fn is_full(&self) -> bool {
        self.count == self.slots.len()
    }

    /// Appends a frame's information field; `false` when full or longer than N201.
    pub(crate) fn push(&mut self, info: &[u8]) -> bool {
        if self.is_full() || info.len() > N201 {
            return false;
        }
        let index = (self.head + self.count) % self.slots.len();
        let slot = &mut self.slots[index];
        slot.data[..info.len()].copy_from_slice(info);
        slot.len = info.len() as u16;
        self.count += 1;
        true
    }

    /// The frame `offset` places after the oldest.
    pub(crate) fn get(&self, offset: usize) -> Option<&[u8]> {
        if offset >= self.count {
            return None;
        }
        let slot = &self.slots[(self.head + offset) % self.slots.len()];
        Some(&slot.data[..usize::from(slot.len)])
    }

    /// Drops the `n` oldest frames (they were acknowledged).
    pub(crate) fn pop_front(&mut self, n: usize) {
        let n = n.min(self.count);
        self.head = (self.head + n) % self.slots.len();
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
    fn information_fields_up_to_n201_are_taken() {
        let mut queue = FrameQueue::new(2);
        assert!(queue.push(&[7; N201]));
        assert!(!queue.push(&[7; N201 + 1]));
        assert_eq!(queue.get(0).map(<[u8]>::len), Some(N201));
        queue.clear();
        assert_eq!(queue.get(0), None);
    }
}
