//! Level 3 behaviour between two signalling points over simulated lines: link tests, load
//! sharing, changeover and changeback without loss, duplication or reordering, route
//! management, user part unavailability, flow control.

use super::pair::{Pair, Side};
use super::*;
use crate::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio};
use crate::mtp2::{self, FailureReason};
use tdm_base::{Duration, Instant};

fn pc_a() -> PointCode {
    PointCode::china(1, 2, 3)
}

fn pc_b() -> PointCode {
    PointCode::china(4, 5, 6)
}

fn pc_far() -> PointCode {
    PointCode::china(9, 9, 9)
}

fn config(own: PointCode, adjacent: PointCode, links: usize, format: PointCodeFormat) -> Mtp3Config {
    let mut config = Mtp3Config::new(own, format, NetworkIndicator::National);
    config.link_sets.push(LinkSetConfig {
        name: "adjacent".into(),
        adjacent,
        links: (0..links).map(|i| SignallingLinkConfig::new(i as u8, i as u32, 16)).collect(),
    });
    config
}

fn china_pair(links: usize) -> Pair {
    Pair::new(
        config(pc_a(), pc_b(), links, PointCodeFormat::China24),
        config(pc_b(), pc_a(), links, PointCodeFormat::China24),
    )
    .unwrap()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn all_available(pair: &Pair) -> bool {
    [Side::A, Side::B].iter().all(|&side| {
        let point = pair.point_ref(side);
        point.link_ids().all(|id| point.link_state(id) == Some(SignallingLinkState::Available))
            && point.is_accessible(if side == Side::A { pc_b() } else { pc_a() })
            && (0..16).all(|sls| point.link_for_sls(0, sls).is_some())
    })
}

fn up(links: usize) -> Pair {
    let mut pair = china_pair(links);
    pair.start();
    assert!(pair.run_while_not(secs(5), |p| all_available(p)), "links available within 5 s");
    pair
}

fn isup(from: PointCode, to: PointCode, sls: u8, sequence: u32) -> Transfer {
    let mut payload = [0u8; 8];
    payload[..4].copy_from_slice(&sequence.to_le_bytes());
    payload[4] = sls;
    Transfer {
        ni: NetworkIndicator::National,
        priority: 0,
        si: ServiceIndicator::Isup,
        label: RoutingLabel { dpc: to, opc: from, sls },
        label_spare: 0,
        payload: Payload::new(&payload).unwrap(),
    }
}

fn transfers(indications: &[(Instant, Indication)]) -> Vec<Transfer> {
    indications
        .iter()
        .filter_map(|(_, i)| match i {
            Indication::Transfer(t) => Some(*t),
            _ => None,
        })
        .collect()
}

fn sequence_of(t: &Transfer) -> u32 {
    let p = t.payload.as_slice();
    u32::from_le_bytes([p[0], p[1], p[2], p[3]])
}

fn link(set: usize, link: usize) -> LinkId {
    LinkId { set, link }
}

#[test]
fn two_points_align_test_their_links_exchange_tra_and_resume() {
    let mut pair = china_pair(2);
    pair.start();
    assert!(pair.run_while_not(secs(5), |p| all_available(p)));
    // Emergency proving (0.512 s) as no link was available, then SLTM/SLTA.
    assert!(
        pair.now > Instant::from_millis(512) && pair.now < Instant::from_millis(600),
        "up at {}",
        pair.now
    );
    for side in [Side::A, Side::B] {
        let events: Vec<Mtp3Event> = pair.take_events(side).into_iter().map(|(_, e)| e).collect();
        for id in [link(0, 0), link(0, 1)] {
            assert!(events.contains(&Mtp3Event::LinkInService(id)));
            assert!(events.contains(&Mtp3Event::LinkAvailable(id)));
        }
        assert_eq!(events.iter().filter(|e| **e == Mtp3Event::LinkSetAvailable(0)).count(), 1);
        assert_eq!(events.iter().filter(|e| **e == Mtp3Event::TrafficRestartAllowed(0)).count(), 1);
        let peer = if side == Side::A { pc_b() } else { pc_a() };
        let indications: Vec<Indication> = pair.take_indications(side).into_iter().map(|(_, i)| i).collect();
        assert_eq!(indications, vec![Indication::Resume(peer)]);
        let snapshot = pair.point(side).snapshot();
        assert_eq!(snapshot.link_sets[0].available_links, 2);
        assert!(snapshot.link_sets[0].traffic_allowed);
        assert_eq!(snapshot.destinations[0].pc, peer);
        assert!(snapshot.destinations[0].accessible);
        // TRA when the set came up, CBD when its second link joined (the odd SLSs had started
        // on the first), CBA for the far end's CBD.
        assert_eq!(snapshot.stats.management_sent, 3);
        assert_eq!(snapshot.stats.management_received, 3);
        assert_eq!(snapshot.stats.changebacks, 1);
        for link in &snapshot.link_sets[0].links {
            assert_eq!(link.mtp2_state, mtp2::LinkState::InService);
        }
        // Per link the far end's SLTM and its SLTA to ours, and the three management messages.
        let received: u64 = snapshot.link_sets[0].links.iter().map(|l| l.counters.msus_received).sum();
        assert_eq!(received, 7);
    }
}

#[test]
fn a_message_arrives_with_its_label_and_payload_and_sls_picks_the_link() {
    let mut pair = up(2);
    pair.take_indications(Side::B);
    let sent_before: Vec<u64> =
        (0..2).map(|l| pair.point_ref(Side::A).mtp2(link(0, l)).unwrap().stats().msus_sent).collect();
    for sls in 0..16u8 {
        pair.transfer(Side::A, &isup(pc_a(), pc_b(), sls, u32::from(sls))).unwrap();
    }
    pair.run_for(Duration::from_millis(200));
    let received = transfers(&pair.take_indications(Side::B));
    assert_eq!(received.len(), 16);
    let mut sorted = received.clone();
    sorted.sort_by_key(sequence_of);
    for (sls, t) in sorted.iter().enumerate() {
        assert_eq!(*t, isup(pc_a(), pc_b(), sls as u8, sls as u32));
    }
    // SLS s goes on link s mod 2: eight each.
    for (l, before) in sent_before.iter().enumerate() {
        let sent = pair.point_ref(Side::A).mtp2(link(0, l)).unwrap().stats().msus_sent - before;
        assert_eq!(sent, 8, "link {l}");
    }
    assert_eq!(pair.point_ref(Side::A).link_for_sls(0, 5), Some(1));
    assert_eq!(pair.point_ref(Side::A).link_for_sls(0, 6), Some(0));
    assert_eq!(pair.point_ref(Side::A).stats().messages_sent, 16);
    assert_eq!(pair.point_ref(Side::B).stats().messages_delivered, 16);
}

#[test]
fn unknown_and_unreachable_destinations_are_refused() {
    let mut pair = china_pair(1);
    assert_eq!(
        pair.point(Side::A).transfer(Instant::ZERO, &isup(pc_a(), pc_b(), 0, 0)),
        Err(TransferError::Unreachable(pc_b())),
        "nothing aligned yet"
    );
    assert_eq!(
        pair.point(Side::A).transfer(Instant::ZERO, &isup(pc_a(), pc_far(), 0, 0)),
        Err(TransferError::UnknownDestination(pc_far()))
    );
}

/// Sends `count` messages from pc_a() to pc_b() with SLS cycling, as fast as the links take them, while
/// `during` acts on the pair at each step; returns what pc_b() received.
fn stream(pair: &mut Pair, count: u32, limit: Duration, mut during: impl FnMut(&mut Pair)) -> Vec<Transfer> {
    let mut next = 0u32;
    let mut received = Vec::new();
    let until = pair.now + limit;
    while pair.now < until && received.len() < count as usize {
        while next < count {
            let message = isup(pc_a(), pc_b(), (next % 16) as u8, next);
            match pair.transfer(Side::A, &message) {
                Ok(()) => next += 1,
                Err(_) => break,
            }
        }
        // Keep a modest backlog: the send loop above refills it as the links drain.
        during(pair);
        pair.step();
        received.extend(transfers(&pair.take_indications(Side::B)));
    }
    received
}

fn assert_all_once_in_order_per_sls(received: &[Transfer], count: u32) {
    let mut last = [None::<u32>; 16];
    let mut seen = vec![false; count as usize];
    for t in received {
        let sequence = sequence_of(t);
        let sls = usize::from(t.label.sls);
        assert_eq!(sequence % 16, sls as u32);
        assert!(!seen[sequence as usize], "message {sequence} delivered twice");
        seen[sequence as usize] = true;
        if let Some(previous) = last[sls] {
            assert!(sequence > previous, "SLS {sls}: {sequence} after {previous}");
        }
        last[sls] = Some(sequence);
    }
    let missing: Vec<usize> =
        seen.iter().enumerate().filter(|(_, s)| !**s).map(|(i, _)| i).take(10).collect();
    assert!(missing.is_empty(), "missing messages, first ones: {missing:?}");
    assert_eq!(received.len(), count as usize);
}

#[test]
fn a_cut_link_changes_over_without_loss_duplication_or_reordering_and_changes_back() {
    let mut pair = up(2);
    let count = 6_000;
    let start = pair.now;
    let cut_at = start + secs(2);
    let heal_at = start + secs(4);
    let received = stream(&mut pair, count, secs(60), |p| {
        if p.now >= cut_at && p.now < heal_at {
            p.set_cut(0, true);
        } else if p.now >= heal_at {
            p.set_cut(0, false);
        }
    });
    assert_all_once_in_order_per_sls(&received, count);
    // Link 0 realigns (normal proving, as link 1 is available), passes its test and the
    // traffic of the even SLSs returns to it.
    assert!(pair.run_while_not(secs(30), |p| p.point_ref(Side::A).link_for_sls(0, 0) == Some(0)
        && p.point_ref(Side::A).link_state(link(0, 0)) == Some(SignallingLinkState::Available)));
    let events: Vec<Mtp3Event> = pair.take_events(Side::A).into_iter().map(|(_, e)| e).collect();
    // Both ends count the silence; whichever fails first orders the changeover.
    let cause = events.iter().find_map(|e| match e {
        Mtp3Event::LinkUnavailable { link: l, cause } if *l == link(0, 0) => Some(*cause),
        _ => None,
    });
    assert!(
        matches!(cause, Some(LinkFailure::Mtp2(FailureReason::ErrorRate) | LinkFailure::ChangeoverOrder)),
        "{cause:?}"
    );
    let changeover = events.iter().find_map(|e| match e {
        Mtp3Event::ChangeoverComplete { link: l, retrieved, buffer_updated } if *l == link(0, 0) => {
            Some((*retrieved, *buffer_updated))
        }
        _ => None,
    });
    let (retrieved, buffer_updated) = changeover.expect("a changeover of link 0");
    assert!(buffer_updated, "COA/COO carried the FSN");
    assert!(retrieved > 0, "unacknowledged messages were taken back");
    assert!(events.contains(&Mtp3Event::ChangebackComplete { link: link(0, 0), acknowledged: true }));
    let before = pair.point_ref(Side::A).mtp2(link(0, 0)).unwrap().stats().msus_sent;
    for sls in 0..16u8 {
        pair.transfer(Side::A, &isup(pc_a(), pc_b(), sls, 100_000 + u32::from(sls))).unwrap();
    }
    pair.run_for(Duration::from_millis(300));
    let sent = pair.point_ref(Side::A).mtp2(link(0, 0)).unwrap().stats().msus_sent - before;
    assert_eq!(sent, 8, "even SLSs are back on link 0");
    assert_eq!(transfers(&pair.take_indications(Side::B)).len(), 16);
    let stats = pair.point_ref(Side::A).stats();
    // One changeback when link 1 joined at start, one when link 0 came back.
    assert_eq!((stats.changeovers, stats.changebacks, stats.dropped), (1, 2, 0));
}

#[test]
fn a_one_way_cut_makes_the_far_end_order_the_changeover() {
    let mut pair = up(2);
    let count = 3_000;
    let cut_at = pair.now + secs(1);
    let received = stream(&mut pair, count, secs(60), |p| {
        if p.now >= cut_at {
            p.set_cut_from(0, Side::A, true);
        }
    });
    assert_all_once_in_order_per_sls(&received, count);
    let events: Vec<Mtp3Event> = pair.take_events(Side::A).into_iter().map(|(_, e)| e).collect();
    // pc_b() saw the line go quiet, went out of service and sent SIOS, which pc_a() heard.
    let cause = events.iter().find_map(|e| match e {
        Mtp3Event::LinkUnavailable { link: l, cause } if *l == link(0, 0) => Some(*cause),
        _ => None,
    });
    assert!(
        matches!(
            cause,
            Some(LinkFailure::Mtp2(FailureReason::UnexpectedStatus(_)) | LinkFailure::ChangeoverOrder)
        ),
        "{cause:?}"
    );
    assert_eq!(pair.point_ref(Side::A).stats().dropped, 0);
}

#[test]
fn both_links_down_pauses_the_destination_and_healing_resumes_it() {
    let mut pair = up(2);
    pair.take_indications(Side::A);
    pair.set_cut(0, true);
    pair.set_cut(1, true);
    pair.run_for(Duration::from_millis(500));
    let indications: Vec<Indication> = pair.take_indications(Side::A).into_iter().map(|(_, i)| i).collect();
    assert_eq!(indications, vec![Indication::Pause(pc_b())]);
    assert_eq!(pair.transfer(Side::A, &isup(pc_a(), pc_b(), 0, 0)), Err(TransferError::Unreachable(pc_b())));
    let events: Vec<Mtp3Event> = pair.take_events(Side::A).into_iter().map(|(_, e)| e).collect();
    assert!(events.contains(&Mtp3Event::LinkSetUnavailable(0)));
    pair.set_cut(0, false);
    pair.set_cut(1, false);
    assert!(pair.run_while_not(secs(20), |p| p.point_ref(Side::A).is_accessible(pc_b())));
    let indications: Vec<Indication> = pair.take_indications(Side::A).into_iter().map(|(_, i)| i).collect();
    assert_eq!(indications, vec![Indication::Resume(pc_b())]);
}

#[test]
fn a_bit_error_rate_of_1e_4_retransmits_but_loses_nothing() {
    let mut pair = up(2);
    pair.set_ber(0, 1e-4);
    let received = stream(&mut pair, 5_000, secs(60), |_| {});
    assert_all_once_in_order_per_sls(&received, 5_000);
    let stats = pair.point_ref(Side::A).mtp2(link(0, 0)).unwrap().stats();
    assert!(stats.retransmissions > 0, "{stats:?}");
    let (from_a, from_b) = pair.corrupted(0);
    assert!(from_a > 0 && from_b > 0);
    assert_eq!(pair.point_ref(Side::A).link_state(link(0, 0)), Some(SignallingLinkState::Available));
}

#[test]
fn a_link_whose_tests_go_unanswered_is_taken_out_after_two_sltm() {
    // pc_b() knows pc_a() under another point code: it ignores pc_a()'s tests and pc_a() ignores pc_b()'s messages.
    let mut pair = Pair::new(
        config(pc_a(), pc_b(), 1, PointCodeFormat::China24),
        config(pc_b(), pc_far(), 1, PointCodeFormat::China24),
    )
    .unwrap();
    pair.start();
    assert!(pair.run_while_not(secs(2), |p| p.point_ref(Side::A).link_state(link(0, 0))
        == Some(SignallingLinkState::Testing)));
    let testing_since = pair.now;
    assert!(pair.run_while_not(secs(20), |p| p.point_ref(Side::A).link_state(link(0, 0))
        == Some(SignallingLinkState::Down)));
    let took = pair.now - testing_since;
    assert!(took >= secs(16) && took < secs(16) + Duration::from_millis(10), "two SLT T1 periods: {took:?}");
    let events: Vec<Mtp3Event> = pair.take_events(Side::A).into_iter().map(|(_, e)| e).collect();
    assert!(
        events.contains(&Mtp3Event::LinkUnavailable { link: link(0, 0), cause: LinkFailure::TestFailed })
    );
    assert!(pair.point_ref(Side::A).stats().not_for_us > 0);
}

fn management_msu(format: PointCodeFormat, from: PointCode, to: PointCode, message: SnmMessage) -> Vec<u8> {
    management_msu_sls(format, from, to, 0, message)
}

fn management_msu_sls(
    format: PointCodeFormat,
    from: PointCode,
    to: PointCode,
    sls: u8,
    message: SnmMessage,
) -> Vec<u8> {
    let mut body = vec![
        Sio { ni: NetworkIndicator::National, priority: 0, si: ServiceIndicator::Management }.to_octet(),
    ];
    let mut label = [0u8; 7];
    let len = RoutingLabel { dpc: to, opc: from, sls }.emit(format, &mut label).unwrap();
    body.extend_from_slice(&label[..len]);
    let mut octets = [0u8; 8];
    let len = message.emit(format, &mut octets).unwrap();
    body.extend_from_slice(&octets[..len]);
    body
}

#[test]
fn tfp_and_tfa_from_the_adjacent_stp_pause_and_resume_with_route_set_tests_between() {
    let mut a = config(pc_a(), pc_b(), 1, PointCodeFormat::China24);
    a.routes.push(RouteConfig { destination: pc_far(), link_set: "adjacent".into(), priority: 0 });
    let mut pair = Pair::new(a, config(pc_b(), pc_a(), 1, PointCodeFormat::China24)).unwrap();
    pair.start();
    assert!(pair.run_while_not(secs(5), |p| p.point_ref(Side::A).is_accessible(pc_far())));
    let resumed: Vec<Indication> = pair.take_indications(Side::A).into_iter().map(|(_, i)| i).collect();
    assert_eq!(resumed, vec![Indication::Resume(pc_b()), Indication::Resume(pc_far())]);
    // pc_b() plays the STP: pc_far() is prohibited.
    let tfp =
        management_msu(PointCodeFormat::China24, pc_b(), pc_a(), SnmMessage::Tfp { destination: pc_far() });
    pair.point(Side::B).send_on_link(link(0, 0), &tfp).unwrap();
    pair.run_for(Duration::from_millis(50));
    let indications: Vec<Indication> = pair.take_indications(Side::A).into_iter().map(|(_, i)| i).collect();
    assert_eq!(indications, vec![Indication::Pause(pc_far())]);
    assert!(pair.point_ref(Side::A).is_accessible(pc_b()), "the STP itself stays reachable");
    assert_eq!(
        pair.transfer(Side::A, &isup(pc_a(), pc_far(), 0, 0)),
        Err(TransferError::Unreachable(pc_far()))
    );
    let snapshot = pair.point(Side::A).snapshot();
    let far = snapshot.destinations.iter().find(|d| d.pc == pc_far()).unwrap();
    assert_eq!(far.routes[0].status, RouteStatus::Prohibited);
    // The route set test goes out every T10 (30 s): pc_b() receives RST twice in 61 s.
    let received_before = pair.point_ref(Side::B).stats().management_received;
    pair.run_for(secs(61));
    assert_eq!(pair.point_ref(Side::B).stats().management_received - received_before, 2);
    let tfa =
        management_msu(PointCodeFormat::China24, pc_b(), pc_a(), SnmMessage::Tfa { destination: pc_far() });
    pair.point(Side::B).send_on_link(link(0, 0), &tfa).unwrap();
    pair.run_for(Duration::from_millis(50));
    let indications: Vec<Indication> = pair.take_indications(Side::A).into_iter().map(|(_, i)| i).collect();
    assert_eq!(indications, vec![Indication::Resume(pc_far())]);
    let received_before = pair.point_ref(Side::B).stats().management_received;
    pair.run_for(secs(61));
    assert_eq!(pair.point_ref(Side::B).stats().management_received - received_before, 0, "tests stopped");
    // TFR: the route is restricted but, being the only one, still used; RSR tests it.
    let tfr =
        management_msu(PointCodeFormat::China24, pc_b(), pc_a(), SnmMessage::Tfr { destination: pc_far() });
    pair.point(Side::B).send_on_link(link(0, 0), &tfr).unwrap();
    pair.run_for(Duration::from_millis(50));
    assert!(pair.take_indications(Side::A).is_empty(), "a restricted route keeps the destination accessible");
    assert!(pair.point_ref(Side::A).is_accessible(pc_far()));
    let snapshot = pair.point(Side::A).snapshot();
    let far = snapshot.destinations.iter().find(|d| d.pc == pc_far()).unwrap();
    assert_eq!(far.routes[0].status, RouteStatus::Restricted);
    let received_before = pair.point_ref(Side::B).stats().management_received;
    pair.run_for(secs(31));
    assert_eq!(pair.point_ref(Side::B).stats().management_received - received_before, 1, "one RSR");
    let tfa =
        management_msu(PointCodeFormat::China24, pc_b(), pc_a(), SnmMessage::Tfa { destination: pc_far() });
    pair.point(Side::B).send_on_link(link(0, 0), &tfa).unwrap();
    pair.run_for(Duration::from_millis(50));
    // TFC and UPU become MTP-STATUS.
    let tfc = management_msu(
        PointCodeFormat::China24,
        pc_b(),
        pc_a(),
        SnmMessage::Tfc { destination: pc_far(), status: 2 },
    );
    pair.point(Side::B).send_on_link(link(0, 0), &tfc).unwrap();
    pair.run_for(Duration::from_millis(50));
    let indications: Vec<Indication> = pair.take_indications(Side::A).into_iter().map(|(_, i)| i).collect();
    assert_eq!(
        indications,
        vec![Indication::Status { dpc: pc_far(), status: DestinationStatus::Congested { level: 2 } }]
    );
}

#[test]
fn a_message_for_an_absent_user_part_is_answered_with_upu() {
    let mut pair = up(1);
    pair.take_indications(Side::A);
    let mut message = isup(pc_a(), pc_b(), 3, 0);
    message.si = ServiceIndicator::Sccp;
    pair.transfer(Side::A, &message).unwrap();
    pair.run_for(Duration::from_millis(100));
    let indications: Vec<Indication> = pair.take_indications(Side::A).into_iter().map(|(_, i)| i).collect();
    assert_eq!(
        indications,
        vec![Indication::Status {
            dpc: pc_b(),
            status: DestinationStatus::UserPartUnavailable {
                si: ServiceIndicator::Sccp,
                cause: UnavailabilityCause::Unequipped
            }
        }]
    );
    assert_eq!(pair.point_ref(Side::B).stats().unequipped, 1);
    assert!(transfers(&pair.take_indications(Side::B)).is_empty());
}

#[test]
fn wrong_network_and_foreign_destinations_are_discarded_and_counted() {
    let mut pair = up(1);
    let mut wrong_ni = isup(pc_a(), pc_b(), 0, 0);
    wrong_ni.ni = NetworkIndicator::International;
    let mut body = [0u8; 300];
    body[0] = wrong_ni.sio().to_octet();
    let len = wrong_ni.emit_sif(PointCodeFormat::China24, &mut body[1..]).unwrap();
    pair.point(Side::A).send_on_link(link(0, 0), &body[..1 + len]).unwrap();
    let foreign = isup(pc_a(), pc_far(), 0, 0);
    body[0] = foreign.sio().to_octet();
    let len = foreign.emit_sif(PointCodeFormat::China24, &mut body[1..]).unwrap();
    pair.point(Side::A).send_on_link(link(0, 0), &body[..1 + len]).unwrap();
    pair.run_for(Duration::from_millis(100));
    let stats = pair.point_ref(Side::B).stats();
    assert_eq!((stats.wrong_network, stats.not_for_us, stats.messages_delivered), (1, 1, 0));
}

#[test]
fn a_user_that_stops_taking_indications_makes_the_links_busy_without_loss() {
    let mut pair = up(1);
    pair.polling[1] = false;
    let mut sent = 0u32;
    for _ in 0..200 {
        if pair.transfer(Side::A, &isup(pc_a(), pc_b(), 0, sent)).is_ok() {
            sent += 1;
        }
    }
    pair.run_for(Duration::from_millis(400));
    let busy = pair.point_ref(Side::A).mtp2(link(0, 0)).unwrap().unacknowledged();
    assert!(busy > 0, "pc_b() withholds acknowledgements while its queue is full");
    assert_eq!(pair.point_ref(Side::B).stats().dropped_indications, 0);
    pair.polling[1] = true;
    pair.run_for(Duration::from_millis(800));
    let received = transfers(&pair.take_indications(Side::B));
    assert_eq!(received.iter().map(sequence_of).collect::<Vec<_>>(), (0..sent).collect::<Vec<_>>());
    assert_eq!(sent, 200);
    assert_eq!(pair.point_ref(Side::A).link_state(link(0, 0)), Some(SignallingLinkState::Available));
}

#[test]
fn itu_points_with_14_bit_codes_work_the_same() {
    let a = PointCode::itu(2, 100, 1).unwrap();
    let b = PointCode::itu(2, 100, 2).unwrap();
    let mut pair =
        Pair::new(config(a, b, 2, PointCodeFormat::Itu14), config(b, a, 2, PointCodeFormat::Itu14)).unwrap();
    pair.start();
    assert!(pair.run_while_not(secs(5), |p| p.point_ref(Side::A).is_accessible(b)
        && p.point_ref(Side::B).is_accessible(a)));
    let message = isup(a, b, 9, 77);
    pair.transfer(Side::A, &message).unwrap();
    pair.run_for(Duration::from_millis(100));
    assert_eq!(transfers(&pair.take_indications(Side::B)), vec![message]);
}

#[test]
fn a_configuration_error_is_reported_by_new() {
    let mut bad = config(pc_a(), pc_b(), 1, PointCodeFormat::China24);
    bad.link_sets[0].links[0].slc = 20;
    assert_eq!(Mtp3::new(bad).err(), Some(ConfigError::SlcTooLarge { set: "adjacent".into(), slc: 20 }));
    let pair = Pair::new(
        config(pc_a(), pc_b(), 1, PointCodeFormat::China24),
        config(pc_b(), pc_a(), 2, PointCodeFormat::China24),
    );
    assert_eq!(pair.err(), Some(super::pair::PairError::ShapeMismatch));
}

#[test]
fn links_are_found_by_span_and_timeslot() {
    let point = Mtp3::new(config(pc_a(), pc_b(), 2, PointCodeFormat::China24)).unwrap();
    assert_eq!(point.find_link(1, 16), Some(link(0, 1)));
    assert_eq!(point.find_link(1, 15), None);
    assert_eq!(point.link_ids().collect::<Vec<_>>(), vec![link(0, 0), link(0, 1)]);
    assert_eq!(point.link_config(link(0, 1)).map(|c| c.slc), Some(1));
}

#[test]
fn the_link_test_repeats_every_slt_t2() {
    let mut pair = up(1);
    let received = |pair: &Pair| pair.point_ref(Side::A).mtp2(link(0, 0)).unwrap().stats().msus_received;
    let start = pair.now;
    let before = received(&pair);
    pair.run_until(start + secs(59));
    assert_eq!(received(&pair), before, "nothing between tests");
    pair.run_until(start + secs(61));
    // The far end's periodic SLTM and its SLTA to ours.
    assert_eq!(received(&pair), before + 2);
    assert_eq!(pair.point_ref(Side::A).link_state(link(0, 0)), Some(SignallingLinkState::Available));
}

#[test]
fn an_emergency_changeover_order_moves_traffic_without_buffer_updating() {
    let mut pair = up(2);
    pair.take_events(Side::A);
    for sequence in 0..32u32 {
        pair.transfer(Side::A, &isup(pc_a(), pc_b(), (sequence % 16) as u8, sequence)).unwrap();
    }
    pair.run_for(Duration::from_millis(300));
    // B orders an emergency changeover of link 0 (SLC 0 in the label) over link 1.
    let eco = management_msu_sls(PointCodeFormat::China24, pc_b(), pc_a(), 0, SnmMessage::Eco);
    pair.point(Side::B).send_on_link(link(0, 1), &eco).unwrap();
    pair.run_for(Duration::from_millis(100));
    let events: Vec<Mtp3Event> = pair.take_events(Side::A).into_iter().map(|(_, e)| e).collect();
    assert!(
        events
            .contains(&Mtp3Event::LinkUnavailable { link: link(0, 0), cause: LinkFailure::ChangeoverOrder })
    );
    assert!(events.iter().any(|e| matches!(e,
        Mtp3Event::ChangeoverComplete { link: l, buffer_updated: false, .. } if *l == link(0, 0))));
    // Traffic of every SLS now goes on link 1 and still arrives.
    for sls in 0..16u8 {
        assert_eq!(pair.point_ref(Side::A).link_for_sls(0, sls), Some(1));
    }
    let before = transfers(&pair.take_indications(Side::B)).len();
    assert_eq!(before, 32);
    pair.transfer(Side::A, &isup(pc_a(), pc_b(), 0, 1_000)).unwrap();
    pair.run_for(Duration::from_millis(100));
    assert_eq!(
        transfers(&pair.take_indications(Side::B)).iter().map(sequence_of).collect::<Vec<_>>(),
        vec![1_000]
    );
}

#[test]
fn a_deactivated_link_hands_its_traffic_over_and_stays_down_until_activated() {
    let mut pair = up(2);
    pair.take_events(Side::A);
    let now = pair.now;
    pair.point(Side::A).deactivate(now, link(0, 0));
    pair.run_for(secs(20));
    let events: Vec<Mtp3Event> = pair.take_events(Side::A).into_iter().map(|(_, e)| e).collect();
    assert!(
        events.contains(&Mtp3Event::LinkUnavailable { link: link(0, 0), cause: LinkFailure::Deactivated })
    );
    assert!(
        events.iter().any(|e| matches!(e, Mtp3Event::ChangeoverComplete { link: l, .. } if *l == link(0, 0)))
    );
    assert_eq!(pair.point_ref(Side::A).mtp2(link(0, 0)).unwrap().state(), mtp2::LinkState::OutOfService);
    assert!((0..16).all(|sls| pair.point_ref(Side::A).link_for_sls(0, sls) == Some(1)));
    pair.transfer(Side::A, &isup(pc_a(), pc_b(), 2, 7)).unwrap();
    pair.run_for(Duration::from_millis(100));
    assert_eq!(transfers(&pair.take_indications(Side::B)).len(), 1);
    let now = pair.now;
    pair.point(Side::A).activate(now, link(0, 0));
    assert!(pair.run_while_not(secs(15), |p| p.point_ref(Side::A).link_for_sls(0, 0) == Some(0)));
    assert_eq!(pair.point_ref(Side::A).link_state(link(0, 0)), Some(SignallingLinkState::Available));
}
