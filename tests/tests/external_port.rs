//! A program outside the driver — `e1-far-end`, written from the documented external line
//! port protocol alone, with its own timeslot 0 and CRC-4 — is the far end of a span.

use std::process::{Command, Stdio};

use tdm_driver::SpanConfig;
use tdm_driver::framer::{Alarms, Crc4Mode, FramerConfig, SyncState};
use tdm_scenarios::Rig;

#[test]
fn a_foreign_far_end_brings_the_span_up_and_its_departure_is_los() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("far-end.sock");
    let bench = format!(
        r#"
        [[board]]
        name = "a"
        spans = 1
        [[cable]]
        a = "a:0"
        external = "{}"
        bit_offset = 45
        "#,
        socket.display()
    );
    let config = SpanConfig {
        framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
        ..SpanConfig::default()
    };
    let mut rig = Rig::new(&bench, &[("a", vec![config])]);
    rig.run_ms(20);
    assert_eq!(rig.report("a", 0).alarms, Alarms::LOS, "no peer yet");

    let peer = Command::new(env!("CARGO_BIN_EXE_e1-far-end"))
        .args([socket.to_str().unwrap(), "1500", "--crc4"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start e1-far-end");
    let took = rig.run_until(1000, |r| r.report("a", 0).sync == SyncState::MultiframeAligned);
    assert!(took.is_some(), "span did not come up against the foreign far end");
    rig.run_ms(1000);
    let r = rig.report("a", 0);
    assert_eq!((r.sync, r.alarms), (SyncState::MultiframeAligned, Alarms::empty()));
    let c = r.counters;
    assert_eq!((c.fas_errors, c.crc4_errors, c.e_bit_errors, c.alignment_losses), (0, 0, 0, 0));

    // The peer stops after its 1500 blocks: the span sees LOS.
    let gone = rig.run_until(1000, |r| r.report("a", 0).alarms.contains(Alarms::LOS));
    assert!(gone.is_some(), "peer's departure was not LOS");
    let output = peer.wait_with_output().expect("e1-far-end finished");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "e1-far-end failed: {stdout}");
    assert_eq!(stdout.trim(), "far end: 1500 blocks exchanged, FAS found in received stream: true");
}
