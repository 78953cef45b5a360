//! How span state is shown: the JSON the control socket speaks, and the text people read.

use serde_json::{Value, json};
use tdm_callctl::{CallEvent, CallInfo, EventKind, TraceRecord};
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
            out.push_str(&format!(
                "{:<width$}  {}: link {}, {} call(s)\n",
                "",
                sig["stack"].as_str().unwrap_or("?"),
                sig["link"].as_str().unwrap_or("?"),
                sig["calls"]
            ));
        }
    }
    out
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
        _ => {}
    }
    value
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
