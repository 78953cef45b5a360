//! A rig for whole-system scenarios: a simulated bench with the real driver on every
//! board, stepped in lockstep from one thread so that a scenario is exact and repeatable.

pub mod far_end;
pub mod mtp;

use std::time::Duration;

use tdm_driver::{BoardPaths, Driver, DriverHandle, ErrorKind, SpanConfig, SpanReport};
use tdm_hw_sim::{Bench, Simulator};

pub struct Rig {
    pub sim: Simulator,
    boards: Vec<(String, Driver, DriverHandle)>,
    _dir: tempfile::TempDir,
}

impl Rig {
    /// Builds the bench and opens a driver on each listed board with the given span configs.
    pub fn new(bench: &str, boards: &[(&str, Vec<SpanConfig>)]) -> Rig {
        let bench = Bench::parse(bench, "scenario bench").unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::tempdir().expect("temporary directory");
        let sim = Simulator::new(&bench, dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let mut opened = Vec::new();
        for (name, spans) in boards {
            let device =
                sim.devices().iter().find(|d| d.name == *name).unwrap_or_else(|| panic!("no board {name}"));
            let paths = BoardPaths { memory: device.memory.clone(), interrupt: device.interrupt.clone() };
            let (driver, handle) = Driver::open(&paths, spans).unwrap_or_else(|e| panic!("{e}"));
            opened.push((name.to_string(), driver, handle));
        }
        Rig { sim, boards: opened, _dir: dir }
    }

    /// One block of virtual time: the simulator moves the bits, every driver serves its board.
    pub fn step(&mut self) {
        self.sim.step().unwrap_or_else(|e| panic!("{e}"));
        for (name, driver, _) in &mut self.boards {
            match driver.service(Duration::from_secs(5)) {
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::Timeout => panic!("board {name} raised no interrupt: {e}"),
                Err(e) => panic!("{e}"),
            }
        }
    }

    pub fn run_ms(&mut self, ms: u64) {
        for _ in 0..ms {
            self.step();
        }
    }

    /// Steps until `done` holds (checked after each block) or `limit_ms` pass; returns the
    /// virtual time it took.
    pub fn run_until(&mut self, limit_ms: u64, mut done: impl FnMut(&Rig) -> bool) -> Option<u64> {
        let start = self.sim.now_ms();
        while self.sim.now_ms() - start < limit_ms {
            self.step();
            if done(self) {
                return Some(self.sim.now_ms() - start);
            }
        }
        None
    }

    pub fn handle(&self, board: &str) -> &DriverHandle {
        &self.boards.iter().find(|(n, _, _)| n == board).unwrap_or_else(|| panic!("no board {board}")).2
    }

    pub fn report(&self, board: &str, span: u32) -> SpanReport {
        self.handle(board).report(span).unwrap_or_else(|| panic!("no span {board}:{span}"))
    }
}
