//! DTMF receiver conformance sweeps (Q.24): every limit of `tdm_dsp::dtmf`'s table, accepted on
//! one side and rejected on the other, on signals that went through A-law.

mod dtmf_support;

use dtmf_support::*;
use tdm_dsp::dtmf::{DTMF_HIGH_HZ, DTMF_KEYPAD, DTMF_LOW_HZ, DtmfConfig, DtmfDetector, dtmf_frequencies};
use tdm_dsp::edge::ToneEdge;

const DIGITS: &str = "123A456B789C*0#D";
const LEAD: usize = 203;

/// One digit with its tones at `(low Hz, low dBm0)` and `(high Hz, high dBm0)`, 60 ms, over
/// A-law, optionally with noise; returns the digits reported.
fn hear(low: (f32, f32), high: (f32, f32), on_ms: usize, noise_dbm0: Option<f64>) -> String {
    let mut signal = burst(low.0, low.1, high.0, high.1, LEAD, on_ms * MS, 600);
    if let Some(level) = noise_dbm0 {
        signal = with_noise(signal, (low.0 * 7.0 + high.0) as u64, level);
    }
    started(&dtmf_events(&through_alaw(&signal)))
}

fn for_every_digit(mut check: impl FnMut(char, f32, f32)) {
    for digit in DIGITS.chars() {
        let (low, high) = dtmf_frequencies(digit).unwrap();
        check(digit, low, high);
    }
}

/// ±(1.5 % + 2 Hz) accepted for each tone, at nominal level, at the minimum level, and at
/// the twist limits; ±3.5 % and beyond rejected.
#[test]
fn frequency_deviation_accept_and_reject() {
    let accept = [(-1.5f32, -2.0f32), (1.5, 2.0), (-1.0, 0.0), (1.0, 0.0)];
    let reject = [(-3.5f32, 0.0f32), (3.5, 0.0), (-4.5, 0.0), (4.5, 0.0), (-7.0, 0.0), (7.0, 0.0)];
    // (low dBm0, high dBm0): nominal, minimum level, normal twist 8 dB, reverse twist 4 dB.
    let levels = [(-10.0f32, -10.0f32), (-36.0, -36.0), (-20.0, -28.0), (-28.0, -24.0)];
    for_every_digit(|digit, low, high| {
        for &(l_low, l_high) in &levels {
            for &(pct, hz) in &accept {
                let got = hear((deviate(low, pct, hz), l_low), (high, l_high), 60, None);
                assert_eq!(got, digit.to_string(), "{digit}: low {pct:+}%{hz:+} Hz at {l_low}/{l_high} dBm0");
                let got = hear((low, l_low), (deviate(high, pct, hz), l_high), 60, None);
                assert_eq!(
                    got,
                    digit.to_string(),
                    "{digit}: high {pct:+}%{hz:+} Hz at {l_low}/{l_high} dBm0"
                );
            }
            // Both tones at the edge, same and opposite directions.
            for (sl, sh) in [(1.0f32, 1.0f32), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
                let got = hear(
                    (deviate(low, 1.5 * sl, 2.0 * sl), l_low),
                    (deviate(high, 1.5 * sh, 2.0 * sh), l_high),
                    60,
                    None,
                );
                assert_eq!(got, digit.to_string(), "{digit}: both at edge {sl}/{sh}, {l_low}/{l_high} dBm0");
            }
        }
        for &(pct, hz) in &reject {
            for &(l_low, l_high) in &levels[..2] {
                let got = hear((deviate(low, pct, hz), l_low), (high, l_high), 60, None);
                assert!(!got.contains(digit), "{digit}: low {pct:+}% must be rejected, got {got:?}");
                let got = hear((low, l_low), (deviate(high, pct, hz), l_high), 60, None);
                assert!(!got.contains(digit), "{digit}: high {pct:+}% must be rejected, got {got:?}");
            }
        }
    });
}

/// Tones far between the DTMF frequencies never make any digit.
#[test]
fn off_grid_frequencies_make_no_digit() {
    let mut heard = String::new();
    for low in [650.0f32, 733.0, 811.0, 896.0, 990.0] {
        for high in [1150.0f32, 1272.0, 1406.0, 1555.0, 1720.0] {
            heard += &hear((low, -10.0), (high, -10.0), 60, None);
        }
    }
    assert_eq!(heard, "");
}

/// −36 ..= −3 dBm0 per tone accepted; −45 dBm0 and below rejected.
#[test]
fn level_accept_and_reject() {
    for_every_digit(|digit, low, high| {
        for level in [-36.0f32, -33.0, -25.0, -15.0, -6.0, -3.0] {
            assert_eq!(
                hear((low, level), (high, level), 60, None),
                digit.to_string(),
                "{digit} at {level} dBm0"
            );
        }
        for level in [-45.0f32, -48.0, -55.0] {
            assert_eq!(hear((low, level), (high, level), 60, None), "", "{digit} at {level} dBm0");
        }
        // One tone above, one below the limit.
        assert_eq!(hear((low, -20.0), (high, -46.0), 60, None), "", "{digit} weak high tone");
        assert_eq!(hear((low, -46.0), (high, -20.0), 60, None), "", "{digit} weak low tone");
    });
}

/// Normal twist (low tone stronger) ≤ 8 dB and reverse twist (high tone stronger) ≤ 4 dB
/// accepted; normal ≥ 12 dB and reverse ≥ 8 dB rejected.
#[test]
fn twist_accept_and_reject() {
    for_every_digit(|digit, low, high| {
        for normal in [0.0f32, 4.0, 8.0] {
            assert_eq!(
                hear((low, -12.0), (high, -12.0 - normal), 60, None),
                digit.to_string(),
                "{digit} normal {normal}"
            );
        }
        for reverse in [2.0f32, 4.0] {
            assert_eq!(
                hear((low, -14.0 - reverse), (high, -14.0), 60, None),
                digit.to_string(),
                "{digit} reverse {reverse}"
            );
        }
        for normal in [12.0f32, 14.0, 20.0] {
            assert_eq!(hear((low, -6.0), (high, -6.0 - normal), 60, None), "", "{digit} normal {normal}");
        }
        for reverse in [8.0f32, 10.0, 16.0] {
            assert_eq!(hear((low, -6.0 - reverse), (high, -6.0), 60, None), "", "{digit} reverse {reverse}");
        }
    });
}

/// Tones of 40 ms and more are digits; 23 ms and less are not, wherever the tone falls
/// against the receiver's 6 ms sub-blocks.
#[test]
fn duration_accept_and_reject() {
    for digit in "1590#D".chars() {
        let (low, high) = dtmf_frequencies(digit).unwrap();
        for lead in (0..48).step_by(7) {
            for on_ms in [40usize, 42, 50] {
                let signal = burst(low, -10.0, high, -10.0, 160 + lead, on_ms * MS, 600);
                assert_eq!(
                    started(&dtmf_events(&through_alaw(&signal))),
                    digit.to_string(),
                    "{digit} {on_ms} ms +{lead}"
                );
            }
            for on_ms in [10usize, 15, 20, 23] {
                let signal = burst(low, -10.0, high, -10.0, 160 + lead, on_ms * MS, 600);
                assert_eq!(started(&dtmf_events(&through_alaw(&signal))), "", "{digit} {on_ms} ms +{lead}");
            }
        }
    }
}

/// A pause of 40 ms or more separates two equal digits; a gap of 20 ms or less is bridged.
#[test]
fn pause_accept_and_bridge() {
    for digit in "1590#D".chars() {
        let (low, high) = dtmf_frequencies(digit).unwrap();
        for lead in (0..48).step_by(11) {
            for (gap_ms, expected) in [(40usize, 2usize), (45, 2), (60, 2), (5, 1), (10, 1), (15, 1), (20, 1)]
            {
                let mut signal = vec![0i16; 100 + lead];
                signal.extend(two_tones(low, -10.0, high, -10.0, 50 * MS));
                signal.extend(vec![0i16; gap_ms * MS]);
                signal.extend(two_tones(low, -10.0, high, -10.0, 50 * MS));
                signal.extend(vec![0i16; 600]);
                let events = dtmf_events(&through_alaw(&signal));
                assert_eq!(started(&events).len(), expected, "{digit} gap {gap_ms} ms +{lead}: {events:?}");
                assert_eq!(events.len(), 2 * expected);
            }
        }
    }
}

/// White noise 15 dB below the DTMF power loses nothing, at every level down to −30 dBm0
/// per tone; noise alone gives nothing.
#[test]
fn noise_accept_and_noise_alone() {
    for_every_digit(|digit, low, high| {
        for level in [-10.0f32, -20.0, -30.0] {
            // DTMF power is level + 3 dB; noise 15 dB below that.
            let noise = f64::from(level) + 3.0 - 15.0;
            assert_eq!(
                hear((low, level), (high, level), 60, Some(noise)),
                digit.to_string(),
                "{digit} {level} dBm0 in noise"
            );
        }
        // At the frequency edge and 15 dB SNR too.
        let got = hear((deviate(low, 1.5, 2.0), -20.0), (deviate(high, -1.5, -2.0), -20.0), 60, Some(-32.0));
        assert_eq!(got, digit.to_string(), "{digit} at the edge in noise");
    });
    for level in [-50.0f64, -30.0, -15.0, -5.0] {
        let noise = with_noise(vec![0i16; 8000 * 5], level.abs() as u64 + 99, level);
        assert_eq!(started(&dtmf_events(&through_alaw(&noise))), "", "noise at {level} dBm0");
    }
}

/// A third tone in a group within 6 dB of the digit's tone spoils it; 10 dB down it does not.
#[test]
fn third_tone_in_a_group() {
    for (row, keys) in DTMF_KEYPAD.iter().enumerate() {
        for (col, &digit) in keys.iter().enumerate() {
            let (low, high) = (DTMF_LOW_HZ[row], DTMF_HIGH_HZ[col]);
            let other_low = DTMF_LOW_HZ[(row + 2) % 4];
            let other_high = DTMF_HIGH_HZ[(col + 1) % 4];
            for (third, group) in [(other_low, "low"), (other_high, "high")] {
                let mut signal = burst(low, -12.0, high, -12.0, LEAD, 60 * MS, 600);
                let mut extra = vec![0i16; LEAD];
                extra.extend(two_tones(third, -14.0, third, -99.0, 60 * MS));
                extra.resize(signal.len(), 0);
                for (s, e) in signal.iter_mut().zip(&extra) {
                    *s = s.saturating_add(*e);
                }
                assert_eq!(
                    started(&dtmf_events(&through_alaw(&signal))),
                    "",
                    "{digit} + {group} {third} Hz at 2 dB down"
                );

                let mut signal = burst(low, -12.0, high, -12.0, LEAD, 60 * MS, 600);
                let mut extra = vec![0i16; LEAD];
                extra.extend(two_tones(third, -22.0, third, -99.0, 60 * MS));
                extra.resize(signal.len(), 0);
                for (s, e) in signal.iter_mut().zip(&extra) {
                    *s = s.saturating_add(*e);
                }
                let got = started(&dtmf_events(&through_alaw(&signal)));
                assert_eq!(got, digit.to_string(), "{digit} + {group} {third} Hz at 10 dB down");
            }
        }
    }
}

/// Start and end samples are the tone's edges: exact for clean tones (the generator's first
/// sample is a zero crossing, so the first non-zero sample is `lead + 1`), within 4 samples
/// through A-law with noise 25 dB down.
#[test]
fn timestamps_are_sample_accurate() {
    for_every_digit(|digit, low, high| {
        for lead in [0usize, 5, 13, 24, 31, 47] {
            let on = 480 + lead * 3;
            let clean = burst(low, -10.0, high, -10.0, 400 + lead, on, 800);
            let events = dtmf_events(&clean);
            assert_eq!(events.len(), 2, "{digit} +{lead}: {events:?}");
            assert_eq!((events[0].kind, events[1].kind), (ToneEdge::Start, ToneEdge::End));
            assert!(events[0].sample.abs_diff((400 + lead + 1) as u64) <= 1, "{digit} +{lead}: {events:?}");
            assert!(events[1].sample.abs_diff((400 + lead + on) as u64) <= 1, "{digit} +{lead}: {events:?}");

            let noisy = through_alaw(&with_noise(clean, lead as u64, -10.0 + 3.0 - 25.0));
            let events = dtmf_events(&noisy);
            assert_eq!(events.len(), 2, "{digit} +{lead} noisy: {events:?}");
            assert!(
                events[0].sample.abs_diff((400 + lead + 1) as u64) <= 6,
                "{digit} +{lead} noisy: {events:?}"
            );
            assert!(
                events[1].sample.abs_diff((400 + lead + on) as u64) <= 6,
                "{digit} +{lead} noisy: {events:?}"
            );
        }
    });
}

/// A string of digits at spandsp's default timing (50 ms on, 55 ms off) comes out whole, and
/// the receiver's state stays at its documented size.
#[test]
fn digit_string_and_state_size() {
    let mut generator = tdm_dsp::tonegen::DtmfGenerator::new(Default::default());
    generator.send("0123456789*#ABCD").unwrap();
    let mut audio = vec![0i16; 16 * 840 + 800];
    generator.generate(&mut audio);
    assert_eq!(started(&dtmf_events(&through_alaw(&audio))), "0123456789*#ABCD");
    assert_eq!(std::mem::size_of::<DtmfDetector>(), 504);
    let _ = DtmfConfig::default();
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Arbitrary samples in arbitrary pieces: no panic, starts and ends alternate, every
        /// event lies inside what was fed, and the piece sizes do not change the events.
        #[test]
        fn arbitrary_input_in_arbitrary_pieces(
            samples in proptest::collection::vec(any::<i16>(), 0..3000),
            tones in proptest::collection::vec((0usize..16, 0usize..3000, 200usize..800, -45.0f32..0.0), 0..3),
            piece in 1usize..200,
        ) {
            let mut signal = samples;
            for (digit, at, len, level) in tones {
                let (low, high) = dtmf_frequencies(DIGITS.as_bytes()[digit] as char).unwrap();
                let burst = two_tones(low, level, high, level, len);
                if signal.len() < at + len {
                    signal.resize(at + len, 0);
                }
                for (s, b) in signal[at..].iter_mut().zip(&burst) {
                    *s = s.saturating_add(*b);
                }
            }
            let whole = dtmf_events(&signal);
            let mut detector = DtmfDetector::new(DtmfConfig::default());
            let mut pieced = Vec::new();
            for chunk in signal.chunks(piece) {
                detector.process(chunk, |e| pieced.push(e));
            }
            prop_assert_eq!(&whole, &pieced);
            for (i, e) in whole.iter().enumerate() {
                let expected = if i.is_multiple_of(2) { ToneEdge::Start } else { ToneEdge::End };
                prop_assert_eq!(e.kind, expected);
                prop_assert!(e.sample <= signal.len() as u64);
            }
        }
    }
}
