//! Getting tokens from the token endpoint: exchanging an authorization code (protocol
//! section 2 on the legacy platform, a JSON body under the API; section 5 on the current
//! one, a form on `oauth.divar.ir`) and, on the current platform, refreshing a pair.

use serde_json::{Value, json};
use url::Url;
use url::form_urlencoded;

use crate::error::{Error, Result};
use crate::http;
use crate::http::answer::Answer;
use crate::http::request::{HeaderValue, PreparedRequest};
use crate::platform::Platform;
use crate::secret::SecretString;
use crate::time::{LAST_RFC3339_SECOND, rfc3339};
use crate::visible::quote;

/// Where the legacy platform exchanges codes, relative to the API base URL.
pub const ACCESS_TOKEN_PATH: &str = "v1/open-platform/oauth/access_token";

/// How errors name the server that gives tokens.
const TOKEN_ENDPOINT: &str = "the token endpoint";

/// The shortest authorization code masked in the token endpoint's answers.
const MASKED_CODE_LEN: usize = 8;

/// What identifies the app to the token endpoint.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    /// The app's slug from the Kenar panel.
    pub client_id: String,
    pub client_secret: SecretString,
}

/// `POST /v1/open-platform/oauth/access_token` for one authorization code, on the legacy
/// platform. The body holds the client secret, so this request is never printed; and an
/// answer that echoes the secret or the code shows them masked, since a code may still be
/// redeemable.
pub fn exchange_request(
    base: &Url,
    code: &str,
    app: &AppCredentials,
    api_key: &SecretString,
) -> PreparedRequest {
    let body = json!({
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.client_secret.expose(),
        "grant_type": "authorization_code",
    });
    PreparedRequest {
        method: "POST",
        url: http::url::join(base, ACCESS_TOKEN_PATH),
        service: TOKEN_ENDPOINT,
        headers: vec![
            (
                "content-type",
                HeaderValue::Plain("application/json".into()),
            ),
            ("x-api-key", HeaderValue::Secret(api_key.clone())),
        ],
        body: body.to_string().into_bytes(),
        body_secrets: app_secrets(app, code),
        upload: None,
    }
}

/// What the current platform's token endpoint is asked for.
#[derive(Debug, Clone, Copy)]
pub enum Grant<'a> {
    /// Tokens for an authorization code, sent with the redirect URI the code came back to.
    Code {
        code: &'a str,
        redirect_uri: &'a str,
    },
    /// A new pair for the current one, sent with the redirect URI it was granted on.
    Refresh {
        access_token: &'a SecretString,
        refresh_token: &'a SecretString,
        redirect_uri: &'a str,
    },
}

/// `POST {token_url}` on the current platform, form-encoded, its fields in the documented
/// order: `code, client_id, client_secret, grant_type, redirect_uri` and, to refresh,
/// `refresh_token` (where `code` is the current access token). It carries no API key: the
/// OAuth server is not the API. Every secret of the body is masked in the answer.
pub fn form_request(token_url: &Url, grant: Grant<'_>, app: &AppCredentials) -> PreparedRequest {
    let mut form = form_urlencoded::Serializer::new(String::new());
    let (code, grant_type, redirect_uri, mut secrets) = match grant {
        Grant::Code { code, redirect_uri } => (
            code,
            "authorization_code",
            redirect_uri,
            app_secrets(app, code),
        ),
        Grant::Refresh {
            access_token,
            refresh_token,
            redirect_uri,
        } => (
            access_token.expose(),
            "refresh_token",
            redirect_uri,
            vec![
                app.client_secret.clone(),
                access_token.clone(),
                refresh_token.clone(),
            ],
        ),
    };
    form.append_pair("code", code)
        .append_pair("client_id", &app.client_id)
        .append_pair("client_secret", app.client_secret.expose())
        .append_pair("grant_type", grant_type)
        .append_pair("redirect_uri", redirect_uri);
    if let Grant::Refresh { refresh_token, .. } = grant {
        form.append_pair("refresh_token", refresh_token.expose());
    }
    secrets.retain(|secret| !secret.expose().is_empty());
    PreparedRequest {
        method: "POST",
        url: token_url.clone(),
        service: TOKEN_ENDPOINT,
        headers: vec![(
            "content-type",
            HeaderValue::Plain("application/x-www-form-urlencoded".into()),
        )],
        body: form.finish().into_bytes(),
        body_secrets: secrets,
        upload: None,
    }
}

/// The client secret, and the code unless it is so short that masking it would mask
/// ordinary words (real codes are long).
fn app_secrets(app: &AppCredentials, code: &str) -> Vec<SecretString> {
    std::iter::once(app.client_secret.clone())
        .chain((code.len() >= MASKED_CODE_LEN).then(|| SecretString::new(code)))
        .collect()
}

/// A token as the endpoint granted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    /// When the access token stops working, in Unix seconds.
    pub expires: u64,
    /// The scopes the answer says were granted, when it says.
    pub scopes: Option<Vec<String>>,
}

/// Reads the token endpoint's answer on `platform`. The legacy one is
/// `{"access_token", "refresh_token", "expires"}` with `expires` a Unix time in seconds,
/// sent as a string (a number is accepted too); the current one is `{"access_token",
/// "expires_in", "scope", "refresh_token"}` with `expires_in` seconds from `now` and
/// `scope` space-separated. Every value is checked before the caller stores anything: the
/// tokens must be fit for the header they will travel in, and the expiry must be later
/// than `now` (Unix seconds) and a time a calendar can show. Errors name the faulty field
/// but never quote the body, since it may hold a token.
pub fn read_answer(answer: &Answer, now: u64, platform: Platform) -> Result<Token> {
    let body = check_answer(answer)?;
    let field = |name: &str| body.get(name).filter(|v| !v.is_null());
    let header_safe = |name: &str, token: &str| {
        let token = SecretString::new(token);
        token
            .check_header_safe(name)
            .map_err(|e| unreadable(&e.to_string()))?;
        Ok(token)
    };
    let access_token = match field("access_token") {
        Some(Value::String(token)) if !token.is_empty() => header_safe("access_token", token)?,
        Some(_) => return Err(unreadable("access_token is not a non-empty string")),
        None => return Err(unreadable("it carries no access_token")),
    };
    let refresh_token = match field("refresh_token") {
        Some(Value::String(token)) if !token.is_empty() => {
            Some(header_safe("refresh_token", token)?)
        }
        Some(Value::String(_)) | None => None,
        Some(_) => return Err(unreadable("refresh_token is not a string")),
    };
    let scopes = match field("scope") {
        Some(Value::String(scope)) if !scope.trim().is_empty() => {
            Some(scope.split_whitespace().map(str::to_owned).collect())
        }
        Some(Value::String(_)) | None => None,
        Some(_) => return Err(unreadable("scope is not a string")),
    };
    let (name, meaning) = match platform {
        Platform::Legacy => ("expires", "a Unix time in seconds"),
        Platform::Current => ("expires_in", "a number of seconds"),
    };
    let value = match field(name) {
        Some(Value::String(text)) => text.trim().parse::<u64>().ok(),
        Some(Value::Number(number)) => number.as_u64(),
        Some(_) => None,
        None => return Err(unreadable(&format!("it carries no {name}"))),
    };
    let expires = match platform {
        Platform::Legacy => value,
        Platform::Current => value.and_then(|seconds| now.checked_add(seconds)),
    }
    .filter(|&expires| expires <= LAST_RFC3339_SECOND)
    .ok_or_else(|| {
        let shown = field(name).map(Value::to_string).unwrap_or_default();
        unreadable(&format!(
            "{name} is {}, not {meaning}",
            quote(shown.as_bytes())
        ))
    })?;
    if expires <= now {
        return Err(unreadable(&format!(
            "the token it gives expired at {}, before it arrived",
            rfc3339(expires)
        )));
    }
    Ok(Token {
        access_token,
        refresh_token,
        expires,
        scopes,
    })
}

fn unreadable(problem: &str) -> Error {
    Error::Unavailable(format!("its answer cannot be used: {problem}"))
}

/// The body of a 2xx answer, a JSON object; else the endpoint's refusal or failure, in its
/// own words (an OAuth `error` and `error_description`, or a `message`).
fn check_answer(answer: &Answer) -> Result<serde_json::Map<String, Value>> {
    let body: Option<serde_json::Map<String, Value>> = serde_json::from_slice(&answer.body).ok();
    let said = || {
        let field = |name: &str| match body.as_ref().and_then(|b| b.get(name)) {
            Some(Value::String(text)) if !text.is_empty() => Some(answer.secrets.quoted(text)),
            _ => None,
        };
        let words: Vec<String> = ["error", "error_description", "message"]
            .into_iter()
            .filter_map(field)
            .collect();
        if words.is_empty() {
            answer.quoted()
        } else {
            words.join(": ")
        }
    };
    match answer.status {
        200..=299 => body.clone().ok_or_else(|| {
            Error::DeliveryUncertain(format!(
                "it answered HTTP {} with a body that is not a JSON object",
                answer.status
            ))
        }),
        429 => Err(Error::RateLimited { message: said() }),
        status @ 400..=499 => Err(Error::Refused {
            status,
            message: said(),
        }),
        status => Err(Error::DeliveryUncertain(format!(
            "it failed (HTTP {status}): {}",
            said()
        ))),
    }
}

/// The token endpoint as errors name it: its host, and its port when the URL gives one.
pub fn endpoint_name(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// `error`, from sending a request to the token endpoint at `url` or reading its answer,
/// said of that endpoint. Invalid input stays as it is: nothing was sent.
pub fn from_endpoint(url: &Url, error: Error) -> Error {
    match error {
        Error::Invalid(_) | Error::Unusable { .. } | Error::Token { .. } | Error::Cancelled => {
            error
        }
        problem => Error::Token {
            endpoint: endpoint_name(url),
            problem: Box::new(problem),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::answer::answer;

    fn app() -> AppCredentials {
        AppCredentials {
            client_id: "my-app".into(),
            client_secret: SecretString::new("s3cret"),
        }
    }

    #[test]
    fn the_request_is_the_documented_one() {
        let base = Url::parse("https://api.divar.ir").unwrap();
        let request = exchange_request(&base, "c0de", &app(), &SecretString::new("key"));
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.url.as_str(),
            "https://api.divar.ir/v1/open-platform/oauth/access_token"
        );
        assert_eq!(
            String::from_utf8(request.body).unwrap(),
            r#"{"code":"c0de","client_id":"my-app","client_secret":"s3cret","grant_type":"authorization_code"}"#
        );
    }

    #[test]
    fn current_requests_are_the_documented_forms() {
        let url = Url::parse("https://oauth.divar.ir/oauth2/token").unwrap();
        let redirect_uri = "https://app.example/cb?";
        let code = form_request(
            &url,
            Grant::Code {
                code: "c0de+/=",
                redirect_uri,
            },
            &app(),
        );
        assert_eq!(code.url, url);
        assert_eq!(
            code.headers,
            vec![(
                "content-type",
                HeaderValue::Plain("application/x-www-form-urlencoded".into())
            )]
        );
        assert_eq!(
            String::from_utf8(code.body).unwrap(),
            "code=c0de%2B%2F%3D&client_id=my-app&client_secret=s3cret\
             &grant_type=authorization_code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3F"
        );
        let (access, refresh) = (SecretString::new("ory_at_1"), SecretString::new("ory_rt_1"));
        let renew = form_request(
            &url,
            Grant::Refresh {
                access_token: &access,
                refresh_token: &refresh,
                redirect_uri,
            },
            &app(),
        );
        assert_eq!(
            String::from_utf8(renew.body).unwrap(),
            "code=ory_at_1&client_id=my-app&client_secret=s3cret&grant_type=refresh_token\
             &redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3F&refresh_token=ory_rt_1"
        );
        assert_eq!(
            renew.body_secrets,
            vec![SecretString::new("s3cret"), access, refresh]
        );
    }

    #[test]
    fn reads_expires_in_and_the_granted_scopes() {
        let token = read_answer(
            &answer(
                200,
                r#"{"access_token":"ory_at_a","expires_in":3600,"scope":"A.1  offline_access","token_type":"bearer","refresh_token":"ory_rt_r"}"#,
            ),
            1000,
            Platform::Current,
        )
        .unwrap();
        assert_eq!(token.expires, 4600);
        assert_eq!(token.refresh_token.unwrap().expose(), "ory_rt_r");
        assert_eq!(
            token.scopes,
            Some(vec!["A.1".to_owned(), "offline_access".to_owned()])
        );
        let token = read_answer(
            &answer(200, r#"{"access_token":"a","expires_in":"60","scope":""}"#),
            0,
            Platform::Current,
        )
        .unwrap();
        assert_eq!((token.expires, token.scopes), (60, None));
        for (body, expected) in [
            (r#"{"access_token":"a","expires":"99"}"#, "no expires_in"),
            (
                r#"{"access_token":"a","expires_in":0}"#,
                "before it arrived",
            ),
            (
                r#"{"access_token":"a","expires_in":-5}"#,
                "expires_in is -5, not a number of seconds",
            ),
            (
                r#"{"access_token":"a","expires_in":5,"scope":[]}"#,
                "scope is not",
            ),
        ] {
            let err = read_answer(&answer(200, body), 1000, Platform::Current).unwrap_err();
            assert!(err.to_string().contains(expected), "{body}: {err}");
        }
    }

    #[test]
    fn reads_expires_as_a_string_or_a_number() {
        let token = read_answer(
            &answer(
                200,
                r#"{"access_token":"a","refresh_token":"r","expires":"1692457372"}"#,
            ),
            0,
            Platform::Legacy,
        )
        .unwrap();
        assert_eq!(token.access_token.expose(), "a");
        assert_eq!(token.refresh_token.unwrap().expose(), "r");
        assert_eq!(token.expires, 1_692_457_372);
        let token = read_answer(
            &answer(200, r#"{"access_token":"a","expires":5}"#),
            0,
            Platform::Legacy,
        )
        .unwrap();
        assert_eq!((token.refresh_token, token.expires), (None, 5));
    }

    #[test]
    fn bad_answers_name_the_field_and_never_show_a_token() {
        for (body, expected) in [
            (
                r#"{"refresh_token":"r-secret","expires":"1"}"#,
                "no access_token",
            ),
            (
                r#"{"access_token":"","expires":"1"}"#,
                "access_token is not",
            ),
            (r#"{"access_token":"a-secret"}"#, "no expires"),
            (
                r#"{"access_token":"a-secret","expires":"soon"}"#,
                "expires is \"soon\"",
            ),
            (
                r#"{"access_token":"a-secret","expires":-1}"#,
                "expires is -1",
            ),
            (
                r#"{"access_token":"a-secret","expires":"99999999999999"}"#,
                "expires is \"99999999999999\", not",
            ),
            (
                r#"{"access_token":"a-secret","expires":"100"}"#,
                "expired at 1970-01-01T00:01:40Z, before it arrived",
            ),
            (
                r#"{"access_token":"a-secret\r\nx: y","expires":"2000"}"#,
                "access_token: contains a space, control or non-ASCII character",
            ),
            (
                r#"{"access_token":"a","refresh_token":"r secret","expires":"2000"}"#,
                "refresh_token: contains a space",
            ),
        ] {
            let err = read_answer(&answer(200, body), 1000, Platform::Legacy).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(expected), "{body}: {text}");
            assert!(!text.contains("secret"), "{body}: {text}");
            assert_eq!(err.exit_code(), 5);
        }
        let refused = read_answer(
            &answer(400, r#"{"message":"invalid code"}"#),
            0,
            Platform::Legacy,
        )
        .unwrap_err();
        assert_eq!(refused.exit_code(), 3);
        assert!(refused.to_string().contains("invalid code"));
    }

    #[test]
    fn a_refusal_is_quoted_with_the_requests_secrets_masked() {
        let refused = Answer {
            secrets: crate::secret::Secrets::new(&[SecretString::new("rt-refresh-5d0a")]),
            ..answer(
                400,
                r#"{"error":"invalid_grant","error_description":"rt-refresh-5d0a is used"}"#,
            )
        };
        let err = read_answer(&refused, 1000, Platform::Current).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the API refused the request (HTTP 400): invalid_grant: *** is used"
        );
    }
}
