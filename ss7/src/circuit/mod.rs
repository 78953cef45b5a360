//! What both user parts share: circuits and their identification codes, address signals,
//! and the call model call control builds on.
//!
//! - [`cic`]: CIC ↔ (span, timeslot) on E1s; [`state`]: blocking and activity of a circuit;
//! - [`hunt`]: circuit selection and the dual seizure rule;
//! - [`continuity`]: the 2000 Hz check tone transceiver;
//! - [`call`]: calls, numbers, [`Event`]s and errors; [`UserPart`]: the commands ISUP and TUP
//!   share; [`slab`]: call records;
//! - [`digits`], [`category`], [`range`], [`octets`]: small value types of both codecs;
//! - [`pair`]: two user parts joined in memory, for tests and benchmarks.

pub mod call;
pub mod category;
pub mod cic;
pub(crate) mod codes;
pub mod continuity;
pub mod digits;
pub mod hunt;
pub mod octets;
pub mod pair;
pub mod range;
pub mod slab;
pub mod state;
mod user_part;

pub use call::{
    AddressNature, Alert, BearerAction, CallError, CallId, Event, IncomingCall, MaintenanceError, Number,
    OutgoingCall, Presentation,
};
pub use category::Category;
pub use cic::{CicMap, SpanCircuits};
pub use digits::Digits;
pub use state::{Activity, BlockKind, Blocking, CircuitStatus, Origin};
pub use user_part::UserPart;
