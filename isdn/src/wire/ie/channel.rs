//! Channel identification (Q.931 §4.5.13), with the primary-rate (E1) layout:
//!
//! ```text
//! octet 3    ext=1 | interface id present | interface type (1 = primary rate) | spare |
//!            preferred(0)/exclusive(1) | D-channel indicator | channel selection (2 bits)
//! octet 3.1  interface identifier (present when bit 7 of octet 3 is set; extension chained)
//! octet 3.2  ext=1 | coding standard | number(0)/map(1) | channel type (0011 = B-channel units)
//! octet 3.3  channel numbers (extension bit 1 on the last) or the slot map
//! ```
//!
//! On an E1 the channel number is the timeslot number: 1–15 and 17–31 (timeslot 16 carries
//! the D-channel). `18 03 A9 83 85` is "exclusive, timeslot 5".

use super::bearer::CodingStandard;
use super::{IeError, Reader, Writer};
use crate::wire::Octets;
use crate::wire::lapd::BufferTooSmall;

/// Information channel selection (octet 3, bits 2–1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelSelection {
    /// 00: no channel.
    NoChannel,
    /// 01: on a primary rate interface, as indicated in the following octets (B1 on basic rate).
    AsIndicated,
    /// 10: reserved on a primary rate interface (B2 on basic rate).
    Reserved,
    /// 11: any channel.
    Any,
}

impl ChannelSelection {
    fn from_bits(bits: u8) -> Self {
        match bits & 0x03 {
            0 => ChannelSelection::NoChannel,
            1 => ChannelSelection::AsIndicated,
            2 => ChannelSelection::Reserved,
            _ => ChannelSelection::Any,
        }
    }

    fn bits(self) -> u8 {
        match self {
            ChannelSelection::NoChannel => 0,
            ChannelSelection::AsIndicated => 1,
            ChannelSelection::Reserved => 2,
            ChannelSelection::Any => 3,
        }
    }
}

/// Channel type of octet 3.2 for B-channel units.
pub const CHANNEL_TYPE_B: u8 = 0x03;

/// The channels of octets 3.2 and 3.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelSet {
    /// Coding standard of octet 3.2.
    pub coding_standard: CodingStandard,
    /// Channel type / map element type (4 bits; 0011 B-channel units).
    pub channel_type: u8,
    /// Whether the channels are given as a slot map rather than numbers.
    pub map: bool,
    /// Channel numbers (7 bits each), or the map octets as received.
    pub values: Octets<31>,
}

/// Channel identification (identifier 0x18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelId {
    /// Interface type: `true` for primary rate ("other interfaces"), `false` for basic.
    pub primary_rate: bool,
    /// Exclusive (only the indicated channel is acceptable) rather than preferred.
    pub exclusive: bool,
    /// The D-channel indicator.
    pub d_channel: bool,
    /// Explicit interface identifier octets (3.1), when present.
    pub interface: Option<Octets<4>>,
    /// Information channel selection.
    pub selection: ChannelSelection,
    /// The indicated channels (primary rate with selection "as indicated").
    pub channels: Option<ChannelSet>,
}

impl ChannelId {
    /// One B-channel of a primary rate interface, by timeslot (E1: 1–15, 17–31).
    pub fn timeslot(timeslot: u8, exclusive: bool) -> Self {
        let mut values = Octets::new();
        values.push(timeslot & 0x7F);
        ChannelId {
            primary_rate: true,
            exclusive,
            d_channel: false,
            interface: None,
            selection: ChannelSelection::AsIndicated,
            channels: Some(ChannelSet {
                coding_standard: CodingStandard::Itu,
                channel_type: CHANNEL_TYPE_B,
                map: false,
                values,
            }),
        }
    }

    /// "Any channel" on a primary rate interface (`A3`).
    pub fn any() -> Self {
        ChannelId {
            primary_rate: true,
            exclusive: false,
            d_channel: false,
            interface: None,
            selection: ChannelSelection::Any,
            channels: None,
        }
    }

    /// The single B-channel number indicated, if exactly one is given by number.
    pub fn single_channel(&self) -> Option<u8> {
        let set = self.channels.as_ref()?;
        match (self.selection, set.map, set.channel_type, set.values.as_slice()) {
            (ChannelSelection::AsIndicated, false, CHANNEL_TYPE_B, [number]) => Some(*number),
            _ => None,
        }
    }

    /// Parses the contents of a channel identification element.
    pub fn parse(contents: &[u8]) -> Result<Self, IeError> {
        let mut reader = Reader::new(contents);
        let octet3 = reader.u8()?;
        if octet3 & 0x80 == 0 {
            return Err(IeError::InvalidField);
        }
        let primary_rate = octet3 & 0x20 != 0;
        let interface = if octet3 & 0x40 != 0 {
            let first = reader.u8()?;
            let mut octets = Octets::<4>::new();
            octets.push(first);
            let rest: Octets<4> = reader.extension_octets(first)?;
            if !octets.extend_from_slice(&rest) {
                return Err(IeError::TooLong);
            }
            Some(octets)
        } else {
            None
        };
        let selection = ChannelSelection::from_bits(octet3);
        let channels = if primary_rate && reader.peek().is_some() {
            let octet32 = reader.u8()?;
            if octet32 & 0x80 == 0 {
                return Err(IeError::InvalidField);
            }
            let map = octet32 & 0x10 != 0;
            let rest = reader.rest();
            if rest.is_empty() {
                return Err(IeError::Truncated);
            }
            let values = if map {
                Octets::from_slice(rest).ok_or(IeError::TooLong)?
            } else {
                let mut numbers = Octets::new();
                for (i, octet) in rest.iter().enumerate() {
                    let last = i + 1 == rest.len();
                    if (octet & 0x80 != 0) != last {
                        return Err(IeError::InvalidField);
                    }
                    if !numbers.push(octet & 0x7F) {
                        return Err(IeError::TooLong);
                    }
                }
                numbers
            };
            Some(ChannelSet {
                coding_standard: CodingStandard::from_bits(octet32 >> 5),
                channel_type: octet32 & 0x0F,
                map,
                values,
            })
        } else {
            None
        };
        reader.finish()?;
        Ok(ChannelId {
            primary_rate,
            exclusive: octet3 & 0x08 != 0,
            d_channel: octet3 & 0x04 != 0,
            interface,
            selection,
            channels,
        })
    }

    pub(crate) fn emit_contents(&self, writer: &mut Writer<'_>) -> Result<(), BufferTooSmall> {
        writer.u8(0x80
            | u8::from(self.interface.is_some()) << 6
            | u8::from(self.primary_rate) << 5
            | u8::from(self.exclusive) << 3
            | u8::from(self.d_channel) << 2
            | self.selection.bits())?;
        if let Some(interface) = &self.interface {
            for (i, octet) in interface.iter().enumerate() {
                let last = i + 1 == interface.len();
                writer.u8(if last { 0x80 } else { 0 } | octet & 0x7F)?;
            }
        }
        if let Some(set) = self.channels.as_ref().filter(|_| self.primary_rate) {
            writer.u8(0x80
                | set.coding_standard.bits() << 5
                | u8::from(set.map) << 4
                | set.channel_type & 0x0F)?;
            if set.map {
                writer.bytes(&set.values)?;
            } else {
                for (i, number) in set.values.iter().enumerate() {
                    let last = i + 1 == set.values.len();
                    writer.u8(if last { 0x80 } else { 0 } | number & 0x7F)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::ie::contents_of;

    #[test]
    fn exclusive_timeslot_5_from_the_standard_layout() {
        // A9: PRI, exclusive, as indicated. 83: ITU, by number, B-channel units. 85: TS 5.
        let id = ChannelId::parse(&[0xA9, 0x83, 0x85]).unwrap();
        assert!(id.primary_rate && id.exclusive && !id.d_channel);
        assert_eq!(id.selection, ChannelSelection::AsIndicated);
        assert_eq!(id.single_channel(), Some(5));
        assert_eq!(id, ChannelId::timeslot(5, true));
        assert_eq!(contents_of(|w| id.emit_contents(w)), [0xA9, 0x83, 0x85]);
    }

    #[test]
    fn preferred_timeslot_17_and_31() {
        assert_eq!(contents_of(|w| ChannelId::timeslot(17, false).emit_contents(w)), [0xA1, 0x83, 0x91]);
        let id = ChannelId::parse(&[0xA1, 0x83, 0x9F]).unwrap();
        assert!(!id.exclusive);
        assert_eq!(id.single_channel(), Some(31));
    }

    #[test]
    fn any_channel_and_no_channel() {
        let any = ChannelId::parse(&[0xA3]).unwrap();
        assert_eq!(any, ChannelId::any());
        assert_eq!(any.single_channel(), None);
        assert_eq!(contents_of(|w| any.emit_contents(w)), [0xA3]);
        assert_eq!(ChannelId::parse(&[0xA0]).unwrap().selection, ChannelSelection::NoChannel);
    }

    #[test]
    fn several_numbers_a_slot_map_and_an_interface_identifier() {
        let several = ChannelId::parse(&[0xA9, 0x83, 0x01, 0x02, 0x83]).unwrap();
        assert_eq!(several.channels.unwrap().values.as_slice(), &[1, 2, 3]);
        assert_eq!(several.single_channel(), None);
        assert_eq!(contents_of(|w| several.emit_contents(w)), [0xA9, 0x83, 0x01, 0x02, 0x83]);
        let map = ChannelId::parse(&[0xA9, 0x93, 0x00, 0x00, 0x00, 0x21]).unwrap();
        assert!(map.channels.unwrap().map);
        assert_eq!(contents_of(|w| map.emit_contents(w)), [0xA9, 0x93, 0x00, 0x00, 0x00, 0x21]);
        let explicit = ChannelId::parse(&[0xE9, 0x81, 0x83, 0x85]).unwrap();
        assert_eq!(explicit.interface.unwrap().as_slice(), &[0x81]);
        assert_eq!(explicit.single_channel(), Some(5));
        assert_eq!(contents_of(|w| explicit.emit_contents(w)), [0xE9, 0x81, 0x83, 0x85]);
    }

    #[test]
    fn basic_rate_b1_has_no_channel_octets() {
        let b1 = ChannelId::parse(&[0x81]).unwrap();
        assert!(!b1.primary_rate);
        assert_eq!(b1.selection, ChannelSelection::AsIndicated);
        assert_eq!(ChannelId::parse(&[0x81, 0x83]), Err(IeError::TrailingOctets));
    }

    #[test]
    fn malformed_channel_ids_are_content_errors() {
        assert_eq!(ChannelId::parse(&[]), Err(IeError::Truncated));
        assert_eq!(ChannelId::parse(&[0x29, 0x83, 0x85]), Err(IeError::InvalidField));
        assert_eq!(ChannelId::parse(&[0xA9, 0x03, 0x85]), Err(IeError::InvalidField));
        assert_eq!(ChannelId::parse(&[0xA9, 0x83]), Err(IeError::Truncated));
        // The last channel number lacks its extension bit, or an earlier one has it.
        assert_eq!(ChannelId::parse(&[0xA9, 0x83, 0x05]), Err(IeError::InvalidField));
        assert_eq!(ChannelId::parse(&[0xA9, 0x83, 0x85, 0x86]), Err(IeError::InvalidField));
        assert_eq!(ChannelId::parse(&[0xE9]), Err(IeError::Truncated));
    }
}
