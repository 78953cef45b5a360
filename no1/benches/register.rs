//! Register-signaling benchmark: how long, in virtual time, a complete China No.1 register
//! exchange takes (8-digit DNIS, KA, 8-digit ANI, end of ANI, KD, group B: 19 compelled
//! cycles), against the floor the compelled cycle allows; and the CPU it costs per channel.
//! OpenR2 1.3.3's figures beside ours where measurable.
//!
//! Run: `cargo bench -p tdm-no1 --bench register` (figures are medians of 5 runs).

#[path = "../tests/openr2_bridge/mod.rs"]
mod openr2_bridge;

use std::time::Instant as WallClock;
use tdm_base::{Duration, Instant};
use tdm_dsp::g711::{ALAW_IDLE, alaw_to_linear, linear_to_alaw};
use tdm_no1::pair::{End, Pair};
use tdm_no1::trace::{TraceDirection, TraceKind};
use tdm_no1::{CircuitConfig, Event, OutgoingCall};
use tdm_peer_openr2::{AVAILABLE, CallMode, Category, Config, OpenR2, Or2Event, Variant, set_virtual_time};

const RUNS: usize = 5;
const DNIS: &str = "12345678";
const ANI: &str = "87654321";
/// Forward signals of the exchange: 8 DNIS digits, KA, 8 ANI digits, end of ANI, KD.
const CYCLES: u64 = 19;
/// The fastest start and end recognition of `tdm_dsp`'s R2 receiver (its module documentation:
/// a signal is reported 17–25 ms after it starts, its end 5–14 ms after it stops).
const FASTEST_START_MS: u64 = 17;
const FASTEST_END_MS: u64 = 5;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn config() -> CircuitConfig {
    let mut config = CircuitConfig::china();
    config.dnis_length = Some(8);
    config
}

/// Both ends this stack: `calls` calls at once; returns (virtual ms from seizure to the last
/// "free" signal, virtual ms of the register phase of the first call, wall seconds spent).
fn ours(calls: usize) -> (f64, f64, f64) {
    let mut pair = Pair::new(config(), config());
    let request = OutgoingCall::new(DNIS, Some(ANI)).expect("numbers");
    for _ in 0..calls {
        pair.a.place_call(pair.now, &request).expect("circuit");
    }
    let start = pair.now;
    let wall = WallClock::now();
    let mut alerting = 0;
    pair.run_while(Duration::from_secs(10), |p| {
        for event in p.take_events(End::B) {
            if let Event::Incoming(call) = event {
                let now = p.now;
                p.b.accept(now, call.call).expect("accept");
            }
        }
        alerting += p.take_events(End::A).iter().filter(|e| matches!(e, Event::Alerting { .. })).count();
        alerting == calls
    });
    let spent = wall.elapsed().as_secs_f64();
    let total = (pair.now - start).as_secs_f64() * 1000.0;
    let trace = pair.a.circuit(1).expect("ts 1").trace();
    let first_on = trace
        .entries()
        .find(|e| e.direction == TraceDirection::Sent && matches!(e.kind, TraceKind::ToneOn { .. }))
        .map(|e| e.at);
    let last_off = trace
        .entries()
        .filter(|e| e.direction == TraceDirection::Received && matches!(e.kind, TraceKind::ToneOff { .. }))
        .last()
        .map(|e| e.at);
    let register = match (first_on, last_off) {
        (Some(on), Some(off)) => (off - on).as_secs_f64() * 1000.0,
        _ => f64::NAN,
    };
    (total, register, spent)
}

/// This stack calling OpenR2 (China): virtual ms from seizure to our "free".
fn ours_to_openr2() -> Option<f64> {
    let theirs = Config { max_ani: 20, ..Config::china(8) };
    let mut bridge = openr2_bridge::Bridge::new(config(), &theirs)?;
    let request = OutgoingCall::new(DNIS, Some(ANI))?;
    bridge.ours.place_call(bridge.now, &request).ok()?;
    let done = bridge.run(Duration::from_secs(10), |b| {
        if b.their_events.iter().any(|(_, e)| matches!(e, Or2Event::Offered { .. }))
            && !b.their_events.iter().any(|(_, e)| matches!(e, Or2Event::Accepted(_)))
        {
            b.theirs.accept(CallMode::WithCharge);
            b.their_events.push((b.now, Or2Event::Accepted(-1)));
        }
        b.we_said(|e| matches!(e, Event::Alerting { .. }))
    });
    done.then(|| bridge.now.as_micros() as f64 / 1000.0)
}

/// Two OpenR2 channels per pair on one virtual timeslot each, 20 ms buffers as DAHDI gives
/// them: `pairs` calls at once (ITU variant: OpenR2's China calling side cannot send ANI).
/// Returns (virtual ms to the last accepted call, wall seconds spent).
fn openr2_to_openr2(pairs: usize) -> Option<(f64, f64)> {
    const EPOCH_US: u64 = 1_000_000_000_000;
    const BLOCK: usize = 40;
    set_virtual_time(EPOCH_US);
    let mut ends = Vec::new();
    for i in 0..pairs {
        let channel = i32::try_from(i).ok()? + 1;
        let config = Config {
            variant: Variant::Itu,
            channel,
            max_ani: 8,
            max_dnis: 8,
            ani_first: false,
            initial_rx_abcd: 0x9,
        };
        let mut calling = OpenR2::new(&config)?;
        let called = OpenR2::new(&config)?;
        if !calling.make_call(ANI, DNIS, Category::NationalSubscriber) {
            return None;
        }
        ends.push((calling, called, false, false));
    }
    let wall = WallClock::now();
    let mut now = Instant::ZERO;
    let limit = Instant::from_secs(10);
    let mut a = [ALAW_IDLE; BLOCK];
    let mut b = [ALAW_IDLE; BLOCK];
    while now < limit {
        set_virtual_time(EPOCH_US + now.as_micros());
        for (calling, called, offered, accepted) in &mut ends {
            called.set_rx_abcd(calling.tx_abcd());
            calling.set_rx_abcd(called.tx_abcd());
            calling.process();
            called.process();
            a.fill(ALAW_IDLE);
            b.fill(ALAW_IDLE);
            calling.take_audio(&mut a);
            called.take_audio(&mut b);
            // The same A-law path as ours: decode and encode again.
            for octet in a.iter_mut().chain(b.iter_mut()) {
                *octet = linear_to_alaw(alaw_to_linear(*octet));
            }
            called.push_audio(&a);
            calling.push_audio(&b);
            while let Some(event) = called.poll_event() {
                if matches!(event, Or2Event::Offered { .. }) {
                    *offered = true;
                }
            }
            if *offered && !*accepted {
                called.accept(CallMode::WithCharge);
            }
            while let Some(event) = calling.poll_event() {
                if matches!(event, Or2Event::Accepted(_)) {
                    *accepted = true;
                }
            }
        }
        now += Duration::from_micros(125 * BLOCK as u64);
        if ends.iter().all(|(_, _, _, accepted)| *accepted) {
            return Some((now.as_micros() as f64 / 1000.0, wall.elapsed().as_secs_f64()));
        }
    }
    None
}

fn main() {
    let floor = CYCLES * (2 * FASTEST_START_MS + 2 * FASTEST_END_MS);
    println!(
        "China No.1 register exchange: 8-digit DNIS + KA + 8-digit ANI + I-15 + KD + B1 ({CYCLES} cycles)"
    );
    println!(
        "floor: {CYCLES} cycles x (2 x {FASTEST_START_MS} ms start + 2 x {FASTEST_END_MS} ms end recognition) = {floor} ms"
    );
    println!();

    let mut totals = Vec::new();
    let mut registers = Vec::new();
    for _ in 0..RUNS {
        let (total, register, _) = ours(1);
        totals.push(total);
        registers.push(register);
    }
    let (total, register) = (median(totals), median(registers));
    println!("virtual time (1 ms blocks, CAS delay 2 ms, recognition 20 ms):");
    println!(
        "  tdm-no1 <-> tdm-no1      seizure to B1: {total:7.1} ms   register phase: {register:7.1} ms = {:.2} x floor, {:.1} ms/cycle",
        register / floor as f64,
        register / CYCLES as f64
    );
    match ours_to_openr2() {
        Some(ms) => println!(
            "  tdm-no1  -> OpenR2 CN    seizure to B1: {ms:7.1} ms   (OpenR2 reads and writes 20 ms buffers)"
        ),
        None => println!("  tdm-no1  -> OpenR2 CN    not measured (OpenR2 not available)"),
    }
    let mut or2_times = Vec::new();
    for _ in 0..RUNS {
        if let Some((ms, _)) = openr2_to_openr2(1) {
            or2_times.push(ms);
        }
    }
    if or2_times.is_empty() {
        println!("  OpenR2  <-> OpenR2 ITU   not measured (OpenR2 not available)");
    } else {
        println!(
            "  OpenR2  <-> OpenR2 ITU   seizure to accept: {:7.1} ms   (same 19 cycles; CN cannot carry ANI between two OpenR2)",
            median(or2_times)
        );
    }
    println!();

    // CPU: 30 calls at once, both ends, whole register phase.
    let calls = 30;
    let mut per_channel = Vec::new();
    let mut virtual_ms = Vec::new();
    for _ in 0..RUNS {
        let (total, _, spent) = ours(calls);
        // Both ends run a circuit per call for `total` ms of signaling.
        per_channel.push(spent / (2.0 * calls as f64) / (total / 1000.0) * 1e6);
        virtual_ms.push(total);
    }
    let ours_cpu = median(per_channel);
    println!(
        "CPU per channel while register signaling ({calls} calls at once, both ends, median of {RUNS}):"
    );
    println!(
        "  tdm-no1   {ours_cpu:8.1} us per second of signaling = {:.3} % of a core per channel ({:.0} channels per core); all 60 done in {:.0} ms",
        ours_cpu / 1e4,
        1e6 / ours_cpu,
        median(virtual_ms)
    );
    if AVAILABLE {
        let pairs = 15;
        let mut per_channel = Vec::new();
        for _ in 0..RUNS {
            if let Some((ms, spent)) = openr2_to_openr2(pairs) {
                per_channel.push(spent / (2.0 * pairs as f64) / (ms / 1000.0) * 1e6);
            }
        }
        if !per_channel.is_empty() {
            let theirs = median(per_channel);
            println!(
                "  OpenR2    {theirs:8.1} us per second of signaling = {:.3} % of a core per channel ({:.0} channels per core; {pairs} ITU calls, 30 channels)",
                theirs / 1e4,
                1e6 / theirs
            );
        }
    } else {
        println!("  OpenR2    not measured (OpenR2 not available)");
    }
    println!("  (both include the harness's A-law conversion; ours also its 1 ms block loop)");
}
