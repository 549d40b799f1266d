//! Scope names checked where they are typed (`--scope`, the config file's `scopes`) against
//! Divar's catalogue, and the catalogue itself: `scope list`, `scope list --live` against a
//! local stand-in for Divar's live catalogue, and what `scope decode` says a scope serves.

use crate::common;

use common::{API_KEY, Reply, TestServer, kenar};
use predicates::prelude::*;
use serde_json::Value;

const REDIRECT_URI: &str = "https://my-app.example/callback";

/// `oauth-url` on the current platform for the app, without a scope flag.
fn oauth_url_current() -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.args([
        "oauth-url",
        "--platform",
        "current",
        "--client-id",
        "my-app",
    ])
    .args(["--redirect-uri", REDIRECT_URI]);
    cmd
}

fn oauth_url(scope: &str) -> assert_cmd::Command {
    let mut cmd = oauth_url_current();
    cmd.args(["--scope", scope]);
    cmd
}

#[test]
fn a_wrongly_cased_standard_scope_is_refused_with_its_lower_case_name() {
    oauth_url("OFFLINE_ACCESS")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "--scope: scope \"OFFLINE_ACCESS\" is not one Divar knows: did you mean offline_access?",
        ))
        .stderr(predicate::str::contains("lower case"));
}

#[test]
fn a_misspelled_scope_is_refused_with_the_name_it_probably_meant() {
    oauth_url("CHAT_CONVERSATION_REDE.ID")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "did you mean CHAT_CONVERSATION_READ.ID?",
        ));
}

#[test]
fn the_other_platforms_separator_and_a_missing_or_superfluous_resource_are_refused() {
    for (written, meant, why) in [
        (
            "CONVERSATION_SEND_MESSAGE__c1",
            "CONVERSATION_SEND_MESSAGE.c1",
            "separates its resource by \".\", not \"__\"",
        ),
        (
            "CONVERSATION_SEND_MESSAGE",
            "CONVERSATION_SEND_MESSAGE.<conversation_id>",
            "takes a conversation ID",
        ),
        ("USER_PHONE.42", "USER_PHONE", "takes no resource ID"),
    ] {
        oauth_url(written)
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!("did you mean {meant}?")))
            .stderr(predicate::str::contains(why));
    }
}

#[test]
fn a_name_far_from_every_known_one_is_asked_for_with_a_warning() {
    let output = oauth_url("BRAND_NEW_SCOPE").assert().success();
    let output = output.get_output();
    let url = String::from_utf8_lossy(&output.stdout);
    assert!(url.contains("scope=BRAND_NEW_SCOPE"), "{url}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "warning: --scope: scope \"BRAND_NEW_SCOPE\" is not in kenar-chat's catalogue"
        ),
        "{stderr}"
    );
}

#[test]
fn a_misspelled_scope_is_refused_before_a_code_is_exchanged() {
    let server = TestServer::success();
    kenar()
        .args([
            "oauth",
            "token",
            "--platform",
            "current",
            "--client-id",
            "my-app",
            "--redirect-uri",
            REDIRECT_URI,
            "--code",
            "ory_ac_code",
            "--scope",
            "offline_acess",
        ])
        .env("KENAR_CLIENT_SECRET", "secret-1")
        .env("KENAR_TOKEN_URL", format!("{}/oauth2/token", server.url()))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("did you mean offline_access?"));
    assert!(server.requests().is_empty());
}

#[test]
fn the_config_files_scopes_are_asked_for_and_checked_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[profiles.default]\nscopes = [\"CONVERSATION_SEND_MESSAGE.c1\", \"offline_access\"]\n",
    )
    .unwrap();
    let url = oauth_url_current()
        .args(["--state", "s1"])
        .env("KENAR_CONFIG_DIR", dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let url = String::from_utf8(url).unwrap();
    assert!(
        url.contains("scope=CONVERSATION_SEND_MESSAGE.c1+offline_access"),
        "{url}"
    );
    std::fs::write(
        &config,
        "[profiles.default]\nscopes = [\"CONVERSATION_SEND_MESSAGE.c1\", \"Offline_Access\"]\n",
    )
    .unwrap();
    oauth_url_current()
        .env("KENAR_CONFIG_DIR", dir.path())
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "scopes under [profiles.default] in the config file {}: scope \"Offline_Access\"",
            config.display()
        )))
        .stderr(predicate::str::contains("did you mean offline_access?"));
}

#[test]
fn scope_list_prints_every_scope_divar_defines() {
    let output = kenar()
        .args(["scope", "list", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let list: Vec<Value> = serde_json::from_slice(&output).unwrap();
    assert_eq!(list.len(), 40);
    let send = list
        .iter()
        .find(|s| s["name"] == "CONVERSATION_SEND_MESSAGE")
        .unwrap();
    assert_eq!(send["scope"], "CONVERSATION_SEND_MESSAGE.<conversation_id>");
    assert_eq!(send["resource"], "conversation ID");
    assert_eq!(
        send["endpoints"][0],
        "POST /v2/open-platform/conversations/{conversation_id}/messages"
    );
    kenar()
        .args(["scope", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "USER_PHONE                                          read the user's phone number",
        ));
}

#[test]
fn scope_list_live_shows_each_scopes_state_and_warns_of_deprecated_ones() {
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            r#"{"scopes": [
                {"slug": "USER_PHONE", "display": "Phone", "description": "the phone", "lifecycle_state": "DEPRECATED"},
                {"slug": "OFFLINE_ACCESS", "display": "Offline", "description": "refresh", "lifecycle_state": "ACTIVE"},
                {"slug": "CHAT_NEW_THING", "display": "New", "description": "a new thing", "lifecycle_state": "EXPERIMENTAL"}
            ]}"#,
        )
    });
    let assert = kenar()
        .args(["scope", "list", "--live", "--base-url", &server.url()])
        .env("KENAR_API_KEY", API_KEY)
        .assert()
        .success();
    let output = assert.get_output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The line of `scope` holds every one of `parts`.
    let listed = |scope: &str, parts: &[&str]| {
        stdout
            .lines()
            .any(|l| l.starts_with(&format!("{scope} ")) && parts.iter().all(|p| l.contains(p)))
    };
    assert!(listed("USER_PHONE", &["DEPRECATED"]), "{stdout}");
    assert!(listed("offline_access", &["ACTIVE"]), "{stdout}");
    assert!(
        listed(
            "CHAT_NEW_THING",
            &["EXPERIMENTAL", "not in kenar-chat's catalogue"]
        ),
        "{stdout}"
    );
    assert!(
        listed("USER_ID", &["not in Divar's live catalogue"]),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: Divar's catalogue says USER_PHONE is DEPRECATED"),
        "{stderr}"
    );
    let request = server.only_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v1/open-platform/assets/oauth-scope");
    assert_eq!(request.header("x-api-key"), Some(API_KEY));
    assert!(request.body.is_empty());
}

#[test]
fn scope_list_live_needs_the_api_key_and_sends_nothing_without_it() {
    let server = TestServer::success();
    kenar()
        .args(["scope", "list", "--live", "--base-url", &server.url()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--live: API key: missing"));
    assert!(server.requests().is_empty());
}

#[test]
fn scope_decode_says_what_a_scope_allows_and_which_endpoints_it_serves() {
    kenar()
        .args(["scope", "decode", "USER_PHONE"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "allows      read the user's phone number",
        ))
        .stdout(predicate::str::contains(
            "endpoints   GET /v1/open-platform/users",
        ));
    kenar()
        .args(["scope", "decode", "OFFLINE_ACCESS"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("did you mean offline_access?"));
}

#[test]
fn scope_list_live_masks_the_api_key_the_catalogue_echoes_in_text_and_json() {
    let server = TestServer::start(|_, request| {
        // A catalogue that names a scope after the key it was sent.
        let key = request.header("x-api-key").unwrap_or_default();
        Reply::json(
            200,
            &serde_json::json!({"scopes": [
                {"slug": key, "description": format!("about {key}"), "lifecycle_state": "DEPRECATED"}
            ]})
            .to_string(),
        )
    });
    for format in ["text", "json"] {
        let output = kenar()
            .args(["scope", "list", "--live", "--base-url", &server.url()])
            .args(["-o", format])
            .env("KENAR_API_KEY", API_KEY)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stdout.contains("***"), "{stdout}");
        common::assert_no_secret(&output, &[API_KEY]);
        assert!(stderr.contains("says *** is DEPRECATED"), "{stderr}");
    }
    for request in server.requests() {
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/v1/open-platform/assets/oauth-scope");
        assert_eq!(request.header("x-api-key"), Some(API_KEY));
    }
}

#[test]
fn a_catalogue_answer_that_cannot_be_read_is_a_failed_read_not_a_delivery_in_doubt() {
    let server = TestServer::always(200, "[]");
    kenar()
        .args(["scope", "list", "--live", "--base-url", &server.url()])
        .env("KENAR_API_KEY", API_KEY)
        .assert()
        .code(5)
        .stdout("")
        .stderr(predicate::str::contains(
            "body that is not a JSON object: []",
        ))
        .stderr(predicate::str::contains("delivery").not())
        .stderr(predicate::str::contains("acted on").not());
    assert_eq!(server.only_request().method, "GET");
}

#[test]
fn a_scope_warning_or_refusal_names_the_command_that_lists_scopes() {
    oauth_url("BRAND_NEW_SCOPE")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: --scope: scope \"BRAND_NEW_SCOPE\" is not in kenar-chat's catalogue of \
             Divar's scopes; it is asked for as written (`kenar-chat scope list --live` shows \
             Divar's own list)\n",
        ));
    oauth_url("OFFLINE_ACCESS")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean offline_access? (the standard scopes are spelled in lower case in an \
             authorization URL; `kenar-chat scope list` lists them)\n",
        ));
}
