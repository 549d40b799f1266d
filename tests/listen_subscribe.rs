//! `kenar-chat listen --subscribe`: the subscription registered at start and again with
//! every new stored token (refreshed by listen itself, or by another run), its failures
//! said and tried again while listen goes on receiving, and a signal that still ends listen
//! at once. A real server on 127.0.0.1 plays both the API and the token endpoint.

use crate::common;
use crate::oauth_current::{
    CLIENT_SECRET, FAR_FUTURE, NEW_ACCESS, NEW_REFRESH, OLD_ACCESS, now, oauth, token_answer,
};
use crate::subscribe::{POST, POST_READ, assert_subscription, store, stored_token};

use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::listen::{KEY, Listen, fixture};
use common::{API_KEY, Recorded, Reply, TestServer, kenar_process};

const TOKEN_PATH: &str = "/oauth2/token";
const BODY: &str = r#"{"event_type":"NEW_MESSAGE_ON_POST","event_resource_id":"gZd7omnS"}"#;

/// A server for both the token endpoint (answered by `token`) and the API (answered by
/// `api`, given how many subscriptions came before).
fn divar(
    token: impl Fn() -> Reply + Send + Sync + 'static,
    api: impl Fn(usize) -> Reply + Send + Sync + 'static,
) -> TestServer {
    let subscriptions = Mutex::new(0);
    TestServer::start(move |_, request| {
        if request.path == TOKEN_PATH {
            return token();
        }
        let mut seen = subscriptions.lock().unwrap();
        *seen += 1;
        api(*seen - 1)
    })
}

/// `listen --subscribe --post-token POST` with `dir` as the config directory and `server`
/// as the API and the token endpoint.
fn listen(dir: &Path, server: &TestServer, more: &[&str]) -> Listen {
    let mut args = vec!["--subscribe", "--post-token", POST];
    args.extend_from_slice(more);
    let token_url = format!("{}{TOKEN_PATH}", server.url());
    let config = dir.to_str().unwrap();
    Listen::start_with(
        &args,
        &[
            ("KENAR_IDENTIFICATION_KEY", KEY),
            ("KENAR_CONFIG_DIR", config),
            ("KENAR_API_URL", &server.url()),
            ("KENAR_API_KEY", API_KEY),
            ("KENAR_CLIENT_ID", "my-app"),
            ("KENAR_CLIENT_SECRET", CLIENT_SECRET),
            ("KENAR_TOKEN_URL", &token_url),
        ],
    )
}

/// The subscriptions the server received, in order.
fn subscriptions(server: &TestServer) -> Vec<Recorded> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path != TOKEN_PATH)
        .collect()
}

/// Waits until the server has received `count` subscriptions.
fn wait_for_subscriptions(server: &TestServer, count: usize) -> Vec<Recorded> {
    let started = std::time::Instant::now();
    loop {
        let seen = subscriptions(server);
        if seen.len() >= count {
            return seen;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{seen:#?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Listen still receives: an event is answered 200.
fn still_receives(listen: &Listen) {
    let (status, _) = listen.deliver(&fixture("NEW_MESSAGE"));
    assert_eq!(status, 200);
}

/// Stores a token that serves the post's subscription and is due for a refresh (a minute
/// before it expires) five seconds after it is stored.
fn store_due_in_five_seconds(dir: &Path) {
    store(dir, &[stored_token(&[POST_READ], OLD_ACCESS, now() + 65)]);
}

#[test]
fn listen_subscribes_at_start_and_again_after_it_refreshes_the_token() {
    let dir = tempfile::tempdir().unwrap();
    store_due_in_five_seconds(dir.path());
    let server = divar(
        || token_answer(NEW_ACCESS, NEW_REFRESH, ""),
        |_| Reply::json(200, "{}"),
    );
    let listen = listen(dir.path(), &server, &[]);
    let said = listen.notes_until("subscribed NEW_MESSAGE_ON_POST for post gZd7omnS");
    assert!(
        said.last()
            .unwrap()
            .contains("(lives as long as the access token, until "),
        "{said:#?}"
    );
    let said = listen.notes_until("re-subscribed");
    assert!(
        said.last().unwrap().starts_with(
            "re-subscribed NEW_MESSAGE_ON_POST for post gZd7omnS: token refreshed (until "
        ),
        "{said:#?}"
    );
    let seen = subscriptions(&server);
    assert_eq!(seen.len(), 2);
    assert_subscription(&seen[0], OLD_ACCESS, BODY);
    assert_subscription(&seen[1], NEW_ACCESS, BODY);
    let requests = server.requests();
    assert_eq!(
        requests.iter().filter(|r| r.path == TOKEN_PATH).count(),
        1,
        "{requests:#?}"
    );
    still_receives(&listen);
}

#[test]
fn listen_subscribes_again_when_another_run_refreshed_the_stored_token() {
    let dir = tempfile::tempdir().unwrap();
    store(
        dir.path(),
        &[stored_token(&[POST_READ], OLD_ACCESS, FAR_FUTURE)],
    );
    let server = divar(
        || token_answer(NEW_ACCESS, NEW_REFRESH, ""),
        |_| Reply::json(200, "{}"),
    );
    let listen = listen(dir.path(), &server, &["--metadata", r#"{"shop": 42}"#]);
    listen.notes_until("subscribed NEW_MESSAGE_ON_POST for post gZd7omnS");
    // Another run refreshes the stored token.
    oauth(dir.path(), &server).arg("refresh").assert().success();
    let said = listen.notes_until("re-subscribed");
    assert!(
        said.last().unwrap().starts_with(
            "re-subscribed NEW_MESSAGE_ON_POST for post gZd7omnS: the stored token changed, \
             another run refreshed it (until "
        ),
        "{said:#?}"
    );
    let seen = wait_for_subscriptions(&server, 2);
    let body = r#"{"event_type":"NEW_MESSAGE_ON_POST","event_resource_id":"gZd7omnS","metadata":{"shop":42}}"#;
    assert_subscription(&seen[0], OLD_ACCESS, body);
    assert_subscription(&seen[1], NEW_ACCESS, body);
    still_receives(&listen);
}

#[test]
fn a_failed_re_subscription_is_said_and_tried_again_while_listen_receives() {
    let dir = tempfile::tempdir().unwrap();
    store_due_in_five_seconds(dir.path());
    let server = divar(
        || token_answer(NEW_ACCESS, NEW_REFRESH, ""),
        |seen| match seen {
            1 => Reply::status(500),
            _ => Reply::json(200, "{}"),
        },
    );
    let listen = listen(dir.path(), &server, &[]);
    listen.notes_until("subscribed NEW_MESSAGE_ON_POST");
    let said = listen.notes_until("trying again in");
    assert!(
        said.last().unwrap().starts_with(
            "warning: subscribing NEW_MESSAGE_ON_POST for post gZd7omnS failed: the API failed \
             (HTTP 500)"
        ),
        "{said:#?}"
    );
    still_receives(&listen);
    listen.notes_until("re-subscribed NEW_MESSAGE_ON_POST for post gZd7omnS: token refreshed");
    let seen = subscriptions(&server);
    assert_eq!(seen.len(), 3);
    assert_subscription(&seen[0], OLD_ACCESS, BODY);
    assert_subscription(&seen[1], NEW_ACCESS, BODY);
    assert_subscription(&seen[2], NEW_ACCESS, BODY);
}

#[test]
fn a_refused_refresh_is_said_as_a_failed_grant_and_listen_goes_on_receiving() {
    let dir = tempfile::tempdir().unwrap();
    store_due_in_five_seconds(dir.path());
    let server = divar(
        || {
            Reply::json(
                400,
                r#"{"error":"invalid_grant","error_description":"the refresh token was revoked"}"#,
            )
        },
        |_| Reply::json(200, "{}"),
    );
    let listen = listen(dir.path(), &server, &[]);
    listen.notes_until("subscribed NEW_MESSAGE_ON_POST");
    let said = listen.notes_until("refused to refresh").join("\n");
    assert!(
        said.contains(&format!(
            "refused to refresh the stored token of profile \"default\" for {POST_READ} \
             offline_access (invalid_grant, HTTP 400)"
        )),
        "{said}"
    );
    still_receives(&listen);
    // Nothing new to subscribe with.
    assert_eq!(subscriptions(&server).len(), 1);
}

#[test]
fn a_refused_first_subscription_ends_listen_with_the_advice() {
    let dir = tempfile::tempdir().unwrap();
    store(
        dir.path(),
        &[stored_token(&[POST_READ], OLD_ACCESS, FAR_FUTURE)],
    );
    let server = TestServer::always(403, r#"{"code":7,"message":"permission denied"}"#);
    let output = kenar_process()
        .args(["listen", "--port", "0", "--accept-any-key", "--log"])
        .arg(dir.path().join("events.jsonl"))
        .args(["--subscribe", "--post-token", POST])
        .env("KENAR_CONFIG_DIR", dir.path())
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains(
            "error: subscribing NEW_MESSAGE_ON_POST for post gZd7omnS: the API refused the \
             request (HTTP 403)"
        ),
        "{said}"
    );
    assert!(
        said.contains("lacks the key permission EVENTS_REGISTER_SUBSCRIPTION"),
        "{said}"
    );
    common::assert_no_secret(&output, &[API_KEY, OLD_ACCESS]);
}

#[test]
fn listen_without_what_subscribing_needs_says_so_before_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = kenar_process()
            .args(["listen", "--port", "0", "--accept-any-key", "--log"])
            .arg(dir.path().join("events.jsonl"))
            .args(args)
            .env("KENAR_CONFIG_DIR", dir.path())
            .env("KENAR_API_KEY", API_KEY)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    assert!(run(&["--subscribe", "--post-token", POST]).contains("access token: missing"));
    assert!(run(&["--subscribe"]).contains("--post-token TOKEN for one post, or --all-posts"));
    assert!(run(&["--all-posts", "--metadata", "{}"]).contains("give --subscribe with them"));
    assert!(
        run(&["--subscribe", "--all-posts", "--metadata", "[]"])
            .contains("must be a JSON object with named fields, not an array")
    );
}

#[cfg(unix)]
#[test]
fn a_signal_ends_listen_at_once_even_while_it_subscribes() {
    let dir = tempfile::tempdir().unwrap();
    store(
        dir.path(),
        &[stored_token(&[POST_READ], OLD_ACCESS, FAR_FUTURE)],
    );
    // The subscription is never answered.
    let received = Arc::new(Mutex::new(0));
    let seen = Arc::clone(&received);
    let server = TestServer::start(move |_, _| {
        *seen.lock().unwrap() += 1;
        Reply::hang()
    });
    let mut listen = listen(dir.path(), &server, &[]);
    common::wait_for_requests(&server, 1);
    common::signal(&listen.child, "INT");
    let said = listen.notes_until("listen stopped");
    assert!(
        said.iter().any(|line| line
            == "warning: stopped while the subscription was being registered: it may or may not \
                have been"),
        "{said:#?}"
    );
    let status = listen.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert_eq!(*received.lock().unwrap(), 1);
}
