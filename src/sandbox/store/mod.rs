//! What the sandbox keeps: accepted messages and the replies typed in the chat view,
//! issued tokens and codes, events subscriptions, the conversations it knows, uploaded
//! media, and its generated credentials. One SQLite database, in memory or in the
//! `--data` file, so that both behave the same.
//!
//! [`db`] opens the database and keeps its schema; each other file adds what the sandbox
//! asks of one table or two, and this one names what the rest of the sandbox may use.

mod conversations;
mod db;
mod grants;
mod media;
mod messages;
mod replies;
mod subscriptions;

pub use conversations::Conversation;
pub use db::Store;
pub use grants::{CodeRefusal, Grant, Issued, NewCode, RefreshGrant};
pub use media::{Medium, NewMedium, UploadToken};
pub use messages::{BOT_SENDER, StoredMessage};
pub use replies::Delivery;
pub use subscriptions::{Coverage, NewSubscription};
