//! The current platform's OAuth (protocol section 5) as the sandbox plays it: the consent
//! page on `/oauth2/auth`, the form-encoded token endpoint with codes, refresh, rotation
//! and grace, and kenar-chat's own `oauth login` and `oauth refresh` against them.

use serde_json::{Value, json};

use super::current::{DEMO_CONVERSATION, conversation_scope};
use crate::common::POST;
use crate::common::sandbox::{Sandbox, agent, hidden_fields, response, response_json};

#[test]
fn the_consent_page_describes_the_scopes_and_redirects_with_a_code_or_without() {
    let sandbox = Sandbox::start(&[]);
    let redirect_uri = "http://127.0.0.1:9/back";
    let scopes = format!(
        "{} CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST} \
         CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND offline_access",
        conversation_scope(DEMO_CONVERSATION)
    );
    let (page, back) = sandbox.consent_current(&scopes, redirect_uri, "st-1", "approve");
    for words in [
        format!("send messages in conversation {DEMO_CONVERSATION}"),
        format!("send messages, as the owner of post {POST}, in every conversation about it"),
        "send messages in every conversation where you are the seller".to_owned(),
        "keep this access while you are away".to_owned(),
    ] {
        assert!(page.contains(&words), "{words}: {page}");
    }
    assert!(page.contains("action=\"/oauth2/auth\""), "{page}");
    let pairs: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    assert_eq!(back.as_str().split('?').next(), Some(redirect_uri));
    assert_eq!(pairs[0], ("state".into(), "st-1".into()));
    assert_eq!(pairs[1].0, "code");
    assert_eq!(pairs.len(), 2);

    let (_, back) = sandbox.consent_current(&scopes, redirect_uri, "st-2", "deny");
    assert_eq!(back.as_str(), format!("{redirect_uri}?state=st-2"));
}

#[test]
fn the_consent_page_of_each_platform_refuses_the_others_scopes() {
    let sandbox = Sandbox::start(&[]);
    let (status, _, page) = sandbox.get(&format!(
        "/oauth2/auth?response_type=code&client_id=sandbox-app&redirect_uri=http://127.0.0.1:9/b\
         &state=s&scope=CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}"
    ));
    assert_eq!(status, 400);
    assert!(
        page.contains("is a scope of the legacy platform; ask for it at /oauth"),
        "{page}"
    );
    let (status, _, page) = sandbox.get(&format!(
        "/oauth?response_type=code&client_id=sandbox-app&redirect_uri=http://127.0.0.1:9/b\
         &state=s&scope=CONVERSATION_SEND_MESSAGE.{DEMO_CONVERSATION}"
    ));
    assert_eq!(status, 400);
    assert!(
        page.contains("is a scope of the current platform; ask for it at /oauth2/auth"),
        "{page}"
    );
}

fn keys(answer: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = answer
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

#[test]
fn a_code_becomes_a_bearer_token_with_a_refresh_token_only_for_offline_access() {
    let sandbox = Sandbox::start(&["--token-lifetime", "3600"]);
    let scope = conversation_scope(DEMO_CONVERSATION);
    let online = sandbox.current_token(&scope);
    assert_eq!(
        keys(&online),
        ["access_token", "expires_in", "scope", "token_type"]
    );
    assert!(
        online["access_token"]
            .as_str()
            .unwrap()
            .starts_with("ory_at_")
    );
    assert_eq!(online["expires_in"], 3600);
    assert_eq!(online["scope"], scope.as_str());
    assert_eq!(online["token_type"], "bearer");

    let offline = sandbox.current_token(&format!("{scope} offline_access"));
    assert_eq!(
        keys(&offline),
        [
            "access_token",
            "expires_in",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert!(
        offline["refresh_token"]
            .as_str()
            .unwrap()
            .starts_with("ory_rt_")
    );
    assert_eq!(offline["scope"], format!("{scope} offline_access"));
    assert_ne!(online["access_token"], offline["access_token"]);
}

#[test]
fn the_token_endpoint_refuses_in_oauths_words() {
    let sandbox = Sandbox::start(&[]);
    let redirect_uri = sandbox.var("KENAR_REDIRECT_URI").to_owned();
    let scope = conversation_scope(DEMO_CONVERSATION);
    let (_, back) = sandbox.consent_current(&scope, &redirect_uri, "s", "approve");
    let code = Sandbox::code(&back);
    let exchange = |code: &str, redirect_uri: &str| {
        sandbox.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ])
    };
    let refused = |(status, body): (u16, Value), error: &str, says: &str| {
        assert_eq!(status, 400, "{body}");
        assert_eq!(body["error"], error, "{body}");
        // Hydra's words in the description; the specific reason in the hint.
        let reason = body
            .get("error_hint")
            .unwrap_or(&body["error_description"])
            .as_str()
            .unwrap();
        assert!(reason.contains(says), "{reason}");
        if error == "invalid_grant" {
            assert!(
                body["error_description"]
                    .as_str()
                    .unwrap()
                    .starts_with("The provided authorization grant (e.g., authorization code"),
                "{body}"
            );
        }
    };
    // The redirect URI must be the code's; the code is spent all the same.
    refused(
        exchange(&code, "http://127.0.0.1:9/other"),
        "invalid_grant",
        "redirect_uri: not the one the code was issued for",
    );
    refused(
        exchange(&code, &redirect_uri),
        "invalid_grant",
        "code: already used",
    );
    // A code of the legacy consent page is not known here.
    let legacy = Sandbox::code(&sandbox.approve(
        "e9ba8a81-9583-4f7c-af54-b07df089d971:AZf3Uqr3:1697004f-e902-44c2-bbbe-bf8e20d54bff",
        "s",
    ));
    refused(
        exchange(&legacy, &redirect_uri),
        "invalid_grant",
        "code: unknown",
    );
    refused(
        sandbox.token_request(&[("grant_type", "authorization_code")]),
        "invalid_request",
        "missing: code, redirect_uri",
    );
    refused(
        sandbox.token_request(&[("grant_type", "password")]),
        "unsupported_grant_type",
        "grant_type: must be",
    );
    let (status, body) = response_json(
        agent()
            .post(format!("{}/oauth2/token", sandbox.url))
            .send_form([
                ("grant_type", "authorization_code"),
                ("client_id", "sandbox-app"),
                ("client_secret", "wrong"),
            ]),
    );
    assert_eq!(status, 401);
    assert_eq!(body["error"], "invalid_client");
    let (status, body) = response_json(
        agent()
            .post(format!("{}/oauth2/token", sandbox.url))
            .header("content-type", "application/json")
            .send(json!({"grant_type": "authorization_code"}).to_string()),
    );
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("form-encoded"),
        "{body}"
    );
}

#[test]
fn a_refresh_rotates_both_tokens_and_the_old_refresh_token_works_within_its_grace() {
    let sandbox = Sandbox::start(&[]);
    let scopes = format!("{} offline_access", conversation_scope(DEMO_CONVERSATION));
    let first = sandbox.current_token(&scopes);
    let (status, second) = sandbox.refresh(&first);
    assert_eq!(status, 200, "{second}");
    assert_eq!(
        keys(&second),
        [
            "access_token",
            "expires_in",
            "refresh_token",
            "scope",
            "token_type"
        ]
    );
    assert_eq!(second["scope"], scopes.as_str());
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    // A refresh that raced this one, retried with the old pair within the grace.
    let (status, again) = sandbox.refresh(&first);
    assert_eq!(status, 200, "{again}");
    // The new pair refreshes in turn.
    let (status, third) = sandbox.refresh(&second);
    assert_eq!(status, 200, "{third}");
    // The refresh must name the pair's own access token.
    let mixed =
        json!({"access_token": third["access_token"], "refresh_token": second["refresh_token"]});
    let (status, body) = sandbox.refresh(&mixed);
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_hint"].as_str().unwrap().starts_with("code:"),
        "{body}"
    );
}

#[test]
fn after_the_grace_the_old_refresh_token_is_refused() {
    let sandbox = Sandbox::start(&["--refresh-grace", "0"]);
    let first = sandbox.current_token(&format!(
        "{} offline_access",
        conversation_scope(DEMO_CONVERSATION)
    ));
    let (status, second) = sandbox.refresh(&first);
    assert_eq!(status, 200, "{second}");
    let (status, body) = sandbox.refresh(&first);
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_hint"]
            .as_str()
            .unwrap()
            .starts_with("refresh_token: already exchanged for a new pair"),
        "{body}"
    );
    let (status, _) = sandbox.refresh(&second);
    assert_eq!(status, 200);
}

#[test]
fn a_token_without_offline_access_cannot_be_refreshed() {
    let sandbox = Sandbox::start(&[]);
    let online = sandbox.current_token(&conversation_scope(DEMO_CONVERSATION));
    let (status, body) = sandbox.token_request(&[
        ("grant_type", "refresh_token"),
        ("code", online["access_token"].as_str().unwrap()),
        ("redirect_uri", sandbox.var("KENAR_REDIRECT_URI")),
        ("refresh_token", "ory_rt_made-up"),
    ]);
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_hint"], "refresh_token: unknown");
}

/// The whole loop with kenar-chat's own OAuth on the current platform: `oauth login`
/// waiting on a loopback redirect URI, the consent approved, then `send
/// --conversation-id` with the stored Bearer token, `oauth refresh`, and a send with the
/// new token.
#[test]
fn oauth_login_on_the_current_platform_then_send_refresh_and_send_again() {
    let sandbox = Sandbox::start(&[]);
    let config = tempfile::tempdir().unwrap();
    let redirect_uri = format!("http://127.0.0.1:{}/callback", crate::common::free_port());
    let auth_url = format!("{}/oauth2/auth", sandbox.url);
    let (mut login, url, mut said) = sandbox.start_login_asking(
        config.path(),
        &[
            "--platform",
            "current",
            "--conversation",
            DEMO_CONVERSATION,
            "--offline",
            "--auth-url",
            &auth_url,
        ],
        &redirect_uri,
    );
    let (status, _, page) = sandbox.get(url.strip_prefix(&sandbox.url).unwrap());
    assert_eq!(status, 200, "{page}");
    let mut form = hidden_fields(&page);
    form.push(("decision".into(), "approve".into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, headers, _) = sandbox.post_form("/oauth2/auth", &form);
    assert_eq!(status, 303);
    let (status, _, landed) = response(agent().get(&headers["location"]).call());
    assert_eq!(status, 200, "{landed}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut said, &mut rest).unwrap();
    assert!(login.wait().unwrap().success(), "{rest}");

    let from_store = |message: &str| {
        let mut send = sandbox.kenar();
        send.env_remove("KENAR_ACCESS_TOKEN")
            .env("KENAR_CONFIG_DIR", config.path())
            .args([
                "send",
                "--conversation-id",
                DEMO_CONVERSATION,
                "--message",
                message,
            ]);
        send
    };
    from_store("with the stored token").assert().success();
    let stored = || {
        let path = config.path().join("credentials.json");
        let stored: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        stored["profiles"]["default"][0]["access_token"].clone()
    };
    let before = stored();
    assert!(before.as_str().unwrap().starts_with("ory_at_"), "{before}");
    let refreshed = sandbox
        .kenar()
        .env("KENAR_CONFIG_DIR", config.path())
        .args(["oauth", "refresh"])
        .assert()
        .success()
        .get_output()
        .clone();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&refreshed.stdout),
        String::from_utf8_lossy(&refreshed.stderr)
    );
    assert!(!printed.contains("ory_at_"), "{printed}");
    assert!(!printed.contains("ory_rt_"), "{printed}");
    assert!(
        !printed.contains(sandbox.var("KENAR_CLIENT_SECRET")),
        "{printed}"
    );
    assert_ne!(stored(), before);
    from_store("with the refreshed token").assert().success();
    let texts: Vec<Value> = sandbox
        .messages()
        .iter()
        .map(|m| m["message"].clone())
        .collect();
    assert_eq!(
        texts,
        [
            json!("with the stored token"),
            json!("with the refreshed token")
        ]
    );
}
