//! The interrupt protocol: lockstep with a driver, free running without one, the
//! re-enable timeout, and real-time pacing.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{board, simulator};
use tdm_abi::{IRQ_ENABLE, board_flags};
use tdm_hw_sim::Pacing;

const ONE_BOARD: &str = "[[board]]\nname = \"a\"\nspans = 1\n";

fn read_count(driver: &mut UnixStream) -> u32 {
    let mut b = [0u8; 4];
    driver.read_exact(&mut b).unwrap();
    u32::from_le_bytes(b)
}

fn nothing_to_read(driver: &UnixStream) -> bool {
    driver.set_nonblocking(true).unwrap();
    let mut b = [0u8; 4];
    let idle = matches!((&*driver).read(&mut b), Err(e) if e.kind() == ErrorKind::WouldBlock);
    driver.set_nonblocking(false).unwrap();
    idle
}

#[test]
fn with_no_driver_the_board_runs_free_and_is_marked_running() {
    let (mut sim, _dir) = simulator(ONE_BOARD);
    let a = board(&sim, "a");
    assert_eq!(a.view().header().board_flags.load(Ordering::Acquire), board_flags::RUNNING);
    for _ in 0..100 {
        sim.step().unwrap();
    }
    assert_eq!((a.block_seq(), sim.now_ms()), (100, 100));
    drop(sim);
    assert_eq!(a.view().header().board_flags.load(Ordering::Acquire), 0);
}

#[test]
fn a_single_thread_can_alternate_step_and_service() {
    let (mut sim, _dir) = simulator(ONE_BOARD);
    let mut driver = UnixStream::connect(&sim.devices()[0].interrupt).unwrap();
    for expected in 1..=20u32 {
        sim.step().unwrap();
        assert_eq!(read_count(&mut driver), expected);
        driver.write_all(&IRQ_ENABLE).unwrap();
    }
    // A driver that disconnects is dropped, the board runs free, a new one is taken.
    drop(driver);
    for _ in 0..5 {
        sim.step().unwrap();
    }
    let mut again = UnixStream::connect(&sim.devices()[0].interrupt).unwrap();
    sim.step().unwrap();
    assert_eq!(read_count(&mut again), 26);
}

#[test]
fn the_board_waits_for_the_re_enable_before_its_next_block() {
    let (sim, _dir) = simulator(ONE_BOARD);
    let a = board(&sim, "a");
    let mut driver = UnixStream::connect(&sim.devices()[0].interrupt).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let handle = sim.spawn(Pacing::Lockstep, stop.clone());
    let first = read_count(&mut driver);
    for _ in 0..3 {
        // However long the driver takes, the board does not start the next block.
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(a.block_seq(), first as u64);
    }
    driver.write_all(&IRQ_ENABLE).unwrap();
    assert_eq!(read_count(&mut driver), first + 1);
    driver.write_all(&IRQ_ENABLE).unwrap();
    assert_eq!(read_count(&mut driver), first + 2);
    stop.store(true, Ordering::Relaxed);
    let sim = handle.join().unwrap().unwrap();
    assert_eq!(sim.now_ms(), first as u64 + 2);
}

#[test]
fn a_driver_that_misses_the_timeout_is_not_waited_for_again_until_it_re_enables() {
    let (mut sim, _dir) = simulator(ONE_BOARD);
    sim.set_irq_timeout(Duration::from_millis(20));
    let mut driver = UnixStream::connect(&sim.devices()[0].interrupt).unwrap();
    sim.step().unwrap();
    assert_eq!(read_count(&mut driver), 1);
    // No re-enable: the step waits 20 ms, goes on, and raises nothing.
    sim.step().unwrap();
    sim.step().unwrap();
    assert_eq!(sim.now_ms(), 3);
    assert!(nothing_to_read(&driver));
    driver.write_all(&IRQ_ENABLE).unwrap();
    sim.step().unwrap();
    assert_eq!(read_count(&mut driver), 4);
}

#[test]
fn real_time_pacing_never_runs_ahead_of_the_wall_clock_nor_waits_for_drivers() {
    let (sim, _dir) = simulator(ONE_BOARD);
    let a = board(&sim, "a");
    let mut driver = UnixStream::connect(&sim.devices()[0].interrupt).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let handle = sim.spawn(Pacing::RealTime, stop.clone());
    let first = read_count(&mut driver);
    // The driver never re-enables: the board goes on regardless.
    let deadline = Instant::now() + Duration::from_secs(20);
    while a.block_seq() < first as u64 + 30 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    let sim = handle.join().unwrap().unwrap();
    let elapsed_ms = start.elapsed().as_millis() as u64;
    assert!(sim.now_ms() >= first as u64 + 30);
    // Block k is never started before k ms have passed.
    assert!(sim.now_ms() <= elapsed_ms + 1, "{} blocks in {elapsed_ms} ms", sim.now_ms());
    assert!(nothing_to_read(&driver));
}
