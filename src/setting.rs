//! The values a caller sets that the library's words must name. The library says what each
//! one is; the caller names it the way its user gave it (the command line: by its flag).

use std::fmt;

/// A value the caller set, named by what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    /// The port of 127.0.0.1 the sandbox listens on.
    SandboxPort,
    /// The file the sandbox keeps its data in.
    SandboxData,
    /// The addresses given for a host and port instead of looking its name up.
    Resolve,
    /// The port the receiver listens on.
    ReceiverPort,
    /// The local address the receiver listens on.
    ReceiverAddress,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Setting::SandboxPort => "the sandbox's port",
            Setting::SandboxData => "the sandbox's data file",
            Setting::Resolve => "the addresses given for a host",
            Setting::ReceiverPort => "the receiver's port",
            Setting::ReceiverAddress => "the receiver's address",
        })
    }
}
