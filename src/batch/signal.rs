//! The signals that stop a batch: what the caller listens to, and how long requests in
//! flight may still take once one came.

use std::time::Duration;

use crate::error::Error;

/// How long requests in flight may still take to end once a signal stopped the batch: a
/// CI runner kills a job about 10 s after cancelling it, and the summary must come first.
pub const SIGNAL_GRACE: Duration = Duration::from_secs(3);

/// A signal that asks a batch to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// 128 plus the signal's number, as shells report a process the signal ended.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    /// The error a batch that this signal stopped ends with.
    pub fn error(self) -> Error {
        Error::Interrupted {
            signal: self.name(),
            code: self.exit_code(),
        }
    }
}

/// The signals a batch listens to while it runs.
pub trait Interrupts {
    /// Completes at the next signal.
    fn next(&mut self) -> impl Future<Output = Signal>;
}
