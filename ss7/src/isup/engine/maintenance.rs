//! Circuit supervision: blocking and unblocking (BLO/UBL, CGB/CGU), reset (RSC, GRS) and
//! circuit group query, both directions (Q.764 §2.8–§2.10).

use super::{GroupKind, GroupOp, Isup, Phase, flag};
use crate::circuit::call::{Alert, BearerAction, Event, MaintenanceError};
use crate::circuit::octets::Octets;
use crate::circuit::range::{StatusBits, group_chunks, group_range};
use crate::circuit::state::{Activity, BlockKind, Origin};
use crate::isup::timers::{CircuitTimer, GroupTimer};
use crate::isup::wire::{
    Body, CircuitStates, Cqr, GroupSupervision, GroupSupervisionType, RangeAndStatus, ReportedState,
};
use tdm_base::{Cause, Instant, TimerTable};

fn supervision_type(kind: BlockKind) -> GroupSupervisionType {
    match kind {
        BlockKind::Maintenance => GroupSupervisionType::Maintenance,
        BlockKind::Hardware => GroupSupervisionType::HardwareFailure,
    }
}

fn block_kind(t: GroupSupervisionType) -> Option<BlockKind> {
    match t {
        GroupSupervisionType::Maintenance => Some(BlockKind::Maintenance),
        GroupSupervisionType::HardwareFailure => Some(BlockKind::Hardware),
        GroupSupervisionType::Unknown(_) => None,
    }
}

impl Isup {
    pub(crate) fn send_blo(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.circuits[idx].set(flag::BLO_PENDING, true);
        self.send(cic, Body::Blo);
        self.start_timer(now, idx, CircuitTimer::T12);
        self.start_timer(now, idx, CircuitTimer::T13);
    }

    pub(crate) fn send_ubl(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.circuits[idx].set(flag::UBL_PENDING, true);
        self.send(cic, Body::Ubl);
        self.start_timer(now, idx, CircuitTimer::T14);
        self.start_timer(now, idx, CircuitTimer::T15);
    }

    fn chunks(&self, indices: &[usize], consecutive: bool) -> Vec<Vec<usize>> {
        group_chunks(indices, |idx| self.circuits[idx].cic, consecutive)
    }

    fn group_range(&self, chunk: &[usize]) -> (u16, u8, StatusBits) {
        group_range(chunk, |idx| self.circuits[idx].cic)
    }

    fn send_group(&mut self, op: &GroupOp) {
        let range = RangeAndStatus { range: op.range, status: Some(op.status) };
        let body = match op.kind {
            GroupKind::Reset => Body::Grs(RangeAndStatus::range_only(op.range)),
            GroupKind::Block(kind) => Body::Cgb(GroupSupervision { kind, range }),
            GroupKind::Unblock(kind) => Body::Cgu(GroupSupervision { kind, range }),
        };
        self.send(op.first, body);
    }

    fn start_group(&mut self, now: Instant, kind: GroupKind, first: u16, range: u8, status: StatusBits) {
        let (short, long) = match kind {
            GroupKind::Block(_) => (GroupTimer::T18, GroupTimer::T19),
            GroupKind::Unblock(_) => (GroupTimer::T20, GroupTimer::T21),
            GroupKind::Reset => (GroupTimer::T22, GroupTimer::T23),
        };
        let mut op = GroupOp { kind, first, range, status, timers: TimerTable::new() };
        op.timers.start(short, now, self.config.group_timers.get(short));
        op.timers.start(long, now, self.config.group_timers.get(long));
        // A new message for the same circuits replaces one still waiting.
        self.groups.retain(|g| !(g.first == first && g.range == range && same_family(g.kind, kind)));
        self.send_group(&op);
        self.groups.push(op);
    }

    /// Ends whatever call circuit `idx` carries without signalling it (reset, hardware
    /// blocking) and leaves the circuit idle.
    fn clear_circuit(&mut self, idx: usize, remote: bool) {
        self.stop_call_timers(idx);
        self.disconnect(idx);
        self.end_call(idx, Cause::TemporaryFailure, remote);
        self.circuits[idx].phase = Phase::Idle;
    }

    pub(crate) fn block_range(
        &mut self,
        now: Instant,
        first: u16,
        last: u16,
        kind: BlockKind,
        block: bool,
    ) -> Result<(), MaintenanceError> {
        let indices = self.range_indices(first, last)?;
        if kind == BlockKind::Maintenance && indices.len() == 1 {
            let idx = indices[0];
            self.circuits[idx].blocking.set(Origin::Local, kind, block);
            if block {
                self.circuits[idx].set(flag::UBL_PENDING, false);
                self.stop_timer(idx, CircuitTimer::T14);
                self.stop_timer(idx, CircuitTimer::T15);
                self.send_blo(now, idx);
            } else {
                self.circuits[idx].set(flag::BLO_PENDING, false);
                self.stop_timer(idx, CircuitTimer::T12);
                self.stop_timer(idx, CircuitTimer::T13);
                self.send_ubl(now, idx);
            }
            return Ok(());
        }
        for chunk in self.chunks(&indices, false) {
            for &idx in &chunk {
                self.circuits[idx].blocking.set(Origin::Local, kind, block);
                if block
                    && kind == BlockKind::Hardware
                    && self.circuits[idx].phase.activity() != Activity::Idle
                {
                    self.clear_circuit(idx, false);
                }
            }
            let (first, range, status) = self.group_range(&chunk);
            let t = supervision_type(kind);
            let op = if block { GroupKind::Block(t) } else { GroupKind::Unblock(t) };
            self.start_group(now, op, first, range, status);
        }
        Ok(())
    }

    pub(crate) fn reset_range(
        &mut self,
        now: Instant,
        first: u16,
        last: u16,
    ) -> Result<(), MaintenanceError> {
        let indices = self.range_indices(first, last)?;
        for chunk in self.chunks(&indices, true) {
            for &idx in &chunk {
                self.clear_circuit(idx, false);
                self.stop_timer(idx, CircuitTimer::T16);
                self.stop_timer(idx, CircuitTimer::T17);
            }
            if let [idx] = chunk[..] {
                let cic = self.circuits[idx].cic;
                self.circuits[idx].phase = Phase::Resetting;
                self.send(cic, Body::Rsc);
                self.start_timer(now, idx, CircuitTimer::T16);
                self.start_timer(now, idx, CircuitTimer::T17);
            } else {
                for &idx in &chunk {
                    self.circuits[idx].phase = Phase::GroupResetting;
                }
                let (first, range, status) = self.group_range(&chunk);
                self.start_group(now, GroupKind::Reset, first, range, status);
            }
        }
        Ok(())
    }

    /// The peer reset circuit `idx` (RSC or GRS): calls released, its blocking of the
    /// circuit removed.
    pub(crate) fn reset_by_peer(&mut self, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.clear_circuit(idx, true);
        self.circuits[idx].set(flag::REMOTE_UNEQUIPPED, false);
        for kind in [BlockKind::Maintenance, BlockKind::Hardware] {
            if self.circuits[idx].blocking.set(Origin::Remote, kind, false) {
                self.event(Event::Unblocked { cic, origin: Origin::Remote, kind });
            }
        }
        self.event(Event::Reset { cic, remote: true });
    }

    /// Our circuits at `first + i` for `i` in `0..=range`, with their offset.
    fn in_range(&self, first: u16, range: u8) -> Vec<(u8, usize)> {
        (0..=range).filter_map(|i| self.index(first.checked_add(u16::from(i))?).map(|idx| (i, idx))).collect()
    }

    /// Re-sends this exchange's blocking of the circuits of `range` after a group reset
    /// cleared the peer's view of it.
    fn reassert_blocking(&mut self, now: Instant, circuits: &[(u8, usize)]) {
        for kind in [BlockKind::Maintenance, BlockKind::Hardware] {
            let blocked: Vec<usize> = circuits
                .iter()
                .filter(|(_, idx)| self.circuits[*idx].blocking.contains(Origin::Local, kind))
                .map(|(_, idx)| *idx)
                .collect();
            if blocked.is_empty() {
                continue;
            }
            for chunk in self.chunks(&blocked, false) {
                let (first, range, status) = self.group_range(&chunk);
                self.start_group(now, GroupKind::Block(supervision_type(kind)), first, range, status);
            }
        }
    }

    pub(crate) fn on_grs(&mut self, now: Instant, cic: u16, range: u8) {
        if range == 0 || range > 31 {
            return self.stats.unexpected += 1;
        }
        let circuits = self.in_range(cic, range);
        if circuits.is_empty() {
            return self.unequipped_cic(cic, crate::isup::wire::MessageType::Grs);
        }
        let mut status = StatusBits::new();
        let mut reassert = Vec::new();
        for &(i, idx) in &circuits {
            if self.circuits[idx].phase != Phase::GroupResetting {
                self.reset_by_peer(idx);
            }
            let blocking = self.circuits[idx].blocking;
            status.set(i, blocking.contains(Origin::Local, BlockKind::Maintenance));
            if blocking.contains(Origin::Local, BlockKind::Hardware) {
                reassert.push((i, idx));
            }
        }
        self.send(cic, Body::Gra(RangeAndStatus { range, status: Some(status) }));
        // GRA reports maintenance blocking only; hardware blocking is sent again.
        let hardware: Vec<usize> = reassert.iter().map(|(_, idx)| *idx).collect();
        for chunk in self.chunks(&hardware, false) {
            let (first, range, status) = self.group_range(&chunk);
            self.start_group(
                now,
                GroupKind::Block(GroupSupervisionType::HardwareFailure),
                first,
                range,
                status,
            );
        }
    }

    pub(crate) fn on_gra(&mut self, now: Instant, cic: u16, ack: RangeAndStatus) {
        let Some(pos) = self
            .groups
            .iter()
            .position(|g| g.kind == GroupKind::Reset && g.first == cic && g.range == ack.range)
        else {
            return self.stats.unexpected += 1;
        };
        self.groups.remove(pos);
        let status = ack.status.unwrap_or_default();
        let circuits = self.in_range(cic, ack.range);
        for &(i, idx) in &circuits {
            let c = self.circuits[idx].cic;
            if self.circuits[idx].phase == Phase::GroupResetting {
                self.circuits[idx].phase = Phase::Idle;
                self.event(Event::Reset { cic: c, remote: false });
            }
            let blocked = status.get(i);
            if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Maintenance, blocked) {
                let kind = BlockKind::Maintenance;
                let event = if blocked {
                    Event::Blocked { cic: c, origin: Origin::Remote, kind }
                } else {
                    Event::Unblocked { cic: c, origin: Origin::Remote, kind }
                };
                self.event(event);
            }
            if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Hardware, false) {
                self.event(Event::Unblocked { cic: c, origin: Origin::Remote, kind: BlockKind::Hardware });
            }
        }
        self.reassert_blocking(now, &circuits);
    }

    pub(crate) fn on_cgb(&mut self, now: Instant, cic: u16, g: GroupSupervision) {
        let (Some(kind), Some(status)) = (block_kind(g.kind), g.range.status) else {
            return self.stats.unexpected += 1;
        };
        if g.range.range == 0 || status.count(g.range.range) > 32 {
            return self.stats.unexpected += 1;
        }
        let mut ack = StatusBits::new();
        let mut repeat = Vec::new();
        for (i, idx) in self.in_range(cic, g.range.range) {
            if !status.get(i) {
                continue;
            }
            ack.set(i, true);
            let c = self.circuits[idx].cic;
            if self.circuits[idx].blocking.set(Origin::Remote, kind, true) {
                self.event(Event::Blocked { cic: c, origin: Origin::Remote, kind });
            }
            match kind {
                BlockKind::Hardware if self.circuits[idx].phase.activity() != Activity::Idle => {
                    self.clear_circuit(idx, true);
                }
                BlockKind::Maintenance if self.circuits[idx].phase.before_backward_message() => {
                    repeat.push(idx)
                }
                _ => {}
            }
        }
        let range = RangeAndStatus { range: g.range.range, status: Some(ack) };
        self.send(cic, Body::Cgba(GroupSupervision { kind: g.kind, range }));
        for idx in repeat {
            self.release_and_repeat(now, idx);
        }
    }

    pub(crate) fn on_cgu(&mut self, cic: u16, g: GroupSupervision) {
        let (Some(kind), Some(status)) = (block_kind(g.kind), g.range.status) else {
            return self.stats.unexpected += 1;
        };
        if g.range.range == 0 || status.count(g.range.range) > 32 {
            return self.stats.unexpected += 1;
        }
        let mut ack = StatusBits::new();
        for (i, idx) in self.in_range(cic, g.range.range) {
            if !status.get(i) {
                continue;
            }
            ack.set(i, true);
            let c = self.circuits[idx].cic;
            if self.circuits[idx].blocking.set(Origin::Remote, kind, false) {
                self.event(Event::Unblocked { cic: c, origin: Origin::Remote, kind });
            }
        }
        let range = RangeAndStatus { range: g.range.range, status: Some(ack) };
        self.send(cic, Body::Cgua(GroupSupervision { kind: g.kind, range }));
    }

    pub(crate) fn on_group_ack(&mut self, cic: u16, g: GroupSupervision, blocking: bool) {
        let kind = if blocking { GroupKind::Block(g.kind) } else { GroupKind::Unblock(g.kind) };
        let Some(pos) =
            self.groups.iter().position(|op| op.kind == kind && op.first == cic && op.range == g.range.range)
        else {
            return self.stats.unexpected += 1;
        };
        let op = self.groups.remove(pos);
        let (Some(block), Some(acked)) = (block_kind(g.kind), g.range.status) else { return };
        for (i, idx) in self.in_range(cic, g.range.range) {
            if op.status.get(i) && acked.get(i) {
                let c = self.circuits[idx].cic;
                let event = if blocking {
                    Event::Blocked { cic: c, origin: Origin::Local, kind: block }
                } else {
                    Event::Unblocked { cic: c, origin: Origin::Local, kind: block }
                };
                self.event(event);
            }
        }
    }

    pub(crate) fn on_cqm(&mut self, cic: u16, range: u8) {
        if range > 31 {
            return self.stats.unexpected += 1;
        }
        let mut states = Octets::<32>::new();
        for i in 0..=range {
            let state = match cic.checked_add(u16::from(i)).and_then(|c| self.index(c)) {
                None => ReportedState::Unequipped,
                Some(idx) => {
                    let c = &self.circuits[idx];
                    let both = |local: bool, remote: bool| u8::from(local) | u8::from(remote) << 1;
                    let call = match c.phase.activity() {
                        Activity::Idle => 3,
                        Activity::Incoming => 1,
                        Activity::Outgoing => 2,
                        _ => 0,
                    };
                    if call == 0 {
                        ReportedState::Transient
                    } else {
                        ReportedState::Equipped {
                            maintenance: both(
                                c.blocking.contains(Origin::Local, BlockKind::Maintenance),
                                c.blocking.contains(Origin::Remote, BlockKind::Maintenance),
                            ),
                            call,
                            hardware: both(
                                c.blocking.contains(Origin::Local, BlockKind::Hardware),
                                c.blocking.contains(Origin::Remote, BlockKind::Hardware),
                            ),
                        }
                    }
                }
            };
            states.push(state.to_octet());
        }
        self.send(
            cic,
            Body::Cqr(Cqr { range: RangeAndStatus::range_only(range), states: CircuitStates(states) }),
        );
    }

    pub(crate) fn group_timeout(&mut self, now: Instant, i: usize, timer: GroupTimer) {
        let (short, alert) = match timer {
            GroupTimer::T18 | GroupTimer::T19 => (GroupTimer::T18, Alert::GroupBlockingUnacknowledged),
            GroupTimer::T20 | GroupTimer::T21 => (GroupTimer::T20, Alert::GroupUnblockingUnacknowledged),
            GroupTimer::T22 | GroupTimer::T23 => (GroupTimer::T22, Alert::GroupResetUnacknowledged),
        };
        if timer == short && self.groups[i].timers.expired(now).any(|t| t != short) {
            // The long timer expires too and acts for both.
            return;
        }
        let duration = self.config.group_timers.get(timer);
        let op = self.groups[i].clone();
        self.send_group(&op);
        self.groups[i].timers.start(timer, now, duration);
        if timer != short {
            self.groups[i].timers.stop(short);
            self.event(Event::Alert { cic: op.first, alert });
        }
    }

    /// The outcome of a continuity check on circuit `idx`: from call control, or T24.
    pub(crate) fn continuity_outcome(&mut self, now: Instant, idx: usize, passed: bool) {
        let cic = self.circuits[idx].cic;
        let phase = self.circuits[idx].phase;
        if !matches!(phase, Phase::OutContinuity | Phase::RecheckOut) {
            return;
        }
        self.stop_timer(idx, CircuitTimer::T24);
        self.disconnect(idx);
        // A passed recheck is closed by REL alone; every other outcome is reported by COT.
        if !(phase == Phase::RecheckOut && passed) {
            self.send(cic, Body::Cot(crate::isup::wire::ContinuityIndicators { successful: passed }));
        }
        self.event(Event::Continuity { cic, passed });
        match (phase, passed) {
            (Phase::OutContinuity, true) => self.circuits[idx].phase = Phase::OutSetup,
            (Phase::OutContinuity, false) => {
                self.stop_timer(idx, CircuitTimer::T7);
                let call = self.circuits[idx].call.take();
                self.circuits[idx].phase = Phase::RecheckWait;
                self.circuits[idx].rechecks = 1;
                self.start_timer(now, idx, CircuitTimer::T25);
                if let Some(id) = call {
                    self.repeat_attempt(now, id, idx);
                }
            }
            (_, true) => {
                // The recheck passed: REL returns the circuit to idle at both ends.
                self.circuits[idx].rechecks = 0;
                self.release(now, idx, self.cause(Cause::NormalUnspecified));
            }
            (_, false) => {
                self.circuits[idx].rechecks = self.circuits[idx].rechecks.saturating_add(1);
                self.circuits[idx].phase = Phase::RecheckWait;
                self.start_timer(now, idx, CircuitTimer::T26);
                self.event(Event::Alert { cic, alert: Alert::ContinuityRecheckFailed });
            }
        }
    }

    /// T25 or T26: check again with CCR.
    pub(crate) fn recheck(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.circuits[idx].phase = Phase::RecheckOut;
        self.send(cic, Body::Ccr);
        self.connect(idx, BearerAction::ConnectTransceiver);
        self.start_timer(now, idx, CircuitTimer::T24);
    }
}

/// Whether two group operations are the same procedure on the same kind of blocking, so
/// that the newer one replaces the older.
fn same_family(a: GroupKind, b: GroupKind) -> bool {
    match (a, b) {
        (GroupKind::Reset, GroupKind::Reset) => true,
        (GroupKind::Block(x) | GroupKind::Unblock(x), GroupKind::Block(y) | GroupKind::Unblock(y)) => x == y,
        _ => false,
    }
}
