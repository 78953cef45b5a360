//! Q.931 information elements: identifiers, the reader and writer the codecs share, and one
//! plain struct per element (`parse` from the element's contents, `emit` into a message).
//!
//! Every codec takes the contents only (after the identifier and length octets) and reports a
//! content error as [`IeError`]; the message decoder turns that into the Q.931 §5.8 reaction.
//! Code points the standard leaves open are kept as `Unknown(raw)` and emitted unchanged.

pub mod bearer;
pub mod cause;
pub mod channel;
pub mod number;
pub mod simple;

pub use bearer::{
    BearerCapability, CodingStandard, HighLayerCompatibility, Layer1Protocol, LowLayerCompatibility,
    TransferCapability, TransferMode, TransferRate,
};
pub use cause::CauseIe;
pub use channel::{ChannelId, ChannelSelection, ChannelSet};
pub use number::{
    Digits, NumberingPlan, PartyNumber, Presentation, RedirectionReason, Screening, TypeOfNumber,
};
pub use simple::{CallStateIe, Display, Notification, ProgressDescription, ProgressIndicator, RestartClass};

use core::fmt;

/// Identifiers of the variable-length elements of codeset 0 this crate decodes.
pub mod id {
    /// Bearer capability.
    pub const BEARER_CAPABILITY: u8 = 0x04;
    /// Cause.
    pub const CAUSE: u8 = 0x08;
    /// Call state.
    pub const CALL_STATE: u8 = 0x14;
    /// Channel identification.
    pub const CHANNEL_ID: u8 = 0x18;
    /// Progress indicator.
    pub const PROGRESS: u8 = 0x1E;
    /// Notification indicator.
    pub const NOTIFICATION: u8 = 0x27;
    /// Display.
    pub const DISPLAY: u8 = 0x28;
    /// Calling party number.
    pub const CALLING_NUMBER: u8 = 0x6C;
    /// Called party number.
    pub const CALLED_NUMBER: u8 = 0x70;
    /// Redirecting number.
    pub const REDIRECTING_NUMBER: u8 = 0x74;
    /// Restart indicator.
    pub const RESTART_INDICATOR: u8 = 0x79;
    /// Low layer compatibility.
    pub const LOW_LAYER_COMPATIBILITY: u8 = 0x7C;
    /// High layer compatibility.
    pub const HIGH_LAYER_COMPATIBILITY: u8 = 0x7D;
    /// Sending complete (single octet, type 2).
    pub const SENDING_COMPLETE: u8 = 0xA1;

    /// Elements of codeset 0 that Q.931 and its supplements define and this crate recognises
    /// without interpreting: they are skipped without the "unrecognised element" reaction.
    /// Segmented message, connected number and subaddress, extended facility, facility,
    /// network-specific facilities, date/time, keypad facility, signal, information rate,
    /// transit delay, packet-layer elements, calling and called subaddress, transit network
    /// selection, user-user, escape for extension.
    pub const RECOGNISED_UNINTERPRETED: &[u8] = &[
        0x00, 0x0C, 0x0D, 0x0E, 0x10, 0x1C, 0x20, 0x29, 0x2C, 0x34, 0x40, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47,
        0x48, 0x4C, 0x4D, 0x6D, 0x71, 0x78, 0x7E, 0x7F,
    ];
}

/// Why an element's contents were not accepted (Q.931 §5.8.6.2 / §5.8.7.2: "invalid
/// information element contents").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IeError {
    /// The contents end before a mandatory octet.
    Truncated,
    /// Octets left over after the last octet the element defines.
    TrailingOctets,
    /// A field holds a value the element does not allow.
    InvalidField,
    /// More digits, characters or channels than this implementation holds.
    TooLong,
}

impl fmt::Display for IeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IeError::Truncated => "information element truncated",
            IeError::TrailingOctets => "information element has trailing octets",
            IeError::InvalidField => "information element field out of range",
            IeError::TooLong => "information element too long",
        })
    }
}

impl core::error::Error for IeError {}

/// Reads an element's contents octet by octet.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    /// The next octet, or `Truncated`.
    pub(crate) fn u8(&mut self) -> Result<u8, IeError> {
        let octet = *self.data.get(self.pos).ok_or(IeError::Truncated)?;
        self.pos += 1;
        Ok(octet)
    }

    /// The next octet if there is one.
    pub(crate) fn optional_u8(&mut self) -> Option<u8> {
        let octet = *self.data.get(self.pos)?;
        self.pos += 1;
        Some(octet)
    }

    /// The next octet without taking it.
    pub(crate) fn peek(&self) -> Option<u8> {
        self.data.get(self.pos).copied()
    }

    /// Everything not read yet.
    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let rest = &self.data[self.pos.min(self.data.len())..];
        self.pos = self.data.len();
        rest
    }

    /// Continuation octets of an extended octet group: while the previous octet had its
    /// extension bit (0x80) clear, the next one belongs to the group.
    pub(crate) fn extension_octets<const N: usize>(
        &mut self,
        first: u8,
    ) -> Result<crate::wire::Octets<N>, IeError> {
        let mut octets = crate::wire::Octets::new();
        let mut last = first;
        while last & 0x80 == 0 {
            last = self.u8()?;
            if !octets.push(last) {
                return Err(IeError::TooLong);
            }
        }
        Ok(octets)
    }

    pub(crate) fn finish(&self) -> Result<(), IeError> {
        if self.pos < self.data.len() { Err(IeError::TrailingOctets) } else { Ok(()) }
    }
}

/// The buffer given to an `emit` is too small.
pub use crate::wire::lapd::BufferTooSmall;

/// Writes a message into a buffer.
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    pub(crate) fn len(&self) -> usize {
        self.pos
    }

    pub(crate) fn u8(&mut self, octet: u8) -> Result<(), BufferTooSmall> {
        let slot = self.buf.get_mut(self.pos).ok_or(BufferTooSmall { needed: self.pos + 1 })?;
        *slot = octet;
        self.pos += 1;
        Ok(())
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) -> Result<(), BufferTooSmall> {
        let end = self.pos + bytes.len();
        self.buf.get_mut(self.pos..end).ok_or(BufferTooSmall { needed: end })?.copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    /// Writes `bytes`, each passed through `map`.
    pub(crate) fn bytes_with(&mut self, bytes: &[u8], map: impl Fn(u8) -> u8) -> Result<(), BufferTooSmall> {
        let end = self.pos + bytes.len();
        let slots = self.buf.get_mut(self.pos..end).ok_or(BufferTooSmall { needed: end })?;
        for (slot, byte) in slots.iter_mut().zip(bytes) {
            *slot = map(*byte);
        }
        self.pos = end;
        Ok(())
    }

    /// Writes a variable-length element: identifier, length, then what `contents` writes.
    pub(crate) fn element(
        &mut self,
        id: u8,
        contents: impl FnOnce(&mut Writer<'_>) -> Result<(), BufferTooSmall>,
    ) -> Result<(), BufferTooSmall> {
        self.u8(id)?;
        let length_at = self.pos;
        self.u8(0)?;
        contents(self)?;
        let length = self.pos - length_at - 1;
        // A length octet holds at most 255; every element here is far shorter (the longest,
        // display, holds 80 octets), so this only guards against a logic error.
        self.buf[length_at] = u8::try_from(length).map_err(|_| BufferTooSmall { needed: usize::MAX })?;
        Ok(())
    }
}

/// Emits an element's contents alone (no identifier, no length), for tests and for the
/// diagnostics of a cause.
#[cfg(test)]
pub(crate) fn contents_of(write: impl FnOnce(&mut Writer<'_>) -> Result<(), BufferTooSmall>) -> Vec<u8> {
    let mut buf = [0u8; 300];
    let mut writer = Writer::new(&mut buf);
    write(&mut writer).unwrap();
    let len = writer.len();
    buf[..len].to_vec()
}
