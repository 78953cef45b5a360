//! Which circuit identification codes exist and where they are: CIC ↔ (span, timeslot).
//!
//! On E1 the usual allocation (and the TUP rule of Q.723) makes the five low bits of the CIC
//! the timeslot number, so a span's CICs are `base + timeslot` with a configured `base` that
//! is a multiple of 32. Timeslot 0 carries framing and is never a circuit; a timeslot used for
//! signalling (usually 16) is left out of the span's set.

use core::fmt;

/// Highest CIC (12 bits).
pub const MAX_CIC: u16 = 0x0FFF;

/// The circuits of one E1 span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanCircuits {
    /// The span's number in the system.
    pub span: u16,
    /// CIC of timeslot 0 (a multiple of 32).
    pub base: u16,
    /// Timeslots that are circuits: bit `n` set for timeslot `n` (bit 0 must be clear).
    pub timeslots: u32,
}

impl SpanCircuits {
    /// An E1 span with circuits on timeslots 1–31 except `signalling` (usually `Some(16)`).
    pub fn e1(span: u16, base: u16, signalling: Option<u8>) -> Self {
        let mut timeslots = 0xFFFF_FFFE;
        if let Some(ts) = signalling.filter(|ts| *ts < 32) {
            timeslots &= !(1 << ts);
        }
        SpanCircuits { span, base, timeslots }
    }
}

/// Why a CIC map was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CicMapError {
    /// A base that is not a multiple of 32.
    BaseNotAligned(u16),
    /// A span whose timeslot 0 is marked as a circuit.
    TimeslotZero(u16),
    /// A CIC above 4095.
    CicTooHigh(u16),
    /// Two spans give the same CIC.
    Overlap(u16),
    /// No circuit at all.
    Empty,
}

impl fmt::Display for CicMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CicMapError::BaseNotAligned(base) => write!(f, "CIC base {base} is not a multiple of 32"),
            CicMapError::TimeslotZero(span) => write!(f, "span {span}: timeslot 0 cannot be a circuit"),
            CicMapError::CicTooHigh(cic) => write!(f, "CIC {cic} exceeds {MAX_CIC}"),
            CicMapError::Overlap(cic) => write!(f, "CIC {cic} is given to two spans"),
            CicMapError::Empty => write!(f, "no circuits configured"),
        }
    }
}

impl std::error::Error for CicMapError {}

/// The circuits of a circuit group toward one signalling point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CicMap {
    spans: Vec<SpanCircuits>,
    cics: Vec<u16>,
    /// Position of each CIC in `cics` (`u16::MAX` for none), indexed by CIC up to the highest.
    positions: Vec<u16>,
}

impl CicMap {
    /// A map of `spans`, checked.
    pub fn new(spans: Vec<SpanCircuits>) -> Result<Self, CicMapError> {
        let mut cics = Vec::new();
        for span in &spans {
            if span.base % 32 != 0 {
                return Err(CicMapError::BaseNotAligned(span.base));
            }
            if span.timeslots & 1 != 0 {
                return Err(CicMapError::TimeslotZero(span.span));
            }
            for ts in 1..32u16 {
                if span.timeslots >> ts & 1 == 1 {
                    let cic = span.base.checked_add(ts).filter(|c| *c <= MAX_CIC);
                    cics.push(cic.ok_or(CicMapError::CicTooHigh(span.base.saturating_add(ts)))?);
                }
            }
        }
        cics.sort_unstable();
        if let Some(pair) = cics.windows(2).find(|w| w[0] == w[1]) {
            return Err(CicMapError::Overlap(pair[0]));
        }
        let Some(&highest) = cics.last() else { return Err(CicMapError::Empty) };
        let mut positions = vec![u16::MAX; usize::from(highest) + 1];
        for (i, &cic) in cics.iter().enumerate() {
            positions[usize::from(cic)] = i as u16;
        }
        Ok(CicMap { spans, cics, positions })
    }

    /// `count` E1 spans numbered from 0, span `n` at base `32 · (first_block + n)`, with
    /// timeslot 16 left out when it carries signalling.
    pub fn e1(count: u16, first_block: u16, ts16_signalling: bool) -> Result<Self, CicMapError> {
        let signalling = if ts16_signalling { Some(16) } else { None };
        let spans = (0..count)
            .map(|n| {
                let base = first_block.saturating_add(n).saturating_mul(32);
                SpanCircuits::e1(n, base, signalling)
            })
            .collect();
        CicMap::new(spans)
    }

    /// Every CIC, ascending.
    pub fn cics(&self) -> &[u16] {
        &self.cics
    }

    /// The spans.
    pub fn spans(&self) -> &[SpanCircuits] {
        &self.spans
    }

    /// Position of `cic` in [`CicMap::cics`].
    pub fn index(&self, cic: u16) -> Option<usize> {
        self.positions.get(usize::from(cic)).filter(|p| **p != u16::MAX).map(|p| usize::from(*p))
    }

    /// Where `cic` is: span and timeslot.
    pub fn locate(&self, cic: u16) -> Option<(u16, u8)> {
        let ts = (cic % 32) as u8;
        let base = cic - u16::from(ts);
        self.spans.iter().find(|s| s.base == base && s.timeslots >> ts & 1 == 1).map(|s| (s.span, ts))
    }

    /// The CIC of `timeslot` on `span`.
    pub fn cic(&self, span: u16, timeslot: u8) -> Option<u16> {
        let s = self.spans.iter().find(|s| s.span == span)?;
        (timeslot < 32 && s.timeslots >> timeslot & 1 == 1).then(|| s.base + u16::from(timeslot))
    }

    /// The CICs in runs of consecutive codes of at most `max` circuits each, as (first CIC,
    /// count): how group messages cover the map.
    pub fn runs(&self, max: usize) -> Vec<(u16, usize)> {
        let mut runs: Vec<(u16, usize)> = Vec::new();
        for &cic in &self.cics {
            match runs.last_mut() {
                Some((first, count)) if *count < max && *first + *count as u16 == cic => *count += 1,
                _ => runs.push((cic, 1)),
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_e1s_with_signalling_on_ts16_give_60_circuits() {
        let map = CicMap::e1(2, 0, true).unwrap();
        assert_eq!(map.cics().len(), 60);
        assert_eq!(map.cics()[0], 1);
        assert_eq!(map.cics()[14], 15);
        assert_eq!(map.cics()[15], 17);
        assert_eq!(map.cics()[29], 31);
        assert_eq!(map.cics()[30], 33);
        assert_eq!(map.cics()[59], 63);
        assert_eq!(map.locate(33), Some((1, 1)));
        assert_eq!(map.locate(48), None);
        assert_eq!(map.locate(32), None);
        assert_eq!(map.locate(64), None);
        assert_eq!(map.cic(1, 31), Some(63));
        assert_eq!(map.cic(0, 16), None);
        assert_eq!(map.cic(2, 1), None);
        assert_eq!(map.index(17), Some(15));
        assert_eq!(map.runs(32), vec![(1, 15), (17, 15), (33, 15), (49, 15)]);
    }

    #[test]
    fn runs_are_split_at_the_maximum() {
        let map = CicMap::e1(2, 0, false).unwrap();
        assert_eq!(map.runs(32), vec![(1, 31), (33, 31)]);
        assert_eq!(map.runs(16), vec![(1, 16), (17, 15), (33, 16), (49, 15)]);
        assert_eq!(map.runs(1).len(), 62);
    }

    #[test]
    fn bad_maps_are_refused() {
        assert_eq!(CicMap::new(vec![SpanCircuits::e1(0, 31, None)]), Err(CicMapError::BaseNotAligned(31)));
        assert_eq!(
            CicMap::new(vec![SpanCircuits { span: 3, base: 0, timeslots: 1 }]),
            Err(CicMapError::TimeslotZero(3))
        );
        assert_eq!(CicMap::new(vec![SpanCircuits::e1(0, 4064, None)]).map(|m| m.cics().len()), Ok(31));
        assert_eq!(CicMap::new(vec![SpanCircuits::e1(0, 4096, None)]), Err(CicMapError::CicTooHigh(4097)));
        assert_eq!(
            CicMap::new(vec![SpanCircuits::e1(0, 0, None), SpanCircuits::e1(1, 0, Some(16))]),
            Err(CicMapError::Overlap(1))
        );
        assert_eq!(CicMap::new(vec![]), Err(CicMapError::Empty));
    }
}
