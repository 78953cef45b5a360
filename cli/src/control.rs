//! The control socket: JSON lines over a Unix stream socket (protocol in
//! `docs/control-protocol.md`). One request line in, one response line out.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use tdm_driver::bert::Pattern;
use tdm_driver::{Loopback, Timeslots};

use crate::report::{parse_timeslots, span_json};
use crate::system::System;

#[derive(Debug, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    Status,
    Loopback { span: String, mode: String },
    TimeslotLoopback { span: String, timeslot: u8, on: bool },
    BertStart { span: String, pattern: String, timeslots: String },
    BertStop { span: String },
    BertInject { span: String, count: u32 },
    Events { since: u64 },
    Fault { cable: String, kind: String, duration_ms: Option<u64>, on: Option<bool>, ber: Option<f64> },
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
            Ok(request) => handle(system, request).unwrap_or_else(|e| json!({"ok": false, "error": e})),
            Err(e) => json!({"ok": false, "error": format!("bad request: {e}")}),
        };
        if writeln!(out, "{response}").and_then(|_| out.flush()).is_err() {
            return;
        }
    }
}

pub fn handle(system: &System, request: Request) -> Result<Value, String> {
    match request {
        Request::Status => {
            let mut spans = Vec::new();
            for b in &system.boards {
                for i in 0..b.handle.span_count() {
                    if let Some(r) = b.handle.report(i) {
                        spans.push(span_json(&format!("{}:{i}", b.name), &r));
                    }
                }
            }
            Ok(json!({"ok": true, "spans": spans}))
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
        Ok(Client { reader: BufReader::new(stream), writer })
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
}
