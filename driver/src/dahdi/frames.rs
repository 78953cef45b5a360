//! HDLC frames as DAHDI moves them: each `read` gives one whole frame followed by the two
//! octets of its FCS, each `write` takes one frame followed by two octets the kernel fills
//! with the FCS (`calc_fcs` in dahdi-base.c). tdm's signaling channels carry frames without
//! FCS, so the backend strips it on the way in and makes room for it on the way out.

use crate::hdlc::{HdlcConfig, HdlcError, MAX_FRAME, fcs16};

/// Octets of FCS at the end of every DAHDI HDLC frame.
pub const FCS_OCTETS: usize = 2;

/// What the two octets that end a received frame are worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FcsCheck {
    /// The kernel framed the channel in software (`dchan` / `DAHDI_HDLCFCSMODE`) and left its
    /// FCS in place: it is checked again here, which costs little and catches a misframed
    /// channel (e.g. one left in audio mode by another program).
    Verify,
    /// The card frames in hardware (`hardhdlc`): it has checked the FCS, and what it leaves
    /// in those two octets varies by card, so they are only removed.
    Strip,
}

/// The frame lengths (without FCS) a link configured so carries, as the soft HDLC applies them:
/// the maximum capped at [`MAX_FRAME`], the minimum within 1 and the maximum.
fn limits(config: &HdlcConfig) -> (usize, usize) {
    let max = config.max_frame.clamp(1, MAX_FRAME);
    (config.min_frame.clamp(1, max), max)
}

/// Whether a frame of `len` octets may be sent on the link: the soft HDLC encoder refuses the
/// others, and so does this backend (they are dropped, as there).
pub fn sendable(len: usize, config: &HdlcConfig) -> bool {
    let (min, max) = limits(config);
    (min..=max).contains(&len)
}

/// The frame inside what one `read` returned, FCS removed, judged by the same rules as the
/// soft HDLC decoder: too long, then too short, then a bad FCS.
pub fn received_frame<'a>(
    read: &'a [u8],
    check: FcsCheck,
    config: &HdlcConfig,
) -> Result<&'a [u8], HdlcError> {
    let (min, max) = limits(config);
    let Some(body_len) = read.len().checked_sub(FCS_OCTETS) else {
        return Err(HdlcError::TooShort);
    };
    let (body, fcs) = read.split_at(body_len);
    if body.len() > max {
        return Err(HdlcError::TooLong);
    }
    if body.len() < min {
        return Err(HdlcError::TooShort);
    }
    if check == FcsCheck::Verify && fcs16(body).to_le_bytes() != [fcs[0], fcs[1]] {
        return Err(HdlcError::BadFcs);
    }
    Ok(body)
}

/// `frame` followed by two zero octets for the kernel to overwrite with the FCS, in `out`.
/// `None` if `out` cannot hold them.
pub fn frame_to_send<'a>(frame: &[u8], out: &'a mut [u8]) -> Option<&'a [u8]> {
    let out = out.get_mut(..frame.len() + FCS_OCTETS)?;
    let (body, fcs) = out.split_at_mut(frame.len());
    body.copy_from_slice(frame);
    fcs.fill(0);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Q.921 SABME (SAPI 0, TEI 0, command from the network) with its FCS, as read from a
    /// DAHDI D-channel.
    fn sabme_with_fcs() -> Vec<u8> {
        let body = [0x02, 0x01, 0x7F];
        let mut v = body.to_vec();
        v.extend_from_slice(&fcs16(&body).to_le_bytes());
        v
    }

    #[test]
    fn the_fcs_is_checked_and_removed() {
        let read = sabme_with_fcs();
        // CRC-16/X.25 of 02 01 7F is 0xE1DC, low octet first on the line.
        assert_eq!(read, [0x02, 0x01, 0x7F, 0xDC, 0xE1]);
        let config = HdlcConfig::default();
        assert_eq!(received_frame(&read, FcsCheck::Verify, &config), Ok(&[0x02, 0x01, 0x7F][..]));
        assert_eq!(received_frame(&read, FcsCheck::Strip, &config), Ok(&[0x02, 0x01, 0x7F][..]));
    }

    #[test]
    fn a_wrong_fcs_is_an_error_only_when_verified() {
        let mut read = sabme_with_fcs();
        read[4] ^= 0x01;
        let config = HdlcConfig::default();
        assert_eq!(received_frame(&read, FcsCheck::Verify, &config), Err(HdlcError::BadFcs));
        assert_eq!(received_frame(&read, FcsCheck::Strip, &config), Ok(&[0x02, 0x01, 0x7F][..]));
    }

    #[test]
    fn lengths_are_judged_without_the_fcs_at_both_limits() {
        let config = HdlcConfig { min_frame: 3, max_frame: 5, ..HdlcConfig::default() };
        let with_fcs = |n: usize| {
            let body: Vec<u8> = (0..n as u8).collect();
            let mut v = body.clone();
            v.extend_from_slice(&fcs16(&body).to_le_bytes());
            v
        };
        assert_eq!(received_frame(&with_fcs(2), FcsCheck::Verify, &config), Err(HdlcError::TooShort));
        assert_eq!(received_frame(&with_fcs(3), FcsCheck::Verify, &config).map(<[u8]>::len), Ok(3));
        assert_eq!(received_frame(&with_fcs(5), FcsCheck::Verify, &config).map(<[u8]>::len), Ok(5));
        assert_eq!(received_frame(&with_fcs(6), FcsCheck::Verify, &config), Err(HdlcError::TooLong));
        // Less than an FCS, and nothing at all.
        assert_eq!(received_frame(&[0x7F], FcsCheck::Strip, &config), Err(HdlcError::TooShort));
        assert_eq!(received_frame(&[], FcsCheck::Strip, &config), Err(HdlcError::TooShort));
    }

    #[test]
    fn limits_beyond_the_driver_maximum_are_capped() {
        let config = HdlcConfig { min_frame: 0, max_frame: 10_000, ..HdlcConfig::default() };
        let long = vec![0u8; MAX_FRAME + 1 + FCS_OCTETS];
        assert_eq!(received_frame(&long, FcsCheck::Strip, &config), Err(HdlcError::TooLong));
        let one = [0x01, 0x00, 0x00];
        assert_eq!(received_frame(&one, FcsCheck::Strip, &config), Ok(&[0x01][..]));
    }

    #[test]
    fn only_frames_within_the_link_limits_are_sent() {
        let config = HdlcConfig { min_frame: 3, max_frame: 5, ..HdlcConfig::default() };
        assert_eq!(
            (2..=6).map(|n| sendable(n, &config)).collect::<Vec<_>>(),
            [false, true, true, true, false]
        );
        let wide = HdlcConfig { min_frame: 0, max_frame: usize::MAX, ..HdlcConfig::default() };
        assert!(!sendable(0, &wide));
        assert!(sendable(1, &wide));
        assert!(sendable(MAX_FRAME, &wide));
        assert!(!sendable(MAX_FRAME + 1, &wide));
    }

    #[test]
    fn frames_to_send_get_two_octets_of_room() {
        let mut out = [0xAAu8; 8];
        assert_eq!(frame_to_send(&[1, 2, 3], &mut out), Some(&[1, 2, 3, 0, 0][..]));
        assert_eq!(frame_to_send(&[1, 2, 3, 4, 5, 6], &mut out), Some(&[1, 2, 3, 4, 5, 6, 0, 0][..]));
        assert_eq!(frame_to_send(&[1, 2, 3, 4, 5, 6, 7], &mut out), None);
    }
}
