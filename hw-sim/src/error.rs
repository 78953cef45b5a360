//! What can go wrong when building or running a simulated bench.

use std::fmt;
use std::io;
use std::path::PathBuf;

use tdm_abi::LayoutError;

/// An error of the simulator, naming the board, cable or path concerned.
#[derive(Debug)]
pub enum SimError {
    /// The directory for the boards' files could not be created.
    Directory { path: PathBuf, error: io::Error },
    /// A board's memory file could not be created or mapped.
    Memory { board: String, path: PathBuf, error: io::Error },
    /// The board ABI refused a board's shape (cannot happen for a checked bench).
    Layout { board: String, error: LayoutError },
    /// A socket could not be bound, or its listener failed.
    Socket {
        /// Whose socket: `board a interrupt` or `cable trunk external port`.
        owner: String,
        path: PathBuf,
        error: io::Error,
    },
    /// A control named a cable the bench does not have.
    UnknownCable { name: String },
    /// A control gave a value outside its range.
    OutOfRange { what: &'static str, value: f64, min: f64, max: f64 },
    /// The simulator a control belongs to no longer exists.
    Gone,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::Directory { path, error } => {
                write!(f, "cannot create the board directory {}: {error}", path.display())
            }
            SimError::Memory { board, path, error } => {
                write!(f, "board {board}: cannot create the memory file {}: {error}", path.display())
            }
            SimError::Layout { board, error } => write!(f, "board {board}: {error}"),
            SimError::Socket { owner, path, error } => {
                write!(f, "{owner}: socket {} failed: {error}", path.display())
            }
            SimError::UnknownCable { name } => write!(f, "no cable named \"{name}\" on this bench"),
            SimError::OutOfRange { what, value, min, max } => {
                write!(f, "{what} {value} is out of range: expected {min} to {max}")
            }
            SimError::Gone => write!(f, "the simulator has been dropped"),
        }
    }
}

impl std::error::Error for SimError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SimError::Directory { error, .. }
            | SimError::Memory { error, .. }
            | SimError::Socket { error, .. } => Some(error),
            SimError::Layout { error, .. } => Some(error),
            _ => None,
        }
    }
}
