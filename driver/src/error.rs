//! Driver errors: each says which device and what happened, and has a [`ErrorKind`] a caller
//! can react to without matching on backend details.

use std::fmt;
use std::io;
use std::path::PathBuf;

use tdm_abi::LayoutError;

/// What kind of failure, for callers that react (retry, mark the span down, give up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The device could not be opened or mapped.
    Open,
    /// The memory is not a board this driver speaks to.
    Layout,
    /// The board raised no interrupt in time.
    Timeout,
    /// The board went away (interrupt descriptor closed).
    Gone,
    /// A request named something that does not exist or is in use.
    BadRequest,
}

#[derive(Debug)]
pub enum Error {
    Open { device: PathBuf, source: io::Error },
    Layout { device: PathBuf, source: LayoutError },
    Timeout { device: PathBuf, waited_ms: u64 },
    Gone { device: PathBuf, source: Option<io::Error> },
    BadRequest(String),
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Open { .. } => ErrorKind::Open,
            Error::Layout { .. } => ErrorKind::Layout,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Gone { .. } => ErrorKind::Gone,
            Error::BadRequest(_) => ErrorKind::BadRequest,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Open { device, source } => write!(f, "{}: cannot open board: {source}", device.display()),
            Error::Layout { device, source } => {
                write!(f, "{}: not a usable board: {source}", device.display())
            }
            Error::Timeout { device, waited_ms } => {
                write!(f, "{}: board raised no interrupt in {waited_ms} ms", device.display())
            }
            Error::Gone { device, source: Some(e) } => {
                write!(f, "{}: board went away: {e}", device.display())
            }
            Error::Gone { device, source: None } => {
                write!(f, "{}: board went away (interrupt closed)", device.display())
            }
            Error::BadRequest(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Open { source, .. } => Some(source),
            Error::Layout { source, .. } => Some(source),
            Error::Gone { source: Some(e), .. } => Some(e),
            _ => None,
        }
    }
}
