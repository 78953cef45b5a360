//! A circuit's configuration: the line codes, the MFC table, the timers, the number lengths
//! and the tone settings, each overridable by name so that an operator's deviations from the
//! standard live in configuration (`line.forward_seize = 0x3`, `mfc.b_busy = 3`,
//! `timer.end_of_number = 3000`, `dnis_length = 8`).

use crate::line::{LineCodes, LineCodesError};
use crate::mfc::{MfcTable, MfcTableError};
use crate::timers::{NO1_TIMER_COUNT, NO1_TIMERS, No1Timer};
use core::fmt;
use core::time::Duration;
use tdm_base::{TdefError, TimerDefs};
use tdm_dsp::r2mf::R2Config;
use tdm_dsp::tonegen::R2_DEFAULT_LEVEL_DBM0;

/// How a circuit signals.
#[derive(Debug, Clone, PartialEq)]
pub struct CircuitConfig {
    /// Line-signal codes.
    pub line: LineCodes,
    /// Meanings of the register signals.
    pub mfc: MfcTable,
    /// Timer durations.
    pub timers: TimerDefs<No1Timer, NO1_TIMER_COUNT>,
    /// Called end: the called number is complete at this many digits (`None`: at the end
    /// signal, or at [`No1Timer::EndOfNumber`]'s silence).
    pub dnis_length: Option<u8>,
    /// Called end: ask for the category and the calling number after the called number.
    pub request_ani: bool,
    /// Called end: stop asking for calling-number digits at this many.
    pub ani_max_length: u8,
    /// Called end: answer group II at once with "free, charge" (or "free, no charge" when
    /// `charge` is false) instead of waiting for [`crate::Circuit::accept`].
    pub auto_accept: bool,
    /// Called end: the free signal [`crate::Circuit::accept`] sends says the call is charged.
    pub charge: bool,
    /// Sending level per frequency, dBm0.
    pub tone_level_dbm0: f32,
    /// Register-signal receiver settings.
    pub receiver: R2Config,
}

impl Default for CircuitConfig {
    fn default() -> Self {
        Self::china()
    }
}

/// Why an override was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigError {
    /// No setting of that name.
    UnknownKey(String),
    /// The value does not parse for that setting.
    BadValue {
        /// The setting.
        key: String,
        /// Its value as given.
        value: String,
    },
    /// The line codes are inconsistent.
    Line(LineCodesError),
    /// The MFC table is inconsistent, or an MFC override was refused.
    Mfc(MfcTableError),
    /// A timer override was refused.
    Timer(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::UnknownKey(key) => write!(f, "unknown No.1 setting {key:?}"),
            ConfigError::BadValue { key, value } => write!(f, "{key} = {value:?} does not parse"),
            ConfigError::Line(e) => write!(f, "{e}"),
            ConfigError::Mfc(e) => write!(f, "{e}"),
            ConfigError::Timer(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for ConfigError {}

fn parse_nibble(value: &str) -> Option<u8> {
    let value = value.trim();
    let parsed = if let Some(hex) = value.strip_prefix("0x") {
        u8::from_str_radix(hex, 16).ok()
    } else if let Some(bits) = value.strip_prefix("0b") {
        u8::from_str_radix(bits, 2).ok()
    } else if value.len() == 4 && value.bytes().all(|b| b == b'0' || b == b'1') {
        u8::from_str_radix(value, 2).ok()
    } else {
        value.parse().ok()
    };
    parsed.filter(|n| *n <= 0xF)
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.trim() {
        "true" | "yes" | "on" | "1" => Some(true),
        "false" | "no" | "off" | "0" => Some(false),
        _ => None,
    }
}

impl CircuitConfig {
    /// China No.1: China line codes and MFC table, number of unknown length, ANI requested.
    pub fn china() -> Self {
        CircuitConfig {
            line: LineCodes::CHINA,
            mfc: MfcTable::CHINA,
            timers: TimerDefs::new(&NO1_TIMERS),
            dnis_length: None,
            request_ani: true,
            ani_max_length: 20,
            auto_accept: false,
            charge: true,
            tone_level_dbm0: R2_DEFAULT_LEVEL_DBM0,
            receiver: R2Config::default(),
        }
    }

    /// ITU R2 (Q.421 line codes, Q.441 meanings).
    pub fn itu() -> Self {
        CircuitConfig { line: LineCodes::ITU, mfc: MfcTable::ITU, ..Self::china() }
    }

    /// Checks the line codes and the MFC table.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.line.validate().map_err(ConfigError::Line)?;
        self.mfc.validate().map_err(ConfigError::Mfc)
    }

    /// Overrides one setting by name:
    /// - `variant` = `china` | `itu` | `brazil` (replaces the MFC table);
    /// - `line.<field>` = a nibble (`0x3`, `0011`, `3`; `none` for `backward_seize_ack`);
    /// - `mfc.<field>` = a signal number or `none` (see [`MfcTable::set`]);
    /// - `timer.<name>` = milliseconds (see [`crate::timers::NO1_TIMERS`]);
    /// - `dnis_length` (a number or `none`), `request_ani`, `ani_max_length`, `auto_accept`,
    ///   `charge`, `tone_level_dbm0`.
    ///
    /// Call [`CircuitConfig::validate`] once every override is in.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let bad = || ConfigError::BadValue { key: key.to_string(), value: value.to_string() };
        if let Some(field) = key.strip_prefix("line.") {
            if field == "backward_seize_ack" && value.trim().eq_ignore_ascii_case("none") {
                self.line.backward_seize_ack = None;
                return Ok(());
            }
            let nibble = parse_nibble(value).ok_or_else(bad)?;
            let slot = match field {
                "forward_idle" => &mut self.line.forward_idle,
                "forward_seize" => &mut self.line.forward_seize,
                "backward_idle" => &mut self.line.backward_idle,
                "backward_answer" => &mut self.line.backward_answer,
                "backward_clear_back" => &mut self.line.backward_clear_back,
                "backward_blocked" => &mut self.line.backward_blocked,
                "compare_mask" => &mut self.line.compare_mask,
                "backward_seize_ack" => {
                    self.line.backward_seize_ack = Some(nibble);
                    return Ok(());
                }
                _ => return Err(ConfigError::UnknownKey(key.to_string())),
            };
            *slot = nibble;
            return Ok(());
        }
        if let Some(field) = key.strip_prefix("mfc.") {
            return match self.mfc.set(field, value) {
                Err(MfcTableError::UnknownField) => Err(ConfigError::UnknownKey(key.to_string())),
                other => other.map_err(ConfigError::Mfc),
            };
        }
        if let Some(name) = key.strip_prefix("timer.") {
            let millis: u64 = value.trim().parse().map_err(|_| bad())?;
            return self.timers.set_by_name(name, Duration::from_millis(millis)).map_err(|e| match e {
                TdefError::UnknownName(_) => ConfigError::UnknownKey(key.to_string()),
                other => ConfigError::Timer(other.to_string()),
            });
        }
        match key {
            "variant" => self.mfc = MfcTable::by_name(value.trim()).ok_or_else(bad)?,
            "dnis_length" => {
                self.dnis_length = if value.trim().eq_ignore_ascii_case("none") {
                    None
                } else {
                    Some(value.trim().parse().ok().filter(|n| (1..=32).contains(n)).ok_or_else(bad)?)
                }
            }
            "request_ani" => self.request_ani = parse_bool(value).ok_or_else(bad)?,
            "ani_max_length" => {
                self.ani_max_length =
                    value.trim().parse().ok().filter(|n| (1..=32).contains(n)).ok_or_else(bad)?
            }
            "auto_accept" => self.auto_accept = parse_bool(value).ok_or_else(bad)?,
            "charge" => self.charge = parse_bool(value).ok_or_else(bad)?,
            "tone_level_dbm0" => {
                self.tone_level_dbm0 =
                    value.trim().parse().ok().filter(|l: &f32| (-40.0..=0.0).contains(l)).ok_or_else(bad)?
            }
            _ => return Err(ConfigError::UnknownKey(key.to_string())),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_china_and_valid() {
        let config = CircuitConfig::default();
        assert_eq!(config.line, LineCodes::CHINA);
        assert_eq!(config.mfc, MfcTable::CHINA);
        assert_eq!(config.validate(), Ok(()));
        assert_eq!(CircuitConfig::itu().validate(), Ok(()));
        assert_eq!(CircuitConfig::itu().line.forward_idle, 0x9);
    }

    #[test]
    fn operator_overrides_reach_every_part() {
        let mut config = CircuitConfig::china();
        config.set("line.forward_seize", "0001").unwrap();
        config.set("line.backward_answer", "0x5").unwrap();
        config.set("line.backward_seize_ack", "none").unwrap();
        config.set("mfc.b_busy", "3").unwrap();
        config.set("mfc.b_busy_toll", "none").unwrap();
        config.set("timer.end_of_number", "3500").unwrap();
        config.set("dnis_length", "8").unwrap();
        config.set("request_ani", "no").unwrap();
        config.set("ani_max_length", "11").unwrap();
        config.set("tone_level_dbm0", "-8").unwrap();
        assert_eq!(config.line.forward_seize, 0x1);
        assert_eq!(config.line.backward_answer, 0x5);
        assert_eq!(config.line.backward_seize_ack, None);
        assert_eq!(config.mfc.b_busy, 3);
        assert_eq!(config.timers.get(No1Timer::EndOfNumber), Duration::from_millis(3500));
        assert_eq!(config.dnis_length, Some(8));
        assert!(!config.request_ani);
        assert_eq!(config.ani_max_length, 11);
        assert_eq!(config.tone_level_dbm0, -8.0);
        assert_eq!(config.validate(), Ok(()));
        config.set("dnis_length", "none").unwrap();
        assert_eq!(config.dnis_length, None);
        config.set("variant", "itu").unwrap();
        assert_eq!(config.mfc, MfcTable::ITU);
    }

    #[test]
    fn bad_overrides_are_refused_with_the_reason() {
        let mut config = CircuitConfig::china();
        assert_eq!(config.set("line.nothing", "1"), Err(ConfigError::UnknownKey("line.nothing".into())));
        assert!(matches!(config.set("line.forward_seize", "0x10"), Err(ConfigError::BadValue { .. })));
        assert_eq!(config.set("mfc.nothing", "1"), Err(ConfigError::UnknownKey("mfc.nothing".into())));
        assert!(matches!(config.set("mfc.b_busy", "0"), Err(ConfigError::Mfc(_))));
        assert!(matches!(config.set("timer.pulse", "99"), Err(ConfigError::Timer(_))));
        assert_eq!(config.set("timer.t303", "99"), Err(ConfigError::UnknownKey("timer.t303".into())));
        assert!(matches!(config.set("dnis_length", "33"), Err(ConfigError::BadValue { .. })));
        assert!(matches!(config.set("dnis_length", "0"), Err(ConfigError::BadValue { .. })));
        assert!(matches!(config.set("variant", "mexico"), Err(ConfigError::BadValue { .. })));
        assert!(matches!(config.set("tone_level_dbm0", "3"), Err(ConfigError::BadValue { .. })));
        assert_eq!(config.set("colour", "red"), Err(ConfigError::UnknownKey("colour".into())));
        config.set("line.backward_answer", "0xF").unwrap();
        assert!(matches!(config.validate(), Err(ConfigError::Line(_))));
    }
}
