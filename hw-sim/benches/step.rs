//! How fast the simulator advances virtual time, with nobody waiting on it: blocks per
//! second of wall clock, and the speed-up over real time, median of several runs.
//!
//! Run: `cargo bench -p tdm-hw-sim --bench step`

use std::fmt::Write as _;
use std::time::Instant;

use memmap2::MmapMut;
use tdm_abi::BoardView;
use tdm_hw_sim::{Bench, Simulator};

const BLOCKS: u64 = 20_000;
const RUNS: usize = 5;

/// Reads every RX ring empty, as a driver would, so the rings never overrun.
struct Drain {
    boards: Vec<(BoardView, MmapMut)>,
}

impl Drain {
    fn new(sim: &Simulator) -> Drain {
        let boards = sim
            .devices()
            .iter()
            .map(|d| {
                let file = std::fs::OpenOptions::new().read(true).write(true).open(&d.memory).unwrap();
                // SAFETY: the simulator's board file, reached only through the ABI.
                let mut map = unsafe { MmapMut::map_mut(&file) }.unwrap();
                // SAFETY: the mapping is kept beside the view.
                let view = unsafe { BoardView::open(map.as_mut_ptr(), map.len()) }.unwrap();
                (view, map)
            })
            .collect();
        Drain { boards }
    }

    fn run(&self) {
        for (view, _) in &self.boards {
            for s in 0..view.geometry().spans {
                if let Some(span) = view.span(s) {
                    span.rx().skip(usize::MAX);
                }
            }
        }
    }
}

fn measure(text: &str) -> (f64, u32) {
    let bench = Bench::parse(text, "bench").unwrap();
    let spans = bench.boards().iter().map(|b| b.spans).sum();
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let dir = tempfile::tempdir().unwrap();
            let mut sim = Simulator::new(&bench, dir.path()).unwrap();
            let drain = Drain::new(&sim);
            let start = Instant::now();
            for _ in 0..BLOCKS {
                sim.step().unwrap();
                drain.run();
            }
            BLOCKS as f64 / start.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    (rates[RUNS / 2], spans)
}

fn pair(cable: &str) -> String {
    format!(
        "[[board]]\nname = \"a\"\nspans = 1\n[[board]]\nname = \"b\"\nspans = 1\n[[cable]]\na = \"a:0\"\nb = \"b:0\"\n{cable}\n"
    )
}

fn full_rack() -> String {
    // 4 boards of 16 spans, each span of board k cabled to the same span of board k+1.
    let mut text = String::new();
    for board in 0..4 {
        let _ = writeln!(text, "[[board]]\nname = \"b{board}\"\nspans = 16");
    }
    for board in [0, 2] {
        for span in 0..16 {
            let _ = writeln!(
                text,
                "[[cable]]\na = \"b{board}:{span}\"\nb = \"b{}:{span}\"\nber = 1e-6\nclock_ppm = 20",
                board + 1
            );
        }
    }
    text
}

fn main() {
    println!("tdm-hw-sim: blocks (1 ms of line) per second of wall clock, median of {RUNS} runs of {BLOCKS}");
    println!("{:<50} {:>6} {:>12} {:>10} {:>14}", "bench", "spans", "blocks/s", "× real", "ns/span/block");
    let cases = [
        ("2 boards, 1 clean cable", pair("bit_offset = 0")),
        (
            "2 boards, 1 cable: offset 37, BER 1e-3, LCV 1e-4",
            pair("bit_offset = 37\nber = 1e-3\nlcv_rate = 1e-4"),
        ),
        ("4 boards × 16 spans, 32 cables, 20 ppm", full_rack()),
    ];
    for (name, text) in &cases {
        let (rate, spans) = measure(text);
        println!(
            "{name:<50} {spans:>6} {rate:>12.0} {:>10.0} {:>14.0}",
            rate / 1000.0,
            1e9 / rate / spans as f64
        );
    }
}
