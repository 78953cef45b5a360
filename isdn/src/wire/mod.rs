//! Wire formats: Q.921 frames ([`lapd`]) and Q.931 messages ([`q931`]) with their information
//! elements ([`ie`]), and their one-line text for traces ([`describe`]). Untrusted octets go
//! through checked constructors; errors are values; unknown code points round-trip.

pub mod describe;
pub mod ie;
pub mod lapd;
pub mod octets;
pub mod q931;

pub use octets::Octets;
