//! A signalling point with a call-control user part (ISUP or TUP, anything behind
//! `tdm_ss7::circuit::UserPart`) toward its adjacent point, and the speech paths of its
//! circuits on the board's spans.
//!
//! After every block [`CircuitNode::pump`] hands the point's indications to the user part,
//! feeds the continuity transceivers with what their timeslots brought, runs the user part's
//! timers, acts on its bearer requests and hands its messages to MTP3 before the links send.
//!
//! The speech paths are real timeslots: a continuity check's transceiver sends the 2000 Hz
//! check tone into its circuit's audio channel (A-law, one octet per frame) and listens to
//! what comes back; the loop the other exchange connects is the driver's
//! [`DriverHandle::loop_timeslot`], so the tone crosses the cable twice and the far board's
//! timeslot once. A circuit listed in [`CircuitNode::broken`] is one whose path is broken at
//! this exchange: a loop asked for there is never connected, and the tone sent into it does
//! not come back.

use std::collections::{BTreeMap, BTreeSet};

use tdm_base::Instant;
use tdm_driver::{AudioChannel, DriverHandle};
use tdm_dsp::g711::{decode_alaw, encode_alaw};
use tdm_ss7::circuit::continuity::ContinuityTransceiver;
use tdm_ss7::circuit::{Activity, BearerAction, CicMap, CircuitStatus, Event, IncomingCall, UserPart};
use tdm_ss7::mtp3::{Indication, Transfer, TransferError};

use super::MtpNode;

/// Octets each way in a transceiver's audio rings: eight blocks, far more than the one
/// block written and read per pump.
const AUDIO_RING: usize = 64;
/// Check-tone samples sent per block: one per frame.
const SAMPLES_PER_BLOCK: usize = 8;

/// What is connected to a circuit's speech path for a continuity check.
enum Bearer {
    /// A check-tone transceiver on the circuit's audio channel.
    Transceiver {
        channel: AudioChannel,
        transceiver: Box<ContinuityTransceiver>,
        /// Whether the user part has been told the tone came back.
        reported: bool,
    },
    /// The timeslot looped back toward the line in the driver.
    Loop,
    /// A loop was asked for on a broken path: nothing is connected.
    Broken,
}

/// A continuity check this node's transceiver decided, for the tests to time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToneHeard {
    /// The circuit.
    pub cic: u16,
    /// Board time the transceiver was connected (ms).
    pub connected_ms: u64,
    /// Board time the tone was recognised (ms).
    pub recognised_ms: u64,
}

/// A user part message as this node saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traced {
    /// Board time (ms) it was handed to MTP3 or arrived from it.
    pub at_ms: u64,
    /// Whether this node sent it.
    pub sent: bool,
    /// The message.
    pub transfer: Transfer,
}

/// A signalling point on one board with one user part and its circuits.
pub struct CircuitNode<U: UserPart> {
    /// MTP3 and its links on the board.
    pub mtp: MtpNode,
    /// The user part (ISUP or TUP).
    pub user: U,
    /// Circuits whose speech path is broken at this exchange: loops asked for there stay
    /// unconnected.
    pub broken: BTreeSet<u16>,
    /// Messages MTP3 refused (the adjacent point inaccessible); stays 0 on a healthy bench.
    pub refused_transfers: u64,
    /// Why MTP3 refused the last message it refused.
    pub last_refusal: Option<TransferError>,
    /// Every check tone this node's transceivers recognised.
    pub tones_heard: Vec<ToneHeard>,
    /// Every user part message sent and received, when `Some`.
    pub trace: Option<Vec<Traced>>,
    handle: DriverHandle,
    circuits: CicMap,
    bearers: BTreeMap<u16, (u64, Bearer)>,
    events: Vec<Event>,
    now_ms: u64,
}

impl<U: UserPart> CircuitNode<U> {
    /// Joins `user` to the point `mtp` on the board of `handle`; `circuits` says where each
    /// CIC is (its span numbers are the board's).
    pub fn new(handle: &DriverHandle, mtp: MtpNode, user: U, circuits: CicMap) -> CircuitNode<U> {
        CircuitNode {
            mtp,
            user,
            broken: BTreeSet::new(),
            refused_transfers: 0,
            last_refusal: None,
            tones_heard: Vec::new(),
            trace: None,
            handle: handle.clone(),
            circuits,
            bearers: BTreeMap::new(),
            events: Vec::new(),
            now_ms: 0,
        }
    }

    /// The board time of the last pump, for commands to the user part.
    pub fn now(&self) -> Instant {
        Instant::from_millis(self.now_ms)
    }

    /// Serves the point and its user part after the block that ended at `now_ms`.
    pub fn pump(&mut self, now_ms: u64) {
        self.now_ms = now_ms;
        let now = Instant::from_millis(now_ms);
        self.mtp.receive(now_ms);
        while let Some(indication) = self.mtp.point.poll_indication() {
            if let (Some(trace), Indication::Transfer(transfer)) = (self.trace.as_mut(), &indication) {
                trace.push(Traced { at_ms: now_ms, sent: false, transfer: *transfer });
            }
            self.user.handle_indication(now, &indication);
        }
        self.serve_transceivers(now);
        if self.user.poll_timeout().is_some_and(|deadline| deadline <= now) {
            self.user.handle_timeout(now);
        }
        self.drain(now);
        self.mtp.transmit(now_ms);
    }

    /// The user part's outputs: bearer requests carried out, events kept, messages to MTP3.
    fn drain(&mut self, now: Instant) {
        while let Some(event) = self.user.poll_event() {
            if let Event::Bearer { cic, action } = event {
                self.bearer(cic, action);
            }
            self.events.push(event);
        }
        while let Some(transfer) = self.user.poll_transmit() {
            if let Some(trace) = self.trace.as_mut() {
                trace.push(Traced { at_ms: self.now_ms, sent: true, transfer });
            }
            if let Err(error) = self.mtp.point.transfer(now, &transfer) {
                self.refused_transfers += 1;
                self.last_refusal = Some(error);
            }
        }
    }

    fn bearer(&mut self, cic: u16, action: BearerAction) {
        let (span, timeslot) = self
            .circuits
            .locate(cic)
            .unwrap_or_else(|| panic!("the user part asked for CIC {cic}, which the map does not have"));
        let span = u32::from(span);
        let fail = |what: &str, e: tdm_driver::Error| -> ! {
            panic!("CIC {cic} (span {span} TS{timeslot}): {what}: {e}")
        };
        match action {
            BearerAction::ConnectTransceiver => {
                self.disconnect(cic, span, timeslot);
                let channel = self
                    .handle
                    .open_audio(span, timeslot, AUDIO_RING)
                    .unwrap_or_else(|e| fail("audio channel", e));
                let transceiver = Box::new(ContinuityTransceiver::new());
                self.bearers.insert(
                    cic,
                    (self.now_ms, Bearer::Transceiver { channel, transceiver, reported: false }),
                );
            }
            BearerAction::ConnectLoop => {
                self.disconnect(cic, span, timeslot);
                if self.broken.contains(&cic) {
                    self.bearers.insert(cic, (self.now_ms, Bearer::Broken));
                } else {
                    self.handle.loop_timeslot(span, timeslot).unwrap_or_else(|e| fail("loop", e));
                    self.bearers.insert(cic, (self.now_ms, Bearer::Loop));
                }
            }
            BearerAction::Disconnect => self.disconnect(cic, span, timeslot),
        }
    }

    fn disconnect(&mut self, cic: u16, span: u32, timeslot: u8) {
        match self.bearers.remove(&cic) {
            Some((_, Bearer::Transceiver { .. } | Bearer::Loop)) => {
                self.handle
                    .release(span, timeslot)
                    .unwrap_or_else(|e| panic!("CIC {cic} (span {span} TS{timeslot}): release: {e}"));
            }
            Some((_, Bearer::Broken)) | None => {}
        }
    }

    /// Each transceiver hears what its timeslot brought and sends the next block of tone;
    /// a tone recognised is reported to the user part once.
    fn serve_transceivers(&mut self, now: Instant) {
        let mut passed = Vec::new();
        for (&cic, (connected_ms, bearer)) in &mut self.bearers {
            let Bearer::Transceiver { channel, transceiver, reported } = bearer else { continue };
            let mut octets = [0u8; AUDIO_RING];
            let got = channel.rx.pop_slice(&mut octets);
            let mut samples = [0i16; AUDIO_RING];
            decode_alaw(&octets[..got], &mut samples[..got]);
            if transceiver.receive(&samples[..got]) && !*reported {
                *reported = true;
                passed.push(cic);
                self.tones_heard.push(ToneHeard {
                    cic,
                    connected_ms: *connected_ms,
                    recognised_ms: self.now_ms,
                });
            }
            let mut tone = [0i16; SAMPLES_PER_BLOCK];
            transceiver.generate(&mut tone);
            let mut out = [0u8; SAMPLES_PER_BLOCK];
            encode_alaw(&tone, &mut out);
            channel.tx.push_slice(&out);
        }
        for cic in passed {
            self.user.continuity_result(now, cic, true);
        }
    }

    /// The events the user part reported and nobody took yet.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Takes the events the user part reported since the last call.
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Alerts and answers every incoming call reported so far, taking those events out; the
    /// other events stay. Returns the calls answered.
    pub fn answer_calls(&mut self) -> Vec<IncomingCall> {
        let now = self.now();
        let mut answered = Vec::new();
        let mut kept = Vec::new();
        for event in std::mem::take(&mut self.events) {
            match event {
                Event::Incoming(incoming) => {
                    self.user
                        .alert(now, incoming.call, false)
                        .unwrap_or_else(|e| panic!("alerting {}: {e}", incoming.call));
                    self.user
                        .answer(now, incoming.call)
                        .unwrap_or_else(|e| panic!("answering {}: {e}", incoming.call));
                    answered.push(incoming);
                }
                other => kept.push(other),
            }
        }
        self.events = kept;
        answered
    }

    /// A line on what is going on, for a failing test to print: circuits by activity and
    /// blocking, speech paths connected, events waiting, messages refused.
    pub fn summary(&self) -> String {
        let mut activities: BTreeMap<String, Vec<u16>> = BTreeMap::new();
        for c in self.user.circuits() {
            let mut key = format!("{:?}", c.activity);
            if c.blocking.is_blocked() {
                key.push_str(&format!(" {:?}", c.blocking));
            }
            activities.entry(key).or_default().push(c.cic);
        }
        format!(
            "circuits {activities:?}; paths {:?}; {} events waiting; next timer {:?}; {} messages refused \
             (last: {:?})",
            self.bearers.keys().collect::<Vec<_>>(),
            self.events.len(),
            self.user.poll_timeout(),
            self.refused_transfers,
            self.last_refusal
        )
    }

    /// Circuits that are busy, blocked or marked unequipped, and speech paths still
    /// connected: what an idle exchange has none of.
    pub fn not_idle(&self) -> (Vec<CircuitStatus>, Vec<u16>) {
        let circuits = self
            .user
            .circuits()
            .into_iter()
            .filter(|c| c.activity != Activity::Idle || c.blocking.is_blocked() || c.remote_unequipped)
            .collect();
        (circuits, self.bearers.keys().copied().collect())
    }
}
