//! Call control: the engine that binds signaling stacks to spans and channels at run time.
//!
//! Every trunk gets the same call model ([`model`]): an incoming call with its numbers,
//! alerting, answer, release with a Q.850 cause; outgoing call requests; a channel is a span
//! and a timeslot. A signaling system plugs in as a [`stack::SignalingStack`] (ISDN PRI in
//! [`isdn`], China No.1 in [`no1`], ISUP and TUP over a signalling point in [`ss7`]); the [`engine`] runs one per span, carries its
//! signaling through the driver (frames on a D-channel, or ABCD bits and register tones on the
//! channels themselves, see [`bearer`]), opens each call's channel, applies the span's policy
//! to incoming calls (refuse with a cause, or answer with the 1004 Hz test tone of [`audio`])
//! and hands signaling [`trace`]s to subscribers. It runs stepped by a test or on its own
//! thread ([`runner`]).
//!
//! Architecture invariants: the protocol stacks below see only board time (the engine never
//! reads the wall clock for them); per-frame work does not allocate, lock or log.

pub mod audio;
pub mod bearer;
pub mod engine;
pub mod isdn;
pub mod model;
pub mod no1;
pub mod runner;
pub mod ss7;
pub mod stack;
pub mod trace;

pub use engine::{
    BoardSetup, CircuitAction, Engine, EngineError, IncomingPolicy, SpanInfo, SpanSetup, StackSetup,
};
pub use isdn::IsdnSpanConfig;
pub use model::{
    CallDirection, CallError, CallEvent, CallId, CallInfo, CallPhase, CallRequest, EventKind, ToneReport,
};
pub use no1::{No1SpanConfig, No1Variant};
pub use runner::EngineHandle;
pub use ss7::{Ss7PointInfo, Ss7PointSetup, Ss7SpanConfig, UserPartKind};
pub use stack::{ChannelStatus, LineState, SignalingChannel};
pub use trace::{CasTraceEvent, CasTraceRecord, PcapWriter, RegisterEdge, TraceDirection, TraceRecord};
