//! Test and benchmark harness around Debian's libspandsp (0.0.6, floating-point build).
//!
//! Only tests and benches link this crate. When `pkg-config` does not find spandsp at build
//! time the crate keeps the same API, [`AVAILABLE`] is `false`, every constructor returns
//! `None` and the G.711 functions return `None`, so callers skip with a notice at run time
//! and need no `#[cfg]`.
//!
//! Detectors report through C callbacks; the wrappers here collect the reports into vectors
//! with the sample index at which spandsp made its decision:
//!
//! - `dtmf_rx` and `r2_mf_rx` work in fixed blocks (102 and 133 samples) counted from
//!   initialisation, and can only change their decision at a block end. [`DtmfRx::process`]
//!   and [`R2MfRx::process`] feed spandsp in pieces that end on those block ends, so every
//!   report carries the exact sample index of the block end that produced it.
//! - The `*_raw` methods hand the whole slice to spandsp in one call (what a benchmark
//!   should time); their reports carry the index of the end of that slice.

/// Whether this build links libspandsp.
pub const AVAILABLE: bool = cfg!(have_spandsp);

/// A change of a DTMF receiver's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigitReport {
    /// The digit now being received, or `None` when the digit ended.
    pub digit: Option<char>,
    /// spandsp's level estimate in dBm0 (−99 at the end of a digit).
    pub level_dbm0: i32,
    /// Index of the first sample after the block in which spandsp decided.
    pub sample: u64,
}

/// A change of an R2 MF receiver's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R2Report {
    /// MFC signal number 1 ..= 15 now being received, or `None` when it ended.
    pub code: Option<u8>,
    /// Index of the first sample after the block in which spandsp decided.
    pub sample: u64,
}

/// A report of spandsp's modem connect-tone receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectToneReport {
    /// `MODEM_CONNECT_TONES_*` code; 0 (`NONE`) when a tone ended.
    pub tone: i32,
    /// spandsp's level figure (dBm0 where it gives one, −99 at an end).
    pub level: i32,
    /// Index of the sample after the piece of audio during which spandsp reported.
    pub sample: u64,
}

/// The tone kinds `modem_connect_tones_rx_init` and `..._tx_init` take (spandsp's enum).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum ConnectTone {
    /// Nothing (reported when a tone stops).
    None = 0,
    /// CNG: 1100 Hz, 0.5 s on, 3 s off.
    FaxCng = 1,
    /// ANS / CED: 2100 Hz continuous.
    Ans = 2,
    /// ANS with phase reversals every 450 ms.
    AnsPr = 3,
    /// ANSam: 2100 Hz with 15 Hz amplitude modulation (V.8).
    Ansam = 4,
    /// ANSam with phase reversals.
    AnsamPr = 5,
    /// V.21 HDLC flag preamble.
    FaxPreamble = 6,
    /// Receive only: CED or the V.21 preamble, whichever comes.
    FaxCedOrPreamble = 7,
    /// Bell 2225 Hz answer tone.
    BellAns = 8,
    /// V.25 calling tone, 1300 Hz.
    CallingTone = 9,
}

/// MFC signal number for spandsp's R2 character ("1234567890BCDEF").
pub fn r2_code_from_char(c: u8) -> Option<u8> {
    match c {
        b'1'..=b'9' => Some(c - b'0'),
        b'0' => Some(10),
        b'B'..=b'F' => Some(c - b'B' + 11),
        _ => None,
    }
}

/// spandsp's R2 character for an MFC signal number 1 ..= 15.
pub fn r2_char_from_code(code: u8) -> Option<u8> {
    match code {
        1..=9 => Some(b'0' + code),
        10 => Some(b'0'),
        11..=15 => Some(b'B' + code - 11),
        _ => None,
    }
}

#[cfg(have_spandsp)]
mod ffi {
    use std::ffi::{c_char, c_int, c_void};

    /// Opaque spandsp state; only ever handled by pointer.
    #[repr(C)]
    pub struct Opaque {
        _private: [u8; 0],
    }

    pub type DigitsCallback = unsafe extern "C" fn(user: *mut c_void, digits: *const c_char, len: c_int);
    pub type ToneReportCallback =
        unsafe extern "C" fn(user: *mut c_void, code: c_int, level: c_int, delay: c_int);

    unsafe extern "C" {
        pub fn tdm_spandsp_linear_to_alaw(linear: c_int) -> u8;
        pub fn tdm_spandsp_alaw_to_linear(alaw: u8) -> i16;
        pub fn tdm_spandsp_linear_to_ulaw(linear: c_int) -> u8;
        pub fn tdm_spandsp_ulaw_to_linear(ulaw: u8) -> i16;
        pub fn alaw_to_ulaw(alaw: u8) -> u8;
        pub fn ulaw_to_alaw(ulaw: u8) -> u8;

        pub fn dtmf_rx_init(
            s: *mut Opaque,
            callback: Option<DigitsCallback>,
            user: *mut c_void,
        ) -> *mut Opaque;
        pub fn dtmf_rx_set_realtime_callback(
            s: *mut Opaque,
            callback: Option<ToneReportCallback>,
            user: *mut c_void,
        );
        pub fn dtmf_rx_parms(
            s: *mut Opaque,
            filter_dialtone: c_int,
            twist: c_int,
            reverse_twist: c_int,
            threshold: c_int,
        );
        pub fn dtmf_rx(s: *mut Opaque, amp: *const i16, samples: c_int) -> c_int;
        pub fn dtmf_rx_free(s: *mut Opaque) -> c_int;

        pub fn dtmf_tx_init(s: *mut Opaque) -> *mut Opaque;
        pub fn dtmf_tx_put(s: *mut Opaque, digits: *const c_char, len: c_int) -> c_int;
        pub fn dtmf_tx_set_level(s: *mut Opaque, level: c_int, twist: c_int);
        pub fn dtmf_tx_set_timing(s: *mut Opaque, on_time: c_int, off_time: c_int);
        pub fn dtmf_tx(s: *mut Opaque, amp: *mut i16, max_samples: c_int) -> c_int;
        pub fn dtmf_tx_free(s: *mut Opaque) -> c_int;

        pub fn r2_mf_rx_init(
            s: *mut Opaque,
            fwd: c_int,
            callback: Option<ToneReportCallback>,
            user: *mut c_void,
        ) -> *mut Opaque;
        pub fn r2_mf_rx(s: *mut Opaque, amp: *const i16, samples: c_int) -> c_int;
        pub fn r2_mf_rx_free(s: *mut Opaque) -> c_int;

        pub fn r2_mf_tx_init(s: *mut Opaque, fwd: c_int) -> *mut Opaque;
        pub fn r2_mf_tx_put(s: *mut Opaque, digit: c_char) -> c_int;
        pub fn r2_mf_tx(s: *mut Opaque, amp: *mut i16, samples: c_int) -> c_int;
        pub fn r2_mf_tx_free(s: *mut Opaque) -> c_int;

        pub fn modem_connect_tones_rx_init(
            s: *mut Opaque,
            tone_type: c_int,
            callback: Option<ToneReportCallback>,
            user: *mut c_void,
        ) -> *mut Opaque;
        pub fn modem_connect_tones_rx(s: *mut Opaque, amp: *const i16, len: c_int) -> c_int;
        pub fn modem_connect_tones_rx_get(s: *mut Opaque) -> c_int;
        pub fn modem_connect_tones_rx_free(s: *mut Opaque) -> c_int;

        pub fn modem_connect_tones_tx_init(s: *mut Opaque, tone_type: c_int) -> *mut Opaque;
        pub fn modem_connect_tones_tx(s: *mut Opaque, amp: *mut i16, len: c_int) -> c_int;
        pub fn modem_connect_tones_tx_free(s: *mut Opaque) -> c_int;

        #[allow(clippy::too_many_arguments)]
        pub fn tone_gen_descriptor_init(
            s: *mut Opaque,
            f1: c_int,
            l1: c_int,
            f2: c_int,
            l2: c_int,
            d1: c_int,
            d2: c_int,
            d3: c_int,
            d4: c_int,
            repeat: c_int,
        ) -> *mut Opaque;
        pub fn tone_gen_descriptor_free(s: *mut Opaque);
        pub fn tone_gen_init(s: *mut Opaque, descriptor: *mut Opaque) -> *mut Opaque;
        pub fn tone_gen(s: *mut Opaque, amp: *mut i16, max_samples: c_int) -> c_int;
        pub fn tone_gen_free(s: *mut Opaque) -> c_int;
    }
}

/// The same entry points as the C library, for builds without it: every constructor returns
/// null (so the wrappers' `new` returns `None`) and everything else does nothing. They are
/// never reached through the public API.
#[cfg(not(have_spandsp))]
#[allow(clippy::too_many_arguments, clippy::missing_safety_doc)]
mod ffi {
    use std::ffi::{c_char, c_int, c_void};
    use std::ptr;

    pub struct Opaque {
        _private: [u8; 0],
    }

    pub type ToneReportCallback =
        unsafe extern "C" fn(user: *mut c_void, code: c_int, level: c_int, delay: c_int);
    pub type DigitsCallback = unsafe extern "C" fn(user: *mut c_void, digits: *const c_char, len: c_int);

    pub unsafe fn tdm_spandsp_linear_to_alaw(_linear: c_int) -> u8 {
        0
    }

    pub unsafe fn tdm_spandsp_alaw_to_linear(_alaw: u8) -> i16 {
        0
    }

    pub unsafe fn tdm_spandsp_linear_to_ulaw(_linear: c_int) -> u8 {
        0
    }

    pub unsafe fn tdm_spandsp_ulaw_to_linear(_ulaw: u8) -> i16 {
        0
    }

    pub unsafe fn alaw_to_ulaw(_alaw: u8) -> u8 {
        0
    }

    pub unsafe fn ulaw_to_alaw(_ulaw: u8) -> u8 {
        0
    }

    pub unsafe fn dtmf_rx_init(
        _s: *mut Opaque,
        _callback: Option<DigitsCallback>,
        _user: *mut c_void,
    ) -> *mut Opaque {
        ptr::null_mut()
    }

    pub unsafe fn dtmf_rx_set_realtime_callback(
        _s: *mut Opaque,
        _callback: Option<ToneReportCallback>,
        _user: *mut c_void,
    ) {
    }

    pub unsafe fn dtmf_rx_parms(
        _s: *mut Opaque,
        _filter_dialtone: c_int,
        _twist: c_int,
        _reverse_twist: c_int,
        _threshold: c_int,
    ) {
    }

    pub unsafe fn dtmf_rx(_s: *mut Opaque, _amp: *const i16, _samples: c_int) -> c_int {
        0
    }

    pub unsafe fn dtmf_rx_free(_s: *mut Opaque) -> c_int {
        0
    }

    pub unsafe fn dtmf_tx_init(_s: *mut Opaque) -> *mut Opaque {
        ptr::null_mut()
    }

    pub unsafe fn dtmf_tx_put(_s: *mut Opaque, _digits: *const c_char, _len: c_int) -> c_int {
        0
    }

    pub unsafe fn dtmf_tx_set_level(_s: *mut Opaque, _level: c_int, _twist: c_int) {}

    pub unsafe fn dtmf_tx_set_timing(_s: *mut Opaque, _on_time: c_int, _off_time: c_int) {}

    pub unsafe fn dtmf_tx(_s: *mut Opaque, _amp: *mut i16, _max_samples: c_int) -> c_int {
        0
    }

    pub unsafe fn dtmf_tx_free(_s: *mut Opaque) -> c_int {
        0
    }

    pub unsafe fn r2_mf_rx_init(
        _s: *mut Opaque,
        _fwd: c_int,
        _callback: Option<ToneReportCallback>,
        _user: *mut c_void,
    ) -> *mut Opaque {
        ptr::null_mut()
    }

    pub unsafe fn r2_mf_rx(_s: *mut Opaque, _amp: *const i16, _samples: c_int) -> c_int {
        0
    }

    pub unsafe fn r2_mf_rx_free(_s: *mut Opaque) -> c_int {
        0
    }

    pub unsafe fn r2_mf_tx_init(_s: *mut Opaque, _fwd: c_int) -> *mut Opaque {
        ptr::null_mut()
    }

    pub unsafe fn r2_mf_tx_put(_s: *mut Opaque, _digit: c_char) -> c_int {
        0
    }

    pub unsafe fn r2_mf_tx(_s: *mut Opaque, _amp: *mut i16, _samples: c_int) -> c_int {
        0
    }

    pub unsafe fn r2_mf_tx_free(_s: *mut Opaque) -> c_int {
        0
    }

    pub unsafe fn modem_connect_tones_rx_init(
        _s: *mut Opaque,
        _tone_type: c_int,
        _callback: Option<ToneReportCallback>,
        _user: *mut c_void,
    ) -> *mut Opaque {
        ptr::null_mut()
    }

    pub unsafe fn modem_connect_tones_rx(_s: *mut Opaque, _amp: *const i16, _len: c_int) -> c_int {
        0
    }

    pub unsafe fn modem_connect_tones_rx_get(_s: *mut Opaque) -> c_int {
        0
    }

    pub unsafe fn modem_connect_tones_rx_free(_s: *mut Opaque) -> c_int {
        0
    }

    pub unsafe fn modem_connect_tones_tx_init(_s: *mut Opaque, _tone_type: c_int) -> *mut Opaque {
        ptr::null_mut()
    }

    pub unsafe fn modem_connect_tones_tx(_s: *mut Opaque, _amp: *mut i16, _len: c_int) -> c_int {
        0
    }

    pub unsafe fn modem_connect_tones_tx_free(_s: *mut Opaque) -> c_int {
        0
    }

    pub unsafe fn tone_gen_descriptor_init(
        _s: *mut Opaque,
        _f1: c_int,
        _l1: c_int,
        _f2: c_int,
        _l2: c_int,
        _d1: c_int,
        _d2: c_int,
        _d3: c_int,
        _d4: c_int,
        _repeat: c_int,
    ) -> *mut Opaque {
        ptr::null_mut()
    }

    pub unsafe fn tone_gen_descriptor_free(_s: *mut Opaque) {}

    pub unsafe fn tone_gen_init(_s: *mut Opaque, _descriptor: *mut Opaque) -> *mut Opaque {
        ptr::null_mut()
    }

    pub unsafe fn tone_gen(_s: *mut Opaque, _amp: *mut i16, _max_samples: c_int) -> c_int {
        0
    }

    pub unsafe fn tone_gen_free(_s: *mut Opaque) -> c_int {
        0
    }
}

mod peer {
    use super::{
        AVAILABLE, ConnectTone, ConnectToneReport, DigitReport, R2Report, ffi, r2_char_from_code,
        r2_code_from_char,
    };
    use std::ffi::{c_char, c_int, c_void};
    use std::ptr::{self, NonNull};

    /// spandsp's `dtmf_rx` block length.
    pub const DTMF_RX_BLOCK: usize = 102;
    /// spandsp's `r2_mf_rx` block length.
    pub const R2_MF_RX_BLOCK: usize = 133;

    /// spandsp's A-law encoder (`linear_to_alaw`); `None` without spandsp.
    pub fn linear_to_alaw(sample: i16) -> Option<u8> {
        // SAFETY: pure function of its argument.
        AVAILABLE.then(|| unsafe { ffi::tdm_spandsp_linear_to_alaw(c_int::from(sample)) })
    }

    /// spandsp's A-law decoder (`alaw_to_linear`); `None` without spandsp.
    pub fn alaw_to_linear(code: u8) -> Option<i16> {
        // SAFETY: pure function of its argument.
        AVAILABLE.then(|| unsafe { ffi::tdm_spandsp_alaw_to_linear(code) })
    }

    /// spandsp's µ-law encoder (`linear_to_ulaw`); `None` without spandsp.
    pub fn linear_to_ulaw(sample: i16) -> Option<u8> {
        // SAFETY: pure function of its argument.
        AVAILABLE.then(|| unsafe { ffi::tdm_spandsp_linear_to_ulaw(c_int::from(sample)) })
    }

    /// spandsp's µ-law decoder (`ulaw_to_linear`); `None` without spandsp.
    pub fn ulaw_to_linear(code: u8) -> Option<i16> {
        // SAFETY: pure function of its argument.
        AVAILABLE.then(|| unsafe { ffi::tdm_spandsp_ulaw_to_linear(code) })
    }

    /// spandsp's copy of G.711 Table 4 (A → µ); `None` without spandsp.
    pub fn alaw_to_ulaw(code: u8) -> Option<u8> {
        // SAFETY: table lookup in the library.
        AVAILABLE.then(|| unsafe { ffi::alaw_to_ulaw(code) })
    }

    /// spandsp's copy of G.711 Table 3 (µ → A); `None` without spandsp.
    pub fn ulaw_to_alaw(code: u8) -> Option<u8> {
        // SAFETY: table lookup in the library.
        AVAILABLE.then(|| unsafe { ffi::ulaw_to_alaw(code) })
    }

    /// Where the C callbacks write; boxed so its address survives moves of the wrapper.
    struct Sink<T> {
        /// Samples handed to spandsp before the current call ended.
        decided_at: u64,
        reports: Vec<T>,
    }

    impl<T> Default for Sink<T> {
        fn default() -> Self {
            Self { decided_at: 0, reports: Vec::new() }
        }
    }

    unsafe extern "C" fn dtmf_realtime(user: *mut c_void, code: c_int, level: c_int, _delay: c_int) {
        // SAFETY: `user` is the `Sink` the owning `DtmfRx` registered and keeps alive.
        let sink = unsafe { &mut *user.cast::<Sink<DigitReport>>() };
        let digit = u8::try_from(code).ok().filter(|&c| c != 0).map(char::from);
        sink.reports.push(DigitReport { digit, level_dbm0: level, sample: sink.decided_at });
    }

    unsafe extern "C" fn r2_report(user: *mut c_void, code: c_int, _level: c_int, _delay: c_int) {
        // SAFETY: `user` is the `Sink` the owning `R2MfRx` registered and keeps alive.
        let sink = unsafe { &mut *user.cast::<Sink<R2Report>>() };
        let code = u8::try_from(code).ok().and_then(r2_code_from_char);
        sink.reports.push(R2Report { code, sample: sink.decided_at });
    }

    unsafe extern "C" fn connect_tone_report(user: *mut c_void, code: c_int, level: c_int, _delay: c_int) {
        // SAFETY: `user` is the `Sink` the owning `ModemConnectTonesRx` registered.
        let sink = unsafe { &mut *user.cast::<Sink<ConnectToneReport>>() };
        sink.reports.push(ConnectToneReport { tone: code, level, sample: sink.decided_at });
    }

    fn c_len(len: usize) -> c_int {
        c_int::try_from(len).unwrap_or(c_int::MAX)
    }

    /// spandsp's DTMF receiver (`dtmf_rx`), with its realtime start/end reports.
    pub struct DtmfRx {
        state: NonNull<ffi::Opaque>,
        sink: Box<Sink<DigitReport>>,
        fed: u64,
    }

    impl DtmfRx {
        /// A receiver with spandsp's defaults (twist 8 dB, reverse 4 dB, −42 dBm0, no
        /// dial-tone filter).
        pub fn new() -> Option<Self> {
            let mut sink = Box::<Sink<DigitReport>>::default();
            let user = ptr::from_mut(&mut *sink).cast::<c_void>();
            // SAFETY: a null state asks spandsp to allocate. With a realtime callback set,
            // spandsp reports through it only, so no digits callback is registered.
            let state = unsafe { ffi::dtmf_rx_init(ptr::null_mut(), None, user) };
            let state = NonNull::new(state)?;
            // SAFETY: `state` is live; the callback and its data stay valid until `drop`.
            unsafe { ffi::dtmf_rx_set_realtime_callback(state.as_ptr(), Some(dtmf_realtime), user) };
            Some(Self { state, sink, fed: 0 })
        }

        /// Sets `dtmf_rx_parms`: dial-tone filter, twist and reverse twist in dB, threshold
        /// in dBm0.
        pub fn set_parameters(
            &mut self,
            filter_dialtone: bool,
            twist_db: i32,
            reverse_twist_db: i32,
            threshold_dbm0: i32,
        ) {
            // SAFETY: `state` is live.
            unsafe {
                ffi::dtmf_rx_parms(
                    self.state.as_ptr(),
                    c_int::from(filter_dialtone),
                    twist_db,
                    reverse_twist_db,
                    threshold_dbm0,
                )
            };
        }

        /// Feeds samples in pieces ending on spandsp's block ends, so reports carry the
        /// exact sample of the decision.
        pub fn process(&mut self, samples: &[i16]) {
            let mut rest = samples;
            while !rest.is_empty() {
                let into_block = (self.fed % DTMF_RX_BLOCK as u64) as usize;
                let take = rest.len().min(DTMF_RX_BLOCK - into_block);
                let (piece, tail) = rest.split_at(take);
                self.feed(piece);
                rest = tail;
            }
        }

        /// Hands the whole slice to `dtmf_rx` in one call.
        pub fn process_raw(&mut self, samples: &[i16]) {
            self.feed(samples);
        }

        fn feed(&mut self, piece: &[i16]) {
            self.fed += piece.len() as u64;
            self.sink.decided_at = self.fed;
            // SAFETY: `state` is live and `piece` holds `piece.len()` samples.
            unsafe { ffi::dtmf_rx(self.state.as_ptr(), piece.as_ptr(), c_len(piece.len())) };
        }

        /// Start/end reports so far, oldest first; clears them.
        pub fn take_reports(&mut self) -> Vec<DigitReport> {
            std::mem::take(&mut self.sink.reports)
        }
    }

    impl Drop for DtmfRx {
        fn drop(&mut self) {
            // SAFETY: allocated by `dtmf_rx_init`, freed once.
            unsafe { ffi::dtmf_rx_free(self.state.as_ptr()) };
        }
    }

    /// spandsp's R2 MF receiver (`r2_mf_rx`).
    pub struct R2MfRx {
        state: NonNull<ffi::Opaque>,
        sink: Box<Sink<R2Report>>,
        fed: u64,
    }

    impl R2MfRx {
        /// A receiver for the forward (1380–1980 Hz) or backward (540–1140 Hz) group.
        pub fn new(forward: bool) -> Option<Self> {
            let mut sink = Box::<Sink<R2Report>>::default();
            let user = ptr::from_mut(&mut *sink).cast::<c_void>();
            // SAFETY: null asks spandsp to allocate; `user` outlives the state.
            let state =
                unsafe { ffi::r2_mf_rx_init(ptr::null_mut(), c_int::from(forward), Some(r2_report), user) };
            Some(Self { state: NonNull::new(state)?, sink, fed: 0 })
        }

        /// Feeds samples in pieces ending on spandsp's 133-sample block ends.
        pub fn process(&mut self, samples: &[i16]) {
            let mut rest = samples;
            while !rest.is_empty() {
                let into_block = (self.fed % R2_MF_RX_BLOCK as u64) as usize;
                let take = rest.len().min(R2_MF_RX_BLOCK - into_block);
                let (piece, tail) = rest.split_at(take);
                self.feed(piece);
                rest = tail;
            }
        }

        /// Hands the whole slice to `r2_mf_rx` in one call.
        pub fn process_raw(&mut self, samples: &[i16]) {
            self.feed(samples);
        }

        fn feed(&mut self, piece: &[i16]) {
            self.fed += piece.len() as u64;
            self.sink.decided_at = self.fed;
            // SAFETY: `state` is live and `piece` holds `piece.len()` samples.
            unsafe { ffi::r2_mf_rx(self.state.as_ptr(), piece.as_ptr(), c_len(piece.len())) };
        }

        /// Reports so far, oldest first; clears them.
        pub fn take_reports(&mut self) -> Vec<R2Report> {
            std::mem::take(&mut self.sink.reports)
        }
    }

    impl Drop for R2MfRx {
        fn drop(&mut self) {
            // SAFETY: allocated by `r2_mf_rx_init`, freed once.
            unsafe { ffi::r2_mf_rx_free(self.state.as_ptr()) };
        }
    }

    /// spandsp's modem connect-tone receiver (CNG, CED/ANS, ANSam, V.21 preamble).
    pub struct ModemConnectTonesRx {
        state: NonNull<ffi::Opaque>,
        sink: Box<Sink<ConnectToneReport>>,
        fed: u64,
    }

    impl ModemConnectTonesRx {
        /// A receiver for one tone kind (`FaxCng`, `Ans`, `AnsPr`, `Ansam`, `FaxCedOrPreamble` ...).
        pub fn new(tone: ConnectTone) -> Option<Self> {
            let mut sink = Box::<Sink<ConnectToneReport>>::default();
            let user = ptr::from_mut(&mut *sink).cast::<c_void>();
            // SAFETY: null asks spandsp to allocate; `user` outlives the state.
            let state = unsafe {
                ffi::modem_connect_tones_rx_init(
                    ptr::null_mut(),
                    tone as c_int,
                    Some(connect_tone_report),
                    user,
                )
            };
            Some(Self { state: NonNull::new(state)?, sink, fed: 0 })
        }

        /// Feeds samples in one call; reports carry the index of the slice's end, so feed
        /// short slices where timing matters.
        pub fn process(&mut self, samples: &[i16]) {
            self.fed += samples.len() as u64;
            self.sink.decided_at = self.fed;
            // SAFETY: `state` is live and `samples` holds `samples.len()` samples.
            unsafe {
                ffi::modem_connect_tones_rx(self.state.as_ptr(), samples.as_ptr(), c_len(samples.len()))
            };
        }

        /// spandsp's current decision (`modem_connect_tones_rx_get`).
        pub fn current(&mut self) -> i32 {
            // SAFETY: `state` is live.
            unsafe { ffi::modem_connect_tones_rx_get(self.state.as_ptr()) }
        }

        /// Reports so far, oldest first; clears them.
        pub fn take_reports(&mut self) -> Vec<ConnectToneReport> {
            std::mem::take(&mut self.sink.reports)
        }
    }

    impl Drop for ModemConnectTonesRx {
        fn drop(&mut self) {
            // SAFETY: allocated by `modem_connect_tones_rx_init`, freed once.
            unsafe { ffi::modem_connect_tones_rx_free(self.state.as_ptr()) };
        }
    }

    /// spandsp's DTMF generator (`dtmf_tx`).
    pub struct DtmfTx {
        state: NonNull<ffi::Opaque>,
    }

    impl DtmfTx {
        /// A generator with spandsp's defaults (−10 dBm0 per tone, 50 ms on, 55 ms off).
        pub fn new() -> Option<Self> {
            // SAFETY: null asks spandsp to allocate.
            let state = unsafe { ffi::dtmf_tx_init(ptr::null_mut()) };
            Some(Self { state: NonNull::new(state)? })
        }

        /// Level of the low tone in dBm0 and the high tone's excess over it in dB.
        pub fn set_level(&mut self, level_dbm0: i32, twist_db: i32) {
            // SAFETY: `state` is live.
            unsafe { ffi::dtmf_tx_set_level(self.state.as_ptr(), level_dbm0, twist_db) };
        }

        /// On and off times in ms.
        pub fn set_timing(&mut self, on_ms: i32, off_ms: i32) {
            // SAFETY: `state` is live.
            unsafe { ffi::dtmf_tx_set_timing(self.state.as_ptr(), on_ms, off_ms) };
        }

        /// Queues digits; returns how many did not fit spandsp's queue.
        pub fn put(&mut self, digits: &str) -> usize {
            // SAFETY: `digits` holds `len` bytes; spandsp copies them.
            let left =
                unsafe { ffi::dtmf_tx_put(self.state.as_ptr(), digits.as_ptr().cast(), c_len(digits.len())) };
            usize::try_from(left).unwrap_or(0)
        }

        /// Generates up to `out.len()` samples; returns how many were written (fewer once
        /// the queue is empty).
        pub fn generate(&mut self, out: &mut [i16]) -> usize {
            // SAFETY: `out` has room for `out.len()` samples.
            let n = unsafe { ffi::dtmf_tx(self.state.as_ptr(), out.as_mut_ptr(), c_len(out.len())) };
            usize::try_from(n).unwrap_or(0)
        }
    }

    impl Drop for DtmfTx {
        fn drop(&mut self) {
            // SAFETY: allocated by `dtmf_tx_init`, freed once.
            unsafe { ffi::dtmf_tx_free(self.state.as_ptr()) };
        }
    }

    /// spandsp's R2 MF generator (`r2_mf_tx`), at its −11 dBm0 per tone.
    pub struct R2MfTx {
        state: NonNull<ffi::Opaque>,
    }

    impl R2MfTx {
        /// A generator for forward or backward signals.
        pub fn new(forward: bool) -> Option<Self> {
            // SAFETY: null asks spandsp to allocate.
            let state = unsafe { ffi::r2_mf_tx_init(ptr::null_mut(), c_int::from(forward)) };
            Some(Self { state: NonNull::new(state)? })
        }

        /// Starts sending MFC signal `code` (1 ..= 15), or stops with `None`.
        pub fn set_code(&mut self, code: Option<u8>) {
            let c = code.and_then(r2_char_from_code).unwrap_or(0);
            // SAFETY: `state` is live.
            unsafe { ffi::r2_mf_tx_put(self.state.as_ptr(), c as c_char) };
        }

        /// Fills `out` with the current signal (silence when none); returns samples written.
        pub fn generate(&mut self, out: &mut [i16]) -> usize {
            // SAFETY: `out` has room for `out.len()` samples.
            let n = unsafe { ffi::r2_mf_tx(self.state.as_ptr(), out.as_mut_ptr(), c_len(out.len())) };
            usize::try_from(n).unwrap_or(0)
        }
    }

    impl Drop for R2MfTx {
        fn drop(&mut self) {
            // SAFETY: allocated by `r2_mf_tx_init`, freed once.
            unsafe { ffi::r2_mf_tx_free(self.state.as_ptr()) };
        }
    }

    /// spandsp's modem connect-tone generator.
    pub struct ModemConnectTonesTx {
        state: NonNull<ffi::Opaque>,
    }

    impl ModemConnectTonesTx {
        /// A generator for `tone` (CNG, ANS, ANS/PR, ANSam, ANSam/PR, Bell ANS, calling tone).
        pub fn new(tone: ConnectTone) -> Option<Self> {
            // SAFETY: null asks spandsp to allocate.
            let state = unsafe { ffi::modem_connect_tones_tx_init(ptr::null_mut(), tone as c_int) };
            Some(Self { state: NonNull::new(state)? })
        }

        /// Fills `out`; returns samples written.
        pub fn generate(&mut self, out: &mut [i16]) -> usize {
            // SAFETY: `out` has room for `out.len()` samples.
            let n = unsafe {
                ffi::modem_connect_tones_tx(self.state.as_ptr(), out.as_mut_ptr(), c_len(out.len()))
            };
            usize::try_from(n).unwrap_or(0)
        }
    }

    impl Drop for ModemConnectTonesTx {
        fn drop(&mut self) {
            // SAFETY: allocated by `modem_connect_tones_tx_init`, freed once.
            unsafe { ffi::modem_connect_tones_tx_free(self.state.as_ptr()) };
        }
    }

    /// One cadenced tone for spandsp's `tone_gen`: up to two frequencies with levels, and
    /// two on/off pairs in ms.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct ToneGenSpec {
        /// First frequency in Hz and its level in dBm0.
        pub f1: (i32, i32),
        /// Second frequency (0 = none) and its level.
        pub f2: (i32, i32),
        /// On, off, on, off in ms (zeros end the cadence).
        pub cadence_ms: [i32; 4],
        /// Repeat the cadence for ever.
        pub repeat: bool,
    }

    /// spandsp's cadenced tone generator (`tone_gen`).
    pub struct ToneGen {
        descriptor: NonNull<ffi::Opaque>,
        state: NonNull<ffi::Opaque>,
    }

    impl ToneGen {
        /// A generator for `spec`.
        pub fn new(spec: ToneGenSpec) -> Option<Self> {
            let [d1, d2, d3, d4] = spec.cadence_ms;
            // SAFETY: null asks spandsp to allocate the descriptor.
            let descriptor = unsafe {
                ffi::tone_gen_descriptor_init(
                    ptr::null_mut(),
                    spec.f1.0,
                    spec.f1.1,
                    spec.f2.0,
                    spec.f2.1,
                    d1,
                    d2,
                    d3,
                    d4,
                    c_int::from(spec.repeat),
                )
            };
            let descriptor = NonNull::new(descriptor)?;
            // SAFETY: `descriptor` is live; spandsp copies what it needs from it.
            let state = unsafe { ffi::tone_gen_init(ptr::null_mut(), descriptor.as_ptr()) };
            let Some(state) = NonNull::new(state) else {
                // SAFETY: allocated above, freed once.
                unsafe { ffi::tone_gen_descriptor_free(descriptor.as_ptr()) };
                return None;
            };
            Some(Self { descriptor, state })
        }

        /// Fills `out`; returns samples written (fewer when a non-repeating cadence ends).
        pub fn generate(&mut self, out: &mut [i16]) -> usize {
            // SAFETY: `out` has room for `out.len()` samples.
            let n = unsafe { ffi::tone_gen(self.state.as_ptr(), out.as_mut_ptr(), c_len(out.len())) };
            usize::try_from(n).unwrap_or(0)
        }
    }

    impl Drop for ToneGen {
        fn drop(&mut self) {
            // SAFETY: both allocated in `new`, freed once each.
            unsafe {
                ffi::tone_gen_free(self.state.as_ptr());
                ffi::tone_gen_descriptor_free(self.descriptor.as_ptr());
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn dtmf_round_trip_through_spandsp() {
            if !AVAILABLE {
                assert!(DtmfRx::new().is_none() && R2MfRx::new(true).is_none());
                return;
            }
            let mut tx = DtmfTx::new().unwrap();
            assert_eq!(tx.put("159#"), 0);
            let mut audio = vec![0i16; 8000];
            let n = tx.generate(&mut audio);
            // 4 digits × (50 ms on + 55 ms off) = 3360 samples.
            assert_eq!(n, 3360);
            let mut rx = DtmfRx::new().unwrap();
            rx.process(&audio);
            let reports = rx.take_reports();
            let starts: String = reports.iter().filter_map(|r| r.digit).collect();
            assert_eq!(starts, "159#");
            assert!(reports.iter().all(|r| r.sample % DTMF_RX_BLOCK as u64 == 0));
        }

        #[test]
        fn r2_round_trip_through_spandsp() {
            if !AVAILABLE {
                assert!(DtmfRx::new().is_none() && R2MfRx::new(true).is_none());
                return;
            }
            for forward in [true, false] {
                let mut tx = R2MfTx::new(forward).unwrap();
                let mut rx = R2MfRx::new(forward).unwrap();
                let mut audio = vec![0i16; 1600];
                tx.set_code(Some(11));
                tx.generate(&mut audio[..800]);
                tx.set_code(None);
                tx.generate(&mut audio[800..]);
                rx.process(&audio);
                let reports = rx.take_reports();
                assert_eq!(reports.len(), 2, "{reports:?}");
                assert_eq!(reports[0].code, Some(11));
                assert_eq!(reports[1].code, None);
            }
        }

        #[test]
        fn cng_is_detected() {
            if !AVAILABLE {
                assert!(DtmfRx::new().is_none() && R2MfRx::new(true).is_none());
                return;
            }
            let mut tx = ModemConnectTonesTx::new(ConnectTone::FaxCng).unwrap();
            let mut rx = ModemConnectTonesRx::new(ConnectTone::FaxCng).unwrap();
            let mut audio = vec![0i16; 8000];
            tx.generate(&mut audio);
            for chunk in audio.chunks(160) {
                rx.process(chunk);
            }
            let reports = rx.take_reports();
            assert!(reports.iter().any(|r| r.tone == ConnectTone::FaxCng as i32), "{reports:?}");
        }

        #[test]
        fn g711_coders_and_tone_gen_link() {
            if !AVAILABLE {
                assert_eq!(linear_to_alaw(0), None);
                assert!(
                    ToneGen::new(ToneGenSpec {
                        f1: (450, -10),
                        f2: (0, 0),
                        cadence_ms: [0; 4],
                        repeat: false
                    })
                    .is_none()
                );
                return;
            }
            assert_eq!(linear_to_alaw(0), Some(0xD5));
            assert_eq!(alaw_to_linear(0xAA), Some(32256));
            assert_eq!(linear_to_ulaw(0), Some(0xFF));
            assert_eq!(ulaw_to_linear(0x80), Some(32124));
            assert_eq!(alaw_to_ulaw(0xD5), Some(0xFE));
            let mut tone = ToneGen::new(ToneGenSpec {
                f1: (450, -10),
                f2: (0, 0),
                cadence_ms: [100, 100, 0, 0],
                repeat: false,
            })
            .unwrap();
            let mut out = vec![0i16; 4000];
            assert_eq!(tone.generate(&mut out), 1600);
            assert!(out[..800].iter().any(|&x| x != 0));
            assert!(out[800..1600].iter().all(|&x| x == 0));
        }
    }
}

pub use peer::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r2_characters_map_both_ways() {
        let chars = b"1234567890BCDEF";
        for (i, &c) in chars.iter().enumerate() {
            let code = i as u8 + 1;
            assert_eq!(r2_code_from_char(c), Some(code));
            assert_eq!(r2_char_from_code(code), Some(c));
        }
        assert_eq!(r2_code_from_char(b'A'), None);
        assert_eq!(r2_char_from_code(0), None);
        assert_eq!(r2_char_from_code(16), None);
    }
}
