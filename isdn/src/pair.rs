//! Two interfaces, network side and user side, joined in memory: the harness of the scenario
//! tests and the benchmark (quinn-proto's test `Pair` is the model).
//!
//! Frames move from one side's `poll_transmit` straight into the other's `handle_frame` at the
//! same virtual instant; [`Pair::advance`] jumps virtual time to the earliest deadline of
//! either side. [`Pair::cable_cut`] makes the D-channel lose every frame in both directions.

use crate::Side;
use crate::q931::{Event, Interface, InterfaceConfig};
use crate::wire::lapd::MAX_FRAME_LEN;
use tdm_base::{Duration, Instant};

/// A frame seen on the D-channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedFrame {
    /// When it was sent.
    pub at: Instant,
    /// Which side sent it.
    pub from: Side,
    /// The frame, without flags and FCS.
    pub bytes: Vec<u8>,
    /// Whether the cable was cut (the frame was lost).
    pub lost: bool,
}

/// A network-side and a user-side interface on one D-channel.
pub struct Pair {
    /// The network side.
    pub network: Interface,
    /// The user side.
    pub user: Interface,
    /// Virtual time.
    pub now: Instant,
    /// Events of the network side not yet taken.
    pub network_events: Vec<Event>,
    /// Events of the user side not yet taken.
    pub user_events: Vec<Event>,
    /// While true every frame is lost.
    pub cable_cut: bool,
    /// Every frame, when tracing is on.
    pub trace: Option<Vec<TracedFrame>>,
    buffer: [u8; MAX_FRAME_LEN],
}

impl Pair {
    /// A pair with the given configurations (their `side` fields are set to network and user).
    pub fn new(mut network: InterfaceConfig, mut user: InterfaceConfig) -> Self {
        network.side = Side::Network;
        user.side = Side::User;
        Pair {
            network: Interface::new(network),
            user: Interface::new(user),
            now: Instant::ZERO,
            network_events: Vec::new(),
            user_events: Vec::new(),
            cable_cut: false,
            trace: None,
            buffer: [0; MAX_FRAME_LEN],
        }
    }

    /// A pair with default configurations.
    pub fn with_defaults() -> Self {
        Self::new(InterfaceConfig::new(Side::Network), InterfaceConfig::new(Side::User))
    }

    /// Both sides start their data links; frames are exchanged until both are quiet.
    pub fn start(&mut self) {
        self.network.start(self.now);
        self.user.start(self.now);
        self.drive();
    }

    /// The interface of `side`.
    pub fn side(&mut self, side: Side) -> &mut Interface {
        match side {
            Side::Network => &mut self.network,
            Side::User => &mut self.user,
        }
    }

    /// Takes the events `side` reported so far.
    pub fn take_events(&mut self, side: Side) -> Vec<Event> {
        match side {
            Side::Network => core::mem::take(&mut self.network_events),
            Side::User => core::mem::take(&mut self.user_events),
        }
    }

    /// Exchanges frames until neither side has anything to send, then collects events.
    pub fn drive(&mut self) {
        loop {
            let moved = self.transfer(Side::Network) | self.transfer(Side::User);
            if !moved {
                break;
            }
        }
        self.collect_events();
    }

    fn transfer(&mut self, from: Side) -> bool {
        let mut moved = false;
        loop {
            let (sender, receiver) = match from {
                Side::Network => (&mut self.network, &mut self.user),
                Side::User => (&mut self.user, &mut self.network),
            };
            let Some(len) = sender.poll_transmit(self.now, &mut self.buffer) else { break };
            moved = true;
            let frame = &self.buffer[..len];
            if let Some(trace) = self.trace.as_mut() {
                trace.push(TracedFrame { at: self.now, from, bytes: frame.to_vec(), lost: self.cable_cut });
            }
            if !self.cable_cut {
                receiver.handle_frame(self.now, frame);
            }
        }
        moved
    }

    fn collect_events(&mut self) {
        while let Some(event) = self.network.poll_event() {
            self.network_events.push(event);
        }
        while let Some(event) = self.user.poll_event() {
            self.user_events.push(event);
        }
    }

    /// The earliest deadline of either side.
    pub fn next_deadline(&self) -> Option<Instant> {
        [self.network.poll_timeout(), self.user.poll_timeout()].into_iter().flatten().min()
    }

    /// Jumps to the earliest deadline, runs the timers of both sides and exchanges the frames
    /// that follow. Returns `false` (and does nothing) when no timer runs.
    pub fn advance(&mut self) -> bool {
        let Some(deadline) = self.next_deadline() else { return false };
        self.now = self.now.max(deadline);
        self.network.handle_timeout(self.now);
        self.user.handle_timeout(self.now);
        self.drive();
        true
    }

    /// Runs every deadline up to `until`, then sets the time to `until`.
    pub fn advance_until(&mut self, until: Instant) {
        while self.next_deadline().is_some_and(|deadline| deadline <= until) {
            self.advance();
        }
        self.now = self.now.max(until);
        self.drive();
    }

    /// Runs for `duration` of virtual time.
    pub fn run_for(&mut self, duration: Duration) {
        self.advance_until(self.now + duration);
    }
}
