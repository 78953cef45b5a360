//! A fixed-capacity FIFO of MSU bodies (service information octet plus SIF), allocated once
//! when a link is built so that queueing, sending and acknowledging never allocate.

use super::su::MAX_MSU_BODY;

#[derive(Clone)]
struct Slot {
    len: u16,
    octets: [u8; MAX_MSU_BODY],
}

const EMPTY_SLOT: Slot = Slot { len: 0, octets: [0; MAX_MSU_BODY] };

/// Up to `capacity` MSU bodies in arrival order.
#[derive(Clone)]
pub(crate) struct MsuRing {
    slots: Box<[Slot]>,
    head: usize,
    len: usize,
}

impl MsuRing {
    /// An empty ring; a capacity of 0 is raised to 1.
    pub(crate) fn with_capacity(capacity: usize) -> MsuRing {
        MsuRing { slots: vec![EMPTY_SLOT; capacity.max(1)].into_boxed_slice(), head: 0, len: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == self.slots.len()
    }

    /// Appends a copy of `body`; `false` when the ring is full or `body` is longer than an MSU.
    pub(crate) fn push(&mut self, body: &[u8]) -> bool {
        if self.is_full() || body.len() > MAX_MSU_BODY {
            return false;
        }
        let index = (self.head + self.len) % self.slots.len();
        let slot = &mut self.slots[index];
        slot.octets[..body.len()].copy_from_slice(body);
        slot.len = body.len() as u16;
        self.len += 1;
        true
    }

    /// The `i`-th oldest body.
    pub(crate) fn get(&self, i: usize) -> Option<&[u8]> {
        if i >= self.len {
            return None;
        }
        let slot = &self.slots[(self.head + i) % self.slots.len()];
        Some(&slot.octets[..usize::from(slot.len)])
    }

    /// Drops the `count` oldest bodies (all of them if there are fewer).
    pub(crate) fn drop_front(&mut self, count: usize) {
        let count = count.min(self.len);
        self.head = (self.head + count) % self.slots.len();
        self.len -= count;
    }

    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.len = 0;
    }
}

impl core::fmt::Debug for MsuRing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "MsuRing({}/{})", self.len, self.slots.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_wraps_and_refuses_when_full() {
        let mut ring = MsuRing::with_capacity(3);
        assert!(ring.push(&[1]) && ring.push(&[2, 2]) && ring.push(&[3]));
        assert!(!ring.push(&[4]), "full");
        assert_eq!(ring.get(1), Some(&[2u8, 2][..]));
        ring.drop_front(1);
        assert!(ring.push(&[4]));
        assert_eq!((0..3).map(|i| ring.get(i).unwrap()[0]).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!(ring.get(3), None);
        ring.drop_front(10);
        assert_eq!(ring.len(), 0);
        assert!(!ring.push(&[0; MAX_MSU_BODY + 1]));
        assert!(ring.push(&[0; MAX_MSU_BODY]));
    }
}
