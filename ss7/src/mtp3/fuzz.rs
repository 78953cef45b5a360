//! Fuzz bodies for level 3: what the `fuzz/` targets run, kept here so that proptests exercise
//! them on stable Rust. Any panic is a bug.

use super::config::{LinkSetConfig, Mtp3Config, RouteConfig, SignallingLinkConfig};
use super::msg::{SnmMessage, TestMessage};
use super::point::Mtp3;
use super::status::{LinkId, Mtp3Stats, SignallingLinkState};
use super::transfer::{Payload, Transfer};
use crate::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio};
use crate::mtp2::su::{LssuStatus, MAX_SU_LEN, SignalUnit, SuKind};
use tdm_base::{Duration, Instant};

fn format_of(selector: u8) -> PointCodeFormat {
    if selector & 1 == 0 { PointCodeFormat::Itu14 } else { PointCodeFormat::China24 }
}

/// Management and test message decoders: whatever parses re-emits to octets that parse to
/// the same message, in both point-code formats.
pub fn messages(data: &[u8]) {
    for format in [PointCodeFormat::Itu14, PointCodeFormat::China24] {
        if let Ok(message) = SnmMessage::parse(format, data) {
            let mut out = [0u8; 16];
            let len = message.emit(format, &mut out).expect("a parsed message re-emits");
            assert!(len <= data.len());
            assert_eq!(SnmMessage::parse(format, &out[..len]), Ok(message));
        }
    }
    if let Ok(message) = TestMessage::parse(data) {
        let mut out = [0u8; 17];
        let len = message.emit(&mut out).expect("a parsed test message re-emits");
        assert_eq!(TestMessage::parse(&out[..len]), Ok(message));
    }
    if let Some(&sio) = data.first() {
        for format in [PointCodeFormat::Itu14, PointCodeFormat::China24] {
            if let Ok(transfer) = Transfer::parse(format, sio, &data[1..]) {
                let mut out = [0u8; 300];
                let len = transfer.emit_sif(format, &mut out).expect("a parsed message re-emits");
                assert_eq!(&out[..len], &data[1..], "label and payload round-trip");
            }
        }
    }
}

/// The far end of one link, played by hand: it aligns the link, answers the point's signal
/// units with correct sequence numbers, and sends whatever MSU bodies it is given.
struct FarEnd {
    fsn: u8,
    fib: bool,
    bsn: u8,
    bib: bool,
}

impl FarEnd {
    fn su(&mut self, body: Option<&[u8]>, out: &mut [u8; MAX_SU_LEN]) -> usize {
        let len = match body {
            Some(body) => {
                self.fsn = (self.fsn + 1) & 0x7F;
                let len = body.len().min(MAX_SU_LEN - 3);
                out[3..3 + len].copy_from_slice(&body[..len]);
                out[2] = len.min(63) as u8;
                3 + len
            }
            None => {
                out[2] = 0;
                3
            }
        };
        out[0] = self.bsn | u8::from(self.bib) << 7;
        out[1] = self.fsn | u8::from(self.fib) << 7;
        len
    }

    /// Acknowledges everything the point sent and follows its indicator bits.
    fn heard(&mut self, su: &[u8]) {
        if let Ok(view) = SignalUnit::new_checked(su)
            && view.kind() != SuKind::Lssu
        {
            self.bsn = view.fsn();
            self.bib = view.fib();
            self.fib = view.bib();
        }
    }
}

/// A signalling point whose link 0 is brought into service by hand, then fed the MSU bodies in
/// `data` (split at 0x7E octets, each chunk's first octet also moving time on), with user
/// transfers and timer runs interleaved. Returns link 0's final state and the counters.
pub fn signalling_point(data: &[u8]) -> Option<(SignallingLinkState, Mtp3Stats)> {
    let selector = data.first().copied().unwrap_or(0);
    let format = format_of(selector);
    let (own, adjacent, far) = match format {
        PointCodeFormat::Itu14 => (PointCode::itu(1, 1, 1), PointCode::itu(1, 1, 2), PointCode::itu(2, 2, 2)),
        PointCodeFormat::China24 => {
            (Ok(PointCode::china(1, 1, 1)), Ok(PointCode::china(2, 2, 2)), Ok(PointCode::china(3, 3, 3)))
        }
    };
    let (Ok(own), Ok(adjacent), Ok(far)) = (own, adjacent, far) else { return None };
    let mut config = Mtp3Config::new(own, format, NetworkIndicator::National);
    config.link_sets.push(LinkSetConfig {
        name: "stp".into(),
        adjacent,
        links: vec![SignallingLinkConfig::new(0, 0, 16), SignallingLinkConfig::new(1, 1, 16)],
    });
    config.routes.push(RouteConfig { destination: far, link_set: "stp".into(), priority: 1 });
    config.holding_capacity = 64;
    let Ok(mut point) = Mtp3::new(config) else { return None };
    let link = LinkId { set: 0, link: 0 };
    let mut now = Instant::ZERO;
    let mut out = [0u8; MAX_SU_LEN];
    let mut far_end = FarEnd { fsn: 127, fib: true, bsn: 127, bib: true };
    point.start(now);
    for status in [LssuStatus::EmergencyAlignment, LssuStatus::EmergencyAlignment] {
        point.handle_su(now, link, &[0xFF, 0xFF, 1, status.code()]);
    }
    while point.mtp2(link).is_some_and(|l| l.state() == crate::mtp2::LinkState::Proving) {
        now += Duration::from_millis(10);
        point.handle_timeout(now);
        point.handle_su(now, link, &[0xFF, 0xFF, 1, LssuStatus::EmergencyAlignment.code()]);
    }
    // Answer the point's SLTM so that the link becomes available.
    let label = RoutingLabel { dpc: own, opc: adjacent, sls: 0 };
    let mut slta = [0u8; 40];
    slta[0] = Sio { ni: NetworkIndicator::National, priority: 0, si: ServiceIndicator::Testing }.to_octet();
    let label_len = label.emit(format, &mut slta[1..]).unwrap_or(0);
    let pattern = super::msg::TestPattern::new(b"TDM-SS7 SLT").map(TestMessage::Slta);
    let slta_len = pattern.and_then(|m| m.emit(&mut slta[1 + label_len..]).ok()).unwrap_or(0);
    let exchange = |point: &mut Mtp3, far_end: &mut FarEnd, now: Instant, body: Option<&[u8]>| {
        let mut su = [0u8; MAX_SU_LEN];
        let mut out = [0u8; MAX_SU_LEN];
        for _ in 0..3 {
            let len = point.poll_transmit(now, link, &mut out);
            assert!(SignalUnit::new_checked(&out[..len]).is_ok(), "the point sends valid signal units");
            far_end.heard(&out[..len]);
        }
        let len = far_end.su(body, &mut su);
        point.handle_su(now, link, &su[..len]);
    };
    exchange(&mut point, &mut far_end, now, None);
    exchange(&mut point, &mut far_end, now, Some(&slta[..1 + label_len + slta_len]));
    for (i, chunk) in data.split(|b| *b == 0x7E).enumerate() {
        let first = chunk.first().copied().unwrap_or(0);
        now += Duration::from_millis(u64::from(first % 32));
        point.handle_timeout(now);
        if chunk.len() >= 3 {
            exchange(&mut point, &mut far_end, now, Some(chunk));
        } else {
            exchange(&mut point, &mut far_end, now, None);
        }
        if i % 2 == 0 {
            let message = Transfer {
                ni: NetworkIndicator::National,
                priority: 0,
                si: ServiceIndicator::Isup,
                label: RoutingLabel {
                    dpc: if first & 2 == 0 { adjacent } else { far },
                    opc: own,
                    sls: first & 0x0F,
                },
                label_spare: 0,
                payload: Payload::new(&chunk[..chunk.len().min(100)]).unwrap_or_default(),
            };
            let _ = point.transfer(now, &message);
        }
        while point.poll_indication().is_some() {}
        while point.poll_event().is_some() {}
        for id in [LinkId { set: 0, link: 0 }, LinkId { set: 0, link: 1 }] {
            let len = point.poll_transmit(now, id, &mut out);
            assert!(SignalUnit::new_checked(&out[..len]).is_ok());
            assert!(point.mtp2(id).is_some_and(|l| l.unacknowledged() <= 127));
        }
        if let Some(deadline) = point.poll_timeout() {
            assert!(deadline >= now, "a deadline in the past survived handle_timeout");
        }
        let snapshot = point.snapshot();
        assert!(snapshot.link_sets[0].held <= 64 + 512);
    }
    Some((point.link_state(link)?, point.stats()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn management_and_test_messages(data: Vec<u8>) {
            messages(&data);
        }

        #[test]
        fn plausible_management_messages(heading in proptest::sample::select(vec![0x11u8, 0x21, 0x51, 0x61, 0x12, 0x22, 0x13, 0x23, 0x14, 0x34, 0x54, 0x15, 0x25, 0x16, 0x17, 0x1A]), body in proptest::collection::vec(any::<u8>(), 0..6)) {
            let mut data = vec![heading];
            data.extend(body);
            messages(&data);
        }

        #[test]
        fn signalling_points(data: Vec<u8>) {
            let _ = signalling_point(&data);
        }

        #[test]
        fn signalling_points_with_plausible_messages(
            format in 0u8..2,
            messages in proptest::collection::vec((0u8..16, proptest::collection::vec(any::<u8>(), 0..12)), 0..24),
        ) {
            // Management, test and ISUP messages with a correct label toward the point.
            let format_pc = format_of(format);
            let (own, adjacent) = match format_pc {
                PointCodeFormat::Itu14 => (PointCode::itu(1, 1, 1).unwrap(), PointCode::itu(1, 1, 2).unwrap()),
                PointCodeFormat::China24 => (PointCode::china(1, 1, 1), PointCode::china(2, 2, 2)),
            };
            let mut data = vec![format];
            for (si, rest) in messages {
                let si = [0u8, 1, 2, 5, 4, 3][usize::from(si % 6)];
                data.push(0x80 | si);
                let mut label = [0u8; 7];
                let len = RoutingLabel { dpc: own, opc: adjacent, sls: 0 }.emit(format_pc, &mut label).unwrap();
                data.extend_from_slice(&label[..len]);
                data.extend(rest.into_iter().filter(|b| *b != 0x7E));
                data.push(0x7E);
            }
            let _ = signalling_point(&data);
        }
    }

    #[test]
    fn the_point_fuzz_body_brings_its_link_into_service_and_delivers() {
        // China format; one ISUP message from 2-2-2 to 1-1-1 (SLS 0) with two payload octets.
        let data = [1, 0x7E, 0x85, 1, 1, 1, 2, 2, 2, 0, 0x21, 0x00, 0x7E];
        let (state, stats) = signalling_point(&data).unwrap();
        assert_eq!(state, SignallingLinkState::Available);
        assert_eq!(stats.messages_delivered, 1);
        let (state, stats) = signalling_point(&[0]).unwrap();
        assert_eq!((state, stats.messages_delivered), (SignallingLinkState::Available, 0));
    }
}
