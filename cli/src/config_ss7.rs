//! The SS7 parts of the system file: the signalling points (`[ss7]`, or several as
//! `[[ss7.point]]`) and the spans whose circuits run ISUP or TUP (`[board.span.ss7]`).
//! Errors carry the offset of the field at fault; `config.rs` turns it into file and line.

use serde::Deserialize;
use toml::Spanned;

use tdm_callctl::{IncomingPolicy, Ss7SpanConfig, UserPartKind};
use tdm_ss7::mtp3::{LinkSetConfig, Mtp3Config, RouteConfig, SignallingLinkConfig};
use tdm_ss7::{NetworkIndicator, PointCode, PointCodeFormat};

/// `[ss7]`: one signalling point given by its fields, and/or more as `[[ss7.point]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSs7 {
    name: Option<Spanned<String>>,
    point_code: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    ni: Option<Spanned<String>>,
    #[serde(default)]
    linkset: Vec<Spanned<RawLinkSet>>,
    #[serde(default)]
    route: Vec<Spanned<RawRoute>>,
    #[serde(default)]
    point: Vec<Spanned<RawPoint>>,
}

/// A signalling point.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPoint {
    name: Option<Spanned<String>>,
    point_code: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    ni: Option<Spanned<String>>,
    #[serde(default)]
    linkset: Vec<Spanned<RawLinkSet>>,
    #[serde(default)]
    route: Vec<Spanned<RawRoute>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLinkSet {
    name: Option<Spanned<String>>,
    adjacent: Spanned<String>,
    #[serde(default)]
    link: Vec<Spanned<RawLink>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    /// `board:span:timeslot`.
    at: Spanned<String>,
    slc: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    destination: Spanned<String>,
    linkset: Spanned<String>,
    priority: Option<Spanned<i64>>,
}

/// `[board.span.ss7]`: the span's circuits run ISUP or TUP over a signalling point.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSs7Span {
    point: Option<Spanned<String>>,
    user_part: Spanned<String>,
    cic_base: Option<Spanned<i64>>,
    peer: Option<Spanned<String>>,
    pub(crate) incoming: Option<Spanned<String>>,
    pub(crate) ring_ms: Option<Spanned<u64>>,
    pub(crate) tone_dbm0: Option<Spanned<f64>>,
    /// Outgoing calls ask for a continuity check (2000 Hz through the far end's loop).
    #[serde(default)]
    pub(crate) continuity_check: bool,
}

/// A signalling point of the system.
#[derive(Debug, Clone)]
pub struct Ss7Point {
    /// Its name (`ss7` for the one of `[ss7]` unless named).
    pub name: String,
    /// MTP3: own point code, format, NI, link sets, routes.
    pub mtp3: Mtp3Config,
    /// The board (by index in the system file) of each link, by link set then link.
    pub link_boards: Vec<Vec<usize>>,
}

/// A span whose circuits run ISUP or TUP, and what it does with calls nobody takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Ss7Span {
    /// Span number on its board.
    pub span: u32,
    /// User part, CIC base, peer and (resolved) point.
    pub config: Ss7SpanConfig,
    /// Incoming call policy.
    pub incoming: IncomingPolicy,
    /// Test tone level.
    pub tone_dbm0: f32,
    /// Outgoing calls ask for a continuity check.
    pub continuity_check: bool,
}

/// A board of the system file as the SS7 section needs it: name and spans' signaling.
pub(crate) struct BoardShape<'a> {
    pub name: &'a str,
    /// Per span, whether it is CCS.
    pub ccs: Vec<bool>,
}

type Fail = (usize, String);

/// A point code written `a-b-c` (China 8-8-8, ITU 3-8-3) or as one decimal number.
pub fn parse_point_code(text: &str, format: PointCodeFormat) -> Result<PointCode, String> {
    let parts: Vec<&str> = text.split('-').collect();
    let bad = || match format {
        PointCodeFormat::China24 => {
            format!("{text:?} is not a China point code (8-8-8 bits: \"0-255-0-255-0-255\" as a-b-c)")
        }
        PointCodeFormat::Itu14 => {
            format!("{text:?} is not an ITU point code (3-8-3 bits, a-b-c, or 0 to 16383)")
        }
    };
    match parts.as_slice() {
        [single] => {
            let value: u32 = single.trim().parse().map_err(|_| bad())?;
            PointCode::new(format, value).map_err(|_| bad())
        }
        [a, b, c] => {
            let field = |s: &str| s.trim().parse::<u8>().map_err(|_| bad());
            let (a, b, c) = (field(a)?, field(b)?, field(c)?);
            match format {
                PointCodeFormat::China24 => Ok(PointCode::china(a, b, c)),
                PointCodeFormat::Itu14 => PointCode::itu(a, b, c).map_err(|_| bad()),
            }
        }
        _ => Err(bad()),
    }
}

fn parse_format(text: &str) -> Result<PointCodeFormat, String> {
    match text {
        "china" => Ok(PointCodeFormat::China24),
        "itu" => Ok(PointCodeFormat::Itu14),
        other => Err(format!("{other:?}: use \"china\" (24-bit point codes) or \"itu\" (14-bit)")),
    }
}

fn parse_ni(text: &str) -> Result<NetworkIndicator, String> {
    match text {
        "international" | "0" => Ok(NetworkIndicator::International),
        "international_spare" | "1" => Ok(NetworkIndicator::InternationalSpare),
        "national" | "2" => Ok(NetworkIndicator::National),
        "national_spare" | "3" => Ok(NetworkIndicator::NationalSpare),
        other => Err(format!(
            "{other:?}: use \"international\", \"international_spare\", \"national\" or \"national_spare\""
        )),
    }
}

/// `board:span:timeslot` against the system's boards: (board index, span, timeslot).
fn parse_link_place(text: &str, boards: &[BoardShape]) -> Result<(usize, u32, u8), String> {
    let mut parts = text.split(':');
    let (Some(board), Some(span), Some(ts), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("{text:?}: write a link as \"board:span:timeslot\""));
    };
    let index = boards
        .iter()
        .position(|b| b.name == board)
        .ok_or_else(|| format!("{text:?}: no board named {board:?}"))?;
    let span: u32 = span.parse().map_err(|_| format!("{text:?}: {span:?} is not a span number"))?;
    let Some(&ccs) = boards[index].ccs.get(span as usize) else {
        return Err(format!("{text:?}: board {board} has {} span(s)", boards[index].ccs.len()));
    };
    if !ccs {
        return Err(format!("{text:?}: the span carries CAS; a signalling link needs signaling = \"ccs\""));
    }
    let ts: u8 = ts.parse().map_err(|_| format!("{text:?}: {ts:?} is not a timeslot"))?;
    if !(1..=31).contains(&ts) {
        return Err(format!("{text:?}: timeslot {ts} is not 1 to 31"));
    }
    Ok((index, span, ts))
}

/// The points of `[ss7]`, checked.
pub(crate) fn parse_points(raw: &Spanned<RawSs7>, boards: &[BoardShape]) -> Result<Vec<Ss7Point>, Fail> {
    let table = raw.span().start;
    let mut points = Vec::new();
    let top = raw.get_ref();
    let own = PointFields {
        name: &top.name,
        point_code: &top.point_code,
        format: &top.format,
        ni: &top.ni,
        linkset: &top.linkset,
        route: &top.route,
    };
    if own.point_code.is_some() || !own.linkset.is_empty() || own.name.is_some() {
        points.push(parse_point(&own, table, "ss7", boards)?);
    }
    for (i, point) in top.point.iter().enumerate() {
        let field = format!("ss7.point[{i}]");
        let p = point.get_ref();
        let fields = PointFields {
            name: &p.name,
            point_code: &p.point_code,
            format: &p.format,
            ni: &p.ni,
            linkset: &p.linkset,
            route: &p.route,
        };
        points.push(parse_point(&fields, point.span().start, &field, boards)?);
    }
    if points.is_empty() {
        return Err((table, "ss7: no signalling point (set point_code, or add [[ss7.point]])".into()));
    }
    for (i, point) in points.iter().enumerate() {
        if points[..i].iter().any(|p| p.name == point.name) {
            return Err((table, format!("ss7: two points are named {:?}", point.name)));
        }
    }
    let mut places: Vec<(usize, u32, u8)> = Vec::new();
    for point in &points {
        for (set, boards) in point.mtp3.link_sets.iter().zip(&point.link_boards) {
            for (link, &board) in set.links.iter().zip(boards) {
                let place = (board, link.span, link.timeslot);
                if places.contains(&place) {
                    return Err((
                        table,
                        format!(
                            "ss7: link set {}: span {} timeslot {} carries two links",
                            set.name, link.span, link.timeslot
                        ),
                    ));
                }
                places.push(place);
            }
        }
    }
    Ok(points)
}

/// The fields of a point, wherever it was written.
struct PointFields<'a> {
    name: &'a Option<Spanned<String>>,
    point_code: &'a Option<Spanned<String>>,
    format: &'a Option<Spanned<String>>,
    ni: &'a Option<Spanned<String>>,
    linkset: &'a [Spanned<RawLinkSet>],
    route: &'a [Spanned<RawRoute>],
}

fn parse_point(
    raw: &PointFields,
    table: usize,
    field: &str,
    boards: &[BoardShape],
) -> Result<Ss7Point, Fail> {
    let name = raw.name.as_ref().map_or_else(|| "ss7".to_string(), |n| n.get_ref().clone());
    if name.is_empty() || name.contains(char::is_whitespace) {
        let at = raw.name.as_ref().map_or(table, |n| n.span().start);
        return Err((at, format!("{field}.name: {name:?} must be non-empty, without spaces")));
    }
    let format = match &raw.format {
        None => PointCodeFormat::China24,
        Some(f) => parse_format(f.get_ref()).map_err(|m| (f.span().start, format!("{field}.format: {m}")))?,
    };
    let ni = match &raw.ni {
        None => NetworkIndicator::National,
        Some(n) => parse_ni(n.get_ref()).map_err(|m| (n.span().start, format!("{field}.ni: {m}")))?,
    };
    let pc = raw.point_code.as_ref().ok_or((table, format!("{field}: point_code is missing")))?;
    let own = parse_point_code(pc.get_ref(), format)
        .map_err(|m| (pc.span().start, format!("{field}.point_code: {m}")))?;
    let mut mtp3 = Mtp3Config::new(own, format, ni);
    let mut link_boards = Vec::new();
    for (s, set) in raw.linkset.iter().enumerate() {
        let set_field = format!("{field}.linkset[{s}]");
        let set_at = set.span().start;
        let set = set.get_ref();
        let adjacent = parse_point_code(set.adjacent.get_ref(), format)
            .map_err(|m| (set.adjacent.span().start, format!("{set_field}.adjacent: {m}")))?;
        let set_name = set.name.as_ref().map_or_else(|| format!("linkset{s}"), |n| n.get_ref().clone());
        if set.link.is_empty() {
            return Err((set_at, format!("{set_field}: no [[{field}.linkset.link]]")));
        }
        let mut links = Vec::new();
        let mut on_boards = Vec::new();
        for (l, link) in set.link.iter().enumerate() {
            let link_field = format!("{set_field}.link[{l}]");
            let link = link.get_ref();
            let (board, span, timeslot) = parse_link_place(link.at.get_ref(), boards)
                .map_err(|m| (link.at.span().start, format!("{link_field}.at: {m}")))?;
            let slc = match &link.slc {
                None => l as i64,
                Some(slc) => *slc.get_ref(),
            };
            if !(0..=15).contains(&slc) {
                let at = link.slc.as_ref().map_or(link.at.span().start, |s| s.span().start);
                return Err((at, format!("{link_field}.slc: {slc} is not 0 to 15")));
            }
            links.push(SignallingLinkConfig::new(slc as u8, span, timeslot));
            on_boards.push(board);
        }
        mtp3.link_sets.push(LinkSetConfig { name: set_name, adjacent, links });
        link_boards.push(on_boards);
    }
    if mtp3.link_sets.is_empty() {
        return Err((table, format!("{field}: no [[{field}.linkset]]")));
    }
    for (r, route) in raw.route.iter().enumerate() {
        let route_field = format!("{field}.route[{r}]");
        let route = route.get_ref();
        let destination = parse_point_code(route.destination.get_ref(), format)
            .map_err(|m| (route.destination.span().start, format!("{route_field}.destination: {m}")))?;
        let link_set = route.linkset.get_ref().clone();
        if !mtp3.link_sets.iter().any(|s| s.name == link_set) {
            return Err((
                route.linkset.span().start,
                format!("{route_field}.linkset: no link set named {link_set:?}"),
            ));
        }
        let priority = match &route.priority {
            None => 0,
            Some(p) => u8::try_from(*p.get_ref()).map_err(|_| {
                (p.span().start, format!("{route_field}.priority: {} is not 0 to 255", p.get_ref()))
            })?,
        };
        mtp3.routes.push(RouteConfig { destination, link_set, priority });
    }
    mtp3.validate().map_err(|e| (table, format!("{field}: {e}")))?;
    Ok(Ss7Point { name, mtp3, link_boards })
}

/// `[board.span.ss7]` checked against the points (policy fields are the caller's).
pub(crate) fn parse_span(
    raw: &Spanned<RawSs7Span>,
    span: u32,
    points: &[Ss7Point],
    field: &str,
) -> Result<Ss7SpanConfig, Fail> {
    let table = raw.span().start;
    let raw = raw.get_ref();
    let point = match &raw.point {
        None if points.len() == 1 => 0,
        None if points.is_empty() => {
            return Err((table, format!("{field}: the system file has no [ss7] section")));
        }
        None => {
            return Err((
                table,
                format!("{field}: there are {} signalling points: name one with point", points.len()),
            ));
        }
        Some(name) => points.iter().position(|p| p.name == *name.get_ref()).ok_or_else(|| {
            (name.span().start, format!("{field}.point: no signalling point named {:?}", name.get_ref()))
        })?,
    };
    let format = points[point].mtp3.format;
    let user_part = match raw.user_part.get_ref().as_str() {
        "isup" => UserPartKind::Isup,
        "tup" => UserPartKind::Tup,
        other => {
            return Err((
                raw.user_part.span().start,
                format!("{field}.user_part: {other:?}: use \"isup\" or \"tup\""),
            ));
        }
    };
    let cic_base = match &raw.cic_base {
        None => span as i64 * 32,
        Some(base) => *base.get_ref(),
    };
    if !(0..=4064).contains(&cic_base) || cic_base % 32 != 0 {
        let at = raw.cic_base.as_ref().map_or(table, |b| b.span().start);
        return Err((at, format!("{field}.cic_base: {cic_base} is not a multiple of 32 from 0 to 4064")));
    }
    let peer = match &raw.peer {
        None => None,
        Some(peer) => Some(
            parse_point_code(peer.get_ref(), format)
                .map_err(|m| (peer.span().start, format!("{field}.peer: {m}")))?,
        ),
    };
    Ok(Ss7SpanConfig { point, user_part, cic_base: cic_base as u16, peer })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_codes_parse_in_both_formats_up_to_their_limits() {
        let china = PointCodeFormat::China24;
        let itu = PointCodeFormat::Itu14;
        assert_eq!(parse_point_code("1-2-3", china).unwrap().value(), 0x01_02_03);
        assert_eq!(parse_point_code("255-255-255", china).unwrap().value(), 0xFF_FF_FF);
        assert!(parse_point_code("256-0-0", china).is_err());
        assert_eq!(parse_point_code("7-255-7", itu).unwrap().value(), 16383);
        assert!(parse_point_code("8-0-0", itu).is_err());
        assert_eq!(parse_point_code("16383", itu).unwrap().value(), 16383);
        assert!(parse_point_code("16384", itu).is_err());
        assert!(parse_point_code("1-2", china).is_err());
        assert!(parse_point_code("", china).is_err());
    }

    #[test]
    fn network_indicators_by_name_and_code() {
        assert_eq!(parse_ni("national").unwrap(), NetworkIndicator::National);
        assert_eq!(parse_ni("0").unwrap(), NetworkIndicator::International);
        assert_eq!(parse_ni("3").unwrap(), NetworkIndicator::NationalSpare);
        assert!(parse_ni("4").is_err());
    }

    #[test]
    fn link_places_name_a_ccs_span_and_a_timeslot() {
        let boards = [BoardShape { name: "a", ccs: vec![true, false] }];
        assert_eq!(parse_link_place("a:0:16", &boards), Ok((0, 0, 16)));
        assert_eq!(parse_link_place("a:0:31", &boards), Ok((0, 0, 31)));
        assert_eq!(parse_link_place("a:0:0", &boards).unwrap_err(), "\"a:0:0\": timeslot 0 is not 1 to 31");
        assert_eq!(
            parse_link_place("a:0:32", &boards).unwrap_err(),
            "\"a:0:32\": timeslot 32 is not 1 to 31"
        );
        assert_eq!(parse_link_place("a:2:16", &boards).unwrap_err(), "\"a:2:16\": board a has 2 span(s)");
        assert_eq!(
            parse_link_place("a:1:16", &boards).unwrap_err(),
            "\"a:1:16\": the span carries CAS; a signalling link needs signaling = \"ccs\""
        );
        assert_eq!(parse_link_place("b:0:16", &boards).unwrap_err(), "\"b:0:16\": no board named \"b\"");
        assert_eq!(
            parse_link_place("a:0", &boards).unwrap_err(),
            "\"a:0\": write a link as \"board:span:timeslot\""
        );
    }
}
