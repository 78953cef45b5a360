//! ISUP interoperation with libss7 (Debian libss7-dev 2.0.0): this stack's ISUP on its MTP3
//! at one end of a 64 kbit/s signalling link, libss7 (its own MTP2, MTP3 and ISUP) at the
//! other, on one virtual clock. Calls go both ways, cleared from either side; the captured
//! run is then decoded by tshark (when installed) with no malformed packet. libss7 has no China
//! variant, so this runs ITU (14-bit point codes); China ISUP is checked against tshark in
//! `isup_tshark.rs`.

#[path = "mtp_common/mod.rs"]
mod mtp_common;

use mtp_common::{tshark_check, write_capture};
use tdm_base::{Cause, Duration, Instant};
use tdm_peer_libss7::isup::{IsupCall, IsupEvent};
use tdm_peer_libss7::{LibSs7, Ss7Config, Variant};
use tdm_ss7::circuit::{CallId, CicMap, Event, Number, OutgoingCall, UserPart};
use tdm_ss7::isup::{Isup, IsupConfig};
use tdm_ss7::label::{NetworkIndicator, PointCode, PointCodeFormat};
use tdm_ss7::mtp2::line::line_bits;
use tdm_ss7::mtp2::pcap::{self, Direction};
use tdm_ss7::mtp2::su::MAX_SU_LEN;
use tdm_ss7::mtp3::{LinkId, LinkSetConfig, Mtp3, Mtp3Config, SignallingLinkConfig, SignallingLinkState};

const OURS: u32 = 0x0101;
const THEIRS: u32 = 0x0202;
const LINK: LinkId = LinkId { set: 0, link: 0 };
/// libss7 reads a time of day: start the virtual clock well after the epoch.
const ORIGIN_US: u64 = 1_000_000_000;

fn pc(value: u32) -> PointCode {
    PointCode::new(PointCodeFormat::Itu14, value).expect("14-bit")
}

struct Interop {
    mtp: Mtp3,
    isup: Isup,
    theirs: LibSs7,
    now: u64,
    line_free: [u64; 2],
    capture: Vec<u8>,
    our_events: Vec<Event>,
    their_events: Vec<IsupEvent>,
}

impl Interop {
    fn new() -> Option<Interop> {
        let theirs =
            LibSs7::new(Ss7Config { variant: Variant::Itu, pc: THEIRS, adjacent: OURS, ni: 2, slc: 0 })?;
        let mut config = Mtp3Config::new(pc(OURS), PointCodeFormat::Itu14, NetworkIndicator::National);
        config.link_sets.push(LinkSetConfig {
            name: "libss7".into(),
            adjacent: pc(THEIRS),
            links: vec![SignallingLinkConfig::new(0, 0, 16)],
        });
        let circuits = CicMap::e1(1, 0, true).expect("one E1");
        Some(Interop {
            mtp: Mtp3::new(config).expect("configuration"),
            isup: Isup::new(IsupConfig::new(pc(OURS), pc(THEIRS), PointCodeFormat::Itu14, circuits)),
            theirs,
            now: ORIGIN_US,
            line_free: [ORIGIN_US; 2],
            capture: pcap::file_header(pcap::LINKTYPE_MTP2_WITH_PHDR).to_vec(),
            our_events: Vec::new(),
            their_events: Vec::new(),
        })
    }

    fn instant(&self) -> Instant {
        Instant::from_micros(self.now)
    }

    fn start(&mut self) {
        tdm_peer_libss7::set_virtual_time(self.now);
        self.theirs.start();
        self.mtp.start(self.instant());
    }

    fn step(&mut self) {
        let mut next = self.line_free[0].min(self.line_free[1]);
        for deadline in [self.mtp.poll_timeout(), self.isup.poll_timeout()].into_iter().flatten() {
            next = next.min(deadline.as_micros());
        }
        if let Some(deadline) = self.theirs.next_deadline() {
            next = next.min(deadline);
        }
        self.now = self.now.max(next);
        let now = self.instant();
        tdm_peer_libss7::set_virtual_time(self.now);
        self.theirs.run_timers();
        self.mtp.handle_timeout(now);
        self.isup.handle_timeout(now);
        while let Some(transfer) = self.isup.poll_transmit() {
            self.mtp.transfer(now, &transfer).expect("libss7 accessible");
        }
        let mut out = [0u8; MAX_SU_LEN + 8];
        if self.line_free[0] <= self.now {
            let len = self.mtp.poll_transmit(now, LINK, &mut out);
            self.theirs.receive(&out[..len]);
            pcap::append_record(
                &mut self.capture,
                pcap::LINKTYPE_MTP2_WITH_PHDR,
                now,
                Direction::Sent,
                0,
                &out[..len],
            );
            self.line_free[0] = self.now + line_time(&out[..len]);
        }
        if self.line_free[1] <= self.now {
            let len = self.theirs.transmit(&mut out);
            if len > 0 {
                self.mtp.handle_su(now, LINK, &out[..len]);
                pcap::append_record(
                    &mut self.capture,
                    pcap::LINKTYPE_MTP2_WITH_PHDR,
                    now,
                    Direction::Received,
                    0,
                    &out[..len],
                );
                self.line_free[1] = self.now + line_time(&out[..len]);
            } else {
                self.line_free[1] = self.now + 125;
            }
        }
        while let Some(indication) = self.mtp.poll_indication() {
            self.isup.handle_indication(now, &indication);
        }
        while let Some(event) = self.isup.poll_event() {
            self.our_events.push(event);
        }
        while let Some(event) = self.theirs.poll_isup_event() {
            self.their_events.push(event);
        }
    }

    fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&Interop) -> bool) -> bool {
        let until = self.now + limit.as_micros() as u64;
        while self.now < until {
            if done(self) {
                return true;
            }
            self.step();
        }
        done(self)
    }

    fn run_for(&mut self, duration: Duration) {
        let until = self.now + duration.as_micros() as u64;
        self.run_until(Duration::from_secs(3600), |i| i.now >= until);
    }
}

fn line_time(su: &[u8]) -> u64 {
    (u64::from(line_bits(su)) * 1_000_000).div_ceil(64_000)
}

fn call_to(number: &str) -> OutgoingCall {
    let mut call = OutgoingCall::new(number).expect("digits");
    call.calling = Some(Number::national("88880001").expect("digits"));
    call
}

#[test]
fn calls_both_ways_between_this_isup_and_libss7() {
    let Some(mut interop) = Interop::new() else {
        eprintln!("libss7 (libss7-dev) not available: ISUP interop test skipped");
        return;
    };
    interop.start();
    let up = interop.run_until(Duration::from_secs(5), |i| {
        i.mtp.link_state(LINK) == Some(SignallingLinkState::Available)
            && i.their_events.contains(&IsupEvent::Up)
    });
    assert!(up, "link up at both ends: libss7 events {:?}", interop.their_events);
    interop.their_events.clear();

    // Ten calls from this stack: libss7 answers each with ACM and ANM.
    let now = interop.instant();
    let ours: Vec<CallId> = (0..10)
        .map(|i| interop.isup.place_call(now, &call_to(&format!("10080{i}"))).expect("circuit"))
        .collect();
    interop.run_until(Duration::from_secs(2), |i| {
        i.their_events.iter().filter(|e| matches!(e, IsupEvent::Iam { .. })).count() == 10
    });
    let incoming: Vec<(i32, IsupCall, String, String)> = interop
        .their_events
        .drain(..)
        .filter_map(|e| match e {
            IsupEvent::Iam { cic, call, called, calling } => Some((cic, call, called, calling)),
            _ => None,
        })
        .collect();
    assert_eq!(incoming.len(), 10);
    for (i, (cic, call, called, calling)) in incoming.iter().enumerate() {
        // This side (lower point code) took the odd CICs it controls, lowest first.
        assert_eq!(*cic, 1 + 2 * i as i32);
        assert!(called.starts_with(&format!("10080{i}")), "called {called}");
        assert_eq!(calling, "88880001");
        assert!(interop.theirs.acm(*call));
        assert!(interop.theirs.anm(*call));
    }
    interop.run_for(Duration::from_secs(1));
    for call in &ours {
        assert!(interop.our_events.contains(&Event::Alerting { call: *call, inband: false }));
        assert!(interop.our_events.contains(&Event::Answered { call: *call }));
    }
    // This stack clears the first five, libss7 the other five.
    let now = interop.instant();
    for call in &ours[..5] {
        interop.isup.hangup(now, *call, Cause::NormalClearing).expect("active call");
    }
    for (_, call, _, _) in &incoming[5..] {
        assert!(interop.theirs.rel(*call, 16));
    }
    interop.run_for(Duration::from_secs(1));
    for event in interop.their_events.drain(..).collect::<Vec<_>>() {
        match event {
            IsupEvent::Rel { call, cause, .. } => {
                assert_eq!(cause, 16);
                assert!(interop.theirs.rlc(call));
            }
            IsupEvent::Rlc { call, .. } => interop.theirs.free_if_clear(call),
            other => panic!("unexpected libss7 event {other:?}"),
        }
    }
    interop.run_for(Duration::from_secs(1));
    for (i, call) in ours.iter().enumerate() {
        let remote = i >= 5;
        assert!(
            interop.our_events.contains(&Event::Released {
                call: *call,
                cause: Cause::NormalClearing,
                remote
            }),
            "call {i} released: {:?}",
            interop.our_events
        );
    }
    interop.our_events.clear();

    // Ten calls from libss7 on even CICs (16 is the signalling timeslot, not a circuit): this
    // stack alerts and answers, then each side clears half.
    let cics: Vec<u16> = (1..=11).map(|i| 2 * i).filter(|cic| *cic != 16).collect();
    let theirs: Vec<IsupCall> = (0..10)
        .map(|i| interop.theirs.iam(cics[i], &format!("20080{i}"), "99990002").expect("libss7 IAM"))
        .collect();
    interop.run_for(Duration::from_secs(1));
    let presented: Vec<(CallId, u16)> = interop
        .our_events
        .drain(..)
        .filter_map(|e| match e {
            Event::Incoming(incoming) => {
                assert_eq!(incoming.calling.map(|n| n.digits.to_string()), Some("99990002".to_string()));
                Some((incoming.call, incoming.cic))
            }
            _ => None,
        })
        .collect();
    assert_eq!(presented.iter().map(|(_, cic)| *cic).collect::<Vec<_>>(), cics);
    let now = interop.instant();
    for (call, _) in &presented {
        interop.isup.alert(now, *call, false).expect("alert");
        interop.isup.answer(now, *call).expect("answer");
    }
    interop.run_for(Duration::from_secs(1));
    let answered = interop.their_events.iter().filter(|e| matches!(e, IsupEvent::Anm { .. })).count();
    let alerted = interop.their_events.iter().filter(|e| matches!(e, IsupEvent::Acm { .. })).count();
    assert_eq!((alerted, answered), (10, 10));
    interop.their_events.clear();
    let now = interop.instant();
    for (call, _) in &presented[..5] {
        interop.isup.hangup(now, *call, Cause::NormalClearing).expect("active call");
    }
    for call in &theirs[5..] {
        assert!(interop.theirs.rel(*call, 16));
    }
    interop.run_for(Duration::from_secs(1));
    for event in interop.their_events.drain(..).collect::<Vec<_>>() {
        match event {
            IsupEvent::Rel { call, .. } => assert!(interop.theirs.rlc(call)),
            IsupEvent::Rlc { call, .. } => interop.theirs.free_if_clear(call),
            other => panic!("unexpected libss7 event {other:?}"),
        }
    }
    interop.run_for(Duration::from_secs(1));
    let released = interop
        .our_events
        .iter()
        .filter(|e| matches!(e, Event::Released { cause: Cause::NormalClearing, .. }))
        .count();
    assert_eq!(released, 10);
    assert!(interop.isup.circuits().iter().all(|c| c.is_available()), "every circuit idle");
    assert_eq!(interop.isup.call_count(), 0);
    assert_eq!(interop.isup.stats().malformed + interop.isup.stats().unexpected, 0);

    let path = write_capture("isup-libss7-itu", &interop.capture);
    tdm_peer_libss7::use_real_time();
    if let Some(report) = tshark_check(&path, "ITU") {
        eprintln!("tshark: {report:?}");
        assert_eq!(report.malformed, 0, "tshark found malformed packets in {}", path.display());
        assert!(report.isup >= 80, "tshark decoded the ISUP messages: {report:?}");
    }
    let _ = std::fs::remove_file(&path);
}
