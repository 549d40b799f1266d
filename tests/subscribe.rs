//! `kenar-chat events subscribe` and `scope subscription`: the subscription request exactly
//! as a local server received it for each way of naming what to watch, the stored token
//! that serves it, bad metadata, a 403's advice, a dry run, and faults.

use crate::common;
use crate::oauth_current::{
    CLIENT_SECRET, FAR_FUTURE, NEW_ACCESS, OLD_ACCESS, OLD_REFRESH, REDIRECT_URI, credentials, now,
    stored,
};

use std::path::Path;

use common::{ACCESS_TOKEN, API_KEY, Recorded, Reply, TestServer, kenar};
use predicates::prelude::*;
use serde_json::{Value, json};

pub(crate) const PATH: &str = "/v1/open-platform/events/subscriptions";
pub(crate) const POST: &str = "gZd7omnS";
pub(crate) const POST_READ: &str = "CHAT_POST_CONVERSATIONS_READ.gZd7omnS";
const SELLER_READ: &str = "CHAT_SUPPLIER_ALL_CONVERSATIONS_READ";
const POSTS: &str = "USER_POSTS_GET";
/// Divar's refusal of a permission, as protocol section 6 says a stand-in answers it.
const FORBIDDEN: &str = r#"{"code":7,"message":"permission denied","details":[]}"#;

/// `kenar-chat events subscribe` against `server`, with the API key and no token.
fn subscribe(server: &TestServer) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .args(["events", "subscribe"]);
    cmd
}

/// [`subscribe`] with the access token given in the environment.
fn subscribe_given(server: &TestServer) -> assert_cmd::Command {
    let mut cmd = subscribe(server);
    cmd.env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN);
    cmd
}

/// A stored token with `scopes` (and offline access) that expires at `expires`.
pub(crate) fn stored_token(scopes: &[&str], access: &str, expires: u64) -> Value {
    let mut scopes: Vec<&str> = scopes.to_vec();
    scopes.push("offline_access");
    json!({
        "scopes": scopes,
        "access_token": access,
        "refresh_token": OLD_REFRESH,
        "expires": expires,
        "redirect_uri": REDIRECT_URI,
    })
}

/// Keeps `tokens` as the default profile's stored tokens in `dir`.
pub(crate) fn store(dir: &Path, tokens: &[Value]) {
    std::fs::write(
        credentials(dir),
        json!({"profiles": {"default": tokens}}).to_string(),
    )
    .unwrap();
}

/// Asserts that `request` is the subscription request with `token` and `body`, exactly.
pub(crate) fn assert_subscription(request: &Recorded, token: &str, body: &str) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, PATH);
    let bearer = format!("Bearer {token}");
    let headers: Vec<(&str, &str)> = request
        .header_pairs()
        .into_iter()
        .filter(|(name, _)| ["content-type", "x-api-key", "authorization"].contains(name))
        .collect();
    assert_eq!(
        headers,
        [
            ("content-type", "application/json"),
            ("x-api-key", API_KEY),
            ("authorization", bearer.as_str()),
        ]
    );
    assert_eq!(String::from_utf8_lossy(&request.body), body);
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn each_way_of_naming_what_to_watch_sends_its_documented_body() {
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["--post-token", POST],
            r#"{"event_type":"NEW_MESSAGE_ON_POST","event_resource_id":"gZd7omnS"}"#,
            "NEW_MESSAGE_ON_POST for post gZd7omnS",
        ),
        (
            &["--post-token", POST, "--metadata", "{\"key\": \"value\"}"],
            r#"{"event_type":"NEW_MESSAGE_ON_POST","event_resource_id":"gZd7omnS","metadata":{"key":"value"}}"#,
            "NEW_MESSAGE_ON_POST for post gZd7omnS",
        ),
        (
            &["--all-posts"],
            r#"{"event_type":"NEW_MESSAGE_ON_POST"}"#,
            "NEW_MESSAGE_ON_POST for all posts",
        ),
        (
            &["--all-posts", "--type", "POST_UPDATE"],
            r#"{"event_type":"POST_UPDATE","event_resource_id":""}"#,
            "POST_UPDATE for all posts",
        ),
        (
            &[
                "--type",
                "POST_UPDATE",
                "--post-token",
                POST,
                "--metadata",
                "{}",
            ],
            r#"{"event_type":"POST_UPDATE","event_resource_id":"gZd7omnS","metadata":{}}"#,
            "POST_UPDATE for post gZd7omnS",
        ),
    ];
    for (flags, body, named) in cases {
        let server = TestServer::always(200, "{}");
        let output = subscribe_given(&server)
            .args(flags)
            .assert()
            .success()
            .stdout(format!(
                "subscribed {named} (lives as long as the access token, which was given, not \
                 stored: kenar-chat cannot tell until when)\n"
            ))
            .get_output()
            .clone();
        common::assert_no_secret(&output, &[API_KEY, ACCESS_TOKEN]);
        assert_subscription(&server.only_request(), ACCESS_TOKEN, body);
    }
}

#[test]
fn the_stored_token_whose_scopes_serve_the_subscription_goes_and_says_until_when() {
    let dir = tempfile::tempdir().unwrap();
    store(
        dir.path(),
        &[
            stored_token(
                &["CONVERSATION_SEND_MESSAGE.c1"],
                "ory_at_sender",
                FAR_FUTURE,
            ),
            stored_token(&[POST_READ], "ory_at_post-reader", FAR_FUTURE),
            stored_token(&[SELLER_READ], "ory_at_seller-reader", FAR_FUTURE - 1),
            stored_token(&[POSTS], "ory_at_posts", FAR_FUTURE),
        ],
    );
    let cases: [(&[&str], &str); 4] = [
        // The post's own scope before the seller's.
        (&["--post-token", POST], "ory_at_post-reader"),
        (&["--post-token", "other"], "ory_at_seller-reader"),
        (&["--all-posts"], "ory_at_seller-reader"),
        (&["--all-posts", "--type", "POST_UPDATE"], "ory_at_posts"),
    ];
    for (flags, token) in cases {
        let server = TestServer::always(200, "{}");
        subscribe(&server)
            .env("KENAR_CONFIG_DIR", dir.path())
            .args(flags)
            .assert()
            .success()
            .stdout(predicate::str::contains(
                "(lives as long as the access token, until 2",
            ));
        let request = server.only_request();
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {token}").as_str()),
            "{flags:?}"
        );
    }
    // JSON says what was registered and when it ends.
    let server = TestServer::always(200, "{}");
    let output = subscribe(&server)
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["--post-token", POST, "-o", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        printed,
        json!({
            "subscription": {"event_type": "NEW_MESSAGE_ON_POST", "event_resource_id": POST},
            "expires": "2100-01-01T00:00:00Z",
        })
    );
}

#[test]
fn without_a_token_that_serves_it_nothing_is_sent_and_the_scope_is_named() {
    let dir = tempfile::tempdir().unwrap();
    store(
        dir.path(),
        &[stored_token(&[POSTS], "ory_at_posts", FAR_FUTURE)],
    );
    let server = TestServer::always(200, "{}");
    subscribe(&server)
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["--post-token", POST])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("access token: missing"));
    subscribe(&server)
        .args(["--post-token", POST])
        .env_remove("KENAR_API_KEY")
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("API key: missing"));
    subscribe_given(&server)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "say what to watch: --post-token TOKEN for one post, or --all-posts",
        ));
    subscribe_given(&server)
        .args(["--post-token", POST, "--all-posts"])
        .assert()
        .code(2);
    assert!(server.requests().is_empty());
    kenar()
        .args(["scope", "subscription", "--post-token", POST, "-o", "scope"])
        .assert()
        .success()
        .stdout(format!("{POST_READ}\n"));
    kenar()
        .args(["scope", "subscription", "--all-posts"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "scope       {SELLER_READ}\n"
        )))
        .stdout(predicate::str::contains(
            "endpoints   POST /v1/open-platform/events/subscriptions",
        ));
    kenar()
        .args([
            "scope",
            "subscription",
            "--all-posts",
            "--type",
            "POST_UPDATE",
            "-o",
            "json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(r#""scope":"USER_POSTS_GET""#));
}

#[test]
fn bad_metadata_or_a_bad_post_token_is_named_with_its_flag_and_nothing_is_sent() {
    let server = TestServer::always(200, "{}");
    let cases: [(&[&str], &str); 5] = [
        (
            &["--metadata", "{\"shop\": 42,\n \"tags\": }"],
            "--metadata: line 2 column 10: tags: expected value",
        ),
        (
            &["--metadata", "[\"shop\"]"],
            "--metadata: line 1 column 1: must be a JSON object with named fields, not an array",
        ),
        (
            &["--metadata", "42"],
            "--metadata: must be a JSON object, not a number",
        ),
        (
            &["--metadata", r#"{"a": 1, "a": 2}"#],
            "--metadata: line 1 column 12: the key \"a\" appears twice in one object",
        ),
        (
            &["--metadata", "{}", "--post-token", "a\u{200b}b"],
            "--post-token: must not contain whitespace or control characters",
        ),
    ];
    for (flags, said) in cases {
        let mut cmd = subscribe_given(&server);
        if !flags.contains(&"--post-token") {
            cmd.args(["--post-token", POST]);
        }
        cmd.args(flags)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(said));
    }
    // Both at once, and no token is looked up while the input is wrong.
    subscribe(&server)
        .args(["--post-token", "a b", "--metadata", "{"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--post-token: must not contain"))
        .stderr(predicate::str::contains("--metadata: line 1 column 1:"))
        .stderr(predicate::str::contains("access token").not());
    assert!(server.requests().is_empty());
}

#[test]
fn a_403_names_the_key_permission_and_the_scopes_and_what_the_stored_token_has() {
    // A given token: its scopes are not known. The answer echoes the credentials.
    let server = TestServer::always(
        403,
        r#"{"code":7,"message":"permission denied: test-api-key-5f2b9c test-access-token-8d41e7","details":[]}"#,
    );
    let output = subscribe_given(&server)
        .args(["--post-token", POST])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let said = stderr(&output);
    for part in [
        "error: subscribing NEW_MESSAGE_ON_POST for post gZd7omnS: the API refused the request \
         (HTTP 403)",
        "A 403 from POST /v1/open-platform/events/subscriptions means one of two permissions \
         is missing",
        "lacks the key permission EVENTS_REGISTER_SUBSCRIPTION: grant it to the app in the \
         Kenar panel",
        "lacks every scope that serves it: CHAT_POST_CONVERSATIONS_READ.gZd7omnS, \
         CHAT_SUPPLIER_ALL_CONVERSATIONS_READ; the access token was given",
        "ask the user for it: `kenar-chat oauth login --platform current --scope \
         CHAT_POST_CONVERSATIONS_READ.gZd7omnS`",
    ] {
        assert!(said.contains(part), "{part:?} not in {said}");
    }
    common::assert_no_secret(&output, &[API_KEY, ACCESS_TOKEN]);
    assert_eq!(server.requests().len(), 1);
    // Each subscription names the scopes that serve its own event type, and no other.
    for (args, serving) in [
        (
            &["--all-posts"][..],
            "serves it: CHAT_SUPPLIER_ALL_CONVERSATIONS_READ;",
        ),
        (
            &["--all-posts", "--type", "POST_UPDATE"][..],
            "serves it: USER_POSTS_GET;",
        ),
        (
            &["--post-token", POST, "--type", "POST_UPDATE"][..],
            "serves it: USER_POSTS_GET;",
        ),
    ] {
        let output = subscribe_given(&server).args(args).assert().code(3);
        let said = stderr(output.get_output());
        assert!(
            said.contains(serving),
            "{args:?}: {serving:?} not in {said}"
        );
    }
    // A stored token granted the scope: the key permission is the likelier cause.
    let dir = tempfile::tempdir().unwrap();
    store(
        dir.path(),
        &[stored_token(&[SELLER_READ], OLD_ACCESS, FAR_FUTURE)],
    );
    let server = TestServer::always(403, FORBIDDEN);
    let output = subscribe(&server)
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["--all-posts"])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let said = stderr(&output);
    assert!(
        said.contains(
            "the stored token was granted CHAT_SUPPLIER_ALL_CONVERSATIONS_READ offline_access, \
             one of them, so the key permission is the likelier cause"
        ),
        "{said}"
    );
    common::assert_no_secret(&output, &[API_KEY, OLD_ACCESS, OLD_REFRESH]);
}

#[test]
fn a_dry_run_prints_the_request_masked_and_sends_and_refreshes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Due for a refresh, which the app's credentials would allow.
    store(
        dir.path(),
        &[stored_token(&[POST_READ], OLD_ACCESS, now() + 30)],
    );
    let before = std::fs::read(credentials(dir.path())).unwrap();
    let server = TestServer::always(200, "{}");
    let output = subscribe(&server)
        .env("KENAR_CONFIG_DIR", dir.path())
        .env("KENAR_CLIENT_ID", "my-app")
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .env("KENAR_TOKEN_URL", format!("{}/oauth2/token", server.url()))
        .args([
            "--post-token",
            POST,
            "--metadata",
            r#"{"k":"v"}"#,
            "--dry-run",
        ])
        .assert()
        .success()
        .stdout(format!(
            "POST {}{PATH}\ncontent-type: application/json\nx-api-key: ***\nauthorization: \
             Bearer ***\n\n{{\"event_type\":\"NEW_MESSAGE_ON_POST\",\"event_resource_id\":\
             \"gZd7omnS\",\"metadata\":{{\"k\":\"v\"}}}}\n",
            server.url()
        ))
        .stderr(predicate::str::contains(
            "a run that is not a dry run would first refresh it at the token endpoint",
        ))
        .get_output()
        .clone();
    common::assert_no_secret(&output, &[API_KEY, OLD_ACCESS, OLD_REFRESH, CLIENT_SECRET]);
    assert!(server.requests().is_empty());
    assert_eq!(std::fs::read(credentials(dir.path())).unwrap(), before);
    // --show-secrets shows them, as JSON too.
    let output = subscribe_given(&server)
        .args(["--all-posts", "--dry-run", "--show-secrets", "-o", "json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["headers"]["x-api-key"], API_KEY);
    assert_eq!(
        printed["body"],
        json!({"event_type": "NEW_MESSAGE_ON_POST"})
    );
    assert!(server.requests().is_empty());
}

#[test]
fn a_subscription_that_may_have_arrived_is_said_to_and_never_sent_again() {
    let cases = [
        (Reply::status(500), "the API failed (HTTP 500)"),
        (Reply::dropped(), "delivery is uncertain"),
        (Reply::hang(), "delivery is uncertain"),
    ];
    for (reply, said) in cases {
        let server = TestServer::script(vec![reply], Reply::json(200, "{}"));
        subscribe_given(&server)
            .args(["--post-token", POST, "--timeout", "1"])
            .assert()
            .code(5)
            .stderr(predicate::str::contains(said))
            .stderr(predicate::str::contains(
                "subscribing NEW_MESSAGE_ON_POST for post gZd7omnS (it may have been \
                 registered: running this again registers it anew",
            ));
        assert_eq!(server.requests().len(), 1);
    }
    // A 429 was not acted on: it is tried again when the API says.
    let server = TestServer::script(
        vec![Reply::status(429).with_header("retry-after", "0")],
        Reply::json(200, "{}"),
    );
    subscribe_given(&server)
        .args(["--all-posts"])
        .assert()
        .success();
    assert_eq!(server.requests().len(), 2);
    // Refused, it is not in doubt.
    let server = TestServer::always(400, r#"{"code":3,"message":"bad post"}"#);
    subscribe_given(&server)
        .args(["--all-posts"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("may have been registered").not());
}

#[cfg(unix)]
#[test]
fn a_signal_while_a_subscription_is_on_its_way_says_it_may_have_been_registered() {
    for (signal, name, code) in [("INT", "SIGINT", 130), ("TERM", "SIGTERM", 143)] {
        let server = TestServer::start(|_, _| Reply::hang());
        let mut cmd = common::kenar_process();
        cmd.env("KENAR_API_URL", server.url())
            .env("KENAR_API_KEY", API_KEY)
            .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
            .args(["events", "subscribe", "--post-token", POST]);
        let output = common::signalled_in_flight(cmd, &server, signal);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{signal}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "error: interrupted by {name}; the subscription was being registered: it may \
                 or may not have been"
            )),
            "{stderr}"
        );
        assert!(output.stdout.is_empty(), "{output:?}");
        // Said, never sent again.
        assert_eq!(server.requests().len(), 1);
    }
}

#[test]
fn a_stored_token_refused_after_another_run_refreshed_it_goes_again_with_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    store(
        dir.path(),
        &[stored_token(&[POST_READ], OLD_ACCESS, FAR_FUTURE)],
    );
    let config = dir.path().to_owned();
    // Another run refreshes the token just as this one sends with the old one.
    let server = TestServer::start(move |index, _| {
        if index == 0 {
            store(
                &config,
                &[stored_token(&[POST_READ], NEW_ACCESS, FAR_FUTURE - 60)],
            );
            Reply::json(401, r#"{"code":16,"message":"token expired"}"#)
        } else {
            Reply::json(200, "{}")
        }
    });
    subscribe(&server)
        .env("KENAR_CONFIG_DIR", dir.path())
        .args(["--post-token", POST])
        .assert()
        .success()
        .stdout(predicate::str::contains("until 2099-12-31T23:59:00Z"));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let body = r#"{"event_type":"NEW_MESSAGE_ON_POST","event_resource_id":"gZd7omnS"}"#;
    assert_subscription(&requests[0], OLD_ACCESS, body);
    assert_subscription(&requests[1], NEW_ACCESS, body);
    assert_eq!(
        stored(dir.path())["profiles"]["default"][0]["access_token"],
        NEW_ACCESS
    );
}
