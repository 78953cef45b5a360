//! TUP circuit supervision: blocking (BLO/UBL, MGB/MGU, HGB/HGU; SGB/SGU received as
//! maintenance blocking), reset (RSC, GRS) and the continuity recheck (Q.724 §4–§7).

use super::{GroupKind, GroupOp, Phase, Tup, flag};
use crate::circuit::call::{Alert, BearerAction, Event, MaintenanceError};
use crate::circuit::range::{StatusBits, group_chunks, group_range};
use crate::circuit::state::{Activity, BlockKind, Origin};
use crate::tup::timers::{TupGroupTimer, TupTimer};
use crate::tup::wire::{Body, MessageType, RangeStatus};
use tdm_base::{Cause, Instant, TimerTable};

fn group_message(kind: GroupKind) -> MessageType {
    match kind {
        GroupKind::Reset => MessageType::Grs,
        GroupKind::Block(BlockKind::Maintenance) => MessageType::Mgb,
        GroupKind::Block(BlockKind::Hardware) => MessageType::Hgb,
        GroupKind::Unblock(BlockKind::Maintenance) => MessageType::Mgu,
        GroupKind::Unblock(BlockKind::Hardware) => MessageType::Hgu,
    }
}

impl Tup {
    pub(crate) fn send_blo(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.circuits[idx].set(flag::BLO_PENDING, true);
        self.signal(cic, MessageType::Blo);
        self.start_timer(now, idx, TupTimer::Bla);
        self.start_timer(now, idx, TupTimer::BlaLong);
    }

    pub(crate) fn send_ubl(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.circuits[idx].set(flag::UBL_PENDING, true);
        self.signal(cic, MessageType::Ubl);
        self.start_timer(now, idx, TupTimer::Uba);
        self.start_timer(now, idx, TupTimer::UbaLong);
    }

    fn chunks(&self, indices: &[usize], consecutive: bool) -> Vec<Vec<usize>> {
        group_chunks(indices, |idx| self.circuits[idx].cic, consecutive)
    }

    fn group_range(&self, chunk: &[usize]) -> (u16, u8, StatusBits) {
        group_range(chunk, |idx| self.circuits[idx].cic)
    }

    fn send_group(&mut self, op: &GroupOp) {
        let body = match op.kind {
            GroupKind::Reset => Body::Grs(op.range),
            kind => {
                Body::Group(group_message(kind), RangeStatus { range: op.range, status: Some(op.status) })
            }
        };
        self.send(op.first, body);
    }

    fn start_group(&mut self, now: Instant, kind: GroupKind, first: u16, range: u8, status: StatusBits) {
        let mut op = GroupOp { kind, first, range, status, timers: TimerTable::new() };
        for timer in [TupGroupTimer::Ack, TupGroupTimer::AckLong] {
            op.timers.start(timer, now, self.config.group_timers.get(timer));
        }
        self.groups.retain(|g| {
            let same = match (g.kind, kind) {
                (GroupKind::Reset, GroupKind::Reset) => true,
                (
                    GroupKind::Block(x) | GroupKind::Unblock(x),
                    GroupKind::Block(y) | GroupKind::Unblock(y),
                ) => x == y,
                _ => false,
            };
            !(same && g.first == first && g.range == range)
        });
        self.send_group(&op);
        self.groups.push(op);
    }

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
                self.stop_timer(idx, TupTimer::Uba);
                self.stop_timer(idx, TupTimer::UbaLong);
                self.send_blo(now, idx);
            } else {
                self.circuits[idx].set(flag::BLO_PENDING, false);
                self.stop_timer(idx, TupTimer::Bla);
                self.stop_timer(idx, TupTimer::BlaLong);
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
            let op = if block { GroupKind::Block(kind) } else { GroupKind::Unblock(kind) };
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
                self.stop_timer(idx, TupTimer::Reset);
                self.stop_timer(idx, TupTimer::ResetLong);
            }
            if let [idx] = chunk[..] {
                let cic = self.circuits[idx].cic;
                self.circuits[idx].phase = Phase::Resetting;
                self.signal(cic, MessageType::Rsc);
                self.start_timer(now, idx, TupTimer::Reset);
                self.start_timer(now, idx, TupTimer::ResetLong);
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

    pub(crate) fn reset_by_peer(&mut self, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.clear_circuit(idx, true);
        for kind in [BlockKind::Maintenance, BlockKind::Hardware] {
            if self.circuits[idx].blocking.set(Origin::Remote, kind, false) {
                self.event(Event::Unblocked { cic, origin: Origin::Remote, kind });
            }
        }
        self.event(Event::Reset { cic, remote: true });
    }

    fn in_range(&self, first: u16, range: u8) -> Vec<(u8, usize)> {
        (0..=range).filter_map(|i| self.index(first.checked_add(u16::from(i))?).map(|idx| (i, idx))).collect()
    }

    pub(crate) fn on_grs(&mut self, now: Instant, cic: u16, range: u8) {
        if range == 0 || range > 31 {
            return self.stats.unexpected += 1;
        }
        let circuits = self.in_range(cic, range);
        let mut status = StatusBits::new();
        let mut hardware = Vec::new();
        for &(i, idx) in &circuits {
            if self.circuits[idx].phase != Phase::GroupResetting {
                self.reset_by_peer(idx);
            }
            let blocking = self.circuits[idx].blocking;
            status.set(i, blocking.contains(Origin::Local, BlockKind::Maintenance));
            if blocking.contains(Origin::Local, BlockKind::Hardware) {
                hardware.push(idx);
            }
        }
        if circuits.is_empty() {
            return self.stats.unexpected += 1;
        }
        self.send(cic, Body::Group(MessageType::Gra, RangeStatus { range, status: Some(status) }));
        for chunk in self.chunks(&hardware, false) {
            let (first, range, status) = self.group_range(&chunk);
            self.start_group(now, GroupKind::Block(BlockKind::Hardware), first, range, status);
        }
    }

    pub(crate) fn on_group(&mut self, now: Instant, cic: u16, t: MessageType, rs: RangeStatus) {
        use MessageType as T;
        match t {
            T::Gra => self.on_gra(now, cic, rs),
            T::Mgb | T::Sgb => self.on_group_block(now, cic, rs, BlockKind::Maintenance, true, t),
            T::Hgb => self.on_group_block(now, cic, rs, BlockKind::Hardware, true, t),
            T::Mgu | T::Sgu => self.on_group_block(now, cic, rs, BlockKind::Maintenance, false, t),
            T::Hgu => self.on_group_block(now, cic, rs, BlockKind::Hardware, false, t),
            T::Mba | T::Sba => self.on_group_ack(cic, rs, GroupKind::Block(BlockKind::Maintenance)),
            T::Hba => self.on_group_ack(cic, rs, GroupKind::Block(BlockKind::Hardware)),
            T::Mua | T::Sua => self.on_group_ack(cic, rs, GroupKind::Unblock(BlockKind::Maintenance)),
            T::Hua => self.on_group_ack(cic, rs, GroupKind::Unblock(BlockKind::Hardware)),
            _ => self.stats.unexpected += 1,
        }
    }

    fn on_gra(&mut self, now: Instant, cic: u16, rs: RangeStatus) {
        let Some(pos) = self
            .groups
            .iter()
            .position(|g| g.kind == GroupKind::Reset && g.first == cic && g.range == rs.range)
        else {
            return self.stats.unexpected += 1;
        };
        self.groups.remove(pos);
        let status = rs.status.unwrap_or_default();
        let circuits = self.in_range(cic, rs.range);
        for &(i, idx) in &circuits {
            let c = self.circuits[idx].cic;
            if self.circuits[idx].phase == Phase::GroupResetting {
                self.circuits[idx].phase = Phase::Idle;
                self.event(Event::Reset { cic: c, remote: false });
            }
            let blocked = status.get(i);
            if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Maintenance, blocked) {
                let kind = BlockKind::Maintenance;
                self.event(if blocked {
                    Event::Blocked { cic: c, origin: Origin::Remote, kind }
                } else {
                    Event::Unblocked { cic: c, origin: Origin::Remote, kind }
                });
            }
            if self.circuits[idx].blocking.set(Origin::Remote, BlockKind::Hardware, false) {
                self.event(Event::Unblocked { cic: c, origin: Origin::Remote, kind: BlockKind::Hardware });
            }
        }
        for kind in [BlockKind::Maintenance, BlockKind::Hardware] {
            let blocked: Vec<usize> = circuits
                .iter()
                .filter(|(_, idx)| self.circuits[*idx].blocking.contains(Origin::Local, kind))
                .map(|(_, idx)| *idx)
                .collect();
            for chunk in self.chunks(&blocked, false) {
                let (first, range, status) = self.group_range(&chunk);
                self.start_group(now, GroupKind::Block(kind), first, range, status);
            }
        }
    }

    fn on_group_block(
        &mut self,
        now: Instant,
        cic: u16,
        rs: RangeStatus,
        kind: BlockKind,
        block: bool,
        t: MessageType,
    ) {
        let Some(status) = rs.status else { return self.stats.unexpected += 1 };
        if status.count(rs.range) > 32 {
            return self.stats.unexpected += 1;
        }
        let mut ack = StatusBits::new();
        let mut repeat = Vec::new();
        for (i, idx) in self.in_range(cic, rs.range) {
            if !status.get(i) {
                continue;
            }
            ack.set(i, true);
            let c = self.circuits[idx].cic;
            if self.circuits[idx].blocking.set(Origin::Remote, kind, block) {
                self.event(if block {
                    Event::Blocked { cic: c, origin: Origin::Remote, kind }
                } else {
                    Event::Unblocked { cic: c, origin: Origin::Remote, kind }
                });
            }
            if block {
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
        }
        use MessageType as T;
        let ack_type = match t {
            T::Mgb => T::Mba,
            T::Sgb => T::Sba,
            T::Hgb => T::Hba,
            T::Mgu => T::Mua,
            T::Sgu => T::Sua,
            _ => T::Hua,
        };
        self.send(cic, Body::Group(ack_type, RangeStatus { range: rs.range, status: Some(ack) }));
        for idx in repeat {
            self.clear_and_repeat(now, idx);
        }
    }

    fn on_group_ack(&mut self, cic: u16, rs: RangeStatus, kind: GroupKind) {
        let Some(pos) =
            self.groups.iter().position(|op| op.kind == kind && op.first == cic && op.range == rs.range)
        else {
            return self.stats.unexpected += 1;
        };
        let op = self.groups.remove(pos);
        let acked = rs.status.unwrap_or_default();
        for (i, idx) in self.in_range(cic, rs.range) {
            if op.status.get(i) && acked.get(i) {
                let c = self.circuits[idx].cic;
                match kind {
                    GroupKind::Block(k) => {
                        self.event(Event::Blocked { cic: c, origin: Origin::Local, kind: k })
                    }
                    GroupKind::Unblock(k) => {
                        self.event(Event::Unblocked { cic: c, origin: Origin::Local, kind: k })
                    }
                    GroupKind::Reset => {}
                }
            }
        }
    }

    pub(crate) fn group_timeout(&mut self, now: Instant, i: usize, timer: TupGroupTimer) {
        if timer == TupGroupTimer::Ack
            && self.groups[i].timers.expired(now).any(|t| t == TupGroupTimer::AckLong)
        {
            return;
        }
        let op = self.groups[i].clone();
        self.send_group(&op);
        self.groups[i].timers.start(timer, now, self.config.group_timers.get(timer));
        if timer == TupGroupTimer::AckLong {
            self.groups[i].timers.stop(TupGroupTimer::Ack);
            let alert = match op.kind {
                GroupKind::Reset => Alert::GroupResetUnacknowledged,
                GroupKind::Block(_) => Alert::GroupBlockingUnacknowledged,
                GroupKind::Unblock(_) => Alert::GroupUnblockingUnacknowledged,
            };
            self.event(Event::Alert { cic: op.first, alert });
        }
    }

    pub(crate) fn continuity_outcome(&mut self, now: Instant, idx: usize, passed: bool) {
        let cic = self.circuits[idx].cic;
        let phase = self.circuits[idx].phase;
        if !matches!(phase, Phase::OutContinuity | Phase::RecheckOut) {
            return;
        }
        self.stop_timer(idx, TupTimer::CheckTone);
        self.disconnect(idx);
        self.event(Event::Continuity { cic, passed });
        match (phase, passed) {
            (Phase::OutContinuity, true) => {
                self.signal(cic, MessageType::Cot);
                self.circuits[idx].phase = Phase::OutSetup;
            }
            (Phase::OutContinuity, false) => {
                self.signal(cic, MessageType::Ccf);
                self.stop_timer(idx, TupTimer::Acm);
                let call = self.circuits[idx].call.take();
                self.circuits[idx].phase = Phase::RecheckWait;
                self.circuits[idx].rechecks = 1;
                self.start_timer(now, idx, TupTimer::RecheckFirst);
                if let Some(id) = call {
                    self.repeat_attempt(now, id, idx);
                }
            }
            (_, true) => {
                // A passed recheck is closed by CLF; the loop comes off at RLG.
                self.circuits[idx].rechecks = 0;
                self.clear_forward(now, idx, Cause::NormalUnspecified, false);
            }
            (_, false) => {
                self.signal(cic, MessageType::Ccf);
                self.circuits[idx].rechecks = self.circuits[idx].rechecks.saturating_add(1);
                self.circuits[idx].phase = Phase::RecheckWait;
                self.start_timer(now, idx, TupTimer::RecheckLater);
                self.event(Event::Alert { cic, alert: Alert::ContinuityRecheckFailed });
            }
        }
    }

    pub(crate) fn recheck(&mut self, now: Instant, idx: usize) {
        let cic = self.circuits[idx].cic;
        self.circuits[idx].phase = Phase::RecheckOut;
        self.signal(cic, MessageType::Ccr);
        self.connect(idx, BearerAction::ConnectTransceiver);
        self.start_timer(now, idx, TupTimer::CheckTone);
    }
}
