//! Fax connect-tone detection (CNG, CED/ANS family, V.21 preamble) against spandsp's
//! `modem_connect_tones_rx`, side by side, and the call-progress, energy and answer
//! detectors.
//!
//! Same audio for both sides: CNG (or CED) cadences with white noise at −40 dBm0, A-law
//! encoded and decoded once before timing, so A-law → linear is excluded on both sides. One
//! channel, 160-sample blocks, one core; each figure is the median of 3 runs. The batch line
//! runs 1000 channels through `process_batch` one 160-sample block at a time.
//!
//! Run: `cargo bench -p tdm-dsp --bench tones`

use std::hint::black_box;
use std::time::Instant;

use tdm_dsp::answer::{AnswerConfig, AnswerDetector};
use tdm_dsp::energy::{EnergyConfig, EnergyDetector};
use tdm_dsp::fax::generate::FaxToneSpec;
use tdm_dsp::fax::v21::{hdlc_flag_bits, octet_bits};
use tdm_dsp::fax::{
    AnswerToneDetector, CngDetector, FaxEvent, FaxTone, FaxToneDetector, FaxToneGenerator, V21Modulator,
    V21PreambleDetector, process_batch,
};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_dsp::noise::WhiteNoise;
use tdm_dsp::progress::{CHINA, ProgressDetector, ProgressToneGenerator};
use tdm_peer_spandsp::{self as spandsp, ConnectTone, ModemConnectTonesRx};

const SECONDS: usize = 20;
const BLOCK: usize = 160;
const RUNS: usize = 3;

/// `tone`'s standard signal repeated with a second of noise between, noise at −40 dBm0,
/// through A-law and back.
fn fax_audio(tone: FaxTone) -> Vec<i16> {
    let mut audio = vec![0i16; SECONDS * 8000];
    let Some(spec) = FaxToneSpec::standard(tone) else { return audio };
    let period = (spec.on_ms as usize + spec.off_ms as usize + 1000) * 8;
    for chunk in audio.chunks_mut(period) {
        let on = chunk.len().min(spec.on_ms as usize * 8);
        FaxToneGenerator::new(spec).fill(&mut chunk[..on]);
    }
    WhiteNoise::new(3, -40.0).add_to(&mut audio);
    through_alaw(&audio)
}

/// Busy, then ringback, then congestion, noise at −40 dBm0, through A-law.
fn progress_audio() -> Vec<i16> {
    let mut audio = vec![0i16; SECONDS * 8000];
    for (chunk, name) in audio.chunks_mut(SECONDS * 8000 / 3).zip(["busy", "ringback", "congestion"]) {
        if let Some(spec) = CHINA.tone(name) {
            ProgressToneGenerator::new(spec).fill(chunk);
        }
    }
    WhiteNoise::new(4, -40.0).add_to(&mut audio);
    through_alaw(&audio)
}

fn through_alaw(audio: &[i16]) -> Vec<i16> {
    audio.iter().map(|&x| alaw_to_linear(linear_to_alaw(x))).collect()
}

/// Median of `RUNS` timings of `run`, in ns per sample of `samples`; `run` returns a count
/// of detections, printed so the work cannot be optimised away and is seen to be done.
fn time_it(samples: usize, mut run: impl FnMut() -> usize) -> (f64, usize) {
    let mut times = Vec::with_capacity(RUNS);
    let mut detections = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        detections = black_box(run());
        times.push(started.elapsed().as_secs_f64() * 1e9 / samples as f64);
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], detections)
}

fn print_row(name: &str, ns_per_sample: f64, detections: usize) {
    let channels = 1e9 / (ns_per_sample * 8000.0);
    println!(
        "{name:<36} {ns_per_sample:>8.2} ns/sample {channels:>10.0} channels/core  ({detections} detections)"
    );
}

fn ours_cng(audio: &[i16]) -> usize {
    let mut detector = CngDetector::new();
    let mut count = 0;
    for block in audio.chunks(BLOCK) {
        detector
            .process(black_box(block), &mut |e| count += usize::from(matches!(e, FaxEvent::Ended { .. })));
    }
    count
}

fn ours_answer_tone(audio: &[i16]) -> usize {
    let mut detector = AnswerToneDetector::new();
    let mut count = 0;
    for block in audio.chunks(BLOCK) {
        detector.process(black_box(block), &mut |e| {
            count += usize::from(matches!(e, FaxEvent::Recognized { .. }))
        });
    }
    count
}

fn ours_all_fax(audio: &[i16]) -> usize {
    let mut detector = FaxToneDetector::new();
    let mut count = 0;
    for block in audio.chunks(BLOCK) {
        detector
            .process(black_box(block), |e| count += usize::from(!matches!(e, FaxEvent::Recognized { .. })));
    }
    count
}

fn ours_v21(audio: &[i16]) -> usize {
    let mut detector = V21PreambleDetector::new();
    let mut count = 0;
    for block in audio.chunks(BLOCK) {
        detector.process(black_box(block), &mut |e| {
            count += usize::from(matches!(e, FaxEvent::Recognized { .. }))
        });
    }
    count
}

/// T.30 control messages: a second of flags and 30 octets of frame, every 2 s, at −13 dBm0,
/// noise at −40 dBm0, through A-law.
fn v21_audio() -> Vec<i16> {
    let mut audio = Vec::with_capacity(SECONDS * 8000);
    let mut modulator = V21Modulator::new(-13);
    while audio.len() < SECONDS * 8000 {
        let frame = (0..30u8).map(|i| i.wrapping_mul(29) | 0x01);
        modulator.modulate(hdlc_flag_bits(38).chain(octet_bits(frame)), |x| audio.push(x));
        audio.resize(audio.len() + 6000, 0);
    }
    audio.truncate(SECONDS * 8000);
    WhiteNoise::new(5, -40.0).add_to(&mut audio);
    through_alaw(&audio)
}

fn theirs(mode: ConnectTone, audio: &[i16]) -> usize {
    let Some(mut rx) = ModemConnectTonesRx::new(mode) else { return 0 };
    for block in audio.chunks(BLOCK) {
        rx.process(black_box(block));
    }
    rx.take_reports().iter().filter(|r| r.tone != 0).count()
}

fn main() {
    println!("tdm-dsp connect tones vs spandsp 0.0.6 modem_connect_tones_rx");
    println!(
        "one channel, {BLOCK}-sample blocks, A-law audio with noise, median of {RUNS}, {SECONDS} s of audio\n"
    );
    let samples = SECONDS * 8000;

    let cng = fax_audio(FaxTone::Cng);
    let (ns, n) = time_it(samples, || ours_cng(&cng));
    print_row("CNG      tdm-dsp CngDetector", ns, n);
    if spandsp::AVAILABLE {
        let (ns, n) = time_it(samples, || theirs(ConnectTone::FaxCng, &cng));
        print_row("CNG      spandsp FAX_CNG", ns, n);
    }

    for (label, tone) in [("CED/ANS", FaxTone::Ans), ("ANSam/", FaxTone::AnsAmPr)] {
        let audio = fax_audio(tone);
        let (ns, n) = time_it(samples, || ours_answer_tone(&audio));
        print_row(&format!("{label:<8} tdm-dsp AnswerToneDetector"), ns, n);
        if spandsp::AVAILABLE {
            let (ns, n) = time_it(samples, || theirs(ConnectTone::Ans, &audio));
            print_row(&format!("{label:<8} spandsp ANS"), ns, n);
        }
    }
    let v21 = v21_audio();
    let (ns, n) = time_it(samples, || ours_v21(&v21));
    print_row("V.21     tdm-dsp V21PreambleDetector", ns, n);
    if spandsp::AVAILABLE {
        let (ns, n) = time_it(samples, || theirs(ConnectTone::FaxPreamble, &v21));
        print_row("V.21     spandsp FAX_PREAMBLE", ns, n);
    }
    if !spandsp::AVAILABLE {
        println!("(spandsp not linked: its rows are missing)");
    }

    println!();
    let (ns, n) = time_it(samples, || ours_all_fax(&cng));
    print_row("CNG+ANS+V.21 tdm-dsp FaxToneDetector", ns, n);

    let channels = 1000;
    let short = &cng[..8000 * 2];
    let (ns, n) = time_it(short.len() * channels, || {
        let mut detectors = vec![FaxToneDetector::new(); channels];
        let mut count = 0;
        for block in short.chunks(BLOCK) {
            let blocks = vec![block; channels];
            process_batch(&mut detectors, &blocks, |_, e| {
                count += usize::from(matches!(e, FaxEvent::Ended { .. }))
            });
        }
        count
    });
    print_row("fax batch, 1000 channels", ns, n);

    println!();
    let progress = progress_audio();
    let detector = ProgressDetector::new(&CHINA).expect("the China plan compiles");
    let (ns, n) = time_it(samples, || {
        let mut state = detector.new_state();
        let mut count = 0;
        for block in progress.chunks(BLOCK) {
            detector.process(&mut state, black_box(block), |_| count += 1);
        }
        count
    });
    print_row("call progress (China plan)", ns, n);

    let energy = EnergyDetector::new(EnergyConfig::default());
    let (ns, n) = time_it(samples, || {
        let mut state = energy.new_state();
        let mut count = 0;
        for block in progress.chunks(BLOCK) {
            energy.process(&mut state, black_box(block), |_| count += 1);
        }
        count
    });
    print_row("energy / silence", ns, n);

    let answer = AnswerDetector::new(&CHINA, AnswerConfig::default()).expect("the China plan compiles");
    let (ns, n) = time_it(samples, || {
        let mut state = answer.new_state();
        let mut count = 0;
        for block in progress.chunks(BLOCK) {
            answer.process(&mut state, black_box(block), |_| count += 1);
        }
        count
    });
    print_row("answer (with call progress)", ns, n);
}
