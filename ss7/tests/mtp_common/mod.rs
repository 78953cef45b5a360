//! What the MTP integration tests share: writing a capture to a file, and asking tshark (when
//! it is installed) how it decoded one.

use std::path::PathBuf;
use std::process::Command;

/// Writes a pcap image under the target's temporary directory; returns the path.
pub fn write_capture(name: &str, image: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join("tdm-ss7-captures");
    std::fs::create_dir_all(&dir).expect("capture directory");
    let path = dir.join(format!("{name}-{}.pcap", std::process::id()));
    std::fs::write(&path, image).expect("capture written");
    path
}

/// How tshark read a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TsharkReport {
    /// Frames in the file.
    pub frames: usize,
    /// Frames tshark flagged malformed, or with an expert item of error severity.
    pub malformed: usize,
    /// Frames decoded as ISUP.
    pub isup: usize,
    /// Frames decoded as MTP3 management or link test messages.
    pub management: usize,
}

/// Runs tshark over `path` with MTP3 set to `standard` ("ITU", "Chinese ITU"); `None` (with
/// a notice) when tshark is not installed.
pub fn tshark_check(path: &std::path::Path, standard: &str) -> Option<TsharkReport> {
    let count = |filter: Option<&str>| -> Option<usize> {
        let mut command = Command::new("tshark");
        command.arg("-n").arg("-r").arg(path).arg("-o").arg(format!("mtp3.standard:{standard}"));
        if let Some(filter) = filter {
            command.arg("-Y").arg(filter);
        }
        command.args(["-T", "fields", "-e", "frame.number"]);
        let output = command.output().ok()?;
        assert!(output.status.success(), "tshark failed: {}", String::from_utf8_lossy(&output.stderr));
        Some(String::from_utf8_lossy(&output.stdout).lines().filter(|l| !l.trim().is_empty()).count())
    };
    let Some(frames) = count(None) else {
        eprintln!("tshark not installed: decode check of {} skipped", path.display());
        return None;
    };
    Some(TsharkReport {
        frames,
        malformed: count(Some("_ws.malformed || _ws.expert.severity >= 0x00600000"))?,
        isup: count(Some("isup"))?,
        management: count(Some("mtp3mg"))?,
    })
}
