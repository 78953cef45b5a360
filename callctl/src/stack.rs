//! What the engine needs from a signaling stack, whatever the system: a sans-IO engine fed
//! signaling frames and time, commanded in the common call model, reporting in it.
//!
//! ISDN ([`crate::isdn::IsdnStack`]) is the first implementation; No.1 (CAS bits and MFC-R2 on
//! the B-channels) and ISUP (over MTP on a signaling timeslot) plug in by implementing this
//! trait, adding their kind of [`SignalingChannel`] where the engine has to serve one.

use crate::model::CallError;
use tdm_base::{Cause, Instant};

/// A call as a stack numbers it (unique among the stack's calls in progress).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StackCall(pub u32);

/// How a stack's signaling reaches the span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalingChannel {
    /// Whole frames through the driver's soft HDLC on one timeslot (ISDN's D-channel on TS16,
    /// an SS7 signaling link).
    Hdlc {
        /// The timeslot.
        timeslot: u8,
    },
}

/// What a stack reports, in the common model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StackEvent {
    /// The signaling link is up: calls can be placed.
    LinkUp,
    /// The signaling link went down.
    LinkDown,
    /// A call arrived with its number complete.
    Incoming {
        /// The call.
        call: StackCall,
        /// Called number.
        called: String,
        /// Calling number.
        calling: Option<String>,
        /// Its channel.
        timeslot: Option<u8>,
    },
    /// The far end proceeds with our call.
    Proceeding {
        /// The call.
        call: StackCall,
    },
    /// The called party is being alerted.
    Alerting {
        /// The call.
        call: StackCall,
    },
    /// Answered.
    Connected {
        /// The call.
        call: StackCall,
    },
    /// The far end reported a problem it kept the call through.
    Problem {
        /// The call.
        call: StackCall,
        /// The cause it gave.
        cause: Cause,
    },
    /// The call ended; its channel is free.
    Released {
        /// The call.
        call: StackCall,
        /// Why.
        cause: Cause,
        /// The far end cleared it.
        remote: bool,
    },
    /// A restart this side asked for completed.
    RestartCompleted,
    /// The far end restarted channels (their calls were released first).
    RestartReceived,
    /// A restart this side asked for was never acknowledged.
    RestartFailed,
}

/// A signaling stack running on one span.
///
/// Use: feed received frames with [`SignalingStack::handle_frame`] and expired deadlines with
/// [`SignalingStack::handle_timeout`]; after any call drain [`SignalingStack::poll_transmit`]
/// and [`SignalingStack::poll_event`], then wait for the next frame or
/// [`SignalingStack::poll_timeout`]. Nothing here may block, read a clock or allocate per
/// frame.
pub trait SignalingStack: Send {
    /// What the stack is, for listings: `ISDN PRI network side`.
    fn description(&self) -> &'static str;
    /// Where its signaling travels.
    fn signaling_channel(&self) -> SignalingChannel;
    /// Whether this end plays the network side (traces record it: Wireshark tells commands
    /// from responses by it).
    fn is_network_side(&self) -> bool;
    /// Whether the signaling link is up.
    fn is_link_up(&self) -> bool;
    /// Brings the signaling link up.
    fn start(&mut self, now: Instant);
    /// A frame received on the signaling channel (without flags and FCS).
    fn handle_frame(&mut self, now: Instant, frame: &[u8]);
    /// `now` reached [`SignalingStack::poll_timeout`].
    fn handle_timeout(&mut self, now: Instant);
    /// When [`SignalingStack::handle_timeout`] must next run.
    fn poll_timeout(&self) -> Option<Instant>;
    /// The next frame to send, written into `buffer` (at least 280 octets).
    fn poll_transmit(&mut self, now: Instant, buffer: &mut [u8]) -> Option<usize>;
    /// The next event.
    fn poll_event(&mut self) -> Option<StackEvent>;
    /// Places a call to `called` on any free channel.
    fn place_call(
        &mut self,
        now: Instant,
        called: &str,
        calling: Option<&str>,
    ) -> Result<StackCall, CallError>;
    /// Tells the caller of an incoming call that the called party is being alerted.
    fn alert(&mut self, now: Instant, call: StackCall) -> Result<(), CallError>;
    /// Answers an incoming call.
    fn answer(&mut self, now: Instant, call: StackCall) -> Result<(), CallError>;
    /// Clears a call with `cause` (refuses it, when not yet answered).
    fn hangup(&mut self, now: Instant, call: StackCall, cause: Cause) -> Result<(), CallError>;
    /// Restarts every channel of the span (their calls are released).
    fn restart(&mut self, now: Instant) -> Result<(), CallError>;
    /// The call's channel.
    fn timeslot(&self, call: StackCall) -> Option<u8>;
    /// The call's state in the stack's own terms (`U10 active`), empty once it ended.
    fn state_text(&self, call: StackCall) -> String;
}
