//! The grant failures a developer meets at Divar, played on request (protocol section 6):
//! a scope not opened for the app, refused at the authorization step as Hydra refuses it,
//! and an API key without a permission, whose requests are answered 403, code 7.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use serde_json::json;
use url::Url;

use super::Sandbox;
use crate::scope::Scope;
use crate::scope_catalogue;

/// What the sandbox's app is not allowed, as a production app at Divar may not be.
#[derive(Debug, Clone, Default)]
pub struct GrantFailures {
    /// Scopes (by permission name) not opened for the app: asking for one is refused.
    pub closed_scopes: HashSet<String>,
    /// Permissions the API key lacks: the endpoints needing one answer 403.
    pub missing_permissions: HashSet<String>,
}

/// The redirect Hydra answers an authorization asking for a scope not opened for the app
/// with; `None` when every scope asked for is open.
pub(super) fn closed_scope(
    failures: &GrantFailures,
    scopes: &[Scope],
    redirect_uri: &Url,
    state: &str,
) -> Option<Response> {
    let closed = scopes
        .iter()
        .find(|scope| failures.closed_scopes.contains(scope.permission()))?;
    let mut target = redirect_uri.clone();
    target
        .query_pairs_mut()
        .append_pair("error", "invalid_scope")
        .append_pair(
            "error_description",
            &format!(
                "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client \
                 is not allowed to request scope '{closed}'."
            ),
        )
        .append_pair("state", state);
    Some((StatusCode::SEE_OTHER, [(header::LOCATION, target.as_str())]).into_response())
}

/// Answers 403, code 7, a request with the sandbox's API key to an endpoint that needs a
/// permission the key lacks; passes every other request on.
pub(super) async fn missing_permission(
    State(sandbox): State<Arc<Sandbox>>,
    request: Request,
    next: Next,
) -> Response {
    let needed = scope_catalogue::endpoint_for(request.method().as_str(), request.uri().path())
        .map(|endpoint| endpoint.key_permission)
        .filter(|permission| {
            sandbox
                .grant_failures
                .missing_permissions
                .contains(*permission)
        });
    let with_key = request
        .headers()
        .get("x-api-key")
        .is_some_and(|key| key.as_bytes() == sandbox.api_key.expose().as_bytes());
    match needed {
        Some(permission) if with_key => (
            StatusCode::FORBIDDEN,
            axum::Json(json!({
                "code": 7,
                "message": format!("permission denied: the API key lacks {permission}"),
                "details": [],
            })),
        )
            .into_response(),
        _ => next.run(request).await,
    }
}
