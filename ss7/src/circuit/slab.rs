//! Call records in a slab: a `Vec` of slots reused through a free list, addressed by
//! [`CallId`]s that carry a generation so that an old id never reaches a new call.

use super::call::CallId;

/// Slots of `T` addressed by [`CallId`].
#[derive(Debug, Clone)]
pub struct Slab<T> {
    slots: Vec<(u16, Option<T>)>,
    free: Vec<u16>,
    len: usize,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Slab<T> {
    /// An empty slab.
    pub const fn new() -> Self {
        Slab { slots: Vec::new(), free: Vec::new(), len: 0 }
    }

    /// An empty slab with room for `capacity` records before it allocates.
    pub fn with_capacity(capacity: usize) -> Self {
        Slab { slots: Vec::with_capacity(capacity), free: Vec::with_capacity(capacity), len: 0 }
    }

    /// Stores `value` and returns its id; `None` once 65 536 records are live.
    pub fn insert(&mut self, value: T) -> Option<CallId> {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                let index = u16::try_from(self.slots.len()).ok()?;
                self.slots.push((0, None));
                index
            }
        };
        let slot = &mut self.slots[usize::from(index)];
        slot.1 = Some(value);
        self.len += 1;
        Some(CallId(u32::from(slot.0) << 16 | u32::from(index)))
    }

    fn slot(&self, id: CallId) -> Option<&(u16, Option<T>)> {
        self.slots.get((id.0 & 0xFFFF) as usize).filter(|slot| u32::from(slot.0) == id.0 >> 16)
    }

    /// The record of `id`.
    pub fn get(&self, id: CallId) -> Option<&T> {
        self.slot(id)?.1.as_ref()
    }

    /// The record of `id`, mutably.
    pub fn get_mut(&mut self, id: CallId) -> Option<&mut T> {
        let slot =
            self.slots.get_mut((id.0 & 0xFFFF) as usize).filter(|slot| u32::from(slot.0) == id.0 >> 16)?;
        slot.1.as_mut()
    }

    /// Removes the record of `id`; its id is never valid again.
    pub fn remove(&mut self, id: CallId) -> Option<T> {
        let index = (id.0 & 0xFFFF) as u16;
        let slot = self.slots.get_mut(usize::from(index)).filter(|slot| u32::from(slot.0) == id.0 >> 16)?;
        let value = slot.1.take()?;
        slot.0 = slot.0.wrapping_add(1);
        self.free.push(index);
        self.len -= 1;
        Some(value)
    }

    /// Live records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every live record with its id.
    pub fn iter(&self) -> impl Iterator<Item = (CallId, &T)> {
        self.slots.iter().enumerate().filter_map(|(i, (generation, value))| {
            Some((CallId(u32::from(*generation) << 16 | i as u32), value.as_ref()?))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_removed_records_stay_dead_when_the_slot_is_reused() {
        let mut slab = Slab::new();
        let a = slab.insert("a").unwrap();
        let b = slab.insert("b").unwrap();
        assert_eq!(slab.len(), 2);
        assert_eq!(slab.remove(a), Some("a"));
        assert_eq!(slab.remove(a), None);
        let c = slab.insert("c").unwrap();
        assert_ne!(a, c);
        assert_eq!(c.0 & 0xFFFF, a.0 & 0xFFFF);
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.get(c), Some(&"c"));
        assert_eq!(slab.get_mut(b).map(|v| *v), Some("b"));
        assert_eq!(slab.iter().map(|(_, v)| *v).collect::<Vec<_>>(), vec!["c", "b"]);
        assert_eq!(slab.get(CallId(0x0000_0009)), None);
        assert_eq!(slab.len(), 2);
    }
}
