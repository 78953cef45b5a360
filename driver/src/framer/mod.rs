//! Software E1 framer: G.704 frame structure, G.706 frame and CRC-4 multiframe
//! alignment (with the Annex B interworking), G.775 defects, G.826 error seconds, and the
//! TS16 CAS multiframe.
//!
//! Pure code: no I/O, no clock, no allocation after construction, no logging. Time is
//! the received line itself: 2048 kbit/s, 8000 frames a second. In every octet the first
//! bit on the line is the MSB (ITU bit 1 = 0x80), as in osmo-e1d.
//!
//! Module map: [`crc4`] the checksum; `search` the all-offsets frame alignment search;
//! `mfa` the CRC-4 multiframe search; `defects` AIS and persistence filters; [`perf`]
//! per-second G.826 events; `rx` and `tx` the two directions of TS0; [`cas`] TS16 CAS.
//!
//! Choices worth knowing:
//! - LOF is raised whenever there is no basic frame alignment, except while LOS or AIS
//!   is present: those explain the missing alignment and take precedence (an all-ones
//!   or dead line has no FAS). We send A = 1 while any of LOS, AIS, LOF is present.
//! - G.706 Annex B (mode `Auto`): if CRC-4 multiframe alignment is not found within
//!   400 ms of the primary basic frame alignment while that alignment holds, the far end
//!   is taken to be non-CRC-4 equipment. Then, as the consequent actions of Annex B
//!   §B.2 (as given in the Zarlink MT9072/MT9079 and Lucent T7698 framer data sheets that
//!   implement it): receive CRC-4 processing stops and an indication is given
//!   ([`Alarms::CRC4_LOMF`], `crc4_active() == false`), while we *continue to send CRC-4*
//!   (C bits and the multiframe signal) with both E bits set to 0. Annex B says nothing
//!   about the Sa bits, so they stay as configured. The fallback lasts until the basic
//!   frame alignment is lost.
//! - With `Off`, bit 1 (Si) of every TS0 is sent as 1 and received C bits are ignored.

pub mod cas;
pub mod crc4;
mod defects;
mod mfa;
pub mod perf;
mod rx;
mod search;
mod tx;

#[cfg(test)]
mod tests;

pub use cas::{CasError, CasReceiver, CasTransmitter, IDLE_ABCD};

use rx::Receiver;
use tx::Transmitter;

/// Octets in one E1 frame (32 timeslots of 8 bits, 125 µs).
pub const FRAME_OCTETS: usize = 32;
/// One E1 frame, TS0 first.
pub type Frame = [u8; FRAME_OCTETS];
/// Frames per second of line time.
pub const FRAMES_PER_SECOND: u32 = 8000;

/// CRC-4 procedure of G.704 §2.3.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crc4Mode {
    /// No CRC-4: Si bits sent as 1, received bit 1 ignored.
    Off,
    /// CRC-4 required: no multiframe alignment within 8 ms means false frame alignment.
    On,
    /// CRC-4 with G.706 Annex B interworking: falls back to non-CRC-4 operation against
    /// a far end that sends none.
    Auto,
}

/// How a [`Framer`] is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramerConfig {
    pub crc4: Crc4Mode,
    /// Sa4..Sa8 to send, Sa4 in bit 4 (0x10) .. Sa8 in bit 0 (0x01). Default 0x1F
    /// (unused Sa bits are sent as 1).
    pub sa_bits: u8,
}

impl Default for FramerConfig {
    fn default() -> Self {
        FramerConfig { crc4: Crc4Mode::Auto, sa_bits: 0x1F }
    }
}

bitflags::bitflags! {
    /// Receive-side alarms (defects) of one span.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Alarms: u32 {
        /// Loss of signal, as indicated by the line interface.
        const LOS = 1 << 0;
        /// Alarm indication signal (all ones, G.775), seen while not frame aligned.
        const AIS = 1 << 1;
        /// Loss of basic frame alignment (not raised during LOS or AIS).
        const LOF = 1 << 2;
        /// Remote alarm: the far end's A bit, set/cleared by 3 consecutive NFAS words.
        const RAI = 1 << 3;
        /// Frame aligned but no CRC-4 multiframe alignment although CRC-4 is configured:
        /// during the multiframe search, and for good after the Annex B fallback.
        const CRC4_LOMF = 1 << 4;
    }
}

/// Alignment reached by the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// No basic frame alignment; nothing is delivered.
    Searching,
    /// Basic frame alignment (FAS/NFAS), frames delivered.
    FrameAligned,
    /// CRC-4 multiframe alignment as well, CRC-4 being checked.
    MultiframeAligned,
}

/// Receive counters since construction. All count received line events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Aligned frames delivered.
    pub frames: u64,
    /// FAS words received in error while aligned.
    pub fas_errors: u64,
    /// Sub-multiframes whose CRC-4 did not match.
    pub crc4_errors: u64,
    /// E bits received as 0 (far-end block errors), counted while multiframe aligned.
    pub e_bit_errors: u64,
    /// Times the basic frame alignment was lost (FAS errors, LOS, spurious alignment
    /// found by the CRC-4 procedures).
    pub alignment_losses: u64,
    /// Seconds of received line time.
    pub seconds: u64,
    /// G.826 errored seconds (see [`perf`]).
    pub errored_seconds: u64,
    /// G.826 severely errored seconds (see [`perf`]).
    pub severely_errored_seconds: u64,
}

/// One E1 span's framer: receive alignment and monitoring, transmit TS0.
#[derive(Debug, Clone)]
pub struct Framer {
    config: FramerConfig,
    rx: Receiver,
    tx: Transmitter,
}

impl Framer {
    /// A framer searching for alignment (LOF until found), sending from frame 0 of the
    /// CRC-4 multiframe.
    pub fn new(config: FramerConfig) -> Self {
        let config = FramerConfig { sa_bits: config.sa_bits & tx::SA_MASK, ..config };
        Framer {
            config,
            rx: Receiver::new(config.crc4),
            tx: Transmitter::new(config.crc4 != Crc4Mode::Off, config.sa_bits),
        }
    }

    /// The configuration, with the Sa bits currently sent.
    pub fn config(&self) -> FramerConfig {
        self.config
    }

    /// Received raw line octets, at any bit alignment (first bit = MSB), in any chunk
    /// size. `los` is the line interface's LOS indication for this chunk. Each frame found
    /// is handed to `on_frame` (TS0 included) in line order.
    pub fn receive(&mut self, raw: &[u8], los: bool, mut on_frame: impl FnMut(&Frame)) {
        self.rx.receive(raw, los, &mut on_frame);
    }

    /// Completes the next frame to transmit: writes TS0 (FAS/NFAS, A bit = RAI while we
    /// have LOS/LOF/AIS, Sa bits, CRC-4 C bits, MFAS and E bits) and folds the finished
    /// frame into the CRC-4 of the current sub-multiframe. Called once per transmitted
    /// frame, in order; the caller has already filled timeslots 1..31.
    pub fn transmit(&mut self, frame: &mut Frame) {
        let e_bit = match self.tx.frame_no() {
            13 => self.rx.take_e_bit(0),
            15 => self.rx.take_e_bit(1),
            _ => true,
        };
        let remote_alarm = self.rx.los() || self.rx.ais() || self.rx.lof();
        self.tx.complete(frame, remote_alarm, e_bit);
    }

    /// Receive alignment reached.
    pub fn sync(&self) -> SyncState {
        self.rx.sync()
    }

    /// Receive defects present now.
    pub fn alarms(&self) -> Alarms {
        let mut alarms = Alarms::empty();
        alarms.set(Alarms::LOS, self.rx.los());
        alarms.set(Alarms::AIS, self.rx.ais());
        alarms.set(Alarms::LOF, self.rx.lof());
        alarms.set(Alarms::RAI, self.rx.rai());
        alarms.set(Alarms::CRC4_LOMF, self.rx.crc4_multiframe_missing());
        alarms
    }

    /// True while CRC-4 is in use: false with `Off` and after the Annex B fallback.
    pub fn crc4_active(&self) -> bool {
        self.rx.crc4_active()
    }

    /// Receive counters since construction.
    pub fn counters(&self) -> &Counters {
        self.rx.counters()
    }

    /// Sa4..Sa8 of the last NFAS word received while aligned (0 before any).
    pub fn received_sa_bits(&self) -> u8 {
        self.rx.sa_bits()
    }

    /// Sa4..Sa8 to send from the next NFAS word on (low 5 bits used).
    pub fn set_sa_bits(&mut self, sa: u8) {
        self.config.sa_bits = sa & tx::SA_MASK;
        self.tx.set_sa_bits(sa);
    }
}
