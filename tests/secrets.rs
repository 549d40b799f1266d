//! Secrets never reach stdout or stderr: every command runs with known secret values in
//! the environment (and in files), with `-v`, `--dry-run`, `--help` and on error paths,
//! and its output is searched for them.

use crate::common;

use std::process::Output;
use std::time::Duration;

use common::{POST, RESOURCE_ID, Reply, TestServer, USER, kenar};

const API_KEY: &str = "sk-SECRET-api-4f1c0e";
const ACCESS_TOKEN: &str = "tok-SECRET-access-9d2e7b";
const CLIENT_SECRET: &str = "cs-SECRET-client-77ab31";

/// The binary with every secret in the environment, and the API at `base_url`.
fn kenar_with_secrets(base_url: &str) -> assert_cmd::Command {
    let mut cmd = kenar();
    cmd.env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .env("KENAR_CLIENT_SECRET", CLIENT_SECRET)
        .env("KENAR_API_URL", base_url);
    cmd
}

fn send_args() -> Vec<&'static str> {
    let mut args = vec!["send"];
    args.extend(common::CHAT_IDS);
    args.extend(["--message", "hi", "--retries", "1", "--max-wait", "1"]);
    args
}

fn assert_no_secret(what: &str, output: &Output) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for secret in [API_KEY, ACCESS_TOKEN, CLIENT_SECRET] {
            assert!(
                !text.contains(secret),
                "{what}: {stream} shows a secret:\n{text}"
            );
        }
        // A secret cut short or quoted in part is a leak too. (The documentation names
        // KENAR_CLIENT_SECRET and <SECRET>; only the values have "-SECRET-".)
        assert!(!text.contains("-SECRET-"), "{what}: {stream}:\n{text}");
        assert!(!text.contains("panicked"), "{what}: {stream}:\n{text}");
    }
}

fn run(what: &str, mut cmd: assert_cmd::Command) -> Output {
    let output = cmd.output().unwrap();
    assert_no_secret(what, &output);
    output
}

#[test]
fn no_command_prints_a_secret_from_the_environment() {
    let server = TestServer::success();
    let url = server.url();
    let commands: Vec<(&str, Vec<&str>)> = vec![
        ("help", vec!["--help"]),
        ("send help", vec!["send", "--help"]),
        ("scope help", vec!["scope", "chat", "--help"]),
        ("oauth-url help", vec!["oauth-url", "--help"]),
        ("man", vec!["man"]),
        ("completions", vec!["completions", "bash"]),
        (
            "scope chat",
            [
                ["-v", "scope", "chat", "-o", "json"].as_slice(),
                &common::CHAT_IDS,
            ]
            .concat(),
        ),
        ("scope decode", vec!["-v", "scope", "decode", RESOURCE_ID]),
        ("scope decode error", vec!["scope", "decode", "not:a:scope"]),
        (
            "oauth-url",
            vec![
                "-v",
                "oauth-url",
                "--client-id",
                "app",
                "--redirect-uri",
                "https://app.example/cb",
                "--post-chats",
                POST,
                "-o",
                "json",
            ],
        ),
        (
            "oauth-url error",
            vec![
                "oauth-url",
                "--client-id",
                "app",
                "--redirect-uri",
                "ftp://x",
            ],
        ),
        ("send missing values", vec!["-v", "send", "--user-id", USER]),
    ];
    for (what, args) in commands {
        let mut cmd = kenar_with_secrets(&url);
        cmd.args(args);
        run(what, cmd);
    }
    for extra in [
        vec!["-v"],
        vec!["-v", "--dry-run"],
        vec!["--dry-run", "-o", "json"],
    ] {
        let mut cmd = kenar_with_secrets(&url);
        cmd.args(send_args()).args(&extra);
        let output = run(&format!("send {extra:?}"), cmd);
        assert!(output.status.success(), "{extra:?}");
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn failed_sends_print_no_secret() {
    let refused_port = common::free_port();
    // A careless server may echo the credentials back, in its body or a redirect.
    let echo = format!(r#"{{"message":"bad key {API_KEY} token {ACCESS_TOKEN}"}}"#);
    let echo_location = format!("http://127.0.0.1:9/?token={ACCESS_TOKEN}");
    let cases: Vec<(&str, Option<TestServer>)> = vec![
        (
            "401 echoing the secrets",
            Some(TestServer::start(move |_, _| Reply::json(401, &echo))),
        ),
        (
            "redirect echoing the token",
            Some(TestServer::start(move |_, _| {
                Reply::json(302, "").with_header("location", &echo_location)
            })),
        ),
        (
            "500",
            Some(TestServer::always(500, r#"{"message":"oops"}"#)),
        ),
        (
            "429 twice",
            Some(TestServer::start(|_, _| {
                Reply::json(429, "{}").with_header("retry-after", "0")
            })),
        ),
        (
            "redirect",
            Some(TestServer::start(|_, _| {
                Reply::json(302, "").with_header("location", "http://127.0.0.1:9/x")
            })),
        ),
        (
            "hang",
            Some(TestServer::start(|_, _| {
                Reply::Hang(Duration::from_secs(5))
            })),
        ),
        ("refused", None),
    ];
    for (what, server) in cases {
        let url = server
            .as_ref()
            .map_or(format!("http://127.0.0.1:{refused_port}"), TestServer::url);
        let mut cmd = kenar_with_secrets(&url);
        cmd.arg("-v").args(send_args()).args(["--timeout", "0.5"]);
        let output = run(what, cmd);
        assert!(!output.status.success(), "{what}");
    }
}

#[test]
fn secrets_from_files_and_flags_are_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    let token = dir.path().join("token");
    std::fs::write(&key, format!("{API_KEY}\n")).unwrap();
    std::fs::write(&token, format!("{ACCESS_TOKEN} with spaces\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let loose = std::fs::Permissions::from_mode(0o644);
        std::fs::set_permissions(&key, loose).unwrap();
    }
    let server = TestServer::success();

    let mut cmd = kenar();
    cmd.env("KENAR_API_URL", server.url())
        .args(send_args())
        .arg("-v")
        .arg("--api-key-file")
        .arg(&key)
        .arg("--access-token-file")
        .arg(&token);
    let output = run("a secret file that cannot go in a header", cmd);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("access token file"), "{stderr}");
    #[cfg(unix)]
    assert!(
        stderr.contains(&format!(
            "warning: API key file {} can be read by other users (mode 644)",
            key.display()
        )),
        "{stderr}"
    );

    let mut cmd = kenar();
    cmd.env("KENAR_API_URL", server.url())
        .args(send_args())
        .args(["-v", "--api-key", API_KEY, "--access-token", ACCESS_TOKEN]);
    let output = run("secrets given as flags", cmd);
    assert!(output.status.success());

    let mut cmd = kenar();
    cmd.env("KENAR_API_URL", "http://example.com")
        .args(send_args())
        .args(["--api-key", API_KEY, "--access-token", ACCESS_TOKEN]);
    let output = run("plain http to another host", cmd);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn show_secrets_is_the_one_way_to_print_them() {
    let output = kenar_with_secrets("http://127.0.0.1:9")
        .args(send_args())
        .args(["--dry-run", "--show-secrets"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!("x-api-key: {API_KEY}")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("x-access-token: {ACCESS_TOKEN}")),
        "{stdout}"
    );
}

/// A password in a URL is a secret too: URLs that carry one are refused before anything is
/// sent, and no output shows it, whichever command, flag or variable gave the URL.
#[test]
fn urls_with_a_user_name_or_password_are_refused_without_printing_them() {
    let server = TestServer::success();
    let with_password = format!("http://user:pw-SECRET-url@127.0.0.1:{}", server.port);
    // A send's arguments, then the base URL under test.
    let send_to = |args: Vec<&str>, base_url: &str| -> Vec<String> {
        args.into_iter()
            .map(String::from)
            .chain(["--base-url".into(), base_url.into()])
            .collect()
    };
    let commands: Vec<(&str, Vec<String>)> = vec![
        (
            "send --dry-run",
            send_to([send_args(), vec!["--dry-run"]].concat(), &with_password),
        ),
        (
            "send -v",
            send_to([vec!["-v"], send_args()].concat(), &with_password),
        ),
        (
            "send to a plain-http host",
            send_to(send_args(), "http://user:pw-SECRET-url@example.com"),
        ),
        (
            "send to something that is not a URL",
            send_to(send_args(), "user:pw-SECRET-url@[x"),
        ),
        (
            "oauth-url --auth-url",
            [
                "oauth-url",
                "--client-id",
                "app",
                "--redirect-uri",
                "https://app.example/cb",
                "--post-chats",
                POST,
                "--auth-url",
                "https://user:pw-SECRET-url@oauth.example/oauth",
            ]
            .map(String::from)
            .to_vec(),
        ),
    ];
    for (what, args) in commands {
        let mut cmd = kenar_with_secrets(&server.url());
        cmd.args(&args);
        let output = run(what, cmd);
        assert_eq!(output.status.code(), Some(2), "{what}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("must not carry a user name or password")
                || stderr.contains("(not shown: it may hold a password)"),
            "{what}: {stderr}"
        );
    }
    let mut cmd = kenar_with_secrets(&with_password);
    cmd.args(send_args());
    let output = run("KENAR_API_URL", cmd);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "error: KENAR_API_URL: \"http://127.0.0.1:{}/\" (shown here without them) must not \
             carry a user name or password\n",
            server.port
        )
    );
    assert!(server.requests().is_empty());
}

#[test]
fn secrets_echoed_partly_encoded_or_in_another_base64_are_masked() {
    // Secrets with characters a URL or base64 spells in more than one way.
    let key = "Ab+/SECRET+key/9w==";
    let token = "tok<en>+x{1}/SECRET_9";
    let forms = [
        // Only what a URL path cannot hold encoded, as a proxy may do.
        "tok%3Cen%3E+x%7B1%7D/SECRET_9",
        // Lower-case hex, some of the rest encoded too.
        "tok%3cen%3e%2bx%7b1%7d%2fSECRET_9",
        // The key in base64url, without its padding, and partly encoded.
        "Ab-_SECRET-key_9w",
        "Ab%2B/SECRET+key%2F9w%3D%3D",
        // The key base64-encoded, in either alphabet.
        "QWIrL1NFQ1JFVCtrZXkvOXc9PQ==",
        "QWIrL1NFQ1JFVCtrZXkvOXc9PQ",
    ];
    let body = format!(r#"{{"message":"refused: {}"}}"#, forms.join(" and "));
    let location = format!("http://127.0.0.1:9/echo?t={}&k={}", forms[0], forms[2]);
    for reply in [
        Reply::json(400, &body),
        Reply::json(401, &forms.join("\n")),
        Reply::json(302, "").with_header("location", &location),
    ] {
        let server = TestServer::start(move |_, _| reply.clone());
        let output = common::send_to(&server.url())
            .env("KENAR_API_KEY", key)
            .env("KENAR_ACCESS_TOKEN", token)
            .args(common::CHAT_IDS)
            .args(["--message", "hi", "--retries", "0", "-v"])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("***"), "{stderr}");
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains("SECRET"), "{stream} shows a secret:\n{text}");
            for form in forms {
                assert!(!text.contains(form), "{stream} shows {form}:\n{text}");
            }
        }
    }
}
