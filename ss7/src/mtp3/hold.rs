//! Messages a link set holds back, one queue per SLS: those whose SLS is between links
//! (changeover, changeback) and those waiting for room in their link's level 2 buffers.
//!
//! Messages of one SLS must leave in the order they came; messages of different SLSs need
//! not. So each SLS has its own FIFO, and the queues share one pool of slots allocated when
//! the link set is built: holding, releasing and putting retrieved messages back in front
//! never allocate, and one busy SLS can use the whole pool.

use crate::mtp2::su::MAX_MSU_BODY;

const NONE: u32 = u32::MAX;

#[derive(Clone)]
struct Slot {
    len: u16,
    next: u32,
    octets: [u8; MAX_MSU_BODY],
}

/// Sixteen FIFOs of MSU bodies over a shared pool.
pub(crate) struct SlsQueues {
    slots: Box<[Slot]>,
    free: u32,
    heads: [u32; 16],
    tails: [u32; 16],
    counts: [usize; 16],
    total: usize,
}

impl SlsQueues {
    /// Queues sharing `capacity` slots (at least 1).
    pub(crate) fn with_capacity(capacity: usize) -> SlsQueues {
        let capacity = capacity.clamp(1, (NONE - 1) as usize);
        let slots: Box<[Slot]> = (0..capacity)
            .map(|i| Slot {
                len: 0,
                next: if i + 1 < capacity { (i + 1) as u32 } else { NONE },
                octets: [0; MAX_MSU_BODY],
            })
            .collect();
        SlsQueues { slots, free: 0, heads: [NONE; 16], tails: [NONE; 16], counts: [0; 16], total: 0 }
    }

    /// Messages held for `sls`.
    pub(crate) fn len(&self, sls: u8) -> usize {
        self.counts[usize::from(sls & 0x0F)]
    }

    /// Messages held in all.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    fn take_slot(&mut self, body: &[u8]) -> Option<u32> {
        if self.free == NONE || body.len() > MAX_MSU_BODY {
            return None;
        }
        let index = self.free;
        let slot = &mut self.slots[index as usize];
        self.free = slot.next;
        slot.octets[..body.len()].copy_from_slice(body);
        slot.len = body.len() as u16;
        slot.next = NONE;
        Some(index)
    }

    /// Appends `body` to the queue of `sls`; `false` when the pool is full.
    pub(crate) fn push_back(&mut self, sls: u8, body: &[u8]) -> bool {
        let sls = usize::from(sls & 0x0F);
        let Some(index) = self.take_slot(body) else { return false };
        match self.tails[sls] {
            NONE => self.heads[sls] = index,
            tail => self.slots[tail as usize].next = index,
        }
        self.tails[sls] = index;
        self.counts[sls] += 1;
        self.total += 1;
        true
    }

    /// Puts `body` at the front of the queue of `sls` (it leaves first); `false` when full.
    pub(crate) fn push_front(&mut self, sls: u8, body: &[u8]) -> bool {
        let sls = usize::from(sls & 0x0F);
        let Some(index) = self.take_slot(body) else { return false };
        self.slots[index as usize].next = self.heads[sls];
        if self.heads[sls] == NONE {
            self.tails[sls] = index;
        }
        self.heads[sls] = index;
        self.counts[sls] += 1;
        self.total += 1;
        true
    }

    /// The oldest message of `sls`.
    pub(crate) fn front(&self, sls: u8) -> Option<&[u8]> {
        match self.heads[usize::from(sls & 0x0F)] {
            NONE => None,
            index => {
                let slot = &self.slots[index as usize];
                Some(&slot.octets[..usize::from(slot.len)])
            }
        }
    }

    /// Drops the oldest message of `sls`.
    pub(crate) fn pop_front(&mut self, sls: u8) {
        let sls = usize::from(sls & 0x0F);
        let index = self.heads[sls];
        if index == NONE {
            return;
        }
        let slot = &mut self.slots[index as usize];
        self.heads[sls] = slot.next;
        if slot.next == NONE {
            self.tails[sls] = NONE;
        }
        slot.next = self.free;
        self.free = index;
        self.counts[sls] -= 1;
        self.total -= 1;
    }

    /// Empties every queue; returns how many messages were dropped.
    pub(crate) fn clear(&mut self) -> usize {
        let dropped = self.total;
        for sls in 0..16 {
            while self.counts[sls] > 0 {
                self.pop_front(sls as u8);
            }
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_sls_keeps_its_order_and_the_pool_is_shared() {
        let mut queues = SlsQueues::with_capacity(4);
        assert!(queues.push_back(1, &[1, 1]));
        assert!(queues.push_back(2, &[2]));
        assert!(queues.push_back(1, &[1, 2]));
        assert!(queues.push_front(1, &[1, 0]));
        assert!(!queues.push_back(3, &[3]), "pool of 4 full");
        assert_eq!((queues.len(1), queues.len(2), queues.total()), (3, 1, 4));
        let mut order = Vec::new();
        while let Some(body) = queues.front(1) {
            order.push(body.to_vec());
            queues.pop_front(1);
        }
        assert_eq!(order, vec![vec![1, 0], vec![1, 1], vec![1, 2]]);
        assert!(queues.push_back(3, &[3]) && queues.push_back(3, &[4]) && queues.push_front(3, &[2]));
        assert_eq!(queues.front(3), Some(&[2u8][..]));
        assert_eq!(queues.clear(), 4);
        assert_eq!((queues.total(), queues.front(2)), (0, None));
        assert!(queues.push_back(0, &[0; MAX_MSU_BODY]));
        assert!(!queues.push_back(0, &[0; MAX_MSU_BODY + 1]));
        queues.pop_front(5);
        assert_eq!(queues.total(), 1);
    }
}
