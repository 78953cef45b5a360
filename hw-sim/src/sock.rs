//! The Unix stream sockets the boards listen on: non-blocking everywhere, with waits that
//! end at a deadline or when the simulator is asked to stop.

use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{MsgFlags, send};

/// Longest single sleep in a wait, so that a stop request is seen promptly.
const WAIT_SLICE: Duration = Duration::from_millis(50);

/// Binds a listening socket at `path`, replacing a stale socket left by an earlier run
/// (but never a file of another kind).
pub(crate) fn listen(path: &Path) -> io::Result<UnixListener> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => std::fs::remove_file(path)?,
        Ok(_) => {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, "the path exists and is not a socket"));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

/// Takes one pending connection, if any. Running out of descriptors or memory is
/// logged and retried at the next block; any other failure means the listening socket
/// is broken, and is returned.
pub(crate) fn accept(listener: &UnixListener, owner: &str) -> io::Result<Option<UnixStream>> {
    // Linux builds (and frees) a whole socket for an accept that finds the queue empty;
    // asking poll first makes the common, empty case cheap.
    let mut fds = [PollFd::new(listener.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, PollTimeout::ZERO) {
        Ok(0) | Err(Errno::EINTR) => return Ok(None),
        Ok(_) => {}
        Err(e) => return Err(e.into()),
    }
    let stream = match listener.accept() {
        Ok((stream, _)) => stream,
        Err(e) => {
            return match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted => {
                    Ok(None)
                }
                _ if is_exhaustion(&e) => {
                    log::warn!("{owner}: cannot accept a connection yet: {e}");
                    Ok(None)
                }
                _ => Err(e),
            };
        }
    };
    match stream.set_nonblocking(true) {
        Ok(()) => Ok(Some(stream)),
        Err(e) => {
            log::warn!("{owner}: dropped a new connection: {e}");
            Ok(None)
        }
    }
}

fn is_exhaustion(e: &io::Error) -> bool {
    let exhausted = [Errno::EMFILE, Errno::ENFILE, Errno::ENOBUFS, Errno::ENOMEM];
    e.raw_os_error().is_some_and(|code| exhausted.iter().any(|&x| x as i32 == code))
}

/// How a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// The socket is readable (or writable), or has hung up: the next call won't block.
    Ready,
    TimedOut,
    /// The simulator was asked to stop.
    Stopped,
}

pub(crate) fn wait_for(
    stream: &UnixStream,
    events: PollFlags,
    deadline: Instant,
    stop: Option<&AtomicBool>,
) -> io::Result<Wait> {
    loop {
        if stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Ok(Wait::Stopped);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(Wait::TimedOut);
        }
        let slice = (deadline - now).min(WAIT_SLICE);
        // Round up so that a wait of a few microseconds does not spin.
        let millis = slice.as_millis().max(1) as u16;
        let mut fds = [PollFd::new(stream.as_fd(), events)];
        match poll(&mut fds, PollTimeout::from(millis)) {
            Ok(0) => continue,
            Ok(_) => return Ok(Wait::Ready),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// How reading a fixed-size message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadOutcome {
    Complete,
    /// The other side closed the connection.
    Closed,
    TimedOut,
    Stopped,
}

/// Reads exactly `buf.len()` octets, waiting until `deadline` for them.
pub(crate) fn read_exact(
    mut stream: &UnixStream,
    buf: &mut [u8],
    deadline: Instant,
    stop: Option<&AtomicBool>,
) -> io::Result<ReadOutcome> {
    let mut filled = 0;
    while filled < buf.len() {
        match stream.read(&mut buf[filled..]) {
            Ok(0) => return Ok(ReadOutcome::Closed),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                match wait_for(stream, PollFlags::POLLIN, deadline, stop)? {
                    Wait::Ready => {}
                    Wait::TimedOut => return Ok(ReadOutcome::TimedOut),
                    Wait::Stopped => return Ok(ReadOutcome::Stopped),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(ReadOutcome::Closed),
            Err(e) => return Err(e),
        }
    }
    Ok(ReadOutcome::Complete)
}

/// Writes all of `buf`, waiting until `deadline` for room. A peer that has gone gives
/// an error, never a SIGPIPE.
pub(crate) fn write_all(stream: &UnixStream, buf: &[u8], deadline: Instant) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let mut written = 0;
    while written < buf.len() {
        match send(stream.as_raw_fd(), &buf[written..], MsgFlags::MSG_NOSIGNAL | MsgFlags::MSG_DONTWAIT) {
            Ok(n) => written += n,
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) => match wait_for(stream, PollFlags::POLLOUT, deadline, None)? {
                Wait::Ready => {}
                Wait::TimedOut | Wait::Stopped => {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "the peer does not read"));
                }
            },
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_exact_reports_each_ending() {
        let (a, b) = UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let soon = || Instant::now() + Duration::from_millis(20);
        let mut buf = [0u8; 4];
        assert_eq!(read_exact(&a, &mut buf, soon(), None).unwrap(), ReadOutcome::TimedOut);
        write_all(&b, &[1, 2], soon()).unwrap();
        write_all(&b, &[3, 4, 5], soon()).unwrap();
        assert_eq!(read_exact(&a, &mut buf, soon(), None).unwrap(), ReadOutcome::Complete);
        assert_eq!(buf, [1, 2, 3, 4]);
        // The octet that is there is taken; then the stop request ends the wait.
        let stop = AtomicBool::new(true);
        assert_eq!(read_exact(&a, &mut buf[..2], soon(), Some(&stop)).unwrap(), ReadOutcome::Stopped);
        assert_eq!(buf[0], 5);
        drop(b);
        let mut one = [0u8; 1];
        assert_eq!(read_exact(&a, &mut one, soon(), None).unwrap(), ReadOutcome::Closed);
        assert!(write_all(&a, &[0], soon()).is_err());
    }

    #[test]
    fn listen_replaces_a_stale_socket_but_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.sock");
        let first = listen(&path).unwrap();
        drop(first);
        let second = listen(&path).unwrap();
        assert!(accept(&second, "test").unwrap().is_none());
        let _client = UnixStream::connect(&path).unwrap();
        assert!(accept(&second, "test").unwrap().is_some());
        let file = dir.path().join("plain");
        std::fs::write(&file, b"keep").unwrap();
        assert_eq!(listen(&file).unwrap_err().kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&file).unwrap(), b"keep");
    }
}
