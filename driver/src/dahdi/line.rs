//! DAHDI's view of a line (span alarm bits and error counters from `DAHDI_SPANSTAT`) in the
//! terms the software framer reports: [`Alarms`], [`SyncState`] and [`LineCounters`].
//!
//! The mapping, defect by defect (DAHDI bits from `<dahdi/user.h>`, ours from
//! [`crate::framer`]):
//!
//! | DAHDI                        | tdm                                                   |
//! |------------------------------|-------------------------------------------------------|
//! | `LOS` (bit 8)                | `LOS`                                                 |
//! | `BLUE` (bit 4, AIS)          | `AIS`                                                 |
//! | `RED` (bit 3) or `LFA` (9)   | `LOF`, unless LOS or AIS explain it (as the framer)   |
//! | `YELLOW` (bit 2)             | `RAI`                                                 |
//! | `LMFA` (bit 10)              | `CRC4_LOMF`, when CRC-4 is configured                 |
//! | `RECOVER`, `LOOPBACK`, `NOTOPEN` | not alarms of the line: not mapped                |
//!
//! Drivers set `LOS`/`LFA`/`LMFA` only as details of a red alarm (wct4xxp does; simpler ones
//! set `RED` alone), so a bare `RED` reads as loss of frame. The sync state follows: no
//! alignment while LOS, AIS or LOF; multiframe aligned when CRC-4 is configured and `LMFA` is
//! clear; frame aligned otherwise.

use crate::framer::{Alarms, SyncState};
use crate::status::LineCounters;

use super::abi::{
    DAHDI_ALARM_BLUE, DAHDI_ALARM_LFA, DAHDI_ALARM_LMFA, DAHDI_ALARM_LOS, DAHDI_ALARM_RED,
    DAHDI_ALARM_YELLOW, SpanInfo,
};

/// A span's alarms and alignment as the framer would report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineState {
    pub alarms: Alarms,
    pub sync: SyncState,
    /// CRC-4 multiframe aligned and being checked.
    pub crc4_active: bool,
}

/// Maps DAHDI span alarm bits; `crc4` is whether the span is configured with CRC-4.
pub fn line_state(dahdi_alarms: i32, crc4: bool) -> LineState {
    let has = |bit: i32| dahdi_alarms & bit != 0;
    let mut alarms = Alarms::empty();
    alarms.set(Alarms::LOS, has(DAHDI_ALARM_LOS));
    alarms.set(Alarms::AIS, has(DAHDI_ALARM_BLUE));
    let unaligned = has(DAHDI_ALARM_RED) || has(DAHDI_ALARM_LFA);
    alarms.set(Alarms::LOF, unaligned && !alarms.intersects(Alarms::LOS | Alarms::AIS));
    alarms.set(Alarms::RAI, has(DAHDI_ALARM_YELLOW));
    let searching = alarms.intersects(Alarms::LOS | Alarms::AIS | Alarms::LOF);
    let lomf = crc4 && !searching && has(DAHDI_ALARM_LMFA);
    alarms.set(Alarms::CRC4_LOMF, lomf);
    let sync = if searching {
        SyncState::Searching
    } else if crc4 && !lomf {
        SyncState::MultiframeAligned
    } else {
        SyncState::FrameAligned
    };
    LineState { alarms, sync, crc4_active: sync == SyncState::MultiframeAligned }
}

/// Counters of one DAHDI span since the driver opened it.
///
/// DAHDI's counters run from when the card's driver started (or was last told
/// `DAHDI_RESET_COUNTERS`), in 32 bits. Each update adds what a counter grew by; a counter
/// that went down was reset by someone else, and everything it now shows is new.
#[derive(Debug, Clone, Default)]
pub struct CounterTracker {
    last: [u32; 5],
    totals: [u64; 5],
    start_ms: u64,
    seconds: u64,
    frames: u64,
    alignment_losses: u64,
    last_ms: Option<u64>,
    aligned: bool,
}

const BPV: usize = 0;
const CRC4: usize = 1;
const EBIT: usize = 2;
const FAS: usize = 3;
const ERRSEC: usize = 4;

fn raw_counters(info: &SpanInfo) -> [u32; 5] {
    // Copies, not references: the structure is packed.
    let (bpv, crc4, ebit, fas, errsec) =
        (info.bpvcount, info.crc4count, info.ebitcount, info.fascount, info.errsec);
    [bpv as u32, crc4 as u32, ebit as u32, fas as u32, errsec]
}

impl CounterTracker {
    /// Starts counting from the span's current values.
    pub fn new(info: &SpanInfo, now_ms: u64) -> Self {
        CounterTracker {
            last: raw_counters(info),
            start_ms: now_ms,
            last_ms: Some(now_ms),
            ..CounterTracker::default()
        }
    }

    /// Takes a fresh `DAHDI_SPANSTAT` read at `now_ms` and the line state derived from it.
    pub fn update(&mut self, info: &SpanInfo, line: &LineState, now_ms: u64) {
        for (i, raw) in raw_counters(info).into_iter().enumerate() {
            let grown = if raw >= self.last[i] { raw - self.last[i] } else { raw };
            self.totals[i] += u64::from(grown);
            self.last[i] = raw;
        }
        let elapsed = now_ms.saturating_sub(self.last_ms.unwrap_or(now_ms));
        self.last_ms = Some(now_ms);
        let aligned = line.sync != SyncState::Searching;
        if self.aligned && aligned {
            // 8 frames a millisecond, counted while the line stayed aligned.
            self.frames += elapsed * 8;
        }
        if self.aligned && !aligned {
            self.alignment_losses += 1;
        }
        self.aligned = aligned;
        self.seconds = now_ms.saturating_sub(self.start_ms) / 1000;
    }

    /// The counters the software framer would show; overruns and underruns are counted by the
    /// caller from channel events.
    pub fn counters(&self, rx_overruns: u64, tx_underruns: u64) -> LineCounters {
        LineCounters {
            frames: self.frames,
            fas_errors: self.totals[FAS],
            crc4_errors: self.totals[CRC4],
            e_bit_errors: self.totals[EBIT],
            alignment_losses: self.alignment_losses,
            line_code_violations: self.totals[BPV],
            slips_deleted: 0,
            slips_repeated: 0,
            rx_overruns,
            tx_underruns,
            seconds: self.seconds,
            errored_seconds: self.totals[ERRSEC],
            severely_errored_seconds: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dahdi::abi::{DAHDI_ALARM_LOOPBACK, DAHDI_ALARM_NOTOPEN, DAHDI_ALARM_RECOVER};

    fn state(alarms: i32, crc4: bool) -> (Alarms, SyncState, bool) {
        let s = line_state(alarms, crc4);
        (s.alarms, s.sync, s.crc4_active)
    }

    #[test]
    fn a_clean_line_is_aligned_to_the_multiframe_only_with_crc4() {
        assert_eq!(state(0, true), (Alarms::empty(), SyncState::MultiframeAligned, true));
        assert_eq!(state(0, false), (Alarms::empty(), SyncState::FrameAligned, false));
    }

    #[test]
    fn red_with_los_detail_is_los_without_lof() {
        let s = state(DAHDI_ALARM_RED | DAHDI_ALARM_LOS | DAHDI_ALARM_LFA, true);
        assert_eq!(s, (Alarms::LOS, SyncState::Searching, false));
    }

    #[test]
    fn blue_is_ais_and_hides_the_lof_it_explains() {
        let s = state(DAHDI_ALARM_BLUE | DAHDI_ALARM_RED, false);
        assert_eq!(s, (Alarms::AIS, SyncState::Searching, false));
    }

    #[test]
    fn bare_red_or_lfa_is_loss_of_frame() {
        assert_eq!(state(DAHDI_ALARM_RED, true), (Alarms::LOF, SyncState::Searching, false));
        assert_eq!(state(DAHDI_ALARM_LFA, false), (Alarms::LOF, SyncState::Searching, false));
    }

    #[test]
    fn yellow_is_rai_and_keeps_the_alignment() {
        let s = state(DAHDI_ALARM_YELLOW, true);
        assert_eq!(s, (Alarms::RAI, SyncState::MultiframeAligned, true));
    }

    #[test]
    fn lmfa_is_crc4_lomf_only_on_a_crc4_span_that_has_frame_alignment() {
        assert_eq!(state(DAHDI_ALARM_LMFA, true), (Alarms::CRC4_LOMF, SyncState::FrameAligned, false));
        assert_eq!(state(DAHDI_ALARM_LMFA, false), (Alarms::empty(), SyncState::FrameAligned, false));
        let lost = state(DAHDI_ALARM_RED | DAHDI_ALARM_LFA | DAHDI_ALARM_LMFA, true);
        assert_eq!(lost, (Alarms::LOF, SyncState::Searching, false));
    }

    #[test]
    fn maintenance_bits_are_not_line_alarms() {
        let bits = DAHDI_ALARM_RECOVER | DAHDI_ALARM_LOOPBACK | DAHDI_ALARM_NOTOPEN;
        assert_eq!(state(bits, true), (Alarms::empty(), SyncState::MultiframeAligned, true));
    }

    fn info(bpv: i32, crc4: i32, ebit: i32, fas: i32, errsec: u32) -> SpanInfo {
        SpanInfo {
            bpvcount: bpv,
            crc4count: crc4,
            ebitcount: ebit,
            fascount: fas,
            errsec,
            ..SpanInfo::default()
        }
    }

    #[test]
    fn counters_start_at_zero_and_add_what_dahdi_counted_since() {
        let clean = line_state(0, true);
        let mut t = CounterTracker::new(&info(100, 7, 3, 2, 9), 0);
        t.update(&info(100, 7, 3, 2, 9), &clean, 1000);
        let c = t.counters(0, 0);
        assert_eq!((c.line_code_violations, c.crc4_errors, c.e_bit_errors, c.fas_errors), (0, 0, 0, 0));
        assert_eq!(c.errored_seconds, 0);
        t.update(&info(105, 9, 4, 2, 10), &clean, 1500);
        let c = t.counters(2, 1);
        assert_eq!((c.line_code_violations, c.crc4_errors, c.e_bit_errors, c.fas_errors), (5, 2, 1, 0));
        assert_eq!((c.errored_seconds, c.rx_overruns, c.tx_underruns, c.seconds), (1, 2, 1, 1));
        // Aligned from the first update on: 500 ms × 8 frames (the first update only learns
        // that the line is aligned).
        assert_eq!(c.frames, 4000);
    }

    #[test]
    fn a_counter_that_went_down_was_reset_and_all_it_shows_is_new() {
        let clean = line_state(0, false);
        let mut t = CounterTracker::new(&info(50, 0, 0, 0, 0), 0);
        t.update(&info(60, 0, 0, 0, 0), &clean, 10);
        t.update(&info(4, 0, 0, 0, 0), &clean, 20);
        assert_eq!(t.counters(0, 0).line_code_violations, 14);
        // The 32-bit top: u32::MAX then 1 more is a reset to 1 by this rule too.
        let mut w = CounterTracker::new(&info(-2, 0, 0, 0, 0), 0);
        w.update(&info(-1, 0, 0, 0, 0), &clean, 10);
        assert_eq!(w.counters(0, 0).line_code_violations, 1);
    }

    #[test]
    fn losing_alignment_counts_once_and_stops_the_frame_count() {
        let clean = line_state(0, false);
        let red = line_state(DAHDI_ALARM_RED, false);
        let mut t = CounterTracker::new(&info(0, 0, 0, 0, 0), 0);
        t.update(&info(0, 0, 0, 0, 0), &clean, 0);
        t.update(&info(0, 0, 0, 0, 0), &clean, 10);
        t.update(&info(0, 0, 0, 0, 0), &red, 20);
        t.update(&info(0, 0, 0, 0, 0), &red, 30);
        t.update(&info(0, 0, 0, 0, 0), &clean, 40);
        t.update(&info(0, 0, 0, 0, 0), &clean, 45);
        let c = t.counters(0, 0);
        assert_eq!(c.alignment_losses, 1);
        assert_eq!(c.frames, 80 + 40);
    }
}
