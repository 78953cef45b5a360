//! Opening a board: map its memory, check its header, and wait on its interrupt.
//!
//! The same code serves a memory-mapped device (UIO: `/dev/uioN`) and the simulator (a
//! shared-memory file and a Unix socket): both speak the board ABI of `tdm-abi`.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use memmap2::MmapMut;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use tdm_abi::{BoardView, IRQ_ENABLE};

use crate::error::Error;

/// Where a board lives: its memory and its interrupt descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardPaths {
    pub memory: PathBuf,
    pub interrupt: PathBuf,
}

/// An open board. Dropping it unmaps the memory and closes the interrupt.
pub struct Board {
    // Field order matters: the view points into the mapping, so it goes first.
    view: BoardView,
    _mapping: MmapMut,
    interrupt: Interrupt,
    device: PathBuf,
}

impl Board {
    pub fn open(paths: &BoardPaths) -> Result<Board, Error> {
        let device = paths.memory.clone();
        let open_err = |source| Error::Open { device: device.clone(), source };
        let file = OpenOptions::new().read(true).write(true).open(&paths.memory).map_err(open_err)?;
        // SAFETY: the board memory is shared with the board by design; we only reach it
        // through `BoardView`, which uses atomics and the ring protocol.
        let mut mapping = unsafe { MmapMut::map_mut(&file) }.map_err(open_err)?;
        // SAFETY: the mapping outlives the view: both live in `Board`, view dropped first.
        let view = unsafe { BoardView::open(mapping.as_mut_ptr(), mapping.len()) }
            .map_err(|source| Error::Layout { device: device.clone(), source })?;
        let interrupt = Interrupt::open(&paths.interrupt)?;
        Ok(Board { view, _mapping: mapping, interrupt, device })
    }

    pub fn view(&self) -> &BoardView {
        &self.view
    }

    pub fn device(&self) -> &Path {
        &self.device
    }

    /// Waits until the board has completed a block. Returns the running interrupt count.
    pub fn wait_interrupt(&mut self, timeout: Duration) -> Result<u32, Error> {
        self.interrupt.wait(timeout)
    }

    /// Non-blocking: has the board completed a block we have not handled yet?
    pub fn poll_interrupt(&mut self) -> Result<Option<u32>, Error> {
        match self.interrupt.wait(Duration::ZERO) {
            Ok(n) => Ok(Some(n)),
            Err(Error::Timeout { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Re-enables the interrupt; a lockstep board starts its next block after this.
    pub fn acknowledge(&mut self) -> Result<(), Error> {
        self.interrupt.acknowledge()
    }
}

/// A UIO-style interrupt: 4-octet counts to read, 4-octet re-enables to write. A Unix
/// stream socket may deliver several counts at once, or a count in pieces.
struct Interrupt {
    endpoint: Endpoint,
    path: PathBuf,
    partial: [u8; 4],
    partial_len: usize,
}

enum Endpoint {
    Socket(UnixStream),
    Device(File),
}

impl Interrupt {
    fn open(path: &Path) -> Result<Interrupt, Error> {
        let open_err = |source| Error::Open { device: path.to_path_buf(), source };
        let meta = std::fs::metadata(path).map_err(open_err)?;
        let endpoint = if meta.file_type().is_socket() {
            Endpoint::Socket(UnixStream::connect(path).map_err(open_err)?)
        } else {
            Endpoint::Device(OpenOptions::new().read(true).write(true).open(path).map_err(open_err)?)
        };
        Ok(Interrupt { endpoint, path: path.to_path_buf(), partial: [0; 4], partial_len: 0 })
    }

    fn wait(&mut self, timeout: Duration) -> Result<u32, Error> {
        let ms = PollTimeout::try_from(timeout.as_millis().min(i32::MAX as u128) as i32)
            .unwrap_or(PollTimeout::MAX);
        let polled = loop {
            let fd = match &self.endpoint {
                Endpoint::Socket(s) => s.as_fd(),
                Endpoint::Device(f) => f.as_fd(),
            };
            match poll(&mut [PollFd::new(fd, PollFlags::POLLIN)], ms) {
                Err(nix::errno::Errno::EINTR) => continue,
                other => break other,
            }
        };
        let ready = polled.map_err(|e| self.gone(Some(io::Error::from(e))))?;
        if ready == 0 {
            return Err(Error::Timeout { device: self.path.clone(), waited_ms: timeout.as_millis() as u64 });
        }
        let mut buf = [0u8; 64];
        let n = match &mut self.endpoint {
            Endpoint::Socket(s) => s.read(&mut buf),
            Endpoint::Device(f) => f.read(&mut buf),
        };
        let n = match n {
            Ok(0) => return Err(self.gone(None)),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => 0,
            Err(e) => return Err(self.gone(Some(e))),
        };
        let mut last = None;
        for &b in &buf[..n] {
            self.partial[self.partial_len] = b;
            self.partial_len += 1;
            if self.partial_len == 4 {
                last = Some(u32::from_le_bytes(self.partial));
                self.partial_len = 0;
            }
        }
        match last {
            Some(count) => Ok(count),
            // Only part of a count arrived: not yet a whole interrupt.
            None => Err(Error::Timeout { device: self.path.clone(), waited_ms: 0 }),
        }
    }

    fn acknowledge(&mut self) -> Result<(), Error> {
        let r = match &mut self.endpoint {
            Endpoint::Socket(s) => s.write_all(&IRQ_ENABLE),
            Endpoint::Device(f) => f.write_all(&IRQ_ENABLE),
        };
        r.map_err(|e| self.gone(Some(e)))
    }

    fn gone(&self, source: Option<io::Error>) -> Error {
        Error::Gone { device: self.path.clone(), source }
    }
}
