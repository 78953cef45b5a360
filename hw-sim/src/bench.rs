//! The bench file: which boards exist, and which cables join their spans (see
//! `docs/bench-file.md`). Parsing is two passes: serde reads the TOML into raw structs
//! that keep every value's span, then [`Bench::parse`] checks ranges and references.
//! Either way an error names the file, the line and the field.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use tdm_abi::{MAX_RING_UNITS, MAX_SPANS, MIN_RING_UNITS, NAME_OCTETS};

/// The largest oscillator offset a bench may set, in ppm. G.703 allows ±50 ppm; the
/// margin lets a bench stress a framer well past that while keeping a block at 7 to 9
/// units (the simulator's buffers are sized for that).
pub const MAX_CLOCK_PPM: f64 = 1000.0;
/// The largest per-bit error or line-code-violation probability.
pub const MAX_ERROR_RATE: f64 = 0.5;
/// Bit offsets a cable can impose: less than one 256-bit unit.
pub const MAX_BIT_OFFSET: u32 = 255;
/// Ring depth when a board does not give one: 256 units, 32 ms of line.
pub const DEFAULT_RING_UNITS: u32 = 256;

/// A validated bench: boards and the cables between their spans.
#[derive(Debug, Clone, PartialEq)]
pub struct Bench {
    seed: u64,
    boards: Vec<BoardSpec>,
    cables: Vec<CableSpec>,
}

/// One simulated board.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardSpec {
    /// Unique; also the stem of the board's memory and interrupt files.
    pub name: String,
    pub spans: u32,
    /// The board oscillator's offset from nominal.
    pub clock_ppm: f64,
    /// Units per RX and per TX ring.
    pub ring_units: u32,
}

/// A span of a board, written `board:span` in the bench file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanPort {
    pub board: String,
    /// Position of the board in [`Bench::boards`].
    pub board_index: usize,
    pub span: u32,
}

impl fmt::Display for SpanPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.board, self.span)
    }
}

/// What is at end b of a cable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FarEnd {
    Span(SpanPort),
    /// An external line port: a Unix socket another program connects to.
    External(PathBuf),
}

/// A cable between a span and another span or an external line port.
#[derive(Debug, Clone, PartialEq)]
pub struct CableSpec {
    /// Unique; the name [`crate::SimControl`] and [`crate::Simulator::cable_stats`] take.
    pub name: String,
    pub a: SpanPort,
    pub b: FarEnd,
    /// Bits of delay in each direction; `None` draws each direction's from the seed.
    pub bit_offset: Option<u32>,
    /// Per-bit error probability, both directions.
    pub ber: f64,
    /// Offset of end a's transmitter from its board's oscillator.
    pub clock_ppm: f64,
    /// Per-bit probability of a line code violation, both directions.
    pub lcv_rate: f64,
    pub faults: Vec<FaultSpec>,
}

/// A fault scheduled in virtual time: active for blocks `at_ms .. at_ms + duration_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultSpec {
    pub kind: FaultKind,
    pub at_ms: u64,
    pub duration_ms: u64,
    pub direction: Direction,
}

impl FaultSpec {
    /// Whether the fault covers block `block` (the block that runs from `block` ms).
    pub fn active_at(&self, block: u64) -> bool {
        block >= self.at_ms && block - self.at_ms < self.duration_ms
    }
}

/// What a fault does to the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The cable is cut: the receiver sees LOS and gets zeros.
    Cut,
    /// Upstream failure: all ones arrive, with no LOS.
    Ais,
    /// One bit in error in every 32: every CRC-4 check fails.
    CrcBurst,
}

/// Which direction(s) of a cable something applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Both,
    /// From end a toward end b.
    AToB,
    /// From end b (a span or the external peer) toward end a.
    BToA,
}

impl Direction {
    /// Whether the direction covers the one from end a (`from_a`) or from end b.
    pub fn covers(self, from_a: bool) -> bool {
        match self {
            Direction::Both => true,
            Direction::AToB => from_a,
            Direction::BToA => !from_a,
        }
    }
}

/// Why a bench file was refused.
#[derive(Debug)]
pub enum BenchError {
    /// The file could not be read.
    Read { path: PathBuf, error: std::io::Error },
    /// The text is not a valid bench: where, which field, what was expected.
    Invalid {
        origin: String,
        line: usize,
        /// Path of the offending field, such as `cable[1].ber`, when one is known.
        field: Option<String>,
        message: String,
    },
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Read { path, error } => {
                write!(f, "{}: cannot read bench file: {error}", path.display())
            }
            BenchError::Invalid { origin, line, field: Some(field), message } => {
                write!(f, "{origin}:{line}: {field}: {message}")
            }
            BenchError::Invalid { origin, line, field: None, message } => {
                write!(f, "{origin}:{line}: {message}")
            }
        }
    }
}

impl std::error::Error for BenchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BenchError::Read { error, .. } => Some(error),
            BenchError::Invalid { .. } => None,
        }
    }
}

impl Bench {
    /// Reads and checks a bench file; errors name the file as given.
    pub fn from_file(path: &Path) -> Result<Bench, BenchError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| BenchError::Read { path: path.to_path_buf(), error })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Checks a bench given as text; `origin` names it in errors (normally the file name).
    pub fn parse(text: &str, origin: &str) -> Result<Bench, BenchError> {
        let checker = Checker { text, origin };
        let raw: RawBench = toml::from_str(text).map_err(|e| checker.toml_error(&e))?;
        checker.check(raw)
    }

    /// The seed of every random choice of a run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn boards(&self) -> &[BoardSpec] {
        &self.boards
    }

    pub fn cables(&self) -> &[CableSpec] {
        &self.cables
    }
}

/// An integer field; its own type so that serde's "expected ..." reads as English.
#[derive(Debug, Clone, Copy)]
struct Integer(i64);

impl<'de> Deserialize<'de> for Integer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Integer;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Integer, E> {
                Ok(Integer(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Integer, E> {
                i64::try_from(v)
                    .map(Integer)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }
        }
        d.deserialize_i64(Visitor)
    }
}

/// A number field: an integer or a float.
#[derive(Debug, Clone, Copy)]
struct Number(f64);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Number, E> {
                Ok(Number(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number(v as f64))
            }
        }
        d.deserialize_f64(Visitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBench {
    seed: Option<Spanned<Integer>>,
    #[serde(default)]
    board: Vec<Spanned<RawBoard>>,
    #[serde(default)]
    cable: Vec<Spanned<RawCable>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBoard {
    name: Spanned<String>,
    spans: Spanned<Integer>,
    clock_ppm: Option<Spanned<Number>>,
    ring_units: Option<Spanned<Integer>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCable {
    name: Option<Spanned<String>>,
    a: Spanned<String>,
    b: Option<Spanned<String>>,
    external: Option<Spanned<String>>,
    bit_offset: Option<Spanned<Integer>>,
    ber: Option<Spanned<Number>>,
    clock_ppm: Option<Spanned<Number>>,
    lcv_rate: Option<Spanned<Number>>,
    #[serde(default)]
    fault: Vec<Spanned<RawFault>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFault {
    kind: FaultKind,
    at_ms: Spanned<Integer>,
    duration_ms: Spanned<Integer>,
    direction: Option<Direction>,
}

struct Checker<'a> {
    text: &'a str,
    origin: &'a str,
}

impl Checker<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
    }

    fn error(&self, span: Range<usize>, field: impl Into<String>, message: impl Into<String>) -> BenchError {
        BenchError::Invalid {
            origin: self.origin.to_string(),
            line: self.line_of(span.start),
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Turns a TOML or serde error into ours, finding which field its span lies in.
    fn toml_error(&self, e: &toml::de::Error) -> BenchError {
        let start = e.span().map_or(0, |s| s.start);
        BenchError::Invalid {
            origin: self.origin.to_string(),
            line: self.line_of(start),
            field: field_at(self.text, start),
            message: e.message().to_string(),
        }
    }

    fn check(&self, raw: RawBench) -> Result<Bench, BenchError> {
        let seed = match raw.seed {
            None => 0,
            Some(s) => u64::try_from(s.get_ref().0)
                .map_err(|_| self.error(s.span(), "seed", "expected a non-negative integer"))?,
        };
        if raw.board.is_empty() {
            return Err(self.error(0..0, "board", "a bench needs at least one [[board]]"));
        }
        let mut boards = Vec::with_capacity(raw.board.len());
        let mut board_index: HashMap<String, usize> = HashMap::new();
        for (i, board) in raw.board.iter().enumerate() {
            let spec = self.check_board(i, board.get_ref())?;
            if let Some(first) = board_index.insert(spec.name.clone(), i) {
                return Err(self.error(
                    board.get_ref().name.span(),
                    format!("board[{i}].name"),
                    format!("board name \"{}\" is already used by board[{first}]", spec.name),
                ));
            }
            boards.push(spec);
        }

        let mut cables: Vec<CableSpec> = Vec::with_capacity(raw.cable.len());
        let mut port_users: HashMap<(usize, u32), usize> = HashMap::new();
        let mut names: HashMap<String, usize> = HashMap::new();
        let mut externals: HashMap<PathBuf, usize> = HashMap::new();
        for (i, cable) in raw.cable.iter().enumerate() {
            let raw_cable = cable.get_ref();
            let spec = self.check_cable(i, cable.span(), raw_cable, &boards, &board_index)?;
            let mut claim = |port: &SpanPort, span: Range<usize>, end: &str| match port_users
                .insert((port.board_index, port.span), i)
            {
                Some(other) => Err(self.error(
                    span,
                    format!("cable[{i}].{end}"),
                    format!("span {port} is already joined by cable[{other}]"),
                )),
                None => Ok(()),
            };
            claim(&spec.a, raw_cable.a.span(), "a")?;
            match (&spec.b, &raw_cable.b, &raw_cable.external) {
                (FarEnd::Span(port), Some(b), _) => claim(port, b.span(), "b")?,
                (FarEnd::External(path), _, Some(ext)) => {
                    if let Some(other) = externals.insert(path.clone(), i) {
                        return Err(self.error(
                            ext.span(),
                            format!("cable[{i}].external"),
                            format!("socket {} is already the port of cable[{other}]", path.display()),
                        ));
                    }
                }
                _ => {}
            }
            if let Some(other) = names.insert(spec.name.clone(), i) {
                let span = raw_cable.name.as_ref().map_or(cable.span(), |n| n.span());
                return Err(self.error(
                    span,
                    format!("cable[{i}].name"),
                    format!("cable name \"{}\" is already used by cable[{other}]", spec.name),
                ));
            }
            cables.push(spec);
        }
        Ok(Bench { seed, boards, cables })
    }

    fn check_board(&self, i: usize, raw: &RawBoard) -> Result<BoardSpec, BenchError> {
        let name = raw.name.get_ref();
        let name_ok = !name.is_empty()
            && name.len() <= NAME_OCTETS
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(self.error(
                raw.name.span(),
                format!("board[{i}].name"),
                format!("expected 1 to {NAME_OCTETS} letters, digits, '-' or '_'"),
            ));
        }
        let spans = raw.spans.get_ref().0;
        if !(1..=MAX_SPANS as i64).contains(&spans) {
            return Err(self.error(
                raw.spans.span(),
                format!("board[{i}].spans"),
                format!("expected an integer from 1 to {MAX_SPANS}"),
            ));
        }
        let clock_ppm = self.ppm(&raw.clock_ppm, || format!("board[{i}].clock_ppm"))?;
        let ring_units = match &raw.ring_units {
            None => DEFAULT_RING_UNITS,
            Some(r) => {
                let v = r.get_ref().0;
                if v < MIN_RING_UNITS as i64 || v > MAX_RING_UNITS as i64 || !(v as u64).is_power_of_two() {
                    return Err(self.error(
                        r.span(),
                        format!("board[{i}].ring_units"),
                        format!("expected a power of two from {MIN_RING_UNITS} to {MAX_RING_UNITS}"),
                    ));
                }
                v as u32
            }
        };
        Ok(BoardSpec { name: name.clone(), spans: spans as u32, clock_ppm, ring_units })
    }

    fn ppm(&self, value: &Option<Spanned<Number>>, field: impl Fn() -> String) -> Result<f64, BenchError> {
        self.number(value, -MAX_CLOCK_PPM, MAX_CLOCK_PPM, field)
    }

    fn number(
        &self,
        value: &Option<Spanned<Number>>,
        min: f64,
        max: f64,
        field: impl Fn() -> String,
    ) -> Result<f64, BenchError> {
        match value {
            None => Ok(0.0),
            Some(v) => {
                let x = v.get_ref().0;
                // NaN fails both comparisons, so it is refused here too.
                if x >= min && x <= max {
                    Ok(x)
                } else {
                    Err(self.error(v.span(), field(), format!("expected a number from {min} to {max}")))
                }
            }
        }
    }

    fn port(
        &self,
        text: &Spanned<String>,
        field: String,
        boards: &[BoardSpec],
        board_index: &HashMap<String, usize>,
    ) -> Result<SpanPort, BenchError> {
        let shape = || self.error(text.span(), field.clone(), "expected \"board:span\", such as \"a:0\"");
        let (board, span) = text.get_ref().rsplit_once(':').ok_or_else(shape)?;
        let span: u32 = span.parse().map_err(|_| shape())?;
        let index = *board_index
            .get(board)
            .ok_or_else(|| self.error(text.span(), field.clone(), format!("no board named \"{board}\"")))?;
        let spans = boards[index].spans;
        if span >= spans {
            return Err(self.error(
                text.span(),
                field.clone(),
                format!("board \"{board}\" has spans 0 to {}, not {span}", spans - 1),
            ));
        }
        Ok(SpanPort { board: board.to_string(), board_index: index, span })
    }

    fn check_cable(
        &self,
        i: usize,
        table: Range<usize>,
        raw: &RawCable,
        boards: &[BoardSpec],
        board_index: &HashMap<String, usize>,
    ) -> Result<CableSpec, BenchError> {
        let field = |name: &str| format!("cable[{i}].{name}");
        let a = self.port(&raw.a, field("a"), boards, board_index)?;
        let b = match (&raw.b, &raw.external) {
            (Some(b), None) => {
                let port = self.port(b, field("b"), boards, board_index)?;
                if port == a {
                    return Err(self.error(b.span(), field("b"), "a cable cannot join a span to itself"));
                }
                FarEnd::Span(port)
            }
            (None, Some(ext)) => {
                if ext.get_ref().is_empty() {
                    return Err(self.error(ext.span(), field("external"), "expected a socket path"));
                }
                FarEnd::External(PathBuf::from(ext.get_ref()))
            }
            (Some(_), Some(ext)) => {
                return Err(self.error(
                    ext.span(),
                    field("external"),
                    "give either `b` or `external`, not both",
                ));
            }
            (None, None) => {
                return Err(self.error(table, format!("cable[{i}]"), "missing field `b` (or `external`)"));
            }
        };
        let name = match &raw.name {
            Some(n) if n.get_ref().is_empty() => {
                return Err(self.error(n.span(), field("name"), "expected a non-empty name"));
            }
            Some(n) => n.get_ref().clone(),
            None => match &b {
                FarEnd::Span(port) => format!("{a}-{port}"),
                FarEnd::External(_) => format!("{a}-external"),
            },
        };
        let bit_offset = match &raw.bit_offset {
            None => None,
            Some(v) => {
                let x = v.get_ref().0;
                if !(0..=MAX_BIT_OFFSET as i64).contains(&x) {
                    return Err(self.error(
                        v.span(),
                        field("bit_offset"),
                        format!("expected an integer from 0 to {MAX_BIT_OFFSET}"),
                    ));
                }
                Some(x as u32)
            }
        };
        let ber = self.number(&raw.ber, 0.0, MAX_ERROR_RATE, || field("ber"))?;
        let lcv_rate = self.number(&raw.lcv_rate, 0.0, MAX_ERROR_RATE, || field("lcv_rate"))?;
        let clock_ppm = self.ppm(&raw.clock_ppm, || field("clock_ppm"))?;
        if let (FarEnd::External(_), Some(ppm)) = (&b, &raw.clock_ppm) {
            return Err(self.error(
                ppm.span(),
                field("clock_ppm"),
                "an external line port is paced by its peer: a clock offset is not allowed",
            ));
        }
        let mut faults = Vec::with_capacity(raw.fault.len());
        for (j, fault) in raw.fault.iter().enumerate() {
            let f = fault.get_ref();
            let at_ms = u64::try_from(f.at_ms.get_ref().0).map_err(|_| {
                self.error(
                    f.at_ms.span(),
                    field(&format!("fault[{j}].at_ms")),
                    "expected a non-negative integer",
                )
            })?;
            let duration_ms =
                u64::try_from(f.duration_ms.get_ref().0).ok().filter(|&d| d > 0).ok_or_else(|| {
                    self.error(
                        f.duration_ms.span(),
                        field(&format!("fault[{j}].duration_ms")),
                        "expected a positive integer",
                    )
                })?;
            faults.push(FaultSpec {
                kind: f.kind,
                at_ms,
                duration_ms,
                direction: f.direction.unwrap_or(Direction::Both),
            });
        }
        Ok(CableSpec { name, a, b, bit_offset, ber, clock_ppm, lcv_rate, faults })
    }
}

/// The path (`cable[1].fault[0].kind`) of the innermost key, value or table header of
/// `text` that contains byte `offset`, if the text parses as TOML at all.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let root = toml::de::DeTable::parse(text).ok()?;
    table_field_at(root.get_ref(), "", offset)
}

fn table_field_at(table: &toml::de::DeTable<'_>, path: &str, offset: usize) -> Option<String> {
    for (key, value) in table.iter() {
        let child =
            if path.is_empty() { key.get_ref().to_string() } else { format!("{path}.{}", key.get_ref()) };
        if key.span().contains(&offset) {
            return Some(child);
        }
        if let Some(found) = value_field_at(value, &child, offset) {
            return Some(found);
        }
    }
    None
}

fn value_field_at(value: &Spanned<toml::de::DeValue<'_>>, path: &str, offset: usize) -> Option<String> {
    let inner = match value.get_ref() {
        toml::de::DeValue::Table(t) => table_field_at(t, path, offset),
        toml::de::DeValue::Array(a) => {
            a.iter().enumerate().find_map(|(i, v)| value_field_at(v, &format!("{path}[{i}]"), offset))
        }
        _ => None,
    };
    // A table's span is its header (`[[cable]]`) or its inline braces.
    inner.or_else(|| value.span().contains(&offset).then(|| path.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"seed = 7
[[board]]
name = "a"
spans = 1
clock_ppm = -3.5

[[board]]
name = "b"
spans = 2
ring_units = 64

[[cable]]
a = "a:0"
b = "b:1"
bit_offset = 37
ber = 1e-4
clock_ppm = 50
[[cable.fault]]
kind = "cut"
at_ms = 2000
duration_ms = 1000
direction = "a_to_b"
[[cable.fault]]
kind = "crc_burst"
at_ms = 10
duration_ms = 5

[[cable]]
name = "to-peer"
a = "b:0"
external = "/tmp/peer.sock"
lcv_rate = 0.001
"#;

    fn error_of(text: &str) -> String {
        match Bench::parse(text, "bench.toml") {
            Ok(_) => "parsed".to_string(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_good_bench_parses_into_exact_values() {
        let bench = Bench::parse(GOOD, "bench.toml").unwrap();
        assert_eq!(bench.seed(), 7);
        assert_eq!(
            bench.boards(),
            &[
                BoardSpec { name: "a".into(), spans: 1, clock_ppm: -3.5, ring_units: 256 },
                BoardSpec { name: "b".into(), spans: 2, clock_ppm: 0.0, ring_units: 64 },
            ]
        );
        let c = &bench.cables()[0];
        assert_eq!(c.name, "a:0-b:1");
        assert_eq!(c.a, SpanPort { board: "a".into(), board_index: 0, span: 0 });
        assert_eq!(c.b, FarEnd::Span(SpanPort { board: "b".into(), board_index: 1, span: 1 }));
        assert_eq!((c.bit_offset, c.ber, c.clock_ppm, c.lcv_rate), (Some(37), 1e-4, 50.0, 0.0));
        assert_eq!(
            c.faults,
            vec![
                FaultSpec {
                    kind: FaultKind::Cut,
                    at_ms: 2000,
                    duration_ms: 1000,
                    direction: Direction::AToB
                },
                FaultSpec {
                    kind: FaultKind::CrcBurst,
                    at_ms: 10,
                    duration_ms: 5,
                    direction: Direction::Both
                },
            ]
        );
        let p = &bench.cables()[1];
        assert_eq!(p.name, "to-peer");
        assert_eq!(p.b, FarEnd::External(PathBuf::from("/tmp/peer.sock")));
        assert_eq!((p.bit_offset, p.lcv_rate), (None, 0.001));
    }

    #[test]
    fn fault_activity_covers_exactly_its_blocks() {
        let f =
            FaultSpec { kind: FaultKind::Cut, at_ms: 2000, duration_ms: 1000, direction: Direction::Both };
        assert!(!f.active_at(1999));
        assert!(f.active_at(2000));
        assert!(f.active_at(2999));
        assert!(!f.active_at(3000));
        let edge = FaultSpec { at_ms: u64::MAX - 1, duration_ms: 1, ..f };
        assert!(edge.active_at(u64::MAX - 1));
        assert!(!edge.active_at(u64::MAX));
    }

    #[test]
    fn range_errors_name_file_line_and_field() {
        assert_eq!(
            error_of(&GOOD.replace("ber = 1e-4", "ber = 0.6")),
            "bench.toml:16: cable[0].ber: expected a number from 0 to 0.5"
        );
        assert_eq!(
            error_of(&GOOD.replace("ber = 1e-4", "ber = -1e-9")),
            "bench.toml:16: cable[0].ber: expected a number from 0 to 0.5"
        );
        assert_eq!(
            error_of(&GOOD.replace("ber = 1e-4", "ber = nan")),
            "bench.toml:16: cable[0].ber: expected a number from 0 to 0.5"
        );
        assert_eq!(error_of(&GOOD.replace("ber = 1e-4", "ber = 0.5")), "parsed");
        assert_eq!(
            error_of(&GOOD.replace("lcv_rate = 0.001", "lcv_rate = 1")),
            "bench.toml:32: cable[1].lcv_rate: expected a number from 0 to 0.5"
        );
        assert_eq!(
            error_of(&GOOD.replace("spans = 2", "spans = 65")),
            "bench.toml:9: board[1].spans: expected an integer from 1 to 64"
        );
        assert_eq!(error_of(&GOOD.replace("spans = 2", "spans = 64")), "parsed");
        assert_eq!(
            error_of(&GOOD.replace("spans = 1", "spans = 0")),
            "bench.toml:4: board[0].spans: expected an integer from 1 to 64"
        );
        assert_eq!(
            error_of(&GOOD.replace("clock_ppm = -3.5", "clock_ppm = -1000.5")),
            "bench.toml:5: board[0].clock_ppm: expected a number from -1000 to 1000"
        );
        assert_eq!(error_of(&GOOD.replace("clock_ppm = -3.5", "clock_ppm = -1000")), "parsed");
        assert_eq!(
            error_of(&GOOD.replace("ring_units = 64", "ring_units = 96")),
            "bench.toml:10: board[1].ring_units: expected a power of two from 32 to 65536"
        );
        assert_eq!(
            error_of(&GOOD.replace("ring_units = 64", "ring_units = 16")),
            "bench.toml:10: board[1].ring_units: expected a power of two from 32 to 65536"
        );
        assert_eq!(
            error_of(&GOOD.replace("bit_offset = 37", "bit_offset = 256")),
            "bench.toml:15: cable[0].bit_offset: expected an integer from 0 to 255"
        );
        assert_eq!(error_of(&GOOD.replace("bit_offset = 37", "bit_offset = 255")), "parsed");
        assert_eq!(
            error_of(&GOOD.replace("duration_ms = 5", "duration_ms = 0")),
            "bench.toml:26: cable[0].fault[1].duration_ms: expected a positive integer"
        );
        assert_eq!(
            error_of(&GOOD.replace("at_ms = 2000", "at_ms = -1")),
            "bench.toml:20: cable[0].fault[0].at_ms: expected a non-negative integer"
        );
        assert_eq!(
            error_of(&GOOD.replace("seed = 7", "seed = -7")),
            "bench.toml:1: seed: expected a non-negative integer"
        );
    }

    #[test]
    fn reference_errors_name_the_field() {
        assert_eq!(
            error_of(&GOOD.replace("b = \"b:1\"", "b = \"c:1\"")),
            "bench.toml:14: cable[0].b: no board named \"c\""
        );
        assert_eq!(
            error_of(&GOOD.replace("b = \"b:1\"", "b = \"b:2\"")),
            "bench.toml:14: cable[0].b: board \"b\" has spans 0 to 1, not 2"
        );
        assert_eq!(
            error_of(&GOOD.replace("b = \"b:1\"", "b = \"b1\"")),
            "bench.toml:14: cable[0].b: expected \"board:span\", such as \"a:0\""
        );
        assert_eq!(
            error_of(&GOOD.replace("b = \"b:1\"", "b = \"a:0\"")),
            "bench.toml:14: cable[0].b: a cable cannot join a span to itself"
        );
        assert_eq!(
            error_of(&GOOD.replace("a = \"b:0\"", "a = \"b:1\"")),
            "bench.toml:30: cable[1].a: span b:1 is already joined by cable[0]"
        );
        assert_eq!(
            error_of(&GOOD.replace("name = \"b\"", "name = \"a\"")),
            "bench.toml:8: board[1].name: board name \"a\" is already used by board[0]"
        );
        assert_eq!(
            error_of(&GOOD.replace("name = \"b\"", "name = \"b/c\"")),
            "bench.toml:8: board[1].name: expected 1 to 32 letters, digits, '-' or '_'"
        );
        assert_eq!(
            error_of(&GOOD.replace("name = \"to-peer\"", "name = \"a:0-b:1\"")),
            "bench.toml:29: cable[1].name: cable name \"a:0-b:1\" is already used by cable[0]"
        );
        assert_eq!(
            error_of(&GOOD.replace("lcv_rate = 0.001", "clock_ppm = 1")),
            "bench.toml:32: cable[1].clock_ppm: an external line port is paced by its peer: \
             a clock offset is not allowed"
        );
        assert_eq!(
            error_of(&GOOD.replace("external = \"/tmp/peer.sock\"", "")),
            "bench.toml:28: cable[1]: missing field `b` (or `external`)"
        );
        assert_eq!(
            error_of(&GOOD.replace("b = \"b:1\"", "b = \"b:1\"\nexternal = \"x\"")),
            "bench.toml:15: cable[0].external: give either `b` or `external`, not both"
        );
        assert_eq!(error_of("seed = 1\n"), "bench.toml:1: board: a bench needs at least one [[board]]");
    }

    #[test]
    fn serde_errors_are_located_too() {
        assert_eq!(
            error_of(&GOOD.replace("spans = 2", "spans = \"two\"")),
            "bench.toml:9: board[1].spans: invalid type: string \"two\", expected an integer"
        );
        assert_eq!(
            error_of(&GOOD.replace("ber = 1e-4", "ber = true")),
            "bench.toml:16: cable[0].ber: invalid type: boolean `true`, expected a number"
        );
        assert_eq!(
            error_of(&GOOD.replace("spans = 2", "spams = 2")),
            "bench.toml:9: board[1].spams: unknown field `spams`, expected one of \
             `name`, `spans`, `clock_ppm`, `ring_units`"
        );
        assert_eq!(
            error_of(&GOOD.replace("spans = 2\n", "")),
            "bench.toml:7: board[1]: missing field `spans`"
        );
        assert_eq!(
            error_of(&GOOD.replace("\"crc_burst\"", "\"crc\"")),
            "bench.toml:24: cable[0].fault[1].kind: unknown variant `crc`, expected one of \
             `cut`, `ais`, `crc_burst`"
        );
        assert_eq!(
            error_of(&GOOD.replace("\"a_to_b\"", "\"up\"")),
            "bench.toml:22: cable[0].fault[0].direction: unknown variant `up`, expected one of \
             `both`, `a_to_b`, `b_to_a`"
        );
        assert_eq!(
            error_of("[[board]]\nname = \"a\"\nspans = 1\nwires = 3\n"),
            "bench.toml:4: board[0].wires: unknown field `wires`, expected one of \
             `name`, `spans`, `clock_ppm`, `ring_units`"
        );
        assert_eq!(
            error_of("colour = 1\n[[board]]\nname = \"a\"\nspans = 1\n"),
            "bench.toml:1: colour: unknown field `colour`, expected one of `seed`, `board`, `cable`"
        );
        // Not TOML at all: the line, and no field.
        assert_eq!(error_of("seed = 1\nseed = 2\n"), "bench.toml:2: duplicate key");
        assert!(
            error_of("[[board]]\nname = \"a\"\nspans = 1\n[[cable]]\na = \"a:0\"\nb = [\n")
                .starts_with("bench.toml:6: ")
        );
    }

    #[test]
    fn inline_tables_are_located() {
        assert_eq!(
            error_of("board = [{ name = \"a\", spans = 1 }, { name = \"b\", spans = 99 }]\n"),
            "bench.toml:1: board[1].spans: expected an integer from 1 to 64"
        );
        assert_eq!(
            error_of("board = [{ name = \"a\", spans = 1, colour = 2 }]\n"),
            "bench.toml:1: board[0].colour: unknown field `colour`, expected one of \
             `name`, `spans`, `clock_ppm`, `ring_units`"
        );
    }

    #[test]
    fn a_missing_file_is_named() {
        let e = Bench::from_file(Path::new("/nonexistent/bench.toml")).unwrap_err();
        assert!(matches!(e, BenchError::Read { .. }));
        assert!(e.to_string().starts_with("/nonexistent/bench.toml: cannot read bench file: "), "{e}");
    }
}
