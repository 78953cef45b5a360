//! Timeslots end to end: voice rings, soft-HDLC signaling channels, a BERT on one timeslot
//! through a far-end timeslot loop, and a local loopback.

use tdm_driver::bert::Pattern;
use tdm_driver::framer::{Crc4Mode, FramerConfig};
use tdm_driver::hdlc::HdlcConfig;
use tdm_driver::{Event, Loopback, SpanConfig, Timeslots};
use tdm_scenarios::Rig;

fn rig(extra: &str) -> Rig {
    let bench = format!(
        "seed = 3\n[[board]]\nname = \"a\"\nspans = 1\n[[board]]\nname = \"b\"\nspans = 1\n\
         [[cable]]\nname = \"trunk\"\na = \"a:0\"\nb = \"b:0\"\nbit_offset = 21\n{extra}"
    );
    let config = SpanConfig {
        framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
        ..SpanConfig::default()
    };
    let mut rig = Rig::new(&bench, &[("a", vec![config]), ("b", vec![config])]);
    rig.run_ms(100);
    rig
}

#[test]
fn voice_octets_cross_the_span_in_order_and_unchanged() {
    let mut rig = rig("");
    let mut a5 = rig.handle("a").open_audio(0, 5, 4096).unwrap();
    let mut b5 = rig.handle("b").open_audio(0, 5, 4096).unwrap();
    rig.run_ms(2);
    let sent: Vec<u8> = (0..2000u32).map(|i| (i * 37 % 251) as u8).collect();
    assert_eq!(a5.tx.push_slice(&sent), 2000);
    let mut received = Vec::new();
    let mut buf = [0u8; 64];
    for _ in 0..400 {
        rig.step();
        let n = b5.rx.pop_slice(&mut buf);
        received.extend_from_slice(&buf[..n]);
    }
    // Before the first sent octet the far end hears our idle code; after the last, idle again.
    let start = received.iter().position(|&o| o == sent[0]).expect("first octet arrived");
    assert!(received[..start].iter().all(|&o| o == 0xD5), "only idle before the audio");
    assert_eq!(&received[start..start + sent.len()], &sent[..]);
    assert!(received[start + sent.len()..].iter().all(|&o| o == 0xD5));
    // Latency: the TX queue (2 blocks), the board and the line (1 block), the slip buffer's
    // nominal delay (2 blocks) and the service granularity (1 block each side): under 8 blocks.
    assert!((5 * 8..8 * 8).contains(&start), "latency of {start} frames");
}

#[test]
fn hdlc_frames_on_ts16_arrive_whole_and_in_order() {
    let mut rig = rig("");
    let a = rig.handle("a").open_hdlc(0, 16, HdlcConfig::default()).unwrap();
    let _b = rig.handle("b").open_hdlc(0, 16, HdlcConfig::default()).unwrap();
    rig.run_ms(5);
    while rig.handle("b").events().try_recv().is_ok() {}
    let frames: Vec<Vec<u8>> =
        (0..40u8).map(|n| (0..(3 + n as usize * 6)).map(|i| n ^ i as u8).collect()).collect();
    for f in &frames {
        a.send(f).unwrap();
    }
    rig.run_ms(1500);
    let got: Vec<Vec<u8>> = rig
        .handle("b")
        .events()
        .try_iter()
        .filter_map(|e| match e {
            Event::Hdlc { span: 0, timeslot: 16, frame, .. } => Some(frame.bytes().to_vec()),
            _ => None,
        })
        .collect();
    assert_eq!(got, frames);
    // A frame longer than the link accepts is refused at the handle, not sent broken.
    assert!(a.send(&[0u8; 300]).is_err());
    // TS16 is taken; opening it again is a clear error.
    let again = rig.handle("a").open_hdlc(0, 16, HdlcConfig::default()).err().unwrap();
    assert_eq!(again.to_string(), "span 0 timeslot 16 is in use (Hdlc)");
}

#[test]
fn a_single_timeslot_bert_through_a_far_end_timeslot_loop_counts_exactly() {
    let mut rig = rig("ber = 0.0");
    rig.handle("b").loop_timeslot(0, 9).unwrap();
    rig.handle("a").start_bert(0, Pattern::Prbs11, Timeslots::single(9)).unwrap();
    let synced = rig.run_until(500, |r| r.report("a", 0).bert.is_some_and(|b| b.in_sync));
    assert!(synced.is_some(), "BERT on TS9 never synchronised");
    rig.run_ms(200);
    let before = rig.report("a", 0).bert.unwrap();
    rig.handle("a").inject_bert_errors(0, 6).unwrap();
    rig.run_ms(1000);
    let after = rig.report("a", 0).bert.unwrap();
    assert_eq!((after.errors, after.sync_losses, after.timeslots), (6, 0, 1 << 9));
    // 8 bits per frame on one timeslot: 64 kbit/s.
    assert_eq!(after.bits - before.bits, 64_000);
}

#[test]
fn a_local_loopback_brings_our_own_signal_back() {
    let mut rig = rig("");
    rig.handle("a").set_loopback(0, Loopback::Local).unwrap();
    rig.handle("a").start_bert(0, Pattern::Prbs23, Timeslots::PAYLOAD).unwrap();
    let synced = rig.run_until(500, |r| r.report("a", 0).bert.is_some_and(|b| b.in_sync));
    assert!(synced.is_some());
    rig.run_ms(500);
    let bert = rig.report("a", 0).bert.unwrap();
    assert_eq!((bert.errors, bert.sync_losses), (0, 0));
    assert_eq!(rig.report("a", 0).loopback, Loopback::Local);
    rig.handle("a").stop_bert(0).unwrap();
    rig.step();
    assert_eq!(rig.report("a", 0).bert, None);
    // The payload timeslots are free again once the BERT stopped.
    assert!(rig.handle("a").open_audio(0, 1, 64).is_ok());
}
