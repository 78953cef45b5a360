//! Two signalling points joined by simulated 64 kbit/s signalling links: the harness of the
//! level 3 tests, the fuzz bodies and anyone (ISUP, TUP) who wants two MTPs talking in memory.
//!
//! Link `i` of link set `s` of point A is wired to link `i` of link set `s` of point B. Each
//! direction of each line carries one signal unit at a time for the time its bits take (with
//! zero-bit insertion, check bits and a flag), so the links stay filled with FISUs as on a
//! real timeslot and octet counting sees a cut line. Virtual time jumps from one event (a line
//! becoming free, a deadline) to the next. A line can be cut, or given a bit error rate, per
//! direction; errors come from a seeded generator, so every run is the same.

use super::config::{ConfigError, Mtp3Config};
use super::point::{Mtp3, Mtp3Event};
use super::status::LinkId;
use super::transfer::{Indication, Transfer, TransferError};
use crate::mtp2::line::line_bits;
use crate::mtp2::su::MAX_SU_LEN;
use tdm_base::{Duration, Instant};

/// One of the two points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    A,
    B,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// A signal unit that crossed a line, when tracing is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TracedSu {
    pub at: Instant,
    /// Index of the line.
    pub line: usize,
    pub from: Side,
    pub su: Vec<u8>,
    /// Whether the line lost or corrupted it.
    pub lost: bool,
}

#[derive(Debug, Clone)]
struct Direction {
    free_at: Instant,
    cut: bool,
    ber: f64,
    sent: u64,
    corrupted: u64,
}

#[derive(Debug, Clone)]
struct Line {
    ids: [LinkId; 2],
    bit_rate: u64,
    directions: [Direction; 2],
}

/// Two points and the lines between them.
pub struct Pair {
    points: [Mtp3; 2],
    lines: Vec<Line>,
    /// Virtual time.
    pub now: Instant,
    indications: [Vec<(Instant, Indication)>; 2],
    events: [Vec<(Instant, Mtp3Event)>; 2],
    /// Every signal unit, when `Some`.
    pub trace: Option<Vec<TracedSu>>,
    /// Whether the harness takes each point's indications after every step (as a user part
    /// would); a point left alone fills its queue and its links report busy.
    pub polling: [bool; 2],
    rng: u64,
}

/// Why two configurations cannot be paired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PairError {
    /// A configuration is invalid.
    Config(ConfigError),
    /// The two do not have the same number of link sets and links per set.
    ShapeMismatch,
}

impl Pair {
    /// Two points wired link for link.
    pub fn new(a: Mtp3Config, b: Mtp3Config) -> Result<Pair, PairError> {
        let shape = |c: &Mtp3Config| c.link_sets.iter().map(|s| s.links.len()).collect::<Vec<_>>();
        if shape(&a) != shape(&b) {
            return Err(PairError::ShapeMismatch);
        }
        let mut lines = Vec::new();
        for (set, link_set) in a.link_sets.iter().enumerate() {
            for (link, config) in link_set.links.iter().enumerate() {
                let id = LinkId { set, link };
                let direction =
                    Direction { free_at: Instant::ZERO, cut: false, ber: 0.0, sent: 0, corrupted: 0 };
                lines.push(Line {
                    ids: [id, id],
                    bit_rate: u64::from(config.mtp2.bit_rate.max(8)),
                    directions: [direction.clone(), direction],
                });
            }
        }
        let points = [Mtp3::new(a).map_err(PairError::Config)?, Mtp3::new(b).map_err(PairError::Config)?];
        Ok(Pair {
            points,
            lines,
            now: Instant::ZERO,
            indications: [Vec::new(), Vec::new()],
            events: [Vec::new(), Vec::new()],
            trace: None,
            polling: [true, true],
            rng: 0x9E37_79B9_7F4A_7C15,
        })
    }

    /// Point `side`.
    pub fn point(&mut self, side: Side) -> &mut Mtp3 {
        &mut self.points[side.index()]
    }

    /// Point `side`, read-only.
    pub fn point_ref(&self, side: Side) -> &Mtp3 {
        &self.points[side.index()]
    }

    /// MTP-TRANSFER request on point `side` at the current time.
    pub fn transfer(&mut self, side: Side, message: &Transfer) -> Result<(), TransferError> {
        let now = self.now;
        self.points[side.index()].transfer(now, message)
    }

    /// Number of lines (links).
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Cuts (`true`) or heals line `line` in both directions.
    pub fn set_cut(&mut self, line: usize, cut: bool) {
        if let Some(line) = self.lines.get_mut(line) {
            for direction in &mut line.directions {
                direction.cut = cut;
            }
        }
    }

    /// Cuts or heals one direction of a line: the one from `from`.
    pub fn set_cut_from(&mut self, line: usize, from: Side, cut: bool) {
        if let Some(line) = self.lines.get_mut(line) {
            line.directions[from.index()].cut = cut;
        }
    }

    /// Sets the bit error rate of both directions of a line.
    pub fn set_ber(&mut self, line: usize, ber: f64) {
        if let Some(line) = self.lines.get_mut(line) {
            for direction in &mut line.directions {
                direction.ber = ber.clamp(0.0, 1.0);
            }
        }
    }

    /// Signal units a line corrupted, per direction (from A, from B).
    pub fn corrupted(&self, line: usize) -> (u64, u64) {
        self.lines.get(line).map_or((0, 0), |l| (l.directions[0].corrupted, l.directions[1].corrupted))
    }

    /// Starts both points.
    pub fn start(&mut self) {
        let now = self.now;
        for point in &mut self.points {
            point.start(now);
        }
    }

    /// Takes the indications `side` produced so far, with when.
    pub fn take_indications(&mut self, side: Side) -> Vec<(Instant, Indication)> {
        core::mem::take(&mut self.indications[side.index()])
    }

    /// Takes the events `side` produced so far, with when.
    pub fn take_events(&mut self, side: Side) -> Vec<(Instant, Mtp3Event)> {
        core::mem::take(&mut self.events[side.index()])
    }

    /// The next instant anything happens.
    pub fn next_event(&self) -> Instant {
        let mut next = Instant::MAX;
        for line in &self.lines {
            for direction in &line.directions {
                next = next.min(direction.free_at);
            }
        }
        for point in &self.points {
            if let Some(deadline) = point.poll_timeout() {
                next = next.min(deadline);
            }
        }
        next
    }

    /// Moves to the next event and handles everything due then.
    pub fn step(&mut self) {
        self.now = self.now.max(self.next_event());
        let now = self.now;
        for point in &mut self.points {
            point.handle_timeout(now);
        }
        let mut out = [0u8; MAX_SU_LEN];
        for index in 0..self.lines.len() {
            for from in 0..2 {
                let line = &self.lines[index];
                if line.directions[from].free_at > now {
                    continue;
                }
                let (id_from, id_to) = (line.ids[from], line.ids[1 - from]);
                let bit_rate = line.bit_rate;
                let len = self.points[from].poll_transmit(now, id_from, &mut out);
                let su = &out[..len];
                let bits = u64::from(line_bits(su));
                let cut = line.directions[from].cut;
                let ber = line.directions[from].ber;
                let corrupted = !cut && ber > 0.0 && self.random() < 1.0 - (1.0 - ber).powi(bits as i32);
                let direction = &mut self.lines[index].directions[from];
                direction.free_at = now + Duration::from_micros((bits * 1_000_000).div_ceil(bit_rate));
                direction.sent += 1;
                direction.corrupted += u64::from(corrupted);
                if let Some(trace) = self.trace.as_mut() {
                    let side = if from == 0 { Side::A } else { Side::B };
                    trace.push(TracedSu {
                        at: now,
                        line: index,
                        from: side,
                        su: su.to_vec(),
                        lost: cut || corrupted,
                    });
                }
                let receiver = &mut self.points[1 - from];
                if corrupted {
                    receiver.handle_su_error(now, id_to);
                } else if !cut {
                    receiver.handle_su(now, id_to, su);
                }
            }
        }
        for side in 0..2 {
            while self.polling[side]
                && let Some(indication) = self.points[side].poll_indication()
            {
                self.indications[side].push((now, indication));
            }
            while let Some(event) = self.points[side].poll_event() {
                self.events[side].push((now, event));
            }
        }
    }

    /// Steps until `until`.
    pub fn run_until(&mut self, until: Instant) {
        while self.next_event() <= until {
            self.step();
        }
        self.now = self.now.max(until);
    }

    /// Steps for `duration` of virtual time.
    pub fn run_for(&mut self, duration: Duration) {
        self.run_until(self.now + duration);
    }

    /// Steps until `done` holds (checked after every step) or `limit` of virtual time passed;
    /// returns whether it held.
    pub fn run_while_not(&mut self, limit: Duration, mut done: impl FnMut(&mut Pair) -> bool) -> bool {
        let until = self.now + limit;
        while self.now < until {
            if done(self) {
                return true;
            }
            self.step();
        }
        done(self)
    }

    /// A uniform number in [0, 1) from a seeded xorshift generator.
    fn random(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        (self.rng >> 11) as f64 / (1u64 << 53) as f64
    }
}
