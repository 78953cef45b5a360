//! DTMF and MFC-R2 receivers against spandsp's `dtmf_rx` and `r2_mf_rx`, side by side.
//!
//! Same audio for both sides: digits (or R2 signals) with white noise, A-law encoded, then
//! decoded once to linear before timing, so A-law → linear is excluded on both sides. One
//! channel, 160-sample blocks, one core; each figure is the median of 3 runs. The batch line
//! runs 1000 channels through `process_batch` one 160-sample block at a time.
//!
//! Run: `cargo bench -p tdm-dsp --bench detectors`

use std::hint::black_box;
use std::time::Instant;

use tdm_dsp::dtmf::{self, DtmfConfig, DtmfDetector};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_dsp::noise::WhiteNoise;
use tdm_dsp::r2mf::{self, R2Config, R2Detector, R2Direction};
use tdm_dsp::tonegen::{DtmfGenerator, DtmfGeneratorConfig, R2_DEFAULT_LEVEL_DBM0, R2Generator};
use tdm_peer_spandsp as spandsp;

const SECONDS: usize = 20;
const BLOCK: usize = 160;
const RUNS: usize = 3;

/// Digits at −10 dBm0 per tone, 50 ms on / 50 ms off in bursts, noise at −40 dBm0, through
/// A-law and back.
fn dtmf_audio() -> Vec<i16> {
    let mut audio = vec![0i16; SECONDS * 8000];
    let config = DtmfGeneratorConfig { low_dbm0: -10.0, high_dbm0: -10.0, on_ms: 50, off_ms: 50 };
    let mut at = 0;
    while at < audio.len() {
        let mut generator = DtmfGenerator::new(config);
        if generator.send("0123456789*#ABCD").is_err() {
            break;
        }
        at += generator.generate(&mut audio[at..]);
        at += 8000; // a second of noise only
    }
    WhiteNoise::new(1, -40.0).add_to(&mut audio);
    through_alaw(&audio)
}

/// R2 forward signals 1..15, 100 ms on / 100 ms off, noise at −40 dBm0, through A-law.
fn r2_audio() -> Vec<i16> {
    let mut audio = vec![0i16; SECONDS * 8000];
    let mut generator = R2Generator::new(R2Direction::Forward, R2_DEFAULT_LEVEL_DBM0);
    for (i, chunk) in audio.chunks_mut(1600).enumerate() {
        let code = (i % 15) as u8 + 1;
        if generator.start(code).is_ok() {
            let on = chunk.len().min(800);
            generator.generate(&mut chunk[..on]);
        }
        generator.stop();
    }
    WhiteNoise::new(2, -40.0).add_to(&mut audio);
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
        "{name:<34} {ns_per_sample:>8.2} ns/sample {channels:>10.0} channels/core  ({detections} detections)"
    );
}

fn main() {
    println!("A-law audio with noise, decoded to linear before timing (excluded on both sides),");
    println!("{BLOCK}-sample blocks, one channel, median of {RUNS} runs, {SECONDS} s of audio each.\n");

    let audio = dtmf_audio();
    let (ours, ours_count) = time_it(audio.len(), || {
        let mut detector = DtmfDetector::new(DtmfConfig::default());
        let mut starts = 0;
        for block in audio.chunks(BLOCK) {
            detector.process(black_box(block), |e| {
                starts += usize::from(e.kind == tdm_dsp::edge::ToneEdge::Start)
            });
        }
        starts
    });
    print_row("DTMF  tdm-dsp DtmfDetector", ours, ours_count);
    if spandsp::AVAILABLE {
        let (theirs, count) = time_it(audio.len(), || {
            let Some(mut rx) = spandsp::DtmfRx::new() else { return 0 };
            for block in audio.chunks(BLOCK) {
                rx.process_raw(black_box(block));
            }
            rx.take_reports().iter().filter(|r| r.digit.is_some()).count()
        });
        print_row("DTMF  spandsp dtmf_rx", theirs, count);
        println!("{:<34} {:>8.2}x\n", "DTMF  speed-up", theirs / ours);
    } else {
        println!("spandsp not available: peer figures skipped\n");
    }

    let audio = r2_audio();
    let (ours, ours_count) = time_it(audio.len(), || {
        let mut detector = R2Detector::new(R2Direction::Forward, R2Config::default());
        let mut starts = 0;
        for block in audio.chunks(BLOCK) {
            detector.process(black_box(block), |e| {
                starts += usize::from(e.kind == tdm_dsp::edge::ToneEdge::Start)
            });
        }
        starts
    });
    print_row("R2    tdm-dsp R2Detector", ours, ours_count);
    if spandsp::AVAILABLE {
        let (theirs, count) = time_it(audio.len(), || {
            let Some(mut rx) = spandsp::R2MfRx::new(true) else { return 0 };
            for block in audio.chunks(BLOCK) {
                rx.process_raw(black_box(block));
            }
            rx.take_reports().iter().filter(|r| r.code.is_some()).count()
        });
        print_row("R2    spandsp r2_mf_rx", theirs, count);
        println!("{:<34} {:>8.2}x\n", "R2    speed-up", theirs / ours);
    }

    // Batch: 1000 channels, each listening to the audio from a different offset.
    const CHANNELS: usize = 1000;
    const BATCH_SECONDS: usize = 2;
    let audio = dtmf_audio();
    let span = BATCH_SECONDS * 8000;
    let offsets: Vec<usize> = (0..CHANNELS).map(|c| (c * 797) % (audio.len() - span)).collect();
    let (ours, count) = time_it(CHANNELS * span, || {
        let mut detectors = vec![DtmfDetector::new(DtmfConfig::default()); CHANNELS];
        let mut starts = 0;
        let mut blocks: Vec<&[i16]> = Vec::with_capacity(CHANNELS);
        for at in (0..span).step_by(BLOCK) {
            blocks.clear();
            blocks.extend(offsets.iter().map(|&o| &audio[o + at..o + at + BLOCK]));
            dtmf::process_batch(&mut detectors, black_box(&blocks), |_, e| {
                starts += usize::from(e.kind == tdm_dsp::edge::ToneEdge::Start)
            });
        }
        starts
    });
    print_row("DTMF  batch, 1000 channels", ours, count);

    let audio = r2_audio();
    let offsets: Vec<usize> = (0..CHANNELS).map(|c| (c * 797) % (audio.len() - span)).collect();
    let (ours, count) = time_it(CHANNELS * span, || {
        let mut detectors = vec![R2Detector::new(R2Direction::Forward, R2Config::default()); CHANNELS];
        let mut starts = 0;
        let mut blocks: Vec<&[i16]> = Vec::with_capacity(CHANNELS);
        for at in (0..span).step_by(BLOCK) {
            blocks.clear();
            blocks.extend(offsets.iter().map(|&o| &audio[o + at..o + at + BLOCK]));
            r2mf::process_batch(&mut detectors, black_box(&blocks), |_, e| {
                starts += usize::from(e.kind == tdm_dsp::edge::ToneEdge::Start)
            });
        }
        starts
    });
    print_row("R2    batch, 1000 channels", ours, count);
}
