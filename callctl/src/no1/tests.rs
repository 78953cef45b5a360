//! Two No.1 stacks joined in memory through the trait the engine uses: ABCD changes reach the
//! other end 2 ms later, register signals go through A-law both ways in 1 ms blocks, and each
//! end hears audio only while it says it listens, as the engine feeds it.

use super::*;
use tdm_base::Duration;
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};

const BLOCK: usize = 8;

struct Wire {
    a: No1Stack,
    b: No1Stack,
    now: Instant,
    /// ABCD changes on their way: (due, to end B, timeslot, nibble).
    in_flight: Vec<(Instant, bool, u8, u8)>,
    a_events: Vec<StackEvent>,
    b_events: Vec<StackEvent>,
}

fn config(dnis_length: Option<u8>) -> No1SpanConfig {
    let mut config = No1SpanConfig::new(No1Variant::China);
    if let Some(length) = dnis_length {
        config.set("dnis_length", &length.to_string()).unwrap();
    }
    config
}

fn ms(value: u64) -> Instant {
    Instant::from_millis(value)
}

impl Wire {
    /// End A calls, end B (expecting 8 digits) is called; both lines up.
    fn new() -> Wire {
        Self::with(config(None), config(Some(8)))
    }

    fn with(a: No1SpanConfig, b: No1SpanConfig) -> Wire {
        let mut wire = Wire {
            a: No1Stack::new(&a).unwrap(),
            b: No1Stack::new(&b).unwrap(),
            now: Instant::ZERO,
            in_flight: Vec::new(),
            a_events: Vec::new(),
            b_events: Vec::new(),
        };
        wire.a.handle_line(Instant::ZERO, true);
        wire.b.handle_line(Instant::ZERO, true);
        wire.step();
        assert_eq!(wire.take(true), vec![StackEvent::LinkUp]);
        assert_eq!(wire.take(false), vec![StackEvent::LinkUp]);
        // Both sent idle on every channel at start, and heard the other's 2 ms later: the
        // trace has it all, and nothing changed.
        assert_eq!(wire.in_flight.len(), 60);
        for _ in 0..4 {
            wire.step();
        }
        for end in [&mut wire.a, &mut wire.b] {
            let startup: Vec<CasTraceRecord> = std::iter::from_fn(|| end.poll_trace()).collect();
            assert_eq!(startup.len(), 60);
            let idle = CasTraceEvent::Abcd { abcd: 0xB, signal: LineSignal::Idle };
            assert!(
                startup[..30]
                    .iter()
                    .all(|r| (r.at, r.direction, r.event) == (ms(0), TraceDirection::Sent, idle))
            );
            assert!(
                startup[30..]
                    .iter()
                    .all(|r| (r.at, r.direction, r.event) == (ms(2), TraceDirection::Received, idle))
            );
            let timeslots: Vec<u8> = startup[30..].iter().map(|r| r.timeslot).collect();
            assert_eq!(timeslots, E1_TIMESLOTS);
        }
        assert!(wire.take(true).is_empty() && wire.take(false).is_empty());
        wire
    }

    fn take(&mut self, a: bool) -> Vec<StackEvent> {
        self.collect();
        std::mem::take(if a { &mut self.a_events } else { &mut self.b_events })
    }

    fn collect(&mut self) {
        while let Some(event) = self.a.poll_event() {
            self.a_events.push(event);
        }
        while let Some(event) = self.b.poll_event() {
            self.b_events.push(event);
        }
    }

    fn step(&mut self) {
        let now = self.now;
        let mut i = 0;
        while i < self.in_flight.len() {
            let (due, to_b, timeslot, abcd) = self.in_flight[i];
            if due <= now {
                self.in_flight.remove(i);
                let end = if to_b { &mut self.b } else { &mut self.a };
                end.handle_abcd(now, timeslot, abcd);
            } else {
                i += 1;
            }
        }
        for end in [&mut self.a, &mut self.b] {
            if end.poll_timeout().is_some_and(|deadline| deadline <= now) {
                end.handle_timeout(now);
            }
        }
        let block_end = now + Duration::from_micros(875);
        for &ts in &E1_TIMESLOTS {
            let mut from_a = [0i16; BLOCK];
            let mut from_b = [0i16; BLOCK];
            if self.a.register_audio(ts) == RegisterAudio::Sending {
                self.a.fill_audio(ts, &mut from_a);
            }
            if self.b.register_audio(ts) == RegisterAudio::Sending {
                self.b.fill_audio(ts, &mut from_b);
            }
            for sample in from_a.iter_mut().chain(from_b.iter_mut()) {
                *sample = alaw_to_linear(linear_to_alaw(*sample));
            }
            if self.b.register_audio(ts) != RegisterAudio::Off {
                self.b.handle_audio(block_end, ts, &from_a);
            }
            if self.a.register_audio(ts) != RegisterAudio::Off {
                self.a.handle_audio(block_end, ts, &from_b);
            }
        }
        let due = now + Duration::from_millis(2);
        while let Some((ts, abcd)) = self.a.poll_abcd() {
            self.in_flight.push((due, true, ts, abcd));
        }
        while let Some((ts, abcd)) = self.b.poll_abcd() {
            self.in_flight.push((due, false, ts, abcd));
        }
        self.collect();
        self.now += Duration::from_millis(1);
    }

    /// Steps until `done` holds; panics after `limit_ms`.
    fn run_until(&mut self, limit_ms: u64, what: &str, mut done: impl FnMut(&Wire) -> bool) {
        for _ in 0..limit_ms {
            self.step();
            if done(self) {
                return;
            }
        }
        panic!("{what}: not within {limit_ms} ms; A {:?}, B {:?}", self.a_events, self.b_events);
    }

    fn incoming(&mut self) -> (StackCall, String, Option<String>, Option<u8>) {
        self.run_until(10_000, "the call offered", |w| {
            w.b_events.iter().any(|e| matches!(e, StackEvent::Incoming { .. }))
        });
        let events = self.take(false);
        match &events[..] {
            [StackEvent::Incoming { call, called, calling, timeslot }] => {
                (*call, called.clone(), calling.clone(), *timeslot)
            }
            other => panic!("{other:?}"),
        }
    }

    fn all_idle(&self) -> bool {
        self.a.channels().iter().chain(self.b.channels().iter()).all(|c| c.line == LineState::Idle)
    }
}

fn channel(stack: &No1Stack, timeslot: u8) -> ChannelStatus {
    stack.channels().into_iter().find(|c| c.timeslot == timeslot).unwrap()
}

#[test]
fn a_call_with_ani_reads_in_the_common_model_from_seizure_to_clear() {
    let mut w = Wire::new();
    assert_eq!(
        (w.a.description(), w.a.signaling_channel(), w.a.is_network_side()),
        ("China No.1", SignalingChannel::Cas, false)
    );
    let call = w.a.place_call(w.now, "12345678", Some("87654321")).unwrap();
    assert_eq!(w.a.timeslot(call), Some(1));
    assert_eq!(w.a.state_text(call), "seizure sent");
    let (incoming, called, calling, timeslot) = w.incoming();
    assert_eq!((called.as_str(), calling.as_deref(), timeslot), ("12345678", Some("87654321"), Some(1)));
    assert_eq!(w.b.state_text(incoming), "register signaling (in)");
    assert_eq!(channel(&w.b, 1).line, LineState::Seized);
    w.b.alert(w.now, incoming).unwrap();
    w.b.answer(w.now, incoming).unwrap();
    w.run_until(5000, "the call answered", |w| {
        w.a_events.iter().any(|e| matches!(e, StackEvent::Connected { .. }))
    });
    assert_eq!(
        w.take(true),
        vec![
            StackEvent::Proceeding { call },
            StackEvent::Signal { call, text: "B1: called line free, charge".into() },
            StackEvent::Alerting { call },
            StackEvent::Connected { call },
        ]
    );
    assert_eq!(
        w.take(false),
        vec![
            StackEvent::Signal { call: incoming, text: "B1: called line free, charge".into() },
            StackEvent::Connected { call: incoming }
        ]
    );
    let ours = channel(&w.a, 1);
    assert_eq!(
        (ours.line, ours.detail, ours.tx_abcd, ours.rx_abcd),
        (LineState::Answered, "answered (out)", 0x3, 0x7)
    );
    let theirs = channel(&w.b, 1);
    assert_eq!(
        (theirs.line, theirs.detail, theirs.tx_abcd, theirs.rx_abcd),
        (LineState::Answered, "answered (in)", 0x7, 0x3)
    );
    assert_eq!(w.a.register_audio(1), RegisterAudio::Off, "the channel is the call's once answered");

    w.a.hangup(w.now, call, Cause::NormalClearing).unwrap();
    assert_eq!(
        w.take(true),
        vec![StackEvent::Released { call, cause: Cause::NormalClearing, remote: false }]
    );
    assert_eq!(channel(&w.a, 1).line, LineState::Clearing);
    w.run_until(1000, "both ends idle", Wire::all_idle);
    assert_eq!(
        w.take(false),
        vec![StackEvent::Released { call: incoming, cause: Cause::NormalClearing, remote: true }]
    );
    assert_eq!(w.a.state_text(call), "");
    assert_eq!(w.a.timeslot(call), None);
    for c in w.a.channels().iter().chain(w.b.channels().iter()) {
        assert_eq!((c.tx_abcd, c.rx_abcd, c.detail), (0xB, 0xB, "idle"), "ts {}", c.timeslot);
    }
    assert_eq!(w.a.channels().len(), 30);
}

#[test]
fn the_trace_has_every_line_signal_and_register_signal_of_a_call() {
    let mut w = Wire::new();
    let call = w.a.place_call(w.now, "12345678", Some("87654321")).unwrap();
    let (incoming, ..) = w.incoming();
    w.b.alert(w.now, incoming).unwrap();
    w.b.answer(w.now, incoming).unwrap();
    w.run_until(5000, "answered", |w| w.a_events.iter().any(|e| matches!(e, StackEvent::Connected { .. })));
    w.a.hangup(w.now, call, Cause::NormalClearing).unwrap();
    w.run_until(1000, "idle", Wire::all_idle);
    let call_records: Vec<CasTraceRecord> = std::iter::from_fn(|| w.a.poll_trace()).collect();
    assert!(call_records.iter().all(|r| r.timeslot == 1));
    let line: Vec<(TraceDirection, u8, LineSignal)> = call_records
        .iter()
        .filter_map(|r| match r.event {
            CasTraceEvent::Abcd { abcd, signal } => Some((r.direction, abcd, signal)),
            _ => None,
        })
        .collect();
    use TraceDirection::{Received, Sent};
    assert_eq!(
        line,
        vec![
            (Sent, 0x3, LineSignal::Seize),
            (Received, 0xF, LineSignal::SeizeAckOrClearBack),
            (Received, 0x7, LineSignal::Answer),
            (Sent, 0xB, LineSignal::Idle),
            (Received, 0xB, LineSignal::Idle),
        ]
    );
    // Seized at 5 ms; the far end hears it at 7, recognises it 20 ms later and acknowledges,
    // which arrives here 2 ms after that. The first digit goes out as the acknowledgement is
    // recognised, 20 ms later again.
    assert_eq!((call_records[0].at, call_records[1].at, call_records[2].at), (ms(5), ms(29), ms(49)));
    assert_eq!(
        call_records[2].event,
        CasTraceEvent::Register { code: 1, edge: RegisterEdge::On, meaning: Some(Meaning::Digit(1)) }
    );
    let tones = |direction: TraceDirection, edge: RegisterEdge| -> Vec<u8> {
        call_records
            .iter()
            .filter(|r| r.direction == direction)
            .filter_map(|r| match r.event {
                CasTraceEvent::Register { code, edge: e, .. } if e == edge => Some(code),
                _ => None,
            })
            .collect()
    };
    // DNIS, KA1, ANI, end of ANI (I-15), KD3.
    let sent = [1, 2, 3, 4, 5, 6, 7, 8, 1, 8, 7, 6, 5, 4, 3, 2, 1, 15, 3];
    assert_eq!(tones(Sent, RegisterEdge::On), sent);
    assert_eq!(tones(Sent, RegisterEdge::Off), sent, "every signal ended");
    // A1 x7, A6 (send category), A1 after KA and after each ANI digit, A3, B1.
    let received = [1, 1, 1, 1, 1, 1, 1, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3, 1];
    assert_eq!(tones(Received, RegisterEdge::On), received);
    assert_eq!(tones(Received, RegisterEdge::Off), received);
    let meanings: Vec<String> = call_records
        .iter()
        .filter_map(|r| match r.event {
            CasTraceEvent::Register { meaning: Some(m), .. } => Some(MeaningText(m).to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(&meanings[..3], ["DNIS digit 1", "A: send next digit", "DNIS digit 2"]);
    assert_eq!(
        &meanings[meanings.len() - 4..],
        [
            "end of ANI",
            "A: address complete, change to group B",
            "group II KD3",
            "B: called line free, charge"
        ]
    );
    assert_eq!(w.a.trace_dropped(), 0);
}

#[test]
fn refusals_reach_the_caller_with_the_cause_of_their_group_b_signal() {
    for (refusal, signal, cause) in [
        (Cause::UserBusy, "B2: called line busy", Cause::UserBusy),
        (Cause::UnallocatedNumber, "B5: unallocated number", Cause::UnallocatedNumber),
        (Cause::CallRejected, "B4: congestion", Cause::SwitchingEquipmentCongestion),
    ] {
        let mut w = Wire::new();
        let call = w.a.place_call(w.now, "12345678", None).unwrap();
        let (incoming, _, calling, _) = w.incoming();
        assert_eq!(calling, None, "no ANI: end of ANI at once");
        w.b.hangup(w.now, incoming, refusal).unwrap();
        assert_eq!(
            w.take(false),
            vec![
                StackEvent::Signal { call: incoming, text: signal.into() },
                StackEvent::Released { call: incoming, cause: refusal, remote: false }
            ]
        );
        w.run_until(3000, "idle again", Wire::all_idle);
        assert_eq!(
            w.take(true),
            vec![
                StackEvent::Proceeding { call },
                StackEvent::Signal { call, text: signal.into() },
                StackEvent::Released { call, cause, remote: true },
            ],
            "{refusal:?}"
        );
    }
}

#[test]
fn dual_seizure_releases_both_calls_with_cause_44() {
    let mut w = Wire::new();
    let ours = w.a.place_call(w.now, "1", None).unwrap();
    let theirs = w.b.place_call(w.now, "2", None).unwrap();
    assert_eq!((w.a.timeslot(ours), w.b.timeslot(theirs)), (Some(1), Some(1)));
    w.run_until(2000, "idle again", |w| w.all_idle() && !w.a_events.is_empty() && !w.b_events.is_empty());
    let cause = Cause::RequestedChannelNotAvailable;
    assert_eq!(w.take(true), vec![StackEvent::Released { call: ours, cause, remote: false }]);
    assert_eq!(w.take(false), vec![StackEvent::Released { call: theirs, cause, remote: false }]);
}

#[test]
fn losing_the_line_gives_calls_up_and_refuses_new_ones() {
    let mut w = Wire::new();
    let call = w.a.place_call(w.now, "12345678", None).unwrap();
    let (incoming, ..) = w.incoming();
    w.b.alert(w.now, incoming).unwrap();
    w.b.answer(w.now, incoming).unwrap();
    w.run_until(5000, "answered", |w| w.a_events.iter().any(|e| matches!(e, StackEvent::Connected { .. })));
    w.take(true);
    w.take(false);
    w.a.handle_line(w.now, false);
    assert_eq!(
        w.take(true),
        vec![
            StackEvent::LinkDown,
            StackEvent::Released { call, cause: Cause::TemporaryFailure, remote: false }
        ]
    );
    assert!(!w.a.is_link_up());
    // Reset: idle sent, the far end's answer still received.
    let reset = channel(&w.a, 1);
    assert_eq!((reset.line, reset.tx_abcd, reset.rx_abcd), (LineState::Fault, 0xB, 0x7));
    assert_eq!(w.a.place_call(w.now, "1", None), Err(CallError::LinkDown));
    // The far end takes the idle as a clear-forward and returns to idle, and so does A.
    w.run_until(1000, "idle again", Wire::all_idle);
    assert_eq!(
        w.take(false),
        vec![StackEvent::Released { call: incoming, cause: Cause::NormalClearing, remote: true }]
    );
    w.a.handle_line(w.now, true);
    assert_eq!(w.take(true), vec![StackEvent::LinkUp]);
    assert!(w.a.place_call(w.now, "1", None).is_ok());
}

#[test]
fn a_restart_resets_every_circuit() {
    let mut w = Wire::new();
    let call = w.a.place_call(w.now, "12345678", None).unwrap();
    w.run_until(100, "register signaling", |w| channel(&w.a, 1).detail == "register signaling (out)");
    w.take(true);
    w.a.restart(w.now).unwrap();
    assert_eq!(
        w.take(true),
        vec![
            StackEvent::Released { call, cause: Cause::TemporaryFailure, remote: false },
            StackEvent::RestartCompleted
        ]
    );
    w.run_until(5000, "idle again", Wire::all_idle);
}

#[test]
fn commands_that_cannot_be_carried_out_say_why() {
    let mut w = Wire::new();
    let now = w.now;
    let bad = |number: &str| CallError::UnsignalableNumber { number: number.into(), allowed: NUMBER_RULE };
    assert_eq!(w.a.place_call(now, "12a", None), Err(bad("12a")));
    assert_eq!(w.a.place_call(now, "", None), Err(bad("")));
    assert_eq!(w.a.place_call(now, "1", Some("1*")), Err(bad("1*")));
    assert_eq!(w.a.place_call(now, &"1".repeat(33), None), Err(bad(&"1".repeat(33))));
    assert!(w.a.place_call(now, &"1".repeat(32), None).is_ok(), "32 digits are the most");
    for _ in 1..30 {
        w.a.place_call(now, "1", None).unwrap();
    }
    assert_eq!(w.a.place_call(now, "1", None), Err(CallError::NoChannel));
    let nobody = StackCall(99 << 16 | 1);
    assert_eq!(w.a.hangup(now, nobody, Cause::NormalClearing), Err(CallError::WrongState("ended".into())));
    assert_eq!(
        w.a.hangup(now, StackCall(u32::MAX), Cause::NormalClearing),
        Err(CallError::WrongState("ended".into()))
    );
    let first = stack_call(CallId { timeslot: 1, generation: 1 });
    assert_eq!(w.a.alert(now, first), Err(CallError::WrongState("seizure sent".into())));
    assert_eq!(w.a.answer(now, first), Err(CallError::WrongState("seizure sent".into())));
    let mut down = No1Stack::new(&config(None)).unwrap();
    assert_eq!(down.place_call(now, "1", None), Err(CallError::LinkDown));
    assert_eq!(down.poll_transmit(now, &mut [0; 8]), None);
}

#[test]
fn call_numbers_carry_timeslot_and_generation() {
    let id = CallId { timeslot: 31, generation: 65535 };
    assert_eq!(stack_call(id), StackCall(0x1F_FFFF));
    assert_eq!(call_id(stack_call(id)), id);
    assert_eq!(call_id(StackCall(1)), CallId { timeslot: 0, generation: 1 });
    assert_eq!(call_id(StackCall(u32::MAX)), CallId { timeslot: 0, generation: 65535 }, "no such timeslot");
}

#[test]
fn spans_are_configured_by_variant_and_operator_overrides() {
    assert_eq!(No1Variant::parse("china"), Some(No1Variant::China));
    assert_eq!(No1Variant::parse("itu").map(No1Variant::name), Some("itu"));
    assert_eq!(No1Variant::parse("mexico"), None);
    let itu = No1Stack::new(&No1SpanConfig::new(No1Variant::Itu)).unwrap();
    assert_eq!(itu.description(), "R2 (ITU-T)");
    assert_eq!(channel(&itu, 17).tx_abcd, 0x9, "ITU idle has c = 0");
    let mut config = No1SpanConfig::new(No1Variant::China);
    config.set("line.backward_answer", "0101").unwrap();
    config.set("timer.end_of_number", "3000").unwrap();
    assert_eq!(config.circuit.line.backward_answer, 0x5);
    assert_eq!(config.set("line.colour", "1").unwrap_err(), "unknown No.1 setting \"line.colour\"");
    assert_eq!(config.set("dnis_length", "x").unwrap_err(), "dnis_length = \"x\" does not parse");
    config.set("line.backward_answer", "0xB").unwrap();
    assert_eq!(
        No1Stack::new(&config).err().as_deref(),
        Some("line codes backward_idle and backward_answer cannot be told apart")
    );
}

#[test]
fn meanings_read_as_words() {
    assert_eq!(MeaningText(Meaning::A(GroupA::SendCategory)).to_string(), "A: send category");
    assert_eq!(MeaningText(Meaning::B(GroupB::BusyToll)).to_string(), "B: called line busy (toll)");
    assert_eq!(MeaningText(Meaning::AniDigit(0)).to_string(), "ANI digit 0");
    assert_eq!(final_signal(Meaning::A(GroupA::NextDigit)), None);
    assert_eq!(final_signal(Meaning::A(GroupA::Unallocated)).as_deref(), Some("unallocated number"));
    assert_eq!(line_state(CircuitState::ClearBackSent), LineState::Clearing);
    assert_eq!(line_state(CircuitState::RemotelyBlocked).as_str(), "blocked");
    assert_eq!(line_state(CircuitState::Fault).as_str(), "fault");
}
