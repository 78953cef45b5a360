//! Interoperation with libss7 (Debian libss7-dev 2.0.0) at the signal-unit level: libss7 runs
//! its own MTP2 and MTP3 on the far end of one 64 kbit/s link, this stack the near end, both on
//! one virtual clock. The link aligns, each end tests it with SLTM/SLTA, traffic restarts
//! (TRA), and ISUP messages flow both ways. The captured run is then decoded by tshark, when
//! it is installed, with no malformed packet. libss7 has no China variant, so this runs ITU
//! (14-bit point codes); China formats are checked against tshark in `mtp_tshark.rs`.

mod mtp_common;

use mtp_common::{tshark_check, write_capture};
use tdm_base::{Duration, Instant};
use tdm_peer_libss7::{LibSs7, Ss7Config, Ss7Event, Variant};
use tdm_ss7::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio};
use tdm_ss7::mtp2::line::line_bits;
use tdm_ss7::mtp2::pcap::{self, Direction};
use tdm_ss7::mtp2::su::{MAX_SU_LEN, SignalUnit, SuKind};
use tdm_ss7::mtp3::{
    Indication, LinkId, LinkSetConfig, Mtp3, Mtp3Config, Payload, SignallingLinkConfig, SignallingLinkState,
    Transfer,
};

const OURS: u32 = 0x0101;
const THEIRS: u32 = 0x0202;
const LINK: LinkId = LinkId { set: 0, link: 0 };
/// libss7 reads a time of day: start the virtual clock well after the epoch.
const ORIGIN_US: u64 = 1_000_000_000;

struct Interop {
    ours: Mtp3,
    theirs: LibSs7,
    now: u64,
    line_free: [u64; 2],
    capture: Vec<u8>,
    /// MSU bodies seen on the line: (sent by us, body).
    msus: Vec<(bool, Vec<u8>)>,
    their_events: Vec<Ss7Event>,
    our_indications: Vec<Indication>,
}

impl Interop {
    fn new() -> Option<Interop> {
        let theirs =
            LibSs7::new(Ss7Config { variant: Variant::Itu, pc: THEIRS, adjacent: OURS, ni: 2, slc: 0 })?;
        let pc = |value| PointCode::new(PointCodeFormat::Itu14, value).expect("14-bit");
        let mut config = Mtp3Config::new(pc(OURS), PointCodeFormat::Itu14, NetworkIndicator::National);
        config.link_sets.push(LinkSetConfig {
            name: "libss7".into(),
            adjacent: pc(THEIRS),
            links: vec![SignallingLinkConfig::new(0, 0, 16)],
        });
        let ours = Mtp3::new(config).expect("configuration");
        Some(Interop {
            ours,
            theirs,
            now: ORIGIN_US,
            line_free: [ORIGIN_US; 2],
            capture: pcap::file_header(pcap::LINKTYPE_MTP2_WITH_PHDR).to_vec(),
            msus: Vec::new(),
            their_events: Vec::new(),
            our_indications: Vec::new(),
        })
    }

    fn instant(&self) -> Instant {
        Instant::from_micros(self.now)
    }

    fn start(&mut self) {
        tdm_peer_libss7::set_virtual_time(self.now);
        self.theirs.start();
        self.ours.start(self.instant());
    }

    fn record(&mut self, sent_by_us: bool, su: &[u8]) {
        let direction = if sent_by_us { Direction::Sent } else { Direction::Received };
        let at = self.instant();
        pcap::append_record(&mut self.capture, pcap::LINKTYPE_MTP2_WITH_PHDR, at, direction, 0, su);
        if let Ok(view) = SignalUnit::new_checked(su)
            && view.kind() == SuKind::Msu
        {
            self.msus.push((sent_by_us, view.body().to_vec()));
        }
    }

    fn step(&mut self) {
        let mut next = self.line_free[0].min(self.line_free[1]);
        if let Some(deadline) = self.ours.poll_timeout() {
            next = next.min(deadline.as_micros());
        }
        if let Some(deadline) = self.theirs.next_deadline() {
            next = next.min(deadline);
        }
        self.now = self.now.max(next);
        let now = self.instant();
        tdm_peer_libss7::set_virtual_time(self.now);
        self.theirs.run_timers();
        self.ours.handle_timeout(now);
        let mut out = [0u8; MAX_SU_LEN + 8];
        if self.line_free[0] <= self.now {
            let len = self.ours.poll_transmit(now, LINK, &mut out);
            let su = out[..len].to_vec();
            self.theirs.receive(&su);
            self.record(true, &su);
            self.line_free[0] = self.now + line_time(&su);
        }
        if self.line_free[1] <= self.now {
            let len = self.theirs.transmit(&mut out);
            let su = out[..len].to_vec();
            if len > 0 {
                self.ours.handle_su(now, LINK, &su);
                self.record(false, &su);
                self.line_free[1] = self.now + line_time(&su);
            } else {
                self.line_free[1] = self.now + 125;
            }
        }
        while let Some(event) = self.theirs.poll_event() {
            self.their_events.push(event);
        }
        while let Some(indication) = self.ours.poll_indication() {
            self.our_indications.push(indication);
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

/// An ITU ISUP message from us to libss7: CIC, message type, then `rest`.
fn isup(cic: u16, message_type: u8, rest: &[u8]) -> Transfer {
    let pc = |value| PointCode::new(PointCodeFormat::Itu14, value).expect("14-bit");
    let mut payload = cic.to_le_bytes().to_vec();
    payload.push(message_type);
    payload.extend_from_slice(rest);
    Transfer {
        ni: NetworkIndicator::National,
        priority: 0,
        si: ServiceIndicator::Isup,
        label: RoutingLabel { dpc: pc(THEIRS), opc: pc(OURS), sls: (cic & 0x0F) as u8 },
        label_spare: 0,
        payload: Payload::new(&payload).expect("short"),
    }
}

/// Link test messages on the line: (sent by us, heading) for SI 1.
fn link_tests(msus: &[(bool, Vec<u8>)]) -> Vec<(bool, u8)> {
    msus.iter()
        .filter(|(_, body)| Sio::from_octet(body[0]).si == ServiceIndicator::Testing && body.len() > 5)
        .map(|(ours, body)| (*ours, body[5]))
        .collect()
}

#[test]
fn libss7_and_this_stack_align_test_the_link_both_ways_and_exchange_isup_messages() {
    let Some(mut interop) = Interop::new() else {
        eprintln!("libss7 (libss7-dev) not available: interop test skipped");
        return;
    };
    interop.start();
    let aligned = interop.run_until(Duration::from_secs(5), |i| {
        i.ours.link_state(LINK) == Some(SignallingLinkState::Available)
            && i.their_events.contains(&Ss7Event::Up)
    });
    assert!(
        aligned,
        "both ends up; ours {:?}, libss7 events {:?}",
        interop.ours.snapshot().link_sets,
        interop.their_events
    );
    let took = interop.now - ORIGIN_US;
    // Emergency proving on both sides (ours 0.512 s, libss7's 0.5 s), then libss7 waits 0.5 s
    // after its MTP3 comes up before reporting it.
    assert!((500_000..2_000_000).contains(&took), "up after {took} µs");
    assert!(interop.their_events.contains(&Ss7Event::LinkUp));
    assert!(interop.ours.is_accessible(PointCode::new(PointCodeFormat::Itu14, THEIRS).unwrap()));
    // SLTM and SLTA went both ways: libss7 answered ours (our link is available only then) and
    // we answered libss7's ("2564286288" echoed).
    let tests = link_tests(&interop.msus);
    assert!(
        tests.contains(&(true, 0x11)) && tests.contains(&(false, 0x21)),
        "our SLTM, their SLTA: {tests:?}"
    );
    assert!(
        tests.contains(&(false, 0x11)) && tests.contains(&(true, 0x21)),
        "their SLTM, our SLTA: {tests:?}"
    );
    let our_slta = interop
        .msus
        .iter()
        .find(|(ours, body)| *ours && body[0] & 0x0F == 1 && body.get(5) == Some(&0x21))
        .expect("our SLTA");
    assert_eq!(&our_slta.1[6..], &[0xA0, b'2', b'5', b'6', b'4', b'2', b'8', b'6', b'2', b'8', b'8']);

    // ISUP from us to libss7: blocking of circuits 1 ..= 40.
    for cic in 1..=40u16 {
        interop.ours.transfer(interop.instant(), &isup(cic, 0x13, &[])).expect("accessible");
    }
    interop.run_for(Duration::from_secs(1));
    let blocked: Vec<i32> = interop
        .their_events
        .iter()
        .filter_map(|e| match e {
            Ss7Event::Blocking { cic, opc } if *opc == OURS => Some(*cic),
            _ => None,
        })
        .collect();
    assert_eq!(blocked, (1..=40).collect::<Vec<i32>>());

    // ISUP from libss7 to us: 40 loop back acknowledgements and a group reset of 1 ..= 8.
    for cic in 1..=40u16 {
        assert!(interop.theirs.send_loop_back_ack(cic));
    }
    assert!(interop.theirs.send_group_reset(1, 8));
    interop.run_for(Duration::from_secs(1));
    let received: Vec<(u16, u8)> = interop
        .our_indications
        .iter()
        .filter_map(|i| match i {
            Indication::Transfer(t) if t.si == ServiceIndicator::Isup => {
                let p = t.payload.as_slice();
                assert_eq!(t.label.opc.value(), THEIRS);
                Some((u16::from_le_bytes([p[0], p[1]]), p[2]))
            }
            _ => None,
        })
        .collect();
    let mut expected: Vec<(u16, u8)> = (1..=40).map(|cic| (cic, 0x24)).collect();
    expected.push((1, 0x17));
    assert_eq!(received, expected, "LPA for each circuit, then GRS");
    let grs =
        interop.msus.iter().rev().find(|(ours, body)| !*ours && body.get(7) == Some(&0x17)).expect("GRS");
    assert_eq!(grs.1[8..], [0x01, 0x01, 0x07], "range: pointer, length 1, range 7 (circuits 1..=8)");

    // Nothing went wrong on the line.
    let link = interop.ours.snapshot().link_sets[0].links[0].clone();
    assert_eq!((link.counters.failures, link.counters.su_errors, link.counters.nacks_sent), (0, 0, 0));
    assert!(!interop.their_events.contains(&Ss7Event::LinkDown));

    let path = write_capture("libss7-itu", &interop.capture);
    tdm_peer_libss7::use_real_time();
    if let Some(report) = tshark_check(&path, "ITU") {
        eprintln!("tshark: {report:?}");
        assert_eq!(report.malformed, 0, "tshark found malformed packets in {}", path.display());
        assert!(report.isup >= 81, "tshark decoded the ISUP messages: {report:?}");
        assert!(report.management >= 4, "and the SLTM/SLTA and TRA: {report:?}");
    }
    let _ = std::fs::remove_file(&path);
}
