//! ISUP call cycles per second on one core, through both ends: IAM, ACM, ANM, REL, RLC, with
//! 30 calls in flight (one per circuit of an E1), placed by side A, alerted and answered by
//! side B, cleared by side A. Two set-ups:
//!
//! - user part: the two ISUP engines joined at the MTP3 user level (each MTP-TRANSFER request
//!   handed straight to the other side as an indication);
//! - MTP3 + MTP2: each engine on its own MTP3 point with one signalling link, the signal
//!   units handed between the two MTP2s as they are produced (event-driven, as the libss7
//!   reference pair runs), FISUs included.
//!
//! Neither side's timers fire during a run (virtual time stands still). Also printed: the
//! bytes of engine state per idle circuit and per active call.
//!
//! The same cycle runs between two libss7 instances (ITU: libss7 has no China variant), each
//! running its own MTP2 and MTP3, their signal units handed over the same event-driven way
//! (reference/peer-libraries.md quotes about 38 000 cycles/s for such a pair).
//!
//! Run: `cargo bench -p tdm-ss7 --bench isup`.

use std::hint::black_box;
use std::time::{Duration, Instant as WallClock};
use tdm_base::{Cause, Instant};
use tdm_peer_libss7::isup::{IsupCall, IsupEvent};
use tdm_peer_libss7::{LibSs7, Ss7Config, Variant};
use tdm_ss7::circuit::{CallId, CicMap, Event, Number, OutgoingCall, UserPart};
use tdm_ss7::isup::{Isup, IsupConfig};
use tdm_ss7::label::{NetworkIndicator, PointCode, PointCodeFormat};
use tdm_ss7::mtp3::pair::{Pair as MtpPair, Side};
use tdm_ss7::mtp3::status::{LinkId, SignallingLinkState};
use tdm_ss7::mtp3::{Indication, LinkSetConfig, Mtp3Config, SignallingLinkConfig};

const CALLS_IN_FLIGHT: usize = 30;
const RUNS: usize = 5;
const RUN_TIME: Duration = Duration::from_millis(700);

fn pcs() -> (PointCode, PointCode) {
    (PointCode::china(1, 1, 2), PointCode::china(1, 1, 1))
}

fn engines() -> (Isup, Isup) {
    let (a, b) = pcs();
    let circuits = CicMap::e1(1, 0, true).expect("one E1");
    let mut a = Isup::new(IsupConfig::new(a, b, PointCodeFormat::China24, circuits.clone()));
    let mut b = Isup::new(IsupConfig::new(b, a.config().own, PointCodeFormat::China24, circuits));
    a.start(Instant::ZERO);
    b.start(Instant::ZERO);
    (a, b)
}

fn requests() -> Vec<OutgoingCall> {
    (0..CALLS_IN_FLIGHT)
        .map(|i| {
            let mut request = OutgoingCall::new(&format!("1008{i:02}")).expect("digits");
            request.calling = Number::national("88880001").ok();
            request
        })
        .collect()
}

/// What the two ISUP engines do with each other's events; counts A's outcomes.
#[derive(Default)]
struct Tally {
    answered: usize,
    released: usize,
}

fn serve(b: &mut Isup, now: Instant) {
    while let Some(event) = b.poll_event() {
        if let Event::Incoming(incoming) = event {
            let _ = b.alert(now, incoming.call, false);
            let _ = b.answer(now, incoming.call);
        }
    }
}

fn tally(a: &mut Isup, tally: &mut Tally) {
    while let Some(event) = a.poll_event() {
        match event {
            Event::Answered { .. } => tally.answered += 1,
            Event::Released { .. } => tally.released += 1,
            _ => {}
        }
    }
}

/// The engines joined at the MTP3 user level.
struct Direct {
    a: Isup,
    b: Isup,
    now: Instant,
}

impl Direct {
    fn drive(&mut self, t: &mut Tally) {
        loop {
            let mut moved = false;
            while let Some(transfer) = self.a.poll_transmit() {
                moved = true;
                self.b.handle_indication(self.now, &Indication::Transfer(transfer));
            }
            serve(&mut self.b, self.now);
            while let Some(transfer) = self.b.poll_transmit() {
                moved = true;
                self.a.handle_indication(self.now, &Indication::Transfer(transfer));
            }
            tally(&mut self.a, t);
            if !moved {
                break;
            }
        }
    }

    fn batch(&mut self, requests: &[OutgoingCall]) -> usize {
        let mut t = Tally::default();
        let calls: Vec<CallId> =
            requests.iter().filter_map(|r| self.a.place_call(self.now, r).ok()).collect();
        self.drive(&mut t);
        for call in &calls {
            let _ = self.a.hangup(self.now, *call, Cause::NormalClearing);
        }
        self.drive(&mut t);
        assert_eq!((t.answered, t.released), (CALLS_IN_FLIGHT, CALLS_IN_FLIGHT), "every call completes");
        t.released
    }
}

/// The engines on two MTP3 points with one signalling link between them.
struct ThroughMtp {
    a: Isup,
    b: Isup,
    mtp: MtpPair,
    links: [LinkId; 2],
    now: Instant,
    su: [u8; 300],
}

fn mtp_config(own: PointCode, adjacent: PointCode) -> Mtp3Config {
    let mut config = Mtp3Config::new(own, PointCodeFormat::China24, NetworkIndicator::National);
    config.link_sets.push(LinkSetConfig {
        name: "peer".into(),
        adjacent,
        links: vec![SignallingLinkConfig::new(0, 0, 16)],
    });
    config
}

impl ThroughMtp {
    fn new() -> Self {
        let (a, b) = pcs();
        let mut mtp = MtpPair::new(mtp_config(a, b), mtp_config(b, a)).expect("MTP pair");
        mtp.start();
        let up = mtp.run_while_not(tdm_base::Duration::from_secs(60), |p| {
            [Side::A, Side::B].iter().all(|&side| {
                let point = p.point_ref(side);
                point.link_ids().all(|id| point.link_state(id) == Some(SignallingLinkState::Available))
                    && point.is_accessible(if side == Side::A { b } else { a })
            })
        });
        assert!(up, "signalling link in service");
        mtp.take_indications(Side::A);
        mtp.take_indications(Side::B);
        let link = |side| mtp.point_ref(side).link_ids().next().expect("one link");
        let links = [link(Side::A), link(Side::B)];
        let now = mtp.now;
        let (a, b) = engines();
        let mut pair = ThroughMtp { a, b, mtp, links, now, su: [0; 300] };
        let mut t = Tally::default();
        pair.drive(&mut t);
        pair
    }

    /// Hands one signal unit from `from` to the other side; returns whether it was an MSU.
    fn carry(&mut self, from: Side) -> bool {
        let (to, from_link, to_link) = match from {
            Side::A => (Side::B, self.links[0], self.links[1]),
            Side::B => (Side::A, self.links[1], self.links[0]),
        };
        let len = self.mtp.point(from).poll_transmit(self.now, from_link, &mut self.su);
        let msu = len > 2 && self.su[2] & 0x3F > 2;
        let su = self.su;
        self.mtp.point(to).handle_su(self.now, to_link, &su[..len]);
        msu
    }

    fn drive(&mut self, t: &mut Tally) {
        loop {
            let mut moved = false;
            while let Some(transfer) = self.a.poll_transmit() {
                moved = true;
                let _ = self.mtp.point(Side::A).transfer(self.now, &transfer);
            }
            while let Some(transfer) = self.b.poll_transmit() {
                moved = true;
                let _ = self.mtp.point(Side::B).transfer(self.now, &transfer);
            }
            moved |= self.carry(Side::A);
            moved |= self.carry(Side::B);
            while let Some(indication) = self.mtp.point(Side::B).poll_indication() {
                moved = true;
                self.b.handle_indication(self.now, &indication);
            }
            serve(&mut self.b, self.now);
            while let Some(indication) = self.mtp.point(Side::A).poll_indication() {
                moved = true;
                self.a.handle_indication(self.now, &indication);
            }
            tally(&mut self.a, t);
            if !moved {
                break;
            }
        }
    }

    fn batch(&mut self, requests: &[OutgoingCall]) -> usize {
        let mut t = Tally::default();
        let calls: Vec<CallId> =
            requests.iter().filter_map(|r| self.a.place_call(self.now, r).ok()).collect();
        self.drive(&mut t);
        for call in &calls {
            let _ = self.a.hangup(self.now, *call, Cause::NormalClearing);
        }
        self.drive(&mut t);
        assert_eq!((t.answered, t.released), (CALLS_IN_FLIGHT, CALLS_IN_FLIGHT), "every call completes");
        t.released
    }
}

/// Two libss7 points on one link, signal units handed over as they are produced.
struct LibPair {
    a: LibSs7,
    b: LibSs7,
    su: [u8; 300],
}

/// Whether a signal unit (without check octets) is an MSU: LI above 2.
fn is_msu(su: &[u8]) -> bool {
    su.len() > 2 && su[2] & 0x3F > 2
}

impl LibPair {
    fn new() -> Option<LibPair> {
        let config = |pc, adjacent| Ss7Config { variant: Variant::Itu, pc, adjacent, ni: 2, slc: 0 };
        let mut pair = LibPair {
            a: LibSs7::new(config(0x0102, 0x0101))?,
            b: LibSs7::new(config(0x0101, 0x0102))?,
            su: [0; 300],
        };
        // Align on a virtual clock (libss7 reads the time of day), a millisecond per step.
        let mut now = 1_000_000_000u64;
        tdm_peer_libss7::set_virtual_time(now);
        pair.a.start();
        pair.b.start();
        let mut up = [false, false];
        for _ in 0..120_000 {
            now += 1000;
            tdm_peer_libss7::set_virtual_time(now);
            pair.a.run_timers();
            pair.b.run_timers();
            pair.exchange();
            while let Some(event) = pair.a.poll_isup_event() {
                up[0] |= event == IsupEvent::Up;
            }
            while let Some(event) = pair.b.poll_isup_event() {
                up[1] |= event == IsupEvent::Up;
            }
            if up == [true, true] {
                return Some(pair);
            }
        }
        None
    }

    /// One signal unit each way; returns whether either was an MSU.
    fn exchange(&mut self) -> bool {
        let len = self.a.transmit(&mut self.su);
        let a_msu = is_msu(&self.su[..len]);
        if len > 0 {
            let su = self.su;
            self.b.receive(&su[..len]);
        }
        let len = self.b.transmit(&mut self.su);
        let b_msu = is_msu(&self.su[..len]);
        if len > 0 {
            let su = self.su;
            self.a.receive(&su[..len]);
        }
        a_msu || b_msu
    }

    fn drive(&mut self, t: &mut Tally) {
        loop {
            let mut moved = self.exchange();
            while let Some(event) = self.b.poll_isup_event() {
                moved = true;
                match event {
                    IsupEvent::Iam { call, .. } => {
                        self.b.acm(call);
                        self.b.anm(call);
                    }
                    IsupEvent::Rel { call, .. } => {
                        self.b.rlc(call);
                    }
                    _ => {}
                }
            }
            while let Some(event) = self.a.poll_isup_event() {
                moved = true;
                match event {
                    IsupEvent::Anm { .. } => t.answered += 1,
                    IsupEvent::Rlc { call, .. } => {
                        self.a.free_if_clear(call);
                        t.released += 1;
                    }
                    _ => {}
                }
            }
            if !moved {
                break;
            }
        }
    }

    fn batch(&mut self) -> usize {
        let mut t = Tally::default();
        let calls: Vec<IsupCall> = (0..CALLS_IN_FLIGHT)
            .filter_map(|i| self.a.iam(1 + i as u16, &format!("1008{i:02}"), "88880001"))
            .collect();
        self.drive(&mut t);
        for call in &calls {
            self.a.rel(*call, 16);
        }
        self.drive(&mut t);
        assert_eq!(
            (t.answered, t.released),
            (CALLS_IN_FLIGHT, CALLS_IN_FLIGHT),
            "every libss7 call completes"
        );
        t.released
    }
}

fn rate(mut batch: impl FnMut() -> usize) -> f64 {
    batch();
    let start = WallClock::now();
    let mut cycles = 0;
    while start.elapsed() < RUN_TIME {
        cycles += black_box(batch());
    }
    cycles as f64 / start.elapsed().as_secs_f64()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let requests = requests();
    let mut direct = Direct { a: engines().0, b: engines().1, now: Instant::ZERO };
    direct.drive(&mut Tally::default());
    let user_part = median((0..RUNS).map(|_| rate(|| direct.batch(&requests))).collect());
    let mut through = ThroughMtp::new();
    let with_mtp = median((0..RUNS).map(|_| rate(|| through.batch(&requests))).collect());
    let libss7 = LibPair::new().map(|mut pair| {
        let rate = median((0..RUNS).map(|_| rate(|| pair.batch())).collect());
        tdm_peer_libss7::use_real_time();
        rate
    });
    println!(
        "ISUP call cycles (IAM ACM ANM REL RLC), {CALLS_IN_FLIGHT} in flight, one core, median of {RUNS}:"
    );
    println!("  this stack, user part to user part : {user_part:>10.0} cycles/s");
    println!("  this stack, through MTP3 + MTP2    : {with_mtp:>10.0} cycles/s");
    match libss7 {
        Some(libss7) => {
            println!("  libss7 pair, with its MTP2 + MTP3  : {libss7:>10.0} cycles/s");
            println!("  ratio (through MTP) / libss7       : {:>10.2}x  (target >= 3x)", with_mtp / libss7);
        }
        None => {
            println!("  libss7 pair                        : not available (no libss7-dev, or no alignment)")
        }
    }
    println!("state per idle circuit: {} bytes (target < 1024)", Isup::CIRCUIT_STATE_BYTES);
    println!("state added per active call: {} bytes", Isup::CALL_STATE_BYTES);
}
