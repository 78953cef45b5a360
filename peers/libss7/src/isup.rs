//! ISUP calls on a [`LibSs7`] point (`src/isup.c`): place a call, answer it, clear it,
//! acknowledge a circuit group reset, and the events that carry a call. [`LibSs7::poll_isup_event`] takes from the same libss7 event
//! queue as [`LibSs7::poll_event`]; a harness that makes calls uses this one only (it reports
//! the link events too).

use super::LibSs7;
use std::ffi::{CString, c_char, c_int, c_uint, c_void};

/// A libss7 call object, valid until the RLC that ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IsupCall(*mut c_void);

/// What libss7 reports, for a harness making calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IsupEvent {
    /// `SS7_EVENT_UP`: MTP3 is up toward the adjacent point.
    Up,
    /// `SS7_EVENT_DOWN`.
    Down,
    /// IAM received.
    Iam {
        /// Circuit.
        cic: i32,
        /// The new call.
        call: IsupCall,
        /// Called number as libss7 reports it (with `#` for ST).
        called: String,
        /// Calling number, empty when absent.
        calling: String,
    },
    /// ACM received.
    Acm {
        /// Circuit.
        cic: i32,
        /// The call.
        call: IsupCall,
    },
    /// ANM received.
    Anm {
        /// Circuit.
        cic: i32,
        /// The call.
        call: IsupCall,
    },
    /// CON received.
    Con {
        /// Circuit.
        cic: i32,
        /// The call.
        call: IsupCall,
    },
    /// REL received: answer with [`LibSs7::rlc`].
    Rel {
        /// Circuit.
        cic: i32,
        /// The call.
        call: IsupCall,
        /// Its cause.
        cause: i32,
    },
    /// RLC received: the call is over; [`LibSs7::free_if_clear`] releases the object.
    Rlc {
        /// Circuit.
        cic: i32,
        /// The call.
        call: IsupCall,
    },
    /// GRS received: answer with [`LibSs7::gra`].
    GroupReset {
        /// First circuit of the range.
        cic: i32,
        /// Last circuit of the range.
        end_cic: i32,
        /// The call object libss7 keeps for the procedure.
        call: IsupCall,
    },
    /// GRA received for a GRS libss7 sent.
    GroupResetAck {
        /// First circuit of the range.
        cic: i32,
        /// Last circuit of the range.
        end_cic: i32,
    },
    /// Any other event code.
    Other(i32),
}

#[repr(C)]
struct RawIsupEvent {
    kind: c_int,
    cic: c_int,
    end_cic: c_int,
    cause: c_int,
    opc: c_uint,
    call: *mut c_void,
    called: [c_char; 50],
    calling: [c_char; 50],
}

fn text(raw: &[c_char; 50]) -> String {
    let bytes: Vec<u8> = raw.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(have_libss7)]
unsafe extern "C" {
    fn tdm_isup_iam(p: *mut c_void, cic: c_int, called: *const c_char, calling: *const c_char)
    -> *mut c_void;
    fn tdm_isup_acm(p: *mut c_void, call: *mut c_void) -> c_int;
    fn tdm_isup_anm(p: *mut c_void, call: *mut c_void) -> c_int;
    fn tdm_isup_con(p: *mut c_void, call: *mut c_void) -> c_int;
    fn tdm_isup_rel(p: *mut c_void, call: *mut c_void, cause: c_int) -> c_int;
    fn tdm_isup_rlc(p: *mut c_void, call: *mut c_void) -> c_int;
    fn tdm_isup_free_if_clear(p: *mut c_void, call: *mut c_void);
    fn tdm_isup_gra(p: *mut c_void, call: *mut c_void, end_cic: c_int) -> c_int;
    fn tdm_isup_event(p: *mut c_void, out: *mut RawIsupEvent) -> c_int;
}

impl LibSs7 {
    /// Places a call on `cic`: IAM with the national number `called` and, when not empty,
    /// `calling`. `None` when libss7 refuses (or is not available).
    pub fn iam(&mut self, cic: u16, called: &str, calling: &str) -> Option<IsupCall> {
        let called = CString::new(called).ok()?;
        let calling = CString::new(calling).ok()?;
        #[cfg(have_libss7)]
        {
            // SAFETY: `raw` is live; the strings outlive the call, which copies them.
            let call = unsafe { tdm_isup_iam(self.raw, c_int::from(cic), called.as_ptr(), calling.as_ptr()) };
            (!call.is_null()).then_some(IsupCall(call))
        }
        #[cfg(not(have_libss7))]
        {
            let _ = (cic, called, calling);
            None
        }
    }

    /// Sends ACM for `call`.
    pub fn acm(&mut self, call: IsupCall) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: `raw` is live and `call` a call object libss7 handed out and still holds.
        return unsafe { tdm_isup_acm(self.raw, call.0) } == 0;
        #[cfg(not(have_libss7))]
        {
            let _ = call;
            false
        }
    }

    /// Sends ANM for `call`.
    pub fn anm(&mut self, call: IsupCall) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: as in `acm`.
        return unsafe { tdm_isup_anm(self.raw, call.0) } == 0;
        #[cfg(not(have_libss7))]
        {
            let _ = call;
            false
        }
    }

    /// Sends CON for `call`.
    pub fn con(&mut self, call: IsupCall) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: as in `acm`.
        return unsafe { tdm_isup_con(self.raw, call.0) } == 0;
        #[cfg(not(have_libss7))]
        {
            let _ = call;
            false
        }
    }

    /// Sends REL with `cause` for `call`.
    pub fn rel(&mut self, call: IsupCall, cause: u8) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: as in `acm`.
        return unsafe { tdm_isup_rel(self.raw, call.0, c_int::from(cause)) } == 0;
        #[cfg(not(have_libss7))]
        {
            let _ = (call, cause);
            false
        }
    }

    /// Sends RLC for `call`; libss7 frees the call object, which is not to be used again.
    pub fn rlc(&mut self, call: IsupCall) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: as in `acm`; libss7 frees the object, the caller drops its handle.
        return unsafe { tdm_isup_rlc(self.raw, call.0) } == 0;
        #[cfg(not(have_libss7))]
        {
            let _ = call;
            false
        }
    }

    /// Answers [`IsupEvent::GroupReset`] with GRA for `call`'s first circuit ..= `end_cic`,
    /// every circuit reported unblocked; then [`LibSs7::free_if_clear`] releases the object.
    pub fn gra(&mut self, call: IsupCall, end_cic: i32) -> bool {
        #[cfg(have_libss7)]
        // SAFETY: `raw` is live and `call` the object libss7 handed out with the GRS.
        return unsafe { tdm_isup_gra(self.raw, call.0, end_cic) } == 0;
        #[cfg(not(have_libss7))]
        {
            let _ = (call, end_cic);
            false
        }
    }

    /// After [`IsupEvent::Rlc`]: lets libss7 free the call object when it is done with it.
    pub fn free_if_clear(&mut self, call: IsupCall) {
        #[cfg(have_libss7)]
        // SAFETY: as in `acm`; the caller drops its handle afterwards.
        unsafe {
            tdm_isup_free_if_clear(self.raw, call.0)
        };
        #[cfg(not(have_libss7))]
        let _ = call;
    }

    /// The next event, with call events in full.
    pub fn poll_isup_event(&mut self) -> Option<IsupEvent> {
        #[cfg(have_libss7)]
        {
            let mut raw = RawIsupEvent {
                kind: 0,
                cic: 0,
                end_cic: 0,
                cause: 0,
                opc: 0,
                call: std::ptr::null_mut(),
                called: [0; 50],
                calling: [0; 50],
            };
            // SAFETY: `raw` (the point) is live; the shim fills the struct it is given.
            if unsafe { tdm_isup_event(self.raw, &mut raw) } == 0 {
                return None;
            }
            let (cic, end_cic, call) = (raw.cic, raw.end_cic, IsupCall(raw.call));
            Some(match raw.kind {
                1 => IsupEvent::Up,
                2 => IsupEvent::Down,
                5 => IsupEvent::Iam { cic, call, called: text(&raw.called), calling: text(&raw.calling) },
                6 => IsupEvent::Acm { cic, call },
                7 => IsupEvent::Anm { cic, call },
                8 => IsupEvent::Rel { cic, call, cause: raw.cause },
                9 => IsupEvent::Rlc { cic, call },
                10 => IsupEvent::GroupReset { cic, end_cic, call },
                11 => IsupEvent::GroupResetAck { cic, end_cic },
                12 => IsupEvent::Con { cic, call },
                other => IsupEvent::Other(other),
            })
        }
        #[cfg(not(have_libss7))]
        None
    }
}
