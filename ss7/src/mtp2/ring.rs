//! A fixed-capacity FIFO of small `Copy` items (pending events and indications), so that the
//! engines queue their outputs without allocating.

/// Up to `N` items in arrival order. Pushing onto a full ring drops the item and counts it.
#[derive(Debug, Clone)]
pub(crate) struct Ring<T: Copy, const N: usize> {
    items: [Option<T>; N],
    head: usize,
    len: usize,
    /// Items dropped because the ring was full.
    pub(crate) dropped: u64,
}

impl<T: Copy, const N: usize> Ring<T, N> {
    pub(crate) const fn new() -> Self {
        Ring { items: [None; N], head: 0, len: 0, dropped: 0 }
    }

    pub(crate) fn push(&mut self, item: T) {
        if self.len == N {
            self.dropped += 1;
            return;
        }
        self.items[(self.head + self.len) % N] = Some(item);
        self.len += 1;
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        let item = self.items[self.head].take();
        self.head = (self.head + 1) % N;
        self.len -= 1;
        item
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_order_wraps_and_counts_drops_when_full() {
        let mut ring = Ring::<u8, 2>::new();
        ring.push(1);
        ring.push(2);
        ring.push(3);
        assert_eq!(ring.dropped, 1);
        assert_eq!(ring.pop(), Some(1));
        ring.push(4);
        assert_eq!(ring.len(), 2);
        assert_eq!((ring.pop(), ring.pop(), ring.pop()), (Some(2), Some(4), None));
    }
}
