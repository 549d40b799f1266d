//! The OAuth authorization URL that asks a user for scopes (protocol sections 2 and 5:
//! both platforms build it the same way, on their own endpoints).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use url::Url;

use crate::error::{self, Error, Result};
use crate::http;
use crate::scope::Scope;
use crate::visible;

/// Everything the authorization URL carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub client_id: String,
    /// Kept exactly as given: it must come back byte for byte in the redirect.
    pub redirect_uri: String,
    pub scopes: Vec<Scope>,
    pub state: String,
}

impl AuthorizationRequest {
    /// Checks the inputs: a client ID, an absolute http(s) redirect URI without a query
    /// (Divar appends its own), at least one scope and a non-empty state.
    pub fn new(
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
        scopes: Vec<Scope>,
        state: impl Into<String>,
    ) -> Result<Self> {
        let request = AuthorizationRequest {
            client_id: client_id.into(),
            redirect_uri: redirect_uri.into(),
            scopes,
            state: state.into(),
        };
        let mut problems = Vec::new();
        if let Err(problem) = check_client_id(&request.client_id) {
            problems.push(problem);
        }
        if let Err(problem) = check_redirect_uri(&request.redirect_uri) {
            problems.push(format!("redirect_uri: {problem}"));
        }
        if request.scopes.is_empty() {
            problems.push("scope: no scope requested".to_owned());
        }
        if request.state.is_empty() {
            problems.push("state: must not be empty".to_owned());
        } else if let Err(problem) = check_printable("state", &request.state) {
            problems.push(problem);
        }
        error::valid(request, problems)
    }

    /// The URL to send the user's browser to. Scopes are joined by spaces before
    /// form-encoding, which writes each space as a literal `+` and percent-encodes any `+`,
    /// `/` or `=` inside a resource ID, exactly as the protocol asks.
    pub fn url(&self, endpoint: &Url) -> Url {
        let mut url = endpoint.clone();
        let scopes: Vec<String> = self.scopes.iter().map(Scope::to_string).collect();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", &self.state);
        url
    }
}

/// A client ID is the app's slug: not blank, and printable (see [`check_printable`]).
pub fn check_client_id(value: &str) -> std::result::Result<(), String> {
    if value.trim().is_empty() {
        return Err("client_id: must not be empty".to_owned());
    }
    check_printable("client_id", value)
}

/// A client ID or state may hold what RFC 6749 allows there, spaces included, but no
/// control or format character: only a mistake puts one there, and it makes two values
/// look the same.
fn check_printable(field: &str, value: &str) -> std::result::Result<(), String> {
    match value.chars().find(|&c| visible::is_invisible(c)) {
        Some(c) => Err(format!(
            "{field}: must not contain control characters or invisible ones such as \
             zero-width spaces and bidi controls (found {})",
            visible::name(c)
        )),
        None => Ok(()),
    }
}

/// A redirect URI must be an absolute http(s) URL with no query string of its own.
pub fn check_redirect_uri(value: &str) -> std::result::Result<Url, String> {
    // Divar compares the URI byte for byte with the registered one, so it is taken only as
    // the strict rule of every URL reads it.
    let url = http::url::parse(value)?;
    if url.query().is_some() {
        return Err(format!(
            "{} must not carry a query string: Divar appends state and code to it",
            visible::excerpt(value)
        ));
    }
    if url.fragment().is_some() {
        return Err(format!(
            "{} must not carry a fragment (#...)",
            visible::excerpt(value)
        ));
    }
    Ok(url)
}

/// A fresh state: 128 random bits from the operating system, URL-safe base64.
pub fn random_state() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| {
        Error::Unavailable(format!(
            "cannot read the operating system's random source: {e}"
        ))
    })?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::Platform;
    use crate::scope::{Chat, OFFLINE_ACCESS};

    fn endpoint() -> Url {
        Url::parse(Platform::Legacy.auth_url()).unwrap()
    }

    fn seed_request() -> AuthorizationRequest {
        let chat = Chat::new(
            "e9ba8a81-9583-4f7c-af54-b07df089d971",
            "AZf3Uqr3",
            "1697004f-e902-44c2-bbbe-bf8e20d54bff",
        )
        .unwrap();
        AuthorizationRequest::new(
            "my-app",
            "https://app.example/callback",
            vec![
                Scope::Chat(chat),
                Scope::post_chats("AZf3Uqr3").unwrap(),
                Scope::raw("USER_PHONE").unwrap(),
            ],
            "s1",
        )
        .unwrap()
    }

    #[test]
    fn encodes_as_the_protocol_says() {
        assert_eq!(
            seed_request().url(&endpoint()).as_str(),
            "https://open-platform-redirect.divar.ir/oauth?response_type=code&client_id=my-app\
             &redirect_uri=https%3A%2F%2Fapp.example%2Fcallback\
             &scope=CHAT_SEND_MESSAGE_OAUTH__ZTliYThhODEtOTU4My00ZjdjLWFmNTQtYjA3ZGYwODlkOTcxOkFaZjNVcXIzOjE2OTcwMDRmLWU5MDItNDRjMi1iYmJlLWJmOGUyMGQ1NGJmZg%3D%3D\
             +CHAT_SEND_MESSAGE_POST_CONVERSATIONS__AZf3Uqr3+USER_PHONE&state=s1"
        );
    }

    #[test]
    fn parses_back_to_exactly_its_inputs() {
        let request = seed_request();
        let url = request.url(&endpoint());
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let scopes: Vec<String> = request.scopes.iter().map(Scope::to_string).collect();
        assert_eq!(
            pairs,
            vec![
                ("response_type".into(), "code".into()),
                ("client_id".into(), "my-app".into()),
                ("redirect_uri".into(), request.redirect_uri.clone()),
                ("scope".into(), scopes.join(" ")),
                ("state".into(), "s1".into()),
            ]
        );
    }

    #[test]
    fn current_scopes_are_space_separated_on_the_oauth2_endpoint() {
        let scopes = vec![
            Scope::conversation("c+1/x=").unwrap(),
            Scope::post_conversations("AZf3Uqr3").unwrap(),
            Scope::SupplierConversations,
            Scope::raw(OFFLINE_ACCESS).unwrap(),
        ];
        let request =
            AuthorizationRequest::new("my-app", "https://app.example/cb", scopes, "s1").unwrap();
        let url = request.url(&Url::parse(Platform::Current.auth_url()).unwrap());
        assert_eq!(
            url.as_str(),
            "https://oauth.divar.ir/oauth2/auth?response_type=code&client_id=my-app\
             &redirect_uri=https%3A%2F%2Fapp.example%2Fcb\
             &scope=CONVERSATION_SEND_MESSAGE.c%2B1%2Fx%3D+CHAT_POST_CONVERSATIONS_MESSAGE_SEND.AZf3Uqr3\
             +CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND+offline_access&state=s1"
        );
        let scope = url
            .query_pairs()
            .find(|(name, _)| name == "scope")
            .map(|(_, value)| value.into_owned());
        assert_eq!(
            scope.as_deref(),
            Some(
                "CONVERSATION_SEND_MESSAGE.c+1/x= CHAT_POST_CONVERSATIONS_MESSAGE_SEND.AZf3Uqr3 \
                 CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND offline_access"
            )
        );
    }

    #[test]
    fn refuses_bad_redirects_and_no_scope() {
        for bad in [
            "app.example/cb",
            "ftp://app.example/cb",
            "https://app.example/cb?x=1",
            "https://app.example/cb#top",
            " https://app.example/cb",
            "https://app.example/cb\n",
            "https://app.example/c\tb",
            "https://app.example/a b",
            "",
        ] {
            let err = AuthorizationRequest::new("a", bad, vec![Scope::raw("X").unwrap()], "s")
                .unwrap_err();
            assert!(err.to_string().contains("redirect_uri"), "{bad}: {err}");
        }
        let err = AuthorizationRequest::new("a", "https://a.example/", vec![], "s").unwrap_err();
        assert!(err.to_string().contains("no scope requested"));
    }

    #[test]
    fn random_states_are_long_and_distinct() {
        let a = random_state().unwrap();
        assert_eq!(a.len(), 22);
        assert_ne!(a, random_state().unwrap());
    }
}
