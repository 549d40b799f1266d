//! `kenar-chat oauth login` end to end: the test plays the browser, requesting the
//! loopback redirect URI the tool listens on, and Divar's token endpoint.

use crate::common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::Duration;

use common::{API_KEY, POST, Reply, TestServer, free_port, kenar_process};
use predicates::prelude::*;

const CLIENT_SECRET: &str = "login-client-secret-5a1e";
const ACCESS_TOKEN: &str = "login-access-token-90d2";

fn token_server() -> TestServer {
    TestServer::start(|_, _| {
        Reply::json(
            200,
            &format!(r#"{{"access_token":"{ACCESS_TOKEN}","expires":"4102444800"}}"#),
        )
    })
}

/// `oauth login` for the app, with `dir` as the config directory and `server` as the API.
fn login_process(dir: &Path, server: &TestServer) -> Command {
    let mut cmd = kenar_process();
    cmd.env("KENAR_CONFIG_DIR", dir)
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .args([
            "oauth",
            "login",
            "--client-id",
            "my-app",
            "--post-chats",
            POST,
        ]);
    cmd
}

/// `oauth login` listening on `port`, to start in the background.
fn login(dir: &Path, server: &TestServer, port: u16) -> Command {
    login_waiting(dir, server, port, "60")
}

/// [`login`], waiting `wait` seconds for the browser.
fn login_waiting(dir: &Path, server: &TestServer, port: u16, wait: &str) -> Command {
    let mut cmd = login_process(dir, server);
    cmd.args([
        "--redirect-uri",
        &format!("http://127.0.0.1:{port}/callback"),
    ])
    .args(["--wait", wait])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd
}

fn start_login(dir: &Path, server: &TestServer, port: u16, extra: &[&str]) -> Child {
    login(dir, server, port)
        .args(["--auth-url", "http://127.0.0.1:9/oauth"])
        .args(extra)
        .spawn()
        .unwrap()
}

/// What a browser does on a redirect: GET the path, read the answer. Retries the connection
/// for a while, since the tool starts listening shortly after it starts.
fn browse(port: u16, path_and_query: &str) -> String {
    browse_at("127.0.0.1", port, path_and_query)
}

/// [`browse`] on the loopback address `ip`.
fn browse_at(ip: &str, port: u16, path_and_query: &str) -> String {
    let mut stream = None;
    for _ in 0..200 {
        if let Ok(s) = TcpStream::connect((ip, port)) {
            stream = Some(s);
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let mut stream = stream.expect("the tool never listened on the redirect URI");
    write!(
        stream,
        "GET {path_and_query} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

fn finish(child: Child) -> Output {
    let output = child.wait_with_output().unwrap();
    common::assert_no_secret(&output, &[API_KEY, CLIENT_SECRET, ACCESS_TOKEN]);
    output
}

#[test]
fn login_listens_on_the_loopback_redirect_and_stores_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let port = free_port();
    let child = start_login(dir.path(), &server, port, &["--state", "s-42"]);

    let favicon = browse(port, "/favicon.ico");
    assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
    let page = browse(port, "/callback?state=s-42&code=code-7");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("You can close this tab"), "{page}");

    let output = finish(child);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "http://127.0.0.1:9/oauth?response_type=code&client_id=my-app\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback\
             &scope=CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}&state=s-42"
        )),
        "{stderr}"
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("stored the access token"),
        "{output:?}"
    );
    let request = server.only_request();
    assert_eq!(request.path, "/v1/open-platform/oauth/access_token");
    assert_eq!(request.json()["code"], "code-7");
    assert_eq!(request.json()["client_secret"], CLIENT_SECRET);
    let stored = std::fs::read_to_string(dir.path().join("credentials.json")).unwrap();
    assert!(stored.contains(ACCESS_TOKEN), "{stored}");
    assert!(stored.contains(&format!("CHAT_SEND_MESSAGE_POST_CONVERSATIONS__{POST}")));
}

#[test]
fn login_on_the_current_platform_sends_the_redirect_uri_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(|_, _| {
        Reply::json(
            200,
            &format!(
                r#"{{"access_token":"{ACCESS_TOKEN}","expires_in":3600,"refresh_token":"login-refresh-token-77aa"}}"#
            ),
        )
    });
    let port = free_port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let child = login(dir.path(), &server, port)
        .env("KENAR_TOKEN_URL", format!("{}/oauth2/token", server.url()))
        .args(["--platform", "current", "--offline", "--state", "s-9"])
        .spawn()
        .unwrap();
    let page = browse(port, "/callback?state=s-9&code=code-current");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    let output = finish(child);
    common::assert_no_secret(&output, &["login-refresh-token-77aa"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "https://oauth.divar.ir/oauth2/auth?response_type=code&client_id=my-app\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback\
             &scope=CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST}+offline_access&state=s-9"
        )),
        "{stderr}"
    );
    let request = server.only_request();
    assert_eq!(request.path, "/oauth2/token");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect();
    assert_eq!(form[0], ("code".to_owned(), "code-current".to_owned()));
    assert_eq!(form[4], ("redirect_uri".to_owned(), redirect_uri.clone()));
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("credentials.json")).unwrap())
            .unwrap();
    let token = &stored["profiles"]["default"][0];
    assert_eq!(token["redirect_uri"], redirect_uri.as_str());
    assert_eq!(
        token["scopes"],
        serde_json::json!([
            format!("CHAT_POST_CONVERSATIONS_MESSAGE_SEND.{POST}"),
            "offline_access"
        ])
    );
}

#[test]
fn a_redirect_with_another_state_is_refused_and_the_wait_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let port = free_port();
    let child = start_login(dir.path(), &server, port, &["--state", "s-5"]);
    // What any web page or local program could send to the port: it must neither be used
    // nor end the login.
    let page = browse(port, "/callback?state=guessed&code=attacker-code");
    assert!(page.starts_with("HTTP/1.1 400"), "{page}");
    assert!(page.contains("was not used"), "{page}");
    let page = browse(port, "/callback?state=s-5&code=real-code");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    let output = finish(child);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("may be forged"), "{stderr}");
    assert!(stderr.contains("still waiting"), "{stderr}");
    assert_eq!(server.only_request().json()["code"], "real-code");
}

#[test]
fn only_a_forged_redirect_ends_in_the_timeout_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let port = free_port();
    let child = login_waiting(dir.path(), &server, port, "5")
        .args(["--auth-url", "http://127.0.0.1:9/oauth"])
        .spawn()
        .unwrap();
    // The state is random: the browser here knows only what an attacker would.
    let page = browse(port, "/callback?state=guessed&code=attacker-code");
    assert!(page.starts_with("HTTP/1.1 400"), "{page}");
    let output = finish(child);
    assert_eq!(output.status.code(), Some(5));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("within 5 s (1 redirect that did not answer this login was ignored)"),
        "{stderr}"
    );
    assert!(server.requests().is_empty());
    assert!(!dir.path().join("credentials.json").exists());
}

#[test]
fn login_reports_a_refused_consent() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let port = free_port();
    let child = start_login(dir.path(), &server, port, &["--state", "s-1"]);
    let page = browse(port, "/callback?state=s-1");
    assert!(page.contains("Access was not granted"), "{page}");
    let output = finish(child);
    assert_eq!(output.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&output.stderr).contains("did not grant access"));
    assert!(server.requests().is_empty());
}

#[cfg(unix)]
#[test]
fn open_starts_the_browser_with_the_authorization_url() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let opened = dir.path().join("opened");
    let browser = dir.path().join("browser");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    let config = dir.path().join("config");
    let server = token_server();
    let port = free_port();
    let child = login(&config, &server, port)
        .env("BROWSER", &browser)
        .args(["--state", "s-9", "--open"])
        .spawn()
        .unwrap();
    browse(port, "/callback?state=s-9&code=c");
    assert!(finish(child).status.success());
    let url = std::fs::read_to_string(&opened).unwrap();
    assert!(
        url.starts_with("https://open-platform-redirect.divar.ir/oauth?"),
        "{url}"
    );
    assert!(url.ends_with("&state=s-9"), "{url}");
}

/// `oauth login` run to its end, with what it reads on standard input.
fn login_to_end(dir: &Path, server: &TestServer) -> assert_cmd::Command {
    assert_cmd::Command::from_std(login_process(dir, server))
}

#[test]
fn login_elsewhere_reads_the_pasted_redirect_url() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let elsewhere = [
        "--redirect-uri",
        "https://my-app.example/callback",
        "--state",
        "s-3",
    ];
    login_to_end(dir.path(), &server)
        .args(elsewhere)
        .write_stdin("https://my-app.example/callback?state=s-3&code=pasted-code\n")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("stored the access token"));
    assert_eq!(server.only_request().json()["code"], "pasted-code");

    let wrong = token_server();
    login_to_end(dir.path(), &wrong)
        .args(elsewhere)
        .write_stdin("https://my-app.example/callback?state=other&code=c\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("may be forged"));
    assert!(wrong.requests().is_empty());
}

#[test]
fn login_gives_up_after_the_wait() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let port = free_port();
    login_to_end(dir.path(), &server)
        .args([
            "--redirect-uri",
            &format!("http://127.0.0.1:{port}/cb"),
            "--wait",
            "1",
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(format!(
            "the browser did not come back to http://127.0.0.1:{port}/cb within 1 s"
        )));
    assert!(server.requests().is_empty());
}

#[test]
fn a_redirect_port_in_use_is_invalid_input_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = login(dir.path(), &server, port).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--redirect-uri"), "{stderr}");
    assert!(server.requests().is_empty());
}

/// A `localhost` redirect is answered on ::1 too, where a browser may try it first.
#[test]
fn a_localhost_redirect_is_answered_on_ipv6_loopback() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        eprintln!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let port = free_port();
    let child = login_process(dir.path(), &server)
        .args([
            "--redirect-uri",
            &format!("http://localhost:{port}/callback"),
            "--auth-url",
            "http://127.0.0.1:9/oauth",
            "--state",
            "s-6",
            "--wait",
            "60",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let page = browse_at("::1", port, "/callback?state=s-6&code=code-6");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    let output = finish(child);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(server.only_request().json()["code"], "code-6");
}

/// Where a browser needs `$BROWSER` or a graphical display.
#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn open_says_when_no_browser_can_be_opened() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let port = free_port();
    let child = login(dir.path(), &server, port)
        .args([
            "--auth-url",
            "http://127.0.0.1:9/oauth",
            "--state",
            "s-7",
            "--open",
        ])
        .env_remove("BROWSER")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .spawn()
        .unwrap();
    let page = browse(port, "/callback?state=s-7&code=code-7");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    let output = finish(child);
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: cannot open a browser"),
        "{stderr}"
    );
    assert!(
        stderr.contains("open the address above yourself"),
        "{stderr}"
    );
}

#[test]
fn the_longest_wait_still_takes_the_redirect() {
    let dir = tempfile::tempdir().unwrap();
    let server = token_server();
    let port = free_port();
    let child = login_waiting(dir.path(), &server, port, "18446744073709551615")
        .args(["--auth-url", "http://127.0.0.1:9/oauth", "--state", "s-9"])
        .spawn()
        .unwrap();
    let page = browse(port, "/callback?state=s-9&code=code-9");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    let output = finish(child);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(server.only_request().json()["code"], "code-9");
}
