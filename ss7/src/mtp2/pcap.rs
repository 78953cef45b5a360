//! Signal units as pcap records that Wireshark and tshark decode: link type 139
//! (LINKTYPE_MTP2_WITH_PHDR, a 4-octet pseudo-header saying the direction and the link number)
//! or 140 (LINKTYPE_MTP2, the bare signal unit). Records carry the signal unit without flags
//! and check bits, which is what tshark's MTP2 dissector expects by default.
//!
//! These functions only format octets; where they are written is the caller's business.

use tdm_base::Instant;

/// MTP2 with the pseudo-header: sent flag (1 octet), Annex A used (1 octet, 0 = no),
/// link number (2 octets, big-endian).
pub const LINKTYPE_MTP2_WITH_PHDR: u32 = 139;
/// Bare MTP2 signal units.
pub const LINKTYPE_MTP2: u32 = 140;
/// The classic pcap magic number (microsecond timestamps), written little-endian.
const MAGIC: u32 = 0xA1B2_C3D4;
/// Longest record: pseudo-header plus the longest signal unit, rounded up.
pub const SNAPLEN: u32 = 512;

/// Which way a signal unit went, seen from the link that traced it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Received,
    Sent,
}

/// The 24-octet global header of a pcap file of `linktype`.
pub fn file_header(linktype: u32) -> [u8; 24] {
    let mut header = [0u8; 24];
    header[0..4].copy_from_slice(&MAGIC.to_le_bytes());
    header[4..6].copy_from_slice(&2u16.to_le_bytes());
    header[6..8].copy_from_slice(&4u16.to_le_bytes());
    // Bytes 8..16: time zone offset and accuracy, both 0.
    header[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
    header[20..24].copy_from_slice(&linktype.to_le_bytes());
    header
}

/// Appends one record of `su` captured at `at` to `out`. With [`LINKTYPE_MTP2_WITH_PHDR`] the
/// record starts with the pseudo-header for `direction` and `link`; with any other link type
/// it is the signal unit alone. Signal units longer than the snap length are cut there.
pub fn append_record(
    out: &mut Vec<u8>,
    linktype: u32,
    at: Instant,
    direction: Direction,
    link: u16,
    su: &[u8],
) {
    let header_len = if linktype == LINKTYPE_MTP2_WITH_PHDR { 4 } else { 0 };
    let original = (su.len() + header_len) as u32;
    let captured = original.min(SNAPLEN);
    let micros = at.as_micros();
    out.extend_from_slice(&((micros / 1_000_000) as u32).to_le_bytes());
    out.extend_from_slice(&((micros % 1_000_000) as u32).to_le_bytes());
    out.extend_from_slice(&captured.to_le_bytes());
    out.extend_from_slice(&original.to_le_bytes());
    if header_len == 4 {
        out.push(u8::from(direction == Direction::Sent));
        out.push(0);
        out.extend_from_slice(&link.to_be_bytes());
    }
    out.extend_from_slice(&su[..(captured as usize - header_len).min(su.len())]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_header_names_the_link_type() {
        let header = file_header(LINKTYPE_MTP2_WITH_PHDR);
        assert_eq!(header[..8], [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0]);
        assert_eq!(header[16..], [0x00, 0x02, 0, 0, 139, 0, 0, 0]);
        assert_eq!(file_header(LINKTYPE_MTP2)[20], 140);
    }

    #[test]
    fn a_record_carries_time_pseudo_header_and_octets() {
        let mut out = Vec::new();
        append_record(
            &mut out,
            LINKTYPE_MTP2_WITH_PHDR,
            Instant::from_micros(3_000_125),
            Direction::Sent,
            0x0102,
            &[0xFF, 0xFF, 0x01, 0x03],
        );
        assert_eq!(
            out,
            [3, 0, 0, 0, 125, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0x01, 0x02, 0xFF, 0xFF, 0x01, 0x03]
        );
        out.clear();
        append_record(&mut out, LINKTYPE_MTP2, Instant::ZERO, Direction::Received, 7, &[0x80, 0x80, 0x00]);
        assert_eq!(out, [0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 0x80, 0x80, 0x00]);
        out.clear();
        append_record(&mut out, LINKTYPE_MTP2, Instant::ZERO, Direction::Received, 7, &[0u8; 600]);
        assert_eq!(out.len(), 16 + 512);
        assert_eq!(out[8..16], [0, 2, 0, 0, 0x58, 2, 0, 0]);
    }
}
