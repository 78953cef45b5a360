//! The system file (`tdm run <system.toml>`): which boards, which spans, how each is set up.
//! Errors name the file, the line and the field.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tdm_base::{Cause, Duration};
use tdm_callctl::{IncomingPolicy, IsdnSpanConfig};
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
            }
            boards.push(BoardConfig { name, device, spans, isdn });
        }
        if boards.is_empty() {
            return Err(err(None, "no [[board]] configured".into()));
        }
        let simulator = raw.simulator.map(|s| SimulatorConfig {
            bench: base.join(s.bench.get_ref()),
            pacing: s.pacing,
            dir: s.dir,
        });
        Ok(SystemConfig { socket: raw.control.socket.unwrap_or_else(default_socket), simulator, boards })
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
    let incoming = match &raw.incoming {
        None => DEFAULT_INCOMING,
        Some(text) => {
            let ring_ms = raw.ring_ms.as_ref().map_or(DEFAULT_RING_MS, |r| *r.get_ref());
            parse_incoming(text.get_ref(), ring_ms)
                .map_err(|m| (text.span().start, format!("{field}.incoming: {m}")))?
        }
    };
    if let Some(ring) = &raw.ring_ms {
        if *ring.get_ref() > 600_000 {
            return Err((
                ring.span().start,
                format!("{field}.ring_ms: {} is more than 600000 (10 minutes)", ring.get_ref()),
            ));
        }
        if !matches!(incoming, IncomingPolicy::Answer { .. }) {
            return Err((ring.span().start, format!("{field}.ring_ms: only an \"answer\" span rings")));
        }
    }
    let tone_dbm0 = match &raw.tone_dbm0 {
        None => tdm_callctl::audio::DEFAULT_TONE_DBM0,
        Some(level) => {
            let v = *level.get_ref();
            if !(-60.0..=0.0).contains(&v) {
                return Err((level.span().start, format!("{field}.tone_dbm0: {v} is outside -60 to 0 dBm0")));
            }
            v as f32
        }
    };
    let mut config = IsdnSpanConfig::new(side);
    for (name, value) in &raw.timers {
        config.timers.push((name.clone(), Duration::from_millis(*value.get_ref())));
        if let Err(m) = config.interface_config() {
            return Err((value.span().start, format!("{field}.timers.{name}: {m} (values in ms)")));
        }
    }
    Ok(IsdnSpan { span, config, incoming, tone_dbm0 })
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
