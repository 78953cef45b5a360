//! Call-progress tones: tone plans as data, cadence-matched detection, and generation.
//!
//! - [`plan`]: [`TonePlan`] values — the China plan ([`CHINA`]) and the European 425 Hz plan
//!   ([`ETSI`]); another network is another table.
//! - [`detect`]: [`ProgressDetector`] (compiled from a plan, shared) and [`ProgressState`]
//!   (one per channel), reporting [`ProgressEvent`]s with start and end times.
//! - [`generate`]: [`ProgressToneGenerator`], driven by the same table.

mod cadence;
pub mod detect;
pub mod generate;
pub mod plan;

pub use detect::{ProgressDetector, ProgressEvent, ProgressState};
pub use generate::ProgressToneGenerator;
pub use plan::{CHINA, Cadence, ETSI, PlanError, Segment, TonePlan, ToneSpec, plan_by_name};
