//! Test and benchmark harness around Debian's libpri (1.6.0), the peer `tdm_isdn` is checked
//! against and measured beside.
//!
//! Only tests and benches link this crate. When the build cannot compile against `libpri.h`,
//! [`AVAILABLE`] is `false` and [`LibPri::new`] returns `None`, so callers skip with a notice
//! and need no `#[cfg]`.
//!
//! How libpri is driven here:
//! - `pri_new_cb` with read/write callbacks over in-memory queues (`src/shim.c`): a frame
//!   handed to [`LibPri::receive`] is read by the very next `pri_check_event`, and frames
//!   libpri writes wait for [`LibPri::take_frame`]. Frames are without FCS on both sides.
//! - Time: libpri reads the clock only with `gettimeofday()`, which the shim interposes. After
//!   [`set_virtual_time`] on a thread, libpri on that thread sees that time (microseconds);
//!   [`use_real_time`] goes back to the system clock. Timers run when the harness calls
//!   [`LibPri::run_timers`] at [`LibPri::next_deadline`].
//! - libpri writes diagnostics through `pri_message`/`pri_error`; the shim silences them.
//! - libpri 1.6 has no destructor for a `pri_new_cb` structure: dropping a [`LibPri`] frees the
//!   queues and leaks libpri's own state (a few kilobytes), which a test can afford.

use std::ffi::{CStr, CString, c_char, c_int, c_longlong, c_void};

/// Whether this build links libpri.
pub const AVAILABLE: bool = cfg!(have_libpri);

/// Which side libpri plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriSide {
    /// `PRI_NETWORK`.
    Network,
    /// `PRI_CPE`.
    User,
}

/// libpri's opaque call pointer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PriCall(*mut c_void);

/// A libpri event, flattened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriEvent {
    /// `PRI_EVENT_DCHAN_UP`.
    DchanUp,
    /// `PRI_EVENT_DCHAN_DOWN`.
    DchanDown,
    /// `PRI_EVENT_RESTART`: the peer restarted `channel` (-1 for all).
    Restart { channel: i32 },
    /// `PRI_EVENT_RING`: an incoming SETUP.
    Ring {
        call: PriCall,
        channel: i32,
        called: String,
        calling: String,
        calling_plan: i32,
        calling_pres: i32,
        complete: bool,
    },
    /// `PRI_EVENT_PROCEEDING`.
    Proceeding { call: PriCall, channel: i32 },
    /// `PRI_EVENT_SETUP_ACK`.
    SetupAck { call: PriCall, channel: i32 },
    /// `PRI_EVENT_RINGING` (ALERTING).
    Ringing { call: PriCall, channel: i32 },
    /// `PRI_EVENT_PROGRESS`.
    Progress { call: PriCall, channel: i32 },
    /// `PRI_EVENT_ANSWER` (CONNECT).
    Answer { call: PriCall, channel: i32 },
    /// `PRI_EVENT_CONNECT_ACK`.
    ConnectAck { call: PriCall, channel: i32 },
    /// `PRI_EVENT_HANGUP_REQ` (DISCONNECT received).
    HangupReq { call: PriCall, cause: i32 },
    /// `PRI_EVENT_HANGUP` (RELEASE or RELEASE COMPLETE received).
    Hangup { call: PriCall, cause: i32 },
    /// `PRI_EVENT_HANGUP_ACK`.
    HangupAck { call: PriCall, cause: i32 },
    /// `PRI_EVENT_RESTART_ACK`.
    RestartAck { channel: i32 },
    /// Any other event code.
    Other(i32),
}

#[repr(C)]
struct RawEvent {
    kind: c_int,
    channel: c_int,
    cause: c_int,
    complete: c_int,
    calling_plan: c_int,
    calling_pres: c_int,
    called_plan: c_int,
    call: *mut c_void,
    called: [c_char; 64],
    calling: [c_char; 64],
}

impl RawEvent {
    fn empty() -> Self {
        RawEvent {
            kind: 0,
            channel: 0,
            cause: 0,
            complete: 0,
            calling_plan: 0,
            calling_pres: 0,
            called_plan: 0,
            call: std::ptr::null_mut(),
            called: [0; 64],
            calling: [0; 64],
        }
    }

    fn to_event(&self) -> PriEvent {
        let call = PriCall(self.call);
        let channel = self.channel;
        let text = |raw: &[c_char; 64]| {
            // SAFETY: the shim copies at most 63 octets into a zeroed 64-octet array, so it is
            // NUL-terminated within its bounds.
            unsafe { CStr::from_ptr(raw.as_ptr()) }.to_string_lossy().into_owned()
        };
        match self.kind {
            1 => PriEvent::DchanUp,
            2 => PriEvent::DchanDown,
            3 => PriEvent::Restart { channel },
            5 => PriEvent::Ring {
                call,
                channel,
                called: text(&self.called),
                calling: text(&self.calling),
                calling_plan: self.calling_plan,
                calling_pres: self.calling_pres,
                complete: self.complete != 0,
            },
            6 => PriEvent::Hangup { call, cause: self.cause },
            7 => PriEvent::Ringing { call, channel },
            8 => PriEvent::Answer { call, channel },
            9 => PriEvent::HangupAck { call, cause: self.cause },
            10 => PriEvent::RestartAck { channel },
            13 => PriEvent::Proceeding { call, channel },
            14 => PriEvent::SetupAck { call, channel },
            15 => PriEvent::HangupReq { call, cause: self.cause },
            17 => PriEvent::Progress { call, channel },
            27 => PriEvent::ConnectAck { call, channel },
            other => PriEvent::Other(other),
        }
    }
}

#[repr(C)]
struct Raw {
    _private: [u8; 0],
}

#[cfg(have_libpri)]
unsafe extern "C" {
    fn tdm_pri_set_time(micros: c_longlong);
    fn tdm_pri_new(network: c_int) -> *mut Raw;
    fn tdm_pri_free(p: *mut Raw);
    fn tdm_pri_receive(p: *mut Raw, frame: *const u8, len: c_int, out: *mut RawEvent) -> c_int;
    fn tdm_pri_run_timers(p: *mut Raw, out: *mut RawEvent) -> c_int;
    fn tdm_pri_next_deadline(p: *mut Raw) -> c_longlong;
    fn tdm_pri_take_frame(p: *mut Raw, out: *mut u8, cap: c_int) -> c_int;
    fn tdm_pri_call(
        p: *mut Raw,
        called: *const c_char,
        calling: *const c_char,
        channel: c_int,
        exclusive: c_int,
    ) -> *mut c_void;
    fn tdm_pri_proceeding(p: *mut Raw, call: *mut c_void, channel: c_int) -> c_int;
    fn tdm_pri_acknowledge(p: *mut Raw, call: *mut c_void, channel: c_int) -> c_int;
    fn tdm_pri_answer(p: *mut Raw, call: *mut c_void, channel: c_int) -> c_int;
    fn tdm_pri_hangup(p: *mut Raw, call: *mut c_void, cause: c_int) -> c_int;
    fn tdm_pri_reset(p: *mut Raw, channel: c_int) -> c_int;
}

/// Stand-ins with the same signatures for builds without libpri: the constructor returns
/// null, so no [`LibPri`] exists and nothing else is reached.
#[cfg(not(have_libpri))]
#[allow(clippy::missing_safety_doc)]
mod stubs {
    use super::*;
    pub unsafe fn tdm_pri_set_time(_: c_longlong) {}
    pub unsafe fn tdm_pri_new(_: c_int) -> *mut Raw {
        std::ptr::null_mut()
    }
    pub unsafe fn tdm_pri_free(_: *mut Raw) {}
    pub unsafe fn tdm_pri_receive(_: *mut Raw, _: *const u8, _: c_int, _: *mut RawEvent) -> c_int {
        0
    }
    pub unsafe fn tdm_pri_run_timers(_: *mut Raw, _: *mut RawEvent) -> c_int {
        0
    }
    pub unsafe fn tdm_pri_next_deadline(_: *mut Raw) -> c_longlong {
        -1
    }
    pub unsafe fn tdm_pri_take_frame(_: *mut Raw, _: *mut u8, _: c_int) -> c_int {
        0
    }
    pub unsafe fn tdm_pri_call(
        _: *mut Raw,
        _: *const c_char,
        _: *const c_char,
        _: c_int,
        _: c_int,
    ) -> *mut c_void {
        std::ptr::null_mut()
    }
    pub unsafe fn tdm_pri_proceeding(_: *mut Raw, _: *mut c_void, _: c_int) -> c_int {
        -1
    }
    pub unsafe fn tdm_pri_acknowledge(_: *mut Raw, _: *mut c_void, _: c_int) -> c_int {
        -1
    }
    pub unsafe fn tdm_pri_answer(_: *mut Raw, _: *mut c_void, _: c_int) -> c_int {
        -1
    }
    pub unsafe fn tdm_pri_hangup(_: *mut Raw, _: *mut c_void, _: c_int) -> c_int {
        -1
    }
    pub unsafe fn tdm_pri_reset(_: *mut Raw, _: c_int) -> c_int {
        -1
    }
}
#[cfg(not(have_libpri))]
use stubs::*;

/// libpri on this thread reads `micros` as the current time (microseconds since the epoch
/// libpri believes in; the harness's virtual instants work as they are).
pub fn set_virtual_time(micros: u64) {
    // SAFETY: writes a thread-local integer in the shim.
    unsafe { tdm_pri_set_time(micros.min(i64::MAX as u64) as c_longlong) }
}

/// libpri on this thread reads the system clock again.
pub fn use_real_time() {
    // SAFETY: as above.
    unsafe { tdm_pri_set_time(-1) }
}

/// One libpri D-channel (`pri_new_cb`, EuroISDN E1).
pub struct LibPri {
    raw: *mut Raw,
}

impl LibPri {
    /// A new D-channel of the given side; `None` without libpri. libpri starts its data link
    /// at once: take its first SABME with [`LibPri::take_frame`].
    pub fn new(side: PriSide) -> Option<Self> {
        // SAFETY: the shim allocates and returns an owned structure or null.
        let raw = unsafe { tdm_pri_new(c_int::from(side == PriSide::Network)) };
        if raw.is_null() { None } else { Some(LibPri { raw }) }
    }

    /// Hands libpri a received frame (without FCS) and returns the event it produced, if any.
    pub fn receive(&mut self, frame: &[u8]) -> Option<PriEvent> {
        let mut event = RawEvent::empty();
        let len = c_int::try_from(frame.len()).ok()?;
        // SAFETY: `raw` is live; the shim copies `len` octets from `frame` and fills `event`.
        let produced = unsafe { tdm_pri_receive(self.raw, frame.as_ptr(), len, &mut event) };
        (produced > 0).then(|| event.to_event())
    }

    /// Runs libpri's due timers (`pri_schedule_run`).
    pub fn run_timers(&mut self) -> Option<PriEvent> {
        let mut event = RawEvent::empty();
        // SAFETY: `raw` is live; the shim fills `event`.
        let produced = unsafe { tdm_pri_run_timers(self.raw, &mut event) };
        (produced > 0).then(|| event.to_event())
    }

    /// libpri's next deadline (`pri_schedule_next`), in microseconds of its clock.
    pub fn next_deadline(&self) -> Option<u64> {
        // SAFETY: `raw` is live.
        let deadline = unsafe { tdm_pri_next_deadline(self.raw) };
        u64::try_from(deadline).ok()
    }

    /// The next frame libpri wrote, without FCS.
    pub fn take_frame(&mut self, buffer: &mut [u8]) -> Option<usize> {
        let cap = c_int::try_from(buffer.len()).unwrap_or(c_int::MAX);
        // SAFETY: `raw` is live; the shim writes at most `cap` octets into `buffer`.
        let len = unsafe { tdm_pri_take_frame(self.raw, buffer.as_mut_ptr(), cap) };
        usize::try_from(len).ok().filter(|len| *len > 0)
    }

    /// Places a speech call (`pri_setup`), en-bloc, on `channel` (timeslot; -1 for any).
    pub fn call(
        &mut self,
        called: &str,
        calling: Option<&str>,
        channel: i32,
        exclusive: bool,
    ) -> Option<PriCall> {
        let called = CString::new(called).ok()?;
        let calling = calling.map(CString::new).transpose().ok()?;
        let calling_ptr = calling.as_ref().map_or(std::ptr::null(), |c| c.as_ptr());
        // SAFETY: `raw` is live and the strings outlive the call (libpri copies them).
        let call =
            unsafe { tdm_pri_call(self.raw, called.as_ptr(), calling_ptr, channel, c_int::from(exclusive)) };
        (!call.is_null()).then_some(PriCall(call))
    }

    /// `pri_proceeding` (CALL PROCEEDING).
    pub fn proceeding(&mut self, call: PriCall, channel: i32) -> bool {
        // SAFETY: `call` came from this libpri instance's events.
        unsafe { tdm_pri_proceeding(self.raw, call.0, channel) == 0 }
    }

    /// `pri_acknowledge` (ALERTING with in-band information).
    pub fn acknowledge(&mut self, call: PriCall, channel: i32) -> bool {
        // SAFETY: as above.
        unsafe { tdm_pri_acknowledge(self.raw, call.0, channel) == 0 }
    }

    /// `pri_answer` (CONNECT).
    pub fn answer(&mut self, call: PriCall, channel: i32) -> bool {
        // SAFETY: as above.
        unsafe { tdm_pri_answer(self.raw, call.0, channel) == 0 }
    }

    /// `pri_hangup` with a Q.850 cause.
    pub fn hangup(&mut self, call: PriCall, cause: i32) -> bool {
        // SAFETY: as above.
        unsafe { tdm_pri_hangup(self.raw, call.0, cause) == 0 }
    }

    /// `pri_reset`: RESTART of one channel.
    pub fn reset(&mut self, channel: i32) -> bool {
        // SAFETY: `raw` is live.
        unsafe { tdm_pri_reset(self.raw, channel) == 0 }
    }
}

impl Drop for LibPri {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `tdm_pri_new` and is freed once.
        unsafe { tdm_pri_free(self.raw) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_instances_bring_their_data_link_up_on_virtual_time() {
        if !AVAILABLE {
            eprintln!("libpri not available: skipped");
            return;
        }
        set_virtual_time(1_000_000_000);
        let mut network = LibPri::new(PriSide::Network).unwrap();
        let mut user = LibPri::new(PriSide::User).unwrap();
        let mut buffer = [0u8; 600];
        let mut events = Vec::new();
        for _ in 0..10 {
            while let Some(len) = network.take_frame(&mut buffer) {
                events.extend(user.receive(&buffer[..len]).map(|e| ("user", e)));
            }
            while let Some(len) = user.take_frame(&mut buffer) {
                events.extend(network.receive(&buffer[..len]).map(|e| ("network", e)));
            }
        }
        assert!(events.contains(&("user", PriEvent::DchanUp)), "{events:?}");
        assert!(events.contains(&("network", PriEvent::DchanUp)), "{events:?}");
        // T203 (10 s) is scheduled on the virtual clock.
        let deadline = network.next_deadline().unwrap();
        assert!((1_000_000_000..=1_010_000_000).contains(&deadline), "{deadline}");
        use_real_time();
    }
}
