//! What the engine needs from a signaling stack, whatever the system: a sans-IO engine fed
//! signaling frames and time, commanded in the common call model, reporting in it.
//!
//! ISDN ([`crate::isdn::IsdnStack`]) signals in frames on a D-channel; China No.1
//! ([`crate::no1::No1Stack`]) signals on the channels themselves: line signals in each
//! channel's ABCD bits on TS16 and register signals as tones in the channel's audio, which it
//! serves through [`CasSignaling`]. ISUP and TUP ([`crate::ss7::Ss7Stack`]) exchange messages
//! with a signalling point the engine runs beside the spans, through
//! [`crate::ss7::Ss7Circuits`].

use crate::model::CallError;
use crate::trace::CasTraceRecord;
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
    /// Channel-associated signaling: each bearer channel's line signals in its ABCD bits on
    /// TS16, its register signals as tones in its own audio ([`CasSignaling`]).
    Cas,
    /// Messages of a signalling point's user part (ISUP, TUP), carried by the point's links
    /// wherever they run ([`crate::ss7`]).
    Mtp {
        /// The point (index among the engine's points).
        point: usize,
    },
}

/// How a channel's line stands, whatever the CAS system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineState {
    /// Free both ways.
    Idle,
    /// Seized for a call not (yet) answered.
    Seized,
    /// Answered.
    Answered,
    /// Cleared by one end, waiting for the other's idle.
    Clearing,
    /// Blocked by this end or the far end.
    Blocked,
    /// Out of service after a line fault until the far end shows idle.
    Fault,
}

impl LineState {
    /// Lower-case name, as the CLI and the control socket print it.
    pub fn as_str(self) -> &'static str {
        match self {
            LineState::Idle => "idle",
            LineState::Seized => "seized",
            LineState::Answered => "answered",
            LineState::Clearing => "clearing",
            LineState::Blocked => "blocked",
            LineState::Fault => "fault",
        }
    }
}

/// One channel of a CAS span, as `tdm status` shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelStatus {
    /// The timeslot.
    pub timeslot: u8,
    /// The line, in common terms.
    pub line: LineState,
    /// The signaling system's own state (`register signaling (out)`).
    pub detail: &'static str,
    /// The ABCD nibble sent.
    pub tx_abcd: u8,
    /// The ABCD nibble received, as recognised.
    pub rx_abcd: u8,
}

/// What a CAS stack does with a channel's audio right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegisterAudio {
    /// Nothing: the channel's audio belongs to the call (or to nobody).
    Off,
    /// It listens for register signals and sends none at the moment.
    Listening,
    /// It sends a register signal (and listens).
    Sending,
}

/// The channel side of a CAS stack: ABCD bits in and out per timeslot, register signals in
/// each channel's audio (linear samples, 8000 a second, contiguous from one call to the next),
/// the channels' states and the line-signal and register trace.
///
/// The engine feeds every debounced ABCD change ([`CasSignaling::handle_abcd`]) and, while
/// [`CasSignaling::register_audio`] is not `Off`, every received sample; it sends what
/// [`CasSignaling::poll_abcd`] returns and, while a register signal is on, the samples of
/// [`CasSignaling::fill_audio`]. Nothing here may block, read a clock or allocate per block.
pub trait CasSignaling {
    /// The bearer timeslots the stack signals on (their audio is the stack's for the span's
    /// life).
    fn timeslots(&self) -> &[u8];
    /// A debounced ABCD change received on `timeslot`.
    fn handle_abcd(&mut self, now: Instant, timeslot: u8, abcd: u8);
    /// The next ABCD nibble to send, as (timeslot, nibble), once per change.
    fn poll_abcd(&mut self) -> Option<(u8, u8)>;
    /// The TS16 multiframe came (`up`) or went: without it no line signal passes.
    fn handle_line(&mut self, now: Instant, up: bool);
    /// What the stack does with `timeslot`'s audio now.
    fn register_audio(&self, timeslot: u8) -> RegisterAudio;
    /// Received samples of `timeslot` (only while [`CasSignaling::register_audio`] is not
    /// `Off`); `now` is the time of the last one.
    fn handle_audio(&mut self, now: Instant, timeslot: u8, samples: &[i16]);
    /// The next samples to send on `timeslot`: its register signal, or silence.
    fn fill_audio(&mut self, timeslot: u8, out: &mut [i16]);
    /// Every channel's state.
    fn channels(&self) -> Vec<ChannelStatus>;
    /// The next record of the line-signal and register trace.
    fn poll_trace(&mut self) -> Option<CasTraceRecord>;
}

/// A change of one channel that is not a call's (CAS spans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelChange {
    /// The far end blocked the channel.
    Blocked,
    /// The far end unblocked it.
    Unblocked,
    /// A line fault took it out of service (until the far end shows idle again).
    Fault(String),
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
    /// What the signaling system said about a call in its own terms, worth showing beside the
    /// common model (No.1: the group B signal that ended register signaling).
    Signal {
        /// The call.
        call: StackCall,
        /// One line for a person.
        text: String,
    },
    /// A channel changed outside any call (CAS spans).
    Channel {
        /// Its timeslot.
        timeslot: u8,
        /// What happened.
        change: ChannelChange,
    },
    /// A continuity check wants the channel's speech path (SS7 circuits): looped back,
    /// through a check tone transceiver whose outcome goes to
    /// [`crate::ss7::Ss7Circuits::continuity_result`], or back to normal.
    ContinuityPath {
        /// Its timeslot.
        timeslot: u8,
        /// What to connect.
        action: tdm_ss7::circuit::BearerAction,
    },
}

/// A signaling stack running on one span.
///
/// Use: feed received frames with [`SignalingStack::handle_frame`] (or, on a CAS span, ABCD
/// changes and audio through [`SignalingStack::cas`]) and expired deadlines with
/// [`SignalingStack::handle_timeout`]; after any call drain [`SignalingStack::poll_transmit`]
/// (or the ABCD changes) and [`SignalingStack::poll_event`], then wait for the next input or
/// [`SignalingStack::poll_timeout`]. Nothing here may block, read a clock or allocate per
/// frame. A CAS stack has no frames: its `handle_frame` ignores them and its `poll_transmit`
/// has none.
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
    /// The channel side, for stacks whose [`SignalingStack::signaling_channel`] is
    /// [`SignalingChannel::Cas`].
    fn cas(&mut self) -> Option<&mut dyn CasSignaling> {
        None
    }
    /// The channel side, read only.
    fn cas_ref(&self) -> Option<&dyn CasSignaling> {
        None
    }
    /// The user-part side, for stacks whose [`SignalingStack::signaling_channel`] is
    /// [`SignalingChannel::Mtp`].
    fn ss7(&mut self) -> Option<&mut dyn crate::ss7::Ss7Circuits> {
        None
    }
    /// The user-part side, read only.
    fn ss7_ref(&self) -> Option<&dyn crate::ss7::Ss7Circuits> {
        None
    }
}
