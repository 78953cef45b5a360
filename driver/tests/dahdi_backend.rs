//! The DAHDI backend against a fake DAHDI (`dahdi_fake`): socketpairs as channel files,
//! ioctls answered in memory, virtual time. Each test drives `DahdiDriver::service` by hand
//! and looks at what the handle, the events and the fake's line ends show.

mod dahdi_fake;

use std::path::PathBuf;

use dahdi_fake::Fake;
use tdm_driver::bert::Pattern;
use tdm_driver::dahdi::abi::{
    BufferInfo, DAHDI_ALARM_BLUE, DAHDI_ALARM_LFA, DAHDI_ALARM_LMFA, DAHDI_ALARM_LOS, DAHDI_ALARM_NOTOPEN,
    DAHDI_ALARM_RED, DAHDI_ALARM_YELLOW, DAHDI_CONFIG_CCS, DAHDI_CONFIG_CRC4, DAHDI_CONFIG_HDB3,
    DAHDI_EVENT_ABORT, DAHDI_EVENT_ALARM, DAHDI_EVENT_BADFCS, DAHDI_EVENT_BITSCHANGED, DAHDI_EVENT_NOALARM,
    DAHDI_EVENT_OVERRUN, DAHDI_EVENT_READ_OVERRUN, DAHDI_EVENT_REMOVED, DAHDI_EVENT_WRITE_UNDERRUN,
    DAHDI_LAW_ALAW, DAHDI_SIG_CAS, DAHDI_SIG_CLEAR, DAHDI_SIG_HARDHDLC, DAHDI_SIG_HDLCFCS, DAHDI_SIG_NONE,
    MaintInfo,
};
use tdm_driver::dahdi::{DahdiDevice, DahdiDriver, IntIoctl};
use tdm_driver::framer::{Alarms, Crc4Mode, FramerConfig, SyncState};
use tdm_driver::hdlc::{HdlcConfig, HdlcError, fcs16};
use tdm_driver::{ClockSource, DriverHandle, ErrorKind, Event, Loopback, Signaling, SpanConfig, Timeslots};

const PRI_LINE: i32 = DAHDI_CONFIG_CCS | DAHDI_CONFIG_CRC4 | DAHDI_CONFIG_HDB3;
const CAS_LINE: i32 = DAHDI_CONFIG_HDB3;
const SPAN_NAME: &str = "TE2/0/1";

/// `span=1,1,0,ccs,hdb3,crc4`, `bchan=1-15,17-31`, `dchan=16`.
fn pri_span(fake: &Fake) {
    fake.add_e1_span(
        1,
        SPAN_NAME,
        PRI_LINE,
        1,
        |p| if p == 16 { DAHDI_SIG_HDLCFCS } else { DAHDI_SIG_CLEAR },
    );
}

/// `span=1,1,0,cas,hdb3`, `cas=1-15,17-31:1101`, with every channel receiving 1011.
fn cas_span(fake: &Fake) {
    fake.add_e1_span(1, SPAN_NAME, CAS_LINE, 1, |p| if p == 16 { DAHDI_SIG_NONE } else { DAHDI_SIG_CAS });
    for c in fake.state().channels.values_mut() {
        c.rxbits = 0b1011;
    }
}

fn ccs_config() -> SpanConfig {
    SpanConfig {
        framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
        signaling: Signaling::Ccs,
        clock: ClockSource::Line,
        cas_debounce_multiframes: 2,
    }
}

fn cas_config() -> SpanConfig {
    SpanConfig {
        framer: FramerConfig { crc4: Crc4Mode::Off, ..FramerConfig::default() },
        signaling: Signaling::Cas,
        ..ccs_config()
    }
}

fn open(fake: &Fake, device: &str, configs: &[SpanConfig]) -> (DahdiDriver<Fake>, DriverHandle) {
    let device = DahdiDevice::parse(device).expect("device");
    match DahdiDriver::open_with(fake.clone(), &device, configs) {
        Ok(opened) => opened,
        Err(e) => panic!("open failed: {e}"),
    }
}

fn open_err(fake: &Fake, device: &str, configs: &[SpanConfig]) -> tdm_driver::Error {
    let device = DahdiDevice::parse(device).expect("device");
    match DahdiDriver::open_with(fake.clone(), &device, configs) {
        Ok(_) => panic!("open should fail"),
        Err(e) => e,
    }
}

/// One pass, as the spawned loop makes them: with nothing ready the fake's clock runs to the
/// next thing the driver waits for (a status read every 5 ms, a CAS debounce deadline).
fn service(driver: &mut DahdiDriver<Fake>) {
    if let Err(e) = driver.service(std::time::Duration::from_millis(200)) {
        panic!("service failed: {e}");
    }
}

fn events(handle: &DriverHandle) -> Vec<Event> {
    handle.events().try_iter().collect()
}

fn line_events(handle: &DriverHandle) -> Vec<(Alarms, SyncState, u64)> {
    events(handle)
        .into_iter()
        .filter_map(|e| match e {
            Event::Line { alarms, sync, at_ms, .. } => Some((alarms, sync, at_ms)),
            _ => None,
        })
        .collect()
}

#[derive(Debug, PartialEq)]
enum Signal {
    Frame(u8, Vec<u8>),
    Error(u8, HdlcError),
}

fn hdlc_events(handle: &DriverHandle) -> Vec<Signal> {
    events(handle)
        .into_iter()
        .filter_map(|e| match e {
            Event::Hdlc { timeslot, frame, .. } => Some(Signal::Frame(timeslot, frame.bytes().to_vec())),
            Event::HdlcError { timeslot, error, .. } => Some(Signal::Error(timeslot, error)),
            _ => None,
        })
        .collect()
}

fn with_fcs(body: &[u8]) -> Vec<u8> {
    let mut v = body.to_vec();
    v.extend_from_slice(&fcs16(body).to_le_bytes());
    v
}

fn voice_buffers() -> BufferInfo {
    BufferInfo { txbufpolicy: 0, rxbufpolicy: 0, numbufs: 10, bufsize: 40, readbufs: 0, writebufs: 0 }
}

fn hdlc_buffers() -> BufferInfo {
    BufferInfo { numbufs: 16, bufsize: 512, ..voice_buffers() }
}

#[test]
fn a_pri_span_opens_every_configured_channel_and_reports_a_clean_line() {
    let fake = Fake::new();
    pri_span(&fake);
    let (mut driver, handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    assert_eq!(handle.board_name(), "dahdi:1");
    assert_eq!(handle.span_count(), 1);
    assert_eq!(driver.dahdi_span(0), Some((1, "DAHDI span 1 (TE2/0/1)")));
    {
        let s = fake.state();
        let mut expected = vec![PathBuf::from("/dev/dahdi/ctl")];
        expected.extend((1..=31).map(|p| PathBuf::from(format!("/dev/dahdi/chan/001/{p:03}"))));
        assert_eq!(s.opened, expected);
        for (&channo, c) in &s.channels {
            if channo == 16 {
                assert_eq!(c.buffers, Some(hdlc_buffers()));
                assert!(!c.audio);
            } else {
                // Idle bearers send A-law silence, as on the board path.
                assert_eq!(c.buffers, Some(voice_buffers()), "channel {channo}");
                assert!(c.audio, "channel {channo}");
            }
        }
    }
    service(&mut driver);
    let report = handle.report(0).expect("span 0");
    assert_eq!(report.sync, SyncState::MultiframeAligned);
    assert_eq!(report.alarms, Alarms::empty());
    assert!(report.crc4_active);
    assert!(!report.cas_aligned);
    assert_eq!(report.loopback, Loopback::None);
    assert_eq!(report.tx_latency_ms, 10);
    assert_eq!(report.counters, tdm_driver::LineCounters::default());
    assert_eq!(report.bert, None);
    assert_eq!(line_events(&handle), vec![(Alarms::empty(), SyncState::MultiframeAligned, 0)]);
}

#[test]
fn span_alarms_map_to_the_framers_alarms_and_counters_to_its_counters() {
    let fake = Fake::new();
    pri_span(&fake);
    fake.edit_span(1, |i| {
        i.bpvcount = 1000;
        i.crc4count = 50;
    });
    let (mut driver, handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    service(&mut driver);
    line_events(&handle);

    // Loss of signal: the card raises red with LOS and LFA details, and an alarm event.
    fake.advance(1);
    fake.edit_span(1, |i| {
        i.alarms = DAHDI_ALARM_RED | DAHDI_ALARM_LOS | DAHDI_ALARM_LFA;
        i.bpvcount = 1017;
    });
    fake.queue_event(1, DAHDI_EVENT_ALARM);
    service(&mut driver);
    assert_eq!(line_events(&handle), vec![(Alarms::LOS, SyncState::Searching, 1)]);
    let r = handle.report(0).unwrap();
    assert_eq!((r.alarms, r.sync, r.crc4_active), (Alarms::LOS, SyncState::Searching, false));
    assert_eq!(r.counters.line_code_violations, 17);
    assert_eq!(r.counters.alignment_losses, 1);

    // Back with the far end in alarm: yellow.
    fake.advance(1);
    fake.edit_span(1, |i| {
        i.alarms = DAHDI_ALARM_YELLOW;
        i.crc4count = 53;
        i.ebitcount = 4;
        i.fascount = 2;
    });
    fake.queue_event(1, DAHDI_EVENT_NOALARM);
    service(&mut driver);
    assert_eq!(line_events(&handle), vec![(Alarms::RAI, SyncState::MultiframeAligned, 2)]);
    let c = handle.report(0).unwrap().counters;
    assert_eq!((c.crc4_errors, c.e_bit_errors, c.fas_errors), (3, 4, 2));

    // AIS comes without an event: the periodic read finds it.
    fake.edit_span(1, |i| i.alarms = DAHDI_ALARM_BLUE);
    fake.advance(5);
    service(&mut driver);
    assert_eq!(line_events(&handle), vec![(Alarms::AIS, SyncState::Searching, 7)]);

    // Frame but no CRC-4 multiframe.
    fake.edit_span(1, |i| i.alarms = DAHDI_ALARM_LMFA);
    fake.advance(5);
    service(&mut driver);
    assert_eq!(line_events(&handle), vec![(Alarms::CRC4_LOMF, SyncState::FrameAligned, 12)]);
    let r = handle.report(0).unwrap();
    assert!(!r.crc4_active);
    assert_eq!(r.counters.alignment_losses, 2);
}

#[test]
fn cas_bits_start_idle_and_changes_are_debounced_like_the_software_receiver() {
    let fake = Fake::new();
    cas_span(&fake);
    let (mut driver, handle) = open(&fake, "dahdi:1", &[cas_config()]);
    for ts in (1..=15).chain(17..=31) {
        let calls = fake.calls_on(ts);
        assert!(calls.contains(&(IntIoctl::SetTxBits, 0b1101)), "TS{ts} sends idle 1101: {calls:?}");
        assert!(calls.iter().any(|(r, _)| *r == IntIoctl::GetRxBits), "TS{ts}");
    }
    // TS16 carries the multiframe: no channel there.
    assert!(fake.calls_on(16).is_empty());

    // 1011 everywhere, confirmed after two multiframes (2 ms).
    service(&mut driver);
    let abcd = |h: &DriverHandle| -> Vec<(u8, u8, u64)> {
        events(h)
            .into_iter()
            .filter_map(|e| match e {
                Event::Abcd { timeslot, abcd, at_ms, .. } => Some((timeslot, abcd, at_ms)),
                _ => None,
            })
            .collect()
    };
    assert_eq!(abcd(&handle), vec![]);
    service(&mut driver);
    let first: Vec<_> = (1..=15u8).chain(17..=31).map(|ts| (ts, 0b1011, 2)).collect();
    assert_eq!(abcd(&handle), first);
    let report = handle.report(0).unwrap();
    assert!(report.cas_aligned);
    assert!(!report.crc4_active);
    assert_eq!(report.sync, SyncState::FrameAligned);

    // Seizure on TS5: reported 2 ms after DAHDI's change event.
    fake.state().channels.get_mut(&5).unwrap().rxbits = 0b0011;
    fake.queue_event(5, DAHDI_EVENT_BITSCHANGED);
    service(&mut driver);
    let seized_at = fake.state().now.as_millis() as u64;
    assert_eq!(abcd(&handle), vec![]);
    service(&mut driver);
    assert_eq!(abcd(&handle), vec![(5, 0b0011, seized_at + 2)]);

    // A 1 ms glitch on TS6 is never reported.
    fake.state().channels.get_mut(&6).unwrap().rxbits = 0b0011;
    fake.queue_event(6, DAHDI_EVENT_BITSCHANGED);
    service(&mut driver);
    fake.advance(1);
    fake.state().channels.get_mut(&6).unwrap().rxbits = 0b1011;
    fake.queue_event(6, DAHDI_EVENT_BITSCHANGED);
    service(&mut driver);
    fake.advance(10);
    service(&mut driver);
    assert_eq!(abcd(&handle), vec![]);

    // Sending: as DAHDI_SETTXBITS; 0000 on TS1-15 is not sent (it imitates the MFAS).
    handle.set_abcd(0, 1, 0b0011).unwrap();
    handle.set_abcd(0, 2, 0b0000).unwrap();
    handle.set_abcd(0, 17, 0b0000).unwrap();
    service(&mut driver);
    let s = fake.state();
    assert_eq!(s.channels[&1].txbits, 0b0011);
    assert_eq!(s.channels[&2].txbits, 0b1101);
    assert_eq!(s.channels[&17].txbits, 0b0000);
}

#[test]
fn d_channel_frames_arrive_without_their_fcs_and_leave_with_room_for_it() {
    let fake = Fake::new();
    pri_span(&fake);
    let (mut driver, handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    let opened = fake.calls_on(16).len();
    let dchan = handle.open_hdlc(0, 16, HdlcConfig::default()).unwrap();
    service(&mut driver);
    // A dchan is framed by DAHDI already: no mode change, just a fresh queue.
    assert_eq!(
        fake.calls_on(16)[opened..],
        [(IntIoctl::BufferEvents, 0), (IntIoctl::Flush, 3), (IntIoctl::BufferEvents, 1),]
    );
    // SABME from the network, then the same with a damaged FCS, then the FCS alone.
    let sabme = [0x02, 0x01, 0x7F];
    let sent = with_fcs(&sabme);
    // CRC-16/X.25 of 02 01 7F is 0xE1DC, sent low octet first.
    assert_eq!(sent[3..], [0xDC, 0xE1][..]);
    fake.line_send(16, &sent);
    let mut bad = sent.clone();
    bad[4] ^= 0x80;
    fake.line_send(16, &bad);
    fake.line_send(16, &sent[3..]);
    service(&mut driver);
    assert_eq!(
        hdlc_events(&handle),
        vec![
            Signal::Frame(16, sabme.to_vec()),
            Signal::Error(16, HdlcError::BadFcs),
            Signal::Error(16, HdlcError::TooShort),
        ]
    );
    // What the kernel itself reports.
    for e in [DAHDI_EVENT_BADFCS, DAHDI_EVENT_ABORT, DAHDI_EVENT_OVERRUN] {
        fake.queue_event(16, e);
    }
    service(&mut driver);
    assert_eq!(
        hdlc_events(&handle),
        vec![
            Signal::Error(16, HdlcError::BadFcs),
            Signal::Error(16, HdlcError::Aborted),
            Signal::Error(16, HdlcError::TooLong),
        ]
    );
    // UA back: the frame and two octets for DAHDI to put the FCS in.
    dchan.send(&[0x02, 0x01, 0x73]).unwrap();
    // Shorter than the link's 3-octet minimum: dropped, as the soft HDLC encoder does.
    dchan.send(&[0x02, 0x01]).unwrap();
    dchan.send(&[0x00, 0x01, 0x01, 0x05]).unwrap();
    service(&mut driver);
    assert_eq!(fake.line_take(16), vec![vec![0x02, 0x01, 0x73, 0, 0], vec![0x00, 0x01, 0x01, 0x05, 0, 0]]);
    // A frame queued while an event waits goes out once the event is read.
    fake.queue_event(16, DAHDI_EVENT_NOALARM);
    dchan.send(&[0x02, 0x01, 0x01, 0x07]).unwrap();
    service(&mut driver);
    service(&mut driver);
    assert_eq!(fake.line_take(16), vec![vec![0x02, 0x01, 0x01, 0x07, 0, 0]]);
}

#[test]
fn hardhdlc_frames_lose_two_octets_unchecked_and_clear_channels_become_hdlc_on_demand() {
    let fake = Fake::new();
    fake.add_e1_span(
        1,
        SPAN_NAME,
        PRI_LINE,
        1,
        |p| if p == 16 { DAHDI_SIG_HARDHDLC } else { DAHDI_SIG_CLEAR },
    );
    let (mut driver, handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    let _d = handle.open_hdlc(0, 16, HdlcConfig::default()).unwrap();
    // An SS7 link on a clear bearer: DAHDI frames it once asked.
    let _link = handle.open_hdlc(0, 1, HdlcConfig::default()).unwrap();
    service(&mut driver);
    assert_eq!(fake.state().channels[&1].buffers, Some(hdlc_buffers()));
    assert!(fake.state().channels[&1].hdlc);
    assert!(fake.calls_on(1).contains(&(IntIoctl::HdlcFcsMode, 1)));
    // The card checked the FCS: whatever it left there is just removed.
    fake.line_send(16, &[0x02, 0x01, 0x7F, 0xEE, 0xEE]);
    // The kernel's soft HDLC left a real FCS, so it is checked: a FISU, then a damaged one.
    let fisu = with_fcs(&[0x80, 0x80, 0x00]);
    fake.line_send(1, &fisu);
    let mut bad = fisu.clone();
    bad[0] ^= 1;
    fake.line_send(1, &bad);
    service(&mut driver);
    let mut got = hdlc_events(&handle);
    got.sort_by_key(|s| match s {
        Signal::Frame(ts, _) | Signal::Error(ts, _) => *ts,
    });
    assert_eq!(
        got,
        vec![
            Signal::Frame(1, vec![0x80, 0x80, 0x00]),
            Signal::Error(1, HdlcError::BadFcs),
            Signal::Frame(16, vec![0x02, 0x01, 0x7F]),
        ]
    );
    // Released, the bearer goes back to voice buffers and silence.
    handle.release(0, 1).unwrap();
    service(&mut driver);
    let s = fake.state();
    assert_eq!(s.channels[&1].buffers, Some(voice_buffers()));
    assert!(!s.channels[&1].hdlc);
    assert!(s.channels[&1].audio);
}

#[test]
fn voice_blocks_flow_both_ways_over_a_two_block_cushion_that_grows_on_underruns() {
    let fake = Fake::new();
    pri_span(&fake);
    let (mut driver, handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    let mut voice = handle.open_audio(0, 1, 256).unwrap();
    service(&mut driver);
    let calls = fake.calls_on(1);
    let attach = &calls[calls.len() - 4..];
    assert_eq!(
        attach,
        [
            (IntIoctl::BufferEvents, 0),
            (IntIoctl::HdlcFcsMode, 0),
            (IntIoctl::Flush, 3),
            (IntIoctl::BufferEvents, 1)
        ]
    );
    assert!(!fake.state().channels[&1].audio, "transparent octets, not audio mode");
    assert_eq!(fake.line_take(1), vec![vec![0xD5; 40], vec![0xD5; 40]]);

    // The application has 10 octets to send; a block arrives from the line.
    let outgoing: Vec<u8> = (1..=10).collect();
    assert_eq!(voice.tx.push_slice(&outgoing), 10);
    let incoming: Vec<u8> = (100..140).collect();
    fake.line_send(1, &incoming);
    service(&mut driver);
    let mut heard = [0u8; 64];
    assert_eq!(voice.rx.pop_slice(&mut heard), 40);
    assert_eq!(heard[..40], incoming[..]);
    let mut expected = outgoing.clone();
    expected.resize(40, 0xD5);
    assert_eq!(fake.line_take(1), vec![expected]);

    // The card ran dry once: one block more is kept queued from then on.
    fake.queue_event(1, DAHDI_EVENT_WRITE_UNDERRUN);
    fake.queue_event(1, DAHDI_EVENT_READ_OVERRUN);
    service(&mut driver);
    assert_eq!(fake.line_take(1), vec![vec![0xD5; 40]]);
    let r = handle.report(0).unwrap();
    assert_eq!((r.counters.tx_underruns, r.counters.rx_overruns, r.tx_latency_ms), (1, 1, 15));

    // Released: no more buffer events, silence again.
    handle.release(0, 1).unwrap();
    service(&mut driver);
    let calls = fake.calls_on(1);
    assert_eq!(calls[calls.len() - 2..], [(IntIoctl::BufferEvents, 0), (IntIoctl::AudioMode, 1)]);
    fake.line_send(1, &incoming);
    service(&mut driver);
    assert_eq!(voice.rx.pop_slice(&mut heard), 0);
}

#[test]
fn loopbacks_are_dahdi_maintenance_modes_and_timeslot_loops_are_kernel_loops() {
    let fake = Fake::new();
    pri_span(&fake);
    let (mut driver, handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    handle.set_loopback(0, Loopback::Local).unwrap();
    service(&mut driver);
    assert_eq!(handle.report(0).unwrap().loopback, Loopback::Local);
    handle.set_loopback(0, Loopback::Remote).unwrap();
    handle.set_loopback(0, Loopback::None).unwrap();
    service(&mut driver);
    assert_eq!(
        fake.state().maint,
        vec![
            MaintInfo { spanno: 1, command: 1 },
            MaintInfo { spanno: 1, command: 2 },
            MaintInfo { spanno: 1, command: 0 },
        ]
    );
    assert_eq!(handle.report(0).unwrap().loopback, Loopback::None);
    // A card without maintenance support: the report keeps saying what is true.
    fake.state().maint_error = Some(libc::ENOSYS);
    handle.set_loopback(0, Loopback::Remote).unwrap();
    service(&mut driver);
    assert_eq!(handle.report(0).unwrap().loopback, Loopback::None);

    handle.loop_timeslot(0, 3).unwrap();
    service(&mut driver);
    assert!(fake.state().channels[&3].looped);
    assert!(fake.calls_on(3).ends_with(&[(IntIoctl::HdlcFcsMode, 0), (IntIoctl::Loopback, 1)]));
    handle.release(0, 3).unwrap();
    service(&mut driver);
    assert!(!fake.state().channels[&3].looped);
    assert!(fake.calls_on(3).ends_with(&[
        (IntIoctl::Loopback, 0),
        (IntIoctl::BufferEvents, 0),
        (IntIoctl::AudioMode, 1)
    ]));
}

#[test]
fn a_bert_on_one_timeslot_syncs_over_a_looped_line_and_counts_injected_errors() {
    let fake = Fake::new();
    pri_span(&fake);
    let (mut driver, handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    let refused = handle.start_bert(0, Pattern::Prbs11, Timeslots(1 << 5 | 1 << 6)).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::BadRequest);
    assert_eq!(
        refused.to_string(),
        "board dahdi:1 runs a BERT on at most 1 timeslot(s), 2 asked: DAHDI gives each timeslot its own file \
         with its own buffering, so the frame alignment an n x 64 kbit/s pattern needs across timeslots \
         is not kept"
    );
    handle.start_bert(0, Pattern::Prbs11, Timeslots::single(5)).unwrap();
    service(&mut driver);
    // The far end loops the timeslot: whatever we send comes back.
    let loop_blocks = |driver: &mut DahdiDriver<Fake>, n: usize| {
        for _ in 0..n {
            for block in fake.line_take(5) {
                fake.line_send(5, &block);
            }
            fake.advance(5);
            service(driver);
        }
    };
    loop_blocks(&mut driver, 20);
    let bert = handle.report(0).unwrap().bert.expect("BERT running");
    assert_eq!(bert.pattern, Pattern::Prbs11);
    assert_eq!(bert.timeslots, 1 << 5);
    assert!(bert.in_sync);
    assert_eq!((bert.errors, bert.sync_losses, bert.injected), (0, 0, 0));
    assert!(bert.bits > 4000, "{} bits", bert.bits);
    handle.inject_bert_errors(0, 3).unwrap();
    loop_blocks(&mut driver, 10);
    let bert = handle.report(0).unwrap().bert.unwrap();
    assert_eq!((bert.errors, bert.injected, bert.in_sync), (3, 3, true));
    handle.stop_bert(0).unwrap();
    service(&mut driver);
    assert_eq!(handle.report(0).unwrap().bert, None);
    // The timeslot is free again.
    handle.open_audio(0, 5, 64).unwrap();
}

#[test]
fn without_udev_nodes_channels_are_bound_through_the_selector() {
    let fake = Fake::new();
    fake.state().udev_nodes = false;
    // Span 2 behind span 1: its channels are 32 to 62.
    fake.add_e1_span(1, "TE2/0/1", PRI_LINE, 1, |_| DAHDI_SIG_CLEAR);
    fake.add_e1_span(
        2,
        "TE2/0/2",
        PRI_LINE,
        32,
        |p| if p == 16 { DAHDI_SIG_HDLCFCS } else { DAHDI_SIG_CLEAR },
    );
    let (_driver, handle) = open(&fake, "dahdi:2", &[ccs_config()]);
    assert_eq!(handle.board_name(), "dahdi:2");
    for channo in 32..=62 {
        assert_eq!(fake.calls_on(channo)[0], (IntIoctl::Specify, channo));
    }
    let s = fake.state();
    assert_eq!(
        s.opened.iter().filter(|p| p.as_path() == std::path::Path::new("/dev/dahdi/channel")).count(),
        31
    );
    assert!(s.channels.values().filter(|c| c.spanno == 1).all(|c| !c.open));
}

#[test]
fn two_spans_make_one_board_in_dahdi_order() {
    let fake = Fake::new();
    pri_span(&fake);
    fake.add_e1_span(2, "TE2/0/2", CAS_LINE, 32, |p| if p == 16 { DAHDI_SIG_NONE } else { DAHDI_SIG_CAS });
    let (mut driver, handle) = open(&fake, "dahdi:1", &[ccs_config(), cas_config()]);
    assert_eq!(handle.span_count(), 2);
    assert_eq!(driver.dahdi_span(1), Some((2, "DAHDI span 2 (TE2/0/2)")));
    handle.set_loopback(1, Loopback::Remote).unwrap();
    handle.set_abcd(1, 3, 0b0111).unwrap();
    service(&mut driver);
    assert_eq!(fake.state().maint, vec![MaintInfo { spanno: 2, command: 2 }]);
    assert_eq!(fake.state().channels[&34].txbits, 0b0111);
}

#[test]
fn configure_sets_up_a_span_as_dahdi_cfg_would() {
    let fake = Fake::new();
    fake.add_e1_span(1, SPAN_NAME, 0, 1, |_| DAHDI_SIG_NONE);
    fake.edit_span(1, |i| i.alarms = DAHDI_ALARM_NOTOPEN);
    let (mut driver, handle) = open(&fake, "dahdi:1,configure", &[ccs_config()]);
    {
        let s = fake.state();
        assert_eq!(s.span_configs.len(), 1);
        let line = s.span_configs[0];
        assert_eq!((line.span, line.lineconfig, line.sync, line.lbo), (1, PRI_LINE, 1, 0));
        assert_eq!(s.chan_configs.len(), 31);
        for (k, c) in s.chan_configs.iter().enumerate() {
            assert_eq!(
                (c.chan, c.sigtype, c.deflaw, c.master),
                (k as i32 + 1, DAHDI_SIG_CLEAR, DAHDI_LAW_ALAW, k as i32 + 1)
            );
        }
        assert_eq!(s.startups, vec![1]);
    }
    // TS16 is clear, so the D-channel is framed by the kernel on demand.
    let _d = handle.open_hdlc(0, 16, HdlcConfig::default()).unwrap();
    service(&mut driver);
    assert!(fake.state().channels[&16].hdlc);
    assert_eq!(handle.report(0).unwrap().sync, SyncState::MultiframeAligned);

    // A CAS span: TS16 left out, bearers CAS with idle bits 1101, timing internal.
    let fake = Fake::new();
    fake.add_e1_span(1, SPAN_NAME, 0, 1, |_| DAHDI_SIG_NONE);
    let config = SpanConfig { clock: ClockSource::Internal, ..cas_config() };
    let (_driver, _handle) = open(&fake, "dahdi:1,configure", &[config]);
    let s = fake.state();
    let line = s.span_configs[0];
    assert_eq!((line.lineconfig, line.sync), (CAS_LINE, 0));
    for c in &s.chan_configs {
        if c.chan == 16 {
            assert_eq!(c.sigtype, DAHDI_SIG_NONE);
        } else {
            assert_eq!((c.sigtype, c.idlebits), (DAHDI_SIG_CAS, 0b1101), "channel {}", c.chan);
        }
    }
}

#[test]
fn the_handle_refuses_what_the_channels_cannot_carry() {
    let fake = Fake::new();
    fake.add_e1_span(1, SPAN_NAME, PRI_LINE, 1, |p| match p {
        16 => DAHDI_SIG_HDLCFCS,
        31 => DAHDI_SIG_NONE,
        _ => DAHDI_SIG_CLEAR,
    });
    let (_driver, handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    let msg = |e: tdm_driver::Error| e.to_string();
    assert_eq!(
        msg(handle.open_audio(0, 31, 64).err().unwrap()),
        "span 0 timeslot 31 has no channel on board dahdi:1"
    );
    assert_eq!(
        msg(handle.open_audio(0, 16, 64).err().unwrap()),
        "span 0 timeslot 16 carries HDLC only on board dahdi:1 (the device frames it)"
    );
    assert_eq!(
        msg(handle.loop_timeslot(0, 16).err().unwrap()),
        "span 0 timeslot 16 carries HDLC only on board dahdi:1 (the device frames it)"
    );
    // Released, the D-channel timeslot stays HDLC-only.
    handle.open_hdlc(0, 16, HdlcConfig::default()).unwrap();
    handle.release(0, 16).unwrap();
    assert!(handle.open_audio(0, 16, 64).is_err());
    handle.open_hdlc(0, 16, HdlcConfig::default()).unwrap();

    let fake = Fake::new();
    cas_span(&fake);
    let (_driver, handle) = open(&fake, "dahdi:1", &[cas_config()]);
    assert_eq!(
        msg(handle.open_hdlc(0, 1, HdlcConfig::default()).err().unwrap()),
        "board dahdi:1 frames HDLC only on clear channels, and span 0 is a CAS span"
    );
}

#[test]
fn a_removed_channel_stops_the_loop_naming_it() {
    let fake = Fake::new();
    pri_span(&fake);
    let (mut driver, _handle) = open(&fake, "dahdi:1", &[ccs_config()]);
    fake.queue_event(7, DAHDI_EVENT_REMOVED);
    let e = driver.service(std::time::Duration::ZERO).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Gone);
    assert_eq!(e.to_string(), "/dev/dahdi/chan/001/007: board went away: DAHDI removed the channel");
}

// --- Errors when opening: each names the device and says what to do. ---

fn open_message(fake: &Fake, device: &str, config: SpanConfig) -> String {
    let e = open_err(fake, device, &[config]);
    assert_eq!(e.kind(), ErrorKind::Open, "{e}");
    e.to_string()
}

#[test]
fn no_dahdi_module_says_what_to_load() {
    let fake = Fake::new();
    fake.state().loaded = false;
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        "/dev/dahdi/ctl: cannot open board: DAHDI is not loaded (no such device node): load the DAHDI core \
         and the card's driver (`modprobe dahdi`, then e.g. `modprobe wct4xxp`; `dahdi_hardware` names the \
         driver), then run `dahdi_cfg`"
    );
    // Loaded, but no card driver: no spans.
    let fake = Fake::new();
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        "/dev/dahdi/ctl: cannot open board: DAHDI has no spans: the card's driver is not loaded \
         (`dahdi_hardware` names it, `modprobe` it)"
    );
}

#[test]
fn permission_denied_names_the_node_and_the_fix() {
    let fake = Fake::new();
    pri_span(&fake);
    fake.state().open_errors.insert("/dev/dahdi/ctl".into(), libc::EACCES);
    let expected_fix = "permission denied: run tdm as root, or give its user read-write access to /dev/dahdi \
                        (a udev rule, or membership of the group that owns the nodes)";
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        format!("/dev/dahdi/ctl: cannot open board: {expected_fix}")
    );
    fake.state().open_errors.clear();
    fake.state().open_errors.insert("/dev/dahdi/chan/001/002".into(), libc::EPERM);
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        format!("/dev/dahdi/chan/001/002: cannot open board: {expected_fix}")
    );
}

#[test]
fn an_unconfigured_or_stopped_span_says_to_run_dahdi_cfg() {
    let fake = Fake::new();
    fake.add_e1_span(1, SPAN_NAME, 0, 1, |_| DAHDI_SIG_NONE);
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        "/dev/dahdi/ctl: cannot open board: DAHDI span 1 (TE2/0/1) is not configured: describe it in \
         /etc/dahdi/system.conf and run `dahdi_cfg` (see docs/dahdi.md), or use the device \
         \"dahdi:1,configure\" to let tdm configure it"
    );
    let fake = Fake::new();
    pri_span(&fake);
    fake.edit_span(1, |i| i.alarms = DAHDI_ALARM_NOTOPEN);
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        "/dev/dahdi/ctl: cannot open board: DAHDI span 1 (TE2/0/1) is configured but not running: \
         run `dahdi_cfg`"
    );
}

#[test]
fn a_missing_span_says_how_many_there_are() {
    let fake = Fake::new();
    fake.add_e1_span(2, "TE2/0/2", PRI_LINE, 1, |_| DAHDI_SIG_CLEAR);
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        "/dev/dahdi/ctl: cannot open board: there is no DAHDI span 1: DAHDI has 1 span(s) \
         (`dahdi_scan` lists them)"
    );
    assert_eq!(
        open_message(&fake, "dahdi:3", ccs_config()),
        "/dev/dahdi/ctl: cannot open board: there is no DAHDI span 3: DAHDI has 1 span(s) \
         (`dahdi_scan` lists them)"
    );
}

#[test]
fn a_busy_channel_names_it_and_who_may_hold_it() {
    let fake = Fake::new();
    pri_span(&fake);
    fake.state().channels.get_mut(&5).unwrap().open = true;
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        "/dev/dahdi/chan/001/005: cannot open board: channel 5 (DAHDI span 1 (TE2/0/1), timeslot 5) is busy: \
         another program has it open (Asterisk, FreeSWITCH, dahdi_monitor, another tdm?) or it belongs to a \
         network interface; stop that program or take the span out of its configuration"
    );
    // The same through the selector.
    let fake = Fake::new();
    pri_span(&fake);
    fake.state().channels.get_mut(&5).unwrap().open = true;
    fake.state().udev_nodes = false;
    let message = open_message(&fake, "dahdi:1", ccs_config());
    assert!(
        message.starts_with(
            "/dev/dahdi/channel: cannot open board: channel 5 (DAHDI span 1 (TE2/0/1), timeslot 5) is busy"
        ),
        "{message}"
    );
}

#[test]
fn a_span_configured_otherwise_than_the_system_file_is_refused() {
    let fake = Fake::new();
    pri_span(&fake);
    assert_eq!(
        open_message(&fake, "dahdi:1", cas_config()),
        "/dev/dahdi/ctl: cannot open board: DAHDI span 1 (TE2/0/1) is configured CCS, CRC-4, HDB3 but the \
         system file asks for CAS, no CRC-4, HDB3: change its span= line in /etc/dahdi/system.conf and rerun \
         `dahdi_cfg`, or use the device \"dahdi:1,configure\""
    );
    let fake = Fake::new();
    fake.add_e1_span(1, SPAN_NAME, CAS_LINE, 1, |p| if p == 1 { DAHDI_SIG_HDLCFCS } else { DAHDI_SIG_CAS });
    assert_eq!(
        open_message(&fake, "dahdi:1", cas_config()),
        "/dev/dahdi/ctl: cannot open board: DAHDI span 1 (TE2/0/1) timeslot 1 (channel 1) is configured as \
         dchan: on a CAS span tdm needs cas channels (cas=1-15,17-31:1101 in /etc/dahdi/system.conf)"
    );
}

#[test]
fn a_t1_span_is_refused() {
    let fake = Fake::new();
    pri_span(&fake);
    fake.edit_span(1, |i| {
        i.totalchans = 24;
        i.spantype = *b"T1\0\0\0\0";
    });
    assert_eq!(
        open_message(&fake, "dahdi:1", ccs_config()),
        "/dev/dahdi/ctl: cannot open board: DAHDI span 1 (TE2/0/1) is a T1 span with 24 channels: tdm drives \
         E1 spans only"
    );
}

// --- The real kernel layer, as far as a machine without DAHDI can exercise it. ---

#[test]
fn the_kernel_layer_reaches_the_kernel() {
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};
    use std::os::fd::AsFd;
    use tdm_driver::dahdi::{DahdiSys, KernelDahdi};

    let sys = KernelDahdi::default();
    let (a, b) = socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_NONBLOCK).unwrap();
    // A socket is no DAHDI device: the ioctls arrive and are refused as unknown.
    let mut value = 0;
    let e = sys.ioctl_int(a.as_fd(), IntIoctl::GetEvent, &mut value).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOTTY));
    let mut info = tdm_driver::dahdi::abi::SpanInfo::default();
    assert_eq!(sys.span_info(a.as_fd(), &mut info).unwrap_err().raw_os_error(), Some(libc::ENOTTY));
    // Read, write and poll are plain system calls.
    let mut fds =
        [libc::pollfd { fd: std::os::fd::AsRawFd::as_raw_fd(&a), events: libc::POLLIN, revents: 0 }];
    assert_eq!(sys.poll(&mut fds, std::time::Duration::ZERO).unwrap(), 0);
    assert_eq!(sys.write(b.as_fd(), &[1, 2, 3]).unwrap(), 3);
    assert_eq!(sys.poll(&mut fds, std::time::Duration::from_millis(100)).unwrap(), 1);
    assert_eq!(fds[0].revents, libc::POLLIN);
    let mut buf = [0u8; 8];
    assert_eq!(sys.read(a.as_fd(), &mut buf).unwrap(), 3);
    assert_eq!(buf[..3], [1, 2, 3]);
    assert_eq!(sys.read(a.as_fd(), &mut buf).unwrap_err().kind(), std::io::ErrorKind::WouldBlock);
    let before = sys.now();
    std::thread::sleep(std::time::Duration::from_millis(2));
    assert!(sys.now() >= before + std::time::Duration::from_millis(2));
}

#[test]
fn on_a_machine_without_dahdi_opening_says_it_is_not_loaded() {
    if std::path::Path::new("/dev/dahdi/ctl").exists() {
        println!(
            "NOTICE: /dev/dahdi/ctl exists here; the not-loaded message is checked against the fake only"
        );
        return;
    }
    let e = match tdm_driver::dahdi::open_dahdi_span(1, &ccs_config()) {
        Ok(_) => panic!("no DAHDI here"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::Open);
    assert!(
        e.to_string()
            .starts_with("/dev/dahdi/ctl: cannot open board: DAHDI is not loaded (no such device node)"),
        "{e}"
    );
}
