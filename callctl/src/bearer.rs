//! The audio of a span's bearer channels as the engine serves it: the driver's A-law rings of
//! an open channel, the test tone an answering span sends on a call, the detector a calling
//! span listens with, and on CAS spans the register signals of the span's stack.
//!
//! A CAS stack signals with tones on the channels themselves, so its channels stay open for
//! the span's life and their audio goes to the stack while it signals, to the call once
//! answered. What a CAS channel sends is written a [`Cushion`] ahead of the line: the engine
//! runs on its own thread, and a tone the driver finds missing for a moment would be heard as
//! the end of a register signal. Audio is written only while there is something to send, so a
//! register signal starts on the line at once and only its end waits behind the cushion.
//!
//! An SS7 circuit's channel may also serve a continuity check (Q.724 §7, Q.764 §2.1.8): as
//! the far end's loop, it sends back what it receives; as the checking end's transceiver, it
//! sends the 2000 Hz check tone and listens for its return. A check takes the channel from
//! the call's test tone and detector while it runs.
//!
//! Everything here works in fixed buffers: nothing allocates per block.

use tdm_base::Instant;
use tdm_driver::AudioChannel;
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_ss7::circuit::continuity::ContinuityTransceiver;

use crate::audio::{ToneDetector, ToneSender};
use crate::stack::{CasSignaling, RegisterAudio};

/// Samples moved per ring access at most.
const CHUNK: usize = 256;
/// Octets a millisecond of one channel (8000 a second).
const OCTETS_PER_MS: u64 = 8;
/// Least audio a CAS channel keeps queued ahead of the line while it sends.
pub const CUSHION_MIN_MS: u64 = 32;
/// Most (half the ring of a CAS channel).
pub const CUSHION_MAX_MS: u64 = 256;
/// Ring size of a CAS channel, each way: 512 ms, so that received audio survives an engine
/// that falls that far behind.
pub const CAS_AUDIO_DEPTH: usize = 4096;
/// Board time over which the longest pause between two services is remembered.
const CUSHION_WINDOW_MS: u64 = 2000;

/// How far ahead of the line a CAS span's channels are written: twice the longest pause the
/// engine took between two services of the span in the last two to four seconds of board
/// time, plus 16 ms, within [`CUSHION_MIN_MS`] ..= [`CUSHION_MAX_MS`]. A pause as long as the
/// cushion leaves a gap in a register signal; the margin keeps one pause twice as long as any
/// seen lately from doing so.
#[derive(Debug, Clone, Default)]
pub struct Cushion {
    last: Option<Instant>,
    window_start: Instant,
    peak_ms: u64,
    previous_peak_ms: u64,
}

impl Cushion {
    /// A cushion that has seen no service yet ([`CUSHION_MIN_MS`] plus the margin).
    pub fn new() -> Self {
        Self::default()
    }

    /// The span is served at board time `now`.
    pub fn observe(&mut self, now: Instant) {
        if let Some(last) = self.last {
            let gap = now.saturating_duration_since(last).as_millis() as u64;
            self.peak_ms = self.peak_ms.max(gap);
        }
        self.last = Some(now);
        if now.saturating_duration_since(self.window_start).as_millis() as u64 >= CUSHION_WINDOW_MS {
            self.previous_peak_ms = self.peak_ms;
            self.peak_ms = 0;
            self.window_start = now;
        }
    }

    /// The audio to keep queued, in milliseconds.
    pub fn target_ms(&self) -> u64 {
        let pause = self.peak_ms.max(self.previous_peak_ms);
        (2 * pause + 16).clamp(CUSHION_MIN_MS, CUSHION_MAX_MS)
    }

    /// The audio to keep queued, in octets.
    pub fn target_octets(&self) -> usize {
        (self.target_ms() * OCTETS_PER_MS) as usize
    }
}

/// What a continuity check does with a channel.
#[derive(Debug, Clone, Default)]
pub enum ContinuityRole {
    /// Nothing: the channel is the call's.
    #[default]
    Off,
    /// The far end checks: what arrives is sent back.
    Loop,
    /// This end checks: the check tone goes out and is listened for on the way back.
    Transceiver(Box<ContinuityTransceiver>),
}

/// One open bearer channel.
pub struct Bearer {
    timeslot: u8,
    channel: AudioChannel,
    /// The test tone sent to the far end.
    pub sender: Option<ToneSender>,
    /// The call is answered: listen for the far end's test tone.
    pub listening: bool,
    detector: ToneDetector,
    continuity: ContinuityRole,
    /// The transceiver recognised its tone and nobody has been told yet.
    check_tone_heard: bool,
}

impl Bearer {
    /// The channel on `timeslot`, silent and deaf.
    pub fn new(timeslot: u8, channel: AudioChannel) -> Self {
        Bearer {
            timeslot,
            channel,
            sender: None,
            listening: false,
            detector: ToneDetector::new(),
            continuity: ContinuityRole::Off,
            check_tone_heard: false,
        }
    }

    /// Puts a continuity check on the channel, or (`Off`) takes it away.
    pub fn set_continuity(&mut self, role: ContinuityRole) {
        self.continuity = role;
        self.check_tone_heard = false;
    }

    /// Whether a continuity check uses the channel.
    pub fn in_continuity_check(&self) -> bool {
        !matches!(self.continuity, ContinuityRole::Off)
    }

    /// Whether the transceiver recognised the returning check tone since the last call (once
    /// per check).
    pub fn take_check_tone_heard(&mut self) -> bool {
        std::mem::take(&mut self.check_tone_heard)
    }

    /// The timeslot.
    pub fn timeslot(&self) -> u8 {
        self.timeslot
    }

    /// How long the audio already written takes to reach the line.
    pub fn queued(&self) -> tdm_base::Duration {
        let tx = &self.channel.tx;
        let octets = (tx.capacity() - tx.free()) as u64;
        tdm_base::Duration::from_micros(octets * 1000 / OCTETS_PER_MS)
    }

    /// Forgets the call the channel carried: no tone sent, none listened for (a continuity
    /// check on it goes on).
    pub fn reset(&mut self) {
        self.sender = None;
        self.listening = false;
        self.detector = ToneDetector::new();
    }

    /// Takes everything received: back out through a continuity loop, to a continuity
    /// transceiver, to the CAS stack while it listens for register signals, to the test tone
    /// detector while the call is answered, otherwise nowhere. Returns the test tone's level
    /// when it was heard for the first time now.
    pub fn receive(&mut self, now: Instant, mut cas: Option<&mut dyn CasSignaling>) -> Option<f64> {
        let mut octets = [0u8; CHUNK];
        let mut samples = [0i16; CHUNK];
        let mut heard = None;
        loop {
            let n = self.channel.rx.pop_slice(&mut octets);
            if n == 0 {
                return heard;
            }
            match &mut self.continuity {
                ContinuityRole::Off => {}
                ContinuityRole::Loop => {
                    // What finds the ring full is lost, as on a loop whose far end sends faster
                    // than the line: the check tone is continuous, so the rest still returns.
                    self.channel.tx.push_slice(&octets[..n]);
                    continue;
                }
                ContinuityRole::Transceiver(transceiver) => {
                    for (sample, octet) in samples.iter_mut().zip(&octets[..n]) {
                        *sample = alaw_to_linear(*octet);
                    }
                    if !transceiver.is_recognised() && transceiver.receive(&samples[..n]) {
                        self.check_tone_heard = true;
                    }
                    continue;
                }
            }
            let register =
                cas.as_deref().is_some_and(|s| s.register_audio(self.timeslot) != RegisterAudio::Off);
            if !register && !self.listening {
                // Nobody listens: the audio is only taken out of the ring.
                continue;
            }
            for (sample, octet) in samples.iter_mut().zip(&octets[..n]) {
                *sample = alaw_to_linear(*octet);
            }
            match cas.as_deref_mut() {
                Some(stack) if register => stack.handle_audio(now, self.timeslot, &samples[..n]),
                _ => heard = heard.or(self.detector.push(&samples[..n])),
            }
        }
    }

    /// A channel of a span whose signaling is elsewhere (ISDN, SS7): a continuity
    /// transceiver's check tone, topped up to `check_ahead` octets queued (it ends soon after
    /// its tone returns, so only a cushion is written ahead); else the test tone, if any,
    /// filling the whole ring.
    pub fn send(&mut self, check_ahead: usize) {
        match &mut self.continuity {
            ContinuityRole::Transceiver(transceiver) => {
                let mut samples = [0i16; CHUNK];
                let mut octets = [0u8; CHUNK];
                loop {
                    let tx = &mut self.channel.tx;
                    let queued = tx.capacity() - tx.free();
                    let n = check_ahead.saturating_sub(queued).min(tx.free()).min(CHUNK);
                    if n == 0 {
                        return;
                    }
                    transceiver.generate(&mut samples[..n]);
                    for (octet, sample) in octets.iter_mut().zip(&samples[..n]) {
                        *octet = linear_to_alaw(*sample);
                    }
                    tx.push_slice(&octets[..n]);
                }
            }
            // The loop sends what arrives, as it arrives.
            ContinuityRole::Loop => {}
            ContinuityRole::Off => {
                if let Some(sender) = self.sender.as_mut() {
                    sender.fill(&mut self.channel.tx);
                }
            }
        }
    }

    /// A CAS channel: the stack's register signal while it sends one, else the test tone, else
    /// nothing; topped up to `target` octets queued. Returns the octets written.
    pub fn send_ahead(&mut self, cas: &mut dyn CasSignaling, target: usize) -> usize {
        if cas.register_audio(self.timeslot) != RegisterAudio::Sending {
            return match self.sender.as_mut() {
                Some(sender) => sender.fill_to(&mut self.channel.tx, target),
                None => 0,
            };
        }
        let mut samples = [0i16; CHUNK];
        let mut octets = [0u8; CHUNK];
        let mut written = 0;
        loop {
            let tx = &mut self.channel.tx;
            let queued = tx.capacity() - tx.free();
            let n = target.saturating_sub(queued).min(tx.free()).min(CHUNK);
            if n == 0 {
                return written;
            }
            cas.fill_audio(self.timeslot, &mut samples[..n]);
            for (octet, sample) in octets.iter_mut().zip(&samples[..n]) {
                *octet = linear_to_alaw(*sample);
            }
            written += tx.push_slice(&octets[..n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    #[test]
    fn the_cushion_follows_the_longest_recent_pause_within_its_limits() {
        let mut cushion = Cushion::new();
        assert_eq!((cushion.target_ms(), cushion.target_octets()), (32, 256));
        // Served every 2 ms: 2 * 2 + 16 = 20 ms, below the minimum.
        for ms in (0..100).step_by(2) {
            cushion.observe(at(ms));
        }
        assert_eq!(cushion.target_ms(), 32);
        // One pause of 40 ms: 96 ms.
        cushion.observe(at(138));
        assert_eq!(cushion.target_ms(), 96);
        // Remembered through the window it happened in and the next one...
        for ms in (140..4000).step_by(2) {
            cushion.observe(at(ms));
        }
        assert_eq!(cushion.target_ms(), 96);
        // ...then forgotten.
        for ms in (4000..4100).step_by(2) {
            cushion.observe(at(ms));
        }
        assert_eq!(cushion.target_ms(), 32);
        // A pause of a second is capped.
        cushion.observe(at(5100));
        assert_eq!((cushion.target_ms(), cushion.target_octets()), (256, 2048));
    }
}
