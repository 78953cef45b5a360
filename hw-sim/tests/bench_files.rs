//! The example benches in `benches/` at the repository root stay valid, and do what
//! their comments say.

mod common;

use std::path::{Path, PathBuf};

use common::MappedBoard;
use tdm_abi::clock;
use tdm_hw_sim::{Bench, FarEnd, Simulator};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches")
}

#[test]
fn every_example_bench_parses_and_runs() {
    let mut names: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["external-peer.toml", "impairments.toml", "pair.toml", "slips.toml"]);
    for name in &names {
        let bench = Bench::from_file(&examples().join(name)).unwrap_or_else(|e| panic!("{e}"));
        // Benches with external ports would listen on their sockets under /tmp; the
        // others run for a while here.
        if bench.cables().iter().any(|c| matches!(c.b, FarEnd::External(_))) {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let mut sim = Simulator::new(&bench, dir.path()).unwrap();
        for _ in 0..10 {
            sim.step().unwrap();
        }
        assert_eq!(sim.now_ms(), 10, "{name}");
    }
}

#[test]
fn the_slips_bench_slips_on_the_free_running_span_only() {
    let bench = Bench::from_file(&examples().join("slips.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut sim = Simulator::new(&bench, dir.path()).unwrap();
    let cpe = MappedBoard::open(&sim.devices()[1].memory);
    let exchange = MappedBoard::open(&sim.devices()[0].memory);
    cpe.set_clock(1, clock::LINE);
    for _ in 0..5000 {
        sim.step().unwrap();
        for span in 0..2 {
            cpe.take_rx(span);
            exchange.take_rx(span);
        }
    }
    // 5000 blocks: the exchange sends 40 002 units (+50 ppm) on each span; cpe:0 sends
    // 39 999 (-2 ppm), so its elastic store must drop 3 frames. cpe:1 follows the line.
    let free = sim.cable_stats("free-running").unwrap().a_to_b;
    let timed = sim.cable_stats("loop-timed").unwrap().a_to_b;
    assert_eq!((free.units_delivered, free.frame_slips), (40_002, 3));
    assert_eq!((timed.units_delivered, timed.frame_slips), (40_002, 0));
}
