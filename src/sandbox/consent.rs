//! The authorization endpoints (protocol sections 2 and 5), one per platform: a consent
//! page that says in words what each requested scope allows, and the redirect back to the
//! app with a code (Approve) or without one (Deny). A request that is not valid gets an
//! error page and never a redirect, since its redirect URI cannot be trusted. The user
//! who approves is the sandbox's demo user.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse as _, Response};
use serde::Deserialize;
use url::Url;

use super::demo::{DEMO_USER, scope_list};
use super::grant_failures;
use super::html::{error_page, escape, page};
use super::store::NewCode;
use super::{Sandbox, expiry};
use crate::auth::authorize::{check_redirect_uri, random_state};
use crate::error::Result;
use crate::platform::Platform;
use crate::scope::{
    OFFLINE_ACCESS, POST_READ_PERMISSION, SUPPLIER_READ_PERMISSION, Scope, USER_POSTS_PERMISSION,
};

/// Where each platform's consent page is.
pub(super) fn path(platform: Platform) -> &'static str {
    match platform {
        Platform::Legacy => "/oauth",
        Platform::Current => "/oauth2/auth",
    }
}

/// A redirect URI served by the sandbox itself, for trying the flow without an app.
pub(super) const CALLBACK_PATH: &str = "sandbox/callback";

/// The authorization request's parameters, from the query (consent page) or the form
/// (the user's decision). All optional, so that a missing one is reported by name.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuthorizeParams {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    /// Only in the form: "approve" or "deny".
    decision: Option<String>,
    /// Only in the form: the token of the consent page it was shown on.
    consent: Option<String>,
}

/// How long a consent page can be answered.
const CONSENT_LIFETIME: Duration = Duration::from_secs(30 * 60);
/// How many consent pages can wait for an answer at once: each page shown keeps an entry
/// for [`CONSENT_LIFETIME`], so past this many the oldest is forgotten (its form is then
/// refused as too old) rather than the memory growing with every request.
const CONSENT_PAGES: usize = 256;

/// The consent pages shown and not answered yet. Each form carries a random token bound to
/// the request the page showed, so that only a decision made on that page counts: another
/// web page cannot post "approve" for the user (cross-site request forgery), nor change
/// what the user approved.
#[derive(Debug, Default)]
pub(super) struct ConsentForms {
    shown: HashMap<String, (String, Instant)>,
}

impl ConsentForms {
    /// A token for a page showing `request`.
    fn issue(&mut self, request: &Authorization, now: Instant) -> Result<String> {
        self.shown.retain(|_, (_, until)| *until > now);
        if self.shown.len() >= CONSENT_PAGES {
            let oldest = self
                .shown
                .iter()
                .min_by_key(|(_, (_, until))| *until)
                .map(|(token, _)| token.clone());
            if let Some(oldest) = oldest {
                self.shown.remove(&oldest);
            }
        }
        let token = random_state()?;
        let until = now + CONSENT_LIFETIME;
        self.shown
            .insert(token.clone(), (request.fingerprint(), until));
        Ok(token)
    }

    /// Whether `token` was issued for a page showing `request` and is still valid. A token
    /// answers one decision: it is spent whatever the outcome.
    fn answer(&mut self, token: &str, request: &Authorization, now: Instant) -> bool {
        matches!(
            self.shown.remove(token),
            Some((shown, until)) if shown == request.fingerprint() && until > now
        )
    }
}

/// A request that passed every check.
struct Authorization {
    platform: Platform,
    redirect_uri: Url,
    scopes: Vec<Scope>,
    state: String,
}

impl Authorization {
    /// Everything the user is asked to approve, as one string to compare.
    fn fingerprint(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.platform,
            self.redirect_uri,
            scope_list(&self.scopes),
            self.state
        )
    }
}

fn check(
    sandbox: &Sandbox,
    platform: Platform,
    params: &AuthorizeParams,
) -> Result<Authorization, Vec<String>> {
    let mut problems = Vec::new();
    match params.response_type.as_deref() {
        Some("code") => {}
        Some(other) => problems.push(format!("response_type: must be \"code\", not {other:?}")),
        None => problems.push("response_type: missing".into()),
    }
    match params.client_id.as_deref() {
        Some(id) if id == sandbox.client_id => {}
        Some(id) => problems.push(format!("client_id: unknown client {id:?}")),
        None => problems.push("client_id: missing".into()),
    }
    let redirect_uri = match params.redirect_uri.as_deref().map(check_redirect_uri) {
        Some(Ok(uri)) => Some(uri),
        Some(Err(problem)) => {
            problems.push(format!("redirect_uri: {problem}"));
            None
        }
        None => {
            problems.push("redirect_uri: missing".into());
            None
        }
    };
    // Legacy scopes are joined by `+` and current ones by spaces: decoded, both are spaces.
    let mut scopes = Vec::new();
    for scope in params.scope.as_deref().unwrap_or("").split_whitespace() {
        match Scope::decode(scope) {
            Ok(scope) => match scope.platform() {
                Some(other) if other != platform => problems.push(format!(
                    "scope: {scope} is a scope of the {other} platform; ask for it at {}",
                    path(other)
                )),
                _ => scopes.push(scope),
            },
            Err(e) => problems.push(format!("scope: {e}")),
        }
    }
    if scopes.is_empty() && problems.iter().all(|p| !p.starts_with("scope")) {
        problems.push("scope: no scope requested".into());
    }
    let state = match params.state.as_deref() {
        Some(state) if !state.is_empty() => Some(state.to_owned()),
        _ => {
            problems.push("state: missing".into());
            None
        }
    };
    match (redirect_uri, state, problems.is_empty()) {
        (Some(redirect_uri), Some(state), true) => Ok(Authorization {
            platform,
            redirect_uri,
            scopes,
            state,
        }),
        _ => Err(problems),
    }
}

/// What a scope allows, in words.
fn describe(scope: &Scope) -> String {
    match scope {
        Scope::Chat(chat) => format!(
            "send messages, as user {}, in the chat between user {} and user {} about post {}",
            chat.user_id, chat.user_id, chat.peer_id, chat.post_token
        ),
        Scope::PostChats(post) => format!("send messages in every chat about post {post}"),
        Scope::Conversation(id) => format!("send messages in conversation {id}"),
        Scope::PostConversations(post) => {
            format!("send messages, as the owner of post {post}, in every conversation about it")
        }
        Scope::SupplierConversations => {
            "send messages in every conversation where you are the seller".to_owned()
        }
        Scope::Bot => "send you messages as the app's chatbot".to_owned(),
        Scope::Read(id) => format!("read the text messages of conversation {id}"),
        Scope::Other(raw) if raw == OFFLINE_ACCESS => {
            "keep this access while you are away: a refresh token comes with the access token"
                .to_owned()
        }
        // The scopes events subscriptions need.
        Scope::Other(_) => match (scope.permission(), scope.resource()) {
            (POST_READ_PERMISSION, Some(post)) => format!(
                "read every conversation about post {post}, and have the app told of their \
                 new messages"
            ),
            (SUPPLIER_READ_PERMISSION, None) => "read every conversation where you are the \
                 seller, and have the app told of their new messages"
                .to_owned(),
            (USER_POSTS_PERMISSION, None) => {
                "list your posts, and have the app told of their updates".to_owned()
            }
            _ => format!("{scope} (not modelled by the sandbox; granted as asked)"),
        },
    }
}

/// `GET /oauth`: the legacy platform's consent page.
pub(super) async fn ask_legacy(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    ask(&sandbox, Platform::Legacy, &params)
}

/// `GET /oauth2/auth`: the current platform's consent page.
pub(super) async fn ask_current(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<AuthorizeParams>,
) -> Response {
    ask(&sandbox, Platform::Current, &params)
}

/// `POST /oauth`: the decision on a legacy consent page.
pub(super) async fn decide_legacy(
    State(sandbox): State<Arc<Sandbox>>,
    Form(params): Form<AuthorizeParams>,
) -> Response {
    decide(&sandbox, Platform::Legacy, &params)
}

/// `POST /oauth2/auth`: the decision on a current consent page.
pub(super) async fn decide_current(
    State(sandbox): State<Arc<Sandbox>>,
    Form(params): Form<AuthorizeParams>,
) -> Response {
    decide(&sandbox, Platform::Current, &params)
}

fn ask(sandbox: &Sandbox, platform: Platform, params: &AuthorizeParams) -> Response {
    let request = match check(sandbox, platform, params) {
        Ok(request) => request,
        Err(problems) => return invalid(&problems),
    };
    if let Some(refused) = grant_failures::closed_scope(
        &sandbox.grant_failures,
        &request.scopes,
        &request.redirect_uri,
        &request.state,
    ) {
        return refused;
    }
    let scopes: String = request
        .scopes
        .iter()
        .map(|s| {
            format!(
                "<li><bdi>{}</bdi><br><code class=\"muted\">{}</code></li>",
                escape(&describe(s)),
                escape(&s.to_string())
            )
        })
        .collect();
    let consent = sandbox
        .consent_forms
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .issue(&request, Instant::now());
    let consent = match consent {
        Ok(consent) => consent,
        Err(e) => return failed(&e),
    };
    let scope_list = scope_list(&request.scopes);
    let hidden: String = [
        ("response_type", "code"),
        ("client_id", sandbox.client_id.as_str()),
        ("redirect_uri", params.redirect_uri.as_deref().unwrap_or("")),
        ("scope", &scope_list),
        ("state", request.state.as_str()),
        ("consent", &consent),
    ]
    .iter()
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    })
    .collect();
    let body = format!(
        "<div class=\"card\"><p>The app <strong>{client}</strong> asks to:</p><ul>{scopes}</ul>\
         <p class=\"muted\">You will be sent back to <code>{redirect}</code>.</p>\
         <form method=\"post\" action=\"{action}\">{hidden}<div class=\"actions\">\
         <button class=\"approve\" name=\"decision\" value=\"approve\">Approve</button>\
         <button class=\"deny\" name=\"decision\" value=\"deny\">Deny</button></div></form></div>",
        client = escape(&sandbox.client_id),
        redirect = escape(request.redirect_uri.as_str()),
        action = path(platform),
    );
    page(StatusCode::OK, "Allow access?", &body)
}

/// The user's decision. The form is checked again, as anything could have been posted,
/// and must come from a consent page the sandbox showed for exactly this request.
fn decide(sandbox: &Sandbox, platform: Platform, params: &AuthorizeParams) -> Response {
    let request = match check(sandbox, platform, params) {
        Ok(request) => request,
        Err(problems) => return invalid(&problems),
    };
    let approve = match params.decision.as_deref() {
        Some("approve") => true,
        Some("deny") => false,
        _ => return invalid(&["decision: must be \"approve\" or \"deny\"".to_owned()]),
    };
    let shown = params.consent.as_deref().is_some_and(|token| {
        sandbox
            .consent_forms
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .answer(token, &request, Instant::now())
    });
    if !shown {
        return error_page(
            StatusCode::FORBIDDEN,
            "Decision refused",
            &[
                "consent: this decision was not made on a consent page the sandbox showed for \
               this request, or that page was already answered or is too old; open the \
               authorization URL again"
                    .to_owned(),
            ],
        );
    }
    let mut target = request.redirect_uri;
    target
        .query_pairs_mut()
        .append_pair("state", &request.state);
    if approve {
        let expires = expiry(sandbox.code_lifetime);
        let code = random_state().and_then(|code| {
            sandbox.store.insert_code(&NewCode {
                code: &code,
                client_id: &sandbox.client_id,
                platform,
                // As given, since the token request must repeat it exactly.
                redirect_uri: params.redirect_uri.as_deref().unwrap_or_default(),
                user_id: DEMO_USER,
                scopes: &request.scopes,
                expires,
            })?;
            Ok(code)
        });
        match code {
            Ok(code) => {
                target.query_pairs_mut().append_pair("code", &code);
            }
            Err(e) => return failed(&e),
        }
    }
    (StatusCode::SEE_OTHER, [(header::LOCATION, target.as_str())]).into_response()
}

fn failed(error: &crate::Error) -> Response {
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The sandbox failed",
        &[error.to_string()],
    )
}

fn invalid(problems: &[String]) -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        "Invalid authorization request",
        problems,
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct CallbackParams {
    state: Option<String>,
    code: Option<String>,
}

/// `GET /sandbox/callback`: shows what the app would receive.
pub(super) async fn callback(
    State(sandbox): State<Arc<Sandbox>>,
    Query(params): Query<CallbackParams>,
) -> Response {
    let state = escape(params.state.as_deref().unwrap_or("(none)"));
    let body = match params.code {
        Some(code) => format!(
            "<div class=\"card\"><p>Access was approved.</p>\
             <p>code: <code>{code}</code><br>state: <code>{state}</code></p>\
             <p class=\"muted\">Exchange the code for an access token within {lifetime}; \
             it can be used once.</p></div>",
            code = escape(&code),
            lifetime = humantime::format_duration(sandbox.code_lifetime)
        ),
        None => format!(
            "<div class=\"card\"><p>Access was denied: no code.</p>\
             <p>state: <code>{state}</code></p></div>"
        ),
    };
    page(StatusCode::OK, "Back at the app", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_pages_past_the_cap_forget_the_oldest() {
        let request = Authorization {
            platform: Platform::Current,
            redirect_uri: Url::parse("http://127.0.0.1:1/cb").unwrap(),
            scopes: vec![Scope::SupplierConversations],
            state: "s".into(),
        };
        let mut forms = ConsentForms::default();
        let start = Instant::now();
        let first = forms.issue(&request, start).unwrap();
        let mut last = first.clone();
        for later in 1..=CONSENT_PAGES {
            let shown = start + Duration::from_millis(u64::try_from(later).unwrap());
            last = forms.issue(&request, shown).unwrap();
        }
        assert_eq!(forms.shown.len(), CONSENT_PAGES);
        assert!(!forms.answer(&first, &request, start));
        assert!(forms.answer(&last, &request, start));
    }
}
