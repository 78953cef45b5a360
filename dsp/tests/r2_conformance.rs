//! MFC-R2 receiver conformance sweeps (Q.441/Q.442 figures as in `tdm_dsp::r2mf`'s table),
//! accepted on one side of every limit and rejected on the other, over A-law.

mod dtmf_support;

use dtmf_support::*;
use tdm_dsp::edge::ToneEdge;
use tdm_dsp::r2mf::{R2_BACKWARD_HZ, R2_FORWARD_HZ, R2Config, R2Detector, R2Direction, r2_frequencies};

const DIRECTIONS: [R2Direction; 2] = [R2Direction::Forward, R2Direction::Backward];

/// Signal with tones `(Hz, dBm0)` for `on_ms`, over A-law, optionally with noise; returns the
/// codes reported.
fn hear(direction: R2Direction, a: (f32, f32), b: (f32, f32), on_ms: usize, noise: Option<f64>) -> Vec<u8> {
    let mut signal = burst(a.0, a.1, b.0, b.1, 301, on_ms * MS, 600);
    if let Some(level) = noise {
        signal = with_noise(signal, (a.0 + 3.0 * b.0) as u64, level);
    }
    r2_started(&r2_events(direction, &through_alaw(&signal)))
}

fn for_every_code(mut check: impl FnMut(R2Direction, u8, f32, f32)) {
    for direction in DIRECTIONS {
        for code in 1..=15u8 {
            let (a, b) = r2_frequencies(direction, code).unwrap();
            check(direction, code, a, b);
        }
    }
}

/// ±10 Hz on either or both tones accepted at the level and twist limits; ±35 Hz and more
/// rejected.
#[test]
fn frequency_accept_and_reject() {
    for_every_code(|direction, code, a, b| {
        for (la, lb) in [(-11.5f32, -11.5f32), (-35.0, -35.0), (-28.0, -35.0), (-35.0, -28.0)] {
            for (da, db) in [
                (10.0f32, 0.0f32),
                (-10.0, 0.0),
                (0.0, 10.0),
                (0.0, -10.0),
                (10.0, -10.0),
                (-10.0, 10.0),
                (10.0, 10.0),
            ] {
                let got = hear(direction, (a + da, la), (b + db, lb), 80, None);
                assert_eq!(got, vec![code], "{direction:?} {code}: {da:+}/{db:+} Hz at {la}/{lb} dBm0");
            }
        }
        for d in [35.0f32, -35.0, 45.0, -50.0] {
            assert_eq!(
                hear(direction, (a + d, -11.5), (b, -11.5), 80, None),
                vec![],
                "{direction:?} {code}: first {d:+} Hz"
            );
            assert_eq!(
                hear(direction, (a, -11.5), (b + d, -11.5), 80, None),
                vec![],
                "{direction:?} {code}: second {d:+} Hz"
            );
        }
    });
}

/// −35 ..= −5 dBm0 per tone accepted; −43 dBm0 and below rejected.
#[test]
fn level_accept_and_reject() {
    for_every_code(|direction, code, a, b| {
        for level in [-35.0f32, -30.0, -20.0, -11.5, -5.0] {
            assert_eq!(
                hear(direction, (a, level), (b, level), 80, None),
                vec![code],
                "{direction:?} {code} at {level}"
            );
        }
        for level in [-43.0f32, -48.0] {
            assert_eq!(
                hear(direction, (a, level), (b, level), 80, None),
                vec![],
                "{direction:?} {code} at {level}"
            );
        }
    });
}

/// A level difference of 7 dB (either tone weaker) accepted; 11 dB and more rejected.
#[test]
fn twist_accept_and_reject() {
    for_every_code(|direction, code, a, b| {
        for twist in [3.0f32, 7.0] {
            assert_eq!(
                hear(direction, (a, -10.0), (b, -10.0 - twist), 80, None),
                vec![code],
                "{direction:?} {code} -{twist}"
            );
            assert_eq!(
                hear(direction, (a, -10.0 - twist), (b, -10.0), 80, None),
                vec![code],
                "{direction:?} {code} +{twist}"
            );
        }
        for twist in [11.0f32, 15.0] {
            assert_eq!(
                hear(direction, (a, -8.0), (b, -8.0 - twist), 80, None),
                vec![],
                "{direction:?} {code} -{twist}"
            );
            assert_eq!(
                hear(direction, (a, -8.0 - twist), (b, -8.0), 80, None),
                vec![],
                "{direction:?} {code} +{twist}"
            );
        }
    });
}

/// One frequency alone is never a signal; a third frequency within 10 dB of the weaker tone
/// spoils the signal, 15 dB down it does not.
#[test]
fn single_and_three_tone_combinations() {
    for (direction, table) in [(R2Direction::Forward, R2_FORWARD_HZ), (R2Direction::Backward, R2_BACKWARD_HZ)]
    {
        for &f in &table {
            for level in [-5.0f32, -20.0, -35.0] {
                assert_eq!(
                    hear(direction, (f, level), (f, -99.0), 80, None),
                    vec![],
                    "{direction:?} {f} Hz alone at {level}"
                );
            }
        }
        for code in 1..=15u8 {
            let (a, b) = r2_frequencies(direction, code).unwrap();
            let third = table.iter().copied().find(|&f| f != a && f != b).unwrap();
            for (level, expected) in [(-12.0f32, vec![]), (-17.0, vec![]), (-26.0, vec![code])] {
                let mut signal = burst(a, -10.0, b, -10.0, 301, 80 * MS, 600);
                let extra = burst(third, level, third, -99.0, 301, 80 * MS, 600);
                for (s, e) in signal.iter_mut().zip(&extra) {
                    *s = s.saturating_add(*e);
                }
                let got = r2_started(&r2_events(direction, &through_alaw(&signal)));
                assert_eq!(got, expected, "{direction:?} {code} + {third} Hz at {level} dBm0");
            }
        }
    }
}

/// Signals of 22 ms and more are reported wherever they fall against the 8 ms sub-blocks;
/// 14 ms and less are not.
#[test]
fn duration_accept_and_reject() {
    for direction in DIRECTIONS {
        for code in [1u8, 6, 10, 15] {
            let (a, b) = r2_frequencies(direction, code).unwrap();
            for lead in (0..64).step_by(9) {
                for on_ms in [22usize, 30, 150] {
                    let signal = burst(a, -11.5, b, -11.5, 200 + lead, on_ms * MS, 600);
                    assert_eq!(
                        r2_started(&r2_events(direction, &through_alaw(&signal))),
                        vec![code],
                        "{on_ms} ms +{lead}"
                    );
                }
                for on_ms in [5usize, 10, 14] {
                    let signal = burst(a, -11.5, b, -11.5, 200 + lead, on_ms * MS, 600);
                    assert_eq!(
                        r2_started(&r2_events(direction, &through_alaw(&signal))),
                        vec![],
                        "{on_ms} ms +{lead}"
                    );
                }
            }
        }
    }
}

/// Compelled signalling timing: a steady signal is reported 17–26 ms after it starts (the
/// second window that covers it confirms it) and its end within 14 ms (112 samples); the
/// reported samples are the true edges, ±1 sample.
#[test]
fn onset_and_offset_latency_and_edges() {
    let (mut earliest, mut latest_on, mut latest_off) = (u64::MAX, 0u64, 0u64);
    for direction in DIRECTIONS {
        for lead in 0..64usize {
            let code = (lead % 15) as u8 + 1;
            let (a, b) = r2_frequencies(direction, code).unwrap();
            let start = 300 + lead;
            let signal = burst(a, -11.5, b, -11.5, start, 800, 600);
            let mut detector = R2Detector::new(direction, R2Config::default());
            let mut fired = Vec::new();
            for chunk in signal.chunks(4) {
                detector.process(chunk, |e| fired.push(e));
                let seen = detector.samples_seen();
                for e in fired.drain(..) {
                    match e.kind {
                        ToneEdge::Start => {
                            // The first tone sample is `start + 1` (the generator starts at a zero crossing).
                            assert!(e.sample.abs_diff(start as u64 + 1) <= 1, "{direction:?} +{lead}: {e:?}");
                            earliest = earliest.min(seen - start as u64);
                            latest_on = latest_on.max(seen - start as u64);
                        }
                        ToneEdge::End => {
                            assert!(
                                e.sample.abs_diff(start as u64 + 800) <= 1,
                                "{direction:?} +{lead}: {e:?}"
                            );
                            latest_off = latest_off.max(seen - (start as u64 + 800));
                        }
                    }
                }
            }
            assert_eq!(detector.current_code(), None);
        }
    }
    assert!(earliest >= 130 && latest_on <= 208, "onset {earliest}..{latest_on} samples");
    assert!(latest_off <= 112, "offset {latest_off} samples");
}

/// A compelled sequence: forward signals with the gaps a compelled cycle leaves between them
/// (20–60 ms), each reported once and in order.
#[test]
fn a_compelled_sequence() {
    let codes = [1u8, 3, 3, 10, 15, 5, 5, 11];
    let mut signal = vec![0i16; 100];
    for (i, &code) in codes.iter().enumerate() {
        let (a, b) = r2_frequencies(R2Direction::Forward, code).unwrap();
        signal.extend(two_tones(a, -11.5, b, -11.5, (60 + 13 * i) * MS));
        signal.extend(vec![0i16; (20 + 5 * i) * MS]);
    }
    let events = r2_events(R2Direction::Forward, &through_alaw(&signal));
    assert_eq!(r2_started(&events), codes.to_vec());
    assert_eq!(events.len(), 2 * codes.len());
}

/// Noise 15 dB below the signal loses nothing; noise alone gives nothing.
#[test]
fn noise() {
    for_every_code(|direction, code, a, b| {
        for level in [-11.5f32, -25.0] {
            let noise = f64::from(level) + 3.0 - 15.0;
            assert_eq!(
                hear(direction, (a, level), (b, level), 80, Some(noise)),
                vec![code],
                "{direction:?} {code} {level}"
            );
        }
    });
    for direction in DIRECTIONS {
        for level in [-40.0, -20.0, -8.0] {
            let noise = with_noise(vec![0i16; 8000 * 4], 5, level);
            assert_eq!(
                r2_started(&r2_events(direction, &through_alaw(&noise))),
                vec![],
                "{direction:?} noise {level}"
            );
        }
    }
}

#[test]
fn state_size() {
    assert_eq!(std::mem::size_of::<R2Detector>(), 488);
}

mod robustness {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Arbitrary samples in arbitrary pieces: no panic, starts and ends alternate, events
        /// lie inside what was fed, and the piece sizes do not change the events.
        #[test]
        fn arbitrary_input_in_arbitrary_pieces(
            samples in proptest::collection::vec(any::<i16>(), 0..3000),
            forward in any::<bool>(),
            signal_at in proptest::option::of((1u8..=15, 0usize..3000, 100usize..900)),
            piece in 1usize..200,
        ) {
            let direction = if forward { R2Direction::Forward } else { R2Direction::Backward };
            let mut signal = samples;
            if let Some((code, at, len)) = signal_at {
                let (a, b) = r2_frequencies(direction, code).unwrap();
                let tone = two_tones(a, -11.5, b, -11.5, len);
                if signal.len() < at + len {
                    signal.resize(at + len, 0);
                }
                for (s, t) in signal[at..].iter_mut().zip(&tone) {
                    *s = s.saturating_add(*t);
                }
            }
            let whole = r2_events(direction, &signal);
            let mut detector = R2Detector::new(direction, R2Config::default());
            let mut pieced = Vec::new();
            for chunk in signal.chunks(piece) {
                detector.process(chunk, |e| pieced.push(e));
            }
            prop_assert_eq!(&whole, &pieced);
            for (i, e) in whole.iter().enumerate() {
                let expected = if i.is_multiple_of(2) { ToneEdge::Start } else { ToneEdge::End };
                prop_assert_eq!(e.kind, expected);
                prop_assert!(e.sample <= signal.len() as u64);
                prop_assert!((1..=15).contains(&e.code));
            }
        }
    }
}
