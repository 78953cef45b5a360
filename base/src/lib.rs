//! The leaf crate every signaling crate (`isdn`, later `ss7` and `no1`) builds on.
//!
//! Architecture invariant: nothing here reads a clock, does I/O, spawns a thread or allocates.
//! Time is a value ([`Instant`]) handed in by whoever drives a protocol engine, so that the same
//! engine runs on the board's 8000 frames a second, on the simulator's virtual time, or in a
//! test that jumps straight to the next deadline.
//!
//! - [`time`]: [`Instant`], virtual time in microseconds.
//! - [`timer`]: [`TimerTable`], the running deadlines of one engine, indexed by a timer enum.
//! - [`tdef`]: [`TimerDefs`], the configured durations of those timers with their standard
//!   names, defaults and limits.
//! - [`cause`]: [`Cause`] and [`Location`], the ITU-T Q.850 cause values.

#![cfg_attr(not(test), no_std)]

pub mod cause;
pub mod tdef;
pub mod time;
pub mod timer;

pub use cause::{Cause, CauseClass, Location};
pub use core::time::Duration;
pub use tdef::{TdefError, TimerDef, TimerDefs};
pub use time::Instant;
pub use timer::{TimerKind, TimerTable};
