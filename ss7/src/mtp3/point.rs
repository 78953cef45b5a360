//! A signalling point's MTP level 3 (Q.704, Q.707) with its signalling links' level 2.
//!
//! [`Mtp3`] owns one [`mtp2::Link`](crate::mtp2::Link) per configured link, so the level 3 to
//! level 2 interface (start, emergency, BSNT and retrieval, busy) is plain method calls. It
//! does:
//! - message discrimination and distribution: management (SI 0) and link tests (SI 1 and 2)
//!   here, configured user parts as [`Indication::Transfer`], anything else answered with UPU;
//! - the signalling link test on every link that comes into service and then every SLT T2;
//!   a link carries traffic only once its test passed;
//! - load sharing within a link set by SLS: SLS `s` belongs to link `s mod n` (its home) and
//!   only moves while that link is unavailable, so traffic of the other SLSs never changes
//!   link;
//! - changeover (COO/COA, ECO/ECA answered) with buffer updating through MTP2 retrieval, and
//!   changeback (CBD/CBA) with the traffic held meanwhile, so that no message is lost,
//!   duplicated or overtaken;
//! - route management for destinations behind an adjacent STP: TFP/TFR/TFA, the route set
//!   test (RST/RSR every T10), TFC and UPU as MTP-STATUS; MTP-PAUSE and MTP-RESUME whenever
//!   a destination's accessibility changes;
//! - the traffic restart handshake reduced to what an SP needs: TRA is sent when a link set
//!   becomes available, and traffic to it starts at the adjacent point's TRA (or after T21).
//!
//! Choices the standard leaves open:
//! - BSNT is always retrievable from this MTP2, so ECO is never sent; an ECO received is
//!   answered with COA.
//! - A time-controlled changeover (no COA within T2, then T1) retrieves without buffer
//!   updating: the far end may see a message twice rather than miss one.
//! - Retrieved management and test messages are dropped (they concern the failed link).
//! - Link inhibiting is not offered: LIN is answered with LID.
//! - Received messages are handed to the user parts through a queue of 128 indications; above
//!   96 every link reports busy (SIB) until the user has taken the queue below 32.

use super::config::{ConfigError, Mtp3Config, SignallingLinkConfig};
use super::hold::SlsQueues;
use super::msg::{SnmMessage, TestMessage, TestPattern};
use super::status::{
    DestinationSnapshot, LinkId, LinkSetSnapshot, LinkSnapshot, Mtp3Snapshot, Mtp3Stats, RouteSnapshot,
    RouteStatus, SignallingLinkState,
};
use super::timers::{MTP3_TIMER_COUNT, Mtp3Timer};
use super::transfer::{DestinationStatus, Indication, Transfer, TransferError, UnavailabilityCause};
use crate::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio};
use crate::mtp2::ring::Ring;
use crate::mtp2::su::MAX_MSU_BODY;
use crate::mtp2::{self, FailureReason, MsuRing, Mtp2Event};
use tdm_base::{Instant, TimerDefs};

/// Why a signalling link became unavailable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkFailure {
    /// Level 2 went out of service.
    Mtp2(FailureReason),
    /// Two signalling link tests went unanswered.
    TestFailed,
    /// The adjacent point ordered a changeover (COO or ECO) for it.
    ChangeoverOrder,
    /// The far end's level 3 is out (SIPO).
    RemoteProcessorOutage,
    /// Management deactivated it.
    Deactivated,
}

/// What happened to links and link sets (for management and tests; user parts get
/// [`Indication`]s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mtp3Event {
    /// Level 2 is in service; the signalling link test starts.
    LinkInService(LinkId),
    /// The test passed: the link carries traffic.
    LinkAvailable(LinkId),
    /// The link no longer carries traffic.
    LinkUnavailable { link: LinkId, cause: LinkFailure },
    /// The traffic of an unavailable link moved to the others; `retrieved` messages were
    /// taken back from its level 2 (`buffer_updated`: with the far end's FSN).
    ChangeoverComplete { link: LinkId, retrieved: usize, buffer_updated: bool },
    /// Traffic returned to a link; `acknowledged` is false when it returned on T5.
    ChangebackComplete { link: LinkId, acknowledged: bool },
    /// The first link of a set became available.
    LinkSetAvailable(usize),
    /// The last link of a set became unavailable.
    LinkSetUnavailable(usize),
    /// The adjacent point of a set allowed traffic (TRA, or T21 ran out).
    TrafficRestartAllowed(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Changeover {
    None,
    /// COO sent; T2 runs.
    AwaitingAck(Instant),
    /// T2 ran out; T1 runs before the traffic moves without buffer updating.
    TimeControlled(Instant),
}

#[derive(Debug, Clone, Copy)]
struct PendingChangeback {
    /// The link the traffic is on now, and on which the CBD went.
    alternative: usize,
    code: u8,
    sls_mask: u16,
    second_attempt: bool,
    deadline: Instant,
}

struct Link {
    config: SignallingLinkConfig,
    mtp2: mtp2::Link,
    state: SignallingLinkState,
    test_deadline: Option<Instant>,
    next_test: Option<Instant>,
    test_failures: u8,
    changeover: Changeover,
    /// SLSs held because this link became unavailable.
    changeover_sls: u16,
    /// BSNT taken when the link became unavailable, to answer a COO that comes late.
    bsnt: Option<u8>,
    changebacks: [Option<PendingChangeback>; 16],
    /// Whether management wants the link in service (restarted after every failure).
    active: bool,
}

struct LinkSet {
    name: String,
    adjacent: PointCode,
    links: Vec<Link>,
    /// For each SLS: the link carrying it, or `None` while its messages are held.
    sls_map: [Option<usize>; 16],
    /// Messages of SLSs between links or waiting for room in their link's buffers.
    held: SlsQueues,
    /// Messages users may have held; the pool's remainder is kept for retrieved ones.
    holding_limit: usize,
    /// User messages a link's level 2 may hold.
    link_queue_limit: usize,
    available: bool,
    tra_sent: bool,
    traffic_allowed: bool,
    t21: Option<Instant>,
    next_changeback_code: u8,
}

struct Route {
    set: usize,
    priority: u8,
    status: RouteStatus,
    test_deadline: Option<Instant>,
}

struct Destination {
    pc: PointCode,
    routes: Vec<Route>,
    accessible: bool,
}

/// Indications queued before links report busy, and below which they stop.
const INDICATIONS_BUSY: usize = 96;
const INDICATIONS_CLEAR: usize = 32;

/// A signalling point.
pub struct Mtp3 {
    own_pc: PointCode,
    format: PointCodeFormat,
    ni: NetworkIndicator,
    timers: TimerDefs<Mtp3Timer, MTP3_TIMER_COUNT>,
    test_pattern: TestPattern,
    test_si: ServiceIndicator,
    user_parts: u16,
    sets: Vec<LinkSet>,
    destinations: Vec<Destination>,
    /// Messages taken back from a failed link's level 2, on their way to the other links.
    retrieved: MsuRing,
    indications: Ring<Indication, 128>,
    receive_busy: bool,
    events: Ring<Mtp3Event, 64>,
    stats: Mtp3Stats,
}

const fn bit(sls: usize) -> u16 {
    1 << sls
}

impl Mtp3 {
    /// A signalling point with every link out of service; [`Mtp3::start`] brings them up.
    pub fn new(config: Mtp3Config) -> Result<Mtp3, ConfigError> {
        config.validate()?;
        let test_pattern = TestPattern::new(&config.test_pattern)
            .ok_or(ConfigError::TestPatternLength(config.test_pattern.len()))?;
        let retrieval_capacity = config
            .link_sets
            .iter()
            .flat_map(|set| set.links.iter().map(|link| link.mtp2.buffer_capacity))
            .max()
            .unwrap_or(1)
            .max(1);
        let sets: Vec<LinkSet> = config
            .link_sets
            .iter()
            .map(|set| LinkSet {
                name: set.name.clone(),
                adjacent: set.adjacent,
                links: set
                    .links
                    .iter()
                    .map(|link| Link {
                        config: link.clone(),
                        mtp2: mtp2::Link::new(link.mtp2.clone()),
                        state: SignallingLinkState::Down,
                        test_deadline: None,
                        next_test: None,
                        test_failures: 0,
                        changeover: Changeover::None,
                        changeover_sls: 0,
                        bsnt: None,
                        changebacks: [None; 16],
                        active: true,
                    })
                    .collect(),
                sls_map: [None; 16],
                held: SlsQueues::with_capacity(config.holding_capacity + retrieval_capacity),
                holding_limit: config.holding_capacity,
                link_queue_limit: config.link_queue_limit.max(1),
                available: false,
                tra_sent: false,
                traffic_allowed: false,
                t21: None,
                next_changeback_code: 0,
            })
            .collect();
        let mut destinations: Vec<Destination> = Vec::new();
        let mut add_route = |pc: PointCode, set: usize, priority: u8| {
            let route = Route { set, priority, status: RouteStatus::Allowed, test_deadline: None };
            match destinations.iter_mut().find(|d| d.pc == pc) {
                Some(destination) => destination.routes.push(route),
                None => destinations.push(Destination { pc, routes: vec![route], accessible: false }),
            }
        };
        for (index, set) in config.link_sets.iter().enumerate() {
            add_route(set.adjacent, index, 0);
        }
        for route in &config.routes {
            if let Some(index) = config.link_sets.iter().position(|set| set.name == route.link_set) {
                add_route(route.destination, index, route.priority);
            }
        }
        for destination in &mut destinations {
            destination.routes.sort_by_key(|route| route.priority);
        }
        let user_parts = config.user_parts.iter().fold(0u16, |mask, si| mask | bit(usize::from(si.code())));
        Ok(Mtp3 {
            own_pc: config.own_pc,
            format: config.format,
            ni: config.ni,
            timers: config.timers,
            test_pattern,
            test_si: config.test_si,
            user_parts,
            sets,
            destinations,
            retrieved: MsuRing::with_capacity(retrieval_capacity),
            indications: Ring::new(),
            receive_busy: false,
            events: Ring::new(),
            stats: Mtp3Stats::default(),
        })
    }

    // ----------------------------------------------------------------------------------------
    // Getters
    // ----------------------------------------------------------------------------------------

    /// This point's code.
    pub fn own_pc(&self) -> PointCode {
        self.own_pc
    }

    /// The point-code format.
    pub fn format(&self) -> PointCodeFormat {
        self.format
    }

    /// The network indicator.
    pub fn ni(&self) -> NetworkIndicator {
        self.ni
    }

    /// Every link, set by set, in configuration order.
    pub fn link_ids(&self) -> impl Iterator<Item = LinkId> + '_ {
        self.sets
            .iter()
            .enumerate()
            .flat_map(|(set, s)| (0..s.links.len()).map(move |link| LinkId { set, link }))
    }

    /// A link's configuration (span, timeslot, SLC).
    pub fn link_config(&self, id: LinkId) -> Option<&SignallingLinkConfig> {
        self.link(id).map(|link| &link.config)
    }

    /// The link on `span` and `timeslot`.
    pub fn find_link(&self, span: u32, timeslot: u8) -> Option<LinkId> {
        self.link_ids().find(|id| {
            self.link_config(*id).is_some_and(|config| config.span == span && config.timeslot == timeslot)
        })
    }

    /// A link's level 2.
    pub fn mtp2(&self, id: LinkId) -> Option<&mtp2::Link> {
        self.link(id).map(|link| &link.mtp2)
    }

    /// A link's level 3 state.
    pub fn link_state(&self, id: LinkId) -> Option<SignallingLinkState> {
        self.link(id).map(|link| link.state)
    }

    /// Whether messages to `pc` can be sent now.
    pub fn is_accessible(&self, pc: PointCode) -> bool {
        self.destinations.iter().any(|d| d.pc == pc && d.accessible)
    }

    /// Whether a link set has at least one available link.
    pub fn is_link_set_available(&self, set: usize) -> bool {
        self.sets.get(set).is_some_and(|s| s.available)
    }

    /// The link that carries SLS `sls` of link set `set` now (`None` while held or down).
    pub fn link_for_sls(&self, set: usize, sls: u8) -> Option<usize> {
        self.sets.get(set).and_then(|s| s.sls_map.get(usize::from(sls & 0x0F)).copied().flatten())
    }

    /// The timer durations in force.
    pub fn timers(&self) -> &TimerDefs<Mtp3Timer, MTP3_TIMER_COUNT> {
        &self.timers
    }

    /// Counters.
    pub fn stats(&self) -> Mtp3Stats {
        Mtp3Stats { dropped_indications: self.indications.dropped, ..self.stats }
    }

    /// Everything `tdm status` shows.
    pub fn snapshot(&self) -> Mtp3Snapshot {
        let link_sets = self
            .sets
            .iter()
            .enumerate()
            .map(|(set_index, set)| LinkSetSnapshot {
                name: set.name.clone(),
                adjacent: set.adjacent,
                available: set.available,
                traffic_allowed: set.traffic_allowed,
                available_links: set
                    .links
                    .iter()
                    .filter(|l| l.state == SignallingLinkState::Available)
                    .count(),
                held: set.held.total(),
                links: set
                    .links
                    .iter()
                    .enumerate()
                    .map(|(link_index, link)| LinkSnapshot {
                        id: LinkId { set: set_index, link: link_index },
                        slc: link.config.slc,
                        span: link.config.span,
                        timeslot: link.config.timeslot,
                        mtp2_state: link.mtp2.state(),
                        state: link.state,
                        error_count: link.mtp2.error_count(),
                        unacknowledged: link.mtp2.unacknowledged(),
                        waiting: link.mtp2.waiting(),
                        congested: link.mtp2.is_congested(),
                        test_failures: link.test_failures,
                        counters: link.mtp2.stats(),
                    })
                    .collect(),
            })
            .collect();
        let destinations = self
            .destinations
            .iter()
            .map(|d| DestinationSnapshot {
                pc: d.pc,
                accessible: d.accessible,
                routes: d
                    .routes
                    .iter()
                    .map(|r| RouteSnapshot {
                        link_set: self.sets.get(r.set).map(|s| s.name.clone()).unwrap_or_default(),
                        priority: r.priority,
                        status: r.status,
                    })
                    .collect(),
            })
            .collect();
        Mtp3Snapshot {
            own_pc: self.own_pc,
            format: self.format,
            ni: self.ni,
            link_sets,
            destinations,
            stats: self.stats(),
        }
    }

    fn link(&self, id: LinkId) -> Option<&Link> {
        self.sets.get(id.set).and_then(|set| set.links.get(id.link))
    }

    fn link_mut(&mut self, id: LinkId) -> Option<&mut Link> {
        self.sets.get_mut(id.set).and_then(|set| set.links.get_mut(id.link))
    }

    // ----------------------------------------------------------------------------------------
    // Commands
    // ----------------------------------------------------------------------------------------

    /// Starts every link that is out of service (emergency alignment, as no link is available
    /// yet).
    pub fn start(&mut self, now: Instant) {
        for set in 0..self.sets.len() {
            for link in 0..self.sets[set].links.len() {
                if self.sets[set].links[link].mtp2.state() == mtp2::LinkState::OutOfService {
                    self.restart_link(now, LinkId { set, link });
                }
            }
        }
    }

    /// Takes a link out of service on purpose (management deactivation): its traffic changes
    /// over to the other links of its set and it stays down until [`Mtp3::activate`].
    pub fn deactivate(&mut self, now: Instant, id: LinkId) {
        let Some(link) = self.link_mut(id) else { return };
        if !link.active {
            return;
        }
        link.active = false;
        link.mtp2.stop(now);
        self.link_unavailable(now, id, LinkFailure::Deactivated);
    }

    /// Puts a deactivated link back: it aligns again (and its traffic returns once tested).
    pub fn activate(&mut self, now: Instant, id: LinkId) {
        let Some(link) = self.link_mut(id) else { return };
        if link.active {
            return;
        }
        link.active = true;
        if link.changeover == Changeover::None && link.mtp2.state() == mtp2::LinkState::OutOfService {
            self.restart_link(now, id);
        }
    }

    /// MTP-TRANSFER request: routes `message` by its DPC and SLS.
    pub fn transfer(&mut self, now: Instant, message: &Transfer) -> Result<(), TransferError> {
        let _ = now;
        let mut body = [0u8; MAX_MSU_BODY];
        body[0] = message.sio().to_octet();
        let len = 1 + message.emit_sif(self.format, &mut body[1..])?;
        let dpc = message.label.dpc;
        let destination =
            self.destinations.iter().find(|d| d.pc == dpc).ok_or(TransferError::UnknownDestination(dpc))?;
        if !destination.accessible {
            return Err(TransferError::Unreachable(dpc));
        }
        let set = self.best_route_set(dpc).ok_or(TransferError::Unreachable(dpc))?;
        self.route_on_set(set, message.label.sls, &body[..len])?;
        self.stats.messages_sent += 1;
        Ok(())
    }

    /// The next indication for the user parts.
    pub fn poll_indication(&mut self) -> Option<Indication> {
        let indication = self.indications.pop();
        if self.receive_busy && self.indications.len() <= INDICATIONS_CLEAR {
            self.set_receive_busy(Instant::ZERO, false);
        }
        indication
    }

    /// The next management event.
    pub fn poll_event(&mut self) -> Option<Mtp3Event> {
        self.events.pop()
    }

    // ----------------------------------------------------------------------------------------
    // Signal units
    // ----------------------------------------------------------------------------------------

    /// A signal unit received on link `id` (flags and check bits removed).
    pub fn handle_su(&mut self, now: Instant, id: LinkId, su: &[u8]) {
        let Some(link) = self.link_mut(id) else { return };
        let body = link.mtp2.handle_su(now, su);
        self.drain_mtp2(now, id);
        if let Some(body) = body {
            self.receive_msu(now, id, body);
        }
        // Acknowledgements may have made room for held messages.
        if self.sets.get(id.set).is_some_and(|set| set.held.total() > 0) {
            self.pump_held(id.set);
        }
    }

    /// A frame the HDLC layer discarded on link `id`.
    pub fn handle_su_error(&mut self, now: Instant, id: LinkId) {
        let Some(link) = self.link_mut(id) else { return };
        link.mtp2.handle_su_error(now);
        self.drain_mtp2(now, id);
    }

    /// Queues a ready-made MSU body (SIO, label, message) on link `id`'s level 2, bypassing
    /// routing: for test harnesses and for emulating an adjacent STP's management messages.
    pub fn send_on_link(&mut self, id: LinkId, body: &[u8]) -> Result<(), mtp2::SendError> {
        match self.link_mut(id) {
            Some(link) => link.mtp2.send(body),
            None => Err(mtp2::SendError::NotInService),
        }
    }

    /// The next signal unit to send on link `id` (see [`mtp2::Link::poll_transmit`]).
    pub fn poll_transmit(&mut self, now: Instant, id: LinkId, out: &mut [u8]) -> usize {
        self.link_mut(id).map_or(0, |link| link.mtp2.poll_transmit(now, out))
    }

    // ----------------------------------------------------------------------------------------
    // Time
    // ----------------------------------------------------------------------------------------

    /// The earliest deadline of any link or procedure.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut earliest: Option<Instant> = None;
        let mut consider = |deadline: Option<Instant>| {
            if let Some(deadline) = deadline {
                earliest = Some(earliest.map_or(deadline, |e| e.min(deadline)));
            }
        };
        for set in &self.sets {
            consider(set.t21);
            for link in &set.links {
                consider(link.mtp2.poll_timeout());
                consider(link.test_deadline);
                consider(link.next_test);
                match link.changeover {
                    Changeover::AwaitingAck(deadline) | Changeover::TimeControlled(deadline) => {
                        consider(Some(deadline))
                    }
                    Changeover::None => {}
                }
                for changeback in link.changebacks.iter().flatten() {
                    consider(Some(changeback.deadline));
                }
            }
        }
        for destination in &self.destinations {
            for route in &destination.routes {
                consider(route.test_deadline);
            }
        }
        earliest
    }

    /// Runs everything due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        for set in 0..self.sets.len() {
            for link in 0..self.sets[set].links.len() {
                let id = LinkId { set, link };
                self.sets[set].links[link].mtp2.handle_timeout(now);
                self.drain_mtp2(now, id);
                self.link_timers(now, id);
            }
        }
        for set in 0..self.sets.len() {
            if self.sets[set].held.total() > 0 {
                self.pump_held(set);
            }
            if self.sets[set].t21.is_some_and(|deadline| deadline <= now) {
                self.sets[set].t21 = None;
                self.allow_traffic(now, set);
            }
        }
        for d in 0..self.destinations.len() {
            for r in 0..self.destinations[d].routes.len() {
                let route = &self.destinations[d].routes[r];
                if route.test_deadline.is_none_or(|deadline| deadline > now) {
                    continue;
                }
                let (set, status, pc) = (route.set, route.status, self.destinations[d].pc);
                let message = match status {
                    RouteStatus::Prohibited => Some(SnmMessage::Rst { destination: pc }),
                    RouteStatus::Restricted => Some(SnmMessage::Rsr { destination: pc }),
                    RouteStatus::Allowed => None,
                };
                let next = message.map(|message| {
                    if self.sets[set].available {
                        self.send_management(set, None, 0, message);
                    }
                    now + self.timers.get(Mtp3Timer::T10)
                });
                self.destinations[d].routes[r].test_deadline = next;
            }
        }
    }

    fn link_timers(&mut self, now: Instant, id: LinkId) {
        let due = |deadline: Option<Instant>| deadline.is_some_and(|d| d <= now);
        let Some(link) = self.link(id) else { return };
        if due(link.test_deadline) {
            self.test_timed_out(now, id);
        }
        let Some(link) = self.link(id) else { return };
        if due(link.next_test) {
            if let Some(link) = self.link_mut(id) {
                link.next_test = None;
            }
            self.send_test(now, id);
        }
        let Some(link) = self.link(id) else { return };
        match link.changeover {
            Changeover::AwaitingAck(deadline) if deadline <= now => {
                let t1 = self.timers.get(Mtp3Timer::T1);
                if let Some(link) = self.link_mut(id) {
                    link.changeover = Changeover::TimeControlled(now + t1);
                }
            }
            Changeover::TimeControlled(deadline) if deadline <= now => {
                self.complete_changeover(now, id, None)
            }
            _ => {}
        }
        for slot in 0..16 {
            let Some(pending) = self.link(id).and_then(|link| link.changebacks[slot]) else { continue };
            if pending.deadline > now {
                continue;
            }
            if pending.second_attempt {
                self.complete_changeback(id, slot, false);
            } else {
                let t5 = self.timers.get(Mtp3Timer::T5);
                if let Some(link) = self.link_mut(id)
                    && let Some(pending) = link.changebacks[slot].as_mut()
                {
                    pending.second_attempt = true;
                    pending.deadline = now + t5;
                }
                let slc = self.link(id).map_or(0, |link| link.config.slc);
                self.send_management(
                    id.set,
                    Some(pending.alternative),
                    slc,
                    SnmMessage::Cbd { code: pending.code },
                );
            }
        }
    }

    // ----------------------------------------------------------------------------------------
    // Level 2 events
    // ----------------------------------------------------------------------------------------

    fn drain_mtp2(&mut self, now: Instant, id: LinkId) {
        while let Some(event) = self.link_mut(id).and_then(|link| link.mtp2.poll_event()) {
            match event {
                Mtp2Event::InService => {
                    if let Some(link) = self.link_mut(id) {
                        link.state = SignallingLinkState::Testing;
                        link.test_failures = 0;
                    }
                    self.events.push(Mtp3Event::LinkInService(id));
                    self.send_test(now, id);
                }
                Mtp2Event::OutOfService(reason) => self.link_unavailable(now, id, LinkFailure::Mtp2(reason)),
                Mtp2Event::RemoteProcessorOutage => {
                    if let Some(link) = self.link_mut(id) {
                        link.mtp2.stop(now);
                    }
                    self.link_unavailable(now, id, LinkFailure::RemoteProcessorOutage);
                }
                Mtp2Event::RemoteProcessorRecovered => {}
                Mtp2Event::Congestion(true) => {
                    for d in 0..self.destinations.len() {
                        let pc = self.destinations[d].pc;
                        if self.destinations[d].accessible && self.best_route_set(pc) == Some(id.set) {
                            self.indicate(
                                now,
                                Indication::Status {
                                    dpc: pc,
                                    status: DestinationStatus::Congested { level: 1 },
                                },
                            );
                        }
                    }
                }
                Mtp2Event::Congestion(false) => {}
            }
        }
    }

    fn restart_link(&mut self, now: Instant, id: LinkId) {
        let emergency = !self.sets[id.set]
            .links
            .iter()
            .enumerate()
            .any(|(i, l)| i != id.link && l.state == SignallingLinkState::Available);
        if let Some(link) = self.link_mut(id)
            && link.active
        {
            link.mtp2.set_emergency(now, emergency);
            link.mtp2.start(now);
        }
    }

    fn link_unavailable(&mut self, now: Instant, id: LinkId, cause: LinkFailure) {
        let set_index = id.set;
        let Some(link) = self.link_mut(id) else { return };
        let was = link.state;
        link.state = SignallingLinkState::Down;
        link.test_deadline = None;
        link.next_test = None;
        link.test_failures = 0;
        if was != SignallingLinkState::Down || link.bsnt.is_none() {
            link.bsnt = Some(link.mtp2.bsnt());
        }
        self.events.push(Mtp3Event::LinkUnavailable { link: id, cause });
        // Changebacks toward this link are called off: their traffic stays where it was.
        for slot in 0..16 {
            if let Some(pending) = self.sets[set_index].links[id.link].changebacks[slot].take() {
                let set = &mut self.sets[set_index];
                for sls in 0..16 {
                    if pending.sls_mask & bit(sls) != 0 {
                        set.sls_map[sls] = Some(pending.alternative);
                    }
                }
                self.pump_held(set_index);
            }
        }
        let set = &mut self.sets[set_index];
        let mask = (0..16).filter(|&sls| set.sls_map[sls] == Some(id.link)).fold(0u16, |m, sls| m | bit(sls));
        if self.sets[set_index].links[id.link].changeover != Changeover::None {
            // A changeover is under way; it restarts the link when it completes.
            return;
        }
        let alternative = self.available_link(set_index, Some(id.link));
        if mask == 0 && cause != LinkFailure::ChangeoverOrder {
            self.restart_link(now, id);
            self.update_link_set(now, set_index);
            return;
        }
        let set = &mut self.sets[set_index];
        for sls in 0..16 {
            if mask & bit(sls) != 0 {
                set.sls_map[sls] = None;
            }
        }
        set.links[id.link].changeover_sls |= mask;
        match (alternative, cause) {
            (_, LinkFailure::ChangeoverOrder) => {}
            (Some(alternative), _) => {
                let bsnt = set.links[id.link].bsnt.unwrap_or(127);
                let slc = set.links[id.link].config.slc;
                let t2 = self.timers.get(Mtp3Timer::T2);
                self.sets[set_index].links[id.link].changeover = Changeover::AwaitingAck(now + t2);
                self.send_management(set_index, Some(alternative), slc, SnmMessage::Coo { fsn: bsnt });
            }
            (None, _) => {
                // The last link of the set: nowhere to change over to.
                let link = &mut self.sets[set_index].links[id.link];
                link.changeover_sls = 0;
                let lost = link.mtp2.retrieve(None, |_| {});
                self.stats.dropped += lost as u64;
                self.restart_link(now, id);
            }
        }
        self.update_link_set(now, set_index);
    }

    // ----------------------------------------------------------------------------------------
    // Changeover and changeback
    // ----------------------------------------------------------------------------------------

    /// Retrieves the unavailable link's unacknowledged and unsent messages (after `fsnc`, the
    /// far end's last accepted FSN, when known) and sends them, then the held ones, on the
    /// links that now carry their SLSs; restarts the link.
    fn complete_changeover(&mut self, now: Instant, id: LinkId, fsnc: Option<u8>) {
        let set_index = id.set;
        let Mtp3 { sets, retrieved, format, stats, .. } = self;
        retrieved.clear();
        let link = &mut sets[set_index].links[id.link];
        link.changeover = Changeover::None;
        let mask = link.changeover_sls;
        link.changeover_sls = 0;
        link.mtp2.stop(now);
        link.mtp2.retrieve(fsnc, |body| {
            // Management and test messages concern the failed link; user traffic moves on.
            // The ring is as large as any link's buffers, so every message fits.
            if body.first().is_some_and(|sio| sio & 0x0F > 2) {
                let stored = retrieved.push(body);
                debug_assert!(stored);
            }
        });
        let count = retrieved.len();
        // The retrieved messages are older than anything held for their SLS: they go in front.
        for i in (0..count).rev() {
            let Some(body) = retrieved.get(i) else { continue };
            if !sets[set_index].held.push_front(sls_from_body(*format, body), body) {
                stats.dropped += 1;
            }
        }
        for sls in 0..16 {
            if mask & bit(sls) != 0 {
                let link = self.preferred_link(set_index, sls, Some(id.link));
                self.sets[set_index].sls_map[sls] = link;
            }
        }
        self.pump_held(set_index);
        self.stats.changeovers += 1;
        self.events.push(Mtp3Event::ChangeoverComplete {
            link: id,
            retrieved: count,
            buffer_updated: fsnc.is_some(),
        });
        self.restart_link(now, id);
        self.update_link_set(now, set_index);
    }

    fn start_changeback(&mut self, now: Instant, id: LinkId) {
        let set_index = id.set;
        let n = self.sets[set_index].links.len();
        let slc = self.sets[set_index].links[id.link].config.slc;
        let t4 = self.timers.get(Mtp3Timer::T4);
        for alternative in 0..n {
            if alternative == id.link {
                continue;
            }
            let set = &mut self.sets[set_index];
            let mask = (0..16)
                .filter(|&sls| sls % n == id.link && set.sls_map[sls] == Some(alternative))
                .fold(0u16, |m, sls| m | bit(sls));
            if mask == 0 {
                continue;
            }
            for sls in 0..16 {
                if mask & bit(sls) != 0 {
                    set.sls_map[sls] = None;
                }
            }
            let code = set.next_changeback_code;
            set.next_changeback_code = set.next_changeback_code.wrapping_add(1);
            let link = &mut set.links[id.link];
            if let Some(slot) = link.changebacks.iter_mut().find(|slot| slot.is_none()) {
                *slot = Some(PendingChangeback {
                    alternative,
                    code,
                    sls_mask: mask,
                    second_attempt: false,
                    deadline: now + t4,
                });
            }
            // Sent behind everything already queued on the alternative link, so the far end
            // has all of it before it acknowledges.
            self.send_management(set_index, Some(alternative), slc, SnmMessage::Cbd { code });
        }
    }

    fn complete_changeback(&mut self, id: LinkId, slot: usize, acknowledged: bool) {
        let set_index = id.set;
        let Some(pending) = self.sets[set_index].links[id.link].changebacks[slot].take() else { return };
        let target = if self.sets[set_index].links[id.link].state == SignallingLinkState::Available {
            Some(id.link)
        } else {
            Some(pending.alternative)
        };
        for sls in 0..16 {
            if pending.sls_mask & bit(sls) != 0 {
                self.sets[set_index].sls_map[sls] = target;
            }
        }
        self.pump_held(set_index);
        self.stats.changebacks += 1;
        self.events.push(Mtp3Event::ChangebackComplete { link: id, acknowledged });
    }

    /// Hands held messages to the links that carry their SLSs, oldest first, as far as the
    /// links' buffers take them.
    fn pump_held(&mut self, set_index: usize) {
        let LinkSet { held, links, sls_map, link_queue_limit, .. } = &mut self.sets[set_index];
        for sls in 0..16u8 {
            let Some(link) = sls_map[usize::from(sls)] else { continue };
            while let Some(body) = held.front(sls) {
                if !has_room(&links[link].mtp2, *link_queue_limit) || links[link].mtp2.send(body).is_err() {
                    break;
                }
                held.pop_front(sls);
            }
        }
    }

    fn link_became_available(&mut self, now: Instant, id: LinkId) {
        let set_index = id.set;
        if let Some(link) = self.link_mut(id) {
            link.state = SignallingLinkState::Available;
            link.bsnt = None;
        }
        self.events.push(Mtp3Event::LinkAvailable(id));
        for (i, link) in self.sets[set_index].links.iter_mut().enumerate() {
            if i != id.link {
                link.mtp2.set_emergency(now, false);
            }
        }
        if self.sets[set_index].available {
            self.start_changeback(now, id);
        } else {
            self.update_link_set(now, set_index);
        }
    }

    /// Recomputes whether a set is available and acts on a change.
    fn update_link_set(&mut self, now: Instant, set_index: usize) {
        let set = &mut self.sets[set_index];
        let available = set.links.iter().any(|l| l.state == SignallingLinkState::Available);
        if available == set.available {
            return;
        }
        set.available = available;
        if available {
            for sls in 0..16 {
                set.sls_map[sls] = None;
            }
            for sls in 0..16 {
                let link = self.preferred_link(set_index, sls, None);
                self.sets[set_index].sls_map[sls] = link;
            }
            self.events.push(Mtp3Event::LinkSetAvailable(set_index));
            let set = &mut self.sets[set_index];
            if !set.tra_sent {
                set.tra_sent = true;
                if !set.traffic_allowed {
                    set.t21 = Some(now + self.timers.get(Mtp3Timer::T21));
                }
                self.send_management(set_index, None, 0, SnmMessage::Tra);
            }
        } else {
            self.stats.dropped += set.held.clear() as u64;
            set.sls_map = [None; 16];
            set.tra_sent = false;
            set.traffic_allowed = false;
            set.t21 = None;
            for link in &mut set.links {
                link.mtp2.set_emergency(now, true);
            }
            for destination in &mut self.destinations {
                for route in destination.routes.iter_mut().filter(|r| r.set == set_index) {
                    route.status = RouteStatus::Allowed;
                    route.test_deadline = None;
                }
            }
            self.events.push(Mtp3Event::LinkSetUnavailable(set_index));
        }
        self.update_destinations(now);
    }

    fn allow_traffic(&mut self, now: Instant, set_index: usize) {
        let set = &mut self.sets[set_index];
        set.t21 = None;
        if !set.traffic_allowed {
            set.traffic_allowed = true;
            self.events.push(Mtp3Event::TrafficRestartAllowed(set_index));
            self.update_destinations(now);
        }
    }

    // ----------------------------------------------------------------------------------------
    // Routing
    // ----------------------------------------------------------------------------------------

    /// An available link of the set other than `exclude`, preferring the lowest index.
    fn available_link(&self, set_index: usize, exclude: Option<usize>) -> Option<usize> {
        self.sets[set_index]
            .links
            .iter()
            .enumerate()
            .find(|(i, l)| Some(*i) != exclude && l.state == SignallingLinkState::Available)
            .map(|(i, _)| i)
    }

    /// The link SLS `sls` should use: its home link `sls mod n` if available, otherwise the
    /// next available one after it.
    fn preferred_link(&self, set_index: usize, sls: usize, exclude: Option<usize>) -> Option<usize> {
        let links = &self.sets[set_index].links;
        let n = links.len();
        (0..n)
            .map(|k| (sls + k) % n)
            .find(|&i| Some(i) != exclude && links[i].state == SignallingLinkState::Available)
    }

    fn usable(&self, route: &Route) -> bool {
        let set = &self.sets[route.set];
        set.available && set.traffic_allowed && route.status != RouteStatus::Prohibited
    }

    /// The set of the best usable route to `pc`: allowed before restricted, then by priority.
    fn best_route_set(&self, pc: PointCode) -> Option<usize> {
        let destination = self.destinations.iter().find(|d| d.pc == pc)?;
        let usable = || destination.routes.iter().filter(|r| self.usable(r));
        usable().find(|r| r.status == RouteStatus::Allowed).or_else(|| usable().next()).map(|r| r.set)
    }

    fn update_destinations(&mut self, now: Instant) {
        for d in 0..self.destinations.len() {
            let accessible = self.destinations[d].routes.iter().any(|r| self.usable(r));
            if accessible != self.destinations[d].accessible {
                self.destinations[d].accessible = accessible;
                let pc = self.destinations[d].pc;
                self.indicate(now, if accessible { Indication::Resume(pc) } else { Indication::Pause(pc) });
            }
        }
    }

    /// Sends `body` on the link of its SLS, or holds it behind older messages of the SLS, or
    /// while the SLS is between links or its link is congested (management messages keep the
    /// room above the congestion mark to themselves).
    fn route_on_set(&mut self, set_index: usize, sls: u8, body: &[u8]) -> Result<(), TransferError> {
        let set = &mut self.sets[set_index];
        if !set.available {
            return Err(TransferError::Unreachable(set.adjacent));
        }
        let sls = sls & 0x0F;
        if let Some(link) = set.sls_map[usize::from(sls)]
            && set.held.len(sls) == 0
            && has_room(&set.links[link].mtp2, set.link_queue_limit)
            && set.links[link].mtp2.send(body).is_ok()
        {
            return Ok(());
        }
        if set.held.total() < set.holding_limit && set.held.push_back(sls, body) {
            Ok(())
        } else {
            Err(TransferError::Congested)
        }
    }

    // ----------------------------------------------------------------------------------------
    // Receiving
    // ----------------------------------------------------------------------------------------

    fn receive_msu(&mut self, now: Instant, id: LinkId, body: &[u8]) {
        let Some((&sio_octet, sif)) = body.split_first() else { return };
        let sio = Sio::from_octet(sio_octet);
        if sio.ni != self.ni {
            self.stats.wrong_network += 1;
            return;
        }
        let Ok((label, rest)) = RoutingLabel::parse(self.format, sif) else {
            self.stats.malformed += 1;
            return;
        };
        if label.dpc != self.own_pc {
            self.stats.not_for_us += 1;
            return;
        }
        match sio.si {
            ServiceIndicator::Management => self.receive_management(now, id, label, rest),
            ServiceIndicator::Testing | ServiceIndicator::SpecialTesting => {
                self.receive_test(now, id, sio.si, label, rest)
            }
            si if self.user_parts & bit(usize::from(si.code())) != 0 => {
                match Transfer::parse(self.format, sio_octet, sif) {
                    Ok(transfer) => {
                        self.stats.messages_delivered += 1;
                        self.indicate(now, Indication::Transfer(transfer));
                    }
                    Err(_) => self.stats.malformed += 1,
                }
            }
            si => {
                self.stats.unequipped += 1;
                let upu = SnmMessage::Upu {
                    destination: self.own_pc,
                    user: si,
                    cause: UnavailabilityCause::Unequipped,
                };
                if let Some(set) = self.best_route_set(label.opc) {
                    self.send_management_to(set, label.opc, label.sls, upu);
                }
            }
        }
    }

    fn receive_test(
        &mut self,
        now: Instant,
        id: LinkId,
        si: ServiceIndicator,
        label: RoutingLabel,
        rest: &[u8],
    ) {
        let Some(link) = self.link(id) else { return };
        if label.opc != self.sets[id.set].adjacent || label.sls != link.config.slc {
            self.stats.malformed += 1;
            return;
        }
        match TestMessage::parse(rest) {
            Ok(TestMessage::Sltm(pattern)) => {
                let mut body = [0u8; 32];
                body[0] = Sio { ni: self.ni, priority: 0, si }.to_octet();
                let label_len = label.reversed().emit(self.format, &mut body[1..]).unwrap_or(0);
                let Ok(len) = TestMessage::Slta(pattern).emit(&mut body[1 + label_len..]) else { return };
                if let Some(link) = self.link_mut(id) {
                    let _ = link.mtp2.send(&body[..1 + label_len + len]);
                }
            }
            Ok(TestMessage::Slta(pattern)) if pattern == self.test_pattern => {
                let t2 = self.timers.get(Mtp3Timer::SltT2);
                let Some(link) = self.link_mut(id) else { return };
                link.test_deadline = None;
                link.test_failures = 0;
                link.next_test = Some(now + t2);
                if link.state == SignallingLinkState::Testing {
                    self.link_became_available(now, id);
                }
            }
            // A wrong pattern counts as no answer: SLT T1 decides.
            Ok(TestMessage::Slta(_)) => {}
            Err(_) => self.stats.malformed += 1,
        }
    }

    fn receive_management(&mut self, now: Instant, id: LinkId, label: RoutingLabel, rest: &[u8]) {
        let Ok(message) = SnmMessage::parse(self.format, rest) else {
            self.stats.malformed += 1;
            return;
        };
        self.stats.management_received += 1;
        let set_index = id.set;
        if label.opc != self.sets[set_index].adjacent {
            // Only UPU and the route messages of adjacent points concern an SP.
            if let SnmMessage::Upu { destination, user, cause } = message {
                self.indicate(
                    now,
                    Indication::Status {
                        dpc: destination,
                        status: DestinationStatus::UserPartUnavailable { si: user, cause },
                    },
                );
            }
            return;
        }
        // Changeover and changeback messages name the link concerned by the label's SLS.
        let concerned = self.sets[set_index].links.iter().position(|l| l.config.slc == label.sls);
        let concerned_id = concerned.map(|link| LinkId { set: set_index, link });
        match message {
            SnmMessage::Coo { fsn } => self.changeover_order(now, id, concerned_id, Some(fsn), label.sls),
            SnmMessage::Eco => self.changeover_order(now, id, concerned_id, None, label.sls),
            SnmMessage::Coa { fsn } => {
                if let Some(concerned) = concerned_id
                    && self.link(concerned).is_some_and(|l| l.changeover != Changeover::None)
                {
                    self.complete_changeover(now, concerned, Some(fsn));
                }
            }
            SnmMessage::Eca => {
                if let Some(concerned) = concerned_id
                    && self.link(concerned).is_some_and(|l| l.changeover != Changeover::None)
                {
                    self.complete_changeover(now, concerned, None);
                }
            }
            SnmMessage::Cbd { code } => {
                self.send_management(set_index, Some(id.link), label.sls, SnmMessage::Cba { code });
            }
            SnmMessage::Cba { code } => {
                if let Some(concerned) = concerned_id {
                    let slot = self
                        .link(concerned)
                        .and_then(|l| l.changebacks.iter().position(|p| p.is_some_and(|p| p.code == code)));
                    if let Some(slot) = slot {
                        self.complete_changeback(concerned, slot, true);
                    }
                }
            }
            SnmMessage::Tra => self.allow_traffic(now, set_index),
            SnmMessage::Tfp { destination } => {
                self.route_status(now, set_index, destination, RouteStatus::Prohibited)
            }
            SnmMessage::Tfr { destination } => {
                self.route_status(now, set_index, destination, RouteStatus::Restricted)
            }
            SnmMessage::Tfa { destination } => {
                self.route_status(now, set_index, destination, RouteStatus::Allowed)
            }
            SnmMessage::Tfc { destination, status } => self.indicate(
                now,
                Indication::Status {
                    dpc: destination,
                    status: DestinationStatus::Congested { level: status },
                },
            ),
            SnmMessage::Upu { destination, user, cause } => self.indicate(
                now,
                Indication::Status {
                    dpc: destination,
                    status: DestinationStatus::UserPartUnavailable { si: user, cause },
                },
            ),
            SnmMessage::Lin => self.send_management(set_index, Some(id.link), label.sls, SnmMessage::Lid),
            // Route set tests are for STPs; inhibit answers never come as none is asked.
            _ => {}
        }
    }

    /// COO (with the far end's FSN) or ECO (without) for link `concerned`.
    fn changeover_order(
        &mut self,
        now: Instant,
        via: LinkId,
        concerned: Option<LinkId>,
        fsn: Option<u8>,
        slc: u8,
    ) {
        let Some(concerned) = concerned else { return };
        let Some(link) = self.link(concerned) else { return };
        let answer_with = |bsnt: Option<u8>| match bsnt {
            Some(fsn) => SnmMessage::Coa { fsn },
            None => SnmMessage::Eca,
        };
        match (link.changeover, link.state) {
            (Changeover::AwaitingAck(_) | Changeover::TimeControlled(_), _) => {
                let answer = answer_with(link.bsnt);
                self.send_management(via.set, Some(via.link), slc, answer);
                self.complete_changeover(now, concerned, fsn);
            }
            (Changeover::None, SignallingLinkState::Down) => {
                // Our changeover already completed (or the link never carried traffic).
                let answer = answer_with(link.bsnt);
                self.send_management(via.set, Some(via.link), slc, answer);
            }
            (Changeover::None, _) => {
                // The far end saw the failure first: the link goes out of service here too.
                if let Some(link) = self.link_mut(concerned) {
                    link.mtp2.stop(now);
                }
                self.link_unavailable(now, concerned, LinkFailure::ChangeoverOrder);
                let bsnt = self.link(concerned).and_then(|l| l.bsnt);
                self.send_management(via.set, Some(via.link), slc, answer_with(bsnt));
                self.complete_changeover(now, concerned, fsn);
            }
        }
    }

    fn route_status(&mut self, now: Instant, set_index: usize, pc: PointCode, status: RouteStatus) {
        let t10 = self.timers.get(Mtp3Timer::T10);
        for destination in self.destinations.iter_mut().filter(|d| d.pc == pc) {
            for route in destination.routes.iter_mut().filter(|r| r.set == set_index) {
                // The adjacent point itself is reached directly, whatever it says about it.
                if pc == self.sets[set_index].adjacent {
                    continue;
                }
                route.status = status;
                route.test_deadline = match status {
                    RouteStatus::Allowed => None,
                    _ => Some(route.test_deadline.unwrap_or(now + t10)),
                };
            }
        }
        self.update_destinations(now);
    }

    // ----------------------------------------------------------------------------------------
    // Sending management and test messages
    // ----------------------------------------------------------------------------------------

    fn send_test(&mut self, now: Instant, id: LinkId) {
        let t1 = self.timers.get(Mtp3Timer::SltT1);
        let adjacent = self.sets[id.set].adjacent;
        let Some(link) = self.link(id) else { return };
        let label = RoutingLabel { dpc: adjacent, opc: self.own_pc, sls: link.config.slc };
        let mut body = [0u8; 32];
        body[0] = Sio { ni: self.ni, priority: 0, si: self.test_si }.to_octet();
        let label_len = label.emit(self.format, &mut body[1..]).unwrap_or(0);
        let Ok(len) = TestMessage::Sltm(self.test_pattern).emit(&mut body[1 + label_len..]) else { return };
        if let Some(link) = self.link_mut(id) {
            let _ = link.mtp2.send(&body[..1 + label_len + len]);
            link.test_deadline = Some(now + t1);
        }
    }

    fn test_timed_out(&mut self, now: Instant, id: LinkId) {
        let Some(link) = self.link_mut(id) else { return };
        link.test_deadline = None;
        link.test_failures += 1;
        if link.test_failures >= 2 {
            link.mtp2.stop(now);
            self.link_unavailable(now, id, LinkFailure::TestFailed);
        } else {
            self.send_test(now, id);
        }
    }

    /// Sends a management message to the adjacent point of `set_index` on link `prefer` if
    /// its level 2 is in service, else on any available link, else on any link in service.
    fn send_management(&mut self, set_index: usize, prefer: Option<usize>, sls: u8, message: SnmMessage) {
        let adjacent = self.sets[set_index].adjacent;
        let set = &self.sets[set_index];
        let in_service = |i: usize| set.links[i].mtp2.is_in_service();
        let link = prefer
            .filter(|&i| i < set.links.len() && in_service(i))
            .or_else(|| (0..set.links.len()).find(|&i| set.links[i].state == SignallingLinkState::Available))
            .or_else(|| (0..set.links.len()).find(|&i| in_service(i)));
        let Some(link) = link else { return };
        let label = RoutingLabel { dpc: adjacent, opc: self.own_pc, sls: sls & 0x0F };
        if let Some(body) = self.management_body(label, message) {
            let (len, octets) = body;
            if self.sets[set_index].links[link].mtp2.send(&octets[..len]).is_ok() {
                self.stats.management_sent += 1;
            }
        }
    }

    /// Sends a management message to a non-adjacent `dpc` through `set_index`, by SLS.
    fn send_management_to(&mut self, set_index: usize, dpc: PointCode, sls: u8, message: SnmMessage) {
        let label = RoutingLabel { dpc, opc: self.own_pc, sls: sls & 0x0F };
        if let Some((len, octets)) = self.management_body(label, message)
            && self.route_on_set(set_index, sls, &octets[..len]).is_ok()
        {
            self.stats.management_sent += 1;
        }
    }

    fn management_body(&self, label: RoutingLabel, message: SnmMessage) -> Option<(usize, [u8; 32])> {
        let mut body = [0u8; 32];
        body[0] = Sio { ni: self.ni, priority: 0, si: ServiceIndicator::Management }.to_octet();
        let label_len = label.emit(self.format, &mut body[1..]).ok()?;
        let len = message.emit(self.format, &mut body[1 + label_len..]).ok()?;
        Some((1 + label_len + len, body))
    }

    fn indicate(&mut self, now: Instant, indication: Indication) {
        self.indications.push(indication);
        if !self.receive_busy && self.indications.len() >= INDICATIONS_BUSY {
            self.set_receive_busy(now, true);
        }
    }

    fn set_receive_busy(&mut self, now: Instant, busy: bool) {
        self.receive_busy = busy;
        for set in &mut self.sets {
            for link in &mut set.links {
                link.mtp2.set_local_busy(now, busy);
            }
        }
    }
}

/// Whether a link takes more user traffic: below the queue limit and its congestion mark.
fn has_room(link: &mtp2::Link, limit: usize) -> bool {
    link.occupancy() < limit.min(link.config().congestion_onset)
}

/// The SLS of an MSU body (SIO, then the label); 0 when too short for a label.
fn sls_from_body(format: PointCodeFormat, body: &[u8]) -> u8 {
    body.get(1..)
        .and_then(|sif| RoutingLabel::parse(format, sif).ok())
        .map_or(0, |(label, _)| label.sls & 0x0F)
}

impl core::fmt::Debug for Mtp3 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mtp3")
            .field("own_pc", &self.own_pc)
            .field("format", &self.format)
            .field("link_sets", &self.sets.len())
            .field("stats", &self.stats)
            .finish()
    }
}
