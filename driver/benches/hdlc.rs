//! Soft HDLC throughput, ours against libosmocore's `osmo_isdnhdlc` (both with E1 bit order),
//! in Mbit/s of line bits per core: how fast each turns frames into timeslot octets (encode)
//! and timeslot octets into frames (decode), on the same traffic, median of 5 runs.
//!
//! Traffic: 50-octet frames back to back (each encoder is handed the next frame as soon as it
//! takes one), and a mostly idle link (one 50-octet frame per 2000 line octets, flags between).
//! Both decoders decode the same line, made by our encoder; calls move 256 octets at a time.
//!
//! Run: cargo bench -p tdm-driver --bench hdlc

use std::hint::black_box;
use std::time::Instant;

use tdm_driver::hdlc::{HdlcConfig, HdlcDecoder, HdlcEncoder, HdlcEvent};
use tdm_peer_osmocore::{AVAILABLE, OsmoEvent, OsmoHdlcDecoder, OsmoHdlcEncoder};

/// Line octets per run: 2 MiB, 16.8 Mbit.
const LINE_OCTETS: usize = 2 << 20;
const CALL_OCTETS: usize = 256;
const RUNS: usize = 5;
const FRAME_LEN: usize = 50;

/// How frames are offered to an encoder.
#[derive(Clone, Copy)]
enum Traffic {
    /// A new frame whenever the encoder takes one.
    BackToBack,
    /// One frame at the start of every `n` line octets.
    OnePer(usize),
}

impl Traffic {
    fn label(self) -> String {
        match self {
            Traffic::BackToBack => format!("{FRAME_LEN}-octet frames back to back"),
            Traffic::OnePer(n) => format!("idle, one {FRAME_LEN}-octet frame / {n} octets"),
        }
    }
}

fn frames() -> Vec<Vec<u8>> {
    let mut state = 0x1234_5678_9ABC_DEF1u64;
    (0..64)
        .map(|_| {
            (0..FRAME_LEN)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect()
        })
        .collect()
}

/// What the encode timing needs from an encoder.
trait Encoder {
    /// Hands over a frame; false when the encoder has no room for it now.
    fn offer(&mut self, frame: &[u8]) -> bool;
    fn fill(&mut self, out: &mut [u8]);
}

impl Encoder for HdlcEncoder {
    fn offer(&mut self, frame: &[u8]) -> bool {
        self.send(frame).is_ok()
    }
    fn fill(&mut self, out: &mut [u8]) {
        HdlcEncoder::fill(self, out);
    }
}

impl Encoder for OsmoHdlcEncoder {
    fn offer(&mut self, frame: &[u8]) -> bool {
        self.send(frame).is_ok()
    }
    fn fill(&mut self, out: &mut [u8]) {
        OsmoHdlcEncoder::fill(self, out);
    }
}

/// Runs `encoder` over LINE_OCTETS of line in CALL_OCTETS pieces. Returns seconds.
fn time_encode(traffic: Traffic, frames: &[Vec<u8>], encoder: &mut impl Encoder) -> f64 {
    let mut out = [0u8; CALL_OCTETS];
    let mut next = 0;
    let start = Instant::now();
    let mut produced = 0;
    while produced < LINE_OCTETS {
        match traffic {
            Traffic::BackToBack => {
                while encoder.offer(&frames[next % frames.len()]) {
                    next += 1;
                }
            }
            Traffic::OnePer(n) => {
                if produced % n < CALL_OCTETS && encoder.offer(&frames[next % frames.len()]) {
                    next += 1;
                }
            }
        }
        encoder.fill(&mut out);
        black_box(&out);
        produced += CALL_OCTETS;
    }
    start.elapsed().as_secs_f64()
}

fn our_line(traffic: Traffic, frames: &[Vec<u8>]) -> Vec<u8> {
    let mut encoder = HdlcEncoder::new(HdlcConfig::default());
    let mut line = Vec::with_capacity(LINE_OCTETS);
    let mut out = [0u8; CALL_OCTETS];
    let mut next = 0;
    while line.len() < LINE_OCTETS {
        match traffic {
            Traffic::BackToBack => {
                while encoder.send(&frames[next % frames.len()]).is_ok() {
                    next += 1;
                }
            }
            Traffic::OnePer(n) => {
                if line.len() % n < CALL_OCTETS && encoder.send(&frames[next % frames.len()]).is_ok() {
                    next += 1;
                }
            }
        }
        encoder.fill(&mut out);
        line.extend_from_slice(&out);
    }
    line
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn mbit_per_s(seconds: f64) -> f64 {
    (LINE_OCTETS * 8) as f64 / seconds / 1e6
}

struct Row {
    traffic: String,
    direction: &'static str,
    ours: f64,
    osmo: Option<f64>,
    frames: (u64, Option<u64>),
}

fn main() {
    let frames = frames();
    let mut rows = Vec::new();
    for traffic in [Traffic::BackToBack, Traffic::OnePer(2000)] {
        // Encode.
        let ours = median(
            (0..RUNS)
                .map(|_| time_encode(traffic, &frames, &mut HdlcEncoder::new(HdlcConfig::default())))
                .collect(),
        );
        let osmo = AVAILABLE.then(|| {
            median(
                (0..RUNS)
                    .filter_map(|_| Some(time_encode(traffic, &frames, &mut OsmoHdlcEncoder::new(false)?)))
                    .collect(),
            )
        });
        rows.push(Row {
            traffic: traffic.label(),
            direction: "encode",
            ours: mbit_per_s(ours),
            osmo: osmo.map(mbit_per_s),
            frames: (0, None),
        });

        // Decode the same line with both.
        let line = our_line(traffic, &frames);
        let mut our_frames = 0;
        let ours = median(
            (0..RUNS)
                .map(|_| {
                    let mut decoder = HdlcDecoder::new(HdlcConfig::default());
                    let mut count = 0u64;
                    let start = Instant::now();
                    for piece in line.chunks(CALL_OCTETS) {
                        decoder.push(black_box(piece), |event| {
                            if let HdlcEvent::Frame(frame) = event {
                                black_box(frame);
                                count += 1;
                            }
                        });
                    }
                    let seconds = start.elapsed().as_secs_f64();
                    our_frames = count;
                    seconds
                })
                .collect(),
        );
        let mut osmo_frames = None;
        let osmo = AVAILABLE.then(|| {
            median(
                (0..RUNS)
                    .filter_map(|_| {
                        let mut decoder = OsmoHdlcDecoder::new(280)?;
                        let mut count = 0u64;
                        let start = Instant::now();
                        for piece in line.chunks(CALL_OCTETS) {
                            decoder.push(black_box(piece), |event| {
                                if let OsmoEvent::Frame(frame) = event {
                                    black_box(frame);
                                    count += 1;
                                }
                            });
                        }
                        let seconds = start.elapsed().as_secs_f64();
                        osmo_frames = Some(count);
                        Some(seconds)
                    })
                    .collect(),
            )
        });
        rows.push(Row {
            traffic: traffic.label(),
            direction: "decode",
            ours: mbit_per_s(ours),
            osmo: osmo.map(mbit_per_s),
            frames: (our_frames, osmo_frames),
        });
    }

    println!(
        "Soft HDLC, Mbit/s of line bits on one core (median of {RUNS} runs of {} Mbit, {CALL_OCTETS}-octet calls)",
        LINE_OCTETS * 8 / 1_000_000
    );
    if !AVAILABLE {
        println!("libosmocore is not linked (pkg-config did not find it): its column is empty");
    }
    println!(
        "{:<42} {:<7} {:>10} {:>12} {:>8}   frames decoded",
        "traffic", "", "tdm", "libosmocore", "ratio"
    );
    for row in rows {
        let osmo = row.osmo.map_or("-".to_string(), |v| format!("{v:.1}"));
        let ratio = row.osmo.map_or("-".to_string(), |v| format!("{:.1}x", row.ours / v));
        let frames = match row.frames {
            (0, None) => String::new(),
            (ours, osmo) => format!("   {ours} / {}", osmo.map_or("-".to_string(), |n| n.to_string())),
        };
        println!(
            "{:<42} {:<7} {:>10.1} {:>12} {:>8}{frames}",
            row.traffic, row.direction, row.ours, osmo, ratio
        );
    }
}
