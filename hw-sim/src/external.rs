//! The external line port: a Unix socket over which another program is the far end of a
//! span, bit for bit (`docs/board-abi.md`, "The external line port").
//!
//! On connect the port sends the 16-octet hello; then each block it sends the 256 octets
//! the span put on the line and reads the 256 octets the peer puts on it. One peer at a
//! time: a second one waits in the listen queue until the first has gone.

use std::io;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use log::{info, warn};
use tdm_abi::{FRAMES_PER_BLOCK, UNIT_OCTETS};

use crate::sock::{self, ReadOutcome};

/// Octets of one block of line in either direction.
pub const LINE_BLOCK_OCTETS: usize = FRAMES_PER_BLOCK as usize * UNIT_OCTETS;

/// The hello a peer receives on connect: `TDMLINE1`, frames per block, flags.
pub const LINE_HELLO: [u8; 16] = {
    let mut hello = [0u8; 16];
    let magic = *b"TDMLINE1";
    let mut i = 0;
    while i < 8 {
        hello[i] = magic[i];
        i += 1;
    }
    let fpb = FRAMES_PER_BLOCK.to_le_bytes();
    hello[8] = fpb[0];
    hello[9] = fpb[1];
    hello[10] = fpb[2];
    hello[11] = fpb[3];
    hello
};

pub(crate) struct ExternalPort {
    cable: String,
    /// `cable <name>`, for the socket layer's log lines.
    label: String,
    path: PathBuf,
    listener: UnixListener,
    peer: Option<UnixStream>,
}

impl ExternalPort {
    pub(crate) fn listen(cable: &str, path: &Path) -> io::Result<Self> {
        Ok(ExternalPort {
            cable: cable.to_string(),
            label: format!("cable {cable}"),
            path: path.to_path_buf(),
            listener: sock::listen(path)?,
            peer: None,
        })
    }

    pub(crate) fn connected(&self) -> bool {
        self.peer.is_some()
    }

    fn drop_peer(&mut self, why: &str) {
        if self.peer.take().is_some() {
            info!("cable {}: external peer {why}; the span sees LOS", self.cable);
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// At the start of a block: takes a waiting peer, if none is connected, and greets
    /// it. Fails only when the listening socket itself is broken.
    pub(crate) fn accept(&mut self, timeout: Duration) -> io::Result<()> {
        if self.peer.is_some() {
            return Ok(());
        }
        let Some(stream) = sock::accept(&self.listener, &self.label)? else {
            return Ok(());
        };
        match sock::write_all(&stream, &LINE_HELLO, Instant::now() + timeout) {
            Ok(()) => {
                info!("cable {}: external peer connected on {}", self.cable, self.path.display());
                self.peer = Some(stream);
            }
            Err(e) => warn!("cable {}: external peer left before the hello: {e}", self.cable),
        }
        Ok(())
    }

    /// Sends the block the span put on the line toward the peer.
    pub(crate) fn send_block(&mut self, block: &[u8; LINE_BLOCK_OCTETS], timeout: Duration) {
        let Some(peer) = &self.peer else { return };
        if let Err(e) = sock::write_all(peer, block, Instant::now() + timeout) {
            self.drop_peer(&format!("is gone ({e})"));
        }
    }

    /// Reads the peer's block; `false` when there is no peer (any more).
    pub(crate) fn receive_block(
        &mut self,
        block: &mut [u8; LINE_BLOCK_OCTETS],
        timeout: Duration,
        stop: Option<&AtomicBool>,
    ) -> bool {
        let Some(peer) = &self.peer else { return false };
        match sock::read_exact(peer, block, Instant::now() + timeout, stop) {
            Ok(ReadOutcome::Complete) => true,
            Ok(ReadOutcome::Closed) => {
                self.drop_peer("disconnected");
                false
            }
            Ok(ReadOutcome::TimedOut) => {
                self.drop_peer(&format!("sent nothing for {timeout:?} and was dropped"));
                false
            }
            Ok(ReadOutcome::Stopped) => {
                // Part of the block may have been read: the framing is lost.
                self.drop_peer("was cut off: the simulator stopped mid-block");
                false
            }
            Err(e) => {
                self.drop_peer(&format!("failed ({e})"));
                false
            }
        }
    }
}

impl Drop for ExternalPort {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hello_is_the_documented_sixteen_octets() {
        assert_eq!(&LINE_HELLO, b"TDMLINE1\x08\x00\x00\x00\x00\x00\x00\x00");
        assert_eq!(LINE_BLOCK_OCTETS, 256);
    }
}
