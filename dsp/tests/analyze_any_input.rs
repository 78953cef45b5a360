//! No input makes a detector panic: arbitrary samples, full-scale extremes and any chunking,
//! through every detector this part of the crate has and through `analyze`.

use proptest::prelude::*;
use tdm_dsp::analyze::analyze;
use tdm_dsp::answer::{AnswerConfig, AnswerDetector};
use tdm_dsp::energy::{EnergyConfig, EnergyDetector};
use tdm_dsp::fax::FaxToneDetector;
use tdm_dsp::progress::{CHINA, ETSI, ProgressDetector};

/// Feeds `samples` in chunks whose lengths cycle through `chunks` (0 allowed).
fn run_all(samples: &[i16], chunks: &[usize]) -> usize {
    let mut fax = FaxToneDetector::new();
    let progress = ProgressDetector::new(&CHINA).unwrap();
    let mut progress_state = progress.new_state();
    let answer = AnswerDetector::new(&ETSI, AnswerConfig::default()).unwrap();
    let mut answer_state = answer.new_state();
    let energy = EnergyDetector::new(EnergyConfig::default());
    let mut energy_state = energy.new_state();
    let mut events = 0;
    let mut pos = 0;
    for &len in chunks.iter().cycle() {
        if pos >= samples.len() {
            break;
        }
        let chunk = &samples[pos..(pos + len).min(samples.len())];
        pos += len.max(1).min(samples.len() - pos);
        fax.process(chunk, |_| events += 1);
        progress.process(&mut progress_state, chunk, |_| events += 1);
        answer.process(&mut answer_state, chunk, |_| events += 1);
        energy.process(&mut energy_state, chunk, |_| events += 1);
    }
    fax.finish(|_| events += 1);
    progress.finish(&mut progress_state, |_| events += 1);
    answer.finish(&mut answer_state, |_| events += 1);
    events
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_samples_and_chunking(samples in prop::collection::vec(any::<i16>(), 0..6000),
                                      chunks in prop::collection::vec(0usize..400, 1..8)) {
        run_all(&samples, &chunks);
        prop_assert!(analyze(&samples, &CHINA).is_ok());
    }
}

#[test]
fn full_scale_extremes() {
    let square: Vec<i16> = (0..40_000).map(|i| if i % 2 == 0 { i16::MIN } else { i16::MAX }).collect();
    let floor = vec![i16::MIN; 40_000];
    let slow_square: Vec<i16> =
        (0..40_000).map(|i| if i / 40 % 2 == 0 { i16::MIN } else { i16::MAX }).collect();
    for signal in [square, floor, slow_square] {
        run_all(&signal, &[160]);
        run_all(&signal, &[1, 7, 333]);
        assert!(analyze(&signal, &ETSI).is_ok());
    }
}
