//! The scope flags (`--chat`, `--conversation`, `--post-chats`, `--supplier-chats`,
//! `--scope`, `--offline`) of the commands that ask for, store or forget tokens.

use clap::Args;
use kenar_chat::platform::Platform;
use kenar_chat::scope::{Chat, OFFLINE_ACCESS, Scope};
use kenar_chat::{Error, error};

use crate::cli::settings::Settings;
use crate::cli::shared::scope_names;

/// The scopes asked for, granted, or stored; which flags apply depends on the platform.
#[derive(Debug, Args)]
pub struct ScopeFlags {
    /// Sending in one chat, given as USER_ID:POST_TOKEN:PEER_ID (legacy; repeatable)
    #[arg(long = "chat", value_name = "USER:POST:PEER")]
    pub chats: Vec<String>,
    /// Sending in one conversation (current; repeatable)
    #[arg(long = "conversation", value_name = "CONVERSATION_ID")]
    pub conversations: Vec<String>,
    /// Sending in every chat of a post, as its owner on the current platform (repeatable)
    #[arg(long = "post-chats", value_name = "POST_TOKEN")]
    pub post_chats: Vec<String>,
    /// Sending in every conversation where the user is the seller (current)
    #[arg(long)]
    pub supplier_chats: bool,
    /// Sending as the app's chatbot: CHAT_BOT_USER_MESSAGE_SEND (current)
    #[arg(long)]
    pub bot: bool,
    /// Reading one conversation's text messages: CHAT_CONVERSATION_READ.ID (current;
    /// repeatable)
    #[arg(long = "read-conversation", value_name = "CONVERSATION_ID")]
    pub read_conversations: Vec<String>,
    /// A scope as written, such as USER_PHONE (repeatable)
    #[arg(long = "scope", value_name = "SCOPE")]
    pub raw_scopes: Vec<String>,
    /// Also ask for a refresh token (offline_access), so that the token can be refreshed
    /// (current)
    #[arg(long)]
    pub offline: bool,
}

impl ScopeFlags {
    /// Every requested scope on `platform`, or every problem with them at once. A flag of
    /// the other platform is refused, saying why.
    pub fn collect(&self, platform: Platform) -> Result<Vec<Scope>, Error> {
        let mut problems = self.foreign_flags(platform);
        let chats = self
            .chats
            .iter()
            .map(|chat| parse_chat(chat).map(Scope::Chat));
        let conversations = self
            .conversations
            .iter()
            .map(|id| Scope::conversation(id.as_str()).map_err(|e| e.prefixed("--conversation: ")));
        let posts = self
            .post_chats
            .iter()
            .map(|post| Scope::post(platform, post.as_str()));
        let supplier = self
            .supplier_chats
            .then_some(Ok(Scope::SupplierConversations));
        let bot = self.bot.then_some(Ok(Scope::Bot));
        let reads = self
            .read_conversations
            .iter()
            .map(|id| Scope::read(id.as_str()).map_err(|e| e.prefixed("--read-conversation: ")));
        let raw = self
            .raw_scopes
            .iter()
            .map(|raw| scope_names::typed(raw, "--scope"));
        let offline = self.offline.then(|| Scope::raw(OFFLINE_ACCESS));
        let mut scopes = Vec::new();
        for result in chats
            .chain(conversations)
            .chain(posts)
            .chain(supplier)
            .chain(bot)
            .chain(reads)
            .chain(raw)
            .chain(offline)
        {
            scopes.extend(error::gather(result, &mut problems)?);
        }
        error::valid(scopes, problems)
    }

    /// [`ScopeFlags::collect`], or the profile's `scopes` in the config file when no scope
    /// flag is given.
    pub fn requested(&self, platform: Platform, settings: &Settings) -> Result<Vec<Scope>, Error> {
        let scopes = self.collect(platform)?;
        if scopes.is_empty() {
            return scope_names::configured(settings);
        }
        Ok(scopes)
    }

    /// A problem for each flag given that `platform` has no scope for.
    fn foreign_flags(&self, platform: Platform) -> Vec<String> {
        let given = |flag: &str, present: bool| present.then(|| flag.to_owned());
        let foreign = match platform {
            Platform::Legacy => vec![
                given("--conversation", !self.conversations.is_empty()),
                given("--supplier-chats", self.supplier_chats),
                given("--bot", self.bot),
                given("--read-conversation", !self.read_conversations.is_empty()),
                given("--offline", self.offline),
            ],
            Platform::Current => vec![given("--chat", !self.chats.is_empty())],
        };
        let why = match platform {
            Platform::Legacy => {
                "asks for a scope of the current platform, which the legacy platform does not \
                 have (give --platform current)"
            }
            Platform::Current => {
                "names a chat of the legacy platform, which has no scope on the current platform \
                 (name conversations with --conversation)"
            }
        };
        foreign
            .into_iter()
            .flatten()
            .map(|flag| format!("{flag}: {why}"))
            .collect()
    }
}

fn parse_chat(value: &str) -> Result<Chat, Error> {
    let parts: Vec<&str> = value.split(':').collect();
    match parts[..] {
        [user, post, peer] => {
            Chat::new(user, post, peer).map_err(|e| e.prefixed(&format!("--chat {value:?}: ")))
        }
        _ => Err(Error::invalid(format!(
            "--chat {value:?}: must be USER_ID:POST_TOKEN:PEER_ID (three IDs separated by ':')"
        ))),
    }
}
