//! The token endpoint (protocol section 2): an authorization code, exchanged once by the
//! client it was issued to, becomes an access token that carries the approved scopes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use serde_json::json;

use super::api::{answer, check_api_key, failure};
use super::store::CodeRefusal;
use super::{Sandbox, expiry, unix_time};
use crate::authorize::random_state;
use crate::error::Result;

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
) -> Response {
    if let Err(refusal) = check_api_key(&sandbox, &headers) {
        return refusal;
    }
    let request: TokenRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return answer(StatusCode::BAD_REQUEST, &format!("request body: {e}")),
    };
    if request.grant_type != "authorization_code" {
        return answer(
            StatusCode::BAD_REQUEST,
            "grant_type: must be \"authorization_code\"",
        );
    }
    if request.client_id != sandbox.client_id
        || request.client_secret != sandbox.client_secret.expose()
    {
        return answer(
            StatusCode::UNAUTHORIZED,
            "invalid client_id or client_secret",
        );
    }
    let now = unix_time();
    let scopes = match sandbox
        .store
        .redeem_code(&request.code, &request.client_id, now)
    {
        Err(e) => return failure(&e),
        Ok(Err(refusal)) => return answer(StatusCode::BAD_REQUEST, refusal_message(&refusal)),
        Ok(Ok(scopes)) => scopes,
    };
    let expires = expiry(sandbox.token_lifetime);
    let issued: Result<(String, String)> = random_state().and_then(|access| {
        sandbox.store.insert_token(&access, &scopes, expires)?;
        Ok((access, random_state()?))
    });
    match issued {
        Ok((access_token, refresh_token)) => axum::Json(json!({
            "access_token": access_token,
            "refresh_token": refresh_token,
            "expires": expires.to_string(),
        }))
        .into_response(),
        Err(e) => failure(&e),
    }
}

fn refusal_message(refusal: &CodeRefusal) -> &'static str {
    match refusal {
        CodeRefusal::Unknown => "code: unknown",
        CodeRefusal::AlreadyUsed => "code: already used (a code can be exchanged once)",
        CodeRefusal::Expired => "code: expired (a code must be exchanged within 10 minutes)",
        CodeRefusal::OtherClient => "code: issued to another client",
    }
}
