//! The floor below the commands: the flags several commands flatten, each with its checked
//! form, and the one signal listener. Nothing here names a command or the top-level parser.

pub mod authorization;
pub mod connection;
pub mod credentials;
pub mod dry_run;
pub mod forbidden_advice;
pub mod oauth_refusal;
pub mod platform;
pub mod profile;
pub mod relay;
pub mod scope_names;
pub mod scopes;
pub mod seconds;
pub mod signals;
pub mod subscription;
pub mod tokens;
pub mod worded;
