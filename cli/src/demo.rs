//! `tdm demo`: the line layer on a simulated bench, with nothing to install or configure.
//!
//! Two simulated boards joined by a cable, the real driver on each, virtual time in lockstep:
//! the spans come up, a cable cut (LOS) and then AIS raise and clear alarms on one side and
//! RAI on the other, and a BERT runs through a remote loopback with errors injected on
//! purpose. It ends by itself with a summary. `--live` runs the same bench at wall-clock
//! pace as a running system instead (control socket served, live monitor).

use std::time::{Duration, Instant};

use tdm_driver::bert::Pattern;
use tdm_driver::framer::{Crc4Mode, FramerConfig};
use tdm_driver::{BoardPaths, Driver, DriverHandle, Event, Loopback, SpanConfig, Timeslots};
use tdm_hw_sim::{Bench, Simulator};

use crate::report::{bert_json, bert_line, span_json, status_table};
use crate::system::describe;

/// The demo's bench: what happens on the cable, and when (virtual ms).
pub const BENCH: &str = r#"
seed = 2026
[[board]]
name = "exchange"
spans = 1
[[board]]
name = "pbx"
spans = 1
[[cable]]
name = "trunk"
a = "exchange:0"
b = "pbx:0"
[[cable.fault]]
kind = "cut"
at_ms = 2000
duration_ms = 1000
direction = "a_to_b"
[[cable.fault]]
kind = "ais"
at_ms = 4500
duration_ms = 1000
direction = "a_to_b"
"#;

const BERT_START_MS: u64 = 7000;
const BERT_INJECT_MS: u64 = 8500;
const BERT_ERRORS: u32 = 25;
const END_MS: u64 = 10_500;

pub fn span_config() -> SpanConfig {
    SpanConfig {
        framer: FramerConfig { crc4: Crc4Mode::Auto, ..FramerConfig::default() },
        ..SpanConfig::default()
    }
}

pub fn run() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let bench = Bench::parse(BENCH, "the demo bench")?;
    let dir = tempfile::Builder::new().prefix("tdm-demo-").tempdir()?;
    let mut sim = Simulator::new(&bench, dir.path())?;
    let mut boards: Vec<(String, Driver, DriverHandle)> = Vec::new();
    for d in sim.devices().to_vec() {
        let paths = BoardPaths { memory: d.memory.clone(), interrupt: d.interrupt.clone() };
        let (driver, handle) = Driver::open(&paths, &[span_config()])?;
        boards.push((d.name.clone(), driver, handle));
    }
    println!("tdm demo: two simulated E1 boards, \"exchange\" and \"pbx\", joined by the cable \"trunk\".");
    println!(
        "Virtual time runs in lockstep with the drivers; the cable is cut at 2.0 s and sends AIS at 4.5 s.\n"
    );
    while sim.now_ms() < END_MS {
        sim.step()?;
        for (_, driver, _) in &mut boards {
            driver.service(Duration::from_secs(5))?;
        }
        let now = sim.now_ms();
        for (name, _, handle) in &boards {
            for event in handle.events().try_iter() {
                if let Event::Line { .. } = event {
                    let (at, text) = describe(&event);
                    println!("  {:>6.3} s  {name:<9} {text}", at as f64 / 1000.0);
                }
            }
        }
        let (exchange, pbx) = (&boards[0].2, &boards[1].2);
        match now {
            BERT_START_MS => {
                println!(
                    "\n  {:>6.3} s  pbx       remote loopback on; exchange starts a 2^15-1 BERT on timeslots 1-31",
                    now as f64 / 1000.0
                );
                pbx.set_loopback(0, Loopback::Remote)?;
                exchange.start_bert(0, Pattern::Prbs15, Timeslots::PAYLOAD)?;
            }
            BERT_INJECT_MS => {
                println!(
                    "  {:>6.3} s  exchange  injects {BERT_ERRORS} bit errors into the BERT stream",
                    now as f64 / 1000.0
                );
                exchange.inject_bert_errors(0, BERT_ERRORS)?;
            }
            _ => {}
        }
    }
    let spans: Vec<_> = boards
        .iter()
        .filter_map(|(name, _, h)| h.report(0).map(|r| span_json(&format!("{name}:0"), &r)))
        .collect();
    println!(
        "\nSummary after {:.1} s of line time ({:.2} s of wall time):\n",
        END_MS as f64 / 1000.0,
        started.elapsed().as_secs_f64()
    );
    print!("{}", status_table(&spans));
    let bert = boards[0].2.report(0).and_then(|r| r.bert).ok_or("the BERT did not run")?;
    println!("\n{}", bert_line(&bert_json(&bert)));
    let verdict = if bert.errors == u64::from(BERT_ERRORS) && bert.in_sync { "PASS" } else { "FAIL" };
    println!("BERT verdict: {verdict} ({} errors counted, {BERT_ERRORS} injected)", bert.errors);
    if verdict == "FAIL" {
        return Err("the BERT did not count exactly the errors injected".into());
    }
    Ok(())
}
