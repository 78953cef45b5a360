//! Soft HDLC against libosmocore's `osmo_isdnhdlc` (with `OSMO_HDLC_F_BITREVERSE`, the E1 bit
//! order): frames cross in both directions, and for the same schedule of frames both encoders put
//! the very same octets on the line.
//!
//! Skipped, with a notice, when the peer crate was built without libosmocore.

use tdm_driver::hdlc::{HdlcConfig, HdlcDecoder, HdlcEncoder, HdlcError, HdlcEvent, IdleFill};
use tdm_peer_osmocore::{AVAILABLE, OsmoError, OsmoEvent, OsmoHdlcDecoder, OsmoHdlcEncoder};

fn skip() -> bool {
    if !AVAILABLE {
        println!("libosmocore is not linked (pkg-config did not find it): skipping the peer comparison");
    }
    !AVAILABLE
}

/// xorshift64*: deterministic test traffic without a dependency.
struct Traffic(u64);

impl Traffic {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }

    /// Frames of 3 to 272 octets; every tenth is all ones or all zeros to exercise zero insertion.
    fn frames(&mut self, count: usize) -> Vec<Vec<u8>> {
        (0..count)
            .map(|i| {
                let len = 3 + self.below(270);
                match i % 10 {
                    3 => vec![0xFF; len],
                    7 => vec![0x00; len],
                    _ => (0..len).map(|_| self.next() as u8).collect(),
                }
            })
            .collect()
    }
}

/// Line octets from our encoder: each frame sent once the encoder is idle, then `gap(i)` idle
/// octets.
fn ours_on_the_line(frames: &[Vec<u8>], idle: IdleFill, gap: impl Fn(usize) -> usize) -> Vec<u8> {
    let mut encoder = HdlcEncoder::new(HdlcConfig { idle, ..HdlcConfig::default() });
    let mut line = Vec::new();
    let mut octet = [0u8; 1];
    for (i, frame) in frames.iter().enumerate() {
        encoder.send(frame).unwrap();
        while !encoder.is_idle() {
            encoder.fill(&mut octet);
            line.push(octet[0]);
        }
        let mut idle_octets = vec![0u8; gap(i)];
        encoder.fill(&mut idle_octets);
        line.extend_from_slice(&idle_octets);
    }
    line
}

/// The same schedule through libosmocore's encoder.
fn osmo_on_the_line(frames: &[Vec<u8>], mark_idle: bool, gap: impl Fn(usize) -> usize) -> Vec<u8> {
    let mut encoder = OsmoHdlcEncoder::new(mark_idle).unwrap();
    let mut line = Vec::new();
    let mut octet = [0u8; 1];
    for (i, frame) in frames.iter().enumerate() {
        encoder.send(frame).unwrap();
        while !encoder.is_idle() {
            encoder.fill(&mut octet);
            line.push(octet[0]);
        }
        let mut idle_octets = vec![0u8; gap(i)];
        encoder.fill(&mut idle_octets);
        line.extend_from_slice(&idle_octets);
    }
    line
}

fn osmo_decodes(line: &[u8], chunk: usize) -> (Vec<Vec<u8>>, Vec<OsmoError>) {
    let mut decoder = OsmoHdlcDecoder::new(280).unwrap();
    let mut frames = Vec::new();
    let mut errors = Vec::new();
    for piece in line.chunks(chunk) {
        decoder.push(piece, |event| match event {
            OsmoEvent::Frame(frame) => frames.push(frame.to_vec()),
            OsmoEvent::Error(error) => errors.push(error),
        });
    }
    (frames, errors)
}

fn ours_decodes(line: &[u8], chunk: usize) -> (Vec<Vec<u8>>, Vec<HdlcError>) {
    let mut decoder = HdlcDecoder::new(HdlcConfig::default());
    let mut frames = Vec::new();
    let mut errors = Vec::new();
    for piece in line.chunks(chunk) {
        decoder.push(piece, |event| match event {
            HdlcEvent::Frame(frame) => frames.push(frame.to_vec()),
            HdlcEvent::Error(error) => errors.push(error),
        });
    }
    assert_eq!(decoder.counters().frames, frames.len() as u64);
    (frames, errors)
}

#[test]
fn our_frames_decode_in_libosmocore() {
    if skip() {
        return;
    }
    let mut traffic = Traffic(0x5EED_0001);
    let frames = traffic.frames(200);
    // Back to back with shared flags, as our encoder queues them.
    let mut encoder = HdlcEncoder::new(HdlcConfig::default());
    let mut line = Vec::new();
    let mut block = [0u8; 32];
    for frame in &frames {
        while encoder.send(frame).is_err() {
            encoder.fill(&mut block);
            line.extend_from_slice(&block);
        }
    }
    while !encoder.is_idle() {
        encoder.fill(&mut block);
        line.extend_from_slice(&block);
    }
    encoder.fill(&mut block);
    line.extend_from_slice(&block);
    let (decoded, errors) = osmo_decodes(&line, 61);
    assert_eq!(errors, vec![]);
    assert_eq!(decoded, frames);

    // With idle gaps of 0 to 9 octets, and at least one after the last frame: libosmocore
    // reads only the first bit of the last octet of each call until more octets arrive.
    let mut gaps: Vec<usize> = (0..frames.len()).map(|_| traffic.below(10)).collect();
    gaps[frames.len() - 1] = 1;
    let line = ours_on_the_line(&frames, IdleFill::Flags, |i| gaps[i]);
    let (decoded, errors) = osmo_decodes(&line, 7);
    assert_eq!(errors, vec![]);
    assert_eq!(decoded, frames);
}

#[test]
fn our_mark_idle_frames_decode_in_libosmocore() {
    if skip() {
        return;
    }
    let frames = Traffic(0x5EED_0002).frames(100);
    let line = ours_on_the_line(&frames, IdleFill::Marks, |i| i % 5);
    let (decoded, errors) = osmo_decodes(&line, 1000);
    assert_eq!(errors, vec![]);
    assert_eq!(decoded, frames);
}

#[test]
fn libosmocore_frames_decode_in_ours() {
    if skip() {
        return;
    }
    let mut traffic = Traffic(0x5EED_0003);
    let frames = traffic.frames(200);
    let gaps: Vec<usize> = (0..frames.len()).map(|_| traffic.below(6)).collect();
    let line = osmo_on_the_line(&frames, false, |i| gaps[i]);
    for chunk in [1, 13, 4096] {
        let (decoded, errors) = ours_decodes(&line, chunk);
        assert_eq!(errors, vec![]);
        assert_eq!(decoded, frames);
    }
    // Back to back: libosmocore gets the next frame as soon as it has taken the previous one.
    let mut encoder = OsmoHdlcEncoder::new(false).unwrap();
    let mut line = Vec::new();
    let mut block = [0u8; 40];
    for frame in &frames {
        while encoder.send(frame).is_err() {
            encoder.fill(&mut block);
            line.extend_from_slice(&block);
        }
    }
    while !encoder.is_idle() {
        encoder.fill(&mut block);
        line.extend_from_slice(&block);
    }
    let (decoded, errors) = ours_decodes(&line, 333);
    assert_eq!(errors, vec![]);
    assert_eq!(decoded, frames);
}

#[test]
fn both_encoders_put_the_same_octets_on_the_line() {
    if skip() {
        return;
    }
    let mut traffic = Traffic(0x5EED_0004);
    let frames = traffic.frames(300);
    // Idle gaps of 0 to 4 octets, the same for both; 0 means the next frame is handed over as
    // soon as the previous one is completely on the line.
    let gaps: Vec<usize> = (0..frames.len()).map(|_| traffic.below(5)).collect();
    let ours = ours_on_the_line(&frames, IdleFill::Flags, |i| gaps[i]);
    let osmo = osmo_on_the_line(&frames, false, |i| gaps[i]);
    assert_eq!(ours.len(), osmo.len());
    if let Some(first) = ours.iter().zip(&osmo).position(|(a, b)| a != b) {
        panic!(
            "line octets differ from octet {first}: ours {:02X?} osmo {:02X?}",
            &ours[first..],
            &osmo[first..]
        );
    }
    // And the idle before any frame: flags.
    let mut ours_idle = [0u8; 16];
    HdlcEncoder::new(HdlcConfig::default()).fill(&mut ours_idle);
    let mut osmo_idle = [0u8; 16];
    OsmoHdlcEncoder::new(false).unwrap().fill(&mut osmo_idle);
    assert_eq!(ours_idle, osmo_idle);
    assert_eq!(ours_idle, [0x7E; 16]);
}

#[test]
fn both_decoders_reject_the_same_corruptions() {
    if skip() {
        return;
    }
    let frames = Traffic(0x5EED_0005).frames(50);
    let clean = ours_on_the_line(&frames, IdleFill::Flags, |_| 2);
    let mut traffic = Traffic(0x5EED_0006);
    let mut line = clean.clone();
    for _ in 0..20 {
        let at = traffic.below(line.len() as u64);
        line[at] ^= 1 << traffic.below(8);
    }
    let (ours, _) = ours_decodes(&line, 97);
    let (osmo, _) = osmo_decodes(&line, 97);
    // Both must deliver exactly the frames no flipped bit touched, and nothing else.
    assert_eq!(ours, osmo);
    assert!(ours.len() < frames.len());
    assert!(ours.iter().all(|frame| frames.contains(frame)));
}
