//! How a system file names DAHDI spans: `dahdi:<span>[,option...]`.
//!
//! - `dahdi:1` — DAHDI span 1 (and 2, 3 ... when the board lists more spans), as
//!   `dahdi_cfg` configured it from `/etc/dahdi/system.conf`.
//! - `dahdi:1,configure` — tdm configures the span(s) itself from the system file (framing,
//!   CRC-4, line code, timing, channel types), replacing what `dahdi_cfg` set.
//! - `dahdi:1,block=80` — voice channels move 80 octets (10 ms) per read and write instead
//!   of the default 40 (5 ms).

use std::fmt;
use std::str::FromStr;

/// Octets per voice read/write unless the device says otherwise: 5 ms.
pub const DEFAULT_BLOCK: usize = 40;
/// Smallest block DAHDI accepts (`DAHDI_SET_BUFINFO` refuses less than 16).
pub const MIN_BLOCK: usize = 16;
/// Largest block offered: 128 ms of audio is already far more latency than telephony wants.
pub const MAX_BLOCK: usize = 1024;

/// One or more consecutive DAHDI spans driven as one tdm board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DahdiDevice {
    /// The DAHDI span number (from 1) of the board's span 0; span `k` is DAHDI span
    /// `first_span + k`.
    pub first_span: u32,
    /// Configure the spans (`DAHDI_SPANCONFIG`, `DAHDI_CHANCONFIG`, `DAHDI_STARTUP`) rather
    /// than use, and check, what `dahdi_cfg` set.
    pub configure: bool,
    /// Octets per read and write on voice and BERT channels: [`MIN_BLOCK`] to [`MAX_BLOCK`],
    /// a multiple of 8 (DAHDI moves audio 8 frames at a time).
    pub block_size: usize,
}

impl DahdiDevice {
    /// Span `first_span` as `dahdi_cfg` left it, with the default block.
    pub fn span(first_span: u32) -> DahdiDevice {
        DahdiDevice { first_span, configure: false, block_size: DEFAULT_BLOCK }
    }

    /// Parses `dahdi:<span>[,configure][,block=<octets>]`. Errors say what was expected.
    pub fn parse(text: &str) -> Result<DahdiDevice, String> {
        let rest = text.strip_prefix("dahdi:").ok_or_else(|| {
            format!("{text:?} is not a DAHDI device: expected \"dahdi:<span>\", e.g. \"dahdi:1\"")
        })?;
        let mut parts = rest.split(',');
        let span_text = parts.next().unwrap_or("");
        if span_text.is_empty() {
            return Err(format!("{text:?}: \"dahdi:\" needs a span number, e.g. \"dahdi:1\""));
        }
        let first_span: u32 = span_text.parse().map_err(|_| {
            format!("{text:?}: {span_text:?} is not a span number (DAHDI spans count from 1)")
        })?;
        if first_span == 0 {
            return Err(format!("{text:?}: DAHDI spans count from 1"));
        }
        let mut device = DahdiDevice::span(first_span);
        for option in parts {
            if option == "configure" {
                device.configure = true;
            } else if let Some(value) = option.strip_prefix("block=") {
                device.block_size = parse_block(value).map_err(|m| format!("{text:?}: {m}"))?;
            } else {
                return Err(format!(
                    "{text:?}: unknown option {option:?} (options: \"configure\", \"block=<octets>\")"
                ));
            }
        }
        Ok(device)
    }

    /// Milliseconds of audio in one block.
    pub fn block_ms(&self) -> u64 {
        (self.block_size / 8) as u64
    }
}

fn parse_block(value: &str) -> Result<usize, String> {
    let n: usize = value.parse().map_err(|_| format!("block={value:?} is not a number of octets"))?;
    if !(MIN_BLOCK..=MAX_BLOCK).contains(&n) || !n.is_multiple_of(8) {
        return Err(format!("block={n}: a block is {MIN_BLOCK} to {MAX_BLOCK} octets, a multiple of 8"));
    }
    Ok(n)
}

impl FromStr for DahdiDevice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DahdiDevice::parse(s)
    }
}

impl fmt::Display for DahdiDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dahdi:{}", self.first_span)?;
        if self.configure {
            f.write_str(",configure")?;
        }
        if self.block_size != DEFAULT_BLOCK {
            write!(f, ",block={}", self.block_size)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_number_alone_uses_dahdi_cfg_and_the_default_block() {
        assert_eq!(
            DahdiDevice::parse("dahdi:3"),
            Ok(DahdiDevice { first_span: 3, configure: false, block_size: 40 })
        );
        assert_eq!(DahdiDevice::span(3).block_ms(), 5);
    }

    #[test]
    fn options_follow_the_span_in_any_order() {
        let d = DahdiDevice::parse("dahdi:1,block=160,configure").unwrap();
        assert_eq!(d, DahdiDevice { first_span: 1, configure: true, block_size: 160 });
        assert_eq!(d.block_ms(), 20);
        assert_eq!(d.to_string(), "dahdi:1,configure,block=160");
        assert_eq!(
            "dahdi:1,configure".parse::<DahdiDevice>().map(|d| d.to_string()).as_deref(),
            Ok("dahdi:1,configure")
        );
    }

    #[test]
    fn block_limits_are_16_and_1024_in_steps_of_8() {
        assert_eq!(DahdiDevice::parse("dahdi:1,block=16").map(|d| d.block_size), Ok(16));
        assert_eq!(DahdiDevice::parse("dahdi:1,block=1024").map(|d| d.block_size), Ok(1024));
        for bad in ["8", "1032", "20", "x"] {
            assert!(DahdiDevice::parse(&format!("dahdi:1,block={bad}")).is_err(), "block={bad}");
        }
        assert_eq!(
            DahdiDevice::parse("dahdi:1,block=20"),
            Err("\"dahdi:1,block=20\": block=20: a block is 16 to 1024 octets, a multiple of 8".into())
        );
    }

    #[test]
    fn malformed_devices_say_what_was_expected() {
        assert_eq!(
            DahdiDevice::parse("abi:/dev/uio0"),
            Err("\"abi:/dev/uio0\" is not a DAHDI device: expected \"dahdi:<span>\", e.g. \"dahdi:1\"".into())
        );
        assert_eq!(
            DahdiDevice::parse("dahdi:"),
            Err("\"dahdi:\": \"dahdi:\" needs a span number, e.g. \"dahdi:1\"".into())
        );
        assert_eq!(DahdiDevice::parse("dahdi:0"), Err("\"dahdi:0\": DAHDI spans count from 1".into()));
        assert_eq!(
            DahdiDevice::parse("dahdi:one"),
            Err("\"dahdi:one\": \"one\" is not a span number (DAHDI spans count from 1)".into())
        );
        assert_eq!(
            DahdiDevice::parse("dahdi:1,fast"),
            Err("\"dahdi:1,fast\": unknown option \"fast\" (options: \"configure\", \"block=<octets>\")"
                .into())
        );
    }
}
