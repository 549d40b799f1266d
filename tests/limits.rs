//! Flag values and inputs at the edges of what they can hold: the largest counts and
//! durations, endless or oversized files. Each ends in a clear answer, never a panic.

use crate::common;

use common::listen::{KEY, Listen, fixture};
use common::{ACCESS_TOKEN, API_KEY, POST, Reply, TestServer};
use predicates::prelude::*;

/// `send` with a valid message to `server`, credentials from the environment.
fn send(server: &TestServer) -> assert_cmd::Command {
    let mut cmd = common::send_to(&server.url());
    cmd.args(common::CHAT_IDS).args(["--message", "hi"]);
    cmd
}

#[test]
fn the_largest_retry_count_is_counted_without_overflow() {
    let server = TestServer::start(|_, _| Reply::json(429, r#"{"message":"slow down"}"#));
    send(&server)
        .args(["--retries", "4294967295", "--max-wait", "0.01"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "(attempt 2 of 4294967296): rate limited (HTTP 429)",
        ))
        .stderr(predicate::str::contains("waiting allowed are spent"))
        .stderr(predicate::str::contains("panicked").not());
    assert_eq!(server.requests().len(), 2);
}

/// The largest number of seconds a duration flag takes.
const LARGEST: &str = "18446744073709551615";

#[test]
fn every_duration_flag_takes_the_largest_number_of_seconds_and_still_works() {
    let server = TestServer::success();
    send(&server)
        .args(["--timeout", LARGEST, "--connect-timeout", LARGEST])
        .args(["--max-wait", LARGEST])
        .assert()
        .success();
    send(&server)
        .args([
            "--timeout",
            "1e18",
            "--max-wait",
            "1.8446744073709551615e19",
        ])
        .assert()
        .success();
    assert_eq!(server.requests().len(), 2);
    let app = TestServer::success();
    common::kenar()
        .args([
            "trigger",
            "NEW_MESSAGE",
            "--to",
            &app.url(),
            "--timeout",
            LARGEST,
        ])
        .env("KENAR_IDENTIFICATION_KEY", KEY)
        .assert()
        .success();
    let listen = Listen::start(&[
        "-f",
        &app.url(),
        "--forward-timeout",
        LARGEST,
        "--read-timeout",
        LARGEST,
    ]);
    assert_eq!(listen.deliver(&fixture("NEW_MESSAGE")).0, 200);
    assert_eq!(app.requests().len(), 2);
    let said = listen.notes_so_far();
    assert!(
        !said.iter().any(|line| line.contains("panicked")),
        "{said:#?}"
    );
}

#[test]
fn every_duration_flag_refuses_seconds_past_its_largest_naming_the_flag() {
    let server = TestServer::success();
    let to = server.url();
    let commands: [(&[&str], &[&str]); 6] = [
        (
            &["send", "--message", "hi"],
            &["--timeout", "--connect-timeout", "--max-wait"],
        ),
        (&["trigger", "NEW_MESSAGE", "--to", &to], &["--timeout"]),
        (&["events", "replay", "--last", "--to", &to], &["--timeout"]),
        (
            &["listen", "--port", "0", "-f", &to],
            &["--forward-timeout", "--read-timeout"],
        ),
        (&["oauth", "login", "--client-id", "c"], &["--wait"]),
        (
            &["oauth", "token", "--code", "c", "--client-id", "c"],
            &["--timeout"],
        ),
    ];
    for (command, flags) in commands {
        for flag in flags {
            for value in ["18446744073709551616", "18446744073709551615.5", "1e20"] {
                common::with_credentials()
                    .env("KENAR_API_URL", &to)
                    .args(command)
                    .args(common::CHAT_IDS.iter().filter(|_| command[0] == "send"))
                    .args([flag, value])
                    .env("KENAR_IDENTIFICATION_KEY", KEY)
                    .env("KENAR_CLIENT_SECRET", "s")
                    .assert()
                    .code(2)
                    .stdout("")
                    .stderr(predicate::str::contains(*flag))
                    .stderr(predicate::str::contains(format!(
                        "must be at most {LARGEST} seconds"
                    )))
                    .stderr(predicate::str::contains("18446744073709552000").not());
            }
        }
    }
    for flag in ["--token-lifetime", "--code-lifetime", "--refresh-grace"] {
        common::kenar()
            .args(["sandbox", "--port", "0", flag, "18446744073709551616"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains(format!(
                "for '{flag} <SECS>': must be at most"
            )))
            .stderr(predicate::str::contains("before the year 10000"));
    }
    assert!(server.requests().is_empty());
}

#[test]
fn durations_that_are_not_a_number_of_seconds_are_refused() {
    let server = TestServer::success();
    for (flag, value, problem) in [
        (
            "--timeout",
            "NaN",
            "must be a positive number of seconds (not \"NaN\")",
        ),
        (
            "--timeout",
            "inf",
            "must be a positive number of seconds (not \"inf\")",
        ),
        (
            "--timeout",
            "0",
            "must be a positive number of seconds (not \"0\")",
        ),
        (
            "--timeout",
            "-1",
            "must be a positive number of seconds (not \"-1\")",
        ),
        (
            "--connect-timeout",
            "1e300",
            "must be at most 18446744073709551615 seconds (not \"1e300\")",
        ),
        (
            "--max-wait",
            "-inf",
            "must be a number of seconds, 0 or more (not \"-inf\")",
        ),
        (
            "--timeout",
            "0.0000000001",
            "must be at least 0.000000001 seconds (not \"0.0000000001\")",
        ),
    ] {
        send(&server)
            .arg(format!("{flag}={value}"))
            .assert()
            .code(2)
            .stderr(format!("error: {flag}: {problem}\n"));
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_secret_file_without_end_is_refused_not_read_into_memory() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("key");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(4 * 1024 * 1024 * 1024)
        .unwrap();
    let server = TestServer::success();
    let mut paths = vec![big.clone()];
    if cfg!(unix) {
        paths.push("/dev/zero".into());
    }
    for path in paths {
        send(&server)
            .env_remove("KENAR_API_KEY")
            .arg("--api-key-file")
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "error: API key file {}: larger than 1048576 bytes",
                path.display()
            )));
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_base_url_with_a_query_or_fragment_is_refused_rather_than_cut_short() {
    let server = TestServer::success();
    for suffix in ["/api?tenant=7", "/api#top", "/api?"] {
        let base = format!("{}{suffix}", server.url());
        send(&server)
            .args(["--base-url", &base])
            .assert()
            .code(2)
            .stderr(format!(
                "error: --base-url: \"{base}\" must not carry a query string or fragment \
                 (requests go to paths under it)\n"
            ));
    }
    assert!(server.requests().is_empty());
    send(&server)
        .args(["--base-url", &format!("{}/api", server.url())])
        .assert()
        .success();
    assert_eq!(
        server.only_request().path,
        "/api/v2/open-platform/chat/conversation"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn output_that_cannot_be_written_is_an_error_and_a_closed_pipe_is_not() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = common::kenar_process()
        .args(["scope", "post", "--post-token", POST])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("error: cannot write to standard output: No space left on device"),
        "{stderr}"
    );

    // `kenar-chat ... | head -c0`: the reader is gone before anything is written.
    let mut child = common::kenar_process()
        .args(["scope", "post", "--post-token", POST])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stderr.is_empty(), "{output:?}");
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_and_a_directory_on_stdin_are_refused() {
    use std::os::unix::ffi::OsStrExt as _;
    let server = TestServer::success();
    send(&server)
        .arg("--sender-caption")
        .arg(std::ffi::OsStr::from_bytes(b"caf\xe9"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid UTF-8"));
    let directory = std::fs::File::open(env!("CARGO_MANIFEST_DIR")).unwrap();
    let output = common::kenar_process()
        .arg("send")
        .env("KENAR_API_URL", server.url())
        .env("KENAR_API_KEY", API_KEY)
        .env("KENAR_ACCESS_TOKEN", ACCESS_TOKEN)
        .args(["--file", "-"])
        .stdin(directory)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: standard input: cannot read: Is a directory (os error 21)\n"
    );
    assert!(server.requests().is_empty());
}
