//! How span state is shown: the JSON the control socket speaks, and the text people read.

use serde_json::{Value, json};
use tdm_driver::framer::{Alarms, SyncState};
use tdm_driver::{BertReport, Loopback, SpanReport};

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
