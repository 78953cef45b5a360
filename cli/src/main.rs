//! `tdm`: run the system, diagnose E1 lines, and try the stack on the simulator.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use serde_json::{Value, json};

mod calls;
mod config;
mod config_ss7;
mod control;
mod demo;
mod dsp;
mod report;
mod report_ss7;
mod system;

use config::SystemConfig;
use control::Client;

#[derive(Parser)]
#[command(name = "tdm", version, about = "E1/PCM trunk driver and call-control stack")]
struct Cli {
    /// The running system's control socket.
    #[arg(long, global = true, env = "TDM_SOCKET")]
    socket: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the system described by a system file until interrupted.
    Run { config: PathBuf },
    /// Show every span's synchronisation, alarms and counters.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Loop a span (none, local, remote) or one timeslot (on, off) back.
    Loopback {
        /// The span, as <board>:<span>.
        span: String,
        /// none | local | remote, or with --timeslot: on | off.
        mode: String,
        #[arg(long)]
        timeslot: Option<u8>,
    },
    /// Run a bit-error-rate test on a span, with a live display and a final report.
    Bert {
        span: String,
        /// ITU-T O.150 pattern: 2^9-1, 2^11-1, 2^15-1, 2^20-1, 2^23-1.
        #[arg(long, default_value = "2^15-1")]
        pattern: String,
        /// Timeslots to test: 1-31 (framed, whole payload) or a list such as 5 or 1-15,17-31.
        #[arg(long, default_value = "1-31")]
        timeslots: String,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Bit errors to inject half way through, to prove the path counts them.
        #[arg(long, default_value_t = 0)]
        inject: u32,
    },
    /// A live view of every span that refreshes.
    Monitor {
        #[arg(long, default_value_t = 1000)]
        interval_ms: u64,
        /// Stop after this many refreshes (default: until interrupted).
        #[arg(long)]
        count: Option<u64>,
    },
    /// The line layer on a simulated bench: spans come up, faults, a BERT, a summary.
    Demo {
        /// Run at wall-clock pace as a live system with the monitor, until interrupted.
        #[arg(long)]
        live: bool,
    },
    /// Audio diagnostics: detect and generate tones in WAV or raw G.711 files.
    #[command(subcommand)]
    Dsp(dsp::DspCommand),
    /// Place a test call on an ISDN or No.1 span and print its progress until it ends.
    Call {
        /// The span, as <board>:<span>.
        span: String,
        /// The number to call.
        number: String,
        /// The calling number to send.
        #[arg(long)]
        calling: Option<String>,
        /// Hang up this many seconds (board time) after the answer.
        #[arg(long)]
        hangup_after: Option<f64>,
    },
    /// List the calls in progress.
    Calls {
        #[arg(long)]
        json: bool,
    },
    /// Clear a call (its number from `tdm calls`).
    Hangup {
        call: u32,
        /// Q.850 cause.
        #[arg(long, default_value_t = 16)]
        cause: u8,
    },
    /// Circuit maintenance on an ISUP or TUP span: block, unblock or reset CICs.
    Cic {
        /// block, unblock or reset.
        action: String,
        /// The span, as <board>:<span>.
        span: String,
        /// A CIC or a range `first-last`.
        cics: String,
    },
    /// Trace a span's signaling: an ISDN D-channel decoded live or into a pcap file for
    /// Wireshark; a No.1 span's line signals and register signals, live.
    Trace {
        span: String,
        /// Write a pcap file (LINKTYPE_LINUX_LAPD) instead of printing (ISDN spans).
        #[arg(long)]
        pcap: Option<PathBuf>,
        /// Stop after this many frames (or, on a No.1 span, line and register signals).
        #[arg(long)]
        count: Option<u64>,
        /// Stop after this many seconds.
        #[arg(long)]
        seconds: Option<f64>,
    },
}

pub(crate) type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let socket = cli.socket.clone().unwrap_or_else(config::default_socket);
    let result = match cli.command {
        Command::Run { config } => run(&config, cli.socket),
        Command::Status { json } => status(&socket, json),
        Command::Loopback { span, mode, timeslot } => loopback(&socket, span, mode, timeslot),
        Command::Bert { span, pattern, timeslots, seconds, inject } => {
            bert(&socket, &span, &pattern, &timeslots, seconds, inject)
        }
        Command::Monitor { interval_ms, count } => monitor(&socket, interval_ms, count, None),
        Command::Demo { live: false } => demo::run(),
        Command::Demo { live: true } => demo_live(cli.socket),
        Command::Dsp(cmd) => dsp::run(cmd),
        Command::Call { span, number, calling, hangup_after } => stop_on_signals()
            .and_then(|stop| calls::call(&socket, &span, &number, calling.as_deref(), hangup_after, &stop)),
        Command::Calls { json } => calls::calls(&socket, json),
        Command::Hangup { call, cause } => calls::hangup(&socket, call, cause),
        Command::Cic { action, span, cics } => calls::cic(&socket, &action, &span, &cics),
        Command::Trace { span, pcap, count, seconds } => stop_on_signals()
            .and_then(|stop| calls::trace(&socket, &span, pcap.as_deref(), count, seconds, &stop)),
    };
    if let Err(e) = result {
        eprintln!("tdm: {e}");
        std::process::exit(1);
    }
}

/// SIGINT/SIGTERM set the returned flag instead of killing the process, so the system
/// stops cleanly (drivers released, socket removed).
fn stop_on_signals() -> Result<Arc<AtomicBool>> {
    use nix::sys::signal::{SigSet, Signal};
    let mut set = SigSet::empty();
    set.add(Signal::SIGINT);
    set.add(Signal::SIGTERM);
    set.thread_block()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    std::thread::spawn(move || {
        if set.wait().is_ok() {
            flag.store(true, Ordering::Relaxed);
        }
    });
    Ok(stop)
}

fn run(path: &std::path::Path, socket_override: Option<PathBuf>) -> Result<()> {
    let stop = stop_on_signals()?;
    let mut config = SystemConfig::from_file(path)?;
    if let Some(s) = socket_override {
        config.socket = s;
    }
    serve_until_stopped(&config, &stop, |_| Ok(()))
}

fn serve_until_stopped(
    config: &SystemConfig,
    stop: &AtomicBool,
    mut each_second: impl FnMut(&system::System) -> Result<()>,
) -> Result<()> {
    let system = Arc::new(system::System::start(config)?);
    control::serve(system.clone(), &config.socket)?;
    let spans: u32 = system.boards.iter().map(|b| b.handle.span_count()).sum();
    eprintln!(
        "tdm: running {} board(s), {spans} span(s); control socket {}",
        system.boards.len(),
        config.socket.display()
    );
    let mut last = Instant::now();
    while !stop.load(Ordering::Relaxed) && !system.failed() {
        std::thread::sleep(Duration::from_millis(100));
        if last.elapsed() >= Duration::from_secs(1) {
            last = Instant::now();
            each_second(&system)?;
        }
    }
    let _ = std::fs::remove_file(&config.socket);
    let failed = system.failed();
    let errors = Arc::try_unwrap(system).map(|s| s.stop()).unwrap_or_default();
    if failed {
        return Err(format!("system stopped: {}", errors.join("; ")).into());
    }
    Ok(())
}

fn status(socket: &std::path::Path, as_json: bool) -> Result<()> {
    let reply = Client::connect(socket)?.call(json!({"cmd": "status"}))?;
    let spans = reply["spans"].as_array().cloned().unwrap_or_default();
    if as_json {
        println!("{}", serde_json::to_string_pretty(&Value::Array(spans))?);
    } else {
        print!("{}", report::status_table(&spans));
    }
    Ok(())
}

fn loopback(socket: &std::path::Path, span: String, mode: String, timeslot: Option<u8>) -> Result<()> {
    let request = match timeslot {
        None => json!({"cmd": "loopback", "span": span, "mode": mode}),
        Some(ts) => {
            let on = match mode.as_str() {
                "on" => true,
                "off" => false,
                other => return Err(format!("timeslot loopback mode {other:?}: use on or off").into()),
            };
            json!({"cmd": "timeslot_loopback", "span": span, "timeslot": ts, "on": on})
        }
    };
    Client::connect(socket)?.call(request)?;
    Ok(())
}

fn bert(
    socket: &std::path::Path,
    span: &str,
    pattern: &str,
    timeslots: &str,
    seconds: u64,
    inject: u32,
) -> Result<()> {
    let mut client = Client::connect(socket)?;
    client.call(json!({"cmd": "bert_start", "span": span, "pattern": pattern, "timeslots": timeslots}))?;
    let tty = std::io::stdout().is_terminal();
    let started = Instant::now();
    let mut injected = false;
    let finish = |client: &mut Client| client.call(json!({"cmd": "bert_stop", "span": span}));
    while started.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(Duration::from_millis(250));
        if !injected && inject > 0 && started.elapsed() >= Duration::from_secs(seconds) / 2 {
            client.call(json!({"cmd": "bert_inject", "span": span, "count": inject}))?;
            injected = true;
        }
        let reply = client.call(json!({"cmd": "status"}))?;
        let line = reply["spans"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["span"] == json!(span)))
            .map(|s| report::bert_line(&s["bert"]))
            .unwrap_or_default();
        let elapsed = started.elapsed().as_secs();
        if tty {
            print!("\r\x1b[2K[{elapsed:>3}/{seconds} s] {line}");
            std::io::stdout().flush()?;
        } else if started.elapsed().as_millis() % 1000 < 250 {
            println!("[{elapsed:>3}/{seconds} s] {line}");
        }
    }
    let last = finish(&mut client)?;
    if tty {
        println!();
    }
    let b = &last["bert"];
    println!("BERT report for {span}: {}", report::bert_line(b));
    if inject > 0 {
        println!("  injected {inject}, counted {}", b["errors"]);
    }
    Ok(())
}

fn monitor(
    socket: &std::path::Path,
    interval_ms: u64,
    count: Option<u64>,
    stop: Option<&AtomicBool>,
) -> Result<()> {
    let mut client = Client::connect(socket)?;
    let mut seen = 0u64;
    let mut recent: Vec<String> = Vec::new();
    let tty = std::io::stdout().is_terminal();
    let mut n = 0;
    while count.is_none_or(|c| n < c) && !stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
        let status = client.call(json!({"cmd": "status"}))?;
        let events = client.call(json!({"cmd": "events", "since": seen}))?;
        for e in events["events"].as_array().into_iter().flatten() {
            seen = seen.max(e["seq"].as_u64().unwrap_or(0));
            recent.push(format!(
                "{:>9.3} s  {:<10} {}",
                e["at_ms"].as_u64().unwrap_or(0) as f64 / 1000.0,
                e["board"].as_str().unwrap_or("?"),
                e["text"].as_str().unwrap_or("")
            ));
        }
        if recent.len() > 10 {
            recent.drain(..recent.len() - 10);
        }
        let spans = status["spans"].as_array().cloned().unwrap_or_default();
        if tty {
            print!("\x1b[2J\x1b[H");
        }
        println!("tdm monitor ({})\n", socket.display());
        print!("{}", report::status_table(&spans));
        println!("\nrecent events:");
        for line in &recent {
            println!("  {line}");
        }
        std::io::stdout().flush()?;
        n += 1;
        std::thread::sleep(Duration::from_millis(interval_ms));
    }
    Ok(())
}

fn demo_live(socket: Option<PathBuf>) -> Result<()> {
    let stop = stop_on_signals()?;
    let dir = tempfile::Builder::new().prefix("tdm-demo-").tempdir()?;
    let bench = dir.path().join("bench.toml");
    std::fs::write(&bench, demo::BENCH)?;
    let board = |name: &str| config::BoardConfig {
        name: name.into(),
        device: config::Device::Sim(name.into()),
        spans: vec![demo::span_config()],
        isdn: Vec::new(),
        no1: Vec::new(),
        ss7: Vec::new(),
    };
    let config = SystemConfig {
        socket: socket.unwrap_or_else(config::default_socket),
        simulator: Some(config::SimulatorConfig {
            bench,
            pacing: config::Pacing::Realtime,
            dir: Some(dir.path().join("boards")),
        }),
        boards: vec![board("exchange"), board("pbx")],
        ss7: Vec::new(),
    };
    let monitor_socket = config.socket.clone();
    let stop_monitor = stop.clone();
    let viewer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(500));
        monitor(&monitor_socket, 1000, None, Some(&stop_monitor)).map_err(|e| e.to_string())
    });
    let served = serve_until_stopped(&config, &stop, |_| Ok(()));
    stop.store(true, Ordering::Relaxed);
    let _ = viewer.join();
    served
}
