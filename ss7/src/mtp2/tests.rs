//! Level 2 state and timer tests: every state of link state control and initial alignment,
//! every timer's expiry at its exact deadline, the error rate monitors at their thresholds,
//! error correction over a lossy line, flow control, processor outage and retrieval.

use super::line::line_bits;
use super::su::{LssuStatus, MAX_SU_LEN, SignalUnit};
use super::*;
use tdm_base::{Duration, Instant};

const SIO: LssuStatus = LssuStatus::OutOfAlignment;
const SIN: LssuStatus = LssuStatus::NormalAlignment;
const SIE: LssuStatus = LssuStatus::EmergencyAlignment;
const SIOS: LssuStatus = LssuStatus::OutOfService;
const SIPO: LssuStatus = LssuStatus::ProcessorOutage;
const SIB: LssuStatus = LssuStatus::Busy;

fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

fn at(millis: u64) -> Instant {
    Instant::from_millis(millis)
}

fn lssu(status: LssuStatus) -> [u8; 4] {
    [0xFF, 0xFF, 0x01, status.code()]
}

fn fisu(bsn: u8, bib: bool, fsn: u8, fib: bool) -> [u8; 3] {
    [bsn | u8::from(bib) << 7, fsn | u8::from(fib) << 7, 0]
}

fn msu(bsn: u8, bib: bool, fsn: u8, fib: bool, body: &[u8]) -> Vec<u8> {
    let mut su = vec![bsn | u8::from(bib) << 7, fsn | u8::from(fib) << 7, body.len().min(63) as u8];
    su.extend_from_slice(body);
    su
}

fn sent(link: &mut Link, now: Instant) -> Vec<u8> {
    let mut out = [0u8; MAX_SU_LEN];
    let len = link.poll_transmit(now, &mut out);
    out[..len].to_vec()
}

fn sent_status(link: &mut Link, now: Instant) -> Option<LssuStatus> {
    let su = sent(link, now);
    SignalUnit::new_checked(&su[..]).ok().and_then(|view| view.status())
}

fn events(link: &mut Link) -> Vec<Mtp2Event> {
    core::iter::from_fn(|| link.poll_event()).collect()
}

/// A link taken through alignment by hand to in service at 10 s (normal proving).
fn in_service_link(config: LinkConfig) -> Link {
    let mut link = Link::new(config);
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIO));
    link.handle_su(at(2), &lssu(SIN));
    // Keep frames arriving through proving so octet counting stays quiet.
    let mut t = 2;
    while link.state() == LinkState::Proving {
        t += 10;
        link.handle_timeout(at(t));
        link.handle_su(at(t), &lssu(SIN));
    }
    assert_eq!(link.state(), LinkState::AlignedReady);
    link.handle_su(at(t), &fisu(127, true, 127, true));
    assert_eq!(link.state(), LinkState::InService);
    assert_eq!(events(&mut link), vec![Mtp2Event::InService]);
    link
}

const MSU_BODY: [u8; 6] = [0x85, 1, 2, 3, 4, 5];

// ------------------------------------------------------------------------------------------
// States and timers of alignment
// ------------------------------------------------------------------------------------------

#[test]
fn a_new_link_is_out_of_service_and_sends_sios() {
    let mut link = Link::new(LinkConfig::new());
    assert_eq!(link.state(), LinkState::OutOfService);
    assert_eq!(sent(&mut link, at(0)), vec![0xFF, 0xFF, 0x01, 0x03]);
    assert_eq!(link.poll_timeout(), None);
    // Anything received out of service changes nothing.
    link.handle_su(at(1), &lssu(SIO));
    link.handle_su(at(1), &fisu(0, true, 0, true));
    assert_eq!(link.state(), LinkState::OutOfService);
    assert_eq!(link.send(&MSU_BODY), Err(SendError::NotInService));
    assert_eq!(link.poll_transmit(at(0), &mut [0u8; MAX_SU_LEN - 1]), 0, "too small a buffer");
}

#[test]
fn not_aligned_sends_sio_and_gives_up_at_t2() {
    let mut link = Link::new(LinkConfig::new());
    link.start(at(1000));
    assert_eq!(link.state(), LinkState::NotAligned);
    assert_eq!(sent_status(&mut link, at(1000)), Some(SIO));
    assert_eq!(link.timer(Mtp2Timer::T2), Some(at(6000)));
    // SIOS from a far end not yet started is no reason to stop.
    link.handle_su(at(2000), &lssu(SIOS));
    link.handle_timeout(at(5999));
    assert_eq!(link.state(), LinkState::NotAligned);
    link.handle_timeout(at(6000));
    assert_eq!(link.state(), LinkState::OutOfService);
    assert_eq!(
        events(&mut link),
        vec![Mtp2Event::OutOfService(FailureReason::AlignmentNotPossible(AlignmentFailure::T2Expired))]
    );
    assert_eq!(sent_status(&mut link, at(6000)), Some(SIOS));
    assert_eq!(link.stats().alignments, 1);
}

#[test]
fn aligned_sends_sin_or_sie_and_gives_up_at_t3() {
    let mut link = Link::new(LinkConfig::new());
    link.start(at(0));
    link.handle_su(at(100), &lssu(SIO));
    assert_eq!(link.state(), LinkState::Aligned);
    assert_eq!(link.timer(Mtp2Timer::T2), None);
    assert_eq!(link.timer(Mtp2Timer::T3), Some(at(1100)));
    assert_eq!(sent_status(&mut link, at(100)), Some(SIN));
    link.set_emergency(at(200), true);
    assert_eq!(sent_status(&mut link, at(200)), Some(SIE));
    // SIO repeated changes nothing.
    link.handle_su(at(300), &lssu(SIO));
    link.handle_timeout(at(1099));
    assert_eq!(link.state(), LinkState::Aligned);
    link.handle_timeout(at(1100));
    assert_eq!(
        events(&mut link),
        vec![Mtp2Event::OutOfService(FailureReason::AlignmentNotPossible(AlignmentFailure::T3Expired))]
    );
}

#[test]
fn sios_while_aligned_or_proving_makes_alignment_impossible() {
    for proving in [false, true] {
        let mut link = Link::new(LinkConfig::new());
        link.start(at(0));
        link.handle_su(at(1), &lssu(SIN));
        if proving {
            link.handle_su(at(2), &lssu(SIN));
            assert_eq!(link.state(), LinkState::Proving);
        }
        link.handle_su(at(3), &lssu(SIOS));
        assert_eq!(link.state(), LinkState::OutOfService);
        assert_eq!(
            events(&mut link),
            vec![Mtp2Event::OutOfService(FailureReason::AlignmentNotPossible(
                AlignmentFailure::FarEndOutOfService
            ))]
        );
    }
}

#[test]
fn normal_proving_lasts_t4n_then_t1_waits_for_the_far_end() {
    let mut link = Link::new(LinkConfig::new());
    link.start(at(0));
    link.handle_su(at(10), &lssu(SIO));
    link.handle_su(at(20), &lssu(SIN));
    assert_eq!(link.state(), LinkState::Proving);
    assert_eq!(link.timer(Mtp2Timer::T3), None);
    assert_eq!(link.timer(Mtp2Timer::T4Normal), Some(at(20) + ms(8192)));
    assert_eq!(link.timer(Mtp2Timer::T4Emergency), None);
    assert_eq!(sent_status(&mut link, at(20)), Some(SIN));
    let mut t = 20;
    while t + 10 < 8212 {
        t += 10;
        link.handle_timeout(at(t));
        link.handle_su(at(t), &lssu(SIN));
    }
    assert_eq!(link.state(), LinkState::Proving, "still proving at {t} ms");
    link.handle_timeout(at(8212));
    assert_eq!(link.state(), LinkState::AlignedReady);
    assert_eq!(link.timer(Mtp2Timer::T1), Some(at(8212 + 45_000)));
    assert_eq!(sent(&mut link, at(8212)), fisu(127, true, 127, true).to_vec());
    // SIN from a far end still proving changes nothing; T1 then runs out.
    for t in (8222..53_212).step_by(20) {
        link.handle_timeout(at(t));
        link.handle_su(at(t), &lssu(SIN));
    }
    assert_eq!(link.state(), LinkState::AlignedReady);
    link.handle_timeout(at(53_212));
    assert_eq!(link.state(), LinkState::OutOfService);
    assert_eq!(events(&mut link), vec![Mtp2Event::OutOfService(FailureReason::T1Expired)]);
}

#[test]
fn emergency_proving_lasts_t4e_whether_asked_locally_or_by_sie() {
    // The far end asks for emergency.
    let mut link = Link::new(LinkConfig::new());
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIE));
    link.handle_su(at(2), &lssu(SIE));
    assert_eq!(link.timer(Mtp2Timer::T4Emergency), Some(at(2) + ms(512)));
    assert_eq!(sent_status(&mut link, at(2)), Some(SIN), "our own status stays normal");
    // Local emergency before alignment.
    let mut link = Link::new(LinkConfig::new());
    link.set_emergency(at(0), true);
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIN));
    link.handle_su(at(2), &lssu(SIN));
    assert_eq!(link.timer(Mtp2Timer::T4Emergency), Some(at(2) + ms(512)));
    assert_eq!(sent_status(&mut link, at(2)), Some(SIE));
    // SIE arriving during normal proving switches to the emergency period from then on.
    let mut link = Link::new(LinkConfig::new());
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIN));
    link.handle_su(at(2), &lssu(SIN));
    assert!(link.timer(Mtp2Timer::T4Normal).is_some());
    link.handle_su(at(300), &lssu(SIE));
    assert_eq!(link.timer(Mtp2Timer::T4Normal), None);
    assert_eq!(link.timer(Mtp2Timer::T4Emergency), Some(at(812)));
    link.handle_su(at(600), &lssu(SIE));
    link.handle_timeout(at(812));
    assert_eq!(link.state(), LinkState::AlignedReady);
}

#[test]
fn sio_during_proving_goes_back_to_aligned() {
    let mut link = Link::new(LinkConfig::new());
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIN));
    link.handle_su(at(2), &lssu(SIN));
    link.handle_su(at(500), &lssu(SIO));
    assert_eq!(link.state(), LinkState::Aligned);
    assert_eq!(link.timer(Mtp2Timer::T4Normal), None);
    assert_eq!(link.timer(Mtp2Timer::T3), Some(at(1500)));
}

#[test]
fn four_errors_abort_normal_proving_which_is_retried_after_t4() {
    let mut link = Link::new(LinkConfig::new());
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIN));
    link.handle_su(at(2), &lssu(SIN));
    for t in [100, 101, 102] {
        link.handle_su_error(at(t));
    }
    assert_eq!((link.error_count(), link.stats().proving_aborts), (3, 0));
    link.handle_su_error(at(103));
    assert_eq!(link.stats().proving_aborts, 1, "Tin = 4 errors abort proving");
    assert_eq!(link.state(), LinkState::Proving);
    // The aborted period runs out, then proving starts over with a clean AERM.
    link.handle_timeout(at(2 + 8192));
    assert_eq!(link.state(), LinkState::Proving);
    assert_eq!(link.error_count(), 0);
    assert_eq!(link.timer(Mtp2Timer::T4Normal), Some(at(2 + 2 * 8192)));
    let mut t = 2 + 8192;
    while t + 10 < 2 + 2 * 8192 {
        t += 10;
        link.handle_timeout(at(t));
        link.handle_su(at(t), &lssu(SIN));
    }
    link.handle_timeout(at(2 + 2 * 8192));
    assert_eq!(link.state(), LinkState::AlignedReady, "the retried proving succeeded");
    assert!(events(&mut link).is_empty());
}

#[test]
fn one_error_aborts_emergency_proving_and_the_fifth_abort_ends_alignment() {
    let mut link = Link::new(LinkConfig::new());
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIE));
    link.handle_su(at(2), &lssu(SIE));
    let mut period_start = 2;
    for attempt in 1..=5 {
        link.handle_su_error(at(period_start + 50));
        assert_eq!(link.stats().proving_aborts, attempt, "Tie = 1 error aborts");
        if attempt < 5 {
            assert_eq!(link.state(), LinkState::Proving);
            link.handle_timeout(at(period_start + 512));
            period_start += 512;
        }
    }
    assert_eq!(link.state(), LinkState::OutOfService);
    assert_eq!(
        events(&mut link),
        vec![Mtp2Event::OutOfService(FailureReason::AlignmentNotPossible(AlignmentFailure::ProvingFailed))]
    );
}

#[test]
fn silence_while_proving_counts_as_octet_counting_errors() {
    // 279 octets (34.875 ms) without a frame: the first error; then one per 16 octets (2 ms).
    // Four errors abort normal proving at 34.875 + 3 × 2 = 40.875 ms after the last frame.
    let mut link = Link::new(LinkConfig::new());
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIN));
    link.handle_su(at(2), &lssu(SIN));
    link.handle_timeout(Instant::from_micros(2_000 + 40_874));
    assert_eq!((link.error_count(), link.stats().proving_aborts), (3, 0));
    link.handle_timeout(Instant::from_micros(2_000 + 40_875));
    assert_eq!(link.stats().proving_aborts, 1);
}

// ------------------------------------------------------------------------------------------
// In service: monitors, error correction, timers T5 T6 T7
// ------------------------------------------------------------------------------------------

#[test]
fn the_suerm_declares_failure_at_64_errors_and_forgives_one_per_256_units() {
    let mut link = in_service_link(LinkConfig::new());
    let t = at(20_000);
    for _ in 0..63 {
        link.handle_su_error(t);
    }
    assert_eq!((link.state(), link.error_count()), (LinkState::InService, 63));
    // 256 units received (the 63 errors count toward them too): one error is forgiven.
    for _ in 0..(256 - 63) {
        link.handle_su(t, &fisu(127, true, 127, true));
    }
    assert_eq!(link.error_count(), 62);
    link.handle_su_error(t);
    assert_eq!((link.state(), link.error_count()), (LinkState::InService, 63));
    link.handle_su_error(t);
    assert_eq!(link.state(), LinkState::OutOfService);
    assert_eq!(events(&mut link), vec![Mtp2Event::OutOfService(FailureReason::ErrorRate)]);
    assert_eq!(link.stats().failures, 1);
    assert_eq!(sent_status(&mut link, t), Some(SIOS));
}

#[test]
fn a_silent_line_fails_an_in_service_link_161_ms_after_the_last_frame() {
    let mut link = in_service_link(LinkConfig::new());
    let last = Instant::from_millis(30_000);
    link.handle_su(last, &fisu(127, true, 127, true));
    // Errors at 34.875 ms, then every 2 ms: the 64th at 34.875 + 126 = 160.875 ms.
    link.handle_timeout(last + Duration::from_micros(160_874));
    assert_eq!((link.state(), link.error_count()), (LinkState::InService, 63));
    assert_eq!(link.poll_timeout(), Some(last + Duration::from_micros(160_875)));
    link.handle_timeout(last + Duration::from_micros(160_875));
    assert_eq!(events(&mut link), vec![Mtp2Event::OutOfService(FailureReason::ErrorRate)]);
}

#[test]
fn msus_are_numbered_acknowledged_and_t7_supervises_them() {
    let mut link = in_service_link(LinkConfig::new());
    let t = at(20_000);
    link.send(&MSU_BODY).unwrap();
    link.send(&MSU_BODY).unwrap();
    let first = sent(&mut link, t);
    assert_eq!(first, msu(127, true, 0, true, &MSU_BODY));
    assert_eq!(link.timer(Mtp2Timer::T7), Some(t + ms(1000)));
    let second = sent(&mut link, at(20_001));
    assert_eq!(second[1], 0x81, "FSN 1, FIB 1");
    assert_eq!(sent(&mut link, at(20_002)), fisu(127, true, 1, true).to_vec(), "FISUs repeat the last FSN");
    assert_eq!(link.unacknowledged(), 2);
    // FSN 0 acknowledged: T7 restarts for FSN 1.
    link.handle_su(at(20_300), &fisu(0, true, 127, true));
    assert_eq!(link.unacknowledged(), 1);
    assert_eq!(link.timer(Mtp2Timer::T7), Some(at(21_300)));
    link.handle_su(at(20_400), &fisu(1, true, 127, true));
    assert_eq!((link.unacknowledged(), link.timer(Mtp2Timer::T7)), (0, None));
    // An MSU left unacknowledged for T7 fails the link.
    link.send(&MSU_BODY).unwrap();
    sent(&mut link, at(20_500));
    for t in (20_510..21_500).step_by(10) {
        link.handle_su(at(t), &fisu(1, true, 127, true));
        link.handle_timeout(at(t));
    }
    assert_eq!(link.state(), LinkState::InService);
    link.handle_timeout(at(21_500));
    assert_eq!(events(&mut link), vec![Mtp2Event::OutOfService(FailureReason::T7Expired)]);
}

#[test]
fn received_msus_are_accepted_in_sequence_and_a_gap_is_negatively_acknowledged() {
    let mut link = in_service_link(LinkConfig::new());
    let t = at(20_000);
    assert_eq!(link.handle_su(t, &msu(127, true, 0, true, &MSU_BODY)), Some(&MSU_BODY[..]));
    assert_eq!(link.bsnt(), 0);
    assert_eq!(sent(&mut link, t), fisu(0, true, 127, true).to_vec(), "positive acknowledgement");
    // A duplicate is dropped silently.
    assert_eq!(link.handle_su(t, &msu(127, true, 0, true, &MSU_BODY)), None);
    assert_eq!(sent(&mut link, t), fisu(0, true, 127, true).to_vec());
    // FSN 2 while 1 was expected: negative acknowledgement (BIB inverted).
    assert_eq!(link.handle_su(t, &msu(127, true, 2, true, &MSU_BODY)), None);
    assert_eq!(sent(&mut link, t), fisu(0, false, 127, true).to_vec());
    assert_eq!(link.stats().nacks_sent, 1);
    // Until the far end inverts its FIB, everything is discarded without a second request.
    assert_eq!(link.handle_su(t, &msu(127, true, 3, true, &MSU_BODY)), None);
    link.handle_su(t, &fisu(127, true, 3, true));
    assert_eq!(link.stats().nacks_sent, 1);
    // The retransmission arrives with FIB inverted.
    assert_eq!(link.handle_su(t, &msu(127, true, 1, false, &[0x85, 9, 9])), Some(&[0x85u8, 9, 9][..]));
    assert_eq!(link.handle_su(t, &msu(127, true, 2, false, &MSU_BODY)), Some(&MSU_BODY[..]));
    assert_eq!(link.bsnt(), 2);
    assert_eq!(link.stats().msus_received, 3);
    // A FISU whose FSN is ahead of the last accepted MSU reveals a lost MSU too.
    link.handle_su(t, &fisu(127, true, 3, false));
    assert_eq!(link.stats().nacks_sent, 2);
    assert_eq!(link.state(), LinkState::InService);
}

#[test]
fn a_negative_acknowledgement_retransmits_everything_unacknowledged_with_fib_inverted() {
    let mut link = in_service_link(LinkConfig::new());
    let t = at(20_000);
    for i in 0..3u8 {
        link.send(&[0x85, i, i]).unwrap();
        sent(&mut link, t);
    }
    // The far end accepted FSN 0 and asks for the rest (BIB inverted).
    link.handle_su(t, &fisu(0, false, 127, true));
    assert_eq!(link.stats().nacks_received, 1);
    assert_eq!(sent(&mut link, t), msu(127, true, 1, false, &[0x85, 1, 1]));
    assert_eq!(sent(&mut link, t), msu(127, true, 2, false, &[0x85, 2, 2]));
    assert_eq!(sent(&mut link, t), fisu(127, true, 2, false).to_vec());
    assert_eq!(link.stats().retransmissions, 2);
}

#[test]
fn two_abnormal_bsns_in_three_fail_the_link_one_is_tolerated() {
    let mut link = in_service_link(LinkConfig::new());
    let t = at(20_000);
    link.handle_su(t, &fisu(50, true, 127, true));
    link.handle_su(t, &fisu(127, true, 127, true));
    link.handle_su(t, &fisu(127, true, 127, true));
    assert_eq!(link.state(), LinkState::InService);
    link.handle_su(t, &fisu(50, true, 127, true));
    link.handle_su(t, &fisu(127, true, 127, true));
    link.handle_su(t, &fisu(51, true, 127, true));
    assert_eq!(events(&mut link), vec![Mtp2Event::OutOfService(FailureReason::AbnormalBsn)]);
}

#[test]
fn two_abnormal_fibs_in_three_fail_the_link() {
    let mut link = in_service_link(LinkConfig::new());
    let t = at(20_000);
    link.handle_su(t, &fisu(127, true, 127, false));
    assert_eq!(link.state(), LinkState::InService);
    link.handle_su(t, &fisu(127, true, 127, false));
    assert_eq!(events(&mut link), vec![Mtp2Event::OutOfService(FailureReason::AbnormalFib)]);
}

#[test]
fn status_units_other_than_sipo_and_sib_fail_an_in_service_link() {
    for status in [SIO, SIN, SIE, SIOS] {
        let mut link = in_service_link(LinkConfig::new());
        link.handle_su(at(20_000), &lssu(status));
        assert_eq!(events(&mut link), vec![Mtp2Event::OutOfService(FailureReason::UnexpectedStatus(status))]);
    }
}

#[test]
fn local_busy_sends_sib_every_t5_and_withholds_acceptance() {
    let mut link = in_service_link(LinkConfig::new());
    link.set_local_busy(at(20_000), true);
    assert_eq!(sent_status(&mut link, at(20_000)), Some(SIB));
    assert_eq!(sent(&mut link, at(20_001)), fisu(127, true, 127, true).to_vec());
    assert_eq!(link.timer(Mtp2Timer::T5), Some(at(20_100)));
    assert_eq!(link.handle_su(at(20_050), &msu(127, true, 0, true, &MSU_BODY)), None);
    assert_eq!((link.bsnt(), link.stats().nacks_sent), (127, 0));
    link.handle_timeout(at(20_100));
    assert_eq!(sent_status(&mut link, at(20_100)), Some(SIB));
    assert_eq!(link.timer(Mtp2Timer::T5), Some(at(20_200)));
    link.set_local_busy(at(20_150), false);
    assert_eq!(link.timer(Mtp2Timer::T5), None);
    // The far end's next unit shows the gap: one retransmission request repairs it.
    link.handle_su(at(20_160), &fisu(127, true, 0, true));
    assert_eq!(link.stats().nacks_sent, 1);
}

#[test]
fn a_far_end_busy_too_long_fails_the_link_at_t6() {
    let mut link = in_service_link(LinkConfig::new());
    link.send(&MSU_BODY).unwrap();
    sent(&mut link, at(20_000));
    link.handle_su(at(20_500), &lssu(SIB));
    assert_eq!(link.timer(Mtp2Timer::T6), Some(at(25_500)));
    assert_eq!(link.timer(Mtp2Timer::T7), Some(at(21_500)), "SIB restarts T7");
    let mut t = 20_500;
    while t < 25_500 {
        link.handle_timeout(at(t));
        let status = if t % 100 == 0 { lssu(SIB).to_vec() } else { fisu(127, true, 127, true).to_vec() };
        link.handle_su(at(t), &status);
        t += 10;
    }
    assert_eq!(link.state(), LinkState::InService);
    link.handle_timeout(at(25_500));
    assert_eq!(events(&mut link), vec![Mtp2Event::OutOfService(FailureReason::T6Expired)]);
}

#[test]
fn an_acknowledgement_ends_the_far_end_busy_condition() {
    let mut link = in_service_link(LinkConfig::new());
    link.send(&MSU_BODY).unwrap();
    sent(&mut link, at(20_000));
    link.handle_su(at(20_100), &lssu(SIB));
    assert!(link.timer(Mtp2Timer::T6).is_some());
    link.handle_su(at(20_200), &fisu(0, true, 127, true));
    assert_eq!((link.timer(Mtp2Timer::T6), link.timer(Mtp2Timer::T7)), (None, None));
}

#[test]
fn processor_outage_local_and_remote() {
    let mut link = in_service_link(LinkConfig::new());
    link.set_local_processor_outage(at(20_000), true);
    assert_eq!(link.state(), LinkState::ProcessorOutage);
    assert_eq!(sent_status(&mut link, at(20_000)), Some(SIPO));
    assert_eq!(link.handle_su(at(20_001), &msu(127, true, 0, true, &MSU_BODY)), None, "discarded");
    link.set_local_processor_outage(at(20_002), false);
    assert_eq!(link.state(), LinkState::InService);
    assert_eq!(sent(&mut link, at(20_002)), fisu(127, true, 127, true).to_vec());

    link.handle_su(at(20_100), &lssu(SIPO));
    assert_eq!(link.state(), LinkState::ProcessorOutage);
    assert_eq!(events(&mut link), vec![Mtp2Event::RemoteProcessorOutage]);
    assert_eq!(sent(&mut link, at(20_100)), fisu(127, true, 127, true).to_vec());
    assert_eq!(link.handle_su(at(20_200), &msu(127, true, 0, true, &MSU_BODY)), Some(&MSU_BODY[..]));
    assert_eq!(link.state(), LinkState::InService);
    assert_eq!(events(&mut link), vec![Mtp2Event::RemoteProcessorRecovered]);
}

#[test]
fn processor_outage_during_alignment_leads_to_aligned_not_ready() {
    let mut link = Link::new(LinkConfig::new());
    link.set_local_processor_outage(at(0), true);
    link.start(at(0));
    link.handle_su(at(1), &lssu(SIE));
    link.handle_su(at(2), &lssu(SIE));
    for t in (12..514).step_by(10) {
        link.handle_su(at(t), &lssu(SIE));
    }
    link.handle_timeout(at(514));
    assert_eq!(link.state(), LinkState::AlignedNotReady);
    assert_eq!(sent_status(&mut link, at(514)), Some(SIPO));
    assert_eq!(link.timer(Mtp2Timer::T1), Some(at(45_514)));
    link.set_local_processor_outage(at(600), false);
    assert_eq!(link.state(), LinkState::AlignedReady);
    link.handle_su(at(601), &lssu(SIPO));
    assert_eq!(link.state(), LinkState::ProcessorOutage);
    assert_eq!(link.timer(Mtp2Timer::T1), None);
}

#[test]
fn retrieval_hands_back_what_the_far_end_did_not_accept_then_what_was_never_sent() {
    let mut link = in_service_link(LinkConfig::new());
    let t = at(20_000);
    for i in 0..5u8 {
        link.send(&[0x85, i, i]).unwrap();
    }
    for _ in 0..3 {
        sent(&mut link, t);
    }
    link.handle_su(t, &fisu(0, true, 127, true));
    assert_eq!((link.unacknowledged(), link.waiting()), (2, 2));
    link.handle_su(t, &msu(0, true, 0, true, &MSU_BODY));
    link.handle_su(t, &lssu(SIOS));
    assert_eq!(link.state(), LinkState::OutOfService);
    assert_eq!(link.bsnt(), 0, "BSNT: the last FSN accepted from the far end");
    // The far end accepted FSN 1 (its COA says so): FSN 2, then the two unsent, come back.
    let mut retrieved = Vec::new();
    assert_eq!(link.retrieve(Some(1), |body| retrieved.push(body[1])), 3);
    assert_eq!(retrieved, vec![2, 3, 4]);
    assert_eq!((link.unacknowledged(), link.waiting()), (0, 0));
}

#[test]
fn retrieval_without_or_with_an_invalid_fsnc_returns_everything_and_only_out_of_service() {
    let mut link = in_service_link(LinkConfig::new());
    for i in 0..3u8 {
        link.send(&[0x85, i, i]).unwrap();
        sent(&mut link, at(20_000));
    }
    assert_eq!(link.retrieve(None, |_| {}), 0, "not while in service");
    link.stop(at(20_001));
    assert!(events(&mut link).is_empty(), "a stop requested by level 3 is not reported");
    let mut retrieved = Vec::new();
    assert_eq!(link.retrieve(Some(90), |body| retrieved.push(body[1])), 3);
    assert_eq!(retrieved, vec![0, 1, 2]);
}

#[test]
fn transmit_congestion_is_reported_at_onset_and_abatement() {
    let mut config = LinkConfig::new();
    config.buffer_capacity = 10;
    config.congestion_onset = 8;
    config.congestion_abatement = 4;
    let mut link = in_service_link(config);
    for _ in 0..7 {
        link.send(&MSU_BODY).unwrap();
    }
    assert!(events(&mut link).is_empty());
    link.send(&MSU_BODY).unwrap();
    assert_eq!(events(&mut link), vec![Mtp2Event::Congestion(true)]);
    link.send(&MSU_BODY).unwrap();
    link.send(&MSU_BODY).unwrap();
    assert_eq!(link.send(&MSU_BODY), Err(SendError::BufferFull));
    for _ in 0..10 {
        sent(&mut link, at(20_000));
    }
    link.handle_su(at(20_001), &fisu(4, true, 127, true));
    assert!(events(&mut link).is_empty(), "5 left, above abatement");
    link.handle_su(at(20_002), &fisu(5, true, 127, true));
    assert_eq!(events(&mut link), vec![Mtp2Event::Congestion(false)]);
    assert_eq!(link.send(&[1, 2]), Err(SendError::BadLength { len: 2 }));
    assert_eq!(link.send(&[0; 274]), Err(SendError::BadLength { len: 274 }));
}

// ------------------------------------------------------------------------------------------
// Two links over a simulated 64 kbit/s line
// ------------------------------------------------------------------------------------------

/// What the line does to one signal unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Deliver,
    /// Arrives with a bad check: the receiver's HDLC discards it.
    Corrupt,
}

/// Decides the fate of the `n`-th signal unit sent from side `from`.
type FateFn = Box<dyn FnMut(usize, u64, &[u8]) -> Fate>;

struct Wire {
    links: [Link; 2],
    now: Instant,
    line_free: [Instant; 2],
    delivered: [Vec<Vec<u8>>; 2],
    events: [Vec<(Instant, Mtp2Event)>; 2],
    sent: [u64; 2],
    fate: FateFn,
}

impl Wire {
    fn new(a: LinkConfig, b: LinkConfig) -> Wire {
        Wire {
            links: [Link::new(a), Link::new(b)],
            now: Instant::ZERO,
            line_free: [Instant::ZERO; 2],
            delivered: [Vec::new(), Vec::new()],
            events: [Vec::new(), Vec::new()],
            sent: [0; 2],
            fate: Box::new(|_, _, _| Fate::Deliver),
        }
    }

    fn step(&mut self) {
        let mut next = self.line_free[0].min(self.line_free[1]);
        for link in &self.links {
            if let Some(deadline) = link.poll_timeout() {
                next = next.min(deadline);
            }
        }
        self.now = self.now.max(next);
        for link in &mut self.links {
            link.handle_timeout(self.now);
        }
        for from in 0..2 {
            if self.line_free[from] > self.now {
                continue;
            }
            let mut out = [0u8; MAX_SU_LEN];
            let len = self.links[from].poll_transmit(self.now, &mut out);
            let su = &out[..len];
            let bits = u64::from(line_bits(su));
            self.line_free[from] = self.now + Duration::from_micros(bits * 1_000_000 / 64_000);
            let fate = (self.fate)(from, self.sent[from], su);
            self.sent[from] += 1;
            let to = 1 - from;
            match fate {
                Fate::Deliver => {
                    if let Some(body) = self.links[to].handle_su(self.now, su) {
                        self.delivered[to].push(body.to_vec());
                    }
                }
                Fate::Corrupt => self.links[to].handle_su_error(self.now),
            }
        }
        for side in 0..2 {
            while let Some(event) = self.links[side].poll_event() {
                self.events[side].push((self.now, event));
            }
        }
    }

    fn run_until(&mut self, until: Instant) {
        while self.now < until {
            self.step();
        }
    }

    fn start(&mut self) {
        for link in &mut self.links {
            link.start(self.now);
        }
    }
}

#[test]
fn two_links_align_with_normal_proving_in_t4n() {
    let mut wire = Wire::new(LinkConfig::new(), LinkConfig::new());
    wire.start();
    wire.run_until(at(8_000));
    assert_eq!([wire.links[0].state(), wire.links[1].state()], [LinkState::Proving; 2]);
    wire.run_until(at(8_300));
    assert_eq!([wire.links[0].state(), wire.links[1].state()], [LinkState::InService; 2]);
    for side in 0..2 {
        let (when, event) = wire.events[side][0];
        assert_eq!(event, Mtp2Event::InService);
        // SIO, SIN, then the proving period, then one FISU each way.
        assert!(when > at(8_192) && when < at(8_200), "in service at {when}");
        assert_eq!(wire.events[side].len(), 1);
    }
}

#[test]
fn emergency_alignment_takes_half_a_second() {
    let mut config = LinkConfig::new();
    config.timers.set(Mtp2Timer::T4Emergency, ms(500)).unwrap();
    let mut wire = Wire::new(config.clone(), config);
    wire.links[0].set_emergency(Instant::ZERO, true);
    wire.start();
    wire.run_until(at(510));
    assert_eq!([wire.links[0].state(), wire.links[1].state()], [LinkState::InService; 2]);
    let (when, _) = wire.events[1][0];
    assert!(when > at(500) && when < at(505), "in service at {when}");
}

#[test]
fn proving_under_errors_is_aborted_and_retried_until_clean() {
    // Every 40th unit corrupted for the first 12 s: proving aborts (4 errors in 8.2 s), is
    // retried, and succeeds once the line is clean.
    let mut wire = Wire::new(LinkConfig::new(), LinkConfig::new());
    let clean_from = 12_000_000u64;
    let clock = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let seen = clock.clone();
    wire.fate = Box::new(
        move |_, n, _| {
            if seen.get() < clean_from && n % 40 == 39 { Fate::Corrupt } else { Fate::Deliver }
        },
    );
    wire.start();
    while wire.now < at(40_000) && !wire.links.iter().all(Link::is_in_service) {
        clock.set(wire.now.as_micros());
        wire.step();
    }
    assert!(wire.links.iter().all(Link::is_in_service), "aligned at last");
    for link in &wire.links {
        assert!(link.stats().proving_aborts >= 1, "proving was aborted");
        assert_eq!(link.stats().alignments, 1, "without giving up alignment");
    }
    assert!(wire.now > at(2 * 8_192), "the retried proving ran a whole period");
}

#[test]
fn basic_error_correction_delivers_every_msu_once_in_order_over_a_lossy_line() {
    let mut wire = Wire::new(LinkConfig::new(), LinkConfig::new());
    wire.links[0].set_emergency(Instant::ZERO, true);
    wire.start();
    wire.run_until(at(1_000));
    assert!(wire.links.iter().all(Link::is_in_service));
    wire.fate = Box::new(|_, n, _| if n % 300 == 5 { Fate::Corrupt } else { Fate::Deliver });
    let mut next = 0u32;
    while wire.now < at(60_000) && wire.delivered[1].len() < 2_000 {
        while next < 2_000 && wire.links[0].send(&[0x85, next as u8, (next >> 8) as u8, 0]).is_ok() {
            next += 1;
        }
        wire.step();
    }
    let received: Vec<u32> =
        wire.delivered[1].iter().map(|b| u32::from(b[1]) | u32::from(b[2]) << 8).collect();
    assert_eq!(received, (0..2_000).collect::<Vec<_>>());
    let stats = wire.links[0].stats();
    assert!(stats.retransmissions > 0 && stats.nacks_received > 0);
    assert_eq!(wire.links[1].stats().nacks_sent, stats.nacks_received);
    assert!(wire.links.iter().all(Link::is_in_service));
}

#[test]
fn preventive_cyclic_retransmission_recovers_without_negative_acknowledgements() {
    let mut config = LinkConfig::new();
    config.error_correction = ErrorCorrection::PreventiveCyclic { n1: 127, n2: 4_800 };
    let mut wire = Wire::new(config.clone(), config);
    wire.links[0].set_emergency(Instant::ZERO, true);
    wire.start();
    wire.run_until(at(1_000));
    wire.fate = Box::new(|_, n, _| if n % 300 == 3 { Fate::Corrupt } else { Fate::Deliver });
    let mut next = 0u32;
    while wire.now < at(60_000) && wire.delivered[1].len() < 500 {
        while next < 500 && wire.links[0].send(&[0x85, next as u8, (next >> 8) as u8]).is_ok() {
            next += 1;
        }
        wire.step();
    }
    let received: Vec<u32> =
        wire.delivered[1].iter().map(|b| u32::from(b[1]) | u32::from(b[2]) << 8).collect();
    assert_eq!(received, (0..500).collect::<Vec<_>>());
    assert_eq!(wire.links[1].stats().nacks_sent, 0);
    assert!(wire.links[0].stats().retransmissions > 0);
}

#[test]
fn a_cut_line_fails_both_ends_by_octet_counting() {
    let mut wire = Wire::new(LinkConfig::new(), LinkConfig::new());
    wire.links[0].set_emergency(Instant::ZERO, true);
    wire.start();
    wire.run_until(at(1_000));
    let cut_at = wire.now;
    // The line carries nothing any more: neither good nor bad frames.
    let mut links =
        core::mem::replace(&mut wire.links, [Link::new(LinkConfig::new()), Link::new(LinkConfig::new())]);
    let mut now = cut_at;
    while now < cut_at + ms(200) {
        now += Duration::from_micros(125);
        for link in &mut links {
            link.handle_timeout(now);
        }
    }
    for link in &mut links {
        assert_eq!(link.poll_event(), Some(Mtp2Event::OutOfService(FailureReason::ErrorRate)));
    }
}
