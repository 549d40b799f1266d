//! `kenar-chat sandbox` as a user runs it: the real binary, started on a free port of
//! 127.0.0.1 in each test, driven with the real `oauth-url` and `send` commands and with
//! plain HTTP requests for what a browser would do.

use crate::common;
#[path = "sandbox/current.rs"]
mod current;
#[path = "sandbox/foreign_pages.rs"]
mod foreign_pages;
#[path = "sandbox/media.rs"]
mod media;
#[path = "sandbox/oauth2.rs"]
mod oauth2;
#[cfg(feature = "listen")]
#[path = "sandbox/talkback.rs"]
mod talkback;

use std::io::Read as _;
use std::path::Path;
use std::process::Command;

use common::sandbox::{Sandbox, agent, hidden_fields, response};
use common::{PEER, POST, Reply, TestServer, USER, kenar};
use predicates::prelude::*;
use serde_json::{Value, json};
use url::Url;

const CHAT: &str =
    "e9ba8a81-9583-4f7c-af54-b07df089d971:AZf3Uqr3:1697004f-e902-44c2-bbbe-bf8e20d54bff";

#[test]
fn full_loop_consent_exchange_send_and_read_back() {
    let sandbox = Sandbox::start(&[]);
    let config = tempfile::tempdir().unwrap();
    let redirect = sandbox.approve(CHAT, "state-1");
    let answer = sandbox
        .kenar()
        .env("KENAR_CONFIG_DIR", config.path())
        .args([
            "oauth",
            "token",
            "--code",
            redirect.as_str(),
            "--state",
            "state-1",
        ])
        .args(["--chat", CHAT, "-o", "json", "--show-secrets"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let token: Value = serde_json::from_slice(&answer).unwrap();
    let expires: u64 = token["expires"].as_str().unwrap().parse().unwrap();
    assert!(expires > 1_600_000_000, "{token}");
    assert!(token["access_token"].is_string(), "{token}");
    assert!(token["refresh_token"].is_string(), "{token}");

    // No token given: send uses the one `oauth token` stored for this chat.
    sandbox
        .send("سلام، سفارش شما ارسال شد")
        .env_remove("KENAR_ACCESS_TOKEN")
        .env("KENAR_CONFIG_DIR", config.path())
        .args(["--receiver-caption", "پیگیری", "--receiver-icon", "truck"])
        .args(["--receiver-direct-link", "https://shop.example/track/42"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("sent: "));

    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message["id"], 1);
    assert!(message["received_at"].is_i64());
    assert_eq!(message["user_id"], USER);
    assert_eq!(message["post_token"], POST);
    assert_eq!(message["peer_id"], PEER);
    assert_eq!(message["type"], "TEXT");
    assert_eq!(message["message"], "سلام، سفارش شما ارسال شد");
    assert_eq!(
        message["receiver_btn"],
        json!({"action": "DIRECT_LINK", "data": {"icon_name": "truck", "caption": "پیگیری",
               "direct_link": "https://shop.example/track/42"}})
    );
    assert!(message.get("sender_btn").is_none());
}

/// The whole loop as a user runs it: `oauth login` listening on a loopback redirect URI,
/// the consent page approved in the "browser", the browser sent back to kenar-chat, and
/// `send` then using the stored token with no token given.
#[test]
fn oauth_login_then_send_with_the_stored_token() {
    let sandbox = Sandbox::start(&[]);
    let config = tempfile::tempdir().unwrap();
    let port = common::free_port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let (mut login, url, mut said) = sandbox.start_login(config.path(), CHAT, &redirect_uri);

    // The browser: the consent page, Approve, and the redirect back to kenar-chat.
    let (status, _, page) = sandbox.get(url.strip_prefix(&sandbox.url).unwrap());
    assert_eq!(status, 200, "{page}");
    let mut form = hidden_fields(&page);
    form.push(("decision".into(), "approve".into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, headers, _) = sandbox.post_form("/oauth", &form);
    assert_eq!(status, 303);
    let location = &headers["location"];
    assert!(location.starts_with(&redirect_uri), "{location}");
    let (status, _, page) = response(agent().get(location).call());
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("You can close this tab"), "{page}");

    let mut rest = String::new();
    said.read_to_string(&mut rest).unwrap();
    assert!(login.wait().unwrap().success(), "{rest}");

    sandbox
        .send("stored token")
        .env_remove("KENAR_ACCESS_TOKEN")
        .env("KENAR_CONFIG_DIR", config.path())
        .assert()
        .success();
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["message"], "stored token");
}

#[test]
fn the_demo_token_sends_in_the_demo_chat() {
    let sandbox = Sandbox::start(&[]);
    sandbox.send("hello").assert().success();
    assert_eq!(sandbox.messages().len(), 1);
}

#[test]
fn a_wrong_api_key_is_refused() {
    let sandbox = Sandbox::start(&[]);
    sandbox
        .send("hello")
        .env("KENAR_API_KEY", "not-the-key")
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("HTTP 401").and(predicate::str::contains("invalid API key")),
        );
    let (status, _, body) = sandbox.post_json(
        "/v1/open-platform/oauth/access_token",
        "not-the-key",
        &json!({}),
    );
    assert_eq!(
        (status, body),
        (401, json!({"status": 401, "message": "invalid API key"}))
    );
    assert!(sandbox.messages().is_empty());
}

#[test]
fn an_unknown_token_is_refused() {
    let sandbox = Sandbox::start(&[]);
    sandbox
        .send("hello")
        .env("KENAR_ACCESS_TOKEN", "made-up")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("HTTP 401): invalid access token"));
    assert!(sandbox.messages().is_empty());
}

#[test]
fn an_expired_token_is_refused() {
    let sandbox = Sandbox::start(&["--token-lifetime", "0"]);
    sandbox
        .send("hello")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "HTTP 401): the access token has expired",
        ));
    assert!(sandbox.messages().is_empty());
}

#[test]
fn a_token_for_another_chat_is_refused() {
    let sandbox = Sandbox::start(&[]);
    let redirect = sandbox.approve("someone:AZf3Uqr3:else", "s");
    let (_, token) = sandbox.exchange(&Sandbox::code(&redirect));
    let token = token["access_token"].as_str().unwrap();
    sandbox
        .send("hello")
        .env("KENAR_ACCESS_TOKEN", token)
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "HTTP 403): the access token does not allow sending in the chat between",
        ));
    let mut answer = agent()
        .post(format!(
            "{}/v2/open-platform/chat/conversation",
            sandbox.url
        ))
        .header("x-api-key", sandbox.var("KENAR_API_KEY"))
        .header("x-access-token", token)
        .send(format!(
            r#"{{"user_id":"{USER}","post_token":"{POST}","peer_id":"{PEER}","message":"hi"}}"#
        ))
        .unwrap();
    assert_eq!(answer.status().as_u16(), 403);
    let body = answer.body_mut().read_to_string().unwrap();
    for scope in [
        format!("CHAT_SEND_MESSAGE_OAUTH__{}", common::RESOURCE_ID),
        format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}"),
    ] {
        assert!(body.contains(&scope), "{body}");
    }
    assert!(sandbox.messages().is_empty());
}

#[test]
fn a_code_is_exchanged_once() {
    let sandbox = Sandbox::start(&[]);
    let code = Sandbox::code(&sandbox.approve(CHAT, "s"));
    assert_eq!(sandbox.exchange(&code).0, 200);
    let (status, body) = sandbox.exchange(&code);
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "code: already used (a code can be exchanged once)"
    );
    let (status, body) = sandbox.exchange("never-issued");
    assert_eq!(
        (status, body["message"].as_str()),
        (400, Some("code: unknown"))
    );
}

#[test]
fn sends_past_the_quota_are_refused_with_retry_after() {
    let sandbox = Sandbox::start(&["--rate-limit", "2"]);
    sandbox.send("one").assert().success();
    sandbox.send("two").assert().success();
    sandbox
        .send("three")
        .args(["--retries", "0"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("HTTP 429"));
    let (status, headers, body) = sandbox.post_json(
        "/v2/open-platform/chat/conversation",
        sandbox.var("KENAR_API_KEY"),
        &json!({}),
    );
    assert_eq!(status, 429);
    assert_eq!(body["status"], 429);
    let retry_after: u64 = headers["retry-after"].parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(sandbox.messages().len(), 2);
}

#[test]
fn a_daily_quota_refuses_until_midnight_and_says_which_limit() {
    let sandbox = Sandbox::start(&["--daily-limit", "1", "--latency", "150"]);
    let started = std::time::Instant::now();
    sandbox.send("one").assert().success();
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    sandbox
        .send("two")
        .args(["--retries", "0"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("daily quota exceeded"));
    let (status, headers, body) = sandbox.post_json(
        "/v2/open-platform/chat/conversation",
        sandbox.var("KENAR_API_KEY"),
        &json!({}),
    );
    assert_eq!(status, 429);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("daily quota exceeded"),
        "{body}"
    );
    let retry_after: u64 = headers["retry-after"].parse().unwrap();
    assert!((1..=86_400).contains(&retry_after), "{retry_after}");
    assert_eq!(sandbox.messages().len(), 1);
}

#[test]
fn an_invalid_body_is_refused_naming_the_field() {
    let sandbox = Sandbox::start(&[]);
    let mut request = agent()
        .post(format!(
            "{}/v2/open-platform/chat/conversation",
            sandbox.url
        ))
        .header("x-api-key", sandbox.var("KENAR_API_KEY"))
        .header("x-access-token", sandbox.var("KENAR_ACCESS_TOKEN"))
        .send(format!(
            r#"{{"user_id":"{USER}","post_token":"{POST}","message":"hi",
                "sender_btn":{{"action":"LINK","data":{{"icon_name":"i"}}}}}}"#
        ))
        .unwrap();
    assert_eq!(request.status().as_u16(), 400);
    let body: Value = serde_json::from_str(&request.body_mut().read_to_string().unwrap()).unwrap();
    let message = body["message"].as_str().unwrap();
    for field in ["peer_id: missing", "sender_btn.data.caption: missing"] {
        assert!(message.contains(field), "{message}");
    }
    assert_eq!(body["status"], 400);
}

#[test]
fn messages_survive_a_restart_with_data() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sandbox.db");
    let data = data.to_str().unwrap();
    let (api_key, token) = {
        let sandbox = Sandbox::start(&["--data", data]);
        sandbox.send("before the restart").assert().success();
        (
            sandbox.var("KENAR_API_KEY").to_owned(),
            sandbox.var("KENAR_ACCESS_TOKEN").to_owned(),
        )
    };
    let sandbox = Sandbox::start(&["--data", data]);
    assert_eq!(sandbox.var("KENAR_API_KEY"), api_key, "the key is kept");
    sandbox
        .send("after the restart")
        .env("KENAR_ACCESS_TOKEN", &token)
        .assert()
        .success();
    let texts: Vec<Value> = sandbox
        .messages()
        .iter()
        .map(|m| m["message"].clone())
        .collect();
    assert_eq!(
        texts,
        [json!("before the restart"), json!("after the restart")]
    );
    assert!(Path::new(data).exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(data).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "it holds tokens and the client secret");
    }
}

#[test]
fn a_port_in_use_is_invalid_input_naming_the_flag() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    kenar()
        .args(["sandbox", "--port", &port])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--port"));
}

#[test]
fn the_chat_view_shows_each_side_its_own_button() {
    let sandbox = Sandbox::start(&[]);
    sandbox
        .send("سلام <b>دنیا</b>")
        .args(["--sender-caption", "Order details", "--sender-icon", "info"])
        .args(["--sender-extra-data", r#"{"order":42}"#])
        .args([
            "--receiver-caption",
            "پیگیری سفارش",
            "--receiver-icon",
            "truck",
        ])
        .args([
            "--receiver-direct-link",
            "https://shop.example/track?id=42&x=1",
        ])
        .assert()
        .success();
    let (status, headers, page) = sandbox.get("/");
    assert_eq!(status, 200);
    assert!(headers["content-type"].starts_with("text/html"));
    assert!(page.contains("سلام &lt;b&gt;دنیا&lt;/b&gt;"), "{page}");
    assert!(!page.contains("<b>"));
    // The sender's pane: the message goes out, with the LINK button that posts the click.
    let sender = page.split("<section class=\"pane\">").nth(1).unwrap();
    assert!(sender.contains(USER));
    assert!(sender.contains("<div class=\"bubble out\" dir=\"auto\" id=\"m1-sender\">"));
    assert!(sender.contains("<form method=\"post\" action=\"/sandbox/click\">"));
    assert!(sender.contains("<input type=\"hidden\" name=\"side\" value=\"sender\">"));
    assert!(sender.contains("Order details"));
    assert!(!sender.contains("پیگیری سفارش"));
    // The receiver's pane: the same text comes in, with the DIRECT_LINK button.
    let receiver = page.split("<section class=\"pane\">").nth(2).unwrap();
    assert!(receiver.contains(PEER));
    assert!(receiver.contains("<div class=\"bubble in\" dir=\"auto\" id=\"m1-receiver\">"));
    assert!(receiver.contains("href=\"https://shop.example/track?id=42&amp;x=1\""));
    assert!(receiver.contains("پیگیری سفارش"));
    assert!(!receiver.contains("Order details"));
    for external in ["<link", "<script", "src=", "@import"] {
        assert!(!page.contains(external), "self-contained: {external}");
    }
}

#[test]
fn a_click_is_refused_for_an_app_url_with_a_space_and_for_a_direct_link() {
    let app = TestServer::start(|_, _| {
        Reply::json(
            200,
            r#"{"status":"200","message":"success","url":"https://app.example/start here"}"#,
        )
    });
    let sandbox = Sandbox::for_app(&app, &[]);
    sandbox
        .send("hello")
        .args(["--receiver-caption", "Open", "--receiver-icon", "open"])
        .args(["--receiver-extra-data", r#"{"order":42}"#])
        .args(["--sender-caption", "Track", "--sender-icon", "truck"])
        .args(["--sender-direct-link", "https://shop.example/track/42"])
        .assert()
        .success();
    let (status, headers, page) = sandbox.click(&[("message", "1"), ("side", "receiver")]);
    assert_eq!(status, 502);
    assert!(!headers.contains_key("location"), "{headers:?}");
    assert!(page.contains("The LINK button did not open"), "{page}");
    assert!(page.contains("U+0020 space"), "{page}");

    let (status, _, page) = sandbox.click(&[("message", "1"), ("side", "sender")]);
    assert_eq!(status, 502);
    assert!(
        page.contains("The DIRECT_LINK button did not open"),
        "{page}"
    );
    assert!(page.contains("without the app"), "{page}");
    assert_eq!(app.requests().len(), 1, "a DIRECT_LINK never calls the app");
}

#[test]
fn a_link_click_posts_the_session_initialization_request() {
    let app = TestServer::start(|index, _| match index {
        0 => Reply::json(
            200,
            r#"{"status":"200","message":"success","url":"https://app.example/start?s=1"}"#,
        ),
        _ => Reply::json(200, r#"{"status":"200","message":"success"}"#),
    });
    let sandbox = Sandbox::for_app(&app, &[]);
    sandbox
        .send("hello")
        .args(["--receiver-caption", "Open", "--receiver-icon", "open"])
        .args(["--receiver-extra-data", r#"{"order":42,"note":"سلام"}"#])
        .assert()
        .success();

    let (status, headers, _) = sandbox.click(&[("message", "1"), ("side", "receiver")]);
    assert_eq!(status, 303);
    assert_eq!(headers["location"], "https://app.example/start?s=1");

    let request = app.only_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/divar/session");
    assert_eq!(
        request.header("authorization"),
        Some("app-identification-key")
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert!(request.header("x-api-key").is_none());
    assert_eq!(
        String::from_utf8(request.body).unwrap(),
        format!(
            r#"{{"extra_data":{{"provider_data":{{"order":42,"note":"سلام"}}}},"callback_url":"{}/#m1-receiver","post_token":"{POST}","user_id":"{PEER}","peer_id":"{USER}","Supplier":{{"id":"{USER}"}},"demand":{{"id":"{PEER}"}}}}"#,
            sandbox.url
        )
    );

    // An answer without a url is shown in the chat view, not followed.
    let (status, headers, page) = sandbox.click(&[("message", "1"), ("side", "receiver")]);
    assert_eq!(status, 502);
    assert!(!headers.contains_key("location"));
    assert!(page.contains("The LINK button did not open"), "{page}");
    assert!(page.contains("no &quot;url&quot; string"), "{page}");
    assert!(page.contains("bubble"), "the conversations are still shown");
}

#[test]
fn lowercase_supplier_spells_the_sellers_key_as_older_documents_do() {
    let app = TestServer::start(|_, _| {
        Reply::json(
            200,
            r#"{"status":"200","message":"success","url":"https://app.example/s"}"#,
        )
    });
    let sandbox = Sandbox::for_app(&app, &["--lowercase-supplier"]);
    sandbox.send_link_button();
    let (status, _, _) = sandbox.click(&[("message", "1"), ("side", "sender")]);
    assert_eq!(status, 303);
    let body = app.only_request().json();
    assert_eq!(body["supplier"], json!({"id": USER}));
    assert!(body.get("Supplier").is_none(), "{body}");
    // The sender clicked: the clicker is the user, the peer the other side.
    assert_eq!(
        (&body["user_id"], &body["peer_id"]),
        (&json!(USER), &json!(PEER))
    );
}

#[test]
fn a_click_without_a_session_initialization_url_says_so() {
    let sandbox = Sandbox::start(&["--lowercase-supplier"]);
    sandbox.send_link_button();
    let (status, _, page) = sandbox.click(&[("message", "1"), ("side", "sender")]);
    assert_eq!(status, 502);
    assert!(page.contains("--session-init-url"), "{page}");
}

#[test]
fn invalid_authorization_requests_get_an_error_page_never_a_redirect() {
    let sandbox = Sandbox::start(&[]);
    let good = Url::parse(&format!("{}/oauth", sandbox.url)).unwrap();
    let ask = |pairs: &[(&str, &str)]| {
        let mut url = good.clone();
        url.query_pairs_mut().extend_pairs(pairs);
        sandbox.get(&url[url::Position::BeforePath..])
    };
    let callback = sandbox.var("KENAR_REDIRECT_URI");
    let scope = format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}");
    let base = [
        ("response_type", "code"),
        ("client_id", "sandbox-app"),
        ("redirect_uri", callback),
        ("scope", scope.as_str()),
        ("state", "s"),
    ];
    let (status, _, page) = ask(&base);
    assert_eq!(status, 200);
    assert!(
        page.contains("send messages in every chat about post AZf3Uqr3"),
        "{page}"
    );

    let with_query = format!("{callback}?next=1");
    for (name, value, expected) in [
        ("client_id", "someone-else", "client_id: unknown client"),
        (
            "redirect_uri",
            with_query.as_str(),
            "must not carry a query string",
        ),
        ("scope", "", "scope: no scope requested"),
    ] {
        let pairs: Vec<(&str, &str)> = base
            .iter()
            .map(|&(n, v)| if n == name { (n, value) } else { (n, v) })
            .collect();
        let (status, headers, page) = ask(&pairs);
        assert_eq!(status, 400, "{name}");
        assert!(!headers.contains_key("location"), "{name}");
        assert!(page.contains(expected), "{name}: {page}");
        // The form's decision is checked the same way.
        let mut form = pairs.clone();
        form.push(("decision", "approve"));
        let (status, headers, _) = sandbox.post_form("/oauth", &form);
        assert_eq!(
            (status, headers.contains_key("location")),
            (400, false),
            "{name}"
        );
    }

    // Deny, on the page the sandbox showed: back without a code.
    let (_, _, page) = ask(&base);
    let mut deny = hidden_fields(&page);
    deny.push(("decision".into(), "deny".into()));
    let deny: Vec<(&str, &str)> = deny.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, headers, _) = sandbox.post_form("/oauth", &deny);
    assert_eq!(status, 303);
    assert_eq!(headers["location"], format!("{callback}?state=s"));
}

/// Only a decision made on a consent page the sandbox showed, for the request it showed,
/// counts: another page cannot approve for the user, nor change what was approved.
#[test]
fn a_decision_not_made_on_the_consent_page_is_refused() {
    let sandbox = Sandbox::start(&[]);
    let path = sandbox.consent_path(CHAT, "s1");
    let page = |sandbox: &Sandbox| {
        let (status, _, page) = sandbox.get(&path);
        assert_eq!(status, 200, "{page}");
        hidden_fields(&page)
    };
    let refused = |form: &[(String, String)]| {
        let mut form = form.to_vec();
        form.push(("decision".into(), "approve".into()));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, headers, body) = sandbox.post_form("/oauth", &form);
        assert_eq!(status, 403, "{form:?}: {body}");
        assert!(!headers.contains_key("location"), "{form:?}");
        assert!(
            body.contains("consent: this decision was not made"),
            "{body}"
        );
    };
    let shown = page(&sandbox);
    assert!(shown.iter().any(|(name, _)| name == "consent"), "{shown:?}");
    // A forged form: the request's fields without the page's token, or with a made-up one.
    let without: Vec<_> = shown
        .iter()
        .filter(|(n, _)| n != "consent")
        .cloned()
        .collect();
    refused(&without);
    let mut made_up = without.clone();
    made_up.push(("consent".into(), "guessed".into()));
    refused(&made_up);
    // The page's token with another state (another request) than the page showed.
    let shown = page(&sandbox);
    let other: Vec<_> = shown
        .iter()
        .map(|(n, v)| match n.as_str() {
            "state" => (n.clone(), "other-state".to_owned()),
            _ => (n.clone(), v.clone()),
        })
        .collect();
    refused(&other);
    // A token answers one decision.
    let shown = page(&sandbox);
    let mut form = shown.clone();
    form.push(("decision".into(), "approve".into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(sandbox.post_form("/oauth", &form).0, 303);
    refused(&shown);
}

#[test]
fn an_expired_code_is_refused_by_the_token_endpoint() {
    // Codes that expire as soon as they are issued, as every code does after the lifetime.
    let sandbox = Sandbox::start(&["--code-lifetime", "0"]);
    let config = tempfile::tempdir().unwrap();
    let redirect = sandbox.approve(CHAT, "s2");
    sandbox
        .kenar()
        .env("KENAR_CONFIG_DIR", config.path())
        .args([
            "oauth",
            "token",
            "--code",
            redirect.as_str(),
            "--state",
            "s2",
        ])
        .args(["--chat", CHAT])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "HTTP 400): code: expired (a code must be exchanged within 0s)",
        ));
    assert!(!config.path().join("credentials.json").exists());
    // Spent by that attempt, as any code is by its first exchange.
    assert_eq!(
        sandbox.exchange(&Sandbox::code(&redirect)).1["message"],
        "code: already used (a code can be exchanged once)"
    );
}

#[test]
fn bad_flags_are_refused_before_listening() {
    kenar()
        .args([
            "sandbox",
            "--port",
            "0",
            "--session-init-url",
            "ftp://app.example/x",
        ])
        .args(["--api-key", ""])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--session-init-url")
                .and(predicate::str::contains("--api-key: must not be empty")),
        );
}

#[cfg(unix)]
#[test]
fn ctrl_c_and_sigterm_stop_the_sandbox_cleanly() {
    for signal in ["-INT", "-TERM"] {
        let mut sandbox = Sandbox::start(&[]);
        let status = Command::new("kill")
            .args([signal, &sandbox.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = sandbox.child.wait().unwrap();
        assert_eq!(exit.code(), Some(0), "{signal}: {exit:?}");
    }
}

#[test]
fn lifetimes_its_own_client_would_refuse_are_refused_naming_the_flag() {
    for flag in ["--token-lifetime", "--code-lifetime", "--refresh-grace"] {
        kenar()
            .args(["sandbox", "--port", "0", flag, "18446744073709551615"])
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "invalid value '18446744073709551615' for '{flag} <SECS>': must be at most"
            )))
            .stderr(predicate::str::contains("before the year 10000"));
    }
}

/// The sandbox's library names no flag; what the user sees still names the one at fault,
/// in the same words.
#[test]
fn a_port_in_use_and_a_data_file_of_something_else_are_named_by_their_flags() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = kenar()
        .args(["sandbox", "--port", &port.to_string()])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: --port {port}: cannot listen on 127.0.0.1:{port} ("
        )),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("); give another port, or 0 for any free one\n"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "notes, not a database\n".repeat(100)).unwrap();
    kenar()
        .args(["sandbox", "--port", "0", "--data"])
        .arg(&path)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(format!(
            "error: --data {}: not a sandbox data file (",
            path.display()
        )));
}

#[test]
fn a_click_that_needs_an_app_url_not_given_names_the_flag_that_gives_it() {
    let sandbox = Sandbox::start(&[]);
    sandbox.send_link_button();
    let (_, _, page) = sandbox.click(&[("message", "1"), ("side", "sender")]);
    assert!(
        page.contains(
            "no session initialization URL: start the sandbox with --session-init-url URL"
        ),
        "{page}"
    );

    let body = json!({"type": "TEXT", "message": "hi", "receiver_buttons": {"rows": [
        {"buttons": [{"action": {"get_dynamic_action": {"data": {}}}, "icon": "INFO", "caption": "Go"}]}]}});
    let token = sandbox.var("KENAR_ACCESS_TOKEN");
    let (status, _) = sandbox.send_current(current::DEMO_CONVERSATION, token, &body);
    assert_eq!(status, 200);
    let (_, _, page) = sandbox.click(&[("message", "2"), ("side", "receiver")]);
    assert!(
        page.contains("no dynamic-action URL: start the sandbox with --dynamic-action-url URL"),
        "{page}"
    );
}

/// A signal stops the sandbox within its grace, whatever a caller holds: here a request
/// head it never finishes, which kept it running for as long as the caller liked.
#[cfg(unix)]
#[test]
fn a_signal_stops_the_sandbox_whatever_a_caller_holds() {
    for signal in ["INT", "TERM"] {
        let mut sandbox = Sandbox::start(&[]);
        let address = sandbox.url.trim_start_matches("http://").to_owned();
        let mut half = std::net::TcpStream::connect(&address).unwrap();
        std::io::Write::write_all(&mut half, b"GET / HTTP/1.1\r\nHost: a\r\n").unwrap();
        // The head has reached the sandbox once a whole request on another connection is
        // answered after it.
        assert_eq!(sandbox.get("/").0, 200);
        common::signal(&sandbox.child, signal);
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = sandbox.child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "{signal}: the sandbox is still running"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(0), "{signal}");
        drop(half);
    }
}
