//! ISDN primary rate signaling, sans-IO: Q.921 LAPD and Q.931, user and network side.
//!
//! Architecture invariant: nothing here reads a clock, does I/O or spawns a thread. Engines are
//! values fed frames, commands and `now` ([`tdm_base::Instant`]); they hand back frames to
//! send, events, and the next instant they need to be woken at.

pub mod fuzz;
pub mod pair;
pub mod q921;
pub mod q931;
mod ring;
mod side;
pub mod wire;

pub use side::Side;
