//! kenar-chat: send chat messages through Divar's open platform (Kenar Divar).
//!
//! The library knows the protocol and nothing of the command line: scopes and resource
//! IDs, the message model and its checks, the OAuth authorization URL, and the HTTP
//! client. The `kenar-chat` binary is a thin shell over it.

pub mod authorize;
pub mod batch;
pub mod client;
pub mod config;
pub mod duplicate_keys;
pub mod error;
pub mod http_url;
pub mod icons;
pub mod input;
pub mod loopback;
pub mod media;
pub mod message;
pub mod platform;
pub mod redirect;
pub mod refresh;
pub mod retry;
pub mod sandbox;
pub mod scope;
pub mod secret;
pub mod store;
mod tls;
pub mod token;
pub mod visible;

pub use error::{Error, Result};
