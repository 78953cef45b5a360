//! Channel associated signalling in TS16 (G.704 §5.1.3.2, alignment per G.732 §5.2).
//!
//! The CAS multiframe is 16 frames, independent of the CRC-4 multiframe. TS16 of frame 0
//! carries 0000 in bits 1..4 (the multiframe alignment signal), bit 6 = Y (the far end
//! lost CAS multiframe alignment) and spare bits 5, 7, 8 sent as 1: `0000 1Y11`. TS16 of
//! frame n (1..15) carries the ABCD bits of TS n in bits 1..4 and of TS n+16 in bits 5..8.
//! Bit 1 is the MSB of the octet; A is the nibble's MSB (0b1000).
//!
//! Because bits 1..4 of frame 0 are 0000, the code 0000 must never be sent for TS 1..15.

use std::fmt;

use super::Frame;
use super::defects::Persistence;

/// Frames in the CAS multiframe.
const CAS_MULTIFRAME: u8 = 16;
/// TS16 bits 1..4: the CAS multiframe alignment signal (0000) in frame 0.
const MFAS_MASK: u8 = 0xF0;
/// TS16 frame 0 bit 6.
const Y_BIT: u8 = 0x04;
/// TS16 frame 0 spare bits 5, 7, 8, sent as 1.
const SPARE_BITS: u8 = 0x0B;
/// Consecutive errored multiframe alignment signals that mean loss (G.732 §5.2).
const MFAS_LOSS_RUN: u8 = 2;
/// Consecutive multiframes with the same Y bit before the remote alarm changes.
const Y_RUN: u8 = 2;
/// ABCD sent on every channel until told otherwise. G.704 §5.1.3.2 asks for b = 1,
/// c = 0, d = 1 where those bits are unused; with a = 1 that is 1101, which is not the
/// forbidden 0000. (China No.1 idle is 1011; the signalling layer sets it.)
pub const IDLE_ABCD: u8 = 0b1101;

/// Why a CAS request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasError {
    /// Not a CAS-carrying timeslot (1..=15 or 17..=31).
    InvalidTimeslot(u8),
    /// ABCD 0000 on TS 1..15 would imitate the multiframe alignment signal.
    ForbiddenCode { timeslot: u8 },
}

impl fmt::Display for CasError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CasError::InvalidTimeslot(ts) => {
                write!(f, "timeslot {ts} carries no CAS (expected 1..=15 or 17..=31)")
            }
            CasError::ForbiddenCode { timeslot } => {
                write!(f, "ABCD 0000 is forbidden on timeslot {timeslot} (it imitates the CAS MFAS)")
            }
        }
    }
}

impl std::error::Error for CasError {}

/// True for timeslots whose ABCD bits TS16 carries.
fn is_cas_timeslot(timeslot: u8) -> bool {
    matches!(timeslot, 1..=15 | 17..=31)
}

/// Receives the TS16 CAS multiframe from aligned frames and debounces ABCD changes.
///
/// Until the first stable value arrives, every channel reads ABCD 0000. While the CAS
/// multiframe is not aligned, the channel values are frozen and the Y bit reads clear.
#[derive(Debug, Clone)]
pub struct CasReceiver {
    debounce: u8,
    aligned: bool,
    /// Number of the next frame in the CAS multiframe (meaningful while aligned).
    frame_no: u8,
    previous_ts16: u8,
    mfas_error_run: u8,
    remote_alarm: Persistence,
    current: [u8; 32],
    candidate: [u8; 32],
    candidate_run: [u8; 32],
}

impl CasReceiver {
    /// A new ABCD value is reported after being seen in `debounce_multiframes`
    /// consecutive multiframes (0 is taken as 1: report at once).
    pub fn new(debounce_multiframes: u8) -> Self {
        CasReceiver {
            debounce: debounce_multiframes.max(1),
            aligned: false,
            frame_no: 0,
            previous_ts16: 0,
            mfas_error_run: 0,
            remote_alarm: Persistence::new(Y_RUN),
            current: [0; 32],
            candidate: [0; 32],
            candidate_run: [0; 32],
        }
    }

    /// Takes the next aligned frame (in line order). `on_change(timeslot, abcd)` is called
    /// once for each debounced change, in the frame whose TS16 confirmed it.
    pub fn frame(&mut self, frame: &Frame, mut on_change: impl FnMut(u8, u8)) {
        let ts16 = frame[16];
        if self.aligned {
            let n = self.frame_no;
            self.frame_no = (n + 1) % CAS_MULTIFRAME;
            if n == 0 {
                if ts16 & MFAS_MASK == 0 {
                    self.mfas_error_run = 0;
                    self.remote_alarm.push(ts16 & Y_BIT != 0);
                } else {
                    self.mfas_error_run += 1;
                    if self.mfas_error_run >= MFAS_LOSS_RUN {
                        self.lose_alignment();
                    }
                }
            } else {
                self.channel(n, ts16 >> 4, &mut on_change);
                self.channel(n + 16, ts16 & 0x0F, &mut on_change);
            }
        } else if ts16 & MFAS_MASK == 0 && self.previous_ts16 != 0 {
            // G.732 §5.2: an MFAS preceded by a TS16 octet that is not all zeros.
            self.aligned = true;
            self.frame_no = 1;
            self.mfas_error_run = 0;
            self.remote_alarm.push(ts16 & Y_BIT != 0);
        }
        self.previous_ts16 = ts16;
    }

    /// Forgets the multiframe alignment, e.g. when the frame alignment was lost and the
    /// frame sequence has a gap. Channel values stay frozen.
    pub fn reset_alignment(&mut self) {
        self.lose_alignment();
        self.previous_ts16 = 0;
    }

    fn lose_alignment(&mut self) {
        self.aligned = false;
        self.mfas_error_run = 0;
        self.remote_alarm.reset();
        self.candidate_run = [0; 32];
    }

    fn channel(&mut self, timeslot: u8, abcd: u8, on_change: &mut impl FnMut(u8, u8)) {
        let i = usize::from(timeslot);
        if abcd == self.current[i] {
            self.candidate_run[i] = 0;
            return;
        }
        if self.candidate_run[i] > 0 && self.candidate[i] == abcd {
            self.candidate_run[i] += 1;
        } else {
            self.candidate[i] = abcd;
            self.candidate_run[i] = 1;
        }
        if self.candidate_run[i] >= self.debounce {
            self.current[i] = abcd;
            self.candidate_run[i] = 0;
            on_change(timeslot, abcd);
        }
    }

    /// CAS multiframe alignment (G.732 §5.2).
    pub fn aligned(&self) -> bool {
        self.aligned
    }

    /// The far end's Y bit: it lost our CAS multiframe (set/cleared after 2 multiframes).
    pub fn remote_alarm(&self) -> bool {
        self.aligned && self.remote_alarm.state()
    }

    /// The debounced ABCD of `timeslot`; 0 for a timeslot that carries no CAS.
    pub fn abcd(&self, timeslot: u8) -> u8 {
        if is_cas_timeslot(timeslot) { self.current[usize::from(timeslot)] } else { 0 }
    }
}

/// Builds TS16 of the CAS multiframe for transmission.
#[derive(Debug, Clone)]
pub struct CasTransmitter {
    abcd: [u8; 32],
    remote_alarm: bool,
    frame_no: u8,
}

impl Default for CasTransmitter {
    fn default() -> Self {
        Self::new()
    }
}

impl CasTransmitter {
    /// Every channel starts at [`IDLE_ABCD`] (1101), Y = 0, next frame = CAS frame 0.
    pub fn new() -> Self {
        CasTransmitter { abcd: [IDLE_ABCD; 32], remote_alarm: false, frame_no: 0 }
    }

    /// Sets the ABCD bits (low nibble of `abcd`) sent for `timeslot`. A timeslot outside
    /// 1..=15 / 17..=31, or 0000 on TS 1..15, is ignored; [`Self::try_set_abcd`] says why.
    pub fn set_abcd(&mut self, timeslot: u8, abcd: u8) {
        let _ignored = self.try_set_abcd(timeslot, abcd);
    }

    /// Sets the ABCD bits sent for `timeslot`, or says why it cannot.
    pub fn try_set_abcd(&mut self, timeslot: u8, abcd: u8) -> Result<(), CasError> {
        if !is_cas_timeslot(timeslot) {
            return Err(CasError::InvalidTimeslot(timeslot));
        }
        let abcd = abcd & 0x0F;
        if abcd == 0 && timeslot < 16 {
            return Err(CasError::ForbiddenCode { timeslot });
        }
        self.abcd[usize::from(timeslot)] = abcd;
        Ok(())
    }

    /// The ABCD currently sent for `timeslot` (0 for a timeslot that carries no CAS).
    pub fn abcd(&self, timeslot: u8) -> u8 {
        if is_cas_timeslot(timeslot) { self.abcd[usize::from(timeslot)] } else { 0 }
    }

    /// Y bit: tell the far end we lost its CAS multiframe.
    pub fn set_remote_alarm(&mut self, y: bool) {
        self.remote_alarm = y;
    }

    /// Writes TS16 (`frame[16]`) of the next frame of the CAS multiframe.
    pub fn fill(&mut self, frame: &mut Frame) {
        let n = self.frame_no;
        frame[16] = if n == 0 {
            SPARE_BITS | if self.remote_alarm { Y_BIT } else { 0 }
        } else {
            (self.abcd[usize::from(n)] << 4) | self.abcd[usize::from(n) + 16]
        };
        self.frame_no = (n + 1) % CAS_MULTIFRAME;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `multiframes` CAS multiframes from `tx` into `rx`, calling `between` before
    /// each multiframe; returns (frame index, timeslot, abcd) of every reported change.
    fn run(
        tx: &mut CasTransmitter,
        rx: &mut CasReceiver,
        multiframes: usize,
        mut between: impl FnMut(usize, &mut CasTransmitter),
    ) -> Vec<(usize, u8, u8)> {
        let mut changes = Vec::new();
        for m in 0..multiframes {
            between(m, tx);
            for n in 0..16 {
                let mut frame = [0xD5u8; 32];
                tx.fill(&mut frame);
                rx.frame(&frame, |ts, abcd| changes.push((m * 16 + n, ts, abcd)));
            }
        }
        changes
    }

    #[test]
    fn transmitter_multiframe_layout() {
        let mut tx = CasTransmitter::new();
        tx.set_abcd(1, 0b1011);
        tx.set_abcd(17, 0b0011);
        tx.set_abcd(15, 0b0001);
        tx.set_abcd(31, 0b0000);
        let octets: Vec<u8> = (0..16)
            .map(|_| {
                let mut frame = [0u8; 32];
                tx.fill(&mut frame);
                frame[16]
            })
            .collect();
        assert_eq!(octets[0], 0x0B);
        assert_eq!(octets[1], 0xB3);
        assert_eq!(octets[2], 0xDD);
        assert_eq!(octets[15], 0x10);
        tx.set_remote_alarm(true);
        let mut frame = [0u8; 32];
        tx.fill(&mut frame);
        assert_eq!(frame[16], 0x0F);
    }

    #[test]
    fn invalid_requests_are_refused_without_panic() {
        let mut tx = CasTransmitter::new();
        assert_eq!(tx.try_set_abcd(0, 0xB), Err(CasError::InvalidTimeslot(0)));
        assert_eq!(tx.try_set_abcd(16, 0xB), Err(CasError::InvalidTimeslot(16)));
        assert_eq!(tx.try_set_abcd(32, 0xB), Err(CasError::InvalidTimeslot(32)));
        assert_eq!(tx.try_set_abcd(255, 0xB), Err(CasError::InvalidTimeslot(255)));
        assert_eq!(tx.try_set_abcd(5, 0x0), Err(CasError::ForbiddenCode { timeslot: 5 }));
        assert_eq!(tx.try_set_abcd(5, 0xF0), Err(CasError::ForbiddenCode { timeslot: 5 }));
        tx.set_abcd(5, 0);
        assert_eq!(tx.abcd(5), IDLE_ABCD);
        assert_eq!(tx.try_set_abcd(20, 0x0), Ok(()));
        assert_eq!(tx.abcd(20), 0);
        assert_eq!(tx.abcd(16), 0);
        let rx = CasReceiver::new(2);
        assert_eq!(rx.abcd(0), 0);
        assert_eq!(rx.abcd(200), 0);
    }

    #[test]
    fn alignment_reports_initial_values_once() {
        let mut tx = CasTransmitter::new();
        let mut rx = CasReceiver::new(2);
        let changes = run(&mut tx, &mut rx, 4, |_, _| {});
        assert!(rx.aligned());
        // Multiframe 0's frame 0 follows nothing (TS16 taken as 0), so alignment comes on
        // multiframe 1's frame 0; values are seen in multiframes 1 and 2, reported in 2.
        assert_eq!(changes.len(), 30);
        let ts1 = changes.iter().find(|c| c.1 == 1).copied();
        let ts17 = changes.iter().find(|c| c.1 == 17).copied();
        let ts15 = changes.iter().find(|c| c.1 == 15).copied();
        assert_eq!(ts1, Some((2 * 16 + 1, 1, IDLE_ABCD)));
        assert_eq!(ts17, Some((2 * 16 + 1, 17, IDLE_ABCD)));
        assert_eq!(ts15, Some((2 * 16 + 15, 15, IDLE_ABCD)));
        assert_eq!(rx.abcd(1), IDLE_ABCD);
        assert_eq!(rx.abcd(31), IDLE_ABCD);
    }

    #[test]
    fn one_multiframe_glitch_is_not_reported_and_a_stable_change_is_reported_once() {
        let mut tx = CasTransmitter::new();
        let mut rx = CasReceiver::new(2);
        run(&mut tx, &mut rx, 4, |_, _| {});
        // Multiframe 0 of this run: TS 5 glitches to 0011 for one multiframe.
        let glitch =
            run(&mut tx, &mut rx, 3, |m, tx| tx.set_abcd(5, if m == 0 { 0b0011 } else { IDLE_ABCD }));
        assert!(glitch.is_empty());
        assert_eq!(rx.abcd(5), IDLE_ABCD);
        // Now a lasting change from multiframe 1 on: reported in multiframe 2, frame 5.
        let change = run(&mut tx, &mut rx, 5, |m, tx| {
            if m == 1 {
                tx.set_abcd(5, 0b0011);
            }
        });
        assert_eq!(change, vec![(2 * 16 + 5, 5, 0b0011)]);
        assert_eq!(rx.abcd(5), 0b0011);
    }

    #[test]
    fn debounce_of_three_multiframes() {
        let mut tx = CasTransmitter::new();
        let mut rx = CasReceiver::new(3);
        run(&mut tx, &mut rx, 5, |_, _| {});
        let change = run(&mut tx, &mut rx, 4, |m, tx| {
            if m == 0 {
                tx.set_abcd(26, 0b0101);
            }
        });
        // TS 26 = TS 10 + 16: frame 10 low nibble; seen in multiframes 0, 1, 2.
        assert_eq!(change, vec![(2 * 16 + 10, 26, 0b0101)]);
    }

    #[test]
    fn y_bit_filtered_over_two_multiframes() {
        let mut tx = CasTransmitter::new();
        let mut rx = CasReceiver::new(1);
        run(&mut tx, &mut rx, 3, |_, _| {});
        assert!(!rx.remote_alarm());
        run(&mut tx, &mut rx, 1, |_, tx| tx.set_remote_alarm(true));
        assert!(!rx.remote_alarm());
        run(&mut tx, &mut rx, 1, |_, _| {});
        assert!(rx.remote_alarm());
        run(&mut tx, &mut rx, 1, |_, tx| tx.set_remote_alarm(false));
        assert!(rx.remote_alarm());
        run(&mut tx, &mut rx, 1, |_, _| {});
        assert!(!rx.remote_alarm());
    }

    #[test]
    fn loss_after_two_errored_mfas_and_recovery() {
        let mut tx = CasTransmitter::new();
        let mut rx = CasReceiver::new(1);
        run(&mut tx, &mut rx, 2, |_, _| {});
        assert!(rx.aligned());
        let feed = |rx: &mut CasReceiver, tx: &mut CasTransmitter, corrupt: bool| {
            for n in 0..16 {
                let mut frame = [0u8; 32];
                tx.fill(&mut frame);
                if n == 0 && corrupt {
                    frame[16] |= 0x40;
                }
                rx.frame(&frame, |_, _| {});
            }
        };
        feed(&mut rx, &mut tx, true);
        assert!(rx.aligned());
        feed(&mut rx, &mut tx, false);
        feed(&mut rx, &mut tx, true);
        assert!(rx.aligned(), "one errored MFAS, then a good one: still aligned");
        feed(&mut rx, &mut tx, true);
        assert!(!rx.aligned(), "two consecutive errored MFAS: lost");
        assert_eq!(rx.abcd(3), IDLE_ABCD, "values frozen");
        // Next good frame 0 (previous TS16 = frame 15's 0xDD, not zero) realigns.
        feed(&mut rx, &mut tx, false);
        assert!(rx.aligned());
    }

    #[test]
    fn all_zero_ts16_never_aligns() {
        let mut rx = CasReceiver::new(1);
        for _ in 0..64 {
            rx.frame(&[0u8; 32], |_, _| panic!("no change expected"));
        }
        assert!(!rx.aligned());
    }
}
