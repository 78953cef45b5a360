//! Tone plans as data: which call-progress tones a network plays, at what frequencies,
//! levels and cadences. A country is a [`TonePlan`] value; the detector and the generator
//! read it and hold no country-specific code.
//!
//! # China ([`CHINA`])
//!
//! From the facts sheet §5.1 (DAHDI/Asterisk `cn` zone and Chinese tone-plan articles): all
//! call-progress tones at 450 Hz, −10 dBm0, except the howler (950 Hz) and the reminder
//! (1400 Hz). Two sources disagree; the choices:
//!
//! - **Call waiting**: DAHDI has 400 ms on / 4 s off, one Chinese article has 0.4 on, 0.4 off,
//!   0.4 on, then a pause. This plan takes 400/4000: it is what deployed switches and PBXs
//!   configured with the `cn` zone play, and as a single burst it stays clear of ringback
//!   (1000/4000) by its on time. It is sent weak; −20 dBm0 here. The other reading is one
//!   more table row if a network needs it.
//! - **Reminder/record**: DAHDI's "record" tone is 950 Hz 400/10 000, the Chinese article's
//!   three-party reminder (提醒音) is 1400 Hz 400/10 000. This plan takes 1400 Hz: a national
//!   description outranks a PBX zone table, and it keeps 950 Hz for the howler alone, so the
//!   two cannot be confused by frequency.
//! - **Howler** (催挂音): 950 Hz continuous "rising in steps"; generated here at a fixed
//!   −10 dBm0 and detected at any level.
//!
//! # ETSI ([`ETSI`])
//!
//! The European harmonised 425 Hz plan (ETSI ES 201 970 / TR 101 041, ITU-T E.180 for the
//! special information tone): dial continuous, ringback 1 s / 4 s, busy 0.5 / 0.5,
//! congestion 0.25 / 0.25, and SIT as 950, 1400, 1800 Hz for 330 ms each then 1 s of silence
//! (E.180 allows ±70 ms on the tones and ±250 ms on the silence, hence 21 % there).
//!
//! # Tolerances
//!
//! Each tone states the relative cadence tolerance its network promises (10 % unless said);
//! the detector widens every window by one 10 ms analysis block for its own timing grid.

/// Longest cyclic cadence, in segments.
pub const MAX_SEGMENTS: usize = 12;
/// Most tones in one plan.
pub const MAX_TONES: usize = 12;
/// Most distinct frequencies in one plan.
pub const MAX_FREQUENCIES: usize = 6;

/// One step of a cadence: up to two frequencies sounding together (0 = unused; both 0 is
/// silence) for `ms` milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    /// Frequencies in Hz; 0 marks an unused slot.
    pub freqs_hz: [u16; 2],
    /// Nominal duration in ms.
    pub ms: u32,
}

impl Segment {
    /// A single-frequency segment.
    pub const fn tone(freq_hz: u16, ms: u32) -> Self {
        Self { freqs_hz: [freq_hz, 0], ms }
    }

    /// A two-frequency segment.
    pub const fn dual(first_hz: u16, second_hz: u16, ms: u32) -> Self {
        Self { freqs_hz: [first_hz, second_hz], ms }
    }

    /// Silence.
    pub const fn silence(ms: u32) -> Self {
        Self { freqs_hz: [0, 0], ms }
    }

    /// Whether nothing sounds in this segment.
    pub fn is_silence(&self) -> bool {
        self.freqs_hz == [0, 0]
    }
}

/// How a tone is timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cadence<'a> {
    /// Sounds without a break (dial tone, howler); recognised once it has lasted `min_ms`,
    /// which must exceed the longest burst of any cadenced tone on the same frequencies.
    Continuous {
        /// Frequencies in Hz (0 = unused).
        freqs_hz: [u16; 2],
        /// Time before the tone is reported.
        min_ms: u32,
    },
    /// Repeats `segments` for ever; recognised after `cycles` whole cycles matched.
    Repeating {
        /// The cycle; sounding and silent segments in order.
        segments: &'a [Segment],
        /// Cycles to match before reporting.
        cycles: u8,
    },
}

/// One call-progress tone of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ToneSpec<'a> {
    /// Name used in reports (`busy`, `ringback` ...).
    pub name: &'a str,
    /// Level of each frequency when generated, in dBm0.
    pub level_dbm0: i8,
    /// Timing.
    pub cadence: Cadence<'a>,
    /// Cadence tolerance in percent of each segment's duration.
    pub tolerance_pct: u8,
}

/// A country's (or a network's) call-progress tones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TonePlan<'a> {
    /// Short name (`cn`, `etsi`).
    pub name: &'a str,
    /// The tones.
    pub tones: &'a [ToneSpec<'a>],
    /// Weakest level, per frequency, at which a tone is still detected.
    pub min_level_dbm0: i8,
}

impl<'a> TonePlan<'a> {
    /// The tone called `name`.
    pub fn tone(&self, name: &str) -> Option<&ToneSpec<'a>> {
        self.tones.iter().find(|t| t.name == name)
    }

    /// Every distinct frequency the plan uses, in order of first appearance.
    pub fn frequencies(&self) -> impl Iterator<Item = u16> + '_ {
        let mut seen = [0u16; MAX_FREQUENCIES * 4];
        let mut count = 0;
        self.tones.iter().flat_map(|t| t.frequencies()).filter(move |&f| {
            if seen[..count].contains(&f) {
                return false;
            }
            if count < seen.len() {
                seen[count] = f;
                count += 1;
            }
            true
        })
    }
}

impl ToneSpec<'_> {
    /// Every frequency the tone uses (with repeats).
    pub fn frequencies(&self) -> impl Iterator<Item = u16> + '_ {
        let (continuous, segments): (&[u16], &[Segment]) = match &self.cadence {
            Cadence::Continuous { freqs_hz, .. } => (freqs_hz, &[]),
            Cadence::Repeating { segments, .. } => (&[], segments),
        };
        continuous.iter().chain(segments.iter().flat_map(|s| s.freqs_hz.iter())).copied().filter(|&f| f != 0)
    }
}

/// Why a plan cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// More tones than [`MAX_TONES`].
    TooManyTones(usize),
    /// More distinct frequencies than [`MAX_FREQUENCIES`].
    TooManyFrequencies(usize),
    /// A cadence longer than [`MAX_SEGMENTS`], or empty.
    BadSegmentCount {
        /// The tone.
        tone: String,
        /// Its segment count.
        segments: usize,
    },
    /// A segment of zero length, a frequency outside 100–3900 Hz, a tone with no sound, or
    /// two neighbouring segments that sound the same (they would merge on the line).
    BadCadence {
        /// The tone.
        tone: String,
    },
}

impl core::fmt::Display for PlanError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            PlanError::TooManyTones(n) => write!(f, "tone plan has {n} tones, at most {MAX_TONES} allowed"),
            PlanError::TooManyFrequencies(n) => {
                write!(f, "tone plan uses {n} frequencies, at most {MAX_FREQUENCIES} allowed")
            }
            PlanError::BadSegmentCount { tone, segments } => {
                write!(f, "tone {tone:?} has {segments} cadence segments, 1 to {MAX_SEGMENTS} allowed")
            }
            PlanError::BadCadence { tone } => write!(f, "tone {tone:?} has an unusable cadence"),
        }
    }
}

impl std::error::Error for PlanError {}

/// The China tone plan (see the module documentation for the sources and choices).
pub const CHINA: TonePlan<'static> = TonePlan {
    name: "cn",
    min_level_dbm0: -40,
    tones: &[
        ToneSpec {
            name: "dial",
            level_dbm0: -10,
            cadence: Cadence::Continuous { freqs_hz: [450, 0], min_ms: 1500 },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "busy",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[Segment::tone(450, 350), Segment::silence(350)],
                cycles: 2,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "ringback",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[Segment::tone(450, 1000), Segment::silence(4000)],
                cycles: 1,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "congestion",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[Segment::tone(450, 700), Segment::silence(700)],
                cycles: 2,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "vacant",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[
                    Segment::tone(450, 100),
                    Segment::silence(100),
                    Segment::tone(450, 100),
                    Segment::silence(100),
                    Segment::tone(450, 100),
                    Segment::silence(100),
                    Segment::tone(450, 400),
                    Segment::silence(400),
                ],
                cycles: 1,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "long-distance",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[
                    Segment::tone(450, 200),
                    Segment::silence(200),
                    Segment::tone(450, 200),
                    Segment::silence(600),
                ],
                cycles: 2,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "call-waiting",
            level_dbm0: -20,
            cadence: Cadence::Repeating {
                segments: &[Segment::tone(450, 400), Segment::silence(4000)],
                cycles: 1,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "howler",
            level_dbm0: -10,
            cadence: Cadence::Continuous { freqs_hz: [950, 0], min_ms: 1000 },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "reminder",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[Segment::tone(1400, 400), Segment::silence(10_000)],
                cycles: 1,
            },
            tolerance_pct: 10,
        },
    ],
};

/// The European harmonised 425 Hz plan with the E.180 special information tone.
pub const ETSI: TonePlan<'static> = TonePlan {
    name: "etsi",
    min_level_dbm0: -40,
    tones: &[
        ToneSpec {
            name: "dial",
            level_dbm0: -10,
            cadence: Cadence::Continuous { freqs_hz: [425, 0], min_ms: 1500 },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "ringback",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[Segment::tone(425, 1000), Segment::silence(4000)],
                cycles: 1,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "busy",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[Segment::tone(425, 500), Segment::silence(500)],
                cycles: 2,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "congestion",
            level_dbm0: -10,
            cadence: Cadence::Repeating {
                segments: &[Segment::tone(425, 250), Segment::silence(250)],
                cycles: 2,
            },
            tolerance_pct: 10,
        },
        ToneSpec {
            name: "sit",
            level_dbm0: -14,
            cadence: Cadence::Repeating {
                segments: &[
                    Segment::tone(950, 330),
                    Segment::tone(1400, 330),
                    Segment::tone(1800, 330),
                    Segment::silence(1000),
                ],
                cycles: 1,
            },
            tolerance_pct: 21,
        },
    ],
};

/// The built-in plans.
pub const PLANS: [&TonePlan<'static>; 2] = [&CHINA, &ETSI];

/// A built-in plan by its short name (`cn`, `etsi`).
pub fn plan_by_name(name: &str) -> Option<&'static TonePlan<'static>> {
    PLANS.into_iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_list_their_frequencies_once() {
        assert_eq!(CHINA.frequencies().collect::<Vec<_>>(), [450, 950, 1400]);
        assert_eq!(ETSI.frequencies().collect::<Vec<_>>(), [425, 950, 1400, 1800]);
    }

    #[test]
    fn plans_are_found_by_name() {
        assert_eq!(plan_by_name("cn"), Some(&CHINA));
        assert_eq!(plan_by_name("etsi"), Some(&ETSI));
        assert_eq!(plan_by_name("us"), None);
        assert_eq!(CHINA.tone("busy").map(|t| t.cadence), CHINA.tones.get(1).map(|t| t.cadence));
    }

    #[test]
    fn china_table_carries_the_reference_cadences() {
        let cycle = |name: &str| match CHINA.tone(name).map(|t| t.cadence) {
            Some(Cadence::Repeating { segments, .. }) => segments.iter().map(|s| s.ms).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(cycle("busy"), [350, 350]);
        assert_eq!(cycle("ringback"), [1000, 4000]);
        assert_eq!(cycle("congestion"), [700, 700]);
        assert_eq!(cycle("vacant"), [100, 100, 100, 100, 100, 100, 400, 400]);
        assert_eq!(cycle("long-distance"), [200, 200, 200, 600]);
        assert_eq!(cycle("call-waiting"), [400, 4000]);
    }
}
