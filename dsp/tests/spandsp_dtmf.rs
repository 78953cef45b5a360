//! The same DTMF signals through our receiver and spandsp's `dtmf_rx`, results compared.
//! Skipped with a notice when spandsp was not found at build time.

mod dtmf_support;

use dtmf_support::*;
use tdm_dsp::dtmf::dtmf_frequencies;
use tdm_dsp::edge::ToneEdge;
use tdm_dsp::tonegen::{DtmfGenerator, DtmfGeneratorConfig};
use tdm_peer_spandsp as peer;

const DIGITS: &str = "123A456B789C*0#D";

fn spandsp_present() -> bool {
    if !peer::AVAILABLE {
        eprintln!(
            "NOTICE: spandsp not available (pkg-config found no spandsp at build time); cross-check skipped"
        );
    }
    peer::AVAILABLE
}

fn spandsp_digits(samples: &[i16]) -> String {
    let Some(mut rx) = peer::DtmfRx::new() else { return String::new() };
    rx.process(samples);
    rx.take_reports().iter().filter_map(|r| r.digit).collect()
}

/// One signal condition of the sweep.
struct Condition {
    name: &'static str,
    low_dbm0: f32,
    high_dbm0: f32,
    on_ms: usize,
    noise_dbm0: Option<f64>,
}

const CONDITIONS: [Condition; 7] = [
    Condition {
        name: "equal tones, -10 dBm0",
        low_dbm0: -10.0,
        high_dbm0: -10.0,
        on_ms: 60,
        noise_dbm0: None,
    },
    Condition {
        name: "minimum level, -36 dBm0",
        low_dbm0: -36.0,
        high_dbm0: -36.0,
        on_ms: 60,
        noise_dbm0: None,
    },
    Condition { name: "normal twist 8 dB", low_dbm0: -12.0, high_dbm0: -20.0, on_ms: 60, noise_dbm0: None },
    Condition { name: "reverse twist 4 dB", low_dbm0: -16.0, high_dbm0: -12.0, on_ms: 60, noise_dbm0: None },
    Condition { name: "40 ms tone", low_dbm0: -10.0, high_dbm0: -10.0, on_ms: 40, noise_dbm0: None },
    Condition { name: "45 ms tone", low_dbm0: -10.0, high_dbm0: -10.0, on_ms: 45, noise_dbm0: None },
    Condition {
        name: "noise 15 dB below",
        low_dbm0: -20.0,
        high_dbm0: -20.0,
        on_ms: 60,
        noise_dbm0: Some(-32.0),
    },
];

/// Every digit with its low tone, its high tone, or both moved by `(percent, hz)`, at three
/// alignments: returns (total, accepted by us, accepted by spandsp, accepted by spandsp but
/// not by us).
fn sweep(percent: f32, hz: f32, condition: &Condition) -> (usize, usize, usize, usize) {
    let (mut total, mut ours, mut theirs, mut only_theirs) = (0, 0, 0, 0);
    for digit in DIGITS.chars() {
        let (low, high) = dtmf_frequencies(digit).unwrap();
        for which in 0..3 {
            let (l, h) = match which {
                0 => (deviate(low, percent, hz), high),
                1 => (low, deviate(high, percent, hz)),
                _ => (deviate(low, percent, hz), deviate(high, percent, hz)),
            };
            for lead in [0usize, 37, 71] {
                let mut signal = burst(
                    l,
                    condition.low_dbm0,
                    h,
                    condition.high_dbm0,
                    203 + lead,
                    condition.on_ms * MS,
                    800,
                );
                if let Some(noise) = condition.noise_dbm0 {
                    signal = with_noise(signal, lead as u64 + 3, noise);
                }
                let signal = through_alaw(&signal);
                let expected = digit.to_string();
                let we_accept = started(&dtmf_events(&signal)) == expected;
                let they_accept = spandsp_digits(&signal) == expected;
                total += 1;
                ours += usize::from(we_accept);
                theirs += usize::from(they_accept);
                only_theirs += usize::from(they_accept && !we_accept);
            }
        }
    }
    (total, ours, theirs, only_theirs)
}

/// Q.24 requires every digit within ±(1.5 % + 2 Hz) to be accepted. We accept all of them
/// under every condition; spandsp misses some under every condition (most with twist).
#[test]
fn deviation_at_the_accept_limit() {
    if !spandsp_present() {
        return;
    }
    let mut spandsp_missed = 0;
    println!("{:<28} {:>9} {:>12} {:>12}", "±(1.5 % + 2 Hz)", "signals", "tdm-dsp", "spandsp");
    for (percent, hz) in [(1.5f32, 2.0f32), (-1.5, -2.0)] {
        for condition in &CONDITIONS {
            let (total, ours, theirs, only_theirs) = sweep(percent, hz, condition);
            println!("{:+}% {:+} Hz, {:<20} {total:>7} {ours:>12} {theirs:>12}", percent, hz, condition.name);
            assert_eq!(ours, total, "we must accept every case: {}", condition.name);
            assert_eq!(only_theirs, 0);
            spandsp_missed += total - theirs;
        }
    }
    assert!(spandsp_missed > 0, "spandsp was expected to miss some ±1.5 % cases");
    println!("spandsp missed {spandsp_missed} of {} accept-limit signals; tdm-dsp missed none", 2 * 7 * 144);
}

/// Q.24 requires rejection beyond ±3.5 %. We reject every case; spandsp accepts a few.
#[test]
fn deviation_at_the_reject_limit() {
    if !spandsp_present() {
        return;
    }
    for (percent, hz) in [(3.5f32, 0.0f32), (-3.5, 0.0)] {
        for condition in &CONDITIONS[..2] {
            let (total, ours, theirs, _) = sweep(percent, hz, condition);
            println!(
                "{percent:+}%, {:<24} {total} signals: tdm-dsp accepts {ours}, spandsp accepts {theirs}",
                condition.name
            );
            assert_eq!(ours, 0, "we must reject every case: {}", condition.name);
        }
    }
}

/// Digits sent by spandsp's `dtmf_tx` are all received by us, and ours by spandsp's
/// `dtmf_rx`, at the senders' default settings and at a low level.
#[test]
fn each_receives_the_other_generator() {
    if !spandsp_present() {
        return;
    }
    let digits = "0123456789*#ABCD";
    for (level, twist) in [(-10, 0), (-30, 2)] {
        let mut tx = peer::DtmfTx::new().unwrap();
        tx.set_level(level, twist);
        assert_eq!(tx.put(digits), 0);
        let mut audio = vec![0i16; 16 * 840 + 800];
        let sent = tx.generate(&mut audio);
        assert_eq!(sent, 16 * 840);
        assert_eq!(started(&dtmf_events(&through_alaw(&audio))), digits, "spandsp's tones at {level} dBm0");
    }
    for config in [
        DtmfGeneratorConfig::default(),
        DtmfGeneratorConfig { low_dbm0: -30.0, high_dbm0: -28.0, on_ms: 45, off_ms: 45 },
    ] {
        let mut generator = DtmfGenerator::new(config);
        generator.send(digits).unwrap();
        let mut audio = vec![0i16; 16 * 840 + 800];
        generator.generate(&mut audio);
        assert_eq!(spandsp_digits(&through_alaw(&audio)), digits, "our tones, {config:?}");
    }
}

/// Where the two receivers put a digit's edges: ours on the sample, spandsp on its 102-sample
/// block grid, one to two blocks late.
#[test]
fn edge_timing_compared() {
    if !spandsp_present() {
        return;
    }
    let (mut our_worst, mut their_worst_start, mut their_worst_end) = (0u64, 0u64, 0u64);
    for (i, digit) in DIGITS.chars().enumerate() {
        let (low, high) = dtmf_frequencies(digit).unwrap();
        let lead = 300 + 13 * i;
        let on = 480;
        let signal = through_alaw(&burst(low, -10.0, high, -10.0, lead, on, 1000));
        let events = dtmf_events(&signal);
        assert_eq!(events.len(), 2);
        assert_eq!((events[0].kind, events[1].kind), (ToneEdge::Start, ToneEdge::End));
        our_worst = our_worst
            .max(events[0].sample.abs_diff(lead as u64 + 1))
            .max(events[1].sample.abs_diff((lead + on) as u64));
        let mut rx = peer::DtmfRx::new().unwrap();
        rx.process(&signal);
        let reports = rx.take_reports();
        assert_eq!(reports.len(), 2, "{digit}: {reports:?}");
        assert_eq!(reports[0].digit, Some(digit));
        their_worst_start = their_worst_start.max(reports[0].sample.saturating_sub(lead as u64));
        their_worst_end = their_worst_end.max(reports[1].sample.saturating_sub((lead + on) as u64));
    }
    println!(
        "edge error, samples: tdm-dsp ≤ {our_worst}; spandsp start ≤ +{their_worst_start}, end ≤ +{their_worst_end}"
    );
    assert!(our_worst <= 1);
    assert!(their_worst_start > 102, "spandsp decides on block ends after two agreeing blocks");
}
