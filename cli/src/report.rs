//! How span state is shown: the JSON the control socket speaks, and the text people read.

use serde_json::{Value, json};
use tdm_callctl::engine::SpanInfo;
use tdm_callctl::no1::MeaningText;
use tdm_callctl::{
    CallEvent, CallInfo, CasTraceEvent, CasTraceRecord, ChannelStatus, EventKind, SignalingChannel,
    TraceRecord,
};
use tdm_driver::framer::{Alarms, SyncState};
use tdm_driver::{BertReport, Loopback, SpanReport};
use tdm_isdn::q931::channels::b_channel_of;

pub fn alarm_names(alarms: Alarms) -> Vec<&'static str> {
    let names: Vec<&'static str> = alarms.iter_names().map(|(n, _)| n).collect();
    if names.is_empty() { vec!["none"] } else { names }
}

pub fn sync_name(s: SyncState) -> &'static str {
    match s {
        SyncState::Searching => "searching",
        SyncState::FrameAligned => "frame",
        SyncState::MultiframeAligned => "crc4-multiframe",
    }
}

pub fn loopback_name(l: Loopback) -> &'static str {
    match l {
        Loopback::None => "none",
        Loopback::Local => "local",
        Loopback::Remote => "remote",
    }
}

pub fn bert_json(b: &BertReport) -> Value {
    json!({
        "pattern": b.pattern.to_string(),
        "timeslots": timeslot_list(b.timeslots),
        "in_sync": b.in_sync,
        "bits": b.bits,
        "errors": b.errors,
        "ber": b.ber(),
        "sync_losses": b.sync_losses,
        "injected": b.injected,
        "elapsed_ms": b.elapsed_ms,
    })
}

pub fn span_json(name: &str, r: &SpanReport) -> Value {
    let c = &r.counters;
    json!({
        "span": name,
        "at_ms": r.at_ms,
        "sync": sync_name(r.sync),
        "alarms": alarm_names(r.alarms).into_iter().filter(|n| *n != "none").collect::<Vec<_>>(),
        "crc4_active": r.crc4_active,
        "cas_aligned": r.cas_aligned,
        "cas_remote_alarm": r.cas_remote_alarm,
        "loopback": loopback_name(r.loopback),
        "tx_latency_ms": r.tx_latency_ms,
        "counters": {
            "frames": c.frames,
            "fas_errors": c.fas_errors,
            "crc4_errors": c.crc4_errors,
            "e_bit_errors": c.e_bit_errors,
            "alignment_losses": c.alignment_losses,
            "line_code_violations": c.line_code_violations,
            "slips": c.slips(),
            "slips_deleted": c.slips_deleted,
            "slips_repeated": c.slips_repeated,
            "rx_overruns": c.rx_overruns,
            "tx_underruns": c.tx_underruns,
            "seconds": c.seconds,
            "errored_seconds": c.errored_seconds,
            "severely_errored_seconds": c.severely_errored_seconds,
        },
        "bert": r.bert.as_ref().map(bert_json),
    })
}

/// "1-15,17-31" for a timeslot mask.
pub fn timeslot_list(mask: u32) -> String {
    let mut parts = Vec::new();
    let mut ts = 0;
    while ts < 32 {
        if mask & (1 << ts) != 0 {
            let start = ts;
            while ts + 1 < 32 && mask & (1 << (ts + 1)) != 0 {
                ts += 1;
            }
            parts.push(if start == ts { format!("{start}") } else { format!("{start}-{ts}") });
        }
        ts += 1;
    }
    parts.join(",")
}

/// Parses "1-31", "5", "1-15,17-31" into a mask.
pub fn parse_timeslots(text: &str) -> Result<u32, String> {
    let mut mask = 0u32;
    for part in text.split(',').map(str::trim) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let parse = |s: &str| {
            s.trim()
                .parse::<u32>()
                .ok()
                .filter(|&t| (1..32).contains(&t))
                .ok_or_else(|| format!("timeslots {text:?}: {s:?} is not a timeslot from 1 to 31"))
        };
        let (a, b) = (parse(a)?, parse(b)?);
        if a > b {
            return Err(format!("timeslots {text:?}: range {a}-{b} runs backwards"));
        }
        for t in a..=b {
            mask |= 1 << t;
        }
    }
    Ok(mask)
}

/// The `tdm status` table, from the JSON the control socket returns.
pub fn status_table(spans: &[Value]) -> String {
    let mut out = String::new();
    let width = spans.iter().filter_map(|s| s["span"].as_str()).map(str::len).max().unwrap_or(4).max(4);
    out.push_str(&format!(
        "{:<width$}  {:<15} {:<16} {:>8} {:>8} {:>8} {:>8} {:>6} {:>5} {:>5}  {}\n",
        "SPAN", "SYNC", "ALARMS", "FAS-ERR", "CRC-ERR", "E-BIT", "LCV", "SLIPS", "ES", "SES", "LOOPBACK"
    ));
    for s in spans {
        let c = &s["counters"];
        let n = |field: &str| c[field].as_u64().unwrap_or(0);
        let alarms: Vec<&str> =
            s["alarms"].as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect()).unwrap_or_default();
        let alarms = if alarms.is_empty() { "-".to_string() } else { alarms.join(",") };
        out.push_str(&format!(
            "{:<width$}  {:<15} {:<16} {:>8} {:>8} {:>8} {:>8} {:>6} {:>5} {:>5}  {}\n",
            s["span"].as_str().unwrap_or("?"),
            s["sync"].as_str().unwrap_or("?"),
            alarms,
            n("fas_errors"),
            n("crc4_errors"),
            n("e_bit_errors"),
            n("line_code_violations"),
            n("slips"),
            n("errored_seconds"),
            n("severely_errored_seconds"),
            s["loopback"].as_str().unwrap_or("?"),
        ));
        if s["bert"].is_object() {
            out.push_str(&format!("{:<width$}  {}\n", "", bert_line(&s["bert"])));
        }
        let sig = &s["signaling"];
        if sig.is_object() {
            let what = if sig["channels"].is_array() { "line" } else { "link" };
            out.push_str(&format!(
                "{:<width$}  {}: {what} {}, {} call(s)\n",
                "",
                sig["stack"].as_str().unwrap_or("?"),
                sig["link"].as_str().unwrap_or("?"),
                sig["calls"]
            ));
            if let Some(channels) = sig["channels"].as_array() {
                out.push_str(&channel_grid(channels, width + 2));
            }
        }
        out.push_str(&crate::report_ss7::status_lines(s, width + 2));
    }
    out
}

/// Channels per row of the status table.
const GRID_COLUMNS: usize = 3;

/// The channels of a CAS span, three to a row, each as timeslot, line state and the ABCD
/// nibbles sent and received: ` 1 answered  0011 0111`.
fn channel_grid(channels: &[Value], indent: usize) -> String {
    let mut out = String::new();
    let cell = |c: &Value| {
        format!(
            "{:>2} {:<9} {} {}",
            c["timeslot"].as_u64().unwrap_or(0),
            c["line"].as_str().unwrap_or("?"),
            c["tx_abcd"].as_str().unwrap_or("????"),
            c["rx_abcd"].as_str().unwrap_or("????")
        )
    };
    let header = vec!["TS LINE      TX   RX  "; GRID_COLUMNS.min(channels.len())].join("   ");
    out.push_str(&format!("{:indent$}{}\n", "", header.trim_end()));
    for row in channels.chunks(GRID_COLUMNS) {
        let cells: Vec<String> = row.iter().map(cell).collect();
        out.push_str(&format!("{:indent$}{}\n", "", cells.join("   ")));
    }
    out
}

/// A span's signaling as the status request reports it.
pub fn signaling_json(span: &SpanInfo) -> Value {
    let link = if span.link_up { "up" } else { "down" };
    match span.signaling {
        SignalingChannel::Hdlc { .. } => json!({
            "stack": span.description,
            "side": if span.network { "network" } else { "user" },
            "link": link,
            "calls": span.calls,
        }),
        SignalingChannel::Cas => json!({
            "stack": span.description,
            "link": link,
            "calls": span.calls,
            "channels": span.channels.iter().map(channel_json).collect::<Vec<_>>(),
        }),
        SignalingChannel::Mtp { .. } => crate::report_ss7::circuits_signaling_json(span),
    }
}

/// One channel of a CAS span.
pub fn channel_json(channel: &ChannelStatus) -> Value {
    json!({
        "timeslot": channel.timeslot,
        "line": channel.line.as_str(),
        "state": channel.detail,
        "tx_abcd": format!("{:04b}", channel.tx_abcd),
        "rx_abcd": format!("{:04b}", channel.rx_abcd),
    })
}

/// A call as the control socket lists it.
pub fn call_json(call: &CallInfo) -> Value {
    json!({
        "call": call.id.0,
        "span": call.span,
        "timeslot": call.timeslot,
        "b_channel": call.timeslot.and_then(b_channel_of),
        "direction": call.direction.as_str(),
        "called": call.called,
        "calling": call.calling,
        "phase": call.phase.as_str(),
        "state": call.state,
        "started_ms": call.started_ms,
        "connected_ms": call.connected_ms,
        "tone": call.tone.map(|t| json!({"freq_hz": t.freq_hz, "level_dbm0": round1(t.level_dbm0)})),
    })
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// An entry of the call engine's log as the control socket sends it.
pub fn call_event_json(event: &CallEvent) -> Value {
    let mut value = json!({
        "seq": event.seq,
        "at_ms": event.at_ms,
        "span": event.span,
        "call": event.call.map(|c| c.0),
        "timeslot": event.timeslot,
        "event": event.kind.name(),
    });
    match &event.kind {
        EventKind::Offered { called, calling } | EventKind::Placed { called, calling } => {
            value["called"] = json!(called);
            value["calling"] = json!(calling);
        }
        EventKind::Released { cause, remote } => {
            value["cause"] = json!(cause.to_u8());
            value["cause_text"] = json!(cause.name());
            value["remote"] = json!(remote);
        }
        EventKind::Problem { cause } => {
            value["cause"] = json!(cause.to_u8());
            value["cause_text"] = json!(cause.name());
        }
        EventKind::ToneHeard(tone) => {
            value["freq_hz"] = json!(tone.freq_hz);
            value["level_dbm0"] = json!(round1(tone.level_dbm0));
        }
        EventKind::Signal { text } => value["text"] = json!(text),
        EventKind::ChannelFault { reason } => value["reason"] = json!(reason),
        _ => {}
    }
    value
}

/// One line of a CAS span's trace stream: a line signal
/// `{"at_us":..,"dir":"rx","ts":5,"abcd":"0011","signal":"seize"}` or a register signal
/// `{"at_us":..,"dir":"tx","ts":5,"mfc":1,"edge":"on","meaning":"DNIS digit 1"}` (no meaning
/// on `off`).
pub fn cas_trace_json(record: &CasTraceRecord) -> Value {
    let mut value = json!({
        "at_us": record.at.as_micros(),
        "dir": record.direction.as_str(),
        "ts": record.timeslot,
    });
    match record.event {
        CasTraceEvent::Abcd { abcd, signal } => {
            value["abcd"] = json!(format!("{abcd:04b}"));
            value["signal"] = json!(signal.to_string());
        }
        CasTraceEvent::Register { code, edge, meaning } => {
            value["mfc"] = json!(code);
            value["edge"] = json!(edge.as_str());
            if let Some(meaning) = meaning {
                value["meaning"] = json!(MeaningText(meaning).to_string());
            }
        }
    }
    value
}

/// A CAS trace line as `tdm trace` prints it after the time, span and arrow:
/// `ts  5 ABCD 0011 seize`, `ts  5 MFC 1 on (DNIS digit 1)`, `ts  5 MFC 1 off`.
pub fn cas_trace_text(line: &Value) -> Option<String> {
    let ts = line["ts"].as_u64()?;
    if let Some(abcd) = line["abcd"].as_str() {
        return Some(format!("ts {ts:>2} ABCD {abcd} {}", line["signal"].as_str().unwrap_or("?")));
    }
    let code = line["mfc"].as_u64()?;
    let edge = line["edge"].as_str()?;
    Some(match line["meaning"].as_str() {
        Some(meaning) => format!("ts {ts:>2} MFC {code} {edge} ({meaning})"),
        None => format!("ts {ts:>2} MFC {code} {edge}"),
    })
}

/// One line of a trace stream.
pub fn trace_json(record: &TraceRecord) -> Value {
    json!({
        "at_us": record.at.as_micros(),
        "dir": record.direction.as_str(),
        "frame": hex(record.frame.bytes()),
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The octets of a hex string (as [`hex`] writes them).
pub fn unhex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return Err(format!("{text:?} is not hex octets"));
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|_| format!("{text:?} is not hex octets")))
        .collect()
}

/// The `tdm calls` table, from the JSON the control socket returns.
pub fn calls_table(calls: &[Value], now_ms: Option<u64>) -> String {
    let mut out = format!(
        "{:<6} {:<10} {:>3} {:>3}  {:<3} {:<16} {:<16} {:<11} {:<26} {:>8}\n",
        "CALL", "SPAN", "TS", "B", "DIR", "CALLED", "CALLING", "PHASE", "STATE", "AGE"
    );
    for c in calls {
        let text = |v: &Value| v.as_str().map_or("-".to_string(), str::to_string);
        let number = |v: &Value| v.as_u64().map_or("-".to_string(), |n| n.to_string());
        let age = match (now_ms, c["started_ms"].as_u64()) {
            (Some(now), Some(start)) => format!("{:.1} s", now.saturating_sub(start) as f64 / 1000.0),
            _ => "-".into(),
        };
        out.push_str(&format!(
            "{:<6} {:<10} {:>3} {:>3}  {:<3} {:<16} {:<16} {:<11} {:<26} {:>8}\n",
            number(&c["call"]),
            text(&c["span"]),
            number(&c["timeslot"]),
            number(&c["b_channel"]),
            text(&c["direction"]),
            text(&c["called"]),
            text(&c["calling"]),
            text(&c["phase"]),
            text(&c["state"]),
            age,
        ));
    }
    out
}

pub fn bert_line(b: &Value) -> String {
    let ber = b["ber"].as_f64().map_or("-".to_string(), |v| format!("{v:.2e}"));
    format!(
        "BERT {} on ts {}: {}, {} bits, {} errors, BER {ber}, sync losses {}",
        b["pattern"].as_str().unwrap_or("?"),
        b["timeslots"].as_str().unwrap_or("?"),
        if b["in_sync"].as_bool() == Some(true) { "in sync" } else { "NO SYNC" },
        b["bits"],
        b["errors"],
        b["sync_losses"],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_their_events_in_json_and_as_a_table() {
        use tdm_base::Cause;
        use tdm_callctl::{CallDirection, CallId, CallPhase, ToneReport};
        let call = CallInfo {
            id: CallId(7),
            span: "b:0".into(),
            timeslot: Some(17),
            direction: CallDirection::Outgoing,
            called: "1234".into(),
            calling: Some("5678".into()),
            phase: CallPhase::Connected,
            state: "U10 active".into(),
            started_ms: 1000,
            connected_ms: Some(1020),
            tone: Some(ToneReport { freq_hz: 1004, level_dbm0: -10.04, at_ms: 1250 }),
        };
        let value = call_json(&call);
        assert_eq!(
            value,
            json!({"call": 7, "span": "b:0", "timeslot": 17, "b_channel": 16, "direction": "out",
                   "called": "1234", "calling": "5678", "phase": "connected", "state": "U10 active",
                   "started_ms": 1000, "connected_ms": 1020, "tone": {"freq_hz": 1004, "level_dbm0": -10.0}})
        );
        let table = calls_table(&[value], Some(3500));
        assert_eq!(
            table.lines().nth(1).unwrap(),
            "7      b:0         17  16  out 1234             5678             connected   U10 active                    2.5 s"
        );
        let released = CallEvent {
            seq: 9,
            at_ms: 4000,
            span: "b:0".into(),
            call: Some(CallId(7)),
            timeslot: Some(17),
            kind: EventKind::Released { cause: Cause::NormalClearing, remote: false },
        };
        assert_eq!(
            call_event_json(&released),
            json!({"seq": 9, "at_ms": 4000, "span": "b:0", "call": 7, "timeslot": 17, "event": "released",
                   "cause": 16, "cause_text": "normal call clearing", "remote": false})
        );
    }

    #[test]
    fn a_no1_span_reports_each_channel_with_its_nibbles() {
        use tdm_callctl::LineState;
        let channel = |timeslot: u8, line: LineState, detail: &'static str, tx: u8, rx: u8| ChannelStatus {
            timeslot,
            line,
            detail,
            tx_abcd: tx,
            rx_abcd: rx,
        };
        let span = SpanInfo {
            name: "b:0".into(),
            description: "China No.1",
            signaling: SignalingChannel::Cas,
            network: false,
            link_up: true,
            calls: 1,
            now_ms: 5000,
            channels: vec![
                channel(1, LineState::Answered, "answered (out)", 0x3, 0x7),
                channel(2, LineState::Idle, "idle", 0xB, 0xB),
                channel(3, LineState::Blocked, "blocked by the far end", 0xB, 0xF),
                channel(17, LineState::Fault, "line fault", 0xB, 0x5),
            ],
            circuits: Vec::new(),
        };
        let value = signaling_json(&span);
        assert_eq!(
            value["channels"][0],
            json!({"timeslot": 1, "line": "answered", "state": "answered (out)", "tx_abcd": "0011", "rx_abcd": "0111"})
        );
        assert_eq!(
            (value["stack"].as_str(), value["link"].as_str(), value["calls"].as_u64()),
            (Some("China No.1"), Some("up"), Some(1))
        );
        assert!(value.get("side").is_none(), "No.1 has no network side");
        let status = json!({"span": "b:0", "sync": "crc4-multiframe", "alarms": [], "counters": {}, "loopback": "none", "signaling": value});
        let table = status_table(&[status]);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[2], "      China No.1: line up, 1 call(s)");
        assert_eq!(lines[3], "      TS LINE      TX   RX     TS LINE      TX   RX     TS LINE      TX   RX");
        assert_eq!(
            lines[4],
            "       1 answered  0011 0111    2 idle      1011 1011    3 blocked   1011 1111"
        );
        assert_eq!(lines[5], "      17 fault     1011 0101");
        assert_eq!(lines.len(), 6);
        let isdn = SpanInfo {
            signaling: SignalingChannel::Hdlc { timeslot: 16 },
            network: true,
            channels: Vec::new(),
            circuits: Vec::new(),
            ..span
        };
        assert_eq!(
            signaling_json(&isdn),
            json!({"stack": "China No.1", "side": "network", "link": "up", "calls": 1})
        );
    }

    #[test]
    fn cas_trace_lines_carry_line_and_register_signals() {
        use tdm_base::Instant;
        use tdm_callctl::no1::GroupA;
        use tdm_callctl::trace::{LineSignal, Meaning};
        use tdm_callctl::{RegisterEdge, TraceDirection};
        let record = |direction, event| CasTraceRecord {
            at: Instant::from_micros(12_345_678),
            direction,
            timeslot: 5,
            event,
        };
        let seize = cas_trace_json(&record(
            TraceDirection::Received,
            CasTraceEvent::Abcd { abcd: 0x3, signal: LineSignal::Seize },
        ));
        assert_eq!(
            seize,
            json!({"at_us": 12_345_678, "dir": "rx", "ts": 5, "abcd": "0011", "signal": "seize"})
        );
        assert_eq!(cas_trace_text(&seize).as_deref(), Some("ts  5 ABCD 0011 seize"));
        let on = cas_trace_json(&record(
            TraceDirection::Sent,
            CasTraceEvent::Register {
                code: 6,
                edge: RegisterEdge::Pulse,
                meaning: Some(Meaning::A(GroupA::SendCategory)),
            },
        ));
        assert_eq!(
            on,
            json!({"at_us": 12_345_678, "dir": "tx", "ts": 5, "mfc": 6, "edge": "pulse", "meaning": "A: send category"})
        );
        assert_eq!(cas_trace_text(&on).as_deref(), Some("ts  5 MFC 6 pulse (A: send category)"));
        let off = cas_trace_json(&record(
            TraceDirection::Sent,
            CasTraceEvent::Register { code: 6, edge: RegisterEdge::Off, meaning: None },
        ));
        assert_eq!(cas_trace_text(&off).as_deref(), Some("ts  5 MFC 6 off"));
        assert_eq!(cas_trace_text(&json!({"at_us": 1})), None);
    }

    #[test]
    fn frames_travel_as_hex() {
        assert_eq!(hex(&[0x02, 0x01, 0x7F]), "02017f");
        assert_eq!(unhex("02017f").unwrap(), vec![0x02, 0x01, 0x7F]);
        assert_eq!(unhex("").unwrap(), Vec::<u8>::new());
        assert!(unhex("0").is_err());
        assert!(unhex("zz").is_err());
        assert!(unhex("é1").is_err());
    }

    #[test]
    fn timeslot_lists_round_trip() {
        assert_eq!(parse_timeslots("1-31").unwrap(), !1u32);
        assert_eq!(timeslot_list(!1u32), "1-31");
        assert_eq!(parse_timeslots("1-15,17-31").unwrap(), !1u32 & !(1 << 16));
        assert_eq!(timeslot_list(!1u32 & !(1 << 16)), "1-15,17-31");
        assert_eq!(parse_timeslots("5").unwrap(), 1 << 5);
        assert_eq!(
            parse_timeslots("0").unwrap_err(),
            "timeslots \"0\": \"0\" is not a timeslot from 1 to 31"
        );
        assert_eq!(parse_timeslots("9-3").unwrap_err(), "timeslots \"9-3\": range 9-3 runs backwards");
    }
}
