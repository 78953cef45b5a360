//! Test and benchmark harness around Debian's libss7 (2.0.0), the peer `tdm_ss7` is checked
//! against and measured beside.
//!
//! Only tests and benches link this crate. When the build cannot compile against `libss7.h`,
//! [`AVAILABLE`] is `false` and [`LibSs7::new`] returns `None`, so callers skip with a notice
//! and need no `#[cfg]`.
//!
//! How libss7 is driven here (`src/shim.c`):
//! - It runs its own MTP2 in `SS7_TRANSPORT_DAHDIDCHAN` mode on one end of a `SOCK_SEQPACKET`
//!   socketpair: [`LibSs7::receive`] writes a signal unit (plus the 2 check octets libss7
//!   expects and ignores) into the other end and lets libss7 read it; [`LibSs7::transmit`]
//!   lets libss7 write its next signal unit and returns it. libss7 always has one to write
//!   (FISU or LSSU fill), so the caller paces it by the line, as for a real timeslot.
//! - Time: libss7 reads the clock only with `gettimeofday()`, which the shim interposes. After
//!   [`set_virtual_time`] on a thread, libss7 on that thread sees that time (microseconds);
//!   [`use_real_time`] goes back to the system clock. Timers run when the harness calls
//!   [`LibSs7::run_timers`] at [`LibSs7::next_deadline`].
//! - Diagnostics (`ss7_set_message`/`ss7_set_error`) are silenced; the hangup and call-null
//!   callbacks libss7 requires are no-ops.
//! - libss7 has no China variant: ITU means 14-bit point codes, ANSI 24-bit ones with ANSI
//!   management formats.

pub mod isup;
use std::ffi::{c_int, c_longlong, c_uint, c_void};

/// Whether this build links libss7.
pub const AVAILABLE: bool = cfg!(have_libss7);

/// Which point-code variant libss7 runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// `SS7_ITU`: 14-bit point codes.
    Itu,
    /// `SS7_ANSI`: 24-bit point codes.
    Ansi,
}

/// What a libss7 signalling point is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ss7Config {
    pub variant: Variant,
    /// Its own point code.
    pub pc: u32,
    /// The adjacent point code.
    pub adjacent: u32,
    /// Network indicator, 0–3 (2 = national).
    pub ni: u8,
    /// Code of its one signalling link.
    pub slc: u8,
}

/// A libss7 event, flattened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ss7Event {
    /// `SS7_EVENT_UP`: MTP3 is up toward the adjacent point.
    Up,
    /// `SS7_EVENT_DOWN`.
    Down,
    /// `MTP2_LINK_UP`.
    LinkUp,
    /// `MTP2_LINK_DOWN`.
    LinkDown,
    /// `ISUP_EVENT_BLO`.
    Blocking { cic: i32, opc: u32 },
    /// `ISUP_EVENT_UBL`.
    Unblocking { cic: i32, opc: u32 },
    /// `ISUP_EVENT_LPA`.
    LoopBackAck { cic: i32, opc: u32 },
    /// `ISUP_EVENT_GRS`.
    GroupReset { cic: i32, end_cic: i32, opc: u32 },
    /// `ISUP_EVENT_GRA`.
    GroupResetAck { cic: i32, end_cic: i32, opc: u32 },
    /// Any other event code.
    Other(i32),
}

#[repr(C)]
struct RawEvent {
    kind: c_int,
    cic: c_int,
    end_cic: c_int,
    opc: c_uint,
}

impl RawEvent {
    fn to_event(&self) -> Ss7Event {
        let (cic, end_cic, opc) = (self.cic, self.end_cic, self.opc);
        match self.kind {
            1 => Ss7Event::Up,
            2 => Ss7Event::Down,
            3 => Ss7Event::LinkUp,
            4 => Ss7Event::LinkDown,
            10 => Ss7Event::GroupReset { cic, end_cic, opc },
            11 => Ss7Event::GroupResetAck { cic, end_cic, opc },
            15 => Ss7Event::Blocking { cic, opc },
            16 => Ss7Event::Unblocking { cic, opc },
            24 => Ss7Event::LoopBackAck { cic, opc },
            other => Ss7Event::Other(other),
        }
    }
}

#[cfg(have_libss7)]
unsafe extern "C" {
    fn tdm_ss7_set_time(micros: c_longlong);
    fn tdm_ss7_new(itu: c_int, pc: c_uint, adjacent: c_uint, ni: c_int, slc: c_int) -> *mut c_void;
    fn tdm_ss7_free(p: *mut c_void);
    fn tdm_ss7_start(p: *mut c_void) -> c_int;
    fn tdm_ss7_receive(p: *mut c_void, su: *const u8, len: c_int) -> c_int;
    fn tdm_ss7_transmit(p: *mut c_void, out: *mut u8, cap: c_int) -> c_int;
    fn tdm_ss7_run_timers(p: *mut c_void) -> c_int;
    fn tdm_ss7_next_deadline(p: *mut c_void) -> c_longlong;
    fn tdm_ss7_event(p: *mut c_void, out: *mut RawEvent) -> c_int;
    fn tdm_ss7_grs(p: *mut c_void, cic: c_int, end_cic: c_int) -> c_int;
    fn tdm_ss7_lpa(p: *mut c_void, cic: c_int) -> c_int;
    fn tdm_ss7_blo(p: *mut c_void, cic: c_int) -> c_int;
}

/// Makes libss7 on this thread see `micros` as the time of day.
pub fn set_virtual_time(micros: u64) {
    #[cfg(have_libss7)]
    // SAFETY: sets a thread-local integer in the shim; no other state is touched.
    unsafe {
        tdm_ss7_set_time(micros.min(i64::MAX as u64) as c_longlong)
    };
    #[cfg(not(have_libss7))]
    let _ = micros;
}

/// Makes libss7 on this thread read the real clock again.
pub fn use_real_time() {
    #[cfg(have_libss7)]
    // SAFETY: as in `set_virtual_time`.
    unsafe {
        tdm_ss7_set_time(-1)
    };
}

/// One libss7 signalling point with one link.
pub struct LibSs7 {
    raw: *mut c_void,
}

impl LibSs7 {
    /// A libss7 point, or `None` when libss7 is not available or refuses the configuration.
    pub fn new(config: Ss7Config) -> Option<LibSs7> {
        #[cfg(have_libss7)]
        {
            let itu = c_int::from(config.variant == Variant::Itu);
            // SAFETY: plain values in; the shim returns an owned pointer or NULL.
            let raw = unsafe {
                tdm_ss7_new(itu, config.pc, config.adjacent, c_int::from(config.ni), c_int::from(config.slc))
            };
            (!raw.is_null()).then_some(LibSs7 { raw })
        }
        #[cfg(not(have_libss7))]
        {
            let _ = config;
            None
        }
    }

    /// `ss7_start`: starts MTP2 alignment (libss7 always aligns in emergency).
    pub fn start(&mut self) {
        #[cfg(have_libss7)]
        // SAFETY: `raw` is a live pointer from `tdm_ss7_new`, owned by `self`.
        unsafe {
            tdm_ss7_start(self.raw);
        }
    }

    /// Hands libss7 one received signal unit (without check octets).
    pub fn receive(&mut self, su: &[u8]) {
        #[cfg(have_libss7)]
        // SAFETY: `raw` is live; the shim copies at most `len` octets from `su`.
        unsafe {
            tdm_ss7_receive(self.raw, su.as_ptr(), su.len().min(290) as c_int);
        }
        #[cfg(not(have_libss7))]
        let _ = su;
    }

    /// Lets libss7 send its next signal unit into `out`; returns its length (0 for none).
    pub fn transmit(&mut self, out: &mut [u8]) -> usize {
        #[cfg(have_libss7)]
        {
            let cap = out.len().min(c_int::MAX as usize) as c_int;
            // SAFETY: `raw` is live; the shim writes at most `cap` octets to `out`.
            let len = unsafe { tdm_ss7_transmit(self.raw, out.as_mut_ptr(), cap) };
            usize::try_from(len).unwrap_or(0)
        }
        #[cfg(not(have_libss7))]
        {
            let _ = out;
            0
        }
    }

    /// Runs libss7's due timers (at the virtual time set on this thread).
    pub fn run_timers(&mut self) {
        #[cfg(have_libss7)]
        // SAFETY: `raw` is live.
        unsafe {
            tdm_ss7_run_timers(self.raw);
        }
    }

    /// libss7's next deadline in microseconds of its clock.
    pub fn next_deadline(&self) -> Option<u64> {
        #[cfg(have_libss7)]
        {
            // SAFETY: `raw` is live.
            let deadline = unsafe { tdm_ss7_next_deadline(self.raw) };
            u64::try_from(deadline).ok()
        }
        #[cfg(not(have_libss7))]
        None
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Ss7Event> {
        #[cfg(have_libss7)]
        {
            let mut raw = RawEvent { kind: 0, cic: 0, end_cic: 0, opc: 0 };
            // SAFETY: `raw` (the point) is live; the shim fills the event struct it is given.
            let got = unsafe { tdm_ss7_event(self.raw, &mut raw) };
            (got != 0).then(|| raw.to_event())
        }
        #[cfg(not(have_libss7))]
        None
    }

    /// Sends a circuit group reset (GRS) for `cic ..= end_cic`.
    pub fn send_group_reset(&mut self, cic: u16, end_cic: u16) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: `raw` is live.
        return unsafe { tdm_ss7_grs(self.raw, c_int::from(cic), c_int::from(end_cic)) } >= 0;
        #[cfg(not(have_libss7))]
        {
            let _ = (cic, end_cic);
            false
        }
    }

    /// Sends a loop back acknowledgement (LPA), a message that needs no call state.
    pub fn send_loop_back_ack(&mut self, cic: u16) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: `raw` is live.
        return unsafe { tdm_ss7_lpa(self.raw, c_int::from(cic)) } >= 0;
        #[cfg(not(have_libss7))]
        {
            let _ = cic;
            false
        }
    }

    /// Sends a blocking message (BLO) for `cic`.
    pub fn send_blocking(&mut self, cic: u16) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: `raw` is live.
        return unsafe { tdm_ss7_blo(self.raw, c_int::from(cic)) } >= 0;
        #[cfg(not(have_libss7))]
        {
            let _ = cic;
            false
        }
    }
}

impl Drop for LibSs7 {
    fn drop(&mut self) {
        #[cfg(have_libss7)]
        // SAFETY: `raw` came from `tdm_ss7_new` and is freed exactly once, here.
        unsafe {
            tdm_ss7_free(self.raw)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_is_built_when_libss7_is_there() {
        let config = Ss7Config { variant: Variant::Itu, pc: 0x0102, adjacent: 0x0201, ni: 2, slc: 0 };
        let point = LibSs7::new(config);
        assert_eq!(point.is_some(), AVAILABLE);
        let Some(mut point) = point else {
            eprintln!("libss7 not available: skipped");
            return;
        };
        set_virtual_time(1_000_000);
        // Before start libss7 sends SIOS: BSN 127, BIB 1, FSN 127, FIB 1, LI 1, status 3.
        let mut out = [0u8; 300];
        assert_eq!(point.transmit(&mut out), 6 - 2);
        assert_eq!(&out[..4], &[0xFF, 0xFF, 0x01, 0x03]);
        point.start();
        let len = point.transmit(&mut out);
        assert_eq!(&out[..len], &[0xFF, 0xFF, 0x01, 0x00], "SIO after start");
        assert!(point.next_deadline().is_some_and(|d| d > 1_000_000), "T2 runs");
        use_real_time();
    }
}
