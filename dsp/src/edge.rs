//! Start and end of a detected tone, shared by the DTMF and MFC-R2 detectors.

/// Which edge of a tone an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToneEdge {
    /// The tone began; the event's sample is the tone's first sample.
    Start,
    /// The tone ended; the event's sample is the first sample after the tone.
    End,
}
