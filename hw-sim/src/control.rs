//! Runtime fault injection: a handle any thread can hold, whose commands the simulator
//! applies at the start of its next block.

use std::sync::Arc;
use std::sync::mpsc;

use crate::bench::{Direction, MAX_ERROR_RATE};
use crate::error::SimError;

/// One command for one cable (by its position in the bench).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Command {
    pub cable: usize,
    pub action: Action,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Action {
    Cut { duration_ms: u64 },
    Ais(bool),
    Ber(f64),
    LcvRate(f64),
    Inject { direction: Direction, count: u32 },
}

/// A handle on a simulator's cables, for injecting faults while it runs (from the test,
/// the CLI, another thread). Every method checks the cable name at once and returns an
/// error for an unknown one; the change itself takes effect at the next block.
#[derive(Debug, Clone)]
pub struct SimControl {
    cables: Arc<[String]>,
    sender: mpsc::Sender<Command>,
}

impl SimControl {
    pub(crate) fn new(cables: Arc<[String]>, sender: mpsc::Sender<Command>) -> Self {
        SimControl { cables, sender }
    }

    /// The names of the bench's cables.
    pub fn cables(&self) -> &[String] {
        &self.cables
    }

    fn send(&self, cable: &str, action: Action) -> Result<(), SimError> {
        let index = self
            .cables
            .iter()
            .position(|c| c == cable)
            .ok_or_else(|| SimError::UnknownCable { name: cable.to_string() })?;
        self.sender.send(Command { cable: index, action }).map_err(|_| SimError::Gone)
    }

    /// Cuts both directions for the next `duration_ms` blocks (LOS at both ends). A cut
    /// already under way is extended, never shortened; 0 changes nothing.
    pub fn cut(&self, cable: &str, duration_ms: u64) -> Result<(), SimError> {
        self.send(cable, Action::Cut { duration_ms })
    }

    /// Sends AIS (all ones) in both directions from the next block on, until turned off.
    pub fn set_ais(&self, cable: &str, on: bool) -> Result<(), SimError> {
        self.send(cable, Action::Ais(on))
    }

    /// Replaces the cable's random bit error rate, both directions.
    pub fn set_ber(&self, cable: &str, ber: f64) -> Result<(), SimError> {
        check_rate("ber", ber)?;
        self.send(cable, Action::Ber(ber))
    }

    /// Replaces the cable's line code violation rate, both directions.
    pub fn set_lcv_rate(&self, cable: &str, rate: f64) -> Result<(), SimError> {
        check_rate("lcv_rate", rate)?;
        self.send(cable, Action::LcvRate(rate))
    }

    /// Inverts exactly `count` bits in each chosen direction, 33 bits apart (so each lands
    /// in another timeslot), starting with the first bit of the next block.
    pub fn inject_bit_errors(&self, cable: &str, direction: Direction, count: u32) -> Result<(), SimError> {
        self.send(cable, Action::Inject { direction, count })
    }
}

fn check_rate(what: &'static str, value: f64) -> Result<(), SimError> {
    if (0.0..=MAX_ERROR_RATE).contains(&value) {
        Ok(())
    } else {
        Err(SimError::OutOfRange { what, value, min: 0.0, max: MAX_ERROR_RATE })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_checked_then_queued_in_order() {
        let (tx, rx) = mpsc::channel();
        let control = SimControl::new(Arc::from(vec!["x".to_string(), "trunk".to_string()]), tx);
        control.cut("trunk", 5).unwrap();
        control.set_ber("x", 0.5).unwrap();
        control.inject_bit_errors("trunk", Direction::BToA, 3).unwrap();
        assert_eq!(control.cut("nope", 1).unwrap_err().to_string(), "no cable named \"nope\" on this bench");
        assert_eq!(
            control.set_ber("x", 0.51).unwrap_err().to_string(),
            "ber 0.51 is out of range: expected 0 to 0.5"
        );
        assert!(control.set_lcv_rate("x", f64::NAN).is_err());
        assert!(control.set_ber("x", -0.0).is_ok());
        let got: Vec<Command> = rx.try_iter().collect();
        assert_eq!(
            got,
            vec![
                Command { cable: 1, action: Action::Cut { duration_ms: 5 } },
                Command { cable: 0, action: Action::Ber(0.5) },
                Command { cable: 1, action: Action::Inject { direction: Direction::BToA, count: 3 } },
                Command { cable: 0, action: Action::Ber(-0.0) },
            ]
        );
        drop(rx);
        assert!(matches!(control.set_ais("x", true), Err(SimError::Gone)));
    }
}
