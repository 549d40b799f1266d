//! `oauth doctor` against the sandbox: every check passes on a good setup, and each broken
//! one fails its own line with its fix; nothing is sent to the chat and the stored tokens
//! stay byte for byte as they were.

use crate::common;

use common::sandbox::Sandbox;
use serde_json::{Value, json};

const CONVERSATION: &str = "5b0e7f3c-2a61-4c8e-9d47-e81f6a3b90c2";

/// A config directory holding one stored token of the sandbox, refreshable.
fn config_with_token(sandbox: &Sandbox) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let scopes = format!("CONVERSATION_SEND_MESSAGE.{CONVERSATION} offline_access");
    let answer = sandbox.current_token(&scopes);
    std::fs::write(
        dir.path().join("credentials.json"),
        json!({"profiles": {"default": [{
            "scopes": scopes.split(' ').collect::<Vec<_>>(),
            "access_token": answer["access_token"],
            "refresh_token": answer["refresh_token"],
            "expires": 4_102_444_800_u64,
            "redirect_uri": sandbox.var("KENAR_REDIRECT_URI"),
        }]}})
        .to_string(),
    )
    .unwrap();
    dir
}

fn doctor(sandbox: &Sandbox, dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = sandbox.kenar();
    cmd.env("KENAR_CONFIG_DIR", dir)
        .args(["oauth", "doctor", "--platform", "current"]);
    cmd
}

/// The lines of a failed run, and which checks failed.
fn failed(cmd: &mut assert_cmd::Command) -> (String, Vec<String>) {
    let output = cmd.assert().code(8).get_output().clone();
    let text = String::from_utf8(output.stdout).unwrap();
    let failing = text
        .lines()
        .filter_map(|line| line.strip_prefix("FAIL  "))
        .map(|line| line.split(':').next().unwrap().to_owned())
        .collect();
    (text, failing)
}

#[test]
fn a_good_setup_passes_every_check_and_changes_nothing() {
    let sandbox = Sandbox::start(&[]);
    let dir = config_with_token(&sandbox);
    let before = std::fs::read(dir.path().join("credentials.json")).unwrap();
    let output = doctor(&sandbox, dir.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    let names: Vec<&str> = text
        .lines()
        .map(|line| {
            line.strip_prefix("ok    ")
                .unwrap_or_else(|| panic!("{text}"))
        })
        .map(|line| line.split(':').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "client ID",
            "redirect URI",
            "configured scopes",
            "token endpoint and client secret",
            "stored token",
            "API key"
        ]
    );
    assert!(
        text.contains(&format!(
            "stored token: CONVERSATION_SEND_MESSAGE.{CONVERSATION} offline_access: current \
             platform, expires at 2100-01-01T00:00:00Z, with a refresh token"
        )),
        "{text}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("credentials.json")).unwrap(),
        before
    );
    assert!(sandbox.messages().is_empty());
    common::assert_no_secret(
        &output,
        &[
            sandbox.var("KENAR_CLIENT_SECRET"),
            sandbox.var("KENAR_API_KEY"),
        ],
    );
    let json = doctor(&sandbox, dir.path())
        .arg("-o")
        .arg("json")
        .assert()
        .success();
    let report: Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["checks"].as_array().unwrap().len(), 6);
}

#[test]
fn a_wrong_client_secret_fails_the_token_endpoint_line() {
    let sandbox = Sandbox::start(&[]);
    let dir = config_with_token(&sandbox);
    let before = std::fs::read(dir.path().join("credentials.json")).unwrap();
    let (text, failing) = failed(doctor(&sandbox, dir.path()).env("KENAR_CLIENT_SECRET", "wrong"));
    assert_eq!(failing, ["token endpoint and client secret"], "{text}");
    assert!(
        text.contains("refused the client ID or secret (invalid_client)"),
        "{text}"
    );
    assert!(
        text.contains("fix: copy both again from the app's page in the Kenar panel"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("credentials.json")).unwrap(),
        before
    );
}

#[test]
fn a_wrong_api_key_fails_the_api_key_line() {
    let sandbox = Sandbox::start(&[]);
    let dir = config_with_token(&sandbox);
    let (text, failing) = failed(doctor(&sandbox, dir.path()).env("KENAR_API_KEY", "wrong-key"));
    assert_eq!(failing, ["API key"], "{text}");
    assert!(
        text.contains("API key: refused by 127.0.0.1 (HTTP 401)"),
        "{text}"
    );
}

#[test]
fn a_missing_client_id_and_a_redirect_uri_with_a_query_fail_their_lines() {
    let sandbox = Sandbox::start(&[]);
    let dir = config_with_token(&sandbox);
    let (text, failing) = failed(
        doctor(&sandbox, dir.path())
            .env_remove("KENAR_CLIENT_ID")
            .env("KENAR_REDIRECT_URI", "https://app.example/cb?x=1"),
    );
    assert_eq!(
        failing,
        [
            "client ID",
            "redirect URI",
            "token endpoint and client secret"
        ],
        "{text}"
    );
    assert!(
        text.contains("fix: --client-id: missing (give --client-id, set KENAR_CLIENT_ID"),
        "{text}"
    );
    assert!(text.contains("from KENAR_REDIRECT_URI"), "{text}");
}

#[test]
fn misspelled_configured_scopes_and_an_expired_token_fail_their_lines() {
    let sandbox = Sandbox::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "[profiles.default]\nscopes = [\"OFFLINE_ACCESS\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("credentials.json"),
        json!({"profiles": {"default": [{
            "scopes": ["USER_PHONE"],
            "access_token": "old-token",
            "expires": 1_000_000_000_u64,
        }]}})
        .to_string(),
    )
    .unwrap();
    let (text, failing) = failed(&mut doctor(&sandbox, dir.path()));
    assert_eq!(failing, ["configured scopes", "stored token"], "{text}");
    assert!(
        text.contains("OFFLINE_ACCESS (did you mean offline_access?)"),
        "{text}"
    );
    assert!(
        text.contains(
            "USER_PHONE: either platform, expired at 2001-09-09T01:46:40Z, without a refresh token"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "fix: log in again: `kenar-chat oauth login --platform current --scope USER_PHONE`"
        ),
        "{text}"
    );
}
