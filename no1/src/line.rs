//! Digital line signaling on TS16 (Q.421 as China's GF 002-9002 uses it): the forward bits
//! af bf from the calling end, the backward bits ab bb from the called end, and the fixed
//! c d bits beside them, as one ABCD nibble per direction (A = 0x8, B = 0x4, C = 0x2, D = 0x1,
//! the DAHDI and driver convention).
//!
//! | Signal | af bf | ab bb | China nibble (C = D = 1) | ITU nibble (C = 0, D = 1) |
//! |---|---|---|---|---|
//! | idle / clear-forward | 1 0 | | 0xB | 0x9 |
//! | seizure | 0 0 | | 0x3 | 0x1 |
//! | idle / release guard | | 1 0 | 0xB | 0x9 |
//! | seizure acknowledgement | | 1 1 | 0xF | 0xD |
//! | answer | | 0 1 | 0x7 | 0x5 |
//! | clear-back | | 1 1 | 0xF | 0xD |
//! | blocking | | 1 1 | 0xF | 0xD |
//!
//! The same backward nibble means seizure acknowledgement, clear-back or blocking: which one
//! follows from the circuit's state, so decoding belongs to the circuit machine; this module
//! only holds the codes and compares them. Every code is a value in [`LineCodes`] so that an
//! operator whose exchange deviates can say so in configuration.

use core::fmt;

/// The ABCD nibbles of each line signal, and which bits a receiver compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LineCodes {
    /// Forward idle, also clear-forward (af bf = 1 0).
    pub forward_idle: u8,
    /// Seizure (af bf = 0 0).
    pub forward_seize: u8,
    /// Backward idle, also the release guard (ab bb = 1 0).
    pub backward_idle: u8,
    /// Seizure acknowledgement (ab bb = 1 1); `None` for variants without one, where the
    /// calling end starts register signaling as soon as it has seized.
    pub backward_seize_ack: Option<u8>,
    /// Answer (ab bb = 0 1).
    pub backward_answer: u8,
    /// Clear-back (ab bb = 1 1).
    pub backward_clear_back: u8,
    /// Blocking (ab bb = 1 1 while the forward direction is idle).
    pub backward_blocked: u8,
    /// The bits compared on receipt: 0xC compares a and b only, as Q.421 defines the signals;
    /// 0xF also insists on the c and d bits.
    pub compare_mask: u8,
}

/// Why a set of line codes was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineCodesError {
    /// A code above 0xF.
    NotANibble(&'static str, u8),
    /// ABCD = 0000, which would imitate the CAS multiframe alignment signal (G.704).
    AllZero(&'static str),
    /// Two signals a receiver must tell apart compare equal under the mask.
    Indistinct(&'static str, &'static str),
}

impl fmt::Display for LineCodesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineCodesError::NotANibble(name, code) => write!(f, "line code {name} = {code:#x} is not 4 bits"),
            LineCodesError::AllZero(name) => {
                write!(f, "line code {name} = 0000 would imitate the TS16 multiframe alignment")
            }
            LineCodesError::Indistinct(a, b) => write!(f, "line codes {a} and {b} cannot be told apart"),
        }
    }
}

impl std::error::Error for LineCodesError {}

impl LineCodes {
    /// China No.1 (GF 002-9002): c = d = 1, as OpenR2's CN variant sends.
    pub const CHINA: LineCodes = LineCodes {
        forward_idle: 0xB,
        forward_seize: 0x3,
        backward_idle: 0xB,
        backward_seize_ack: Some(0xF),
        backward_answer: 0x7,
        backward_clear_back: 0xF,
        backward_blocked: 0xF,
        compare_mask: 0xC,
    };

    /// ITU-T Q.421: c = 0, d = 1.
    pub const ITU: LineCodes = LineCodes {
        forward_idle: 0x9,
        forward_seize: 0x1,
        backward_idle: 0x9,
        backward_seize_ack: Some(0xD),
        backward_answer: 0x5,
        backward_clear_back: 0xD,
        backward_blocked: 0xD,
        compare_mask: 0xC,
    };

    /// Whether the received nibble `rx` is the signal `code`.
    pub fn is(&self, rx: u8, code: u8) -> bool {
        rx & self.compare_mask == code & self.compare_mask
    }

    /// Whether `rx` is seizure acknowledgement (never, for variants without one).
    pub fn is_seize_ack(&self, rx: u8) -> bool {
        self.backward_seize_ack.is_some_and(|code| self.is(rx, code))
    }

    /// Checks that every code is a nibble, none is 0000, and the signals a receiver must tell
    /// apart in the same state differ under the mask.
    pub fn validate(&self) -> Result<(), LineCodesError> {
        let mut named = vec![
            ("forward_idle", self.forward_idle),
            ("forward_seize", self.forward_seize),
            ("backward_idle", self.backward_idle),
            ("backward_answer", self.backward_answer),
            ("backward_clear_back", self.backward_clear_back),
            ("backward_blocked", self.backward_blocked),
        ];
        if let Some(ack) = self.backward_seize_ack {
            named.push(("backward_seize_ack", ack));
        }
        for (name, code) in &named {
            if *code > 0xF {
                return Err(LineCodesError::NotANibble(name, *code));
            }
            if *code == 0 {
                return Err(LineCodesError::AllZero(name));
            }
        }
        if self.compare_mask > 0xF {
            return Err(LineCodesError::NotANibble("compare_mask", self.compare_mask));
        }
        let distinct = |a: (&'static str, u8), b: (&'static str, u8)| {
            if self.is(a.1, b.1) { Err(LineCodesError::Indistinct(a.0, b.0)) } else { Ok(()) }
        };
        let idle_f = ("forward_idle", self.forward_idle);
        let seize = ("forward_seize", self.forward_seize);
        let idle_b = ("backward_idle", self.backward_idle);
        let answer = ("backward_answer", self.backward_answer);
        let clear_back = ("backward_clear_back", self.backward_clear_back);
        let blocked = ("backward_blocked", self.backward_blocked);
        distinct(idle_f, seize)?;
        distinct(idle_b, answer)?;
        distinct(idle_b, clear_back)?;
        distinct(idle_b, blocked)?;
        distinct(answer, clear_back)?;
        // In the idle state one receiver sees the far end's forward or backward signals.
        distinct(seize, blocked)?;
        distinct(seize, idle_b)?;
        if let Some(ack) = self.backward_seize_ack {
            let ack = ("backward_seize_ack", ack);
            distinct(idle_b, ack)?;
            distinct(answer, ack)?;
            // Dual seizure is a seizure arriving where the acknowledgement was expected.
            distinct(seize, ack)?;
        }
        Ok(())
    }

    /// The name of the signal `abcd` most likely carries, for traces: forward signals when
    /// `forward` (this end is the called end or idle), backward otherwise.
    pub fn name(&self, abcd: u8, forward: bool) -> LineSignal {
        if forward {
            if self.is(abcd, self.forward_seize) {
                LineSignal::Seize
            } else if self.is(abcd, self.forward_idle) {
                LineSignal::Idle
            } else {
                LineSignal::Unknown
            }
        } else if self.is(abcd, self.backward_idle) {
            LineSignal::Idle
        } else if self.is(abcd, self.backward_answer) {
            LineSignal::Answer
        } else if self.is_seize_ack(abcd) || self.is(abcd, self.backward_clear_back) {
            LineSignal::SeizeAckOrClearBack
        } else {
            LineSignal::Unknown
        }
    }
}

impl Default for LineCodes {
    fn default() -> Self {
        LineCodes::CHINA
    }
}

/// A line signal by name (traces and the CLI).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineSignal {
    /// Idle, clear-forward or release guard.
    Idle,
    /// Seizure.
    Seize,
    /// Seizure acknowledgement, clear-back or blocking (one backward code).
    SeizeAckOrClearBack,
    /// Answer.
    Answer,
    /// A nibble that is none of the configured signals.
    Unknown,
}

impl fmt::Display for LineSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineSignal::Idle => "idle",
            LineSignal::Seize => "seize",
            LineSignal::SeizeAckOrClearBack => "seize-ack/clear-back/blocked",
            LineSignal::Answer => "answer",
            LineSignal::Unknown => "unknown",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_codes_are_the_openr2_cn_nibbles() {
        let c = LineCodes::CHINA;
        assert_eq!(
            (c.forward_idle, c.forward_seize, c.backward_seize_ack, c.backward_answer, c.backward_clear_back),
            (0b1011, 0b0011, Some(0b1111), 0b0111, 0b1111)
        );
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(LineCodes::ITU.validate(), Ok(()));
        assert_eq!(LineCodes::default(), LineCodes::CHINA);
    }

    #[test]
    fn the_mask_decides_which_bits_count() {
        let mut c = LineCodes::CHINA;
        // An ITU idle (c = 0) is idle to a China receiver comparing a and b only...
        assert!(c.is(0x9, c.forward_idle));
        assert!(!c.is(0xD, c.backward_answer));
        assert!(c.is_seize_ack(0xD));
        // ...but not once c and d are compared too.
        c.compare_mask = 0xF;
        assert!(!c.is(0x9, c.forward_idle));
        assert!(!c.is_seize_ack(0xD));
        assert!(c.is_seize_ack(0xF));
    }

    #[test]
    fn validation_refuses_bad_code_sets() {
        let mut c = LineCodes::CHINA;
        c.forward_seize = 0x10;
        assert_eq!(c.validate(), Err(LineCodesError::NotANibble("forward_seize", 0x10)));
        c.forward_seize = 0;
        assert_eq!(c.validate(), Err(LineCodesError::AllZero("forward_seize")));
        c = LineCodes::CHINA;
        c.backward_answer = 0xE;
        assert_eq!(c.validate(), Err(LineCodesError::Indistinct("backward_answer", "backward_clear_back")));
        c = LineCodes::CHINA;
        c.backward_seize_ack = Some(0x3);
        assert_eq!(c.validate(), Err(LineCodesError::Indistinct("forward_seize", "backward_seize_ack")));
        c = LineCodes::CHINA;
        c.backward_seize_ack = None;
        assert_eq!(c.validate(), Ok(()));
        assert!(!c.is_seize_ack(0xF));
        assert_eq!(
            format!("{}", LineCodesError::Indistinct("a", "b")),
            "line codes a and b cannot be told apart"
        );
    }

    #[test]
    fn names_follow_the_direction() {
        let c = LineCodes::CHINA;
        assert_eq!(c.name(0x3, true), LineSignal::Seize);
        assert_eq!(c.name(0xB, true), LineSignal::Idle);
        assert_eq!(c.name(0x7, true), LineSignal::Unknown);
        assert_eq!(c.name(0x7, false), LineSignal::Answer);
        assert_eq!(c.name(0xF, false), LineSignal::SeizeAckOrClearBack);
        assert_eq!(c.name(0x3, false), LineSignal::Unknown);
        assert_eq!(format!("{}", LineSignal::Answer), "answer");
    }
}
