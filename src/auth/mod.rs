//! OAuth and the tokens it gives: asking the user (authorization URL, redirect, loopback
//! listener), the token endpoint, the stored tokens, and the one policy that picks,
//! refreshes and renews a stored token for a message.

pub mod authorize;
pub mod loopback;
pub mod oauth_error;
pub mod redirect;
pub mod refresh;
pub mod store;
pub mod token;
pub mod token_source;
