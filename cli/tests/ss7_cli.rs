//! China No.7 on a running system: `tdm run` on a lockstep simulated bench with two
//! signalling points (one per board) joined by a link on TS16; status, calls, circuit
//! maintenance and traces through the `tdm` command.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command};
use std::time::Duration;

use serde_json::json;

mod common;

use common::{RunningSystem, finish, text, tshark, without_times};

/// Two signalling points, `a` (1-2-3) on board a and `b` (1-2-4) on board b, China 24-bit
/// format, joined by one link on TS16 of the cable; the circuits of both spans run `user_part`
/// and answer incoming calls with the test tone.
fn system_file(user_part: &str) -> String {
    format!(
        r#"[simulator]
bench = "bench.toml"
pacing = "lockstep"
[[board]]
name = "a"
device = "sim:a"
[[board.span]]
crc4 = "on"
[board.span.ss7]
point = "a"
user_part = "{user_part}"
cic_base = 0
incoming = "answer"
ring_ms = 200
[[board]]
name = "b"
device = "sim:b"
[[board.span]]
crc4 = "on"
[board.span.ss7]
point = "b"
user_part = "{user_part}"
incoming = "answer"
[ss7]
[[ss7.point]]
name = "a"
point_code = "1-2-3"
format = "china"
ni = "national"
[[ss7.point.linkset]]
name = "to-b"
adjacent = "1-2-4"
[[ss7.point.linkset.link]]
at = "a:0:16"
slc = 0
[[ss7.point]]
name = "b"
point_code = "1-2-4"
[[ss7.point.linkset]]
name = "to-a"
adjacent = "1-2-3"
[[ss7.point.linkset.link]]
at = "b:0:16"
"#
    )
}

fn circuit_states(system: &RunningSystem, span: usize) -> Vec<String> {
    let status = system.json(&["status", "--json"]);
    status[span]["signaling"]["circuits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap().to_string())
        .collect()
}

fn wait_up(system: &RunningSystem) {
    system.wait_for("links in service, circuits reset", |s| {
        let status = s.json(&["status", "--json"]);
        status.as_array().unwrap().iter().all(|span| {
            span["signaling"]["link"] == "up"
                && span["ss7"][0]["mtp2"] == "in service"
                && span["signaling"]["circuits"].as_array().unwrap().iter().all(|c| c["state"] == "idle")
        })
    });
}

#[test]
fn isup_links_calls_circuit_maintenance_and_trace() {
    let system = RunningSystem::start(5, &system_file("isup"));
    wait_up(&system);
    let status = system.json(&["status", "--json"]);
    let link = &status[0]["ss7"][0];
    assert_eq!(link["point"], "a");
    assert_eq!(link["own_pc"], "1-2-3");
    assert_eq!(link["adjacent"], "1-2-4");
    assert_eq!(link["linkset"], "to-b");
    assert_eq!(link["linkset_state"], "available");
    assert_eq!(link["link"], "a:0:16");
    assert_eq!(link["slc"], 0);
    assert_eq!(link["state"], "available");
    assert_eq!(link["counters"]["failures"], 0);
    assert_eq!(status[0]["signaling"]["stack"], "China No.7 ISUP");
    let circuits = status[0]["signaling"]["circuits"].as_array().unwrap();
    assert_eq!(circuits.len(), 30);
    assert_eq!(circuits[0], json!({"cic": 1, "timeslot": 1, "state": "idle"}));
    assert_eq!(circuits[15], json!({"cic": 17, "timeslot": 17, "state": "idle"}));
    let table = text(&system.tdm(&["status"]).stdout);
    assert!(table.contains("      China No.7 ISUP: link up, 0 call(s)\n"), "{table}");
    assert!(
        table.contains(
            "      link a:0:16 SLC 0 to 1-2-4 (link set to-b available): MTP2 in service, available;"
        ),
        "{table}"
    );
    assert!(table.contains("      CIC 1-15: idle\n      CIC 17-31: idle\n"), "{table}");

    let pcap = system.dir.path().join("a.pcap");
    let mut trace =
        system.background(&["trace", "a:0", "--pcap", pcap.to_str().unwrap(), "--seconds", "120"]);
    let mut trace_err = std::io::BufReader::new(trace.stderr.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut trace_err, &mut first).unwrap();
    let decoded = start_text_trace(&system, "a:0");

    let call = system.background(&["call", "a:0", "1234", "--calling", "5678"]);
    system.wait_for("the call answered and its tone heard", |s| {
        s.json(&["calls", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["span"] == "a:0" && c["tone"].is_object())
    });
    let calls = system.json(&["calls", "--json"]);
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    let ours = calls.iter().find(|c| c["span"] == "a:0").unwrap();
    let theirs = calls.iter().find(|c| c["span"] == "b:0").unwrap();
    for (call, direction, state) in
        [(ours, "out", "ISUP CIC 1 outgoing"), (theirs, "in", "ISUP CIC 1 incoming")]
    {
        assert_eq!(call["called"], "1234");
        assert_eq!(call["calling"], "5678");
        assert_eq!(call["phase"], "connected");
        assert_eq!(call["direction"], direction);
        assert_eq!(call["state"], state, "{call:#?}");
        assert_eq!(call["timeslot"], 1);
    }
    let id = ours["call"].as_u64().unwrap().to_string();
    let out = system.tdm(&["hangup", &id]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (ok, stdout, stderr) = finish(call);
    assert!(ok, "{stdout}{stderr}");
    let mut lines = without_times(&stdout);
    let tone = lines.remove(4);
    assert!(tone.starts_with("test tone heard: 1004 Hz at -1"), "{tone}");
    assert_eq!(
        lines,
        vec![
            format!("call {id} on a:0 to 1234 from 5678"),
            "placed on ts 1".to_string(),
            "alerting".to_string(),
            "connected on ts 1".to_string(),
            "released: cause 16 (normal call clearing), cleared by this side".to_string(),
        ]
    );
    system.wait_for("calls gone", |s| s.json(&["calls", "--json"]).as_array().unwrap().is_empty());

    // Maintenance blocking of CIC 5 from a: locally blocked there, remotely at b.
    let out = system.tdm(&["cic", "block", "a:0", "5"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "a:0: blocking CIC 5\n");
    system.wait_for("CIC 5 blocked remotely", |s| circuit_states(s, 1)[4] == "blocked remote maintenance");
    assert_eq!(circuit_states(&system, 0)[4], "blocked local maintenance");
    let out = system.tdm(&["cic", "unblock", "a:0", "5"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    system.wait_for("CIC 5 unblocked", |s| {
        circuit_states(s, 1)[4] == "idle" && circuit_states(s, 0)[4] == "idle"
    });
    // A group: CGB for CICs 1-3.
    let out = system.tdm(&["cic", "block", "b:0", "1-3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    system.wait_for("CICs 1-3 blocked remotely", |s| {
        circuit_states(s, 0)[..4]
            == [
                "blocked remote maintenance",
                "blocked remote maintenance",
                "blocked remote maintenance",
                "idle",
            ]
    });
    // A group reset (GRS) keeps this side's own blocking (Q.764 §2.10.3.1); CGU removes it.
    let out = system.tdm(&["cic", "reset", "b:0", "1-3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "b:0: resetting CICs 1-3\n");
    let out = system.tdm(&["cic", "unblock", "b:0", "1-3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    system.wait_for("every circuit idle after the reset", |s| {
        (0..2).all(|span| circuit_states(s, span).iter().all(|c| c == "idle"))
    });
    let out = system.tdm(&["cic", "block", "b:0", "40"]);
    assert!(!out.status.success());
    assert_eq!(text(&out.stderr), "tdm: span b:0: CIC 40 is not configured\n");

    std::thread::sleep(Duration::from_millis(300));
    let _ = trace.kill();
    let _ = trace.wait();
    let _ = tshark_check(&pcap);
    let isup = user_part_lines(stop_text_trace(decoded), "ISUP");
    let range = "range 2 (CICs 1-3)";
    let mut expected = vec![
        // The call: the called number ends with ST as sent (en bloc).
        "-> DPC 1-2-4 OPC 1-2-3 SLS 1: IAM CIC 1 called 1234F (national) calling 5678 (national) category 10"
            .to_string(),
        "<- DPC 1-2-3 OPC 1-2-4 SLS 1: ACM CIC 1 called party subscriber free".to_string(),
        "<- DPC 1-2-3 OPC 1-2-4 SLS 1: ANM CIC 1".to_string(),
        "-> DPC 1-2-4 OPC 1-2-3 SLS 1: REL CIC 1 cause 16 (normal call clearing)".to_string(),
        "<- DPC 1-2-3 OPC 1-2-4 SLS 1: RLC CIC 1".to_string(),
        // Maintenance from a, the SLS the CIC's low bits.
        "-> DPC 1-2-4 OPC 1-2-3 SLS 5: BLO CIC 5".to_string(),
        "<- DPC 1-2-3 OPC 1-2-4 SLS 5: BLA CIC 5".to_string(),
        "-> DPC 1-2-4 OPC 1-2-3 SLS 5: UBL CIC 5".to_string(),
        "<- DPC 1-2-3 OPC 1-2-4 SLS 5: UBA CIC 5".to_string(),
        // Group maintenance from b.
        format!("<- DPC 1-2-3 OPC 1-2-4 SLS 1: CGB CIC 1 maintenance oriented {range} status 111"),
        format!("-> DPC 1-2-4 OPC 1-2-3 SLS 1: CGBA CIC 1 maintenance oriented {range} status 111"),
        format!("<- DPC 1-2-3 OPC 1-2-4 SLS 1: GRS CIC 1 {range}"),
        format!("-> DPC 1-2-4 OPC 1-2-3 SLS 1: GRA CIC 1 {range} status 000"),
        format!("<- DPC 1-2-3 OPC 1-2-4 SLS 1: CGB CIC 1 maintenance oriented {range} status 111"),
        format!("-> DPC 1-2-4 OPC 1-2-3 SLS 1: CGBA CIC 1 maintenance oriented {range} status 111"),
        format!("<- DPC 1-2-3 OPC 1-2-4 SLS 1: CGU CIC 1 maintenance oriented {range} status 111"),
        format!("-> DPC 1-2-4 OPC 1-2-3 SLS 1: CGUA CIC 1 maintenance oriented {range} status 111"),
    ];
    assert_eq!(isup[..13], expected[..13], "{isup:#?}");
    // The unblock goes out right after the reset: b re-announces its blocking (CGB/CGBA) after
    // the GRA only if the CGU has not overtaken it, and the two exchanges may cross on the
    // link in either order. Either way the last exchange is the unblocking.
    let mut last = isup[13..].to_vec();
    last.sort();
    let mut unblock_only = expected[15..].to_vec();
    unblock_only.sort();
    expected[13..].sort();
    assert!(last == expected[13..] || last == unblock_only, "{isup:#?}");
}

/// Starts `tdm trace <span>` (text) in the background and waits for its heading line.
fn start_text_trace(
    system: &RunningSystem,
    span: &str,
) -> (Child, std::io::BufReader<std::process::ChildStdout>) {
    let mut trace = system.background(&["trace", span, "--seconds", "120"]);
    let mut out = std::io::BufReader::new(trace.stdout.take().unwrap());
    let mut heading = String::new();
    std::io::BufRead::read_line(&mut out, &mut heading).unwrap();
    assert_eq!(heading, format!("trace of {span} (signal units: LSSUs and MSUs); stop with Ctrl-C\n"));
    (trace, out)
}

/// Stops a text trace and returns what it printed after its heading.
fn stop_text_trace((mut trace, mut out): (Child, std::io::BufReader<std::process::ChildStdout>)) -> String {
    std::thread::sleep(Duration::from_millis(300));
    let _ = trace.kill();
    let _ = trace.wait();
    let mut lines = String::new();
    out.read_to_string(&mut lines).unwrap();
    lines
}

/// The MSUs of user part `si` in a text trace, as arrow and what follows the SIO:
/// `"     1.234567 a:0 -> MSU BSN 3 FSN 4 NI national SI TUP DPC ..."` -> `"-> DPC ..."`.
fn user_part_lines(trace: String, si: &str) -> Vec<String> {
    let marker = format!(" SI {si} ");
    trace
        .lines()
        .filter_map(|line| {
            let arrow = if line.contains(" -> ") { "->" } else { "<-" };
            line.split_once(&marker).map(|(_, rest)| format!("{arrow} {rest}"))
        })
        .collect()
}

#[test]
fn tup_test_call_and_decoded_trace() {
    let system = RunningSystem::start(5, &system_file("tup"));
    wait_up(&system);
    let status = system.json(&["status", "--json"]);
    assert_eq!(status[0]["signaling"]["stack"], "China No.7 TUP");
    assert_eq!(status[1]["signaling"]["circuits"].as_array().unwrap().len(), 30);
    let decoded = start_text_trace(&system, "a:0");

    let call = system.background(&["call", "a:0", "1234", "--calling", "5678"]);
    system.wait_for("the call answered and its tone heard", |s| {
        s.json(&["calls", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["span"] == "a:0" && c["tone"].is_object())
    });
    let calls = system.json(&["calls", "--json"]);
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    let ours = calls.iter().find(|c| c["span"] == "a:0").unwrap();
    let theirs = calls.iter().find(|c| c["span"] == "b:0").unwrap();
    for (call, direction, state) in
        [(ours, "out", "TUP CIC 1 outgoing"), (theirs, "in", "TUP CIC 1 incoming")]
    {
        assert_eq!(call["called"], "1234", "{call:#?}");
        assert_eq!(call["calling"], "5678", "{call:#?}");
        assert_eq!(call["phase"], "connected");
        assert_eq!(call["direction"], direction);
        assert_eq!(call["state"], state, "{call:#?}");
        assert_eq!(call["timeslot"], 1);
    }
    let id = ours["call"].as_u64().unwrap().to_string();
    let out = system.tdm(&["hangup", &id]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (ok, stdout, stderr) = finish(call);
    assert!(ok, "{stdout}{stderr}");
    let mut lines = without_times(&stdout);
    let tone = lines.remove(4);
    assert!(tone.starts_with("test tone heard: 1004 Hz at -1"), "{tone}");
    assert_eq!(
        lines,
        vec![
            format!("call {id} on a:0 to 1234 from 5678"),
            "placed on ts 1".to_string(),
            "alerting".to_string(),
            "connected on ts 1".to_string(),
            "released: cause 16 (normal call clearing), cleared by this side".to_string(),
        ]
    );
    system.wait_for("calls gone", |s| s.json(&["calls", "--json"]).as_array().unwrap().is_empty());
    system.wait_for("every circuit idle", |s| {
        (0..2).all(|span| circuit_states(s, span).iter().all(|c| c == "idle"))
    });

    let tup = user_part_lines(stop_text_trace(decoded), "TUP");
    assert_eq!(
        tup,
        [
            "-> DPC 1-2-4 OPC 1-2-3 SLS 1: IAI CIC 1 called 1234F (national) category 10 calling 5678 (national)",
            "<- DPC 1-2-3 OPC 1-2-4 SLS 1: ACM CIC 1 address complete, charge, subscriber free",
            "<- DPC 1-2-3 OPC 1-2-4 SLS 1: ANC CIC 1",
            "-> DPC 1-2-4 OPC 1-2-3 SLS 1: CLF CIC 1",
            "<- DPC 1-2-3 OPC 1-2-4 SLS 1: RLG CIC 1",
        ],
        "{tup:#?}"
    );
}

fn tshark_check(pcap: &Path) -> Option<()> {
    if Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("tshark not installed: the pcap was not decoded");
        return None;
    }
    let out = tshark(
        pcap,
        &["-o", "mtp3.standard:Chinese ITU", "-Y", "_ws.malformed || _ws.expert.severity >= error"],
    )?;
    assert_eq!(out, "", "malformed frames in the capture");
    let isup = tshark(
        pcap,
        &["-o", "mtp3.standard:Chinese ITU", "-Y", "isup", "-T", "fields", "-e", "isup.message_type"],
    )?;
    // IAM, ACM, ANM, REL, RLC of the call; BLO..., all ISUP.
    assert!(isup.lines().take(5).eq(["1", "6", "9", "12", "16"]), "{isup}");
    Some(())
}

#[test]
fn a_span_configured_for_continuity_checks_sends_cot_after_the_tone_came_back() {
    let body = system_file("isup").replacen("point = \"a\"\n", "point = \"a\"\ncontinuity_check = true\n", 1);
    let system = RunningSystem::start(5, &body);
    wait_up(&system);
    let decoded = start_text_trace(&system, "a:0");
    let call = system.background(&["call", "a:0", "1234", "--calling", "5678", "--hangup-after", "1"]);
    let (ok, stdout, stderr) = finish(call);
    assert!(ok, "{stdout}{stderr}");
    assert!(without_times(&stdout).contains(&"connected on ts 1".to_string()), "{stdout}");
    system.wait_for("every circuit idle", |s| {
        (0..2).all(|span| circuit_states(s, span).iter().all(|c| c == "idle"))
    });
    let lines = user_part_lines(stop_text_trace(decoded), "ISUP");
    assert!(lines.iter().any(|l| l.ends_with(": COT CIC 1 continuity")), "{lines:#?}");
    let messages: Vec<String> = lines
        .into_iter()
        .map(|l| l.split(": ").nth(1).unwrap_or_default().split(' ').take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(messages[..4], ["IAM CIC 1", "COT CIC 1", "ACM CIC 1", "ANM CIC 1"], "{messages:?}");
}
