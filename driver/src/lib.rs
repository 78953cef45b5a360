//! The tdm userspace E1 driver.
//!
//! A board (real or simulated) is a block of shared memory and an interrupt, per the board
//! ABI (`tdm-abi`, `docs/board-abi.md`). The driver maps it, runs the software framer on the
//! raw line bits of each span, and gives the layers above timeslots: voice rings, soft-HDLC
//! signaling channels, CAS bits, loopbacks and a BERT, plus alarms and counters.
//!
//! Cards with DAHDI kernel drivers are the second backend ([`dahdi`], `docs/dahdi.md`): its
//! loop serves the same [`DriverHandle`], so nothing above the driver knows which one runs.
//!
//! Architecture invariant: the per-block loops ([`Driver::service`],
//! [`dahdi::DahdiDriver::service`]) do not allocate, lock or log; everything they need is
//! sized when a span or a timeslot is opened.

pub mod bert;
pub mod board;
pub mod dahdi;
mod driver;
pub mod elastic;
pub mod error;
pub mod event;
pub mod framer;
mod handle;
pub mod hdlc;
pub mod ring;
pub mod span;
pub mod status;

pub use board::{Board, BoardPaths};
pub use driver::Driver;
pub use error::{Error, ErrorKind};
pub use event::{Event, HdlcFrame};
pub use handle::{AudioChannel, DriverHandle, HdlcChannel};
pub use span::{ClockSource, Loopback, Signaling, SpanConfig, Timeslots};
pub use status::{BertReport, LineCounters, SpanReport};
