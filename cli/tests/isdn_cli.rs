//! ISDN test calls from the command line on a running system: `tdm run` on a lockstep
//! simulated bench whose board `a` plays the exchange (network side, answering with the test
//! tone) and board `b` a PBX (user side, refusing calls with cause 21); `tdm call`, `tdm calls`,
//! `tdm hangup` and `tdm trace` against it.

use std::io::Read;
use std::process::Command;

use serde_json::json;
use tdm_callctl::trace::read_pcap;

mod common;

use common::{RunningSystem, finish, text, tshark, without_times};

/// Board `a` the exchange (network side, answering with the test tone), board `b` a PBX (user
/// side, refusing calls with cause 21).
const SYSTEM: &str = r#"[simulator]
bench = "bench.toml"
pacing = "lockstep"
[[board]]
name = "a"
device = "sim:a"
[[board.span]]
crc4 = "on"
signaling = "ccs"
[board.span.isdn]
side = "network"
incoming = "answer"
ring_ms = 200
[[board]]
name = "b"
device = "sim:b"
[[board.span]]
crc4 = "on"
[board.span.isdn]
side = "user"
incoming = "reject:21"
"#;

#[test]
fn test_calls_are_placed_listed_hung_up_and_traced() {
    let system = RunningSystem::start(5, SYSTEM);
    system.wait_for("both D-channels up", |s| {
        s.json(&["status", "--json"]).as_array().unwrap().iter().all(|span| span["signaling"]["link"] == "up")
    });
    let status = system.json(&["status", "--json"]);
    assert_eq!(
        status[0]["signaling"],
        json!({"stack": "ISDN PRI network side", "side": "network", "link": "up", "calls": 0})
    );
    let table = text(&system.tdm(&["status"]).stdout);
    assert!(table.contains("      ISDN PRI user side: link up, 0 call(s)"), "{table}");

    // Both traces run before the first call: each says so once it is subscribed.
    let pcap = system.dir.path().join("a.pcap");
    let mut trace =
        system.background(&["trace", "a:0", "--pcap", pcap.to_str().unwrap(), "--seconds", "120"]);
    let mut trace_err = std::io::BufReader::new(trace.stderr.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut trace_err, &mut first).unwrap();
    assert_eq!(first.trim(), format!("tracing a:0 (network side) into {}; stop with Ctrl-C", pcap.display()));
    let mut live = system.background(&["trace", "b:0", "--count", "3"]);
    let mut live_out = std::io::BufReader::new(live.stdout.take().unwrap());
    let mut header = String::new();
    std::io::BufRead::read_line(&mut live_out, &mut header).unwrap();
    assert_eq!(header.trim(), "trace of b:0 (user side); stop with Ctrl-C");

    // A call from the PBX, answered by the exchange after 200 ms of ringing, kept up.
    let call = system.background(&["call", "b:0", "1234", "--calling", "5678"]);
    system.wait_for("the call answered and its tone heard", |s| {
        s.json(&["calls", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["span"] == "b:0" && c["tone"].is_object())
    });
    let calls = system.json(&["calls", "--json"]);
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    let ours = calls.iter().find(|c| c["span"] == "b:0").unwrap();
    let theirs = calls.iter().find(|c| c["span"] == "a:0").unwrap();
    for (call, direction, state) in [(ours, "out", "U10 active"), (theirs, "in", "N10 active")] {
        assert_eq!(call["timeslot"], 1);
        assert_eq!(call["b_channel"], 1);
        assert_eq!(call["called"], "1234");
        assert_eq!(call["calling"], "5678");
        assert_eq!(call["phase"], "connected");
        assert_eq!(call["direction"], direction);
        assert_eq!(call["state"], state);
    }
    // The tone is sent at -10 dBm0; A-law coding and the detector's blocks leave a tenth or two.
    assert_eq!(ours["tone"]["freq_hz"], 1004);
    let level = ours["tone"]["level_dbm0"].as_f64().unwrap();
    assert!((level + 10.0).abs() <= 0.5, "{level} dBm0");
    let table = text(&system.tdm(&["calls"]).stdout);
    assert!(table.starts_with("CALL   SPAN"), "{table}");
    assert!(
        table.contains(" b:0          1   1  out 1234             5678             connected   U10 active"),
        "{table}"
    );

    let id = ours["call"].as_u64().unwrap().to_string();
    let out = system.tdm(&["hangup", &id]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (ok, stdout, stderr) = finish(call);
    assert!(ok, "{stdout}{stderr}");
    let mut lines = without_times(&stdout);
    let tone = lines.remove(5);
    assert_eq!(
        lines,
        vec![
            format!("call {id} on b:0 to 1234 from 5678"),
            "placed on ts 1".to_string(),
            "proceeding on ts 1".to_string(),
            "alerting".to_string(),
            "connected on ts 1".to_string(),
            "released: cause 16 (normal call clearing), cleared by this side".to_string(),
        ]
    );
    let heard = tone.strip_prefix("test tone heard: 1004 Hz at ").and_then(|t| t.strip_suffix(" dBm0"));
    let heard: f64 = heard.and_then(|t| t.parse().ok()).unwrap_or_else(|| panic!("{tone}"));
    assert!((heard + 10.0).abs() <= 0.5, "{tone}");
    let out = system.tdm(&["hangup", &id]);
    assert_eq!(text(&out.stderr).trim(), format!("tdm: no call {id} in progress"));

    // A call the PBX refuses, and one that hangs itself up.
    let out = system.tdm(&["call", "a:0", "999"]);
    assert_eq!(out.status.code(), Some(1));
    let lines = without_times(&text(&out.stdout));
    assert_eq!(lines.last().unwrap(), "released: cause 21 (call rejected), cleared by the far end");
    assert!(
        text(&out.stderr).contains("was not answered: cause 21 (call rejected)"),
        "{}",
        text(&out.stderr)
    );
    let out = system.tdm(&["call", "b:0", "555", "--hangup-after", "0.5"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = without_times(&text(&out.stdout));
    assert_eq!(lines.last().unwrap(), "released: cause 16 (normal call clearing), cleared by this side");
    assert!(lines.contains(&"connected on ts 1".to_string()), "{lines:?}");
    assert_eq!(system.json(&["calls", "--json"]), json!([]));

    // Mistakes are named.
    let out = system.tdm(&["call", "z:0", "1"]);
    assert_eq!(text(&out.stderr).trim(), "tdm: span \"z:0\" runs no signaling stack");
    let out = system.tdm(&["call", "b:0", "12a"]);
    assert_eq!(
        text(&out.stderr).trim(),
        "tdm: number \"12a\" cannot be signalled (digits 0-9, *, #; at most 31)"
    );

    // The live trace printed three decoded frames, the PBX's SETUP among them (an idle link's
    // RR poll may come first); the pcap holds the whole run.
    let (ok, _, stderr) = finish(live);
    assert!(ok, "{stderr}");
    let mut stdout = String::new();
    live_out.read_to_string(&mut stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(
        lines.iter().any(|l| l.contains(" b:0 -> I cmd N(S)=") && l.contains("| SETUP cref ")),
        "{stdout}"
    );
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(trace.id() as i32), nix::sys::signal::Signal::SIGTERM)
        .unwrap();
    let (ok, _, _) = finish(trace);
    assert!(ok);
    let mut stderr = String::new();
    trace_err.read_to_string(&mut stderr).unwrap();
    let packets = read_pcap(&std::fs::read(&pcap).unwrap()).unwrap();
    assert!(stderr.contains(&format!("{} frame(s) of a:0 written to ", packets.len())), "{stderr}");
    assert!(packets.len() >= 24, "{} frames", packets.len());
    assert!(packets.iter().all(|p| p.network));

    if Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("NOTICE: tshark is not installed; skipping the decode check (apt-get install tshark)");
        return;
    }
    let flagged = tshark(
        &pcap,
        &["-Y", "_ws.malformed || _ws.expert.severity >= 0x00600000", "-T", "fields", "-e", "frame.number"],
    );
    assert_eq!(flagged.unwrap(), "", "malformed or flagged frames");
    let types = tshark(&pcap, &["-Y", "q931", "-T", "fields", "-e", "q931.message_type"]).unwrap();
    let types: Vec<&str> = types.lines().collect();
    // The answered call, the refused one, the one that hung itself up: each a full cycle.
    let answered = ["0x05", "0x02", "0x01", "0x07", "0x0f", "0x45", "0x4d", "0x5a"];
    let refused = ["0x05", "0x02", "0x45", "0x4d", "0x5a"];
    let expected: Vec<&str> = answered.iter().chain(&refused).chain(&answered).copied().collect();
    assert_eq!(types, expected);
}
