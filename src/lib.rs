//! kenar-chat: send chat messages through Divar's open platform (Kenar Divar).
//!
//! The library knows the protocol and nothing of the command line: scopes and resource
//! IDs, the message model and its checks, the OAuth authorization URL, and the HTTP
//! client. The `kenar-chat` binary is a thin shell over it.

pub mod auth;
pub mod batch;
pub mod config;
pub mod doctor;
pub mod duplicate_keys;
pub mod error;
pub mod forbidden;
pub mod http;
pub mod icons;
pub mod input;
pub mod media;
pub mod message;
pub mod platform;
pub mod receive;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod scope;
pub mod scope_catalogue;
pub mod secret;
pub mod setting;
pub mod time;
pub mod timestamp;
pub mod visible;

pub use error::{Error, Result};
pub use setting::Setting;
