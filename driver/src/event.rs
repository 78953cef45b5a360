//! What the driver tells the layers above, as it happens.

use std::cell::Cell;

use crossbeam_channel::{Sender, TrySendError};

use crate::framer::{Alarms, SyncState};
use crate::hdlc::{HdlcError, MAX_FRAME};

// HDLC frames travel inline, so sending an event never allocates on the driver loop.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Event {
    /// Alarms or synchronisation changed.
    Line {
        span: u32,
        alarms: Alarms,
        sync: SyncState,
        at_ms: u64,
    },
    /// A debounced change of the ABCD bits received on a CAS timeslot.
    Abcd {
        span: u32,
        timeslot: u8,
        abcd: u8,
        at_ms: u64,
    },
    /// A whole HDLC frame (FCS checked and removed) from a signaling timeslot.
    Hdlc {
        span: u32,
        timeslot: u8,
        frame: HdlcFrame,
        at_ms: u64,
    },
    HdlcError {
        span: u32,
        timeslot: u8,
        error: HdlcError,
        at_ms: u64,
    },
}

/// An HDLC frame in a fixed buffer, so that moving one never allocates.
#[derive(Clone, Copy)]
pub struct HdlcFrame {
    len: u16,
    data: [u8; MAX_FRAME],
}

impl HdlcFrame {
    /// `None` if longer than [`MAX_FRAME`].
    pub fn new(bytes: &[u8]) -> Option<HdlcFrame> {
        if bytes.len() > MAX_FRAME {
            return None;
        }
        let mut data = [0; MAX_FRAME];
        data[..bytes.len()].copy_from_slice(bytes);
        Some(HdlcFrame { len: bytes.len() as u16, data })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.data[..self.len as usize]
    }
}

impl std::fmt::Debug for HdlcFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HdlcFrame({:02x?})", self.bytes())
    }
}

impl PartialEq for HdlcFrame {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

/// The driver loop's end of the event channel. It never blocks: when the reader falls
/// behind, events are dropped and counted.
pub(crate) struct EventSink {
    tx: Sender<Event>,
    dropped: Cell<u64>,
}

impl EventSink {
    pub(crate) fn new(tx: Sender<Event>) -> Self {
        EventSink { tx, dropped: Cell::new(0) }
    }

    pub(crate) fn send(&self, event: Event) {
        if let Err(TrySendError::Full(_)) = self.tx.try_send(event) {
            self.dropped.set(self.dropped.get() + 1);
        }
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped.get()
    }
}
