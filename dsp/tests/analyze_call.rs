//! Whole-signal analysis of a recorded call: dialling, register signalling, ringback, a voice
//! answer, then a fax machine; every detector's findings in one ordered list.

use tdm_dsp::analyze::{Detection, DetectionKind, analyze};
use tdm_dsp::fax::generate::FaxToneSpec;
use tdm_dsp::fax::{FaxTone, FaxToneGenerator};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_dsp::noise::WhiteNoise;
use tdm_dsp::progress::{CHINA, ETSI, ProgressToneGenerator};
use tdm_dsp::r2mf::R2Direction;
use tdm_dsp::tonegen::{DtmfGenerator, DtmfGeneratorConfig, R2_DEFAULT_LEVEL_DBM0, R2Generator};

const MS: usize = 8;

/// Appends `ms` of whatever `fill` writes.
fn push(signal: &mut Vec<i16>, ms: usize, fill: impl FnOnce(&mut [i16])) {
    let start = signal.len();
    signal.resize(start + ms * MS, 0);
    fill(&mut signal[start..]);
}

fn speech(n: usize) -> Vec<i16> {
    let path = format!("{}/tests/data/answer_speech_{n}.alaw", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .iter()
        .map(|&c| alaw_to_linear(c))
        .collect()
}

fn d(kind: DetectionKind, label: &str, start_ms: u64, end_ms: u64) -> (DetectionKind, String, u64, u64) {
    (kind, label.to_string(), start_ms, end_ms)
}

fn summary(found: &[Detection]) -> Vec<(DetectionKind, String, u64, u64)> {
    found.iter().map(|f| (f.kind, f.label.clone(), f.start_ms(), f.end_ms())).collect()
}

/// A call as a trunk recorder would hold it.
fn call() -> Vec<i16> {
    let mut signal = Vec::new();
    push(&mut signal, 300, |_| {});
    // The caller dials 8, 6 (DTMF, 80 ms on, 80 ms off).
    let config = DtmfGeneratorConfig { on_ms: 80, off_ms: 80, ..DtmfGeneratorConfig::default() };
    push(&mut signal, 320, |out| {
        let mut dtmf = DtmfGenerator::new(config);
        dtmf.send("86").unwrap();
        dtmf.generate(out);
    });
    // Register signalling: forward 3 answered by backward 1 (compelled, 120 ms each).
    for (direction, code) in [(R2Direction::Forward, 3), (R2Direction::Backward, 1)] {
        push(&mut signal, 240, |out| {
            let mut r2 = R2Generator::new(direction, R2_DEFAULT_LEVEL_DBM0);
            r2.pulse(code, 120).unwrap();
            r2.generate(out);
        });
    }
    push(&mut signal, 500, |_| {});
    // Ringback: two bursts.
    push(&mut signal, 7000, |out| ProgressToneGenerator::new(CHINA.tone("ringback").unwrap()).fill(out));
    // Answered by a voice.
    signal.extend(speech(2));
    push(&mut signal, 1000, |_| {});
    // Then a fax machine: CED.
    push(&mut signal, 3500, |out| {
        FaxToneGenerator::new(FaxToneSpec::standard(FaxTone::Ans).unwrap()).fill(out)
    });
    push(&mut signal, 500, |_| {});
    // Line noise at −60 dBm0 and A-law, as recorded.
    WhiteNoise::new(1, -60.0).add_to(&mut signal);
    signal.iter().map(|&x| alaw_to_linear(linear_to_alaw(x))).collect()
}

#[test]
fn a_whole_call_is_listed_in_order() {
    let samples = call();
    let found = analyze(&samples, &CHINA).unwrap();
    let total_ms = (samples.len() / MS) as u64;
    assert_eq!(
        summary(&found),
        [
            d(DetectionKind::Dtmf, "8", 300, 380),
            d(DetectionKind::Dtmf, "6", 460, 540),
            d(DetectionKind::R2Forward, "3", 620, 740),
            d(DetectionKind::R2Backward, "1", 860, 980),
            // Bursts at 1.6 s and 6.6 s.
            d(DetectionKind::CallProgress, "ringback", 1600, 7600),
            // The utterance starts 10 ms into the clip at 8.6 s.
            d(DetectionKind::Answer, "voice", 8610, total_ms),
            // CED 1 s after the 4.28 s utterance, dated on the 5 ms grid.
            d(DetectionKind::Fax, "ans", 13_875, 17_175),
        ]
    );
}

#[test]
fn the_plan_decides_what_call_progress_means() {
    // Busy in China is 350/350 ms, in Europe 500/500 ms: each plan knows only its own, even
    // though 450 Hz is inside the tolerance of the European 425 Hz.
    for (tone_plan, other_plan) in [(&CHINA, &ETSI), (&ETSI, &CHINA)] {
        let mut samples = vec![0i16; 4000 * MS];
        ProgressToneGenerator::new(tone_plan.tone("busy").unwrap()).fill(&mut samples);
        let busy = |plan| -> Vec<String> {
            analyze(&samples, plan)
                .unwrap()
                .into_iter()
                .filter(|f| f.kind == DetectionKind::CallProgress)
                .map(|f| f.label)
                .collect()
        };
        assert_eq!(busy(tone_plan), ["busy"], "{} busy", tone_plan.name);
        assert_eq!(
            busy(other_plan),
            Vec::<String>::new(),
            "{} busy under {}",
            tone_plan.name,
            other_plan.name
        );
    }
}

#[test]
fn silence_is_reported_after_five_seconds() {
    let mut samples = vec![0i16; 7 * 8000];
    WhiteNoise::new(2, -65.0).add_to(&mut samples);
    let found = analyze(&samples, &CHINA).unwrap();
    assert_eq!(summary(&found), [d(DetectionKind::Answer, "silence", 0, 7000)]);
    assert_eq!(analyze(&[], &CHINA).unwrap(), []);
}
