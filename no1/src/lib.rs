//! China No.1 signaling, sans-IO: digital line signaling on the TS16 ABCD bits (Q.421 as
//! GF 002-9002 uses it) and compelled MFC-R2 register signaling (Q.441/Q.442 with China's
//! meanings), built on `tdm_dsp`'s R2 receiver and sender.
//!
//! Architecture invariant: nothing here reads a clock, does I/O, spawns a thread, or allocates
//! after construction. A [`Circuit`] is fed recognised ABCD changes, blocks of received linear
//! samples and `now`; it hands back the ABCD nibble to send, the samples to send, events, and
//! the instant it next needs to be woken. A [`Trunk`] is the circuits of one E1 with the call
//! API the ISDN and ISUP stacks also expose.
//!
//! - [`line`]: the line-signal codes ([`LineCodes`]), per variant and operator;
//! - [`mfc`]: what each register signal means ([`MfcTable`]), per variant and operator;
//! - [`timers`]: the circuit's timers and their defaults;
//! - [`config`]: a circuit's whole configuration, overridable by name;
//! - [`circuit`]: the engine of one circuit (line machine, forward and backward registers);
//! - [`trunk`]: an E1's 30 circuits with channel hunting;
//! - [`trace`]: the per-call register-signaling trace;
//! - [`pair`]: two trunks joined in memory through A-law audio and ABCD bits, the harness of
//!   the scenario tests and the benchmark;
//! - [`fuzz`]: the fuzz bodies.

pub mod call;
pub mod circuit;
pub mod config;
pub mod digits;
pub mod fuzz;
pub mod line;
pub mod mfc;
pub mod pair;
mod ring;
pub mod timers;
pub mod trace;
pub mod trunk;

pub use call::{CallError, CallId, Direction, Event, IncomingCall, LineFault, OutgoingCall};
pub use circuit::{Circuit, CircuitState, CircuitStats};
pub use config::{CircuitConfig, ConfigError};
pub use digits::{Digits, DigitsError};
pub use line::{LineCodes, LineSignal};
pub use mfc::{GroupA, GroupB, Meaning, MfcTable};
pub use timers::No1Timer;
pub use trunk::{Hunt, Trunk};
