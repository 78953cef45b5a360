//! Cadence matching: turns the stream of segments (what sounded, for how long) into tone
//! reports for one [`ToneSpec`](super::ToneSpec).
//!
//! A cyclic cadence may be entered at any point of its cycle, so the matcher keeps the set
//! of cycle positions the segments seen so far are consistent with (a bit mask). Each ended
//! segment advances every surviving position whose expected segment it matches; when none
//! survives, the run is over and the segment is tried as the start of a new run (only a
//! sounding segment may start one, so leading silence never shifts the start time). The
//! segment still sounding is checked on every block: once it outlasts every surviving
//! position the run ends at once, and once it has lasted long enough to be the segment that
//! completes the required cycles, the tone is reported without waiting for it to end
//! (ringback is recognised 3.6 s into its first silence, not at the next burst).

use super::plan::MAX_SEGMENTS;

/// One expected segment, compiled: what must sound and the accepted duration in blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Expect {
    /// Bit mask over the plan's frequencies; 0 is silence.
    pub mask: u8,
    pub min_blocks: u32,
    pub max_blocks: u32,
}

impl Expect {
    fn accepts(&self, mask: u8, blocks: u32) -> bool {
        self.mask == mask && (self.min_blocks..=self.max_blocks).contains(&blocks)
    }
}

/// A compiled cadence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pattern {
    Continuous { mask: u8, min_blocks: u32 },
    Repeating { expect: [Expect; MAX_SEGMENTS], len: u8, needed: u16 },
}

/// What a matcher reports; times are in blocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Report {
    Started { start: u32 },
    Ended { start: u32, end: u32 },
}

/// Per-channel matching state of one tone: 16 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Matcher {
    /// Cycle positions the next segment may take (bit p: `expect[p]`).
    positions: u16,
    /// Segments matched in the current run.
    matched: u16,
    reported: bool,
    run_start: u32,
    /// End of the last sounding segment of the run.
    last_sound_end: u32,
}

impl Matcher {
    /// A segment ended: `mask` sounded from block `start` for `blocks` blocks.
    pub(crate) fn segment_ended(
        &mut self,
        pattern: &Pattern,
        mask: u8,
        start: u32,
        blocks: u32,
        report: &mut impl FnMut(Report),
    ) {
        match *pattern {
            Pattern::Continuous { mask: wanted, .. } => {
                if self.reported && mask == wanted {
                    self.reported = false;
                    report(Report::Ended { start: self.run_start, end: start.wrapping_add(blocks) });
                }
            }
            Pattern::Repeating { ref expect, len, needed } => {
                let expect = &expect[..usize::from(len)];
                let next =
                    if self.positions != 0 { advance(expect, self.positions, mask, blocks) } else { 0 };
                if next != 0 {
                    self.positions = next;
                    self.matched = self.matched.saturating_add(1);
                    if mask != 0 {
                        self.last_sound_end = start.wrapping_add(blocks);
                    }
                } else {
                    self.end_run(report);
                    if mask != 0 {
                        let all = (1u16 << len) - 1;
                        self.positions = advance(expect, all, mask, blocks);
                        if self.positions != 0 {
                            self.matched = 1;
                            self.run_start = start;
                            self.last_sound_end = start.wrapping_add(blocks);
                        }
                    }
                }
                if !self.reported && self.positions != 0 && self.matched >= needed {
                    self.reported = true;
                    report(Report::Started { start: self.run_start });
                }
            }
        }
    }

    /// The current segment (`mask` since block `start`) has lasted `blocks` so far.
    pub(crate) fn segment_continues(
        &mut self,
        pattern: &Pattern,
        mask: u8,
        start: u32,
        blocks: u32,
        report: &mut impl FnMut(Report),
    ) {
        match *pattern {
            Pattern::Continuous { mask: wanted, min_blocks } => {
                if !self.reported && mask == wanted && blocks >= min_blocks {
                    self.reported = true;
                    self.run_start = start;
                    report(Report::Started { start });
                }
            }
            Pattern::Repeating { ref expect, len, needed } => {
                if self.positions == 0 {
                    return;
                }
                let expect = &expect[..usize::from(len)];
                let mut alive = false;
                let mut long_enough = false;
                for (p, e) in expect.iter().enumerate() {
                    if self.positions & (1 << p) != 0 && e.mask == mask && blocks <= e.max_blocks {
                        alive = true;
                        long_enough |= blocks >= e.min_blocks;
                    }
                }
                if !alive {
                    self.end_run(report);
                } else if !self.reported && long_enough && self.matched.saturating_add(1) >= needed {
                    self.reported = true;
                    report(Report::Started { start: self.run_start });
                }
            }
        }
    }

    /// The input stops: the current segment (if any) ends here, and any reported tone too.
    pub(crate) fn finish(
        &mut self,
        pattern: &Pattern,
        mask: u8,
        start: u32,
        blocks: u32,
        report: &mut impl FnMut(Report),
    ) {
        if blocks > 0 {
            self.segment_ended(pattern, mask, start, blocks, report);
        }
        if let Pattern::Repeating { .. } = pattern {
            self.end_run(report);
        }
    }

    fn end_run(&mut self, report: &mut impl FnMut(Report)) {
        if self.reported {
            report(Report::Ended { start: self.run_start, end: self.last_sound_end });
        }
        *self = Matcher::default();
    }
}

/// Positions after a segment: each position whose expectation the segment meets moves on.
fn advance(expect: &[Expect], positions: u16, mask: u8, blocks: u32) -> u16 {
    let len = expect.len();
    let mut next = 0u16;
    for (p, e) in expect.iter().enumerate() {
        if positions & (1 << p) != 0 && e.accepts(mask, blocks) {
            next |= 1 << ((p + 1) % len);
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    const TONE: u8 = 1;

    fn busy() -> Pattern {
        let mut expect = [Expect::default(); MAX_SEGMENTS];
        expect[0] = Expect { mask: TONE, min_blocks: 30, max_blocks: 40 };
        expect[1] = Expect { mask: 0, min_blocks: 30, max_blocks: 40 };
        Pattern::Repeating { expect, len: 2, needed: 4 }
    }

    /// Feeds (mask, blocks) segments block by block; returns the reports.
    fn run(pattern: &Pattern, segments: &[(u8, u32)]) -> Vec<Report> {
        let mut matcher = Matcher::default();
        let mut reports = Vec::new();
        let mut at = 0;
        for &(mask, blocks) in segments {
            for b in 1..=blocks {
                matcher.segment_continues(pattern, mask, at, b, &mut |r| reports.push(r));
            }
            matcher.segment_ended(pattern, mask, at, blocks, &mut |r| reports.push(r));
            at += blocks;
        }
        reports
    }

    #[test]
    fn busy_is_reported_in_its_fourth_segment_and_ends_with_its_last_burst() {
        let reports =
            run(&busy(), &[(0, 100), (TONE, 35), (0, 35), (TONE, 35), (0, 35), (TONE, 35), (0, 200)]);
        // Reported when the second silence reaches 30 blocks: start is the first burst.
        assert_eq!(reports, [Report::Started { start: 100 }, Report::Ended { start: 100, end: 275 }]);
    }

    #[test]
    fn a_wrong_burst_restarts_the_run() {
        let reports = run(
            &busy(),
            &[(TONE, 35), (0, 35), (TONE, 70), (0, 35), (TONE, 35), (0, 35), (TONE, 35), (0, 50)],
        );
        assert_eq!(reports, [Report::Started { start: 175 }, Report::Ended { start: 175, end: 280 }]);
    }

    #[test]
    fn continuous_tone_reports_after_its_minimum() {
        let pattern = Pattern::Continuous { mask: TONE, min_blocks: 150 };
        assert_eq!(run(&pattern, &[(0, 10), (TONE, 149), (0, 10)]), []);
        assert_eq!(
            run(&pattern, &[(0, 10), (TONE, 150), (0, 10)]),
            [Report::Started { start: 10 }, Report::Ended { start: 10, end: 160 }]
        );
    }

    #[test]
    fn matcher_is_sixteen_bytes() {
        assert_eq!(core::mem::size_of::<Matcher>(), 16);
    }
}
