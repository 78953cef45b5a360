//! BERT throughput in Mbit/s on one core: the generator filling timeslot octets, and the
//! checker (in sync) comparing them, per pattern, median of 5 runs of 16 Mbit in 256-octet
//! calls. For scale: a whole E1 (31 timeslots) is 1.984 Mbit/s.
//!
//! Run: cargo bench -p tdm-driver --bench bert

use std::hint::black_box;
use std::time::Instant;

use tdm_driver::bert::{BertChecker, BertGenerator, Pattern};

const OCTETS: usize = 2 << 20;
const CALL_OCTETS: usize = 256;
const RUNS: usize = 5;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    println!(
        "BERT, Mbit/s on one core (median of {RUNS} runs of {} Mbit, {CALL_OCTETS}-octet calls)",
        OCTETS * 8 / 1_000_000
    );
    println!("{:<12} {:>10} {:>10}", "pattern", "generate", "check");
    for pattern in Pattern::ALL {
        let generate = median(
            (0..RUNS)
                .map(|_| {
                    let mut generator = BertGenerator::new(pattern);
                    let mut out = [0u8; CALL_OCTETS];
                    let start = Instant::now();
                    for _ in 0..OCTETS / CALL_OCTETS {
                        generator.fill(&mut out);
                        black_box(&out);
                    }
                    start.elapsed().as_secs_f64()
                })
                .collect(),
        );
        let mut line = vec![0u8; OCTETS];
        let mut generator = BertGenerator::new(pattern);
        // Clean while the checker synchronises, then one error in each of 1000 octets.
        generator.fill(&mut line[..4096]);
        generator.insert_errors(1000);
        generator.fill(&mut line[4096..]);
        let mut errors = 0;
        let check = median(
            (0..RUNS)
                .map(|_| {
                    let mut checker = BertChecker::new(pattern);
                    let start = Instant::now();
                    for piece in line.chunks(CALL_OCTETS) {
                        checker.check(black_box(piece));
                    }
                    let seconds = start.elapsed().as_secs_f64();
                    errors = checker.stats().errors;
                    seconds
                })
                .collect(),
        );
        assert_eq!(errors, 1000, "{pattern}: the checker must count the inserted errors");
        let rate = |seconds: f64| (OCTETS * 8) as f64 / seconds / 1e6;
        println!("{:<12} {:>10.0} {:>10.0}", pattern.to_string(), rate(generate), rate(check));
    }
}
