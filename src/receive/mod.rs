//! Receiving what Divar sends an app (events.md): reading it ([`event`]), checking who sent
//! it ([`auth`]), keeping it ([`record`]), passing it to the app under development
//! ([`forward`]), and the server that does all four ([`server`]); with sample requests
//! built from Divar's examples ([`fixture`]), and the subscription that asks Divar to send
//! events ([`subscription`]).

pub mod auth;
pub mod event;
pub mod fixture;
pub mod forward;
pub mod record;
#[cfg(feature = "listen")]
pub mod server;
pub mod subscription;
