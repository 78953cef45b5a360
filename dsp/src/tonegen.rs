//! Tone generation: one or two sines at levels in dBm0, switched by an on/off cadence; DTMF
//! digits (Q.23) and MFC-R2 signals (Q.441/Q.454) on top of it.
//!
//! The oscillator is a 32-bit phase accumulator indexing the Q15 sine table of
//! [`crate::sine`] with linear interpolation: the frequency is exact to 8000/2³² Hz, the
//! amplitude never drifts, and there is no floating point per sample (levels and phase steps
//! are computed once, at construction). Spurious content is below −80 dB.

use crate::dtmf::dtmf_frequencies;
use crate::level::dbm0_to_peak;
use crate::r2mf::{R2Direction, r2_frequencies};
use crate::sine::sine_of_phase;

/// Why a generator request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToneGenError {
    /// A cadence had no steps, more than [`Cadence::MAX_STEPS`], or a repeating cadence had
    /// no time in it.
    BadCadence,
    /// Not a DTMF digit (`0-9 * # A-D`).
    NotADtmfDigit(char),
    /// Not an MFC-R2 signal number (1 ..= 15).
    NotAnR2Code(u8),
    /// The digit queue is full.
    QueueFull,
}

impl std::fmt::Display for ToneGenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::BadCadence => {
                write!(f, "cadence needs 1 ..= {} steps and some time in it", Cadence::MAX_STEPS)
            }
            Self::NotADtmfDigit(c) => write!(f, "{c:?} is not a DTMF digit (0-9 * # A-D)"),
            Self::NotAnR2Code(n) => write!(f, "{n} is not an MFC-R2 signal (1 ..= 15)"),
            Self::QueueFull => write!(f, "the digit queue is full"),
        }
    }
}

impl std::error::Error for ToneGenError {}

/// One sine component: frequency in Hz and level in dBm0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Component {
    /// Frequency in Hz (0 ..= 4000).
    pub freq_hz: f32,
    /// Level in dBm0 (see [`crate::level`] for the reference).
    pub level_dbm0: f32,
}

/// A steady tone of one or two frequencies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tone {
    /// First component.
    pub first: Component,
    /// Optional second component, added to the first.
    pub second: Option<Component>,
}

impl Tone {
    /// A single-frequency tone.
    pub const fn single(freq_hz: f32, level_dbm0: f32) -> Self {
        Self { first: Component { freq_hz, level_dbm0 }, second: None }
    }

    /// A dual-frequency tone.
    pub const fn dual(f1_hz: f32, l1_dbm0: f32, f2_hz: f32, l2_dbm0: f32) -> Self {
        Self {
            first: Component { freq_hz: f1_hz, level_dbm0: l1_dbm0 },
            second: Some(Component { freq_hz: f2_hz, level_dbm0: l2_dbm0 }),
        }
    }
}

/// Alternating on/off durations in ms, starting with "on"; repeated or played once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    steps_ms: [u32; Self::MAX_STEPS],
    len: usize,
    repeat: bool,
}

impl Cadence {
    /// Most on/off steps a cadence can hold.
    pub const MAX_STEPS: usize = 8;

    /// A tone that never stops.
    pub const CONTINUOUS: Cadence =
        Cadence { steps_ms: [u32::MAX, 0, 0, 0, 0, 0, 0, 0], len: 1, repeat: false };

    /// On/off steps in ms (`[on, off, on, off, ...]`); `repeat` plays them for ever. A
    /// zero-length step is allowed (it is skipped).
    pub const fn from_ms(steps_ms: &[u32], repeat: bool) -> Result<Self, ToneGenError> {
        if steps_ms.is_empty() || steps_ms.len() > Self::MAX_STEPS {
            return Err(ToneGenError::BadCadence);
        }
        let mut steps = [0u32; Self::MAX_STEPS];
        let mut total: u64 = 0;
        let mut i = 0;
        while i < steps_ms.len() {
            steps[i] = steps_ms[i];
            total += steps_ms[i] as u64;
            i += 1;
        }
        if repeat && total == 0 {
            return Err(ToneGenError::BadCadence);
        }
        Ok(Self { steps_ms: steps, len: steps_ms.len(), repeat })
    }

    /// The steps in ms.
    pub fn steps_ms(&self) -> &[u32] {
        &self.steps_ms[..self.len]
    }

    /// Whether the cadence repeats.
    pub fn repeats(&self) -> bool {
        self.repeat
    }

    fn step_samples(&self, step: usize) -> u64 {
        u64::from(self.steps_ms[step]) * 8
    }
}

/// A fixed-point sine oscillator: 32-bit phase accumulator and Q15 table. 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oscillator {
    phase: u32,
    step: u32,
    /// Peak amplitude in 16-bit linear units.
    amplitude: i32,
}

impl Oscillator {
    /// A sine at `freq_hz` whose level is `level_dbm0`, starting at phase 0.
    pub fn new(freq_hz: f32, level_dbm0: f32) -> Self {
        let step = (f64::from(freq_hz) / 8000.0 * 4_294_967_296.0).round();
        let amplitude = dbm0_to_peak(f64::from(level_dbm0)).round().clamp(0.0, 32767.0);
        Self { phase: 0, step: step.rem_euclid(4_294_967_296.0) as u32, amplitude: amplitude as i32 }
    }

    /// Peak amplitude in 16-bit linear units.
    pub fn amplitude(&self) -> i32 {
        self.amplitude
    }

    /// The next sample, unclipped (|value| ≤ amplitude).
    #[inline]
    pub fn next_sample(&mut self) -> i32 {
        let value = (sine_of_phase(self.phase) * self.amplitude + (1 << 14)) >> 15;
        self.phase = self.phase.wrapping_add(self.step);
        value
    }
}

/// Sum of one or two oscillators, saturated to `i16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ToneSource {
    first: Oscillator,
    second: Option<Oscillator>,
}

impl ToneSource {
    fn new(tone: &Tone) -> Self {
        Self {
            first: Oscillator::new(tone.first.freq_hz, tone.first.level_dbm0),
            second: tone.second.map(|c| Oscillator::new(c.freq_hz, c.level_dbm0)),
        }
    }

    #[inline]
    fn next_sample(&mut self) -> i16 {
        let mut sum = self.first.next_sample();
        if let Some(second) = &mut self.second {
            sum += second.next_sample();
        }
        sum.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16
    }
}

/// A tone switched on and off by a cadence. 96 bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToneGenerator {
    source: ToneSource,
    cadence: Cadence,
    step: usize,
    done_in_step: u64,
    finished: bool,
}

impl ToneGenerator {
    /// A generator for `tone` following `cadence`.
    pub fn new(tone: &Tone, cadence: Cadence) -> Self {
        Self { source: ToneSource::new(tone), cadence, step: 0, done_in_step: 0, finished: false }
    }

    /// Whether a non-repeating cadence has played out.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Fills `out` and returns how many samples were written: all of them, unless a
    /// non-repeating cadence ended first.
    pub fn generate(&mut self, out: &mut [i16]) -> usize {
        let mut written = 0;
        while written < out.len() && !self.finished {
            let step_len = self.cadence.step_samples(self.step);
            let left_in_step = step_len - self.done_in_step;
            let n = left_in_step.min((out.len() - written) as u64) as usize;
            let target = &mut out[written..written + n];
            if self.step.is_multiple_of(2) {
                for sample in target.iter_mut() {
                    *sample = self.source.next_sample();
                }
            } else {
                target.fill(0);
            }
            written += n;
            self.done_in_step += n as u64;
            if self.done_in_step == step_len {
                self.done_in_step = 0;
                self.step += 1;
                if self.step == self.cadence.len {
                    if self.cadence.repeat {
                        self.step = 0;
                    } else {
                        self.finished = true;
                    }
                }
            }
        }
        written
    }
}

/// DTMF sending levels and timing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DtmfGeneratorConfig {
    /// Level of the low-group tone in dBm0.
    pub low_dbm0: f32,
    /// Level of the high-group tone in dBm0.
    pub high_dbm0: f32,
    /// Tone duration per digit in ms.
    pub on_ms: u32,
    /// Silence after each digit in ms.
    pub off_ms: u32,
}

impl Default for DtmfGeneratorConfig {
    /// The China figures DAHDI uses (zone "cn": low −9 dBm0, high −11 dBm0) with spandsp's
    /// timing, 50 ms on and 55 ms off.
    fn default() -> Self {
        Self { low_dbm0: -9.0, high_dbm0: -11.0, on_ms: 50, off_ms: 55 }
    }
}

/// Capacity of [`DtmfGenerator`]'s digit queue.
pub const DTMF_QUEUE_LEN: usize = 32;

/// Sends queued DTMF digits, each as `on_ms` of tone and `off_ms` of silence. 160 bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct DtmfGenerator {
    config: DtmfGeneratorConfig,
    queue: [u8; DTMF_QUEUE_LEN],
    head: usize,
    len: usize,
    current: Option<ToneGenerator>,
}

impl DtmfGenerator {
    /// An idle generator.
    pub fn new(config: DtmfGeneratorConfig) -> Self {
        Self { config, queue: [0; DTMF_QUEUE_LEN], head: 0, len: 0, current: None }
    }

    /// Queues `digits` (`0-9 * # A-D`, lower case accepted). Either all are queued or none.
    pub fn send(&mut self, digits: &str) -> Result<(), ToneGenError> {
        let mut count = 0;
        for c in digits.chars() {
            if dtmf_frequencies(c).is_none() {
                return Err(ToneGenError::NotADtmfDigit(c));
            }
            count += 1;
        }
        if self.len + count > DTMF_QUEUE_LEN {
            return Err(ToneGenError::QueueFull);
        }
        for c in digits.chars() {
            self.queue[(self.head + self.len) % DTMF_QUEUE_LEN] = c.to_ascii_uppercase() as u8;
            self.len += 1;
        }
        Ok(())
    }

    /// Whether nothing is queued or playing.
    pub fn is_idle(&self) -> bool {
        self.len == 0 && self.current.is_none()
    }

    /// Writes samples until `out` is full or every queued digit (with its trailing silence)
    /// has been sent; returns the number written.
    pub fn generate(&mut self, out: &mut [i16]) -> usize {
        let mut written = 0;
        while written < out.len() {
            if self.current.is_none() {
                if self.len == 0 {
                    break;
                }
                let digit = char::from(self.queue[self.head]);
                self.head = (self.head + 1) % DTMF_QUEUE_LEN;
                self.len -= 1;
                let Some((low, high)) = dtmf_frequencies(digit) else { continue };
                let tone = Tone::dual(low, self.config.low_dbm0, high, self.config.high_dbm0);
                let cadence = Cadence::from_ms(&[self.config.on_ms, self.config.off_ms], false)
                    .unwrap_or(Cadence::CONTINUOUS);
                self.current = Some(ToneGenerator::new(&tone, cadence));
            }
            if let Some(current) = &mut self.current {
                written += current.generate(&mut out[written..]);
                if current.is_finished() {
                    self.current = None;
                }
            }
        }
        written
    }
}

/// Default MFC-R2 sending level per frequency: Q.454's −11.5 dBm0 (±1 dB). (DAHDI's "cn"
/// zone uses −8 dBm0; OpenR2 and spandsp send −11 dBm0.)
pub const R2_DEFAULT_LEVEL_DBM0: f32 = -11.5;

/// Sends MFC-R2 signals: steady (compelled signalling) or as timed pulses. Fills every
/// sample it is asked for, with silence when no signal is on. 104 bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct R2Generator {
    direction: R2Direction,
    level_dbm0: f32,
    current: Option<ToneGenerator>,
}

impl R2Generator {
    /// An idle generator for `direction`'s frequency group, `level_dbm0` per frequency.
    pub fn new(direction: R2Direction, level_dbm0: f32) -> Self {
        Self { direction, level_dbm0, current: None }
    }

    /// Starts sending signal `code` (1 ..= 15) until [`R2Generator::stop`].
    pub fn start(&mut self, code: u8) -> Result<(), ToneGenError> {
        self.begin(code, Cadence::CONTINUOUS)
    }

    /// Sends `code` for `duration_ms`, then silence (a pulsed backward signal is 150 ms).
    pub fn pulse(&mut self, code: u8, duration_ms: u32) -> Result<(), ToneGenError> {
        let cadence = Cadence::from_ms(&[duration_ms], false)?;
        self.begin(code, cadence)
    }

    fn begin(&mut self, code: u8, cadence: Cadence) -> Result<(), ToneGenError> {
        let (f1, f2) = r2_frequencies(self.direction, code).ok_or(ToneGenError::NotAnR2Code(code))?;
        let tone = Tone::dual(f1, self.level_dbm0, f2, self.level_dbm0);
        self.current = Some(ToneGenerator::new(&tone, cadence));
        Ok(())
    }

    /// Stops the signal at once.
    pub fn stop(&mut self) {
        self.current = None;
    }

    /// Whether a signal is being sent.
    pub fn is_sending(&self) -> bool {
        self.current.is_some()
    }

    /// Fills `out` with the signal (or silence).
    pub fn generate(&mut self, out: &mut [i16]) {
        let mut written = 0;
        if let Some(current) = &mut self.current {
            written = current.generate(out);
            if current.is_finished() {
                self.current = None;
            }
        }
        out[written..].fill(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::goertzel::{Goertzel, block_energy};
    use crate::level::{block_dbm0, dbm0_to_peak};

    #[test]
    fn single_tone_has_the_requested_level_and_frequency() {
        let mut generator = ToneGenerator::new(&Tone::single(1000.0, -10.0), Cadence::CONTINUOUS);
        let mut out = vec![0i16; 8000];
        assert_eq!(generator.generate(&mut out), 8000);
        assert!((block_dbm0(&out) + 10.0).abs() < 0.01, "level {}", block_dbm0(&out));
        let peak = out.iter().map(|&x| i32::from(x).abs()).max().unwrap_or(0);
        assert!((f64::from(peak) - dbm0_to_peak(-10.0)).abs() <= 1.5);
        let mut on_bin = Goertzel::new(1000.0);
        on_bin.update_block(&out[..800]);
        let ratio = 2.0 * on_bin.energy() as f64 / (800.0 * block_energy(&out[..800]) as f64);
        assert!(ratio > 0.999, "ratio {ratio}");
        assert!(!generator.is_finished());
    }

    #[test]
    fn spurious_content_is_below_80_db() {
        let mut generator = ToneGenerator::new(&Tone::single(697.0, 0.0), Cadence::CONTINUOUS);
        let mut out = vec![0i16; 8000];
        generator.generate(&mut out);
        // Everything that is not the 697 Hz sine: subtract the ideal sine.
        let amplitude = dbm0_to_peak(0.0).round();
        let mut error = 0.0;
        for (n, &x) in out.iter().enumerate() {
            let ideal = amplitude * (2.0 * std::f64::consts::PI * 697.0 * n as f64 / 8000.0).sin();
            error += (f64::from(x) - ideal).powi(2);
        }
        let signal = amplitude * amplitude / 2.0 * 8000.0;
        assert!(10.0 * (error / signal).log10() < -80.0);
    }

    #[test]
    fn cadence_switches_at_exact_samples_and_repeats() {
        let cadence = Cadence::from_ms(&[10, 5], true).unwrap();
        let mut generator = ToneGenerator::new(&Tone::single(450.0, -10.0), cadence);
        let mut out = vec![0i16; 240];
        // Pieces of odd sizes must not matter.
        let mut at = 0;
        for size in [7, 100, 33, 100] {
            let end = (at + size).min(out.len());
            at += generator.generate(&mut out[at..end]);
        }
        assert_eq!(at, 240);
        for (n, &x) in out.iter().enumerate() {
            let on = n % 120 < 80;
            if !on {
                assert_eq!(x, 0, "sample {n} must be silent");
            }
        }
        assert!(out[1..80].iter().all(|&x| x != 0) || out[1..80].iter().filter(|&&x| x == 0).count() < 3);
        assert!(out[121..200].iter().any(|&x| x != 0));
    }

    #[test]
    fn one_shot_cadence_finishes() {
        let cadence = Cadence::from_ms(&[20, 10, 20], false).unwrap();
        let mut generator = ToneGenerator::new(&Tone::single(1000.0, -10.0), cadence);
        let mut out = vec![1i16; 1000];
        assert_eq!(generator.generate(&mut out), 400);
        assert!(generator.is_finished());
        assert_eq!(generator.generate(&mut out), 0);
        assert!(out[160..240].iter().all(|&x| x == 0));
        assert_eq!(out[400], 1, "samples past the end are untouched");
    }

    #[test]
    fn cadence_rejects_bad_input() {
        assert_eq!(Cadence::from_ms(&[], false), Err(ToneGenError::BadCadence));
        assert_eq!(Cadence::from_ms(&[1; 9], false), Err(ToneGenError::BadCadence));
        assert_eq!(Cadence::from_ms(&[0, 0], true), Err(ToneGenError::BadCadence));
        assert_eq!(Cadence::from_ms(&[350, 350], true).map(|c| c.steps_ms().to_vec()), Ok(vec![350, 350]));
    }

    #[test]
    fn dtmf_generator_timing_and_levels() {
        let mut generator = DtmfGenerator::new(DtmfGeneratorConfig::default());
        generator.send("1a#").unwrap();
        let mut out = vec![0i16; 4000];
        let n = generator.generate(&mut out);
        assert_eq!(n, 3 * (400 + 440));
        assert!(generator.is_idle());
        // Digit '1' is 697 + 1209 Hz at −9 / −11 dBm0: total −6.88 dBm0.
        let level = block_dbm0(&out[..400]);
        let expected = 10.0 * (10f64.powf(-0.9) + 10f64.powf(-1.1)).log10();
        assert!((level - expected).abs() < 0.05, "{level} vs {expected}");
        assert!(out[400..840].iter().all(|&x| x == 0));
        assert_eq!(generator.send("x"), Err(ToneGenError::NotADtmfDigit('x')));
        assert_eq!(generator.send(&"1".repeat(33)), Err(ToneGenError::QueueFull));
        assert!(generator.is_idle());
    }

    #[test]
    fn r2_generator_steady_pulse_and_errors() {
        let mut generator = R2Generator::new(R2Direction::Forward, R2_DEFAULT_LEVEL_DBM0);
        assert_eq!(generator.start(0), Err(ToneGenError::NotAnR2Code(0)));
        assert_eq!(generator.start(16), Err(ToneGenError::NotAnR2Code(16)));
        generator.start(1).unwrap();
        let mut out = vec![0i16; 1600];
        generator.generate(&mut out);
        let expected = R2_DEFAULT_LEVEL_DBM0 as f64 + 10.0 * 2f64.log10();
        assert!((block_dbm0(&out) - expected).abs() < 0.05);
        generator.stop();
        generator.generate(&mut out);
        assert!(out.iter().all(|&x| x == 0));
        generator.pulse(15, 150).unwrap();
        generator.generate(&mut out);
        assert!((block_dbm0(&out[..1200]) - expected).abs() < 0.1);
        assert!(out[1200..].iter().all(|&x| x == 0));
        assert!(!generator.is_sending());
    }

    #[test]
    fn sizes() {
        assert_eq!(std::mem::size_of::<Oscillator>(), 12);
        assert_eq!(std::mem::size_of::<ToneGenerator>(), 96);
        assert_eq!(std::mem::size_of::<DtmfGenerator>(), 160);
        assert_eq!(std::mem::size_of::<R2Generator>(), 104);
    }
}
