//! The HTTP layer: each request as it is sent, the client that sends it (again, when that
//! cannot duplicate it) over TLS, the answer and what it means, and the URL rules.

pub mod answer;
pub mod client;
mod proxy;
pub mod request;
pub mod retry;
pub mod serve;
mod tls;
pub mod url;
