//! Two exchanges on two simulated boards, A and B, joined by two E1 cables: one link set of
//! two signalling links (TS16 of each cable) carries a user part's messages, and the other
//! 60 timeslots are its circuits, CICs 1–31 on the first cable and 33–63 on the second
//! (`CicMap::e1(2, 0, true)`). The real driver runs every span; the rig steps in lockstep
//! and both exchanges are served after every block, so each run is exact.

use tdm_base::Instant;
use tdm_driver::framer::{Crc4Mode, FramerConfig};
use tdm_driver::{Signaling, SpanConfig};
use tdm_ss7::circuit::pair::End;
use tdm_ss7::circuit::{Activity, CicMap, Event, IncomingCall, UserPart};
use tdm_ss7::label::{NetworkIndicator, PointCode, PointCodeFormat};
use tdm_ss7::mtp3::{LinkSetConfig, Mtp3Config, Mtp3Event, SignallingLinkConfig, SignallingLinkState};

use super::MtpNode;
use super::circuits::CircuitNode;
use crate::Rig;

/// The bench: two boards of two spans, cable 0 between their first spans and cable 1
/// between their second, at different bit offsets.
const BENCH: &str = "seed = 11\n\
                     [[board]]\nname = \"a\"\nspans = 2\n[[board]]\nname = \"b\"\nspans = 2\n\
                     [[cable]]\nname = \"cable0\"\na = \"a:0\"\nb = \"b:0\"\nbit_offset = 23\n\
                     [[cable]]\nname = \"cable1\"\na = \"a:1\"\nb = \"b:1\"\nbit_offset = 150\n";

/// The circuits of the bench: both E1s, TS16 of each left to signalling.
pub fn bench_circuits() -> CicMap {
    CicMap::e1(2, 0, true).unwrap_or_else(|e| panic!("{e}"))
}

/// A and B with their user parts on the bench.
pub struct PointPair<U: UserPart> {
    /// The simulator and the drivers.
    pub rig: Rig,
    /// Exchange A, on board `a`.
    pub a: CircuitNode<U>,
    /// Exchange B, on board `b`.
    pub b: CircuitNode<U>,
    /// MTP3 events of A and B (link management), in order.
    pub mtp_events: [Vec<Mtp3Event>; 2],
    /// The point codes of A and B.
    pub point_codes: [PointCode; 2],
}

fn mtp_config(format: PointCodeFormat, own: PointCode, adjacent: PointCode) -> Mtp3Config {
    let mut config = Mtp3Config::new(own, format, NetworkIndicator::National);
    config.link_sets.push(LinkSetConfig {
        name: "trunk".into(),
        adjacent,
        links: vec![SignallingLinkConfig::new(0, 0, 16), SignallingLinkConfig::new(1, 1, 16)],
    });
    config
}

impl<U: UserPart> PointPair<U> {
    /// Builds the bench with A at `a_pc` and B at `b_pc`, and each exchange's user part from
    /// `make(own, peer, circuits)`. Nothing runs until [`PointPair::bring_up`].
    pub fn new(
        format: PointCodeFormat,
        a_pc: PointCode,
        b_pc: PointCode,
        make: impl Fn(PointCode, PointCode, CicMap) -> U,
    ) -> PointPair<U> {
        let span = SpanConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            signaling: Signaling::Ccs,
            ..SpanConfig::default()
        };
        let rig = Rig::new(BENCH, &[("a", vec![span, span]), ("b", vec![span, span])]);
        let node = |board: &str, own: PointCode, peer: PointCode| {
            let handle = rig.handle(board);
            let mtp = MtpNode::new(handle, mtp_config(format, own, peer));
            CircuitNode::new(handle, mtp, make(own, peer, bench_circuits()), bench_circuits())
        };
        let a = node("a", a_pc, b_pc);
        let b = node("b", b_pc, a_pc);
        PointPair { rig, a, b, mtp_events: [Vec::new(), Vec::new()], point_codes: [a_pc, b_pc] }
    }

    /// Starts both points' links, waits until both links are available at both ends (the
    /// spans align, MTP2 proves, SLTM/SLTA pass) and each point has the other accessible
    /// (traffic restart done), then starts both user parts in the same block: each resets
    /// every circuit toward the other. Returns the board time (ms) the user parts started at.
    pub fn bring_up(&mut self) -> u64 {
        let now = self.rig.sim.now_ms();
        self.a.mtp.start(now);
        self.b.mtp.start(now);
        self.run_until(5_000, "links available and the other point accessible at both ends", |pair| {
            let [a_pc, b_pc] = pair.point_codes;
            [(&pair.a.mtp, b_pc), (&pair.b.mtp, a_pc)].iter().all(|(node, peer)| {
                node.point.is_accessible(*peer)
                    && node
                        .point
                        .link_ids()
                        .all(|id| node.point.link_state(id) == Some(SignallingLinkState::Available))
            })
        });
        let started = self.rig.sim.now_ms();
        let now = Instant::from_millis(started);
        self.a.user.start(now);
        self.b.user.start(now);
        started
    }

    /// Exchange `end`.
    pub fn node(&mut self, end: End) -> &mut CircuitNode<U> {
        match end {
            End::A => &mut self.a,
            End::B => &mut self.b,
        }
    }

    /// The board time of the last block.
    pub fn now(&self) -> Instant {
        Instant::from_millis(self.rig.sim.now_ms())
    }

    /// One block: the simulator and the drivers run, then A and B are served.
    pub fn step(&mut self) {
        self.rig.step();
        let now = self.rig.sim.now_ms();
        self.a.pump(now);
        self.b.pump(now);
        for (events, node) in self.mtp_events.iter_mut().zip([&mut self.a, &mut self.b]) {
            while let Some(event) = node.mtp.point.poll_event() {
                events.push(event);
            }
        }
    }

    /// Runs `ms` blocks.
    pub fn run_ms(&mut self, ms: u64) {
        for _ in 0..ms {
            self.step();
        }
    }

    /// Steps until `done` holds (checked after each block); returns the blocks it took.
    /// Panics naming `what` after `limit_ms`.
    pub fn run_until(&mut self, limit_ms: u64, what: &str, mut done: impl FnMut(&Self) -> bool) -> u64 {
        for ms in 1..=limit_ms {
            self.step();
            if done(self) {
                return ms;
            }
        }
        panic!(
            "{what}: not within {limit_ms} ms\nA: {}\nB: {}\nMTP3 A: {:?}",
            self.a.summary(),
            self.b.summary(),
            self.mtp_events[0]
        );
    }

    /// Runs until `end` has been offered `n` calls (within `limit_ms`), alerts and answers
    /// them, and returns them.
    pub fn answer(&mut self, end: End, n: usize, limit_ms: u64) -> Vec<IncomingCall> {
        self.run_until(limit_ms, "calls offered", |pair| {
            let node = if end == End::A { &pair.a } else { &pair.b };
            node.events().iter().filter(|e| matches!(e, Event::Incoming(_))).count() >= n
        });
        let answered = self.node(end).answer_calls();
        assert_eq!(answered.len(), n, "calls offered to {end:?}");
        answered
    }

    /// Runs until every circuit is idle (blocked or not) and no timer runs at either end:
    /// every call released, every procedure acknowledged. Panics naming `what` after 5 s.
    pub fn run_until_idle(&mut self, what: &str) -> u64 {
        self.run_until(5_000, what, |pair| {
            [&pair.a, &pair.b].iter().all(|node| {
                node.user.poll_timeout().is_none()
                    && node.user.circuits().iter().all(|c| c.activity == Activity::Idle)
            })
        })
    }

    /// Asserts that both exchanges are idle: every circuit idle, unblocked and equipped, no
    /// speech path connected, no timer running, nothing refused by MTP3 or the driver.
    pub fn assert_idle(&self) {
        for (name, node) in [("A", &self.a), ("B", &self.b)] {
            let (circuits, paths) = node.not_idle();
            assert_eq!(circuits, vec![], "{name}: circuits not idle");
            assert_eq!(paths, Vec::<u16>::new(), "{name}: speech paths still connected");
            assert_eq!(node.user.poll_timeout(), None, "{name}: a timer still runs");
            assert_eq!((node.refused_transfers, node.mtp.refused), (0, 0), "{name}: messages refused");
        }
    }
}
