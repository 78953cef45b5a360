//! The tdm userspace E1 driver.
//!
//! A board (real or simulated) is a block of shared memory and an interrupt, per the board
//! ABI (`tdm-abi`, `docs/board-abi.md`). The driver maps it, runs the software framer on the
//! raw line bits of each span, and gives the layers above timeslots: voice rings, soft-HDLC
//! signaling channels, CAS bits, loopbacks and a BERT, plus alarms and counters.
//!
//! Architecture invariant: the per-block loop ([`Driver::service`]) does not allocate, lock
//! or log; everything it needs is sized when a span or a timeslot is opened.

pub mod bert;
pub mod board;
mod driver;
pub mod elastic;
pub mod error;
pub mod event;
pub mod framer;
pub mod hdlc;
pub mod ring;
pub mod span;
pub mod status;

pub use board::{Board, BoardPaths};
pub use driver::{AudioChannel, Driver, DriverHandle, HdlcChannel};
pub use error::{Error, ErrorKind};
pub use event::{Event, HdlcFrame};
pub use span::{ClockSource, Loopback, Signaling, SpanConfig, Timeslots};
pub use status::{BertReport, LineCounters, SpanReport};
