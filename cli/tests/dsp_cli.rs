//! `tdm dsp gen` then `tdm dsp detect`: the exact digits, signals and tones come back at the
//! exact times, in every file format; every kind of bad file gets a one-line error naming
//! the file and the problem, and exit status 1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tdm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tdm")).args(args).output().expect("the tdm binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dsp_cli");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir.join(name)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 scratch path")
}

/// `tdm dsp detect --json` as (kind, label, start_ms, end_ms).
fn detect_json(path: &Path, extra: &[&str]) -> Vec<(String, String, u64, u64)> {
    let mut args = vec!["dsp", "detect", path_str(path), "--json"];
    args.extend_from_slice(extra);
    let out = tdm(&args);
    assert!(out.status.success(), "detect failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            (
                v["kind"].as_str().unwrap_or_default().to_string(),
                v["label"].as_str().unwrap_or_default().to_string(),
                v["start_ms"].as_u64().unwrap_or(u64::MAX),
                v["end_ms"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect()
}

fn gen_ok(args: &[&str]) {
    let mut all = vec!["dsp", "gen"];
    all.extend_from_slice(args);
    let out = tdm(&all);
    assert!(out.status.success(), "gen failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn entry(kind: &str, label: &str, start_ms: u64, end_ms: u64) -> (String, String, u64, u64) {
    (kind.to_string(), label.to_string(), start_ms, end_ms)
}

#[test]
fn gen_then_detect_gives_back_every_item_with_its_times() {
    let path = scratch("everything.wav");
    gen_ok(&[
        path_str(&path),
        "--dtmf",
        "159#",
        "--r2-forward",
        "1,10,15",
        "--r2-backward",
        "2,6",
        "--tone",
        "busy,cng,ans/,v21-preamble",
        "--seconds",
        "3",
    ]);
    // Layout: 200 ms of silence, digits of 100 ms every 200 ms, 200 ms gap, R2 signals of
    // 150 ms every 300 ms, gap, then each 3 s tone followed by a gap.
    let expected = vec![
        entry("dtmf", "1", 200, 300),
        entry("dtmf", "5", 400, 500),
        entry("dtmf", "9", 600, 700),
        entry("dtmf", "#", 800, 900),
        entry("r2-forward", "1", 1200, 1350),
        entry("r2-forward", "10", 1500, 1650),
        entry("r2-forward", "15", 1800, 1950),
        entry("r2-backward", "2", 2300, 2450),
        entry("r2-backward", "6", 2600, 2750),
        // Busy from 3.1 s: 350/350 bursts; the last whole one ends at 5.55 s.
        entry("call-progress", "busy", 3100, 5550),
        // CNG from 6.3 s: one 500 ms burst in 3 s.
        entry("fax", "cng", 6300, 6800),
        entry("fax", "ans/", 9500, 12_500),
        // V.21 from 12.7 s: 14 whole flags of 213⅓ ms.
        entry("fax", "v21-preamble", 12_700, 15_686),
    ];
    assert_eq!(detect_json(&path, &[]), expected);
}

#[test]
fn every_file_format_round_trips() {
    for (name, format) in [
        ("digits_linear.wav", "linear"),
        ("digits_alaw.wav", "alaw"),
        ("digits_ulaw.wav", "ulaw"),
        ("digits.alaw", "linear"),
        ("digits.ul", "linear"),
        ("digits_ulaw.raw", "ulaw"),
    ] {
        let path = scratch(name);
        gen_ok(&[path_str(&path), "--dtmf", "0*D", "--format", format]);
        let extra: &[&str] = if name.ends_with(".raw") { &["--format", "ulaw"] } else { &[] };
        assert_eq!(
            detect_json(&path, extra),
            [entry("dtmf", "0", 200, 300), entry("dtmf", "*", 400, 500), entry("dtmf", "D", 600, 700)],
            "{name}"
        );
    }
}

#[test]
fn plans_are_chosen_on_the_command_line() {
    let path = scratch("sit.wav");
    gen_ok(&[path_str(&path), "--plan", "etsi", "--tone", "sit", "--seconds", "4"]);
    // 950/1400/1800 Hz for 330 ms each, 1 s off: whole cycles end at 1.19 s and 3.18 s.
    assert_eq!(detect_json(&path, &["--plan", "etsi"]), [entry("call-progress", "sit", 200, 3180)]);
    // The China plan has no SIT.
    assert!(detect_json(&path, &["--plan", "cn"]).iter().all(|d| d.0 != "call-progress"));
}

#[test]
fn text_output_lists_one_detection_a_line() {
    let path = scratch("text.wav");
    gen_ok(&[path_str(&path), "--dtmf", "7"]);
    let out = tdm(&["dsp", "detect", path_str(&path)]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "    0.200 s     0.300 s  dtmf          7\n");
    let silent = scratch("silent.alaw");
    std::fs::write(&silent, vec![0xD5u8; 8000]).expect("write");
    let out = tdm(&["dsp", "detect", path_str(&silent)]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{}: nothing detected in 1.000 s\n", silent.display())
    );
}

/// A canonical 16-bit PCM WAV header for `data_len` bytes of audio.
fn wav_header(channels: u16, rate: u32, tag: u16, bits: u16, data_len: u32) -> Vec<u8> {
    let align = channels * bits / 8;
    let mut h = Vec::new();
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&(36 + data_len).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&tag.to_le_bytes());
    h.extend_from_slice(&channels.to_le_bytes());
    h.extend_from_slice(&rate.to_le_bytes());
    h.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
    h.extend_from_slice(&align.to_le_bytes());
    h.extend_from_slice(&bits.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data_len.to_le_bytes());
    h
}

#[test]
fn bad_files_get_one_line_naming_the_file_and_the_problem() {
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "rate.wav",
            [wav_header(1, 16_000, 1, 16, 8), vec![0; 8]].concat(),
            "sample rate 16000 Hz, expected 8000 Hz",
        ),
        ("stereo.wav", [wav_header(2, 8000, 1, 16, 8), vec![0; 8]].concat(), "2 channels, expected mono"),
        (
            "truncated.wav",
            [wav_header(1, 8000, 1, 16, 1000), vec![0; 100]].concat(),
            "truncated: chunk 'data' declares 1000 bytes, the file holds 100",
        ),
        (
            "odd.wav",
            [wav_header(1, 8000, 1, 16, 7), vec![0; 7]].concat(),
            "truncated: data chunk of 7 bytes ends inside a 16-bit sample",
        ),
        (
            "eight_bit.wav",
            [wav_header(1, 8000, 1, 8, 8), vec![0; 8]].concat(),
            "8-bit PCM, expected 16-bit PCM, A-law or µ-law",
        ),
        (
            "float.wav",
            [wav_header(1, 8000, 3, 32, 8), vec![0; 8]].concat(),
            "audio format tag 3, expected 1 (PCM), 6 (A-law) or 7 (µ-law)",
        ),
        ("nodata.wav", [wav_header(1, 8000, 6, 8, 0), vec![]].concat(), "no audio: the data chunk is empty"),
        ("short.wav", b"RIFF\x04\x00".to_vec(), "truncated: 6 bytes is too short for a WAV header"),
        ("notaudio.wav", b"this is a text file, not audio\n".to_vec(), "not a WAV file (no RIFF header)"),
        ("empty.wav", Vec::new(), "empty file, no audio"),
        ("empty.alaw", Vec::new(), "empty file, no audio"),
        ("odd.raw", vec![1, 2, 3], "truncated: 3 bytes of 16-bit samples is an odd count"),
    ];
    for (name, bytes, problem) in cases {
        let path = scratch(name);
        std::fs::write(&path, &bytes).expect("write");
        let mut args = vec!["dsp", "detect", path_str(&path)];
        if name == "odd.raw" {
            args.extend(["--format", "linear"]);
        }
        let out = tdm(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.starts_with(&format!("tdm: {}: {problem}", path.display())), "{name}: {stderr}");
        assert!(out.stdout.is_empty(), "{name}");
    }
    let missing = scratch("does-not-exist.wav");
    let out = tdm(&["dsp", "detect", path_str(&missing)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .starts_with(&format!("tdm: {}: cannot read:", missing.display()))
    );
}

#[test]
fn gen_refuses_what_it_cannot_make() {
    let path = scratch("refused.wav");
    for (args, problem) in [
        (vec!["--tone", "nope"], "tdm: unknown tone \"nope\": the cn plan has dial, busy"),
        (vec!["--dtmf", "1X"], "tdm: 'X' is not a DTMF digit"),
        (vec!["--r2-forward", "16"], "tdm: 16 is not an MFC-R2 signal"),
        (vec![], "tdm: nothing to generate"),
        (vec!["--tone", "busy", "--seconds", "0"], "tdm: --seconds 0 is not between 0 and 3600"),
    ] {
        let mut all = vec!["dsp", "gen", path_str(&path)];
        all.extend(args);
        let out = tdm(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.starts_with(problem), "{stderr}");
    }
}
