//! Test and benchmark harness around libosmocore's soft HDLC (`<osmocom/core/isdnhdlc.h>`,
//! libosmocore 1.7.0 in Debian bookworm), the peer `tdm_driver::hdlc` is checked and measured
//! against.
//!
//! Only tests and benches link this crate. When `pkg-config` does not find libosmocore at build
//! time, [`AVAILABLE`] is `false` and the constructors return `None`, so callers skip with
//! `if !tdm_peer_osmocore::AVAILABLE { ... }` and need no `#[cfg]`.
//!
//! Both wrappers use `OSMO_HDLC_F_BITREVERSE`: the first bit on the line is the MSB of each
//! octet, the E1 convention osmo-e1d uses.
//!
//! How libosmocore behaves, as read from its `isdnhdlc.c` and seen through these wrappers:
//! - `osmo_isdnhdlc_encode` takes one frame per call sequence and returns at most one octet
//!   after that frame's closing flag; called with no frame it fills the buffer with flags (or
//!   ones with `OSMO_HDLC_F_DCHANNEL`). Flags keep their bit phase between frames.
//! - On the very first call after `osmo_isdnhdlc_out_init` without a frame, it writes one octet
//!   more than the buffer size it was given; [`OsmoHdlcEncoder`] always gives it a scratch buffer
//!   with a spare octet and carries the surplus over.
//! - With `OSMO_HDLC_F_DCHANNEL` (all-ones idle) only the first frame comes out right: every
//!   later frame's opening flag is followed by its first octet sent raw (no zero insertion, not
//!   in the FCS), so neither libosmocore's own decoder nor ours accepts those frames. Use flag
//!   idle for anything but that first frame.
//! - `osmo_isdnhdlc_decode` returns at the end of each frame (length without FCS) or error
//!   (negative), telling how many input octets it took; it keeps the unread bits of the last one.
//!   It only reads the first bit of the last octet of each call, the other seven wait for the next
//!   call, so a frame whose closing flag ends in that octet is reported one call later.

/// Whether this build links libosmocore.
pub const AVAILABLE: bool = cfg!(have_osmocore);

/// Longest frame, without FCS, the wrappers carry.
pub const MAX_FRAME: usize = 1024;

/// Octets the encoder asks libosmocore for per call.
const ENCODE_CHUNK: usize = 256;

/// Why [`OsmoHdlcEncoder::send`] refused a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsmoSendError {
    /// The previous frame is still being encoded (libosmocore takes one at a time).
    Busy,
    /// Empty, or longer than [`MAX_FRAME`].
    BadLength { len: usize },
}

/// A frame libosmocore's decoder discarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsmoError {
    /// `OSMO_HDLC_FRAMING_ERROR`: an abort inside a frame, or fewer than 2 octets between flags.
    Framing,
    /// `OSMO_HDLC_CRC_ERROR`.
    Crc,
    /// `OSMO_HDLC_LENGTH_ERROR`: more octets than the destination buffer holds.
    Length,
    /// Any other negative return value.
    Other(i32),
}

/// What [`OsmoHdlcDecoder::push`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsmoEvent<'a> {
    /// A frame without its FCS; valid during the callback only.
    Frame(&'a [u8]),
    /// A discarded frame.
    Error(OsmoError),
}

#[cfg(have_osmocore)]
mod ffi {
    use std::ffi::c_int;

    /// `struct osmo_isdnhdlc_vars` from `<osmocom/core/isdnhdlc.h>`. The header's five one-bit
    /// `uint32_t` fields (data_received, dchannel, do_adapt56, do_closing, do_bitreverse) are
    /// packed by the x86-64 and AArch64 ABIs into the octet after `ffvalue`; the struct is
    /// 32 octets, 4-aligned. `layout_matches_the_installed_header` checks this against C.
    #[repr(C)]
    #[derive(Default)]
    pub struct IsdnHdlcVars {
        pub bit_shift: c_int,
        pub hdlc_bits1: c_int,
        pub data_bits: c_int,
        pub ffbit_shift: c_int,
        pub state: c_int,
        pub dstpos: c_int,
        pub crc: u16,
        pub cbin: u8,
        pub shift_reg: u8,
        pub ffvalue: u8,
        pub bit_fields: u8,
        pub padding: [u8; 2],
    }

    pub const OSMO_HDLC_F_DCHANNEL: u32 = 0x02;
    pub const OSMO_HDLC_F_BITREVERSE: u32 = 0x04;

    pub const OSMO_HDLC_FRAMING_ERROR: c_int = 1;
    pub const OSMO_HDLC_CRC_ERROR: c_int = 2;
    pub const OSMO_HDLC_LENGTH_ERROR: c_int = 3;

    // Transmit states of isdnhdlc.c (a private enum there) in which the encoder has finished a
    // frame: sending flags (HDLC_SEND_FAST_FLAG), or the ones of D-channel idle
    // (HDLC_SEND_IDLE1, HDLC_SEND_FAST_IDLE).
    pub const HDLC_SEND_FAST_FLAG: c_int = 2;
    pub const HDLC_SEND_IDLE1: c_int = 6;
    pub const HDLC_SEND_FAST_IDLE: c_int = 7;

    unsafe extern "C" {
        pub fn osmo_isdnhdlc_rcv_init(hdlc: *mut IsdnHdlcVars, features: u32);
        pub fn osmo_isdnhdlc_decode(
            hdlc: *mut IsdnHdlcVars,
            src: *const u8,
            slen: c_int,
            count: *mut c_int,
            dst: *mut u8,
            dsize: c_int,
        ) -> c_int;
        pub fn osmo_isdnhdlc_out_init(hdlc: *mut IsdnHdlcVars, features: u32);
        pub fn osmo_isdnhdlc_encode(
            hdlc: *mut IsdnHdlcVars,
            src: *const u8,
            slen: u16,
            count: *mut c_int,
            dst: *mut u8,
            dsize: c_int,
        ) -> c_int;
    }

    #[cfg(test)]
    unsafe extern "C" {
        pub fn tdm_osmo_isdnhdlc_vars_size() -> usize;
        pub fn tdm_osmo_isdnhdlc_vars_offset(field: c_int) -> usize;
    }
}

/// libosmocore's HDLC state, or, without the library, a type with no values.
#[cfg(have_osmocore)]
type Vars = ffi::IsdnHdlcVars;
#[cfg(not(have_osmocore))]
enum Vars {}

/// libosmocore's HDLC transmitter, with room for the frame in progress and one waiting (handed
/// to libosmocore as soon as it has finished the previous one).
pub struct OsmoHdlcEncoder {
    vars: Box<Vars>,
    frames: [[u8; MAX_FRAME]; 2],
    lengths: [usize; 2],
    /// Index in `frames` of the frame in progress.
    current: usize,
    /// Octets of the current frame libosmocore has taken.
    consumed: usize,
    frame_active: bool,
    waiting: bool,
    /// libosmocore's output not yet handed out (`carry_start..carry_end`).
    scratch: [u8; ENCODE_CHUNK + 1],
    carry_start: usize,
    carry_end: usize,
    /// The carried octets hold the end of the last frame.
    frame_end_in_carry: bool,
}

impl OsmoHdlcEncoder {
    /// `osmo_isdnhdlc_out_init` with `OSMO_HDLC_F_BITREVERSE`, and `OSMO_HDLC_F_DCHANNEL` for
    /// all-ones idle. `None` when libosmocore is not linked.
    pub fn new(mark_idle: bool) -> Option<Self> {
        let vars = Self::init(mark_idle)?;
        Some(OsmoHdlcEncoder {
            vars,
            frames: [[0; MAX_FRAME]; 2],
            lengths: [0; 2],
            current: 0,
            consumed: 0,
            frame_active: false,
            waiting: false,
            scratch: [0; ENCODE_CHUNK + 1],
            carry_start: 0,
            carry_end: 0,
            frame_end_in_carry: false,
        })
    }

    #[cfg(have_osmocore)]
    fn init(mark_idle: bool) -> Option<Box<Vars>> {
        let mut vars = Box::<Vars>::default();
        let mut features = ffi::OSMO_HDLC_F_BITREVERSE;
        if mark_idle {
            features |= ffi::OSMO_HDLC_F_DCHANNEL;
        }
        // SAFETY: `vars` is a live struct of the header's layout; init only writes into it.
        unsafe { ffi::osmo_isdnhdlc_out_init(&mut *vars, features) };
        Some(vars)
    }

    #[cfg(not(have_osmocore))]
    fn init(_mark_idle: bool) -> Option<Box<Vars>> {
        None
    }

    /// Takes a frame (without FCS; libosmocore appends it). Busy while a frame is in progress
    /// and another is waiting.
    pub fn send(&mut self, frame: &[u8]) -> Result<(), OsmoSendError> {
        if frame.is_empty() || frame.len() > MAX_FRAME {
            return Err(OsmoSendError::BadLength { len: frame.len() });
        }
        if self.waiting {
            return Err(OsmoSendError::Busy);
        }
        let slot = if self.frame_active { 1 - self.current } else { self.current };
        self.frames[slot][..frame.len()].copy_from_slice(frame);
        self.lengths[slot] = frame.len();
        if self.frame_active {
            self.waiting = true;
        } else {
            self.consumed = 0;
            self.frame_active = true;
        }
        Ok(())
    }

    /// True when no frame is being encoded or waiting and the last one is completely in the
    /// output.
    pub fn is_idle(&self) -> bool {
        !self.frame_active && !self.waiting && !self.frame_end_in_carry
    }

    /// Fills `out` with line octets.
    pub fn fill(&mut self, out: &mut [u8]) {
        let mut written = 0;
        loop {
            let carried = (self.carry_end - self.carry_start).min(out.len() - written);
            out[written..written + carried]
                .copy_from_slice(&self.scratch[self.carry_start..self.carry_start + carried]);
            self.carry_start += carried;
            written += carried;
            if self.carry_start == self.carry_end {
                self.frame_end_in_carry = false;
            }
            if written == out.len() {
                return;
            }
            let want = (out.len() - written).min(ENCODE_CHUNK);
            let (taken, produced) = self.encode(want);
            self.carry_start = 0;
            self.carry_end = produced;
            if self.frame_active {
                self.consumed += taken;
                if self.consumed == self.lengths[self.current] && self.frame_finished() {
                    self.frame_end_in_carry = produced > 0;
                    self.consumed = 0;
                    if self.waiting {
                        self.waiting = false;
                        self.current = 1 - self.current;
                    } else {
                        self.frame_active = false;
                    }
                }
            }
        }
    }

    /// One `osmo_isdnhdlc_encode` call for at most `want` octets into `scratch`: (frame octets
    /// taken, octets produced, which may be `want + 1`).
    #[cfg(have_osmocore)]
    fn encode(&mut self, want: usize) -> (usize, usize) {
        let source = if self.frame_active {
            &self.frames[self.current][self.consumed..self.lengths[self.current]]
        } else {
            &[][..]
        };
        let mut count: std::ffi::c_int = 0;
        // SAFETY: `source` is valid for its length (at most MAX_FRAME, fits u16); `scratch` has
        // room for `want + 1` octets, the most libosmocore writes for a `dsize` of `want`.
        let produced = unsafe {
            ffi::osmo_isdnhdlc_encode(
                &mut *self.vars,
                source.as_ptr(),
                source.len() as u16,
                &mut count,
                self.scratch.as_mut_ptr(),
                want as std::ffi::c_int,
            )
        };
        let taken = usize::try_from(count).unwrap_or(0).min(source.len());
        let produced = usize::try_from(produced).unwrap_or(0).min(self.scratch.len());
        (taken, produced)
    }

    #[cfg(not(have_osmocore))]
    fn encode(&mut self, _want: usize) -> (usize, usize) {
        match *self.vars {}
    }

    #[cfg(have_osmocore)]
    fn frame_finished(&self) -> bool {
        matches!(self.vars.state, ffi::HDLC_SEND_FAST_FLAG | ffi::HDLC_SEND_IDLE1 | ffi::HDLC_SEND_FAST_IDLE)
    }

    #[cfg(not(have_osmocore))]
    fn frame_finished(&self) -> bool {
        match *self.vars {}
    }
}

/// libosmocore's HDLC receiver.
pub struct OsmoHdlcDecoder {
    vars: Box<Vars>,
    buffer: [u8; MAX_FRAME + 2],
    /// Destination size handed to libosmocore: longest frame plus FCS.
    limit: usize,
}

impl OsmoHdlcDecoder {
    /// `osmo_isdnhdlc_rcv_init` with `OSMO_HDLC_F_BITREVERSE`, accepting frames of up to
    /// `max_frame` octets without FCS (capped at [`MAX_FRAME`]). `None` when libosmocore is not
    /// linked.
    pub fn new(max_frame: usize) -> Option<Self> {
        let vars = Self::init()?;
        Some(OsmoHdlcDecoder { vars, buffer: [0; MAX_FRAME + 2], limit: max_frame.min(MAX_FRAME) + 2 })
    }

    #[cfg(have_osmocore)]
    fn init() -> Option<Box<Vars>> {
        let mut vars = Box::<Vars>::default();
        // SAFETY: `vars` is a live struct of the header's layout; init only writes into it.
        unsafe { ffi::osmo_isdnhdlc_rcv_init(&mut *vars, ffi::OSMO_HDLC_F_BITREVERSE) };
        Some(vars)
    }

    #[cfg(not(have_osmocore))]
    fn init() -> Option<Box<Vars>> {
        None
    }

    /// Decodes line octets, reporting each frame or error as libosmocore returns it.
    pub fn push(&mut self, octets: &[u8], mut on_event: impl FnMut(OsmoEvent<'_>)) {
        let mut offset = 0;
        while offset < octets.len() {
            let (taken, status) = self.decode(&octets[offset..]);
            offset += taken;
            match status {
                0 => {
                    if taken == 0 {
                        return;
                    }
                }
                length if length > 0 => {
                    let length = usize::try_from(length).unwrap_or(0).min(self.limit);
                    on_event(OsmoEvent::Frame(&self.buffer[..length]));
                }
                error => on_event(OsmoEvent::Error(Self::error(error))),
            }
        }
    }

    #[cfg(have_osmocore)]
    fn error(status: i32) -> OsmoError {
        match -status {
            ffi::OSMO_HDLC_FRAMING_ERROR => OsmoError::Framing,
            ffi::OSMO_HDLC_CRC_ERROR => OsmoError::Crc,
            ffi::OSMO_HDLC_LENGTH_ERROR => OsmoError::Length,
            _ => OsmoError::Other(status),
        }
    }

    #[cfg(not(have_osmocore))]
    fn error(status: i32) -> OsmoError {
        OsmoError::Other(status)
    }

    /// One `osmo_isdnhdlc_decode` call: (input octets taken, return value).
    #[cfg(have_osmocore)]
    fn decode(&mut self, source: &[u8]) -> (usize, i32) {
        let length = source.len().min(1 << 20);
        let mut count: std::ffi::c_int = 0;
        // SAFETY: `source` holds at least `length` octets; `buffer` holds `limit` octets, the
        // size libosmocore is told and never writes past.
        let status = unsafe {
            ffi::osmo_isdnhdlc_decode(
                &mut *self.vars,
                source.as_ptr(),
                length as std::ffi::c_int,
                &mut count,
                self.buffer.as_mut_ptr(),
                self.limit as std::ffi::c_int,
            )
        };
        (usize::try_from(count).unwrap_or(0).min(length), status)
    }

    #[cfg(not(have_osmocore))]
    fn decode(&mut self, _source: &[u8]) -> (usize, i32) {
        match *self.vars {}
    }
}

#[cfg(all(test, have_osmocore))]
mod tests {
    use super::*;

    #[test]
    fn layout_matches_the_installed_header() {
        // SAFETY: the layout functions only return constants.
        unsafe {
            assert_eq!(ffi::tdm_osmo_isdnhdlc_vars_size(), size_of::<ffi::IsdnHdlcVars>());
            assert_eq!(ffi::tdm_osmo_isdnhdlc_vars_offset(0), std::mem::offset_of!(ffi::IsdnHdlcVars, state));
            assert_eq!(ffi::tdm_osmo_isdnhdlc_vars_offset(1), std::mem::offset_of!(ffi::IsdnHdlcVars, crc));
            assert_eq!(
                ffi::tdm_osmo_isdnhdlc_vars_offset(2),
                std::mem::offset_of!(ffi::IsdnHdlcVars, ffvalue)
            );
        }
    }

    #[test]
    fn sabme_on_the_line_as_libosmocore_sends_it() {
        let mut encoder = OsmoHdlcEncoder::new(false).unwrap();
        encoder.send(&[0x00, 0x01, 0x7F]).unwrap();
        let mut line = [0u8; 9];
        encoder.fill(&mut line);
        // Opening flag, 41 frame bits (FCS 64 54, one inserted zero), closing flag, flags.
        assert_eq!(line, [0x7E, 0x00, 0x80, 0xFB, 0x13, 0x15, 0x3F, 0x3F, 0x3F]);
        assert!(encoder.is_idle());
        let mut decoder = OsmoHdlcDecoder::new(260).unwrap();
        let mut frames = Vec::new();
        decoder.push(&line, |event| frames.push(format!("{event:?}")));
        assert_eq!(frames, vec!["Frame([0, 1, 127])".to_string()]);
    }

    #[test]
    fn first_idle_call_surplus_octet_is_carried() {
        let mut encoder = OsmoHdlcEncoder::new(false).unwrap();
        for _ in 0..3 {
            let mut octet = [0u8; 1];
            encoder.fill(&mut octet);
            assert_eq!(octet, [0x7E]);
        }
        assert_eq!(encoder.send(&[]), Err(OsmoSendError::BadLength { len: 0 }));
        encoder.send(&[1, 2, 3]).unwrap();
        encoder.send(&[1, 2, 3]).unwrap();
        assert_eq!(encoder.send(&[1, 2, 3]), Err(OsmoSendError::Busy));
    }

    #[test]
    fn errors_are_mapped() {
        let mut decoder = OsmoHdlcDecoder::new(260).unwrap();
        let mut line = [0x7E, 0x00, 0x80, 0xFB, 0x13, 0x15, 0x3F, 0x3F, 0x3F];
        line[1] ^= 0x01;
        let mut events = Vec::new();
        decoder.push(&line, |event| events.push(format!("{event:?}")));
        assert_eq!(events, vec!["Error(Crc)".to_string()]);
    }
}
