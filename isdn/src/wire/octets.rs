//! Fixed-capacity octet strings, so that a parsed message owns its numbers and display text
//! without allocating.

use core::fmt;

/// Up to `N` octets, stored inline.
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

    /// Appends `bytes` whole; `false` (and nothing appended) when they do not fit.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) -> bool {
        let start = usize::from(self.len);
        match self.data.get_mut(start..start + bytes.len()) {
            Some(slots) => {
                slots.copy_from_slice(bytes);
                self.len += bytes.len() as u8;
                true
            }
            None => false,
        }
    }

    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        &self.data[..usize::from(self.len)]
    }

    /// The octets as text, when they are all ASCII (IA5).
    pub fn as_str(&self) -> Option<&str> {
        let bytes = self.as_slice();
        if bytes.is_ascii() { core::str::from_utf8(bytes).ok() } else { None }
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

impl<const N: usize> core::ops::Deref for Octets<N> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl<const N: usize> PartialEq for Octets<N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<const N: usize> Eq for Octets<N> {}

impl<const N: usize> fmt::Debug for Octets<N> {
    /// Text in quotes when printable ASCII, hex otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(text) if text.bytes().all(|b| (0x20..0x7F).contains(&b)) => write!(f, "{text:?}"),
            _ => {
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_is_enforced_at_the_boundary() {
        assert_eq!(Octets::<3>::from_slice(b"abc").map(|o| o.len()), Some(3));
        assert!(Octets::<3>::from_slice(b"abcd").is_none());
        let mut octets = Octets::<2>::new();
        assert!(octets.push(1));
        assert!(octets.push(2));
        assert!(!octets.push(3));
        assert_eq!(octets.as_slice(), &[1, 2]);
        let mut octets = Octets::<3>::from_slice(b"a").unwrap();
        assert!(!octets.extend_from_slice(b"bcd"));
        assert!(octets.extend_from_slice(b"bc"));
        assert_eq!(octets.as_str(), Some("abc"));
    }

    #[test]
    fn equality_ignores_the_unused_tail_and_debug_shows_text_or_hex() {
        let mut a = Octets::<4>::from_slice(b"12").unwrap();
        let b = Octets::<4>::from_slice(b"12").unwrap();
        a.push(b'3');
        assert_ne!(a, b);
        assert_eq!(format!("{b:?}"), "\"12\"");
        assert_eq!(format!("{:?}", Octets::<4>::from_slice(&[0x80, 0x01]).unwrap()), "[80 01]");
        assert_eq!(Octets::<4>::from_slice(&[0x80]).unwrap().as_str(), None);
    }
}
