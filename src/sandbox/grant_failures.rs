//! The grant failures a developer meets at Divar, played on request (protocol section 6):
//! a scope not opened for the app, refused at the authorization step as Hydra refuses it,
//! and an API key without a permission, whose requests are answered 403, code 7.

use std::collections::HashSet;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde_json::json;
use url::Url;

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

/// The 403, code 7, that answers `request`, made `with_key` (the sandbox's API key), when
/// its endpoint needs a permission the key lacks; `None` lets it through.
pub(super) fn missing_permission(
    failures: &GrantFailures,
    request: &Request,
    with_key: bool,
) -> Option<Response> {
    let permission = scope_catalogue::endpoint_for(request.method().as_str(), request.uri().path())
        .map(|endpoint| endpoint.key_permission)
        .filter(|permission| failures.missing_permissions.contains(*permission))?;
    with_key.then(|| {
        (
            StatusCode::FORBIDDEN,
            axum::Json(json!({
                "code": 7,
                "message": format!("permission denied: the API key lacks {permission}"),
                "details": [],
            })),
        )
            .into_response()
    })
}
