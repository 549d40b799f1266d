//! What several commands share, below them all: no file here names a command.

pub mod signals;
