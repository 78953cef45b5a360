//! A stand-in for DAHDI's kernel side: spans and channels in memory, the ioctls answered as
//! dahdi-base.c answers them (the same refusals: `EBUSY` for a channel already open, `ENXIO`
//! for an unconfigured one, `EINVAL` for HDLC or audio mode on a non-clear channel and
//! `SETTXBITS` on a non-CAS one), and each open channel a `SOCK_SEQPACKET` socketpair:
//! the driver holds one end, the test plays the line on the other (one message = one block
//! or one HDLC frame, as one DAHDI read or write). Queued events make reads and writes fail
//! with `ELAST` and `poll` report `POLLPRI`, as DAHDI does. Time is virtual: it moves when a
//! test says so, or when the driver polls with nothing ready (to the end of its timeout).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};
use tdm_driver::dahdi::abi::{
    self, BufferInfo, ChanConfig, DAHDI_SIG_CAS, DAHDI_SIG_CLEAR, LineConfig, MaintInfo, Params, SpanInfo,
    VersionInfo, set_c_text,
};
use tdm_driver::dahdi::{DahdiSys, IntIoctl};

/// One channel of a fake span.
#[derive(Debug, Default)]
pub struct Chan {
    pub spanno: i32,
    pub chanpos: i32,
    pub sigtype: i32,
    pub rxbits: i32,
    pub txbits: i32,
    pub events: VecDeque<i32>,
    /// The test's end of the open channel.
    pub peer: Option<OwnedFd>,
    pub open: bool,
    pub hdlc: bool,
    pub audio: bool,
    pub looped: bool,
    pub buffer_events: bool,
    pub buffers: Option<BufferInfo>,
}

enum Role {
    Ctl,
    /// `/dev/dahdi/channel` before `DAHDI_SPECIFY`, holding the test's end until bound.
    Selector(Option<OwnedFd>),
    Channel(i32),
}

/// What the fake kernel holds. Tests reach it through [`Fake::state`].
#[derive(Default)]
pub struct State {
    pub now: Duration,
    /// `errno` for opening a path (the control device, a channel node, the selector).
    pub open_errors: HashMap<PathBuf, i32>,
    /// Whether udev made `/dev/dahdi/chan/SSS/PPP` nodes.
    pub udev_nodes: bool,
    /// Whether `/dev/dahdi/ctl` exists at all.
    pub loaded: bool,
    pub spans: BTreeMap<i32, SpanInfo>,
    pub channels: BTreeMap<i32, Chan>,
    fds: HashMap<RawFd, Role>,
    /// Every `int` ioctl on a channel: (channel, request, value passed in).
    pub calls: Vec<(i32, IntIoctl, i32)>,
    pub opened: Vec<PathBuf>,
    pub maint: Vec<MaintInfo>,
    pub maint_error: Option<i32>,
    pub span_configs: Vec<LineConfig>,
    pub chan_configs: Vec<ChanConfig>,
    pub startups: Vec<i32>,
}

/// The fake, shared between the driver (as its [`DahdiSys`]) and the test.
#[derive(Clone)]
pub struct Fake {
    state: Arc<Mutex<State>>,
}

fn errno(e: i32) -> io::Error {
    io::Error::from_raw_os_error(e)
}

pub const E1: [u8; 6] = *b"E1\0\0\0\0";

impl Fake {
    /// DAHDI loaded, with udev nodes, and no spans yet.
    pub fn new() -> Fake {
        let state = State { loaded: true, udev_nodes: true, ..State::default() };
        Fake { state: Arc::new(Mutex::new(state)) }
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds an E1 span `spanno` named `name` with 31 channels numbered from `first_channel`,
    /// position `p` configured as `sigtype(p)`. The span is running, and its line clean.
    pub fn add_e1_span(
        &self,
        spanno: i32,
        name: &str,
        lineconfig: i32,
        first_channel: i32,
        sigtype: impl Fn(i32) -> i32,
    ) {
        let mut s = self.state();
        let mut info = SpanInfo { spanno, lineconfig, totalchans: 31, spantype: E1, ..SpanInfo::default() };
        set_c_text(&mut info.name, name);
        let mut configured = 0;
        for pos in 1..=31 {
            let sig = sigtype(pos);
            if sig != 0 {
                configured += 1;
            }
            s.channels.insert(
                first_channel + pos - 1,
                Chan { spanno, chanpos: pos, sigtype: sig, ..Chan::default() },
            );
        }
        info.numchans = configured;
        s.spans.insert(spanno, info);
        let total = s.spans.len() as i32;
        for span in s.spans.values_mut() {
            span.totalspans = total;
        }
    }

    /// Changes a span's state as its card's driver would.
    pub fn edit_span(&self, spanno: i32, edit: impl FnOnce(&mut SpanInfo)) {
        if let Some(info) = self.state().spans.get_mut(&spanno) {
            edit(info);
        }
    }

    /// Queues a DAHDI event on a channel.
    pub fn queue_event(&self, channo: i32, event: i32) {
        if let Some(c) = self.state().channels.get_mut(&channo) {
            c.events.push_back(event);
        }
    }

    pub fn advance(&self, ms: u64) {
        self.state().now += Duration::from_millis(ms);
    }

    /// The line sends one block or frame to the channel.
    pub fn line_send(&self, channo: i32, data: &[u8]) {
        let s = self.state();
        let peer = s.channels.get(&channo).and_then(|c| c.peer.as_ref()).expect("channel open");
        let n = nix::unistd::write(peer, data).expect("write to the driver");
        assert_eq!(n, data.len());
    }

    /// Everything the driver wrote to the channel since last asked, message by message.
    pub fn line_take(&self, channo: i32) -> Vec<Vec<u8>> {
        let s = self.state();
        let Some(peer) = s.channels.get(&channo).and_then(|c| c.peer.as_ref()) else { return Vec::new() };
        let mut out = Vec::new();
        let mut buf = [0u8; 2048];
        while let Ok(n) = nix::unistd::read(peer, &mut buf) {
            out.push(buf[..n].to_vec());
        }
        out
    }

    /// The `int` ioctls a channel received, in order.
    pub fn calls_on(&self, channo: i32) -> Vec<(IntIoctl, i32)> {
        self.state().calls.iter().filter(|(c, _, _)| *c == channo).map(|&(_, r, v)| (r, v)).collect()
    }

    fn new_pair() -> io::Result<(OwnedFd, OwnedFd)> {
        socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        )
        .map_err(io::Error::from)
    }
}

fn chan_node(path: &Path) -> Option<(i32, i32)> {
    let rest = path.to_str()?.strip_prefix("/dev/dahdi/chan/")?;
    let (span, pos) = rest.split_once('/')?;
    Some((span.parse().ok()?, pos.parse().ok()?))
}

/// dahdi_specchan_open's checks.
fn claim_channel(s: &mut State, channo: i32) -> io::Result<()> {
    let c = s.channels.get_mut(&channo).ok_or_else(|| errno(libc::ENXIO))?;
    if c.sigtype == 0 {
        return Err(errno(libc::ENXIO));
    }
    if c.open {
        return Err(errno(libc::EBUSY));
    }
    c.open = true;
    Ok(())
}

impl DahdiSys for Fake {
    fn open(&self, path: &Path) -> io::Result<OwnedFd> {
        let mut s = self.state();
        if let Some(&e) = s.open_errors.get(path) {
            return Err(errno(e));
        }
        if !s.loaded {
            return Err(errno(libc::ENOENT));
        }
        let (ours, theirs) = Fake::new_pair()?;
        let role = if path == Path::new("/dev/dahdi/ctl") {
            Role::Ctl
        } else if path == Path::new("/dev/dahdi/channel") {
            Role::Selector(Some(theirs))
        } else if let Some((span, pos)) = chan_node(path) {
            if !s.udev_nodes {
                return Err(errno(libc::ENOENT));
            }
            let channo = s
                .channels
                .iter()
                .find(|(_, c)| c.spanno == span && c.chanpos == pos)
                .map(|(n, _)| *n)
                .ok_or_else(|| errno(libc::ENOENT))?;
            claim_channel(&mut s, channo)?;
            if let Some(c) = s.channels.get_mut(&channo) {
                c.peer = Some(theirs);
            }
            Role::Channel(channo)
        } else {
            return Err(errno(libc::ENOENT));
        };
        s.opened.push(path.to_path_buf());
        s.fds.insert(ours.as_raw_fd(), role);
        Ok(ours)
    }

    fn ioctl_int(&self, fd: BorrowedFd<'_>, request: IntIoctl, value: &mut i32) -> io::Result<()> {
        let mut s = self.state();
        let raw = fd.as_raw_fd();
        match s.fds.get_mut(&raw) {
            None => return Err(errno(libc::EBADF)),
            Some(Role::Ctl) => {
                return match request {
                    IntIoctl::Startup => {
                        let span = *value;
                        s.startups.push(span);
                        let configured =
                            s.channels.values().filter(|c| c.spanno == span && c.sigtype != 0).count() as i32;
                        let info = s.spans.get_mut(&span).ok_or_else(|| errno(libc::ENXIO))?;
                        info.alarms &= !abi::DAHDI_ALARM_NOTOPEN;
                        info.numchans = configured;
                        Ok(())
                    }
                    _ => Err(errno(libc::ENOTTY)),
                };
            }
            Some(Role::Selector(peer)) => {
                if request != IntIoctl::Specify {
                    return Err(errno(libc::ENOSYS));
                }
                let peer = peer.take();
                let channo = *value;
                if !s.channels.contains_key(&channo) {
                    return Err(errno(libc::EINVAL));
                }
                if let Err(e) = claim_channel(&mut s, channo) {
                    if let Some(Role::Selector(p)) = s.fds.get_mut(&raw) {
                        *p = peer;
                    }
                    return Err(e);
                }
                if let Some(c) = s.channels.get_mut(&channo) {
                    c.peer = peer;
                }
                s.fds.insert(raw, Role::Channel(channo));
                s.calls.push((channo, request, channo));
                return Ok(());
            }
            Some(Role::Channel(_)) => {}
        }
        let Some(Role::Channel(channo)) = s.fds.get(&raw) else { return Err(errno(libc::EBADF)) };
        let channo = *channo;
        s.calls.push((channo, request, *value));
        let c = s.channels.get_mut(&channo).ok_or_else(|| errno(libc::ENODEV))?;
        match request {
            IntIoctl::GetEvent => *value = c.events.pop_front().unwrap_or(abi::DAHDI_EVENT_NONE),
            IntIoctl::Flush => {}
            IntIoctl::AudioMode => {
                if c.sigtype != DAHDI_SIG_CLEAR {
                    return Err(errno(libc::EINVAL));
                }
                c.audio = *value != 0;
                if c.audio {
                    c.hdlc = false;
                }
            }
            IntIoctl::ChannelNumber => *value = channo,
            IntIoctl::HdlcFcsMode => {
                if c.sigtype != DAHDI_SIG_CLEAR {
                    return Err(errno(libc::EINVAL));
                }
                c.hdlc = *value != 0;
                c.audio = false;
            }
            IntIoctl::Specify => return Err(errno(libc::EINVAL)),
            IntIoctl::GetRxBits => *value = c.rxbits,
            IntIoctl::SetTxBits => {
                if c.sigtype != DAHDI_SIG_CAS {
                    return Err(errno(libc::EINVAL));
                }
                c.txbits = *value;
            }
            IntIoctl::Loopback => c.looped = *value != 0,
            IntIoctl::Startup => return Err(errno(libc::ENOTTY)),
            IntIoctl::BufferEvents => c.buffer_events = *value != 0,
        }
        Ok(())
    }

    fn span_info(&self, _ctl: BorrowedFd<'_>, info: &mut SpanInfo) -> io::Result<()> {
        let s = self.state();
        let spanno = info.spanno;
        *info = *s.spans.get(&spanno).ok_or_else(|| errno(libc::EINVAL))?;
        Ok(())
    }

    fn params(&self, _ctl: BorrowedFd<'_>, params: &mut Params) -> io::Result<()> {
        let s = self.state();
        let channo = params.channo;
        let c = s.channels.get(&channo).ok_or_else(|| errno(libc::EINVAL))?;
        *params =
            Params { channo, spanno: c.spanno, chanpos: c.chanpos, sigtype: c.sigtype, ..Params::default() };
        Ok(())
    }

    fn set_buffers(&self, fd: BorrowedFd<'_>, info: &BufferInfo) -> io::Result<()> {
        let mut s = self.state();
        let Some(Role::Channel(channo)) = s.fds.get(&fd.as_raw_fd()) else { return Err(errno(libc::EINVAL)) };
        let channo = *channo;
        if info.bufsize < 16 || info.bufsize > abi::DAHDI_MAX_BLOCKSIZE {
            return Err(errno(libc::EINVAL));
        }
        if info.bufsize * info.numbufs > abi::DAHDI_MAX_BUF_SPACE {
            return Err(errno(libc::EINVAL));
        }
        if let Some(c) = s.channels.get_mut(&channo) {
            c.buffers = Some(*info);
        }
        Ok(())
    }

    fn maint(&self, _ctl: BorrowedFd<'_>, info: &MaintInfo) -> io::Result<()> {
        let mut s = self.state();
        if let Some(e) = s.maint_error {
            return Err(errno(e));
        }
        if !s.spans.contains_key(&info.spanno) {
            return Err(errno(libc::EINVAL));
        }
        s.maint.push(*info);
        Ok(())
    }

    fn span_config(&self, _ctl: BorrowedFd<'_>, config: &LineConfig) -> io::Result<()> {
        let mut s = self.state();
        let info = s.spans.get_mut(&config.span).ok_or_else(|| errno(libc::ENXIO))?;
        info.lineconfig = config.lineconfig;
        s.span_configs.push(*config);
        Ok(())
    }

    fn chan_config(&self, _ctl: BorrowedFd<'_>, config: &ChanConfig) -> io::Result<()> {
        let mut s = self.state();
        let c = s.channels.get_mut(&config.chan).ok_or_else(|| errno(libc::EINVAL))?;
        c.sigtype = config.sigtype;
        s.chan_configs.push(*config);
        Ok(())
    }

    fn version(&self, _ctl: BorrowedFd<'_>, info: &mut VersionInfo) -> io::Result<()> {
        set_c_text(&mut info.version, "2.11.1-fake");
        Ok(())
    }

    fn read(&self, fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
        if self.events_waiting(fd) {
            return Err(errno(abi::ELAST));
        }
        nix::unistd::read(fd, buf).map_err(io::Error::from)
    }

    fn write(&self, fd: BorrowedFd<'_>, buf: &[u8]) -> io::Result<usize> {
        if self.events_waiting(fd) {
            return Err(errno(abi::ELAST));
        }
        nix::unistd::write(fd, buf).map_err(io::Error::from)
    }

    fn poll(&self, fds: &mut [libc::pollfd], timeout: Duration) -> io::Result<usize> {
        // SAFETY: a valid array of pollfd for the call; the descriptors belong to the driver
        // and stay open while it polls.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 0) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut ready = 0;
        for p in fds.iter_mut() {
            // SAFETY: the driver owns the descriptor for the duration of the call.
            let fd = unsafe { BorrowedFd::borrow_raw(p.fd) };
            if p.events & libc::POLLPRI != 0 && self.events_waiting(fd) {
                p.revents |= libc::POLLPRI;
            }
            // A socket always has room to write; only report it where asked.
            p.revents &= p.events | libc::POLLERR | libc::POLLHUP | libc::POLLNVAL;
            if p.revents != 0 {
                ready += 1;
            }
        }
        if ready == 0 {
            self.state().now += timeout;
        }
        Ok(ready)
    }

    fn now(&self) -> Duration {
        self.state().now
    }
}

impl Fake {
    fn events_waiting(&self, fd: BorrowedFd<'_>) -> bool {
        let s = self.state();
        match s.fds.get(&fd.as_raw_fd()) {
            Some(Role::Channel(channo)) => s.channels.get(channo).is_some_and(|c| !c.events.is_empty()),
            _ => false,
        }
    }
}
