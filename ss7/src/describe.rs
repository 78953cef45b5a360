//! One line of text per signal unit, for a live trace: the MTP2 kind with its sequence
//! numbers, then for an MSU the service information octet, the routing label in the link's
//! point-code format and the message it carries, decoded by the codecs of this crate.
//!
//! ```text
//! LSSU SIOS BSN 127 FSN 127
//! MSU BSN 3 FSN 4 NI national SI ISUP DPC 1-2-4 OPC 1-2-3 SLS 1: IAM CIC 1 called 1234 (national) calling 5678 (national) category 10
//! MSU BSN 9 FSN 12 NI national SI TUP DPC 1-2-3 OPC 1-2-4 SLS 1: ACM CIC 1 address complete, subscriber free
//! MSU BSN 0 FSN 1 NI national SI MTN DPC 1-2-4 OPC 1-2-3 SLS 0: SLTM pattern 0123456789abcdef
//! ```
//!
//! Wireshark has no TUP dissector, so the TUP part of this is the only TUP decoder a trace
//! gets. A message that does not decode is shown with the reason and its octets in hex, never
//! a reason to panic. Formatting goes straight to the [`fmt::Formatter`]; only the ISUP
//! decoder allocates (its optional part).

use core::fmt;

use crate::isup::wire::{self as isup, PartyNumber, RangeAndStatus};
use crate::label::{NetworkIndicator, PointCode, PointCodeFormat, RoutingLabel, ServiceIndicator, Sio};
use crate::mtp2::{SignalUnit, SuKind};
use crate::mtp3::{SnmMessage, TestMessage, UnavailabilityCause};
use crate::tup::wire::{self as tup, Variant};

/// A signal unit (without flags and FCS) of a link whose routing labels are in `format`,
/// displayed as one line.
#[derive(Debug, Clone, Copy)]
pub struct SuText<'a> {
    su: &'a [u8],
    format: PointCodeFormat,
}

/// Describes the signal unit `su` of a link whose point codes are in `format`.
pub fn describe_su(su: &[u8], format: PointCodeFormat) -> SuText<'_> {
    SuText { su, format }
}

/// Octets as lowercase hex, two digits each, no separator.
struct Hex<'a>(&'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for octet in self.0 {
            write!(f, "{octet:02x}")?;
        }
        Ok(())
    }
}

/// A point code as operators write it in `format`.
struct Pc(PointCode, PointCodeFormat);

impl fmt::Display for Pc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.display(self.1))
    }
}

impl fmt::Display for SuText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let view = match SignalUnit::new_checked(self.su) {
            Ok(view) => view,
            Err(error) => return write!(f, "bad signal unit ({error}): {}", Hex(self.su)),
        };
        let (bsn, fsn) = (view.bsn(), view.fsn());
        match view.kind() {
            SuKind::Fisu => write!(f, "FISU BSN {bsn} FSN {fsn}"),
            SuKind::Lssu => {
                let status = view.status().map_or("?", |s| s.abbreviation());
                write!(f, "LSSU {status} BSN {bsn} FSN {fsn}")
            }
            SuKind::Msu => {
                write!(f, "MSU BSN {bsn} FSN {fsn} ")?;
                describe_msu(f, view.body(), self.format)
            }
        }
    }
}

/// Short names of the service indicators, as Q.704 §14.2.1 and Wireshark abbreviate them.
fn service_name(si: ServiceIndicator) -> &'static str {
    use ServiceIndicator::*;
    match si {
        Management => "SNM",
        Testing => "MTN",
        SpecialTesting => "MTNS",
        Sccp => "SCCP",
        Tup => "TUP",
        Isup => "ISUP",
        DupCall => "DUP-C",
        DupFacility => "DUP-F",
        MtpTest => "MTP-TEST",
        BroadbandIsup => "B-ISUP",
        SatelliteIsup => "SAT-ISUP",
        Aal2 => "AAL2",
        Bicc => "BICC",
        Gcp => "GCP",
        Unknown(_) => "spare",
    }
}

fn network_name(ni: NetworkIndicator) -> &'static str {
    match ni {
        NetworkIndicator::International => "international",
        NetworkIndicator::InternationalSpare => "international-spare",
        NetworkIndicator::National => "national",
        NetworkIndicator::NationalSpare => "national-spare",
    }
}

/// SIO, routing label and user message of an MSU body (SIO first).
fn describe_msu(f: &mut fmt::Formatter<'_>, body: &[u8], format: PointCodeFormat) -> fmt::Result {
    let Some((&octet, sif)) = body.split_first() else {
        return f.write_str("without SIO");
    };
    let sio = Sio::from_octet(octet);
    write!(f, "NI {}", network_name(sio.ni))?;
    if sio.priority != 0 {
        write!(f, " priority {}", sio.priority)?;
    }
    match sio.si {
        ServiceIndicator::Unknown(code) => write!(f, " SI {code}")?,
        si => write!(f, " SI {}", service_name(si))?,
    }
    let (label, rest) = match RoutingLabel::parse(format, sif) {
        Ok(parsed) => parsed,
        Err(error) => return write!(f, ": {error}: {}", Hex(sif)),
    };
    write!(f, " DPC {} OPC {} SLS {}: ", Pc(label.dpc, format), Pc(label.opc, format), label.sls)?;
    match sio.si {
        ServiceIndicator::Management => describe_snm(f, rest, format),
        ServiceIndicator::Testing | ServiceIndicator::SpecialTesting => match TestMessage::parse(rest) {
            Ok(TestMessage::Sltm(pattern)) => write!(f, "SLTM pattern {}", Hex(pattern.as_slice())),
            Ok(TestMessage::Slta(pattern)) => write!(f, "SLTA pattern {}", Hex(pattern.as_slice())),
            Err(error) => write!(f, "not decodable ({error}): {}", Hex(rest)),
        },
        ServiceIndicator::Isup => describe_isup(f, rest),
        ServiceIndicator::Tup => describe_tup(f, sif, format),
        _ => write!(f, "{}", Hex(rest)),
    }
}

fn describe_snm(f: &mut fmt::Formatter<'_>, octets: &[u8], format: PointCodeFormat) -> fmt::Result {
    let message = match SnmMessage::parse(format, octets) {
        Ok(message) => message,
        Err(error) => return write!(f, "not decodable ({error}): {}", Hex(octets)),
    };
    use SnmMessage::*;
    match message {
        Coo { fsn } | Coa { fsn } => write!(f, "{} FSN {fsn}", message.name()),
        Cbd { code } | Cba { code } => write!(f, "{} code {code}", message.name()),
        Tfc { destination, status } => {
            write!(f, "TFC destination {} status {status}", Pc(destination, format))
        }
        Tfp { destination }
        | Tfr { destination }
        | Tfa { destination }
        | Rst { destination }
        | Rsr { destination } => write!(f, "{} destination {}", message.name(), Pc(destination, format)),
        Upu { destination, user, cause } => {
            let cause = match cause {
                UnavailabilityCause::Unknown => "cause unknown",
                UnavailabilityCause::Unequipped => "unequipped",
                UnavailabilityCause::Inaccessible => "inaccessible",
                UnavailabilityCause::Other(_) => "cause spare",
            };
            write!(f, "UPU destination {} user {} {cause}", Pc(destination, format), service_name(user))
        }
        Other { heading } => {
            write!(
                f,
                "SNM heading {heading:#04x} (H0 {:X} H1 {:X}): {}",
                heading & 0x0F,
                heading >> 4,
                Hex(octets)
            )
        }
        _ => f.write_str(message.name()),
    }
}

/// An ISUP number: digits, nature, and presentation when it is not allowed.
struct Number<'a>(&'a PartyNumber);

impl fmt::Display for Number<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        let nature = match n.nature {
            isup::Nature::SUBSCRIBER => "subscriber",
            isup::Nature::UNKNOWN => "unknown",
            isup::Nature::NATIONAL => "national",
            isup::Nature::INTERNATIONAL => "international",
            isup::Nature::NETWORK_SPECIFIC => "network-specific",
            _ => "other nature",
        };
        write!(f, "{} ({nature}", n.digits)?;
        if n.presentation != isup::Presentation::Allowed {
            write!(f, ", {}", n.presentation.name())?;
        }
        f.write_str(")")
    }
}

/// `range 2 (CICs 1-3)`, with the status bits as 0/1 in CIC order when present.
fn range_and_status(f: &mut fmt::Formatter<'_>, cic: u16, range: &RangeAndStatus) -> fmt::Result {
    group_range(f, cic, range.range, range.status.as_ref())
}

fn group_range(
    f: &mut fmt::Formatter<'_>,
    cic: u16,
    range: u8,
    status: Option<&crate::circuit::range::StatusBits>,
) -> fmt::Result {
    let last = u32::from(cic) + u32::from(range);
    if range == 0 {
        write!(f, " range 0 (CIC {cic})")?;
    } else {
        write!(f, " range {range} (CICs {cic}-{last})")?;
    }
    if let Some(bits) = status {
        f.write_str(" status ")?;
        for i in 0..=range {
            f.write_str(if bits.get(i) { "1" } else { "0" })?;
        }
    }
    Ok(())
}

fn describe_isup(f: &mut fmt::Formatter<'_>, octets: &[u8]) -> fmt::Result {
    let message = match isup::Message::parse(octets) {
        Ok(message) => message,
        Err(error) => {
            let name = octets.get(2).map(|&code| isup::MessageType::from_code(code));
            return match name {
                Some(name) => write!(f, "{name} not decodable ({error}): {}", Hex(octets)),
                None => write!(f, "not decodable ({error}): {}", Hex(octets)),
            };
        }
    };
    let cic = message.cic;
    write!(f, "{} CIC {cic}", message.body.message_type())?;
    use isup::Body;
    match &message.body {
        Body::Iam(iam) => {
            write!(f, " called {}", Number(&iam.called))?;
            if let Some(calling) = &iam.optional.calling_party_number {
                write!(f, " calling {}", Number(calling))?;
            }
            write!(f, " category {}", iam.category.0)?;
        }
        Body::Sam(sam) => write!(f, " digits {}", sam.subsequent.digits)?,
        Body::Acm(backward) | Body::Con(backward) => {
            write!(f, " called party {}", backward.indicators.called_status.name())?;
        }
        Body::Cpg(cpg) => write!(f, " {}", cpg.event.event.name())?,
        Body::Rel(with_cause) | Body::Cfn(with_cause) => write!(f, " cause {}", with_cause.cause.cause)?,
        Body::Rlc(optional) => {
            if let Some(cause) = &optional.cause {
                write!(f, " cause {}", cause.cause)?;
            }
        }
        Body::Cot(indicators) => {
            f.write_str(if indicators.successful { " continuity" } else { " continuity failure" })?;
        }
        Body::Grs(range) | Body::Gra(range) | Body::Cqm(range) => range_and_status(f, cic, range)?,
        Body::Cgb(group) | Body::Cgu(group) | Body::Cgba(group) | Body::Cgua(group) => {
            write!(f, " {}", group.kind.name())?;
            range_and_status(f, cic, &group.range)?;
        }
        Body::Cqr(cqr) => range_and_status(f, cic, &cqr.range)?,
        Body::Unrecognized(_) => write!(f, " (not recognized): {}", Hex(octets))?,
        _ => {}
    }
    Ok(())
}

/// A TUP number's nature of address (2 bits).
fn tup_nature(nature: u8) -> &'static str {
    match nature {
        tup::nature::SUBSCRIBER => "subscriber",
        tup::nature::NATIONAL => "national",
        tup::nature::INTERNATIONAL => "international",
        _ => "national spare",
    }
}

fn describe_tup(f: &mut fmt::Formatter<'_>, sif: &[u8], format: PointCodeFormat) -> fmt::Result {
    let variant = match format {
        PointCodeFormat::Itu14 => Variant::Itu,
        PointCodeFormat::China24 => Variant::China,
    };
    let message = match tup::Message::parse(variant, sif) {
        Ok(message) => message,
        Err(error) => {
            let rest = sif.get(variant.label_len()..).unwrap_or_default();
            return match rest.first() {
                Some(&heading) => {
                    let name = tup::MessageType::from_heading(variant, heading);
                    write!(f, "{name} not decodable ({error}): {}", Hex(rest))
                }
                None => write!(f, "not decodable ({error}): {}", Hex(sif)),
            };
        }
    };
    let cic = message.label.cic;
    let kind = message.message_type();
    match kind {
        tup::MessageType::Unknown(heading) => {
            write!(f, "heading {heading:#04x} (H0 {:X} H1 {:X}) CIC {cic}", heading & 0x0F, heading >> 4)?
        }
        known => write!(f, "{known} CIC {cic}")?,
    }
    use tup::Body;
    match &message.body {
        Body::Iam(iam) => tup_iam(f, iam)?,
        Body::Iai(iai) => {
            tup_iam(f, &iai.iam)?;
            if let Some(calling) = &iai.calling {
                write!(f, " calling {} ({}", calling.digits, tup_nature(calling.nature))?;
                if calling.restricted {
                    f.write_str(", restricted")?;
                }
                if calling.incomplete {
                    f.write_str(", incomplete")?;
                }
                f.write_str(")")?;
            }
            if let Some(original) = &iai.original_called {
                write!(f, " original called {} ({})", original.digits, tup_nature(original.nature))?;
            }
        }
        Body::Sam(digits) => write!(f, " digits {digits}")?,
        Body::Sao(digit) => write!(f, " digit {digit:X}")?,
        Body::Grq(request) => {
            let asked = [
                (request.category, "category"),
                (request.calling_line, "calling line"),
                (request.original_called, "original called"),
                (request.malicious_call, "malicious call"),
                (request.hold, "hold"),
                (request.echo_suppressor, "echo suppressor"),
            ];
            f.write_str(" request")?;
            write_flags(f, &asked)?;
        }
        Body::Gsm(gsm) => {
            if let Some(category) = gsm.category {
                write!(f, " category {}", category.0)?;
            }
            if let Some(calling) = &gsm.calling {
                write!(f, " calling {} ({})", calling.digits, tup_nature(calling.nature))?;
            }
            if let Some(original) = &gsm.original_called {
                write!(f, " original called {} ({})", original.digits, tup_nature(original.nature))?;
            }
            if gsm.incoming_trunk.is_some() {
                f.write_str(" incoming trunk")?;
            }
        }
        Body::Acm(acm) => {
            let what = match acm.kind {
                0 => "address complete",
                1 => "address complete, charge",
                2 => "address complete, no charge",
                _ => "address complete, coinbox",
            };
            write!(f, " {what}")?;
            if acm.subscriber_free {
                f.write_str(", subscriber free")?;
            }
            if acm.call_forwarded {
                f.write_str(", call forwarded")?;
            }
        }
        Body::Chg(data) => write!(f, " {}", Hex(data.as_slice()))?,
        Body::Eum(eum) => {
            let why = if eum.indicator == 1 { "subscriber busy" } else { "unsuccessful" };
            write!(f, " {why} (indicator {}) from {}", eum.indicator, Pc(eum.origin, format))?
        }
        Body::Group(_, range) => group_range(f, cic, range.range, range.status.as_ref())?,
        Body::Grs(range) => group_range(f, cic, *range, None)?,
        Body::Acc(level) => write!(f, " congestion level {level}")?,
        Body::Mpm(pulses) => write!(f, " {pulses} pulse(s) per charging unit")?,
        Body::Unknown { data, .. } if !data.is_empty() => write!(f, ": {}", Hex(data.as_slice()))?,
        Body::Signal(_) | Body::Unknown { .. } => {}
    }
    Ok(())
}

fn tup_iam(f: &mut fmt::Formatter<'_>, iam: &tup::Iam) -> fmt::Result {
    write!(f, " called {} ({}) category {}", iam.digits, tup_nature(iam.indicators.nature), iam.category.0)
}

/// ` a, b` for the flags that are set, ` none` when none is.
fn write_flags(f: &mut fmt::Formatter<'_>, flags: &[(bool, &str)]) -> fmt::Result {
    let mut any = false;
    for (_, name) in flags.iter().filter(|(set, _)| *set) {
        f.write_str(if any { ", " } else { " " })?;
        f.write_str(name)?;
        any = true;
    }
    if !any {
        f.write_str(" none")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;

/// Fuzz body: any octets, either point-code format, decode to a line without panicking.
pub fn fuzz(data: &[u8]) {
    use std::fmt::Write;
    let mut line = String::new();
    for format in [PointCodeFormat::China24, PointCodeFormat::Itu14] {
        line.clear();
        let _ = write!(line, "{}", describe_su(data, format));
    }
}
