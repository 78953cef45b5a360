//! The DAHDI userspace ABI, as far as this backend uses it: ioctl numbers, the structures
//! they carry, and the constants inside them.
//!
//! Everything is written out here rather than generated from `<dahdi/user.h>` so that the
//! driver builds without DAHDI installed. [`checked`] lists each number, size and offset as
//! a C expression with the value Rust computes; `tests/dahdi_abi.rs` compiles those
//! expressions against Debian's `dahdi-source` header (DAHDI 2.11.1) and compares.
//!
//! Field names follow the header so the two read side by side. Integers are `i32` where the
//! header says `int` and `u32` where it says `__u32`; `char` arrays are octet arrays.

use std::mem::{offset_of, size_of};

use libc::c_int;

/// Produces `_IOR` / `_IOW` / `_IOWR` / `_IO` request numbers the way `<linux/ioctl.h>`
/// does, through nix's encoders, narrowed to the 32 bits every Linux request fits in.
macro_rules! request {
    (read, $nr:expr, $ty:ty) => {
        nix::request_code_read!(DAHDI_CODE, $nr, size_of::<$ty>()) as u32
    };
    (write, $nr:expr, $ty:ty) => {
        nix::request_code_write!(DAHDI_CODE, $nr, size_of::<$ty>()) as u32
    };
    (readwrite, $nr:expr, $ty:ty) => {
        nix::request_code_readwrite!(DAHDI_CODE, $nr, size_of::<$ty>()) as u32
    };
}

/// The ioctl "type" octet of every DAHDI request.
pub const DAHDI_CODE: u8 = 0xDA;

/// `DAHDI_GET_PARAMS`: a channel's parameters (by number through the control device).
pub const DAHDI_GET_PARAMS: u32 = request!(readwrite, 5, Params);
/// `DAHDI_GETEVENT`: the next queued channel event, or `DAHDI_EVENT_NONE`.
pub const DAHDI_GETEVENT: u32 = request!(read, 8, c_int);
/// `DAHDI_SPANSTAT`: a span's state, alarms and counters.
pub const DAHDI_SPANSTAT: u32 = request!(readwrite, 10, SpanInfo);
/// `DAHDI_MAINT`: a span maintenance command (loopbacks).
pub const DAHDI_MAINT: u32 = request!(write, 11, MaintInfo);
/// `DAHDI_SPANCONFIG`: line configuration of a span (what `span=` does in `dahdi_cfg`).
pub const DAHDI_SPANCONFIG: u32 = request!(write, 18, LineConfig);
/// `DAHDI_CHANCONFIG`: signalling type of a channel (what `bchan=`, `cas=` ... do).
pub const DAHDI_CHANCONFIG: u32 = request!(write, 19, ChanConfig);
/// `DAHDI_SET_BUFINFO`: block size, number of buffers and transmit policy.
pub const DAHDI_SET_BUFINFO: u32 = request!(write, 27, BufferInfo);
/// `DAHDI_FLUSH`: drops queued data and/or events.
pub const DAHDI_FLUSH: u32 = request!(write, 3, c_int);
/// `DAHDI_AUDIOMODE`: a clear channel as telephony audio (idle = silence) or not.
pub const DAHDI_AUDIOMODE: u32 = request!(write, 32, c_int);
/// `DAHDI_CHANNO`: the channel number behind an open file.
pub const DAHDI_CHANNO: u32 = request!(read, 34, c_int);
/// `DAHDI_HDLCFCSMODE`: a clear channel with HDLC framing and FCS done by the kernel.
pub const DAHDI_HDLCFCSMODE: u32 = request!(write, 37, c_int);
/// `DAHDI_SPECIFY`: binds an open `/dev/dahdi/channel` to a channel number.
pub const DAHDI_SPECIFY: u32 = request!(write, 38, c_int);
/// `DAHDI_GETRXBITS`: the ABCD bits received on a CAS channel.
pub const DAHDI_GETRXBITS: u32 = request!(read, 43, c_int);
/// `DAHDI_SETTXBITS`: the ABCD bits to send on a CAS channel.
pub const DAHDI_SETTXBITS: u32 = request!(write, 43, c_int);
/// `DAHDI_GETVERSION`: the running DAHDI version.
pub const DAHDI_GETVERSION: u32 = request!(read, 57, VersionInfo);
/// `DAHDI_LOOPBACK`: a channel's received octets sent back by the kernel.
pub const DAHDI_LOOPBACK: u32 = request!(write, 58, c_int);
/// `DAHDI_STARTUP`: starts a configured span.
pub const DAHDI_STARTUP: u32 = request!(write, 99, c_int);
/// `DAHDI_BUFFER_EVENTS`: report receive overruns and transmit underruns as events.
pub const DAHDI_BUFFER_EVENTS: u32 = request!(write, 105, c_int);

/// `errno` a channel read or write returns while an event waits (the header's fallback
/// for `ELAST`, which glibc does not define).
pub const ELAST: i32 = 500;

// Line configuration (`lineconfig`).
pub const DAHDI_CONFIG_AMI: i32 = 1 << 6;
pub const DAHDI_CONFIG_CCS: i32 = 1 << 8;
pub const DAHDI_CONFIG_HDB3: i32 = 1 << 9;
pub const DAHDI_CONFIG_CRC4: i32 = 1 << 10;

// Signalling types (`sigtype`).
pub const DAHDI_SIG_NONE: i32 = 0;
pub const DAHDI_SIG_CLEAR: i32 = 1 << 7;
pub const DAHDI_SIG_HDLCRAW: i32 = (1 << 8) | DAHDI_SIG_CLEAR;
pub const DAHDI_SIG_HDLCFCS: i32 = (1 << 9) | DAHDI_SIG_HDLCRAW;
pub const DAHDI_SIG_HDLCNET: i32 = (1 << 10) | DAHDI_SIG_HDLCFCS;
pub const DAHDI_SIG_CAS: i32 = 1 << 15;
pub const DAHDI_SIG_HARDHDLC: i32 = (1 << 19) | DAHDI_SIG_CLEAR;
pub const DAHDI_SIG_MTP2: i32 = (1 << 20) | DAHDI_SIG_HDLCFCS;

// CAS bits in the 4-bit signalling nibble.
pub const DAHDI_ABIT: i32 = 1 << 3;
pub const DAHDI_BBIT: i32 = 1 << 2;
pub const DAHDI_CBIT: i32 = 1 << 1;
pub const DAHDI_DBIT: i32 = 1 << 0;

// Span alarms (`alarms`).
pub const DAHDI_ALARM_RECOVER: i32 = 1 << 0;
pub const DAHDI_ALARM_LOOPBACK: i32 = 1 << 1;
pub const DAHDI_ALARM_YELLOW: i32 = 1 << 2;
pub const DAHDI_ALARM_RED: i32 = 1 << 3;
pub const DAHDI_ALARM_BLUE: i32 = 1 << 4;
pub const DAHDI_ALARM_NOTOPEN: i32 = 1 << 5;
pub const DAHDI_ALARM_LOS: i32 = 1 << 8;
pub const DAHDI_ALARM_LFA: i32 = 1 << 9;
pub const DAHDI_ALARM_LMFA: i32 = 1 << 10;

// Maintenance commands.
pub const DAHDI_MAINT_NONE: i32 = 0;
pub const DAHDI_MAINT_LOCALLOOP: i32 = 1;
pub const DAHDI_MAINT_NETWORKLINELOOP: i32 = 2;

// Channel events.
pub const DAHDI_EVENT_NONE: i32 = 0;
pub const DAHDI_EVENT_ALARM: i32 = 4;
pub const DAHDI_EVENT_NOALARM: i32 = 5;
pub const DAHDI_EVENT_ABORT: i32 = 6;
pub const DAHDI_EVENT_OVERRUN: i32 = 7;
pub const DAHDI_EVENT_BADFCS: i32 = 8;
pub const DAHDI_EVENT_BITSCHANGED: i32 = 13;
pub const DAHDI_EVENT_REMOVED: i32 = 20;
pub const DAHDI_EVENT_READ_OVERRUN: i32 = 29;
pub const DAHDI_EVENT_WRITE_UNDERRUN: i32 = 30;

// Flush selectors.
pub const DAHDI_FLUSH_READ: i32 = 1;
pub const DAHDI_FLUSH_WRITE: i32 = 2;
pub const DAHDI_FLUSH_EVENT: i32 = 4;
pub const DAHDI_FLUSH_ALL: i32 = DAHDI_FLUSH_READ | DAHDI_FLUSH_WRITE | DAHDI_FLUSH_EVENT;

pub const DAHDI_POLICY_IMMEDIATE: i32 = 0;
pub const DAHDI_LAW_ALAW: i32 = 2;

/// Highest span number DAHDI hands out.
pub const DAHDI_MAX_SPANS: i32 = 128;
/// Highest channel number DAHDI hands out.
pub const DAHDI_MAX_CHANNELS: i32 = 1024;
/// Largest block (`bufsize`) a channel accepts; the smallest is 16.
pub const DAHDI_MAX_BLOCKSIZE: i32 = 8192;
/// Most buffer space (`bufsize × numbufs`) one channel may have.
pub const DAHDI_MAX_BUF_SPACE: i32 = 32768;
pub const DAHDI_MAX_NUM_BUFS: i32 = 32;

/// `struct dahdi_params`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub channo: i32,
    pub spanno: i32,
    pub chanpos: i32,
    pub sigtype: i32,
    pub sigcap: i32,
    pub rxisoffhook: i32,
    pub rxbits: i32,
    pub txbits: i32,
    pub txhooksig: i32,
    pub rxhooksig: i32,
    pub curlaw: i32,
    pub idlebits: i32,
    pub name: [u8; 40],
    pub prewinktime: i32,
    pub preflashtime: i32,
    pub winktime: i32,
    pub flashtime: i32,
    pub starttime: i32,
    pub rxwinktime: i32,
    pub rxflashtime: i32,
    pub debouncetime: i32,
    pub pulsebreaktime: i32,
    pub pulsemaketime: i32,
    pub pulseaftertime: i32,
    pub chan_alarms: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            channo: 0,
            spanno: 0,
            chanpos: 0,
            sigtype: 0,
            sigcap: 0,
            rxisoffhook: 0,
            rxbits: 0,
            txbits: 0,
            txhooksig: 0,
            rxhooksig: 0,
            curlaw: 0,
            idlebits: 0,
            name: [0; 40],
            prewinktime: 0,
            preflashtime: 0,
            winktime: 0,
            flashtime: 0,
            starttime: 0,
            rxwinktime: 0,
            rxflashtime: 0,
            debouncetime: 0,
            pulsebreaktime: 0,
            pulsemaketime: 0,
            pulseaftertime: 0,
            chan_alarms: 0,
        }
    }
}

/// `struct dahdi_spaninfo` (packed in the header).
#[repr(C, packed)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanInfo {
    pub spanno: i32,
    pub name: [u8; 20],
    pub desc: [u8; 40],
    pub alarms: i32,
    pub txlevel: i32,
    pub rxlevel: i32,
    pub bpvcount: i32,
    pub crc4count: i32,
    pub ebitcount: i32,
    pub fascount: i32,
    pub fecount: u32,
    pub cvcount: u32,
    pub becount: u32,
    pub prbs: u32,
    pub errsec: u32,
    pub irqmisses: i32,
    pub syncsrc: i32,
    pub numchans: i32,
    pub totalchans: i32,
    pub totalspans: i32,
    pub lbo: i32,
    pub lineconfig: i32,
    pub lboname: [u8; 40],
    pub location: [u8; 40],
    pub manufacturer: [u8; 40],
    pub devicetype: [u8; 40],
    pub irq: i32,
    pub linecompat: i32,
    pub spantype: [u8; 6],
}

impl Default for SpanInfo {
    fn default() -> Self {
        SpanInfo {
            spanno: 0,
            name: [0; 20],
            desc: [0; 40],
            alarms: 0,
            txlevel: 0,
            rxlevel: 0,
            bpvcount: 0,
            crc4count: 0,
            ebitcount: 0,
            fascount: 0,
            fecount: 0,
            cvcount: 0,
            becount: 0,
            prbs: 0,
            errsec: 0,
            irqmisses: 0,
            syncsrc: 0,
            numchans: 0,
            totalchans: 0,
            totalspans: 0,
            lbo: 0,
            lineconfig: 0,
            lboname: [0; 40],
            location: [0; 40],
            manufacturer: [0; 40],
            devicetype: [0; 40],
            irq: 0,
            linecompat: 0,
            spantype: [0; 6],
        }
    }
}

/// `struct dahdi_maintinfo`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MaintInfo {
    pub spanno: i32,
    pub command: i32,
}

/// `struct dahdi_lineconfig`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineConfig {
    pub span: i32,
    pub name: [u8; 20],
    pub lbo: i32,
    pub lineconfig: i32,
    pub sync: i32,
}

/// `struct dahdi_chanconfig`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChanConfig {
    pub chan: i32,
    pub name: [u8; 40],
    pub sigtype: i32,
    pub deflaw: i32,
    pub master: i32,
    pub idlebits: i32,
    pub netdev_name: [u8; 16],
}

impl Default for ChanConfig {
    fn default() -> Self {
        ChanConfig {
            chan: 0,
            name: [0; 40],
            sigtype: 0,
            deflaw: 0,
            master: 0,
            idlebits: 0,
            netdev_name: [0; 16],
        }
    }
}

/// `struct dahdi_bufferinfo`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BufferInfo {
    pub txbufpolicy: i32,
    pub rxbufpolicy: i32,
    pub numbufs: i32,
    pub bufsize: i32,
    pub readbufs: i32,
    pub writebufs: i32,
}

/// `struct dahdi_versioninfo`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionInfo {
    pub version: [u8; 80],
    pub echo_canceller: [u8; 80],
}

impl Default for VersionInfo {
    fn default() -> Self {
        VersionInfo { version: [0; 80], echo_canceller: [0; 80] }
    }
}

/// A NUL-terminated header string field as text (up to the first NUL, lossy UTF-8).
pub fn c_text(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// Copies `text` into a header string field, truncated so a NUL always ends it.
pub fn set_c_text(field: &mut [u8], text: &str) {
    field.fill(0);
    let n = text.len().min(field.len().saturating_sub(1));
    field[..n].copy_from_slice(&text.as_bytes()[..n]);
}

macro_rules! offsets {
    ($c:literal, $ty:ty, [$($field:ident),* $(,)?]) => {
        [$((
            concat!("offsetof(struct ", $c, ", ", stringify!($field), ")"),
            offset_of!($ty, $field) as u64,
        )),*]
    };
}

const PARAMS_OFFSETS: [(&str, u64); 25] = offsets!(
    "dahdi_params",
    Params,
    [
        channo,
        spanno,
        chanpos,
        sigtype,
        sigcap,
        rxisoffhook,
        rxbits,
        txbits,
        txhooksig,
        rxhooksig,
        curlaw,
        idlebits,
        name,
        prewinktime,
        preflashtime,
        winktime,
        flashtime,
        starttime,
        rxwinktime,
        rxflashtime,
        debouncetime,
        pulsebreaktime,
        pulsemaketime,
        pulseaftertime,
        chan_alarms
    ]
);

const SPANINFO_OFFSETS: [(&str, u64); 29] = offsets!(
    "dahdi_spaninfo",
    SpanInfo,
    [
        spanno,
        name,
        desc,
        alarms,
        txlevel,
        rxlevel,
        bpvcount,
        crc4count,
        ebitcount,
        fascount,
        fecount,
        cvcount,
        becount,
        prbs,
        errsec,
        irqmisses,
        syncsrc,
        numchans,
        totalchans,
        totalspans,
        lbo,
        lineconfig,
        lboname,
        location,
        manufacturer,
        devicetype,
        irq,
        linecompat,
        spantype
    ]
);

const MAINT_OFFSETS: [(&str, u64); 2] = offsets!("dahdi_maintinfo", MaintInfo, [spanno, command]);
const LINECONFIG_OFFSETS: [(&str, u64); 5] =
    offsets!("dahdi_lineconfig", LineConfig, [span, name, lbo, lineconfig, sync]);
const CHANCONFIG_OFFSETS: [(&str, u64); 7] =
    offsets!("dahdi_chanconfig", ChanConfig, [chan, name, sigtype, deflaw, master, idlebits, netdev_name]);
const BUFINFO_OFFSETS: [(&str, u64); 6] = offsets!(
    "dahdi_bufferinfo",
    BufferInfo,
    [txbufpolicy, rxbufpolicy, numbufs, bufsize, readbufs, writebufs]
);
const VERSION_OFFSETS: [(&str, u64); 2] =
    offsets!("dahdi_versioninfo", VersionInfo, [version, echo_canceller]);

const SIZES: [(&str, u64); 7] = [
    ("sizeof(struct dahdi_params)", size_of::<Params>() as u64),
    ("sizeof(struct dahdi_spaninfo)", size_of::<SpanInfo>() as u64),
    ("sizeof(struct dahdi_maintinfo)", size_of::<MaintInfo>() as u64),
    ("sizeof(struct dahdi_lineconfig)", size_of::<LineConfig>() as u64),
    ("sizeof(struct dahdi_chanconfig)", size_of::<ChanConfig>() as u64),
    ("sizeof(struct dahdi_bufferinfo)", size_of::<BufferInfo>() as u64),
    ("sizeof(struct dahdi_versioninfo)", size_of::<VersionInfo>() as u64),
];

/// Each value is cast to `u64` as the C side prints it (`(unsigned long long)(expr)`), so a
/// negative one would show as its two's complement on both sides.
const CONSTANTS: [(&str, u64); 69] = [
    ("DAHDI_CODE", DAHDI_CODE as u64),
    ("DAHDI_GET_PARAMS", DAHDI_GET_PARAMS as u64),
    ("DAHDI_GETEVENT", DAHDI_GETEVENT as u64),
    ("DAHDI_SPANSTAT", DAHDI_SPANSTAT as u64),
    ("DAHDI_MAINT", DAHDI_MAINT as u64),
    ("DAHDI_SPANCONFIG", DAHDI_SPANCONFIG as u64),
    ("DAHDI_CHANCONFIG", DAHDI_CHANCONFIG as u64),
    ("DAHDI_SET_BUFINFO", DAHDI_SET_BUFINFO as u64),
    ("DAHDI_FLUSH", DAHDI_FLUSH as u64),
    ("DAHDI_AUDIOMODE", DAHDI_AUDIOMODE as u64),
    ("DAHDI_CHANNO", DAHDI_CHANNO as u64),
    ("DAHDI_HDLCFCSMODE", DAHDI_HDLCFCSMODE as u64),
    ("DAHDI_SPECIFY", DAHDI_SPECIFY as u64),
    ("DAHDI_GETRXBITS", DAHDI_GETRXBITS as u64),
    ("DAHDI_SETTXBITS", DAHDI_SETTXBITS as u64),
    ("DAHDI_GETVERSION", DAHDI_GETVERSION as u64),
    ("DAHDI_LOOPBACK", DAHDI_LOOPBACK as u64),
    ("DAHDI_STARTUP", DAHDI_STARTUP as u64),
    ("DAHDI_BUFFER_EVENTS", DAHDI_BUFFER_EVENTS as u64),
    ("ELAST", ELAST as u64),
    ("DAHDI_CONFIG_AMI", DAHDI_CONFIG_AMI as u64),
    ("DAHDI_CONFIG_CCS", DAHDI_CONFIG_CCS as u64),
    ("DAHDI_CONFIG_HDB3", DAHDI_CONFIG_HDB3 as u64),
    ("DAHDI_CONFIG_CRC4", DAHDI_CONFIG_CRC4 as u64),
    ("DAHDI_SIG_NONE", DAHDI_SIG_NONE as u64),
    ("DAHDI_SIG_CLEAR", DAHDI_SIG_CLEAR as u64),
    ("DAHDI_SIG_HDLCRAW", DAHDI_SIG_HDLCRAW as u64),
    ("DAHDI_SIG_HDLCFCS", DAHDI_SIG_HDLCFCS as u64),
    ("DAHDI_SIG_HDLCNET", DAHDI_SIG_HDLCNET as u64),
    ("DAHDI_SIG_CAS", DAHDI_SIG_CAS as u64),
    ("DAHDI_SIG_HARDHDLC", DAHDI_SIG_HARDHDLC as u64),
    ("DAHDI_SIG_MTP2", DAHDI_SIG_MTP2 as u64),
    ("DAHDI_ABIT", DAHDI_ABIT as u64),
    ("DAHDI_BBIT", DAHDI_BBIT as u64),
    ("DAHDI_CBIT", DAHDI_CBIT as u64),
    ("DAHDI_DBIT", DAHDI_DBIT as u64),
    ("DAHDI_ALARM_RECOVER", DAHDI_ALARM_RECOVER as u64),
    ("DAHDI_ALARM_LOOPBACK", DAHDI_ALARM_LOOPBACK as u64),
    ("DAHDI_ALARM_YELLOW", DAHDI_ALARM_YELLOW as u64),
    ("DAHDI_ALARM_RED", DAHDI_ALARM_RED as u64),
    ("DAHDI_ALARM_BLUE", DAHDI_ALARM_BLUE as u64),
    ("DAHDI_ALARM_NOTOPEN", DAHDI_ALARM_NOTOPEN as u64),
    ("DAHDI_ALARM_LOS", DAHDI_ALARM_LOS as u64),
    ("DAHDI_ALARM_LFA", DAHDI_ALARM_LFA as u64),
    ("DAHDI_ALARM_LMFA", DAHDI_ALARM_LMFA as u64),
    ("DAHDI_MAINT_NONE", DAHDI_MAINT_NONE as u64),
    ("DAHDI_MAINT_LOCALLOOP", DAHDI_MAINT_LOCALLOOP as u64),
    ("DAHDI_MAINT_NETWORKLINELOOP", DAHDI_MAINT_NETWORKLINELOOP as u64),
    ("DAHDI_EVENT_NONE", DAHDI_EVENT_NONE as u64),
    ("DAHDI_EVENT_ALARM", DAHDI_EVENT_ALARM as u64),
    ("DAHDI_EVENT_NOALARM", DAHDI_EVENT_NOALARM as u64),
    ("DAHDI_EVENT_ABORT", DAHDI_EVENT_ABORT as u64),
    ("DAHDI_EVENT_OVERRUN", DAHDI_EVENT_OVERRUN as u64),
    ("DAHDI_EVENT_BADFCS", DAHDI_EVENT_BADFCS as u64),
    ("DAHDI_EVENT_BITSCHANGED", DAHDI_EVENT_BITSCHANGED as u64),
    ("DAHDI_EVENT_REMOVED", DAHDI_EVENT_REMOVED as u64),
    ("DAHDI_EVENT_READ_OVERRUN", DAHDI_EVENT_READ_OVERRUN as u64),
    ("DAHDI_EVENT_WRITE_UNDERRUN", DAHDI_EVENT_WRITE_UNDERRUN as u64),
    ("DAHDI_FLUSH_READ", DAHDI_FLUSH_READ as u64),
    ("DAHDI_FLUSH_WRITE", DAHDI_FLUSH_WRITE as u64),
    ("DAHDI_FLUSH_EVENT", DAHDI_FLUSH_EVENT as u64),
    ("DAHDI_FLUSH_ALL", DAHDI_FLUSH_ALL as u64),
    ("DAHDI_POLICY_IMMEDIATE", DAHDI_POLICY_IMMEDIATE as u64),
    ("DAHDI_LAW_ALAW", DAHDI_LAW_ALAW as u64),
    ("DAHDI_MAX_SPANS", DAHDI_MAX_SPANS as u64),
    ("DAHDI_MAX_CHANNELS", DAHDI_MAX_CHANNELS as u64),
    ("DAHDI_MAX_BLOCKSIZE", DAHDI_MAX_BLOCKSIZE as u64),
    ("DAHDI_MAX_BUF_SPACE", DAHDI_MAX_BUF_SPACE as u64),
    ("DAHDI_MAX_NUM_BUFS", DAHDI_MAX_NUM_BUFS as u64),
];

/// Every ioctl number, constant, structure size and field offset this backend relies on,
/// as `(C expression, value in Rust)`. The header check compiles each expression.
pub fn checked() -> Vec<(&'static str, u64)> {
    let mut all = Vec::new();
    all.extend_from_slice(&CONSTANTS);
    all.extend_from_slice(&SIZES);
    all.extend_from_slice(&PARAMS_OFFSETS);
    all.extend_from_slice(&SPANINFO_OFFSETS);
    all.extend_from_slice(&MAINT_OFFSETS);
    all.extend_from_slice(&LINECONFIG_OFFSETS);
    all.extend_from_slice(&CHANCONFIG_OFFSETS);
    all.extend_from_slice(&BUFINFO_OFFSETS);
    all.extend_from_slice(&VERSION_OFFSETS);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    // The x86-64 values, worked out from the header by hand, so a slip in the Rust side shows
    // even where the C header is not installed.
    #[test]
    fn request_numbers_encode_direction_size_type_and_number() {
        assert_eq!(DAHDI_SPANSTAT, 0xC13A_DA0A);
        assert_eq!(DAHDI_GET_PARAMS, 0xC088_DA05);
        assert_eq!(DAHDI_GETEVENT, 0x8004_DA08);
        assert_eq!(DAHDI_SPECIFY, 0x4004_DA26);
        assert_eq!(DAHDI_GETRXBITS, 0x8004_DA2B);
        assert_eq!(DAHDI_SETTXBITS, 0x4004_DA2B);
        assert_eq!(DAHDI_MAINT, 0x4008_DA0B);
        assert_eq!(DAHDI_SET_BUFINFO, 0x4018_DA1B);
    }

    #[test]
    fn structure_sizes_match_the_header() {
        assert_eq!(size_of::<Params>(), 136);
        assert_eq!(size_of::<SpanInfo>(), 314);
        assert_eq!(size_of::<LineConfig>(), 36);
        assert_eq!(size_of::<ChanConfig>(), 76);
        assert_eq!(size_of::<BufferInfo>(), 24);
        assert_eq!(size_of::<MaintInfo>(), 8);
        assert_eq!(size_of::<VersionInfo>(), 160);
    }

    #[test]
    fn the_checked_list_names_each_item_once() {
        let all = checked();
        assert_eq!(all.len(), 69 + 7 + 25 + 29 + 2 + 5 + 7 + 6 + 2);
        let mut names: Vec<_> = all.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        let spantype = all.iter().find(|(n, _)| *n == "offsetof(struct dahdi_spaninfo, spantype)");
        assert_eq!(spantype, Some(&("offsetof(struct dahdi_spaninfo, spantype)", 308)));
    }

    #[test]
    fn text_fields_stop_at_nul_and_always_end_with_one() {
        let mut field = [0xFFu8; 6];
        set_c_text(&mut field, "E1");
        assert_eq!(field, [b'E', b'1', 0, 0, 0, 0]);
        assert_eq!(c_text(&field), "E1");
        set_c_text(&mut field, "TOOLONGNAME");
        assert_eq!(field, *b"TOOLO\0");
        assert_eq!(c_text(b"no-nul"), "no-nul");
    }
}
