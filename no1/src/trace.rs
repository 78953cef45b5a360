//! The per-call register-signaling trace: every line-signal change and every MFC signal sent
//! and received, with its time and meaning, kept in a fixed buffer so that recording one on
//! the audio path never allocates.

use crate::line::LineSignal;
use crate::mfc::Meaning;
use core::fmt;
use tdm_base::Instant;

/// Entries one call's trace holds; a complete call with an 8-digit DNIS and ANI takes about
/// 100 (four edges per compelled cycle). Later entries are counted, not kept.
pub const TRACE_CAPACITY: usize = 160;

/// Sent by this end or received from the far end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TraceDirection {
    /// This end sent it.
    Sent,
    /// The far end sent it.
    Received,
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// An ABCD nibble (a recognised change when received).
    Line {
        /// The nibble.
        abcd: u8,
        /// Its name in this direction.
        signal: LineSignal,
    },
    /// A register signal started (or, received, was recognised).
    ToneOn {
        /// Signal number 1 ..= 15.
        code: u8,
        /// What it means here.
        meaning: Meaning,
        /// Sent as a pulse rather than held for a compelled cycle.
        pulse: bool,
    },
    /// The register signal ended.
    ToneOff {
        /// Signal number 1 ..= 15.
        code: u8,
    },
}

/// One line of the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceEntry {
    /// When (received signals: the edge's sample time).
    pub at: Instant,
    /// Which way.
    pub direction: TraceDirection,
    /// What.
    pub kind: TraceKind,
}

impl fmt::Display for TraceEntry {
    /// `12.000125 >> line 0011 seize` or `12.020000 << MFC 6 on (A: SendCategory)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let arrow = match self.direction {
            TraceDirection::Sent => ">>",
            TraceDirection::Received => "<<",
        };
        match self.kind {
            TraceKind::Line { abcd, signal } => write!(f, "{} {arrow} line {abcd:04b} {signal}", self.at),
            TraceKind::ToneOn { code, meaning, pulse } => {
                let how = if pulse { "pulse" } else { "on" };
                write!(f, "{} {arrow} MFC {code} {how} ({meaning})", self.at)
            }
            TraceKind::ToneOff { code } => write!(f, "{} {arrow} MFC {code} off", self.at),
        }
    }
}

/// The trace of the current (or last) call on a circuit.
#[derive(Debug, Clone)]
pub struct Trace {
    entries: [Option<TraceEntry>; TRACE_CAPACITY],
    len: usize,
    dropped: u32,
    clears: u32,
}

impl Default for Trace {
    fn default() -> Self {
        Self::new()
    }
}

impl Trace {
    /// An empty trace.
    pub const fn new() -> Self {
        Trace { entries: [None; TRACE_CAPACITY], len: 0, dropped: 0, clears: 0 }
    }

    /// Forgets everything (a new call starts).
    pub fn clear(&mut self) {
        self.len = 0;
        self.dropped = 0;
        self.clears = self.clears.wrapping_add(1);
    }

    /// How many times the trace was cleared. A reader that follows the trace by position
    /// (a live trace of a running circuit) starts again from the first entry when this changed.
    pub fn clears(&self) -> u32 {
        self.clears
    }

    /// Records an entry, or counts it when the trace is full.
    pub fn push(&mut self, at: Instant, direction: TraceDirection, kind: TraceKind) {
        match self.entries.get_mut(self.len) {
            Some(slot) => {
                *slot = Some(TraceEntry { at, direction, kind });
                self.len += 1;
            }
            None => self.dropped = self.dropped.saturating_add(1),
        }
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &TraceEntry> + '_ {
        self.entries[..self.len].iter().flatten()
    }

    /// Number of entries kept.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entries that did not fit.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// The register signals in one direction, in order, as (signal number, meaning).
    pub fn tones(&self, direction: TraceDirection) -> impl Iterator<Item = (u8, Meaning)> + '_ {
        self.entries().filter(move |e| e.direction == direction).filter_map(|e| match e.kind {
            TraceKind::ToneOn { code, meaning, .. } => Some((code, meaning)),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mfc::GroupA;

    #[test]
    fn keeps_entries_in_order_and_counts_overflow() {
        let mut trace = Trace::new();
        assert!(trace.is_empty());
        for i in 0..TRACE_CAPACITY + 3 {
            trace.push(
                Instant::from_millis(i as u64),
                TraceDirection::Sent,
                TraceKind::ToneOn { code: 1, meaning: Meaning::Digit(1), pulse: false },
            );
        }
        assert_eq!(trace.len(), TRACE_CAPACITY);
        assert_eq!(trace.dropped(), 3);
        assert_eq!(trace.entries().next().map(|e| e.at), Some(Instant::ZERO));
        assert_eq!(trace.clears(), 0);
        trace.clear();
        assert_eq!((trace.len(), trace.dropped(), trace.clears()), (0, 0, 1));
    }

    #[test]
    fn prints_one_line_per_entry_and_filters_tones() {
        let mut trace = Trace::new();
        trace.push(
            Instant::from_micros(12_000_125),
            TraceDirection::Sent,
            TraceKind::Line { abcd: 0b0011, signal: LineSignal::Seize },
        );
        trace.push(
            Instant::from_millis(12_020),
            TraceDirection::Received,
            TraceKind::ToneOn { code: 6, meaning: Meaning::A(GroupA::SendCategory), pulse: true },
        );
        trace.push(Instant::from_millis(12_100), TraceDirection::Received, TraceKind::ToneOff { code: 6 });
        let lines: Vec<String> = trace.entries().map(|e| e.to_string()).collect();
        assert_eq!(
            lines,
            [
                "12.000125 >> line 0011 seize",
                "12.020000 << MFC 6 pulse (A: SendCategory)",
                "12.100000 << MFC 6 off",
            ]
        );
        let received: Vec<_> = trace.tones(TraceDirection::Received).collect();
        assert_eq!(received, [(6, Meaning::A(GroupA::SendCategory))]);
        assert_eq!(trace.tones(TraceDirection::Sent).count(), 0);
    }
}
