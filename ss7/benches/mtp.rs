//! MTP throughput and alignment time, this stack beside libss7.
//!
//! Throughput: MSUs per second per core through MTP3 and MTP2 at both ends of one signalling
//! link, with every signal unit (MSUs, the FISUs that acknowledge them) going through the
//! soft HDLC of `tdm_driver::hdlc` in memory: encoder at the sending end, decoder at the
//! receiving end, 8 line octets (one millisecond of a timeslot) at a time in each direction.
//! The sending point is kept 100 messages ahead; the messages are ISUP-sized (CIC, message
//! type and 8 more octets). Virtual time advances with the line, so every timer sees a real
//! 64 kbit/s link; only the CPU is not paced.
//!
//! The same loop runs two libss7 points (ITU; libss7 has no China variant) over the same HDLC,
//! each doing its own MTP2 on a socketpair as it does on a DAHDI D-channel, the sender
//! emitting loop back acknowledgements (LPA, an ISUP message without call state).
//!
//! "Per core" is counted in the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), and the
//! contenders run in alternating slices of 50 ms within each run, so time spent descheduled
//! counts for neither. Each figure is the median of 5 runs.
//!
//! Alignment: virtual time from start until MTP2 is in service and until the link carries
//! traffic (SLTM/SLTA done, TRA exchanged) on a clean 64 kbit/s line, emergency and normal
//! proving; libss7 always aligns with emergency proving.
//!
//! Run: `cargo bench -p tdm-ss7 --bench mtp`.

use std::hint::black_box;
use std::time::Duration;
use tdm_base::Instant;
use tdm_driver::hdlc::{HdlcConfig, HdlcDecoder, HdlcEncoder, HdlcEvent};
use tdm_peer_libss7::{LibSs7, Ss7Config, Ss7Event, Variant};
use tdm_ss7::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator};
use tdm_ss7::mtp2::su::MAX_SU_LEN;
use tdm_ss7::mtp2::{LinePacer, Link, LinkConfig};
use tdm_ss7::mtp3::{
    Indication, LinkId, LinkSetConfig, Mtp3, Mtp3Config, Payload, SignallingLinkConfig, SignallingLinkState,
    Transfer,
};

const RUNS: usize = 5;
const SLICE: Duration = Duration::from_millis(50);
const SLICES: usize = 14;
const BACKLOG: u64 = 100;
const LINK: LinkId = LinkId { set: 0, link: 0 };
/// One millisecond of a 64 kbit/s timeslot.
const OCTETS_PER_STEP: usize = 8;

/// CPU time this thread has used.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec for the call to fill; the clock id is a constant.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "CLOCK_THREAD_CPUTIME_ID");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Runs `batch` until the thread has used `slice` of CPU time; returns messages and CPU time.
fn run_slice(slice: Duration, mut batch: impl FnMut() -> u64) -> (u64, Duration) {
    let start = thread_cpu_time();
    let mut messages = 0;
    loop {
        messages += batch();
        let used = thread_cpu_time() - start;
        if used >= slice {
            return (messages, used);
        }
    }
}

/// One direction of a line: soft HDLC encoder at the sender, decoder at the receiver, and the
/// pacer that hands the encoder as many frames as the line carries (as the span runner does).
struct HdlcLine {
    encoder: HdlcEncoder,
    decoder: HdlcDecoder,
    pacer: LinePacer,
    octets: [u8; OCTETS_PER_STEP],
    /// Frames the encoder refused (the pacer should make this 0).
    refused: u64,
}

impl HdlcLine {
    fn new() -> HdlcLine {
        HdlcLine {
            encoder: HdlcEncoder::new(HdlcConfig::default()),
            decoder: HdlcDecoder::new(HdlcConfig::default()),
            pacer: LinePacer::timeslot(),
            octets: [0; OCTETS_PER_STEP],
            refused: 0,
        }
    }

    /// One millisecond: frames from `next_su` while the line has room, 8 octets encoded and
    /// decoded, what the decoder finds handed to `receive` (`None` for a discarded frame).
    fn step(&mut self, mut next_su: impl FnMut(&mut [u8]) -> usize, mut receive: impl FnMut(Option<&[u8]>)) {
        let mut su = [0u8; MAX_SU_LEN + 8];
        self.pacer.advance(tdm_base::Duration::from_millis(1));
        while self.pacer.can_send() {
            let len = next_su(&mut su);
            if len == 0 {
                break;
            }
            self.pacer.charge(&su[..len]);
            if self.encoder.send(&su[..len]).is_err() {
                self.refused += 1;
                break;
            }
        }
        self.encoder.fill(&mut self.octets);
        self.decoder.push(&self.octets, |event| match event {
            HdlcEvent::Frame(frame) => receive(Some(frame)),
            HdlcEvent::Error(_) => receive(None),
        });
    }
}

fn isup_message(from: PointCode, to: PointCode, sequence: u64) -> Transfer {
    let mut payload = [0u8; 11];
    payload[..2].copy_from_slice(&((sequence % 4000) as u16 + 1).to_le_bytes());
    payload[2] = 0x24;
    payload[3..].copy_from_slice(&sequence.to_le_bytes());
    Transfer {
        ni: NetworkIndicator::National,
        priority: 0,
        si: ServiceIndicator::Isup,
        label: RoutingLabel { dpc: to, opc: from, sls: (sequence % 16) as u8 },
        label_spare: 0,
        payload: Payload::new(&payload).unwrap_or_default(),
    }
}

fn point_codes(format: PointCodeFormat) -> (PointCode, PointCode) {
    match format {
        PointCodeFormat::China24 => (PointCode::china(1, 2, 3), PointCode::china(4, 5, 6)),
        PointCodeFormat::Itu14 => {
            (PointCode::new(format, 0x0101).expect("14-bit"), PointCode::new(format, 0x0202).expect("14-bit"))
        }
    }
}

/// Two points of this stack on one link over in-memory soft HDLC.
struct OursPair {
    points: [Mtp3; 2],
    lines: [HdlcLine; 2],
    now: Instant,
    pcs: (PointCode, PointCode),
    sent: u64,
    delivered: u64,
}

impl OursPair {
    fn new(format: PointCodeFormat) -> OursPair {
        let pcs = point_codes(format);
        let config = |own, adjacent| {
            let mut config = Mtp3Config::new(own, format, NetworkIndicator::National);
            let links = vec![SignallingLinkConfig::new(0, 0, 16)];
            config.link_sets.push(LinkSetConfig { name: "bench".into(), adjacent, links });
            config
        };
        let points = [
            Mtp3::new(config(pcs.0, pcs.1)).unwrap_or_else(|e| panic!("{e}")),
            Mtp3::new(config(pcs.1, pcs.0)).unwrap_or_else(|e| panic!("{e}")),
        ];
        OursPair {
            points,
            lines: [HdlcLine::new(), HdlcLine::new()],
            now: Instant::ZERO,
            pcs,
            sent: 0,
            delivered: 0,
        }
    }

    /// One millisecond of line in both directions.
    fn step(&mut self) {
        self.now += tdm_base::Duration::from_millis(1);
        let now = self.now;
        for point in &mut self.points {
            point.handle_timeout(now);
        }
        for from in 0..2 {
            let (left, right) = self.points.split_at_mut(1);
            let (sender, receiver) =
                if from == 0 { (&mut left[0], &mut right[0]) } else { (&mut right[0], &mut left[0]) };
            self.lines[from].step(
                |out| sender.poll_transmit(now, LINK, out),
                |frame| match frame {
                    Some(su) => receiver.handle_su(now, LINK, su),
                    None => receiver.handle_su_error(now, LINK),
                },
            );
        }
    }

    fn available(&self) -> bool {
        self.points.iter().all(|p| p.link_state(LINK) == Some(SignallingLinkState::Available))
            && self.points[0].is_accessible(self.pcs.1)
    }

    /// Steps with traffic from point 0 to point 1; returns MSUs delivered.
    fn traffic(&mut self, steps: usize) -> u64 {
        let before = self.delivered;
        for _ in 0..steps {
            while self.sent < self.delivered + BACKLOG {
                let message = isup_message(self.pcs.0, self.pcs.1, self.sent);
                if self.points[0].transfer(self.now, &message).is_err() {
                    break;
                }
                self.sent += 1;
            }
            self.step();
            while let Some(indication) = self.points[1].poll_indication() {
                if let Indication::Transfer(transfer) = indication {
                    black_box(transfer.payload.len());
                    self.delivered += 1;
                }
            }
            while self.points[0].poll_indication().is_some() {}
            while self.points.iter_mut().any(|p| p.poll_event().is_some()) {}
        }
        self.delivered - before
    }
}

/// Two libss7 points (ITU) on one link over the same soft HDLC.
struct LibPair {
    points: [LibSs7; 2],
    lines: [HdlcLine; 2],
    now_us: u64,
    up: [bool; 2],
    link_up: [Option<u64>; 2],
    sent: u64,
    delivered: u64,
}

impl LibPair {
    fn new() -> Option<LibPair> {
        let a =
            LibSs7::new(Ss7Config { variant: Variant::Itu, pc: 0x0101, adjacent: 0x0202, ni: 2, slc: 0 })?;
        let b =
            LibSs7::new(Ss7Config { variant: Variant::Itu, pc: 0x0202, adjacent: 0x0101, ni: 2, slc: 0 })?;
        Some(LibPair {
            points: [a, b],
            lines: [HdlcLine::new(), HdlcLine::new()],
            now_us: 1_000_000_000,
            up: [false; 2],
            link_up: [None; 2],
            sent: 0,
            delivered: 0,
        })
    }

    fn start(&mut self) {
        tdm_peer_libss7::set_virtual_time(self.now_us);
        for point in &mut self.points {
            point.start();
        }
    }

    fn step(&mut self) {
        self.now_us += 1_000;
        tdm_peer_libss7::set_virtual_time(self.now_us);
        for point in &mut self.points {
            point.run_timers();
        }
        for from in 0..2 {
            let (left, right) = self.points.split_at_mut(1);
            let (sender, receiver) =
                if from == 0 { (&mut left[0], &mut right[0]) } else { (&mut right[0], &mut left[0]) };
            self.lines[from].step(
                |out| sender.transmit(out),
                |frame| {
                    if let Some(su) = frame {
                        receiver.receive(su)
                    }
                },
            );
        }
        for (side, point) in self.points.iter_mut().enumerate() {
            while let Some(event) = point.poll_event() {
                match event {
                    Ss7Event::Up => self.up[side] = true,
                    Ss7Event::LinkUp => self.link_up[side] = self.link_up[side].or(Some(self.now_us)),
                    Ss7Event::LoopBackAck { .. } if side == 1 => self.delivered += 1,
                    _ => {}
                }
            }
        }
    }

    fn traffic(&mut self, steps: usize) -> u64 {
        let before = self.delivered;
        for _ in 0..steps {
            while self.sent < self.delivered + BACKLOG {
                if !self.points[0].send_loop_back_ack((self.sent % 4000) as u16 + 1) {
                    break;
                }
                self.sent += 1;
            }
            self.step();
        }
        self.delivered - before
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Emergency alignment of two points in virtual time (the only link of a set proves in
/// emergency): (MTP2 in service, link carrying traffic) in milliseconds.
fn our_point_alignment() -> (u64, u64) {
    let mut pair = OursPair::new(PointCodeFormat::China24);
    for point in &mut pair.points {
        point.start(Instant::ZERO);
    }
    let mut in_service = None;
    for _ in 0..60_000 {
        pair.step();
        if in_service.is_none() && pair.points.iter().all(|p| p.mtp2(LINK).is_some_and(Link::is_in_service)) {
            in_service = Some(pair.now.as_millis());
        }
        if pair.available() {
            return (in_service.unwrap_or(0), pair.now.as_millis());
        }
    }
    panic!("our pair did not align in 60 s");
}

/// Normal alignment of two bare links (what a link gets when another of its set is already
/// available), through the same soft HDLC: MTP2 in service in milliseconds.
fn our_link_alignment_normal() -> u64 {
    let mut links = [Link::new(LinkConfig::new()), Link::new(LinkConfig::new())];
    let mut lines = [HdlcLine::new(), HdlcLine::new()];
    let mut now = Instant::ZERO;
    for link in &mut links {
        link.start(now);
    }
    for _ in 0..60_000 {
        now += tdm_base::Duration::from_millis(1);
        for link in &mut links {
            link.handle_timeout(now);
        }
        for (from, line) in lines.iter_mut().enumerate() {
            let (left, right) = links.split_at_mut(1);
            let (sender, receiver) =
                if from == 0 { (&mut left[0], &mut right[0]) } else { (&mut right[0], &mut left[0]) };
            line.step(
                |out| sender.poll_transmit(now, out),
                |frame| match frame {
                    Some(su) => {
                        receiver.handle_su(now, su);
                    }
                    None => receiver.handle_su_error(now),
                },
            );
        }
        if links.iter().all(Link::is_in_service) {
            return now.as_millis();
        }
    }
    panic!("two links did not align in 60 s");
}

fn main() {
    println!("MTP2+MTP3 at both ends of one 64 kbit/s link over in-memory soft HDLC (tdm_driver::hdlc)");
    println!(
        "ISUP-sized MSUs (11 octets after the label), 100 queued ahead; median of {RUNS} runs, CPU time\n"
    );

    let mut china = Vec::new();
    let mut itu = Vec::new();
    let mut lib = Vec::new();
    for _ in 0..RUNS {
        let mut ours_china = OursPair::new(PointCodeFormat::China24);
        let mut ours_itu = OursPair::new(PointCodeFormat::Itu14);
        for pair in [&mut ours_china, &mut ours_itu] {
            for point in &mut pair.points {
                point.start(Instant::ZERO);
            }
            while !pair.available() {
                pair.step();
            }
        }
        let mut libss7 = LibPair::new();
        if let Some(pair) = libss7.as_mut() {
            pair.start();
            while !(pair.up[0] && pair.up[1]) {
                pair.step();
            }
        }
        let (mut counts, mut times) = ([0u64; 3], [Duration::ZERO; 3]);
        for _ in 0..SLICES {
            let (n, t) = run_slice(SLICE, || ours_china.traffic(64));
            counts[0] += n;
            times[0] += t;
            let (n, t) = run_slice(SLICE, || ours_itu.traffic(64));
            counts[1] += n;
            times[1] += t;
            if let Some(pair) = libss7.as_mut() {
                let (n, t) = run_slice(SLICE, || pair.traffic(64));
                counts[2] += n;
                times[2] += t;
            }
        }
        let refused: u64 =
            [&ours_china, &ours_itu].iter().flat_map(|p| p.lines.iter().map(|l| l.refused)).sum();
        assert_eq!(refused, 0, "the pacer overfilled an encoder");
        china.push(counts[0] as f64 / times[0].as_secs_f64());
        itu.push(counts[1] as f64 / times[1].as_secs_f64());
        if libss7.is_some() {
            lib.push(counts[2] as f64 / times[2].as_secs_f64());
        }
    }
    println!("  tdm-ss7, China 24-bit point codes   {:>10.0} MSUs/s per core", median(china));
    println!("  tdm-ss7, ITU 14-bit point codes     {:>10.0} MSUs/s per core", median(itu));
    if lib.is_empty() {
        println!("  libss7                              not available (install libss7-dev)");
    } else {
        println!("  libss7 2.0.0 pair, ITU (LPA)        {:>10.0} MSUs/s per core", median(lib));
    }

    println!("\nAlignment to in service, virtual time on a clean 64 kbit/s line");
    let (mtp2, available) = our_point_alignment();
    println!(
        "  tdm-ss7, emergency proving          MTP2 in service {mtp2:>6} ms, link carrying traffic {available:>6} ms"
    );
    println!("  tdm-ss7, normal proving (MTP2 only) MTP2 in service {:>6} ms", our_link_alignment_normal());
    match LibPair::new() {
        Some(mut pair) => {
            let start = pair.now_us;
            pair.start();
            while !(pair.up[0] && pair.up[1]) && pair.now_us - start < 60_000_000 {
                pair.step();
            }
            let link_up = pair.link_up.iter().flatten().max().map_or(0, |t| (t - start) / 1_000);
            println!(
                "  libss7 2.0.0 (emergency always)     MTP2 in service {link_up:>6} ms, MTP3 up (SS7_EVENT_UP) {:>6} ms",
                (pair.now_us - start) / 1_000
            );
        }
        None => println!("  libss7                              not available (install libss7-dev)"),
    }
    tdm_peer_libss7::use_real_time();
}
