//! Fixed-capacity octet strings and a bounds-checked writer, so that parsed messages own
//! their variable fields and encoders never index past a buffer.

use core::fmt;

/// Up to `N` octets stored inline (`N` ≤ 255).
#[derive(Clone, Copy)]
pub struct Octets<const N: usize> {
    len: u8,
    data: [u8; N],
}

impl<const N: usize> Octets<N> {
    /// Capacity in octets.
    pub const CAPACITY: usize = N;

    /// No octets.
    pub const fn new() -> Self {
        const { assert!(N <= u8::MAX as usize, "Octets capacity must fit a u8 length") };
        Octets { len: 0, data: [0; N] }
    }

    /// A copy of `bytes`, or `None` when it is longer than `N`.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut octets = Self::new();
        octets.data.get_mut(..bytes.len())?.copy_from_slice(bytes);
        octets.len = bytes.len() as u8;
        Some(octets)
    }

    /// Appends one octet; `false` when full.
    pub fn push(&mut self, octet: u8) -> bool {
        match self.data.get_mut(usize::from(self.len)) {
            Some(slot) => {
                *slot = octet;
                self.len += 1;
                true
            }
            None => false,
        }
    }

    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        &self.data[..usize::from(self.len)]
    }

    /// Number of octets.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl<const N: usize> Default for Octets<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> PartialEq for Octets<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<const N: usize> Eq for Octets<N> {}

impl<const N: usize> fmt::Debug for Octets<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[")?;
        for (i, octet) in self.as_slice().iter().enumerate() {
            if i > 0 {
                write!(f, " ")?;
            }
            write!(f, "{octet:02X}")?;
        }
        write!(f, "]")
    }
}

/// The output buffer was too short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferTooSmall;

/// Writes octets into a caller's buffer, refusing to go past its end.
pub struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    /// A writer at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    /// Octets written so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Appends one octet.
    pub fn put(&mut self, octet: u8) -> Result<(), BufferTooSmall> {
        let slot = self.buf.get_mut(self.pos).ok_or(BufferTooSmall)?;
        *slot = octet;
        self.pos += 1;
        Ok(())
    }

    /// Appends `bytes`.
    pub fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall> {
        let end = self.pos + bytes.len();
        self.buf.get_mut(self.pos..end).ok_or(BufferTooSmall)?.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    /// The unwritten rest of the buffer, to be filled by an encoder that then reports how
    /// much it used with [`Writer::advance`].
    pub fn rest(&mut self) -> &mut [u8] {
        &mut self.buf[self.pos..]
    }

    /// Marks `count` octets of [`Writer::rest`] as written.
    pub fn advance(&mut self, count: usize) -> Result<(), BufferTooSmall> {
        if self.pos + count > self.buf.len() {
            return Err(BufferTooSmall);
        }
        self.pos += count;
        Ok(())
    }

    /// Overwrites the octet at `at`, already written (a length or a pointer filled in later).
    pub fn patch(&mut self, at: usize, octet: u8) -> Result<(), BufferTooSmall> {
        if at >= self.pos {
            return Err(BufferTooSmall);
        }
        self.buf[at] = octet;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octets_capacity_is_enforced_at_the_boundary() {
        assert_eq!(Octets::<3>::from_slice(b"abc").map(|o| o.len()), Some(3));
        assert!(Octets::<3>::from_slice(b"abcd").is_none());
        let mut octets = Octets::<2>::new();
        assert!(octets.push(1) && octets.push(2));
        assert!(!octets.push(3));
        assert_eq!(format!("{octets:?}"), "[01 02]");
    }

    #[test]
    fn writer_refuses_to_pass_the_end_and_patches_only_written_octets() {
        let mut buf = [0u8; 3];
        let mut w = Writer::new(&mut buf);
        assert_eq!(w.put(1), Ok(()));
        assert_eq!(w.put_slice(&[2, 3, 4]), Err(BufferTooSmall));
        assert_eq!(w.put_slice(&[2, 3]), Ok(()));
        assert_eq!(w.put(9), Err(BufferTooSmall));
        assert_eq!(w.patch(0, 7), Ok(()));
        assert_eq!(w.patch(3, 7), Err(BufferTooSmall));
        assert_eq!(w.position(), 3);
        assert_eq!(buf, [7, 2, 3]);
    }
}
