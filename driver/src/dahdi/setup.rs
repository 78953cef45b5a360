//! Finding a DAHDI span and its channels, configuring it when asked, and opening its channel
//! files — with errors that name the device and say what to do.
//!
//! Discovery goes through the control device: `DAHDI_SPANSTAT` for the span (its type, its
//! line configuration, how many channels it has and how many are configured), then
//! `DAHDI_GET_PARAMS` by channel number to learn which global channel sits at each position
//! of the span (position = E1 timeslot) and its signalling type. A channel file is
//! `/dev/dahdi/chan/<span>/<position>` (three digits each, made by udev), or else
//! `/dev/dahdi/channel` bound with `DAHDI_SPECIFY`.

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::framer::Crc4Mode;
use crate::span::{ClockSource, Signaling, SpanConfig};

use super::abi::{
    self, ChanConfig, DAHDI_ALARM_NOTOPEN, DAHDI_CONFIG_AMI, DAHDI_CONFIG_CCS, DAHDI_CONFIG_CRC4,
    DAHDI_CONFIG_HDB3, DAHDI_LAW_ALAW, DAHDI_MAX_CHANNELS, DAHDI_SIG_CAS, DAHDI_SIG_CLEAR,
    DAHDI_SIG_HARDHDLC, DAHDI_SIG_HDLCFCS, DAHDI_SIG_HDLCNET, DAHDI_SIG_HDLCRAW, DAHDI_SIG_MTP2,
    DAHDI_SIG_NONE, LineConfig, Params, SpanInfo, c_text,
};
use super::frames::FcsCheck;
use super::sys::{DahdiSys, IntIoctl};

/// The control device.
pub const CTL: &str = "/dev/dahdi/ctl";
/// The channel selector bound with `DAHDI_SPECIFY`.
pub const CHANNEL: &str = "/dev/dahdi/channel";
/// Channels on an E1 span: timeslots 1 to 31.
pub const E1_CHANNELS: i32 = 31;

/// The per-span channel file udev makes.
pub fn channel_path(span: u32, position: u8) -> PathBuf {
    PathBuf::from(format!("/dev/dahdi/chan/{span:03}/{position:03}"))
}

/// What a channel is to tdm, from its DAHDI signalling type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// Clear channel (`bchan`/`clear`): raw octets, or HDLC framed by the kernel on demand.
    Clear,
    /// CAS bearer (`cas`): audio plus ABCD bits.
    Cas,
    /// HDLC framed by DAHDI (`dchan`) or by the card (`hardhdlc`); nothing else.
    Framed(FcsCheck),
}

/// One position of a span as discovered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelSlot {
    /// The global channel number; 0 where the span has no channel at this position.
    pub channo: i32,
    pub sigtype: i32,
}

/// A DAHDI span as found through the control device.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub number: u32,
    pub info: SpanInfo,
    /// Indexed by position (= timeslot); index 0 is never a channel.
    pub channels: [ChannelSlot; 32],
}

impl Discovered {
    /// `span 2 (TE4/0/2)` for messages.
    pub fn label(&self) -> String {
        span_label(self.number, &self.info)
    }
}

fn span_label(number: u32, info: &SpanInfo) -> String {
    let name = c_text(&{ info.name });
    if name.is_empty() { format!("DAHDI span {number}") } else { format!("DAHDI span {number} ({name})") }
}

fn fail(device: &Path, kind: io::ErrorKind, message: String) -> Error {
    Error::Open { device: device.to_path_buf(), source: io::Error::new(kind, message) }
}

const PERMISSION_HINT: &str = "permission denied: run tdm as root, or give its user read-write access to \
     /dev/dahdi (a udev rule, or membership of the group that owns the nodes)";

fn is_permission(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EACCES) | Some(libc::EPERM))
}

/// Opens the control device, telling "DAHDI is not loaded" and "not allowed" apart.
pub fn open_ctl<S: DahdiSys>(sys: &S) -> Result<OwnedFd, Error> {
    let path = Path::new(CTL);
    sys.open(path).map_err(|e| {
        let kind = e.kind();
        let message = match e.raw_os_error() {
            _ if is_permission(&e) => PERMISSION_HINT.to_string(),
            Some(libc::ENOENT) => "DAHDI is not loaded (no such device node): load the DAHDI core and \
                the card's driver (`modprobe dahdi`, then e.g. `modprobe wct4xxp`; `dahdi_hardware` \
                names the driver), then run `dahdi_cfg`"
                .to_string(),
            Some(libc::ENXIO) | Some(libc::ENODEV) => "DAHDI is not loaded (the node exists but no \
                driver answers): `modprobe dahdi` and the card's driver, then run `dahdi_cfg`"
                .to_string(),
            _ => format!("cannot open the DAHDI control device: {e}"),
        };
        fail(path, kind, message)
    })
}

/// `DAHDI_SPANSTAT` for span `number`; a span that does not exist is said so, with how many do.
pub fn span_info<S: DahdiSys>(sys: &S, ctl: &OwnedFd, number: u32) -> Result<SpanInfo, Error> {
    let path = Path::new(CTL);
    let mut info = SpanInfo { spanno: number as i32, ..SpanInfo::default() };
    match sys.span_info(ctl.as_fd(), &mut info) {
        Ok(()) => Ok(info),
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
            // Any span that answers tells how many there are (numbers can have gaps).
            let total = (1..=abi::DAHDI_MAX_SPANS as u32).filter(|&n| n != number).find_map(|n| {
                let mut other = SpanInfo { spanno: n as i32, ..SpanInfo::default() };
                sys.span_info(ctl.as_fd(), &mut other).ok().map(|()| other.totalspans)
            });
            let message = if let Some(total) = total {
                format!(
                    "there is no DAHDI span {number}: DAHDI has {total} span(s) (`dahdi_scan` lists them)"
                )
            } else {
                "DAHDI has no spans: the card's driver is not loaded (`dahdi_hardware` names it, \
                 `modprobe` it)"
                    .to_string()
            };
            Err(fail(path, io::ErrorKind::NotFound, message))
        }
        Err(e) => Err(fail(path, e.kind(), format!("DAHDI_SPANSTAT on span {number} failed: {e}"))),
    }
}

/// Refuses spans that are not E1.
pub fn check_e1(number: u32, info: &SpanInfo) -> Result<(), Error> {
    let spantype = c_text(&{ info.spantype });
    let channels = info.totalchans;
    if channels == E1_CHANNELS && (spantype.is_empty() || spantype == "E1") {
        return Ok(());
    }
    let what = if spantype.is_empty() { "an unknown".to_string() } else { format!("a {spantype}") };
    Err(fail(
        Path::new(CTL),
        io::ErrorKind::InvalidInput,
        format!(
            "{} is {what} span with {channels} channels: tdm drives E1 spans only",
            span_label(number, info)
        ),
    ))
}

/// Learns, by channel number, which channels make up span `number` (positions 1 to 31).
pub fn discover_channels<S: DahdiSys>(
    sys: &S,
    ctl: &OwnedFd,
    number: u32,
    info: &SpanInfo,
) -> Result<[ChannelSlot; 32], Error> {
    let mut slots = [ChannelSlot::default(); 32];
    let wanted = info.totalchans.clamp(0, 31) as usize;
    let mut found = 0;
    for channo in 1..=DAHDI_MAX_CHANNELS {
        let mut params = Params { channo, ..Params::default() };
        match sys.params(ctl.as_fd(), &mut params) {
            Ok(()) => {}
            // No channel with this number: numbers can have gaps (spans come and go).
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => continue,
            Err(e) => {
                return Err(fail(
                    Path::new(CTL),
                    e.kind(),
                    format!("DAHDI_GET_PARAMS on channel {channo}: {e}"),
                ));
            }
        }
        if params.spanno != number as i32 || !(1..=31).contains(&params.chanpos) {
            continue;
        }
        let slot = &mut slots[params.chanpos as usize];
        if slot.channo == 0 {
            found += 1;
        }
        *slot = ChannelSlot { channo: params.channo, sigtype: params.sigtype };
        if found == wanted {
            break;
        }
    }
    if found < wanted {
        return Err(fail(
            Path::new(CTL),
            io::ErrorKind::NotFound,
            format!(
                "{} has {wanted} channels but only {found} answered DAHDI_GET_PARAMS",
                span_label(number, info)
            ),
        ));
    }
    Ok(slots)
}

fn framing_text(lineconfig: i32) -> String {
    format!(
        "{}, {}, {}",
        if lineconfig & DAHDI_CONFIG_CCS != 0 { "CCS" } else { "CAS" },
        if lineconfig & DAHDI_CONFIG_CRC4 != 0 { "CRC-4" } else { "no CRC-4" },
        if lineconfig & DAHDI_CONFIG_HDB3 != 0 {
            "HDB3"
        } else if lineconfig & DAHDI_CONFIG_AMI != 0 {
            "AMI"
        } else {
            "no line code"
        }
    )
}

/// The `lineconfig` a span config asks for. CRC-4 `Auto` asks DAHDI for CRC-4: the framer
/// chip then does what it does against a far end without (most report LMFA and carry on).
pub fn lineconfig_for(config: &SpanConfig) -> i32 {
    let mut bits = DAHDI_CONFIG_HDB3;
    if config.signaling == Signaling::Ccs {
        bits |= DAHDI_CONFIG_CCS;
    }
    if config.framer.crc4 != Crc4Mode::Off {
        bits |= DAHDI_CONFIG_CRC4;
    }
    bits
}

const LINE_BITS: i32 = DAHDI_CONFIG_CCS | DAHDI_CONFIG_CRC4 | DAHDI_CONFIG_HDB3 | DAHDI_CONFIG_AMI;

/// Checks that `dahdi_cfg` configured and started the span the way the system file describes it.
pub fn check_configured(number: u32, info: &SpanInfo, config: &SpanConfig) -> Result<(), Error> {
    let label = span_label(number, info);
    let (numchans, alarms, lineconfig) = (info.numchans, info.alarms, info.lineconfig);
    let path = Path::new(CTL);
    if numchans == 0 {
        return Err(fail(
            path,
            io::ErrorKind::NotFound,
            format!(
                "{label} is not configured: describe it in /etc/dahdi/system.conf and run `dahdi_cfg` \
                 (see docs/dahdi.md), or use the device \"dahdi:{number},configure\" to let tdm configure it"
            ),
        ));
    }
    if alarms & DAHDI_ALARM_NOTOPEN != 0 {
        return Err(fail(
            path,
            io::ErrorKind::NotConnected,
            format!("{label} is configured but not running: run `dahdi_cfg`"),
        ));
    }
    let want = lineconfig_for(config);
    if lineconfig & LINE_BITS != want {
        return Err(fail(
            path,
            io::ErrorKind::InvalidInput,
            format!(
                "{label} is configured {} but the system file asks for {}: change its span= line in \
                 /etc/dahdi/system.conf and rerun `dahdi_cfg`, or use the device \
                 \"dahdi:{number},configure\"",
                framing_text(lineconfig),
                framing_text(want)
            ),
        ));
    }
    Ok(())
}

/// Configures span `number` as `config` describes, as `dahdi_cfg` would from
/// `span=<n>,<timing>,0,<ccs|cas>,hdb3[,crc4]` plus every channel as `clear` (CCS; a signaling
/// channel is switched to HDLC when opened) or `cas` with idle bits 1101 (CAS, TS16 left out),
/// then starts it.
pub fn configure<S: DahdiSys>(
    sys: &S,
    ctl: &OwnedFd,
    span: &Discovered,
    config: &SpanConfig,
) -> Result<(), Error> {
    let path = Path::new(CTL);
    let label = span.label();
    let step = |what: &str, e: io::Error| {
        let message = if is_permission(&e) {
            format!("configuring {label}: {PERMISSION_HINT}")
        } else {
            format!("configuring {label}: {what} failed: {e}")
        };
        fail(path, e.kind(), message)
    };
    let line = LineConfig {
        span: span.number as i32,
        lbo: 0,
        lineconfig: lineconfig_for(config),
        // 1 = this span is the first choice of timing source; 0 = never take timing from it.
        sync: match config.clock {
            ClockSource::Line => 1,
            ClockSource::Internal => 0,
        },
        ..LineConfig::default()
    };
    sys.span_config(ctl.as_fd(), &line).map_err(|e| step("DAHDI_SPANCONFIG", e))?;
    for (position, slot) in span.channels.iter().enumerate().skip(1) {
        if slot.channo == 0 {
            continue;
        }
        let sigtype = match config.signaling {
            Signaling::Ccs => DAHDI_SIG_CLEAR,
            Signaling::Cas if position == 16 => DAHDI_SIG_NONE,
            Signaling::Cas => DAHDI_SIG_CAS,
        };
        let chan = ChanConfig {
            chan: slot.channo,
            sigtype,
            deflaw: DAHDI_LAW_ALAW,
            master: slot.channo,
            idlebits: if sigtype == DAHDI_SIG_CAS { i32::from(crate::framer::IDLE_ABCD) } else { 0 },
            ..ChanConfig::default()
        };
        sys.chan_config(ctl.as_fd(), &chan)
            .map_err(|e| step(&format!("DAHDI_CHANCONFIG of channel {}", slot.channo), e))?;
    }
    let mut number = span.number as i32;
    sys.ioctl_int(ctl.as_fd(), IntIoctl::Startup, &mut number).map_err(|e| step("DAHDI_STARTUP", e))
}

/// The `dahdi_cfg` keyword for a signalling type, for messages.
pub fn sig_name(sigtype: i32) -> String {
    match sigtype {
        DAHDI_SIG_NONE => "unconfigured".into(),
        DAHDI_SIG_CLEAR => "clear (bchan)".into(),
        DAHDI_SIG_HDLCRAW => "raw HDLC".into(),
        DAHDI_SIG_HDLCFCS => "dchan".into(),
        DAHDI_SIG_HDLCNET => "nethdlc".into(),
        DAHDI_SIG_HARDHDLC => "hardhdlc".into(),
        DAHDI_SIG_MTP2 => "mtp2".into(),
        DAHDI_SIG_CAS => "cas".into(),
        other => format!("signalling type {other:#x}"),
    }
}

/// What tdm makes of the channel at `timeslot` (`None`: no usable channel there, the
/// timeslot is absent), or why the configuration does not fit the span.
pub fn channel_kind(
    span: &Discovered,
    config: &SpanConfig,
    timeslot: u8,
    slot: &ChannelSlot,
) -> Result<Option<ChannelKind>, Error> {
    if slot.channo == 0 || slot.sigtype == DAHDI_SIG_NONE {
        return Ok(None);
    }
    let kind = match (config.signaling, slot.sigtype) {
        // TS16 of a CAS span carries the multiframe: whatever DAHDI has there is not a channel.
        (Signaling::Cas, _) if timeslot == 16 => return Ok(None),
        (Signaling::Cas, DAHDI_SIG_CAS) => Some(ChannelKind::Cas),
        (Signaling::Ccs, DAHDI_SIG_CLEAR) => Some(ChannelKind::Clear),
        (Signaling::Ccs, DAHDI_SIG_HDLCFCS) => Some(ChannelKind::Framed(FcsCheck::Verify)),
        (Signaling::Ccs, DAHDI_SIG_HARDHDLC) => Some(ChannelKind::Framed(FcsCheck::Strip)),
        _ => None,
    };
    kind.map(Some).ok_or_else(|| {
        let need = match config.signaling {
            Signaling::Cas => "cas channels (cas=1-15,17-31:1101 in /etc/dahdi/system.conf)",
            Signaling::Ccs => "bchan, dchan or hardhdlc channels",
        };
        let span_kind = match config.signaling {
            Signaling::Cas => "CAS",
            Signaling::Ccs => "CCS",
        };
        fail(
            Path::new(CTL),
            io::ErrorKind::InvalidInput,
            format!(
                "{} timeslot {timeslot} (channel {}) is configured as {}: \
                 on a {span_kind} span tdm needs {need}",
                span.label(),
                slot.channo,
                sig_name(slot.sigtype)
            ),
        )
    })
}

fn channel_error(device: &Path, span: &Discovered, timeslot: u8, channo: i32, e: io::Error) -> Error {
    let what = format!("channel {channo} ({}, timeslot {timeslot})", span.label());
    let message = match e.raw_os_error() {
        _ if is_permission(&e) => PERMISSION_HINT.to_string(),
        Some(libc::EBUSY) => format!(
            "{what} is busy: another program has it open (Asterisk, FreeSWITCH, dahdi_monitor, another \
             tdm?) or it belongs to a network interface; stop that program or take the span out of its \
             configuration"
        ),
        Some(libc::ENXIO) => format!("{what} is not configured: run `dahdi_cfg`"),
        Some(libc::EINVAL) => format!("{what} does not exist (any more): check `dahdi_scan`"),
        _ => format!("cannot open {what}: {e}"),
    };
    fail(device, e.kind(), message)
}

/// Opens the channel at `timeslot`: its own node if udev made one and it is the right
/// channel, else the channel selector bound with `DAHDI_SPECIFY`.
pub fn open_channel<S: DahdiSys>(
    sys: &S,
    span: &Discovered,
    timeslot: u8,
    channo: i32,
) -> Result<OwnedFd, Error> {
    let direct = channel_path(span.number, timeslot);
    match sys.open(&direct) {
        Ok(fd) => {
            let mut number = 0;
            match sys.ioctl_int(fd.as_fd(), IntIoctl::ChannelNumber, &mut number) {
                Ok(()) if number == channo => return Ok(fd),
                // A stale static node: fall back to the selector.
                Ok(()) => {}
                Err(e) => return Err(channel_error(&direct, span, timeslot, channo, e)),
            }
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
        Err(e) => return Err(channel_error(&direct, span, timeslot, channo, e)),
    }
    let selector = Path::new(CHANNEL);
    let fd = sys.open(selector).map_err(|e| channel_error(selector, span, timeslot, channo, e))?;
    let mut number = channo;
    sys.ioctl_int(fd.as_fd(), IntIoctl::Specify, &mut number)
        .map_err(|e| channel_error(selector, span, timeslot, channo, e))?;
    Ok(fd)
}

/// The DAHDI version string, for the log.
pub fn version<S: DahdiSys>(sys: &S, ctl: &OwnedFd) -> Option<String> {
    let mut info = abi::VersionInfo::default();
    sys.version(ctl.as_fd(), &mut info).ok().map(|()| c_text(&info.version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framer::FramerConfig;

    fn ccs(crc4: Crc4Mode) -> SpanConfig {
        SpanConfig { framer: FramerConfig { crc4, ..FramerConfig::default() }, ..SpanConfig::default() }
    }

    #[test]
    fn lineconfig_is_hdb3_with_ccs_and_crc4_as_configured() {
        assert_eq!(lineconfig_for(&ccs(Crc4Mode::Auto)), (1 << 9) | (1 << 8) | (1 << 10));
        assert_eq!(lineconfig_for(&ccs(Crc4Mode::On)), (1 << 9) | (1 << 8) | (1 << 10));
        let cas = SpanConfig { signaling: Signaling::Cas, ..ccs(Crc4Mode::Off) };
        assert_eq!(lineconfig_for(&cas), 1 << 9);
    }

    #[test]
    fn channel_paths_use_three_digits() {
        assert_eq!(channel_path(1, 16), PathBuf::from("/dev/dahdi/chan/001/016"));
        assert_eq!(channel_path(12, 1), PathBuf::from("/dev/dahdi/chan/012/001"));
    }

    #[test]
    fn signalling_types_are_named_as_dahdi_cfg_spells_them() {
        assert_eq!(sig_name(DAHDI_SIG_HDLCFCS), "dchan");
        assert_eq!(sig_name(DAHDI_SIG_CLEAR), "clear (bchan)");
        assert_eq!(sig_name(0x40), "signalling type 0x40");
    }
}
