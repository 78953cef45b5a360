//! Signal builders shared by the DTMF, R2, talk-off and spandsp test files.
#![allow(dead_code)]

use tdm_dsp::dtmf::{DtmfConfig, DtmfDetector, DtmfEvent};
use tdm_dsp::edge::ToneEdge;
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_dsp::noise::WhiteNoise;
use tdm_dsp::r2mf::{R2Config, R2Detector, R2Direction, R2Event};
use tdm_dsp::tonegen::{Cadence, Tone, ToneGenerator};

/// Samples per ms.
pub const MS: usize = 8;

/// `ms` of a two-frequency tone; the generators start at phase 0, so the first sample is 0
/// and the tone is visible from the second sample on.
pub fn two_tones(f1: f32, l1: f32, f2: f32, l2: f32, samples: usize) -> Vec<i16> {
    let mut out = vec![0i16; samples];
    ToneGenerator::new(&Tone::dual(f1, l1, f2, l2), Cadence::CONTINUOUS).generate(&mut out);
    out
}

/// Silence, then a tone, then silence: `lead`, `on` and `tail` in samples.
pub fn burst(f1: f32, l1: f32, f2: f32, l2: f32, lead: usize, on: usize, tail: usize) -> Vec<i16> {
    let mut out = vec![0i16; lead];
    out.extend(two_tones(f1, l1, f2, l2, on));
    out.extend(std::iter::repeat_n(0i16, tail));
    out
}

/// The samples as they arrive over an A-law E1 channel.
pub fn through_alaw(samples: &[i16]) -> Vec<i16> {
    samples.iter().map(|&x| alaw_to_linear(linear_to_alaw(x))).collect()
}

/// Adds white noise at `level_dbm0`.
pub fn with_noise(mut samples: Vec<i16>, seed: u64, level_dbm0: f64) -> Vec<i16> {
    WhiteNoise::new(seed, level_dbm0).add_to(&mut samples);
    samples
}

/// All events of a fresh default DTMF receiver over `samples`, fed in 160-sample blocks.
pub fn dtmf_events(samples: &[i16]) -> Vec<DtmfEvent> {
    dtmf_events_with(samples, DtmfConfig::default())
}

pub fn dtmf_events_with(samples: &[i16], config: DtmfConfig) -> Vec<DtmfEvent> {
    let mut detector = DtmfDetector::new(config);
    let mut events = Vec::new();
    for block in samples.chunks(160) {
        detector.process(block, |e| events.push(e));
    }
    events
}

/// The digits whose start was reported.
pub fn started(events: &[DtmfEvent]) -> String {
    events.iter().filter(|e| e.kind == ToneEdge::Start).map(|e| e.digit).collect()
}

/// All events of a fresh default R2 receiver for `direction`.
pub fn r2_events(direction: R2Direction, samples: &[i16]) -> Vec<R2Event> {
    r2_events_with(direction, samples, R2Config::default())
}

pub fn r2_events_with(direction: R2Direction, samples: &[i16], config: R2Config) -> Vec<R2Event> {
    let mut detector = R2Detector::new(direction, config);
    let mut events = Vec::new();
    for block in samples.chunks(160) {
        detector.process(block, |e| events.push(e));
    }
    events
}

/// Signal numbers whose start was reported.
pub fn r2_started(events: &[R2Event]) -> Vec<u8> {
    events.iter().filter(|e| e.kind == ToneEdge::Start).map(|e| e.code).collect()
}

/// Frequency moved by `percent` % plus `hz`.
pub fn deviate(freq: f32, percent: f32, hz: f32) -> f32 {
    freq * (1.0 + percent / 100.0) + hz
}
