//! ISUP wire format (Q.763): [`message`] (the message layout with its pointers),
//! [`params`] and [`number`] (the parameters), [`codes`] (message types and parameter
//! names). Untrusted octets go through [`Message::parse`]; errors are values; codes this
//! stack does not name are kept and re-sent as received.

pub mod codes;
pub mod message;
pub mod number;
pub mod params;

pub use codes::{MessageType, ParameterName};
pub use message::{
    Backward, Body, Cpg, Cqr, GroupSupervision, Iam, Inf, Inr, MAX_MESSAGE_LEN, Message, OptionalParameters,
    Sam, Suspend, Unrecognized, WithCause,
};
pub use number::{
    Nature, NumberFormat, NumberingPlan, PartyNumber, Presentation, Screening, SubsequentNumber,
};
pub use params::*;

use crate::circuit::octets::BufferTooSmall;
use core::fmt;

/// Why a message could not be read or written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsupError {
    /// Fewer octets than the message's fixed part and pointers need.
    Truncated {
        /// Octets needed (from the CIC on).
        needed: usize,
        /// Octets present.
        got: usize,
    },
    /// Longer than a message can be.
    TooLong {
        /// Its length.
        len: usize,
    },
    /// A pointer that is zero where a parameter is mandatory, or points past the end.
    BadPointer {
        /// Offset of the pointer from the CIC.
        at: usize,
        /// Its value.
        value: u8,
    },
    /// A parameter of the wrong length for its kind.
    BadLength {
        /// Parameter name.
        parameter: u8,
        /// Its length.
        len: usize,
    },
    /// A parameter whose contents break its format.
    BadContent {
        /// Parameter name.
        parameter: u8,
    },
    /// The optional part ends without "end of optional parameters".
    UnterminatedOptionalPart,
    /// The output buffer is too short.
    BufferTooSmall,
}

impl From<BufferTooSmall> for IsupError {
    fn from(_: BufferTooSmall) -> Self {
        IsupError::BufferTooSmall
    }
}

impl fmt::Display for IsupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IsupError::Truncated { needed, got } => {
                write!(f, "ISUP message needs {needed} octets, {got} present")
            }
            IsupError::TooLong { len } => write!(f, "ISUP message or parameter of {len} octets is too long"),
            IsupError::BadPointer { at, value } => write!(f, "pointer {value} at offset {at} points nowhere"),
            IsupError::BadLength { parameter, len } => {
                write!(f, "parameter {parameter:#04x} cannot be {len} octets long")
            }
            IsupError::BadContent { parameter } => write!(f, "parameter {parameter:#04x} is malformed"),
            IsupError::UnterminatedOptionalPart => write!(f, "optional part lacks its end octet"),
            IsupError::BufferTooSmall => write!(f, "output buffer too small"),
        }
    }
}

impl std::error::Error for IsupError {}

#[cfg(test)]
mod tests;
