//! One module per subcommand: its arguments and what it does.

pub mod conversation;
pub mod events;
pub mod generation;
pub mod icons;
#[cfg(feature = "listen")]
pub mod listen;
pub mod oauth;
pub mod oauth_url;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod scope;
pub mod send;
pub mod trigger;
