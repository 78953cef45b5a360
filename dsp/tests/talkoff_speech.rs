//! Talk-off: two minutes of speech (English and Mandarin, four voices; see
//! `tests/data/README.md`) through the DTMF and both MFC-R2 receivers at three levels. No
//! digit and no R2 signal may be reported. spandsp's `dtmf_rx` runs over the same audio for
//! comparison when it is available.

mod dtmf_support;

use dtmf_support::*;
use tdm_dsp::g711::alaw_to_linear;
use tdm_dsp::level::block_dbm0;
use tdm_dsp::r2mf::R2Direction;

const SPEECH: &[u8] = include_bytes!("data/talkoff_speech.alaw");

fn speech_at(gain_db: f64) -> Vec<i16> {
    let gain = 10f64.powf(gain_db / 20.0);
    SPEECH
        .iter()
        .map(|&c| (f64::from(alaw_to_linear(c)) * gain).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

#[test]
fn speech_gives_no_false_detections() {
    assert_eq!(SPEECH.len(), 960_000, "120 s at 8000 samples/s");
    let nominal = speech_at(0.0);
    let level = block_dbm0(&nominal);
    assert!((-17.0..-15.0).contains(&level), "speech level {level} dBm0");
    let mut report = Vec::new();
    // Quiet, as recorded (peaks at −3 dBFS, −16 dBm0 on average), and 6 dB hotter (clipping).
    for gain_db in [-10.0, 0.0, 6.0] {
        let speech = speech_at(gain_db);
        let digits = started(&dtmf_events(&speech));
        let forward = r2_started(&r2_events(R2Direction::Forward, &speech));
        let backward = r2_started(&r2_events(R2Direction::Backward, &speech));
        let spandsp = if tdm_peer_spandsp::AVAILABLE {
            let mut rx = tdm_peer_spandsp::DtmfRx::new().unwrap();
            rx.process(&speech);
            Some(rx.take_reports().iter().filter(|r| r.digit.is_some()).count())
        } else {
            None
        };
        report.push(format!(
            "{gain_db:+} dB: DTMF {} (spandsp {}), R2 forward {}, R2 backward {}",
            digits.len(),
            spandsp.map_or("n/a".to_string(), |n| n.to_string()),
            forward.len(),
            backward.len()
        ));
        assert_eq!(digits, "", "DTMF talk-off at {gain_db:+} dB");
        assert_eq!(forward, vec![], "R2 forward talk-off at {gain_db:+} dB");
        assert_eq!(backward, vec![], "R2 backward talk-off at {gain_db:+} dB");
    }
    println!("false detections over 120 s of speech:\n{}", report.join("\n"));
}
