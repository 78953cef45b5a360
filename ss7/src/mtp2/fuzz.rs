//! Fuzz bodies for level 2: what the `fuzz/` targets run, kept here so that proptests exercise
//! them on stable Rust. Any panic is a bug.

use super::su::{LI_OVERFLOW, MAX_SU_LEN, SignalUnit, SuBody, SuKind, SuRepr};
use super::{ErrorCorrection, Link, LinkConfig, LinkState};
use tdm_base::{Duration, Instant};

/// The signal unit decoder: whatever parses re-emits to the same octets, apart from the bits
/// Q.703 leaves spare (the top two of the LI octet, the second status octet of an LSSU).
pub fn signal_unit(data: &[u8]) {
    let Ok(view) = SignalUnit::new_checked(data) else { return };
    let repr = SuRepr::parse(&view);
    let mut out = [0u8; MAX_SU_LEN];
    let Ok(len) = repr.emit(&mut out) else {
        panic!("a parsed signal unit could not be emitted: {repr:?}");
    };
    assert_eq!(out[..2], data[..2], "BSN/BIB and FSN/FIB differ");
    assert_eq!(out[2], data[2] & 0x3F, "LI differs");
    match repr.body {
        SuBody::Fill => assert_eq!(len, 3),
        SuBody::Status(status) => {
            assert_eq!(len, 4);
            assert_eq!(status.code(), data[3] & 0x07);
        }
        SuBody::Message(body) => {
            assert_eq!(&out[3..len], body);
            assert_eq!(len, data.len());
            assert!(view.li() == LI_OVERFLOW || usize::from(view.li()) == body.len());
        }
    }
    assert_eq!(SuRepr::parse_bytes(&out[..len]), Ok(repr));
}

/// A link fed arbitrary signal units (split at 0x7E octets), with time moving on and level 3
/// commands interleaved: its invariants hold and what it sends always parses.
pub fn link(data: &[u8]) {
    let mut config = LinkConfig::new();
    config.buffer_capacity = 200;
    if data.first().is_some_and(|b| b & 1 == 1) {
        config.error_correction = ErrorCorrection::PreventiveCyclic { n1: 20, n2: 500 };
    }
    let mut link = Link::new(config);
    let mut now = Instant::ZERO;
    let mut out = [0u8; MAX_SU_LEN];
    link.start(now);
    for (i, chunk) in data.split(|b| *b == 0x7E).enumerate() {
        let selector = chunk.first().copied().unwrap_or(0);
        now += Duration::from_millis(u64::from(selector % 64));
        link.handle_timeout(now);
        match selector >> 5 {
            0 => link.handle_su_error(now),
            1 => {
                let _ = link.send(chunk);
            }
            2 if link.state() == LinkState::OutOfService => link.start(now),
            3 => link.set_local_busy(now, i % 2 == 0),
            4 => link.set_emergency(now, i % 3 == 0),
            5 if link.state() == LinkState::OutOfService => {
                let fsnc = chunk.get(1).map(|b| b & 0x7F);
                link.retrieve(fsnc, |body| assert!((3..=273).contains(&body.len())));
            }
            _ => {}
        }
        if let Some(body) = link.handle_su(now, chunk) {
            assert!(body.len() >= 3 && body.len() <= 273);
        }
        for _ in 0..(selector % 4) {
            let len = link.poll_transmit(now, &mut out);
            let sent = SignalUnit::new_checked(&out[..len]).expect("the link sends a valid signal unit");
            if sent.kind() == SuKind::Msu {
                assert!(link.unacknowledged() > 0 || link.state() != LinkState::InService);
            }
        }
        while link.poll_event().is_some() {}
        assert!(link.unacknowledged() <= 127);
        assert!(link.unacknowledged() + link.waiting() <= 200);
        if let Some(deadline) = link.poll_timeout() {
            assert!(deadline >= now, "a deadline in the past survived handle_timeout");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn signal_units(data: Vec<u8>) {
            signal_unit(&data);
        }

        #[test]
        fn plausible_signal_units(bsn: u8, fsn: u8, li in 0u8..64, body in proptest::collection::vec(any::<u8>(), 0..280)) {
            let mut data = vec![bsn, fsn, li];
            data.extend(body);
            signal_unit(&data);
        }

        #[test]
        fn links(data: Vec<u8>) {
            link(&data);
        }

        #[test]
        fn links_with_plausible_units(units in proptest::collection::vec((any::<u8>(), any::<u8>(), 0u8..8, 0u8..4), 0..64)) {
            let mut data = vec![0u8];
            for (bsn, fsn, status, kind) in units {
                match kind {
                    0 => data.extend_from_slice(&[bsn, fsn, 0]),
                    1 => data.extend_from_slice(&[bsn, fsn, 1, status]),
                    _ => data.extend_from_slice(&[bsn, fsn, 4, 0x85, 1, 2, 3]),
                }
                data.push(0x7E);
            }
            link(&data);
        }
    }
}
