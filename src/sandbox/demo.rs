//! The demo users, posts and conversations every sandbox starts with (the chat of Divar's
//! own example, on both platforms), and how OAuth writes scopes: shared by the handlers and
//! the store, below both.

use crate::scope::Scope;

/// The chat of Divar's own example, for which a token is issued at start.
pub const DEMO_USER: &str = "e9ba8a81-9583-4f7c-af54-b07df089d971";
pub const DEMO_POST: &str = "AZf3Uqr3";
pub const DEMO_PEER: &str = "1697004f-e902-44c2-bbbe-bf8e20d54bff";
/// The demo chat on the current platform: the demo user sells the demo post to the demo
/// peer in it, so the demo user's seller scope and post scope cover it too.
pub const DEMO_CONVERSATION: &str = "5b0e7f3c-2a61-4c8e-9d47-e81f6a3b90c2";
/// A conversation where the demo user buys, about another user's post: the demo user's
/// seller and post scopes do not cover it, only its own conversation scope does.
pub const DEMO_PURCHASE: &str = "c3d9a1e4-7b25-4f60-8a1d-2e5c9b7f04a6";
pub const DEMO_PURCHASE_POST: &str = "QmX4r8Tn";
pub const DEMO_PURCHASE_SELLER: &str = "8d2f6b19-4c3a-4e7d-b5a0-91e6c2f84d37";

/// Scopes as OAuth writes them in one string: separated by spaces.
pub(super) fn scope_list(scopes: &[Scope]) -> String {
    let scopes: Vec<String> = scopes.iter().map(Scope::to_string).collect();
    scopes.join(" ")
}
