//! Connect-tone detection: CNG, ANS, ANS/, ANSam, ANSam/ and the V.21 preamble, swept
//! around every limit of T.30, V.25 and V.8 (accept inside, reject outside).

use tdm_dsp::fax::generate::FaxToneSpec;
use tdm_dsp::fax::v21::{hdlc_flag_bits, octet_bits};
use tdm_dsp::fax::{
    FaxEvent, FaxTone, FaxToneDetector, FaxToneGenerator, RejectReason, V21Modulator, process_batch,
};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_dsp::noise::WhiteNoise;

const MS: u64 = 8;

/// `spec` rendered after `lead_ms` of silence, `total_ms` long.
fn render(spec: FaxToneSpec, lead_ms: u64, total_ms: u64) -> Vec<i16> {
    let mut out = vec![0i16; (total_ms * MS) as usize];
    FaxToneGenerator::new(spec).fill(&mut out[(lead_ms * MS) as usize..]);
    out
}

/// White noise at `noise_dbm0` added, then the A-law round trip a trunk applies.
fn on_trunk(signal: &[i16], noise_dbm0: f64, seed: u64) -> Vec<i16> {
    let mut noisy = signal.to_vec();
    WhiteNoise::new(seed, noise_dbm0).add_to(&mut noisy);
    noisy.iter().map(|&x| alaw_to_linear(linear_to_alaw(x))).collect()
}

fn detect(samples: &[i16]) -> Vec<FaxEvent> {
    let mut detector = FaxToneDetector::new();
    let mut events = Vec::new();
    for block in samples.chunks(160) {
        detector.process(block, |e| events.push(e));
    }
    detector.finish(|e| events.push(e));
    events
}

/// The final (`Ended` or `Rejected`) events only.
fn outcomes(samples: &[i16]) -> Vec<FaxEvent> {
    detect(samples).into_iter().filter(|e| !matches!(e, FaxEvent::Recognized { .. })).collect()
}

fn cng() -> FaxToneSpec {
    FaxToneSpec::standard(FaxTone::Cng).unwrap()
}

fn ans(tone: FaxTone) -> FaxToneSpec {
    FaxToneSpec::standard(tone).unwrap()
}

#[test]
fn cng_bursts_are_reported_with_exact_times() {
    let events = outcomes(&render(cng(), 200, 8000));
    assert_eq!(
        events,
        [
            FaxEvent::Ended { tone: FaxTone::Cng, start: 1600, end: 5600 },
            FaxEvent::Ended { tone: FaxTone::Cng, start: 29_600, end: 33_600 },
            FaxEvent::Ended { tone: FaxTone::Cng, start: 57_600, end: 61_600 },
        ]
    );
}

#[test]
fn cng_frequency_limit_is_38_hz() {
    for offset in [-38i64, -20, 0, 20, 38] {
        let spec = FaxToneSpec { freq_mhz: (1_100_000 + offset * 1000) as u64, off_ms: 0, ..cng() };
        let events = outcomes(&render(spec, 200, 1000));
        assert_eq!(events, [FaxEvent::Ended { tone: FaxTone::Cng, start: 1600, end: 5600 }], "{offset} Hz");
    }
    for offset in [-100i64, -60, -50, 50, 60, 100, 200] {
        let spec = FaxToneSpec { freq_mhz: (1_100_000 + offset * 1000) as u64, off_ms: 0, ..cng() };
        assert_eq!(outcomes(&render(spec, 200, 1000)), [], "{offset} Hz");
    }
}

#[test]
fn cng_on_time_limits_are_500_ms_plus_minus_15_percent() {
    for on_ms in [425u32, 575] {
        let spec = FaxToneSpec { on_ms, off_ms: 0, ..cng() };
        let end = 1600 + u64::from(on_ms) * MS;
        assert_eq!(
            outcomes(&render(spec, 200, 1000)),
            [FaxEvent::Ended { tone: FaxTone::Cng, start: 1600, end }]
        );
    }
    for (on_ms, reason) in [(400u32, RejectReason::TooShort), (600, RejectReason::TooLong)] {
        let spec = FaxToneSpec { on_ms, off_ms: 0, ..cng() };
        let end = 1600 + u64::from(on_ms) * MS;
        assert_eq!(
            outcomes(&render(spec, 200, 1000)),
            [FaxEvent::Rejected { tone: FaxTone::Cng, start: 1600, end, reason }],
            "{on_ms} ms"
        );
    }
}

#[test]
fn cng_off_time_limit_is_3_s_minus_15_percent() {
    let second_start = |off_ms: u64| 1600 + (500 + off_ms) * MS;
    let spec = FaxToneSpec { off_ms: 2550, ..cng() };
    let start = second_start(2550);
    assert_eq!(
        outcomes(&render(spec, 200, 4000)),
        [
            FaxEvent::Ended { tone: FaxTone::Cng, start: 1600, end: 5600 },
            FaxEvent::Ended { tone: FaxTone::Cng, start, end: start + 4000 },
        ]
    );
    let spec = FaxToneSpec { off_ms: 2400, ..cng() };
    let start = second_start(2400);
    assert_eq!(
        outcomes(&render(spec, 200, 4000)),
        [
            FaxEvent::Ended { tone: FaxTone::Cng, start: 1600, end: 5600 },
            FaxEvent::Rejected {
                tone: FaxTone::Cng,
                start,
                end: start + 4000,
                reason: RejectReason::OffCadence
            },
        ]
    );
}

#[test]
fn cng_level_limit_is_minus_43_dbm0() {
    for level_dbm0 in [0, -20, -40] {
        let spec = FaxToneSpec { level_dbm0, off_ms: 0, ..cng() };
        assert_eq!(outcomes(&render(spec, 200, 1000)).len(), 1, "{level_dbm0} dBm0");
    }
    for level_dbm0 in [-46, -50] {
        let spec = FaxToneSpec { level_dbm0, off_ms: 0, ..cng() };
        assert_eq!(outcomes(&render(spec, 200, 1000)), [], "{level_dbm0} dBm0");
    }
}

#[test]
fn cng_in_noise() {
    // −11 dBm0 tone: 10 dB SNR is found to within a phasor, −5 dB SNR is not found.
    let signal = render(cng(), 200, 3000);
    let events = outcomes(&on_trunk(&signal, -21.0, 1));
    let [FaxEvent::Ended { tone: FaxTone::Cng, start, end }] = events[..] else { panic!("{events:?}") };
    assert!(start.abs_diff(1600) <= 40 && end.abs_diff(5600) <= 40, "{events:?}");
    assert_eq!(outcomes(&on_trunk(&signal, -6.0, 2)), []);
    // Noise alone (at any level) is never a tone.
    assert_eq!(detect(&on_trunk(&vec![0; 80_000], -20.0, 3)), []);
}

#[test]
fn answer_tones_are_told_apart_and_timed() {
    for tone in [FaxTone::Ans, FaxTone::AnsPr, FaxTone::AnsAm, FaxTone::AnsAmPr] {
        let events = detect(&render(ans(tone), 200, 4000));
        assert_eq!(
            events,
            [
                FaxEvent::Recognized { tone, start: 1600 },
                FaxEvent::Ended { tone, start: 1600, end: 1600 + 3300 * MS }
            ],
            "{tone:?}"
        );
    }
}

#[test]
fn answer_tone_frequency_limit_is_15_hz() {
    for offset in [-15i64, -8, 8, 15] {
        let spec = FaxToneSpec { freq_mhz: (2_100_000 + offset * 1000) as u64, ..ans(FaxTone::AnsPr) };
        let events = outcomes(&render(spec, 200, 4000));
        assert_eq!(
            events,
            [FaxEvent::Ended { tone: FaxTone::AnsPr, start: 1600, end: 28_000 }],
            "{offset} Hz"
        );
    }
    for offset in [-60i64, -25, 25, 60, 150] {
        let spec = FaxToneSpec { freq_mhz: (2_100_000 + offset * 1000) as u64, ..ans(FaxTone::Ans) };
        assert_eq!(detect(&render(spec, 200, 4000)), [], "{offset} Hz");
    }
}

#[test]
fn answer_tone_duration_limits() {
    let ended = |tone, ms: u64| FaxEvent::Ended { tone, start: 1600, end: 1600 + ms * MS };
    let rejected =
        |tone, ms: u64, reason| FaxEvent::Rejected { tone, start: 1600, end: 1600 + ms * MS, reason };
    // V.25: 3.3 ± 0.7 s.
    for (ms, expected) in [
        (2600, ended(FaxTone::Ans, 2600)),
        (4000, ended(FaxTone::Ans, 4000)),
        (2500, rejected(FaxTone::Ans, 2500, RejectReason::TooShort)),
        (4100, rejected(FaxTone::Ans, 4100, RejectReason::TooLong)),
    ] {
        let spec = FaxToneSpec { on_ms: ms as u32, ..ans(FaxTone::Ans) };
        assert_eq!(outcomes(&render(spec, 200, ms + 500)), [expected], "ANS {ms} ms");
    }
    // V.8 sends ANSam for up to 5 ± 1 s.
    for (ms, expected) in [
        (5000, ended(FaxTone::AnsAmPr, 5000)),
        (6000, ended(FaxTone::AnsAmPr, 6000)),
        (6100, rejected(FaxTone::AnsAmPr, 6100, RejectReason::TooLong)),
        (2500, rejected(FaxTone::AnsAmPr, 2500, RejectReason::TooShort)),
    ] {
        let spec = FaxToneSpec { on_ms: ms as u32, ..ans(FaxTone::AnsAmPr) };
        assert_eq!(outcomes(&render(spec, 200, ms + 500)), [expected], "ANSam/ {ms} ms");
    }
}

#[test]
fn phase_reversals_every_450_plus_minus_25_ms() {
    for reversal_ms in [425u32, 450, 475] {
        let spec = FaxToneSpec { reversal_ms, ..ans(FaxTone::AnsPr) };
        assert_eq!(
            outcomes(&render(spec, 200, 4000)),
            [FaxEvent::Ended { tone: FaxTone::AnsPr, start: 1600, end: 28_000 }],
            "{reversal_ms} ms"
        );
    }
    for reversal_ms in [400u32, 500, 900] {
        let spec = FaxToneSpec { reversal_ms, ..ans(FaxTone::AnsPr) };
        assert_eq!(
            outcomes(&render(spec, 200, 4000)),
            [FaxEvent::Rejected {
                tone: FaxTone::AnsPr,
                start: 1600,
                end: 28_000,
                reason: RejectReason::BadReversals
            }],
            "{reversal_ms} ms"
        );
    }
}

#[test]
fn am_depth_separates_ansam_from_ans() {
    for (depth, tone) in [
        (0u32, FaxTone::Ans),
        (5, FaxTone::Ans),
        (15, FaxTone::AnsAm),
        (20, FaxTone::AnsAm),
        (25, FaxTone::AnsAm),
    ] {
        let spec = FaxToneSpec { am_depth_pct: depth, ..ans(FaxTone::Ans) };
        assert_eq!(
            outcomes(&render(spec, 200, 4000)),
            [FaxEvent::Ended { tone, start: 1600, end: 28_000 }],
            "{depth} %"
        );
    }
}

#[test]
fn answer_tone_level_limit_is_minus_43_dbm0() {
    let spec = FaxToneSpec { level_dbm0: -40, ..ans(FaxTone::AnsAmPr) };
    assert_eq!(
        outcomes(&render(spec, 200, 4000)),
        [FaxEvent::Ended { tone: FaxTone::AnsAmPr, start: 1600, end: 28_000 }]
    );
    let spec = FaxToneSpec { level_dbm0: -46, ..ans(FaxTone::AnsAmPr) };
    assert_eq!(detect(&render(spec, 200, 4000)), []);
}

#[test]
fn answer_tones_in_noise_keep_their_labels() {
    // −12 dBm0 tones with noise at −27 dBm0 (15 dB SNR), through A-law.
    for (seed, tone) in
        [FaxTone::Ans, FaxTone::AnsPr, FaxTone::AnsAm, FaxTone::AnsAmPr].into_iter().enumerate()
    {
        let events = outcomes(&on_trunk(&render(ans(tone), 200, 4000), -27.0, seed as u64));
        let [FaxEvent::Ended { tone: found, start, end }] = events[..] else {
            panic!("{tone:?}: {events:?}")
        };
        assert_eq!(found, tone);
        assert!(start.abs_diff(1600) <= 40 && end.abs_diff(28_000) <= 40, "{tone:?}: {events:?}");
    }
}

/// V.21 flags then three octets of frame, after `lead` samples of silence.
fn preamble(lead: usize, flags: usize, level_dbm0: i32) -> Vec<i16> {
    let mut out = vec![0i16; lead];
    V21Modulator::new(level_dbm0)
        .modulate(hdlc_flag_bits(flags).chain(octet_bits([0xFF, 0x13, 0x80])), |x| out.push(x));
    out.extend(std::iter::repeat_n(0, 800));
    out
}

#[test]
fn v21_preamble_is_found_with_its_times() {
    for lead in [0usize, 13, 1000] {
        let events = detect(&preamble(lead, 40, -13));
        // 40 flags are 320 bits of 26⅔ samples.
        let (start, end) = (lead as u64, lead as u64 + 8533);
        let [
            FaxEvent::Recognized { tone: FaxTone::V21Preamble, start: s1 },
            FaxEvent::Ended { tone: FaxTone::V21Preamble, start: s2, end: e2 },
        ] = events[..]
        else {
            panic!("{events:?}")
        };
        assert_eq!(s1, s2);
        assert!(s1.abs_diff(start) <= 3 && e2.abs_diff(end) <= 3, "lead {lead}: {events:?}");
    }
}

#[test]
fn v21_needs_five_flags_and_signal() {
    assert_eq!(detect(&preamble(100, 5, -13)).len(), 2);
    assert_eq!(detect(&preamble(100, 4, -13)), []);
    // Octets that are not flags: a frame body alone.
    let mut body = Vec::new();
    V21Modulator::new(-13)
        .modulate(octet_bits((0..60u8).map(|i| i.wrapping_mul(37) | 0x81)), |x| body.push(x));
    assert_eq!(detect(&body), []);
    assert_eq!(detect(&preamble(100, 40, -40)).len(), 2);
    assert_eq!(detect(&preamble(100, 40, -46)), []);
}

#[test]
fn v21_preamble_in_noise() {
    // −13 dBm0 flags, noise at −28 dBm0 (15 dB SNR), A-law.
    let events = detect(&on_trunk(&preamble(800, 40, -13), -28.0, 11));
    let [FaxEvent::Recognized { .. }, FaxEvent::Ended { tone: FaxTone::V21Preamble, start, end }] =
        events[..]
    else {
        panic!("{events:?}")
    };
    assert!(start.abs_diff(800) <= 30 && end.abs_diff(800 + 8533) <= 30, "{events:?}");
}

#[test]
fn batch_equals_one_channel_at_a_time() {
    let signals = [render(cng(), 200, 4000), render(ans(FaxTone::AnsAmPr), 100, 4000), preamble(0, 120, -13)];
    let len = signals.iter().map(Vec::len).min().unwrap_or(0) / 160 * 160;
    let mut detectors = vec![FaxToneDetector::new(); 3];
    let mut batched: Vec<Vec<FaxEvent>> = vec![Vec::new(); 3];
    for offset in (0..len).step_by(160) {
        let blocks: Vec<&[i16]> = signals.iter().map(|s| &s[offset..offset + 160]).collect();
        process_batch(&mut detectors, &blocks, |channel, event| batched[channel].push(event));
    }
    for (channel, signal) in signals.iter().enumerate() {
        let mut alone = FaxToneDetector::new();
        let mut events = Vec::new();
        for block in signal[..len].chunks(160) {
            alone.process(block, |e| events.push(e));
        }
        assert_eq!(batched[channel], events, "channel {channel}");
        assert!(!events.is_empty(), "channel {channel} found nothing");
    }
}
