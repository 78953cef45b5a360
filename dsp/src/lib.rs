//! Fixed-point telephony DSP for 8000 samples/s G.711 channels.
//!
//! Everything here is pure: no I/O, no clock, no allocation on the per-sample or per-block
//! path. Samples are `i16` on the 16-bit linear scale that G.711 decodes to; coefficients are
//! Q15 (Q14 where the range needs it); accumulators are `i32`/`i64`. Levels are in dBm0 on
//! the G.711 reference described in [`level`].
//!
//! Coding and levels: [`g711`], [`level`]. Signal building blocks: [`goertzel`], [`sine`],
//! [`noise`], [`tonegen`] (tones, cadences, DTMF and MFC-R2 senders). Receivers: [`dtmf`]
//! (Q.24) and [`r2mf`] (MFC-R2), built on the sub-block [`correlator`] and the shared
//! two-tone machinery in [`twotone`]; both report [`edge::ToneEdge`]s with sample indices.

pub mod analyze;
pub mod answer;
pub mod correlator;
pub mod dtmf;
pub mod edge;
pub mod energy;
pub mod fax;
pub mod g711;
pub mod goertzel;
pub mod level;
pub mod noise;
pub mod progress;
pub mod r2mf;
pub mod sine;
pub mod tonegen;
pub mod twotone;
