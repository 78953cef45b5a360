//! The few operating-system operations the DAHDI backend needs, behind a trait so that tests
//! can stand in for the kernel: open a device node, a handful of ioctls, read, write, poll,
//! and a monotonic clock.
//!
//! [`KernelDahdi`] is the real thing: `open(2)` on `/dev/dahdi/*`, ioctls through `nix`,
//! `poll(2)`. A test implements [`DahdiSys`] with socketpairs as channel files and the
//! ioctls answered from memory (see `tests/dahdi_backend.rs`). This module holds all of the
//! backend's `unsafe`.

use std::fs::OpenOptions;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use libc::c_int;

use super::abi::{self, BufferInfo, ChanConfig, LineConfig, MaintInfo, Params, SpanInfo, VersionInfo};

/// The ioctls whose argument is one `int` (read, written, or both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntIoctl {
    /// `DAHDI_GETEVENT` (out: the event).
    GetEvent,
    /// `DAHDI_FLUSH` (in: `DAHDI_FLUSH_*`).
    Flush,
    /// `DAHDI_AUDIOMODE` (in: 0 or 1).
    AudioMode,
    /// `DAHDI_CHANNO` (out: the channel number).
    ChannelNumber,
    /// `DAHDI_HDLCFCSMODE` (in: 0 or 1).
    HdlcFcsMode,
    /// `DAHDI_SPECIFY` (in: the channel number).
    Specify,
    /// `DAHDI_GETRXBITS` (out: ABCD).
    GetRxBits,
    /// `DAHDI_SETTXBITS` (in: ABCD).
    SetTxBits,
    /// `DAHDI_LOOPBACK` (in: 0 or 1).
    Loopback,
    /// `DAHDI_STARTUP` (in: the span number).
    Startup,
    /// `DAHDI_BUFFER_EVENTS` (in: 0 or 1).
    BufferEvents,
}

impl IntIoctl {
    /// The request number.
    pub fn request(self) -> u32 {
        match self {
            IntIoctl::GetEvent => abi::DAHDI_GETEVENT,
            IntIoctl::Flush => abi::DAHDI_FLUSH,
            IntIoctl::AudioMode => abi::DAHDI_AUDIOMODE,
            IntIoctl::ChannelNumber => abi::DAHDI_CHANNO,
            IntIoctl::HdlcFcsMode => abi::DAHDI_HDLCFCSMODE,
            IntIoctl::Specify => abi::DAHDI_SPECIFY,
            IntIoctl::GetRxBits => abi::DAHDI_GETRXBITS,
            IntIoctl::SetTxBits => abi::DAHDI_SETTXBITS,
            IntIoctl::Loopback => abi::DAHDI_LOOPBACK,
            IntIoctl::Startup => abi::DAHDI_STARTUP,
            IntIoctl::BufferEvents => abi::DAHDI_BUFFER_EVENTS,
        }
    }

    /// The header's name for it, for error messages.
    pub fn name(self) -> &'static str {
        match self {
            IntIoctl::GetEvent => "DAHDI_GETEVENT",
            IntIoctl::Flush => "DAHDI_FLUSH",
            IntIoctl::AudioMode => "DAHDI_AUDIOMODE",
            IntIoctl::ChannelNumber => "DAHDI_CHANNO",
            IntIoctl::HdlcFcsMode => "DAHDI_HDLCFCSMODE",
            IntIoctl::Specify => "DAHDI_SPECIFY",
            IntIoctl::GetRxBits => "DAHDI_GETRXBITS",
            IntIoctl::SetTxBits => "DAHDI_SETTXBITS",
            IntIoctl::Loopback => "DAHDI_LOOPBACK",
            IntIoctl::Startup => "DAHDI_STARTUP",
            IntIoctl::BufferEvents => "DAHDI_BUFFER_EVENTS",
        }
    }
}

/// What the backend asks of the operating system. Every call is made from the driver's own
/// thread; none may block except [`DahdiSys::poll`] for at most its timeout.
pub trait DahdiSys: Send + 'static {
    /// Opens a device node for reading and writing, non-blocking and close-on-exec.
    fn open(&self, path: &Path) -> io::Result<OwnedFd>;
    /// One of the `int` ioctls.
    fn ioctl_int(&self, fd: BorrowedFd<'_>, request: IntIoctl, value: &mut i32) -> io::Result<()>;
    /// `DAHDI_SPANSTAT` for `info.spanno`.
    fn span_info(&self, ctl: BorrowedFd<'_>, info: &mut SpanInfo) -> io::Result<()>;
    /// `DAHDI_GET_PARAMS` for `params.channo`.
    fn params(&self, ctl: BorrowedFd<'_>, params: &mut Params) -> io::Result<()>;
    /// `DAHDI_SET_BUFINFO`.
    fn set_buffers(&self, fd: BorrowedFd<'_>, info: &BufferInfo) -> io::Result<()>;
    /// `DAHDI_MAINT`.
    fn maint(&self, ctl: BorrowedFd<'_>, info: &MaintInfo) -> io::Result<()>;
    /// `DAHDI_SPANCONFIG`.
    fn span_config(&self, ctl: BorrowedFd<'_>, config: &LineConfig) -> io::Result<()>;
    /// `DAHDI_CHANCONFIG`.
    fn chan_config(&self, ctl: BorrowedFd<'_>, config: &ChanConfig) -> io::Result<()>;
    /// `DAHDI_GETVERSION`.
    fn version(&self, ctl: BorrowedFd<'_>, info: &mut VersionInfo) -> io::Result<()>;
    /// `read(2)`: one block of audio, or one HDLC frame with its FCS.
    fn read(&self, fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize>;
    /// `write(2)`: one block of audio, or one HDLC frame plus 2 octets for its FCS.
    fn write(&self, fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize>;
    /// `poll(2)` on the descriptors, waiting at most `timeout`. Returns how many are ready.
    fn poll(&self, fds: &mut [libc::pollfd], timeout: Duration) -> io::Result<usize>;
    /// Time since some fixed origin; only differences are used.
    fn now(&self) -> Duration;
}

/// The Linux kernel's DAHDI.
#[derive(Debug, Clone)]
pub struct KernelDahdi {
    origin: Instant,
}

impl Default for KernelDahdi {
    fn default() -> Self {
        KernelDahdi { origin: Instant::now() }
    }
}

mod ioctls {
    use super::abi::{self, BufferInfo, ChanConfig, LineConfig, MaintInfo, Params, SpanInfo, VersionInfo};
    use libc::c_int;

    nix::ioctl_readwrite_bad!(spanstat, abi::DAHDI_SPANSTAT, SpanInfo);
    nix::ioctl_readwrite_bad!(get_params, abi::DAHDI_GET_PARAMS, Params);
    nix::ioctl_write_ptr_bad!(set_bufinfo, abi::DAHDI_SET_BUFINFO, BufferInfo);
    nix::ioctl_write_ptr_bad!(maint, abi::DAHDI_MAINT, MaintInfo);
    nix::ioctl_write_ptr_bad!(spanconfig, abi::DAHDI_SPANCONFIG, LineConfig);
    nix::ioctl_write_ptr_bad!(chanconfig, abi::DAHDI_CHANCONFIG, ChanConfig);
    nix::ioctl_read_bad!(getversion, abi::DAHDI_GETVERSION, VersionInfo);
    nix::ioctl_read_bad!(get_event, abi::DAHDI_GETEVENT, c_int);
    nix::ioctl_write_ptr_bad!(flush, abi::DAHDI_FLUSH, c_int);
    nix::ioctl_write_ptr_bad!(audio_mode, abi::DAHDI_AUDIOMODE, c_int);
    nix::ioctl_read_bad!(channel_number, abi::DAHDI_CHANNO, c_int);
    nix::ioctl_write_ptr_bad!(hdlc_fcs_mode, abi::DAHDI_HDLCFCSMODE, c_int);
    nix::ioctl_write_ptr_bad!(specify, abi::DAHDI_SPECIFY, c_int);
    nix::ioctl_read_bad!(get_rx_bits, abi::DAHDI_GETRXBITS, c_int);
    nix::ioctl_write_ptr_bad!(set_tx_bits, abi::DAHDI_SETTXBITS, c_int);
    nix::ioctl_write_ptr_bad!(loopback, abi::DAHDI_LOOPBACK, c_int);
    nix::ioctl_write_ptr_bad!(startup, abi::DAHDI_STARTUP, c_int);
    nix::ioctl_write_ptr_bad!(buffer_events, abi::DAHDI_BUFFER_EVENTS, c_int);
}

fn io_result(r: nix::Result<c_int>) -> io::Result<()> {
    r.map(|_| ()).map_err(io::Error::from)
}

impl DahdiSys for KernelDahdi {
    fn open(&self, path: &Path) -> io::Result<OwnedFd> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC)
            .open(path)?;
        Ok(OwnedFd::from(file))
    }

    fn ioctl_int(&self, fd: BorrowedFd<'_>, request: IntIoctl, value: &mut i32) -> io::Result<()> {
        let fd = fd.as_raw_fd();
        // SAFETY: `value` is a live, exclusively borrowed `int` for the call, and each of these
        // requests reads or writes exactly one `int` through its pointer.
        let r = unsafe {
            match request {
                IntIoctl::GetEvent => ioctls::get_event(fd, value),
                IntIoctl::Flush => ioctls::flush(fd, value),
                IntIoctl::AudioMode => ioctls::audio_mode(fd, value),
                IntIoctl::ChannelNumber => ioctls::channel_number(fd, value),
                IntIoctl::HdlcFcsMode => ioctls::hdlc_fcs_mode(fd, value),
                IntIoctl::Specify => ioctls::specify(fd, value),
                IntIoctl::GetRxBits => ioctls::get_rx_bits(fd, value),
                IntIoctl::SetTxBits => ioctls::set_tx_bits(fd, value),
                IntIoctl::Loopback => ioctls::loopback(fd, value),
                IntIoctl::Startup => ioctls::startup(fd, value),
                IntIoctl::BufferEvents => ioctls::buffer_events(fd, value),
            }
        };
        io_result(r)
    }

    fn span_info(&self, ctl: BorrowedFd<'_>, info: &mut SpanInfo) -> io::Result<()> {
        // SAFETY: `SpanInfo` has the layout of `struct dahdi_spaninfo` (checked against the
        // header by tests/dahdi_abi.rs) and lives for the call.
        io_result(unsafe { ioctls::spanstat(ctl.as_raw_fd(), info) })
    }

    fn params(&self, ctl: BorrowedFd<'_>, params: &mut Params) -> io::Result<()> {
        // SAFETY: as above, for `struct dahdi_params`.
        io_result(unsafe { ioctls::get_params(ctl.as_raw_fd(), params) })
    }

    fn set_buffers(&self, fd: BorrowedFd<'_>, info: &BufferInfo) -> io::Result<()> {
        // SAFETY: as above, for `struct dahdi_bufferinfo`; the kernel only reads it.
        io_result(unsafe { ioctls::set_bufinfo(fd.as_raw_fd(), info) })
    }

    fn maint(&self, ctl: BorrowedFd<'_>, info: &MaintInfo) -> io::Result<()> {
        // SAFETY: as above, for `struct dahdi_maintinfo`.
        io_result(unsafe { ioctls::maint(ctl.as_raw_fd(), info) })
    }

    fn span_config(&self, ctl: BorrowedFd<'_>, config: &LineConfig) -> io::Result<()> {
        // SAFETY: as above, for `struct dahdi_lineconfig`.
        io_result(unsafe { ioctls::spanconfig(ctl.as_raw_fd(), config) })
    }

    fn chan_config(&self, ctl: BorrowedFd<'_>, config: &ChanConfig) -> io::Result<()> {
        // SAFETY: as above, for `struct dahdi_chanconfig`.
        io_result(unsafe { ioctls::chanconfig(ctl.as_raw_fd(), config) })
    }

    fn version(&self, ctl: BorrowedFd<'_>, info: &mut VersionInfo) -> io::Result<()> {
        // SAFETY: as above, for `struct dahdi_versioninfo`.
        io_result(unsafe { ioctls::getversion(ctl.as_raw_fd(), info) })
    }

    fn read(&self, fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
        nix::unistd::read(fd, buf).map_err(io::Error::from)
    }

    fn write(&self, fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
        nix::unistd::write(fd, buf).map_err(io::Error::from)
    }

    fn poll(&self, fds: &mut [libc::pollfd], timeout: Duration) -> io::Result<usize> {
        let ms = timeout.as_millis().min(i32::MAX as u128) as c_int;
        // SAFETY: `fds` is a valid, exclusively borrowed array of `pollfd` of that length;
        // the descriptors in it are open for the duration of the call (owned by the driver).
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
        if n < 0 { Err(io::Error::last_os_error()) } else { Ok(n as usize) }
    }

    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}
