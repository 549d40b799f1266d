//! Divar's live catalogue of scopes (protocol section 6), as the sandbox knows it: every
//! scope of kenar-chat's catalogue, active, the standard ones in upper case as Divar lists
//! them. It needs the sandbox's API key, so it also tells whether a key is accepted.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse as _, Response};
use serde_json::json;

use super::Sandbox;
use super::checks::{Refusal, check_api_key};
use crate::scope_catalogue::SCOPES;

/// `GET /v1/open-platform/assets/oauth-scope`.
pub(super) async fn oauth_scopes(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    check_api_key(&sandbox, &headers)?;
    let scopes: Vec<_> = SCOPES
        .iter()
        .map(|scope| {
            json!({
                "slug": scope.name.to_ascii_uppercase(),
                "display": scope.name,
                "description": scope.allows,
                "lifecycle_state": "ACTIVE",
            })
        })
        .collect();
    Ok(axum::Json(json!({ "scopes": scopes })).into_response())
}
