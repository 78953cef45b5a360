//! Whole-framer scenarios: a far end built from the transmit side, a line serialised at
//! a chosen bit offset, and exact states and counts on the receive side.
//!
//! Frame accounting used below: the search first sees the TS0 of the line's first whole
//! frame. Starting on a FAS frame N, alignment is declared on the FAS of N+2 and that
//! frame is the first delivered: 2 frames lost. Starting on an NFAS frame: 3 lost. After
//! a loss declared on frame L, the search starts with frame L+1: alignment comes back on
//! L+3 when L is odd (NFAS), L+4 when L is even (FAS).

use super::tx::Transmitter;
use super::*;
use proptest::prelude::*;

/// xorshift64*: deterministic payload.
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn fill(&mut self, frame: &mut Frame) {
        for chunk in frame[1..].chunks_mut(8) {
            let bytes = self.next().to_be_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// A far end whose A and E bits the test sets, independent of any receiver.
struct FarEnd {
    tx: Transmitter,
    payload: Prng,
    remote_alarm: bool,
    e_bit: bool,
    /// Called on each frame's payload before TS0 is completed.
    shape: fn(usize, &mut Frame),
    sent: usize,
}

impl FarEnd {
    fn new(crc4: bool, seed: u64) -> Self {
        FarEnd {
            tx: Transmitter::new(crc4, 0x1F),
            payload: Prng(seed | 1),
            remote_alarm: false,
            e_bit: true,
            shape: |_, _| {},
            sent: 0,
        }
    }

    fn frame(&mut self) -> Frame {
        let mut frame = [0u8; FRAME_OCTETS];
        self.payload.fill(&mut frame);
        (self.shape)(self.sent, &mut frame);
        self.tx.complete(&mut frame, self.remote_alarm, self.e_bit);
        self.sent += 1;
        frame
    }

    fn frames(&mut self, count: usize) -> Vec<Frame> {
        (0..count).map(|_| self.frame()).collect()
    }
}

/// Bits onto a line, MSB first.
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    bits: u32,
}

impl BitWriter {
    fn new() -> Self {
        BitWriter { out: Vec::new(), acc: 0, bits: 0 }
    }

    /// The low `count` bits of `value`, highest first.
    fn bits(&mut self, value: u32, count: u32) {
        for i in (0..count).rev() {
            self.acc = (self.acc << 1) | ((value >> i) & 1);
            self.bits += 1;
            if self.bits == 8 {
                self.out.push(self.acc as u8);
                self.acc = 0;
                self.bits = 0;
            }
        }
    }

    fn frames(&mut self, frames: &[Frame]) {
        for frame in frames {
            for &octet in frame {
                self.bits(u32::from(octet), 8);
            }
        }
    }

    /// Pads to whole octets and adds one more, so that the last frame is complete at
    /// every offset (at offset 0 a frame octet is known one raw octet late).
    fn finish(mut self) -> Vec<u8> {
        while self.bits != 0 {
            self.bits(1, 1);
        }
        self.out.push(0xFF);
        self.out
    }
}

/// `frames` preceded by `offset` bits of 1.
fn line(frames: &[Frame], offset: u32) -> Vec<u8> {
    let mut writer = BitWriter::new();
    writer.bits(0xFF, offset);
    writer.frames(frames);
    writer.finish()
}

fn receive(framer: &mut Framer, raw: &[u8], chunk: usize) -> Vec<Frame> {
    let mut out = Vec::new();
    for part in raw.chunks(chunk.max(1)) {
        framer.receive(part, false, |frame| out.push(*frame));
    }
    out
}

/// Feeds an offset-0 line frame by frame: `through(k)` makes frame k complete.
struct Feeder {
    raw: Vec<u8>,
    fed: usize,
    delivered: Vec<Frame>,
}

impl Feeder {
    fn new(frames: &[Frame]) -> Self {
        Feeder { raw: line(frames, 0), fed: 0, delivered: Vec::new() }
    }

    fn through(&mut self, framer: &mut Framer, frame: usize) {
        let end = (FRAME_OCTETS * (frame + 1) + 1).min(self.raw.len());
        if end > self.fed {
            let delivered = &mut self.delivered;
            framer.receive(&self.raw[self.fed..end], false, |f| delivered.push(*f));
            self.fed = end;
        }
    }
}

fn config(crc4: Crc4Mode) -> FramerConfig {
    FramerConfig { crc4, ..FramerConfig::default() }
}

/// TS0 words `framer` sends over the next `count` frames.
fn sent_ts0(framer: &mut Framer, count: usize) -> Vec<u8> {
    (0..count)
        .map(|_| {
            let mut frame = [0xD5u8; FRAME_OCTETS];
            framer.transmit(&mut frame);
            frame[0]
        })
        .collect()
}

#[test]
fn power_up_alignment_at_every_bit_offset() {
    for (mode, crc4) in [(Crc4Mode::Off, false), (Crc4Mode::Auto, true), (Crc4Mode::On, true)] {
        for offset in 0..8u32 {
            for chunk in [1, 7, 32, 256, 4096] {
                let frames = FarEnd::new(crc4, 99 + u64::from(offset)).frames(120);
                let mut framer = Framer::new(config(mode));
                let delivered = receive(&mut framer, &line(&frames, offset), chunk);
                assert_eq!(delivered.len(), 118, "{mode:?} offset {offset} chunk {chunk}");
                assert!(delivered == frames[2..], "{mode:?} offset {offset} chunk {chunk}");
                let counters = framer.counters();
                assert_eq!(counters.frames, 118);
                assert_eq!(
                    (
                        counters.fas_errors,
                        counters.crc4_errors,
                        counters.e_bit_errors,
                        counters.alignment_losses
                    ),
                    (0, 0, 0, 0)
                );
                let expected_sync = if crc4 { SyncState::MultiframeAligned } else { SyncState::FrameAligned };
                assert_eq!(framer.sync(), expected_sync);
                assert_eq!(framer.alarms(), Alarms::empty());
                assert_eq!(framer.crc4_active(), crc4);
            }
        }
    }
}

#[test]
fn starting_on_an_nfas_frame_loses_three_frames() {
    for offset in [0, 3, 7] {
        let frames = FarEnd::new(false, 5).frames(60);
        let mut framer = Framer::new(config(Crc4Mode::Off));
        let delivered = receive(&mut framer, &line(&frames[1..], offset), 64);
        assert!(delivered == frames[4..], "offset {offset}");
    }
}

#[test]
fn crc4_multiframe_alignment_on_the_second_signal() {
    let frames = FarEnd::new(true, 11).frames(60);
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let mut feeder = Feeder::new(&frames);
    feeder.through(&mut framer, 1);
    assert_eq!(framer.sync(), SyncState::Searching);
    assert_eq!(framer.alarms(), Alarms::LOF);
    feeder.through(&mut framer, 2);
    assert_eq!(framer.sync(), SyncState::FrameAligned);
    assert_eq!(framer.alarms(), Alarms::CRC4_LOMF);
    // Frame 1's MFAS bit was missed: signals complete at frames 27 and 43.
    feeder.through(&mut framer, 42);
    assert_eq!(framer.sync(), SyncState::FrameAligned);
    feeder.through(&mut framer, 43);
    assert_eq!(framer.sync(), SyncState::MultiframeAligned);
    assert_eq!(framer.alarms(), Alarms::empty());
    feeder.through(&mut framer, 59);
    assert_eq!(framer.counters().crc4_errors, 0);
    assert!(feeder.delivered == frames[2..]);
}

/// Flips bit 6 of TS0 (inside the FAS) of the listed frames.
fn corrupt_fas(frames: &mut [Frame], which: &[usize]) {
    for &n in which {
        frames[n][0] ^= 0x04;
    }
}

#[test]
fn two_fas_errors_keep_alignment_three_lose_it() {
    let mut frames = FarEnd::new(false, 21).frames(200);
    corrupt_fas(&mut frames, &[50, 52, 100, 102, 104]);
    let mut framer = Framer::new(config(Crc4Mode::Off));
    let delivered = receive(&mut framer, &line(&frames, 3), 100);
    let counters = *framer.counters();
    assert_eq!(counters.fas_errors, 5);
    assert_eq!(counters.alignment_losses, 1);
    // Frame 104 carried the third error: not delivered; back on frame 108.
    let expected: Vec<Frame> = frames[2..104].iter().chain(&frames[108..]).copied().collect();
    assert!(delivered == expected);
    assert_eq!(counters.frames, 102 + 92);
    assert_eq!(framer.sync(), SyncState::FrameAligned);
}

#[test]
fn bit_slip_loses_alignment_and_realigns() {
    for inserted in [true, false] {
        let frames = FarEnd::new(false, 33).frames(200);
        let mut writer = BitWriter::new();
        writer.bits(0b11, 2);
        writer.frames(&frames[..100]);
        let mut rest = BitWriter::new();
        rest.frames(&frames[100..]);
        let rest = rest.finish();
        if inserted {
            writer.bits(0, 1);
            for &octet in &rest {
                writer.bits(u32::from(octet), 8);
            }
        } else {
            // Drop the first bit of frame 100.
            writer.bits(u32::from(rest[0]), 7);
            for &octet in &rest[1..] {
                writer.bits(u32::from(octet), 8);
            }
        }
        let raw = writer.finish();
        let mut framer = Framer::new(config(Crc4Mode::Off));
        let delivered = receive(&mut framer, &raw, 256);
        let counters = *framer.counters();
        assert_eq!((counters.fas_errors, counters.alignment_losses), (3, 1), "inserted {inserted}");
        // 98 good frames, frames 100..103 read across the slip, then 108 onwards.
        assert_eq!(delivered.len(), 98 + 4 + 92, "inserted {inserted}");
        assert!(delivered[..98] == frames[2..100]);
        assert!(delivered[102..] == frames[108..]);
    }
}

/// Two framers joined back to back, one frame each way per step. `corrupt(step)` decides
/// whether B's frame gets a payload bit flipped on its way to A.
struct Pair {
    a: Framer,
    b: Framer,
    payload: Prng,
    step: usize,
}

impl Pair {
    fn new(mode: Crc4Mode) -> Self {
        Pair { a: Framer::new(config(mode)), b: Framer::new(config(mode)), payload: Prng(77), step: 0 }
    }

    fn run(&mut self, steps: usize, corrupt: impl Fn(usize) -> bool) {
        for _ in 0..steps {
            let mut to_b = [0u8; FRAME_OCTETS];
            self.payload.fill(&mut to_b);
            self.a.transmit(&mut to_b);
            self.b.receive(&to_b, false, |_| {});
            let mut to_a = [0u8; FRAME_OCTETS];
            self.payload.fill(&mut to_a);
            self.b.transmit(&mut to_a);
            if corrupt(self.step) {
                to_a[9] ^= 0x10;
            }
            self.a.receive(&to_a, false, |_| {});
            self.step += 1;
        }
    }
}

fn delta(after: &Counters, before: &Counters) -> (u64, u64, u64, u64) {
    (
        after.crc4_errors - before.crc4_errors,
        after.e_bit_errors - before.e_bit_errors,
        after.fas_errors - before.fas_errors,
        after.alignment_losses - before.alignment_losses,
    )
}

#[test]
fn crc4_errors_in_chosen_blocks_come_back_as_far_end_e_bits() {
    let mut pair = Pair::new(Crc4Mode::Auto);
    pair.run(300, |_| false);
    assert_eq!(pair.a.sync(), SyncState::MultiframeAligned);
    assert_eq!(pair.b.sync(), SyncState::MultiframeAligned);
    let (a0, b0) = (*pair.a.counters(), *pair.b.counters());
    // Seven blocks, each hit once, 37 frames apart (never two in one sub-multiframe).
    let hits: Vec<usize> = (0..7).map(|j| 400 + 37 * j).collect();
    pair.run(2000, |step| hits.contains(&step));
    let (a1, b1) = (*pair.a.counters(), *pair.b.counters());
    assert_eq!(delta(&a1, &a0), (7, 0, 0, 0), "A counts 7 CRC-4 errors, no E bits");
    assert_eq!(delta(&b1, &b0), (0, 7, 0, 0), "B hears 7 E bits = 0");
    // Blocks are 8 frames; 2000 frames = 250 blocks each way, all checked.
    assert_eq!(a1.frames - a0.frames, 2000);
}

#[test]
fn errored_sub_multiframe_one_is_reported_in_e1_and_two_in_e2() {
    let mut frames = FarEnd::new(true, 31).frames(200);
    // Far-end frame 99 is frame 3 of a multiframe (SMF I): checked on frame 110 (n = 14).
    // Frame 123 is frame 11 (SMF II): checked on frame 134 (n = 6 of the next one).
    frames[99][17] ^= 0x20;
    frames[123][17] ^= 0x20;
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let mut feeder = Feeder::new(&frames);
    let mut zero_e_bits = Vec::new();
    for k in 0..199 {
        feeder.through(&mut framer, k);
        let mut frame = [0u8; FRAME_OCTETS];
        framer.transmit(&mut frame);
        // We transmit one frame per step from power-up: our frame number is k mod 16.
        if (k % 16 == 13 || k % 16 == 15) && k > 43 && frame[0] >> 7 == 0 {
            zero_e_bits.push((k, k % 16));
        }
    }
    assert_eq!(framer.counters().crc4_errors, 2);
    // The next frame 13 after 110 is 125; the next frame 15 after 134 is 143.
    assert_eq!(zero_e_bits, vec![(125, 13), (143, 15)]);
}

#[test]
fn e_bits_are_zero_until_multiframe_aligned() {
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let ts0 = sent_ts0(&mut framer, 32);
    // Not aligned: NFAS bit 1 = 001011 then E = 0, 0; A = 1 (LOF).
    let bit1: Vec<u8> = ts0.iter().skip(1).step_by(2).map(|t| t >> 7).collect();
    assert_eq!(bit1, vec![0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0]);
    assert!(ts0.iter().skip(1).step_by(2).all(|t| t & 0x20 != 0));
}

#[test]
fn annex_b_falls_back_against_a_non_crc4_far_end() {
    let frames = FarEnd::new(false, 45).frames(4000);
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let mut monitor = Framer::new(config(Crc4Mode::Auto));
    let mut feeder = Feeder::new(&frames);
    let mut ours = Vec::new();
    let mut monitor_e_bits = 0;
    for k in 0..4000 {
        feeder.through(&mut framer, k);
        let mut frame = [0x55u8; FRAME_OCTETS];
        framer.transmit(&mut frame);
        monitor.receive(&frame, false, |_| {});
        ours.push(frame[0]);
        if k == 3599 {
            monitor_e_bits = monitor.counters().e_bit_errors;
        }
        if k == 3200 {
            // Primary alignment on frame 2; frame 3201 is the 3200th aligned frame.
            assert!(framer.crc4_active());
            assert_eq!(framer.sync(), SyncState::FrameAligned);
            assert_eq!(framer.alarms(), Alarms::CRC4_LOMF);
        }
        if k == 3201 {
            assert!(!framer.crc4_active());
            assert_eq!(framer.sync(), SyncState::FrameAligned);
            assert_eq!(framer.alarms(), Alarms::CRC4_LOMF);
        }
        if k >= 2 {
            assert!(!framer.alarms().contains(Alarms::LOF), "frame {k}");
        }
    }
    let counters = *framer.counters();
    assert_eq!((counters.alignment_losses, counters.fas_errors, counters.crc4_errors), (0, 0, 0));
    assert_eq!(counters.frames, 3998);
    assert!(feeder.delivered == frames[2..], "traffic never interrupted");
    // We keep sending CRC-4 with E = 0: the monitor aligns, finds no CRC error, and hears
    // two E = 0 per multiframe.
    assert_eq!(monitor.sync(), SyncState::MultiframeAligned);
    assert_eq!(monitor.counters().crc4_errors, 0);
    assert_eq!(monitor.counters().e_bit_errors - monitor_e_bits, 50, "400 frames, 25 multiframes");
    let nfas_bit1: Vec<u8> = ours[16 * 240 + 1..16 * 241].iter().step_by(2).map(|t| t >> 7).collect();
    assert_eq!(nfas_bit1, vec![0, 0, 1, 0, 1, 1, 0, 0]);
}

#[test]
fn crc4_on_treats_a_missing_multiframe_as_false_alignment() {
    let frames = FarEnd::new(false, 46).frames(200);
    let mut framer = Framer::new(config(Crc4Mode::On));
    let mut feeder = Feeder::new(&frames);
    feeder.through(&mut framer, 64);
    assert_eq!(framer.sync(), SyncState::FrameAligned);
    assert_eq!(framer.counters().alignment_losses, 0);
    // The 8 ms window (64 frames from frame 2) closes on frame 65.
    feeder.through(&mut framer, 65);
    assert_eq!(framer.sync(), SyncState::Searching);
    assert_eq!(framer.alarms(), Alarms::LOF);
    assert_eq!(framer.counters().alignment_losses, 1);
    assert_eq!(framer.counters().frames, 63);
    feeder.through(&mut framer, 67);
    assert_eq!(framer.sync(), SyncState::Searching);
    feeder.through(&mut framer, 68);
    assert_eq!(framer.sync(), SyncState::FrameAligned);
    feeder.through(&mut framer, 199);
    // Windows 68..131 and 134..197 fail too.
    assert_eq!(framer.counters().alignment_losses, 3);
    assert!(framer.crc4_active());
}

/// Far-end payload imitating a FAS/NFAS pair in TS5, one frame ahead of the real TS0.
fn imitation_in_ts5(n: usize, frame: &mut Frame) {
    frame[5] = if n % 2 == 1 { 0x1B } else { 0x40 };
}

#[test]
fn auto_replaces_a_spurious_alignment_through_the_parallel_search() {
    let mut far = FarEnd::new(true, 57);
    far.shape = imitation_in_ts5;
    let frames = far.frames(400);
    // Starting on frame 1, the imitation completes (frame 3, TS5) before the real FAS
    // sequence (frame 4, TS0).
    let raw = line(&frames[1..], 0);
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let mut delivered = Vec::new();
    let mut lof_after_first_alignment = false;
    let mut was_aligned = false;
    for part in raw.chunks(32) {
        framer.receive(part, false, |f| delivered.push(*f));
        was_aligned |= framer.sync() != SyncState::Searching;
        lof_after_first_alignment |= was_aligned && framer.alarms().contains(Alarms::LOF);
    }
    // The first delivered frame is the imitation's view: TS5 of frame 3 onwards.
    let mut imitation_view = [0u8; FRAME_OCTETS];
    imitation_view[..27].copy_from_slice(&frames[3][5..]);
    imitation_view[27..].copy_from_slice(&frames[4][..5]);
    assert_eq!(delivered[0], imitation_view);
    assert!(!lof_after_first_alignment);
    assert_eq!(framer.sync(), SyncState::MultiframeAligned);
    let counters = *framer.counters();
    assert_eq!((counters.alignment_losses, counters.fas_errors, counters.crc4_errors), (0, 0, 0));
    assert!(delivered[delivered.len() - 200..] == frames[200..]);
}

#[test]
fn without_crc4_a_persistent_imitation_holds_the_alignment() {
    let mut far = FarEnd::new(false, 57);
    far.shape = imitation_in_ts5;
    let frames = far.frames(400);
    let mut framer = Framer::new(config(Crc4Mode::Off));
    let delivered = receive(&mut framer, &line(&frames[1..], 0), 256);
    assert_eq!(framer.sync(), SyncState::FrameAligned);
    let last = delivered.last().copied().unwrap_or([0; FRAME_OCTETS]);
    assert_eq!(last[..27], frames[398][5..]);
    assert_eq!(last[27..], frames[399][..5]);
}

/// Sub-multiframe `s` counted from the first one checked after alignment on frame 43:
/// frames 48 + 8s .. 48 + 8s + 7. Its check closes on frame 48 + 8(s + 1) + 6.
fn errored_blocks_line(errored: impl Fn(usize) -> bool, frames: usize) -> Vec<Frame> {
    let mut far = FarEnd::new(true, 64);
    let mut out = Vec::with_capacity(frames);
    for n in 0..frames {
        let mut frame = far.frame();
        if n >= 48 && (n - 48) % 8 == 3 && errored((n - 48) / 8) {
            frame[20] ^= 0x01;
        }
        out.push(frame);
    }
    out
}

#[test]
fn false_alignment_on_915_errored_blocks_of_1000() {
    let frames = errored_blocks_line(|s| s < 915, 8100);
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let mut feeder = Feeder::new(&frames);
    feeder.through(&mut framer, 48 + 8 * 1000 + 5);
    assert_eq!(framer.counters().alignment_losses, 0);
    assert_eq!(framer.counters().crc4_errors, 915);
    feeder.through(&mut framer, 48 + 8 * 1000 + 6);
    assert_eq!(framer.counters().alignment_losses, 1);
    assert_eq!(framer.sync(), SyncState::Searching);
}

#[test]
fn no_false_alignment_on_914_errored_blocks_of_1000() {
    let frames = errored_blocks_line(|s| s < 914, 8100);
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let mut feeder = Feeder::new(&frames);
    feeder.through(&mut framer, 8099);
    assert_eq!(framer.counters().alignment_losses, 0);
    assert_eq!(framer.counters().crc4_errors, 914);
    assert_eq!(framer.sync(), SyncState::MultiframeAligned);
}

#[test]
fn ais_raised_on_all_ones_and_cleared_by_alignment() {
    let frames = FarEnd::new(true, 70).frames(100);
    let mut raw = line(&frames, 0);
    raw.pop();
    raw.extend(std::iter::repeat_n(0xFF, 32 * 20));
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    // Ones from frame 100: FAS errors on 100, 102, 104; frame 104 completes on raw
    // octet 32 × 105, and the AIS periods start on the next one.
    let loss_at = 32 * 105 + 1;
    framer.receive(&raw[..loss_at], false, |_| {});
    assert_eq!(framer.counters().alignment_losses, 1);
    assert_eq!(framer.alarms(), Alarms::LOF);
    framer.receive(&raw[loss_at..loss_at + 127], false, |_| {});
    assert_eq!(framer.alarms(), Alarms::LOF);
    framer.receive(&raw[loss_at + 127..loss_at + 128], false, |_| {});
    assert_eq!(framer.alarms(), Alarms::AIS);
    let ts0 = sent_ts0(&mut framer, 2);
    assert_eq!(ts0.iter().find(|t| *t & 0x40 != 0).map(|t| t & 0x20), Some(0x20), "A = 1 during AIS");
    // A framed signal clears AIS as soon as its FAS is found.
    let frames = FarEnd::new(false, 71).frames(10);
    receive(&mut framer, &line(&frames, 0), 32);
    assert_eq!(framer.alarms(), Alarms::CRC4_LOMF);
    assert_eq!(framer.sync(), SyncState::FrameAligned);
}

/// 64 octets of ones with `zeros` zero bits.
fn period(zeros: usize) -> Vec<u8> {
    (0..64).map(|i| if i < zeros { 0xFE } else { 0xFF }).collect()
}

#[test]
fn ais_limits_two_zeros_raise_three_zeros_clear() {
    let mut framer = Framer::new(config(Crc4Mode::Off));
    // Search periods start with the first octet.
    framer.receive(&period(2), false, |_| {});
    assert_eq!(framer.alarms(), Alarms::LOF);
    framer.receive(&period(2), false, |_| {});
    assert_eq!(framer.alarms(), Alarms::AIS);
    framer.receive(&period(3), false, |_| {});
    framer.receive(&period(2), false, |_| {});
    framer.receive(&period(3), false, |_| {});
    assert_eq!(framer.alarms(), Alarms::AIS, "one 3-zero period at a time does not clear");
    framer.receive(&period(3), false, |_| {});
    assert_eq!(framer.alarms(), Alarms::LOF);
    assert_eq!(framer.counters().frames, 0);
}

#[test]
fn los_raises_drops_alignment_and_sends_a_bit() {
    let mut far = FarEnd::new(true, 80);
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let before = sent_ts0(&mut framer, 2);
    assert_eq!(before[1] & 0x20, 0x20, "A = 1 at power-up (LOF)");
    receive(&mut framer, &line(&far.frames(100), 0), 256);
    assert_eq!(framer.sync(), SyncState::MultiframeAligned);
    assert_eq!(sent_ts0(&mut framer, 2)[1] & 0x20, 0, "A = 0 when aligned");

    framer.receive(&[0u8; 256], true, |_| panic!("nothing delivered during LOS"));
    assert_eq!(framer.alarms(), Alarms::LOS);
    assert_eq!(framer.sync(), SyncState::Searching);
    assert_eq!(framer.counters().alignment_losses, 1);
    let during = sent_ts0(&mut framer, 16);
    assert!(during.iter().skip(1).step_by(2).all(|t| t & 0x20 == 0x20), "A = 1 during LOS");
    framer.receive(&[0u8; 512], true, |_| {});
    assert_eq!(framer.alarms(), Alarms::LOS);

    let frames = far.frames(100);
    let delivered = receive(&mut framer, &line(&frames, 5), 256);
    assert!(delivered == frames[2..]);
    assert_eq!(framer.alarms(), Alarms::empty());
    assert_eq!(framer.counters().alignment_losses, 1);
    assert_eq!(sent_ts0(&mut framer, 2)[1] & 0x20, 0);
}

#[test]
fn zeros_without_los_indication_are_not_frames() {
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    framer.receive(&[0u8; 256_000], false, |_| panic!("zeros are not frames"));
    assert_eq!(framer.sync(), SyncState::Searching);
    assert_eq!(framer.alarms(), Alarms::LOF);
    assert_eq!(framer.counters().frames, 0);
}

#[test]
fn rai_needs_three_consecutive_nfas_words() {
    let mut far = FarEnd::new(true, 90);
    let mut frames = far.frames(100);
    far.remote_alarm = true;
    frames.extend(far.frames(100));
    far.remote_alarm = false;
    frames.extend(far.frames(100));
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    let mut feeder = Feeder::new(&frames);
    feeder.through(&mut framer, 103);
    assert!(!framer.alarms().contains(Alarms::RAI));
    feeder.through(&mut framer, 105);
    assert!(framer.alarms().contains(Alarms::RAI));
    feeder.through(&mut framer, 203);
    assert!(framer.alarms().contains(Alarms::RAI));
    feeder.through(&mut framer, 205);
    assert!(!framer.alarms().contains(Alarms::RAI));
}

#[test]
fn off_mode_sends_si_ones_and_ignores_c_bits() {
    let mut framer = Framer::new(config(Crc4Mode::Off));
    assert!(sent_ts0(&mut framer, 32).iter().all(|t| t >> 7 == 1));
    // A CRC-4 line with every C bit wrong: nothing counted, basic alignment only.
    let mut frames = FarEnd::new(true, 95).frames(200);
    for frame in frames.iter_mut().step_by(2) {
        frame[0] ^= 0x80;
    }
    let delivered = receive(&mut framer, &line(&frames, 6), 256);
    assert_eq!(delivered.len(), 198);
    assert_eq!(framer.sync(), SyncState::FrameAligned);
    assert_eq!((framer.counters().crc4_errors, framer.counters().e_bit_errors), (0, 0));
    assert!(!framer.crc4_active());
}

#[test]
fn sa_bits_travel_in_nfas_words() {
    let mut pair = Pair::new(Crc4Mode::Auto);
    pair.a.set_sa_bits(0x15);
    assert_eq!(pair.a.config().sa_bits, 0x15);
    pair.run(10, |_| false);
    assert_eq!(pair.b.received_sa_bits(), 0x15);
    assert_eq!(pair.a.received_sa_bits(), 0x1F);
}

#[test]
fn default_config_and_cas_through_two_framers() {
    assert_eq!(FramerConfig::default(), FramerConfig { crc4: Crc4Mode::Auto, sa_bits: 0x1F });
    let mut a = Framer::new(FramerConfig::default());
    let mut b = Framer::new(FramerConfig::default());
    let mut cas_tx = CasTransmitter::new();
    let mut cas_rx = CasReceiver::new(2);
    let mut payload = Prng(5);
    let mut changes = Vec::new();
    for step in 0..400 {
        if step == 200 {
            cas_tx.set_abcd(7, 0b0011);
        }
        let mut frame = [0u8; FRAME_OCTETS];
        payload.fill(&mut frame);
        cas_tx.fill(&mut frame);
        a.transmit(&mut frame);
        b.receive(&frame, false, |f| cas_rx.frame(f, |ts, abcd| changes.push((step, ts, abcd))));
    }
    assert!(cas_rx.aligned());
    assert!(!cas_rx.remote_alarm());
    assert_eq!(cas_rx.abcd(7), 0b0011);
    // 30 first values, then one change of TS 7, seen in two multiframes after step 200.
    let later: Vec<_> = changes.iter().filter(|c| c.0 >= 200).copied().collect();
    assert_eq!(changes.len(), 31);
    assert_eq!(later.len(), 1);
    assert_eq!((later[0].1, later[0].2), (7, 0b0011));
    // Step n sends CAS frame n mod 16; TS 7 rides in CAS frame 7: steps 215 and 231 carry
    // the new value, and frame 231 is complete one octet into step 232.
    assert_eq!(later[0].0, 232);
}

/// One second of far-end frames, as 1 ms blocks of 256 octets (offset 0).
fn second_of_blocks(far: &mut FarEnd, corrupt_blocks: usize, corrupt_fas: usize) -> Vec<Vec<u8>> {
    let mut frames = far.frames(8000);
    // One payload bit in frame 3 of each of the first `corrupt_blocks` sub-multiframes
    // after 4000 frames (mid-second, well past any realignment).
    for s in 0..corrupt_blocks {
        frames[4000 + 8 * s + 3][12] ^= 0x01;
    }
    // FAS words of frames 6000, 6002, ...
    for i in 0..corrupt_fas {
        frames[6000 + 2 * i][0] ^= 0x04;
    }
    frames.chunks(8).map(|block| block.iter().flatten().copied().collect()).collect()
}

#[test]
fn errored_and_severely_errored_seconds_over_a_scripted_minute() {
    // Per second: (errored CRC-4 blocks, FAS errors, LOS blocks). Expected classification
    // follows. Second 0 holds the power-up LOF.
    let script: [(usize, usize, usize); 60] = std::array::from_fn(|s| match s {
        5 => (1, 0, 0),
        10 => (299, 0, 0),
        11 => (300, 0, 0),
        20 => (0, 0, 10),
        30 => (0, 3, 0),
        40 => (0, 2, 0),
        _ => (0, 0, 0),
    });
    let mut far = FarEnd::new(true, 123);
    let mut framer = Framer::new(config(Crc4Mode::Auto));
    for (s, &(blocks, fas, los_blocks)) in script.iter().enumerate() {
        for (b, block) in second_of_blocks(&mut far, blocks, fas).into_iter().enumerate() {
            // LOS for `los_blocks` ms from the middle of the second.
            let los = b >= 500 && b < 500 + los_blocks;
            if los {
                framer.receive(&[0u8; 256], true, |_| {});
            } else {
                framer.receive(&block, false, |_| {});
            }
        }
        assert_eq!(framer.counters().seconds, s as u64 + 1);
    }
    let counters = *framer.counters();
    assert_eq!(counters.seconds, 60);
    // ES: 0 (LOF), 5, 10, 11, 20 (LOS), 30 (FAS loss → LOF), 40 (2 FAS errors → CRC errors).
    assert_eq!(counters.errored_seconds, 7);
    // SES: 0, 11 (300 blocks), 20, 30.
    assert_eq!(counters.severely_errored_seconds, 4);
    assert_eq!(counters.alignment_losses, 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn frames_delivered_after_acquisition_equal_frames_sent(
        seed in any::<u64>(),
        offset in 0u32..8,
        garbage in proptest::collection::vec(any::<u8>(), 0..200),
        crc4 in any::<bool>(),
        chunk in 1usize..600,
    ) {
        let frames = FarEnd::new(crc4, seed).frames(160);
        let mut writer = BitWriter::new();
        for &octet in &garbage {
            writer.bits(u32::from(octet), 8);
        }
        writer.bits(0xFF, offset);
        writer.frames(&frames);
        let raw = writer.finish();
        let mode = if crc4 { Crc4Mode::Auto } else { Crc4Mode::Off };
        let mut framer = Framer::new(config(mode));
        let delivered = receive(&mut framer, &raw, chunk);
        // From the final acquisition on, every frame as sent. Random garbage and payload
        // can imitate FAS/NFAS/FAS (about one position in 128 per frame searched), and
        // each such false alignment costs the frames until its third FAS error plus a new
        // search: two in a row (a stored regression case) lose 22 frames. 64 leaves room
        // for a few.
        let good = delivered
            .iter()
            .rev()
            .zip(frames.iter().rev())
            .take_while(|(got, sent)| got == sent)
            .count();
        prop_assert!(good >= 160 - 64, "only the last {} frames delivered as sent", good);
        prop_assert_ne!(framer.sync(), SyncState::Searching);
        if crc4 {
            prop_assert_eq!(framer.sync(), SyncState::MultiframeAligned);
        }
    }
}
