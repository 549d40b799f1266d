//! A 403 from the API, explained for the request that met it: the endpoint's key
//! permission and the scopes that serve it, the message's own first, and whether the
//! stored token that went with it was granted one.

use kenar_chat::Error;
use kenar_chat::auth::store::{self, Lookup};
use kenar_chat::forbidden::{self, Granted};
use kenar_chat::http::request::Credentials;
use kenar_chat::scope::Recipient;
use kenar_chat::scope_catalogue;
use kenar_chat::secret::SecretString;
use kenar_chat::time::unix_now;
use url::Url;

use crate::cli::settings::Settings;
use crate::cli::shared::oauth_refusal;
use crate::cli::shared::profile;

/// `error` with the advice a 403 gets, when it is one: `url` is the request that met it
/// (`POST`, as every request of `send` and `events subscribe` is), which went to `to` with
/// `credentials`.
pub fn advised(
    error: Error,
    url: &Url,
    to: &Recipient,
    credentials: &Credentials,
    settings: &Settings,
) -> Error {
    match error {
        Error::Refused {
            status: 403,
            message: said,
        } => {
            let advice = advice(url, to, Some(&credentials.access_token), settings);
            Error::Refused {
                status: 403,
                message: format!("{said}{}", advice.map(|a| a.text).unwrap_or_default()),
            }
        }
        Error::Uploaded {
            error,
            media_token,
            advice,
        } => Error::Uploaded {
            error: Box::new(advised(*error, url, to, credentials, settings)),
            media_token,
            advice,
        },
        other => other,
    }
}

/// What a 403 means for one request, and what it has in common with others.
pub struct Advice {
    /// The endpoint, the kind of scope the request needed, and what its token was
    /// granted: two refusals alike in these are explained alike.
    pub cause: String,
    /// The explanation, each line indented, starting on a line of its own.
    pub text: String,
}

/// The advice a 403 from `url` gets, for a request to `to` that carried `access_token`;
/// `None` for an endpoint the catalogue does not know.
pub fn advice(
    url: &Url,
    to: &Recipient,
    access_token: Option<&SecretString>,
    settings: &Settings,
) -> Option<Advice> {
    let endpoint = scope_catalogue::endpoint_for("POST", url.path())?;
    let needed = to.own_scope();
    let ask = oauth_refusal::login_command(to.platform(), &[needed.to_string()], settings);
    let stored = profile::store().ok();
    let granted = stored
        .as_ref()
        .and_then(
            |store| match store::find(store.tokens(settings.profile()), to, unix_now()) {
                Lookup::Usable(token) | Lookup::Expired(token)
                    if access_token
                        .is_some_and(|sent| sent.expose() == token.access_token.expose()) =>
                {
                    Some(Granted::Stored(&token.scopes))
                }
                _ => None,
            },
        )
        .unwrap_or(Granted::Unknown);
    let cause = match granted {
        Granted::Unknown => format!("{} {}", endpoint.label(), needed.permission()),
        Granted::Stored(scopes) => format!(
            "{} {} granted {}",
            endpoint.label(),
            needed.permission(),
            scopes.join(" ")
        ),
    };
    Some(Advice {
        cause,
        text: forbidden::advice(endpoint, Some(&needed), granted, &ask),
    })
}
