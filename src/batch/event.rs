//! What a batch tells its caller while it runs: each line that failed, why it stops, the
//! counts so far, the quota it learned, a line refused for a missing permission, and every
//! attempt of every request.

use url::Url;

use crate::error::Error;
use crate::http::retry;
use crate::scope::Recipient;
use crate::secret::SecretString;

use super::summary::{Stop, Summary};
use super::window::Quota;

/// Told about every attempt of a line's request (the line's number, then the event), as
/// the requests of a batch go out at once.
pub type Report = dyn Fn(u64, retry::Event<'_>) + Send + Sync;

/// What a batch reports while it runs.
#[derive(Debug)]
pub enum Event<'a> {
    /// A line was invalid, failed, or may not have been delivered.
    LineFailed { line: u64, error: &'a Error },
    /// The batch stops early, for this reason; requests in flight still end.
    Stopping(&'a Stop),
    /// The counts so far, as lines are read and end.
    Progress(&'a Summary),
    /// What the batch learned of the API's quota from its 429s, when it changes.
    Learned(&'a Quota),
    /// A line's request was refused with 403, just after its `LineFailed`.
    Forbidden(&'a Forbidden),
}

/// A line's request that the API refused with 403 (a permission missing), for the advice
/// that gets: where it went, to whom, and with which token.
#[derive(Debug)]
pub struct Forbidden {
    pub line: u64,
    pub url: Url,
    pub to: Recipient,
    pub access_token: Option<SecretString>,
}
