//! Test calls and signaling traces from the command line: `tdm call`, `tdm calls`,
//! `tdm hangup`, `tdm trace`. Clients of the control socket; the call engine of the running
//! system does the work.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tdm_callctl::{PcapWriter, TraceDirection};
use tdm_isdn::Side;
use tdm_isdn::wire::describe::describe_frame;

use crate::Result;
use crate::control::Client;
use crate::report::{calls_table, cas_trace_text, unhex};

/// Writes a line to standard output and flushes it (the output is followed live), returning
/// write errors instead of panicking on them as `println!` would.
fn say(line: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(line)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// How often `tdm call` looks for news of its call.
const FOLLOW_INTERVAL: Duration = Duration::from_millis(20);

/// `tdm call`: places a call and prints its progress until it ends. Interrupted, it hangs
/// the call up and still waits for the end. Succeeds when the call was answered.
pub fn call(
    socket: &Path,
    span: &str,
    number: &str,
    calling: Option<&str>,
    hangup_after: Option<f64>,
    stop: &AtomicBool,
) -> Result<()> {
    let hangup_after_ms = match hangup_after {
        None => None,
        Some(s) if s.is_finite() && (0.0..=86_400.0).contains(&s) => Some((s * 1000.0).round() as u64),
        Some(s) => return Err(format!("--hangup-after {s}: give seconds from 0 to 86400").into()),
    };
    let mut client = Client::connect(socket)?;
    let placed = client.call(json!({
        "cmd": "call", "span": span, "called": number, "calling": calling, "hangup_after_ms": hangup_after_ms
    }))?;
    let id = placed["call"].as_u64().ok_or("the system gave no call number")?;
    let from = calling.map_or(String::new(), |c| format!(" from {c}"));
    say(format_args!("call {id} on {span} to {number}{from}"))?;
    let mut seen = 0u64;
    let mut start_ms = None;
    let mut connected = false;
    let mut hung_up = false;
    loop {
        if stop.load(Ordering::Relaxed) && !hung_up {
            hung_up = true;
            // The call may have ended in the meantime: then there is nothing to hang up.
            let _ = client.call(json!({"cmd": "hangup", "call": id}));
        }
        let reply = client.call(json!({"cmd": "call_events", "since": seen, "call": id}))?;
        for event in reply["events"].as_array().into_iter().flatten() {
            seen = seen.max(event["seq"].as_u64().unwrap_or(0));
            let at = event["at_ms"].as_u64().unwrap_or(0);
            let start = *start_ms.get_or_insert(at);
            let offset = at.saturating_sub(start) as f64 / 1000.0;
            if let Some(line) = progress_line(event) {
                say(format_args!("{offset:>8.3} s  {line}"))?;
            }
            match event["event"].as_str() {
                Some("connected") => connected = true,
                Some("released") => {
                    if connected {
                        return Ok(());
                    }
                    return Err(format!("call {id} was not answered: {}", cause_text(event)).into());
                }
                _ => {}
            }
        }
        std::thread::sleep(FOLLOW_INTERVAL);
    }
}

fn cause_text(event: &Value) -> String {
    let by = if event["remote"] == json!(true) { "the far end" } else { "this side" };
    format!(
        "cause {} ({}), cleared by {by}",
        event["cause"].as_u64().unwrap_or(0),
        event["cause_text"].as_str().unwrap_or("?")
    )
}

/// What `tdm call` prints for one event of its call.
fn progress_line(event: &Value) -> Option<String> {
    let ts = event["timeslot"].as_u64().map_or(String::new(), |ts| format!(" on ts {ts}"));
    Some(match event["event"].as_str()? {
        "placed" => format!("placed{ts}"),
        "proceeding" => format!("proceeding{ts}"),
        "alerting" => "alerting".into(),
        "connected" => format!("connected{ts}"),
        "tone" => format!(
            "test tone heard: {} Hz at {:.1} dBm0",
            event["freq_hz"],
            event["level_dbm0"].as_f64().unwrap_or(f64::NAN)
        ),
        "problem" => format!(
            "the far end reports cause {} ({})",
            event["cause"],
            event["cause_text"].as_str().unwrap_or("?")
        ),
        "signal" => event["text"].as_str()?.to_string(),
        "released" => format!("released: {}", cause_text(event)),
        _ => return None,
    })
}

/// `tdm calls`.
pub fn calls(socket: &Path, as_json: bool) -> Result<()> {
    let mut client = Client::connect(socket)?;
    let reply = client.call(json!({"cmd": "calls"}))?;
    let calls = reply["calls"].as_array().cloned().unwrap_or_default();
    if as_json {
        say(format_args!("{}", serde_json::to_string_pretty(&Value::Array(calls))?))?;
        return Ok(());
    }
    // Ages in board time: the span's clock from the status.
    let status = client.call(json!({"cmd": "status"}))?;
    let now = status["spans"].as_array().and_then(|s| s.iter().filter_map(|s| s["at_ms"].as_u64()).max());
    say(format_args!("{}", calls_table(&calls, now).trim_end()))?;
    Ok(())
}

/// `tdm hangup`.
pub fn hangup(socket: &Path, call: u32, cause: u8) -> Result<()> {
    Client::connect(socket)?.call(json!({"cmd": "hangup", "call": call, "cause": cause}))?;
    Ok(())
}

/// `tdm trace`: the span's signaling until `count` records, `seconds` of wall clock, or an
/// interrupt. An ISDN span's D-channel frames are printed decoded or written to a pcap file; a
/// No.1 span's line signals and register signals are printed.
pub fn trace(
    socket: &Path,
    span: &str,
    pcap: Option<&Path>,
    count: Option<u64>,
    seconds: Option<f64>,
    stop: &AtomicBool,
) -> Result<()> {
    let limit = match seconds {
        None => None,
        Some(s) if s.is_finite() && s > 0.0 => Some(Duration::from_secs_f64(s.min(1e9))),
        Some(s) => return Err(format!("--seconds {s}: give a positive number").into()),
    };
    let mut client = Client::connect(socket)?;
    let started = Instant::now();
    let head = client.call(json!({"cmd": "trace", "span": span}))?;
    let cas = head["kind"] == json!("cas");
    if head["kind"] == json!("mtp2") {
        return crate::report_ss7::trace_mtp2(
            &mut client,
            &head,
            span,
            pcap,
            count,
            limit.and_then(|l| started.checked_add(l)),
            stop,
        );
    }
    let network = head["network"] == json!(true);
    let ours = if network { Side::Network } else { Side::User };
    let side = if network { "network" } else { "user" };
    let mut writer = match pcap {
        Some(_) if cas => {
            return Err(format!(
                "span {span} signals with ABCD bits and register tones, which no pcap link type carries: \
                 trace it without --pcap"
            )
            .into());
        }
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(
                PcapWriter::new(std::io::BufWriter::new(file))
                    .map_err(|e| format!("{}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    match pcap {
        None if cas => say(format_args!("trace of {span} (line and register signals); stop with Ctrl-C"))?,
        None => say(format_args!("trace of {span} ({side} side); stop with Ctrl-C"))?,
        Some(path) => eprintln!("tracing {span} ({side} side) into {}; stop with Ctrl-C", path.display()),
    }
    let mut records = 0u64;
    while count.is_none_or(|c| records < c)
        && limit.is_none_or(|l| started.elapsed() < l)
        && !stop.load(Ordering::Relaxed)
    {
        let Some(line) = client.next_streamed(Duration::from_millis(200))? else { continue };
        let (Some(at), Some(dir)) = (line["at_us"].as_u64(), line["dir"].as_str()) else { continue };
        let direction = if dir == "tx" { TraceDirection::Sent } else { TraceDirection::Received };
        let arrow = if direction == TraceDirection::Sent { "->" } else { "<-" };
        let text = if cas {
            let Some(text) = cas_trace_text(&line) else { continue };
            text
        } else {
            let Some(hex) = line["frame"].as_str() else { continue };
            let frame = unhex(hex)?;
            if let Some(writer) = writer.as_mut() {
                writer.write(at, direction, network, &frame)?;
                records += 1;
                continue;
            }
            let sender = if direction == TraceDirection::Sent { ours } else { ours.peer() };
            describe_frame(&frame, sender).to_string()
        };
        records += 1;
        if let Err(e) = say(format_args!("{:>6}.{:06} {span} {arrow} {text}", at / 1_000_000, at % 1_000_000))
        {
            // Piped into `head`: the reader has seen enough.
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(());
            }
            return Err(e.into());
        }
    }
    if let Some(path) = pcap {
        eprintln!("{records} frame(s) of {span} written to {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_read_like_a_test_call() {
        let line = |v: Value| progress_line(&v).unwrap();
        assert_eq!(line(json!({"event": "proceeding", "timeslot": 5})), "proceeding on ts 5");
        assert_eq!(line(json!({"event": "alerting", "timeslot": 5})), "alerting");
        assert_eq!(
            line(json!({"event": "tone", "freq_hz": 1004, "level_dbm0": -10.04})),
            "test tone heard: 1004 Hz at -10.0 dBm0"
        );
        assert_eq!(
            line(json!({"event": "released", "cause": 21, "cause_text": "call rejected", "remote": true})),
            "released: cause 21 (call rejected), cleared by the far end"
        );
        assert_eq!(progress_line(&json!({"event": "link_up"})), None);
        assert_eq!(line(json!({"event": "signal", "text": "B2: called line busy"})), "B2: called line busy");
        assert_eq!(progress_line(&json!({"event": "signal"})), None);
    }
}

/// `tdm cic block|unblock|reset <span> <cic or first-last>`.
pub fn cic(socket: &Path, action: &str, span: &str, cics: &str) -> Result<()> {
    let (first, last) = parse_cic_range(cics)?;
    Client::connect(socket)?
        .call(json!({"cmd": "cic", "span": span, "action": action, "first": first, "last": last}))?;
    let which = if first == last { format!("CIC {first}") } else { format!("CICs {first}-{last}") };
    let done = match action {
        "block" => "blocking",
        "unblock" => "unblocking",
        _ => "resetting",
    };
    say(format_args!("{span}: {done} {which}"))?;
    Ok(())
}

/// A CIC (`5`) or a range (`1-31`), each 0 to 4095, the range ascending.
pub fn parse_cic_range(text: &str) -> std::result::Result<(u16, u16), String> {
    let cic = |s: &str| match s.trim().parse::<u16>() {
        Ok(v) if v <= 4095 => Ok(v),
        _ => Err(format!("{s:?} is not a CIC (0 to 4095)")),
    };
    let (first, last) = match text.split_once('-') {
        None => (cic(text)?, cic(text)?),
        Some((a, b)) => (cic(a)?, cic(b)?),
    };
    if last < first {
        return Err(format!("CIC range {text}: the last is below the first"));
    }
    Ok((first, last))
}

#[cfg(test)]
mod cic_tests {
    use super::parse_cic_range;

    #[test]
    fn cic_ranges_parse_to_their_limits() {
        assert_eq!(parse_cic_range("5"), Ok((5, 5)));
        assert_eq!(parse_cic_range("1-31"), Ok((1, 31)));
        assert_eq!(parse_cic_range("0-4095"), Ok((0, 4095)));
        assert_eq!(parse_cic_range("4096"), Err("\"4096\" is not a CIC (0 to 4095)".into()));
        assert_eq!(parse_cic_range("9-3"), Err("CIC range 9-3: the last is below the first".into()));
        assert!(parse_cic_range("a").is_err());
    }
}
