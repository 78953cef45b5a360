//! Audio files for `tdm dsp`: WAV (16-bit PCM, A-law, µ-law; 8 kHz mono) and raw G.711.
//!
//! hound reads and writes the PCM WAVs but refuses format tags 6 (A-law) and 7 (µ-law), so
//! the RIFF chunks are walked here first: that walk checks what every file must satisfy
//! (chunk sizes inside the file, one channel, 8000 Hz, a known encoding, some audio) and
//! names the problem; PCM data is then handed to hound, G.711 data is decoded here.

use std::fmt;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use tdm_dsp::g711;

/// Sample encoding of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Encoding {
    /// G.711 A-law, one octet a sample.
    Alaw,
    /// G.711 µ-law, one octet a sample.
    Ulaw,
    /// 16-bit signed little-endian linear PCM.
    Linear,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Alaw => "A-law",
            Encoding::Ulaw => "µ-law",
            Encoding::Linear => "16-bit linear",
        }
    }
}

/// A file that cannot be used, and why; prints as one line naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for AudioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.problem)
    }
}

impl std::error::Error for AudioError {}

const SAMPLE_RATE: u32 = 8000;
const FORMAT_PCM: u16 = 1;
const FORMAT_ALAW: u16 = 6;
const FORMAT_ULAW: u16 = 7;
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;

/// How a path's extension says to read or write it.
fn raw_encoding_from_extension(path: &Path) -> Option<Option<Encoding>> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "alaw" | "al" => Some(Some(Encoding::Alaw)),
        "ulaw" | "ul" => Some(Some(Encoding::Ulaw)),
        "raw" => Some(None),
        _ => None,
    }
}

/// Reads `path` as 8 kHz linear samples. `format` says how to read a raw file; a WAV file
/// says so itself.
pub fn read_audio(path: &Path, format: Option<Encoding>) -> Result<Vec<i16>, AudioError> {
    let fail = |problem: String| AudioError { path: path.to_path_buf(), problem };
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.is_empty() {
        return Err(fail("empty file, no audio".into()));
    }
    if bytes.starts_with(b"RIFF") {
        return read_wav(&bytes).map_err(fail);
    }
    let raw = raw_encoding_from_extension(path);
    let encoding = match (format, raw) {
        (Some(encoding), _) => encoding,
        (None, Some(Some(encoding))) => encoding,
        // A bare .raw: A-law, the E1 companding law in China and Europe.
        (None, Some(None)) => Encoding::Alaw,
        (None, None) => {
            return Err(fail(
                "not a WAV file (no RIFF header); for raw G.711 use a .alaw/.ulaw/.raw name or --format"
                    .into(),
            ));
        }
    };
    decode(&bytes, encoding).map_err(fail)
}

fn decode(data: &[u8], encoding: Encoding) -> Result<Vec<i16>, String> {
    match encoding {
        Encoding::Alaw => Ok(data.iter().map(|&c| g711::alaw_to_linear(c)).collect()),
        Encoding::Ulaw => Ok(data.iter().map(|&c| g711::ulaw_to_linear(c)).collect()),
        Encoding::Linear => {
            if !data.len().is_multiple_of(2) {
                return Err(format!("truncated: {} bytes of 16-bit samples is an odd count", data.len()));
            }
            Ok(data.chunks_exact(2).map(|p| i16::from_le_bytes([p[0], p[1]])).collect())
        }
    }
}

fn le16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The parts of a WAV file that matter here.
struct WavLayout {
    encoding: Encoding,
    data: std::ops::Range<usize>,
}

fn read_wav(bytes: &[u8]) -> Result<Vec<i16>, String> {
    let layout = wav_layout(bytes)?;
    match layout.encoding {
        Encoding::Linear => {
            let reader =
                hound::WavReader::new(std::io::Cursor::new(bytes)).map_err(|e| format!("bad WAV: {e}"))?;
            let samples: Result<Vec<i16>, _> = reader.into_samples::<i16>().collect();
            samples.map_err(|e| format!("bad WAV data: {e}"))
        }
        encoding => decode(&bytes[layout.data], encoding),
    }
}

fn wav_layout(bytes: &[u8]) -> Result<WavLayout, String> {
    if bytes.len() < 12 {
        return Err(format!("truncated: {} bytes is too short for a WAV header", bytes.len()));
    }
    if &bytes[8..12] != b"WAVE" {
        return Err("RIFF file but not WAVE audio".into());
    }
    let mut at = 12;
    let mut format = None;
    let mut data = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = le32(bytes, at + 4) as usize;
        let body = at + 8;
        let available = bytes.len() - body;
        let name = String::from_utf8_lossy(id).into_owned();
        if size > available {
            return Err(format!(
                "truncated: chunk '{name}' declares {size} bytes, the file holds {available}"
            ));
        }
        match id {
            b"fmt " => format = Some(body..body + size),
            b"data" => {
                data = Some(body..body + size);
                break;
            }
            _ => {}
        }
        // Chunks are padded to an even length.
        at = body + size + (size & 1);
    }
    let format = format.ok_or("no 'fmt ' chunk: not a usable WAV file")?;
    let data = data.ok_or("no 'data' chunk: the file holds no audio")?;
    let fmt = &bytes[format];
    if fmt.len() < 16 {
        return Err(format!("'fmt ' chunk of {} bytes is too short", fmt.len()));
    }
    let mut tag = le16(fmt, 0);
    let channels = le16(fmt, 2);
    let rate = le32(fmt, 4);
    let bits = le16(fmt, 14);
    if tag == FORMAT_EXTENSIBLE {
        // WAVEFORMATEXTENSIBLE: the real tag opens the sub-format GUID at offset 24.
        if fmt.len() < 26 {
            return Err("extensible 'fmt ' chunk too short for its sub-format".into());
        }
        tag = le16(fmt, 24);
    }
    if channels != 1 {
        return Err(format!("{channels} channels, expected mono"));
    }
    if rate != SAMPLE_RATE {
        return Err(format!("sample rate {rate} Hz, expected {SAMPLE_RATE} Hz"));
    }
    let encoding = match (tag, bits) {
        (FORMAT_PCM, 16) => Encoding::Linear,
        (FORMAT_ALAW, 8) => Encoding::Alaw,
        (FORMAT_ULAW, 8) => Encoding::Ulaw,
        (FORMAT_PCM, bits) => return Err(format!("{bits}-bit PCM, expected 16-bit PCM, A-law or µ-law")),
        (FORMAT_ALAW | FORMAT_ULAW, bits) => {
            return Err(format!("G.711 with {bits} bits a sample, expected 8"));
        }
        (tag, _) => return Err(format!("audio format tag {tag}, expected 1 (PCM), 6 (A-law) or 7 (µ-law)")),
    };
    if data.is_empty() {
        return Err("no audio: the data chunk is empty".into());
    }
    if encoding == Encoding::Linear && !data.len().is_multiple_of(2) {
        return Err(format!("truncated: data chunk of {} bytes ends inside a 16-bit sample", data.len()));
    }
    Ok(WavLayout { encoding, data })
}

/// The encoding [`write_audio`] will use for `path`: a .alaw/.al or .ulaw/.ul name decides
/// it, any other name (.raw, .wav ...) takes `requested`.
pub fn output_encoding(path: &Path, requested: Encoding) -> Encoding {
    raw_encoding_from_extension(path).flatten().unwrap_or(requested)
}

/// Writes `samples` to `path`: raw samples for .alaw/.al/.ulaw/.ul/.raw names, a WAV file
/// otherwise, in [`output_encoding`].
pub fn write_audio(path: &Path, samples: &[i16], requested: Encoding) -> Result<(), AudioError> {
    let fail = |problem: String| AudioError { path: path.to_path_buf(), problem };
    let encoding = output_encoding(path, requested);
    let bytes = match raw_encoding_from_extension(path) {
        Some(_) => encode_raw(samples, encoding),
        None => wav_bytes(samples, encoding).map_err(|e| fail(format!("cannot encode WAV: {e}")))?,
    };
    std::fs::write(path, bytes).map_err(|e| fail(format!("cannot write: {e}")))
}

fn encode_raw(samples: &[i16], encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Alaw => samples.iter().map(|&s| g711::linear_to_alaw(s)).collect(),
        Encoding::Ulaw => samples.iter().map(|&s| g711::linear_to_ulaw(s)).collect(),
        Encoding::Linear => samples.iter().flat_map(|s| s.to_le_bytes()).collect(),
    }
}

fn wav_bytes(samples: &[i16], encoding: Encoding) -> Result<Vec<u8>, String> {
    if encoding == Encoding::Linear {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut cursor = std::io::Cursor::new(Vec::new());
        {
            let mut writer = hound::WavWriter::new(&mut cursor, spec).map_err(|e| e.to_string())?;
            for &s in samples {
                writer.write_sample(s).map_err(|e| e.to_string())?;
            }
            writer.finalize().map_err(|e| e.to_string())?;
        }
        return Ok(cursor.into_inner());
    }
    let tag = if encoding == Encoding::Alaw { FORMAT_ALAW } else { FORMAT_ULAW };
    let data = encode_raw(samples, encoding);
    let data_len =
        u32::try_from(data.len()).map_err(|_| format!("{} samples do not fit a WAV file", data.len()))?;
    // Non-PCM formats carry an 18-byte 'fmt ' (with cbSize) and a 'fact' chunk.
    let riff_len = 4 + (8 + 18) + (8 + 4) + 8 + data_len + (data_len & 1);
    let mut out = Vec::with_capacity(riff_len as usize + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&riff_len.to_le_bytes());
    out.extend_from_slice(b"WAVE");
    out.extend_from_slice(b"fmt ");
    out.extend_from_slice(&18u32.to_le_bytes());
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(b"fact");
    out.extend_from_slice(&4u32.to_le_bytes());
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend_from_slice(&data);
    if data_len & 1 == 1 {
        out.push(0);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<i16> {
        (0..801).map(|i| ((i * 97) % 20001 - 10000) as i16).collect()
    }

    #[test]
    fn g711_wav_round_trip_through_the_chunk_walker() {
        for encoding in [Encoding::Alaw, Encoding::Ulaw] {
            let bytes = wav_bytes(&samples(), encoding).unwrap();
            let decoded = read_wav(&bytes).unwrap();
            let expected: Vec<i16> = match encoding {
                Encoding::Alaw => {
                    samples().iter().map(|&s| g711::alaw_to_linear(g711::linear_to_alaw(s))).collect()
                }
                _ => samples().iter().map(|&s| g711::ulaw_to_linear(g711::linear_to_ulaw(s))).collect(),
            };
            assert_eq!(decoded, expected);
            // odd sample count: the data chunk is padded.
            assert_eq!(bytes.len() % 2, 0);
        }
    }

    #[test]
    fn linear_wav_round_trip_through_hound() {
        let bytes = wav_bytes(&samples(), Encoding::Linear).unwrap();
        assert_eq!(read_wav(&bytes).unwrap(), samples());
    }

    #[test]
    fn every_bad_header_is_named() {
        let good = wav_bytes(&samples(), Encoding::Alaw).unwrap();
        let mut stereo = good.clone();
        stereo[22] = 2;
        assert_eq!(read_wav(&stereo).err().unwrap(), "2 channels, expected mono");
        let mut rate = good.clone();
        rate[24..28].copy_from_slice(&16000u32.to_le_bytes());
        assert_eq!(read_wav(&rate).err().unwrap(), "sample rate 16000 Hz, expected 8000 Hz");
        let truncated = &good[..good.len() - 100];
        assert_eq!(
            read_wav(truncated).err().unwrap(),
            "truncated: chunk 'data' declares 801 bytes, the file holds 702"
        );
        let mut tag = good.clone();
        tag[20] = 3;
        assert_eq!(
            read_wav(&tag).err().unwrap(),
            "audio format tag 3, expected 1 (PCM), 6 (A-law) or 7 (µ-law)"
        );
        assert_eq!(read_wav(&good[..10]).err().unwrap(), "truncated: 10 bytes is too short for a WAV header");
        let empty = wav_bytes(&[], Encoding::Ulaw).unwrap();
        assert_eq!(read_wav(&empty).err().unwrap(), "no audio: the data chunk is empty");
        let mut not_wave = good.clone();
        not_wave[8..12].copy_from_slice(b"AVI ");
        assert_eq!(read_wav(&not_wave).err().unwrap(), "RIFF file but not WAVE audio");
    }

    #[test]
    fn every_prefix_and_random_damage_is_an_error_not_a_panic() {
        for encoding in [Encoding::Alaw, Encoding::Linear] {
            let good = wav_bytes(&samples(), encoding).unwrap();
            // 801 A-law octets end with a pad octet, which may be missing.
            let shortest_good = good.len() - usize::from(encoding == Encoding::Alaw);
            for len in 0..shortest_good {
                assert!(read_wav(&good[..len]).is_err(), "{encoding:?} prefix of {len} bytes accepted");
            }
            let mut seed = 0x2545_F491_4F6C_DD1Du64;
            for _ in 0..2000 {
                let mut damaged = good.clone();
                for _ in 0..4 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let at = (seed % 64) as usize;
                    damaged[at] = (seed >> 32) as u8;
                }
                let _ = read_wav(&damaged);
            }
        }
    }
}
