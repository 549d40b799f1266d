//! The legacy platform's token endpoint (protocol section 2): an authorization code,
//! exchanged once by the client it was issued to, becomes an access token that carries
//! the approved scopes. Codes were always approved by the demo user.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::json;

use super::checks::{Refusal, check_api_key};
use super::store::CodeRefusal;
use super::{Sandbox, expiry, unix_time};
use crate::auth::authorize::random_state;
use crate::platform::Platform;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    code: String,
    client_id: String,
    client_secret: String,
    grant_type: String,
}

/// `POST /v1/open-platform/oauth/access_token`.
pub(super) async fn exchange(
    State(sandbox): State<Arc<Sandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    check_api_key(&sandbox, &headers)?;
    let request: TokenRequest = serde_json::from_slice(&body)
        .map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, format!("request body: {e}")))?;
    if request.grant_type != "authorization_code" {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "grant_type: must be \"authorization_code\"",
        ));
    }
    if request.client_id != sandbox.client_id
        || request.client_secret != sandbox.client_secret.expose()
    {
        return Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "invalid client_id or client_secret",
        ));
    }
    let redeemed = sandbox
        .store
        .redeem_code(
            &request.code,
            &request.client_id,
            Platform::Legacy,
            unix_time(),
        )?
        .map_err(|refusal| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                refusal_message(&refusal, sandbox.code_lifetime),
            )
        })?;
    let expires = expiry(sandbox.token_lifetime);
    let access_token = random_state()?;
    sandbox
        .store
        .insert_token(&access_token, &redeemed.scopes, &redeemed.user_id, expires)?;
    Ok(axum::Json(json!({
        "access_token": access_token,
        "refresh_token": random_state()?,
        "expires": expires.to_string(),
    }))
    .into_response())
}

pub(super) fn refusal_message(refusal: &CodeRefusal, lifetime: Duration) -> String {
    match refusal {
        CodeRefusal::Unknown => "code: unknown".into(),
        CodeRefusal::AlreadyUsed => "code: already used (a code can be exchanged once)".into(),
        CodeRefusal::Expired => format!(
            "code: expired (a code must be exchanged within {})",
            humantime::format_duration(lifetime)
        ),
        CodeRefusal::OtherClient => "code: issued to another client".into(),
    }
}
