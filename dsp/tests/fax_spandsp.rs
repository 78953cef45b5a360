//! Cross-check with spandsp's `modem_connect_tones_rx` on the same CNG and CED/ANS signals:
//! both must find the same tones, with the same labels, at compatible times. Skipped (with a
//! notice) when the harness was built without libspandsp.

use tdm_dsp::fax::generate::FaxToneSpec;
use tdm_dsp::fax::{FaxEvent, FaxTone, FaxToneDetector, FaxToneGenerator};
use tdm_dsp::g711::{alaw_to_linear, linear_to_alaw};
use tdm_peer_spandsp::{AVAILABLE, ConnectTone, ModemConnectTonesRx};

fn available() -> bool {
    if !AVAILABLE {
        eprintln!("NOTICE: libspandsp not linked; spandsp cross-check skipped");
    }
    AVAILABLE
}

/// `spec` after 200 ms of silence, through A-law, `ms` long.
fn signal(spec: FaxToneSpec, ms: usize) -> Vec<i16> {
    let mut out = vec![0i16; ms * 8];
    FaxToneGenerator::new(spec).fill(&mut out[1600..]);
    out.iter().map(|&x| alaw_to_linear(linear_to_alaw(x))).collect()
}

fn ours(samples: &[i16]) -> Vec<FaxEvent> {
    let mut detector = FaxToneDetector::new();
    let mut events = Vec::new();
    for block in samples.chunks(160) {
        detector.process(block, |e| events.push(e));
    }
    detector.finish(|e| events.push(e));
    events
}

/// spandsp's tone-on reports: (code, end of the 160-sample block it came in).
fn theirs(mode: ConnectTone, samples: &[i16]) -> Vec<(i32, u64)> {
    let Some(mut rx) = ModemConnectTonesRx::new(mode) else { return Vec::new() };
    for block in samples.chunks(160) {
        rx.process(block);
    }
    rx.take_reports().into_iter().filter(|r| r.tone != 0).map(|r| (r.tone, r.sample)).collect()
}

fn spandsp_code(tone: FaxTone) -> i32 {
    match tone {
        FaxTone::Cng => ConnectTone::FaxCng as i32,
        FaxTone::Ans => ConnectTone::Ans as i32,
        FaxTone::AnsPr => ConnectTone::AnsPr as i32,
        FaxTone::AnsAm => ConnectTone::Ansam as i32,
        FaxTone::AnsAmPr => ConnectTone::AnsamPr as i32,
        FaxTone::V21Preamble => ConnectTone::FaxPreamble as i32,
    }
}

#[test]
fn cng_bursts_agree() {
    if !available() {
        return;
    }
    let samples = signal(FaxToneSpec::standard(FaxTone::Cng).unwrap(), 8000);
    let ours: Vec<(u64, u64)> = ours(&samples)
        .into_iter()
        .filter_map(|e| match e {
            FaxEvent::Ended { tone: FaxTone::Cng, start, end } => Some((start, end)),
            _ => None,
        })
        .collect();
    let theirs = theirs(ConnectTone::FaxCng, &samples);
    assert_eq!(ours.len(), 3);
    assert_eq!(theirs.len(), ours.len(), "spandsp: {theirs:?}");
    for (&(start, end), &(code, at)) in ours.iter().zip(&theirs) {
        assert_eq!(code, spandsp_code(FaxTone::Cng));
        // spandsp reports 415 ms into the burst, inside the burst we report.
        assert!(at > start + 415 * 8 && at <= end + 160, "ours {start}..{end}, spandsp at {at}");
    }
}

#[test]
fn answer_tones_agree_on_the_label() {
    if !available() {
        return;
    }
    for tone in [FaxTone::Ans, FaxTone::AnsPr, FaxTone::AnsAm, FaxTone::AnsAmPr] {
        let samples = signal(FaxToneSpec::standard(tone).unwrap(), 4000);
        let ours: Vec<FaxEvent> = ours(&samples);
        let Some(FaxEvent::Ended { tone: our_label, start, end }) = ours.last().copied() else {
            panic!("{tone:?}: ours {ours:?}")
        };
        assert_eq!(our_label, tone);
        let theirs = theirs(ConnectTone::Ans, &samples);
        let &[(code, at)] = &theirs[..] else { panic!("{tone:?}: spandsp {theirs:?}") };
        assert_eq!(code, spandsp_code(tone), "{tone:?}: spandsp {theirs:?}");
        assert!(at > start && at < end, "{tone:?}: spandsp at {at}, ours {start}..{end}");
    }
}

#[test]
fn frequency_limits_side_by_side() {
    if !available() {
        return;
    }
    // Ours accepts inside the standard's tolerance and refuses clearly outside it; spandsp's
    // notch filters are wider. Print both; assert ours.
    for (tone, centre, tolerance, offsets) in [
        (FaxTone::Cng, 1_100_000u64, 38u64, [0i64, 38, -38, 60, -60, 100]),
        (FaxTone::Ans, 2_100_000, 15, [0, 15, -15, 25, -25, 60]),
    ] {
        for offset in offsets {
            let base = FaxToneSpec::standard(tone).unwrap();
            let spec = FaxToneSpec { freq_mhz: (centre as i64 + offset * 1000) as u64, off_ms: 0, ..base };
            let samples = signal(spec, if tone == FaxTone::Cng { 1000 } else { 4000 });
            let found = ours(&samples).iter().any(|e| matches!(e, FaxEvent::Ended { .. }));
            let mode = if tone == FaxTone::Cng { ConnectTone::FaxCng } else { ConnectTone::Ans };
            let spandsp = !theirs(mode, &samples).is_empty();
            eprintln!("{tone:?} {offset:+} Hz: ours {found}, spandsp {spandsp}");
            assert_eq!(found, offset.unsigned_abs() <= tolerance, "{tone:?} {offset:+} Hz");
        }
    }
}
