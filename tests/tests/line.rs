//! The E1 line layer end to end: two simulated boards cabled together, the real driver on
//! each, stepped in lockstep. Every assertion is on exact states and counts.

use tdm_driver::bert::Pattern;
use tdm_driver::framer::{Alarms, Crc4Mode, FramerConfig, SyncState};
use tdm_driver::{Event, Loopback, Signaling, SpanConfig, Timeslots};
use tdm_scenarios::Rig;

fn span(crc4: Crc4Mode, signaling: Signaling) -> SpanConfig {
    SpanConfig {
        framer: FramerConfig { crc4, ..FramerConfig::default() },
        signaling,
        ..SpanConfig::default()
    }
}

fn pair(cable_extra: &str, a: SpanConfig, b: SpanConfig) -> Rig {
    let bench = format!(
        r#"
        seed = 7
        [[board]]
        name = "a"
        spans = 1
        [[board]]
        name = "b"
        spans = 1
        [[cable]]
        name = "trunk"
        a = "a:0"
        b = "b:0"
        {cable_extra}
        "#
    );
    Rig::new(&bench, &[("a", vec![a]), ("b", vec![b])])
}

fn clean(rig: &Rig, board: &str) -> bool {
    let r = rig.report(board, 0);
    r.alarms.is_empty() && r.sync != SyncState::Searching
}

#[test]
fn crc4_spans_align_from_power_up_at_any_bit_offset() {
    for offset in [0, 1, 77, 255] {
        let on = span(Crc4Mode::On, Signaling::Ccs);
        let mut rig = pair(&format!("bit_offset = {offset}"), on, on);
        let took = rig.run_until(200, |r| {
            r.report("a", 0).sync == SyncState::MultiframeAligned
                && r.report("b", 0).sync == SyncState::MultiframeAligned
        });
        assert!(took.is_some(), "offset {offset}: no CRC-4 multiframe alignment in 200 ms");
        // The first side to align hears E bits of 0 while the other is still acquiring (G.704
        // sends 0 until multiframe alignment): count from when both are up.
        rig.run_ms(20);
        let (before_a, before_b) = (rig.report("a", 0).counters, rig.report("b", 0).counters);
        rig.run_ms(1000);
        for (board, before) in [("a", before_a), ("b", before_b)] {
            let r = rig.report(board, 0);
            assert_eq!(r.sync, SyncState::MultiframeAligned, "{board} at offset {offset}");
            assert_eq!(r.alarms, Alarms::empty(), "{board} at offset {offset}");
            assert!(r.crc4_active);
            let c = r.counters;
            assert_eq!(c.frames - before.frames, 8000, "{board}: one second of frames delivered");
            let errors = (c.fas_errors, c.crc4_errors, c.e_bit_errors, c.alignment_losses, c.slips());
            let at_start =
                (before.fas_errors, before.crc4_errors, before.e_bit_errors, before.alignment_losses, 0);
            assert_eq!(errors, at_start, "{board} at offset {offset}: no error once aligned");
            assert_eq!(before.alignment_losses, 0, "{board} aligned at the first attempt");
        }
    }
}

#[test]
fn non_crc4_spans_align_and_an_auto_span_falls_back_to_them() {
    let off = span(Crc4Mode::Off, Signaling::Ccs);
    let mut rig = pair("bit_offset = 13", off, off);
    rig.run_ms(100);
    for board in ["a", "b"] {
        let r = rig.report(board, 0);
        assert_eq!((r.sync, r.alarms, r.crc4_active), (SyncState::FrameAligned, Alarms::empty(), false));
    }

    // G.706 Annex B: an Auto span facing a far end without CRC-4 keeps working without it.
    let mut rig = pair("bit_offset = 200", span(Crc4Mode::Auto, Signaling::Ccs), off);
    rig.run_ms(2000);
    let r = rig.report("a", 0);
    // CRC4_LOMF stays up to say the far end sends no CRC-4 multiframe; traffic flows.
    assert_eq!((r.sync, r.alarms, r.crc4_active), (SyncState::FrameAligned, Alarms::CRC4_LOMF, false));
    let losses = r.counters.alignment_losses;
    rig.run_ms(2000);
    assert_eq!(rig.report("a", 0).counters.alignment_losses, losses, "no churn once it fell back");
    assert_eq!(rig.report("b", 0).alarms, Alarms::empty());
}

#[test]
fn los_and_ais_raise_the_alarm_send_rai_and_clear() {
    let on = span(Crc4Mode::On, Signaling::Ccs);
    let faults = r#"
        [[cable.fault]]
        kind = "cut"
        at_ms = 1000
        duration_ms = 500
        direction = "a_to_b"
        [[cable.fault]]
        kind = "ais"
        at_ms = 3000
        duration_ms = 500
        direction = "a_to_b"
    "#;
    let mut rig = pair(faults, on, on);
    rig.run_ms(1000);
    assert!(clean(&rig, "a") && clean(&rig, "b"));
    rig.run_ms(250);
    assert_eq!(rig.report("b", 0).alarms, Alarms::LOS);
    assert_eq!(rig.report("a", 0).alarms, Alarms::RAI, "b sends RAI while it has LOS");
    rig.run_ms(250 + 250);
    assert_eq!(rig.report("b", 0).alarms, Alarms::empty());
    assert_eq!(rig.report("a", 0).alarms, Alarms::empty());
    assert_eq!(rig.report("b", 0).sync, SyncState::MultiframeAligned);

    rig.run_ms(3250 - rig.sim.now_ms());
    assert_eq!(rig.report("b", 0).alarms, Alarms::AIS);
    assert_eq!(rig.report("a", 0).alarms, Alarms::RAI, "b sends RAI while it has AIS");
    rig.run_ms(500);
    assert_eq!(rig.report("b", 0).alarms, Alarms::empty());
    assert_eq!(rig.report("a", 0).alarms, Alarms::empty());
}

#[test]
fn a_bit_error_rate_of_1e_4_gives_crc4_and_e_bit_counts_within_bounds() {
    let on = span(Crc4Mode::On, Signaling::Ccs);
    let mut rig = pair("", on, on);
    rig.run_ms(500);
    rig.sim.control().set_ber("trunk", 1e-4).expect("cable exists");
    let before_b = rig.report("b", 0).counters;
    let before_a = rig.report("a", 0).counters;
    let seconds = 20;
    rig.run_ms(seconds * 1000);
    rig.sim.control().set_ber("trunk", 0.0).expect("cable exists");
    rig.run_ms(50);
    let b = rig.report("b", 0).counters;
    let a = rig.report("a", 0).counters;
    // A sub-multiframe is 2048 bits; it fails its CRC-4 when any of them is hit.
    let smfs = (seconds * 1000) as f64;
    let p_block = 1.0 - (1.0f64 - 1e-4).powi(2048);
    let expected = smfs * p_block;
    let sigma = (smfs * p_block * (1.0 - p_block)).sqrt();
    for (name, crc) in
        [("a", a.crc4_errors - before_a.crc4_errors), ("b", b.crc4_errors - before_b.crc4_errors)]
    {
        assert!(
            (crc as f64 - expected).abs() < 5.0 * sigma,
            "{name}: {crc} CRC-4 errors, expected {expected:.0} ± {:.0}",
            5.0 * sigma
        );
    }
    // Every errored block one side sees comes back to the other as an E bit; the E bit
    // itself can be hit on the way back (p ≈ 1e-4 per bit), which adds a handful.
    for (crc_seen, ebits_back) in [(b.crc4_errors, a.e_bit_errors), (a.crc4_errors, b.e_bit_errors)] {
        let diff = ebits_back as i64 - crc_seen as i64;
        assert!((0..=10).contains(&diff), "E bits {ebits_back} vs CRC-4 errors {crc_seen}");
    }
    assert_eq!(b.alignment_losses, 0);
}

#[test]
fn a_50_ppm_clock_offset_slips_once_every_2_5_seconds() {
    let on = span(Crc4Mode::On, Signaling::Ccs);
    let mut rig = pair("clock_ppm = 50.0", on, on);
    let mut slip_times = Vec::new();
    let mut last = 0;
    for _ in 0..40_000 {
        rig.step();
        let slips = rig.report("b", 0).counters.slips();
        if slips != last {
            slip_times.push(rig.sim.now_ms());
            last = slips;
        }
    }
    let b = rig.report("b", 0).counters;
    assert_eq!(b.slips_repeated, 0, "a faster line only deletes frames");
    assert!(slip_times.len() >= 8, "slips at {slip_times:?}");
    // 50 ppm of 8000 frames/s is 0.4 frames/s: one whole-frame slip per 2500 ms.
    for pair in slip_times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!((2499..=2501).contains(&gap), "slips at {slip_times:?}");
    }
    let a = rig.report("a", 0).counters;
    assert_eq!(a.slips(), 0, "a's receiver is not offset");
    assert_eq!((b.fas_errors, b.crc4_errors, b.alignment_losses), (0, 0, 0), "slips are controlled");
}

#[test]
fn a_bert_through_a_remote_loopback_counts_exactly_the_errors_injected() {
    let on = span(Crc4Mode::On, Signaling::Ccs);
    let mut rig = pair("bit_offset = 99", on, on);
    rig.run_ms(300);
    rig.handle("b").set_loopback(0, Loopback::Remote).unwrap();
    rig.handle("a").start_bert(0, Pattern::Prbs15, Timeslots::PAYLOAD).unwrap();
    let synced = rig.run_until(500, |r| r.report("a", 0).bert.is_some_and(|b| b.in_sync));
    assert!(synced.is_some(), "BERT never synchronised");
    rig.run_ms(1000);
    let before = rig.report("a", 0).bert.unwrap();
    assert_eq!(before.errors, 0);
    rig.handle("a").inject_bert_errors(0, 17).unwrap();
    rig.run_ms(2000);
    let after = rig.report("a", 0).bert.unwrap();
    assert_eq!(after.errors, 17);
    assert_eq!(after.injected, 17);
    assert_eq!(after.sync_losses, 0);
    // 31 timeslots × 8 bits × 8000 frames/s checked for 2 s.
    assert!(after.bits - before.bits >= 31 * 8 * 8000 * 2 - 31 * 8 * 16);
    assert_eq!(rig.report("b", 0).loopback, Loopback::Remote);
}

#[test]
fn abcd_changes_arrive_debounced_on_the_far_side() {
    let cas = span(Crc4Mode::On, Signaling::Cas);
    let mut rig = pair("", cas, cas);
    rig.run_ms(300);
    assert!(rig.report("b", 0).cas_aligned);
    while rig.handle("b").events().try_recv().is_ok() {}
    rig.handle("a").set_abcd(0, 1, 0b0011).unwrap();
    rig.handle("a").set_abcd(0, 17, 0b0111).unwrap();
    rig.run_ms(50);
    let changes: Vec<(u8, u8)> = rig
        .handle("b")
        .events()
        .try_iter()
        .filter_map(|e| match e {
            Event::Abcd { timeslot, abcd, .. } => Some((timeslot, abcd)),
            _ => None,
        })
        .collect();
    assert_eq!(changes, vec![(1, 0b0011), (17, 0b0111)]);
}

#[test]
fn the_same_bench_and_seed_give_the_same_run() {
    let run = || {
        let on = span(Crc4Mode::On, Signaling::Ccs);
        let mut rig = pair("ber = 3e-4\nclock_ppm = -20.0", on, on);
        rig.run_ms(4000);
        (rig.report("a", 0), rig.report("b", 0))
    };
    let (first, second) = (run(), run());
    assert_eq!(first, second);
    assert!(first.1.counters.crc4_errors > 0, "the run had errors to compare: {:?}", first.1.counters);
}
