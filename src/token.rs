//! Exchanging an authorization code for an access token (protocol section 2).

use serde_json::{Value, json};
use url::Url;

use crate::client::{self, Answer, HeaderValue, PreparedRequest, quote};
use crate::error::{Error, Result};
use crate::secret::SecretString;
use crate::store::{LAST_RFC3339_SECOND, rfc3339};

/// Where codes are exchanged, relative to the API base URL.
pub const ACCESS_TOKEN_PATH: &str = "v1/open-platform/oauth/access_token";

/// The shortest authorization code masked in the token endpoint's answers.
const MASKED_CODE_LEN: usize = 8;

/// What identifies the app to the token endpoint.
#[derive(Debug, Clone)]
pub struct AppCredentials {
    /// The app's slug from the Kenar panel.
    pub client_id: String,
    pub client_secret: SecretString,
    pub api_key: SecretString,
}

/// `POST /v1/open-platform/oauth/access_token` for one authorization code. The body holds
/// the client secret, so this request is never printed; and an answer that echoes the
/// secret or the code shows them masked, since a code may still be redeemable.
pub fn exchange_request(base: &Url, code: &str, app: &AppCredentials) -> PreparedRequest {
    let body = json!({
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.client_secret.expose(),
        "grant_type": "authorization_code",
    });
    PreparedRequest {
        method: "POST",
        url: client::endpoint(base, ACCESS_TOKEN_PATH),
        headers: vec![
            (
                "content-type",
                HeaderValue::Plain("application/json".into()),
            ),
            ("x-api-key", HeaderValue::Secret(app.api_key.clone())),
        ],
        body: body.to_string().into_bytes(),
        body_secrets: std::iter::once(app.client_secret.clone())
            // A code of a few characters would mask ordinary words; real ones are long.
            .chain((code.len() >= MASKED_CODE_LEN).then(|| SecretString::new(code)))
            .collect(),
    }
}

/// A token as the endpoint granted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    /// When the access token stops working, in Unix seconds.
    pub expires: u64,
}

/// Reads the token endpoint's answer: `{"access_token", "refresh_token", "expires"}` with
/// `expires` a Unix time in seconds, sent as a string (a number is accepted too). Every
/// value is checked before the caller stores anything: the tokens must be fit for the
/// header they will travel in, and `expires` must be later than `now` (Unix seconds) and
/// a time a calendar can show. Errors name the faulty field but never quote the body,
/// since it may hold a token.
pub fn read_answer(answer: &Answer, now: u64) -> Result<Token> {
    let body = client::check_answer(answer)?;
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
    let expires = match field("expires") {
        Some(Value::String(text)) => text.trim().parse::<u64>().ok(),
        Some(Value::Number(number)) => number.as_u64(),
        Some(_) => None,
        None => return Err(unreadable("it carries no expires")),
    }
    .filter(|&expires| expires <= LAST_RFC3339_SECOND)
    .ok_or_else(|| {
        let shown = field("expires").map(Value::to_string).unwrap_or_default();
        unreadable(&format!(
            "expires is {}, not a Unix time in seconds",
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
    })
}

fn unreadable(problem: &str) -> Error {
    Error::Unavailable(format!(
        "the token endpoint's answer cannot be used: {problem}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::answer;

    #[test]
    fn the_request_is_the_documented_one() {
        let app = AppCredentials {
            client_id: "my-app".into(),
            client_secret: SecretString::new("s3cret"),
            api_key: SecretString::new("key"),
        };
        let base = Url::parse("https://api.divar.ir").unwrap();
        let request = exchange_request(&base, "c0de", &app);
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
    fn reads_expires_as_a_string_or_a_number() {
        let token = read_answer(
            &answer(
                200,
                r#"{"access_token":"a","refresh_token":"r","expires":"1692457372"}"#,
            ),
            0,
        )
        .unwrap();
        assert_eq!(token.access_token.expose(), "a");
        assert_eq!(token.refresh_token.unwrap().expose(), "r");
        assert_eq!(token.expires, 1_692_457_372);
        let token = read_answer(&answer(200, r#"{"access_token":"a","expires":5}"#), 0).unwrap();
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
            let err = read_answer(&answer(200, body), 1000).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(expected), "{body}: {text}");
            assert!(!text.contains("secret"), "{body}: {text}");
            assert_eq!(err.exit_code(), 5);
        }
        let refused = read_answer(&answer(400, r#"{"message":"invalid code"}"#), 0).unwrap_err();
        assert_eq!(refused.exit_code(), 3);
        assert!(refused.to_string().contains("invalid code"));
    }
}
