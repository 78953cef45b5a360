use super::*;

const NET_CMD: u8 = 0x02; // address octet 1: SAPI 0, C/R = 1 (network command / user response)
const NET_RSP: u8 = 0x00; // SAPI 0, C/R = 0 (network response / user command)

fn at(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn user() -> Link {
    Link::new(LinkConfig::new(Side::User))
}

fn drain(link: &mut Link, now: Instant) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    let mut buffer = [0u8; MAX_FRAME_LEN];
    while let Some(len) = link.poll_transmit(now, &mut buffer) {
        frames.push(buffer[..len].to_vec());
    }
    frames
}

fn events(link: &mut Link) -> Vec<LinkEvent> {
    core::iter::from_fn(|| link.poll_event()).collect()
}

/// A user link established by its own SABME at t = 0.
fn established_user() -> Link {
    let mut link = user();
    link.establish(at(0));
    assert_eq!(drain(&mut link, at(0)), vec![vec![0x00, 0x01, 0x7F]]);
    link.handle_frame(at(10), &[NET_RSP, 0x01, 0x73]);
    assert_eq!(events(&mut link), vec![LinkEvent::Established { requested: true, reset: false }]);
    link
}

fn network_i(ns: u8, nr: u8, p: bool, info: &[u8]) -> Vec<u8> {
    let mut frame = vec![NET_CMD, 0x01, ns << 1, nr << 1 | u8::from(p)];
    frame.extend_from_slice(info);
    frame
}

#[test]
fn timer_table_is_in_index_order() {
    assert!(TimerDefs::new(&LINK_TIMERS).is_in_index_order());
}

#[test]
fn user_establishes_with_sabme_and_ua() {
    let mut link = user();
    link.establish(at(0));
    assert_eq!(link.state(), LinkState::AwaitingEstablishment);
    assert_eq!(drain(&mut link, at(0)), vec![vec![0x00, 0x01, 0x7F]]);
    assert_eq!(link.poll_timeout(), Some(at(1000)));
    assert_eq!(link.handle_frame(at(10), &[NET_RSP, 0x01, 0x73]), Received::Nothing);
    assert_eq!(link.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(events(&mut link), vec![LinkEvent::Established { requested: true, reset: false }]);
    assert_eq!(link.poll_timeout(), Some(at(10_010)));
    assert_eq!(link.sequence_state(), (0, 0, 0));
}

#[test]
fn unanswered_sabme_is_sent_n200_plus_one_times_then_the_link_is_released() {
    let mut link = user();
    link.establish(at(0));
    let mut sabmes = drain(&mut link, at(0)).len();
    for second in 1..=3 {
        link.handle_timeout(at(second * 1000));
        let frames = drain(&mut link, at(second * 1000));
        assert_eq!(frames, vec![vec![0x00, 0x01, 0x7F]]);
        sabmes += frames.len();
        assert!(events(&mut link).is_empty());
    }
    link.handle_timeout(at(4000));
    assert_eq!(sabmes, 4);
    assert!(drain(&mut link, at(4000)).is_empty());
    assert_eq!(link.state(), LinkState::TeiAssigned);
    assert_eq!(
        events(&mut link),
        vec![LinkEvent::Error(MdlError::G), LinkEvent::Released { requested: false }]
    );
    assert_eq!(link.poll_timeout(), None);
}

#[test]
fn network_answers_a_users_sabme_with_ua_of_the_right_cr() {
    let mut network = Link::new(LinkConfig::new(Side::Network));
    network.handle_frame(at(0), &[0x00, 0x01, 0x7F]);
    assert_eq!(drain(&mut network, at(0)), vec![vec![0x00, 0x01, 0x73]]);
    assert_eq!(events(&mut network), vec![LinkEvent::Established { requested: false, reset: false }]);
    let mut link = user();
    link.handle_frame(at(0), &[NET_CMD, 0x01, 0x7F]);
    assert_eq!(drain(&mut link, at(0)), vec![vec![0x02, 0x01, 0x73]]);
}

#[test]
fn an_i_frame_is_sent_with_t200_and_acknowledged_by_rr() {
    let mut link = established_user();
    link.send(b"\x08\x02\x00\x01\x05").unwrap();
    assert_eq!(drain(&mut link, at(100)), vec![vec![0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01, 0x05]]);
    assert_eq!(link.poll_timeout(), Some(at(1100)));
    // RR response from the network, N(R) = 1.
    link.handle_frame(at(150), &[NET_RSP, 0x01, 0x01, 0x02]);
    assert_eq!(link.sequence_state(), (1, 1, 0));
    assert_eq!(link.queued(), 0);
    assert_eq!(link.poll_timeout(), Some(at(10_150)));
}

#[test]
fn the_window_holds_k_frames_until_acknowledged() {
    let mut link = established_user();
    for i in 0..9u8 {
        link.send(&[i]).unwrap();
    }
    let frames = drain(&mut link, at(100));
    assert_eq!(frames.len(), 7);
    assert_eq!(frames[6], vec![0x00, 0x01, 6 << 1, 0x00, 6]);
    link.handle_frame(at(200), &[NET_RSP, 0x01, 0x01, 3 << 1]);
    let frames = drain(&mut link, at(200));
    assert_eq!(frames, vec![vec![0x00, 0x01, 7 << 1, 0x00, 7], vec![0x00, 0x01, 8 << 1, 0x00, 8]]);
    // Acknowledging part of the outstanding frames restarts T200.
    assert_eq!(link.poll_timeout(), Some(at(1200)));
}

#[test]
fn an_in_sequence_i_frame_is_delivered_and_acknowledged_with_rr() {
    let mut link = established_user();
    let frame = network_i(0, 0, false, b"\x08\x02\x80\x01\x02");
    assert_eq!(link.handle_frame(at(50), &frame), Received::Data(b"\x08\x02\x80\x01\x02"));
    // RR response (user: C/R = 1), N(R) = 1, F = 0.
    assert_eq!(drain(&mut link, at(50)), vec![vec![0x02, 0x01, 0x01, 0x02]]);
}

#[test]
fn an_i_frame_with_p_set_is_answered_with_rr_f_set() {
    let mut link = established_user();
    link.handle_frame(at(50), &network_i(0, 0, true, b"x"));
    assert_eq!(drain(&mut link, at(50)), vec![vec![0x02, 0x01, 0x01, 0x03]]);
}

#[test]
fn an_acknowledgement_rides_on_an_outgoing_i_frame() {
    let mut link = established_user();
    link.handle_frame(at(50), &network_i(0, 0, false, b"x"));
    link.send(b"y").unwrap();
    assert_eq!(drain(&mut link, at(50)), vec![vec![0x00, 0x01, 0x00, 0x02, b'y']]);
}

#[test]
fn a_sequence_gap_sends_one_rej_until_the_gap_is_filled() {
    let mut link = established_user();
    assert_eq!(link.handle_frame(at(50), &network_i(1, 0, false, b"b")), Received::Nothing);
    assert_eq!(drain(&mut link, at(50)), vec![vec![0x02, 0x01, 0x09, 0x00]]);
    assert_eq!(link.handle_frame(at(60), &network_i(2, 0, false, b"c")), Received::Nothing);
    assert!(drain(&mut link, at(60)).is_empty());
    assert_eq!(link.handle_frame(at(70), &network_i(0, 0, false, b"a")), Received::Data(b"a"));
    assert_eq!(drain(&mut link, at(70)), vec![vec![0x02, 0x01, 0x01, 0x02]]);
}

#[test]
fn rej_makes_the_sender_go_back_to_n_r() {
    let mut link = established_user();
    for i in 0..3u8 {
        link.send(&[i]).unwrap();
    }
    assert_eq!(drain(&mut link, at(10)).len(), 3);
    // REJ response, N(R) = 1: frames 1 and 2 again.
    link.handle_frame(at(20), &[NET_RSP, 0x01, 0x09, 0x02]);
    let frames = drain(&mut link, at(20));
    assert_eq!(frames, vec![vec![0x00, 0x01, 0x02, 0x00, 1], vec![0x00, 0x01, 0x04, 0x00, 2]]);
    assert_eq!(link.stats().retransmissions, 2);
}

#[test]
fn t200_expiry_polls_with_rr_and_the_final_answer_resumes_with_retransmission() {
    let mut link = established_user();
    link.send(b"q").unwrap();
    drain(&mut link, at(0));
    link.handle_timeout(at(1000));
    assert_eq!(link.state(), LinkState::TimerRecovery);
    // RR command (user: C/R = 0), N(R) = 0, P = 1.
    assert_eq!(drain(&mut link, at(1000)), vec![vec![0x00, 0x01, 0x01, 0x01]]);
    // No I frames while in timer recovery.
    link.send(b"r").unwrap();
    assert!(drain(&mut link, at(1000)).is_empty());
    // RR response F = 1 with N(R) = 0: the frame was lost, send it again, then the next.
    link.handle_frame(at(1010), &[NET_RSP, 0x01, 0x01, 0x01]);
    assert_eq!(link.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(
        drain(&mut link, at(1010)),
        vec![vec![0x00, 0x01, 0x00, 0x00, b'q'], vec![0x00, 0x01, 0x02, 0x00, b'r']]
    );
}

#[test]
fn n200_unanswered_enquiries_lead_to_reestablishment() {
    let mut link = established_user();
    link.send(b"q").unwrap();
    drain(&mut link, at(0));
    for second in 1..=3 {
        link.handle_timeout(at(second * 1000));
        assert_eq!(drain(&mut link, at(second * 1000)), vec![vec![0x00, 0x01, 0x01, 0x01]]);
    }
    link.handle_timeout(at(4000));
    assert_eq!(events(&mut link), vec![LinkEvent::Error(MdlError::I)]);
    assert_eq!(drain(&mut link, at(4000)), vec![vec![0x00, 0x01, 0x7F]]);
    assert_eq!(link.state(), LinkState::AwaitingEstablishment);
    // The UA ends the re-establishment; the unacknowledged frame is discarded and reported.
    link.handle_frame(at(4010), &[NET_RSP, 0x01, 0x73]);
    assert_eq!(events(&mut link), vec![LinkEvent::Established { requested: false, reset: true }]);
    assert_eq!(link.queued(), 0);
}

#[test]
fn t203_expiry_polls_an_idle_link() {
    let mut link = established_user();
    assert_eq!(link.poll_timeout(), Some(at(10_010)));
    link.handle_timeout(at(10_010));
    assert_eq!(drain(&mut link, at(10_010)), vec![vec![0x00, 0x01, 0x01, 0x01]]);
    assert_eq!(link.state(), LinkState::TimerRecovery);
    assert_eq!(link.poll_timeout(), Some(at(11_010)));
    link.handle_frame(at(10_020), &[NET_RSP, 0x01, 0x01, 0x01]);
    assert_eq!(link.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(link.poll_timeout(), Some(at(20_020)));
}

#[test]
fn a_busy_peer_gets_no_i_frames_until_it_is_ready() {
    let mut link = established_user();
    // RNR command with P = 1: answer RR F = 1 and stop sending.
    link.handle_frame(at(10), &[NET_CMD, 0x01, 0x05, 0x01]);
    assert!(link.peer_busy());
    assert_eq!(drain(&mut link, at(10)), vec![vec![0x02, 0x01, 0x01, 0x01]]);
    link.send(b"w").unwrap();
    assert!(drain(&mut link, at(20)).is_empty());
    assert_eq!(link.poll_timeout(), Some(at(1010)));
    link.handle_frame(at(30), &[NET_RSP, 0x01, 0x01, 0x00]);
    assert!(!link.peer_busy());
    assert_eq!(drain(&mut link, at(30)), vec![vec![0x00, 0x01, 0x00, 0x00, b'w']]);
}

#[test]
fn own_receiver_busy_sends_rnr_and_withholds_data() {
    let mut link = established_user();
    link.set_receiver_busy(true);
    assert_eq!(drain(&mut link, at(10)), vec![vec![0x02, 0x01, 0x05, 0x00]]);
    assert_eq!(link.handle_frame(at(20), &network_i(0, 0, true, b"x")), Received::Nothing);
    assert_eq!(drain(&mut link, at(20)), vec![vec![0x02, 0x01, 0x05, 0x01]]);
    link.set_receiver_busy(false);
    assert_eq!(drain(&mut link, at(30)), vec![vec![0x02, 0x01, 0x01, 0x00]]);
    assert_eq!(link.handle_frame(at(40), &network_i(0, 0, false, b"x")), Received::Data(b"x"));
}

#[test]
fn disc_from_the_peer_releases_with_ua() {
    let mut link = established_user();
    link.send(b"lost").unwrap();
    link.handle_frame(at(10), &[NET_CMD, 0x01, 0x53]);
    assert_eq!(drain(&mut link, at(10)), vec![vec![0x02, 0x01, 0x73]]);
    assert_eq!(events(&mut link), vec![LinkEvent::Released { requested: false }]);
    assert_eq!(link.state(), LinkState::TeiAssigned);
    assert_eq!(link.queued(), 0);
    assert_eq!(link.poll_timeout(), None);
    assert_eq!(link.send(b"x"), Err(SendError::NotEstablished));
}

#[test]
fn release_sends_disc_and_ua_confirms() {
    let mut link = established_user();
    link.release(at(10));
    assert_eq!(drain(&mut link, at(10)), vec![vec![0x00, 0x01, 0x53]]);
    link.handle_frame(at(20), &[NET_RSP, 0x01, 0x73]);
    assert_eq!(events(&mut link), vec![LinkEvent::Released { requested: true }]);
    assert_eq!(link.state(), LinkState::TeiAssigned);
}

#[test]
fn an_unanswered_disc_is_repeated_n200_times_then_release_is_confirmed() {
    let mut link = established_user();
    link.release(at(0));
    drain(&mut link, at(0));
    for second in 1..=3 {
        link.handle_timeout(at(second * 1000));
        assert_eq!(drain(&mut link, at(second * 1000)), vec![vec![0x00, 0x01, 0x53]]);
    }
    link.handle_timeout(at(4000));
    assert_eq!(
        events(&mut link),
        vec![LinkEvent::Error(MdlError::H), LinkEvent::Released { requested: true }]
    );
}

#[test]
fn an_invalid_n_r_reestablishes_the_link() {
    let mut link = established_user();
    link.handle_frame(at(10), &[NET_RSP, 0x01, 0x01, 5 << 1]);
    assert_eq!(events(&mut link), vec![LinkEvent::Error(MdlError::J)]);
    assert_eq!(drain(&mut link, at(10)), vec![vec![0x00, 0x01, 0x7F]]);
}

#[test]
fn frame_rejection_conditions_reestablish_and_foreign_addresses_are_ignored() {
    let mut link = established_user();
    link.handle_frame(at(10), &[NET_CMD, 0x01, 0x0D, 0x00]);
    assert_eq!(events(&mut link), vec![LinkEvent::Error(MdlError::L)]);
    assert_eq!(link.state(), LinkState::AwaitingEstablishment);
    let mut link = established_user();
    link.handle_frame(at(10), &[NET_CMD, 0x01, 0x01, 0x00, 0x99]);
    assert_eq!(events(&mut link), vec![LinkEvent::Error(MdlError::N)]);
    let mut link = established_user();
    // SAPI 16 and TEI 5 are not this link's.
    link.handle_frame(at(10), &[0x42, 0x01, 0x0D, 0x00]);
    link.handle_frame(at(10), &[NET_CMD, 0x0B, 0x53]);
    assert!(events(&mut link).is_empty());
    assert_eq!(link.state(), LinkState::MultipleFrameEstablished);
    assert_eq!(link.stats().bad_frames, 0);
}

#[test]
fn dm_while_established_asks_for_reestablishment() {
    let mut link = established_user();
    link.handle_frame(at(10), &[NET_RSP, 0x01, 0x0F]);
    assert_eq!(events(&mut link), vec![LinkEvent::Error(MdlError::E)]);
    assert_eq!(drain(&mut link, at(10)), vec![vec![0x00, 0x01, 0x7F]]);
    // The DM F = 1 answering a SABME releases.
    link.handle_frame(at(20), &[NET_RSP, 0x01, 0x1F]);
    assert_eq!(events(&mut link), vec![LinkEvent::Released { requested: false }]);
}

#[test]
fn sabme_while_established_resets_and_reports_lost_frames() {
    let mut link = established_user();
    link.send(b"a").unwrap();
    drain(&mut link, at(10));
    link.handle_frame(at(20), &[NET_CMD, 0x01, 0x7F]);
    assert_eq!(drain(&mut link, at(20)), vec![vec![0x02, 0x01, 0x73]]);
    assert_eq!(
        events(&mut link),
        vec![LinkEvent::Error(MdlError::F), LinkEvent::Established { requested: false, reset: true }]
    );
    assert_eq!(link.sequence_state(), (0, 0, 0));
}

#[test]
fn frames_before_establishment_get_dm_when_they_poll() {
    let mut link = user();
    assert_eq!(link.handle_frame(at(0), &network_i(0, 0, true, b"x")), Received::Nothing);
    assert_eq!(drain(&mut link, at(0)), vec![vec![0x02, 0x01, 0x1F]]);
    link.handle_frame(at(0), &[NET_CMD, 0x01, 0x53]);
    assert_eq!(drain(&mut link, at(0)), vec![vec![0x02, 0x01, 0x1F]]);
    // A DM F = 0 asks this side to establish.
    link.handle_frame(at(0), &[NET_RSP, 0x01, 0x0F]);
    assert_eq!(drain(&mut link, at(0)), vec![vec![0x00, 0x01, 0x7F]]);
}

#[test]
fn sequence_numbers_wrap_from_127_to_0() {
    let mut link = established_user();
    for round in 0..130u32 {
        let now = at(u64::from(round) + 100);
        link.send(&[round as u8]).unwrap();
        let frames = drain(&mut link, now);
        let ns = (round % 128) as u8;
        assert_eq!(frames, vec![vec![0x00, 0x01, ns << 1, 0x00, round as u8]]);
        link.handle_frame(now, &[NET_RSP, 0x01, 0x01, ((ns + 1) % 128) << 1]);
    }
    assert_eq!(link.sequence_state(), (2, 2, 0));
    assert!(events(&mut link).is_empty());
}

#[test]
fn send_refuses_oversized_data_and_a_full_queue() {
    let mut config = LinkConfig::new(Side::User);
    config.queue_capacity = 2;
    let mut link = Link::new(config);
    assert_eq!(link.send(b"x"), Err(SendError::NotEstablished));
    link.establish(at(0));
    assert_eq!(link.send(&[0; N201 + 1]), Err(SendError::TooLong { len: N201 + 1 }));
    assert_eq!(link.send(&[0; N201]), Ok(()));
    assert_eq!(link.send(b"b"), Ok(()));
    assert_eq!(link.send(b"c"), Err(SendError::QueueFull));
}

#[test]
fn unit_data_goes_out_as_ui_commands_in_any_state_without_sequence_numbers() {
    let mut link = user();
    // Not established: UI still goes (a primary rate TEI is always assigned).
    link.send_unit_data(b"\x08\x00\x75").unwrap();
    assert_eq!(drain(&mut link, at(0)), vec![vec![0x00, 0x01, 0x03, 0x08, 0x00, 0x75]]);
    assert_eq!(link.sequence_state(), (0, 0, 0));
    assert_eq!(link.poll_timeout(), None, "nothing waits for an acknowledgement");
    // The network side sends its UI commands with C/R = 1.
    let mut network = Link::new(LinkConfig::new(Side::Network));
    network.send_unit_data(b"a").unwrap();
    assert_eq!(drain(&mut network, at(0)), vec![vec![0x02, 0x01, 0x03, b'a']]);
    // Four wait at most; longer than N201 is refused.
    for _ in 0..4 {
        link.send_unit_data(b"u").unwrap();
    }
    assert_eq!(link.send_unit_data(b"u"), Err(SendError::QueueFull));
    assert_eq!(link.send_unit_data(&[0; N201 + 1]), Err(SendError::TooLong { len: N201 + 1 }));
    assert!(link.has_output());
    assert_eq!(drain(&mut link, at(0)).len(), 4);
    assert!(!link.has_output());
}

#[test]
fn ui_frames_queued_with_i_frames_leave_first_and_i_frames_keep_their_numbers() {
    let mut link = established_user();
    link.send(b"i0").unwrap();
    link.send_unit_data(b"ui").unwrap();
    assert_eq!(
        drain(&mut link, at(20)),
        vec![vec![0x00, 0x01, 0x03, b'u', b'i'], vec![0x00, 0x01, 0x00, 0x00, b'i', b'0']]
    );
    assert_eq!(link.sequence_state(), (1, 0, 0));
}

#[test]
fn send_with_encodes_in_place_and_refuses_what_does_not_fit() {
    let mut config = LinkConfig::new(Side::User);
    config.queue_capacity = 1;
    let mut link = Link::new(config);
    assert_eq!(link.send_with(|_| Some(1)), Err(SendError::NotEstablished));
    link.establish(at(0));
    assert_eq!(drain(&mut link, at(0)), vec![vec![0x00, 0x01, 0x7F]]);
    assert_eq!(link.send_with(|_| None), Err(SendError::TooLong { len: N201 }));
    assert_eq!(link.queued(), 0);
    let encoded = link.send_with(|buffer| {
        assert_eq!(buffer.len(), N201);
        buffer[..2].copy_from_slice(b"ok");
        Some(2)
    });
    assert_eq!(encoded, Ok(()));
    assert_eq!(link.send_with(|_| Some(1)), Err(SendError::QueueFull));
    link.handle_frame(at(1), &[NET_RSP, 0x01, 0x73]);
    assert_eq!(drain(&mut link, at(1)), vec![vec![0x00, 0x01, 0x00, 0x00, b'o', b'k']]);
}

#[test]
fn the_user_answers_a_tei_identity_check_for_its_tei() {
    let mut link = user();
    // UI on SAPI 63, group TEI, from the network: identity check request, Ri 0x1234, Ai 0.
    link.handle_frame(at(0), &[0xFE, 0xFF, 0x03, 0x0F, 0x12, 0x34, 0x04, 0x01]);
    assert_eq!(drain(&mut link, at(0)), vec![vec![0xFC, 0xFF, 0x03, 0x0F, 0x12, 0x34, 0x05, 0x01]]);
    // Other management messages are reported.
    link.handle_frame(at(0), &[0xFE, 0xFF, 0x03, 0x0F, 0x00, 0x01, 0x06, 0x01]);
    assert_eq!(
        events(&mut link),
        vec![LinkEvent::Management(TeiMessage {
            reference: 1,
            message_type: TeiMessageType::IdentityRemove,
            action: 0
        })]
    );
}

#[test]
fn ui_frames_deliver_unit_data() {
    let mut link = established_user();
    assert_eq!(
        link.handle_frame(at(0), &[NET_CMD, 0xFF, 0x03, 0x08, 0x00]),
        Received::UnitData(&[0x08, 0x00])
    );
}

proptest::proptest! {
    #[test]
    fn arbitrary_frames_never_panic_an_established_link(frames: Vec<Vec<u8>>) {
        let mut link = established_user();
        let mut now = at(100);
        for frame in &frames {
            now += Duration::from_millis(300);
            link.handle_timeout(now);
            link.handle_frame(now, frame);
            let _ = link.send(frame);
            drain(&mut link, now);
            events(&mut link);
            let (vs, va, vr) = link.sequence_state();
            proptest::prop_assert!(vs < 128 && va < 128 && vr < 128);
        }
    }
}
