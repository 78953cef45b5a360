//! Receive side: frame alignment (G.706 §4.1), CRC-4 multiframe alignment and
//! monitoring (§4.2, §4.3), CRC-4 interworking (G.706 Annex B), and the defects and
//! counters that follow from them.
//!
//! Raw line octets arrive at any bit alignment. Once the frame position is known, a
//! frame is the 32 raw octets that complete its octets plus the raw octet before them:
//! `align_words` turns them into the frame as four 64-bit words with a shift each, and
//! the CRC-4 check folds those words directly. Raw octets of a frame split across calls
//! are staged until the frame is whole. Alignment-related work happens once per frame, on
//! its TS0, when the frame is complete.
//!
//! States:
//! - no primary alignment: the all-offsets search of `search.rs` runs, AIS is watched;
//! - primary basic frame alignment: frames are delivered; with CRC-4 (On/Auto) the
//!   multiframe search of `mfa.rs` runs on it for 8 ms;
//!   - On: no multiframe in 8 ms → the alignment was spurious → search again (LOF);
//!   - Auto (Annex B): no multiframe in 8 ms → a *parallel* search looks for another
//!     basic alignment while traffic keeps flowing on the primary one; a candidate that
//!     achieves multiframe alignment replaces the primary one. If 400 ms pass after the
//!     primary alignment was found (the timer is only reset by loss of the primary
//!     alignment), the far end is taken to send no CRC-4: CRC-4 checking stops for good
//!     (until alignment is lost), we keep sending CRC-4 with E bits 0;
//! - multiframe aligned: CRC-4 blocks are checked, E bits counted, 915-of-1000 errored
//!   blocks means false alignment.

use super::defects::{AisDetector, Persistence};
use super::mfa::{MFAS_LAST_FRAME, MfaOutcome, MultiframeSearch, SEARCH_WINDOW_FRAMES};
use super::perf::SecondMonitor;
use super::search::{FasSearcher, is_fas, octet_at};
use super::tx::{A_BIT, MULTIFRAME, SA_MASK};
use super::{Counters, Crc4Mode, FRAME_OCTETS, Frame, SyncState, crc4};

/// Consecutive errored FAS words that mean loss of frame alignment (G.706 §4.1.1).
const FAS_LOSS_RUN: u8 = 3;
/// Annex B: 400 ms of frames without CRC-4 multiframe alignment → far end is non-CRC-4.
pub(crate) const INTERWORKING_FRAMES: u32 = 3200;
/// CRC-4 blocks in the false-alignment window (G.706 §4.3.2) and the errored ones that
/// condemn the alignment.
const FALSE_ALIGNMENT_BLOCKS: u16 = 1000;
const FALSE_ALIGNMENT_ERRORS: u16 = 915;
/// Consecutive NFAS words with the same A bit before RAI changes.
const RAI_RUN: u8 = 3;

/// Where CRC-4 processing stands on the primary alignment.
#[derive(Debug, Clone)]
enum Multiframe {
    /// Multiframe search on the primary alignment (its 8 ms window).
    Searching(MultiframeSearch),
    /// Auto: the primary's window passed; `Receiver::parallel` is looking elsewhere.
    Parallel,
    /// CRC-4 multiframe aligned: blocks are checked.
    Aligned,
    /// No CRC-4 processing: mode Off, or the Annex B fallback.
    Basic,
}

/// Running CRC-4 check of received sub-multiframes.
#[derive(Debug, Clone, Default)]
struct CrcCheck {
    running: u8,
    running_complete: bool,
    previous: u8,
    previous_complete: bool,
    /// C bits as received, newest in the low bit.
    received: u8,
    window_blocks: u16,
    window_errors: u16,
}

/// The alignment frames are delivered on.
#[derive(Debug, Clone)]
struct Primary {
    /// 8 minus the bit offset of frame octets within raw octets (1..=8).
    shift: u32,
    /// Raw octets of the frame being assembled already in `stage`.
    pos: usize,
    /// The raw octet before `stage[0]`.
    stage_previous: u8,
    /// Raw octets of a frame that arrived split across calls.
    stage: [u8; FRAME_OCTETS],
    /// Number of the frame being assembled: its place in the CRC-4 multiframe once
    /// multiframe aligned; before that only its parity (even = FAS) means anything.
    frame_no: u8,
    fas_error_run: u8,
    frames_aligned: u32,
    multiframe: Multiframe,
    crc: CrcCheck,
}

/// A basic alignment found by the parallel search, under multiframe test.
#[derive(Debug, Clone)]
struct Candidate {
    offset: u32,
    /// Raw octet index at which its next TS0 is complete.
    next_ts0_at: u64,
    next_is_fas: bool,
    fas_error_run: u8,
    search: MultiframeSearch,
}

#[derive(Debug, Clone)]
enum Parallel {
    Idle,
    /// Looking for a basic alignment other than the primary one; `frames` counts
    /// primary frames since this search started.
    Searching {
        frames: u32,
    },
    Candidate(Candidate),
}

/// What a completed frame does to the alignment.
enum Verdict {
    Deliver,
    Lose,
}

#[derive(Debug, Clone)]
pub(crate) struct Receiver {
    mode: Crc4Mode,
    /// The last raw octet received.
    carry: u8,
    /// Raw octets received so far.
    octets: u64,
    los: bool,
    frame: Frame,
    primary: Option<Primary>,
    parallel: Parallel,
    searcher: FasSearcher,
    ais: AisDetector,
    rai: Persistence,
    /// Annex B decided the far end sends no CRC-4.
    fallback: bool,
    sa_bits: u8,
    /// Errored sub-multiframes I and II not yet reported in an E bit.
    e_pending: [u8; 2],
    counters: Counters,
    second: SecondMonitor,
}

impl Receiver {
    pub(crate) fn new(mode: Crc4Mode) -> Self {
        Receiver {
            mode,
            carry: 0,
            octets: 0,
            los: false,
            frame: [0; FRAME_OCTETS],
            primary: None,
            parallel: Parallel::Idle,
            searcher: FasSearcher::new(),
            ais: AisDetector::new(),
            rai: Persistence::new(RAI_RUN),
            fallback: false,
            sa_bits: 0,
            e_pending: [0; 2],
            counters: Counters::default(),
            second: SecondMonitor::default(),
        }
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    pub(crate) fn sync(&self) -> SyncState {
        match &self.primary {
            None => SyncState::Searching,
            Some(Primary { multiframe: Multiframe::Aligned, .. }) => SyncState::MultiframeAligned,
            Some(_) => SyncState::FrameAligned,
        }
    }

    pub(crate) fn los(&self) -> bool {
        self.los
    }

    pub(crate) fn ais(&self) -> bool {
        self.ais.active() && !self.los
    }

    pub(crate) fn lof(&self) -> bool {
        self.primary.is_none() && !self.los && !self.ais.active()
    }

    pub(crate) fn rai(&self) -> bool {
        self.primary.is_some() && self.rai.state()
    }

    /// Basic frame aligned with CRC-4 expected but no CRC-4 multiframe (yet, or after
    /// the Annex B fallback).
    pub(crate) fn crc4_multiframe_missing(&self) -> bool {
        self.mode != Crc4Mode::Off
            && matches!(&self.primary, Some(p) if !matches!(p.multiframe, Multiframe::Aligned))
    }

    pub(crate) fn crc4_active(&self) -> bool {
        self.mode != Crc4Mode::Off && !self.fallback
    }

    pub(crate) fn sa_bits(&self) -> u8 {
        self.sa_bits
    }

    fn in_defect(&self) -> bool {
        self.los || self.primary.is_none()
    }

    /// E bit to send for sub-multiframe `smf` (0 = I, 1 = II): 0 for each errored block
    /// received, 1 otherwise; 0 whenever we are not checking CRC-4 (not multiframe
    /// aligned, or after the Annex B fallback).
    pub(crate) fn take_e_bit(&mut self, smf: usize) -> bool {
        let checking = matches!(&self.primary, Some(Primary { multiframe: Multiframe::Aligned, .. }));
        let Some(pending) = self.e_pending.get_mut(smf) else { return false };
        if !checking {
            return false;
        }
        if *pending > 0 {
            *pending -= 1;
            false
        } else {
            true
        }
    }

    /// Takes raw line octets; `los` is the line interface's indication for them.
    pub(crate) fn receive(&mut self, raw: &[u8], los: bool, on_frame: &mut impl FnMut(&Frame)) {
        let mut rest = raw;
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(rest.len().min(self.second.octets_left()));
            if self.in_defect() {
                self.second.defect();
            }
            if los {
                self.receive_without_signal(chunk);
            } else {
                self.receive_signal(chunk, on_frame);
            }
            if self.in_defect() {
                self.second.defect();
            }
            self.second.advance(chunk.len(), &mut self.counters);
            rest = tail;
        }
    }

    fn receive_without_signal(&mut self, chunk: &[u8]) {
        self.los = true;
        if self.primary.is_some() {
            self.lose_alignment();
        }
        self.searcher.reset();
        self.ais.clear();
        if let Some(&last) = chunk.last() {
            self.carry = last;
        }
        self.octets += chunk.len() as u64;
    }

    fn receive_signal(&mut self, chunk: &[u8], on_frame: &mut impl FnMut(&Frame)) {
        if self.los {
            // The search history holds nothing from before the signal came back.
            self.los = false;
            self.searcher.reset();
            self.ais.restart_periods();
        }
        let mut done = 0;
        while done < chunk.len() {
            let rest = &chunk[done..];
            done += match (&self.primary, &self.parallel) {
                (None, _) => self.search(rest),
                (Some(_), Parallel::Idle) => self.track(rest, on_frame),
                (Some(_), _) => self.track_with_parallel(rest, on_frame),
            };
        }
    }

    /// No alignment: all-offsets search and AIS watch, octet by octet, until found.
    fn search(&mut self, data: &[u8]) -> usize {
        for (i, &octet) in data.iter().enumerate() {
            let previous = self.carry;
            self.carry = octet;
            self.octets += 1;
            if self.ais.push(octet) == Some(true) {
                self.second.defect();
            }
            let found = self.searcher.push(previous, octet);
            if found != 0 {
                let offset = found.trailing_zeros();
                self.acquire(offset, previous, octet);
                return i + 1;
            }
        }
        data.len()
    }

    /// G.706 §4.1.2 satisfied: the FAS of frame N+2 starts `offset` bits into `previous`
    /// and ends in `current`.
    fn acquire(&mut self, offset: u32, previous: u8, current: u8) {
        let mut stage = [0; FRAME_OCTETS];
        stage[0] = current;
        self.primary = Some(Primary {
            shift: 8 - offset,
            pos: 1,
            stage_previous: previous,
            stage,
            frame_no: 0,
            fas_error_run: 0,
            frames_aligned: 0,
            multiframe: match self.mode {
                Crc4Mode::Off => Multiframe::Basic,
                Crc4Mode::On | Crc4Mode::Auto => Multiframe::Searching(MultiframeSearch::new()),
            },
            crc: CrcCheck::default(),
        });
        self.parallel = Parallel::Idle;
        self.ais.clear();
        self.rai.reset();
        self.fallback = false;
        self.e_pending = [0; 2];
    }

    fn lose_alignment(&mut self) {
        self.primary = None;
        self.parallel = Parallel::Idle;
        self.searcher.reset();
        self.ais.restart_periods();
        self.rai.reset();
        self.fallback = false;
        self.e_pending = [0; 2];
        self.counters.alignment_losses += 1;
        self.second.defect();
    }

    /// Aligned, nothing in parallel: whole frames by word shifts.
    fn track(&mut self, data: &[u8], on_frame: &mut impl FnMut(&Frame)) -> usize {
        let mut rest = data;
        while let Some(primary) = self.primary.as_mut() {
            let words = match rest.split_first_chunk::<FRAME_OCTETS>() {
                Some((whole, tail)) if primary.pos == 0 => {
                    rest = tail;
                    let words = align_words(self.carry, whole, primary.shift);
                    self.carry = whole[FRAME_OCTETS - 1];
                    self.octets += FRAME_OCTETS as u64;
                    words
                }
                _ => {
                    let pos = primary.pos;
                    let take = (FRAME_OCTETS - pos).min(rest.len());
                    if take == 0 {
                        break;
                    }
                    if pos == 0 {
                        primary.stage_previous = self.carry;
                    }
                    let (part, tail) = rest.split_at(take);
                    rest = tail;
                    primary.stage[pos..pos + take].copy_from_slice(part);
                    self.carry = part[take - 1];
                    self.octets += take as u64;
                    primary.pos = pos + take;
                    if primary.pos < FRAME_OCTETS {
                        break;
                    }
                    primary.pos = 0;
                    align_words(primary.stage_previous, &primary.stage, primary.shift)
                }
            };
            self.frame_complete(&words, on_frame);
            if !matches!(self.parallel, Parallel::Idle) {
                break;
            }
        }
        data.len() - rest.len()
    }

    /// Aligned with a parallel search or candidate running: octet by octet.
    fn track_with_parallel(&mut self, data: &[u8], on_frame: &mut impl FnMut(&Frame)) -> usize {
        for (i, &octet) in data.iter().enumerate() {
            let Some(primary) = self.primary.as_mut() else { return i };
            let previous = self.carry;
            self.carry = octet;
            let index = self.octets;
            self.octets += 1;

            let primary_pos = primary.pos;
            let primary_offset = 8 - primary.shift;
            if primary_pos == 0 {
                primary.stage_previous = previous;
            }
            primary.stage[primary_pos] = octet;
            primary.pos += 1;
            if primary.pos == FRAME_OCTETS {
                primary.pos = 0;
                let words = align_words(primary.stage_previous, &primary.stage, primary.shift);
                self.frame_complete(&words, on_frame);
            }
            if self.primary.is_none() {
                return i + 1;
            }

            match &mut self.parallel {
                Parallel::Idle => return i + 1,
                Parallel::Searching { .. } => {
                    let mut found = self.searcher.push(previous, octet);
                    if primary_pos == 0 {
                        // The primary alignment itself is not what this search is for.
                        found &= !(1u8 << primary_offset);
                    }
                    if found != 0 {
                        self.parallel = Parallel::Candidate(Candidate {
                            offset: found.trailing_zeros(),
                            next_ts0_at: index + FRAME_OCTETS as u64,
                            next_is_fas: false,
                            fas_error_run: 0,
                            search: MultiframeSearch::new(),
                        });
                    }
                }
                Parallel::Candidate(candidate) => {
                    if index == candidate.next_ts0_at {
                        let ts0 = octet_at(previous, octet, candidate.offset);
                        let is_nfas = !candidate.next_is_fas;
                        candidate.next_is_fas = is_nfas;
                        candidate.next_ts0_at += FRAME_OCTETS as u64;
                        let mut give_up = false;
                        if !is_nfas {
                            if is_fas(ts0) {
                                candidate.fas_error_run = 0;
                            } else {
                                candidate.fas_error_run += 1;
                                give_up = candidate.fas_error_run >= FAS_LOSS_RUN;
                            }
                        }
                        let offset = candidate.offset;
                        match candidate.search.frame(ts0, is_nfas) {
                            _ if give_up => self.restart_parallel_search(),
                            MfaOutcome::Aligned => self.promote(offset, previous, octet),
                            MfaOutcome::Expired => self.restart_parallel_search(),
                            MfaOutcome::Pending => {}
                        }
                    }
                }
            }
        }
        data.len()
    }

    fn restart_parallel_search(&mut self) {
        self.searcher.reset();
        self.parallel = Parallel::Searching { frames: 0 };
    }

    /// The candidate found CRC-4 multiframe alignment: it replaces the primary alignment.
    /// The candidate's frame 11 TS0 starts in `previous` and ends in `current`.
    fn promote(&mut self, offset: u32, previous: u8, current: u8) {
        self.parallel = Parallel::Idle;
        let Some(primary) = self.primary.as_mut() else { return };
        primary.shift = 8 - offset;
        primary.pos = 1;
        primary.stage_previous = previous;
        primary.stage[0] = current;
        primary.frame_no = MFAS_LAST_FRAME;
        primary.fas_error_run = 0;
        primary.multiframe = Multiframe::Aligned;
        primary.crc = CrcCheck::default();
        self.rai.reset();
    }

    /// A whole frame has arrived: check TS0, then deliver it unless alignment was lost on
    /// it.
    fn frame_complete(&mut self, words: &[u64; 4], on_frame: &mut impl FnMut(&Frame)) {
        for (octets, word) in self.frame.chunks_exact_mut(8).zip(words) {
            octets.copy_from_slice(&word.to_be_bytes());
        }
        match self.judge_frame(words) {
            Verdict::Deliver => {
                self.counters.frames += 1;
                on_frame(&self.frame);
            }
            Verdict::Lose => self.lose_alignment(),
        }
    }

    fn judge_frame(&mut self, words: &[u64; 4]) -> Verdict {
        let Some(primary) = self.primary.as_mut() else { return Verdict::Lose };
        let ts0 = (words[0] >> 56) as u8;
        let n = primary.frame_no;
        primary.frame_no = (n + 1) % MULTIFRAME;
        primary.frames_aligned = primary.frames_aligned.saturating_add(1);
        let fas_frame = n.is_multiple_of(2);
        let checking_crc4 = matches!(primary.multiframe, Multiframe::Aligned);

        if fas_frame {
            if is_fas(ts0) {
                primary.fas_error_run = 0;
            } else {
                self.counters.fas_errors += 1;
                if !checking_crc4 {
                    self.second.fas_error();
                }
                primary.fas_error_run += 1;
                if primary.fas_error_run >= FAS_LOSS_RUN {
                    return Verdict::Lose;
                }
            }
        } else {
            self.rai.push(ts0 & A_BIT != 0);
            self.sa_bits = ts0 & SA_MASK;
        }

        match &mut primary.multiframe {
            Multiframe::Aligned => {
                let checked = check_crc4(&mut primary.crc, words, n);
                // A far end in alarm (RAI) sends E = 0 because it cannot check, not because
                // our blocks were errored: those are not far-end block errors.
                if !fas_frame && n >= 13 && ts0 & 0x80 == 0 && !self.rai.state() {
                    self.counters.e_bit_errors += 1;
                }
                if let Some(errored) = checked {
                    if errored {
                        self.counters.crc4_errors += 1;
                        self.second.crc4_error();
                        // Frame 6 closes the check of the previous SMF II, frame 14 of SMF I.
                        let smf = usize::from(n == 6);
                        self.e_pending[smf] = self.e_pending[smf].saturating_add(1);
                    }
                    let crc = &mut primary.crc;
                    crc.window_blocks += 1;
                    crc.window_errors += u16::from(errored);
                    if crc.window_blocks == FALSE_ALIGNMENT_BLOCKS {
                        if crc.window_errors >= FALSE_ALIGNMENT_ERRORS {
                            return Verdict::Lose;
                        }
                        crc.window_blocks = 0;
                        crc.window_errors = 0;
                    }
                }
            }
            Multiframe::Searching(search) => match search.frame(ts0, !fas_frame) {
                MfaOutcome::Pending => {}
                MfaOutcome::Aligned => {
                    primary.multiframe = Multiframe::Aligned;
                    primary.frame_no = (MFAS_LAST_FRAME + 1) % MULTIFRAME;
                    primary.crc = CrcCheck::default();
                }
                MfaOutcome::Expired => match self.mode {
                    Crc4Mode::Auto => {
                        primary.multiframe = Multiframe::Parallel;
                        self.searcher.reset();
                        self.parallel = Parallel::Searching { frames: 0 };
                    }
                    Crc4Mode::On | Crc4Mode::Off => return Verdict::Lose,
                },
            },
            Multiframe::Parallel => {
                if let Parallel::Searching { frames } = &mut self.parallel {
                    *frames += 1;
                    if *frames >= SEARCH_WINDOW_FRAMES {
                        // Nothing else on the line: try the primary alignment again.
                        primary.multiframe = Multiframe::Searching(MultiframeSearch::new());
                        self.parallel = Parallel::Idle;
                    }
                }
            }
            Multiframe::Basic => {}
        }

        if self.mode == Crc4Mode::Auto
            && matches!(primary.multiframe, Multiframe::Searching(_) | Multiframe::Parallel)
            && primary.frames_aligned >= INTERWORKING_FRAMES
        {
            primary.multiframe = Multiframe::Basic;
            self.parallel = Parallel::Idle;
            self.fallback = true;
        }
        Verdict::Deliver
    }
}

/// Runs the CRC-4 check over frame `n` of the multiframe. Returns `Some(errored)` when
/// this frame completed the comparison for a sub-multiframe.
fn check_crc4(crc: &mut CrcCheck, words: &[u64; 4], n: u8) -> Option<bool> {
    let fas_frame = n.is_multiple_of(2);
    let mut result = None;
    if fas_frame {
        crc.received = (crc.received << 1) | (words[0] >> 63) as u8;
        if (n == 6 || n == 14) && crc.previous_complete {
            result = Some(crc.received & 0x0F != crc.previous);
        }
    }
    if n.is_multiple_of(8) {
        crc.running = crc4::update_words(0, words, true);
        crc.running_complete = true;
    } else {
        crc.running = crc4::update_words(crc.running, words, fas_frame);
    }
    if n % 8 == 7 {
        crc.previous = crc.running;
        crc.previous_complete = crc.running_complete;
        crc.running_complete = false;
    }
    result
}

/// The frame whose octets start `8 - shift` bits into `previous`, `raw[0]`, ... and end in
/// `raw[0]` .. `raw[31]`, as four big-endian words.
#[inline(always)]
fn align_words(previous: u8, raw: &[u8; FRAME_OCTETS], shift: u32) -> [u64; 4] {
    std::array::from_fn(|j| {
        let mut octets = [0u8; 8];
        octets.copy_from_slice(&raw[j * 8..j * 8 + 8]);
        let before = if j == 0 { previous } else { raw[j * 8 - 1] };
        // shift is 1..=8: the bits of `before` that belong to octet 0 land on top.
        (u64::from_be_bytes(octets) >> shift) | (u64::from(before) << (64 - shift))
    })
}
