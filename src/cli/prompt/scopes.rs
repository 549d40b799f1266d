//! The questions that choose the scopes to ask a user for.

use anyhow::{Context as _, Result};
use dialoguer::MultiSelect;
use kenar_chat::Error;
use kenar_chat::platform::Platform;
use kenar_chat::scope::{self, Chat, Scope};

use super::{ask, cancelled, choose};

fn id(prompt: &str, field: &str) -> Result<String> {
    ask(prompt, |v| scope::check_id(field, v))
}

/// The kinds of scope that can be asked for.
#[derive(Clone, Copy)]
enum ScopeKind {
    Chat,
    Post(Platform),
    Conversation,
    Supplier,
    Offline,
    Raw,
}

impl ScopeKind {
    /// The kinds `platform` has, or every kind of both platforms.
    fn of(platform: Option<Platform>) -> Vec<ScopeKind> {
        let legacy = [ScopeKind::Chat, ScopeKind::Post(Platform::Legacy)];
        let current = [
            ScopeKind::Conversation,
            ScopeKind::Post(Platform::Current),
            ScopeKind::Supplier,
        ];
        let mut kinds = match platform {
            Some(Platform::Legacy) => legacy.to_vec(),
            Some(Platform::Current) => [current.as_slice(), &[ScopeKind::Offline]].concat(),
            None => [legacy.as_slice(), &current].concat(),
        };
        kinds.push(ScopeKind::Raw);
        kinds
    }

    fn describe(self) -> &'static str {
        match self {
            ScopeKind::Chat => "send in one chat (legacy: CHAT_SEND_MESSAGE_OAUTH)",
            ScopeKind::Post(Platform::Legacy) => {
                "send in every chat of a post (legacy: CHAT_SEND_MESSAGE_POST_CONVERSATIONS)"
            }
            ScopeKind::Post(Platform::Current) => {
                "send, as its owner, in every conversation of a post (CHAT_POST_CONVERSATIONS_MESSAGE_SEND)"
            }
            ScopeKind::Conversation => "send in one conversation (CONVERSATION_SEND_MESSAGE)",
            ScopeKind::Supplier => {
                "send in every conversation where the user is the seller \
                 (CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND)"
            }
            ScopeKind::Offline => "a refresh token with the access token (offline_access)",
            ScopeKind::Raw => "another scope, as written (such as USER_PHONE)",
        }
    }

    /// Asks for the IDs this kind of scope names.
    fn ask(self) -> Result<Scope> {
        Ok(match self {
            ScopeKind::Chat => Scope::Chat(Chat::new(
                id("User ID (grants access)", "user_id")?,
                id("Post token", "post_token")?,
                id("Peer ID", "peer_id")?,
            )?),
            ScopeKind::Post(platform) => {
                Scope::post(platform, id("Post token (all its chats)", "post_token")?)?
            }
            ScopeKind::Conversation => Scope::conversation(ask("Conversation ID", |v| {
                scope::check_path_id("conversation_id", v)
            })?)?,
            ScopeKind::Supplier => Scope::SupplierConversations,
            ScopeKind::Offline => Scope::Other(scope::OFFLINE_ACCESS.to_owned()),
            ScopeKind::Raw => Scope::raw(&ask("Scope", |v| {
                Scope::raw(v).map(drop).map_err(|e| e.to_string())
            })?)?,
        })
    }
}

/// One scope of either platform: its kind, then its IDs.
pub fn scope() -> Result<Scope> {
    let kinds = ScopeKind::of(None);
    let items: Vec<&str> = kinds.iter().map(|kind| kind.describe()).collect();
    kinds[choose("Scope to compute", &items)?].ask()
}

/// Which scopes of `platform` to ask the user for, then the IDs each one names.
pub fn scopes(platform: Platform) -> Result<Vec<Scope>> {
    let kinds = ScopeKind::of(Some(platform));
    let items: Vec<&str> = kinds.iter().map(|kind| kind.describe()).collect();
    let mut prompt = "Scopes to request (space selects, enter confirms)";
    let chosen = loop {
        let chosen = MultiSelect::new()
            .with_prompt(prompt)
            .items(&items)
            .interact_opt()
            .map_err(cancelled)?
            .ok_or(Error::Cancelled)?;
        if !chosen.is_empty() {
            break chosen;
        }
        // The list reports an empty choice on a line of its own, which would stay above
        // the question asked again.
        dialoguer::console::Term::stderr()
            .clear_last_lines(1)
            .context("talking to the terminal")?;
        prompt = "Scopes to request: choose at least one (space selects, enter confirms)";
    };
    chosen.into_iter().map(|i| kinds[i].ask()).collect()
}
