//! Fuzz bodies: what each `fuzz/` target runs, kept here so that proptests exercise them on
//! stable Rust too (`cargo fuzz` needs nightly). Each one feeds arbitrary octets to a decoder or
//! an engine and checks invariants; any panic is a bug.

use crate::Side;
use crate::q921::{Link, LinkConfig};
use crate::q931::{Interface, InterfaceConfig, OutgoingCall};
use crate::wire::lapd::{FrameRepr, MAX_FRAME_LEN};
use tdm_base::{Duration, Instant};

/// LAPD frame decoder: whatever parses must re-emit to the same octets.
pub fn lapd_frame(data: &[u8]) {
    if let Ok(repr) = FrameRepr::parse_bytes(data) {
        let mut buffer = [0u8; MAX_FRAME_LEN];
        let len = repr.emit(&mut buffer).unwrap_or(0);
        assert_eq!(&buffer[..len], data, "LAPD re-encoding differs");
    }
}

/// Q.931 decoder: parse, emit, parse again; the two parses must agree.
pub fn q931_message(data: &[u8]) {
    let _ = crate::wire::q931::fuzz_roundtrip(data);
}

/// The data link fed arbitrary frames (split at 0x7E octets), with time moving on.
pub fn link(data: &[u8]) {
    let side = if data.first().is_some_and(|b| b & 1 == 1) { Side::Network } else { Side::User };
    let mut link = Link::new(LinkConfig::new(side));
    let mut now = Instant::ZERO;
    link.establish(now);
    let mut buffer = [0u8; MAX_FRAME_LEN];
    for frame in data.split(|b| *b == 0x7E) {
        now += Duration::from_millis(u64::from(frame.first().copied().unwrap_or(0)) * 40);
        link.handle_timeout(now);
        link.handle_frame(now, frame);
        let _ = link.send(frame);
        while link.poll_transmit(now, &mut buffer).is_some() {}
        while link.poll_event().is_some() {}
        let (vs, va, vr) = link.sequence_state();
        assert!(vs < 128 && va < 128 && vr < 128);
    }
}

/// A whole interface whose link is up, fed arbitrary Q.931 messages (split at 0x7E octets)
/// inside well-formed I frames, with calls and time moving on.
pub fn interface(data: &[u8]) {
    let side = if data.first().is_some_and(|b| b & 1 == 1) { Side::Network } else { Side::User };
    let mut iface = Interface::new(InterfaceConfig::new(side));
    let mut now = Instant::ZERO;
    let mut buffer = [0u8; MAX_FRAME_LEN];
    iface.start(now);
    while iface.poll_transmit(now, &mut buffer).is_some() {}
    let peer_command = u8::from(side.peer().command_cr()) << 1;
    let peer_response = u8::from(!side.peer().command_cr()) << 1;
    iface.handle_frame(now, &[peer_response, 0x01, 0x73]);
    let mut peer_vs = 0u8;
    let mut peer_vr = 0u8;
    for (i, message) in data.split(|b| *b == 0x7E).enumerate() {
        if i % 3 == 0 {
            let _ = iface.place_call(now, &OutgoingCall::new("100").unwrap_or_else(empty_call));
        }
        let mut frame = [0u8; MAX_FRAME_LEN];
        let len = (4 + message.len()).min(MAX_FRAME_LEN);
        frame[..4].copy_from_slice(&[peer_command, 0x01, peer_vs << 1, peer_vr << 1]);
        frame[4..len].copy_from_slice(&message[..len - 4]);
        peer_vs = (peer_vs + 1) % 128;
        iface.handle_frame(now, &frame[..len]);
        while let Some(sent) = iface.poll_transmit(now, &mut buffer) {
            if sent >= 4 && buffer[2] & 1 == 0 {
                peer_vr = (peer_vr + 1) % 128;
            }
        }
        iface.handle_frame(now, &[peer_response, 0x01, 0x01, peer_vr << 1]);
        while iface.poll_event().is_some() {}
        now += Duration::from_secs(u64::from(message.first().copied().unwrap_or(0) % 8));
        iface.handle_timeout(now);
        assert!(iface.call_count() <= 64);
    }
}

/// The trace text of arbitrary frames (split at 0x7E octets), as either side sent them: every
/// frame gets a line, whatever it holds.
pub fn describe(data: &[u8]) {
    use core::fmt::Write;
    let mut line = String::new();
    for frame in data.split(|b| *b == 0x7E) {
        for side in [Side::User, Side::Network] {
            line.clear();
            let _ = write!(line, "{}", crate::wire::describe::describe_frame(frame, side));
            assert!(!line.is_empty(), "an empty trace line");
        }
    }
}

/// A network side and a user side on one D-channel that `data` scripts: each octet places,
/// answers or clears calls, restarts, lets time pass, or garbles or drops the frames in
/// flight. The two must never panic, and their tables must stay consistent.
pub fn pair(data: &[u8]) {
    let mut pair = crate::pair::Pair::with_defaults();
    pair.start();
    let mut buffer = [0u8; MAX_FRAME_LEN];
    let mut script = data.iter().copied();
    while let Some(op) = script.next() {
        let arg = script.next().unwrap_or(0);
        let side = if op & 0x80 != 0 { Side::Network } else { Side::User };
        let now = pair.now;
        match op & 0x07 {
            0 => {
                let _ =
                    pair.side(side).place_call(now, &OutgoingCall::new("1234").unwrap_or_else(empty_call));
            }
            1 | 2 => {
                let calls: Vec<_> = pair.side(side).calls().map(|c| c.id).collect();
                if let Some(call) = calls.get(usize::from(arg) % calls.len().max(1)) {
                    let iface = pair.side(side);
                    let _ = if op & 0x07 == 1 {
                        iface.answer(now, *call)
                    } else {
                        iface.hangup(now, *call, tdm_base::Cause::from_u8(arg & 0x7F))
                    };
                }
            }
            3 => {
                let scope = if arg & 1 == 0 {
                    crate::q931::RestartScope::Interface
                } else {
                    crate::q931::RestartScope::Channel(arg >> 1)
                };
                let _ = pair.side(side).restart(now, scope);
            }
            4 => pair.run_for(Duration::from_millis(u64::from(arg) * 50)),
            5 => {
                // A frame garbled on the way: one octet changed.
                if let Some(len) = pair.side(side.peer()).poll_transmit(now, &mut buffer) {
                    let at = usize::from(arg) % len;
                    buffer[at] ^= arg | 1;
                    pair.side(side).handle_frame(now, &buffer[..len]);
                }
            }
            6 => {
                // A frame lost.
                let _ = pair.side(side.peer()).poll_transmit(now, &mut buffer);
            }
            _ => pair.cable_cut = arg & 1 == 1,
        }
        pair.drive();
        for side in [Side::User, Side::Network] {
            let iface = pair.side(side);
            assert!(iface.call_count() <= 64);
            let busy = iface
                .channels()
                .iter()
                .filter(|(_, s)| matches!(s, crate::q931::channels::ChannelState::Busy(_)))
                .count();
            assert!(busy <= iface.call_count(), "a busy channel without its call");
            assert!(iface.calls().all(|c| c.timeslot.is_none_or(crate::q931::channels::is_b_channel)));
        }
        pair.take_events(Side::User);
        pair.take_events(Side::Network);
    }
}

/// A call to an empty number, should `OutgoingCall::new` ever refuse "100".
fn empty_call() -> OutgoingCall {
    OutgoingCall {
        called: crate::wire::ie::PartyNumber {
            ton: crate::wire::ie::TypeOfNumber::Unspecified,
            plan: crate::wire::ie::NumberingPlan::Isdn,
            presentation: None,
            reason: None,
            digits: crate::wire::ie::Digits::new(),
        },
        calling: None,
        channel: crate::q931::ChannelRequest::Any,
        bearer: crate::wire::ie::BearerCapability::speech_alaw(),
        sending_complete: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn lapd_frames(data: Vec<u8>) {
            lapd_frame(&data);
        }

        #[test]
        fn q931_messages(data: Vec<u8>) {
            q931_message(&data);
        }

        #[test]
        fn links(data: Vec<u8>) {
            link(&data);
        }

        #[test]
        fn interfaces(data: Vec<u8>) {
            interface(&data);
        }

        #[test]
        fn trace_lines(data: Vec<u8>) {
            describe(&data);
        }

        #[test]
        fn scripted_pairs(data: Vec<u8>) {
            pair(&data);
        }

        #[test]
        fn interfaces_with_plausible_messages(
            bodies in proptest::collection::vec(
                (0u8..2, 0u8..4, proptest::sample::select(vec![1u8, 2, 3, 5, 7, 0x0D, 0x0F, 0x45, 0x46, 0x4D, 0x4E, 0x5A, 0x6E, 0x75, 0x7B, 0x7D]), proptest::collection::vec(any::<u8>(), 0..24)),
                0..24,
            )
        ) {
            let mut data = vec![0u8];
            for (flag, cr, message_type, elements) in bodies {
                data.extend_from_slice(&[0x08, 0x02, flag << 7, cr, message_type]);
                data.extend(elements.into_iter().filter(|b| *b != 0x7E));
                data.push(0x7E);
            }
            interface(&data);
        }
    }

    #[test]
    fn lapd_fuzz_body_accepts_a_valid_frame() {
        lapd_frame(&[0x00, 0x01, 0x7F]);
        lapd_frame(&[0x02, 0x01, 0x00, 0x00, 0x08]);
    }
}
