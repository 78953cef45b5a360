//! Call-progress tones: every tone of the China and ETSI plans generated from the table and
//! detected back, cadence confusion, and sweeps of frequency, level, cadence timing and noise
//! around each limit (accept inside, reject outside).

use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_dsp::noise::WhiteNoise;
use tdm_dsp::progress::{
    CHINA, Cadence, ETSI, ProgressDetector, ProgressEvent, ProgressToneGenerator, Segment, TonePlan, ToneSpec,
};

const MS: u64 = 8;

/// (tone name, start, end) of every tone found, in samples.
fn detect(plan: &TonePlan<'_>, samples: &[i16]) -> Vec<(String, u64, u64)> {
    let detector = ProgressDetector::new(plan).unwrap();
    let mut state = detector.new_state();
    let mut found = Vec::new();
    let mut started = Vec::new();
    let mut on_event = |event: ProgressEvent| match event {
        ProgressEvent::Started { tone, start } => started.push((tone, start)),
        ProgressEvent::Ended { tone, start, end } => {
            found.push((plan.tones[tone].name.to_string(), start, end))
        }
    };
    for block in samples.chunks(160) {
        detector.process(&mut state, block, &mut on_event);
    }
    detector.finish(&mut state, &mut on_event);
    // Every end had its start, with the same start time.
    assert_eq!(started.len(), found.len(), "{started:?} {found:?}");
    found
}

/// `spec` played at `level_dbm0` after `lead_ms` of silence, `total_ms` in all.
fn play(spec: &ToneSpec<'_>, level_dbm0: i32, lead_ms: u64, total_ms: u64) -> Vec<i16> {
    let mut out = vec![0i16; (total_ms * MS) as usize];
    ProgressToneGenerator::with_level(spec, level_dbm0).fill(&mut out[(lead_ms * MS) as usize..]);
    out
}

/// End of the last sounding segment that fits whole between `lead_ms` and `total_ms`.
fn last_sound_end(spec: &ToneSpec<'_>, lead_ms: u64, total_ms: u64) -> u64 {
    match spec.cadence {
        Cadence::Continuous { .. } => total_ms * MS,
        Cadence::Repeating { segments, .. } => {
            let mut at = lead_ms;
            let mut last = 0;
            for segment in segments.iter().cycle() {
                if at + u64::from(segment.ms) > total_ms {
                    break;
                }
                at += u64::from(segment.ms);
                if !segment.is_silence() {
                    last = at;
                }
            }
            last * MS
        }
    }
}

/// White noise at `noise_dbm0` added, then the A-law round trip a trunk applies.
fn on_trunk(signal: &[i16], noise_dbm0: f64, seed: u64) -> Vec<i16> {
    let mut noisy = signal.to_vec();
    WhiteNoise::new(seed, noise_dbm0).add_to(&mut noisy);
    noisy.iter().map(|&x| alaw_to_linear(linear_to_alaw(x))).collect()
}

#[test]
fn every_tone_of_both_plans_is_found_as_itself_with_its_times() {
    for plan in [&CHINA, &ETSI] {
        for spec in plan.tones {
            // Long enough for the ten-second reminder cycle, ending partway into a silence.
            let total = if spec.name == "reminder" { 22_000 } else { 12_050 };
            let samples = play(spec, i32::from(spec.level_dbm0), 300, total);
            let found = detect(plan, &samples);
            let expected = (spec.name.to_string(), 300 * MS, last_sound_end(spec, 300, total));
            assert_eq!(found, [expected], "{} {}", plan.name, spec.name);
        }
    }
}

#[test]
fn cadences_of_the_same_frequency_are_not_confused() {
    // Every 450 Hz tone of the China plan against the others: only itself is found.
    let names = ["dial", "busy", "ringback", "congestion", "vacant", "long-distance", "call-waiting"];
    for name in names {
        let spec = CHINA.tone(name).unwrap();
        let found: Vec<String> =
            detect(&CHINA, &play(spec, -10, 0, 15_000)).into_iter().map(|f| f.0).collect();
        assert_eq!(found, [name], "{name}");
    }
}

/// A one-tone plan with `spec` swapped in, detected with the China plan's thresholds.
fn china_tone_with(name: &str, segments: &[Segment]) -> ToneSpec<'static> {
    let original = CHINA.tone(name).unwrap();
    let segments: &'static [Segment] = Box::leak(segments.to_vec().into_boxed_slice());
    let cycles = match original.cadence {
        Cadence::Repeating { cycles, .. } => cycles,
        Cadence::Continuous { .. } => 1,
    };
    ToneSpec { cadence: Cadence::Repeating { segments, cycles }, ..*original }
}

fn busy_found(samples: &[i16]) -> bool {
    let found = detect(&CHINA, samples);
    assert!(found.iter().all(|f| f.0 == "busy"), "{found:?}");
    !found.is_empty()
}

#[test]
fn busy_frequency_tolerance() {
    for freq in [410u16, 425, 440, 450, 460, 475, 490] {
        let spec = china_tone_with("busy", &[Segment::tone(freq, 350), Segment::silence(350)]);
        assert!(busy_found(&play(&spec, -10, 0, 4000)), "{freq} Hz refused");
    }
    for freq in [380u16, 405, 495, 520, 600] {
        let spec = china_tone_with("busy", &[Segment::tone(freq, 350), Segment::silence(350)]);
        assert!(!busy_found(&play(&spec, -10, 0, 4000)), "{freq} Hz accepted");
    }
}

#[test]
fn busy_level_limit_is_minus_40_dbm0() {
    let spec = CHINA.tone("busy").unwrap();
    for level in [3, 0, -10, -20, -36] {
        assert!(busy_found(&play(spec, level, 0, 4000)), "{level} dBm0 refused");
    }
    for level in [-44, -50] {
        assert!(!busy_found(&play(spec, level, 0, 4000)), "{level} dBm0 accepted");
    }
}

#[test]
fn cadence_limits_are_ten_percent_plus_one_block() {
    // Busy 350/350: accepted from 315 to 385 ms, refused at 290 and 410 ms.
    for (on, off) in [(315, 350), (385, 350), (350, 315), (350, 385), (320, 380)] {
        let spec = china_tone_with("busy", &[Segment::tone(450, on), Segment::silence(off)]);
        assert!(busy_found(&play(&spec, -10, 0, 4000)), "{on}/{off} refused");
    }
    for (on, off) in [(290, 350), (410, 350), (350, 290), (350, 410)] {
        let spec = china_tone_with("busy", &[Segment::tone(450, on), Segment::silence(off)]);
        assert!(!busy_found(&play(&spec, -10, 0, 4000)), "{on}/{off} accepted");
    }
    // Ringback 1000/4000: 900 and 1100 ms accepted, 860 and 1140 ms refused.
    let ringback = |on: u32| {
        let spec = china_tone_with("ringback", &[Segment::tone(450, on), Segment::silence(4000)]);
        detect(&CHINA, &play(&spec, -10, 0, 11_000)).into_iter().map(|f| f.0).collect::<Vec<_>>()
    };
    assert_eq!(ringback(900), ["ringback"]);
    assert_eq!(ringback(1100), ["ringback"]);
    assert_eq!(ringback(860), Vec::<String>::new());
    assert_eq!(ringback(1140), Vec::<String>::new());
    // Vacant number's 100 ms pips: 90 and 110 accepted, 70 and 130 refused.
    let vacant = |pip: u32| {
        let pips = [
            Segment::tone(450, pip),
            Segment::silence(pip),
            Segment::tone(450, pip),
            Segment::silence(pip),
            Segment::tone(450, pip),
            Segment::silence(pip),
            Segment::tone(450, 400),
            Segment::silence(400),
        ];
        let spec = china_tone_with("vacant", &pips);
        detect(&CHINA, &play(&spec, -10, 0, 4000)).into_iter().map(|f| f.0).collect::<Vec<_>>()
    };
    assert_eq!(vacant(90), ["vacant"]);
    assert_eq!(vacant(110), ["vacant"]);
    assert_eq!(vacant(70), Vec::<String>::new());
    assert_eq!(vacant(130), Vec::<String>::new());
}

#[test]
fn busy_in_noise() {
    let spec = CHINA.tone("busy").unwrap();
    let clean = play(spec, -10, 200, 4000);
    // 15 dB SNR through A-law: found, edges within one block.
    let found = detect(&CHINA, &on_trunk(&clean, -25.0, 5));
    let [(ref name, start, end)] = found[..] else { panic!("{found:?}") };
    assert_eq!(name, "busy");
    assert!(
        start.abs_diff(200 * MS) <= 80 && end.abs_diff(last_sound_end(spec, 200, 4000)) <= 80,
        "{found:?}"
    );
    // 0 dB SNR: the tone drowns.
    assert_eq!(detect(&CHINA, &on_trunk(&clean, -10.0, 6)), []);
    // Noise alone.
    assert_eq!(detect(&CHINA, &on_trunk(&vec![0; 80_000], -30.0, 7)), []);
}

#[test]
fn speech_does_not_make_call_progress_tones() {
    // Talk-off: eight utterances, with the pitch harmonics that land on 450 Hz now and then.
    for n in 1..=8 {
        let path = format!("{}/tests/data/answer_speech_{n}.alaw", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let samples: Vec<i16> = bytes.iter().map(|&c| alaw_to_linear(c)).collect();
        assert_eq!(detect(&CHINA, &samples), [], "speech {n}");
        assert_eq!(detect(&ETSI, &samples), [], "speech {n}");
    }
}

#[test]
fn another_country_is_another_table() {
    // A North-American-style plan: dual-frequency tones, no code involved.
    const US: TonePlan<'static> = TonePlan {
        name: "us",
        min_level_dbm0: -40,
        tones: &[
            ToneSpec {
                name: "dial",
                level_dbm0: -13,
                cadence: Cadence::Continuous { freqs_hz: [350, 440], min_ms: 2500 },
                tolerance_pct: 10,
            },
            ToneSpec {
                name: "ringback",
                level_dbm0: -19,
                cadence: Cadence::Repeating {
                    segments: &[Segment::dual(440, 480, 2000), Segment::silence(4000)],
                    cycles: 1,
                },
                tolerance_pct: 10,
            },
            ToneSpec {
                name: "busy",
                level_dbm0: -24,
                cadence: Cadence::Repeating {
                    segments: &[Segment::dual(480, 620, 500), Segment::silence(500)],
                    cycles: 2,
                },
                tolerance_pct: 10,
            },
            ToneSpec {
                name: "reorder",
                level_dbm0: -24,
                cadence: Cadence::Repeating {
                    segments: &[Segment::dual(480, 620, 250), Segment::silence(250)],
                    cycles: 2,
                },
                tolerance_pct: 10,
            },
        ],
    };
    for spec in US.tones {
        let found: Vec<String> = detect(&US, &play(spec, i32::from(spec.level_dbm0), 0, 12_000))
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(found, [spec.name], "{}", spec.name);
    }
    // A single 480 Hz tone with the busy cadence is not the dual-tone busy.
    let half = ToneSpec {
        cadence: Cadence::Repeating {
            segments: &[Segment::tone(480, 500), Segment::silence(500)],
            cycles: 2,
        },
        ..US.tones[2]
    };
    assert_eq!(detect(&US, &play(&half, -24, 0, 5000)), []);
}

#[test]
fn batch_equals_one_channel_at_a_time() {
    let detector = ProgressDetector::new(&CHINA).unwrap();
    let signals: Vec<Vec<i16>> = ["busy", "congestion", "vacant"]
        .iter()
        .map(|n| play(CHINA.tone(n).unwrap(), -10, 100, 6000))
        .collect();
    let mut states = vec![detector.new_state(); 3];
    let mut batched = vec![Vec::new(); 3];
    for offset in (0..48_000).step_by(160) {
        let blocks: Vec<&[i16]> = signals.iter().map(|s| &s[offset..offset + 160]).collect();
        detector.process_batch(&mut states, &blocks, |channel, event| batched[channel].push(event));
    }
    for (channel, signal) in signals.iter().enumerate() {
        let mut state = detector.new_state();
        let mut alone = Vec::new();
        for block in signal.chunks(160) {
            detector.process(&mut state, block, |e| alone.push(e));
        }
        assert_eq!(batched[channel], alone);
        assert_eq!(alone.len(), 1, "{alone:?}");
    }
}
