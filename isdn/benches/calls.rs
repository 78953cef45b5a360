//! Complete call cycles per second on one core, through LAPD and Q.931 on both sides:
//! SETUP, CALL PROCEEDING, ALERTING, CONNECT, CONNECT ACKNOWLEDGE, DISCONNECT, RELEASE,
//! RELEASE COMPLETE, with the Q.921 acknowledgements between them. 30 calls are in flight at a
//! time (one per B-channel of an E1), placed by the user side, answered by the network side,
//! cleared by the user side.
//!
//! The same cycle runs between two libpri instances over the same in-memory transport: frames
//! handed from one side's output straight to the other's input, events handled as they come,
//! the called side answering with CALL PROCEEDING, ALERTING and CONNECT. Neither side's timers
//! fire during a run (virtual time stands still for both).
//!
//! "Per core" is counted in the thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`), not wall time,
//! and the two are measured in alternating slices of 50 ms within each run: on a machine other
//! work shares, time the thread spends descheduled counts for neither, and whatever slows the
//! caches down slows both alike.
//!
//! Run: `cargo bench -p tdm-isdn --bench calls`.

use std::hint::black_box;
use std::time::Duration;
use tdm_base::Cause;
use tdm_isdn::Side;
use tdm_isdn::q931::{ChannelRequest, Event, Interface, InterfaceConfig, OutgoingCall};
use tdm_isdn::wire::lapd::MAX_FRAME_LEN;
use tdm_peer_libpri::{LibPri, PriEvent, PriSide};

const CALLS_IN_FLIGHT: usize = 30;
const RUNS: usize = 5;
/// CPU time each side gets per slice, and slices per run (so 700 ms each per run).
const SLICE: Duration = Duration::from_millis(50);
const SLICES: usize = 14;

/// CPU time this thread has used.
fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec for the call to fill; the clock id is a constant.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "CLOCK_THREAD_CPUTIME_ID");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Runs `batch` until the thread has used `slice` of CPU time; returns cycles and CPU time.
fn run_slice(slice: Duration, mut batch: impl FnMut() -> usize) -> (usize, Duration) {
    let start = thread_cpu_time();
    let mut cycles = 0;
    loop {
        cycles += batch();
        let used = thread_cpu_time() - start;
        if used >= slice {
            return (cycles, used);
        }
    }
}

/// This stack on both sides, driven like the libpri pair below: frames go straight from one
/// side's output to the other's input, events are handled as they come.
struct OursPair {
    network: Interface,
    user: Interface,
    now: tdm_base::Instant,
    buffer: [u8; MAX_FRAME_LEN],
    connected: usize,
    released: usize,
}

impl OursPair {
    fn drive(&mut self) {
        loop {
            let mut moved = false;
            while let Some(len) = self.user.poll_transmit(self.now, &mut self.buffer) {
                moved = true;
                self.network.handle_frame(self.now, &self.buffer[..len]);
            }
            while let Some(event) = self.network.poll_event() {
                if let Event::Incoming { call, .. } = event {
                    let _ = self.network.alert(call, false);
                    let _ = self.network.answer(self.now, call);
                }
            }
            while let Some(len) = self.network.poll_transmit(self.now, &mut self.buffer) {
                moved = true;
                self.user.handle_frame(self.now, &self.buffer[..len]);
            }
            while let Some(event) = self.user.poll_event() {
                match event {
                    Event::Connected { .. } => self.connected += 1,
                    Event::Released { .. } => self.released += 1,
                    _ => {}
                }
            }
            if !moved {
                break;
            }
        }
    }

    /// One batch of 30 call cycles; returns the cycles completed.
    fn batch(&mut self, requests: &[OutgoingCall]) -> usize {
        self.connected = 0;
        self.released = 0;
        let mut calls = [None; CALLS_IN_FLIGHT];
        for (slot, request) in calls.iter_mut().zip(requests) {
            *slot = self.user.place_call(self.now, request).ok();
        }
        self.drive();
        for call in calls.iter().flatten() {
            let _ = self.user.hangup(self.now, *call, Cause::NormalClearing);
        }
        self.drive();
        assert_eq!(
            (self.connected, self.released),
            (CALLS_IN_FLIGHT, CALLS_IN_FLIGHT),
            "every call completes"
        );
        self.released
    }
}

fn ours_pair() -> (OursPair, Vec<OutgoingCall>) {
    let mut pair = OursPair {
        network: Interface::new(InterfaceConfig::new(Side::Network)),
        user: Interface::new(InterfaceConfig::new(Side::User)),
        now: tdm_base::Instant::ZERO,
        buffer: [0; MAX_FRAME_LEN],
        connected: 0,
        released: 0,
    };
    pair.network.start(pair.now);
    pair.user.start(pair.now);
    pair.drive();
    let requests: Vec<OutgoingCall> = (0..CALLS_IN_FLIGHT)
        .map(|i| {
            let mut request = OutgoingCall::new(&format!("1008{i:02}")).unwrap();
            request.calling = tdm_isdn::wire::ie::PartyNumber::unknown_isdn("88880001");
            request.channel = ChannelRequest::Any;
            request
        })
        .collect();
    pair.batch(&requests);
    (pair, requests)
}

struct PriPair {
    network: LibPri,
    user: LibPri,
    buffer: [u8; 600],
    connected: usize,
    released: usize,
    user_calls: Vec<tdm_peer_libpri::PriCall>,
}

impl PriPair {
    fn drive(&mut self) {
        loop {
            let mut moved = false;
            while let Some(len) = self.user.take_frame(&mut self.buffer) {
                moved = true;
                if let Some(event) = self.network.receive(&self.buffer[..len]) {
                    self.network_event(event);
                }
            }
            while let Some(len) = self.network.take_frame(&mut self.buffer) {
                moved = true;
                if let Some(event) = self.user.receive(&self.buffer[..len]) {
                    self.user_event(event);
                }
            }
            if !moved {
                break;
            }
        }
    }

    fn network_event(&mut self, event: PriEvent) {
        match event {
            PriEvent::Ring { call, channel, .. } => {
                self.network.proceeding(call, channel);
                self.network.acknowledge(call, channel);
                self.network.answer(call, channel);
            }
            PriEvent::HangupReq { call, cause } | PriEvent::Hangup { call, cause } => {
                self.network.hangup(call, cause);
            }
            _ => {}
        }
    }

    fn user_event(&mut self, event: PriEvent) {
        match event {
            PriEvent::Answer { .. } => self.connected += 1,
            PriEvent::HangupReq { call, cause } => {
                self.user.hangup(call, cause);
            }
            // The RELEASE answering our DISCONNECT: hanging up again sends RELEASE COMPLETE.
            PriEvent::Hangup { call, cause } => {
                self.user.hangup(call, cause);
                self.released += 1;
            }
            _ => {}
        }
    }

    fn batch(&mut self) -> usize {
        self.connected = 0;
        self.released = 0;
        self.user_calls.clear();
        for ts in (1..=15).chain(17..=31) {
            if let Some(call) = self.user.call("100800", Some("88880001"), ts, true) {
                self.user_calls.push(call);
            }
        }
        self.drive();
        let calls = std::mem::take(&mut self.user_calls);
        for call in &calls {
            self.user.hangup(*call, 16);
        }
        self.user_calls = calls;
        self.drive();
        assert_eq!(
            (self.connected, self.released),
            (CALLS_IN_FLIGHT, CALLS_IN_FLIGHT),
            "every libpri call completes"
        );
        self.released
    }
}

fn libpri_pair() -> Option<PriPair> {
    tdm_peer_libpri::set_virtual_time(1_000_000_000_000);
    let mut pair = PriPair {
        network: LibPri::new(PriSide::Network)?,
        user: LibPri::new(PriSide::User)?,
        buffer: [0; 600],
        connected: 0,
        released: 0,
        user_calls: Vec::with_capacity(CALLS_IN_FLIGHT),
    };
    pair.drive();
    pair.batch();
    Some(pair)
}

/// One run: both sides in alternating slices. Returns cycles per CPU-second of ours, and of
/// libpri when it is available.
fn run(slices: usize) -> (f64, Option<f64>) {
    let (mut ours, requests) = ours_pair();
    let mut libpri = if tdm_peer_libpri::AVAILABLE { libpri_pair() } else { None };
    let (mut ours_cycles, mut ours_time) = (0, Duration::ZERO);
    let (mut pri_cycles, mut pri_time) = (0, Duration::ZERO);
    for _ in 0..slices {
        let (cycles, time) = run_slice(SLICE, || black_box(&mut ours).batch(&requests));
        ours_cycles += cycles;
        ours_time += time;
        if let Some(pair) = libpri.as_mut() {
            let (cycles, time) = run_slice(SLICE, || black_box(&mut *pair).batch());
            pri_cycles += cycles;
            pri_time += time;
        }
    }
    let rate = |cycles: usize, time: Duration| cycles as f64 / time.as_secs_f64();
    (rate(ours_cycles, ours_time), libpri.is_some().then(|| rate(pri_cycles, pri_time)))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    // `cargo test --benches` runs this without `--bench`: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let (runs, slices) = if quick { (1, 2) } else { (RUNS, SLICES) };
    let mut ours = Vec::new();
    let mut libpri = Vec::new();
    let mut ratios = Vec::new();
    for _ in 0..runs {
        let (ours_run, libpri_run) = run(slices);
        ours.push(ours_run);
        if let Some(libpri_run) = libpri_run {
            libpri.push(libpri_run);
            ratios.push(ours_run / libpri_run);
        }
    }
    println!(
        "call cycles per CPU-second, {CALLS_IN_FLIGHT} calls in flight, median of {runs} runs \
         ({} ms of CPU each per run, in alternating slices):",
        SLICE.as_millis() as usize * slices
    );
    println!("  tdm-isdn (LAPD + Q.931, both sides)   {:>12.0}", median(ours));
    if libpri.is_empty() {
        println!("  libpri                                 not available (install libpri-dev)");
        return;
    }
    println!("  libpri 1.6 (two instances)             {:>12.0}", median(libpri));
    println!("  ratio (median of per-run ratios)       {:>12.1}x", median(ratios));
}
