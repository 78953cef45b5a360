//! Circuit selection on both-way circuits, and the dual seizure rule (Q.764 §2.9.1.3–
//! §2.9.1.4, Q.724 §8).
//!
//! The exchange with the higher signalling point code controls the even-numbered CICs, the
//! other one the odd ones. When both exchanges seize the same circuit at once, the
//! controlling exchange completes its call and ignores the other's IAM; the other backs off
//! and repeats its attempt on another circuit.
//!
//! To make dual seizure rare, each exchange takes the circuits it controls first, lowest CIC
//! first, and only then the others, highest CIC first: the two exchanges then meet only when
//! one of them has used up its own half, and even then from opposite ends. (Q.764 suggests
//! "released longest" order within each half; lowest-first is a simpler order with the same
//! separation between the halves.)

use crate::label::PointCode;

/// Whether the exchange at `own` controls `cic` against the exchange at `peer`.
pub fn controls(own: PointCode, peer: PointCode, cic: u16) -> bool {
    (own.value() > peer.value()) == cic.is_multiple_of(2)
}

/// Picks a circuit among `cics` (ascending) for a new outgoing call: the first `available`
/// one this exchange controls, else the last available one it does not control. Returns its
/// position in `cics`.
pub fn hunt(
    cics: &[u16],
    own: PointCode,
    peer: PointCode,
    mut available: impl FnMut(usize) -> bool,
) -> Option<usize> {
    let controlled = |i: &usize| controls(own, peer, cics[*i]);
    (0..cics.len())
        .filter(controlled)
        .find(|i| available(*i))
        .or_else(|| (0..cics.len()).rev().filter(|i| !controlled(i)).find(|i| available(*i)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_higher_point_code_controls_even_cics() {
        let high = PointCode::china(1, 1, 2);
        let low = PointCode::china(1, 1, 1);
        assert!(controls(high, low, 2));
        assert!(!controls(high, low, 3));
        assert!(controls(low, high, 3));
        assert!(!controls(low, high, 0));
    }

    #[test]
    fn hunting_prefers_own_circuits_ascending_then_others_descending() {
        let cics = [1, 2, 3, 4, 5, 6];
        let high = PointCode::china(1, 1, 2);
        let low = PointCode::china(1, 1, 1);
        assert_eq!(hunt(&cics, high, low, |_| true), Some(1));
        assert_eq!(hunt(&cics, low, high, |_| true), Some(0));
        // Own half exhausted: the other half from the top.
        assert_eq!(hunt(&cics, high, low, |i| cics[i] % 2 == 1), Some(4));
        assert_eq!(hunt(&cics, low, high, |i| cics[i] % 2 == 0), Some(5));
        assert_eq!(hunt(&cics, high, low, |_| false), None);
        assert_eq!(hunt(&[], high, low, |_| true), None);
    }
}
