//! The integration tests: one binary (one link) for all of them, each file a module.

mod common;

#[cfg(unix)]
mod action;
mod batch;
mod batch_faults;
mod browser;
mod conversation;
mod exactness;
mod faults;
mod generation;
mod http;
mod interactive;
mod keep_alive;
mod limits;
mod malformed_input;
mod media;
mod oauth;
mod oauth_current;
mod oauth_login;
mod oauth_url;
#[cfg(target_os = "linux")]
mod output;
mod properties;
mod sandbox;
mod scope;
mod secrets;
mod send;
#[cfg(unix)]
mod settings;
mod tls;
