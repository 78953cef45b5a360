//! Answer detection: voice (espeak-ng speech in five languages), coloured ring-back music
//! (six synthetic pieces) and ringback, each at 30, 20 and 10 dB SNR, with the accuracy
//! stated as exact counts.
//!
//! The utterances in `tests/data/answer_speech_{1..8}.alaw` (raw A-law, 8 kHz) were made
//! with Debian's espeak-ng 1.51 at 160 words a minute and sox 14.4:
//! `espeak-ng -v VOICE -s 160 -w out.wav "TEXT"; sox out.wav -t al answer_speech_N.alaw`
//! (`-r 8000 -c 1`; clip 4 trimmed to 5 s), with these voices and texts:
//! 1 `en-us` "Hello? Yes, this is John speaking. Who is calling, please?";
//! 2 `en-gb` "Good morning, thank you for calling. How can I help you today?";
//! 3 `cmn` "喂，你好，请问你找谁？我是王先生。";
//! 4 `cmn` "您好，这里是客户服务中心，请问有什么可以帮您？";
//! 5 `en-us+f3` "Hi, sorry I missed your call, I was in a meeting. What's up?";
//! 6 `de` "Hallo, hier ist Müller. Wer spricht da bitte?";
//! 7 `fr` "Allô, oui, bonjour. Qui est à l'appareil?";
//! 8 `es` "Hola, buenas tardes. ¿Con quién hablo?".

use std::f64::consts::PI;

use tdm_dsp::answer::{AnswerConfig, AnswerDetector, AnswerEvent, Verdict};
use tdm_dsp::g711::alaw_to_linear;
use tdm_dsp::level::mean_square_to_dbm0;
use tdm_dsp::noise::WhiteNoise;
use tdm_dsp::progress::{CHINA, ProgressToneGenerator};

const RATE: f64 = 8000.0;

fn speech(n: usize) -> Vec<i16> {
    let path = format!("{}/tests/data/answer_speech_{n}.alaw", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    bytes.iter().map(|&c| alaw_to_linear(c)).collect()
}

fn to_i16(x: f64) -> i16 {
    x.round().clamp(-32768.0, 32767.0) as i16
}

/// `signal` with `lead_s` of silence before and `tail_s` after, plus white noise `snr_db`
/// below the signal's mean power.
fn on_line(signal: &[f64], lead_s: f64, tail_s: f64, snr_db: f64, seed: u64) -> Vec<i16> {
    let power = signal.iter().map(|x| x * x).sum::<f64>() / signal.len() as f64;
    let lead = (lead_s * RATE) as usize;
    let tail = (tail_s * RATE) as usize;
    let mut out = vec![0i16; lead];
    out.extend(signal.iter().map(|&x| to_i16(x)));
    out.resize(out.len() + tail, 0);
    WhiteNoise::new(seed, mean_square_to_dbm0(power) - snr_db).add_to(&mut out);
    out
}

fn note(midi: f64) -> f64 {
    440.0 * 2f64.powf((midi - 69.0) / 12.0)
}

/// Music-like test pieces, peak 12 000.
fn music(kind: usize, seconds: f64) -> Vec<f64> {
    let chords = [[60.0, 64.0, 67.0], [57.0, 60.0, 64.0], [53.0, 57.0, 60.0], [55.0, 59.0, 62.0]];
    let melody = [72.0, 74.0, 76.0, 79.0, 77.0, 76.0, 74.0, 72.0, 71.0, 72.0, 74.0, 71.0];
    let mut noise = WhiteNoise::new(4242 + kind as u64, -3.0);
    let sine = |f: f64, t: f64| (2.0 * PI * f * t).sin();
    let out: Vec<f64> = (0..(seconds * RATE) as usize)
        .map(|i| {
            let t = i as f64 / RATE;
            let chord = chords[(t / 2.0) as usize % 4];
            match kind {
                // Sustained chords with a legato melody.
                0 => {
                    let pad: f64 = chord
                        .iter()
                        .flat_map(|&m| (1..4).map(move |h| 0.15 / h as f64 * sine(note(m) * h as f64, t)))
                        .sum();
                    pad + 0.3 * sine(note(melody[(t / 0.3) as usize % melody.len()]), t)
                }
                // Plucked arpeggio: a note every 200 ms, each ringing on under the next.
                1 => {
                    let step = (t / 0.2) as usize;
                    let into = t - step as f64 * 0.2;
                    let plucks: f64 = (0..3)
                        .filter(|&back| step >= back)
                        .map(|back| {
                            let m = chord[(step - back) % 3] + 12.0;
                            let age = into + back as f64 * 0.2;
                            0.5 * (-age / 0.25).exp() * (sine(note(m), t) + 0.3 * sine(2.0 * note(m), t))
                        })
                        .sum();
                    plucks + 0.2 * sine(note(chord[0] - 12.0), t)
                }
                // A beat: chord, kick drum every 500 ms, hi-hat on the off-beat.
                2 => {
                    let pad: f64 =
                        chord.iter().map(|&m| 0.12 * sine(note(m), t) + 0.05 * sine(2.0 * note(m), t)).sum();
                    let beat = t % 0.5;
                    let off = (t + 0.25) % 0.5;
                    pad + 0.8 * (-beat / 0.08).exp() * sine(60.0, beat)
                        + 0.15 * (-off / 0.03).exp() * f64::from(noise.next_sample()) / 16_000.0
                }
                // A hummed melody with 5.5 Hz vibrato and 4 Hz tremolo over a quiet chord.
                3 => {
                    let f =
                        note(melody[(t / 0.45) as usize % melody.len()] - 12.0) * (1.0 + 0.02 * sine(5.5, t));
                    let tremolo = 1.0 + 0.3 * sine(4.0, t);
                    let voice: f64 = (1..6).map(|h| tremolo * 0.3 / h as f64 * sine(f * h as f64, t)).sum();
                    voice + chord.iter().map(|&m| 0.05 * sine(note(m), t)).sum::<f64>()
                }
                // Staccato piano: 150 ms notes, 100 ms rests (modulates as deeply as speech).
                _ => {
                    let step = (t / 0.25) as usize;
                    let into = t - step as f64 * 0.25;
                    let m = melody[step % melody.len()];
                    if into < 0.15 {
                        (-into / 0.1).exp()
                            * (sine(note(m), t)
                                + 0.5 * sine(2.0 * note(m), t)
                                + 0.25 * sine(3.0 * note(m), t))
                    } else {
                        0.0
                    }
                }
            }
        })
        .collect();
    let peak = out.iter().fold(0.0f64, |a, &b| a.max(b.abs()));
    out.iter().map(|x| x / peak * 12000.0).collect()
}

/// Speech over a music bed 6 dB down: a song whose instruments never stop.
fn song() -> Vec<f64> {
    let voice = speech(4);
    let bed = music(0, voice.len() as f64 / RATE);
    voice.iter().zip(&bed).map(|(&v, &m)| f64::from(v) + 0.5 * m).collect()
}

fn ringback(seconds: f64) -> Vec<f64> {
    let mut out = vec![0i16; (seconds * RATE) as usize];
    ProgressToneGenerator::new(CHINA.tone("ringback").unwrap()).fill(&mut out);
    out.iter().map(|&x| f64::from(x)).collect()
}

fn verdicts(samples: &[i16]) -> Vec<AnswerEvent> {
    let detector = AnswerDetector::new(&CHINA, AnswerConfig::default()).unwrap();
    let mut state = detector.new_state();
    let mut events = Vec::new();
    for block in samples.chunks(160) {
        detector.process(&mut state, block, |e| events.push(e));
    }
    detector.finish(&mut state, |e| events.push(e));
    events
}

const SNRS: [f64; 3] = [30.0, 20.0, 10.0];
const RINGBACK: Verdict = Verdict::Tone { tone: 2 };

#[test]
fn speech_is_voice() {
    let mut voice = 0;
    for n in 1..=8 {
        let clip: Vec<f64> = speech(n).iter().map(|&x| f64::from(x)).collect();
        for (k, snr) in SNRS.into_iter().enumerate() {
            let events = verdicts(&on_line(&clip, 0.5, 1.0, snr, 10 * n as u64 + k as u64));
            let first = events.iter().find(|e| e.verdict != Verdict::Silence);
            println!("speech {n} at {snr} dB: {events:?}");
            let never_music = !events.iter().any(|e| e.verdict == Verdict::Music);
            if let Some(e) = first.filter(|e| e.verdict == Verdict::Voice && never_music) {
                voice += 1;
                // Onset within the first 300 ms of the clip; decided within 1.1 s of it.
                assert!((4000..=6400).contains(&e.start), "speech {n} at {snr} dB: start {}", e.start);
                assert!(e.at <= e.start + 8800, "speech {n} at {snr} dB: decided at {}", e.at);
            }
        }
    }
    assert_eq!(voice, 24, "speech clips called voice");
}

#[test]
fn music_is_music_and_never_voice() {
    let (mut music_count, mut voice_count, mut undecided) = (0, 0, 0);
    let pieces: Vec<(String, Vec<f64>)> =
        (0..5).map(|k| (format!("music {k}"), music(k, 6.0))).chain([("song".to_string(), song())]).collect();
    for (name, piece) in &pieces {
        for (k, snr) in SNRS.into_iter().enumerate() {
            let events = verdicts(&on_line(piece, 0.5, 0.5, snr, 99 + k as u64));
            println!("{name} at {snr} dB: {events:?}");
            if events.iter().any(|e| e.verdict == Verdict::Voice) {
                voice_count += 1;
            } else if events.iter().any(|e| e.verdict == Verdict::Music) {
                music_count += 1;
                // Decided on the first window: 1 s after the music starts at 0.5 s.
                let first = events[0];
                assert_eq!(first.verdict, Verdict::Music, "{name}");
                assert!(
                    (4000..=4400).contains(&first.start) && first.at == first.start + 8000,
                    "{name}: {first:?}"
                );
            } else {
                undecided += 1;
            }
        }
    }
    // The song at 10 dB SNR is the borderline case: with other noise it stays undecided.
    assert_eq!((music_count, voice_count, undecided), (18, 0, 0), "music / voice / undecided");
}

#[test]
fn ringback_is_ringback_only() {
    for (k, snr) in SNRS.into_iter().enumerate() {
        let events = verdicts(&on_line(&ringback(12.0), 0.3, 0.0, snr, 7 + k as u64));
        let kinds: Vec<Verdict> = events.iter().map(|e| e.verdict).collect();
        assert_eq!(kinds, [RINGBACK], "ringback at {snr} dB: {events:?}");
        // 300 ms of lead, then one burst and 3.6 s of its silence.
        assert_eq!(events[0].start, 2400, "{events:?}");
    }
}

#[test]
fn ringback_then_a_voice_answer() {
    let clip: Vec<f64> = speech(1).iter().map(|&x| f64::from(x)).collect();
    let mut call = ringback(11.0);
    call.extend(&clip);
    let events = verdicts(&on_line(&call, 0.0, 1.0, 25.0, 5));
    let kinds: Vec<Verdict> = events.iter().map(|e| e.verdict).collect();
    assert_eq!(kinds, [RINGBACK, Verdict::Voice], "{events:?}");
    // The answer starts where the clip does (11 s), give or take its leading silence.
    assert!((88_000..=90_400).contains(&events[1].start), "{events:?}");
}

#[test]
fn ringback_then_music_then_voice() {
    let clip: Vec<f64> = speech(3).iter().map(|&x| f64::from(x)).collect();
    let mut call = ringback(6.0);
    call.extend(music(1, 4.0));
    call.extend(vec![0.0; 4000]);
    call.extend(&clip);
    let events = verdicts(&on_line(&call, 0.0, 1.0, 25.0, 6));
    let kinds: Vec<Verdict> = events.iter().map(|e| e.verdict).collect();
    assert_eq!(kinds, [RINGBACK, Verdict::Music, Verdict::Voice], "{events:?}");
}

#[test]
fn a_short_hello_then_silence_is_voice() {
    // The first 0.9 s of an utterance, then the caller waits.
    let clip: Vec<f64> = speech(7).iter().take(7200).map(|&x| f64::from(x)).collect();
    let events = verdicts(&on_line(&clip, 1.0, 2.0, 25.0, 8));
    assert_eq!(events.first().map(|e| e.verdict), Some(Verdict::Voice), "{events:?}");
}

#[test]
fn clicks_and_beeps_decide_nothing() {
    // A 20 ms click every second and a 200 ms 1 kHz beep: too little sound for a verdict.
    let mut signal = vec![0.0f64; 5 * 8000];
    for second in 0..5 {
        for i in 0..160 {
            signal[second * 8000 + i] = 8000.0 * (i as f64 * 0.7).sin();
        }
    }
    for i in 0..1600 {
        signal[20_000 + i] = 6000.0 * (2.0 * PI * 1000.0 * i as f64 / RATE).sin();
    }
    let events = verdicts(&on_line(&signal, 0.0, 0.0, 40.0, 9));
    assert_eq!(events, []);
}
