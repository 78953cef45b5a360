//! What a span reports to observers (`tdm status`, `tdm monitor`, tests), published by the
//! driver loop once per block through atomics: readers never stop the loop, and the loop
//! never waits for a reader.

use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering::Relaxed};

use crate::bert::Pattern;
use crate::framer::{Alarms, SyncState};
use crate::span::Loopback;

/// A plain copy of a span's state at one block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpanReport {
    /// The board's clock when this was published, in ms.
    pub at_ms: u64,
    pub sync: SyncState,
    pub alarms: Alarms,
    pub crc4_active: bool,
    /// CAS multiframe aligned (always false on a CCS span).
    pub cas_aligned: bool,
    /// The far end reports loss of CAS multiframe (Y bit).
    pub cas_remote_alarm: bool,
    pub loopback: Loopback,
    /// What the driver keeps queued for the board to send, in ms (grows after underruns).
    pub tx_latency_ms: u64,
    pub counters: LineCounters,
    pub bert: Option<BertReport>,
}

/// Free-running counters since the driver opened the span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineCounters {
    pub frames: u64,
    pub fas_errors: u64,
    pub crc4_errors: u64,
    pub e_bit_errors: u64,
    pub alignment_losses: u64,
    pub line_code_violations: u64,
    pub slips_deleted: u64,
    pub slips_repeated: u64,
    pub rx_overruns: u64,
    pub tx_underruns: u64,
    pub seconds: u64,
    pub errored_seconds: u64,
    pub severely_errored_seconds: u64,
}

impl LineCounters {
    pub fn slips(&self) -> u64 {
        self.slips_deleted + self.slips_repeated
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BertReport {
    pub pattern: Pattern,
    pub timeslots: u32,
    pub in_sync: bool,
    pub bits: u64,
    pub errors: u64,
    pub sync_losses: u64,
    pub injected: u64,
    pub elapsed_ms: u64,
}

impl BertReport {
    pub fn ber(&self) -> Option<f64> {
        (self.bits > 0).then(|| self.errors as f64 / self.bits as f64)
    }
}

#[derive(Default)]
pub struct SpanStatus {
    at_ms: AtomicU64,
    sync: AtomicU8,
    alarms: AtomicU32,
    flags: AtomicU32,
    loopback: AtomicU8,
    tx_latency_ms: AtomicU64,
    counters: [AtomicU64; 13],
    bert_active: AtomicBool,
    bert_pattern: AtomicU8,
    bert_timeslots: AtomicU32,
    bert_in_sync: AtomicBool,
    bert: [AtomicU64; 5],
}

const CRC4_ACTIVE: u32 = 1;
const CAS_ALIGNED: u32 = 2;
const CAS_REMOTE_ALARM: u32 = 4;

impl SpanStatus {
    pub fn report(&self) -> SpanReport {
        let c = |i: usize| self.counters[i].load(Relaxed);
        let flags = self.flags.load(Relaxed);
        let bert = self.bert_active.load(Relaxed).then(|| BertReport {
            pattern: pattern_from(self.bert_pattern.load(Relaxed)),
            timeslots: self.bert_timeslots.load(Relaxed),
            in_sync: self.bert_in_sync.load(Relaxed),
            bits: self.bert[0].load(Relaxed),
            errors: self.bert[1].load(Relaxed),
            sync_losses: self.bert[2].load(Relaxed),
            injected: self.bert[3].load(Relaxed),
            elapsed_ms: self.bert[4].load(Relaxed),
        });
        SpanReport {
            at_ms: self.at_ms.load(Relaxed),
            sync: sync_from(self.sync.load(Relaxed)),
            alarms: Alarms::from_bits_truncate(self.alarms.load(Relaxed)),
            crc4_active: flags & CRC4_ACTIVE != 0,
            cas_aligned: flags & CAS_ALIGNED != 0,
            cas_remote_alarm: flags & CAS_REMOTE_ALARM != 0,
            loopback: Loopback::from_register(self.loopback.load(Relaxed) as u32),
            tx_latency_ms: self.tx_latency_ms.load(Relaxed),
            counters: LineCounters {
                frames: c(0),
                fas_errors: c(1),
                crc4_errors: c(2),
                e_bit_errors: c(3),
                alignment_losses: c(4),
                line_code_violations: c(5),
                slips_deleted: c(6),
                slips_repeated: c(7),
                rx_overruns: c(8),
                tx_underruns: c(9),
                seconds: c(10),
                errored_seconds: c(11),
                severely_errored_seconds: c(12),
            },
            bert,
        }
    }

    pub(crate) fn publish(&self, r: &SpanReport) {
        self.at_ms.store(r.at_ms, Relaxed);
        self.sync.store(sync_to(r.sync), Relaxed);
        self.alarms.store(r.alarms.bits(), Relaxed);
        let flags = (r.crc4_active as u32 * CRC4_ACTIVE)
            | (r.cas_aligned as u32 * CAS_ALIGNED)
            | (r.cas_remote_alarm as u32 * CAS_REMOTE_ALARM);
        self.flags.store(flags, Relaxed);
        self.loopback.store(r.loopback.register() as u8, Relaxed);
        self.tx_latency_ms.store(r.tx_latency_ms, Relaxed);
        let k = &r.counters;
        let values = [
            k.frames,
            k.fas_errors,
            k.crc4_errors,
            k.e_bit_errors,
            k.alignment_losses,
            k.line_code_violations,
            k.slips_deleted,
            k.slips_repeated,
            k.rx_overruns,
            k.tx_underruns,
            k.seconds,
            k.errored_seconds,
            k.severely_errored_seconds,
        ];
        for (slot, v) in self.counters.iter().zip(values) {
            slot.store(v, Relaxed);
        }
        self.bert_active.store(r.bert.is_some(), Relaxed);
        if let Some(b) = &r.bert {
            self.bert_pattern.store(pattern_to(b.pattern), Relaxed);
            self.bert_timeslots.store(b.timeslots, Relaxed);
            self.bert_in_sync.store(b.in_sync, Relaxed);
            for (slot, v) in self.bert.iter().zip([b.bits, b.errors, b.sync_losses, b.injected, b.elapsed_ms])
            {
                slot.store(v, Relaxed);
            }
        }
    }
}

fn sync_to(s: SyncState) -> u8 {
    match s {
        SyncState::Searching => 0,
        SyncState::FrameAligned => 1,
        SyncState::MultiframeAligned => 2,
    }
}

fn sync_from(v: u8) -> SyncState {
    match v {
        1 => SyncState::FrameAligned,
        2 => SyncState::MultiframeAligned,
        _ => SyncState::Searching,
    }
}

fn pattern_to(p: Pattern) -> u8 {
    Pattern::ALL.iter().position(|&q| q == p).unwrap_or(0) as u8
}

fn pattern_from(v: u8) -> Pattern {
    Pattern::ALL.get(v as usize).copied().unwrap_or(Pattern::ALL[0])
}
