//! The external line port, with a thread playing the far end over the socket.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::{Feeder, MappedBoard};
use tdm_abi::status;
use tdm_hw_sim::{Bench, LINE_HELLO, Simulator};

fn bench(socket: &Path) -> Bench {
    let text = format!(
        "[[board]]\nname = \"a\"\nspans = 1\n[[cable]]\nname = \"ext\"\na = \"a:0\"\nexternal = \"{}\"\nbit_offset = 0\n",
        socket.display()
    );
    Bench::parse(&text, "external.toml").unwrap()
}

fn peer_block(k: usize) -> Vec<u8> {
    (0..256).map(|i| (k * 7 + i * 3) as u8).collect()
}

/// Reads `n` blocks from the span, answering each with `peer_block(first + k)`.
fn exchange(stream: &mut UnixStream, first: usize, n: usize) -> Vec<Vec<u8>> {
    (0..n)
        .map(|k| {
            let mut block = vec![0u8; 256];
            stream.read_exact(&mut block).unwrap();
            stream.write_all(&peer_block(first + k)).unwrap();
            block
        })
        .collect()
}

struct Setup {
    sim: Simulator,
    board: MappedBoard,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("peer.sock");
    let mut sim = Simulator::new(&bench(&socket), &dir.path().join("boards")).unwrap();
    sim.set_peer_timeout(Duration::from_secs(10));
    let board = MappedBoard::open(&sim.devices()[0].memory);
    Setup { sim, board, socket, _dir: dir }
}

#[test]
fn a_peer_exchanges_blocks_and_a_new_peer_gets_a_new_hello() {
    let Setup { mut sim, board, socket, _dir } = setup();
    let control = sim.control();
    let mut feed = Feeder::new(21);
    let step = |sim: &mut Simulator, feed: &mut Feeder| {
        feed.top_up(&board, 0);
        sim.step().unwrap();
        (board.status(0), board.take_rx(0))
    };
    // No peer yet: LOS and zeros, and time goes on.
    for _ in 0..3 {
        assert_eq!(step(&mut sim, &mut feed), (status::LOS, vec![0u8; 256]));
    }

    let (connected_tx, connected) = mpsc::channel();
    let (go_tx, go) = mpsc::channel::<()>();
    let peer_socket = socket.clone();
    let peer = std::thread::spawn(move || {
        let mut stream = UnixStream::connect(&peer_socket).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        connected_tx.send(()).unwrap();
        let mut hello = [0u8; 16];
        stream.read_exact(&mut hello).unwrap();
        assert_eq!(hello, LINE_HELLO);
        let first = exchange(&mut stream, 0, 5);
        drop(stream);
        connected_tx.send(()).unwrap();
        go.recv().unwrap();
        let mut stream = connect_after(&peer_socket, &connected_tx);
        let second = exchange(&mut stream, 100, 3);
        (first, second)
    });

    connected.recv().unwrap();
    for k in 0..5 {
        assert_eq!(step(&mut sim, &mut feed), (0, peer_block(k)), "block {}", 3 + k);
    }
    // The peer hangs up: the span sees LOS in the block that finds it gone.
    connected.recv().unwrap();
    assert_eq!(step(&mut sim, &mut feed), (status::LOS, vec![0u8; 256]));
    go_tx.send(()).unwrap();
    connected.recv().unwrap();
    assert_eq!(step(&mut sim, &mut feed), (0, peer_block(100)));
    assert_eq!(step(&mut sim, &mut feed), (0, peer_block(101)));
    // Impairments apply on this port too: AIS reaches both the peer and the span.
    control.set_ais("ext", true).unwrap();
    assert_eq!(step(&mut sim, &mut feed), (0, vec![0xff; 256]));

    let (first, second) = peer.join().unwrap();
    // The peer got exactly what the span transmitted: blocks 3..8 and 9..11 of the
    // TX stream (the span kept transmitting while nobody listened).
    for (k, block) in first.iter().enumerate() {
        assert_eq!(block[..], feed.sent[(3 + k) * 256..][..256], "first peer, block {k}");
    }
    assert_eq!(second[0], feed.sent[9 * 256..10 * 256]);
    assert_eq!(second[1], feed.sent[10 * 256..11 * 256]);
    assert_eq!(second[2], vec![0xff; 256]);
    let stats = sim.cable_stats("ext").unwrap();
    assert_eq!(stats.b_to_a.restarts, 2);
    assert_eq!(stats.b_to_a.units_delivered, 8 * 8);
}

fn connect_after(socket: &Path, connected: &mpsc::Sender<()>) -> UnixStream {
    let stream = UnixStream::connect(socket).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    connected.send(()).unwrap();
    let mut hello = [0u8; 16];
    (&stream).read_exact(&mut hello).unwrap();
    assert_eq!(hello, LINE_HELLO);
    stream
}

#[test]
fn a_silent_peer_is_dropped_after_the_timeout() {
    let Setup { mut sim, board, socket, _dir } = setup();
    sim.set_peer_timeout(Duration::from_millis(50));
    let mut stream = {
        let (tx, rx) = mpsc::channel();
        let s = socket.clone();
        let t = std::thread::spawn(move || connect_after(&s, &tx));
        rx.recv().unwrap();
        sim.step().unwrap();
        t.join().unwrap()
    };
    assert_eq!(board.status(0), status::LOS);
    // The peer got its hello and one block, then the port hung up on it.
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert_eq!(rest.len(), 256);
    // A peer that connects later is greeted and served.
    let mut next = UnixStream::connect(&socket).unwrap();
    sim.step().unwrap();
    let mut hello = [0u8; 16];
    next.read_exact(&mut hello).unwrap();
    assert_eq!(hello, LINE_HELLO);
}
