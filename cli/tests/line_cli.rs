//! The `tdm` command as a line engineer uses it: the demo, a running system on the
//! simulator driven through the control socket, and bad system files.

use std::path::Path;
use std::time::{Duration, Instant};

mod common;

use common::{RunningSystem, tdm, text};

#[test]
fn the_demo_finishes_by_itself_with_a_passing_bert() {
    let out = tdm(&["demo"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("pbx       span 0: searching, alarms LOS"), "{stdout}");
    assert!(stdout.contains("pbx       span 0: searching, alarms AIS"), "{stdout}");
    assert!(stdout.contains("exchange  span 0: crc4-multiframe, alarms RAI"), "{stdout}");
    assert!(stdout.contains("BERT verdict: PASS (25 errors counted, 25 injected)"), "{stdout}");
}

/// Two CRC-4 spans on the lockstep bench, nothing but the line layer.
const SYSTEM: &str = "[simulator]\nbench = \"bench.toml\"\npacing = \"lockstep\"\n\
    [[board]]\nname = \"a\"\ndevice = \"sim:a\"\n[[board.span]]\ncrc4 = \"on\"\n\
    [[board]]\nname = \"b\"\ndevice = \"sim:b\"\n[[board.span]]\ncrc4 = \"on\"\n";

fn status(system: &RunningSystem) -> serde_json::Value {
    system.json(&["status", "--json"])
}

#[test]
fn a_running_system_answers_status_loopback_and_bert() {
    let system = RunningSystem::start(1, SYSTEM);
    let started = Instant::now();
    loop {
        let spans = status(&system);
        let up = spans
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["sync"] == "crc4-multiframe" && s["alarms"] == serde_json::json!([]));
        if up {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "spans never came up: {spans}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let table = text(&system.tdm(&["status"]).stdout);
    assert!(table.starts_with("SPAN"), "{table}");
    assert!(table.contains("a:0") && table.contains("b:0"), "{table}");

    let out = system.tdm(&["loopback", "b:0", "remote"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let spans = status(&system);
    assert_eq!(spans[1]["loopback"], "remote");

    let out = system.tdm(&["bert", "a:0", "--pattern", "2^20-1", "--seconds", "2", "--inject", "9"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("BERT report for a:0: BERT 2^20-1 on ts 1-31: in sync"), "{stdout}");
    assert!(stdout.contains(" 9 errors,"), "{stdout}");
    assert!(stdout.contains("injected 9, counted 9"), "{stdout}");

    let bad = system.tdm(&["loopback", "z:0", "remote"]);
    assert!(!bad.status.success());
    assert_eq!(text(&bad.stderr).trim(), "tdm: span \"z:0\": no board \"z\"");
    let bad = system.tdm(&["bert", "a:0", "--pattern", "2^7-1"]);
    assert!(text(&bad.stderr).starts_with("tdm: pattern \"2^7-1\": "), "{}", text(&bad.stderr));
}

#[test]
fn a_bad_system_file_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sys.toml");
    std::fs::write(
        &path,
        "[[board]]\nname = \"a\"\ndevice = \"abi:/nonexistent/mem\"\n[[board.span]]\nclock = \"gps\"\n",
    )
    .unwrap();
    let out = tdm(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with(&format!("tdm: {}:5: ", path.display())), "{stderr}");
    assert!(stderr.contains("gps"), "{stderr}");

    std::fs::write(&path, "[[board]]\nname = \"a\"\ndevice = \"abi:/nonexistent/mem\"\n[[board.span]]\n")
        .unwrap();
    let out = tdm(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr).trim(),
        "tdm: /nonexistent/mem: cannot open board: No such file or directory (os error 2)"
    );

    // A DAHDI card on a machine without DAHDI: what is missing and what to do.
    if !Path::new("/dev/dahdi/ctl").exists() {
        std::fs::write(&path, "[[board]]\nname = \"card\"\ndevice = \"dahdi:1\"\n[[board.span]]\n").unwrap();
        let out = tdm(&["run", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with("tdm: /dev/dahdi/ctl: cannot open board: DAHDI is not loaded"),
            "{stderr}"
        );
        assert!(stderr.contains("modprobe dahdi"), "{stderr}");
    }

    let out = tdm(&["--socket", dir.path().join("none.sock").to_str().unwrap(), "status"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot reach a running system"), "{}", text(&out.stderr));
}
