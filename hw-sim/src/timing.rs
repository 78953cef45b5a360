//! Which clock each span transmits with. A span timed from its own oscillator is simple;
//! a loop-timed span (clock register LINE) transmits at the rate it receives, which is
//! the rate its far end transmits at, which may itself be loop-timed, and so on. A span
//! in remote loopback sends back what it receives, so it passes the rate through too.
//! Following these links ends at an oscillator, at an external peer (paced at exactly the
//! nominal rate), or in a loop with no source at all, which a real network would let
//! wander; here the loop runs from the oscillator of its lowest-numbered member that is
//! not merely looping back (its PLL holding over), so the answer is unique.

use crate::clock::Ppb;

/// What lies at the far end of a span's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FarEnd {
    Nothing,
    ExternalPeer,
    Span(usize),
}

/// The timing facts of one span for this block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TimingNode {
    /// The span's own oscillator offset.
    pub oscillator: Ppb,
    /// The span sends at its received rate: loop timed, or in remote loopback.
    pub follows_line: bool,
    /// The span is in remote loopback (it passes a rate through, it has no PLL).
    pub looping_back: bool,
    /// A signal reaches the span's receiver this block.
    pub has_signal: bool,
    pub far: FarEnd,
}

/// The clock offset span `start` transmits at. `chain` is scratch space (its capacity is
/// kept between calls so that no block allocates).
pub(crate) fn transmit_offset(nodes: &[TimingNode], start: usize, chain: &mut Vec<usize>) -> Ppb {
    chain.clear();
    let mut current = start;
    loop {
        let Some(node) = nodes.get(current) else { return 0 };
        if !node.follows_line || !node.has_signal {
            return node.oscillator;
        }
        let next = match node.far {
            FarEnd::Span(far) => far,
            FarEnd::ExternalPeer => return 0,
            FarEnd::Nothing => return node.oscillator,
        };
        chain.push(current);
        if let Some(pos) = chain.iter().position(|&s| s == next) {
            let members = &chain[pos..];
            let breaker = members
                .iter()
                .copied()
                .filter(|&s| nodes.get(s).is_some_and(|n| !n.looping_back))
                .min()
                .or_else(|| members.iter().copied().min())
                .unwrap_or(current);
            return nodes.get(breaker).map_or(0, |n| n.oscillator);
        }
        current = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(oscillator: Ppb, follows_line: bool, far: FarEnd) -> TimingNode {
        TimingNode { oscillator, follows_line, looping_back: false, has_signal: true, far }
    }

    fn offsets(nodes: &[TimingNode]) -> Vec<Ppb> {
        let mut chain = Vec::new();
        (0..nodes.len()).map(|s| transmit_offset(nodes, s, &mut chain)).collect()
    }

    #[test]
    fn internal_and_loop_timed_pairs() {
        // 0 internal at +50 ppm, 1 loop timed from it.
        let nodes = [node(50_000, false, FarEnd::Span(1)), node(-7, true, FarEnd::Span(0))];
        assert_eq!(offsets(&nodes), vec![50_000, 50_000]);
    }

    #[test]
    fn a_chain_through_boards_follows_the_source() {
        // 0 (source, +20) -> 1 loop timed; 1's board also has 2, loop timed from 3,
        // which is loop timed from 2: a loop. And 4 follows an external peer.
        let nodes = [
            node(20_000, false, FarEnd::Span(1)),
            node(0, true, FarEnd::Span(0)),
            node(5, true, FarEnd::Span(3)),
            node(9, true, FarEnd::Span(2)),
            node(33, true, FarEnd::ExternalPeer),
        ];
        assert_eq!(offsets(&nodes), vec![20_000, 20_000, 5, 5, 0]);
    }

    #[test]
    fn without_signal_a_loop_timed_span_holds_over_on_its_oscillator() {
        let mut lost = node(-30, true, FarEnd::Span(0));
        lost.has_signal = false;
        let nodes = [node(70, false, FarEnd::Span(1)), lost, node(4, true, FarEnd::Nothing)];
        assert_eq!(offsets(&nodes), vec![70, -30, 4]);
    }

    #[test]
    fn remote_loopback_passes_the_rate_through() {
        // 0 loops back what 1 sends, and 1 is loop timed from 0: the loop's only PLL is
        // 1's, so the loop runs on 1's oscillator even though 0 is the lower number.
        let mut looping = node(-100, true, FarEnd::Span(1));
        looping.looping_back = true;
        // 3 loops back what 2 (internally timed) sends: 3 sends at 2's rate.
        let mut reflector = node(1, true, FarEnd::Span(2));
        reflector.looping_back = true;
        let nodes = [looping, node(60, true, FarEnd::Span(0)), node(8, false, FarEnd::Span(3)), reflector];
        assert_eq!(offsets(&nodes), vec![60, 60, 8, 8]);
    }

    #[test]
    fn a_loop_of_loopbacks_only_picks_the_lowest() {
        let mut a = node(11, true, FarEnd::Span(1));
        a.looping_back = true;
        let mut b = node(22, true, FarEnd::Span(0));
        b.looping_back = true;
        assert_eq!(offsets(&[a, b]), vec![11, 11]);
    }
}
