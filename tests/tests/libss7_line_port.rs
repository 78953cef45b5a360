//! libss7 on the far end of a simulated span. This stack runs the span as the running system
//! does: the real driver on a simulated board, a signalling point (`MtpNode`) whose link is
//! TS16 through the driver's soft HDLC, ISUP above it. The span's cable ends at the external
//! line port, where `tdm_scenarios::far_end` is an E1 line of its own (framer, CRC-4, soft
//! HDLC on TS16) and libss7 2.0 (ITU: it has no China variant) runs its own MTP2, MTP3 and
//! ISUP on that TS16, on the far end's clock: one block exchanged is one millisecond of
//! libss7's `gettimeofday()`. libss7 reads and writes each signal unit with two check octets
//! it neither fills nor checks (`../shared/reference/peer-libraries.md`); the far end's HDLC
//! computes and checks the real FCS on the line, and the peer harness adds and strips the
//! two octets libss7 expects.
//!
//! One thread runs it all in lockstep (the far end sends each block ahead of the simulator's
//! step), so every run is the same. The link aligns, each end tests it with SLTM/SLTA, this
//! stack's start-up group resets are acknowledged by libss7, and ISUP calls go both ways and
//! are answered, refused and cleared from either side, with each end's outcome checked. Both
//! ends' captures must hold the same MSUs, and tshark must decode ours without a malformed
//! frame.
//!
//! Skipped with a notice when libss7 (or, for the decode alone, tshark) is not installed.
//! `SS7_TRACE=1` prints every MSU and LSSU the far end sees.

use std::collections::VecDeque;
use std::path::Path;
use std::time::Duration as WallDuration;

use tdm_base::{Cause, Duration};
use tdm_driver::framer::{Crc4Mode, FramerConfig, SyncState};
use tdm_driver::{Signaling, SpanConfig};
use tdm_peer_libss7::isup::{IsupCall, IsupEvent};
use tdm_peer_libss7::{LibSs7, Ss7Config, Variant};
use tdm_scenarios::Rig;
use tdm_scenarios::far_end::{FarEnd, FarEndConfig, LinePort};
use tdm_scenarios::mtp::circuits::CircuitNode;
use tdm_scenarios::mtp::{CaptureScope, MtpNode};
use tdm_ss7::circuit::{CicMap, Event, Number, OutgoingCall, UserPart};
use tdm_ss7::isup::{Isup, IsupConfig};
use tdm_ss7::label::{NetworkIndicator, PointCode, PointCodeFormat};
use tdm_ss7::mtp2::LinePacer;
use tdm_ss7::mtp2::su::{MAX_SU_LEN, SignalUnit, SuKind};
use tdm_ss7::mtp3::{LinkId, LinkSetConfig, Mtp3Config, SignallingLinkConfig, SignallingLinkState};

/// libss7's clock at the far end's time zero (microseconds).
const EPOCH_US: u64 = 1_000_000_000_000;
/// This stack's point code (ITU 14-bit).
const OURS: u32 = 0x0101;
/// libss7's point code.
const THEIRS: u32 = 0x0202;
const LINK: LinkId = LinkId { set: 0, link: 0 };

/// A signal unit as the far end saw it: board time (ms), whether libss7 sent it, the octets.
type FarSu = (u64, bool, Vec<u8>);

fn pc(value: u32) -> PointCode {
    PointCode::new(PointCodeFormat::Itu14, value).unwrap_or_else(|e| panic!("{e}"))
}

struct Bed {
    rig: Rig,
    ours: CircuitNode<Isup>,
    port: LinePort,
    far: FarEnd,
    theirs: LibSs7,
    /// Paces libss7's signal units by the line (it always has a FISU to send).
    pacer: LinePacer,
    /// libss7's signal units the far end's HDLC queue had no room for yet.
    backlog: VecDeque<Vec<u8>>,
    their_events: Vec<(u64, IsupEvent)>,
    /// LSSUs and MSUs at the far end (FISUs are not kept).
    far_sus: Vec<FarSu>,
    _dir: tempfile::TempDir,
}

impl Bed {
    fn new() -> Option<Bed> {
        if !tdm_peer_libss7::AVAILABLE {
            eprintln!("NOTICE: libss7 (libss7-dev) is not available; libss7 line port test skipped");
            return None;
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let socket = dir.path().join("line.sock");
        let bench = format!(
            "seed = 9\n[[board]]\nname = \"ours\"\nspans = 1\n[[cable]]\nname = \"trunk\"\na = \"ours:0\"\n\
             external = \"{}\"\nbit_offset = 61\n",
            socket.display()
        );
        let span = SpanConfig {
            framer: FramerConfig { crc4: Crc4Mode::On, ..FramerConfig::default() },
            signaling: Signaling::Ccs,
            ..SpanConfig::default()
        };
        let rig = Rig::new(&bench, &[("ours", vec![span])]);
        let mut config = Mtp3Config::new(pc(OURS), PointCodeFormat::Itu14, NetworkIndicator::National);
        config.link_sets.push(LinkSetConfig {
            name: "libss7".into(),
            adjacent: pc(THEIRS),
            links: vec![SignallingLinkConfig::new(0, 0, 16)],
        });
        let handle = rig.handle("ours");
        let mut mtp = MtpNode::new(handle, config);
        mtp.start_capture(CaptureScope::WithoutFisus);
        let circuits = CicMap::e1(1, 0, true).expect("one E1");
        let isup = Isup::new(IsupConfig::new(pc(OURS), pc(THEIRS), PointCodeFormat::Itu14, circuits.clone()));
        let mut ours = CircuitNode::new(handle, mtp, isup, circuits);
        ours.trace = Some(Vec::new());
        let port = LinePort::connect(&socket, WallDuration::from_secs(10)).expect("connect to the line port");
        tdm_peer_libss7::set_virtual_time(EPOCH_US);
        let theirs =
            LibSs7::new(Ss7Config { variant: Variant::Itu, pc: THEIRS, adjacent: OURS, ni: 2, slc: 0 })
                .expect("a libss7 point");
        Some(Bed {
            rig,
            ours,
            port,
            far: FarEnd::new(FarEndConfig::ccs()),
            theirs,
            pacer: LinePacer::timeslot(),
            backlog: VecDeque::new(),
            their_events: Vec::new(),
            far_sus: Vec::new(),
            _dir: dir,
        })
    }

    fn start(&mut self) {
        let now = self.rig.sim.now_ms();
        self.ours.mtp.start(now);
        tdm_peer_libss7::set_virtual_time(EPOCH_US);
        self.theirs.start();
    }

    /// One block: the far end sends ahead, the simulator and the driver run, this stack is
    /// served, the far end takes what arrived and libss7 answers it.
    fn step(&mut self) {
        while let Some(su) = self.backlog.front() {
            if self.far.send_hdlc(su).is_err() {
                break;
            }
            self.backlog.pop_front();
        }
        let block = self.far.transmit_block();
        self.port.send(&block).unwrap_or_else(|e| panic!("{e}"));
        self.rig.step();
        self.ours.pump(self.rig.sim.now_ms());
        let block = *self.port.receive().unwrap_or_else(|e| panic!("{e}"));
        self.far.receive_block(&block);

        let now = self.far.blocks();
        tdm_peer_libss7::set_virtual_time(EPOCH_US + now * 1000);
        let received: Vec<Vec<u8>> = self.far.received_hdlc().map(<[u8]>::to_vec).collect();
        for su in received {
            self.record(false, &su);
            self.theirs.receive(&su);
        }
        // libss7 runs its due timers one at a time; a bound keeps a timer rescheduled for
        // the same instant from holding the block.
        for _ in 0..16 {
            if self.theirs.next_deadline().is_none_or(|at| at > EPOCH_US + now * 1000) {
                break;
            }
            self.theirs.run_timers();
        }
        while let Some(event) = self.theirs.poll_isup_event() {
            self.their_events.push((now, event));
        }
        self.take_their_sus();
    }

    /// libss7 writes as many signal units as the line carried in the block.
    fn take_their_sus(&mut self) {
        self.pacer.advance(Duration::from_millis(1));
        let mut out = [0u8; MAX_SU_LEN + 8];
        while self.pacer.can_send() {
            let len = self.theirs.transmit(&mut out);
            if len == 0 {
                break;
            }
            let su = out[..len].to_vec();
            self.pacer.charge(&su);
            self.record(true, &su);
            self.backlog.push_back(su);
        }
    }

    fn record(&mut self, sent: bool, su: &[u8]) {
        let Ok(view) = SignalUnit::new_checked(su) else { return };
        if view.kind() == SuKind::Fisu {
            return;
        }
        let at = self.far.blocks();
        if std::env::var("SS7_TRACE").is_ok() {
            eprintln!("{at:6} {} {su:02X?}", if sent { "libss7 -> ours" } else { "ours -> libss7" });
        }
        self.far_sus.push((at, sent, su.to_vec()));
    }

    fn run_until(&mut self, limit_ms: u64, what: &str, mut done: impl FnMut(&Bed) -> bool) {
        for _ in 0..limit_ms {
            self.step();
            if done(self) {
                return;
            }
        }
        panic!(
            "{what}: not within {limit_ms} ms\nlibss7: {:?}\nours: {}\nour events: {:?}",
            self.their_events,
            self.ours.summary(),
            self.ours.events()
        );
    }

    fn run_ms(&mut self, ms: u64) {
        for _ in 0..ms {
            self.step();
        }
    }

    /// libss7's events since the last look.
    fn take_theirs(&mut self) -> Vec<IsupEvent> {
        std::mem::take(&mut self.their_events).into_iter().map(|(_, e)| e).collect()
    }

    fn they_said(&self, pred: impl Fn(&IsupEvent) -> bool) -> bool {
        self.their_events.iter().any(|(_, e)| pred(e))
    }
}

/// The link aligns, SLTM/SLTA pass, our start-up resets are acknowledged by libss7.
fn bring_up(bed: &mut Bed) {
    bed.start();
    bed.run_until(5_000, "link available at both ends", |b| {
        b.ours.mtp.point.link_state(LINK) == Some(SignallingLinkState::Available)
            && b.ours.mtp.point.is_accessible(pc(THEIRS))
            && b.they_said(|e| *e == IsupEvent::Up)
    });
    assert_eq!(bed.far.sync(), SyncState::MultiframeAligned);
    assert_eq!(bed.rig.report("ours", 0).sync, SyncState::MultiframeAligned);
    // libss7 reports MTP2 up (event 3) before its MTP3 is up.
    assert_eq!(bed.take_theirs(), vec![IsupEvent::Other(3), IsupEvent::Up]);

    // Our ISUP starts: GRS for 1–15 and 17–31; libss7 answers each with GRA.
    let now = bed.ours.now();
    bed.ours.user.start(now);
    bed.run_until(1_000, "libss7 got both group resets", |b| {
        b.their_events.iter().filter(|(_, e)| matches!(e, IsupEvent::GroupReset { .. })).count() == 2
    });
    for event in bed.take_theirs() {
        match event {
            IsupEvent::GroupReset { cic, end_cic, call } => {
                assert!([(1, 15), (17, 31)].contains(&(cic, end_cic)), "GRS {cic}..={end_cic}");
                assert!(bed.theirs.gra(call, end_cic), "libss7 sends GRA");
                bed.theirs.free_if_clear(call);
            }
            other => panic!("unexpected libss7 event {other:?}"),
        }
    }
    bed.take_their_sus();
    bed.run_until(1_000, "our resets acknowledged", |b| b.ours.user.poll_timeout().is_none());
    let resets = bed.ours.take_events();
    assert_eq!(resets.len(), 30);
    assert!(resets.iter().all(|e| matches!(e, Event::Reset { remote: false, .. })), "{resets:?}");
    assert!(bed.ours.user.circuits().iter().all(|c| c.is_available()));
}

fn call_to(number: &str) -> OutgoingCall {
    let mut call = OutgoingCall::new(number).unwrap_or_else(|e| panic!("{e}"));
    call.calling = Some(Number::national("88880001").unwrap_or_else(|e| panic!("{e}")));
    call
}

/// The IAM libss7 reported: its call object, circuit, called and calling numbers.
fn their_iam(events: &[IsupEvent]) -> (IsupCall, i32, String, String) {
    events
        .iter()
        .find_map(|e| match e {
            IsupEvent::Iam { cic, call, called, calling } => {
                Some((*call, *cic, called.clone(), calling.clone()))
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no IAM in {events:?}"))
}

/// We call libss7 on CIC 1 (this side has the lower point code and takes the odd CICs it
/// controls first); libss7 alerts and answers; we clear.
fn call_to_libss7_cleared_by_us(bed: &mut Bed) {
    let now = bed.ours.now();
    let id = bed.ours.user.place_call(now, &call_to("10086")).expect("a circuit");
    bed.run_until(1_000, "libss7 gets the IAM", |b| b.they_said(|e| matches!(e, IsupEvent::Iam { .. })));
    let (call, cic, called, calling) = their_iam(&bed.take_theirs());
    // libss7 shows the end-of-pulsing signal (ST) as '#'.
    assert_eq!((cic, called.as_str(), calling.as_str()), (1, "10086#", "88880001"));
    assert!(bed.theirs.acm(call) && bed.theirs.anm(call), "libss7 sends ACM and ANM");
    bed.take_their_sus();
    bed.run_until(1_000, "answered here", |b| b.ours.events().contains(&Event::Answered { call: id }));
    assert_eq!(
        bed.ours.take_events(),
        vec![Event::Alerting { call: id, inband: false }, Event::Answered { call: id }]
    );
    let now = bed.ours.now();
    bed.ours.user.hangup(now, id, Cause::NormalClearing).expect("active call");
    bed.run_until(1_000, "libss7 gets the REL", |b| b.they_said(|e| matches!(e, IsupEvent::Rel { .. })));
    assert_eq!(bed.take_theirs(), vec![IsupEvent::Rel { cic: 1, call, cause: 16 }]);
    assert!(bed.theirs.rlc(call), "libss7 sends RLC");
    bed.take_their_sus();
    bed.run_until(1_000, "released here", |b| b.ours.user.call_count() == 0);
    assert_eq!(
        bed.ours.take_events(),
        vec![Event::Released { call: id, cause: Cause::NormalClearing, remote: false }]
    );
}

/// libss7 calls us on CIC 2; we alert and answer; libss7 clears.
fn call_from_libss7_cleared_by_libss7(bed: &mut Bed) {
    let call = bed.theirs.iam(2, "6001", "13800138000").expect("libss7 places the call");
    bed.take_their_sus();
    bed.run_until(1_000, "offered here", |b| b.ours.events().iter().any(|e| matches!(e, Event::Incoming(_))));
    let incoming = bed.ours.answer_calls();
    assert_eq!(incoming.len(), 1);
    let offered = incoming[0];
    assert_eq!(
        (
            offered.cic,
            offered.called.digits.to_string(),
            offered.complete,
            offered.calling.map(|n| n.digits.to_string())
        ),
        (2, "6001".to_string(), true, Some("13800138000".to_string()))
    );
    bed.run_until(1_000, "libss7 sees the answer", |b| b.they_said(|e| matches!(e, IsupEvent::Anm { .. })));
    assert_eq!(bed.take_theirs(), vec![IsupEvent::Acm { cic: 2, call }, IsupEvent::Anm { cic: 2, call }]);
    assert!(bed.theirs.rel(call, 16), "libss7 sends REL");
    bed.take_their_sus();
    bed.run_until(1_000, "libss7 gets the RLC", |b| b.they_said(|e| matches!(e, IsupEvent::Rlc { .. })));
    assert_eq!(bed.take_theirs(), vec![IsupEvent::Rlc { cic: 2, call }]);
    bed.theirs.free_if_clear(call);
    assert_eq!(
        bed.ours.take_events(),
        vec![Event::Released { call: offered.call, cause: Cause::NormalClearing, remote: true }]
    );
}

/// libss7 refuses our call with "user busy" (REL before any backward message); it takes
/// CIC 1 again, the first circuit this side controls.
fn call_to_libss7_refused_busy(bed: &mut Bed) {
    let now = bed.ours.now();
    let id = bed.ours.user.place_call(now, &call_to("10010")).expect("a circuit");
    bed.run_until(1_000, "libss7 gets the IAM", |b| b.they_said(|e| matches!(e, IsupEvent::Iam { .. })));
    let (call, cic, called, _) = their_iam(&bed.take_theirs());
    assert_eq!((cic, called.as_str()), (1, "10010#"));
    assert!(bed.theirs.rel(call, 17), "libss7 sends REL");
    bed.take_their_sus();
    bed.run_until(1_000, "libss7 gets the RLC", |b| b.they_said(|e| matches!(e, IsupEvent::Rlc { .. })));
    assert_eq!(bed.take_theirs(), vec![IsupEvent::Rlc { cic: 1, call }]);
    bed.theirs.free_if_clear(call);
    assert_eq!(
        bed.ours.take_events(),
        vec![Event::Released { call: id, cause: Cause::UserBusy, remote: true }]
    );
}

/// libss7 calls us on CIC 4 and we refuse it with "user busy"; libss7 answers our REL.
fn call_from_libss7_refused_by_us(bed: &mut Bed) {
    let call = bed.theirs.iam(4, "6002", "").expect("libss7 places the call");
    bed.take_their_sus();
    bed.run_until(1_000, "offered here", |b| b.ours.events().iter().any(|e| matches!(e, Event::Incoming(_))));
    let offered = match bed.ours.take_events().as_slice() {
        [Event::Incoming(incoming)] => *incoming,
        other => panic!("expected one incoming call: {other:?}"),
    };
    assert_eq!((offered.cic, offered.calling), (4, None));
    let now = bed.ours.now();
    bed.ours.user.hangup(now, offered.call, Cause::UserBusy).expect("offered call");
    bed.run_until(1_000, "libss7 gets the REL", |b| b.they_said(|e| matches!(e, IsupEvent::Rel { .. })));
    assert_eq!(bed.take_theirs(), vec![IsupEvent::Rel { cic: 4, call, cause: 17 }]);
    assert!(bed.theirs.rlc(call), "libss7 sends RLC");
    bed.take_their_sus();
    bed.run_until(1_000, "released here", |b| b.ours.user.call_count() == 0);
    assert_eq!(
        bed.ours.take_events(),
        vec![Event::Released { call: offered.call, cause: Cause::UserBusy, remote: false }]
    );
}

/// Link test messages on the line: `(sent by libss7, heading)` of SI 1 and 2 MSUs (ITU:
/// 3 octets of MTP2 header, the SIO, 4 of label, then the heading).
fn link_tests(sus: &[FarSu]) -> Vec<(bool, u8)> {
    sus.iter()
        .filter(|(_, _, su)| su.len() > 8 && matches!(su[3] & 0x0F, 1 | 2))
        .map(|(_, theirs, su)| (*theirs, su[8]))
        .collect()
}

/// ISUP messages on the line: `(sent by libss7, CIC, message type)`.
fn isup_messages(sus: &[FarSu]) -> Vec<(bool, u16, u8)> {
    sus.iter()
        .filter(|(_, _, su)| su.len() > 10 && su[3] & 0x0F == 5)
        .map(|(_, theirs, su)| (*theirs, u16::from_le_bytes([su[8], su[9]]) & 0x0FFF, su[10]))
        .collect()
}

#[test]
fn libss7_runs_its_own_mtp2_on_the_far_end_and_calls_go_both_ways() {
    let Some(mut bed) = Bed::new() else { return };
    bring_up(&mut bed);
    call_to_libss7_cleared_by_us(&mut bed);
    call_from_libss7_cleared_by_libss7(&mut bed);
    call_to_libss7_refused_busy(&mut bed);
    call_from_libss7_refused_by_us(&mut bed);
    bed.run_ms(50);
    assert!(bed.ours.user.circuits().iter().all(|c| c.is_available()), "every circuit idle");
    assert_eq!(bed.ours.user.poll_timeout(), None);
    let stats = bed.ours.user.stats();
    assert_eq!((stats.malformed, stats.unexpected, stats.foreign), (0, 0, 0), "{stats:?}");
    assert_eq!((bed.ours.refused_transfers, bed.ours.mtp.refused), (0, 0));

    // Each end tested the link and answered the other's test.
    let tests = link_tests(&bed.far_sus);
    for expected in [(false, 0x11), (true, 0x21), (true, 0x11), (false, 0x21)] {
        assert!(tests.contains(&expected), "SLTM (0x11) / SLTA (0x21) both ways: {tests:?}");
    }
    // The ISUP messages of the script, in order, as the far end saw them.
    const IAM: u8 = 0x01;
    const ACM: u8 = 0x06;
    const ANM: u8 = 0x09;
    const REL: u8 = 0x0C;
    const RLC: u8 = 0x10;
    const GRS: u8 = 0x17;
    const GRA: u8 = 0x29;
    let script: Vec<(bool, u16, u8)> = vec![
        (false, 1, GRS),
        (false, 17, GRS),
        (true, 1, GRA),
        (true, 17, GRA),
        (false, 1, IAM),
        (true, 1, ACM),
        (true, 1, ANM),
        (false, 1, REL),
        (true, 1, RLC),
        (true, 2, IAM),
        (false, 2, ACM),
        (false, 2, ANM),
        (true, 2, REL),
        (false, 2, RLC),
        (false, 1, IAM),
        (true, 1, REL),
        (false, 1, RLC),
        (true, 4, IAM),
        (false, 4, REL),
        (true, 4, RLC),
    ];
    assert_eq!(isup_messages(&bed.far_sus), script);

    // Not one MSU lost or changed on the line: what one end sent, the other received.
    let capture = bed.ours.mtp.capture.take().unwrap_or_default();
    let ours = pcap_records(&capture);
    let msus = |records: &[(bool, Vec<u8>)], sent: bool| -> Vec<Vec<u8>> {
        records.iter().filter(|(s, su)| *s == sent && su.len() > 5).map(|(_, su)| su.clone()).collect()
    };
    let far: Vec<(bool, Vec<u8>)> = bed.far_sus.iter().map(|(_, theirs, su)| (*theirs, su.clone())).collect();
    let ours_sent = msus(&ours, true);
    let ours_received = msus(&ours, false);
    assert_eq!(ours_sent, msus(&far, false));
    assert_eq!(ours_received, msus(&far, true));
    assert!(
        ours_sent.len() >= 12 && ours_received.len() >= 12,
        "{} / {}",
        ours_sent.len(),
        ours_received.len()
    );
    let link = bed.ours.mtp.point.snapshot().link_sets[0].links[0].clone();
    assert_eq!((link.counters.failures, link.counters.nacks_sent, link.counters.retransmissions), (0, 0, 0));
    assert_eq!(bed.far.hdlc_counters().map(|c| c.bad_fcs), Some(0));
    assert!(!bed.their_events.iter().any(|(_, e)| *e == IsupEvent::Down));

    tdm_peer_libss7::use_real_time();
    tshark_check(&capture, script.len());
}

/// `(sent, signal unit)` of each record of a link type 139 pcap image (24-octet file header;
/// each record a 16-octet header, then the 4-octet pseudo-header whose first octet is 1 for
/// sent, then the signal unit).
fn pcap_records(image: &[u8]) -> Vec<(bool, Vec<u8>)> {
    let mut records = Vec::new();
    let mut at = 24;
    while at + 16 <= image.len() {
        let len = u32::from_le_bytes([image[at + 8], image[at + 9], image[at + 10], image[at + 11]]) as usize;
        let record = &image[at + 16..(at + 16 + len).min(image.len())];
        if record.len() >= 4 {
            records.push((record[0] == 1, record[4..].to_vec()));
        }
        at += 16 + len;
    }
    records
}

/// tshark (MTP3 as ITU) decodes our capture with no malformed frame and finds the script's
/// ISUP messages; skipped with a notice without tshark.
fn tshark_check(capture: &[u8], isup_messages: usize) {
    if std::process::Command::new("tshark").arg("-v").output().is_err() {
        eprintln!("NOTICE: tshark is not installed; skipping the decode check (apt-get install tshark)");
        return;
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("ours.pcap");
    std::fs::write(&path, capture).expect("capture written");
    let frames = pcap_records(capture).len();
    let bad = tshark(&path, "_ws.malformed || _ws.expert.severity >= 0x00600000");
    assert_eq!(bad, Vec::<String>::new(), "malformed or flagged frames");
    assert_eq!(tshark(&path, "frame").len(), frames, "tshark read every frame");
    assert_eq!(tshark(&path, "isup").len(), isup_messages, "tshark decoded every ISUP message");
    let management = tshark(&path, "mtp3mg");
    assert!(management.len() >= 4, "SLTM/SLTA both ways decoded: {management:?}");
}

fn tshark(path: &Path, filter: &str) -> Vec<String> {
    let out = std::process::Command::new("tshark")
        .args(["-n", "-r", &path.display().to_string(), "-o", "mtp3.standard:ITU", "-Y", filter])
        .args(["-T", "fields", "-e", "frame.number"])
        .output()
        .expect("tshark runs");
    assert!(out.status.success(), "tshark: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}
