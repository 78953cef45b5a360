//! Software framer cost per span: one 1 ms block (8 frames, 256 line octets) of an
//! aligned CRC-4 line whose frames sit 5 bits into the raw octets, as a span does it:
//! receive (alignment upkeep, CRC-4 check) with demux of the 30 voice timeslots into
//! per-timeslot arrays, plus mux of 30 timeslots and `transmit` of 8 frames the other way.
//! Median of 5 runs over 10 s of line.
//!
//! Run: cargo bench -p tdm-driver --bench framer

use std::hint::black_box;
use std::time::Instant;

use tdm_driver::framer::{Crc4Mode, FRAME_OCTETS, Frame, Framer, FramerConfig, SyncState};

const SECONDS: usize = 10;
const FRAMES_PER_BLOCK: usize = 8;
const BLOCKS: usize = SECONDS * 1000;
const BLOCK_OCTETS: usize = FRAMES_PER_BLOCK * FRAME_OCTETS;
/// Blocks fed before timing, to reach CRC-4 multiframe alignment.
const WARM_UP_BLOCKS: usize = 100;
const BIT_OFFSET: u32 = 5;
const RUNS: usize = 5;

/// The 30 bearer timeslots: 1..=15 and 17..=31.
const VOICE_TIMESLOTS: [std::ops::Range<usize>; 2] = [1..16, 17..32];

/// 10 s of a CRC-4 line from a far-end framer, `BIT_OFFSET` bits into the octets.
fn build_line() -> Vec<u8> {
    let mut far = Framer::new(FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() });
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut out = Vec::with_capacity(BLOCKS * BLOCK_OCTETS + 2);
    // Bits not yet written, oldest highest: each octet in pushes one out, so BIT_OFFSET
    // bits are always pending. The line starts with BIT_OFFSET ones.
    let mut acc: u32 = (1 << BIT_OFFSET) - 1;
    let pending = BIT_OFFSET;
    for _ in 0..BLOCKS * FRAMES_PER_BLOCK {
        let mut frame = [0u8; FRAME_OCTETS];
        for octet in frame.iter_mut().skip(1) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *octet = state as u8;
        }
        far.transmit(&mut frame);
        for &octet in &frame {
            acc = (acc << 8) | u32::from(octet);
            out.push((acc >> pending) as u8);
            acc &= (1 << pending) - 1;
        }
    }
    out.push(((acc << (8 - pending)) | ((1 << (8 - pending)) - 1)) as u8);
    out.push(0xFF);
    out
}

struct Timing {
    total_ns: f64,
    rx_ns: f64,
    tx_ns: f64,
}

fn run(line: &[u8]) -> Timing {
    let mut framer = Framer::new(FramerConfig::default());
    let blocks: Vec<&[u8]> = line.chunks(BLOCK_OCTETS).collect();
    for block in &blocks[..WARM_UP_BLOCKS] {
        framer.receive(block, false, |_| {});
    }
    assert_eq!(framer.sync(), SyncState::MultiframeAligned, "warm-up did not align");

    let mut rx_slots = [[0u8; FRAMES_PER_BLOCK]; 32];
    let mut tx_slots = [[0xD5u8; FRAMES_PER_BLOCK]; 32];
    let mut tx_frames = [[0u8; FRAME_OCTETS]; FRAMES_PER_BLOCK];
    let timed = &blocks[WARM_UP_BLOCKS..BLOCKS];

    let start = Instant::now();
    for (b, block) in timed.iter().enumerate() {
        for (i, frame) in tx_frames.iter_mut().enumerate() {
            for range in VOICE_TIMESLOTS {
                for ts in range {
                    frame[ts] = tx_slots[ts][i];
                }
            }
            framer.transmit(frame);
        }
        let mut index = 0;
        framer.receive(block, false, |frame: &Frame| {
            let i = index % FRAMES_PER_BLOCK;
            for range in VOICE_TIMESLOTS {
                for ts in range {
                    rx_slots[ts][i] = frame[ts];
                }
            }
            index += 1;
        });
        black_box(&tx_frames);
        black_box(&mut rx_slots);
        tx_slots[1][0] = b as u8;
    }
    let total = start.elapsed();
    assert_eq!(framer.counters().crc4_errors, 0);
    assert_eq!(framer.counters().alignment_losses, 0);

    // The two halves alone, for the breakdown.
    let mut rx_only = Framer::new(FramerConfig::default());
    for block in &blocks[..WARM_UP_BLOCKS] {
        rx_only.receive(block, false, |_| {});
    }
    let start = Instant::now();
    for block in timed {
        rx_only.receive(block, false, |frame| {
            black_box(frame);
        });
    }
    let rx = start.elapsed();
    let start = Instant::now();
    for _ in timed {
        for frame in tx_frames.iter_mut() {
            framer.transmit(frame);
        }
        black_box(&tx_frames);
    }
    let tx = start.elapsed();

    let per_block = |d: std::time::Duration| d.as_nanos() as f64 / timed.len() as f64;
    Timing { total_ns: per_block(total), rx_ns: per_block(rx), tx_ns: per_block(tx) }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let line = build_line();
    let runs: Vec<Timing> = (0..RUNS).map(|_| run(&line)).collect();
    let total = median(runs.iter().map(|t| t.total_ns).collect());
    let rx = median(runs.iter().map(|t| t.rx_ns).collect());
    let tx = median(runs.iter().map(|t| t.tx_ns).collect());
    println!(
        "framer: {total:.0} ns per 1 ms block, {:.0} E1 spans in real time per core",
        1_000_000.0 / total
    );
    println!("  receive only (CRC-4 check, no demux): {rx:.0} ns per block");
    println!("  transmit only (TS0 + CRC-4, no mux): {tx:.0} ns per block");
    println!("  {SECONDS} s of CRC-4 line at bit offset {BIT_OFFSET}, median of {RUNS} runs");
}
