//! Test and benchmark harness around Debian's OpenR2 (libopenr2 1.3.3), the MFC-R2 peer
//! `tdm_no1` is checked against and measured beside.
//!
//! Only tests and benches link this crate. When the build cannot compile against `openr2.h`
//! and `dahdi/user.h`, [`AVAILABLE`] is `false` and [`OpenR2::new`] returns `None`, so callers
//! skip with a notice and need no `#[cfg]`.
//!
//! How OpenR2 is driven without DAHDI hardware (`src/shim.c`):
//! - OpenR2 1.3.3 only speaks to DAHDI channel descriptors. The shim defines `ioctl()`,
//!   `read()` and `write()`; for a descriptor it registered (one end of a socketpair, so the
//!   number is real and unique) they emulate a DAHDI CAS channel in memory: the ABCD bits
//!   OpenR2 sets ([`OpenR2::tx_abcd`]) and reads ([`OpenR2::set_rx_abcd`], which also raises
//!   `DAHDI_EVENT_BITSCHANGED`), and A-law audio queues ([`OpenR2::push_audio`],
//!   [`OpenR2::take_audio`]). `DAHDI_IOMUX` reports write space only while less than 160
//!   octets wait, so OpenR2 runs at most one 20 ms write ahead of the line, and `read()` hands
//!   out whole 160-octet buffers as DAHDI does (OpenR2's MF receiver takes a shorter read for
//!   silence). Every other descriptor goes to the system call unchanged.
//! - Time: OpenR2 reads the clock only with `gettimeofday()`, which the shim interposes. After
//!   [`set_virtual_time`] on a thread, OpenR2 on that thread sees that time (microseconds);
//!   timers run when the harness calls [`OpenR2::process`].
//! - OpenR2 runs its own MF receiver and sender (its built-in engine) on the audio, so tones
//!   really cross the A-law path.
//! - Channels and virtual time are per thread: tests in parallel threads keep apart. At most 32
//!   channels per thread.

use std::ffi::{CStr, CString, c_char, c_int, c_longlong};

/// Whether this build links OpenR2.
pub const AVAILABLE: bool = cfg!(have_openr2);

/// OpenR2's variants (`openr2_variant_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `OR2_VAR_BRAZIL`.
    Brazil = 20,
    /// `OR2_VAR_CHINA`.
    China = 40,
    /// `OR2_VAR_ITU`.
    Itu = 100,
    /// `OR2_VAR_MEXICO`.
    Mexico = 120,
}

/// Calling party categories (`openr2_calling_party_category_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// National subscriber (II-1).
    NationalSubscriber = 0,
    /// National priority subscriber (II-2).
    NationalPriority = 1,
    /// International subscriber (II-7).
    International = 2,
    /// International priority subscriber (II-9).
    InternationalPriority = 3,
    /// Collect call.
    CollectCall = 4,
    /// Unknown.
    Unknown = 5,
    /// Test equipment (II-3).
    TestEquipment = 6,
}

/// How a call is accepted (`openr2_call_mode_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallMode {
    /// `OR2_CALL_WITH_CHARGE`.
    WithCharge = 0,
    /// `OR2_CALL_NO_CHARGE`.
    NoCharge = 1,
    /// `OR2_CALL_SPECIAL`.
    Special = 2,
    /// `OR2_CALL_UNKNOWN`.
    Unknown = 3,
}

/// Disconnect causes (`openr2_call_disconnect_cause_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// `OR2_CAUSE_BUSY_NUMBER`.
    BusyNumber = 0,
    /// `OR2_CAUSE_NETWORK_CONGESTION`.
    NetworkCongestion = 1,
    /// `OR2_CAUSE_UNALLOCATED_NUMBER`.
    UnallocatedNumber = 2,
    /// `OR2_CAUSE_OUT_OF_ORDER`.
    OutOfOrder = 3,
    /// `OR2_CAUSE_UNSPECIFIED`.
    Unspecified = 4,
    /// `OR2_CAUSE_NO_ANSWER`.
    NoAnswer = 5,
    /// `OR2_CAUSE_NORMAL_CLEARING`.
    NormalClearing = 6,
    /// `OR2_CAUSE_COLLECT_CALL_REJECTED`.
    CollectCallRejected = 7,
    /// `OR2_CAUSE_FORCED_RELEASE`.
    ForcedRelease = 8,
    /// `OR2_CAUSE_NUMBER_CHANGED`.
    NumberChanged = 9,
}

impl Cause {
    /// The cause with OpenR2's code `code`.
    pub fn from_code(code: i32) -> Option<Cause> {
        [
            Cause::BusyNumber,
            Cause::NetworkCongestion,
            Cause::UnallocatedNumber,
            Cause::OutOfOrder,
            Cause::Unspecified,
            Cause::NoAnswer,
            Cause::NormalClearing,
            Cause::CollectCallRejected,
            Cause::ForcedRelease,
            Cause::NumberChanged,
        ]
        .into_iter()
        .find(|cause| *cause as i32 == code)
    }
}

/// What OpenR2 reported through its callbacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Or2Event {
    /// `on_call_init`: a seizure arrived (called side).
    CallInit,
    /// `on_call_offered`: register signaling is through; accept or disconnect.
    Offered {
        /// Calling number as received.
        ani: String,
        /// Called number as received.
        dnis: String,
        /// `openr2_calling_party_category_t`.
        category: i32,
    },
    /// `on_call_accepted` with the mode (`openr2_call_mode_t`).
    Accepted(i32),
    /// `on_call_answered`.
    Answered,
    /// `on_call_disconnect`: the far end disconnected; answer with [`OpenR2::disconnect`].
    Disconnect(Option<Cause>),
    /// `on_call_end`: the channel is idle again.
    End,
    /// `on_protocol_error` with `openr2_protocol_error_t`.
    ProtocolError(i32),
    /// `on_os_error` with errno.
    OsError(i32),
    /// `on_line_idle`.
    LineIdle,
    /// `on_line_blocked`.
    LineBlocked,
    /// `on_ani_digit_received`.
    AniDigit(char),
    /// `on_dnis_digit_received`.
    DnisDigit(char),
    /// `on_billing_pulse_received`.
    BillingPulse,
    /// `on_hardware_alarm`.
    Alarm(i32),
    /// Anything else.
    Other(i32),
}

#[repr(C)]
struct RawEvent {
    kind: c_int,
    value: c_int,
    category: c_int,
    ani: [c_char; 64],
    dnis: [c_char; 64],
}

impl RawEvent {
    fn empty() -> Self {
        RawEvent { kind: 0, value: 0, category: 0, ani: [0; 64], dnis: [0; 64] }
    }

    fn to_event(&self) -> Or2Event {
        let text = |raw: &[c_char; 64]| {
            // SAFETY: the shim copies at most 63 octets into a zeroed 64-octet array, so it is
            // NUL-terminated within its bounds.
            unsafe { CStr::from_ptr(raw.as_ptr()) }.to_string_lossy().into_owned()
        };
        let digit = char::from(u8::try_from(self.value).unwrap_or(b'?'));
        match self.kind {
            1 => Or2Event::CallInit,
            2 => Or2Event::Offered { ani: text(&self.ani), dnis: text(&self.dnis), category: self.category },
            3 => Or2Event::Accepted(self.value),
            4 => Or2Event::Answered,
            5 => Or2Event::Disconnect(Cause::from_code(self.value)),
            6 => Or2Event::End,
            7 => Or2Event::ProtocolError(self.value),
            8 => Or2Event::OsError(self.value),
            9 => Or2Event::LineIdle,
            10 => Or2Event::LineBlocked,
            11 => Or2Event::AniDigit(digit),
            12 => Or2Event::DnisDigit(digit),
            13 => Or2Event::BillingPulse,
            14 => Or2Event::Alarm(self.value),
            other => Or2Event::Other(other),
        }
    }
}

#[repr(C)]
struct Raw {
    _private: [u8; 0],
}

#[cfg(have_openr2)]
unsafe extern "C" {
    fn tdm_or2_set_time(micros: c_longlong);
    fn tdm_or2_set_log(enabled: c_int);
    fn tdm_or2_new(
        variant: c_int,
        channo: c_int,
        max_ani: c_int,
        max_dnis: c_int,
        ani_first: c_int,
        initial_rxbits: c_int,
    ) -> *mut Raw;
    fn tdm_or2_free(p: *mut Raw);
    fn tdm_or2_set_rxbits(p: *mut Raw, abcd: c_int);
    fn tdm_or2_txbits(p: *mut Raw) -> c_int;
    fn tdm_or2_push_audio(p: *mut Raw, alaw: *const u8, len: c_int);
    fn tdm_or2_take_audio(p: *mut Raw, out: *mut u8, cap: c_int) -> c_int;
    fn tdm_or2_process(p: *mut Raw) -> c_int;
    fn tdm_or2_next_event_ms(p: *mut Raw) -> c_int;
    fn tdm_or2_poll_event(p: *mut Raw, out: *mut RawEvent) -> c_int;
    fn tdm_or2_make_call(p: *mut Raw, ani: *const c_char, dnis: *const c_char, category: c_int) -> c_int;
    fn tdm_or2_accept(p: *mut Raw, mode: c_int) -> c_int;
    fn tdm_or2_answer(p: *mut Raw) -> c_int;
    fn tdm_or2_disconnect(p: *mut Raw, cause: c_int) -> c_int;
    fn tdm_or2_set_idle(p: *mut Raw) -> c_int;
    fn tdm_or2_set_blocked(p: *mut Raw) -> c_int;
    fn tdm_or2_ioctl_count(p: *mut Raw) -> c_longlong;
    fn tdm_or2_unknown_ioctls(p: *mut Raw) -> c_int;
    fn tdm_or2_state(p: *mut Raw) -> *const c_char;
    fn tdm_or2_mf_state(p: *mut Raw) -> *const c_char;
    fn tdm_or2_call_state(p: *mut Raw) -> *const c_char;
}

/// Stand-ins with the same signatures for builds without OpenR2: the constructor returns
/// null, so no [`OpenR2`] exists and nothing else is reached.
#[cfg(not(have_openr2))]
#[allow(clippy::missing_safety_doc)]
mod stubs {
    use super::*;
    pub unsafe fn tdm_or2_set_time(_: c_longlong) {}
    pub unsafe fn tdm_or2_set_log(_: c_int) {}
    pub unsafe fn tdm_or2_new(_: c_int, _: c_int, _: c_int, _: c_int, _: c_int, _: c_int) -> *mut Raw {
        std::ptr::null_mut()
    }
    pub unsafe fn tdm_or2_free(_: *mut Raw) {}
    pub unsafe fn tdm_or2_set_rxbits(_: *mut Raw, _: c_int) {}
    pub unsafe fn tdm_or2_txbits(_: *mut Raw) -> c_int {
        0
    }
    pub unsafe fn tdm_or2_push_audio(_: *mut Raw, _: *const u8, _: c_int) {}
    pub unsafe fn tdm_or2_take_audio(_: *mut Raw, _: *mut u8, _: c_int) -> c_int {
        0
    }
    pub unsafe fn tdm_or2_process(_: *mut Raw) -> c_int {
        -1
    }
    pub unsafe fn tdm_or2_next_event_ms(_: *mut Raw) -> c_int {
        -1
    }
    pub unsafe fn tdm_or2_poll_event(_: *mut Raw, _: *mut RawEvent) -> c_int {
        0
    }
    pub unsafe fn tdm_or2_make_call(_: *mut Raw, _: *const c_char, _: *const c_char, _: c_int) -> c_int {
        -1
    }
    pub unsafe fn tdm_or2_accept(_: *mut Raw, _: c_int) -> c_int {
        -1
    }
    pub unsafe fn tdm_or2_answer(_: *mut Raw) -> c_int {
        -1
    }
    pub unsafe fn tdm_or2_disconnect(_: *mut Raw, _: c_int) -> c_int {
        -1
    }
    pub unsafe fn tdm_or2_set_idle(_: *mut Raw) -> c_int {
        -1
    }
    pub unsafe fn tdm_or2_set_blocked(_: *mut Raw) -> c_int {
        -1
    }
    pub unsafe fn tdm_or2_ioctl_count(_: *mut Raw) -> c_longlong {
        0
    }
    pub unsafe fn tdm_or2_unknown_ioctls(_: *mut Raw) -> c_int {
        0
    }
    pub unsafe fn tdm_or2_state(_: *mut Raw) -> *const c_char {
        std::ptr::null()
    }
    pub unsafe fn tdm_or2_mf_state(_: *mut Raw) -> *const c_char {
        std::ptr::null()
    }
    pub unsafe fn tdm_or2_call_state(_: *mut Raw) -> *const c_char {
        std::ptr::null()
    }
}
#[cfg(not(have_openr2))]
use stubs::*;

/// OpenR2 on this thread reads `micros` as the current time.
pub fn set_virtual_time(micros: u64) {
    // SAFETY: writes a thread-local integer in the shim.
    unsafe { tdm_or2_set_time(micros.min(i64::MAX as u64) as c_longlong) }
}

/// OpenR2 on this thread reads the system clock again.
pub fn use_real_time() {
    // SAFETY: as above.
    unsafe { tdm_or2_set_time(-1) }
}

/// Logging to stderr on this thread: 0 none, 1 OpenR2's own log (every level) for channels
/// made afterwards, 2 also every emulated ioctl.
pub fn set_log_level(level: u8) {
    // SAFETY: writes a thread-local integer in the shim.
    unsafe { tdm_or2_set_log(c_int::from(level)) }
}

/// How to make an OpenR2 channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The variant.
    pub variant: Variant,
    /// The channel number OpenR2 is told (`DAHDI_CHANNO`).
    pub channel: i32,
    /// Most ANI digits to ask for (OpenR2's China variant forces its own 80).
    pub max_ani: i32,
    /// DNIS digits to ask for before going on.
    pub max_dnis: i32,
    /// Ask for ANI before DNIS (`openr2_context_set_ani_first`).
    pub ani_first: bool,
    /// The ABCD nibble the far end sends at start.
    pub initial_rx_abcd: u8,
}

impl Config {
    /// OpenR2's China variant: DNIS first, `max_dnis` digits, ANI up to 10, far end idle.
    pub fn china(max_dnis: i32) -> Self {
        Config {
            variant: Variant::China,
            channel: 1,
            max_ani: 10,
            max_dnis,
            ani_first: false,
            initial_rx_abcd: 0xB,
        }
    }
}

/// One OpenR2 channel (with its own context) on an emulated DAHDI channel.
pub struct OpenR2 {
    raw: *mut Raw,
}

fn string_of(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: OpenR2's state strings are static NUL-terminated literals.
    unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
}

impl OpenR2 {
    /// A new idle channel; `None` without OpenR2 or when OpenR2 refuses it.
    pub fn new(config: &Config) -> Option<Self> {
        // SAFETY: the shim allocates and returns an owned structure or null.
        let raw = unsafe {
            tdm_or2_new(
                config.variant as c_int,
                config.channel,
                config.max_ani,
                config.max_dnis,
                c_int::from(config.ani_first),
                c_int::from(config.initial_rx_abcd),
            )
        };
        if raw.is_null() { None } else { Some(OpenR2 { raw }) }
    }

    /// The ABCD nibble the far end sends now.
    pub fn set_rx_abcd(&mut self, abcd: u8) {
        // SAFETY: `raw` is live.
        unsafe { tdm_or2_set_rxbits(self.raw, c_int::from(abcd)) }
    }

    /// The ABCD nibble OpenR2 sends.
    pub fn tx_abcd(&self) -> u8 {
        // SAFETY: `raw` is live.
        (unsafe { tdm_or2_txbits(self.raw) } & 0xF) as u8
    }

    /// A-law octets from the far end, for OpenR2 to read.
    pub fn push_audio(&mut self, alaw: &[u8]) {
        let len = c_int::try_from(alaw.len()).unwrap_or(c_int::MAX);
        // SAFETY: `raw` is live; the shim copies `len` octets.
        unsafe { tdm_or2_push_audio(self.raw, alaw.as_ptr(), len) }
    }

    /// A-law octets OpenR2 wrote, up to `out.len()`; returns how many.
    pub fn take_audio(&mut self, out: &mut [u8]) -> usize {
        let cap = c_int::try_from(out.len()).unwrap_or(c_int::MAX);
        // SAFETY: `raw` is live; the shim writes at most `cap` octets.
        let len = unsafe { tdm_or2_take_audio(self.raw, out.as_mut_ptr(), cap) };
        usize::try_from(len).unwrap_or(0)
    }

    /// `openr2_chan_process_event`: timers, CAS events, audio in and out. `false` on error.
    pub fn process(&mut self) -> bool {
        // SAFETY: `raw` is live.
        unsafe { tdm_or2_process(self.raw) == 0 }
    }

    /// Milliseconds to OpenR2's next timer, if one runs.
    pub fn next_event_ms(&self) -> Option<u32> {
        // SAFETY: `raw` is live.
        u32::try_from(unsafe { tdm_or2_next_event_ms(self.raw) }).ok()
    }

    /// The next event OpenR2 reported.
    pub fn poll_event(&mut self) -> Option<Or2Event> {
        let mut event = RawEvent::empty();
        // SAFETY: `raw` is live; the shim fills `event`.
        let got = unsafe { tdm_or2_poll_event(self.raw, &mut event) };
        (got > 0).then(|| event.to_event())
    }

    /// `openr2_chan_make_call`.
    pub fn make_call(&mut self, ani: &str, dnis: &str, category: Category) -> bool {
        let (Ok(ani), Ok(dnis)) = (CString::new(ani), CString::new(dnis)) else { return false };
        // SAFETY: `raw` is live and the strings outlive the call (OpenR2 copies them).
        unsafe { tdm_or2_make_call(self.raw, ani.as_ptr(), dnis.as_ptr(), category as c_int) == 0 }
    }

    /// `openr2_chan_accept_call`.
    pub fn accept(&mut self, mode: CallMode) -> bool {
        // SAFETY: `raw` is live.
        unsafe { tdm_or2_accept(self.raw, mode as c_int) == 0 }
    }

    /// `openr2_chan_answer_call`.
    pub fn answer(&mut self) -> bool {
        // SAFETY: `raw` is live.
        unsafe { tdm_or2_answer(self.raw) == 0 }
    }

    /// `openr2_chan_disconnect_call`.
    pub fn disconnect(&mut self, cause: Cause) -> bool {
        // SAFETY: `raw` is live.
        unsafe { tdm_or2_disconnect(self.raw, cause as c_int) == 0 }
    }

    /// `openr2_chan_set_idle`.
    pub fn set_idle(&mut self) -> bool {
        // SAFETY: `raw` is live.
        unsafe { tdm_or2_set_idle(self.raw) == 0 }
    }

    /// `openr2_chan_set_blocked`.
    pub fn set_blocked(&mut self) -> bool {
        // SAFETY: `raw` is live.
        unsafe { tdm_or2_set_blocked(self.raw) == 0 }
    }

    /// OpenR2's line, MF and call states as it names them.
    pub fn states(&self) -> (String, String, String) {
        // SAFETY: `raw` is live; the strings are static.
        unsafe {
            (
                string_of(tdm_or2_state(self.raw)),
                string_of(tdm_or2_mf_state(self.raw)),
                string_of(tdm_or2_call_state(self.raw)),
            )
        }
    }

    /// DAHDI ioctls OpenR2 issued on this channel, and how many the emulation did not know.
    pub fn ioctls(&self) -> (u64, u32) {
        // SAFETY: `raw` is live.
        unsafe {
            (
                u64::try_from(tdm_or2_ioctl_count(self.raw)).unwrap_or(0),
                u32::try_from(tdm_or2_unknown_ioctls(self.raw)).unwrap_or(0),
            )
        }
    }
}

impl Drop for OpenR2 {
    fn drop(&mut self) {
        // SAFETY: `raw` came from `tdm_or2_new` and is freed once.
        unsafe { tdm_or2_free(self.raw) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_china_channel_opens_on_the_emulated_dahdi_channel_and_sends_idle() {
        if !AVAILABLE {
            eprintln!("OpenR2 not available: skipped");
            return;
        }
        set_virtual_time(1_000_000_000);
        if let Some(level) = std::env::var("TDM_OPENR2_LOG").ok().and_then(|v| v.parse().ok()) {
            set_log_level(level);
        }
        let mut chan = OpenR2::new(&Config::china(4)).expect("channel");
        assert!(chan.process());
        // China idle: A B = 1 0, C D = 1 1.
        assert_eq!(chan.tx_abcd(), 0xB);
        let (ioctls, unknown) = chan.ioctls();
        assert!(ioctls >= 8, "{ioctls}");
        assert_eq!(unknown, 0);
        // A seizure is acknowledged with 1111.
        chan.set_rx_abcd(0x3);
        assert!(chan.process());
        assert_eq!(chan.tx_abcd(), 0xF);
        let events: Vec<_> = std::iter::from_fn(|| chan.poll_event()).collect();
        assert_eq!(events, vec![Or2Event::LineIdle, Or2Event::CallInit]);
        use_real_time();
    }

    #[test]
    fn causes_map_from_codes() {
        assert_eq!(Cause::from_code(0), Some(Cause::BusyNumber));
        assert_eq!(Cause::from_code(6), Some(Cause::NormalClearing));
        assert_eq!(Cause::from_code(10), None);
    }
}
