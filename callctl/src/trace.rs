//! Signaling traces: the frames a span's stack sends and receives, as the engine hands them to
//! whoever subscribed, and their pcap file format; on CAS spans (No.1), the line signals and
//! register signals of every channel instead ([`CasTraceRecord`]), which no pcap link type
//! carries.
//!
//! D-channel frames are written with LINKTYPE_LINUX_LAPD (177): each packet starts with the
//! 16-octet "cooked" header Linux mISDN captures carry, which tells Wireshark the direction
//! and whether the capturing end is the network side (it needs both to tell LAPD commands
//! from responses):
//!
//! ```text
//! 0   packet type, big-endian: 0 received by us, 4 sent by us
//! 2   ARPHRD type: 8445 (ARPHRD_LAPD)
//! 4   link-layer address length: 1
//! 6   link-layer address, 8 octets: first octet 1 when we are the network side, else 0
//! 14  protocol, big-endian: 0x0030 (ETH_P_LAPD)
//! 16  the LAPD frame, without flags and FCS
//! ```
//!
//! Timestamps are board time (the engine never reads the wall clock): a capture starts near
//! 1970-01-01 plus the time the system had been running.

use std::io::{self, Write};
use tdm_base::Instant;
use tdm_driver::HdlcFrame;
pub use tdm_no1::{LineSignal, Meaning};

/// The pcap link type of LAPD with the Linux cooked header.
pub const LINKTYPE_LINUX_LAPD: u32 = 177;
/// Octets of that header.
pub const LAPD_HEADER_LEN: usize = 16;
/// Linux's hardware type for LAPD.
const ARPHRD_LAPD: u16 = 8445;
/// Linux's protocol number for LAPD.
const ETH_P_LAPD: u16 = 0x0030;
/// Packet types of the header.
const PACKET_HOST: u16 = 0;
const PACKET_OUTGOING: u16 = 4;
/// Longest packet a capture keeps.
const SNAPLEN: u32 = 65_535;

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TraceDirection {
    /// Received from the line.
    Received,
    /// Sent to the line.
    Sent,
}

impl TraceDirection {
    /// `rx` or `tx`.
    pub fn as_str(self) -> &'static str {
        match self {
            TraceDirection::Received => "rx",
            TraceDirection::Sent => "tx",
        }
    }
}

/// One signaling frame as the engine saw it. A fixed-size copy, so that handing it to a
/// subscriber never allocates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TraceRecord {
    /// Board time it was sent or received.
    pub at: Instant,
    /// Which way.
    pub direction: TraceDirection,
    /// Whether this end of the span is the network side.
    pub network: bool,
    /// The frame, without flags and FCS.
    pub frame: HdlcFrame,
}

/// How a register signal changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegisterEdge {
    /// It started (sent) or was recognised (received), held for a compelled cycle.
    On,
    /// It started as a pulse of fixed length (sent by this end).
    Pulse,
    /// It ended.
    Off,
}

impl RegisterEdge {
    /// `on`, `pulse` or `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            RegisterEdge::On => "on",
            RegisterEdge::Pulse => "pulse",
            RegisterEdge::Off => "off",
        }
    }
}

/// What happened on a CAS channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CasTraceEvent {
    /// An ABCD nibble: sent as the stack set it, received as the driver reported the change
    /// (before the stack's recognition time).
    Abcd {
        /// The nibble.
        abcd: u8,
        /// The line signal it carries in that direction.
        signal: LineSignal,
    },
    /// A register signal started or ended.
    Register {
        /// Signal number 1 ..= 15.
        code: u8,
        /// Start, pulse or end.
        edge: RegisterEdge,
        /// What it means where it was sent or heard (`None` for ends).
        meaning: Option<Meaning>,
    },
}

/// One line-signal or register-signal event of a CAS span. Fixed size, so that handing it to a
/// subscriber never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CasTraceRecord {
    /// Board time (received register signals: the time of the edge in the audio).
    pub at: Instant,
    /// Which way.
    pub direction: TraceDirection,
    /// The channel.
    pub timeslot: u8,
    /// What.
    pub event: CasTraceEvent,
}

/// Writes a pcap file of LINUX_LAPD packets.
#[derive(Debug)]
pub struct PcapWriter<W: Write> {
    out: W,
    packets: u64,
}

impl<W: Write> PcapWriter<W> {
    /// Writes the file header.
    pub fn new(mut out: W) -> io::Result<Self> {
        let mut header = [0u8; 24];
        header[0..4].copy_from_slice(&0xA1B2_C3D4u32.to_le_bytes());
        header[4..6].copy_from_slice(&2u16.to_le_bytes());
        header[6..8].copy_from_slice(&4u16.to_le_bytes());
        // Bytes 8..16: time zone offset and timestamp accuracy, both 0.
        header[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
        header[20..24].copy_from_slice(&LINKTYPE_LINUX_LAPD.to_le_bytes());
        out.write_all(&header)?;
        Ok(PcapWriter { out, packets: 0 })
    }

    /// Writes one frame and flushes, so that a capture cut short by a signal is still whole.
    pub fn write(
        &mut self,
        at_micros: u64,
        direction: TraceDirection,
        network: bool,
        frame: &[u8],
    ) -> io::Result<()> {
        let length = (LAPD_HEADER_LEN + frame.len()) as u32;
        let mut record = [0u8; 16 + LAPD_HEADER_LEN];
        let seconds = u32::try_from(at_micros / 1_000_000).unwrap_or(u32::MAX);
        record[0..4].copy_from_slice(&seconds.to_le_bytes());
        record[4..8].copy_from_slice(&((at_micros % 1_000_000) as u32).to_le_bytes());
        record[8..12].copy_from_slice(&length.to_le_bytes());
        record[12..16].copy_from_slice(&length.to_le_bytes());
        let packet_type = match direction {
            TraceDirection::Received => PACKET_HOST,
            TraceDirection::Sent => PACKET_OUTGOING,
        };
        let lapd = &mut record[16..];
        lapd[0..2].copy_from_slice(&packet_type.to_be_bytes());
        lapd[2..4].copy_from_slice(&ARPHRD_LAPD.to_be_bytes());
        lapd[4..6].copy_from_slice(&1u16.to_be_bytes());
        lapd[6] = u8::from(network);
        lapd[14..16].copy_from_slice(&ETH_P_LAPD.to_be_bytes());
        self.out.write_all(&record)?;
        self.out.write_all(frame)?;
        self.out.flush()?;
        self.packets += 1;
        Ok(())
    }

    /// Writes a record the engine handed out.
    pub fn write_record(&mut self, record: &TraceRecord) -> io::Result<()> {
        self.write(record.at.as_micros(), record.direction, record.network, record.frame.bytes())
    }

    /// Packets written so far.
    pub fn packets(&self) -> u64 {
        self.packets
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// A packet read back from a LINUX_LAPD capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcapPacket {
    /// Timestamp in microseconds.
    pub at_micros: u64,
    /// Which way.
    pub direction: TraceDirection,
    /// Whether the capturing end was the network side.
    pub network: bool,
    /// The LAPD frame.
    pub frame: Vec<u8>,
}

/// Reads a capture written by [`PcapWriter`] (little-endian, microseconds, LINUX_LAPD), for
/// tests and tools; anything else is an error naming what did not match.
pub fn read_pcap(bytes: &[u8]) -> Result<Vec<PcapPacket>, String> {
    let u32_at = |at: usize| -> Result<u32, String> {
        bytes
            .get(at..at + 4)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_le_bytes)
            .ok_or_else(|| format!("capture ends inside the field at octet {at}"))
    };
    if u32_at(0)? != 0xA1B2_C3D4 {
        return Err("not a little-endian microsecond pcap file".into());
    }
    let link_type = u32_at(20)?;
    if link_type != LINKTYPE_LINUX_LAPD {
        return Err(format!("link type {link_type}, not LINUX_LAPD ({LINKTYPE_LINUX_LAPD})"));
    }
    let mut packets = Vec::new();
    let mut at = 24;
    while at < bytes.len() {
        let seconds = u64::from(u32_at(at)?);
        let micros = u64::from(u32_at(at + 4)?);
        let length = u32_at(at + 8)? as usize;
        let data = bytes
            .get(at + 16..at + 16 + length)
            .ok_or_else(|| format!("packet {} is cut short", packets.len() + 1))?;
        if length < LAPD_HEADER_LEN || data[14..16] != ETH_P_LAPD.to_be_bytes() {
            return Err(format!("packet {} has no LAPD header", packets.len() + 1));
        }
        let direction = match u16::from_be_bytes([data[0], data[1]]) {
            PACKET_OUTGOING => TraceDirection::Sent,
            _ => TraceDirection::Received,
        };
        packets.push(PcapPacket {
            at_micros: seconds * 1_000_000 + micros,
            direction,
            network: data[6] != 0,
            frame: data[LAPD_HEADER_LEN..].to_vec(),
        });
        at += 16 + length;
    }
    Ok(packets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_and_packet_headers_are_byte_exact() {
        let mut writer = PcapWriter::new(Vec::new()).unwrap();
        writer.write(12_000_125, TraceDirection::Sent, true, &[0x02, 0x01, 0x7F]).unwrap();
        writer.write(12_500_000, TraceDirection::Received, true, &[0x02, 0x01, 0x73]).unwrap();
        assert_eq!(writer.packets(), 2);
        let bytes = writer.into_inner();
        assert_eq!(
            &bytes[..24],
            &[0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 177, 0, 0, 0]
        );
        let first = &bytes[24..24 + 16 + 16 + 3];
        assert_eq!(
            first,
            &[
                12, 0, 0, 0, 125, 0, 0, 0, 19, 0, 0, 0, 19, 0, 0, 0, // ts 12 s 125 µs, 19 octets
                0, 4, 0x20, 0xFD, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x30, // sent, network side
                0x02, 0x01, 0x7F
            ]
        );
        assert_eq!(bytes[24 + 35 + 16..24 + 35 + 18], [0, 0], "the second was received");
        assert_eq!(bytes.len(), 24 + 2 * 35);
    }

    #[test]
    fn a_capture_reads_back_and_bad_captures_are_refused() {
        let mut writer = PcapWriter::new(Vec::new()).unwrap();
        writer.write(1_000_001, TraceDirection::Received, false, &[0, 1, 0x7F]).unwrap();
        writer
            .write(2_000_000, TraceDirection::Sent, false, b"\x00\x01\x00\x00\x08\x02\x00\x01\x05")
            .unwrap();
        let bytes = writer.into_inner();
        let packets = read_pcap(&bytes).unwrap();
        assert_eq!(
            packets[0],
            PcapPacket {
                at_micros: 1_000_001,
                direction: TraceDirection::Received,
                network: false,
                frame: vec![0, 1, 0x7F]
            }
        );
        assert_eq!((packets[1].direction, packets[1].frame.len()), (TraceDirection::Sent, 9));
        assert!(read_pcap(&bytes[..bytes.len() - 1]).unwrap_err().contains("packet 2 is cut short"));
        assert!(read_pcap(&bytes[..10]).is_err());
        let mut other = bytes.clone();
        other[20] = 1;
        assert_eq!(read_pcap(&other).unwrap_err(), "link type 1, not LINUX_LAPD (177)");
        assert!(read_pcap(b"nonsense and more nonsense").is_err());
    }
}
