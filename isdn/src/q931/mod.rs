//! Q.931 basic call control for an E1 primary rate interface, user and network side, on top of
//! the Q.921 data link: [`Interface`] is the engine, fed frames and time, returning frames and
//! [`Event`]s.
//!
//! - [`state`]: the call states (U0–U25, N0–N25);
//! - [`timers`]: T301–T316 with their standard defaults per side;
//! - [`channels`]: the B-channels (timeslots 1–15, 17–31) and their states;
//! - `calls` (private): what each message and timer does per state, and the §5.8 error
//!   handling; `restart` (private): RESTART of a channel or the interface.

mod call;
mod calls;
pub mod channels;
mod interface;
mod restart;
pub mod state;
pub mod timers;

pub use call::{CallId, ChannelRequest, OutgoingCall};
pub use interface::{CallError, CallInfo, Event, Interface, InterfaceConfig, InterfaceStats, RestartScope};
pub use state::{CallState, Direction, Stage};
pub use timers::CallTimer;

#[cfg(test)]
mod tests;
