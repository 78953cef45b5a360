//! The simulator: boards, their spans and the cables between them, advanced one block
//! (1 ms of virtual time) at a time.
//!
//! Each block runs in a fixed order, so that a run depends only on the bench, the seed
//! and what the drivers do:
//! 1. runtime controls queued since the last block take effect;
//! 2. each board's interrupt socket: a new driver is taken, its writes are read, and in
//!    lockstep the board waits for the re-enable of an outstanding interrupt;
//! 3. each external port takes a waiting peer;
//! 4. the spans' control registers are read, the faults of this block are worked out and
//!    each span's transmit clock is resolved ([`crate::timing`]);
//! 5. each span takes its units from its TX ring (or, in remote loopback, resends what it
//!    received the block before) and puts them on its cable; external ports exchange
//!    their blocks with their peers;
//! 6. each span receives what its line delivered (or LOS zeros at its own clock, or in
//!    local loopback its own transmission) into its RX ring, and sets its status;
//! 7. `block_seq` is published and each board raises its interrupt.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tdm_abi::{FRAMES_PER_BLOCK, Geometry, UNIT_OCTETS, clock, loopback, status};

use crate::bench::{self, Bench, FaultKind};
use crate::clock::{Ppb, UnitClock, ppb_from_ppm};
use crate::control::{Action, Command, SimControl};
use crate::error::SimError;
use crate::external::{ExternalPort, LINE_BLOCK_OCTETS};
use crate::irq::InterruptLine;
use crate::line::{Conditions, DirectionStats, LineDirection, MAX_BLOCK_OCTETS, Reception};
use crate::memory::{BoardMemory, MemoryError};
use crate::rng::SplitMix64;
use crate::timing::{self, TimingNode};

/// How long a lockstep board waits for a driver's interrupt re-enable, and an external
/// port for its peer's block, before going on without it.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The files through which a driver reaches one simulated board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardDevice {
    pub name: String,
    /// The board memory (`<dir>/<board>.mem`), to map shared.
    pub memory: PathBuf,
    /// The interrupt socket (`<dir>/<board>.irq`), to connect to.
    pub interrupt: PathBuf,
    pub spans: u32,
}

/// How a simulator running on its own thread paces its blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// As fast as the drivers allow: each board waits for its driver's re-enable.
    Lockstep,
    /// One block per millisecond of wall clock; nobody is waited for, and a driver that
    /// falls behind sees its rings overrun and underrun.
    RealTime,
}

/// Counters of both directions of one cable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CableStats {
    pub a_to_b: DirectionStats,
    pub b_to_a: DirectionStats,
}

struct Board {
    memory: BoardMemory,
    interrupt: InterruptLine,
    interrupt_path: PathBuf,
    name: String,
}

/// Where a span's line goes: cable `cable`, at its end a or b.
#[derive(Debug, Clone, Copy)]
struct Attachment {
    cable: usize,
    end_a: bool,
}

impl Attachment {
    /// The cable direction that arrives at this span.
    fn incoming(&self) -> usize {
        if self.end_a { 1 } else { 0 }
    }
}

struct Span {
    board: usize,
    index: u32,
    oscillator: Ppb,
    attachment: Option<Attachment>,
    /// Control registers as read at the start of this block.
    clock_mode: u32,
    loopback: u32,
    tx_clock: UnitClock,
    tx_offset: Ppb,
    /// The span's oscillator, counting the units of zeros it receives under LOS.
    own_clock: UnitClock,
    /// Units the transmit clock took this block.
    clocked_units: usize,
    outgoing: [u8; MAX_BLOCK_OCTETS],
    outgoing_units: usize,
    line_rx: [u8; MAX_BLOCK_OCTETS],
    /// What the line delivered last block: what remote loopback sends this block.
    looped: [u8; MAX_BLOCK_OCTETS],
    looped_units: usize,
}

impl Span {
    fn new(board: usize, index: u32, oscillator: Ppb) -> Self {
        Span {
            board,
            index,
            oscillator,
            attachment: None,
            clock_mode: clock::INTERNAL,
            loopback: loopback::NONE,
            tx_clock: UnitClock::default(),
            tx_offset: oscillator,
            own_clock: UnitClock::default(),
            clocked_units: 0,
            outgoing: [0; MAX_BLOCK_OCTETS],
            outgoing_units: 0,
            line_rx: [0; MAX_BLOCK_OCTETS],
            // A loop switched on at power-up first sends a block of zeros.
            looped: [0; MAX_BLOCK_OCTETS],
            looped_units: FRAMES_PER_BLOCK as usize,
        }
    }

    fn outgoing(&self) -> &[u8] {
        &self.outgoing[..self.outgoing_units * UNIT_OCTETS]
    }
}

enum CableEnd {
    Span(usize),
    External(ExternalPort),
}

struct Cable {
    name: String,
    a: usize,
    b: CableEnd,
    /// `[a to b, b to a]`.
    lines: [LineDirection; 2],
    faults: Vec<bench::FaultSpec>,
    /// Runtime cut: both directions are cut for blocks before this one.
    cut_until: u64,
    /// Runtime AIS, both directions.
    ais: bool,
    conditions: [Conditions; 2],
}

impl Cable {
    fn far_span(&self, end_a: bool) -> timing::FarEnd {
        match (&self.b, end_a) {
            (CableEnd::Span(b), true) => timing::FarEnd::Span(*b),
            (CableEnd::External(_), true) => timing::FarEnd::ExternalPeer,
            (_, false) => timing::FarEnd::Span(self.a),
        }
    }
}

/// A bench of simulated boards, advanced block by block (see the module docs for what a
/// block does, and `docs/board-abi.md` for what the drivers see).
pub struct Simulator {
    boards: Vec<Board>,
    spans: Vec<Span>,
    cables: Vec<Cable>,
    devices: Vec<BoardDevice>,
    now: u64,
    control: SimControl,
    commands: mpsc::Receiver<Command>,
    irq_timeout: Duration,
    peer_timeout: Duration,
    stop: Option<Arc<AtomicBool>>,
    /// Each span's timing facts this block, and scratch space to resolve them.
    timing: Vec<TimingNode>,
    chain: Vec<usize>,
}

impl Simulator {
    /// Creates every board: memory file (`<dir>/<board>.mem`, laid out with
    /// `tdm_abi::BoardView::format` and marked running) and interrupt socket
    /// (`<dir>/<board>.irq`, listening), and every external port's socket. `dir` is
    /// created if missing; stale sockets from an earlier run are replaced.
    pub fn new(bench: &Bench, dir: &Path) -> Result<Simulator, SimError> {
        std::fs::create_dir_all(dir)
            .map_err(|error| SimError::Directory { path: dir.to_path_buf(), error })?;
        let mut boards = Vec::with_capacity(bench.boards().len());
        let mut devices = Vec::with_capacity(bench.boards().len());
        let mut spans = Vec::new();
        let mut first_span = Vec::with_capacity(bench.boards().len());
        for (board_index, spec) in bench.boards().iter().enumerate() {
            let memory_path = dir.join(format!("{}.mem", spec.name));
            let interrupt_path = dir.join(format!("{}.irq", spec.name));
            let geometry = Geometry { spans: spec.spans, ring_units: spec.ring_units };
            let memory = BoardMemory::create(&memory_path, geometry, &spec.name).map_err(|e| match e {
                MemoryError::Io(error) => {
                    SimError::Memory { board: spec.name.clone(), path: memory_path.clone(), error }
                }
                MemoryError::Layout(error) => SimError::Layout { board: spec.name.clone(), error },
            })?;
            let interrupt =
                InterruptLine::listen(&spec.name, &interrupt_path).map_err(|error| SimError::Socket {
                    owner: format!("board {} interrupt", spec.name),
                    path: interrupt_path.clone(),
                    error,
                })?;
            first_span.push(spans.len());
            let oscillator = ppb_from_ppm(spec.clock_ppm);
            spans.extend((0..spec.spans).map(|i| Span::new(board_index, i, oscillator)));
            devices.push(BoardDevice {
                name: spec.name.clone(),
                memory: memory_path,
                interrupt: interrupt_path.clone(),
                spans: spec.spans,
            });
            boards.push(Board { memory, interrupt, interrupt_path, name: spec.name.clone() });
        }

        let mut seeds = SplitMix64::new(bench.seed());
        let mut cables = Vec::with_capacity(bench.cables().len());
        for (cable_index, spec) in bench.cables().iter().enumerate() {
            let a = first_span[spec.a.board_index] + spec.a.span as usize;
            spans[a].attachment = Some(Attachment { cable: cable_index, end_a: true });
            let b = match &spec.b {
                bench::FarEnd::Span(port) => {
                    let b = first_span[port.board_index] + port.span as usize;
                    spans[b].attachment = Some(Attachment { cable: cable_index, end_a: false });
                    spans[a].oscillator += ppb_from_ppm(spec.clock_ppm);
                    CableEnd::Span(b)
                }
                bench::FarEnd::External(path) => {
                    // The peer paces this span: every block carries exactly 8 units.
                    spans[a].oscillator = 0;
                    CableEnd::External(ExternalPort::listen(&spec.name, path).map_err(|error| {
                        SimError::Socket {
                            owner: format!("cable {} external port", spec.name),
                            path: path.clone(),
                            error,
                        }
                    })?)
                }
            };
            let line = |seed| LineDirection::new(seed, spec.bit_offset, spec.ber, spec.lcv_rate);
            let lines = [line(seeds.next_u64()), line(seeds.next_u64())];
            cables.push(Cable {
                name: spec.name.clone(),
                a,
                b,
                lines,
                faults: spec.faults.clone(),
                cut_until: 0,
                ais: false,
                conditions: [Conditions::default(); 2],
            });
        }
        for span in &mut spans {
            span.tx_offset = span.oscillator;
        }

        let names: Arc<[String]> = cables.iter().map(|c| c.name.clone()).collect();
        let (sender, commands) = mpsc::channel();
        let chain = Vec::with_capacity(spans.len());
        let timing = vec![
            TimingNode {
                oscillator: 0,
                follows_line: false,
                looping_back: false,
                has_signal: false,
                far: timing::FarEnd::Nothing,
            };
            spans.len()
        ];
        Ok(Simulator {
            boards,
            spans,
            cables,
            devices,
            now: 0,
            control: SimControl::new(names, sender),
            commands,
            irq_timeout: DEFAULT_TIMEOUT,
            peer_timeout: DEFAULT_TIMEOUT,
            stop: None,
            timing,
            chain,
        })
    }

    /// The boards, in bench order, with the paths a driver opens.
    pub fn devices(&self) -> &[BoardDevice] {
        &self.devices
    }

    /// Blocks completed: virtual time in ms.
    pub fn now_ms(&self) -> u64 {
        self.now
    }

    /// A handle for injecting faults at run time, from any thread.
    pub fn control(&self) -> SimControl {
        self.control.clone()
    }

    /// How long a lockstep board waits for its driver's re-enable (default 10 s). After
    /// that it logs a warning and goes on, raising no interrupt until the driver catches up.
    pub fn set_irq_timeout(&mut self, timeout: Duration) {
        self.irq_timeout = timeout;
    }

    /// How long an external port waits for its peer's block (default 10 s) before
    /// dropping the peer.
    pub fn set_peer_timeout(&mut self, timeout: Duration) {
        self.peer_timeout = timeout;
    }

    /// Both directions' counters of the named cable.
    pub fn cable_stats(&self, name: &str) -> Option<CableStats> {
        let cable = self.cables.iter().find(|c| c.name == name)?;
        Some(CableStats { a_to_b: cable.lines[0].stats(), b_to_a: cable.lines[1].stats() })
    }

    /// Advances virtual time by one block (1 ms nominal) on every board, in lockstep:
    /// each board first waits for its driver (if one is connected) to re-enable the
    /// interrupt of the previous block.
    pub fn step(&mut self) -> Result<(), SimError> {
        self.advance(true)
    }

    /// Steps on its own thread until `stop` is set, then hands the simulator back.
    /// Lockstep runs as fast as the drivers allow; RealTime runs one block per ms of wall
    /// clock, catching up in bursts when late so that it never drifts.
    pub fn spawn(mut self, pacing: Pacing, stop: Arc<AtomicBool>) -> JoinHandle<Result<Simulator, SimError>> {
        std::thread::spawn(move || {
            self.stop = Some(stop.clone());
            let result = self.run(pacing, &stop);
            self.stop = None;
            result.map(|()| self)
        })
    }

    fn run(&mut self, pacing: Pacing, stop: &AtomicBool) -> Result<(), SimError> {
        match pacing {
            Pacing::Lockstep => {
                while !stop.load(Ordering::Relaxed) {
                    self.advance(true)?;
                }
            }
            Pacing::RealTime => {
                let start = Instant::now();
                let mut blocks = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    // Each block is due at its own instant since the start, so lateness
                    // is caught up in a burst and never accumulates.
                    let due = start + Duration::from_millis(blocks);
                    let now = Instant::now();
                    if now < due {
                        std::thread::sleep((due - now).min(Duration::from_millis(50)));
                        continue;
                    }
                    self.advance(false)?;
                    blocks += 1;
                }
            }
        }
        Ok(())
    }

    fn advance(&mut self, lockstep: bool) -> Result<(), SimError> {
        let block = self.now;
        self.apply_commands();
        let stop = self.stop.as_deref();
        for board in &mut self.boards {
            board.interrupt.before_block(lockstep, self.irq_timeout, stop).map_err(|error| {
                SimError::Socket {
                    owner: format!("board {} interrupt", board.name),
                    path: board.interrupt_path.clone(),
                    error,
                }
            })?;
        }
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            // Asked to stop while waiting for a driver: start no block it has not allowed.
            return Ok(());
        }
        for cable in &mut self.cables {
            if let CableEnd::External(port) = &mut cable.b {
                port.accept(self.peer_timeout).map_err(|error| SimError::Socket {
                    owner: format!("cable {} external port", cable.name),
                    path: port.path().to_path_buf(),
                    error,
                })?;
            }
        }
        self.read_controls();
        self.set_conditions(block);
        self.resolve_clocks();
        self.transmit();
        self.carry();
        self.receive();
        self.now += 1;
        for board in &mut self.boards {
            board.memory.view().header().block_seq.store(self.now, Ordering::Release);
            board.interrupt.raise(self.now as u32);
        }
        Ok(())
    }

    fn apply_commands(&mut self) {
        while let Ok(Command { cable, action }) = self.commands.try_recv() {
            let Some(cable) = self.cables.get_mut(cable) else { continue };
            match action {
                Action::Cut { duration_ms } => {
                    cable.cut_until = cable.cut_until.max(self.now.saturating_add(duration_ms));
                }
                Action::Ais(on) => cable.ais = on,
                Action::Ber(p) => cable.lines.iter_mut().for_each(|l| l.set_ber(p)),
                Action::LcvRate(p) => cable.lines.iter_mut().for_each(|l| l.set_lcv_rate(p)),
                Action::Inject { direction, count } => {
                    for (i, line) in cable.lines.iter_mut().enumerate() {
                        if direction.covers(i == 0) {
                            line.inject(count);
                        }
                    }
                }
            }
        }
    }

    fn read_controls(&mut self) {
        for span in &mut self.spans {
            let Some(view) = self.boards[span.board].memory.view().span(span.index) else { continue };
            span.clock_mode = view.regs.clock.load(Ordering::Relaxed);
            span.loopback = view.regs.loopback.load(Ordering::Relaxed);
        }
    }

    fn set_conditions(&mut self, block: u64) {
        for cable in &mut self.cables {
            let no_peer = matches!(&cable.b, CableEnd::External(port) if !port.connected());
            for (direction, from_a) in [(0, true), (1, false)] {
                let mut c = Conditions::default();
                for fault in cable.faults.iter().filter(|f| f.direction.covers(from_a) && f.active_at(block))
                {
                    match fault.kind {
                        FaultKind::Cut => c.cut = true,
                        FaultKind::Ais => c.ais = true,
                        FaultKind::CrcBurst => c.burst = true,
                    }
                }
                c.cut |= block < cable.cut_until || no_peer;
                c.ais |= cable.ais;
                cable.conditions[direction] = c;
            }
        }
    }

    fn resolve_clocks(&mut self) {
        for (span, node) in self.spans.iter().zip(self.timing.iter_mut()) {
            let (has_signal, far) = match span.attachment {
                Some(att) => {
                    let cable = &self.cables[att.cable];
                    (!cable.conditions[att.incoming()].cut, cable.far_span(att.end_a))
                }
                None => (false, timing::FarEnd::Nothing),
            };
            let remote = span.loopback == loopback::REMOTE;
            *node = TimingNode {
                oscillator: span.oscillator,
                follows_line: remote || (span.clock_mode == clock::LINE && span.loopback != loopback::LOCAL),
                looping_back: remote,
                has_signal,
                far,
            };
        }
        for (s, span) in self.spans.iter_mut().enumerate() {
            span.tx_offset = timing::transmit_offset(&self.timing, s, &mut self.chain);
        }
    }

    fn transmit(&mut self) {
        for span in &mut self.spans {
            let units = span.tx_clock.tick(span.tx_offset);
            span.clocked_units = units;
            let Some(view) = self.boards[span.board].memory.view().span(span.index) else { continue };
            let ring = view.tx();
            let taken = if span.loopback == loopback::REMOTE {
                let bytes = span.looped_units * UNIT_OCTETS;
                span.outgoing[..bytes].copy_from_slice(&span.looped[..bytes]);
                span.outgoing_units = span.looped_units;
                ring.skip(units)
            } else {
                let bytes = units * UNIT_OCTETS;
                let taken = ring.pop(&mut span.outgoing[..bytes]);
                span.outgoing[taken * UNIT_OCTETS..bytes].fill(0xff);
                span.outgoing_units = units;
                taken
            };
            if taken < units {
                view.regs.tx_underruns.fetch_add((units - taken) as u64, Ordering::Relaxed);
            }
        }
    }

    fn carry(&mut self) {
        for cable in &mut self.cables {
            let from_a = self.spans[cable.a].outgoing();
            cable.lines[0].transmit(from_a, cable.conditions[0]);
            match &mut cable.b {
                CableEnd::Span(b) => cable.lines[1].transmit(self.spans[*b].outgoing(), cable.conditions[1]),
                CableEnd::External(port) => {
                    let mut block = [0u8; LINE_BLOCK_OCTETS];
                    // A cut toward the peer leaves the block at zeros: no pulses.
                    if let Reception::Signal { .. } = cable.lines[0].receive(&mut block) {
                        port.send_block(&block, self.peer_timeout);
                    }
                }
            }
        }
        // All peers have their block before any is waited for.
        for cable in &mut self.cables {
            if let CableEnd::External(port) = &mut cable.b {
                let mut block = [0u8; LINE_BLOCK_OCTETS];
                let got = port.connected()
                    && port.receive_block(&mut block, self.peer_timeout, self.stop.as_deref());
                let mut c = cable.conditions[1];
                c.cut |= !got;
                cable.lines[1].transmit(if got { &block } else { &[] }, c);
            }
        }
    }

    fn receive(&mut self) {
        for span in &mut self.spans {
            let own_units = span.own_clock.tick(span.oscillator);
            let mut lcvs = 0;
            let mut line_units = None;
            if let Some(att) = span.attachment {
                let line = &mut self.cables[att.cable].lines[att.incoming()];
                if let Reception::Signal { units, lcvs: n } = line.receive(&mut span.line_rx) {
                    line_units = Some(units);
                    lcvs = n;
                    line.add_frame_slips(units as i64 - span.clocked_units as i64);
                }
            }
            let los = line_units.is_none();
            let line_units = line_units.unwrap_or_else(|| {
                span.line_rx[..own_units * UNIT_OCTETS].fill(0);
                own_units
            });
            let Some(view) = self.boards[span.board].memory.view().span(span.index) else { continue };
            let (rx, los) = if span.loopback == loopback::LOCAL {
                (span.outgoing(), false)
            } else {
                (&span.line_rx[..line_units * UNIT_OCTETS], los)
            };
            let units = rx.len() / UNIT_OCTETS;
            let pushed = view.rx().push(rx);
            if pushed < units {
                view.regs.rx_overruns.fetch_add((units - pushed) as u64, Ordering::Relaxed);
            }
            view.regs.status.store(if los { status::LOS } else { 0 }, Ordering::Relaxed);
            if lcvs > 0 {
                view.regs.line_code_violations.fetch_add(lcvs, Ordering::Relaxed);
            }
            std::mem::swap(&mut span.line_rx, &mut span.looped);
            span.looped_units = line_units;
        }
    }
}
