//! B-channel audio of test calls: the 1004 Hz test tone an answering span sends, and the
//! detector that tells a caller the tone arrived (so a test call proves the whole path: the
//! signaling agreed on a channel, and that channel carries audio end to end).
//!
//! Both work on the driver's octet rings in A-law, in fixed buffers: nothing here allocates.

use tdm_driver::ring::{RingReader, RingWriter};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_dsp::goertzel::{Goertzel, block_energy};
use tdm_dsp::level::mean_square_to_dbm0;
use tdm_dsp::tonegen::{Cadence, Tone, ToneGenerator};

/// Frequency of the test tone (the usual 1004 Hz, chosen off 1000 Hz so that it does not sit
/// on a submultiple of the 8 kHz sampling rate).
pub const TEST_TONE_HZ: u32 = 1004;

/// Level the test tone is sent at unless configured otherwise.
pub const DEFAULT_TONE_DBM0: f32 = -10.0;

/// Samples per detection block: 20 ms.
pub const BLOCK: usize = 160;

/// Consecutive tone blocks that make a detection: 200 ms of steady tone.
pub const BLOCKS_TO_DETECT: u32 = 10;

/// Share of a block's power that must lie in the tone's bin (a pure tone gives about 0.95 here,
/// the bin being 50 Hz wide and the tone not centred on it).
const PURITY: f64 = 0.7;

/// Quietest tone detected.
const MIN_LEVEL_DBM0: f64 = -40.0;

/// Samples generated per ring refill at most.
const CHUNK: usize = 256;

/// Sends a continuous tone into a channel's transmit ring.
#[derive(Debug, Clone)]
pub struct ToneSender {
    generator: ToneGenerator,
}

impl ToneSender {
    /// The test tone at `level_dbm0`.
    pub fn test_tone(level_dbm0: f32) -> Self {
        let tone = Tone::single(TEST_TONE_HZ as f32, level_dbm0);
        ToneSender { generator: ToneGenerator::new(&tone, Cadence::CONTINUOUS) }
    }

    /// Tops the ring up: as many samples as it has room for. Returns how many went in.
    pub fn fill(&mut self, tx: &mut RingWriter) -> usize {
        let capacity = tx.capacity();
        self.fill_to(tx, capacity)
    }

    /// Tops the ring up until it holds `level` octets (or is full). Returns how many went in.
    pub fn fill_to(&mut self, tx: &mut RingWriter, level: usize) -> usize {
        let mut samples = [0i16; CHUNK];
        let mut octets = [0u8; CHUNK];
        let mut written = 0;
        loop {
            let queued = tx.capacity() - tx.free();
            let n = level.saturating_sub(queued).min(tx.free()).min(CHUNK);
            if n == 0 {
                return written;
            }
            self.generator.generate(&mut samples[..n]);
            for (octet, sample) in octets.iter_mut().zip(&samples[..n]) {
                *octet = linear_to_alaw(*sample);
            }
            written += tx.push_slice(&octets[..n]);
        }
    }
}

/// Listens for the test tone on a channel's receive ring.
#[derive(Debug, Clone)]
pub struct ToneDetector {
    bin: Goertzel,
    energy: i64,
    filled: usize,
    /// Levels of the current run of tone blocks.
    levels: [f64; BLOCKS_TO_DETECT as usize],
    run: u32,
    heard: Option<f64>,
}

impl Default for ToneDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl ToneDetector {
    /// A detector for [`TEST_TONE_HZ`].
    pub fn new() -> Self {
        ToneDetector {
            bin: Goertzel::new(TEST_TONE_HZ as f32),
            energy: 0,
            filled: 0,
            levels: [0.0; BLOCKS_TO_DETECT as usize],
            run: 0,
            heard: None,
        }
    }

    /// The tone's level once it has been heard (the first detection sticks).
    pub fn heard(&self) -> Option<f64> {
        self.heard
    }

    /// Reads whatever the ring holds and looks at it. Returns the level when this call made
    /// the first detection.
    pub fn read(&mut self, rx: &mut RingReader) -> Option<f64> {
        let mut octets = [0u8; CHUNK];
        let mut samples = [0i16; CHUNK];
        let mut detected = None;
        loop {
            let n = rx.pop_slice(&mut octets);
            if n == 0 {
                return detected;
            }
            for (sample, octet) in samples.iter_mut().zip(&octets[..n]) {
                *sample = alaw_to_linear(*octet);
            }
            detected = detected.or(self.push(&samples[..n]));
        }
    }

    /// Looks at linear samples. Returns the level when these samples made the first detection.
    pub fn push(&mut self, mut samples: &[i16]) -> Option<f64> {
        let mut detected = None;
        while !samples.is_empty() {
            let take = (BLOCK - self.filled).min(samples.len());
            let (now, later) = samples.split_at(take);
            self.bin.update_block(now);
            self.energy += block_energy(now);
            self.filled += take;
            samples = later;
            if self.filled == BLOCK {
                detected = detected.or(self.end_block());
            }
        }
        detected
    }

    fn end_block(&mut self) -> Option<f64> {
        let bin = self.bin.energy() as f64;
        let total = self.energy as f64;
        self.bin.reset();
        self.energy = 0;
        self.filled = 0;
        let level = mean_square_to_dbm0(total / BLOCK as f64);
        // A pure tone on the bin gives 2·bin = N·total (see tdm_dsp::goertzel).
        let purity = if total > 0.0 { 2.0 * bin / (BLOCK as f64 * total) } else { 0.0 };
        if purity < PURITY || level < MIN_LEVEL_DBM0 {
            self.run = 0;
            return None;
        }
        if self.heard.is_some() {
            return None;
        }
        self.levels[self.run as usize] = level;
        self.run += 1;
        if self.run < BLOCKS_TO_DETECT {
            return None;
        }
        // The median: a block that straddles a gap in the audio (a sender that fell behind
        // leaves silence) still looks pure but reads low; one or two of them must not pull the
        // level down.
        self.levels.sort_by(f64::total_cmp);
        let median = (self.levels[4] + self.levels[5]) / 2.0;
        self.heard = Some(median);
        Some(median)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tdm_driver::ring::octet_ring;

    fn sine(freq: f64, level_dbm0: f64, n: usize) -> Vec<i16> {
        let peak = tdm_dsp::level::dbm0_to_peak(level_dbm0);
        (0..n)
            .map(|i| (peak * (2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin()).round() as i16)
            .collect()
    }

    #[test]
    fn the_sender_fills_the_ring_exactly_and_the_detector_hears_it_at_its_level() {
        let (mut tx, mut rx) = octet_ring(1024);
        let mut sender = ToneSender::test_tone(-10.0);
        assert_eq!(sender.fill(&mut tx), 1024);
        assert_eq!(sender.fill(&mut tx), 0, "full");
        let mut detector = ToneDetector::new();
        // 1024 samples are 6 whole blocks: not yet 200 ms.
        assert_eq!(detector.read(&mut rx), None);
        let mut heard = None;
        for _ in 0..3 {
            sender.fill(&mut tx);
            heard = heard.or(detector.read(&mut rx));
        }
        let level = heard.expect("10 blocks of tone");
        assert!((level + 10.0).abs() < 0.3, "{level}");
        assert_eq!(detector.heard(), Some(level));
        // Heard once: later blocks report nothing new.
        sender.fill(&mut tx);
        assert_eq!(detector.read(&mut rx), None);
    }

    #[test]
    fn the_sender_tops_a_ring_up_to_a_level_and_no_further() {
        let (mut tx, mut rx) = octet_ring(1024);
        let mut sender = ToneSender::test_tone(-10.0);
        assert_eq!(sender.fill_to(&mut tx, 300), 300);
        assert_eq!(sender.fill_to(&mut tx, 300), 0);
        let mut taken = [0u8; 100];
        assert_eq!(rx.pop_slice(&mut taken), 100);
        assert_eq!(sender.fill_to(&mut tx, 300), 100);
        assert_eq!(sender.fill_to(&mut tx, 5000), 1024 - 300, "never more than the ring holds");
        assert_eq!(tx.free(), 0);
    }

    #[test]
    fn exactly_ten_blocks_make_a_detection_across_any_chunking() {
        let tone = sine(1004.0, -20.0, BLOCK * BLOCKS_TO_DETECT as usize);
        for chunk in [1, 7, 160, 333] {
            let mut detector = ToneDetector::new();
            let mut detections = 0;
            let (last_block, rest) = tone.split_at(tone.len() - 1);
            for piece in last_block.chunks(chunk) {
                detections += usize::from(detector.push(piece).is_some());
            }
            assert_eq!(detections, 0, "chunk {chunk}: one sample short of ten blocks");
            let level = detector.push(rest).expect("the tenth block completes");
            assert!((level + 20.0).abs() < 0.3, "{level}");
        }
    }

    #[test]
    fn a_block_with_a_gap_does_not_pull_the_level_down() {
        // Ten blocks of tone at -10 dBm0, two of them with 20 samples of silence (a sender
        // that fell behind): still pure enough, but 0.6 dB low. The median ignores them.
        let mut samples = sine(1004.0, -10.0, BLOCK * 10);
        samples[BLOCK * 3 + 70..BLOCK * 3 + 90].fill(0);
        samples[BLOCK * 8..BLOCK * 8 + 20].fill(0);
        let mut detector = ToneDetector::new();
        let level = detector.push(&samples).expect("ten pure blocks");
        assert!((level + 10.0).abs() < 0.15, "{level}");
        // A gap of half a block is no tone any more: the run starts again after it.
        let mut broken = sine(1004.0, -10.0, BLOCK * 10);
        broken[BLOCK * 5..BLOCK * 5 + BLOCK / 2].fill(0);
        assert_eq!(ToneDetector::new().push(&broken), None);
    }

    #[test]
    fn silence_other_tones_quiet_tones_and_interruptions_are_not_the_test_tone() {
        let blocks = BLOCK * 12;
        let mut detector = ToneDetector::new();
        assert_eq!(detector.push(&vec![0; blocks]), None);
        assert_eq!(detector.push(&sine(400.0, -10.0, blocks)), None);
        assert_eq!(detector.push(&sine(1004.0, -45.0, blocks)), None);
        // Nine blocks of tone, one of silence, nine of tone: never ten in a row.
        let mut broken = sine(1004.0, -10.0, BLOCK * 9);
        broken.extend(vec![0; BLOCK]);
        broken.extend(sine(1004.0, -10.0, BLOCK * 9));
        assert_eq!(detector.push(&broken), None);
        detector.push(&vec![0; BLOCK]);
        // Pseudo-random noise at a high level has no tone in it either.
        let mut state = 12345u32;
        let noise: Vec<i16> = (0..blocks)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (state >> 16) as i16
            })
            .collect();
        assert_eq!(detector.push(&noise), None);
        assert_eq!(detector.heard(), None);
    }
}
