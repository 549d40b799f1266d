//! The current platform's token endpoint (protocol section 5), form-encoded: a code becomes
//! an access token, with a refresh token when `offline_access` was granted; a refresh
//! replaces both, and the old pair keeps working for a grace period (two minutes, as
//! Divar's). Errors are OAuth's (RFC 6749 section 5.2): a 4xx with `error` and
//! `error_description`.

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::demo::scope_list;
use super::store::{Issued, RefreshGrant};
use super::token::refusal_message;
use super::{REFRESH_LIFETIME, Sandbox, expiry, seconds, unix_time};
use crate::auth::authorize::random_state;
use crate::error::Error;
use crate::platform::Platform;
use crate::scope::{OFFLINE_ACCESS, Scope};

pub(super) const PATH: &str = "/oauth2/token";

/// Every field optional, so that a missing one is reported by name.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TokenForm {
    grant_type: Option<String>,
    code: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
}

/// Hydra's description of every refused grant; the specific reason goes in `error_hint`,
/// as older Hydra versions answer.
pub(super) const HYDRA_INVALID_GRANT: &str = "The provided authorization grant (e.g., \
     authorization code, resource owner credentials) or refresh token is invalid, expired, \
     revoked, does not match the redirection URI used in the authorization request, or was \
     issued to another client.";
/// Hydra's description of a client that failed to authenticate.
const HYDRA_INVALID_CLIENT: &str = "Client authentication failed (e.g., unknown client, no \
     client authentication included, or unsupported authentication method).";

/// An OAuth error answer.
#[derive(Debug)]
pub(super) struct OAuthError {
    status: StatusCode,
    error: &'static str,
    description: String,
    hint: Option<String>,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            hint: None,
        }
    }

    fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    fn invalid_grant(hint: impl Into<String>) -> Self {
        OAuthError {
            hint: Some(hint.into()),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                HYDRA_INVALID_GRANT,
            )
        }
    }
}

/// A failure of the sandbox itself.
impl From<Error> for OAuthError {
    fn from(error: Error) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            error.to_string(),
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": self.error, "error_description": self.description});
        if let Some(hint) = self.hint {
            body["error_hint"] = hint.into();
        }
        (self.status, axum::Json(body)).into_response()
    }
}

/// `POST /oauth2/token`.
pub(super) async fn exchange(
    State(sandbox): State<Arc<Sandbox>>,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Result<Response, OAuthError> {
    let Form(form) = form.map_err(|e| {
        OAuthError::invalid_request(format!(
            "the body must be form-encoded (application/x-www-form-urlencoded): {e}"
        ))
    })?;
    let [grant_type, client_id, client_secret] = required([
        ("grant_type", &form.grant_type),
        ("client_id", &form.client_id),
        ("client_secret", &form.client_secret),
    ])?;
    if client_id != sandbox.client_id || client_secret != sandbox.client_secret.expose() {
        return Err(OAuthError {
            hint: Some("invalid client_id or client_secret".into()),
            ..OAuthError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                HYDRA_INVALID_CLIENT,
            )
        });
    }
    match grant_type {
        "authorization_code" => by_code(&sandbox, &form, client_id),
        "refresh_token" => by_refresh(&sandbox, &form, client_id),
        other => Err(OAuthError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!(
                "grant_type: must be \"authorization_code\" or \"refresh_token\", not {other:?}"
            ),
        )),
    }
}

/// The fields, or an error naming every one that is missing or empty.
fn required<'a, const N: usize>(
    fields: [(&str, &'a Option<String>); N],
) -> Result<[&'a str; N], OAuthError> {
    let missing: Vec<&str> = fields
        .iter()
        .filter(|(_, value)| value.as_deref().is_none_or(str::is_empty))
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(OAuthError::invalid_request(format!(
            "missing: {}",
            missing.join(", ")
        )));
    }
    Ok(fields.map(|(_, value)| value.as_deref().unwrap_or_default()))
}

fn by_code(sandbox: &Sandbox, form: &TokenForm, client_id: &str) -> Result<Response, OAuthError> {
    let [code, redirect_uri] =
        required([("code", &form.code), ("redirect_uri", &form.redirect_uri)])?;
    let redeemed = sandbox
        .store
        .redeem_code(code, client_id, Platform::Current, unix_time())?
        .map_err(|refusal| {
            OAuthError::invalid_grant(refusal_message(&refusal, sandbox.code_lifetime))
        })?;
    if redeemed.redirect_uri.as_deref() != Some(redirect_uri) {
        return Err(OAuthError::invalid_grant(
            "redirect_uri: not the one the code was issued for",
        ));
    }
    let pair = Pair::new(redeemed.scopes.iter().any(is_offline_access))?;
    let issued = pair.issued(
        sandbox,
        client_id,
        redirect_uri,
        &redeemed.user_id,
        &redeemed.scopes,
    );
    sandbox.store.issue(&issued)?;
    Ok(pair.answer(sandbox, &redeemed.scopes))
}

fn by_refresh(
    sandbox: &Sandbox,
    form: &TokenForm,
    client_id: &str,
) -> Result<Response, OAuthError> {
    let [code, redirect_uri, refresh_token] = required([
        ("code", &form.code),
        ("redirect_uri", &form.redirect_uri),
        ("refresh_token", &form.refresh_token),
    ])?;
    let grant = sandbox
        .store
        .refresh_grant(refresh_token)?
        .ok_or_else(|| OAuthError::invalid_grant("refresh_token: unknown"))?;
    let now = unix_time();
    let grace = seconds(sandbox.refresh_grace);
    let request = RefreshRequest {
        client_id,
        code,
        redirect_uri,
    };
    check_refresh(&grant, &request, now, grace).map_err(OAuthError::invalid_grant)?;
    let pair = Pair::new(true)?;
    let issued = pair.issued(
        sandbox,
        client_id,
        redirect_uri,
        &grant.user_id,
        &grant.scopes,
    );
    sandbox
        .store
        .rotate(refresh_token, now, now.saturating_add(grace), &issued)?;
    Ok(pair.answer(sandbox, &grant.scopes))
}

/// What a refresh request says besides its refresh token.
struct RefreshRequest<'a> {
    client_id: &'a str,
    /// The access token issued with the refresh token.
    code: &'a str,
    redirect_uri: &'a str,
}

/// Whether `request` may exchange the refresh token of `grant` at `now`: a refresh token
/// that was already exchanged still works for `grace` seconds after its first exchange.
fn check_refresh(
    grant: &RefreshGrant,
    request: &RefreshRequest<'_>,
    now: i64,
    grace: i64,
) -> Result<(), String> {
    if grant.client_id != request.client_id {
        return Err("refresh_token: issued to another client".into());
    }
    if now >= grant.expires {
        return Err(format!(
            "refresh_token: expired (a refresh token lasts {})",
            humantime::format_duration(REFRESH_LIFETIME)
        ));
    }
    if let Some(replaced_at) = grant.replaced_at
        && now >= replaced_at.saturating_add(grace)
    {
        return Err(format!(
            "refresh_token: already exchanged for a new pair {} seconds ago; the old pair \
             works only {grace} seconds after a refresh",
            now - replaced_at
        ));
    }
    if grant.access_token != request.code {
        return Err("code: must be the access token issued with this refresh token".into());
    }
    if grant.redirect_uri != request.redirect_uri {
        return Err("redirect_uri: not the one the token was issued for".into());
    }
    Ok(())
}

fn is_offline_access(scope: &Scope) -> bool {
    matches!(scope, Scope::Other(raw) if raw == OFFLINE_ACCESS)
}

/// A fresh access token, and a refresh token beside it when one is due, in the shapes of
/// Divar's (Ory's) tokens.
struct Pair {
    access_token: String,
    refresh_token: Option<String>,
}

impl Pair {
    fn new(with_refresh: bool) -> Result<Self, Error> {
        let refresh_token = if with_refresh {
            Some(format!("ory_rt_{}", random_state()?))
        } else {
            None
        };
        Ok(Pair {
            access_token: format!("ory_at_{}", random_state()?),
            refresh_token,
        })
    }

    fn issued<'a>(
        &'a self,
        sandbox: &Sandbox,
        client_id: &'a str,
        redirect_uri: &'a str,
        user_id: &'a str,
        scopes: &'a [Scope],
    ) -> Issued<'a> {
        Issued {
            access_token: &self.access_token,
            refresh_token: self.refresh_token.as_deref(),
            client_id,
            redirect_uri,
            user_id,
            scopes,
            access_expires: expiry(sandbox.token_lifetime),
            refresh_expires: expiry(REFRESH_LIFETIME),
        }
    }

    fn answer(&self, sandbox: &Sandbox, scopes: &[Scope]) -> Response {
        let mut body = json!({
            "access_token": self.access_token,
            "expires_in": sandbox.token_lifetime.as_secs(),
            "scope": scope_list(scopes),
            "token_type": "bearer",
        });
        if let Some(refresh_token) = &self.refresh_token {
            body["refresh_token"] = refresh_token.as_str().into();
        }
        axum::Json(body).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(replaced_at: Option<i64>) -> RefreshGrant {
        RefreshGrant {
            access_token: "at".into(),
            client_id: "app".into(),
            redirect_uri: "http://127.0.0.1:1/cb".into(),
            user_id: "u".into(),
            scopes: vec![Scope::Other(OFFLINE_ACCESS.into())],
            expires: 1_000,
            replaced_at,
        }
    }

    const REQUEST: RefreshRequest<'static> = RefreshRequest {
        client_id: "app",
        code: "at",
        redirect_uri: "http://127.0.0.1:1/cb",
    };

    #[test]
    fn an_exchanged_refresh_token_works_until_its_grace_is_over() {
        assert_eq!(check_refresh(&grant(None), &REQUEST, 500, 120), Ok(()));
        assert_eq!(check_refresh(&grant(Some(500)), &REQUEST, 619, 120), Ok(()));
        let late = check_refresh(&grant(Some(500)), &REQUEST, 620, 120).unwrap_err();
        assert!(
            late.starts_with("refresh_token: already exchanged"),
            "{late}"
        );
        assert!(check_refresh(&grant(Some(500)), &REQUEST, 500, 0).is_err());
    }

    #[test]
    fn a_refresh_names_its_pair_client_and_redirect_uri_before_it_expires() {
        let refused = |request: &RefreshRequest<'_>, now: i64| {
            check_refresh(&grant(None), request, now, 120).unwrap_err()
        };
        assert!(refused(&REQUEST, 1_000).starts_with("refresh_token: expired"));
        let other = RefreshRequest {
            client_id: "other",
            ..REQUEST
        };
        assert!(refused(&other, 0).contains("another client"));
        let code = RefreshRequest {
            code: "old",
            ..REQUEST
        };
        assert!(refused(&code, 0).starts_with("code:"));
        let redirect = RefreshRequest {
            redirect_uri: "http://127.0.0.1:2/cb",
            ..REQUEST
        };
        assert!(refused(&redirect, 0).starts_with("redirect_uri:"));
    }
}
