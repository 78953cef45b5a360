//! `tdm`: run the system, diagnose E1 lines, and try the stack on the simulator.

use clap::{Parser, Subcommand};

mod dsp;

#[derive(Parser)]
#[command(name = "tdm", version, about = "E1/PCM trunk driver and call-control stack")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audio diagnostics: detect and generate tones in WAV or raw G.711 files.
    #[command(subcommand)]
    Dsp(dsp::DspCommand),
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Dsp(cmd) => dsp::run(cmd),
    };
    if let Err(e) = result {
        eprintln!("tdm: {e}");
        std::process::exit(1);
    }
}
