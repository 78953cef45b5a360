//! The system file (`tdm run <system.toml>`): which boards, which spans, how each is set up.
//! Errors name the file, the line and the field.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tdm_base::{Cause, Duration};
use tdm_callctl::{IncomingPolicy, IsdnSpanConfig, No1SpanConfig, No1Variant};

pub use crate::config_ss7::{Ss7Point, Ss7Span};
use tdm_driver::dahdi::DahdiDevice;
use tdm_driver::framer::{Crc4Mode, FramerConfig};
use tdm_driver::{BoardPaths, ClockSource, Signaling, SpanConfig};
use tdm_isdn::Side;
use toml::Spanned;

#[derive(Debug)]
pub struct ConfigError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystem {
    #[serde(default)]
    control: RawControl,
    simulator: Option<RawSimulator>,
    #[serde(default)]
    board: Vec<RawBoard>,
    ss7: Option<Spanned<crate::config_ss7::RawSs7>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawControl {
    socket: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulator {
    bench: Spanned<PathBuf>,
    #[serde(default)]
    pacing: Pacing,
    dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pacing {
    #[default]
    Realtime,
    Lockstep,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoard {
    name: Spanned<String>,
    device: Spanned<String>,
    #[serde(default)]
    span: Vec<RawSpan>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpan {
    #[serde(default)]
    crc4: Crc4,
    #[serde(default)]
    signaling: Sig,
    #[serde(default)]
    clock: Clock,
    cas_debounce_ms: Option<Spanned<u32>>,
    isdn: Option<Spanned<RawIsdn>>,
    no1: Option<Spanned<RawNo1>>,
    ss7: Option<Spanned<crate::config_ss7::RawSs7Span>>,
}

/// `[board.span.isdn]`: the span runs ISDN PRI.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIsdn {
    side: Spanned<String>,
    incoming: Option<Spanned<String>>,
    ring_ms: Option<Spanned<u64>>,
    tone_dbm0: Option<Spanned<f64>>,
    #[serde(default)]
    timers: std::collections::BTreeMap<String, Spanned<u64>>,
}

/// `[board.span.no1]`: the span runs China No.1 (or ITU R2). Everything but the policy and
/// the test tone maps onto `tdm_no1::CircuitConfig::set`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNo1 {
    variant: Option<Spanned<String>>,
    incoming: Option<Spanned<String>>,
    ring_ms: Option<Spanned<u64>>,
    tone_dbm0: Option<Spanned<f64>>,
    hunt: Option<Spanned<String>>,
    dnis_length: Option<Spanned<i64>>,
    request_ani: Option<Spanned<bool>>,
    ani_max_length: Option<Spanned<i64>>,
    charge: Option<Spanned<bool>>,
    mfc_level_dbm0: Option<Spanned<f64>>,
    /// Line-signal codes: `forward_seize = "0011"`.
    #[serde(default)]
    line: std::collections::BTreeMap<String, Spanned<toml::Value>>,
    /// Register-signal meanings: `b_busy = 3`, `end_of_dnis = "none"`.
    #[serde(default)]
    mfc: std::collections::BTreeMap<String, Spanned<toml::Value>>,
    /// Timers in milliseconds: `end_of_number = 3000`.
    #[serde(default)]
    timers: std::collections::BTreeMap<String, Spanned<u64>>,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Crc4 {
    #[default]
    Auto,
    On,
    Off,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Sig {
    #[default]
    Ccs,
    Cas,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Clock {
    #[default]
    Internal,
    Line,
}

/// Where a board is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Device {
    /// A board of the simulator's bench, by name.
    Sim(String),
    /// A board speaking the board ABI at these paths.
    Abi(BoardPaths),
    /// Consecutive spans of a card driven by DAHDI's kernel drivers (`docs/dahdi.md`).
    Dahdi(DahdiDevice),
}

/// A span that runs ISDN PRI, and what it does with calls nobody takes.
#[derive(Debug, Clone, PartialEq)]
pub struct IsdnSpan {
    /// Span number on its board.
    pub span: u32,
    pub config: IsdnSpanConfig,
    pub incoming: IncomingPolicy,
    pub tone_dbm0: f32,
}

/// A span that runs No.1, and what it does with calls nobody takes.
#[derive(Debug, Clone, PartialEq)]
pub struct No1Span {
    /// Span number on its board.
    pub span: u32,
    pub config: No1SpanConfig,
    pub incoming: IncomingPolicy,
    pub tone_dbm0: f32,
}

/// Ringing time before an `answer` span answers, unless configured.
pub const DEFAULT_RING_MS: u64 = 0;
/// What an ISDN span does with incoming calls unless configured: refuse them (cause 21).
pub const DEFAULT_INCOMING: IncomingPolicy = IncomingPolicy::Reject(Cause::CallRejected);

#[derive(Debug, Clone)]
pub struct BoardConfig {
    pub name: String,
    pub device: Device,
    pub spans: Vec<SpanConfig>,
    /// The spans of `spans` that run ISDN.
    pub isdn: Vec<IsdnSpan>,
    /// The spans of `spans` that run No.1.
    pub no1: Vec<No1Span>,
    /// The spans of `spans` whose circuits run ISUP or TUP.
    pub ss7: Vec<Ss7Span>,
}

#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    pub bench: PathBuf,
    pub pacing: Pacing,
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct SystemConfig {
    pub socket: PathBuf,
    pub simulator: Option<SimulatorConfig>,
    pub boards: Vec<BoardConfig>,
    /// The signalling points (`[ss7]`).
    pub ss7: Vec<Ss7Point>,
}

/// The control socket when the system file does not name one.
pub fn default_socket() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR") {
        Some(dir) => Path::new(&dir).join("tdm.sock"),
        None => std::env::temp_dir().join(format!("tdm-{}.sock", nix::unistd::getuid())),
    }
}

impl SystemConfig {
    pub fn from_file(path: &Path) -> Result<SystemConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: None,
            message: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<SystemConfig, ConfigError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let err = |offset: Option<usize>, message: String| ConfigError {
            file: path.to_path_buf(),
            line: offset.map(line_of),
            message,
        };
        let raw: RawSystem =
            toml::from_str(text).map_err(|e| err(e.span().map(|s| s.start), e.message().to_string()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let shapes: Vec<crate::config_ss7::BoardShape> = raw
            .board
            .iter()
            .map(|b| crate::config_ss7::BoardShape {
                name: b.name.get_ref(),
                ccs: b.span.iter().map(|s| matches!(s.signaling, Sig::Ccs)).collect(),
            })
            .collect();
        let points = match &raw.ss7 {
            None => Vec::new(),
            Some(ss7) => crate::config_ss7::parse_points(ss7, &shapes).map_err(|(at, m)| err(Some(at), m))?,
        };
        let mut boards = Vec::new();
        for (i, b) in raw.board.iter().enumerate() {
            let name = b.name.get_ref().clone();
            if name.is_empty() || name.contains(':') || name.contains(char::is_whitespace) {
                return Err(err(
                    Some(b.name.span().start),
                    format!("board[{i}].name: {name:?} must be non-empty, without ':' or spaces"),
                ));
            }
            if boards.iter().any(|x: &BoardConfig| x.name == name) {
                return Err(err(
                    Some(b.name.span().start),
                    format!("board[{i}].name: {name:?} is used twice"),
                ));
            }
            let device = parse_device(b.device.get_ref())
                .map_err(|m| err(Some(b.device.span().start), format!("board[{i}].device: {m}")))?;
            if matches!(device, Device::Sim(_)) && raw.simulator.is_none() {
                return Err(err(
                    Some(b.device.span().start),
                    format!("board[{i}].device: a sim: board needs a [simulator] section"),
                ));
            }
            if b.span.is_empty() {
                return Err(err(
                    Some(b.name.span().start),
                    format!("board[{i}]: no [[board.span]] configured"),
                ));
            }
            let mut spans = Vec::new();
            let mut isdn = Vec::new();
            let mut no1 = Vec::new();
            let mut ss7 = Vec::new();
            for (k, s) in b.span.iter().enumerate() {
                let debounce = match &s.cas_debounce_ms {
                    None => 4,
                    Some(ms) => {
                        let v = *ms.get_ref();
                        if !(2..=100).contains(&v) || v % 2 != 0 {
                            return Err(err(
                                Some(ms.span().start),
                                format!(
                                    "board[{i}].span[{k}].cas_debounce_ms: {v} is not an even number of ms \
                                     from 2 to 100 (a CAS multiframe is 2 ms)"
                                ),
                            ));
                        }
                        v
                    }
                };
                spans.push(SpanConfig {
                    framer: FramerConfig {
                        crc4: match s.crc4 {
                            Crc4::Auto => Crc4Mode::Auto,
                            Crc4::On => Crc4Mode::On,
                            Crc4::Off => Crc4Mode::Off,
                        },
                        ..FramerConfig::default()
                    },
                    signaling: match s.signaling {
                        Sig::Ccs => Signaling::Ccs,
                        Sig::Cas => Signaling::Cas,
                    },
                    clock: match s.clock {
                        Clock::Internal => ClockSource::Internal,
                        Clock::Line => ClockSource::Line,
                    },
                    cas_debounce_multiframes: (debounce / 2) as u8,
                });
                let stacks = [
                    s.isdn.as_ref().map(|r| r.span().start),
                    s.no1.as_ref().map(|r| r.span().start),
                    s.ss7.as_ref().map(|r| r.span().start),
                ];
                if let Some(second) = stacks.iter().flatten().nth(1) {
                    return Err(err(
                        Some(*second),
                        format!(
                            "board[{i}].span[{k}]: a span runs one stack, [board.span.isdn], [board.span.no1] \
                             or [board.span.ss7]"
                        ),
                    ));
                }
                if let Some(raw) = &s.ss7 {
                    let field = format!("board[{i}].span[{k}].ss7");
                    if matches!(s.signaling, Sig::Cas) {
                        return Err(err(
                            Some(raw.span().start),
                            format!("{field}: SS7 circuits need signaling = \"ccs\" (no CAS on TS16)"),
                        ));
                    }
                    let config = crate::config_ss7::parse_span(raw, k as u32, &points, &field)
                        .map_err(|(at, m)| err(Some(at), m))?;
                    let r = raw.get_ref();
                    let (incoming, tone_dbm0) = parse_policy(&r.incoming, &r.ring_ms, &r.tone_dbm0, &field)
                        .map_err(|(at, m)| err(Some(at), m))?;
                    let continuity_check = r.continuity_check;
                    ss7.push(Ss7Span { span: k as u32, config, incoming, tone_dbm0, continuity_check });
                }
                if let Some(raw) = &s.isdn {
                    let field = format!("board[{i}].span[{k}].isdn");
                    if matches!(s.signaling, Sig::Cas) {
                        return Err(err(
                            Some(raw.span().start),
                            format!("{field}: ISDN needs signaling = \"ccs\" (TS16 is its D-channel)"),
                        ));
                    }
                    let span =
                        parse_isdn(raw.get_ref(), k as u32, &field).map_err(|(at, m)| err(Some(at), m))?;
                    isdn.push(span);
                }
                if let Some(raw) = &s.no1 {
                    let field = format!("board[{i}].span[{k}].no1");
                    if matches!(s.signaling, Sig::Ccs) {
                        return Err(err(
                            Some(raw.span().start),
                            format!(
                                "{field}: No.1 needs signaling = \"cas\" (its line signals are the ABCD bits on TS16)"
                            ),
                        ));
                    }
                    let span = parse_no1(raw.get_ref(), raw.span().start, k as u32, &field)
                        .map_err(|(at, m)| err(Some(at), m))?;
                    no1.push(span);
                }
            }
            boards.push(BoardConfig { name, device, spans, isdn, no1, ss7 });
        }
        if boards.is_empty() {
            return Err(err(None, "no [[board]] configured".into()));
        }
        let simulator = raw.simulator.map(|s| SimulatorConfig {
            bench: base.join(s.bench.get_ref()),
            pacing: s.pacing,
            dir: s.dir,
        });
        Ok(SystemConfig {
            socket: raw.control.socket.unwrap_or_else(default_socket),
            simulator,
            boards,
            ss7: points,
        })
    }
}

/// `[board.span.isdn]` checked; errors carry the offset of the field at fault.
fn parse_isdn(raw: &RawIsdn, span: u32, field: &str) -> Result<IsdnSpan, (usize, String)> {
    let side = match raw.side.get_ref().as_str() {
        "network" => Side::Network,
        "user" => Side::User,
        other => {
            return Err((
                raw.side.span().start,
                format!("{field}.side: {other:?} is not a side: use \"network\" or \"user\""),
            ));
        }
    };
    let (incoming, tone_dbm0) = parse_policy(&raw.incoming, &raw.ring_ms, &raw.tone_dbm0, field)?;
    let mut config = IsdnSpanConfig::new(side);
    for (name, value) in &raw.timers {
        config.timers.push((name.clone(), Duration::from_millis(*value.get_ref())));
        if let Err(m) = config.interface_config() {
            return Err((value.span().start, format!("{field}.timers.{name}: {m} (values in ms)")));
        }
    }
    Ok(IsdnSpan { span, config, incoming, tone_dbm0 })
}

/// What a span does with incoming calls and the level of its test tone, from `incoming`,
/// `ring_ms` and `tone_dbm0`; errors carry the offset of the field at fault.
fn parse_policy(
    incoming: &Option<Spanned<String>>,
    ring_ms: &Option<Spanned<u64>>,
    tone_dbm0: &Option<Spanned<f64>>,
    field: &str,
) -> Result<(IncomingPolicy, f32), (usize, String)> {
    let policy = match incoming {
        None => DEFAULT_INCOMING,
        Some(text) => {
            let ring_ms = ring_ms.as_ref().map_or(DEFAULT_RING_MS, |r| *r.get_ref());
            parse_incoming(text.get_ref(), ring_ms)
                .map_err(|m| (text.span().start, format!("{field}.incoming: {m}")))?
        }
    };
    if let Some(ring) = ring_ms {
        if *ring.get_ref() > 600_000 {
            return Err((
                ring.span().start,
                format!("{field}.ring_ms: {} is more than 600000 (10 minutes)", ring.get_ref()),
            ));
        }
        if !matches!(policy, IncomingPolicy::Answer { .. }) {
            return Err((ring.span().start, format!("{field}.ring_ms: only an \"answer\" span rings")));
        }
    }
    let tone_dbm0 = match tone_dbm0 {
        None => tdm_callctl::audio::DEFAULT_TONE_DBM0,
        Some(level) => {
            let v = *level.get_ref();
            if !(-60.0..=0.0).contains(&v) {
                return Err((level.span().start, format!("{field}.tone_dbm0: {v} is outside -60 to 0 dBm0")));
            }
            v as f32
        }
    };
    Ok((policy, tone_dbm0))
}

/// `[board.span.no1]` checked: the variant, then each setting and override through
/// `CircuitConfig::set`, then the whole for consistency; errors carry the offset of the field
/// at fault (`table` is the offset of the table itself).
fn parse_no1(raw: &RawNo1, table: usize, span: u32, field: &str) -> Result<No1Span, (usize, String)> {
    let variant = match &raw.variant {
        None => No1Variant::China,
        Some(name) => No1Variant::parse(name.get_ref()).ok_or_else(|| {
            (
                name.span().start,
                format!("{field}.variant: {:?} is not a variant: use \"china\" or \"itu\"", name.get_ref()),
            )
        })?,
    };
    let (incoming, tone_dbm0) = parse_policy(&raw.incoming, &raw.ring_ms, &raw.tone_dbm0, field)?;
    let mut config = No1SpanConfig::new(variant);
    if let Some(hunt) = &raw.hunt {
        config.hunt = match hunt.get_ref().as_str() {
            "ascending" => tdm_callctl::no1::Hunt::Ascending,
            "descending" => tdm_callctl::no1::Hunt::Descending,
            other => {
                return Err((
                    hunt.span().start,
                    format!(
                        "{field}.hunt: {other:?}: use \"ascending\" (from TS1) or \"descending\" (from TS31)"
                    ),
                ));
            }
        };
    }
    if let Some(length) = &raw.dnis_length {
        let value = *length.get_ref();
        if !(1..=32).contains(&value) {
            return Err((length.span().start, format!("{field}.dnis_length: {value} is not 1 to 32 digits")));
        }
    }
    if let Some(length) = &raw.ani_max_length {
        let value = *length.get_ref();
        if !(1..=32).contains(&value) {
            return Err((
                length.span().start,
                format!("{field}.ani_max_length: {value} is not 1 to 32 digits"),
            ));
        }
    }
    let mut settings: Vec<(String, String, usize)> = Vec::new();
    let mut setting = |key: &str, value: String, at: usize| settings.push((key.to_string(), value, at));
    if let Some(v) = &raw.dnis_length {
        setting("dnis_length", v.get_ref().to_string(), v.span().start);
    }
    if let Some(v) = &raw.request_ani {
        setting("request_ani", v.get_ref().to_string(), v.span().start);
    }
    if let Some(v) = &raw.ani_max_length {
        setting("ani_max_length", v.get_ref().to_string(), v.span().start);
    }
    if let Some(v) = &raw.charge {
        setting("charge", v.get_ref().to_string(), v.span().start);
    }
    if let Some(v) = &raw.mfc_level_dbm0 {
        setting("tone_level_dbm0", v.get_ref().to_string(), v.span().start);
    }
    for (group, values) in [("line", &raw.line), ("mfc", &raw.mfc)] {
        for (name, value) in values {
            let text = match value.get_ref() {
                toml::Value::String(text) => text.clone(),
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    return Err((
                        value.span().start,
                        format!(
                            "{field}.{group}.{name}: give a number or a string such as \"0011\" or \"none\""
                        ),
                    ));
                }
            };
            setting(&format!("{group}.{name}"), text, value.span().start);
        }
    }
    for (name, value) in &raw.timers {
        setting(&format!("timer.{name}"), value.get_ref().to_string(), value.span().start);
    }
    for (key, value, at) in settings {
        let shown = key.replacen("timer.", "timers.", 1);
        config.set(&key, &value).map_err(|m| (at, format!("{field}.{shown}: {m}")))?;
    }
    config.validate().map_err(|m| (table, format!("{field}: {m}")))?;
    Ok(No1Span { span, config, incoming, tone_dbm0 })
}

/// `answer`, `reject` (cause 21) or `reject:<cause>`.
fn parse_incoming(text: &str, ring_ms: u64) -> Result<IncomingPolicy, String> {
    match text.split_once(':') {
        None if text == "answer" => Ok(IncomingPolicy::Answer { ring_ms }),
        None if text == "reject" => Ok(IncomingPolicy::Reject(Cause::CallRejected)),
        Some(("reject", cause)) => match cause.parse::<u8>() {
            Ok(value @ 1..=127) => Ok(IncomingPolicy::Reject(Cause::from_u8(value))),
            _ => Err(format!("{cause:?} is not a Q.850 cause (1 to 127)")),
        },
        _ => Err(format!("{text:?}: use \"answer\", \"reject\" or \"reject:<cause>\"")),
    }
}

fn parse_device(text: &str) -> Result<Device, String> {
    if let Some(name) = text.strip_prefix("sim:") {
        if name.is_empty() {
            return Err("\"sim:\" needs the bench board's name, e.g. \"sim:a\"".into());
        }
        return Ok(Device::Sim(name.to_string()));
    }
    if let Some(rest) = text.strip_prefix("abi:") {
        let (memory, interrupt) = match rest.split_once(',') {
            Some((m, i)) => (m, i),
            None => (rest, rest),
        };
        if memory.is_empty() || interrupt.is_empty() {
            return Err("\"abi:\" needs a path: \"abi:/dev/uio0\" or \"abi:<memory>,<interrupt>\"".into());
        }
        return Ok(Device::Abi(BoardPaths { memory: memory.into(), interrupt: interrupt.into() }));
    }
    if text.starts_with("dahdi:") {
        return DahdiDevice::parse(text).map(Device::Dahdi);
    }
    Err(format!("{text:?} is not a device: use \"sim:<board>\", \"abi:<path>\" or \"dahdi:<span>\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SystemConfig, String> {
        SystemConfig::parse(text, Path::new("sys.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn a_full_file_parses() {
        let c = parse(
            r#"
[control]
socket = "/tmp/x.sock"
[simulator]
bench = "bench.toml"
pacing = "lockstep"
[[board]]
name = "a"
device = "sim:a"
[[board.span]]
crc4 = "on"
signaling = "cas"
cas_debounce_ms = 10
[[board]]
name = "card"
device = "abi:/dev/uio0"
[[board.span]]
"#,
        )
        .unwrap();
        assert_eq!(c.socket, PathBuf::from("/tmp/x.sock"));
        assert_eq!(c.simulator.as_ref().unwrap().pacing, Pacing::Lockstep);
        assert_eq!(c.boards[0].spans[0].framer.crc4, Crc4Mode::On);
        assert_eq!(c.boards[0].spans[0].signaling, Signaling::Cas);
        assert_eq!(c.boards[0].spans[0].cas_debounce_multiframes, 5);
        assert_eq!(
            c.boards[1].device,
            Device::Abi(BoardPaths { memory: "/dev/uio0".into(), interrupt: "/dev/uio0".into() })
        );
    }

    #[test]
    fn isdn_spans_parse_with_their_policy_tone_and_timers() {
        let c = parse(
            r#"
[[board]]
name = "a"
device = "abi:/x"
[[board.span]]
[board.span.isdn]
side = "network"
incoming = "answer"
ring_ms = 2000
tone_dbm0 = -13.0
[board.span.isdn.timers]
T309 = 6000
t200 = 500
[[board.span]]
crc4 = "off"
[[board.span]]
[board.span.isdn]
side = "user"
incoming = "reject:17"
"#,
        )
        .unwrap();
        let isdn = &c.boards[0].isdn;
        assert_eq!(isdn.len(), 2);
        assert_eq!((isdn[0].span, isdn[0].config.side), (0, Side::Network));
        assert_eq!(isdn[0].incoming, IncomingPolicy::Answer { ring_ms: 2000 });
        assert_eq!(isdn[0].tone_dbm0, -13.0);
        assert_eq!(
            isdn[0].config.timers,
            vec![
                ("T309".to_string(), Duration::from_secs(6)),
                ("t200".to_string(), Duration::from_millis(500))
            ]
        );
        assert_eq!((isdn[1].span, isdn[1].config.side), (2, Side::User));
        assert_eq!(isdn[1].incoming, IncomingPolicy::Reject(Cause::UserBusy));
        assert_eq!(isdn[1].tone_dbm0, -10.0);
        let plain = parse("[[board]]\nname = \"a\"\ndevice = \"abi:/x\"\n[[board.span]]\n[board.span.isdn]\nside = \"user\"\n")
            .unwrap();
        assert_eq!(plain.boards[0].isdn[0].incoming, IncomingPolicy::Reject(Cause::CallRejected));
    }

    #[test]
    fn bad_isdn_settings_name_file_line_and_field() {
        let head = "[[board]]\nname = \"a\"\ndevice = \"abi:/x\"\n[[board.span]]\n";
        let cases = [
            (
                "[board.span.isdn]\nside = \"exchange\"\n",
                "sys.toml:6: board[0].span[0].isdn.side: \"exchange\" is not a side: use \"network\" or \"user\"",
            ),
            (
                "[board.span.isdn]\nside = \"user\"\nincoming = \"reject:300\"\n",
                "sys.toml:7: board[0].span[0].isdn.incoming: \"300\" is not a Q.850 cause (1 to 127)",
            ),
            (
                "[board.span.isdn]\nside = \"user\"\nincoming = \"ring\"\n",
                "sys.toml:7: board[0].span[0].isdn.incoming: \"ring\": use \"answer\", \"reject\" or \"reject:<cause>\"",
            ),
            (
                "[board.span.isdn]\nside = \"user\"\nring_ms = 10\n",
                "sys.toml:7: board[0].span[0].isdn.ring_ms: only an \"answer\" span rings",
            ),
            (
                "[board.span.isdn]\nside = \"user\"\ntone_dbm0 = 3.0\n",
                "sys.toml:7: board[0].span[0].isdn.tone_dbm0: 3 is outside -60 to 0 dBm0",
            ),
            (
                "[board.span.isdn]\nside = \"user\"\n[board.span.isdn.timers]\nT309 = 1000\n",
                "sys.toml:8: board[0].span[0].isdn.timers.T309: T309 = 1s is outside 6s ..= 300s (values in ms)",
            ),
            (
                "[board.span.isdn]\nside = \"user\"\n[board.span.isdn.timers]\nT999 = 1000\n",
                "sys.toml:8: board[0].span[0].isdn.timers.T999: no timer is named \"T999\" (values in ms)",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(&format!("{head}{text}")).unwrap_err(), expected);
        }
        let cas = format!("{head}signaling = \"cas\"\n[board.span.isdn]\nside = \"user\"\n");
        assert_eq!(
            parse(&cas).unwrap_err(),
            "sys.toml:6: board[0].span[0].isdn: ISDN needs signaling = \"ccs\" (TS16 is its D-channel)"
        );
        let unknown = format!("{head}[board.span.isdn]\nside = \"user\"\nspeed = 1\n");
        let e = parse(&unknown).unwrap_err();
        assert!(e.starts_with("sys.toml:7: ") && e.contains("speed"), "{e}");
        let missing = format!("{head}[board.span.isdn]\nincoming = \"answer\"\n");
        let e = parse(&missing).unwrap_err();
        assert_eq!(e, "sys.toml:5: missing field `side`");
    }

    #[test]
    fn no1_spans_parse_with_variant_policy_and_operator_overrides() {
        let c = parse(
            r#"
[[board]]
name = "a"
device = "abi:/x"
[[board.span]]
signaling = "cas"
[board.span.no1]
variant = "china"
incoming = "answer"
ring_ms = 1500
tone_dbm0 = -13.0
hunt = "descending"
dnis_length = 8
request_ani = false
ani_max_length = 12
charge = false
mfc_level_dbm0 = -8.0
line.backward_answer = "0x5"
line.compare_mask = 0b1111
[board.span.no1.mfc]
b_busy = 3
b_busy_toll = "none"
[board.span.no1.timers]
end_of_number = 3000
[[board.span]]
signaling = "cas"
[board.span.no1]
variant = "itu"
"#,
        )
        .unwrap();
        let no1 = &c.boards[0].no1;
        assert_eq!(no1.len(), 2);
        let first = &no1[0];
        assert_eq!((first.span, first.config.variant), (0, No1Variant::China));
        assert_eq!(first.incoming, IncomingPolicy::Answer { ring_ms: 1500 });
        assert_eq!(first.tone_dbm0, -13.0);
        assert_eq!(first.config.hunt, tdm_callctl::no1::Hunt::Descending);
        let circuit = &first.config.circuit;
        assert_eq!(
            (circuit.dnis_length, circuit.request_ani, circuit.ani_max_length, circuit.charge),
            (Some(8), false, 12, false)
        );
        assert_eq!(circuit.tone_level_dbm0, -8.0);
        assert_eq!(
            (circuit.line.backward_answer, circuit.line.compare_mask, circuit.line.forward_seize),
            (0x5, 0xF, 0x3)
        );
        assert_eq!((circuit.mfc.b_busy, circuit.mfc.b_busy_toll), (3, None));
        assert_eq!(circuit.timers.get(tdm_no1_timer("end_of_number")), Duration::from_millis(3000));
        let second = &no1[1];
        assert_eq!(
            (second.span, second.config.variant, second.incoming),
            (1, No1Variant::Itu, DEFAULT_INCOMING)
        );
        assert_eq!((second.config.circuit.line.forward_idle, second.config.circuit.mfc.name), (0x9, "itu"));
        assert_eq!(second.config.hunt, tdm_callctl::no1::Hunt::Ascending);
        assert!(c.boards[0].isdn.is_empty());
    }

    /// The timer of that name, from the standard table.
    fn tdm_no1_timer(name: &str) -> tdm_callctl::no1::No1Timer {
        tdm_callctl::no1::NO1_TIMERS.iter().find(|d| d.name == name).map(|d| d.timer).unwrap()
    }

    #[test]
    fn bad_no1_settings_name_file_line_and_field() {
        let head = "[[board]]\nname = \"a\"\ndevice = \"abi:/x\"\n[[board.span]]\nsignaling = \"cas\"\n[board.span.no1]\n";
        let cases = [
            (
                "variant = \"mexico\"\n",
                "sys.toml:7: board[0].span[0].no1.variant: \"mexico\" is not a variant: use \"china\" or \"itu\"",
            ),
            (
                "hunt = \"up\"\n",
                "sys.toml:7: board[0].span[0].no1.hunt: \"up\": use \"ascending\" (from TS1) or \"descending\" (from TS31)",
            ),
            ("dnis_length = 33\n", "sys.toml:7: board[0].span[0].no1.dnis_length: 33 is not 1 to 32 digits"),
            (
                "ani_max_length = 0\n",
                "sys.toml:7: board[0].span[0].no1.ani_max_length: 0 is not 1 to 32 digits",
            ),
            (
                "incoming = \"reject:0\"\n",
                "sys.toml:7: board[0].span[0].no1.incoming: \"0\" is not a Q.850 cause (1 to 127)",
            ),
            (
                "mfc_level_dbm0 = 3.0\n",
                "sys.toml:7: board[0].span[0].no1.tone_level_dbm0: tone_level_dbm0 = \"3\" does not parse",
            ),
            (
                "line.forward_seize = \"0x10\"\n",
                "sys.toml:7: board[0].span[0].no1.line.forward_seize: line.forward_seize = \"0x10\" does not parse",
            ),
            (
                "line.colour = 1\n",
                "sys.toml:7: board[0].span[0].no1.line.colour: unknown No.1 setting \"line.colour\"",
            ),
            (
                "line.forward_seize = 1.5\n",
                "sys.toml:7: board[0].span[0].no1.line.forward_seize: give a number or a string such as \"0011\" or \"none\"",
            ),
            (
                "[board.span.no1.mfc]\nb_busy = 0\n",
                "sys.toml:8: board[0].span[0].no1.mfc.b_busy: value = 0 is not a signal 1..=15",
            ),
            (
                "[board.span.no1.timers]\npulse = 99\n",
                "sys.toml:8: board[0].span[0].no1.timers.pulse: pulse = 99ms is outside 100ms ..= 200ms",
            ),
            (
                "line.backward_answer = \"1011\"\n",
                "sys.toml:6: board[0].span[0].no1: line codes backward_idle and backward_answer cannot be told apart",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(&format!("{head}{text}")).unwrap_err(), expected, "{text}");
        }
        let ccs = "[[board]]\nname = \"a\"\ndevice = \"abi:/x\"\n[[board.span]]\n[board.span.no1]\n";
        assert_eq!(
            parse(ccs).unwrap_err(),
            "sys.toml:5: board[0].span[0].no1: No.1 needs signaling = \"cas\" (its line signals are the ABCD bits on TS16)"
        );
        let both = format!("{head}[board.span.isdn]\nside = \"user\"\n");
        assert_eq!(
            parse(&both).unwrap_err(),
            "sys.toml:6: board[0].span[0]: a span runs one stack, [board.span.isdn], [board.span.no1] or [board.span.ss7]"
        );
        let unknown = parse(&format!("{head}speed = 1\n")).unwrap_err();
        assert!(unknown.starts_with("sys.toml:7: ") && unknown.contains("speed"), "{unknown}");
    }

    #[test]
    fn dahdi_devices_parse_and_need_no_simulator() {
        let c =
            parse("[[board]]\nname = \"card\"\ndevice = \"dahdi:2,configure\"\n[[board.span]]\n").unwrap();
        let Device::Dahdi(device) = c.boards[0].device else {
            panic!("not a DAHDI device: {:?}", c.boards[0].device)
        };
        assert_eq!((device.first_span, device.configure), (2, true));
        assert!(
            parse("[[board]]\nname = \"card\"\ndevice = \"dahdi:x\"\n[[board.span]]\n")
                .unwrap_err()
                .starts_with("sys.toml:3: board[0].device: ")
        );
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let bad_enum = "[[board]]\nname = \"a\"\ndevice = \"abi:/x\"\n[[board.span]]\ncrc4 = \"maybe\"\n";
        let e = parse(bad_enum).unwrap_err();
        assert!(e.starts_with("sys.toml:5: "), "{e}");
        assert!(e.contains("maybe"), "{e}");

        let bad_device = "[[board]]\nname = \"a\"\ndevice = \"pci:3\"\n[[board.span]]\n";
        assert_eq!(
            parse(bad_device).unwrap_err(),
            "sys.toml:3: board[0].device: \"pci:3\" is not a device: use \"sim:<board>\", \"abi:<path>\" or \"dahdi:<span>\""
        );

        let unknown = "[[board]]\nname = \"a\"\ndevice = \"abi:/x\"\nspeed = 3\n";
        let e = parse(unknown).unwrap_err();
        assert!(e.starts_with("sys.toml:4: ") && e.contains("speed"), "{e}");

        let odd = "[[board]]\nname = \"a\"\ndevice = \"abi:/x\"\n[[board.span]]\ncas_debounce_ms = 3\n";
        assert!(parse(odd).unwrap_err().starts_with("sys.toml:5: board[0].span[0].cas_debounce_ms: 3"));

        let sim_without_simulator = "[[board]]\nname = \"a\"\ndevice = \"sim:a\"\n[[board.span]]\n";
        assert!(parse(sim_without_simulator).unwrap_err().contains("needs a [simulator] section"));
        assert_eq!(parse("").unwrap_err(), "sys.toml: no [[board]] configured");
    }
}
