//! Fuzz bodies: what each `fuzz/` target runs, kept here so that proptests exercise them on
//! stable Rust too (`cargo fuzz` needs nightly). Any panic is a bug.

use crate::call::{Event, OutgoingCall};
use crate::circuit::{Circuit, CircuitState};
use crate::config::CircuitConfig;
use crate::digits::Digits;
use tdm_base::{Cause, Duration, Instant};
use tdm_dsp::r2mf::R2Direction;
use tdm_dsp::tonegen::{R2_DEFAULT_LEVEL_DBM0, R2Generator};

/// One circuit driven by arbitrary input: each octet is an operation (top three bits) and an
/// argument (the rest): an ABCD change, a span of received register signal or silence, time
/// passing, or a command. Checks that the circuit's state and outputs stay coherent.
pub fn circuit(data: &[u8]) {
    let config =
        if data.first().is_some_and(|b| b & 1 == 1) { CircuitConfig::itu() } else { CircuitConfig::china() };
    let mut circuit = Circuit::new(1, config);
    let mut now = Instant::ZERO;
    let mut forward = R2Generator::new(R2Direction::Forward, R2_DEFAULT_LEVEL_DBM0);
    let mut backward = R2Generator::new(R2Direction::Backward, R2_DEFAULT_LEVEL_DBM0);
    let mut samples = [0i16; 64];
    let mut out = [0i16; 64];
    let call = OutgoingCall::new("12345678", Some("87654321"));
    for &octet in data.iter().skip(1) {
        let argument = octet & 0x1F;
        match octet >> 5 {
            0 => circuit.handle_abcd(now, argument & 0xF),
            1 | 2 => {
                // 8 ms of a forward (1) or backward (2) register signal, or silence (0).
                let generator = if octet >> 5 == 1 { &mut forward } else { &mut backward };
                let code = argument % 16;
                // Signal 0 is silence; start() refuses it like any number outside 1..=15.
                if generator.start(code).is_err() {
                    generator.stop();
                }
                for _ in 0..=(argument >> 4) * 4 {
                    generator.generate(&mut samples);
                    now += Duration::from_millis(8);
                    circuit.handle_timeout(now);
                    circuit.handle_audio(now, &samples);
                    circuit.fill_audio(&mut out);
                }
            }
            3 => {
                now += Duration::from_millis(u64::from(argument) * 37);
                circuit.handle_timeout(now);
            }
            4 => {
                if let Some(call) = &call {
                    let _ = circuit.place_call(now, call);
                }
            }
            5 => {
                if let Some(id) = circuit.call_id() {
                    let _ = match argument % 4 {
                        0 => circuit.accept(now, id),
                        1 => circuit.reject(now, id, Cause::from_u8(argument)),
                        2 => circuit.answer(now, id),
                        _ => circuit.hangup(now, id, Cause::NormalClearing),
                    };
                }
            }
            6 => match argument % 4 {
                0 => circuit.block(now),
                1 => circuit.unblock(now),
                2 => circuit.reset(now),
                _ => {
                    if let (Some(id), Ok(digits)) = (circuit.call_id(), Digits::parse("9")) {
                        let _ = circuit.send_digits(now, id, &digits, argument & 0x10 != 0);
                    }
                }
            },
            _ => {
                // Jump to the next deadline.
                if let Some(deadline) = circuit.poll_timeout() {
                    now = now.max(deadline);
                    circuit.handle_timeout(now);
                }
            }
        }
        while circuit.poll_abcd().is_some() {}
        while let Some(event) = circuit.poll_event() {
            if let Event::Released { call, .. } = event {
                assert_eq!(call.timeslot, 1);
            }
        }
        assert!(circuit.tx_abcd() <= 0xF);
        assert!(circuit.poll_timeout().is_none_or(|deadline| deadline >= now));
        match circuit.state() {
            CircuitState::Idle | CircuitState::LocallyBlocked | CircuitState::RemotelyBlocked => {
                assert_eq!(circuit.call_id(), None, "{:?}", circuit.state());
                assert!(!circuit.wants_audio(), "{:?}", circuit.state());
            }
            CircuitState::OutgoingRegister | CircuitState::IncomingRegister => {}
            state => assert_eq!(circuit.sending_signal(), None, "{state:?}"),
        }
    }
}

/// Configuration overrides from arbitrary text (`key=value` lines): never a panic, and a
/// configuration that validates keeps validating through a circuit's construction.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut config = CircuitConfig::china();
    for line in text.lines() {
        if let Some((key, value)) = line.split_once('=') {
            let _ = config.set(key.trim(), value);
        }
    }
    if config.validate().is_ok() {
        let mut circuit = Circuit::new(1, config);
        if let Some(call) = OutgoingCall::new("1", None) {
            let _ = circuit.place_call(Instant::ZERO, &call);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn circuits(data: Vec<u8>) {
            circuit(&data);
        }

        #[test]
        fn circuits_with_plausible_line_signals(
            ops in proptest::collection::vec(
                prop_oneof![
                    proptest::sample::select(vec![0x03u8, 0x0B, 0x0F, 0x07, 0x01]),
                    0x20u8..0x60,
                    0x60u8..0x80,
                    0x80u8..0xE0,
                    Just(0xE0u8),
                ],
                0..48,
            )
        ) {
            let mut data = vec![0u8];
            data.extend(ops);
            circuit(&data);
        }

        #[test]
        fn configs(text in "([a-z_.]{1,24}=[0-9a-fx ]{0,6}\n){0,8}") {
            config(text.as_bytes());
        }
    }

    #[test]
    fn fuzz_bodies_accept_edge_inputs() {
        circuit(&[]);
        circuit(&[0, 0x80, 0x03, 0xE0, 0xE0, 0xE0]);
        config(b"line.forward_seize=0x3\nmfc.b_busy=none\ntimer.pulse=150\n");
    }
}
