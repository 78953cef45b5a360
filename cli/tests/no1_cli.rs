//! China No.1 test calls from the command line on a running system: `tdm run` on a lockstep
//! simulated bench whose board `a` plays the exchange (answering after 200 ms of ringing, with
//! the test tone) and board `b` a PBX (refusing calls as busy), both spans CAS with No.1;
//! `tdm call`, `tdm calls`, `tdm hangup`, `tdm status` and `tdm trace` against it.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;

use serde_json::{Value, json};

mod common;

use common::{RunningSystem, finish, text, without_times};

/// Board `a` the exchange (answering after 200 ms of ringing, with the test tone), board `b` a
/// PBX refusing calls as busy; both spans CAS with No.1.
const SYSTEM: &str = r#"[simulator]
bench = "bench.toml"
pacing = "lockstep"
[[board]]
name = "a"
device = "sim:a"
[[board.span]]
crc4 = "on"
signaling = "cas"
[board.span.no1]
variant = "china"
incoming = "answer"
ring_ms = 200
dnis_length = 8
hunt = "descending"
[[board]]
name = "b"
device = "sim:b"
[[board.span]]
crc4 = "on"
signaling = "cas"
[board.span.no1]
incoming = "reject:17"
dnis_length = 8
[board.span.no1.timers]
end_of_number = 1000
"#;

/// What only the No.1 tests ask of the running system.
impl RunningSystem {
    /// One request straight on the control socket.
    fn request(&self, request: Value) -> Value {
        let mut stream = UnixStream::connect(&self.socket).unwrap();
        writeln!(stream, "{request}").unwrap();
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    }

    fn channels(&self) -> Vec<(String, Vec<Value>)> {
        self.json(&["status", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|span| {
                let name = span["span"].as_str().unwrap().to_string();
                (name, span["signaling"]["channels"].as_array().cloned().unwrap_or_default())
            })
            .collect()
    }

    fn all_idle(&self) -> bool {
        self.channels()
            .iter()
            .all(|(_, channels)| channels.len() == 30 && channels.iter().all(|c| c["line"] == "idle"))
    }
}

fn trace_without_times(stdout: &str) -> Vec<String> {
    stdout.lines().map(|l| l.trim_start().split_once(' ').map_or(l, |(_, rest)| rest).to_string()).collect()
}

#[test]
fn no1_test_calls_are_placed_listed_hung_up_traced_and_every_channel_ends_idle() {
    let system = RunningSystem::start(7, SYSTEM);
    system.wait_for("both lines up", |s| {
        s.json(&["status", "--json"]).as_array().unwrap().iter().all(|span| span["signaling"]["link"] == "up")
    });
    let status = system.json(&["status", "--json"]);
    let signaling = &status[0]["signaling"];
    assert_eq!((signaling["stack"].as_str(), signaling["calls"].as_u64()), (Some("China No.1"), Some(0)));
    let channels = signaling["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 30);
    assert_eq!(
        channels[15],
        json!({"timeslot": 17, "line": "idle", "state": "idle", "tx_abcd": "1011", "rx_abcd": "1011"})
    );
    assert!(system.all_idle());
    let table = text(&system.tdm(&["status"]).stdout);
    assert!(table.contains("\n      China No.1: line up, 0 call(s)\n"), "{table}");
    assert!(
        table.contains("\n       1 idle      1011 1011    2 idle      1011 1011    3 idle      1011 1011\n"),
        "{table}"
    );

    // The trace runs before the call: the seizure, its acknowledgement, then the called
    // number digit by digit, each a compelled cycle of four edges.
    let mut trace = system.background(&["trace", "b:0", "--count", "36"]);
    let mut trace_out = BufReader::new(trace.stdout.take().unwrap());
    let mut header = String::new();
    trace_out.read_line(&mut header).unwrap();
    assert_eq!(header.trim(), "trace of b:0 (line and register signals); stop with Ctrl-C");

    // A call from the PBX with its number, answered by the exchange after 200 ms, kept up.
    let call = system.background(&["call", "b:0", "12345678", "--calling", "87654321"]);
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
    for (call, direction, state) in [(ours, "out", "answered (out)"), (theirs, "in", "answered (in)")] {
        assert_eq!((call["timeslot"].as_u64(), call["b_channel"].as_u64()), (Some(1), Some(1)));
        assert_eq!((call["called"].as_str(), call["calling"].as_str()), (Some("12345678"), Some("87654321")));
        assert_eq!(
            (call["phase"].as_str(), call["direction"].as_str()),
            (Some("connected"), Some(direction))
        );
        assert_eq!(call["state"], state);
    }
    assert_eq!(ours["tone"]["freq_hz"], 1004);
    let level = ours["tone"]["level_dbm0"].as_f64().unwrap();
    assert!((level + 10.0).abs() <= 0.5, "{level} dBm0");
    let table = text(&system.tdm(&["calls"]).stdout);
    assert!(
        table.contains(
            " b:0          1   1  out 12345678         87654321         connected   answered (out)"
        ),
        "{table}"
    );
    // The line states while the call is up.
    let channels = system.channels();
    let ts1 = |span: &str| channels.iter().find(|(name, _)| name == span).unwrap().1[0].clone();
    assert_eq!(
        ts1("b:0"),
        json!({"timeslot": 1, "line": "answered", "state": "answered (out)", "tx_abcd": "0011", "rx_abcd": "0111"})
    );
    assert_eq!(
        ts1("a:0"),
        json!({"timeslot": 1, "line": "answered", "state": "answered (in)", "tx_abcd": "0111", "rx_abcd": "0011"})
    );
    assert!(channels.iter().all(|(_, c)| c[1..].iter().all(|c| c["line"] == "idle")));

    let id = ours["call"].as_u64().unwrap().to_string();
    let out = system.tdm(&["hangup", &id]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (ok, stdout, stderr) = finish(call);
    assert!(ok, "{stdout}{stderr}");
    let mut lines = without_times(&stdout);
    let tone = lines.remove(6);
    assert_eq!(
        lines,
        vec![
            format!("call {id} on b:0 to 12345678 from 87654321"),
            "placed on ts 1".to_string(),
            "proceeding on ts 1".to_string(),
            "B1: called line free, charge".to_string(),
            "alerting".to_string(),
            "connected on ts 1".to_string(),
            "released: cause 16 (normal call clearing), cleared by this side".to_string(),
        ]
    );
    assert!(tone.starts_with("test tone heard: 1004 Hz at -"), "{tone}");
    system.wait_for("both ends idle after the hangup", RunningSystem::all_idle);
    let out = system.tdm(&["hangup", &id]);
    assert_eq!(text(&out.stderr).trim(), format!("tdm: no call {id} in progress"));

    let (ok, _, stderr) = finish(trace);
    assert!(ok, "{stderr}");
    let mut stdout = String::new();
    trace_out.read_to_string(&mut stdout).unwrap();
    let mut expected = vec![
        "b:0 -> ts  1 ABCD 0011 seize".to_string(),
        "b:0 <- ts  1 ABCD 1111 seize-ack/clear-back/blocked".to_string(),
    ];
    for digit in 1..=8 {
        let (code, request) = if digit < 8 { (1, "A: send next digit") } else { (6, "A: send category") };
        expected.push(format!("b:0 -> ts  1 MFC {digit} on (DNIS digit {digit})"));
        expected.push(format!("b:0 <- ts  1 MFC {code} on ({request})"));
        expected.push(format!("b:0 -> ts  1 MFC {digit} off"));
        expected.push(format!("b:0 <- ts  1 MFC {code} off"));
    }
    expected.push("b:0 -> ts  1 MFC 1 on (category KA1)".to_string());
    expected.push("b:0 <- ts  1 MFC 1 on (A: send next calling-number digit)".to_string());
    assert_eq!(trace_without_times(&stdout), expected);
    // Times are board time in microseconds, in order.
    let times: Vec<f64> =
        stdout.lines().map(|l| l.split_whitespace().next().unwrap().parse().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{stdout}");

    // A call the PBX refuses: its busy signal (B2) ends the call with cause 17. Seven digits
    // end by the silence after them.
    let out = system.tdm(&["call", "a:0", "5550100"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let lines = without_times(&text(&out.stdout));
    assert_eq!(
        lines[1..],
        [
            "placed on ts 31",
            "proceeding on ts 31",
            "B2: called line busy",
            "released: cause 17 (user busy), cleared by the far end"
        ]
    );
    assert!(
        text(&out.stderr).contains("was not answered: cause 17 (user busy), cleared by the far end"),
        "{}",
        text(&out.stderr)
    );
    // A call that hangs itself up.
    let out = system.tdm(&["call", "b:0", "20000001", "--hangup-after", "0.3"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines = without_times(&text(&out.stdout));
    assert_eq!(lines.last().unwrap(), "released: cause 16 (normal call clearing), cleared by this side");
    system.wait_for("idle after the short call", RunningSystem::all_idle);

    // Thirty calls at once take every channel; one more finds none. All are cleared while
    // still signaling.
    let ids: Vec<u64> = (0..30)
        .map(|i| {
            let reply = system
                .request(json!({"cmd": "call", "span": "b:0", "called": format!("{:08}", 30_000_000 + i)}));
            reply["call"].as_u64().unwrap_or_else(|| panic!("{reply}"))
        })
        .collect();
    let out = system.tdm(&["call", "b:0", "1"]);
    assert_eq!(
        text(&out.stderr).trim(),
        "tdm: no free channel: every one is busy, blocked or out of service"
    );
    let seized = system.channels();
    let pbx = &seized.iter().find(|(name, _)| name == "b:0").unwrap().1;
    assert!(pbx.iter().all(|c| c["line"] == "seized"), "{pbx:?}");
    for id in ids {
        let reply = system.request(json!({"cmd": "hangup", "call": id}));
        assert_eq!(reply["ok"], true, "{reply}");
    }
    system
        .wait_for("every channel idle again", |s| s.all_idle() && s.json(&["calls", "--json"]) == json!([]));

    // Mistakes are named.
    let out = system.tdm(&["call", "b:0", "12#"]);
    assert_eq!(
        text(&out.stderr).trim(),
        "tdm: number \"12#\" cannot be signalled (MFC-R2 carries digits 0-9, 1 to 32 of them)"
    );
    let out = system.tdm(&["call", "b:0", "123", "--calling", "abc"]);
    assert!(text(&out.stderr).contains("number \"abc\" cannot be signalled"), "{}", text(&out.stderr));
    let out = system.tdm(&["call", "z:0", "1"]);
    assert_eq!(text(&out.stderr).trim(), "tdm: span \"z:0\" runs no signaling stack");
    let pcap = system.dir.path().join("b.pcap");
    let out = system.tdm(&["trace", "b:0", "--pcap", pcap.to_str().unwrap(), "--count", "1"]);
    assert_eq!(
        text(&out.stderr).trim(),
        "tdm: span b:0 signals with ABCD bits and register tones, which no pcap link type carries: \
         trace it without --pcap"
    );
    assert!(!pcap.exists());

    // Every channel of both spans idle, both ways, and no call left.
    for (span, channels) in system.channels() {
        assert_eq!(channels.len(), 30, "{span}");
        for c in channels {
            assert_eq!(
                (c["line"].as_str(), c["tx_abcd"].as_str(), c["rx_abcd"].as_str()),
                (Some("idle"), Some("1011"), Some("1011")),
                "{span} {c}"
            );
        }
    }
    assert_eq!(system.json(&["calls", "--json"]), json!([]));
}
