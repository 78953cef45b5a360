//! Whole-signal analysis: every detector of the crate over one recording, merged into one
//! list of detections with start and end times. This is the engine of `tdm dsp detect`; it
//! allocates (it returns a list), so it is for files and diagnostics, not the real-time path.
//!
//! What is reported:
//! - `dtmf`: each digit (label `0`–`9`, `*`, `#`, `A`–`D`);
//! - `r2-forward` / `r2-backward`: each MFC-R2 signal (label the signal number 1–15);
//! - `call-progress`: each plan tone once its cadence matched (label the plan's name for
//!   it), from the start of its first matched segment to the end of its last;
//! - `fax`: CNG bursts, the answer-tone family and the V.21 preamble that met their limits
//!   (labels as [`FaxTone::label`](crate::fax::FaxTone::label));
//! - `answer`: the answer detector's voice, music and silence verdicts, each lasting until
//!   the next verdict or the end of the signal (its ringback verdicts are the
//!   `call-progress` entries already). A voice or music verdict whose evidence lies 30 % or
//!   more inside what another detector found (a run of R2 signals has rhythm, a fax tone is
//!   steady) is dropped: that audio is explained.

use crate::answer::{AnswerConfig, AnswerDetector, Verdict};
use crate::dtmf::{DtmfConfig, DtmfDetector};
use crate::edge::ToneEdge;
use crate::fax::{FaxEvent, FaxToneDetector};
use crate::progress::{PlanError, ProgressDetector, ProgressEvent, TonePlan};
use crate::r2mf::{R2Config, R2Detector, R2Direction};

/// Samples per millisecond.
const SAMPLES_PER_MS: u64 = 8;
/// Analysis runs in 20 ms blocks, as a channel would.
const CHUNK: usize = 160;

/// Which detector a detection comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DetectionKind {
    /// A DTMF digit.
    Dtmf,
    /// An MFC-R2 forward signal.
    R2Forward,
    /// An MFC-R2 backward signal.
    R2Backward,
    /// A call-progress tone of the plan.
    CallProgress,
    /// A fax or modem connect signal.
    Fax,
    /// An answer-detector verdict.
    Answer,
}

impl DetectionKind {
    /// The kind as printed: `dtmf`, `r2-forward`, `r2-backward`, `call-progress`, `fax`,
    /// `answer`.
    pub fn name(self) -> &'static str {
        match self {
            DetectionKind::Dtmf => "dtmf",
            DetectionKind::R2Forward => "r2-forward",
            DetectionKind::R2Backward => "r2-backward",
            DetectionKind::CallProgress => "call-progress",
            DetectionKind::Fax => "fax",
            DetectionKind::Answer => "answer",
        }
    }
}

/// One thing found in the signal. Times are in samples (8 per ms) from the start of the
/// signal; `end` is exclusive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Detection {
    /// Which detector.
    pub kind: DetectionKind,
    /// What it found (digit, signal number, tone name, verdict).
    pub label: String,
    /// First sample.
    pub start: u64,
    /// One past the last sample.
    pub end: u64,
}

impl Detection {
    /// Start in milliseconds (rounded down).
    pub fn start_ms(&self) -> u64 {
        self.start / SAMPLES_PER_MS
    }

    /// End in milliseconds (rounded down).
    pub fn end_ms(&self) -> u64 {
        self.end / SAMPLES_PER_MS
    }
}

/// Runs every detector over `samples` (8 kHz linear) with the call-progress tones of
/// `plan`, and returns what they found, ordered by start time (then kind, then label).
pub fn analyze(samples: &[i16], plan: &TonePlan<'_>) -> Result<Vec<Detection>, PlanError> {
    let mut found = Vec::new();
    let total = samples.len() as u64;

    // Digits and MFC signals come as start and end edges; one still on at the end of the
    // signal ends there.
    let mut open: Option<(String, u64)> = None;
    let mut close = |found: &mut Vec<Detection>, kind, edge: ToneEdge, label: String, sample: u64| match edge
    {
        ToneEdge::Start => open = Some((label, sample)),
        ToneEdge::End => {
            if let Some((label, start)) = open.take() {
                found.push(Detection { kind, label, start, end: sample });
            }
        }
    };
    let mut dtmf = DtmfDetector::new(DtmfConfig::default());
    for chunk in samples.chunks(CHUNK) {
        dtmf.process(chunk, |e| {
            close(&mut found, DetectionKind::Dtmf, e.kind, e.digit.to_string(), e.sample)
        });
    }
    close(&mut found, DetectionKind::Dtmf, ToneEdge::End, String::new(), total);
    for (direction, kind) in
        [(R2Direction::Forward, DetectionKind::R2Forward), (R2Direction::Backward, DetectionKind::R2Backward)]
    {
        let mut r2 = R2Detector::new(direction, R2Config::default());
        for chunk in samples.chunks(CHUNK) {
            r2.process(chunk, |e| close(&mut found, kind, e.kind, e.code.to_string(), e.sample));
        }
        close(&mut found, kind, ToneEdge::End, String::new(), total);
    }

    let progress = ProgressDetector::new(plan)?;
    let mut progress_state = progress.new_state();
    let mut on_progress = |event: ProgressEvent| {
        if let ProgressEvent::Ended { tone, start, end } = event {
            let label = plan.tones.get(tone).map_or("?", |t| t.name);
            found.push(Detection { kind: DetectionKind::CallProgress, label: label.to_string(), start, end });
        }
    };
    for chunk in samples.chunks(CHUNK) {
        progress.process(&mut progress_state, chunk, &mut on_progress);
    }
    progress.finish(&mut progress_state, &mut on_progress);

    let mut fax = FaxToneDetector::new();
    let mut on_fax = |event: FaxEvent| {
        if let FaxEvent::Ended { tone, start, end } = event {
            found.push(Detection { kind: DetectionKind::Fax, label: tone.label().to_string(), start, end });
        }
    };
    for chunk in samples.chunks(CHUNK) {
        fax.process(chunk, &mut on_fax);
    }
    fax.finish(&mut on_fax);

    let answer = AnswerDetector::new(plan, AnswerConfig::default())?;
    let mut answer_state = answer.new_state();
    let mut verdicts = Vec::new();
    for chunk in samples.chunks(CHUNK) {
        answer.process(&mut answer_state, chunk, |event| verdicts.push(event));
    }
    answer.finish(&mut answer_state, |event| verdicts.push(event));
    // A verdict drawn from audio that another detector already explains (R2 signals have a
    // rhythm, a fax tone is steady) says nothing about an answer: drop it.
    let explained = |from: u64, to: u64| -> u64 {
        found.iter().map(|d| to.min(d.end).saturating_sub(from.max(d.start))).sum()
    };
    let kept: Vec<_> = verdicts
        .iter()
        .filter(|e| e.verdict == Verdict::Silence || 10 * explained(e.start, e.at) < 3 * (e.at - e.start))
        .collect();
    let mut answers = Vec::new();
    for (i, event) in kept.iter().enumerate() {
        let label = match event.verdict {
            Verdict::Voice => "voice",
            Verdict::Music => "music",
            Verdict::Silence => "silence",
            Verdict::Tone { .. } => continue,
        };
        let end = kept.get(i + 1).map_or(total, |next| next.start.max(event.start));
        answers.push(Detection {
            kind: DetectionKind::Answer,
            label: label.to_string(),
            start: event.start,
            end,
        });
    }
    found.extend(answers);

    found.sort_by(|a, b| (a.start, a.kind, &a.label).cmp(&(b.start, b.kind, &b.label)));
    Ok(found)
}
