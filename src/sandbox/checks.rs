//! What the API's endpoints check before the body (the API key, the quota, the access
//! token, on the current platform as a Bearer token) and the refusals they answer with: in the legacy platform's shape
//! `{"status": N, "message": "..."}`, or the current platform's Google RPC status
//! `{"code": N, "message": "...", "details": []}`.

use std::time::Instant;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::store::Grant;
use super::{Sandbox, unix_time};
use crate::error::Error;

/// An answer in the legacy shape: `{"status": N, "message": "..."}`, N being the HTTP
/// status.
pub(super) fn answer(status: StatusCode, message: &str) -> Response {
    let body = json!({"status": status.as_u16(), "message": message});
    (status, axum::Json(body)).into_response()
}

/// A request the sandbox does not accept; answered in the legacy shape, or in the
/// current one through [`RpcRefusal`].
#[derive(Debug)]
pub(super) struct Refusal {
    status: StatusCode,
    message: String,
    /// Seconds, for a 429.
    retry_after: Option<u64>,
}

impl Refusal {
    pub(super) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A 429: too much at once, to be tried again after `retry_after` seconds.
    pub(super) fn too_many(message: impl Into<String>, retry_after: u64) -> Self {
        Refusal {
            retry_after: Some(retry_after),
            ..Refusal::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }

    fn with_retry_after(self, mut response: Response) -> Response {
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// A failure of the sandbox itself (its data file, most likely).
impl From<Error> for Refusal {
    fn from(error: Error) -> Self {
        Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let response = answer(self.status, &self.message);
        self.with_retry_after(response)
    }
}

/// A refusal of the current platform's API, as a Google RPC status whose code goes with
/// the HTTP status.
#[derive(Debug)]
pub(super) struct RpcRefusal(Refusal);

impl From<Refusal> for RpcRefusal {
    fn from(refusal: Refusal) -> Self {
        RpcRefusal(refusal)
    }
}

impl From<Error> for RpcRefusal {
    fn from(error: Error) -> Self {
        RpcRefusal(error.into())
    }
}

impl IntoResponse for RpcRefusal {
    fn into_response(self) -> Response {
        let refusal = self.0;
        let body = json!({
            "code": rpc_code(refusal.status),
            "message": refusal.message,
            "details": [],
        });
        let response = (refusal.status, axum::Json(body)).into_response();
        refusal.with_retry_after(response)
    }
}

/// The canonical code (google.rpc.Code) that goes with an HTTP status.
fn rpc_code(status: StatusCode) -> u8 {
    match status {
        StatusCode::BAD_REQUEST => 3,
        StatusCode::UNAUTHORIZED => 16,
        StatusCode::FORBIDDEN => 7,
        StatusCode::NOT_FOUND => 5,
        StatusCode::PRECONDITION_FAILED => 9,
        // An upload over its kind's limit: the request, not the server, must change.
        StatusCode::PAYLOAD_TOO_LARGE => 3,
        StatusCode::TOO_MANY_REQUESTS => 8,
        StatusCode::INTERNAL_SERVER_ERROR => 13,
        _ => 2,
    }
}

/// Checks the `x-api-key` header against the sandbox's key.
pub(super) fn check_api_key(sandbox: &Sandbox, headers: &HeaderMap) -> Result<(), Refusal> {
    match headers.get("x-api-key").map(HeaderValue::as_bytes) {
        Some(key) if key == sandbox.api_key.expose().as_bytes() => Ok(()),
        Some(_) => Err(Refusal::new(StatusCode::UNAUTHORIZED, "invalid API key")),
        None => Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "missing x-api-key header",
        )),
    }
}

/// Takes one send from the quotas, or refuses with 429 and when to retry.
pub(super) fn take_quota(sandbox: &Sandbox) -> Result<(), Refusal> {
    sandbox
        .quota
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take(Instant::now(), u64::try_from(unix_time()).unwrap_or(0))
        .map_err(|exceeded| {
            Refusal::too_many(
                format!(
                    "{} exceeded: retry after {} seconds",
                    exceeded.limit, exceeded.retry_after
                ),
                exceeded.retry_after,
            )
        })
}

/// The token of `Authorization: Bearer TOKEN`. The legacy platform's `x-access-token` is
/// not read here, and a request that carries only it is told so.
pub(super) fn bearer_token(headers: &HeaderMap) -> Result<&str, Refusal> {
    let unauthorized = |message: &str| Refusal::new(StatusCode::UNAUTHORIZED, message);
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(unauthorized(if headers.contains_key("x-access-token") {
            "missing Authorization header: the current platform takes the access token as \
             \"Authorization: Bearer TOKEN\", not x-access-token"
        } else {
            "missing Authorization header (\"Authorization: Bearer TOKEN\")"
        }));
    };
    let value = value
        .to_str()
        .map_err(|_| unauthorized("invalid access token"))?;
    match value.split_once(' ') {
        // The scheme's name is case-insensitive (RFC 6750 section 2.1).
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() => {
            Ok(token)
        }
        _ => Err(unauthorized(
            "the Authorization header must be \"Bearer TOKEN\"",
        )),
    }
}

/// The grant behind an access token, if it is one the sandbox issued and has not expired.
pub(super) fn access_grant(sandbox: &Sandbox, token: &str) -> Result<Grant, Refusal> {
    let unauthorized = |message: &str| Refusal::new(StatusCode::UNAUTHORIZED, message);
    match sandbox.store.token(token)? {
        None => Err(unauthorized("invalid access token")),
        Some(grant) if unix_time() >= grant.expires => {
            Err(unauthorized("the access token has expired"))
        }
        Some(grant) => Ok(grant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_bearer_token_is_read() {
        let mut headers = HeaderMap::new();
        headers.insert("x-access-token", "t".parse().unwrap());
        assert!(bearer_token(&headers).is_err());
        headers.insert(header::AUTHORIZATION, "bearer t".parse().unwrap());
        assert_eq!(bearer_token(&headers).unwrap(), "t");
        headers.insert(header::AUTHORIZATION, "Basic t".parse().unwrap());
        assert!(bearer_token(&headers).is_err());
        headers.insert(header::AUTHORIZATION, "t".parse().unwrap());
        assert!(bearer_token(&headers).is_err());
    }

    #[test]
    fn each_refusal_has_the_rpc_code_of_its_status() {
        let codes = [
            (StatusCode::BAD_REQUEST, 3),
            (StatusCode::UNAUTHORIZED, 16),
            (StatusCode::FORBIDDEN, 7),
            (StatusCode::NOT_FOUND, 5),
            (StatusCode::PRECONDITION_FAILED, 9),
            (StatusCode::PAYLOAD_TOO_LARGE, 3),
            (StatusCode::TOO_MANY_REQUESTS, 8),
            (StatusCode::INTERNAL_SERVER_ERROR, 13),
            (StatusCode::BAD_GATEWAY, 2),
        ];
        for (status, code) in codes {
            assert_eq!(rpc_code(status), code, "{status}");
        }
    }
}
