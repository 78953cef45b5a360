//! What every `tdm run` test needs: a system on a lockstep two-board simulated bench in a
//! temporary directory, the `tdm` command pointed at its control socket, and helpers for
//! commands left running in the background. Each test file uses a part of it.
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `tdm` with no control socket named: for commands that run on their own.
pub fn tdm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tdm")).args(args).output().expect("run tdm")
}

/// A running `tdm run`, stopped on drop.
pub struct RunningSystem {
    child: Child,
    pub socket: String,
    pub dir: tempfile::TempDir,
}

impl RunningSystem {
    /// Runs the system file `body` (everything but its `[control]` section; it refers to the
    /// bench as `bench.toml`) on a bench of two one-span boards `a` and `b` joined by the
    /// cable `trunk`, randomised by `seed`.
    pub fn start(seed: u64, body: &str) -> RunningSystem {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bench.toml"),
            format!(
                "seed = {seed}\n[[board]]\nname = \"a\"\nspans = 1\n[[board]]\nname = \"b\"\nspans = 1\n\
                 [[cable]]\nname = \"trunk\"\na = \"a:0\"\nb = \"b:0\"\n"
            ),
        )
        .unwrap();
        let socket = dir.path().join("tdm.sock");
        let system = dir.path().join("system.toml");
        std::fs::write(&system, format!("[control]\nsocket = \"{}\"\n{body}", socket.display())).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_tdm"))
            .args(["run", system.to_str().unwrap()])
            .stderr(Stdio::null())
            .spawn()
            .expect("start tdm run");
        let started = Instant::now();
        while !socket.exists() {
            assert!(started.elapsed() < Duration::from_secs(20), "control socket never appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        RunningSystem { child, socket: socket.to_str().unwrap().to_string(), dir }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tdm"));
        command.args(["--socket", self.socket.as_str()]).args(args);
        command
    }

    pub fn tdm(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run tdm")
    }

    pub fn background(&self, args: &[&str]) -> Child {
        self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start tdm")
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.tdm(args);
        assert!(out.status.success(), "tdm {args:?}: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).expect("JSON")
    }

    pub fn wait_for(&self, what: &str, mut done: impl FnMut(&RunningSystem) -> bool) {
        let started = Instant::now();
        while !done(self) {
            assert!(started.elapsed() < Duration::from_secs(60), "{what}: not within 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for RunningSystem {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for a background `tdm` and returns (success, stdout, stderr), of the streams the test
/// has not taken over itself.
pub fn finish(mut child: Child) -> (bool, String, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            let mut err = String::new();
            if let Some(mut stdout) = child.stdout.take() {
                stdout.read_to_string(&mut out).unwrap();
            }
            if let Some(mut stderr) = child.stderr.take() {
                stderr.read_to_string(&mut err).unwrap();
            }
            return (status.success(), out, err);
        }
        assert!(started.elapsed() < Duration::from_secs(30), "tdm did not finish");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Progress lines without their board-time stamps: "   0.536 s  connected on ts 1" becomes
/// "connected on ts 1".
pub fn without_times(stdout: &str) -> Vec<String> {
    stdout.lines().map(|l| l.split_once(" s  ").map_or(l, |(_, rest)| rest).to_string()).collect()
}

/// tshark's output on a capture, or `None` when tshark is not installed.
pub fn tshark(path: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("tshark").arg("-r").arg(path).args(args).output().ok()?;
    assert!(out.status.success(), "tshark: {}", text(&out.stderr));
    Some(text(&out.stdout))
}
