//! A board's interrupt line: the `.irq` Unix socket, spoken the way Linux UIO speaks.
//!
//! After each block the board sends the running interrupt count (u32 LE) to the connected
//! driver, if its interrupt is enabled; sending disables it until the driver writes the
//! four octets [`tdm_abi::IRQ_ENABLE`]. Writing `0` masks the interrupt until a later
//! `1` (UIO's `irqcontrol`). One driver at a time: a second one waits in the listen
//! queue until the first has gone.

use std::io::{self, Read};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use log::{info, warn};
use nix::poll::PollFlags;

use crate::sock::{self, Wait};

/// Where the driver's interrupt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IrqState {
    /// Enabled: the next block raises it.
    Armed,
    /// Raised, waiting for the driver to re-enable it.
    Pending,
    /// Raised, and the driver missed the lockstep timeout: the board no longer waits,
    /// and raises it again only once the driver re-enables it.
    Stalled,
    /// The driver wrote 0: no interrupts until it writes 1.
    Masked,
}

struct Driver {
    stream: UnixStream,
    state: IrqState,
    word: [u8; 4],
    word_filled: usize,
}

enum Drained {
    Open,
    Gone(&'static str),
}

impl Driver {
    /// Reads whatever the driver has written, without blocking.
    fn drain(&mut self) -> Drained {
        loop {
            match (&self.stream).read(&mut self.word[self.word_filled..]) {
                Ok(0) => return Drained::Gone("disconnected"),
                Ok(n) => {
                    self.word_filled += n;
                    if self.word_filled == 4 {
                        self.word_filled = 0;
                        match u32::from_le_bytes(self.word) {
                            1 => self.state = IrqState::Armed,
                            0 => self.state = IrqState::Masked,
                            _ => return Drained::Gone("wrote something other than 0 or 1 to the interrupt"),
                        }
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Drained::Open,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Drained::Gone("connection failed"),
            }
        }
    }
}

/// The interrupt socket of one board.
pub(crate) struct InterruptLine {
    board: String,
    /// `board <name>`, for the socket layer's log lines.
    label: String,
    path: PathBuf,
    listener: UnixListener,
    driver: Option<Driver>,
}

impl InterruptLine {
    pub(crate) fn listen(board: &str, path: &Path) -> io::Result<Self> {
        Ok(InterruptLine {
            board: board.to_string(),
            label: format!("board {board}"),
            path: path.to_path_buf(),
            listener: sock::listen(path)?,
            driver: None,
        })
    }

    #[cfg(test)]
    pub(crate) fn state(&self) -> Option<IrqState> {
        self.driver.as_ref().map(|d| d.state)
    }

    fn drop_driver(&mut self, why: &str) {
        if self.driver.take().is_some() {
            info!("board {}: interrupt driver {why}; the board runs free", self.board);
        }
    }

    /// Before a block: takes a newly connected driver, reads what the driver wrote and,
    /// when `wait` (lockstep), waits up to `timeout` for the re-enable of an interrupt
    /// still outstanding.
    /// Fails only when the listening socket itself is broken.
    pub(crate) fn before_block(
        &mut self,
        wait: bool,
        timeout: Duration,
        stop: Option<&AtomicBool>,
    ) -> io::Result<()> {
        if self.driver.is_none()
            && let Some(stream) = sock::accept(&self.listener, &self.label)?
        {
            info!("board {}: interrupt driver connected", self.board);
            self.driver = Some(Driver { stream, state: IrqState::Armed, word: [0; 4], word_filled: 0 });
        }
        self.service(wait, timeout, stop);
        Ok(())
    }

    fn service(&mut self, wait: bool, timeout: Duration, stop: Option<&AtomicBool>) {
        let Some(driver) = self.driver.as_mut() else { return };
        if let Drained::Gone(why) = driver.drain() {
            return self.drop_driver(why);
        }
        if !wait || driver.state != IrqState::Pending {
            return;
        }
        let deadline = Instant::now() + timeout;
        while driver.state == IrqState::Pending {
            match sock::wait_for(&driver.stream, PollFlags::POLLIN, deadline, stop) {
                Ok(Wait::Ready) => {
                    if let Drained::Gone(why) = driver.drain() {
                        return self.drop_driver(why);
                    }
                }
                Ok(Wait::TimedOut) => {
                    warn!(
                        "board {}: the driver did not re-enable the interrupt within {timeout:?}; going on",
                        self.board
                    );
                    driver.state = IrqState::Stalled;
                }
                Ok(Wait::Stopped) => return,
                Err(_) => return self.drop_driver("connection failed"),
            }
        }
    }

    /// After a block: raises the interrupt with the running count, if it is enabled.
    pub(crate) fn raise(&mut self, count: u32) {
        let Some(driver) = self.driver.as_mut() else { return };
        if driver.state != IrqState::Armed {
            return;
        }
        // One count is in flight at most, so the socket buffer always has room: a write
        // that cannot complete at once means the connection is broken.
        match sock::write_all(&driver.stream, &count.to_le_bytes(), Instant::now()) {
            Ok(()) => driver.state = IrqState::Pending,
            Err(_) => self.drop_driver("is gone"),
        }
    }
}

impl Drop for InterruptLine {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_count(stream: &mut UnixStream) -> u32 {
        let mut b = [0u8; 4];
        stream.read_exact(&mut b).unwrap();
        u32::from_le_bytes(b)
    }

    #[test]
    fn interrupt_states_follow_the_uio_protocol() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.irq");
        let mut line = InterruptLine::listen("b", &path).unwrap();
        let short = Duration::from_millis(30);
        line.raise(1);
        assert_eq!(line.state(), None);

        let mut driver = UnixStream::connect(&path).unwrap();
        line.before_block(true, short, None).unwrap();
        assert_eq!(line.state(), Some(IrqState::Armed));
        line.raise(7);
        assert_eq!(read_count(&mut driver), 7);
        assert_eq!(line.state(), Some(IrqState::Pending));

        // Not re-enabled in time: the board goes on, and raises nothing more.
        line.before_block(true, short, None).unwrap();
        assert_eq!(line.state(), Some(IrqState::Stalled));
        line.raise(8);
        line.before_block(true, short, None).unwrap();
        assert_eq!(line.state(), Some(IrqState::Stalled));

        // Re-enabled two octets at a time.
        driver.write_all(&tdm_abi::IRQ_ENABLE[..2]).unwrap();
        line.before_block(false, short, None).unwrap();
        assert_eq!(line.state(), Some(IrqState::Stalled));
        driver.write_all(&tdm_abi::IRQ_ENABLE[2..]).unwrap();
        line.before_block(false, short, None).unwrap();
        assert_eq!(line.state(), Some(IrqState::Armed));
        line.raise(10);
        assert_eq!(read_count(&mut driver), 10);

        driver.write_all(&0u32.to_le_bytes()).unwrap();
        line.before_block(true, short, None).unwrap();
        assert_eq!(line.state(), Some(IrqState::Masked));
        line.raise(11);
        driver.write_all(&tdm_abi::IRQ_ENABLE).unwrap();
        line.before_block(true, short, None).unwrap();
        line.raise(12);
        assert_eq!(read_count(&mut driver), 12);

        // Garbage drops the driver; the next one in the queue is taken.
        let mut second = UnixStream::connect(&path).unwrap();
        driver.write_all(&5u32.to_le_bytes()).unwrap();
        line.before_block(true, short, None).unwrap();
        assert_eq!(line.state(), None);
        line.before_block(true, short, None).unwrap();
        assert_eq!(line.state(), Some(IrqState::Armed));
        line.raise(14);
        assert_eq!(read_count(&mut second), 14);
        drop(second);
        line.before_block(true, short, None).unwrap();
        assert_eq!(line.state(), None);
    }
}
