//! The current platform's send endpoint (protocol section 5):
//! `POST /v2/open-platform/conversations/{conversation_id}/messages`, with a Bearer token,
//! the body checked by the library's own rules, a media token checked against the
//! sandbox's uploads, the three scopes checked against the conversations the sandbox
//! knows, and errors as Google RPC statuses.
//!
//! Sending creates a conversation the sandbox does not know yet, as Divar's does, but only
//! for a token with that conversation's own scope: the seller's and the post's scopes say
//! which conversations they cover by the conversation's seller and post, which an unknown
//! conversation does not have. Its sender becomes its seller; its buyer and post get IDs
//! the sandbox makes up.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::checks::{
    Refusal, RpcRefusal, access_grant, answer, bearer_token, check_api_key, take_quota,
};
use super::store::{Conversation, Grant};
use super::{Sandbox, unix_time};
use crate::auth::authorize::random_state;
use crate::media::{UPLOAD_PATH, UPLOAD_TOKEN_PATH};
use crate::message::Message;
use crate::message::draft::MessageDraft;
use crate::scope::{Recipient, Scope};

/// What the restricted conversations answer, in Divar's words.
const RESTRICTED: &str = "message delivery failed due to recipient's restriction";

/// `POST /v2/open-platform/conversations/{conversation_id}/messages`: the key, the quota,
/// the token, the body, its medium, the token's scopes, the recipient's restriction; the
/// first that fails answers.
pub(super) async fn send(
    State(sandbox): State<Arc<Sandbox>>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, RpcRefusal> {
    check_api_key(&sandbox, &headers)?;
    take_quota(&sandbox)?;
    let grant = access_grant(&sandbox, bearer_token(&headers)?)?;
    let message = conversation_message(&conversation_id, &body)?;
    check_medium(&sandbox, &message)?;
    let conversation = match sandbox.store.conversation(&conversation_id)? {
        Some(conversation) => {
            check_scopes(&grant, &conversation)?;
            conversation
        }
        None => create(&sandbox, &grant, &conversation_id)?,
    };
    if sandbox.restricted_conversations.contains(&conversation.id) {
        return Err(Refusal::new(StatusCode::PRECONDITION_FAILED, RESTRICTED).into());
    }
    sandbox
        .store
        .insert_message(&message, &grant.user_id, unix_time())?;
    Ok(answer(StatusCode::OK, "success"))
}

/// The body, checked as `send` checks a message file of the current platform, with the
/// conversation of the path. The legacy fields are refused by the message's own checks;
/// the two a message file may have but the API's body has not are refused here.
fn conversation_message(conversation_id: &str, body: &[u8]) -> Result<Message, Refusal> {
    let invalid = |message: String| Refusal::new(StatusCode::BAD_REQUEST, message);
    let mut draft =
        MessageDraft::from_json("request body", body).map_err(|e| invalid(e.to_string()))?;
    let foreign: Vec<String> = [
        ("conversation_id", draft.conversation_id.is_some()),
        ("post_token", draft.post_token.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(field, _)| {
        format!("{field}: not a field of the body (the conversation is named in the path)")
    })
    .collect();
    if !foreign.is_empty() {
        return Err(invalid(foreign.join("\n")));
    }
    draft.conversation_id = Some(conversation_id.to_owned());
    draft.build().map_err(|e| invalid(e.to_string()))
}

/// A media token must be one of the sandbox's uploads.
fn check_medium(sandbox: &Sandbox, message: &Message) -> Result<(), Refusal> {
    match message.media_token() {
        Some(token) if sandbox.store.medium(token)?.is_none() => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            format!(
                "media_token: not a media token this sandbox issued; upload the file first \
                 (an upload token from /{UPLOAD_TOKEN_PATH}, then POST /{UPLOAD_PATH}KIND)"
            ),
        )),
        _ => Ok(()),
    }
}

/// Whether the token may send in a conversation the sandbox knows: with its own scope, or
/// as its seller with the seller's scope or its post's scope (the post's owner is the
/// seller).
fn check_scopes(grant: &Grant, conversation: &Conversation) -> Result<(), Refusal> {
    let to = Recipient::Conversation {
        id: conversation.id.clone(),
        post_token: Some(conversation.post_token.clone()),
    };
    let seller = grant.user_id == conversation.seller_id;
    let allowed = grant.scopes.iter().any(|scope| {
        scope.covers(&to).is_some() && (matches!(scope, Scope::Conversation(_)) || seller)
    });
    if !allowed {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "the access token (of user {user}) does not allow sending in conversation {id}: \
                 it needs {exact}, or, for its seller (user {seller_id}), {supplier} or {post}",
                user = grant.user_id,
                id = conversation.id,
                exact = Scope::Conversation(conversation.id.clone()),
                seller_id = conversation.seller_id,
                supplier = Scope::SupplierConversations,
                post = Scope::PostConversations(conversation.post_token.clone()),
            ),
        ));
    }
    if !seller && grant.user_id != conversation.buyer_id {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            format!(
                "user {} is neither side of conversation {}",
                grant.user_id, conversation.id
            ),
        ));
    }
    Ok(())
}

/// A conversation the sandbox does not know, created by its first message; see the
/// module's documentation.
fn create(sandbox: &Sandbox, grant: &Grant, id: &str) -> Result<Conversation, Refusal> {
    if !grant.scopes.contains(&Scope::Conversation(id.to_owned())) {
        return Err(Refusal::new(
            StatusCode::NOT_FOUND,
            format!(
                "conversation {id} not found: the sandbox creates a conversation it does not \
                 know only for a token with its own scope, {}",
                Scope::Conversation(id.to_owned())
            ),
        ));
    }
    let conversation = Conversation {
        id: id.to_owned(),
        post_token: random_state()?,
        seller_id: grant.user_id.clone(),
        buyer_id: random_state()?,
    };
    sandbox.store.insert_conversation(&conversation)?;
    Ok(conversation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation() -> Conversation {
        Conversation {
            id: "c1".into(),
            post_token: "P".into(),
            seller_id: "seller".into(),
            buyer_id: "buyer".into(),
        }
    }

    fn grant(user: &str, scope: Scope) -> Grant {
        Grant {
            scopes: vec![scope],
            user_id: user.into(),
            expires: i64::MAX,
        }
    }

    #[test]
    fn the_wider_scopes_cover_a_conversation_only_for_its_seller() {
        let allowed = |user: &str, scope: Scope| check_scopes(&grant(user, scope), &conversation());
        assert!(allowed("buyer", Scope::Conversation("c1".into())).is_ok());
        assert!(allowed("seller", Scope::Conversation("c1".into())).is_ok());
        assert!(allowed("seller", Scope::Conversation("c2".into())).is_err());
        assert!(allowed("seller", Scope::SupplierConversations).is_ok());
        assert!(allowed("buyer", Scope::SupplierConversations).is_err());
        assert!(allowed("seller", Scope::PostConversations("P".into())).is_ok());
        assert!(allowed("seller", Scope::PostConversations("Q".into())).is_err());
        assert!(allowed("buyer", Scope::PostConversations("P".into())).is_err());
        assert!(allowed("stranger", Scope::Conversation("c1".into())).is_err());
        assert!(allowed("seller", Scope::PostChats("P".into())).is_err());
    }
}
