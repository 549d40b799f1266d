//! `kenar-chat send` against servers that fail, stall, or answer with something hostile:
//! for each, the exit code, how many requests the server saw, and what the user is told.
//! Retries must never send a message twice unless asked to.

use crate::common;

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{ACCESS_TOKEN, API_KEY, Reply, TestServer};
use predicates::prelude::*;

/// `send` with a valid message to `base_url`, credentials from the environment.
fn send_to(base_url: &str) -> assert_cmd::Command {
    let mut cmd = common::send_to(base_url);
    cmd.args(common::CHAT_IDS).args(["--message", "hi"]);
    cmd
}

fn send(server: &TestServer) -> assert_cmd::Command {
    send_to(&server.url())
}

fn stderr_of(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn rate_limit_with_retry_after_is_waited_out_then_sent() {
    let server = TestServer::start(|index, _| match index {
        0 => Reply::json(429, r#"{"message":"slow down"}"#).with_header("retry-after", "1"),
        _ => Reply::success(),
    });
    send(&server)
        .assert()
        .success()
        .stderr("retrying in 1.0 s (attempt 2 of 4): rate limited (HTTP 429)\n");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body);
}

#[test]
fn rate_limit_without_retry_after_backs_off_until_the_retries_run_out() {
    let server = TestServer::always(429, r#"{"message":"daily limit"}"#);
    let output = send(&server)
        .args(["--retries", "2"])
        .assert()
        .code(4)
        .get_output()
        .clone();
    assert_eq!(server.requests().len(), 3);
    let stderr = stderr_of(&output);
    assert_eq!(stderr.matches("retrying in ").count(), 2, "{stderr}");
    assert!(stderr.contains("(attempt 3 of 3)"), "{stderr}");
    assert!(
        stderr.contains("not retrying: rate limited (HTTP 429); no retries left (2 allowed)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: rate limited by the API (HTTP 429): daily limit"),
        "{stderr}"
    );
}

#[test]
fn retry_after_longer_than_max_wait_is_not_waited_for() {
    let server = TestServer::start(|_, _| {
        Reply::json(429, r#"{"message":"come back later"}"#).with_header("retry-after", "120")
    });
    send(&server)
        .args(["--max-wait", "5"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "the server asks to wait 120 s, more than the 5 s of waiting left",
        ))
        .stderr(predicate::str::contains("come back later"));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn quiet_hides_retry_notices() {
    let server = TestServer::start(|index, _| match index {
        0 => Reply::json(429, "{}").with_header("retry-after", "0"),
        _ => Reply::success(),
    });
    send(&server).arg("-q").assert().success().stderr("");
    assert_eq!(server.requests().len(), 2);
}

/// A 5xx may come after the message was delivered, so it is reported, not retried.
fn server_error_is_not_retried(status: u16) {
    let server = TestServer::always(status, r#"{"message":"upstream trouble"}"#);
    send(&server)
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!(
            "the API failed (HTTP {status}): upstream trouble; delivery is uncertain"
        )))
        .stderr(predicate::str::contains("retrying").not());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn http_500_is_not_retried() {
    server_error_is_not_retried(500);
}

#[test]
fn http_502_is_not_retried() {
    server_error_is_not_retried(502);
}

#[test]
fn http_503_is_not_retried() {
    server_error_is_not_retried(503);
}

#[test]
fn retry_unsafe_retries_a_server_error() {
    let server = TestServer::start(|index, _| match index {
        0 => Reply::json(503, "{}").with_header("retry-after", "0"),
        _ => Reply::success(),
    });
    send(&server)
        .arg("--retry-unsafe")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "(attempt 2 of 4): server error (HTTP 503)",
        ));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn client_errors_are_never_retried() {
    let server = TestServer::always(400, r#"{"message":"bad peer"}"#);
    send(&server)
        .arg("--retry-unsafe")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("bad peer"))
        .stderr(predicate::str::contains("retrying").not());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_hanging_server_times_out_and_is_not_retried() {
    let server = TestServer::start(|_, _| Reply::Hang(Duration::from_secs(10)));
    send(&server)
        .args(["--timeout", "0.5"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("timed out"))
        .stderr(predicate::str::contains("delivery is uncertain"))
        .stderr(predicate::str::contains("retrying").not());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_connection_closed_mid_answer_is_not_retried() {
    let server = TestServer::start(|_, _| {
        Reply::Raw(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"status\":".to_vec())
    });
    send(&server)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("delivery is uncertain"))
        .stderr(predicate::str::contains("retrying").not());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_connection_closed_without_an_answer_is_not_retried() {
    let server = TestServer::start(|_, _| Reply::Raw(Vec::new()));
    send(&server)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("delivery is uncertain"))
        .stderr(predicate::str::contains("retrying").not());
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn retry_unsafe_retries_a_dropped_connection() {
    let server = TestServer::start(|index, _| match index {
        0 => Reply::Raw(Vec::new()),
        _ => Reply::success(),
    });
    send(&server)
        .args(["--retry-unsafe", "-q"])
        .assert()
        .success()
        .stderr("");
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_refused_connection_is_retried_since_nothing_was_sent() {
    // On 127.0.0.2, where no test listens: a port free on 127.0.0.1 a moment ago may be
    // another test's server by the time a retry goes.
    let output = send_to(&format!("http://127.0.0.2:{}", common::free_port()))
        .args(["--retries", "2"])
        .assert()
        .code(5)
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    assert_eq!(stderr.matches("retrying in ").count(), 2, "{stderr}");
    assert!(stderr.contains("cannot connect to the API"), "{stderr}");
    assert!(
        stderr.contains("the request never reached the server"),
        "{stderr}"
    );
}

#[test]
fn a_failed_tls_handshake_is_retried_since_nothing_was_sent() {
    // Speaks plain HTTP on a port the client reaches with https: no handshake can succeed.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counted.fetch_add(1, Ordering::SeqCst);
            let mut hello = [0u8; 512];
            let _ = stream.read(&mut hello);
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let output = send_to(&format!("https://127.0.0.1:{port}"))
        .args(["--retries", "1"])
        .assert()
        .code(5)
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    assert!(stderr.contains("retrying in "), "{stderr}");
    assert!(
        stderr.contains("the request never reached the server"),
        "{stderr}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 2);
}

#[test]
fn a_redirect_is_not_followed_and_the_target_receives_nothing() {
    let target = TestServer::success();
    let location = format!("{}/v2/open-platform/chat/conversation", target.url());
    let server =
        TestServer::start(move |_, _| Reply::json(307, "").with_header("location", &location));
    send(&server)
        .arg("--retry-unsafe")
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!(
            "redirect (HTTP 307) to {}",
            target.url()
        )))
        .stderr(predicate::str::contains("delivery is uncertain"));
    assert_eq!(server.requests().len(), 1);
    assert!(target.requests().is_empty());
}

#[test]
fn a_50_mib_answer_is_refused_without_reading_it() {
    let server = TestServer::start(|_, _| Reply::Respond {
        status: 200,
        headers: Vec::new(),
        body: vec![b'x'; 50 * 1024 * 1024],
    });
    send(&server)
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "the answer (HTTP 200) is larger than 1048576 bytes; not read",
        ))
        .stderr(predicate::str::contains("delivery is uncertain"));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_50_mib_chunked_answer_is_cut_off_at_the_limit() {
    let server = TestServer::start(|_, _| {
        let mut raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..50 {
            raw.extend_from_slice(b"100000\r\n");
            raw.extend_from_slice(&chunk);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"0\r\n\r\n");
        Reply::Raw(raw)
    });
    send(&server)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("larger than 1048576 bytes"));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_success_that_is_not_json_is_quoted_briefly() {
    let page = format!("<html>{}</html>", "maintenance ".repeat(100));
    let first_200 = format!("{}…", &page[..200]);
    let server = TestServer::start(move |_, _| Reply::Respond {
        status: 200,
        headers: vec![("content-type".into(), "text/html".into())],
        body: page.clone().into_bytes(),
    });
    let output = send(&server).assert().code(5).get_output().clone();
    let stderr = stderr_of(&output);
    assert!(
        stderr.contains(&format!(
            "with a body that is not a JSON object: {first_200}; delivery is uncertain"
        )),
        "{stderr}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_success_of_the_wrong_json_shape_is_an_error() {
    let server = TestServer::always(200, r#"["status", 200]"#);
    send(&server)
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            r#"not a JSON object: ["status", 200]"#,
        ));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn terminal_escape_sequences_from_the_server_are_escaped() {
    let hostile = "{\"message\":\"\\u001b]0;pwned\\u0007\\u001b[2J\\u001b[31mred\"}";
    for status in [400, 503] {
        let server = TestServer::always(status, hostile);
        let output = send(&server).assert().failure().get_output().clone();
        let stderr = stderr_of(&output);
        assert!(!stderr.contains('\u{1b}'), "raw escape in: {stderr:?}");
        assert!(!stderr.contains('\u{7}'), "raw bell in: {stderr:?}");
        assert!(
            stderr.contains(r"\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred"),
            "{stderr}"
        );
        assert_eq!(server.requests().len(), 1);
    }
}

#[test]
fn verbose_logs_each_attempt_with_secrets_masked() {
    let server = TestServer::success();
    let output = send(&server)
        .arg("-v")
        .assert()
        .success()
        .get_output()
        .clone();
    let stderr = stderr_of(&output);
    let url = format!("{}/v2/open-platform/chat/conversation", server.url());
    for line in [
        format!("> POST {url} (attempt 1)"),
        "> content-type: application/json".into(),
        "> x-api-key: ***".into(),
        "> x-access-token: ***".into(),
        "< HTTP 200 after ".into(),
    ] {
        assert!(stderr.contains(&line), "{line:?} not in {stderr}");
    }
    assert!(!stderr.contains(API_KEY) && !stderr.contains(ACCESS_TOKEN));
}

#[test]
fn plain_http_is_allowed_to_localhost() {
    let server = TestServer::success();
    send_to(&format!("http://localhost:{}", server.port))
        .assert()
        .success();
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn the_proxy_from_the_environment_is_used_unless_no_proxy_says_otherwise() {
    // The proxy is asked for a tunnel to the remote host; what goes through the tunnel is
    // encrypted, so the proxy never sees the credentials.
    let proxy = TestServer::start(|_, _| Reply::Raw(b"HTTP/1.1 502 Bad Gateway\r\n\r\n".to_vec()));
    send_to("https://api.example.invalid")
        .env("HTTPS_PROXY", proxy.url())
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .args(["--retries", "0"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "the request never reached the server",
        ));
    let tunnel = proxy.only_request();
    assert_eq!(tunnel.method, "CONNECT");
    assert_eq!(tunnel.path, "api.example.invalid:443");
    assert!(tunnel.body.is_empty());
    assert!(
        tunnel
            .headers
            .iter()
            .all(|(_, value)| !value.contains(API_KEY) && !value.contains(ACCESS_TOKEN)),
        "{tunnel:?}"
    );

    // 0.0.0.0 is no loopback name, yet connecting to it fails at once on this machine,
    // without a DNS lookup or a packet on the network.
    send_to("https://0.0.0.0:1")
        .env("HTTPS_PROXY", proxy.url())
        .env("NO_PROXY", "0.0.0.0")
        .args(["--retries", "0"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "the request never reached the server",
        ));
    assert_eq!(proxy.requests().len(), 1);
}

/// Plain http is allowed to loopback hosts because it never leaves the machine; through a
/// proxy it would, with the credentials readable, so loopback hosts are reached directly.
#[test]
fn loopback_hosts_are_reached_directly_whatever_the_proxy() {
    let proxy = TestServer::success();
    let api = TestServer::success();
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        send(&api)
            .env(variable, proxy.url())
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .assert()
            .success();
    }
    assert_eq!(api.requests().len(), 3);
    assert!(proxy.requests().is_empty());
}

#[test]
fn cacert_adds_a_trusted_ca() {
    let server = TestServer::success();
    send(&server)
        .arg("--cacert")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/test-ca.pem"
        ))
        .assert()
        .success();
    assert_eq!(server.requests().len(), 1);
}
