//! The line as a driver sees it: bits through cables, with delay, errors, faults, clock
//! offsets and loopbacks, checked bit for bit through the board ABI's rings.

mod common;

use common::{Feeder, bit, board, differing_bits, shifted, simulator};
use tdm_abi::{UNIT_OCTETS, clock, loopback, status};
use tdm_hw_sim::Direction;

const PAIR: &str = r#"
seed = 11
[[board]]
name = "a"
spans = 1
[[board]]
name = "b"
spans = 2
"#;

fn pair_with(cable: &str) -> String {
    format!("{PAIR}\n[[cable]]\nname = \"trunk\"\na = \"a:0\"\nb = \"b:1\"\n{cable}\n")
}

#[test]
fn a_cable_delivers_the_exact_stream_shifted_by_its_offset() {
    let (mut sim, _dir) = simulator(&pair_with("bit_offset = 37"));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let (mut feed_a, mut feed_b) = (Feeder::new(1), Feeder::new(2));
    let (mut rx_a, mut rx_b) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        feed_a.top_up(&a, 0);
        feed_b.top_up(&b, 1);
        sim.step().unwrap();
        rx_a.extend(a.take_rx(0));
        rx_b.extend(b.take_rx(1));
    }
    // 50 blocks of 8 units went each way; 37 bits are still in the delay.
    assert_eq!(rx_b.len(), 400 * UNIT_OCTETS);
    assert_eq!(rx_a.len(), 400 * UNIT_OCTETS);
    assert_eq!(rx_b, shifted(&feed_a.sent, 37, rx_b.len()));
    assert_eq!(rx_a, shifted(&feed_b.sent, 37, rx_a.len()));
    assert_eq!((a.status(0), b.status(1), b.status(0)), (0, 0, status::LOS));
    assert_eq!(a.counters(0), (0, 0, 0));
    assert_eq!(a.tx_taken(0), 400);
    let stats = sim.cable_stats("trunk").unwrap();
    assert_eq!(stats.a_to_b.bit_offset, 37);
    assert_eq!(stats.a_to_b.bits_carried, 50 * 2048);
    assert_eq!(stats.a_to_b.units_delivered, 400);
    assert_eq!(stats.a_to_b.bit_errors, 0);
    assert_eq!(sim.cable_stats("nope"), None);
}

#[test]
fn ber_1e3_over_ten_million_bits_matches_expectation_and_stats() {
    let (mut sim, _dir) = simulator(&pair_with("bit_offset = 0\nber = 1e-3"));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let mut feed = Feeder::new(3);
    let mut rx = Vec::new();
    let blocks = 10_000_000usize.div_ceil(2048);
    for _ in 0..blocks {
        feed.top_up(&a, 0);
        sim.step().unwrap();
        rx.extend(b.take_rx(1));
    }
    let bits = blocks as f64 * 2048.0;
    assert_eq!(rx.len(), blocks * 256);
    let errors = differing_bits(&rx, &feed.sent[..rx.len()]);
    let stats = sim.cable_stats("trunk").unwrap().a_to_b;
    assert_eq!(stats.bit_errors, errors);
    assert_eq!(stats.bits_carried, blocks as u64 * 2048);
    let expected = bits * 1e-3;
    let sigma = (bits * 1e-3 * (1.0 - 1e-3)).sqrt();
    assert!(
        (errors as f64 - expected).abs() <= 5.0 * sigma,
        "{errors} errors, expected {expected} ± {sigma}"
    );
    // No line code violations were asked for, and the span counts none.
    assert_eq!(b.counters(1).0, 0);
}

#[test]
fn a_scheduled_cut_gives_los_and_zeros_for_exactly_its_duration() {
    let cable = "bit_offset = 0\n[[cable.fault]]\nkind = \"cut\"\nat_ms = 10\nduration_ms = 20\n";
    let (mut sim, _dir) = simulator(&pair_with(cable));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let mut feed = Feeder::new(4);
    for block in 0..40usize {
        feed.top_up(&a, 0);
        sim.step().unwrap();
        let rx = b.take_rx(1);
        assert_eq!(rx.len(), 8 * UNIT_OCTETS, "block {block}");
        let cut = (10..30).contains(&block);
        assert_eq!(b.status(1), if cut { status::LOS } else { 0 }, "block {block}");
        assert_eq!(a.status(0), if cut { status::LOS } else { 0 }, "block {block}");
        if cut {
            assert!(rx.iter().all(|&o| o == 0), "block {block}");
        } else {
            // The transmitter kept sending through the cut; what it sent then is lost.
            let sent = &feed.sent[block * 256..(block + 1) * 256];
            assert_eq!(rx, sent, "block {block}");
        }
    }
    let stats = sim.cable_stats("trunk").unwrap();
    assert_eq!((stats.a_to_b.los_blocks, stats.a_to_b.restarts), (20, 1));
    assert_eq!(stats.a_to_b.bits_carried, 20 * 2048);
}

#[test]
fn a_runtime_cut_starts_at_the_next_block_and_a_random_offset_is_redrawn() {
    let (mut sim, _dir) = simulator(&pair_with(""));
    let b = board(&sim, "b");
    let control = sim.control();
    sim.step().unwrap();
    let before = sim.cable_stats("trunk").unwrap().a_to_b.bit_offset;
    control.cut("trunk", 3).unwrap();
    let mut los = Vec::new();
    for _ in 0..6 {
        sim.step().unwrap();
        los.push(b.status(1));
    }
    assert_eq!(los, vec![1, 1, 1, 0, 0, 0]);
    let stats = sim.cable_stats("trunk").unwrap();
    assert_eq!(stats.a_to_b.restarts, 1);
    // Without a bit_offset in the bench, the healed line comes back at a new phase
    // (drawn from the seed; this seed gives a different one).
    assert_ne!(stats.a_to_b.bit_offset, before);
    assert!(control.cut("no-such-cable", 3).is_err());
}

#[test]
fn ais_delivers_all_ones_without_los() {
    let cable = "bit_offset = 0\n[[cable.fault]]\nkind = \"ais\"\nat_ms = 2\nduration_ms = 3\ndirection = \"a_to_b\"\n";
    let (mut sim, _dir) = simulator(&pair_with(cable));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let control = sim.control();
    let (mut feed_a, mut feed_b) = (Feeder::new(5), Feeder::new(6));
    for block in 0..10usize {
        feed_a.top_up(&a, 0);
        feed_b.top_up(&b, 1);
        if block == 7 {
            control.set_ais("trunk", true).unwrap();
        }
        if block == 9 {
            control.set_ais("trunk", false).unwrap();
        }
        sim.step().unwrap();
        let (rx_a, rx_b) = (a.take_rx(0), b.take_rx(1));
        assert_eq!((a.status(0), b.status(1)), (0, 0));
        let ais_to_b = (2..5).contains(&block) || block == 7 || block == 8;
        let ais_to_a = block == 7 || block == 8;
        let ones = vec![0xffu8; 256];
        let range = block * 256..(block + 1) * 256;
        assert_eq!(
            rx_b,
            if ais_to_b { ones.clone() } else { feed_a.sent[range.clone()].to_vec() },
            "{block}"
        );
        assert_eq!(rx_a, if ais_to_a { ones } else { feed_b.sent[range].to_vec() }, "{block}");
    }
    let stats = sim.cable_stats("trunk").unwrap();
    assert_eq!((stats.a_to_b.ais_blocks, stats.b_to_a.ais_blocks), (5, 2));
}

#[test]
fn a_crc_burst_and_injected_errors_invert_exactly_what_stats_say() {
    let cable = "bit_offset = 0\n[[cable.fault]]\nkind = \"crc_burst\"\nat_ms = 3\nduration_ms = 2\ndirection = \"b_to_a\"\n";
    let (mut sim, _dir) = simulator(&pair_with(cable));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let control = sim.control();
    let (mut feed_a, mut feed_b) = (Feeder::new(7), Feeder::new(8));
    let (mut rx_a, mut rx_b) = (Vec::new(), Vec::new());
    for block in 0..8 {
        feed_a.top_up(&a, 0);
        feed_b.top_up(&b, 1);
        if block == 6 {
            control.inject_bit_errors("trunk", Direction::AToB, 5).unwrap();
        }
        sim.step().unwrap();
        rx_a.extend(a.take_rx(0));
        rx_b.extend(b.take_rx(1));
    }
    let to_a: Vec<u64> =
        (0..8).map(|k| differing_bits(&rx_a[k * 256..][..256], &feed_b.sent[k * 256..][..256])).collect();
    assert_eq!(to_a, vec![0, 0, 0, 64, 64, 0, 0, 0]);
    let flipped: Vec<usize> =
        (0..rx_b.len() * 8).filter(|&i| bit(&rx_b, i) != bit(&feed_a.sent, i)).collect();
    assert_eq!(flipped, (0..5).map(|k| 6 * 2048 + k * 33).collect::<Vec<_>>());
    let stats = sim.cable_stats("trunk").unwrap();
    assert_eq!((stats.a_to_b.bit_errors, stats.b_to_a.bit_errors), (5, 128));
}

#[test]
fn line_code_violations_are_counted_by_the_receiving_span() {
    let (mut sim, _dir) = simulator(&pair_with("bit_offset = 0\nlcv_rate = 1e-3"));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let mut feed = Feeder::new(9);
    let mut rx = Vec::new();
    for _ in 0..200 {
        feed.top_up(&a, 0);
        sim.step().unwrap();
        rx.extend(b.take_rx(1));
    }
    let stats = sim.cable_stats("trunk").unwrap();
    let lcvs = b.counters(1).0;
    assert_eq!(lcvs, stats.a_to_b.line_code_violations);
    assert_eq!(a.counters(0).0, stats.b_to_a.line_code_violations);
    assert_eq!(differing_bits(&rx, &feed.sent[..rx.len()]), lcvs);
    // 409 600 bits at 1e-3: 409.6 expected, sigma ~20.
    assert!((309..=510).contains(&lcvs), "{lcvs}");
}

#[test]
fn plus_50_ppm_gives_exactly_one_extra_unit_every_2500_blocks() {
    let (mut sim, _dir) = simulator(&pair_with("bit_offset = 0\nclock_ppm = 50"));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let mut feed = Feeder::new(10);
    let mut nines = Vec::new();
    let mut total = 0;
    for block in 1..=5000u64 {
        feed.top_up(&a, 0);
        sim.step().unwrap();
        let units = b.take_rx(1).len() / UNIT_OCTETS;
        total += units;
        match units {
            8 => {}
            9 => nines.push(block),
            n => panic!("block {block}: {n} units"),
        }
        a.take_rx(0);
    }
    assert_eq!(nines, vec![2500, 5000]);
    assert_eq!(total, 40_002);
    assert_eq!(a.tx_taken(0), 40_002);
    let stats = sim.cable_stats("trunk").unwrap();
    assert_eq!(stats.a_to_b.frame_slips, 2);
    assert_eq!(stats.b_to_a.frame_slips, -2);
    assert_eq!(b.counters(1), (0, 0, 5000 * 8));
}

#[test]
fn a_loop_timed_span_transmits_at_the_rate_it_receives() {
    let bench = r#"
[[board]]
name = "a"
spans = 1
clock_ppm = -50
[[board]]
name = "b"
spans = 1
clock_ppm = 20
[[cable]]
a = "a:0"
b = "b:0"
bit_offset = 0
"#;
    let (mut sim, _dir) = simulator(bench);
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    b.set_clock(0, clock::LINE);
    for _ in 0..5000 {
        sim.step().unwrap();
        a.take_rx(0);
        b.take_rx(0);
    }
    // a runs 50 ppm slow: 2 units short over 5000 blocks; b follows a exactly. Nobody
    // feeds the TX rings, so every unit clocked out is an underrun.
    assert_eq!(a.counters(0).2, 39_998);
    assert_eq!(b.counters(0).2, 39_998);
    let stats = sim.cable_stats("a:0-b:0").unwrap();
    assert_eq!((stats.a_to_b.frame_slips, stats.b_to_a.frame_slips), (0, 0));
    assert_eq!((stats.a_to_b.units_delivered, stats.b_to_a.units_delivered), (39_998, 39_998));
}

#[test]
fn local_loopback_returns_the_transmitted_units_and_still_sends_them() {
    let (mut sim, _dir) = simulator(&pair_with("bit_offset = 3"));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let mut feed = Feeder::new(12);
    a.set_loopback(0, loopback::LOCAL);
    let (mut rx_a, mut rx_b) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        feed.top_up(&a, 0);
        sim.step().unwrap();
        rx_a.extend(a.take_rx(0));
        rx_b.extend(b.take_rx(1));
    }
    assert_eq!(rx_a, feed.sent[..20 * 256]);
    assert_eq!(rx_b, shifted(&feed.sent, 3, 20 * 256));
    // With no cable at all, local loopback still sees its own signal: no LOS.
    let (mut alone, _dir2) = simulator("[[board]]\nname = \"x\"\nspans = 1\n");
    let x = board(&alone, "x");
    alone.step().unwrap();
    assert_eq!((x.status(0), x.take_rx(0)), (status::LOS, vec![0u8; 256]));
    x.set_loopback(0, loopback::LOCAL);
    let mut feed = Feeder::new(13);
    feed.top_up(&x, 0);
    alone.step().unwrap();
    assert_eq!((x.status(0), x.take_rx(0)), (0, feed.sent[..256].to_vec()));
}

#[test]
fn remote_loopback_sends_the_line_back_and_drops_the_driver_tx() {
    let (mut sim, _dir) = simulator(&pair_with("bit_offset = 0"));
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    let (mut feed_a, mut feed_b) = (Feeder::new(14), Feeder::new(15));
    b.set_loopback(1, loopback::REMOTE);
    let (mut rx_a, mut rx_b) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        feed_a.top_up(&a, 0);
        feed_b.top_up(&b, 1);
        sim.step().unwrap();
        rx_a.extend(a.take_rx(0));
        rx_b.extend(b.take_rx(1));
    }
    // b's driver still receives a's stream; b sends it back one block later (the
    // first block carries the loop's empty buffer: zeros); b's own TX is consumed.
    assert_eq!(rx_b, feed_a.sent[..20 * 256]);
    assert_eq!(rx_a[..256], [0u8; 256]);
    assert_eq!(rx_a[256..], feed_a.sent[..19 * 256]);
    assert_eq!(b.tx_taken(1), 160);
    assert_eq!(b.counters(1), (0, 0, 0));
}

#[test]
fn rings_count_overruns_and_underruns_and_underruns_send_ones() {
    let bench = "[[board]]\nname = \"a\"\nspans = 1\nring_units = 32\n[[board]]\nname = \"b\"\nspans = 1\n\
                 [[cable]]\na = \"a:0\"\nb = \"b:0\"\nbit_offset = 0\n";
    let (mut sim, _dir) = simulator(bench);
    let (a, b) = (board(&sim, "a"), board(&sim, "b"));
    for _ in 0..10 {
        sim.step().unwrap();
        assert_eq!(b.take_rx(0), vec![0xffu8; 256]);
    }
    // Nobody fed a's TX or read its RX: 80 units of all ones went out, and 80 - 32
    // received units found no room.
    assert_eq!(a.counters(0), (0, 48, 80));
    assert_eq!(a.take_rx(0).len(), 32 * UNIT_OCTETS);
}

#[test]
fn the_same_seed_gives_a_bit_identical_run() {
    let bench = |seed: u64| {
        format!(
            "seed = {seed}\n{}\n[[cable]]\na = \"a:0\"\nb = \"b:0\"\nber = 1e-3\nlcv_rate = 1e-4\n\
             [[cable.fault]]\nkind = \"crc_burst\"\nat_ms = 50\nduration_ms = 30\n\
             [[cable.fault]]\nkind = \"cut\"\nat_ms = 100\nduration_ms = 7\n",
            PAIR.replace("seed = 11", "")
        )
    };
    let run = |seed: u64| {
        let (mut sim, _dir) = simulator(&bench(seed));
        let (a, b) = (board(&sim, "a"), board(&sim, "b"));
        let (mut feed_a, mut feed_b) = (Feeder::new(16), Feeder::new(17));
        let (mut rx_a, mut rx_b) = (Vec::new(), Vec::new());
        for _ in 0..300 {
            feed_a.top_up(&a, 0);
            feed_b.top_up(&b, 0);
            sim.step().unwrap();
            rx_a.extend(a.take_rx(0));
            rx_b.extend(b.take_rx(0));
        }
        (rx_a, rx_b, sim.cable_stats("a:0-b:0").unwrap())
    };
    let first = run(1);
    let second = run(1);
    assert_eq!(first.0.len(), 300 * 256);
    assert!(first == second, "two runs with seed 1 differ");
    let other = run(2);
    assert_ne!(first.0, other.0);
    assert_ne!(first.2, other.2);
}
