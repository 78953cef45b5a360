//! The DAHDI backend: E1 cards that have Linux kernel drivers (Digium/Sangoma TE, OpenVox,
//! Allo, Xorcom ...) driven through DAHDI's userspace interface, behind the same
//! [`DriverHandle`](crate::DriverHandle) as a board-ABI board.
//!
//! What differs from the board path is below the handle only: DAHDI's kernel side and the
//! card do the framing, CRC-4, HDB3 and the CAS multiframe, and frame HDLC; tdm reads their
//! results. Alarm bits and counters are mapped to the framer's terms ([`line`](mod@line)),
//! ABCD changes are debounced as the software receiver does ([`cas`]), HDLC frames lose the
//! FCS DAHDI leaves on them ([`frames`]). A BERT covers one timeslot at a time.
//!
//! Module map: [`abi`] the ioctl numbers and structures (checked against Debian's
//! `dahdi-source` header by `tests/dahdi_abi.rs`); [`sys`] the operating-system seam (the
//! kernel, or a stand-in in tests); [`setup`] discovery, configuration and opening with
//! errors that say what to do; [`device`] the `dahdi:<span>` device text; `backend` the loop.
//!
//! How to run it on a card: `docs/dahdi.md`.

pub mod abi;
mod backend;
pub mod cas;
pub mod device;
pub mod frames;
pub mod line;
pub mod setup;
pub mod sys;

pub use backend::{DahdiDriver, STATUS_PERIOD_MS, open_dahdi, open_dahdi_span};
pub use device::DahdiDevice;
pub use sys::{DahdiSys, IntIoctl, KernelDahdi};
