//! Fuzz bodies for ISUP: what the `fuzz/` targets run, kept here so that proptests exercise
//! them on stable Rust too. Any panic is a bug.

use super::wire::{MAX_MESSAGE_LEN, Message};
use super::{Isup, IsupConfig};
use crate::circuit::{BlockKind, CicMap, Number, OutgoingCall, UserPart};
use crate::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator};
use crate::mtp3::{Indication, Payload, Transfer};
use tdm_base::{Cause, Duration, Instant};

/// Decoder: whatever parses must emit, and the emitted octets parse to the same message.
pub fn isup_message(data: &[u8]) {
    let Ok(message) = Message::parse(data) else { return };
    let mut out = [0u8; MAX_MESSAGE_LEN];
    let len = message.emit(&mut out).unwrap_or_else(|e| panic!("re-encoding {message:?} failed: {e}"));
    let again = Message::parse(&out[..len]).unwrap_or_else(|e| panic!("re-parse failed: {e}"));
    assert_eq!(again, message, "ISUP round trip differs");
}

/// A signalling point with 60 circuits fed arbitrary messages (split at 0x7E octets, the
/// first two octets of each taken as the CIC), with calls, maintenance commands and time
/// moving on between them.
pub fn isup_engine(data: &[u8]) {
    let own = PointCode::china(1, 1, 2);
    let peer = PointCode::china(1, 1, 1);
    let circuits = CicMap::e1(2, 0, true).unwrap_or_else(|e| panic!("{e}"));
    let mut config = IsupConfig::new(own, peer, PointCodeFormat::China24, circuits);
    config.request_calling_number = data.first().is_some_and(|b| b & 1 == 1);
    let mut isup = Isup::new(config);
    let mut now = Instant::ZERO;
    isup.start(now);
    let mut request = OutgoingCall::new("1008").unwrap_or_else(|e| panic!("{e}"));
    request.calling = Number::national("88880001").ok();
    for (i, chunk) in data.split(|b| *b == 0x7E).enumerate() {
        let Some(payload) = Payload::new(chunk) else { continue };
        let transfer = Transfer {
            ni: NetworkIndicator::National,
            priority: 0,
            si: ServiceIndicator::Isup,
            label: RoutingLabel { dpc: own, opc: peer, sls: chunk.first().map_or(0, |b| b & 0x0F) },
            label_spare: 0,
            payload,
        };
        isup.handle_indication(now, &Indication::Transfer(transfer));
        let selector = chunk.last().copied().unwrap_or(0);
        match i % 5 {
            0 => {
                request.continuity_check = selector & 1 == 1;
                let _ = isup.place_call(now, &request);
            }
            1 => {
                let cic = u16::from(selector % 64);
                let kind = if selector & 0x80 != 0 { BlockKind::Hardware } else { BlockKind::Maintenance };
                let _ = isup.block(now, cic, cic + u16::from(selector >> 6), kind);
            }
            2 => {
                let cic = u16::from(selector % 64);
                let _ = isup.reset(now, cic, cic);
                isup.continuity_result(now, cic, selector & 0x40 != 0);
            }
            _ => {}
        }
        while let Some(event) = isup.poll_event() {
            use crate::circuit::Event;
            match event {
                Event::Incoming(incoming) => match selector % 3 {
                    0 => {
                        let _ = isup.alert(now, incoming.call, true);
                        let _ = isup.answer(now, incoming.call);
                    }
                    1 => {
                        let _ = isup.hangup(now, incoming.call, Cause::UserBusy);
                    }
                    _ => {}
                },
                Event::Answered { call } if selector & 2 == 0 => {
                    let _ = isup.hangup(now, call, Cause::NormalClearing);
                }
                _ => {}
            }
        }
        while let Some(out) = isup.poll_transmit() {
            assert!(Message::parse(out.payload.as_slice()).is_ok(), "sent an unparsable message");
            assert_eq!((out.label.dpc, out.label.opc), (peer, own));
        }
        now += Duration::from_secs(u64::from(selector % 40));
        isup.handle_timeout(now);
        assert!(isup.call_count() <= 60);
        assert!(isup.poll_timeout().is_none_or(|deadline| deadline > now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn messages(data: Vec<u8>) {
            isup_message(&data);
        }

        #[test]
        fn messages_with_plausible_headers(
            cic in 0u16..64,
            message_type in proptest::sample::select(vec![
                0x01u8, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0C, 0x0D, 0x0E, 0x10, 0x11, 0x12,
                0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x24, 0x29, 0x2A, 0x2B, 0x2C, 0x2E,
                0x2F, 0x41,
            ]),
            body in proptest::collection::vec(any::<u8>(), 0..40),
        ) {
            let mut data = cic.to_le_bytes().to_vec();
            data.push(message_type);
            data.extend(body);
            isup_message(&data);
        }

        #[test]
        fn engines(data: Vec<u8>) {
            isup_engine(&data);
        }

        #[test]
        fn engines_with_plausible_messages(
            messages in proptest::collection::vec(
                (0u16..64, proptest::sample::select(vec![
                    0x01u8, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0C, 0x0D, 0x0E, 0x10, 0x11, 0x12,
                    0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x29, 0x2A, 0x2C, 0x2E, 0x2F,
                ]), proptest::collection::vec(any::<u8>(), 0..12)),
                0..40,
            )
        ) {
            let mut data = vec![0u8];
            for (cic, message_type, body) in messages {
                data.extend(cic.to_le_bytes());
                data.push(message_type);
                data.extend(body.into_iter().filter(|b| *b != 0x7E));
                data.push(0x7E);
            }
            isup_engine(&data);
        }
    }

    #[test]
    fn the_engine_body_runs_a_whole_call() {
        // IAM on CIC 1 from the peer, then REL: exercised without a panic.
        let mut data = vec![0u8];
        data.extend([
            0x01, 0x00, 0x01, 0x00, 0x20, 0x00, 0x0A, 0x00, 0x02, 0x00, 0x03, 0x03, 0x10, 0x21, 0x7E,
        ]);
        data.extend([0x01, 0x00, 0x0C, 0x02, 0x00, 0x02, 0x80, 0x90, 0x7E]);
        isup_engine(&data);
        isup_message(&[0x01, 0x00, 0x0C, 0x02, 0x00, 0x02, 0x80, 0x90]);
    }
}
