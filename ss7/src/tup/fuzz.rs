//! Fuzz bodies for TUP: what the `fuzz/` targets run, kept here so that proptests exercise
//! them on stable Rust too. Any panic is a bug.

use super::wire::{MAX_MESSAGE_LEN, Message, Variant};
use super::{Tup, TupConfig};
use crate::circuit::{BlockKind, CicMap, Event, Number, OutgoingCall, UserPart};
use crate::label::{NetworkIndicator, PointCode, ServiceIndicator, Sio};
use crate::mtp3::{Indication, Transfer};
use tdm_base::{Cause, Duration, Instant};

/// Decoder, both variants: whatever parses must emit, and the emitted octets parse to the
/// same message.
pub fn tup_message(data: &[u8]) {
    for variant in [Variant::China, Variant::Itu] {
        let Ok(message) = Message::parse(variant, data) else { continue };
        let mut out = [0u8; MAX_MESSAGE_LEN];
        let len =
            message.emit(variant, &mut out).unwrap_or_else(|e| panic!("re-encoding {message:?} failed: {e}"));
        let again = Message::parse(variant, &out[..len]).unwrap_or_else(|e| panic!("re-parse failed: {e}"));
        assert_eq!(again, message, "TUP round trip differs");
    }
}

/// A China TUP signalling point with 60 circuits fed arbitrary messages (split at 0x7E
/// octets, each given the label of the peer with the first two octets as the CIC), with
/// calls, maintenance commands and time moving on between them.
pub fn tup_engine(data: &[u8]) {
    let own = PointCode::china(1, 1, 2);
    let peer = PointCode::china(1, 1, 1);
    let circuits = CicMap::e1(2, 0, true).unwrap_or_else(|e| panic!("{e}"));
    let mut config = TupConfig::new(own, peer, Variant::China, circuits);
    config.request_calling_number = data.first().is_some_and(|b| b & 1 == 1);
    let mut tup = Tup::new(config);
    let mut now = Instant::ZERO;
    tup.start(now);
    let mut request = OutgoingCall::new("1008").unwrap_or_else(|e| panic!("{e}"));
    request.calling = Number::national("88880001").ok();
    let sio = Sio { ni: NetworkIndicator::National, priority: 0, si: ServiceIndicator::Tup }.to_octet();
    for (i, chunk) in data.split(|b| *b == 0x7E).enumerate() {
        let (cic, rest) = match chunk {
            [low, high, rest @ ..] => (u16::from_le_bytes([*low, *high & 0x0F]), rest),
            _ => (0, chunk),
        };
        let mut sif = vec![0x01, 0x01, 0x01, 0x02, 0x01, 0x01, cic as u8, (cic >> 8) as u8];
        sif.extend_from_slice(rest);
        if let Ok(transfer) = Transfer::parse(crate::label::PointCodeFormat::China24, sio, &sif) {
            tup.handle_indication(now, &Indication::Transfer(transfer));
        }
        let selector = chunk.last().copied().unwrap_or(0);
        match i % 5 {
            0 => {
                request.continuity_check = selector & 1 == 1;
                let _ = tup.place_call(now, &request);
            }
            1 => {
                let cic = u16::from(selector % 64);
                let kind = if selector & 0x80 != 0 { BlockKind::Hardware } else { BlockKind::Maintenance };
                let _ = tup.block(now, cic, cic + u16::from(selector >> 6), kind);
            }
            2 => {
                let cic = u16::from(selector % 64);
                let _ = tup.reset(now, cic, cic);
                tup.continuity_result(now, cic, selector & 0x40 != 0);
            }
            _ => {}
        }
        while let Some(event) = tup.poll_event() {
            match event {
                Event::Incoming(incoming) => match selector % 3 {
                    0 => {
                        let _ = tup.alert(now, incoming.call, false);
                        let _ = tup.answer(now, incoming.call);
                    }
                    1 => {
                        let _ = tup.hangup(now, incoming.call, Cause::UserBusy);
                    }
                    _ => {}
                },
                Event::Answered { call } if selector & 2 == 0 => {
                    let _ = tup.hangup(now, call, Cause::NormalClearing);
                }
                _ => {}
            }
        }
        while let Some(out) = tup.poll_transmit() {
            let mut sif = [0u8; MAX_MESSAGE_LEN];
            let len = out.emit_sif(crate::label::PointCodeFormat::China24, &mut sif).unwrap_or(0);
            assert!(Message::parse(Variant::China, &sif[..len]).is_ok(), "sent an unparsable message");
        }
        now += Duration::from_secs(u64::from(selector % 40));
        tup.handle_timeout(now);
        assert!(tup.call_count() <= 60);
        assert!(tup.poll_timeout().is_none_or(|deadline| deadline > now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn messages(data: Vec<u8>) {
            tup_message(&data);
        }

        #[test]
        fn messages_with_plausible_headings(
            label in proptest::collection::vec(any::<u8>(), 8),
            heading in proptest::sample::select(vec![
                0x11u8, 0x21, 0x31, 0x41, 0x12, 0x32, 0x42, 0x13, 0x14, 0x24, 0x15, 0x65, 0xF5, 0x06, 0x16,
                0x36, 0x46, 0x76, 0x17, 0x27, 0x77, 0x18, 0x28, 0x58, 0x98, 0xA8, 0xE8, 0x1A, 0x2C, 0x1D,
                0x1E, 0x2E, 0x1F, 0x09,
            ]),
            body in proptest::collection::vec(any::<u8>(), 0..24),
        ) {
            let mut data = label;
            data.push(heading);
            data.extend(body);
            tup_message(&data);
        }

        #[test]
        fn engines(data: Vec<u8>) {
            tup_engine(&data);
        }

        #[test]
        fn engines_with_plausible_messages(
            messages in proptest::collection::vec(
                (0u16..64, proptest::sample::select(vec![
                    0x11u8, 0x21, 0x31, 0x41, 0x12, 0x32, 0x42, 0x13, 0x14, 0x15, 0x65, 0x06, 0x16, 0x36, 0x46,
                    0x76, 0x17, 0x27, 0x37, 0x47, 0x57, 0x67, 0x77, 0x18, 0x28, 0x38, 0x48, 0x58, 0x68, 0x98,
                    0xA8,
                ]), proptest::collection::vec(any::<u8>(), 0..10)),
                0..40,
            )
        ) {
            let mut data = vec![0u8];
            for (cic, heading, body) in messages {
                data.extend(cic.to_le_bytes());
                data.push(heading);
                data.extend(body.into_iter().filter(|b| *b != 0x7E));
                data.push(0x7E);
            }
            tup_engine(&data);
        }
    }

    #[test]
    fn the_engine_body_runs_a_whole_call() {
        // IAM on CIC 1 from the peer, then CLF.
        let mut data = vec![0u8];
        data.extend([0x01, 0x00, 0x11, 0x0A, 0x02, 0x14, 0x01, 0x7E, 0x01, 0x00, 0x46, 0x7E]);
        tup_engine(&data);
        tup_message(&[0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x23, 0x01, 0x46]);
    }
}
