//! `tdm dsp`: line-diagnostic audio tools. `detect` runs every detector of the dsp crate over
//! a recording and lists what it found; `gen` writes a recording of given digits and tones.

mod audio;

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;
use tdm_dsp::analyze::{Detection, analyze};
use tdm_dsp::fax::generate::FaxToneSpec;
use tdm_dsp::fax::v21::hdlc_flag_bits;
use tdm_dsp::fax::{FaxTone, FaxToneGenerator, V21Modulator};
use tdm_dsp::progress::{CHINA, ETSI, ProgressToneGenerator, TonePlan};
use tdm_dsp::r2mf::R2Direction;
use tdm_dsp::tonegen::{DtmfGenerator, DtmfGeneratorConfig, R2_DEFAULT_LEVEL_DBM0, R2Generator};

pub use audio::Encoding;

const SAMPLES_PER_MS: usize = 8;
/// The fax tones `gen` can write, as `--tone` takes them.
const FAX_TONE_NAMES: &str = "cng, ans, ced, ans/, ansam, ansam/, v21-preamble";

/// The `tdm dsp` subcommands.
#[derive(Subcommand)]
pub enum DspCommand {
    /// List every DTMF digit, R2 signal, call-progress tone, fax tone and answer verdict in
    /// a WAV (8 kHz mono: A-law, µ-law or 16-bit PCM) or raw G.711 file.
    Detect(DetectArgs),
    /// Write a WAV (or raw G.711) file of DTMF digits, R2 signals and named tones, in that
    /// order, each followed by a gap.
    Gen(GenArgs),
}

/// Which built-in tone plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanName {
    /// China: 450 Hz tones (busy 350/350, ringback 1000/4000, ...).
    Cn,
    /// European harmonised 425 Hz tones and the special information tone.
    Etsi,
}

impl PlanName {
    fn plan(self) -> &'static TonePlan<'static> {
        match self {
            PlanName::Cn => &CHINA,
            PlanName::Etsi => &ETSI,
        }
    }
}

/// Arguments of `tdm dsp detect`.
#[derive(Args)]
pub struct DetectArgs {
    /// The recording: .wav, or raw G.711 named .alaw/.al/.ulaw/.ul/.raw (.raw is A-law
    /// unless --format says otherwise).
    pub file: PathBuf,
    /// Print one JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Encoding of a raw file (a WAV file states its own).
    #[arg(long, value_enum)]
    pub format: Option<Encoding>,
    /// Call-progress tone plan.
    #[arg(long, value_enum, default_value = "cn")]
    pub plan: PlanName,
}

/// Arguments of `tdm dsp gen`.
#[derive(Args)]
pub struct GenArgs {
    /// Output: .wav, or raw G.711 for .alaw/.al/.ulaw/.ul/.raw names.
    pub out: PathBuf,
    /// DTMF digits to send (0-9 * # A-D).
    #[arg(long)]
    pub dtmf: Option<String>,
    /// MFC-R2 forward signals, comma-separated numbers 1-15.
    #[arg(long, value_delimiter = ',')]
    pub r2_forward: Vec<u8>,
    /// MFC-R2 backward signals, comma-separated numbers 1-15.
    #[arg(long, value_delimiter = ',')]
    pub r2_backward: Vec<u8>,
    /// Tones to play, by name: the plan's (busy, ringback, dial ...) or fax tones (cng, ans,
    /// ced, ans/, ansam, ansam/, v21-preamble). Repeat or comma-separate for several.
    #[arg(long, value_delimiter = ',')]
    pub tone: Vec<String>,
    /// How long each named tone plays.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
    /// Sample encoding of the output.
    #[arg(long, value_enum, default_value = "linear")]
    pub format: Encoding,
    /// Tone plan for named call-progress tones.
    #[arg(long, value_enum, default_value = "cn")]
    pub plan: PlanName,
    /// DTMF tone and pause per digit, ms.
    #[arg(long, default_value_t = 100)]
    pub dtmf_ms: u32,
    /// R2 signal and pause per signal, ms.
    #[arg(long, default_value_t = 150)]
    pub r2_ms: u32,
    /// Silence before the first item and after each, ms.
    #[arg(long, default_value_t = 200)]
    pub gap_ms: u32,
}

/// Runs a `tdm dsp` subcommand.
pub fn run(cmd: DspCommand) -> Result<(), Box<dyn std::error::Error>> {
    match cmd {
        DspCommand::Detect(args) => detect(&args),
        DspCommand::Gen(args) => generate(&args),
    }
}

#[derive(Serialize)]
struct JsonDetection<'a> {
    kind: &'a str,
    label: &'a str,
    start_ms: u64,
    end_ms: u64,
}

fn detect(args: &DetectArgs) -> Result<(), Box<dyn std::error::Error>> {
    let samples = audio::read_audio(&args.file, args.format)?;
    let detections = analyze(&samples, args.plan.plan())?;
    let mut out = String::new();
    for d in &detections {
        if args.json {
            let line = JsonDetection {
                kind: d.kind.name(),
                label: &d.label,
                start_ms: d.start_ms(),
                end_ms: d.end_ms(),
            };
            out.push_str(&serde_json::to_string(&line)?);
            out.push('\n');
        } else {
            out.push_str(&table_line(d));
        }
    }
    if !args.json && detections.is_empty() {
        out.push_str(&format!(
            "{}: nothing detected in {:.3} s\n",
            args.file.display(),
            seconds(samples.len())
        ));
    }
    print!("{out}");
    Ok(())
}

fn table_line(d: &Detection) -> String {
    format!(
        "{:>9.3} s {:>9.3} s  {:<13} {}\n",
        d.start as f64 / 8000.0,
        d.end as f64 / 8000.0,
        d.kind.name(),
        d.label
    )
}

fn seconds(samples: usize) -> f64 {
    samples as f64 / 8000.0
}

/// One item placed in the generated signal, for the listing `gen` prints.
struct Placed {
    kind: &'static str,
    label: String,
    start: usize,
    end: usize,
}

fn generate(args: &GenArgs) -> Result<(), Box<dyn std::error::Error>> {
    let plan = args.plan.plan();
    let gap = args.gap_ms as usize * SAMPLES_PER_MS;
    if !(args.seconds.is_finite() && args.seconds > 0.0 && args.seconds <= 3600.0) {
        return Err(format!("--seconds {} is not between 0 and 3600", args.seconds).into());
    }
    let tone_len = (args.seconds * 8000.0).round() as usize;
    let mut signal = vec![0i16; gap];
    let mut placed = Vec::new();

    if let Some(digits) = &args.dtmf {
        let config = DtmfGeneratorConfig {
            on_ms: args.dtmf_ms,
            off_ms: args.dtmf_ms,
            ..DtmfGeneratorConfig::default()
        };
        for digit in digits.chars() {
            let mut generator = DtmfGenerator::new(config);
            generator.send(&digit.to_string())?;
            let start = signal.len();
            let length = 2 * args.dtmf_ms as usize * SAMPLES_PER_MS;
            signal.resize(start + length, 0);
            generator.generate(&mut signal[start..]);
            let end = start + args.dtmf_ms as usize * SAMPLES_PER_MS;
            placed.push(Placed { kind: "dtmf", label: digit.to_ascii_uppercase().to_string(), start, end });
        }
        signal.resize(signal.len() + gap, 0);
    }

    for (direction, codes, kind) in [
        (R2Direction::Forward, &args.r2_forward, "r2-forward"),
        (R2Direction::Backward, &args.r2_backward, "r2-backward"),
    ] {
        if codes.is_empty() {
            continue;
        }
        for &code in codes {
            let mut generator = R2Generator::new(direction, R2_DEFAULT_LEVEL_DBM0);
            generator.pulse(code, args.r2_ms)?;
            let start = signal.len();
            signal.resize(start + 2 * args.r2_ms as usize * SAMPLES_PER_MS, 0);
            generator.generate(&mut signal[start..]);
            let end = start + args.r2_ms as usize * SAMPLES_PER_MS;
            placed.push(Placed { kind, label: code.to_string(), start, end });
        }
        signal.resize(signal.len() + gap, 0);
    }

    for name in &args.tone {
        let start = signal.len();
        signal.resize(start + tone_len, 0);
        let kind = render_tone(name, plan, &mut signal[start..])?;
        placed.push(Placed { kind, label: name.clone(), start, end: start + tone_len });
        signal.resize(signal.len() + gap, 0);
    }

    if placed.is_empty() {
        return Err("nothing to generate: give --dtmf, --r2-forward, --r2-backward or --tone".into());
    }
    audio::write_audio(&args.out, &signal, args.format)?;
    let encoding = audio::output_encoding(&args.out, args.format);
    println!("{}: {:.3} s, {}", args.out.display(), seconds(signal.len()), encoding.name());
    for p in &placed {
        println!("{:>9.3} s {:>9.3} s  {:<13} {}", seconds(p.start), seconds(p.end), p.kind, p.label);
    }
    Ok(())
}

/// Fills `out` with the tone called `name`; returns the detection kind it belongs to.
fn render_tone(name: &str, plan: &TonePlan<'_>, out: &mut [i16]) -> Result<&'static str, String> {
    if let Some(spec) = plan.tone(name) {
        ProgressToneGenerator::new(spec).fill(out);
        return Ok("call-progress");
    }
    match FaxTone::from_label(name) {
        Some(FaxTone::V21Preamble) => {
            // Flags at T.30's −13 dBm0 for the whole duration.
            let mut modulator = V21Modulator::new(-13);
            let flags = out.len() / 213 + 1;
            let mut written = 0;
            modulator.modulate(hdlc_flag_bits(flags), |sample| {
                if let Some(slot) = out.get_mut(written) {
                    *slot = sample;
                }
                written += 1;
            });
            Ok("fax")
        }
        Some(tone) => {
            let spec =
                FaxToneSpec::standard(tone).ok_or_else(|| format!("tone {name:?} cannot be generated"))?;
            FaxToneGenerator::new(spec).fill(out);
            Ok("fax")
        }
        None => {
            let names: Vec<&str> = plan.tones.iter().map(|t| t.name).collect();
            Err(format!(
                "unknown tone {name:?}: the {} plan has {}; fax tones are {FAX_TONE_NAMES}",
                plan.name,
                names.join(", ")
            ))
        }
    }
}
