//! How many E1 spans one core can run in real time through the whole driver path: raw
//! units from the board ring, software framer with CRC-4, slip buffer, demux into 30 voice
//! rings per span and the HDLC decoder on TS16, and back (mux, TS0 and CRC-4, TX ring).
//!
//! The bench plays the board itself: a 64-span board in a memory file, RX rings fed with a
//! CRC-4 line at a bit offset, one interrupt per 1 ms block over a socket, exactly as the
//! simulator does. Figures are per span-block (1 ms of one span); one core keeps up with
//! `1 ms / that` spans.
//!
//! Run: cargo bench -p tdm-driver --bench spans

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tdm_abi::{BoardView, Geometry, UNIT_OCTETS};
use tdm_driver::framer::{Crc4Mode, Framer, FramerConfig};
use tdm_driver::hdlc::HdlcConfig;
use tdm_driver::{BoardPaths, Driver, SpanConfig};

const SPANS: u32 = 64;
/// A multiple of 32 blocks (256 frames): the payload pattern and the CRC-4 multiframe both repeat.
const BLOCKS: usize = 2048;
const BIT_OFFSET: usize = 5;

/// A clean CRC-4 line as a far end sends it, shifted by BIT_OFFSET bits, and periodic in
/// BLOCKS blocks so the bench can replay it without a seam.
fn line_stream() -> Vec<u8> {
    let mut far_end = Framer::new(FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() });
    // The far end hears itself (a looped line), so it sends no RAI and E bits of 1.
    let warm_up = 4096;
    let mut aligned = Vec::with_capacity(BLOCKS * 256);
    for n in 0..warm_up + BLOCKS * 8 {
        let mut frame = [0u8; 32];
        for (ts, o) in frame.iter_mut().enumerate() {
            *o = (n as u8).wrapping_mul(7).wrapping_add(ts as u8 * 13);
        }
        frame[16] = 0x7E;
        far_end.transmit(&mut frame);
        far_end.receive(&frame, false, |_| {});
        if n >= warm_up {
            aligned.extend_from_slice(&frame);
        }
    }
    let len = aligned.len();
    (0..len)
        .map(|i| (aligned[(i + len - 1) % len] << (8 - BIT_OFFSET)) | (aligned[i] >> BIT_OFFSET))
        .collect()
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let geometry = Geometry { spans: SPANS, ring_units: 64 };
    let memory = dir.path().join("bench.mem");
    let file =
        std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&memory).unwrap();
    file.set_len(geometry.size() as u64).unwrap();
    // SAFETY: the bench owns this file; the driver maps it too, which is the point.
    let mut map = unsafe { memmap2::MmapMut::map_mut(&file) }.unwrap();
    // SAFETY: the mapping outlives the view (both live to the end of main).
    let board = unsafe { BoardView::format(map.as_mut_ptr(), map.len(), geometry, "bench") }.unwrap();
    let irq_path = dir.path().join("bench.irq");
    let listener = UnixListener::bind(&irq_path).unwrap();

    let config = SpanConfig {
        framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
        ..SpanConfig::default()
    };
    let configs = vec![config; SPANS as usize];
    let (mut driver, handle) = Driver::open(&BoardPaths { memory, interrupt: irq_path }, &configs).unwrap();
    let (mut irq, _) = listener.accept().unwrap();
    let mut channels = Vec::new();
    for span in 0..SPANS {
        for ts in (1..32u8).filter(|&t| t != 16) {
            channels.push(handle.open_audio(span, ts, 512).unwrap());
        }
        handle.open_hdlc(span, 16, HdlcConfig::default()).unwrap();
    }
    let stream = line_stream();
    let mut tx_sink = vec![0u8; 64 * UNIT_OCTETS];
    let mut audio = [0u8; 64];
    let mut in_driver = Duration::ZERO;
    let mut block = |n: usize, driver: &mut Driver, in_driver: &mut Duration| {
        let units = &stream[(n % BLOCKS) * 256..(n % BLOCKS) * 256 + 256];
        for s in 0..SPANS {
            let span = board.span(s).unwrap();
            span.rx().push(units);
            span.tx().pop(&mut tx_sink);
        }
        let seq = board.header().block_seq.fetch_add(1, Ordering::AcqRel) + 1;
        irq.write_all(&(seq as u32).to_le_bytes()).unwrap();
        let start = Instant::now();
        driver.service(Duration::from_secs(1)).unwrap();
        *in_driver += start.elapsed();
        let mut ack = [0u8; 4];
        irq.read_exact(&mut ack).unwrap();
        for ch in channels.iter_mut() {
            ch.rx.pop_slice(&mut audio);
            ch.tx.push_slice(&audio[..8]);
        }
    };
    // Warm up: alignment, CRC-4 multiframe, slip buffer primed.
    // It ends where the timed runs start, so the replayed line has no seam.
    for n in BLOCKS - 300..BLOCKS {
        block(n, &mut driver, &mut in_driver);
    }
    let report = handle.report(0).unwrap();
    assert!(report.alarms.is_empty(), "bench line not aligned: {report:?}");
    let before = report.counters;
    let mut runs = Vec::new();
    for _ in 0..5 {
        in_driver = Duration::ZERO;
        let start = Instant::now();
        for n in 0..BLOCKS {
            block(n, &mut driver, &mut in_driver);
        }
        let per_span_block = |d: Duration| d.as_nanos() as f64 / (BLOCKS as f64 * SPANS as f64);
        runs.push((per_span_block(in_driver), per_span_block(start.elapsed())));
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (ns, whole) = runs[2];
    println!("driver span path: framer + CRC-4 + slip buffer + demux/mux of 30 voice rings + HDLC on TS16");
    println!(
        "  {ns:.0} ns per span per 1 ms block in the driver (median of 5 runs of {BLOCKS} blocks x {SPANS} spans)"
    );
    println!("  {:.0} E1 spans in real time per core (target: 2000)", 1e6 / ns);
    println!("  ({whole:.0} ns per span-block with the bench's board and application sides included)");
    let c = handle.report(0).unwrap().counters;
    let errors = (c.fas_errors - before.fas_errors, c.crc4_errors - before.crc4_errors);
    assert_eq!(errors, (0, 0), "the bench line must stay clean");
}
