//! A far end for a simulated span, written from the external line port protocol in
//! `docs/board-abi.md` alone: it shares no code with the driver or the simulator. It is
//! an E1 transmitter with its own timeslot 0 (FAS/NFAS and, with `--crc4`, the CRC-4
//! multiframe), and it reports whether it found frame alignment in what the span sends.
//!
//! Usage: e1-far-end <socket> <blocks> [--crc4]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::process::ExitCode;

const BLOCK: usize = 8 * 32;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: e1-far-end <socket> <blocks> [--crc4]");
        return ExitCode::from(2);
    }
    let blocks: u64 = match args[2].parse() {
        Ok(n) => n,
        Err(_) => {
            eprintln!("e1-far-end: blocks must be a number, got {:?}", args[2]);
            return ExitCode::from(2);
        }
    };
    let crc4 = args.iter().any(|a| a == "--crc4");
    match run(&args[1], blocks, crc4) {
        Ok(found) => {
            println!("far end: {blocks} blocks exchanged, FAS found in received stream: {found}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("e1-far-end: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(path: &str, blocks: u64, crc4: bool) -> std::io::Result<bool> {
    let mut line = UnixStream::connect(path)?;
    let mut hello = [0u8; 16];
    line.read_exact(&mut hello)?;
    if &hello[..8] != b"TDMLINE1" || hello[8..12] != 8u32.to_le_bytes() || hello[12..] != [0; 4] {
        return Err(std::io::Error::other(format!("unexpected hello {hello:02x?}")));
    }
    let mut transmitter = Transmitter::new(crc4);
    let mut received = Vec::with_capacity(BLOCK * blocks as usize);
    let mut rx = [0u8; BLOCK];
    let mut tx = [0u8; BLOCK];
    for _ in 0..blocks {
        line.read_exact(&mut rx)?;
        received.extend_from_slice(&rx);
        for frame in tx.chunks_mut(32) {
            transmitter.next_frame(frame);
        }
        line.write_all(&tx)?;
    }
    Ok(fas_found(&received))
}

/// Frames with a G.704 timeslot 0; the payload is A-law silence with a counter on TS1.
struct Transmitter {
    frame: u64,
    crc4: bool,
    /// CRC-4 of the sub-multiframe being sent, and the one to send in the next.
    running: u8,
    to_send: u8,
}

impl Transmitter {
    fn new(crc4: bool) -> Self {
        Transmitter { frame: 0, crc4, running: 0, to_send: 0 }
    }

    fn next_frame(&mut self, out: &mut [u8]) {
        let n = (self.frame % 16) as usize;
        let fas_frame = n.is_multiple_of(2);
        out.fill(0xD5);
        out[1] = self.frame as u8;
        let si = if !self.crc4 {
            1
        } else if fas_frame {
            // C bits: C1 (the remainder's MSB) in frame 0 of the sub-multiframe.
            (self.to_send >> (3 - (n % 8) / 2)) & 1
        } else {
            // Multiframe alignment 001011 in frames 1..11, then E bits (no errors) in 13, 15.
            [0, 0, 1, 0, 1, 1, 1, 1][n / 2]
        };
        out[0] = if fas_frame { si << 7 | 0x1B } else { si << 7 | 0x40 | 0x1F };
        if self.crc4 {
            let mut frame = [0u8; 32];
            frame.copy_from_slice(out);
            if fas_frame {
                frame[0] &= 0x7F;
            }
            for byte in frame {
                self.running = crc4_byte(self.running, byte);
            }
            if n % 8 == 7 {
                self.to_send = self.running;
                self.running = 0;
            }
        }
        self.frame += 1;
    }
}

/// One octet into a CRC-4 (x^4 + x + 1) remainder, bit by bit: slow and obviously right.
fn crc4_byte(mut crc: u8, byte: u8) -> u8 {
    for i in (0..8).rev() {
        let bit = (byte >> i) & 1;
        let top = (crc >> 3) & 1;
        crc = (crc << 1) & 0xF;
        if top ^ bit == 1 {
            crc ^= 0x3;
        }
    }
    crc
}

/// Does the stream hold the FAS every second frame at some bit offset, for a while?
fn fas_found(stream: &[u8]) -> bool {
    let bit = |i: usize| (stream[i / 8] >> (7 - i % 8)) & 1;
    let word = |start: usize| (0..7).fold(0u8, |w, k| w << 1 | bit(start + 1 + k));
    let total_bits = stream.len() * 8;
    (0..512).any(|offset| {
        let checks = (0..).map(|k| offset + k * 512).take_while(|&s| s + 8 < total_bits).skip(16).take(200);
        let mut n = 0;
        for start in checks {
            if word(start) != 0x1B {
                return false;
            }
            n += 1;
        }
        n == 200
    })
}
