//! The integration tests: one binary (one link) for all of them, each file a module.

mod common;

// The modules that start the sandbox exist only in a build that has it.
#[cfg(all(unix, feature = "sandbox"))]
mod action;
mod batch;
mod batch_faults;
#[cfg(feature = "sandbox")]
mod browser;
mod chatbot;
mod conversation;
#[cfg(feature = "sandbox")]
mod doctor;
mod exactness;
mod faults;
mod generation;
#[cfg(feature = "sandbox")]
mod grant_failures;
mod http;
mod input_errors;
mod interactive;
mod keep_alive;
mod limits;
#[cfg(feature = "listen")]
mod listen;
#[cfg(feature = "listen")]
mod listen_subscribe;
mod malformed_input;
mod media;
mod network_errors;
mod oauth;
mod oauth_current;
mod oauth_login;
mod oauth_url;
#[cfg(target_os = "linux")]
mod output;
mod properties;
mod raw_answers;
#[cfg(feature = "sandbox")]
mod sandbox;
mod scope;
mod scope_names;
mod secrets;
mod send;
#[cfg(unix)]
mod settings;
mod subscribe;
mod tls;
mod token_policy;
mod trigger;
