//! G.711 against spandsp: all 65 536 linear inputs through both encoders, all 256 codes
//! through both decoders, and the A↔µ tables against spandsp's copy of G.711 Tables 3 and 4.
//! Skipped with a notice when spandsp was not found at build time.

use tdm_dsp::g711;
use tdm_peer_spandsp as peer;

fn spandsp_present() -> bool {
    if !peer::AVAILABLE {
        eprintln!(
            "NOTICE: spandsp not available (pkg-config found no spandsp at build time); cross-check skipped"
        );
    }
    peer::AVAILABLE
}

#[test]
fn alaw_encoder_matches_spandsp_for_every_sample() {
    if !spandsp_present() {
        return;
    }
    let differences =
        (i16::MIN..=i16::MAX).filter(|&x| Some(g711::linear_to_alaw(x)) != peer::linear_to_alaw(x)).count();
    assert_eq!(differences, 0);
}

/// spandsp 0.0.6 takes the magnitude of a negative sample as `-x` for µ-law, where the ITU-T
/// reference coder (G.191 `ulaw_compress`) takes `-x - 1` (one's complement), as it does for
/// A-law. The two agree except on the 127 negative inputs that sit exactly on a decision
/// value, and there spandsp's code for `x` is the reference code for `x - 1`.
#[test]
fn ulaw_encoder_matches_spandsp_except_where_spandsp_leaves_the_itu_reference() {
    if !spandsp_present() {
        return;
    }
    let mut differing = Vec::new();
    for x in i16::MIN..=i16::MAX {
        let spandsp = peer::linear_to_ulaw(x);
        if Some(g711::linear_to_ulaw(x)) != spandsp {
            assert!(x < 0, "positive sample {x} differs");
            assert_eq!(Some(g711::linear_to_ulaw(x - 1)), spandsp, "sample {x}");
            differing.push(x);
        }
    }
    assert_eq!(differing.len(), 127);
    assert_eq!(differing.first(), Some(&-31612));
    assert_eq!(differing.last(), Some(&-4));
}

#[test]
fn decoders_and_transcoders_match_spandsp_for_every_code() {
    if !spandsp_present() {
        return;
    }
    for code in 0..=255u8 {
        assert_eq!(Some(g711::alaw_to_linear(code)), peer::alaw_to_linear(code), "A-law {code:#04x}");
        assert_eq!(Some(g711::ulaw_to_linear(code)), peer::ulaw_to_linear(code), "µ-law {code:#04x}");
        assert_eq!(Some(g711::alaw_to_ulaw(code)), peer::alaw_to_ulaw(code), "A→µ {code:#04x}");
        assert_eq!(Some(g711::ulaw_to_alaw(code)), peer::ulaw_to_alaw(code), "µ→A {code:#04x}");
    }
}
