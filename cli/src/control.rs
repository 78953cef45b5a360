//! The control socket: JSON lines over a Unix stream socket (protocol in
//! `docs/control-protocol.md`). One request line in, one response line out.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use tdm_base::Cause;
use tdm_callctl::{CallId, CallRequest, CircuitAction, SignalingChannel};
use tdm_driver::bert::Pattern;
use tdm_driver::{Loopback, Timeslots};

use crate::report::{
    call_event_json, call_json, cas_trace_json, parse_timeslots, signaling_json, span_json, trace_json,
};
use crate::system::System;

#[derive(Debug, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    Status,
    Loopback {
        span: String,
        mode: String,
    },
    TimeslotLoopback {
        span: String,
        timeslot: u8,
        on: bool,
    },
    BertStart {
        span: String,
        pattern: String,
        timeslots: String,
    },
    BertStop {
        span: String,
    },
    BertInject {
        span: String,
        count: u32,
    },
    Events {
        since: u64,
    },
    Fault {
        cable: String,
        kind: String,
        duration_ms: Option<u64>,
        on: Option<bool>,
        ber: Option<f64>,
    },
    Call {
        span: String,
        called: String,
        calling: Option<String>,
        hangup_after_ms: Option<u64>,
    },
    Calls,
    Hangup {
        call: u32,
        cause: Option<u8>,
    },
    CallEvents {
        since: u64,
        call: Option<u32>,
    },
    Restart {
        span: String,
    },
    /// Turns the connection into a stream of the span's signaling frames (see `stream_trace`).
    Trace {
        span: String,
    },
    Cic {
        span: String,
        action: String,
        first: u16,
        last: Option<u16>,
    },
}

/// Serves the socket until the process ends. A stale socket file from a dead system is
/// replaced; a live one is an error (another system owns it).
pub fn serve(system: Arc<System>, path: &Path) -> Result<std::thread::JoinHandle<()>, String> {
    if UnixStream::connect(path).is_ok() {
        return Err(format!("{}: another tdm system is already serving this socket", path.display()));
    }
    let _ = std::fs::remove_file(path);
    let listener = UnixListener::bind(path).map_err(|e| format!("{}: cannot listen: {e}", path.display()))?;
    Ok(std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let system = system.clone();
            std::thread::spawn(move || serve_client(&system, stream));
        }
    }))
}

fn serve_client(system: &System, stream: UnixStream) {
    let Ok(write_half) = stream.try_clone() else { return };
    let mut out = std::io::BufWriter::new(write_half);
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        if line.trim().is_empty() {
            continue;
        }
        let response = match serde_json::from_str::<Request>(&line) {
            Ok(Request::Trace { span }) => {
                stream_trace(system, &span, &mut out);
                return;
            }
            Ok(request) => handle(system, request).unwrap_or_else(|e| json!({"ok": false, "error": e})),
            Err(e) => json!({"ok": false, "error": format!("bad request: {e}")}),
        };
        if writeln!(out, "{response}").and_then(|_| out.flush()).is_err() {
            return;
        }
    }
}

/// How long a trace stream waits for a frame before checking that its client is still there.
const TRACE_IDLE: Duration = Duration::from_millis(500);

/// Answers a trace request, then writes one line per record until the client goes away:
/// `{"ok":true,"span":"a:0","network":true,"kind":"lapd"}`, then
/// `{"at_us":..,"dir":"tx","frame":"0201.."}` per frame; on a CAS span `"kind":"cas"`, then one
/// line per line signal or register signal; on a span with signalling links `"kind":"mtp2"`
/// with `"point_codes"`, then one line per signal unit (see `docs/control-protocol.md`).
fn stream_trace(system: &System, span: &str, out: &mut std::io::BufWriter<UnixStream>) {
    let kind = system
        .calls
        .spans()
        .ok()
        .and_then(|spans| spans.iter().find(|s| s.name == span).map(|s| s.signaling));
    let cas = kind == Some(SignalingChannel::Cas);
    let mtp = matches!(kind, Some(SignalingChannel::Mtp { .. }));
    let refuse = |out: &mut std::io::BufWriter<UnixStream>, error: tdm_callctl::CallError| {
        let _ =
            writeln!(out, "{}", json!({"ok": false, "error": error.to_string()})).and_then(|_| out.flush());
    };
    let head =
        |network: bool, kind: &str| json!({"ok": true, "span": span, "network": network, "kind": kind});
    if cas {
        match system.calls.subscribe_cas_trace(span) {
            Ok(records) => stream_records(out, head(false, "cas"), &records, cas_trace_json),
            Err(e) => refuse(out, e),
        }
    } else {
        match system.calls.subscribe_trace(span) {
            Ok((network, records)) if mtp => {
                let mut head = head(network, "mtp2");
                head["point_codes"] = json!(link_point_codes(system, span));
                stream_records(out, head, &records, trace_json)
            }
            Ok((network, records)) => stream_records(out, head(network, "lapd"), &records, trace_json),
            Err(e) => refuse(out, e),
        }
    }
}

/// The point-code format of the routing labels on the signalling links of `span`
/// (`board:span`): `"china"` (24 bits) or `"itu"` (14 bits), from the point whose link runs
/// there; ITU when none is found (the trace then has no MSUs to label anyway).
fn link_point_codes(system: &System, span: &str) -> &'static str {
    let on_span = |at: &str| at.rsplit_once(':').is_some_and(|(s, _)| s == span);
    let format = system.calls.points().ok().and_then(|points| {
        points.iter().find(|p| p.link_names.iter().any(|(_, at)| on_span(at))).map(|p| p.snapshot.format)
    });
    match format {
        Some(tdm_ss7::PointCodeFormat::China24) => "china",
        _ => "itu",
    }
}

/// Writes `head`, then each record as one line, batched, until the client leaves.
fn stream_records<T>(
    out: &mut std::io::BufWriter<UnixStream>,
    head: Value,
    records: &crossbeam_channel::Receiver<T>,
    to_json: fn(&T) -> Value,
) {
    if writeln!(out, "{head}").and_then(|_| out.flush()).is_err() {
        return;
    }
    loop {
        match records.recv_timeout(TRACE_IDLE) {
            Ok(record) => {
                if writeln!(out, "{}", to_json(&record)).is_err() {
                    return;
                }
                for record in records.try_iter() {
                    if writeln!(out, "{}", to_json(&record)).is_err() {
                        return;
                    }
                }
                if out.flush().is_err() {
                    return;
                }
            }
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                // An idle signaling channel writes nothing for a while: look for a client
                // that left.
                if !peer_connected(out.get_ref()) {
                    return;
                }
            }
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Whether the other end of a stream socket is still open (a non-blocking peek reads 0 once
/// it closed).
fn peer_connected(stream: &UnixStream) -> bool {
    use nix::sys::socket::{MsgFlags, recv};
    use std::os::fd::AsRawFd;
    let mut byte = [0u8; 1];
    match recv(stream.as_raw_fd(), &mut byte, MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT) {
        Ok(0) => false,
        Ok(_) => true,
        Err(nix::errno::Errno::EAGAIN) => true,
        Err(_) => false,
    }
}

pub fn handle(system: &System, request: Request) -> Result<Value, String> {
    match request {
        Request::Status => {
            let signaling = system.calls.spans().map_err(|e| e.to_string())?;
            let points = system.calls.points().map_err(|e| e.to_string())?;
            let mut spans = Vec::new();
            for b in &system.boards {
                for i in 0..b.handle.span_count() {
                    if let Some(r) = b.handle.report(i) {
                        let name = format!("{}:{i}", b.name);
                        let mut span = span_json(&name, &r);
                        span["signaling"] =
                            signaling.iter().find(|s| s.name == name).map_or(Value::Null, signaling_json);
                        let links = crate::report_ss7::links_json(&points, &name);
                        if !links.is_empty() {
                            span["ss7"] = Value::Array(links);
                        }
                        spans.push(span);
                    }
                }
            }
            Ok(json!({"ok": true, "spans": spans}))
        }
        Request::Call { span, called, calling, hangup_after_ms } => {
            let request = CallRequest { span, called, calling, hangup_after_ms };
            let call = system.calls.place_call(request).map_err(|e| e.to_string())?;
            Ok(json!({"ok": true, "call": call.0}))
        }
        Request::Calls => {
            let calls: Vec<Value> =
                system.calls.calls().map_err(|e| e.to_string())?.iter().map(call_json).collect();
            Ok(json!({"ok": true, "calls": calls}))
        }
        Request::Hangup { call, cause } => {
            let cause = match cause {
                None => Cause::NormalClearing,
                Some(value @ 1..=127) => Cause::from_u8(value),
                Some(other) => return Err(format!("cause {other} is not a Q.850 cause (1 to 127)")),
            };
            system.calls.hangup(CallId(call), cause).map_err(|e| e.to_string())?;
            Ok(json!({"ok": true}))
        }
        Request::CallEvents { since, call } => {
            let events: Vec<Value> = system
                .calls
                .events_since(since)
                .map_err(|e| e.to_string())?
                .iter()
                .filter(|e| call.is_none_or(|c| e.call == Some(CallId(c))))
                .map(call_event_json)
                .collect();
            Ok(json!({"ok": true, "events": events}))
        }
        Request::Restart { span } => {
            system.calls.restart(&span).map_err(|e| e.to_string())?;
            Ok(json!({"ok": true}))
        }
        Request::Cic { span, action, first, last } => {
            let action = match action.as_str() {
                "block" => CircuitAction::Block,
                "unblock" => CircuitAction::Unblock,
                "reset" => CircuitAction::Reset,
                other => return Err(format!("circuit action {other:?}: use block, unblock or reset")),
            };
            let last = last.unwrap_or(first);
            if last < first {
                return Err(format!("CIC range {first}-{last} runs backwards"));
            }
            system.calls.circuit_maintenance(&span, action, first, last).map_err(|e| e.to_string())?;
            Ok(json!({"ok": true}))
        }
        Request::Trace { .. } => {
            Err("a trace is a stream: send it as the first request of a connection".into())
        }
        Request::Loopback { span, mode } => {
            let (b, i) = system.span(&span)?;
            let mode = match mode.as_str() {
                "none" | "off" => Loopback::None,
                "local" => Loopback::Local,
                "remote" | "line" => Loopback::Remote,
                other => return Err(format!("loopback mode {other:?}: use none, local or remote")),
            };
            b.handle.set_loopback(i, mode).map_err(|e| e.to_string())?;
            Ok(json!({"ok": true}))
        }
        Request::TimeslotLoopback { span, timeslot, on } => {
            let (b, i) = system.span(&span)?;
            let r = if on { b.handle.loop_timeslot(i, timeslot) } else { b.handle.release(i, timeslot) };
            r.map_err(|e| e.to_string())?;
            Ok(json!({"ok": true}))
        }
        Request::BertStart { span, pattern, timeslots } => {
            let (b, i) = system.span(&span)?;
            let pattern: Pattern = pattern.parse().map_err(|e| format!("pattern {pattern:?}: {e}"))?;
            let mask = parse_timeslots(&timeslots)?;
            b.handle.start_bert(i, pattern, Timeslots(mask)).map_err(|e| e.to_string())?;
            Ok(json!({"ok": true}))
        }
        Request::BertStop { span } => {
            let (b, i) = system.span(&span)?;
            let last = b.handle.report(i).and_then(|r| r.bert).map(|r| crate::report::bert_json(&r));
            b.handle.stop_bert(i).map_err(|e| e.to_string())?;
            Ok(json!({"ok": true, "bert": last}))
        }
        Request::BertInject { span, count } => {
            let (b, i) = system.span(&span)?;
            b.handle.inject_bert_errors(i, count).map_err(|e| e.to_string())?;
            Ok(json!({"ok": true}))
        }
        Request::Events { since } => {
            let events: Vec<Value> = system
                .events
                .since(since)
                .into_iter()
                .map(|e| json!({"seq": e.seq, "board": e.board, "at_ms": e.at_ms, "text": e.text}))
                .collect();
            Ok(json!({"ok": true, "events": events}))
        }
        Request::Fault { cable, kind, duration_ms, on, ber } => {
            let sim = system.sim.as_ref().ok_or("faults can only be injected on a simulated bench")?;
            let r = match kind.as_str() {
                "cut" => sim.cut(&cable, duration_ms.unwrap_or(1000)),
                "ais" => sim.set_ais(&cable, on.unwrap_or(true)),
                "ber" => sim.set_ber(&cable, ber.ok_or("a ber fault needs \"ber\"")?),
                other => return Err(format!("fault kind {other:?}: use cut, ais or ber")),
            };
            r.map_err(|e| e.to_string())?;
            Ok(json!({"ok": true}))
        }
    }
}

/// The client side: one request, one response; `ok: false` becomes an error.
pub struct Client {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    /// The start of a streamed line whose end has not arrived yet.
    partial: Vec<u8>,
}

impl Client {
    pub fn connect(path: &Path) -> Result<Client, String> {
        let stream = UnixStream::connect(path).map_err(|e| {
            format!(
                "{}: cannot reach a running system ({e}); start one with `tdm run <system.toml>`",
                path.display()
            )
        })?;
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let writer = stream.try_clone().map_err(|e| e.to_string())?;
        Ok(Client { reader: BufReader::new(stream), writer, partial: Vec::new() })
    }

    pub fn call(&mut self, request: Value) -> Result<Value, String> {
        writeln!(self.writer, "{request}").map_err(|e| format!("control socket: {e}"))?;
        let mut line = String::new();
        self.reader.read_line(&mut line).map_err(|e| format!("control socket: {e}"))?;
        if line.is_empty() {
            return Err("control socket closed by the system".into());
        }
        let value: Value =
            serde_json::from_str(&line).map_err(|e| format!("control socket: bad response: {e}"))?;
        if value["ok"] == json!(true) {
            Ok(value)
        } else {
            Err(value["error"].as_str().unwrap_or("request failed").to_string())
        }
    }

    /// The next line of a stream (after a request that turned the connection into one), or
    /// `None` when none came within `wait`.
    pub fn next_streamed(&mut self, wait: Duration) -> Result<Option<Value>, String> {
        self.reader.get_ref().set_read_timeout(Some(wait)).map_err(|e| format!("control socket: {e}"))?;
        match self.reader.read_until(b'\n', &mut self.partial) {
            Ok(0) => Err("control socket closed by the system".into()),
            Ok(_) if self.partial.ends_with(b"\n") => {
                let line = std::mem::take(&mut self.partial);
                serde_json::from_slice(&line).map(Some).map_err(|e| format!("control socket: bad line: {e}"))
            }
            // The socket closed in the middle of a line.
            Ok(_) => Err("control socket closed by the system".into()),
            // What arrived of a line cut by the timeout stays in `partial` for the next call.
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                Ok(None)
            }
            Err(e) => Err(format!("control socket: {e}")),
        }
    }
}
