//! Simulated E1 boards that speak the tdm board ABI (`docs/board-abi.md`), so that the
//! driver runs the very same code against them as against hardware.
//!
//! A [`Bench`] (a TOML file, `docs/bench-file.md`) declares boards and the cables between
//! their spans. A [`Simulator`] built from it creates, per board, a memory file laid out
//! by `tdm_abi` and an interrupt socket, and then advances virtual time one 1 ms block at
//! a time: each span takes units from its TX ring at its transmit clock, the cables carry
//! the bits with their delay, clock offset and impairments, and the spans put what
//! arrives into their RX rings. Cables can end at an external line port, where any
//! program can be the far end.
//!
//! Invariants: the simulator knows nothing of the driver, only the ABI; every random
//! choice comes from the bench seed, so the same bench and the same driver behaviour give
//! a bit-identical run; a block does not allocate, and logs only when a driver or peer
//! comes, goes or times out.

mod bench;
mod clock;
mod control;
mod error;
mod external;
mod irq;
mod line;
mod memory;
mod rng;
mod sim;
mod sock;
mod timing;

pub use bench::{
    Bench, BenchError, BoardSpec, CableSpec, DEFAULT_RING_UNITS, Direction, FarEnd, FaultKind, FaultSpec,
    MAX_BIT_OFFSET, MAX_CLOCK_PPM, MAX_ERROR_RATE, SpanPort,
};
pub use control::SimControl;
pub use error::SimError;
pub use external::{LINE_BLOCK_OCTETS, LINE_HELLO};
pub use line::DirectionStats;
pub use sim::{BoardDevice, CableStats, DEFAULT_TIMEOUT, Pacing, Simulator};
