//! Why a grant fails, against the sandbox playing each failure with Hydra's texts: the
//! message names what failed, quotes Divar, and gives the causes that fit and what fixes
//! each; `-v` and `-o json` keep the raw answer.

use crate::common;

use common::sandbox::{Sandbox, agent, response};
use predicates::prelude::*;
use serde_json::{Value, json};
use url::Url;

const HYDRA_GRANT: &str = "The provided authorization grant (e.g., authorization code";
const CONVERSATION: &str = "5b0e7f3c-2a61-4c8e-9d47-e81f6a3b90c2";

fn scope() -> String {
    format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION}")
}

/// A code for the demo conversation with a refresh token, approved on the sandbox's
/// consent page and sent back to its callback.
fn approved_code(sandbox: &Sandbox) -> String {
    let redirect_uri = sandbox.var("KENAR_REDIRECT_URI").to_owned();
    let scopes = format!("{} offline_access", scope());
    let (_, back) = sandbox.consent_current(&scopes, &redirect_uri, "s", "approve");
    Sandbox::code(&back)
}

/// `oauth token` on the current platform with the sandbox's settings, storing into `dir`.
fn oauth_token(sandbox: &Sandbox, dir: &std::path::Path, code: &str) -> assert_cmd::Command {
    let mut cmd = sandbox.kenar();
    cmd.env("KENAR_CONFIG_DIR", dir)
        .args(["oauth", "token", "--platform", "current", "--code", code])
        .args(["--conversation", CONVERSATION, "--offline"]);
    cmd
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Fails the test unless `text` says every one of `says`.
fn says_all(text: &str, says: &[&str]) {
    for said in says {
        assert!(text.contains(said), "{said}: {text}");
    }
}

#[test]
fn a_code_exchanged_twice_names_every_cause_and_the_login_that_gets_a_new_one() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let code = approved_code(&sandbox);
    oauth_token(&sandbox, dir.path(), &code).assert().success();
    let output = oauth_token(&sandbox, dir.path(), &code)
        .assert()
        .code(3)
        .get_output()
        .clone();
    let text = stderr(&output);
    says_all(
        &text,
        &[
            &format!(
                "the token endpoint at {} refused the code (invalid_grant, HTTP 400)",
                sandbox.url.trim_start_matches("http://")
            ),
            &format!("Divar says: \"{HYDRA_GRANT}"),
            "Divar says: \"code: already used",
            "the code expired: it must be exchanged within 10 minutes",
            "the code was already exchanged: a code works once",
            &format!(
                "the redirect URI sent ({}) is not the one of the authorization URL",
                sandbox.var("KENAR_REDIRECT_URI")
            ),
            "the code was issued to another client ID than sandbox-app",
            &format!(
                "get a new code: `kenar-chat oauth login --platform current --scope {} --offline`",
                scope()
            ),
        ],
    );
    assert!(!text.contains("the API refused"), "{text}");
    common::assert_no_secret(&output, &[sandbox.var("KENAR_CLIENT_SECRET")]);
}

#[test]
fn an_expired_code_and_another_redirect_uri_are_refused_as_invalid_grant() {
    let sandbox = Sandbox::start(&["--code-lifetime", "0"]);
    let dir = tempfile::tempdir().unwrap();
    oauth_token(&sandbox, dir.path(), &approved_code(&sandbox))
        .assert()
        .code(3)
        .stderr(predicate::str::contains("refused the code (invalid_grant"))
        .stderr(predicate::str::contains("Divar says: \"code: expired"))
        .stderr(predicate::str::contains("within 10 minutes"));
    let sandbox = Sandbox::start(&[]);
    oauth_token(&sandbox, dir.path(), &approved_code(&sandbox))
        .args(["--redirect-uri", "http://127.0.0.1:9/elsewhere"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "Divar says: \"redirect_uri: not the one the code was issued for",
        ))
        .stderr(predicate::str::contains(
            "the redirect URI sent (http://127.0.0.1:9/elsewhere) is not the one of the \
             authorization URL\n    fix: exchange with the redirect URI of the authorization URL",
        ));
}

#[test]
fn a_wrong_client_secret_is_invalid_client_naming_where_each_credential_came_from() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let output = oauth_token(&sandbox, dir.path(), &approved_code(&sandbox))
        .env("KENAR_CLIENT_SECRET", "wrong-secret-91aa")
        .args(["--client-id", "sandbox-app"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let text = stderr(&output);
    says_all(
        &text,
        &[
            "refused the code (invalid_client, HTTP 401)",
            "Divar says: \"Client authentication failed",
            "the client ID or the client secret is wrong (the client ID from --client-id, the \
         secret from KENAR_CLIENT_SECRET)",
            "copy both again from the app's page in the Kenar panel",
        ],
    );
    common::assert_no_secret(&output, &["wrong-secret-91aa"]);
}

#[test]
fn a_refused_exchange_keeps_the_raw_answer_in_verbose_and_json_output() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let output = oauth_token(&sandbox, dir.path(), "ory_ac_made-up-code")
        .args(["-v", "-o", "json"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let error: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(error["error"], "invalid_grant");
    assert_eq!(error["status"], 400);
    assert_eq!(error["error_hint"], "code: unknown");
    assert!(
        error["answer"]
            .as_str()
            .unwrap()
            .contains("\"error\":\"invalid_grant\"")
    );
    assert_eq!(
        error["causes"][0]["cause"],
        "the code expired: it must be exchanged within 10 minutes"
    );
    assert!(
        stderr(&output).contains("< {\"error\":\"invalid_grant\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_refused_refresh_names_expiry_revocation_and_reuse_with_the_login_command() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("credentials.json"),
        json!({"profiles": {"default": [{
            "scopes": [scope(), "offline_access"],
            "access_token": "ory_at_made-up",
            "refresh_token": "ory_rt_made-up",
            "expires": 4_102_444_800_u64,
            "redirect_uri": sandbox.var("KENAR_REDIRECT_URI"),
        }]}})
        .to_string(),
    )
    .unwrap();
    let before = std::fs::read(dir.path().join("credentials.json")).unwrap();
    let output = sandbox
        .kenar()
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["oauth", "refresh"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let text = stderr(&output);
    says_all(
        &text,
        &[
            &format!(
                "the token endpoint at {port} refused to refresh the stored token of profile \
             \"default\" for {} offline_access (invalid_grant, HTTP 400)",
                scope(),
                port = sandbox.url.trim_start_matches("http://")
            ),
            "the refresh token expired: it lasts 30 days",
            "the user revoked the app's access",
            "the refresh token was already used",
            &format!(
                "log in again: `kenar-chat oauth login --platform current --scope {} --offline`",
                scope()
            ),
        ],
    );
    assert_eq!(
        std::fs::read(dir.path().join("credentials.json")).unwrap(),
        before
    );
}

/// Where the sandbox's consent page sends the browser for `scopes`, without approving.
fn authorization_redirect(sandbox: &Sandbox, scopes: &str) -> (u16, Url) {
    let mut asked = Url::parse(&format!("{}/oauth2/auth", sandbox.url)).unwrap();
    asked
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", sandbox.var("KENAR_CLIENT_ID"))
        .append_pair("redirect_uri", sandbox.var("KENAR_REDIRECT_URI"))
        .append_pair("scope", scopes)
        .append_pair("state", "s1");
    let (status, headers, _) = response(agent().get(asked.as_str()).call());
    let location = headers.get("location").cloned().unwrap_or_default();
    (status, Url::parse(&location).unwrap_or(asked))
}

#[test]
fn a_scope_not_opened_for_the_app_is_refused_at_the_authorization_and_named() {
    let sandbox = Sandbox::start(&["--closed-scope", "USER_PHONE"]);
    let (status, back) = authorization_redirect(&sandbox, &format!("{} USER_PHONE", scope()));
    assert_eq!(status, 303);
    let query: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    assert_eq!(query[0], ("error".into(), "invalid_scope".into()));
    assert_eq!(
        query[1].1,
        "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not \
         allowed to request scope 'USER_PHONE'."
    );
    assert_eq!(query[2], ("state".into(), "s1".into()));
    let dir = tempfile::tempdir().unwrap();
    let output = oauth_token(&sandbox, dir.path(), back.as_str())
        .args(["--state", "s1"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let text = stderr(&output);
    says_all(
        &text,
        &[
            "the authorization was refused (invalid_scope): Divar sent back no code",
            "Divar says: \"The requested scope is invalid, unknown, or malformed. The OAuth 2.0 \
         Client is not allowed to request scope 'USER_PHONE'.\"",
            "scope USER_PHONE is not opened for this app: test apps have every scope, a production \
         app must have each one opened by a ticket in the Kenar panel",
        ],
    );
    // An open scope still goes to the consent page.
    let (status, _) = authorization_redirect(&sandbox, &scope());
    assert_eq!(status, 200);
}

#[test]
fn a_refusal_by_the_user_says_so() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    oauth_token(
        &sandbox,
        dir.path(),
        "https://my-app.example/callback?state=s1&error=access_denied&error_description=The+resource+owner+denied+the+request.",
    )
    .args(["--state", "s1"])
    .assert()
    .code(3)
    .stdout("")
    .stderr(predicate::str::contains(
        "the authorization was refused (access_denied)",
    ))
    .stderr(predicate::str::contains(
        "Divar says: \"The resource owner denied the request.\"",
    ))
    .stderr(predicate::str::contains("the user refused on the consent page"));
}

#[test]
fn a_key_without_the_send_permission_is_answered_403_and_both_permissions_are_named() {
    let sandbox = Sandbox::start(&["--missing-permission", "CHAT_SEND_MESSAGE_OAUTH"]);
    let output = sandbox
        .kenar()
        .args(["send", "--conversation-id", CONVERSATION, "--message", "hi"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let text = stderr(&output);
    says_all(
        &text,
        &[
            "(HTTP 403): code 7: permission denied: the API key lacks CHAT_SEND_MESSAGE_OAUTH",
            "A 403 from POST /v2/open-platform/conversations/{conversation_id}/messages means one \
         of two permissions is missing",
            "the app's API key lacks the key permission CHAT_SEND_MESSAGE_OAUTH: grant it to the \
         app in the Kenar panel",
            &format!(
                "the user's token lacks every scope that serves it: {}, \
             CHAT_POST_CONVERSATIONS_MESSAGE_SEND.<post_token>, \
             CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND; the access token was given",
                scope()
            ),
            &format!(
                "ask the user for it: `kenar-chat oauth login --platform current --scope {}`",
                scope()
            ),
        ],
    );
    assert!(sandbox.messages().is_empty());
    // The legacy send needs the same key permission.
    sandbox
        .send("hi")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "A 403 from POST /v2/open-platform/chat/conversation",
        ))
        .stderr(predicate::str::contains(
            "CHAT_SEND_MESSAGE_POST_CONVERSATIONS__<post_token>",
        ));
}

#[test]
fn a_403_with_a_stored_token_says_whether_it_was_granted_a_serving_scope() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let answer = sandbox.current_token("CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND");
    std::fs::write(
        dir.path().join("credentials.json"),
        json!({"profiles": {"default": [{
            "scopes": ["CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND"],
            "access_token": answer["access_token"],
            "expires": 4_102_444_800_u64,
        }]}})
        .to_string(),
    )
    .unwrap();
    // The demo user buys in this conversation: the seller's scope does not cover it.
    let purchase = "c3d9a1e4-7b25-4f60-8a1d-2e5c9b7f04a6";
    sandbox
        .kenar()
        .env_remove("KENAR_ACCESS_TOKEN")
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["send", "--conversation-id", purchase, "--message", "hi"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(format!(
            "serves it: CONVERSATION_SEND_MESSAGE.{purchase}, "
        )))
        .stderr(predicate::str::contains(
            "the stored token was granted CHAT_SUPPLIER_ALL_CONVERSATIONS_MESSAGE_SEND, one of \
             them, so the key permission is the likelier cause (or the user's scope does not \
             cover this resource)",
        ))
        .stderr(predicate::str::contains(format!(
            "`kenar-chat oauth login --platform current --scope CONVERSATION_SEND_MESSAGE.{purchase}`"
        )));
}

#[test]
fn a_key_without_the_upload_permission_is_named_for_the_upload_token_request() {
    let sandbox = Sandbox::start(&["--missing-permission", "CHAT_UPLOAD_MEDIA"]);
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("photo.png");
    std::fs::write(&image, common::sandbox::png()).unwrap();
    sandbox
        .kenar()
        .args(["send", "--conversation-id", CONVERSATION, "--image"])
        .arg(&image)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "A 403 from POST /experimental/open-platform/chat/upload means one of two \
             permissions is missing",
        ))
        .stderr(predicate::str::contains(
            "lacks the key permission CHAT_UPLOAD_MEDIA",
        ));
    assert!(sandbox.messages().is_empty());
}

/// Plays the user's browser at `url`: a redirect is followed to the app; a consent page is
/// approved, then its redirect followed.
fn browse(sandbox: &Sandbox, url: &str) {
    let (status, headers, page) = response(agent().get(url).call());
    let location = match status {
        303 => headers["location"].clone(),
        200 => {
            let mut form = common::sandbox::hidden_fields(&page);
            form.push(("decision".into(), "approve".into()));
            let form: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (status, headers, body) = sandbox.post_form("/oauth2/auth", &form);
            assert_eq!(status, 303, "{body}");
            headers["location"].clone()
        }
        other => panic!("HTTP {other}: {page}"),
    };
    let (status, _, page) = response(agent().get(&location).call());
    assert_eq!(status, 200, "{page}");
}

/// `oauth login` for the demo conversation and USER_PHONE, which the sandbox does not open
/// for the app, with `extra` flags; the user's browser played as [`browse`] does for every
/// authorization URL it prints. Its exit code, what it said, and its config directory.
fn closed_scope_login(extra: &[&str]) -> (Option<i32>, String, tempfile::TempDir) {
    use std::io::BufRead as _;
    let sandbox = Sandbox::start(&["--closed-scope", "USER_PHONE"]);
    let dir = tempfile::tempdir().unwrap();
    let redirect_uri = format!("http://127.0.0.1:{}/callback", common::free_port());
    let auth_url = format!("{}/oauth2/auth", sandbox.url);
    let mut flags = vec![
        "--platform",
        "current",
        "--conversation",
        CONVERSATION,
        "--scope",
        "USER_PHONE",
        "--auth-url",
        &auth_url,
    ];
    flags.extend_from_slice(extra);
    let (mut login, url, mut said) = sandbox.start_login_asking(dir.path(), &flags, &redirect_uri);
    browse(&sandbox, &url);
    let mut text = String::new();
    loop {
        let mut line = String::new();
        if said.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if line.trim().starts_with(&sandbox.url) {
            browse(&sandbox, line.trim());
        }
        text.push_str(&line);
    }
    (login.wait().unwrap().code(), text, dir)
}

#[test]
fn a_login_refused_for_a_closed_scope_asks_for_each_alone_and_names_the_refused_one() {
    let (code, text, dir) = closed_scope_login(&["--each-scope"]);
    assert_eq!(code, Some(3), "{text}");
    says_all(
        &text,
        &[
            "the authorization was refused (invalid_scope)",
            &format!("Asking for {} alone", scope()),
            "Asking for USER_PHONE alone",
            "Divar refuses these scopes for this app (invalid_scope): USER_PHONE\nit accepts: ",
        ],
    );
    assert!(
        text.contains(&format!("it accepts: {}\n", scope())),
        "{text}"
    );
    assert!(!dir.path().join("credentials.json").exists());
}

#[test]
fn without_the_flag_a_refused_login_off_a_terminal_says_how_to_find_the_closed_scope() {
    let (code, text, _dir) = closed_scope_login(&[]);
    assert_eq!(code, Some(3), "{text}");
    assert!(
        text.contains("`oauth login --each-scope` asks for each scope alone"),
        "{text}"
    );
    assert!(
        text.contains("scope USER_PHONE is not opened for this app"),
        "{text}"
    );
}

#[test]
fn a_send_whose_automatic_refresh_is_refused_names_the_client_and_the_login() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("credentials.json"),
        json!({"profiles": {"default": [{
            "scopes": [scope(), "offline_access"],
            "access_token": "ory_at_made-up",
            "refresh_token": "ory_rt_made-up",
            "expires": 1_000_000_000_u64,
            "redirect_uri": sandbox.var("KENAR_REDIRECT_URI"),
        }]}})
        .to_string(),
    )
    .unwrap();
    let output = sandbox
        .kenar()
        .env_remove("KENAR_ACCESS_TOKEN")
        .env("KENAR_CONFIG_DIR", dir.path())
        .env("KENAR_CLIENT_SECRET", "wrong-secret-77c1")
        .args(["send", "--conversation-id", CONVERSATION, "--message", "hi"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    says_all(
        &stderr(&output),
        &[
            "refused to refresh the stored token of profile \"default\"",
            "(invalid_client, HTTP 401)",
            "the client ID from KENAR_CLIENT_ID, the secret from KENAR_CLIENT_SECRET",
        ],
    );
    common::assert_no_secret(&output, &["wrong-secret-77c1"]);
    assert!(sandbox.messages().is_empty());
}

#[test]
fn a_batch_refused_403_gets_the_advice_once_for_each_cause() {
    let sandbox = Sandbox::start(&["--missing-permission", "CHAT_SEND_MESSAGE_OAUTH"]);
    let dir = tempfile::tempdir().unwrap();
    let legacy = |message: &str| {
        json!({"user_id": common::USER, "post_token": common::POST, "peer_id": common::PEER,
            "message": message})
    };
    let lines = [
        json!({"conversation_id": CONVERSATION, "message": "one"}),
        legacy("two"),
        json!({"conversation_id": CONVERSATION, "message": "three"}),
        json!({"conversation_id": "another-conversation-7c1d", "message": "four"}),
        legacy("five"),
    ];
    let file = dir.path().join("lines.jsonl");
    let text: String = lines.iter().map(|line| format!("{line}\n")).collect();
    std::fs::write(&file, text).unwrap();
    let output = sandbox
        .kenar()
        .args(["send", "--concurrency", "1", "--batch"])
        .arg(&file)
        .assert()
        .code(6)
        .get_output()
        .clone();
    let text = stderr(&output);
    for line in 1..=5 {
        assert!(
            text.contains(&format!(
                "lines.jsonl line {line}: the API refused the request (HTTP 403)"
            )),
            "line {line}: {text}"
        );
    }
    // Once per endpoint, however many lines it refused.
    for (endpoint, first) in [
        (
            "POST /v2/open-platform/conversations/{conversation_id}/messages",
            1,
        ),
        ("POST /v2/open-platform/chat/conversation", 2),
    ] {
        let advice = format!("A 403 from {endpoint} means one of two permissions is missing");
        assert_eq!(text.matches(&advice).count(), 1, "{endpoint}: {text}");
        assert!(
            text.contains(&format!(
                "lines.jsonl line {first}, and every line refused alike:\n  {advice}"
            )),
            "{endpoint}: {text}"
        );
    }
    says_all(
        &text,
        &[
            "the app's API key lacks the key permission CHAT_SEND_MESSAGE_OAUTH",
            &format!(
                "`kenar-chat oauth login --platform current --scope {}`",
                scope()
            ),
        ],
    );
    assert!(sandbox.messages().is_empty());
}
